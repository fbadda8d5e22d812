package postgres

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// The risk analysis (BSI-Standard 200-3, reference document A.5): the
// scope's risk matrix, the analyses of the objects that need one (rule 4),
// their threats, and management's acceptances, which record exactly what
// was accepted and become void when any of it changes.

// ScopeRiskMatrix is the risk matrix a scope uses.
type ScopeRiskMatrix struct {
	ScopeID   int64
	Matrix    domain.RiskMatrix
	Default   bool // the scope has not set its own: the example of BSI-Standard 200-3
	Version   int  // 1 while the default applies
	UpdatedAt *time.Time
	UpdatedBy string
}

// RiskMatrix returns the scope's matrix, the default where it has none.
func (db *DB) RiskMatrix(ctx context.Context, scopeID int64) (ScopeRiskMatrix, error) {
	return loadRiskMatrix(ctx, db.x, scopeID)
}

func loadRiskMatrix(ctx context.Context, q sqlx.QueryerContext, scopeID int64) (ScopeRiskMatrix, error) {
	m := ScopeRiskMatrix{ScopeID: scopeID, Matrix: domain.DefaultRiskMatrix, Default: true, Version: 1}
	var head struct {
		Version   sql.NullInt64  `db:"version"`
		UpdatedAt *time.Time     `db:"updated_at"`
		UpdatedBy sql.NullString `db:"updated_by"`
	}
	err := sqlx.GetContext(ctx, q, &head, `
		SELECT v.version, v.updated_at, v.updated_by FROM scopes s LEFT JOIN risk_matrix_versions v ON v.scope_id = s.id
		WHERE s.id = $1`, scopeID)
	if errors.Is(err, sql.ErrNoRows) {
		return m, domain.Errorf(domain.ErrNotFound, "no scope %d", scopeID).De("Diesen Informationsverbund gibt es nicht.")
	}
	if err != nil {
		return m, fmt.Errorf("read risk matrix: %w", err)
	}
	if head.Version.Valid {
		m.Version, m.UpdatedAt, m.UpdatedBy = int(head.Version.Int64), head.UpdatedAt, head.UpdatedBy.String
	}
	var cells []struct {
		Frequency int8 `db:"frequency"`
		Impact    int8 `db:"impact"`
		Category  int8 `db:"category"`
	}
	if err := sqlx.SelectContext(ctx, q, &cells, `SELECT frequency, impact, category FROM risk_matrix WHERE scope_id = $1`, scopeID); err != nil {
		return m, fmt.Errorf("read risk matrix: %w", err)
	}
	// Absent cells fall back to the default.
	for _, c := range cells {
		m.Matrix[c.Impact-1][c.Frequency-1] = domain.RiskCategory(c.Category)
	}
	m.Default = len(cells) == 0
	return m, nil
}

// matrixArg is the matrix as the SQL array the queries index with
// (impact-1)*4 + frequency.
func matrixArg(m domain.RiskMatrix) any {
	cells := make([]int64, 0, 16)
	for i := range 4 {
		for f := range 4 {
			cells = append(cells, int64(m[i][f]))
		}
	}
	return pq.Array(cells)
}

// MayChangeRiskMatrix refuses writers limited to departments: the matrix
// holds for the whole scope. It is asked before anything else, so such a
// writer learns that first, whatever the request holds.
func MayChangeRiskMatrix(vis Visibility) error {
	if vis.All {
		return nil
	}
	return domain.Errorf(domain.ErrForbidden, "the risk matrix holds for the whole scope; changing it takes a grant not limited to departments").
		De("Die Risikomatrix gilt für den ganzen Informationsverbund; ändern können sie nur Administratoren und ISB ohne Beschränkung auf Organisationseinheiten.")
}

// SetRiskMatrix replaces a scope's risk matrix if it is still at version.
// The matrix holds for the whole scope, so only writers without a limit
// to departments may change it. Every valid acceptance in the scope
// becomes void: the categories it accepted may have changed.
func (tx *Tx) SetRiskMatrix(ctx context.Context, scopeID int64, version int, m domain.RiskMatrix, vis Visibility) (ScopeRiskMatrix, error) {
	if err := MayChangeRiskMatrix(vis); err != nil {
		return ScopeRiskMatrix{}, err
	}
	if vs := m.Validate(); len(vs) > 0 {
		return ScopeRiskMatrix{}, domain.Invalid(vs...)
	}
	// The matrix has no row while the default applies: its scope's row
	// is locked instead.
	cur, err := lockVersion(recordName{fmt.Sprintf("the risk matrix of scope %d", scopeID), "Die Risikomatrix"}, version,
		func() (ScopeRiskMatrix, int, error) {
			if err := tx.lockScope(ctx, scopeID); err != nil {
				return ScopeRiskMatrix{}, 0, err
			}
			m, err := loadRiskMatrix(ctx, tx.x, scopeID)
			return m, m.Version, err
		})
	if err != nil {
		return cur, err
	}
	if cur.Matrix == m && !cur.Default {
		return cur, nil
	}
	if _, err := tx.x.ExecContext(ctx, `DELETE FROM risk_matrix WHERE scope_id = $1`, scopeID); err != nil {
		return cur, err
	}
	if _, err := tx.x.ExecContext(ctx, `
		INSERT INTO risk_matrix (scope_id, impact, frequency, category)
		SELECT $1, (n - 1) / 4 + 1, (n - 1) % 4 + 1, c FROM unnest($2::smallint[]) WITH ORDINALITY AS u(c, n)`,
		scopeID, matrixArg(m)); err != nil {
		return cur, mapError(err)
	}
	if _, err := tx.x.ExecContext(ctx, `
		INSERT INTO risk_matrix_versions (scope_id, version, updated_by) VALUES ($1, $2, $3)
		ON CONFLICT (scope_id) DO UPDATE SET version = EXCLUDED.version, updated_at = now(), updated_by = EXCLUDED.updated_by`,
		scopeID, cur.Version+1, tx.actor.Name); err != nil {
		return cur, err
	}
	if err := tx.Record("risk.matrix", "scope", scopeID, map[string]any{"cells": cur.Matrix.Cells(), "default": cur.Default},
		map[string]any{"cells": m.Cells()}); err != nil {
		return cur, err
	}
	if cur.Matrix != m {
		// The categories of every analysis of the scope may have changed.
		if _, err := tx.x.ExecContext(ctx, `UPDATE risk_analyses SET version = version + 1, updated_at = now() WHERE scope_id = $1`, scopeID); err != nil {
			return cur, err
		}
		var analyses []int64
		if err := tx.x.SelectContext(ctx, &analyses, `SELECT id FROM risk_analyses WHERE scope_id = $1`, scopeID); err != nil {
			return cur, err
		}
		if err := tx.voidAcceptances(ctx, analyses, domain.VoidMatrixChanged); err != nil {
			return cur, err
		}
	}
	return loadRiskMatrix(ctx, tx.x, scopeID)
}

// voidAcceptances voids the valid acceptances of the analyses.
func (tx *Tx) voidAcceptances(ctx context.Context, analysisIDs []int64, reason string) error {
	if len(analysisIDs) == 0 {
		return nil
	}
	var voided []int64
	if err := tx.x.SelectContext(ctx, &voided, `
		UPDATE risk_acceptances SET voided_at = now(), voided_reason = $2
		WHERE analysis_id = ANY ($1) AND voided_at IS NULL RETURNING id`, pq.Array(analysisIDs), reason); err != nil {
		return fmt.Errorf("void acceptances: %w", err)
	}
	for _, id := range voided {
		if err := tx.Record("risk.acceptance_void", "risk_acceptance", id, nil, map[string]string{"reason": reason}); err != nil {
			return err
		}
	}
	return nil
}

