package postgres_test

import (
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/scaletest"
)

// millionEntries gives the structure's scope 10,000 objects with six
// demo-catalog modules each and derives their check: about a million
// entries. It returns how long the derivation took.
func millionEntries(b *testing.B, s structure) time.Duration {
	b.Helper()
	bigScope(b, s, 10000)
	owner := openSQL(b, s.ownerURL)
	// Six modules per object, by its type, from the demo catalog.
	if _, err := owner.Exec(`
		INSERT INTO object_modules (object_id, catalog_id, module_id)
		SELECT o.id, $2, m FROM objects o, unnest(CASE o.type
			WHEN 'process' THEN ARRAY['ISMS.1','ORP.4','CON.3','OPS.1.1.3','DER.2.1','NET.1.1']
			WHEN 'application' THEN ARRAY['APP.3.6','OPS.1.1.3','CON.3','DER.2.1','ORP.4','NET.1.2']
			WHEN 'it_system' THEN ARRAY['SYS.1.1','SYS.1.5','NET.3.1','NET.3.2','OPS.1.1.3','CON.3']
			ELSE ARRAY['INF.2','NET.1.1','NET.1.2','NET.3.3','NET.4.2','ORP.4'] END) AS m
		WHERE o.scope_id = $1 AND o.short_id LIKE 'B-%'`, s.scope.ID, s.scope.CatalogID); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	var r postgres.DeriveResult
	if err := s.change(b, func(tx *postgres.Tx) error {
		var err error
		r, err = tx.DeriveChecks(ctx, s.scope.ID, nil)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	if _, err := owner.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(r.Added), "entries")
	return took
}

// BenchmarkDeriveChecks derives the check of 10,000 objects with six
// modules each (about a million entries) from scratch.
//
//	go test ./internal/postgres -run '^$' -bench DeriveChecks -benchtime 1x
func BenchmarkDeriveChecks(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s := newStructure(b)
		b.StartTimer()
		took := millionEntries(b, s)
		b.ReportMetric(took.Seconds(), "derive_s")
	}
}

// checkResults spreads the million entries over departments and gives
// them results as a state would have them halfway through its check:
// most fulfilled, some partial or unfulfilled, a quarter still open,
// responsible teams set and some reviews overdue.
func checkResults(b *testing.B, s structure) {
	b.Helper()
	owner := openSQL(b, s.ownerURL)
	for _, q := range []string{
		`UPDATE objects SET department_id = (ARRAY[$1, $1, $1, $1, $1, $2, $2, $2, $3, NULL::bigint])[1 + id % 10]
		 WHERE short_id LIKE 'B-%'`,
		`UPDATE check_entries SET
		   status = (ARRAY['yes','yes','yes','yes','yes','yes','yes','yes','yes','yes','yes',
		                   'partial','partial','no','not_applicable','open','open','open','open','open'])[1 + (id * 7919) % 20],
		   justification = CASE WHEN (id * 7919) % 20 BETWEEN 11 AND 14 THEN 'Begründung' ELSE '' END,
		   responsible = CASE WHEN (id * 7919) % 20 >= 15 THEN ''
		                      WHEN module_id LIKE 'NET.%' THEN 'Netzbetrieb'
		                      WHEN module_id LIKE 'SYS.%' THEN 'Serverbetrieb'
		                      WHEN module_id LIKE 'APP.%' OR module_id LIKE 'OPS.%' THEN 'Fachverfahren'
		                      ELSE 'ISB Landesverwaltung' END,
		   next_review = DATE '2026-01-01' + ((id * 104729) % 700)::int`,
		`VACUUM ANALYZE`,
	} {
		args := []any{}
		if strings.Contains(q, "$1") {
			args = []any{s.tlrz, s.fin, s.inn}
		}
		if _, err := owner.Exec(q, args...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckPage lists filtered pages of a million-entry check and
// reports the median and 95th percentile per page; then it updates
// 10,000 entries in one bulk transaction.
//
//	go test ./internal/postgres -run '^$' -bench CheckPage -benchtime 400x
func BenchmarkCheckPage(b *testing.B) {
	s := newStructure(b)
	millionEntries(b, s)
	checkResults(b, s)
	some, _, err := s.db.ListEntries(ctx, s.scope.ID, domain.EntryFilter{ModuleID: "SYS.1.1", Limit: 1}, postgres.Everything)
	if err != nil || len(some) == 0 {
		b.Fatal("no SYS.1.1 entry", err)
	}
	today := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	filters := []domain.EntryFilter{
		{Status: domain.StatusNo},
		{Status: domain.StatusPartial, Level: domain.LevelStandard},
		{ModuleID: "NET.3.1"},
		{ModuleID: "NET.3.1", Status: domain.StatusOpen},
		{DepartmentID: s.inn},
		{DepartmentID: s.tlrz, Status: domain.StatusOpen},
		{Responsible: "netzbetr"},
		{Responsible: "Fachverfahren", Status: domain.StatusNo},
		{Responsible: "Niemand"},
		{ObjectID: some[0].ObjectID, Order: "object"},
		{ReviewOverdue: true, Today: today},
		{Status: domain.StatusOpen, After: 500000},
	}
	// Every other round as a department head sees it: the finance
	// ministry's subtree only.
	views := []postgres.Visibility{postgres.Everything, {Departments: []int64{s.fin}}}
	scaletest.ReportPercentiles(b, func(i int) {
		f := filters[i%len(filters)]
		f.Limit = 50
		if _, _, err := s.db.ListEntries(ctx, s.scope.ID, f, views[i/len(filters)%2]); err != nil {
			b.Fatal(err)
		}
	})

	// Bulk: 10,000 entries to "ja" with a responsible person, all at once.
	var items []postgres.EntryUpdate
	yes, who := domain.StatusYes, "Netzbetrieb"
	for after := int64(0); len(items) < 10000; {
		es, next, err := s.db.ListEntries(ctx, s.scope.ID, domain.EntryFilter{Limit: 1000, After: after}, postgres.Everything)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range es {
			items = append(items, postgres.EntryUpdate{ID: e.ID, Version: e.Version, Change: domain.EntryChange{Status: &yes, Responsible: &who}})
		}
		after = next
	}
	start := time.Now()
	if err := s.change(b, func(tx *postgres.Tx) error {
		_, errs, err := tx.UpdateEntries(ctx, 0, items[:10000], postgres.Everything, "bench")
		if len(errs) > 0 {
			b.Fatalf("%+v", errs[0])
		}
		return err
	}); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(start).Seconds(), "bulk10k_s")
}
