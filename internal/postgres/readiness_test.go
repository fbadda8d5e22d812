package postgres_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// readyEnv is the structure's scope brought to the point where every
// gate passes: a guideline in force, every object described, assessed
// and modelled, every entry fulfilled. Each test breaks one gate by hand
// and mends it again.
type readyEnv struct {
	structure
	owner *sql.DB
	today time.Time
}

var readyToday = day("2026-06-15")

func newReadyEnv(t *testing.T) readyEnv {
	t.Helper()
	s := newStructure(t)
	owner := openSQL(t, s.ownerURL)
	e := readyEnv{structure: s, owner: owner, today: readyToday}
	e.exec(t, `UPDATE objects SET responsible = 'Team ' || short_id WHERE scope_id = $1 AND type <> 'scope'`, s.scope.ID)
	e.exec(t, `UPDATE object_needs n SET own = 1, effective = 1, source = 'own' FROM objects o WHERE o.id = n.object_id AND o.scope_id = $1`, s.scope.ID)
	e.exec(t, `INSERT INTO object_modules (object_id, catalog_id, module_id)
		SELECT o.id, $2, CASE o.type WHEN 'scope' THEN 'ISMS.1' WHEN 'process' THEN 'ORP.4' WHEN 'application' THEN 'CON.3'
		                             WHEN 'it_system' THEN 'SYS.1.1' ELSE 'INF.2' END
		FROM objects o WHERE o.scope_id = $1`, s.scope.ID, s.scope.CatalogID)
	if err := s.change(t, func(tx *postgres.Tx) error { _, err := tx.DeriveChecks(ctx, s.scope.ID, nil); return err }); err != nil {
		t.Fatal(err)
	}
	e.exec(t, `UPDATE check_entries SET status = 'yes' WHERE scope_id = $1`, s.scope.ID)
	e.setGuideline(t, guidelineRow{})
	return e
}

func (e readyEnv) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := e.owner.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", strings.TrimSpace(q), err)
	}
}

func (e readyEnv) id(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := e.owner.QueryRow(q, args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", strings.TrimSpace(q), err)
	}
	return id
}

// guidelineRow is what a test changes of the guideline; zero values are
// those of a guideline that passes G1.
type guidelineRow struct {
	approach   domain.Approach
	approvedOn time.Time
	coverage   int
	modules    string // SQL array literal
	roles      string // JSON
	catalog    *int64 // Grundschutz++: the catalog it names
}

// setGuideline puts a new version in force (approved versions never
// change; the one in force before is superseded).
func (e readyEnv) setGuideline(t *testing.T, g guidelineRow) {
	t.Helper()
	if g.approach == "" {
		g.approach = domain.ApproachStandard
	}
	if g.approvedOn.IsZero() {
		g.approvedOn = e.today.AddDate(0, -1, 0)
	}
	if g.modules == "" {
		g.modules = "{ISMS.1}"
	}
	if g.roles == "" {
		g.roles = `[{"title": "Informationssicherheitsbeauftragte/r", "holder": "Anna Berg"}]`
	}
	e.exec(t, `UPDATE guidelines SET state = 'superseded' WHERE scope_id = $1 AND state = 'approved'`, e.scope.ID)
	e.exec(t, `
		INSERT INTO guidelines (scope_id, number, title, approach, review_months, evidence_coverage, required_modules, roles,
		                        state, approved_by, approved_on, approved_hash, created_by, basis_by, standard_by, catalog_id)
		SELECT $1, coalesce(max(number), 0) + 1, 'Leitlinie zur Informationssicherheit', $2, 12, $3, $4, $5,
		       'approved', 'Staatssekretärin', $6, repeat('ab', 32), 'test', DATE '2026-03-31', DATE '2026-12-31', $7
		FROM guidelines WHERE scope_id = $1`,
		e.scope.ID, g.approach, g.coverage, g.modules, g.roles, g.approvedOn, g.catalog)
}

// entryOf is the first active entry of an object at a level.
func (e readyEnv) entryOf(t *testing.T, object int64, level domain.Level) int64 {
	t.Helper()
	return e.id(t, `SELECT id FROM check_entries WHERE object_id = $1 AND level = $2 AND active ORDER BY id LIMIT 1`, object, level)
}

// allBlockers reads every page of a gate's blockers, two at a time.
func (e readyEnv) allBlockers(t *testing.T, gate domain.GateID, vis postgres.Visibility) []domain.Blocker {
	t.Helper()
	var out []domain.Blocker
	var after postgres.BlockerCursor
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("%s: the pages do not end", gate)
		}
		bs, next, err := e.db.GateBlockers(ctx, e.scope.ID, gate, vis, e.today, after, 2)
		if err != nil {
			t.Fatalf("%s blockers: %v", gate, err)
		}
		if len(bs) > 2 {
			t.Fatalf("%s: page of %d, want at most 2", gate, len(bs))
		}
		out = append(out, bs...)
		if next == nil {
			return out
		}
		if len(bs) == 0 {
			t.Fatalf("%s: an empty page with a next cursor", gate)
		}
		after = *next
	}
}

