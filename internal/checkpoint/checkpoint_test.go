package checkpoint_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ismsd/internal/checkpoint"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var ctx = context.Background()

// record appends n records to the trail, one transaction each.
func record(t *testing.T, db *postgres.DB, n int) {
	t.Helper()
	for range n {
		err := db.InTx(ctx, domain.Actor{Name: "test", RequestID: "test", ClientAddr: "local"}, func(tx *postgres.Tx) error {
			return tx.Record("test.event", "test", 1, nil, map[string]int{"n": n})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// lines reads the checkpoint file and checks every line.
func lines(t *testing.T, path string, pub ed25519.PublicKey) []domain.Checkpoint {
	t.Helper()
	cps, err := checkpoint.ReadFile(path, pub)
	if err != nil {
		t.Fatal(err)
	}
	return cps
}

// TestKeyIsCreatedOnceAndKeptPrivate: the first start creates the key
// with mode 0600 and its public key beside it; instances starting
// together agree on one key; a key others may read is refused.
func TestKeyIsCreatedOnceAndKeptPrivate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data", "audit-checkpoint.key")
	keys := make([]ed25519.PrivateKey, 8)
	var created sync.Map
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, c, err := checkpoint.LoadOrCreateKey(path)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
			created.Store(i, c)
		})
	}
	wg.Wait()
	creators := 0
	created.Range(func(_, c any) bool {
		if c.(bool) {
			creators++
		}
		return true
	})
	for _, k := range keys[1:] {
		if !k.Equal(keys[0]) {
			t.Fatal("instances starting together made different keys")
		}
	}
	if creators != 1 {
		t.Errorf("%d instances say they created the key", creators)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", info, err)
	}
	pub, err := checkpoint.LoadPublicKey(filepath.Join(filepath.Dir(path), "audit-checkpoint.pub"))
	if err != nil || !pub.Equal(keys[0].Public()) {
		t.Fatalf("public key beside the key: %v", err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".audit-checkpoint-key-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := checkpoint.LoadKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a key others may read: %v", err)
	}
}

// TestLinesAreSigned: a line checks with its key only, and any change to
// it breaks the signature.
func TestLinesAreSigned(t *testing.T) {
	t.Parallel()
	_, key, _ := ed25519.GenerateKey(nil)
	other, _, _ := ed25519.GenerateKey(nil)
	hash := bytes.Repeat([]byte{7}, 32)
	l := checkpoint.Sign(key, 42, hash, time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC), "host/1")
	parsed, err := checkpoint.Parse(bytes.TrimSuffix(l.Marshal(), []byte("\n")))
	if err != nil {
		t.Fatal(err)
	}
	cp, err := parsed.Verify(key.Public().(ed25519.PublicKey))
	if err != nil || cp.Seq != 42 || !bytes.Equal(cp.Hash, hash) || !cp.At.Equal(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("verify: %+v, %v", cp, err)
	}
	if _, err := parsed.Verify(other); err == nil || !strings.Contains(err.Error(), "not with the key") {
		t.Errorf("another key: %v", err)
	}
	for name, change := range map[string]func(*checkpoint.Line){
		"seq":      func(l *checkpoint.Line) { l.Seq = 41 },
		"hash":     func(l *checkpoint.Line) { l.Hash = strings.Repeat("08", 32) },
		"time":     func(l *checkpoint.Line) { l.At = "2026-05-01T12:00:01Z" },
		"instance": func(l *checkpoint.Line) { l.Instance = "elsewhere/1" },
	} {
		altered := parsed
		change(&altered)
		if _, err := altered.Verify(key.Public().(ed25519.PublicKey)); err == nil || !strings.Contains(err.Error(), "signature does not verify") {
			t.Errorf("%s changed: %v", name, err)
		}
	}
}

