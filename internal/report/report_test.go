package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"
	"github.com/xuri/excelize/v2"

	"ismsd/internal/domain"
	"ismsd/internal/heapwatch"
	"ismsd/internal/postgres"
	"ismsd/internal/scaletest"
)

// The writers are tested on a report whose rows are generated: they need
// no store (the whole path from the store is tested in internal/server).

var generated = time.Date(2026, 5, 4, 14, 3, 0, 0, time.UTC)

func testQuery() Query {
	s := postgres.ScopeSummary{CatalogTitle: "IT-Grundschutz-Kompendium", CatalogVersion: "2023"}
	s.Name, s.Approach = "Landesdatennetz Thüringen", domain.ApproachStandard
	return Query{Scope: s, Vis: postgres.Everything, Generated: generated, Version: "1.2.3"}
}

// testReport has n rows: row i names requirement "NET.3.1.A<i>", has a
// date, an amount and a text with umlauts; every 50th row a long text.
func testReport(n int) *Report {
	due := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	return &Report{Name: "t", Code: "A.4", Title: "IT-Grundschutz-Check", File: "A4_IT-Grundschutz-Check", Formats: []Format{XLSX, PDF, CSV},
		Tables: []Table{{Title: "IT-Grundschutz-Check", Unit: "Einträge", Columns: []Column{
			{Title: "Anforderung", Width: 14}, {Title: "Begründung", Width: 40}, {Title: "Zieltermin", Width: 11},
			{Title: "Budget", Width: 12}, {Title: "Anzahl", Width: 8}, {Title: "Intern", Width: 10, NotInPDF: true},
		}, Rows: func(ctx context.Context, _ *postgres.DB, _ Query, emit func(Row) error) error {
			for i := 1; i <= n; i++ {
				reason := fmt.Sprintf("Größere Änderung „%d“ – Maßnahme geplant", i)
				if i%50 == 0 {
					reason = strings.Repeat("Sehr lange Begründung mit Umlauten äöü. ", 200)
				}
				if err := emit(Row{fmt.Sprintf("NET.3.1.A%d", i), reason, due, Euro(125050), i, "=HYPERLINK(\"x\")"}); err != nil {
					return err
				}
			}
			return nil
		}}}}
}

