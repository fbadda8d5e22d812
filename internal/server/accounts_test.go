package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ismsd/internal/config"
	"ismsd/internal/domain"
)

// behindLocalProxy believes X-Forwarded-For from the test client, so that
// a test can log in from several client addresses.
func behindLocalProxy(c *config.Config) { c.TrustedProxies = []string{"127.0.0.1"} }

// loginFrom tries a login from a client address.
func (e *testEnv) loginFrom(addr, username, password string) response {
	e.t.Helper()
	return e.client().do("POST", "/api/v1/session", map[string]string{"username": username, "password": password},
		map[string]string{"X-Forwarded-For": addr})
}

// asOwner runs SQL as the owner of the tables, to move recorded times
// into the past as if time had passed.
func (e *testEnv) asOwner(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := e.ownerDB().Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// passTime moves every recorded login failure d into the past.
func (e *testEnv) passTime(t *testing.T, d time.Duration) {
	t.Helper()
	e.asOwner(t, `UPDATE login_failures SET at = at - make_interval(secs => $1)`, d.Seconds())
}

func retryAfter(t *testing.T, r response) int {
	t.Helper()
	n, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	return n
}

// auditActions lists the actions recorded on a resource, newest first.
func (e *testEnv) auditActions(t *testing.T, resourceType, resourceID string) []string {
	t.Helper()
	rs, _, err := e.db.ListAudit(context.Background(), domain.AuditFilter{ResourceType: resourceType, ResourceID: resourceID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		out = append(out, r.Action)
	}
	return out
}

// TestThrottleSlowsTheGuesserNotTheOwner: failures on one account from one
// client delay the next attempt from there, doubling from a second up to
// five minutes; the owner elsewhere logs in at once. An unknown name gets
// the same answers. The lockout is in the audit trail, and an
// administrator sees and lifts it (API and page).
func TestThrottleSlowsTheGuesserNotTheOwner(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, behindLocalProxy)
	karl := e.user("karl", domain.Grant{Role: domain.RoleISB})
	admin := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})
	const attacker, owner = "198.51.100.7", "203.0.113.5"

	for range 5 {
		problemOf(t, e.loginFrom(attacker, "karl", "wrong password"), http.StatusUnauthorized)
		problemOf(t, e.loginFrom(attacker, "ghost", "wrong password"), http.StatusUnauthorized)
	}
	// From there the next attempt waits a second, even with the right password …
	r := e.loginFrom(attacker, "karl", testPassword)
	known := problemOf(t, r, http.StatusTooManyRequests)
	if s := retryAfter(t, r); s != 1 {
		t.Errorf("first delay %d s, want 1", s)
	}
	// … and alike for a name that is nobody's.
	unknown := problemOf(t, e.loginFrom(attacker, "ghost", "x"), http.StatusTooManyRequests)
	if known.Type != unknown.Type || known.Detail != unknown.Detail || known.Title != unknown.Title {
		t.Errorf("throttled answers differ: %+v vs %+v", known, unknown)
	}
	// The owner, elsewhere, logs in at once.
	if r := e.loginFrom(owner, "karl", testPassword); r.status != http.StatusCreated {
		t.Fatalf("owner from another client: %d %s", r.status, r.body)
	}
	// The delay doubles with each further failure …
	e.passTime(t, 2*time.Second)
	problemOf(t, e.loginFrom(attacker, "karl", "wrong password"), http.StatusUnauthorized)
	if s := retryAfter(t, e.loginFrom(attacker, "karl", testPassword)); s != 2 {
		t.Errorf("second delay %d s, want 2", s)
	}
	// … up to five minutes.
	e.asOwner(t, `INSERT INTO login_failures (username, client_addr) SELECT 'karl', $1 FROM generate_series(1, 40)`, attacker)
	if s := retryAfter(t, e.loginFrom(attacker, "karl", testPassword)); s < 295 || s > 300 {
		t.Errorf("longest delay %d s, want 300", s)
	}
	if r := e.loginFrom(owner, "karl", testPassword); r.status != http.StatusCreated {
		t.Fatalf("owner while the attacker is held back: %d %s", r.status, r.body)
	}

	// The lockout is recorded: on the account, and on the unknown name.
	if a := e.auditActions(t, "user", strconv.FormatInt(karl.ID, 10)); !slices.Contains(a, "login.lockout") {
		t.Errorf("audit of karl: %v", a)
	}
	if a := e.auditActions(t, "login_name", "ghost"); !slices.Equal(a, []string{"login.lockout"}) {
		t.Errorf("audit of the unknown name: %v", a)
	}

	// The administrator sees where from and until when, and lifts it.
	base := "/api/v1/users/" + strconv.FormatInt(karl.ID, 10)
	var locks struct {
		Items []struct {
			ClientAddr  string     `json:"client_addr"`
			Failures    int        `json:"failures"`
			LockedUntil *time.Time `json:"locked_until"`
		} `json:"items"`
	}
	admin.do("GET", base+"/lockouts", nil, nil).json(t, &locks)
	if len(locks.Items) != 1 || locks.Items[0].ClientAddr != attacker || locks.Items[0].Failures != 46 || locks.Items[0].LockedUntil == nil ||
		time.Until(*locks.Items[0].LockedUntil) < 4*time.Minute {
		t.Fatalf("lockouts %+v", locks)
	}
	page := admin.do("GET", "/admin/users/"+strconv.FormatInt(karl.ID, 10), nil, nil)
	mustContain(t, page, http.StatusOK, "Fehlgeschlagene Anmeldungen", attacker, "Anmeldesperre aufheben")
	seeOther(t, admin.do("POST", "/admin/users/"+strconv.FormatInt(karl.ID, 10)+"/lockouts/lift", "", nil), "/admin/users/")
	if r := e.loginFrom(attacker, "karl", testPassword); r.status != http.StatusCreated {
		t.Fatalf("after the lift: %d %s", r.status, r.body)
	}
	if r := admin.do("DELETE", base+"/lockouts", nil, nil); r.status != http.StatusNoContent {
		t.Errorf("lift through the API: %d %s", r.status, r.body)
	}
	if a := e.auditActions(t, "user", strconv.FormatInt(karl.ID, 10)); !slices.Contains(a, "login.lockout_lift") {
		t.Errorf("audit of karl: %v", a)
	}
}

