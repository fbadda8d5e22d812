package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// evidenceRow scans an evidence item with its newest version.
type evidenceRow struct {
	ID             int64          `db:"id"`
	ScopeID        int64          `db:"scope_id"`
	DepartmentID   *int64         `db:"department_id"`
	DepartmentName sql.NullString `db:"department_name"`
	Title          string         `db:"title"`
	Description    string         `db:"description"`
	Tags           pq.StringArray `db:"tags"`
	CreatedBy      string         `db:"created_by"`
	CreatedAt      time.Time      `db:"created_at"`
	UpdatedAt      time.Time      `db:"updated_at"`
	Version        int            `db:"version"`
	versionRow
}

type versionRow struct {
	VID          int64      `db:"v_id"`
	Number       int        `db:"v_number"`
	EffectiveOn  time.Time  `db:"v_effective_on"`
	ValidUntil   *time.Time `db:"v_valid_until"`
	Reference    string     `db:"v_reference"`
	FileName     string     `db:"v_file_name"`
	ContentType  string     `db:"v_content_type"`
	Size         int64      `db:"v_size"`
	SHA256       string     `db:"v_sha256"`
	Note         string     `db:"v_note"`
	UploadedByID *int64     `db:"v_uploaded_by_id"`
	UploadedBy   string     `db:"v_uploaded_by"`
	UploadedAt   time.Time  `db:"v_uploaded_at"`
	State        string     `db:"v_state"`
	ReviewedBy   string     `db:"v_reviewed_by"`
	ReviewedAt   *time.Time `db:"v_reviewed_at"`
	EvidenceID   int64      `db:"v_evidence_id"`
}

func (r versionRow) asDomain() domain.EvidenceVersion {
	return domain.EvidenceVersion{ID: r.VID, EvidenceID: r.EvidenceID, Number: r.Number, EffectiveOn: r.EffectiveOn, ValidUntil: r.ValidUntil,
		Reference: r.Reference, FileName: r.FileName, ContentType: r.ContentType, Size: r.Size, SHA256: r.SHA256, Note: r.Note,
		UploadedByID: r.UploadedByID, UploadedBy: r.UploadedBy, UploadedAt: r.UploadedAt, State: domain.ReviewState(r.State),
		ReviewedBy: r.ReviewedBy, ReviewedAt: r.ReviewedAt}
}

func (r evidenceRow) asDomain() domain.Evidence {
	return domain.Evidence{ID: r.ID, ScopeID: r.ScopeID, DepartmentID: r.DepartmentID, DepartmentName: r.DepartmentName.String,
		Title: r.Title, Description: r.Description, Tags: []string(r.Tags), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, Version: r.Version, Current: r.versionRow.asDomain()}
}

const versionColumns = `v.id AS v_id, v.evidence_id AS v_evidence_id, v.number AS v_number, v.effective_on AS v_effective_on,
	v.valid_until AS v_valid_until, v.reference AS v_reference, v.file_name AS v_file_name, v.content_type AS v_content_type,
	v.size AS v_size, v.sha256 AS v_sha256, v.note AS v_note, v.uploaded_by_id AS v_uploaded_by_id, v.uploaded_by AS v_uploaded_by,
	v.uploaded_at AS v_uploaded_at, v.state AS v_state, v.reviewed_by AS v_reviewed_by, v.reviewed_at AS v_reviewed_at`

// evidenceSelect reads evidence items with their newest version; the
// caller adds WHERE (with ev for the item, v for the version).
const evidenceSelect = `
	SELECT ev.id, ev.scope_id, ev.department_id, d.name AS department_name, ev.title, ev.description, ev.tags,
	       ev.created_by, ev.created_at, ev.updated_at, ev.version, ` + versionColumns + `
	FROM evidence ev
	JOIN evidence_versions v ON v.id = ev.current_version_id
	LEFT JOIN departments d ON d.id = ev.department_id`

// visibleEvidence limits to the departments of the reader (parameter
// param): an item without a department is seen by global grants only.
func visibleEvidence(param int) string { return fmt.Sprintf(visibleEvidenceFmt, "", param) }