// readiness measures the scope and checks the invariant of every gate:
// Blocking is the number of blockers over all pages, and the gate fails
// exactly when there is one. It returns the gates by ID and their
// blockers.
func (e readyEnv) readiness(t *testing.T, vis postgres.Visibility) (map[domain.GateID]domain.Gate, map[domain.GateID][]domain.Blocker) {
	t.Helper()
	r, err := e.db.Readiness(ctx, e.scope.ID, vis, e.today)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Gates) != 10 {
		t.Fatalf("%d gates", len(r.Gates))
	}
	gates, blockers := map[domain.GateID]domain.Gate{}, map[domain.GateID][]domain.Blocker{}
	ready := true
	for i, g := range r.Gates {
		if g.ID != domain.Gates[i] {
			t.Errorf("gate %d is %s", i, g.ID)
		}
		bs := e.allBlockers(t, g.ID, vis)
		if len(bs) != g.Blocking {
			t.Errorf("%s: Blocking %d, but %d blockers listed: %+v", g.ID, g.Blocking, len(bs), bs)
		}
		if (g.Status == domain.GateFail) != (len(bs) > 0) || g.Status == domain.GateNotApplicable && len(bs) > 0 {
			t.Errorf("%s: status %s with %d blockers", g.ID, g.Status, len(bs))
		}
		if g.Blocking > g.Checked && g.ID != domain.GateEvidence {
			t.Errorf("%s: %d blocking of %d checked", g.ID, g.Blocking, g.Checked)
		}
		if g.Summary == "" {
			t.Errorf("%s: no summary", g.ID)
		}
		seen := map[string]bool{}
		for _, b := range bs {
			key := fmt.Sprintf("%s %d %s", b.Kind, b.ID, b.Label)
			if seen[key] {
				t.Errorf("%s: %s listed twice", g.ID, key)
			}
			seen[key] = true
			if b.Gate != g.ID || b.Reason == "" || b.Label == "" || !strings.HasPrefix(b.URL, "/") {
				t.Errorf("%s: blocker %+v", g.ID, b)
			}
		}
		ready = ready && g.Status != domain.GateFail
		gates[g.ID], blockers[g.ID] = g, bs
	}
	if r.Ready != ready {
		t.Errorf("ready %v, gates say %v", r.Ready, ready)
	}
	if r.Limited == vis.All {
		t.Errorf("limited %v for %+v", r.Limited, vis)
	}
	return gates, blockers
}

// expect checks one gate's status and blockers: each reason fragment
// must be found in a blocker of its own, in any order.
func (e readyEnv) expect(t *testing.T, vis postgres.Visibility, id domain.GateID, status domain.GateStatus, reasons ...string) []domain.Blocker {
	t.Helper()
	gates, blockers := e.readiness(t, vis)
	if gates[id].Status != status {
		t.Errorf("%s: %s (%s), want %s; blockers %+v", id, gates[id].Status, gates[id].Summary, status, blockers[id])
	}
	if len(blockers[id]) != len(reasons) {
		t.Errorf("%s: %d blockers %+v, want %d", id, len(blockers[id]), blockers[id], len(reasons))
		return blockers[id]
	}
	used := map[int]bool{}
	for _, r := range reasons {
		found := false
		for i, b := range blockers[id] {
			if !used[i] && strings.Contains(b.Reason, r) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("%s: no blocker with %q in %+v", id, r, blockers[id])
		}
	}
	return blockers[id]
}

// blockerOf finds the blocker of an item.
func blockerOf(t *testing.T, bs []domain.Blocker, id int64) domain.Blocker {
	t.Helper()
	for _, b := range bs {
		if b.ID == id {
			return b
		}
	}
	t.Fatalf("no blocker %d in %+v", id, bs)
	return domain.Blocker{}
}

func TestReadinessAllGatesPass(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	gates, _ := e.readiness(t, postgres.Everything)
	for _, id := range domain.Gates {
		want := domain.GatePass
		if id == domain.GateCertificate {
			want = domain.GateNotApplicable
		}
		if gates[id].Status != want {
			t.Errorf("%s: %s (%s)", id, gates[id].Status, gates[id].Summary)
		}
	}
	if gates[domain.GateStructure].Checked != 5 || gates[domain.GateCheck].Checked == 0 {
		t.Errorf("checked: objects %d, entries %d", gates[domain.GateStructure].Checked, gates[domain.GateCheck].Checked)
	}
	r, _ := e.db.Readiness(ctx, e.scope.ID, postgres.Everything, e.today)
	if !r.Ready || !strings.Contains(r.Verdict(), "ist bereit für das Zertifizierungsaudit") {
		t.Errorf("verdict %q", r.Verdict())
	}
}

func TestReadinessGuidelineGate(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	all := postgres.Everything
	e.exec(t, `UPDATE guidelines SET state = 'superseded' WHERE scope_id = $1`, e.scope.ID)
	e.expect(t, all, domain.GateGuideline, domain.GateFail, "keine von der Leitung freigegebene Leitlinie")
	e.setGuideline(t, guidelineRow{approach: domain.ApproachBasic, approvedOn: e.today.AddDate(-1, 0, -1),
		roles: `[{"title": "ISB", "holder": "Anna Berg"}, {"title": "Datenschutz", "holder": ""}, {"title": "Notfall", "holder": " "}]`})
	bs := e.expect(t, all, domain.GateGuideline, domain.GateFail, "Überprüfung war bis 14.06.2026 fällig", "nicht besetzt", "nicht besetzt")
	if !strings.Contains(bs[0].Reason, "Basis-Absicherung") || bs[1].Label != "Rolle: Datenschutz" || bs[0].URL != fmt.Sprintf("/scopes/%d/guideline", e.scope.ID) {
		t.Errorf("blockers %+v", bs)
	}
	// The review is due on the day itself: still inside the cycle.
	e.setGuideline(t, guidelineRow{approvedOn: e.today.AddDate(-1, 0, 0)})
	e.expect(t, all, domain.GateGuideline, domain.GatePass)
	// A department head sees the scope-wide guideline gate as it is.
	e.setGuideline(t, guidelineRow{approach: domain.ApproachBasic})
	e.expect(t, postgres.Visibility{Departments: []int64{e.inn}}, domain.GateGuideline, domain.GateFail, "Basis-Absicherung")
}

