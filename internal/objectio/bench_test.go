package objectio

import (
	"bytes"
	"runtime"
	"testing"

	"ismsd/internal/scaletest"
)

// benchRows is the size of the generated file of the speed test and the
// benchmarks.
const benchRows = 10000

// TestReadLargeFile reads a generated file of 10,000 rows in each
// format; how fast is measured by BenchmarkRead.
func TestReadLargeFile(t *testing.T) {
	scaletest.Require(t, "10,000 rows in each format")
	for _, f := range Formats {
		rows := readOK(t, f, write(t, f, generated(benchRows)))
		if len(rows) != benchRows {
			t.Errorf("%s: %d rows", f, len(rows))
		}
	}
}

func BenchmarkRead(b *testing.B) {
	for _, f := range Formats {
		b.Run(string(f), func(b *testing.B) {
			data := write(b, f, generated(benchRows))
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Read(f, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWrite(b *testing.B) {
	rows := generated(benchRows)
	for _, f := range Formats {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				write(b, f, rows)
			}
		})
	}
}

// TestScanHoldsOneRow: reading a file row by row holds one row at a time
// and the external IDs seen (to find duplicates), not the file's rows:
// what stays on the heap while reading is a fraction of the file.
func TestScanHoldsOneRow(t *testing.T) {
	scaletest.Require(t, "heap while reading 50,000 rows")
	for _, f := range []Format{CSV, JSON} {
		data := write(t, f, generated(5*benchRows))
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		base, held := int64(m.HeapAlloc), int64(0)
		n := 0
		_, err := Scan(f, bytes.NewReader(data), func(Line) error {
			if n++; n%5000 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&m)
				held = max(held, int64(m.HeapAlloc)-base)
			}
			return nil
		})
		if err != nil || n != 5*benchRows {
			t.Fatalf("%s: %d rows, %v", f, n, err)
		}
		if held > int64(len(data)/3) {
			t.Errorf("%s: %d KiB held while reading a file of %d KiB", f, held>>10, len(data)>>10)
		}
	}
}