// riskItemComplete is the SQL of domain.RiskItem.Complete for an item i
// (measures are stored trimmed).
const riskItemComplete = `(i.frequency IS NOT NULL AND i.impact IS NOT NULL AND i.treatment IS NOT NULL
	AND i.residual_frequency IS NOT NULL AND i.residual_impact IS NOT NULL
	AND (i.treatment <> 'reduce' OR i.measures <> '' OR EXISTS (SELECT 1 FROM risk_item_requirements x WHERE x.item_id = i.id))
	AND (i.treatment NOT IN ('avoid', 'transfer') OR i.measures <> ''))`

// RiskOverviewRow is an object that needs a risk analysis, with how far
// its analysis has come.
type RiskOverviewRow struct {
	ObjectID             int64               `db:"id"`
	ShortID              string              `db:"short_id"`
	Name                 string              `db:"name"`
	Type                 domain.ObjectType   `db:"type"`
	DepartmentName       sql.NullString      `db:"department_name"`
	NoSuitableModule     bool                `db:"no_suitable_module"`
	UntypicalEnvironment bool                `db:"untypical_environment"`
	C                    domain.Need         `db:"c"` // effective needs
	I                    domain.Need         `db:"i"`
	A                    domain.Need         `db:"a"`
	AnalysisID           *int64              `db:"analysis_id"`
	Items                int                 `db:"items"`
	Complete             int                 `db:"complete"`
	MaxCategory          domain.RiskCategory `db:"max_category"`
	MaxResidual          domain.RiskCategory `db:"max_residual"`
	State                domain.RiskState    `db:"state"`
	AcceptedOn           *time.Time          `db:"accepted_on"`
	AcceptedBy           sql.NullString      `db:"accepted_by"`
	VoidedAt             *time.Time          `db:"voided_at"`
	VoidedReason         sql.NullString      `db:"voided_reason"`
}

// Reasons says why the object needs a risk analysis.
func (r RiskOverviewRow) Reasons() []domain.RiskReason {
	var o domain.Object
	o.NoSuitableModule, o.UntypicalEnvironment = r.NoSuitableModule, r.UntypicalEnvironment
	o.Needs[domain.Confidentiality].Effective, o.Needs[domain.Integrity].Effective, o.Needs[domain.Availability].Effective = r.C, r.I, r.A
	return domain.RiskReasons(o)
}

// RiskOverview lists the visible objects of a scope that need a risk
// analysis (rule 4: a high or very high need, no suitable module, or an
// untypical environment) with the state of their analysis, by short ID.
func (db *DB) RiskOverview(ctx context.Context, scopeID int64, vis Visibility) ([]RiskOverviewRow, error) {
	m, err := db.RiskMatrix(ctx, scopeID)
	if err != nil {
		return nil, err
	}
	var rows []RiskOverviewRow
	err = db.x.SelectContext(ctx, &rows, `
		WITH obj AS (
			SELECT o.id, o.short_id, o.name, o.type, d.name AS department_name, o.no_suitable_module, o.untypical_environment,
			       coalesce(max(n.effective) FILTER (WHERE n.objective = 'c'), 0) AS c,
			       coalesce(max(n.effective) FILTER (WHERE n.objective = 'i'), 0) AS i,
			       coalesce(max(n.effective) FILTER (WHERE n.objective = 'a'), 0) AS a
			FROM objects o
			LEFT JOIN departments d ON d.id = o.department_id
			LEFT JOIN object_needs n ON n.object_id = o.id
			WHERE o.scope_id = $1 AND `+visibleObject(2)+`
			GROUP BY o.id, d.name
			HAVING o.no_suitable_module OR o.untypical_environment OR coalesce(max(n.effective), 0) >= 2
		)
		SELECT obj.*, ra.id AS analysis_id, coalesce(it.items, 0) AS items, coalesce(it.complete, 0) AS complete,
		       coalesce(it.max_category, 0) AS max_category, coalesce(it.max_residual, 0) AS max_residual,
		       acc.accepted_on, acc.accepted_by, acc.voided_at, acc.voided_reason,
		       CASE WHEN ra.id IS NULL THEN 'none'
		            WHEN acc.accepted_on IS NOT NULL AND acc.voided_at IS NULL THEN 'accepted'
		            WHEN acc.accepted_on IS NOT NULL THEN 'void'
		            WHEN it.items > 0 AND it.items = it.complete THEN 'complete'
		            ELSE 'in_progress' END AS state
		FROM obj
		LEFT JOIN risk_analyses ra ON ra.object_id = obj.id
		LEFT JOIN LATERAL (
			SELECT count(*) AS items, count(*) FILTER (WHERE `+riskItemComplete+`) AS complete,
			       max(($3::smallint[])[(i.impact - 1) * 4 + i.frequency]) AS max_category,
			       max(($3::smallint[])[(i.residual_impact - 1) * 4 + i.residual_frequency]) AS max_residual
			FROM risk_items i WHERE i.analysis_id = ra.id
		) it ON true
		LEFT JOIN LATERAL (
			SELECT a.accepted_on, a.accepted_by, a.voided_at, a.voided_reason FROM risk_acceptances a
			WHERE a.analysis_id = ra.id ORDER BY a.voided_at IS NULL DESC, a.created_at DESC, a.id DESC LIMIT 1
		) acc ON true
		ORDER BY obj.short_id, obj.id`, scopeID, vis.arg(), matrixArg(m.Matrix))
	if err != nil {
		return nil, fmt.Errorf("risk overview: %w", err)
	}
	return rows, nil
}

// riskHead is an analysis without its items.
type riskHead struct {
	ID            int64             `db:"id"`
	ScopeID       int64             `db:"scope_id"`
	ObjectID      int64             `db:"object_id"`
	ObjectShortID string            `db:"short_id"`
	ObjectName    string            `db:"name"`
	ObjectType    domain.ObjectType `db:"type"`
	GroupID       *int64            `db:"group_id"`
	CatalogID     int64             `db:"catalog_id"`
	Summary       string            `db:"summary"`
	CreatedAt     time.Time         `db:"created_at"`
	UpdatedAt     time.Time         `db:"updated_at"`
	Version       int               `db:"version"`
}

const riskHeadSelect = `
	SELECT ra.id, ra.scope_id, ra.object_id, o.short_id, o.name, o.type, o.group_id, s.catalog_id, ra.summary,
	       ra.created_at, ra.updated_at, ra.version
	FROM risk_analyses ra JOIN objects o ON o.id = ra.object_id JOIN scopes s ON s.id = ra.scope_id`

// asDomain is the analysis without its threats, matrix and acceptance.
func (h riskHead) asDomain() domain.RiskAnalysis {
	return domain.RiskAnalysis{ID: h.ID, ScopeID: h.ScopeID, ObjectID: h.ObjectID, ObjectShortID: h.ObjectShortID, ObjectName: h.ObjectName,
		ObjectType: h.ObjectType, Summary: h.Summary, CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt, Version: h.Version}
}

