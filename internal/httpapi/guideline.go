package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// guidelineRoutes are the guideline (Leitlinie) in versions, the policies
// of A.0 and the certificate. ISBs edit, management approves; everyone
// who reads the scope reads them.
func (a *API) guidelineRoutes() []route.Route {
	read, write := authz.Require(authz.ResourceGuidelines, authz.ActionRead), authz.Require(authz.ResourceGuidelines, authz.ActionWrite)
	approve := authz.Require(authz.ResourceGuidelineApprovals, authz.ActionWrite)
	get, post, patch, del := http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	return []route.Route{
		{Method: get, Path: "/api/v1/scopes/:id/guidelines", Perm: read, Handler: a.listGuidelines,
			Summary:  "The versions of the scope's guideline, the newest first: the draft, the version in force, the superseded ones",
			Response: "guideline.json", List: true},
		{Method: post, Path: "/api/v1/scopes/:id/guidelines", Perm: write, Handler: a.createGuideline,
			Summary: "Start the next version as a draft (one draft per scope)", Request: "guideline-create.json", Response: "guideline.json",
			Status: http.StatusCreated},
		{Method: get, Path: "/api/v1/guidelines/:id", Perm: read, Handler: a.getGuideline,
			Summary: "One version of a guideline; the ETag is its version", Response: "guideline.json"},
		{Method: patch, Path: "/api/v1/guidelines/:id", Perm: write, Handler: a.updateGuideline, IfMatch: true,
			Summary: "Change a draft; approved versions never change", Request: "guideline-update.json", Response: "guideline.json"},
		{Method: del, Path: "/api/v1/guidelines/:id", Perm: write, Handler: a.deleteGuideline, IfMatch: true,
			Summary: "Discard a draft", Status: http.StatusNoContent},
		{Method: post, Path: "/api/v1/guidelines/:id/approve", Perm: approve, Handler: a.approveGuideline, IfMatch: true,
			Summary: "Approve the draft (management): signed by the signed-in account, confirmed by its password (a session that confirmed it within the last 5 minutes may omit it; a token request must send it), on the organisation's day; it goes into force with the SHA-256 of its content, superseding the version in force",
			Request: "guideline-approve.json", Response: "guideline.json"},

		{Method: get, Path: "/api/v1/scopes/:id/policies", Perm: read, Handler: a.listPolicies,
			Summary:  "A.0: the policies of the scope by title with their next review date; withdrawn ones only when asked",
			Response: "policy.json", List: true, Query: []route.Param{{Name: "withdrawn", Type: "boolean", Help: "true: also the withdrawn policies"}}},
		{Method: post, Path: "/api/v1/scopes/:id/policies", Perm: write, Handler: a.createPolicy,
			Summary: "Record a policy in force, held by an evidence item of the scope", Request: "policy-create.json", Response: "policy.json",
			Status: http.StatusCreated},
		{Method: get, Path: "/api/v1/policies/:id", Perm: read, Handler: a.getPolicy,
			Summary: "One policy; the ETag is its version", Response: "policy.json"},
		{Method: patch, Path: "/api/v1/policies/:id", Perm: write, Handler: a.updatePolicy, IfMatch: true,
			Summary: "Change a policy in force", Request: "policy-update.json", Response: "policy.json"},
		{Method: post, Path: "/api/v1/policies/:id/withdraw", Perm: write, Handler: a.withdrawPolicy, IfMatch: true,
			Summary: "Withdraw a policy; it stays listed as withdrawn", Response: "policy.json"},

		{Method: get, Path: "/api/v1/scopes/:id/certificates", Perm: read, Handler: a.listCertificates,
			Summary: "The certificates of the scope, the latest first", Response: "certificate.json", List: true},
		{Method: post, Path: "/api/v1/scopes/:id/certificates", Perm: write, Handler: a.createCertificate,
			Summary: "Record a certificate; it runs three years unless valid_until says otherwise", Request: "certificate-create.json",
			Response: "certificate.json", Status: http.StatusCreated},
		{Method: get, Path: "/api/v1/certificates/:id", Perm: read, Handler: a.getCertificate,
			Summary: "One certificate; the ETag is its version", Response: "certificate.json"},
		{Method: patch, Path: "/api/v1/certificates/:id", Perm: write, Handler: a.updateCertificate, IfMatch: true,
			Summary: "Change a certificate", Request: "certificate-update.json", Response: "certificate.json"},
		{Method: del, Path: "/api/v1/certificates/:id", Perm: write, Handler: a.deleteCertificate, IfMatch: true,
			Summary: "Delete a certificate entered by mistake", Status: http.StatusNoContent},
	}
}

