package webui

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// auditingRoutes are the pages of a scope's audits: the list with the
// open findings, one audit with its sample as a checklist and its
// findings, and one finding with its corrective actions. Auditors run
// audits and verify corrective actions; ISBs submit them.
func (u *UI) auditingRoutes() []route.Route {
	read, write := authz.Require(authz.ResourceAudits, authz.ActionRead), authz.Require(authz.ResourceAudits, authz.ActionWrite)
	answer := authz.Require(authz.ResourceCorrectiveActions, authz.ActionWrite)
	get, post := http.MethodGet, http.MethodPost
	return []route.Route{
		{Method: get, Path: "/scopes/:id/audits", Perm: read, Handler: u.auditsPage},
		{Method: post, Path: "/scopes/:id/audits", Perm: write, Handler: u.planAudit},
		{Method: get, Path: "/audits/:id", Perm: read, Handler: u.auditDetailPage},
		{Method: post, Path: "/audits/:id", Perm: write, Handler: u.updateAudit},
		{Method: post, Path: "/audits/:id/sample", Perm: write, Handler: u.addSampleItem},
		{Method: post, Path: "/audits/:id/sample/draw", Perm: write, Handler: u.drawSample},
		{Method: post, Path: "/audits/:id/findings", Perm: write, Handler: u.createFinding},
		{Method: post, Path: "/sample-items/:id", Perm: write, Handler: u.recordSampleResult},
		{Method: post, Path: "/sample-items/:id/delete", Perm: write, Handler: u.removeSampleItem},
		{Method: get, Path: "/findings/:id", Perm: read, Handler: u.findingPage},
		{Method: post, Path: "/findings/:id", Perm: write, Handler: u.updateFinding},
		{Method: post, Path: "/findings/:id/corrective-actions", Perm: answer, Handler: u.submitCorrectiveAction},
		{Method: post, Path: "/findings/:id/verification", Perm: write, Handler: u.verifyCorrectiveAction},
	}
}

func auditsURL(scopeID int64) string { return scopeURL(scopeID) + "/audits" }
func auditURL(id int64) string       { return "/audits/" + strconv.FormatInt(id, 10) }
func findingURL(id int64) string     { return "/findings/" + strconv.FormatInt(id, 10) }

var (
	errAuditNotFound   = domain.Errorf(domain.ErrNotFound, "no such audit").De("Dieses Audit gibt es nicht.")
	errFindingNotFound = domain.Errorf(domain.ErrNotFound, "no such finding").De("Diese Feststellung gibt es nicht.")
	errSampleNotFound  = domain.Errorf(domain.ErrNotFound, "no such sample item").De("Dieses Element der Stichprobe gibt es nicht.")
)

// period prints an audit's days: "04.05.2026 – 06.05.2026", or one day.
func period(a domain.Audit) string {
	from, to := day{&a.StartsOn}.String(), day{&a.EndsOn}.String()
	if from == to {
		return from
	}
	return from + " – " + to
}

// auditInput is the audit form as typed.
type auditInput struct {
	Kind, Title, Auditors, StartsOn, EndsOn, ScopeNote, State string
}

func inputOfAudit(a domain.Audit) auditInput {
	return auditInput{Kind: string(a.Kind), Title: a.Title, Auditors: strings.Join(a.Auditors, "\n"), StartsOn: day{&a.StartsOn}.ISO(),
		EndsOn: day{&a.EndsOn}.ISO(), ScopeNote: a.ScopeNote, State: string(a.State)}
}

// auditFormOf reads the audit form: auditors one per line.
func auditFormOf(c *gin.Context) (domain.AuditInput, auditInput, error) {
	in := auditInput{Kind: c.PostForm("kind"), Title: c.PostForm("title"), Auditors: c.PostForm("auditors"), StartsOn: c.PostForm("starts_on"),
		EndsOn: c.PostForm("ends_on"), ScopeNote: c.PostForm("scope_note"), State: c.PostForm("state")}
	out := domain.AuditInput{Kind: domain.AuditKind(in.Kind), Title: in.Title, Auditors: strings.Split(in.Auditors, "\n"), ScopeNote: in.ScopeNote,
		State: domain.AuditState(in.State)}
	var vs []domain.Violation
	for _, d := range []struct {
		name, german string
		typed        string
		dst          *time.Time
	}{{"starts_on", "Bitte den ersten Audittag angeben, z. B. 04.05.2026.", in.StartsOn, &out.StartsOn},
		{"ends_on", "Bitte den letzten Audittag angeben, z. B. 06.05.2026.", in.EndsOn, &out.EndsOn}} {
		t, ok := parseDay(d.typed)
		if !ok || t == nil {
			vs = append(vs, domain.Violation{Pointer: "/" + d.name, Detail: "want a date", German: d.german})
			continue
		}
		*d.dst = *t
	}
	if len(vs) > 0 {
		return out, in, domain.Invalid(vs...)
	}
	return out, in, nil
}

