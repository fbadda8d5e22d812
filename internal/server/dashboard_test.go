package server

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ismsd/internal/domain"
)

// dashboardScope is the UI scope with something to show in both
// ministries: check entries (one unfulfilled with an overdue measure in
// each), evidence that expires soon, open findings about an object of
// each, and two weeks of snapshots with the blocking items falling.
type dashboardScope struct {
	uiScope
	owner *sql.DB
}

// What belongs to which ministry, as the pages name it.
const (
	finEvidence = "Betriebshandbuch Rechenzentrum"
	innEvidence = "Prüfbericht Innenrevision"
	finFinding  = "Patchstand Managementserver"
	innFinding  = "Berechtigungen Fachverfahren"
	finMeasure  = "S-001 Managementserver"
	innMeasure  = "S-900 Fachverfahren-Server"
)

func newDashboardScope(t *testing.T, e *testEnv) dashboardScope {
	t.Helper()
	s := dashboardScope{uiScope: newUIScope(t, e)}
	sc, err := e.db.Scope(context.Background(), s.scope.ID)
	if err != nil {
		t.Fatal(err)
	}
	s.assign(t, []int64{sc.ObjectID}, "ISMS.1")
	s.assign(t, []int64{s.server, s.innSystem}, "SYS.1.1")
	s.assign(t, []int64{s.app}, "CON.3")
	s.owner = e.ownerDB()
	today := domain.Today(e.srv.cfg.Location)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.owner.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	id := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := s.owner.QueryRow(q, args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	exec(`UPDATE check_entries SET status = 'yes' WHERE scope_id = $1`, s.scope.ID)
	for _, o := range []int64{s.server, s.innSystem} {
		entry := id(`SELECT min(id) FROM check_entries WHERE object_id = $1 AND level = 'basis'`, o)
		exec(`UPDATE check_entries SET status = 'no', justification = 'Fehlt noch' WHERE id = $1`, entry)
		exec(`INSERT INTO plan_items (entry_id, measure, owner, due_date) VALUES ($1, 'Härtung', 'Betrieb', $2)`, entry, today.AddDate(0, 0, -5))
	}
	exec(`UPDATE check_entries SET status = 'open' WHERE id = (SELECT max(id) FROM check_entries WHERE object_id = $1)`, s.app)
	for _, ev := range []struct {
		dept  int64
		title string
	}{{s.tlrz, finEvidence}, {s.inn, innEvidence}} {
		e := id(`INSERT INTO evidence (scope_id, department_id, title, created_by) VALUES ($1, $2, $3, 'isa') RETURNING id`, s.scope.ID, ev.dept, ev.title)
		v := id(`INSERT INTO evidence_versions (evidence_id, number, effective_on, valid_until, reference, uploaded_by, state, reviewed_by, reviewed_at)
			VALUES ($1, 1, $2, $3, 'DOK-1', 'isa', 'accepted', 'pia', now()) RETURNING id`, e, today.AddDate(-1, 0, 0), today.AddDate(0, 0, 20))
		exec(`UPDATE evidence SET current_version_id = $2 WHERE id = $1`, e, v)
	}
	audit := id(`INSERT INTO audits (scope_id, kind, title, starts_on, ends_on, state, created_by)
		VALUES ($1, 'internal', 'Internes Audit', $2, $2, 'completed', 'pia') RETURNING id`, s.scope.ID, today.AddDate(0, -1, 0))
	for _, f := range []struct {
		title  string
		object int64
	}{{finFinding, s.server}, {innFinding, s.innSystem}} {
		fid := id(`INSERT INTO findings (audit_id, class, title, created_by) VALUES ($1, 'minor', $2, 'pia') RETURNING id`, audit, f.title)
		exec(`INSERT INTO finding_links (finding_id, target_type, target_id) VALUES ($1, 'object', $2)`, fid, f.object)
	}
	// Two weeks of history, ten blocking items fewer each day in the
	// whole scope, the finance ministry stuck at 20, the interior ministry
	// rising.
	for d := 0; d < 14; d++ {
		day := today.AddDate(0, 0, d-14)
		for _, r := range []struct {
			dept any
			g5   int
		}{{nil, 200 - 10*d}, {s.fin, 20}, {s.inn, 5 + d}} {
			exec(`INSERT INTO readiness_snapshots (scope_id, department_id, day, objects, basis_total, basis_done, standard_total, standard_done,
				elevated_total, elevated_done, g1, g2, g3, g4, g4_scope, g5, g6, g7, g8, g9, g9_scope, g10, ready,
				evidence_yes, evidence_covered, evidence_rejected, evidence_target, overdue_measures, open_findings, open_findings_scope)
				VALUES ($1, $2, $3, 5, 300, 300 - $4, 0, 0, 0, 0, 0, 0, 0, 0, 0, $4, 0, 0, 0, 0, 0, 0, false, 0, 0, 0, 80, 1, 1, 0)`,
				s.scope.ID, r.dept, day, r.g5)
		}
	}
	return s
}

func (s dashboardScope) get(t *testing.T, c *client, path string, status int) string {
	t.Helper()
	r := c.do("GET", path, nil, nil)
	if r.status != status {
		t.Fatalf("GET %s: %d, want %d: %s", path, r.status, status, firstLine(r.body))
	}
	return string(r.body)
}

func contains(t *testing.T, page, what string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("%s: no %q", what, w)
		}
	}
}

