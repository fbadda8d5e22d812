package webui

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// riskRoutes are the pages of the risk analysis (BSI-Standard 200-3,
// reference document A.5): the scope's list of objects that need one with
// its risk matrix, and the analysis of each object with management's
// acceptance.
func (u *UI) riskRoutes() []route.Route {
	read, write := authz.Require(authz.ResourceObjects, authz.ActionRead), authz.Require(authz.ResourceObjects, authz.ActionWrite)
	sign := authz.Require(authz.ResourceRiskAcceptances, authz.ActionWrite)
	get, post := http.MethodGet, http.MethodPost
	return []route.Route{
		{Method: get, Path: "/scopes/:id/risk", Perm: read, Handler: u.riskOverviewPage},
		{Method: post, Path: "/scopes/:id/risk/matrix", Perm: write, Handler: u.setRiskMatrix},
		{Method: get, Path: "/objects/:id/risk", Perm: read, Handler: u.riskPage},
		{Method: post, Path: "/objects/:id/risk", Perm: write, Handler: u.createRiskAnalysis},
		{Method: post, Path: "/objects/:id/risk/summary", Perm: write, Handler: u.updateRiskSummary},
		{Method: post, Path: "/objects/:id/risk/assess", Perm: write, Handler: u.assessRisks},
		{Method: post, Path: "/objects/:id/risk/items", Perm: write, Handler: u.addRiskItem},
		{Method: post, Path: "/objects/:id/risk/items/:item", Perm: write, Handler: u.updateRiskItem},
		{Method: post, Path: "/objects/:id/risk/items/:item/delete", Perm: write, Handler: u.deleteRiskItem},
		{Method: post, Path: "/objects/:id/risk/accept", Perm: sign, Handler: u.acceptRisks},
	}
}

func riskURL(objectID int64) string { return objectURL(objectID) + "/risk" }

// riskCell is one cell of the matrix as a page shows it.
type riskCell struct {
	Frequency domain.Frequency
	Impact    domain.Impact
	Category  domain.RiskCategory
	Name      string // of its select in the matrix form
}

// riskMatrixRow is an impact with its cells, from selten to sehr häufig.
type riskMatrixRow struct {
	Impact domain.Impact
	Cells  []riskCell
}

// riskMatrixView is the matrix as a table, the highest impact on top.
type riskMatrixView struct {
	postgres.ScopeRiskMatrix
	Rows        []riskMatrixRow
	Frequencies []domain.Frequency
	Categories  []domain.RiskCategory
	DefaultRows []riskMatrixRow // the default of BSI-Standard 200-3, for the reset form
}

func newRiskMatrixView(m postgres.ScopeRiskMatrix) riskMatrixView {
	rows := func(mx domain.RiskMatrix) []riskMatrixRow {
		var out []riskMatrixRow
		for i := len(domain.Impacts) - 1; i >= 0; i-- {
			imp := domain.Impacts[i]
			r := riskMatrixRow{Impact: imp}
			for _, f := range domain.Frequencies {
				r.Cells = append(r.Cells, riskCell{Frequency: f, Impact: imp, Category: domain.Category(mx, f, imp),
					Name: fmt.Sprintf("c_%d_%d", imp, f)})
			}
			out = append(out, r)
		}
		return out
	}
	return riskMatrixView{ScopeRiskMatrix: m, Rows: rows(m.Matrix), Frequencies: domain.Frequencies, Categories: domain.RiskCategories,
		DefaultRows: rows(domain.DefaultRiskMatrix)}
}

// riskRowView is an object of the scope's list.
type riskRowView struct {
	postgres.RiskOverviewRow
	Reasons []string
}

