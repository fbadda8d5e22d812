// Package postgres is the store of ismsd: every SQL statement lives here.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// DB is the store over one PostgreSQL database.
type DB struct {
	x   *sqlx.DB
	url string
	log *slog.Logger
}

// Open connects to url and checks that the server answers. The pool
// replaces broken connections by itself, so the store recovers without help
// once the server is back after an outage (see unavailable.go).
func Open(ctx context.Context, url string, maxConns int, log *slog.Logger) (*DB, error) {
	connector, err := newConnector(url)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	x := sqlx.NewDb(sql.OpenDB(connector), "postgres")
	if maxConns <= 0 {
		maxConns = 20
	}
	x.SetMaxOpenConns(maxConns)
	x.SetMaxIdleConns(maxConns)
	x.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := x.PingContext(pingCtx); err != nil {
		x.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &DB{x: x, url: url, log: log}, nil
}

// Close releases the connection pool.
func (db *DB) Close() error { return db.x.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.x.PingContext(ctx) }

// Tx is one transaction. Changes made through it queue their audit records,
// which are appended to the chain just before the commit, so a change and
// its record become visible together or not at all.
type Tx struct {
	x       *sqlx.Tx
	actor   domain.Actor
	pending []domain.AuditRecord
}

// InTx runs fn in a transaction on behalf of actor and commits if fn
// returns nil; otherwise it rolls back and returns fn's error.
func (db *DB) InTx(ctx context.Context, actor domain.Actor, fn func(*Tx) error) (err error) {
	x, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			x.Rollback()
		}
	}()
	tx := &Tx{x: x, actor: actor}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.appendAudit(ctx); err != nil {
		return err
	}
	if err := x.Commit(); err != nil {
		return mapError(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// InTxValue runs fn as InTx does and returns what it made, for the
// handlers of the API and the pages that answer with it.
func InTxValue[T any](ctx context.Context, db *DB, actor domain.Actor, fn func(*Tx) (T, error)) (T, error) {
	var out T
	err := db.InTx(ctx, actor, func(tx *Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

// mapError turns driver errors into domain error kinds; others pass through.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", domain.ErrNotFound, err)
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.Code {
		case "23505": // unique_violation
			return &domain.Error{Kind: domain.ErrConflict, Message: "a record with these values already exists"}
		case "23503": // foreign_key_violation
			return &domain.Error{Kind: domain.ErrConflict, Message: "the change refers to a record that does not exist or is still referenced"}
		case "23514", "22P02", "22001": // check_violation, invalid_text_representation, string_data_right_truncation
			return &domain.Error{Kind: domain.ErrInvalid, Message: "the values are not allowed"}
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return &domain.Error{Kind: domain.ErrConflict, Message: "a concurrent change interfered; please retry"}
		}
	}
	return err
}

func isUniqueViolation(err error) bool {
	var pqErr *pq.Error
	return asPQ(err, &pqErr) && pqErr.Code == "23505"
}

func asPQ(err error, target **pq.Error) bool { return errors.As(err, target) }

func int64Array(v []int64) any { return pq.Array(v) }

func isForeignKeyViolation(err error) bool {
	var pqErr *pq.Error
	return asPQ(err, &pqErr) && pqErr.Code == "23503"
}

// foreignKey names the foreign key a violation is about, or "".
func foreignKey(err error) string {
	var pqErr *pq.Error
	if asPQ(err, &pqErr) && pqErr.Code == "23503" {
		return pqErr.Constraint
	}
	return ""
}
