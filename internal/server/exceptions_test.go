package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// plusPlusWorld is a Grundschutz++ scope on a small catalog of our own
// (one practice: a MUSS, a SOLLTE and a KANN of level normal-SdT), with a
// server in each of two departments, both modelled with GC.1.
type plusPlusWorld struct {
	scopeID, deptA, deptB, serverA, serverB int64
}

func (e *testEnv) plusPlusScope() plusPlusWorld {
	e.t.Helper()
	ctx := context.Background()
	text := func(s string) domain.Text { return domain.Text{{Kind: "p", Runs: []domain.Run{{Text: s}}}} }
	req := func(id, title string, o domain.Obligation, ord int) domain.Requirement {
		return domain.Requirement{ID: id, ModuleID: "GC.1", Title: title, Level: domain.LevelStandard, Obligation: o, Order: ord,
			Text: text("Die Institution " + o.Label() + " " + title + ".")}
	}
	w := plusPlusWorld{deptA: e.department("Landesrechenzentrum"), deptB: e.department("Innenministerium")}
	err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		c, err := tx.InsertCatalog(ctx, domain.Catalog{Kind: domain.CatalogOSCAL, Title: "Test-Grundschutz++", Version: "1",
			UUID: "c0ffee00-0000-4000-8000-000000000002", SourceName: "test-plusplus.json", SourceSHA256: strings.Repeat("cd", 32)},
			domain.CatalogContent{
				Groups:  []domain.CatalogGroup{{Key: "GC", Title: "Governance und Compliance"}},
				Modules: []domain.Module{{ID: "GC.1", GroupKey: "GC", Title: "Steuerung"}},
				Requirements: []domain.Requirement{req("GC.1.1", "ein ISMS betreiben", domain.ObligationMust, 1),
					req("GC.1.2", "Ziele dokumentieren", domain.ObligationShould, 2), req("GC.1.3", "Kennzahlen veröffentlichen", domain.ObligationMay, 3)},
			})
		if err != nil {
			return err
		}
		s, err := tx.CreateScope(ctx, domain.ScopeInput{Name: "Rechenzentrum nach Grundschutz++", CatalogID: c.ID, Approach: domain.ApproachStandard})
		if err != nil {
			return err
		}
		w.scopeID = s.ID
		for _, o := range []struct {
			dst  *int64
			name string
			dept int64
		}{{&w.serverA, "Identitätsserver", w.deptA}, {&w.serverB, "Fachverfahren-Server", w.deptB}} {
			obj, err := tx.CreateObject(ctx, s.ID, domain.ObjectInput{Type: domain.ObjectITSystem, ObjectFields: domain.ObjectFields{Name: o.name},
				DepartmentID: &o.dept}, postgres.Everything)
			if err != nil {
				return err
			}
			*o.dst = obj.ID
		}
		_, err = tx.AssignModules(ctx, s.ID, []int64{w.serverA, w.serverB}, []string{"GC.1"}, postgres.Everything)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

func TestExceptionsAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	w := e.plusPlusScope()
	e.user("leitung", domain.Grant{Role: domain.RoleManagement})
	e.user("isb", domain.Grant{Role: domain.RoleISB})
	e.user("kopf-b", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &w.deptB})
	mgmt, isb, headB := e.login("leitung"), e.login("isb"), e.login("kopf-b")
	entries := checkEntries(t, e, w.scopeID, w.serverA)
	must, should, may := entries["GC.1.1"], entries["GC.1.2"], entries["GC.1.3"]
	e.setStatus(t, w.scopeID, must, domain.StatusNo)
	e.setStatus(t, w.scopeID, may, domain.StatusNo)
	entryPath := "/api/v1/check-entries/" + strconv.FormatInt(must.ID, 10)
	today := domain.Today(e.srv.cfg.Location)
	later := today.AddDate(0, 0, 60).Format(time.DateOnly)
	body := func(justification, until string) map[string]string {
		return map[string]string{"justification": justification, "valid_until": until, "password": testPassword}
	}

	var entry struct {
		Obligation string         `json:"obligation"`
		Exception  map[string]any `json:"exception"`
	}
	isb.do("GET", entryPath, nil, nil).json(t, &entry)
	if entry.Obligation != "muss" || entry.Exception != nil {
		t.Errorf("entry before %+v", entry)
	}

	// Only management authorises, with a justification and an end date
	// after today; nothing is stored otherwise.
	if r := isb.do("POST", entryPath+"/exception", body("Grund", later), nil); r.status != http.StatusForbidden {
		t.Errorf("ISB authorises: %d %s", r.status, r.body)
	}
	p := problemOf(t, mgmt.do("POST", entryPath+"/exception", body(" ", later), nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/justification" {
		t.Errorf("no justification: %+v", p.Errors)
	}
	p = problemOf(t, mgmt.do("POST", entryPath+"/exception", body("Grund", today.AddDate(0, 0, -1).Format(time.DateOnly)), nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/valid_until" {
		t.Errorf("past end date: %+v", p.Errors)
	}
	p = problemOf(t, mgmt.do("POST", entryPath+"/exception", []byte(`{"justification": "Grund"}`), nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/valid_until" {
		t.Errorf("no end date: %+v", p.Errors)
	}
	p = problemOf(t, mgmt.do("POST", entryPath+"/exception", map[string]string{"justification": "Grund", "valid_until": later, "password": "falsch"}, nil),
		http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/password" {
		t.Errorf("wrong password: %+v", p.Errors)
	}
	problemOf(t, mgmt.do("POST", "/api/v1/check-entries/"+strconv.FormatInt(may.ID, 10)+"/exception", body("Grund", later), nil), http.StatusConflict)
	problemOf(t, mgmt.do("POST", "/api/v1/check-entries/"+strconv.FormatInt(should.ID, 10)+"/exception", body("Grund", later), nil), http.StatusConflict)
	problemOf(t, mgmt.do("GET", entryPath+"/exception", nil, nil), http.StatusNotFound)

	r := mgmt.do("POST", entryPath+"/exception", body("Ablösung 2027 geplant.", later), nil)
	var x struct {
		ID           int64  `json:"id"`
		EntryID      int64  `json:"entry_id"`
		State        string `json:"state"`
		DaysLeft     int    `json:"days_left"`
		AuthorisedBy string `json:"authorised_by"`
		ValidUntil   string `json:"valid_until"`
		Obligation   string `json:"obligation"`
		Version      int    `json:"version"`
	}
	if r.status != http.StatusCreated {
		t.Fatalf("authorise: %d %s", r.status, r.body)
	}
	r.json(t, &x)
	if x.EntryID != must.ID || x.State != "valid" || x.AuthorisedBy != "leitung" || x.ValidUntil != later || x.Obligation != "muss" ||
		x.DaysLeft < 59 || r.header.Get("ETag") != `"1"` {
		t.Errorf("exception %s", r.body)
	}
	problemOf(t, mgmt.do("POST", entryPath+"/exception", body("Noch eine", later), nil), http.StatusConflict)
	isb.do("GET", entryPath, nil, nil).json(t, &entry)
	if entry.Exception == nil || entry.Exception["valid"] != true || entry.Exception["valid_until"] != later {
		t.Errorf("entry after %+v", entry)
	}

	// A department head of the other department cannot tell it from a
	// missing entry.
	foreign, missing := headB.do("GET", entryPath+"/exception", nil, nil), headB.do("GET", "/api/v1/check-entries/987654321/exception", nil, nil)
	if pf, pm := problemOf(t, foreign, http.StatusNotFound), problemOf(t, missing, http.StatusNotFound); strings.ReplaceAll(pf.Detail, strconv.FormatInt(must.ID, 10), "") != strings.ReplaceAll(pm.Detail, "987654321", "") {
		t.Errorf("foreign %q, missing %q", pf.Detail, pm.Detail)
	}

	// The list and its filters.
	listPath := "/api/v1/scopes/" + strconv.FormatInt(w.scopeID, 10) + "/exceptions"
	count := func(c *client, query string) int {
		t.Helper()
		var l struct {
			Items []map[string]any `json:"items"`
		}
		r := c.do("GET", listPath+query, nil, nil)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", query, r.status, r.body)
		}
		r.json(t, &l)
		return len(l.Items)
	}
	for q, want := range map[string]int{"": 1, "?state=valid": 1, "?state=expiring&days=90": 1, "?state=expiring&days=30": 0, "?state=expired": 0,
		"?state=revoked": 0, "?department=" + strconv.FormatInt(w.deptB, 10): 0} {
		if got := count(isb, q); got != want {
			t.Errorf("list%s: %d, want %d", q, got, want)
		}
	}
	if got := count(headB, ""); got != 0 {
		t.Errorf("the other department's head sees %d exceptions", got)
	}
	problemOf(t, isb.do("GET", listPath+"?state=bald", nil, nil), http.StatusUnprocessableEntity)

	// Revoking needs the current version.
	revoke := "/api/v1/exceptions/" + strconv.FormatInt(x.ID, 10) + "/revoke"
	problemOf(t, mgmt.do("POST", revoke, nil, nil), http.StatusPreconditionRequired)
	problemOf(t, mgmt.do("POST", revoke, nil, map[string]string{"If-Match": `"7"`}), http.StatusPreconditionFailed)
	if r := isb.do("POST", revoke, nil, map[string]string{"If-Match": `"1"`}); r.status != http.StatusForbidden {
		t.Errorf("ISB revokes: %d", r.status)
	}
	r = mgmt.do("POST", revoke, nil, map[string]string{"If-Match": `"1"`})
	r.json(t, &x)
	if r.status != http.StatusOK || x.State != "revoked" || x.Version != 2 {
		t.Errorf("revoke: %d %s", r.status, r.body)
	}
	problemOf(t, mgmt.do("POST", revoke, nil, map[string]string{"If-Match": `"2"`}), http.StatusConflict)
	if got := count(isb, "?state=revoked"); got != 1 {
		t.Errorf("revoked: %d", got)
	}
	if actions := e.auditActions(t, "check_exception", strconv.FormatInt(x.ID, 10)); strings.Join(actions, ",") != "exception.create,exception.revoke" &&
		strings.Join(actions, ",") != "exception.revoke,exception.create" {
		t.Errorf("audit %v", actions)
	}
}

func TestExceptionRefusedForAKompendiumEntry(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	scope, server := checkScope(t, e)
	std := checkEntries(t, e, scope, server)["SYS.1.1.A11"]
	e.setStatus(t, scope, std, domain.StatusNo)
	e.user("leitung", domain.Grant{Role: domain.RoleManagement})
	r := e.login("leitung").do("POST", "/api/v1/check-entries/"+strconv.FormatInt(std.ID, 10)+"/exception",
		map[string]string{"justification": "Grund", "valid_until": domain.Today(e.srv.cfg.Location).AddDate(0, 1, 0).Format(time.DateOnly), "password": testPassword}, nil)
	if p := problemOf(t, r, http.StatusConflict); !strings.Contains(p.Detail, "Grundschutz++") {
		t.Errorf("detail %q", p.Detail)
	}
	var entry map[string]any
	e.login("leitung").do("GET", "/api/v1/check-entries/"+strconv.FormatInt(std.ID, 10), nil, nil).json(t, &entry)
	if _, ok := entry["obligation"]; ok {
		t.Errorf("a Kompendium entry has an obligation: %v", entry)
	}
}

func TestCheckFilterByObligationAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	w := e.plusPlusScope()
	c := e.loggedIn("isb", domain.Grant{Role: domain.RoleISB})
	base := "/api/v1/scopes/" + strconv.FormatInt(w.scopeID, 10) + "/check"
	var l struct {
		Items []struct {
			Requirement string `json:"requirement"`
			Obligation  string `json:"obligation"`
		} `json:"items"`
	}
	c.do("GET", base+"?obligation=sollte", nil, nil).json(t, &l)
	if len(l.Items) != 3 { // the scope object and both servers
		t.Fatalf("SOLLTE entries %+v", l.Items)
	}
	for _, it := range l.Items {
		if it.Requirement != "GC.1.2" || it.Obligation != "sollte" {
			t.Errorf("entry %+v", it)
		}
	}
	p := problemOf(t, c.do("GET", base+"?obligation=darf", nil, nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/obligation" {
		t.Errorf("%+v", p.Errors)
	}
}
