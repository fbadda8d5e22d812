package httpapi

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// bulkMaxBytes bounds a bulk request: 10,000 items with a paragraph of
// text each fit, the server's general limit would not.
const bulkMaxBytes = 32 << 20

func (a *API) checkRoutes() []route.Route {
	read, write := authz.Require(authz.ResourceObjects, authz.ActionRead), authz.Require(authz.ResourceObjects, authz.ActionWrite)
	get, post, patch := http.MethodGet, http.MethodPost, http.MethodPatch
	return []route.Route{
		{Method: get, Path: "/api/v1/scopes/:id/check", Perm: read, Handler: a.listEntries,
			Summary: "The IT-Grundschutz-Check (A.4): entries filtered, in cursor pages", Response: "check-entry.json", List: true, Query: entryParams},
		{Method: post, Path: "/api/v1/scopes/:id/check/bulk", Perm: write, Handler: a.bulkEntries,
			Summary: "Change up to 10,000 entries in one transaction: all or nothing, with every refused item listed", Request: "check-bulk.json", Response: "check-entry.json", List: true,
			MaxBody: bulkMaxBytes},
		{Method: get, Path: "/api/v1/check-entries/:id", Perm: read, Handler: a.getEntry,
			Summary: "One check entry; the ETag is its version", Response: "check-entry.json"},
		{Method: patch, Path: "/api/v1/check-entries/:id", Perm: write, Handler: a.updateEntry, IfMatch: true,
			Summary: "Change a check entry (status, justification, implementation, responsible, dates)", Request: "check-update.json", Response: "check-entry.json"},
		{Method: get, Path: "/api/v1/check-entries/:id/history", Perm: read, Handler: a.entryHistory,
			Summary: "The changes of a check entry, from the audit trail", Response: "audit-record.json", List: true},
		{Method: get, Path: "/api/v1/scopes/:id/plan", Perm: read, Handler: a.listPlan,
			Summary: "The implementation plan (A.6): measures filtered, in cursor pages", Response: "plan-item.json", List: true, Query: planParams},
		{Method: get, Path: "/api/v1/scopes/:id/plan/summary", Perm: read, Handler: a.planSummary,
			Summary: "The open measures by owner, department or due month", Response: "plan-group.json", List: true,
			Query: []route.Param{{Name: "by", Type: "string", Help: "owner (default), department or month"}}},
		{Method: patch, Path: "/api/v1/plan-items/:id", Perm: write, Handler: a.updatePlanItem, IfMatch: true,
			Summary: "Change a measure (measure, owner, due date, budget, priority, state)", Request: "plan-update.json", Response: "plan-item.json"},
	}
}

var entryParams = []route.Param{
	{Name: "object", Type: "integer", Help: "only this object's entries"},
	{Name: "module", Type: "string", Help: "only entries of this module, e.g. NET.3.1"},
	{Name: "status", Type: "string", Help: "open, yes, partial, no or not_applicable"},
	{Name: "level", Type: "string", Help: "basis, standard or elevated"},
	{Name: "obligation", Type: "string", Help: "Grundschutz++: muss, sollte or kann"},
	{Name: "effort", Type: "integer", Help: "Grundschutz++: the requirement's effort level, 0 to 5"},
	{Name: "department", Type: "integer", Help: "department id; its subtree is included"},
	{Name: "responsible", Type: "string", Help: "part of the responsible person's name"},
	{Name: "review_overdue", Type: "boolean", Help: "true: only entries whose next review date has passed"},
	{Name: "retired", Type: "boolean", Help: "true: include retired entries"},
	{Name: "limit", Type: "integer", Help: "entries per page, 1 to 1000 (default 100)"},
	cursorParam,
}

var planParams = []route.Param{
	{Name: "owner", Type: "string", Help: "part of the owner's name"},
	{Name: "department", Type: "integer", Help: "department id; its subtree is included"},
	{Name: "month", Type: "string", Help: "due month, e.g. 2026-12"},
	{Name: "state", Type: "string", Help: "planned, in_progress or done"},
	{Name: "overdue", Type: "boolean", Help: "true: only open measures past their due date"},
	{Name: "done", Type: "boolean", Help: "true: include done measures"},
	{Name: "limit", Type: "integer", Help: "measures per page, 1 to 1000 (default 100)"},
	cursorParam,
}

// cursorParam is the parameter of every keyset page.
var cursorParam = route.Param{Name: "cursor", Type: "string", Help: "next_cursor of the previous page"}

type entryObjectJSON struct {
	ID           int64             `json:"id"`
	ShortID      string            `json:"short_id"`
	Name         string            `json:"name"`
	Type         domain.ObjectType `json:"type,omitempty"` // a plan item's object comes without
	DepartmentID *int64            `json:"department_id"`
	Department   string            `json:"department,omitempty"`
}

