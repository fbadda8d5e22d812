package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// auditLockKey serialises appends to the hash chain; it is held from the
// append until the commit, which InTx keeps as short as possible.
const auditLockKey = 7_236_002

// Record queues an audit record for the change just made in this
// transaction. before and after are marshalled to JSON; nil stays NULL.
func (tx *Tx) Record(action, resourceType string, resourceID any, before, after any) error {
	b, err := marshalAudit(before)
	if err != nil {
		return err
	}
	a, err := marshalAudit(after)
	if err != nil {
		return err
	}
	tx.pending = append(tx.pending, domain.AuditRecord{
		ActorID:      tx.actor.UserID,
		ActorName:    tx.actor.Name,
		Action:       action,
		ResourceType: resourceType,
		ResourceID:   fmt.Sprint(resourceID),
		Before:       b,
		After:        a,
		RequestID:    tx.actor.RequestID,
		ClientAddr:   tx.actor.ClientAddr,
	})
	return nil
}

func marshalAudit(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit record: %w", err)
	}
	return b, nil
}

// appendAudit writes the queued records to the chain in one statement.
func (tx *Tx) appendAudit(ctx context.Context) error {
	if len(tx.pending) == 0 {
		return nil
	}
	if _, err := tx.x.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLockKey); err != nil {
		return fmt.Errorf("lock audit trail: %w", err)
	}
	var head struct {
		Seq  int64  `db:"seq"`
		Hash []byte `db:"hash"`
	}
	err := tx.x.GetContext(ctx, &head, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		head.Hash = domain.GenesisHash
	case err != nil:
		return fmt.Errorf("read audit head: %w", err)
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	n := len(tx.pending)
	var (
		seqs                = make([]int64, n)
		actions, types, ids = make([]string, n), make([]string, n), make([]string, n)
		befores, afters     = make([]sql.NullString, n), make([]sql.NullString, n)
		prevs, hashes       = make([][]byte, n), make([][]byte, n)
	)
	for i := range tx.pending {
		r := &tx.pending[i]
		r.Seq, r.At, r.PrevHash = head.Seq+1, at, head.Hash
		r.Hash = r.ComputeHash()
		head.Seq, head.Hash = r.Seq, r.Hash
		seqs[i], actions[i], types[i], ids[i] = r.Seq, r.Action, r.ResourceType, r.ResourceID
		befores[i] = sql.NullString{String: string(r.Before), Valid: r.Before != nil}
		afters[i] = sql.NullString{String: string(r.After), Valid: r.After != nil}
		prevs[i], hashes[i] = r.PrevHash, r.Hash
	}
	_, err = tx.x.ExecContext(ctx, `
		INSERT INTO audit_log (seq, at, actor_id, actor_name, action, resource_type, resource_id,
		                       before, after, request_id, client_addr, prev_hash, hash)
		SELECT s, $2, $3, $4, a, t, i, b::json, af::json, $5, $6, p, h
		FROM unnest($1::bigint[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bytea[], $13::bytea[])
		     AS u(s, a, t, i, b, af, p, h)`,
		pq.Array(seqs), at, tx.actor.UserID, tx.actor.Name, tx.actor.RequestID, tx.actor.ClientAddr,
		pq.Array(actions), pq.Array(types), pq.Array(ids), pq.Array(befores), pq.Array(afters),
		pq.Array(prevs), pq.Array(hashes))
	if err != nil {
		return fmt.Errorf("append audit records: %w", err)
	}
	tx.pending = nil
	return nil
}

