// Package httpapi holds the handlers of the JSON API under /api/v1.
package httpapi

import (
	"context"
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
	rs = append(rs, a.mappingRoutes()...)
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

// pathPair reads the path's id and the id of what the path names below
// it, as :token in /users/:id/tokens/:token.
func pathPair(c *gin.Context, below string) (int64, int64, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return 0, 0, err
	}
	other, err := pathID(c, below)
	return id, other, err
}

// existingOfPath reads the path's id of a record that read finds: one that
// does not exist is a 404, not an empty list of what belongs to it.
func existingOfPath[T any](c *gin.Context, read func(context.Context, int64) (T, error)) (int64, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return 0, err
	}
	_, err = read(c.Request.Context(), id)
	return id, err
}

// decodeUpdate reads what every update needs: the id of the path, the
// version the client saw (If-Match) and the validated body.
func (a *API) decodeUpdate(c *gin.Context, dst any) (id int64, version int, err error) {
	if id, version, err = pathAndVersion(c); err != nil {
		return 0, 0, err
	}
	return id, version, a.decode(c, dst)
}

// decodeAt reads the id of the path and the validated body of a request
// that adds to that record or acts on it.
func (a *API) decodeAt(c *gin.Context, dst any) (int64, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return 0, err
	}
	return id, a.decode(c, dst)
}

// getByPath answers the GET of the record the path's id names, as write
// reads and answers it.
func getByPath(c *gin.Context, write func(c *gin.Context, status int, id int64) error) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return write(c, http.StatusOK, id)
}

// getLoaded answers the GET of the record the path's id names: load reads
// it, write answers it.
func getLoaded[T any](c *gin.Context, load func(context.Context, int64) (T, error), write func(c *gin.Context, status int, v T)) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, err := load(c.Request.Context(), id)
	if err != nil {
		return err
	}
	write(c, http.StatusOK, v)
	return nil
}

// writeVersioned answers one record with its version as the ETag, which
// a change sends back as If-Match.
func writeVersioned(c *gin.Context, status, version int, body any) {
	c.Header("ETag", etag(version))
	c.JSON(status, body)
}

// setLocation names a new record in the Location header: path and its id.
func setLocation(c *gin.Context, path string, id int64) {
	c.Header("Location", path+strconv.FormatInt(id, 10))
}

// noContent answers 204 to a change that answers nothing, or its error.
func noContent(c *gin.Context, err error) error {
	if err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
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

// countedList is a page of a collection read by offset, with the size of
// the whole.
type countedList[T any] struct {
	list[T]
	Total int `json:"total"`
}

// newCountedList is the page of items that starts at offset; the next
// cursor is the offset after it, "" at the end.
func newCountedList[T any](items []T, offset, total int) countedList[T] {
	next := ""
	if offset+len(items) < total {
		next = strconv.Itoa(offset + len(items))
	}
	return countedList[T]{newList(items, next), total}
}

// answerList answers a whole collection, each item as conv makes it, or
// the error of reading it.
func answerList[S, T any](c *gin.Context, xs []S, err error, conv func(S) T) error {
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(convertAll(xs, conv), ""))
	return nil
}

// convertAll makes each item of xs into its answer.
func convertAll[S, T any](xs []S, conv func(S) T) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = conv(x)
	}
	return out
}

// convertOn is convertAll for answers that depend on the day, such as
// whether something is overdue.
func convertOn[S, T any](xs []S, today time.Time, conv func(S, time.Time) T) []T {
	return convertAll(xs, func(x S) T { return conv(x, today) })
}
