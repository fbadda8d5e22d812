package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// auditOf is the scope's only audit, or the one with the title.
func auditOf(t *testing.T, e *testEnv, scopeID int64, title string) domain.Audit {
	t.Helper()
	as, err := e.db.ListAudits(context.Background(), scopeID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.Title == title {
			return a
		}
	}
	t.Fatalf("no audit %q", title)
	return domain.Audit{}
}

func sampleOf(t *testing.T, e *testEnv, auditID int64) []domain.SampleItem {
	t.Helper()
	items, err := e.db.SampleItems(context.Background(), auditID, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// TestAuditPages walks an audit through the pages: planning with a German
// refusal, the sample by hand and drawn with a seed, a result with a stale
// form, a finding that needs a due date, the ISB's corrective action, its
// rejection with a reason and its acceptance; a department head reads.
func TestAuditPages(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := auditUIScope(t, e)
	auditor, isb, head, _ := auditUsers(e, s)

	r := auditor.do("GET", s.url("/audits"), nil, nil)
	mustContain(t, r, http.StatusOK, `aria-current="page">Audits</a>`, "Noch kein Audit geplant.", "Audit planen", "1. Überwachungsaudit")
	mustLack(t, isb.do("GET", s.url("/audits"), nil, nil), "Audit planen")

	plan := func(end string) string {
		return form("kind", "initial", "title", "Erstzertifizierungsaudit 2026", "auditors", "Dr. Petra Prüfer\nJan Nachweis",
			"starts_on", "2026-05-04", "ends_on", end, "scope_note", "Landesdatennetz ohne Außenstellen")
	}
	r = auditor.do("POST", s.url("/audits"), plan("2026-05-01"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Das Audit endet vor seinem Beginn.", `value="Erstzertifizierungsaudit 2026"`, `id="a-end-err"`)
	problemPage := isb.do("POST", s.url("/audits"), plan("2026-05-06"), nil)
	mustContain(t, problemPage, http.StatusForbidden, "Keine Berechtigung")
	loc := seeOther(t, auditor.do("POST", s.url("/audits"), plan("06.05.2026"), nil), "/audits/")
	a := auditOf(t, e, s.scope.ID, "Erstzertifizierungsaudit 2026")
	r = auditor.do("GET", loc, nil, nil)
	mustContain(t, r, http.StatusOK, "ist geplant", "Stichprobe ziehen", "Von Hand aufnehmen", "Feststellung erfassen", "SYS.1.1 Allgemeiner Server")
	mustContainText(t, r, "Zeitraum 04.05.2026 – 06.05.2026", "Dr. Petra Prüfer, Jan Nachweis", "Erstzertifizierungsaudit")

	// By hand: an object by its short ID, a requirement of an object.
	page := auditURLOf(a.ID)
	r = auditor.do("POST", page+"/sample", form("type", "object", "object", "X-404"), nil)
	mustContain(t, r, http.StatusNotFound, "Ein Zielobjekt mit dem Kürzel „X-404“ gibt es in diesem Informationsverbund nicht.", `id="h-obj-err"`, `value="X-404"`)
	seeOther(t, auditor.do("POST", page+"/sample", form("type", "object", "object", "S-001"), nil), page)
	r = auditor.do("POST", page+"/sample", form("type", "requirement", "entry_object", "S-001", "requirement", "NET.3.1.A1"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Im IT-Grundschutz-Check von S-001 steht keine Anforderung „NET.3.1.A1“.", `id="h-req-err"`)
	seeOther(t, auditor.do("POST", page+"/sample", form("type", "requirement", "entry_object", "S-001", "requirement", "SYS.1.1.A1"), nil), page)
	mustContain(t, auditor.do("POST", page+"/sample", form("type", "object", "object", "S-001"), nil), http.StatusConflict, "Das Element steht schon in der Stichprobe.")

	// Drawn with a seed: shown at every item and above the list.
	loc = seeOther(t, auditor.do("POST", page+"/sample/draw", form("objects", "2", "requirements", "3", "seed", "4711"), nil), page)
	r = auditor.do("GET", loc, nil, nil)
	mustContain(t, r, http.StatusOK, "Stichprobe mit dem Startwert 4711 gezogen: 5 neue Elemente.", `<strong class="seed">4711</strong>`, "gezogen, Startwert 4711")
	mustContain(t, auditor.do("POST", page+"/sample/draw", form("objects", "x"), nil), http.StatusUnprocessableEntity, "Bitte eine Anzahl angeben.")
	items := sampleOf(t, e, a.ID)
	if len(items) != 7 {
		t.Fatalf("%d items in the sample, want 7", len(items))
	}

	// A result; a stale form says the item changed meanwhile.
	var req domain.SampleItem
	for _, it := range items {
		if it.Type == domain.SampleRequirement && it.RequirementID == "SYS.1.1.A1" && it.ObjectShortID == "S-001" {
			req = it
		}
	}
	item := "/sample-items/" + strconv.FormatInt(req.ID, 10)
	seeOther(t, auditor.do("POST", item, form("version", strconv.Itoa(req.Version), "result", "nonconforming", "note", "Kein Patchkonzept"), nil), page)
	r = auditor.do("POST", item, form("version", strconv.Itoa(req.Version), "result", "conforming", "note", ""), nil)
	mustContain(t, r, http.StatusPreconditionFailed, "Das Element der Stichprobe wurde inzwischen geändert. Bitte laden Sie die Seite neu.", `value="Kein Patchkonzept"`)
	r = auditor.do("GET", page, nil, nil)
	mustContainText(t, r, "1 geprüft")

	// A finding: a minor nonconformity needs a due date.
	finding := func(due string) string {
		return form("class", "minor", "title", "Patchkonzept fehlt", "description", "Für S-001 liegt kein Patchkonzept vor.", "due_date", due,
			"sample", strconv.FormatInt(req.ID, 10), "objects", "S-900")
	}
	r = auditor.do("POST", page+"/findings", finding(""), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Eine Abweichung braucht eine Frist", `id="f-due-err"`, `value="Patchkonzept fehlt"`, `value="`+strconv.FormatInt(req.ID, 10)+`" checked`)
	loc = seeOther(t, auditor.do("POST", page+"/findings", finding("2026-01-31"), nil), "/findings/")
	r = auditor.do("GET", loc, nil, nil)
	mustContain(t, r, http.StatusOK, "geringfügige Abweichung „Patchkonzept fehlt“ ist erfasst.", "überfällig", "S-900 Fachverfahren-Server",
		"SYS.1.1.A1", "Feststellung bearbeiten")
	mustLack(t, r, "Korrekturmaßnahme einreichen") // the auditor does not answer

	// The ISB answers; the page offers no verification to the ISB.
	r = isb.do("GET", loc, nil, nil)
	mustContain(t, r, http.StatusOK, "Korrekturmaßnahme einreichen")
	mustLack(t, r, "Korrekturmaßnahme prüfen", "Feststellung bearbeiten")
	version := regexpFind(t, string(r.body), `name="version" value="(\d+)"`)
	seeOther(t, isb.do("POST", loc+"/corrective-actions", form("version", version, "description", "Patchkonzept erstellt, Nachweis ND-17."), nil), loc)
	r = isb.do("GET", loc, nil, nil)
	mustContain(t, r, http.StatusOK, "Die Korrekturmaßnahme ist eingereicht", "wartet auf Prüfung", "Patchkonzept erstellt, Nachweis ND-17.")
	mustContain(t, auditor.do("POST", loc+"/verification", form("version", version, "verdict", "accepted"), nil), http.StatusPreconditionFailed,
		"Die Feststellung wurde inzwischen geändert.")
	if r := isb.do("POST", loc+"/verification", form("version", version, "verdict", "accepted"), nil); r.status != http.StatusForbidden {
		t.Errorf("the ISB verifies: %d", r.status)
	}

	// The auditor rejects with a reason, then accepts the next one.
	r = auditor.do("GET", loc, nil, nil)
	mustContain(t, r, http.StatusOK, "Korrekturmaßnahme prüfen")
	version = regexpFind(t, string(r.body), `action="/findings/\d+/verification" class="form add-form" aria-labelledby="verify-h">\s*<h3 id="verify-h">Korrekturmaßnahme prüfen</h3>\s*<input type="hidden" name="version" value="(\d+)">`)
	r = auditor.do("POST", loc+"/verification", form("version", version, "verdict", "rejected", "comment", ""), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Bitte begründen Sie, warum die Korrekturmaßnahme nicht ausreicht.", `id="v-comment-err"`, `value="rejected" checked`)
	seeOther(t, auditor.do("POST", loc+"/verification", form("version", version, "verdict", "rejected", "comment", "Die Freigabe fehlt."), nil), loc)
	mustContain(t, auditor.do("GET", loc, nil, nil), http.StatusOK, "die Feststellung ist wieder offen.")
	r = isb.do("GET", loc, nil, nil)
	mustContain(t, r, http.StatusOK, "nicht ausreichend", "Die Freigabe fehlt.", "Korrekturmaßnahme einreichen")
	version = regexpFind(t, string(r.body), `action="/findings/\d+/corrective-actions" class="form add-form" aria-labelledby="submit-h">\s*<h3 id="submit-h">Korrekturmaßnahme einreichen</h3>\s*<input type="hidden" name="version" value="(\d+)">`)
	seeOther(t, isb.do("POST", loc+"/corrective-actions", form("version", version, "description", "Freigabe vom 12.06. ergänzt."), nil), loc)
	next, _ := strconv.Atoi(version)
	seeOther(t, auditor.do("POST", loc+"/verification", form("version", strconv.Itoa(next+1), "verdict", "accepted"), nil), loc)
	r = auditor.do("GET", loc, nil, nil)
	mustContain(t, r, http.StatusOK, "die Feststellung ist geschlossen", "wirksam")
	mustLack(t, r, "Korrekturmaßnahme prüfen", "Feststellung bearbeiten")
	mustContainText(t, r, "Geschlossen")

	// The department head reads, without forms, and the sample of their
	// subtree only; writing is refused.
	r = head.do("GET", page, nil, nil)
	mustContain(t, r, http.StatusOK, "Stichprobe")
	mustLack(t, r, "Stichprobe ziehen", "Feststellung erfassen", "S-001 Managementserver")
	mustContainText(t, r, "weitere Elemente betreffen Zielobjekte außerhalb Ihrer Organisationseinheiten")
	if r := head.do("POST", page+"/sample/draw", form("objects", "1"), nil); r.status != http.StatusForbidden {
		t.Errorf("the department head draws: %d", r.status)
	}
	mustContain(t, head.do("GET", s.url("/audits"), nil, nil), http.StatusOK, "Erstzertifizierungsaudit 2026")

	// A completed audit keeps its sample; the audit log names the actions in German.
	a = auditOf(t, e, s.scope.ID, "Erstzertifizierungsaudit 2026")
	seeOther(t, auditor.do("POST", page, form("version", strconv.Itoa(a.Version), "kind", "initial", "title", a.Title, "auditors", "Dr. Petra Prüfer",
		"starts_on", "2026-05-04", "ends_on", "2026-05-06", "scope_note", "", "state", "completed"), nil), page)
	r = auditor.do("GET", page, nil, nil)
	mustContain(t, r, http.StatusOK, "Das Audit ist abgeschlossen")
	mustLack(t, r, "Stichprobe ziehen")
	mustContain(t, auditor.do("POST", page, form("version", strconv.Itoa(a.Version), "kind", "initial", "title", "x", "starts_on", "2026-05-04",
		"ends_on", "2026-05-06", "state", "completed"), nil), http.StatusPreconditionFailed, "Das Audit wurde inzwischen geändert.")
	mustContain(t, auditor.do("GET", "/audit", nil, nil), http.StatusOK, "Audit: Stichprobe gezogen", "Korrekturmaßnahme geprüft")
	mustContain(t, auditor.do("GET", "/findings/999999", nil, nil), http.StatusNotFound, "Diese Feststellung gibt es nicht.")
	mustContain(t, auditor.do("GET", "/audits/x", nil, nil), http.StatusNotFound, "Dieses Audit gibt es nicht.")
}

func auditURLOf(id int64) string { return "/audits/" + strconv.FormatInt(id, 10) }

// TestBrowserAudit: an auditor draws a sample with the keyboard and
// records a result; the scope's tabs, Audits included, keep one row at
// 1366 px.
func TestBrowserAudit(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := auditUIScope(t, e)
	e.user("pia", domain.Grant{Role: domain.RoleAuditor})
	var a domain.Audit
	if err := e.db.InTx(context.Background(), testActor, func(tx *postgres.Tx) error {
		var err error
		a, err = tx.CreateAudit(context.Background(), s.scope.ID, domain.AuditInput{Kind: domain.AuditInternal, Title: "Internes Audit",
			StartsOn: mustDay(t, "2026-05-04"), EndsOn: mustDay(t, "2026-05-04")})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	page := auditURLOf(a.ID)
	e.signIn(t, ctx, "pia", page,
		chromedp.WaitVisible("#d-req"),
		chromedp.SendKeys("#d-req", "2"),
		chromedp.SendKeys("#d-seed", "99\n"),
		chromedp.WaitVisible(".notice-ok"),
	)
	flash, err := chromedp.Run(ctx, chromedp.Text(".notice-ok"))
	if err != nil || !strings.Contains(flash, "Startwert 99 gezogen: 2 neue Elemente") {
		t.Errorf("after the draw: %q (%v)", flash, err)
	}
	items := sampleOf(t, e, a.ID)
	if len(items) != 2 {
		t.Fatalf("%d items drawn", len(items))
	}
	id := strconv.FormatInt(items[0].ID, 10)
	browse(t, ctx,
		chromedp.Navigate(e.url+page), // without the draw's message
		chromedp.WaitVisible("#r-"+id),
		chromedp.SetValue("#r-"+id, "conforming"),
		chromedp.SendKeys("#n-"+id, "Stichprobe vor Ort gesichtet\n"),
		chromedp.WaitVisible(".notice-ok"),
	)
	flash, _ = chromedp.Run(ctx, chromedp.Text(".notice-ok"))
	if !strings.Contains(flash, "ist gespeichert: konform") {
		t.Errorf("after the result: %q", flash)
	}
	screenshot(t, ctx, "audit")
	browse(t, ctx, chromedp.Navigate(e.url+s.url("/audits")), chromedp.WaitVisible("#audits-h"))
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`new Set([...document.querySelectorAll('.tabs li')].map(li => li.offsetTop)).size`))
	if err != nil || rows != 1 {
		t.Errorf("the scope's tabs take %d rows (%v), want one", rows, err)
	}
	screenshot(t, ctx, "audits")
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
