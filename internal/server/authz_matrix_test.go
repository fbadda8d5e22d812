package server

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ismsd/internal/account"
	"ismsd/internal/domain"
)

// Who may use a route. "public": everyone, also without login;
// "authenticated": everyone logged in, even without a role; otherwise the
// roles listed.
const (
	public        = "public"
	authenticated = "authenticated"
)

// allRoles is every role, but not a user without any.
var allRoles = []string{"admin", "isb", "auditor", "department_head", "management"}

// writers are the roles that shape the Informationsverbund.
var writers = []string{"admin", "isb"}

// expectedAccess is the authorization decision of every route, written
// down independently of the route declarations. A route missing here, or
// listed here but not registered, fails the test.
var expectedAccess = map[string][]string{
	"GET /healthz":                                       {public},
	"GET /readyz":                                        {public},
	"GET /static/*file":                                  {public},
	"GET /login":                                         {public},
	"POST /login":                                        {public},
	"GET /api/docs":                                      {public},
	"GET /api/v1/openapi.json":                           {public},
	"POST /api/v1/session":                               {public},
	"DELETE /api/v1/session":                             {authenticated},
	"GET /api/v1/me":                                     {authenticated},
	"PUT /api/v1/me/password":                            {authenticated},
	"GET /api/v1/me/sessions":                            {authenticated},
	"DELETE /api/v1/me/sessions/:id":                     {authenticated},
	"GET /api/v1/me/tokens":                              {authenticated},
	"POST /api/v1/me/tokens":                             {authenticated},
	"DELETE /api/v1/me/tokens/:id":                       {authenticated},
	"POST /logout":                                       {authenticated},
	"GET /":                                              {authenticated},
	"GET /account":                                       {authenticated},
	"POST /account/password":                             {authenticated},
	"POST /account/tokens":                               {authenticated},
	"POST /account/tokens/:id/revoke":                    {authenticated},
	"POST /account/sessions/:id/end":                     {authenticated},
	"GET /api/v1/users":                                  {"admin"},
	"POST /api/v1/users":                                 {"admin"},
	"GET /api/v1/users/:id":                              {"admin"},
	"PATCH /api/v1/users/:id":                            {"admin"},
	"PUT /api/v1/users/:id/password":                     {"admin"},
	"POST /api/v1/users/:id/grants":                      {"admin"},
	"DELETE /api/v1/users/:id/grants/:grant":             {"admin"},
	"GET /api/v1/users/:id/sessions":                     {"admin"},
	"DELETE /api/v1/users/:id/sessions":                  {"admin"},
	"DELETE /api/v1/users/:id/sessions/:session":         {"admin"},
	"GET /api/v1/users/:id/tokens":                       {"admin"},
	"DELETE /api/v1/users/:id/tokens/:token":             {"admin"},
	"GET /api/v1/users/:id/lockouts":                     {"admin"},
	"DELETE /api/v1/users/:id/lockouts":                  {"admin"},
	"GET /admin/users":                                   {"admin"},
	"GET /admin/users/new":                               {"admin"},
	"POST /admin/users":                                  {"admin"},
	"GET /admin/users/:id":                               {"admin"},
	"POST /admin/users/:id":                              {"admin"},
	"POST /admin/users/:id/status":                       {"admin"},
	"POST /admin/users/:id/password":                     {"admin"},
	"POST /admin/users/:id/grants":                       {"admin"},
	"POST /admin/users/:id/grants/:grant/revoke":         {"admin"},
	"POST /admin/users/:id/sessions/end":                 {"admin"},
	"POST /admin/users/:id/tokens/:token/revoke":         {"admin"},
	"POST /admin/users/:id/lockouts/lift":                {"admin"},
	"GET /api/v1/audit-log":                              {"admin", "auditor", "management"},
	"GET /api/v1/catalogs":                               allRoles,
	"POST /api/v1/catalogs":                              {"admin"},
	"GET /api/v1/catalogs/:id":                           allRoles,
	"GET /api/v1/catalogs/:id/modules":                   allRoles,
	"GET /api/v1/catalogs/:id/modules/:module":           allRoles,
	"GET /api/v1/catalogs/:id/requirements/:requirement": allRoles,
	"GET /api/v1/component-definitions":                  allRoles,
	"GET /api/v1/component-definitions/:id":              allRoles,
	"GET /api/v1/search":                                 allRoles,
	"GET /catalogs":                                      allRoles,
	"POST /catalogs":                                     {"admin"},
	"GET /catalogs/:id":                                  allRoles,
	"GET /catalogs/:id/modules/:module":                  allRoles,
	"GET /catalogs/:id/requirements/:requirement":        allRoles,
	"GET /catalogs/:id/threats":                          allRoles,
	"GET /component-definitions/:id":                     allRoles,
	"GET /search":                                        allRoles,
	"GET /api/v1/departments":                            allRoles,
	"POST /api/v1/departments":                           writers,
	"GET /api/v1/departments/:id":                        allRoles,
	"PATCH /api/v1/departments/:id":                      writers,
	"DELETE /api/v1/departments/:id":                     writers,
	"GET /api/v1/scopes":                                 allRoles,
	"POST /api/v1/scopes":                                writers,
	"GET /api/v1/scopes/:id":                             allRoles,
	"PATCH /api/v1/scopes/:id":                           writers,
	"GET /api/v1/scopes/:id/objects":                     allRoles,
	"POST /api/v1/scopes/:id/objects":                    writers,
	"GET /api/v1/scopes/:id/modelling":                   allRoles,
	"POST /api/v1/scopes/:id/modelling":                  writers,
	"GET /api/v1/objects/:id":                            allRoles,
	"PATCH /api/v1/objects/:id":                          writers,
	"DELETE /api/v1/objects/:id":                         writers,
	"PUT /api/v1/objects/:id/needs":                      writers,
	"GET /api/v1/objects/:id/dependencies":               allRoles,
	"POST /api/v1/objects/:id/dependencies":              writers,
	"DELETE /api/v1/objects/:id/dependencies/:target":    writers,
	"GET /api/v1/objects/:id/modules":                    allRoles,
	"POST /api/v1/objects/:id/modules":                   writers,
	"DELETE /api/v1/objects/:id/modules/:module":         writers,
	"GET /api/v1/objects/:id/components":                 allRoles,
	"POST /api/v1/objects/:id/components":                writers,
	"DELETE /api/v1/objects/:id/components/:cid":         writers,
	"POST /api/v1/scopes/:id/import":                     writers,
	"GET /api/v1/scopes/:id/export":                      allRoles,
	"GET /api/v1/import-template":                        allRoles,
	"GET /scopes/:id/import":                             allRoles,
	"POST /scopes/:id/import":                            writers,
	"POST /scopes/:id/import/:file/apply":                writers,
	"GET /scopes/:id/export":                             allRoles,
	"GET /import-template":                               allRoles,
	"GET /audit":                                         {"admin", "auditor", "management"},

	// Mapping collections are read like catalogs.
	"GET /api/v1/mappings":     allRoles,
	"GET /api/v1/mappings/:id": allRoles,
	"GET /api/v1/catalogs/:id/requirements/:requirement/correspondences": allRoles,
	"GET /mappings/:id": allRoles,
}

