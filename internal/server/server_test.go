package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/problem"
)

// problemOf decodes and checks a problem+json answer.
func problemOf(t *testing.T, r response, status int) problem.Problem {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != problem.ContentType {
		t.Fatalf("Content-Type %q, want %q", ct, problem.ContentType)
	}
	var p problem.Problem
	r.json(t, &p)
	if p.Status != status || p.Type == "" || p.Title == "" || p.RequestID != r.header.Get("X-Request-ID") {
		t.Fatalf("incomplete problem %+v", p)
	}
	return p
}

func TestUnauthenticatedAPIAnswers401Problem(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	for _, path := range []string{"/api/v1/me", "/api/v1/users", "/api/v1/audit-log"} {
		p := problemOf(t, e.client().do("GET", path, nil, nil), http.StatusUnauthorized)
		if !strings.Contains(p.Type, "#problem-unauthenticated") {
			t.Errorf("%s: type %q", path, p.Type)
		}
	}
	// A page redirects to the login instead.
	r := e.client().do("GET", "/admin/users?x=1", nil, nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next=%2Fadmin%2Fusers%3Fx%3D1" {
		t.Errorf("page without login: %d %s", r.status, r.header.Get("Location"))
	}
}

func TestLoginSessionAndMe(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	dept := e.department("Innenministerium")
	e.user("hanna", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &dept}, domain.Grant{Role: domain.RoleISB})
	c := e.client()
	r := c.do("POST", "/api/v1/session", map[string]string{"username": "Hanna", "password": testPassword}, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	cookie := r.header.Get("Set-Cookie")
	for _, attr := range []string{"ismsd_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(cookie, attr) {
			t.Errorf("session cookie %q lacks %s", cookie, attr)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("cookie Secure under http: %q", cookie)
	}
	r = c.do("GET", "/api/v1/me", nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("me: %d %s", r.status, r.body)
	}
	var me struct {
		Username        string `json:"username"`
		AuthenticatedBy string `json:"authenticated_by"`
		Grants          []struct {
			Role           string `json:"role"`
			DepartmentID   *int64 `json:"department_id"`
			DepartmentName string `json:"department_name"`
		} `json:"grants"`
	}
	r.json(t, &me)
	if me.Username != "hanna" || me.AuthenticatedBy != "session" || len(me.Grants) != 2 {
		t.Fatalf("me = %+v", me)
	}
	for _, g := range me.Grants {
		if g.Role == "department_head" && (g.DepartmentID == nil || *g.DepartmentID != dept || g.DepartmentName != "Innenministerium") {
			t.Errorf("department grant %+v", g)
		}
	}
	// Logout ends the session server-side: the old cookie is worthless.
	if r := c.do("DELETE", "/api/v1/session", nil, nil); r.status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	problemOf(t, c.do("GET", "/api/v1/me", nil, nil), http.StatusUnauthorized)
}

func TestSecureCookieUnderHTTPS(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.srv.cookie.Secure = true
	rec := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(rec)
	e.srv.cookie.Set(c, "secret")
	got := rec.Header().Get("Set-Cookie")
	for _, attr := range []string{"__Host-ismsd_session=secret", "Secure", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(got, attr) {
			t.Errorf("cookie %q lacks %s", got, attr)
		}
	}
}

