package domain

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// AuditRecord is one entry of the append-only, hash-chained audit trail.
// Before and After hold the JSON text exactly as stored; the hash covers
// those bytes, so any later change to a record or its order is detectable.
type AuditRecord struct {
	Seq          int64           `db:"seq" json:"seq"`
	At           time.Time       `db:"at" json:"at"`
	ActorID      *int64          `db:"actor_id" json:"actor_id"`
	ActorName    string          `db:"actor_name" json:"actor"`
	Action       string          `db:"action" json:"action"`
	ResourceType string          `db:"resource_type" json:"resource_type"`
	ResourceID   string          `db:"resource_id" json:"resource_id"`
	Before       json.RawMessage `db:"-" json:"before,omitempty"`
	After        json.RawMessage `db:"-" json:"after,omitempty"`
	RequestID    string          `db:"request_id" json:"request_id"`
	ClientAddr   string          `db:"client_addr" json:"client_addr"`
	PrevHash     []byte          `db:"prev_hash" json:"-"`
	Hash         []byte          `db:"hash" json:"-"`
}

// GenesisHash is the predecessor hash of the first record.
var GenesisHash = make([]byte, sha256.Size)

// ComputeHash returns SHA-256 over the predecessor's hash and a fixed
// serialisation of every other field. Time is taken in UTC at microsecond
// precision, which is what PostgreSQL keeps.
func (r AuditRecord) ComputeHash() []byte {
	actor := ""
	if r.ActorID != nil {
		actor = fmt.Sprint(*r.ActorID)
	}
	fields := []string{
		fmt.Sprint(r.Seq),
		r.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano),
		actor, r.ActorName, r.Action, r.ResourceType, r.ResourceID,
		string(r.Before), string(r.After), r.RequestID, r.ClientAddr,
	}
	h := sha256.New()
	h.Write(r.PrevHash)
	for _, f := range fields {
		// Length-prefixing keeps field boundaries unambiguous.
		fmt.Fprintf(h, "%d:%s", len(f), f)
	}
	return h.Sum(nil)
}

// ChainError names the first record at which the chain is broken.
type ChainError struct {
	Seq    int64
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("audit trail broken at record %d: %s", e.Seq, e.Reason)
}

// CheckLink verifies rec against its predecessor (nil for the first record).
func CheckLink(prev *AuditRecord, rec AuditRecord) error {
	wantSeq, wantPrev := int64(1), GenesisHash
	if prev != nil {
		wantSeq, wantPrev = prev.Seq+1, prev.Hash
	}
	switch {
	case rec.Seq != wantSeq:
		return &ChainError{Seq: rec.Seq, Reason: fmt.Sprintf("expected record %d here; records are missing or reordered", wantSeq)}
	case !bytes.Equal(rec.PrevHash, wantPrev):
		return &ChainError{Seq: rec.Seq, Reason: "its predecessor hash does not match the previous record"}
	case !bytes.Equal(rec.Hash, rec.ComputeHash()):
		return &ChainError{Seq: rec.Seq, Reason: "its content does not match its hash (altered)"}
	}
	return nil
}

// HashHex is the hash as lower-case hex, for display.
func (r AuditRecord) HashHex() string { return hex.EncodeToString(r.Hash) }

// Checkpoint is a signed statement, kept outside the database, that the
// audit trail had reached record Seq, whose hash was Hash, at time At.
// Whoever rewrites or cuts the trail in the database cannot change what
// the checkpoints already vouch for.
type Checkpoint struct {
	Seq  int64
	Hash []byte
	At   time.Time
}

// CheckAgainst compares rec with the checkpoints taken at its sequence
// number (usually one, or none).
func (r AuditRecord) CheckAgainst(cps []Checkpoint) error {
	for _, cp := range cps {
		if !bytes.Equal(cp.Hash, r.Hash) {
			return &ChainError{Seq: r.Seq, Reason: fmt.Sprintf("its hash differs from the signed checkpoint of %s: the trail was rewritten at or before this record",
				cp.At.UTC().Format(time.RFC3339))}
		}
	}
	return nil
}

// CheckHead compares the last record of the trail (its sequence number,
// 0 when the trail is empty) with the furthest checkpoint: a trail that
// ends before it was cut.
func CheckHead(last int64, furthest Checkpoint) error {
	if last >= furthest.Seq {
		return nil
	}
	at := furthest.At.UTC().Format(time.RFC3339)
	if last == 0 {
		return &ChainError{Seq: 1, Reason: fmt.Sprintf("the trail is empty, but the signed checkpoint of %s vouches for %d records: the trail was deleted",
			at, furthest.Seq)}
	}
	return &ChainError{Seq: last + 1, Reason: fmt.Sprintf("the trail ends at record %d, but the signed checkpoint of %s vouches for record %d: records %d to %d were removed (truncated)",
		last, at, furthest.Seq, last+1, furthest.Seq)}
}