// riskReasonLabels says in German why an object needs an analysis,
// naming the objectives with a high need.
func riskReasonLabels(r postgres.RiskOverviewRow) []string {
	var out []string
	for _, reason := range r.Reasons() {
		if reason != domain.ReasonHighNeed {
			out = append(out, reason.Label())
			continue
		}
		var high []string
		top := domain.NeedHigh
		for i, n := range []domain.Need{r.C, r.I, r.A} {
			if n >= domain.NeedHigh {
				high = append(high, domain.Objective(i).Label())
				top = max(top, n)
			}
		}
		label := "hoher Schutzbedarf"
		if top == domain.NeedVeryHigh {
			label = "sehr hoher Schutzbedarf"
		}
		out = append(out, label+" ("+strings.Join(high, ", ")+")")
	}
	return out
}

type riskOverviewPage struct {
	Scope         scopeView
	Tab           string
	Rows          []riskRowView
	Total         num
	Counts        map[string]num // by state
	Matrix        riskMatrixView
	CanEditMatrix bool
	Errors        formErrors
}

func (p riskOverviewPage) FormError() string { return p.Errors.Summary }

func (u *UI) riskOverviewData(c *gin.Context, scope postgres.ScopeSummary) (riskOverviewPage, error) {
	ctx := c.Request.Context()
	d := riskOverviewPage{Scope: newScopeView(scope), Tab: "risk", Counts: map[string]num{},
		CanEditMatrix: u.visibilityFor(c, authz.ActionWrite).All}
	rows, err := u.DB.RiskOverview(ctx, scope.ID, u.visibilityFor(c, authz.ActionRead))
	if err != nil {
		return d, err
	}
	for _, r := range rows {
		d.Rows = append(d.Rows, riskRowView{RiskOverviewRow: r, Reasons: riskReasonLabels(r)})
		d.Counts[string(r.State)]++
	}
	d.Total = num(len(rows))
	m, err := u.DB.RiskMatrix(ctx, scope.ID)
	if err != nil {
		return d, err
	}
	d.Matrix = newRiskMatrixView(m)
	return d, nil
}

func (u *UI) riskOverviewPage(c *gin.Context) error {
	return showPage(u, c, "risks", u.scopeOfPath, u.riskOverviewData, scopeTitle("Risikoanalyse"))
}

// riskMatrixInput reads the matrix form: one select per cell, c_<impact>_<frequency>.
func riskMatrixInput(c *gin.Context) (domain.RiskMatrix, error) {
	var m domain.RiskMatrix
	for _, i := range domain.Impacts {
		for _, f := range domain.Frequencies {
			v, err := strconv.Atoi(c.PostForm(fmt.Sprintf("c_%d_%d", i, f)))
			if err != nil || !domain.RiskCategory(v).Valid() {
				return m, domain.Invalid(domain.Violation{Pointer: "/cells", Detail: "every cell needs a category from 1 to 4",
					German: "Jedes Feld der Risikomatrix braucht eine Risikokategorie."})
			}
			m[i-1][f-1] = domain.RiskCategory(v)
		}
	}
	return m, nil
}

func (u *UI) setRiskMatrix(c *gin.Context) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	// The form is shown only to those who may change the matrix.
	if err := postgres.MayChangeRiskMatrix(route.Visibility(c)); err != nil {
		return err
	}
	m, err := riskMatrixInput(c)
	if err == nil {
		err = u.run(c, func(tx *postgres.Tx) error {
			_, err := tx.SetRiskMatrix(c.Request.Context(), scope.ID, formVersion(c), m, route.Visibility(c))
			return err
		})
	}
	if err != nil {
		if !isInputError(err) {
			return err
		}
		d, derr := u.riskOverviewData(c, scope)
		if derr != nil {
			return derr
		}
		d.Errors = newFormErrors(err)
		if !errors.Is(err, domain.ErrPreconditionFailed) {
			// Show what was chosen, so it can be corrected.
			for ri, r := range d.Matrix.Rows {
				for ci, cell := range r.Cells {
					if v, perr := strconv.Atoi(c.PostForm(cell.Name)); perr == nil {
						d.Matrix.Rows[ri].Cells[ci].Category = domain.RiskCategory(v)
					}
				}
			}
		}
		return u.render(c, statusOf(err), "risks", "Risikoanalyse · "+scope.Name, d)
	}
	return u.redirect(c, scopeURL(scope.ID)+"/risk#matrix-h",
		"Die Risikomatrix ist gespeichert. Gültige Risikoakzeptanzen des Informationsverbunds sind damit ungültig geworden und müssen neu erteilt werden.")
}

