package pgserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// newDir returns a fresh folder for one cluster. It is made with
// os.MkdirTemp under the system temp folder rather than t.TempDir, whose
// parent folders are 0700 and so closed to the postgres account when the
// tests run as root.
func newDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pgserver-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// logBuffer collects slog output from concurrent goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) count(msg string) int {
	return strings.Count(b.String(), `msg="`+msg+`"`)
}

func newLogger() (*slog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return slog.New(slog.NewTextHandler(buf, nil)), buf
}

// start starts a cluster in dir and registers its Stop for cleanup (which
// runs before the folder's removal, registered earlier by newDir).
func start(t *testing.T, dir string, durable bool, logger *slog.Logger) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := Start(ctx, Options{Dir: dir, Durable: durable, Logger: logger})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return c
}

func binDir(t *testing.T) string {
	t.Helper()
	dir, err := FindBinDir("")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// isReady runs pg_isready against the cluster's socket.
func isReady(t *testing.T, c *Cluster) bool {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir(t), "pg_isready"), "-h", c.SocketDir(), "-p", "5432", "-t", "3")
	cmd.Env = serverEnv()
	return cmd.Run() == nil
}

// psql runs one statement as the postgres superuser and returns its
// unaligned output. Trust authentication admits root and the server
// account alike, as both can reach the socket.
func psql(t *testing.T, c *Cluster, sql string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir(t), "psql"), "-X", "-v", "ON_ERROR_STOP=1",
		"-h", c.SocketDir(), "-p", "5432", "-U", "postgres", "-d", "postgres", "-Atc", sql)
	cmd.Env = serverEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql %q: %v\n%s", sql, err, out)
	}
	return strings.TrimSpace(string(out))
}

func postmasterPID(t *testing.T, dir string) int {
	t.Helper()
	pm, err := readPostmasterPid(filepath.Join(dir, "pg", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	if pm.pid <= 0 {
		t.Fatalf("no PID in postmaster.pid")
	}
	return pm.pid
}

func waitUntil(t *testing.T, what string, cond func() bool, show ...fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s\n%v", what, show)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestStartInitialisesRunsAndStops(t *testing.T) {
	t.Parallel()
	dir := newDir(t)
	logger, logs := newLogger()
	c := start(t, dir, false, logger)

	if !c.Owned() {
		t.Error("Owned() = false for a server this process started")
	}
	if want := filepath.Join(dir, "run"); c.SocketDir() != want {
		t.Errorf("SocketDir() = %q, want %q", c.SocketDir(), want)
	}
	if _, err := os.Stat(filepath.Join(dir, "pg", "PG_VERSION")); err != nil {
		t.Errorf("cluster not initialised: %v", err)
	}
	if !strings.Contains(c.URL("ismsd"), "host="+url.QueryEscape(c.SocketDir())) {
		t.Errorf("URL %q lacks the escaped socket folder", c.URL("ismsd"))
	}
	if !isReady(t, c) {
		t.Fatal("pg_isready fails on a started server")
	}
	if got := psql(t, c, "select 1"); got != "1" {
		t.Errorf("select 1 = %q", got)
	}
	if got := psql(t, c, "show fsync"); got != "off" {
		t.Errorf("fsync = %q in test mode, want off", got)
	}
	if got := psql(t, c, "show listen_addresses"); got != "" {
		t.Errorf("listen_addresses = %q, want empty (socket only)", got)
	}
	checkPrivate(t, c.SocketDir())
	checkPrivate(t, filepath.Join(dir, "pg"))
	pid := postmasterPID(t, dir)
	if own, err := syscall.Getpgid(pid); err != nil || own == syscall.Getpgrp() {
		t.Errorf("postmaster shares our process group (%d, %v): a Ctrl-C would reach it", own, err)
	}

	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "pg", "postmaster.pid")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("postmaster.pid still there after Stop: %v", err)
	}
	if isReady(t, c) {
		t.Error("pg_isready succeeds after Stop")
	}
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	for _, msg := range []string{"initialising PostgreSQL cluster", "starting PostgreSQL", "stopped PostgreSQL"} {
		if n := logs.count(msg); n != 1 {
			t.Errorf("%q logged %d times, want once\n%s", msg, n, logs)
		}
	}
}

// checkPrivate checks the 0700 mode and, as root, that the folder belongs to
// the account PostgreSQL runs as.
func checkPrivate(t *testing.T, path string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o700 {
		t.Errorf("%s has mode %v, want 0700", path, info.Mode().Perm())
	}
	if os.Geteuid() != 0 {
		return
	}
	account, err := lookupServerAccount("postgres")
	if err != nil {
		t.Fatal(err)
	}
	if st := info.Sys().(*syscall.Stat_t); int(st.Uid) != account.uid {
		t.Errorf("%s is owned by uid %d, want postgres (%d)", path, st.Uid, account.uid)
	}
}

