package server

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"ismsd/internal/route"
	"ismsd/internal/validation"
)

// Every answer a test receives through the client is checked against the
// schema its route documents (Route.Response), so the API description
// cannot drift from what the handlers send: the check lives here, once,
// instead of in the tests that happen to remember it.

// responseValidator compiles the schemas once for the whole package.
var responseValidator = sync.OnceValues(validation.New)

// responseTally records which response schemas the tests have checked, for
// the line printed after the package's tests (see TestMain).
var responseTally = struct {
	sync.Mutex
	declared map[string]bool // every Route.Response of the route table
	checked  map[string]bool
}{declared: map[string]bool{}, checked: map[string]bool{}}

// tallyRun runs the tests and then says how many of the documented
// response schemas were checked against a real answer. A run of the whole
// package fails when one was never checked: a route's answer that no test
// reads is a description nobody holds to the handler.
type tallyRun struct{ m *testing.M }

func (r tallyRun) Run() int {
	code := r.m.Run()
	checked, declared, missing := responseSchemaTally()
	if declared == 0 {
		return code
	}
	fmt.Printf("response schemas checked against a real answer: %d of %d", checked, declared)
	if len(missing) > 0 && wholePackage() {
		fmt.Printf("; never: %s", strings.Join(missing, ", "))
	}
	fmt.Println()
	if code == 0 && len(missing) > 0 && wholePackage() {
		fmt.Println("FAIL: every response schema of the route table must be checked by at least one test")
		return 1
	}
	return code
}

// wholePackage reports whether every test of the package ran: no -run or
// -skip filter, no -short.
func wholePackage() bool {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return !testing.Short()
}

func responseSchemaTally() (checked, declared int, missing []string) {
	responseTally.Lock()
	defer responseTally.Unlock()
	for name := range responseTally.declared {
		if responseTally.checked[name] {
			checked++
		} else {
			missing = append(missing, name)
		}
	}
	slices.Sort(missing)
	return checked, len(responseTally.declared), missing
}

// checkResponse validates a 2xx application/json answer against the
// Response schema of the route that served it (each item of "items" when
// the route answers a list). A violation fails the test.
func (e *testEnv) checkResponse(method, path string, status int, header http.Header, body []byte) {
	e.t.Helper()
	routes := e.srv.Routes()
	responseTally.Lock()
	for _, r := range routes {
		if r.Response != "" {
			responseTally.declared[r.Response] = true
		}
	}
	responseTally.Unlock()
	if status < 200 || status > 299 || method == http.MethodHead || len(body) == 0 {
		return
	}
	if mt, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mt != "application/json" {
		return
	}
	r, ok := routeOf(routes, method, path)
	if !ok || r.Response == "" {
		return
	}
	if err := validResponse(r, body); err != nil {
		e.t.Errorf("%s %s answered %d with a body that does not match %s: %v\n%.600s", method, path, status, r.Response, err, body)
		return
	}
	responseTally.Lock()
	responseTally.checked[r.Response] = true
	responseTally.Unlock()
}

// validResponse checks body against the route's response schema.
func validResponse(r route.Route, body []byte) error {
	v, err := responseValidator()
	if err != nil {
		return err
	}
	if !r.List {
		if err := v.Validate(r.Response, body); err != nil {
			return err
		}
		return undeclaredMembers(r.Response, body)
	}
	// The envelope the API description gives every list.
	var list map[string]json.RawMessage
	if err := json.Unmarshal(body, &list); err != nil {
		return err
	}
	for k, raw := range list {
		switch k {
		case "items":
		case "next_cursor":
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return fmt.Errorf("next_cursor: %v", err)
			}
		case "total":
			var n int
			if err := json.Unmarshal(raw, &n); err != nil {
				return fmt.Errorf("total: %v", err)
			}
		default:
			return fmt.Errorf("the list has a member %q besides items, next_cursor and total", k)
		}
	}
	var items []json.RawMessage
	if err := json.Unmarshal(list["items"], &items); err != nil || list["items"] == nil || bytes.Equal(list["items"], []byte("null")) {
		return fmt.Errorf("the list has no array items")
	}
	for i, it := range items {
		if err := v.Validate(r.Response, it); err != nil {
			return fmt.Errorf("items/%d: %w", i, err)
		}
		if err := undeclaredMembers(r.Response, it); err != nil {
			return fmt.Errorf("items/%d: %w", i, err)
		}
	}
	return nil
}