// riskItemView is a threat as the analysis page shows it.
type riskItemView struct {
	domain.RiskItem
	Category         domain.RiskCategory
	ResidualCategory domain.RiskCategory
	Missing          string          // what it lacks to be complete, in German
	Linked           map[string]bool // linked requirement IDs
	Extra            string          // linked IDs that are not among the offered H requirements
	Open             bool            // its details are shown open
}

type riskPage struct {
	Object      domain.Object
	Scope       scopeView
	Reasons     []string
	Analysis    *domain.RiskAnalysis
	State       domain.RiskState
	Items       []riskItemView
	Matrix      riskMatrixView
	Threats     []domain.Threat // of the catalog, not yet in the analysis
	Options     []domain.LinkedRequirement
	OpenEntries []postgres.OpenEntry
	History     []domain.RiskAcceptance
	Frequencies []domain.Frequency
	Impacts     []domain.Impact
	Treatments  []domain.Treatment
	CanWrite    bool
	CanAccept   bool
	// The forms' values.
	Summary       string
	AddTitle      string
	AddThreat     string
	Signing       signing // the acceptance's signature
	AcceptEntries map[int64]bool
	formsState    // forms: create, summary, assess, add, item, accept
	ErrorItem     int64
	Messages      []string // every refusal of the assessment table
}

func (u *UI) riskData(c *gin.Context, o domain.Object) (riskPage, error) {
	ctx := c.Request.Context()
	d := riskPage{Object: o, Frequencies: domain.Frequencies, Impacts: domain.Impacts, Treatments: domain.Treatments,
		AcceptEntries: map[int64]bool{}}
	d.Reasons = riskReasonLabels(postgres.RiskOverviewRow{NoSuitableModule: o.NoSuitableModule, UntypicalEnvironment: o.UntypicalEnvironment,
		C: o.Needs[domain.Confidentiality].Effective, I: o.Needs[domain.Integrity].Effective, A: o.Needs[domain.Availability].Effective})
	scope, err := u.DB.Scope(ctx, o.ScopeID)
	if err != nil {
		return d, err
	}
	d.Scope = newScopeView(scope)
	w, err := u.writeScopeOf(c)
	if err != nil {
		return d, err
	}
	d.CanWrite = w.can(o.DepartmentID)
	d.CanAccept = u.allowed(c, authz.ResourceRiskAcceptances, authz.ActionWrite)
	d.Signing = u.signing(c, "acc-pw")
	m, err := u.DB.RiskMatrix(ctx, o.ScopeID)
	if err != nil {
		return d, err
	}
	d.Matrix = newRiskMatrixView(m)
	a, err := u.DB.RiskAnalysisOf(ctx, o.ID, u.visibilityFor(c, authz.ActionRead))
	if errors.Is(err, domain.ErrNotFound) {
		d.State = domain.RiskStateNone
		return d, nil
	}
	if err != nil {
		return d, err
	}
	d.Analysis, d.State, d.Summary = &a, a.State(), a.Summary
	if d.Options, err = u.DB.RiskRequirementOptions(ctx, o.ID); err != nil {
		return d, err
	}
	offered := map[string]bool{}
	for _, r := range d.Options {
		offered[r.ID] = true
	}
	have := map[string]bool{}
	for _, it := range a.Items {
		v := riskItemView{RiskItem: it, Category: domain.Category(a.Matrix, it.Frequency, it.Impact),
			ResidualCategory: domain.Category(a.Matrix, it.ResidualFrequency, it.ResidualImpact), Missing: strings.Join(it.Missing(), ", "),
			Linked: map[string]bool{}}
		var extra []string
		for _, r := range it.Requirements {
			v.Linked[r.ID] = true
			if !offered[r.ID] {
				extra = append(extra, r.ID)
			}
		}
		v.Extra = strings.Join(extra, ", ")
		d.Items = append(d.Items, v)
		have[it.ThreatID] = true
	}
	threats, err := u.DB.CatalogThreats(ctx, scope.CatalogID)
	if err != nil {
		return d, err
	}
	for _, t := range threats {
		if !have[t.ID] {
			d.Threats = append(d.Threats, t)
		}
	}
	if d.OpenEntries, err = u.DB.AcceptableEntries(ctx, o.ID, u.visibilityFor(c, authz.ActionRead)); err != nil {
		return d, err
	}
	if d.History, err = u.DB.RiskAcceptances(ctx, a.ID); err != nil {
		return d, err
	}
	return d, nil
}