const visibleEvidenceFmt = `($%[2]d::bigint[] IS NULL OR ev.department_id IN (SELECT id FROM department_subtree($%[2]d)))`

func errEvidenceNotFound(id int64) error {
	return domain.Errorf(domain.ErrNotFound, "no evidence %d", id).De("Diesen Nachweis gibt es nicht.")
}

// EvidenceByID returns a visible evidence item with all its versions.
func (db *DB) EvidenceByID(ctx context.Context, id int64, vis Visibility) (domain.Evidence, error) {
	var r evidenceRow
	err := db.x.GetContext(ctx, &r, evidenceSelect+` WHERE ev.id = $1 AND `+visibleEvidence(2), id, vis.arg())
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Evidence{}, errEvidenceNotFound(id)
	}
	if err != nil {
		return domain.Evidence{}, err
	}
	e := r.asDomain()
	var vs []versionRow
	if err := db.x.SelectContext(ctx, &vs, `SELECT `+versionColumns+` FROM evidence_versions v WHERE v.evidence_id = $1 ORDER BY v.number DESC`, id); err != nil {
		return e, fmt.Errorf("evidence versions: %w", err)
	}
	for _, v := range vs {
		e.Versions = append(e.Versions, v.asDomain())
	}
	return e, nil
}

// evidenceWhere is the condition of a filtered evidence list with its
// arguments $1 to $14, shared by the list and its counts.
func evidenceWhere(scopeID int64, f domain.EvidenceFilter, vis Visibility) (string, []any) {
	if f.ReviewQueue {
		f.State = domain.ReviewSubmitted
	}
	var today any
	if f.ExpiringWithin > 0 || f.Expired {
		today = f.Today
	}
	after := "($11 = 0 OR ev.id < $11)"
	if f.ReviewQueue {
		after = `($11 = 0 OR (v.uploaded_at, v.id) > (
			SELECT y.uploaded_at, y.id FROM evidence x JOIN evidence_versions y ON y.id = x.current_version_id WHERE x.id = $11))`
	}
	return `
		WHERE ev.scope_id = $1 AND ` + visibleEvidence(2) + `
		  AND ($3 = '' OR v.state = $3)
		  AND ($4 = '' OR ev.title ILIKE $4 OR ev.description ILIKE $4 OR v.file_name ILIKE $4)
		  AND ($5 = 0 OR ev.department_id IN (SELECT id FROM department_subtree(ARRAY[$5]::bigint[])))
		  AND ($6 = '' OR $6 = ANY (ev.tags))
		  AND ($7::date IS NULL OR NOT $8 OR v.valid_until < $7)
		  AND ($7::date IS NULL OR $9 = 0 OR v.state = 'accepted' AND v.valid_until >= $7 AND v.valid_until < $7::date + $9::int)
		  AND ($10 = 0 OR v.uploaded_by_id IS DISTINCT FROM $10)
		  AND ` + after + `
		  AND ($12 = 0 OR v.uploaded_by_id = $12)
		  AND ($13 = '' OR (` + refScope(linkTargets, "$13", "$14", 2) + `) IS NOT NULL -- a target the reader may see
		                  AND EXISTS (SELECT 1 FROM evidence_links l WHERE l.evidence_id = ev.id AND l.target_type = $13 AND l.target_id = $14))`,
		[]any{scopeID, vis.arg(), string(f.State), likePattern(f.Query), f.DepartmentID, strings.TrimSpace(f.Tag), today, f.Expired,
			f.ExpiringWithin, reviewerOf(f), f.After, f.UploadedBy, string(f.Target), f.TargetID}
}

