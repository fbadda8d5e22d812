// Package pgserver starts, reuses, supervises and stops a private
// PostgreSQL cluster from the locally installed server binaries: a durable
// one kept across restarts for `ismsd serve`, or a throwaway one with fsync
// off for tests.
//
// The server listens only on a Unix socket in a 0700 folder, so trust
// authentication admits nobody but the OS account running PostgreSQL (and
// root).
package pgserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// port only names the socket file: the server opens no TCP port. It is
	// passed explicitly so that a PGPORT in the environment cannot move it.
	port           = 5432
	socketFileName = ".s.PGSQL.5432"
	// maxSocketPath is sizeof(sockaddr_un.sun_path) minus the terminating NUL.
	maxSocketPath = 107

	startTimeout = 5 * time.Minute // crash recovery of a durable cluster may take a while
	stopTimeout  = 2 * time.Minute
	// reuseWaitTimeout bounds waiting for another process's server that is
	// still starting or stopping.
	reuseWaitTimeout = time.Minute
	// orphanWaitTimeout bounds waiting for the children of a dead postmaster,
	// which exit on their own once they notice it is gone.
	orphanWaitTimeout = 30 * time.Second
	pollInterval      = 100 * time.Millisecond
	logTailLines      = 20
)

// Options configures a private cluster.
type Options struct {
	Dir     string       // root folder; the cluster lives in Dir/pg (PGDATA), the Unix socket in Dir/run. Created if missing.
	BinDir  string       // folder holding initdb, pg_ctl, postgres; "" = discover (see FindBinDir)
	Durable bool         // true: normal durable settings (product). false: fsync=off, synchronous_commit=off, full_page_writes=off (tests)
	Logger  *slog.Logger // may be nil (then discard)
}

// Cluster is a running private PostgreSQL server, started by this process
// or reused from another one.
type Cluster struct {
	dir       string
	dataDir   string
	socketDir string
	binDir    string
	durable   bool
	account   *serverAccount // nil: PostgreSQL runs as the current user
	log       *slog.Logger

	mu         sync.Mutex
	owned      bool
	child      *child   // the postmaster this process started; nil when it reused another's
	user       *os.File // holds a shared lock on users.lock while we use the server
	stopped    bool
	supervisor func() // ends Supervise and waits for it; nil when not supervising
}

// child is a postmaster started by this process, which alone can learn
// its exit status.
type child struct {
	pid    int
	exited chan struct{} // closed when it has exited
	err    error         // its exit status, set before exited is closed
}

