package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ismsd/internal/pgserver"
)

// These tests run the built ismsd binary as an operator would, with the
// private PostgreSQL cluster in a data folder of their own.

const (
	readyTimeout = 15 * time.Second
	exitTimeout  = 10 * time.Second
)

// TestServe builds the binary once and runs the process-level tests in
// parallel; each uses its own data folder and port.
func TestServe(t *testing.T) {
	t.Parallel() // the processes get their own environment and data folders
	if testing.Short() {
		t.Skip("starts PostgreSQL clusters; skipped with -short")
	}
	bin := buildBinary(t)
	pgBin, err := pgserver.FindBinDir(os.Getenv("ISMS_PG_BIN"))
	if err != nil {
		t.Fatalf("these tests need the PostgreSQL server binaries: %v", err)
	}
	h := &harness{bin: bin, pgBin: pgBin}

	t.Run("FirstStartCLIAndRestart", func(t *testing.T) { t.Parallel(); testFirstStartCLIAndRestart(t, h) })
	t.Run("CrashRecovery", func(t *testing.T) { t.Parallel(); testCrashRecovery(t, h) })
	t.Run("AdminPasswordFromEnvironment", func(t *testing.T) { t.Parallel(); testAdminPasswordFromEnvironment(t, h) })
	t.Run("NoServerBinaries", func(t *testing.T) { t.Parallel(); testNoServerBinaries(t, h) })
	t.Run("PostmasterKilled", func(t *testing.T) { t.Parallel(); testPostmasterKilled(t, h) })
}

// testFirstStartCLIAndRestart: the first start creates the cluster and the
// admin account; a CLI command joins the running cluster without stopping
// it; SIGINT stops server and cluster; the second start reuses the data.
func testFirstStartCLIAndRestart(t *testing.T, h *harness) {
	dir := h.dataDir(t)
	var password string

	ok := t.Run("first start", func(t *testing.T) {
		p := h.serve(t, dir)
		p.waitReady(t)
		password = p.waitForStdout(t, regexp.MustCompile(`Password:\s+(\S+)`))
		c := login(t, p, "admin", password)
		loginRefused(t, p, "admin", password+"x")

		pm := postmasterPID(t, dir)
		cli := h.run(t, dir, "user", "list")
		if cli.code != 0 {
			t.Fatalf("ismsd user list beside the server failed:\n%s", cli)
		}
		if !regexp.MustCompile(`(?m)^\d+\s+admin\s+Administrator\s+active\s+admin$`).MatchString(cli.stdout) {
			t.Errorf("ismsd user list does not list admin as an active administrator:\n%s", cli)
		}
		if !strings.Contains(cli.stderr, "reusing running PostgreSQL") {
			t.Errorf("ismsd user list did not reuse the server's PostgreSQL:\n%s", cli)
		}
		if got := postmasterPID(t, dir); got != pm || !alive(pm) {
			t.Fatalf("PostgreSQL changed or stopped while the CLI ran (postmaster %d before, %d after, alive %v)\n%s", pm, got, alive(pm), p)
		}
		p.wantReady(t)
		me(t, p, c, "admin") // the server's connections survived the CLI

		if code := p.stop(t, syscall.SIGINT); code != 0 {
			t.Fatalf("exit code after SIGINT = %d, want 0\n%s", code, p)
		}
		wantClusterGone(t, dir, p)
		for _, s := range []string{"First start", `"admin"`} {
			if !strings.Contains(p.stdout.String(), s) {
				t.Errorf("first start: stdout lacks %q\n%s", s, p)
			}
		}
	})
	if !ok {
		return
	}

	t.Run("second start", func(t *testing.T) {
		p := h.serve(t, dir)
		p.waitReady(t)
		login(t, p, "admin", password)
		if code := p.stop(t, syscall.SIGTERM); code != 0 {
			t.Fatalf("exit code after SIGTERM = %d, want 0\n%s", code, p)
		}
		wantClusterGone(t, dir, p)
		if out := p.stdout.String(); strings.Contains(out, "First start") || strings.Contains(out, "Password:") {
			t.Errorf("second start announced a new admin account:\n%s", p)
		}
		if strings.Contains(p.stderr.String(), "initialising PostgreSQL cluster") {
			t.Errorf("second start initialised the cluster again:\n%s", p)
		}
	})
}

