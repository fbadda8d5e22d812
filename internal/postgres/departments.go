package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"ismsd/internal/domain"
)

// Visibility limits what a reader sees: everything, or the objects of
// some department subtrees (a department head, a department's ISB).
type Visibility struct {
	All         bool
	Departments []int64 // roots of the visible subtrees
}

// Everything is the visibility of global roles and of the system itself.
var Everything = Visibility{All: true}

// arg is the SQL parameter for the visibility: NULL for everything, else
// the array of subtree roots (see department_subtree in the migrations).
func (v Visibility) arg() any {
	if v.All {
		return nil
	}
	if v.Departments == nil {
		return []int64{}
	}
	return int64Array(v.Departments)
}

// departmentsSelect lists the tree depth first with each node's depth.
const departmentsSelect = `
	WITH RECURSIVE tree AS (
		SELECT id, parent_id, name, code, version, 0 AS depth, ARRAY[lower(name)] AS path FROM departments WHERE parent_id IS NULL
		UNION ALL
		SELECT d.id, d.parent_id, d.name, d.code, d.version, t.depth + 1, t.path || lower(d.name)
		FROM departments d JOIN tree t ON d.parent_id = t.id
	)
	SELECT id, parent_id, name, code, depth, version FROM tree`

// ListDepartments returns the organisation tree in depth-first order.
func (db *DB) ListDepartments(ctx context.Context) ([]domain.Department, error) {
	var ds []domain.Department
	err := db.x.SelectContext(ctx, &ds, departmentsSelect+` ORDER BY path`)
	return ds, err
}

// DepartmentByID returns one department.
func (db *DB) DepartmentByID(ctx context.Context, id int64) (domain.Department, error) {
	notFound := domain.Errorf(domain.ErrNotFound, "no department %d", id).De("Diese Organisationseinheit gibt es nicht.")
	return getOne[domain.Department](ctx, db.x, notFound, departmentsSelect+` WHERE id = $1`, id)
}

// CreateDepartment adds a department below ParentID (nil for a root).
func (tx *Tx) CreateDepartment(ctx context.Context, in domain.DepartmentInput) (domain.Department, error) {
	if vs := in.Validate(); len(vs) > 0 {
		return domain.Department{}, domain.Invalid(vs...)
	}
	var d domain.Department
	err := tx.x.GetContext(ctx, &d, `
		INSERT INTO departments (parent_id, name, code) VALUES ($1, $2, $3)
		RETURNING id, parent_id, name, code, version`, in.ParentID, in.Name, in.Code)
	if err != nil {
		return d, departmentError(err, in)
	}
	return d, tx.Record("department.create", "department", d.ID, nil, d)
}

// UpdateDepartment renames or moves a department if it is still at
// version; a department cannot move below itself.
func (tx *Tx) UpdateDepartment(ctx context.Context, id int64, version int, ch domain.DepartmentChange) (domain.Department, error) {
	before, err := lockVersion(recordName{fmt.Sprintf("department %d", id), "Die Organisationseinheit"}, version, func() (domain.Department, int, error) {
		var d domain.Department
		err := tx.x.GetContext(ctx, &d, `SELECT id, parent_id, name, code, version FROM departments WHERE id = $1 FOR UPDATE`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return d, 0, domain.Errorf(domain.ErrNotFound, "no department %d", id).De("Diese Organisationseinheit gibt es nicht.")
		}
		return d, d.Version, err
	})
	if err != nil {
		return before, err
	}
	in := ch.Apply(before)
	if vs := in.Validate(); len(vs) > 0 {
		return before, domain.Invalid(vs...)
	}
	if in.ParentID != nil {
		var below bool
		if err := tx.x.GetContext(ctx, &below, `SELECT $1 IN (SELECT id FROM department_subtree(ARRAY[$2]::bigint[]))`, *in.ParentID, id); err != nil {
			return before, err
		}
		if below {
			return before, domain.Invalid(domain.Violation{Pointer: "/parent_id", Detail: "a department cannot move below itself",
				German: "Eine Organisationseinheit kann nicht unter sich selbst verschoben werden."})
		}
	}
	var d domain.Department
	err = tx.x.GetContext(ctx, &d, `
		UPDATE departments SET parent_id = $2, name = $3, code = $4, version = version + 1 WHERE id = $1
		RETURNING id, parent_id, name, code, version`, id, in.ParentID, in.Name, in.Code)
	if err != nil {
		return d, departmentError(err, in)
	}
	return d, tx.Record("department.update", "department", id, before, d)
}

// DeleteDepartment removes a department that nothing refers to.
func (tx *Tx) DeleteDepartment(ctx context.Context, id int64) error {
	var uses struct {
		Children int `db:"children"`
		Objects  int `db:"objects"`
		Grants   int `db:"grants"`
	}
	err := tx.x.GetContext(ctx, &uses, `
		SELECT (SELECT count(*) FROM departments WHERE parent_id = $1) AS children,
		       (SELECT count(*) FROM objects WHERE department_id = $1) AS objects,
		       (SELECT count(*) FROM role_grants WHERE department_id = $1) AS grants`, id)
	if err != nil {
		return err
	}
	if uses.Children+uses.Objects+uses.Grants > 0 {
		return domain.Errorf(domain.ErrConflict, "department %d still has %d sub-departments, %d objects and %d role grants", id, uses.Children, uses.Objects, uses.Grants).
			De("Die Organisationseinheit wird noch verwendet (untergeordnete Einheiten, Zielobjekte oder Rollen).")
	}
	var d domain.Department
	err = tx.x.GetContext(ctx, &d, `DELETE FROM departments WHERE id = $1 RETURNING id, parent_id, name, code, version`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ErrNotFound, "no department %d", id).De("Diese Organisationseinheit gibt es nicht.")
	}
	if err != nil {
		return mapError(err)
	}
	return tx.Record("department.delete", "department", id, d, nil)
}

func departmentError(err error, in domain.DepartmentInput) error {
	if foreignKey(err) != "" {
		return domain.Invalid(domain.Violation{Pointer: "/parent_id", Detail: "no such parent department",
			German: "Die übergeordnete Organisationseinheit gibt es nicht."})
	}
	if isUniqueViolation(err) {
		return domain.Errorf(domain.ErrConflict, "a department named %q or with code %q exists already there", in.Name, in.Code).
			De("Eine Organisationseinheit mit diesem Namen (an dieser Stelle) oder diesem Kürzel gibt es schon.")
	}
	return mapError(err)
}
