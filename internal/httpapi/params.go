package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// paramRoutes are the parameters of a Grundschutz++ scope (Methodik
// STM.5.1). Everyone who reads the scope reads them; they hold for the
// whole scope, so, as with the risk matrix, only writers without a limit
// to departments set them. A Kompendium scope has none: 409.
func (a *API) paramRoutes() []route.Route {
	read, write := authz.Require(authz.ResourceObjects, authz.ActionRead), authz.Require(authz.ResourceObjects, authz.ActionWrite)
	return []route.Route{
		{Method: http.MethodGet, Path: "/api/v1/scopes/:id/parameters", Perm: read, Handler: a.listParams,
			Summary:  "The parameters of a Grundschutz++ scope's requirement package with the BSI's labels, presets, the scope's values and the requirements that insert them; the ETag is the version of the set of values (409 for a scope whose catalog has no parameters)",
			Response: "scope-params.json", Query: []route.Param{
				{Name: "unset", Type: "boolean", Help: "true: only parameters with neither a value nor a preset"},
				{Name: "requirement", Type: "string", Help: "only parameters of requirements whose id starts with this, e.g. UMS.5"},
				{Name: "limit", Type: "integer", Help: "parameters per page, 1 to 500 (default 500)"},
				cursorParam,
			}},
		{Method: http.MethodPost, Path: "/api/v1/scopes/:id/parameters/bulk", Perm: write, Handler: a.patchParams, IfMatch: true,
			Summary: "Set and clear values of the scope's parameters in one transaction, all or nothing (writers without a limit to departments); answers the whole list with its new ETag",
			Request: "scope-params-update.json", Response: "scope-params.json"},
	}
}

type paramRequirementJSON struct {
	ID    string      `json:"id"`
	Title string      `json:"title"`
	Text  domain.Text `json:"text"`
}

type paramJSON struct {
	ParamID      string                 `json:"param_id"`
	Label        string                 `json:"label"`
	Preset       string                 `json:"preset"`
	Value        *string                `json:"value"`
	Unset        bool                   `json:"unset"`
	UpdatedBy    string                 `json:"updated_by,omitempty"`
	UpdatedAt    *time.Time             `json:"updated_at,omitempty"`
	Requirements []paramRequirementJSON `json:"requirements"`
}

type scopeParamsJSON struct {
	ScopeID    int64       `json:"scope_id"`
	Version    int         `json:"version"`
	Total      int         `json:"total"`
	All        int         `json:"all"`
	Unset      int         `json:"unset"`
	NextCursor string      `json:"next_cursor,omitempty"`
	Items      []paramJSON `json:"items"`
}

// writeParams answers the list with the requirement texts showing the
// scope's values in place.
func (a *API) writeParams(c *gin.Context, ps postgres.ScopeParams, f domain.ParamFilter) error {
	values, err := a.DB.ParamValues(c.Request.Context(), ps.ScopeID)
	if err != nil {
		return err
	}
	inPlace := values.Effective()
	out := scopeParamsJSON{ScopeID: ps.ScopeID, Version: ps.Version, Total: ps.Total, All: ps.All, Unset: ps.Unset,
		Items: make([]paramJSON, len(ps.Items))}
	if next := f.Offset + len(ps.Items); len(ps.Items) > 0 && next < ps.Total {
		out.NextCursor = strconv.Itoa(next)
	}
	for i, p := range ps.Items {
		j := paramJSON{ParamID: p.ParamID, Label: p.Label, Preset: p.Preset, Unset: p.Unset(), UpdatedBy: p.UpdatedBy.String,
			UpdatedAt: p.UpdatedAt, Requirements: make([]paramRequirementJSON, len(p.Requirements))}
		if p.Value.Valid {
			j.Value = &p.Value.String
		}
		for k, r := range p.Requirements {
			j.Requirements[k] = paramRequirementJSON{ID: r.ID, Title: r.Title, Text: r.Text.WithParams(inPlace)}
		}
		out.Items[i] = j
	}
	writeVersioned(c, http.StatusOK, ps.Version, out)
	return nil
}

func (a *API) listParams(c *gin.Context) error {
	scopeID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f, err := domain.ParseParamFilter(c.Request.URL.Query())
	if err != nil {
		return err
	}
	ps, err := a.DB.ScopeParams(c.Request.Context(), scopeID, f)
	if err != nil {
		return err
	}
	return a.writeParams(c, ps, f)
}

func (a *API) patchParams(c *gin.Context) error {
	var req struct {
		Values []domain.ParamValueInput `json:"values"`
		Clear  []string                 `json:"clear"`
	}
	// A writer limited to departments learns first that the values are
	// not theirs to set, whatever the request holds.
	if err := postgres.MayChangeParams(route.Visibility(c)); err != nil {
		return err
	}
	scopeID, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	out, err := inTx(a, c, func(tx *postgres.Tx) (postgres.ScopeParams, error) {
		return tx.SetParams(c.Request.Context(), scopeID, version, postgres.ParamChange{Values: req.Values, Clear: req.Clear}, route.Visibility(c))
	})
	if err != nil {
		return err
	}
	return a.writeParams(c, out, domain.ParamFilter{})
}
