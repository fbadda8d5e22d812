package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// Audits of a scope – certification, surveillance and internal audits –
// with their sample, findings and the corrective actions that answer
// them. (The audit trail of changes is audit.go.) An audit covers the
// whole scope: everyone who reads it sees the audit and its findings,
// and a reader limited to departments sees the sample items and links of
// the objects in their subtree. Changes take a grant without a limit to
// departments (see authz), so the writes here take no visibility.

// auditHead scans an audit with its figures.
type auditHead struct {
	ID           int64          `db:"id"`
	ScopeID      int64          `db:"scope_id"`
	Kind         string         `db:"kind"`
	Title        string         `db:"title"`
	Auditors     pq.StringArray `db:"auditors"`
	StartsOn     time.Time      `db:"starts_on"`
	EndsOn       time.Time      `db:"ends_on"`
	ScopeNote    string         `db:"scope_note"`
	State        string         `db:"state"`
	CreatedBy    string         `db:"created_by"`
	CreatedAt    time.Time      `db:"created_at"`
	UpdatedAt    time.Time      `db:"updated_at"`
	Version      int            `db:"version"`
	Samples      int            `db:"samples"`
	Assessed     int            `db:"assessed"`
	OpenFindings int            `db:"open_findings"`
}

func (r auditHead) asDomain() domain.Audit {
	auditors := []string(r.Auditors)
	if auditors == nil {
		auditors = []string{}
	}
	return domain.Audit{ID: r.ID, ScopeID: r.ScopeID, Kind: domain.AuditKind(r.Kind), Title: r.Title, Auditors: auditors,
		StartsOn: r.StartsOn, EndsOn: r.EndsOn, ScopeNote: r.ScopeNote, State: domain.AuditState(r.State), CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version, Samples: r.Samples, Assessed: r.Assessed,
		OpenFindings: r.OpenFindings}
}

// auditSelect reads audits with the size of their sample, the items with
// a result and the findings not yet closed, counted per audit.
const auditSelect = `
	SELECT a.id, a.scope_id, a.kind, a.title, a.auditors, a.starts_on, a.ends_on, a.scope_note, a.state, a.created_by,
	       a.created_at, a.updated_at, a.version, sm.samples, sm.assessed, fo.open_findings
	FROM audits a
	CROSS JOIN LATERAL (SELECT count(*) AS samples, count(*) FILTER (WHERE x.result <> 'open') AS assessed
	                    FROM audit_samples x WHERE x.audit_id = a.id) sm
	CROSS JOIN LATERAL (SELECT count(*) AS open_findings FROM findings y WHERE y.audit_id = a.id AND y.state <> 'closed') fo`

func errAuditNotFound(id int64) error {
	return domain.Errorf(domain.ErrNotFound, "no audit %d", id).De("Dieses Audit gibt es nicht.")
}

// ListAudits returns the audits of a scope, the latest first.
func (db *DB) ListAudits(ctx context.Context, scopeID int64) ([]domain.Audit, error) {
	var rows []auditHead
	if err := db.x.SelectContext(ctx, &rows, auditSelect+` WHERE a.scope_id = $1 ORDER BY a.starts_on DESC, a.id DESC`, scopeID); err != nil {
		return nil, fmt.Errorf("list audits: %w", err)
	}
	return asDomainAll(rows), nil
}

// AuditByID returns one audit with its figures.
func (db *DB) AuditByID(ctx context.Context, id int64) (domain.Audit, error) {
	return auditByID(ctx, db.x, id)
}

func auditByID(ctx context.Context, q sqlx.QueryerContext, id int64) (domain.Audit, error) {
	return getDomain[auditHead](ctx, q, errAuditNotFound(id), auditSelect+` WHERE a.id = $1`, id)
}

// auditFields is what the audit trail keeps of an audit.
func auditFields(a domain.Audit) map[string]any {
	return map[string]any{"kind": a.Kind, "title": a.Title, "auditors": a.Auditors, "starts_on": a.StartsOn.Format("2006-01-02"),
		"ends_on": a.EndsOn.Format("2006-01-02"), "scope_note": a.ScopeNote, "state": a.State}
}

