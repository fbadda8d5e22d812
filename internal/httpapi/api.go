// Package httpapi holds the handlers of the JSON API under /api/v1.
package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/account"
	"ismsd/internal/authz"
	"ismsd/internal/catalogimport"
	"ismsd/internal/domain"
	"ismsd/internal/objectimport"
	"ismsd/internal/postgres"
	"ismsd/internal/problem"
	"ismsd/internal/route"
	"ismsd/internal/validation"
)

// Deps are what the API handlers use.
type Deps struct {
	DB        *postgres.DB
	Accounts  *account.Service
	Authz     *authz.Enforcer
	Validator *validation.Validator
	Cookie    route.Cookie // of the login session
	Device    route.Cookie // of a browser that logged in before (account.LoginInput)
	BaseURL   string
	Catalogs  *catalogimport.Importer
	// CatalogMaxBytes bounds catalog uploads.
	CatalogMaxBytes int64
	Objects         *objectimport.Importer
	// ImportMaxBytes bounds object import files.
	ImportMaxBytes int64
	// EvidenceMaxBytes bounds evidence files.
	EvidenceMaxBytes int64
	// Location is the organisation's time zone: it decides which day is
	// today, and so what is overdue.
	Location *time.Location
	// AuditReads records downloads of evidence files and reports.
	AuditReads bool
}

// API is the set of JSON handlers.
type API struct{ Deps }

// New returns the API handlers.
func New(d Deps) *API {
	if d.Location == nil {
		d.Location = time.Local
	}
	return &API{d}
}

// Routes lists the API routes with their authorization rules.
func (a *API) Routes() []route.Route {
	var rs []route.Route
	rs = append(rs, a.sessionRoutes()...)
	rs = append(rs, a.userRoutes()...)
	rs = append(rs, a.auditRoutes()...)
	rs = append(rs, a.catalogRoutes()...)
	rs = append(rs, a.componentRoutes()...)
	rs = append(rs, a.objectComponentRoutes()...)
	rs = append(rs, a.structureRoutes()...)
	rs = append(rs, a.riskRoutes()...)
	rs = append(rs, a.paramRoutes()...)
	rs = append(rs, a.objectFileRoutes()...)
	rs = append(rs, a.checkRoutes()...)
	rs = append(rs, a.exceptionRoutes()...)
	rs = append(rs, a.evidenceRoutes()...)
	rs = append(rs, a.auditingRoutes()...)
	rs = append(rs, a.reportRoutes()...)
	rs = append(rs, a.readinessRoutes()...)
	rs = append(rs, a.guidelineRoutes()...)
	rs = append(rs, a.historyRoutes()...)
	rs = append(rs, a.packageRoutes()...)
	return rs
}

// decode reads the JSON body, validates it against the route's request
// schema and only then unmarshals it into dst, so every violation is
// reported at once.
func (a *API) decode(c *gin.Context, dst any) error {
	schema, err := requestSchema(c)
	if err != nil {
		return err
	}
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return &domain.Error{Kind: problem.ErrUnsupportedMediaType, Message: "send the body as application/json"}
		}
	}
	body, err := io.ReadAll(c.Request.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return domain.Errorf(domain.ErrTooLarge, "the body exceeds the limit of %d bytes", tooLarge.Limit)
	}
	if err != nil {
		return domain.Errorf(domain.ErrInvalid, "the body could not be read")
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := a.Validator.Validate(schema, body); err != nil {
		return err
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return domain.Invalid(domain.Violation{Pointer: "", Detail: err.Error()})
	}
	return nil
}

// requestSchema is the schema of the route's request body; a route whose
// handler reads a body must declare it (Route.Request).
func requestSchema(c *gin.Context) (string, error) {
	if s := route.RequestSchema(c); s != "" {
		return s, nil
	}
	return "", fmt.Errorf("route %s %s reads a body but declares no request schema", c.Request.Method, c.FullPath())
}

// pathID reads a numeric path parameter; anything else is a 404, since no
// such resource can exist.
func pathID(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.ErrNotFound, "no such resource: %s", c.Request.URL.Path)
	}
	return id, nil
}

// decodeUpdate reads what every update needs: the id of the path, the
// version the client saw (If-Match) and the validated body.
func (a *API) decodeUpdate(c *gin.Context, dst any) (id int64, version int, err error) {
	if id, err = pathID(c, "id"); err != nil {
		return 0, 0, err
	}
	if version, err = ifMatch(c); err != nil {
		return 0, 0, err
	}
	return id, version, a.decode(c, dst)
}

// etag renders a row version as a strong entity tag.
func etag(version int) string { return fmt.Sprintf(`"%d"`, version) }

// ifMatch reads the version the client last saw: 428 without If-Match,
// 412 when it is not one of our tags.
func ifMatch(c *gin.Context) (int, error) {
	h := strings.TrimSpace(c.GetHeader("If-Match"))
	if h == "" {
		return 0, domain.Errorf(domain.ErrPreconditionRequired, "send the ETag you read as If-Match, so that no change is lost")
	}
	v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(h, "W/"), `"`))
	if err != nil || v <= 0 {
		return 0, domain.Errorf(domain.ErrPreconditionFailed, "If-Match %s does not match the current version", h)
	}
	return v, nil
}

// list is the envelope of every collection answer.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func newList[T any](items []T, next string) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, NextCursor: next}
}
