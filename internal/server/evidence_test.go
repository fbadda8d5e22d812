package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"ismsd/internal/config"
	"ismsd/internal/domain"
	"ismsd/internal/heapwatch"
	"ismsd/internal/scaletest"
)

type evidenceDoc struct {
	ID      int64 `json:"id"`
	Version int   `json:"version"`
	Current struct {
		Number  int     `json:"number"`
		State   string  `json:"state"`
		SHA256  string  `json:"sha256"`
		Size    int64   `json:"size"`
		Content *string `json:"content"`
	} `json:"current"`
	Versions []struct {
		Number int    `json:"number"`
		State  string `json:"state"`
	} `json:"versions"`
	Links []struct {
		Target   string `json:"target"`
		TargetID int64  `json:"target_id"`
		Label    string `json:"label"`
	} `json:"links"`
}

// evidenceScope is a UI scope with an ISB, an auditor and an
// administrator, each with a client.
type evidenceScope struct {
	uiScope
	isb, auditor, admin *client
	base                string // the scope's evidence path
}

func newEvidenceScope(t testing.TB, configure ...func(*config.Config)) evidenceScope {
	t.Helper()
	e := newTestEnv(t, configure...)
	s := evidenceScope{uiScope: newUIScope(t, e)}
	s.isb = e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	s.auditor = e.loggedIn("audra", domain.Grant{Role: domain.RoleAuditor})
	s.admin = e.loggedIn("adam", domain.Grant{Role: domain.RoleAdmin})
	s.base = fmt.Sprintf("/api/v1/scopes/%d/evidence", s.scope.ID)
	return s
}

func (s evidenceScope) fields(title string) map[string]string {
	return map[string]string{"title": title, "effective_on": "2026-10-01", "department_id": fmt.Sprint(s.tlrz)}
}

