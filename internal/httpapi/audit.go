package httpapi

import (
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/route"
)

func (a *API) auditRoutes() []route.Route {
	return []route.Route{
		{Method: http.MethodGet, Path: "/api/v1/audit-log", Perm: authz.Require(authz.ResourceAuditLog, authz.ActionRead), Handler: a.auditLog,
			Summary: "Audit trail, newest first; page with next_cursor", Response: "audit-record.json", List: true,
			Query: []route.Param{
				{Name: "from", Type: "string", Help: "records at or after this time (RFC 3339 or YYYY-MM-DD)"},
				{Name: "to", Type: "string", Help: "records before this time (RFC 3339 or YYYY-MM-DD, the day is included)"},
				{Name: "actor", Type: "string", Help: "user name of who acted"},
				{Name: "resource_type", Type: "string", Help: "e.g. user, session, api_token"},
				{Name: "resource_id", Type: "string", Help: "id of the resource"},
				cursorParam,
				{Name: "limit", Type: "integer", Help: "records per page, 1 to 500 (default 50)"},
			}},
	}
}

type auditResponse struct {
	Seq          int64           `json:"seq"`
	At           time.Time       `json:"at"`
	ActorID      *int64          `json:"actor_id"`
	Actor        string          `json:"actor"`
	Action       string          `json:"action"`
	ResourceType string          `json:"resource_type"`
	ResourceID   string          `json:"resource_id"`
	Before       json.RawMessage `json:"before,omitempty"`
	After        json.RawMessage `json:"after,omitempty"`
	RequestID    string          `json:"request_id"`
	ClientAddr   string          `json:"client_addr"`
	Hash         string          `json:"hash"`
}

func (a *API) auditLog(c *gin.Context) error {
	f, err := domain.ParseAuditFilter(c.Request.URL.Query(), time.UTC)
	if err != nil {
		return err
	}
	recs, next, err := a.DB.ListAudit(c.Request.Context(), f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(convertAll(recs, newAuditResponse), nextCursor(next)))
	return nil
}

func newAuditResponse(r domain.AuditRecord) auditResponse {
	return auditResponse{Seq: r.Seq, At: r.At, ActorID: r.ActorID, Actor: r.ActorName, Action: r.Action,
		ResourceType: r.ResourceType, ResourceID: r.ResourceID, Before: r.Before, After: r.After,
		RequestID: r.RequestID, ClientAddr: r.ClientAddr, Hash: hex.EncodeToString(r.Hash)}
}
