package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// riskUIScope is the page scope with the management server modelled as
// SYS.1.1 and rated high in confidentiality: it needs a risk analysis.
func riskUIScope(t *testing.T, e *testEnv) uiScope {
	t.Helper()
	s := newUIScope(t, e)
	s.assign(t, []int64{s.server}, "SYS.1.1")
	s.setOwn(t, s.server, domain.NeedHigh, domain.NeedNormal, domain.NeedNormal)
	return s
}

// riskAnalysisJSON is what the tests read of the API's analysis.
type riskAnalysisJSON struct {
	ID    int64  `json:"id"`
	State string `json:"state"`
	Items []struct {
		ID        int64   `json:"id"`
		ThreatID  *string `json:"threat_id"`
		Title     string  `json:"title"`
		Category  *int    `json:"category"`
		Treatment *string `json:"treatment"`
		Version   int     `json:"version"`
	} `json:"items"`
	OpenEntries []struct {
		EntryID       int64  `json:"entry_id"`
		RequirementID string `json:"requirement_id"`
	} `json:"open_entries"`
	Acceptance *struct {
		Valid        bool   `json:"valid"`
		VoidedReason string `json:"voided_reason"`
	} `json:"acceptance"`
	Version int `json:"version"`
}

func getRiskAnalysis(t *testing.T, c *client, objectID int64) (riskAnalysisJSON, response) {
	t.Helper()
	r := c.do("GET", "/api/v1/objects/"+strconv.FormatInt(objectID, 10)+"/risk-analysis", nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("get risk analysis: %d %s", r.status, r.body)
	}
	var a riskAnalysisJSON
	r.json(t, &a)
	return a, r
}

// setCheckEntry records a status with a justification on the object's
// entry of a requirement and returns the entry's id.
func setCheckEntry(t *testing.T, e *testEnv, s uiScope, objectID int64, requirement string, status domain.Status) int64 {
	t.Helper()
	en, ok := checkEntries(t, e, s.scope.ID, objectID)[requirement]
	if !ok || !en.Active {
		t.Fatalf("no check entry for %s", requirement)
	}
	e.setStatus(t, s.scope.ID, en, status)
	return en.ID
}

// assessForm fills the page's table: every threat rated and accepted as it is.
func assessForm(a riskAnalysisJSON, frequency string) string {
	v := url.Values{}
	for _, it := range a.Items {
		id := strconv.FormatInt(it.ID, 10)
		v.Add("item", id)
		v.Set("version_"+id, strconv.Itoa(it.Version))
		v.Set("frequency_"+id, frequency)
		v.Set("impact_"+id, "2")
		v.Set("treatment_"+id, "accept")
		v.Set("residual_frequency_"+id, frequency)
		v.Set("residual_impact_"+id, "2")
	}
	return v.Encode()
}

