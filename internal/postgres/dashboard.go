package postgres

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// TypeCount is how many target objects of a type a reader sees.
type TypeCount struct {
	Type    domain.ObjectType `db:"type"`
	Objects int               `db:"objects"`
}

// ObjectsByType counts the visible target objects of a scope per type, in
// the order of domain.ObjectTypes (the scope's own object left out).
func (db *DB) ObjectsByType(ctx context.Context, scopeID int64, vis Visibility) ([]TypeCount, error) {
	var out []TypeCount
	err := db.x.SelectContext(ctx, &out, `
		SELECT o.type, count(*) AS objects
		FROM objects o
		WHERE o.scope_id = $1 AND o.type <> 'scope' AND `+visibleObject(2)+`
		GROUP BY o.type ORDER BY array_position($3::text[], o.type::text)`,
		scopeID, vis.arg(), objectTypeOrder())
	if err != nil {
		return nil, fmt.Errorf("objects by type: %w", err)
	}
	return out, nil
}

func objectTypeOrder() any {
	names := make([]string, len(domain.ObjectTypes))
	for i, t := range domain.ObjectTypes {
		names[i] = string(t)
	}
	return pq.Array(names)
}

// openFindings are a scope's open findings (any class) as a department
// subtree sees them, by due date: those about an object of the subtree
// and those about no object (the ISMS as a whole), as the readiness gate
// and the snapshot count them. A reader who sees everything sees all.
var openFindings = findingSelect + `
	WHERE a.scope_id = @scope AND f.state <> 'closed'
	  AND (@vis::bigint[] IS NULL
	       OR NOT EXISTS (SELECT 1 FROM ` + findingObjects + ` fo WHERE fo.object_id IS NOT NULL)
	       OR EXISTS (SELECT 1 FROM ` + findingObjects + ` fo JOIN objects o ON o.id = fo.object_id
	                  WHERE ` + visibleSubtree("o.department_id") + `))
	ORDER BY coalesce(f.due_date, 'infinity'), f.id LIMIT @limit`

// OpenFindings returns up to limit open findings of a scope that concern
// the reader's departments (see openFindings), and whether there are more.
func (db *DB) OpenFindings(ctx context.Context, scopeID int64, vis Visibility, limit int) ([]domain.Finding, bool, error) {
	departments, err := visibleDepartments(ctx, db, vis)
	if err != nil {
		return nil, false, err
	}
	q, args := bindNamed(openFindings, map[string]any{"scope": scopeID, "vis": departments, "limit": limit + 1})
	var rows []findingRow
	if err := db.x.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, false, fmt.Errorf("open findings: %w", err)
	}
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	return asDomainAll(rows), more, nil
}