// TestReadinessApproachAgainstGuideline: the guideline is what the scope
// is measured against. Hand-computed: the ready scope switched to Basis
// keeps only its Basis entries, all "yes", so every gate but G1 passes;
// under a Standard guideline G1 must still block (it used to say ready),
// and Standard and Kern do not stand in for each other either.
func TestReadinessApproachAgainstGuideline(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	all := postgres.Everything
	setApproach := func(a domain.Approach) {
		t.Helper()
		e.exec(t, `UPDATE scopes SET approach = $2 WHERE id = $1`, e.scope.ID, a)
		if err := e.change(t, func(tx *postgres.Tx) error { _, err := tx.DeriveChecks(ctx, e.scope.ID, nil); return err }); err != nil {
			t.Fatal(err)
		}
	}
	scopeURL := fmt.Sprintf("/scopes/%d", e.scope.ID)

	setApproach(domain.ApproachBasic)
	var levels string
	if err := e.owner.QueryRow(`SELECT string_agg(DISTINCT level || ':' || status, ',') FROM check_entries WHERE scope_id = $1 AND active`,
		e.scope.ID).Scan(&levels); err != nil {
		t.Fatal(err)
	}
	if levels != "basis:yes" {
		t.Fatalf("a Basis scope's active entries are %v, want only Basis entries, all yes", levels)
	}
	gates, _ := e.readiness(t, all)
	for _, id := range domain.Gates[1:] {
		if want := map[bool]domain.GateStatus{true: domain.GateNotApplicable, false: domain.GatePass}[id == domain.GateCertificate]; gates[id].Status != want {
			t.Errorf("%s: %s (%s), want %s", id, gates[id].Status, gates[id].Summary, want)
		}
	}
	bs := e.expect(t, all, domain.GateGuideline, domain.GateFail,
		"Der Informationsverbund wird nach „Basis-Absicherung“ geprüft, die Leitlinie verlangt „Standard-Absicherung“. Im IT-Grundschutz-Check fehlen die Standard-Anforderungen.")
	if len(bs) == 1 && (bs[0].Kind != "scope" || bs[0].ID != e.scope.ID || bs[0].URL != scopeURL) {
		t.Errorf("blocker %+v, want the scope's approach leading to %s", bs[0], scopeURL)
	}
	if g := gates[domain.GateGuideline]; g.Checked != 3 || g.Blocking != 1 {
		t.Errorf("G1 checked %d, blocking %d; want the guideline, its role and the approach (3), 1 blocking", g.Checked, g.Blocking)
	}
	if r, _ := e.db.Readiness(ctx, e.scope.ID, all, e.today); r.Ready {
		t.Errorf("a Basis check under a Standard guideline is ready: %s", r.Verdict())
	}

	e.setGuideline(t, guidelineRow{approach: domain.ApproachCore})
	e.expect(t, all, domain.GateGuideline, domain.GateFail,
		"fehlen die Standard-Anforderungen und die Anforderungen bei erhöhtem Schutzbedarf")
	setApproach(domain.ApproachStandard)
	e.expect(t, all, domain.GateGuideline, domain.GateFail,
		"„Standard-Absicherung“ geprüft, die Leitlinie verlangt „Kern-Absicherung“. Im IT-Grundschutz-Check fehlen die Anforderungen bei erhöhtem Schutzbedarf.")
	setApproach(domain.ApproachCore)
	e.expect(t, all, domain.GateGuideline, domain.GatePass)
	e.setGuideline(t, guidelineRow{approach: domain.ApproachStandard})
	e.expect(t, all, domain.GateGuideline, domain.GateFail, "Kern- und Standard-Absicherung schneiden den Informationsverbund verschieden zu")
	// A department head sees the scope-wide gate as it is.
	e.expect(t, postgres.Visibility{Departments: []int64{e.inn}}, domain.GateGuideline, domain.GateFail, "„Kern-Absicherung“ geprüft")
}

func TestReadinessStructureGate(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	all := postgres.Everything
	e.exec(t, `UPDATE objects SET responsible = ' ' WHERE id = $1`, e.sv)
	e.exec(t, `UPDATE objects SET department_id = NULL WHERE id = $1`, e.innSystem)
	bs := e.expect(t, all, domain.GateStructure, domain.GateFail, "Verantwortliche Person fehlt", "Organisationseinheit fehlt")
	if bs[0].ID != e.sv || bs[0].URL != fmt.Sprintf("/objects/%d/edit", e.sv) || bs[0].DepartmentName != "Landesrechenzentrum" ||
		!strings.HasSuffix(bs[0].Label, "Managementserver") {
		t.Errorf("blocker %+v", bs[0])
	}
	// The finance ministry's head sees their subtree's object only; the
	// interior ministry's head sees none (the object without department
	// is no longer theirs).
	e.expect(t, postgres.Visibility{Departments: []int64{e.fin}}, domain.GateStructure, domain.GateFail, "Verantwortliche Person fehlt")
	e.expect(t, postgres.Visibility{Departments: []int64{e.inn}}, domain.GateStructure, domain.GatePass)
	e.exec(t, `UPDATE objects SET responsible = 'Serverbetrieb' WHERE id = $1`, e.sv)
	e.exec(t, `UPDATE objects SET department_id = $2 WHERE id = $1`, e.innSystem, e.inn)
	e.expect(t, all, domain.GateStructure, domain.GatePass)
}

func TestReadinessNeedsGate(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	all := postgres.Everything
	e.exec(t, `UPDATE object_needs SET effective = 0 WHERE object_id = $1 AND objective = 'i'`, e.app)
	e.exec(t, `UPDATE object_needs SET cycle = 1, source = 'cycle' WHERE object_id = ANY ($1)`, "{"+fmt.Sprint(e.app)+","+fmt.Sprint(e.room)+"}")
	bs := e.expect(t, all, domain.GateNeeds, domain.GateFail, "nicht für alle Grundwerte", "Abhängigkeitszyklus")
	if !strings.Contains(bs[0].Reason, "Abhängigkeitszyklus") || bs[0].URL != fmt.Sprintf("/objects/%d#needs-h", e.app) {
		t.Errorf("both reasons for the application: %+v", bs[0])
	}
	e.expect(t, postgres.Visibility{Departments: []int64{e.inn}}, domain.GateNeeds, domain.GatePass)
	e.exec(t, `UPDATE object_needs SET effective = 1, cycle = 0, source = 'own' WHERE object_id = ANY ($1)`,
		"{"+fmt.Sprint(e.app)+","+fmt.Sprint(e.room)+"}")
	e.expect(t, all, domain.GateNeeds, domain.GatePass)
}

