package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// checkScope is a scope on the demo catalog with a server modelled with
// SYS.1.1, so that it has check entries.
func checkScope(t *testing.T, e *testEnv) (scopeID, serverID int64) {
	t.Helper()
	scopeID, dept := e.scopeWithDepartment()
	ctx := context.Background()
	err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		o, err := tx.CreateObject(ctx, scopeID, domain.ObjectInput{Type: domain.ObjectITSystem,
			ObjectFields: domain.ObjectFields{Name: "Managementserver"}, DepartmentID: &dept}, postgres.Everything)
		if err != nil {
			return err
		}
		serverID = o.ID
		_, err = tx.AssignModules(ctx, scopeID, []int64{o.ID}, []string{"SYS.1.1"}, postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return scopeID, serverID
}

// otherScopeEntry is the entry of SYS.1.1.A1 of a server in a second
// scope, which no bulk of the first may change.
func otherScopeEntry(t *testing.T, e *testEnv) domain.CheckEntry {
	t.Helper()
	catalog := e.demoCatalog()
	ctx := context.Background()
	var scopeID, objectID int64
	err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		s, err := tx.CreateScope(ctx, domain.ScopeInput{Name: "Behördennetz", CatalogID: catalog, Approach: domain.ApproachStandard})
		if err != nil {
			return err
		}
		o, err := tx.CreateObject(ctx, s.ID, domain.ObjectInput{Type: domain.ObjectITSystem,
			ObjectFields: domain.ObjectFields{Name: "Mailserver"}}, postgres.Everything)
		if err != nil {
			return err
		}
		scopeID, objectID = s.ID, o.ID
		_, err = tx.AssignModules(ctx, s.ID, []int64{o.ID}, []string{"SYS.1.1"}, postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return checkEntries(t, e, scopeID, objectID)["SYS.1.1.A1"]
}

type entryPage struct {
	Items []struct {
		ID          int64  `json:"id"`
		Requirement string `json:"requirement"`
		Level       string `json:"level"`
		Status      string `json:"status"`
		Version     int    `json:"version"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func TestCheckAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	scope, server := checkScope(t, e)
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	base := "/api/v1/scopes/" + strconv.FormatInt(scope, 10)

	for _, path := range []string{"/check", "/plan", "/plan/summary"} {
		problemOf(t, c.do("GET", "/api/v1/scopes/999999"+path, nil, nil), http.StatusNotFound)
	}
	var page entryPage
	r := c.do("GET", base+"/check?object="+strconv.FormatInt(server, 10)+"&level=basis&limit=2", nil, nil)
	r.json(t, &page)
	if r.status != http.StatusOK || len(page.Items) != 2 || page.NextCursor == "" {
		t.Fatalf("check page: %d %s", r.status, r.body)
	}
	for _, it := range page.Items {
		if it.Level != "basis" || it.Status != "open" {
			t.Errorf("entry %+v", it)
		}
	}
	entry := "/api/v1/check-entries/" + strconv.FormatInt(page.Items[0].ID, 10)
	tag := c.do("GET", entry, nil, nil).header.Get("ETag")
	problemOf(t, c.do("PATCH", entry, map[string]string{"status": "yes"}, nil), http.StatusPreconditionRequired)
	p := problemOf(t, c.do("PATCH", entry, map[string]string{"status": "no"}, map[string]string{"If-Match": tag}), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/justification" {
		t.Errorf("no without justification: %+v", p)
	}
	r = c.do("PATCH", entry, map[string]string{"status": "no", "justification": "Härtung noch offen", "target_date": "2027-03-31"}, map[string]string{"If-Match": tag})
	if r.status != http.StatusOK || r.header.Get("ETag") == tag {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	problemOf(t, c.do("PATCH", entry, map[string]string{"status": "yes"}, map[string]string{"If-Match": tag}), http.StatusPreconditionFailed)

	// The plan got a measure; it can be planned.
	var plan struct {
		Items []struct {
			ID      int64   `json:"id"`
			DueDate *string `json:"due_date"`
			Version int     `json:"version"`
		} `json:"items"`
	}
	c.do("GET", base+"/plan", nil, nil).json(t, &plan)
	if len(plan.Items) != 1 || plan.Items[0].DueDate == nil || *plan.Items[0].DueDate != "2027-03-31" {
		t.Fatalf("plan %+v", plan)
	}
	item := "/api/v1/plan-items/" + strconv.FormatInt(plan.Items[0].ID, 10)
	r = c.do("PATCH", item, map[string]any{"owner": "Netzbetrieb", "budget_eur": 1250.50, "priority": 1, "state": "in_progress"},
		map[string]string{"If-Match": fmt.Sprintf(`"%d"`, plan.Items[0].Version)})
	if r.status != http.StatusOK {
		t.Fatalf("plan patch: %d %s", r.status, r.body)
	}
	var groups struct {
		Items []struct {
			Label     string  `json:"label"`
			Open      int     `json:"open"`
			BudgetEUR float64 `json:"budget_eur"`
		} `json:"items"`
	}
	c.do("GET", base+"/plan/summary?by=owner", nil, nil).json(t, &groups)
	if len(groups.Items) != 1 || groups.Items[0].Label != "Netzbetrieb" || groups.Items[0].BudgetEUR != 1250.5 {
		t.Errorf("plan summary %+v", groups)
	}

	// History from the audit trail.
	var hist struct {
		Items []struct{ Action string } `json:"items"`
	}
	c.do("GET", entry+"/history", nil, nil).json(t, &hist)
	if len(hist.Items) != 1 || hist.Items[0].Action != "check.update" {
		t.Errorf("history %+v", hist)
	}
}

func TestCheckBulkAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	scope, _ := checkScope(t, e)
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	base := "/api/v1/scopes/" + strconv.FormatInt(scope, 10)
	var page entryPage
	c.do("GET", base+"/check?limit=1000", nil, nil).json(t, &page)
	if len(page.Items) < 3 {
		t.Fatalf("%d entries", len(page.Items))
	}
	items := []map[string]any{}
	for _, it := range page.Items {
		items = append(items, map[string]any{"id": it.ID, "version": it.Version, "status": "yes", "responsible": "TLRZ"})
	}
	// One item wrong: nothing changes, the item is named.
	items[1]["status"] = "partial"
	p := problemOf(t, c.do("POST", base+"/check/bulk", map[string]any{"items": items}, nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/items/1/justification" {
		t.Fatalf("bulk refusal %+v", p)
	}
	var after entryPage
	c.do("GET", base+"/check?status=yes", nil, nil).json(t, &after)
	if len(after.Items) != 0 {
		t.Fatal("a refused bulk changed entries")
	}
	items[1]["justification"] = "Nur teilweise"
	r := c.do("POST", base+"/check/bulk", map[string]any{"items": items}, nil)
	if r.status != http.StatusOK {
		t.Fatalf("bulk: %d %s", r.status, r.body)
	}
	c.do("GET", base+"/check?status=yes&limit=1000", nil, nil).json(t, &after)
	if len(after.Items) != len(items)-1 {
		t.Errorf("%d entries yes after the bulk", len(after.Items))
	}
	// The same versions again: all stale, 412.
	problemOf(t, c.do("POST", base+"/check/bulk", map[string]any{"items": items[:2]}, nil), http.StatusPreconditionFailed)
	// An entry of another scope is not found in this one's bulk; nothing changes.
	other := otherScopeEntry(t, e)
	p = problemOf(t, c.do("POST", base+"/check/bulk", map[string]any{"items": []map[string]any{{"id": other.ID, "version": other.Version,
		"status": "yes"}}}, nil), http.StatusNotFound)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/items/0/id" {
		t.Errorf("bulk with another scope's entry: %+v", p)
	}
	if got := checkEntries(t, e, other.ScopeID, other.ObjectID)["SYS.1.1.A1"]; got.Status != domain.StatusOpen || got.Version != other.Version {
		t.Errorf("a bulk changed another scope's entry: %+v", got)
	}
	problemOf(t, c.do("POST", "/api/v1/scopes/999999/check/bulk", map[string]any{"items": items[:1]}, nil), http.StatusNotFound)
	// A department head reads, but cannot change.
	d := e.department("Kultusministerium")
	dh := e.loggedIn("dora", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &d})
	var none entryPage
	dh.do("GET", base+"/check", nil, nil).json(t, &none)
	if len(none.Items) != 0 {
		t.Errorf("the department head of another department sees %d entries", len(none.Items))
	}
	problemOf(t, dh.do("GET", "/api/v1/check-entries/"+strconv.FormatInt(page.Items[0].ID, 10), nil, nil), http.StatusNotFound)
}