// Start initialises the cluster if Dir/pg has no PG_VERSION, reuses a
// server already running from this Dir (started by another ismsd process),
// recovers from a stale postmaster.pid, and otherwise starts the server and
// waits until it accepts connections.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	c, err := newCluster(opts)
	if err != nil {
		return nil, err
	}
	if err := c.prepareDirs(); err != nil {
		return nil, err
	}
	// Serialise Start across ismsd processes sharing Dir, so that two of them
	// never both decide to start (or to clean up after) the server.
	unlock, err := lockFile(ctx, filepath.Join(c.socketDir, "pgserver.lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()

	reused, err := c.reuseRunning(ctx)
	if err != nil {
		return nil, err
	}
	if reused {
		return c, c.registerUser()
	}
	if _, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION")); errors.Is(err, fs.ErrNotExist) {
		if err := c.initdb(ctx); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	if err := c.waitForOrphans(ctx); err != nil {
		return nil, err
	}
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	return c, c.registerUser()
}

// registerUser takes a shared lock on users.lock for as long as this
// Cluster is in use. Every process using the server holds one, so Stop
// can tell whether it is the last; the kernel drops the lock of a process
// that dies. It is taken under the start lock, which Stop holds too, so a
// process that has just reused the server is always counted.
func (c *Cluster) registerUser() error {
	f, err := os.OpenFile(c.usersLockPath(), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("open users lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
		f.Close()
		return fmt.Errorf("lock %s: %w", c.usersLockPath(), err)
	}
	c.user = f
	return nil
}

func newCluster(opts Options) (*Cluster, error) {
	if opts.Dir == "" {
		return nil, errors.New("pgserver: no data folder given (ISMS_DATA_DIR)")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	// pg_ctl start pastes PGDATA and the log path into a shell command
	// between double quotes, so these characters would break or subvert it
	// when an operator runs it on the cluster by hand.
	if strings.ContainsAny(dir, "\"$`\\\n") {
		return nil, fmt.Errorf("data folder %q contains a character pg_ctl cannot quote (\" $ ` \\ or newline): choose another ISMS_DATA_DIR", dir)
	}
	c := &Cluster{
		dir:       dir,
		dataDir:   filepath.Join(dir, "pg"),
		socketDir: filepath.Join(dir, "run"),
		durable:   opts.Durable,
		log:       opts.Logger,
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if socket := c.socketPath(); len(socket) >= maxSocketPath {
		return nil, fmt.Errorf("PostgreSQL socket path %s is %d bytes, but Unix socket paths must stay under %d: choose a shorter ISMS_DATA_DIR",
			socket, len(socket), maxSocketPath)
	}
	if c.binDir, err = FindBinDir(opts.BinDir); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		if c.account, err = lookupServerAccount("postgres"); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// prepareDirs creates Dir, Dir/pg and Dir/run with the ownership and modes
// described in the package comment.
func (c *Cluster) prepareDirs() error {
	// As root, Dir stays root's but the server account must pass through it.
	dirPerm := fs.FileMode(0o700)
	if c.account != nil {
		dirPerm = 0o755
	}
	if err := mkdirAll(c.dir, dirPerm); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	if c.account != nil {
		if err := ensureTraversable(c.dir, c.account); err != nil {
			return err
		}
	}
	for _, path := range []string{c.dataDir, c.socketDir} {
		if err := ensurePrivateDir(path, c.account); err != nil {
			return fmt.Errorf("prepare %s: %w", path, err)
		}
	}
	return nil
}

// reuseRunning looks at postmaster.pid: a live postmaster of this cluster is
// reused (waiting if it is still starting up), a stale file is removed.
func (c *Cluster) reuseRunning(ctx context.Context) (bool, error) {
	pidFile := c.pidFilePath()
	deadline := time.Now().Add(reuseWaitTimeout)
	for {
		pm, err := readPostmasterPid(pidFile)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("read %s: %w", pidFile, err)
		}
		if !c.isOurPostmaster(pm.pid) {
			return false, c.removeStale(pm.pid)
		}
		if pm.isLive() {
			if !c.socketExists() {
				return false, fmt.Errorf("PostgreSQL (pid %d) is running from %s but has no socket in %s (its socket folder is %q); stop it and retry",
					pm.pid, c.dataDir, c.socketDir, pm.socketDir)
			}
			c.log.Info("reusing running PostgreSQL", "dir", c.dataDir, "pid", pm.pid)
			return true, nil
		}
		// Still starting (or stopping, after which we start it ourselves).
		if time.Now().After(deadline) {
			return false, fmt.Errorf("PostgreSQL (pid %d) from %s is still %q after %v; see %s",
				pm.pid, c.dataDir, pm.status, reuseWaitTimeout, c.logPath())
		}
		if err := sleep(ctx, pollInterval); err != nil {
			return false, err
		}
	}
}

func (c *Cluster) isOurPostmaster(pid int) bool {
	return isPostgresProcess(pid) && runsIn(pid, c.realDataDir())
}

// removeStale deletes the pid file and socket lock files a dead postmaster
// left behind. PostgreSQL copes with a dead PID itself, but not with one the
// OS has since given to an unrelated process, which it takes for a running
// server.
func (c *Cluster) removeStale(pid int) error {
	if err := os.Remove(c.pidFilePath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove stale postmaster.pid: %w", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(c.socketDir, ".s.PGSQL.*"))
	for _, path := range leftovers {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove stale socket file: %w", err)
		}
	}
	c.log.Info("removed stale postmaster.pid", "dir", c.dataDir, "pid", pid)
	return nil
}

// waitForOrphans waits until no children of a dead postmaster still work in
// PGDATA, since a new postmaster must not run beside them.
func (c *Cluster) waitForOrphans(ctx context.Context) error {
	deadline := time.Now().Add(orphanWaitTimeout)
	logged := false
	for {
		pids := postgresProcessesIn(c.realDataDir())
		if len(pids) == 0 {
			return nil
		}
		if !logged {
			c.log.Info("waiting for processes of a dead PostgreSQL server to exit", "dir", c.dataDir, "pids", pids)
			logged = true
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("PostgreSQL processes %v from an earlier server still use %s; stop them and retry", pids, c.dataDir)
		}
		if err := sleep(ctx, pollInterval); err != nil {
			return err
		}
	}
}

func (c *Cluster) initdb(ctx context.Context) error {
	c.log.Info("initialising PostgreSQL cluster", "dir", c.dataDir)
	args := []string{"-D", c.dataDir, "--username=postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"}
	if !c.durable {
		args = append(args, "--no-sync")
	}
	cmd := c.command(ctx, "initdb", args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initialise PostgreSQL cluster in %s: %w\n%s", c.dataDir, err, tail(string(out), logTailLines))
	}
	return nil
}

// start runs the postmaster as a child of this process, so that its exit
// status is known when it dies, and waits until it accepts connections.
// It runs in a session of its own, as pg_ctl would start it: a Ctrl-C in
// the terminal goes to the whole foreground process group, and PostgreSQL
// must not get it, since ismsd stops it itself via Stop.
func (c *Cluster) start(ctx context.Context) error {
	c.log.Info("starting PostgreSQL", "dir", c.dataDir)
	logFile, err := c.openLog()
	if err != nil {
		return err
	}
	// Not bound to ctx: the postmaster outlives the start.
	cmd := c.command(context.Background(), "postgres", c.serverArgs()...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr.Setsid = true
	err = cmd.Start()
	logFile.Close()
	if err != nil {
		return fmt.Errorf("start PostgreSQL in %s: %w", c.dataDir, err)
	}
	pm := &child{pid: cmd.Process.Pid, exited: make(chan struct{})}
	go func() {
		pm.err = cmd.Wait()
		close(pm.exited)
	}()
	if err := c.waitUntilReady(ctx, pm); err != nil {
		select {
		case <-pm.exited:
			err = fmt.Errorf("%w (%v)", err, pm.err)
		default:
			// Still coming up (timeout, cancelled ctx): do not leave it
			// running unowned. SIGQUIT is PostgreSQL's immediate shutdown.
			cmd.Process.Signal(syscall.SIGQUIT)
			<-pm.exited
		}
		return fmt.Errorf("start PostgreSQL in %s: %w\nlast lines of %s:\n%s", c.dataDir, err, c.logPath(), c.logTail())
	}
	c.mu.Lock()
	c.owned, c.child = true, pm
	c.mu.Unlock()
	return nil
}

// waitUntilReady waits until the postmaster pid reports itself ready in
// postmaster.pid and its socket exists, as pg_ctl start -w does.
func (c *Cluster) waitUntilReady(ctx context.Context, pm *child) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	for {
		if f, err := readPostmasterPid(c.pidFilePath()); err == nil && f.pid == pm.pid && f.isLive() && c.socketExists() {
			return nil
		}
		select {
		case <-pm.exited:
			return errors.New("the server exited during its start")
		case <-ctx.Done():
			return fmt.Errorf("the server did not become ready: %w", ctx.Err())
		case <-time.After(pollInterval / 2):
		}
	}
}

// openLog opens server.log for appending, where PostgreSQL writes its log
// as it did when pg_ctl -l started it.
func (c *Cluster) openLog() (*os.File, error) {
	f, err := os.OpenFile(c.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL log: %w", err)
	}
	if c.account != nil {
		if err := f.Chown(c.account.uid, c.account.gid); err != nil {
			f.Close()
			return nil, fmt.Errorf("hand %s to OS user %q: %w", c.logPath(), c.account.name, err)
		}
	}
	return f, nil
}

// serverArgs are the postmaster's command-line arguments.
func (c *Cluster) serverArgs() []string {
	args := []string{
		"-D", c.dataDir,
		"-p", strconv.Itoa(port),
		"-k", c.socketDir,
		"-c", "listen_addresses=",
		"-c", "unix_socket_permissions=0700",
	}
	if !c.durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	return args
}

// Stop ends this process's use of the server (and its supervision) and
// shuts the server down cleanly (pg_ctl stop -m fast, wait) when no other
// process uses it any more, whether this process started it or reused it
// (say, after the one that started it crashed). Safe to call twice.
func (c *Cluster) Stop() error {
	if c == nil {
		return nil
	}
	c.endSupervision()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return nil
	}
	c.stopped = true
	unlock, err := lockFile(context.Background(), filepath.Join(c.socketDir, "pgserver.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	last, err := c.lastUser()
	if err != nil || !last {
		return err
	}
	// Only a postmaster of this cluster is ours to stop.
	pm, err := readPostmasterPid(c.pidFilePath())
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !c.isOurPostmaster(pm.pid)) {
		return nil
	}
	cmd := c.command(context.Background(), "pg_ctl", "stop", "-w", "-t", seconds(stopTimeout), "-m", "fast", "-D", c.dataDir)
	cmd.SysProcAttr.Setpgid = true
	if out, err := cmd.CombinedOutput(); err != nil {
		// Someone else may already have stopped it, which is what we wanted.
		if _, statErr := os.Stat(c.pidFilePath()); !errors.Is(statErr, fs.ErrNotExist) {
			return fmt.Errorf("stop PostgreSQL in %s: %w\n%s", c.dataDir, err, strings.TrimSpace(string(out)))
		}
	}
	c.log.Info("stopped PostgreSQL", "dir", c.dataDir)
	return nil
}

// lastUser gives up this process's shared lock and reports whether an
// exclusive one can be had, that is whether no other process uses the
// server. The caller holds the start lock, so no new user can register.
func (c *Cluster) lastUser() (bool, error) {
	if c.user != nil {
		c.user.Close()
		c.user = nil
	}
	f, err := os.OpenFile(c.usersLockPath(), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return false, fmt.Errorf("open users lock: %w", err)
	}
	defer f.Close()
	// A child forked by any goroutine of this process holds a copy of the
	// shared lock's descriptor until it execs, so a refusal is tried again
	// for a moment before it counts as another user.
	for try := 0; ; try++ {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			break
		}
		if try == 10 {
			return false, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return false, fmt.Errorf("lock %s: %w", c.usersLockPath(), err)
	}
	return true, nil
}

// Owned reports whether this process started the server.
func (c *Cluster) Owned() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.owned
}

// SocketDir returns Dir/run (absolute path).
func (c *Cluster) SocketDir() string { return c.socketDir }

// URL returns a lib/pq connection URL for the bootstrap superuser
// "postgres" on database dbname over the Unix socket.
func (c *Cluster) URL(dbname string) string { return c.URLFor("postgres", dbname) }

// URLFor is like URL but for another role (user) name.
func (c *Cluster) URLFor(user, dbname string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(user),
		Path:     "/" + dbname,
		RawQuery: "host=" + url.QueryEscape(c.socketDir) + "&port=" + strconv.Itoa(port) + "&sslmode=disable",
	}
	return u.String()
}

// command prepares one of the server binaries, run as the server account
// when we are root.
func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, name), args...)
	// The server account may not be allowed into our working folder.
	cmd.Dir = c.dir
	cmd.Env = serverEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if c.account != nil {
		cmd.SysProcAttr.Credential = c.account.credential()
	}
	// Guards against a descendant holding our output pipe open.
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// serverEnv is our environment without PG* variables, which would
// otherwise redirect the tools (PGDATA, PGPORT, PGHOST, ...).
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return env
}