func (u *UI) riskPage(c *gin.Context) error {
	return showPage(u, c, "risk", u.loadObject, u.riskData, func(o domain.Object) string { return "Risikoanalyse " + objectTitle(o) })
}

// riskFormFailed shows the analysis page again with the refusal of one
// of its forms; edit puts back what was typed.
func (u *UI) riskFormFailed(c *gin.Context, o domain.Object, form string, err error, edit func(*riskPage)) error {
	if !isInputError(err) {
		return err
	}
	d, derr := u.riskData(c, o)
	if derr != nil {
		return derr
	}
	d.refuse(form, err)
	var de *domain.Error
	if errors.As(err, &de) {
		for _, v := range de.Violations {
			if v.German != "" {
				d.Messages = append(d.Messages, v.German)
			}
		}
	}
	if len(d.Messages) == 0 && d.Errors.Summary != "" {
		d.Messages = []string{d.Errors.Summary}
	}
	if edit != nil {
		edit(&d)
	}
	return u.render(c, statusOf(err), "risk", "Risikoanalyse "+objectTitle(o), d)
}

func (u *UI) createRiskAnalysis(c *gin.Context) error {
	o, err := u.loadWritable(c)
	if err != nil {
		return err
	}
	summary := c.PostForm("summary")
	if err := u.run(c, func(tx *postgres.Tx) error {
		_, err := tx.CreateRiskAnalysis(c.Request.Context(), o.ID, domain.RiskAnalysisInput{Summary: summary}, route.Visibility(c))
		return err
	}); err != nil {
		return u.riskFormFailed(c, o, "create", err, func(d *riskPage) { d.Summary = summary })
	}
	return u.redirect(c, riskURL(o.ID), "Die Risikoanalyse ist angelegt, mit den elementaren Gefährdungen der Bausteine des Zielobjekts. Bitte bewerten und behandeln Sie jede Gefährdung.")
}

func (u *UI) updateRiskSummary(c *gin.Context) error {
	o, err := u.loadWritable(c)
	if err != nil {
		return err
	}
	summary := c.PostForm("summary")
	if err := u.run(c, func(tx *postgres.Tx) error {
		_, err := tx.UpdateRiskAnalysis(c.Request.Context(), o.ID, formVersion(c), domain.RiskAnalysisChange{Summary: &summary}, route.Visibility(c))
		return err
	}); err != nil {
		return u.riskFormFailed(c, o, "summary", err, func(d *riskPage) { d.Summary = summary })
	}
	return u.redirect(c, riskURL(o.ID)+"#summary-h", "Die Zusammenfassung ist gespeichert.")
}

