package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// The guideline (Leitlinie zur Informationssicherheit) of a scope in
// versions, the policies in force (A.0) and the certificate. They concern
// the whole scope: everyone who reads the scope reads them, and writes
// take a grant without a limit to departments (see authz).

// guidelineRow scans a version of the guideline.
type guidelineRow struct {
	ID               int64          `db:"id"`
	ScopeID          int64          `db:"scope_id"`
	Number           int            `db:"number"`
	Title            string         `db:"title"`
	ScopeStatement   string         `db:"scope_statement"`
	Approach         string         `db:"approach"`
	CatalogID        *int64         `db:"catalog_id"`
	BasisBy          *time.Time     `db:"basis_by"`
	StandardBy       *time.Time     `db:"standard_by"`
	ElevatedBy       *time.Time     `db:"elevated_by"`
	ReviewMonths     int            `db:"review_months"`
	EvidenceCoverage int            `db:"evidence_coverage"`
	RequiredModules  pq.StringArray `db:"required_modules"`
	Roles            []byte         `db:"roles"`
	State            string         `db:"state"`
	ApprovedBy       string         `db:"approved_by"`
	ApprovedByID     *int64         `db:"approved_by_id"`
	ApprovedOn       *time.Time     `db:"approved_on"`
	ApprovedHash     string         `db:"approved_hash"`
	CreatedBy        string         `db:"created_by"`
	CreatedAt        time.Time      `db:"created_at"`
	Version          int            `db:"version"`
}

func (r guidelineRow) asDomain() (domain.Guideline, error) {
	roles := []domain.GuidelineRole{}
	if err := json.Unmarshal(r.Roles, &roles); err != nil {
		return domain.Guideline{}, fmt.Errorf("guideline %d roles: %w", r.ID, err)
	}
	modules := []string(r.RequiredModules)
	if modules == nil {
		modules = []string{}
	}
	return domain.Guideline{ID: r.ID, ScopeID: r.ScopeID, Number: r.Number, Title: r.Title, ScopeStatement: r.ScopeStatement,
		Approach: domain.Approach(r.Approach), CatalogID: r.CatalogID, BasisBy: r.BasisBy, StandardBy: r.StandardBy, ElevatedBy: r.ElevatedBy,
		ReviewMonths: r.ReviewMonths, EvidenceCoverage: r.EvidenceCoverage, RequiredModules: modules, Roles: roles,
		State: domain.GuidelineState(r.State), ApprovedBy: r.ApprovedBy, ApprovedByID: r.ApprovedByID, ApprovedOn: r.ApprovedOn,
		ApprovedHash: r.ApprovedHash,
		CreatedBy:    r.CreatedBy, CreatedAt: r.CreatedAt, Version: r.Version}, nil
}

const guidelineSelect = `
	SELECT id, scope_id, number, title, scope_statement, approach, catalog_id, basis_by, standard_by, elevated_by, review_months,
	       evidence_coverage, required_modules, roles, state, approved_by, approved_by_id, approved_on, approved_hash, created_by, created_at, version
	FROM guidelines`

// GuidelineInForce returns the approved version of a scope's guideline;
// domain.ErrNotFound when none has been approved.
func (db *DB) GuidelineInForce(ctx context.Context, scopeID int64) (domain.Guideline, error) {
	var r guidelineRow
	err := db.x.GetContext(ctx, &r, guidelineSelect+` WHERE scope_id = $1 AND state = 'approved'`, scopeID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Guideline{}, domain.Errorf(domain.ErrNotFound, "scope %d has no approved guideline", scopeID).
			De("Für diesen Informationsverbund ist keine Leitlinie in Kraft.")
	}
	if err != nil {
		return domain.Guideline{}, fmt.Errorf("guideline in force: %w", err)
	}
	return r.asDomain()
}

// certificateRow scans a certificate.
type certificateRow struct {
	ID         int64     `db:"id"`
	ScopeID    int64     `db:"scope_id"`
	Number     string    `db:"number"`
	IssuedOn   time.Time `db:"issued_on"`
	ValidUntil time.Time `db:"valid_until"`
	CreatedBy  string    `db:"created_by"`
	CreatedAt  time.Time `db:"created_at"`
	Version    int       `db:"version"`
}

func (r certificateRow) asDomain() domain.Certificate {
	return domain.Certificate(r)
}

