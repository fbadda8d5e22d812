package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"
	"github.com/xuri/excelize/v2"

	"ismsd/internal/domain"
	"ismsd/internal/heapwatch"
	"ismsd/internal/postgres"
	"ismsd/internal/scaletest"
)

// reportScope is the UI test scope with something for every report: the
// process's high confidentiality need inherited by the application and
// the server; both servers (S-001 of the Landesrechenzentrum below the
// Finanzministerium, S-900 of the Innenministerium) modelled with
// SYS.1.1 and the scope itself with ISMS.1; S-001's SYS.1.1.A1 not
// implemented, with a planned measure with budget; and a risk analysis of
// S-001 with an assessed threat.
func reportScope(t *testing.T, e *testEnv) uiScope {
	t.Helper()
	s := newUIScope(t, e)
	s.depend(t, s.process, s.app)
	s.depend(t, s.app, s.server)
	s.setOwn(t, s.process, domain.NeedHigh, domain.NeedNormal, domain.NeedNormal)
	s.assign(t, []int64{s.server, s.innSystem}, "SYS.1.1")
	s.assign(t, []int64{s.scope.ObjectID}, "ISMS.1")
	entry := setCheckEntry(t, e, s, s.server, "SYS.1.1.A1", domain.StatusNo)
	ctx := context.Background()
	err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		items, _, err := tx.ListPlanItems(ctx, s.scope.ID, domain.PlanFilter{}, postgres.Everything)
		if err != nil || len(items) != 1 || items[0].EntryID != entry {
			t.Fatalf("plan %+v %v", items, err)
		}
		owner, budget, due := "Serverbetrieb TLRZ", int64(125050), time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
		dueRef, budgetRef := &due, &budget
		if _, err := tx.UpdatePlanItem(ctx, items[0].ID, items[0].Version,
			domain.PlanChange{Owner: &owner, BudgetCents: &budgetRef, DueDate: &dueRef}, postgres.Everything); err != nil {
			return err
		}
		if _, err := tx.CreateRiskAnalysis(ctx, s.server, domain.RiskAnalysisInput{Summary: "Ausfall des Managements"}, postgres.Everything); err != nil {
			return err
		}
		it, err := tx.AddRiskItem(ctx, s.server, domain.RiskItemInput{ThreatID: "G 0.1"}, postgres.Everything)
		if err != nil {
			return err
		}
		f, i, tr := domain.FrequencyMedium, domain.ImpactSubstantial, domain.TreatmentAccept
		_, err = tx.UpdateRiskItem(ctx, it.ID, it.Version, domain.RiskItemChange{Frequency: &f, Impact: &i, Treatment: &tr,
			ResidualFrequency: &f, ResidualImpact: &i}, postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// download fetches a report file and checks the headers every download has.
func download(t *testing.T, c *client, path, contentType string) []byte {
	t.Helper()
	r := c.do("GET", path, nil, nil)
	if r.status != http.StatusOK {
		t.Fatalf("%s: %d %.300s", path, r.status, r.body)
	}
	if got := r.header.Get("Content-Type"); got != contentType {
		t.Errorf("%s: Content-Type %q, want %q", path, got, contentType)
	}
	if r.header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("%s: headers %v", path, r.header)
	}
	return r.body
}

// sheetRows reads the first sheet of a workbook.
func sheetRows(t *testing.T, b []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// workbookSheet reads a sheet of a workbook.
func workbookSheet(t *testing.T, b []byte, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	return rows
}

// workbookText is every cell of every sheet of a workbook, one line each.
func workbookText(t *testing.T, b []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sb strings.Builder
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			sb.WriteString(strings.Join(r, "\n") + "\n")
		}
	}
	return sb.String()
}

// cellValue reads a cell of the first sheet as stored: a number as a number.
func cellValue(t *testing.T, b []byte, cell string) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, err := f.GetCellValue(f.GetSheetList()[0], cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// rowsWith are the rows that have a cell equal to each of cells.
func rowsWith(rows [][]string, cells ...string) [][]string {
	var out [][]string
	for _, r := range rows {
		all := true
		for _, c := range cells {
			all = all && slices.Contains(r, c)
		}
		if all {
			out = append(out, r)
		}
	}
	return out
}

// pdfPlainText extracts a PDF's text.
func pdfPlainText(t *testing.T, b []byte) string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		s, err := r.Page(i).GetPlainText(nil)
		if err != nil {
			t.Fatal(err)
		}
		sb.WriteString(s)
	}
	return sb.String()
}

