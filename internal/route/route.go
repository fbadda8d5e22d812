// Package route describes the routes of the API and the web UI — path,
// authorization rule, handler and API documentation — and gives handlers
// the request's principal, actor and authorization decision.
package route

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/account"
	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/problem"
)

// StreamTimeout bounds a streaming route's upload or download: a
// gigabyte over a slow office line still fits.
const StreamTimeout = 2 * time.Hour

// Handler handles a request; a returned error is answered by the server
// (problem+json for the API, an error page for the UI).
type Handler func(*gin.Context) error

// Route is one registered route.
type Route struct {
	Method  string
	Path    string // gin syntax: /api/v1/users/:id
	Perm    authz.Permission
	Handler Handler

	// AllowPendingPasswordChange keeps the route open to a user who must
	// change their password first (login, logout, own account).
	AllowPendingPasswordChange bool

	// SessionOnly refuses requests authenticated by an API token (creating
	// tokens: a stolen token must not mint more).
	SessionOnly bool

	// MaxBody overrides the server's request body limit (uploads).
	MaxBody int64
	// Streams marks a large upload or download: the server's read and
	// write timeouts, meant for ordinary requests, give way to StreamTimeout.
	Streams bool
	// Expensive marks a request whose memory or CPU grows with its data
	// (imports, exports, reports): only a few run at once.
	Expensive bool

	// API description, for routes under /api/v1.
	Summary  string
	Request  string // schema file of the request body
	Form     bool   // the body is multipart/form-data (an upload), not JSON
	Response string // schema file of the answer (of one item, when List)
	List     bool   // the answer is {"items": [...], "next_cursor": ...}
	Status   int    // success status; 0 means 200
	IfMatch  bool   // the request must carry If-Match with the ETag
	Query    []Param
}

// Param documents a query parameter.
type Param struct {
	Name, Type, Help string
}

// SuccessStatus is the documented success status.
func (r Route) SuccessStatus() int {
	if r.Status == 0 {
		return http.StatusOK
	}
	return r.Status
}

// ErrSessionRequired refuses a request made with an API token on a route
// that needs a login session.
var ErrSessionRequired = domain.Errorf(domain.ErrForbidden, "this needs a login session; an API token cannot do it").
	De("Das geht nur nach einer Anmeldung, nicht mit einem API-Token.")

// ErrReadOnlyToken refuses a change made with a read-only API token.
var ErrReadOnlyToken = domain.Errorf(domain.ErrForbidden, "this API token is read-only: only GET and HEAD requests pass").
	De("Dieses API-Token darf nur lesen.")

// ErrPasswordChangePending refuses requests of a user who must change
// their password first.
var ErrPasswordChangePending = domain.Errorf(domain.ErrForbidden, "you must change your password first (PUT /api/v1/me/password)")

const (
	keyPrincipal     = "principal"
	keyDecision      = "decision"
	keyRequestSchema = "request_schema"
)

// SetRequestSchema names the schema of the route's request body
// (Route.Request) for the handler's decoder: the route table is the one
// place that says which schema a body must meet.
func SetRequestSchema(c *gin.Context, name string) { c.Set(keyRequestSchema, name) }

// RequestSchema is the schema file of the route's request body, or "".
func RequestSchema(c *gin.Context) string { return c.GetString(keyRequestSchema) }

// SetPrincipal stores the authenticated user on the request.
func SetPrincipal(c *gin.Context, p account.Principal) { c.Set(keyPrincipal, p) }

// Principal returns the authenticated user, if any.
func Principal(c *gin.Context) (account.Principal, bool) {
	v, ok := c.Get(keyPrincipal)
	if !ok {
		return account.Principal{}, false
	}
	return v.(account.Principal), true
}

// UserID is the id of the authenticated user, or 0.
func UserID(c *gin.Context) int64 {
	p, _ := Principal(c)
	return p.User.ID
}

// SetDecision stores the authorization decision for the route.
func SetDecision(c *gin.Context, d authz.Decision) { c.Set(keyDecision, d) }

// Decision returns the authorization decision; handlers use it to limit
// queries to the departments the user may see.
func Decision(c *gin.Context) authz.Decision {
	v, _ := c.Get(keyDecision)
	d, _ := v.(authz.Decision)
	return d
}

// Actor is who makes the change of this request, for the audit trail.
func Actor(c *gin.Context) domain.Actor {
	a := domain.Actor{RequestID: c.GetString(problem.KeyRequestID), ClientAddr: c.ClientIP()}
	if p, ok := Principal(c); ok {
		id := p.User.ID
		a.UserID, a.Name = &id, p.User.Username
	} else {
		a.Name = "anonymous"
	}
	return a
}

// Cookie writes and reads one of our cookies with the same attributes
// everywhere: HttpOnly, SameSite=Lax, and under https Secure with the
// __Host- prefix (bound to this host and path "/").
type Cookie struct {
	base   string
	Secure bool
	MaxAge time.Duration
}

// SessionCookie carries the secret of the login session.
func SessionCookie(secure bool, maxAge time.Duration) Cookie {
	return Cookie{base: "ismsd_session", Secure: secure, MaxAge: maxAge}
}

// DeviceCookie carries the secret that marks a browser in which an
// account has logged in before (see account.LoginInput).
func DeviceCookie(secure bool, maxAge time.Duration) Cookie {
	return Cookie{base: "ismsd_device", Secure: secure, MaxAge: maxAge}
}

// Name of the cookie.
func (ck Cookie) Name() string {
	if ck.Secure {
		return "__Host-" + ck.base
	}
	return ck.base
}

// Set stores a secret in the browser.
func (ck Cookie) Set(c *gin.Context, secret string) {
	ck.write(c, secret, int(ck.MaxAge.Seconds()))
}

// Clear removes the cookie.
func (ck Cookie) Clear(c *gin.Context) { ck.write(c, "", -1) }

// Read returns the secret sent by the browser, or "".
func (ck Cookie) Read(c *gin.Context) string {
	v, _ := c.Cookie(ck.Name())
	return v
}

func (ck Cookie) write(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: ck.Name(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: ck.Secure, SameSite: http.SameSiteLaxMode})
}

// Visibility is what the route's authorization decision lets the user
// see or change: everything, or the objects of some department subtrees.
func Visibility(c *gin.Context) postgres.Visibility {
	d := Decision(c)
	return postgres.Visibility{All: d.Global, Departments: d.Departments}
}
