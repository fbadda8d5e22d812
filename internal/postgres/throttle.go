package postgres

import (
	"context"
	"fmt"
	"time"

	"ismsd/internal/domain"
)

// Failed logins (and failed password confirmations) are kept per login
// name and client address for the throttling window. The account package
// decides the delays; the store counts, under locks, so that a burst of
// parallel guesses is counted one by one.

// LoginFailures are the recent failures an attempt is judged by.
type LoginFailures struct {
	Attempt    int64      `db:"-"`           // the failure recorded for this attempt (BeginLoginAttempt)
	Now        time.Time  `db:"now"`         // the database's clock, which recorded the failures
	Pair       int        `db:"pair"`        // of this login name from this client
	PairLast   *time.Time `db:"pair_last"`   // the latest of them
	Client     int        `db:"client"`      // from this client, under any name
	ClientLast *time.Time `db:"client_last"` // the latest of them
}

// Lock classes of the advisory locks that serialise attempts per login
// name and per client.
const (
	loginNameLockClass   = 7_236_010
	loginClientLockClass = 7_236_011
)

// BeginLoginAttempt counts the failures of username from clientAddr and
// of clientAddr within window and asks wait how long the attempt must
// still wait. When it need not, the attempt is recorded as a failure
// before the password is checked (a success removes it again, see
// ClearLoginFailures), so that parallel guesses cannot pass the check
// together. It returns the failures including this attempt, and the wait.
func (db *DB) BeginLoginAttempt(ctx context.Context, username, clientAddr string, window time.Duration,
	wait func(LoginFailures) time.Duration) (LoginFailures, time.Duration, error) {
	x, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return LoginFailures{}, 0, fmt.Errorf("begin: %w", err)
	}
	defer x.Rollback()
	// The name's lock first, then the client's: always in this order, so
	// that two attempts never wait for each other in a circle.
	if _, err := x.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2)), pg_advisory_xact_lock($3, hashtext($4))`,
		loginNameLockClass, username, loginClientLockClass, clientAddr); err != nil {
		return LoginFailures{}, 0, fmt.Errorf("lock login attempt: %w", err)
	}
	var f LoginFailures
	if err := x.GetContext(ctx, &f, `
		SELECT now() AS now,
		       count(*) FILTER (WHERE username = $1) AS pair, max(at) FILTER (WHERE username = $1) AS pair_last,
		       count(*) AS client, max(at) AS client_last
		FROM login_failures WHERE client_addr = $2 AND at > now() - make_interval(secs => $3)`,
		username, clientAddr, window.Seconds()); err != nil {
		return LoginFailures{}, 0, fmt.Errorf("count login failures: %w", err)
	}
	if d := wait(f); d > 0 {
		return f, d, nil
	}
	if err := x.GetContext(ctx, &f.Attempt, `INSERT INTO login_failures (username, client_addr) VALUES ($1, $2) RETURNING id`,
		username, clientAddr); err != nil {
		return f, 0, fmt.Errorf("record login attempt: %w", err)
	}
	f.Pair, f.PairLast, f.Client, f.ClientLast = f.Pair+1, &f.Now, f.Client+1, &f.Now
	if err := x.Commit(); err != nil {
		return f, 0, fmt.Errorf("commit: %w", err)
	}
	return f, 0, nil
}

// ConfirmLoginFailure stamps an attempt's failure with the time its
// password was found wrong, which the next delay counts from.
func (db *DB) ConfirmLoginFailure(ctx context.Context, attempt int64) error {
	_, err := db.x.ExecContext(ctx, `UPDATE login_failures SET at = now() WHERE id = $1`, attempt)
	return err
}

// ClearLoginFailures forgets the failures of a login name from one client
// after a success there. Failures from other clients stay: the owner's
// success does not help someone guessing elsewhere.
func (db *DB) ClearLoginFailures(ctx context.Context, username, clientAddr string) error {
	_, err := db.x.ExecContext(ctx, `DELETE FROM login_failures WHERE username = $1 AND client_addr = $2`, username, clientAddr)
	return err
}

// ClientFailures are the recent failures of one login name from one
// client, with all failures from that client.
type ClientFailures struct {
	ClientAddr string `db:"client_addr"`
	LoginFailures
}

// FailuresOf lists the clients with failures of username within window,
// latest first.
func (db *DB) FailuresOf(ctx context.Context, username string, window time.Duration) ([]ClientFailures, error) {
	var out []ClientFailures
	err := db.x.SelectContext(ctx, &out, `
		SELECT p.client_addr, now() AS now, p.pair, p.pair_last, c.client, c.client_last
		FROM (SELECT client_addr, count(*) AS pair, max(at) AS pair_last FROM login_failures
		      WHERE username = $1 AND at > now() - make_interval(secs => $2) GROUP BY client_addr) p,
		     LATERAL (SELECT count(*) AS client, max(at) AS client_last FROM login_failures
		              WHERE client_addr = p.client_addr AND at > now() - make_interval(secs => $2)) c
		ORDER BY p.pair_last DESC, p.client_addr`, username, window.Seconds())
	if err != nil {
		return nil, fmt.Errorf("login failures of %s: %w", username, err)
	}
	return out, nil
}

// LiftLockout forgets every failure of a user's login name, from every
// client, and records that an administrator lifted the lockout.
func (tx *Tx) LiftLockout(ctx context.Context, user domain.User) (int, error) {
	res, err := tx.x.ExecContext(ctx, `DELETE FROM login_failures WHERE username = $1`, user.Username)
	if err != nil {
		return 0, fmt.Errorf("lift lockout: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return int(n), tx.Record("login.lockout_lift", "user", user.ID, nil, map[string]any{"username": user.Username, "failures": n})
}

// Lockout is what the audit trail keeps of a lockout: who was guessed at
// (an unknown name has no UserID), from where, after how many failures,
// and for how long the next attempt waits.
type Lockout struct {
	Username   string
	UserID     *int64
	ClientAddr string
	PerClient  bool // the client's failures under any name, not one name's
	Failures   int
	Wait       time.Duration
}

// RecordLockout adds a lockout to the audit trail: on the user when the
// name is an account's, else on the login name or, for a client's
// lockout, on the client address.
func (tx *Tx) RecordLockout(ctx context.Context, l Lockout) error {
	after := map[string]any{"username": l.Username, "client": l.ClientAddr, "failures": l.Failures,
		"wait_seconds": int(l.Wait.Round(time.Second).Seconds())}
	switch {
	case l.PerClient:
		return tx.Record("login.lockout_client", "client", l.ClientAddr, nil, after)
	case l.UserID != nil:
		return tx.Record("login.lockout", "user", *l.UserID, nil, after)
	}
	return tx.Record("login.lockout", "login_name", l.Username, nil, after)
}
