package report

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/go-pdf/fpdf"

	"ismsd/internal/domain"
)

// The PDF is A4 landscape in the core font Helvetica with the Windows-1252
// code page: umlauts, ß, „“, – and € print without shipping a font file.
// Every page has a header (scope, report, date) and a footer (version,
// view, "Seite x von y"); table rows never break across pages, and the
// column headings repeat on every page.
const (
	pageWidth    = 297.0
	marginX      = 12.0
	headerY      = 8.0
	bodyTop      = 20.0
	bodyBottom   = 195.0
	footerY      = 198.0
	lineHeight   = 3.2 // mm per line at 7 pt
	cellPadding  = 0.8
	maxCellLines = 40 // a longer text is cut in the PDF, so a row fits a page; the XLSX has it whole
)

// MaxPDFRows bounds a PDF: fpdf holds the whole document until it writes
// it, about 3 KB a row, and ten thousand rows are some 400 pages already.
// Larger reports are read as XLSX (or CSV), which stream.
const MaxPDFRows = 10000

func errTooLargeForPDF() error {
	return domain.Invalid(domain.Violation{Pointer: "/format",
		Detail: fmt.Sprintf("the report has more than %d rows, too many for a PDF; download it as xlsx", MaxPDFRows),
		German: fmt.Sprintf("Der Bericht hat mehr als %s Zeilen und ist für ein PDF zu umfangreich. Bitte laden Sie ihn als Excel-Datei (XLSX) herunter.",
			domain.Count(MaxPDFRows))})
}

// pdfWriter is a PDF being written.
type pdfWriter struct {
	*fpdf.Fpdf
	tr func(string) string // UTF-8 to Windows-1252
}