// riskLevelInput reads a 1–4 select; empty is 0 (not assessed).
func riskLevelInput(c *gin.Context, name string, vs *[]domain.Violation) int8 {
	v := c.PostForm(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 4 {
		*vs = append(*vs, domain.Violation{Pointer: "/" + name, Detail: "must be 1 to 4", German: "Bitte eine der vier Stufen wählen."})
		return 0
	}
	return int8(n)
}

// assessInput reads the table of threats: per row frequency, impact,
// treatment and residual risk, suffixed with the item's id.
func assessInput(c *gin.Context) ([]postgres.RiskItemUpdate, error) {
	var ups []postgres.RiskItemUpdate
	var vs []domain.Violation
	for _, raw := range c.PostFormArray("item") {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			continue
		}
		k := "_" + raw
		f, i := domain.Frequency(riskLevelInput(c, "frequency"+k, &vs)), domain.Impact(riskLevelInput(c, "impact"+k, &vs))
		rf, ri := domain.Frequency(riskLevelInput(c, "residual_frequency"+k, &vs)), domain.Impact(riskLevelInput(c, "residual_impact"+k, &vs))
		t := domain.Treatment(c.PostForm("treatment" + k))
		if t != domain.TreatmentNone && !t.Valid() {
			vs = append(vs, domain.Violation{Pointer: "/treatment" + k, Detail: "unknown treatment", German: "Unbekannte Risikobehandlung."})
		}
		version, _ := strconv.Atoi(c.PostForm("version" + k))
		ups = append(ups, postgres.RiskItemUpdate{ID: id, Version: version, Change: domain.RiskItemChange{Frequency: &f, Impact: &i,
			Treatment: &t, ResidualFrequency: &rf, ResidualImpact: &ri}})
	}
	if len(vs) > 0 {
		return ups, domain.Invalid(vs...)
	}
	return ups, nil
}

func (u *UI) assessRisks(c *gin.Context) error {
	o, err := u.loadWritable(c)
	if err != nil {
		return err
	}
	ups, err := assessInput(c)
	if err == nil {
		err = u.run(c, func(tx *postgres.Tx) error {
			_, err := tx.UpdateRiskItems(c.Request.Context(), o.ID, ups, route.Visibility(c))
			return err
		})
	}
	if err != nil {
		return u.riskFormFailed(c, o, "assess", err, func(d *riskPage) {
			if errors.Is(err, domain.ErrPreconditionFailed) {
				return // show the current values
			}
			for _, up := range ups {
				for i := range d.Items {
					it := &d.Items[i]
					if it.ID != up.ID {
						continue
					}
					ch := up.Change
					it.Frequency, it.Impact, it.Treatment = *ch.Frequency, *ch.Impact, *ch.Treatment
					it.ResidualFrequency, it.ResidualImpact = *ch.ResidualFrequency, *ch.ResidualImpact
					it.Category = domain.Category(d.Analysis.Matrix, it.Frequency, it.Impact)
					it.ResidualCategory = domain.Category(d.Analysis.Matrix, it.ResidualFrequency, it.ResidualImpact)
				}
			}
		})
	}
	return u.redirect(c, riskURL(o.ID)+"#items-h", "Die Bewertung ist gespeichert.")
}

func (u *UI) addRiskItem(c *gin.Context) error {
	o, err := u.loadWritable(c)
	if err != nil {
		return err
	}
	in := domain.RiskItemInput{ThreatID: c.PostForm("threat_id"), Title: c.PostForm("title"), Description: c.PostForm("description")}
	var it domain.RiskItem
	it, err = inTx(u, c, func(tx *postgres.Tx) (domain.RiskItem, error) {
		return tx.AddRiskItem(c.Request.Context(), o.ID, in, route.Visibility(c))
	})
	if err != nil {
		return u.riskFormFailed(c, o, "add", err, func(d *riskPage) { d.AddTitle, d.AddThreat = in.Title, in.ThreatID })
	}
	return u.redirect(c, riskURL(o.ID)+fmt.Sprintf("#item-%d", it.ID), "Die Gefährdung „"+it.Name()+"“ ist hinzugefügt. Bitte bewerten Sie sie.")
}

// riskItemOfPath reads the item of the path, a threat of the object o's
// analysis; any other is not found.
func (u *UI) riskItemOfPath(c *gin.Context, o domain.Object) (int64, error) {
	notFound := domain.Errorf(domain.ErrNotFound, "no such risk item").De("Diese Gefährdung gibt es in der Risikoanalyse nicht.")
	id, err := pathID(c, "item", notFound)
	if err != nil {
		return 0, err
	}
	objectID, err := u.DB.RiskItemObject(c.Request.Context(), id)
	if err != nil {
		return 0, err
	}
	if objectID != o.ID {
		return 0, notFound
	}
	return id, nil
}

