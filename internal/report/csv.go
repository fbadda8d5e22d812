package report

import (
	"bufio"
	"context"
	"encoding/csv"
	"io"

	"ismsd/internal/objectio"
)

// writeCSV writes the report's one table the way a German Excel opens it
// by double click: UTF-8 with a byte order mark, ";" between cells, CRLF
// line ends, German headings; a cell that a spreadsheet would run as a
// formula is escaped as in the object export. Rows go out as they come.
func (d *document) writeCSV(ctx context.Context, w io.Writer) error {
	t := d.report.Tables[0]
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.Comma, cw.UseCRLF = ';', true
	cells := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cells[i] = c.Title
	}
	if err := cw.Write(cells); err != nil {
		return err
	}
	err := d.rows(ctx, t, func(r Row) error {
		for i := range cells {
			cells[i] = objectio.EscapeCell(text(r[i]))
		}
		return cw.Write(cells)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