type guidelineJSON struct {
	ID               int64                  `json:"id"`
	ScopeID          int64                  `json:"scope_id"`
	Number           int                    `json:"number"`
	Title            string                 `json:"title"`
	ScopeStatement   string                 `json:"scope_statement"`
	Approach         domain.Approach        `json:"approach"`
	CatalogID        *int64                 `json:"catalog_id"`
	BasisBy          *string                `json:"basis_by"`
	StandardBy       *string                `json:"standard_by"`
	ElevatedBy       *string                `json:"elevated_by"`
	ReviewMonths     int                    `json:"review_months"`
	EvidenceCoverage int                    `json:"evidence_coverage"`
	RequiredModules  []string               `json:"required_modules"`
	Roles            []domain.GuidelineRole `json:"roles"`
	State            domain.GuidelineState  `json:"state"`
	ApprovedBy       string                 `json:"approved_by"`
	ApprovedByID     *int64                 `json:"approved_by_id"`
	ApprovedOn       *string                `json:"approved_on"`
	ApprovedHash     string                 `json:"approved_hash"`
	HashIntact       *bool                  `json:"hash_intact"`
	ReviewDue        *string                `json:"review_due"`
	ReviewOverdue    bool                   `json:"review_overdue"`
	CreatedBy        string                 `json:"created_by"`
	CreatedAt        time.Time              `json:"created_at"`
	Version          int                    `json:"version"`
}

func newGuidelineJSON(g domain.Guideline, today time.Time) guidelineJSON {
	j := guidelineJSON{ID: g.ID, ScopeID: g.ScopeID, Number: g.Number, Title: g.Title, ScopeStatement: g.ScopeStatement, Approach: g.Approach,
		CatalogID: g.CatalogID, BasisBy: dateJSON(g.BasisBy), StandardBy: dateJSON(g.StandardBy), ElevatedBy: dateJSON(g.ElevatedBy), ReviewMonths: g.ReviewMonths,
		EvidenceCoverage: g.EvidenceCoverage, RequiredModules: g.RequiredModules, Roles: g.Roles, State: g.State, ApprovedBy: g.ApprovedBy,
		ApprovedByID: g.ApprovedByID, ApprovedOn: dateJSON(g.ApprovedOn), ApprovedHash: g.ApprovedHash, CreatedBy: g.CreatedBy, CreatedAt: g.CreatedAt, Version: g.Version}
	if g.State != domain.GuidelineDraft {
		intact, due := g.HashIntact(), g.ReviewDue()
		j.HashIntact, j.ReviewDue = &intact, dateJSON(&due)
		j.ReviewOverdue = g.State == domain.GuidelineApproved && g.ReviewOverdue(today)
	}
	return j
}

func (a *API) writeGuideline(c *gin.Context, status int, g domain.Guideline) {
	writeVersioned(c, status, g.Version, newGuidelineJSON(g, a.today()))
}

func (a *API) listGuidelines(c *gin.Context) error {
	scopeID, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	gs, err := a.DB.ListGuidelines(c.Request.Context(), scopeID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(convertOn(gs, a.today(), newGuidelineJSON), ""))
	return nil
}

