package krt

import (
	"archive/zip"
	"bytes"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ismsd/internal/catalog"
	"ismsd/internal/catalog/catalogtest"
	"ismsd/internal/domain"
)

// realWorkbook is the BSI's 2023 workbook.
const realWorkbook = catalogtest.KRTWorkbook

// parseReal parses the real workbook once per test binary.
var realParsed struct {
	x   domain.CrossReference
	err error
	ok  bool
}

func parseReal(t *testing.T) domain.CrossReference {
	t.Helper()
	b := catalogtest.Read(t, realWorkbook)
	if !realParsed.ok {
		realParsed.x, realParsed.err = ParseBytes(b)
		realParsed.ok = true
	}
	if realParsed.err != nil {
		t.Fatalf("Parse(real workbook): %v", realParsed.err)
	}
	return realParsed.x
}

// linksOf returns a requirement's threats in column order.
func linksOf(x domain.CrossReference, id string) []string {
	var out []string
	for _, l := range x.Links {
		if l.RequirementID == id {
			out = append(out, l.ThreatID)
		}
	}
	return out
}

func TestRealWorkbookCounts(t *testing.T) {
	x := parseReal(t)

	if got := len(x.Requirements); got != 2125 {
		t.Errorf("requirement rows = %d, want 2125", got)
	}
	distinct := map[string]bool{}
	for _, id := range x.Requirements {
		distinct[id] = true
	}
	if len(distinct) != 2125 {
		t.Errorf("distinct requirement IDs = %d, want 2125", len(distinct))
	}
	if got := len(x.Links); got != 5888 {
		t.Errorf("links = %d, want 5888", got)
	}
	threats := map[string]bool{}
	pairs := map[domain.ThreatLink]bool{}
	linked := map[string]bool{}
	for _, l := range x.Links {
		threats[l.ThreatID] = true
		linked[l.RequirementID] = true
		if pairs[l] {
			t.Errorf("link %v twice", l)
		}
		pairs[l] = true
		if !distinct[l.RequirementID] {
			t.Errorf("link from unknown requirement %q", l.RequirementID)
		}
	}
	if len(threats) != 47 {
		t.Errorf("distinct threats = %d, want 47", len(threats))
	}
	for n := 1; n <= 47; n++ {
		if id := "G 0." + strconv.Itoa(n); !threats[id] {
			t.Errorf("threat %s has no link", id)
		}
	}
	// 290 requirements are withdrawn; all but SYS.2.1.A14, which keeps
	// one link, have none.
	if got := len(distinct) - len(linked); got != 289 {
		t.Errorf("requirements without link = %d, want 289", got)
	}
	if x.Requirements[0] != "APP.1.1.A1" || x.Requirements[len(x.Requirements)-1] != "SYS.4.5.A17" {
		t.Errorf("order: first %s, last %s; want APP.1.1.A1 … SYS.4.5.A17",
			x.Requirements[0], x.Requirements[len(x.Requirements)-1])
	}
}

func TestRealWorkbookMarks(t *testing.T) {
	x := parseReal(t)
	// 406 requirements carry C/I/A marks: the 405 active H requirements of
	// the Kompendium, and SYS.2.1.A34, an S requirement, marked CIA.
	if got := len(x.Marks); got != 406 {
		t.Errorf("requirements with C/I/A marks = %d, want 406", got)
	}
	var c, i, a int
	combos := map[string]int{}
	for id, m := range x.Marks {
		if m == (domain.CIA{}) {
			t.Errorf("%s: empty marks stored", id)
		}
		c += b2i(m.C)
		i += b2i(m.I)
		a += b2i(m.A)
		combos[m.String()]++
	}
	if c != 280 || i != 284 || a != 279 {
		t.Errorf("marks per letter C=%d I=%d A=%d, want C=280 I=284 A=279", c, i, a)
	}
	want := map[string]int{"C": 31, "I": 17, "A": 88, "CI": 79, "CA": 3, "IA": 21, "CIA": 167}
	if !reflect.DeepEqual(combos, want) {
		t.Errorf("mark combinations = %v, want %v", combos, want)
	}
}

