package objectio

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzReadCSV: reading any bytes must not panic, every returned row must
// be valid, and the rows must survive a trip through Write and Read.
func FuzzReadCSV(f *testing.F) {
	tmpl, err := Template(CSV)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tmpl)
	f.Add(write(f, CSV, sampleRows()))
	f.Add([]byte("external_id,name,type,need_c,group,members,depends_on,x\nA,,it_system,,,,,\nA,B,Servr,mittel,vielleicht,0,A;B,\n"))
	f.Add([]byte("\ufeffExterne ID;Name;Typ;Gruppe;Anzahl;Schlagworte\r\n\"A\r\n\";\"'=B\";Raum;x;3;\"a;b;a\"\r\n"))
	f.Add([]byte("external_id,name,type\n\"A,\"\"B\",room\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, errs, err := Read(CSV, data)
		if err != nil {
			if rows != nil || errs != nil {
				t.Fatal("rows or problems beside an error")
			}
			return
		}
		seen := map[string]bool{}
		last := 0
		for _, r := range rows {
			if r.ExternalID == "" || r.Name == "" || !r.Type.Valid() || r.Type == "scope" || r.Members < 1 ||
				(r.Members > 1 && !r.Group) || seen[r.ExternalID] || r.Line <= last {
				t.Fatalf("invalid row returned: %+v", r)
			}
			seen[r.ExternalID], last = true, r.Line
		}
		for _, e := range errs {
			if e.Line < 0 || e.Detail == "" || e.German == "" {
				t.Fatalf("bad problem: %+v", e)
			}
		}
		if len(rows) == 0 {
			return
		}
		var buf bytes.Buffer
		if err := Write(CSV, &buf, rows); err != nil {
			t.Fatal(err)
		}
		again, errs, err := Read(CSV, buf.Bytes())
		if err != nil || len(errs) > 0 {
			t.Fatalf("written rows do not read back: %v %v\n%q", err, errs, buf.Bytes())
		}
		if len(again) != len(rows) {
			t.Fatalf("%d rows read back, want %d", len(again), len(rows))
		}
		for i := range rows {
			a, b := rows[i], again[i]
			a.Line, b.Line, a.Present, b.Present = 0, 0, nil, nil
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("round trip changed a row:\n got %+v\nwant %+v", b, a)
			}
		}
	})
}
