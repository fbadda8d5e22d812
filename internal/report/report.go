// Package report writes a scope's reference documents A.1 to A.6, its
// statement of applicability and its readiness as XLSX, PDF and CSV
// files: in German, generated on demand, and streamed: each table's rows
// come from the store one at a time and go straight into the file, so a
// million check entries never sit in memory.
//
// A report is a definition (reports.go): names, columns and a function
// that reads its rows. The writers (xlsx.go, pdf.go, csv.go) know nothing
// of the reports; adding one is adding a definition.
package report

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/german"
	"ismsd/internal/postgres"
)

// Format is a file format of a report.
type Format string

const (
	XLSX Format = "xlsx"
	PDF  Format = "pdf"
	CSV  Format = "csv"
)

// ContentType is the media type of the format.
func (f Format) ContentType() string {
	switch f {
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case PDF:
		return "application/pdf"
	case CSV:
		return "text/csv; charset=utf-8"
	}
	return "application/octet-stream"
}

// Label names the format for people.
func (f Format) Label() string {
	switch f {
	case XLSX:
		return "Excel (XLSX)"
	case CSV:
		return "CSV"
	}
	return strings.ToUpper(string(f))
}

// Column is a column of a table.
type Column struct {
	Title string
	// Width in characters, as a spreadsheet counts them; the PDF shares
	// its page width among its columns in proportion.
	Width float64
	// NotInPDF leaves the column out of the PDF, whose page is narrower
	// than a spreadsheet; the XLSX and CSV files have it.
	NotInPDF bool
}

// Row is one line of a table. Its cells are string, int, time.Time (a
// calendar date; the zero time is an empty cell), Euro or nil (empty).
type Row []any

// Euro is an amount in euro cents.
type Euro int64

// Table is a table of a report: a sheet of the workbook, a section of
// the PDF.
type Table struct {
	Title   string // the sheet's name (at most 31 characters) and the section's heading
	Columns []Column
	Unit    string // what its rows are, plural, for the closing count: "Einträge"
	// Rows reads the table's rows in order and hands each to emit.
	Rows func(ctx context.Context, db *postgres.DB, q Query, emit func(Row) error) error
	// For says whether a scope's report has the table; nil: every scope's.
	For func(q Query) bool
}

// Report is one report a scope offers.
type Report struct {
	Name    string // in URLs: a4
	Code    string // the reference document, A.4, or ""
	Title   string
	About   string // one German sentence: what it holds
	File    string // the start of the file name: A4_IT-Grundschutz-Check
	Formats []Format
	Tables  []Table
}

// TablesFor are the tables the report has for the query's scope.
func (r *Report) TablesFor(q Query) []Table {
	var out []Table
	for _, t := range r.Tables {
		if t.For == nil || t.For(q) {
			out = append(out, t)
		}
	}
	return out
}

// Heading is the code and title: "A.4 IT-Grundschutz-Check".
func (r *Report) Heading() string { return strings.TrimSpace(r.Code + " " + r.Title) }

// Offers reports whether the report comes in format f.
func (r *Report) Offers(f Format) bool { return slices.Contains(r.Formats, f) }

// Query is what a report is generated for.
type Query struct {
	Scope postgres.ScopeSummary
	// Vis limits the rows to the reader's department subtrees.
	Vis postgres.Visibility
	// Generated is the moment of generation in the organisation's time
	// zone; its date is "today" for what is overdue.
	Generated time.Time
	Version   string // of ismsd, for the footer
}

