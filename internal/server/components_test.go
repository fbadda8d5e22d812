package server

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"ismsd/internal/catalogimport"
	"ismsd/internal/domain"
)

// sharedCatalogFile reads a file of ../shared/catalogs or skips the test,
// unless ISMS_REQUIRE_SHARED=1.
func sharedCatalogFile(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "catalogs", rel))
	if err != nil {
		if os.Getenv("ISMS_REQUIRE_SHARED") == "1" {
			t.Fatalf("ISMS_REQUIRE_SHARED=1 but %s is missing: %v", rel, err)
		}
		t.Skipf("shared catalog file %s not available: %v", rel, err)
	}
	return b
}

const (
	sharedKernel   = "grundschutz-plus-plus/BSI-Stand-der-Technik-Kernel-catalog.json"
	sharedKeycloak = "grundschutz-plus-plus/components/Keycloak-component_definition.json"
)

// importShared imports a file of ../shared/catalogs directly, as the CLI
// would; it returns the result.
func (e *testEnv) importShared(rel string) catalogimport.Result {
	e.t.Helper()
	b := sharedCatalogFile(e.t, rel)
	res, err := catalogimport.New(e.db, 0).Import(context.Background(), testActor,
		catalogimport.Request{Name: filepath.Base(rel), Body: bytes.NewReader(b)})
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

// TestComponentDefinitionUpload imports the Keycloak definition through the
// API before the Kernel (0 of 43 resolved, all listed), again (unchanged),
// and after the Kernel (43 of 43); a malformed one is refused with a
// pointer and stores nothing.
func TestComponentDefinitionUpload(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	keycloak := sharedCatalogFile(t, sharedKeycloak)
	e.user("root", domain.Grant{Role: domain.RoleAdmin})
	c := e.login("root")

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

	// Malformed: 422 with the pointer to the file and the JSON path in the
	// detail, nothing stored; the page says it in German.
	broken := []byte(`{"component-definition":{"metadata":{"title":"T"},"components":[{"title":"C","control-implementations":[{"implemented-requirements":[{"description":"d"}]}]}]}}`)
	p := problemOf(t, c.upload("/api/v1/catalogs", nil, "broken.json", bytes.NewReader(broken), nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/file" ||
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
	e.user("isa", domain.Grant{Role: domain.RoleISB})
	c := e.login("isa")
	r := c.do("GET", "/component-definitions/"+strconv.FormatInt(res.Definition.ID, 10), nil, nil)
	mustContain(t, r, http.StatusOK, "0 von 43", "Nicht aufgelöste Verweise", res.Unresolved[0], res.Unresolved[42])
}