// TestSprayingNamesFromOneAddress: 30 failures on random names from one
// address slow that address down (recorded in the audit trail), never a
// user at another address, and the users behind it only for a bounded
// time.
func TestSprayingNamesFromOneAddress(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, behindLocalProxy)
	e.user("lena", domain.Grant{Role: domain.RoleISB})
	const spray, elsewhere = "198.51.100.9", "203.0.113.9"
	for i := range 30 {
		problemOf(t, e.loginFrom(spray, fmt.Sprintf("probe%d", i), "x"), http.StatusUnauthorized)
	}
	if r := e.loginFrom(elsewhere, "lena", testPassword); r.status != http.StatusCreated {
		t.Fatalf("a user at another address: %d %s", r.status, r.body)
	}
	r := e.loginFrom(spray, "lena", testPassword)
	problemOf(t, r, http.StatusTooManyRequests)
	if s := retryAfter(t, r); s != 1 {
		t.Errorf("delay behind the spraying address %d s, want 1", s)
	}
	if a := e.auditActions(t, "client", spray); !slices.Equal(a, []string{"login.lockout_client"}) {
		t.Errorf("audit of the address: %v", a)
	}
	// However long the spraying goes on, the wait is bounded …
	e.asOwner(t, `INSERT INTO login_failures (username, client_addr) SELECT 'probe' || n, $1 FROM generate_series(100, 400) n`, spray)
	if s := retryAfter(t, e.loginFrom(spray, "lena", testPassword)); s > 300 {
		t.Errorf("delay %d s after 330 failures", s)
	}
	// … and once it has passed, the user behind the address gets in.
	e.passTime(t, 5*time.Minute)
	if r := e.loginFrom(spray, "lena", testPassword); r.status != http.StatusCreated {
		t.Fatalf("behind the address after the delay: %d %s", r.status, r.body)
	}
}

