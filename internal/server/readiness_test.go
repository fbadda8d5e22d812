package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// readinessScope is a scope whose every gate passes but the check: one
// entry of the server (data centre) and one of the application (interior
// ministry) are still open. It returns the scope, the two departments and
// the open entries.
type readinessScope struct {
	scope, tlrz, inn      int64
	serverEntry, appEntry int64
}

func newReadinessScope(t *testing.T, e *testEnv) readinessScope {
	t.Helper()
	var s readinessScope
	s.scope, s.tlrz = e.scopeWithDepartment()
	s.inn = e.department("Innenministerium")
	ctx := context.Background()
	err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		server, err := tx.CreateObject(ctx, s.scope, domain.ObjectInput{Type: domain.ObjectITSystem,
			ObjectFields: domain.ObjectFields{Name: "Managementserver", Responsible: "Serverbetrieb"}, DepartmentID: &s.tlrz}, postgres.Everything)
		if err != nil {
			return err
		}
		app, err := tx.CreateObject(ctx, s.scope, domain.ObjectInput{Type: domain.ObjectApplication,
			ObjectFields: domain.ObjectFields{Name: "Fachverfahren", Responsible: "Fachbereich"}, DepartmentID: &s.inn}, postgres.Everything)
		if err != nil {
			return err
		}
		sc, err := e.db.Scope(ctx, s.scope)
		if err != nil {
			return err
		}
		if _, err := tx.AssignModules(ctx, s.scope, []int64{sc.ObjectID}, []string{"ISMS.1"}, postgres.Everything); err != nil {
			return err
		}
		if _, err := tx.AssignModules(ctx, s.scope, []int64{server.ID}, []string{"SYS.1.1"}, postgres.Everything); err != nil {
			return err
		}
		_, err = tx.AssignModules(ctx, s.scope, []int64{app.ID}, []string{"CON.3"}, postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	owner := e.ownerDB()
	for _, q := range []string{
		`UPDATE object_needs n SET own = 1, effective = 1, source = 'own' FROM objects o WHERE o.id = n.object_id AND o.scope_id = $1`,
		`UPDATE check_entries SET status = 'yes' WHERE scope_id = $1`,
		`UPDATE check_entries SET status = 'open' WHERE id IN (
			SELECT min(e.id) FROM check_entries e JOIN objects o ON o.id = e.object_id WHERE e.scope_id = $1 AND o.type <> 'scope' GROUP BY o.id)`,
		`INSERT INTO guidelines (scope_id, number, title, approach, review_months, evidence_coverage, roles, state, approved_by, approved_on,
		                         approved_hash, created_by, basis_by, standard_by)
		 VALUES ($1, 1, 'Leitlinie zur Informationssicherheit', 'standard', 24, 0, '[{"title": "ISB", "holder": "Anna Berg"}]', 'approved',
		         'Staatssekretärin', current_date - 30, repeat('ab', 32), 'test', current_date - 1, current_date + 365)`,
	} {
		if _, err := owner.Exec(q, s.scope); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	err = owner.QueryRow(`SELECT min(e.id) FILTER (WHERE o.department_id = $2), min(e.id) FILTER (WHERE o.department_id = $3)
		FROM check_entries e JOIN objects o ON o.id = e.object_id WHERE e.scope_id = $1 AND e.status = 'open'`,
		s.scope, s.tlrz, s.inn).Scan(&s.serverEntry, &s.appEntry)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type readinessAnswer struct {
	Ready   bool   `json:"ready"`
	Limited bool   `json:"limited"`
	Verdict string `json:"verdict"`
	Gates   []struct {
		ID          string `json:"id"`
		Status      string `json:"status"`
		Checked     int    `json:"checked"`
		Blocking    int    `json:"blocking"`
		BlockersURL string `json:"blockers_url"`
	} `json:"gates"`
	Levels []struct {
		Level      string  `json:"level"`
		Total      int     `json:"total"`
		Done       int     `json:"done"`
		TargetDate *string `json:"target_date"`
		Late       bool    `json:"late"`
	} `json:"levels"`
}

type blockerAnswer struct {
	Items []struct {
		Kind   string `json:"kind"`
		ID     int64  `json:"id"`
		Label  string `json:"label"`
		Reason string `json:"reason"`
		URL    string `json:"url"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func TestReadinessAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newReadinessScope(t, e)
	isb := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	head := e.loggedIn("dora", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &s.tlrz})
	base := fmt.Sprintf("/api/v1/scopes/%d", s.scope)

	r := isb.do("GET", base+"/readiness", nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("readiness: %d %s", r.status, r.body)
	}
	var a readinessAnswer
	r.json(t, &a)
	if a.Ready || a.Limited || len(a.Gates) != 10 || !strings.Contains(a.Verdict, "noch nicht bereit") || !strings.Contains(a.Verdict, "G5") &&
		!strings.Contains(a.Verdict, "IT-Grundschutz-Check") {
		t.Errorf("readiness %+v", a)
	}
	for _, g := range a.Gates {
		want := "pass"
		switch g.ID {
		case "G5":
			want = "fail"
			if g.Blocking != 2 || g.BlockersURL != base+"/readiness/gates/G5/blockers" {
				t.Errorf("G5 %+v", g)
			}
		case "G10":
			want = "not_applicable"
		}
		if g.Status != want {
			t.Errorf("%s: %s, want %s", g.ID, g.Status, want)
		}
	}
	if len(a.Levels) != 2 || a.Levels[0].Level != "basis" || !a.Levels[0].Late || a.Levels[0].TargetDate == nil || a.Levels[1].Late {
		t.Errorf("levels %+v", a.Levels)
	}

	// Blockers in pages of one, each with its reason and link.
	var first, second blockerAnswer
	r = isb.do("GET", base+"/readiness/gates/g5/blockers?limit=1", nil, nil)
	mustStatus(t, r, http.StatusOK)
	r.json(t, &first)
	if len(first.Items) != 1 || first.NextCursor == "" || first.Items[0].Kind != "check_entry" || first.Items[0].Reason != "Noch unbearbeitet." {
		t.Fatalf("first page %s", r.body)
	}
	isb.do("GET", base+"/readiness/gates/G5/blockers?limit=1&cursor="+first.NextCursor, nil, nil).json(t, &second)
	if len(second.Items) != 1 || second.NextCursor != "" || second.Items[0].ID == first.Items[0].ID {
		t.Errorf("second page %+v", second)
	}
	ids := map[int64]bool{first.Items[0].ID: true, second.Items[0].ID: true}
	if !ids[s.serverEntry] || !ids[s.appEntry] || first.Items[0].URL != fmt.Sprintf("/check-entries/%d", first.Items[0].ID) {
		t.Errorf("blockers %+v %+v", first, second)
	}
	var none blockerAnswer
	isb.do("GET", base+"/readiness/gates/G2/blockers", nil, nil).json(t, &none)
	if len(none.Items) != 0 {
		t.Errorf("G2 blockers %+v", none)
	}

	// The data centre's head sees their subtree: one open entry.
	r = head.do("GET", base+"/readiness", nil, nil)
	var mine readinessAnswer
	r.json(t, &mine)
	if !mine.Limited || mine.Gates[4].Blocking != 1 || mine.Gates[1].Checked != 1 || !strings.Contains(mine.Verdict, "Ihr Bereich") {
		t.Errorf("department head's readiness %s", r.body)
	}
	var theirs blockerAnswer
	head.do("GET", base+"/readiness/gates/G5/blockers", nil, nil).json(t, &theirs)
	if len(theirs.Items) != 1 || theirs.Items[0].ID != s.serverEntry {
		t.Errorf("department head's blockers %+v", theirs)
	}

	// Progress by department, layer and level.
	var byDept, byLevel struct {
		Items []struct {
			Key   string `json:"key"`
			Label string `json:"label"`
			Total int    `json:"total"`
			Open  int    `json:"open"`
		} `json:"items"`
	}
	r = isb.do("GET", base+"/progress", nil, nil)
	mustStatus(t, r, http.StatusOK)
	r.json(t, &byDept)
	if len(byDept.Items) != 3 || byDept.Items[0].Label != "Innenministerium" || byDept.Items[0].Open != 1 || byDept.Items[2].Label != "ohne Organisationseinheit" {
		t.Errorf("by department %s", r.body)
	}
	head.do("GET", base+"/progress?by=level", nil, nil).json(t, &byLevel)
	total := 0
	for _, p := range byLevel.Items {
		total += p.Total
	}
	if mine.Gates[4].Checked != total || len(byLevel.Items) == 0 {
		t.Errorf("the head's progress by level %+v, check gate %d", byLevel, mine.Gates[4].Checked)
	}
	mustStatus(t, isb.do("GET", base+"/progress?by=layer", nil, nil), http.StatusOK)

	// Refusals.
	mustStatus := func(path string, status int, want string) {
		t.Helper()
		r := isb.do("GET", path, nil, nil)
		if r.status != status || !strings.Contains(string(r.body), want) {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
	mustStatus(base+"/readiness/gates/G11/blockers", http.StatusNotFound, "no gate")
	mustStatus(base+"/readiness/gates/G5/blockers?cursor=x", http.StatusUnprocessableEntity, "/cursor")
	mustStatus(base+"/readiness/gates/G5/blockers?limit=0", http.StatusUnprocessableEntity, "/limit")
	mustStatus(base+"/progress?by=colour", http.StatusUnprocessableEntity, "/by")
	mustStatus("/api/v1/scopes/999999/readiness", http.StatusNotFound, "")
	mustStatus("/api/v1/scopes/999999/progress", http.StatusNotFound, "")
	mustStatus("/api/v1/scopes/999999/readiness/gates/G1/blockers", http.StatusNotFound, "")
}

func TestReadinessPages(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newReadinessScope(t, e)
	c := e.loggedIn("mia", domain.Grant{Role: domain.RoleManagement})
	head := e.loggedIn("dora", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &s.inn})
	base := fmt.Sprintf("/scopes/%d/readiness", s.scope)

	r := c.do("GET", base, nil, nil)
	mustContain(t, r, http.StatusOK, `href="`+base+`" aria-current="page"`, `id="verdict"`, `href="`+base+`/G5">G5 IT-Grundschutz-Check (A.4)</a>`,
		fmt.Sprintf(`href="/check-entries/%d"`, s.serverEntry), fmt.Sprintf(`href="/check-entries/%d"`, s.appEntry),
		`id="by-department"`, `id="by-layer"`, `href="/scopes/`)
	mustContainText(t, r, "noch nicht bereit für das Zertifizierungsaudit", "G5 IT-Grundschutz-Check (A.4) ist nicht erfüllt, 2 Punkte blockieren.", "Noch unbearbeitet.",
		"Umsetzung nach Stufe und Zielterminen der Leitlinie", "verfehlt", "Innenministerium", "Landesrechenzentrum", "entfällt")
	if n := strings.Count(string(r.body), `class="tag tag-ok"`); n != 8 {
		t.Errorf("%d gates marked as met, want 8", n)
	}

	// The gate's page: all its blockers, in pages.
	r = c.do("GET", base+"/G5", nil, nil)
	mustContain(t, r, http.StatusOK, `<h1>G5 IT-Grundschutz-Check (A.4)</h1>`, `id="gate-status">nicht erfüllt</span>`,
		fmt.Sprintf(`href="/check-entries/%d"`, s.appEntry))
	mustContain(t, c.do("GET", base+"/g1", nil, nil), http.StatusOK, "Nichts blockiert diesen Prüfpunkt.")
	mustContain(t, c.do("GET", base+"/G10", nil, nil), http.StatusOK, "erst, wenn ein Zertifikat erfasst ist")
	mustContain(t, c.do("GET", base+"/G11", nil, nil), http.StatusNotFound, "Diesen Prüfpunkt gibt es nicht.")
	mustContain(t, c.do("GET", base+"/G5?cursor=zz", nil, nil), http.StatusUnprocessableEntity, "Ungültige Seitenangabe.")
	mustContain(t, c.do("GET", fmt.Sprintf("/scopes/%d/readiness", 999999), nil, nil), http.StatusNotFound)

	// The interior ministry's head sees their department's blocker only.
	r = head.do("GET", base, nil, nil)
	mustContain(t, r, http.StatusOK, fmt.Sprintf(`href="/check-entries/%d"`, s.appEntry))
	mustContainText(t, r, "Ihr Bereich des Informationsverbunds ist noch nicht bereit", "Sie sehen die Zahlen der Organisationseinheiten")
	if strings.Contains(string(r.body), fmt.Sprintf(`href="/check-entries/%d"`, s.serverEntry)) {
		t.Error("the department head sees the data centre's entry")
	}
}
