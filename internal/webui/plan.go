package webui

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
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

// planPerPage is the page size of the measures.
const planPerPage = 100

// euroInput prints cents for the budget field: "1250,50".
func euroInput(c *int64) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf("%d,%02d", *c/100, *c%100)
}

// parseEuro reads a budget as typed: "1.250,50", "1250,5", "1250.50",
// "1.250" or "1250 €"; empty means none.
func parseEuro(s string) (*int64, bool) {
	s = strings.NewReplacer("€", "", " ", "", "\u00a0", "").Replace(strings.TrimSpace(s))
	if s == "" {
		return nil, true
	}
	if strings.Contains(s, ",") {
		s = strings.ReplaceAll(s, ".", "")
		s = strings.Replace(s, ",", ".", 1)
	} else if parts := strings.Split(s, "."); len(parts) > 2 || len(parts) == 2 && len(parts[1]) == 3 {
		s = strings.Join(parts, "") // dots between thousands
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" || len(whole) > 10 {
		return nil, false
	}
	frac = (frac + "00")[:2]
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return nil, false
	}
	return &n, true
}

// planInput is a measure's form as typed.
type planInput struct {
	Measure, Owner, DueDate, Budget, Priority, State string
}

func inputOfPlan(p domain.PlanItem) planInput {
	return planInput{Measure: p.Measure, Owner: p.Owner, DueDate: day{p.DueDate}.ISO(), Budget: euroInput(p.BudgetCents),
		Priority: strconv.Itoa(p.Priority), State: string(p.State)}
}

// planItemView is a measure as the plan shows it.
type planItemView struct {
	domain.PlanItem
	Due      day
	Closed   string
	Overdue  bool
	Budget   string
	CanWrite bool
	In       planInput
	Fields   map[string]string
	Messages []string
	Open     bool // the form is open (after a refusal)
}

// PriorityLabel names the priority.
func (v planItemView) PriorityLabel() string { return domain.PriorityLabel(v.Priority) }

// Field is the refusal of a field of the measure's form.
func (v planItemView) Field(name string) string { return v.Fields[name] }

type option struct {
	Value, Label string
	Selected     bool
}

// PriorityOptions are the priorities for the select.
func (v planItemView) PriorityOptions() []option {
	var out []option
	for p := 1; p <= 3; p++ {
		s := strconv.Itoa(p)
		out = append(out, option{Value: s, Label: domain.PriorityLabel(p), Selected: s == v.In.Priority})
	}
	return out
}

// StateOptions are the states a writer may choose. The plan follows the
// check: a measure is done when its entry needs none any more (the store
// closes and reopens it with the entry), and the store refuses "erledigt"
// by hand while the entry is partial or unfulfilled, so it is not offered.
func (v planItemView) StateOptions() []option {
	var out []option
	for _, s := range domain.PlanStates {
		if s == domain.PlanDone && v.AwaitsEntry() && v.State != domain.PlanDone {
			continue
		}
		out = append(out, option{Value: string(s), Label: s.Label(), Selected: string(s) == v.In.State})
	}
	return out
}

// AwaitsEntry tells that the measure is done only once its check entry
// is no longer partial or unfulfilled.
func (v planItemView) AwaitsEntry() bool { return v.EntryStatus.Unfulfilled() }

// StateFollowsCheck tells that the measure is done because its entry
// needs none: its state is not for the form to change.
func (v planItemView) StateFollowsCheck() bool {
	return v.State == domain.PlanDone && !v.EntryStatus.Unfulfilled()
}

func (u *UI) newPlanItemView(p domain.PlanItem, w writeScope, today time.Time) planItemView {
	v := planItemView{PlanItem: p, Due: day{p.DueDate}, Overdue: p.Overdue(today), CanWrite: w.can(p.DepartmentID), In: inputOfPlan(p),
		Fields: map[string]string{}}
	if p.ClosedAt != nil {
		v.Closed = german.Date(p.ClosedAt.In(u.Location))
	}
	if p.BudgetCents != nil {
		v.Budget = german.Euro(*p.BudgetCents)
	}
	return v
}

// planGroupView is a row of a summary table of the plan.
type planGroupView struct {
	Label         string
	Open, Overdue num
	Budget        string
	URL           string // the measures of this group
}

type planFilterForm struct {
	Owner, Department, Month, State string
	Overdue, Done                   bool
}

// planView is a way to group the summary.
type planView struct {
	Key, Label, URL string
	Active          bool
}

// Nav leads through the measures' pages.
func (d planPage) Nav() keysetNav {
	return keysetNav{Of: "Maßnahmen", Shown: "Auf dieser Seite", Count: len(d.Items), FirstURL: d.FirstURL, NextURL: d.NextURL}
}