type entryJSON struct {
	ID             int64           `json:"id"`
	ScopeID        int64           `json:"scope_id"`
	Object         entryObjectJSON `json:"object"`
	CatalogID      int64           `json:"catalog_id"`
	Requirement    string          `json:"requirement"`
	Title          string          `json:"title"`
	Module         string          `json:"module"`
	Level          domain.Level    `json:"level"`
	Active         bool            `json:"active"`
	RetiredAt      *time.Time      `json:"retired_at"`
	FollowsGroup   bool            `json:"follows_group"`
	Status         domain.Status   `json:"status"`
	Justification  string          `json:"justification"`
	Implementation string          `json:"implementation"`
	Responsible    string          `json:"responsible"`
	ImplementedOn  *string         `json:"implemented_on"`
	TargetDate     *string         `json:"target_date"`
	LastReview     *string         `json:"last_review"`
	NextReview     *string         `json:"next_review"`
	ReviewOverdue  bool            `json:"review_overdue"`
	UpdatedAt      time.Time       `json:"updated_at"`
	UpdatedBy      string          `json:"updated_by"`
	Version        int             `json:"version"`
	// Grundschutz++ only.
	Obligation domain.Obligation   `json:"obligation,omitempty"`
	Effort     *int                `json:"effort,omitempty"`
	Exception  *entryExceptionJSON `json:"exception,omitempty"`

	// ImplementationOffers are the descriptions of the components assigned
	// to the entry's object that implement its requirement; only the
	// single entry's answer carries them.
	ImplementationOffers []postgres.ImplementationOffer `json:"implementation_offers,omitempty"`
}

// entryExceptionJSON is the summary of an entry's exception not revoked.
type entryExceptionJSON struct {
	ID         int64  `json:"id"`
	ValidUntil string `json:"valid_until"`
	Valid      bool   `json:"valid"`
}

func dateJSON(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format("2006-01-02")
	return &s
}

func newEntryJSON(e domain.CheckEntry, today time.Time) entryJSON {
	j := entryJSON{ID: e.ID, ScopeID: e.ScopeID, Object: entryObjectJSON{ID: e.ObjectID, ShortID: e.ObjectShortID, Name: e.ObjectName,
		Type: e.ObjectType, DepartmentID: e.DepartmentID, Department: e.DepartmentName}, CatalogID: e.CatalogID, Requirement: e.RequirementID,
		Title: e.Title, Module: e.ModuleID, Level: e.Level, Active: e.Active, RetiredAt: e.RetiredAt, FollowsGroup: e.FollowsGroup,
		Status: e.Status, Justification: e.Justification, Implementation: e.Implementation, Responsible: e.Responsible,
		ImplementedOn: dateJSON(e.ImplementedOn), TargetDate: dateJSON(e.TargetDate), LastReview: dateJSON(e.LastReview),
		NextReview: dateJSON(e.NextReview), ReviewOverdue: e.ReviewOverdue(today), UpdatedAt: e.UpdatedAt, UpdatedBy: e.UpdatedBy,
		Version: e.Version, Obligation: e.Obligation, Effort: e.Effort}
	if e.ExceptionID != nil {
		j.Exception = &entryExceptionJSON{ID: *e.ExceptionID, ValidUntil: e.ExceptionUntil.Format(time.DateOnly), Valid: e.HasValidException(today)}
	}
	return j
}

// today is the date that decides what is overdue, in the organisation's
// time zone like the web pages.
func (a *API) today() time.Time { return domain.Today(a.Location) }

// scopeOfPath reads the id of the path's scope; a scope that does not
// exist is a 404, not an empty list.
func (a *API) scopeOfPath(c *gin.Context) (int64, error) {
	return existingOfPath(c, a.DB.Scope)
}

// nextCursor is the next_cursor of a keyset page: the id the store
// returned, "" at the end.
func nextCursor(next int64) string {
	if next == 0 {
		return ""
	}
	return strconv.FormatInt(next, 10)
}

