package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// riskRoutes are the risk analysis (BSI-Standard 200-3, A.5): the
// objects that need one, their threats with assessment and treatment,
// the scope's risk matrix, and management's acceptances.
func (a *API) riskRoutes() []route.Route {
	read, write := authz.Require(authz.ResourceObjects, authz.ActionRead), authz.Require(authz.ResourceObjects, authz.ActionWrite)
	sign := authz.Require(authz.ResourceRiskAcceptances, authz.ActionWrite)
	get, post, patch, put, del := http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete
	return []route.Route{
		{Method: get, Path: "/api/v1/scopes/:id/risk-analyses", Perm: read, Handler: a.listRiskAnalyses,
			Summary:  "The objects that need a risk analysis (high need, no suitable module, untypical environment) with the state of theirs",
			Response: "risk-overview.json", List: true},
		{Method: get, Path: "/api/v1/scopes/:id/risk-matrix", Perm: read, Handler: a.getRiskMatrix,
			Summary: "The scope's risk matrix (frequency × impact → category); the ETag is its version", Response: "risk-matrix.json"},
		{Method: put, Path: "/api/v1/scopes/:id/risk-matrix", Perm: write, Handler: a.putRiskMatrix, IfMatch: true,
			Summary: "Replace the scope's risk matrix (writers without a limit to departments); voids the scope's valid acceptances",
			Request: "risk-matrix-update.json", Response: "risk-matrix.json"},
		{Method: get, Path: "/api/v1/objects/:id/risk-analysis", Perm: read, Handler: a.getRiskAnalysis,
			Summary:  "The object's risk analysis with its threats, categories, treatments and acceptance; the ETag is its version",
			Response: "risk-analysis.json"},
		{Method: post, Path: "/api/v1/objects/:id/risk-analysis", Perm: write, Handler: a.createRiskAnalysis,
			Summary: "Start the object's risk analysis, pre-filled with the elementary threats of its modules' requirements",
			Request: "risk-analysis-create.json", Response: "risk-analysis.json", Status: http.StatusCreated},
		{Method: patch, Path: "/api/v1/objects/:id/risk-analysis", Perm: write, Handler: a.updateRiskAnalysis, IfMatch: true,
			Summary: "Change the summary of the risk analysis", Request: "risk-analysis-update.json", Response: "risk-analysis.json"},
		{Method: post, Path: "/api/v1/objects/:id/risk-analysis/items", Perm: write, Handler: a.addRiskItem,
			Summary: "Add an elementary threat of the catalog or an own threat", Request: "risk-item-create.json", Response: "risk-item.json",
			Status: http.StatusCreated},
		{Method: patch, Path: "/api/v1/risk-items/:id", Perm: write, Handler: a.updateRiskItem, IfMatch: true,
			Summary: "Assess and treat a threat: frequency, impact, treatment, measures, linked requirements, residual risk",
			Request: "risk-item-update.json", Response: "risk-item.json"},
		{Method: del, Path: "/api/v1/risk-items/:id", Perm: write, Handler: a.deleteRiskItem, IfMatch: true,
			Summary: "Remove a threat from its risk analysis", Status: http.StatusNoContent},
		{Method: get, Path: "/api/v1/objects/:id/risk-analysis/acceptances", Perm: read, Handler: a.listRiskAcceptances,
			Summary:  "Every acceptance of the analysis, the valid one first, with what it accepted and why it became void",
			Response: "risk-acceptance.json", List: true},
		{Method: post, Path: "/api/v1/objects/:id/risk-analysis/acceptances", Perm: sign, Handler: a.acceptRisks, IfMatch: true,
			Summary: "Management accepts the residual risks (send the analysis's ETag) and unfulfilled Standard requirements of the object; Basis requirements are refused. Signed by the signed-in account, confirmed by its password (a session that confirmed it within the last 5 minutes may omit it; a token request must send it), on the organisation's day",
			Request: "risk-acceptance-create.json", Response: "risk-acceptance.json", Status: http.StatusCreated},
	}
}

type riskObjectJSON struct {
	ID         int64             `json:"id"`
	ShortID    string            `json:"short_id"`
	Name       string            `json:"name"`
	Type       domain.ObjectType `json:"type"`
	Department string            `json:"department,omitempty"`
}

