package webui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// perPage is the page size of the object lists.
const perPage = 50

// sortHead is a sortable column header: the link that sorts by it (or
// reverses the order) and the current state for aria-sort.
type sortHead struct {
	Label string
	URL   string
	State string // ascending, descending or none
}

// pager leads through a long list page by page.
type pager struct {
	Page, Pages             int
	NPage, NPages           num
	From, To, Total         num
	First, Prev, Next, Last string
	Past                    bool // the page asked for is behind the end
}

// filterForm holds the filter fields as typed.
type filterForm struct {
	Q, Type, Department, Tag, Need, Sort string
	Gaps                                 bool
}

// moduleGroup is a layer of the catalog with its modules, for selects.
type moduleGroup struct {
	Key, Title string
	Modules    []postgres.ModuleSummary
}

// objectsPage is the A.1 list and the A.2 view of a scope.
type objectsPage struct {
	Scope       scopeView
	Tab         string // objects (A.1) or needs (A.2)
	Path        string // the view's own path, for the filter form
	Objects     []domain.Object
	Needs       [][3]needExplain // per object, for the A.2 view
	Pager       pager
	Sort        map[string]sortHead
	Form        filterForm
	SortOptions []sortOption
	Filtered    bool
	Types       []domain.ObjectType
	Departments []deptOption
	NeedLevels  []domain.Need
	CanWrite    bool

	// Bulk assignment (writers).
	Layers      []moduleGroup
	Selected    map[int64]bool
	Chosen      map[string]bool
	ModulesText string
	Back        string

	Errors formErrors
}

func (p objectsPage) FormError() string { return p.Errors.Summary }

// Checked tells whether an object's box is ticked (after a refusal).
func (p objectsPage) Checked(id int64) bool { return p.Selected[id] }

// ModuleChosen tells whether a module is selected (after a refusal).
func (p objectsPage) ModuleChosen(id string) bool { return p.Chosen[id] }

// filterFrom reads the list parameters from query values the way the API
// does (the same names and German refusals), plus the page number.
func filterFrom(c *gin.Context, q url.Values) (domain.ObjectFilter, int, error) {
	f, err := domain.ParseObjectFilter(q)
	page := 1
	if v := q.Get("page"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > 1_000_000 {
			v := domain.Violation{Pointer: "/page", Detail: "not a page of this list", German: "Ungültige Seitenangabe."}
			if err == nil {
				err = domain.Invalid(v)
			}
		} else {
			page = n
		}
	}
	if f.Limit == 0 {
		f.Limit = perPage
	}
	f.Offset = (page - 1) * f.Limit
	return f, page, err
}

// listURL is path with the query, leaving out empty values.
func listURL(path string, q url.Values) string {
	clean := url.Values{}
	for k, vs := range q {
		for _, v := range vs {
			if v != "" {
				clean.Add(k, v)
			}
		}
	}
	if len(clean) == 0 {
		return path
	}
	return path + "?" + clean.Encode()
}

var sortKeys = []string{"short_id", "name", "type", "department", "need", "updated"}

// sortOption is an entry of the sort select of the filter form.
type sortOption struct {
	Value, Label string
	Selected     bool
}

var sortOptions = []sortOption{{Value: "", Label: "Name"}, {Value: "short_id", Label: "Kürzel"}, {Value: "type", Label: "Typ"},
	{Value: "department", Label: "Organisationseinheit"}, {Value: "-need", Label: "höchster Schutzbedarf zuerst"},
	{Value: "-updated", Label: "zuletzt geändert zuerst"}}

var sortLabels = map[string]string{"short_id": "Kürzel", "name": "Name", "type": "Typ", "department": "Organisationseinheit",
	"need": "Schutzbedarf", "updated": "Geändert"}

