package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"ismsd/internal/domain"
)

// ScopeSummary is a scope with the figures its overview shows.
type ScopeSummary struct {
	domain.Scope
	CatalogTitle   string `db:"catalog_title"`
	CatalogVersion string `db:"catalog_version"`
	ISBName        string `db:"isb_name"`
	Objects        int    `db:"objects"`      // without the scope's own object
	Gaps           int    `db:"gaps"`         // objects without module and without the "no suitable module" flag
	Undetermined   int    `db:"undetermined"` // objects with an objective without protection need
	Cycles         int    `db:"cycles"`       // objects on a dependency cycle
}

// scopeSummarySelect counts within the reader's visibility ($1), joining
// aggregates of the scope's modelling and needs once instead of asking
// per object.
const scopeSummarySelect = `
	SELECT s.id, s.name, s.description, s.catalog_id, s.approach, s.isb_user_id, s.created_at, s.version,
	       so.id AS object_id, c.title AS catalog_title, c.version AS catalog_version, c.method,
	       coalesce(nullif(u.display_name, ''), u.username, '') AS isb_name,
	       f.objects, f.gaps, f.undetermined, f.cycles
	FROM scopes s
	JOIN catalogs c ON c.id = s.catalog_id
	JOIN objects so ON so.scope_id = s.id AND so.type = 'scope'
	LEFT JOIN users u ON u.id = s.isb_user_id
	CROSS JOIN LATERAL (
		SELECT count(*) AS objects,
		       count(*) FILTER (WHERE NOT o.no_suitable_module AND m.object_id IS NULL) AS gaps,
		       count(*) FILTER (WHERE n.undetermined) AS undetermined,
		       count(*) FILTER (WHERE n.on_cycle) AS cycles
		FROM objects o
		LEFT JOIN (SELECT DISTINCT om.object_id FROM object_modules om JOIN objects x ON x.id = om.object_id
		           WHERE x.scope_id = s.id) m ON m.object_id = o.id
		LEFT JOIN (SELECT nn.object_id, bool_or(nn.effective = 0) AS undetermined, bool_or(nn.cycle > 0) AS on_cycle
		           FROM object_needs nn JOIN objects x ON x.id = nn.object_id WHERE x.scope_id = s.id
		           GROUP BY nn.object_id) n ON n.object_id = o.id
		WHERE o.scope_id = s.id AND o.type <> 'scope'
		  AND ($1::bigint[] IS NULL OR o.department_id IN (SELECT id FROM department_subtree($1)))) f`

// ListScopes returns every scope with its figures, by name.
func (db *DB) ListScopes(ctx context.Context, vis Visibility) ([]ScopeSummary, error) {
	var ss []ScopeSummary
	err := db.x.SelectContext(ctx, &ss, scopeSummarySelect+` ORDER BY lower(s.name)`, vis.arg())
	return ss, err
}

// ScopeByID returns one scope with its figures.
func (db *DB) ScopeByID(ctx context.Context, id int64, vis Visibility) (ScopeSummary, error) {
	notFound := domain.Errorf(domain.ErrNotFound, "no scope %d", id).De("Diesen Informationsverbund gibt es nicht.")
	return getOne[ScopeSummary](ctx, db.x, notFound, scopeSummarySelect+` WHERE s.id = $2`, vis.arg(), id)
}

// Scope returns one scope without its figures, for pages that only name
// it (the figures cost a pass over the scope's objects).
func (db *DB) Scope(ctx context.Context, id int64) (ScopeSummary, error) {
	notFound := domain.Errorf(domain.ErrNotFound, "no scope %d", id).De("Diesen Informationsverbund gibt es nicht.")
	return getOne[ScopeSummary](ctx, db.x, notFound, `
		SELECT s.id, s.name, s.description, s.catalog_id, s.approach, s.isb_user_id, s.created_at, s.version,
		       so.id AS object_id, c.title AS catalog_title, c.version AS catalog_version, c.method,
		       coalesce(nullif(u.display_name, ''), u.username, '') AS isb_name
		FROM scopes s JOIN catalogs c ON c.id = s.catalog_id
		JOIN objects so ON so.scope_id = s.id AND so.type = 'scope'
		LEFT JOIN users u ON u.id = s.isb_user_id
		WHERE s.id = $1`, id)
}

