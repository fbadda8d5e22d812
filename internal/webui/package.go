package webui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// packageRoutes are the page of a Grundschutz++ scope's requirement
// package (Methodik STM.2, STM.3): what it holds and the "erhöht"
// requirements the ISB raised into it.
func (u *UI) packageRoutes() []route.Route {
	read, write := authz.Require(authz.ResourceScopes, authz.ActionRead), authz.Require(authz.ResourceScopes, authz.ActionWrite)
	return []route.Route{
		{Method: http.MethodGet, Path: "/scopes/:id/package", Perm: read, Handler: u.packagePage},
		{Method: http.MethodPost, Path: "/scopes/:id/package/raises", Perm: write, Handler: u.raiseLevel},
		{Method: http.MethodPost, Path: "/scopes/:id/package/raises/:requirement/remove", Perm: write, Handler: u.lowerLevel},
	}
}

// packageFigureView is a row of the package's table.
type packageFigureView struct {
	domain.PackageFigure
	LevelLabel      string
	NEntries, NDone num
	Percent         int
}

type packagePage struct {
	Scope      scopeView
	Tab        string
	Figures    []packageFigureView
	Raises     []domain.LevelRaise
	Candidates []postgres.RaiseCandidate
	CanWrite   bool
	In         domain.LevelRaiseInput
	Errors     formErrors
}

func (u *UI) packageData(c *gin.Context, s postgres.ScopeSummary) (packagePage, error) {
	ctx := c.Request.Context()
	d := packagePage{Scope: newScopeView(s), Tab: "package", CanWrite: u.allowed(c, authz.ResourceScopes, authz.ActionWrite)}
	if s.Method != domain.MethodPlusPlus {
		return d, nil
	}
	fs, err := u.DB.PackageFigures(ctx, s.ID)
	if err != nil {
		return d, err
	}
	for _, f := range fs {
		v := packageFigureView{PackageFigure: f, LevelLabel: domain.PlusPlusLevelLabel(f.Level), NEntries: num(f.Entries), NDone: num(f.Done)}
		if f.Entries > 0 {
			v.Percent = f.Done * 100 / f.Entries
		}
		d.Figures = append(d.Figures, v)
	}
	if d.Raises, err = u.DB.LevelRaises(ctx, s.ID); err != nil {
		return d, err
	}
	if d.CanWrite {
		d.Candidates, err = u.DB.RaiseCandidates(ctx, s.ID)
	}
	return d, err
}

func (u *UI) packagePage(c *gin.Context) error {
	s, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	d, err := u.packageData(c, s)
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "package", "Anforderungspaket · "+s.Name, d)
}

func (u *UI) raiseLevel(c *gin.Context) error {
	s, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	in := domain.LevelRaiseInput{RequirementID: c.PostForm("requirement_id"), Reason: c.PostForm("reason")}
	err = u.run(c, func(tx *postgres.Tx) error {
		_, err := tx.RaiseLevel(c.Request.Context(), s.ID, in)
		return err
	})
	if err != nil {
		return refuseForm(u, c, err, "package", "Anforderungspaket · "+s.Name, func() (packagePage, error) { return u.packageData(c, s) },
			func(d *packagePage, fe formErrors) { d.In, d.Errors = in, fe })
	}
	return u.redirect(c, scopeURL(s.ID)+"/package",
		"Das Sicherheitsniveau ist angehoben: "+in.RequirementID+" gehört jetzt zum Anforderungspaket.")
}

func (u *UI) lowerLevel(c *gin.Context) error {
	s, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	req := c.Param("requirement")
	if err := u.run(c, func(tx *postgres.Tx) error { return tx.LowerLevel(c.Request.Context(), s.ID, req) }); err != nil {
		return err
	}
	return u.redirect(c, scopeURL(s.ID)+"/package", "Die Anhebung von "+req+" ist zurückgenommen.")
}
