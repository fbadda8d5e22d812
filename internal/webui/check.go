package webui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/german"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// checkRoutes are the pages of the IT-Grundschutz-Check (reference
// document A.4) and the implementation plan (A.6).
func (u *UI) checkRoutes() []route.Route {
	read, write := authz.Require(authz.ResourceObjects, authz.ActionRead), authz.Require(authz.ResourceObjects, authz.ActionWrite)
	get, post := http.MethodGet, http.MethodPost
	return []route.Route{
		{Method: get, Path: "/scopes/:id/check", Perm: read, Handler: u.checkPage},
		{Method: post, Path: "/scopes/:id/check/bulk", Perm: write, Handler: u.bulkCheck},
		{Method: get, Path: "/scopes/:id/check/modules/:module", Perm: read, Handler: u.moduleCheckPage},
		{Method: get, Path: "/objects/:id/check", Perm: read, Handler: u.objectCheckPage},
		{Method: get, Path: "/check-entries/:id", Perm: read, Handler: u.entryPage},
		{Method: post, Path: "/check-entries/:id", Perm: write, Handler: u.updateEntry},
		{Method: get, Path: "/scopes/:id/plan", Perm: read, Handler: u.planPage},
		{Method: post, Path: "/plan-items/:id", Perm: write, Handler: u.updatePlanItem},
	}
}

var errEntryNotFound = domain.Errorf(domain.ErrNotFound, "no such check entry").De("Diesen Eintrag des IT-Grundschutz-Checks gibt es nicht.")

// checkPerPage is the page size of the scope's check list.
const checkPerPage = 100

func checkURL(scopeID int64) string  { return scopeURL(scopeID) + "/check" }
func objectCheckURL(id int64) string { return objectURL(id) + "/check" }
func entryURL(id int64) string       { return "/check-entries/" + strconv.FormatInt(id, 10) }
func entryAnchor(id int64) string    { return "#entry-" + strconv.FormatInt(id, 10) }
func planURL(scopeID int64) string   { return scopeURL(scopeID) + "/plan" }
func moduleCheckURL(scopeID int64, module string) string {
	return checkURL(scopeID) + "/modules/" + url.PathEscape(module)
}

// today is the date that decides what is overdue, as a date at UTC
// midnight like the dates the database returns.
func (u *UI) today() time.Time { return domain.Today(u.Location) }

// day prints a calendar date (a DATE column) without time-zone shifts.
type day struct{ t *time.Time }

func (d day) Set() bool { return d.t != nil }

func (d day) String() string {
	if d.t == nil {
		return ""
	}
	return german.Date(*d.t)
}

// ISO is the value of a date field.
func (d day) ISO() string {
	if d.t == nil {
		return ""
	}
	return d.t.Format("2006-01-02")
}

// parseDay reads a date as the date field sends it (2006-01-02) or as
// typed the German way (02.01.2006).
func parseDay(s string) (*time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	for _, layout := range []string{"2006-01-02", "2.1.2006", german.DateLayout} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1900 && t.Year() <= 2999 {
			return &t, true
		}
	}
	return nil, false
}

// writeScope tells whose entries the user may change: all, or those of
// objects in the department subtrees of their write grants.
type writeScope struct {
	all   bool
	depts map[int64]bool
}

func (w writeScope) can(dept *int64) bool { return w.all || dept != nil && w.depts[*dept] }
func (w writeScope) any() bool            { return w.all || len(w.depts) > 0 }

func (u *UI) writeScopeOf(c *gin.Context) (writeScope, error) {
	return u.grantScopeOf(c, authz.Require(authz.ResourceObjects, authz.ActionWrite))
}

// grantScopeOf tells where the user's grants for perm reach, department by
// department (writeScopeOf for objects, evidence writers and reviewers).
func (u *UI) grantScopeOf(c *gin.Context, perm authz.Permission) (writeScope, error) {
	p, _ := route.Principal(c)
	d := u.Authz.Decide(p.User.ID, perm)
	switch {
	case !d.Allowed:
		return writeScope{}, nil
	case d.Global:
		return writeScope{all: true}, nil
	}
	ds, err := u.DB.ListDepartments(c.Request.Context())
	if err != nil {
		return writeScope{}, err
	}
	w := writeScope{depts: map[int64]bool{}}
	for _, x := range subtreeOf(ds, postgres.Visibility{Departments: d.Departments}) {
		w.depts[x.ID] = true
	}
	return w, nil
}

// statusOption is a status in a select.
type statusOption struct {
	Value    domain.Status
	Label    string
	Selected bool
}

func statusOptions(current string, withAll bool) []statusOption {
	var out []statusOption
	if withAll {
		out = append(out, statusOption{Label: "alle", Selected: current == ""})
	}
	for _, s := range domain.Statuses {
		out = append(out, statusOption{Value: s, Label: s.Label(), Selected: string(s) == current})
	}
	return out
}

// statusCount is the number of entries with one status, with the link
// that filters by it.
type statusCount struct {
	Status domain.Status
	Label  string
	N      num
	URL    string
	Active bool
}

// progress sums entries per status for a bar and its figures.
type progress struct {
	Counts []statusCount
	Total  int
	Done   int // ja or entbehrlich
	Bar    []barSegment
}

// barSegment is a part of the stacked bar, in per mille of its width
// (SVG attributes: the CSP allows no inline styles).
type barSegment struct {
	Status   domain.Status
	X, Width string
}

func newProgress(counts map[domain.Status]int, link func(domain.Status) string, active domain.Status) progress {
	p := progress{}
	for _, s := range domain.Statuses {
		p.Total += counts[s]
	}
	p.Done = counts[domain.StatusYes] + counts[domain.StatusNotApplicable]
	x := 0.0
	// Done first, open last: the bar reads from left to right as progress.
	for _, s := range []domain.Status{domain.StatusYes, domain.StatusNotApplicable, domain.StatusPartial, domain.StatusNo, domain.StatusOpen} {
		n := counts[s]
		if n == 0 || p.Total == 0 {
			continue
		}
		w := 100 * float64(n) / float64(p.Total)
		p.Bar = append(p.Bar, barSegment{Status: s, X: fmt.Sprintf("%.3f%%", x), Width: fmt.Sprintf("%.3f%%", w)})
		x += w
	}
	for _, s := range domain.Statuses {
		sc := statusCount{Status: s, Label: s.Label(), N: num(counts[s]), Active: s == active}
		if link != nil {
			sc.URL = link(s)
		}
		p.Counts = append(p.Counts, sc)
	}
	return p
}

// Percent is the share of done entries, rounded down.
func (p progress) Percent() int {
	if p.Total == 0 {
		return 0
	}
	return 100 * p.Done / p.Total
}

// NTotal prints the total the German way.
func (p progress) NTotal() num { return num(p.Total) }

// Label describes the bar for screen readers.
func (p progress) Label() string {
	var parts []string
	for _, c := range p.Counts {
		if c.N > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", c.N, c.Label))
		}
	}
	if len(parts) == 0 {
		return "keine Einträge"
	}
	return fmt.Sprintf("%d %% umgesetzt oder entbehrlich: %s", p.Percent(), strings.Join(parts, ", "))
}

// entryInput is the check-entry form as typed (dates as the field sends them).
type entryInput struct {
	Status                                            string
	Justification, Implementation, Responsible        string
	ImplementedOn, TargetDate, LastReview, NextReview string
}

func inputOfEntry(e domain.CheckEntry) entryInput {
	return entryInput{Status: string(e.Status), Justification: e.Justification, Implementation: e.Implementation, Responsible: e.Responsible,
		ImplementedOn: day{e.ImplementedOn}.ISO(), TargetDate: day{e.TargetDate}.ISO(), LastReview: day{e.LastReview}.ISO(),
		NextReview: day{e.NextReview}.ISO()}
}

// entryView is an entry as the pages show it.
type entryView struct {
	domain.CheckEntry
	Target, Next, Last, Implemented day
	ReviewOverdue                   bool
	CanWrite                        bool
	Member                          bool // the object is a member of a group
	In                              entryInput
	Fields                          map[string]string // refusals per field
	Messages                        []string          // refusals of the entry
	Checked                         bool              // ticked for the bulk change
	Saved                           bool              // just saved
	Focus                           string            // the field to focus after a refusal
}

func (u *UI) newEntryView(e domain.CheckEntry, w writeScope, today time.Time) entryView {
	return entryView{CheckEntry: e, Target: day{e.TargetDate}, Next: day{e.NextReview}, Last: day{e.LastReview}, Implemented: day{e.ImplementedOn},
		ReviewOverdue: e.Active && e.ReviewOverdue(today), CanWrite: e.Active && w.can(e.DepartmentID), In: inputOfEntry(e), Fields: map[string]string{}}
}

// Field is the refusal of a field of the entry's form.
func (v entryView) Field(name string) string { return v.Fields[name] }

// Failed tells whether the entry was refused.
func (v entryView) Failed() bool { return len(v.Messages) > 0 || len(v.Fields) > 0 }

// StatusOptions are the statuses for the entry's select.
func (v entryView) StatusOptions() []statusOption { return statusOptions(v.In.Status, false) }

// Retired prints when the entry was retired.
func (v entryView) Retired() string {
	if v.RetiredAt == nil {
		return ""
	}
	return day{v.RetiredAt}.String()
}

// entryChangeFrom reads the fields the form sent; a field it lacks stays.
// in starts from the entry's current values and takes what was typed.
func entryChangeFrom(c *gin.Context, cur domain.CheckEntry) (domain.EntryChange, entryInput, error) {
	in := inputOfEntry(cur)
	var ch domain.EntryChange
	var vs []domain.Violation
	if v, ok := c.GetPostForm("status"); ok {
		in.Status = v
		s := domain.Status(v)
		if !s.Valid() {
			vs = append(vs, domain.Violation{Pointer: "/status", Detail: "unknown status", German: "Unbekannter Umsetzungsstatus."})
		}
		ch.Status = &s
	}
	texts := []struct {
		name string
		in   *string
		dst  **string
	}{{"justification", &in.Justification, &ch.Justification}, {"implementation", &in.Implementation, &ch.Implementation},
		{"responsible", &in.Responsible, &ch.Responsible}}
	for _, t := range texts {
		if v, ok := c.GetPostForm(t.name); ok {
			*t.in = v
			*t.dst = &v
		}
	}
	dates := []struct {
		name string
		in   *string
		dst  ***time.Time
	}{{"implemented_on", &in.ImplementedOn, &ch.ImplementedOn}, {"target_date", &in.TargetDate, &ch.TargetDate},
		{"last_review", &in.LastReview, &ch.LastReview}, {"next_review", &in.NextReview, &ch.NextReview}}
	for _, d := range dates {
		v, ok := c.GetPostForm(d.name)
		if !ok {
			continue
		}
		*d.in = v
		t, ok := parseDay(v)
		if !ok {
			vs = append(vs, domain.Violation{Pointer: "/" + d.name, Detail: "want a date as 2006-01-02",
				German: "Bitte ein Datum angeben, z. B. 31.12.2026."})
			continue
		}
		*d.dst = &t
	}
	if len(vs) > 0 {
		return ch, in, domain.Invalid(vs...)
	}
	return ch, in, nil
}

// errItemsRefused rolls back a change whose items were refused.
var errItemsRefused = errors.New("items refused")

// runEntryUpdates applies the changes in one transaction (those of a bulk
// must be entries of its scope; scopeID 0 takes an entry of any); refused
// items come back, and nothing is changed.
func (u *UI) runEntryUpdates(c *gin.Context, scopeID int64, items []postgres.EntryUpdate) ([]domain.CheckEntry, []postgres.ItemError, error) {
	p, _ := route.Principal(c)
	ctx, vis := c.Request.Context(), route.Visibility(c)
	var done []domain.CheckEntry
	var refused []postgres.ItemError
	err := u.run(c, func(tx *postgres.Tx) error {
		var err error
		done, refused, err = tx.UpdateEntries(ctx, scopeID, items, vis, p.User.Username)
		if err == nil && len(refused) > 0 {
			err = errItemsRefused
		}
		return err
	})
	if errors.Is(err, errItemsRefused) {
		return nil, refused, nil
	}
	return done, nil, err
}

// itemsStatus is the HTTP status of refused items, as the API answers:
// 412 when every refusal is a stale version, 404 when a single change
// names a missing entry, otherwise 422.
func itemsStatus(errs []postgres.ItemError, single bool) int {
	stale, missing := true, true
	for _, e := range errs {
		stale = stale && errors.Is(e.Kind, domain.ErrPreconditionFailed)
		missing = missing && errors.Is(e.Kind, domain.ErrNotFound)
	}
	switch {
	case single && missing:
		return http.StatusNotFound
	case stale:
		return http.StatusPreconditionFailed
	}
	return http.StatusUnprocessableEntity
}

// entryLabel names an entry in messages: "SYS.1.1.A1 (S-001)".
func entryLabel(e domain.CheckEntry) string { return e.RequirementID + " (" + e.ObjectShortID + ")" }

// checkFilterForm holds the filter fields of the check list as typed.
type checkFilterForm struct {
	Status, Level, Department, Responsible, Module, Object string
	ReviewOverdue                                          bool
	Obligation, Effort                                     string // Grundschutz++
}

// bulkInput is the bulk-change form as typed.
type bulkInput struct {
	Status, Justification, Responsible, TargetDate, NextReview string
}

type checkPage struct {
	Scope        scopeView
	Tab          string
	Path         string
	Form         checkFilterForm
	Filtered     bool
	Statuses     []statusOption
	Levels       []domain.Level
	Obligations  []domain.Obligation // Grundschutz++: the filter by modal verb
	Efforts      []int               // Grundschutz++: the filter by effort level
	Departments  []deptOption
	Layers       []moduleGroup
	Progress     progress
	Matching     num
	Entries      []entryView
	NextURL      string
	FirstURL     string
	ModuleURL    string // the matrix of the filtered module
	CanWrite     bool   // some entry on the page can be changed
	BulkStatuses []statusOption
	Bulk         bulkInput
	Back         string
	Elsewhere    []string // refusals of ticked entries not on this page
	Errors       formErrors
}

func (p checkPage) FormError() string { return p.Errors.Summary }

// withoutCursor is q without the cursor: the first page of the same list.
func withoutCursor(q url.Values) url.Values {
	out := cloneValues(q)
	out.Del("cursor")
	return out
}

// keysetNav leads through a list read in keyset pages: back to the first
// page and on to the next (template "keysetNav").
type keysetNav struct {
	Of       string // what the list holds, as in "Weitere Einträge"
	Shown    string // how the count of this page is introduced
	Count    int    // rows on this page
	FirstURL string // "" on the first page
	NextURL  string // "" on the last page
}

// Nav leads through the check list's pages.
func (d checkPage) Nav() keysetNav {
	return keysetNav{Of: "Einträge", Shown: "Auf dieser Seite", Count: len(d.Entries), FirstURL: d.FirstURL, NextURL: d.NextURL}
}

// nextPageURL leads to the keyset page after the cursor next, with the
// list's other values; "" at the end.
func nextPageURL(path string, base url.Values, next int64) string {
	if next == 0 {
		return ""
	}
	v := cloneValues(base)
	v.Set("cursor", strconv.FormatInt(next, 10))
	return listURL(path, v)
}

// pageURLs are the links of a keyset page of a list: the next page ("" on
// the last) and the first page ("" on the first).
func pageURLs(path string, base url.Values, next, after int64) (nextURL, firstURL string) {
	if after > 0 {
		firstURL = listURL(path, base)
	}
	return nextPageURL(path, base, next), firstURL
}

// departmentOptions are the departments the reader may filter a list by.
func (u *UI) departmentOptions(c *gin.Context, vis postgres.Visibility) ([]deptOption, error) {
	ds, err := u.DB.ListDepartments(c.Request.Context())
	if err != nil {
		return nil, err
	}
	return deptOptions(subtreeOf(ds, vis)), nil
}

// renderList shows a list page. A refused filter is shown on the page,
// with the status the API would answer; any other failure fails.
func (u *UI) renderList(c *gin.Context, name, title string, d any, err error) error {
	status := http.StatusOK
	if err != nil {
		if !isInputError(err) {
			return err
		}
		status = statusOf(err)
	}
	return u.render(c, status, name, title, d)
}

// scopeListPage renders a filtered list of the path's scope, as data reads
// it from the query; a refused filter shows on the page.
func scopeListPage[D any](u *UI, c *gin.Context, name, title string, data func(*gin.Context, postgres.ScopeSummary, url.Values) (D, error)) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	d, err := data(c, scope, c.Request.URL.Query())
	return u.renderList(c, name, title+" · "+scope.Name, d, err)
}

// entryFilterFrom reads the check-list parameters from query values the
// way the API does (the same names and German refusals), and an object
// given by its short ID.
func (u *UI) entryFilterFrom(c *gin.Context, scopeID int64, q url.Values) (domain.EntryFilter, error) {
	f, err := domain.ParseEntryFilter(q)
	if err != nil {
		return f, err
	}
	if short := strings.TrimSpace(q.Get("object_short")); short != "" {
		id, err := u.resolveShortID(c, scopeID, short, u.visibilityFor(c, authz.ActionRead))
		if err != nil {
			var de *domain.Error
			if errors.As(err, &de) {
				for i := range de.Violations {
					de.Violations[i].Pointer = "/object_short"
				}
			}
			return f, err
		}
		f.ObjectID = id
	}
	if f.Limit == 0 {
		f.Limit = checkPerPage
	}
	f.Today = u.today()
	return f, nil
}

// checkData loads the check list of a scope with the query values q.
func (u *UI) checkData(c *gin.Context, scope postgres.ScopeSummary, q url.Values) (checkPage, error) {
	ctx, vis := c.Request.Context(), u.visibilityFor(c, authz.ActionRead)
	path := checkURL(scope.ID)
	d := checkPage{Scope: newScopeView(scope), Tab: "check", Path: path, Levels: domain.Levels}
	d.Form = checkFilterForm{Status: q.Get("status"), Level: q.Get("level"), Department: q.Get("department"), Responsible: q.Get("responsible"),
		Module: q.Get("module"), Object: q.Get("object_short"), ReviewOverdue: q.Get("review_overdue") == "true", Obligation: q.Get("obligation"),
		Effort: q.Get("effort")}
	if scope.Method == domain.MethodPlusPlus {
		d.Obligations, d.Efforts = domain.Obligations, domain.EffortLevels
	}
	d.Filtered = d.Form != checkFilterForm{} || q.Get("object") != ""
	d.Statuses = statusOptions(d.Form.Status, true)
	d.BulkStatuses = statusOptions("", false)
	var err error
	if d.Departments, err = u.departmentOptions(c, vis); err != nil {
		return d, err
	}
	if d.Layers, err = u.catalogLayers(c, scope.CatalogID, nil); err != nil {
		return d, err
	}
	base := withoutCursor(q)
	d.Back = listURL(path, q)
	if d.Form.Module != "" {
		d.ModuleURL = moduleCheckURL(scope.ID, d.Form.Module)
	}
	f, err := u.entryFilterFrom(c, scope.ID, q)
	if err != nil {
		d.Errors = newFormErrors(err)
		return d, err
	}
	counts, err := u.DB.CountEntries(ctx, scope.ID, f, vis)
	if err != nil {
		return d, err
	}
	d.Progress = newProgress(counts, func(s domain.Status) string {
		v := cloneValues(base)
		v.Set("status", string(s))
		return listURL(path, v)
	}, f.Status)
	d.Matching = num(d.Progress.Total)
	if f.Status != "" {
		d.Matching = num(counts[f.Status])
	}
	// One page holds them all: by object and requirement. Longer lists
	// go by id, which an index serves; by object, every page of a large
	// scope would sort all its entries.
	if f.After == 0 && int(d.Matching) <= f.Limit {
		f.Order = "object"
	}
	entries, next, err := u.DB.ListEntries(ctx, scope.ID, f, vis)
	if err != nil {
		return d, err
	}
	w, err := u.writeScopeOf(c)
	if err != nil {
		return d, err
	}
	for _, e := range entries {
		v := u.newEntryView(e, w, f.Today)
		d.CanWrite = d.CanWrite || v.CanWrite
		d.Entries = append(d.Entries, v)
	}
	d.NextURL, d.FirstURL = pageURLs(path, base, next, f.After)
	return d, nil
}

func (u *UI) checkPage(c *gin.Context) error {
	return scopeListPage(u, c, "check", "IT-Grundschutz-Check", u.checkData)
}

// bulkCheck changes the ticked entries of the check list in one
// transaction: all of them, or none with the refusal of each.
func (u *UI) bulkCheck(c *gin.Context) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	f, err := bulkFormOf(c, checkURL(scope.ID))
	var refused []postgres.ItemError
	if err == nil {
		var done []domain.CheckEntry
		done, refused, err = u.runEntryUpdates(c, scope.ID, f.items)
		if err == nil && len(refused) == 0 {
			return u.redirect(c, f.back, fmt.Sprintf("%s Einträge geändert; jede Änderung steht im Protokoll.", num(len(done))))
		}
	}
	if err != nil && !isInputError(err) {
		return err
	}
	return u.showBulkRefusal(c, scope, f, err, refused)
}

// bulkForm is the posted bulk change of the check list.
type bulkForm struct {
	in       bulkInput          // as typed
	change   domain.EntryChange // for every ticked entry; empty fields stay
	items    []postgres.EntryUpdate
	selected map[int64]bool // the ticked entries
	back     string         // the list as it was
}

// bulkFormOf reads the bulk form of the check list at listPath: the
// change and the ticked entries, each with the version it showed.
func bulkFormOf(c *gin.Context, listPath string) (bulkForm, error) {
	f := bulkForm{back: safeBack(c.PostForm("back"), listPath, listPath), selected: map[int64]bool{},
		in: bulkInput{Status: c.PostForm("bulk_status"), Justification: c.PostForm("bulk_justification"), Responsible: c.PostForm("bulk_responsible"),
			TargetDate: c.PostForm("bulk_target_date"), NextReview: c.PostForm("bulk_next_review")}}
	var vs []domain.Violation
	f.change, vs = bulkChangeOf(f.in)
	for _, v := range c.PostFormArray("entry") {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			vs = append(vs, domain.Violation{Pointer: "/entries", Detail: "not an entry id", German: "Unbekannter Eintrag in der Auswahl."})
			continue
		}
		if f.selected[id] {
			continue
		}
		f.selected[id] = true
		version, err := strconv.Atoi(c.PostForm("version_" + v))
		if err != nil {
			version = -1
		}
		f.items = append(f.items, postgres.EntryUpdate{ID: id, Version: version, Change: f.change})
	}
	switch {
	case len(vs) > 0:
		return f, domain.Invalid(vs...)
	case len(f.items) == 0:
		return f, domain.Invalid(domain.Violation{Pointer: "/entries", Detail: "tick at least one entry",
			German: "Bitte kreuzen Sie in der Liste mindestens einen Eintrag an."})
	case f.change == (domain.EntryChange{}):
		return f, domain.Invalid(domain.Violation{Pointer: "/bulk", Detail: "nothing to change",
			German: "Bitte geben Sie an, was sich ändern soll: Status, Begründung, Verantwortlich oder ein Datum."})
	}
	return f, nil
}

// bulkChangeOf reads the change of a bulk form; an empty field stays as
// it is on every entry.
func bulkChangeOf(in bulkInput) (domain.EntryChange, []domain.Violation) {
	var ch domain.EntryChange
	var vs []domain.Violation
	if in.Status != "" {
		s := domain.Status(in.Status)
		if !s.Valid() {
			vs = append(vs, domain.Violation{Pointer: "/bulk_status", Detail: "unknown status", German: "Unbekannter Umsetzungsstatus."})
		}
		ch.Status = &s
	}
	if v := strings.TrimSpace(in.Justification); v != "" {
		ch.Justification = &v
	}
	if v := strings.TrimSpace(in.Responsible); v != "" {
		ch.Responsible = &v
	}
	for _, dd := range []struct {
		name, value string
		dst         ***time.Time
	}{{"bulk_target_date", in.TargetDate, &ch.TargetDate}, {"bulk_next_review", in.NextReview, &ch.NextReview}} {
		if strings.TrimSpace(dd.value) == "" {
			continue
		}
		t, ok := parseDay(dd.value)
		if !ok {
			vs = append(vs, domain.Violation{Pointer: "/" + dd.name, Detail: "want a date", German: "Bitte ein Datum angeben, z. B. 31.12.2026."})
			continue
		}
		*dd.dst = &t
	}
	return ch, vs
}

// showBulkRefusal shows the list again as it was, with the ticks, the
// typed values and each entry's refusal next to it; err is a refusal of
// the whole form, refused those of single entries.
func (u *UI) showBulkRefusal(c *gin.Context, scope postgres.ScopeSummary, f bulkForm, err error, refused []postgres.ItemError) error {
	status := itemsStatus(refused, false)
	if err != nil {
		status = statusOf(err)
	}
	bu, _ := url.Parse(f.back)
	d, derr := u.checkData(c, scope, bu.Query())
	if derr != nil && !isInputError(derr) {
		return derr
	}
	d.Bulk = f.in
	d.BulkStatuses = statusOptions(f.in.Status, false)
	if err != nil {
		d.Errors = newFormErrors(err)
	}
	byID := map[int64][]postgres.ItemError{}
	for _, r := range refused {
		id := f.items[r.Index].ID
		byID[id] = append(byID[id], r)
	}
	shown := map[int64]bool{}
	for i := range d.Entries {
		v := &d.Entries[i]
		v.Checked = f.selected[v.ID]
		shown[v.ID] = true
		for _, r := range byID[v.ID] {
			v.Messages = append(v.Messages, r.German)
		}
	}
	// Refused entries the list does not show (another page of it) are
	// named above it.
	for _, it := range f.items {
		if shown[it.ID] {
			continue
		}
		for _, r := range byID[it.ID] {
			d.Elsewhere = append(d.Elsewhere, fmt.Sprintf("Eintrag %d: %s", it.ID, r.German))
		}
	}
	if len(refused) > 0 {
		d.Errors.Summary = bulkRefusalSummary(len(byID), len(f.items), status)
	}
	return u.render(c, status, "check", "IT-Grundschutz-Check · "+scope.Name, d)
}

// bulkRefusalSummary says that nothing was saved because refused of the
// ticked entries could not change: changed by others meanwhile (status
// 412), or refused for their own reasons.
func bulkRefusalSummary(refused, ticked, status int) string {
	if status == http.StatusPreconditionFailed {
		return fmt.Sprintf("Nichts gespeichert: %s der %s ausgewählten Einträge wurden inzwischen von anderen geändert. "+
			"Die Liste zeigt jetzt den aktuellen Stand; prüfen Sie ihn und speichern Sie erneut.", num(refused), num(ticked))
	}
	return fmt.Sprintf("Nichts gespeichert: %s der %s ausgewählten Einträge lassen sich so nicht ändern. "+
		"Die Gründe stehen bei den Einträgen.", num(refused), num(ticked))
}