func write(t *testing.T, r *Report, f Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(context.Background(), &buf, nil, r, f, testQuery()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pdfText extracts the text of a PDF and returns it with its page count.
func pdfText(t *testing.T, b []byte) (string, int) {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		s, err := p.GetPlainText(nil)
		if err != nil {
			t.Fatal(err)
		}
		// The page count in the footer is a Form XObject drawn last on
		// the page, which GetPlainText does not follow.
		sb.WriteString(s + formText(p.V.Key("Resources").Key("XObject").Key("Tot")) + "\n")
	}
	return sb.String(), r.NumPage()
}

// formText is the text a Form XObject shows (ASCII only).
func formText(form pdf.Value) string {
	if form.Kind() != pdf.Stream {
		return ""
	}
	var sb strings.Builder
	pdf.Interpret(form, func(stk *pdf.Stack, op string) {
		n := stk.Len()
		args := make([]pdf.Value, n)
		for i := n - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		if op == "Tj" && n == 1 {
			sb.WriteString(args[0].RawString())
		}
	})
	return sb.String()
}

func TestPDFHasHeadingsUmlautsAndPageNumbers(t *testing.T) {
	b := write(t, testReport(300), PDF)
	text, pages := pdfText(t, b)
	if pages < 3 {
		t.Fatalf("%d pages for 300 rows", pages)
	}
	for _, want := range []string{"A.4 IT-Grundschutz-Check", "Landesdatennetz Thüringen", "Stand: 04.05.2026", "ismsd 1.2.3",
		"Sicht: alle Organisationseinheiten", "NET.3.1.A1", "NET.3.1.A300", "Größere Änderung „7“ – Maßnahme geplant", "31.03.2027",
		"1.250,50 €", "300 Einträge", fmt.Sprintf("Seite 1 von %d", pages), fmt.Sprintf("Seite %d von %d", pages, pages),
		"(gekürzt; vollständig in der XLSX-Fassung)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	if strings.Contains(text, "Intern") || strings.Contains(text, "HYPERLINK") {
		t.Error("a column left out of the PDF is in it")
	}
	// Every page has the header and the footer.
	if n := strings.Count(text, "Stand: 04.05.2026"); n != pages {
		t.Errorf("%d headers on %d pages", n, pages)
	}
	if n := len(regexp.MustCompile(`Seite \d+ von \d+`).FindAllString(text, -1)); n != pages {
		t.Errorf("%d footers on %d pages", n, pages)
	}
	// The column headings repeat on every page.
	if n := strings.Count(text, "Begründung"); n < pages {
		t.Errorf("column headings on %d of %d pages", n, pages)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Error("not a PDF")
	}
}

func TestPDFOfNoRows(t *testing.T) {
	text, pages := pdfText(t, write(t, testReport(0), PDF))
	if !strings.Contains(text, "Keine Einträge in dieser Sicht.") || pages != 1 || !strings.Contains(text, "Seite 1 von 1") {
		t.Errorf("an empty report has %d pages and says %q", pages, text)
	}
}

// A PDF of many pages opens, and its page count is right.
func TestPDFOfManyPages(t *testing.T) {
	b := write(t, testReport(5000), PDF)
	text, pages := pdfText(t, b)
	if pages < 150 {
		t.Fatalf("%d pages for 5,000 rows", pages)
	}
	for _, want := range []string{fmt.Sprintf("Seite 1 von %d", pages), fmt.Sprintf("Seite %d von %d", pages, pages), "NET.3.1.A5000", "5.000 Einträge"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	if n := len(regexp.MustCompile(fmt.Sprintf(`Seite \d+ von %d\n`, pages)).FindAllString(text, -1)); n != pages {
		t.Errorf("%d footers with the total on %d pages", n, pages)
	}
	if !bytes.HasSuffix(b, []byte("%%EOF\n")) || !bytes.Contains(b, []byte("/FlateDecode")) {
		t.Error("not a complete, compressed PDF")
	}
}

// The PDF is streamed: 50,000 rows (some 1,500 pages) go out with a
// heap that does not grow with them.
func TestPDFStreamsInBoundedMemory(t *testing.T) {
	scaletest.Require(t, "50,000 rows")
	const rows = 50000
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := heapwatch.Peak(10 * time.Millisecond)
	start := time.Now()
	out := &countingWriter{}
	if err := Write(context.Background(), out, nil, testReport(rows), PDF, testQuery()); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	peak := stop()
	grown := int64(peak) - int64(before.HeapInuse)
	t.Logf("%d rows, %.1f MB of PDF in %v (%.0f rows/s, %.1f MB/s), heap grew by %.1f MiB at most",
		rows, float64(out.n)/1e6, took.Round(time.Millisecond), rows/took.Seconds(), float64(out.n)/1e6/took.Seconds(), float64(grown)/(1<<20))
	if out.n < 2<<20 {
		t.Fatalf("the PDF has %d bytes only", out.n)
	}
	if grown > 16<<20 {
		t.Errorf("the heap grew by %d MiB while %d MB went out: the PDF is not streamed", grown>>20, out.n>>20)
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

func TestXLSXReadsBack(t *testing.T) {
	b := write(t, testReport(120), XLSX)
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "IT-Grundschutz-Check" || got[1] != "Angaben" {
		t.Fatalf("sheets %q", got)
	}
	rows, err := f.GetRows("IT-Grundschutz-Check")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 121 {
		t.Fatalf("%d rows, want header and 120", len(rows))
	}
	if strings.Join(rows[0], "|") != "Anforderung|Begründung|Zieltermin|Budget|Anzahl|Intern" {
		t.Errorf("header %q", rows[0])
	}
	if rows[7][0] != "NET.3.1.A7" || rows[7][1] != "Größere Änderung „7“ – Maßnahme geplant" || rows[7][4] != "7" {
		t.Errorf("row 7: %q", rows[7])
	}
	if rows[7][5] != `=HYPERLINK("x")` {
		t.Errorf("a text became %q", rows[7][5])
	}
	if formula, _ := f.GetCellFormula("IT-Grundschutz-Check", "F8"); formula != "" {
		t.Errorf("text written as the formula %q", formula)
	}
	// Dates and amounts are numbers with a format, not text.
	for cell, want := range map[string]excelize.CellType{"C8": excelize.CellTypeNumber, "D8": excelize.CellTypeNumber} {
		if typ, _ := f.GetCellType("IT-Grundschutz-Check", cell); typ != want && typ != excelize.CellTypeUnset {
			t.Errorf("%s has type %v", cell, typ)
		}
	}
	if v, _ := f.GetCellValue("IT-Grundschutz-Check", "C8"); v != "31.03.2027" {
		t.Errorf("date shown as %q", v)
	}
	if v, _ := f.GetCellValue("IT-Grundschutz-Check", "D8", excelize.Options{RawCellValue: true}); v != "1250.5" {
		t.Errorf("amount stored as %q", v)
	}
	panes, err := f.GetPanes("IT-Grundschutz-Check")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
	sheet := sheetXML(t, b, "xl/worksheets/sheet1.xml")
	if !regexp.MustCompile(`<cols><col min="1" max="1" width="14"`).Match(sheet) {
		t.Error("column widths missing or out of order")
	}
	if !regexp.MustCompile(`<autoFilter ref="\$A\$1:\$F\$121"`).Match(sheet) {
		t.Error("no autofilter over the table")
	}
	facts, _ := f.GetRows("Angaben")
	if len(facts) < 7 || facts[1][1] != "Landesdatennetz Thüringen" || facts[6][1] != "ismsd 1.2.3" {
		t.Errorf("facts %q", facts)
	}
}

// A table longer than an Excel sheet goes on in numbered sheets, each
// with the heading row.
func TestXLSXContinuesBeyondASheet(t *testing.T) {
	defer func(n int) { maxSheetRows = n }(maxSheetRows)
	maxSheetRows = 50
	f, err := excelize.OpenReader(bytes.NewReader(write(t, testReport(120), XLSX)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"IT-Grundschutz-Check", "IT-Grundschutz-Check (2)", "IT-Grundschutz-Check (3)", "Angaben"}
	if got := f.GetSheetList(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sheets %q", got)
	}
	var names []string
	for _, sheet := range want[:3] {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if rows[0][0] != "Anforderung" {
			t.Errorf("%s starts %q", sheet, rows[0])
		}
		for _, r := range rows[1:] {
			names = append(names, r[0])
		}
	}
	if len(names) != 120 || names[48] != "NET.3.1.A49" || names[49] != "NET.3.1.A50" || names[119] != "NET.3.1.A120" {
		t.Errorf("%d rows over the sheets: %q", len(names), names)
	}
}

// sheetXML reads a part of a workbook.
func sheetXML(t *testing.T, xlsx []byte, part string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, ok := f.Pkg.Load(part)
	if !ok {
		t.Fatalf("no part %s", part)
	}
	return b.([]byte)
}

func TestCSVOpensInGermanExcel(t *testing.T) {
	b := write(t, testReport(60), CSV)
	if !bytes.HasPrefix(b, []byte("\ufeffAnforderung;Begründung;")) || !bytes.Contains(b, []byte("\r\n")) {
		t.Fatalf("CSV starts %q", b[:min(len(b), 60)])
	}
	r := csv.NewReader(bytes.NewReader(b[3:]))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 61 {
		t.Fatalf("%d records", len(recs))
	}
	want := []string{"NET.3.1.A7", "Größere Änderung „7“ – Maßnahme geplant", "31.03.2027", "1.250,50 €", "7", `'=HYPERLINK("x")`}
	if strings.Join(recs[7], "|") != strings.Join(want, "|") {
		t.Errorf("row 7: %q", recs[7])
	}
}

func TestFileNamesAndLookup(t *testing.T) {
	q := testQuery()
	q.Scope.Name = "Landesdatennetz / Behörden: Süd"
	a4, f, err := ParseFile("a4.xlsx")
	if err != nil || f != XLSX {
		t.Fatal(err)
	}
	if got := FileName(a4, f, q); got != "A4_IT-Grundschutz-Check_Landesdatennetz-Behörden-Süd_2026-05-04.xlsx" {
		t.Errorf("file name %q", got)
	}
	for _, bad := range []string{"a4", "a4.doc", "a1.csv", "x.pdf", "", ".xlsx"} {
		if _, _, err := ParseFile(bad); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	for _, r := range All() {
		if len(r.Formats) == 0 || len(r.Tables) == 0 || r.File == "" || r.About == "" {
			t.Errorf("report %s is incomplete", r.Name)
		}
		for _, tb := range r.Tables {
			if sheetName(tb.Title, 1) != tb.Title {
				t.Errorf("report %s: table %q is no sheet name", r.Name, tb.Title)
			}
		}
	}
	if got := sheetName("IT-Grundschutz-Check: Teil/Ost [alt]", 2); got != "IT-Grundschutz-Check- Teil- (2)" {
		t.Errorf("sheet name %q", got)
	}
}

func TestNeedReasonAndImplementation(t *testing.T) {
	for _, c := range []struct {
		n    domain.ObjectNeed
		want string
	}{
		{domain.ObjectNeed{Source: domain.SourceOwn, OwnReason: "Ausfall legt Telefonie lahm"}, "eigene Bewertung: Ausfall legt Telefonie lahm"},
		{domain.ObjectNeed{Source: domain.SourceInherited, InheritedFromName: "GP-001 WAN-Transport"}, "geerbt nach dem Maximumprinzip von GP-001 WAN-Transport"},
		{domain.ObjectNeed{Source: domain.SourceInherited}, "geerbt nach dem Maximumprinzip (von einem Zielobjekt außerhalb dieser Sicht)"},
		{domain.ObjectNeed{Source: domain.SourceOverride, OverrideKind: domain.OverrideCumulation, OverrideReason: "670 Standorte"}, "Kumulationseffekt: 670 Standorte"},
		{domain.ObjectNeed{}, "nicht festgelegt"},
	} {
		if got := needReason(c.n); got != c.want {
			t.Errorf("%+v: %q, want %q", c.n, got, c.want)
		}
	}
	for _, c := range []struct {
		a    postgres.ApplicabilityRow
		want string
	}{
		{postgres.ApplicabilityRow{Objects: 3, Yes: 2, NotApplicable: 1}, "umgesetzt"},
		{postgres.ApplicabilityRow{Objects: 2, NotApplicable: 2}, "entbehrlich"},
		{postgres.ApplicabilityRow{Objects: 2, Open: 2}, "unbearbeitet"},
		{postgres.ApplicabilityRow{Objects: 2, No: 1, Open: 1}, "nicht umgesetzt"},
		{postgres.ApplicabilityRow{Objects: 3, Yes: 1, No: 1, Open: 1}, "teilweise umgesetzt"},
	} {
		if got := implementation(c.a); got != c.want {
			t.Errorf("%+v: %q, want %q", c.a, got, c.want)
		}
	}
}
