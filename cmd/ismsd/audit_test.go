package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ismsd/internal/catalogimport"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/postgres/pgtest"
)

// anchoredTrail is a database whose audit trail has 150 records and two
// checkpoints (of records 100 and 150), written by 'ismsd audit
// checkpoint' with a key and checkpoint file in a folder of the test's own.
type anchoredTrail struct {
	d     pgtest.DB
	db    *postgres.DB
	owner *sql.DB
	dir   string
}

func newAnchoredTrail(t *testing.T) anchoredTrail {
	t.Helper()
	a := anchoredTrail{d: useDatabase(t), dir: t.TempDir()}
	t.Setenv("ISMS_AUDIT_KEY_FILE", filepath.Join(a.dir, "audit-checkpoint.key"))
	t.Setenv("ISMS_AUDIT_CHECKPOINT_FILE", filepath.Join(a.dir, "audit-checkpoints.jsonl"))
	a.owner = ownerDB(t, a.d)
	db, err := postgres.Open(context.Background(), a.d.AppURL, 4, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a.db = db
	a.record(t, 100)
	mustRun(t, 0, "audit", "checkpoint")
	a.record(t, 50)
	r := mustRun(t, 0, "audit", "checkpoint")
	wantContains(t, r, "stdout", r.stdout, "checkpoint of record 150 written to")
	return a
}

// record appends n records, in transactions of ten.
func (a anchoredTrail) record(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i += 10 {
		err := a.db.InTx(context.Background(), cliActor(), func(tx *postgres.Tx) error {
			for j := i; j < min(i+10, n); j++ {
				if err := tx.Record("test.event", "test", j, nil, map[string]int{"n": j}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// asSuperuser runs statements as the database superuser with the
// append-only trigger switched off, as an attacker with those rights could.
func (a anchoredTrail) asSuperuser(t *testing.T, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		pgtest.Tamper(t, a.owner, s)
	}
}

// rewrite changes record seq and recomputes the hash of it and of every
// later record, so that the chain is consistent in itself.
func (a anchoredTrail) rewrite(t *testing.T, seq int64) {
	t.Helper()
	recs, _, err := a.db.ListAudit(context.Background(), domain.AuditFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var prev []byte
	var stmts []string
	for i := len(recs) - 1; i >= 0; i-- { // oldest first
		r := recs[i]
		if r.Seq == seq {
			r.ActorName = "mallory"
		}
		if r.Seq >= seq {
			r.PrevHash = prev
			r.Hash = r.ComputeHash()
			stmts = append(stmts, fmt.Sprintf(`UPDATE audit_log SET actor_name = '%s', prev_hash = '\x%x', hash = '\x%x' WHERE seq = %d`,
				r.ActorName, r.PrevHash, r.Hash, r.Seq))
		}
		prev = r.Hash
	}
	a.asSuperuser(t, stmts...)
}

func wantBroken(t *testing.T, r result, subs ...string) {
	t.Helper()
	if r.code != 1 {
		t.Fatalf("want exit code 1, got:\n%s", r)
	}
	wantContains(t, r, "stderr", r.stderr, subs...)
	if strings.Contains(r.stdout, "intact") {
		t.Errorf("a tampered trail was reported intact:\n%s", r)
	}
}

// TestAuditVerifyAgainstCheckpoints does what a database superuser could
// do to hide tracks — delete the last record, the last hundred, the whole
// trail; rewrite a record and recompute every later hash — and sees
// 'ismsd audit verify' fail with the reason, as it does for a forged
// checkpoint, a missing checkpoint file and a replaced key; an untouched
// trail passes.
func TestAuditVerifyAgainstCheckpoints(t *testing.T) {
	t.Run("untouched", func(t *testing.T) {
		newAnchoredTrail(t)
		r := mustRun(t, 0, "audit", "verify")
		wantContains(t, r, "stdout", r.stdout, "audit trail intact: 150 records verified against 2 signed checkpoints", "vouches for record 150")
	})
	t.Run("last record deleted", func(t *testing.T) {
		a := newAnchoredTrail(t)
		a.asSuperuser(t, `DELETE FROM audit_log WHERE seq = 150`)
		wantBroken(t, runCLI(t, "audit", "verify"), "audit trail BROKEN after 149 intact records: record 150: the trail ends at record 149",
			"vouches for record 150: records 150 to 150 were removed (truncated)")
	})
	t.Run("last hundred deleted", func(t *testing.T) {
		a := newAnchoredTrail(t)
		a.asSuperuser(t, `DELETE FROM audit_log WHERE seq > 50`)
		wantBroken(t, runCLI(t, "audit", "verify"), "record 51: the trail ends at record 50", "records 51 to 150 were removed (truncated)")
	})
	t.Run("whole trail deleted", func(t *testing.T) {
		a := newAnchoredTrail(t)
		a.asSuperuser(t, `TRUNCATE audit_log`)
		wantBroken(t, runCLI(t, "audit", "verify"), "the trail is empty, but the signed checkpoint", "vouches for 150 records: the trail was deleted")
	})
	t.Run("record rewritten, later hashes recomputed", func(t *testing.T) {
		a := newAnchoredTrail(t)
		a.rewrite(t, 120)
		if _, err := a.db.VerifyAudit(context.Background()); err != nil {
			t.Fatalf("the rewritten chain is not consistent in itself: %v", err)
		}
		wantBroken(t, runCLI(t, "audit", "verify"), "record 150: its hash differs from the signed checkpoint",
			"the trail was rewritten at or before this record")
		a.rewrite(t, 20)
		wantBroken(t, runCLI(t, "audit", "verify"), "record 100: its hash differs from the signed checkpoint")
	})
	t.Run("checkpoint forged", func(t *testing.T) {
		a := newAnchoredTrail(t)
		a.asSuperuser(t, `DELETE FROM audit_log WHERE seq > 100`)
		path := filepath.Join(a.dir, "audit-checkpoints.jsonl")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// The second checkpoint claims the trail ended at 100.
		lines := strings.SplitAfter(string(b), "\n")
		lines[1] = strings.Replace(lines[1], `"seq":150`, `"seq":100`, 1)
		if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
			t.Fatal(err)
		}
		wantBroken(t, runCLI(t, "audit", "verify"), "checkpoint file BROKEN", "line 2: the signature does not verify")
	})
	t.Run("checkpoint file removed", func(t *testing.T) {
		a := newAnchoredTrail(t)
		if err := os.Remove(filepath.Join(a.dir, "audit-checkpoints.jsonl")); err != nil {
			t.Fatal(err)
		}
		wantBroken(t, runCLI(t, "audit", "verify"), "audit trail NOT ANCHORED: 150 records, but no checkpoint in")
	})
	t.Run("key and checkpoints replaced", func(t *testing.T) {
		a := newAnchoredTrail(t)
		// The operator keeps a copy of the public key elsewhere.
		public := filepath.Join(t.TempDir(), "audit-checkpoint.pub")
		b, err := os.ReadFile(filepath.Join(a.dir, "audit-checkpoint.pub"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(public, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Setenv("ISMS_AUDIT_PUBLIC_KEY_FILE", public)
		mustRun(t, 0, "audit", "verify")
		// Whoever can write the data folder cuts the trail and signs new
		// checkpoints with a key of their own.
		a.asSuperuser(t, `DELETE FROM audit_log WHERE seq > 100`)
		for _, f := range []string{"audit-checkpoint.key", "audit-checkpoint.pub", "audit-checkpoints.jsonl"} {
			os.Remove(filepath.Join(a.dir, f))
		}
		mustRun(t, 0, "audit", "checkpoint")
		wantBroken(t, runCLI(t, "audit", "verify"), "does not belong to the public key")
		// Without the key at hand (verification on another machine), the
		// copy of the public key still refuses the forged checkpoints.
		t.Setenv("ISMS_AUDIT_KEY_FILE", filepath.Join(t.TempDir(), "none.key"))
		wantBroken(t, runCLI(t, "audit", "verify"), "line 1: signed with the key")
	})
}

// TestAuditVerifyComparesEvidence: a version whose bytes, chunk hashes and
// version hash were changed together no longer matches the audit record
// of its upload, and 'ismsd audit verify' names it.
func TestAuditVerifyComparesEvidence(t *testing.T) {
	a := newAnchoredTrail(t)
	ctx := context.Background()
	actor := cliActor()
	res, err := catalogimport.New(a.db, 0).ImportDemo(ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	var ev domain.Evidence
	err = a.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		s, err := tx.CreateScope(ctx, domain.ScopeInput{Name: "Verbund", CatalogID: res.Catalog.ID, Approach: domain.ApproachStandard})
		if err != nil {
			return err
		}
		ev, err = tx.CreateEvidence(ctx, s.ID, domain.EvidenceInput{Title: "Protokoll"},
			domain.VersionInput{EffectiveOn: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), FileName: "p.txt"},
			strings.NewReader("Protokoll der Übung"), postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, 0, "audit", "checkpoint")
	r := mustRun(t, 0, "audit", "verify")
	wantContains(t, r, "stdout", r.stdout, "; 1 evidence versions match the records of their uploads")

	if _, err := a.owner.Exec(`UPDATE evidence_chunks SET data = 'Protokoll der Übunk'::bytea, sha256 = sha256('Protokoll der Übunk'::bytea)
		WHERE version_id = $1`, ev.Current.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.owner.Exec(`UPDATE evidence_versions SET sha256 = encode(sha256('Protokoll der Übunk'::bytea), 'hex') WHERE id = $1`,
		ev.Current.ID); err != nil {
		t.Fatal(err)
	}
	wantBroken(t, runCLI(t, "audit", "verify"), "evidence BROKEN: 1 of 1 versions differ from the audit records of their uploads",
		fmt.Sprintf("evidence %d version 1: stored with", ev.ID))
}
