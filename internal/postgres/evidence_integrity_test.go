package postgres_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/postgres/pgtest"
)

// TestRehashedEvidenceIsRefused: a database superuser changes a chunk's
// bytes, the chunk's hash and the version's hash and size together. The
// audit record of the upload still holds the true hash, so the download
// is refused before a byte goes out and the verification names the
// version; untouched versions, first and later ones, pass both.
func TestRehashedEvidenceIsRefused(t *testing.T) {
	t.Parallel()
	e := newEvidenceEnv(t)
	content := bytes.Repeat([]byte("Protokoll der Notfallübung 2026. "), 100000) // about 3.3 MB: four chunks
	ev := e.upload(t, e.isb, "Notfallübung", bytes.NewReader(content), postgres.Everything)
	other := e.upload(t, e.isb, "Patchprotokoll", strings.NewReader("Patchstand Oktober"), postgres.Everything)
	err := e.db.InTx(ctx, e.isb, func(tx *postgres.Tx) error {
		var err error
		other, err = tx.AddEvidenceVersion(ctx, other.ID, other.Version, domain.VersionInput{EffectiveOn: day("2026-11-01"),
			FileName: "patch.txt"}, strings.NewReader("Patchstand November"), postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	reference := e.upload(t, e.isb, "Verweis", nil, postgres.Everything)
	if got, err := readAll(t, e, other); err != nil || string(got) != "Patchstand November" {
		t.Fatalf("untouched second version: %q, %v", got, err)
	}
	if n, ms, err := e.db.VerifyEvidence(ctx); err != nil || n != 4 || len(ms) != 0 {
		t.Fatalf("untouched evidence: %d versions, %v, %v", n, ms, err)
	}

	owner := openSQL(t, e.ownerURL)
	for _, stmt := range []string{
		`UPDATE evidence_chunks SET data = overlay(data placing 'X'::bytea from 5 for 1) WHERE version_id = $1 AND seq = 1`,
		`UPDATE evidence_chunks SET sha256 = sha256(data) WHERE version_id = $1`,
		`UPDATE evidence_versions SET sha256 = encode(sha256((SELECT string_agg(data, ''::bytea ORDER BY seq) FROM evidence_chunks
			WHERE version_id = $1)), 'hex') WHERE id = $1`,
	} {
		if _, err := owner.Exec(stmt, ev.Current.ID); err != nil {
			t.Fatal(err)
		}
	}
	_, r, err := e.db.OpenEvidence(ctx, ev.ID, 1, postgres.Everything)
	if !errors.Is(err, postgres.ErrTampered) {
		if r != nil {
			r.Close()
		}
		t.Fatalf("a rehashed version opens: %v", err)
	}
	// A file where the upload was a reference only.
	if _, err := owner.Exec(`UPDATE evidence_versions SET sha256 = repeat('a', 64), size = 3 WHERE id = $1`, reference.Current.ID); err != nil {
		t.Fatal(err)
	}
	_, ms, err := e.db.VerifyEvidence(ctx)
	if err != nil || len(ms) != 2 || ms[0].EvidenceID != ev.ID || ms[0].Number != 1 || ms[1].EvidenceID != reference.ID {
		t.Fatalf("verification: %v, %v", ms, err)
	}
	if !strings.Contains(ms[0].String(), "but its upload (audit record") {
		t.Errorf("mismatch reads %q", ms[0])
	}

	// The upload record itself changed without its hash: refused too.
	pgtest.Tamper(t, owner, `UPDATE audit_log SET after = '{"number": 2, "sha256": "`+strings.Repeat("b", 64)+`", "size": 19}'
		WHERE resource_id = $1 AND action = 'evidence.version'`, other.ID)
	if _, _, err := e.db.OpenEvidence(ctx, other.ID, 2, postgres.Everything); !errors.Is(err, postgres.ErrTampered) ||
		!strings.Contains(err.Error(), "was altered") {
		t.Fatalf("an altered upload record: %v", err)
	}
}
