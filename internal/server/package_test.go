package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ismsd/internal/domain"
)

func TestRequirementPackage(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	kernel, demo := e.importShared(sharedKernel).Catalog.ID, e.demoCatalog()
	e.user("isa", domain.Grant{Role: domain.RoleISB})
	e.user("aud", domain.Grant{Role: domain.RoleAuditor})
	isb := e.login("isa")
	scope := e.apiScope(isb, "Rechenzentrum", kernel)
	base := fmt.Sprintf("/api/v1/scopes/%d", scope.ID)

	type pkg struct {
		Method  string `json:"method"`
		Figures []struct {
			Obligation string `json:"obligation"`
			Level      string `json:"level"`
			Entries    int    `json:"entries"`
		} `json:"figures"`
		Raises []struct {
			RequirementID string `json:"requirement_id"`
			Reason        string `json:"reason"`
			RaisedBy      string `json:"raised_by"`
		} `json:"raises"`
	}
	total := func(p pkg, level string) (n int) {
		for _, f := range p.Figures {
			if level == "" || f.Level == level {
				n += f.Entries
			}
		}
		return n
	}
	var p pkg
	isb.do("GET", base+"/package", nil, nil).json(t, &p)
	if p.Method != "grundschutz_pp" || total(p, "") != 674 || total(p, "elevated") != 0 {
		t.Fatalf("package of a new scope: %+v", p)
	}

	// The check filters by effort level and shows it: level 0 is a level
	// of its own, not "any".
	var effortZero int
	if err := e.ownerDB().QueryRow(`SELECT count(*) FROM check_entries e JOIN catalog_requirements r
		ON r.catalog_id = e.catalog_id AND r.id = e.requirement_id WHERE e.scope_id = $1 AND e.active AND r.effort = 0`, scope.ID).Scan(&effortZero); err != nil {
		t.Fatal(err)
	}
	var entries struct {
		Items []struct {
			Effort *int `json:"effort"`
		} `json:"items"`
	}
	isb.do("GET", base+"/check?effort=0&limit=1000", nil, nil).json(t, &entries)
	if effortZero == 0 || len(entries.Items) != effortZero {
		t.Errorf("%d entries of effort 0, want %d", len(entries.Items), effortZero)
	}
	for _, it := range entries.Items {
		if it.Effort == nil || *it.Effort != 0 {
			t.Errorf("entry of effort %v in the effort-0 list", it.Effort)
			break
		}
	}
	if r := isb.do("GET", base+"/check?effort=6", nil, nil); r.status != http.StatusUnprocessableEntity {
		t.Errorf("effort 6: %d", r.status)
	}
	if page := string(isb.do("GET", fmt.Sprintf("/scopes/%d/check?effort=3", scope.ID), nil, nil).body); !strings.Contains(page, `<td class="num">3</td>`) ||
		!strings.Contains(page, `<option value="3" selected>3</option>`) {
		t.Errorf("the check page does not filter or show the effort level")
	}

	// Raising: refused for a normal-SdT requirement, an unknown one, no
	// reason; then the first "erhöht" requirement comes in.
	var elevated string
	if err := e.ownerDB().QueryRow(`SELECT id FROM catalog_requirements WHERE catalog_id = $1 AND level = 'elevated' ORDER BY ord LIMIT 1`, kernel).Scan(&elevated); err != nil {
		t.Fatal(err)
	}
	raise := func(requirement, reason string) map[string]any {
		return map[string]any{"requirement_id": requirement, "reason": reason}
	}
	for _, tc := range []struct {
		body map[string]any
		want string
	}{
		{raise("ASST.1.1", "x"), "/requirement_id"},
		{raise("NET.3.1.A1", "x"), "/requirement_id"},
		{raise(elevated, " "), "/reason"},
	} {
		if r := isb.do("POST", base+"/level-raises", tc.body, nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), tc.want) {
			t.Errorf("%v: %d %s", tc.body, r.status, r.body)
		}
	}
	if r := e.login("aud").do("POST", base+"/level-raises", raise(elevated, "KRITIS"), nil); r.status != http.StatusForbidden {
		t.Errorf("auditor raising: %d", r.status)
	}
	if r := isb.do("POST", base+"/level-raises", raise(elevated, "Betreiber kritischer Infrastruktur"), nil); r.status != http.StatusCreated {
		t.Fatalf("raise: %d %s", r.status, r.body)
	}
	if r := isb.do("POST", base+"/level-raises", raise(elevated, "noch einmal"), nil); r.status != http.StatusConflict {
		t.Errorf("raising twice: %d %s", r.status, r.body)
	}
	isb.do("GET", base+"/package", nil, nil).json(t, &p)
	if total(p, "elevated") != 1 || len(p.Raises) != 1 || p.Raises[0].RequirementID != elevated || p.Raises[0].RaisedBy == "" {
		t.Errorf("package after the raise: %+v", p)
	}
	if r := isb.do("DELETE", base+"/level-raises/"+elevated, nil, nil); r.status != http.StatusNoContent {
		t.Errorf("lower: %d %s", r.status, r.body)
	}
	isb.do("GET", base+"/package", nil, nil).json(t, &p)
	if total(p, "elevated") != 0 || len(p.Raises) != 0 {
		t.Errorf("package after lowering: %+v", p)
	}

	// A Kompendium scope has no package to raise into.
	kompendium := e.apiScope(isb, "Kompendium", demo)
	if r := isb.do("POST", fmt.Sprintf("/api/v1/scopes/%d/level-raises", kompendium.ID), raise("x", "y"), nil); r.status != http.StatusConflict {
		t.Errorf("raise in a Kompendium scope: %d %s", r.status, r.body)
	}

	// The page: the package's table and the raise form.
	page := isb.do("GET", fmt.Sprintf("/scopes/%d/package", scope.ID), nil, nil)
	for _, want := range []string{"Gemessen an „BSI Stand der Technik Kernel“", "normal-SdT", "SOLLTE", "Anheben", elevated} {
		if !strings.Contains(string(page.body), want) {
			t.Errorf("package page lacks %q", want)
		}
	}
}

