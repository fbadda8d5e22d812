package webui

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// paramRoutes are the page of a Grundschutz++ scope's parameters
// (Methodik STM.5.1): every parameter of its requirement package with the
// BSI's label as the prompt, entered together with one "Speichern".
func (u *UI) paramRoutes() []route.Route {
	read, write := authz.Require(authz.ResourceObjects, authz.ActionRead), authz.Require(authz.ResourceObjects, authz.ActionWrite)
	return []route.Route{
		{Method: http.MethodGet, Path: "/scopes/:id/parameters", Perm: read, Handler: u.paramsPage},
		{Method: http.MethodPost, Path: "/scopes/:id/parameters", Perm: write, Handler: u.setParams},
	}
}

func paramsURL(scopeID int64) string { return scopeURL(scopeID) + "/parameters" }

// paramAnchor is the id of a parameter's row on the page.
func paramAnchor(paramID string) string { return "param-" + paramID }

// paramText is a requirement text as a scope's page shows it: every
// parameter insert as the institution's value, the catalog's preset, or
// (unset) the BSI's label in brackets with a link to the parameters page.
type paramText struct {
	Text  domain.Text
	Own   map[string]bool // parameters with a value of the scope
	URL   string          // the scope's parameters page
	Focus string          // a parameter to highlight (on the parameters page)
}

// newParamText applies the scope's values to t.
func newParamText(t domain.Text, values postgres.ParamValues, scopeID int64) paramText {
	own := make(map[string]bool, len(values.Own))
	for id := range values.Own {
		own[id] = true
	}
	return paramText{Text: t.WithParams(values.Effective()), Own: own, URL: paramsURL(scopeID)}
}

// With is the same rendering for a nested list item's text.
func (p paramText) With(t domain.Text) paramText { p.Text = t; return p }

// paramRun is a run with what its parameter (if any) is in the scope.
type paramRun struct {
	domain.Run
	Kind  string // "own", "preset", "unset", or "" for plain text
	URL   string // of the unset parameter's row on the parameters page
	Focus bool
}

// Run is r as the page shows it.
func (p paramText) Run(r domain.Run) paramRun {
	out := paramRun{Run: r, Focus: r.Param != "" && r.Param == p.Focus}
	switch {
	case r.Param == "":
	case r.Value && p.Own[r.Param]:
		out.Kind = "own"
	case r.Value:
		out.Kind = "preset"
	default:
		out.Kind, out.URL = "unset", p.URL+"#"+paramAnchor(r.Param)
	}
	return out
}

// paramRequirementView is a requirement that inserts the parameter.
type paramRequirementView struct {
	ID, Title string
	Text      paramText
}

// paramView is a parameter as a row of the form.
type paramView struct {
	postgres.ScopeParam
	Anchor       string
	Index        int    // of its fields in the form
	Input        string // as typed, or the scope's value
	Error        string
	Requirements []paramRequirementView
}

type paramsPageData struct {
	Scope     scopeView
	Tab       string
	Params    postgres.ScopeParams
	Items     []paramView
	UnsetOnly bool
	CanWrite  bool
	Errors    formErrors
}

func (d paramsPageData) FormError() string { return d.Errors.Summary }

func (u *UI) paramsData(c *gin.Context, scope postgres.ScopeSummary, f domain.ParamFilter) (paramsPageData, error) {
	ctx := c.Request.Context()
	d := paramsPageData{Scope: newScopeView(scope), Tab: "parameters", UnsetOnly: f.UnsetOnly,
		CanWrite: u.allowed(c, authz.ResourceObjects, authz.ActionWrite) && u.visibilityFor(c, authz.ActionWrite).All,
		Errors:   formErrors{Fields: map[string]string{}}}
	ps, err := u.DB.ScopeParams(ctx, scope.ID, f)
	if err != nil {
		return d, err
	}
	values, err := u.DB.ParamValues(ctx, scope.ID)
	if err != nil {
		return d, err
	}
	d.Params = ps
	for i, p := range ps.Items {
		v := paramView{ScopeParam: p, Anchor: paramAnchor(p.ParamID), Index: i, Input: p.Value.String}
		for _, r := range p.Requirements {
			t := newParamText(r.Text, values, scope.ID)
			t.Focus = p.ParamID
			v.Requirements = append(v.Requirements, paramRequirementView{ID: r.ID, Title: r.Title, Text: t})
		}
		d.Items = append(d.Items, v)
	}
	return d, nil
}

func (u *UI) paramsPage(c *gin.Context) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	f := domain.ParamFilter{UnsetOnly: c.Query("unset") == "true"}
	d, err := u.paramsData(c, scope, f)
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "params", "Parameter · "+scope.Name, d)
}