func (a *API) listEntries(c *gin.Context) error {
	scopeID, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	f, err := domain.ParseEntryFilter(c.Request.URL.Query())
	if err != nil {
		return err
	}
	f.Today = a.today()
	es, next, err := a.DB.ListEntries(c.Request.Context(), scopeID, f, route.Visibility(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(convertOn(es, f.Today, newEntryJSON), nextCursor(next)))
	return nil
}

func (a *API) writeEntry(c *gin.Context, status int, id int64) error {
	e, err := a.DB.EntryByID(c.Request.Context(), id, a.objectVisibility(c))
	if err != nil {
		return err
	}
	out := newEntryJSON(e, a.today())
	if out.ImplementationOffers, err = a.DB.EntryOffers(c.Request.Context(), e.ID); err != nil {
		return err
	}
	writeVersioned(c, status, e.Version, out)
	return nil
}

func (a *API) getEntry(c *gin.Context) error {
	return getByPath(c, a.writeEntry)
}

// entryChangeJSON is a change of a check entry as the API sends it, a
// merge patch: absent members stay, null clears a date or a text.
type entryChangeJSON struct {
	Status         Optional[domain.Status] `json:"status"`
	Justification  Optional[string]        `json:"justification"`
	Implementation Optional[string]        `json:"implementation"`
	Responsible    Optional[string]        `json:"responsible"`
	ImplementedOn  Optional[*time.Time]    `json:"implemented_on"`
	TargetDate     Optional[*time.Time]    `json:"target_date"`
	LastReview     Optional[*time.Time]    `json:"last_review"`
	NextReview     Optional[*time.Time]    `json:"next_review"`
	FollowGroup    Optional[bool]          `json:"follow_group"`
}

func (j entryChangeJSON) change() domain.EntryChange {
	return domain.EntryChange{Status: j.Status.Change(), Justification: j.Justification.Change(), Implementation: j.Implementation.Change(),
		Responsible: j.Responsible.Change(), ImplementedOn: j.ImplementedOn.Change(), TargetDate: j.TargetDate.Change(),
		LastReview: j.LastReview.Change(), NextReview: j.NextReview.Change(), FollowGroup: j.FollowGroup.Value}
}

func (a *API) updateEntry(c *gin.Context) error {
	var req entryChangeJSON
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	if _, err := a.runEntries(c, 0, []postgres.EntryUpdate{{ID: id, Version: version, Change: req.change()}}, ""); err != nil {
		return err
	}
	return a.writeEntry(c, http.StatusOK, id)
}

func (a *API) bulkEntries(c *gin.Context) error {
	scopeID, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	var req struct {
		Items []struct {
			ID      int64 `json:"id"`
			Version int   `json:"version"`
			entryChangeJSON
		} `json:"items"`
	}
	if err := a.decode(c, &req); err != nil {
		return err
	}
	items := make([]postgres.EntryUpdate, len(req.Items))
	for i, it := range req.Items {
		items[i] = postgres.EntryUpdate{ID: it.ID, Version: it.Version, Change: it.change()}
	}
	done, err := a.runEntries(c, scopeID, items, "/items")
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(convertOn(done, a.today(), newEntryJSON), ""))
	return nil
}

// runEntries applies entry changes in one transaction (those of a bulk
// must be entries of its scope; scopeID 0 takes an entry of any) and
// turns item refusals into one error: 412 when every refusal is a stale
// version, 404 for a single missing entry, otherwise 422 listing each item.
func (a *API) runEntries(c *gin.Context, scopeID int64, items []postgres.EntryUpdate, pointer string) ([]domain.CheckEntry, error) {
	p, _ := route.Principal(c)
	ctx, vis := c.Request.Context(), route.Visibility(c)
	var done []domain.CheckEntry
	var itemErrs []postgres.ItemError
	err := a.run(c, func(tx *postgres.Tx) error {
		var err error
		done, itemErrs, err = tx.UpdateEntries(ctx, scopeID, items, vis, p.User.Username)
		if err == nil && len(itemErrs) > 0 {
			err = errRefused // roll back
		}
		return err
	})
	if errors.Is(err, errRefused) {
		return nil, itemsError(itemErrs, pointer)
	}
	return done, err
}

var errRefused = errors.New("refused")

func itemsError(errs []postgres.ItemError, pointer string) error {
	stale, missing := true, true
	vs := make([]domain.Violation, len(errs))
	for i, e := range errs {
		stale = stale && errors.Is(e.Kind, domain.ErrPreconditionFailed)
		missing = missing && errors.Is(e.Kind, domain.ErrNotFound)
		at := "/" + e.Field
		if pointer != "" {
			at = fmt.Sprintf("%s/%d/%s", pointer, e.Index, e.Field)
		}
		vs[i] = domain.Violation{Pointer: at, Detail: e.Detail, German: e.German}
	}
	switch {
	case pointer == "" && missing:
		return domain.Errorf(domain.ErrNotFound, "%s", errs[0].Detail).De(errs[0].German)
	case stale:
		e := domain.Errorf(domain.ErrPreconditionFailed, "%d entries were changed by someone else; read them again", len(errs)).
			De("Einträge wurden inzwischen geändert. Bitte laden Sie sie neu.")
		e.Violations = vs
		return e
	}
	return domain.Invalid(vs...)
}

