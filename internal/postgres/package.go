package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"ismsd/internal/domain"
)

// The requirement package of a Grundschutz++ scope (Methodik STM.2,
// STM.3): what it holds by obligation and level, and the "erhöht"
// requirements the ISB raised into it.

// PackageFigures counts the scope's active entries by obligation and
// level, strongest first.
func (db *DB) PackageFigures(ctx context.Context, scopeID int64) ([]domain.PackageFigure, error) {
	var fs []domain.PackageFigure
	err := db.x.SelectContext(ctx, &fs, `
		SELECT e.obligation, e.level, count(*) AS entries, count(*) FILTER (WHERE e.status IN ('yes', 'not_applicable')) AS done
		FROM check_entries e WHERE e.scope_id = $1 AND e.active AND e.obligation IS NOT NULL
		GROUP BY 1, 2
		ORDER BY array_position(ARRAY['muss', 'sollte', 'kann'], e.obligation), e.level DESC`, scopeID)
	return fs, err
}

// LevelRaises lists the requirements raised in a scope, by requirement.
func (db *DB) LevelRaises(ctx context.Context, scopeID int64) ([]domain.LevelRaise, error) {
	var rs []domain.LevelRaise
	err := db.x.SelectContext(ctx, &rs, `
		SELECT lr.requirement_id, r.title, lr.reason, lr.raised_by, lr.raised_at
		FROM scope_level_raises lr JOIN catalog_requirements r ON r.catalog_id = lr.catalog_id AND r.id = lr.requirement_id
		WHERE lr.scope_id = $1 ORDER BY r.ord`, scopeID)
	return rs, err
}

// plusPlusScope locks a scope and refuses one that is not Grundschutz++.
func (tx *Tx) plusPlusScope(ctx context.Context, scopeID int64) (domain.Scope, error) {
	var s domain.Scope
	err := tx.x.GetContext(ctx, &s, `
		SELECT s.id, s.name, s.catalog_id, s.approach, c.method FROM scopes s JOIN catalogs c ON c.id = s.catalog_id
		WHERE s.id = $1 FOR UPDATE OF s`, scopeID)
	if errors.Is(err, sql.ErrNoRows) {
		return s, domain.Errorf(domain.ErrNotFound, "no scope %d", scopeID).De("Diesen Informationsverbund gibt es nicht.")
	}
	if err == nil && s.Method != domain.MethodPlusPlus {
		err = domain.Errorf(domain.ErrConflict, "scope %d is checked against a Kompendium catalog, which knows no security levels to raise", scopeID).
			De("Der Informationsverbund wird nach dem IT-Grundschutz-Kompendium geprüft; ein Sicherheitsniveau lässt sich nur bei Grundschutz++ anheben.")
	}
	return s, err
}

// RaiseLevel brings an "erhöht" requirement of the scope's catalog into
// its package wherever its module applies, and derives the check again.
func (tx *Tx) RaiseLevel(ctx context.Context, scopeID int64, in domain.LevelRaiseInput) (domain.LevelRaise, error) {
	if vs := in.Validate(); len(vs) > 0 {
		return domain.LevelRaise{}, domain.Invalid(vs...)
	}
	s, err := tx.plusPlusScope(ctx, scopeID)
	if err != nil {
		return domain.LevelRaise{}, err
	}
	var level domain.Level
	err = tx.x.GetContext(ctx, &level, `SELECT level FROM catalog_requirements WHERE catalog_id = $1 AND id = $2 AND NOT withdrawn`,
		s.CatalogID, in.RequirementID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return domain.LevelRaise{}, domain.Invalid(domain.Violation{Pointer: "/requirement_id", Detail: "no such requirement in the scope's catalog",
			German: "Diese Anforderung gibt es im Katalog des Informationsverbunds nicht."})
	case err != nil:
		return domain.LevelRaise{}, err
	case level != domain.LevelElevated:
		return domain.LevelRaise{}, domain.Invalid(domain.Violation{Pointer: "/requirement_id", Detail: "the requirement is normal-SdT; it is in the package already",
			German: "Die Anforderung hat das Sicherheitsniveau normal-SdT und gehört schon zum Anforderungspaket."})
	}
	res, err := tx.x.ExecContext(ctx, `
		INSERT INTO scope_level_raises (scope_id, catalog_id, requirement_id, reason, raised_by)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, scopeID, s.CatalogID, in.RequirementID, in.Reason, tx.actor.Name)
	if err != nil {
		return domain.LevelRaise{}, mapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.LevelRaise{}, domain.Errorf(domain.ErrConflict, "requirement %s is raised already", in.RequirementID).
			De("Diese Anforderung ist bereits angehoben.")
	}
	if _, err := tx.DeriveChecks(ctx, scopeID, nil); err != nil {
		return domain.LevelRaise{}, err
	}
	var r domain.LevelRaise
	if err := tx.x.GetContext(ctx, &r, `
		SELECT lr.requirement_id, r.title, lr.reason, lr.raised_by, lr.raised_at
		FROM scope_level_raises lr JOIN catalog_requirements r ON r.catalog_id = lr.catalog_id AND r.id = lr.requirement_id
		WHERE lr.scope_id = $1 AND lr.requirement_id = $2`, scopeID, in.RequirementID); err != nil {
		return r, err
	}
	return r, tx.Record("scope.raise_level", "scope", scopeID, nil, map[string]any{"requirement_id": r.RequirementID, "reason": r.Reason})
}

// LowerLevel takes a raised requirement out of the package again (where
// no protection need keeps it in); its entries retire with their history.
func (tx *Tx) LowerLevel(ctx context.Context, scopeID int64, requirementID string) error {
	if _, err := tx.plusPlusScope(ctx, scopeID); err != nil {
		return err
	}
	var reason string
	err := tx.x.GetContext(ctx, &reason, `DELETE FROM scope_level_raises WHERE scope_id = $1 AND requirement_id = $2 RETURNING reason`,
		scopeID, requirementID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ErrNotFound, "requirement %s is not raised in scope %d", requirementID, scopeID).
			De("Diese Anforderung ist nicht angehoben.")
	}
	if err != nil {
		return fmt.Errorf("lower level: %w", err)
	}
	if _, err := tx.DeriveChecks(ctx, scopeID, nil); err != nil {
		return err
	}
	return tx.Record("scope.lower_level", "scope", scopeID, map[string]any{"requirement_id": requirementID, "reason": reason}, nil)
}

// RaiseCandidate is an "erhöht" requirement of a scope's catalog that is
// not raised yet.
type RaiseCandidate struct {
	ID    string `db:"id"`
	Title string `db:"title"`
}

// RaiseCandidates lists the "erhöht" requirements of the scope's catalog
// that the ISB has not raised, in catalog order.
func (db *DB) RaiseCandidates(ctx context.Context, scopeID int64) ([]RaiseCandidate, error) {
	var cs []RaiseCandidate
	err := db.x.SelectContext(ctx, &cs, `
		SELECT r.id, r.title FROM scopes s JOIN catalog_requirements r ON r.catalog_id = s.catalog_id
		WHERE s.id = $1 AND r.level = 'elevated' AND NOT r.withdrawn
		  AND NOT EXISTS (SELECT 1 FROM scope_level_raises lr WHERE lr.scope_id = s.id AND lr.requirement_id = r.id)
		ORDER BY r.ord`, scopeID)
	return cs, err
}
