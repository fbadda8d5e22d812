package server

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ismsd/internal/catalog/catalogtest"
	"ismsd/internal/domain"
)

// The parameters of a Grundschutz++ scope: everyone with a role reads
// them, ISBs and administrators without a limit to departments set them
// (the store refuses limited writers, as for the risk matrix).
func init() {
	for k, v := range map[string][]string{
		"GET /api/v1/scopes/:id/parameters":       allRoles,
		"POST /api/v1/scopes/:id/parameters/bulk": writers,
		"GET /scopes/:id/parameters":              allRoles,
		"POST /scopes/:id/parameters":             writers,
	} {
		expectedAccess[k] = v
	}
	// The parameters belong to the whole scope and show nothing of a
	// department.
	for _, k := range []string{"GET /api/v1/scopes/:id/parameters", "POST /api/v1/scopes/:id/parameters/bulk",
		"GET /scopes/:id/parameters", "POST /scopes/:id/parameters"} {
		crossDeptCases[k] = nil
	}
}

// methodikScope imports the BSI's Methodik catalog (95 controls, 14
// parameters) and creates a Grundschutz++ scope on it through the API.
func (e *testEnv) methodikScope(c *client) int64 {
	e.t.Helper()
	return e.apiScope(c, "Methodik-Verbund", e.importShared(catalogtest.Methodik).Catalog.ID).ID
}

type paramsAnswer struct {
	Version    int         `json:"version"`
	Total      int         `json:"total"`
	All        int         `json:"all"`
	Unset      int         `json:"unset"`
	NextCursor string      `json:"next_cursor"`
	Items      []paramItem `json:"items"`
}

type paramItem struct {
	ParamID      string  `json:"param_id"`
	Label        string  `json:"label"`
	Value        *string `json:"value"`
	Unset        bool    `json:"unset"`
	UpdatedBy    string  `json:"updated_by"`
	Requirements []struct {
		ID   string      `json:"id"`
		Text domain.Text `json:"text"`
	} `json:"requirements"`
}

func TestParamsAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	isb := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	dept := e.department("Rechenzentrum")
	e.user("ines", domain.Grant{Role: domain.RoleISB, DepartmentID: &dept})
	e.user("dora", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &dept})
	scope := e.methodikScope(isb)
	base := fmt.Sprintf("/api/v1/scopes/%d/parameters", scope)

	// The scope object carries the whole Methodik: all 14 parameters.
	r := isb.do("GET", base, nil, nil)
	if r.status != http.StatusOK || r.header.Get("ETag") != `"1"` {
		t.Fatalf("list: %d %s %s", r.status, r.header.Get("ETag"), firstLine(r.body))
	}
	var ps paramsAnswer
	r.json(t, &ps)
	if ps.All != 14 || ps.Total != 14 || ps.Unset != 14 || len(ps.Items) != 14 {
		t.Fatalf("all %d total %d unset %d items %d, want 14", ps.All, ps.Total, ps.Unset, len(ps.Items))
	}
	i := slices.IndexFunc(ps.Items, func(p paramItem) bool { return p.ParamID == "ums.5.1-prm1" })
	if i < 0 || ps.Items[i].Label != "eine zuständige Person oder Rolle" || len(ps.Items[i].Requirements) != 1 || ps.Items[i].Requirements[0].ID != "UMS.5.1" {
		t.Fatalf("ums.5.1-prm1: %+v", ps.Items)
	}
	// Filters and pages.
	var page paramsAnswer
	list := func(query string) paramsAnswer {
		t.Helper()
		var out paramsAnswer
		isb.do("GET", base+query, nil, nil).json(t, &out)
		return out
	}
	page = list("?requirement=ums.5&limit=10")
	if page.Total != 1 || len(page.Items) != 1 || page.Items[0].ParamID != "ums.5.1-prm1" {
		t.Errorf("by requirement: %+v", page)
	}
	page = list("?limit=10")
	if len(page.Items) != 10 || page.NextCursor != "10" {
		t.Errorf("first page: %d items, next %q", len(page.Items), page.NextCursor)
	}
	page = list("?limit=10&cursor=" + page.NextCursor)
	if len(page.Items) != 4 || page.NextCursor != "" {
		t.Errorf("second page: %d items, next %q", len(page.Items), page.NextCursor)
	}
	problemOf(t, isb.do("GET", base+"?limit=0", nil, nil), http.StatusUnprocessableEntity)

	// Bad items: every one named, nothing applied.
	bad := map[string]any{"values": []map[string]string{
		{"param_id": "ums.5.1-prm1", "value": "die Amtsleitung"},
		{"param_id": "ums.5.1-prm1", "value": "doppelt"},
		{"param_id": "gibt.es.nicht", "value": "x"},
		{"param_id": "vrb.2.2-prm1", "value": "  "},
	}}
	p := problemOf(t, isb.do("POST", base+"/bulk", bad, map[string]string{"If-Match": `"1"`}), http.StatusUnprocessableEntity)
	var pointers []string
	for _, v := range p.Errors {
		pointers = append(pointers, v.Pointer)
	}
	if !slices.Equal(pointers, []string{"/values/3/value", "/values/1/param_id", "/values/2/param_id"}) {
		t.Errorf("violations %v", pointers)
	}
	long := map[string]any{"values": []map[string]string{{"param_id": "vrb.2.2-prm1", "value": strings.Repeat("ä", 2001)}}}
	if p := problemOf(t, isb.do("POST", base+"/bulk", long, map[string]string{"If-Match": `"1"`}), http.StatusUnprocessableEntity); len(p.Errors) == 0 || p.Errors[0].Pointer != "/values/0/value" {
		t.Errorf("overlong value: %+v", p)
	}
	problemOf(t, isb.do("POST", base+"/bulk", map[string]any{"values": []any{}}, nil), http.StatusPreconditionRequired)

	// A good bulk: the answer is the whole list with the new ETag and the
	// value in place in the requirement text.
	good := map[string]any{"values": []map[string]string{
		{"param_id": "ums.5.1-prm1", "value": "die Amtsleitung"}, {"param_id": "vrb.2.2-prm1", "value": "jährlich"}}}
	r = isb.do("POST", base+"/bulk", good, map[string]string{"If-Match": `"1"`})
	if r.status != http.StatusOK || r.header.Get("ETag") != `"2"` {
		t.Fatalf("set: %d %s %s", r.status, r.header.Get("ETag"), r.body)
	}
	ps = paramsAnswer{}
	r.json(t, &ps)
	if ps.Unset != 12 || ps.Items[i].Value == nil || *ps.Items[i].Value != "die Amtsleitung" || ps.Items[i].UpdatedBy == "" {
		t.Errorf("after set: unset %d %+v", ps.Unset, ps.Items[i])
	}
	if got := ps.Items[i].Requirements[0].Text.Plain(); !strings.Contains(got, "durch die Amtsleitung autorisieren") {
		t.Errorf("UMS.5.1 text %q", got)
	}
	// A writer who read version 1 loses nothing of the change made since.
	problemOf(t, isb.do("POST", base+"/bulk", good, map[string]string{"If-Match": `"1"`}), http.StatusPreconditionFailed)
	// Clearing.
	r = isb.do("POST", base+"/bulk", map[string]any{"clear": []string{"vrb.2.2-prm1"}}, map[string]string{"If-Match": `"2"`})
	if r.status != http.StatusOK || r.header.Get("ETag") != `"3"` {
		t.Fatalf("clear: %d %s", r.status, r.body)
	}
	page = list("?unset=true")
	if page.Total != 13 || page.All != 14 {
		t.Errorf("unset after clearing: %d of %d", page.Total, page.All)
	}

	// Readers limited to a department read the values; a limited ISB may
	// not set them.
	if r := e.login("dora").do("GET", base, nil, nil); r.status != http.StatusOK {
		t.Errorf("department head reads: %d", r.status)
	}
	ines := e.login("ines")
	if r := ines.do("GET", base, nil, nil); r.status != http.StatusOK {
		t.Errorf("limited ISB reads: %d", r.status)
	}
	problemOf(t, ines.do("POST", base+"/bulk", good, map[string]string{"If-Match": `"3"`}), http.StatusForbidden)

	// A Kompendium scope has no parameters: 409 with a clear detail.
	ks := e.apiScope(isb, "Kompendium-Verbund", e.demoCatalog())
	kbase := fmt.Sprintf("/api/v1/scopes/%d/parameters", ks.ID)
	if p := problemOf(t, isb.do("GET", kbase, nil, nil), http.StatusConflict); !strings.Contains(p.Detail, "has no parameters") {
		t.Errorf("Kompendium scope: %+v", p)
	}
	problemOf(t, isb.do("POST", kbase+"/bulk", good, map[string]string{"If-Match": `"1"`}), http.StatusConflict)
	problemOf(t, isb.do("GET", "/api/v1/scopes/999999/parameters", nil, nil), http.StatusNotFound)
}

