package report

import (
	"context"
	"fmt"
	"io"
	"strings"

	"ismsd/internal/german"

	"github.com/go-pdf/fpdf"
)

// The PDF is A4 landscape in the core font Helvetica with the Windows-1252
// code page: umlauts, ß, „“, – and € print without shipping a font file.
// It is streamed (pdfstream.go): each page goes out when it is full, so
// a million rows take no more memory than a hundred.
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

// pdfWriter is a PDF being written: the layout (positions, fonts,
// wrapping) on top of a pdfStream. An fpdf document serves only to
// measure texts in the core fonts; it never holds a page.
type pdfWriter struct {
	*fpdf.Fpdf // for measuring only
	s          *pdfStream
	tr         func(string) string // UTF-8 to Windows-1252
	x, y       float64
	font       string  // F1 or F2
	size       float64 // points
	text       [3]int  // text colour
	page       int
	header     func() // draws the page's header
	footer     func() // draws the page's footer
}

// SetFont sets the font for drawing and measuring; style is "" or "B".
func (p *pdfWriter) SetFont(family, style string, size float64) {
	p.Fpdf.SetFont(family, style, size)
	p.font, p.size = "F1", size
	if style == "B" {
		p.font = "F2"
	}
}

func (p *pdfWriter) SetTextColor(r, g, b int) { p.text = [3]int{r, g, b} }
func (p *pdfWriter) SetFillColor(r, g, b int) { p.s.colour(r, g, b, false) }
func (p *pdfWriter) SetDrawColor(r, g, b int) { p.s.colour(r, g, b, true) }
func (p *pdfWriter) SetXY(x, y float64)       { p.x, p.y = x, y }
func (p *pdfWriter) GetY() float64            { return p.y }
func (p *pdfWriter) PageNo() int              { return p.page }

// Ln moves to the start of a line h below.
func (p *pdfWriter) Ln(h float64) { p.x, p.y = marginX, p.y+h }

// Line draws a line; only horizontal ones are needed.
func (p *pdfWriter) Line(x1, y1, x2, _ float64) { p.s.line(x1, x2, y1) }

// Rect fills a rectangle.
func (p *pdfWriter) Rect(x, y, w, h float64, _ string) { p.s.rect(x, y, w, h) }

// CellFormat prints txt (Windows-1252) in a cell of width w (0: to the
// right margin) and height h at the current position, aligned "L", "C"
// or "R", as fpdf does; with ln 1 the next cell starts on the next line,
// else to the right.
func (p *pdfWriter) CellFormat(w, h float64, txt, _ string, ln int, align string, _ bool, _ int, _ string) {
	if w == 0 {
		w = pageWidth - marginX - p.x
	}
	if txt != "" {
		dx := p.GetCellMargin()
		switch align {
		case "R":
			dx = w - p.GetCellMargin() - p.GetStringWidth(txt)
		case "C":
			dx = (w - p.GetStringWidth(txt)) / 2
		}
		p.s.colour(p.text[0], p.text[1], p.text[2], false)
		p.s.text(p.font, p.size, p.x+dx, p.y+h/2+0.3*p.size/ptPerMM, txt)
	}
	if ln == 1 {
		p.Ln(h)
	} else {
		p.x += w
	}
}

// AddPage ends the current page, if any, and starts the next one.
func (p *pdfWriter) AddPage() {
	if p.page > 0 {
		p.footer()
		p.s.endPage()
	}
	p.page++
	p.s.beginPage()
	p.text = [3]int{}
	font, size := p.font, p.size
	p.header()
	p.font, p.size = font, size
	p.Fpdf.SetFont("Helvetica", map[string]string{"F1": "", "F2": "B"}[font], size)
}

func (d *document) writePDF(ctx context.Context, w io.Writer) error {
	m := fpdf.New("L", "mm", "A4", "")
	p := &pdfWriter{Fpdf: m, s: newPDFStream(w), tr: m.UnicodeTranslatorFromDescriptor("cp1252")}
	p.SetFont("Helvetica", "", 9)
	generated := german.Date(d.query.Generated)
	p.header = func() {
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
	}
	// The footer says "Seite x von y"; y is the Form XObject /Tot,
	// written at the end, so the text stands left-aligned where room is
	// left for five digits of each.
	p.footer = func() {
		p.SetFont("Helvetica", "", 8)
		p.SetTextColor(70, 70, 70)
		width := pageWidth - 2*marginX
		p.SetDrawColor(160, 160, 160)
		p.Line(marginX, footerY-1, pageWidth-marginX, footerY-1)
		p.SetXY(marginX, footerY)
		p.CellFormat(width*3/4, 4, p.fit("ismsd "+d.query.Version+" · Sicht: "+d.view, width*3/4), "", 0, "L", false, 0, "")
		pageOf := fmt.Sprintf("Seite %d von ", p.PageNo())
		x := pageWidth - marginX - p.GetCellMargin() - p.GetStringWidth("Seite 00000 von 00000")
		p.SetXY(x-p.GetCellMargin(), footerY)
		p.CellFormat(0, 4, pageOf, "", 0, "L", false, 0, "")
		p.s.total(x+p.GetStringWidth(pageOf), footerY+2+0.3*8/ptPerMM)
		p.SetTextColor(0, 0, 0)
	}
	p.AddPage()
	p.SetFont("Helvetica", "B", 16)
	p.CellFormat(0, 8, p.tr(d.report.Heading()), "", 1, "L", false, 0, "")
	p.SetFont("Helvetica", "", 9)
	s := d.query.Scope
	p.CellFormat(0, 5, p.tr("Informationsverbund "+s.Name+" · "+approachText(s)+" · "+strings.TrimSpace(s.CatalogTitle+" "+s.CatalogVersion)), "", 1, "L", false, 0, "")
	p.CellFormat(0, 5, p.tr("Sicht: "+d.view+" · erstellt am "+german.DateTimeUhr(d.query.Generated)+" mit ismsd "+d.query.Version), "", 1, "L", false, 0, "")
	p.Ln(3)
	for _, t := range d.report.TablesFor(d.query) {
		if err := d.pdfTable(ctx, p, t); err != nil {
			return err
		}
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	p.footer()
	p.s.endPage()
	return p.s.close(d.report.Heading()+" – "+d.query.Scope.Name, "ismsd "+d.query.Version)
}

// pdfTable writes a table.
func (d *document) pdfTable(ctx context.Context, p *pdfWriter, t Table) error {
	var cols []int // indexes of the columns the PDF shows
	for i, c := range t.Columns {
		if !c.NotInPDF {
			cols = append(cols, i)
		}
	}
	widths := p.widths(t.Columns, cols)
	if len(d.report.TablesFor(d.query)) > 1 {
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
		if p.s.err != nil {
			return p.s.err // the reader is gone
		}
		n++
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
		return err
	}
	p.SetFont("Helvetica", "", 8)
	p.Ln(1.5)
	summary := german.Count(n) + " " + t.Unit
	if n == 0 {
		summary = "Keine " + t.Unit + " in dieser Sicht."
	}
	p.keepSpace(5)
	p.CellFormat(0, 5, p.tr(summary), "", 1, "L", false, 0, "")
	p.Ln(4)
	return nil
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

var lineEnds = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\t", " ")

// lines wraps a cell's text to its width, in the code page the core font
// prints; a text longer than a page allows is cut.
func (p *pdfWriter) lines(s string, width float64) [][]byte {
	s = lineEnds.Replace(s)
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