// Every page, dashboard, history and report of a Grundschutz++ scope
// answers, and the pages name the catalog the scope is measured against.
func TestPlusPlusScopeEverywhere(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	kernel := e.importShared(sharedKernel).Catalog.ID
	c := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})
	var scope struct {
		ID int64 `json:"id"`
	}
	c.do("POST", "/api/v1/scopes", map[string]any{"name": "Rechenzentrum", "catalog_id": kernel}, nil).json(t, &scope)
	if scope.ID == 0 {
		t.Fatal("no scope without an approach")
	}
	page := fmt.Sprintf("/scopes/%d", scope.ID)
	for _, p := range []string{"", "/readiness", "/readiness/g4", "/readiness/g5", "/check", "/plan", "/dashboard", "/dashboard/department",
		"/package", "/parameters", "/exceptions", "/guideline", "/modelling", "/reports", "/risk"} {
		r := c.do("GET", page+p, nil, nil)
		if r.status != http.StatusOK {
			t.Errorf("%s: %d", p, r.status)
			continue
		}
		if p != "" && p != "/dashboard" && p != "/dashboard/department" && !strings.Contains(string(r.body), "gemessen an „BSI Stand der Technik Kernel“") {
			t.Errorf("%s does not name the catalog", p)
		}
	}
	api := fmt.Sprintf("/api/v1/scopes/%d", scope.ID)
	for _, p := range []string{"/readiness", "/history", "/check", "/plan", "/package", "/parameters", "/exceptions"} {
		if r := c.do("GET", api+p, nil, nil); r.status != http.StatusOK {
			t.Errorf("API %s: %d %s", p, r.status, r.body)
		}
	}
	for _, name := range []string{"a1", "a2", "a3", "a4", "a5", "a6", "soa"} {
		for _, format := range []string{"xlsx", "pdf"} {
			if r := c.do("GET", api+"/reports/"+name+"."+format, nil, nil); r.status != http.StatusOK {
				t.Errorf("report %s.%s: %d %s", name, format, r.status, r.body)
			}
		}
	}
}
