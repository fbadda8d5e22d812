package server

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ismsd/internal/domain"
)

// auditUIScope is the page scope with SYS.1.1 assigned to the management
// server (Finanzministerium) and to the system of the Innenministerium,
// so that a sample has modules, objects and requirements in both.
func auditUIScope(t *testing.T, e *testEnv) uiScope {
	t.Helper()
	s := newUIScope(t, e)
	s.assign(t, []int64{s.server, s.innSystem}, "SYS.1.1")
	return s
}

// auditUsers creates an auditor, an ISB, a department head of the
// Innenministerium and an administrator, logged in.
func auditUsers(e *testEnv, s uiScope) (auditor, isb, head, admin *client) {
	return e.loggedIn("pia", domain.Grant{Role: domain.RoleAuditor}),
		e.loggedIn("isa", domain.Grant{Role: domain.RoleISB}),
		e.loggedIn("anna", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &s.inn}),
		e.loggedIn("adam", domain.Grant{Role: domain.RoleAdmin})
}

func ifMatchOf(version int) map[string]string {
	return map[string]string{"If-Match": `"` + strconv.Itoa(version) + `"`}
}

func violationPointers(t *testing.T, r response) []string {
	t.Helper()
	var p struct {
		Errors []struct {
			Pointer string `json:"pointer"`
		} `json:"errors"`
	}
	r.json(t, &p)
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Pointer)
	}
	return out
}

type sampleItemResp struct {
	ID     int64  `json:"id"`
	Type   string `json:"type"`
	Label  string `json:"label"`
	Seed   *int64 `json:"seed"`
	Object *struct {
		ID int64 `json:"id"`
	} `json:"object"`
	Version int `json:"version"`
}

type findingResp struct {
	ID      int64  `json:"id"`
	State   string `json:"state"`
	Overdue bool   `json:"overdue"`
	Links   []struct {
		Target string `json:"target"`
		Label  string `json:"label"`
	} `json:"links"`
	Actions []struct {
		Verdict     string `json:"verdict"`
		SubmittedBy string `json:"submitted_by"`
	} `json:"corrective_actions"`
	Version int `json:"version"`
}

