package account

import (
	"context"
	"fmt"
	"math"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// Throttling of password checks (login, password change, confirmation of
// an approval). It slows down whoever guesses without denying the owner:
// delays grow per login name AND client, so the right password from a
// client without failures always passes, and per client under any name, so
// that spraying many names from one address slows down too. Every name
// is throttled alike whether or not it is an account's, so that the
// answer tells nothing about which accounts exist. A browser that carries
// the device cookie of an earlier login of the account counts as a client
// of its own ("device:<id>"), not as its address: guessing from the same
// address (everyone behind one NAT or proxy) never holds its owner back.

// delay is how long the next attempt waits after failures, of which free
// cost nothing: FirstDelay after the free ones, doubling with each
// further failure, at most MaxDelay.
func (c Config) delay(failures, free int) time.Duration {
	if failures < free {
		return 0
	}
	d := c.FirstDelay
	for i := free; i < failures && d < c.MaxDelay; i++ {
		d *= 2
	}
	return min(d, c.MaxDelay)
}

// wait is how long an attempt with these recent failures must still wait.
func (c Config) wait(f postgres.LoginFailures) time.Duration {
	var w time.Duration
	if d := c.delay(f.Pair, c.FreeFailures); d > 0 && f.PairLast != nil {
		w = max(w, f.PairLast.Add(d).Sub(f.Now))
	}
	if d := c.delay(f.Client, c.FreeClientFailures); d > 0 && f.ClientLast != nil {
		w = max(w, f.ClientLast.Add(d).Sub(f.Now))
	}
	return max(w, 0)
}

// throttled is the refusal of an attempt that comes too early.
func throttled(wait time.Duration) error {
	when := "einer Sekunde"
	switch secs := int(math.Ceil(wait.Seconds())); {
	case wait > 90*time.Second:
		when = fmt.Sprintf("%d Minuten", int(math.Ceil(wait.Minutes())))
	case secs > 1:
		when = fmt.Sprintf("%d Sekunden", secs)
	}
	return &domain.Error{Kind: domain.ErrThrottled, RetryAfter: wait,
		Message: "too many failed attempts; try again later",
		German:  "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in " + when + " erneut."}
}

// guarded runs one password check of username from a client under the
// throttle: from is the client address, or "device:<id>" for a browser
// with a device cookie of this account, which is throttled for itself.
// check reports whether the password is right and, when the name is an
// account's, its id (for the audit trail). A wrong password counts as a
// failure; the failure that starts a delay is recorded in the audit trail
// as a lockout.
func (s *Service) guarded(ctx context.Context, actor domain.Actor, username, from string, check func() (bool, *int64, error)) (bool, error) {
	f, wait, err := s.db.BeginLoginAttempt(ctx, username, from, s.cfg.FailureWindow, s.cfg.wait)
	if err != nil {
		return false, err
	}
	if wait > 0 {
		return false, throttled(wait)
	}
	ok, userID, err := check()
	if err != nil {
		return false, err
	}
	if ok {
		return true, s.db.ClearLoginFailures(ctx, username, from)
	}
	if err := s.db.ConfirmLoginFailure(ctx, f.Attempt); err != nil {
		return false, err
	}
	s.log.Info("password check failed", "username", username, "client", actor.ClientAddr, "throttled_as", from, "failures", f.Pair)
	var lockouts []postgres.Lockout
	if f.Pair == s.cfg.FreeFailures {
		lockouts = append(lockouts, postgres.Lockout{Username: username, UserID: userID, ClientAddr: from,
			Failures: f.Pair, Wait: s.cfg.delay(f.Pair, s.cfg.FreeFailures)})
	}
	if f.Client == s.cfg.FreeClientFailures {
		lockouts = append(lockouts, postgres.Lockout{Username: username, UserID: userID, ClientAddr: from, PerClient: true,
			Failures: f.Client, Wait: s.cfg.delay(f.Client, s.cfg.FreeClientFailures)})
	}
	if len(lockouts) == 0 {
		return false, nil
	}
	s.log.Warn("login throttled", "username", username, "client", actor.ClientAddr, "throttled_as", from, "failures", f.Pair, "client_failures", f.Client)
	return false, s.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		for _, l := range lockouts {
			if err := tx.RecordLockout(ctx, l); err != nil {
				return err
			}
		}
		return nil
	})
}

// Lockout is the throttling state of one account from one client, for
// the administrator.
type Lockout struct {
	ClientAddr     string
	Failures       int       // of the account's name from this client
	ClientFailures int       // from this client under any name
	LastFailure    time.Time // the latest of the account's
	Until          time.Time // the next attempt from this client waits until then (zero: it need not)
}

// Lockouts lists the clients with recent failures of a user's name, and
// how long each is held back.
func (s *Service) Lockouts(ctx context.Context, userID int64) ([]Lockout, error) {
	u, err := s.db.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	fs, err := s.db.FailuresOf(ctx, u.Username, s.cfg.FailureWindow)
	if err != nil {
		return nil, err
	}
	out := make([]Lockout, len(fs))
	for i, f := range fs {
		out[i] = Lockout{ClientAddr: f.ClientAddr, Failures: f.Pair, ClientFailures: f.Client, LastFailure: *f.PairLast}
		if w := s.cfg.wait(f.LoginFailures); w > 0 {
			out[i].Until = time.Now().Add(w)
		}
	}
	return out, nil
}

// LiftLockout forgets the failed attempts on a user's name from every
// client (admin action), so that the next attempt passes at once.
func (s *Service) LiftLockout(ctx context.Context, actor domain.Actor, userID int64) (int, error) {
	u, err := s.db.UserByID(ctx, userID)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		n, err = tx.LiftLockout(ctx, u)
		return err
	})
	return n, err
}
