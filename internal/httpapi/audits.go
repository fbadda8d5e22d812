package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// auditingRoutes are the audits of a scope: planning, the sample (by hand
// or drawn with a recorded seed) with a result per item, findings, and
// the corrective actions that answer them. Auditors run audits and verify
// corrective actions; ISBs submit them.
func (a *API) auditingRoutes() []route.Route {
	read, write := authz.Require(authz.ResourceAudits, authz.ActionRead), authz.Require(authz.ResourceAudits, authz.ActionWrite)
	answer := authz.Require(authz.ResourceCorrectiveActions, authz.ActionWrite)
	get, post, patch, del := http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	return []route.Route{
		{Method: get, Path: "/api/v1/scopes/:id/audits", Perm: read, Handler: a.listAudits,
			Summary: "The audits of the scope, the latest first, with the size of their sample and their open findings", Response: "audit.json", List: true},
		{Method: post, Path: "/api/v1/scopes/:id/audits", Perm: write, Handler: a.createAudit,
			Summary: "Plan an audit of the scope", Request: "audit-create.json", Response: "audit.json", Status: http.StatusCreated},
		{Method: get, Path: "/api/v1/audits/:id", Perm: read, Handler: a.getAudit,
			Summary: "One audit; the ETag is its version", Response: "audit.json"},
		{Method: patch, Path: "/api/v1/audits/:id", Perm: write, Handler: a.updateAudit, IfMatch: true,
			Summary: "Change an audit (kind, title, auditors, period, scope, state)", Request: "audit-update.json", Response: "audit.json"},
		{Method: get, Path: "/api/v1/audits/:id/sample", Perm: read, Handler: a.listSample,
			Summary:  "The audit's sample as a checklist: modules, objects, requirements (a reader limited to departments sees those of their objects)",
			Response: "sample-item.json", List: true},
		{Method: post, Path: "/api/v1/audits/:id/sample", Perm: write, Handler: a.addSampleItem,
			Summary: "Put a module, object or requirement picked by hand into the sample", Request: "sample-add.json", Response: "sample-item.json",
			Status: http.StatusCreated},
		{Method: post, Path: "/api/v1/audits/:id/sample/draw", Perm: write, Handler: a.drawSample,
			Summary: "Draw modules, objects and requirements at random with a seed (chosen when not given, recorded on every drawn item); answers the drawn items",
			Request: "sample-draw.json", Response: "sample-item.json", List: true},
		{Method: patch, Path: "/api/v1/sample-items/:id", Perm: write, Handler: a.updateSampleItem, IfMatch: true,
			Summary: "Record the result of a sample item (send its version as If-Match)", Request: "sample-result.json", Response: "sample-item.json"},
		{Method: del, Path: "/api/v1/sample-items/:id", Perm: write, Handler: a.deleteSampleItem, IfMatch: true,
			Summary: "Take an item out of the sample, unless a finding refers to it", Status: http.StatusNoContent},
		{Method: get, Path: "/api/v1/audits/:id/findings", Perm: read, Handler: a.listAuditFindings,
			Summary: "The audit's findings by due date, in cursor pages", Response: "finding.json", List: true, Query: findingParams},
		{Method: post, Path: "/api/v1/audits/:id/findings", Perm: write, Handler: a.createFinding,
			Summary: "Record a finding; a minor or major nonconformity needs a due date", Request: "finding-create.json", Response: "finding.json",
			Status: http.StatusCreated},
		{Method: get, Path: "/api/v1/scopes/:id/findings", Perm: read, Handler: a.listScopeFindings,
			Summary:  "The findings of all audits of the scope by due date, filtered, in cursor pages",
			Response: "finding.json", List: true, Query: append([]route.Param{{Name: "audit", Type: "integer", Help: "only this audit's findings"}}, findingParams...)},
		{Method: get, Path: "/api/v1/findings/:id", Perm: read, Handler: a.getFinding,
			Summary: "One finding with its links and corrective actions; the ETag is its version", Response: "finding.json"},
		{Method: patch, Path: "/api/v1/findings/:id", Perm: write, Handler: a.updateFinding, IfMatch: true,
			Summary: "Change a finding that is not closed (class, title, description, due date, links)", Request: "finding-update.json", Response: "finding.json"},
		{Method: post, Path: "/api/v1/findings/:id/corrective-actions", Perm: answer, Handler: a.submitCorrectiveAction, IfMatch: true,
			Summary: "Answer an open finding with a corrective action (ISB); it then waits for the auditor", Request: "corrective-action-create.json",
			Response: "finding.json", Status: http.StatusCreated},
		{Method: post, Path: "/api/v1/findings/:id/verification", Perm: write, Handler: a.verifyCorrectiveAction, IfMatch: true,
			Summary: "Verify the waiting corrective action (auditor, never one's own): accepted closes the finding, rejected with a comment opens it again",
			Request: "corrective-action-verify.json", Response: "finding.json"},
	}
}