func errNoRiskAnalysis(objectID int64) error {
	return domain.Errorf(domain.ErrNotFound, "object %d has no risk analysis", objectID).De("Für dieses Zielobjekt gibt es noch keine Risikoanalyse.")
}

// RiskAnalysisOf returns the risk analysis of a visible object with its
// threats, the matrix its categories come from and its acceptance.
func (db *DB) RiskAnalysisOf(ctx context.Context, objectID int64, vis Visibility) (domain.RiskAnalysis, error) {
	a, err := riskAnalysisOf(ctx, db.x, objectID, vis)
	if errors.Is(err, domain.ErrNotFound) {
		// A hidden object is not found, like a missing one; a visible one
		// has no analysis yet.
		if _, oerr := db.ObjectByID(ctx, objectID, vis); oerr != nil {
			return a, oerr
		}
	}
	return a, err
}

// riskAnalysisOf reads the analysis of a visible object.
func riskAnalysisOf(ctx context.Context, q sqlx.QueryerContext, objectID int64, vis Visibility) (domain.RiskAnalysis, error) {
	var h riskHead
	err := sqlx.GetContext(ctx, q, &h, riskHeadSelect+` WHERE ra.object_id = $1 AND `+visibleObject(2), objectID, vis.arg())
	if errors.Is(err, sql.ErrNoRows) {
		return domain.RiskAnalysis{}, errNoRiskAnalysis(objectID)
	}
	if err != nil {
		return domain.RiskAnalysis{}, err
	}
	return loadRiskAnalysis(ctx, q, h)
}

func loadRiskAnalysis(ctx context.Context, q sqlx.QueryerContext, h riskHead) (domain.RiskAnalysis, error) {
	a := h.asDomain()
	m, err := loadRiskMatrix(ctx, q, h.ScopeID)
	if err != nil {
		return a, err
	}
	a.Matrix = m.Matrix
	if a.Items, err = loadRiskItems(ctx, q, h.ID); err != nil {
		return a, err
	}
	accs, err := loadAcceptances(ctx, q, h.ID, 1)
	if err != nil {
		return a, err
	}
	if len(accs) > 0 {
		a.Acceptance = &accs[0]
	}
	return a, nil
}

type riskItemRow struct {
	ID                int64          `db:"id"`
	AnalysisID        int64          `db:"analysis_id"`
	ThreatID          sql.NullString `db:"threat_id"`
	Title             string         `db:"title"`
	Description       string         `db:"description"`
	Frequency         sql.NullInt16  `db:"frequency"`
	Impact            sql.NullInt16  `db:"impact"`
	Treatment         sql.NullString `db:"treatment"`
	Measures          string         `db:"measures"`
	ResidualFrequency sql.NullInt16  `db:"residual_frequency"`
	ResidualImpact    sql.NullInt16  `db:"residual_impact"`
	UpdatedAt         time.Time      `db:"updated_at"`
	Version           int            `db:"version"`
}

func (r riskItemRow) asDomain() domain.RiskItem {
	return domain.RiskItem{ID: r.ID, AnalysisID: r.AnalysisID, ThreatID: r.ThreatID.String, Title: r.Title, Description: r.Description,
		Frequency: domain.Frequency(r.Frequency.Int16), Impact: domain.Impact(r.Impact.Int16), Treatment: domain.Treatment(r.Treatment.String),
		Measures: r.Measures, ResidualFrequency: domain.Frequency(r.ResidualFrequency.Int16), ResidualImpact: domain.Impact(r.ResidualImpact.Int16),
		UpdatedAt: r.UpdatedAt, Version: r.Version}
}

