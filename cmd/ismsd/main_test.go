package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"ismsd/internal/account"
	"ismsd/internal/catalog/catalogtest"
	"ismsd/internal/config"
	"ismsd/internal/postgres"
	"ismsd/internal/postgres/pgtest"
	"ismsd/migrations"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// result is what one in-process run of the command produced.
type result struct {
	args   []string
	code   int
	stdout string
	stderr string
}

func (r result) String() string {
	return fmt.Sprintf("ismsd %s\nexit code %d\n--- stdout:\n%s--- stderr:\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// runCLI runs the command in-process, as main would, with the settings the
// test has put into the environment.
func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, args, &out, &errOut)
	return result{args: args, code: code, stdout: out.String(), stderr: errOut.String()}
}

// mustRun runs the command and fails the test unless it exits with want.
func mustRun(t *testing.T, want int, args ...string) result {
	t.Helper()
	r := runCLI(t, args...)
	if r.code != want {
		t.Fatalf("want exit code %d, got:\n%s", want, r)
	}
	return r
}

// wantContains fails the test unless text holds every one of subs.
func wantContains(t *testing.T, r result, what, text string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(text, s) {
			t.Errorf("%s does not contain %q:\n%s", what, s, r)
		}
	}
}

// isolateEnv clears every ISMS_* setting for the test, so that the
// developer's environment cannot redirect the command, and makes a command
// that wrongly gets as far as the private cluster fail at once (exit 1)
// instead of starting PostgreSQL in ./data.
func isolateEnv(t *testing.T) {
	t.Helper()
	for _, s := range config.Settings {
		t.Setenv(s.Env, "")
	}
	t.Setenv("ISMS_PG_BIN", "/nonexistent/ismsd-test-pg-bin")
	t.Setenv("ISMS_DATA_DIR", "/nonexistent/ismsd-test-data")
	t.Setenv("ISMS_LOG_FORMAT", "text")
	t.Setenv("ISMS_LOG_LEVEL", "warn")
}

// useDatabase gives the test a fresh migrated database and points the
// command at it: the server's role for running, the owner for migrations.
func useDatabase(t *testing.T) pgtest.DB {
	t.Helper()
	d := pgtest.New(t)
	isolateEnv(t)
	t.Setenv("ISMS_DATABASE_URL", d.AppURL)
	t.Setenv("ISMS_MIGRATION_DATABASE_URL", d.OwnerURL)
	return d
}

// ownerDB connects as the superuser that owns the tables.
func ownerDB(t *testing.T, d pgtest.DB) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", d.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// addAdmin creates the enabled administrator "root", as the first start of
// the server would, so that changes to other accounts are not refused for
// leaving no administrator.
func addAdmin(t *testing.T) {
	t.Helper()
	mustRun(t, 0, "user", "add", "root", "--role", "admin")
}

var passwordLine = regexp.MustCompile(`(?m)^password: (\S+)$`)

// printedPassword returns the password the command printed once.
func printedPassword(t *testing.T, r result) string {
	t.Helper()
	m := passwordLine.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no \"password: ...\" line in the output:\n%s", r)
	}
	return m[1]
}

// checkPassword fails the test unless the stored hash of username matches
// password and the must-change flag is as wanted.
func checkPassword(t *testing.T, db *sql.DB, username, password string, mustChange bool) {
	t.Helper()
	var hash string
	var must bool
	if err := db.QueryRow(`SELECT password_hash, must_change_password FROM users WHERE username = $1`, username).Scan(&hash, &must); err != nil {
		t.Fatalf("read password of %s: %v", username, err)
	}
	ok, err := account.VerifyPassword(password, hash)
	if err != nil {
		t.Fatalf("verify password of %s: %v", username, err)
	}
	if !ok {
		t.Errorf("the stored password of %s is not %q", username, password)
	}
	if must != mustChange {
		t.Errorf("must_change_password of %s = %v, want %v", username, must, mustChange)
	}
}

// userRow is one line of `ismsd user list`.
type userRow struct {
	ID, Username, Name, Status, Roles string
}

