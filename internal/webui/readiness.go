package webui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/german"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// The readiness tab (Zertifizierungsreife): the verdict, gates G1–G10
// with the first blockers of each failing gate, a page per gate with all
// its blockers, and the check's progress by level against the
// guideline's target dates, by department and by layer. The data
// functions are kept apart from the pages, so that dashboards can reuse
// them.

func (u *UI) readinessRoutes() []route.Route {
	read := authz.Require(authz.ResourceObjects, authz.ActionRead)
	return []route.Route{
		{Method: http.MethodGet, Path: "/scopes/:id/readiness", Perm: read, Handler: u.readinessPage},
		{Method: http.MethodGet, Path: "/scopes/:id/readiness/:gate", Perm: read, Handler: u.gatePage},
	}
}

// blockersInline is how many blockers of a failing gate the overview shows.
const blockersInline = 5

// blockersPerPage is the page size of a gate's page.
const blockersPerPage = 50

func readinessURL(scopeID int64) string { return scopeURL(scopeID) + "/readiness" }

func gateURL(scopeID int64, g domain.GateID) string { return readinessURL(scopeID) + "/" + string(g) }

// gateView is a gate as the pages show it.
type gateView struct {
	domain.Gate
	Name     string // e.g. "Leitlinie"
	Checked  num
	Blocking num
	URL      string
	Blockers []domain.Blocker
	More     bool // more blockers than shown
}

// StatusClass is the tag's style.
func (g gateView) StatusClass() string {
	switch g.Status {
	case domain.GatePass:
		return "tag-ok"
	case domain.GateFail:
		return "tag-bad"
	}
	return ""
}

func newGateView(scopeID int64, g domain.Gate) gateView {
	return gateView{Gate: g, Name: g.ID.Label(), Checked: num(g.Checked), Blocking: num(g.Blocking), URL: gateURL(scopeID, g.ID)}
}

// progressRow is one row of a progress table: its figures and bar, and
// the check list filtered to it where there is one.
type progressRow struct {
	Label                           string
	URL                             string
	P                               progress
	Yes, NotApplicable, Partial, No num
	Open, Done                      num
}

func newProgressRow(p domain.Progress, link string) progressRow {
	counts := map[domain.Status]int{domain.StatusYes: p.Yes, domain.StatusNotApplicable: p.NotApplicable, domain.StatusPartial: p.Partial,
		domain.StatusNo: p.No, domain.StatusOpen: p.Open}
	return progressRow{Label: p.Label, URL: link, P: newProgress(counts, nil, ""), Yes: num(p.Yes), NotApplicable: num(p.NotApplicable),
		Partial: num(p.Partial), No: num(p.No), Open: num(p.Open), Done: num(p.Done())}
}

// levelRow is a level against the guideline's target date.
type levelRow struct {
	progressRow
	Level domain.Level
	Due   day
	Late  bool
}

// readinessData is the overview of the readiness tab.
type readinessData struct {
	Scope     postgres.ScopeSummary
	Tab       string
	Readiness domain.Readiness
	Verdict   string
	Today     string
	Gates     []gateView
	Levels    []levelRow
	Tables    []progressTable // by department, by layer
}

// progressTable is a titled table of progress rows.
type progressTable struct {
	ID, Title, Column string
	Rows              []progressRow
}

// checkListURL is the check list filtered by one parameter.
func checkListURL(scopeID int64, key, value string) string {
	return checkURL(scopeID) + "?" + url.Values{key: {value}}.Encode()
}

