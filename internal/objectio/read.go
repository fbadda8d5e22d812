package objectio

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Pseudo columns of a header position that is not a canonical column.
const (
	unknownCol column = -1 // a header we do not know: reported once, its values ignored
	noCol      column = -2 // no header: a value below it is an error, as it would be lost
)

// header maps the positions of a CSV or XLSX header row to columns.
type header struct {
	cols []column
	has  [numColumns]bool
}

// parseHeader reads the header row. Unknown and missing columns are
// reported to c as problems of the file; a column given twice makes the
// file unreadable, since either copy could be the one meant.
func parseHeader(cells []string, c *checker) (*header, error) {
	h := &header{cols: make([]column, len(cells))}
	var pos [numColumns]int // 1-based position of each column found
	for i, cell := range cells {
		name := strings.TrimSpace(cell)
		if name == "" {
			h.cols[i] = noCol
			continue
		}
		col, ok := headerColumns[headerKey(name)]
		if !ok {
			h.cols[i] = unknownCol
			c.fileError(name,
				fmt.Sprintf("unknown column %q (column %s); the columns are %s, or their German names",
					name, colLetter(i+1), strings.Join(columnNames[:], ", ")),
				fmt.Sprintf("unbekannte Spalte „%s“ (Spalte %s); erlaubt sind: %s",
					name, colLetter(i+1), strings.Join(germanNames[:], ", ")))
			continue
		}
		if pos[col] != 0 {
			return nil, unreadable(
				fmt.Sprintf("the column %s appears twice, in columns %s and %s", col, colLetter(pos[col]), colLetter(i+1)),
				fmt.Sprintf("die Spalte „%s“ kommt zweimal vor, in den Spalten %s und %s", germanNames[col], colLetter(pos[col]), colLetter(i+1)))
		}
		pos[col] = i + 1
		h.cols[i] = col
		h.has[col] = true
	}
	for _, col := range required {
		if !h.has[col] {
			c.fileError(col.String(), fmt.Sprintf("the required column %s is missing", col),
				fmt.Sprintf("die Pflichtspalte „%s“ fehlt", germanNames[col]))
			c.quiet[col] = true
			c.unusable = true
		}
	}
	return h, nil
}

// record assigns the cells of a data row to their columns.
func (h *header) record(line int, cells []string) *record {
	rec := &record{line: line, has: h.has}
	for i, cell := range cells {
		col := noCol
		if i < len(h.cols) {
			col = h.cols[i]
		}
		switch {
		case col >= 0:
			rec.cell[col] = cell
		case col == noCol && strings.TrimSpace(cell) != "":
			rec.stray = append(rec.stray, colLetter(i+1))
		}
	}
	return rec
}

// headerColumns maps the normalised canonical and German headers.
var headerColumns = func() map[string]column {
	m := make(map[string]column, 2*numColumns)
	for c := range numColumns {
		m[headerKey(columnNames[c])] = c
		m[headerKey(germanNames[c])] = c
	}
	return m
}()

// headerKey normalises a header for matching: case, blanks, "_" and "-"
// as blanks ("External ID" = "external_id"), and umlauts written as a
// letter plus combining diaeresis (as macOS may write them) composed.
func headerKey(s string) string {
	s = headerReplacer.Replace(s)
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

var headerReplacer = strings.NewReplacer("_", " ", "-", " ",
	"a\u0308", "ä", "o\u0308", "ö", "u\u0308", "ü", "A\u0308", "Ä", "O\u0308", "Ö", "U\u0308", "Ü")

// colLetter names a spreadsheet column: 1 → "A", 27 → "AA". CSV files
// are opened in spreadsheets, so their columns are named the same way.
func colLetter(n int) string {
	s, err := excelize.ColumnNumberToName(n)
	if err != nil {
		return fmt.Sprint(n)
	}
	return s
}

// table reads the rows of a CSV file or a sheet as they come: the first
// row it is given is the header, every later one a record, at most
// MaxRows, checked and handed to each. Blank rows are the reader's to skip.
type table struct {
	c    *checker
	h    *header
	rows int
	each func(Line) error
}

func newTable(each func(Line) error) *table {
	return &table{c: newChecker(), each: each}
}

// add takes the row of cells on line.
func (t *table) add(line int, cells []string) error {
	if t.h == nil {
		h, err := parseHeader(cells, t.c)
		t.h = h
		return err
	}
	if t.rows++; t.rows > MaxRows {
		return errTooManyRows()
	}
	return t.each(t.c.check(t.h.record(line, cells)))
}

// blank reports whether a row holds nothing but blanks.
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