func (a *API) entryHistory(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if _, err := a.DB.EntryByID(ctx, id, a.objectVisibility(c)); err != nil {
		return err
	}
	recs, _, err := a.DB.ListAudit(ctx, domain.AuditFilter{ResourceType: "check_entry", ResourceID: strconv.FormatInt(id, 10), Limit: 500})
	return answerList(c, recs, err, newAuditResponse)
}

type planJSON struct {
	ID          int64            `json:"id"`
	EntryID     int64            `json:"entry_id"`
	Object      entryObjectJSON  `json:"object"`
	Requirement string           `json:"requirement"`
	Title       string           `json:"title"`
	Level       domain.Level     `json:"level"`
	EntryStatus domain.Status    `json:"entry_status"`
	Measure     string           `json:"measure"`
	Owner       string           `json:"owner"`
	DueDate     *string          `json:"due_date"`
	BudgetEUR   *float64         `json:"budget_eur"`
	Priority    int              `json:"priority"`
	State       domain.PlanState `json:"state"`
	ClosedAt    *time.Time       `json:"closed_at"`
	Overdue     bool             `json:"overdue"`
	Version     int              `json:"version"`
}

func newPlanJSON(p domain.PlanItem, today time.Time) planJSON {
	j := planJSON{ID: p.ID, EntryID: p.EntryID, Object: entryObjectJSON{ID: p.ObjectID, ShortID: p.ObjectShortID, Name: p.ObjectName,
		DepartmentID: p.DepartmentID, Department: p.DepartmentName}, Requirement: p.RequirementID, Title: p.Title, Level: p.Level,
		EntryStatus: p.EntryStatus, Measure: p.Measure, Owner: p.Owner, DueDate: dateJSON(p.DueDate), Priority: p.Priority,
		State: p.State, ClosedAt: p.ClosedAt, Overdue: p.Overdue(today), Version: p.Version}
	if p.BudgetCents != nil {
		eur := float64(*p.BudgetCents) / 100
		j.BudgetEUR = &eur
	}
	return j
}

func (a *API) listPlan(c *gin.Context) error {
	scopeID, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	f, err := domain.ParsePlanFilter(c.Request.URL.Query())
	if err != nil {
		return err
	}
	f.Today = a.today()
	items, next, err := a.DB.ListPlanItems(c.Request.Context(), scopeID, f, route.Visibility(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(convertOn(items, f.Today, newPlanJSON), nextCursor(next)))
	return nil
}

func (a *API) planSummary(c *gin.Context) error {
	scopeID, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	gs, err := a.DB.PlanSummary(c.Request.Context(), scopeID, c.DefaultQuery("by", "owner"), a.today(), route.Visibility(c))
	if err != nil {
		return err
	}
	type groupJSON struct {
		Key       string  `json:"key"`
		Label     string  `json:"label"`
		Open      int     `json:"open"`
		Overdue   int     `json:"overdue"`
		BudgetEUR float64 `json:"budget_eur"`
	}
	out := make([]groupJSON, len(gs))
	for i, g := range gs {
		out[i] = groupJSON{Key: g.Key, Label: g.Label, Open: g.Open, Overdue: g.Overdue, BudgetEUR: float64(g.BudgetCents) / 100}
	}
	c.JSON(http.StatusOK, newList(out, ""))
	return nil
}

func (a *API) updatePlanItem(c *gin.Context) error {
	var req struct {
		Measure  Optional[string]           `json:"measure"`
		Owner    Optional[string]           `json:"owner"`
		DueDate  Optional[*time.Time]       `json:"due_date"`
		Budget   Optional[*float64]         `json:"budget_eur"`
		Priority Optional[int]              `json:"priority"`
		State    Optional[domain.PlanState] `json:"state"`
	}
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	ch := domain.PlanChange{Measure: req.Measure.Change(), Owner: req.Owner.Change(), DueDate: req.DueDate.Change(),
		Priority: req.Priority.Change(), State: req.State.Change()}
	if req.Budget.Set {
		var cents *int64
		if eur := req.Budget.Value; eur != nil {
			v := int64(math.Round(*eur * 100))
			cents = &v
		}
		ch.BudgetCents = &cents
	}
	p, err := inTx(a, c, func(tx *postgres.Tx) (domain.PlanItem, error) {
		return tx.UpdatePlanItem(c.Request.Context(), id, version, ch, route.Visibility(c))
	})
	if err != nil {
		return err
	}
	writeVersioned(c, http.StatusOK, p.Version, newPlanJSON(p, a.today()))
	return nil
}
