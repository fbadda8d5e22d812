package postgres_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// brokenEverywhere breaks gates in both ministries and scope-wide, so
// that every view of the scope differs: open and unfulfilled entries, an
// object without a responsible person, an overdue Basis measure, a
// rejected evidence nobody answered, findings about an object and about
// the ISMS as a whole, and a scope-wide module the guideline requires.
func brokenEverywhere(t *testing.T, e readyEnv) {
	t.Helper()
	e.setGuideline(t, guidelineRow{modules: "{ISMS.1,ORP.4}", coverage: 50})
	e.exec(t, `UPDATE check_entries SET status = 'open' WHERE object_id = $1`, e.innSystem)
	basis := e.entryOf(t, e.sv, domain.LevelBasis)
	e.exec(t, `UPDATE check_entries SET status = 'no', justification = 'Fehlt' WHERE id = $1`, basis)
	e.exec(t, `INSERT INTO plan_items (entry_id, measure, owner, due_date) VALUES ($1, 'Härtung', 'Serverbetrieb', $2)`, basis, e.today.AddDate(0, 0, -3))
	e.exec(t, `UPDATE check_entries SET status = 'partial', justification = 'Teilweise'
		WHERE id = (SELECT min(id) FROM check_entries WHERE object_id = $1 AND level = 'standard')`, e.process)
	e.exec(t, `UPDATE objects SET responsible = '' WHERE id = $1`, e.room)
	e.evidenceFor(t, &e.inn, "rejected", nil)
	e.evidenceFor(t, &e.tlrz, "accepted", nil, e.entryOf(t, e.app, domain.LevelBasis))
	audit := e.id(t, `INSERT INTO audits (scope_id, kind, title, starts_on, ends_on, state, created_by)
		VALUES ($1, 'internal', 'Internes Audit', DATE '2026-05-04', DATE '2026-05-08', 'completed', 'pia') RETURNING id`, e.scope.ID)
	finding := func(class string, objects ...int64) {
		f := e.id(t, `INSERT INTO findings (audit_id, class, title, created_by) VALUES ($1, $2, 'Feststellung', 'pia') RETURNING id`, audit, class)
		for _, o := range objects {
			e.exec(t, `INSERT INTO finding_links (finding_id, target_type, target_id) VALUES ($1, 'object', $2)`, f, o)
		}
	}
	finding("major")                  // the ISMS as a whole: everyone sees it
	finding("minor", e.innSystem)     // the interior ministry's
	finding("minor", e.sv, e.room)    // two objects of the data centre: one finding
	finding("recommendation", e.room) // open, but blocks nothing
}