func TestRealWorkbookSpotChecks(t *testing.T) {
	x := parseReal(t)
	tests := []struct {
		id     string
		marks  string
		links  []string
		reason string
	}{
		{"APP.1.1.A2", "", []string{"G 0.20", "G 0.39"}, ""},
		{"APP.1.1.A16", "I", []string{"G 0.22", "G 0.46"}, ""},
		{"ISMS.1.A1", "", []string{"G 0.18", "G 0.27"}, ""},
		{"ISMS.1.A16", "CIA", []string{"G 0.18", "G 0.27"}, ""},
		{"NET.3.1.A1", "", []string{"G 0.18", "G 0.22", "G 0.23", "G 0.26", "G 0.30"}, ""},
		{"NET.3.1.A25", "I", []string{"G 0.22", "G 0.23", "G 0.30", "G 0.46"}, ""},
		{"NET.1.2.A30", "A", []string{"G 0.25", "G 0.40"}, ""},
		{"INF.1.A1", "", []string{"G 0.1", "G 0.18", "G 0.44"}, "single-digit threat"},
		{"DER.2.1.A21", "CIA", []string{"G 0.18", "G 0.19", "G 0.20", "G 0.27", "G 0.29", "G 0.32", "G 0.33", "G 0.45", "G 0.46"}, ""},
		{"OPS.1.1.2.A17", "CI", []string{"G 0.31", "G 0.32", "G 0.37"}, ""},
		{"IND.2.1.A20", "IA", []string{"G 0.14", "G 0.21", "G 0.23", "G 0.28", "G 0.39"}, ""},
		{"OPS.2.3.A22", "A", []string{"G 0.11", "G 0.25", "G 0.27"}, "the ID the Kompendium writes without a dot"},
		{"APP.6.A7", "", []string{"G 0.18"}, "trailing blank in the cell"},
		{"OPS.1.1.6.A15", "", []string{"G 0.18", "G 0.25", "G 0.26"}, "trailing blank in the cell"},
		{"CON.1.A13", "", nil, "withdrawn"},
		{"SYS.2.1.A14", "", []string{"G 0.28"}, "withdrawn, yet linked"},
		{"SYS.2.1.A34", "CIA", []string{"G 0.21", "G 0.31", "G 0.39", "G 0.45"}, "an S requirement with marks; numeric marks"},
	}
	for _, tt := range tests {
		if !slices.Contains(x.Requirements, tt.id) {
			t.Errorf("%s (%s): not among the requirements", tt.id, tt.reason)
			continue
		}
		if got := x.Marks[tt.id].String(); got != tt.marks {
			t.Errorf("%s (%s): marks %q, want %q", tt.id, tt.reason, got, tt.marks)
		}
		if got := linksOf(x, tt.id); !slices.Equal(got, tt.links) {
			t.Errorf("%s (%s): links %q, want %q", tt.id, tt.reason, got, tt.links)
		}
	}
	for _, id := range x.Requirements {
		if strings.TrimSpace(id) != id || !reqID.MatchString(id) {
			t.Errorf("requirement ID %q not normalised", id)
		}
	}
}

// SYS.2.1 marks its links with the threat's number instead of "X".
func TestRealWorkbookSYS21NumericMarks(t *testing.T) {
	x := parseReal(t)
	n := 0
	for _, l := range x.Links {
		if strings.HasPrefix(l.RequirementID, "SYS.2.1.") {
			n++
		}
	}
	// 79 numeric marks and the one "X" of the withdrawn SYS.2.1.A14.
	if n != 80 {
		t.Errorf("SYS.2.1 links = %d, want 80", n)
	}
	want := map[string][]string{
		"SYS.2.1.A1":  {"G 0.30"},
		"SYS.2.1.A3":  {"G 0.28"},
		"SYS.2.1.A39": {"G 0.8", "G 0.26"},
	}
	for id, w := range want {
		if got := linksOf(x, id); !slices.Equal(got, w) {
			t.Errorf("%s: links %q, want %q", id, got, w)
		}
	}
	if got := x.Marks["SYS.2.1.A39"].String(); got != "A" {
		t.Errorf("SYS.2.1.A39 marks %q, want A", got)
	}
}

// sheet describes one sheet of a hand-built workbook.
type sheet struct {
	name string
	rows [][]any
}