// guidelineBody is a guideline's content as the API sends it; as an
// update a merge patch: absent members stay, null clears.
type guidelineBody struct {
	Title            Optional[string]                 `json:"title"`
	ScopeStatement   Optional[string]                 `json:"scope_statement"`
	Approach         Optional[domain.Approach]        `json:"approach"`
	BasisBy          Optional[*time.Time]             `json:"basis_by"`
	StandardBy       Optional[*time.Time]             `json:"standard_by"`
	ElevatedBy       Optional[*time.Time]             `json:"elevated_by"`
	ReviewMonths     Optional[int]                    `json:"review_months"`
	EvidenceCoverage Optional[int]                    `json:"evidence_coverage"`
	RequiredModules  Optional[[]string]               `json:"required_modules"`
	Roles            Optional[[]domain.GuidelineRole] `json:"roles"`
	CatalogID        Optional[*int64]                 `json:"catalog_id"`
}

func (b guidelineBody) change() domain.GuidelineChange {
	return domain.GuidelineChange{Title: b.Title.Change(), ScopeStatement: b.ScopeStatement.Change(), Approach: b.Approach.Change(),
		BasisBy: b.BasisBy.Change(), StandardBy: b.StandardBy.Change(), ElevatedBy: b.ElevatedBy.Change(),
		ReviewMonths: b.ReviewMonths.Change(), EvidenceCoverage: b.EvidenceCoverage.Change(),
		RequiredModules: b.RequiredModules.Change(), Roles: b.Roles.Change(), CatalogID: b.CatalogID.Change()}
}

func (a *API) createGuideline(c *gin.Context) error {
	var req guidelineBody
	scopeID, err := a.decodeAt(c, &req)
	if err != nil {
		return err
	}
	// The schema requires what a draft needs; the rest starts empty.
	in := req.change().Apply(domain.Guideline{})
	g, err := inTx(a, c, func(tx *postgres.Tx) (domain.Guideline, error) {
		return tx.CreateGuidelineDraft(c.Request.Context(), scopeID, in)
	})
	if err != nil {
		return err
	}
	setLocation(c, "/api/v1/guidelines/", g.ID)
	a.writeGuideline(c, http.StatusCreated, g)
	return nil
}

func (a *API) getGuideline(c *gin.Context) error {
	return getLoaded(c, a.DB.GuidelineByID, a.writeGuideline)
}

func (a *API) updateGuideline(c *gin.Context) error {
	var req guidelineBody
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	g, err := inTx(a, c, func(tx *postgres.Tx) (domain.Guideline, error) {
		return tx.UpdateGuidelineDraft(c.Request.Context(), id, version, req.change())
	})
	if err != nil {
		return err
	}
	a.writeGuideline(c, http.StatusOK, g)
	return nil
}

// pathAndVersion reads the id and If-Match of a request without a body.
func pathAndVersion(c *gin.Context) (int64, int, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return 0, 0, err
	}
	version, err := ifMatch(c)
	return id, version, err
}

func (a *API) deleteGuideline(c *gin.Context) error {
	id, version, err := pathAndVersion(c)
	if err != nil {
		return err
	}
	return noContent(c, a.run(c, func(tx *postgres.Tx) error { return tx.DeleteGuidelineDraft(c.Request.Context(), id, version) }))
}

func (a *API) approveGuideline(c *gin.Context) error {
	var req struct {
		Password string `json:"password"`
	}
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	sig, today, err := a.sign(c, req.Password)
	if err != nil {
		return err
	}
	g, err := inTx(a, c, func(tx *postgres.Tx) (domain.Guideline, error) {
		return tx.ApproveGuideline(c.Request.Context(), id, version, sig, today)
	})
	if err != nil {
		return err
	}
	a.writeGuideline(c, http.StatusOK, g)
	return nil
}

// sign confirms an approval or acceptance by whoever is signed in with
// their password, on the organisation's day: nothing of the signature
// comes from the request.
func (a *API) sign(c *gin.Context, password string) (domain.Signature, time.Time, error) {
	p, _ := route.Principal(c)
	today := a.today()
	sig, err := a.Accounts.Sign(c.Request.Context(), route.Actor(c), p, password, today)
	return sig, today, err
}

