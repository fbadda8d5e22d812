package server

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
)

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

func mustContain(t *testing.T, r response, status int, texts ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, firstLine(r.body))
	}
	for _, s := range texts {
		if !strings.Contains(string(r.body), s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

var passwordField = regexp.MustCompile(`id="pw" class="secret" type="text" readonly value="([A-Z2-7]+)"`)

// TestUserAdministrationPages walks the admin's forms: create an account
// (password shown once), grant with a German refusal, reset the password,
// and the new user's forced password change.
func TestUserAdministrationPages(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	dept := e.department("Kultusministerium")
	admin := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})

	r := admin.do("POST", "/admin/users", form("username", "Bad Name"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Der Benutzername braucht 2 bis 64 Zeichen", `value="Bad Name"`)

	r = admin.do("POST", "/admin/users", form("username", "jana", "display_name", "Jana Beispiel", "email", "jana@example.org"), nil)
	mustContain(t, r, http.StatusCreated, "Konto „jana“ angelegt", "nur dieses eine Mal")
	m := passwordField.FindSubmatch(r.body)
	if m == nil {
		t.Fatalf("no password on the page: %s", r.body)
	}
	initial := string(m[1])
	jana, err := e.db.UserByUsername(context.Background(), "jana")
	if err != nil || !jana.MustChangePassword || jana.DisplayName != "Jana Beispiel" {
		t.Fatalf("jana: %+v %v", jana, err)
	}
	page := "/admin/users/" + strconv.FormatInt(jana.ID, 10)

	r = admin.do("POST", page+"/grants", form("role", "department_head"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "wählen Sie bitte eine Organisationseinheit")
	r = admin.do("POST", page+"/grants", form("role", "department_head", "department_id", strconv.FormatInt(dept, 10)), nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != page {
		t.Fatalf("grant: %d %s", r.status, r.header.Get("Location"))
	}
	mustContain(t, admin.do("GET", page, nil, nil), http.StatusOK, "Die Rolle ist vergeben.", "Kultusministerium und darunter")

	// A stale form (old version) does not overwrite a newer change.
	r = admin.do("POST", page, form("version", strconv.Itoa(jana.Version), "display_name", "J. B.", "email", ""), nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("update: %d %s", r.status, firstLine(r.body))
	}
	r = admin.do("POST", page, form("version", strconv.Itoa(jana.Version), "display_name", "Überholt", "email", ""), nil)
	mustContain(t, r, http.StatusPreconditionFailed, "Das Konto wurde inzwischen geändert.")

	// The new user logs in through the form and must change the password.
	c := e.client()
	r = c.do("POST", "/login", form("username", "jana", "password", initial, "next", "/audit"), nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
		t.Fatalf("first login: %d %s", r.status, r.header.Get("Location"))
	}
	mustContain(t, c.do("GET", "/account", nil, nil), http.StatusOK, "Bitte vergeben Sie ein eigenes Passwort")
	if r := c.do("GET", "/", nil, nil); r.header.Get("Location") != "/account" {
		t.Errorf("start page before the change: %d %s", r.status, r.header.Get("Location"))
	}
	r = c.do("POST", "/account/password", form("current_password", initial, "new_password", "meine neue Passphrase", "repeat_password", "meine neue Passphrase!"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Die Wiederholung stimmt nicht")
	r = c.do("POST", "/account/password", form("current_password", initial, "new_password", "meine neue Passphrase", "repeat_password", "meine neue Passphrase"), nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("change: %d %s %s", r.status, r.header.Get("Location"), firstLine(r.body))
	}
	mustContain(t, c.do("GET", "/", nil, nil), http.StatusOK, "Willkommen, J. B.", "Abteilungsleitung", "Ihr Passwort ist geändert")

	// Reset by the admin ends jana's session and shows the new password once.
	r = admin.do("POST", page+"/password", "", nil)
	mustContain(t, r, http.StatusOK, "zurückgesetzt", "Alle Sitzungen des Kontos wurden beendet")
	if r := c.do("GET", "/", nil, nil); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("jana still logged in after reset: %d", r.status)
	}
	// Disabling the only admin is refused in German.
	root, _ := e.db.UserByUsername(context.Background(), "root")
	r = admin.do("POST", "/admin/users/"+strconv.FormatInt(root.ID, 10)+"/status", form("disabled", "true"), nil)
	mustContain(t, r, http.StatusConflict, "kein aktives Administrationskonto")
}

func TestAccountPageTokens(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.loggedIn("tim", domain.Grant{Role: domain.RoleISB})
	r := c.do("POST", "/account/tokens", form("name", "Berichte", "expires_at", "2001-01-01"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Das Ablaufdatum muss in der Zukunft")
	r = c.do("POST", "/account/tokens", form("name", "Berichte", "expires_at", "2099-01-01"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "höchstens 366 Tage")
	r = c.do("POST", "/account/tokens", form("name", "Berichte", "expires_at", nowPlusDays(30)), nil)
	mustContain(t, r, http.StatusOK, "Neues API-Token „Berichte“", `value="ismsd_`)
	r = c.do("GET", "/account", nil, nil)
	mustContain(t, r, http.StatusOK, "Berichte")
	if strings.Contains(string(r.body), `value="ismsd_`) {
		t.Error("the token secret is shown again")
	}
}

func TestAuditPageFilters(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.user("bert")
	c := e.loggedIn("anna", domain.Grant{Role: domain.RoleAuditor})
	r := c.do("GET", "/audit?actor=test&resource_type=user", nil, nil)
	mustContain(t, r, http.StatusOK, "Konto angelegt", "user.create")
	if strings.Contains(string(r.body), "session.create") {
		t.Error("filter on resource type ignored")
	}
	mustContain(t, c.do("GET", "/audit?from=gestern", nil, nil), http.StatusUnprocessableEntity, "Bitte ein Datum angeben.")
}

func nowPlusDays(n int) string { return time.Now().AddDate(0, 0, n).Format("2006-01-02") }
