// Package webui renders the German, server-rendered web interface. Pages
// work without JavaScript; forms post back and redirect (or show a result
// that must be seen once, such as a generated password).
package webui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/account"
	"ismsd/internal/authz"
	"ismsd/internal/catalogimport"
	"ismsd/internal/domain"
	"ismsd/internal/german"
	"ismsd/internal/objectimport"
	"ismsd/internal/postgres"
	"ismsd/internal/problem"
	"ismsd/internal/route"
	"ismsd/web"
)

// Deps are what the pages use.
type Deps struct {
	DB       *postgres.DB
	Accounts *account.Service
	Authz    *authz.Enforcer
	Cookie   route.Cookie // of the login session
	Device   route.Cookie // of a browser that logged in before (account.LoginInput)
	Location *time.Location
	Log      *slog.Logger
	Catalogs *catalogimport.Importer
	// CatalogMaxBytes bounds catalog uploads.
	CatalogMaxBytes int64
	Objects         *objectimport.Importer
	// ImportMaxBytes bounds object import files.
	ImportMaxBytes int64
	// EvidenceMaxBytes bounds evidence files.
	EvidenceMaxBytes int64
	// AuditReads records downloads of evidence files and reports.
	AuditReads bool
}

// UI renders the pages.
type UI struct {
	Deps
	pages   map[string]*template.Template
	static  http.Handler
	figures *figuresCache // the dashboards' figures over whole scopes
}

