package postgres_test

import (
	"io"
	"runtime"
	"testing"
	"time"

	"ismsd/internal/heapwatch"
	"ismsd/internal/postgres"
	"ismsd/internal/report"
)

// BenchmarkReportCheck writes the A.4 of a million check entries (the
// data of BenchmarkCheckPage) as XLSX, CSV and PDF to io.Discard, straight
// from the store, and reports the rate and the peak heap in use while it
// runs (sampled, so a lower bound). Building the data takes a few minutes.
//
//	go test ./internal/postgres -run '^$' -bench ReportCheck -benchtime 1x
func BenchmarkReportCheck(b *testing.B) {
	s := newStructure(b)
	millionEntries(b, s)
	checkResults(b, s)
	owner := openSQL(b, s.ownerURL)
	var entries int
	if err := owner.QueryRow(`SELECT count(*) FROM check_entries WHERE scope_id = $1 AND active`, s.scope.ID).Scan(&entries); err != nil {
		b.Fatal(err)
	}
	scope, err := s.db.Scope(ctx, s.scope.ID)
	if err != nil {
		b.Fatal(err)
	}
	a4, _ := report.Find("a4")
	for _, f := range []report.Format{report.XLSX, report.CSV, report.PDF} {
		b.Run(string(f), func(b *testing.B) {
			for b.Loop() {
				q := report.Query{Scope: scope, Vis: postgres.Everything, Generated: time.Now(), Version: "bench"}
				out := &countingDiscard{}
				runtime.GC()
				stop := heapwatch.Peak(20 * time.Millisecond)
				start := time.Now()
				if err := report.Write(ctx, out, s.db, a4, f, q); err != nil {
					b.Fatal(err)
				}
				took := time.Since(start)
				peak := stop()
				b.ReportMetric(float64(entries), "rows")
				b.ReportMetric(float64(out.n)/1e6, "MB")
				b.ReportMetric(float64(out.n)/1e6/took.Seconds(), "MB/s")
				b.ReportMetric(float64(entries)/took.Seconds(), "rows/s")
				b.ReportMetric(float64(peak)/(1<<20), "peak_heap_MiB")
			}
		})
	}
}

type countingDiscard struct{ n int64 }

func (w *countingDiscard) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return io.Discard.Write(p)
}