func lacks(t *testing.T, page, what string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(page, w) {
			t.Errorf("%s shows %q", what, w)
		}
	}
}

func TestManagementDashboard(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newDashboardScope(t, e)
	c := e.loggedIn("leitung", domain.Grant{Role: domain.RoleManagement})
	page := s.get(t, c, s.url("/dashboard"), http.StatusOK)
	contains(t, page, "management dashboard", "Lagebild für die Leitung", "noch nicht bereit für das Zertifizierungsaudit",
		// the ten gates, each linking to its blockers
		s.url("/readiness/G1"), s.url("/readiness/G5"), s.url("/readiness/G10"), "G5 IT-Grundschutz-Check (A.4)",
		// the trend with the forecast: 70 left yesterday at 10 a day
		`role="img"`, "Blockierende Punkte je Tag", "Prognose:", "sind alle 70 Punkte voraussichtlich am "+
			domain.Today(e.srv.cfg.Location).AddDate(0, 0, 6).Format("02.01.2006")+" erledigt",
		// top blockers by department, each leading to its dashboard
		"Finanzministerium", "Innenministerium", s.url(fmt.Sprintf("/dashboard/department?department=%d", s.fin)),
		// figures: two overdue measures, two open findings
		`<span class="stat-value">2</span><span class="stat-label">überfällige Maßnahmen`,
		`<span class="stat-value">2</span><span class="stat-label">offene Feststellungen`)
	// The table beside the trend holds the weekly values.
	contains(t, page, "trend table", "Tagesstände im Wochenabstand", ">70<")

	// A department head may not open it; an ISB neither.
	dept := s.fin
	head := e.loggedIn("fin-head", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &dept})
	s.get(t, head, s.url("/dashboard"), http.StatusForbidden)
}

// TestDepartmentDashboard: a department head sees their subtree's items
// and none of another ministry's; management may open any department's.
func TestDepartmentDashboard(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newDashboardScope(t, e)
	dept := s.fin
	c := e.loggedIn("fin-head", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &dept})
	page := s.get(t, c, s.url("/dashboard/department"), http.StatusOK)
	contains(t, page, "the finance head's dashboard", "Lagebild: Finanzministerium", "Ihr Bereich des Informationsverbunds ist noch nicht bereit",
		finEvidence, finFinding, finMeasure, "Landesrechenzentrum", "Umsetzung nach Anforderungsstufe", "Umsetzung nach Schicht",
		// stacked bars with their tables, objects by type
		`id="by-level-chart"`, `id="by-level"`, `id="object-types"`, "IT-System",
		// their own trend: stuck at 20
		"Nicht bei der derzeitigen Geschwindigkeit")
	lacks(t, page, "the finance head's dashboard", innEvidence, innFinding, innMeasure, "Innenministerium", "Fachverfahren-Server")

	// Within their reach: the data centre; beyond it: refused like a
	// department that does not exist.
	tlrz := s.get(t, c, s.url(fmt.Sprintf("/dashboard/department?department=%d", s.tlrz)), http.StatusOK)
	contains(t, tlrz, "the data centre's dashboard", "Lagebild: Landesrechenzentrum", finMeasure)
	s.get(t, c, s.url(fmt.Sprintf("/dashboard/department?department=%d", s.inn)), http.StatusNotFound)
	s.get(t, c, s.url("/dashboard/department?department=abc"), http.StatusNotFound)

	// Management opens the interior ministry's.
	inn := s.get(t, e.loggedIn("leitung", domain.Grant{Role: domain.RoleManagement}), s.url(fmt.Sprintf("/dashboard/department?department=%d", s.inn)), http.StatusOK)
	contains(t, inn, "the interior ministry's dashboard", "Lagebild: Innenministerium", innEvidence, innFinding, innMeasure)
	lacks(t, inn, "the interior ministry's dashboard", finEvidence, finFinding, finMeasure)
}