// ListEvidence returns a page of a scope's visible evidence (newest first;
// the review queue oldest first) and the cursor of the next page.
func (db *DB) ListEvidence(ctx context.Context, scopeID int64, f domain.EvidenceFilter, vis Visibility) ([]domain.Evidence, int64, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	order := "ev.id DESC"
	if f.ReviewQueue {
		order = "v.uploaded_at, v.id"
	}
	where, args := evidenceWhere(scopeID, f, vis)
	var rows []evidenceRow
	err := db.x.SelectContext(ctx, &rows, evidenceSelect+where+` ORDER BY `+order+` LIMIT $15`, append(args, f.Limit+1)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list evidence: %w", err)
	}
	rows, next := keysetPage(rows, f.Limit, func(r evidenceRow) int64 { return r.ID })
	return asDomainAll(rows), next, nil
}

// CountEvidence counts the visible items the filter selects by the review
// state of their newest version, and those expired before f.Today, for
// the figures above a list. The filter's state, expiry and cursor do not
// count: the figures are the choices.
func (db *DB) CountEvidence(ctx context.Context, scopeID int64, f domain.EvidenceFilter, vis Visibility) (map[domain.ReviewState]int, int, error) {
	today := f.Today
	f.State, f.Expired, f.After = "", false, 0
	where, args := evidenceWhere(scopeID, f, vis)
	var rows []struct {
		State   string `db:"state"`
		N       int    `db:"n"`
		Expired int    `db:"expired"`
	}
	err := db.x.SelectContext(ctx, &rows, `
		SELECT v.state, count(*) AS n, count(*) FILTER (WHERE v.valid_until < $15) AS expired
		FROM evidence ev JOIN evidence_versions v ON v.id = ev.current_version_id`+where+` GROUP BY v.state`, append(args, today)...)
	if err != nil {
		return nil, 0, fmt.Errorf("count evidence: %w", err)
	}
	counts, expired := map[domain.ReviewState]int{}, 0
	for _, r := range rows {
		counts[domain.ReviewState(r.State)] = r.N
		expired += r.Expired
	}
	return counts, expired, nil
}

// reviewerOf is the user whose own uploads the review queue leaves out.
func reviewerOf(f domain.EvidenceFilter) int64 {
	if f.ReviewQueue {
		return f.ReviewerID
	}
	return 0
}

// CreateEvidence stores a new evidence item with its first version: the
// content read from content (nil for a reference without a file),
// streamed in chunks. Everything is one transaction: an upload cut off
// midway leaves nothing behind.
func (tx *Tx) CreateEvidence(ctx context.Context, scopeID int64, in domain.EvidenceInput, v domain.VersionInput, content io.Reader,
	vis Visibility) (domain.Evidence, error) {
	vs := append(in.Validate(), v.Validate(content != nil)...)
	if len(vs) > 0 {
		return domain.Evidence{}, domain.Invalid(vs...)
	}
	if err := tx.checkPlacement(ctx, in.DepartmentID, vis, "Nachweise"); err != nil {
		return domain.Evidence{}, err
	}
	var id int64
	err := tx.x.GetContext(ctx, &id, `
		INSERT INTO evidence (scope_id, department_id, title, description, tags, created_by)
		SELECT id, $2, $3, $4, $5, $6 FROM scopes WHERE id = $1 RETURNING id`,
		scopeID, in.DepartmentID, in.Title, in.Description, pq.Array(orNone(in.Tags)), tx.actor.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Evidence{}, domain.Errorf(domain.ErrNotFound, "no scope %d", scopeID).De("Diesen Informationsverbund gibt es nicht.")
	}
	if err != nil {
		return domain.Evidence{}, mapError(err)
	}
	if err := tx.addVersion(ctx, id, 1, v, content); err != nil {
		return domain.Evidence{}, err
	}
	e, err := tx.evidence(ctx, id)
	if err != nil {
		return e, err
	}
	return e, tx.Record("evidence.create", "evidence", id, nil, evidenceAudit(e))
}

