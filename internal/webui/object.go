package webui

import (
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

// needExplain says where an effective protection need comes from.
type needExplain struct {
	Need     domain.ObjectNeed
	Source   string // eigene Bewertung, geerbt, Kumulationseffekt …
	FromID   int64  // the object it comes from, when the reader may see it
	From     string // its type and name: "Geschäftsprozess GP-001 WAN-Transport"
	Hidden   bool   // inherited from an object the reader may not see
	Reason   string // the written justification that applies
	Cycle    bool
	Override bool
	Open     bool   // not determined
	Note     string // why the override does not do what its kind says
}

// explainNeed describes the effective value of n for object self.
func explainNeed(n domain.ObjectNeed, self int64) needExplain {
	e := needExplain{Need: n}
	_, e.Note = n.OverrideNote()
	from := func() {
		switch {
		case n.InheritedFrom != 0 && n.InheritedFrom != self:
			e.FromID, e.From = n.InheritedFrom, n.InheritedFromType.Label()+" "+n.InheritedFromName
		case n.InheritedFrom == 0:
			e.Hidden = true
		}
	}
	switch n.Source {
	case domain.SourceOwn:
		e.Source, e.Reason = "eigene Bewertung", n.OwnReason
	case domain.SourceInherited:
		e.Source = "geerbt nach dem Maximumprinzip"
		from()
	case domain.SourceOverride:
		e.Source, e.Reason, e.Override = n.OverrideKind.Label(), n.OverrideReason, true
	case domain.SourceCycle:
		e.Source, e.Cycle = "liegt auf einem Abhängigkeitszyklus", true
		from()
		e.Hidden = false // a cycle member outside the reader's view is not worth a remark
		if e.FromID == 0 {
			if n.OverrideKind != domain.OverrideNone {
				e.Reason = n.OverrideReason
			} else {
				e.Reason = n.OwnReason
			}
		}
	default:
		e.Source, e.Open = "nicht festgelegt", true
	}
	return e
}

// needRow is one objective on the object page.
type needRow struct {
	Objective domain.Objective
	Code      string
	Effective needExplain
	// The inherited value and where it comes from (not for a cycle, whose
	// reference names the member that set the cycle's value).
	InheritedFromID int64
	InheritedFrom   string
	InheritedHidden bool
	Input           domain.NeedInput // the form's values
}

// relatedView is an object at the other end of a dependency.
type relatedView struct {
	postgres.Related
	Needs [3]domain.Need
}

func relatedViews(rs []postgres.Related) []relatedView {
	out := make([]relatedView, len(rs))
	for i, r := range rs {
		out[i] = relatedView{Related: r, Needs: [3]domain.Need{domain.Need(r.C), domain.Need(r.I), domain.Need(r.A)}}
	}
	return out
}

// targetGroup is a type of objects in the dependency select.
type targetGroup struct {
	Type    domain.ObjectType
	Objects []domain.Object
}

// maxSelectTargets is the largest scope whose objects the dependency form
// offers in a select; beyond, the short ID is typed.
const maxSelectTargets = 300

type objectPage struct {
	Object       domain.Object
	Scope        scopeView
	IsScope      bool // the scope's own object
	Needs        []needRow
	NeedOptions  []domain.Need
	Kinds        []domain.OverrideKind
	Dependencies []relatedView
	Dependents   []relatedView
	Targets      []targetGroup // nil when the scope is too large for a select
	Assigned     []postgres.AssignedModule
	Suggestions  []postgres.Suggestion
	Layers       []moduleGroup // modules not yet assigned, for the select
	Components   []postgres.AssignedComponent
	Choices      []postgres.ComponentChoice // components not yet assigned, for the select
	CanWrite     bool
	ShortIDInput string
	ErrorsFor    string // needs, dependencies, modules, components, delete
	Errors       formErrors
}

func (p objectPage) FormError() string { return p.Errors.Summary }

// FieldError returns the message for a field of the needs form.
func (p objectPage) FieldError(code, field string) string {
	if field != "" {
		code += "/" + field
	}
	return p.Errors.Fields[code]
}

// loadObject reads the object of the path as the reader may see it.
func (u *UI) loadObject(c *gin.Context) (domain.Object, error) {
	return visibleOfPath(c, errObjectNotFound, u.DB.ObjectByID, u.visibilityFor(c, authz.ActionRead))
}

// loadWritable reads the object of the path for a change: an object the
// writer may not change is not found, exactly like a missing one.
func (u *UI) loadWritable(c *gin.Context) (domain.Object, error) {
	return visibleOfPath(c, errObjectNotFound, u.DB.ObjectByID, route.Visibility(c))
}

func (u *UI) objectData(c *gin.Context, o domain.Object) (objectPage, error) {
	ctx, vis := c.Request.Context(), u.visibilityFor(c, authz.ActionRead)
	d := objectPage{Object: o, IsScope: o.Type == domain.ObjectScope, NeedOptions: needOptions, Kinds: overrideKinds}
	scope, err := u.DB.ScopeByID(ctx, o.ScopeID, vis)
	if err != nil {
		return d, err
	}
	d.Scope = newScopeView(scope)
	w, err := u.writeScopeOf(c)
	if err != nil {
		return d, err
	}
	d.CanWrite = w.can(o.DepartmentID)
	for _, obj := range domain.Objectives {
		n := o.Needs[obj]
		r := needRow{Objective: obj, Code: obj.Code(), Effective: explainNeed(n, o.ID),
			Input: domain.NeedInput{Own: n.Own, OwnReason: n.OwnReason, OverrideKind: n.OverrideKind, Override: n.Override, OverrideReason: n.OverrideReason}}
		if n.Inherited != domain.NeedUnknown && n.Source != domain.SourceCycle {
			if n.InheritedFrom != 0 {
				r.InheritedFromID, r.InheritedFrom = n.InheritedFrom, n.InheritedFromType.Label()+" "+n.InheritedFromName
			} else {
				r.InheritedHidden = true
			}
		}
		d.Needs = append(d.Needs, r)
	}
	deps, err := u.DB.Dependencies(ctx, o.ID, vis)
	if err != nil {
		return d, err
	}
	dependents, err := u.DB.Dependents(ctx, o.ID, vis)
	if err != nil {
		return d, err
	}
	d.Dependencies, d.Dependents = relatedViews(deps), relatedViews(dependents)
	if d.Assigned, err = u.DB.ObjectModules(ctx, o.ID); err != nil {
		return d, err
	}
	if d.Suggestions, err = u.DB.Suggestions(ctx, o, scope.CatalogID); err != nil {
		return d, err
	}
	if d.Components, err = u.DB.ObjectComponents(ctx, o.ID); err != nil {
		return d, err
	}
	if !d.CanWrite {
		return d, nil
	}
	if d.Choices, err = u.componentChoices(c, d.Components); err != nil {
		return d, err
	}
	assigned := map[string]bool{}
	for _, m := range d.Assigned {
		assigned[m.ModuleID] = true
	}
	if d.Layers, err = u.catalogLayers(c, scope.CatalogID, assigned); err != nil {
		return d, err
	}
	// The dependency form offers the other objects in a select while the
	// scope is small (the figures count what the reader sees, a superset
	// of what they may change); beyond, the short ID is typed.
	if scope.Objects > maxSelectTargets {
		return d, nil
	}
	targets, total, err := u.DB.ListObjects(ctx, scope.ID, domain.ObjectFilter{Sort: "type", Limit: maxSelectTargets},
		u.visibilityFor(c, authz.ActionWrite))
	if err != nil {
		return d, err
	}
	if total <= maxSelectTargets {
		d.Targets = []targetGroup{}
		already := map[int64]bool{o.ID: true}
		for _, r := range deps {
			already[r.ID] = true
		}
		for _, t := range targets {
			if already[t.ID] {
				continue
			}
			if len(d.Targets) == 0 || d.Targets[len(d.Targets)-1].Type != t.Type {
				d.Targets = append(d.Targets, targetGroup{Type: t.Type})
			}
			g := &d.Targets[len(d.Targets)-1]
			g.Objects = append(g.Objects, t)
		}
	}
	return d, nil
}

func (u *UI) objectPage(c *gin.Context) error {
	return showPage(u, c, "object", u.loadObject, u.objectData, objectTitle)
}

func objectTitle(o domain.Object) string { return o.ShortID + " " + o.Name }

// objectFormFailed shows the object page again with the refusal of one
// of its forms (needs keeps what was typed).
func (u *UI) objectFormFailed(c *gin.Context, o domain.Object, form string, err error, edit func(*objectPage)) error {
	if !isInputError(err) {
		return err
	}
	d, derr := u.objectData(c, o)
	if derr != nil {
		return derr
	}
	d.Errors, d.ErrorsFor = newFormErrors(err), form
	if edit != nil {
		edit(&d)
	}
	return u.render(c, statusOf(err), "object", objectTitle(o), d)
}

// needsInput reads the protection-need form: one set of fields per
// objective, suffixed with its code (own_c, override_reason_a …).
func needsInput(c *gin.Context) ([3]domain.NeedInput, error) {
	var in [3]domain.NeedInput
	var vs []domain.Violation
	for _, o := range domain.Objectives {
		k := o.Code()
		own, ok1 := domain.ParseNeed(c.PostForm("own_" + k))
		override, ok2 := domain.ParseNeed(c.PostForm("override_" + k))
		if !ok1 || !ok2 {
			vs = append(vs, domain.Violation{Pointer: "/" + k, Detail: "unknown protection need", German: "Unbekannter Schutzbedarf."})
		}
		in[o] = domain.NeedInput{Own: own, OwnReason: c.PostForm("own_reason_" + k), OverrideKind: domain.OverrideKind(c.PostForm("override_kind_" + k)),
			Override: override, OverrideReason: c.PostForm("override_reason_" + k)}
		vs = append(vs, in[o].Validate("/"+k)...)
	}
	if vs = firstPerField(vs); len(vs) > 0 {
		return in, domain.Invalid(vs...)
	}
	return in, nil
}

func (u *UI) setNeeds(c *gin.Context) error {
	o, err := u.loadWritable(c)
	if err != nil {
		return err
	}
	in, err := needsInput(c)
	if err == nil {
		err = u.run(c, func(tx *postgres.Tx) error {
			_, err := tx.SetNeeds(c.Request.Context(), o.ID, formVersion(c), in, route.Visibility(c))
			return err
		})
	}
	if err != nil {
		return u.objectFormFailed(c, o, "needs", err, func(d *objectPage) {
			for i := range d.Needs {
				d.Needs[i].Input = in[i]
			}
		})
	}
	return u.redirect(c, objectURL(o.ID)+"#needs-h", "Der Schutzbedarf ist gespeichert; der Informationsverbund ist nach dem Maximumprinzip neu berechnet.")
}

// resolveShortID finds the visible object of a scope with that short ID,
// through the paged search (an exact match wins over one that differs
// only in case).
func (u *UI) resolveShortID(c *gin.Context, scopeID int64, shortID string, vis postgres.Visibility) (int64, error) {
	objs, _, err := u.DB.ListObjects(c.Request.Context(), scopeID, domain.ObjectFilter{Text: shortID, Sort: "short_id", Limit: 100}, vis)
	if err != nil {
		return 0, err
	}
	var folded []int64
	for _, o := range objs {
		if o.ShortID == shortID {
			return o.ID, nil
		}
		if strings.EqualFold(o.ShortID, shortID) {
			folded = append(folded, o.ID)
		}
	}
	if len(folded) == 1 {
		return folded[0], nil
	}
	// Not found, as a missing id: the same for an object of another
	// department as for one that does not exist.
	v := domain.Violation{Pointer: "/short_id", Detail: "no object with this short ID in this scope",
		German: fmt.Sprintf("Ein Zielobjekt mit dem Kürzel „%s“ gibt es in diesem Informationsverbund nicht.", shortID)}
	return 0, &domain.Error{Kind: domain.ErrNotFound, Message: v.Detail, German: v.German, Violations: []domain.Violation{v}}
}

func (u *UI) addDependency(c *gin.Context) error {
	o, err := u.loadWritable(c)
	if err != nil {
		return err
	}
	vis := route.Visibility(c)
	shortID := strings.TrimSpace(c.PostForm("short_id"))
	var target int64
	switch {
	case shortID != "":
		target, err = u.resolveShortID(c, o.ScopeID, shortID, vis)
	case c.PostForm("depends_on") != "":
		target, err = strconv.ParseInt(c.PostForm("depends_on"), 10, 64)
		if err != nil || target <= 0 {
			err = domain.Invalid(domain.Violation{Pointer: "/depends_on", Detail: "not an object id", German: "Unbekanntes Zielobjekt."})
		}
	default:
		err = domain.Invalid(domain.Violation{Pointer: "/depends_on", Detail: "choose an object",
			German: "Bitte wählen Sie ein Zielobjekt oder geben Sie sein Kürzel ein."})
	}
	if err == nil {
		err = u.run(c, func(tx *postgres.Tx) error { return tx.AddDependency(c.Request.Context(), o.ID, target, vis) })
	}
	if err != nil {
		return u.objectFormFailed(c, o, "dependencies", err, func(d *objectPage) { d.ShortIDInput = shortID })
	}
	return u.redirect(c, objectURL(o.ID)+"#deps-h", "Die Abhängigkeit ist erfasst; der Schutzbedarf ist neu berechnet.")
}

func (u *UI) removeDependency(c *gin.Context) error {
	o, err := u.loadWritable(c)
	if err != nil {
		return err
	}
	target, err := pathID(c, "target", domain.Errorf(domain.ErrNotFound, "no such dependency").De("Diese Abhängigkeit gibt es nicht."))
	if err == nil {
		err = u.run(c, func(tx *postgres.Tx) error {
			return tx.RemoveDependency(c.Request.Context(), o.ID, target, route.Visibility(c))
		})
	}
	if err != nil {
		return u.objectFormFailed(c, o, "dependencies", err, nil)
	}
	return u.redirect(c, objectURL(o.ID)+"#deps-h", "Die Abhängigkeit ist entfernt; der Schutzbedarf ist neu berechnet.")
}

func (u *UI) assignModules(c *gin.Context) error {
	o, err := u.loadWritable(c)
	if err != nil {
		return err
	}
	modules, _ := moduleIDs(c)
	a := domain.ModuleAssignment{Modules: modules, Objects: []int64{o.ID}}
	var added int
	if vs := a.Validate(); len(vs) > 0 {
		err = domain.Invalid(vs...)
	} else {
		added, err = inTx(u, c, func(tx *postgres.Tx) (int, error) {
			return tx.AssignModules(c.Request.Context(), o.ScopeID, a.Objects, a.Modules, route.Visibility(c))
		})
	}
	if err != nil {
		return u.objectFormFailed(c, o, "modules", err, nil)
	}
	msg := fmt.Sprintf("%d Baustein(e) zugeordnet: %s.", added, strings.Join(a.Modules, ", "))
	if added == 0 {
		msg = "Diese Bausteine waren schon zugeordnet."
	}
	return u.redirect(c, objectURL(o.ID)+"#mod-h", msg)
}

func (u *UI) unassignModule(c *gin.Context) error {
	o, err := u.loadWritable(c)
	if err != nil {
		return err
	}
	module := c.Param("module")
	if err := u.run(c, func(tx *postgres.Tx) error {
		return tx.UnassignModule(c.Request.Context(), o.ID, module, route.Visibility(c))
	}); err != nil {
		return u.objectFormFailed(c, o, "modules", err, nil)
	}
	return u.redirect(c, objectURL(o.ID)+"#mod-h", "Der Baustein "+module+" ist nicht mehr zugeordnet.")
}

func (u *UI) deleteObject(c *gin.Context) error {
	o, err := u.loadWritable(c)
	if err != nil {
		return err
	}
	if err := u.run(c, func(tx *postgres.Tx) error { return tx.DeleteObject(c.Request.Context(), o.ID, route.Visibility(c)) }); err != nil {
		return u.objectFormFailed(c, o, "delete", err, nil)
	}
	return u.redirect(c, scopeURL(o.ScopeID)+"/objects", "Das Zielobjekt „"+objectTitle(o)+"“ ist gelöscht.")
}

// objectFormPage is the form to create or change an object.
type objectFormPage struct {
	Scope       scopeView
	Object      *domain.Object // nil for a new one
	Input       domain.ObjectInput
	Department  int64
	TagsText    string
	MembersText string
	Version     int
	Types       []domain.ObjectType
	Departments []deptOption
	Errors      formErrors
}

func (p objectFormPage) FormError() string { return p.Errors.Summary }

// Action is where the form posts to.
func (p objectFormPage) Action() string {
	if p.Object != nil {
		return objectURL(p.Object.ID)
	}
	return scopeURL(p.Scope.ID) + "/objects"
}

func (u *UI) objectFormData(c *gin.Context, scope postgres.ScopeSummary, o *domain.Object, in domain.ObjectInput, tags, members string) (objectFormPage, error) {
	d := objectFormPage{Scope: newScopeView(scope), Object: o, Input: in, TagsText: tags, MembersText: members, Types: objectTypes()}
	if in.DepartmentID != nil {
		d.Department = *in.DepartmentID
	}
	if o != nil {
		d.Version = o.Version
	}
	ds, err := u.DB.ListDepartments(c.Request.Context())
	if err != nil {
		return d, err
	}
	// Writers limited to departments may place objects only there.
	d.Departments = deptOptions(subtreeOf(ds, u.visibilityFor(c, authz.ActionWrite)))
	return d, nil
}

func (u *UI) formTitle(o *domain.Object) string {
	if o == nil {
		return "Neues Zielobjekt"
	}
	return objectTitle(*o) + " bearbeiten"
}

func (u *UI) newObjectPage(c *gin.Context) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	in := domain.ObjectInput{Type: domain.ObjectType(c.Query("type"))}
	if !in.Type.Valid() || in.Type == domain.ObjectScope {
		in.Type = domain.ObjectITSystem
	}
	d, err := u.objectFormData(c, scope, nil, in, "", "")
	if err != nil {
		return err
	}
	if len(d.Departments) == 1 {
		d.Department = d.Departments[0].ID
	}
	return u.render(c, http.StatusOK, "object_form", u.formTitle(nil), d)
}