// listUsersCLI runs `user list` and parses its table by the column positions
// of the header (a cell may be empty).
func listUsersCLI(t *testing.T) map[string]userRow {
	t.Helper()
	r := mustRun(t, 0, "user", "list")
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	header := lines[0]
	if strings.Join(strings.Fields(header), " ") != "ID USERNAME NAME STATUS ROLES" {
		t.Fatalf("unexpected header of user list:\n%s", r)
	}
	var starts []int
	for i := range header {
		if header[i] != ' ' && (i == 0 || header[i-1] == ' ') {
			starts = append(starts, i)
		}
	}
	cell := func(line string, col int) string {
		from := min(starts[col], len(line))
		to := len(line)
		if col+1 < len(starts) {
			to = min(starts[col+1], len(line))
		}
		return strings.TrimSpace(line[from:to])
	}
	rows := map[string]userRow{}
	for _, line := range lines[1:] {
		u := userRow{ID: cell(line, 0), Username: cell(line, 1), Name: cell(line, 2), Status: cell(line, 3), Roles: cell(line, 4)}
		if _, err := strconv.ParseInt(u.ID, 10, 64); err != nil || u.Username == "" {
			t.Fatalf("cannot parse line %q of user list:\n%s", line, r)
		}
		rows[u.Username] = u
	}
	return rows
}

func roleSet(roles string) map[string]bool {
	set := map[string]bool{}
	for _, r := range strings.Split(roles, ", ") {
		if r != "" {
			set[r] = true
		}
	}
	return set
}

// withStdin makes os.Stdin read input (then end of file) until the test ends.
func withStdin(t *testing.T, input string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteString(input); err != nil { // fits the pipe buffer
		t.Fatal(err)
	}
	w.Close()
	old := os.Stdin
	os.Stdin = r
	t.Cleanup(func() {
		os.Stdin = old
		r.Close()
	})
}

func TestUserAddAndList(t *testing.T) {
	d := useDatabase(t)
	db := ownerDB(t, d)
	addAdmin(t)

	r := mustRun(t, 0, "user", "add", "alice", "--display-name", "Alice", "--role", "isb")
	wantContains(t, r, "stdout", r.stdout, "created user alice", "granted role isb (global)")
	checkPassword(t, db, "alice", printedPassword(t, r), true)

	users := listUsersCLI(t)
	alice, ok := users["alice"]
	if !ok {
		t.Fatalf("user list has no alice: %+v", users)
	}
	if alice.Name != "Alice" || alice.Status != "must-change-password" || alice.Roles != "isb" {
		t.Errorf("alice in user list = %+v, want name Alice, status must-change-password, roles isb", alice)
	}
	if root := users["root"]; root.Roles != "admin" || root.Status != "must-change-password" {
		t.Errorf("root in user list = %+v, want roles admin", root)
	}

	t.Run("weak password from stdin", func(t *testing.T) {
		withStdin(t, "password1234\n")
		r := mustRun(t, 1, "user", "add", "dora", "--password-stdin")
		wantContains(t, r, "stderr", r.stderr, "too easy to guess")
	})

	t.Run("password from stdin", func(t *testing.T) {
		withStdin(t, "a long enough password\n")
		r := mustRun(t, 0, "user", "add", "carol", "--password-stdin")
		if passwordLine.MatchString(r.stdout) {
			t.Errorf("a password was printed although it came from stdin:\n%s", r)
		}
		checkPassword(t, db, "carol", "a long enough password", true)
	})

	refused := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"duplicate", []string{"user", "add", "alice"}, `user "alice" already exists`},
		{"duplicate in other case", []string{"user", "add", " ALICE "}, `already exists`},
		{"space in name", []string{"user", "add", "Bad Name"}, "username must be 2 to 64 characters"},
		{"too short", []string{"user", "add", "x"}, "username must be 2 to 64 characters"},
		{"role needing a department", []string{"user", "add", "bob", "--role", "department_head"}, "needs a department"},
		{"unknown role", []string{"user", "add", "bob", "--role", "wizard"}, "unknown role"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRun(t, 1, tc.args...)
			wantContains(t, r, "stderr", r.stderr, "ismsd user: ", tc.wantErr)
			if passwordLine.MatchString(r.stdout) {
				t.Errorf("a password was printed for a refused account:\n%s", r)
			}
		})
	}

	if got := len(listUsersCLI(t)); got != 3 {
		t.Errorf("after the refused additions there are %d users, want 3 (root, alice, carol)", got)
	}
}

// TestChangesWithoutAnyAdmin: accounts made from the shell before the
// first start have no administrator; changing them must still work.
func TestChangesWithoutAnyAdmin(t *testing.T) {
	useDatabase(t)
	mustRun(t, 0, "user", "add", "alice", "--role", "auditor")
	mustRun(t, 0, "user", "revoke", "alice", "auditor")
	mustRun(t, 0, "user", "disable", "alice")
	r := mustRun(t, 2, "user", "list", "--role", "isb")
	wantContains(t, r, "stderr", r.stderr, "--role does not apply to list")
}