func TestDurableRestartKeepsData(t *testing.T) {
	t.Parallel()
	dir := newDir(t)
	logger, logs := newLogger()
	c := start(t, dir, true, logger)
	if got := psql(t, c, "show fsync"); got != "on" {
		t.Errorf("fsync = %q in durable mode, want on", got)
	}
	psql(t, c, "create table kept (v text); insert into kept values ('still here')")
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}

	c = start(t, dir, true, logger)
	if !c.Owned() {
		t.Error("Owned() = false after starting a stopped cluster")
	}
	if got := psql(t, c, "select v from kept"); got != "still here" {
		t.Errorf("after restart the table holds %q", got)
	}
	if n := logs.count("initialising PostgreSQL cluster"); n != 1 {
		t.Errorf("initdb ran %d times, want once", n)
	}
}

func TestSecondStartReusesRunningServer(t *testing.T) {
	t.Parallel()
	dir := newDir(t)
	logger, logs := newLogger()
	first := start(t, dir, false, logger)
	second := start(t, dir, false, logger)

	if second.Owned() {
		t.Error("second Start claims to own the server")
	}
	if logs.count("reusing running PostgreSQL") != 1 {
		t.Errorf("reuse not logged:\n%s", logs)
	}
	if err := second.Stop(); err != nil {
		t.Fatal(err)
	}
	if !isReady(t, first) {
		t.Fatal("Stop of the reusing Cluster stopped the server")
	}
	if got := psql(t, first, "select 2"); got != "2" {
		t.Errorf("select 2 = %q", got)
	}
}

// TestLastUserStopsServer: the server stops when the last process using it
// stops, even when that process only reused it (as after a crash of the one
// that started it), and not before.
func TestLastUserStopsServer(t *testing.T) {
	t.Parallel()
	dir := newDir(t)
	first := start(t, dir, false, nil)
	second := start(t, dir, false, nil)
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	if !isReady(t, second) {
		t.Fatal("the starting Cluster stopped the server while another still used it")
	}
	if err := second.Stop(); err != nil {
		t.Fatal(err)
	}
	if isReady(t, second) {
		t.Fatal("the server still runs after its last user stopped")
	}
	if _, err := os.Stat(filepath.Join(dir, "pg", "postmaster.pid")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("postmaster.pid left behind: %v", err)
	}
}

func TestConcurrentStartsShareOneServer(t *testing.T) {
	t.Parallel()
	dir := newDir(t)
	clusters := make([]*Cluster, 3)
	errs := make([]error, len(clusters))
	var wg sync.WaitGroup
	for i := range clusters {
		wg.Go(func() {
			clusters[i], errs[i] = Start(context.Background(), Options{Dir: dir})
		})
	}
	wg.Wait()
	owners := 0
	for i, c := range clusters {
		if errs[i] != nil {
			t.Fatalf("Start %d: %v", i, errs[i])
		}
		t.Cleanup(func() { c.Stop() })
		if c.Owned() {
			owners++
		}
	}
	if owners != 1 {
		t.Errorf("%d Clusters own the server, want exactly 1", owners)
	}
}

func TestStartRecoversFromKilledPostmaster(t *testing.T) {
	t.Parallel()
	dir := newDir(t)
	logger, logs := newLogger()
	start(t, dir, false, logger)
	pid := postmasterPID(t, dir)

	// Only the postmaster dies (its children run in sessions of their own,
	// so there is no group to kill). The children exit once they notice;
	// freezing them until then shows that Start waits for them rather than
	// run a new postmaster beside them.
	children := childPIDs(t, pid)
	for _, child := range children {
		syscall.Kill(child, syscall.SIGSTOP)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the postmaster is gone", func() bool { return !isPostgresProcess(pid) })

	type result struct {
		c   *Cluster
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := Start(context.Background(), Options{Dir: dir, Logger: logger})
		done <- result{c, err}
	}()
	waitUntil(t, "Start waits for the orphans", func() bool {
		return logs.count("waiting for processes of a dead PostgreSQL server to exit") == 1
	})
	select {
	case r := <-done:
		t.Fatalf("Start returned while orphans still ran: %v", r.err)
	case <-time.After(300 * time.Millisecond):
	}
	for _, child := range children {
		syscall.Kill(child, syscall.SIGCONT)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("Start after a killed postmaster: %v", r.err)
	}
	t.Cleanup(func() { r.c.Stop() })

	if !r.c.Owned() {
		t.Error("recovered server not owned")
	}
	if logs.count("removed stale postmaster.pid") != 1 {
		t.Errorf("stale pid file removal not logged:\n%s", logs)
	}
	if !isReady(t, r.c) {
		t.Fatal("server not running after recovery")
	}
	if postmasterPID(t, dir) == pid {
		t.Error("postmaster.pid still names the killed postmaster")
	}
}

func childPIDs(t *testing.T, pid int) []int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, field := range strings.Fields(string(data)) {
		var child int
		fmt.Sscan(field, &child)
		pids = append(pids, child)
	}
	if len(pids) == 0 {
		t.Fatal("postmaster has no children")
	}
	return pids
}