type policyJSON struct {
	ID            int64              `json:"id"`
	ScopeID       int64              `json:"scope_id"`
	Title         string             `json:"title"`
	EvidenceID    int64              `json:"evidence_id"`
	EvidenceTitle string             `json:"evidence_title"`
	VersionLabel  string             `json:"version_label"`
	ApprovedBy    string             `json:"approved_by"`
	ApprovedOn    string             `json:"approved_on"`
	ReviewMonths  int                `json:"review_months"`
	NextReview    string             `json:"next_review"`
	ReviewOverdue bool               `json:"review_overdue"`
	State         domain.PolicyState `json:"state"`
	WithdrawnBy   string             `json:"withdrawn_by"`
	WithdrawnAt   *time.Time         `json:"withdrawn_at"`
	CreatedBy     string             `json:"created_by"`
	CreatedAt     time.Time          `json:"created_at"`
	UpdatedAt     time.Time          `json:"updated_at"`
	Version       int                `json:"version"`
}

func newPolicyJSON(p domain.Policy, today time.Time) policyJSON {
	next := p.NextReview()
	return policyJSON{ID: p.ID, ScopeID: p.ScopeID, Title: p.Title, EvidenceID: p.EvidenceID, EvidenceTitle: p.EvidenceTitle,
		VersionLabel: p.VersionLabel, ApprovedBy: p.ApprovedBy, ApprovedOn: *dateJSON(&p.ApprovedOn), ReviewMonths: p.ReviewMonths,
		NextReview: *dateJSON(&next), ReviewOverdue: p.ReviewOverdue(today), State: p.State, WithdrawnBy: p.WithdrawnBy,
		WithdrawnAt: p.WithdrawnAt, CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
}

func (a *API) writePolicy(c *gin.Context, status int, p domain.Policy) {
	writeVersioned(c, status, p.Version, newPolicyJSON(p, a.today()))
}

func (a *API) listPolicies(c *gin.Context) error {
	scopeID, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	ps, err := a.DB.ListPolicies(c.Request.Context(), scopeID, c.Query("withdrawn") == "true")
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(convertOn(ps, a.today(), newPolicyJSON), ""))
	return nil
}

// policyBody is a policy as the API sends it; as an update a merge
// patch: absent members stay, null clears.
type policyBody struct {
	Title        Optional[string]    `json:"title"`
	EvidenceID   Optional[int64]     `json:"evidence_id"`
	VersionLabel Optional[string]    `json:"version_label"`
	ApprovedBy   Optional[string]    `json:"approved_by"`
	ApprovedOn   Optional[time.Time] `json:"approved_on"`
	ReviewMonths Optional[int]       `json:"review_months"`
}

func (b policyBody) change() domain.PolicyChange {
	return domain.PolicyChange{Title: b.Title.Change(), EvidenceID: b.EvidenceID.Change(), VersionLabel: b.VersionLabel.Change(),
		ApprovedBy: b.ApprovedBy.Change(), ApprovedOn: b.ApprovedOn.Change(), ReviewMonths: b.ReviewMonths.Change()}
}

func (a *API) createPolicy(c *gin.Context) error {
	var req policyBody
	scopeID, err := a.decodeAt(c, &req)
	if err != nil {
		return err
	}
	ch := req.change()
	p, err := inTx(a, c, func(tx *postgres.Tx) (domain.Policy, error) {
		return tx.CreatePolicy(c.Request.Context(), scopeID, ch.Apply(domain.Policy{}), route.Visibility(c))
	})
	if err != nil {
		return err
	}
	setLocation(c, "/api/v1/policies/", p.ID)
	a.writePolicy(c, http.StatusCreated, p)
	return nil
}

func (a *API) getPolicy(c *gin.Context) error {
	return getLoaded(c, a.DB.PolicyByID, a.writePolicy)
}

func (a *API) updatePolicy(c *gin.Context) error {
	var req policyBody
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	ch := req.change()
	p, err := inTx(a, c, func(tx *postgres.Tx) (domain.Policy, error) {
		return tx.UpdatePolicy(c.Request.Context(), id, version, ch, route.Visibility(c))
	})
	if err != nil {
		return err
	}
	a.writePolicy(c, http.StatusOK, p)
	return nil
}