// TestLoginNextStaysOnSite: whatever next says, the login leads to a path
// of this site (the table of variants is TestSafeNext).
func TestLoginNextStaysOnSite(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.user("nina")
	for _, next := range []string{"/%09/evil.example/phish", "//evil.example", "/%5Cevil.example", "https://evil.example", "/%2F%2Fevil.example"} {
		// Logged in, GET /login redirects at once.
		c := e.login("nina")
		r := c.do("GET", "/login?next="+next, nil, nil)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
			t.Errorf("GET /login?next=%s: %d %q", next, r.status, r.header.Get("Location"))
		}
		// The form carries only a safe next, and the POST follows only that.
		page := e.client().do("GET", "/login?next="+next, nil, nil)
		mustContain(t, page, http.StatusOK, `name="next" value="/"`)
		r = e.client().do("POST", "/login", form("username", "nina", "password", testPassword, "next", strings.ReplaceAll(next, "%09", "\t")), nil)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
			t.Errorf("POST /login next=%q: %d %q", next, r.status, r.header.Get("Location"))
		}
	}
	r := e.client().do("POST", "/login", form("username", "nina", "password", testPassword, "next", "/scopes?x=1"), nil)
	if r.header.Get("Location") != "/scopes?x=1" {
		t.Errorf("a path of this site: %q", r.header.Get("Location"))
	}
}

// TestIncidentResponseRevokesTokens: ending all sessions, disabling the
// account and resetting its password each revoke the user's API tokens
// (recorded in the audit trail); an administrator lists and revokes a
// user's tokens (API and page).
func TestIncidentResponseRevokesTokens(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	admin := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})
	tom := e.user("tom", domain.Grant{Role: domain.RoleISB})
	base := "/api/v1/users/" + strconv.FormatInt(tom.ID, 10)
	works := func(token string) bool {
		c := e.client()
		c.bearer = token
		return c.do("GET", "/api/v1/me", nil, nil).status == http.StatusOK
	}

	token := createToken(t, e.login("tom"))
	if r := admin.do("DELETE", base+"/sessions", nil, nil); r.status != http.StatusNoContent {
		t.Fatalf("end all sessions: %d %s", r.status, r.body)
	}
	if works(token) {
		t.Error("a token outlived ending all sessions")
	}

	token = createToken(t, e.login("tom"))
	tag := admin.do("GET", base, nil, nil).header.Get("ETag")
	r := admin.do("PATCH", base, map[string]bool{"disabled": true}, map[string]string{"If-Match": tag})
	tag = r.header.Get("ETag")
	admin.do("PATCH", base, map[string]bool{"disabled": false}, map[string]string{"If-Match": tag})
	if works(token) {
		t.Error("a token outlived disabling the account")
	}

	token = createToken(t, e.login("tom"))
	var reset struct {
		Password string `json:"password"`
	}
	admin.do("PUT", base+"/password", map[string]string{}, nil).json(t, &reset)
	c := e.client()
	c.do("POST", "/api/v1/session", map[string]string{"username": "tom", "password": reset.Password}, nil)
	if r := c.do("PUT", "/api/v1/me/password", map[string]string{"current_password": reset.Password, "new_password": "lilac ferret umbrella"}, nil); r.status != http.StatusNoContent {
		t.Fatalf("change after reset: %d %s", r.status, r.body)
	}
	if works(token) {
		t.Error("a token works again after the password reset and the new password")
	}
	if a := e.auditActions(t, "user", strconv.FormatInt(tom.ID, 10)); len(slices.DeleteFunc(a, func(s string) bool { return s != "token.revoke_all" })) != 3 {
		t.Errorf("audit of tom: %v", e.auditActions(t, "user", strconv.FormatInt(tom.ID, 10)))
	}

	// The administrator lists and revokes tokens, in the API and the page.
	first, second := createToken(t, c), createToken(t, c)
	var list struct {
		Items []struct {
			ID     int64  `json:"id"`
			Prefix string `json:"prefix"`
		} `json:"items"`
	}
	r = admin.do("GET", base+"/tokens", nil, nil)
	r.json(t, &list)
	if r.status != http.StatusOK || len(list.Items) != 2 || !strings.HasPrefix(second, list.Items[0].Prefix) {
		t.Fatalf("tokens of tom: %d %s", r.status, r.body)
	}
	if r := admin.do("DELETE", base+"/tokens/"+strconv.FormatInt(list.Items[0].ID, 10), nil, nil); r.status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	problemOf(t, admin.do("DELETE", base+"/tokens/"+strconv.FormatInt(list.Items[0].ID, 10), nil, nil), http.StatusNotFound)
	page := admin.do("GET", "/admin/users/"+strconv.FormatInt(tom.ID, 10), nil, nil)
	mustContain(t, page, http.StatusOK, "API-Tokens", list.Items[1].Prefix, "/tokens/"+strconv.FormatInt(list.Items[1].ID, 10)+"/revoke")
	seeOther(t, admin.do("POST", "/admin/users/"+strconv.FormatInt(tom.ID, 10)+"/tokens/"+strconv.FormatInt(list.Items[1].ID, 10)+"/revoke", "", nil), "/admin/users/")
	if works(first) || works(second) {
		t.Error("revoked tokens still work")
	}
}