// loadRiskItems reads an analysis's threats in the catalog's order (own
// threats last) with their linked requirements.
func loadRiskItems(ctx context.Context, q sqlx.QueryerContext, analysisID int64) ([]domain.RiskItem, error) {
	var rows []riskItemRow
	if err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT i.id, i.analysis_id, i.threat_id, i.title, i.description, i.frequency, i.impact, i.treatment, i.measures,
		       i.residual_frequency, i.residual_impact, i.updated_at, i.version
		FROM risk_items i LEFT JOIN catalog_threats t ON t.catalog_id = i.catalog_id AND t.id = i.threat_id
		WHERE i.analysis_id = $1 ORDER BY t.ord NULLS LAST, i.id`, analysisID); err != nil {
		return nil, fmt.Errorf("read risk items: %w", err)
	}
	var links []struct {
		ItemID int64 `db:"item_id"`
		linkedRow
	}
	if err := sqlx.SelectContext(ctx, q, &links, `
		SELECT x.item_id, r.id, r.title, r.module_id, r.level
		FROM risk_item_requirements x JOIN risk_items i ON i.id = x.item_id
		JOIN catalog_requirements r ON r.catalog_id = x.catalog_id AND r.id = x.requirement_id
		WHERE i.analysis_id = $1 ORDER BY r.module_id, r.ord`, analysisID); err != nil {
		return nil, fmt.Errorf("read linked requirements: %w", err)
	}
	out := make([]domain.RiskItem, len(rows))
	index := map[int64]int{}
	for i, r := range rows {
		out[i], index[r.ID] = r.asDomain(), i
	}
	for _, l := range links {
		it := &out[index[l.ItemID]]
		it.Requirements = append(it.Requirements, l.asDomain())
	}
	return out, nil
}

// linkedRow scans a requirement as a risk item links it.
type linkedRow struct {
	ID       string       `db:"id"`
	Title    string       `db:"title"`
	ModuleID string       `db:"module_id"`
	Level    domain.Level `db:"level"`
}

func (r linkedRow) asDomain() domain.LinkedRequirement {
	return domain.LinkedRequirement{ID: r.ID, Title: r.Title, ModuleID: r.ModuleID, Level: r.Level}
}

// lockRiskAnalysis reads an object's analysis for a change: the object
// must be one the writer may change, and the analysis still at version
// (anyVersion: whatever version it is at).
func (tx *Tx) lockRiskAnalysis(ctx context.Context, objectID int64, version int, vis Visibility) (riskHead, error) {
	name := recordName{fmt.Sprintf("the risk analysis of object %d", objectID), "Die Risikoanalyse"}
	return lockVersion(name, version, func() (riskHead, int, error) {
		if _, err := tx.lockObject(ctx, objectID, anyVersion, vis); err != nil {
			return riskHead{}, 0, err
		}
		var h riskHead
		err := tx.x.GetContext(ctx, &h, riskHeadSelect+` WHERE ra.object_id = $1 FOR UPDATE OF ra`, objectID)
		if errors.Is(err, sql.ErrNoRows) {
			return h, 0, errNoRiskAnalysis(objectID)
		}
		return h, h.Version, err
	})
}

// changedRiskAnalysis marks a change to an analysis: a new version, and
// its acceptance is void, because what was accepted is no longer what is.
func (tx *Tx) changedRiskAnalysis(ctx context.Context, analysisID int64, reason string) error {
	if _, err := tx.x.ExecContext(ctx, `UPDATE risk_analyses SET updated_at = now(), version = version + 1 WHERE id = $1`, analysisID); err != nil {
		return err
	}
	return tx.voidAcceptances(ctx, []int64{analysisID}, reason)
}

// CreateRiskAnalysis starts the risk analysis of an object that needs one,
// with the elementary threats linked (by the catalog's cross-reference
// tables) to the active requirements of its modules that the scope's
// approach brings into play.
func (tx *Tx) CreateRiskAnalysis(ctx context.Context, objectID int64, in domain.RiskAnalysisInput, vis Visibility) (domain.RiskAnalysis, error) {
	o, err := tx.lockObject(ctx, objectID, anyVersion, vis)
	if err != nil {
		return domain.RiskAnalysis{}, err
	}
	if vs := in.Validate(); len(vs) > 0 {
		return domain.RiskAnalysis{}, domain.Invalid(vs...)
	}
	var needs bool
	if err := tx.x.GetContext(ctx, &needs, `
		SELECT o.no_suitable_module OR o.untypical_environment
		       OR EXISTS (SELECT 1 FROM object_needs n WHERE n.object_id = o.id AND n.effective >= 2)
		FROM objects o WHERE o.id = $1`, objectID); err != nil {
		return domain.RiskAnalysis{}, err
	}
	if !needs {
		return domain.RiskAnalysis{}, domain.Invalid(domain.Violation{Pointer: "", Detail: "the object needs no risk analysis: normal protection need, a suitable module, a typical environment",
			German: "Dieses Zielobjekt braucht keine Risikoanalyse: Es hat normalen Schutzbedarf, passende Bausteine und ein typisches Einsatzumfeld."})
	}
	var scope struct {
		CatalogID int64           `db:"catalog_id"`
		Approach  domain.Approach `db:"approach"`
	}
	if err := tx.x.GetContext(ctx, &scope, `SELECT catalog_id, approach FROM scopes WHERE id = $1`, o.ScopeID); err != nil {
		return domain.RiskAnalysis{}, err
	}
	var id int64
	err = tx.x.GetContext(ctx, &id, `
		INSERT INTO risk_analyses (object_id, scope_id, summary) VALUES ($1, $2, $3)
		ON CONFLICT (object_id) DO NOTHING RETURNING id`, objectID, o.ScopeID, in.Summary)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.RiskAnalysis{}, domain.Errorf(domain.ErrConflict, "object %d already has a risk analysis", objectID).
			De("Für dieses Zielobjekt gibt es schon eine Risikoanalyse.")
	}
	if err != nil {
		return domain.RiskAnalysis{}, mapError(err)
	}
	levels := []string{}
	for _, l := range domain.LevelsInScope(scope.Approach) {
		levels = append(levels, string(l))
	}
	// A group member takes its group's modules (as in DeriveChecks).
	res, err := tx.x.ExecContext(ctx, `
		INSERT INTO risk_items (analysis_id, catalog_id, threat_id, title)
		SELECT $1, t.catalog_id, t.id, t.title FROM catalog_threats t
		WHERE t.catalog_id = $3 AND EXISTS (
			SELECT 1 FROM objects o
			JOIN object_modules om ON om.object_id = o.id OR om.object_id = o.group_id
			JOIN catalog_requirements r ON r.catalog_id = om.catalog_id AND r.module_id = om.module_id AND NOT r.withdrawn
			JOIN catalog_requirement_threats l ON l.catalog_id = r.catalog_id AND l.requirement_id = r.id
			WHERE o.id = $2 AND r.catalog_id = $3 AND r.level = ANY ($4) AND l.threat_id = t.id)
		ORDER BY t.ord`, id, objectID, scope.CatalogID, pq.Array(levels))
	if err != nil {
		return domain.RiskAnalysis{}, fmt.Errorf("pre-fill threats: %w", err)
	}
	n, _ := res.RowsAffected()
	if err := tx.Record("risk.analysis_create", "risk_analysis", id, nil, map[string]any{"object": o.ShortID, "object_id": objectID,
		"threats": n, "summary": in.Summary}); err != nil {
		return domain.RiskAnalysis{}, err
	}
	return tx.riskAnalysis(ctx, objectID)
}

// riskAnalysis reads an analysis inside the transaction.
func (tx *Tx) riskAnalysis(ctx context.Context, objectID int64) (domain.RiskAnalysis, error) {
	return riskAnalysisOf(ctx, tx.x, objectID, Everything)
}

// UpdateRiskAnalysis changes an analysis (its summary) if it is still at
// version.
func (tx *Tx) UpdateRiskAnalysis(ctx context.Context, objectID int64, version int, ch domain.RiskAnalysisChange, vis Visibility) (domain.RiskAnalysis, error) {
	h, err := tx.lockRiskAnalysis(ctx, objectID, version, vis)
	if err != nil {
		return domain.RiskAnalysis{}, err
	}
	in := ch.Apply(h.asDomain())
	if vs := in.Validate(); len(vs) > 0 {
		return domain.RiskAnalysis{}, domain.Invalid(vs...)
	}
	if in.Summary == h.Summary {
		return tx.riskAnalysis(ctx, objectID)
	}
	if _, err := tx.x.ExecContext(ctx, `UPDATE risk_analyses SET summary = $2 WHERE id = $1`, h.ID, in.Summary); err != nil {
		return domain.RiskAnalysis{}, err
	}
	if err := tx.Record("risk.analysis_update", "risk_analysis", h.ID, map[string]string{"summary": h.Summary}, map[string]string{"summary": in.Summary}); err != nil {
		return domain.RiskAnalysis{}, err
	}
	if err := tx.changedRiskAnalysis(ctx, h.ID, domain.VoidSummaryChanged); err != nil {
		return domain.RiskAnalysis{}, err
	}
	return tx.riskAnalysis(ctx, objectID)
}

// AddRiskItem adds a threat to an object's analysis.
func (tx *Tx) AddRiskItem(ctx context.Context, objectID int64, in domain.RiskItemInput, vis Visibility) (domain.RiskItem, error) {
	h, err := tx.lockRiskAnalysis(ctx, objectID, anyVersion, vis)
	if err != nil {
		return domain.RiskItem{}, err
	}
	if vs := in.Validate(); len(vs) > 0 {
		return domain.RiskItem{}, domain.Invalid(vs...)
	}
	var catalogID *int64
	var threatID *string
	if in.ThreatID != "" { // an elementary threat: its title is the catalog's
		err := tx.x.GetContext(ctx, &in.Title, `SELECT title FROM catalog_threats WHERE catalog_id = $1 AND id = $2`, h.CatalogID, in.ThreatID)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.RiskItem{}, domain.Invalid(domain.Violation{Pointer: "/threat_id", Detail: "the scope's catalog has no threat " + in.ThreatID,
				German: "Diese Gefährdung gibt es im Katalog des Informationsverbunds nicht."})
		}
		if err != nil {
			return domain.RiskItem{}, err
		}
		catalogID, threatID = &h.CatalogID, &in.ThreatID
	}
	item := domain.RiskItem{ThreatID: in.ThreatID, Title: in.Title, Description: in.Description}
	err = tx.x.GetContext(ctx, &item.ID, `
		INSERT INTO risk_items (analysis_id, catalog_id, threat_id, title, description) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		h.ID, catalogID, threatID, item.Title, item.Description)
	if isUniqueViolation(err) {
		return item, domain.Errorf(domain.ErrConflict, "threat %s is already in the analysis", in.ThreatID).
			De("Diese Gefährdung steht schon in der Risikoanalyse.")
	}
	if err != nil {
		return item, mapError(err)
	}
	if err := tx.Record("risk.item_create", "risk_item", item.ID, nil, riskItemAudit(item, h)); err != nil {
		return item, err
	}
	if err := tx.changedRiskAnalysis(ctx, h.ID, domain.VoidThreatAdded(item.Name())); err != nil {
		return item, err
	}
	return tx.riskItem(ctx, h.ID, item.ID)
}