// TestAuditAPI: auditors plan and run audits; ISBs answer findings with
// corrective actions, which auditors verify; department heads read only;
// updates need If-Match; every answer matches its schema.
func TestAuditAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := auditUIScope(t, e)
	auditor, isb, head, admin := auditUsers(e, s)
	scope := "/api/v1/scopes/" + strconv.FormatInt(s.scope.ID, 10)
	plan := map[string]any{"kind": "surveillance_1", "title": "1. Überwachungsaudit", "auditors": []string{"Dr. Petra Prüfer"},
		"starts_on": "2026-05-04", "ends_on": "2026-05-06", "scope_note": "Rechenzentrum"}

	// Planning: auditors only; 422 names every field.
	problemOf(t, isb.do("POST", scope+"/audits", plan, nil), http.StatusForbidden)
	problemOf(t, head.do("POST", scope+"/audits", plan, nil), http.StatusForbidden)
	problemOf(t, auditor.do("POST", "/api/v1/scopes/999999/audits", plan, nil), http.StatusNotFound)
	problemOf(t, auditor.do("GET", "/api/v1/scopes/999999/audits", nil, nil), http.StatusNotFound)
	r := auditor.do("POST", scope+"/audits", map[string]any{"kind": "annual", "title": "", "starts_on": "2026-05-04", "ends_on": "04.05.2026", "x": 1}, nil)
	problemOf(t, r, http.StatusUnprocessableEntity)
	if ps := violationPointers(t, r); !slices.Contains(ps, "/kind") || !slices.Contains(ps, "/title") || !slices.Contains(ps, "/ends_on") || len(ps) < 4 {
		t.Errorf("violations %v", ps)
	}
	bad := map[string]any{}
	for k, x := range plan {
		bad[k] = x
	}
	bad["ends_on"] = "2026-05-01"
	if ps := violationPointers(t, auditor.do("POST", scope+"/audits", bad, nil)); !slices.Equal(ps, []string{"/ends_on"}) {
		t.Errorf("ending before the start: %v", ps)
	}
	r = auditor.do("POST", scope+"/audits", plan, nil)
	if r.status != http.StatusCreated || r.header.Get("ETag") != `"1"` || !strings.HasPrefix(r.header.Get("Location"), "/api/v1/audits/") {
		t.Fatalf("create: %d %v %s", r.status, r.header, r.body)
	}
	var au struct {
		ID      int64  `json:"id"`
		State   string `json:"state"`
		Version int    `json:"version"`
	}
	r.json(t, &au)
	audit := "/api/v1/audits/" + strconv.FormatInt(au.ID, 10)
	if au.State != "planned" {
		t.Errorf("state %s", au.State)
	}
	for _, c := range []*client{isb, head} {
		mustStatus(t, c.do("GET", scope+"/audits", nil, nil), http.StatusOK)
		if r := c.do("GET", audit, nil, nil); r.status != http.StatusOK || r.header.Get("ETag") != `"1"` {
			t.Errorf("read: %d", r.status)
		}
	}

	// PATCH: If-Match required, a stale one refused.
	problemOf(t, auditor.do("PATCH", audit, map[string]any{"state": "in_progress"}, nil), http.StatusPreconditionRequired)
	problemOf(t, auditor.do("PATCH", audit, map[string]any{"state": "in_progress"}, ifMatchOf(7)), http.StatusPreconditionFailed)
	problemOf(t, isb.do("PATCH", audit, map[string]any{"state": "in_progress"}, ifMatchOf(1)), http.StatusForbidden)
	r = auditor.do("PATCH", audit, map[string]any{"state": "in_progress"}, ifMatchOf(1))
	if r.status != http.StatusOK || r.header.Get("ETag") != `"2"` {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}

	// The sample: drawn with a seed, and by hand.
	problemOf(t, isb.do("POST", audit+"/sample/draw", map[string]any{"requirements": 3}, nil), http.StatusForbidden)
	problemOf(t, auditor.do("POST", audit+"/sample/draw", map[string]any{}, nil), http.StatusUnprocessableEntity)
	r = auditor.do("POST", audit+"/sample/draw", map[string]any{"objects": 5, "requirements": 4, "seed": 42}, nil)
	if r.status != http.StatusOK {
		t.Fatalf("draw: %d %s", r.status, r.body)
	}
	var drawn struct{ Items []sampleItemResp }
	r.json(t, &drawn)
	if len(drawn.Items) != 9 {
		t.Fatalf("drawn %d items, want 5 objects and 4 requirements", len(drawn.Items))
	}
	for _, it := range drawn.Items {
		if it.Seed == nil || *it.Seed != 42 {
			t.Errorf("drawn item without its seed: %+v", it)
		}
	}
	r = auditor.do("POST", audit+"/sample", map[string]any{"type": "module", "module_id": "SYS.1.1"}, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("add module: %d %s", r.status, r.body)
	}
	var module sampleItemResp
	r.json(t, &module)
	problemOf(t, auditor.do("POST", audit+"/sample", map[string]any{"type": "module", "module_id": "SYS.1.1"}, nil), http.StatusConflict)
	r = auditor.do("POST", audit+"/sample", map[string]any{"type": "object", "module_id": "SYS.1.1"}, nil)
	if ps := violationPointers(t, r); r.status != http.StatusUnprocessableEntity || !slices.Equal(ps, []string{"/object_id"}) {
		t.Errorf("object without its id: %d %v", r.status, ps)
	}
	// The department head of the Innenministerium sees the module and
	// the items of its system only.
	r = head.do("GET", audit+"/sample", nil, nil)
	mustStatus(t, r, http.StatusOK)
	var seen struct{ Items []sampleItemResp }
	r.json(t, &seen)
	if len(seen.Items) == 0 || len(seen.Items) >= 10 {
		t.Errorf("the department head sees %d of 10 items", len(seen.Items))
	}
	for _, it := range seen.Items {
		if it.Type != "module" && (it.Object == nil || it.Object.ID != s.innSystem) {
			t.Errorf("the department head sees %s", it.Label)
		}
	}

	// A result: If-Match on the item's version.
	item := "/api/v1/sample-items/" + strconv.FormatInt(drawn.Items[0].ID, 10)
	result := map[string]any{"result": "nonconforming", "note": "Kein Patchkonzept."}
	problemOf(t, auditor.do("PATCH", item, result, nil), http.StatusPreconditionRequired)
	problemOf(t, auditor.do("PATCH", item, result, ifMatchOf(drawn.Items[0].Version+1)), http.StatusPreconditionFailed)
	problemOf(t, head.do("PATCH", item, result, ifMatchOf(drawn.Items[0].Version)), http.StatusForbidden)
	r = auditor.do("PATCH", item, result, ifMatchOf(drawn.Items[0].Version))
	if r.status != http.StatusOK || r.header.Get("ETag") != `"2"` {
		t.Fatalf("result: %d %s", r.status, r.body)
	}
	moduleItem := "/api/v1/sample-items/" + strconv.FormatInt(module.ID, 10)
	problemOf(t, auditor.do("DELETE", moduleItem, nil, nil), http.StatusPreconditionRequired)
	if r := auditor.do("DELETE", moduleItem, nil, ifMatchOf(module.Version)); r.status != http.StatusNoContent {
		t.Errorf("remove: %d %s", r.status, r.body)
	}

	// Findings: a nonconformity needs a due date.
	finding := map[string]any{"class": "minor", "title": "Patchkonzept fehlt", "description": "Für S-001 liegt kein Patchkonzept vor.",
		"links": []map[string]any{{"target": "sample", "target_id": drawn.Items[0].ID}, {"target": "object", "target_id": s.server}}}
	r = auditor.do("POST", audit+"/findings", finding, nil)
	if ps := violationPointers(t, r); r.status != http.StatusUnprocessableEntity || !slices.Equal(ps, []string{"/due_date"}) {
		t.Errorf("minor without a due date: %d %v", r.status, ps)
	}
	finding["due_date"] = "2026-01-31" // overdue by now
	problemOf(t, isb.do("POST", audit+"/findings", finding, nil), http.StatusForbidden)
	r = auditor.do("POST", audit+"/findings", finding, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("finding: %d %s", r.status, r.body)
	}
	var f findingResp
	r.json(t, &f)
	if len(f.Links) != 2 || f.State != "open" || !f.Overdue {
		t.Errorf("finding: %+v", f)
	}
	path := "/api/v1/findings/" + strconv.FormatInt(f.ID, 10)
	r = head.do("GET", path, nil, nil)
	mustStatus(t, r, http.StatusOK)
	var fh findingResp
	r.json(t, &fh)
	visible := 0 // the links to objects of the Innenministerium
	if drawn.Items[0].Object != nil && drawn.Items[0].Object.ID == s.innSystem {
		visible = 1
	}
	if r.status != http.StatusOK || len(fh.Links) != visible {
		t.Errorf("the department head reads the finding: %d, links %+v, want %d", r.status, fh.Links, visible)
	}
	problemOf(t, auditor.do("PATCH", path, map[string]any{"due_date": nil}, ifMatchOf(f.Version)), http.StatusUnprocessableEntity)
	r = auditor.do("PATCH", path, map[string]any{"title": "Patchkonzept fehlt für S-001"}, ifMatchOf(f.Version))
	if r.status != http.StatusOK {
		t.Fatalf("patch finding: %d %s", r.status, r.body)
	}
	r.json(t, &f)

	// The ISB answers; auditors may not, nor department heads.
	action := map[string]any{"description": "Patchkonzept erstellt, Nachweis ND-17."}
	problemOf(t, auditor.do("POST", path+"/corrective-actions", action, ifMatchOf(f.Version)), http.StatusForbidden)
	problemOf(t, head.do("POST", path+"/corrective-actions", action, ifMatchOf(f.Version)), http.StatusForbidden)
	problemOf(t, isb.do("POST", path+"/corrective-actions", action, nil), http.StatusPreconditionRequired)
	r = isb.do("POST", path+"/corrective-actions", action, ifMatchOf(f.Version))
	if r.status != http.StatusCreated {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	r.json(t, &f)
	if f.State != "action_submitted" || len(f.Actions) != 1 || f.Actions[0].SubmittedBy != "isa" {
		t.Fatalf("after the submission: %+v", f)
	}
	// The auditor verifies; the ISB may not; a rejection needs a reason.
	problemOf(t, isb.do("POST", path+"/verification", map[string]any{"verdict": "accepted"}, ifMatchOf(f.Version)), http.StatusForbidden)
	r = auditor.do("POST", path+"/verification", map[string]any{"verdict": "rejected"}, ifMatchOf(f.Version))
	if ps := violationPointers(t, r); r.status != http.StatusUnprocessableEntity || !slices.Equal(ps, []string{"/comment"}) {
		t.Errorf("rejection without a reason: %d %v", r.status, ps)
	}
	r = auditor.do("POST", path+"/verification", map[string]any{"verdict": "rejected", "comment": "Freigabe fehlt."}, ifMatchOf(f.Version))
	if r.status != http.StatusOK {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	r.json(t, &f)
	if f.State != "open" {
		t.Errorf("after the rejection: %s", f.State)
	}
	r = isb.do("POST", path+"/corrective-actions", map[string]any{"description": "Freigabe vom 12.06."}, ifMatchOf(f.Version))
	r.json(t, &f)
	problemOf(t, auditor.do("POST", path+"/verification", map[string]any{"verdict": "accepted"}, ifMatchOf(f.Version-1)), http.StatusPreconditionFailed)
	r = auditor.do("POST", path+"/verification", map[string]any{"verdict": "accepted"}, ifMatchOf(f.Version))
	if r.status != http.StatusOK {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	r.json(t, &f)
	if f.State != "closed" || f.Overdue || len(f.Actions) != 2 {
		t.Errorf("after the acceptance: %+v", f)
	}

	// An administrator may do both, but never verify their own action.
	r = admin.do("POST", audit+"/findings", map[string]any{"class": "recommendation", "title": "Schulungen ausweiten"}, nil)
	var g findingResp
	r.json(t, &g)
	other := "/api/v1/findings/" + strconv.FormatInt(g.ID, 10)
	r = admin.do("POST", other+"/corrective-actions", map[string]any{"description": "Schulungsplan 2027"}, ifMatchOf(g.Version))
	r.json(t, &g)
	p := problemOf(t, admin.do("POST", other+"/verification", map[string]any{"verdict": "accepted"}, ifMatchOf(g.Version)), http.StatusForbidden)
	if !strings.Contains(p.Detail, "own corrective action") {
		t.Errorf("own verification: %+v", p)
	}

	// Lists across the scope, filtered; all findings of the audit.
	for query, want := range map[string]int{"": 2, "?open=true": 1, "?state=closed": 1, "?class=minor": 1, "?overdue=true": 0,
		"?audit=" + strconv.FormatInt(au.ID, 10) + "&limit=1": 1} {
		r := head.do("GET", scope+"/findings"+query, nil, nil)
		var l struct{ Items []findingResp }
		r.json(t, &l)
		if r.status != http.StatusOK || len(l.Items) != want {
			t.Errorf("findings%s: %d, %d items, want %d", query, r.status, len(l.Items), want)
		}
	}
	problemOf(t, head.do("GET", scope+"/findings?class=grave", nil, nil), http.StatusUnprocessableEntity)
	r = isb.do("GET", audit+"/findings?limit=1", nil, nil)
	var page struct {
		Items      []findingResp
		NextCursor string `json:"next_cursor"`
	}
	r.json(t, &page)
	if len(page.Items) != 1 || page.NextCursor == "" {
		t.Fatalf("first page: %s", r.body)
	}
	r = isb.do("GET", audit+"/findings?limit=1&cursor="+page.NextCursor, nil, nil)
	page.NextCursor = ""
	r.json(t, &page)
	if len(page.Items) != 1 || page.NextCursor != "" {
		t.Errorf("second page: %s", r.body)
	}
	problemOf(t, isb.do("GET", "/api/v1/audits/999999/findings", nil, nil), http.StatusNotFound)
	problemOf(t, isb.do("GET", "/api/v1/audits/999999/sample", nil, nil), http.StatusNotFound)
	problemOf(t, isb.do("GET", "/api/v1/findings/999999", nil, nil), http.StatusNotFound)

	// Every change is in the audit trail.
	recs, _, err := e.db.ListAudit(context.Background(), domain.AuditFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, rec := range recs {
		have[rec.Action] = true
	}
	for _, a := range []string{"audit.create", "audit.update", "audit.sample_draw", "audit.sample_add", "audit.sample_result", "audit.sample_remove",
		"finding.create", "finding.update", "finding.action_submit", "finding.action_verify"} {
		if !have[a] {
			t.Errorf("no %s in the audit trail", a)
		}
	}
}
