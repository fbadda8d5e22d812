package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"ismsd/internal/domain"
)

// Progress breakdowns of the check: by department subtree, by layer and
// by level. Each is one grouped aggregate over the visible active entries
// (entryScope, as the readiness gates count them); the entries are first
// counted per object or module, which keeps the million-row pass free of
// joins, and only those few groups are then mapped to departments or
// layers.

// ProgressBy names a breakdown.
type ProgressBy string

const (
	ProgressByDepartment ProgressBy = "department"
	ProgressByLayer      ProgressBy = "layer"
	ProgressByLevel      ProgressBy = "level"
)

// Valid reports whether b is a known breakdown.
func (b ProgressBy) Valid() bool {
	return b == ProgressByDepartment || b == ProgressByLayer || b == ProgressByLevel
}

// progressColumns count the entries e per status.
const progressColumns = `count(*) AS total,
	count(*) FILTER (WHERE e.status = 'yes') AS yes,
	count(*) FILTER (WHERE e.status = 'not_applicable') AS not_applicable,
	count(*) FILTER (WHERE e.status = 'partial') AS partial,
	count(*) FILTER (WHERE e.status = 'no') AS no,
	count(*) FILTER (WHERE e.status = 'open') AS open`

// progressSums add up per-group counts of a subquery g.
const progressSums = `sum(g.total)::int AS total, sum(g.yes)::int AS yes, sum(g.not_applicable)::int AS not_applicable,
	sum(g.partial)::int AS partial, sum(g.no)::int AS no, sum(g.open)::int AS open`

var progressQueries = map[ProgressBy]string{
	ProgressByLevel: `
		SELECT e.level AS key, '' AS label, ` + progressColumns + `
		FROM check_entries e WHERE ` + entryScope + `
		GROUP BY e.level ORDER BY array_position(ARRAY['basis', 'standard', 'elevated'], e.level)`,

	// A layer is the top group of the module in its catalog (Kompendium:
	// ISMS, ORP, … NET, INF; Grundschutz++: its practices).
	ProgressByLayer: `
		WITH RECURSIVE layer AS (
			SELECT c.catalog_id, c.key, c.key AS top, c.title, c.ord FROM catalog_groups c
			WHERE c.catalog_id IN (SELECT catalog_id FROM scopes WHERE id = @scope) AND c.parent_key IS NULL
			UNION ALL
			SELECT c.catalog_id, c.key, l.top, l.title, l.ord FROM catalog_groups c
			JOIN layer l ON c.catalog_id = l.catalog_id AND c.parent_key = l.key
		),
		g AS (
			SELECT e.catalog_id, e.module_id, ` + progressColumns + `
			FROM check_entries e WHERE ` + entryScope + `
			GROUP BY e.catalog_id, e.module_id
		)
		SELECT coalesce(l.top, '') AS key, coalesce(min(l.title), 'ohne Schicht') AS label, ` + progressSums + `
		FROM g
		LEFT JOIN catalog_modules m ON m.catalog_id = g.catalog_id AND m.id = g.module_id
		LEFT JOIN layer l ON l.catalog_id = m.catalog_id AND l.key = m.group_key
		GROUP BY l.top ORDER BY min(l.ord) NULLS LAST`,

	// Global readers see the top-level departments; a department-limited
	// reader sees each subtree right below their grant's department, and
	// that department's own objects as a row of its own.
	ProgressByDepartment: `
		WITH RECURSIVE tree AS (
			SELECT d.id, d.id AS group_id, 0 AS depth FROM departments d
			WHERE CASE WHEN @roots::bigint[] IS NULL THEN d.parent_id IS NULL ELSE d.id = ANY (@roots::bigint[]) END
			UNION ALL
			SELECT d.id, CASE WHEN @roots::bigint[] IS NOT NULL AND t.depth = 0 THEN d.id ELSE t.group_id END, t.depth + 1
			FROM departments d JOIN tree t ON d.parent_id = t.id
		),
		grouping AS (SELECT DISTINCT ON (id) id, group_id FROM tree ORDER BY id, depth),
		g AS (
			SELECT e.object_id, ` + progressColumns + `
			FROM check_entries e WHERE ` + entryScope + `
			GROUP BY e.object_id
		)
		SELECT coalesce(gr.group_id::text, '') AS key, coalesce(min(d.name), 'ohne Organisationseinheit') AS label, ` + progressSums + `
		FROM g
		JOIN objects o ON o.id = g.object_id
		LEFT JOIN grouping gr ON gr.id = o.department_id
		LEFT JOIN departments d ON d.id = gr.group_id
		GROUP BY gr.group_id ORDER BY gr.group_id IS NULL, lower(min(d.name))`,
}

// CheckProgress breaks a scope's check progress down by department
// subtree, layer or level, as the reader sees it.
func (db *DB) CheckProgress(ctx context.Context, scopeID int64, vis Visibility, by ProgressBy) ([]domain.Progress, error) {
	q, ok := progressQueries[by]
	if !ok {
		return nil, domain.Invalid(domain.Violation{Pointer: "/by", Detail: "by must be department, layer or level",
			German: "Bitte nach Organisationseinheit, Schicht oder Stufe aufschlüsseln."})
	}
	if _, err := db.Scope(ctx, scopeID); err != nil {
		return nil, err
	}
	var rows []struct {
		Key           string `db:"key"`
		Label         string `db:"label"`
		Total         int    `db:"total"`
		Yes           int    `db:"yes"`
		NotApplicable int    `db:"not_applicable"`
		Partial       int    `db:"partial"`
		No            int    `db:"no"`
		Open          int    `db:"open"`
	}
	departments, err := visibleDepartments(ctx, db, vis)
	if err != nil {
		return nil, err
	}
	// @roots: the subtrees of the reader's grant, for the department rows.
	query, args := bindNamed(q, map[string]any{"scope": scopeID, "vis": departments, "roots": vis.arg()})
	if err := db.x.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("check progress by %s: %w", by, err)
	}
	out := make([]domain.Progress, len(rows))
	for i, r := range rows {
		out[i] = domain.Progress{Key: r.Key, Label: r.Label, Total: r.Total, Yes: r.Yes, NotApplicable: r.NotApplicable,
			Partial: r.Partial, No: r.No, Open: r.Open}
	}
	if by == ProgressByLevel {
		for i := range out {
			out[i].Label = domain.LevelName(domain.Level(out[i].Key))
		}
	}
	return out, nil
}

// LevelProgress is the progress per level (Basis, Standard, elevated)
// against the target dates of the guideline in force: done of total, the
// date, and whether it has passed with the level not done.
func (db *DB) LevelProgress(ctx context.Context, scopeID int64, vis Visibility, today time.Time) ([]domain.LevelProgress, error) {
	ps, err := db.CheckProgress(ctx, scopeID, vis, ProgressByLevel)
	if err != nil {
		return nil, err
	}
	g, err := optional(db.GuidelineInForce(ctx, scopeID))
	if err != nil {
		return nil, err
	}
	return domain.LevelTargets(ps, g, today), nil
}

// DepartmentKey is the department id of a progress row by department (0
// for the objects without one).
func DepartmentKey(p domain.Progress) int64 {
	id, _ := strconv.ParseInt(p.Key, 10, 64)
	return id
}
