// Package heapwatch measures memory, the peak heap in use while something
// runs and the resident set size: the tests and benchmarks that promise
// bounded memory for gigabytes of evidence, million-row reports and
// parallel imports check their promise with it.
package heapwatch

import (
	"runtime"
	"sync/atomic"
	"time"
)

// Peak samples the heap in use every interval until stop is called and
// returns the highest value seen. Sampling misses short spikes between
// two samples; the callers' bounds leave room for that.
func Peak(every time.Duration) (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak.Store(max(peak.Load(), m.HeapInuse))
			select {
			case <-done:
				return
			case <-time.After(every):
			}
		}
	}()
	return func() uint64 { close(done); return peak.Load() }
}
