package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ismsd/internal/demo"
	"ismsd/internal/domain"
	"ismsd/internal/problem"
	"ismsd/schemas"
)

// badText are the malformed texts of the sweep: a NUL and an invalid
// UTF-8 byte, each as it travels in JSON (escaped or raw), in a URL
// (percent-encoded) and in a form (raw).
var badText = []struct {
	name, json, url, raw string
}{
	{"NUL", `"a\u0000b"`, "a%00b", "a\x00b"},
	{"invalid UTF-8", "\"a\xffb\"", "a%FFb", "a\xffb"},
}

// TestMalformedInputSweep sends NUL and invalid UTF-8 as an administrator
// (so that authorization lets every request in) through every way input
// enters: every string field (and a member name) of every JSON request
// schema, every text field and the file name of every multipart upload, a
// query parameter and every path parameter of every route, and a form
// field of every page POST. No answer may be a 5xx, and each must be the
// refusal (422) naming the field, since the text is checked wherever it
// is read. The demo network gives every path an existing record, so that
// handlers get as far as reading their input.
func TestMalformedInputSweep(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, e.db, e.accounts, testActor); err != nil {
		t.Fatal(err)
	}
	// Management besides admin: only management accepts risks.
	c := e.loggedIn("sweeper", domain.Grant{Role: domain.RoleAdmin}, domain.Grant{Role: domain.RoleManagement})
	bystander := e.user("bystander", domain.Grant{Role: domain.RoleISB})
	params := sweepParams(t, e, bystander.ID)

	var tried, failed5xx int
	expect := func(what string, r response, pointers ...string) {
		t.Helper()
		tried++
		if r.status >= 500 {
			failed5xx++
			t.Errorf("%s: %d %s", what, r.status, firstLine(r.body))
			return
		}
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s, want 422", what, r.status, firstLine(r.body))
			return
		}
		if r.header.Get("Content-Type") != problem.ContentType {
			return // a page: the German error page says it
		}
		var p problem.Problem
		r.json(t, &p)
		if !slices.ContainsFunc(p.Errors, func(v domain.Violation) bool { return slices.Contains(pointers, v.Pointer) }) {
			t.Errorf("%s: violations %+v, want one at %q", what, p.Errors, pointers)
		}
	}
	ifMatch := map[string]string{"If-Match": `"1"`}

	for _, r := range e.srv.Routes() {
		// A request that got through to a handler may have ended the
		// session (logout): log in again, so every route is tried
		// signed in.
		if c.do("GET", "/api/v1/me", nil, nil).status != http.StatusOK {
			c = e.login("sweeper")
		}
		path := params(r.Path)
		isAPI := strings.HasPrefix(r.Path, "/api/")
		var form any // an empty form for page POSTs, an empty object for API writes
		if r.Method != http.MethodGet {
			form = []byte(`{}`)
			if !isAPI {
				form = ""
			}
		}
		for _, bad := range badText {
			// A query parameter, on every route.
			expect(fmt.Sprintf("%s %s?q=<%s>", r.Method, r.Path, bad.name),
				c.do(r.Method, path+"?q="+bad.url, form, ifMatch), "/q")
			// Every path parameter.
			for _, seg := range strings.Split(r.Path, "/") {
				if seg == "" || seg[0] != ':' && seg[0] != '*' {
					continue
				}
				bent := strings.Replace(r.Path, seg, bad.url, 1)
				expect(fmt.Sprintf("%s %s with %s=<%s>", r.Method, r.Path, seg, bad.name),
					c.do(r.Method, params(bent), form, ifMatch), "/"+seg[1:])
			}
			// A form field of every page POST.
			if !isAPI && r.Method == http.MethodPost && !isUpload(r.Path) {
				expect(fmt.Sprintf("POST %s form name=<%s>", r.Path, bad.name),
					c.do(r.Method, path, "name="+bad.url, nil), "/name")
			}
		}
		// Every string of the JSON request schema, and a member name.
		if r.Request != "" && !r.Form {
			fields := stringFields(t, r.Request)
			fields = append(fields, schemaField{segments: []segment{{name: "x\x00y"}}})
			for _, f := range fields {
				for _, bad := range badText {
					expect(fmt.Sprintf("%s %s %s=<%s>", r.Method, r.Path, f.pointer(), bad.name),
						c.do(r.Method, path, f.body(bad.json), ifMatch), f.pointer())
				}
			}
		}
		// Every text field of a multipart upload, and the file's name.
		if r.Form || !isAPI && r.Method == http.MethodPost && isUpload(r.Path) {
			fields := []string{"title", "description", "reference", "note", "kind", "format"}
			if r.Request != "" {
				fields = nil
				for _, f := range stringFields(t, r.Request) {
					if name := f.pointer()[1:]; name != "file" && !slices.Contains(fields, name) {
						fields = append(fields, name)
					}
				}
			}
			for _, bad := range badText {
				for _, name := range fields {
					expect(fmt.Sprintf("%s %s multipart %s=<%s>", r.Method, r.Path, name, bad.name),
						c.upload(path, map[string]string{name: bad.raw}, "a.csv", strings.NewReader("x"), ifMatch), "/"+name)
				}
				// A NUL breaks the part's header, which cannot say then
				// which field it was.
				expect(fmt.Sprintf("%s %s multipart file name <%s>", r.Method, r.Path, bad.name),
					c.upload(path, nil, bad.raw+".pdf", strings.NewReader("%PDF-1.4"), ifMatch), "/file", "")
			}
		}
	}
	t.Logf("malformed inputs tried: %d, answered with 5xx: %d", tried, failed5xx)
	if tried < 1000 {
		t.Errorf("only %d malformed inputs tried", tried)
	}
}