// buildWorkbook makes a small workbook with excelize.
func buildWorkbook(t testing.TB, sheets ...sheet) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(s.name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tinySheet is a valid KRT sheet; tests change single cells of a copy.
func tinySheet() sheet {
	return sheet{name: "KRT_TST.1.xlsx", rows: [][]any{
		{"TST.1", "Name", "CIA", "G 0.1", "G0.30"},
		{"TST.1.A1", "Eins", "CI", "X", nil},
		{"TST.1A2", "Zwei", nil, nil, 30}, // missing dot, numeric mark
		{},
		{"TST.1.A3 ", "ENTFALLEN"},
		{"TST.1.A4", "Vier", "a", "x", " "},
	}}
}

func TestTinyWorkbook(t *testing.T) {
	other := sheet{name: "Hinweise", rows: [][]any{{"not a KRT sheet", "Y"}}}
	x, err := ParseBytes(buildWorkbook(t, tinySheet(), other))
	if err != nil {
		t.Fatal(err)
	}
	want := domain.CrossReference{
		Requirements: []string{"TST.1.A1", "TST.1.A2", "TST.1.A3", "TST.1.A4"},
		Links: []domain.ThreatLink{
			{RequirementID: "TST.1.A1", ThreatID: "G 0.1"},
			{RequirementID: "TST.1.A2", ThreatID: "G 0.30"},
			{RequirementID: "TST.1.A4", ThreatID: "G 0.1"},
		},
		Marks: map[string]domain.CIA{"TST.1.A1": {C: true, I: true}, "TST.1.A4": {A: true}},
	}
	if !reflect.DeepEqual(x, want) {
		t.Errorf("got  %+v\nwant %+v", x, want)
	}
}

func TestBadCells(t *testing.T) {
	tests := []struct {
		name      string
		row, col  int // 0-based into tinySheet().rows
		value     any
		where     string
		reasonHas string
	}{
		{"bad threat mark", 1, 3, "Y", "sheet KRT_TST.1.xlsx, cell D2", `unexpected mark "Y" in column G 0.1`},
		{"wrong threat number", 2, 4, 29, "sheet KRT_TST.1.xlsx, cell E3", `unexpected mark "29" in column G 0.30`},
		{"bad objectives", 1, 2, "CX", "sheet KRT_TST.1.xlsx, cell C2", "unexpected objectives"},
		{"objective twice", 1, 2, "CC", "sheet KRT_TST.1.xlsx, cell C2", "twice"},
		{"mark beyond header", 1, 6, "X", "sheet KRT_TST.1.xlsx, cell G2", "beyond the last threat column"},
		{"bad requirement ID", 1, 0, "Foo", "sheet KRT_TST.1.xlsx, cell A2", "not a requirement ID"},
		{"foreign requirement", 1, 0, "TST.2.A1", "sheet KRT_TST.1.xlsx, cell A2", "does not belong to module TST.1"},
		{"duplicate requirement", 2, 0, "TST.1.A1", "sheet KRT_TST.1.xlsx, cell A3", "appears twice (first at sheet KRT_TST.1.xlsx, cell A2)"},
		{"marks without ID", 1, 0, nil, "sheet KRT_TST.1.xlsx, cell A2", "no requirement ID"},
		{"bad threat header", 0, 3, "Feuer", "sheet KRT_TST.1.xlsx, cell D1", "not an elementary threat"},
		{"duplicate threat header", 0, 4, "G 0.01", "sheet KRT_TST.1.xlsx, cell E1", "twice"},
		{"wrong module in A1", 0, 0, "TST.2", "sheet KRT_TST.1.xlsx, cell A1", `want "TST.1"`},
		{"wrong B1", 0, 1, "Titel", "sheet KRT_TST.1.xlsx, cell B1", `want "Name"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tinySheet()
			row := slices.Clone(s.rows[tt.row])
			for len(row) <= tt.col {
				row = append(row, nil)
			}
			row[tt.col] = tt.value
			s.rows[tt.row] = row
			_, err := ParseBytes(buildWorkbook(t, s))
			ce := catalogtest.AsError(t, err)
			if ce.Where != tt.where || !strings.Contains(ce.Reason, tt.reasonHas) {
				t.Errorf("error %q\nwant where %q, reason containing %q", err, tt.where, tt.reasonHas)
			}
		})
	}
}

func TestBadWorkbooks(t *testing.T) {
	real := readSharedOrNil(realWorkbook)
	tests := []struct {
		name      string
		data      func(t *testing.T) []byte
		reasonHas string
	}{
		{"text file", func(*testing.T) []byte { return []byte("Anforderung;Gefährdung\nNET.3.1.A1;G 0.18\n") }, "not a zip archive"},
		{"empty file", func(*testing.T) []byte { return nil }, "not a zip archive"},
		{"zip, not a workbook", func(t *testing.T) []byte {
			return zipOf(t, map[string]string{"word/document.xml": "<w/>", "[Content_Types].xml": "<Types/>"})
		}, "not an Excel workbook"},
		{"workbook without KRT sheets", func(t *testing.T) []byte {
			return buildWorkbook(t, sheet{name: "Tabelle1", rows: [][]any{{"a", "b"}}})
		}, "without sheets named KRT_"},
		{"KRT sheet without rows", func(t *testing.T) []byte {
			return buildWorkbook(t, sheet{name: "KRT_TST.1.xlsx"})
		}, "the sheet is empty"},
		{"corrupt part", func(t *testing.T) []byte {
			b := buildWorkbook(t, tinySheet())
			return corruptEntry(t, b, "xl/worksheets/sheet1.xml")
		}, "damaged workbook, part xl/worksheets/sheet1.xml"},
	}
	if real != nil {
		tests = append(tests, struct {
			name      string
			data      func(t *testing.T) []byte
			reasonHas string
		}{"truncated real workbook", func(t *testing.T) []byte { return real[:len(real)/2] }, "truncated"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBytes(tt.data(t))
			ce := catalogtest.AsError(t, err)
			if !strings.Contains(ce.Reason, tt.reasonHas) {
				t.Errorf("error %q, want it to contain %q", err, tt.reasonHas)
			}
		})
	}
}

// A truncated copy, written to disk and read through an *os.File as the
// importer does.
func TestTruncatedFileOnDisk(t *testing.T) {
	b := catalogtest.Read(t, realWorkbook)
	path := filepath.Join(t.TempDir(), "krt-truncated.xlsx")
	if err := os.WriteFile(path, b[:len(b)-1000], 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse(f, fi.Size())
	var ce *catalog.Error
	if !errors.As(err, &ce) || !strings.Contains(ce.Reason, "not a zip archive, or a truncated one") {
		t.Errorf("error %v, want a truncated-archive *catalog.Error", err)
	}
}

func readSharedOrNil(name string) []byte {
	b, _ := os.ReadFile(catalogtest.Path(name))
	return b
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// zipOf writes a zip archive of the given files.
func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
