package krt

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"ismsd/internal/catalog"
	"ismsd/internal/domain"
)

// krtSheet is a sheet of the cross-reference tables and the module it covers.
type krtSheet struct {
	name, module string
}

// krtSheets picks the KRT_<module>.xlsx sheets, in workbook order.
func krtSheets(names []string) []krtSheet {
	var out []krtSheet
	for _, n := range names {
		if m := sheetName.FindStringSubmatch(n); m != nil {
			out = append(out, krtSheet{name: n, module: m[1]})
		}
	}
	return out
}

var (
	sheetName = regexp.MustCompile(`^KRT_(.+)\.xlsx$`)
	// moduleID and reqID follow the Kompendium: "NET.3.1", "NET.3.1.A1".
	moduleID = regexp.MustCompile(`^[A-Z]+(\.[0-9]+)+$`)
	reqID    = regexp.MustCompile(`^([A-Z]+(?:\.[0-9]+)+)\.A[0-9]+$`)
	// missingDot is the Kompendium's one quirk, "OPS.2.3A22".
	missingDot = regexp.MustCompile(`^([A-Z]+(?:\.[0-9]+)+)(A[0-9]+)$`)
	threatID   = regexp.MustCompile(`(?i)^G\s*0\.0*([1-9][0-9]{0,3})$`)
)

// normaliseReqID trims an ID and restores a missing dot before the "A".
func normaliseReqID(s string) string {
	s = strings.TrimSpace(s)
	if m := missingDot.FindStringSubmatch(s); m != nil {
		return m[1] + "." + m[2]
	}
	return s
}

// normaliseThreat returns "G 0.N" and N, or ok=false.
func normaliseThreat(s string) (id string, n int, ok bool) {
	m := threatID.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", 0, false
	}
	n, _ = strconv.Atoi(m[1])
	return "G 0." + m[1], n, true
}

// threatCol is a threat column of a sheet's header.
type threatCol struct {
	id string // "G 0.30"
	n  int    // 30
}

// parser accumulates the workbook's content over its sheets.
type parser struct {
	out  domain.CrossReference
	seen map[string]string // requirement ID → where it was first seen
}

func newParser() *parser {
	return &parser{
		out:  domain.CrossReference{Marks: map[string]domain.CIA{}},
		seen: map[string]string{},
	}
}

// sheet streams one sheet's rows: excelize's iterator decodes one row at a
// time instead of building the whole sheet in memory.
func (p *parser) sheet(f *excelize.File, s krtSheet) (err error) {
	rows, err := f.Rows(s.name)
	if err != nil {
		return catalog.Errorf("sheet "+s.name, "cannot read the sheet: %v", err)
	}
	defer func() {
		if cerr := rows.Close(); err == nil && cerr != nil {
			err = catalog.Errorf("sheet "+s.name, "cannot read the sheet: %v", cerr)
		}
	}()
	var header []threatCol
	row := 0
	for rows.Next() {
		row++ // the iterator yields gaps as empty rows, so this is the row number
		cells, err := rows.Columns()
		if err != nil {
			return catalog.Errorf(cellWhere(s.name, 1, row), "cannot read the row: %v", err)
		}
		if row == 1 {
			if header, err = parseHeader(s, cells); err != nil {
				return err
			}
			continue
		}
		if err := p.row(s, header, row, cells); err != nil {
			return err
		}
	}
	if row == 0 {
		return catalog.Errorf("sheet "+s.name, "the sheet is empty; want a header row (module ID, Name, CIA, G 0.N …)")
	}
	return nil
}

// parseHeader checks row 1 and returns the threat columns, from D on.
func parseHeader(s krtSheet, cells []string) ([]threatCol, error) {
	want := []string{s.module, "Name", "CIA"}
	for i, w := range want {
		if got := cellAt(cells, i); got != w {
			return nil, catalog.Errorf(cellWhere(s.name, i+1, 1), "header %q, want %q", got, w)
		}
	}
	if !moduleID.MatchString(s.module) {
		return nil, catalog.Errorf(cellWhere(s.name, 1, 1), "%q is not a module ID such as NET.3.1", s.module)
	}
	var cols []threatCol
	seen := map[string]bool{}
	for i := 3; i < len(cells); i++ {
		id, n, ok := normaliseThreat(cells[i])
		if !ok {
			return nil, catalog.Errorf(cellWhere(s.name, i+1, 1), "header %q is not an elementary threat such as \"G 0.1\"", cells[i])
		}
		if seen[id] {
			return nil, catalog.Errorf(cellWhere(s.name, i+1, 1), "threat %s appears twice in the header", id)
		}
		seen[id] = true
		cols = append(cols, threatCol{id: id, n: n})
	}
	if len(cols) == 0 {
		return nil, catalog.Errorf("sheet "+s.name, "the header names no elementary threat (G 0.N) from column D on")
	}
	return cols, nil
}

