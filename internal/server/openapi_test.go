package server

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"ismsd/internal/httpapi"
)

// TestOpenAPIMatchesRoutes: every API route the engine really serves is
// documented, every documented operation is served, and every reference
// in the document resolves.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	r := e.client().do("GET", httpapi.DescriptionPath, nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("openapi.json: %d %s", r.status, r.body)
	}
	var doc struct {
		OpenAPI    string                                `json:"openapi"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	r.json(t, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, ri := range e.srv.engine.Routes() {
		if strings.HasPrefix(ri.Path, "/api/v1/") {
			served[ri.Method+" "+httpapi.OpenAPIPath(ri.Path)] = true
		}
	}
	for k := range served {
		if !documented[k] {
			t.Errorf("served but not documented: %s", k)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("documented but not served: %s", k)
		}
	}
	if len(served) < 20 {
		t.Errorf("only %d API routes found", len(served))
	}
	// Every reference must resolve inside the document.
	var whole any
	r.json(t, &whole)
	refs := regexp.MustCompile(`"\$ref":"([^"]+)"`).FindAllStringSubmatch(string(r.body), -1)
	if len(refs) == 0 {
		t.Fatal("no schema references")
	}
	for _, m := range refs {
		if !resolves(whole, m[1]) {
			t.Errorf("reference %s does not resolve", m[1])
		}
	}
	if strings.Contains(string(r.body), `.json"`) && regexp.MustCompile(`"\$ref":"[a-z-]+\.json"`).Match(r.body) {
		t.Error("a file reference was left unrewritten")
	}
}

func TestAPIReferencePage(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	r := e.client().do("GET", "/api/docs", nil, nil)
	body := string(r.body)
	if r.status != http.StatusOK {
		t.Fatalf("api docs: %d", r.status)
	}
	for _, want := range []string{"API-Referenz", "/api/v1/users/:id", "user-create.json", `id="problem-validation"`, "If-Match"} {
		if !strings.Contains(body, want) {
			t.Errorf("reference page lacks %q", want)
		}
	}
}

// resolves follows a local JSON pointer reference ("#/a/b") through doc.
func resolves(doc any, ref string) bool {
	ptr, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	cur := doc
	for _, tok := range strings.Split(ptr, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[tok]; !ok {
			return false
		}
	}
	return true
}