func TestFailedLoginsLookAlikeAndAreThrottled(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.user("karl", domain.Grant{Role: domain.RoleISB})
	wrong := problemOf(t, e.client().do("POST", "/api/v1/session", map[string]string{"username": "karl", "password": "wrong password"}, nil), http.StatusUnauthorized)
	unknown := problemOf(t, e.client().do("POST", "/api/v1/session", map[string]string{"username": "nobody", "password": "wrong password"}, nil), http.StatusUnauthorized)
	if wrong.Detail != unknown.Detail || wrong.Type != unknown.Type {
		t.Errorf("messages differ: %q vs %q", wrong.Detail, unknown.Detail)
	}
	// Four more failures reach the limit of five for the account.
	for range 4 {
		e.client().do("POST", "/api/v1/session", map[string]string{"username": "karl", "password": "wrong password"}, nil)
	}
	r := e.client().do("POST", "/api/v1/session", map[string]string{"username": "karl", "password": testPassword}, nil)
	problemOf(t, r, http.StatusTooManyRequests)
	if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 1 || ra > 15*60 {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	// Unknown accounts are throttled alike, so 429 reveals nothing.
	for range 5 {
		e.client().do("POST", "/api/v1/session", map[string]string{"username": "ghost", "password": "x"}, nil)
	}
	problemOf(t, e.client().do("POST", "/api/v1/session", map[string]string{"username": "ghost", "password": "x"}, nil), http.StatusTooManyRequests)
}

func TestThrottlePerClientAddress(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.user("lena", domain.Grant{Role: domain.RoleISB})
	// Many names from one address: the address limit (30) applies.
	for i := range 30 {
		e.client().do("POST", "/api/v1/session", map[string]string{"username": fmt.Sprintf("probe%d", i), "password": "x"}, nil)
	}
	problemOf(t, e.client().do("POST", "/api/v1/session", map[string]string{"username": "lena", "password": testPassword}, nil), http.StatusTooManyRequests)
}

func TestAuditorCannotManageUsers(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.loggedIn("anna", domain.Grant{Role: domain.RoleAuditor})
	p := problemOf(t, c.do("POST", "/api/v1/users", map[string]string{"username": "eve"}, nil), http.StatusForbidden)
	if !strings.Contains(p.Detail, "users:write") {
		t.Errorf("detail %q does not name the permission", p.Detail)
	}
	problemOf(t, c.do("GET", "/api/v1/users", nil, nil), http.StatusForbidden)
	if r := c.do("GET", "/api/v1/audit-log", nil, nil); r.status != http.StatusOK {
		t.Errorf("auditor reading the audit log: %d", r.status)
	}
}

func TestMalformedBodyListsEveryViolation(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})
	p := problemOf(t, c.do("POST", "/api/v1/users", map[string]any{"username": "Not Valid", "email": "nope", "password": "short", "admin": true}, nil), http.StatusUnprocessableEntity)
	got := map[string]bool{}
	for _, v := range p.Errors {
		got[v.Pointer] = true
	}
	for _, ptr := range []string{"/username", "/email", "/password", "/admin"} {
		if !got[ptr] {
			t.Errorf("no violation at %s in %+v", ptr, p.Errors)
		}
	}
	p = problemOf(t, c.do("POST", "/api/v1/users", []byte(`{"username": "x",`), nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 {
		t.Errorf("broken JSON: %+v", p)
	}
	p = problemOf(t, c.do("POST", "/api/v1/users", "username=x", nil), http.StatusUnsupportedMediaType)
	_ = p
	// Nothing was created by any of these.
	us, _ := e.db.ListUsers(context.Background())
	if len(us) != 1 {
		t.Errorf("%d users after refused requests, want 1", len(us))
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})
	big := []byte(`{"username":"` + strings.Repeat("a", 2<<20) + `"}`)
	problemOf(t, c.do("POST", "/api/v1/users", big, nil), http.StatusRequestEntityTooLarge)
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	problemOf(t, e.client().do("GET", "/api/v1/nothing-here", nil, nil), http.StatusNotFound)
	problemOf(t, e.client().do("GET", "/api/other", nil, nil), http.StatusNotFound)
	r := e.client().do("GET", "/gibt-es-nicht", nil, nil)
	if r.status != http.StatusNotFound || !strings.Contains(r.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(r.body), "Seite nicht gefunden") || !strings.Contains(string(r.body), `lang="de"`) {
		t.Errorf("UI 404: %d %s", r.status, r.body)
	}
	problemOf(t, e.client().do("PUT", "/api/v1/me", []byte(`{}`), nil), http.StatusMethodNotAllowed)
}

