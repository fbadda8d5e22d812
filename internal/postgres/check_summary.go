package postgres

import (
	"context"
	"fmt"

	"ismsd/internal/domain"
)

// CountEntries counts a scope's visible check entries per status under
// the filter f (its status, cursor, limit and order are ignored), in one
// SQL statement without loading rows. Statuses without entries are
// missing from the map.
func (db *DB) CountEntries(ctx context.Context, scopeID int64, f domain.EntryFilter, vis Visibility) (map[domain.Status]int, error) {
	departments, err := resolveDepartments(ctx, db.x, f.DepartmentID, vis)
	if err != nil || departments != nil && len(departments) == 0 {
		return map[domain.Status]int{}, err
	}
	f.Status = ""
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	err = db.x.SelectContext(ctx, &rows, `
		SELECT e.status, count(*) AS n
		FROM check_entries e
		JOIN objects o ON o.id = e.object_id
		WHERE e.scope_id = $1 AND `+entryConditions+`
		GROUP BY e.status`,
		entryArgs(scopeID, f, departments)...)
	if err != nil {
		return nil, fmt.Errorf("count check entries: %w", err)
	}
	out := make(map[domain.Status]int, len(rows))
	for _, r := range rows {
		out[domain.Status(r.Status)] = r.N
	}
	return out, nil
}

// ModuleEntries returns the visible active entries of one module for a
// page of the objects that have any (by short ID, after the short ID
// cursor), ordered by object and requirement, and the cursor of the next
// page of objects ("" at the end).
func (db *DB) ModuleEntries(ctx context.Context, scopeID int64, moduleID, afterShortID string, objects int, vis Visibility) ([]domain.CheckEntry, string, error) {
	if objects <= 0 || objects > 500 {
		objects = 50
	}
	var page []string
	err := db.x.SelectContext(ctx, &page, `
		SELECT o.short_id FROM objects o
		WHERE o.scope_id = $1 AND `+visibleObject(2)+` AND o.short_id > $4
		  AND EXISTS (SELECT 1 FROM check_entries e WHERE e.object_id = o.id AND e.module_id = $3 AND e.active)
		ORDER BY o.short_id LIMIT $5`,
		scopeID, vis.arg(), moduleID, afterShortID, objects+1)
	if err != nil {
		return nil, "", fmt.Errorf("module objects: %w", err)
	}
	next := ""
	if len(page) > objects {
		page = page[:objects]
		next = page[len(page)-1]
	}
	if len(page) == 0 {
		return nil, "", nil
	}
	var rows []entryRow
	err = db.x.SelectContext(ctx, &rows, entrySelect+`
		WHERE e.scope_id = $1 AND `+visibleObject(2)+` AND e.module_id = $3 AND e.active
		  AND o.short_id >= $4 AND o.short_id <= $5
		ORDER BY o.short_id, r.ord, e.id`,
		scopeID, vis.arg(), moduleID, page[0], page[len(page)-1])
	if err != nil {
		return nil, "", fmt.Errorf("module entries: %w", err)
	}
	return asDomainAll(rows), next, nil
}
