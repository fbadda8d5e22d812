package objectio

import (
	"bytes"
	"io"
	"path"
	"strings"

	"ismsd/internal/domain"
	"ismsd/internal/german"
)

// Format is a file format: "csv", "xlsx" or "json".
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
	JSON Format = "json"
)

// Formats lists the formats.
var Formats = []Format{CSV, XLSX, JSON}

// codec is how a format is read (Scan) and written (Write).
type codec struct {
	scan  func(Source, func(Line) error) ([]RowError, error)
	write func(io.Writer, []Row) error
}

var codecs = map[Format]codec{CSV: {scanCSV, writeCSV}, XLSX: {scanXLSX, writeXLSX}, JSON: {scanJSON, writeJSON}}

// ParseFormat reads a format name such as "csv" or ".XLSX".
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), ".")))
	switch f {
	case CSV, XLSX, JSON:
		return f, nil
	}
	return "", domain.Errorf(domain.ErrInvalid, "unknown file format %q; want csv, xlsx or json", s).
		De("unbekanntes Dateiformat „" + s + "“; erlaubt: csv, xlsx, json")
}

// Magic numbers of the containers a spreadsheet may come in.
var (
	zipMagic = []byte("PK\x03\x04")
	// oleMagic starts a Compound File: a legacy .xls, or an .xlsx
	// encrypted with a password (Excel wraps those in one).
	oleMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}
)

// DetectFormat tells the format of a file from its first bytes, with the
// file name as a hint. Content wins where it is unambiguous: a zip archive
// is XLSX, text starting with "{" or "[" is JSON. Other content is CSV,
// unless the name ends in .xlsx or .json: then the reader of that format
// reports what is wrong with the file, which helps more than a CSV header
// made of garbage. A legacy or encrypted Excel file is refused here.
func DetectFormat(name string, head []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(head, zipMagic):
		return XLSX, nil
	case bytes.HasPrefix(head, oleMagic):
		return "", errOLE()
	}
	text := bytes.TrimLeft(bytes.TrimPrefix(head, bom), " \t\r\n")
	if len(text) > 0 && (text[0] == '{' || text[0] == '[') {
		return JSON, nil
	}
	switch strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/"))) {
	case ".xlsx", ".xlsm":
		return XLSX, nil
	case ".json":
		return JSON, nil
	}
	return CSV, nil
}

func errOLE() error {
	return unreadable("a legacy Excel file (.xls) or a password-protected workbook; save it as an unprotected .xlsx",
		"eine alte Excel-Datei (.xls) oder eine kennwortgeschützte Arbeitsmappe; bitte als .xlsx ohne Kennwort speichern")
}

// unreadable is the error for a file that cannot be read at all.
func unreadable(detail, german string) error {
	return domain.Errorf(domain.ErrInvalid, "%s", detail).De(german)
}

func errTooManyRows() error {
	return domain.Errorf(domain.ErrTooLarge, "the file has more than %d rows", MaxRows).
		De("die Datei hat mehr als " + german.Count(MaxRows) + " Zeilen")
}