func TestCrossOriginStateChangeRefused(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})
	hdr := map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
	p := problemOf(t, c.do("POST", "/api/v1/users", map[string]string{"username": "eve"}, hdr), http.StatusForbidden)
	if !strings.Contains(p.Detail, "cross-origin") {
		t.Errorf("detail %q", p.Detail)
	}
	r := c.do("POST", "/admin/users", "username=eve", hdr)
	if r.status != http.StatusForbidden {
		t.Errorf("cross-origin form post: %d", r.status)
	}
	if _, err := e.db.UserByUsername(context.Background(), "eve"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("cross-origin request created a user: %v", err)
	}
	// A bearer token cannot be attached by a foreign page, so it is exempt.
	tok := createToken(t, c)
	bc := e.client()
	bc.bearer = tok
	if r := bc.do("POST", "/api/v1/users", map[string]string{"username": "eve"}, hdr); r.status != http.StatusCreated {
		t.Errorf("bearer request from a script: %d %s", r.status, r.body)
	}
}

func createToken(t *testing.T, c *client) string {
	t.Helper()
	r := c.do("POST", "/api/v1/me/tokens", map[string]any{"name": "ci " + strconv.FormatInt(time.Now().UnixNano(), 36), "expires_at": time.Now().Add(48 * time.Hour).Format(time.RFC3339)}, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("create token: %d %s", r.status, r.body)
	}
	var tok struct {
		Token string `json:"token"`
		ID    int64  `json:"id"`
	}
	r.json(t, &tok)
	if !strings.HasPrefix(tok.Token, "ismsd_") {
		t.Fatalf("token %q", tok.Token)
	}
	return tok.Token
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.loggedIn("tom", domain.Grant{Role: domain.RoleISB})
	secret := createToken(t, c)
	bc := e.client()
	bc.bearer = secret
	r := bc.do("GET", "/api/v1/me", nil, nil)
	var me struct {
		AuthenticatedBy string `json:"authenticated_by"`
	}
	r.json(t, &me)
	if r.status != http.StatusOK || me.AuthenticatedBy != "token" {
		t.Fatalf("bearer /me: %d %s", r.status, r.body)
	}
	var list struct {
		Items []struct {
			ID     int64  `json:"id"`
			Prefix string `json:"prefix"`
			Token  string `json:"token"`
		} `json:"items"`
	}
	c.do("GET", "/api/v1/me/tokens", nil, nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].Token != "" || !strings.HasPrefix(secret, list.Items[0].Prefix) {
		t.Fatalf("token list %+v", list)
	}
	// Expiry in the past or too far ahead is refused.
	p := problemOf(t, c.do("POST", "/api/v1/me/tokens", map[string]any{"name": "old", "expires_at": time.Now().Add(-time.Hour).Format(time.RFC3339)}, nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/expires_at" {
		t.Errorf("past expiry: %+v", p)
	}
	if r := c.do("DELETE", "/api/v1/me/tokens/"+strconv.FormatInt(list.Items[0].ID, 10), nil, nil); r.status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	p = problemOf(t, bc.do("GET", "/api/v1/me", nil, nil), http.StatusUnauthorized)
	if !strings.Contains(p.Detail, "token") {
		t.Errorf("detail %q", p.Detail)
	}
	bad := e.client()
	bad.bearer = "ismsd_forged"
	problemOf(t, bad.do("GET", "/healthz", nil, nil), http.StatusUnauthorized)
}

func TestUpdateNeedsIfMatch(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})
	target := e.user("paul")
	path := "/api/v1/users/" + strconv.FormatInt(target.ID, 10)
	r := c.do("GET", path, nil, nil)
	tag := r.header.Get("ETag")
	if tag == "" {
		t.Fatal("no ETag")
	}
	problemOf(t, c.do("PATCH", path, map[string]string{"display_name": "Paul"}, nil), http.StatusPreconditionRequired)
	r = c.do("PATCH", path, map[string]string{"display_name": "Paul"}, map[string]string{"If-Match": tag})
	if r.status != http.StatusOK || r.header.Get("ETag") == tag {
		t.Fatalf("update: %d %s (etag %s)", r.status, r.body, r.header.Get("ETag"))
	}
	// The second writer with the old tag loses, and nothing changes.
	problemOf(t, c.do("PATCH", path, map[string]string{"display_name": "Pauline"}, map[string]string{"If-Match": tag}), http.StatusPreconditionFailed)
	u, _ := e.db.UserByID(context.Background(), target.ID)
	if u.DisplayName != "Paul" {
		t.Errorf("display name %q after stale update", u.DisplayName)
	}
}