// TestSnapshotHasReadinessFigures: every row of a snapshot holds what
// Readiness reports for a reader limited to that department's subtree,
// and the scope's row what it reports for everything; several subtrees
// read together add up to what Readiness reports for them together.
func TestSnapshotHasReadinessFigures(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	brokenEverywhere(t, e)
	taken, err := e.db.TakeSnapshot(ctx, e.scope.ID, e.today)
	if err != nil || !taken {
		t.Fatalf("snapshot: %v %v", taken, err)
	}
	for _, vis := range []postgres.Visibility{
		postgres.Everything,
		{Departments: []int64{e.fin}},
		{Departments: []int64{e.tlrz}},
		{Departments: []int64{e.inn}},
		{Departments: []int64{e.fin, e.inn}},
		{Departments: []int64{e.tlrz, e.fin}}, // the data centre lies within the ministry
	} {
		r, err := e.db.Readiness(ctx, e.scope.ID, vis, e.today)
		if err != nil {
			t.Fatal(err)
		}
		hist, err := e.db.ReadinessHistory(ctx, e.scope.ID, vis, e.today.AddDate(0, 0, -30), e.today)
		if err != nil || len(hist) != 1 {
			t.Fatalf("%+v: history %+v, %v", vis, hist, err)
		}
		s := hist[0]
		for i, g := range r.Gates {
			if s.Blocking[i] != g.Blocking {
				t.Errorf("%+v: %s blocking %d in the snapshot, %d by Readiness (%s)", vis, g.ID, s.Blocking[i], g.Blocking, g.Summary)
			}
		}
		// The dashboards list the open findings the snapshot counts.
		if fs, _, err := e.db.OpenFindings(ctx, e.scope.ID, vis, 100); err != nil || len(fs) != s.OpenFindings {
			t.Errorf("%+v: %d open findings listed (%v), %d counted", vis, len(fs), err, s.OpenFindings)
		}
		if s.Ready != r.Ready || s.Objects != r.Gates[1].Checked || !s.Day.Equal(e.today) {
			t.Errorf("%+v: ready %v objects %d day %s; Readiness %v %d", vis, s.Ready, s.Objects, s.Day, r.Ready, r.Gates[1].Checked)
		}
		levels, err := e.db.CheckProgress(ctx, e.scope.ID, vis, postgres.ProgressByLevel)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range levels {
			for _, l := range s.Levels {
				if string(l.Level) == p.Key && (l.Total != p.Total || l.Done != p.Done()) {
					t.Errorf("%+v: %s %d of %d done in the snapshot, progress %d of %d", vis, p.Key, l.Done, l.Total, p.Done(), p.Total)
				}
			}
		}
	}
	// The figures beyond the gates, counted by hand: one overdue measure
	// (the data centre's), four open findings of which the finance
	// ministry sees the general one and the data centre's.
	hist, _ := e.db.ReadinessHistory(ctx, e.scope.ID, postgres.Everything, e.today, e.today)
	fin, _ := e.db.ReadinessHistory(ctx, e.scope.ID, postgres.Visibility{Departments: []int64{e.fin}}, e.today, e.today)
	inn, _ := e.db.ReadinessHistory(ctx, e.scope.ID, postgres.Visibility{Departments: []int64{e.inn}}, e.today, e.today)
	if hist[0].OverdueMeasures != 1 || fin[0].OverdueMeasures != 1 || inn[0].OverdueMeasures != 0 {
		t.Errorf("overdue measures %d %d %d", hist[0].OverdueMeasures, fin[0].OverdueMeasures, inn[0].OverdueMeasures)
	}
	if hist[0].OpenFindings != 4 || fin[0].OpenFindings != 3 || inn[0].OpenFindings != 2 {
		t.Errorf("open findings %d %d %d", hist[0].OpenFindings, fin[0].OpenFindings, inn[0].OpenFindings)
	}
	if hist[0].EvidenceCovered != 1 || hist[0].EvidenceTarget != 50 || inn[0].EvidenceCovered != 0 {
		t.Errorf("evidence %+v / %+v", hist[0], inn[0])
	}
	// A department without objects in the scope has no history; one that
	// does not exist neither.
	empty := e.id(t, `INSERT INTO departments (name) VALUES ('Kultusministerium') RETURNING id`)
	if h, err := e.db.ReadinessHistory(ctx, e.scope.ID, postgres.Visibility{Departments: []int64{empty}}, e.today, e.today); err != nil || len(h) != 0 {
		t.Errorf("empty department: %+v %v", h, err)
	}
}

// TestTodaysFigures: the live figures are the snapshot's, per
// department as Readiness reports them for its head.
func TestTodaysFigures(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	brokenEverywhere(t, e)
	f, err := e.db.TodaysFigures(ctx, e.scope.ID, e.today)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range f.Departments {
		names = append(names, d.Name)
	}
	if strings.Join(names, "|") != "Finanzministerium|Innenministerium|Landesrechenzentrum" || *f.Departments[2].ParentID != e.fin {
		t.Fatalf("departments %v", names)
	}
	all, err := e.db.Readiness(ctx, e.scope.ID, postgres.Everything, e.today)
	if err != nil {
		t.Fatal(err)
	}
	if f.Scope.Blockers() != all.Blockers() || f.Scope.OpenFindings != 4 || f.Scope.OverdueMeasures != 1 || !f.Scope.Day.Equal(e.today) {
		t.Errorf("scope %+v, Readiness %d blockers", f.Scope, all.Blockers())
	}
	for _, d := range f.Departments {
		r, err := e.db.Readiness(ctx, e.scope.ID, postgres.Visibility{Departments: []int64{d.ID}}, e.today)
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range r.Gates {
			if d.Blocking[i] != g.Blocking {
				t.Errorf("%s: %s %d, Readiness %d", d.Name, g.ID, d.Blocking[i], g.Blocking)
			}
		}
		// Own: without the guideline's, the scope modules' (one: ORP.4) and
		// the general finding's.
		if d.Own != r.Blockers()-d.Blocking[0]-d.Blocking[9]-1-1 {
			t.Errorf("%s: own %d of %d", d.Name, d.Own, r.Blockers())
		}
	}
}

