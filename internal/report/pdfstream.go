package report

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
)

// pdfStream writes a PDF 1.4 as it goes: each page's content stream and
// page object go out as soon as the page is done, and only the byte
// offsets of the objects (for the cross-reference table) and the page
// objects' numbers (for the page tree) stay behind, a few bytes a page.
// What is known only at the end is written at the end: the page tree
// (its object number is reserved at the start, so every page can point
// to it) and the total page count, a Form XObject (/Tot) that every
// page's footer draws.
//
// Coordinates are in millimetres from the top left, as the layout code
// counts them; the stream turns them into points from the bottom left.
// Texts are in Windows-1252, the encoding of the core fonts.
type pdfStream struct {
	out     *bufio.Writer
	written int64 // bytes handed to out
	err     error
	offsets []int64 // offsets[n] is where object n starts; 0 is unused
	kids    []int   // the pages' object numbers

	content bytes.Buffer // the current page's content stream
	zbuf    bytes.Buffer
	zw      *zlib.Writer
	num     []byte // scratch for numbers

	// graphics state of the current page, to leave out repeated operators
	fillRGB, strokeRGB [3]int
}

// Objects numbered at the start; pages follow from firstPageObject.
const (
	objPages = 1 + iota
	objFontRegular
	objFontBold
	objResources
	objTotal
	objInfo
	objCatalog
	firstPageObject
)

// mm to points; the page is A4 landscape.
const (
	ptPerMM    = 72 / 25.4
	pageHeight = 210.0
)

func newPDFStream(w io.Writer) *pdfStream {
	s := &pdfStream{offsets: make([]int64, firstPageObject)}
	s.out = bufio.NewWriterSize(writerFunc(func(b []byte) (int, error) {
		n, err := w.Write(b)
		s.written += int64(n)
		return n, err
	}), 64<<10)
	s.zw = zlib.NewWriter(&s.zbuf)
	s.raw("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	s.object(objFontRegular, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	s.object(objFontBold, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
	s.object(objResources, fmt.Sprintf("<< /ProcSet [/PDF /Text] /Font << /F1 %d 0 R /F2 %d 0 R >> /XObject << /Tot %d 0 R >> >>",
		objFontRegular, objFontBold, objTotal))
	return s
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// offset is where the next byte goes in the file.
func (s *pdfStream) offset() int64 { return s.written + int64(s.out.Buffered()) }

func (s *pdfStream) raw(x string) {
	if s.err == nil {
		_, s.err = s.out.WriteString(x)
	}
}

func (s *pdfStream) rawBytes(x []byte) {
	if s.err == nil {
		_, s.err = s.out.Write(x)
	}
}

// newObject takes the next object number.
func (s *pdfStream) newObject() int {
	s.offsets = append(s.offsets, 0)
	return len(s.offsets) - 1
}

func (s *pdfStream) begin(n int) {
	s.offsets[n] = s.offset()
	s.raw(strconv.Itoa(n) + " 0 obj\n")
}

func (s *pdfStream) object(n int, body string) {
	s.begin(n)
	s.raw(body + "\nendobj\n")
}

// stream writes object n as a stream of data compressed, with the
// dictionary entries dict.
func (s *pdfStream) stream(n int, dict string, data []byte) {
	s.zbuf.Reset()
	s.zw.Reset(&s.zbuf)
	s.zw.Write(data) // a bytes.Buffer does not fail
	s.zw.Close()
	s.begin(n)
	s.raw(fmt.Sprintf("<< %s/Filter /FlateDecode /Length %d >>\nstream\n", dict, s.zbuf.Len()))
	s.rawBytes(s.zbuf.Bytes())
	s.raw("\nendstream\nendobj\n")
}

// beginPage starts a page's content.
func (s *pdfStream) beginPage() {
	s.content.Reset()
	s.fillRGB, s.strokeRGB = [3]int{}, [3]int{} // black
	s.content.WriteString("0.57 w\n")           // 0.2 mm lines
}

// endPage writes the page's content stream and page object.
func (s *pdfStream) endPage() {
	contents := s.newObject()
	s.stream(contents, "", s.content.Bytes())
	page := s.newObject()
	s.object(page, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 841.89 595.28] /Resources %d 0 R /Contents %d 0 R >>",
		objPages, objResources, contents))
	s.kids = append(s.kids, page)
}

