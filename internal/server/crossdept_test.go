package server

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// sameButID checks that two answers are the same but for the ids named.
func sameButID(t *testing.T, what string, got, want response, ids ...string) {
	t.Helper()
	norm := func(r response) string {
		b := string(r.body)
		for _, id := range ids {
			b = regexp.MustCompile(`\b`+regexp.QuoteMeta(id)+`\b`).ReplaceAllString(b, "{id}")
		}
		var p struct{ Type, Title, Detail, Instance string }
		if json.Unmarshal([]byte(b), &p) == nil && p.Type != "" {
			return strconv.Itoa(r.status) + " " + p.Type + " " + p.Title + " " + p.Detail + " " + p.Instance
		}
		return strconv.Itoa(r.status) + " " + withoutRequestID([]byte(b))
	}
	if g, w := norm(got), norm(want); g != w {
		t.Errorf("%s: the answer differs from the one for a missing id\n got: %.400s\nwant: %.400s", what, g, w)
	}
}

// TestEvidenceLinkToAnotherDepartment: an ISB of the interior ministry
// links its evidence to a check entry, a measure and a risk analysis of
// the computing centre; the API and the page answer exactly as for a
// missing id, show nothing of the target, and link nothing.
func TestEvidenceLinkToAnotherDepartment(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	s.assign(t, []int64{s.server, s.innSystem}, "SYS.1.1")
	s.setOwn(t, s.server, domain.NeedHigh, domain.NeedNormal, domain.NeedNormal)
	theirs := checkEntries(t, e, s.scope.ID, s.server)["SYS.1.1.A1"]
	mine := checkEntries(t, e, s.scope.ID, s.innSystem)["SYS.1.1.A1"]
	ctx := context.Background()
	var ev domain.Evidence
	var analysis domain.RiskAnalysis
	no, why := domain.StatusNo, "Fehlt noch"
	err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		if _, errs, err := tx.UpdateEntries(ctx, s.scope.ID, []postgres.EntryUpdate{{ID: theirs.ID, Version: theirs.Version,
			Change: domain.EntryChange{Status: &no, Justification: &why}}}, postgres.Everything, "test"); err != nil || len(errs) > 0 {
			t.Fatalf("%v %+v", err, errs)
		}
		var err error
		if analysis, err = tx.CreateRiskAnalysis(ctx, s.server, domain.RiskAnalysisInput{}, postgres.Everything); err != nil {
			return err
		}
		ev, err = tx.CreateEvidence(ctx, s.scope.ID, domain.EvidenceInput{Title: "Härtungskonzept", DepartmentID: &s.inn},
			domain.VersionInput{EffectiveOn: time.Now(), Reference: "DOK-7"}, nil, postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	plan := planItemOf(t, e, s.scope.ID, theirs.ID)
	ida := e.loggedIn("ida", domain.Grant{Role: domain.RoleISB, DepartmentID: &s.inn})
	api, page := "/api/v1/evidence/"+idStr(ev.ID)+"/links", "/evidence/"+idStr(ev.ID)+"/links"
	for _, target := range []struct {
		kind string
		id   int64
	}{{"check_entry", theirs.ID}, {"plan_item", plan.ID}, {"risk_analysis", analysis.ID}} {
		foreign := ida.do("POST", api, map[string]any{"target": target.kind, "target_id": target.id}, nil)
		missing := ida.do("POST", api, map[string]any{"target": target.kind, "target_id": 987654321}, nil)
		if foreign.status != http.StatusNotFound {
			t.Errorf("API link to the computing centre's %s: %d %s", target.kind, foreign.status, foreign.body)
		}
		sameButID(t, "API link to "+target.kind, foreign, missing, idStr(target.id), "987654321")
		mustLack(t, foreign, "Managementserver", "S-001")
		foreign = ida.do("POST", page, form("target", target.kind, "target_id", idStr(target.id)), nil)
		missing = ida.do("POST", page, form("target", target.kind, "target_id", "987654321"), nil)
		if foreign.status != http.StatusNotFound || missing.status != http.StatusNotFound {
			t.Errorf("page link to the computing centre's %s: %d, a missing one %d", target.kind, foreign.status, missing.status)
		}
		mustLack(t, foreign, "Managementserver", "S-001")
	}
	if ls, _ := e.db.EvidenceLinks(ctx, ev.ID, postgres.Everything); len(ls) != 0 {
		t.Errorf("linked across departments: %+v", ls)
	}
	// The own entry links, and shows its label.
	r := ida.do("POST", api, map[string]any{"target": "check_entry", "target_id": mine.ID}, nil)
	mustContain(t, r, http.StatusOK, "SYS.1.1.A1 · S-900 Fachverfahren-Server")
}

// TestGroupMembershipAcrossDepartments: the interior ministry's ISB can
// neither create nor move an object into a group of the computing
// centre; a foreign group and a missing one get the same 404. A member
// keeps its group when its page form is saved, which has no field for it.
func TestGroupMembershipAcrossDepartments(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	ctx := context.Background()
	var theirs, mine domain.Object
	err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		var err error
		if theirs, err = tx.CreateObject(ctx, s.scope.ID, domain.ObjectInput{Type: domain.ObjectDevice,
			ObjectFields: domain.ObjectFields{Name: "Standortrouter"}, Group: true, Members: 670, DepartmentID: &s.tlrz}, postgres.Everything); err != nil {
			return err
		}
		mine, err = tx.CreateObject(ctx, s.scope.ID, domain.ObjectInput{Type: domain.ObjectDevice,
			ObjectFields: domain.ObjectFields{Name: "Arbeitsplatzdrucker"}, Group: true, Members: 12, DepartmentID: &s.inn}, postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ida := e.loggedIn("ida", domain.Grant{Role: domain.RoleISB, DepartmentID: &s.inn})
	create := func(group int64) response {
		return ida.do("POST", "/api/v1/scopes/"+idStr(s.scope.ID)+"/objects",
			map[string]any{"type": "device", "name": "Router Außenstelle", "department_id": s.inn, "group_id": group}, nil)
	}
	foreign, missing := create(theirs.ID), create(987654321)
	if foreign.status != http.StatusNotFound || missing.status != http.StatusNotFound {
		t.Errorf("create into another department's group: %d, into a missing one: %d", foreign.status, missing.status)
	}
	sameButID(t, "create into another department's group", foreign, missing, idStr(theirs.ID), "987654321")
	mustLack(t, foreign, "Standortrouter")
	own := s.object(t, s.innSystem)
	patch := func(group int64) response {
		return ida.do("PATCH", "/api/v1/objects/"+idStr(own.ID), map[string]any{"group_id": group}, ifMatchOf(own.Version))
	}
	foreign, missing = patch(theirs.ID), patch(987654321)
	if foreign.status != http.StatusNotFound {
		t.Errorf("move into another department's group: %d %s", foreign.status, foreign.body)
	}
	sameButID(t, "move into another department's group", foreign, missing, idStr(theirs.ID), "987654321")
	if o := s.object(t, s.innSystem); o.GroupID != nil || o.Version != own.Version {
		t.Fatalf("the object moved: %+v", o)
	}
	objs, _ := e.db.ScopeObjects(ctx, s.scope.ID, postgres.Everything)
	for _, o := range objs {
		if o.Input.Name == "Router Außenstelle" {
			t.Fatal("the object was created")
		}
	}
	// Into its own group: fine; saving the page form keeps the membership.
	r := patch(mine.ID)
	if r.status != http.StatusOK {
		t.Fatalf("move into the own group: %d %s", r.status, r.body)
	}
	o := s.object(t, s.innSystem)
	seeOther(t, ida.do("POST", objURL(o.ID, ""), form("type", "it_system", "name", "Fachverfahren-Server 2", "department_id", idStr(s.inn),
		"version", strconv.Itoa(o.Version)), nil), objURL(o.ID, ""))
	if o = s.object(t, s.innSystem); o.GroupID == nil || *o.GroupID != mine.ID || o.Name != "Fachverfahren-Server 2" {
		t.Errorf("after the page form: %+v", o)
	}
}

// TestExportWithObjectWithoutDepartment: an object without a department
// no longer breaks the export and the import's plan for a department
// head or a department's ISB; it is not exported to them.
func TestExportWithObjectWithoutDepartment(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	ctx := context.Background()
	if err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		_, err := tx.CreateObject(ctx, s.scope.ID, domain.ObjectInput{Type: domain.ObjectRoom,
			ObjectFields: domain.ObjectFields{Name: "Raum ohne Zuordnung", ExternalID: "R-0"}},
			postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	anna := e.loggedIn("anna", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &s.inn})
	ida := e.loggedIn("ida", domain.Grant{Role: domain.RoleISB, DepartmentID: &s.inn})
	base := "/api/v1/scopes/" + idStr(s.scope.ID)
	r := anna.do("GET", base+"/export?format=json", nil, nil)
	mustContain(t, r, http.StatusOK, "Fachverfahren-Server")
	mustLack(t, r, "Raum ohne Zuordnung", "Managementserver")
	mustContain(t, anna.do("GET", "/scopes/"+idStr(s.scope.ID)+"/export?format=csv", nil, nil), http.StatusOK, "Fachverfahren-Server")
	file := []byte(`{"objects": [{"external_id": "N-1", "name": "Neues System", "type": "it_system", "department": "TIM"}]}`)
	r = ida.uploadFields(base+"/import", "neu.json", file, map[string]string{"dry_run": "true"})
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"creates":1`) {
		t.Errorf("import plan: %d %s", r.status, r.body)
	}
}
