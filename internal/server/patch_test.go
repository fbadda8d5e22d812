package server

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ismsd/internal/catalogimport"
	"ismsd/internal/domain"
	"ismsd/internal/httpapi"
	"ismsd/internal/validation"
)

// patchStep is one single-member merge patch of a record.
type patchStep struct {
	member string
	value  any // nil sends null
	// also names the members of the answer besides member itself that
	// follow from this change (a name shown next to an id, a level
	// computed from two others).
	also []string
	// same marks a step that changes nothing visible (a value that only
	// matters for a group member).
	same bool
}

// patchCase is a record behind a PATCH route, created with every field
// filled, and one step per request member.
type patchCase struct {
	// record creates the record and returns its path; read is the GET
	// answer that represents it (nil: GET of the path itself).
	record func(t *testing.T, f *patchFixture) (path string, read func() map[string]any)
	// fill is sent first, for records the server creates with empty
	// fields (check entries, measures, threats).
	fill  map[string]any
	steps []patchStep
}

// patchFixture holds what the records of the cases refer to.
type patchFixture struct {
	e         *testEnv
	s         uiScope
	admin     *client
	scope     string // /api/v1/scopes/{id}
	catalog2  int64
	evidence  [2]int64
	groups    [2]int64
	auditPath string
	userIDs   [2]int64
}

// create POSTs body and returns the id of the answer.
func (f *patchFixture) create(t *testing.T, path string, body any) int64 {
	t.Helper()
	r := f.admin.do("POST", path, body, nil)
	if r.status != http.StatusCreated && r.status != http.StatusOK {
		t.Fatalf("POST %s: %d %s", path, r.status, r.body)
	}
	var doc struct {
		ID int64 `json:"id"`
	}
	r.json(t, &doc)
	return doc.ID
}