// CreateAudit plans an audit of a scope; without a state it is planned.
func (tx *Tx) CreateAudit(ctx context.Context, scopeID int64, in domain.AuditInput) (domain.Audit, error) {
	if in.State == "" {
		in.State = domain.AuditPlanned
	}
	if vs := in.Validate(); len(vs) > 0 {
		return domain.Audit{}, domain.Invalid(vs...)
	}
	var found bool
	err := tx.x.GetContext(ctx, &found, `SELECT true FROM scopes WHERE id = $1`, scopeID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Audit{}, domain.Errorf(domain.ErrNotFound, "no scope %d", scopeID).De("Diesen Informationsverbund gibt es nicht.")
	}
	if err != nil {
		return domain.Audit{}, err
	}
	var id int64
	err = tx.x.GetContext(ctx, &id, `
		INSERT INTO audits (scope_id, kind, title, auditors, starts_on, ends_on, scope_note, state, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		scopeID, string(in.Kind), in.Title, pq.Array(in.Auditors), in.StartsOn, in.EndsOn, in.ScopeNote, string(in.State), tx.actor.Name)
	if err != nil {
		return domain.Audit{}, mapError(err)
	}
	a, err := auditByID(ctx, tx.x, id)
	if err != nil {
		return a, err
	}
	return a, tx.Record("audit.create", "audit", id, nil, auditFields(a))
}

// lockAudit reads an audit for a change at version.
func (tx *Tx) lockAudit(ctx context.Context, id int64, version int) (domain.Audit, error) {
	return lockVersion(recordName{fmt.Sprintf("audit %d", id), "Das Audit"}, version, func() (domain.Audit, int, error) {
		var locked bool
		err := tx.x.GetContext(ctx, &locked, `SELECT true FROM audits WHERE id = $1 FOR UPDATE`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Audit{}, 0, errAuditNotFound(id)
		}
		if err != nil {
			return domain.Audit{}, 0, err
		}
		a, err := auditByID(ctx, tx.x, id)
		return a, a.Version, err
	})
}

// UpdateAudit changes an audit if it is still at version.
func (tx *Tx) UpdateAudit(ctx context.Context, id int64, version int, ch domain.AuditChange) (domain.Audit, error) {
	before, err := tx.lockAudit(ctx, id, version)
	if err != nil {
		return before, err
	}
	in := ch.Apply(before)
	if vs := in.Validate(); len(vs) > 0 {
		return before, domain.Invalid(vs...)
	}
	if _, err := tx.x.ExecContext(ctx, `
		UPDATE audits SET kind = $2, title = $3, auditors = $4, starts_on = $5, ends_on = $6, scope_note = $7, state = $8,
		       updated_at = now(), version = version + 1
		WHERE id = $1`,
		id, string(in.Kind), in.Title, pq.Array(in.Auditors), in.StartsOn, in.EndsOn, in.ScopeNote, string(in.State)); err != nil {
		return before, mapError(err)
	}
	return recordChange(tx, "audit.update", "audit", id, auditFields, before,
		func() (domain.Audit, error) { return auditByID(ctx, tx.x, id) })
}

// auditLock is what a change of an audit's sample or findings needs of it.
type auditLock struct {
	ScopeID   int64  `db:"scope_id"`
	CatalogID int64  `db:"catalog_id"`
	State     string `db:"state"`
}

// lockOpenAudit locks an audit against concurrent changes of its sample
// (so a draw sees every item already in it) and refuses a completed one:
// its sample, results and findings are its record. Findings already
// recorded are still changed, answered and closed after the audit.
func (tx *Tx) lockOpenAudit(ctx context.Context, auditID int64) (auditLock, error) {
	var l auditLock
	err := tx.x.GetContext(ctx, &l, `
		SELECT a.scope_id, s.catalog_id, a.state FROM audits a JOIN scopes s ON s.id = a.scope_id
		WHERE a.id = $1 FOR NO KEY UPDATE OF a`, auditID)
	if errors.Is(err, sql.ErrNoRows) {
		return l, errAuditNotFound(auditID)
	}
	if err != nil {
		return l, err
	}
	if l.State == string(domain.AuditCompleted) {
		return l, domain.Errorf(domain.ErrConflict, "audit %d is completed; set it in progress again to change its sample or record findings", auditID).
			De("Das Audit ist abgeschlossen. Um die Stichprobe zu ändern oder Feststellungen zu erfassen, setzen Sie es zuerst wieder auf „laufend“.")
	}
	return l, nil
}

// sampleRow scans a sample item with what it names.
type sampleRow struct {
	ID               int64     `db:"id"`
	AuditID          int64     `db:"audit_id"`
	Type             string    `db:"item_type"`
	CatalogID        *int64    `db:"catalog_id"`
	ModuleID         *string   `db:"module_id"`
	ModuleTitle      string    `db:"module_title"`
	ObjectID         *int64    `db:"object_id"`
	ObjectShortID    string    `db:"short_id"`
	ObjectName       string    `db:"object_name"`
	EntryID          *int64    `db:"entry_id"`
	RequirementID    string    `db:"requirement_id"`
	RequirementTitle string    `db:"requirement_title"`
	EntryStatus      string    `db:"entry_status"`
	Seed             *int64    `db:"drawn_seed"`
	Result           string    `db:"result"`
	Note             string    `db:"note"`
	UpdatedBy        string    `db:"updated_by"`
	UpdatedAt        time.Time `db:"updated_at"`
	Version          int       `db:"version"`
}

func (r sampleRow) asDomain() domain.SampleItem {
	s := domain.SampleItem{ID: r.ID, AuditID: r.AuditID, Type: domain.SampleType(r.Type), ModuleTitle: r.ModuleTitle, ObjectID: r.ObjectID,
		ObjectShortID: r.ObjectShortID, ObjectName: r.ObjectName, EntryID: r.EntryID, RequirementID: r.RequirementID,
		RequirementTitle: r.RequirementTitle, EntryStatus: domain.Status(r.EntryStatus), Seed: r.Seed, Result: domain.SampleResult(r.Result),
		Note: r.Note, UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt, Version: r.Version}
	if r.CatalogID != nil {
		s.CatalogID = *r.CatalogID
	}
	if r.ModuleID != nil {
		s.ModuleID = *r.ModuleID
	}
	return s
}

// sampleSelect reads sample items; a requirement names its check entry's
// object, so o is the object of object and requirement items.
const sampleSelect = `
	SELECT s.id, s.audit_id, s.item_type, s.catalog_id, s.module_id, coalesce(m.title, '') AS module_title,
	       o.id AS object_id, coalesce(o.short_id, '') AS short_id, coalesce(o.name, '') AS object_name, s.entry_id,
	       coalesce(e.requirement_id, '') AS requirement_id, coalesce(r.title, '') AS requirement_title,
	       coalesce(e.status, '') AS entry_status, s.drawn_seed, s.result, s.note, s.updated_by, s.updated_at, s.version
	FROM audit_samples s
	LEFT JOIN check_entries e ON e.id = s.entry_id
	LEFT JOIN objects o ON o.id = coalesce(s.object_id, e.object_id)
	LEFT JOIN catalog_modules m ON m.catalog_id = s.catalog_id AND m.id = s.module_id
	LEFT JOIN catalog_requirements r ON r.catalog_id = e.catalog_id AND r.id = e.requirement_id`

// sampleOrder lists a sample as a checklist: modules, objects, then
// requirements, each by its identifier.
const sampleOrder = ` ORDER BY array_position(ARRAY['module', 'object', 'requirement'], s.item_type), s.module_id, o.short_id,
	e.requirement_id, s.id`

func errSampleNotFound(id int64) error {
	return domain.Errorf(domain.ErrNotFound, "no sample item %d", id).De("Dieses Element der Stichprobe gibt es nicht.")
}

// SampleItems returns an audit's sample as a checklist; a reader limited
// to departments sees modules and the items of the objects in their
// subtree.
func (db *DB) SampleItems(ctx context.Context, auditID int64, vis Visibility) ([]domain.SampleItem, error) {
	var rows []sampleRow
	if err := db.x.SelectContext(ctx, &rows, sampleSelect+` WHERE s.audit_id = $1 AND (o.id IS NULL OR `+visibleObject(2)+`)`+sampleOrder,
		auditID, vis.arg()); err != nil {
		return nil, fmt.Errorf("sample items: %w", err)
	}
	return asDomainAll(rows), nil
}

// SampleItemByID returns one visible sample item.
func (db *DB) SampleItemByID(ctx context.Context, id int64, vis Visibility) (domain.SampleItem, error) {
	return getDomain[sampleRow](ctx, db.x, errSampleNotFound(id), sampleSelect+` WHERE s.id = $1 AND (o.id IS NULL OR `+visibleObject(2)+`)`, id, vis.arg())
}

// sampleFields is what the audit trail keeps of a sample item.
func sampleFields(s domain.SampleItem) map[string]any {
	return map[string]any{"audit_id": s.AuditID, "type": s.Type, "item": s.Label(), "seed": s.Seed, "result": s.Result, "note": s.Note}
}

// ScopeModule is a module assigned somewhere in a scope.
type ScopeModule struct {
	ModuleID string `db:"module_id"`
	Title    string `db:"title"`
}

// ModulesInScope lists the modules of the scope's catalog assigned to any
// of its objects, in catalog order: the modules a sample can hold.
func (db *DB) ModulesInScope(ctx context.Context, scopeID int64) ([]ScopeModule, error) {
	var ms []ScopeModule
	err := db.x.SelectContext(ctx, &ms, `
		SELECT m.id AS module_id, m.title
		FROM scopes sc
		JOIN catalog_modules m ON m.catalog_id = sc.catalog_id
		LEFT JOIN catalog_groups g ON g.catalog_id = m.catalog_id AND g.key = m.group_key
		WHERE sc.id = $1 AND EXISTS (
			SELECT 1 FROM object_modules om JOIN objects o ON o.id = om.object_id
			WHERE o.scope_id = sc.id AND om.catalog_id = m.catalog_id AND om.module_id = m.id)
		ORDER BY g.ord NULLS LAST, m.ord`, scopeID)
	return ms, err
}

// AddSampleItem puts an item picked by hand into an audit's sample. An
// object or entry the writer may not see (vis) or of another scope is not
// found, like a missing one.
func (tx *Tx) AddSampleItem(ctx context.Context, auditID int64, in domain.SampleInput, vis Visibility) (domain.SampleItem, error) {
	if vs := in.Validate(); len(vs) > 0 {
		return domain.SampleItem{}, domain.Invalid(vs...)
	}
	a, err := tx.lockOpenAudit(ctx, auditID)
	if err != nil {
		return domain.SampleItem{}, err
	}
	switch in.Type {
	case domain.SampleObject:
		err = tx.resolve(ctx, a.ScopeID, vis, Ref{Kind: RefObject, ID: in.ObjectID, Pointer: "/object_id"})
	case domain.SampleRequirement:
		err = tx.resolve(ctx, a.ScopeID, vis, Ref{Kind: RefCheckEntry, ID: in.EntryID, Pointer: "/entry_id"})
	}
	if err != nil {
		return domain.SampleItem{}, err
	}
	// A module assigned in the scope, a target object other than the
	// scope's own, an active check entry: what a draw picks from, too.
	var belongs bool
	var refusal domain.Violation
	switch in.Type {
	case domain.SampleModule:
		err = tx.x.GetContext(ctx, &belongs, `SELECT EXISTS (SELECT 1 FROM object_modules om JOIN objects o ON o.id = om.object_id
			WHERE o.scope_id = $1 AND om.catalog_id = $2 AND om.module_id = $3)`, a.ScopeID, a.CatalogID, in.ModuleID)
		refusal = domain.Violation{Pointer: "/module_id", Detail: "the module is not assigned to any object of the audit's scope",
			German: fmt.Sprintf("Der Baustein %s ist keinem Zielobjekt des Informationsverbunds zugeordnet.", in.ModuleID)}
	case domain.SampleObject:
		err = tx.x.GetContext(ctx, &belongs, `SELECT EXISTS (SELECT 1 FROM objects WHERE id = $2 AND scope_id = $1 AND type <> 'scope')`,
			a.ScopeID, in.ObjectID)
		refusal = domain.Violation{Pointer: "/object_id", Detail: "the object is not a target object of the audit's scope",
			German: "Dieses Zielobjekt gehört nicht zum Informationsverbund des Audits."}
	case domain.SampleRequirement:
		err = tx.x.GetContext(ctx, &belongs, `SELECT EXISTS (SELECT 1 FROM check_entries WHERE id = $2 AND scope_id = $1 AND active)`,
			a.ScopeID, in.EntryID)
		refusal = domain.Violation{Pointer: "/entry_id", Detail: "the requirement is not an active check entry of the audit's scope",
			German: "Diese Anforderung steht nicht im IT-Grundschutz-Check des Informationsverbunds."}
	}
	if err != nil {
		return domain.SampleItem{}, err
	}
	if !belongs {
		return domain.SampleItem{}, domain.Invalid(refusal)
	}
	var catalogID, moduleID, objectID, entryID any
	switch in.Type {
	case domain.SampleModule:
		catalogID, moduleID = a.CatalogID, in.ModuleID
	case domain.SampleObject:
		objectID = in.ObjectID
	case domain.SampleRequirement:
		entryID = in.EntryID
	}
	var id int64
	err = tx.x.GetContext(ctx, &id, `
		INSERT INTO audit_samples (audit_id, item_type, catalog_id, module_id, object_id, entry_id, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
		auditID, string(in.Type), catalogID, moduleID, objectID, entryID, tx.actor.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.SampleItem{}, domain.Errorf(domain.ErrConflict, "the item is in the sample already").De("Das Element steht schon in der Stichprobe.")
	}
	if err != nil {
		return domain.SampleItem{}, mapError(err)
	}
	s, err := tx.sampleItem(ctx, id, false)
	if err != nil {
		return s, err
	}
	return s, tx.Record("audit.sample_add", "audit_sample", id, nil, sampleFields(s))
}

// sampleItem reads an item of any audit within the transaction, locked
// for a change when lock is set.
func (tx *Tx) sampleItem(ctx context.Context, id int64, lock bool) (domain.SampleItem, error) {
	q := sampleSelect + ` WHERE s.id = $1`
	if lock {
		q += ` FOR UPDATE OF s`
	}
	return getDomain[sampleRow](ctx, tx.x, errSampleNotFound(id), q, id)
}

// DrawSample adds items drawn at random to an audit's sample: so many
// modules, objects and requirements, each kind ordered by the MD5 of the
// seed and the item's identifier, so the same seed on the same data draws
// the same items. Items already in the sample are skipped; every drawn
// item records the seed. It returns the drawn items and the seed, chosen
// here when none is given.
func (tx *Tx) DrawSample(ctx context.Context, auditID int64, d domain.SampleDraw) ([]domain.SampleItem, int64, error) {
	if vs := d.Validate(); len(vs) > 0 {
		return nil, 0, domain.Invalid(vs...)
	}
	seed := rand.Int64N(1_000_000_000) // short enough to be read out and typed again
	if d.Seed != nil {
		seed = *d.Seed
	}
	a, err := tx.lockOpenAudit(ctx, auditID)
	if err != nil {
		return nil, seed, err
	}
	var ids []int64
	err = tx.x.SelectContext(ctx, &ids, `
		WITH taken AS (SELECT item_type, module_id, object_id, entry_id FROM audit_samples WHERE audit_id = $3),
		modules AS (
			INSERT INTO audit_samples (audit_id, item_type, catalog_id, module_id, drawn_seed, updated_by)
			SELECT $3::bigint, 'module', $2::bigint, c.module_id, $4::bigint, $8::text FROM (
				SELECT DISTINCT om.module_id FROM object_modules om JOIN objects o ON o.id = om.object_id
				WHERE o.scope_id = $1 AND om.catalog_id = $2) c
			WHERE NOT EXISTS (SELECT 1 FROM taken t WHERE t.item_type = 'module' AND t.module_id = c.module_id)
			ORDER BY md5($4::bigint::text || ':' || c.module_id), c.module_id LIMIT $5
			RETURNING id),
		objects AS (
			INSERT INTO audit_samples (audit_id, item_type, object_id, drawn_seed, updated_by)
			SELECT $3::bigint, 'object', o.id, $4::bigint, $8::text FROM objects o
			WHERE o.scope_id = $1 AND o.type <> 'scope'
			  AND NOT EXISTS (SELECT 1 FROM taken t WHERE t.item_type = 'object' AND t.object_id = o.id)
			ORDER BY md5($4::bigint::text || ':' || o.id::text), o.id LIMIT $6
			RETURNING id),
		requirements AS (
			INSERT INTO audit_samples (audit_id, item_type, entry_id, drawn_seed, updated_by)
			SELECT $3::bigint, 'requirement', e.id, $4::bigint, $8::text FROM check_entries e
			WHERE e.scope_id = $1 AND e.active
			  AND NOT EXISTS (SELECT 1 FROM taken t WHERE t.item_type = 'requirement' AND t.entry_id = e.id)
			ORDER BY md5($4::bigint::text || ':' || e.id::text), e.id LIMIT $7
			RETURNING id)
		SELECT id FROM modules UNION ALL SELECT id FROM objects UNION ALL SELECT id FROM requirements`,
		a.ScopeID, a.CatalogID, auditID, seed, d.Modules, d.Objects, d.Requirements, tx.actor.Name)
	if err != nil {
		return nil, seed, mapError(fmt.Errorf("draw sample: %w", err))
	}
	var rows []sampleRow
	if err := tx.x.SelectContext(ctx, &rows, sampleSelect+` WHERE s.id = ANY ($1)`+sampleOrder, pq.Array(ids)); err != nil {
		return nil, seed, err
	}
	items := asDomainAll(rows)
	drawn := make([]string, len(items))
	for i, s := range items {
		drawn[i] = string(s.Type) + " " + s.Label()
	}
	return items, seed, tx.Record("audit.sample_draw", "audit", auditID, nil, map[string]any{"seed": seed, "modules": d.Modules,
		"objects": d.Objects, "requirements": d.Requirements, "items": ids, "drawn": drawn})
}

// lockSampleItem locks an item and its audit (in that order of reading:
// audit first, so every change of a sample queues the same way) and
// checks the version the writer saw.
func (tx *Tx) lockSampleItem(ctx context.Context, id int64, version int) (domain.SampleItem, error) {
	return lockVersion(recordName{fmt.Sprintf("sample item %d", id), "Das Element der Stichprobe"}, version, func() (domain.SampleItem, int, error) {
		var auditID int64
		err := tx.x.GetContext(ctx, &auditID, `SELECT audit_id FROM audit_samples WHERE id = $1`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.SampleItem{}, 0, errSampleNotFound(id)
		}
		if err != nil {
			return domain.SampleItem{}, 0, err
		}
		if _, err := tx.lockOpenAudit(ctx, auditID); err != nil {
			return domain.SampleItem{}, 0, err
		}
		s, err := tx.sampleItem(ctx, id, true)
		return s, s.Version, err
	})
}

// RemoveSampleItem takes an item out of its audit's sample, unless a
// finding refers to it.
func (tx *Tx) RemoveSampleItem(ctx context.Context, id int64, version int) error {
	s, err := tx.lockSampleItem(ctx, id, version)
	if err != nil {
		return err
	}
	var linked bool
	if err := tx.x.GetContext(ctx, &linked, `SELECT EXISTS (SELECT 1 FROM finding_links WHERE target_type = 'sample' AND target_id = $1)`, id); err != nil {
		return err
	}
	if linked {
		return domain.Errorf(domain.ErrConflict, "a finding refers to sample item %d", id).
			De("Eine Feststellung bezieht sich auf dieses Element; es bleibt in der Stichprobe.")
	}
	if _, err := tx.x.ExecContext(ctx, `DELETE FROM audit_samples WHERE id = $1`, id); err != nil {
		return mapError(err)
	}
	return tx.Record("audit.sample_remove", "audit_sample", id, sampleFields(s), nil)
}

// RecordSampleResult records the auditor's result for a sample item if
// the item is still at version.
func (tx *Tx) RecordSampleResult(ctx context.Context, id int64, version int, ch domain.SampleResultChange) (domain.SampleItem, error) {
	before, err := tx.lockSampleItem(ctx, id, version)
	if err != nil {
		return before, err
	}
	next := ch.Apply(before)
	if vs := next.Validate(); len(vs) > 0 {
		return before, domain.Invalid(vs...)
	}
	if _, err := tx.x.ExecContext(ctx, `
		UPDATE audit_samples SET result = $2, note = $3, updated_by = $4, updated_at = now(), version = version + 1 WHERE id = $1`,
		id, string(next.Result), next.Note, tx.actor.Name); err != nil {
		return before, mapError(err)
	}
	return recordChange(tx, "audit.sample_result", "audit_sample", id, sampleFields, before,
		func() (domain.SampleItem, error) { return tx.sampleItem(ctx, id, false) })
}

// findingRow scans a finding with its audit.
type findingRow struct {
	ID          int64      `db:"id"`
	AuditID     int64      `db:"audit_id"`
	AuditTitle  string     `db:"audit_title"`
	ScopeID     int64      `db:"scope_id"`
	Class       string     `db:"class"`
	Title       string     `db:"title"`
	Description string     `db:"description"`
	DueDate     *time.Time `db:"due_date"`
	State       string     `db:"state"`
	CreatedBy   string     `db:"created_by"`
	CreatedAt   time.Time  `db:"created_at"`
	ClosedBy    string     `db:"closed_by"`
	ClosedAt    *time.Time `db:"closed_at"`
	UpdatedAt   time.Time  `db:"updated_at"`
	Version     int        `db:"version"`
}

func (r findingRow) asDomain() domain.Finding {
	return domain.Finding{ID: r.ID, AuditID: r.AuditID, AuditTitle: r.AuditTitle, ScopeID: r.ScopeID, Class: domain.FindingClass(r.Class),
		Title: r.Title, Description: r.Description, DueDate: r.DueDate, State: domain.FindingState(r.State), CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt, ClosedBy: r.ClosedBy, ClosedAt: r.ClosedAt, UpdatedAt: r.UpdatedAt, Version: r.Version,
		Links: []domain.FindingLink{}, Actions: []domain.CorrectiveAction{}}
}

const findingSelect = `
	SELECT f.id, f.audit_id, a.title AS audit_title, a.scope_id, f.class, f.title, f.description, f.due_date, f.state,
	       f.created_by, f.created_at, f.closed_by, f.closed_at, f.updated_at, f.version
	FROM findings f JOIN audits a ON a.id = f.audit_id`

func errFindingNotFound(id int64) error {
	return domain.Errorf(domain.ErrNotFound, "no finding %d", id).De("Diese Feststellung gibt es nicht.")
}

// FindingFilter selects findings; zero fields do not filter.
type FindingFilter struct {
	ScopeID     int64 // the findings of this scope's audits
	AuditID     int64
	Class       domain.FindingClass
	State       domain.FindingState
	OpenOnly    bool      // not closed
	OverdueOnly bool      // not closed and due before Today
	Today       time.Time // decides what is overdue
	After       int64     // cursor: the id of the last finding of the previous page
	Limit       int       // 1 to 1000; 100 when 0
}

// ListFindings returns a page of findings, by due date (those without one
// last), each with its links and corrective actions, and the cursor of
// the next page (0 at the end): the id of the page's last finding.
// Links to objects outside the reader's departments are left out.
func (db *DB) ListFindings(ctx context.Context, f FindingFilter, vis Visibility) ([]domain.Finding, int64, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	var today any
	if f.OverdueOnly {
		today = f.Today
	}
	var rows []findingRow
	err := db.x.SelectContext(ctx, &rows, findingSelect+`
		WHERE ($1 = 0 OR a.scope_id = $1) AND ($2 = 0 OR f.audit_id = $2)
		  AND ($3 = '' OR f.class = $3) AND ($4 = '' OR f.state = $4)
		  AND (NOT $5 OR f.state <> 'closed')
		  AND ($6::date IS NULL OR f.due_date < $6 AND f.state <> 'closed')
		  AND ($7 = 0 OR (coalesce(f.due_date, 'infinity'), f.id) > (SELECT coalesce(due_date, 'infinity'), id FROM findings WHERE id = $7))
		ORDER BY coalesce(f.due_date, 'infinity'), f.id LIMIT $8`,
		f.ScopeID, f.AuditID, string(f.Class), string(f.State), f.OpenOnly, today, f.After, f.Limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("list findings: %w", err)
	}
	rows, next := keysetPage(rows, f.Limit, func(r findingRow) int64 { return r.ID })
	out := asDomainAll(rows)
	return out, next, fillFindings(ctx, db.x, out, vis)
}

// FindingByID returns one finding with its links and corrective actions.
func (db *DB) FindingByID(ctx context.Context, id int64, vis Visibility) (domain.Finding, error) {
	return findingByID(ctx, db.x, id, vis, false)
}

func findingByID(ctx context.Context, q sqlx.QueryerContext, id int64, vis Visibility, lock bool) (domain.Finding, error) {
	query := findingSelect + ` WHERE f.id = $1`
	if lock {
		query += ` FOR UPDATE OF f`
	}
	var r findingRow
	err := sqlx.GetContext(ctx, q, &r, query, id)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Finding{}, errFindingNotFound(id)
	}
	if err != nil {
		return domain.Finding{}, err
	}
	fs := []domain.Finding{r.asDomain()}
	return fs[0], fillFindings(ctx, q, fs, vis)
}