// AddEvidenceVersion adds a new version to an evidence item still at
// version (its ETag): a new upload or reference, to be reviewed again.
func (tx *Tx) AddEvidenceVersion(ctx context.Context, id int64, version int, v domain.VersionInput, content io.Reader,
	vis Visibility) (domain.Evidence, error) {
	if vs := v.Validate(content != nil); len(vs) > 0 {
		return domain.Evidence{}, domain.Invalid(vs...)
	}
	before, err := tx.lockEvidence(ctx, id, version, vis)
	if err != nil {
		return before, err
	}
	if err := tx.addVersion(ctx, id, before.Current.Number+1, v, content); err != nil {
		return before, err
	}
	if _, err := tx.x.ExecContext(ctx, `UPDATE evidence SET updated_at = now(), version = version + 1 WHERE id = $1`, id); err != nil {
		return before, err
	}
	e, err := tx.evidence(ctx, id)
	if err != nil {
		return e, err
	}
	return e, tx.Record("evidence.version", "evidence", id, versionAudit(before.Current), versionAudit(e.Current))
}

// UpdateEvidence changes an item's title, description, department and
// tags; its versions stay as they are.
func (tx *Tx) UpdateEvidence(ctx context.Context, id int64, version int, ch domain.EvidenceChange, vis Visibility) (domain.Evidence, error) {
	before, err := tx.lockEvidence(ctx, id, version, vis)
	if err != nil {
		return before, err
	}
	in := ch.Apply(before)
	if vs := in.Validate(); len(vs) > 0 {
		return before, domain.Invalid(vs...)
	}
	if err := tx.checkPlacement(ctx, in.DepartmentID, vis, "Nachweise"); err != nil {
		return before, err
	}
	if _, err := tx.x.ExecContext(ctx, `
		UPDATE evidence SET title = $2, description = $3, department_id = $4, tags = $5, updated_at = now(), version = version + 1
		WHERE id = $1`, id, in.Title, in.Description, in.DepartmentID, pq.Array(orNone(in.Tags))); err != nil {
		return before, mapError(err)
	}
	e, err := tx.evidence(ctx, id)
	if err != nil {
		return e, err
	}
	return e, tx.Record("evidence.update", "evidence", id, evidenceAudit(before), evidenceAudit(e))
}

// lockEvidence reads a visible evidence item for a change at version
// (anyVersion: whatever version it is at).
func (tx *Tx) lockEvidence(ctx context.Context, id int64, version int, vis Visibility) (domain.Evidence, error) {
	return lockVersion(recordName{fmt.Sprintf("evidence %d", id), "Der Nachweis"}, version, func() (domain.Evidence, int, error) {
		var r evidenceRow
		err := tx.x.GetContext(ctx, &r, evidenceSelect+` WHERE ev.id = $1 AND `+visibleEvidence(2)+` FOR UPDATE OF ev`, id, vis.arg())
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Evidence{}, 0, errEvidenceNotFound(id)
		}
		if err != nil {
			return domain.Evidence{}, 0, err
		}
		e := r.asDomain()
		return e, e.Version, nil
	})
}

func (tx *Tx) evidence(ctx context.Context, id int64) (domain.Evidence, error) {
	var r evidenceRow
	if err := tx.x.GetContext(ctx, &r, evidenceSelect+` WHERE ev.id = $1`, id); err != nil {
		return domain.Evidence{}, mapError(err)
	}
	return r.asDomain(), nil
}

// addVersion stores version number of an evidence item and its content.
func (tx *Tx) addVersion(ctx context.Context, evidenceID int64, number int, v domain.VersionInput, content io.Reader) error {
	if content == nil {
		v.FileName, v.ContentType = "", ""
	}
	var versionID int64
	err := tx.x.GetContext(ctx, &versionID, `
		INSERT INTO evidence_versions (evidence_id, number, effective_on, valid_until, reference, file_name, content_type, note,
		                               uploaded_by_id, uploaded_by, sha256)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $11 THEN repeat('0', 64) ELSE '' END) RETURNING id`,
		evidenceID, number, v.EffectiveOn, v.ValidUntil, v.Reference, v.FileName, v.ContentType, v.Note, tx.actor.UserID, tx.actor.Name,
		content != nil)
	if err != nil {
		return mapError(err)
	}
	if _, err := tx.x.ExecContext(ctx, `UPDATE evidence SET current_version_id = $2 WHERE id = $1`, evidenceID, versionID); err != nil {
		return err
	}
	if content == nil {
		return nil
	}
	stored, err := evidenceContent.put(ctx, tx, versionID, content)
	if err != nil {
		return err
	}
	_, err = tx.x.ExecContext(ctx, `UPDATE evidence_versions SET size = $2, sha256 = $3, chunks = $4 WHERE id = $1`,
		versionID, stored.Size, stored.SHA256, stored.Chunks)
	return err
}