const certificateSelect = `SELECT id, scope_id, number, issued_on, valid_until, created_by, created_at, version FROM certificates`

// CertificateOf returns the scope's latest certificate by issue date;
// domain.ErrNotFound when it has none.
func (db *DB) CertificateOf(ctx context.Context, scopeID int64) (domain.Certificate, error) {
	var r certificateRow
	err := db.x.GetContext(ctx, &r, certificateSelect+` WHERE scope_id = $1 ORDER BY issued_on DESC, id DESC LIMIT 1`, scopeID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Certificate{}, domain.Errorf(domain.ErrNotFound, "scope %d has no certificate", scopeID).
			De("Für diesen Informationsverbund ist kein Zertifikat erfasst.")
	}
	if err != nil {
		return domain.Certificate{}, fmt.Errorf("certificate: %w", err)
	}
	return r.asDomain(), nil
}

// lockScope locks a scope against concurrent guideline, policy and
// certificate changes of the same kind; a missing scope is a 404.
func (tx *Tx) lockScope(ctx context.Context, scopeID int64) error {
	var found bool
	err := tx.x.GetContext(ctx, &found, `SELECT true FROM scopes WHERE id = $1 FOR NO KEY UPDATE`, scopeID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ErrNotFound, "no scope %d", scopeID).De("Diesen Informationsverbund gibt es nicht.")
	}
	return err
}

func errGuidelineNotFound(id int64) error {
	return domain.Errorf(domain.ErrNotFound, "no guideline %d", id).De("Diese Fassung der Leitlinie gibt es nicht.")
}

