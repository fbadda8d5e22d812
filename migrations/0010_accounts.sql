-- Approvals bound to the person, step-up re-authentication and read-only
-- API tokens.

-- When the session's owner last confirmed their password again (step-up
-- before an approval); NULL: never since the login.
ALTER TABLE sessions ADD COLUMN reauthenticated_at timestamptz;

-- A read-only token passes safe methods (GET, HEAD) only.
ALTER TABLE api_tokens ADD COLUMN read_only boolean NOT NULL DEFAULT false;

-- The account that approved a guideline version; approved_by keeps the
-- snapshot of its name. Versions approved before this migration have none.
ALTER TABLE guidelines ADD COLUMN approved_by_id bigint REFERENCES users (id);

-- The latest calendar day anywhere on earth (UTC+14): no approval or
-- acceptance may be dated later, whatever the organisation's time zone.
CREATE FUNCTION latest_day_on_earth() RETURNS date LANGUAGE sql STABLE AS $$
    SELECT (now() AT TIME ZONE 'Etc/GMT-14')::date
$$;

-- No guideline version is approved on a day in the future, and the
-- approval of a draft (the application's way into force) names the
-- approving account. Versions approved before this migration have no
-- account and can still be superseded.
CREATE FUNCTION guideline_approval_signed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state = 'approved' AND (TG_OP = 'INSERT' OR OLD.state = 'draft') THEN
        IF NEW.approved_on > latest_day_on_earth() THEN
            RAISE EXCEPTION 'guideline % is approved on % which lies in the future', NEW.id, NEW.approved_on USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.approved_by_id IS NULL THEN
            RAISE EXCEPTION 'guideline % is approved without the approving account', NEW.id USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER guidelines_approval_signed BEFORE INSERT OR UPDATE ON guidelines
    FOR EACH ROW EXECUTE FUNCTION guideline_approval_signed();

-- Likewise no risk acceptance is dated in the future. (The store always
-- names the accepting account; acceptances from before this migration
-- may have none.)
CREATE FUNCTION risk_acceptance_not_future() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.accepted_on > latest_day_on_earth() THEN
        RAISE EXCEPTION 'risk acceptance dated % which lies in the future', NEW.accepted_on USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER risk_acceptances_not_future BEFORE INSERT OR UPDATE OF accepted_on ON risk_acceptances
    FOR EACH ROW EXECUTE FUNCTION risk_acceptance_not_future();

-- An attempt is recorded as a failure before its password is checked, and
-- stamped again when the check has failed: the id finds it. Lockouts are
-- listed per account and client.
ALTER TABLE login_failures ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
CREATE INDEX login_failures_pair_idx ON login_failures (username, client_addr, at);

-- A browser in which an account has logged in carries a device cookie
-- whose secret's hash is kept here. Failed logins of that account from
-- that browser are counted for the device alone, not for the client
-- address: whoever guesses from the same address (an office behind one
-- NAT, say) cannot hold the owner back, and the guesser, who has no such
-- cookie, cannot tell accounts apart by it.
CREATE TABLE login_devices (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_hash  bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_devices_user_idx ON login_devices (user_id);