func TestUserGrantRevoke(t *testing.T) {
	d := useDatabase(t)
	db := ownerDB(t, d)
	addAdmin(t)
	mustRun(t, 0, "user", "add", "alice")
	var dept int64
	if err := db.QueryRow(`INSERT INTO departments (name) VALUES ('IT') RETURNING id`).Scan(&dept); err != nil {
		t.Fatal(err)
	}
	deptArg := strconv.FormatInt(dept, 10)

	roles := func() map[string]bool {
		t.Helper()
		return roleSet(listUsersCLI(t)["alice"].Roles)
	}

	r := mustRun(t, 0, "user", "grant", "alice", "auditor")
	wantContains(t, r, "stdout", r.stdout, "granted role auditor (global) for alice")
	if !roles()["auditor"] {
		t.Fatalf("after grant, alice lacks auditor: %+v", listUsersCLI(t)["alice"])
	}

	r = mustRun(t, 0, "user", "revoke", "ALICE", "auditor") // names are case-insensitive
	wantContains(t, r, "stdout", r.stdout, "revoked role auditor (global) for alice")
	if roles()["auditor"] {
		t.Fatalf("after revoke, alice still has auditor: %+v", listUsersCLI(t)["alice"])
	}

	r = mustRun(t, 0, "user", "grant", "alice", "department_head", "--department", deptArg)
	wantContains(t, r, "stdout", r.stdout, "granted role department_head for department "+deptArg+" for alice")
	if got := roles(); !got["department_head@IT"] || len(got) != 1 {
		t.Fatalf("alice's roles = %v, want only department_head@IT", got)
	}

	refused := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"department role without department", []string{"user", "grant", "alice", "department_head"}, "role department_head needs a department"},
		{"unknown user", []string{"user", "grant", "nobody", "isb"}, `no user "nobody"`},
		{"unknown role", []string{"user", "grant", "alice", "wizard"}, "unknown role wizard"},
		{"global role for department", []string{"user", "grant", "alice", "admin", "--department", deptArg}, "granted only globally"},
		{"granted twice", []string{"user", "grant", "alice", "department_head", "--department", deptArg}, "already has this role"},
		{"revoke role not held", []string{"user", "revoke", "alice", "management"}, "does not have this role"},
		{"revoke unknown user", []string{"user", "revoke", "nobody", "isb"}, `no user "nobody"`},
		{"revoke last admin", []string{"user", "revoke", "root", "admin"}, "no enabled administrator"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRun(t, 1, tc.args...)
			wantContains(t, r, "stderr", r.stderr, "ismsd user: ", tc.wantErr)
		})
	}
	if got := roles(); !got["department_head@IT"] || len(got) != 1 {
		t.Errorf("after the refused changes alice's roles = %v, want only department_head@IT", got)
	}
	if got := roleSet(listUsersCLI(t)["root"].Roles); !got["admin"] {
		t.Errorf("root lost the admin role: %v", got)
	}
}

func TestUserSetPassword(t *testing.T) {
	d := useDatabase(t)
	db := ownerDB(t, d)
	addAdmin(t)
	mustRun(t, 0, "user", "add", "alice")
	const good = "correct horse battery"

	t.Run("from stdin", func(t *testing.T) {
		withStdin(t, good+"\n")
		r := mustRun(t, 0, "user", "set-password", "alice", "--password-stdin")
		wantContains(t, r, "stdout", r.stdout, "password of alice set")
		if passwordLine.MatchString(r.stdout) {
			t.Errorf("a password was printed although it came from stdin:\n%s", r)
		}
		checkPassword(t, db, "alice", good, true)
	})

	refused := []struct {
		name     string
		stdin    string
		code     int
		wantErr  string
		username string
	}{
		{"too short", "short pw\n", 1, "at least 12", "alice"},
		{"weak", "password1234\n", 1, "too easy to guess", "alice"},
		{"with the user name", "Alice in Wonderland 1865\n", 1, "must not contain the user name", "alice"},
		{"the previous one", good + "\n", 1, "must differ from the previous one", "alice"},
		{"empty stdin", "", 2, "standard input held no password", "alice"},
		{"unknown user", good + "\n", 1, `no user "nobody"`, "nobody"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			withStdin(t, tc.stdin)
			r := mustRun(t, tc.code, "user", "set-password", tc.username, "--password-stdin")
			wantContains(t, r, "stderr", r.stderr, tc.wantErr)
			checkPassword(t, db, "alice", good, true) // unchanged
		})
	}

	t.Run("generated", func(t *testing.T) {
		r := mustRun(t, 0, "user", "set-password", "alice")
		pw := printedPassword(t, r)
		if pw == good {
			t.Fatalf("the generated password is the old one")
		}
		checkPassword(t, db, "alice", pw, true)
	})
}

