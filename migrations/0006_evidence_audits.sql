-- Evidence (Nachweise) with versions, content in chunks, links, review and
-- its thread; audits with their sample, findings and corrective actions.

-- An evidence item belongs to a scope and, for department-limited readers,
-- to a department. It is a file or a reference without one (a document
-- number, a URL); each upload or new reference is a version.
CREATE TABLE evidence (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope_id      bigint NOT NULL REFERENCES scopes (id),
    department_id bigint REFERENCES departments (id),
    title         text NOT NULL CHECK (btrim(title) <> ''),
    description   text NOT NULL DEFAULT '',
    tags          text[] NOT NULL DEFAULT '{}',
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 1
);
CREATE INDEX evidence_scope_idx ON evidence (scope_id, id);
CREATE INDEX evidence_department_idx ON evidence (department_id);

CREATE TABLE evidence_versions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    evidence_id    bigint NOT NULL REFERENCES evidence (id),
    number         integer NOT NULL CHECK (number > 0),
    effective_on   date NOT NULL,             -- Stichtag: the day the evidence speaks of
    valid_until    date CHECK (valid_until >= effective_on),
    reference      text NOT NULL DEFAULT '',  -- document number or URL, for a version without a file
    file_name      text NOT NULL DEFAULT '',
    content_type   text NOT NULL DEFAULT '',
    size           bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
    sha256         text NOT NULL DEFAULT '' CHECK (sha256 = '' OR sha256 ~ '^[0-9a-f]{64}$'),
    chunks         integer NOT NULL DEFAULT 0 CHECK (chunks >= 0),
    note           text NOT NULL DEFAULT '',
    uploaded_by_id bigint REFERENCES users (id),
    uploaded_by    text NOT NULL,
    uploaded_at    timestamptz NOT NULL DEFAULT now(),
    state          text NOT NULL DEFAULT 'submitted' CHECK (state IN ('submitted', 'accepted', 'rejected', 'needs_info')),
    reviewed_by    text NOT NULL DEFAULT '',
    reviewed_at    timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (evidence_id, number),
    -- A file or a reference, never neither.
    CHECK (sha256 <> '' OR btrim(reference) <> '')
);
-- The review queue: submitted versions, oldest first.
CREATE INDEX evidence_versions_state_idx ON evidence_versions (state, uploaded_at, id);

-- The newest version of each item, kept on the item: lists and the review
-- queue join it directly instead of looking for the highest number.
ALTER TABLE evidence ADD COLUMN current_version_id bigint UNIQUE REFERENCES evidence_versions (id);
CREATE INDEX evidence_versions_valid_idx ON evidence_versions (valid_until) WHERE valid_until IS NOT NULL;

-- The content in chunks of at most a few MiB, each with its own SHA-256 so
-- a download checks every chunk before it is sent. Chunks are stored
-- uncompressed: evidence is mostly PDF or images, compressing again costs
-- time and gains nothing.
CREATE TABLE evidence_chunks (
    version_id bigint NOT NULL REFERENCES evidence_versions (id) ON DELETE CASCADE,
    seq        integer NOT NULL CHECK (seq >= 0),
    sha256     bytea NOT NULL CHECK (length(sha256) = 32),
    data       bytea NOT NULL,
    PRIMARY KEY (version_id, seq)
);
ALTER TABLE evidence_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- An accepted version is immutable: its row may not change and its chunks
-- may not be changed or removed. A change is a new version.
CREATE FUNCTION evidence_accepted_is_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'evidence_versions' THEN
        IF OLD.state = 'accepted' THEN
            RAISE EXCEPTION 'evidence version % is accepted and cannot change', OLD.id USING ERRCODE = 'check_violation';
        END IF;
    ELSIF EXISTS (SELECT 1 FROM evidence_versions v WHERE v.id = OLD.version_id AND v.state = 'accepted') THEN
        RAISE EXCEPTION 'evidence version % is accepted and cannot change', OLD.version_id USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER evidence_versions_immutable BEFORE UPDATE OR DELETE ON evidence_versions
    FOR EACH ROW EXECUTE FUNCTION evidence_accepted_is_immutable();
CREATE TRIGGER evidence_chunks_immutable BEFORE UPDATE OR DELETE ON evidence_chunks
    FOR EACH ROW EXECUTE FUNCTION evidence_accepted_is_immutable();

-- What an evidence item proves: check entries, risk analyses, measures of
-- the implementation plan, findings.
CREATE TABLE evidence_links (
    evidence_id bigint NOT NULL REFERENCES evidence (id),
    target_type text NOT NULL CHECK (target_type IN ('check_entry', 'risk_analysis', 'plan_item', 'finding')),
    target_id   bigint NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (evidence_id, target_type, target_id)
);
CREATE INDEX evidence_links_target_idx ON evidence_links (target_type, target_id, evidence_id);

