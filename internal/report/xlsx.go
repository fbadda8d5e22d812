package report

import (
	"archive/zip"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// maxCellLength is the most characters Excel holds in a cell.
const maxCellLength = 32767

// maxSheetRows is the most rows of an Excel sheet (a variable so that a
// test can try a shorter one).
var maxSheetRows = 1 << 20

// xlsxStyles are the cell styles of a report workbook.
type xlsxStyles struct{ header, wrap, date, money, label int }

func newXLSXStyles(f *excelize.File) (xlsxStyles, error) {
	var s xlsxStyles
	dateFormat, moneyFormat := "DD.MM.YYYY", `#,##0.00 "€"`
	top := &excelize.Alignment{Vertical: "top"}
	for _, x := range []struct {
		dst   *int
		style excelize.Style
	}{
		{&s.header, excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E79"}},
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}},
		{&s.wrap, excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&s.date, excelize.Style{CustomNumFmt: &dateFormat, Alignment: top}},
		{&s.money, excelize.Style{CustomNumFmt: &moneyFormat, Alignment: top}},
		{&s.label, excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: top}},
	} {
		id, err := f.NewStyle(&x.style)
		if err != nil {
			return s, err
		}
		*x.dst = id
	}
	return s, nil
}

// writeXLSX writes a workbook with a sheet per table (a table longer
// than Excel's sheet goes on in further sheets) and a sheet of facts.
// Each table sheet is written through excelize's StreamWriter, which
// keeps a bounded buffer and spills the rest to a temporary file.
func (d *document) writeXLSX(ctx context.Context, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close() // removes the temporary files
	// excelize assembles the whole archive in a memory buffer before
	// writing it out; a zip writer on w instead streams it. (Its patch of
	// the buffer for parts over 4 GB cannot happen: a sheet ends at
	// Excel's row limit far below that.)
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return zw
	})
	styles, err := newXLSXStyles(f)
	if err != nil {
		return err
	}
	sheets := 0
	for _, t := range d.report.TablesFor(d.query) {
		if sheets, err = d.xlsxTable(ctx, f, styles, t, sheets); err != nil {
			return err
		}
	}
	if err := d.xlsxFacts(f, styles); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{Title: d.report.Heading() + " – " + d.query.Scope.Name, Creator: "ismsd",
		Description: "Sicht: " + d.view, Language: "de-DE", Created: d.query.Generated.UTC().Format(time.RFC3339)}); err != nil {
		return err
	}
	return f.Write(w)
}

// xlsxTable streams a table into one sheet, or several when it is longer
// than a sheet can be, and returns the number of sheets written so far.
func (d *document) xlsxTable(ctx context.Context, f *excelize.File, styles xlsxStyles, t Table, sheets int) (int, error) {
	var (
		sw    *excelize.StreamWriter
		name  string
		row   int // the last row written to the current sheet
		part  int
		cells = make([]any, len(t.Columns))
	)
	start := func() error {
		part++
		name = sheetName(t.Title, part)
		var err error
		if sheets == 0 {
			err = f.SetSheetName("Sheet1", name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return err
		}
		sheets++
		if sw, err = f.NewStreamWriter(name); err != nil {
			return err
		}
		// excelize puts each column set first: set in reverse, they come
		// out in ascending order, as Excel expects them.
		for i := len(t.Columns) - 1; i >= 0; i-- {
			if err := sw.SetColWidth(i+1, i+1, t.Columns[i].Width); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		header := make([]any, len(t.Columns))
		for i, c := range t.Columns {
			header[i] = excelize.Cell{StyleID: styles.header, Value: c.Title}
		}
		row = 1
		return sw.SetRow("A1", header, excelize.RowOpts{Height: 30})
	}
	finish := func() error {
		last, err := excelize.CoordinatesToCellName(len(t.Columns), max(row, 2))
		if err != nil {
			return err
		}
		// Set before Flush, which writes the sheet's filter after its rows.
		if err := f.AutoFilter(name, "A1:"+last, nil); err != nil {
			return err
		}
		return sw.Flush()
	}
	if err := start(); err != nil {
		return sheets, err
	}
	err := d.rows(ctx, t, func(r Row) error {
		if row == maxSheetRows {
			if err := finish(); err != nil {
				return err
			}
			if err := start(); err != nil {
				return err
			}
		}
		row++
		for i := range cells {
			cells[i] = xlsxCell(r[i], t.Columns[i], styles)
		}
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, cells)
	})
	if err != nil {
		return sheets, err
	}
	return sheets, finish()
}

// xlsxCell is a row's value as the stream writer takes it: text as text
// (never a formula), dates and amounts as numbers with their format.
func xlsxCell(v any, c Column, styles xlsxStyles) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if x == "" {
			return nil
		}
		if len(x) > maxCellLength && utf8.RuneCountInString(x) > maxCellLength {
			x = truncateRunes(x, maxCellLength-1) + "…"
		}
		if c.Width >= 24 {
			return excelize.Cell{StyleID: styles.wrap, Value: x}
		}
		return x
	case time.Time:
		if x.IsZero() {
			return nil
		}
		return excelize.Cell{StyleID: styles.date, Value: x}
	case Euro:
		return excelize.Cell{StyleID: styles.money, Value: float64(x) / 100}
	}
	return v
}

// xlsxFacts adds the sheet that says what the workbook is: report, scope,
// view, time and version of generation.
func (d *document) xlsxFacts(f *excelize.File, styles xlsxStyles) error {
	const name = "Angaben"
	if _, err := f.NewSheet(name); err != nil {
		return err
	}
	for i, fact := range d.facts() {
		if err := f.SetSheetRow(name, fmt.Sprintf("A%d", i+1), &[]any{fact[0], fact[1]}); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(name, "A1", fmt.Sprintf("A%d", len(d.facts())), styles.label); err != nil {
		return err
	}
	if err := f.SetColWidth(name, "A", "A", 22); err != nil {
		return err
	}
	return f.SetColWidth(name, "B", "B", 70)
}

// sheetName is a table's sheet name within Excel's rules (at most 31
// characters, none of : \ / ? * [ ]); further parts of a long table are
// numbered.
func sheetName(title string, part int) string {
	title = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, title)
	suffix := ""
	if part > 1 {
		suffix = fmt.Sprintf(" (%d)", part)
	}
	return truncateRunes(title, 31-utf8.RuneCountInString(suffix)) + suffix
}

// truncateRunes cuts s to at most n characters.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