// TestRiskAnalysisPages walks the analysis through the pages: the scope's
// list, starting the analysis, the assessment table, a Basis requirement
// refused from the acceptance (422), management's acceptance, and its
// voiding by a later change, shown on the page and in the list.
func TestRiskAnalysisPages(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := riskUIScope(t, e)
	e.user("bob", domain.Grant{Role: domain.RoleAuditor})
	e.user("anna", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &s.inn})
	isb := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	mgmt := e.loggedIn("chef", domain.Grant{Role: domain.RoleManagement})
	risk := objURL(s.server, "/risk")

	r := isb.do("GET", s.url("/risk"), nil, nil)
	mustContain(t, r, http.StatusOK, "A.5 Risikoanalyse", `aria-current="page">A.5 Risikoanalyse`, "S-001", "keine Risikoanalyse", "Risikomatrix ändern",
		"existenzbedrohend", "sehr häufig")
	mustContainText(t, r, "hoher Schutzbedarf (Vertraulichkeit)", "Es gilt die Beispielmatrix aus BSI-Standard 200-3")
	mustLack(t, r, "R-001", "GP-001") // normal need: no analysis needed
	mustContain(t, isb.do("GET", objURL(s.server, ""), nil, nil), http.StatusOK, `href="/objects/`+strconv.FormatInt(s.server, 10)+`/risk"`)

	// The ISB starts the analysis; it comes pre-filled.
	r = isb.do("GET", risk, nil, nil)
	mustContain(t, r, http.StatusOK, "Noch keine Risikoanalyse", "Risikoanalyse anlegen")
	mustContain(t, isb.do("POST", objURL(s.room, "/risk"), "", nil), http.StatusUnprocessableEntity, "braucht keine Risikoanalyse")
	seeOther(t, isb.do("POST", risk, form("summary", "Zentraler Managementserver des Landesdatennetzes."), nil), risk)
	r = isb.do("GET", risk, nil, nil)
	mustContain(t, r, http.StatusOK, "Die Risikoanalyse ist angelegt", "G 0.23", "Bewertung speichern", "Gefährdung hinzufügen", "in Bearbeitung",
		"SYS.1.1.A27") // an H requirement offered for reduction
	a, _ := getRiskAnalysis(t, isb, s.server)
	if len(a.Items) != 16 || a.State != "in_progress" {
		t.Fatalf("analysis: %d items, state %s", len(a.Items), a.State)
	}

	// A threat of the server is not one of the room's.
	first := strconv.FormatInt(a.Items[0].ID, 10)
	mustContain(t, isb.do("POST", objURL(s.room, "/risk/items/"+first+"/delete"), form("version", strconv.Itoa(a.Items[0].Version)), nil),
		http.StatusNotFound, "Diese Gefährdung gibt es in der Risikoanalyse nicht.")

	// An own threat; then rate everything.
	seeOther(t, isb.do("POST", risk+"/items", form("title", "Ausfall der Fernwartung des Herstellers"), nil), risk)
	mustContain(t, isb.do("POST", risk+"/items", form("threat_id", "G 0.23"), nil), http.StatusConflict, "Diese Gefährdung steht schon in der Risikoanalyse.")
	a, _ = getRiskAnalysis(t, isb, s.server)
	r = isb.do("POST", risk+"/assess", strings.Replace(assessForm(a, "2"), "residual_impact_"+strconv.FormatInt(a.Items[0].ID, 10)+"=2",
		"residual_impact_"+strconv.FormatInt(a.Items[0].ID, 10)+"=4", 1), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Das Restrisiko kann nicht höher sein als das Risiko vor der Behandlung.")
	seeOther(t, isb.do("POST", risk+"/assess", assessForm(a, "2"), nil), risk)
	r = isb.do("GET", risk, nil, nil)
	mustContain(t, r, http.StatusOK, `class="risk risk-1">gering</span>`, "vollständig, nicht akzeptiert")
	mustLack(t, r, "fehlt:")

	// Unfulfilled requirements of the server: a Basis one and a Standard one.
	basis := setCheckEntry(t, e, s, s.server, "SYS.1.1.A1", domain.StatusPartial)
	standard := setCheckEntry(t, e, s, s.server, "SYS.1.1.A11", domain.StatusNo)

	// Only management may accept, and a Basis requirement never. Who
	// accepts is the signed-in account (its name as it is now), confirmed
	// by its password, on today: a name and a date in the form are ignored.
	chef, err := e.db.UserByUsername(context.Background(), "chef")
	if err != nil {
		t.Fatal(err)
	}
	name := "Dr. Erika Muster"
	if _, err := e.accounts.UpdateUser(context.Background(), testActor, chef.ID, chef.Version, domain.UserChange{DisplayName: &name}); err != nil {
		t.Fatal(err)
	}
	today := domain.Today(e.srv.cfg.Location).Format("02.01.2006")
	a, _ = getRiskAnalysis(t, mgmt, s.server)
	version := strconv.Itoa(a.Version)
	accept := form("version", version, "accepted_by", "Jemand anderes", "accepted_on", "2026-11-20", "password", testPassword,
		"entry", strconv.FormatInt(basis, 10), "entry", strconv.FormatInt(standard, 10))
	if r := isb.do("POST", risk+"/accept", accept, nil); r.status != http.StatusForbidden {
		t.Errorf("the ISB accepts: %d", r.status)
	}
	r = mgmt.do("GET", risk, nil, nil)
	mustContain(t, r, http.StatusOK, "Restrisiken akzeptieren", "SYS.1.1.A11", `id="acc-pw" name="password" type="password"`)
	mustContainText(t, r, "Es zeichnet Dr. Erika Muster (Ihr Benutzerkonto) am "+today)
	mustLack(t, r, `value="`+strconv.FormatInt(basis, 10)+`"`) // a Basis entry is not offered
	r = mgmt.do("POST", risk+"/accept", form("version", version, "entry", strconv.FormatInt(standard, 10)), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Bitte bestätigen Sie die Freigabe mit Ihrem Passwort.", `id="acc-pw-err"`,
		`id="entry-`+strconv.FormatInt(standard, 10)+`" name="entry" value="`+strconv.FormatInt(standard, 10)+`" checked`)
	r = mgmt.do("POST", risk+"/accept", accept, nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Ein Risiko aus einer nicht erfüllten Basis-Anforderung kann nicht akzeptiert werden.")
	// The password was confirmed just now: for five minutes the session
	// need not give it again.
	mustContainText(t, r, "nicht nötig: vor weniger als 5 Minuten bestätigt")
	seeOther(t, mgmt.do("POST", risk+"/accept", form("version", version, "accepted_by", "Jemand anderes", "accepted_on", "2026-11-20",
		"entry", strconv.FormatInt(standard, 10)), nil), risk)
	r = mgmt.do("GET", risk, nil, nil)
	mustContain(t, r, http.StatusOK, "Die Restrisiken sind akzeptiert; die Akzeptanz deckt 1 nicht erfüllte Anforderung(en) ab.", "SHA-256")
	mustContainText(t, r, "Akzeptiert von Dr. Erika Muster am "+today)
	mustLack(t, r, "Jemand anderes")
	mustContain(t, isb.do("GET", s.url("/risk"), nil, nil), http.StatusOK, "am "+today+" von Dr. Erika Muster")

	// A later change by the ISB voids it, visibly.
	a, _ = getRiskAnalysis(t, isb, s.server)
	seeOther(t, isb.do("POST", risk+"/assess", assessForm(a, "3"), nil), risk)
	r = bobGet(t, e, risk)
	mustContainText(t, r, "Akzeptanz ungültig seit", "weil: Gefährdungen der Risikoanalyse wurden geändert",
		"Akzeptiert hatte Dr. Erika Muster am "+today)
	mustLack(t, r, "Restrisiken akzeptieren") // the auditor reads, without forms
	mustLack(t, r, "Bewertung speichern")
	mustContainText(t, isb.do("GET", s.url("/risk"), nil, nil), "Akzeptanz ungültig seit")

	// A department head of another ministry does not see the server.
	anna := e.login("anna")
	mustContain(t, anna.do("GET", risk, nil, nil), http.StatusNotFound, "Dieses Zielobjekt gibt es nicht.")
	mustLack(t, anna.do("GET", s.url("/risk"), nil, nil), "S-001")
}

func bobGet(t *testing.T, e *testEnv, path string) response {
	t.Helper()
	r := e.login("bob").do("GET", path, nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s as auditor: %d", path, r.status)
	}
	return r
}

// TestRiskAnalysisAPI: the JSON API with If-Match, its schemas, the Basis
// refusal as 422, the acceptance voided by a change of the matrix, and
// the H requirement a reduction brings into the check.
func TestRiskAnalysisAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := riskUIScope(t, e)
	isb := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	mgmt := e.loggedIn("chef", domain.Grant{Role: domain.RoleManagement})
	scopeID, obj := strconv.FormatInt(s.scope.ID, 10), "/api/v1/objects/"+strconv.FormatInt(s.server, 10)

	for _, path := range []string{"/risk-analyses", "/risk-matrix"} {
		problemOf(t, isb.do("GET", "/api/v1/scopes/999999"+path, nil, nil), http.StatusNotFound)
	}
	problemOf(t, isb.do("PUT", "/api/v1/scopes/999999/risk-matrix", map[string]any{"cells": domain.DefaultRiskMatrix.Cells()},
		map[string]string{"If-Match": `"1"`}), http.StatusNotFound)
	r := isb.do("GET", "/api/v1/scopes/"+scopeID+"/risk-analyses", nil, nil)
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	r.json(t, &list)
	if r.status != http.StatusOK || len(list.Items) != 1 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	if r := isb.do("GET", obj+"/risk-analysis", nil, nil); r.status != http.StatusNotFound {
		t.Errorf("analysis before it exists: %d", r.status)
	}
	r = isb.do("POST", obj+"/risk-analysis", map[string]string{"summary": "Managementserver"}, nil)
	if r.status != http.StatusCreated || r.header.Get("ETag") == "" {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	a, _ := getRiskAnalysis(t, isb, s.server)

	// PATCH an item: If-Match required, a stale one refused.
	item := "/api/v1/risk-items/" + strconv.FormatInt(a.Items[0].ID, 10)
	body := map[string]any{"frequency": 3, "impact": 3, "treatment": "reduce", "requirements": []string{"SYS.1.1.A27"}}
	if r := isb.do("PATCH", item, body, nil); r.status != http.StatusPreconditionRequired {
		t.Errorf("without If-Match: %d", r.status)
	}
	r = isb.do("PATCH", item, body, map[string]string{"If-Match": `"` + strconv.Itoa(a.Items[0].Version) + `"`})
	if r.status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	var it struct {
		Category *int `json:"category"`
		Version  int  `json:"version"`
	}
	r.json(t, &it)
	if it.Category == nil || *it.Category != 3 {
		t.Errorf("häufig × beträchtlich under the default matrix: %v, want 3 (hoch)", it.Category)
	}
	if r := isb.do("PATCH", item, map[string]any{"frequency": 1}, map[string]string{"If-Match": `"` + strconv.Itoa(a.Items[0].Version) + `"`}); r.status != http.StatusPreconditionFailed {
		t.Errorf("stale If-Match: %d", r.status)
	}
	if r := isb.do("PATCH", item, map[string]any{"frequency": 7}, map[string]string{"If-Match": `"` + strconv.Itoa(it.Version) + `"`}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("frequency 7: %d", r.status)
	}
	// An ISB of another ministry finds the server's threat exactly as missing as one that is not there.
	ines := e.loggedIn("ines", domain.Grant{Role: domain.RoleISB, DepartmentID: &s.inn})
	current := map[string]string{"If-Match": `"` + strconv.Itoa(it.Version) + `"`}
	for _, method := range []string{"PATCH", "DELETE"} {
		hidden := problemOf(t, ines.do(method, item, map[string]any{"frequency": 1}, current), http.StatusNotFound)
		missing := problemOf(t, ines.do(method, "/api/v1/risk-items/999999", map[string]any{"frequency": 1}, current), http.StatusNotFound)
		if hidden.Detail != strings.Replace(missing.Detail, "999999", strconv.FormatInt(a.Items[0].ID, 10), 1) {
			t.Errorf("%s of a hidden threat: %q, of a missing one: %q", method, hidden.Detail, missing.Detail)
		}
	}
	// The H requirement chosen to reduce the risk is in the server's check now.
	es, _, err := e.db.ListEntries(context.Background(), s.scope.ID, domain.EntryFilter{ObjectID: s.server, Level: domain.LevelElevated, Limit: 100}, postgres.Everything)
	if err != nil || len(es) != 1 || es[0].RequirementID != "SYS.1.1.A27" {
		t.Errorf("H entries of the server: %+v %v", es, err)
	}

	// Rate the rest and accept; a Basis entry is refused with 422.
	a, _ = getRiskAnalysis(t, isb, s.server)
	for _, x := range a.Items {
		b := map[string]any{"frequency": 2, "impact": 2, "treatment": "accept", "residual_frequency": 2, "residual_impact": 2}
		if x.ID == a.Items[0].ID {
			b = map[string]any{"residual_frequency": 1, "residual_impact": 3}
		}
		if r := isb.do("PATCH", "/api/v1/risk-items/"+strconv.FormatInt(x.ID, 10), b, map[string]string{"If-Match": `"` + strconv.Itoa(x.Version) + `"`}); r.status != http.StatusOK {
			t.Fatalf("rate %d: %d %s", x.ID, r.status, r.body)
		}
	}
	basis := setCheckEntry(t, e, s, s.server, "SYS.1.1.A1", domain.StatusNo)
	standard := setCheckEntry(t, e, s, s.server, "SYS.1.1.A11", domain.StatusPartial)
	a, _ = getRiskAnalysis(t, mgmt, s.server)
	if a.State != "complete" || len(a.OpenEntries) != 1 || a.OpenEntries[0].EntryID != standard {
		t.Fatalf("before the acceptance: state %s, open entries %+v", a.State, a.OpenEntries)
	}
	ifMatch := map[string]string{"If-Match": `"` + strconv.Itoa(a.Version) + `"`}
	acceptances := obj + "/risk-analysis/acceptances"
	if r := isb.do("POST", acceptances, map[string]any{"password": testPassword}, ifMatch); r.status != http.StatusForbidden {
		t.Errorf("the ISB accepts: %d", r.status)
	}
	r = mgmt.do("POST", acceptances, map[string]any{"password": testPassword, "entries": []int64{basis}}, ifMatch)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "Basis requirement") {
		t.Fatalf("Basis acceptance: %d %s", r.status, r.body)
	}
	// Who accepts and when is never part of the request; with a token the
	// password is always needed.
	problemOf(t, mgmt.do("POST", acceptances, map[string]any{"accepted_by": "Jemand anderes", "accepted_on": "2031-01-01",
		"password": testPassword}, ifMatch), http.StatusUnprocessableEntity)
	byToken := e.client()
	byToken.bearer = createToken(t, mgmt)
	r = byToken.do("POST", acceptances, map[string]any{"entries": []int64{standard}}, ifMatch)
	if ps := violationPointers(t, r); r.status != http.StatusUnprocessableEntity || len(ps) != 1 || ps[0] != "/password" {
		t.Fatalf("acceptance by token without password: %d %s", r.status, r.body)
	}
	r = byToken.do("POST", acceptances, map[string]any{"password": testPassword, "entries": []int64{standard}}, ifMatch)
	if r.status != http.StatusCreated {
		t.Fatalf("acceptance: %d %s", r.status, r.body)
	}
	var signed struct {
		AcceptedBy string `json:"accepted_by"`
		AcceptedOn string `json:"accepted_on"`
		UserID     int64  `json:"user_id"`
	}
	r.json(t, &signed)
	chef, _ := e.db.UserByUsername(context.Background(), "chef")
	if signed.AcceptedBy != "chef" || signed.UserID != chef.ID || signed.AcceptedOn != domain.Today(e.srv.cfg.Location).Format(time.DateOnly) {
		t.Errorf("signed %+v", signed)
	}
	if a, _ = getRiskAnalysis(t, isb, s.server); a.State != "accepted" || a.Acceptance == nil || !a.Acceptance.Valid {
		t.Errorf("after the acceptance: %+v", a)
	}

	// A new matrix voids it.
	m := isb.do("GET", "/api/v1/scopes/"+scopeID+"/risk-matrix", nil, nil)
	if m.status != http.StatusOK {
		t.Fatalf("matrix: %d %s", m.status, m.body)
	}
	cells := map[string]any{"cells": [][]int{{1, 1, 1, 2}, {1, 1, 2, 3}, {2, 2, 3, 4}, {2, 3, 4, 4}}}
	if r := isb.do("PUT", "/api/v1/scopes/"+scopeID+"/risk-matrix", cells, map[string]string{"If-Match": `"2"`}); r.status != http.StatusPreconditionFailed {
		t.Errorf("matrix with a stale version: %d", r.status)
	}
	if r := isb.do("PUT", "/api/v1/scopes/"+scopeID+"/risk-matrix", map[string]any{"cells": [][]int{{4, 1, 1, 1}, {1, 1, 2, 3}, {2, 2, 3, 4}, {2, 3, 4, 4}}},
		map[string]string{"If-Match": m.header.Get("ETag")}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a falling matrix: %d", r.status)
	}
	r = isb.do("PUT", "/api/v1/scopes/"+scopeID+"/risk-matrix", cells, map[string]string{"If-Match": m.header.Get("ETag")})
	if r.status != http.StatusOK || r.header.Get("ETag") != `"2"` {
		t.Fatalf("matrix: %d %s", r.status, r.body)
	}
	a, _ = getRiskAnalysis(t, isb, s.server)
	if a.State != "void" || a.Acceptance == nil || a.Acceptance.Valid || !strings.Contains(a.Acceptance.VoidedReason, "Risikomatrix") {
		t.Errorf("after the new matrix: %+v", a.Acceptance)
	}
	r = isb.do("GET", acceptances, nil, nil)
	r.json(t, &list)
	if r.status != http.StatusOK || len(list.Items) != 1 {
		t.Fatalf("history: %d %s", r.status, r.body)
	}

	// Removing the item that chose the H requirement takes it out of the check.
	a, _ = getRiskAnalysis(t, isb, s.server)
	if r := isb.do("DELETE", item, nil, map[string]string{"If-Match": `"` + strconv.Itoa(a.Items[0].Version) + `"`}); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	es, _, _ = e.db.ListEntries(context.Background(), s.scope.ID, domain.EntryFilter{ObjectID: s.server, Level: domain.LevelElevated, Limit: 100}, postgres.Everything)
	if len(es) != 0 {
		t.Errorf("H entries after deleting the item: %+v", es)
	}
	// Own threats through the API.
	r = isb.do("POST", obj+"/risk-analysis/items", map[string]string{"title": "Ausfall der Fernwartung"}, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("own threat: %d %s", r.status, r.body)
	}
	if r := isb.do("POST", obj+"/risk-analysis/items", map[string]string{"title": "x", "threat_id": "G 0.1"}, nil); r.status != http.StatusUnprocessableEntity {
		t.Errorf("threat and title at once: %d", r.status)
	}
}