// Today is the date of generation as the store's dates are kept (UTC midnight).
func (q Query) Today() time.Time {
	y, m, d := q.Generated.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// All lists the reports in the order the reports page shows them.
func All() []*Report { return reports }

// Find returns the report of a name.
func Find(name string) (*Report, bool) {
	for _, r := range reports {
		if r.Name == name {
			return r, true
		}
	}
	return nil, false
}

// FileKey names the report's file in a download path: "a4.xlsx".
func (r *Report) FileKey(f Format) string { return r.Name + "." + string(f) }

// ParseFile reads "a4.xlsx" as the report a4 in XLSX; a report or format
// that is not offered is not found.
func ParseFile(file string) (*Report, Format, error) {
	name, format, _ := strings.Cut(file, ".")
	r, ok := Find(name)
	if !ok || !r.Offers(Format(format)) {
		return nil, "", domain.Errorf(domain.ErrNotFound, "no report %q: reports are named like a4.xlsx", file).
			De("Diesen Bericht gibt es nicht in diesem Format.")
	}
	return r, Format(format), nil
}

// FileName is the name a report file is offered under:
// A4_IT-Grundschutz-Check_Landesdatennetz_2026-05-04.xlsx.
func FileName(r *Report, f Format, q Query) string {
	return fmt.Sprintf("%s_%s_%s.%s", r.File, fileWord(q.Scope.Name), q.Generated.Format("2006-01-02"), f)
}

var notFileChars = regexp.MustCompile(`[^\p{L}\p{N}._-]+`)

// fileWord makes a scope name fit a file name: letters, digits, dots and
// dashes; anything else becomes one dash.
func fileWord(s string) string {
	s = strings.Trim(notFileChars.ReplaceAllString(s, "-"), "-.")
	if s == "" {
		return "Informationsverbund"
	}
	return s
}

// Write generates the report in format f onto w.
func Write(ctx context.Context, w io.Writer, db *postgres.DB, r *Report, f Format, q Query) error {
	if !r.Offers(f) {
		return domain.Errorf(domain.ErrNotFound, "report %s does not come as %s", r.Name, f).De("Diesen Bericht gibt es nicht in diesem Format.")
	}
	view, err := viewOf(ctx, db, q.Vis)
	if err != nil {
		return err
	}
	d := document{report: r, query: q, view: view, db: db}
	switch f {
	case XLSX:
		return d.writeXLSX(ctx, w)
	case PDF:
		return d.writePDF(ctx, w)
	default:
		return d.writeCSV(ctx, w)
	}
}

// document is one report being written.
type document struct {
	report *Report
	query  Query
	view   string // whose view of the scope it shows, in German
	db     *postgres.DB
}

// rows reads the table's rows.
func (d *document) rows(ctx context.Context, t Table, emit func(Row) error) error {
	return t.Rows(ctx, d.db, d.query, emit)
}

// facts are the lines that say what a report file is about.
func (d *document) facts() [][2]string {
	s := d.query.Scope
	return [][2]string{
		{"Bericht", d.report.Heading()},
		{"Informationsverbund", s.Name},
		{"Vorgehensweise", approachText(s)},
		{"Katalog", strings.TrimSpace(s.CatalogTitle + " " + s.CatalogVersion)},
		{"Sicht", d.view},
		{"Erstellt am", german.DateTimeUhr(d.query.Generated)},
		{"Erstellt mit", "ismsd " + d.query.Version},
	}
}

// approachText is how the scope is checked: the approach of BSI-Standard
// 200-2, or the Grundschutz++ method, which knows no approach.
func approachText(s postgres.ScopeSummary) string {
	if s.Method == domain.MethodPlusPlus {
		return s.Method.Label() + " (Anforderungspaket)"
	}
	return s.Approach.Label()
}

// viewOf says in German whose view a report shows: the whole scope, or
// the objects of the reader's department subtrees.
func viewOf(ctx context.Context, db *postgres.DB, vis postgres.Visibility) (string, error) {
	if vis.All {
		return "alle Organisationseinheiten", nil
	}
	var names []string
	for _, id := range vis.Departments {
		d, err := db.DepartmentByID(ctx, id)
		if err != nil {
			return "", err
		}
		names = append(names, d.Name)
	}
	if len(names) == 0 {
		return "keine Organisationseinheit", nil
	}
	return strings.Join(names, ", ") + " mit untergeordneten Einheiten", nil
}

// text is a cell as the PDF and the CSV file print it.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return german.Count(x)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return german.Date(x)
	case Euro:
		return german.Euro(int64(x))
	}
	return fmt.Sprint(v)
}

// date is a cell for a date that may be missing.
func date(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// euro is a cell for an amount that may be missing.
func euro(cents *int64) any {
	if cents == nil {
		return nil
	}
	return Euro(*cents)
}