// testCrashRecovery: after SIGKILL the orphaned PostgreSQL keeps running;
// the next start reuses it and, as its last user, stops it on SIGINT.
func testCrashRecovery(t *testing.T, h *harness) {
	dir := h.dataDir(t)
	p := h.serve(t, dir)
	p.waitReady(t)
	password := p.waitForStdout(t, regexp.MustCompile(`Password:\s+(\S+)`))
	login(t, p, "admin", password)
	pm := postmasterPID(t, dir)

	if code := p.stop(t, syscall.SIGKILL); code != -1 {
		t.Fatalf("exit code after SIGKILL = %d, want -1 (killed)\n%s", code, p)
	}
	time.Sleep(200 * time.Millisecond) // a PostgreSQL that died with ismsd would be gone by now
	if !alive(pm) {
		t.Fatalf("PostgreSQL (pid %d) died with the killed ismsd; the test cannot check its reuse", pm)
	}

	p2 := h.serve(t, dir)
	p2.waitReady(t)
	login(t, p2, "admin", password)
	if !strings.Contains(p2.stderr.String(), "reusing running PostgreSQL") {
		t.Errorf("the restart did not reuse the orphaned PostgreSQL:\n%s", p2)
	}
	if got := postmasterPID(t, dir); got != pm {
		t.Errorf("postmaster pid changed from %d to %d: the orphan was not reused", pm, got)
	}
	if code := p2.stop(t, syscall.SIGINT); code != 0 {
		t.Fatalf("exit code after SIGINT = %d, want 0\n%s", code, p2)
	}
	wantClusterGone(t, dir, p2)
}

// testAdminPasswordFromEnvironment: ISMS_ADMIN_PASSWORD becomes the admin's
// password and is never printed.
func testAdminPasswordFromEnvironment(t *testing.T, h *harness) {
	const secret = "Env-Given-Secret-4711"
	dir := h.dataDir(t)
	p := h.serve(t, dir, "ISMS_ADMIN_PASSWORD="+secret)
	p.waitReady(t)
	login(t, p, "admin", secret)
	if code := p.stop(t, syscall.SIGINT); code != 0 {
		t.Fatalf("exit code after SIGINT = %d, want 0\n%s", code, p)
	}
	wantClusterGone(t, dir, p)
	out := p.stdout.String()
	if !strings.Contains(out, "ISMS_ADMIN_PASSWORD") {
		t.Errorf("stdout does not say that the password is the one from ISMS_ADMIN_PASSWORD:\n%s", p)
	}
	if strings.Contains(out, "Password:") {
		t.Errorf("stdout announces a generated password:\n%s", p)
	}
	if strings.Contains(out, secret) || strings.Contains(p.stderr.String(), secret) {
		t.Errorf("the admin password from the environment was printed:\n%s", p)
	}
}

// testNoServerBinaries: without PostgreSQL binaries, serve fails at once
// and tells the operator what to do.
func testNoServerBinaries(t *testing.T, h *harness) {
	dir := h.dataDir(t)
	p := h.serve(t, dir, "ISMS_PG_BIN=/nonexistent")
	code := p.wait(t)
	if code == 0 {
		t.Fatalf("serve without PostgreSQL binaries exited 0\n%s", p)
	}
	for _, s := range []string{`package "postgresql"`, "ISMS_PG_BIN", "/nonexistent", "ISMS_DATABASE_URL"} {
		if !strings.Contains(p.stderr.String(), s) {
			t.Errorf("stderr does not mention %s\n%s", s, p)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "pg", "PG_VERSION")); err == nil {
		t.Errorf("a cluster was initialised without server binaries")
	}
}

// harness holds what every process-level test needs.
type harness struct {
	bin   string // the built ismsd
	pgBin string // PostgreSQL server binaries, for cleaning up
}

// buildBinary builds ./ (this package) into a folder removed after the test.
func buildBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		if goroot := os.Getenv("GOROOT"); goroot != "" {
			goTool = filepath.Join(goroot, "bin", "go")
		} else {
			t.Fatalf("the go tool is needed to build ismsd: %v", err)
		}
	}
	bin := filepath.Join(t.TempDir(), "ismsd")
	cmd := exec.Command(goTool, "build", "-o", bin, "./")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// dataDir returns a fresh ISMS_DATA_DIR. os.MkdirTemp rather than
// t.TempDir: as root the postgres account must be able to traverse it, and
// the socket path must stay short. Cleanup stops any cluster left running.
func (h *harness) dataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ismsd-serve-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		h.stopLeftoverCluster(t, dir)
		os.RemoveAll(dir)
	})
	return dir
}

