package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestRehashedEvidenceDownloadIsRefused: a chunk changed together with
// its own hash and the version's hash (as a database superuser could) is
// refused like any other tampering — before a byte is sent, logged and
// recorded — because the audit record of the upload keeps the true hash.
func TestRehashedEvidenceDownloadIsRefused(t *testing.T) {
	t.Parallel()
	s := newEvidenceScope(t)
	content := bytes.Repeat([]byte("Protokoll "), 300000) // 3 MB: three chunks
	var ev evidenceDoc
	s.isb.upload(s.base, s.fields("Protokoll"), "p.log", bytes.NewReader(content), nil).json(t, &ev)
	owner := s.e.ownerDB()
	for _, stmt := range []string{
		`UPDATE evidence_chunks SET data = overlay(data placing 'X'::bytea from 5 for 1), sha256 = sha256(overlay(data placing 'X'::bytea from 5 for 1))
			WHERE version_id = (SELECT id FROM evidence_versions WHERE evidence_id = $1) AND seq = 2`,
		`UPDATE evidence_versions v SET sha256 = encode(sha256((SELECT string_agg(data, ''::bytea ORDER BY seq) FROM evidence_chunks
			WHERE version_id = v.id)), 'hex') WHERE evidence_id = $1`,
	} {
		if _, err := owner.Exec(stmt, ev.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{fmt.Sprintf("/api/v1/evidence/%d/versions/1/content", ev.ID), fmt.Sprintf("/evidence/%d/versions/1/content", ev.ID)} {
		r := s.auditor.do("GET", path, nil, nil)
		if r.status != http.StatusInternalServerError || bytes.Contains(r.body, []byte("Protokoll Protokoll")) {
			t.Errorf("%s: %d, %d bytes", path, r.status, len(r.body))
		}
		if strings.HasPrefix(path, "/api/") && r.status == http.StatusInternalServerError {
			if p := problemOf(t, r, http.StatusInternalServerError); !strings.HasSuffix(p.Type, "#problem-integrity") {
				t.Errorf("problem %+v", p)
			}
		}
	}
	var records int
	if err := owner.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'evidence.integrity_failure' AND resource_id = $1`,
		fmt.Sprint(ev.ID)).Scan(&records); err != nil || records != 2 {
		t.Errorf("%d audit records of the failures, %v", records, err)
	}
}