func TestReadinessModellingGate(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	all := postgres.Everything
	e.exec(t, `DELETE FROM object_modules WHERE object_id = $1`, e.room)
	e.setGuideline(t, guidelineRow{modules: "{ISMS.1,ORP.4,XYZ.9}"})
	bs := e.expect(t, all, domain.GateModelling, domain.GateFail, "nicht zugeordnet", "Katalog des Informationsverbunds enthält ihn nicht", "Kein Baustein")
	if !strings.HasPrefix(bs[0].Label, "ORP.4 ") || bs[0].URL != fmt.Sprintf("/scopes/%d#iv-h", e.scope.ID) || bs[2].ID != e.room {
		t.Errorf("blockers %+v", bs)
	}
	// A department head sees the scope-wide modules, but not the room of
	// another department.
	e.expect(t, postgres.Visibility{Departments: []int64{e.inn}}, domain.GateModelling, domain.GateFail, "nicht zugeordnet", "enthält ihn nicht")
	// "No suitable module" is an answer too (it asks for a risk analysis).
	e.exec(t, `UPDATE objects SET no_suitable_module = true WHERE id = $1`, e.room)
	e.exec(t, `INSERT INTO object_modules (object_id, catalog_id, module_id) SELECT id, $2, 'ORP.4' FROM objects WHERE scope_id = $1 AND type = 'scope'`,
		e.scope.ID, e.scope.CatalogID)
	e.setGuideline(t, guidelineRow{modules: "{ORP.4}"})
	e.expect(t, all, domain.GateModelling, domain.GatePass)
	e.expect(t, all, domain.GateRisk, domain.GateFail, "fehlendem passendem Baustein")
	// A group member is modelled by its group's modules.
	g := e.id(t, `INSERT INTO objects (scope_id, type, short_id, name, department_id, responsible, is_group, members)
		VALUES ($1, 'it_system', 'G-1', 'Router', $2, 'Netz', true, 3) RETURNING id`, e.scope.ID, e.inn)
	m := e.id(t, `INSERT INTO objects (scope_id, type, short_id, name, department_id, responsible, group_id)
		VALUES ($1, 'it_system', 'G-1a', 'Router Erfurt', $2, 'Netz', $3) RETURNING id`, e.scope.ID, e.inn, g)
	e.exec(t, `INSERT INTO object_needs (object_id, objective, own, effective) SELECT id, x, 1, 1 FROM objects, unnest(ARRAY['c','i','a']) x WHERE id IN ($1, $2)`, g, m)
	e.expect(t, all, domain.GateModelling, domain.GateFail, "Kein Baustein", "Kein Baustein")
	e.exec(t, `INSERT INTO object_modules (object_id, catalog_id, module_id) VALUES ($1, $2, 'SYS.1.1')`, g, e.scope.CatalogID)
	e.expect(t, all, domain.GateModelling, domain.GatePass)
}

// acceptance records a valid acceptance of the object's analysis that
// covers the entries, and returns its id.
func (e readyEnv) acceptance(t *testing.T, object int64, entries ...int64) int64 {
	t.Helper()
	analysis := e.id(t, `INSERT INTO risk_analyses (object_id, scope_id) VALUES ($1, $2)
		ON CONFLICT (object_id) DO UPDATE SET summary = '' RETURNING id`, object, e.scope.ID)
	e.exec(t, `UPDATE risk_acceptances SET voided_at = now(), voided_reason = 'ersetzt' WHERE analysis_id = $1 AND voided_at IS NULL`, analysis)
	acc := e.id(t, `INSERT INTO risk_acceptances (analysis_id, accepted_by, accepted_on, snapshot, snapshot_hash)
		VALUES ($1, 'Staatssekretärin', $2, '{}', 'x') RETURNING id`, analysis, e.today)
	for _, id := range entries {
		e.exec(t, `INSERT INTO risk_acceptance_entries (acceptance_id, entry_id) VALUES ($1, $2)`, acc, id)
	}
	return acc
}

func TestReadinessCheckGate(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	all := postgres.Everything
	open := e.entryOf(t, e.process, domain.LevelBasis)
	basis := e.entryOf(t, e.sv, domain.LevelBasis)
	standard := e.entryOf(t, e.sv, domain.LevelStandard)
	inn := e.entryOf(t, e.innSystem, domain.LevelStandard)
	e.exec(t, `UPDATE check_entries SET status = 'open' WHERE id = $1`, open)
	e.exec(t, `UPDATE check_entries SET status = 'partial', justification = 'Teilweise' WHERE id = $1`, basis)
	e.exec(t, `UPDATE check_entries SET status = 'no', justification = 'Fehlt' WHERE id = ANY ($1)`, fmt.Sprintf("{%d,%d}", standard, inn))
	// Retired entries do not count.
	e.exec(t, `UPDATE check_entries SET active = false, retired_at = now(), status = 'open'
		WHERE id = (SELECT id FROM check_entries WHERE object_id = $1 AND status = 'yes' ORDER BY id DESC LIMIT 1)`, e.room)
	bs := e.expect(t, all, domain.GateCheck, domain.GateFail, "unbearbeitet", "Basis-Anforderung nur teilweise", "Standard-Anforderung nicht umgesetzt",
		"Standard-Anforderung nicht umgesetzt")
	if b := blockerOf(t, bs, open); b.Kind != "check_entry" || b.URL != fmt.Sprintf("/check-entries/%d", open) || !strings.Contains(b.Label, " · ") ||
		!strings.Contains(b.Reason, "unbearbeitet") {
		t.Errorf("blocker %+v", b)
	}
	e.expect(t, postgres.Visibility{Departments: []int64{e.inn}}, domain.GateCheck, domain.GateFail, "Standard-Anforderung")
	e.expect(t, postgres.Visibility{Departments: []int64{e.tlrz}}, domain.GateCheck, domain.GateFail, "Basis-Anforderung", "Standard-Anforderung")
	// A signed acceptance covers the Standard requirements; the Basis one
	// stays (it could not be accepted); a voided acceptance covers nothing.
	acc := e.acceptance(t, e.sv, standard, basis)
	e.acceptance(t, e.innSystem, inn)
	e.expect(t, all, domain.GateCheck, domain.GateFail, "unbearbeitet", "Basis-Anforderung")
	e.exec(t, `UPDATE risk_acceptances SET voided_at = now(), voided_reason = 'geändert' WHERE id = $1`, acc)
	e.expect(t, all, domain.GateCheck, domain.GateFail, "unbearbeitet", "Basis-Anforderung", "Standard-Anforderung")
	e.exec(t, `UPDATE check_entries SET status = 'not_applicable', justification = 'Kein Bedarf' WHERE id = ANY ($1)`,
		fmt.Sprintf("{%d,%d,%d}", open, basis, standard))
	e.expect(t, all, domain.GateCheck, domain.GatePass)
}