// objectListData loads one page of a scope's objects for the list (path
// is the view's own path) with the values q of the query.
func (u *UI) objectListData(c *gin.Context, scope postgres.ScopeSummary, path string, q url.Values) (objectsPage, error) {
	ctx := c.Request.Context()
	vis := u.visibilityFor(c, authz.ActionRead)
	d := objectsPage{Scope: newScopeView(scope), Path: path, Types: objectTypes(),
		NeedLevels: []domain.Need{domain.NeedNormal, domain.NeedHigh, domain.NeedVeryHigh},
		CanWrite:   u.allowed(c, authz.ResourceObjects, authz.ActionWrite), Sort: map[string]sortHead{}}
	d.Form = filterForm{Q: q.Get("q"), Type: q.Get("type"), Department: q.Get("department"), Tag: q.Get("tag"),
		Need: q.Get("need"), Sort: q.Get("sort"), Gaps: q.Get("gaps") == "true"}
	d.Filtered = d.Form.Q != "" || d.Form.Type != "" || d.Form.Department != "" || d.Form.Tag != "" || d.Form.Need != "" || d.Form.Gaps
	depts, err := u.departmentOptions(c, vis)
	if err != nil {
		return d, err
	}
	d.Departments = depts

	// base is the first page of the same list, for the sort and page links.
	base := withoutCursor(q)
	base.Del("page")
	cur, desc := strings.TrimPrefix(d.Form.Sort, "-"), strings.HasPrefix(d.Form.Sort, "-")
	if cur == "" {
		cur = "name"
	}
	for _, k := range sortKeys {
		v := cloneValues(base)
		h := sortHead{Label: sortLabels[k], State: "none"}
		switch {
		case k == cur && !desc:
			h.State = "ascending"
			v.Set("sort", "-"+k)
		case k == cur:
			h.State = "descending"
			v.Set("sort", k)
		default:
			v.Set("sort", k)
		}
		if v.Get("sort") == "name" {
			v.Del("sort")
		}
		h.URL = listURL(path, v)
		d.Sort[k] = h
	}
	d.Sort["object"] = sortHead{Label: "Zielobjekt", URL: d.Sort["name"].URL, State: d.Sort["name"].State}
	current := strings.TrimSpace(d.Form.Sort)
	if current == "name" {
		current = ""
	}
	found := false
	for _, o := range sortOptions {
		o.Selected = o.Value == current
		found = found || o.Selected
		d.SortOptions = append(d.SortOptions, o)
	}
	if !found {
		label := "aktuelle Sortierung"
		if l, ok := sortLabels[cur]; ok {
			label = l
			if desc {
				label += " (absteigend)"
			}
		}
		d.SortOptions = append(d.SortOptions, sortOption{Value: current, Label: label, Selected: true})
	}
	d.Back = listURL(path, q)

	f, page, ferr := filterFrom(c, q)
	if ferr != nil {
		d.Errors = newFormErrors(ferr)
		d.Pager = pager{Page: 1, Pages: 1, NPage: 1, NPages: 1}
		return d, ferr
	}
	objs, total, err := u.DB.ListObjects(ctx, scope.ID, f, vis)
	if err != nil {
		return d, err
	}
	d.Objects = objs
	pages := max(1, (total+f.Limit-1)/f.Limit)
	at := func(p int) string {
		v := cloneValues(base)
		if p > 1 {
			v.Set("page", strconv.Itoa(p))
		}
		return listURL(path, v)
	}
	d.Pager = pager{Page: page, Pages: pages, NPage: num(page), NPages: num(pages), Total: num(total),
		Past: page > pages}
	if len(objs) > 0 {
		d.Pager.From, d.Pager.To = num(f.Offset+1), num(f.Offset+len(objs))
	}
	if page > 1 {
		d.Pager.First, d.Pager.Prev = at(1), at(min(page-1, pages))
	}
	if page < pages {
		d.Pager.Next, d.Pager.Last = at(page+1), at(pages)
	}
	for _, o := range objs {
		var row [3]needExplain
		for _, obj := range domain.Objectives {
			row[obj] = explainNeed(o.Needs[obj], o.ID)
		}
		d.Needs = append(d.Needs, row)
	}
	return d, nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// catalogLayers lists a catalog's modules by layer, for selects.
func (u *UI) catalogLayers(c *gin.Context, catalogID int64, skip map[string]bool) ([]moduleGroup, error) {
	ctx := c.Request.Context()
	groups, err := u.DB.CatalogGroups(ctx, catalogID)
	if err != nil {
		return nil, err
	}
	modules, err := u.DB.CatalogModules(ctx, catalogID, "")
	if err != nil {
		return nil, err
	}
	byGroup := map[string][]postgres.ModuleSummary{}
	for _, m := range modules {
		if !skip[m.ID] {
			byGroup[m.GroupKey] = append(byGroup[m.GroupKey], m)
		}
	}
	var out []moduleGroup
	for _, g := range groups {
		if ms := byGroup[g.Key]; len(ms) > 0 {
			out = append(out, moduleGroup{Key: g.Key, Title: g.Title, Modules: ms})
		}
	}
	if ms := byGroup[""]; len(ms) > 0 {
		out = append(out, moduleGroup{Title: "Ohne Schicht", Modules: ms})
	}
	return out, nil
}

// listPage renders the list (A.1) or the protection-need view (A.2).
func (u *UI) listPage(c *gin.Context, view string) error {
	load := u.scopeOfPath
	if view == "needs" {
		load = u.loadScope // the A.2 view reports the cycles of the scope
	}
	scope, err := load(c)
	if err != nil {
		return err
	}
	path, title := scopeURL(scope.ID)+"/objects", "Strukturanalyse · "+scope.Name
	if view == "needs" {
		path, title = scopeURL(scope.ID)+"/needs", "Schutzbedarfsfeststellung · "+scope.Name
	}
	d, err := u.objectListData(c, scope, path, c.Request.URL.Query())
	d.Tab = view
	status := http.StatusOK
	if err != nil {
		if !isInputError(err) {
			return err
		}
		status = statusOf(err)
	}
	if view == "objects" && d.CanWrite {
		if d.Layers, err = u.catalogLayers(c, scope.CatalogID, nil); err != nil {
			return err
		}
	}
	return u.render(c, status, view, title, d)
}

func (u *UI) objectsPage(c *gin.Context) error { return u.listPage(c, "objects") }
func (u *UI) needsPage(c *gin.Context) error   { return u.listPage(c, "needs") }

// moduleIDs reads the modules of an assignment form: ticked or selected
// ones (field "module") and those typed as a list (field "modules_text");
// ModuleAssignment.Validate tidies them.
func moduleIDs(c *gin.Context) ([]string, string) {
	text := c.PostForm("modules_text")
	typed := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	return append(c.PostFormArray("module"), typed...), text
}

// assignBulk assigns modules to the objects ticked in the list, in one
// transaction.
func (u *UI) assignBulk(c *gin.Context) error {
	scope, err := u.loadScope(c)
	if err != nil {
		return err
	}
	ctx, vis := c.Request.Context(), route.Visibility(c)
	listPath := scopeURL(scope.ID) + "/objects"
	back := safeBack(c.PostForm("back"), listPath, listPath)
	modules, text := moduleIDs(c)
	a := domain.ModuleAssignment{Modules: modules}
	selected := map[int64]bool{}
	for _, v := range c.PostFormArray("object") {
		oid := formID(v) // what does not parse is refused as an unknown object
		if !selected[oid] {
			selected[oid] = true
			a.Objects = append(a.Objects, oid)
		}
	}
	var added int
	if vs := a.Validate(); len(vs) > 0 {
		err = domain.Invalid(vs...)
	} else {
		added, err = inTx(u, c, func(tx *postgres.Tx) (int, error) {
			return tx.AssignModules(ctx, scope.ID, a.Objects, a.Modules, vis)
		})
	}
	if err != nil {
		if !isInputError(err) {
			return err
		}
		bu, _ := url.Parse(back)
		d, derr := u.objectListData(c, scope, listPath, bu.Query())
		if derr != nil && !isInputError(derr) {
			return derr
		}
		if d.Layers, derr = u.catalogLayers(c, scope.CatalogID, nil); derr != nil {
			return derr
		}
		d.Errors, d.Selected, d.ModulesText, d.Tab = newFormErrors(err), selected, text, "objects"
		d.Chosen = map[string]bool{}
		for _, m := range c.PostFormArray("module") {
			d.Chosen[m] = true
		}
		return u.render(c, statusOf(err), "objects", "Strukturanalyse · "+scope.Name, d)
	}
	msg := fmt.Sprintf("%d neue Zuordnung(en) von %d Baustein(en) zu %d Zielobjekt(en).", added, len(a.Modules), len(a.Objects))
	if added == 0 {
		msg = "Diese Bausteine waren den gewählten Zielobjekten schon zugeordnet; nichts geändert."
	}
	return u.redirect(c, back, msg)
}

// modellingLayer is a layer of the A.3 view with its assigned modules.
type modellingLayer struct {
	Key, Title string
	Rows       []modellingRow
}

type modellingRow struct {
	postgres.ModellingRow
	First []postgres.ObjectRef // shown at once
	More  []postgres.ObjectRef // behind "weitere"
	N     num
}

type modellingPage struct {
	Scope     scopeView
	Tab       string
	Layers    []modellingLayer
	Assigned  num // modules assigned at least once
	Catalog   num // modules in the catalog
	Gaps      []domain.Object
	GapsTotal num
	GapsURL   string
	Flagged   []domain.Object
	CanWrite  bool
}

// modellingPage is the A.3 view: every assigned module with its objects,
// by layer, then the modelling gaps and the objects without a suitable
// module.
func (u *UI) modellingPage(c *gin.Context) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	ctx, vis := c.Request.Context(), u.visibilityFor(c, authz.ActionRead)
	rows, err := u.DB.Modelling(ctx, scope.ID, vis)
	if err != nil {
		return err
	}
	groups, err := u.DB.CatalogGroups(ctx, scope.CatalogID)
	if err != nil {
		return err
	}
	cat, err := u.DB.CatalogByID(ctx, scope.CatalogID)
	if err != nil {
		return err
	}
	d := modellingPage{Scope: newScopeView(scope), Tab: "modelling", Assigned: num(len(rows)), Catalog: num(cat.Modules),
		CanWrite: u.allowed(c, authz.ResourceObjects, authz.ActionWrite), GapsURL: scopeURL(scope.ID) + "/objects?gaps=true"}
	titles := map[string]string{}
	for _, g := range groups {
		titles[g.Key] = g.Title
	}
	const shown = 12
	for _, r := range rows {
		if len(d.Layers) == 0 || d.Layers[len(d.Layers)-1].Key != r.GroupKey {
			t := titles[r.GroupKey]
			if t == "" {
				t = "Ohne Schicht"
			}
			d.Layers = append(d.Layers, modellingLayer{Key: r.GroupKey, Title: t})
		}
		mr := modellingRow{ModellingRow: r, N: num(len(r.Objects)), First: r.Objects}
		if len(r.Objects) > shown+3 {
			mr.First, mr.More = r.Objects[:shown], r.Objects[shown:]
		}
		l := &d.Layers[len(d.Layers)-1]
		l.Rows = append(l.Rows, mr)
	}
	gaps, total, err := u.DB.ListObjects(ctx, scope.ID, domain.ObjectFilter{GapsOnly: true, Sort: "short_id", Limit: perPage}, vis)
	if err != nil {
		return err
	}
	d.Gaps, d.GapsTotal = gaps, num(total)
	if d.Flagged, _, err = u.DB.ListObjects(ctx, scope.ID, domain.ObjectFilter{NoModuleOnly: true, Sort: "short_id", Limit: 500}, vis); err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "modelling", "Modellierung · "+scope.Name, d)
}
