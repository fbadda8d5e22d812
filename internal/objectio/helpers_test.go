package objectio

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"ismsd/internal/domain"
)

// sampleRows covers what a file must carry through unchanged: umlauts,
// separators and quotes in texts, line breaks, formula-like texts, lists,
// groups, needs and their absence.
func sampleRows() []Row {
	return []Row{
		{
			ObjectFields: domain.ObjectFields{ExternalID: "CMDB-0001", Name: "Bürgerservice; Anträge \"online\"",
				Description: "Zeile 1\nZeile 2, mit Komma; und Semikolon\n\n– Ende", Responsible: "Erika Mustermann", Location: "Erfurt",
				Tags: []string{"Bürger", "online"}},
			ShortID: "P-001", Type: domain.ObjectProcess, Department: "TLRZ", Members: 1,
			Need:       [3]domain.Need{domain.NeedHigh, domain.NeedVeryHigh, domain.NeedNormal},
			NeedReason: [3]string{"personenbezogen", "Rechtsfolgen", ""},
			DependsOn:  []string{"CMDB-0002"},
		},
		{
			ObjectFields: domain.ObjectFields{ExternalID: "CMDB-0002", Name: "=HYPERLINK(\"http://example.invalid\")",
				Description: "-5 Punkte", Responsible: "+49 361 0000", Location: "@home", NoSuitableModule: true},
			Type: domain.ObjectApplication, Members: 1,
			Need:      [3]domain.Need{domain.NeedNormal, domain.NeedUnknown, domain.NeedUnknown},
			DependsOn: []string{"CMDB-0003", "CMDB-0004"},
		},
		{
			ObjectFields: domain.ObjectFields{ExternalID: "CMDB-0003", Name: "'Router' Standorte", UntypicalEnvironment: true,
				Tags: []string{"Netz"}},
			ShortID: "S-017", Type: domain.ObjectITSystem, Group: true, Members: 670,
			DependsOn: []string{"CMDB-0004"},
		},
		{
			ObjectFields: domain.ObjectFields{ExternalID: "CMDB-0004", Name: "Serverraum 0.12",
				Description: "  "}, // blank: read back as empty
			Type: domain.ObjectRoom, Group: true, Members: 1,
		},
		{ObjectFields: domain.ObjectFields{ExternalID: "12345", Name: "Gebäude A"}, Type: domain.ObjectBuilding, Members: 1},
	}
}

// allPresent is Row.Present of a file that has every column.
func allPresent() map[string]bool {
	m := map[string]bool{}
	for _, n := range columnNames {
		m[n] = true
	}
	return m
}

// normalise makes written rows comparable with read ones: texts trimmed,
// Line cleared, Present as a complete file gives it.
func normalise(rows []Row) []Row {
	out := make([]Row, len(rows))
	for i, r := range rows {
		if r.Description == "  " {
			r.Description = ""
		}
		r.Line = 0
		r.Present = allPresent()
		out[i] = r
	}
	return out
}

func withoutLines(rows []Row) []Row {
	out := append([]Row(nil), rows...)
	for i := range out {
		out[i].Line = 0
	}
	return out
}

func write(t testing.TB, f Format, rows []Row) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(f, &buf, rows); err != nil {
		t.Fatalf("Write %s: %v", f, err)
	}
	return buf.Bytes()
}

// readOK reads a file that must have no problems.
func readOK(t testing.TB, f Format, data []byte) []Row {
	t.Helper()
	rows, errs, err := Read(f, data)
	if err != nil {
		t.Fatalf("Read %s: %v", f, err)
	}
	if len(errs) > 0 {
		t.Fatalf("Read %s: unexpected problems: %v", f, errs)
	}
	return rows
}

func diffRows(t testing.TB, got, want []Row) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// where is a RowError's location, for comparing lists of problems.
func where(errs []RowError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, fmt.Sprintf("%d:%s", e.Line, e.Column))
	}
	return out
}

// generated returns n plausible rows.
func generated(n int) []Row {
	types := importable()
	rows := make([]Row, n)
	for i := range rows {
		r := Row{
			ObjectFields: domain.ObjectFields{
				ExternalID:  fmt.Sprintf("CMDB-%06d", i),
				Name:        fmt.Sprintf("Objekt Nummer %d", i),
				Description: "Ein Zielobjekt mit einer Beschreibung üblicher Länge, damit die Datei realistisch groß wird.",
				Responsible: "Erika Mustermann",
				Location:    "Rechenzentrum Erfurt",
				Tags:        []string{"Tag-A", "Tag-B"},
			},
			ShortID:    fmt.Sprintf("S-%05d", i),
			Type:       types[i%len(types)],
			Department: "TLRZ",
			Members:    1,
			Need:       [3]domain.Need{domain.Need(1 + i%3), domain.NeedNormal, domain.NeedHigh},
			NeedReason: [3]string{"Begründung", "", ""},
		}
		if i%10 == 0 {
			r.Group, r.Members = true, 10+i%7
		}
		if i > 0 {
			r.DependsOn = []string{fmt.Sprintf("CMDB-%06d", i-1)}
		}
		rows[i] = r
	}
	return rows
}
