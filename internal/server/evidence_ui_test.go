package server

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

var evidencePathPattern = regexp.MustCompile(`^/evidence/(\d+)`)

// uploadForm uploads through the list page's form and returns the new
// item's id from the redirect to its page.
func (s evidenceScope) uploadForm(t *testing.T, c *client, fields map[string]string, fileName, content string) int64 {
	t.Helper()
	var file *strings.Reader
	if fileName != "" {
		file = strings.NewReader(content)
	}
	var r response
	if file != nil {
		r = c.upload(s.url("/evidence"), fields, fileName, file, nil)
	} else {
		r = c.upload(s.url("/evidence"), fields, "", nil, nil)
	}
	m := evidencePathPattern.FindStringSubmatch(seeOther(t, r, "/evidence/"))
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// evidenceOf reads an item as the store has it.
func (s evidenceScope) evidenceOf(t *testing.T, id int64) domain.Evidence {
	t.Helper()
	e, err := s.e.db.EvidenceByID(context.Background(), id, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func evidencePage(id int64) string { return "/evidence/" + idStr(id) }

func day(offset int) string { return time.Now().AddDate(0, 0, offset).Format("2006-01-02") }

// TestEvidencePages walks the evidence pages: the upload through the
// form with a file streamed last, refusals at their fields, the list with
// its figures, filters and keyset pages, the item's page with versions and
// the download, the auditor's review (a rejection needs a reason), no
// review of one's own upload, the thread, a new version, links and the
// edit form.
func TestEvidencePages(t *testing.T) {
	t.Parallel()
	s := newEvidenceScope(t)
	list := s.url("/evidence")

	// The list with the tab and the upload form, its file input last.
	r := s.isb.do("GET", list, nil, nil)
	mustContain(t, r, http.StatusOK, `href="`+list+`" aria-current="page">Nachweise</a>`, `enctype="multipart/form-data"`, "Nachweis hochladen",
		"höchstens 200 MB", "Noch keine Nachweise.")
	uploadHTML := string(r.body)[strings.Index(string(r.body), `enctype="multipart/form-data"`):]
	if strings.Index(uploadHTML, `name="file"`) < strings.LastIndex(uploadHTML[:strings.Index(uploadHTML, "</form>")], `name="note"`) {
		t.Error("the file input is not the form's last field")
	}
	mustLack(t, s.auditor.do("GET", list, nil, nil), "Nachweis hochladen")

	// Refused uploads: no title, a date that is none, no file and no
	// reference; what was typed stays, nothing is stored.
	r = s.isb.upload(list, map[string]string{"title": " ", "effective_on": "gestern", "description": "Regelwerk der Außenfirewall"}, "", nil, nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Bitte einen Titel angeben", "Bitte ein Datum angeben, z. B. 31.12.2026.",
		"Ohne Datei braucht der Nachweis eine Fundstelle", "Regelwerk der Außenfirewall", `aria-invalid="true"`)
	r = s.isb.upload(list, map[string]string{"title": "Regelwerk", "effective_on": "2026-10-01", "valid_until": "2026-09-01"}, "r.txt",
		strings.NewReader("x"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "„Gültig bis“ liegt vor dem Stichtag.", "Bitte wählen Sie die Datei noch einmal aus.")
	if es, _, _ := s.e.db.ListEvidence(context.Background(), s.scope.ID, domain.EvidenceFilter{}, postgres.Everything); len(es) != 0 {
		t.Fatalf("refused uploads stored %d items", len(es))
	}

	// A file of 2.2 MB through the form: the page shows it with its hash.
	content := strings.Repeat("Firewall-Regelwerk Stand Oktober 2026\n", 60000)
	fw := s.uploadForm(t, s.isb, map[string]string{"title": "Firewall-Regelwerk", "description": "Außenfirewall Erfurt",
		"department_id": idStr(s.tlrz), "tags": "Firewall, Netz", "effective_on": "01.10.2026", "valid_until": day(20), "note": "Stand Oktober"},
		"regelwerk.txt", content)
	ev := s.evidenceOf(t, fw)
	r = s.isb.do("GET", evidencePage(fw), nil, nil)
	mustContain(t, r, http.StatusOK, "ist hochgeladen (2,2 MB) und wartet auf die Prüfung.", "<h1>Firewall-Regelwerk</h1>", "regelwerk.txt",
		"01.10.2026", ev.Current.SHA256[:12]+"…", ev.Current.SHA256, evidencePage(fw)+"/versions/1/content", "Landesrechenzentrum",
		`<span class="tag">Firewall</span>`, "Stand Oktober")
	mustContainText(t, r, "Version 1: eingereicht")
	mustLack(t, r, `action="/evidence/`+idStr(fw)+`/review"`) // the ISB does not review

	// The download: the same file with the same guarantees as the API's.
	d := s.auditor.do("GET", evidencePage(fw)+"/versions/1/content", nil, nil)
	if d.status != http.StatusOK || string(d.body) != content {
		t.Fatalf("download: %d, %d bytes", d.status, len(d.body))
	}
	for k, want := range map[string]string{"Content-Type": "application/octet-stream", "X-Content-Type-Options": "nosniff",
		"Content-Disposition": "attachment; filename=regelwerk.txt", "Content-Length": strconv.Itoa(len(content))} {
		if got := d.header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(d.header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("download CSP %q", d.header.Get("Content-Security-Policy"))
	}
	mustContain(t, s.auditor.do("GET", evidencePage(fw)+"/versions/7/content", nil, nil), http.StatusNotFound,
		"Diese Version des Nachweises gibt es nicht.")

	// A reference without a file, and an item of the other ministry.
	ref := s.uploadForm(t, s.isb, map[string]string{"title": "Notfallhandbuch", "department_id": idStr(s.fin), "tags": "Notfall",
		"effective_on": "2026-09-15", "reference": "https://dms.example.org/doc/4711"}, "", "")
	inn := s.uploadForm(t, s.admin, map[string]string{"title": "Zutrittsliste Innenministerium", "department_id": idStr(s.inn),
		"effective_on": "2026-08-01", "reference": "DOK-12"}, "zutritt.csv", "Name;Datum")
	mustContain(t, s.isb.do("GET", evidencePage(ref), nil, nil), http.StatusOK, `href="https://dms.example.org/doc/4711"`)

	// The list: figures by review state, filters, keyset pages.
	r = s.isb.do("GET", list, nil, nil)
	mustContainText(t, r, "3 Nachweise", "eingereicht 3", "akzeptiert 0", "abgelaufen 0", "Firewall-Regelwerk", "regelwerk.txt (2,2 MB)",
		"Fundstelle: https://dms.example.org/doc/4711", "läuft bald ab")
	mustContainText(t, s.isb.do("GET", list+"?q=firewall", nil, nil), "1 Nachweise passend zum Filter")
	r = s.isb.do("GET", list+"?tag=Notfall", nil, nil)
	mustContain(t, r, http.StatusOK, "Notfallhandbuch")
	mustLack(t, r, "Firewall-Regelwerk</a>")
	r = s.isb.do("GET", list+"?department="+idStr(s.fin), nil, nil) // with its subtree
	mustContain(t, r, http.StatusOK, "Notfallhandbuch", "Firewall-Regelwerk</a>")
	mustLack(t, r, "Zutrittsliste")
	r = s.isb.do("GET", list+"?mine=true", nil, nil)
	mustLack(t, r, "Zutrittsliste")
	mustContainText(t, r, "2 Nachweise passend zum Filter")
	mustContain(t, s.isb.do("GET", list+"?state=fertig&expiring=500", nil, nil), http.StatusUnprocessableEntity, "Unbekannter Prüfstand.",
		"Bitte eine Zahl von Tagen (1 bis 366).")
	seen := map[string]bool{}
	next := list + "?limit=1"
	for pages := 0; next != ""; pages++ {
		if pages > 3 {
			t.Fatal("paging does not end")
		}
		r = s.isb.do("GET", next, nil, nil)
		for _, m := range regexp.MustCompile(`<tr id="evidence-(\d+)"`).FindAllStringSubmatch(string(r.body), -1) {
			if seen[m[1]] {
				t.Errorf("evidence %s on two pages", m[1])
			}
			seen[m[1]] = true
		}
		next = ""
		if strings.Contains(string(r.body), `rel="next"`) {
			next = strings.ReplaceAll(regexpFind(t, string(r.body), `href="([^"]*)" rel="next"`), "&amp;", "&")
		}
	}
	if len(seen) != 3 {
		t.Errorf("%d items over all pages", len(seen))
	}

	// The auditor's review: a rejection needs a reason (422, the choice
	// stays), a stale form is refused (412), then the rejection stands.
	page := evidencePage(fw)
	r = s.auditor.do("GET", page, nil, nil)
	mustContain(t, r, http.StatusOK, `action="`+page+`/review"`, `name="decision" value="rejected"`, "Begründung")
	version := strconv.Itoa(ev.Version)
	r = s.auditor.do("POST", page+"/review", form("version", version, "decision", "rejected", "comment", " "), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Eine Ablehnung oder Rückfrage braucht eine Begründung.", `value="rejected" required checked`,
		`id="r-comment-err"`)
	r = s.auditor.do("POST", page+"/review", form("version", strconv.Itoa(ev.Version+5), "decision", "rejected", "comment", "Alt"), nil)
	mustContain(t, r, http.StatusPreconditionFailed, "inzwischen geändert", "Alt")
	loc := seeOther(t, s.auditor.do("POST", page+"/review", form("version", version, "decision", "rejected",
		"comment", "Bitte den Stand nach der Änderung vom 15.10. einreichen."), nil), page)
	r = s.auditor.do("GET", strings.Split(loc, "#")[0], nil, nil)
	mustContain(t, r, http.StatusOK, "Version 1 ist abgelehnt; die Begründung steht im Verlauf.", "Bitte den Stand nach der Änderung vom 15.10. einreichen.")
	mustContainText(t, r, "abgelehnt audra")
	mustLack(t, r, `action="`+page+`/review"`) // decided: a change comes as a new version
	if got := s.evidenceOf(t, fw); got.Current.State != domain.ReviewRejected {
		t.Fatalf("state %s", got.Current.State)
	}

	// Nobody reviews their own upload: the administrator sees a note
	// instead of the form and is refused if they post anyway.
	r = s.admin.do("GET", evidencePage(inn), nil, nil)
	mustContain(t, r, http.StatusOK, "Diese Version haben Sie selbst hochgeladen.")
	mustLack(t, r, `action="/evidence/`+idStr(inn)+`/review"`)
	innEv := s.evidenceOf(t, inn)
	mustContain(t, s.admin.do("POST", evidencePage(inn)+"/review", form("version", strconv.Itoa(innEv.Version), "decision", "accepted"), nil),
		http.StatusForbidden, "Eigene Nachweise können Sie nicht prüfen")
	mustContain(t, s.isb.do("POST", evidencePage(inn)+"/review", form("version", strconv.Itoa(innEv.Version), "decision", "accepted"), nil),
		http.StatusForbidden)

	// The thread: a question, the ISB's answer sends it back to review.
	refEv := s.evidenceOf(t, ref)
	seeOther(t, s.auditor.do("POST", evidencePage(ref)+"/review", form("version", strconv.Itoa(refEv.Version), "decision", "needs_info",
		"comment", "Welche Fassung gilt?"), nil), evidencePage(ref))
	mustContain(t, s.isb.do("POST", evidencePage(ref)+"/comments", form("body", " "), nil), http.StatusUnprocessableEntity,
		"Bitte einen Kommentar schreiben")
	seeOther(t, s.isb.do("POST", evidencePage(ref)+"/comments", form("body", "Die Fassung 3.2 vom September."), nil), evidencePage(ref))
	r = s.isb.do("GET", evidencePage(ref), nil, nil)
	mustContain(t, r, http.StatusOK, "Die Version wartet auf die Prüfung.")
	body := textOf(r.body)
	if i, j := strings.Index(body, "Welche Fassung gilt?"), strings.Index(body, "Die Fassung 3.2 vom September."); i < 0 || j < i {
		t.Errorf("thread not oldest first: %d %d", i, j)
	}
	mustContainText(t, r, "Rückfrage audra", "Kommentar isa", "Version 1: eingereicht")

	// A new version of the rejected item: stale form refused, then stored.
	ev = s.evidenceOf(t, fw)
	r = s.isb.upload(page+"/versions", map[string]string{"version": strconv.Itoa(ev.Version - 1), "effective_on": "2026-10-15"}, "v2.txt",
		strings.NewReader("Stand 15.10."), nil)
	mustContain(t, r, http.StatusPreconditionFailed, "inzwischen geändert")
	r = s.isb.upload(page+"/versions", map[string]string{"version": strconv.Itoa(ev.Version), "effective_on": "", "note": "neu"}, "", nil, nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Bitte den Stichtag angeben.", "Ohne Datei braucht der Nachweis eine Fundstelle")
	loc = seeOther(t, s.isb.upload(page+"/versions", map[string]string{"version": strconv.Itoa(ev.Version), "effective_on": "2026-10-15",
		"note": "nach der Änderung"}, "v2.txt", strings.NewReader("Stand 15.10."), nil), page)
	r = s.isb.do("GET", strings.Split(loc, "#")[0], nil, nil)
	mustContain(t, r, http.StatusOK, "Version 2 ist gespeichert und wartet auf die Prüfung.", `id="version-2"`, `id="version-1"`, "v2.txt",
		page+"/versions/2/content", page+"/versions/1/content", "nach der Änderung")
	if d := s.isb.do("GET", page+"/versions/2/content", nil, nil); string(d.body) != "Stand 15.10." {
		t.Errorf("version 2: %q", d.body)
	}

	// Links: to a check entry of the scope, refused for a missing one, removed.
	s.assign(t, []int64{s.server}, "SYS.1.1")
	entry := checkEntries(t, s.e, s.scope.ID, s.server)["SYS.1.1.A1"]
	mustContain(t, s.isb.do("POST", page+"/links", form("target", "check_entry", "target_id", "999999"), nil), http.StatusNotFound,
		"Diesen Eintrag des IT-Grundschutz-Checks gibt es in diesem Informationsverbund nicht.", `value="999999"`)
	mustContain(t, s.isb.do("POST", page+"/links", form("target", "", "target_id", "x"), nil), http.StatusUnprocessableEntity,
		"Bitte wählen Sie, was der Nachweis belegt.")
	seeOther(t, s.isb.do("POST", page+"/links", form("target", "check_entry", "target_id", idStr(entry.ID)), nil), page)
	r = s.isb.do("GET", page, nil, nil)
	mustContain(t, r, http.StatusOK, `href="/check-entries/`+idStr(entry.ID)+`"`, "SYS.1.1.A1 · S-001 Managementserver",
		`action="`+page+`/links/check_entry/`+idStr(entry.ID)+`/remove"`)
	mustContain(t, s.e.login("audra").do("GET", entryPath(entry.ID), nil, nil), http.StatusOK, "Firewall-Regelwerk", "eingereicht")
	seeOther(t, s.isb.do("POST", page+"/links/check_entry/"+idStr(entry.ID)+"/remove", "", nil), page)
	mustLack(t, s.isb.do("GET", page, nil, nil), `href="/check-entries/`+idStr(entry.ID)+`"`)

	// The edit form: saved, and a stale form refused with what was typed.
	ev = s.evidenceOf(t, fw)
	seeOther(t, s.isb.do("POST", page, form("version", strconv.Itoa(ev.Version), "title", "Firewall-Regelwerk Erfurt", "description", "",
		"department_id", idStr(s.tlrz), "tags", "Firewall"), nil), page)
	r = s.isb.do("POST", page, form("version", strconv.Itoa(ev.Version), "title", "Überholt", "department_id", idStr(s.tlrz)), nil)
	mustContain(t, r, http.StatusPreconditionFailed, "Der Nachweis wurde inzwischen geändert.", `value="Überholt"`)
	mustContain(t, s.isb.do("POST", page, form("version", strconv.Itoa(ev.Version+1), "title", ""), nil), http.StatusUnprocessableEntity,
		"Bitte einen Titel angeben")
	if got := s.evidenceOf(t, fw); got.Title != "Firewall-Regelwerk Erfurt" || len(got.Tags) != 1 {
		t.Errorf("after editing: %q %v", got.Title, got.Tags)
	}
}

// TestEvidenceFromCheckEntry: the entry's page lists its evidence with
// the review state and leads to an upload that is linked to the entry.
func TestEvidenceFromCheckEntry(t *testing.T) {
	t.Parallel()
	s := newEvidenceScope(t)
	s.assign(t, []int64{s.server}, "SYS.1.1")
	entry := checkEntries(t, s.e, s.scope.ID, s.server)["SYS.1.1.A2"]
	r := s.isb.do("GET", entryPath(entry.ID), nil, nil)
	upload := s.url("/evidence") + "?target=check_entry&amp;target_id=" + idStr(entry.ID) + "#upload-h"
	mustContain(t, r, http.StatusOK, "Noch kein Nachweis belegt diese Anforderung.", `href="`+upload+`"`)
	mustLack(t, s.auditor.do("GET", entryPath(entry.ID), nil, nil), "Nachweis hochladen")

	// The upload form of that link names the entry, takes its department
	// and links the new item in the same transaction.
	r = s.isb.do("GET", strings.ReplaceAll(strings.TrimSuffix(upload, "#upload-h"), "&amp;", "&"), nil, nil)
	mustContain(t, r, http.StatusOK, "Der neue Nachweis wird mit SYS.1.1.A2", `name="target" value="check_entry"`,
		`name="target_id" value="`+idStr(entry.ID)+`"`, `<option value="`+idStr(s.tlrz)+`" selected>`, "Zu diesem Ziel gibt es noch keinen Nachweis.")
	fields := map[string]string{"title": "Benutzerkonzept Server", "department_id": idStr(s.tlrz), "effective_on": "2026-10-01",
		"target": "check_entry", "target_id": idStr(entry.ID)}
	// A target of another kind that does not exist: nothing is stored.
	bad := map[string]string{"title": "Falsch", "effective_on": "2026-10-01", "reference": "X", "department_id": idStr(s.tlrz),
		"target": "finding", "target_id": "999999"}
	mustContain(t, s.isb.upload(s.url("/evidence"), bad, "", nil, nil), http.StatusNotFound, "Diese Feststellung gibt es in diesem Informationsverbund nicht.")
	id := s.uploadForm(t, s.isb, fields, "konzept.pdf", "%PDF-1.7 Konzept")
	r = s.isb.do("GET", entryPath(entry.ID), nil, nil)
	mustContain(t, r, http.StatusOK, `href="/evidence/`+idStr(id)+`"`, "Benutzerkonzept Server", `<span class="tag ">eingereicht</span>`)
	mustContain(t, s.isb.do("GET", evidencePage(id), nil, nil), http.StatusOK, `href="/check-entries/`+idStr(entry.ID)+`"`)
	if es, _, _ := s.e.db.ListEvidence(context.Background(), s.scope.ID, domain.EvidenceFilter{}, postgres.Everything); len(es) != 1 {
		t.Errorf("%d items stored, want the linked one only", len(es))
	}
	// The list of the entry's evidence.
	r = s.isb.do("GET", s.url("/evidence")+"?target=check_entry&target_id="+idStr(entry.ID), nil, nil)
	mustContain(t, r, http.StatusOK, "Benutzerkonzept Server", `href="/check-entries/`+idStr(entry.ID)+`"`)
	mustContain(t, s.isb.do("GET", s.url("/evidence")+"?target=check_entry&target_id=999999", nil, nil), http.StatusNotFound)
}

// TestEvidenceWorkspace: the start page shows each role what waits for
// it, and a department head only their subtree's evidence.
func TestEvidenceWorkspace(t *testing.T) {
	t.Parallel()
	s := newEvidenceScope(t)
	ctx := context.Background()
	s.assign(t, []int64{s.server}, "SYS.1.1")
	entry := checkEntries(t, s.e, s.scope.ID, s.server)["SYS.1.1.A1"]
	up := func(c *client, title string, dept int64, extra ...string) int64 {
		f := map[string]string{"title": title, "department_id": idStr(dept), "effective_on": "2026-09-01", "reference": "DOK-" + title}
		for i := 0; i+1 < len(extra); i += 2 {
			f[extra[i]] = extra[i+1]
		}
		return s.uploadForm(t, c, f, "", "")
	}
	review := func(id int64, decision, comment string) {
		t.Helper()
		ev := s.evidenceOf(t, id)
		seeOther(t, s.auditor.do("POST", evidencePage(id)+"/review", form("version", strconv.Itoa(ev.Version), "decision", decision,
			"comment", comment), nil), evidencePage(id))
	}
	rejected := up(s.isb, "Patchprotokoll", s.tlrz)
	question := up(s.isb, "Schulungsnachweis", s.tlrz)
	expiring := up(s.isb, "Wartungsvertrag", s.tlrz, "valid_until", day(40))
	waiting := up(s.isb, "Datensicherungskonzept", s.tlrz)
	adminOwn := up(s.admin, "Berechtigungsliste", s.fin)
	innExpiring := up(s.admin, "Brandschutzbegehung Innenministerium", s.inn, "valid_until", day(10))
	review(rejected, "rejected", "Das Protokoll endet im August; bitte bis Oktober ergänzen.")
	review(question, "needs_info", "Wer hat teilgenommen?")
	review(expiring, "accepted", "")
	seeOther(t, s.isb.do("POST", evidencePage(question)+"/comments", form("body", "Alle Administratoren."), nil), evidencePage(question))
	review(question, "needs_info", "Bitte die Teilnehmerliste beilegen.")
	ie := s.evidenceOf(t, innExpiring)
	seeOther(t, s.auditor.do("POST", evidencePage(innExpiring)+"/review", form("version", strconv.Itoa(ie.Version), "decision", "accepted"), nil),
		evidencePage(innExpiring))

	// An audit in progress with a sample of two, and an open finding.
	var audit domain.Audit
	err := s.e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		var err error
		if audit, err = tx.CreateAudit(ctx, s.scope.ID, domain.AuditInput{Kind: domain.AuditSurveillance1, Title: "1. Überwachungsaudit 2026",
			Auditors: []string{"audra"}, StartsOn: time.Now(), EndsOn: time.Now().AddDate(0, 0, 2), State: domain.AuditInProgress}); err != nil {
			return err
		}
		if _, err := tx.AddSampleItem(ctx, audit.ID, domain.SampleInput{Type: domain.SampleRequirement, EntryID: entry.ID}, postgres.Everything); err != nil {
			return err
		}
		if _, err := tx.AddSampleItem(ctx, audit.ID, domain.SampleInput{Type: domain.SampleObject, ObjectID: s.server}, postgres.Everything); err != nil {
			return err
		}
		due := time.Now().AddDate(0, 1, 0)
		_, err = tx.CreateFinding(ctx, audit.ID, domain.FindingInput{Class: domain.FindingMinor, Title: "Patchstand nicht belegt", DueDate: &due}, postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// The auditor: the queue oldest first and never their own, the audit
	// with its open sample items, the finding.
	r := s.auditor.do("GET", "/", nil, nil)
	mustContain(t, r, http.StatusOK, "Zu prüfende Nachweise", `href="/evidence/`+idStr(waiting)+`"`, `href="/evidence/`+idStr(adminOwn)+`"`,
		"Laufende Audits", `href="/audits/`+idStr(audit.ID)+`"`, "Stichprobe: 0 von 2 geprüft", `href="/check-entries/`+idStr(entry.ID)+`"`,
		"Offene Feststellungen", "Patchstand nicht belegt", "geringfügige Abweichung")
	queue := string(r.body)[strings.Index(string(r.body), "Zu prüfende Nachweise"):strings.Index(string(r.body), "Laufende Audits")]
	if strings.Index(queue, "Datensicherungskonzept") > strings.Index(queue, "Berechtigungsliste") {
		t.Error("the queue is not oldest first")
	}
	for _, id := range []int64{rejected, question, expiring} {
		if strings.Contains(queue, `href="/evidence/`+idStr(id)+`"`) {
			t.Errorf("decided evidence %d in the queue", id)
		}
	}
	mustLack(t, r, "Ihre Nachweise: abgelehnt")
	// The administrator reviews too, but not their own upload.
	r = s.admin.do("GET", "/", nil, nil)
	queue = string(r.body)[strings.Index(string(r.body), "Zu prüfende Nachweise"):strings.Index(string(r.body), "Laufende Audits")]
	if strings.Contains(queue, "Berechtigungsliste") || !strings.Contains(queue, "Datensicherungskonzept") {
		t.Error("the administrator's queue holds their own upload or lacks another's")
	}

	// The ISB: their rejected and questioned evidence with the last word,
	// the open finding, what expires within 30, 60 or 90 days.
	r = s.isb.do("GET", "/", nil, nil)
	mustContain(t, r, http.StatusOK, "Ihre Nachweise: abgelehnt oder mit Rückfrage", "Patchprotokoll",
		"Das Protokoll endet im August; bitte bis Oktober ergänzen.", "Schulungsnachweis", "Bitte die Teilnehmerliste beilegen.",
		"Offene Feststellungen", "Patchstand nicht belegt", "Nachweise, die ablaufen")
	mustLack(t, r, "Zu prüfende Nachweise", "Laufende Audits", "Wer hat teilgenommen?", "Datensicherungskonzept")
	mustContainText(t, r, "1 in den nächsten 30 Tagen", "Brandschutzbegehung Innenministerium")
	mustLack(t, r, "Wartungsvertrag")
	mustContain(t, s.isb.do("GET", "/?expiring=60", nil, nil), http.StatusOK, "Wartungsvertrag", "Brandschutzbegehung Innenministerium")
	mustContainText(t, s.isb.do("GET", "/?expiring=60", nil, nil), "2 in den nächsten 60 Tagen")

	// A department head of the Finanzministerium sees its subtree only,
	// and the other ministry's evidence is not there for them.
	dora := s.e.loggedIn("dora", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &s.fin})
	r = dora.do("GET", "/?expiring=90", nil, nil)
	mustContain(t, r, http.StatusOK, "Wartungsvertrag")
	mustLack(t, r, "Brandschutzbegehung", "Zu prüfende Nachweise", "Ihre Nachweise: abgelehnt", "Offene Feststellungen")
	r = dora.do("GET", s.url("/evidence"), nil, nil)
	mustContain(t, r, http.StatusOK, "Wartungsvertrag", "Berechtigungsliste")
	mustLack(t, r, "Brandschutzbegehung", "Nachweis hochladen")
	mustContain(t, dora.do("GET", evidencePage(innExpiring), nil, nil), http.StatusNotFound, "Diesen Nachweis gibt es nicht.")
	innFile := s.uploadForm(t, s.admin, map[string]string{"title": "Protokoll Innenministerium", "department_id": idStr(s.inn),
		"effective_on": "2026-09-01"}, "protokoll.txt", "geheim")
	r = dora.do("GET", evidencePage(innFile)+"/versions/1/content", nil, nil)
	if r.status != http.StatusNotFound || bytes.Contains(r.body, []byte("geheim")) {
		t.Errorf("a department head downloads another ministry's file: %d", r.status)
	}
	mustContain(t, dora.do("GET", evidencePage(expiring), nil, nil), http.StatusOK, "Wartungsvertrag")
	mustLack(t, dora.do("GET", evidencePage(expiring), nil, nil), `action="/evidence/`+idStr(expiring)+`/comments"`)
}