// findingView is a finding as lists show it.
type findingView struct {
	domain.Finding
	Due     day
	Overdue bool
}

func newFindingView(f domain.Finding, today time.Time) findingView {
	return findingView{Finding: f, Due: day{f.DueDate}, Overdue: f.Overdue(today)}
}

// auditView is an audit as the list shows it.
type auditView struct {
	domain.Audit
	Period string
}

type auditsPage struct {
	Scope    scopeView
	Tab      string
	Audits   []auditView
	Findings []findingView // open findings of the scope's audits
	NextURL  string
	Kinds    []domain.AuditKind
	CanWrite bool
	In       auditInput
	Errors   formErrors
}

func (p auditsPage) FormError() string { return p.Errors.Summary }

func (u *UI) auditsData(c *gin.Context, scope postgres.ScopeSummary) (auditsPage, error) {
	ctx := c.Request.Context()
	d := auditsPage{Scope: newScopeView(scope), Tab: "audits", Kinds: domain.AuditKinds, CanWrite: u.allowed(c, authz.ResourceAudits, authz.ActionWrite),
		In: auditInput{Kind: string(domain.AuditInternal)}}
	as, err := u.DB.ListAudits(ctx, scope.ID)
	if err != nil {
		return d, err
	}
	for _, a := range as {
		d.Audits = append(d.Audits, auditView{Audit: a, Period: period(a)})
	}
	f := postgres.FindingFilter{ScopeID: scope.ID, OpenOnly: true, Today: u.today(), Limit: 100}
	if v := c.Query("cursor"); v != "" {
		f.After, _ = strconv.ParseInt(v, 10, 64)
	}
	fs, next, err := u.DB.ListFindings(ctx, f, u.visibilityFor(c, authz.ActionRead))
	if err != nil {
		return d, err
	}
	for _, x := range fs {
		d.Findings = append(d.Findings, newFindingView(x, f.Today))
	}
	if next != 0 {
		d.NextURL = auditsURL(scope.ID) + "?cursor=" + strconv.FormatInt(next, 10) + "#findings-h"
	}
	return d, nil
}

func (u *UI) auditsPage(c *gin.Context) error {
	return showPage(u, c, "audits", u.scopeOfPath, u.auditsData, scopeTitle("Audits"))
}

func (u *UI) planAudit(c *gin.Context) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	in, typed, err := auditFormOf(c)
	var a domain.Audit
	if err == nil {
		a, err = inTx(u, c, func(tx *postgres.Tx) (domain.Audit, error) {
			return tx.CreateAudit(c.Request.Context(), scope.ID, in)
		})
	}
	if err != nil {
		return refuseForm(u, c, err, "audits", "Audits · "+scope.Name, func() (auditsPage, error) { return u.auditsData(c, scope) },
			func(d *auditsPage, fe formErrors) { d.In, d.Errors = typed, fe })
	}
	return u.redirect(c, auditURL(a.ID), "Das Audit „"+a.Title+"“ ist geplant. Stellen Sie jetzt die Stichprobe zusammen.")
}

// sampleView is a sample item as the checklist shows it, with its form.
type sampleView struct {
	domain.SampleItem
	InResult, InNote string // the form's values: as typed after a refusal
}

// drawInput, addInput and findingInput are the audit page's other forms
// as typed.
type drawInput struct{ Modules, Objects, Requirements, Seed string }

type addInput struct{ Module, Object, EntryObject, Requirement string }

type findingInput struct {
	Class, Title, Description, DueDate, Objects string
	Samples                                     map[int64]bool
}

