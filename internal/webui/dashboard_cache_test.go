package webui

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestFiguresCacheComputesOnce: many readers at once start one
// computation; a stale value is served while one refresh runs; a failure
// is not kept.
func TestFiguresCacheComputesOnce(t *testing.T) {
	c := newFiguresCache()
	ctx := context.Background()
	var calls atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	slow := func(context.Context) (int, error) {
		if calls.Add(1) == 1 {
			close(started)
		}
		<-release
		return 42, nil
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, _, err := cached(ctx, c, "k", slow); v != 42 || err != nil {
				t.Errorf("got %d %v", v, err)
			}
		}()
	}
	// Readers that come while it runs wait for it; those that come after
	// it get its value. Either way nobody computes again.
	<-started
	close(release)
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("%d computations for 50 readers", calls.Load())
	}

	// Stale: the old value now, the new one after the refresh.
	c.mu.Lock()
	c.entries["k"].at = time.Now().Add(-2 * c.fresh)
	c.mu.Unlock()
	refreshed := make(chan struct{})
	next := func(context.Context) (int, error) { calls.Add(1); defer close(refreshed); return 43, nil }
	if v, _, _ := cached(ctx, c, "k", next); v != 42 {
		t.Errorf("stale read %d, want the old value", v)
	}
	<-refreshed
	// The refresh keeps its value once it has returned it.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		c.mu.Lock()
		refreshing := c.entries["k"].refreshing
		c.mu.Unlock()
		if !refreshing {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the refresh did not end")
		}
	}
	if v, _, _ := cached(ctx, c, "k", next); v != 43 || calls.Load() != 2 {
		t.Errorf("after the refresh %d (%d computations)", v, calls.Load())
	}

	// A failure reaches the reader and is tried again next time.
	fail := func(context.Context) (int, error) { return 0, errors.New("database away") }
	if _, _, err := cached(ctx, c, "f", fail); err == nil {
		t.Error("no error")
	}
	if v, _, err := cached(ctx, c, "f", func(context.Context) (int, error) { return 7, nil }); v != 7 || err != nil {
		t.Errorf("after a failure: %d %v", v, err)
	}
	// A panic is an error, not a hang.
	if _, _, err := cached(ctx, c, "p", func(context.Context) (int, error) { panic("bug") }); err == nil {
		t.Error("no error from a panic")
	}
}
