package pgserver

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestSuperviseRestartsKilledPostmaster: a killed postmaster comes back by
// itself, with its exit status in the log; after Stop nothing restarts it.
func TestSuperviseRestartsKilledPostmaster(t *testing.T) {
	t.Parallel()
	dir := newDir(t)
	logger, logs := newLogger()
	c := start(t, dir, true, logger)
	c.Supervise(context.Background())
	psql(t, c, "create table kept (v int)")

	pid := postmasterPID(t, dir)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	waitUntil(t, "a new postmaster is ready", func() bool {
		f, err := readPostmasterPid(filepath.Join(dir, "pg", "postmaster.pid"))
		return err == nil && f.pid != pid && f.isLive() && isReady(t, c)
	}, logs)
	t.Logf("PostgreSQL back %v after the kill", time.Since(killed).Round(time.Millisecond))
	if got := psql(t, c, "select count(*) from kept"); got != "0" {
		t.Errorf("after the restart the table answers %q", got)
	}
	if n := logs.count("PostgreSQL exited unexpectedly; restarting it"); n != 1 {
		t.Errorf("the exit was logged %d times, want once\n%s", n, logs)
	}
	if want := `exit_status="signal: killed"`; !bytes.Contains([]byte(logs.String()), []byte(want)) {
		t.Errorf("the log lacks %s\n%s", want, logs)
	}
	if logs.count("PostgreSQL is back") != 1 || !c.Owned() {
		t.Errorf("restart not logged or not owned (owned %v)\n%s", c.Owned(), logs)
	}

	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * superviseInterval) // three looks of a supervisor, which must not restart it
	if _, err := os.Stat(filepath.Join(dir, "pg", "postmaster.pid")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("PostgreSQL runs again after Stop: %v\n%s", err, logs)
	}
	if n := logs.count("PostgreSQL exited unexpectedly; restarting it"); n != 1 {
		t.Errorf("the clean stop was taken for a crash\n%s", logs)
	}
}

// TestSupervisorsShareOneServer: two processes use the cluster and both
// supervise it; after a kill exactly one postmaster runs again, which the
// other process adopts (it may not even notice the gap).
func TestSupervisorsShareOneServer(t *testing.T) {
	t.Parallel()
	dir := newDir(t)
	logger, logs := newLogger()
	first := start(t, dir, false, logger)
	second := start(t, dir, false, logger)
	first.Supervise(context.Background())
	second.Supervise(context.Background())

	pid := postmasterPID(t, dir)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the server is back", func() bool {
		return logs.count("PostgreSQL is back") > 0
	}, logs)
	time.Sleep(3 * superviseInterval) // time for the other supervisor to look
	if first.Owned() == second.Owned() {
		t.Errorf("owned: first %v, second %v; want exactly one owner\n%s", first.Owned(), second.Owned(), logs)
	}
	if n := logs.count("starting PostgreSQL"); n != 2 {
		t.Errorf("PostgreSQL started %d times, want twice (once at first, once after the kill)\n%s", n, logs)
	}
	if got := postmasters(t, dir); len(got) != 1 {
		t.Errorf("postmasters running on %s: %v, want one", dir, got)
	}
}

// postmasters lists the processes running the postgres binary with -D on
// dir's cluster (its children retitle themselves).
func postmasters(t *testing.T, dir string) []int {
	t.Helper()
	real, err := filepath.EvalSymlinks(filepath.Join(dir, "pg"))
	if err != nil {
		t.Fatal(err)
	}
	var found []int
	for _, pid := range postgresProcessesIn(real) {
		cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		if err == nil && bytes.Contains(cmdline, []byte("\x00-D\x00")) {
			found = append(found, pid)
		}
	}
	return found
}