// setParams saves every field of the form at once: a filled field sets
// the scope's value, an emptied one removes it. All or nothing; a stale
// form saves nothing and says so.
func (u *UI) setParams(c *gin.Context) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	// The form is shown only to those who may set the values.
	if err := postgres.MayChangeParams(route.Visibility(c)); err != nil {
		return err
	}
	ids, typed := c.PostFormArray("param"), c.PostFormArray("value")
	if len(ids) != len(typed) {
		return domain.Errorf(domain.ErrInvalid, "the form's parameters and values do not pair").De("Das Formular ist unvollständig. Bitte laden Sie die Seite neu.")
	}
	var ch postgres.ParamChange
	valueOf := map[int]string{} // index in ch.Values → param id, for the messages
	for i, id := range ids {
		if strings.TrimSpace(typed[i]) == "" {
			ch.Clear = append(ch.Clear, id)
			continue
		}
		valueOf[len(ch.Values)] = id
		ch.Values = append(ch.Values, domain.ParamValueInput{ParamID: id, Value: typed[i]})
	}
	err = u.run(c, func(tx *postgres.Tx) error {
		_, err := tx.SetParams(c.Request.Context(), scope.ID, formVersion(c), ch, route.Visibility(c))
		return err
	})
	unsetOnly := c.PostForm("unset") == "true"
	if err == nil {
		back := paramsURL(scope.ID)
		if unsetOnly {
			back += "?unset=true"
		}
		return u.redirect(c, back, "Die Parameterwerte sind gespeichert.")
	}
	if !isInputError(err) {
		return err
	}
	// The page as it is now; after an invalid entry with the values as
	// typed and each refusal at its field; after a stale form with the
	// current values, as nothing was saved.
	d, derr := u.paramsData(c, scope, domain.ParamFilter{UnsetOnly: unsetOnly})
	if derr != nil {
		return derr
	}
	d.Errors = newFormErrors(err)
	if errors.Is(err, domain.ErrPreconditionFailed) {
		d.Errors.Summary = "Nichts wurde gespeichert: Jemand hat die Parameterwerte inzwischen geändert. Unten stehen die aktuellen Werte; tragen Sie Ihre Änderungen bitte erneut ein."
		return u.render(c, statusOf(err), "params", "Parameter · "+scope.Name, d)
	}
	typedOf := map[string]string{}
	for i, id := range ids {
		typedOf[id] = typed[i]
	}
	fieldErr := map[string]string{}
	var de *domain.Error
	if errors.As(err, &de) {
		for _, v := range de.Violations {
			var i int
			if _, serr := fmt.Sscanf(v.Pointer, "/values/%d/", &i); serr == nil {
				fieldErr[valueOf[i]] = orDefault(v.German, "Dieser Wert ist ungültig.")
			}
		}
	}
	for i := range d.Items {
		it := &d.Items[i]
		if s, ok := typedOf[it.ParamID]; ok {
			it.Input = s
		}
		it.Error = fieldErr[it.ParamID]
	}
	d.Errors.Summary = "Nichts wurde gespeichert. " + d.Errors.Summary
	return u.render(c, statusOf(err), "params", "Parameter · "+scope.Name, d)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// requirementText is a requirement's text with the scope's parameter
// values in place, and whether a parameter in it is still unset.
func (u *UI) requirementText(c *gin.Context, scopeID, catalogID int64, requirementID string) (*paramText, bool, error) {
	ctx := c.Request.Context()
	r, err := u.DB.CatalogRequirement(ctx, catalogID, requirementID)
	if err != nil {
		return nil, false, err
	}
	values, err := u.DB.ParamValues(ctx, scopeID)
	if err != nil {
		return nil, false, err
	}
	t := newParamText(r.Text, values, scopeID)
	return &t, t.Unset(), nil
}

// Unset tells whether a parameter in the text has no value.
func (p paramText) Unset() bool {
	return textHasParam(p.Text, func(r domain.Run) bool { return !r.Value })
}

// HasParams tells whether the text inserts a parameter.
func (p paramText) HasParams() bool {
	return textHasParam(p.Text, func(domain.Run) bool { return true })
}

// textHasParam tells whether a parameter run of t satisfies ok.
func textHasParam(t domain.Text, ok func(domain.Run) bool) bool {
	for _, b := range t {
		for _, r := range b.Runs {
			if r.Param != "" && ok(r) {
				return true
			}
		}
		for _, it := range b.Items {
			if textHasParam(it, ok) {
				return true
			}
		}
	}
	return false
}

// requirementTexts are the texts of the entries' requirements with the
// scope's parameter values in place, by requirement id.
func (u *UI) requirementTexts(c *gin.Context, scope postgres.ScopeSummary, entries []domain.CheckEntry) (map[string]*paramText, error) {
	ctx := c.Request.Context()
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.RequirementID
	}
	texts, err := u.DB.RequirementTexts(ctx, scope.CatalogID, ids)
	if err != nil {
		return nil, err
	}
	values, err := u.DB.ParamValues(ctx, scope.ID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*paramText, len(texts))
	for id, t := range texts {
		pt := newParamText(t, values, scope.ID)
		out[id] = &pt
	}
	return out, nil
}