// isUpload tells the page routes that take multipart uploads.
func isUpload(path string) bool {
	return slices.Contains([]string{"/scopes/:id/evidence", "/evidence/:id/versions", "/catalogs", "/scopes/:id/import"}, path)
}

// sweepParams returns a function filling a route's path parameters with
// records of the demo network, by the kind of record the path names.
func sweepParams(t *testing.T, e *testEnv, userID int64) func(string) string {
	t.Helper()
	owner := e.ownerDB()
	first := func(q string) string {
		var id int64
		if err := owner.QueryRow(q).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return strconv.FormatInt(id, 10)
	}
	// A path's ":id" is a record of the kind the segment before it names.
	ids := map[string]string{
		"users":                 strconv.FormatInt(userID, 10),
		"sessions":              "999999",
		"tokens":                "999999",
		"catalogs":              first(`SELECT max(id) FROM catalogs`),
		"departments":           first(`SELECT max(id) FROM departments`),
		"scopes":                first(`SELECT max(id) FROM scopes`),
		"objects":               first(`SELECT min(object_id) FROM risk_analyses`),
		"risk-items":            first(`SELECT min(id) FROM risk_items`),
		"check-entries":         first(`SELECT min(id) FROM check_entries`),
		"plan-items":            first(`SELECT min(id) FROM plan_items`),
		"evidence":              first(`SELECT min(id) FROM evidence`),
		"audits":                first(`SELECT min(id) FROM audits`),
		"sample-items":          first(`SELECT min(id) FROM audit_samples`),
		"findings":              first(`SELECT min(id) FROM findings`),
		"guidelines":            first(`SELECT max(id) FROM guidelines`),
		"policies":              first(`SELECT min(id) FROM policies`),
		"certificates":          first(`SELECT min(id) FROM certificates`),
		"exceptions":            "999999", // the demo network's scope follows the Kompendium: no exceptions
		"component-definitions": "999999",
		"mappings":              "999999",
	}
	fixed := map[string]string{":grant": "999999", ":session": "999999", ":target": first(`SELECT max(id) FROM objects`),
		":module": "ISMS.1", ":requirement": "ISMS.1.A1", ":file": "999999", ":number": "1", ":link_type": "check_entry",
		":link_id": "999999", ":item": ids["risk-items"], ":report": "a1", ":gate": "g1", "*file": "style.css"}
	return func(path string) string {
		segs := strings.Split(path, "/")
		for i, s := range segs {
			if v, ok := fixed[s]; ok {
				segs[i] = v
			} else if s == ":id" {
				v, ok := ids[segs[i-1]]
				if !ok {
					t.Fatalf("no record for %s", path)
				}
				segs[i] = v
			}
		}
		return strings.Join(segs, "/")
	}
}

