package objectio

import "testing"

// benchRows is the size of the generated file of the speed test and the
// benchmarks.
const benchRows = 10000

// TestReadLargeFile reads a generated file of 10,000 rows in each
// format; how fast is measured by BenchmarkRead.
func TestReadLargeFile(t *testing.T) {
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