func (u *UI) editObjectPage(c *gin.Context) error {
	o, err := u.loadWritable(c)
	if err != nil {
		return err
	}
	if o.Type == domain.ObjectScope {
		return u.redirect(c, scopeURL(o.ScopeID), "")
	}
	scope, err := u.DB.ScopeByID(c.Request.Context(), o.ScopeID, u.visibilityFor(c, authz.ActionRead))
	if err != nil {
		return err
	}
	members := ""
	if o.Group {
		members = strconv.Itoa(o.Members)
	}
	d, err := u.objectFormData(c, scope, &o, o.Input(), strings.Join(o.Tags, ", "), members)
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "object_form", u.formTitle(&o), d)
}

// objectInput reads the object form: the texts by their names, the tags
// separated by commas.
func objectInput(c *gin.Context) (domain.ObjectInput, string, string, error) {
	tags, members := c.PostForm("tags"), strings.TrimSpace(c.PostForm("members"))
	in := domain.ObjectInput{Type: domain.ObjectType(c.PostForm("type")), ShortID: c.PostForm("short_id"), Group: c.PostForm("group") == "true",
		ObjectFields: domain.ObjectFields{Tags: strings.Split(tags, ","), NoSuitableModule: c.PostForm("no_suitable_module") == "true",
			UntypicalEnvironment: c.PostForm("untypical_environment") == "true"}}
	for _, t := range domain.ObjectTexts {
		*t.Field(&in.ObjectFields) = c.PostForm(t.Name)
	}
	in.DepartmentID = formOptionalID(c, "department_id")
	var vs []domain.Violation
	if members != "" {
		n, err := strconv.Atoi(members)
		if err != nil {
			vs = append(vs, domain.Violation{Pointer: "/members", Detail: "members must be a whole number", German: "Bitte eine ganze Zahl angeben."})
		}
		in.Members = n
	}
	if vs = firstPerField(append(vs, in.Validate()...)); len(vs) > 0 {
		return in, tags, members, domain.Invalid(vs...)
	}
	return in, tags, members, nil
}

