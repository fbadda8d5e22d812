package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/scaletest"
)

// bulkScope gives a scope 1,000 devices with three switch and router
// modules each (about 20,000 check entries) and returns an ISB's client
// and the scope's check path.
func bulkScope(t testing.TB) (*client, string) {
	t.Helper()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	fillScope(t, e, s, 1000)
	owner := e.ownerDB()
	if _, err := owner.Exec(`
		INSERT INTO object_modules (object_id, catalog_id, module_id)
		SELECT o.id, $2, m FROM objects o, unnest(ARRAY['NET.3.1', 'NET.1.2', 'NET.3.2']) AS m
		WHERE o.scope_id = $1 AND o.short_id LIKE 'D-%'`, s.scope.ID, s.catalog); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := e.db.InTx(ctx, domain.Actor{Name: "test"}, func(tx *postgres.Tx) error {
		_, err := tx.DeriveChecks(ctx, s.scope.ID, nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Exec(`ANALYZE`); err != nil {
		t.Fatal(err)
	}
	return c, fmt.Sprintf("/api/v1/scopes/%d/check", s.scope.ID)
}

// bulkItems reads n entries page by page and sets them all to status.
func bulkItems(t testing.TB, c *client, base string, n int, status string) []map[string]any {
	t.Helper()
	var items []map[string]any
	for cursor := ""; len(items) < n; {
		var page entryPage
		c.do("GET", base+"?limit=1000&cursor="+cursor, nil, nil).json(t, &page)
		for _, it := range page.Items {
			items = append(items, map[string]any{"id": it.ID, "version": it.Version, "status": status,
				"justification": "Umsetzung an den meisten Standorten abgeschlossen", "responsible": "Netzbetrieb"})
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if len(items) < n {
		t.Fatalf("%d entries, want %d", len(items), n)
	}
	return items[:n]
}

// A bulk of 10,000 entries, the most one request may carry, goes through;
// one more is refused whole.
func TestCheckBulkOfTenThousand(t *testing.T) {
	scaletest.Require(t, "20,000 entries")
	c, base := bulkScope(t)
	items := bulkItems(t, c, base, 10001, "partial")
	problemOf(t, c.do("POST", base+"/bulk", map[string]any{"items": items}, nil), http.StatusUnprocessableEntity)
	var open entryPage
	c.do("GET", base+"?status=partial", nil, nil).json(t, &open)
	if len(open.Items) != 0 {
		t.Fatal("a refused bulk changed entries")
	}
	if r := c.do("POST", base+"/bulk", map[string]any{"items": items[:10000]}, nil); r.status != http.StatusOK {
		t.Fatalf("bulk of 10,000: %d %s", r.status, firstLine(r.body))
	}
	var plan struct {
		Items []json.RawMessage `json:"items"`
	}
	c.do("GET", strings.Replace(base, "/check", "/plan", 1)+"?limit=1000", nil, nil).json(t, &plan)
	if len(plan.Items) != 1000 {
		t.Errorf("%d measures on the first plan page after 10,000 partial entries", len(plan.Items))
	}
}

// BenchmarkCheckBulkAPI sends 10,000 entry changes in one request to the
// bulk endpoint, as an ISB's tool would: schema validation, the all-or-
// nothing transaction with audit records and plan items, and the answer.
//
//	go test ./internal/server -run '^$' -bench CheckBulkAPI -benchtime 3x
func BenchmarkCheckBulkAPI(b *testing.B) {
	c, base := bulkScope(b)
	statuses := []string{"yes", "partial"}
	round := 0
	for b.Loop() {
		b.StopTimer()
		items := bulkItems(b, c, base, 10000, statuses[round%2])
		b.StartTimer()
		start := time.Now()
		if r := c.do("POST", base+"/bulk", map[string]any{"items": items}, nil); r.status != http.StatusOK {
			b.Fatalf("bulk: %d %s", r.status, firstLine(r.body))
		}
		b.ReportMetric(time.Since(start).Seconds(), "bulk10k_s")
		round++
	}
}
