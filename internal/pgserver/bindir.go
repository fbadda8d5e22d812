package pgserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// serverBinaries are the programs a private cluster needs.
var serverBinaries = []string{"initdb", "pg_ctl", "postgres"}

// installHelp tells the operator the three ways out when no server binaries exist.
const installHelp = `install the PostgreSQL server (Debian/Ubuntu: package "postgresql", e.g. apt-get install postgresql), ` +
	`set ISMS_PG_BIN to the folder holding initdb, pg_ctl and postgres, ` +
	`or set ISMS_DATABASE_URL to use an existing PostgreSQL server instead`

// FindBinDir returns the folder with the server binaries: hint if non-empty
// (must contain initdb, pg_ctl, postgres), else `pg_config --bindir` if that
// folder has them, else the highest version under /usr/lib/postgresql/*/bin,
// else /usr/local/pgsql/bin, else a folder on PATH holding initdb.
func FindBinDir(hint string) (string, error) {
	if hint != "" {
		if !hasServerBinaries(hint) {
			return "", fmt.Errorf("PostgreSQL server binaries (%s) not found in %s (ISMS_PG_BIN): %s",
				strings.Join(serverBinaries, ", "), hint, installHelp)
		}
		return filepath.Abs(hint)
	}
	for _, candidate := range binDirCandidates() {
		if hasServerBinaries(candidate) {
			return filepath.Abs(candidate)
		}
	}
	return "", errors.New("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: " + installHelp)
}

// binDirCandidates lists the places to look, most specific first.
func binDirCandidates() []string {
	var dirs []string
	if dir := pgConfigBinDir(); dir != "" {
		dirs = append(dirs, dir)
	}
	dirs = append(dirs, debianBinDirs()...)
	dirs = append(dirs, "/usr/local/pgsql/bin")
	if initdb, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(initdb))
	}
	return dirs
}

// pgConfigBinDir asks pg_config; on Debian it may name /usr/bin, which only
// holds the client wrappers, hence the caller's check for the binaries.
func pgConfigBinDir() string {
	pgConfig, err := exec.LookPath("pg_config")
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, pgConfig, "--bindir").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// debianBinDirs returns /usr/lib/postgresql/<version>/bin, highest version first.
func debianBinDirs() []string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
	})
	return dirs
}

// compareVersions orders dotted numeric versions ("9.6" < "15"); non-numeric
// parts count as 0 so odd folder names sort last rather than failing.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(as), len(bs)) {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

func hasServerBinaries(dir string) bool {
	for _, name := range serverBinaries {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil || !info.Mode().IsRegular() || info.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}