// EvidenceVersion returns version number of a visible evidence item.
func (db *DB) EvidenceVersion(ctx context.Context, evidenceID int64, number int, vis Visibility) (domain.EvidenceVersion, error) {
	notFound := domain.Errorf(domain.ErrNotFound, "no version %d of evidence %d", number, evidenceID).
		De("Diese Version des Nachweises gibt es nicht.")
	return getDomain[versionRow](ctx, db.x, notFound, `SELECT `+versionColumns+` FROM evidence_versions v JOIN evidence ev ON ev.id = v.evidence_id
		WHERE v.evidence_id = $1 AND v.number = $2 AND `+visibleEvidence(3), evidenceID, number, vis.arg())
}

// OpenEvidence opens the content of a version of a visible evidence item.
// The version's SHA-256 and size must be those of the audit record of
// its upload, which the database alone cannot rewrite unnoticed; the
// reader checks every chunk against its SHA-256 before handing it out,
// and the whole against the recorded one. A mismatch is an error wrapping
// ErrTampered, never silently different data.
func (db *DB) OpenEvidence(ctx context.Context, evidenceID int64, number int, vis Visibility) (domain.EvidenceVersion, io.ReadCloser, error) {
	v, err := db.EvidenceVersion(ctx, evidenceID, number, vis)
	if err != nil {
		return v, nil, err
	}
	if !v.HasFile() {
		return v, nil, domain.Errorf(domain.ErrNotFound, "version %d of evidence %d has no file", number, evidenceID).
			De("Diese Version des Nachweises hat keine Datei, nur eine Fundstelle.")
	}
	want, err := db.uploadRecord(ctx, v)
	if err != nil {
		return v, nil, err
	}
	if err := db.x.GetContext(ctx, &want.Chunks, `SELECT chunks FROM evidence_versions WHERE id = $1`, v.ID); err != nil {
		return v, nil, err
	}
	return v, evidenceContent.open(ctx, db, v.ID, want), nil
}

// RecordTampering notes in the audit trail that a version's content no
// longer matches its hash, in a transaction of its own: the download
// that found it fails, the record stays.
func (db *DB) RecordTampering(ctx context.Context, actor domain.Actor, v domain.EvidenceVersion, cause error) error {
	return db.InTx(ctx, actor, func(tx *Tx) error {
		return tx.Record("evidence.integrity_failure", "evidence", v.EvidenceID, nil,
			map[string]any{"version": v.Number, "sha256": v.SHA256, "error": cause.Error()})
	})
}

// RecordEvidenceRead notes in the audit trail that actor downloaded
// version v, in a short transaction of its own, so that the download
// streamed afterwards holds no transaction open.
func (db *DB) RecordEvidenceRead(ctx context.Context, actor domain.Actor, v domain.EvidenceVersion) error {
	return db.InTx(ctx, actor, func(tx *Tx) error {
		return tx.Record("evidence.read", "evidence", v.EvidenceID, nil,
			map[string]any{"version": v.Number, "file_name": v.FileName, "size": v.Size, "sha256": v.SHA256})
	})
}

func evidenceAudit(e domain.Evidence) map[string]any {
	return map[string]any{"title": e.Title, "description": e.Description, "department_id": e.DepartmentID, "tags": e.Tags,
		"version": versionAudit(e.Current)}
}

func versionAudit(v domain.EvidenceVersion) map[string]any {
	return map[string]any{"number": v.Number, "effective_on": v.EffectiveOn.Format(time.DateOnly), "valid_until": v.ValidUntil,
		"reference": v.Reference, "file_name": v.FileName, "size": v.Size, "sha256": v.SHA256, "state": v.State}
}