func TestReadinessRiskGate(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	all := postgres.Everything
	e.exec(t, `UPDATE object_needs SET effective = 2 WHERE object_id = $1 AND objective = 'c'`, e.sv)
	e.exec(t, `UPDATE objects SET untypical_environment = true WHERE id = $1`, e.innSystem)
	bs := e.expect(t, all, domain.GateRisk, domain.GateFail, "Risikoanalyse fehlt (erforderlich wegen hohem Schutzbedarf)",
		"Risikoanalyse fehlt (erforderlich wegen untypischem Einsatzumfeld)")
	if bs[0].Kind != "risk_analysis" || bs[0].URL != fmt.Sprintf("/objects/%d/risk", e.sv) {
		t.Errorf("blocker %+v", bs[0])
	}
	e.expect(t, postgres.Visibility{Departments: []int64{e.tlrz}}, domain.GateRisk, domain.GateFail, "hohem Schutzbedarf")
	analysis := e.id(t, `INSERT INTO risk_analyses (object_id, scope_id) VALUES ($1, $2) RETURNING id`, e.sv, e.scope.ID)
	e.exec(t, `UPDATE objects SET untypical_environment = false WHERE id = $1`, e.innSystem)
	e.expect(t, all, domain.GateRisk, domain.GateFail, "noch keine Gefährdung")
	item := e.id(t, `INSERT INTO risk_items (analysis_id, title, frequency, impact) VALUES ($1, 'Ausfall', 2, 3) RETURNING id`, analysis)
	e.expect(t, all, domain.GateRisk, domain.GateFail, "1 von 1 Gefährdungen sind noch nicht bewertet und behandelt")
	e.exec(t, `UPDATE risk_items SET treatment = 'accept', residual_frequency = 1, residual_impact = 2 WHERE id = $1`, item)
	e.expect(t, all, domain.GateRisk, domain.GateFail, "nicht (mehr) von der Institutionsleitung akzeptiert")
	acc := e.acceptance(t, e.sv)
	e.expect(t, all, domain.GateRisk, domain.GatePass)
	e.exec(t, `UPDATE risk_acceptances SET voided_at = now(), voided_reason = 'geändert' WHERE id = $1`, acc)
	e.expect(t, all, domain.GateRisk, domain.GateFail, "akzeptiert")
}

func TestReadinessPlanGate(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	all := postgres.Everything
	basis := e.entryOf(t, e.sv, domain.LevelBasis)
	standard := e.entryOf(t, e.innSystem, domain.LevelStandard)
	e.exec(t, `UPDATE check_entries SET status = 'partial', justification = 'Teilweise' WHERE id = ANY ($1)`, fmt.Sprintf("{%d,%d}", basis, standard))
	e.expect(t, all, domain.GatePlan, domain.GateFail, "Keine offene Maßnahme", "Keine offene Maßnahme")
	pb := e.id(t, `INSERT INTO plan_items (entry_id, owner, due_date) VALUES ($1, 'Serverbetrieb', $2) RETURNING id`, basis, e.today.AddDate(0, 0, -1))
	ps := e.id(t, `INSERT INTO plan_items (entry_id, owner) VALUES ($1, '') RETURNING id`, standard)
	bs := e.expect(t, all, domain.GatePlan, domain.GateFail, "seit 14.06.2026 überfällig", "keine Verantwortlichen. Die Maßnahme hat keine Frist")
	if b := blockerOf(t, bs, basis); b.Kind != "plan_item" || b.URL != fmt.Sprintf("/scopes/%d/plan?overdue=true#plan-%d", e.scope.ID, pb) {
		t.Errorf("blocker %+v", b)
	}
	if b := blockerOf(t, bs, standard); b.URL != fmt.Sprintf("/scopes/%d/plan#plan-%d", e.scope.ID, ps) {
		t.Errorf("blocker %+v", b)
	}
	e.expect(t, postgres.Visibility{Departments: []int64{e.inn}}, domain.GatePlan, domain.GateFail, "keine Verantwortlichen")
	// An overdue measure of a Standard requirement does not block; one of
	// a Basis requirement does until it is due later.
	e.exec(t, `UPDATE plan_items SET owner = 'Fachverfahren', due_date = $2 WHERE id = $1`, ps, e.today.AddDate(0, 0, -10))
	e.expect(t, all, domain.GatePlan, domain.GateFail, "überfällig")
	e.exec(t, `UPDATE plan_items SET due_date = $2 WHERE id = $1`, pb, e.today)
	e.expect(t, all, domain.GatePlan, domain.GatePass)
	// A measure marked done no longer counts as the entry's measure.
	// (It is fixed at the entry: changing it opens the measure again.)
	e.exec(t, `UPDATE plan_items SET state = 'done', closed_at = now() WHERE id = $1`, ps)
	bs = e.expect(t, all, domain.GatePlan, domain.GateFail, "Keine offene Maßnahme")
	if bs[0].URL != fmt.Sprintf("/check-entries/%d", standard) {
		t.Errorf("blocker %+v", bs[0])
	}
}

