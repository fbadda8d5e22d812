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

	"github.com/chromedp/chromedp"

	"ismsd/internal/catalog/catalogtest"
	"ismsd/internal/catalogimport"
	"ismsd/internal/config"
	"ismsd/internal/domain"
)

func (e *testEnv) demoCatalog() int64 {
	e.t.Helper()
	res, err := catalogimport.New(e.db, 0).ImportDemo(context.Background(), testActor)
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Catalog.ID
}

// importShared imports a file of ../shared/catalogs directly, as the CLI
// would; it returns the result.
func (e *testEnv) importShared(rel string) catalogimport.Result {
	e.t.Helper()
	b := catalogtest.Read(e.t, rel)
	res, err := catalogimport.New(e.db, 0).Import(context.Background(), testActor,
		catalogimport.Request{Name: filepath.Base(rel), Body: bytes.NewReader(b)})
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

// apiScope creates a scope on the catalog through the API, as an ISB would.
func (e *testEnv) apiScope(c *client, name string, catalogID int64) createdScope {
	e.t.Helper()
	r := c.do("POST", "/api/v1/scopes", map[string]any{"name": name, "catalog_id": catalogID, "approach": "standard"}, nil)
	if r.status != http.StatusCreated {
		e.t.Fatalf("create scope %s: %d %s", name, r.status, r.body)
	}
	var s createdScope
	r.json(e.t, &s)
	return s
}

// createdScope is what the API answers on a new scope, as far as the
// tests need it: the scope and its own object.
type createdScope struct {
	ID       int64 `json:"id"`
	ObjectID int64 `json:"object_id"`
}

func TestCatalogAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	id := e.demoCatalog()
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	base := "/api/v1/catalogs/" + strconv.FormatInt(id, 10)

	var list struct {
		Items []map[string]any `json:"items"`
	}
	r := c.do("GET", "/api/v1/catalogs", nil, nil)
	r.json(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("catalogs %s", r.body)
	}
	for _, f := range []string{"id", "kind", "title", "version", "modules", "requirements", "withdrawn", "threats"} {
		if _, ok := list.Items[0][f]; !ok {
			t.Errorf("catalog list lacks %q", f)
		}
	}

	var mods struct {
		Items []struct {
			ID    string `json:"id"`
			Layer string `json:"layer"`
			Basis int    `json:"basis"`
		} `json:"items"`
	}
	c.do("GET", base+"/modules?layer=NET", nil, nil).json(t, &mods)
	if len(mods.Items) != 6 {
		t.Errorf("NET modules %+v", mods)
	}
	for _, m := range mods.Items {
		if m.Layer != "NET" {
			t.Errorf("module %s in layer %s", m.ID, m.Layer)
		}
	}
	r = c.do("GET", base+"/modules/NET.3.1", nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("module: %d %s", r.status, r.body)
	}
	r = c.do("GET", base+"/requirements/NET.3.1.A1", nil, nil)
	var req struct {
		Level   string                `json:"level"`
		Threats []struct{ ID string } `json:"threats"`
		Text    []any                 `json:"text"`
	}
	r.json(t, &req)
	if r.status != http.StatusOK || req.Level != "basis" || len(req.Threats) == 0 || len(req.Text) == 0 {
		t.Fatalf("requirement: %d %s", r.status, r.body)
	}
	problemOf(t, c.do("GET", base+"/requirements/NET.3.1.A999", nil, nil), http.StatusNotFound)
	problemOf(t, c.do("GET", "/api/v1/catalogs/999/modules", nil, nil), http.StatusNotFound)

	// Search: ranked, highlighted, filtered.
	var hits struct {
		Items []struct {
			ID    string `json:"id"`
			Level string `json:"level"`
			Title []struct {
				Text  string `json:"text"`
				Match bool   `json:"match"`
			} `json:"title"`
		} `json:"items"`
		Total      int    `json:"total"`
		NextCursor string `json:"next_cursor"`
	}
	r = c.do("GET", "/api/v1/search?q=Router&limit=3", nil, nil)
	r.json(t, &hits)
	if hits.Total < 4 || len(hits.Items) != 3 || hits.NextCursor != "3" {
		t.Fatalf("search Router: %s", r.body)
	}
	matched := false
	for _, s := range hits.Items[0].Title {
		matched = matched || s.Match && strings.Contains(strings.ToLower(s.Text), "router")
	}
	if !matched {
		t.Errorf("best hit %+v has no highlighted 'Router' in its title", hits.Items[0])
	}
	c.do("GET", "/api/v1/search?q=Router&level=basis", nil, nil).json(t, &hits)
	for _, it := range hits.Items {
		if it.Level != "basis" {
			t.Errorf("level filter let %s (%s) through", it.ID, it.Level)
		}
	}
	c.do("GET", "/api/v1/search?q=NET.3.1.A1", nil, nil).json(t, &hits)
	if len(hits.Items) == 0 || hits.Items[0].ID != "NET.3.1.A1" {
		t.Errorf("search by ID: %+v", hits.Items)
	}
	p := problemOf(t, c.do("GET", "/api/v1/search?q=&level=x", nil, nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 2 {
		t.Errorf("bad search: %+v", p.Errors)
	}
}

func TestCatalogUpload(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, func(c *config.Config) { c.CatalogMaxBytes = 64 << 10 })
	c := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})
	own, err := os.ReadFile(filepath.Join("..", "catalog", "oscal", "testdata", "tiny-catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := c.upload("/api/v1/catalogs", nil, "tiny-catalog.json", bytes.NewReader(own), nil)
	if r.status != http.StatusCreated || r.header.Get("Location") == "" {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	r = c.upload("/api/v1/catalogs", nil, "again.json", bytes.NewReader(own), nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"unchanged":true`) {
		t.Errorf("second upload: %d %s", r.status, r.body)
	}
	p := problemOf(t, c.upload("/api/v1/catalogs", nil, "broken.json", bytes.NewReader(own[:len(own)/2]), nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/file" || !strings.Contains(p.Errors[0].Detail, "line") {
		t.Errorf("broken upload: %+v", p)
	}
	// A well-formed file that breaks a rule of OSCAL or Grundschutz++ is
	// refused with a pointer into the file, and nothing is stored.
	bad := []byte(`{"catalog":{"uuid":"u","metadata":{"title":"T"},"groups":[{"id":"G","title":"G","controls":[
		{"id":"G.1","title":"a","parts":[{"name":"statement","prose":"x","props":[{"name":"modal_verb","value":"MUSS"}]}]},
		{"id":"G.2","title":"b","parts":[{"name":"guidance"},{"name":"statement","prose":"y","props":[{"name":"result","value":"r"},{"name":"modal_verb","value":"DARF"}]}]}]}]}}`)
	before := len(c.do("GET", "/api/v1/catalogs", nil, nil).body)
	p = problemOf(t, c.upload("/api/v1/catalogs", nil, "bad.json", bytes.NewReader(bad), nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/file/catalog/groups/0/controls/1/parts/1/props/1" || !strings.Contains(p.Errors[0].Detail, `"DARF"`) {
		t.Errorf("bad modal verb: %+v", p)
	}
	if after := len(c.do("GET", "/api/v1/catalogs", nil, nil).body); after != before {
		t.Errorf("a refused catalog changed the list")
	}
	problemOf(t, c.upload("/api/v1/catalogs", map[string]string{"kind": "spreadsheet"}, "x.json", bytes.NewReader(own), nil), http.StatusUnprocessableEntity)
	problemOf(t, c.do("POST", "/api/v1/catalogs", []byte(`{}`), nil), http.StatusUnsupportedMediaType)
	// Over the catalog limit, and over the body limit of the route (limit + 1 MiB).
	problemOf(t, c.upload("/api/v1/catalogs", nil, "big.json", bytes.NewReader(bytes.Repeat([]byte(" "), 100<<10)), nil), http.StatusRequestEntityTooLarge)
	problemOf(t, c.upload("/api/v1/catalogs", nil, "bigger.json", bytes.NewReader(bytes.Repeat([]byte(" "), 2<<20)), nil), http.StatusRequestEntityTooLarge)
	mustContain(t, c.upload("/catalogs", nil, "big.json", bytes.NewReader(bytes.Repeat([]byte(" "), 100<<10)), nil), http.StatusRequestEntityTooLarge, "größer als")
	// Through the page: the same import with a German answer.
	r = c.upload("/catalogs", nil, "again.json", bytes.NewReader(own), nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("form upload: %d %s", r.status, firstLine(r.body))
	}
	mustContain(t, c.do("GET", r.header.Get("Location"), nil, nil), http.StatusOK, "bereits importiert")
	mustContain(t, c.upload("/catalogs", nil, "broken.json", bytes.NewReader(own[:len(own)/2]), nil), http.StatusUnprocessableEntity, "Die Datei wurde nicht importiert", "line")
	cs, _ := e.db.ListCatalogs(context.Background())
	if len(cs) != 1 {
		t.Errorf("%d catalogs after refused uploads", len(cs))
	}
}

func TestCatalogPages(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	id := e.demoCatalog()
	c := e.loggedIn("dora", domain.Grant{Role: domain.RoleAuditor})
	base := "/catalogs/" + strconv.FormatInt(id, 10)
	mustContain(t, c.do("GET", "/catalogs", nil, nil), http.StatusOK, "Demo-Auszug", "Kompendium")
	mustContain(t, c.do("GET", base, nil, nil), http.StatusOK, "NET: Netze und Kommunikation", "NET.3.1", "Router und Switches", "Demo-Auszug:")
	mustContain(t, c.do("GET", base+"/modules/NET.3.1", nil, nil), http.StatusOK, "NET.3.1.A1", "Grundsätzlich zuständig")
	mustContain(t, c.do("GET", base+"/requirements/NET.3.1.A1", nil, nil), http.StatusOK, "Elementare Gefährdungen", "Basis", "G 0.")
	mustContain(t, c.do("GET", base+"/threats", nil, nil), http.StatusOK, "G 0.1", "Feuer")
	r := c.do("GET", "/search?q=Router+Konfiguration", nil, nil)
	mustContain(t, r, http.StatusOK, "Treffer", "<mark>")
	if strings.Contains(string(r.body), "\ue000") {
		t.Error("raw hit markers reach the page")
	}
	mustContain(t, c.do("GET", "/search", nil, nil), http.StatusOK, "Suche in den Katalogen")
	mustContain(t, c.do("GET", base+"/modules/XYZ.9", nil, nil), http.StatusNotFound, "Diesen Baustein gibt es")
}

func TestBrowserSearch(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	id := e.demoCatalog()
	e.user("ines", domain.Grant{Role: domain.RoleISB})
	ctx := newBrowser(t)
	e.signIn(t, ctx, "ines", "/catalogs",
		chromedp.WaitVisible("#q"),
		chromedp.SendKeys("#q", "Router"),
		chromedp.Submit("#q"),
		chromedp.WaitVisible(".hits"),
	)
	marks, err := chromedp.Run(ctx, chromedp.Text(".hit h2 mark"))
	if err != nil || !strings.HasPrefix(strings.ToLower(marks), "router") {
		t.Errorf("first highlighted hit %q (%v)", marks, err)
	}
	screenshot(t, ctx, "search")
	browse(t, ctx, chromedp.Click(".hit h2 a"), chromedp.WaitVisible("#threats-h"))
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.Contains(loc, "/catalogs/"+strconv.FormatInt(id, 10)+"/requirements/") {
		t.Errorf("hit led to %s", loc)
	}
	screenshot(t, ctx, "requirement")
}