// TestTokensCannotMintTokensAndMayBeReadOnly: creating a token needs a
// login session; a read-only token passes only GET and HEAD.
func TestTokensCannotMintTokensAndMayBeReadOnly(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	session := e.loggedIn("tom", domain.Grant{Role: domain.RoleISB})
	full := e.client()
	full.bearer = createToken(t, session)
	exp := time.Now().Add(time.Hour).Format(time.RFC3339)
	p := problemOf(t, full.do("POST", "/api/v1/me/tokens", map[string]any{"name": "offspring", "expires_at": exp}, nil), http.StatusForbidden)
	if !strings.Contains(p.Detail, "login session") {
		t.Errorf("detail %q", p.Detail)
	}
	mustContain(t, full.do("POST", "/account/tokens", form("name", "offspring", "expires_at", time.Now().AddDate(0, 0, 7).Format(time.DateOnly)), nil),
		http.StatusForbidden, "nicht mit einem API-Token")

	r := session.do("POST", "/api/v1/me/tokens", map[string]any{"name": "reports", "expires_at": exp, "read_only": true}, nil)
	var tok struct {
		Token    string `json:"token"`
		ReadOnly bool   `json:"read_only"`
	}
	r.json(t, &tok)
	if r.status != http.StatusCreated || !tok.ReadOnly {
		t.Fatalf("read-only token: %d %s", r.status, r.body)
	}
	ro := e.client()
	ro.bearer = tok.Token
	if r := ro.do("GET", "/api/v1/departments", nil, nil); r.status != http.StatusOK {
		t.Errorf("read with a read-only token: %d", r.status)
	}
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		p := problemOf(t, ro.do(m, "/api/v1/departments", map[string]string{"name": "Neu"}, nil), http.StatusForbidden)
		if !strings.Contains(p.Detail, "read-only") {
			t.Errorf("%s with a read-only token: %q", m, p.Detail)
		}
	}
	if r := full.do("POST", "/api/v1/departments", map[string]string{"name": "Neu"}, nil); r.status != http.StatusCreated {
		t.Errorf("write with a full token: %d %s", r.status, r.body)
	}
	// The account page offers the choice.
	mustContain(t, session.do("GET", "/account", nil, nil), http.StatusOK, `name="read_only"`, "nur lesen")
}

