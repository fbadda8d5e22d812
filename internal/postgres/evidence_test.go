package postgres_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// evidenceEnv is the structure's scope with an ISB and an auditor.
type evidenceEnv struct {
	structure
	isb, auditor domain.Actor
}

func newEvidenceEnv(t *testing.T) evidenceEnv {
	t.Helper()
	s := newStructure(t)
	person := func(name string) domain.Actor {
		u := createUser(t, s.db, name)
		a := actor(name)
		a.UserID = &u.ID
		return a
	}
	return evidenceEnv{structure: s, isb: person("isa"), auditor: person("audra")}
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// upload stores a new evidence item as who, with content (nil: a reference).
func (e evidenceEnv) upload(t *testing.T, who domain.Actor, title string, content io.Reader, vis postgres.Visibility) domain.Evidence {
	t.Helper()
	ev, err := postgres.InTxValue(ctx, e.db, who, func(tx *postgres.Tx) (domain.Evidence, error) {
		return tx.CreateEvidence(ctx, e.scope.ID, domain.EvidenceInput{Title: title, DepartmentID: &e.tlrz},
			domain.VersionInput{EffectiveOn: day("2026-10-01"), FileName: "nachweis.pdf", ContentType: "application/pdf", Reference: "DOK-1"},
			content, vis)
	})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func (e evidenceEnv) review(who domain.Actor, ev domain.Evidence, decision domain.ReviewState, comment string) (domain.Evidence, error) {
	out, err := postgres.InTxValue(ctx, e.db, who, func(tx *postgres.Tx) (domain.Evidence, error) {
		return tx.ReviewEvidence(ctx, ev.ID, ev.Version, domain.ReviewInput{Decision: decision, Comment: comment}, postgres.Everything)
	})
	return out, err
}

func readAll(t *testing.T, e evidenceEnv, ev domain.Evidence) ([]byte, error) {
	t.Helper()
	_, r, err := e.db.OpenEvidence(ctx, ev.ID, ev.Current.Number, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return io.ReadAll(r)
}

func TestEvidenceContentRoundTripsInChunks(t *testing.T) {
	t.Parallel()
	e := newEvidenceEnv(t)
	// Three and a half chunks of varied bytes.
	content := make([]byte, 3*(1<<20)+(1<<19))
	for i := range content {
		content[i] = byte(i*7 + i/1000)
	}
	ev := e.upload(t, e.isb, "Firewall-Regelwerk", bytes.NewReader(content), postgres.Everything)
	sum := sha256.Sum256(content)
	if ev.Current.Size != int64(len(content)) || ev.Current.SHA256 != hex.EncodeToString(sum[:]) || ev.Current.State != domain.ReviewSubmitted ||
		ev.Current.Number != 1 || ev.Current.UploadedBy != "isa" {
		t.Fatalf("stored %+v", ev.Current)
	}
	got, err := readAll(t, e, ev)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("read back %d bytes, %v", len(got), err)
	}
	// An empty file is a file too.
	empty := e.upload(t, e.isb, "Leere Datei", bytes.NewReader(nil), postgres.Everything)
	if got, err := readAll(t, e, empty); err != nil || len(got) != 0 || empty.Current.SHA256 != hex.EncodeToString(sha256.New().Sum(nil)) {
		t.Errorf("empty file: %d bytes, %v, %+v", len(got), err, empty.Current)
	}
	// A reference has no content to open.
	ref := e.upload(t, e.isb, "Betriebshandbuch", nil, postgres.Everything)
	if ref.Current.HasFile() || ref.Current.Reference != "DOK-1" || ref.Current.FileName != "" {
		t.Errorf("reference %+v", ref.Current)
	}
	if _, _, err := e.db.OpenEvidence(ctx, ref.ID, 1, postgres.Everything); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("opening a reference: %v", err)
	}
}

// failingReader delivers n bytes, then fails like a connection cut off.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.ErrUnexpectedEOF
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	r.n -= k
	return k, nil
}