type auditDetailPage struct {
	Scope      scopeView
	Audit      domain.Audit
	Period     string
	Items      []sampleView
	Hidden     int     // items of objects outside the reader's departments
	Seeds      []int64 // of the random draws in the sample
	Modules    []postgres.ScopeModule
	Findings   []findingView
	Kinds      []domain.AuditKind
	States     []domain.AuditState
	Results    []domain.SampleResult
	Classes    []domain.FindingClass
	CanWrite   bool
	Completed  bool
	In         auditInput
	Draw       drawInput
	Add        addInput
	Finding    findingInput
	formsState // forms: audit, draw, add, finding, item-<id>
}

func (u *UI) auditOfPath(c *gin.Context) (domain.Audit, error) {
	return recordOfPath(c, errAuditNotFound, u.DB.AuditByID)
}

func (u *UI) auditDetailData(c *gin.Context, a domain.Audit) (auditDetailPage, error) {
	ctx := c.Request.Context()
	d := auditDetailPage{Audit: a, Period: period(a), Kinds: domain.AuditKinds, States: domain.AuditStates,
		Results: domain.SampleResults, Classes: domain.FindingClasses, CanWrite: u.allowed(c, authz.ResourceAudits, authz.ActionWrite),
		Completed: a.State == domain.AuditCompleted, In: inputOfAudit(a), Finding: findingInput{Samples: map[int64]bool{}}}
	scope, err := u.DB.Scope(ctx, a.ScopeID)
	if err != nil {
		return d, err
	}
	d.Scope = newScopeView(scope)
	items, err := u.DB.SampleItems(ctx, a.ID, u.visibilityFor(c, authz.ActionRead))
	if err != nil {
		return d, err
	}
	for _, it := range items {
		d.Items = append(d.Items, sampleView{SampleItem: it, InResult: string(it.Result), InNote: it.Note})
		if it.Seed != nil && !slices.Contains(d.Seeds, *it.Seed) {
			d.Seeds = append(d.Seeds, *it.Seed)
		}
	}
	d.Hidden = a.Samples - len(items)
	if d.CanWrite {
		if d.Modules, err = u.DB.ModulesInScope(ctx, a.ScopeID); err != nil {
			return d, err
		}
	}
	fs, _, err := u.DB.ListFindings(ctx, postgres.FindingFilter{AuditID: a.ID, Limit: 1000}, u.visibilityFor(c, authz.ActionRead))
	if err != nil {
		return d, err
	}
	for _, f := range fs {
		d.Findings = append(d.Findings, newFindingView(f, u.today()))
	}
	return d, nil
}

func (u *UI) auditDetailPage(c *gin.Context) error {
	return showPage(u, c, "audit_detail", u.auditOfPath, u.auditDetailData, func(a domain.Audit) string { return a.Title })
}

// auditFormFailed shows the audit page again with the refusal of one of
// its forms; edit puts back what was typed.
func (u *UI) auditFormFailed(c *gin.Context, a domain.Audit, form string, err error, edit func(*auditDetailPage)) error {
	if !isInputError(err) {
		return err
	}
	// The page shows the audit as it is now, also after a stale form.
	fresh, ferr := u.DB.AuditByID(c.Request.Context(), a.ID)
	if ferr != nil {
		return ferr
	}
	d, derr := u.auditDetailData(c, fresh)
	if derr != nil {
		return derr
	}
	d.refuse(form, err)
	if edit != nil && !errors.Is(err, domain.ErrPreconditionFailed) {
		edit(&d)
	}
	return u.render(c, statusOf(err), "audit_detail", fresh.Title, d)
}

func (u *UI) updateAudit(c *gin.Context) error {
	a, err := u.auditOfPath(c)
	if err != nil {
		return err
	}
	in, typed, err := auditFormOf(c)
	if err == nil {
		ch := domain.AuditChange{Kind: &in.Kind, Title: &in.Title, Auditors: &in.Auditors, StartsOn: &in.StartsOn, EndsOn: &in.EndsOn,
			ScopeNote: &in.ScopeNote, State: &in.State}
		a, err = inTx(u, c, func(tx *postgres.Tx) (domain.Audit, error) {
			return tx.UpdateAudit(c.Request.Context(), a.ID, formVersion(c), ch)
		})
	}
	if err != nil {
		return u.auditFormFailed(c, a, "audit", err, func(d *auditDetailPage) { d.In = typed })
	}
	return u.redirect(c, auditURL(a.ID), "Das Audit ist gespeichert.")
}