// undeclaredMembers refuses members of an object that the schema does not
// name: the response schemas leave additionalProperties open, so that a
// client's validator accepts a field added later, and the test holds the
// server to documenting every field it sends.
func undeclaredMembers(schemaFile string, body []byte) error {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return err
	}
	var found []string
	walkDeclared(doc, []schemaAt{{file: schemaFile}}, "", &found)
	if len(found) > 0 {
		slices.Sort(found)
		return fmt.Errorf("members the schema does not declare: %s", strings.Join(found, ", "))
	}
	return nil
}

// schemaAt is a schema inside a schema file (ptr "" is the file's root).
type schemaAt struct{ file, ptr string }

var schemaDocs sync.Map // file name -> parsed schema

func (s schemaAt) node() map[string]any {
	doc, ok := schemaDocs.Load(s.file)
	if !ok {
		raw, err := validation.Schema(s.file)
		if err != nil {
			panic(err)
		}
		var parsed any
		if err := json.Unmarshal(raw, &parsed); err != nil {
			panic(err)
		}
		doc, _ = schemaDocs.LoadOrStore(s.file, parsed)
	}
	cur := doc
	for _, tok := range strings.Split(strings.TrimPrefix(s.ptr, "/"), "/") {
		if tok == "" {
			continue
		}
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			var i int
			fmt.Sscan(tok, &i)
			cur = c[i]
		}
	}
	m, _ := cur.(map[string]any)
	return m
}

func (s schemaAt) child(path ...string) schemaAt {
	return schemaAt{file: s.file, ptr: s.ptr + "/" + strings.Join(path, "/")}
}

// applying lists s and every schema that applies in place with it:
// the targets of $ref and the branches of allOf, anyOf and oneOf.
func (s schemaAt) applying() []schemaAt {
	out := []schemaAt{s}
	n := s.node()
	if ref, ok := n["$ref"].(string); ok {
		file, frag, _ := strings.Cut(ref, "#")
		if file == "" {
			file = s.file
		}
		out = append(out, schemaAt{file: file, ptr: frag}.applying()...)
	}
	for _, kw := range []string{"allOf", "anyOf", "oneOf"} {
		branches, _ := n[kw].([]any)
		for i := range branches {
			out = append(out, s.child(kw, fmt.Sprint(i)).applying()...)
		}
	}
	return out
}

// walkDeclared collects the pointers of members of doc that none of the
// schemas declares, where at least one of them lists properties and none
// leaves further members open.
func walkDeclared(doc any, schemas []schemaAt, ptr string, found *[]string) {
	var all []schemaAt
	for _, s := range schemas {
		all = append(all, s.applying()...)
	}
	switch d := doc.(type) {
	case map[string]any:
		lists, open := false, false
		var extra []schemaAt
		for _, s := range all {
			n := s.node()
			if _, ok := n["properties"]; ok {
				lists = true
			}
			switch ap := n["additionalProperties"].(type) {
			case map[string]any:
				open = true
				extra = append(extra, s.child("additionalProperties"))
			case bool:
				open = open || ap
			}
		}
		for k, v := range d {
			var subs []schemaAt
			for _, s := range all {
				if props, ok := s.node()["properties"].(map[string]any); ok && props[k] != nil {
					subs = append(subs, s.child("properties", k))
				}
			}
			if len(subs) == 0 {
				subs = extra
			}
			if len(subs) == 0 && lists && !open {
				*found = append(*found, ptr+"/"+k)
				continue
			}
			walkDeclared(v, subs, ptr+"/"+k, found)
		}
	case []any:
		var items []schemaAt
		for _, s := range all {
			if _, ok := s.node()["items"].(map[string]any); ok {
				items = append(items, s.child("items"))
			}
		}
		for i, v := range d {
			walkDeclared(v, items, fmt.Sprintf("%s/%d", ptr, i), found)
		}
	}
}