type planPage struct {
	Scope       scopeView
	Tab         string
	Path        string
	Form        planFilterForm
	Filtered    bool
	Departments []deptOption
	States      []option
	View        planView
	Views       []planView
	Groups      []planGroupView
	GroupTotal  planGroupView
	Items       []planItemView
	NextURL     string
	FirstURL    string
	CanWrite    bool
	Back        string
	Errors      formErrors
}

func (p planPage) FormError() string { return p.Errors.Summary }

// planFilterFrom reads the plan parameters from query values as the API does.
func (u *UI) planFilterFrom(c *gin.Context, q url.Values) (domain.PlanFilter, error) {
	f, err := domain.ParsePlanFilter(q)
	if f.Limit == 0 {
		f.Limit = planPerPage
	}
	f.Today = u.today()
	return f, err
}

var planViews = []planView{{Key: "owner", Label: "nach Verantwortlichen"}, {Key: "department", Label: "nach Organisationseinheit"},
	{Key: "month", Label: "nach Fälligkeitsmonat"}}

// monthLabel prints "2026-12" as "Dezember 2026".
func monthLabel(key string) string {
	t, err := time.Parse("2006-01", key)
	if err != nil {
		return key
	}
	months := []string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}
	return months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

func (u *UI) planData(c *gin.Context, scope postgres.ScopeSummary, q url.Values) (planPage, error) {
	ctx, vis := c.Request.Context(), u.visibilityFor(c, authz.ActionRead)
	path := planURL(scope.ID)
	d := planPage{Scope: newScopeView(scope), Tab: "plan", Path: path}
	d.Form = planFilterForm{Owner: q.Get("owner"), Department: q.Get("department"), Month: q.Get("month"), State: q.Get("state"),
		Overdue: q.Get("overdue") == "true", Done: q.Get("done") == "true"}
	d.Filtered = d.Form != planFilterForm{}
	for _, s := range domain.PlanStates {
		d.States = append(d.States, option{Value: string(s), Label: s.Label(), Selected: string(s) == d.Form.State})
	}
	var err error
	if d.Departments, err = u.departmentOptions(c, vis); err != nil {
		return d, err
	}
	base := withoutCursor(q)
	d.Back = listURL(path, q)

	// The summary: open measures by owner, department or due month.
	by := q.Get("by")
	if by == "" {
		by = "owner"
	}
	for _, v := range planViews {
		vv := cloneValues(base)
		vv.Set("by", v.Key)
		if v.Key == "owner" {
			vv.Del("by")
		}
		v.URL, v.Active = listURL(path, vv)+"#summary-h", v.Key == by
		if v.Active {
			d.View = v
		}
		d.Views = append(d.Views, v)
	}
	if d.View.Key == "" {
		by, d.View = "owner", d.Views[0]
		d.Views[0].Active = true
	}
	groups, err := u.DB.PlanSummary(ctx, scope.ID, by, u.today(), vis)
	if err != nil {
		return d, err
	}
	var open, overdue int
	var budget int64
	for _, g := range groups {
		gv := planGroupView{Label: g.Label, Open: num(g.Open), Overdue: num(g.Overdue), Budget: german.Euro(g.BudgetCents)}
		link := url.Values{}
		if by != "owner" {
			link.Set("by", by)
		}
		switch {
		case by == "owner" && g.Key != "":
			link.Set("owner", g.Key)
		case by == "department" && g.Key != "":
			link.Set("department", g.Key)
		case by == "month" && g.Key != "":
			link.Set("month", g.Key)
			gv.Label = monthLabel(g.Key)
		}
		if g.Key != "" {
			gv.URL = listURL(path, link) + "#measures-h"
		}
		if gv.Label == "" {
			gv.Label = map[string]string{"owner": "ohne Verantwortliche", "department": "ohne Organisationseinheit", "month": "ohne Fälligkeit"}[by]
		}
		open, overdue, budget = open+g.Open, overdue+g.Overdue, budget+g.BudgetCents
		d.Groups = append(d.Groups, gv)
	}
	d.GroupTotal = planGroupView{Label: "Summe", Open: num(open), Overdue: num(overdue), Budget: german.Euro(budget)}

	f, err := u.planFilterFrom(c, q)
	if err != nil {
		d.Errors = newFormErrors(err)
		return d, err
	}
	items, next, err := u.DB.ListPlanItems(ctx, scope.ID, f, vis)
	if err != nil {
		return d, err
	}
	w, err := u.writeScopeOf(c)
	if err != nil {
		return d, err
	}
	for _, p := range items {
		v := u.newPlanItemView(p, w, f.Today)
		d.CanWrite = d.CanWrite || v.CanWrite
		d.Items = append(d.Items, v)
	}
	if next := nextPageURL(path, base, next); next != "" {
		d.NextURL = next + "#measures-h"
	}
	if f.After > 0 {
		d.FirstURL = listURL(path, base) + "#measures-h"
	}
	return d, nil
}

func (u *UI) planPage(c *gin.Context) error {
	return scopeListPage(u, c, "plan", "Realisierungsplan", u.planData)
}

