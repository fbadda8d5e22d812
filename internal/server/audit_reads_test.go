package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"ismsd/internal/config"
	"ismsd/internal/domain"
)

type readRecord struct {
	Actor, Action, ResourceType, ResourceID string
	After                                   map[string]any
}

// readRecords lists the evidence.read and report.read records in order.
func readRecords(t *testing.T, e *testEnv) []readRecord {
	t.Helper()
	owner := e.ownerDB()
	rows, err := owner.Query(`SELECT actor_name, action, resource_type, resource_id, after FROM audit_log
		WHERE action IN ('evidence.read', 'report.read') ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []readRecord
	for rows.Next() {
		var r readRecord
		var after []byte
		if err := rows.Scan(&r.Actor, &r.Action, &r.ResourceType, &r.ResourceID, &after); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(after, &r.After); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestReadsAreRecorded: downloads of evidence files and of reports, from
// the API and the pages, each leave a record of who read what; with
// ISMS_AUDIT_READS=off none do. A refused download records no read.
func TestReadsAreRecorded(t *testing.T) {
	t.Parallel()
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprintf("on=%v", on), func(t *testing.T) {
			s := newEvidenceScope(t, func(c *config.Config) { c.AuditReads = on })
			dora := s.e.loggedIn("dora", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &s.tlrz})
			var ev evidenceDoc
			s.isb.upload(s.base, s.fields("Protokoll"), "p.log", bytes.NewReader([]byte("Protokoll der Übung")), nil).json(t, &ev)
			scope := fmt.Sprint(s.scope.ID)
			for _, get := range []struct {
				c    *client
				path string
			}{
				{s.auditor, fmt.Sprintf("/api/v1/evidence/%d/versions/1/content", ev.ID)},
				{dora, fmt.Sprintf("/evidence/%d/versions/1/content", ev.ID)},
				{s.auditor, "/api/v1/scopes/" + scope + "/reports/a4.csv"},
				{dora, "/scopes/" + scope + "/reports/a1.xlsx"},
				{s.auditor, "/api/v1/scopes/" + scope + "/export?format=json"},
				{dora, "/scopes/" + scope + "/export?format=csv"},
			} {
				if r := get.c.do("GET", get.path, nil, nil); r.status != http.StatusOK {
					t.Fatalf("%s: %d", get.path, r.status)
				}
			}
			// Refused: no such version, no such report.
			s.auditor.do("GET", fmt.Sprintf("/api/v1/evidence/%d/versions/2/content", ev.ID), nil, nil)
			s.auditor.do("GET", "/api/v1/scopes/"+scope+"/reports/a9.csv", nil, nil)

			got := readRecords(t, s.e)
			if !on {
				if len(got) != 0 {
					t.Errorf("reads recorded although switched off: %+v", got)
				}
				return
			}
			if len(got) != 6 {
				t.Fatalf("%d read records, want 6: %+v", len(got), got)
			}
			want := []struct{ actor, action, typ, id, key, value string }{
				{"audra", "evidence.read", "evidence", fmt.Sprint(ev.ID), "version", "1"},
				{"dora", "evidence.read", "evidence", fmt.Sprint(ev.ID), "version", "1"},
				{"audra", "report.read", "scope", scope, "report", "a4"},
				{"dora", "report.read", "scope", scope, "report", "a1"},
				{"audra", "report.read", "scope", scope, "report", "objects"},
				{"dora", "report.read", "scope", scope, "report", "objects"},
			}
			for i, w := range want {
				r := got[i]
				if r.Actor != w.actor || r.Action != w.action || r.ResourceType != w.typ || r.ResourceID != w.id || fmt.Sprint(r.After[w.key]) != w.value {
					t.Errorf("record %d: %+v, want %+v", i, r, w)
				}
			}
			if got[0].After["sha256"] != ev.Current.SHA256 || got[2].After["format"] != "csv" || got[3].After["format"] != "xlsx" {
				t.Errorf("what was read: %+v", got)
			}
			// The department head read within their subtree, and the record says so.
			if deps, _ := got[3].After["departments"].([]any); len(deps) != 1 || fmt.Sprint(deps[0]) != fmt.Sprint(s.tlrz) {
				t.Errorf("the department head's report record: %+v", got[3].After)
			}
		})
	}
}

// BenchmarkEvidenceDownloadRecorded measures a small evidence download
// through the API with and without its audit record (ISMS_AUDIT_READS),
// which also includes the lookup of the upload record every download
// makes: go test ./internal/server -run '^$' -bench EvidenceDownloadRecorded -benchtime 300x
func BenchmarkEvidenceDownloadRecorded(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("reads=%v", on), func(b *testing.B) {
			s := newEvidenceScope(b, func(c *config.Config) { c.AuditReads = on })
			var ev evidenceDoc
			s.isb.upload(s.base, s.fields("Protokoll"), "p.log", bytes.NewReader(bytes.Repeat([]byte("Protokoll "), 10000)), nil).json(b, &ev)
			path := fmt.Sprintf("/api/v1/evidence/%d/versions/1/content", ev.ID)
			for b.Loop() {
				if r := s.auditor.do("GET", path, nil, nil); r.status != http.StatusOK {
					b.Fatalf("%d", r.status)
				}
			}
		})
	}
}
