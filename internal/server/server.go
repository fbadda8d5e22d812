// Package server assembles the HTTP server: middleware, the routes of the
// API and the web UI, health endpoints, timeouts and graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/account"
	"ismsd/internal/authz"
	"ismsd/internal/catalogimport"
	"ismsd/internal/config"
	"ismsd/internal/domain"
	"ismsd/internal/httpapi"
	"ismsd/internal/objectimport"
	"ismsd/internal/postgres"
	"ismsd/internal/problem"
	"ismsd/internal/route"
	"ismsd/internal/validation"
	"ismsd/internal/webui"
)

// Deps are what the server is built from.
type Deps struct {
	Config    config.Config
	DB        *postgres.DB
	Accounts  *account.Service
	Authz     *authz.Enforcer
	Validator *validation.Validator
	Log       *slog.Logger
}

// Server is the assembled HTTP server.
type Server struct {
	cfg      config.Config
	db       *postgres.DB
	accounts *account.Service
	authz    *authz.Enforcer
	log      *slog.Logger
	cop      *http.CrossOriginProtection
	cookie   route.Cookie // of the login session
	device   route.Cookie // of a browser that logged in before
	ui       *webui.UI
	engine   *gin.Engine
	routes   []route.Route
	// expensive holds a token per expensive request running (limitExpensive).
	expensive chan struct{}
}

// New builds the server and registers every route.
func New(d Deps) (*Server, error) {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{cfg: d.Config, db: d.DB, accounts: d.Accounts, authz: d.Authz, log: d.Log,
		cop:    http.NewCrossOriginProtection(),
		cookie: route.SessionCookie(d.Config.SecureCookies(), d.Accounts.Config().SessionMaxAge),
		device: route.DeviceCookie(d.Config.SecureCookies(), account.DeviceMaxAge)}
	s.expensive = make(chan struct{}, max(1, d.Config.ExpensiveRequests))
	// Behind a reverse proxy the Host header may differ from the public
	// name; the configured public origin is always ours.
	if err := s.cop.AddTrustedOrigin(originOf(d.Config.BaseURL)); err != nil {
		return nil, fmt.Errorf("ISMS_BASE_URL: %w", err)
	}
	catalogs, objects := catalogimport.New(d.DB, d.Config.CatalogMaxBytes), objectimport.New(d.DB)
	api := httpapi.New(httpapi.Deps{DB: d.DB, Accounts: d.Accounts, Authz: d.Authz, Validator: d.Validator, Cookie: s.cookie, Device: s.device,
		BaseURL: d.Config.BaseURL, Catalogs: catalogs, CatalogMaxBytes: d.Config.CatalogMaxBytes,
		Objects: objects, ImportMaxBytes: d.Config.ImportMaxBytes, EvidenceMaxBytes: d.Config.EvidenceMaxBytes, Location: d.Config.Location,
		AuditReads: d.Config.AuditReads})
	ui, err := webui.New(webui.Deps{DB: d.DB, Accounts: d.Accounts, Authz: d.Authz, Cookie: s.cookie, Device: s.device, Location: d.Config.Location,
		Log: d.Log, Catalogs: catalogs, CatalogMaxBytes: d.Config.CatalogMaxBytes, Objects: objects, ImportMaxBytes: d.Config.ImportMaxBytes,
		EvidenceMaxBytes: d.Config.EvidenceMaxBytes, AuditReads: d.Config.AuditReads})
	if err != nil {
		return nil, err
	}
	s.ui = ui

	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	if err := e.SetTrustedProxies(d.Config.TrustedProxies); err != nil {
		return nil, fmt.Errorf("ISMS_TRUSTED_PROXIES: %w", err)
	}
	e.Use(s.recovery, s.requestContext, s.accessLog, s.securityHeaders, s.crossOrigin, s.authenticate)
	s.engine = e

	s.routes = append(s.routes, s.healthRoutes()...)
	s.routes = append(s.routes, api.Routes()...)
	s.routes = append(s.routes, api.DescriptionRoutes(s.APIRoutes)...)
	s.routes = append(s.routes, ui.Routes()...)
	s.routes = append(s.routes, ui.APIDocsRoute(s.APIRoutes))
	for _, r := range s.routes {
		e.Handle(r.Method, r.Path, s.limitBody(r), s.authorize(r), extendStreamDeadline(r), s.limitExpensive(r), s.refuseBadText, s.handle(r))
	}
	e.NoRoute(func(c *gin.Context) {
		s.fail(c, domain.Errorf(domain.ErrNotFound, "no such resource: %s", c.Request.URL.Path))
	})
	e.NoMethod(func(c *gin.Context) { s.fail(c, problem.ErrMethodNotAllowed) })
	return s, nil
}

func originOf(baseURL string) string {
	scheme, rest, _ := strings.Cut(baseURL, "://")
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host
}

// Handler is the server's http.Handler (for tests and benchmarks).
func (s *Server) Handler() http.Handler { return s.engine }

// Routes lists every registered route with its authorization rule.
func (s *Server) Routes() []route.Route { return s.routes }

// APIRoutes lists the routes of the JSON API.
func (s *Server) APIRoutes() []route.Route {
	var out []route.Route
	for _, r := range s.routes {
		if isAPI(r.Path) {
			out = append(out, r)
		}
	}
	return out
}

func isAPI(path string) bool { return strings.HasPrefix(path, "/api/v1/") }

// handle adapts a route's handler: it learns the route's request schema,
// and a returned error becomes the answer.
func (s *Server) handle(r route.Route) gin.HandlerFunc {
	return func(c *gin.Context) {
		route.SetRequestSchema(c, r.Request)
		if err := r.Handler(c); err != nil {
			s.fail(c, err)
		}
	}
}

// fail answers with problem+json for the API and machine endpoints, and
// with a German page (or a redirect to the login) for the web UI.
func (s *Server) fail(c *gin.Context, err error) {
	p := c.Request.URL.Path
	if strings.HasPrefix(p, "/api/") && p != webui.APIDocsPath || p == "/healthz" || p == "/readyz" {
		problem.Write(c, err)
		return
	}
	s.ui.Fail(c, err)
}

func (s *Server) healthRoutes() []route.Route {
	return []route.Route{
		{Method: http.MethodGet, Path: "/healthz", Perm: authz.Public, Handler: func(c *gin.Context) error {
			c.JSON(http.StatusOK, gin.H{"status": "alive"})
			return nil
		}},
		{Method: http.MethodGet, Path: "/readyz", Perm: authz.Public, Handler: s.ready},
	}
}

// ready answers 200 when the database answers and its schema is current.
func (s *Server) ready(c *gin.Context) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	v, err := s.db.MigrationVersion(ctx)
	if err != nil {
		problem.Logger(c).Warn("not ready: database", "err", err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "reason": "database unreachable"})
		return nil
	}
	if want := postgres.LatestMigration(); v != want {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable",
			"reason": fmt.Sprintf("database schema at version %d, this build needs %d", v, want)})
		return nil
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "schema_version": v})
	return nil
}

// Run serves on the listener until ctx ends, then stops accepting and
// waits up to drain for requests in flight.
func (s *Server) Run(ctx context.Context, ln net.Listener, drain time.Duration) error {
	srv := &http.Server{
		Handler:           s.engine,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down; draining requests in flight", "timeout", drain.String())
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