// planChangeFrom reads a measure's form.
func planChangeFrom(c *gin.Context, cur domain.PlanItem) (domain.PlanChange, planInput, error) {
	in := inputOfPlan(cur)
	var ch domain.PlanChange
	var vs []domain.Violation
	if v, ok := c.GetPostForm("measure"); ok {
		in.Measure, ch.Measure = v, &v
	}
	if v, ok := c.GetPostForm("owner"); ok {
		in.Owner, ch.Owner = v, &v
	}
	if v, ok := c.GetPostForm("due_date"); ok {
		in.DueDate = v
		if t, ok := parseDay(v); ok {
			ch.DueDate = &t
		} else {
			vs = append(vs, domain.Violation{Pointer: "/due_date", Detail: "want a date", German: "Bitte ein Datum angeben, z. B. 31.12.2026."})
		}
	}
	if v, ok := c.GetPostForm("budget"); ok {
		in.Budget = v
		if cents, ok := parseEuro(v); ok {
			ch.BudgetCents = &cents
		} else {
			vs = append(vs, domain.Violation{Pointer: "/budget_eur", Detail: "want an amount in euro",
				German: "Bitte einen Betrag in Euro angeben, z. B. 1.250,50."})
		}
	}
	if v, ok := c.GetPostForm("priority"); ok {
		in.Priority = v
		p, err := strconv.Atoi(v)
		if err != nil {
			p = 0 // refused by the store in German
		}
		ch.Priority = &p
	}
	if v, ok := c.GetPostForm("state"); ok {
		in.State = v
		s := domain.PlanState(v)
		ch.State = &s
	}
	if len(vs) > 0 {
		return ch, in, domain.Invalid(vs...)
	}
	return ch, in, nil
}

// updatePlanItem saves a measure's form and goes back to the plan.
func (u *UI) updatePlanItem(c *gin.Context) error {
	cur, err := visibleOfPath(c, errPlanItemNotFound, u.DB.PlanItemByID, route.Visibility(c))
	if err != nil {
		return err
	}
	ctx, id := c.Request.Context(), cur.ID
	listPath := planURL(cur.ScopeID)
	back := safeBack(c.PostForm("back"), listPath, listPath)
	if i := strings.Index(back, "#"); i >= 0 {
		back = back[:i]
	}
	ch, in, err := planChangeFrom(c, cur)
	var p domain.PlanItem
	if err == nil {
		p, err = inTx(u, c, func(tx *postgres.Tx) (domain.PlanItem, error) {
			return tx.UpdatePlanItem(ctx, id, formVersion(c), ch, route.Visibility(c))
		})
	}
	if err == nil {
		return u.redirect(c, back+"#plan-"+strconv.FormatInt(id, 10),
			fmt.Sprintf("Die Maßnahme zu %s (%s) ist gespeichert.", p.RequirementID, p.ObjectShortID))
	}
	if !isInputError(err) {
		return err
	}
	scope, serr := u.DB.Scope(ctx, cur.ScopeID)
	if serr != nil {
		return serr
	}
	bu, _ := url.Parse(back)
	d, derr := u.planData(c, scope, bu.Query())
	if derr != nil && !isInputError(derr) {
		return derr
	}
	fe := newFormErrors(err)
	found := false
	for i := range d.Items {
		v := &d.Items[i]
		if v.ID != id {
			continue
		}
		found = true
		v.In, v.Open, v.Fields = in, true, map[string]string{}
		for _, k := range slices.Sorted(maps.Keys(fe.Fields)) { // the same order on every refusal
			v.Fields[strings.TrimSuffix(k, "_eur")] = fe.Fields[k]
			v.Messages = append(v.Messages, fe.Fields[k])
		}
		if len(v.Messages) == 0 {
			v.Messages = []string{fe.Summary}
		}
	}
	if !found {
		// Not in this view (filtered or on another page): show it alone.
		fresh, ferr := u.DB.PlanItemByID(ctx, id, u.visibilityFor(c, authz.ActionRead))
		if ferr != nil {
			return ferr
		}
		w, werr := u.writeScopeOf(c)
		if werr != nil {
			return werr
		}
		v := u.newPlanItemView(fresh, w, u.today())
		v.In, v.Open, v.Messages = in, true, []string{fe.Summary}
		d.Items = append([]planItemView{v}, d.Items...)
	}
	// The fields' refusals stand at the measure, not at the filter form's
	// fields of the same name (state).
	d.Errors = formErrors{Summary: fmt.Sprintf("Die Maßnahme zu %s (%s) wurde nicht gespeichert: %s", cur.RequirementID, cur.ObjectShortID, fe.Summary),
		Fields: map[string]string{}}
	return u.render(c, statusOf(err), "plan", "Realisierungsplan · "+scope.Name, d)
}

var errPlanItemNotFound = domain.Errorf(domain.ErrNotFound, "no such plan item").De("Diese Maßnahme gibt es nicht.")