func (f *patchFixture) get(t *testing.T, path string) map[string]any {
	t.Helper()
	r := f.admin.do("GET", path, nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	var doc map[string]any
	r.json(t, &doc)
	return doc
}

// itemOf reads the item with id from a list answer (or a member holding
// the list).
func (f *patchFixture) itemOf(t *testing.T, path, member string, id int64) func() map[string]any {
	return func() map[string]any {
		t.Helper()
		doc := f.get(t, path)
		items, _ := doc[member].([]any)
		for _, it := range items {
			m, _ := it.(map[string]any)
			if n, _ := m["id"].(float64); int64(n) == id {
				return m
			}
		}
		t.Fatalf("no item %d in %s", id, path)
		return nil
	}
}

func idPath(prefix string, id int64) string { return prefix + "/" + strconv.FormatInt(id, 10) }

// patchCases covers every PATCH route of the API, by route path.
var patchCases = map[string]patchCase{
	"/api/v1/users/:id": {
		record: func(t *testing.T, f *patchFixture) (string, func() map[string]any) {
			id := f.create(t, "/api/v1/users", map[string]any{"username": "patricia", "display_name": "Patricia Muster", "email": "pm@example.org"})
			return idPath("/api/v1/users", id), nil
		},
		steps: []patchStep{
			{member: "display_name", value: "Patricia Beispiel"},
			{member: "display_name", value: nil},
			{member: "display_name", value: "Patricia Muster"},
			{member: "email", value: "patricia@example.org"},
			{member: "email", value: nil},
			{member: "email", value: "pm@example.org"},
			{member: "disabled", value: true},
		},
	},
	"/api/v1/departments/:id": {
		record: func(t *testing.T, f *patchFixture) (string, func() map[string]any) {
			id := f.create(t, "/api/v1/departments", map[string]any{"name": "Referat 7", "code": "R7", "parent_id": f.s.fin})
			return idPath("/api/v1/departments", id), nil
		},
		steps: []patchStep{
			{member: "name", value: "Referat 8"},
			{member: "code", value: "R8"},
			{member: "code", value: nil},
			{member: "code", value: "R7"},
			{member: "parent_id", value: nil, also: []string{"parent", "path", "depth"}},
			{member: "parent_id", value: innenministerium, also: []string{"parent", "path", "depth"}},
		},
	},
	"/api/v1/scopes/:id": {
		record: func(t *testing.T, f *patchFixture) (string, func() map[string]any) {
			id := f.create(t, "/api/v1/scopes", map[string]any{"name": "Verbund Patch", "description": "Alles außer Modellierung",
				"catalog_id": f.s.catalog, "approach": "standard", "isb_user_id": f.userIDs[0]})
			return idPath("/api/v1/scopes", id), nil
		},
		steps: []patchStep{
			{member: "name", value: "Verbund Patch 2"},
			{member: "description", value: "Neu beschrieben"},
			{member: "description", value: nil},
			{member: "description", value: "Wieder beschrieben"},
			{member: "catalog_id", value: fixtureValue(func(f *patchFixture) any { return f.catalog2 }), also: []string{"catalog_title"}},
			{member: "approach", value: "core"},
			{member: "isb_user_id", value: nil, also: []string{"isb_name"}},
			{member: "isb_user_id", value: fixtureValue(func(f *patchFixture) any { return f.userIDs[1] }), also: []string{"isb_name"}},
		},
	},
	"/api/v1/objects/:id": {
		record: func(t *testing.T, f *patchFixture) (string, func() map[string]any) {
			id := f.create(t, f.scope+"/objects", map[string]any{"type": "it_system", "name": "Patch-Server", "short_id": "S-777",
				"description": "Ein Server", "department_id": f.s.tlrz, "responsible": "Referat 12", "location": "Erfurt",
				"external_id": "CMDB-777", "tags": []string{"linux", "dmz"}, "no_suitable_module": true, "untypical_environment": true,
				"group": false, "members": 1, "group_id": f.groups[0]})
			return idPath("/api/v1/objects", id), nil
		},
		steps: []patchStep{
			{member: "type", value: "device"},
			{member: "name", value: "Patch-Gerät"},
			{member: "short_id", value: "D-777"},
			{member: "description", value: "Ein Gerät"},
			{member: "description", value: nil},
			{member: "department_id", value: nil, also: []string{"department"}},
			{member: "department_id", value: innenministerium, also: []string{"department"}},
			{member: "responsible", value: "Referat 13"},
			{member: "responsible", value: nil},
			{member: "location", value: "Gera"},
			{member: "location", value: nil},
			{member: "external_id", value: "CMDB-778"},
			{member: "external_id", value: nil},
			{member: "tags", value: []string{"windows"}},
			{member: "tags", value: nil},
			{member: "no_suitable_module", value: false, also: []string{"gap"}},
			{member: "untypical_environment", value: false, also: []string{"needs_risk_analysis"}},
			{member: "group_id", value: fixtureValue(func(f *patchFixture) any { return f.groups[1] })},
			{member: "group_id", value: nil},
			{member: "group", value: true},
			{member: "members", value: 12},
		},
	},
	"/api/v1/objects/:id/risk-analysis": {
		record: func(t *testing.T, f *patchFixture) (string, func() map[string]any) {
			path := idPath("/api/v1/objects", f.s.server) + "/risk-analysis"
			f.create(t, path, map[string]any{"summary": "Erste Fassung"})
			return path, nil
		},
		steps: []patchStep{
			{member: "summary", value: "Zweite Fassung"},
			{member: "summary", value: nil},
		},
	},
	"/api/v1/risk-items/:id": {
		record: func(t *testing.T, f *patchFixture) (string, func() map[string]any) {
			analysis := idPath("/api/v1/objects", f.s.server) + "/risk-analysis"
			id := f.create(t, analysis+"/items", map[string]any{"title": "Eigene Gefährdung", "description": "Ausfall der Klimatisierung"})
			return idPath("/api/v1/risk-items", id), f.itemOf(t, analysis, "items", id)
		},
		fill: map[string]any{"frequency": 2, "impact": 3, "treatment": "reduce", "measures": "Zweites Klimagerät",
			"requirements": []string{"SYS.1.1.A27"}, "residual_frequency": 1, "residual_impact": 2},
		steps: []patchStep{
			{member: "title", value: "Eigene Gefährdung 2"},
			{member: "description", value: "Ausfall der Kühlung"},
			{member: "description", value: nil},
			{member: "frequency", value: 3, also: []string{"complete", "missing", "risk", "category"}},
			{member: "frequency", value: nil, also: []string{"complete", "missing", "risk", "category"}},
			{member: "frequency", value: 2, also: []string{"complete", "missing", "risk", "category"}},
			{member: "impact", value: 4, also: []string{"complete", "missing", "risk", "category"}},
			{member: "impact", value: nil, also: []string{"complete", "missing", "risk", "category"}},
			{member: "impact", value: 3, also: []string{"complete", "missing", "risk", "category"}},
			{member: "measures", value: "Drittes Klimagerät"},
			{member: "measures", value: nil},
			{member: "requirements", value: []string{"SYS.1.1.A27", "SYS.1.1.A28"}, also: []string{"complete", "missing"}},
			{member: "requirements", value: nil, also: []string{"complete", "missing"}},
			{member: "requirements", value: []string{"SYS.1.1.A28"}, also: []string{"complete", "missing"}},
			{member: "residual_frequency", value: 2, also: []string{"complete", "missing", "residual_risk", "residual_category"}},
			{member: "residual_frequency", value: nil, also: []string{"complete", "missing", "residual_risk", "residual_category"}},
			{member: "residual_frequency", value: 1, also: []string{"complete", "missing", "residual_risk", "residual_category"}},
			{member: "residual_impact", value: 3, also: []string{"complete", "missing", "residual_risk", "residual_category"}},
			{member: "residual_impact", value: nil, also: []string{"complete", "missing", "residual_risk", "residual_category"}},
			{member: "residual_impact", value: 2, also: []string{"complete", "missing", "residual_risk", "residual_category"}},
			{member: "treatment", value: "accept", also: []string{"complete", "missing"}},
			{member: "treatment", value: nil, also: []string{"complete", "missing"}},
		},
	},
	"/api/v1/check-entries/:id": {
		record: func(t *testing.T, f *patchFixture) (string, func() map[string]any) {
			for _, en := range checkEntries(t, f.e, f.s.scope.ID, f.s.server) {
				if en.RequirementID == "SYS.1.1.A2" {
					return idPath("/api/v1/check-entries", en.ID), nil
				}
			}
			t.Fatal("no entry of SYS.1.1.A2")
			return "", nil
		},
		fill: map[string]any{"status": "partial", "justification": "Ersatzteile fehlen", "implementation": "Zur Hälfte umgesetzt",
			"responsible": "Referat 12", "implemented_on": "2026-01-15", "target_date": "2026-12-31", "last_review": "2026-02-01",
			"next_review": "2027-02-01"},
		steps: []patchStep{
			{member: "status", value: "no", also: []string{"plan_item"}},
			{member: "justification", value: "Lieferverzug"},
			{member: "implementation", value: "Noch nicht begonnen"},
			{member: "implementation", value: nil},
			{member: "responsible", value: "Referat 13"},
			{member: "responsible", value: nil},
			{member: "implemented_on", value: "2026-01-16"},
			{member: "implemented_on", value: nil},
			{member: "target_date", value: "2027-01-31"},
			{member: "target_date", value: nil},
			{member: "last_review", value: "2026-02-02"},
			{member: "last_review", value: nil},
			{member: "next_review", value: "2027-02-02"},
			{member: "next_review", value: nil},
			{member: "follow_group", value: false, same: true}, // the server is no group member
			{member: "status", value: "yes", also: []string{"plan_item"}},
			{member: "justification", value: nil},
		},
	},
	"/api/v1/plan-items/:id": {
		record: func(t *testing.T, f *patchFixture) (string, func() map[string]any) {
			for _, en := range checkEntries(t, f.e, f.s.scope.ID, f.s.server) {
				if en.RequirementID == "SYS.1.1.A5" {
					setCheckEntry(t, f.e, f.s, f.s.server, en.RequirementID, domain.StatusNo)
					p := planItemOf(t, f.e, f.s.scope.ID, en.ID)
					return idPath("/api/v1/plan-items", p.ID), f.itemOf(t, f.scope+"/plan?done=true&limit=1000", "items", p.ID)
				}
			}
			t.Fatal("no entry of SYS.1.1.A5")
			return "", nil
		},
		fill: map[string]any{"measure": "Virenschutz ausrollen", "owner": "Referat 12", "due_date": "2026-11-30", "budget_eur": 1234.5,
			"priority": 1, "state": "in_progress"},
		steps: []patchStep{
			{member: "measure", value: "Virenschutz verteilen"},
			{member: "measure", value: nil},
			{member: "owner", value: "Referat 13"},
			{member: "owner", value: nil},
			{member: "due_date", value: "2026-12-15", also: []string{"overdue"}},
			{member: "due_date", value: nil, also: []string{"overdue"}},
			{member: "budget_eur", value: 99.99},
			{member: "budget_eur", value: nil},
			{member: "priority", value: 3},
			{member: "state", value: "planned"},
		},
	},
	"/api/v1/evidence/:id": {
		record: func(t *testing.T, f *patchFixture) (string, func() map[string]any) {
			path := idPath("/api/v1/evidence", f.evidence[0])
			doc := f.get(t, path)
			r := f.admin.do("PATCH", path, map[string]any{"title": "Firewall-Konzept", "description": "Stand 2026",
				"department_id": f.s.tlrz, "tags": []string{"netz", "konzept"}}, ifMatchOf(int(doc["version"].(float64))))
			if r.status != http.StatusOK {
				t.Fatalf("fill evidence: %d %s", r.status, r.body)
			}
			return path, nil
		},
		steps: []patchStep{
			{member: "title", value: "Firewall-Konzept 2"},
			{member: "description", value: "Stand 2027"},
			{member: "description", value: nil},
			{member: "department_id", value: nil, also: []string{"department"}},
			{member: "department_id", value: innenministerium, also: []string{"department"}},
			{member: "tags", value: []string{"netz"}},
			{member: "tags", value: nil},
		},
	},
	"/api/v1/guidelines/:id": {
		record: func(t *testing.T, f *patchFixture) (string, func() map[string]any) {
			id := f.create(t, f.scope+"/guidelines", map[string]any{"title": "Leitlinie 2026", "scope_statement": "Das Landesdatennetz",
				"approach": "standard", "basis_by": "2026-06-30", "standard_by": "2027-06-30", "elevated_by": "2028-06-30",
				"review_months": 12, "evidence_coverage": 90, "required_modules": []string{"ISMS.1", "ORP.4"},
				"roles": []map[string]string{{"title": "Informationssicherheitsbeauftragte/r", "holder": "Dr. Iris Sicher"}}})
			return idPath("/api/v1/guidelines", id), nil
		},
		steps: []patchStep{
			{member: "title", value: "Leitlinie 2027"},
			{member: "scope_statement", value: "Das ganze Land"},
			{member: "scope_statement", value: nil},
			{member: "approach", value: "core"},
			{member: "basis_by", value: "2026-07-31"},
			{member: "basis_by", value: nil},
			{member: "standard_by", value: "2027-07-31"},
			{member: "standard_by", value: nil},
			{member: "elevated_by", value: "2028-07-31"},
			{member: "elevated_by", value: nil},
			{member: "review_months", value: 24},
			{member: "evidence_coverage", value: 80},
			{member: "required_modules", value: []string{"ISMS.1", "CON.3"}},
			{member: "required_modules", value: nil},
			{member: "roles", value: []map[string]string{{"title": "Informationssicherheitsbeauftragte/r", "holder": ""}}},
			{member: "roles", value: nil},
		},
	},
	"/api/v1/policies/:id": {
		record: func(t *testing.T, f *patchFixture) (string, func() map[string]any) {
			id := f.create(t, f.scope+"/policies", map[string]any{"title": "Richtlinie Passwörter", "evidence_id": f.evidence[0],
				"version_label": "1.0", "approved_by": "Staatssekretär", "approved_on": "2026-01-15", "review_months": 12})
			return idPath("/api/v1/policies", id), nil
		},
		steps: []patchStep{
			{member: "title", value: "Richtlinie Kennwörter"},
			{member: "evidence_id", value: fixtureValue(func(f *patchFixture) any { return f.evidence[1] }), also: []string{"evidence_title"}},
			{member: "version_label", value: "1.1"},
			{member: "version_label", value: nil},
			{member: "approved_by", value: "Staatssekretärin"},
			{member: "approved_on", value: "2026-02-15", also: []string{"next_review"}},
			{member: "review_months", value: 24, also: []string{"next_review"}},
		},
	},
	"/api/v1/certificates/:id": {
		record: func(t *testing.T, f *patchFixture) (string, func() map[string]any) {
			id := f.create(t, f.scope+"/certificates", map[string]any{"number": "BSI-IGZ-0777-2025", "issued_on": "2025-12-01",
				"valid_until": "2028-11-30"})
			return idPath("/api/v1/certificates", id), nil
		},
		steps: []patchStep{
			{member: "number", value: "BSI-IGZ-0778-2025"},
			{member: "issued_on", value: "2025-12-02"},
			{member: "valid_until", value: "2028-12-01", also: []string{"expired"}},
		},
	},
	"/api/v1/audits/:id": {
		record: func(t *testing.T, f *patchFixture) (string, func() map[string]any) {
			id := f.create(t, f.scope+"/audits", map[string]any{"kind": "surveillance_1", "title": "1. Überwachungsaudit",
				"auditors": []string{"Dr. Petra Prüfer"}, "starts_on": "2026-05-04", "ends_on": "2026-05-06", "scope_note": "Rechenzentrum"})
			return idPath("/api/v1/audits", id), nil
		},
		steps: []patchStep{
			{member: "kind", value: "internal"},
			{member: "title", value: "Internes Audit"},
			{member: "auditors", value: []string{"Dr. Petra Prüfer", "Max Muster"}},
			{member: "auditors", value: nil},
			{member: "starts_on", value: "2026-05-05"},
			{member: "ends_on", value: "2026-05-07"},
			{member: "scope_note", value: "Alles"},
			{member: "scope_note", value: nil},
			{member: "state", value: "in_progress"},
		},
	},
	"/api/v1/sample-items/:id": {
		record: func(t *testing.T, f *patchFixture) (string, func() map[string]any) {
			id := f.create(t, f.auditPath+"/sample", map[string]any{"type": "object", "object_id": f.s.server})
			return idPath("/api/v1/sample-items", id), f.itemOf(t, f.auditPath+"/sample", "items", id)
		},
		fill: map[string]any{"result": "conforming", "note": "Konfiguration gesichtet"},
		steps: []patchStep{
			{member: "result", value: "nonconforming"},
			{member: "note", value: "Konfiguration erneut gesichtet"},
			{member: "note", value: nil},
		},
	},
	"/api/v1/findings/:id": {
		record: func(t *testing.T, f *patchFixture) (string, func() map[string]any) {
			id := f.create(t, f.auditPath+"/findings", map[string]any{"class": "minor", "title": "Patchkonzept fehlt",
				"description": "Für S-001 liegt kein Patchkonzept vor.", "due_date": "2026-09-30",
				"links": []map[string]any{{"target": "object", "target_id": f.s.server}}})
			return idPath("/api/v1/findings", id), nil
		},
		steps: []patchStep{
			{member: "class", value: "recommendation"},
			{member: "title", value: "Patchkonzept unvollständig"},
			{member: "description", value: "Es fehlt der Teil zu Linux."},
			{member: "description", value: nil},
			{member: "due_date", value: "2026-10-31", also: []string{"overdue"}},
			{member: "due_date", value: nil, also: []string{"overdue"}},
			{member: "links", value: fixtureValue(func(f *patchFixture) any { return []map[string]any{{"target": "object", "target_id": f.s.app}} })},
			{member: "links", value: nil},
		},
	},
}

// patchIgnored are the members of an answer that every change moves.
var patchIgnored = []string{"version", "updated_at", "updated_by", "changed_at", "changed_by"}

// TestPatchChangesOnlyWhatItNames sends every PATCH route of the API one
// member at a time, as JSON merge patch (RFC 7396), to a record with every
// field filled, and compares the whole answer before and after: only the
// named member (and what follows from it) may change. Every member of the
// route's request schema is sent, and every member that may be null is
// also sent as null. A PATCH route without a case here fails.
func TestPatchChangesOnlyWhatItNames(t *testing.T) {
	t.Parallel()
	f := newPatchFixture(t)
	var description struct {
		Paths map[string]map[string]struct {
			RequestBody struct {
				Content map[string]any `json:"content"`
			} `json:"requestBody"`
		} `json:"paths"`
	}
	f.admin.do("GET", httpapi.DescriptionPath, nil, nil).json(t, &description)
	seen := map[string]bool{}
	for _, r := range f.e.srv.Routes() {
		if r.Method != http.MethodPatch {
			continue
		}
		seen[r.Path] = true
		content := description.Paths[httpapi.OpenAPIPath(r.Path)]["patch"].RequestBody.Content
		if content[httpapi.MergePatchType] == nil || content["application/json"] == nil {
			t.Errorf("PATCH %s: the API description offers %v, want %s and application/json", r.Path, slices.Sorted(maps.Keys(content)), httpapi.MergePatchType)
		}
		cs, ok := patchCases[r.Path]
		if !ok {
			t.Errorf("PATCH %s has no case in patchCases", r.Path)
			continue
		}
		t.Run(strings.TrimPrefix(r.Path, "/api/v1/"), func(t *testing.T) {
			members, nullable := schemaMembers(t, r.Request)
			sent, sentNull := map[string]bool{}, map[string]bool{}
			for _, st := range cs.steps {
				sent[st.member] = true
				if st.value == nil {
					sentNull[st.member] = true
				}
			}
			for _, m := range members {
				if !sent[m] {
					t.Errorf("request member %s is never sent: add a step", m)
				}
				if nullable[m] && !sentNull[m] {
					t.Errorf("request member %s may be null but is never sent as null: add a step", m)
				}
			}
			for m := range sentNull {
				if !nullable[m] {
					t.Errorf("member %s is sent as null, which %s does not allow", m, r.Request)
				}
			}

			path, read := cs.record(t, f)
			if read == nil {
				read = func() map[string]any { return f.get(t, path) }
			}
			if cs.fill != nil {
				f.patch(t, path, read(), cs.fill, "application/json")
			}
			for i, st := range cs.steps {
				before := read()
				f.patch(t, path, before, map[string]any{st.member: f.resolve(st)}, "application/merge-patch+json")
				after := read()
				allowed := append([]string{st.member}, st.also...)
				for _, k := range sortedKeys(before, after) {
					if slices.Contains(patchIgnored, k) || slices.Contains(allowed, k) {
						continue
					}
					if !reflect.DeepEqual(before[k], after[k]) {
						t.Errorf("step %d {%q: %v} changed %s: %v → %v", i, st.member, st.value, k, before[k], after[k])
					}
				}
				if !st.same && reflect.DeepEqual(withoutKeys(before, patchIgnored), withoutKeys(after, patchIgnored)) {
					t.Errorf("step %d {%q: %v} changed nothing", i, st.member, st.value)
				}
			}
		})
	}
	for path := range patchCases {
		if !seen[path] {
			t.Errorf("patchCases has %s, which is no PATCH route", path)
		}
	}
}

// fixtureValue is a step's value that names another record of the
// fixture, whose id is known only once the fixture exists.
type fixtureValue func(f *patchFixture) any

var innenministerium = fixtureValue(func(f *patchFixture) any { return f.s.inn })

func (f *patchFixture) resolve(st patchStep) any {
	if v, ok := st.value.(fixtureValue); ok {
		return v(f)
	}
	return st.value
}

// patch sends body with the record's version as If-Match and wants 200.
func (f *patchFixture) patch(t *testing.T, path string, current, body map[string]any, contentType string) {
	t.Helper()
	version, _ := current["version"].(float64)
	j, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	h := ifMatchOf(int(version))
	h["Content-Type"] = contentType
	r := f.admin.do("PATCH", path, j, h)
	if r.status != http.StatusOK {
		t.Fatalf("PATCH %s %s: %d %s", path, j, r.status, r.body)
	}
}

// schemaMembers lists the members of a request schema and which of them
// may be null.
func schemaMembers(t *testing.T, file string) ([]string, map[string]bool) {
	t.Helper()
	doc := schemaDoc(t, file)
	if req, ok := doc["required"]; ok {
		t.Errorf("%s: a merge patch has no required members, but %v", file, req)
	}
	if doc["additionalProperties"] != false {
		t.Errorf("%s: unknown members must be refused", file)
	}
	props, _ := doc["properties"].(map[string]any)
	nullable := map[string]bool{}
	for name, p := range props {
		nullable[name] = allowsNull(t, file, p)
	}
	return slices.Sorted(maps.Keys(props)), nullable
}

func schemaDoc(t *testing.T, file string) map[string]any {
	t.Helper()
	b, err := validation.Schema(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// allowsNull tells whether a (sub)schema accepts null, following $ref.
func allowsNull(t *testing.T, file string, s any) bool {
	m, _ := s.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		target, fragment, _ := strings.Cut(ref, "#")
		if target == "" {
			target = file
		}
		var node any = schemaDoc(t, target)
		for _, seg := range strings.Split(strings.Trim(fragment, "/"), "/") {
			if seg != "" {
				node = node.(map[string]any)[seg]
			}
		}
		return allowsNull(t, target, node)
	}
	switch typ := m["type"].(type) {
	case string:
		if typ == "null" {
			return true
		}
	case []any:
		if slices.Contains(typ, any("null")) {
			return true
		}
	}
	if enum, ok := m["enum"].([]any); ok && slices.Contains(enum, nil) {
		return true
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		alts, _ := m[k].([]any)
		for _, a := range alts {
			if allowsNull(t, file, a) {
				return true
			}
		}
	}
	return false
}

func sortedKeys(a, b map[string]any) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func withoutKeys(m map[string]any, keys []string) map[string]any {
	out := maps.Clone(m)
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// newPatchFixture is the page scope with the management server modelled
// and rated high (so it has check entries, a measure and a risk
// analysis), two groups, two evidence items, a running audit, a second
// catalog and two users.
func newPatchFixture(t *testing.T) *patchFixture {
	t.Helper()
	e := newTestEnv(t)
	s := riskUIScope(t, e)
	f := &patchFixture{e: e, s: s, admin: e.loggedIn("adam", domain.Grant{Role: domain.RoleAdmin}), scope: idPath("/api/v1/scopes", s.scope.ID)}
	f.userIDs[0] = e.user("isa", domain.Grant{Role: domain.RoleISB}).ID
	f.userIDs[1] = e.user("ina", domain.Grant{Role: domain.RoleISB}).ID
	for i := range f.groups {
		f.groups[i] = f.create(t, f.scope+"/objects", map[string]any{"type": "it_system", "name": fmt.Sprintf("Gruppe %d", i+1),
			"department_id": s.tlrz, "group": true, "members": 10})
	}
	for i := range f.evidence {
		f.evidence[i] = createEvidenceItem(t, e, s.scope.ID, fmt.Sprintf("Nachweis %d", i+1)).ID
	}
	f.auditPath = idPath("/api/v1/audits", f.create(t, f.scope+"/audits", map[string]any{"kind": "internal", "title": "Stichprobe",
		"starts_on": "2026-05-04", "ends_on": "2026-05-06", "state": "in_progress"}))
	tiny, err := os.Open("../catalog/oscal/testdata/tiny-catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	defer tiny.Close()
	res, err := catalogimport.New(e.db, 0).Import(context.Background(), testActor, catalogimport.Request{Name: "tiny-catalog.json", Body: tiny})
	if err != nil {
		t.Fatal(err)
	}
	f.catalog2 = res.Catalog.ID
	return f
}
