package webui

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// figuresCache keeps the figures the dashboards and the start page
// compute over a whole scope (the readiness gates, the counts by
// department, the check progress) for a short while. At state scale each
// takes most of a second of database time; fifty people opening the
// management dashboard at once must not start fifty of them. So every
// figure is computed by one request at a time, and once it is there it is
// served as it is while it is fresh, and while it is older than that,
// served once more as it is while a single refresh runs in the background
// (the page says as of when). Each instance keeps its own cache; nothing
// in it is shared between readers who see different departments, because
// the reader's visibility is part of the key.
type figuresCache struct {
	fresh time.Duration // served without a refresh while younger
	idle  time.Duration // dropped when nobody asked for this long

	mu      sync.Mutex
	entries map[string]*figuresEntry
}

type figuresEntry struct {
	ready      chan struct{} // closed once the first computation is done
	value      any
	err        error
	at         time.Time // when value was computed
	used       time.Time
	refreshing bool
}

// computeTimeout bounds a computation that no request waits for.
const computeTimeout = 2 * time.Minute

func newFiguresCache() *figuresCache {
	return &figuresCache{fresh: time.Minute, idle: 15 * time.Minute, entries: map[string]*figuresEntry{}}
}

// cached returns the value under key, computing it if there is none yet,
// and when it was computed.
func cached[T any](ctx context.Context, c *figuresCache, key string, compute func(context.Context) (T, error)) (T, time.Time, error) {
	var zero T
	run := func() (v any, err error) {
		// The computation outlives the request that started it: others
		// wait for it, or it refreshes in the background.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), computeTimeout)
		defer cancel()
		defer func() {
			if r := recover(); r != nil { // the waiting requests must not hang
				err = fmt.Errorf("computing %s: %v", key, r)
			}
		}()
		return compute(cctx)
	}
	now := time.Now()
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok {
		c.sweep(now)
		e = &figuresEntry{ready: make(chan struct{}), used: now}
		c.entries[key] = e
		c.mu.Unlock()
		v, err := run()
		c.mu.Lock()
		e.value, e.err, e.at = v, err, time.Now()
		if err != nil {
			delete(c.entries, key) // the next request tries again
		}
		close(e.ready)
		c.mu.Unlock()
		if err != nil {
			return zero, time.Time{}, err
		}
		return v.(T), e.at, nil
	}
	e.used = now
	c.mu.Unlock()
	select {
	case <-e.ready:
	case <-ctx.Done():
		return zero, time.Time{}, ctx.Err()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.err != nil {
		return zero, time.Time{}, e.err
	}
	if now.Sub(e.at) > c.fresh && !e.refreshing {
		e.refreshing = true
		go func() {
			v, err := run()
			c.mu.Lock()
			defer c.mu.Unlock()
			e.refreshing = false
			if err == nil {
				e.value, e.at = v, time.Now()
			}
		}()
	}
	return e.value.(T), e.at, nil
}

// sweep drops the entries nobody asked for lately (c.mu held).
func (c *figuresCache) sweep(now time.Time) {
	for k, e := range c.entries {
		select {
		case <-e.ready:
			if now.Sub(e.used) > c.idle && !e.refreshing {
				delete(c.entries, k)
			}
		default: // still being computed
		}
	}
}