func TestStartRecoversFromPidFileOfUnrelatedProcess(t *testing.T) {
	t.Parallel()
	dir := newDir(t)
	logger, logs := newLogger()
	c := start(t, dir, false, logger)
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}

	// A live PID that is not postgres: PostgreSQL itself would refuse to
	// start ("lock file already exists"), taking it for a running server.
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sleeper.Process.Kill(); sleeper.Wait() })
	pidFile := filepath.Join(dir, "pg", "postmaster.pid")
	content := fmt.Sprintf("%d\n%s\n1700000000\n5432\n%s\n\n  1234 5678\nready   \n",
		sleeper.Process.Pid, filepath.Join(dir, "pg"), filepath.Join(dir, "run"))
	if err := os.WriteFile(pidFile, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}

	c = start(t, dir, false, logger)
	if !c.Owned() || !isReady(t, c) {
		t.Fatal("server not started after a stale pid file")
	}
	if logs.count("removed stale postmaster.pid") != 1 {
		t.Errorf("stale pid file removal not logged:\n%s", logs)
	}
}

func TestFindBinDir(t *testing.T) {
	t.Parallel()
	_, err := FindBinDir(filepath.Join(os.TempDir(), "no-such-postgres-bin"))
	if err == nil {
		t.Fatal("bogus hint accepted")
	}
	t.Logf("FindBinDir: %v", err)
	for _, want := range []string{"postgresql", "apt-get install postgresql", "ISMS_PG_BIN", "ISMS_DATABASE_URL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}

	dir, err := FindBinDir("")
	if err != nil {
		t.Fatalf("FindBinDir(\"\"): %v", err)
	}
	if !hasServerBinaries(dir) {
		t.Errorf("FindBinDir returned %s without the server binaries", dir)
	}
	if again, err := FindBinDir(dir); err != nil || again != dir {
		t.Errorf("FindBinDir(%q) = %q, %v", dir, again, err)
	}
}

func TestCompareVersions(t *testing.T) {
	t.Parallel()
	if compareVersions("15", "9.6") <= 0 || compareVersions("9.6", "10") >= 0 || compareVersions("16", "16") != 0 {
		t.Error("versions misordered")
	}
}

func TestStartRejectsLongSocketPath(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(os.TempDir(), strings.Repeat("d", 100))
	_, err := Start(context.Background(), Options{Dir: dir})
	if err == nil {
		t.Fatal("Start accepted a socket path over the limit")
	}
	t.Logf("Start: %v", err)
	for _, want := range []string{filepath.Join(dir, "run", ".s.PGSQL.5432"), "ISMS_DATA_DIR"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Start created %s despite refusing it", dir)
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	c := &Cluster{socketDir: "/abs/dir/run"}
	if got, want := c.URL("ismsd"), "postgres://postgres@/ismsd?host=%2Fabs%2Fdir%2Frun&port=5432&sslmode=disable"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	if got, want := c.URLFor("app", "ismsd"), "postgres://app@/ismsd?host=%2Fabs%2Fdir%2Frun&port=5432&sslmode=disable"; got != want {
		t.Errorf("URLFor = %q, want %q", got, want)
	}
}

func TestServerArgs(t *testing.T) {
	t.Parallel()
	c := &Cluster{dataDir: "/data/it's here/pg", socketDir: "/data/it's here/run"}
	args := strings.Join(c.serverArgs(), "\n")
	for _, want := range []string{"-D\n/data/it's here/pg\n", "-k\n/data/it's here/run\n", "listen_addresses=\n",
		"fsync=off", "synchronous_commit=off", "full_page_writes=off"} {
		if !strings.Contains(args, want) {
			t.Errorf("arguments %q lack %q", args, want)
		}
	}
	c.durable = true
	if args := c.serverArgs(); slices.Contains(args, "fsync=off") {
		t.Errorf("durable arguments turn fsync off: %q", args)
	}
}

func TestStartFailureShowsServerLog(t *testing.T) {
	t.Parallel()
	dir := newDir(t)
	c := start(t, dir, false, nil)
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	conf, err := os.OpenFile(filepath.Join(dir, "pg", "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(conf, "no_such_setting = 1")
	conf.Close()

	_, err = Start(context.Background(), Options{Dir: dir})
	if err == nil {
		t.Fatal("Start succeeded with a broken postgresql.conf")
	}
	t.Logf("Start: %v", err)
	if !strings.Contains(err.Error(), `unrecognized configuration parameter "no_such_setting"`) {
		t.Errorf("error lacks the server log's explanation: %v", err)
	}
}

func TestStartAsRootNeedsTraversableParents(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("only root hands the cluster to another account")
	}
	parent := newDir(t) // 0700, owned by root
	_, err := Start(context.Background(), Options{Dir: filepath.Join(parent, "data")})
	if err == nil {
		t.Fatal("Start accepted a folder the postgres account cannot reach")
	}
	t.Logf("Start: %v", err)
	if !strings.Contains(err.Error(), parent) || !strings.Contains(err.Error(), "chmod o+x") {
		t.Errorf("error does not say which folder to open up: %v", err)
	}
}
