package server

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// guidelineUsers creates an ISB, a management member, a department head
// of the Innenministerium and an administrator, logged in.
func guidelineUsers(e *testEnv, s uiScope) (isb, management, head, admin *client) {
	return e.loggedIn("isa", domain.Grant{Role: domain.RoleISB}),
		e.loggedIn("lea", domain.Grant{Role: domain.RoleManagement}),
		e.loggedIn("anna", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &s.inn}),
		e.loggedIn("adam", domain.Grant{Role: domain.RoleAdmin})
}

// createEvidenceItem stores a reference (no file) as evidence of a scope.
func createEvidenceItem(t *testing.T, e *testEnv, scopeID int64, title string) domain.Evidence {
	t.Helper()
	var ev domain.Evidence
	if err := e.db.InTx(context.Background(), testActor, func(tx *postgres.Tx) error {
		var err error
		ev, err = tx.CreateEvidence(context.Background(), scopeID, domain.EvidenceInput{Title: title},
			domain.VersionInput{EffectiveOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Reference: "DOK-" + title}, nil, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return ev
}

type guidelineResp struct {
	ID              int64    `json:"id"`
	Number          int      `json:"number"`
	State           string   `json:"state"`
	StandardBy      *string  `json:"standard_by"`
	RequiredModules []string `json:"required_modules"`
	ApprovedBy      string   `json:"approved_by"`
	ApprovedByID    *int64   `json:"approved_by_id"`
	ApprovedOn      *string  `json:"approved_on"`
	ApprovedHash    string   `json:"approved_hash"`
	HashIntact      *bool    `json:"hash_intact"`
	ReviewDue       *string  `json:"review_due"`
	Version         int      `json:"version"`
}

// TestGuidelineAPI: ISBs write drafts, management approves, department
// heads read; 422 lists every violation, 428 without If-Match, 412 on a
// stale one; answers match their schemas.
func TestGuidelineAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	isb, management, head, admin := guidelineUsers(e, s)
	scope := "/api/v1/scopes/" + strconv.FormatInt(s.scope.ID, 10)
	draft := map[string]any{"title": "Leitlinie zur Informationssicherheit", "scope_statement": "Landesdatennetz", "approach": "standard",
		"basis_by": "2026-12-31", "standard_by": "2027-12-31", "review_months": 12, "evidence_coverage": 80,
		"required_modules": []string{"ORP.4"}, "roles": []map[string]string{{"title": "ISB", "holder": "Isa Beispiel"}}}

	// Schema and store refusals, each at its pointer.
	r := isb.do("POST", scope+"/guidelines", map[string]any{"title": "", "approach": "mittel", "review_months": 0, "evidence_coverage": 120}, nil)
	problemOf(t, r, http.StatusUnprocessableEntity)
	if ps := violationPointers(t, r); !slices.Contains(ps, "/title") || !slices.Contains(ps, "/approach") ||
		!slices.Contains(ps, "/review_months") || !slices.Contains(ps, "/evidence_coverage") {
		t.Errorf("violations %v", ps)
	}
	unknown := map[string]any{}
	for k, x := range draft {
		unknown[k] = x
	}
	unknown["required_modules"] = []string{"ORP.4", "NIX.1"}
	if ps := violationPointers(t, isb.do("POST", scope+"/guidelines", unknown, nil)); !slices.Equal(ps, []string{"/required_modules/2"}) {
		t.Errorf("unknown module: %v", ps)
	}
	problemOf(t, head.do("POST", scope+"/guidelines", draft, nil), http.StatusForbidden)
	problemOf(t, management.do("POST", scope+"/guidelines", draft, nil), http.StatusForbidden)
	problemOf(t, isb.do("POST", "/api/v1/scopes/999999/guidelines", draft, nil), http.StatusNotFound)

	r = isb.do("POST", scope+"/guidelines", draft, nil)
	if r.status != http.StatusCreated || r.header.Get("ETag") != `"1"` || !strings.HasPrefix(r.header.Get("Location"), "/api/v1/guidelines/") {
		t.Fatalf("create: %d %v %s", r.status, r.header, r.body)
	}
	var g guidelineResp
	r.json(t, &g)
	if g.State != "draft" || g.Number != 1 || !slices.Equal(g.RequiredModules, []string{"ISMS.1", "ORP.4"}) || g.HashIntact != nil {
		t.Errorf("draft: %+v", g)
	}
	problemOf(t, isb.do("POST", scope+"/guidelines", draft, nil), http.StatusConflict)
	path := "/api/v1/guidelines/" + strconv.FormatInt(g.ID, 10)

	// PATCH: If-Match required, a stale one refused, null clears a date.
	change := map[string]any{"standard_by": nil, "evidence_coverage": 90}
	problemOf(t, isb.do("PATCH", path, change, nil), http.StatusPreconditionRequired)
	problemOf(t, isb.do("PATCH", path, change, ifMatchOf(7)), http.StatusPreconditionFailed)
	problemOf(t, head.do("PATCH", path, change, ifMatchOf(1)), http.StatusForbidden)
	r = isb.do("PATCH", path, change, ifMatchOf(1))
	if r.status != http.StatusOK || r.header.Get("ETag") != `"2"` {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	r.json(t, &g)
	if g.StandardBy != nil {
		t.Errorf("standard_by not cleared: %v", *g.StandardBy)
	}

	// Approval: management only, with If-Match. The approver is the
	// signed-in account, confirmed by its password, on the organisation's
	// day: a name or a date in the request is refused, nothing changes.
	approval := map[string]any{"password": testPassword}
	problemOf(t, isb.do("POST", path+"/approve", approval, ifMatchOf(2)), http.StatusForbidden)
	problemOf(t, head.do("POST", path+"/approve", approval, ifMatchOf(2)), http.StatusForbidden)
	problemOf(t, management.do("POST", path+"/approve", approval, nil), http.StatusPreconditionRequired)
	forged := map[string]any{"approved_by": "Jemand anderes", "approved_on": "2031-01-01", "password": testPassword}
	problemOf(t, management.do("POST", path+"/approve", forged, ifMatchOf(2)), http.StatusUnprocessableEntity)
	for body, want := range map[string]map[string]any{"no password": {}, "a wrong password": {"password": "not my password"}} {
		r = management.do("POST", path+"/approve", want, ifMatchOf(2))
		if ps := violationPointers(t, r); r.status != http.StatusUnprocessableEntity || !slices.Equal(ps, []string{"/password"}) {
			t.Errorf("approval with %s: %d %v", body, r.status, ps)
		}
	}
	if r := isb.do("GET", path, nil, nil); !strings.Contains(string(r.body), `"state":"draft"`) {
		t.Fatalf("refused approvals changed the draft: %s", r.body)
	}
	problemOf(t, management.do("POST", path+"/approve", approval, ifMatchOf(1)), http.StatusPreconditionFailed)
	r = management.do("POST", path+"/approve", approval, ifMatchOf(2))
	if r.status != http.StatusOK {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	r.json(t, &g)
	today := domain.Today(e.srv.cfg.Location)
	if g.State != "approved" || g.ApprovedBy != "lea" || g.ApprovedOn == nil || *g.ApprovedOn != today.Format(time.DateOnly) ||
		len(g.ApprovedHash) != 64 || g.HashIntact == nil || !*g.HashIntact ||
		g.ReviewDue == nil || *g.ReviewDue != today.AddDate(0, 12, 0).Format(time.DateOnly) {
		t.Errorf("approved: %+v", g)
	}
	problemOf(t, isb.do("PATCH", path, change, ifMatchOf(g.Version)), http.StatusConflict)
	problemOf(t, isb.do("DELETE", path, nil, ifMatchOf(g.Version)), http.StatusConflict)

	// Everyone reads, the department head too.
	for _, c := range []*client{head, management, admin} {
		r := c.do("GET", scope+"/guidelines", nil, nil)
		if r.status != http.StatusOK || !strings.Contains(string(r.body), g.ApprovedHash) {
			t.Errorf("list: %d %s", r.status, r.body)
		}
	}

	// A second draft is deleted again.
	r = isb.do("POST", scope+"/guidelines", draft, nil)
	var second guidelineResp
	r.json(t, &second)
	secondPath := "/api/v1/guidelines/" + strconv.FormatInt(second.ID, 10)
	problemOf(t, isb.do("DELETE", secondPath, nil, nil), http.StatusPreconditionRequired)
	if r := admin.do("DELETE", secondPath, nil, ifMatchOf(second.Version)); r.status != http.StatusNoContent {
		t.Errorf("delete draft: %d %s", r.status, r.body)
	}
	problemOf(t, head.do("GET", secondPath, nil, nil), http.StatusNotFound)
}

// TestPolicyAndCertificateAPI: A.0 policies link the scope's own evidence
// and show their next review; certificates run three years by default.
func TestPolicyAndCertificateAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	isb, management, head, _ := guidelineUsers(e, s)
	scope := "/api/v1/scopes/" + strconv.FormatInt(s.scope.ID, 10)
	ev := createEvidenceItem(t, e, s.scope.ID, "Passwortrichtlinie")
	var other domain.Scope
	if err := e.db.InTx(context.Background(), testActor, func(tx *postgres.Tx) error {
		var err error
		other, err = tx.CreateScope(context.Background(), domain.ScopeInput{Name: "Anderer Verbund", CatalogID: s.catalog, Approach: domain.ApproachBasic})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	foreign := createEvidenceItem(t, e, other.ID, "Fremd")

	policy := map[string]any{"title": "Passwortrichtlinie", "evidence_id": foreign.ID, "version_label": "2.1", "approved_by": "Dr. Lea Leitung",
		"approved_on": "2020-03-31", "review_months": 12}
	if r := isb.do("POST", scope+"/policies", policy, nil); r.status != http.StatusNotFound || !slices.Equal(violationPointers(t, r), []string{"/evidence_id"}) {
		t.Errorf("evidence of another scope: %d %s", r.status, r.body)
	}
	r := isb.do("POST", scope+"/policies", map[string]any{"title": "", "review_months": 61}, nil)
	if ps := violationPointers(t, r); r.status != http.StatusUnprocessableEntity || len(ps) < 4 {
		t.Errorf("empty policy: %d %v", r.status, ps)
	}
	policy["evidence_id"] = ev.ID
	problemOf(t, management.do("POST", scope+"/policies", policy, nil), http.StatusForbidden)
	r = isb.do("POST", scope+"/policies", policy, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("policy: %d %s", r.status, r.body)
	}
	var p struct {
		ID            int64  `json:"id"`
		NextReview    string `json:"next_review"`
		ReviewOverdue bool   `json:"review_overdue"`
		EvidenceTitle string `json:"evidence_title"`
		State         string `json:"state"`
		Version       int    `json:"version"`
	}
	r.json(t, &p)
	if p.NextReview != "2021-03-31" || !p.ReviewOverdue || p.EvidenceTitle != "Passwortrichtlinie" {
		t.Errorf("policy: %+v", p)
	}
	path := "/api/v1/policies/" + strconv.FormatInt(p.ID, 10)
	problemOf(t, isb.do("PATCH", path, map[string]any{"approved_on": "2026-03-31"}, nil), http.StatusPreconditionRequired)
	problemOf(t, isb.do("PATCH", path, map[string]any{"approved_on": "2026-03-31"}, ifMatchOf(p.Version+1)), http.StatusPreconditionFailed)
	r = isb.do("PATCH", path, map[string]any{"approved_on": "2026-03-31", "version_label": "2.2"}, ifMatchOf(p.Version))
	r.json(t, &p)
	if r.status != http.StatusOK || p.ReviewOverdue || p.NextReview != "2027-03-31" {
		t.Errorf("updated policy: %d %+v", r.status, p)
	}
	problemOf(t, head.do("POST", path+"/withdraw", nil, ifMatchOf(p.Version)), http.StatusForbidden)
	problemOf(t, isb.do("POST", path+"/withdraw", nil, nil), http.StatusPreconditionRequired)
	r = isb.do("POST", path+"/withdraw", nil, ifMatchOf(p.Version))
	r.json(t, &p)
	if r.status != http.StatusOK || p.State != "withdrawn" {
		t.Errorf("withdraw: %d %s", r.status, r.body)
	}
	if r := head.do("GET", scope+"/policies", nil, nil); r.status != http.StatusOK || strings.Contains(string(r.body), "Passwortrichtlinie") {
		t.Errorf("policies in force: %d %s", r.status, r.body)
	}
	r = mustStatus(t, head.do("GET", scope+"/policies?withdrawn=true", nil, nil), http.StatusOK)
	if !strings.Contains(string(r.body), `"withdrawn"`) {
		t.Errorf("with the withdrawn: %s", r.body)
	}

	// Certificates.
	problemOf(t, isb.do("POST", scope+"/certificates", map[string]any{"number": "", "issued_on": "morgen"}, nil), http.StatusUnprocessableEntity)
	problemOf(t, head.do("POST", scope+"/certificates", map[string]any{"number": "BSI-IGZ-0200-2026", "issued_on": "2026-04-20"}, nil),
		http.StatusForbidden)
	r = isb.do("POST", scope+"/certificates", map[string]any{"number": "BSI-IGZ-0200-2026", "issued_on": "2026-04-20"}, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("certificate: %d %s", r.status, r.body)
	}
	var c struct {
		ID         int64  `json:"id"`
		ValidUntil string `json:"valid_until"`
		Expired    bool   `json:"expired"`
		Version    int    `json:"version"`
	}
	r.json(t, &c)
	if c.ValidUntil != "2029-04-20" {
		t.Errorf("valid until %s", c.ValidUntil)
	}
	path = "/api/v1/certificates/" + strconv.FormatInt(c.ID, 10)
	r = isb.do("PATCH", path, map[string]any{"valid_until": "2026-01-01"}, ifMatchOf(c.Version))
	if ps := violationPointers(t, r); !slices.Equal(ps, []string{"/valid_until"}) {
		t.Errorf("valid until before issue: %v", ps)
	}
	problemOf(t, isb.do("PATCH", path, map[string]any{"number": "X"}, ifMatchOf(c.Version+1)), http.StatusPreconditionFailed)
	mustStatus(t, head.do("GET", scope+"/certificates", nil, nil), http.StatusOK)
	problemOf(t, isb.do("DELETE", path, nil, nil), http.StatusPreconditionRequired)
	if r := isb.do("DELETE", path, nil, ifMatchOf(c.Version)); r.status != http.StatusNoContent {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
}
