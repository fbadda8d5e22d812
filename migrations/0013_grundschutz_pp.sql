-- Grundschutz++ scopes (the BSI's Methodik): the requirement package of a
-- scope, MUSS/SOLLTE/KANN, parameters with values per scope, security
-- levels raised by the ISB, exceptions authorised by management, and the
-- implementation layer's component definitions.

-- A catalog whose statements carry a modal verb is applied with the
-- Grundschutz++ method; every other one with BSI-Standard 200-2.
ALTER TABLE catalogs ADD COLUMN method text NOT NULL DEFAULT 'grundschutz'
    CHECK (method IN ('grundschutz', 'grundschutz_pp'));
ALTER TABLE catalog_requirements ADD COLUMN obligation text CHECK (obligation IN ('muss', 'sollte', 'kann'));

-- The parameters a requirement's statement inserts, with the BSI's label
-- as the prompt and a value the catalog itself may preset.
CREATE TABLE catalog_requirement_params (
    catalog_id     bigint NOT NULL,
    requirement_id text NOT NULL,
    param_id       text NOT NULL,
    label          text NOT NULL,
    preset         text NOT NULL DEFAULT '',
    ord            integer NOT NULL,
    PRIMARY KEY (catalog_id, requirement_id, param_id),
    FOREIGN KEY (catalog_id, requirement_id) REFERENCES catalog_requirements (catalog_id, id)
);
CREATE INDEX catalog_requirement_params_param_idx ON catalog_requirement_params (catalog_id, param_id);

-- Entries carry their requirement's obligation, as they carry its level,
-- so that the readiness predicates read one row per entry.
ALTER TABLE check_entries ADD COLUMN obligation text CHECK (obligation IN ('muss', 'sollte', 'kann'));

-- A scope's values of its package's parameters (Methodik STM.5.1).
CREATE TABLE scope_params (
    scope_id   bigint NOT NULL REFERENCES scopes (id),
    param_id   text NOT NULL,
    value      text NOT NULL CHECK (btrim(value) <> '' AND char_length(value) <= 2000),
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    version    integer NOT NULL DEFAULT 1,
    PRIMARY KEY (scope_id, param_id)
);

-- Requirements of security level "erhöht" that the ISB brings into the
-- package although no protection need asks for them (Methodik STM.3.1),
-- each with its reason.
CREATE TABLE scope_level_raises (
    scope_id       bigint NOT NULL REFERENCES scopes (id),
    catalog_id     bigint NOT NULL,
    requirement_id text NOT NULL,
    reason         text NOT NULL CHECK (btrim(reason) <> ''),
    raised_by      text NOT NULL,
    raised_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope_id, requirement_id),
    FOREIGN KEY (catalog_id, requirement_id) REFERENCES catalog_requirements (catalog_id, id)
);

-- Exceptions (Ausnahmen, Methodik UMS.5): management authorises that a
-- requirement is not met, with a justification and an end date. An entry
-- has at most one exception that is not revoked.
CREATE TABLE check_exceptions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope_id         bigint NOT NULL REFERENCES scopes (id),
    entry_id         bigint NOT NULL REFERENCES check_entries (id) ON DELETE CASCADE,
    justification    text NOT NULL CHECK (btrim(justification) <> ''),
    valid_until      date NOT NULL,
    authorised_by_id bigint NOT NULL REFERENCES users (id),
    authorised_by    text NOT NULL,
    authorised_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at       timestamptz,
    revoked_by       text NOT NULL DEFAULT '',
    version          integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX check_exceptions_entry_idx ON check_exceptions (entry_id) WHERE revoked_at IS NULL;
CREATE INDEX check_exceptions_scope_idx ON check_exceptions (scope_id, valid_until) WHERE revoked_at IS NULL;

-- The guideline of a Grundschutz++ scope names the catalog or profile it is
-- measured against instead of an approach.
ALTER TABLE guidelines ADD COLUMN catalog_id bigint REFERENCES catalogs (id);

-- Which requirements of the package a scope has entries for (the
-- parameters' gate asks this per requirement).
CREATE INDEX check_entries_requirement_idx ON check_entries (scope_id, requirement_id) WHERE active;

-- Catalogs imported before keep their statements' props: their modal
-- verbs, and so their method and their entries' obligations, are read from
-- there. (Their parameters were stored as text only and stay so.)
-- Catalogs never change otherwise, so their guard is lifted for this one
-- step only.
ALTER TABLE catalog_requirements DISABLE TRIGGER catalog_requirements_immutable;
ALTER TABLE catalogs DISABLE TRIGGER catalogs_immutable;
UPDATE catalog_requirements r SET obligation = (
    SELECT lower(p ->> 'value') FROM jsonb_array_elements(r.props) AS p
    WHERE p ->> 'name' = 'modal_verb' AND lower(p ->> 'value') IN ('muss', 'sollte', 'kann') LIMIT 1)
WHERE r.props @> '[{"name": "modal_verb"}]';
UPDATE catalogs SET method = 'grundschutz_pp'
WHERE id IN (SELECT DISTINCT catalog_id FROM catalog_requirements WHERE obligation IS NOT NULL);
ALTER TABLE catalogs ENABLE TRIGGER catalogs_immutable;
ALTER TABLE catalog_requirements ENABLE TRIGGER catalog_requirements_immutable;
UPDATE check_entries e SET obligation = r.obligation
FROM catalog_requirements r
WHERE r.catalog_id = e.catalog_id AND r.id = e.requirement_id AND r.obligation IS NOT NULL;
