package server

import (
	"crypto/sha256"
	"io"
	"net/http"
	"testing"
	"time"

	"ismsd/internal/config"
	"ismsd/internal/heapwatch"
)

// BenchmarkEvidenceTransfer uploads a generated 1 GiB file as evidence
// and downloads it again, over HTTP into PostgreSQL and back, and reports
// both rates and the peak resident memory of the process (client and
// server together) during each.
//
//	go test ./internal/server -run '^$' -bench EvidenceTransfer -benchtime 1x
func BenchmarkEvidenceTransfer(b *testing.B) {
	const size = 1 << 30
	for b.Loop() {
		b.StopTimer()
		s := newEvidenceScope(b, func(c *config.Config) { c.EvidenceMaxBytes = 2 << 30 })
		s.isb.http.Timeout = 0
		b.StartTimer()

		heapwatch.ResetPeakRSS()
		start := time.Now()
		r := s.isb.upload(s.base, s.fields("Gigabyte"), "gross.bin", &patternReader{left: size}, nil)
		up := time.Since(start)
		upRSS := heapwatch.PeakRSS()
		if r.status != http.StatusCreated {
			b.Fatalf("upload: %d %s", r.status, r.body)
		}
		var ev evidenceDoc
		r.json(b, &ev)

		heapwatch.ResetPeakRSS()
		start = time.Now()
		res, err := s.isb.http.Get(s.e.url + *ev.Current.Content)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(sha256.New(), res.Body)
		res.Body.Close()
		down := time.Since(start)
		downRSS := heapwatch.PeakRSS()
		if err != nil || n != size {
			b.Fatalf("download: %d bytes, %v", n, err)
		}
		b.ReportMetric(float64(size)/up.Seconds()/1e6, "upload_MB/s")
		b.ReportMetric(float64(size)/down.Seconds()/1e6, "download_MB/s")
		b.ReportMetric(float64(upRSS>>20), "upload_peak_RSS_MiB")
		b.ReportMetric(float64(downRSS>>20), "download_peak_RSS_MiB")
	}
}