func (d *document) writePDF(ctx context.Context, w io.Writer) error {
	p := pdfWriter{Fpdf: fpdf.New("L", "mm", "A4", "")}
	p.tr = p.UnicodeTranslatorFromDescriptor("cp1252")
	p.SetMargins(marginX, bodyTop, marginX)
	p.SetAutoPageBreak(false, 0) // rows are kept whole by hand
	p.AliasNbPages("{nb}")
	p.SetTitle(d.report.Heading()+" – "+d.query.Scope.Name, true)
	p.SetCreator("ismsd "+d.query.Version, true)
	p.SetLang("de-DE")
	generated := d.query.Generated.Format("02.01.2006")
	p.SetHeaderFunc(func() {
		p.SetFont("Helvetica", "", 8)
		p.SetTextColor(70, 70, 70)
		third := (pageWidth - 2*marginX) / 3
		p.SetXY(marginX, headerY)
		p.CellFormat(third, 4, p.fit(d.query.Scope.Name, third), "", 0, "L", false, 0, "")
		p.CellFormat(third, 4, p.fit(d.report.Heading(), third), "", 0, "C", false, 0, "")
		p.CellFormat(third, 4, p.fit("Stand: "+generated, third), "", 0, "R", false, 0, "")
		p.SetDrawColor(160, 160, 160)
		p.Line(marginX, headerY+5.5, pageWidth-marginX, headerY+5.5)
		p.SetTextColor(0, 0, 0)
		p.SetXY(marginX, bodyTop)
	})
	p.SetFooterFunc(func() {
		p.SetFont("Helvetica", "", 8)
		p.SetTextColor(70, 70, 70)
		width := pageWidth - 2*marginX
		p.SetDrawColor(160, 160, 160)
		p.Line(marginX, footerY-1, pageWidth-marginX, footerY-1)
		p.SetXY(marginX, footerY)
		p.CellFormat(width*3/4, 4, p.fit("ismsd "+d.query.Version+" · Sicht: "+d.view, width*3/4), "", 0, "L", false, 0, "")
		p.CellFormat(width/4, 4, fmt.Sprintf("Seite %d von {nb}", p.PageNo()), "", 0, "R", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})
	p.AddPage()
	p.SetFont("Helvetica", "B", 16)
	p.CellFormat(0, 8, p.tr(d.report.Heading()), "", 1, "L", false, 0, "")
	p.SetFont("Helvetica", "", 9)
	s := d.query.Scope
	p.CellFormat(0, 5, p.tr("Informationsverbund "+s.Name+" · "+s.Approach.Label()+" · "+strings.TrimSpace(s.CatalogTitle+" "+s.CatalogVersion)), "", 1, "L", false, 0, "")
	p.CellFormat(0, 5, p.tr("Sicht: "+d.view+" · erstellt am "+d.query.Generated.Format("02.01.2006, 15:04 Uhr")+" mit ismsd "+d.query.Version), "", 1, "L", false, 0, "")
	p.Ln(3)
	rows := 0
	for _, t := range d.report.Tables {
		n, err := d.pdfTable(ctx, &p, t, MaxPDFRows-rows)
		if err != nil {
			return err
		}
		rows += n
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return p.Output(w)
}

// pdfTable writes a table with at most limit rows and returns how many it wrote.
func (d *document) pdfTable(ctx context.Context, p *pdfWriter, t Table, limit int) (int, error) {
	var cols []int // indexes of the columns the PDF shows
	for i, c := range t.Columns {
		if !c.NotInPDF {
			cols = append(cols, i)
		}
	}
	widths := p.widths(t.Columns, cols)
	if len(d.report.Tables) > 1 {
		p.keepSpace(20)
		p.SetFont("Helvetica", "B", 11)
		p.CellFormat(0, 7, p.tr(t.Title), "", 1, "L", false, 0, "")
	}
	headings := make([]string, len(cols))
	for j, i := range cols {
		headings[j] = t.Columns[i].Title
	}
	header := func() {
		cells, h := p.layout(widths, headings, true)
		p.draw(widths, cells, h, true)
	}
	header()
	n := 0
	texts := make([]string, len(cols))
	err := d.rows(ctx, t, func(r Row) error {
		if n++; n > limit {
			return errTooLargeForPDF()
		}
		for j, i := range cols {
			texts[j] = text(r[i])
		}
		cells, h := p.layout(widths, texts, false)
		if p.GetY()+h > bodyBottom {
			p.AddPage()
			header()
		}
		p.draw(widths, cells, h, false)
		return nil
	})
	if err != nil {
		return n, err
	}
	p.SetFont("Helvetica", "", 8)
	p.Ln(1.5)
	summary := domain.Count(n) + " " + t.Unit
	if n == 0 {
		summary = "Keine " + t.Unit + " in dieser Sicht."
	}
	p.keepSpace(5)
	p.CellFormat(0, 5, p.tr(summary), "", 1, "L", false, 0, "")
	p.Ln(4)
	return n, nil
}

// widths shares the page among the shown columns in proportion to their
// widths, but gives each at least the width of its heading's longest word
// (up to a fifth of the page), so that headings break between words.
func (p *pdfWriter) widths(columns []Column, cols []int) []float64 {
	p.setRowFont(true)
	page := pageWidth - 2*marginX
	least := make([]float64, len(cols))
	for j, i := range cols {
		for _, word := range strings.Fields(columns[i].Title) {
			least[j] = max(least[j], min(p.GetStringWidth(p.tr(word))+2*p.GetCellMargin()+0.5, page/5))
		}
	}
	// Columns held at their least width leave the rest of the page to the
	// others; holding one can push another below its least, so repeat.
	widths := make([]float64, len(cols))
	held := make([]bool, len(cols))
	for changed := true; changed; {
		changed = false
		free, units := page, 0.0
		for j, i := range cols {
			if held[j] {
				free -= least[j]
			} else {
				units += columns[i].Width
			}
		}
		for j, i := range cols {
			widths[j] = least[j]
			if !held[j] {
				widths[j] = columns[i].Width / units * free
				if widths[j] < least[j] {
					held[j], changed = true, true
				}
			}
		}
	}
	// Headings too long for the page together: everything shrinks.
	if sum := sumOf(widths); sum > page {
		for j := range widths {
			widths[j] *= page / sum
		}
	}
	return widths
}

// keepSpace starts a new page unless h millimetres are left on this one.
func (p *pdfWriter) keepSpace(h float64) {
	if p.GetY()+h > bodyBottom {
		p.AddPage()
	}
}

// lines wraps a cell's text to its width, in the code page the core font
// prints; a text longer than a page allows is cut.
func (p *pdfWriter) lines(s string, width float64) [][]byte {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\t", " ").Replace(s)
	ls := p.SplitLines([]byte(p.tr(s)), width)
	if len(ls) > maxCellLines {
		ls = append(ls[:maxCellLines-1], []byte(p.tr("… (gekürzt; vollständig in der XLSX-Fassung)")))
	}
	return ls
}

func (p *pdfWriter) setRowFont(bold bool) {
	if bold {
		p.SetFont("Helvetica", "B", 7)
	} else {
		p.SetFont("Helvetica", "", 7)
	}
}

// layout wraps a row's texts within their columns and returns the lines
// of each cell and the row's height.
func (p *pdfWriter) layout(widths []float64, texts []string, header bool) ([][][]byte, float64) {
	p.setRowFont(header)
	cells := make([][][]byte, len(texts))
	n := 1
	for j, s := range texts {
		cells[j] = p.lines(s, widths[j])
		n = max(n, len(cells[j]))
	}
	return cells, float64(n)*lineHeight + 2*cellPadding
}

// draw prints a laid-out row with a rule below; a header row is bold on grey.
func (p *pdfWriter) draw(widths []float64, cells [][][]byte, h float64, header bool) {
	p.setRowFont(header)
	y := p.GetY()
	if header {
		p.SetFillColor(225, 231, 240)
		p.Rect(marginX, y, pageWidth-2*marginX, h, "F")
	}
	x := marginX
	for j, ls := range cells {
		for k, l := range ls {
			p.SetXY(x, y+cellPadding+float64(k)*lineHeight)
			p.CellFormat(widths[j], lineHeight, string(l), "", 0, "L", false, 0, "")
		}
		x += widths[j]
	}
	p.SetDrawColor(200, 200, 200)
	p.Line(marginX, y+h, pageWidth-marginX, y+h)
	p.SetXY(marginX, y+h)
}

// fit translates s and shortens it with "…" to fit width in the current font.
func (p *pdfWriter) fit(s string, width float64) string {
	t := p.tr(s)
	if p.GetStringWidth(t) <= width-2 {
		return t
	}
	ellipsis := p.tr("…")
	for len(t) > 0 && p.GetStringWidth(t+ellipsis) > width-2 {
		t = t[:len(t)-1]
	}
	return t + ellipsis
}

func sumOf(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}
