package webui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/problem"
	"ismsd/internal/route"
	"ismsd/internal/validation"
)

// APIDocsPath is the HTML reference of the API.
const APIDocsPath = "/api/docs"

type apiDocsPage struct {
	Groups   []apiGroup
	Problems []problem.Kind
	Spec     string
}

type apiGroup struct {
	Name      string
	Endpoints []apiEndpoint
}

type apiEndpoint struct {
	Anchor, Method, Path, Summary, Access string
	Status                                int
	Request                               []schemaField
	RequestName, ResponseName             string
	List, IfMatch                         bool
	Query                                 []route.Param
}

type schemaField struct {
	Name, Type, Rules, Description string
	Required                       bool
}

// APIDocsRoute renders the reference from the registered API routes, so
// it always describes what the server really does.
func (u *UI) APIDocsRoute(routes func() []route.Route) route.Route {
	return route.Route{Method: http.MethodGet, Path: APIDocsPath, Perm: authz.Public, AllowPendingPasswordChange: true,
		Handler: func(c *gin.Context) error {
			d, err := apiDocs(routes())
			if err != nil {
				return err
			}
			return u.render(c, http.StatusOK, "apidocs", "API-Referenz", d)
		}}
}

func apiDocs(routes []route.Route) (apiDocsPage, error) {
	d := apiDocsPage{Problems: problem.Table, Spec: "/api/v1/openapi.json"}
	groups := map[string]*apiGroup{}
	var order []string
	for _, r := range routes {
		rest, ok := strings.CutPrefix(r.Path, "/api/v1/")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, "/")
		if groups[name] == nil {
			groups[name] = &apiGroup{Name: name}
			order = append(order, name)
		}
		e := apiEndpoint{Method: r.Method, Path: r.Path, Summary: r.Summary, Access: accessLabel(r.Perm),
			Status: r.SuccessStatus(), RequestName: r.Request, ResponseName: r.Response, List: r.List,
			IfMatch: r.IfMatch, Query: r.Query,
			Anchor: strings.ToLower(r.Method) + strings.NewReplacer("/", "-", ":", "").Replace(r.Path)}
		if r.Request != "" {
			fields, err := schemaFields(r.Request)
			if err != nil {
				return d, err
			}
			e.Request = fields
		}
		groups[name].Endpoints = append(groups[name].Endpoints, e)
	}
	for _, n := range order {
		d.Groups = append(d.Groups, *groups[n])
	}
	return d, nil
}

func accessLabel(p authz.Permission) string {
	switch {
	case p.IsPublic():
		return "ohne Anmeldung"
	case !p.NeedsRole():
		return "jede angemeldete Person"
	}
	return "Berechtigung " + p.String()
}

// schemaFields lists the top-level properties of a request schema.
func schemaFields(name string) ([]schemaField, error) {
	raw, err := validation.Schema(name)
	if err != nil {
		return nil, err
	}
	var s struct {
		Required   []string                  `json:"required"`
		Properties map[string]map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("schema %s: %w", name, err)
	}
	var out []schemaField
	for prop, def := range s.Properties {
		f := schemaField{Name: prop, Type: typeOf(def)}
		for _, r := range s.Required {
			f.Required = f.Required || r == prop
		}
		var rules []string
		for _, k := range []string{"minLength", "maxLength", "minimum", "pattern", "format"} {
			if v, ok := def[k]; ok {
				rules = append(rules, fmt.Sprintf("%s %v", k, v))
			}
		}
		if v, ok := def["enum"]; ok {
			rules = append(rules, fmt.Sprintf("eins von %v", v))
		}
		f.Rules = strings.Join(rules, ", ")
		f.Description, _ = def["description"].(string)
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Required != out[j].Required {
			return out[i].Required
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

func typeOf(def map[string]any) string {
	switch t := def["type"].(type) {
	case string:
		return t
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, " | ")
	}
	if _, ok := def["enum"]; ok {
		return "string"
	}
	if alts, ok := def["anyOf"].([]any); ok {
		var parts []string
		for _, a := range alts {
			m, _ := a.(map[string]any)
			if p := typeOf(m); !slices.Contains(parts, p) {
				parts = append(parts, p)
			}
		}
		return strings.Join(parts, " | ")
	}
	if _, ok := def["const"]; ok {
		return "string"
	}
	return "any"
}