// riskLevel is a frequency, impact or category as JSON: 1 to 4, or null.
func riskLevel[T ~int8](v T) *int {
	if v == 0 {
		return nil
	}
	n := int(v)
	return &n
}

type riskOverviewJSON struct {
	Object              riskObjectJSON      `json:"object"`
	Reasons             []domain.RiskReason `json:"reasons"`
	Needs               map[string]*string  `json:"needs"`
	AnalysisID          *int64              `json:"analysis_id"`
	State               domain.RiskState    `json:"state"`
	Items               int                 `json:"items"`
	CompleteItems       int                 `json:"complete_items"`
	MaxCategory         *int                `json:"max_category"`
	MaxResidualCategory *int                `json:"max_residual_category"`
	AcceptedBy          string              `json:"accepted_by,omitempty"`
	AcceptedOn          *string             `json:"accepted_on"`
	VoidedAt            *time.Time          `json:"voided_at"`
	VoidedReason        string              `json:"voided_reason,omitempty"`
}

// listRiskAnalyses, like the matrix's handlers, leaves a missing scope to
// the store (404): ScopeByID would first make a pass over its objects.
func (a *API) listRiskAnalyses(c *gin.Context) error {
	scopeID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	rows, err := a.DB.RiskOverview(c.Request.Context(), scopeID, route.Visibility(c))
	if err != nil {
		return err
	}
	out := make([]riskOverviewJSON, len(rows))
	for i, r := range rows {
		reasons := r.Reasons()
		if reasons == nil {
			reasons = []domain.RiskReason{}
		}
		out[i] = riskOverviewJSON{Object: riskObjectJSON{ID: r.ObjectID, ShortID: r.ShortID, Name: r.Name, Type: r.Type, Department: r.DepartmentName.String},
			Reasons: reasons, Needs: map[string]*string{"c": needCode(r.C), "i": needCode(r.I), "a": needCode(r.A)},
			AnalysisID: r.AnalysisID, State: r.State, Items: r.Items, CompleteItems: r.Complete, MaxCategory: riskLevel(r.MaxCategory),
			MaxResidualCategory: riskLevel(r.MaxResidual), AcceptedBy: r.AcceptedBy.String, AcceptedOn: dateJSON(r.AcceptedOn),
			VoidedAt: r.VoidedAt, VoidedReason: r.VoidedReason.String}
	}
	c.JSON(http.StatusOK, newList(out, ""))
	return nil
}

type riskMatrixJSON struct {
	ScopeID   int64      `json:"scope_id"`
	Default   bool       `json:"default"`
	Cells     [][]int    `json:"cells"`
	Version   int        `json:"version"`
	UpdatedAt *time.Time `json:"updated_at"`
	UpdatedBy string     `json:"updated_by,omitempty"`
}

func (a *API) writeRiskMatrix(c *gin.Context, status int, m postgres.ScopeRiskMatrix) {
	writeVersioned(c, status, m.Version, riskMatrixJSON{ScopeID: m.ScopeID, Default: m.Default, Cells: m.Matrix.Cells(), Version: m.Version,
		UpdatedAt: m.UpdatedAt, UpdatedBy: m.UpdatedBy})
}

func (a *API) getRiskMatrix(c *gin.Context) error {
	return getLoaded(c, a.DB.RiskMatrix, a.writeRiskMatrix)
}

func (a *API) putRiskMatrix(c *gin.Context) error {
	var req struct {
		Cells [][]int `json:"cells"`
	}
	scopeID, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	var m domain.RiskMatrix
	for i := range 4 { // the schema guarantees 4 × 4 values from 1 to 4
		for f := range 4 {
			m[i][f] = domain.RiskCategory(req.Cells[i][f])
		}
	}
	out, err := inTx(a, c, func(tx *postgres.Tx) (postgres.ScopeRiskMatrix, error) {
		return tx.SetRiskMatrix(c.Request.Context(), scopeID, version, m, route.Visibility(c))
	})
	if err != nil {
		return err
	}
	a.writeRiskMatrix(c, http.StatusOK, out)
	return nil
}

type riskRequirementJSON struct {
	ID     string       `json:"id"`
	Title  string       `json:"title"`
	Module string       `json:"module"`
	Level  domain.Level `json:"level"`
}