// evidenceFor adds an evidence item of the department with one version in
// the given state (expired when validUntil lies before today) linked to
// the entries.
func (e readyEnv) evidenceFor(t *testing.T, dept *int64, state string, validUntil *time.Time, entries ...int64) int64 {
	t.Helper()
	ev := e.id(t, `INSERT INTO evidence (scope_id, department_id, title, created_by) VALUES ($1, $2, 'Betriebshandbuch', 'isa') RETURNING id`,
		e.scope.ID, dept)
	v := e.id(t, `INSERT INTO evidence_versions (evidence_id, number, effective_on, valid_until, reference, uploaded_by, state, reviewed_by, reviewed_at)
		VALUES ($1, 1, DATE '2026-01-01', $2, 'DOK-1', 'isa', $3, CASE WHEN $3 = 'submitted' THEN '' ELSE 'audra' END,
		        CASE WHEN $3 = 'submitted' THEN NULL ELSE now() - interval '1 day' END) RETURNING id`, ev, validUntil, state)
	e.exec(t, `UPDATE evidence SET current_version_id = $2 WHERE id = $1`, ev, v)
	for _, id := range entries {
		e.exec(t, `INSERT INTO evidence_links (evidence_id, target_type, target_id, created_by) VALUES ($1, 'check_entry', $2, 'isa')`, ev, id)
	}
	return ev
}

func TestReadinessEvidenceGate(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	all := postgres.Everything
	var yes []int64
	rows, err := e.owner.Query(`SELECT id FROM check_entries WHERE scope_id = $1 AND active AND status = 'yes' ORDER BY id`, e.scope.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		yes = append(yes, id)
	}
	rows.Close()
	if len(yes) < 4 {
		t.Fatalf("%d yes entries", len(yes))
	}
	// Target 50 %: nothing covered yet, so every yes entry blocks.
	e.setGuideline(t, guidelineRow{coverage: 50})
	gates, blockers := e.readiness(t, all)
	if g := gates[domain.GateEvidence]; g.Status != domain.GateFail || g.Blocking != len(yes) || blockers[domain.GateEvidence][0].ID != yes[0] ||
		!strings.Contains(g.Summary, "Nachweisquote 0 % (Ziel 50 %)") {
		t.Fatalf("G8 %+v, want %d blocking", g, len(yes))
	}
	// Covering half of them (rounded up) meets the target: no entry
	// blocks any more. Expired, rejected or still submitted evidence does
	// not cover.
	half := (len(yes) + 1) / 2
	e.evidenceFor(t, &e.tlrz, "accepted", nil, yes[:half-1]...)
	past := e.today.AddDate(0, 0, -1)
	e.evidenceFor(t, &e.tlrz, "accepted", &past, yes[half-1])
	e.evidenceFor(t, &e.tlrz, "submitted", nil, yes[half-1])
	gates, _ = e.readiness(t, all)
	if g := gates[domain.GateEvidence]; g.Blocking != len(yes)-half+1 {
		t.Errorf("G8 with one short: %+v", g)
	}
	e.evidenceFor(t, nil, "accepted", &e.today, yes[half-1])
	e.expect(t, all, domain.GateEvidence, domain.GatePass)
	// A rejected evidence blocks until someone other than the reviewer
	// answers in the thread.
	rejected := e.evidenceFor(t, &e.inn, "rejected", nil)
	bs := e.expect(t, all, domain.GateEvidence, domain.GateFail, "Abgelehnt von audra")
	if bs[0].URL != fmt.Sprintf("/evidence/%d", rejected) || bs[0].DepartmentName != "Innenministerium" {
		t.Errorf("blocker %+v", bs[0])
	}
	// The finance ministry's head does not see the interior ministry's
	// evidence; their own entries fall short of the target anyway.
	gates, blockers = e.readiness(t, postgres.Visibility{Departments: []int64{e.fin}})
	for _, b := range blockers[domain.GateEvidence] {
		if b.Kind != "check_entry" || *b.DepartmentID == e.inn {
			t.Errorf("the finance head sees %+v", b)
		}
	}
	e.exec(t, `INSERT INTO evidence_comments (evidence_id, author, decision, body) VALUES ($1, 'audra', NULL, 'Bitte neu')`, rejected)
	e.expect(t, all, domain.GateEvidence, domain.GateFail, "Abgelehnt")
	e.exec(t, `INSERT INTO evidence_comments (evidence_id, author, body) VALUES ($1, 'isa', 'Neue Fassung folgt')`, rejected)
	e.expect(t, all, domain.GateEvidence, domain.GatePass)
}