// routeOf finds the route that serves method and path, with gin's path
// syntax (":name" is one segment, "*name" the rest) and its precedence: a
// fixed segment wins over a parameter, a parameter over the rest.
func routeOf(routes []route.Route, method, path string) (route.Route, bool) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var best route.Route
	var bestRank []int
	for _, r := range routes {
		if r.Method != method {
			continue
		}
		rank, ok := matchPath(strings.Split(strings.TrimPrefix(r.Path, "/"), "/"), segs)
		if ok && (bestRank == nil || slices.Compare(rank, bestRank) < 0) {
			best, bestRank = r, rank
		}
	}
	return best, bestRank != nil
}

// matchPath reports whether the pattern's segments match, and per segment
// how general the match was (0 fixed, 1 parameter, 2 the rest).
func matchPath(pattern, segs []string) ([]int, bool) {
	rank := make([]int, 0, len(pattern))
	for i, p := range pattern {
		switch {
		case strings.HasPrefix(p, "*"):
			return append(rank, 2), true
		case i >= len(segs):
			return nil, false
		case strings.HasPrefix(p, ":"):
			if segs[i] == "" {
				return nil, false
			}
			rank = append(rank, 1)
		case p != segs[i]:
			return nil, false
		default:
			rank = append(rank, 0)
		}
	}
	return rank, len(pattern) == len(segs)
}

func TestRouteOf(t *testing.T) {
	routes := []route.Route{
		{Method: "GET", Path: "/api/v1/me/:x"},
		{Method: "GET", Path: "/api/v1/me/tokens"},
		{Method: "GET", Path: "/api/v1/users/:id"},
		{Method: "POST", Path: "/api/v1/users/:id"},
		{Method: "GET", Path: "/static/*file"},
		{Method: "GET", Path: "/"},
	}
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/api/v1/me/tokens", "/api/v1/me/tokens"},
		{"GET", "/api/v1/me/sessions", "/api/v1/me/:x"},
		{"POST", "/api/v1/users/7", "/api/v1/users/:id"},
		{"GET", "/api/v1/users/7/grants", ""},
		{"GET", "/api/v1/users/", ""},
		{"GET", "/static/css/site.css", "/static/*file"},
		{"GET", "/", "/"},
		{"DELETE", "/api/v1/users/7", ""},
	} {
		r, _ := routeOf(routes, c.method, c.path)
		if got := r.Path; got != c.want {
			t.Errorf("%s %s: got %q, want %q", c.method, c.path, got, c.want)
		}
	}
}

func TestUndeclaredMembers(t *testing.T) {
	for _, c := range []struct {
		schema, body string
		want         string // "" when every member is declared
	}{
		{"grant.json", `{"id": 1, "role": "isb", "department_id": null, "extra": 1}`, "/extra"},
		{"grant.json", `{"id": 1, "role": "isb", "department_id": null}`, ""},
		// me.json is user.json (allOf) and one member more.
		{"me.json", `{"id": 1, "authenticated_by": "token", "grants": [{"id": 2, "role": "isb", "x": 0}]}`, "/grants/0/x"},
		// A nullable reference (oneOf) and a map (additionalProperties).
		{"risk-analysis.json", `{"acceptance": {"id": 1, "y": 2}}`, "/acceptance/y"},
		{"readiness-history.json", `{"items": [{"gates": {"G1": 1}}]}`, ""},
	} {
		err := undeclaredMembers(c.schema, []byte(c.body))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s %s: %v", c.schema, c.body, err)
		case c.want != "" && (err == nil || !strings.HasSuffix(err.Error(), ": "+c.want)):
			t.Errorf("%s %s: got %v, want %s", c.schema, c.body, err, c.want)
		}
	}
}