// drawCount reads a number field of the draw form; empty is 0.
func drawCount(v, pointer, german string, vs *[]domain.Violation) int {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		*vs = append(*vs, domain.Violation{Pointer: pointer, Detail: "want a number", German: german})
	}
	return n
}

func (u *UI) drawSample(c *gin.Context) error {
	a, err := u.auditOfPath(c)
	if err != nil {
		return err
	}
	typed := drawInput{Modules: c.PostForm("modules"), Objects: c.PostForm("objects"), Requirements: c.PostForm("requirements"),
		Seed: strings.TrimSpace(c.PostForm("seed"))}
	var vs []domain.Violation
	draw := domain.SampleDraw{Modules: drawCount(typed.Modules, "/modules", "Bitte eine Anzahl angeben.", &vs),
		Objects:      drawCount(typed.Objects, "/objects", "Bitte eine Anzahl angeben.", &vs),
		Requirements: drawCount(typed.Requirements, "/requirements", "Bitte eine Anzahl angeben.", &vs)}
	if typed.Seed != "" {
		seed, perr := strconv.ParseInt(typed.Seed, 10, 64)
		if perr != nil {
			vs = append(vs, domain.Violation{Pointer: "/seed", Detail: "want a number", German: "Der Startwert ist eine ganze Zahl ab 0."})
		}
		draw.Seed = &seed
	}
	var items []domain.SampleItem
	var seed int64
	if len(vs) > 0 {
		err = domain.Invalid(vs...)
	} else {
		err = u.run(c, func(tx *postgres.Tx) error {
			var err error
			items, seed, err = tx.DrawSample(c.Request.Context(), a.ID, draw)
			return err
		})
	}
	if err != nil {
		return u.auditFormFailed(c, a, "draw", err, func(d *auditDetailPage) { d.Draw = typed })
	}
	msg := fmt.Sprintf("Stichprobe mit dem Startwert %d gezogen: %d neue Elemente.", seed, len(items))
	if len(items) == 0 {
		msg = fmt.Sprintf("Mit dem Startwert %d kam kein neues Element hinzu: Alles Passende steht schon in der Stichprobe.", seed)
	}
	return u.redirect(c, auditURL(a.ID)+"#sample-h", msg+" Mit demselben Startwert ergibt sich auf demselben Stand dieselbe Auswahl.")
}

// addSampleItem puts an item picked by hand into the sample: a module of
// the list, an object by its short ID, or a requirement of an object by
// the object's short ID and the requirement's ID.
func (u *UI) addSampleItem(c *gin.Context) error {
	a, err := u.auditOfPath(c)
	if err != nil {
		return err
	}
	ctx, vis := c.Request.Context(), u.visibilityFor(c, authz.ActionRead)
	typed := addInput{Module: c.PostForm("module_id"), Object: strings.TrimSpace(c.PostForm("object")),
		EntryObject: strings.TrimSpace(c.PostForm("entry_object")), Requirement: strings.TrimSpace(c.PostForm("requirement"))}
	in := domain.SampleInput{Type: domain.SampleType(c.PostForm("type")), ModuleID: typed.Module}
	switch in.Type {
	case domain.SampleObject:
		in.ObjectID, err = u.objectByShortID(c, a.ScopeID, typed.Object, "/object", vis)
	case domain.SampleRequirement:
		in.EntryID, err = u.entryByRequirement(c, a.ScopeID, typed.EntryObject, typed.Requirement, vis)
	}
	var it domain.SampleItem
	if err == nil {
		it, err = inTx(u, c, func(tx *postgres.Tx) (domain.SampleItem, error) {
			return tx.AddSampleItem(ctx, a.ID, in, vis)
		})
		// The store names the ids; the form has short IDs in their place.
		err = renamePointers(err, map[string]string{"/object_id": "/object", "/entry_id": "/requirement"})
	}
	if err != nil {
		return u.auditFormFailed(c, a, "add", err, func(d *auditDetailPage) { d.Add = typed })
	}
	return u.redirect(c, auditURL(a.ID)+fmt.Sprintf("#sample-%d", it.ID), it.Type.Label()+" „"+it.Label()+"“ steht jetzt in der Stichprobe.")
}