func newRiskRequirements(rs []domain.LinkedRequirement) []riskRequirementJSON {
	out := make([]riskRequirementJSON, len(rs))
	for i, r := range rs {
		out[i] = riskRequirementJSON{ID: r.ID, Title: r.Title, Module: r.ModuleID, Level: r.Level}
	}
	return out
}

type riskItemJSON struct {
	ID                int64                 `json:"id"`
	AnalysisID        int64                 `json:"analysis_id"`
	ThreatID          *string               `json:"threat_id"`
	Title             string                `json:"title"`
	Description       string                `json:"description"`
	Frequency         *int                  `json:"frequency"`
	Impact            *int                  `json:"impact"`
	Category          *int                  `json:"category"`
	Treatment         *domain.Treatment     `json:"treatment"`
	Measures          string                `json:"measures"`
	Requirements      []riskRequirementJSON `json:"requirements"`
	ResidualFrequency *int                  `json:"residual_frequency"`
	ResidualImpact    *int                  `json:"residual_impact"`
	ResidualCategory  *int                  `json:"residual_category"`
	Complete          bool                  `json:"complete"`
	Missing           []string              `json:"missing"`
	UpdatedAt         time.Time             `json:"updated_at"`
	Version           int                   `json:"version"`
}

func newRiskItemJSON(it domain.RiskItem, m domain.RiskMatrix) riskItemJSON {
	r := riskItemJSON{ID: it.ID, AnalysisID: it.AnalysisID, Title: it.Title, Description: it.Description,
		Frequency: riskLevel(it.Frequency), Impact: riskLevel(it.Impact), Category: riskLevel(domain.Category(m, it.Frequency, it.Impact)),
		Measures: it.Measures, Requirements: newRiskRequirements(it.Requirements), ResidualFrequency: riskLevel(it.ResidualFrequency),
		ResidualImpact: riskLevel(it.ResidualImpact), ResidualCategory: riskLevel(domain.Category(m, it.ResidualFrequency, it.ResidualImpact)),
		Complete: it.Complete(), Missing: it.Missing(), UpdatedAt: it.UpdatedAt, Version: it.Version}
	if r.Missing == nil {
		r.Missing = []string{}
	}
	if it.ThreatID != "" {
		r.ThreatID = &it.ThreatID
	}
	if it.Treatment != domain.TreatmentNone {
		r.Treatment = &it.Treatment
	}
	return r
}

type riskEntryJSON struct {
	EntryID       int64         `json:"entry_id"`
	Object        string        `json:"object"`
	RequirementID string        `json:"requirement_id"`
	Title         string        `json:"title"`
	Level         domain.Level  `json:"level"`
	Status        domain.Status `json:"status"`
}

func newRiskEntryJSON(e domain.AcceptedEntry) riskEntryJSON {
	return riskEntryJSON{EntryID: e.EntryID, Object: e.ObjectShortID, RequirementID: e.RequirementID, Title: e.Title, Level: e.Level,
		Status: e.Status}
}

type riskAcceptanceJSON struct {
	ID             int64           `json:"id"`
	AnalysisID     int64           `json:"analysis_id"`
	AcceptedBy     string          `json:"accepted_by"`
	AcceptedOn     string          `json:"accepted_on"`
	UserID         *int64          `json:"user_id"`
	Valid          bool            `json:"valid"`
	VoidedAt       *time.Time      `json:"voided_at"`
	VoidedReason   string          `json:"voided_reason,omitempty"`
	Entries        []riskEntryJSON `json:"entries"`
	Snapshot       json.RawMessage `json:"snapshot"`
	SnapshotSHA256 string          `json:"snapshot_sha256"`
	Intact         bool            `json:"intact"`
	CreatedAt      time.Time       `json:"created_at"`
}

func newRiskAcceptanceJSON(acc domain.RiskAcceptance) riskAcceptanceJSON {
	r := riskAcceptanceJSON{ID: acc.ID, AnalysisID: acc.AnalysisID, AcceptedBy: acc.AcceptedBy, AcceptedOn: acc.AcceptedOn.Format("2006-01-02"),
		UserID: acc.UserID, Valid: acc.Valid(), VoidedAt: acc.VoidedAt, VoidedReason: acc.VoidedReason, Entries: []riskEntryJSON{},
		Snapshot: json.RawMessage(acc.Snapshot), SnapshotSHA256: acc.SnapshotHash, Intact: acc.Intact, CreatedAt: acc.CreatedAt}
	for _, e := range acc.Entries {
		r.Entries = append(r.Entries, newRiskEntryJSON(e))
	}
	return r
}