// fillFindings loads the links (labelled, as the reader may see them) and
// the corrective actions of the findings, in one query each.
func fillFindings(ctx context.Context, q sqlx.QueryerContext, fs []domain.Finding, vis Visibility) error {
	if len(fs) == 0 {
		return nil
	}
	ids := make([]int64, len(fs))
	at := map[int64]*domain.Finding{}
	for i := range fs {
		ids[i], at[fs[i].ID] = fs[i].ID, &fs[i]
	}
	var links []struct {
		FindingID int64  `db:"finding_id"`
		Target    string `db:"target_type"`
		TargetID  int64  `db:"target_id"`
		Label     string `db:"label"`
	}
	// A sample link is labelled by what the sample item names.
	err := sqlx.SelectContext(ctx, q, &links, `
		SELECT l.finding_id, l.target_type, l.target_id,
		       coalesce(CASE WHEN s.item_type = 'module' THEN s.module_id || coalesce(' ' || m.title, '')
		                     WHEN e.id IS NOT NULL THEN e.requirement_id || coalesce(' ' || r.title, '') || ' (' || o.short_id || ')'
		                     ELSE o.short_id || ' ' || o.name END, '') AS label
		FROM finding_links l
		LEFT JOIN audit_samples s ON l.target_type = 'sample' AND s.id = l.target_id
		LEFT JOIN check_entries e ON e.id = CASE l.target_type WHEN 'check_entry' THEN l.target_id WHEN 'sample' THEN s.entry_id END
		LEFT JOIN objects o ON o.id = CASE l.target_type WHEN 'object' THEN l.target_id ELSE coalesce(s.object_id, e.object_id) END
		LEFT JOIN catalog_requirements r ON r.catalog_id = e.catalog_id AND r.id = e.requirement_id
		LEFT JOIN catalog_modules m ON m.catalog_id = s.catalog_id AND m.id = s.module_id
		WHERE l.finding_id = ANY ($1) AND (o.id IS NULL OR `+visibleObject(2)+`)
		ORDER BY l.finding_id, array_position(ARRAY['sample', 'check_entry', 'object'], l.target_type), label, l.target_id`,
		pq.Array(ids), vis.arg())
	if err != nil {
		return fmt.Errorf("finding links: %w", err)
	}
	for _, l := range links {
		f := at[l.FindingID]
		f.Links = append(f.Links, domain.FindingLink{Target: l.Target, TargetID: l.TargetID, Label: l.Label})
	}
	var actions []struct {
		ID          int64      `db:"id"`
		FindingID   int64      `db:"finding_id"`
		Description string     `db:"description"`
		SubmittedBy string     `db:"submitted_by"`
		SubmittedAt time.Time  `db:"submitted_at"`
		Verdict     string     `db:"verdict"`
		VerifiedBy  string     `db:"verified_by"`
		VerifiedAt  *time.Time `db:"verified_at"`
		Comment     string     `db:"comment"`
	}
	if err := sqlx.SelectContext(ctx, q, &actions, `
		SELECT id, finding_id, description, submitted_by, submitted_at, verdict, verified_by, verified_at, comment
		FROM corrective_actions WHERE finding_id = ANY ($1) ORDER BY finding_id, id`, pq.Array(ids)); err != nil {
		return fmt.Errorf("corrective actions: %w", err)
	}
	for _, a := range actions {
		f := at[a.FindingID]
		f.Actions = append(f.Actions, domain.CorrectiveAction{ID: a.ID, FindingID: a.FindingID, Description: a.Description,
			SubmittedBy: a.SubmittedBy, SubmittedAt: a.SubmittedAt, Verdict: domain.Verdict(a.Verdict), VerifiedBy: a.VerifiedBy,
			VerifiedAt: a.VerifiedAt, Comment: a.Comment})
	}
	return nil
}

