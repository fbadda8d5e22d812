package server

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/domain"
	"ismsd/internal/problem"
	"ismsd/internal/route"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestContext gives every request an id (a sane incoming X-Request-ID
// is kept, so a proxy's id links both logs), a logger carrying it, and the
// base URL for problem type URIs.
func (s *Server) requestContext(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !requestIDPattern.MatchString(id) {
		b := make([]byte, 12)
		rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Header("X-Request-ID", id)
	c.Set(problem.KeyRequestID, id)
	c.Set(problem.KeyLogger, s.log.With("request_id", id))
	c.Set(problem.KeyBaseURL, s.cfg.BaseURL)
	c.Next()
}

// accessLog writes one structured line per request.
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	attrs := []any{
		"method", c.Request.Method,
		"path", c.Request.URL.Path,
		"status", c.Writer.Status(),
		"bytes", c.Writer.Size(),
		"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
		"client", c.ClientIP(),
	}
	if p, ok := route.Principal(c); ok {
		attrs = append(attrs, "user", p.User.Username)
	}
	level := slog.LevelInfo
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	}
	problem.Logger(c).Log(c.Request.Context(), level, "request", attrs...)
}

// recovery turns a panic into a 500 answer and a log line with the stack.
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			problem.Logger(c).Error("panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				s.fail(c, fmt.Errorf("panic: %v", v))
			}
			c.Abort()
		}
	}()
	c.Next()
}

// securityHeaders keep pages from being framed, sniffed or leaking referrers,
// allow only our own scripts and styles and deny the browser features we
// never use. Under an https base URL, browsers are told to use https only
// (never over plain http, where a network attacker could strip it anyway);
// API answers, all of them personal, are never stored by a cache.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	h.Set("Permissions-Policy", permissionsPolicy)
	if strings.HasPrefix(s.cfg.BaseURL, "https://") {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		h.Set("Cache-Control", "no-store")
	}
	c.Next()
}

// permissionsPolicy denies every powerful browser feature: the product
// needs none of them, so a script that got in could not use them either.
const permissionsPolicy = "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), geolocation=(), " +
	"gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), screen-wake-lock=(), " +
	"serial=(), usb=(), xr-spatial-tracking=()"

// limitBody caps the request body of a route (the server's limit unless
// the route, an upload, sets its own); reading past the cap fails with
// *http.MaxBytesError, which decoding turns into 413.
//
// The connection of an upload to a streaming route serves no further
// request, and once the route has answered nothing more is read from it:
// net/http would otherwise drain up to 256 KiB of an unread body before
// closing, waiting for a client that may never send it (an anonymous one
// refused by authorize, say) until the read deadline.
func (s *Server) limitBody(r route.Route) gin.HandlerFunc {
	limit := s.cfg.MaxBodyBytes
	if r.MaxBody > 0 {
		limit = r.MaxBody
	}
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		if r.Streams && c.Request.ContentLength != 0 {
			c.Header("Connection", "close")
			defer http.NewResponseController(c.Writer).SetReadDeadline(time.Now())
		}
		c.Next()
	}
}

// extendStreamDeadline gives a streaming route StreamTimeout instead of
// the server's timeouts. It runs after authorize: only a client the
// route lets in may hold a connection that long.
func extendStreamDeadline(r route.Route) gin.HandlerFunc {
	return func(c *gin.Context) {
		if r.Streams {
			rc, deadline := http.NewResponseController(c.Writer), time.Now().Add(route.StreamTimeout)
			if err := errors.Join(rc.SetReadDeadline(deadline), rc.SetWriteDeadline(deadline)); err != nil {
				problem.Logger(c).Warn("streaming route keeps the server's timeouts", "error", err)
			}
		}
		c.Next()
	}
}

// crossOrigin refuses state-changing browser requests from other origins.
// Requests with an Authorization header are exempt: a foreign page cannot
// make a browser attach a bearer token.
func (s *Server) crossOrigin(c *gin.Context) {
	if c.GetHeader("Authorization") == "" {
		if err := s.cop.Check(c.Request); err != nil {
			s.fail(c, domain.Errorf(domain.ErrForbidden, "cross-origin request refused"))
			return
		}
	}
	c.Next()
}

// authenticate identifies the user by bearer token or session cookie. A
// wrong bearer token is refused at once; a stale cookie is dropped and
// the request goes on anonymously (public pages still work).
func (s *Server) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			s.fail(c, domain.Errorf(domain.ErrUnauthenticated, "only Bearer tokens are accepted in the Authorization header"))
			return
		}
		p, err := s.accounts.AuthenticateToken(ctx, strings.TrimSpace(token))
		if err != nil {
			if errors.Is(err, domain.ErrUnauthenticated) {
				err = domain.Errorf(domain.ErrUnauthenticated, "the API token is unknown, expired or revoked")
			}
			s.fail(c, err)
			return
		}
		if p.ReadOnly && c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
			s.fail(c, route.ErrReadOnlyToken)
			return
		}
		route.SetPrincipal(c, p)
		c.Next()
		return
	}
	if secret := s.cookie.Read(c); secret != "" {
		p, err := s.accounts.Authenticate(ctx, secret)
		switch {
		case err == nil:
			route.SetPrincipal(c, p)
		case errors.Is(err, domain.ErrUnauthenticated):
			s.cookie.Clear(c)
		default:
			s.fail(c, err)
			return
		}
	}
	c.Next()
}

var errLoginRequired = domain.Errorf(domain.ErrUnauthenticated,
	"log in with POST /api/v1/session or send a personal API token as Authorization: Bearer")

// authorize enforces one route's rule.
func (s *Server) authorize(r route.Route) gin.HandlerFunc {
	return func(c *gin.Context) {
		if r.Perm.IsPublic() {
			c.Next()
			return
		}
		p, ok := route.Principal(c)
		if !ok {
			s.fail(c, errLoginRequired)
			return
		}
		if p.User.MustChangePassword && !r.AllowPendingPasswordChange {
			s.fail(c, route.ErrPasswordChangePending)
			return
		}
		if r.SessionOnly && p.SessionID == 0 {
			s.fail(c, route.ErrSessionRequired)
			return
		}
		d := s.authz.Decide(p.User.ID, r.Perm)
		if !d.Allowed {
			s.fail(c, domain.Errorf(domain.ErrForbidden, "your roles do not allow %s", r.Perm))
			return
		}
		route.SetDecision(c, d)
		c.Next()
	}
}

// errBusy refuses an expensive request beyond ISMS_EXPENSIVE_REQUESTS.
var errBusy = &domain.Error{Kind: domain.ErrThrottled, RetryAfter: 10 * time.Second,
	Message: "the server runs as many imports, exports and reports at once as it allows; try again shortly",
	German:  "Der Server bearbeitet gerade so viele Importe, Exporte und Berichte, wie er gleichzeitig zulässt. Bitte versuchen Sie es in einigen Sekunden noch einmal."}

// limitExpensive lets at most ISMS_EXPENSIVE_REQUESTS expensive requests
// (imports, exports, reports) run at once. One more is refused at once
// with 429 and Retry-After instead of waiting: queued uploads would hold
// their connections, and the memory of a burst stays bounded. It runs
// before anything reads the body (the check of the form fields waits for
// more of a slow upload than those fields).
func (s *Server) limitExpensive(r route.Route) gin.HandlerFunc {
	if !r.Expensive {
		return func(c *gin.Context) { c.Next() }
	}
	return func(c *gin.Context) {
		select {
		case s.expensive <- struct{}{}:
			defer func() { <-s.expensive }()
			c.Next()
		default:
			s.fail(c, errBusy)
		}
	}
}
