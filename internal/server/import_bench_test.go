package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"ismsd/internal/config"
	"ismsd/internal/domain"
	"ismsd/internal/heapwatch"
	"ismsd/internal/objectio"
)

// importFile generates an object import file of about size bytes in the
// format: objectio.MaxRows rows, each a new object with most columns
// filled and a description as long as it takes.
func importFile(t testing.TB, format objectio.Format, size int) []byte {
	t.Helper()
	rows := objectio.MaxRows
	row := func(i int, desc string) []byte {
		dep := []string{}
		if i > 0 {
			dep = append(dep, fmt.Sprintf("CMDB-%06d", i-1))
		}
		switch format {
		case objectio.CSV:
			return fmt.Appendf(nil, "CMDB-%06d;Server %d;it_system;%s;Referat 12;Erfurt;linux;high;personenbezogen;%s\n",
				i, i, desc, strings.Join(dep, ";"))
		case objectio.JSON:
			b, _ := json.Marshal(map[string]any{"external_id": fmt.Sprintf("CMDB-%06d", i), "name": fmt.Sprintf("Server %d", i),
				"type": "it_system", "description": desc, "responsible": "Referat 12", "location": "Erfurt", "tags": []string{"linux"},
				"need_c": "high", "need_c_reason": "personenbezogen", "depends_on": dep})
			return append(b, ",\n"...)
		}
		t.Fatalf("no generator for %s", format)
		return nil
	}
	if format == objectio.XLSX {
		return importWorkbook(t, rows, size/rows)
	}
	desc := strings.Repeat("x", max(0, size/rows-len(row(rows, ""))))
	var buf bytes.Buffer
	if format == objectio.CSV {
		buf.WriteString("external_id;name;type;description;responsible;location;tags;need_c;need_c_reason;depends_on\n")
	} else {
		buf.WriteString(`{"objects": [`)
	}
	for i := range rows {
		buf.Write(row(i, desc))
	}
	if format == objectio.JSON {
		buf.Truncate(buf.Len() - 2) // the last ",\n"
		buf.WriteString("]}")
	}
	return buf.Bytes()
}

// importWorkbook writes rows objects as a workbook whose cells hold about
// rowSize bytes per row, as Excel would save it.
func importWorkbook(t testing.TB, rows, rowSize int) []byte {
	t.Helper()
	out := make([]objectio.Row, rows)
	desc := strings.Repeat("Beschreibung ", max(1, (rowSize-120)/13))
	for i := range out {
		out[i] = objectio.Row{ObjectFields: domain.ObjectFields{ExternalID: fmt.Sprintf("CMDB-%06d", i), Name: fmt.Sprintf("Server %d", i),
			Description: desc, Responsible: "Referat 12", Location: "Erfurt", Tags: []string{"linux"}},
			Type: domain.ObjectITSystem, Members: 1, Need: [3]domain.Need{domain.NeedHigh}, NeedReason: [3]string{"personenbezogen"}}
		if i > 0 {
			out[i].DependsOn = []string{fmt.Sprintf("CMDB-%06d", i-1)}
		}
	}
	var buf bytes.Buffer
	if err := objectio.Write(objectio.XLSX, &buf, out); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkParallelImports sends eight dry runs of a 30 MB object import
// at once through the real server, CSV and JSON (and a workbook of as many
// rows, which Excel compresses to less), and reports the peak
// resident memory of the process (server and client, which holds the one
// file all eight send) and the peak heap in use, and the resident memory
// after the requests once the runtime has returned what it may
// (debug.FreeOSMemory). The limit of expensive requests is raised to
// eight here, so that all eight run: the bound is per request.
//
//	go test ./internal/server -run '^$' -bench ParallelImports -benchtime 1x
func BenchmarkParallelImports(b *testing.B) {
	const parallel, size = 8, 30 << 20
	for _, format := range objectio.Formats {
		b.Run(string(format), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				e := newTestEnv(b, func(c *config.Config) { c.ExpensiveRequests = parallel })
				scopeID, _ := e.scopeWithDepartment()
				c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
				c.http.Timeout = 10 * time.Minute
				file := importFile(b, format, size)
				path := fmt.Sprintf("/api/v1/scopes/%d/import", scopeID)
				runtime.GC()
				debug.FreeOSMemory()
				before := heapwatch.RSS()
				b.StartTimer()

				heapwatch.ResetPeakRSS()
				stop := heapwatch.Peak(10 * time.Millisecond)
				var wg sync.WaitGroup
				statuses := make([]int, parallel)
				for i := range parallel {
					wg.Go(func() {
						r := c.upload(path, map[string]string{"dry_run": "true", "format": string(format)}, "objekte."+string(format),
							bytes.NewReader(file), nil)
						statuses[i] = r.status
						if r.status != http.StatusOK {
							b.Errorf("import %d: %d %.300s", i, r.status, r.body)
						}
					})
				}
				wg.Wait()
				heap := stop()
				peak := heapwatch.PeakRSS()

				b.StopTimer()
				runtime.GC()
				debug.FreeOSMemory()
				after := heapwatch.RSS()
				b.ReportMetric(float64(len(file))/(1<<20), "file_MiB")
				b.ReportMetric(float64(peak)/(1<<20), "peak_RSS_MiB")
				b.ReportMetric(float64(heap)/(1<<20), "peak_heap_MiB")
				b.ReportMetric(float64(before)/(1<<20), "RSS_before_MiB")
				b.ReportMetric(float64(after)/(1<<20), "RSS_after_MiB")
				if peak >= 1<<30 {
					b.Errorf("peak RSS %d MiB, want under 1 GiB", peak>>20)
				}
				b.StartTimer()
			}
		})
	}
}
