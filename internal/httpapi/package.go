package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// packageRoutes are the requirement package of a Grundschutz++ scope:
// what it holds, and the "erhöht" requirements the ISB raised into it
// (Methodik STM.3.1). The package binds the whole scope: raising takes a
// grant on the scopes without a department limit.
func (a *API) packageRoutes() []route.Route {
	read, write := authz.Require(authz.ResourceScopes, authz.ActionRead), authz.Require(authz.ResourceScopes, authz.ActionWrite)
	return []route.Route{
		{Method: http.MethodGet, Path: "/api/v1/scopes/:id/package", Perm: read, Handler: a.getPackage,
			Summary:  "The scope's requirement package (Grundschutz++): entries by modal verb and security level, and the raised requirements",
			Response: "package.json"},
		{Method: http.MethodPost, Path: "/api/v1/scopes/:id/level-raises", Perm: write, Handler: a.raiseLevel,
			Summary: "Bring an \"erhöht\" requirement into a Grundschutz++ scope's package for a stated reason", Request: "level-raise-create.json",
			Response: "level-raise.json", Status: http.StatusCreated},
		{Method: http.MethodDelete, Path: "/api/v1/scopes/:id/level-raises/:requirement", Perm: write, Handler: a.lowerLevel,
			Summary: "Take a raised requirement out of the package again", Status: http.StatusNoContent},
	}
}

type levelRaiseJSON struct {
	RequirementID string    `json:"requirement_id"`
	Title         string    `json:"title"`
	Reason        string    `json:"reason"`
	RaisedBy      string    `json:"raised_by"`
	RaisedAt      time.Time `json:"raised_at"`
}

func newLevelRaiseJSON(r domain.LevelRaise) levelRaiseJSON {
	return levelRaiseJSON{RequirementID: r.RequirementID, Title: r.Title, Reason: r.Reason, RaisedBy: r.RaisedBy, RaisedAt: r.RaisedAt}
}

type packageFigureJSON struct {
	Obligation domain.Obligation `json:"obligation"`
	Level      domain.Level      `json:"level"`
	Entries    int               `json:"entries"`
	Done       int               `json:"done"`
}

func (a *API) getPackage(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	s, err := a.DB.Scope(ctx, id)
	if err != nil {
		return err
	}
	figures, err := a.DB.PackageFigures(ctx, id)
	if err != nil {
		return err
	}
	raises, err := a.DB.LevelRaises(ctx, id)
	if err != nil {
		return err
	}
	out := struct {
		ScopeID      int64               `json:"scope_id"`
		CatalogID    int64               `json:"catalog_id"`
		CatalogTitle string              `json:"catalog_title"`
		Method       domain.Method       `json:"method"`
		Figures      []packageFigureJSON `json:"figures"`
		Raises       []levelRaiseJSON    `json:"raises"`
	}{ScopeID: id, CatalogID: s.CatalogID, CatalogTitle: s.CatalogTitle, Method: s.Method,
		Figures: convertAll(figures, func(f domain.PackageFigure) packageFigureJSON { return packageFigureJSON(f) }),
		Raises:  convertAll(raises, newLevelRaiseJSON)}
	c.JSON(http.StatusOK, out)
	return nil
}

func (a *API) raiseLevel(c *gin.Context) error {
	var in domain.LevelRaiseInput
	id, err := a.decodeAt(c, &in)
	if err != nil {
		return err
	}
	r, err := inTx(a, c, func(tx *postgres.Tx) (domain.LevelRaise, error) { return tx.RaiseLevel(c.Request.Context(), id, in) })
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, newLevelRaiseJSON(r))
	return nil
}

func (a *API) lowerLevel(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return noContent(c, a.run(c, func(tx *postgres.Tx) error { return tx.LowerLevel(c.Request.Context(), id, c.Param("requirement")) }))
}