// pdfContains reports whether the text of a PDF holds s, wherever the
// lines of a wrapped cell break.
func pdfContains(text, s string) bool {
	squeeze := func(x string) string { return strings.Join(strings.Fields(x), "") }
	return strings.Contains(squeeze(text), squeeze(s))
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func TestReportFiles(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := reportScope(t, e)
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	base := "/api/v1" + s.url("/reports")

	// The list names every report with its downloads.
	r := c.do("GET", base, nil, nil)
	mustStatus(t, r, http.StatusOK)
	var list struct {
		Items []struct {
			Name    string `json:"name"`
			Formats []struct {
				Format    string `json:"format"`
				MediaType string `json:"media_type"`
				Href      string `json:"href"`
			} `json:"formats"`
		} `json:"items"`
	}
	r.json(t, &list)
	var names []string
	for _, it := range list.Items {
		names = append(names, it.Name)
	}
	if strings.Join(names, " ") != "a1 a2 a3 a4 a5 a6 soa readiness" {
		t.Errorf("reports %q", names)
	}
	// Every file of every report comes with its type and name.
	name := regexp.MustCompile(`^attachment; filename="?[A-Za-z0-9_-]+_Landesdatennetz_\d{4}-\d{2}-\d{2}\.(xlsx|pdf|csv)"?$`)
	for _, it := range list.Items {
		for _, f := range it.Formats {
			res := c.do("GET", f.Href, nil, nil)
			if res.status != http.StatusOK || res.header.Get("Content-Type") != f.MediaType || len(res.body) < 100 {
				t.Errorf("%s: %d %s, %d bytes", f.Href, res.status, res.header.Get("Content-Type"), len(res.body))
			}
			if cd := res.header.Get("Content-Disposition"); !name.MatchString(cd) {
				t.Errorf("%s: Content-Disposition %q", f.Href, cd)
			}
		}
	}

	// A.4: every active entry, by object and requirement.
	entries, _, err := e.db.ListEntries(context.Background(), s.scope.ID, domain.EntryFilter{Limit: 1000}, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	rows := sheetRows(t, download(t, c, base+"/a4.xlsx", xlsxType))
	if len(rows) != len(entries)+1 || len(entries) < 10 {
		t.Fatalf("A.4 has %d rows for %d entries", len(rows), len(entries))
	}
	if rows[0][0] != "Kürzel" || rows[0][4] != "Anforderung" || rows[0][7] != "Umsetzungsstatus" || rows[0][14] != "Nächste Prüfung" {
		t.Errorf("A.4 header %q", rows[0])
	}
	a1 := rowsWith(rows, "S-001", "SYS.1.1.A1")
	if len(a1) != 1 || !slices.Equal(a1[0][:10], []string{"S-001", "Managementserver", "Landesrechenzentrum", "SYS.1.1", "SYS.1.1.A1",
		"Zugriffsschutz und Nutzung", "B", "nein", "Ersatzteile erst 2027 lieferbar.", ""}) {
		t.Errorf("A.4 row of S-001 SYS.1.1.A1: %q", a1)
	}
	if len(rowsWith(rows, "ISMS.1")) == 0 || len(rowsWith(rows, "S-900")) == 0 {
		t.Error("A.4 lacks the scope-wide module or the Innenministerium's server")
	}
	text := pdfPlainText(t, download(t, c, base+"/a4.pdf", "application/pdf"))
	for _, want := range []string{"A.4 IT-Grundschutz-Check", "Landesdatennetz", "SYS.1.1.A1", "Zugriffsschutz und Nutzung",
		"Ersatzteile erst 2027 lieferbar.", "Seite 1 von ", strconv.Itoa(len(entries)) + " Einträge", "Sicht: alle Organisationseinheiten"} {
		if !pdfContains(text, want) {
			t.Errorf("A.4 PDF lacks %q", want)
		}
	}
	raw := download(t, c, base+"/a4.csv", "text/csv; charset=utf-8")
	if !bytes.HasPrefix(raw, []byte("\ufeffKürzel;Zielobjekt;Organisationseinheit;Baustein;Anforderung;")) {
		t.Errorf("CSV starts %q", raw[:min(80, len(raw))])
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff"))))
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	if err != nil || len(recs) != len(entries)+1 || len(rowsWith(recs, "S-001", "SYS.1.1.A1", "nein")) != 1 {
		t.Errorf("CSV: %d records, %v", len(recs), err)
	}

	// A.1 to A.3, A.5, A.6 and the statement of applicability.
	rows = sheetRows(t, download(t, c, base+"/a1.xlsx", xlsxType))
	if len(rows) != 6 || len(rowsWith(rows, "S-001", "Managementserver", "IT-System", "Landesrechenzentrum", "Referat 12")) != 1 ||
		len(rowsWith(rows, "GP-001", "A-001")) != 1 {
		t.Errorf("A.1: %q", rows)
	}
	rows = sheetRows(t, download(t, c, base+"/a2.xlsx", xlsxType))
	server := rowsWith(rows, "S-001")
	if len(server) != 1 || server[0][3] != "hoch" || !strings.HasPrefix(server[0][6], "geerbt nach dem Maximumprinzip von ") {
		t.Errorf("A.2 row of S-001: %q", server)
	}
	if p := rowsWith(rows, "GP-001"); len(p) != 1 || p[0][6] != "eigene Bewertung: Bewertung im Workshop" {
		t.Errorf("A.2 row of GP-001: %q", p)
	}
	rows = sheetRows(t, download(t, c, base+"/a3.xlsx", xlsxType))
	if len(rowsWith(rows, "SYS.1.1", "S-001")) != 1 || len(rowsWith(rows, "ISMS.1")) != 1 {
		t.Errorf("A.3: %q", rows)
	}
	rows = sheetRows(t, download(t, c, base+"/a5.xlsx", xlsxType))
	if risk := rowsWith(rows, "S-001", "G 0.1 Feuer"); len(risk) != 1 || risk[0][4] != "mittel" || risk[0][5] != "beträchtlich" ||
		risk[0][6] != "mittel" || risk[0][7] != "Risikoakzeptanz" || risk[0][10] != "nicht akzeptiert" {
		t.Errorf("A.5: %q", rows)
	}
	if len(rowsWith(rows, "A-001", "keine Risikoanalyse")) != 1 {
		t.Errorf("A.5 lacks the application that needs an analysis: %q", rows)
	}
	plan := download(t, c, base+"/a6.xlsx", xlsxType)
	if m := rowsWith(sheetRows(t, plan), "S-001", "SYS.1.1.A1", "Serverbetrieb TLRZ", "31.03.2027", "geplant"); len(m) != 1 {
		t.Errorf("A.6: %q", sheetRows(t, plan))
	}
	if budget := cellValue(t, plan, "K2"); budget != "1250.5" {
		t.Errorf("A.6 budget stored as %q", budget)
	}
	rows = sheetRows(t, download(t, c, base+"/soa.xlsx", xlsxType))
	if soa := rowsWith(rows, "SYS.1.1.A1"); len(soa) != 1 || !slices.Equal(soa[0][6:14], []string{"2", "0", "0", "1", "0", "1", "ja", "nicht umgesetzt"}) ||
		soa[0][14] != "Ersatzteile erst 2027 lieferbar." {
		t.Errorf("statement of applicability: %q", soa)
	}

	// The readiness: every gate and the verdict, each blocker, the progress.
	ready := download(t, c, base+"/readiness.xlsx", xlsxType)
	gates, blockers, progress := workbookSheet(t, ready, "Prüfpunkte"), workbookSheet(t, ready, "Blockierende Punkte"),
		workbookSheet(t, ready, "Umsetzungsstand")
	if len(gates) != 12 || !strings.HasPrefix(gates[5][0], "G5 ") || gates[5][1] != "nicht erfüllt" || gates[11][0] != "Gesamturteil" ||
		gates[11][1] != "nicht bereit" {
		t.Errorf("gates %q", gates)
	}
	if g5, _ := strconv.Atoi(gates[5][3]); g5 == 0 || len(rowsWith(blockers, gates[5][0])) != g5 {
		t.Errorf("G5 counts %s blockers, the list has %d", gates[5][3], len(rowsWith(blockers, gates[5][0])))
	}
	if len(rowsWith(progress, "Stufe", "Basis")) != 1 || len(rowsWith(progress, "Organisationseinheit", "Innenministerium")) != 1 {
		t.Errorf("progress %q", progress)
	}
	text = pdfPlainText(t, download(t, c, base+"/readiness.pdf", "application/pdf"))
	for _, want := range []string{"Zertifizierungsreife", "Prüfpunkte", "Blockierende Punkte", "Umsetzungsstand", "G5 IT-Grundschutz-Check (A.4)"} {
		if !pdfContains(text, want) {
			t.Errorf("readiness PDF lacks %q", want)
		}
	}

	// Unknown reports, formats and scopes are 404 problems.
	for _, path := range []string{base + "/a9.xlsx", base + "/a1.csv", base + "/a4", "/api/v1/scopes/999999/reports/a4.xlsx", "/api/v1/scopes/999999/reports"} {
		problemOf(t, c.do("GET", path, nil, nil), http.StatusNotFound)
	}
}

// A department head's reports hold their subtree's objects only.
func TestReportsOfDepartmentHead(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := reportScope(t, e)
	inn := e.loggedIn("anna", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &s.inn})
	fin := e.loggedIn("fred", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &s.fin})
	base := "/api/v1" + s.url("/reports")

	rows := sheetRows(t, download(t, inn, base+"/a4.xlsx", xlsxType))
	if len(rows) < 2 || len(rowsWith(rows, "S-900")) != len(rows)-1 {
		t.Errorf("the Innenministerium's A.4 has rows of other objects: %q", rows)
	}
	rows = sheetRows(t, download(t, fin, base+"/a4.xlsx", xlsxType))
	if len(rowsWith(rows, "S-001")) == 0 || len(rowsWith(rows, "S-900")) != 0 || len(rowsWith(rows, "ISMS.1")) != 0 {
		t.Errorf("the Finanzministerium's A.4 (with the Landesrechenzentrum below it): %q", rows)
	}
	raw := download(t, inn, base+"/a4.csv", "text/csv; charset=utf-8")
	if bytes.Contains(raw, []byte("Managementserver")) || !bytes.Contains(raw, []byte("Fachverfahren-Server")) {
		t.Errorf("the Innenministerium's CSV: %s", raw)
	}
	for _, file := range []string{"a1.xlsx", "a2.xlsx", "a3.xlsx", "a5.xlsx", "a6.xlsx", "soa.xlsx", "readiness.xlsx"} {
		text := workbookText(t, download(t, inn, base+"/"+file, xlsxType))
		for _, other := range []string{"Managementserver", "WAN-Transport", "Ersatzteile erst 2027"} {
			if strings.Contains(text, other) {
				t.Errorf("the Innenministerium's %s names %q", file, other)
			}
		}
		if !strings.Contains("a5.xlsx a6.xlsx soa.xlsx", file) && !strings.Contains(text, "Fachverfahren-Server") {
			t.Errorf("the Innenministerium's %s lacks its own server", file)
		}
	}
	text := pdfPlainText(t, download(t, inn, base+"/a1.pdf", "application/pdf"))
	if strings.Contains(text, "Managementserver") || !strings.Contains(text, "Fachverfahren-Server") ||
		!strings.Contains(text, "Sicht: Innenministerium mit untergeordneten Einheiten") {
		t.Errorf("the Innenministerium's A.1 PDF: %s", text)
	}
	// The statement of applicability counts the subtree's objects only.
	rows = sheetRows(t, download(t, inn, base+"/soa.xlsx", xlsxType))
	if soa := rowsWith(rows, "SYS.1.1.A1"); len(soa) != 1 || soa[0][6] != "1" || soa[0][9] != "0" {
		t.Errorf("the Innenministerium's statement of applicability: %q", soa)
	}
}

func TestReportsPage(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := reportScope(t, e)
	c := e.loggedIn("anna", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &s.inn})
	r := c.do("GET", s.url("/reports"), nil, nil)
	mustContain(t, r, http.StatusOK, `aria-current="page">Berichte</a>`, s.url("/reports/a4.csv"), s.url("/reports/soa.pdf"),
		"A.6 Realisierungsplan", "Erklärung zur Anwendbarkeit", "nur die Zielobjekte Ihrer Organisationseinheiten")
	rows := sheetRows(t, download(t, c, s.url("/reports/a1.xlsx"), xlsxType))
	if len(rows) != 2 || rows[1][0] != "S-900" {
		t.Errorf("A.1 from the page: %q", rows)
	}
	mustContain(t, c.do("GET", s.url("/reports/a1.csv"), nil, nil), http.StatusNotFound, "Diesen Bericht gibt es nicht in diesem Format.")
	mustContain(t, c.do("GET", s.url(""), nil, nil), http.StatusOK, s.url("/reports"))
}

