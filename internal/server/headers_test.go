package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"ismsd/internal/config"
	"ismsd/internal/domain"
	"ismsd/internal/validation"
)

// TestSecurityHeaders checks the headers every answer carries: a
// Permissions-Policy everywhere, no-store on every API answer (successes
// too), and HSTS exactly when the base URL is https.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.loggedIn("hedda", domain.Grant{Role: domain.RoleISB})
	answers := map[string]response{
		"API success":  c.do("GET", "/api/v1/me", nil, nil),
		"API list":     c.do("GET", "/api/v1/scopes", nil, nil),
		"API problem":  e.client().do("GET", "/api/v1/me", nil, nil),
		"API creation": c.do("POST", "/api/v1/departments", map[string]string{"name": "Referat 1"}, nil),
		"page":         c.do("GET", "/", nil, nil),
		"login page":   e.client().do("GET", "/login", nil, nil),
		"static file":  e.client().do("GET", "/static/style.css", nil, nil),
		"health":       e.client().do("GET", "/healthz", nil, nil),
	}
	for name, r := range answers {
		pp := r.header.Get("Permissions-Policy")
		for _, feature := range []string{"camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"} {
			if !strings.Contains(pp, feature) {
				t.Errorf("%s (%d): Permissions-Policy %q lacks %s", name, r.status, pp, feature)
			}
		}
		if hsts := r.header.Get("Strict-Transport-Security"); hsts != "" {
			t.Errorf("%s: HSTS %q over plain http", name, hsts)
		}
		if strings.HasPrefix(name, "API") && !strings.Contains(r.header.Get("Cache-Control"), "no-store") {
			t.Errorf("%s (%d): Cache-Control %q, want no-store", name, r.status, r.header.Get("Cache-Control"))
		}
	}

	// The same server under an https base URL (behind a TLS proxy).
	cfg, err := config.Load(func(string) string { return "" }, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL = "https://isms.example.org"
	v, err := validation.New()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Deps{Config: cfg, DB: e.db, Accounts: e.accounts, Authz: e.authz, Validator: v, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/login", "/api/v1/me", "/healthz"} {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://isms.example.org"+path, nil))
		io.Copy(io.Discard, rec.Body)
		if got := rec.Header().Get("Strict-Transport-Security"); got != "max-age=31536000; includeSubDomains" {
			t.Errorf("%s under https: HSTS %q", path, got)
		}
		if !strings.Contains(rec.Header().Get("Permissions-Policy"), "camera=()") {
			t.Errorf("%s under https: Permissions-Policy %q", path, rec.Header().Get("Permissions-Policy"))
		}
	}
}