// env is the environment of ismsd: ours without ISMS_* settings (except
// ISMS_PG_BIN, which names the binaries the tests use), plus the given ones.
func (h *harness) env(dir string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ISMS_") && !strings.HasPrefix(kv, "ISMS_PG_BIN=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "ISMS_DATA_DIR="+dir, "ISMS_LOG_FORMAT=json")
	return append(env, extra...)
}

// proc is a running ismsd process.
type proc struct {
	args           []string
	cmd            *exec.Cmd
	base           string // http://127.0.0.1:<port>
	stdout, stderr *syncBuffer
	done           chan struct{} // closed when the process has exited
}

func (p *proc) String() string {
	return fmt.Sprintf("ismsd %s\n--- stdout:\n%s--- stderr:\n%s", strings.Join(p.args, " "), p.stdout, p.stderr)
}

// serve starts `ismsd serve` on a free port with the data folder dir.
func (h *harness) serve(t *testing.T, dir string, extraEnv ...string) *proc {
	t.Helper()
	addr := freeAddr(t)
	p := h.start(t, h.env(dir, append([]string{"ISMS_LISTEN=" + addr}, extraEnv...)...), "serve")
	p.base = "http://" + addr
	return p
}

// start runs the binary and makes sure it is gone when the test ends.
func (h *harness) start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{args: args, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(h.bin, args...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	p.cmd.WaitDelay = 5 * time.Second
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// cliResult is the outcome of a finished command.
type cliResult struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r cliResult) String() string {
	return fmt.Sprintf("ismsd %s\nexit code %d\n--- stdout:\n%s--- stderr:\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// run runs an operator command with the data folder dir to its end.
func (h *harness) run(t *testing.T, dir string, args ...string) cliResult {
	t.Helper()
	p := h.start(t, h.env(dir), args...)
	code := p.wait(t)
	return cliResult{args: args, code: code, stdout: p.stdout.String(), stderr: p.stderr.String()}
}

// wait waits for the process to exit by itself and returns its exit code.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("ismsd did not exit within 30s\n%s", p)
	}
	return p.cmd.ProcessState.ExitCode()
}

// stop sends sig and returns the exit code (-1 if killed by a signal).
func (p *proc) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("send %v: %v\n%s", sig, err, p)
	}
	select {
	case <-p.done:
	case <-time.After(exitTimeout):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("ismsd did not exit within %v of %v\n%s", exitTimeout, sig, p)
	}
	return p.cmd.ProcessState.ExitCode()
}

