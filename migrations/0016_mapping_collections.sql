-- Mapping collections: how the controls of one catalog correspond to those
-- of another (OSCAL mapping-collection), such as the BSI's Kompendium 2023
-- → Grundschutz++ mapping. The file names its catalogs by a resource and its
-- controls by id; which imported catalog and requirement they mean is found
-- on read (mapping_catalogs below), so that a catalog imported after the
-- mapping resolves what was open.

CREATE TABLE mapping_collections (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title         text NOT NULL CHECK (btrim(title) <> ''),
    version       text NOT NULL DEFAULT '',
    uuid          text NOT NULL DEFAULT '',
    source_name   text NOT NULL,
    source_sha256 text NOT NULL UNIQUE CHECK (source_sha256 ~ '^[0-9a-f]{64}$'),
    imported_at   timestamptz NOT NULL DEFAULT now()
);

-- A mapping's source and target resource as the file names them: href,
-- its file name (the last path element), and the catalog_title and
-- catalog_uuid props where given.
CREATE TABLE mappings (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    collection_id bigint NOT NULL REFERENCES mapping_collections (id),
    ord           integer NOT NULL,
    uuid          text NOT NULL DEFAULT '',
    source_href   text NOT NULL DEFAULT '',
    source_file   text NOT NULL DEFAULT '',
    source_title  text NOT NULL DEFAULT '',
    source_uuid   text NOT NULL DEFAULT '',
    target_href   text NOT NULL DEFAULT '',
    target_file   text NOT NULL DEFAULT '',
    target_title  text NOT NULL DEFAULT '',
    target_uuid   text NOT NULL DEFAULT '',
    UNIQUE (collection_id, ord)
);

CREATE TABLE mapping_maps (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mapping_id   bigint NOT NULL REFERENCES mappings (id),
    ord          integer NOT NULL,
    uuid         text NOT NULL DEFAULT '',
    relationship text NOT NULL CHECK (relationship IN ('equal-to', 'equivalent-to', 'superset-of', 'subset-of', 'intersects-with')),
    UNIQUE (mapping_id, ord)
);

-- ref as written; requirement_id the requirement it names
-- (domain.RequirementOfRef: "NET.1.1.A1-UA.2" names NET.1.1.A1).
CREATE TABLE mapping_refs (
    map_id         bigint NOT NULL REFERENCES mapping_maps (id),
    side           text NOT NULL CHECK (side IN ('source', 'target')),
    ord            integer NOT NULL,
    ref            text NOT NULL CHECK (btrim(ref) <> ''),
    requirement_id text NOT NULL CHECK (btrim(requirement_id) <> ''),
    PRIMARY KEY (map_id, side, ord)
);
-- The correspondences of one requirement are looked up by it on either side.
CREATE INDEX mapping_refs_requirement_idx ON mapping_refs (requirement_id, side);

-- The catalog each side of a mapping resolves to today: the newest imported
-- catalog that the resource names by uuid, by title or by file name; a
-- resource whose file name begins with "itgs" (the BSI's name for the
-- IT-Grundschutz-Kompendium, which its mapping gives no title or uuid)
-- names the newest Kompendium edition or the demo excerpt. No row: the
-- side resolves to no imported catalog.
CREATE VIEW mapping_catalogs AS
SELECT m.id AS mapping_id, s.side, c.id AS catalog_id, c.title AS catalog_title, c.version AS catalog_version
FROM mappings m
CROSS JOIN LATERAL (VALUES ('source', m.source_uuid, m.source_title, m.source_file),
                           ('target', m.target_uuid, m.target_title, m.target_file)) AS s(side, uuid, title, file)
JOIN LATERAL (
    SELECT c.id, c.title, c.version FROM catalogs c
    WHERE s.uuid <> '' AND c.uuid = s.uuid
       OR s.title <> '' AND c.title = s.title
       OR s.file <> '' AND c.source_name = s.file
       OR lower(s.file) LIKE 'itgs%' AND c.kind IN ('kompendium', 'demo')
    ORDER BY c.imported_at DESC, c.id DESC LIMIT 1) c ON true;