// riskItem reads one item of an analysis inside the transaction.
func (tx *Tx) riskItem(ctx context.Context, analysisID, itemID int64) (domain.RiskItem, error) {
	items, err := loadRiskItems(ctx, tx.x, analysisID)
	if err != nil {
		return domain.RiskItem{}, err
	}
	for _, it := range items {
		if it.ID == itemID {
			return it, nil
		}
	}
	return domain.RiskItem{}, errNoRiskItem(itemID)
}

// riskItemName names a threat by its ID and title: the page of an
// analysis lists many.
func riskItemName(it domain.RiskItem) recordName {
	return recordName{fmt.Sprintf("risk item %d", it.ID), "Die Gefährdung „" + it.Name() + "“"}
}

func errNoRiskItem(id int64) error {
	return domain.Errorf(domain.ErrNotFound, "no risk item %d", id).De("Diese Gefährdung gibt es in der Risikoanalyse nicht.")
}

// RiskItemObject returns the object whose analysis holds an item.
func (db *DB) RiskItemObject(ctx context.Context, itemID int64) (int64, error) {
	return riskItemObject(ctx, db.x, itemID)
}

func riskItemObject(ctx context.Context, q sqlx.QueryerContext, itemID int64) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, q, &id, `SELECT ra.object_id FROM risk_items i JOIN risk_analyses ra ON ra.id = i.analysis_id WHERE i.id = $1`, itemID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errNoRiskItem(itemID)
	}
	return id, err
}

// RiskItemUpdate is one item of a (bulk) change with the version its
// writer saw.
type RiskItemUpdate struct {
	ID      int64
	Version int
	Change  domain.RiskItemChange
}

// UpdateRiskItems changes threats of an object's analysis, all or
// nothing. Items whose values do not change are left alone (the page
// form sends every row); a changed item must still be at the version its
// writer saw. A change voids the acceptance; a change of the linked
// requirements or of a treatment derives the object's check again, since
// under the standard approach the H requirements chosen to reduce a
// risk come into it. It returns the items as they are now.
func (tx *Tx) UpdateRiskItems(ctx context.Context, objectID int64, updates []RiskItemUpdate, vis Visibility) ([]domain.RiskItem, error) {
	h, err := tx.lockRiskAnalysis(ctx, objectID, anyVersion, vis)
	if err != nil {
		return nil, err
	}
	items, err := loadRiskItems(ctx, tx.x, h.ID)
	if err != nil {
		return nil, err
	}
	current := map[int64]domain.RiskItem{}
	for _, it := range items {
		current[it.ID] = it
	}
	type change struct {
		before, after domain.RiskItem
		relink        bool // the linked requirements change
	}
	var changes []change
	var vs []domain.Violation
	seen := map[int64]bool{}
	for _, u := range updates {
		cur, ok := current[u.ID]
		if !ok {
			return nil, errNoRiskItem(u.ID)
		}
		if seen[u.ID] {
			return nil, domain.Invalid(domain.Violation{Pointer: "/id", Detail: "an item is listed twice", German: "Eine Gefährdung steht doppelt in der Liste."})
		}
		seen[u.ID] = true
		next := u.Change.Apply(cur)
		invalid := next.Validate()
		if !cur.Own() && next.Title != cur.Title {
			return nil, domain.Invalid(domain.Violation{Pointer: "/title", Detail: "the title of an elementary threat comes from the catalog",
				German: "Den Titel einer elementaren Gefährdung gibt der Katalog vor."})
		}
		if u.Change.Requirements != nil && len(next.Requirements) <= domain.MaxLinkedRequirements {
			if next.Requirements, err = tx.linkedRequirements(ctx, h.CatalogID, next.Requirements); err != nil {
				return nil, err
			}
		}
		if sameRiskItem(cur, next) {
			continue
		}
		// Compared strictly: a row of the page without its version
		// cannot show that its writer saw the current values.
		if u.Version != cur.Version {
			return nil, riskItemName(cur).errStale(cur.Version, u.Version)
		}
		for _, v := range invalid {
			if len(updates) > 1 {
				v.Pointer, v.German = fmt.Sprintf("/items/%d%s", cur.ID, v.Pointer), cur.Name()+": "+v.German
			}
			vs = append(vs, v)
		}
		relink := !slices.Equal(requirementIDs(cur), requirementIDs(next))
		changes = append(changes, change{before: cur, after: next, relink: relink})
	}
	if len(vs) > 0 {
		return nil, domain.Invalid(vs...)
	}
	derive := false
	var names []string
	for _, ch := range changes {
		a := ch.after
		if err := tx.x.GetContext(ctx, &a.Version, `
			UPDATE risk_items SET title = $2, description = $3, frequency = $4, impact = $5, treatment = $6, measures = $7,
			       residual_frequency = $8, residual_impact = $9, updated_at = now(), version = version + 1
			WHERE id = $1 RETURNING version`,
			a.ID, a.Title, a.Description, nullInt(int(a.Frequency)), nullInt(int(a.Impact)), nullString(string(a.Treatment)), a.Measures,
			nullInt(int(a.ResidualFrequency)), nullInt(int(a.ResidualImpact))); err != nil {
			return nil, mapError(err)
		}
		if ch.relink {
			if _, err := tx.x.ExecContext(ctx, `DELETE FROM risk_item_requirements WHERE item_id = $1`, a.ID); err != nil {
				return nil, err
			}
			if _, err := tx.x.ExecContext(ctx, `
				INSERT INTO risk_item_requirements (item_id, catalog_id, requirement_id) SELECT $1, $2, unnest($3::text[])`,
				a.ID, h.CatalogID, pq.Array(requirementIDs(a))); err != nil {
				return nil, mapError(err)
			}
			derive = true
		}
		if ch.before.Treatment != a.Treatment {
			derive = true
		}
		if err := tx.Record("risk.item_update", "risk_item", a.ID, riskItemAudit(ch.before, h), riskItemAudit(a, h)); err != nil {
			return nil, err
		}
		names = append(names, a.Name())
	}
	if len(changes) > 0 {
		if err := tx.changedRiskAnalysis(ctx, h.ID, domain.VoidThreatsChanged(names)); err != nil {
			return nil, err
		}
	}
	if derive {
		if _, err := tx.DeriveChecks(ctx, h.ScopeID, []int64{objectID}); err != nil {
			return nil, err
		}
	}
	items, err = loadRiskItems(ctx, tx.x, h.ID)
	if err != nil {
		return nil, err
	}
	out := make([]domain.RiskItem, 0, len(updates))
	for _, u := range updates {
		for _, it := range items {
			if it.ID == u.ID {
				out = append(out, it)
			}
		}
	}
	return out, nil
}

// UpdateRiskItem changes one threat of an analysis. An item of an object
// the writer may not change is not found, exactly like a missing one.
func (tx *Tx) UpdateRiskItem(ctx context.Context, itemID int64, version int, ch domain.RiskItemChange, vis Visibility) (domain.RiskItem, error) {
	objectID, err := riskItemObject(ctx, tx.x, itemID)
	if err != nil {
		return domain.RiskItem{}, err
	}
	items, err := tx.UpdateRiskItems(ctx, objectID, []RiskItemUpdate{{ID: itemID, Version: version, Change: ch}}, vis)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.RiskItem{}, errNoRiskItem(itemID)
	}
	if err != nil {
		return domain.RiskItem{}, err
	}
	return items[0], nil
}