func TestUserDisableEnable(t *testing.T) {
	d := useDatabase(t)
	db := ownerDB(t, d)
	addAdmin(t)
	mustRun(t, 0, "user", "add", "alice")
	disabled := func(name string) bool {
		t.Helper()
		var v bool
		if err := db.QueryRow(`SELECT disabled FROM users WHERE username = $1`, name).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}

	r := mustRun(t, 0, "user", "disable", "alice")
	wantContains(t, r, "stdout", r.stdout, "user alice disabled")
	if !disabled("alice") {
		t.Fatal("alice is not disabled in the database")
	}
	if got := listUsersCLI(t)["alice"].Status; got != "disabled" {
		t.Errorf("user list shows alice as %q, want disabled", got)
	}

	r = mustRun(t, 0, "user", "enable", "alice")
	wantContains(t, r, "stdout", r.stdout, "user alice enabled")
	if disabled("alice") {
		t.Fatal("alice is still disabled in the database")
	}
	if got := listUsersCLI(t)["alice"].Status; got == "disabled" {
		t.Errorf("user list still shows alice as disabled")
	}

	r = mustRun(t, 1, "user", "disable", "root")
	wantContains(t, r, "stderr", r.stderr, "no enabled administrator")
	if disabled("root") {
		t.Error("the last administrator was disabled")
	}
	r = mustRun(t, 1, "user", "enable", "nobody")
	wantContains(t, r, "stderr", r.stderr, `no user "nobody"`)
}

func TestUsageErrors(t *testing.T) {
	isolateEnv(t)
	tests := []struct {
		args    []string
		code    int
		wantOut string
		wantErr string
	}{
		{nil, 2, "Usage: ismsd <command>", ""},
		{[]string{"nonsense"}, 2, "", `unknown command "nonsense"`},
		{[]string{"user"}, 2, "Usage: ismsd user", "which subcommand?"},
		{[]string{"user", "frobnicate", "x"}, 2, "", `unknown subcommand "frobnicate"`},
		{[]string{"user", "add"}, 2, "", "add takes 1 argument(s), got 0"},
		{[]string{"user", "add", "a", "b"}, 2, "", "add takes 1 argument(s), got 2"},
		{[]string{"user", "grant", "alice"}, 2, "", "grant takes 2 argument(s), got 1"},
		{[]string{"user", "list", "--bogus"}, 2, "", "flag provided but not defined: -bogus"},
		{[]string{"user", "add", "alice", "--department", "IT"}, 2, "", "invalid value"},
		{[]string{"audit"}, 2, "Usage: ismsd audit verify", "which subcommand?"},
		{[]string{"audit", "check"}, 2, "", `unknown subcommand "check"`},
		{[]string{"migrate", "now"}, 2, "", "migrate takes no arguments"},
		{[]string{"serve", "--listen", "8080"}, 2, "", "--listen: want host:port"},
		{[]string{"serve", "--timezone", "Mars/Olympus"}, 2, "", "--timezone: unknown time zone"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(append([]string{"ismsd"}, tc.args...), " "), func(t *testing.T) {
			r := mustRun(t, tc.code, tc.args...)
			wantContains(t, r, "stdout", r.stdout, tc.wantOut)
			wantContains(t, r, "stderr", r.stderr, tc.wantErr)
			if len(tc.args) > 0 && tc.args[0] != "nonsense" {
				wantContains(t, r, "stderr", r.stderr, "Run 'ismsd "+tc.args[0]+" --help' for usage.")
			}
		})
	}
}

