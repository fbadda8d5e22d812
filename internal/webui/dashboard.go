package webui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/chart"
	"ismsd/internal/domain"
	"ismsd/internal/german"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// The dashboards (Lagebild) of a scope, linked from the scope's overview
// and the start page rather than given a tab of their own:
//
//   - for management (and administrators): the verdict, the ten gates,
//     the trend of the blocking items with the forecast, and which
//     departments have the most to do;
//   - for department heads: their subtree's objects, check progress by
//     level and layer, overdue measures, expiring evidence, open findings,
//     and their own trend. Management and administrators may open any
//     department's.
//
// The ISB's work queue is part of the start page (workspace.go). The
// figures over the whole scope come from figuresCache; the trend from the
// daily snapshots.

func (u *UI) dashboardRoutes() []route.Route {
	return []route.Route{
		{Method: http.MethodGet, Path: "/scopes/:id/dashboard", Perm: authz.Require(authz.ResourceManagementDashboard, authz.ActionRead),
			Handler: u.managementDashboard},
		{Method: http.MethodGet, Path: "/scopes/:id/dashboard/department", Perm: authz.Require(authz.ResourceDashboards, authz.ActionRead),
			Handler: u.departmentDashboard},
	}
}

func dashboardURL(scopeID int64) string { return scopeURL(scopeID) + "/dashboard" }

// departmentDashboardURL is a department's dashboard; 0 for the reader's
// own reach.
func departmentDashboardURL(scopeID, department int64) string {
	u := dashboardURL(scopeID) + "/department"
	if department != 0 {
		u += "?department=" + strconv.FormatInt(department, 10)
	}
	return u
}

// trendDays is how far back the trend chart reaches.
const trendDays = 90

// dashboardRows bounds the lists of the department dashboard; the lists
// behind the links hold the rest.
const dashboardRows = 10

// ---------------------------------------------------------------------
// Figures, cached.