func (c *Cluster) socketPath() string    { return filepath.Join(c.socketDir, socketFileName) }
func (c *Cluster) pidFilePath() string   { return filepath.Join(c.dataDir, "postmaster.pid") }
func (c *Cluster) usersLockPath() string { return filepath.Join(c.socketDir, "users.lock") }
func (c *Cluster) logPath() string       { return filepath.Join(c.dataDir, "server.log") }

func (c *Cluster) socketExists() bool {
	info, err := os.Lstat(c.socketPath())
	return err == nil && info.Mode()&fs.ModeSocket != 0
}

// realDataDir is PGDATA with symlinks resolved, as /proc/<pid>/cwd shows it.
func (c *Cluster) realDataDir() string {
	if real, err := filepath.EvalSymlinks(c.dataDir); err == nil {
		return real
	}
	return c.dataDir
}

// logTail returns the last lines of server.log, where PostgreSQL explains
// why it did not start.
func (c *Cluster) logTail() string {
	f, err := os.Open(c.logPath())
	if err != nil {
		return "(" + err.Error() + ")"
	}
	defer f.Close()
	const maxRead = 64 << 10
	if info, err := f.Stat(); err == nil && info.Size() > maxRead {
		if _, err := f.Seek(-maxRead, io.SeekEnd); err != nil {
			return "(" + err.Error() + ")"
		}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return tail(string(data), logTailLines)
}

func tail(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func seconds(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// lockFile takes an exclusive flock on path, waiting until ctx is done. The
// kernel drops the lock if the process dies, so it can never go stale.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if err := sleep(ctx, pollInterval); err != nil {
			f.Close()
			return nil, fmt.Errorf("wait for lock %s: %w", path, err)
		}
	}
}