func TestHelp(t *testing.T) {
	isolateEnv(t)
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"Usage: ismsd <command>", "serve", "migrate", "user", "audit"}},
		{[]string{"help"}, []string{"Usage: ismsd <command>"}},
		{[]string{"serve", "--help"}, []string{"Usage: ismsd serve"}},
		{[]string{"migrate", "--help"}, []string{"Usage: ismsd migrate"}},
		{[]string{"user", "--help"}, []string{"Usage: ismsd user", "set-password", "grant NAME ROLE"}},
		{[]string{"user", "add", "-h"}, []string{"Usage: ismsd user", "-display-name"}},
		{[]string{"audit", "--help"}, []string{"Usage: ismsd audit verify"}},
		{[]string{"audit", "verify", "--help"}, []string{"Usage: ismsd audit verify"}},
	}
	for _, s := range config.Settings {
		tests[2].want = append(tests[2].want, s.Env, "--"+s.Flag)
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := mustRun(t, 0, tc.args...)
			wantContains(t, r, "stdout", r.stdout, tc.want...)
			if r.stderr != "" {
				t.Errorf("help wrote to stderr:\n%s", r)
			}
		})
	}
}

func TestAuditVerify(t *testing.T) {
	d := useDatabase(t)
	db := ownerDB(t, d)
	addAdmin(t)                               // user.create, grant.create
	mustRun(t, 0, "user", "add", "alice")     // user.create
	mustRun(t, 0, "user", "disable", "alice") // user update
	var n int64
	if err := db.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < 3 {
		t.Fatalf("only %d audit records after four changes", n)
	}

	// Anchored by a checkpoint, as the server would write one.
	t.Setenv("ISMS_AUDIT_KEY_FILE", filepath.Join(t.TempDir(), "audit-checkpoint.key"))
	t.Setenv("ISMS_AUDIT_CHECKPOINT_FILE", filepath.Join(t.TempDir(), "audit-checkpoints.jsonl"))
	mustRun(t, 0, "audit", "checkpoint")
	r := mustRun(t, 0, "audit", "verify")
	wantContains(t, r, "stdout", r.stdout, fmt.Sprintf("audit trail intact: %d records verified", n))

	// Tamper as the owner, bypassing the trigger that refuses changes.
	if rows := pgtest.Tamper(t, db, `UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 2`); rows != 1 {
		t.Fatalf("tampering changed %d records, want 1", rows)
	}

	r = mustRun(t, 1, "audit", "verify")
	wantContains(t, r, "stderr", r.stderr, "ismsd audit: audit trail BROKEN after 1 intact records: record 2: ")
	if strings.Contains(r.stdout, "intact: ") {
		t.Errorf("a tampered trail was reported intact:\n%s", r)
	}
}

func TestMigrate(t *testing.T) {
	d := useDatabase(t)
	want := fmt.Sprintf("database schema at version %d (this build: %d)", postgres.LatestMigration(), postgres.LatestMigration())
	if postgres.LatestMigration() < 1 {
		t.Fatalf("no migrations embedded")
	}

	t.Run("up to date", func(t *testing.T) {
		r := mustRun(t, 0, "migrate")
		wantContains(t, r, "stdout", r.stdout, want)
		if strings.Contains(r.stdout, "applied") {
			t.Errorf("migrate applied something to a migrated database:\n%s", r)
		}
	})

	t.Run("empty database", func(t *testing.T) {
		owner, app := emptyDatabase(t, d)
		t.Setenv("ISMS_DATABASE_URL", app)
		t.Setenv("ISMS_MIGRATION_DATABASE_URL", owner)
		names, err := fs.Glob(migrations.FS, "*.sql")
		if err != nil || len(names) == 0 {
			t.Fatalf("no migrations found: %v", err)
		}
		r := mustRun(t, 0, "migrate")
		for _, name := range names {
			wantContains(t, r, "stdout", r.stdout, "applied "+name+"\n")
		}
		wantContains(t, r, "stdout", r.stdout, want)

		r = mustRun(t, 0, "migrate")
		if strings.Contains(r.stdout, "applied") {
			t.Errorf("the second migrate applied something again:\n%s", r)
		}
		// The server's role got what it needs.
		mustRun(t, 0, "user", "add", "alice")
		if _, ok := listUsersCLI(t)["alice"]; !ok {
			t.Errorf("alice missing after adding her to the freshly migrated database")
		}
	})
}

