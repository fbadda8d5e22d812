-- Foundation: organisation tree, accounts, role grants, sessions, API
-- tokens, login throttling and the hash-chained audit trail.

CREATE TABLE departments (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id  bigint REFERENCES departments (id),
    name       text NOT NULL CHECK (btrim(name) <> ''),
    created_at timestamptz NOT NULL DEFAULT now(),
    version    integer NOT NULL DEFAULT 1,
    CHECK (parent_id IS DISTINCT FROM id),
    UNIQUE NULLS NOT DISTINCT (parent_id, name)
);

CREATE TABLE users (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username             text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
    display_name         text NOT NULL DEFAULT '',
    email                text NOT NULL DEFAULT '',
    password_hash        text NOT NULL,
    disabled             boolean NOT NULL DEFAULT false,
    must_change_password boolean NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT now(),
    password_changed_at  timestamptz NOT NULL DEFAULT now(),
    version              integer NOT NULL DEFAULT 1
);

CREATE TABLE role_grants (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id),
    role          text NOT NULL CHECK (role IN ('admin', 'isb', 'auditor', 'department_head', 'management')),
    department_id bigint REFERENCES departments (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- Which roles may be limited to a department subtree (see domain.Role.Scope).
    CHECK (CASE role
        WHEN 'department_head' THEN department_id IS NOT NULL
        WHEN 'isb' THEN true
        WHEN 'auditor' THEN true
        ELSE department_id IS NULL END),
    UNIQUE NULLS NOT DISTINCT (user_id, role, department_id)
);

CREATE TABLE sessions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash   bytea NOT NULL UNIQUE,
    user_id      bigint NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    client_addr  text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT '',
    revoked_at   timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id),
    name         text NOT NULL CHECK (btrim(name) <> ''),
    prefix       text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE UNIQUE INDEX api_tokens_active_name_idx ON api_tokens (user_id, name) WHERE revoked_at IS NULL;

-- Failed logins, kept for the throttling window only.
CREATE TABLE login_failures (
    at          timestamptz NOT NULL DEFAULT now(),
    username    text NOT NULL,
    client_addr text NOT NULL
);
CREATE INDEX login_failures_username_idx ON login_failures (username, at);
CREATE INDEX login_failures_client_idx ON login_failures (client_addr, at);

-- The audit trail. Before/after are json (not jsonb) so that the stored
-- text is exactly the text that was hashed.
CREATE TABLE audit_log (
    seq           bigint PRIMARY KEY,
    at            timestamptz NOT NULL,
    actor_id      bigint,
    actor_name    text NOT NULL,
    action        text NOT NULL,
    resource_type text NOT NULL,
    resource_id   text NOT NULL,
    before        json,
    after         json,
    request_id    text NOT NULL,
    client_addr   text NOT NULL,
    prev_hash     bytea NOT NULL,
    hash          bytea NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, seq);
CREATE INDEX audit_log_resource_idx ON audit_log (resource_type, resource_id, seq);

-- Besides the privileges revoked from the server's role, a trigger refuses
-- changes to recorded history from anyone short of disabling it.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
