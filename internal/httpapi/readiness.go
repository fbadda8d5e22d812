package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// Certification readiness: the verdict with gates G1–G10, each gate's
// blocking items, and the check's progress by department, layer and
// level. Everyone who reads the scope's objects reads them; a department
// head gets the figures of their subtree (route.Visibility).

func (a *API) readinessRoutes() []route.Route {
	read := authz.Require(authz.ResourceObjects, authz.ActionRead)
	get := http.MethodGet
	return []route.Route{
		{Method: get, Path: "/api/v1/scopes/:id/readiness", Perm: read, Handler: a.getReadiness,
			Summary:  "Certification readiness: the verdict, gates G1–G10 with counts, and the progress per level against the guideline's target dates",
			Response: "readiness.json"},
		{Method: get, Path: "/api/v1/scopes/:id/readiness/gates/:gate/blockers", Perm: read, Handler: a.listBlockers,
			Summary:  "The items that block a gate (G1 to G10), in cursor pages, each with its reason and the page where it is fixed",
			Response: "readiness-blocker.json", List: true,
			Query: []route.Param{{Name: "limit", Type: "integer", Help: "blockers per page, 1 to 1000 (default 50)"}, cursorParam}},
		{Method: get, Path: "/api/v1/scopes/:id/progress", Perm: read, Handler: a.listProgress,
			Summary: "The check's progress by department subtree, layer or level", Response: "progress.json", List: true,
			Query: []route.Param{{Name: "by", Type: "string", Help: "department (default), layer or level"}}},
	}
}

type progressJSON struct {
	Key           string `json:"key"`
	Label         string `json:"label"`
	Total         int    `json:"total"`
	Done          int    `json:"done"`
	Percent       int    `json:"percent"`
	Yes           int    `json:"yes"`
	NotApplicable int    `json:"not_applicable"`
	Partial       int    `json:"partial"`
	No            int    `json:"no"`
	Open          int    `json:"open"`
}

func newProgressJSON(p domain.Progress) progressJSON {
	return progressJSON{Key: p.Key, Label: p.Label, Total: p.Total, Done: p.Done(), Percent: p.Percent(), Yes: p.Yes,
		NotApplicable: p.NotApplicable, Partial: p.Partial, No: p.No, Open: p.Open}
}

type levelJSON struct {
	progressJSON
	Level      domain.Level `json:"level"`
	TargetDate *string      `json:"target_date"`
	Late       bool         `json:"late"`
}

type gateJSON struct {
	ID          domain.GateID     `json:"id"`
	Label       string            `json:"label"`
	Status      domain.GateStatus `json:"status"`
	StatusLabel string            `json:"status_label"`
	Checked     int               `json:"checked"`
	Blocking    int               `json:"blocking"`
	Summary     string            `json:"summary"`
	BlockersURL string            `json:"blockers_url"`
}

type readinessJSON struct {
	ScopeID int64       `json:"scope_id"`
	Day     string      `json:"day"`
	Ready   bool        `json:"ready"`
	Limited bool        `json:"limited"`
	Verdict string      `json:"verdict"`
	Gates   []gateJSON  `json:"gates"`
	Levels  []levelJSON `json:"levels"`
}

func (a *API) getReadiness(c *gin.Context) error {
	scopeID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, vis, today := c.Request.Context(), route.Visibility(c), a.today()
	r, err := a.DB.Readiness(ctx, scopeID, vis, today)
	if err != nil {
		return err
	}
	levels, err := a.DB.LevelProgress(ctx, scopeID, vis, today)
	if err != nil {
		return err
	}
	out := readinessJSON{ScopeID: scopeID, Day: today.Format("2006-01-02"), Ready: r.Ready, Limited: r.Limited, Verdict: r.Verdict(),
		Gates: []gateJSON{}, Levels: []levelJSON{}}
	base := "/api/v1/scopes/" + strconv.FormatInt(scopeID, 10) + "/readiness/gates/"
	for _, g := range r.Gates {
		out.Gates = append(out.Gates, gateJSON{ID: g.ID, Label: g.ID.Label(), Status: g.Status, StatusLabel: g.Status.Label(),
			Checked: g.Checked, Blocking: g.Blocking, Summary: g.Summary, BlockersURL: base + string(g.ID) + "/blockers"})
	}
	for _, l := range levels {
		out.Levels = append(out.Levels, levelJSON{progressJSON: newProgressJSON(l.Progress), Level: l.Level, TargetDate: dateJSON(l.Due), Late: l.Late})
	}
	c.JSON(http.StatusOK, out)
	return nil
}

type blockerJSON struct {
	Gate         domain.GateID `json:"gate"`
	Kind         string        `json:"kind"`
	ID           int64         `json:"id"`
	Label        string        `json:"label"`
	Reason       string        `json:"reason"`
	DepartmentID *int64        `json:"department_id"`
	Department   string        `json:"department,omitempty"`
	URL          string        `json:"url"`
}

// gateOfPath reads the gate of the path: G1 to G10, in either case.
func gateOfPath(c *gin.Context) (domain.GateID, error) {
	g := domain.GateID(strings.ToUpper(c.Param("gate")))
	if !g.Valid() {
		return "", domain.Errorf(domain.ErrNotFound, "no gate %q: G1 to G10", c.Param("gate")).De("Diesen Prüfpunkt gibt es nicht.")
	}
	return g, nil
}

func (a *API) listBlockers(c *gin.Context) error {
	scopeID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	gate, err := gateOfPath(c)
	if err != nil {
		return err
	}
	after, err := postgres.ParseBlockerCursor(c.Query("cursor"))
	if err != nil {
		return err
	}
	limit, err := blockerLimit(c.Query("limit"))
	if err != nil {
		return err
	}
	bs, next, err := a.DB.GateBlockers(c.Request.Context(), scopeID, gate, route.Visibility(c), a.today(), after, limit)
	if err != nil {
		return err
	}
	out := make([]blockerJSON, len(bs))
	for i, b := range bs {
		out[i] = blockerJSON{Gate: b.Gate, Kind: b.Kind, ID: b.ID, Label: b.Label, Reason: b.Reason, DepartmentID: b.DepartmentID,
			Department: b.DepartmentName, URL: b.URL}
	}
	cursor := ""
	if next != nil {
		cursor = next.String()
	}
	c.JSON(http.StatusOK, newList(out, cursor))
	return nil
}

// blockerLimit reads the page size: 1 to 1000, 50 when absent.
func blockerLimit(v string) (int, error) {
	if v == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return 0, domain.Invalid(domain.Violation{Pointer: "/limit", Detail: "must be a number from 1 to 1000", German: "Bitte eine Zahl von 1 bis 1000."})
	}
	return n, nil
}

func (a *API) listProgress(c *gin.Context) error {
	scopeID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	by := postgres.ProgressBy(c.DefaultQuery("by", string(postgres.ProgressByDepartment)))
	ps, err := a.DB.CheckProgress(c.Request.Context(), scopeID, route.Visibility(c), by)
	return answerList(c, ps, err, newProgressJSON)
}
