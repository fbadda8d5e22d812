package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"ismsd/internal/domain"
)

// Readiness history: a daily snapshot of the readiness figures per scope
// and per department subtree (readiness_snapshots), for the trend and the
// forecast on the dashboards.
//
// The figures are those Readiness reports, for every department at once:
// each family of figures (objects, check entries, evidence, findings) is
// one grouped aggregate over the scope's rows by the department they
// belong to, using the gate predicates of readiness.go; those per-
// department counts are then added up along the department tree (a
// closure of each department with its subtree), so a department's row
// holds its whole subtree, as Readiness does for a reader limited to it.
// The scope's row (department NULL) adds up everything, also the items
// without a department. One statement computes every row; nothing loops
// over departments.

// snapshotLockKey is the advisory lock of a scope's snapshot (with the
// scope id as the second key).
const snapshotLockKey = 7_236_020

// snapshotFigures computes the rows of a scope's snapshot on @today: one
// per department whose subtree holds an object of the scope, and one for
// the scope (department_id NULL). Department ids are positive, so 0 keys
// the scope's row and the items without a department.
var snapshotFigures = `
	WITH RECURSIVE closure AS (
		SELECT id AS ancestor, id AS member FROM departments
		UNION ALL
		SELECT c.ancestor, d.id FROM closure c JOIN departments d ON d.parent_id = c.member
	),
	-- Where the items of a department (leaf; 0 for none) are counted:
	-- in each department above it, itself included, and in the scope's row.
	rollup AS (
		SELECT ancestor AS row_key, member AS leaf FROM closure
		UNION ALL SELECT 0, id FROM departments
		UNION ALL SELECT 0, 0
	),
	row_keys AS (
		SELECT DISTINCT r.row_key FROM rollup r
		WHERE r.leaf IN (SELECT DISTINCT coalesce(o.department_id, 0) FROM objects o WHERE o.scope_id = @scope)
		UNION SELECT 0
	),
	obj AS (
		SELECT coalesce(f.department_id, 0) AS leaf, count(*) AS objects,
		       count(*) FILTER (WHERE ` + g2Blocks + `) AS g2,
		       count(*) FILTER (WHERE ` + g3Blocks + `) AS g3,
		       count(*) FILTER (WHERE ` + g4Blocks + `) AS g4,
		       count(*) FILTER (WHERE ` + g6Blocks + `) AS g6
		FROM (` + objectFacts + `) f GROUP BY 1
	),
	-- Entries are counted per object first, which keeps the pass over
	-- the million entries free of joins.
	ent AS (
		SELECT coalesce(o.department_id, 0) AS leaf,
		       sum(g.basis_total) AS basis_total, sum(g.basis_done) AS basis_done,
		       sum(g.standard_total) AS standard_total, sum(g.standard_done) AS standard_done,
		       sum(g.elevated_total) AS elevated_total, sum(g.elevated_done) AS elevated_done,
		       sum(g.g5) AS g5, sum(g.g7) AS g7, sum(g.yes) AS yes, sum(g.uncovered) AS uncovered, sum(g.overdue) AS overdue
		FROM (
			SELECT e.object_id,
			       count(*) FILTER (WHERE e.level = 'basis') AS basis_total,
			       count(*) FILTER (WHERE e.level = 'basis' AND e.status IN ('yes', 'not_applicable')) AS basis_done,
			       count(*) FILTER (WHERE e.level = 'standard') AS standard_total,
			       count(*) FILTER (WHERE e.level = 'standard' AND e.status IN ('yes', 'not_applicable')) AS standard_done,
			       count(*) FILTER (WHERE e.level = 'elevated') AS elevated_total,
			       count(*) FILTER (WHERE e.level = 'elevated' AND e.status IN ('yes', 'not_applicable')) AS elevated_done,
			       count(*) FILTER (WHERE ` + g5Blocks + `) AS g5,
			       count(*) FILTER (WHERE ` + g7Blocks + `) AS g7,
			       count(*) FILTER (WHERE ` + g8Yes + `) AS yes,
			       count(*) FILTER (WHERE ` + g8Uncovered + `) AS uncovered,
			       count(*) FILTER (WHERE e.id IN ` + overdueEntries + `) AS overdue
			FROM check_entries e WHERE ` + entryScope + `
			GROUP BY e.object_id) g
		JOIN objects o ON o.id = g.object_id
		GROUP BY 1
	),
	evi AS (
		SELECT coalesce(ev.department_id, 0) AS leaf, count(*) FILTER (WHERE ` + g8Unanswered + `) AS unanswered
		` + rejectedEvidence + `
		GROUP BY 1
	),
	-- Findings: a department sees those about an object of its subtree
	-- and those about no object (the ISMS as a whole); each counts once
	-- per row, however many of the row's objects it names.
	fnd AS (
		SELECT f.id, f.class IN ('major', 'minor') AND ` + g9Blocks + ` AS blocks, f.state <> 'closed' AS open
		FROM findings f JOIN audits au ON au.id = f.audit_id
		WHERE au.scope_id = @scope
	),
	fnd_leaf AS (
		SELECT DISTINCT f.id, coalesce(o.department_id, 0) AS leaf
		FROM fnd f CROSS JOIN LATERAL ` + findingObjects + ` fo JOIN objects o ON o.id = fo.object_id
	),
	fnd_rows AS (
		SELECT r.row_key, count(DISTINCT f.id) FILTER (WHERE f.blocks) AS g9, count(DISTINCT f.id) FILTER (WHERE f.open) AS open
		FROM fnd_leaf x JOIN fnd f ON f.id = x.id JOIN rollup r ON r.leaf = x.leaf
		WHERE r.row_key <> 0
		GROUP BY r.row_key
	),
	fnd_scope AS (
		SELECT count(*) FILTER (WHERE f.blocks) AS g9, count(*) FILTER (WHERE f.open) AS open,
		       count(*) FILTER (WHERE f.blocks AND f.id NOT IN (SELECT id FROM fnd_leaf)) AS g9_general,
		       count(*) FILTER (WHERE f.open AND f.id NOT IN (SELECT id FROM fnd_leaf)) AS open_general
		FROM fnd f
	),
	obj_rows AS (
		SELECT r.row_key, sum(x.objects) AS objects, sum(x.g2) AS g2, sum(x.g3) AS g3, sum(x.g4) AS g4, sum(x.g6) AS g6
		FROM obj x JOIN rollup r ON r.leaf = x.leaf GROUP BY r.row_key
	),
	ent_rows AS (
		SELECT r.row_key, sum(x.basis_total) AS basis_total, sum(x.basis_done) AS basis_done,
		       sum(x.standard_total) AS standard_total, sum(x.standard_done) AS standard_done,
		       sum(x.elevated_total) AS elevated_total, sum(x.elevated_done) AS elevated_done,
		       sum(x.g5) AS g5, sum(x.g7) AS g7, sum(x.yes) AS yes, sum(x.uncovered) AS uncovered, sum(x.overdue) AS overdue
		FROM ent x JOIN rollup r ON r.leaf = x.leaf GROUP BY r.row_key
	),
	evi_rows AS (
		SELECT r.row_key, sum(x.unanswered) AS unanswered
		FROM evi x JOIN rollup r ON r.leaf = x.leaf GROUP BY r.row_key
	),
	figures AS (
		SELECT nullif(k.row_key, 0) AS department_id,
		       coalesce(o.objects, 0)::int AS objects,
		       coalesce(e.basis_total, 0)::int AS basis_total, coalesce(e.basis_done, 0)::int AS basis_done,
		       coalesce(e.standard_total, 0)::int AS standard_total, coalesce(e.standard_done, 0)::int AS standard_done,
		       coalesce(e.elevated_total, 0)::int AS elevated_total, coalesce(e.elevated_done, 0)::int AS elevated_done,
		       @guideline::int AS g1,
		       coalesce(o.g2, 0)::int AS g2,
		       coalesce(o.g3, 0)::int AS g3,
		       coalesce(o.g4, 0)::int AS g4,
		       ((SELECT count(*) ` + scopeModules + `) + (SELECT count(*) ` + paramRequirements + ` AND ` + paramsUnset + `))::int AS g4_scope,
		       coalesce(e.g5, 0)::int AS g5,
		       coalesce(o.g6, 0)::int AS g6,
		       coalesce(e.g7, 0)::int AS g7,
		       coalesce(e.yes, 0)::int AS evidence_yes,
		       coalesce(e.yes - e.uncovered, 0)::int AS evidence_covered,
		       coalesce(v.unanswered, 0)::int AS evidence_rejected,
		       @target::int AS evidence_target,
		       CASE WHEN k.row_key = 0 THEN fs.g9 - fs.g9_general ELSE coalesce(fr.g9, 0) END::int AS g9,
		       fs.g9_general::int AS g9_scope,
		       @certificate::int AS g10,
		       coalesce(e.overdue, 0)::int AS overdue_measures,
		       CASE WHEN k.row_key = 0 THEN fs.open - fs.open_general ELSE coalesce(fr.open, 0) END::int AS open_findings,
		       fs.open_general::int AS open_findings_scope
		FROM row_keys k
		LEFT JOIN obj_rows o ON o.row_key = k.row_key
		LEFT JOIN ent_rows e ON e.row_key = k.row_key
		LEFT JOIN evi_rows v ON v.row_key = k.row_key
		LEFT JOIN fnd_rows fr ON fr.row_key = k.row_key
		CROSS JOIN fnd_scope fs
	)
	SELECT f.*, ` + snapshotG8 + ` AS g8
	FROM figures f`

