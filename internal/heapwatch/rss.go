package heapwatch

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// The resident set size counts what the heap sampler does not see: memory
// the runtime holds but does not use, and what lives outside Go's heap.
// Linux only; elsewhere the readings are 0.

// RSS is the process's resident set size in bytes now.
func RSS() uint64 { return procStatus("VmRSS:") }

// PeakRSS is the process's highest resident set size in bytes since the
// start or the last ResetPeakRSS.
func PeakRSS() uint64 { return procStatus("VmHWM:") }

// ResetPeakRSS starts a new PeakRSS measurement.
func ResetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// procStatus reads a field given in kB from /proc/self/status, in bytes.
func procStatus(field string) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