// New parses every page template with the layout.
func New(d Deps) (*UI, error) {
	if d.Location == nil {
		d.Location = time.Local
	}
	u := &UI{Deps: d, pages: map[string]*template.Template{}, figures: newFiguresCache()}
	names, err := fs.Glob(web.FS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(u.funcs()).ParseFS(web.FS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		u.pages[base] = t
	}
	static, err := fs.Sub(web.FS, "static")
	if err != nil {
		return nil, err
	}
	u.static = http.StripPrefix("/static/", http.FileServer(http.FS(static)))
	return u, nil
}

// Routes lists the pages with their authorization rules.
func (u *UI) Routes() []route.Route {
	users := authz.Require(authz.ResourceUsers, authz.ActionRead)
	usersWrite := authz.Require(authz.ResourceUsers, authz.ActionWrite)
	get, post := http.MethodGet, http.MethodPost
	rs := []route.Route{
		{Method: get, Path: "/static/*file", Perm: authz.Public, Handler: u.serveStatic, AllowPendingPasswordChange: true},
		{Method: get, Path: "/login", Perm: authz.Public, Handler: u.loginPage, AllowPendingPasswordChange: true},
		{Method: post, Path: "/login", Perm: authz.Public, Handler: u.login, AllowPendingPasswordChange: true},
		{Method: post, Path: "/logout", Perm: authz.Authenticated, Handler: u.logout, AllowPendingPasswordChange: true},
		{Method: get, Path: "/", Perm: authz.Authenticated, Handler: u.home},
		{Method: get, Path: "/account", Perm: authz.Authenticated, Handler: u.accountPage, AllowPendingPasswordChange: true},
		{Method: post, Path: "/account/password", Perm: authz.Authenticated, Handler: u.changePassword, AllowPendingPasswordChange: true},
		{Method: post, Path: "/account/tokens", Perm: authz.Authenticated, Handler: u.createToken, SessionOnly: true},
		{Method: post, Path: "/account/tokens/:id/revoke", Perm: authz.Authenticated, Handler: u.revokeToken},
		{Method: post, Path: "/account/sessions/:id/end", Perm: authz.Authenticated, Handler: u.endOwnSession},
		{Method: get, Path: "/admin/users", Perm: users, Handler: u.usersPage},
		{Method: get, Path: "/admin/users/new", Perm: usersWrite, Handler: u.newUserPage},
		{Method: post, Path: "/admin/users", Perm: usersWrite, Handler: u.createUser},
		{Method: get, Path: "/admin/users/:id", Perm: users, Handler: u.userPage},
		{Method: post, Path: "/admin/users/:id", Perm: usersWrite, Handler: u.updateUser},
		{Method: post, Path: "/admin/users/:id/status", Perm: usersWrite, Handler: u.setUserStatus},
		{Method: post, Path: "/admin/users/:id/password", Perm: usersWrite, Handler: u.resetPassword},
		{Method: post, Path: "/admin/users/:id/grants", Perm: usersWrite, Handler: u.grant},
		{Method: post, Path: "/admin/users/:id/grants/:grant/revoke", Perm: usersWrite, Handler: u.revokeGrant},
		{Method: post, Path: "/admin/users/:id/sessions/end", Perm: usersWrite, Handler: u.endUserSessions},
		{Method: post, Path: "/admin/users/:id/tokens/:token/revoke", Perm: usersWrite, Handler: u.revokeUserToken},
		{Method: post, Path: "/admin/users/:id/lockouts/lift", Perm: usersWrite, Handler: u.liftLockout},
		{Method: get, Path: "/audit", Perm: authz.Require(authz.ResourceAuditLog, authz.ActionRead), Handler: u.auditPage},
	}
	rs = append(rs, u.structureRoutes()...)
	rs = append(rs, u.importRoutes()...)
	rs = append(rs, u.packageRoutes()...)
	rs = append(rs, u.riskRoutes()...)
	rs = append(rs, u.paramRoutes()...)
	rs = append(rs, u.checkRoutes()...)
	rs = append(rs, u.exceptionRoutes()...)
	rs = append(rs, u.auditingRoutes()...)
	rs = append(rs, u.evidenceRoutes()...)
	rs = append(rs, u.readinessRoutes()...)
	rs = append(rs, u.guidelineRoutes()...)
	rs = append(rs, u.reportRoutes()...)
	rs = append(rs, u.dashboardRoutes()...)
	rs = append(rs, u.componentRoutes()...)
	rs = append(rs, u.mappingRoutes()...)
	rs = append(rs, u.objectComponentRoutes()...)
	return append(rs, u.catalogRoutes()...)
}

func (u *UI) serveStatic(c *gin.Context) error {
	c.Header("Cache-Control", "public, max-age=3600")
	u.static.ServeHTTP(c.Writer, c.Request)
	return nil
}

// navItem is one entry of the main navigation; only pages the user may
// open are listed.
type navItem struct {
	Href, Label string
	Active      bool
}

// navSections names the other paths that belong to a navigation entry.
var navSections = map[string][]string{
	"/scopes": {"/objects", "/departments", "/import-template"},
}

// page is what every template gets.
type page struct {
	Title     string
	User      *domain.User
	Nav       []navItem
	Flash     string
	Error     string
	Data      any
	RequestID string
	Pending   bool // the user must change their password before anything else
}

func (u *UI) navFor(c *gin.Context, p account.Principal) []navItem {
	items := []navItem{{Href: "/", Label: "Start"}}
	if p.User.MustChangePassword {
		items = nil
	} else {
		if u.Authz.Decide(p.User.ID, authz.Require(authz.ResourceScopes, authz.ActionRead)).Allowed {
			items = append(items, navItem{Href: "/scopes", Label: "Informationsverbund"})
		}
		if u.Authz.Decide(p.User.ID, authz.Require(authz.ResourceCatalogs, authz.ActionRead)).Allowed {
			items = append(items, navItem{Href: "/catalogs", Label: "Kataloge"})
		}
		if u.Authz.Decide(p.User.ID, authz.Require(authz.ResourceUsers, authz.ActionRead)).Allowed {
			items = append(items, navItem{Href: "/admin/users", Label: "Benutzerverwaltung"})
		}
		if u.Authz.Decide(p.User.ID, authz.Require(authz.ResourceAuditLog, authz.ActionRead)).Allowed {
			items = append(items, navItem{Href: "/audit", Label: "Protokoll"})
		}
		items = append(items, navItem{Href: APIDocsPath, Label: "API"})
	}
	items = append(items, navItem{Href: "/account", Label: "Mein Konto"})
	path := c.Request.URL.Path
	for i := range items {
		for _, h := range append([]string{items[i].Href}, navSections[items[i].Href]...) {
			items[i].Active = items[i].Active || path == h || h != "/" && strings.HasPrefix(path, h+"/")
		}
	}
	return items
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 instead of half a page.
func (u *UI) render(c *gin.Context, status int, name, title string, data any) error {
	t, ok := u.pages[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	pg := page{Title: title, Data: data, RequestID: c.GetString(problem.KeyRequestID), Flash: u.takeFlash(c)}
	if p, ok := route.Principal(c); ok {
		pg.User = &p.User
		pg.Nav = u.navFor(c, p)
		pg.Pending = p.User.MustChangePassword
	}
	if e, ok := data.(interface{ FormError() string }); ok {
		pg.Error = e.FormError()
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", pg); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
	return nil
}

// showPage shows the page about the record the path names: load reads
// the record, data the page's content, and title names the page after
// the record.
func showPage[R, D any](u *UI, c *gin.Context, name string, load func(*gin.Context) (R, error),
	data func(*gin.Context, R) (D, error), title func(R) string) error {
	r, err := load(c)
	if err != nil {
		return err
	}
	d, err := data(c, r)
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, name, title(r), d)
}

// refuseForm shows a page again with its refused form: load reads the
// page as it is now, mark puts the refusal on it. An error that is not
// about the input fails the request.
func refuseForm[D any](u *UI, c *gin.Context, err error, name, title string, load func() (D, error), mark func(*D, formErrors)) error {
	if !isInputError(err) {
		return err
	}
	d, derr := load()
	if derr != nil {
		return derr
	}
	mark(&d, newFormErrors(err))
	return u.render(c, statusOf(err), name, title, d)
}

// scopeTitle names a page of a scope: "Audits · Informationsverbund".
func scopeTitle(page string) func(postgres.ScopeSummary) string {
	return func(s postgres.ScopeSummary) string { return page + " · " + s.Name }
}

const flashCookie = "ismsd_flash"

// redirect sends the browser on after a successful form, with a message
// for the next page.
func (u *UI) redirect(c *gin.Context, to, flash string) error {
	if flash != "" {
		http.SetCookie(c.Writer, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(flash), Path: "/",
			MaxAge: 60, HttpOnly: true, Secure: u.Cookie.Secure, SameSite: http.SameSiteLaxMode})
	}
	c.Redirect(http.StatusSeeOther, to)
	return nil
}

func (u *UI) takeFlash(c *gin.Context) string {
	v, err := c.Cookie(flashCookie)
	if err != nil || v == "" {
		return ""
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: u.Cookie.Secure, SameSite: http.SameSiteLaxMode})
	msg, _ := url.QueryUnescape(v)
	return msg
}

// errorPage is the data of the error template.
type errorPage struct {
	Status  int
	Heading string
	Message string
}

// Fail answers a failed page request: the login for anonymous users, the
// password form while a change is pending, otherwise a German error page.
func (u *UI) Fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, route.ErrPasswordChangePending):
		c.Redirect(http.StatusSeeOther, "/account")
		c.Abort()
		return
	case errors.Is(err, domain.ErrUnauthenticated):
		if _, ok := route.Principal(c); !ok {
			// After the login, go back to the page; a form post (say, after
			// the session expired) cannot be repeated, so go to the start.
			next := "/"
			if c.Request.Method == http.MethodGet {
				next = c.Request.URL.RequestURI()
			}
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
			c.Abort()
			return
		}
	}
	k := problem.KindOf(err)
	if k.Status == http.StatusInternalServerError {
		problem.Logger(c).Error("page failed", "err", err)
	} else if k.Status == http.StatusServiceUnavailable {
		problem.Logger(c).Warn("page failed: temporarily unavailable", "err", err)
	}
	problem.SetRetryAfter(c, err)
	msg := germanMessage(err)
	heading := map[int]string{
		http.StatusNotFound:           "Seite nicht gefunden",
		http.StatusForbidden:          "Keine Berechtigung",
		http.StatusServiceUnavailable: "Vorübergehend nicht erreichbar",
		http.StatusTooManyRequests:    "Zu viele Anfragen",
	}[k.Status]
	if heading == "" {
		heading = "Fehler"
	}
	if rerr := u.render(c, k.Status, "error", heading, errorPage{Status: k.Status, Heading: heading, Message: msg}); rerr != nil {
		problem.Logger(c).Error("error page failed", "err", rerr)
		c.String(http.StatusInternalServerError, "Interner Fehler")
	}
	c.Abort()
}