func guidelines(rows []guidelineRow) ([]domain.Guideline, error) {
	out := make([]domain.Guideline, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.asDomain(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ListGuidelines returns every version of a scope's guideline, the newest
// first: the draft, the version in force, the superseded ones.
func (db *DB) ListGuidelines(ctx context.Context, scopeID int64) ([]domain.Guideline, error) {
	var rows []guidelineRow
	if err := db.x.SelectContext(ctx, &rows, guidelineSelect+` WHERE scope_id = $1 ORDER BY number DESC`, scopeID); err != nil {
		return nil, fmt.Errorf("list guidelines: %w", err)
	}
	return guidelines(rows)
}

// GuidelineByID returns one version of a guideline.
func (db *DB) GuidelineByID(ctx context.Context, id int64) (domain.Guideline, error) {
	return guidelineByID(ctx, db.x, id, "")
}

func guidelineByID(ctx context.Context, q sqlx.QueryerContext, id int64, lock string) (domain.Guideline, error) {
	var r guidelineRow
	err := sqlx.GetContext(ctx, q, &r, guidelineSelect+` WHERE id = $1`+lock, id)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Guideline{}, errGuidelineNotFound(id)
	}
	if err != nil {
		return domain.Guideline{}, err
	}
	return r.asDomain()
}

// guidelineFields is what the audit trail keeps of a guideline version.
func guidelineFields(g domain.Guideline) map[string]any {
	day := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return t.Format(time.DateOnly)
	}
	return map[string]any{"scope_id": g.ScopeID, "number": g.Number, "title": g.Title, "scope_statement": g.ScopeStatement,
		"approach": g.Approach, "basis_by": day(g.BasisBy), "standard_by": day(g.StandardBy), "elevated_by": day(g.ElevatedBy),
		"review_months": g.ReviewMonths, "evidence_coverage": g.EvidenceCoverage, "required_modules": g.RequiredModules,
		"roles": g.Roles, "catalog_id": g.CatalogID, "state": g.State, "approved_by": g.ApprovedBy, "approved_by_id": g.ApprovedByID, "approved_on": day(g.ApprovedOn), "approved_hash": g.ApprovedHash}
}

// validateGuideline checks the content and that the required modules are
// modules of the scope's catalog, each refusal at its list position.
func (tx *Tx) validateGuideline(ctx context.Context, scopeID int64, in *domain.GuidelineInput) error {
	var method domain.Method
	if err := tx.x.GetContext(ctx, &method, `SELECT c.method FROM scopes s JOIN catalogs c ON c.id = s.catalog_id WHERE s.id = $1`, scopeID); err != nil {
		return fmt.Errorf("scope's method: %w", err)
	}
	if method == domain.MethodPlusPlus && in.Approach == "" {
		in.Approach = domain.ApproachStandard // kept, but without meaning here
	}
	vs := in.Validate()
	if method == domain.MethodPlusPlus {
		// A Grundschutz++ package has no scope-wide modules; the
		// guideline names the catalog instead.
		in.RequiredModules = []string{}
	}
	if in.CatalogID != nil {
		var known bool
		if err := tx.x.GetContext(ctx, &known, `SELECT EXISTS (SELECT 1 FROM catalogs WHERE id = $1)`, *in.CatalogID); err != nil {
			return fmt.Errorf("check the guideline's catalog: %w", err)
		}
		if !known {
			vs = append(vs, domain.Violation{Pointer: "/catalog_id", Detail: "no such catalog",
				German: "Diesen Katalog gibt es nicht."})
		}
	}
	var unknown []int
	err := tx.x.SelectContext(ctx, &unknown, `
		SELECT u.i - 1 FROM unnest($2::text[]) WITH ORDINALITY AS u(module_id, i)
		WHERE NOT EXISTS (SELECT 1 FROM scopes s JOIN catalog_modules m ON m.catalog_id = s.catalog_id
		                  WHERE s.id = $1 AND m.id = u.module_id)
		ORDER BY u.i`, scopeID, pq.Array(in.RequiredModules))
	if err != nil {
		return fmt.Errorf("check required modules: %w", err)
	}
	for _, i := range unknown {
		vs = append(vs, domain.Violation{Pointer: fmt.Sprintf("/required_modules/%d", i),
			Detail: fmt.Sprintf("module %s is not in the scope's catalog", in.RequiredModules[i]),
			German: fmt.Sprintf("Den Baustein %s gibt es im Katalog des Informationsverbunds nicht.", in.RequiredModules[i])})
	}
	if len(vs) > 0 {
		return domain.Invalid(vs...)
	}
	return nil
}

func errDraftExists() error {
	return domain.Errorf(domain.ErrConflict, "the scope has a draft of its guideline already; change or delete it").
		De("Es gibt schon einen Entwurf der Leitlinie. Bearbeiten oder löschen Sie ihn.")
}

// CreateGuidelineDraft starts the next version of a scope's guideline.
// A scope has one draft at most.
func (tx *Tx) CreateGuidelineDraft(ctx context.Context, scopeID int64, in domain.GuidelineInput) (domain.Guideline, error) {
	// Locking the scope serialises drafts of the same scope, so the next
	// number and the one-draft rule are decided on what is committed.
	if err := tx.lockScope(ctx, scopeID); err != nil {
		return domain.Guideline{}, err
	}
	var draft bool
	if err := tx.x.GetContext(ctx, &draft, `SELECT EXISTS (SELECT 1 FROM guidelines WHERE scope_id = $1 AND state = 'draft')`, scopeID); err != nil {
		return domain.Guideline{}, err
	}
	if draft {
		return domain.Guideline{}, errDraftExists()
	}
	if err := tx.validateGuideline(ctx, scopeID, &in); err != nil {
		return domain.Guideline{}, err
	}
	roles, err := json.Marshal(in.Roles)
	if err != nil {
		return domain.Guideline{}, err
	}
	var id int64
	err = tx.x.GetContext(ctx, &id, `
		INSERT INTO guidelines (scope_id, number, title, scope_statement, approach, basis_by, standard_by, elevated_by, review_months,
		                        evidence_coverage, required_modules, roles, created_by, catalog_id)
		SELECT $1, coalesce(max(number), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 FROM guidelines WHERE scope_id = $1
		RETURNING id`,
		scopeID, in.Title, in.ScopeStatement, string(in.Approach), in.BasisBy, in.StandardBy, in.ElevatedBy, in.ReviewMonths,
		in.EvidenceCoverage, pq.Array(in.RequiredModules), roles, tx.actor.Name, in.CatalogID)
	if isUniqueViolation(err) {
		return domain.Guideline{}, errDraftExists()
	}
	if err != nil {
		return domain.Guideline{}, mapError(err)
	}
	g, err := guidelineByID(ctx, tx.x, id, "")
	if err != nil {
		return g, err
	}
	return g, tx.Record("guideline.create", "guideline", id, nil, guidelineFields(g))
}

// lockDraft locks a draft at version for a change; an approved or
// superseded version is refused, since what management approved stays.
func (tx *Tx) lockDraft(ctx context.Context, id int64, version int) (domain.Guideline, error) {
	return lockVersion(recordName{fmt.Sprintf("guideline %d", id), "Der Entwurf"}, version, func() (domain.Guideline, int, error) {
		g, err := guidelineByID(ctx, tx.x, id, ` FOR UPDATE`)
		if err == nil && g.State != domain.GuidelineDraft {
			err = domain.Errorf(domain.ErrConflict, "guideline %d is %s; approved versions do not change, start a new draft", id, g.State).
				De("Diese Fassung ist freigegeben und bleibt unverändert. Für Änderungen legen Sie einen neuen Entwurf an.")
		}
		return g, g.Version, err
	})
}

// UpdateGuidelineDraft changes a draft if it is still at version.
func (tx *Tx) UpdateGuidelineDraft(ctx context.Context, id int64, version int, ch domain.GuidelineChange) (domain.Guideline, error) {
	before, err := tx.lockDraft(ctx, id, version)
	if err != nil {
		return before, err
	}
	in := ch.Apply(before)
	if err := tx.validateGuideline(ctx, before.ScopeID, &in); err != nil {
		return before, err
	}
	roles, err := json.Marshal(in.Roles)
	if err != nil {
		return before, err
	}
	if _, err := tx.x.ExecContext(ctx, `
		UPDATE guidelines SET title = $2, scope_statement = $3, approach = $4, basis_by = $5, standard_by = $6, elevated_by = $7,
		       review_months = $8, evidence_coverage = $9, required_modules = $10, roles = $11, catalog_id = $12,
		       updated_at = now(), version = version + 1
		WHERE id = $1`,
		id, in.Title, in.ScopeStatement, string(in.Approach), in.BasisBy, in.StandardBy, in.ElevatedBy, in.ReviewMonths,
		in.EvidenceCoverage, pq.Array(in.RequiredModules), roles, in.CatalogID); err != nil {
		return before, mapError(err)
	}
	return recordChange(tx, "guideline.update", "guideline", id, guidelineFields, before,
		func() (domain.Guideline, error) { return guidelineByID(ctx, tx.x, id, "") })
}

// DeleteGuidelineDraft discards a draft if it is still at version.
func (tx *Tx) DeleteGuidelineDraft(ctx context.Context, id int64, version int) error {
	g, err := tx.lockDraft(ctx, id, version)
	if err != nil {
		return err
	}
	if _, err := tx.x.ExecContext(ctx, `DELETE FROM guidelines WHERE id = $1`, id); err != nil {
		return mapError(err)
	}
	return tx.Record("guideline.delete", "guideline", id, guidelineFields(g), nil)
}

// ApproveGuideline puts a draft at version in force on management's
// approval: signed by the transaction's account (its name is kept as it
// is now) on a day no later than the organisation's today, with the hash
// of the content. The version in force before is superseded in the same
// transaction.
func (tx *Tx) ApproveGuideline(ctx context.Context, id int64, version int, sig domain.Signature, today time.Time) (domain.Guideline, error) {
	if vs := sig.Validate(today); len(vs) > 0 {
		return domain.Guideline{}, domain.Invalid(vs...)
	}
	by, err := tx.signer(ctx, sig.UserID)
	if err != nil {
		return domain.Guideline{}, err
	}
	draft, err := tx.lockDraft(ctx, id, version)
	if err != nil {
		return draft, err
	}
	in := draft.Input()
	if err := tx.validateGuideline(ctx, draft.ScopeID, &in); err != nil {
		return draft, err
	}
	var superseded []guidelineRow
	if err := tx.x.SelectContext(ctx, &superseded, `
		UPDATE guidelines SET state = 'superseded' WHERE scope_id = $1 AND state = 'approved'
		RETURNING id, scope_id, number, title, scope_statement, approach, catalog_id, basis_by, standard_by, elevated_by, review_months,
		          evidence_coverage, required_modules, roles, state, approved_by, approved_by_id, approved_on, approved_hash, created_by, created_at, version`,
		draft.ScopeID); err != nil {
		return draft, mapError(err)
	}
	for _, r := range superseded {
		if err := tx.Record("guideline.supersede", "guideline", r.ID, map[string]any{"state": domain.GuidelineApproved},
			map[string]any{"state": domain.GuidelineSuperseded, "superseded_by": id}); err != nil {
			return draft, err
		}
	}
	if _, err := tx.x.ExecContext(ctx, `
		UPDATE guidelines SET state = 'approved', approved_by = $2, approved_by_id = $3, approved_on = $4, approved_hash = $5,
		       updated_at = now(), version = version + 1
		WHERE id = $1`, id, by, sig.UserID, sig.On, in.ContentHash()); err != nil {
		return draft, mapError(err)
	}
	return recordChange(tx, "guideline.approve", "guideline", id, guidelineFields, draft,
		func() (domain.Guideline, error) { return guidelineByID(ctx, tx.x, id, "") })
}

// policyRow scans a policy of A.0 with the title of its evidence item.
type policyRow struct {
	ID            int64      `db:"id"`
	ScopeID       int64      `db:"scope_id"`
	Title         string     `db:"title"`
	EvidenceID    int64      `db:"evidence_id"`
	EvidenceTitle string     `db:"evidence_title"`
	VersionLabel  string     `db:"version_label"`
	ApprovedBy    string     `db:"approved_by"`
	ApprovedOn    time.Time  `db:"approved_on"`
	ReviewMonths  int        `db:"review_months"`
	State         string     `db:"state"`
	WithdrawnBy   string     `db:"withdrawn_by"`
	WithdrawnAt   *time.Time `db:"withdrawn_at"`
	CreatedBy     string     `db:"created_by"`
	CreatedAt     time.Time  `db:"created_at"`
	UpdatedAt     time.Time  `db:"updated_at"`
	Version       int        `db:"version"`
}

func (r policyRow) asDomain() domain.Policy {
	return domain.Policy{ID: r.ID, ScopeID: r.ScopeID, Title: r.Title, EvidenceID: r.EvidenceID, EvidenceTitle: r.EvidenceTitle,
		VersionLabel: r.VersionLabel, ApprovedBy: r.ApprovedBy, ApprovedOn: r.ApprovedOn, ReviewMonths: r.ReviewMonths,
		State: domain.PolicyState(r.State), WithdrawnBy: r.WithdrawnBy, WithdrawnAt: r.WithdrawnAt, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
}

const policySelect = `
	SELECT p.id, p.scope_id, p.title, p.evidence_id, e.title AS evidence_title, p.version_label, p.approved_by, p.approved_on,
	       p.review_months, p.state, p.withdrawn_by, p.withdrawn_at, p.created_by, p.created_at, p.updated_at, p.version
	FROM policies p JOIN evidence e ON e.id = p.evidence_id`

func errPolicyNotFound(id int64) error {
	return domain.Errorf(domain.ErrNotFound, "no policy %d", id).De("Diese Richtlinie gibt es nicht.")
}

// ListPolicies returns the policies of a scope (A.0) by title: those in
// force, and the withdrawn ones too when asked.
func (db *DB) ListPolicies(ctx context.Context, scopeID int64, withdrawn bool) ([]domain.Policy, error) {
	var rows []policyRow
	if err := db.x.SelectContext(ctx, &rows, policySelect+` WHERE p.scope_id = $1 AND ($2 OR p.state = 'in_force')
		ORDER BY p.state, lower(p.title), p.id`, scopeID, withdrawn); err != nil {
		return nil, fmt.Errorf("list policies: %w", err)
	}
	return asDomainAll(rows), nil
}

// PolicyByID returns one policy.
func (db *DB) PolicyByID(ctx context.Context, id int64) (domain.Policy, error) {
	return policyByID(ctx, db.x, id, "")
}

func policyByID(ctx context.Context, q sqlx.QueryerContext, id int64, lock string) (domain.Policy, error) {
	return getDomain[policyRow](ctx, q, errPolicyNotFound(id), policySelect+` WHERE p.id = $1`+lock, id)
}

// policyFields is what the audit trail keeps of a policy.
func policyFields(p domain.Policy) map[string]any {
	return map[string]any{"scope_id": p.ScopeID, "title": p.Title, "evidence_id": p.EvidenceID, "version_label": p.VersionLabel,
		"approved_by": p.ApprovedBy, "approved_on": p.ApprovedOn.Format(time.DateOnly), "review_months": p.ReviewMonths, "state": p.State}
}

// validatePolicy checks the input and that its evidence item is one of
// the scope's that the writer may see (vis; others are not found, like a
// missing one): A.0 lists the scope's own documents.
func (tx *Tx) validatePolicy(ctx context.Context, scopeID int64, in *domain.PolicyInput, vis Visibility) error {
	if vs := in.Validate(); len(vs) > 0 {
		return domain.Invalid(vs...)
	}
	return tx.resolve(ctx, scopeID, vis, Ref{Kind: RefEvidence, ID: in.EvidenceID, Pointer: "/evidence_id"})
}

// CreatePolicy records a policy in force for a scope.
func (tx *Tx) CreatePolicy(ctx context.Context, scopeID int64, in domain.PolicyInput, vis Visibility) (domain.Policy, error) {
	if err := tx.lockScope(ctx, scopeID); err != nil {
		return domain.Policy{}, err
	}
	if err := tx.validatePolicy(ctx, scopeID, &in, vis); err != nil {
		return domain.Policy{}, err
	}
	var id int64
	err := tx.x.GetContext(ctx, &id, `
		INSERT INTO policies (scope_id, title, evidence_id, version_label, approved_by, approved_on, review_months, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		scopeID, in.Title, in.EvidenceID, in.VersionLabel, in.ApprovedBy, in.ApprovedOn, in.ReviewMonths, tx.actor.Name)
	if err != nil {
		return domain.Policy{}, mapError(err)
	}
	p, err := policyByID(ctx, tx.x, id, "")
	if err != nil {
		return p, err
	}
	return p, tx.Record("policy.create", "policy", id, nil, policyFields(p))
}

// lockPolicy locks a policy in force at version for a change.
func (tx *Tx) lockPolicy(ctx context.Context, id int64, version int) (domain.Policy, error) {
	return lockVersion(recordName{fmt.Sprintf("policy %d", id), "Die Richtlinie"}, version, func() (domain.Policy, int, error) {
		p, err := policyByID(ctx, tx.x, id, ` FOR UPDATE OF p`)
		if err == nil && p.State != domain.PolicyInForce {
			err = domain.Errorf(domain.ErrConflict, "policy %d is withdrawn", id).
				De("Die Richtlinie ist zurückgezogen und wird nicht mehr geändert.")
		}
		return p, p.Version, err
	})
}

// UpdatePolicy changes a policy in force if it is still at version.
func (tx *Tx) UpdatePolicy(ctx context.Context, id int64, version int, ch domain.PolicyChange, vis Visibility) (domain.Policy, error) {
	before, err := tx.lockPolicy(ctx, id, version)
	if err != nil {
		return before, err
	}
	in := ch.Apply(before)
	if err := tx.validatePolicy(ctx, before.ScopeID, &in, vis); err != nil {
		return before, err
	}
	if _, err := tx.x.ExecContext(ctx, `
		UPDATE policies SET title = $2, evidence_id = $3, version_label = $4, approved_by = $5, approved_on = $6, review_months = $7,
		       updated_at = now(), version = version + 1
		WHERE id = $1`,
		id, in.Title, in.EvidenceID, in.VersionLabel, in.ApprovedBy, in.ApprovedOn, in.ReviewMonths); err != nil {
		return before, mapError(err)
	}
	return recordChange(tx, "policy.update", "policy", id, policyFields, before,
		func() (domain.Policy, error) { return policyByID(ctx, tx.x, id, "") })
}

// WithdrawPolicy takes a policy out of force if it is still at version;
// it stays listed as withdrawn.
func (tx *Tx) WithdrawPolicy(ctx context.Context, id int64, version int) (domain.Policy, error) {
	before, err := tx.lockPolicy(ctx, id, version)
	if err != nil {
		return before, err
	}
	if _, err := tx.x.ExecContext(ctx, `
		UPDATE policies SET state = 'withdrawn', withdrawn_by = $2, withdrawn_at = now(), updated_at = now(), version = version + 1
		WHERE id = $1`, id, tx.actor.Name); err != nil {
		return before, mapError(err)
	}
	return recordChange(tx, "policy.withdraw", "policy", id, policyFields, before,
		func() (domain.Policy, error) { return policyByID(ctx, tx.x, id, "") })
}

func errCertificateNotFound(id int64) error {
	return domain.Errorf(domain.ErrNotFound, "no certificate %d", id).De("Dieses Zertifikat gibt es nicht.")
}

// ListCertificates returns the certificates of a scope, the latest first.
func (db *DB) ListCertificates(ctx context.Context, scopeID int64) ([]domain.Certificate, error) {
	var rows []certificateRow
	if err := db.x.SelectContext(ctx, &rows, certificateSelect+` WHERE scope_id = $1 ORDER BY issued_on DESC, id DESC`, scopeID); err != nil {
		return nil, fmt.Errorf("list certificates: %w", err)
	}
	return asDomainAll(rows), nil
}

// CertificateByID returns one certificate.
func (db *DB) CertificateByID(ctx context.Context, id int64) (domain.Certificate, error) {
	return certificateByID(ctx, db.x, id, "")
}

func certificateByID(ctx context.Context, q sqlx.QueryerContext, id int64, lock string) (domain.Certificate, error) {
	return getDomain[certificateRow](ctx, q, errCertificateNotFound(id), certificateSelect+` WHERE id = $1`+lock, id)
}

// certificateFields is what the audit trail keeps of a certificate.
func certificateFields(c domain.Certificate) map[string]any {
	return map[string]any{"scope_id": c.ScopeID, "number": c.Number, "issued_on": c.IssuedOn.Format(time.DateOnly),
		"valid_until": c.ValidUntil.Format(time.DateOnly)}
}

func errCertificateNumberTaken(number string) error {
	return domain.Invalid(domain.Violation{Pointer: "/number", Detail: "the scope has a certificate with this number already",
		German: fmt.Sprintf("Ein Zertifikat mit der Nummer %s ist schon erfasst.", number)})
}

// CreateCertificate records a certificate of a scope; without an end of
// validity it runs three years.
func (tx *Tx) CreateCertificate(ctx context.Context, scopeID int64, in domain.CertificateInput) (domain.Certificate, error) {
	if vs := in.Validate(); len(vs) > 0 {
		return domain.Certificate{}, domain.Invalid(vs...)
	}
	if err := tx.lockScope(ctx, scopeID); err != nil {
		return domain.Certificate{}, err
	}
	var id int64
	err := tx.x.GetContext(ctx, &id, `
		INSERT INTO certificates (scope_id, number, issued_on, valid_until, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		scopeID, in.Number, in.IssuedOn, *in.ValidUntil, tx.actor.Name)
	if isUniqueViolation(err) {
		return domain.Certificate{}, errCertificateNumberTaken(in.Number)
	}
	if err != nil {
		return domain.Certificate{}, mapError(err)
	}
	c, err := certificateByID(ctx, tx.x, id, "")
	if err != nil {
		return c, err
	}
	return c, tx.Record("certificate.create", "certificate", id, nil, certificateFields(c))
}

// lockCertificate locks a certificate at version for a change.
func (tx *Tx) lockCertificate(ctx context.Context, id int64, version int) (domain.Certificate, error) {
	return lockVersion(recordName{fmt.Sprintf("certificate %d", id), "Das Zertifikat"}, version, func() (domain.Certificate, int, error) {
		c, err := certificateByID(ctx, tx.x, id, ` FOR UPDATE`)
		return c, c.Version, err
	})
}

// UpdateCertificate changes a certificate if it is still at version.
func (tx *Tx) UpdateCertificate(ctx context.Context, id int64, version int, ch domain.CertificateChange) (domain.Certificate, error) {
	before, err := tx.lockCertificate(ctx, id, version)
	if err != nil {
		return before, err
	}
	in := ch.Apply(before)
	if vs := in.Validate(); len(vs) > 0 {
		return before, domain.Invalid(vs...)
	}
	_, err = tx.x.ExecContext(ctx, `
		UPDATE certificates SET number = $2, issued_on = $3, valid_until = $4, updated_at = now(), version = version + 1 WHERE id = $1`,
		id, in.Number, in.IssuedOn, *in.ValidUntil)
	if isUniqueViolation(err) {
		return before, errCertificateNumberTaken(in.Number)
	}
	if err != nil {
		return before, mapError(err)
	}
	return recordChange(tx, "certificate.update", "certificate", id, certificateFields, before,
		func() (domain.Certificate, error) { return certificateByID(ctx, tx.x, id, "") })
}

// DeleteCertificate removes a certificate entered by mistake if it is
// still at version; the audit trail keeps what it said.
func (tx *Tx) DeleteCertificate(ctx context.Context, id int64, version int) error {
	c, err := tx.lockCertificate(ctx, id, version)
	if err != nil {
		return err
	}
	if _, err := tx.x.ExecContext(ctx, `DELETE FROM certificates WHERE id = $1`, id); err != nil {
		return mapError(err)
	}
	return tx.Record("certificate.delete", "certificate", id, certificateFields(c), nil)
}
