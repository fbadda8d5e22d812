package server

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ismsd/internal/catalog/catalogtest"
	"ismsd/internal/domain"
)

const (
	sharedKernel   = catalogtest.Kernel
	sharedKeycloak = catalogtest.Keycloak
)

// TestComponentDefinitionUpload imports the Keycloak definition through the
// API before the Kernel (0 of 43 resolved, all listed), again (unchanged),
// and after the Kernel (43 of 43); a malformed one is refused with a
// pointer and stores nothing.
func TestComponentDefinitionUpload(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	keycloak := catalogtest.Read(t, sharedKeycloak)
	c := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})

	type answer struct {
		Kind      string `json:"kind"`
		Unchanged bool   `json:"unchanged"`
		Catalog   *struct {
			ID int64 `json:"id"`
		} `json:"catalog"`
		Definition struct {
			ID          int64  `json:"id"`
			Name        string `json:"name"`
			Components  int    `json:"components"`
			Implemented int    `json:"implemented"`
			Resolved    int    `json:"resolved"`
		} `json:"component_definition"`
		Unresolved []string `json:"unresolved"`
	}
	var a answer
	r := c.upload("/api/v1/catalogs", nil, "Keycloak-component_definition.json", bytes.NewReader(keycloak), nil)
	r.json(t, &a)
	if r.status != http.StatusCreated || a.Kind != "oscal-component-definition" || a.Unchanged || a.Catalog != nil ||
		a.Definition.Name != "Keycloak" || a.Definition.Components != 3 || a.Definition.Implemented != 43 || a.Definition.Resolved != 0 ||
		len(a.Unresolved) != 43 || r.header.Get("Location") == "" {
		t.Fatalf("first upload: %d %s", r.status, r.body)
	}
	r = c.upload("/api/v1/catalogs", nil, "again.json", bytes.NewReader(keycloak), nil)
	a = answer{}
	r.json(t, &a)
	if r.status != http.StatusOK || !a.Unchanged || a.Definition.Resolved != 0 {
		t.Fatalf("second upload: %d %s", r.status, r.body)
	}

	e.importShared(sharedKernel)
	r = c.upload("/api/v1/catalogs", nil, "again.json", bytes.NewReader(keycloak), nil)
	a = answer{}
	r.json(t, &a)
	if r.status != http.StatusOK || !a.Unchanged || a.Definition.Resolved != 43 || len(a.Unresolved) != 0 {
		t.Fatalf("after the Kernel: %d %s", r.status, r.body)
	}

	var list struct {
		Items []struct {
			ID       int64 `json:"id"`
			Resolved int   `json:"resolved"`
		} `json:"items"`
	}
	c.do("GET", "/api/v1/component-definitions", nil, nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].Resolved != 43 {
		t.Fatalf("list %+v", list)
	}
	var one struct {
		Components []struct {
			Label       string `json:"label"`
			Implemented []struct {
				ControlRef   string `json:"control_ref"`
				Resolved     bool   `json:"resolved"`
				Requirements []struct {
					RequirementID string `json:"requirement_id"`
				} `json:"requirements"`
			} `json:"implemented_requirements"`
		} `json:"component_list"`
	}
	r = c.do("GET", r.header.Get("Location"), nil, nil)
	r.json(t, &one)
	if r.status != http.StatusOK || len(one.Components) != 3 || one.Components[0].Label != "Keycloak · Realm" || len(one.Components[0].Implemented) != 22 ||
		!one.Components[0].Implemented[0].Resolved || one.Components[0].Implemented[0].Requirements[0].RequirementID == "" {
		t.Fatalf("one: %d %s", r.status, firstLine(r.body))
	}
	problemOf(t, c.do("GET", "/api/v1/component-definitions/999", nil, nil), http.StatusNotFound)

	// Malformed: 422 with a pointer into the uploaded file and the JSON
	// path in the detail, nothing stored; the page says it in German.
	broken := []byte(`{"component-definition":{"metadata":{"title":"T"},"components":[{"title":"C","control-implementations":[{"implemented-requirements":[{"description":"d"}]}]}]}}`)
	p := problemOf(t, c.upload("/api/v1/catalogs", nil, "broken.json", bytes.NewReader(broken), nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/file/component-definition/components/0/control-implementations/0/implemented-requirements/0" ||
		!strings.Contains(p.Errors[0].Detail, "component-definition.components[0].control-implementations[0].implemented-requirements[0]") {
		t.Errorf("malformed: %+v", p)
	}
	p = problemOf(t, c.upload("/api/v1/catalogs", nil, "cut.json", bytes.NewReader(keycloak[:len(keycloak)/2]), nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/file" || !strings.Contains(p.Errors[0].Detail, "line") {
		t.Errorf("truncated: %+v", p)
	}
	mustContain(t, c.upload("/catalogs", nil, "broken.json", bytes.NewReader(broken), nil), http.StatusUnprocessableEntity,
		"Die Datei wurde nicht importiert", "implemented-requirements[0]")
	if ds, _ := e.db.ListComponentDefinitions(context.Background()); len(ds) != 1 {
		t.Errorf("%d component definitions after refused uploads", len(ds))
	}

	// The pages: the catalogs page lists it, its page shows the components.
	r = c.upload("/catalogs", nil, "again.json", bytes.NewReader(keycloak), nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("form upload: %d %s", r.status, firstLine(r.body))
	}
	mustContain(t, c.do("GET", r.header.Get("Location"), nil, nil), http.StatusOK, "bereits importiert", "43 von 43", "Keycloak · Realm",
		"Keycloak · Admin Console", "Keycloak · OIDC/OAuth2 Provider Endpoints")
	mustContain(t, c.do("GET", "/catalogs", nil, nil), http.StatusOK, "Komponentendefinitionen", "Keycloak")
}

// TestComponentDefinitionPageUnresolved: without the Kernel, the page lists
// every reference that did not resolve.
func TestComponentDefinitionPageUnresolved(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	res := e.importShared(sharedKeycloak)
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	r := c.do("GET", "/component-definitions/"+strconv.FormatInt(res.Definition.ID, 10), nil, nil)
	mustContain(t, r, http.StatusOK, "0 von 43", "Nicht aufgelöste Verweise", res.Unresolved[0], res.Unresolved[42])
}

// TestComponentAssignmentOffersImplementationText: on a Grundschutz++ scope
// on the Kernel, "Keycloak · Realm" is assigned to the scope's object; the
// object lists it, an entry of a requirement it implements offers its
// description (API and page), the page puts it into the implementation
// field on request and the entry is then saved with a normal PATCH; A.3
// lists the assignment; an ISB of another department does not find the
// object; removing it is recorded too.
func TestComponentAssignmentOffersImplementationText(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	kernel := e.importShared(sharedKernel)
	defs := e.importShared(sharedKeycloak)
	c := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})
	other := e.department("Außenstelle")
	foreign := e.loggedIn("fremd", domain.Grant{Role: domain.RoleISB, DepartmentID: &other})

	scope := e.apiScope(c, "Rechenzentrum GS++", kernel.Catalog.ID)
	// The scope's object sits in no department; an object of the other
	// department shows what the foreign ISB may not reach.
	var server struct {
		ID int64 `json:"id"`
	}
	r := c.do("POST", "/api/v1/scopes/"+strconv.FormatInt(scope.ID, 10)+"/objects", map[string]any{"type": "it_system", "name": "Identitätsserver"}, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("create object: %d %s", r.status, r.body)
	}
	r.json(t, &server)

	components, err := e.db.DefinitionComponents(context.Background(), defs.Definition.ID)
	if err != nil {
		t.Fatal(err)
	}
	realm := components[0]
	if realm.Label() != "Keycloak · Realm" {
		t.Fatalf("first component %q", realm.Label())
	}
	objPath := "/api/v1/objects/" + strconv.FormatInt(scope.ObjectID, 10) + "/components"
	problemOf(t, foreign.do("POST", "/api/v1/objects/"+strconv.FormatInt(server.ID, 10)+"/components", map[string]any{"component": realm.ID}, nil),
		http.StatusNotFound)
	p := problemOf(t, c.do("POST", objPath, map[string]any{"component": 999999}, nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/component" {
		t.Errorf("unknown component: %+v", p)
	}
	for range 2 { // the second time changes nothing
		if r := c.do("POST", objPath, map[string]any{"component": realm.ID}, nil); r.status != http.StatusNoContent {
			t.Fatalf("assign: %d %s", r.status, r.body)
		}
	}
	if got := e.auditActions(t, "object", strconv.FormatInt(scope.ObjectID, 10)); countOf(got, "component.assign") != 1 {
		t.Errorf("audit %v", got)
	}
	var listed struct {
		Components []struct {
			ID          int64  `json:"id"`
			Label       string `json:"label"`
			Implemented int    `json:"implemented"`
			Offers      int    `json:"offers"`
		} `json:"components"`
	}
	c.do("GET", objPath, nil, nil).json(t, &listed)
	// The scope's object carries the whole package, erhöht only where
	// raised, so the offers are the normal-SdT part of the 22.
	if len(listed.Components) != 1 || listed.Components[0].Label != "Keycloak · Realm" || listed.Components[0].Implemented != 22 ||
		listed.Components[0].Offers == 0 {
		t.Fatalf("object's components %+v", listed)
	}
	mustContain(t, c.do("GET", "/objects/"+strconv.FormatInt(scope.ObjectID, 10), nil, nil), http.StatusOK, "Komponenten", "Keycloak · Realm")

	// An entry of a requirement Realm implements offers its description.
	var entryID int64
	var offered string
	for _, q := range realm.Requirements {
		err := e.ownerDB().QueryRow(`SELECT id FROM check_entries WHERE object_id = $1 AND requirement_id = $2 AND active`,
			scope.ObjectID, q.Resolved[0].RequirementID).Scan(&entryID)
		if err == nil {
			offered = q.Description
			break
		}
	}
	if entryID == 0 {
		t.Fatal("no entry of the scope's object implements a requirement of Keycloak · Realm")
	}
	entryPath := "/api/v1/check-entries/" + strconv.FormatInt(entryID, 10)
	var entry struct {
		Version int `json:"version"`
		Offers  []struct {
			Component string `json:"component"`
			Text      string `json:"text"`
		} `json:"implementation_offers"`
		Implementation string `json:"implementation"`
	}
	r = c.do("GET", entryPath, nil, nil)
	r.json(t, &entry)
	if len(entry.Offers) != 1 || entry.Offers[0].Component != "Keycloak · Realm" || entry.Offers[0].Text != offered {
		t.Fatalf("entry offers: %s", r.body)
	}
	page := "/check-entries/" + strconv.FormatInt(entryID, 10)
	mustContain(t, c.do("GET", page, nil, nil), http.StatusOK, "Umsetzungshinweis aus Komponente Keycloak · Realm", "In „Umsetzung“ übernehmen")
	r = c.do("GET", page+"?offer=0", nil, nil)
	mustContain(t, r, http.StatusOK, `id="offer-used"`)
	if !strings.Contains(string(r.body), `name="implementation" rows="4" maxlength="8000" autofocus>`+template.HTMLEscapeString(offered)+`</textarea>`) {
		t.Errorf("the offer is not in the implementation field")
	}
	// Taking it over is a normal change with If-Match.
	r = c.do("PATCH", entryPath, map[string]any{"implementation": offered}, map[string]string{"If-Match": `"` + strconv.Itoa(entry.Version) + `"`})
	r.json(t, &entry)
	if r.status != http.StatusOK || entry.Implementation != offered {
		t.Fatalf("patch: %d %s", r.status, firstLine(r.body))
	}

	// A.3 lists the component of the object.
	rows := workbookSheet(t, download(t, c, "/api/v1/scopes/"+strconv.FormatInt(scope.ID, 10)+"/reports/a3.xlsx", xlsxType), "Komponenten")
	found := false
	for _, row := range rows {
		found = found || slices.Contains(row, "Keycloak · Realm") && slices.Contains(row, "Rechenzentrum GS++")
	}
	if !found {
		t.Errorf("A.3 Komponenten: %v", rows)
	}

	// Removing it: the offers go, and a second removal is not found.
	if r := c.do("DELETE", objPath+"/"+strconv.FormatInt(realm.ID, 10), nil, nil); r.status != http.StatusNoContent {
		t.Fatalf("unassign: %d %s", r.status, r.body)
	}
	problemOf(t, c.do("DELETE", objPath+"/"+strconv.FormatInt(realm.ID, 10), nil, nil), http.StatusNotFound)
	entry.Offers = nil
	c.do("GET", entryPath, nil, nil).json(t, &entry)
	if len(entry.Offers) != 0 {
		t.Errorf("offers after removal %+v", entry.Offers)
	}
	if got := e.auditActions(t, "object", strconv.FormatInt(scope.ObjectID, 10)); !slices.Contains(got, "component.unassign") {
		t.Errorf("audit %v", got)
	}

	// The page's form assigns it again, in German on refusal.
	objPage := "/objects/" + strconv.FormatInt(server.ID, 10)
	mustContain(t, c.do("GET", objPage, nil, nil), http.StatusOK, `<option value="`+strconv.FormatInt(realm.ID, 10)+`">Keycloak · Realm</option>`)
	mustContain(t, c.do("POST", objPage+"/components", "component=", nil), http.StatusUnprocessableEntity, "Bitte wählen Sie eine Komponente.")
	r = c.do("POST", objPage+"/components", "component="+strconv.FormatInt(realm.ID, 10), nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("form assign: %d %s", r.status, firstLine(r.body))
	}
	mustContain(t, c.do("GET", objPage, nil, nil), http.StatusOK, "Komponente zugeordnet", "Keycloak · Realm", "/components/"+strconv.FormatInt(realm.ID, 10)+"/remove")
	if r := c.do("POST", objPage+"/components/"+strconv.FormatInt(realm.ID, 10)+"/remove", "", nil); r.status != http.StatusSeeOther {
		t.Fatalf("form remove: %d %s", r.status, firstLine(r.body))
	}
}

func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}
