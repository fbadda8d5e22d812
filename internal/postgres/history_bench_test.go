package postgres_test

import (
	"testing"
	"time"

	"ismsd/internal/postgres"
)

// BenchmarkSnapshot takes the day's readiness snapshot of a scope of
// 10,000 objects and about a million check entries (every department's
// row in one statement), reads a year of history, and computes the same
// figures live, as the dashboards do.
//
//	go test ./internal/postgres -run '^$' -bench Snapshot -benchtime 1x
func BenchmarkSnapshot(b *testing.B) {
	s := newStructure(b)
	millionEntries(b, s)
	checkResults(b, s)
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for b.Loop() {
		start := time.Now()
		taken, err := s.db.TakeSnapshot(ctx, s.scope.ID, day)
		if err != nil || !taken {
			b.Fatal(taken, err)
		}
		b.ReportMetric(ms(time.Since(start)), "snapshot_ms")
		start = time.Now()
		if _, err := s.db.ReadinessHistory(ctx, s.scope.ID, postgres.Visibility{Departments: []int64{s.fin}}, day.AddDate(-1, 0, 0), day); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(ms(time.Since(start)), "history_ms")
		start = time.Now()
		if _, err := s.db.TodaysFigures(ctx, s.scope.ID, day); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(ms(time.Since(start)), "todays_figures_ms")
		day = day.AddDate(0, 0, 1)
	}
}
