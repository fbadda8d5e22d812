-- Catalogs: Kompendium editions (with their cross-reference tables), OSCAL
-- catalogs and profiles, and the demo excerpt. A catalog is never changed
-- after its import; a new edition is a new catalog. Importing the same file
-- again is recognised by its SHA-256.

CREATE TABLE catalogs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('kompendium', 'oscal', 'demo')),
    title         text NOT NULL,
    version       text NOT NULL,
    uuid          text NOT NULL DEFAULT '',
    source_name   text NOT NULL,
    source_sha256 text NOT NULL UNIQUE CHECK (source_sha256 ~ '^[0-9a-f]{64}$'),
    imported_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE catalog_groups (
    catalog_id  bigint NOT NULL REFERENCES catalogs (id),
    key         text NOT NULL,
    parent_key  text,
    title       text NOT NULL,
    ord         integer NOT NULL,
    description jsonb NOT NULL DEFAULT '[]',
    props       jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (catalog_id, key),
    FOREIGN KEY (catalog_id, parent_key) REFERENCES catalog_groups (catalog_id, key)
);

CREATE TABLE catalog_modules (
    catalog_id    bigint NOT NULL REFERENCES catalogs (id),
    id            text NOT NULL,
    group_key     text,
    title         text NOT NULL,
    ord           integer NOT NULL,
    description   jsonb NOT NULL DEFAULT '[]',
    default_roles text[] NOT NULL DEFAULT '{}',
    further_roles text[] NOT NULL DEFAULT '{}',
    props         jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (catalog_id, id),
    FOREIGN KEY (catalog_id, group_key) REFERENCES catalog_groups (catalog_id, key)
);

CREATE TABLE catalog_requirements (
    catalog_id    bigint NOT NULL REFERENCES catalogs (id),
    id            text NOT NULL,
    module_id     text NOT NULL,
    parent_id     text,
    title         text NOT NULL,
    level         text NOT NULL CHECK (level IN ('basis', 'standard', 'elevated')),
    roles         text[] NOT NULL DEFAULT '{}',
    body          jsonb NOT NULL DEFAULT '[]',
    body_text     text NOT NULL DEFAULT '',
    guidance      jsonb NOT NULL DEFAULT '[]',
    guidance_text text NOT NULL DEFAULT '',
    withdrawn     boolean NOT NULL DEFAULT false,
    ord           integer NOT NULL,
    effort        integer,
    tags          text[] NOT NULL DEFAULT '{}',
    alt_id        text NOT NULL DEFAULT '',
    props         jsonb NOT NULL DEFAULT '[]',
    -- Titles weigh more than texts in the ranking; the ID is searchable too.
    search        tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', id), 'A') ||
        setweight(to_tsvector('german', title), 'A') ||
        setweight(to_tsvector('german', body_text), 'B') ||
        setweight(to_tsvector('german', guidance_text), 'C')) STORED,
    PRIMARY KEY (catalog_id, id),
    FOREIGN KEY (catalog_id, module_id) REFERENCES catalog_modules (catalog_id, id),
    FOREIGN KEY (catalog_id, parent_id) REFERENCES catalog_requirements (catalog_id, id)
);
CREATE INDEX catalog_requirements_search_idx ON catalog_requirements USING gin (search);
CREATE INDEX catalog_requirements_module_idx ON catalog_requirements (catalog_id, module_id, ord);

CREATE TABLE catalog_threats (
    catalog_id bigint NOT NULL REFERENCES catalogs (id),
    id         text NOT NULL,
    title      text NOT NULL,
    body       jsonb NOT NULL DEFAULT '[]',
    ord        integer NOT NULL,
    PRIMARY KEY (catalog_id, id)
);

CREATE TABLE catalog_modelling_hints (
    catalog_id  bigint NOT NULL REFERENCES catalogs (id),
    module_id   text NOT NULL,
    ord         text NOT NULL CHECK (ord IN ('R1', 'R2', 'R3')),
    target_type text NOT NULL,
    PRIMARY KEY (catalog_id, module_id, target_type),
    FOREIGN KEY (catalog_id, module_id) REFERENCES catalog_modules (catalog_id, id)
);

-- The cross-reference tables (KRT) of a Kompendium edition, attached once.
CREATE TABLE catalog_cross_references (
    catalog_id    bigint PRIMARY KEY REFERENCES catalogs (id),
    source_name   text NOT NULL,
    source_sha256 text NOT NULL UNIQUE CHECK (source_sha256 ~ '^[0-9a-f]{64}$'),
    imported_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE catalog_requirement_threats (
    catalog_id     bigint NOT NULL REFERENCES catalog_cross_references (catalog_id),
    requirement_id text NOT NULL,
    threat_id      text NOT NULL,
    PRIMARY KEY (catalog_id, requirement_id, threat_id),
    FOREIGN KEY (catalog_id, requirement_id) REFERENCES catalog_requirements (catalog_id, id),
    FOREIGN KEY (catalog_id, threat_id) REFERENCES catalog_threats (catalog_id, id)
);
CREATE INDEX catalog_requirement_threats_threat_idx ON catalog_requirement_threats (catalog_id, threat_id);

-- Which security objectives a requirement serves especially (KRT column CIA).
CREATE TABLE catalog_requirement_marks (
    catalog_id     bigint NOT NULL REFERENCES catalog_cross_references (catalog_id),
    requirement_id text NOT NULL,
    c              boolean NOT NULL,
    i              boolean NOT NULL,
    a              boolean NOT NULL,
    PRIMARY KEY (catalog_id, requirement_id),
    FOREIGN KEY (catalog_id, requirement_id) REFERENCES catalog_requirements (catalog_id, id)
);

-- Catalog content is written once and then only read: refuse changes in
-- place, so check results always refer to the text they were made against.
CREATE FUNCTION catalog_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is not changed after import; import a new edition instead', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER catalog_requirements_immutable BEFORE UPDATE ON catalog_requirements
    FOR EACH ROW EXECUTE FUNCTION catalog_refuse_change();
CREATE TRIGGER catalog_modules_immutable BEFORE UPDATE ON catalog_modules
    FOR EACH ROW EXECUTE FUNCTION catalog_refuse_change();
CREATE TRIGGER catalogs_immutable BEFORE UPDATE ON catalogs
    FOR EACH ROW EXECUTE FUNCTION catalog_refuse_change();
