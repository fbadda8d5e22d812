package pgserver

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// postmasterPid is what matters to us in PGDATA/postmaster.pid. The file's
// layout is fixed by PostgreSQL: line 1 PID, line 5 first socket folder,
// line 8 status ("starting", "ready", "stopping", "standby").
type postmasterPid struct {
	pid       int
	socketDir string
	status    string
}

// readPostmasterPid parses the pid file. The postmaster writes it in steps,
// so missing lines are not an error: they leave the fields empty.
func readPostmasterPid(path string) (postmasterPid, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return postmasterPid{}, err
	}
	lines := strings.Split(string(data), "\n")
	line := func(n int) string {
		if n <= len(lines) {
			return strings.TrimSpace(lines[n-1])
		}
		return ""
	}
	pid, _ := strconv.Atoi(line(1))
	return postmasterPid{pid: pid, socketDir: line(5), status: line(8)}, nil
}

// isLive reports whether the postmaster is up and answering: "standby" is
// the ready state of a replica.
func (p postmasterPid) isLive() bool {
	return p.status == "ready" || p.status == "standby"
}

// isPostgresProcess reports whether pid is a live (non-zombie) process
// running the postgres binary. A killed postmaster whose parent does not
// reap it lingers as a zombie, which signal 0 still "finds".
func isPostgresProcess(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	if isZombie(pid) {
		return false
	}
	proc := "/proc/" + strconv.Itoa(pid)
	// exe is authoritative but only readable for our own processes (or as root).
	if exe, err := os.Readlink(proc + "/exe"); err == nil {
		return isPostgresName(strings.TrimSuffix(exe, " (deleted)"))
	}
	cmdline, err := os.ReadFile(proc + "/cmdline")
	if err != nil || len(cmdline) == 0 {
		return false
	}
	argv0, _, _ := bytes.Cut(cmdline, []byte{0})
	// Child processes overwrite argv with a title such as "postgres: checkpointer".
	first, _, _ := strings.Cut(string(argv0), " ")
	return isPostgresName(strings.TrimSuffix(first, ":"))
}

func isPostgresName(path string) bool {
	base := filepath.Base(path)
	return base == "postgres" || base == "postmaster"
}

func isZombie(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name, which may itself hold ")".
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X')
}

// runsIn reports whether pid's working folder is dir. PostgreSQL processes
// chdir into PGDATA, so this tells our cluster's processes from another
// cluster's after PID reuse. Unknown (unreadable) counts as yes so that the
// check never declares a live server stale on missing permissions alone.
func runsIn(pid int, realDir string) bool {
	cwd, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd")
	if err != nil {
		return true
	}
	return cwd == realDir
}

// postgresProcessesIn lists live postgres processes whose working folder is
// realDir. After the postmaster dies its children keep running for a moment;
// starting a new postmaster beside them could corrupt the data, and removing
// postmaster.pid disables PostgreSQL's own shared-memory interlock, so we
// look for them ourselves.
func postgresProcessesIn(realDir string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, entry := range entries {
		pid, err := strconv.Atoi(entry.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cwd, err := os.Readlink("/proc/" + entry.Name() + "/cwd")
		if err != nil || cwd != realDir {
			continue
		}
		if isPostgresProcess(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}
