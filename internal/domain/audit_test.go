package domain

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func chain(n int) []AuditRecord {
	var recs []AuditRecord
	prev := GenesisHash
	for i := 1; i <= n; i++ {
		r := AuditRecord{Seq: int64(i), At: time.Date(2026, 11, 22, 10, 0, i, 123456789, time.UTC),
			ActorName: "admin", Action: "user.create", ResourceType: "user", ResourceID: "7",
			After: json.RawMessage(`{"username":"a"}`), RequestID: "r", ClientAddr: "127.0.0.1", PrevHash: prev}
		r.Hash = r.ComputeHash()
		prev = r.Hash
		recs = append(recs, r)
	}
	return recs
}

func verify(recs []AuditRecord) error {
	var prev *AuditRecord
	for i := range recs {
		if err := CheckLink(prev, recs[i]); err != nil {
			return err
		}
		prev = &recs[i]
	}
	return nil
}

func TestAuditChain(t *testing.T) {
	if err := verify(chain(5)); err != nil {
		t.Fatalf("intact chain: %v", err)
	}
	// Sub-microsecond time is not stored, so it must not change the hash.
	r := chain(1)[0]
	r.At = r.At.Truncate(time.Microsecond)
	if err := CheckLink(nil, r); err != nil {
		t.Errorf("hash depends on nanoseconds: %v", err)
	}
	cases := map[string]func([]AuditRecord) []AuditRecord{
		"altered": func(rs []AuditRecord) []AuditRecord { rs[2].ActorName = "mallory"; return rs },
		"removed": func(rs []AuditRecord) []AuditRecord { return append(rs[:2], rs[3:]...) },
		"reordered": func(rs []AuditRecord) []AuditRecord {
			rs[2], rs[3] = rs[3], rs[2]
			return rs
		},
		"rehashed": func(rs []AuditRecord) []AuditRecord {
			rs[2].After = json.RawMessage(`{"username":"b"}`)
			rs[2].Hash = rs[2].ComputeHash() // the attacker recomputes this hash, not the successors' links
			return rs
		},
	}
	for name, tamper := range cases {
		err := verify(tamper(chain(5)))
		var ce *ChainError
		if !errors.As(err, &ce) || ce.Seq != 3 && ce.Seq != 4 {
			t.Errorf("%s: %v, want a break at record 3 or 4", name, err)
		}
	}
}

// Fields must not run into each other: moving a character from one field
// to the next changes the hash.
func TestAuditHashSeparatesFields(t *testing.T) {
	a := AuditRecord{Seq: 1, ActorName: "ab", Action: "c", PrevHash: GenesisHash}
	b := AuditRecord{Seq: 1, ActorName: "a", Action: "bc", PrevHash: GenesisHash}
	if string(a.ComputeHash()) == string(b.ComputeHash()) {
		t.Error("field boundaries are ambiguous")
	}
}