-- The thread of an evidence item: review decisions and answers.
CREATE TABLE evidence_comments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    evidence_id  bigint NOT NULL REFERENCES evidence (id),
    version_id   bigint REFERENCES evidence_versions (id),
    author_id    bigint REFERENCES users (id),
    author       text NOT NULL,
    decision     text CHECK (decision IN ('accepted', 'rejected', 'needs_info')), -- NULL: a comment
    body         text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- Rejecting, asking for more and commenting need words; accepting may go without.
    CHECK (decision = 'accepted' OR btrim(body) <> '')
);
CREATE INDEX evidence_comments_evidence_idx ON evidence_comments (evidence_id, id);

-- Audits of a scope: certification and surveillance audits and internal
-- ones, with their auditors, period and sample.
CREATE TABLE audits (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope_id    bigint NOT NULL REFERENCES scopes (id),
    kind        text NOT NULL CHECK (kind IN ('initial', 'surveillance_1', 'surveillance_2', 'recertification', 'internal')),
    title       text NOT NULL CHECK (btrim(title) <> ''),
    auditors    text[] NOT NULL DEFAULT '{}',
    starts_on   date NOT NULL,
    ends_on     date NOT NULL CHECK (ends_on >= starts_on),
    scope_note  text NOT NULL DEFAULT '', -- what the audit covers
    state       text NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'in_progress', 'completed')),
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1
);
CREATE INDEX audits_scope_idx ON audits (scope_id, starts_on DESC);

-- The audit sample: modules, target objects and requirements (check
-- entries), each picked by hand or drawn at random with the seed recorded.
CREATE TABLE audit_samples (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    audit_id    bigint NOT NULL REFERENCES audits (id),
    item_type   text NOT NULL CHECK (item_type IN ('module', 'object', 'requirement')),
    catalog_id  bigint,
    module_id   text,
    object_id   bigint REFERENCES objects (id),
    entry_id    bigint REFERENCES check_entries (id),
    drawn_seed  bigint,                      -- NULL: picked by hand
    result      text NOT NULL DEFAULT 'open' CHECK (result IN ('open', 'conforming', 'nonconforming', 'not_assessable')),
    note        text NOT NULL DEFAULT '',
    updated_by  text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1,
    CHECK (item_type = 'module' AND module_id IS NOT NULL AND catalog_id IS NOT NULL AND object_id IS NULL AND entry_id IS NULL
        OR item_type = 'object' AND object_id IS NOT NULL AND module_id IS NULL AND entry_id IS NULL
        OR item_type = 'requirement' AND entry_id IS NOT NULL AND module_id IS NULL AND object_id IS NULL)
);
CREATE UNIQUE INDEX audit_samples_module_idx ON audit_samples (audit_id, module_id) WHERE item_type = 'module';
CREATE UNIQUE INDEX audit_samples_object_idx ON audit_samples (audit_id, object_id) WHERE item_type = 'object';
CREATE UNIQUE INDEX audit_samples_entry_idx ON audit_samples (audit_id, entry_id) WHERE item_type = 'requirement';

-- Findings (Feststellungen) of an audit and the corrective actions that
-- answer them; the auditor verifies and closes.
CREATE TABLE findings (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    audit_id     bigint NOT NULL REFERENCES audits (id),
    class        text NOT NULL CHECK (class IN ('recommendation', 'minor', 'major')),
    title        text NOT NULL CHECK (btrim(title) <> ''),
    description  text NOT NULL DEFAULT '',
    due_date     date,
    state        text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'action_submitted', 'closed')),
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    closed_by    text NOT NULL DEFAULT '',
    closed_at    timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      integer NOT NULL DEFAULT 1,
    CHECK ((state = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX findings_audit_idx ON findings (audit_id, id);
CREATE INDEX findings_open_idx ON findings (state, due_date) WHERE state <> 'closed';

-- What a finding concerns: sample items, check entries, target objects.
CREATE TABLE finding_links (
    finding_id  bigint NOT NULL REFERENCES findings (id),
    target_type text NOT NULL CHECK (target_type IN ('sample', 'check_entry', 'object')),
    target_id   bigint NOT NULL,
    PRIMARY KEY (finding_id, target_type, target_id)
);

CREATE TABLE corrective_actions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    finding_id   bigint NOT NULL REFERENCES findings (id),
    description  text NOT NULL CHECK (btrim(description) <> ''),
    submitted_by text NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    verdict      text NOT NULL DEFAULT 'pending' CHECK (verdict IN ('pending', 'accepted', 'rejected')),
    verified_by  text NOT NULL DEFAULT '',
    verified_at  timestamptz,
    comment      text NOT NULL DEFAULT '',
    CHECK (verdict = 'pending' OR verified_at IS NOT NULL),
    CHECK (verdict <> 'rejected' OR btrim(comment) <> '')
);
CREATE INDEX corrective_actions_finding_idx ON corrective_actions (finding_id, id);