// TestAuthorizationMatrix sends a request to every registered route as
// every role (and anonymously, and as a user without roles) and checks the
// decision against expectedAccess.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	dept := e.department("Finanzministerium")
	subjects := map[string]domain.Grant{
		"admin":           {Role: domain.RoleAdmin},
		"isb":             {Role: domain.RoleISB},
		"auditor":         {Role: domain.RoleAuditor},
		"department_head": {Role: domain.RoleDepartmentHead, DepartmentID: &dept},
		"management":      {Role: domain.RoleManagement},
	}
	// Bearer tokens keep every subject logged in whatever a route does to
	// sessions (logout, ending sessions).
	tokens := map[string]string{}
	for name, g := range subjects {
		e.user("m-"+name, g)
		tokens[name] = tokenFor(t, e, "m-"+name)
	}
	e.user("m-none")
	tokens["none"] = tokenFor(t, e, "m-none")
	tokens["anonymous"] = ""
	// The routes act on this bystander, so no subject loses its account.
	target := e.user("m-target", domain.Grant{Role: domain.RoleISB})
	params := strings.NewReplacer(":id", strconv.FormatInt(target.ID, 10), ":grant", "999999", ":session", "999999", "*file", "style.css",
		":module", "NET.3.1", ":requirement", "NET.3.1.A1", ":target", "999999", ":file", "999999", ":number", "1",
		":link_type", "check_entry", ":link_id", "999999")

	seen := map[string]bool{}
	for _, r := range e.srv.Routes() {
		key := r.Method + " " + r.Path
		seen[key] = true
		allowed, ok := expectedAccess[key]
		if !ok {
			t.Errorf("route %s has no expected authorization decision in this test", key)
			continue
		}
		path := params.Replace(r.Path)
		isAPI := strings.HasPrefix(r.Path, "/api/v1/")
		for subject, token := range tokens {
			c := e.client()
			c.bearer = token
			if r.SessionOnly && token != "" {
				// Tokens are refused here whatever the roles (TestTokensCannotMintTokens).
				c = e.login("m-" + subject)
			}
			var body any
			if r.Method != http.MethodGet {
				body = []byte(`{}`)
				if !isAPI {
					body = ""
				}
			}
			res := c.do(r.Method, path, body, nil)
			want := subject != "anonymous" && slices.Contains(allowed, authenticated) || slices.Contains(allowed, public) || slices.Contains(allowed, subject)
			denied := isDenial(res, subject == "anonymous", isAPI)
			if want && denied {
				t.Errorf("%s as %s: denied (%d %s), want allowed", key, subject, res.status, firstLine(res.body))
			}
			if !want && !denied {
				t.Errorf("%s as %s: %d %s, want denied", key, subject, res.status, firstLine(res.body))
			}
		}
	}
	for key := range expectedAccess {
		if !seen[key] {
			t.Errorf("expected route %s is not registered", key)
		}
	}
}

// isDenial recognises the authorization middleware's refusals: 401 for
// anonymous API calls, a redirect to the login for anonymous page views,
// and 403 naming the missing permission otherwise.
func isDenial(r response, anonymous, api bool) bool {
	switch {
	case anonymous && api:
		return r.status == http.StatusUnauthorized
	case anonymous:
		return r.status == http.StatusSeeOther && strings.HasPrefix(r.header.Get("Location"), "/login")
	}
	return r.status == http.StatusForbidden && (strings.Contains(string(r.body), "your roles do not allow") ||
		strings.Contains(string(r.body), "Keine Berechtigung"))
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	if len(s) > 160 {
		s = s[:160]
	}
	return s
}

func tokenFor(t *testing.T, e *testEnv, username string) string {
	t.Helper()
	u, err := e.db.UserByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := e.accounts.CreateToken(context.Background(), testActor, u.ID, account.TokenInput{Name: "matrix", ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}
