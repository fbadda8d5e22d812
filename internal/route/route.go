// Package route describes the routes of the API and the web UI — path,
// authorization rule, handler and API documentation — and gives handlers
// the request's principal, actor and authorization decision.
package route

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
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

// AuditFilter reads the audit-trail filter from the query string; the API
// and the UI page take the same parameters.
func AuditFilter(c *gin.Context, loc *time.Location) (postgres.AuditFilter, error) {
	f := postgres.AuditFilter{Actor: c.Query("actor"), ResourceType: c.Query("resource_type"), ResourceID: c.Query("resource_id")}
	var vs []domain.Violation
	var err error
	if f.From, err = parseTime(c.Query("from"), false, loc); err != nil {
		vs = append(vs, domain.Violation{Pointer: "/from", Detail: err.Error(), German: "Bitte ein Datum angeben."})
	}
	if f.To, err = parseTime(c.Query("to"), true, loc); err != nil {
		vs = append(vs, domain.Violation{Pointer: "/to", Detail: err.Error(), German: "Bitte ein Datum angeben."})
	}
	if v := c.Query("cursor"); v != "" {
		if f.BeforeSeq, err = strconv.ParseInt(v, 10, 64); err != nil || f.BeforeSeq <= 0 {
			vs = append(vs, domain.Violation{Pointer: "/cursor", Detail: "not a cursor of this list", German: "Ungültige Seitenangabe."})
		}
	}
	if v := c.Query("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > 500 {
			vs = append(vs, domain.Violation{Pointer: "/limit", Detail: "must be a number from 1 to 500", German: "Bitte eine Zahl von 1 bis 500."})
		}
	}
	if len(vs) > 0 {
		return f, domain.Invalid(vs...)
	}
	return f, nil
}

