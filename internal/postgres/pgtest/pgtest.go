// Package pgtest gives tests a real PostgreSQL: one private cluster per
// test package, a migrated template database, and a fresh copy per test.
package pgtest

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lib/pq"

	"ismsd/internal/pgserver"
	"ismsd/internal/postgres"
)

// AppRole is the role tests connect as, like the server in production.
const AppRole = "ismsd_app"

const templateDB = "ismsd_template"

var (
	cluster *pgserver.Cluster
	counter atomic.Int64
)

// Main runs a package's tests against a private cluster. Call it from
// TestMain: func TestMain(m *testing.M) { pgtest.Main(m) }. A package
// that reports something after its tests passes a wrapper of m.
func Main(m interface{ Run() int }) {
	raiseParallelism()
	os.Exit(run(m))
}

// raiseParallelism lets twice as many parallel tests run at once as there
// are cores (the testing package's default is as many), unless -parallel
// says otherwise: tests on a database spend most of their time waiting
// for PostgreSQL, which runs beside them.
func raiseParallelism() {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", strconv.Itoa(2*runtime.GOMAXPROCS(0)))
	}
}

func run(m interface{ Run() int }) int {
	ctx := context.Background()
	// os.MkdirTemp, not t.TempDir: as root the postgres account must be able
	// to enter the folder, and the path must stay short for the socket.
	dir, err := os.MkdirTemp("", "ismsd-pg-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	c, err := pgserver.Start(ctx, pgserver.Options{Dir: dir, BinDir: os.Getenv("ISMS_PG_BIN")})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: these tests need a PostgreSQL server:", err)
		return 1
	}
	defer c.Stop()
	cluster = c
	if err := postgres.Bootstrap(ctx, c.URL("postgres"), templateDB, AppRole); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	if _, err := postgres.Migrate(ctx, c.URL(templateDB), AppRole); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest: migrate template:", err)
		return 1
	}
	return m.Run()
}

// DB is a fresh migrated database for one test.
type DB struct {
	Name     string
	OwnerURL string // the superuser that owns the tables (for tampering tests)
	AppURL   string // the role the server runs as
}

// New creates a database from the migrated template and drops it when the
// test ends.
func New(t testing.TB) DB {
	t.Helper()
	if cluster == nil {
		t.Fatal("pgtest: call pgtest.Main from TestMain")
	}
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), counter.Add(1))
	admin, err := sql.Open("postgres", cluster.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE DATABASE ` + pq.QuoteIdentifier(name) + ` TEMPLATE ` + templateDB); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("postgres", cluster.URL("postgres"))
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(name) + ` WITH (FORCE)`)
	})
	return DB{Name: name, OwnerURL: cluster.URL(name), AppURL: cluster.URLFor(AppRole, name)}
}

// Open returns a store on a fresh database, connected as the server's role.
func Open(t testing.TB) (*postgres.DB, DB) {
	t.Helper()
	d := New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := postgres.Open(ctx, d.AppURL, 20, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, d
}

// WaitForListeners waits until n sessions on the database have completed
// a LISTEN, so that a notification sent from now on reaches them; it fails
// the test after ten seconds.
func (d DB) WaitForListeners(t testing.TB, n int) {
	t.Helper()
	db, err := sql.Open("postgres", d.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var listening int
		if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND state = 'idle' AND query LIKE 'LISTEN %'`).Scan(&listening); err != nil {
			t.Fatal(err)
		}
		if listening >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d sessions listen", listening, n)
		}
	}
}

// Tamper runs a statement through owner, a connection as the tables'
// owner, with the append-only triggers switched off (replica mode), as an
// attacker with superuser rights could. It returns the number of rows the
// statement changed and fails the test on an error.
func Tamper(t testing.TB, owner *sql.DB, stmt string, args ...any) int64 {
	t.Helper()
	ctx := context.Background()
	conn, err := owner.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET session_replication_role = replica`); err != nil {
		t.Fatal(err)
	}
	res, err := conn.ExecContext(ctx, stmt, args...)
	if err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		t.Fatal(err)
	}
	return n
}
