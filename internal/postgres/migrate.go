package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"ismsd/migrations"
)

// migrationLockKey serialises migrations across instances that start together.
const migrationLockKey = 7_236_001

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		prefix, _, _ := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(prefix)
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", e.Name())
		}
		body, err := fs.ReadFile(migrations.FS, e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share a version", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// LatestMigration is the version of the newest embedded migration.
func LatestMigration() int {
	ms, err := loadMigrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// Migrate applies the pending migrations to the database at ownerURL under
// an advisory lock, each in its own transaction, and then gives runtimeRole
// (the role the server connects as; "" for the owner itself) its privileges:
// everything on the tables except changing the audit trail or the
// migration record. It returns the names of the migrations applied.
func Migrate(ctx context.Context, ownerURL, runtimeRole string) ([]string, error) {
	ms, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("postgres", ownerURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect for migrations: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
		return nil, fmt.Errorf("take migration lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockKey)

	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY,
		name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	rows, err := conn.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		applied[v] = true
	}
	rows.Close()

	var done []string
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return done, err
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return done, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
			tx.Rollback()
			return done, fmt.Errorf("record migration %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return done, fmt.Errorf("migration %s: %w", m.name, err)
		}
		done = append(done, m.name)
	}
	if err := grantRuntimeRole(ctx, conn, runtimeRole); err != nil {
		return done, err
	}
	return done, nil
}

func grantRuntimeRole(ctx context.Context, conn *sql.Conn, role string) error {
	var owner string
	if err := conn.QueryRowContext(ctx, `SELECT current_user`).Scan(&owner); err != nil {
		return err
	}
	if role == "" {
		role = owner
	}
	r := pq.QuoteIdentifier(role)
	stmts := []string{
		`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM ` + r,
		// Evidence content is written once; a failed upload rolls back.
		`REVOKE UPDATE, TRUNCATE ON evidence_chunks FROM ` + r,
	}
	if role != owner {
		stmts = append([]string{
			`GRANT USAGE ON SCHEMA public TO ` + r,
			`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ` + r,
			`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ` + r,
			`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM ` + r,
		}, stmts...)
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("grant privileges to %s: %w", role, err)
		}
	}
	return nil
}

// MigrationVersion returns the newest applied migration (0 when none).
func (db *DB) MigrationVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.x.GetContext(ctx, &v, `SELECT max(version) FROM schema_migrations`)
	if err != nil {
		return 0, err
	}
	return int(v.Int64), nil
}

// CurrentRole is the database role this store connects as.
func (db *DB) CurrentRole(ctx context.Context) (string, error) {
	var r string
	err := db.x.GetContext(ctx, &r, `SELECT current_user`)
	return r, err
}

// CanAlterAuditLog reports whether the connected role could change recorded
// history (it owns the table, is a superuser, or holds UPDATE/DELETE).
func (db *DB) CanAlterAuditLog(ctx context.Context) (bool, error) {
	var can bool
	err := db.x.GetContext(ctx, &can, `
		SELECT r.rolsuper
		    OR pg_has_role(current_user, c.relowner, 'USAGE')
		    OR has_table_privilege('audit_log', 'UPDATE')
		    OR has_table_privilege('audit_log', 'DELETE')
		FROM pg_roles r, pg_class c
		WHERE r.rolname = current_user AND c.oid = 'audit_log'::regclass`)
	return can, err
}
