package objectio

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// XLSX files: the first sheet, the header in its first non-blank row
// (row 1 as written), one object per row.

// Bounds on unpacking a workbook. A full file of MaxRows rows with
// typical texts unpacks to well under 100 MB; the bounds refuse a zip
// bomb before it fills memory or disk.
const (
	maxUnpacked = 256 << 20 // all parts together, uncompressed
	maxPart     = 16 << 20  // a larger worksheet is spilled by excelize to a temporary file
	maxParts    = 1000      // a workbook of one sheet has about a dozen
)

// sheetName is the name of the sheet Write creates.
const sheetName = "Zielobjekte"

func scanXLSX(src Source, each func(Line) error) (fileErrs []RowError, err error) {
	if err := checkArchive(src, maxUnpacked); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(io.NewSectionReader(src, 0, src.Size()), excelize.Options{
		UnzipSizeLimit:    maxUnpacked,
		UnzipXMLSizeLimit: maxPart,
		// Cells as stored, not as formatted: an ID such as 1234567 would
		// otherwise come back as "1,234,567" under a number format.
		RawCellValue: true,
	})
	if err != nil {
		return nil, unreadable("not a readable Excel workbook: "+err.Error(),
			"keine lesbare Excel-Arbeitsmappe: "+err.Error())
	}
	defer f.Close() // removes the temporary files of spilled worksheets
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, unreadable("the workbook has no sheet", "die Arbeitsmappe hat kein Tabellenblatt")
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, sheetError(sheets[0], err)
	}
	defer func() {
		if cerr := it.Close(); err == nil && cerr != nil {
			fileErrs, err = nil, sheetError(sheets[0], cerr)
		}
	}()
	t := newTable(each)
	row := 0
	// The iterator yields gaps as empty rows, so counting gives the row
	// number; the rows themselves are decoded one at a time.
	for it.Next() {
		row++
		cells, err := it.Columns()
		if err != nil {
			return nil, sheetError(sheets[0], err)
		}
		if blank(cells) {
			continue
		}
		if err := t.add(row, cells); err != nil {
			return nil, err
		}
	}
	if err := it.Error(); err != nil {
		return nil, sheetError(sheets[0], err)
	}
	if t.h == nil {
		return nil, unreadable(fmt.Sprintf("the first sheet (%s) is empty: it has no header row", sheets[0]),
			fmt.Sprintf("das erste Tabellenblatt (%s) ist leer: es hat keine Kopfzeile", sheets[0]))
	}
	return t.c.fileErrs, nil
}

func sheetError(sheet string, err error) error {
	return unreadable(fmt.Sprintf("cannot read the sheet %s: %v", sheet, err),
		fmt.Sprintf("das Tabellenblatt %s ist nicht lesbar: %v", sheet, err))
}

// checkArchive vets the zip container before excelize opens it. Excelize
// bounds the unpacked size only by the sizes the entries declare, and
// takes a damaged entry silently as truncated. So the declared sizes are
// bounded first, which refuses an honest bomb without unpacking anything;
// then every entry is unpacked once to nowhere, which makes archive/zip
// check its CRC and refuse an entry that unpacks to more than it declares
// (a bomb that lies in its headers).
func checkArchive(src Source, limit uint64) error {
	head := make([]byte, len(oleMagic))
	if n, _ := src.ReadAt(head, 0); bytes.Equal(head[:n], oleMagic) {
		return errOLE()
	}
	zr, err := zip.NewReader(src, src.Size())
	if err != nil {
		return unreadable(fmt.Sprintf("not an Excel workbook (.xlsx): not a zip archive, or a truncated one (%v)", err),
			"keine Excel-Arbeitsmappe (.xlsx): kein oder ein unvollständiges ZIP-Archiv")
	}
	if len(zr.File) > maxParts {
		return unreadable(fmt.Sprintf("refused: the workbook has %d parts, more than the limit of %d", len(zr.File), maxParts),
			fmt.Sprintf("abgelehnt: die Arbeitsmappe hat %d Teile, mehr als die Höchstzahl %d", len(zr.File), maxParts))
	}
	var types, book bool
	var declared uint64
	for _, f := range zr.File {
		switch strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/")) {
		case "[content_types].xml":
			types = true
		case "xl/workbook.xml":
			book = true
		}
		// Compared one by one first, so that the sum cannot overflow.
		if f.UncompressedSize64 > limit {
			return errBomb(limit)
		}
		if declared += f.UncompressedSize64; declared > limit {
			return errBomb(limit)
		}
	}
	if !types || !book {
		return unreadable("a zip archive, but not an Excel workbook (.xlsx)",
			"ein ZIP-Archiv, aber keine Excel-Arbeitsmappe (.xlsx)")
	}
	for _, f := range zr.File {
		if err := drain(f); err != nil {
			return err
		}
	}
	return nil
}

func drain(f *zip.File) error {
	rc, err := f.Open()
	if err == nil {
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
	}
	if err == nil {
		return nil
	}
	reason := err.Error()
	if errors.Is(err, zip.ErrFormat) {
		// archive/zip says "not a valid zip file" also when an entry
		// unpacks to more than it declares.
		reason = "it unpacks to other than its declared size, or is corrupt"
	}
	return unreadable(fmt.Sprintf("refused: damaged workbook, part %s: %s", f.Name, reason),
		fmt.Sprintf("abgelehnt: beschädigte Arbeitsmappe, Teil %s", f.Name))
}

func errBomb(limit uint64) error {
	return unreadable(fmt.Sprintf("refused: the workbook unpacks to more than the limit of %d bytes", limit),
		fmt.Sprintf("abgelehnt: die Arbeitsmappe entpackt sich zu mehr als %d Bytes", limit))
}

// writeXLSX streams the rows into one sheet. Booleans and member counts
// are typed cells (Excel shows WAHR/FALSCH and numbers); everything else
// is text, never a formula, so an export cannot carry formula injection.
func writeXLSX(w io.Writer, rows []Row) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName(f.GetSheetName(0), sheetName); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	// Settings before the first row, as the stream writer requires.
	if err := sw.SetColWidth(1, int(numColumns), 22); err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, numColumns)
	for i, n := range columnNames {
		head[i] = excelize.Cell{StyleID: bold, Value: n}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	vals := make([]any, numColumns)
	for i := range rows {
		r := &rows[i]
		for j, t := range r.texts() {
			vals[j] = nil // no cell at all: smaller, and faster to read back
			if t != "" {
				vals[j] = t
			}
		}
		vals[cNoSuitableModule] = r.NoSuitableModule
		vals[cUntypicalEnvironment] = r.UntypicalEnvironment
		vals[cGroup] = r.Group
		vals[cMembers] = r.members()
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, vals); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