// splitIDs reads requirement IDs typed into one field, separated by
// commas, semicolons or spaces.
func splitIDs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

func (u *UI) updateRiskItem(c *gin.Context) error {
	o, err := u.loadWritable(c)
	if err != nil {
		return err
	}
	id, err := u.riskItemOfPath(c, o)
	if err != nil {
		return err
	}
	description, measures := strings.TrimSpace(c.PostForm("description")), strings.TrimSpace(c.PostForm("measures"))
	extra := c.PostForm("requirements_extra")
	reqs := append(c.PostFormArray("requirement"), splitIDs(extra)...)
	ch := domain.RiskItemChange{Description: &description, Measures: &measures, Requirements: &reqs}
	if _, ok := c.GetPostForm("title"); ok {
		title := strings.TrimSpace(c.PostForm("title"))
		ch.Title = &title
	}
	var it domain.RiskItem
	err = u.run(c, func(tx *postgres.Tx) error {
		items, err := tx.UpdateRiskItems(c.Request.Context(), o.ID, []postgres.RiskItemUpdate{{ID: id, Version: formVersion(c), Change: ch}}, route.Visibility(c))
		if err == nil {
			it = items[0]
		}
		return err
	})
	if err != nil {
		return u.riskFormFailed(c, o, "item", err, func(d *riskPage) {
			d.ErrorItem = id
			for i := range d.Items {
				v := &d.Items[i]
				if v.ID != id {
					continue
				}
				v.Open = true
				if errors.Is(err, domain.ErrPreconditionFailed) {
					continue
				}
				v.Description, v.Measures, v.Extra = description, measures, strings.TrimSpace(extra)
				if ch.Title != nil {
					v.Title = *ch.Title
				}
				v.Linked = map[string]bool{}
				for _, r := range c.PostFormArray("requirement") {
					v.Linked[r] = true
				}
			}
		})
	}
	return u.redirect(c, riskURL(o.ID)+fmt.Sprintf("#item-%d", id), "Die Gefährdung „"+it.Name()+"“ ist gespeichert.")
}

func (u *UI) deleteRiskItem(c *gin.Context) error {
	o, err := u.loadWritable(c)
	if err != nil {
		return err
	}
	id, err := u.riskItemOfPath(c, o)
	if err != nil {
		return err
	}
	if err := u.run(c, func(tx *postgres.Tx) error {
		return tx.DeleteRiskItem(c.Request.Context(), id, formVersion(c), route.Visibility(c))
	}); err != nil {
		return u.riskFormFailed(c, o, "item", err, func(d *riskPage) { d.ErrorItem = id })
	}
	return u.redirect(c, riskURL(o.ID)+"#items-h", "Die Gefährdung ist aus der Risikoanalyse entfernt.")
}

func (u *UI) acceptRisks(c *gin.Context) error {
	o, err := u.loadObject(c)
	if err != nil {
		return err
	}
	var entries []int64
	chosen := map[int64]bool{}
	for _, v := range c.PostFormArray("entry") {
		if id, perr := strconv.ParseInt(v, 10, 64); perr == nil && id > 0 {
			entries = append(entries, id)
			chosen[id] = true
		}
	}
	sig, today, err := u.sign(c)
	if err == nil {
		err = u.run(c, func(tx *postgres.Tx) error {
			_, err := tx.Accept(c.Request.Context(), o.ID, formVersion(c), domain.AcceptInput{Signature: sig, Today: today, EntryIDs: entries},
				route.Visibility(c))
			return err
		})
	}
	if err != nil {
		return u.riskFormFailed(c, o, "accept", err, func(d *riskPage) {
			d.AcceptEntries = chosen
			d.Signing.Error = d.FieldError("accept", "password")
		})
	}
	msg := "Die Restrisiken sind akzeptiert."
	if len(entries) > 0 {
		msg = fmt.Sprintf("Die Restrisiken sind akzeptiert; die Akzeptanz deckt %d nicht erfüllte Anforderung(en) ab.", len(entries))
	}
	return u.redirect(c, riskURL(o.ID)+"#accept-h", msg)
}