// visKey names what a reader sees, for the cache.
func visKey(v postgres.Visibility) string {
	if v.All {
		return "all"
	}
	ids := slices.Clone(v.Departments)
	slices.Sort(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return "d" + strings.Join(parts, ",")
}

func figureKey(kind string, scopeID int64, vis postgres.Visibility, today time.Time) string {
	return fmt.Sprintf("%s|%d|%s|%s", kind, scopeID, visKey(vis), today.Format(time.DateOnly))
}

// readinessOf is the scope's readiness as the reader sees it, cached.
func (u *UI) readinessOf(ctx context.Context, scopeID int64, vis postgres.Visibility, today time.Time) (domain.Readiness, time.Time, error) {
	return cached(ctx, u.figures, figureKey("readiness", scopeID, vis, today), func(ctx context.Context) (domain.Readiness, error) {
		return u.DB.Readiness(ctx, scopeID, vis, today)
	})
}

// todaysFigures are the scope's figures per department, cached: the same
// for every reader, each sees the rows of their reach.
func (u *UI) todaysFigures(ctx context.Context, scopeID int64, today time.Time) (postgres.Figures, time.Time, error) {
	return cached(ctx, u.figures, figureKey("figures", scopeID, postgres.Everything, today), func(ctx context.Context) (postgres.Figures, error) {
		return u.DB.TodaysFigures(ctx, scopeID, today)
	})
}

// progressOf is the check progress by level or layer as the reader sees
// it, cached.
func (u *UI) progressOf(ctx context.Context, scopeID int64, vis postgres.Visibility, by postgres.ProgressBy, today time.Time) ([]domain.Progress, time.Time, error) {
	return cached(ctx, u.figures, figureKey("progress-"+string(by), scopeID, vis, today), func(ctx context.Context) ([]domain.Progress, error) {
		return u.DB.CheckProgress(ctx, scopeID, vis, by)
	})
}

// together runs the functions at once (the cold figures of a dashboard
// are independent queries) and returns their errors joined.
func together(fs ...func() error) error {
	errs := make([]error, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs {
		wg.Go(func() { errs[i] = f() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// asOf says when the oldest of the figures on a page was computed.
func (u *UI) asOf(times ...time.Time) string {
	oldest := time.Time{}
	for _, t := range times {
		if !t.IsZero() && (oldest.IsZero() || t.Before(oldest)) {
			oldest = t
		}
	}
	if oldest.IsZero() {
		oldest = time.Now()
	}
	return german.DateTimeUhr(oldest.In(u.Location))
}

// ---------------------------------------------------------------------
// Views shared by both dashboards.

// trendView is the trend of the blocking items and of the done share
// with the forecast, and a table of the weekly values beside the charts.
type trendView struct {
	Blockers template.HTML
	Done     template.HTML
	Rows     []trendRow
	Forecast domain.Forecast
	Sentence string
	Days     int
}

type trendRow struct {
	Day      string
	Blockers num
	Done     string
}

// trendRows is how many weekly values the table beside the charts shows.
const trendRows = 8

func newTrendView(id string, hist []domain.Snapshot) trendView {
	v := trendView{Forecast: domain.ForecastBlockers(hist), Days: trendDays}
	v.Sentence = v.Forecast.Sentence()
	measured := chart.Series{Label: "Blockierende Punkte", Class: "line-blockers"}
	done := chart.Series{Label: "Anteil erledigter Einträge", Class: "line-done"}
	for _, s := range hist {
		measured.Points = append(measured.Points, chart.Point{Day: s.Day, Value: float64(s.Blockers())})
		done.Points = append(done.Points, chart.Point{Day: s.Day, Value: s.DonePercent()})
	}
	series := []chart.Series{measured}
	if f := v.Forecast; f.Outcome == domain.ForecastDate {
		series = append(series, chart.Series{Label: "Prognose", Class: "line-forecast", Dashed: true,
			Points: []chart.Point{{Day: f.To, Value: float64(f.Blockers)}, forecastEnd(f, hist[0].Day)}})
	}
	v.Blockers = chart.Trend{ID: id + "-blockers", Title: "Blockierende Punkte je Tag mit Prognose", Unit: "blockierende Punkte",
		Series: series}.SVG()
	v.Done = chart.Trend{ID: id + "-done", Title: "Anteil erledigter Einträge des IT-Grundschutz-Checks je Tag", Percent: true,
		Series: []chart.Series{done}}.SVG()
	// The table: the latest day and one a week before it, oldest first.
	var picked []domain.Snapshot
	for i := len(hist) - 1; i >= 0 && len(picked) < trendRows; i-- {
		if len(picked) == 0 || !hist[i].Day.After(picked[len(picked)-1].Day.AddDate(0, 0, -7)) {
			picked = append(picked, hist[i])
		}
	}
	for i := len(picked) - 1; i >= 0; i-- {
		s := picked[i]
		v.Rows = append(v.Rows, trendRow{Day: german.Date(s.Day), Blockers: num(s.Blockers()),
			Done: german.Percent(s.DonePercent())})
	}
	return v
}

// forecastEnd is where the dashed forecast line ends: at zero on the
// forecast day, or, when that lies further ahead than the history reaches
// back, on the line at that horizon, so that a forecast years ahead does
// not squeeze the measured weeks into the chart's left edge. The sentence
// above the chart names the day either way.
func forecastEnd(f domain.Forecast, first time.Time) chart.Point {
	horizon := f.To.Add(max(f.To.Sub(first), 30*24*time.Hour))
	if !f.Day.After(horizon) {
		return chart.Point{Day: f.Day, Value: 0}
	}
	left := float64(f.Blockers) * (1 - horizon.Sub(f.To).Hours()/f.Day.Sub(f.To).Hours())
	return chart.Point{Day: horizon, Value: left}
}

// statusSegments split a progress into the check's statuses, done first.
func statusSegments(p domain.Progress) []chart.Segment {
	return []chart.Segment{
		{Label: domain.StatusYes.Label(), Class: "bar-yes", Value: p.Yes},
		{Label: domain.StatusNotApplicable.Label(), Class: "bar-not_applicable", Value: p.NotApplicable},
		{Label: domain.StatusPartial.Label(), Class: "bar-partial", Value: p.Partial},
		{Label: domain.StatusNo.Label(), Class: "bar-no", Value: p.No},
		{Label: domain.StatusOpen.Label(), Class: "bar-open", Value: p.Open},
	}
}

// stackedView is a stacked bar chart with the table of its figures.
type stackedView struct {
	ID, Title, Column string
	Chart             template.HTML
	Rows              []progressRow
}

func newStackedView(id, title, column string, ps []domain.Progress, link func(domain.Progress) string) stackedView {
	v := stackedView{ID: id, Title: title, Column: column}
	var bars []chart.Bar
	for _, p := range ps {
		bars = append(bars, chart.Bar{Label: p.Label, Segments: statusSegments(p)})
		href := ""
		if link != nil {
			href = link(p)
		}
		v.Rows = append(v.Rows, newProgressRow(p, href))
	}
	v.Chart = chart.Stacked{ID: id + "-chart", Title: title, Bars: bars}.SVG()
	return v
}

// levelBar is the progress of a level as a bar.
type levelBar struct {
	Level       domain.Level
	Label       string
	Done, Total num
	Percent     int
	Chart       template.HTML
}

func newLevelBars(id string, s domain.Snapshot) []levelBar {
	var out []levelBar
	for _, l := range s.Levels {
		if l.Total == 0 {
			continue
		}
		name := domain.LevelName(l.Level)
		out = append(out, levelBar{Level: l.Level, Label: name, Done: num(l.Done), Total: num(l.Total), Percent: l.Done * 100 / l.Total,
			Chart: chart.Progress(id+"-"+string(l.Level), "Erledigte Einträge der Stufe "+name, l.Done, l.Total)})
	}
	return out
}

// ---------------------------------------------------------------------
// Management.

type managementData struct {
	Scope        postgres.ScopeSummary
	Tab          string
	AsOf         string
	Readiness    domain.Readiness
	Verdict      string
	Gates        []gateView
	Failing      int
	Blockers     num
	Overdue      num
	Findings     num
	Coverage     int
	Target       int
	CoverageBar  template.HTML
	Levels       []levelBar
	Trend        trendView
	Departments  []departmentRow
	DeptChart    template.HTML
	ReadinessURL string
}

// departmentRow is a department's blocking items on the dashboards.
type departmentRow struct {
	Name, URL string
	Objects   num
	Own       num
	Gates     []num // G2 … G9, the gates departments differ in
	Done      int   // percent of the entries done
}

// departmentGates are the gates whose items belong to departments.
var departmentGates = domain.Gates[1:9]

func newDepartmentRows(scopeID int64, ds []postgres.DepartmentFigures) ([]departmentRow, template.HTML) {
	slices.SortStableFunc(ds, func(a, b postgres.DepartmentFigures) int { return b.Own - a.Own })
	var rows []departmentRow
	var bars []chart.Bar
	for _, d := range ds {
		total, done := d.Entries()
		r := departmentRow{Name: d.Name, URL: departmentDashboardURL(scopeID, d.ID), Objects: num(d.Objects), Own: num(d.Own)}
		if total > 0 {
			r.Done = done * 100 / total
		}
		for i := range departmentGates {
			r.Gates = append(r.Gates, num(d.Blocking[i+1]))
		}
		rows = append(rows, r)
		bars = append(bars, chart.Bar{Label: d.Name, Segments: []chart.Segment{{Label: "blockierende Punkte", Class: "bar-no", Value: d.Own}}})
	}
	return rows, chart.Stacked{ID: "departments-chart", Title: "Blockierende Punkte je Organisationseinheit", Bars: bars, Absolute: true}.SVG()
}

func (u *UI) managementDashboard(c *gin.Context) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	today := u.today()
	body, _, err := cached(c.Request.Context(), u.figures, figureKey("management-dashboard", scope.ID, postgres.Everything, today),
		func(ctx context.Context) (template.HTML, error) {
			d, err := u.managementData(ctx, scope, today)
			if err != nil {
				return "", err
			}
			return u.renderPart("dashboard", "managementDashboard", d)
		})
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "dashboard", "Lagebild · "+scope.Name, dashboardPage{Body: body})
}

// dashboardPage is a dashboard's content, rendered once for all who see
// the same (see renderPart).
type dashboardPage struct{ Body template.HTML }

// renderPart executes a part of a page on its own. The dashboards cache
// their content rendered: under load, executing the templates of the
// charts and tables for every request would cost more than everything
// else a request does.
func (u *UI) renderPart(page, name string, data any) (template.HTML, error) {
	var buf bytes.Buffer
	if err := u.pages[page].ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("render %s of %s: %w", name, page, err)
	}
	return template.HTML(buf.String()), nil // produced by html/template
}

// managementData computes the management dashboard. The page as a whole
// is cached too (see figuresCache): fifty people at once then cost fifty
// renderings, not fifty times its queries.
func (u *UI) managementData(ctx context.Context, scope postgres.ScopeSummary, today time.Time) (managementData, error) {
	var (
		r        domain.Readiness
		f        postgres.Figures
		hist     []domain.Snapshot
		rAt, fAt time.Time
	)
	err := together(
		func() (err error) { r, rAt, err = u.readinessOf(ctx, scope.ID, postgres.Everything, today); return err },
		func() (err error) { f, fAt, err = u.todaysFigures(ctx, scope.ID, today); return err },
		func() (err error) {
			hist, err = u.DB.ReadinessHistory(ctx, scope.ID, postgres.Everything, today.AddDate(0, 0, -trendDays), today)
			return err
		},
	)
	if err != nil {
		return managementData{}, err
	}
	d := managementData{Scope: scope, Tab: "dashboard", AsOf: u.asOf(rAt, fAt), Readiness: r, Verdict: r.Verdict(),
		Failing: len(r.Failing()), Blockers: num(r.Blockers()), Overdue: num(f.Scope.OverdueMeasures), Findings: num(f.Scope.OpenFindings),
		Coverage: f.Scope.CoveragePercent(), Target: f.Scope.EvidenceTarget, Levels: newLevelBars("level", f.Scope),
		Trend: newTrendView("trend", hist), ReadinessURL: readinessURL(scope.ID)}
	d.CoverageBar = chart.Progress("coverage", "Nachweisquote: umgesetzte Einträge mit gültigem Nachweis", f.Scope.EvidenceCovered, f.Scope.EvidenceYes)
	for _, g := range r.Gates {
		d.Gates = append(d.Gates, newGateView(scope.ID, g))
	}
	d.Departments, d.DeptChart = newDepartmentRows(scope.ID, rankedDepartments(f.Departments))
	return d, nil
}

// rankedDepartments are the departments the management dashboard
// compares. A state has one root (the Freistaat) above its ministries; the
// ranking compares the ministries, so a lone top department gives way to
// the departments below it.
func rankedDepartments(all []postgres.DepartmentFigures) []postgres.DepartmentFigures {
	top := childFigures(all, nil)
	for len(top) == 1 {
		below := childFigures(all, &top[0].ID)
		if len(below) == 0 {
			break
		}
		top = below
	}
	return top
}

// childFigures are the figures of the departments right below parent
// (the top departments for nil).
func childFigures(all []postgres.DepartmentFigures, parent *int64) []postgres.DepartmentFigures {
	var out []postgres.DepartmentFigures
	for _, df := range all {
		if (parent == nil && df.ParentID == nil) || (parent != nil && df.ParentID != nil && *df.ParentID == *parent) {
			out = append(out, df)
		}
	}
	return out
}

// ---------------------------------------------------------------------
// Department.

type departmentData struct {
	Scope        postgres.ScopeSummary
	Tab          string
	AsOf         string
	Heading      string // whose figures
	Limited      bool
	Choices      []option // the departments the reader may pick
	Readiness    domain.Readiness
	Verdict      string
	Blockers     num
	ReadinessURL string
	Objects      []typeRow
	NObjects     num
	ObjectsURL   string
	Stacked      []stackedView // by level, by layer
	Below        []departmentRow
	BelowChart   template.HTML
	Trend        trendView
	Overdue      []domain.PlanItem
	OverdueMore  bool
	OverdueURL   string
	Expiring     []evidenceView
	ExpiringDays int
	ExpiringURL  string
	Findings     []findingView
	FindingsURL  string
}

// typeRow is the number of objects of a type, with the list of them.
type typeRow struct {
	Type    domain.ObjectType
	Objects num
	URL     string
}

// expiringDays is how far ahead the department dashboard looks for
// expiring evidence.
const expiringDays = 60

// departmentReach works out whose figures the department dashboard shows:
// the department asked for (dept, 0 for none), which must lie within the
// reader's reach (vis), else everything the reader sees. It returns the
// visibility of the figures and the departments the reader may pick.
func (u *UI) departmentReach(ctx context.Context, vis postgres.Visibility, dept int64) (postgres.Visibility, []domain.Department, error) {
	depts, err := u.DB.ListDepartments(ctx)
	if err != nil {
		return vis, nil, err
	}
	within := depts
	if !vis.All {
		within = subtreesOf(depts, vis.Departments)
	}
	if dept == 0 {
		return vis, within, nil
	}
	if !slices.ContainsFunc(within, func(d domain.Department) bool { return d.ID == dept }) {
		return vis, nil, errNoDashboard
	}
	return postgres.Visibility{Departments: []int64{dept}}, within, nil
}

var errNoDashboard = domain.Errorf(domain.ErrNotFound, "no department within reach").
	De("Diese Organisationseinheit gibt es nicht, oder ihr Lagebild ist Ihnen nicht freigegeben.")

// subtreesOf are the departments (depth first, as listed) in the subtrees
// of roots.
func subtreesOf(depts []domain.Department, roots []int64) []domain.Department {
	in := map[int64]bool{}
	for _, r := range roots {
		in[r] = true
	}
	var out []domain.Department
	// Depth first: a department comes after its parent.
	for _, d := range depts {
		if in[d.ID] || d.ParentID != nil && in[*d.ParentID] {
			in[d.ID] = true
			out = append(out, d)
		}
	}
	return out
}

func (u *UI) departmentDashboard(c *gin.Context) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	var dept int64
	if raw := c.Query("department"); raw != "" {
		if dept, err = strconv.ParseInt(raw, 10, 64); err != nil || dept <= 0 {
			return errNoDashboard
		}
	}
	reader, today := route.Visibility(c), u.today()
	key := figureKey("department-dashboard-"+strconv.FormatInt(dept, 10), scope.ID, reader, today)
	type rendered struct {
		heading string
		body    template.HTML
	}
	page, _, err := cached(c.Request.Context(), u.figures, key, func(ctx context.Context) (rendered, error) {
		d, err := u.departmentData(ctx, scope, reader, dept, today)
		if err != nil {
			return rendered{}, err
		}
		body, err := u.renderPart("dashboard", "departmentDashboard", d)
		return rendered{d.Heading, body}, err
	})
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "dashboard", "Lagebild "+page.heading+" · "+scope.Name, dashboardPage{Body: page.body})
}

// departmentData computes the department dashboard of dept (0: the
// reader's whole reach) for a reader who sees reader.
func (u *UI) departmentData(ctx context.Context, scope postgres.ScopeSummary, reader postgres.Visibility, dept int64, today time.Time) (departmentData, error) {
	vis, within, err := u.departmentReach(ctx, reader, dept)
	if err != nil {
		return departmentData{}, err
	}
	d := departmentData{Scope: scope, Tab: "dashboard", Limited: !vis.All, ReadinessURL: readinessURL(scope.ID),
		ExpiringDays: expiringDays}
	var (
		levels, layers []domain.Progress
		types          []postgres.TypeCount
		hist           []domain.Snapshot
		f              postgres.Figures
		times          [4]time.Time
		expiring       []domain.Evidence
		findings       []domain.Finding
		overdueNext    int64
	)
	err = together(
		func() (err error) { d.Readiness, times[0], err = u.readinessOf(ctx, scope.ID, vis, today); return err },
		func() (err error) {
			levels, times[1], err = u.progressOf(ctx, scope.ID, vis, postgres.ProgressByLevel, today)
			return err
		},
		func() (err error) {
			layers, times[2], err = u.progressOf(ctx, scope.ID, vis, postgres.ProgressByLayer, today)
			return err
		},
		func() (err error) { f, times[3], err = u.todaysFigures(ctx, scope.ID, today); return err },
		func() (err error) { types, err = u.DB.ObjectsByType(ctx, scope.ID, vis); return err },
		func() (err error) {
			hist, err = u.DB.ReadinessHistory(ctx, scope.ID, vis, today.AddDate(0, 0, -trendDays), today)
			return err
		},
		func() (err error) {
			d.Overdue, overdueNext, err = u.DB.ListPlanItems(ctx, scope.ID, domain.PlanFilter{OverdueOnly: true, Today: today, Limit: dashboardRows}, vis)
			return err
		},
		func() (err error) {
			expiring, _, err = u.DB.ListEvidence(ctx, scope.ID, domain.EvidenceFilter{ExpiringWithin: expiringDays, Today: today, Limit: 1000}, vis)
			return err
		},
		func() (err error) {
			findings, _, err = u.DB.OpenFindings(ctx, scope.ID, vis, dashboardRows)
			return err
		},
	)
	if err != nil {
		return d, err
	}
	d.AsOf, d.Verdict, d.Blockers = u.asOf(times[:]...), d.Readiness.Verdict(), num(d.Readiness.Blockers())
	d.Heading = "gesamter Informationsverbund"
	if !vis.All {
		d.Heading = "Ihr Bereich"
	}
	for _, x := range within {
		if x.ID == dept || len(vis.Departments) == 1 && x.ID == vis.Departments[0] {
			d.Heading = x.Name
		}
	}
	whole := "Ihr ganzer Bereich"
	if reader.All {
		whole = "gesamter Informationsverbund"
	}
	d.Choices = append(d.Choices, option{Value: "", Label: whole, Selected: dept == 0})
	for _, x := range within {
		d.Choices = append(d.Choices, option{Value: strconv.FormatInt(x.ID, 10), Label: strings.Repeat("· ", x.Depth) + x.Name, Selected: x.ID == dept})
	}

	// The lists behind the figures, filtered to the department picked.
	in := func(path string, q url.Values) string {
		if dept != 0 {
			q.Set("department", strconv.FormatInt(dept, 10))
		}
		if len(q) == 0 {
			return path
		}
		return path + "?" + q.Encode()
	}
	objects := scopeURL(scope.ID) + "/objects"
	total := 0
	for _, t := range types {
		d.Objects = append(d.Objects, typeRow{Type: t.Type, Objects: num(t.Objects), URL: in(objects, url.Values{"type": {string(t.Type)}})})
		total += t.Objects
	}
	d.NObjects, d.ObjectsURL = num(total), in(objects, url.Values{})
	levelLink := func(p domain.Progress) string { return in(checkURL(scope.ID), url.Values{"level": {p.Key}}) }
	d.Stacked = []stackedView{
		newStackedView("by-level", "Umsetzung nach Anforderungsstufe", "Stufe", levels, levelLink),
		newStackedView("by-layer", "Umsetzung nach Schicht", "Schicht", layers, nil),
	}

	// The departments right below: those below the one picked or the
	// reader's one, the top level for everything; a reader with several
	// departments sees those.
	var below []postgres.DepartmentFigures
	switch {
	case vis.All:
		below = childFigures(f.Departments, nil)
	case len(vis.Departments) == 1:
		below = childFigures(f.Departments, &vis.Departments[0])
	default:
		for _, df := range f.Departments {
			if slices.Contains(vis.Departments, df.ID) {
				below = append(below, df)
			}
		}
	}
	d.Below, d.BelowChart = newDepartmentRows(scope.ID, below)
	d.Trend = newTrendView("trend", hist)

	d.OverdueMore, d.OverdueURL = overdueNext != 0, in(planURL(scope.ID), url.Values{"overdue": {"true"}})
	slices.SortStableFunc(expiring, func(a, b domain.Evidence) int { return a.Current.ValidUntil.Compare(*b.Current.ValidUntil) })
	for _, e := range expiring[:min(len(expiring), dashboardRows)] {
		d.Expiring = append(d.Expiring, newEvidenceView(e, today))
	}
	d.ExpiringURL = evidenceListURL(scope.ID) + "?expiring=" + strconv.Itoa(expiringDays)
	for _, x := range findings {
		d.Findings = append(d.Findings, newFindingView(x, today))
	}
	d.FindingsURL = auditsURL(scope.ID)
	return d, nil
}