// row reads one requirement row.
func (p *parser) row(s krtSheet, header []threatCol, row int, cells []string) error {
	if blank(cells) {
		return nil
	}
	id := normaliseReqID(cellAt(cells, 0))
	where := cellWhere(s.name, 1, row)
	switch m := reqID.FindStringSubmatch(id); {
	case id == "":
		return catalog.Errorf(where, "the row has marks but no requirement ID")
	case m == nil:
		return catalog.Errorf(where, "%q is not a requirement ID such as %s.A1", id, s.module)
	case m[1] != s.module:
		return catalog.Errorf(where, "requirement %s does not belong to module %s", id, s.module)
	}
	if first, dup := p.seen[id]; dup {
		return catalog.Errorf(where, "requirement %s appears twice (first at %s)", id, first)
	}
	p.seen[id] = where
	p.out.Requirements = append(p.out.Requirements, id)

	if mark := strings.TrimSpace(cellAt(cells, 2)); mark != "" {
		cia, err := parseCIA(mark)
		if err != nil {
			return catalog.Errorf(cellWhere(s.name, 3, row), "%v", err)
		}
		p.out.Marks[id] = cia
	}
	return p.links(s, header, row, id, cells)
}

// links reads the threat marks of a row, from column D on.
func (p *parser) links(s krtSheet, header []threatCol, row int, id string, cells []string) error {
	for i := 3; i < len(cells); i++ {
		mark := strings.TrimSpace(cells[i]) // SYS.2.1 has a cell holding one blank
		if mark == "" {
			continue
		}
		where := cellWhere(s.name, i+1, row)
		if i-3 >= len(header) {
			return catalog.Errorf(where, "mark %q beyond the last threat column of the header", mark)
		}
		col := header[i-3]
		if !isLink(mark, col.n) {
			return catalog.Errorf(where, "unexpected mark %q in column %s; want X (or %d)", mark, col.id, col.n)
		}
		p.out.Links = append(p.out.Links, domain.ThreatLink{RequirementID: id, ThreatID: col.id})
	}
	return nil
}

// isLink tells a link mark: "X", or the column's threat number as SYS.2.1
// writes it.
func isLink(mark string, threat int) bool {
	if strings.EqualFold(mark, "X") {
		return true
	}
	n, err := strconv.Atoi(mark)
	return err == nil && n == threat
}

// parseCIA reads "C", "CI", "CIA" …; blanks and commas between the letters
// are tolerated, anything else is refused.
func parseCIA(s string) (domain.CIA, error) {
	var c domain.CIA
	for _, r := range strings.ToUpper(s) {
		var flag *bool
		switch r {
		case 'C':
			flag = &c.C
		case 'I':
			flag = &c.I
		case 'A':
			flag = &c.A
		case ' ', ',', '\u00a0':
			continue
		default:
			return c, fmt.Errorf("unexpected objectives %q; want letters of C, I, A such as \"CI\"", s)
		}
		if *flag {
			return c, fmt.Errorf("objectives %q name %c twice", s, r)
		}
		*flag = true
	}
	if c == (domain.CIA{}) {
		return c, fmt.Errorf("unexpected objectives %q; want letters of C, I, A such as \"CI\"", s)
	}
	return c, nil
}

func cellAt(cells []string, i int) string {
	if i < len(cells) {
		return strings.TrimSpace(cells[i])
	}
	return ""
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// cellWhere names a cell for an error: "sheet KRT_SYS.2.1.xlsx, cell D7".
func cellWhere(sheet string, col, row int) string {
	name, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		name = fmt.Sprintf("R%dC%d", row, col)
	}
	return "sheet " + sheet + ", cell " + name
}
