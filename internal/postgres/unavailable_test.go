package postgres

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"

	"ismsd/internal/domain"
	"ismsd/internal/pgserver"
)

func TestStatementErrorsClassified(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, tc := range []struct {
		err         error
		unavailable bool
	}{
		{driver.ErrBadConn, true},
		{fmt.Errorf("commit: %w", driver.ErrBadConn), true},
		{&net.OpError{Op: "write", Net: "unix", Err: os.NewSyscallError("write", syscall.EPIPE)}, true},
		{&net.OpError{Op: "read", Net: "unix", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, true},
		{io.ErrUnexpectedEOF, true},
		{&pq.Error{Code: "57P01"}, true},
		{&pq.Error{Code: "57P02"}, true},
		{&pq.Error{Code: "57P03"}, true},
		{&pq.Error{Code: "08006"}, true},
		{&pq.Error{Code: "23505"}, false},
		{&pq.Error{Code: "42601"}, false},
		{&pq.Error{Code: "57014"}, false}, // query_canceled: the request's own deadline
		{context.DeadlineExceeded, false},
		{errors.New("something else"), false},
	} {
		got := errors.Is(statementFailed(tc.err), domain.ErrUnavailable)
		if got != tc.unavailable {
			t.Errorf("statementFailed(%#v) unavailable = %v, want %v", tc.err, got, tc.unavailable)
		}
	}
	for _, err := range []error{refused, context.DeadlineExceeded, &pq.Error{Code: "28P01"}} {
		if !errors.Is(connectFailed(err), domain.ErrUnavailable) {
			t.Errorf("connectFailed(%v) is not unavailable", err)
		}
	}
	if err := connectFailed(context.Canceled); errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("a caller's cancellation counts as unavailable: %v", err)
	}

	// database/sql must still recognise a broken connection, and the
	// client's answer carries the pause.
	err := statementFailed(driver.ErrBadConn)
	var de *domain.Error
	if !errors.Is(err, driver.ErrBadConn) || !errors.As(err, &de) || de.RetryAfter <= 0 {
		t.Errorf("classified error %v hides ErrBadConn or has no Retry-After", err)
	}
}

// TestStoreOutageAndRecovery: while the server is stopped or killed, store
// calls fail as unavailable, statements that fail for their own reasons do
// not; once the server is back the same pool works again, as with an
// external database that restarts.
func TestStoreOutageAndRecovery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ismsd-outage-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	opts := pgserver.Options{Dir: dir, BinDir: os.Getenv("ISMS_PG_BIN")}
	cluster, err := pgserver.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Stop() })
	db, err := Open(ctx, cluster.URL("postgres"), 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	query := func() error {
		var n int
		return db.x.GetContext(ctx, &n, `SELECT 1`)
	}
	if err := query(); err != nil {
		t.Fatal(err)
	}
	_, err = db.x.ExecContext(ctx, `SELECT no_such_column FROM pg_class`)
	if err == nil || errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("a failing statement = %v, want its own error", err)
	}
	// A transaction open when the server goes away.
	tx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}

	if err := cluster.Stop(); err != nil { // fast shutdown: sessions end with 57P01
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT 1`); !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("statement in a transaction cut off by the shutdown = %v, want unavailable", err)
	}
	tx.Rollback()
	if err := query(); !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("query on a stopped server = %v, want unavailable", err)
	}
	err = db.InTx(ctx, domain.Actor{Name: "test"}, func(*Tx) error { return nil })
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("InTx on a stopped server = %v, want unavailable", err)
	}

	cluster, err = pgserver.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := query(); err != nil {
		t.Fatalf("query after the restart: %v", err)
	}

	// Killed rather than stopped: the connections break without a word.
	pm, err := os.ReadFile(dir + "/pg/postmaster.pid")
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	fmt.Sscan(string(pm), &pid)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for err := query(); !errors.Is(err, domain.ErrUnavailable); err = query() {
		if time.Now().After(deadline) {
			t.Fatalf("query after the kill = %v, want unavailable", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cluster.Stop() // ends this Cluster's use; the server is gone already
	cluster, err = pgserver.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Stop() })
	if err := query(); err != nil {
		t.Fatalf("query after the second restart: %v", err)
	}
}