// findingFields is what the audit trail keeps of a finding.
func findingFields(f domain.Finding) map[string]any {
	links := make([]string, len(f.Links))
	for i, l := range f.Links {
		links[i] = fmt.Sprintf("%s %d", l.Target, l.TargetID)
	}
	var due any
	if f.DueDate != nil {
		due = f.DueDate.Format("2006-01-02")
	}
	return map[string]any{"audit_id": f.AuditID, "class": f.Class, "title": f.Title, "description": f.Description, "due_date": due,
		"state": f.State, "links": links}
}

// findingTargets are the kinds of records a finding concerns.
var findingTargets = map[string]RefKind{domain.FindingOnSample: RefSample, domain.FindingOnEntry: RefCheckEntry, domain.FindingOnObject: RefObject}

// setFindingLinks replaces the links of a finding: items of its audit's
// sample, check entries and objects of its scope that the writer may see
// (others are not found, like missing ones); each item of another audit
// is refused at its place in the input.
func (tx *Tx) setFindingLinks(ctx context.Context, findingID, auditID, scopeID int64, links []domain.FindingLink, vis Visibility) error {
	targets, ids := make([]string, len(links)), make([]int64, len(links))
	refs := make([]Ref, len(links))
	for i, l := range links {
		targets[i], ids[i] = l.Target, l.TargetID
		kind, ok := findingTargets[l.Target]
		if !ok {
			return domain.Invalid(domain.Violation{Pointer: fmt.Sprintf("/links/%d/target", i), Detail: "unknown kind of link",
				German: "Unbekannte Art des Bezugs."})
		}
		refs[i] = Ref{Kind: kind, ID: l.TargetID, Pointer: fmt.Sprintf("/links/%d/target_id", i)}
	}
	if err := tx.resolve(ctx, scopeID, vis, refs...); err != nil {
		return err
	}
	var refused []int
	err := tx.x.SelectContext(ctx, &refused, `
		SELECT w.n - 1 FROM unnest($2::text[], $3::bigint[]) WITH ORDINALITY AS w(target_type, target_id, n)
		WHERE w.target_type = 'sample' AND NOT EXISTS (SELECT 1 FROM audit_samples x WHERE x.id = w.target_id AND x.audit_id = $1)
		ORDER BY w.n`, auditID, pq.Array(targets), pq.Array(ids))
	if err != nil {
		return fmt.Errorf("check finding links: %w", err)
	}
	if len(refused) > 0 {
		vs := make([]domain.Violation, len(refused))
		for i, n := range refused {
			vs[i] = domain.Violation{Pointer: fmt.Sprintf("/links/%d/target_id", n), Detail: "not an item of the audit's sample",
				German: "Dieses Element gehört nicht zur Stichprobe des Audits."}
		}
		return domain.Invalid(vs...)
	}
	if _, err := tx.x.ExecContext(ctx, `DELETE FROM finding_links WHERE finding_id = $1`, findingID); err != nil {
		return err
	}
	_, err = tx.x.ExecContext(ctx, `
		INSERT INTO finding_links (finding_id, target_type, target_id)
		SELECT $1::bigint, t, i FROM unnest($2::text[], $3::bigint[]) AS u(t, i) ON CONFLICT DO NOTHING`,
		findingID, pq.Array(targets), pq.Array(ids))
	return mapError(err)
}