type riskAnalysisJSON struct {
	ID                 int64                 `json:"id"`
	ScopeID            int64                 `json:"scope_id"`
	Object             riskObjectJSON        `json:"object"`
	Summary            string                `json:"summary"`
	State              domain.RiskState      `json:"state"`
	Complete           bool                  `json:"complete"`
	Matrix             [][]int               `json:"matrix"`
	Items              []riskItemJSON        `json:"items"`
	Acceptance         *riskAcceptanceJSON   `json:"acceptance"`
	RequirementOptions []riskRequirementJSON `json:"requirement_options"`
	OpenEntries        []riskEntryJSON       `json:"open_entries"`
	CreatedAt          time.Time             `json:"created_at"`
	UpdatedAt          time.Time             `json:"updated_at"`
	Version            int                   `json:"version"`
}

// writeRiskAnalysis answers with an object's analysis as the reader may
// see it; the ETag is its version.
func (a *API) writeRiskAnalysis(c *gin.Context, status int, objectID int64) error {
	ctx, vis := c.Request.Context(), a.objectVisibility(c)
	an, err := a.DB.RiskAnalysisOf(ctx, objectID, vis)
	if err != nil {
		return err
	}
	opts, err := a.DB.RiskRequirementOptions(ctx, objectID)
	if err != nil {
		return err
	}
	open, err := a.DB.AcceptableEntries(ctx, objectID, vis)
	if err != nil {
		return err
	}
	r := riskAnalysisJSON{ID: an.ID, ScopeID: an.ScopeID, Object: riskObjectJSON{ID: an.ObjectID, ShortID: an.ObjectShortID, Name: an.ObjectName,
		Type: an.ObjectType}, Summary: an.Summary, State: an.State(), Complete: an.Complete(), Matrix: an.Matrix.Cells(),
		Items: make([]riskItemJSON, len(an.Items)), RequirementOptions: newRiskRequirements(opts), OpenEntries: []riskEntryJSON{},
		CreatedAt: an.CreatedAt, UpdatedAt: an.UpdatedAt, Version: an.Version}
	for i, it := range an.Items {
		r.Items[i] = newRiskItemJSON(it, an.Matrix)
	}
	if an.Acceptance != nil {
		acc := newRiskAcceptanceJSON(*an.Acceptance)
		r.Acceptance = &acc
	}
	for _, e := range open {
		r.OpenEntries = append(r.OpenEntries, newRiskEntryJSON(e.AcceptedEntry))
	}
	writeVersioned(c, status, an.Version, r)
	return nil
}

func (a *API) getRiskAnalysis(c *gin.Context) error {
	return getByPath(c, a.writeRiskAnalysis)
}

func (a *API) createRiskAnalysis(c *gin.Context) error {
	var req struct {
		Summary string `json:"summary"`
	}
	id, err := a.decodeAt(c, &req)
	if err != nil {
		return err
	}
	if err := a.run(c, func(tx *postgres.Tx) error {
		_, err := tx.CreateRiskAnalysis(c.Request.Context(), id, domain.RiskAnalysisInput{Summary: req.Summary}, route.Visibility(c))
		return err
	}); err != nil {
		return err
	}
	c.Header("Location", "/api/v1/objects/"+strconv.FormatInt(id, 10)+"/risk-analysis")
	return a.writeRiskAnalysis(c, http.StatusCreated, id)
}

func (a *API) updateRiskAnalysis(c *gin.Context) error {
	var req struct {
		Summary Optional[string] `json:"summary"`
	}
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	ch := domain.RiskAnalysisChange{Summary: req.Summary.Change()}
	if err := a.run(c, func(tx *postgres.Tx) error {
		_, err := tx.UpdateRiskAnalysis(c.Request.Context(), id, version, ch, route.Visibility(c))
		return err
	}); err != nil {
		return err
	}
	return a.writeRiskAnalysis(c, http.StatusOK, id)
}

