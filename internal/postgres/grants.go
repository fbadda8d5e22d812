package postgres

import (
	"context"
	"database/sql"
	"errors"

	"ismsd/internal/domain"
)

// grantsChannel is the LISTEN/NOTIFY channel that tells every instance to
// reload the role grants.
const grantsChannel = "ismsd_grants"

const grantColumns = `g.id, g.user_id, g.role, g.department_id, coalesce(d.name, '') AS department_name, g.created_at`

// ActiveGrants returns the grants of all enabled users, for the enforcer.
func (db *DB) ActiveGrants(ctx context.Context) ([]domain.Grant, error) {
	var gs []domain.Grant
	err := db.x.SelectContext(ctx, &gs, `
		SELECT `+grantColumns+` FROM role_grants g
		JOIN users u ON u.id = g.user_id
		LEFT JOIN departments d ON d.id = g.department_id
		WHERE NOT u.disabled ORDER BY g.id`)
	return gs, err
}

// GrantsOf returns one user's grants.
func (db *DB) GrantsOf(ctx context.Context, userID int64) ([]domain.Grant, error) {
	var gs []domain.Grant
	err := db.x.SelectContext(ctx, &gs, `
		SELECT `+grantColumns+` FROM role_grants g
		LEFT JOIN departments d ON d.id = g.department_id
		WHERE g.user_id = $1 ORDER BY g.role, d.name NULLS FIRST`, userID)
	return gs, err
}

// Grant gives a user a role, globally (departmentID nil) or for a
// department subtree. Granting what the user already has is a conflict.
func (tx *Tx) Grant(ctx context.Context, userID int64, role domain.Role, departmentID *int64) (domain.Grant, error) {
	if err := checkGrantScope(role, departmentID); err != nil {
		return domain.Grant{}, err
	}
	if _, err := tx.lockUser(ctx, userID, anyVersion); err != nil {
		return domain.Grant{}, err
	}
	var g domain.Grant
	err := tx.x.GetContext(ctx, &g, `
		WITH g AS (INSERT INTO role_grants (user_id, role, department_id) VALUES ($1, $2, $3) RETURNING *)
		SELECT `+grantColumns+` FROM g LEFT JOIN departments d ON d.id = g.department_id`,
		userID, role, departmentID)
	if err != nil {
		if isUniqueViolation(err) {
			return g, domain.Errorf(domain.ErrConflict, "the user already has this role").De("Das Konto hat diese Rolle bereits.")
		}
		return g, mapError(err)
	}
	if err := tx.notifyGrants(ctx); err != nil {
		return g, err
	}
	return g, tx.Record("grant.create", "user", userID, nil, g)
}

// Revoke takes a role grant away.
func (tx *Tx) Revoke(ctx context.Context, userID int64, role domain.Role, departmentID *int64) error {
	if _, err := tx.lockUser(ctx, userID, anyVersion); err != nil {
		return err
	}
	var g domain.Grant
	err := tx.x.GetContext(ctx, &g, `
		WITH g AS (DELETE FROM role_grants WHERE user_id = $1 AND role = $2
		           AND department_id IS NOT DISTINCT FROM $3 RETURNING *)
		SELECT `+grantColumns+` FROM g LEFT JOIN departments d ON d.id = g.department_id`,
		userID, role, departmentID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ErrNotFound, "the user does not have this role").De("Das Konto hat diese Rolle nicht.")
	}
	if err != nil {
		return mapError(err)
	}
	if err := tx.notifyGrants(ctx); err != nil {
		return err
	}
	return tx.Record("grant.delete", "user", userID, g, nil)
}

func checkGrantScope(role domain.Role, departmentID *int64) error {
	if !role.Valid() {
		return domain.Invalid(domain.Violation{Pointer: "/role", Detail: "unknown role " + string(role), German: "Unbekannte Rolle."})
	}
	switch role.Scope() {
	case domain.ScopeGlobalOnly:
		if departmentID != nil {
			return domain.Invalid(domain.Violation{Pointer: "/department_id", Detail: "role " + string(role) + " is granted only globally, not for a department",
				German: "Die Rolle „" + role.Label() + "“ wird nur ohne Organisationseinheit vergeben."})
		}
	case domain.ScopeDepartmentOnly:
		if departmentID == nil {
			return domain.Invalid(domain.Violation{Pointer: "/department_id", Detail: "role " + string(role) + " needs a department",
				German: "Für die Rolle „" + role.Label() + "“ wählen Sie bitte eine Organisationseinheit."})
		}
	}
	return nil
}

// notifyGrants tells every instance to reload grants once this commits
// (PostgreSQL delivers notifications at commit, never for a rollback).
func (tx *Tx) notifyGrants(ctx context.Context) error {
	_, err := tx.x.ExecContext(ctx, `SELECT pg_notify($1, '')`, grantsChannel)
	return err
}

// AllGrants returns every grant, of enabled and disabled users, by user.
func (db *DB) AllGrants(ctx context.Context) (map[int64][]domain.Grant, error) {
	var gs []domain.Grant
	err := db.x.SelectContext(ctx, &gs, `
		SELECT `+grantColumns+` FROM role_grants g
		LEFT JOIN departments d ON d.id = g.department_id
		ORDER BY g.user_id, g.role, d.name NULLS FIRST`)
	if err != nil {
		return nil, err
	}
	out := map[int64][]domain.Grant{}
	for _, g := range gs {
		out[g.UserID] = append(out[g.UserID], g)
	}
	return out, nil
}
