package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ismsd/internal/pgserver"
)

// TestServeAnchorsTheAuditTrail runs the binary: the first start creates
// the signing key in the data folder (mode 0600, the public key beside
// it) and writes a checkpoint at once; 'ismsd audit verify' beside the
// running server checks the demo's trail and evidence against it; a clean
// stop leaves a checkpoint of the newest record.
func TestServeAnchorsTheAuditTrail(t *testing.T) {
	t.Parallel() // it runs a process with its own environment and data folder
	if testing.Short() {
		t.Skip("starts PostgreSQL clusters; skipped with -short")
	}
	pgBin, err := pgserver.FindBinDir(os.Getenv("ISMS_PG_BIN"))
	if err != nil {
		t.Fatalf("this test needs the PostgreSQL server binaries: %v", err)
	}
	h := &harness{bin: buildBinary(t), pgBin: pgBin}
	dir := h.dataDir(t)
	p := h.serve(t, dir)
	p.waitReady(t)

	info, err := os.Stat(filepath.Join(dir, "audit-checkpoint.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("signing key: %v, %v\n%s", info, err, p)
	}
	if _, err := os.Stat(filepath.Join(dir, "audit-checkpoint.pub")); err != nil {
		t.Errorf("public key: %v", err)
	}
	file := filepath.Join(dir, "audit-checkpoints.jsonl")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, _ := os.ReadFile(file); len(b) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint written\n%s", p)
		}
		time.Sleep(50 * time.Millisecond)
	}
	r := h.run(t, dir, "audit", "verify")
	if r.code != 0 || !strings.Contains(r.stdout, "signed checkpoints") || !strings.Contains(r.stdout, "evidence versions match") {
		t.Fatalf("audit verify beside the server:\n%s", r)
	}
	if code := p.stop(t, syscall.SIGINT); code != 0 {
		t.Fatalf("exit code after SIGINT = %d\n%s", code, p)
	}
	wantClusterGone(t, dir, p)
	// The checkpoint the server wrote on its way out reaches the newest
	// record.
	r = h.run(t, dir, "audit", "checkpoint")
	if r.code != 0 || !strings.Contains(r.stdout, "already vouches for record") {
		t.Errorf("after a clean stop the newest record is not anchored:\n%s", r)
	}
}