// germanMessage is what the UI says about err.
func germanMessage(err error) string {
	if m := domain.GermanMessage(err); m != "" {
		return m
	}
	return problem.KindOf(err).German
}

// formErrors turns a refused input into German messages per form field
// (keyed by the JSON pointer without the slash) and one summary.
type formErrors struct {
	Summary string
	Fields  map[string]string
}

func (f formErrors) FormError() string { return f.Summary }

// formsState is what a page with several forms knows after a refusal:
// which form failed and its messages, so only that form shows them.
type formsState struct {
	ErrorsFor string
	Errors    formErrors
}

func (f formsState) FormError() string { return f.Errors.Summary }

// FieldError is the refusal of a field of the form that failed.
func (f formsState) FieldError(form, field string) string {
	if f.ErrorsFor != form {
		return ""
	}
	return f.Errors.Fields[field]
}

func (f *formsState) refuse(form string, err error) { f.ErrorsFor, f.Errors = form, newFormErrors(err) }

func newFormErrors(err error) formErrors {
	f := formErrors{Summary: germanMessage(err), Fields: map[string]string{}}
	var de *domain.Error
	if errors.As(err, &de) {
		for _, v := range de.Violations {
			msg := v.German
			if msg == "" {
				msg = "Dieser Wert ist ungültig."
			}
			f.Fields[strings.TrimPrefix(v.Pointer, "/")] = msg
		}
		if len(de.Violations) > 1 {
			f.Summary = "Bitte prüfen Sie die markierten Eingaben."
		}
	}
	return f
}

