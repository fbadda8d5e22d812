// Package scaletest holds the switch for the tests whose point is size or
// memory: a gigabyte of evidence, reports of tens of thousands of entries,
// files of the largest size we accept. They take minutes on a small
// machine and measure the heap of the whole test process, so the everyday
// `go test ./...` skips them, and CI runs them with ISMS_SCALE_TESTS=1
// (see .ci/run). It also times the rounds of benchmarks that measure
// what a reader waits.
package scaletest

import (
	"os"
	"slices"
	"testing"
	"time"
)

// Env is the environment variable that turns the scale tests on.
const Env = "ISMS_SCALE_TESTS"

// Require skips the calling test unless ISMS_SCALE_TESTS=1, and always
// with -short; what says what makes it a scale test. Call it first. A
// scale test does not call t.Parallel: one that measures memory must have
// the process to itself, and the others are large enough on their own.
func Require(t testing.TB, what string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("scale test (%s): skipped with -short", what)
	}
	if os.Getenv(Env) != "1" {
		t.Skipf("scale test (%s): runs only with %s=1, as in CI", what, Env)
	}
}

// ReportPercentiles runs op once per round of the benchmark (i counts the
// rounds from 0) and reports the median and the 95th percentile of its
// time, as p50_ms and p95_ms: a page or a search is judged by what most
// of its readers wait, not by the mean.
func ReportPercentiles(b *testing.B, op func(i int)) {
	var took []time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		op(i)
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95_ms")
}