// TestRiskMatrixPage: an ISB without a limit to departments changes the
// matrix on the page; a falling one is refused in German.
func TestRiskMatrixPage(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := riskUIScope(t, e)
	e.user("fin", domain.Grant{Role: domain.RoleISB, DepartmentID: &s.fin})
	isb := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	cells := func(c11 string) string {
		v := url.Values{"version": {"1"}}
		for i := 1; i <= 4; i++ {
			for f := 1; f <= 4; f++ {
				cat := domain.Category(domain.DefaultRiskMatrix, domain.Frequency(f), domain.Impact(i))
				v.Set("c_"+strconv.Itoa(i)+"_"+strconv.Itoa(f), strconv.Itoa(int(cat)))
			}
		}
		v.Set("c_4_4", c11)
		return v.Encode()
	}
	r := isb.do("POST", s.url("/risk/matrix"), cells("1"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Die Risikokategorie darf nicht sinken")
	seeOther(t, isb.do("POST", s.url("/risk/matrix"), cells("4"), nil), s.url("/risk"))
	r = isb.do("GET", s.url("/risk"), nil, nil)
	mustContain(t, r, http.StatusOK, "Die Risikomatrix ist gespeichert.", "Eigene Matrix des Informationsverbunds", "Beispielmatrix aus BSI-Standard 200-3 wiederherstellen")
	// A stale form, and an ISB limited to one ministry: refused.
	mustContain(t, isb.do("POST", s.url("/risk/matrix"), cells("4"), nil), http.StatusPreconditionFailed, "Die Risikomatrix wurde inzwischen geändert.")
	fin := e.login("fin")
	mustLack(t, fin.do("GET", s.url("/risk"), nil, nil), "Risikomatrix ändern")
	r = fin.do("POST", s.url("/risk/matrix"), strings.Replace(cells("4"), "version=1", "version=2", 1), nil)
	mustContain(t, r, http.StatusForbidden, "Die Risikomatrix gilt für den ganzen Informationsverbund")
}