// close writes what is known only now, the page tree, the total of pages,
// the document information, the catalogue and the cross-reference table.
func (s *pdfStream) close(title, creator string) error {
	total := strconv.Itoa(len(s.kids))
	s.stream(objTotal, fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 -5 120 20] /Resources << /Font << /F1 %d 0 R >> >> ", objFontRegular),
		[]byte("BT /F1 8 Tf 0.275 0.275 0.275 rg 0 0 Td ("+total+") Tj ET"))
	s.begin(objPages)
	s.raw("<< /Type /Pages /Count " + total + " /Kids [")
	for i, k := range s.kids {
		if i%16 == 0 {
			s.raw("\n")
		}
		s.raw(strconv.Itoa(k) + " 0 R ")
	}
	s.raw("] >>\nendobj\n")
	s.object(objInfo, fmt.Sprintf("<< /Title %s /Creator %s /Producer %s >>", pdfUTF16(title), pdfUTF16(creator), pdfUTF16("ismsd")))
	s.object(objCatalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R /Lang (de-DE) >>", objPages))
	xref := s.offset()
	s.raw(fmt.Sprintf("xref\n0 %d\n0000000000 65535 f \n", len(s.offsets)))
	for _, o := range s.offsets[1:] {
		s.raw(fmt.Sprintf("%010d 00000 n \n", o))
	}
	s.raw(fmt.Sprintf("trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(s.offsets), objCatalog, objInfo, xref))
	if s.err == nil {
		s.err = s.out.Flush()
	}
	return s.err
}

// pdfUTF16 is a text string for the document information: UTF-16 with a
// byte order mark, in hex.
func pdfUTF16(x string) string {
	b := []byte("<FEFF")
	for _, u := range utf16.Encode([]rune(x)) {
		b = fmt.Appendf(b, "%04X", u)
	}
	return string(append(b, '>'))
}

// Content operators. x and y are millimetres from the top left.

func (s *pdfStream) n(v float64) {
	s.num = strconv.AppendFloat(s.num[:0], v, 'f', 2, 64)
	s.content.Write(s.num)
	s.content.WriteByte(' ')
}

func (s *pdfStream) x(v float64) { s.n(v * ptPerMM) }
func (s *pdfStream) y(v float64) { s.n((pageHeight - v) * ptPerMM) }

// colour sets the fill (text) colour, or with stroke the stroke colour.
func (s *pdfStream) colour(r, g, b int, stroke bool) {
	cur := &s.fillRGB
	if stroke {
		cur = &s.strokeRGB
	}
	if *cur == [3]int{r, g, b} {
		return
	}
	*cur = [3]int{r, g, b}
	op := "rg"
	if stroke {
		op = "RG"
	}
	c := fmt.Sprintf("%.3f %.3f %.3f %s", float64(r)/255, float64(g)/255, float64(b)/255, op)
	if r == g && g == b {
		c = fmt.Sprintf("%.3f %s", float64(r)/255, map[bool]string{false: "g", true: "G"}[stroke])
	}
	s.content.WriteString(c + "\n")
}

// text shows t (Windows-1252) in font f (F1 regular, F2 bold) of size
// pt with its baseline starting at x, y.
func (s *pdfStream) text(f string, size float64, x, y float64, t string) {
	s.content.WriteString("BT /" + f + " ")
	s.n(size)
	s.content.WriteString("Tf ")
	s.x(x)
	s.y(y)
	s.content.WriteString("Td (")
	for i := 0; i < len(t); i++ {
		switch c := t[i]; c {
		case '\\', '(', ')':
			s.content.WriteByte('\\')
			s.content.WriteByte(c)
		case '\r':
			s.content.WriteString(`\r`)
		default:
			s.content.WriteByte(c)
		}
	}
	s.content.WriteString(") Tj ET\n")
}

// total draws the page count (the Form XObject /Tot) at baseline x, y.
func (s *pdfStream) total(x, y float64) {
	s.content.WriteString("q 1 0 0 1 ")
	s.x(x)
	s.y(y)
	s.content.WriteString("cm /Tot Do Q\n")
}

// rect fills a rectangle of width w and height h whose top left is x, y.
func (s *pdfStream) rect(x, y, w, h float64) {
	s.x(x)
	s.y(y + h)
	s.n(w * ptPerMM)
	s.n(h * ptPerMM)
	s.content.WriteString("re f\n")
}

// line strokes a horizontal line at y from x1 to x2.
func (s *pdfStream) line(x1, x2, y float64) {
	s.x(x1)
	s.y(y)
	s.content.WriteString("m ")
	s.x(x2)
	s.y(y)
	s.content.WriteString("l S\n")
}
