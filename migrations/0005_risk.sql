-- The risk analysis (A.5): a version for each scope's risk matrix, so
-- that a change to it can be made against the state its writer saw, and
-- the indexes the analysis pages and the voiding of acceptances use.

-- A scope without a row here uses the default matrix of BSI-Standard
-- 200-3 at version 1.
CREATE TABLE risk_matrix_versions (
    scope_id   bigint PRIMARY KEY REFERENCES scopes (id),
    version    integer NOT NULL CHECK (version > 1),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL DEFAULT ''
);

CREATE INDEX risk_analyses_scope_idx ON risk_analyses (scope_id);
CREATE INDEX risk_items_analysis_idx ON risk_items (analysis_id);
CREATE INDEX risk_item_requirements_requirement_idx ON risk_item_requirements (requirement_id, item_id);
CREATE INDEX risk_acceptances_analysis_idx ON risk_acceptances (analysis_id, created_at DESC);
-- A change to a check entry looks up the acceptances that cover it.
CREATE INDEX risk_acceptance_entries_entry_idx ON risk_acceptance_entries (entry_id);