// scopeEntry finds the entry of a requirement on the scope's own object.
func scopeEntry(t *testing.T, c *client, scope int64, requirement string) int64 {
	t.Helper()
	var entries struct {
		Items []struct {
			ID          int64  `json:"id"`
			Requirement string `json:"requirement"`
		} `json:"items"`
	}
	c.do("GET", fmt.Sprintf("/api/v1/scopes/%d/check?limit=1000", scope), nil, nil).json(t, &entries)
	for _, e := range entries.Items {
		if e.Requirement == requirement {
			return e.ID
		}
	}
	t.Fatalf("no entry of %s in scope %d", requirement, scope)
	return 0
}

// paramsForm is the parameters page's form as a browser sends it: every
// parameter shown, with the values given (empty for the others).
func paramsForm(version string, ids []string, values map[string]string) string {
	f := url.Values{"version": {version}}
	for _, id := range ids {
		f.Add("param", id)
		f.Add("value", values[id])
	}
	return f.Encode()
}

func TestParamsPage(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	isb := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	dept := e.department("Rechenzentrum")
	e.user("dora", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &dept})
	scope := e.methodikScope(isb)
	page := fmt.Sprintf("/scopes/%d/parameters", scope)
	entry := fmt.Sprintf("/check-entries/%d", scopeEntry(t, isb, scope, "UMS.5.1"))

	r := isb.do("GET", page, nil, nil)
	body := string(r.body)
	if r.status != http.StatusOK || strings.Count(body, `name="value"`) != 14 || !strings.Contains(body, "eine zuständige Person oder Rolle") ||
		!strings.Contains(body, `id="param-ums.5.1-prm1"`) || !strings.Contains(body, "nur ungesetzte") {
		t.Fatalf("page: %d\n%s", r.status, body)
	}
	// The scope's tabs lead to the page; the check entry shows the label
	// in brackets, marked unset, with a link to the parameter.
	if r := isb.do("GET", fmt.Sprintf("/scopes/%d/check", scope), nil, nil); !strings.Contains(string(r.body), `href="/scopes/`+strconv.FormatInt(scope, 10)+`/parameters"`) {
		t.Errorf("the check does not link to the parameters")
	}
	r = isb.do("GET", entry, nil, nil)
	if !strings.Contains(string(r.body), `href="/scopes/`+strconv.FormatInt(scope, 10)+`/parameters#param-ums.5.1-prm1" title="Parameter noch nicht gesetzt"`) ||
		!strings.Contains(string(r.body), "[eine zuständige Person oder Rolle]") {
		t.Errorf("entry page before: %s", r.body)
	}

	ids := regexp.MustCompile(`name="param" value="([^"]+)"`).FindAllStringSubmatch(body, -1)
	var all []string
	for _, m := range ids {
		all = append(all, m[1])
	}
	// An invalid value: nothing saved, the message at its field, the
	// values as typed kept.
	r = isb.do("POST", page, paramsForm("1", all, map[string]string{"ums.5.1-prm1": "die Amtsleitung", "vrb.2.2-prm1": strings.Repeat("x", 2001)}), nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `id="param-vrb.2.2-prm1-err"`) ||
		!strings.Contains(string(r.body), `value="die Amtsleitung"`) || !strings.Contains(string(r.body), "Nichts wurde gespeichert") {
		t.Fatalf("invalid: %d %s", r.status, r.body)
	}
	// A good form saves every field at once.
	r = isb.do("POST", page, paramsForm("1", all, map[string]string{"ums.5.1-prm1": "die Amtsleitung", "vrb.2.2-prm1": "jährlich"}), nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	r = isb.do("GET", entry, nil, nil)
	if !strings.Contains(string(r.body), `<mark class="param-value" title="Wert der Institution" data-param="ums.5.1-prm1">die Amtsleitung</mark>`) {
		t.Errorf("entry page after: %s", r.body)
	}
	// The object's check shows each requirement's text with the values.
	object := regexpFind(t, string(r.body), `href="/objects/(\d+)/check#entry-`)
	r = isb.do("GET", "/objects/"+object+"/check", nil, nil)
	if !strings.Contains(string(r.body), `<details class="entry-text">`) ||
		!strings.Contains(string(r.body), `title="Wert der Institution" data-param="ums.5.1-prm1">die Amtsleitung</mark>`) {
		t.Errorf("object check page without the texts")
	}
	// A form read before that save is stale: a readable message, nothing saved.
	r = isb.do("POST", page, paramsForm("1", all, map[string]string{"ums.5.1-prm1": "der Vorstand"}), nil)
	if r.status != http.StatusPreconditionFailed || !strings.Contains(string(r.body), "inzwischen geändert") {
		t.Fatalf("stale: %d %s", r.status, r.body)
	}
	if r := isb.do("GET", page+"?unset=true", nil, nil); strings.Count(string(r.body), `name="value"`) != 12 || strings.Contains(string(r.body), "der Vorstand") {
		t.Errorf("unset only after save: %d fields", strings.Count(string(r.body), `name="value"`))
	}
	// An emptied field removes the value.
	r = isb.do("POST", page, paramsForm("2", all, map[string]string{"ums.5.1-prm1": "die Amtsleitung"}), nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("clear: %d %s", r.status, r.body)
	}
	var ps paramsAnswer
	isb.do("GET", "/api/v1/scopes/"+strconv.FormatInt(scope, 10)+"/parameters", nil, nil).json(t, &ps)
	if ps.Unset != 13 || ps.Version != 3 {
		t.Errorf("after clearing on the page: unset %d version %d", ps.Unset, ps.Version)
	}

	// A.4 of a Grundschutz++ scope has a second table: the parameters with
	// the requirement texts, the values in «», unset ones as [label].
	reports := fmt.Sprintf("/api/v1/scopes/%d/reports", scope)
	sheet := workbookSheet(t, download(t, isb, reports+"/a4.xlsx", xlsxType), "Parameter")
	var row []string
	for _, r := range sheet {
		if len(r) > 0 && r[0] == "ums.5.1-prm1" {
			row = r
		}
	}
	if len(row) < 6 || row[2] != "die Amtsleitung" || row[3] != "eigener Wert" || !strings.Contains(row[5], "durch «die Amtsleitung» autorisieren") {
		t.Errorf("A.4 parameter row %q", row)
	}
	// Its check table names the modal verb, the security level and the
	// effort level instead of B/S/H, and the front says Grundschutz++.
	check := workbookSheet(t, download(t, isb, reports+"/a4.xlsx", xlsxType), "IT-Grundschutz-Check")
	header := -1
	for i, r := range check {
		if slices.Contains(r, "Modalverb") && slices.Contains(r, "Aufwand") && slices.Contains(r, "Ausnahme bis") {
			header = i
		}
	}
	if header < 0 || len(check) <= header+1 || !slices.Contains([]string{"MUSS", "SOLLTE", "KANN"}, check[header+1][6]) ||
		check[header+1][7] != "normal-SdT" {
		t.Errorf("A.4 check table of a Grundschutz++ scope: header at %d, rows %q", header, check[:min(len(check), header+2)])
	}
	if !strings.Contains(workbookText(t, download(t, isb, reports+"/soa.xlsx", xlsxType)), "MUSS · normal-SdT") {
		t.Errorf("the statement of applicability does not name the modal verb")
	}
	if !strings.Contains(workbookText(t, download(t, isb, reports+"/a4.xlsx", xlsxType)), "[regelmäßig]") {
		t.Errorf("A.4: an unset parameter is not marked")
	}
	if text := pdfPlainText(t, download(t, isb, reports+"/a4.pdf", "application/pdf")); !pdfContains(text, "«die Amtsleitung»") {
		t.Errorf("A.4 PDF without the value in place")
	}

	// A department head reads the values but gets no form.
	r = e.login("dora").do("GET", page, nil, nil)
	if r.status != http.StatusOK || strings.Contains(string(r.body), `name="value"`) || !strings.Contains(string(r.body), "die Amtsleitung") {
		t.Errorf("department head: %d %s", r.status, r.body)
	}
	// A Kompendium scope has no such page and no such tab.
	ks := e.apiScope(isb, "Kompendium-Verbund", e.demoCatalog())
	if r := isb.do("GET", fmt.Sprintf("/scopes/%d/parameters", ks.ID), nil, nil); r.status != http.StatusConflict || !strings.Contains(string(r.body), "kennt keine Parameter") {
		t.Errorf("Kompendium scope page: %d", r.status)
	}
	if r := isb.do("GET", fmt.Sprintf("/scopes/%d", ks.ID), nil, nil); strings.Contains(string(r.body), "/parameters") {
		t.Errorf("a Kompendium scope offers parameters")
	}
	if text := workbookText(t, download(t, isb, fmt.Sprintf("/api/v1/scopes/%d/reports/a4.xlsx", ks.ID), xlsxType)); strings.Contains(text, "Frage des BSI") {
		t.Errorf("a Kompendium scope's A.4 has a parameter table")
	}
}
