package postgres_test

import (
	"slices"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// BenchmarkReadiness measures the readiness of a scope of 10,000 objects
// and about a million check entries (halfway through its check, as
// checkResults leaves it) beside a bare SQL aggregate over the same rows,
// and the first page of blockers of the gates over the entries. Each
// figure is the median of five runs after one to warm the cache.
//
//	go test ./internal/postgres -run '^$' -bench Readiness -benchtime 1x
func BenchmarkReadiness(b *testing.B) {
	s := newStructure(b)
	millionEntries(b, s)
	checkResults(b, s)
	owner := openSQL(b, s.ownerURL)
	today := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	median := func(f func()) time.Duration {
		f()
		var took []time.Duration
		for range 5 {
			start := time.Now()
			f()
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		return took[len(took)/2]
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	finance := postgres.Visibility{Departments: []int64{s.fin}}
	for b.Loop() {
		var entries int
		bare := median(func() {
			rows, err := owner.Query(`SELECT status, count(*) FROM check_entries WHERE scope_id = $1 AND active GROUP BY status`, s.scope.ID)
			if err != nil {
				b.Fatal(err)
			}
			entries = 0
			for rows.Next() {
				var st string
				var n int
				rows.Scan(&st, &n)
				entries += n
			}
			rows.Close()
		})
		var r domain.Readiness
		readiness := median(func() {
			var err error
			if r, err = s.db.Readiness(ctx, s.scope.ID, postgres.Everything, today); err != nil {
				b.Fatal(err)
			}
		})
		if r.Gates[4].Checked != entries {
			b.Fatalf("G5 looked at %d entries, the bare aggregate counts %d", r.Gates[4].Checked, entries)
		}
		dept := median(func() {
			if _, err := s.db.Readiness(ctx, s.scope.ID, finance, today); err != nil {
				b.Fatal(err)
			}
		})
		page := func(gate domain.GateID) time.Duration {
			return median(func() {
				bs, _, err := s.db.GateBlockers(ctx, s.scope.ID, gate, postgres.Everything, today, postgres.BlockerCursor{}, 50)
				if err != nil || len(bs) != 50 {
					b.Fatalf("%s: %d blockers, %v", gate, len(bs), err)
				}
			})
		}
		b.ReportMetric(float64(entries), "entries")
		b.ReportMetric(ms(bare), "bare_aggregate_ms")
		b.ReportMetric(ms(readiness), "readiness_ms")
		b.ReportMetric(float64(readiness)/float64(bare), "readiness/bare")
		b.ReportMetric(ms(dept), "readiness_department_ms")
		b.ReportMetric(ms(page(domain.GateCheck)), "G5_page_ms")
		b.ReportMetric(ms(page(domain.GatePlan)), "G7_page_ms")
		b.ReportMetric(ms(page(domain.GateEvidence)), "G8_page_ms")
	}
}