// linkedRequirements looks up the requirements an item is to link: each
// must be an active requirement of the scope's catalog. It returns them
// in their catalog order.
func (tx *Tx) linkedRequirements(ctx context.Context, catalogID int64, named []domain.LinkedRequirement) ([]domain.LinkedRequirement, error) {
	ids := make([]string, len(named))
	for i, r := range named {
		ids[i] = r.ID
	}
	var rows []linkedRow
	if err := tx.x.SelectContext(ctx, &rows, `
		SELECT r.id, r.title, r.module_id, r.level FROM catalog_requirements r
		WHERE r.catalog_id = $1 AND r.id = ANY ($2) AND NOT r.withdrawn ORDER BY r.module_id, r.ord`, catalogID, pq.Array(ids)); err != nil {
		return nil, err
	}
	found := asDomainAll(rows)
	if len(found) != len(ids) {
		var unknown []string
		for _, id := range ids {
			if !slices.ContainsFunc(found, func(r domain.LinkedRequirement) bool { return r.ID == id }) {
				unknown = append(unknown, id)
			}
		}
		list := strings.Join(unknown, ", ")
		return nil, domain.Invalid(domain.Violation{Pointer: "/requirements", Detail: "the scope's catalog has no active requirement " + list,
			German: "Diese Anforderungen gibt es im Katalog des Informationsverbunds nicht, oder sie sind entfallen: " + list})
	}
	return found, nil
}

func requirementIDs(it domain.RiskItem) []string {
	out := make([]string, len(it.Requirements))
	for i, r := range it.Requirements {
		out[i] = r.ID
	}
	return out
}

func sameRiskItem(a, b domain.RiskItem) bool {
	return a.Title == b.Title && a.Description == b.Description && a.Frequency == b.Frequency && a.Impact == b.Impact &&
		a.Treatment == b.Treatment && a.Measures == b.Measures && a.ResidualFrequency == b.ResidualFrequency &&
		a.ResidualImpact == b.ResidualImpact && slices.Equal(requirementIDs(a), requirementIDs(b))
}

// riskItemAudit is what the audit trail keeps of an item.
func riskItemAudit(it domain.RiskItem, h riskHead) map[string]any {
	return map[string]any{"object": h.ObjectShortID, "analysis_id": h.ID, "threat": it.ThreatID, "title": it.Title,
		"description": it.Description, "frequency": it.Frequency, "impact": it.Impact, "treatment": it.Treatment, "measures": it.Measures,
		"requirements": requirementIDs(it), "residual_frequency": it.ResidualFrequency, "residual_impact": it.ResidualImpact}
}

func nullInt(v int) sql.NullInt64 { return sql.NullInt64{Int64: int64(v), Valid: v != 0} }

func nullString(v string) sql.NullString { return sql.NullString{String: v, Valid: v != ""} }

// DeleteRiskItem removes a threat from its analysis if it is still at
// version (0: no check). An item of an object the writer may not change
// is not found, exactly like a missing one.
func (tx *Tx) DeleteRiskItem(ctx context.Context, itemID int64, version int, vis Visibility) error {
	objectID, err := riskItemObject(ctx, tx.x, itemID)
	if err != nil {
		return err
	}
	h, err := tx.lockRiskAnalysis(ctx, objectID, anyVersion, vis)
	if errors.Is(err, domain.ErrNotFound) {
		return errNoRiskItem(itemID)
	}
	if err != nil {
		return err
	}
	it, err := tx.riskItem(ctx, h.ID, itemID)
	if err != nil {
		return err
	}
	if version != anyVersion && it.Version != version {
		return riskItemName(it).errStale(it.Version, version)
	}
	if _, err := tx.x.ExecContext(ctx, `DELETE FROM risk_items WHERE id = $1`, itemID); err != nil {
		return mapError(err)
	}
	if err := tx.Record("risk.item_delete", "risk_item", itemID, riskItemAudit(it, h), nil); err != nil {
		return err
	}
	if err := tx.changedRiskAnalysis(ctx, h.ID, domain.VoidThreatRemoved(it.Name())); err != nil {
		return err
	}
	if len(it.Requirements) > 0 {
		_, err = tx.DeriveChecks(ctx, h.ScopeID, []int64{objectID})
	}
	return err
}

// RiskRequirementOptions lists the active H requirements of the object's
// modules (or its group's) in the scope's catalog: the requirements a
// risk analysis typically chooses to reduce a risk.
func (db *DB) RiskRequirementOptions(ctx context.Context, objectID int64) ([]domain.LinkedRequirement, error) {
	var rows []linkedRow
	err := db.x.SelectContext(ctx, &rows, `
		SELECT r.id, r.title, r.module_id, r.level
		FROM objects o JOIN scopes s ON s.id = o.scope_id
		JOIN catalog_requirements r ON r.catalog_id = s.catalog_id
		WHERE o.id = $1 AND r.level = 'elevated' AND NOT r.withdrawn
		  AND EXISTS (SELECT 1 FROM object_modules om
		              WHERE om.object_id IN (o.id, o.group_id) AND om.catalog_id = r.catalog_id AND om.module_id = r.module_id)
		ORDER BY r.module_id, r.ord`, objectID)
	return asDomainAll(rows), err
}

// OpenEntry is a check entry a risk acceptance may cover.
type OpenEntry struct {
	domain.AcceptedEntry
	Justification string
}

// acceptedEntryRow scans a check entry as an acceptance names it.
type acceptedEntryRow struct {
	EntryID       int64         `db:"entry_id"`
	ShortID       string        `db:"short_id"`
	RequirementID string        `db:"requirement_id"`
	Title         string        `db:"title"`
	Level         domain.Level  `db:"level"`
	Status        domain.Status `db:"status"`
}

func (r acceptedEntryRow) asDomain() domain.AcceptedEntry {
	return domain.AcceptedEntry{EntryID: r.EntryID, ObjectShortID: r.ShortID, RequirementID: r.RequirementID, Title: r.Title,
		Level: r.Level, Status: r.Status}
}

// AcceptableEntries lists the unfulfilled Standard requirements of an
// object (and of its group, where the reader may see it): active check
// entries with status partial or no, which a risk acceptance may cover.
// In a Grundschutz++ scope these are the unfulfilled SOLLTE entries: a
// MUSS is covered only by an exception.
func (db *DB) AcceptableEntries(ctx context.Context, objectID int64, vis Visibility) ([]OpenEntry, error) {
	var rows []struct {
		acceptedEntryRow
		Justification string `db:"justification"`
	}
	err := db.x.SelectContext(ctx, &rows, `
		SELECT e.id AS entry_id, o.short_id, e.requirement_id, r.title, e.level, e.status, e.justification
		FROM check_entries e JOIN objects o ON o.id = e.object_id
		JOIN catalog_requirements r ON r.catalog_id = e.catalog_id AND r.id = e.requirement_id
		WHERE (e.object_id = $1 OR e.object_id = (SELECT group_id FROM objects WHERE id = $1)) AND `+visibleObject(2)+`
		  AND e.active AND e.status IN ('partial', 'no')
		  AND (e.obligation IS NULL AND e.level = 'standard' OR e.obligation = 'sollte')
		ORDER BY o.short_id, e.module_id, r.ord`, objectID, vis.arg())
	out := make([]OpenEntry, len(rows))
	for i, r := range rows {
		out[i] = OpenEntry{AcceptedEntry: r.asDomain(), Justification: r.Justification}
	}
	return out, err
}