func (a *API) withdrawPolicy(c *gin.Context) error {
	id, version, err := pathAndVersion(c)
	if err != nil {
		return err
	}
	p, err := inTx(a, c, func(tx *postgres.Tx) (domain.Policy, error) {
		return tx.WithdrawPolicy(c.Request.Context(), id, version)
	})
	if err != nil {
		return err
	}
	a.writePolicy(c, http.StatusOK, p)
	return nil
}

type certificateJSON struct {
	ID         int64     `json:"id"`
	ScopeID    int64     `json:"scope_id"`
	Number     string    `json:"number"`
	IssuedOn   string    `json:"issued_on"`
	ValidUntil string    `json:"valid_until"`
	Expired    bool      `json:"expired"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	Version    int       `json:"version"`
}

func newCertificateJSON(cert domain.Certificate, today time.Time) certificateJSON {
	return certificateJSON{ID: cert.ID, ScopeID: cert.ScopeID, Number: cert.Number, IssuedOn: *dateJSON(&cert.IssuedOn),
		ValidUntil: *dateJSON(&cert.ValidUntil), Expired: cert.Expired(today), CreatedBy: cert.CreatedBy, CreatedAt: cert.CreatedAt,
		Version: cert.Version}
}

func (a *API) writeCertificate(c *gin.Context, status int, cert domain.Certificate) {
	writeVersioned(c, status, cert.Version, newCertificateJSON(cert, a.today()))
}

func (a *API) listCertificates(c *gin.Context) error {
	scopeID, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	cs, err := a.DB.ListCertificates(c.Request.Context(), scopeID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(convertOn(cs, a.today(), newCertificateJSON), ""))
	return nil
}

// certificateBody is a certificate as the API sends it; as an update a
// merge patch: absent members stay.
type certificateBody struct {
	Number     Optional[string]     `json:"number"`
	IssuedOn   Optional[time.Time]  `json:"issued_on"`
	ValidUntil Optional[*time.Time] `json:"valid_until"`
}

func (b certificateBody) change() domain.CertificateChange {
	ch := domain.CertificateChange{Number: b.Number.Change(), IssuedOn: b.IssuedOn.Change()}
	if b.ValidUntil.Set {
		ch.ValidUntil = b.ValidUntil.Value
	}
	return ch
}

func (a *API) createCertificate(c *gin.Context) error {
	var req certificateBody
	scopeID, err := a.decodeAt(c, &req)
	if err != nil {
		return err
	}
	ch := req.change()
	in := domain.CertificateInput{ValidUntil: ch.ValidUntil}
	if ch.Number != nil {
		in.Number = *ch.Number
	}
	if ch.IssuedOn != nil {
		in.IssuedOn = *ch.IssuedOn
	}
	cert, err := inTx(a, c, func(tx *postgres.Tx) (domain.Certificate, error) {
		return tx.CreateCertificate(c.Request.Context(), scopeID, in)
	})
	if err != nil {
		return err
	}
	setLocation(c, "/api/v1/certificates/", cert.ID)
	a.writeCertificate(c, http.StatusCreated, cert)
	return nil
}

func (a *API) getCertificate(c *gin.Context) error {
	return getLoaded(c, a.DB.CertificateByID, a.writeCertificate)
}

func (a *API) updateCertificate(c *gin.Context) error {
	var req certificateBody
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	ch := req.change()
	cert, err := inTx(a, c, func(tx *postgres.Tx) (domain.Certificate, error) {
		return tx.UpdateCertificate(c.Request.Context(), id, version, ch)
	})
	if err != nil {
		return err
	}
	a.writeCertificate(c, http.StatusOK, cert)
	return nil
}

func (a *API) deleteCertificate(c *gin.Context) error {
	id, version, err := pathAndVersion(c)
	if err != nil {
		return err
	}
	return noContent(c, a.run(c, func(tx *postgres.Tx) error { return tx.DeleteCertificate(c.Request.Context(), id, version) }))
}