// snapshotG8 is gate G8's blocking count from a row's evidence figures:
// the fulfilled entries without evidence while the coverage falls short
// of the target (domain.EvidenceShort, in integers as there), and the
// rejections nobody answered.
const snapshotG8 = `(CASE WHEN f.evidence_covered * 100 < f.evidence_target * f.evidence_yes
	THEN f.evidence_yes - f.evidence_covered ELSE 0 END + f.evidence_rejected)`

// snapshotColumns are the figure columns of readiness_snapshots, as
// snapshotFigures names them.
const snapshotColumns = `department_id, objects, basis_total, basis_done, standard_total, standard_done, elevated_total, elevated_done,
	g1, g2, g3, g4, g4_scope, g5, g6, g7, g8, g9, g9_scope, g10,
	evidence_yes, evidence_covered, evidence_rejected, evidence_target, overdue_measures, open_findings, open_findings_scope`

// snapshotReady: no gate blocks (a figures row f with its g8).
const snapshotReady = `(f.g1 + f.g2 + f.g3 + f.g4 + f.g4_scope + f.g5 + f.g6 + f.g7 + f.g8 + f.g9 + f.g9_scope + f.g10 = 0)`

// snapshotArgs are the named parameters of snapshotFigures: those of
// Readiness, with the blockers of G1 and G10 and the evidence target.
func (db *DB) snapshotArgs(ctx context.Context, scopeID int64, today time.Time) (map[string]any, error) {
	in, err := db.readinessInput(ctx, scopeID, Everything, today)
	if err != nil {
		return nil, err
	}
	g10 := 0
	st, err := db.certificateBlockers(ctx, in)
	if err != nil {
		return nil, err
	}
	if st != nil {
		g10 = len(st.blockers)
	}
	args := in.args()
	args["guideline"], args["certificate"], args["target"] = len(guidelineBlockers(in)), g10, in.coverageTarget()
	return args, nil
}

