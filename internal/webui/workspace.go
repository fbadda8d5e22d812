package webui

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// The start page is the user's workspace: per scope, what waits for them.
// Auditors find the evidence to review, their audits in progress with the
// sample's checklist, and the open findings; ISBs their evidence that came
// back rejected or with a question, the open findings, and the evidence
// that expires soon. Each part shows for the permission it needs, and
// every list is limited to the reader's departments in SQL.

// workspaceRows bounds each list of the workspace; the lists behind the
// links hold the rest.
const workspaceRows = 10

// expiryWindows are the days ahead the workspace looks for expiring evidence.
var expiryWindows = []int{30, 60, 90}

// workspace is the start page's part above the account.
type workspace struct {
	Scopes       []workspaceScope
	Queue        bool // the parts the user's permissions open
	Audits       bool
	Findings     bool
	Returned     bool
	Expiring     bool
	WorkQueue    bool // what blocks the certification, overdue measures: those who fix it
	Dashboard    bool // the management's dashboard
	DeptBoard    bool // the department dashboard
	Readiness    bool // the verdict with the failing gates
	Days         int  // the expiry window shown
	Windows      []option
	ScopeHeading bool // more than one scope: each gets its name
}

// workspaceScope is what waits in one scope.
type workspaceScope struct {
	Scope         postgres.ScopeSummary
	Queue         []evidenceView
	QueueURL      string
	QueueMore     bool
	Audits        []auditProgress
	Findings      []findingView
	FindingsURL   string
	Returned      []returnedEvidence
	ReturnedURL   string
	Expiring      []evidenceView
	ExpiringTotal num
	ExpiringURL   string
	ExpiredURL    string
	Expired       num
	// The readiness as the reader sees it, with the failing gates leading
	// to their blockers; the reader's overdue measures, soonest first.
	Verdict      string
	Ready        bool
	Failing      []gateView
	ReadinessURL string
	DashboardURL string
	DeptURL      string
	Overdue      []domain.PlanItem
	OverdueMore  bool
	OverdueURL   string
}

// auditProgress is an audit in progress with its sample's checklist: the
// items still without a result.
type auditProgress struct {
	domain.Audit
	Period string
	Open   []sampleLink
	More   num // open items beyond those listed
}

// sampleLink is a sample item with the page of what it names.
type sampleLink struct {
	Label, URL string
}

// returnedEvidence is one's own evidence that came back from review, with
// the thread's last word.
type returnedEvidence struct {
	evidenceView
	Last *domain.EvidenceComment
}

// sampleURL is the page of what a sample item names.
func sampleURL(s domain.SampleItem) string {
	switch {
	case s.EntryID != nil:
		return entryURL(*s.EntryID)
	case s.ObjectID != nil:
		return objectURL(*s.ObjectID)
	}
	return fmt.Sprintf("%s/modules/%s", catalogURL(s.CatalogID), url.PathEscape(s.ModuleID))
}

func (u *UI) workspaceData(c *gin.Context) (workspace, error) {
	ctx := c.Request.Context()
	w := workspace{Queue: u.allowed(c, authz.ResourceEvidenceReviews, authz.ActionWrite),
		Audits: u.allowed(c, authz.ResourceAudits, authz.ActionWrite), Returned: u.allowed(c, authz.ResourceEvidence, authz.ActionWrite),
		Expiring: u.allowed(c, authz.ResourceEvidence, authz.ActionRead)}
	w.Findings = w.Audits || u.allowed(c, authz.ResourceCorrectiveActions, authz.ActionWrite)
	w.WorkQueue = u.allowed(c, authz.ResourceObjects, authz.ActionWrite)
	w.Dashboard = u.allowed(c, authz.ResourceManagementDashboard, authz.ActionRead)
	w.DeptBoard = u.allowed(c, authz.ResourceDashboards, authz.ActionRead)
	w.Readiness = w.WorkQueue || w.Dashboard || w.DeptBoard
	if !w.Queue && !w.Audits && !w.Findings && !w.Returned && !w.Expiring && !w.Readiness {
		return w, nil
	}
	w.Days = expiryWindows[0]
	if n, err := strconv.Atoi(c.Query("expiring")); err == nil && slices.Contains(expiryWindows, n) {
		w.Days = n
	}
	for _, n := range expiryWindows {
		w.Windows = append(w.Windows, option{Value: strconv.Itoa(n), Label: strconv.Itoa(n) + " Tage", Selected: n == w.Days})
	}
	scopes, err := u.DB.ListScopes(ctx, u.visibilityFor(c, authz.ActionRead))
	if err != nil {
		return w, err
	}
	w.ScopeHeading = len(scopes) > 1
	for _, s := range scopes {
		ws, err := u.workspaceScope(c, w, s)
		if err != nil {
			return w, err
		}
		w.Scopes = append(w.Scopes, ws)
	}
	return w, nil
}

