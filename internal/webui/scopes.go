package webui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// scopeView is a scope with its figures ready to print.
type scopeView struct {
	postgres.ScopeSummary
	NObjects, NGaps, NUndetermined, NCycles num
}

func newScopeView(s postgres.ScopeSummary) scopeView {
	return scopeView{ScopeSummary: s, NObjects: num(s.Objects), NGaps: num(s.Gaps), NUndetermined: num(s.Undetermined), NCycles: num(s.Cycles)}
}

// scopeForm is what the create and edit forms of a scope offer.
type scopeForm struct {
	Catalogs   []postgres.CatalogSummary
	Approaches []domain.Approach
	ISBs       []isbOption
	Input      domain.ScopeInput
	ISB        int64 // selected ISB, 0 for none
}

type isbOption struct {
	ID   int64
	Name string
}

// scopeFormData lists catalogs and the accounts with the ISB role; keep
// names an ISB who no longer has the role, so a save does not drop them.
func (u *UI) scopeFormData(c *gin.Context, in domain.ScopeInput) (scopeForm, error) {
	ctx := c.Request.Context()
	f := scopeForm{Approaches: domain.Approaches, Input: in}
	if in.ISBUserID != nil {
		f.ISB = *in.ISBUserID
	}
	var err error
	if f.Catalogs, err = u.DB.ListCatalogs(ctx); err != nil {
		return f, err
	}
	users, err := u.DB.ListUsers(ctx)
	if err != nil {
		return f, err
	}
	grants, err := u.DB.AllGrants(ctx)
	if err != nil {
		return f, err
	}
	for _, us := range users {
		isb := false
		for _, g := range grants[us.ID] {
			isb = isb || g.Role == domain.RoleISB
		}
		if isb && !us.Disabled || us.ID == f.ISB {
			f.ISBs = append(f.ISBs, isbOption{ID: us.ID, Name: us.Name() + " (" + us.Username + ")"})
		}
	}
	return f, nil
}

// scopeInput reads the scope form. A number that does not parse is
// taken as 0, which Validate refuses as no catalog or an unknown account.
func scopeInput(c *gin.Context) (domain.ScopeInput, error) {
	in := domain.ScopeInput{Name: c.PostForm("name"), Description: c.PostForm("description"), Approach: domain.Approach(c.PostForm("approach"))}
	in.CatalogID, in.ISBUserID = formID(c.PostForm("catalog_id")), formOptionalID(c, "isb_user_id")
	if vs := in.Validate(); len(vs) > 0 {
		return in, domain.Invalid(vs...)
	}
	return in, nil
}

type scopesPage struct {
	Scopes   []scopeView
	CanWrite bool
	CanDepts bool
	Form     scopeForm
	Errors   formErrors
}

func (p scopesPage) FormError() string { return p.Errors.Summary }