// CreateFinding records a finding of an audit with what it concerns.
func (tx *Tx) CreateFinding(ctx context.Context, auditID int64, in domain.FindingInput, vis Visibility) (domain.Finding, error) {
	if vs := in.Validate(); len(vs) > 0 {
		return domain.Finding{}, domain.Invalid(vs...)
	}
	a, err := tx.lockOpenAudit(ctx, auditID)
	if err != nil {
		return domain.Finding{}, err
	}
	var id int64
	if err := tx.x.GetContext(ctx, &id, `
		INSERT INTO findings (audit_id, class, title, description, due_date, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		auditID, string(in.Class), in.Title, in.Description, in.DueDate, tx.actor.Name); err != nil {
		return domain.Finding{}, mapError(err)
	}
	if err := tx.setFindingLinks(ctx, id, auditID, a.ScopeID, in.Links, vis); err != nil {
		return domain.Finding{}, err
	}
	f, err := findingByID(ctx, tx.x, id, Everything, false)
	if err != nil {
		return f, err
	}
	return f, tx.Record("finding.create", "finding", id, nil, findingFields(f))
}

// lockFinding locks a finding for a change and checks the version the
// writer saw.
func (tx *Tx) lockFinding(ctx context.Context, id int64, version int) (domain.Finding, error) {
	return lockVersion(recordName{fmt.Sprintf("finding %d", id), "Die Feststellung"}, version, func() (domain.Finding, int, error) {
		f, err := findingByID(ctx, tx.x, id, Everything, true)
		return f, f.Version, err
	})
}

// UpdateFinding changes a finding that is not closed if it is still at
// version.
func (tx *Tx) UpdateFinding(ctx context.Context, id int64, version int, ch domain.FindingChange, vis Visibility) (domain.Finding, error) {
	before, err := tx.lockFinding(ctx, id, version)
	if err != nil {
		return before, err
	}
	if before.State == domain.FindingClosed {
		return before, domain.Errorf(domain.ErrConflict, "finding %d is closed", id).De("Die Feststellung ist geschlossen und lässt sich nicht mehr ändern.")
	}
	in := ch.Apply(before)
	if vs := in.Validate(); len(vs) > 0 {
		return before, domain.Invalid(vs...)
	}
	if _, err := tx.x.ExecContext(ctx, `
		UPDATE findings SET class = $2, title = $3, description = $4, due_date = $5, updated_at = now(), version = version + 1
		WHERE id = $1`, id, string(in.Class), in.Title, in.Description, in.DueDate); err != nil {
		return before, mapError(err)
	}
	if ch.Links != nil {
		if err := tx.setFindingLinks(ctx, id, before.AuditID, before.ScopeID, in.Links, vis); err != nil {
			return before, err
		}
	}
	return recordChange(tx, "finding.update", "finding", id, findingFields, before,
		func() (domain.Finding, error) { return findingByID(ctx, tx.x, id, Everything, false) })
}

// SubmitCorrectiveAction records the ISB's corrective action for an open
// finding, which then waits for the auditor.
func (tx *Tx) SubmitCorrectiveAction(ctx context.Context, findingID int64, version int, in domain.CorrectiveActionInput) (domain.Finding, error) {
	if vs := in.Validate(); len(vs) > 0 {
		return domain.Finding{}, domain.Invalid(vs...)
	}
	before, err := tx.lockFinding(ctx, findingID, version)
	if err != nil {
		return before, err
	}
	switch before.State {
	case domain.FindingActionSubmitted:
		return before, domain.Errorf(domain.ErrConflict, "a corrective action of finding %d waits for verification", findingID).
			De("Eine Korrekturmaßnahme wartet schon auf die Prüfung durch die Auditorin oder den Auditor.")
	case domain.FindingClosed:
		return before, domain.Errorf(domain.ErrConflict, "finding %d is closed", findingID).De("Die Feststellung ist schon geschlossen.")
	}
	var actionID int64
	if err := tx.x.GetContext(ctx, &actionID, `
		INSERT INTO corrective_actions (finding_id, description, submitted_by) VALUES ($1, $2, $3) RETURNING id`,
		findingID, in.Description, tx.actor.Name); err != nil {
		return before, mapError(err)
	}
	if _, err := tx.x.ExecContext(ctx, `
		UPDATE findings SET state = 'action_submitted', updated_at = now(), version = version + 1 WHERE id = $1`, findingID); err != nil {
		return before, mapError(err)
	}
	after, err := findingByID(ctx, tx.x, findingID, Everything, false)
	if err != nil {
		return after, err
	}
	return after, tx.Record("finding.action_submit", "finding", findingID, map[string]any{"state": before.State},
		map[string]any{"state": after.State, "corrective_action": actionID, "description": in.Description})
}

// VerifyCorrectiveAction records the auditor's verdict on the corrective
// action waiting on a finding: accepted closes the finding, rejected (with
// a reason) opens it again for another action. Nobody verifies their own
// submission.
func (tx *Tx) VerifyCorrectiveAction(ctx context.Context, findingID int64, version int, in domain.VerificationInput) (domain.Finding, error) {
	if vs := in.Validate(); len(vs) > 0 {
		return domain.Finding{}, domain.Invalid(vs...)
	}
	before, err := tx.lockFinding(ctx, findingID, version)
	if err != nil {
		return before, err
	}
	pending := before.Pending()
	if before.State != domain.FindingActionSubmitted || pending == nil {
		return before, domain.Errorf(domain.ErrConflict, "no corrective action of finding %d waits for verification", findingID).
			De("Zu dieser Feststellung wartet keine Korrekturmaßnahme auf Prüfung.")
	}
	if pending.SubmittedBy == tx.actor.Name {
		return before, domain.Errorf(domain.ErrForbidden, "nobody verifies their own corrective action").
			De("Ihre eigene Korrekturmaßnahme können Sie nicht selbst prüfen.")
	}
	if _, err := tx.x.ExecContext(ctx, `
		UPDATE corrective_actions SET verdict = $2, verified_by = $3, verified_at = now(), comment = $4 WHERE id = $1`,
		pending.ID, string(in.Verdict), tx.actor.Name, in.Comment); err != nil {
		return before, mapError(err)
	}
	if _, err := tx.x.ExecContext(ctx, `
		UPDATE findings SET state = CASE WHEN $2 THEN 'closed' ELSE 'open' END,
		       closed_by = CASE WHEN $2 THEN $3 ELSE '' END, closed_at = CASE WHEN $2 THEN now() END,
		       updated_at = now(), version = version + 1
		WHERE id = $1`, findingID, in.Verdict == domain.VerdictAccepted, tx.actor.Name); err != nil {
		return before, mapError(err)
	}
	after, err := findingByID(ctx, tx.x, findingID, Everything, false)
	if err != nil {
		return after, err
	}
	return after, tx.Record("finding.action_verify", "finding", findingID, map[string]any{"state": before.State},
		map[string]any{"state": after.State, "corrective_action": pending.ID, "verdict": in.Verdict, "comment": in.Comment})
}
