// Package krt reads the BSI's cross-reference tables (Kreuzreferenztabellen,
// KRT): an Excel workbook that links every requirement of the
// IT-Grundschutz-Kompendium to the elementary threats it counters and names
// the security objectives (C, I, A) a requirement serves especially.
//
// The workbook holds one sheet per module, named "KRT_<module>.xlsx". Row 1
// reads: A the module ID, B "Name", C "CIA", then one column per elementary
// threat ("G 0.N"). Every further row is one requirement: A its ID, B its
// name ("ENTFALLEN" when withdrawn), C its objectives ("CI", "CIA", …), and
// a mark in every threat column it is linked to. A mark is "X"; the 2023
// edition's sheet SYS.2.1 writes the threat's number instead (79 cells), so
// a number equal to the column's threat number counts as a link, too.
// Anything else is refused with the sheet and cell, since a mark we do not
// understand would silently drop or invent a link.
//
// Sheets not named KRT_… are ignored; a workbook without any is refused.
package krt

import (
	"bytes"
	"io"

	"github.com/xuri/excelize/v2"

	"ismsd/internal/catalog"
	"ismsd/internal/domain"
)

// Bounds on unpacking the workbook. The 2023 workbook is 0.37 MB packed
// and 1.6 MB unpacked; the bounds leave room for growth but refuse a zip
// bomb before it fills memory or disk.
const (
	// MaxUnpackedSize bounds all parts of the workbook together, uncompressed.
	MaxUnpackedSize = 64 << 20
	// MaxPartSize is the largest part excelize keeps in memory; a larger
	// worksheet is spilled to a temporary file and streamed from there.
	MaxPartSize = 16 << 20
	// maxEntries bounds the number of parts; the 2023 workbook has 342.
	maxEntries = 10_000
)

// limits are the unpacking bounds, variable so that tests can refuse a
// small bomb quickly.
type limits struct {
	unpacked int64 // all parts together
	part     int64 // one part in memory
}

var defaultLimits = limits{unpacked: MaxUnpackedSize, part: MaxPartSize}

// Parse reads the cross-reference workbook. r must be an io.ReaderAt of
// the given size. The caller bounds size (the file is read into memory
// once, as excelize needs it); the unpacked size is bounded here.
//
// Requirement and threat IDs are normalised as in the Kompendium
// ("OPS.2.3A22" → "OPS.2.3.A22", "G0.5" → "G 0.5"), and IDs are trimmed:
// the 2023 workbook has trailing blanks on some of them.
func Parse(r io.ReaderAt, size int64) (domain.CrossReference, error) {
	return parse(r, size, defaultLimits)
}

func parse(r io.ReaderAt, size int64, lim limits) (domain.CrossReference, error) {
	if err := checkArchive(r, size, lim); err != nil {
		return domain.CrossReference{}, err
	}
	f, err := excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{
		UnzipSizeLimit:    lim.unpacked,
		UnzipXMLSizeLimit: lim.part,
		RawCellValue:      true, // SYS.2.1's numeric marks as written, not formatted
	})
	if err != nil {
		return domain.CrossReference{}, catalog.Errorf("", "not a readable Excel workbook: %v", err)
	}
	defer f.Close() // removes the temporary files of spilled worksheets

	sheets := krtSheets(f.GetSheetList())
	if len(sheets) == 0 {
		return domain.CrossReference{}, catalog.Errorf("",
			"an Excel workbook, but without sheets named KRT_<module>.xlsx: not the cross-reference tables (KRT)")
	}
	p := newParser()
	for _, s := range sheets {
		if err := p.sheet(f, s); err != nil {
			return domain.CrossReference{}, err
		}
	}
	return p.out, nil
}

// ParseBytes is Parse for a workbook held in memory.
func ParseBytes(b []byte) (domain.CrossReference, error) {
	return Parse(bytes.NewReader(b), int64(len(b)))
}