// TestSnapshotOnceADay: several instances taking the day's snapshot at
// the same moment write it once; the next day gets its own.
func TestSnapshotOnceADay(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	brokenEverywhere(t, e)
	const runs = 8
	var wg sync.WaitGroup
	results := make(chan bool, runs)
	for range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			taken, err := e.db.TakeSnapshots(ctx, e.today)
			if err != nil {
				t.Error(err)
			}
			results <- taken == 1
		}()
	}
	wg.Wait()
	close(results)
	writers := 0
	for ok := range results {
		if ok {
			writers++
		}
	}
	rows := func(day time.Time) (rows, keys int) {
		t.Helper()
		var n, k int64
		if err := e.owner.QueryRow(`SELECT count(*), count(DISTINCT coalesce(department_id, 0)) FROM readiness_snapshots
			WHERE scope_id = $1 AND day = $2`, e.scope.ID, day).Scan(&n, &k); err != nil {
			t.Fatal(err)
		}
		return int(n), int(k)
	}
	// The scope, both ministries and the data centre.
	if n, k := rows(e.today); writers != 1 || n != 4 || k != 4 {
		t.Errorf("%d runs wrote; %d rows for %d keys, want 4 once", writers, n, k)
	}
	// A restart later that day writes nothing.
	if taken, err := e.db.TakeSnapshot(ctx, e.scope.ID, e.today); taken || err != nil {
		t.Errorf("second snapshot of the day: %v %v", taken, err)
	}
	next := e.today.AddDate(0, 0, 1)
	if taken, err := e.db.TakeSnapshots(ctx, next); taken != 1 || err != nil {
		t.Errorf("next day: %d %v", taken, err)
	}
	if n, _ := rows(next); n != 4 {
		t.Errorf("next day: %d rows", n)
	}
}

// TestForecastFromStoredSnapshots: hand-built rows as the history would
// hold them give the forecast computed by hand.
func TestForecastFromStoredSnapshots(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	put := func(dept *int64, day time.Time, g5, g9Scope int) {
		e.exec(t, `INSERT INTO readiness_snapshots (scope_id, department_id, day, objects, basis_total, basis_done, standard_total, standard_done,
			elevated_total, elevated_done, g1, g2, g3, g4, g4_scope, g5, g6, g7, g8, g9, g9_scope, g10, ready,
			evidence_yes, evidence_covered, evidence_rejected, evidence_target, overdue_measures, open_findings, open_findings_scope)
			VALUES ($1, $2, $3, 5, 200, 200 - $4, 0, 0, 0, 0, 0, 0, 0, 0, 0, $4, 0, 0, 0, 0, $5, 0, $4 + $5 = 0, 0, 0, 0, 80, 0, 0, 0)`,
			e.scope.ID, dept, day, g5, g9Scope)
	}
	start := day("2026-05-01")
	// The scope: 120 open entries on 1 May, 8 fewer a day, and one
	// finding about the whole ISMS: 64 + 1 = 65 blocking on 8 May. At 8 a
	// day they take 8.125 days, so they are gone 9 days later: 17 May.
	for d := range 8 {
		put(nil, start.AddDate(0, 0, d), 120-8*d, 1)
	}
	// The interior ministry: rising (it shares the general finding).
	for d := range 8 {
		put(&e.inn, start.AddDate(0, 0, d), 10+d, 1)
	}
	to := start.AddDate(0, 0, 7)
	hist, err := e.db.ReadinessHistory(ctx, e.scope.ID, postgres.Everything, start.AddDate(0, 0, -60), to)
	if err != nil || len(hist) != 8 {
		t.Fatalf("history %d, %v", len(hist), err)
	}
	if hist[7].Blockers() != 65 || hist[7].DonePercent() != 68 {
		t.Errorf("last day %d blockers, %v %% done", hist[7].Blockers(), hist[7].DonePercent())
	}
	f := domain.ForecastBlockers(hist)
	if f.Outcome != domain.ForecastDate || f.Day.Format(time.DateOnly) != "2026-05-17" || f.Rate != 8 {
		t.Errorf("forecast %+v", f)
	}
	inn, err := e.db.ReadinessHistory(ctx, e.scope.ID, postgres.Visibility{Departments: []int64{e.inn}}, start, to)
	if err != nil || len(inn) != 8 {
		t.Fatalf("interior ministry %d, %v", len(inn), err)
	}
	if f := domain.ForecastBlockers(inn); f.Outcome != domain.ForecastNotAtPace || f.Blockers != 18 {
		t.Errorf("rising: %+v", f)
	}
	// The two subtrees read together count the general finding once.
	both, _ := e.db.ReadinessHistory(ctx, e.scope.ID, postgres.Visibility{Departments: []int64{e.inn, e.fin}}, to, to)
	if len(both) != 1 || both[0].Blockers() != 18 {
		t.Errorf("interior ministry and an empty one: %+v", both)
	}
}
