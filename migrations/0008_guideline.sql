-- The guideline (Leitlinie zur Informationssicherheit) a scope is measured
-- against, the policies in force (reference document A.0) and the
-- certificate the scope holds.

-- Versions (Fassungen) of a scope's guideline. The ISB edits a draft;
-- management approves it, which puts it in force and supersedes the
-- version in force before.
CREATE TABLE guidelines (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope_id          bigint NOT NULL REFERENCES scopes (id),
    number            integer NOT NULL CHECK (number > 0),
    title             text NOT NULL CHECK (btrim(title) <> ''),
    scope_statement   text NOT NULL DEFAULT '',
    approach          text NOT NULL CHECK (approach IN ('basic', 'standard', 'core')),
    basis_by          date,
    standard_by       date,
    elevated_by       date,
    review_months     integer NOT NULL CHECK (review_months BETWEEN 1 AND 60),
    evidence_coverage integer NOT NULL CHECK (evidence_coverage BETWEEN 0 AND 100),
    required_modules  text[] NOT NULL DEFAULT '{ISMS.1}',
    roles             jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(roles) = 'array'),
    state             text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'approved', 'superseded')),
    approved_by       text NOT NULL DEFAULT '',
    approved_on       date,
    approved_hash     text NOT NULL DEFAULT '',
    created_by        text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    version           integer NOT NULL DEFAULT 1,
    UNIQUE (scope_id, number),
    -- A version in force or superseded names who approved what, and when.
    CHECK (state = 'draft' OR (btrim(approved_by) <> '' AND approved_on IS NOT NULL AND approved_hash ~ '^[0-9a-f]{64}$'))
);
CREATE UNIQUE INDEX guidelines_one_draft_idx ON guidelines (scope_id) WHERE state = 'draft';
CREATE UNIQUE INDEX guidelines_one_in_force_idx ON guidelines (scope_id) WHERE state = 'approved';

-- What management approved stays as approved: an approved or superseded
-- version may not change or go, except that the version in force becomes
-- superseded when the next one is approved.
CREATE FUNCTION guideline_approved_is_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state = 'draft' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.state = 'approved' AND NEW.state = 'superseded'
       AND to_jsonb(NEW) - 'state' = to_jsonb(OLD) - 'state' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'guideline % is % and cannot change', OLD.id, OLD.state USING ERRCODE = 'check_violation';
END
$$;
CREATE TRIGGER guidelines_immutable BEFORE UPDATE OR DELETE ON guidelines
    FOR EACH ROW EXECUTE FUNCTION guideline_approved_is_immutable();

-- A.0 Richtlinien: the policies in force, each uploaded as an evidence
-- item of the scope, with the version label, who approved it and when,
-- and its review cycle; a withdrawn policy stays for the record.
CREATE TABLE policies (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope_id      bigint NOT NULL REFERENCES scopes (id),
    title         text NOT NULL CHECK (btrim(title) <> ''),
    evidence_id   bigint NOT NULL REFERENCES evidence (id),
    version_label text NOT NULL DEFAULT '',
    approved_by   text NOT NULL CHECK (btrim(approved_by) <> ''),
    approved_on   date NOT NULL,
    review_months integer NOT NULL CHECK (review_months BETWEEN 1 AND 60),
    state         text NOT NULL DEFAULT 'in_force' CHECK (state IN ('in_force', 'withdrawn')),
    withdrawn_by  text NOT NULL DEFAULT '',
    withdrawn_at  timestamptz,
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 1,
    CHECK ((state = 'withdrawn') = (withdrawn_at IS NOT NULL))
);
CREATE INDEX policies_scope_idx ON policies (scope_id, state, title);
CREATE INDEX policies_evidence_idx ON policies (evidence_id);

-- The ISO 27001 certificate on the basis of IT-Grundschutz: three years
-- unless entered otherwise (the store fills valid_until).
CREATE TABLE certificates (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope_id    bigint NOT NULL REFERENCES scopes (id),
    number      text NOT NULL CHECK (btrim(number) <> ''),
    issued_on   date NOT NULL,
    valid_until date NOT NULL CHECK (valid_until > issued_on),
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1,
    UNIQUE (scope_id, number)
);
CREATE INDEX certificates_scope_idx ON certificates (scope_id, issued_on DESC, id DESC);