// isInputError tells errors the user can fix in the form from failures.
func isInputError(err error) bool {
	for _, k := range []error{domain.ErrInvalid, domain.ErrConflict, domain.ErrPreconditionFailed, domain.ErrNotFound, domain.ErrThrottled, domain.ErrUnauthenticated} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

func (u *UI) funcs() template.FuncMap {
	return template.FuncMap{
		"datetime": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				return german.DateTime(v.In(u.Location))
			case *time.Time:
				if v == nil {
					return "–"
				}
				return german.DateTime(v.In(u.Location))
			}
			return ""
		},
		"date": func(t time.Time) string { return german.Date(t.In(u.Location)) },
		// calendarDate prints a calendar date (a DATE column) as it is,
		// without a shift into the time zone.
		"calendarDate": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				return german.Date(v)
			case *time.Time:
				if v == nil {
					return "–"
				}
				return german.Date(*v)
			}
			return ""
		},
		"isodate": func(t time.Time) string {
			return t.In(u.Location).Format("2006-01-02")
		},
		"roleLabel":   func(r domain.Role) string { return r.Label() },
		"clientLabel": clientLabel,
		"levelLabel":  levelLabel,
		"kindLabel":   kindLabel,
		"actionLabel": actionLabel,
		"prettyJSON": func(v []byte) string {
			var buf bytes.Buffer
			if json.Indent(&buf, v, "", "  ") != nil {
				return string(v)
			}
			return buf.String()
		},
		"dict": func(kv ...string) map[string]string {
			m := map[string]string{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i]] = kv[i+1]
			}
			return m
		},
	}
}

// statusOf is the HTTP status of a refused form, as the API would answer.
func statusOf(err error) int { return problem.KindOf(err).Status }

// levelLabel names a requirement level as the Kompendium does.
func levelLabel(l domain.Level) string {
	switch l {
	case domain.LevelBasis:
		return "Basis"
	case domain.LevelStandard:
		return "Standard"
	case domain.LevelElevated:
		return "erhöhter Schutzbedarf"
	}
	return string(l)
}

// kindLabel names a catalog kind.
func kindLabel(k domain.CatalogKind) string {
	switch k {
	case domain.CatalogKompendium:
		return "IT-Grundschutz-Kompendium"
	case domain.CatalogOSCAL:
		return "OSCAL-Katalog"
	case domain.CatalogDemo:
		return "Demo-Auszug"
	}
	return string(k)
}
