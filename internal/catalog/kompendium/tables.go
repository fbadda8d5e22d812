package kompendium

import (
	"encoding/xml"
	"regexp"
	"strings"

	"ismsd/internal/domain"
)

var (
	// moduleID is a module's ID at the start of a modelling table cell.
	moduleID = regexp.MustCompile(`^[A-Z]+(?:\.[0-9]+)+$`)
	// orderCode is the modelling order: R1, R2 or R3.
	orderCode = regexp.MustCompile(`^R[0-9]+$`)
)

// row is a table row: its cells' text, paragraphs on lines of their own.
type row struct {
	cells  []string
	header bool // in <thead>
}

// tableRows reads the rest of a table (HTML-style tr/td as the Kompendium
// writes them, or CALS row/entry).
func (p *parser) tableRows() ([]row, error) {
	var rows []row
	err := p.rowsInto(&rows, false)
	return rows, err
}

func (p *parser) rowsInto(rows *[]row, header bool) error {
	return p.children(func(t xml.StartElement) error {
		switch t.Name.Local {
		case "tr", "row":
			cells, err := p.cells()
			if err != nil {
				return err
			}
			*rows = append(*rows, row{cells: cells, header: header})
			return nil
		case "thead":
			return p.rowsInto(rows, true)
		case "tbody", "tfoot", "tgroup":
			return p.rowsInto(rows, header)
		}
		return p.skip()
	})
}

// cells reads a row's cells.
func (p *parser) cells() ([]string, error) {
	var cells []string
	err := p.children(func(t xml.StartElement) error {
		switch t.Name.Local {
		case "td", "th", "entry":
			var sb strings.Builder
			if err := p.plainInto(&sb); err != nil {
				return err
			}
			cells = append(cells, lines(sb.String()))
			return nil
		}
		return p.skip()
	})
	if err != nil {
		return nil, err
	}
	return cells, nil
}

// roleTable reads a module's responsibility table: the row "Grundsätzlich
// zuständig" names the default role, "Weitere Zuständigkeiten" the others.
func (p *parser) roleTable(mod *domain.Module) error {
	rows, err := p.tableRows()
	if err != nil {
		return err
	}
	for _, r := range rows {
		if len(r.cells) < 2 {
			continue
		}
		label := strings.ToLower(oneLine(r.cells[0]))
		switch {
		case strings.HasPrefix(label, "grundsätzlich zuständig"):
			mod.DefaultRoles = append(mod.DefaultRoles, tableRoles(r.cells[1])...)
		case strings.HasPrefix(label, "weitere zuständigkeit"):
			mod.FurtherRoles = append(mod.FurtherRoles, tableRoles(r.cells[1])...)
		}
	}
	return nil
}

// tableRoles reads the roles in a cell of the responsibility table, where
// "Keine" (none) or a dash says that there are none (24 modules in 2023).
func tableRoles(cell string) []string {
	switch strings.ToLower(oneLine(cell)) {
	case "", "keine", "-", "–", "—":
		return nil
	}
	return splitRoles(cell)
}

// hintColumns are the columns of the modelling table.
type hintColumns struct{ module, order, target int }

// findHintColumns recognises the modelling table by its header:
// "Baustein", "Reihenfolge", "Anzuwenden auf Zielobjekttyp".
func findHintColumns(header []string) (hintColumns, bool) {
	c := hintColumns{-1, -1, -1}
	for i, cell := range header {
		cell = oneLine(cell)
		switch {
		case strings.HasPrefix(cell, "Baustein"):
			c.module = i
		case strings.HasPrefix(cell, "Reihenfolge"):
			c.order = i
		case strings.Contains(cell, "Zielobjekt"):
			c.target = i
		}
	}
	return c, c.module >= 0 && c.order >= 0 && c.target >= 0
}

// maybeModellingTable reads a table outside the modules and, if it is the
// modelling table, its hints: module, order (R1/R2/R3), target-object type.
func (p *parser) maybeModellingTable() error {
	rows, err := p.tableRows()
	if err != nil || len(rows) == 0 {
		return err
	}
	cols, ok := findHintColumns(rows[0].cells)
	if !ok {
		return nil
	}
	for i, r := range rows[1:] {
		if r.header || allEmpty(r.cells) {
			continue
		}
		if err := p.hintRow(cols, r.cells, i+2); err != nil {
			return err
		}
	}
	return nil
}

// hintRow reads one row of the modelling table ("ISMS.1 Sicherheitsmanagement | R1 | Informationsverbund/übergeordnete Aspekte").
func (p *parser) hintRow(cols hintColumns, cells []string, n int) error {
	cell := func(i int) string {
		if i < len(cells) {
			return oneLine(cells[i])
		}
		return ""
	}
	id, _, _ := strings.Cut(cell(cols.module), " ")
	if !moduleID.MatchString(id) {
		return p.errorf("modelling table, row %d: %q does not start with a module ID", n, cell(cols.module))
	}
	order := cell(cols.order)
	if !orderCode.MatchString(order) {
		return p.errorf("modelling table, row %d (%s): the order %q is not R1, R2 or R3", n, id, order)
	}
	target := cell(cols.target)
	if target == "" {
		return p.errorf("modelling table, row %d (%s): no target-object type", n, id)
	}
	p.out.ModellingHints = append(p.out.ModellingHints, domain.ModellingHint{
		ModuleID: id, Order: order, TargetType: target,
	})
	return nil
}

func allEmpty(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