func (u *UI) scopesData(c *gin.Context, in domain.ScopeInput) (scopesPage, error) {
	ss, err := u.DB.ListScopes(c.Request.Context(), u.visibilityFor(c, authz.ActionRead))
	if err != nil {
		return scopesPage{}, err
	}
	d := scopesPage{CanWrite: u.allowed(c, authz.ResourceScopes, authz.ActionWrite),
		CanDepts: u.allowed(c, authz.ResourceDepartments, authz.ActionRead)}
	for _, s := range ss {
		d.Scopes = append(d.Scopes, newScopeView(s))
	}
	if d.CanWrite {
		if in.Approach == "" {
			in.Approach = domain.ApproachStandard
		}
		if d.Form, err = u.scopeFormData(c, in); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (u *UI) scopesPage(c *gin.Context) error {
	d, err := u.scopesData(c, domain.ScopeInput{})
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "scopes", "Informationsverbünde", d)
}

func (u *UI) createScope(c *gin.Context) error {
	in, err := scopeInput(c)
	var s domain.Scope
	if err == nil {
		s, err = inTx(u, c, func(tx *postgres.Tx) (domain.Scope, error) {
			return tx.CreateScope(c.Request.Context(), in)
		})
	}
	if err != nil {
		return refuseForm(u, c, err, "scopes", "Informationsverbünde", func() (scopesPage, error) { return u.scopesData(c, in) },
			func(d *scopesPage, fe formErrors) { d.Errors = fe })
	}
	return u.redirect(c, scopeURL(s.ID), "Der Informationsverbund „"+s.Name+"“ ist angelegt.")
}

type scopePage struct {
	Scope        scopeView
	Tab          string
	ScopeObject  *domain.Object // the scope as a target object, when the reader may see it
	ScopeModules []postgres.AssignedModule
	Suggested    []postgres.Suggestion // scope-wide modules proposed but not assigned
	CanWrite     bool
	CanObjects   bool
	DashboardURL string // the dashboard the reader may open, if any
	Form         scopeForm
	Errors       formErrors
}

func (p scopePage) FormError() string { return p.Errors.Summary }

// loadScope reads the scope of the path with the figures the reader may see.
func (u *UI) loadScope(c *gin.Context) (postgres.ScopeSummary, error) {
	return visibleOfPath(c, errScopeNotFound, u.DB.ScopeByID, u.visibilityFor(c, authz.ActionRead))
}

// scopeOfPath reads the scope of the path without its figures, for the
// pages that only name it.
func (u *UI) scopeOfPath(c *gin.Context) (postgres.ScopeSummary, error) {
	return recordOfPath(c, errScopeNotFound, u.DB.Scope)
}

func (u *UI) scopeData(c *gin.Context, s postgres.ScopeSummary, in *domain.ScopeInput) (scopePage, error) {
	ctx := c.Request.Context()
	d := scopePage{Scope: newScopeView(s), Tab: "overview", CanWrite: u.allowed(c, authz.ResourceScopes, authz.ActionWrite),
		CanObjects: u.allowed(c, authz.ResourceObjects, authz.ActionWrite)}
	switch {
	case u.allowed(c, authz.ResourceManagementDashboard, authz.ActionRead):
		d.DashboardURL = dashboardURL(s.ID)
	case u.allowed(c, authz.ResourceDashboards, authz.ActionRead):
		d.DashboardURL = departmentDashboardURL(s.ID, 0)
	}
	if o, err := u.DB.ObjectByID(ctx, s.ObjectID, u.visibilityFor(c, authz.ActionRead)); err == nil {
		d.ScopeObject = &o
		if d.ScopeModules, err = u.DB.ObjectModules(ctx, o.ID); err != nil {
			return d, err
		}
		if d.Suggested, err = u.DB.Suggestions(ctx, o, s.CatalogID); err != nil {
			return d, err
		}
	} else if !isInputError(err) {
		return d, err
	}
	if d.CanWrite {
		cur := s.Input()
		if in != nil {
			cur = *in
		}
		var err error
		if d.Form, err = u.scopeFormData(c, cur); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (u *UI) scopePage(c *gin.Context) error {
	s, err := u.loadScope(c)
	if err != nil {
		return err
	}
	d, err := u.scopeData(c, s, nil)
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "scope", s.Name, d)
}

func (u *UI) updateScope(c *gin.Context) error {
	s, err := u.loadScope(c)
	if err != nil {
		return err
	}
	in, err := scopeInput(c)
	if err == nil {
		err = u.run(c, func(tx *postgres.Tx) error {
			_, err := tx.UpdateScope(c.Request.Context(), s.ID, formVersion(c), domain.ScopeChange{Name: &in.Name,
				Description: &in.Description, CatalogID: &in.CatalogID, Approach: &in.Approach, ISBUserID: &in.ISBUserID})
			return err
		})
	}
	if err != nil {
		if !isInputError(err) {
			return err
		}
		d, derr := u.scopeData(c, s, &in)
		if derr != nil {
			return derr
		}
		d.Errors = newFormErrors(err)
		return u.render(c, statusOf(err), "scope", s.Name, d)
	}
	return u.redirect(c, scopeURL(s.ID), "Die Angaben zum Informationsverbund sind gespeichert.")
}