func TestEvidenceUploadDownloadAndReview(t *testing.T) {
	t.Parallel()
	s := newEvidenceScope(t)
	content := bytes.Repeat([]byte("Firewall-Regelwerk Stand Oktober 2026\n"), 60000) // about 2.2 MB
	r := s.isb.upload(s.base, s.fields("Firewall-Regelwerk"), "regelwerk.txt", bytes.NewReader(content), nil)
	if r.status != http.StatusCreated || r.header.Get("ETag") == "" {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var ev evidenceDoc
	r.json(t, &ev)
	sum := sha256.Sum256(content)
	if ev.Current.SHA256 != hex.EncodeToString(sum[:]) || ev.Current.Size != int64(len(content)) || ev.Current.Content == nil {
		t.Fatalf("stored %+v", ev.Current)
	}

	// The download is the file, as an attachment nobody renders here.
	d := s.auditor.do("GET", *ev.Current.Content, nil, nil)
	if d.status != http.StatusOK || !bytes.Equal(d.body, content) {
		t.Fatalf("download: %d, %d bytes", d.status, len(d.body))
	}
	for k, want := range map[string]string{"Content-Type": "application/octet-stream", "X-Content-Type-Options": "nosniff",
		"Content-Disposition": `attachment; filename=regelwerk.txt`, "Content-Length": fmt.Sprint(len(content))} {
		if got := d.header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(d.header.Get("Content-Security-Policy"), "sandbox") || !strings.HasPrefix(d.header.Get("Repr-Digest"), "sha-256=:") {
		t.Errorf("download headers %v", d.header)
	}

	// Bad input changes nothing: no title, a date that is none, a
	// version without file or reference.
	bad := s.isb.upload(s.base, map[string]string{"effective_on": "gestern"}, "", nil, nil)
	p := problemOf(t, bad, http.StatusUnprocessableEntity)
	if len(p.Errors) < 2 {
		t.Errorf("violations %+v", p.Errors)
	}
	problemOf(t, s.isb.upload(s.base, s.fields("Ohne alles"), "", nil, nil), http.StatusUnprocessableEntity)
	problemOf(t, s.isb.do("POST", s.base, map[string]string{"title": "JSON"}, nil), http.StatusUnsupportedMediaType)

	// Review: the ISB may not, the auditor decides; a rejection needs a reason.
	path := fmt.Sprintf("/api/v1/evidence/%d", ev.ID)
	tag := map[string]string{"If-Match": fmt.Sprintf(`"%d"`, ev.Version)}
	problemOf(t, s.isb.do("POST", path+"/review", map[string]string{"decision": "accepted"}, tag), http.StatusForbidden)
	problemOf(t, s.auditor.do("POST", path+"/review", map[string]string{"decision": "accepted"}, nil), http.StatusPreconditionRequired)
	problemOf(t, s.auditor.do("POST", path+"/review", map[string]string{"decision": "rejected"}, tag), http.StatusUnprocessableEntity)
	r = s.auditor.do("POST", path+"/review", map[string]string{"decision": "needs_info", "comment": "Welche Firewalls?"}, tag)
	if r.status != http.StatusOK {
		t.Fatalf("question: %d %s", r.status, r.body)
	}
	problemOf(t, s.auditor.do("POST", path+"/review", map[string]string{"decision": "accepted"}, tag), http.StatusPreconditionFailed)
	r = s.isb.do("POST", path+"/comments", map[string]string{"body": "Alle vier Cluster."}, nil)
	r.json(t, &ev)
	if r.status != http.StatusCreated || ev.Current.State != "submitted" {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	r = s.auditor.do("POST", path+"/review", map[string]string{"decision": "accepted"}, map[string]string{"If-Match": r.header.Get("ETag")})
	r.json(t, &ev)
	if r.status != http.StatusOK || ev.Current.State != "accepted" {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	var thread struct {
		Items []struct {
			Author   string  `json:"author"`
			Decision *string `json:"decision"`
		} `json:"items"`
	}
	s.isb.do("GET", path+"/thread", nil, nil).json(t, &thread)
	if len(thread.Items) != 3 || *thread.Items[0].Decision != "needs_info" || thread.Items[1].Decision != nil || thread.Items[1].Author != "isa" {
		t.Fatalf("thread %+v", thread.Items)
	}

	// A new version, reviewed again; the administrator may not review
	// their own upload.
	r = s.admin.upload(path+"/versions", map[string]string{"effective_on": "2026-11-01", "note": "Stand November"}, "regelwerk-nov.txt",
		strings.NewReader("Stand November"), map[string]string{"If-Match": fmt.Sprintf(`"%d"`, ev.Version)})
	r.json(t, &ev)
	if r.status != http.StatusCreated || ev.Current.Number != 2 || ev.Current.State != "submitted" || len(ev.Versions) != 2 {
		t.Fatalf("second version: %d %s", r.status, r.body)
	}
	problemOf(t, s.admin.do("POST", path+"/review", map[string]string{"decision": "accepted"},
		map[string]string{"If-Match": r.header.Get("ETag")}), http.StatusForbidden)
	if r := s.isb.do("GET", path+"/versions/1/content", nil, nil); r.status != http.StatusOK || !bytes.Equal(r.body, content) {
		t.Errorf("the accepted first version: %d", r.status)
	}
	problemOf(t, s.isb.do("GET", path+"/versions/3/content", nil, nil), http.StatusNotFound)

	// The review queue and the own uploads.
	var list struct {
		Items []evidenceDoc `json:"items"`
	}
	s.auditor.do("GET", s.base+"?queue=true", nil, nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != ev.ID {
		t.Errorf("auditor's queue: %+v", list.Items)
	}
	s.admin.do("GET", s.base+"?queue=true", nil, nil).json(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("the administrator's queue holds their own upload")
	}
}

func TestEvidenceVisibilityAndLinks(t *testing.T) {
	t.Parallel()
	s := newEvidenceScope(t)
	r := s.isb.upload(s.base, s.fields("Zutrittsliste"), "zutritt.csv", strings.NewReader("Name;Datum"), nil)
	var ev evidenceDoc
	r.json(t, &ev)
	path := fmt.Sprintf("/api/v1/evidence/%d", ev.ID)

	// A department head of another ministry: as if it did not exist.
	dora := s.e.loggedIn("dora", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &s.inn})
	problemOf(t, dora.do("GET", path, nil, nil), http.StatusNotFound)
	problemOf(t, dora.do("GET", path+"/versions/1/content", nil, nil), http.StatusNotFound)
	var list struct {
		Items []evidenceDoc `json:"items"`
	}
	dora.do("GET", s.base, nil, nil).json(t, &list)
	if len(list.Items) != 0 {
		t.Error("a department head sees evidence of another ministry")
	}
	// An ISB of that ministry cannot place evidence in the data centre.
	ines := s.e.loggedIn("ines", domain.Grant{Role: domain.RoleISB, DepartmentID: &s.inn})
	problemOf(t, ines.upload(s.base, s.fields("Fremd"), "x.txt", strings.NewReader("x"), nil), http.StatusUnprocessableEntity)

	// Link to a check entry of the scope; the list filters by it.
	s.assign(t, []int64{s.server}, "SYS.1.1")
	entry := checkEntries(t, s.e, s.scope.ID, s.server)["SYS.1.1.A1"]
	r = s.isb.do("POST", path+"/links", map[string]any{"target": "check_entry", "target_id": entry.ID}, nil)
	r.json(t, &ev)
	if r.status != http.StatusOK || len(ev.Links) != 1 || !strings.Contains(ev.Links[0].Label, "SYS.1.1.A1") {
		t.Fatalf("link: %d %s", r.status, r.body)
	}
	problemOf(t, s.isb.do("POST", path+"/links", map[string]any{"target": "check_entry", "target_id": 999999}, nil), http.StatusNotFound)
	s.isb.do("GET", fmt.Sprintf("%s?target=check_entry&target_id=%d", s.base, entry.ID), nil, nil).json(t, &list)
	if len(list.Items) != 1 {
		t.Errorf("evidence of the entry: %d", len(list.Items))
	}
	if r := s.isb.do("DELETE", fmt.Sprintf("%s/links/check_entry/%d", path, entry.ID), nil, nil); r.status != http.StatusNoContent {
		t.Errorf("unlink: %d", r.status)
	}
	s.isb.do("GET", fmt.Sprintf("%s?target=check_entry&target_id=%d", s.base, entry.ID), nil, nil).json(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("evidence of the entry after unlinking: %d", len(list.Items))
	}
}

func TestTamperedEvidenceDownloadFails(t *testing.T) {
	t.Parallel()
	s := newEvidenceScope(t)
	content := bytes.Repeat([]byte("Protokoll "), 300000) // 3 MB: three chunks
	var ev evidenceDoc
	s.isb.upload(s.base, s.fields("Protokoll"), "p.log", bytes.NewReader(content), nil).json(t, &ev)
	owner := s.e.ownerDB()
	tamper := func(seq int) {
		t.Helper()
		if _, err := owner.Exec(`UPDATE evidence_chunks SET data = overlay(data placing 'X'::bytea from 5 for 1)
			WHERE version_id = (SELECT id FROM evidence_versions WHERE evidence_id = $1) AND seq = $2`, ev.ID, seq); err != nil {
			t.Fatal(err)
		}
	}
	path := fmt.Sprintf("/api/v1/evidence/%d/versions/1/content", ev.ID)

	// Later in the file: the download breaks off before the end.
	tamper(2)
	res, err := s.auditor.http.Get(s.e.url + path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err == nil || len(got) >= len(content) {
		t.Errorf("a tampered download completed: %d of %d bytes, %v", len(got), len(content), err)
	}

	// In the first chunk: a clean error before anything is sent.
	tamper(0)
	p := problemOf(t, s.auditor.do("GET", path, nil, nil), http.StatusInternalServerError)
	if !strings.HasSuffix(p.Type, "#problem-integrity") {
		t.Errorf("problem %+v", p)
	}
	var records int
	if err := owner.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'evidence.integrity_failure' AND resource_id = $1`,
		fmt.Sprint(ev.ID)).Scan(&records); err != nil || records != 2 {
		t.Errorf("%d audit records of the failures, %v", records, err)
	}
}

// An upload whose connection breaks off midway leaves nothing behind.
func TestEvidenceUploadCutOff(t *testing.T) {
	t.Parallel()
	s := newEvidenceScope(t)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range s.fields("Abgebrochen") {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "gross.bin")
	fw.Write(bytes.Repeat([]byte("x"), 3<<20))
	cut := buf.Bytes()[:buf.Len()-1000] // the end never arrives

	conn, err := net.Dial("tcp", strings.TrimPrefix(s.e.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	cookie := ""
	for _, c := range s.isb.http.Jar.Cookies(mustURL(t, s.e.url)) {
		cookie += c.Name + "=" + c.Value + "; "
	}
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nOrigin: %s\r\nCookie: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		s.base, strings.TrimPrefix(s.e.url, "http://"), s.e.url, cookie, mw.FormDataContentType(), buf.Len()+1000)
	conn.Write(cut)
	// Cut it off once the server stores its chunks: its transaction then
	// holds the table's write lock (in this test's database: the tables of
	// all of them have the template's oids).
	owner := s.e.ownerDB()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var writing bool
		if err := owner.QueryRow(`SELECT EXISTS (SELECT FROM pg_locks WHERE relation = 'evidence_chunks'::regclass
			AND mode = 'RowExclusiveLock' AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))`).Scan(&writing); err != nil {
			t.Fatal(err)
		}
		if writing {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server never began to store the upload")
		}
	}
	conn.Close()

	deadline := time.Now().Add(5 * time.Second)
	for {
		var items, chunks, busy int
		if err := owner.QueryRow(`SELECT (SELECT count(*) FROM evidence), (SELECT count(*) FROM evidence_chunks),
			(SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' AND datname = current_database())`).Scan(&items, &chunks, &busy); err != nil {
			t.Fatal(err)
		}
		if items+chunks == 0 && busy == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("left behind: %d items, %d chunks (%d transactions open)", items, chunks, busy)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var ev struct {
		Items []evidenceDoc `json:"items"`
	}
	s.isb.do("GET", s.base, nil, nil).json(t, &ev)
	if len(ev.Items) != 0 {
		t.Errorf("listed: %+v", ev.Items)
	}
}

// patternReader produces n bytes of a repeating pattern without holding
// them: a gigabyte costs no memory.
type patternReader struct{ left int64 }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), r.left))
	for i := range p[:n] {
		p[i] = byte((r.left - int64(i)) % 251)
	}
	r.left -= int64(n)
	return n, nil
}