// TestWeakPasswordsRefused: a password that zxcvbn scores below 3, one
// containing the user name, or the previous one is refused wherever a
// password is set: creation, the administrator's reset, the own change
// (API with a pointer, the page in German).
func TestWeakPasswordsRefused(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	admin := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})
	otto := e.user("otto", domain.Grant{Role: domain.RoleISB})
	self := e.login("otto")
	for _, c := range []struct{ password, detail string }{
		{"password1234", "too easy to guess"},
		{"qwertzuiop123", "too easy to guess"},
		{"Mustermann2026", "too easy to guess"}, // weak as it is the display name
		{"mein-MARIA-passwort-lang", "user name"},
	} {
		p := problemOf(t, admin.do("POST", "/api/v1/users", map[string]string{"username": "maria", "display_name": "Maria Mustermann",
			"password": c.password}, nil), http.StatusUnprocessableEntity)
		if len(p.Errors) != 1 || p.Errors[0].Pointer != "/password" || !strings.Contains(p.Errors[0].Detail, c.detail) {
			t.Errorf("create with %q: %+v", c.password, p.Errors)
		}
	}
	if _, err := e.db.UserByUsername(context.Background(), "maria"); err == nil {
		t.Error("an account was created with a weak password")
	}
	reset := "/api/v1/users/" + strconv.FormatInt(otto.ID, 10) + "/password"
	for pw, detail := range map[string]string{"aaaaaaaaaaaa": "too easy to guess", testPassword: "differ from the previous"} {
		p := problemOf(t, admin.do("PUT", reset, map[string]string{"password": pw}, nil), http.StatusUnprocessableEntity)
		if len(p.Errors) != 1 || p.Errors[0].Pointer != "/password" || !strings.Contains(p.Errors[0].Detail, detail) {
			t.Errorf("reset to %q: %+v", pw, p.Errors)
		}
	}
	p := problemOf(t, self.do("PUT", "/api/v1/me/password", map[string]string{"current_password": testPassword, "new_password": "otto otto otto"}, nil),
		http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/new_password" {
		t.Errorf("own change: %+v", p.Errors)
	}
	r := self.do("POST", "/account/password", form("current_password", testPassword, "new_password", "sommer123456", "repeat_password", "sommer123456"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Das Passwort ist zu leicht zu erraten.")
	if r := self.do("PUT", "/api/v1/me/password", map[string]string{"current_password": testPassword, "new_password": "plum anchor violet drum"}, nil); r.status != http.StatusNoContent {
		t.Errorf("a strong password: %d %s", r.status, r.body)
	}
}

// TestApprovalStepUp: an approval needs the password, unless the session
// confirmed it within five minutes; a token always needs it. Every
// confirmation and the approval are recorded with the account.
func TestApprovalStepUp(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	isb, management, _, _ := guidelineUsers(e, s)
	lea, err := e.db.UserByUsername(context.Background(), "lea")
	if err != nil {
		t.Fatal(err)
	}
	scope := "/api/v1/scopes/" + strconv.FormatInt(s.scope.ID, 10)
	draft := func() (path string, version int) {
		r := isb.do("POST", scope+"/guidelines", map[string]any{"title": "Leitlinie", "approach": "standard", "review_months": 12,
			"evidence_coverage": 80}, nil)
		var g guidelineResp
		r.json(t, &g)
		if r.status != http.StatusCreated {
			t.Fatalf("draft: %d %s", r.status, r.body)
		}
		return "/api/v1/guidelines/" + strconv.FormatInt(g.ID, 10) + "/approve", g.Version
	}
	approve := func(c *client, body map[string]any) response {
		path, version := draft()
		r := c.do("POST", path, body, ifMatchOf(version))
		if r.status != http.StatusOK {
			// Leave no draft behind for the next one.
			e.asOwner(t, `DELETE FROM guidelines WHERE state = 'draft'`)
		}
		return r
	}

	if ps := violationPointers(t, approve(management, map[string]any{})); !slices.Equal(ps, []string{"/password"}) {
		t.Errorf("first approval without password: %v", ps)
	}
	if r := approve(management, map[string]any{"password": testPassword}); r.status != http.StatusOK {
		t.Fatalf("approval with password: %d %s", r.status, r.body)
	}
	// Within five minutes the session need not confirm again …
	if r := approve(management, map[string]any{}); r.status != http.StatusOK {
		t.Fatalf("approval within the step-up window: %d %s", r.status, r.body)
	}
	// … a token always must …
	token := e.client()
	token.bearer = createToken(t, management)
	if ps := violationPointers(t, approve(token, map[string]any{})); !slices.Equal(ps, []string{"/password"}) {
		t.Errorf("approval by token without password: %v", ps)
	}
	if r := approve(token, map[string]any{"password": testPassword}); r.status != http.StatusOK {
		t.Fatalf("approval by token with password: %d %s", r.status, r.body)
	}
	// … and after five minutes the session too.
	e.asOwner(t, `UPDATE sessions SET reauthenticated_at = reauthenticated_at - interval '5 minutes 1 second' WHERE user_id = $1`, lea.ID)
	if ps := violationPointers(t, approve(management, map[string]any{})); !slices.Equal(ps, []string{"/password"}) {
		t.Errorf("approval after the step-up window: %v", ps)
	}

	// Recorded: each approval by lea's account, each confirmation of a session.
	rs, _, err := e.db.ListAudit(context.Background(), domain.AuditFilter{ResourceType: "guideline", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	approvals := 0
	for _, r := range rs {
		if r.Action == "guideline.approve" {
			approvals++
			if r.ActorID == nil || *r.ActorID != lea.ID || !strings.Contains(string(r.After), fmt.Sprintf(`"approved_by_id":%d`, lea.ID)) {
				t.Errorf("approval record %+v %s", r, r.After)
			}
		}
	}
	if approvals != 3 {
		t.Errorf("%d approvals recorded, want 3", approvals)
	}
	rs, _, err = e.db.ListAudit(context.Background(), domain.AuditFilter{ResourceType: "session", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	confirmations := 0
	for _, r := range rs {
		if r.Action == "session.reauthenticate" {
			confirmations++
		}
	}
	if confirmations != 1 {
		t.Errorf("%d confirmations of a session recorded, want 1", confirmations)
	}
}

// TestDeviceCookieLetsTheOwnerPass: a browser in which an account logged
// in before carries a device cookie and is throttled by itself. Spraying
// names from the same address delays every other browser there, but not
// the owner's; guessing in the owner's browser is throttled for that
// browser; the cookie helps no other account, and a password reset by an
// administrator takes its standing away.
func TestDeviceCookieLetsTheOwnerPass(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, behindLocalProxy)
	lena := e.user("lena", domain.Grant{Role: domain.RoleISB})
	e.user("mira", domain.Grant{Role: domain.RoleISB})
	const office = "198.51.100.20"
	behind := map[string]string{"X-Forwarded-For": office}
	login := func(c *client, username, password string) response {
		return c.do("POST", "/api/v1/session", map[string]string{"username": username, "password": password}, behind)
	}
	browser := e.client()
	if r := login(browser, "lena", testPassword); r.status != http.StatusCreated {
		t.Fatalf("first login: %d %s", r.status, r.body)
	}
	device := ""
	for _, ck := range browser.http.Jar.Cookies(mustURL(t, e.url)) {
		if ck.Name == "ismsd_device" {
			device = ck.Value
		}
	}
	if device == "" {
		t.Fatal("the first login set no device cookie")
	}
	for i := range 30 {
		problemOf(t, e.loginFrom(office, fmt.Sprintf("probe%d", i), "x"), http.StatusUnauthorized)
	}
	// However long the spraying goes on …
	e.asOwner(t, `INSERT INTO login_failures (username, client_addr) SELECT 'probe' || n, $1 FROM generate_series(100, 400) n`, office)
	// Another browser at the office waits, whichever account it names …
	problemOf(t, login(e.client(), "lena", testPassword), http.StatusTooManyRequests)
	// … the owner's browser does not, and keeps its cookie.
	r := login(browser, "lena", testPassword)
	if r.status != http.StatusCreated {
		t.Fatalf("the owner's browser behind the spraying address: %d %s", r.status, r.body)
	}
	if cs := strings.Join(r.header.Values("Set-Cookie"), "\n"); strings.Contains(cs, "ismsd_device=") {
		t.Errorf("a known browser got a new device cookie: %s", cs)
	}
	// The cookie is lena's: for mira it is a browser like any other.
	problemOf(t, login(browser, "mira", testPassword), http.StatusTooManyRequests)
	// Guessing lena's password in her browser is throttled for the browser.
	for range 5 {
		problemOf(t, login(browser, "lena", "falsch falsch falsch"), http.StatusUnauthorized)
	}
	problemOf(t, login(browser, "lena", testPassword), http.StatusTooManyRequests)
	e.passTime(t, 2*time.Second)
	if r := login(browser, "lena", testPassword); r.status != http.StatusCreated {
		t.Fatalf("the owner after the browser's delay: %d %s", r.status, r.body)
	}
	// An administrator's reset takes the browser's standing away.
	if _, err := e.accounts.SetPassword(context.Background(), testActor, lena.ID, ""); err != nil {
		t.Fatal(err)
	}
	owner := e.ownerDB()
	var n int
	if err := owner.QueryRow(`SELECT count(*) FROM login_devices WHERE user_id = $1`, lena.ID).Scan(&n); err != nil || n != 0 {
		t.Errorf("devices after the reset: %d %v", n, err)
	}
}
