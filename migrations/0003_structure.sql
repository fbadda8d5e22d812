-- The Informationsverbund: departments with short codes, scopes, target
-- objects, their dependencies, protection needs (own assessment,
-- overrides, and the computed result of the maximum principle) and the
-- modelling (modules assigned to objects).

ALTER TABLE departments ADD COLUMN code text NOT NULL DEFAULT '' CHECK (code ~ '^[A-Za-z0-9._-]{0,32}$');
CREATE UNIQUE INDEX departments_code_idx ON departments (code) WHERE code <> '';
CREATE INDEX departments_parent_idx ON departments (parent_id);

-- The department and every department below it, for limiting what a
-- department head sees to their subtree.
CREATE FUNCTION department_subtree(roots bigint[]) RETURNS TABLE (id bigint)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE sub AS (
        SELECT d.id FROM departments d WHERE d.id = ANY (roots)
        UNION
        SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id)
    SELECT sub.id FROM sub
$$;

CREATE TABLE scopes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (btrim(name) <> ''),
    description text NOT NULL DEFAULT '',
    catalog_id  bigint NOT NULL REFERENCES catalogs (id),
    approach    text NOT NULL CHECK (approach IN ('basic', 'standard', 'core')),
    isb_user_id bigint REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1
);

CREATE TABLE objects (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope_id              bigint NOT NULL REFERENCES scopes (id),
    type                  text NOT NULL CHECK (type IN ('scope', 'process', 'application', 'it_system', 'ics_system',
                                                        'device', 'network', 'link', 'room', 'building')),
    short_id              text NOT NULL CHECK (btrim(short_id) <> ''),
    name                  text NOT NULL CHECK (btrim(name) <> ''),
    description           text NOT NULL DEFAULT '',
    department_id         bigint REFERENCES departments (id),
    responsible           text NOT NULL DEFAULT '',
    location              text NOT NULL DEFAULT '',
    external_id           text CHECK (external_id IS NULL OR btrim(external_id) <> ''),
    tags                  text[] NOT NULL DEFAULT '{}',
    no_suitable_module    boolean NOT NULL DEFAULT false,
    untypical_environment boolean NOT NULL DEFAULT false,
    is_group              boolean NOT NULL DEFAULT false,
    members               integer NOT NULL DEFAULT 1 CHECK (members >= 1 AND (is_group OR members = 1)),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    version               integer NOT NULL DEFAULT 1,
    UNIQUE (scope_id, short_id),
    UNIQUE (scope_id, external_id)
);
-- Each scope is itself one target object, for its scope-wide modules.
CREATE UNIQUE INDEX objects_scope_object_idx ON objects (scope_id) WHERE type = 'scope';
CREATE INDEX objects_scope_name_idx ON objects (scope_id, lower(name), id);
CREATE INDEX objects_scope_type_idx ON objects (scope_id, type, lower(name), id);
CREATE INDEX objects_department_idx ON objects (department_id);

-- "from_id depends on to_id": to_id inherits from_id's protection need.
CREATE TABLE object_dependencies (
    from_id    bigint NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
    to_id      bigint NOT NULL REFERENCES objects (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (from_id, to_id),
    CHECK (from_id <> to_id)
);
CREATE INDEX object_dependencies_to_idx ON object_dependencies (to_id);

-- One row per object and objective (c, i, a).
CREATE TABLE object_needs (
    object_id       bigint NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
    objective       text NOT NULL CHECK (objective IN ('c', 'i', 'a')),
    own             smallint NOT NULL DEFAULT 0 CHECK (own BETWEEN 0 AND 3),
    own_reason      text NOT NULL DEFAULT '',
    override_kind   text NOT NULL DEFAULT '' CHECK (override_kind IN ('', 'cumulation', 'distribution', 'manual')),
    override        smallint NOT NULL DEFAULT 0 CHECK (override BETWEEN 0 AND 3),
    override_reason text NOT NULL DEFAULT '',
    -- Computed by the maximum principle after every change:
    inherited       smallint NOT NULL DEFAULT 0,
    inherited_from  bigint REFERENCES objects (id) ON DELETE SET NULL,
    effective       smallint NOT NULL DEFAULT 0,
    source          text NOT NULL DEFAULT '' CHECK (source IN ('', 'own', 'inherited', 'override', 'cycle')),
    cycle           integer NOT NULL DEFAULT 0,
    PRIMARY KEY (object_id, objective),
    -- An override has a kind, a value and a written justification.
    CHECK ((override_kind = '') = (override = 0)),
    CHECK (override_kind = '' OR btrim(override_reason) <> '')
);
CREATE INDEX object_needs_from_idx ON object_needs (inherited_from);

-- The modelling: modules of the scope's catalog assigned to objects.
CREATE TABLE object_modules (
    object_id  bigint NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
    catalog_id bigint NOT NULL,
    module_id  text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (object_id, module_id),
    FOREIGN KEY (catalog_id, module_id) REFERENCES catalog_modules (catalog_id, id)
);
CREATE INDEX object_modules_module_idx ON object_modules (catalog_id, module_id);

-- Uploaded import files waiting between dry run and apply.
CREATE TABLE import_files (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope_id   bigint NOT NULL REFERENCES scopes (id),
    user_id    bigint NOT NULL REFERENCES users (id),
    name       text NOT NULL,
    format     text NOT NULL CHECK (format IN ('csv', 'xlsx', 'json')),
    sha256     text NOT NULL,
    content    bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
