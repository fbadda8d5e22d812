package snapshot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	s := Daily(berlin)
	for _, c := range []struct{ now, want string }{
		{"2026-11-22T10:00:00+01:00", "2026-11-23T00:15:00+01:00"}, // during the day: tomorrow
		{"2026-11-22T00:10:00+01:00", "2026-11-22T00:15:00+01:00"}, // just before: today
		{"2026-11-22T00:15:00+01:00", "2026-11-23T00:15:00+01:00"}, // on the dot: done, tomorrow
		{"2026-11-21T23:30:00Z", "2026-11-23T00:15:00+01:00"},      // 00:30 in Berlin already
		{"2026-03-28T12:00:00+01:00", "2026-03-29T00:15:00+01:00"}, // the night clocks go forward
		{"2026-03-29T12:00:00+02:00", "2026-03-30T00:15:00+02:00"}, // a 23-hour day after it
	} {
		now, _ := time.Parse(time.RFC3339, c.now)
		want, _ := time.Parse(time.RFC3339, c.want)
		if got := s.Next(now); !got.Equal(want) {
			t.Errorf("Next(%s) = %s, want %s", c.now, got, c.want)
		}
	}
}

type fakeTaker struct {
	mu    sync.Mutex
	days  []time.Time
	fail  int
	calls chan struct{}
}

func (f *fakeTaker) TakeSnapshots(_ context.Context, day time.Time) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer func() { f.calls <- struct{}{} }()
	if f.fail > 0 {
		f.fail--
		return 0, errors.New("database away")
	}
	f.days = append(f.days, day)
	return 1, nil
}

// TestRunRetriesAndStops: the first run comes after the start delay, a
// failure is tried again after the retry delay, and the loop ends with
// its context.
func TestRunRetriesAndStops(t *testing.T) {
	f := &fakeTaker{fail: 1, calls: make(chan struct{}, 10)}
	s := Schedule{Location: time.UTC, At: 0, StartDelay: 10 * time.Millisecond, Retry: 20 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Run(ctx, f, s, slog.New(slog.DiscardHandler)); close(done) }()
	for range 2 {
		select {
		case <-f.calls:
		case <-time.After(5 * time.Second):
			t.Fatal("no run")
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop with its context")
	}
	if len(f.days) != 1 || !f.days[0].Equal(time.Now().UTC().Truncate(24*time.Hour)) {
		t.Errorf("days taken %v", f.days)
	}
}
