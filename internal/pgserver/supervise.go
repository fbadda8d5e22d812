package pgserver

import (
	"context"
	"path/filepath"
	"time"
)

const (
	// superviseInterval is how often the supervisor looks at a postmaster
	// it did not start (whose exit it cannot wait for).
	superviseInterval = 500 * time.Millisecond
	// A restart comes at once after a quiet spell; restarts in a row wait
	// ever longer, from restartDelayMin up to restartDelayMax, so that a
	// server that cannot stay up does not spin.
	restartDelayMin = time.Second
	restartDelayMax = 30 * time.Second
	quietSpell      = time.Minute
)

// Supervise watches the server while this process uses it and restarts it
// when it has gone away without Stop (killed, crashed, or stopped behind
// ismsd's back), until ctx ends or Stop is called. Every process sharing the
// cluster may supervise it: restarts take the same lock as Start, so only
// one postmaster ever runs, and the others adopt it.
func (c *Cluster) Supervise(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	c.mu.Lock()
	if c.stopped || c.supervisor != nil {
		c.mu.Unlock()
		cancel()
		return
	}
	c.supervisor = func() { cancel(); <-done }
	c.mu.Unlock()
	go func() {
		defer close(done)
		c.supervise(ctx)
	}()
}

// endSupervision stops Supervise and waits until it has finished, so that
// it cannot restart a server that Stop is shutting down.
func (c *Cluster) endSupervision() {
	c.mu.Lock()
	end := c.supervisor
	c.supervisor = nil
	c.mu.Unlock()
	if end != nil {
		end()
	}
}

func (c *Cluster) supervise(ctx context.Context) {
	tick := time.NewTicker(superviseInterval)
	defer tick.Stop()
	var delay time.Duration
	var lastRestart time.Time
	for {
		var exited <-chan struct{}
		if pm := c.ownChild(); pm != nil {
			exited = pm.exited
		}
		select {
		case <-ctx.Done():
			return
		case <-exited:
		case <-tick.C:
		}
		if c.running() {
			continue
		}
		down := time.Now()
		pid, status := c.exitStatus()
		c.log.Error("PostgreSQL exited unexpectedly; restarting it", "dir", c.dataDir, "pid", pid, "exit_status", status)
		for attempt := 1; ; attempt++ {
			if time.Since(lastRestart) > quietSpell {
				delay = 0
			}
			if delay > 0 {
				c.log.Info("waiting before restarting PostgreSQL", "dir", c.dataDir, "attempt", attempt, "delay", delay.String())
				if sleep(ctx, delay) != nil {
					return
				}
			}
			lastRestart = time.Now()
			delay = min(max(2*delay, restartDelayMin), restartDelayMax)
			err := c.restart(ctx)
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				c.log.Info("PostgreSQL is back", "dir", c.dataDir, "attempt", attempt, "pid", c.currentPid(),
					"down_ms", time.Since(down).Milliseconds())
				break
			}
			c.log.Error("restarting PostgreSQL failed", "dir", c.dataDir, "attempt", attempt, "err", err)
		}
	}
}

// ownChild returns the postmaster this process started, or nil.
func (c *Cluster) ownChild() *child {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.child
}

// running reports whether a postmaster of this cluster is alive (ready or
// not: it may be starting or recovering on its own).
func (c *Cluster) running() bool {
	if pm := c.ownChild(); pm != nil {
		select {
		case <-pm.exited:
			return false
		default:
		}
	}
	pm, err := readPostmasterPid(c.pidFilePath())
	return err == nil && c.isOurPostmaster(pm.pid)
}

// exitStatus describes how the postmaster ended: its wait status when this
// process started it; otherwise no process but its parent can know.
func (c *Cluster) exitStatus() (pid int, status string) {
	if pm := c.ownChild(); pm != nil {
		select {
		case <-pm.exited:
			if pm.err == nil {
				return pm.pid, "exit status 0"
			}
			return pm.pid, pm.err.Error()
		case <-time.After(time.Second):
		}
	}
	if f, err := readPostmasterPid(c.pidFilePath()); err == nil {
		pid = f.pid
	}
	return pid, "unknown (started by another process; see " + c.logPath() + ")"
}

// currentPid is the pid in postmaster.pid, for the log.
func (c *Cluster) currentPid() int {
	f, _ := readPostmasterPid(c.pidFilePath())
	return f.pid
}

// restart starts the server again as Start does, under the same lock: if
// another process sharing the cluster was quicker, its server is adopted.
func (c *Cluster) restart(ctx context.Context) error {
	unlock, err := lockFile(ctx, filepath.Join(c.socketDir, "pgserver.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	c.mu.Lock()
	c.owned, c.child = false, nil
	c.mu.Unlock()
	reused, err := c.reuseRunning(ctx)
	if err != nil || reused {
		return err
	}
	if err := c.waitForOrphans(ctx); err != nil {
		return err
	}
	return c.start(ctx)
}
