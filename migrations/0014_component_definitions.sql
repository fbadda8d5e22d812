-- Component definitions of the Grundschutz++ implementation layer: how a
-- product or a rule of the institution (a component) implements controls.
-- The controls are named as in the file; which catalog requirement a
-- reference means is found on read by the requirement's alt-identifier
-- (or id), so that a catalog imported later resolves what was open.

CREATE TABLE component_definitions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The short name the pages show, "Keycloak" in "Keycloak · Realm".
    name          text NOT NULL CHECK (btrim(name) <> ''),
    title         text NOT NULL CHECK (btrim(title) <> ''),
    version       text NOT NULL DEFAULT '',
    uuid          text NOT NULL DEFAULT '',
    source_name   text NOT NULL,
    source_sha256 text NOT NULL UNIQUE CHECK (source_sha256 ~ '^[0-9a-f]{64}$'),
    imported_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE components (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    definition_id bigint NOT NULL REFERENCES component_definitions (id),
    ord           integer NOT NULL,
    uuid          text NOT NULL DEFAULT '',
    title         text NOT NULL CHECK (btrim(title) <> ''),
    type          text NOT NULL DEFAULT '',
    description   text NOT NULL DEFAULT '',
    UNIQUE (definition_id, ord)
);

-- control_ref as written; alt_id is its UUID when it reads "_<UUID>",
-- control_id the plain id otherwise (exactly one of them is set).
CREATE TABLE component_requirements (
    component_id bigint NOT NULL REFERENCES components (id),
    ord          integer NOT NULL,
    control_ref  text NOT NULL CHECK (btrim(control_ref) <> ''),
    alt_id       text NOT NULL DEFAULT '',
    control_id   text NOT NULL DEFAULT '',
    description  text NOT NULL DEFAULT '',
    source       text NOT NULL DEFAULT '',
    PRIMARY KEY (component_id, ord),
    CHECK ((alt_id = '') <> (control_id = ''))
);
CREATE INDEX component_requirements_alt_idx ON component_requirements (alt_id) WHERE alt_id <> '';
CREATE INDEX component_requirements_control_idx ON component_requirements (control_id) WHERE control_id <> '';

-- Resolving by alt-identifier reads catalog requirements by it.
CREATE INDEX catalog_requirements_alt_idx ON catalog_requirements (alt_id) WHERE alt_id <> '';

-- Components assigned to target objects.
CREATE TABLE object_components (
    object_id    bigint NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
    component_id bigint NOT NULL REFERENCES components (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (object_id, component_id)
);
CREATE INDEX object_components_component_idx ON object_components (component_id);
