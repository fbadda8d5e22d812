package objectio

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// CSV files are RFC 4180, UTF-8, with a header row.
//
// Written files use ";" as separator, CRLF line ends and a UTF-8 byte
// order mark: that is what a German Excel reads by double click without
// the import wizard (with "," and no BOM it puts every row into one cell
// and garbles the umlauts). Read files may use "," or ";", told from the
// header line, with or without BOM.
//
// Cells that a spreadsheet would run as a formula (starting with "=", "+",
// "-", "@", tab or CR) are written with a leading apostrophe, as OWASP
// recommends against CSV injection: an export holds text anyone could
// enter, and it is opened in Excel. Reading removes that apostrophe again
// (and one in front of an apostrophe, which is escaped the same way), so
// files round-trip.

var bom = []byte("\ufeff")

func scanCSV(src Source, each func(Line) error) ([]RowError, error) {
	head := make([]byte, min(src.Size(), 64<<10))
	if _, err := src.ReadAt(head, 0); err != nil && err != io.EOF {
		return nil, err
	}
	if bytes.HasPrefix(head, []byte{0xff, 0xfe}) || bytes.HasPrefix(head, []byte{0xfe, 0xff}) {
		return nil, unreadable(`the file is UTF-16 text; save it as "CSV UTF-8"`,
			"die Datei ist UTF-16-kodiert; bitte als „CSV UTF-8 (durch Trennzeichen getrennt)“ speichern")
	}
	start := int64(0)
	if bytes.HasPrefix(head, bom) {
		start = int64(len(bom))
	}
	text := newTextReader(io.NewSectionReader(src, start, src.Size()-start), false)
	r := csv.NewReader(text)
	r.Comma = separator(head[start:])
	r.FieldsPerRecord = -1 // short rows are padded, long ones checked cell by cell
	r.ReuseRecord = true
	t := newTable(each)
	for {
		cells, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		if blank(cells) {
			continue // a row of empty cells, as spreadsheets leave them
		}
		line, _ := r.FieldPos(0)
		for i := range cells {
			cells[i] = unescapeCell(cells[i])
		}
		if err := t.add(line, cells); err != nil {
			return nil, err
		}
	}
	if t.h == nil {
		return nil, unreadable("the file is empty: it has no header row",
			"die Datei ist leer: sie hat keine Kopfzeile")
	}
	return t.c.fileErrs, nil
}

// notText is the error for a CSV or JSON file with bytes that are not
// UTF-8 text. Excel's plain "CSV" is Windows-1252, which is caught here
// with the line of the first offending byte rather than imported garbled.
func notText(e *errNotText, format Format) error {
	switch {
	case e.binary:
		return unreadable(fmt.Sprintf("not a CSV file: line %d holds binary data", e.line),
			fmt.Sprintf("keine CSV-Datei: Zeile %d enthält Binärdaten", e.line))
	case format == CSV:
		return unreadable(fmt.Sprintf(`line %d is not UTF-8 text; save the file as "CSV UTF-8"`, e.line),
			fmt.Sprintf("Zeile %d ist nicht UTF-8-kodiert; bitte als „CSV UTF-8 (durch Trennzeichen getrennt)“ speichern", e.line))
	}
	return unreadable(fmt.Sprintf("line %d is not UTF-8 text", e.line), fmt.Sprintf("Zeile %d ist nicht UTF-8-kodiert", e.line))
}

// separator tells ";" from "," by counting both, outside quotes, in the
// header line (the first line that is not blank, as the CSV reader skips
// blank lines too). A header of one column has neither; "," is then as
// good as any.
func separator(text []byte) rune {
	var semi, comma int
	quoted, content := false, false
scan:
	for _, b := range text {
		switch {
		case b == '"':
			quoted, content = !quoted, true
		case quoted:
		case b == '\n':
			if content {
				break scan
			}
		case b == ';':
			semi++
		case b == ',':
			comma++
		case b != ' ' && b != '\t' && b != '\r':
			content = true
		}
	}
	if semi > comma {
		return ';'
	}
	return ','
}

func csvError(err error) error {
	var nt *errNotText
	if errors.As(err, &nt) {
		return notText(nt, CSV)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return unreadable(fmt.Sprintf("not a readable CSV file: line %d, column %d: %v", pe.Line, pe.Column, pe.Err),
			fmt.Sprintf("keine lesbare CSV-Datei: Zeile %d, Zeichen %d: %s", pe.Line, pe.Column, germanCSV(pe.Err)))
	}
	return unreadable("not a readable CSV file: "+err.Error(), "keine lesbare CSV-Datei: "+err.Error())
}

func germanCSV(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return "Anführungszeichen mitten in einem Feld ohne Anführungszeichen"
	case errors.Is(err, csv.ErrQuote):
		return "Anführungszeichen falsch gesetzt oder nicht geschlossen"
	}
	return err.Error()
}

// formulaStart are the first characters that make a spreadsheet read a
// cell as formula; the apostrophe itself is escaped so that the escape
// can be undone unambiguously.
const formulaStart = "=+-@\t\r'"

// EscapeCell prefixes an apostrophe to a cell a spreadsheet would run as
// a formula; every CSV file written for Excel passes its cells through it.
func EscapeCell(s string) string {
	if s != "" && strings.IndexByte(formulaStart, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

func unescapeCell(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.IndexByte(formulaStart, s[1]) >= 0 {
		return s[1:]
	}
	return s
}

func writeCSV(w io.Writer, rows []Row) error {
	if _, err := w.Write(bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	cw.UseCRLF = true
	if err := cw.Write(columnNames[:]); err != nil {
		return err
	}
	for i := range rows {
		cells := rows[i].texts()
		for j := range cells {
			cells[j] = EscapeCell(cells[j])
		}
		if err := cw.Write(cells[:]); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