// The A.4 of 65,000 entries with long texts (some 70 MB of XLSX)
// goes out as XLSX and as PDF with a heap that does not grow with it.
// (How fast at a million entries: BenchmarkReportCheck in
// internal/postgres.)
func TestReportStreamsInBoundedMemory(t *testing.T) {
	scaletest.Require(t, "65,000 entries with long texts")
	c, check := bulkScope(t)
	owner := c.e.ownerDB()
	// Texts that do not compress to nothing: 997 different ones of
	// a thousand hash digits, the same one only far beyond what the
	// compressor looks back on.
	var entries int
	if err := owner.QueryRow(`
		WITH pool AS MATERIALIZED (
			SELECT k, string_agg(md5(k || '-' || g), '') AS t FROM generate_series(0, 996) k, generate_series(1, 31) g GROUP BY k),
		u AS (
			UPDATE check_entries e SET status = 'partial', justification = j.t, implementation = i.t
			FROM pool j, pool i WHERE j.k = e.id % 997 AND i.k = (e.id * 7 + 3) % 997
			RETURNING 1)
		SELECT count(*) FROM u`).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	base := strings.Replace(check, "/check", "/reports", 1)
	c.http.Timeout = 0
	// Collect garbage early, so the heap in use shows what is held.
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := heapwatch.Peak(20 * time.Millisecond)
	start := time.Now()
	res, err := c.http.Get(c.e.url + base + "/a4.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	counted := &countingWriter{}
	_, err = io.Copy(counted, res.Body)
	res.Body.Close()
	peak := stop()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("download: %d, %v", res.StatusCode, err)
	}
	grown := int64(peak) - int64(before.HeapInuse)
	t.Logf("%d entries, %d MB of XLSX in %v, heap grew by %d MiB at most", entries, counted.n>>20, time.Since(start), grown>>20)
	if counted.n < 40<<20 {
		t.Fatalf("the file has %d bytes only: the texts are not in it", counted.n)
	}
	if grown > 48<<20 {
		t.Errorf("the heap grew by %d MiB while %d MB went out: the file is not streamed", grown>>20, counted.n>>20)
	}
	// The PDF is streamed too.
	runtime.GC()
	runtime.ReadMemStats(&before)
	stop = heapwatch.Peak(20 * time.Millisecond)
	start = time.Now()
	res, err = c.http.Get(c.e.url + base + "/a4.pdf")
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 5)
	_, err = io.ReadFull(res.Body, head)
	counted = &countingWriter{n: 5}
	if err == nil {
		_, err = io.Copy(counted, res.Body)
	}
	res.Body.Close()
	peak = stop()
	if err != nil || res.StatusCode != http.StatusOK || string(head) != "%PDF-" {
		t.Fatalf("PDF download: %d, %q, %v", res.StatusCode, head, err)
	}
	grown = int64(peak) - int64(before.HeapInuse)
	t.Logf("%d entries, %d MB of PDF in %v, heap grew by %d MiB at most", entries, counted.n>>20, time.Since(start), grown>>20)
	if grown > 48<<20 {
		t.Errorf("the heap grew by %d MiB while %d MB of PDF went out: the file is not streamed", grown>>20, counted.n>>20)
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }
