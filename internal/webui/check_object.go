package webui

import (
	"encoding/json"
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

// maxObjectEntries bounds the entries of one object's check page; the
// list of the scope's check pages through the rest.
const maxObjectEntries = 1000

// moduleSection is a module of an object with its entries.
type moduleSection struct {
	ID, Title string
	Entries   []entryView
	Progress  progress
	MatrixURL string
}

type objectCheckPage struct {
	Object    domain.Object
	Scope     scopeView
	Group     *domain.Object // the group of a member, when the reader may see it
	Modules   []moduleSection
	Retired   []entryView
	Progress  progress
	CanWrite  bool
	Truncated bool // more entries than the page shows
	Shown     num  // how many it shows then
	Errors    formErrors
	// Texts are the requirements' texts with the scope's parameter values
	// in place, by requirement id; only a Grundschutz++ scope shows them.
	Texts map[string]*paramText
}

func (p objectCheckPage) FormError() string { return p.Errors.Summary }

// moduleTitles maps a catalog's module IDs to their titles and order.
func (u *UI) moduleTitles(c *gin.Context, catalogID int64) (map[string]string, map[string]int, error) {
	ms, err := u.DB.CatalogModules(c.Request.Context(), catalogID, "")
	if err != nil {
		return nil, nil, err
	}
	titles, order := map[string]string{}, map[string]int{}
	for i, m := range ms {
		titles[m.ID], order[m.ID] = m.Title, i
	}
	return titles, order, nil
}

// objectCheckData loads an object's entries grouped by module.
func (u *UI) objectCheckData(c *gin.Context, o domain.Object) (objectCheckPage, error) {
	ctx, vis := c.Request.Context(), u.visibilityFor(c, authz.ActionRead)
	d := objectCheckPage{Object: o}
	scope, err := u.DB.Scope(ctx, o.ScopeID)
	if err != nil {
		return d, err
	}
	d.Scope = newScopeView(scope)
	if o.GroupID != nil {
		if g, err := u.DB.ObjectByID(ctx, *o.GroupID, vis); err == nil {
			d.Group = &g
		}
	}
	entries, next, err := u.DB.ListEntries(ctx, o.ScopeID, domain.EntryFilter{ObjectID: o.ID, IncludeRetired: true, Order: "object",
		Limit: maxObjectEntries}, vis)
	if err != nil {
		return d, err
	}
	d.Truncated, d.Shown = next != 0, num(len(entries))
	titles, order, err := u.moduleTitles(c, scope.CatalogID)
	if err != nil {
		return d, err
	}
	w, err := u.writeScopeOf(c)
	if err != nil {
		return d, err
	}
	d.CanWrite = w.can(o.DepartmentID)
	today := u.today()
	byModule := map[string]int{}
	all := map[domain.Status]int{}
	for _, e := range entries {
		v := u.newEntryView(e, w, today)
		v.Member = o.GroupID != nil
		if !e.Active {
			d.Retired = append(d.Retired, v)
			continue
		}
		all[e.Status]++
		i, ok := byModule[e.ModuleID]
		if !ok {
			title := titles[e.ModuleID]
			d.Modules = append(d.Modules, moduleSection{ID: e.ModuleID, Title: title, MatrixURL: moduleCheckURL(o.ScopeID, e.ModuleID)})
			i = len(d.Modules) - 1
			byModule[e.ModuleID] = i
		}
		d.Modules[i].Entries = append(d.Modules[i].Entries, v)
	}
	// Modules in catalog order (the entries come by requirement order).
	for i := 1; i < len(d.Modules); i++ {
		for j := i; j > 0 && order[d.Modules[j].ID] < order[d.Modules[j-1].ID]; j-- {
			d.Modules[j], d.Modules[j-1] = d.Modules[j-1], d.Modules[j]
		}
	}
	for i := range d.Modules {
		m := &d.Modules[i]
		counts := map[domain.Status]int{}
		for _, e := range m.Entries {
			counts[e.Status]++
		}
		m.Progress = newProgress(counts, nil, "")
	}
	if d.Truncated {
		// The figures are of all the object's entries, not just those shown.
		if all, err = u.DB.CountEntries(ctx, o.ScopeID, domain.EntryFilter{ObjectID: o.ID}, vis); err != nil {
			return d, err
		}
	}
	d.Progress = newProgress(all, nil, "")
	if scope.Method == domain.MethodPlusPlus {
		if d.Texts, err = u.requirementTexts(c, scope, entries); err != nil {
			return d, err
		}
	}
	if saved, err := strconv.ParseInt(c.Query("saved"), 10, 64); err == nil {
		for i := range d.Modules {
			for j := range d.Modules[i].Entries {
				if d.Modules[i].Entries[j].ID == saved {
					d.Modules[i].Entries[j].Saved = true
				}
			}
		}
	}
	return d, nil
}

func (u *UI) objectCheckPage(c *gin.Context) error {
	return showPage(u, c, "check_object", u.loadObject, u.objectCheckData, func(o domain.Object) string {
		return "IT-Grundschutz-Check · " + objectTitle(o)
	})
}

// updateEntry saves the form of one entry (inline on the object's page,
// or the full form of the entry's own page) and goes back to it.
func (u *UI) updateEntry(c *gin.Context) error {
	// An entry the writer may not change is not found, like a missing one.
	cur, err := visibleOfPath(c, errEntryNotFound, u.DB.EntryByID, route.Visibility(c))
	if err != nil {
		return err
	}
	id := cur.ID
	f, err := entryFormOf(c, cur)
	var refused []postgres.ItemError
	if err == nil {
		var done []domain.CheckEntry
		done, refused, err = u.runEntryUpdates(c, 0, []postgres.EntryUpdate{{ID: id, Version: formVersion(c), Change: f.change}})
		if err != nil {
			return err
		}
		if len(refused) == 0 {
			return u.redirect(c, f.savedURL(id), entrySavedMessage(cur, done[0], f.follow))
		}
	}
	r, err := entryRefusalOf(err, refused)
	if err != nil {
		return err
	}
	return u.showEntryRefusal(c, id, f, r)
}

// entryForm is the posted form of one entry: the change, the values as
// typed, and the page it is on.
type entryForm struct {
	change      domain.EntryChange
	in          entryInput
	follow      bool   // set back to following its group
	back        string // the page the form is on: the entry's own, or its object's check
	onEntryPage bool
}

// entryFormOf reads the form of the entry cur; a value it cannot read is
// refused (the form comes back with it).
func entryFormOf(c *gin.Context, cur domain.CheckEntry) (entryForm, error) {
	f := entryForm{back: safeBack(c.PostForm("back"), "/", objectCheckURL(cur.ObjectID)), in: inputOfEntry(cur),
		follow: c.PostForm("follow_group") == "true"}
	backPath, _, _ := strings.Cut(f.back, "?")
	backPath, _, _ = strings.Cut(backPath, "#")
	f.onEntryPage = backPath == entryURL(cur.ID)
	if !f.onEntryPage && backPath != objectCheckURL(cur.ObjectID) {
		f.back = objectCheckURL(cur.ObjectID)
	}
	if f.follow {
		f.change = domain.EntryChange{FollowGroup: true}
		return f, nil
	}
	var err error
	f.change, f.in, err = entryChangeFrom(c, cur)
	return f, err
}

// savedURL is where a saved form goes: back to its page, at the entry,
// which the object's check marks as just saved.
func (f entryForm) savedURL(id int64) string {
	to := f.back
	if strings.Contains(to, "#") {
		return to
	}
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	if !f.onEntryPage && !strings.Contains(to, "saved=") {
		to += sep + "saved=" + strconv.FormatInt(id, 10)
	}
	return to + entryAnchor(id)
}

// entrySavedMessage says what was saved on the entry, once cur, now e,
// and what became of its measure: the plan follows the check.
func entrySavedMessage(cur, e domain.CheckEntry, follow bool) string {
	msg := fmt.Sprintf("%s ist gespeichert: %s.", entryLabel(e), e.Status.Label())
	if follow {
		msg = fmt.Sprintf("%s folgt wieder der Gruppe und hat ihre Werte übernommen.", entryLabel(e))
	}
	switch {
	case e.Status.Unfulfilled():
		msg += " Die Maßnahme dazu steht im Realisierungsplan."
	case cur.Status.Unfulfilled():
		msg += " Die Maßnahme dazu im Realisierungsplan ist damit erledigt."
	}
	return msg
}

// entryFields are the fields of an entry's form in their order on the page.
var entryFields = []string{"status", "justification", "implementation", "responsible", "implemented_on", "target_date", "last_review", "next_review"}

// entryRefusal is why an entry's form was not saved.
type entryRefusal struct {
	status  int
	fields  map[string]string // the refusal of each field
	general []string          // a refusal of no field
}

// entryRefusalOf reads the refusal of a form: a value the page could not
// read or the store refused (err), or items the store refused. A missing
// entry is answered as such, any other error as it is.
func entryRefusalOf(err error, refused []postgres.ItemError) (entryRefusal, error) {
	r := entryRefusal{fields: map[string]string{}}
	if err != nil {
		if !isInputError(err) {
			return r, err
		}
		fe := newFormErrors(err)
		for k, v := range fe.Fields {
			r.fields[k] = v
		}
		if len(r.fields) == 0 {
			r.general = append(r.general, fe.Summary)
		}
		r.status = statusOf(err)
		return r, nil
	}
	r.status = itemsStatus(refused, true)
	if r.status == http.StatusNotFound {
		return r, errEntryNotFound
	}
	for _, ie := range refused {
		r.fields[ie.Field] = ie.German
	}
	return r, nil
}

// placed splits the refusal for a page: messages shows above the form
// what it has no field for (the object's check shows only the
// justification and the target date), all is every reason for the summary.
func (r entryRefusal) placed(onEntryPage bool) (messages, all []string) {
	atField := map[string]bool{"justification": true, "target_date": true}
	if onEntryPage {
		atField = map[string]bool{"justification": true, "implemented_on": true, "target_date": true, "last_review": true, "next_review": true}
	}
	messages = append(messages, r.general...)
	for _, f := range append([]string{"id", "version"}, entryFields...) {
		if m := r.fields[f]; m != "" {
			all = append(all, m)
			if !atField[f] {
				messages = append(messages, m)
			}
		}
	}
	if len(all) == 0 {
		all = messages
	}
	return messages, all
}

// focus is the first refused field of the form, else its status.
func (r entryRefusal) focus() string {
	for _, f := range entryFields {
		if r.fields[f] != "" {
			return f
		}
	}
	return "status"
}

// showEntryRefusal shows the form's page again: the entry as it is now,
// with the values as typed and the reasons at the entry.
func (u *UI) showEntryRefusal(c *gin.Context, id int64, f entryForm, r entryRefusal) error {
	fresh, err := u.DB.EntryByID(c.Request.Context(), id, u.visibilityFor(c, authz.ActionRead))
	if err != nil {
		return err
	}
	messages, all := r.placed(f.onEntryPage)
	if r.status == http.StatusPreconditionFailed {
		all = append(all, "Die aktuellen Werte stehen beim Eintrag.")
		messages = append(messages, fmt.Sprintf("Gespeichert ist jetzt: Status „%s“, zuletzt geändert von %s am %s. "+
			"Ihre Eingaben stehen noch im Formular; speichern Sie erneut, um den Stand zu ersetzen.",
			fresh.Status.Label(), orDash(fresh.UpdatedBy), german.DateTime(fresh.UpdatedAt.In(u.Location))))
	}
	errs := formErrors{Summary: fmt.Sprintf("%s wurde nicht gespeichert: %s", entryLabel(fresh), strings.Join(all, " ")), Fields: r.fields}
	mark := func(v *entryView) {
		v.In, v.Fields, v.Messages, v.Focus = f.in, r.fields, messages, r.focus()
		if f.follow {
			v.In = inputOfEntry(fresh)
		}
	}
	if f.onEntryPage {
		d, err := u.entryData(c, fresh)
		if err != nil {
			return err
		}
		mark(&d.Entry)
		d.Errors = errs
		return u.render(c, r.status, "check_entry", d.title(), d)
	}
	o, err := u.DB.ObjectByID(c.Request.Context(), fresh.ObjectID, u.visibilityFor(c, authz.ActionRead))
	if err != nil {
		return err
	}
	d, err := u.objectCheckData(c, o)
	if err != nil {
		return err
	}
	for i := range d.Modules {
		for j := range d.Modules[i].Entries {
			if d.Modules[i].Entries[j].ID == id {
				mark(&d.Modules[i].Entries[j])
			}
		}
	}
	d.Errors = errs
	return u.render(c, r.status, "check_object", "IT-Grundschutz-Check · "+objectTitle(o), d)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// historyRow is one change of an entry from the audit trail.
type historyRow struct {
	Seq     int64
	At      time.Time
	Actor   string
	Action  string
	Changes []fieldChange
}

// fieldChange is one field before and after.
type fieldChange struct {
	Label, Before, After string
	Long                 bool // a text: shown below each other
}

var historyFields = []struct{ key, label string }{
	{"status", "Umsetzungsstatus"}, {"justification", "Begründung"}, {"implementation", "Umsetzung"}, {"responsible", "Verantwortlich"},
	{"implemented_on", "Umgesetzt am"}, {"target_date", "Umsetzung bis"}, {"last_review", "Letzte Prüfung"}, {"next_review", "Nächste Prüfung"},
	{"follows_group", "Folgt der Gruppe"},
}

// historyValue prints a field of an audit record.
func historyValue(key string, v any) string {
	switch x := v.(type) {
	case nil:
		return "–"
	case bool:
		if x {
			return "ja"
		}
		return "nein"
	case string:
		switch {
		case x == "":
			return "–"
		case key == "status":
			return domain.Status(x).Label()
		case strings.HasSuffix(key, "_on") || strings.HasSuffix(key, "_date") || strings.HasSuffix(key, "_review"):
			if t, err := time.Parse(time.RFC3339, x); err == nil {
				return german.Date(t.UTC())
			}
			if t, err := time.Parse("2006-01-02", x); err == nil {
				return german.Date(t)
			}
		}
		return x
	}
	return fmt.Sprint(v)
}

// entryHistory turns audit records into readable changes.
func entryHistory(recs []domain.AuditRecord, loc *time.Location) []historyRow {
	out := make([]historyRow, 0, len(recs))
	for _, r := range recs {
		var before, after map[string]any
		json.Unmarshal(r.Before, &before)
		json.Unmarshal(r.After, &after)
		h := historyRow{Seq: r.Seq, At: r.At.In(loc), Actor: r.ActorName, Action: entryActionLabel(r.Action)}
		for _, f := range historyFields {
			b, a := historyValue(f.key, before[f.key]), historyValue(f.key, after[f.key])
			if before == nil {
				b = "–"
			}
			if after == nil {
				a = "–"
			}
			if b == a {
				continue
			}
			long := f.key == "justification" || f.key == "implementation"
			h.Changes = append(h.Changes, fieldChange{Label: f.label, Before: b, After: a, Long: long})
		}
		out = append(out, h)
	}
	return out
}

func entryActionLabel(a string) string {
	switch a {
	case "check.update":
		return "geändert"
	case "check.update_by_group":
		return "von der Gruppe übernommen"
	}
	return actionLabel(a)
}

type entryPageData struct {
	Entry       entryView
	Object      domain.Object
	Scope       scopeView
	Group       *domain.Object
	ModuleTitle string
	History     []historyRow
	Evidence    entryEvidence // what proves the entry (evidence.go)
	Exception   exceptionBox  // Grundschutz++: the entry's exception (exceptions.go)
	Errors      formErrors

	// Offers are the implementation texts of the components assigned to
	// the entry's object (components.go).
	Offers []postgres.ImplementationOffer
	// Requirement is the requirement's text with the scope's parameter
	// values in place; only a Grundschutz++ scope shows it.
	Requirement *paramText
	UnsetParams bool // the text has a parameter not yet set
}

func (p entryPageData) FormError() string { return p.Errors.Summary }

func (p entryPageData) title() string {
	return p.Entry.RequirementID + " · " + p.Entry.ObjectShortID + " · IT-Grundschutz-Check"
}

func (u *UI) entryData(c *gin.Context, e domain.CheckEntry) (entryPageData, error) {
	ctx, vis := c.Request.Context(), u.visibilityFor(c, authz.ActionRead)
	d := entryPageData{Errors: formErrors{Fields: map[string]string{}}}
	w, err := u.writeScopeOf(c)
	if err != nil {
		return d, err
	}
	d.Entry = u.newEntryView(e, w, u.today())
	if d.Object, err = u.DB.ObjectByID(ctx, e.ObjectID, vis); err != nil {
		return d, err
	}
	d.Entry.Member = d.Object.GroupID != nil
	if d.Object.GroupID != nil {
		if g, err := u.DB.ObjectByID(ctx, *d.Object.GroupID, vis); err == nil {
			d.Group = &g
		}
	}
	scope, err := u.DB.Scope(ctx, e.ScopeID)
	if err != nil {
		return d, err
	}
	d.Scope = newScopeView(scope)
	if m, err := u.DB.CatalogModule(ctx, e.CatalogID, e.ModuleID); err == nil {
		d.ModuleTitle = m.Title
	}
	if scope.Method == domain.MethodPlusPlus {
		if d.Requirement, d.UnsetParams, err = u.requirementText(c, scope.ID, e.CatalogID, e.RequirementID); err != nil {
			return d, err
		}
	}
	recs, _, err := u.DB.ListAudit(ctx, domain.AuditFilter{ResourceType: "check_entry", ResourceID: strconv.FormatInt(e.ID, 10), Limit: 500})
	if err != nil {
		return d, err
	}
	d.History = entryHistory(recs, u.Location)
	if d.Offers, err = u.DB.EntryOffers(ctx, e.ID); err != nil {
		return d, err
	}
	if d.Evidence, err = u.entryEvidenceOf(c, e); err != nil {
		return d, err
	}
	d.Exception, err = u.exceptionBoxOf(c, e)
	return d, err
}

func (u *UI) entryPage(c *gin.Context) error {
	e, err := visibleOfPath(c, errEntryNotFound, u.DB.EntryByID, u.visibilityFor(c, authz.ActionRead))
	if err != nil {
		return err
	}
	d, err := u.entryData(c, e)
	if err != nil {
		return err
	}
	useOffer(c, &d)
	return u.render(c, http.StatusOK, "check_entry", d.title(), d)
}

// matrixRow is an object with the status of each requirement of the module.
type matrixRow struct {
	ObjectID      int64
	ShortID, Name string
	Department    string
	Cells         []matrixCell
	Progress      progress
}

type matrixCell struct {
	Entry *domain.CheckEntry // nil: not in the object's check
	Short string
	Title string
}

// reqColumn is a requirement as a column of the matrix: "A1" for SYS.1.1.A1.
type reqColumn struct {
	domain.Requirement
	Short string
}

// Nav leads through the pages of the module's objects.
func (d moduleCheckPage) Nav() keysetNav {
	return keysetNav{Of: "Zielobjekte", Shown: "Zielobjekte auf dieser Seite", Count: len(d.Rows), FirstURL: d.FirstURL, NextURL: d.NextURL}
}

type moduleCheckPage struct {
	Scope        scopeView
	Tab          string
	Module       postgres.ModuleSummary
	Requirements []reqColumn
	Rows         []matrixRow
	Progress     progress
	NextURL      string
	FirstURL     string
	ListURL      string
}

// statusShort is the short status in the matrix cells.
func statusShort(s domain.Status) string {
	switch s {
	case domain.StatusOpen:
		return "unbearb."
	case domain.StatusPartial:
		return "teilw."
	case domain.StatusNotApplicable:
		return "entb."
	}
	return s.Label()
}

// moduleCheckPage shows one module across all objects of the scope:
// objects × requirements with each entry's status.
func (u *UI) moduleCheckPage(c *gin.Context) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	ctx, vis := c.Request.Context(), u.visibilityFor(c, authz.ActionRead)
	module, err := u.DB.CatalogModule(ctx, scope.CatalogID, c.Param("module"))
	if err != nil {
		return err
	}
	reqs, err := u.DB.ModuleRequirements(ctx, scope.CatalogID, module.ID)
	if err != nil {
		return err
	}
	cursor := c.Query("cursor")
	entries, next, err := u.DB.ModuleEntries(ctx, scope.ID, module.ID, cursor, 50, vis)
	if err != nil {
		return err
	}
	counts, err := u.DB.CountEntries(ctx, scope.ID, domain.EntryFilter{ModuleID: module.ID}, vis)
	if err != nil {
		return err
	}
	path := moduleCheckURL(scope.ID, module.ID)
	list := checkURL(scope.ID) + "?module=" + url.QueryEscape(module.ID)
	d := moduleCheckPage{Scope: newScopeView(scope), Tab: "check", Module: module, ListURL: list,
		Progress: newProgress(counts, func(s domain.Status) string { return list + "&status=" + string(s) }, "")}
	// The columns: the module's requirements that some object on the page has.
	used := map[string]bool{}
	for _, e := range entries {
		used[e.RequirementID] = true
	}
	for _, r := range reqs {
		if used[r.ID] {
			d.Requirements = append(d.Requirements, reqColumn{Requirement: r, Short: strings.TrimPrefix(r.ID, module.ID+".")})
		}
	}
	col := map[string]int{}
	for i, r := range d.Requirements {
		col[r.ID] = i
	}
	for i := range entries {
		e := &entries[i]
		if len(d.Rows) == 0 || d.Rows[len(d.Rows)-1].ObjectID != e.ObjectID {
			d.Rows = append(d.Rows, matrixRow{ObjectID: e.ObjectID, ShortID: e.ObjectShortID, Name: e.ObjectName, Department: e.DepartmentName,
				Cells: make([]matrixCell, len(d.Requirements))})
		}
		row := &d.Rows[len(d.Rows)-1]
		row.Cells[col[e.RequirementID]] = matrixCell{Entry: e, Short: statusShort(e.Status), Title: e.RequirementID + " " + e.Title + ": " + e.Status.Label()}
	}
	for i := range d.Rows {
		counts := map[domain.Status]int{}
		for _, cell := range d.Rows[i].Cells {
			if cell.Entry != nil {
				counts[cell.Entry.Status]++
			}
		}
		d.Rows[i].Progress = newProgress(counts, nil, "")
	}
	if next != "" {
		d.NextURL = path + "?cursor=" + url.QueryEscape(next)
	}
	if cursor != "" {
		d.FirstURL = path
	}
	return u.render(c, http.StatusOK, "check_module", module.ID+" "+module.Title+" · IT-Grundschutz-Check", d)
}
