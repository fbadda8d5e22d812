-- The IT-Grundschutz-Check (A.4), the risk analysis (A.5, BSI-Standard
-- 200-3) and the implementation plan (A.6).

-- Members of a group object take the group's modules and check results,
-- unless a member's entry is set on its own.
ALTER TABLE objects ADD COLUMN group_id bigint REFERENCES objects (id);
ALTER TABLE objects ADD CONSTRAINT objects_group_not_self CHECK (group_id IS DISTINCT FROM id);
CREATE INDEX objects_group_idx ON objects (group_id) WHERE group_id IS NOT NULL;
-- Lets check entries reference their object and its scope in one key: one
-- foreign-key check per entry instead of two keeps deriving a million
-- entries fast.
ALTER TABLE objects ADD CONSTRAINT objects_id_scope_key UNIQUE (id, scope_id);

-- One entry per target object and requirement in scope. Entries that leave
-- the scope are retired, never deleted, so their history stays.
CREATE TABLE check_entries (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope_id       bigint NOT NULL,
    object_id      bigint NOT NULL,
    catalog_id     bigint NOT NULL,
    requirement_id text NOT NULL,
    module_id      text NOT NULL,
    level          text NOT NULL CHECK (level IN ('basis', 'standard', 'elevated')),
    active         boolean NOT NULL DEFAULT true,
    retired_at     timestamptz,
    follows_group  boolean NOT NULL DEFAULT false, -- a member's entry that takes its group's values
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'yes', 'partial', 'no', 'not_applicable')),
    justification  text NOT NULL DEFAULT '',
    implementation text NOT NULL DEFAULT '',
    responsible    text NOT NULL DEFAULT '',
    implemented_on date,
    target_date    date,
    last_review    date,
    next_review    date,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     text NOT NULL DEFAULT '',
    version        integer NOT NULL DEFAULT 1,
    UNIQUE (object_id, requirement_id),
    FOREIGN KEY (object_id, scope_id) REFERENCES objects (id, scope_id) ON DELETE CASCADE,
    FOREIGN KEY (catalog_id, requirement_id) REFERENCES catalog_requirements (catalog_id, id),
    -- Entbehrlich, teilweise and nein need a justification.
    CHECK (status NOT IN ('not_applicable', 'partial', 'no') OR btrim(justification) <> ''),
    CHECK (active = (retired_at IS NULL))
);
-- Filtered pages go by id (the cursor), so the filter indexes end in id;
-- entries of one object come from the unique key.
CREATE INDEX check_entries_status_idx ON check_entries (scope_id, active, status, id);
CREATE INDEX check_entries_module_idx ON check_entries (scope_id, module_id, id);
CREATE INDEX check_entries_review_idx ON check_entries (scope_id, next_review) WHERE active;
-- The responsible filter matches any part of the name; trigrams answer
-- that without reading every entry.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX check_entries_responsible_idx ON check_entries USING gin (responsible gin_trgm_ops) WHERE responsible <> '';

-- The implementation plan: a measure for every partial or unfulfilled entry.
CREATE TABLE plan_items (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id    bigint NOT NULL UNIQUE REFERENCES check_entries (id) ON DELETE CASCADE,
    measure     text NOT NULL DEFAULT '',
    owner       text NOT NULL DEFAULT '',
    due_date    date,
    budget_eur  numeric(12, 2) CHECK (budget_eur >= 0),
    priority    smallint NOT NULL DEFAULT 2 CHECK (priority BETWEEN 1 AND 3),
    state       text NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'in_progress', 'done')),
    closed_at   timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1,
    CHECK ((state = 'done') = (closed_at IS NOT NULL))
);
CREATE INDEX plan_items_due_idx ON plan_items (due_date) WHERE state <> 'done';

-- The risk matrix of a scope: frequency × impact → category. Absent rows
-- fall back to the default matrix of BSI-Standard 200-3.
CREATE TABLE risk_matrix (
    scope_id  bigint NOT NULL REFERENCES scopes (id),
    frequency smallint NOT NULL CHECK (frequency BETWEEN 1 AND 4), -- selten, mittel, häufig, sehr häufig
    impact    smallint NOT NULL CHECK (impact BETWEEN 1 AND 4),    -- vernachlässigbar, begrenzt, beträchtlich, existenzbedrohend
    category  smallint NOT NULL CHECK (category BETWEEN 1 AND 4),  -- gering, mittel, hoch, sehr hoch
    PRIMARY KEY (scope_id, frequency, impact)
);

-- A risk analysis of one target object.
CREATE TABLE risk_analyses (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    object_id  bigint NOT NULL UNIQUE REFERENCES objects (id) ON DELETE CASCADE,
    scope_id   bigint NOT NULL REFERENCES scopes (id),
    summary    text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version    integer NOT NULL DEFAULT 1
);

-- One elementary threat (or an own one) of an analysis, assessed and treated.
CREATE TABLE risk_items (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    analysis_id        bigint NOT NULL REFERENCES risk_analyses (id) ON DELETE CASCADE,
    catalog_id         bigint,
    threat_id          text,              -- an elementary threat of the catalog, or NULL for an own threat
    title              text NOT NULL CHECK (btrim(title) <> ''),
    description        text NOT NULL DEFAULT '',
    frequency          smallint CHECK (frequency BETWEEN 1 AND 4),
    impact             smallint CHECK (impact BETWEEN 1 AND 4),
    treatment          text CHECK (treatment IN ('reduce', 'avoid', 'transfer', 'accept')),
    measures           text NOT NULL DEFAULT '', -- own measures beyond the catalog
    residual_frequency smallint CHECK (residual_frequency BETWEEN 1 AND 4),
    residual_impact    smallint CHECK (residual_impact BETWEEN 1 AND 4),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    version            integer NOT NULL DEFAULT 1,
    UNIQUE (analysis_id, threat_id),
    FOREIGN KEY (catalog_id, threat_id) REFERENCES catalog_threats (catalog_id, id)
);

-- Requirements (e.g. H requirements) chosen to reduce a risk; under the
-- standard approach they bring the requirement into the object's check.
CREATE TABLE risk_item_requirements (
    item_id        bigint NOT NULL REFERENCES risk_items (id) ON DELETE CASCADE,
    catalog_id     bigint NOT NULL,
    requirement_id text NOT NULL,
    PRIMARY KEY (item_id, requirement_id),
    FOREIGN KEY (catalog_id, requirement_id) REFERENCES catalog_requirements (catalog_id, id)
);

-- Management's acceptance of an analysis's residual risks (and of
-- unfulfilled Standard requirements it names). The snapshot holds exactly
-- what was accepted; a later change to it voids the acceptance.
CREATE TABLE risk_acceptances (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    analysis_id   bigint NOT NULL REFERENCES risk_analyses (id) ON DELETE CASCADE,
    accepted_by   text NOT NULL CHECK (btrim(accepted_by) <> ''),
    accepted_on   date NOT NULL,
    user_id       bigint REFERENCES users (id),
    snapshot      json NOT NULL,
    snapshot_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    voided_at     timestamptz,
    voided_reason text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX risk_acceptances_valid_idx ON risk_acceptances (analysis_id) WHERE voided_at IS NULL;

-- Unfulfilled Standard requirements covered by an acceptance.
CREATE TABLE risk_acceptance_entries (
    acceptance_id bigint NOT NULL REFERENCES risk_acceptances (id) ON DELETE CASCADE,
    entry_id      bigint NOT NULL REFERENCES check_entries (id) ON DELETE CASCADE,
    PRIMARY KEY (acceptance_id, entry_id)
);