func TestReadinessAuditGate(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	all := postgres.Everything
	audit := e.id(t, `INSERT INTO audits (scope_id, kind, title, starts_on, ends_on, state, created_by)
		VALUES ($1, 'initial', 'Zertifizierungsaudit', DATE '2026-05-04', DATE '2026-05-08', 'completed', 'pia') RETURNING id`, e.scope.ID)
	finding := func(class string, due *time.Time) int64 {
		return e.id(t, `INSERT INTO findings (audit_id, class, title, due_date, created_by) VALUES ($1, $2, 'Feststellung ' || $2, $3, 'pia') RETURNING id`,
			audit, class, due)
	}
	due := e.today.AddDate(0, 1, 0)
	e.id(t, `INSERT INTO findings (audit_id, class, title, created_by) VALUES ($1, 'recommendation', 'Empfehlung', 'pia') RETURNING id`, audit)
	major := finding("major", &due)
	minor := finding("minor", nil)
	e.exec(t, `INSERT INTO finding_links (finding_id, target_type, target_id) VALUES ($1, 'object', $2)`, minor, e.innSystem)
	bs := e.expect(t, all, domain.GateAudit, domain.GateFail, "Schwerwiegende Abweichung", "ohne (angenommene oder ausstehende) Korrekturmaßnahme und ohne Frist")
	if bs[0].URL != fmt.Sprintf("/findings/%d", major) || !strings.Contains(bs[0].Label, "Zertifizierungsaudit") {
		t.Errorf("blocker %+v", bs[0])
	}
	// The finance ministry's head sees the finding about the whole ISMS,
	// not the one about the interior ministry's server.
	e.expect(t, postgres.Visibility{Departments: []int64{e.fin}}, domain.GateAudit, domain.GateFail, "Schwerwiegende")
	e.exec(t, `UPDATE findings SET state = 'closed', closed_at = now(), closed_by = 'pia' WHERE id = $1`, major)
	e.exec(t, `UPDATE findings SET due_date = $2 WHERE id = $1`, minor, due)
	e.expect(t, all, domain.GateAudit, domain.GateFail, "ohne (angenommene oder ausstehende) Korrekturmaßnahme.")
	e.exec(t, `INSERT INTO corrective_actions (finding_id, description, submitted_by, verdict, verified_at, comment)
		VALUES ($1, 'Erster Versuch', 'isa', 'rejected', now(), 'Reicht nicht')`, minor)
	e.expect(t, all, domain.GateAudit, domain.GateFail, "Korrekturmaßnahme")
	e.exec(t, `INSERT INTO corrective_actions (finding_id, description, submitted_by) VALUES ($1, 'Patchprozess eingeführt', 'isa')`, minor)
	e.expect(t, all, domain.GateAudit, domain.GatePass)
}

func TestReadinessCertificateGate(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	all := postgres.Everything
	e.expect(t, all, domain.GateCertificate, domain.GateNotApplicable)
	// Issued two years and a month ago: two certificate years are over.
	issued := e.today.AddDate(-2, -1, 0)
	crt := e.id(t, `INSERT INTO certificates (scope_id, number, issued_on, valid_until, created_by)
		VALUES ($1, 'BSI-IGZ-0123-2024', $2, $3, 'isb') RETURNING id`, e.scope.ID, issued, issued.AddDate(3, 0, -1))
	bs := e.expect(t, all, domain.GateCertificate, domain.GateFail, "kein Überwachungsaudit", "kein Überwachungsaudit")
	if bs[0].Kind != "audit" || !strings.Contains(bs[0].Label, "1. Zertifikatsjahr (15.05.2024–14.05.2025)") ||
		bs[1].URL != fmt.Sprintf("/scopes/%d/audits", e.scope.ID) {
		t.Errorf("blockers %+v", bs)
	}
	audit := func(kind, ends, state string) {
		e.exec(t, `INSERT INTO audits (scope_id, kind, title, starts_on, ends_on, state, created_by) VALUES ($1, $2, 'Überwachung', $3::date - 2, $3::date, $4, 'pia')`,
			e.scope.ID, kind, ends, state)
	}
	audit("surveillance_1", "2025-04-30", "completed")
	audit("surveillance_2", "2026-04-30", "in_progress") // not completed
	audit("internal", "2026-05-02", "completed")         // not a surveillance audit
	e.expect(t, all, domain.GateCertificate, domain.GateFail, "kein Überwachungsaudit")
	audit("surveillance_2", "2026-05-14", "completed")
	e.expect(t, postgres.Visibility{Departments: []int64{e.inn}}, domain.GateCertificate, domain.GatePass)
	e.exec(t, `UPDATE certificates SET valid_until = $2 WHERE id = $1`, crt, e.today.AddDate(0, 0, -1))
	bs = e.expect(t, all, domain.GateCertificate, domain.GateFail, "seit 15.06.2026 abgelaufen")
	if bs[0].Kind != "certificate" || bs[0].Label != "Zertifikat BSI-IGZ-0123-2024" {
		t.Errorf("blocker %+v", bs[0])
	}
}

// TestReadinessDepartmentScope: a department head's figures are those of
// their subtree, in the counts and in the lists.
func TestReadinessDepartmentScope(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	e.exec(t, `UPDATE check_entries SET status = 'open' WHERE scope_id = $1`, e.scope.ID)
	count := func(q string, args ...any) int {
		return int(e.id(t, q, args...))
	}
	total := count(`SELECT count(*) FROM check_entries WHERE scope_id = $1 AND active`, e.scope.ID)
	fin := count(`SELECT count(*) FROM check_entries e JOIN objects o ON o.id = e.object_id WHERE e.scope_id = $1 AND e.active
		AND o.department_id = ANY ($2)`, e.scope.ID, fmt.Sprintf("{%d,%d}", e.fin, e.tlrz))
	inn := count(`SELECT count(*) FROM check_entries e JOIN objects o ON o.id = e.object_id WHERE e.scope_id = $1 AND e.active
		AND o.department_id = $2`, e.scope.ID, e.inn)
	for _, c := range []struct {
		vis     postgres.Visibility
		objects int
		entries int
	}{
		{postgres.Everything, 5, total}, // with the scope object's ISMS.1 entries
		{postgres.Visibility{Departments: []int64{e.fin}}, 4, fin},
		{postgres.Visibility{Departments: []int64{e.inn}}, 1, inn},
		{postgres.Visibility{Departments: []int64{e.fin, e.inn}}, 5, fin + inn},
		{postgres.Visibility{Departments: []int64{}}, 0, 0},
	} {
		gates, blockers := e.readiness(t, c.vis)
		g := gates[domain.GateCheck]
		if gates[domain.GateStructure].Checked != c.objects || g.Checked != c.entries || g.Blocking != c.entries {
			t.Errorf("%+v: objects %d, entries %d checked and %d blocking; want %d and %d", c.vis, gates[domain.GateStructure].Checked,
				g.Checked, g.Blocking, c.objects, c.entries)
		}
		for _, b := range blockers[domain.GateCheck] {
			if !c.vis.All && (b.DepartmentID == nil || c.vis.Departments[0] == e.inn && *b.DepartmentID != e.inn) {
				t.Errorf("%+v sees %+v", c.vis, b)
			}
		}
	}
	if fin+inn >= total || inn == 0 {
		t.Fatalf("the data do not tell the views apart: %d %d %d", total, fin, inn)
	}
}

