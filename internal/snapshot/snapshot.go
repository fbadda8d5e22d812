// Package snapshot takes the daily readiness snapshots in the server
// process: shortly after the start, then every day at a fixed local time.
// Several instances may run it; the store writes each day's snapshot once.
package snapshot

import (
	"context"
	"log/slog"
	"time"

	"ismsd/internal/domain"
)

// Taker stores the day's snapshot of every scope that has none yet.
type Taker interface {
	TakeSnapshots(ctx context.Context, day time.Time) (int, error)
}

// Schedule says when snapshots are taken.
type Schedule struct {
	Location *time.Location // the organisation's time zone: its days are the snapshots' days
	// At is the time of day (after local midnight) of the daily run:
	// shortly after midnight, so the day's figures are there before
	// anyone looks, and they show the state at the start of the day.
	At time.Duration
	// StartDelay: the first run after the start waits this long, so that
	// it does not compete with the start itself. A run finds the day
	// already taken when another instance or an earlier start did it.
	StartDelay time.Duration
	// Retry: after a failure (say, the database was away), the next try.
	Retry time.Duration
}

// Daily is the schedule of the server: 00:15 local time, a minute after
// the start, retries every ten minutes.
func Daily(loc *time.Location) Schedule {
	if loc == nil {
		loc = time.Local
	}
	return Schedule{Location: loc, At: 15 * time.Minute, StartDelay: time.Minute, Retry: 10 * time.Minute}
}

// Next is the first run time after now.
func (s Schedule) Next(now time.Time) time.Time {
	l := now.In(s.Location)
	next := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, s.Location).Add(s.At)
	if !next.After(l) {
		next = time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, s.Location).Add(s.At)
	}
	return next
}

// Run takes snapshots on the schedule until ctx ends.
func Run(ctx context.Context, db Taker, s Schedule, log *slog.Logger) {
	wait := s.StartDelay
	for {
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		day := domain.Today(s.Location)
		start := time.Now()
		n, err := db.TakeSnapshots(ctx, day)
		wait = time.Until(s.Next(time.Now()))
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Error("readiness snapshots failed; trying again later", "day", day.Format(time.DateOnly), "err", err, "retry", s.Retry.String())
			wait = min(wait, s.Retry)
		case n > 0:
			log.Info("readiness snapshots taken", "day", day.Format(time.DateOnly), "scopes", n, "ms", time.Since(start).Milliseconds())
		}
	}
}