var findingParams = []route.Param{
	{Name: "class", Type: "string", Help: "recommendation, minor or major"},
	{Name: "state", Type: "string", Help: "open, action_submitted or closed"},
	{Name: "open", Type: "boolean", Help: "true: only findings not closed"},
	{Name: "overdue", Type: "boolean", Help: "true: only findings not closed and past their due date"},
	{Name: "limit", Type: "integer", Help: "findings per page, 1 to 1000 (default 100)"},
	cursorParam,
}

type auditJSON struct {
	ID           int64             `json:"id"`
	ScopeID      int64             `json:"scope_id"`
	Kind         domain.AuditKind  `json:"kind"`
	Title        string            `json:"title"`
	Auditors     []string          `json:"auditors"`
	StartsOn     string            `json:"starts_on"`
	EndsOn       string            `json:"ends_on"`
	ScopeNote    string            `json:"scope_note"`
	State        domain.AuditState `json:"state"`
	Samples      int               `json:"samples"`
	Assessed     int               `json:"assessed"`
	OpenFindings int               `json:"open_findings"`
	CreatedBy    string            `json:"created_by"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
	Version      int               `json:"version"`
}

func newAuditJSON(au domain.Audit) auditJSON {
	return auditJSON{ID: au.ID, ScopeID: au.ScopeID, Kind: au.Kind, Title: au.Title, Auditors: au.Auditors, StartsOn: *dateJSON(&au.StartsOn),
		EndsOn: *dateJSON(&au.EndsOn), ScopeNote: au.ScopeNote, State: au.State, Samples: au.Samples, Assessed: au.Assessed,
		OpenFindings: au.OpenFindings, CreatedBy: au.CreatedBy, CreatedAt: au.CreatedAt, UpdatedAt: au.UpdatedAt, Version: au.Version}
}

// parseDateAt reads a date the schema has checked already; a day that does not
// exist (2026-02-30) is refused at its pointer.
func parseDateAt(pointer, s string) (time.Time, error) {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return d, domain.Invalid(domain.Violation{Pointer: pointer, Detail: "want a date as 2006-01-02", German: "Bitte ein Datum angeben."})
	}
	return d, nil
}

func (a *API) listAudits(c *gin.Context) error {
	scopeID, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	as, err := a.DB.ListAudits(c.Request.Context(), scopeID)
	return answerList(c, as, err, newAuditJSON)
}

func (a *API) writeAudit(c *gin.Context, status int, au domain.Audit) {
	writeVersioned(c, status, au.Version, newAuditJSON(au))
}

func (a *API) createAudit(c *gin.Context) error {
	scopeID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		Kind      domain.AuditKind  `json:"kind"`
		Title     string            `json:"title"`
		Auditors  []string          `json:"auditors"`
		StartsOn  string            `json:"starts_on"`
		EndsOn    string            `json:"ends_on"`
		ScopeNote string            `json:"scope_note"`
		State     domain.AuditState `json:"state"`
	}
	if err := a.decode(c, &req); err != nil {
		return err
	}
	in := domain.AuditInput{Kind: req.Kind, Title: req.Title, Auditors: req.Auditors, ScopeNote: req.ScopeNote, State: req.State}
	if in.StartsOn, err = parseDateAt("/starts_on", req.StartsOn); err != nil {
		return err
	}
	if in.EndsOn, err = parseDateAt("/ends_on", req.EndsOn); err != nil {
		return err
	}
	au, err := inTx(a, c, func(tx *postgres.Tx) (domain.Audit, error) {
		return tx.CreateAudit(c.Request.Context(), scopeID, in)
	})
	if err != nil {
		return err
	}
	setLocation(c, "/api/v1/audits/", au.ID)
	a.writeAudit(c, http.StatusCreated, au)
	return nil
}

func (a *API) getAudit(c *gin.Context) error {
	return getLoaded(c, a.DB.AuditByID, a.writeAudit)
}

func (a *API) updateAudit(c *gin.Context) error {
	var req struct {
		Kind      Optional[domain.AuditKind]  `json:"kind"`
		Title     Optional[string]            `json:"title"`
		Auditors  Optional[[]string]          `json:"auditors"`
		StartsOn  Optional[time.Time]         `json:"starts_on"`
		EndsOn    Optional[time.Time]         `json:"ends_on"`
		ScopeNote Optional[string]            `json:"scope_note"`
		State     Optional[domain.AuditState] `json:"state"`
	}
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	ch := domain.AuditChange{Kind: req.Kind.Change(), Title: req.Title.Change(), Auditors: req.Auditors.Change(),
		StartsOn: req.StartsOn.Change(), EndsOn: req.EndsOn.Change(), ScopeNote: req.ScopeNote.Change(), State: req.State.Change()}
	au, err := inTx(a, c, func(tx *postgres.Tx) (domain.Audit, error) {
		return tx.UpdateAudit(c.Request.Context(), id, version, ch)
	})
	if err != nil {
		return err
	}
	a.writeAudit(c, http.StatusOK, au)
	return nil
}

type sampleObjectJSON struct {
	ID      int64  `json:"id"`
	ShortID string `json:"short_id"`
	Name    string `json:"name"`
}

type sampleItemJSON struct {
	ID               int64               `json:"id"`
	AuditID          int64               `json:"audit_id"`
	Type             domain.SampleType   `json:"type"`
	Label            string              `json:"label"`
	ModuleID         string              `json:"module_id,omitempty"`
	ModuleTitle      string              `json:"module_title,omitempty"`
	Object           *sampleObjectJSON   `json:"object"`
	EntryID          *int64              `json:"entry_id"`
	Requirement      string              `json:"requirement,omitempty"`
	RequirementTitle string              `json:"requirement_title,omitempty"`
	EntryStatus      domain.Status       `json:"entry_status,omitempty"`
	Seed             *int64              `json:"seed"`
	Result           domain.SampleResult `json:"result"`
	Note             string              `json:"note"`
	UpdatedBy        string              `json:"updated_by"`
	UpdatedAt        time.Time           `json:"updated_at"`
	Version          int                 `json:"version"`
}

func newSampleItemJSON(s domain.SampleItem) sampleItemJSON {
	j := sampleItemJSON{ID: s.ID, AuditID: s.AuditID, Type: s.Type, Label: s.Label(), ModuleID: s.ModuleID, ModuleTitle: s.ModuleTitle,
		EntryID: s.EntryID, Requirement: s.RequirementID, RequirementTitle: s.RequirementTitle, EntryStatus: s.EntryStatus, Seed: s.Seed,
		Result: s.Result, Note: s.Note, UpdatedBy: s.UpdatedBy, UpdatedAt: s.UpdatedAt, Version: s.Version}
	if s.ObjectID != nil {
		j.Object = &sampleObjectJSON{ID: *s.ObjectID, ShortID: s.ObjectShortID, Name: s.ObjectName}
	}
	return j
}

func (a *API) listSample(c *gin.Context) error {
	id, err := existingOfPath(c, a.DB.AuditByID)
	if err != nil {
		return err
	}
	items, err := a.DB.SampleItems(c.Request.Context(), id, a.objectVisibility(c))
	return answerList(c, items, err, newSampleItemJSON)
}

func (a *API) addSampleItem(c *gin.Context) error {
	var req struct {
		Type     domain.SampleType `json:"type"`
		ModuleID string            `json:"module_id"`
		ObjectID int64             `json:"object_id"`
		EntryID  int64             `json:"entry_id"`
	}
	id, err := a.decodeAt(c, &req)
	if err != nil {
		return err
	}
	s, err := inTx(a, c, func(tx *postgres.Tx) (domain.SampleItem, error) {
		return tx.AddSampleItem(c.Request.Context(), id, domain.SampleInput{Type: req.Type, ModuleID: req.ModuleID, ObjectID: req.ObjectID,
			EntryID: req.EntryID}, route.Visibility(c))
	})
	if err != nil {
		return err
	}
	writeVersioned(c, http.StatusCreated, s.Version, newSampleItemJSON(s))
	return nil
}

func (a *API) drawSample(c *gin.Context) error {
	var req struct {
		Modules      int    `json:"modules"`
		Objects      int    `json:"objects"`
		Requirements int    `json:"requirements"`
		Seed         *int64 `json:"seed"`
	}
	id, err := a.decodeAt(c, &req)
	if err != nil {
		return err
	}
	items, err := inTx(a, c, func(tx *postgres.Tx) ([]domain.SampleItem, error) {
		items, _, err := tx.DrawSample(c.Request.Context(), id, domain.SampleDraw{Modules: req.Modules, Objects: req.Objects,
			Requirements: req.Requirements, Seed: req.Seed})
		return items, err
	})
	return answerList(c, items, err, newSampleItemJSON)
}

func (a *API) updateSampleItem(c *gin.Context) error {
	var req struct {
		Result Optional[domain.SampleResult] `json:"result"`
		Note   Optional[string]              `json:"note"`
	}
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	// An item of an object the reader may not see is not found.
	if _, err := a.DB.SampleItemByID(ctx, id, route.Visibility(c)); err != nil {
		return err
	}
	ch := domain.SampleResultChange{Result: req.Result.Change(), Note: req.Note.Change()}
	s, err := inTx(a, c, func(tx *postgres.Tx) (domain.SampleItem, error) {
		return tx.RecordSampleResult(ctx, id, version, ch)
	})
	if err != nil {
		return err
	}
	writeVersioned(c, http.StatusOK, s.Version, newSampleItemJSON(s))
	return nil
}

func (a *API) deleteSampleItem(c *gin.Context) error {
	id, version, err := pathAndVersion(c)
	if err != nil {
		return err
	}
	return noContent(c, a.run(c, func(tx *postgres.Tx) error { return tx.RemoveSampleItem(c.Request.Context(), id, version) }))
}

type findingLinkJSON struct {
	Target   string `json:"target"`
	TargetID int64  `json:"target_id"`
	Label    string `json:"label"`
}

type correctiveActionJSON struct {
	ID          int64          `json:"id"`
	Description string         `json:"description"`
	SubmittedBy string         `json:"submitted_by"`
	SubmittedAt time.Time      `json:"submitted_at"`
	Verdict     domain.Verdict `json:"verdict"`
	VerifiedBy  string         `json:"verified_by,omitempty"`
	VerifiedAt  *time.Time     `json:"verified_at"`
	Comment     string         `json:"comment"`
}

type findingJSON struct {
	ID                int64                  `json:"id"`
	AuditID           int64                  `json:"audit_id"`
	AuditTitle        string                 `json:"audit_title"`
	ScopeID           int64                  `json:"scope_id"`
	Class             domain.FindingClass    `json:"class"`
	Title             string                 `json:"title"`
	Description       string                 `json:"description"`
	DueDate           *string                `json:"due_date"`
	State             domain.FindingState    `json:"state"`
	Overdue           bool                   `json:"overdue"`
	CreatedBy         string                 `json:"created_by"`
	CreatedAt         time.Time              `json:"created_at"`
	ClosedBy          string                 `json:"closed_by,omitempty"`
	ClosedAt          *time.Time             `json:"closed_at"`
	UpdatedAt         time.Time              `json:"updated_at"`
	Links             []findingLinkJSON      `json:"links"`
	CorrectiveActions []correctiveActionJSON `json:"corrective_actions"`
	Version           int                    `json:"version"`
}

func newFindingJSON(f domain.Finding, today time.Time) findingJSON {
	j := findingJSON{ID: f.ID, AuditID: f.AuditID, AuditTitle: f.AuditTitle, ScopeID: f.ScopeID, Class: f.Class, Title: f.Title,
		Description: f.Description, DueDate: dateJSON(f.DueDate), State: f.State, Overdue: f.Overdue(today), CreatedBy: f.CreatedBy,
		CreatedAt: f.CreatedAt, ClosedBy: f.ClosedBy, ClosedAt: f.ClosedAt, UpdatedAt: f.UpdatedAt, Links: []findingLinkJSON{},
		CorrectiveActions: []correctiveActionJSON{}, Version: f.Version}
	for _, l := range f.Links {
		j.Links = append(j.Links, findingLinkJSON{Target: l.Target, TargetID: l.TargetID, Label: l.Label})
	}
	for _, ca := range f.Actions {
		j.CorrectiveActions = append(j.CorrectiveActions, correctiveActionJSON{ID: ca.ID, Description: ca.Description, SubmittedBy: ca.SubmittedBy,
			SubmittedAt: ca.SubmittedAt, Verdict: ca.Verdict, VerifiedBy: ca.VerifiedBy, VerifiedAt: ca.VerifiedAt, Comment: ca.Comment})
	}
	return j
}

// findingFilter reads the finding list parameters of the query.
func findingFilter(c *gin.Context) (postgres.FindingFilter, error) {
	f := postgres.FindingFilter{Class: domain.FindingClass(c.Query("class")), State: domain.FindingState(c.Query("state")),
		OpenOnly: c.Query("open") == "true", OverdueOnly: c.Query("overdue") == "true"}
	var vs []domain.Violation
	if f.Class != "" && !f.Class.Valid() {
		vs = append(vs, domain.Violation{Pointer: "/class", Detail: "class must be recommendation, minor or major", German: "Unbekannte Art der Feststellung."})
	}
	if f.State != "" && !f.State.Valid() {
		vs = append(vs, domain.Violation{Pointer: "/state", Detail: "state must be open, action_submitted or closed", German: "Unbekannter Stand."})
	}
	if v := c.Query("cursor"); v != "" {
		var err error
		if f.After, err = strconv.ParseInt(v, 10, 64); err != nil || f.After <= 0 {
			vs = append(vs, domain.Violation{Pointer: "/cursor", Detail: "not a cursor of this list"})
		}
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			vs = append(vs, domain.Violation{Pointer: "/limit", Detail: "must be a number from 1 to 1000"})
		}
		f.Limit = n
	}
	if len(vs) > 0 {
		return f, domain.Invalid(vs...)
	}
	return f, nil
}

// listFindings answers a page of findings selected by the query and by f.
func (a *API) listFindings(c *gin.Context, f postgres.FindingFilter) error {
	q, err := findingFilter(c)
	if err != nil {
		return err
	}
	q.ScopeID, q.AuditID, q.Today = f.ScopeID, f.AuditID, a.today()
	fs, next, err := a.DB.ListFindings(c.Request.Context(), q, a.objectVisibility(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(convertOn(fs, q.Today, newFindingJSON), nextCursor(next)))
	return nil
}

func (a *API) listAuditFindings(c *gin.Context) error {
	id, err := existingOfPath(c, a.DB.AuditByID)
	if err != nil {
		return err
	}
	return a.listFindings(c, postgres.FindingFilter{AuditID: id})
}

func (a *API) listScopeFindings(c *gin.Context) error {
	scopeID, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	f := postgres.FindingFilter{ScopeID: scopeID}
	if v := c.Query("audit"); v != "" {
		if f.AuditID, err = strconv.ParseInt(v, 10, 64); err != nil || f.AuditID <= 0 {
			return domain.Invalid(domain.Violation{Pointer: "/audit", Detail: "must be an audit id"})
		}
	}
	return a.listFindings(c, f)
}

func (a *API) writeFinding(c *gin.Context, status int, id int64) error {
	f, err := a.DB.FindingByID(c.Request.Context(), id, a.objectVisibility(c))
	if err != nil {
		return err
	}
	writeVersioned(c, status, f.Version, newFindingJSON(f, a.today()))
	return nil
}

func (a *API) getFinding(c *gin.Context) error {
	return getByPath(c, a.writeFinding)
}

type findingLinkInput struct {
	Target   string `json:"target"`
	TargetID int64  `json:"target_id"`
}

func findingLinks(in []findingLinkInput) []domain.FindingLink {
	out := make([]domain.FindingLink, len(in))
	for i, l := range in {
		out[i] = domain.FindingLink{Target: l.Target, TargetID: l.TargetID}
	}
	return out
}

func (a *API) createFinding(c *gin.Context) error {
	var req struct {
		Class       domain.FindingClass  `json:"class"`
		Title       string               `json:"title"`
		Description string               `json:"description"`
		DueDate     Optional[*time.Time] `json:"due_date"`
		Links       []findingLinkInput   `json:"links"`
	}
	id, err := a.decodeAt(c, &req)
	if err != nil {
		return err
	}
	in := domain.FindingInput{Class: req.Class, Title: req.Title, Description: req.Description, DueDate: req.DueDate.Value,
		Links: findingLinks(req.Links)}
	f, err := inTx(a, c, func(tx *postgres.Tx) (domain.Finding, error) {
		return tx.CreateFinding(c.Request.Context(), id, in, route.Visibility(c))
	})
	if err != nil {
		return err
	}
	setLocation(c, "/api/v1/findings/", f.ID)
	return a.writeFinding(c, http.StatusCreated, f.ID)
}

func (a *API) updateFinding(c *gin.Context) error {
	var req struct {
		Class       Optional[domain.FindingClass] `json:"class"`
		Title       Optional[string]              `json:"title"`
		Description Optional[string]              `json:"description"`
		DueDate     Optional[*time.Time]          `json:"due_date"`
		Links       Optional[[]findingLinkInput]  `json:"links"`
	}
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	ch := domain.FindingChange{Class: req.Class.Change(), Title: req.Title.Change(), Description: req.Description.Change(),
		DueDate: req.DueDate.Change()}
	if req.Links.Set {
		links := findingLinks(req.Links.Value)
		ch.Links = &links
	}
	if err := a.run(c, func(tx *postgres.Tx) error {
		_, err := tx.UpdateFinding(c.Request.Context(), id, version, ch, route.Visibility(c))
		return err
	}); err != nil {
		return err
	}
	return a.writeFinding(c, http.StatusOK, id)
}

func (a *API) submitCorrectiveAction(c *gin.Context) error {
	var req struct {
		Description string `json:"description"`
	}
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	if err := a.run(c, func(tx *postgres.Tx) error {
		_, err := tx.SubmitCorrectiveAction(c.Request.Context(), id, version, domain.CorrectiveActionInput{Description: req.Description})
		return err
	}); err != nil {
		return err
	}
	return a.writeFinding(c, http.StatusCreated, id)
}

func (a *API) verifyCorrectiveAction(c *gin.Context) error {
	var req struct {
		Verdict domain.Verdict `json:"verdict"`
		Comment string         `json:"comment"`
	}
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	if err := a.run(c, func(tx *postgres.Tx) error {
		_, err := tx.VerifyCorrectiveAction(c.Request.Context(), id, version, domain.VerificationInput{Verdict: req.Verdict, Comment: req.Comment})
		return err
	}); err != nil {
		return err
	}
	return a.writeFinding(c, http.StatusOK, id)
}