// atPointer moves the violations of a refused input to the form field
// that caused them.
func atPointer(err error, pointer string) error {
	var de *domain.Error
	if errors.As(err, &de) {
		for i := range de.Violations {
			de.Violations[i].Pointer = pointer
		}
	}
	return err
}

// renamePointers moves the violations at the given pointers to others.
func renamePointers(err error, to map[string]string) error {
	var de *domain.Error
	if errors.As(err, &de) {
		for i, v := range de.Violations {
			if p, ok := to[v.Pointer]; ok {
				de.Violations[i].Pointer = p
			}
		}
	}
	return err
}

// objectByShortID finds the visible object of the scope with that short ID; a
// refusal stands at the form field pointer.
func (u *UI) objectByShortID(c *gin.Context, scopeID int64, shortID, pointer string, vis postgres.Visibility) (int64, error) {
	if shortID == "" {
		return 0, domain.Invalid(domain.Violation{Pointer: pointer, Detail: "give a short ID", German: "Bitte das Kürzel eines Zielobjekts angeben, z. B. S-001."})
	}
	id, err := u.resolveShortID(c, scopeID, shortID, vis)
	return id, atPointer(err, pointer)
}

// entryByRequirement finds the active check entry of a requirement of the object
// with that short ID.
func (u *UI) entryByRequirement(c *gin.Context, scopeID int64, shortID, requirementID string, vis postgres.Visibility) (int64, error) {
	objectID, err := u.objectByShortID(c, scopeID, shortID, "/entry_object", vis)
	if err != nil {
		return 0, err
	}
	es, _, err := u.DB.ListEntries(c.Request.Context(), scopeID, domain.EntryFilter{ObjectID: objectID, Limit: 1000}, vis)
	if err != nil {
		return 0, err
	}
	for _, e := range es {
		if strings.EqualFold(e.RequirementID, requirementID) {
			return e.ID, nil
		}
	}
	return 0, domain.Invalid(domain.Violation{Pointer: "/requirement", Detail: "the object has no active check entry of this requirement",
		German: fmt.Sprintf("Im IT-Grundschutz-Check von %s steht keine Anforderung „%s“.", shortID, requirementID)})
}

// sampleItemOfPath reads the sample item of the path with its audit.
func (u *UI) sampleItemOfPath(c *gin.Context) (domain.SampleItem, domain.Audit, error) {
	id, err := pathID(c, "id", errSampleNotFound)
	if err != nil {
		return domain.SampleItem{}, domain.Audit{}, err
	}
	ctx := c.Request.Context()
	it, err := u.DB.SampleItemByID(ctx, id, u.visibilityFor(c, authz.ActionRead))
	if err != nil {
		return it, domain.Audit{}, err
	}
	a, err := u.DB.AuditByID(ctx, it.AuditID)
	return it, a, err
}

func (u *UI) recordSampleResult(c *gin.Context) error {
	it, a, err := u.sampleItemOfPath(c)
	if err != nil {
		return err
	}
	result, note := domain.SampleResult(c.PostForm("result")), c.PostForm("note")
	saved, err := inTx(u, c, func(tx *postgres.Tx) (domain.SampleItem, error) {
		return tx.RecordSampleResult(c.Request.Context(), it.ID, formVersion(c), domain.SampleResultChange{Result: &result, Note: &note})
	})
	if err != nil {
		return u.sampleItemFailed(c, a, it.ID, err, string(result), note)
	}
	return u.redirect(c, auditURL(a.ID)+fmt.Sprintf("#sample-%d", it.ID), "Das Ergebnis zu „"+saved.Label()+"“ ist gespeichert: "+saved.Result.Label()+".")
}

// sampleItemFailed shows the refusal at the item's own form.
func (u *UI) sampleItemFailed(c *gin.Context, a domain.Audit, id int64, err error, result, note string) error {
	return u.auditFormFailed(c, a, fmt.Sprintf("item-%d", id), err, func(d *auditDetailPage) {
		for i := range d.Items {
			if d.Items[i].ID == id {
				d.Items[i].InResult, d.Items[i].InNote = result, note
			}
		}
	})
}

func (u *UI) removeSampleItem(c *gin.Context) error {
	it, a, err := u.sampleItemOfPath(c)
	if err != nil {
		return err
	}
	if err := u.run(c, func(tx *postgres.Tx) error {
		return tx.RemoveSampleItem(c.Request.Context(), it.ID, formVersion(c))
	}); err != nil {
		return u.sampleItemFailed(c, a, it.ID, err, string(it.Result), it.Note)
	}
	return u.redirect(c, auditURL(a.ID)+"#sample-h", "„"+it.Label()+"“ ist aus der Stichprobe entfernt.")
}

// findingFormOf reads the finding form: class, title, description, due
// date, and on the audit page the sample items and objects it concerns.
func (u *UI) findingFormOf(c *gin.Context, scopeID int64) (domain.FindingInput, findingInput, error) {
	typed := findingInput{Class: c.PostForm("class"), Title: c.PostForm("title"), Description: c.PostForm("description"),
		DueDate: c.PostForm("due_date"), Objects: c.PostForm("objects"), Samples: map[int64]bool{}}
	in := domain.FindingInput{Class: domain.FindingClass(typed.Class), Title: typed.Title, Description: typed.Description}
	var vs []domain.Violation
	if due, ok := parseDay(typed.DueDate); ok {
		in.DueDate = due
	} else {
		vs = append(vs, domain.Violation{Pointer: "/due_date", Detail: "want a date", German: "Bitte ein Datum angeben, z. B. 30.09.2026."})
	}
	for _, v := range c.PostFormArray("sample") {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			typed.Samples[id] = true
			in.Links = append(in.Links, domain.FindingLink{Target: domain.FindingOnSample, TargetID: id})
		}
	}
	for _, short := range splitIDs(typed.Objects) {
		id, err := u.objectByShortID(c, scopeID, short, "/objects", u.visibilityFor(c, authz.ActionRead))
		if err != nil {
			return in, typed, err
		}
		in.Links = append(in.Links, domain.FindingLink{Target: domain.FindingOnObject, TargetID: id})
	}
	if len(vs) > 0 {
		return in, typed, domain.Invalid(vs...)
	}
	return in, typed, nil
}

func (u *UI) createFinding(c *gin.Context) error {
	a, err := u.auditOfPath(c)
	if err != nil {
		return err
	}
	in, typed, err := u.findingFormOf(c, a.ScopeID)
	var f domain.Finding
	if err == nil {
		f, err = inTx(u, c, func(tx *postgres.Tx) (domain.Finding, error) {
			return tx.CreateFinding(c.Request.Context(), a.ID, in, route.Visibility(c))
		})
	}
	if err != nil {
		return u.auditFormFailed(c, a, "finding", err, func(d *auditDetailPage) { d.Finding = typed })
	}
	return u.redirect(c, findingURL(f.ID), f.Class.Label()+" „"+f.Title+"“ ist erfasst.")
}

type findingPageData struct {
	Scope      scopeView
	Audit      domain.Audit
	Finding    findingView
	Pending    *domain.CorrectiveAction
	OwnPending bool // the reader submitted the waiting action and may not verify it
	Classes    []domain.FindingClass
	CanWrite   bool // audits:write: change, verify
	CanAnswer  bool // corrective_actions:write: submit
	In         findingInput
	Action     string
	Verdict    string
	Comment    string
	formsState // forms: finding, action, verify
}

// LinkURL is where a link of the finding leads.
func (p findingPageData) LinkURL(l domain.FindingLink) string {
	switch l.Target {
	case domain.FindingOnSample:
		return auditURL(p.Audit.ID) + fmt.Sprintf("#sample-%d", l.TargetID)
	case domain.FindingOnEntry:
		return entryURL(l.TargetID)
	}
	return objectURL(l.TargetID)
}

// TargetLabel names the kind of a link in German.
func (p findingPageData) TargetLabel(l domain.FindingLink) string {
	return domain.FindingTargetLabel(l.Target)
}

func (u *UI) findingOfPath(c *gin.Context) (domain.Finding, error) {
	return visibleOfPath(c, errFindingNotFound, u.DB.FindingByID, u.visibilityFor(c, authz.ActionRead))
}

