package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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
	BasisBy          *time.Time     `db:"basis_by"`
	StandardBy       *time.Time     `db:"standard_by"`
	ElevatedBy       *time.Time     `db:"elevated_by"`
	ReviewMonths     int            `db:"review_months"`
	EvidenceCoverage int            `db:"evidence_coverage"`
	RequiredModules  pq.StringArray `db:"required_modules"`
	Roles            []byte         `db:"roles"`
	State            string         `db:"state"`
	ApprovedBy       string         `db:"approved_by"`
	ApprovedOn       *time.Time     `db:"approved_on"`
	ApprovedHash     string         `db:"approved_hash"`
	CreatedBy        string         `db:"created_by"`
	CreatedAt        time.Time      `db:"created_at"`
	Version          int            `db:"version"`
}

func (r guidelineRow) toDomain() (domain.Guideline, error) {
	roles := []domain.GuidelineRole{}
	if err := json.Unmarshal(r.Roles, &roles); err != nil {
		return domain.Guideline{}, fmt.Errorf("guideline %d roles: %w", r.ID, err)
	}
	modules := []string(r.RequiredModules)
	if modules == nil {
		modules = []string{}
	}
	return domain.Guideline{ID: r.ID, ScopeID: r.ScopeID, Number: r.Number, Title: r.Title, ScopeStatement: r.ScopeStatement,
		Approach: domain.Approach(r.Approach), BasisBy: r.BasisBy, StandardBy: r.StandardBy, ElevatedBy: r.ElevatedBy,
		ReviewMonths: r.ReviewMonths, EvidenceCoverage: r.EvidenceCoverage, RequiredModules: modules, Roles: roles,
		State: domain.GuidelineState(r.State), ApprovedBy: r.ApprovedBy, ApprovedOn: r.ApprovedOn, ApprovedHash: r.ApprovedHash,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, Version: r.Version}, nil
}

const guidelineSelect = `
	SELECT id, scope_id, number, title, scope_statement, approach, basis_by, standard_by, elevated_by, review_months,
	       evidence_coverage, required_modules, roles, state, approved_by, approved_on, approved_hash, created_by, created_at, version
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
	return r.toDomain()
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

func (r certificateRow) toDomain() domain.Certificate {
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
	return r.toDomain(), nil
}