func (u *UI) createObject(c *gin.Context) error {
	scope, err := u.loadScope(c)
	if err != nil {
		return err
	}
	in, tags, members, err := objectInput(c)
	var o domain.Object
	if err == nil {
		o, err = inTx(u, c, func(tx *postgres.Tx) (domain.Object, error) {
			return tx.CreateObject(c.Request.Context(), scope.ID, in, route.Visibility(c))
		})
	}
	if err != nil {
		if !isInputError(err) {
			return err
		}
		d, derr := u.objectFormData(c, scope, nil, in, tags, members)
		if derr != nil {
			return derr
		}
		d.Errors = newFormErrors(err)
		return u.render(c, statusOf(err), "object_form", u.formTitle(nil), d)
	}
	return u.redirect(c, objectURL(o.ID), "Das Zielobjekt „"+objectTitle(o)+"“ ist angelegt. Bitte bewerten Sie seinen Schutzbedarf und ordnen Sie Bausteine zu.")
}

func (u *UI) updateObject(c *gin.Context) error {
	o, err := u.loadWritable(c)
	if err != nil {
		return err
	}
	in, tags, members, err := objectInput(c)
	if err == nil {
		ch := in.Change()
		ch.GroupID = nil // the form does not show the membership: it stays
		err = u.run(c, func(tx *postgres.Tx) error {
			_, err := tx.UpdateObject(c.Request.Context(), o.ID, formVersion(c), ch, route.Visibility(c))
			return err
		})
	}
	if err != nil {
		if !isInputError(err) {
			return err
		}
		scope, serr := u.DB.ScopeByID(c.Request.Context(), o.ScopeID, u.visibilityFor(c, authz.ActionRead))
		if serr != nil {
			return serr
		}
		d, derr := u.objectFormData(c, scope, &o, in, tags, members)
		if derr != nil {
			return derr
		}
		d.Errors = newFormErrors(err)
		return u.render(c, statusOf(err), "object_form", u.formTitle(&o), d)
	}
	return u.redirect(c, objectURL(o.ID), "Die Angaben zum Zielobjekt sind gespeichert.")
}