// CreateScope adds a scope and its own target object (for scope-wide
// modules such as ISMS.1).
func (tx *Tx) CreateScope(ctx context.Context, in domain.ScopeInput) (domain.Scope, error) {
	if in.Approach == "" {
		// A Grundschutz++ scope has no approach: its package applies.
		var method domain.Method
		err := tx.x.GetContext(ctx, &method, `SELECT method FROM catalogs WHERE id = $1`, in.CatalogID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return domain.Scope{}, err
		}
		if method == domain.MethodPlusPlus {
			in.Approach = domain.ApproachStandard
		}
	}
	if vs := in.Validate(); len(vs) > 0 {
		return domain.Scope{}, domain.Invalid(vs...)
	}
	var s domain.Scope
	err := tx.x.GetContext(ctx, &s, `
		INSERT INTO scopes (name, description, catalog_id, approach, isb_user_id) VALUES ($1, $2, $3, $4, $5)
		RETURNING id, name, description, catalog_id, approach, isb_user_id, created_at, version`,
		in.Name, in.Description, in.CatalogID, in.Approach, in.ISBUserID)
	if err != nil {
		return s, scopeError(err, in)
	}
	o, err := tx.createObject(ctx, s.ID, domain.ObjectInput{Type: domain.ObjectScope, ShortID: "IV", ObjectFields: domain.ObjectFields{Name: in.Name,
		Description: "Der Informationsverbund als Ganzes, für übergreifende Bausteine.", Tags: []string{}}, Members: 1}, Everything)
	if err != nil {
		return s, err
	}
	s.ObjectID = o.ID
	if err := tx.Record("scope.create", "scope", s.ID, nil, s); err != nil {
		return s, err
	}
	// A Grundschutz++ scope's requirement package applies at once.
	_, err = tx.DeriveChecks(ctx, s.ID, nil)
	return s, err
}

// UpdateScope changes a scope if it is still at version. Its catalog can
// only change while no module of it is assigned.
func (tx *Tx) UpdateScope(ctx context.Context, id int64, version int, ch domain.ScopeChange) (domain.Scope, error) {
	before, err := lockVersion(recordName{fmt.Sprintf("scope %d", id), "Der Informationsverbund"}, version, func() (domain.Scope, int, error) {
		var sc domain.Scope
		err := tx.x.GetContext(ctx, &sc, `SELECT id, name, description, catalog_id, approach, isb_user_id, created_at, version
			FROM scopes WHERE id = $1 FOR UPDATE`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return sc, 0, domain.Errorf(domain.ErrNotFound, "no scope %d", id).De("Diesen Informationsverbund gibt es nicht.")
		}
		return sc, sc.Version, err
	})
	if err != nil {
		return before, err
	}
	in := ch.Apply(before)
	if vs := in.Validate(); len(vs) > 0 {
		return before, domain.Invalid(vs...)
	}
	if in.CatalogID != before.CatalogID {
		var assigned int
		if err := tx.x.GetContext(ctx, &assigned, `SELECT count(*) FROM object_modules m JOIN objects o ON o.id = m.object_id WHERE o.scope_id = $1`, id); err != nil {
			return before, err
		}
		if assigned > 0 {
			return before, domain.Errorf(domain.ErrConflict, "the scope's objects have %d modules of its catalog; the catalog cannot change", assigned).
				De("Der Katalog kann nicht mehr gewechselt werden: Den Zielobjekten sind bereits Bausteine zugeordnet.")
		}
	}
	var s domain.Scope
	err = tx.x.GetContext(ctx, &s, `
		UPDATE scopes SET name = $2, description = $3, catalog_id = $4, approach = $5, isb_user_id = $6, version = version + 1
		WHERE id = $1 RETURNING id, name, description, catalog_id, approach, isb_user_id, created_at, version`,
		id, in.Name, in.Description, in.CatalogID, in.Approach, in.ISBUserID)
	if err != nil {
		return s, scopeError(err, in)
	}
	if _, err := tx.x.ExecContext(ctx, `UPDATE objects SET name = $2 WHERE scope_id = $1 AND type = 'scope'`, id, in.Name); err != nil {
		return s, err
	}
	if in.Approach != before.Approach || in.CatalogID != before.CatalogID {
		if _, err := tx.DeriveChecks(ctx, id, nil); err != nil {
			return s, err
		}
	}
	return s, tx.Record("scope.update", "scope", id, before, s)
}

func scopeError(err error, in domain.ScopeInput) error {
	if isUniqueViolation(err) {
		return domain.Errorf(domain.ErrConflict, "a scope named %q exists already", in.Name).De("Einen Informationsverbund mit diesem Namen gibt es schon.")
	}
	if isForeignKeyViolation(err) {
		return domain.Invalid(domain.Violation{Pointer: "/catalog_id", Detail: "no such catalog or user", German: "Katalog oder ISB gibt es nicht."})
	}
	return mapError(err)
}