// acceptanceSnapshot is exactly what an acceptance accepts; its JSON and
// the SHA-256 of that JSON are stored with the acceptance.
type acceptanceSnapshot struct {
	Analysis struct {
		ID       int64  `json:"id"`
		Version  int    `json:"version"`
		ObjectID int64  `json:"object_id"`
		Object   string `json:"object"`
		Summary  string `json:"summary"`
	} `json:"analysis"`
	Matrix       [][]int         `json:"matrix"` // rows: impact 1–4, columns: frequency 1–4
	Items        []snapshotItem  `json:"items"`
	Entries      []snapshotEntry `json:"entries"`
	AcceptedBy   string          `json:"accepted_by"`
	AcceptedByID int64           `json:"accepted_by_id"`
	AcceptedOn   string          `json:"accepted_on"`
}

type snapshotItem struct {
	ID                int64    `json:"id"`
	ThreatID          string   `json:"threat_id,omitempty"`
	Title             string   `json:"title"`
	Frequency         int      `json:"frequency"`
	Impact            int      `json:"impact"`
	Category          int      `json:"category"`
	Treatment         string   `json:"treatment"`
	Measures          string   `json:"measures"`
	Requirements      []string `json:"requirements"`
	ResidualFrequency int      `json:"residual_frequency"`
	ResidualImpact    int      `json:"residual_impact"`
	ResidualCategory  int      `json:"residual_category"`
}

type snapshotEntry struct {
	ID            int64  `json:"id"`
	Object        string `json:"object"`
	RequirementID string `json:"requirement_id"`
	Level         string `json:"level"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

// Accept records management's acceptance of an object's analysis (still
// at version) and of the unfulfilled requirements it names. It is
// refused while a threat is not assessed and treated, and for an entry
// that is not an active, partial or unfulfilled entry of the object (or
// its group), and always for a Basis requirement (rule 3) and for a
// Grundschutz++ MUSS (Methodik UMS.5: only an exception). The snapshot of
// what is accepted is stored with its SHA-256; an earlier valid
// acceptance is replaced.
func (tx *Tx) Accept(ctx context.Context, objectID int64, version int, in domain.AcceptInput, vis Visibility) (domain.RiskAcceptance, error) {
	h, err := tx.lockRiskAnalysis(ctx, objectID, version, vis)
	if err != nil {
		return domain.RiskAcceptance{}, err
	}
	if vs := in.Validate(); len(vs) > 0 {
		return domain.RiskAcceptance{}, domain.Invalid(vs...)
	}
	by, err := tx.signer(ctx, in.Signature.UserID)
	if err != nil {
		return domain.RiskAcceptance{}, err
	}
	a, err := loadRiskAnalysis(ctx, tx.x, h)
	if err != nil {
		return domain.RiskAcceptance{}, err
	}
	if len(a.Items) == 0 {
		return domain.RiskAcceptance{}, domain.Invalid(domain.Violation{Pointer: "", Detail: "the analysis has no threats",
			German: "Die Risikoanalyse enthält keine Gefährdung; es gibt nichts zu akzeptieren."})
	}
	var incomplete, details []string
	for _, it := range a.Items {
		if missing := it.Missing(); len(missing) > 0 {
			incomplete = append(incomplete, it.Name())
			if len(details) < 3 {
				details = append(details, "„"+it.Name()+"“ fehlt: "+strings.Join(missing, ", "))
			}
		}
	}
	if len(incomplete) > 0 {
		more := ""
		if n := len(incomplete) - len(details); n > 0 {
			more = fmt.Sprintf("; und %d weitere", n)
		}
		return domain.RiskAcceptance{}, domain.Invalid(domain.Violation{Pointer: "/items",
			Detail: fmt.Sprintf("%d threats are not yet assessed and treated: %s", len(incomplete), strings.Join(incomplete, ", ")),
			German: "Die Risikoanalyse ist noch nicht vollständig bewertet und behandelt: " + strings.Join(details, "; ") + more + "."})
	}
	entries, err := tx.acceptedEntries(ctx, h, in.EntryIDs, vis)
	if err != nil {
		return domain.RiskAcceptance{}, err
	}
	snap := acceptanceSnapshot{Matrix: a.Matrix.Cells(), Entries: entries, AcceptedBy: by, AcceptedByID: in.Signature.UserID,
		AcceptedOn: in.Signature.On.Format(time.DateOnly)}
	snap.Analysis.ID, snap.Analysis.Version, snap.Analysis.ObjectID = a.ID, a.Version, a.ObjectID
	snap.Analysis.Object, snap.Analysis.Summary = a.ObjectShortID+" "+a.ObjectName, a.Summary
	for _, it := range a.Items {
		snap.Items = append(snap.Items, snapshotItem{ID: it.ID, ThreatID: it.ThreatID, Title: it.Title, Frequency: int(it.Frequency),
			Impact: int(it.Impact), Category: int(domain.Category(a.Matrix, it.Frequency, it.Impact)), Treatment: string(it.Treatment),
			Measures: it.Measures, Requirements: orNone(requirementIDs(it)), ResidualFrequency: int(it.ResidualFrequency),
			ResidualImpact: int(it.ResidualImpact), ResidualCategory: int(domain.Category(a.Matrix, it.ResidualFrequency, it.ResidualImpact))})
	}
	if snap.Entries == nil {
		snap.Entries = []snapshotEntry{}
	}
	body, err := json.Marshal(snap)
	if err != nil {
		return domain.RiskAcceptance{}, err
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	if err := tx.voidAcceptances(ctx, []int64{h.ID}, domain.VoidReplaced); err != nil {
		return domain.RiskAcceptance{}, err
	}
	var id int64
	if err := tx.x.GetContext(ctx, &id, `
		INSERT INTO risk_acceptances (analysis_id, accepted_by, accepted_on, user_id, snapshot, snapshot_hash)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		h.ID, by, snap.AcceptedOn, in.Signature.UserID, string(body), hash); err != nil {
		return domain.RiskAcceptance{}, mapError(err)
	}
	ids := make([]int64, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	if _, err := tx.x.ExecContext(ctx, `
		INSERT INTO risk_acceptance_entries (acceptance_id, entry_id) SELECT $1, unnest($2::bigint[])`, id, pq.Array(ids)); err != nil {
		return domain.RiskAcceptance{}, mapError(err)
	}
	if err := tx.Record("risk.accept", "risk_acceptance", id, nil, map[string]any{"analysis_id": h.ID, "object": h.ObjectShortID,
		"accepted_by": by, "accepted_by_id": in.Signature.UserID, "accepted_on": snap.AcceptedOn, "entries": ids,
		"snapshot_sha256": hash}); err != nil {
		return domain.RiskAcceptance{}, err
	}
	accs, err := loadAcceptances(ctx, tx.x, h.ID, 1)
	if err != nil {
		return domain.RiskAcceptance{}, err
	}
	// The valid acceptance comes first; anything else means the one just
	// stored is gone, which must not pass as an empty acceptance.
	if len(accs) == 0 || accs[0].ID != id {
		return domain.RiskAcceptance{}, domain.Errorf(domain.ErrNotFound, "risk acceptance %d is not found after it was stored", id)
	}
	return accs[0], nil
}

