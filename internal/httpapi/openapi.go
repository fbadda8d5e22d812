package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/problem"
	"ismsd/internal/route"
	"ismsd/internal/validation"
)

// DescriptionPath is where the OpenAPI document is served.
const DescriptionPath = "/api/v1/openapi.json"

// DescriptionRoutes serves the OpenAPI document built from routes, which
// is called when the document is requested (it lists this route too).
func (a *API) DescriptionRoutes(routes func() []route.Route) []route.Route {
	return []route.Route{{Method: http.MethodGet, Path: DescriptionPath, Perm: authz.Public,
		Summary: "This API description (OpenAPI 3.1)",
		Handler: func(c *gin.Context) error {
			doc, err := a.Description(routes())
			if err != nil {
				return err
			}
			c.JSON(http.StatusOK, doc)
			return nil
		}}}
}

var ginParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// textParams are the path parameters that are names, not numeric ids.
var textParams = map[string]bool{"module": true, "requirement": true, "link_type": true, "gate": true, "report": true}

// OpenAPIPath turns a gin path into an OpenAPI path template.
func OpenAPIPath(ginPath string) string { return ginParam.ReplaceAllString(ginPath, "{$1}") }

// Description builds the OpenAPI 3.1 document of the given routes. The
// component schemas are the files of the schemas folder, with their
// references between files rewritten to component references.
func (a *API) Description(routes []route.Route) (map[string]any, error) {
	components, titles, err := componentSchemas()
	if err != nil {
		return nil, err
	}
	ref := func(file string) map[string]any {
		return map[string]any{"$ref": "#/components/schemas/" + titles[file]}
	}
	paths := map[string]map[string]any{}
	for _, r := range routes {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		op := map[string]any{
			"operationId":           operationID(r),
			"summary":               r.Summary,
			"x-required-permission": r.Perm.String(),
		}
		var params []map[string]any
		for _, m := range ginParam.FindAllStringSubmatch(r.Path, -1) {
			typ := "integer"
			if textParams[m[1]] {
				typ = "string"
			}
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": typ}})
		}
		for _, q := range r.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Help, "schema": map[string]any{"type": q.Type}})
		}
		if r.IfMatch {
			params = append(params, map[string]any{"name": "If-Match", "in": "header", "required": true,
				"description": "the ETag of the resource as last read", "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if r.Request != "" {
			if titles[r.Request] == "" {
				return nil, fmt.Errorf("route %s %s: no schema %s", r.Method, r.Path, r.Request)
			}
			content := map[string]any{"application/json": map[string]any{"schema": ref(r.Request)}}
			switch {
			case r.Form:
				content = map[string]any{"multipart/form-data": map[string]any{"schema": ref(r.Request)}}
			case r.Method == http.MethodPatch:
				content[MergePatchType] = map[string]any{"schema": ref(r.Request)}
				op["description"] = "A JSON merge patch (RFC 7396): a member present sets its field, null clears a field that can be empty, an absent member leaves its field as it is."
			}
			op["requestBody"] = map[string]any{"required": true, "content": content}
		}
		success := map[string]any{"description": http.StatusText(r.SuccessStatus())}
		if r.Response != "" {
			if titles[r.Response] == "" {
				return nil, fmt.Errorf("route %s %s: no schema %s", r.Method, r.Path, r.Response)
			}
			schema := ref(r.Response)
			if r.List {
				schema = map[string]any{"type": "object", "required": []string{"items"}, "properties": map[string]any{
					"items":       map[string]any{"type": "array", "items": schema},
					"next_cursor": map[string]any{"type": "string", "description": "pass as cursor for the next page; absent on the last"},
					"total":       map[string]any{"type": "integer", "description": "how many items match in all, where the list counts them (objects, search)"},
				}}
			}
			success["content"] = map[string]any{"application/json": map[string]any{"schema": schema}}
		} else if r.Path == DescriptionPath {
			success["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
		}
		op["responses"] = map[string]any{
			strconv.Itoa(r.SuccessStatus()): success,
			"default": map[string]any{"description": "an error as RFC 9457 problem details",
				"content": map[string]any{problem.ContentType: map[string]any{"schema": ref("problem.json")}}},
		}
		if r.Expensive {
			op["responses"].(map[string]any)["429"] = map[string]any{
				"description": "as many expensive requests (imports, exports, reports) run as the server allows; retry after Retry-After seconds",
				"content":     map[string]any{problem.ContentType: map[string]any{"schema": ref("problem.json")}}}
		}
		if r.Perm.IsPublic() {
			op["security"] = []any{}
		}
		p := OpenAPIPath(r.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(r.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "ismsd API",
			"version":     "1",
			"description": "ISMS for ISO 27001 on the basis of BSI IT-Grundschutz. Errors are RFC 9457 problem details; request bodies are validated against the schemas below and every violation is listed with its JSON pointer; updates need If-Match with the ETag. An id in a path, query or body that the caller may not read (another department's record, or one of another scope where the body names records of the request's scope) is answered 404 exactly like an id that does not exist; every PATCH is a JSON merge patch (RFC 7396), sent as application/merge-patch+json or application/json.",
		},
		"servers":  []any{map[string]any{"url": a.BaseURL}},
		"security": []any{map[string]any{"session": []any{}}, map[string]any{"token": []any{}}},
		"paths":    paths,
		"components": map[string]any{
			"schemas": components,
			"securitySchemes": map[string]any{
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": a.Cookie.Name(), "description": "set by POST /api/v1/session"},
				"token":   map[string]any{"type": "http", "scheme": "bearer", "description": "a personal API token (POST /api/v1/me/tokens)"},
			},
		},
	}, nil
}

func operationID(r route.Route) string {
	parts := []string{strings.ToLower(r.Method)}
	for _, seg := range strings.Split(strings.TrimPrefix(r.Path, "/api/v1/"), "/") {
		if strings.HasPrefix(seg, ":") {
			seg = "by-" + seg[1:]
		}
		parts = append(parts, seg)
	}
	return strings.Join(parts, "-")
}

// componentSchemas loads every schema file under its title and returns
// the file → title map.
func componentSchemas() (map[string]any, map[string]string, error) {
	titles := map[string]string{}
	raw := map[string]map[string]any{}
	names := validation.Names()
	sort.Strings(names)
	for _, n := range names {
		b, err := validation.Schema(n)
		if err != nil {
			return nil, nil, err
		}
		var s map[string]any
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, nil, fmt.Errorf("schema %s: %w", n, err)
		}
		title, _ := s["title"].(string)
		if title == "" {
			return nil, nil, fmt.Errorf("schema %s has no title", n)
		}
		delete(s, "$schema") // the document's dialect is 2020-12 already
		titles[n], raw[n] = title, s
	}
	out := map[string]any{}
	for n, s := range raw {
		out[titles[n]] = rewriteRefs(s, titles, titles[n])
	}
	return out, titles, nil
}

// rewriteRefs points references at the document's components: "grant.json"
// becomes the Grant component, "#/$defs/x" inside a schema its own
// component's $defs, and "text.json#/$defs/x" the Text component's.
func rewriteRefs(v any, titles map[string]string, self string) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if ref, ok := x.(string); ok && k == "$ref" {
				file, fragment, _ := strings.Cut(ref, "#")
				target := self
				if file != "" {
					target = titles[file]
				}
				if target != "" {
					t[k] = "#/components/schemas/" + target + fragment
				}
				continue
			}
			t[k] = rewriteRefs(x, titles, self)
		}
	case []any:
		for i := range t {
			t[i] = rewriteRefs(t[i], titles, self)
		}
	}
	return v
}