func TestDisableEndsSessionsAndLastAdminStays(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	root := e.user("root", domain.Grant{Role: domain.RoleAdmin})
	target := e.user("mia", domain.Grant{Role: domain.RoleISB})
	admin, mia := e.login("root"), e.login("mia")
	path := "/api/v1/users/" + strconv.FormatInt(target.ID, 10)
	tag := admin.do("GET", path, nil, nil).header.Get("ETag")
	if r := admin.do("PATCH", path, map[string]bool{"disabled": true}, map[string]string{"If-Match": tag}); r.status != http.StatusOK {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	problemOf(t, mia.do("GET", "/api/v1/me", nil, nil), http.StatusUnauthorized)
	problemOf(t, e.client().do("POST", "/api/v1/session", map[string]string{"username": "mia", "password": testPassword}, nil), http.StatusUnauthorized)
	// The only admin cannot disable themselves.
	rootPath := "/api/v1/users/" + strconv.FormatInt(root.ID, 10)
	tag = admin.do("GET", rootPath, nil, nil).header.Get("ETag")
	problemOf(t, admin.do("PATCH", rootPath, map[string]bool{"disabled": true}, map[string]string{"If-Match": tag}), http.StatusConflict)
}

func TestAdminRevokesSessionsAndResetsPassword(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	admin := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})
	target := e.user("otto", domain.Grant{Role: domain.RoleISB})
	otto := e.login("otto")
	base := "/api/v1/users/" + strconv.FormatInt(target.ID, 10)
	var sessions struct {
		Items []struct{ ID int64 } `json:"items"`
	}
	admin.do("GET", base+"/sessions", nil, nil).json(t, &sessions)
	if len(sessions.Items) != 1 {
		t.Fatalf("sessions %+v", sessions)
	}
	if r := admin.do("DELETE", base+"/sessions", nil, nil); r.status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	problemOf(t, otto.do("GET", "/api/v1/me", nil, nil), http.StatusUnauthorized)

	r := admin.do("PUT", base+"/password", map[string]string{}, nil)
	var reset struct {
		Password           string `json:"password"`
		MustChangePassword bool   `json:"must_change_password"`
	}
	r.json(t, &reset)
	if r.status != http.StatusOK || len(reset.Password) < 20 || !reset.MustChangePassword {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	// With the new password otto may only change it.
	c := e.client()
	if r := c.do("POST", "/api/v1/session", map[string]string{"username": "otto", "password": reset.Password}, nil); r.status != http.StatusCreated {
		t.Fatalf("login with reset password: %d %s", r.status, r.body)
	}
	if r := c.do("GET", "/api/v1/me", nil, nil); r.status != http.StatusOK {
		t.Errorf("me while change pending: %d", r.status)
	}
	p := problemOf(t, c.do("GET", "/api/v1/me/tokens", nil, nil), http.StatusForbidden)
	if !strings.Contains(p.Detail, "change your password") {
		t.Errorf("detail %q", p.Detail)
	}
	if r := c.do("GET", "/", nil, nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Errorf("page while change pending: %d %s", r.status, r.header.Get("Location"))
	}
	if r := c.do("PUT", "/api/v1/me/password", map[string]string{"current_password": reset.Password, "new_password": "a brand new passphrase"}, nil); r.status != http.StatusNoContent {
		t.Fatalf("change: %d %s", r.status, r.body)
	}
	if r := c.do("GET", "/api/v1/me/tokens", nil, nil); r.status != http.StatusOK {
		t.Errorf("after change: %d %s", r.status, r.body)
	}
}

func TestGrantRevokeThroughAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	admin := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})
	target := e.user("ida")
	dept := e.department("Justizministerium")
	base := "/api/v1/users/" + strconv.FormatInt(target.ID, 10)
	p := problemOf(t, admin.do("POST", base+"/grants", map[string]any{"role": "department_head"}, nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/department_id" {
		t.Errorf("department head without department: %+v", p)
	}
	r := admin.do("POST", base+"/grants", map[string]any{"role": "department_head", "department_id": dept}, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("grant: %d %s", r.status, r.body)
	}
	var g struct{ ID int64 }
	r.json(t, &g)
	problemOf(t, admin.do("POST", base+"/grants", map[string]any{"role": "department_head", "department_id": dept}, nil), http.StatusConflict)
	if r := admin.do("DELETE", base+"/grants/"+strconv.FormatInt(g.ID, 10), nil, nil); r.status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	problemOf(t, admin.do("DELETE", base+"/grants/"+strconv.FormatInt(g.ID, 10), nil, nil), http.StatusNotFound)
}

// TestGrantReachesOtherInstance: two servers share a database; a grant
// made through one takes effect on the other within a second. (Not in
// parallel with other tests: it promises a time.)
func TestGrantReachesOtherInstance(t *testing.T) {
	a := newTestEnv(t)
	b := startServer(t, a.db, a.dbInfo)
	for _, e := range []*testEnv{a, b} {
		e := e
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		go postgres.WatchGrants(ctx, e.dbInfo.AppURL, e.srv.log, e.reloadGrantsQuietly)
	}
	a.user("root", domain.Grant{Role: domain.RoleAdmin})
	b.reloadGrants()
	target := a.user("ute")
	a.dbInfo.WaitForListeners(t, 2)
	onB := b.login("ute")
	problemOf(t, onB.do("GET", "/api/v1/audit-log", nil, nil), http.StatusForbidden)
	admin := a.login("root")
	if r := admin.do("POST", "/api/v1/users/"+strconv.FormatInt(target.ID, 10)+"/grants", map[string]string{"role": "auditor"}, nil); r.status != http.StatusCreated {
		t.Fatalf("grant: %d %s", r.status, r.body)
	}
	deadline := time.Now().Add(time.Second)
	for {
		if onB.do("GET", "/api/v1/audit-log", nil, nil).status == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the grant did not reach the other instance within a second")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *testEnv) reloadGrantsQuietly() {
	if gs, err := e.db.ActiveGrants(context.Background()); err == nil {
		e.authz.SetGrants(gs)
	}
}

func TestAuditLogRecordsChangesWithRequest(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	admin := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})
	r := admin.do("POST", "/api/v1/users", map[string]string{"username": "neu"}, map[string]string{"X-Request-ID": "req-4711"})
	if r.status != http.StatusCreated || r.header.Get("X-Request-ID") != "req-4711" {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var page struct {
		Items []struct {
			Action     string          `json:"action"`
			Actor      string          `json:"actor"`
			RequestID  string          `json:"request_id"`
			ClientAddr string          `json:"client_addr"`
			After      json.RawMessage `json:"after"`
			Hash       string          `json:"hash"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	admin.do("GET", "/api/v1/audit-log?resource_type=user&limit=1", nil, nil).json(t, &page)
	if len(page.Items) != 1 || page.NextCursor == "" {
		t.Fatalf("page %+v", page)
	}
	got := page.Items[0]
	if got.Action != "user.create" || got.Actor != "root" || got.RequestID != "req-4711" || got.ClientAddr != "127.0.0.1" ||
		!bytes.Contains(got.After, []byte(`"neu"`)) || len(got.Hash) != 64 {
		t.Errorf("record %+v", got)
	}
	var next struct {
		Items []struct{ Action string } `json:"items"`
	}
	admin.do("GET", "/api/v1/audit-log?resource_type=user&limit=1&cursor="+page.NextCursor, nil, nil).json(t, &next)
	if len(next.Items) != 1 {
		t.Errorf("second page %+v", next)
	}
	p := problemOf(t, admin.do("GET", "/api/v1/audit-log?from=yesterday&limit=9999", nil, nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 2 {
		t.Errorf("bad filter: %+v", p.Errors)
	}
	// The login itself was recorded, with who and from where.
	var logins struct {
		Items []struct{ Action, Actor string } `json:"items"`
	}
	admin.do("GET", "/api/v1/audit-log?actor=root&resource_type=session", nil, nil).json(t, &logins)
	if len(logins.Items) == 0 || logins.Items[0].Action != "session.create" {
		t.Errorf("login not recorded: %+v", logins)
	}
	if _, err := e.db.VerifyAudit(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	if r := e.client().do("GET", "/healthz", nil, nil); r.status != http.StatusOK {
		t.Errorf("healthz %d", r.status)
	}
	r := e.client().do("GET", "/readyz", nil, nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"ready"`) {
		t.Errorf("readyz %d %s", r.status, r.body)
	}
	if r.header.Get("X-Request-ID") == "" {
		t.Error("no request id")
	}
	e.db.Close()
	if r := e.client().do("GET", "/readyz", nil, nil); r.status != http.StatusServiceUnavailable {
		t.Errorf("readyz without database: %d", r.status)
	}
}

func TestPanicBecomesProblem(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	eng := gin.New()
	eng.Use(e.srv.recovery, e.srv.requestContext)
	eng.GET("/api/v1/explode", func(*gin.Context) { panic("secret internals") })
	rec := httptest.NewRecorder()
	eng.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/explode", nil))
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != problem.ContentType ||
		strings.Contains(rec.Body.String(), "secret internals") {
		t.Errorf("panic answer: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
}

func TestGracefulShutdownDrainsRequests(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	arrived, slow := make(chan struct{}), make(chan struct{})
	eng := gin.New()
	eng.GET("/slow", func(c *gin.Context) { close(arrived); <-slow; c.String(200, "done") })
	e.srv.engine = eng
	l, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	ln := &closeSignal{Listener: l, closed: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.srv.Run(ctx, ln, 5*time.Second) }()
	var wg sync.WaitGroup
	var body string
	wg.Add(1)
	go func() {
		defer wg.Done()
		res, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err == nil {
			b := new(bytes.Buffer)
			b.ReadFrom(res.Body)
			body = b.String()
			res.Body.Close()
		}
	}()
	waitClosed := func(ch chan struct{}, what string) {
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s not within ten seconds", what)
		}
	}
	waitClosed(arrived, "the request reached the handler")
	cancel()
	waitClosed(ln.closed, "the shutdown began") // the listener is closed first
	close(slow)
	wg.Wait()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if body != "done" {
		t.Errorf("in-flight request got %q", body)
	}
}

// closeSignal is a listener that tells when it is closed, as a server's
// shutdown does first.
type closeSignal struct {
	net.Listener
	once   sync.Once
	closed chan struct{}
}

func (l *closeSignal) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

func TestChangeOwnPasswordEndsOtherSessionsAndIsThrottled(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	here := e.loggedIn("vera", domain.Grant{Role: domain.RoleISB})
	elsewhere := e.login("vera")
	for range 5 {
		p := problemOf(t, here.do("PUT", "/api/v1/me/password", map[string]string{"current_password": "a wrong guess", "new_password": "another passphrase"}, nil), http.StatusUnprocessableEntity)
		if len(p.Errors) != 1 || p.Errors[0].Pointer != "/current_password" {
			t.Fatalf("wrong current password: %+v", p)
		}
	}
	// Guessing on is throttled like the login, even with the right password.
	problemOf(t, here.do("PUT", "/api/v1/me/password", map[string]string{"current_password": testPassword, "new_password": "another passphrase"}, nil), http.StatusTooManyRequests)
	if err := e.db.DeleteExpired(context.Background(), 0); err != nil { // forget the failures
		t.Fatal(err)
	}
	if r := here.do("PUT", "/api/v1/me/password", map[string]string{"current_password": testPassword, "new_password": "another passphrase"}, nil); r.status != http.StatusNoContent {
		t.Fatalf("change: %d %s", r.status, r.body)
	}
	if r := here.do("GET", "/api/v1/me", nil, nil); r.status != http.StatusOK {
		t.Errorf("the changing session ended: %d", r.status)
	}
	problemOf(t, elsewhere.do("GET", "/api/v1/me", nil, nil), http.StatusUnauthorized)
}