// acceptedEntries checks the check entries an acceptance is to cover
// and returns them for the snapshot, in the order given. An entry the
// signer may not see (vis) or of another scope is not found, like a
// missing one.
func (tx *Tx) acceptedEntries(ctx context.Context, h riskHead, ids []int64, vis Visibility) ([]snapshotEntry, error) {
	var unique []int64
	var refs []Ref
	for i, id := range ids {
		if !slices.Contains(unique, id) {
			unique = append(unique, id)
			refs = append(refs, Ref{Kind: RefCheckEntry, ID: id, Pointer: fmt.Sprintf("/entries/%d", i)})
		}
	}
	if len(unique) == 0 {
		return nil, nil
	}
	if err := tx.resolve(ctx, h.ScopeID, vis, refs...); err != nil {
		return nil, err
	}
	var rows []struct {
		ID            int64         `db:"id"`
		ObjectID      int64         `db:"object_id"`
		ShortID       string        `db:"short_id"`
		RequirementID string        `db:"requirement_id"`
		Level         domain.Level  `db:"level"`
		Obligation    string        `db:"obligation"`
		Status        domain.Status `db:"status"`
		Justification string        `db:"justification"`
		Active        bool          `db:"active"`
	}
	// Locked, so that no change to them slips in before the acceptance is stored.
	if err := tx.x.SelectContext(ctx, &rows, `
		SELECT e.id, e.object_id, o.short_id, e.requirement_id, e.level, coalesce(e.obligation, '') AS obligation, e.status,
		       e.justification, e.active
		FROM check_entries e JOIN objects o ON o.id = e.object_id
		WHERE e.id = ANY ($1) ORDER BY e.id FOR SHARE OF e`, pq.Array(unique)); err != nil {
		return nil, err
	}
	byID := map[int64]int{}
	for i, r := range rows {
		byID[r.ID] = i
	}
	bad := func(detail, german string) error {
		return domain.Invalid(domain.Violation{Pointer: "/entries", Detail: detail, German: german})
	}
	var out []snapshotEntry
	for _, id := range unique {
		i, ok := byID[id]
		if !ok || rows[i].ObjectID != h.ObjectID && (h.GroupID == nil || rows[i].ObjectID != *h.GroupID) {
			return nil, bad(fmt.Sprintf("check entry %d is not one of object %s", id, h.ObjectShortID),
				fmt.Sprintf("Der Eintrag %d des IT-Grundschutz-Checks gehört nicht zu diesem Zielobjekt.", id))
		}
		r := rows[i]
		switch {
		case !r.Active:
			return nil, bad(fmt.Sprintf("the entry of %s is retired", r.RequirementID),
				"Der Eintrag zu "+r.RequirementID+" ist stillgelegt: Die Anforderung gehört nicht mehr zum Prüfumfang.")
		case r.Level == domain.LevelBasis:
			return nil, bad(fmt.Sprintf("%s is a Basis requirement: a risk from an unfulfilled Basis requirement can never be accepted", r.RequirementID),
				"Ein Risiko aus einer nicht erfüllten Basis-Anforderung kann nicht akzeptiert werden. Betroffen: "+r.RequirementID+".")
		case !domain.MayBeRiskAccepted(r.Level, domain.Obligation(r.Obligation)):
			return nil, bad(fmt.Sprintf("%s is a MUSS requirement: an unmet MUSS needs an exception authorised by management, never a risk acceptance", r.RequirementID),
				"Eine nicht erfüllte MUSS-Anforderung kann nicht über eine Risikoakzeptanz getragen werden; sie braucht eine Ausnahme der Institutionsleitung. Betroffen: "+r.RequirementID+".")
		case !r.Status.Unfulfilled():
			return nil, bad(fmt.Sprintf("the entry of %s has status %s, not partial or no", r.RequirementID, r.Status),
				fmt.Sprintf("Der Eintrag zu %s hat den Status „%s“; abdecken kann eine Risikoakzeptanz nur „teilweise“ oder „nein“.", r.RequirementID, r.Status.Label()))
		}
		out = append(out, snapshotEntry{ID: r.ID, Object: r.ShortID, RequirementID: r.RequirementID, Level: string(r.Level),
			Status: string(r.Status), Justification: r.Justification})
	}
	return out, nil
}

// RiskAcceptances returns the acceptances of an analysis, newest first.
func (db *DB) RiskAcceptances(ctx context.Context, analysisID int64) ([]domain.RiskAcceptance, error) {
	return loadAcceptances(ctx, db.x, analysisID, 0)
}

// loadAcceptances reads an analysis's acceptances, the valid one first,
// then newest first; limit 0 reads all.
func loadAcceptances(ctx context.Context, q sqlx.QueryerContext, analysisID int64, limit int) ([]domain.RiskAcceptance, error) {
	var rows []struct {
		ID           int64      `db:"id"`
		AnalysisID   int64      `db:"analysis_id"`
		AcceptedBy   string     `db:"accepted_by"`
		AcceptedOn   time.Time  `db:"accepted_on"`
		UserID       *int64     `db:"user_id"`
		Snapshot     string     `db:"snapshot"`
		SnapshotHash string     `db:"snapshot_hash"`
		CreatedAt    time.Time  `db:"created_at"`
		VoidedAt     *time.Time `db:"voided_at"`
		VoidedReason string     `db:"voided_reason"`
	}
	var lim any
	if limit > 0 {
		lim = limit
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT id, analysis_id, accepted_by, accepted_on, user_id, snapshot::text AS snapshot, snapshot_hash, created_at, voided_at, voided_reason
		FROM risk_acceptances WHERE analysis_id = $1
		ORDER BY voided_at IS NULL DESC, created_at DESC, id DESC LIMIT $2`, analysisID, lim); err != nil {
		return nil, fmt.Errorf("read risk acceptances: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	out := make([]domain.RiskAcceptance, len(rows))
	index := map[int64]int{}
	for i, r := range rows {
		sum := sha256.Sum256([]byte(r.Snapshot))
		out[i] = domain.RiskAcceptance{ID: r.ID, AnalysisID: r.AnalysisID, AcceptedBy: r.AcceptedBy, AcceptedOn: r.AcceptedOn, UserID: r.UserID,
			Snapshot: []byte(r.Snapshot), SnapshotHash: r.SnapshotHash, Intact: hex.EncodeToString(sum[:]) == r.SnapshotHash,
			CreatedAt: r.CreatedAt, VoidedAt: r.VoidedAt, VoidedReason: r.VoidedReason}
		ids[i], index[r.ID] = r.ID, i
	}
	var entries []struct {
		AcceptanceID int64 `db:"acceptance_id"`
		acceptedEntryRow
	}
	if err := sqlx.SelectContext(ctx, q, &entries, `
		SELECT x.acceptance_id, x.entry_id, o.short_id, e.requirement_id, r.title, e.level, e.status
		FROM risk_acceptance_entries x JOIN check_entries e ON e.id = x.entry_id JOIN objects o ON o.id = e.object_id
		JOIN catalog_requirements r ON r.catalog_id = e.catalog_id AND r.id = e.requirement_id
		WHERE x.acceptance_id = ANY ($1) ORDER BY o.short_id, e.module_id, r.ord`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("read accepted entries: %w", err)
	}
	for _, e := range entries {
		a := &out[index[e.AcceptanceID]]
		a.Entries = append(a.Entries, e.asDomain())
	}
	return out, nil
}
