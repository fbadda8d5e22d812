package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"ismsd/internal/config"
)

// TestEvidenceFileLimit: ISMS_EVIDENCE_MAX_BYTES is the largest file,
// not the largest request. A file of exactly the limit is stored, one
// byte more is refused with 413 (a German message on the page) and leaves
// no item, version or chunk behind — for new evidence and new versions,
// through the API and the pages. The limit lies past the first chunk, so
// the refusal comes while the file streams into the store.
func TestEvidenceFileLimit(t *testing.T) {
	t.Parallel()
	const limit = 2<<20 + 5
	s := newEvidenceScope(t, func(c *config.Config) { c.EvidenceMaxBytes = limit })
	owner := s.e.ownerDB()
	stored := func() string {
		t.Helper()
		var items, versions, chunks int
		if err := owner.QueryRow(`SELECT (SELECT count(*) FROM evidence), (SELECT count(*) FROM evidence_versions),
			(SELECT count(*) FROM evidence_chunks)`).Scan(&items, &versions, &chunks); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d items, %d versions, %d chunks", items, versions, chunks)
	}
	exact, over := bytes.Repeat([]byte("a"), limit), bytes.Repeat([]byte("b"), limit+1)

	// API: new evidence.
	var ev evidenceDoc
	r := s.isb.upload(s.base, s.fields("Genau am Limit"), "genau.bin", bytes.NewReader(exact), nil)
	if r.status != http.StatusCreated {
		t.Fatalf("a file of exactly the limit: %d %s", r.status, r.body)
	}
	r.json(t, &ev)
	if ev.Current.Size != limit {
		t.Errorf("stored %d bytes, want %d", ev.Current.Size, limit)
	}
	before := stored()
	p := problemOf(t, s.isb.upload(s.base, s.fields("Ein Byte zu viel"), "zu-gross.bin", bytes.NewReader(over), nil),
		http.StatusRequestEntityTooLarge)
	if p.Detail == "" {
		t.Errorf("problem without detail: %+v", p)
	}
	if after := stored(); after != before {
		t.Errorf("a refused upload left something behind: %s before, %s after", before, after)
	}

	// API: new version.
	versions := fmt.Sprintf("/api/v1/evidence/%d/versions", ev.ID)
	tag := map[string]string{"If-Match": fmt.Sprintf(`"%d"`, ev.Version)}
	problemOf(t, s.isb.upload(versions, map[string]string{"effective_on": "2026-10-02"}, "zu-gross.bin", bytes.NewReader(over), tag),
		http.StatusRequestEntityTooLarge)
	if after := stored(); after != before {
		t.Errorf("a refused version left something behind: %s before, %s after", before, after)
	}
	r = s.isb.upload(versions, map[string]string{"effective_on": "2026-10-02"}, "genau.bin", bytes.NewReader(exact), tag)
	if r.status != http.StatusCreated {
		t.Fatalf("a version of exactly the limit: %d %s", r.status, r.body)
	}
	r.json(t, &ev)

	// Pages: new evidence and new version.
	before = stored()
	fields := s.fields("Ein Byte zu viel")
	mustContainText(t, mustStatus(t, s.isb.upload(s.url("/evidence"), fields, "zu-gross.bin", bytes.NewReader(over), nil),
		http.StatusRequestEntityTooLarge), "Die Datei ist größer als erlaubt (höchstens 2 MB).")
	page := evidencePage(ev.ID)
	version := map[string]string{"version": strconv.Itoa(ev.Version), "effective_on": "2026-10-03"}
	mustContainText(t, mustStatus(t, s.isb.upload(page+"/versions", version, "zu-gross.bin", bytes.NewReader(over), nil),
		http.StatusRequestEntityTooLarge), "Die Datei ist größer als erlaubt (höchstens 2 MB).")
	if after := stored(); after != before {
		t.Errorf("a refused page upload left something behind: %s before, %s after", before, after)
	}
	seeOther(t, s.isb.upload(s.url("/evidence"), s.fields("Genau am Limit, Seite"), "genau.bin", bytes.NewReader(exact), nil), "/evidence/")
	seeOther(t, s.isb.upload(page+"/versions", version, "genau.bin", bytes.NewReader(exact), nil), page)
}

// mustStatus fails the test unless r has the status, and returns r.
func mustStatus(t *testing.T, r response, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, firstLine(r.body))
	}
	return r
}