// segment is one step of a pointer into a request body.
type segment struct {
	name  string
	array bool // an element of an array (index 0)
}

// schemaField is where a string stands in a request body.
type schemaField struct{ segments []segment }

func (f schemaField) pointer() string {
	var b strings.Builder
	for _, s := range f.segments {
		b.WriteByte('/')
		if s.array {
			b.WriteByte('0')
		} else {
			b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(s.name))
		}
	}
	return b.String()
}

// body is the smallest document holding value (raw JSON) at the field.
func (f schemaField) body(value string) []byte {
	out := value
	for i := len(f.segments) - 1; i >= 0; i-- {
		if f.segments[i].array {
			out = "[" + out + "]"
		} else {
			name, _ := json.Marshal(f.segments[i].name)
			out = "{" + string(name) + ":" + out + "}"
		}
	}
	return []byte(out)
}

// stringFields walks a request schema (following $ref, anyOf, oneOf,
// allOf, properties and items) to every place that takes a string.
func stringFields(t *testing.T, file string) []schemaField {
	t.Helper()
	docs := map[string]map[string]any{}
	load := func(name string) map[string]any {
		if d, ok := docs[name]; ok {
			return d
		}
		raw, err := fs.ReadFile(schemas.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		var d map[string]any
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		docs[name] = d
		return d
	}
	var out []schemaField
	seen := map[string]bool{}
	var walk func(file string, s map[string]any, at []segment, depth int)
	walk = func(file string, s map[string]any, at []segment, depth int) {
		if depth > 20 {
			return
		}
		if ref, ok := s["$ref"].(string); ok {
			target, frag, _ := strings.Cut(ref, "#")
			if target == "" {
				target = file
			}
			node := any(load(target))
			for _, p := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
				if p != "" {
					node = node.(map[string]any)[p]
				}
			}
			walk(target, node.(map[string]any), at, depth+1)
		}
		for _, key := range []string{"anyOf", "oneOf", "allOf"} {
			for _, sub := range asList(s[key]) {
				walk(file, sub.(map[string]any), at, depth+1)
			}
		}
		if takesString(s) {
			f := schemaField{segments: slices.Clone(at)}
			if !seen[f.pointer()] {
				seen[f.pointer()] = true
				out = append(out, f)
			}
		}
		if props, ok := s["properties"].(map[string]any); ok {
			names := make([]string, 0, len(props))
			for n := range props {
				names = append(names, n)
			}
			slices.Sort(names)
			for _, n := range names {
				walk(file, props[n].(map[string]any), append(slices.Clone(at), segment{name: n}), depth+1)
			}
		}
		if items, ok := s["items"].(map[string]any); ok {
			walk(file, items, append(slices.Clone(at), segment{array: true}), depth+1)
		}
	}
	walk(file, load(file), nil, 0)
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// takesString tells a schema that accepts some string.
func takesString(s map[string]any) bool {
	switch ty := s["type"].(type) {
	case string:
		if ty == "string" {
			return true
		}
	case []any:
		if slices.Contains(ty, any("string")) {
			return true
		}
	}
	if _, ok := s["const"].(string); ok {
		return true
	}
	return slices.ContainsFunc(asList(s["enum"]), func(v any) bool { _, ok := v.(string); return ok })
}