// emptyDatabase creates a database without tables in the cluster of d and
// returns its owner and server-role URLs.
func emptyDatabase(t *testing.T, d pgtest.DB) (ownerURL, appURL string) {
	t.Helper()
	db := ownerDB(t, d)
	name := d.Name + "_empty"
	if _, err := db.Exec(`CREATE DATABASE ` + pq.QuoteIdentifier(name)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec(`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(name) + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	rename := func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		u.Path = "/" + name
		return u.String()
	}
	return rename(d.OwnerURL), rename(d.AppURL)
}

func TestCatalogCommands(t *testing.T) {
	useDatabase(t)
	edition, err := os.ReadFile(filepath.Join("..", "..", "internal", "catalog", "kompendium", "testdata", "musterkatalog-2031.xml"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(edition)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(edition) }))
	defer srv.Close()
	t.Setenv("ISMS_KOMPENDIUM_URL", srv.URL+"/downloads/Kompendium_2031.xml")

	// A download with another hash is refused and nothing is imported.
	t.Setenv("ISMS_KOMPENDIUM_SHA256", strings.Repeat("0", 64))
	r := mustRun(t, 1, "catalog", "fetch")
	wantContains(t, r, "stderr", r.stderr, "nothing was imported")
	r = mustRun(t, 0, "catalog", "list")
	if strings.Contains(r.stdout, "2031") {
		t.Fatalf("refused download was imported:\n%s", r)
	}

	t.Setenv("ISMS_KOMPENDIUM_SHA256", hex.EncodeToString(sum[:]))
	r = mustRun(t, 0, "catalog", "fetch")
	wantContains(t, r, "stdout", r.stdout, "imported catalog", "2031", "requirements")
	r = mustRun(t, 0, "catalog", "list")
	wantContains(t, r, "stdout", r.stdout, "2031")

	// The same file from disk changes nothing.
	dir := t.TempDir()
	file := filepath.Join(dir, "edition.xml")
	os.WriteFile(file, edition, 0o644)
	r = mustRun(t, 0, "catalog", "import", file)
	wantContains(t, r, "stdout", r.stdout, "unchanged")

	// Bad files say where and why.
	broken := filepath.Join(dir, "broken.xml")
	os.WriteFile(broken, edition[:len(edition)/2], 0o644)
	r = mustRun(t, 1, "catalog", "import", broken)
	wantContains(t, r, "stderr", r.stderr, "line ")
	mustRun(t, 2, "catalog", "import", file, "--kind", "pdf")
	mustRun(t, 2, "catalog", "list", "--kind", "krt-xlsx")
	r = mustRun(t, 1, "catalog", "import", filepath.Join(dir, "missing.xml"))
	wantContains(t, r, "stderr", r.stderr, "no such file")
	other := filepath.Join(dir, "other.xml")
	os.WriteFile(other, append(edition, '\n'), 0o644)
	r = mustRun(t, 1, "catalog", "import", other, "--kind", "oscal-catalog")
	wantContains(t, r, "stderr", r.stderr, "JSON")
}

// TestCatalogImportComponentDefinition: the CLI imports a component
// definition through the catalog import and reports its resolution; the
// same file again changes nothing.
func TestCatalogImportComponentDefinition(t *testing.T) {
	useDatabase(t)
	file := filepath.Join("..", "..", "internal", "catalog", "oscal", "testdata", "tiny-component-definition.json")
	r := mustRun(t, 0, "catalog", "import", file)
	wantContains(t, r, "stdout", r.stdout, "imported component definition", "Beispielkomponenten", "1 components, 2 implemented requirements, 0 resolved",
		"unresolved: _9d0c6f9e-1111-4222-8333-444455556666, ROOT.1")
	r = mustRun(t, 0, "catalog", "import", file)
	wantContains(t, r, "stdout", r.stdout, "unchanged")
}

// TestCatalogImportMappingCollection: the CLI imports the BSI's Annex A →
// Grundschutz++ mapping through the catalog import and reports each
// mapping's counts and unresolved references; the same file again changes
// nothing.
func TestCatalogImportMappingCollection(t *testing.T) {
	useDatabase(t)
	catalogtest.Read(t, catalogtest.AnnexAMapping) // skips without the shared files
	file := catalogtest.Path(catalogtest.AnnexAMapping)
	r := mustRun(t, 0, "catalog", "import", file)
	wantContains(t, r, "stdout", r.stdout, "imported mapping collection", "ISO/IEC 27001:2022 Annex A to GS++ Mapping",
		"ISO27001-AnnexA-catalog.json → BSI-Stand-der-Technik-Kernel-catalog.json: 83 maps over 83 sources of 83 requirements (0 resolve), 276 targets (0 resolve)",
		"unresolved sources: 5.1, 5.2, 5.3, 5.4, 5.5,", "unresolved targets: GC.6.1.3, GC.6.1.4, GC.9.1, PERF.7.1,")
	r = mustRun(t, 0, "catalog", "import", file)
	wantContains(t, r, "stdout", r.stdout, "unchanged: this file was imported before (mapping collection")
}
