package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// exceptionRoutes are the exceptions (Ausnahmen, Methodik UMS.5) of a
// Grundschutz++ scope: management authorises and revokes them, everyone
// who reads the check reads them (department-limited readers those of
// their subtree).
func (a *API) exceptionRoutes() []route.Route {
	read := authz.Require(authz.ResourceObjects, authz.ActionRead)
	authorise := authz.Require(authz.ResourceExceptions, authz.ActionWrite)
	get, post := http.MethodGet, http.MethodPost
	return []route.Route{
		{Method: get, Path: "/api/v1/scopes/:id/exceptions", Perm: read, Handler: a.listExceptions,
			Summary: "The exceptions of a Grundschutz++ scope by end date, filtered, in cursor pages", Response: "exception.json", List: true,
			Query: exceptionParams},
		{Method: get, Path: "/api/v1/check-entries/:id/exception", Perm: read, Handler: a.getEntryException,
			Summary:  "The exception of a check entry: the one not revoked, else the last revoked one; the ETag is its version",
			Response: "exception.json"},
		{Method: post, Path: "/api/v1/check-entries/:id/exception", Perm: authorise, Handler: a.createException,
			Summary: "Management authorises an exception for an unmet MUSS or SOLLTE entry of a Grundschutz++ scope: justification and end date; signed by the signed-in account, confirmed by its password (a session that confirmed it within the last 5 minutes may omit it; a token request must send it). An entry has at most one exception not revoked (409)",
			Request: "exception-create.json", Response: "exception.json", Status: http.StatusCreated},
		{Method: post, Path: "/api/v1/exceptions/:id/revoke", Perm: authorise, Handler: a.revokeException, IfMatch: true,
			Summary: "Management revokes an exception (send its ETag); the entry needs a decision again", Response: "exception.json"},
	}
}

var exceptionParams = []route.Param{
	{Name: "state", Type: "string", Help: "valid, expiring (valid and ending within days), expired or revoked"},
	{Name: "days", Type: "integer", Help: "with state=expiring: ending within so many days, 1 to 366 (default 30)"},
	{Name: "department", Type: "integer", Help: "department id; its subtree is included"},
	{Name: "limit", Type: "integer", Help: "exceptions per page, 1 to 1000 (default 100)"},
	cursorParam,
}

type exceptionJSON struct {
	ID            int64                 `json:"id"`
	ScopeID       int64                 `json:"scope_id"`
	EntryID       int64                 `json:"entry_id"`
	Object        entryObjectJSON       `json:"object"`
	Requirement   string                `json:"requirement"`
	Title         string                `json:"title"`
	Obligation    domain.Obligation     `json:"obligation"`
	EntryStatus   domain.Status         `json:"entry_status"`
	Justification string                `json:"justification"`
	ValidUntil    string                `json:"valid_until"`
	State         domain.ExceptionState `json:"state"`
	DaysLeft      int                   `json:"days_left"`
	AuthorisedBy  string                `json:"authorised_by"`
	AuthorisedAt  time.Time             `json:"authorised_at"`
	RevokedAt     *time.Time            `json:"revoked_at"`
	RevokedBy     string                `json:"revoked_by,omitempty"`
	Version       int                   `json:"version"`
}

func newExceptionJSON(x domain.Exception, today time.Time) exceptionJSON {
	return exceptionJSON{ID: x.ID, ScopeID: x.ScopeID, EntryID: x.EntryID,
		Object:      entryObjectJSON{ID: x.ObjectID, ShortID: x.ObjectShortID, Name: x.ObjectName, DepartmentID: x.DepartmentID},
		Requirement: x.RequirementID, Title: x.Title, Obligation: x.Obligation, EntryStatus: x.EntryStatus, Justification: x.Justification,
		ValidUntil: x.ValidUntil.Format(time.DateOnly), State: x.State(today), DaysLeft: x.DaysLeft(today), AuthorisedBy: x.AuthorisedBy,
		AuthorisedAt: x.AuthorisedAt, RevokedAt: x.RevokedAt, RevokedBy: x.RevokedBy, Version: x.Version}
}

func (a *API) writeException(c *gin.Context, status int, x domain.Exception) {
	writeVersioned(c, status, x.Version, newExceptionJSON(x, a.today()))
}

func (a *API) listExceptions(c *gin.Context) error {
	scopeID, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	f, err := domain.ParseExceptionFilter(c.Request.URL.Query())
	if err != nil {
		return err
	}
	f.Today = a.today()
	xs, next, err := a.DB.ListExceptions(c.Request.Context(), scopeID, f, route.Visibility(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(convertOn(xs, f.Today, newExceptionJSON), nextCursor(next)))
	return nil
}

func (a *API) getEntryException(c *gin.Context) error {
	return getLoaded(c, func(ctx context.Context, id int64) (domain.Exception, error) {
		return a.DB.EntryException(ctx, id, route.Visibility(c))
	}, a.writeException)
}

func (a *API) createException(c *gin.Context) error {
	var req struct {
		domain.ExceptionInput
		Password string `json:"password"`
	}
	id, err := a.decodeAt(c, &req)
	if err != nil {
		return err
	}
	sig, today, err := a.sign(c, req.Password)
	if err != nil {
		return err
	}
	x, err := inTx(a, c, func(tx *postgres.Tx) (domain.Exception, error) {
		return tx.CreateException(c.Request.Context(), id, req.ExceptionInput, sig, today, route.Visibility(c))
	})
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/check-entries/"+strconv.FormatInt(id, 10)+"/exception")
	a.writeException(c, http.StatusCreated, x)
	return nil
}

func (a *API) revokeException(c *gin.Context) error {
	id, version, err := pathAndVersion(c)
	if err != nil {
		return err
	}
	p, _ := route.Principal(c)
	today := a.today()
	x, err := inTx(a, c, func(tx *postgres.Tx) (domain.Exception, error) {
		return tx.RevokeException(c.Request.Context(), id, version, domain.Signature{UserID: p.User.ID, On: today}, today, route.Visibility(c))
	})
	if err != nil {
		return err
	}
	a.writeException(c, http.StatusOK, x)
	return nil
}