// readinessProgress reads the progress tables of a scope as the reader
// sees them: by level against the target dates, by department, by layer.
func (u *UI) readinessProgress(c *gin.Context, scope postgres.ScopeSummary) ([]levelRow, []progressRow, []progressRow, error) {
	ctx, vis, today, scopeID := c.Request.Context(), route.Visibility(c), u.today(), scope.ID
	levels, err := u.DB.LevelProgress(ctx, scopeID, vis, today)
	if err != nil {
		return nil, nil, nil, err
	}
	var ls []levelRow
	for _, l := range levels {
		if scope.Method == domain.MethodPlusPlus {
			l.Label = "Sicherheitsniveau " + domain.PlusPlusLevelLabel(l.Level)
		}
		ls = append(ls, levelRow{progressRow: newProgressRow(l.Progress, checkListURL(scopeID, "level", string(l.Level))), Level: l.Level,
			Due: day{l.Due}, Late: l.Late})
	}
	depts, err := u.DB.CheckProgress(ctx, scopeID, vis, postgres.ProgressByDepartment)
	if err != nil {
		return nil, nil, nil, err
	}
	var ds []progressRow
	for _, p := range depts {
		link := ""
		if id := postgres.DepartmentKey(p); id != 0 {
			link = checkListURL(scopeID, "department", strconv.FormatInt(id, 10))
		}
		ds = append(ds, newProgressRow(p, link))
	}
	layers, err := u.DB.CheckProgress(ctx, scopeID, vis, postgres.ProgressByLayer)
	if err != nil {
		return nil, nil, nil, err
	}
	var lys []progressRow
	for _, p := range layers {
		lys = append(lys, newProgressRow(p, ""))
	}
	return ls, ds, lys, nil
}

// readinessOverview reads the verdict with its gates and the first
// blockers of each failing gate.
func (u *UI) readinessOverview(c *gin.Context, scope postgres.ScopeSummary) (readinessData, error) {
	d := readinessData{Scope: scope, Tab: "readiness", Today: german.Date(u.today())}
	r, pages, err := u.DB.ReadinessOverview(c.Request.Context(), scope.ID, route.Visibility(c), u.today(), blockersInline)
	if err != nil {
		return d, err
	}
	d.Readiness, d.Verdict = r, r.Verdict()
	for _, g := range r.Gates {
		v := newGateView(scope.ID, g)
		p := pages[g.ID]
		v.Blockers, v.More = p.Blockers, p.Next != nil
		d.Gates = append(d.Gates, v)
	}
	var depts, layers []progressRow
	if d.Levels, depts, layers, err = u.readinessProgress(c, scope); err != nil {
		return d, err
	}
	d.Tables = []progressTable{
		{ID: "by-department", Title: "Umsetzung nach Organisationseinheit", Column: "Organisationseinheit", Rows: depts},
		{ID: "by-layer", Title: "Umsetzung nach Schicht", Column: "Schicht", Rows: layers},
	}
	return d, nil
}

func (u *UI) readinessPage(c *gin.Context) error {
	return showPage(u, c, "readiness", u.scopeOfPath, u.readinessOverview, scopeTitle("Zertifizierungsreife"))
}

// gatePageData is the page of one gate with a page of its blockers.
type gatePageData struct {
	Scope    postgres.ScopeSummary
	Tab      string
	Gate     gateView
	Limited  bool
	NextURL  string
	FirstURL string
}

func (u *UI) gatePage(c *gin.Context) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	id := domain.GateID(strings.ToUpper(c.Param("gate")))
	if !id.Valid() {
		return domain.Errorf(domain.ErrNotFound, "no gate %q", c.Param("gate")).De("Diesen Prüfpunkt gibt es nicht.")
	}
	after, err := postgres.ParseBlockerCursor(c.Query("cursor"))
	if err != nil {
		return err
	}
	ctx, vis, today := c.Request.Context(), route.Visibility(c), u.today()
	r, err := u.DB.Readiness(ctx, scope.ID, vis, today)
	if err != nil {
		return err
	}
	d := gatePageData{Scope: scope, Tab: "readiness", Limited: r.Limited}
	for _, g := range r.Gates {
		if g.ID == id {
			d.Gate = newGateView(scope.ID, g)
		}
	}
	bs, next, err := u.DB.GateBlockers(ctx, scope.ID, id, vis, today, after, blockersPerPage)
	if err != nil {
		return err
	}
	d.Gate.Blockers = bs
	if next != nil {
		d.NextURL = d.Gate.URL + "?" + url.Values{"cursor": {next.String()}}.Encode()
	}
	if after != (postgres.BlockerCursor{}) {
		d.FirstURL = d.Gate.URL
	}
	return u.render(c, http.StatusOK, "readiness_gate", d.Gate.Label()+" · "+scope.Name, d)
}