// TestHistoryAPI: the snapshots as the reader sees them, with the
// forecast.
func TestHistoryAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newDashboardScope(t, e)
	dept := s.inn
	e.user("inn-head", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &dept})
	e.user("leitung", domain.Grant{Role: domain.RoleManagement})
	var h struct {
		Limited bool `json:"limited"`
		Items   []struct {
			Day      string         `json:"day"`
			Blockers int            `json:"blockers"`
			Gates    map[string]int `json:"gates"`
		} `json:"items"`
		Forecast struct {
			Outcome string  `json:"outcome"`
			Day     *string `json:"day"`
			Rate    float64 `json:"rate_per_day"`
		} `json:"forecast"`
	}
	path := fmt.Sprintf("/api/v1/scopes/%d/history", s.scope.ID)
	e.login("inn-head").do("GET", path, nil, nil).json(t, &h)
	if !h.Limited || len(h.Items) != 14 || h.Items[13].Blockers != 18 || h.Items[13].Gates["G5"] != 18 || h.Forecast.Outcome != "not_at_pace" {
		t.Errorf("the interior ministry's history %+v", h)
	}
	c := e.login("leitung")
	c.do("GET", path+"?from="+domain.Today(e.srv.cfg.Location).AddDate(0, 0, -8).Format(time.DateOnly), nil, nil).json(t, &h)
	want := domain.Today(e.srv.cfg.Location).AddDate(0, 0, 6).Format(time.DateOnly)
	if h.Limited || len(h.Items) != 8 || h.Forecast.Outcome != "date" || h.Forecast.Day == nil || *h.Forecast.Day != want || h.Forecast.Rate != 10 {
		t.Errorf("the scope's last week %+v, want zero on %s", h, want)
	}
	problemOf(t, c.do("GET", path+"?from=2026-13-01", nil, nil), http.StatusUnprocessableEntity)
	problemOf(t, c.do("GET", path+"?from=2026-05-02&to=2026-05-01", nil, nil), http.StatusUnprocessableEntity)
	problemOf(t, c.do("GET", "/api/v1/scopes/999999/history", nil, nil), http.StatusNotFound)
}

// TestWorkspaceWorkQueue: the start page gives ISBs what blocks the
// certification, gate by gate, and their overdue measures, within their
// departments; management and department heads the verdict with the way
// to their dashboard.
func TestWorkspaceWorkQueue(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newDashboardScope(t, e)
	home := s.get(t, e.loggedIn("isa", domain.Grant{Role: domain.RoleISB}), "/", http.StatusOK)
	contains(t, home, "the ISB's start page", "Zertifizierungsreife", s.url("/readiness/G5"), "blockierend", "Überfällige Maßnahmen",
		finMeasure, innMeasure, s.url("/plan?overdue=true"))
	lacks(t, home, "the ISB's start page", "Lagebild für die Leitung")

	inn := s.inn
	home = s.get(t, e.loggedIn("inn-isb", domain.Grant{Role: domain.RoleISB, DepartmentID: &inn}), "/", http.StatusOK)
	contains(t, home, "the interior ministry ISB's start page", innMeasure, "Ihr Bereich des Informationsverbunds ist noch nicht bereit")
	lacks(t, home, "the interior ministry ISB's start page", finMeasure)

	home = s.get(t, e.loggedIn("leitung", domain.Grant{Role: domain.RoleManagement}), "/", http.StatusOK)
	contains(t, home, "management's start page", s.url("/dashboard"), "Lagebild für die Leitung", "Der Informationsverbund ist noch nicht bereit")
	lacks(t, home, "management's start page", "Überfällige Maßnahmen")

	fin := s.fin
	home = s.get(t, e.loggedIn("fin-head", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &fin}), "/", http.StatusOK)
	contains(t, home, "the finance head's start page", s.url("/dashboard/department"), "Lagebild Ihres Bereichs")
	lacks(t, home, "the finance head's start page", s.url("/dashboard\""))
}

// TestBrowserDashboards opens both dashboards in Chromium at 1366 px:
// the charts are drawn, nothing is wider than the window, the scope's
// tabs keep one row; a screenshot of each is kept as a test artifact.
func TestBrowserDashboards(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newDashboardScope(t, e)
	e.user("leitung", domain.Grant{Role: domain.RoleManagement})
	fin := s.fin
	e.user("fin-head", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &fin})
	for _, c := range []struct {
		user, path, shot string
		charts           int
		heading          string
	}{
		{"leitung", s.url("/dashboard"), "dashboard-management", 3 + 2 + 1, "Lagebild für die Leitung"},
		{"fin-head", s.url("/dashboard/department"), "dashboard-department", 2 + 2 + 1, "Lagebild: Finanzministerium"},
	} {
		ctx := newBrowser(t)
		e.signIn(t, ctx, c.user, c.path,
			chromedp.WaitVisible("#verdict"),
		)
		h1, err := chromedp.Run(ctx, chromedp.Text("h1"))
		if err != nil || h1 != c.heading {
			t.Errorf("%s: heading %q (%v)", c.user, h1, err)
		}
		// Every chart is drawn with a size, and has its accessible name.
		charts, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('svg.chart')].filter(s =>
			s.getBoundingClientRect().width > 250 && s.getAttribute('role') === 'img' && s.querySelector('title')).length`))
		if err != nil || charts < c.charts {
			t.Errorf("%s: %d charts drawn (%v), want at least %d", c.user, charts, err, c.charts)
		}
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil || wide > 1366 {
			t.Errorf("%s: the page is %d px wide (%v)", c.user, wide, err)
		}
		rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`new Set([...document.querySelectorAll('.tabs li')].map(li => li.offsetTop)).size`))
		if err != nil || rows != 1 {
			t.Errorf("%s: the scope's tabs take %d rows (%v)", c.user, rows, err)
		}
		screenshot(t, ctx, c.shot)
	}
}
