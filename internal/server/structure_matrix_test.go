package server

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ismsd/internal/domain"
)

// The web pages of the Informationsverbund: everyone with a role reads
// the organisation tree, the scopes and (within their departments) the
// objects; ISBs and administrators shape them.
func init() {
	for k, v := range map[string][]string{
		"GET /departments":                              allRoles,
		"POST /departments":                             writers,
		"POST /departments/:id":                         writers,
		"POST /departments/:id/delete":                  writers,
		"GET /scopes":                                   allRoles,
		"POST /scopes":                                  writers,
		"GET /scopes/:id":                               allRoles,
		"POST /scopes/:id":                              writers,
		"GET /scopes/:id/objects":                       allRoles,
		"POST /scopes/:id/objects":                      writers,
		"GET /scopes/:id/objects/new":                   writers,
		"GET /scopes/:id/needs":                         allRoles,
		"GET /scopes/:id/modelling":                     allRoles,
		"POST /scopes/:id/modelling":                    writers,
		"GET /objects/:id":                              allRoles,
		"POST /objects/:id":                             writers,
		"GET /objects/:id/edit":                         writers,
		"POST /objects/:id/delete":                      writers,
		"POST /objects/:id/needs":                       writers,
		"POST /objects/:id/dependencies":                writers,
		"POST /objects/:id/dependencies/:target/remove": writers,
		"POST /objects/:id/modules":                     writers,
		"POST /objects/:id/modules/:module/remove":      writers,
		"POST /objects/:id/components":                  writers,
		"POST /objects/:id/components/:cid/remove":      writers,
	} {
		expectedAccess[k] = v
	}
}

// TestStructurePagesDenyOnlyByRole walks the pages of the
// Informationsverbund with real scope, object and department ids (the
// matrix above uses ids that do not exist): allowed roles are never
// refused with 403, whatever the department of the object, and the
// others are refused by the authorization middleware.
func TestStructurePagesDenyOnlyByRole(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	s.depend(t, s.app, s.server)
	subjects := map[string]domain.Grant{
		"admin":           {Role: domain.RoleAdmin},
		"isb":             {Role: domain.RoleISB, DepartmentID: &s.inn}, // writes elsewhere
		"auditor":         {Role: domain.RoleAuditor},
		"department_head": {Role: domain.RoleDepartmentHead, DepartmentID: &s.inn},
		"management":      {Role: domain.RoleManagement},
	}
	clients := map[string]*client{}
	for name, g := range subjects {
		clients[name] = e.loggedIn("s-"+name, g)
	}
	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	for _, r := range e.srv.Routes() {
		key := r.Method + " " + r.Path
		allowed, ok := expectedAccess[key]
		if !ok || !(strings.HasPrefix(r.Path, "/scopes") || strings.HasPrefix(r.Path, "/objects") || strings.HasPrefix(r.Path, "/departments")) {
			continue
		}
		var path string
		switch {
		case strings.HasPrefix(r.Path, "/scopes"):
			path = strings.Replace(r.Path, ":id", id(s.scope.ID), 1)
		case strings.HasPrefix(r.Path, "/objects"):
			path = strings.Replace(r.Path, ":id", id(s.server), 1) // others depend on it: never deleted
		default:
			path = strings.Replace(r.Path, ":id", id(s.tlrz), 1) // in use: never deleted
		}
		path = strings.NewReplacer(":target", "999999", ":module", "NET.3.1").Replace(path)
		for name, c := range clients {
			var body any
			if r.Method != http.MethodGet {
				body = ""
			}
			res := c.do(r.Method, path, body, nil)
			want := slices.Contains(allowed, name)
			// This ISB is granted for one department: reshaping the
			// organisation or the scopes, the scope's risk matrix, its
			// guideline, policies and certificate, or a Grundschutz++
			// package's parameters and levels takes a global grant.
			reshapes := r.Method == http.MethodPost && (strings.HasPrefix(r.Path, "/departments") || r.Path == "/scopes" || r.Path == "/scopes/:id" ||
				r.Path == "/scopes/:id/risk/matrix" || r.Path == "/scopes/:id/guideline/draft" || r.Path == "/scopes/:id/policies" ||
				r.Path == "/scopes/:id/certificates" || r.Path == "/scopes/:id/parameters" || strings.HasPrefix(r.Path, "/scopes/:id/package/"))
			if name == "isb" && reshapes {
				want = false
			}
			denied := isDenial(res, false, false)
			if want && (denied || res.status == http.StatusForbidden || res.status >= 500) {
				t.Errorf("%s (%s) as %s: %d %s", key, path, name, res.status, firstLine(res.body))
			}
			if !want && !denied {
				t.Errorf("%s (%s) as %s: %d, want denied", key, path, name, res.status)
			}
		}
	}
}
