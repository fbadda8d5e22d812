package server

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/pgserver"
	"ismsd/internal/postgres"
	"ismsd/internal/postgres/pgtest"
)

// TestDatabaseOutage: while the database is down, the API answers 503
// problem+json with Retry-After, pages say so in German, /readyz fails and
// /healthz stays alive; when the database is back, everything recovers
// without a restart of the server, sessions included. The database is an
// own cluster that the test stops, as an external one would go away.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ismsd-outage-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	opts := pgserver.Options{Dir: dir, BinDir: os.Getenv("ISMS_PG_BIN")}
	cluster, err := pgserver.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Stop() })
	if err := postgres.Bootstrap(ctx, cluster.URL("postgres"), "ismsd", pgtest.AppRole); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.Migrate(ctx, cluster.URL("ismsd"), pgtest.AppRole); err != nil {
		t.Fatal(err)
	}
	appURL := cluster.URLFor(pgtest.AppRole, "ismsd")
	db, err := postgres.Open(ctx, appURL, 4, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := startServer(t, db, pgtest.DB{Name: "ismsd", OwnerURL: cluster.URL("ismsd"), AppURL: appURL})
	c := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})
	if r := c.do("GET", "/api/v1/scopes", nil, nil); r.status != http.StatusOK {
		t.Fatalf("before the outage: %d %s", r.status, r.body)
	}

	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, req := range []struct {
		who          *client
		method, path string
		body         any
	}{
		{c, "GET", "/api/v1/scopes", nil},
		{c, "POST", "/api/v1/departments", map[string]any{"name": "Referat 1"}},
		{e.client(), "POST", "/api/v1/session", map[string]string{"username": "root", "password": testPassword}},
	} {
		r := req.who.do(req.method, req.path, req.body, nil)
		p := problemOf(t, r, http.StatusServiceUnavailable)
		if !strings.HasSuffix(p.Type, "#problem-unavailable") || p.Detail == "" {
			t.Errorf("%s %s: problem %+v", req.method, req.path, p)
		}
		if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s <= 0 {
			t.Errorf("%s %s: Retry-After %q", req.method, req.path, r.header.Get("Retry-After"))
		}
	}
	r := c.do("GET", "/", nil, nil)
	if r.status != http.StatusServiceUnavailable || !strings.Contains(string(r.body), "vorübergehend nicht erreichbar") ||
		r.header.Get("Retry-After") == "" {
		t.Errorf("page during the outage: %d, Retry-After %q\n%.2000s", r.status, r.header.Get("Retry-After"), r.body)
	}
	if r := e.client().do("GET", "/readyz", nil, nil); r.status != http.StatusServiceUnavailable {
		t.Errorf("readyz during the outage: %d %s", r.status, r.body)
	}
	if r := e.client().do("GET", "/healthz", nil, nil); r.status != http.StatusOK {
		t.Errorf("healthz during the outage: %d %s", r.status, r.body)
	}

	cluster, err = pgserver.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for r := e.client().do("GET", "/readyz", nil, nil); r.status != http.StatusOK; r = e.client().do("GET", "/readyz", nil, nil) {
		if time.Now().After(deadline) {
			t.Fatalf("readyz after the database is back: %d %s", r.status, r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r := c.do("GET", "/api/v1/scopes", nil, nil); r.status != http.StatusOK {
		t.Errorf("the session after the outage: %d %s", r.status, r.body)
	}
	if r := c.do("POST", "/api/v1/departments", map[string]any{"name": "Referat 1"}, nil); r.status != http.StatusCreated {
		t.Errorf("a write after the outage: %d %s", r.status, r.body)
	}
}
