-- Daily snapshots of the readiness figures, for the trend and the
-- forecast on the dashboards. One row per scope and day for the whole
-- scope (department_id NULL) and one per department whose subtree holds
-- objects of the scope, each with the figures a reader limited to that
-- subtree would be shown. The server takes them itself; the unique key
-- makes a second instance, or a restart on the same day, write nothing.
CREATE TABLE readiness_snapshots (
    scope_id          bigint NOT NULL REFERENCES scopes (id) ON DELETE CASCADE,
    department_id     bigint REFERENCES departments (id) ON DELETE CASCADE,
    day               date NOT NULL,
    taken_at          timestamptz NOT NULL DEFAULT now(),
    objects           integer NOT NULL,
    -- Check entries by level: all active ones, and those done (yes or
    -- not applicable).
    basis_total       integer NOT NULL,
    basis_done        integer NOT NULL,
    standard_total    integer NOT NULL,
    standard_done     integer NOT NULL,
    elevated_total    integer NOT NULL,
    elevated_done     integer NOT NULL,
    -- Blocking items per gate. G1, G10 and the scope-wide parts of G4
    -- (missing scope modules) and of G9 (findings about no object) are the
    -- scope's, stored apart so that the figures of several disjoint
    -- subtrees add up without counting them twice.
    g1                integer NOT NULL,
    g2                integer NOT NULL,
    g3                integer NOT NULL,
    g4                integer NOT NULL,
    g4_scope          integer NOT NULL,
    g5                integer NOT NULL,
    g6                integer NOT NULL,
    g7                integer NOT NULL,
    g8                integer NOT NULL,
    g9                integer NOT NULL,
    g9_scope          integer NOT NULL,
    g10               integer NOT NULL,
    ready             boolean NOT NULL,
    -- Evidence coverage: fulfilled entries, those with valid evidence,
    -- rejected evidence nobody answered, and the guideline's target.
    evidence_yes      integer NOT NULL,
    evidence_covered  integer NOT NULL,
    evidence_rejected integer NOT NULL,
    evidence_target   integer NOT NULL,
    overdue_measures  integer NOT NULL,
    open_findings     integer NOT NULL,
    open_findings_scope integer NOT NULL,
    CONSTRAINT readiness_snapshots_key UNIQUE NULLS NOT DISTINCT (scope_id, department_id, day)
);
CREATE INDEX readiness_snapshots_department_idx ON readiness_snapshots (department_id) WHERE department_id IS NOT NULL;
