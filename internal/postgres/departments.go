package postgres

import (
	"context"

	"ismsd/internal/domain"
)

// ListDepartments returns the organisation tree in depth-first order.
func (db *DB) ListDepartments(ctx context.Context) ([]domain.Department, error) {
	var ds []domain.Department
	err := db.x.SelectContext(ctx, &ds, `
		WITH RECURSIVE tree AS (
			SELECT id, parent_id, name, ARRAY[name] AS path FROM departments WHERE parent_id IS NULL
			UNION ALL
			SELECT d.id, d.parent_id, d.name, t.path || d.name FROM departments d JOIN tree t ON d.parent_id = t.id
		)
		SELECT id, parent_id, name FROM tree ORDER BY path`)
	return ds, err
}

// CreateDepartment adds a department below parentID (nil for a root).
func (tx *Tx) CreateDepartment(ctx context.Context, parentID *int64, name string) (domain.Department, error) {
	var d domain.Department
	err := tx.x.GetContext(ctx, &d, `
		INSERT INTO departments (parent_id, name) VALUES ($1, $2) RETURNING id, parent_id, name`, parentID, name)
	if isUniqueViolation(err) {
		return d, domain.Errorf(domain.ErrConflict, "department %q already exists there", name).De("Diese Organisationseinheit gibt es dort schon.")
	}
	if err != nil {
		return d, mapError(err)
	}
	return d, tx.Record("department.create", "department", d.ID, nil, d)
}
