package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/route"
)

// The readiness history: the daily snapshots of a scope's figures, as the
// reader sees them (a department head their subtree's), with the forecast
// of when the blocking items reach zero at the current closing rate.

func (a *API) historyRoutes() []route.Route {
	return []route.Route{
		{Method: http.MethodGet, Path: "/api/v1/scopes/:id/history", Perm: authz.Require(authz.ResourceDashboards, authz.ActionRead),
			Handler: a.getHistory, Response: "readiness-history.json",
			Summary: "The daily snapshots of the readiness figures (oldest first) and the forecast of the day the blocking items reach zero",
			Query: []route.Param{{Name: "from", Type: "string", Help: "first day, YYYY-MM-DD (default: 90 days before to)"},
				{Name: "to", Type: "string", Help: "last day, YYYY-MM-DD (default: today)"}}},
	}
}

// historyDays is the default span of the history.
const historyDays = 90

type snapshotJSON struct {
	Day             string                    `json:"day"`
	Ready           bool                      `json:"ready"`
	Blockers        int                       `json:"blockers"`
	Gates           map[domain.GateID]int     `json:"gates"`
	Objects         int                       `json:"objects"`
	Entries         map[domain.Level]entryFig `json:"entries"`
	DonePercent     float64                   `json:"done_percent"`
	EvidenceYes     int                       `json:"evidence_yes"`
	EvidenceCovered int                       `json:"evidence_covered"`
	EvidenceTarget  int                       `json:"evidence_target"`
	OverdueMeasures int                       `json:"overdue_measures"`
	OpenFindings    int                       `json:"open_findings"`
}

type entryFig struct {
	Total int `json:"total"`
	Done  int `json:"done"`
}

type forecastJSON struct {
	Outcome  domain.ForecastOutcome `json:"outcome"`
	Day      *string                `json:"day"`
	Rate     float64                `json:"rate_per_day"`
	From     *string                `json:"from"`
	To       *string                `json:"to"`
	Points   int                    `json:"points"`
	Blockers int                    `json:"blockers"`
	Sentence string                 `json:"sentence"`
}

type historyJSON struct {
	ScopeID  int64          `json:"scope_id"`
	Limited  bool           `json:"limited"`
	From     string         `json:"from"`
	To       string         `json:"to"`
	Items    []snapshotJSON `json:"items"`
	Forecast forecastJSON   `json:"forecast"`
}

func newSnapshotJSON(s domain.Snapshot) snapshotJSON {
	out := snapshotJSON{Day: s.Day.Format(time.DateOnly), Ready: s.Ready, Blockers: s.Blockers(), Gates: map[domain.GateID]int{},
		Objects: s.Objects, Entries: map[domain.Level]entryFig{}, DonePercent: s.DonePercent(), EvidenceYes: s.EvidenceYes,
		EvidenceCovered: s.EvidenceCovered, EvidenceTarget: s.EvidenceTarget, OverdueMeasures: s.OverdueMeasures, OpenFindings: s.OpenFindings}
	for i, g := range domain.Gates {
		out.Gates[g] = s.Blocking[i]
	}
	for _, l := range s.Levels {
		out.Entries[l.Level] = entryFig{Total: l.Total, Done: l.Done}
	}
	return out
}

// dayJSON is a day, or null when it is not set.
func dayJSON(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return dateJSON(&t)
}

func (a *API) getHistory(c *gin.Context) error {
	scopeID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	to, from := a.today(), time.Time{}
	if v := c.Query("to"); v != "" {
		if to, err = parseDateAt("/to", v); err != nil {
			return err
		}
	}
	from = to.AddDate(0, 0, -historyDays)
	if v := c.Query("from"); v != "" {
		if from, err = parseDateAt("/from", v); err != nil {
			return err
		}
	}
	if from.After(to) {
		return domain.Invalid(domain.Violation{Pointer: "/from", Detail: "from must not be after to", German: "Der erste Tag liegt nach dem letzten."})
	}
	vis := route.Visibility(c)
	hist, err := a.DB.ReadinessHistory(c.Request.Context(), scopeID, vis, from, to)
	if err != nil {
		return err
	}
	f := domain.ForecastBlockers(hist)
	out := historyJSON{ScopeID: scopeID, Limited: !vis.All, From: from.Format(time.DateOnly), To: to.Format(time.DateOnly),
		Items: []snapshotJSON{}, Forecast: forecastJSON{Outcome: f.Outcome, Day: dayJSON(f.Day), Rate: f.Rate, From: dayJSON(f.From),
			To: dayJSON(f.To), Points: f.Points, Blockers: f.Blockers, Sentence: f.Sentence()}}
	for _, s := range hist {
		out.Items = append(out.Items, newSnapshotJSON(s))
	}
	c.JSON(http.StatusOK, out)
	return nil
}
