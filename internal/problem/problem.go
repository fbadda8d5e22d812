// Package problem maps errors to HTTP statuses and writes them as RFC 9457
// problem details. The table below is the one place where an error kind
// gets its status.
package problem

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"ismsd/internal/domain"
)

// ContentType is the media type of a problem document.
const ContentType = "application/problem+json"

// Problem is an RFC 9457 problem details document.
type Problem struct {
	Type      string             `json:"type"`
	Title     string             `json:"title"`
	Status    int                `json:"status"`
	Detail    string             `json:"detail,omitempty"`
	Instance  string             `json:"instance,omitempty"`
	RequestID string             `json:"request_id,omitempty"`
	Errors    []domain.Violation `json:"errors,omitempty"`
}

// Kind is one row of the mapping table.
type Kind struct {
	Err    error  // domain error kind; nil for the catch-all
	Status int    // HTTP status
	Slug   string // anchor of the type URI
	Title  string // short English summary
	German string // what the web UI says
}

// Table maps every domain error kind; anything else is an internal error.
var Table = []Kind{
	{domain.ErrInvalid, http.StatusUnprocessableEntity, "validation", "Request is invalid", "Die Eingaben sind ungültig."},
	{domain.ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated", "Authentication required", "Bitte melden Sie sich an."},
	{domain.ErrForbidden, http.StatusForbidden, "forbidden", "Not allowed", "Dafür fehlt Ihnen die Berechtigung."},
	{domain.ErrNotFound, http.StatusNotFound, "not-found", "Not found", "Die Seite oder der Datensatz existiert nicht."},
	{domain.ErrConflict, http.StatusConflict, "conflict", "Conflict", "Die Änderung steht im Widerspruch zum aktuellen Stand."},
	{domain.ErrPreconditionFailed, http.StatusPreconditionFailed, "stale", "Resource was changed", "Der Datensatz wurde inzwischen geändert. Bitte laden Sie die Seite neu."},
	{domain.ErrPreconditionRequired, http.StatusPreconditionRequired, "precondition-required", "If-Match header required", "Die Änderung braucht die Version des Datensatzes."},
	{domain.ErrTooLarge, http.StatusRequestEntityTooLarge, "too-large", "Request body too large", "Die Anfrage ist zu groß."},
	{domain.ErrThrottled, http.StatusTooManyRequests, "throttled", "Too many requests", "Zu viele Versuche. Bitte warten Sie etwas."},
	{domain.ErrIntegrity, http.StatusInternalServerError, "integrity", "Stored content failed its integrity check",
		"Der gespeicherte Inhalt stimmt nicht mehr mit seiner Prüfsumme überein und wird nicht ausgeliefert. Der Vorfall ist protokolliert."},
	{domain.ErrUnavailable, http.StatusServiceUnavailable, "unavailable", "Service temporarily unavailable",
		"Der Dienst ist vorübergehend nicht erreichbar, weil die Datenbank nicht antwortet. Bitte versuchen Sie es in einigen Sekunden erneut."},
	{ErrMethodNotAllowed, http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed", "Diese Aktion ist hier nicht möglich."},
	{ErrUnsupportedMediaType, http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type", "Das Format der Anfrage wird nicht unterstützt."},
	{nil, http.StatusInternalServerError, "internal", "Internal server error", "Ein interner Fehler ist aufgetreten. Er wurde protokolliert."},
}

// Errors of the HTTP layer itself, beside the domain kinds.
var (
	ErrMethodNotAllowed     = errors.New("method not allowed")
	ErrUnsupportedMediaType = errors.New("unsupported media type")
)

// KindOf returns the table row for err.
func KindOf(err error) Kind {
	for _, k := range Table {
		if k.Err != nil && errors.Is(err, k.Err) {
			return k
		}
	}
	return Table[len(Table)-1]
}

// TypeURI is where a problem type is explained: the API reference.
func TypeURI(baseURL, slug string) string { return baseURL + "/api/docs#problem-" + slug }

// From builds the problem document for err. Details of internal errors
// stay in the log; the client gets a generic text and the request id.
func From(err error, baseURL, requestID, instance string) Problem {
	k := KindOf(err)
	p := Problem{Type: TypeURI(baseURL, k.Slug), Title: k.Title, Status: k.Status,
		Instance: instance, RequestID: requestID}
	var de *domain.Error
	if errors.As(err, &de) {
		p.Detail = de.Message
		p.Errors = de.Violations
	}
	if k.Err == nil {
		p.Detail = "The error has been logged with the request id."
	}
	return p
}

// Context keys shared with the server's middleware.
const (
	KeyRequestID = "request_id"
	KeyLogger    = "logger"
	KeyBaseURL   = "base_url"
)

// Logger returns the request's logger (with its request id).
func Logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(KeyLogger); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}

// Write answers the request with the problem for err and logs internal
// errors once.
func Write(c *gin.Context, err error) {
	p := From(err, c.GetString(KeyBaseURL), c.GetString(KeyRequestID), c.Request.URL.Path)
	if p.Status == http.StatusInternalServerError {
		Logger(c).Error("request failed", "err", err)
	} else if p.Status == http.StatusServiceUnavailable {
		Logger(c).Warn("request failed: temporarily unavailable", "err", err)
	}
	SetRetryAfter(c, err)
	c.Header("Cache-Control", "no-store")
	c.Render(p.Status, jsonRender{p})
	c.Abort()
}

// SetRetryAfter tells the client when to try again, when err says so
// (throttling, an unreachable database).
func SetRetryAfter(c *gin.Context, err error) {
	var de *domain.Error
	if errors.As(err, &de) && de.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(de.RetryAfter.Seconds()))))
	}
}

// jsonRender writes the problem with its own media type.
type jsonRender struct{ p Problem }

func (r jsonRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	b, err := jsonMarshal(r.p)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func (jsonRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", ContentType)
}