// A gigabyte goes up and comes down again with memory that does not grow
// with it. (How fast: BenchmarkEvidenceTransfer.)
func TestEvidenceGigabyteBoundedMemory(t *testing.T) {
	scaletest.Require(t, "1 GiB through PostgreSQL")
	const size = 1 << 30
	s := newEvidenceScope(t, func(c *config.Config) { c.EvidenceMaxBytes = 2 << 30 })
	s.isb.http.Timeout = 0
	// A soft limit below the bound makes the collector keep up even on a
	// busy machine, so the peak measures what is live, not what garbage
	// a late collection left; a transfer that held the file would still
	// exceed it by far.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(40 << 20))
	runtime.GC()
	stop := heapwatch.Peak(20 * time.Millisecond)
	want := sha256.New()
	r := s.isb.upload(s.base, s.fields("Gigabyte"), "gross.bin", io.TeeReader(&patternReader{left: size}, want), nil)
	up := stop()
	if r.status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var ev evidenceDoc
	r.json(t, &ev)
	if ev.Current.Size != size || ev.Current.SHA256 != hex.EncodeToString(want.Sum(nil)) {
		t.Fatalf("stored %+v", ev.Current)
	}

	runtime.GC()
	stop = heapwatch.Peak(20 * time.Millisecond)
	res, err := s.isb.http.Get(s.e.url + *ev.Current.Content)
	if err != nil {
		t.Fatal(err)
	}
	got := sha256.New()
	n, err := io.Copy(got, res.Body)
	res.Body.Close()
	down := stop()
	if err != nil || n != size || hex.EncodeToString(got.Sum(nil)) != ev.Current.SHA256 {
		t.Fatalf("download: %d bytes, %v", n, err)
	}
	const bound = 64 << 20
	t.Logf("peak heap in use: upload %d MiB, download %d MiB", up>>20, down>>20)
	if up > bound || down > bound {
		t.Errorf("peak heap in use: upload %d MiB, download %d MiB; want at most %d MiB", up>>20, down>>20, bound>>20)
	}
}
