package objectio

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"
)

// Source is an import file that can be read more than once: an upload
// spooled to disk, or bytes in memory (*bytes.Reader).
type Source interface {
	io.ReaderAt
	Size() int64
}

// Line is one data row of a file as Scan hands it on.
type Line struct {
	Row    Row        // as far as it could be read; import it only when OK
	Errors []RowError // the problems of this line, in column order
	// OK says the row may be imported: it has no problem, and the file has
	// every required column.
	OK bool
}

// Scan reads a file row by row and hands every data row to each, in file
// order; only the current row is in memory (of a workbook also its packed
// file, which the spreadsheet library reads whole, and the parts below
// maxPart), so a file of any size is read in bounded memory and can be
// read again for a second pass. It returns
// the problems of the file as a whole (line 0). A file that cannot be read
// at all (not CSV, a truncated workbook, invalid JSON, more than MaxRows
// rows) is an error (a *domain.Error: ErrInvalid, or ErrTooLarge for too
// many rows), found wherever it is: the rows handed on before count for
// nothing then. An error of each stops the scan and is returned.
func Scan(f Format, src Source, each func(Line) error) ([]RowError, error) {
	if cd, ok := codecs[f]; ok {
		return cd.scan(src, each)
	}
	_, err := ParseFormat(string(f))
	return nil, err
}

// Read parses a whole file held in memory: the rows without problems and
// every problem, ordered by line (the file's own first) and, in a line,
// by the canonical column order. Errors are as for Scan.
//
// When the file lacks a required column, its rows are still checked, so
// that every problem is reported at once, but none is returned.
func Read(f Format, data []byte) ([]Row, []RowError, error) {
	var rows []Row
	var errs []RowError
	fileErrs, err := Scan(f, bytes.NewReader(data), func(l Line) error {
		if l.OK {
			rows = append(rows, l.Row)
		}
		errs = append(errs, l.Errors...)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return rows, append(fileErrs, errs...), nil
}

// textReader passes text through and stops at the first byte that cannot
// be in it, naming its line: invalid UTF-8, and (for CSV) NUL. The CSV
// and JSON readers would pass on the first and garble the text.
type textReader struct {
	r        io.Reader
	nulOK    bool   // JSON: its decoder refuses a NUL itself
	line     int    // of the next byte
	partial  []byte // the start of a character split by the last read
	mistaken error
}

func newTextReader(r io.Reader, nulOK bool) *textReader {
	return &textReader{r: r, nulOK: nulOK, line: 1, partial: make([]byte, 0, utf8.UTFMax)}
}

// errNotText is the reason a textReader stops, with the line.
type errNotText struct {
	line   int
	binary bool // a NUL byte, not broken UTF-8
}

func (e *errNotText) Error() string { return fmt.Sprintf("line %d is not text", e.line) }

func (t *textReader) Read(p []byte) (int, error) {
	if t.mistaken != nil {
		return 0, t.mistaken
	}
	n, err := t.r.Read(p)
	b, i := p[:n], 0
	for len(t.partial) > 0 && i < len(b) && !utf8.FullRune(t.partial) {
		t.partial = append(t.partial, b[i])
		i++
	}
	if len(t.partial) > 0 && utf8.FullRune(t.partial) {
		if r, size := utf8.DecodeRune(t.partial); r == utf8.RuneError && size == 1 {
			return t.fail(false)
		}
		t.partial = t.partial[:0]
	}
	for i < len(b) {
		c := b[i]
		switch {
		case c == 0 && !t.nulOK:
			return t.fail(true)
		case c == '\n':
			t.line++
			i++
		case c < utf8.RuneSelf:
			i++
		case !utf8.FullRune(b[i:]):
			t.partial = append(t.partial, b[i:]...)
			i = len(b)
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				return t.fail(false)
			}
			i += size
		}
	}
	if err == io.EOF && len(t.partial) > 0 {
		return t.fail(false) // the file ends inside a character
	}
	return n, err
}

func (t *textReader) fail(binary bool) (int, error) {
	t.mistaken = &errNotText{line: t.line, binary: binary}
	return 0, t.mistaken
}

// lineAt is the 1-based line of byte offset off of src.
func lineAt(src Source, off int64) int {
	line := 1
	buf := make([]byte, 64<<10)
	for pos := int64(0); pos < off; {
		n, err := src.ReadAt(buf[:min(int64(len(buf)), off-pos)], pos)
		line += bytes.Count(buf[:n], []byte{'\n'})
		pos += int64(n)
		if err != nil {
			break
		}
	}
	return line
}