func (u *UI) workspaceScope(c *gin.Context, w workspace, s postgres.ScopeSummary) (workspaceScope, error) {
	ctx, today := c.Request.Context(), u.today()
	p, _ := route.Principal(c)
	list := evidenceListURL(s.ID)
	ws := workspaceScope{Scope: s, QueueURL: list + "?queue=true", FindingsURL: auditsURL(s.ID), ReturnedURL: list + "?mine=true",
		ExpiringURL: list + "?expiring=" + strconv.Itoa(w.Days), ExpiredURL: list + "?expired=true"}
	if w.Readiness {
		if err := u.workspaceReadiness(c, w, &ws); err != nil {
			return ws, err
		}
	}
	if w.Queue {
		// Oldest first and never one's own upload: the store's review queue.
		items, next, err := u.DB.ListEvidence(ctx, s.ID, domain.EvidenceFilter{ReviewQueue: true, ReviewerID: p.User.ID, Limit: workspaceRows},
			u.visibilityOf(c, evidenceReview))
		if err != nil {
			return ws, err
		}
		for _, e := range items {
			ws.Queue = append(ws.Queue, newEvidenceView(e, today))
		}
		ws.QueueMore = next != 0
	}
	if w.Audits {
		audits, err := u.DB.ListAudits(ctx, s.ID)
		if err != nil {
			return ws, err
		}
		for _, a := range audits {
			if a.State != domain.AuditInProgress {
				continue
			}
			ap, err := u.auditProgressOf(c, a)
			if err != nil {
				return ws, err
			}
			ws.Audits = append(ws.Audits, ap)
		}
	}
	if w.Findings {
		fs, _, err := u.DB.ListFindings(ctx, postgres.FindingFilter{ScopeID: s.ID, OpenOnly: true, Today: today, Limit: workspaceRows},
			u.visibilityFor(c, authz.ActionRead))
		if err != nil {
			return ws, err
		}
		for _, f := range fs {
			ws.Findings = append(ws.Findings, newFindingView(f, today))
		}
	}
	if w.Returned {
		vis := u.visibilityOf(c, evidenceRead)
		var returned []domain.Evidence
		for _, state := range []domain.ReviewState{domain.ReviewRejected, domain.ReviewNeedsInfo} {
			items, _, err := u.DB.ListEvidence(ctx, s.ID, domain.EvidenceFilter{State: state, UploadedBy: p.User.ID, Limit: workspaceRows}, vis)
			if err != nil {
				return ws, err
			}
			returned = append(returned, items...)
		}
		ids := make([]int64, len(returned))
		for i, e := range returned {
			ids[i] = e.ID
		}
		last, err := u.DB.LastComments(ctx, ids)
		if err != nil {
			return ws, err
		}
		for _, e := range returned {
			r := returnedEvidence{evidenceView: newEvidenceView(e, today)}
			if c, ok := last[e.ID]; ok {
				r.Last = &c
			}
			ws.Returned = append(ws.Returned, r)
		}
	}
	if w.Expiring {
		// The store lists newest first; the workspace wants the soonest to
		// expire, so it sorts all of the window's items (a few dozen in
		// practice, at most a store page) and shows the first.
		vis := u.visibilityOf(c, evidenceRead)
		items, _, err := u.DB.ListEvidence(ctx, s.ID, domain.EvidenceFilter{ExpiringWithin: w.Days, Today: today, Limit: 1000}, vis)
		if err != nil {
			return ws, err
		}
		slices.SortStableFunc(items, func(a, b domain.Evidence) int { return a.Current.ValidUntil.Compare(*b.Current.ValidUntil) })
		ws.ExpiringTotal = num(len(items))
		for _, e := range items[:min(len(items), workspaceRows)] {
			ws.Expiring = append(ws.Expiring, newEvidenceView(e, today))
		}
		_, expired, err := u.DB.CountEvidence(ctx, s.ID, domain.EvidenceFilter{Today: today}, vis)
		if err != nil {
			return ws, err
		}
		ws.Expired = num(expired)
	}
	return ws, nil
}

// auditProgressOf is an audit in progress with the open items of its
// sample, as the reader may see them.
func (u *UI) auditProgressOf(c *gin.Context, a domain.Audit) (auditProgress, error) {
	ap := auditProgress{Audit: a, Period: period(a)}
	items, err := u.DB.SampleItems(c.Request.Context(), a.ID, u.visibilityFor(c, authz.ActionRead))
	if err != nil {
		return ap, err
	}
	for _, s := range items {
		if s.Result != domain.ResultOpen {
			continue
		}
		if len(ap.Open) == workspaceRows {
			ap.More++
			continue
		}
		ap.Open = append(ap.Open, sampleLink{Label: s.Label(), URL: sampleURL(s)})
	}
	return ap, nil
}

// workspaceReadiness adds the scope's readiness as the reader sees it
// (the figures are shared with the dashboards, see figuresCache) and, for
// those who fix things, the overdue measures: with the failing gates'
// blockers, the ISB's work queue.
func (u *UI) workspaceReadiness(c *gin.Context, w workspace, ws *workspaceScope) error {
	ctx, today, id := c.Request.Context(), u.today(), ws.Scope.ID
	vis := u.visibilityFor(c, authz.ActionRead)
	r, _, err := u.readinessOf(ctx, id, vis, today)
	if err != nil {
		return err
	}
	ws.Verdict, ws.Ready, ws.ReadinessURL = r.Verdict(), r.Ready, readinessURL(id)
	for _, g := range r.Failing() {
		ws.Failing = append(ws.Failing, newGateView(id, g))
	}
	if w.Dashboard {
		ws.DashboardURL = dashboardURL(id)
	}
	if w.DeptBoard && !vis.All {
		ws.DeptURL = departmentDashboardURL(id, 0)
	}
	if w.WorkQueue {
		var next int64
		ws.Overdue, next, err = u.DB.ListPlanItems(ctx, id, domain.PlanFilter{OverdueOnly: true, Today: today, Limit: workspaceRows}, vis)
		if err != nil {
			return err
		}
		ws.OverdueMore, ws.OverdueURL = next != 0, planURL(id)+"?overdue=true"
	}
	return nil
}
