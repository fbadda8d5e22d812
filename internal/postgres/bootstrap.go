package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lib/pq"
)

// Bootstrap prepares a private cluster through its superuser connection
// (superURL names the maintenance database): it creates the login role
// the server runs as (without the right to change the audit trail, which
// Migrate arranges) and the database owned by the superuser, when missing.
func Bootstrap(ctx context.Context, superURL, database, runtimeRole string) error {
	db, err := sql.Open("postgres", superURL)
	if err != nil {
		return err
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, runtimeRole).Scan(&exists); err != nil {
		return fmt.Errorf("look up role %s: %w", runtimeRole, err)
	}
	if !exists {
		if _, err := db.ExecContext(ctx, `CREATE ROLE `+pq.QuoteIdentifier(runtimeRole)+` LOGIN`); err != nil && !isDuplicate(err) {
			return fmt.Errorf("create role %s: %w", runtimeRole, err)
		}
	}
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, database).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %s: %w", database, err)
	}
	if !exists {
		if _, err := db.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(database)+` ENCODING 'UTF8'`); err != nil && !isDuplicate(err) {
			return fmt.Errorf("create database %s: %w", database, err)
		}
	}
	return nil
}

// isDuplicate reports a concurrent creation of the same role or database.
func isDuplicate(err error) bool {
	var pqErr *pq.Error
	if !asPQ(err, &pqErr) {
		return false
	}
	return pqErr.Code == "42710" || pqErr.Code == "42P04" || pqErr.Code == "23505"
}
