package postgres

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"reflect"
	"time"

	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// A database that cannot be reached (stopped, restarting after a crash, a
// broken connection) is a passing state, not a fault of the request: such
// failures become domain.ErrUnavailable, which the API answers with 503 and
// Retry-After. They are told apart from failed statements at the driver,
// where it is known whether connecting failed or a statement did, so every
// store method is covered without each of them checking.

const (
	// connectTimeout bounds opening a connection when the URL sets no
	// connect_timeout, so that an unreachable host answers 503 in seconds
	// rather than after the operating system's TCP timeout.
	connectTimeout = 5 * time.Second
	// unavailableRetryAfter is the client's pause before trying again: a
	// restart of the private cluster takes about that long.
	unavailableRetryAfter = 5 * time.Second
)

var errUnavailable = &domain.Error{Kind: domain.ErrUnavailable, RetryAfter: unavailableRetryAfter,
	Message: "the database cannot be reached at the moment; retry later"}

// unavailableError is a connection-level failure: errors.Is finds
// domain.ErrUnavailable (and errors.As its *domain.Error with the client's
// message and pause), and the driver's error stays in the chain for the
// log and for database/sql, which must still see driver.ErrBadConn.
type unavailableError struct{ cause error }

func (e *unavailableError) Error() string   { return "database unavailable: " + e.cause.Error() }
func (e *unavailableError) Unwrap() []error { return []error{errUnavailable, e.cause} }

// connectFailed classifies an error of opening a connection: whatever the
// reason (refused, no socket file, the server shutting down or starting,
// too many connections, the connect timeout), no statement has run.
func connectFailed(err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	return &unavailableError{err}
}

// statementFailed classifies an error of a statement on an open
// connection: only a lost connection or a server that is shutting down
// means unavailable; every other error is the statement's own.
func statementFailed(err error) error {
	if err == nil || !connectionLost(err) {
		return err
	}
	return &unavailableError{err}
}

func connectionLost(err error) bool {
	var opErr *net.OpError
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &opErr) {
		return true
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.Code {
		case "57P01", "57P02", "57P03": // admin_shutdown, crash_shutdown, cannot_connect_now
			return true
		}
		return pqErr.Code.Class() == "08" // connection_exception
	}
	return false
}

// newConnector is lib/pq's connector for url whose connections classify
// their errors.
func newConnector(url string) (driver.Connector, error) {
	cfg, err := pq.NewConfig(url)
	if err != nil {
		return nil, err
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = connectTimeout
	}
	c, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, err
	}
	return classifyingConnector{c}, nil
}

type classifyingConnector struct{ driver.Connector }

func (c classifyingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, connectFailed(err)
	}
	return classifyingConn{conn}, nil
}

// classifyingConn passes every call to lib/pq's connection, which has all
// of database/sql's optional interfaces, and classifies the errors. Its
// statements are lib/pq's own: the store runs no prepared statements.
type classifyingConn struct{ driver.Conn }

func (c classifyingConn) Prepare(query string) (driver.Stmt, error) {
	s, err := c.Conn.Prepare(query)
	return s, statementFailed(err)
}

func (c classifyingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	return s, statementFailed(err)
}

func (c classifyingConn) Begin() (driver.Tx, error) {
	tx, err := c.Conn.Begin()
	if err != nil {
		return nil, statementFailed(err)
	}
	return classifyingTx{tx}, nil
}

func (c classifyingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		return nil, statementFailed(err)
	}
	return classifyingTx{tx}, nil
}

func (c classifyingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	if err != nil {
		return nil, statementFailed(err)
	}
	return classifyingRows{rows}, nil
}

func (c classifyingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	res, err := c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	return res, statementFailed(err)
}

func (c classifyingConn) Ping(ctx context.Context) error {
	return statementFailed(c.Conn.(driver.Pinger).Ping(ctx))
}

// The pool's bookkeeping passes through untouched: database/sql compares
// driver.ErrSkip by identity.
func (c classifyingConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}
func (c classifyingConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }
func (c classifyingConn) CheckNamedValue(v *driver.NamedValue) error {
	return c.Conn.(driver.NamedValueChecker).CheckNamedValue(v)
}

type classifyingTx struct{ driver.Tx }

func (t classifyingTx) Commit() error   { return statementFailed(t.Tx.Commit()) }
func (t classifyingTx) Rollback() error { return statementFailed(t.Tx.Rollback()) }

// classifyingRows passes lib/pq's rows on with their column types; a
// connection lost while rows stream in is classified too.
type classifyingRows struct{ driver.Rows }

func (r classifyingRows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if err == io.EOF { // the end of the rows, compared by identity
		return err
	}
	return statementFailed(err)
}

func (r classifyingRows) HasNextResultSet() bool {
	return r.Rows.(driver.RowsNextResultSet).HasNextResultSet()
}

func (r classifyingRows) NextResultSet() error {
	err := r.Rows.(driver.RowsNextResultSet).NextResultSet()
	if err == io.EOF {
		return err
	}
	return statementFailed(err)
}

func (r classifyingRows) ColumnTypeScanType(i int) reflect.Type {
	return r.Rows.(driver.RowsColumnTypeScanType).ColumnTypeScanType(i)
}

func (r classifyingRows) ColumnTypeDatabaseTypeName(i int) string {
	return r.Rows.(driver.RowsColumnTypeDatabaseTypeName).ColumnTypeDatabaseTypeName(i)
}

func (r classifyingRows) ColumnTypeLength(i int) (int64, bool) {
	return r.Rows.(driver.RowsColumnTypeLength).ColumnTypeLength(i)
}

func (r classifyingRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	return r.Rows.(driver.RowsColumnTypePrecisionScale).ColumnTypePrecisionScale(i)
}