func TestEvidenceUploadCutOffLeavesNothing(t *testing.T) {
	t.Parallel()
	e := newEvidenceEnv(t)
	err := e.db.InTx(ctx, e.isb, func(tx *postgres.Tx) error {
		_, err := tx.CreateEvidence(ctx, e.scope.ID, domain.EvidenceInput{Title: "Abgebrochen", DepartmentID: &e.tlrz},
			domain.VersionInput{EffectiveOn: day("2026-10-01"), FileName: "gross.bin"}, &failingReader{n: 5 << 20}, postgres.Everything)
		return err
	})
	if err == nil {
		t.Fatal("a cut-off upload was stored")
	}
	owner := openSQL(t, e.ownerURL)
	var items, versions, chunks int
	if err := owner.QueryRow(`SELECT (SELECT count(*) FROM evidence), (SELECT count(*) FROM evidence_versions),
		(SELECT count(*) FROM evidence_chunks)`).Scan(&items, &versions, &chunks); err != nil {
		t.Fatal(err)
	}
	if items+versions+chunks != 0 {
		t.Errorf("left behind: %d items, %d versions, %d chunks", items, versions, chunks)
	}
}

func TestTamperedEvidenceIsNeverServed(t *testing.T) {
	t.Parallel()
	e := newEvidenceEnv(t)
	content := bytes.Repeat([]byte("Protokoll der Notfallübung 2026. "), 100000) // about 3.3 MB: four chunks
	ev := e.upload(t, e.isb, "Notfallübung", bytes.NewReader(content), postgres.Everything)
	owner := openSQL(t, e.ownerURL)
	// One byte of the third chunk changed: the reader stops before it.
	if _, err := owner.Exec(`UPDATE evidence_chunks SET data = overlay(data placing '\x00'::bytea from 10 for 1)
		WHERE version_id = $1 AND seq = 2`, ev.Current.ID); err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, e, ev)
	if !errors.Is(err, postgres.ErrTampered) || len(got) != 2<<20 {
		t.Fatalf("read %d bytes of a tampered version, %v", len(got), err)
	}
	// A chunk changed together with its own hash: the whole does not match.
	if _, err := owner.Exec(`UPDATE evidence_chunks SET sha256 = sha256(data) WHERE version_id = $1 AND seq = 2`, ev.Current.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(t, e, ev); !errors.Is(err, postgres.ErrTampered) {
		t.Fatalf("rehashed chunk: %v", err)
	}
	// A chunk removed.
	if _, err := owner.Exec(`DELETE FROM evidence_chunks WHERE version_id = $1 AND seq = 3`, ev.Current.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(t, e, ev); !errors.Is(err, postgres.ErrTampered) {
		t.Fatalf("missing chunk: %v", err)
	}
}

func TestEvidenceReview(t *testing.T) {
	t.Parallel()
	e := newEvidenceEnv(t)
	ev := e.upload(t, e.isb, "Patchprotokoll", strings.NewReader("Patchstand Oktober"), postgres.Everything)

	// Nobody reviews their own upload.
	if _, err := e.review(e.isb, ev, domain.ReviewAccepted, ""); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("own review: %v", err)
	}
	// A rejection and a question need words.
	if _, err := e.review(e.auditor, ev, domain.ReviewRejected, " "); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("rejection without comment: %v", err)
	}
	// A question; the ISB's answer puts the version back in the queue.
	asked, err := e.review(e.auditor, ev, domain.ReviewNeedsInfo, "Welche Systeme umfasst der Patchstand?")
	if err != nil || asked.Current.State != domain.ReviewNeedsInfo || asked.Version == ev.Version {
		t.Fatalf("question: %+v %v", asked.Current, err)
	}
	queue := func(reviewer domain.Actor) []domain.Evidence {
		t.Helper()
		es, _, err := e.db.ListEvidence(ctx, e.scope.ID, domain.EvidenceFilter{ReviewQueue: true, ReviewerID: *reviewer.UserID}, postgres.Everything)
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	if len(queue(e.auditor)) != 0 {
		t.Error("a version with an open question is in the review queue")
	}
	if err := e.db.InTx(ctx, e.isb, func(tx *postgres.Tx) error {
		_, err := tx.CommentEvidence(ctx, ev.ID, domain.CommentInput{Body: "Alle Server des Rechenzentrums Erfurt."}, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if q := queue(e.auditor); len(q) != 1 || q[0].ID != ev.ID {
		t.Fatalf("answered version not back in the queue: %d", len(q))
	}
	if len(queue(e.isb)) != 0 {
		t.Error("the uploader's own upload is in their review queue")
	}
	// A stale ETag is refused.
	if _, err := e.review(e.auditor, asked, domain.ReviewAccepted, ""); !errors.Is(err, domain.ErrPreconditionFailed) {
		t.Errorf("stale review: %v", err)
	}
	cur, err := e.db.EvidenceByID(ctx, ev.ID, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	accepted, err := e.review(e.auditor, cur, domain.ReviewAccepted, "")
	if err != nil || accepted.Current.State != domain.ReviewAccepted || accepted.Current.ReviewedBy != "audra" {
		t.Fatalf("accept: %+v %v", accepted.Current, err)
	}
	// Decided is decided.
	if _, err := e.review(e.auditor, accepted, domain.ReviewRejected, "doch nicht"); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("second decision: %v", err)
	}
	thread, err := e.db.EvidenceThread(ctx, ev.ID)
	if err != nil || len(thread) != 3 || thread[0].Decision != domain.ReviewNeedsInfo || thread[1].Decision != "" ||
		thread[2].Decision != domain.ReviewAccepted || thread[1].Author != "isa" || thread[0].Version != 1 {
		t.Fatalf("thread %+v %v", thread, err)
	}

	// Accepted is immutable, even for the database's own role.
	app := openSQL(t, e.appURL)
	if _, err := app.Exec(`UPDATE evidence_versions SET valid_until = '2030-01-01' WHERE id = $1`, ev.Current.ID); err == nil {
		t.Error("an accepted version was changed")
	}
	if _, err := app.Exec(`DELETE FROM evidence_chunks WHERE version_id = $1`, ev.Current.ID); err == nil {
		t.Error("an accepted version's content was removed")
	}
	if _, err := app.Exec(`UPDATE evidence_chunks SET data = 'x' WHERE version_id = $1`, ev.Current.ID); err == nil {
		t.Error("an accepted version's content was changed")
	}

	// A new version goes to review again; the accepted one stays.
	var v2 domain.Evidence
	if err := e.db.InTx(ctx, e.isb, func(tx *postgres.Tx) error {
		var err error
		v2, err = tx.AddEvidenceVersion(ctx, ev.ID, accepted.Version, domain.VersionInput{EffectiveOn: day("2026-11-01"),
			FileName: "patch-nov.txt"}, strings.NewReader("Patchstand November"), postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if v2.Current.Number != 2 || v2.Current.State != domain.ReviewSubmitted {
		t.Fatalf("second version %+v", v2.Current)
	}
	all, err := e.db.EvidenceByID(ctx, ev.ID, postgres.Everything)
	if err != nil || len(all.Versions) != 2 || all.Versions[1].State != domain.ReviewAccepted {
		t.Fatalf("versions %+v %v", all.Versions, err)
	}
}

func TestEvidenceVisibilityLinksAndExpiry(t *testing.T) {
	t.Parallel()
	e := newEvidenceEnv(t)
	interior := postgres.Visibility{Departments: []int64{e.inn}}
	finance := postgres.Visibility{Departments: []int64{e.fin}}
	ev := e.upload(t, e.isb, "Zutrittsprotokoll", strings.NewReader("Serverraum"), postgres.Everything)
	// The data centre belongs to the finance ministry's subtree.
	if _, err := e.db.EvidenceByID(ctx, ev.ID, finance); err != nil {
		t.Errorf("finance ministry: %v", err)
	}
	if _, err := e.db.EvidenceByID(ctx, ev.ID, interior); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("interior ministry sees the data centre's evidence: %v", err)
	}
	if _, _, err := e.db.OpenEvidence(ctx, ev.ID, 1, interior); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("interior ministry opens the data centre's evidence: %v", err)
	}
	// A writer limited to the interior ministry cannot place evidence elsewhere.
	err := e.db.InTx(ctx, e.isb, func(tx *postgres.Tx) error {
		_, err := tx.CreateEvidence(ctx, e.scope.ID, domain.EvidenceInput{Title: "Fremd", DepartmentID: &e.tlrz},
			domain.VersionInput{EffectiveOn: day("2026-10-01"), Reference: "X"}, nil, interior)
		return err
	})
	if !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("placing evidence outside one's departments: %v", err)
	}

	// Links within the scope only; twice is once.
	e.assignForEvidence(t)
	entries, _, err := e.db.ListEntries(ctx, e.scope.ID, domain.EntryFilter{ObjectID: e.sv, Limit: 1}, postgres.Everything)
	if err != nil || len(entries) == 0 {
		t.Fatal(err)
	}
	link := func(target domain.LinkTarget, id int64) error {
		return e.db.InTx(ctx, e.isb, func(tx *postgres.Tx) error { return tx.LinkEvidence(ctx, ev.ID, target, id, postgres.Everything) })
	}
	if err := link(domain.LinkCheckEntry, entries[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := link(domain.LinkCheckEntry, entries[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := link(domain.LinkCheckEntry, 999999); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("link to a missing entry: %v", err)
	}
	links, err := e.db.EvidenceLinks(ctx, ev.ID, postgres.Everything)
	if err != nil || len(links) != 1 || !strings.Contains(links[0].Label, entries[0].RequirementID) {
		t.Fatalf("links %+v %v", links, err)
	}
	linkedTo := domain.EvidenceFilter{Target: domain.LinkCheckEntry, TargetID: entries[0].ID}
	linked, _, err := e.db.ListEvidence(ctx, e.scope.ID, linkedTo, postgres.Everything)
	if err != nil || len(linked) != 1 || linked[0].ID != ev.ID {
		t.Fatalf("evidence for the entry: %+v %v", linked, err)
	}
	if linked, _, _ := e.db.ListEvidence(ctx, e.scope.ID, linkedTo, interior); len(linked) != 0 {
		t.Error("the interior ministry sees linked evidence of the data centre")
	}

	// Expiry: valid until the end of the month, accepted.
	var dated domain.Evidence
	if err := e.db.InTx(ctx, e.isb, func(tx *postgres.Tx) error {
		var err error
		until := day("2026-12-15")
		dated, err = tx.CreateEvidence(ctx, e.scope.ID, domain.EvidenceInput{Title: "Wartungsvertrag", DepartmentID: &e.tlrz},
			domain.VersionInput{EffectiveOn: day("2026-01-01"), ValidUntil: &until, Reference: "VTR-7"}, nil, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.review(e.auditor, dated, domain.ReviewAccepted, ""); err != nil {
		t.Fatal(err)
	}
	list := func(f domain.EvidenceFilter) []string {
		t.Helper()
		es, _, err := e.db.ListEvidence(ctx, e.scope.ID, f, postgres.Everything)
		if err != nil {
			t.Fatal(err)
		}
		return mapped(es, func(x domain.Evidence) string { return x.Title })
	}
	if got := list(domain.EvidenceFilter{ExpiringWithin: 30, Today: day("2026-11-22")}); len(got) != 1 || got[0] != "Wartungsvertrag" {
		t.Errorf("expiring within 30 days: %v", got)
	}
	if got := list(domain.EvidenceFilter{ExpiringWithin: 30, Today: day("2026-10-01")}); len(got) != 0 {
		t.Errorf("expiring within 30 days of October: %v", got)
	}
	if got := list(domain.EvidenceFilter{Expired: true, Today: day("2027-01-01")}); len(got) != 1 {
		t.Errorf("expired in January: %v", got)
	}
	if got := list(domain.EvidenceFilter{Query: "wartung"}); len(got) != 1 {
		t.Errorf("search: %v", got)
	}
}

func (e evidenceEnv) assignForEvidence(t *testing.T) {
	t.Helper()
	if err := e.change(t, func(tx *postgres.Tx) error {
		_, err := tx.AssignModules(ctx, e.scope.ID, []int64{e.sv}, []string{"SYS.1.1"}, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
