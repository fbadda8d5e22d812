package postgres

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"ismsd/internal/domain"
)

// The audit record of a version's upload (evidence.create for the first,
// evidence.version for every later one) holds the version's SHA-256 and
// size: under "version" in the first, at the top in the others. The
// expression is the one of the index audit_log_evidence_upload_idx.
const (
	uploadActions = `action IN ('evidence.create', 'evidence.version')`
	uploadVersion = `CASE action WHEN 'evidence.create' THEN after -> 'version' ELSE after END`
	uploadNumber  = `(CASE action WHEN 'evidence.create' THEN after -> 'version' ->> 'number' ELSE after ->> 'number' END)`
)

// uploadRecord returns what the audit record of version v's upload says
// about its content. The database alone cannot change that record
// unnoticed: the chain's hashes are anchored by signed checkpoints outside
// it. A version without such a record, or whose record no longer matches
// its own hash, is an integrity failure.
func (db *DB) uploadRecord(ctx context.Context, v domain.EvidenceVersion) (storedContent, error) {
	var row auditRow
	err := db.x.GetContext(ctx, &row, `
		SELECT seq, at, actor_id, actor_name, action, resource_type, resource_id, before, after,
		       request_id, client_addr, prev_hash, hash
		FROM audit_log
		WHERE resource_type = 'evidence' AND resource_id = $1 AND `+uploadActions+` AND `+uploadNumber+` = $2
		ORDER BY seq LIMIT 1`, strconv.FormatInt(v.EvidenceID, 10), strconv.Itoa(v.Number))
	if errors.Is(err, sql.ErrNoRows) {
		return storedContent{}, fmt.Errorf("%w: version %d of evidence %d has no upload record in the audit trail", ErrTampered, v.Number, v.EvidenceID)
	}
	if err != nil {
		return storedContent{}, fmt.Errorf("read upload record: %w", err)
	}
	rec := row.asDomain()
	if !bytes.Equal(rec.Hash, rec.ComputeHash()) {
		return storedContent{}, fmt.Errorf("%w: the upload record %d of version %d of evidence %d was altered", ErrTampered, rec.Seq, v.Number, v.EvidenceID)
	}
	var after struct {
		Version *struct {
			SHA256 string `json:"sha256"`
			Size   int64  `json:"size"`
		} `json:"version"`
		SHA256 string `json:"sha256"`
		Size   int64  `json:"size"`
	}
	if err := json.Unmarshal(rec.After, &after); err != nil {
		return storedContent{}, fmt.Errorf("%w: the upload record %d cannot be read: %v", ErrTampered, rec.Seq, err)
	}
	want := storedContent{SHA256: after.SHA256, Size: after.Size}
	if rec.Action == "evidence.create" && after.Version != nil {
		want = storedContent{SHA256: after.Version.SHA256, Size: after.Version.Size}
	}
	if want.SHA256 != v.SHA256 || want.Size != v.Size {
		return want, fmt.Errorf("%w: version %d of evidence %d is stored with %d bytes and SHA-256 %s, but its upload (audit record %d) had %d bytes with %s",
			ErrTampered, v.Number, v.EvidenceID, v.Size, v.SHA256, rec.Seq, want.Size, want.SHA256)
	}
	return want, nil
}

// EvidenceMismatch is a version whose stored hash or size differs from
// the audit record of its upload, or that has no such record.
type EvidenceMismatch struct {
	EvidenceID     int64  `db:"evidence_id"`
	Number         int    `db:"number"`
	SHA256         string `db:"sha256"`
	Size           int64  `db:"size"`
	RecordSeq      *int64 `db:"record_seq"` // nil: no upload record
	RecordedSHA256 string `db:"recorded_sha256"`
	RecordedSize   int64  `db:"recorded_size"`
}

func (m EvidenceMismatch) String() string {
	if m.RecordSeq == nil {
		return fmt.Sprintf("evidence %d version %d: no upload record in the audit trail", m.EvidenceID, m.Number)
	}
	return fmt.Sprintf("evidence %d version %d: stored with %d bytes and SHA-256 %s, but its upload (audit record %d) had %d bytes with %s",
		m.EvidenceID, m.Number, m.Size, m.SHA256, *m.RecordSeq, m.RecordedSize, m.RecordedSHA256)
}

// VerifyEvidence compares every evidence version's stored SHA-256 and
// size with the audit record of its upload, in one pass in the database
// (an index lookup per version), and returns the number of versions and
// those that differ. Whether the records themselves are genuine is
// VerifyAudit's part.
func (db *DB) VerifyEvidence(ctx context.Context) (int64, []EvidenceMismatch, error) {
	var versions int64
	if err := db.x.GetContext(ctx, &versions, `SELECT count(*) FROM evidence_versions`); err != nil {
		return 0, nil, err
	}
	var out []EvidenceMismatch
	err := db.x.SelectContext(ctx, &out, `
		SELECT v.evidence_id, v.number, v.sha256, v.size, u.seq AS record_seq,
		       COALESCE(u.sha256, '') AS recorded_sha256, COALESCE(u.size, 0) AS recorded_size
		FROM evidence_versions v
		LEFT JOIN LATERAL (
			SELECT seq, `+uploadVersion+` ->> 'sha256' AS sha256, (`+uploadVersion+` ->> 'size')::bigint AS size
			FROM audit_log
			WHERE resource_type = 'evidence' AND resource_id = v.evidence_id::text AND `+uploadActions+`
			  AND `+uploadNumber+` = v.number::text
			ORDER BY seq LIMIT 1) u ON true
		WHERE u.seq IS NULL OR u.sha256 IS DISTINCT FROM v.sha256 OR u.size IS DISTINCT FROM v.size
		ORDER BY v.evidence_id, v.number`)
	if err != nil {
		return 0, nil, fmt.Errorf("compare evidence with its upload records: %w", err)
	}
	return versions, out, nil
}
