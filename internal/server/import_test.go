package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"ismsd/internal/config"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/problem"
)

// TestExpensiveRequestsAreBounded: with room for one expensive request,
// while an upload is still sending its file, another import, the page's
// upload and a report download are refused at once with 429 and
// Retry-After (problem+json in the API, a German page in the UI); other
// requests go on, and once the upload is done the next import runs.
func TestExpensiveRequestsAreBounded(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, func(c *config.Config) { c.ExpensiveRequests = 1 })
	scope, _ := e.scopeWithDepartment()
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	api, page := fmt.Sprintf("/api/v1/scopes/%d", scope), fmt.Sprintf("/scopes/%d", scope)
	file := "external_id;name;type\nS1;Server;it_system\n"

	slow, feed := io.Pipe()
	first := make(chan int)
	go func() {
		r := c.upload(api+"/import", map[string]string{"dry_run": "true"}, "langsam.csv", slow, nil)
		first <- r.status
	}()
	if _, err := feed.Write([]byte("external_id;name;type\n")); err != nil {
		t.Fatal(err)
	}
	// The slow upload takes the one place once the server has its headers;
	// only then may the next one come, or it could overtake the slow one.
	for deadline := time.Now().Add(10 * time.Second); len(e.srv.expensive) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the slow upload never took its place")
		}
	}
	r := c.upload(api+"/import", map[string]string{"dry_run": "true"}, "zweite.csv", strings.NewReader(file), nil)
	p := problemOf(t, r, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") == "" || !strings.Contains(p.Detail, "try again") {
		t.Errorf("refusal: %v %+v", r.header, p)
	}
	r = c.uploadFields(page+"/import", "seite.csv", []byte(file), map[string]string{"dry_run": "true"})
	mustContain(t, r, http.StatusTooManyRequests, "Zu viele Anfragen", "in einigen Sekunden")
	if r.header.Get("Retry-After") == "" {
		t.Error("the page's refusal has no Retry-After")
	}
	problemOf(t, c.do("GET", api+"/reports/a4.xlsx", nil, nil), http.StatusTooManyRequests)
	if r := c.do("GET", api, nil, nil); r.status != http.StatusOK {
		t.Errorf("an ordinary request while the import runs: %d", r.status)
	}

	feed.Write([]byte("S1;Server;it_system\n"))
	feed.Close()
	if status := <-first; status != http.StatusOK {
		t.Fatalf("the slow upload: %d", status)
	}
	if r := c.upload(api+"/import", map[string]string{"dry_run": "true"}, "danach.csv", strings.NewReader(file), nil); r.status != http.StatusOK {
		t.Errorf("an import after the first: %d %s", r.status, firstLine(r.body))
	}
}

// TestLargeImportStreamsAndKeepsItsFileInChunks: a plan of thousands of
// rows is sent as it is made and is one valid JSON document; the page
// keeps the uploaded file in chunks for the apply, which checks its hash.
func TestLargeImportStreamsAndKeepsItsFileInChunks(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	scope, _ := e.scopeWithDepartment()
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	const rows = 6000
	var b strings.Builder
	b.WriteString("external_id;name;type;department;description;depends_on\n")
	for i := range rows {
		fmt.Fprintf(&b, "CMDB-%05d;Server %d;it_system;TLRZ;%s;CMDB-%05d\n", i, i, strings.Repeat("Beschreibung ", 20), (i+1)%rows)
	}
	file := []byte(b.String())
	if len(file) < 3<<20/2 {
		t.Fatalf("the file has %d bytes, want more than a chunk", len(file))
	}

	r := c.uploadFields(fmt.Sprintf("/api/v1/scopes/%d/import", scope), "gross.csv", file, map[string]string{"dry_run": "true"})
	if r.status != http.StatusOK {
		t.Fatalf("dry run: %d %s", r.status, firstLine(r.body))
	}
	var plan struct {
		Creates int `json:"creates"`
		Rows    []struct {
			Line   int    `json:"line"`
			Action string `json:"action"`
		} `json:"rows"`
	}
	r.json(t, &plan)
	if plan.Creates != rows || len(plan.Rows) != rows || plan.Rows[rows-1].Line != rows+1 {
		t.Fatalf("plan: %d creates, %d rows", plan.Creates, len(plan.Rows))
	}

	page := fmt.Sprintf("/scopes/%d/import", scope)
	r = c.uploadFields(page, "gross.csv", file, map[string]string{"dry_run": "true"})
	mustContain(t, r, http.StatusOK, "Übernehmen", "weitere Zeilen")
	action := regexpFind(t, string(r.body), `action="(/scopes/\d+/import/\d+/apply)"`)
	owner := e.ownerDB()
	var chunks int
	if err := owner.QueryRowContext(context.Background(), `SELECT count(*) FROM import_file_chunks`).Scan(&chunks); err != nil || chunks < 2 {
		t.Fatalf("the kept file has %d chunks (%v)", chunks, err)
	}
	if r := c.do("POST", action, "", nil); r.status != http.StatusSeeOther {
		t.Fatalf("apply: %d %s", r.status, firstLine(r.body))
	}
	objs, err := e.db.ScopeObjects(context.Background(), scope, postgres.Everything)
	if err != nil || len(objs) != rows {
		t.Fatalf("%d objects after the apply (%v)", len(objs), err)
	}
	for _, o := range objs {
		if len(o.DependsOn) != 1 {
			t.Fatalf("object %s depends on %v", o.Input.ExternalID, o.DependsOn)
		}
	}

	// A kept file changed in the database is not applied.
	r = c.uploadFields(page, "neu.csv", []byte("external_id;name;type\nNEU-1;Neu;room\n"), map[string]string{"dry_run": "true"})
	action = regexpFind(t, string(r.body), `action="(/scopes/\d+/import/\d+/apply)"`)
	if _, err := owner.ExecContext(context.Background(), `UPDATE import_file_chunks SET data = convert_to('external_id;name;type
NEU-1;Anders;room
', 'UTF8') WHERE file_id = (SELECT max(id) FROM import_files)`); err != nil {
		t.Fatal(err)
	}
	mustContain(t, c.do("POST", action, "", nil), problem.KindOf(domain.ErrIntegrity).Status, "seit dem Probelauf verändert")
}