// TestServerAnchorsTheTrail: the anchor writes a checkpoint at once, then
// one per interval in which the trail grew and none while it did not, and
// a last one when it stops; each names the newest record and its hash.
func TestServerAnchorsTheTrail(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.Open(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "audit-checkpoints.jsonl")
	anchor, err := checkpoint.Open(checkpoint.Options{KeyFile: filepath.Join(dir, "audit-checkpoint.key"), File: file, Interval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer anchor.Close()
	pub := anchor.PublicKey()
	record(t, db, 3)
	stop := anchor.Start(ctx, db)
	waitFor := func(seq int64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if cps, err := checkpoint.ReadFile(file, pub); err == nil && len(cps) > 0 && cps[len(cps)-1].Seq == seq {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("no checkpoint of record %d: %v", seq, lines(t, file, pub))
	}
	waitFor(3)
	time.Sleep(300 * time.Millisecond) // several intervals without growth
	if cps := lines(t, file, pub); len(cps) != 1 {
		t.Errorf("%d checkpoints while the trail did not grow, want 1", len(cps))
	}
	record(t, db, 2)
	waitFor(5)
	record(t, db, 1)
	stop()
	cps := lines(t, file, pub)
	if last := cps[len(cps)-1]; last.Seq != 6 {
		t.Errorf("after stop the last checkpoint is of record %d, want 6", last.Seq)
	}
	_, head, err := db.AuditHead(ctx)
	if err != nil || !bytes.Equal(cps[len(cps)-1].Hash, head) {
		t.Errorf("the last checkpoint's hash is not the head's: %v", err)
	}
	if n, err := db.VerifyAudit(ctx, cps...); err != nil || n != 6 {
		t.Errorf("verify against the checkpoints: %d, %v", n, err)
	}
}

// TestConcurrentInstancesShareOneFile: instances writing checkpoints into
// one file while the trail grows leave only complete, valid lines, in the
// order of the trail, each state once.
func TestConcurrentInstancesShareOneFile(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.Open(t)
	dir := t.TempDir()
	opts := checkpoint.Options{KeyFile: filepath.Join(dir, "k.key"), File: filepath.Join(dir, "checkpoints.jsonl")}
	var anchors []*checkpoint.Anchor
	for range 4 {
		a, err := checkpoint.Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		anchors = append(anchors, a)
	}
	// A first checkpoint before the race, so that the file holds at least
	// two, however the writers and the recording interleave.
	record(t, db, 1)
	if _, written, err := anchors[0].Checkpoint(ctx, db); !written || err != nil {
		t.Fatalf("first checkpoint: %v, %v", written, err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { record(t, db, 59) })
	for _, a := range anchors {
		wg.Go(func() {
			for range 40 {
				if _, _, err := a.Checkpoint(ctx, db); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, a := range anchors {
		a.Checkpoint(ctx, db)
	}
	cps := lines(t, opts.File, anchors[0].PublicKey())
	for i := 1; i < len(cps); i++ {
		if cps[i].Seq <= cps[i-1].Seq {
			t.Fatalf("checkpoint %d (record %d) after one of record %d", i, cps[i].Seq, cps[i-1].Seq)
		}
	}
	if len(cps) < 2 || cps[len(cps)-1].Seq != 60 {
		t.Fatalf("%d checkpoints, the last of record %d", len(cps), cps[len(cps)-1].Seq)
	}
	if _, err := db.VerifyAudit(ctx, cps...); err != nil {
		t.Error(err)
	}
}

// TestAnchorNoticesTampering: the server logs an error at its next
// checkpoint when the trail no longer holds what the last one vouches
// for, and the checkpoints then make verification fail.
func TestAnchorNoticesTampering(t *testing.T) {
	t.Parallel()
	db, d := pgtest.Open(t)
	dir := t.TempDir()
	var logged bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return logged.Write(p) }), nil))
	anchor, err := checkpoint.Open(checkpoint.Options{KeyFile: filepath.Join(dir, "k.key"), File: filepath.Join(dir, "c.jsonl"), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	record(t, db, 5)
	if _, written, err := anchor.Checkpoint(ctx, db); !written || err != nil {
		t.Fatalf("first checkpoint: %v, %v", written, err)
	}
	owner, err := sql.Open("postgres", d.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	pgtest.Tamper(t, owner, `DELETE FROM audit_log WHERE seq > 3`)
	if _, written, err := anchor.Checkpoint(ctx, db); written || err != nil {
		t.Fatalf("checkpoint of a cut trail: written %v, %v", written, err)
	}
	mu.Lock()
	out := logged.String()
	mu.Unlock()
	if !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "records were removed") {
		t.Errorf("no error logged for the cut trail:\n%s", out)
	}
	cps := lines(t, filepath.Join(dir, "c.jsonl"), anchor.PublicKey())
	var ce *domain.ChainError
	if _, err := db.VerifyAudit(ctx, cps...); !errors.As(err, &ce) || !strings.Contains(ce.Reason, "truncated") {
		t.Errorf("verify: %v", err)
	}
}

// TestCheckpointsGoToSyslog: with ISMS_AUDIT_SYSLOG, each checkpoint is
// also sent to syslog, as the same signed line.
func TestCheckpointsGoToSyslog(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.Open(t)
	dir, err := os.MkdirTemp("", "syslog-") // short: a socket path
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "log")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	anchor, err := checkpoint.Open(checkpoint.Options{KeyFile: filepath.Join(dir, "k.key"), File: filepath.Join(dir, "c.jsonl"),
		Syslog: "unixgram://" + sock})
	if err != nil {
		t.Fatal(err)
	}
	defer anchor.Close()
	record(t, db, 2)
	l, written, err := anchor.Checkpoint(ctx, db)
	if !written || err != nil {
		t.Fatalf("checkpoint: %v, %v", written, err)
	}
	buf := make([]byte, 4096)
	ln.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := ln.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	msg := string(buf[:n])
	if !strings.Contains(msg, "ismsd-audit") || !strings.Contains(msg, strings.TrimSuffix(string(l.Marshal()), "\n")) {
		t.Errorf("syslog got %q", msg)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