// writeRiskItem answers with one item as it is now, categorised by its
// scope's matrix; the ETag is its version.
func (a *API) writeRiskItem(c *gin.Context, status int, objectID, itemID int64) error {
	an, err := a.DB.RiskAnalysisOf(c.Request.Context(), objectID, postgres.Everything)
	if err != nil {
		return err
	}
	for _, it := range an.Items {
		if it.ID == itemID {
			writeVersioned(c, status, it.Version, newRiskItemJSON(it, an.Matrix))
			return nil
		}
	}
	return domain.Errorf(domain.ErrNotFound, "no risk item %d", itemID)
}

func (a *API) addRiskItem(c *gin.Context) error {
	var req struct {
		ThreatID    string `json:"threat_id"`
		Title       string `json:"title"`
		Description string `json:"description"`
	}
	id, err := a.decodeAt(c, &req)
	if err != nil {
		return err
	}
	it, err := inTx(a, c, func(tx *postgres.Tx) (domain.RiskItem, error) {
		return tx.AddRiskItem(c.Request.Context(), id, domain.RiskItemInput{ThreatID: req.ThreatID, Title: req.Title, Description: req.Description},
			route.Visibility(c))
	})
	if err != nil {
		return err
	}
	return a.writeRiskItem(c, http.StatusCreated, id, it.ID)
}

func (a *API) updateRiskItem(c *gin.Context) error {
	// null clears an assessment (level 0) or the treatment (none).
	var req struct {
		Title             Optional[string]           `json:"title"`
		Description       Optional[string]           `json:"description"`
		Frequency         Optional[domain.Frequency] `json:"frequency"`
		Impact            Optional[domain.Impact]    `json:"impact"`
		Treatment         Optional[domain.Treatment] `json:"treatment"`
		Measures          Optional[string]           `json:"measures"`
		Requirements      Optional[[]string]         `json:"requirements"`
		ResidualFrequency Optional[domain.Frequency] `json:"residual_frequency"`
		ResidualImpact    Optional[domain.Impact]    `json:"residual_impact"`
	}
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	ch := domain.RiskItemChange{Title: req.Title.Change(), Description: req.Description.Change(), Frequency: req.Frequency.Change(),
		Impact: req.Impact.Change(), Treatment: req.Treatment.Change(), Measures: req.Measures.Change(),
		Requirements: req.Requirements.Change(), ResidualFrequency: req.ResidualFrequency.Change(), ResidualImpact: req.ResidualImpact.Change()}
	ctx := c.Request.Context()
	objectID, err := a.DB.RiskItemObject(ctx, id)
	if err != nil {
		return err
	}
	if err := a.run(c, func(tx *postgres.Tx) error {
		_, err := tx.UpdateRiskItem(ctx, id, version, ch, route.Visibility(c))
		return err
	}); err != nil {
		return err
	}
	return a.writeRiskItem(c, http.StatusOK, objectID, id)
}

func (a *API) deleteRiskItem(c *gin.Context) error {
	id, version, err := pathAndVersion(c)
	if err != nil {
		return err
	}
	return noContent(c, a.run(c, func(tx *postgres.Tx) error {
		return tx.DeleteRiskItem(c.Request.Context(), id, version, route.Visibility(c))
	}))
}

func (a *API) listRiskAcceptances(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	an, err := a.DB.RiskAnalysisOf(ctx, id, route.Visibility(c))
	if err != nil {
		return err
	}
	accs, err := a.DB.RiskAcceptances(ctx, an.ID)
	return answerList(c, accs, err, newRiskAcceptanceJSON)
}

func (a *API) acceptRisks(c *gin.Context) error {
	var req struct {
		Password string  `json:"password"`
		Entries  []int64 `json:"entries"`
	}
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	sig, today, err := a.sign(c, req.Password)
	if err != nil {
		return err
	}
	acc, err := inTx(a, c, func(tx *postgres.Tx) (domain.RiskAcceptance, error) {
		return tx.Accept(c.Request.Context(), id, version, domain.AcceptInput{Signature: sig, Today: today, EntryIDs: req.Entries},
			route.Visibility(c))
	})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, newRiskAcceptanceJSON(acc))
	return nil
}