// ListAudit returns records newest first and the cursor for the next page
// (0 when there is none).
func (db *DB) ListAudit(ctx context.Context, f domain.AuditFilter) ([]domain.AuditRecord, int64, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if !f.From.IsZero() {
		add("at >= $%d", f.From)
	}
	if !f.To.IsZero() {
		add("at < $%d", f.To)
	}
	if f.Actor != "" {
		add("actor_name = $%d", f.Actor)
	}
	if f.ResourceType != "" {
		add("resource_type = $%d", f.ResourceType)
	}
	if f.ResourceID != "" {
		add("resource_id = $%d", f.ResourceID)
	}
	if f.BeforeSeq > 0 {
		add("seq < $%d", f.BeforeSeq)
	}
	q := `SELECT seq, at, actor_id, actor_name, action, resource_type, resource_id, before, after,
	             request_id, client_addr, prev_hash, hash FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit+1)
	q += fmt.Sprintf(" ORDER BY seq DESC LIMIT $%d", len(args))
	var recs []auditRow
	if err := db.x.SelectContext(ctx, &recs, q, args...); err != nil {
		return nil, 0, fmt.Errorf("list audit records: %w", err)
	}
	recs, next := keysetPage(recs, f.Limit, func(r auditRow) int64 { return r.Seq })
	return asDomainAll(recs), next, nil
}

// auditRow scans the nullable JSON columns.
type auditRow struct {
	domain.AuditRecord
	BeforeText sql.NullString `db:"before"`
	AfterText  sql.NullString `db:"after"`
}

func (r auditRow) asDomain() domain.AuditRecord {
	rec := r.AuditRecord
	rec.Before, rec.After = nil, nil
	if r.BeforeText.Valid {
		rec.Before = json.RawMessage(r.BeforeText.String)
	}
	if r.AfterText.Valid {
		rec.After = json.RawMessage(r.AfterText.String)
	}
	return rec
}

// VerifyAudit walks the whole chain in order and returns the number of
// records checked and the first break as a *domain.ChainError. With
// checkpoints (signed and kept outside the database), a record they name
// must have the hash they name, and the trail must reach the furthest of
// them: a rewrite that recomputed every later hash, or a cut at the end,
// is found too.
func (db *DB) VerifyAudit(ctx context.Context, checkpoints ...domain.Checkpoint) (int64, error) {
	bySeq := map[int64][]domain.Checkpoint{}
	var furthest domain.Checkpoint
	for _, cp := range checkpoints {
		bySeq[cp.Seq] = append(bySeq[cp.Seq], cp)
		if cp.Seq > furthest.Seq {
			furthest = cp
		}
	}
	rows, err := db.x.QueryxContext(ctx, `
		SELECT seq, at, actor_id, actor_name, action, resource_type, resource_id, before, after,
		       request_id, client_addr, prev_hash, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var prev *domain.AuditRecord
	var n int64
	for rows.Next() {
		var row auditRow
		if err := rows.StructScan(&row); err != nil {
			return n, err
		}
		rec := row.asDomain()
		if err := domain.CheckLink(prev, rec); err != nil {
			return n, err
		}
		if err := rec.CheckAgainst(bySeq[rec.Seq]); err != nil {
			return n, err
		}
		prev = &rec
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	var last int64
	if prev != nil {
		last = prev.Seq
	}
	return n, domain.CheckHead(last, furthest)
}

// AuditHead returns the sequence number and hash of the newest audit
// record (0 and nil when the trail is empty).
func (db *DB) AuditHead(ctx context.Context) (int64, []byte, error) {
	var head struct {
		Seq  int64  `db:"seq"`
		Hash []byte `db:"hash"`
	}
	err := db.x.GetContext(ctx, &head, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("read audit head: %w", err)
	}
	return head.Seq, head.Hash, nil
}

// AuditHash returns the hash of audit record seq (nil when there is none).
func (db *DB) AuditHash(ctx context.Context, seq int64) ([]byte, error) {
	var hash []byte
	err := db.x.GetContext(ctx, &hash, `SELECT hash FROM audit_log WHERE seq = $1`, seq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read audit record %d: %w", seq, err)
	}
	return hash, nil
}

// RecordReportRead notes in the audit trail that actor downloaded a
// report of a scope (what names it), in a short transaction of its own,
// so that the report streamed afterwards holds no transaction open.
func (db *DB) RecordReportRead(ctx context.Context, actor domain.Actor, scopeID int64, what map[string]any) error {
	return db.InTx(ctx, actor, func(tx *Tx) error {
		return tx.Record("report.read", "scope", scopeID, nil, what)
	})
}

// recordChange reads a changed record again (read) and records the change
// from before in the audit trail, each side as fields gives it; it
// returns the record as read.
func recordChange[T any](tx *Tx, action, resourceType string, id int64, fields func(T) map[string]any, before T, read func() (T, error)) (T, error) {
	after, err := read()
	if err != nil {
		return after, err
	}
	return after, tx.Record(action, resourceType, id, fields(before), fields(after))
}
