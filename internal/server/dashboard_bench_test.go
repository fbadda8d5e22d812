package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// stateScope builds a scope the size of a state's network: 10,000 target
// objects in 48 offices of 8 ministries, six modules each from the demo
// catalog (about a million check entries) with results as halfway through
// the check (most fulfilled, some partial or unfulfilled with measures,
// some overdue, a fifth still open), and 90 days of snapshots. It returns
// the scope and a ministry.
func stateScope(b *testing.B, e *testEnv) (scopeID, ministry int64, entries int) {
	b.Helper()
	ctx := context.Background()
	catalog := e.demoCatalog()
	err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		s, err := tx.CreateScope(ctx, domain.ScopeInput{Name: "Landesdatennetz", CatalogID: catalog, Approach: domain.ApproachStandard})
		scopeID = s.ID
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	owner := e.ownerDB()
	steps := []string{
		`INSERT INTO departments (name) SELECT 'Ministerium ' || m FROM generate_series(1, 8) AS m`,
		`INSERT INTO departments (name, parent_id) SELECT 'Referat ' || m.id || '.' || r, m.id
		 FROM departments m, generate_series(1, 6) AS r WHERE m.parent_id IS NULL`,
		`INSERT INTO objects (scope_id, type, short_id, name, department_id, responsible)
		 SELECT $1, (ARRAY['process','application','it_system','room'])[1 + g % 4], 'B-' || g, 'Objekt ' || g,
		        (SELECT array_agg(id ORDER BY id) FROM departments WHERE parent_id IS NOT NULL)[1 + g % 48],
		        CASE WHEN g % 50 = 0 THEN '' ELSE 'Team ' || g % 97 END
		 FROM generate_series(0, 9999) AS g`,
		`INSERT INTO object_needs (object_id, objective, own, effective, source)
		 SELECT o.id, x, 1 + (o.id % 7 = 0)::int, 1 + (o.id % 7 = 0)::int, 'own'
		 FROM objects o, unnest(ARRAY['c','i','a']) AS x WHERE o.scope_id = $1 AND o.type <> 'scope'`,
		`INSERT INTO object_modules (object_id, catalog_id, module_id)
		 SELECT o.id, s.catalog_id, m FROM objects o JOIN scopes s ON s.id = o.scope_id, unnest(CASE o.type
			WHEN 'scope' THEN ARRAY['ISMS.1']
			WHEN 'process' THEN ARRAY['ISMS.1','ORP.4','CON.3','OPS.1.1.3','DER.2.1','NET.1.1']
			WHEN 'application' THEN ARRAY['APP.3.6','OPS.1.1.3','CON.3','DER.2.1','ORP.4','NET.1.2']
			WHEN 'it_system' THEN ARRAY['SYS.1.1','SYS.1.5','NET.3.1','NET.3.2','OPS.1.1.3','CON.3']
			ELSE ARRAY['INF.2','NET.1.1','NET.1.2','NET.3.3','NET.4.2','ORP.4'] END) AS m
		 WHERE o.scope_id = $1`,
	}
	exec := func(q string, args ...any) {
		b.Helper()
		if _, err := owner.Exec(q, args...); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	exec(steps[0])
	exec(steps[1])
	for _, q := range steps[2:] {
		exec(q, scopeID)
	}
	if err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		_, err := tx.DeriveChecks(ctx, scopeID, nil)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	today := domain.Today(e.srv.cfg.Location)
	exec(`UPDATE check_entries SET
		   status = (ARRAY['yes','yes','yes','yes','yes','yes','yes','yes','yes','yes','yes',
		                   'partial','partial','no','not_applicable','open','open','open','open','open'])[1 + (id * 7919) % 20],
		   justification = CASE WHEN (id * 7919) % 20 BETWEEN 11 AND 14 THEN 'Begründung' ELSE '' END
		 WHERE scope_id = $1`, scopeID)
	exec(`INSERT INTO plan_items (entry_id, measure, owner, due_date)
		 SELECT id, 'Umsetzen', CASE WHEN id % 10 = 0 THEN '' ELSE 'Betrieb' END, $2::date + (id % 400)::int - 60
		 FROM check_entries WHERE scope_id = $1 AND status IN ('partial', 'no')`, scopeID, today)
	exec(`VACUUM ANALYZE`)
	// Today's snapshot, and 89 days before it with a thousand more open
	// entries a day.
	if _, err := e.db.TakeSnapshot(ctx, scopeID, today); err != nil {
		b.Fatal(err)
	}
	exec(`
		INSERT INTO readiness_snapshots (scope_id, department_id, day, objects, basis_total, basis_done, standard_total, standard_done,
			elevated_total, elevated_done, g1, g2, g3, g4, g4_scope, g5, g6, g7, g8, g9, g9_scope, g10, ready,
			evidence_yes, evidence_covered, evidence_rejected, evidence_target, overdue_measures, open_findings, open_findings_scope)
		SELECT scope_id, department_id, day - d, objects, basis_total, basis_done, standard_total, standard_done,
			elevated_total, elevated_done, g1, g2, g3, g4, g4_scope, g5 + d * CASE WHEN department_id IS NULL THEN 1000 ELSE 20 END,
			g6, g7, g8, g9, g9_scope, g10, false,
			evidence_yes, evidence_covered, evidence_rejected, evidence_target, overdue_measures, open_findings, open_findings_scope
		FROM readiness_snapshots, generate_series(1, 89) AS d WHERE scope_id = $1`, scopeID)
	if err := owner.QueryRow(`SELECT min(id) FROM departments WHERE parent_id IS NULL`).Scan(&ministry); err != nil {
		b.Fatal(err)
	}
	if err := owner.QueryRow(`SELECT count(*) FROM check_entries WHERE scope_id = $1 AND active`, scopeID).Scan(&entries); err != nil {
		b.Fatal(err)
	}
	return scopeID, ministry, entries
}

// BenchmarkDashboard fires 50 concurrent clients at the management
// dashboard of a state-sized scope (10,000 objects, about a million check
// entries, 90 days of history) and reports the median and the 95th
// percentile of the response times, and the first, cold response, which
// computes the figures the others share (figuresCache). The department
// dashboard of a ministry's head follows under the same load. A run longer
// than a minute includes the background refreshes of the figures.
//
//	go test ./internal/server -run '^$' -bench Dashboard -benchtime 5000x -timeout 30m
func BenchmarkDashboard(b *testing.B) {
	e := newTestEnv(b)
	scopeID, ministry, entries := stateScope(b, e)
	e.user("leitung", domain.Grant{Role: domain.RoleManagement})
	e.user("ressort", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &ministry})
	for _, c := range []struct{ name, user, path string }{
		{"management", "leitung", fmt.Sprintf("/scopes/%d/dashboard", scopeID)},
		{"department", "ressort", fmt.Sprintf("/scopes/%d/dashboard/department", scopeID)},
	} {
		cl := e.login(c.user)
		var cookie *http.Cookie
		for _, ck := range cl.http.Jar.Cookies(mustURL(b, e.url)) {
			cookie = ck
		}
		// The first request computes the figures; the testing package
		// runs b.Run's function more than once, so it is timed here.
		start := time.Now()
		get(b, http.DefaultClient, e.url+c.path, cookie)
		cold := time.Since(start)
		b.Run(c.name, func(b *testing.B) {
			took := timedLoad(b, e.url+c.path, cookie)
			b.ReportMetric(float64(entries), "entries")
			b.ReportMetric(float64(cold.Milliseconds()), "cold_ms")
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95_ms")
			b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max_ms")
		})
	}
}

// timedLoad sends b.N requests from concurrentClients clients at once and
// returns every response time, sorted.
func timedLoad(b *testing.B, url string, cookie *http.Cookie) []time.Duration {
	tr := &http.Transport{MaxIdleConnsPerHost: concurrentClients, MaxConnsPerHost: concurrentClients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	work := make(chan struct{}, b.N)
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	var mu sync.Mutex
	var took []time.Duration
	var wg sync.WaitGroup
	b.ResetTimer()
	for range concurrentClients {
		wg.Go(func() {
			var mine []time.Duration
			for range work {
				start := time.Now()
				get(b, client, url, cookie)
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			took = append(took, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(took)
	return took
}

// get requests url with the session cookie, if any, and reads the whole
// answer; it reports an error or a status other than 200 and returns
// whether the request went well.
func get(b *testing.B, client *http.Client, url string, cookie *http.Cookie) bool {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	res, err := client.Do(req)
	if err != nil {
		b.Error(err)
		return false
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b.Errorf("status %d", res.StatusCode)
		return false
	}
	return true
}
