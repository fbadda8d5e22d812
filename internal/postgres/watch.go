package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/lib/pq"
)

// WatchGrants calls onChange whenever any instance commits a change to the
// role grants, and after a lost connection comes back (notifications may
// have been missed meanwhile). It returns when ctx ends.
func WatchGrants(ctx context.Context, url string, log *slog.Logger, onChange func()) error {
	reconnected := make(chan struct{}, 1)
	l := pq.NewListener(url, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventDisconnected:
			log.Warn("grant watcher lost its database connection", "err", err)
		case pq.ListenerEventReconnected:
			select {
			case reconnected <- struct{}{}:
			default:
			}
		}
	})
	defer l.Close()
	if err := l.Listen(grantsChannel); err != nil {
		return fmt.Errorf("listen for grant changes: %w", err)
	}
	keepalive := time.NewTicker(time.Minute)
	defer keepalive.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-l.Notify:
			onChange()
		case <-reconnected:
			log.Info("grant watcher reconnected; reloading grants")
			onChange()
		case <-keepalive.C:
			// A ping notices a dead connection that would otherwise wait for TCP.
			if err := l.Ping(); err != nil {
				log.Warn("grant watcher ping failed", "err", err)
			}
		}
	}
}