// TakeSnapshot stores the figures of a scope on day, unless they are
// already stored or another instance is taking them right now; it reports
// whether it wrote them. The advisory lock keeps two instances from
// computing the same snapshot at once; the unique key (scope, department,
// day) keeps a late second run from writing it twice.
func (db *DB) TakeSnapshot(ctx context.Context, scopeID int64, day time.Time) (bool, error) {
	tx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	var locked, taken bool
	if err := tx.GetContext(ctx, &locked, `SELECT pg_try_advisory_xact_lock($1, $2::int)`, snapshotLockKey, scopeID); err != nil {
		return false, fmt.Errorf("snapshot lock: %w", err)
	}
	if !locked {
		return false, nil
	}
	if err := tx.GetContext(ctx, &taken, `SELECT EXISTS (SELECT 1 FROM readiness_snapshots
		WHERE scope_id = $1 AND department_id IS NULL AND day = $2)`, scopeID, day.Format(time.DateOnly)); err != nil {
		return false, fmt.Errorf("snapshot taken: %w", err)
	}
	if taken {
		return false, nil
	}
	args, err := db.snapshotArgs(ctx, scopeID, day)
	if err != nil {
		return false, err
	}
	q, a := bindNamed(`
		INSERT INTO readiness_snapshots (scope_id, day, ready, `+snapshotColumns+`)
		SELECT @scope, @today::date, `+snapshotReady+`, `+snapshotColumns+`
		FROM (`+snapshotFigures+`) f
		ON CONFLICT DO NOTHING`, args)
	res, err := tx.ExecContext(ctx, q, a...)
	if err != nil {
		return false, fmt.Errorf("snapshot of scope %d: %w", scopeID, err)
	}
	if err := tx.Commit(); err != nil {
		return false, mapError(fmt.Errorf("commit: %w", err))
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// TakeSnapshots stores the day's figures of every scope that has none
// yet and returns how many scopes it took. A scope that fails is logged
// and does not stop the others.
func (db *DB) TakeSnapshots(ctx context.Context, day time.Time) (int, error) {
	var ids []int64
	if err := db.x.SelectContext(ctx, &ids, `SELECT id FROM scopes ORDER BY id`); err != nil {
		return 0, fmt.Errorf("scopes: %w", err)
	}
	taken := 0
	var first error
	for _, id := range ids {
		ok, err := db.TakeSnapshot(ctx, id, day)
		if err != nil {
			db.log.Error("readiness snapshot failed", "scope", id, "day", day.Format(time.DateOnly), "err", err)
			if first == nil {
				first = err
			}
			continue
		}
		if ok {
			taken++
		}
	}
	return taken, first
}

// snapshotRow is a row of the history as read for a reader.
type snapshotRow struct {
	Day             time.Time `db:"day"`
	Objects         int       `db:"objects"`
	BasisTotal      int       `db:"basis_total"`
	BasisDone       int       `db:"basis_done"`
	StandardTotal   int       `db:"standard_total"`
	StandardDone    int       `db:"standard_done"`
	ElevatedTotal   int       `db:"elevated_total"`
	ElevatedDone    int       `db:"elevated_done"`
	G1              int       `db:"g1"`
	G2              int       `db:"g2"`
	G3              int       `db:"g3"`
	G4              int       `db:"g4"`
	G5              int       `db:"g5"`
	G6              int       `db:"g6"`
	G7              int       `db:"g7"`
	G8              int       `db:"g8"`
	G9              int       `db:"g9"`
	G10             int       `db:"g10"`
	EvidenceYes     int       `db:"evidence_yes"`
	EvidenceCovered int       `db:"evidence_covered"`
	EvidenceTarget  int       `db:"evidence_target"`
	OverdueMeasures int       `db:"overdue_measures"`
	OpenFindings    int       `db:"open_findings"`
}

func (r snapshotRow) asDomain() domain.Snapshot {
	s := domain.Snapshot{Day: r.Day, Objects: r.Objects,
		Levels: [3]domain.LevelFigures{
			{Level: domain.LevelBasis, Total: r.BasisTotal, Done: r.BasisDone},
			{Level: domain.LevelStandard, Total: r.StandardTotal, Done: r.StandardDone},
			{Level: domain.LevelElevated, Total: r.ElevatedTotal, Done: r.ElevatedDone}},
		Blocking:    [10]int{r.G1, r.G2, r.G3, r.G4, r.G5, r.G6, r.G7, r.G8, r.G9, r.G10},
		EvidenceYes: r.EvidenceYes, EvidenceCovered: r.EvidenceCovered, EvidenceTarget: r.EvidenceTarget,
		OverdueMeasures: r.OverdueMeasures, OpenFindings: r.OpenFindings}
	s.Ready = s.Blockers() == 0
	return s
}

// historySelect reads the snapshots of a reader: the scope's row for a
// reader who sees everything, else the rows of their subtrees added up
// per day. A subtree inside another of the reader's is left out (its
// items are in the outer one), and the scope-wide parts are taken once;
// G8 is worked out again from the added-up coverage.
var historySelect = `
	WITH roots AS (
		SELECT r FROM unnest(@vis::bigint[]) AS r
		WHERE r NOT IN (SELECT s.id FROM unnest(@vis::bigint[]) AS v, department_subtree(ARRAY[v]) AS s WHERE s.id <> v)
	),
	f AS (
		SELECT day, sum(objects) AS objects,
		       sum(basis_total) AS basis_total, sum(basis_done) AS basis_done,
		       sum(standard_total) AS standard_total, sum(standard_done) AS standard_done,
		       sum(elevated_total) AS elevated_total, sum(elevated_done) AS elevated_done,
		       max(g1) AS g1, sum(g2) AS g2, sum(g3) AS g3, sum(g4) + max(g4_scope) AS g4, sum(g5) AS g5, sum(g6) AS g6, sum(g7) AS g7,
		       sum(g9) + max(g9_scope) AS g9, max(g10) AS g10,
		       sum(evidence_yes) AS evidence_yes, sum(evidence_covered) AS evidence_covered,
		       sum(evidence_rejected) AS evidence_rejected, max(evidence_target) AS evidence_target,
		       sum(overdue_measures) AS overdue_measures, sum(open_findings) + max(open_findings_scope) AS open_findings
		FROM readiness_snapshots
		WHERE scope_id = @scope AND day BETWEEN @from::date AND @to::date AND %s
		GROUP BY day
	)
	SELECT day, objects::int, basis_total::int, basis_done::int, standard_total::int, standard_done::int,
	       elevated_total::int, elevated_done::int, g1::int, g2::int, g3::int, g4::int, g5::int, g6::int, g7::int,
	       ` + snapshotG8 + `::int AS g8, g9::int, g10::int,
	       evidence_yes::int, evidence_covered::int, evidence_target::int, overdue_measures::int, open_findings::int
	FROM f ORDER BY day`

// ReadinessHistory returns the daily snapshots of a scope from from to to
// (both included), oldest first, as the reader sees them: the scope's
// figures, or those of their department subtrees.
func (db *DB) ReadinessHistory(ctx context.Context, scopeID int64, vis Visibility, from, to time.Time) ([]domain.Snapshot, error) {
	if _, err := db.Scope(ctx, scopeID); err != nil {
		return nil, err
	}
	// Two statements rather than a condition on @vis, so that either
	// reads the rows it needs by the unique key.
	rows := "department_id IN (SELECT r FROM roots)"
	if vis.All {
		rows = "department_id IS NULL"
	}
	q, args := bindNamed(fmt.Sprintf(historySelect, rows), map[string]any{"scope": scopeID, "vis": vis.arg(),
		"from": from.Format(time.DateOnly), "to": to.Format(time.DateOnly)})
	var found []snapshotRow
	if err := db.x.SelectContext(ctx, &found, q, args...); err != nil {
		return nil, fmt.Errorf("readiness history: %w", err)
	}
	return asDomainAll(found), nil
}

// DepartmentFigures are today's figures of one department's subtree, as
// its department head would be shown them.
type DepartmentFigures struct {
	ID       int64
	Name     string
	ParentID *int64
	domain.Snapshot
	// Own counts the subtree's blocking items only, without the scope-wide
	// ones every department shares (guideline, certificate, scope-wide
	// modules, findings about no object): what the department must act on.
	Own int
}

// Figures are today's figures of a scope, computed live as a snapshot
// would store them: the whole scope's and each department's that holds
// objects of the scope.
type Figures struct {
	Scope       domain.Snapshot
	Departments []DepartmentFigures // by name
}

// TodaysFigures computes the figures of a scope on today without storing
// them: the snapshot's grouped counts, for the dashboards.
func (db *DB) TodaysFigures(ctx context.Context, scopeID int64, today time.Time) (Figures, error) {
	args, err := db.snapshotArgs(ctx, scopeID, today)
	if err != nil {
		return Figures{}, err
	}
	q, a := bindNamed(`
		SELECT @today::date AS day, f.department_id, d.name, d.parent_id, f.objects, f.basis_total, f.basis_done, f.standard_total, f.standard_done,
		       f.elevated_total, f.elevated_done, f.g1, f.g2, f.g3, f.g4 + f.g4_scope AS g4, f.g5, f.g6, f.g7, f.g8, f.g9 + f.g9_scope AS g9, f.g10,
		       f.evidence_yes, f.evidence_covered, f.evidence_target, f.overdue_measures, f.open_findings + f.open_findings_scope AS open_findings,
		       f.g2 + f.g3 + f.g4 + f.g5 + f.g6 + f.g7 + f.g8 + f.g9 AS own
		FROM (`+snapshotFigures+`) f LEFT JOIN departments d ON d.id = f.department_id
		ORDER BY f.department_id IS NOT NULL, lower(d.name), d.id`, args)
	var rows []struct {
		snapshotRow
		DepartmentID *int64         `db:"department_id"`
		Name         sql.NullString `db:"name"`
		ParentID     *int64         `db:"parent_id"`
		Own          int            `db:"own"`
	}
	if err := db.x.SelectContext(ctx, &rows, q, a...); err != nil {
		return Figures{}, fmt.Errorf("figures of scope %d: %w", scopeID, err)
	}
	var f Figures
	for _, r := range rows {
		if r.DepartmentID == nil {
			f.Scope = r.asDomain()
			continue
		}
		f.Departments = append(f.Departments, DepartmentFigures{ID: *r.DepartmentID, Name: r.Name.String, ParentID: r.ParentID,
			Snapshot: r.asDomain(), Own: r.Own})
	}
	return f, nil
}