func TestCheckProgress(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	e.exec(t, `UPDATE check_entries SET status = 'open' WHERE object_id = $1`, e.innSystem)
	e.exec(t, `UPDATE check_entries SET status = 'no', justification = 'Fehlt'
		WHERE id = (SELECT min(id) FROM check_entries WHERE object_id = $1 AND level = 'basis')`, e.sv)
	sum := func(ps []domain.Progress) (total, done int) {
		for _, p := range ps {
			total, done = total+p.Total, done+p.Done()
		}
		return
	}
	all := postgres.Everything
	byLevel, err := e.db.CheckProgress(ctx, e.scope.ID, all, postgres.ProgressByLevel)
	if err != nil {
		t.Fatal(err)
	}
	if len(byLevel) != 2 || byLevel[0].Key != "basis" || byLevel[0].Label != "Basis" || byLevel[1].Key != "standard" || byLevel[0].No != 1 {
		t.Errorf("by level %+v", byLevel)
	}
	total, done := sum(byLevel)
	for _, by := range []postgres.ProgressBy{postgres.ProgressByDepartment, postgres.ProgressByLayer} {
		ps, err := e.db.CheckProgress(ctx, e.scope.ID, all, by)
		if err != nil {
			t.Fatal(err)
		}
		if t2, d2 := sum(ps); t2 != total || d2 != done {
			t.Errorf("by %s: %d of %d done, by level %d of %d: %+v", by, d2, t2, done, total, ps)
		}
	}
	byDept, _ := e.db.CheckProgress(ctx, e.scope.ID, all, postgres.ProgressByDepartment)
	var labels []string
	for _, p := range byDept {
		labels = append(labels, p.Label)
	}
	// Top-level departments (the data centre counts under its ministry),
	// and the scope object's entries without one.
	if strings.Join(labels, "|") != "Finanzministerium|Innenministerium|ohne Organisationseinheit" || byDept[1].Open != byDept[1].Total ||
		postgres.DepartmentKey(byDept[1]) != e.inn {
		t.Errorf("by department %+v", byDept)
	}
	// The finance ministry's head sees their ministry's own objects and
	// the data centre below it, each as a row.
	mine, err := e.db.CheckProgress(ctx, e.scope.ID, postgres.Visibility{Departments: []int64{e.fin}}, postgres.ProgressByDepartment)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 2 || mine[0].Label != "Finanzministerium" || mine[1].Label != "Landesrechenzentrum" || mine[1].No != 1 {
		t.Errorf("the finance head's departments %+v", mine)
	}
	byLayer, _ := e.db.CheckProgress(ctx, e.scope.ID, all, postgres.ProgressByLayer)
	if len(byLayer) < 3 || byLayer[0].Key != "ISMS" {
		t.Errorf("by layer %+v", byLayer)
	}
	if _, err := e.db.CheckProgress(ctx, e.scope.ID, all, "colour"); err == nil {
		t.Error("unknown breakdown accepted")
	}
	// Against the guideline's dates: Basis by 31.03.2026 is late, Standard
	// by 31.12.2026 is not yet.
	levels, err := e.db.LevelProgress(ctx, e.scope.ID, all, e.today)
	if err != nil {
		t.Fatal(err)
	}
	if len(levels) != 2 || !levels[0].Late || levels[0].Due == nil || levels[0].Due.Format(time.DateOnly) != "2026-03-31" || levels[1].Late {
		t.Errorf("levels %+v", levels)
	}
}

// TestReadinessOverview: the overview's first pages are the first pages
// of GateBlockers, for every failing gate and only for those.
func TestReadinessOverview(t *testing.T) {
	t.Parallel()
	e := newReadyEnv(t)
	e.exec(t, `UPDATE check_entries SET status = 'open' WHERE object_id = $1`, e.sv)
	e.exec(t, `UPDATE objects SET responsible = '' WHERE id = $1`, e.room)
	e.setGuideline(t, guidelineRow{coverage: 10})
	for _, vis := range []postgres.Visibility{postgres.Everything, {Departments: []int64{e.tlrz}}, {Departments: []int64{e.inn}}} {
		r, pages, err := e.db.ReadinessOverview(ctx, e.scope.ID, vis, e.today, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range r.Gates {
			p, ok := pages[g.ID]
			if ok != (g.Status == domain.GateFail) {
				t.Errorf("%+v: %s %s has a page: %v", vis, g.ID, g.Status, ok)
			}
			want, next, err := e.db.GateBlockers(ctx, e.scope.ID, g.ID, vis, e.today, postgres.BlockerCursor{}, 3)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				continue
			}
			if blockerText(p.Blockers) != blockerText(want) || (p.Next == nil) != (next == nil) || len(p.Blockers) != min(3, g.Blocking) {
				t.Errorf("%+v %s: overview %+v, blockers %+v", vis, g.ID, p, want)
			}
		}
	}
}

// blockerText prints blockers for comparison, departments by id.
func blockerText(bs []domain.Blocker) string {
	var b strings.Builder
	for _, x := range bs {
		dept := int64(0)
		if x.DepartmentID != nil {
			dept = *x.DepartmentID
		}
		fmt.Fprintf(&b, "%s %s %d %s %s %d %s %s\n", x.Gate, x.Kind, x.ID, x.Label, x.Reason, dept, x.DepartmentName, x.URL)
	}
	return b.String()
}