func (u *UI) findingData(c *gin.Context, f domain.Finding) (findingPageData, error) {
	ctx := c.Request.Context()
	d := findingPageData{Finding: newFindingView(f, u.today()), Pending: f.Pending(), Classes: domain.FindingClasses,
		CanWrite: u.allowed(c, authz.ResourceAudits, authz.ActionWrite), CanAnswer: u.allowed(c, authz.ResourceCorrectiveActions, authz.ActionWrite),
		In: findingInput{Class: string(f.Class), Title: f.Title, Description: f.Description, DueDate: day{f.DueDate}.ISO()}}
	if p, ok := route.Principal(c); ok && d.Pending != nil {
		d.OwnPending = d.Pending.SubmittedBy == p.User.Username
	}
	var err error
	if d.Audit, err = u.DB.AuditByID(ctx, f.AuditID); err != nil {
		return d, err
	}
	scope, err := u.DB.Scope(ctx, f.ScopeID)
	if err != nil {
		return d, err
	}
	d.Scope = newScopeView(scope)
	return d, nil
}

func (u *UI) findingPage(c *gin.Context) error {
	return showPage(u, c, "finding", u.findingOfPath, u.findingData, func(f domain.Finding) string { return "Feststellung " + f.Title })
}

// findingFormFailed shows the finding again, as it is now, with the
// refusal of one of its forms; edit puts back what was typed.
func (u *UI) findingFormFailed(c *gin.Context, id int64, form string, err error, edit func(*findingPageData)) error {
	if !isInputError(err) {
		return err
	}
	f, ferr := u.DB.FindingByID(c.Request.Context(), id, u.visibilityFor(c, authz.ActionRead))
	if ferr != nil {
		return ferr
	}
	d, derr := u.findingData(c, f)
	if derr != nil {
		return derr
	}
	d.refuse(form, err)
	if edit != nil && !errors.Is(err, domain.ErrPreconditionFailed) {
		edit(&d)
	}
	return u.render(c, statusOf(err), "finding", "Feststellung "+f.Title, d)
}

// updateFinding saves the finding's form; its links stay as they are.
func (u *UI) updateFinding(c *gin.Context) error {
	f, err := u.findingOfPath(c)
	if err != nil {
		return err
	}
	in, typed, err := u.findingFormOf(c, f.ScopeID)
	if err == nil {
		ch := domain.FindingChange{Class: &in.Class, Title: &in.Title, Description: &in.Description, DueDate: &in.DueDate}
		err = u.run(c, func(tx *postgres.Tx) error {
			_, err := tx.UpdateFinding(c.Request.Context(), f.ID, formVersion(c), ch, route.Visibility(c))
			return err
		})
	}
	if err != nil {
		return u.findingFormFailed(c, f.ID, "finding", err, func(d *findingPageData) { d.In = typed })
	}
	return u.redirect(c, findingURL(f.ID), "Die Feststellung ist gespeichert.")
}

func (u *UI) submitCorrectiveAction(c *gin.Context) error {
	f, err := u.findingOfPath(c)
	if err != nil {
		return err
	}
	text := c.PostForm("description")
	if err := u.run(c, func(tx *postgres.Tx) error {
		_, err := tx.SubmitCorrectiveAction(c.Request.Context(), f.ID, formVersion(c), domain.CorrectiveActionInput{Description: text})
		return err
	}); err != nil {
		return u.findingFormFailed(c, f.ID, "action", err, func(d *findingPageData) { d.Action = text })
	}
	return u.redirect(c, findingURL(f.ID)+"#actions-h", "Die Korrekturmaßnahme ist eingereicht; sie wartet jetzt auf die Prüfung durch die Auditorin oder den Auditor.")
}

func (u *UI) verifyCorrectiveAction(c *gin.Context) error {
	f, err := u.findingOfPath(c)
	if err != nil {
		return err
	}
	verdict, comment := domain.Verdict(c.PostForm("verdict")), c.PostForm("comment")
	verified, err := inTx(u, c, func(tx *postgres.Tx) (domain.Finding, error) {
		return tx.VerifyCorrectiveAction(c.Request.Context(), f.ID, formVersion(c), domain.VerificationInput{Verdict: verdict, Comment: comment})
	})
	if err != nil {
		return u.findingFormFailed(c, f.ID, "verify", err, func(d *findingPageData) { d.Verdict, d.Comment = string(verdict), comment })
	}
	msg := "Die Korrekturmaßnahme ist als wirksam bestätigt; die Feststellung ist geschlossen."
	if verified.State == domain.FindingOpen {
		msg = "Die Korrekturmaßnahme reicht nicht aus; die Feststellung ist wieder offen."
	}
	return u.redirect(c, findingURL(f.ID)+"#actions-h", msg)
}