// parseTime accepts RFC 3339 or a date; a date as upper bound means the
// end of that day.
func parseTime(v string, endOfDay bool, loc *time.Location) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation("2006-01-02", v, loc)
	if err != nil {
		return time.Time{}, errBadTime
	}
	if endOfDay {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

var errBadTime = domain.Errorf(domain.ErrInvalid, "want a time as 2006-01-02T15:04:05Z07:00 or a date as 2006-01-02")

// SearchQuery reads the search parameters shared by the API and the UI.
func SearchQuery(c *gin.Context) (postgres.SearchQuery, error) {
	q := postgres.SearchQuery{Text: strings.TrimSpace(c.Query("q")), GroupKey: c.Query("layer"), Level: domain.Level(c.Query("level"))}
	var vs []domain.Violation
	if q.Text == "" || domain.TooLong(q.Text, 200) {
		vs = append(vs, domain.Violation{Pointer: "/q", Detail: "give 1 to 200 characters to search for", German: "Bitte einen Suchbegriff eingeben."})
	}
	if v := c.Query("catalog"); v != "" {
		var err error
		if q.CatalogID, err = strconv.ParseInt(v, 10, 64); err != nil || q.CatalogID <= 0 {
			vs = append(vs, domain.Violation{Pointer: "/catalog", Detail: "must be a catalog id", German: "Unbekannter Katalog."})
		}
	}
	if q.Level != "" && q.Level != domain.LevelBasis && q.Level != domain.LevelStandard && q.Level != domain.LevelElevated {
		vs = append(vs, domain.Violation{Pointer: "/level", Detail: "must be basis, standard or elevated", German: "Unbekannte Stufe."})
	}
	q.IncludeWithdrawn = c.Query("withdrawn") == "true"
	if v := c.Query("limit"); v != "" {
		var err error
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit < 1 || q.Limit > 100 {
			vs = append(vs, domain.Violation{Pointer: "/limit", Detail: "must be a number from 1 to 100", German: "Bitte eine Zahl von 1 bis 100."})
		}
	}
	if v := c.Query("cursor"); v != "" {
		var err error
		if q.Offset, err = strconv.Atoi(v); err != nil || q.Offset < 0 || q.Offset > 100000 {
			vs = append(vs, domain.Violation{Pointer: "/cursor", Detail: "not a cursor of this search", German: "Ungültige Seitenangabe."})
		}
	}
	if len(vs) > 0 {
		return q, domain.Invalid(vs...)
	}
	return q, nil
}

// Visibility is what the route's authorization decision lets the user
// see or change: everything, or the objects of some department subtrees.
func Visibility(c *gin.Context) postgres.Visibility {
	d := Decision(c)
	return postgres.Visibility{All: d.Global, Departments: d.Departments}
}

// ObjectFilter reads the object list parameters shared by the API and the UI.
func ObjectFilter(c *gin.Context) (postgres.ObjectFilter, error) {
	f := postgres.ObjectFilter{Text: strings.TrimSpace(c.Query("q")), Type: domain.ObjectType(c.Query("type")), Tag: c.Query("tag"),
		GapsOnly: c.Query("gaps") == "true", NoModuleOnly: c.Query("flagged") == "true", OnCycle: c.Query("cycle") == "true",
		Undetermined: c.Query("undetermined") == "true"}
	var vs []domain.Violation
	bad := func(pointer, detail, german string) {
		vs = append(vs, domain.Violation{Pointer: pointer, Detail: detail, German: german})
	}
	if f.Type != "" && !f.Type.Valid() {
		bad("/type", "unknown object type", "Unbekannter Typ.")
	}
	if v := c.Query("department"); v != "" {
		var err error
		if f.DepartmentID, err = strconv.ParseInt(v, 10, 64); err != nil || f.DepartmentID <= 0 {
			bad("/department", "must be a department id", "Unbekannte Organisationseinheit.")
		}
	}
	if v := c.Query("need"); v != "" {
		n, ok := domain.ParseNeed(v)
		if !ok || n == domain.NeedUnknown {
			bad("/need", "must be normal, high or very_high", "Unbekannter Schutzbedarf.")
		}
		f.NeedAtLeast = n
	}
	if v := c.Query("sort"); v != "" {
		f.Sort, f.Desc = strings.TrimPrefix(v, "-"), strings.HasPrefix(v, "-")
		if !slices.Contains(postgres.SortKeys(), f.Sort) {
			bad("/sort", "unknown sort key", "Unbekannte Sortierung.")
		}
	}
	if v := c.Query("limit"); v != "" {
		var err error
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > 500 {
			bad("/limit", "must be a number from 1 to 500", "Bitte eine Zahl von 1 bis 500.")
		}
	}
	if v := c.Query("cursor"); v != "" {
		var err error
		if f.Offset, err = strconv.Atoi(v); err != nil || f.Offset < 0 {
			bad("/cursor", "not a cursor of this list", "Ungültige Seitenangabe.")
		}
	}
	if len(vs) > 0 {
		return f, domain.Invalid(vs...)
	}
	return f, nil
}

// EntryFilter reads the check-entry list parameters shared by the API and the UI.
func EntryFilter(c *gin.Context) (postgres.EntryFilter, error) {
	f := postgres.EntryFilter{ModuleID: c.Query("module"), Status: domain.Status(c.Query("status")), Level: domain.Level(c.Query("level")),
		Responsible: strings.TrimSpace(c.Query("responsible")), ReviewOverdue: c.Query("review_overdue") == "true",
		IncludeRetired: c.Query("retired") == "true"}
	var vs []domain.Violation
	bad := func(pointer, detail, german string) {
		vs = append(vs, domain.Violation{Pointer: pointer, Detail: detail, German: german})
	}
	if f.Status != "" && !f.Status.Valid() {
		bad("/status", "unknown status", "Unbekannter Umsetzungsstatus.")
	}
	if f.Level != "" && !slices.Contains(domain.Levels, f.Level) {
		bad("/level", "must be basis, standard or elevated", "Unbekannte Stufe.")
	}
	vs = append(vs, pageQuery(c, map[string]*int64{"object": &f.ObjectID, "department": &f.DepartmentID, "cursor": &f.After}, &f.Limit)...)
	if len(vs) > 0 {
		return f, domain.Invalid(vs...)
	}
	return f, nil
}

// PlanFilter reads the implementation-plan list parameters of the API and the UI.
func PlanFilter(c *gin.Context) (postgres.PlanFilter, error) {
	f := postgres.PlanFilter{Owner: strings.TrimSpace(c.Query("owner")), DueMonth: c.Query("month"), State: domain.PlanState(c.Query("state")),
		OverdueOnly: c.Query("overdue") == "true", IncludeDone: c.Query("done") == "true"}
	var vs []domain.Violation
	if f.State != "" && !f.State.Valid() {
		vs = append(vs, domain.Violation{Pointer: "/state", Detail: "unknown state", German: "Unbekannter Stand."})
	}
	if f.DueMonth != "" {
		if _, err := time.Parse("2006-01", f.DueMonth); err != nil {
			vs = append(vs, domain.Violation{Pointer: "/month", Detail: "want a month as 2006-01", German: "Bitte einen Monat angeben."})
		}
	}
	vs = append(vs, pageQuery(c, map[string]*int64{"department": &f.DepartmentID, "cursor": &f.After}, &f.Limit)...)
	if len(vs) > 0 {
		return f, domain.Invalid(vs...)
	}
	return f, nil
}

// EvidenceFilter reads the evidence list parameters of the API and the
// UI. queue=true is the reader's review queue (never their own uploads),
// mine=true their own uploads.
func EvidenceFilter(c *gin.Context) (postgres.EvidenceFilter, error) {
	f := postgres.EvidenceFilter{State: domain.ReviewState(c.Query("state")), Query: strings.TrimSpace(c.Query("q")), Tag: c.Query("tag"),
		Expired: c.Query("expired") == "true", ReviewQueue: c.Query("queue") == "true", Target: domain.LinkTarget(c.Query("target"))}
	var vs []domain.Violation
	if f.State != "" && !f.State.Valid() {
		vs = append(vs, domain.Violation{Pointer: "/state", Detail: "unknown review state", German: "Unbekannter Prüfstand."})
	}
	if f.Target != "" && !f.Target.Valid() {
		vs = append(vs, domain.Violation{Pointer: "/target", Detail: "unknown kind of link", German: "Unbekannte Art der Verknüpfung."})
	}
	if v := c.Query("expiring"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 366 {
			vs = append(vs, domain.Violation{Pointer: "/expiring", Detail: "days from 1 to 366", German: "Bitte eine Zahl von Tagen (1 bis 366)."})
		}
		f.ExpiringWithin = n
	}
	if p, ok := Principal(c); ok {
		if f.ReviewQueue {
			f.ReviewerID = p.User.ID
		}
		if c.Query("mine") == "true" {
			f.UploadedBy = p.User.ID
		}
	}
	vs = append(vs, pageQuery(c, map[string]*int64{"department": &f.DepartmentID, "target_id": &f.TargetID, "cursor": &f.After}, &f.Limit)...)
	if f.Target != "" && f.TargetID == 0 {
		vs = append(vs, domain.Violation{Pointer: "/target_id", Detail: "a target needs its id", German: "Zum Ziel fehlt die Nummer."})
	}
	if len(vs) > 0 {
		return f, domain.Invalid(vs...)
	}
	return f, nil
}

// pageQuery reads the ids named in ints (positive numbers) and the page
// limit (1 to 1000) of a list request; each bad one is a violation, in
// the order of the names (not the map's, which changes from run to run).
func pageQuery(c *gin.Context, ints map[string]*int64, limit *int) []domain.Violation {
	var vs []domain.Violation
	for _, name := range slices.Sorted(maps.Keys(ints)) {
		dst := ints[name]
		if v := c.Query(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				vs = append(vs, domain.Violation{Pointer: "/" + name, Detail: "must be a positive number", German: "Ungültige Angabe."})
			}
			*dst = n
		}
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			vs = append(vs, domain.Violation{Pointer: "/limit", Detail: "must be a number from 1 to 1000", German: "Bitte eine Zahl von 1 bis 1000."})
		}
		*limit = n
	}
	return vs
}