// waitReady waits until /readyz answers 200.
func (p *proc) waitReady(t *testing.T) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(readyTimeout)
	last := "no answer"
	for {
		select {
		case <-p.done:
			t.Fatalf("ismsd exited with code %d before it was ready\n%s", p.cmd.ProcessState.ExitCode(), p)
		default:
		}
		resp, err := client.Get(p.base + "/readyz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = fmt.Sprintf("%s %s", resp.Status, body)
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not 200 within %v (last: %s)\n%s", readyTimeout, last, p)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wantReady checks that the server still answers /readyz with 200.
func (p *proc) wantReady(t *testing.T) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(p.base + "/readyz")
	if err != nil {
		t.Fatalf("GET /readyz: %v\n%s", err, p)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /readyz = %s %s\n%s", resp.Status, body, p)
	}
}

// waitForStdout waits until stdout matches re (output travels through a
// pipe, so it may trail the server's readiness) and returns group 1.
func (p *proc) waitForStdout(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if m := re.FindStringSubmatch(p.stdout.String()); m != nil {
			return m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("stdout does not match %v\n%s", re, p)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// login logs in through the API, checks the session with GET /api/v1/me
// and returns a client carrying the session cookie.
func login(t *testing.T, p *proc, username, password string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	status, body := postSession(t, p, c, username, password)
	if status != http.StatusCreated {
		t.Fatalf("POST /api/v1/session as %s = %d %s, want 201\n%s", username, status, body, p)
	}
	me(t, p, c, username)

	// Without the cookie the same request is refused, so the 200 above is
	// the session's doing.
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(p.base + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/me without cookie = %s, want 401", resp.Status)
	}
	return c
}

// loginRefused checks that a wrong password is refused.
func loginRefused(t *testing.T, p *proc, username, password string) {
	t.Helper()
	status, body := postSession(t, p, &http.Client{Timeout: 10 * time.Second}, username, password)
	if status != http.StatusUnauthorized {
		t.Errorf("POST /api/v1/session with a wrong password = %d %s, want 401", status, body)
	}
}

func postSession(t *testing.T, p *proc, c *http.Client, username, password string) (int, string) {
	t.Helper()
	req, _ := json.Marshal(map[string]string{"username": username, "password": password})
	resp, err := c.Post(p.base+"/api/v1/session", "application/json", bytes.NewReader(req))
	if err != nil {
		t.Fatalf("POST /api/v1/session: %v\n%s", err, p)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// me checks that GET /api/v1/me with c's session answers 200 for username.
func me(t *testing.T, p *proc, c *http.Client, username string) {
	t.Helper()
	resp, err := c.Get(p.base + "/api/v1/me")
	if err != nil {
		t.Fatalf("GET /api/v1/me: %v\n%s", err, p)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/me = %s %s, want 200\n%s", resp.Status, body, p)
	}
	var m struct {
		Username string `json:"username"`
	}
	if err := json.Unmarshal(body, &m); err != nil || m.Username != username {
		t.Fatalf("GET /api/v1/me = %s, want the user %s (%v)", body, username, err)
	}
}

// freeAddr returns 127.0.0.1:<a port that was free a moment ago>.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// postmasterPID reads the PID of the running postmaster of dir.
func postmasterPID(t *testing.T, dir string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "pg", "postmaster.pid"))
	if err != nil {
		t.Fatalf("PostgreSQL is not running: %v", err)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		t.Fatalf("postmaster.pid starts with %q", first)
	}
	return pid
}

// alive reports whether pid is a running (non-zombie) process.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] != 'Z' && stat[i+2] != 'X'
}

// postgresProcesses lists the live processes of dir's cluster: those whose
// command line names PostgreSQL and the data folder (the postmaster, pg_ctl)
// or that work in dir/pg (the postmaster's children retitle themselves).
func postgresProcesses(dir string) []string {
	pgDir := filepath.Join(dir, "pg")
	realPG, err := filepath.EvalSymlinks(pgDir)
	if err != nil {
		realPG = pgDir
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return []string{"cannot read /proc: " + err.Error()}
	}
	var found []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		raw, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || len(raw) == 0 {
			continue
		}
		cmdline := strings.TrimSpace(strings.ReplaceAll(string(raw), "\x00", " "))
		if !strings.Contains(cmdline, "postgres") {
			continue
		}
		cwd, _ := os.Readlink("/proc/" + e.Name() + "/cwd")
		if strings.Contains(cmdline, dir+"/") || cwd == realPG {
			found = append(found, fmt.Sprintf("%d: %s", pid, cmdline))
		}
	}
	return found
}

// wantClusterGone fails the test if dir's PostgreSQL still runs after ismsd
// exited. ismsd waits for pg_ctl stop, so it must already be gone; the
// short grace only absorbs process teardown.
func wantClusterGone(t *testing.T, dir string, p fmt.Stringer) {
	t.Helper()
	pidFile := filepath.Join(dir, "pg", "postmaster.pid")
	deadline := time.Now().Add(2 * time.Second)
	for {
		_, err := os.Stat(pidFile)
		pidFileGone := errors.Is(err, fs.ErrNotExist)
		procs := postgresProcesses(dir)
		if pidFileGone && len(procs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("PostgreSQL of %s still running after ismsd exited (postmaster.pid removed: %v):\n%s\n%s",
				dir, pidFileGone, strings.Join(procs, "\n"), p)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stopLeftoverCluster stops a cluster a failed test left running in dir,
// as the postgres account when we are root, like pgserver does.
func (h *harness) stopLeftoverCluster(t *testing.T, dir string) {
	_, err := os.Stat(filepath.Join(dir, "pg", "postmaster.pid"))
	if errors.Is(err, fs.ErrNotExist) && len(postgresProcesses(dir)) == 0 {
		return
	}
	cmd := exec.Command(filepath.Join(h.pgBin, "pg_ctl"), "stop", "-w", "-t", "20", "-m", "immediate", "-D", filepath.Join(dir, "pg"))
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if os.Geteuid() == 0 {
		if cred, err := postgresCredential(); err == nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		} else {
			t.Logf("cleanup: %v", err)
		}
	}
	out, err := cmd.CombinedOutput()
	t.Logf("cleanup: stopped the PostgreSQL left running in %s: %v\n%s", dir, err, out)
	// Last resort for processes pg_ctl did not end: they are ours (they run
	// from this test's data folder).
	for _, line := range postgresProcesses(dir) {
		pidText, _, _ := strings.Cut(line, ":")
		if pid, err := strconv.Atoi(pidText); err == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

func postgresCredential() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, err
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// syncBuffer collects a process's output, which a goroutine of os/exec
// writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
