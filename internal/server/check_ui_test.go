package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// checkEntries returns an object's entries (also retired ones) by requirement.
func checkEntries(t *testing.T, e *testEnv, scopeID, objectID int64) map[string]domain.CheckEntry {
	t.Helper()
	es, _, err := e.db.ListEntries(context.Background(), scopeID, domain.EntryFilter{ObjectID: objectID, IncludeRetired: true, Limit: 1000},
		postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]domain.CheckEntry{}
	for _, x := range es {
		out[x.RequirementID] = x
	}
	return out
}

// setStatus records a status with a justification on an entry.
func (e *testEnv) setStatus(t testing.TB, scopeID int64, en domain.CheckEntry, status domain.Status) {
	t.Helper()
	ctx := context.Background()
	why := "Ersatzteile erst 2027 lieferbar."
	err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		_, errs, err := tx.UpdateEntries(ctx, scopeID, []postgres.EntryUpdate{{ID: en.ID, Version: en.Version,
			Change: domain.EntryChange{Status: &status, Justification: &why}}}, postgres.Everything, "test")
		if err == nil && len(errs) > 0 {
			t.Fatalf("entry %s: %+v", en.RequirementID, errs)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// entryBlock is the part of an object's check page that shows one entry.
func entryBlock(t *testing.T, r response, id int64) string {
	t.Helper()
	return pageBlock(t, r, "entry-"+idStr(id), `<li class="entry`, "</ol>")
}

// pageBlock is the part of a page from the element with the id up to the
// first of the ends after it (or to the page's end).
func pageBlock(t *testing.T, r response, id string, ends ...string) string {
	t.Helper()
	body := string(r.body)
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no %s on the page", id)
	}
	rest := body[i:]
	for _, end := range ends {
		if j := strings.Index(rest[1:], end); j >= 0 {
			rest = rest[:j+1]
		}
	}
	return rest
}

// planItemOf returns the measure of a check entry.
func planItemOf(t *testing.T, e *testEnv, scopeID, entryID int64) domain.PlanItem {
	t.Helper()
	items, _, err := e.db.ListPlanItems(context.Background(), scopeID, domain.PlanFilter{IncludeDone: true}, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range items {
		if p.EntryID == entryID {
			return p
		}
	}
	t.Fatalf("no measure for entry %d", entryID)
	return domain.PlanItem{}
}

// planBlock is the part of the plan page that shows one measure.
func planBlock(t *testing.T, r response, id int64) string {
	t.Helper()
	return pageBlock(t, r, "plan-"+idStr(id), "</tbody>")
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

func entryPath(id int64) string { return "/check-entries/" + idStr(id) }

// TestCheckPages walks the ISB's work on the check: the list with its
// filters and keyset pages, the object's page with inline editing (a
// refusal keeps what was typed, a stale form is refused), the entry's page
// with its history, one module across objects, the bulk change, the plan,
// and the entries retired when a module is unassigned.
func TestCheckPages(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	scope, server := checkScope(t, e)
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	base := "/scopes/" + idStr(scope)
	entries := checkEntries(t, e, scope, server)
	if len(entries) != 20 {
		t.Fatalf("%d entries, want 6 B + 14 S", len(entries))
	}
	a1, a2, a5, a6 := entries["SYS.1.1.A1"], entries["SYS.1.1.A2"], entries["SYS.1.1.A5"], entries["SYS.1.1.A6"]
	short := a1.ObjectShortID

	// The list: tabs, counts per status, rows with boxes for the bulk change.
	r := c.do("GET", base+"/check", nil, nil)
	mustContain(t, r, http.StatusOK, `href="`+base+`/check" aria-current="page">A.4 IT-Grundschutz-Check</a>`, `href="`+base+`/plan">A.6 Realisierungsplan</a>`,
		`href="/catalogs/`, `/requirements/SYS.1.1.A1"`, "Zugriffsschutz und Nutzung", `name="entry" value="`+idStr(a1.ID)+`"`,
		`name="version_`+idStr(a1.ID)+`" value="1"`, "Ausgewählte Einträge gemeinsam ändern")
	mustContainText(t, r, "0 % umgesetzt oder entbehrlich · 20 Einträge", "unbearbeitet 20", "Einträge 20 passend zum Filter")
	if n := strings.Count(string(r.body), `name="entry"`); n != 20 {
		t.Errorf("%d rows with a box", n)
	}
	r = c.do("GET", base+"/check?level=basis", nil, nil)
	if n := strings.Count(string(r.body), `name="entry"`); n != 6 {
		t.Errorf("%d basis rows, want 6", n)
	}
	mustContainText(t, r, "Einträge 6 passend zum Filter")
	mustContain(t, c.do("GET", base+"/check?status=fertig&level=x", nil, nil), http.StatusUnprocessableEntity, "Unbekannter Umsetzungsstatus.", "Unbekannte Stufe.")
	mustContain(t, c.do("GET", base+"/check?object_short=X-999", nil, nil), http.StatusNotFound,
		"Ein Zielobjekt mit dem Kürzel „X-999“ gibt es in diesem Informationsverbund nicht.")
	r = c.do("GET", base+"/check?object_short="+short+"&module=SYS.1.1", nil, nil)
	mustContain(t, r, http.StatusOK, `href="`+base+`/check/modules/SYS.1.1"`)
	// Keyset pages: 8 per page, "Weitere Einträge" leads on, nothing twice.
	seen := map[string]bool{}
	next := base + "/check?limit=8"
	for pages := 0; next != ""; pages++ {
		if pages > 3 {
			t.Fatal("paging does not end")
		}
		r = c.do("GET", next, nil, nil)
		for _, m := range strings.Split(string(r.body), `name="entry" value="`)[1:] {
			id := m[:strings.Index(m, `"`)]
			if seen[id] {
				t.Errorf("entry %s on two pages", id)
			}
			seen[id] = true
		}
		next = ""
		if i := strings.Index(string(r.body), `rel="next"`); i >= 0 {
			href := regexpFind(t, string(r.body), `href="([^"]*)" rel="next">Weitere Einträge`)
			next = strings.ReplaceAll(href, "&amp;", "&")
		}
	}
	if len(seen) != 20 {
		t.Errorf("%d entries over all pages", len(seen))
	}
	mustContain(t, c.do("GET", base+"/check?cursor=abc", nil, nil), http.StatusUnprocessableEntity, "Ungültige Angabe.")

	// The object's check: modules with their entries and a form per entry.
	r = c.do("GET", objURL(server, "/check"), nil, nil)
	mustContain(t, r, http.StatusOK, "Allgemeiner Server", `action="/check-entries/`+idStr(a1.ID)+`"`, `id="st-`+idStr(a1.ID)+`"`,
		`id="ju-`+idStr(a1.ID)+`"`, "Speichern", `<script src="/static/check.js" defer></script>`, `href="`+base+`/check/modules/SYS.1.1"`)
	mustContainText(t, r, "0 von 20 erledigt")
	mustContain(t, c.do("GET", objURL(server, ""), nil, nil), http.StatusOK, `href="/objects/`+idStr(server)+`/check"`, "IT-Grundschutz-Check dieses Zielobjekts")

	// "nein" without a justification: refused in German at the entry, with what was typed.
	edit := func(x domain.CheckEntry, version int, kv ...string) response {
		return c.do("POST", entryPath(x.ID), form(append([]string{"version", strconv.Itoa(version), "back", objURL(server, "/check")}, kv...)...), nil)
	}
	r = edit(a1, 1, "status", "no", "justification", " ", "implementation", "Konzept liegt vor", "responsible", "Team Server", "target_date", "2027-03-31")
	mustContain(t, r, http.StatusUnprocessableEntity)
	block := entryBlock(t, r, a1.ID)
	for _, want := range []string{"Für den Status „nein“ ist eine Begründung erforderlich.", `<option value="no" selected>nein</option>`,
		"Konzept liegt vor", `value="Team Server"`, `value="2027-03-31"`, `aria-invalid="true"`, "autofocus"} {
		if !strings.Contains(block, want) {
			t.Errorf("the refused entry lacks %q", want)
		}
	}
	mustContain(t, r, http.StatusUnprocessableEntity, "SYS.1.1.A1 ("+short+") wurde nicht gespeichert")
	if strings.Contains(entryBlock(t, r, a2.ID), "Begründung erforderlich") {
		t.Error("the refusal shows at another entry too")
	}
	if got := checkEntries(t, e, scope, server)["SYS.1.1.A1"]; got.Status != domain.StatusOpen || got.Version != 1 {
		t.Fatalf("a refused change was stored: %+v", got)
	}
	// A form posted from another site is refused before it is read.
	r = c.do("POST", entryPath(a1.ID), form("version", "1", "status", "yes"), map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
	if got := checkEntries(t, e, scope, server)["SYS.1.1.A1"]; r.status != http.StatusForbidden || got.Version != 1 {
		t.Fatalf("cross-site form: %d, entry %+v", r.status, got)
	}
	mustContain(t, edit(a1, 1, "status", "no", "target_date", "bald"), http.StatusUnprocessableEntity, "Bitte ein Datum angeben, z. B. 31.12.2026.")

	// With the justification it is saved and the page shows it at the entry.
	loc := seeOther(t, edit(a1, 1, "status", "no", "justification", "Härtung folgt im Wartungsfenster", "implementation", "Konzept liegt vor",
		"responsible", "Team Server", "target_date", "2027-03-31"), objURL(server, "/check"))
	if loc != objURL(server, "/check?saved="+idStr(a1.ID)+"#entry-"+idStr(a1.ID)) {
		t.Errorf("redirect to %s", loc)
	}
	r = c.do("GET", strings.Split(loc, "#")[0], nil, nil)
	mustContain(t, r, http.StatusOK, "SYS.1.1.A1 ("+short+") ist gespeichert: nein. Die Maßnahme dazu steht im Realisierungsplan.")
	block = entryBlock(t, r, a1.ID)
	for _, want := range []string{`<span class="status status-no">nein</span>`, "Härtung folgt im Wartungsfenster", `role="status">Gespeichert.`} {
		if !strings.Contains(block, want) {
			t.Errorf("the saved entry lacks %q", want)
		}
	}

	// The same form again: someone else changed it meanwhile.
	r = edit(a1, 1, "status", "yes", "justification", "", "responsible", "Frau Jahn")
	mustContain(t, r, http.StatusPreconditionFailed)
	block = entryBlock(t, r, a1.ID)
	for _, want := range []string{"Der Eintrag wurde inzwischen geändert.", "Gespeichert ist jetzt: Status „nein“, zuletzt geändert von isa", `value="Frau Jahn"`,
		`<option value="yes" selected>ja</option>`, `name="version" value="2"`} {
		if !strings.Contains(block, want) {
			t.Errorf("the stale entry lacks %q", want)
		}
	}
	mustContain(t, c.do("POST", entryPath(999999), form("version", "1", "status", "yes"), nil), http.StatusNotFound,
		"Diesen Eintrag des IT-Grundschutz-Checks gibt es nicht.")

	// The entry's page: the full form and the history as a readable diff.
	r = c.do("GET", entryPath(a1.ID), nil, nil)
	mustContain(t, r, http.StatusOK, "Verlauf", `id="next_review"`, `id="last_review"`, "Allgemeiner Server")
	mustContainText(t, r, "Umsetzungsstatus unbearbeitet nein", "Begründung – Härtung folgt im Wartungsfenster",
		"Umsetzung bis – 31.03.2027", "Verantwortlich – Team Server")
	mustLack(t, r, `"status":`, "2027-03-31T00:00:00Z")
	r = c.do("POST", entryPath(a1.ID), form("version", "2", "back", entryPath(a1.ID), "status", "no", "justification", "Härtung folgt",
		"last_review", "2026-06-01", "next_review", "2026-01-01"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Die nächste Prüfung liegt vor der letzten.", `id="next_review-err"`, `value="2026-06-01"`, "Verlauf")
	seeOther(t, c.do("POST", entryPath(a1.ID), form("version", "2", "back", entryPath(a1.ID), "status", "no", "justification", "Härtung folgt",
		"last_review", "2026-01-01", "next_review", "2026-02-01"), nil), entryPath(a1.ID))
	r = c.do("GET", entryPath(a1.ID), nil, nil)
	mustContainText(t, r, "Nächste Prüfung – 01.02.2026", "Prüfung überfällig")

	// Review overdue: the list filter finds it and marks it.
	r = c.do("GET", base+"/check?review_overdue=true", nil, nil)
	mustContain(t, r, http.StatusOK, "überfällig", `name="entry" value="`+idStr(a1.ID)+`"`)
	if n := strings.Count(string(r.body), `name="entry"`); n != 1 {
		t.Errorf("%d entries with an overdue review", n)
	}

	// Bulk: one transaction; refused items are named at their rows, nothing changes.
	bulk := func(kv ...string) response {
		fs := []string{"back", base + "/check?level=basis"}
		for _, x := range []domain.CheckEntry{a2, a5, a6} {
			fs = append(fs, "entry", idStr(x.ID), "version_"+idStr(x.ID), strconv.Itoa(x.Version))
		}
		return c.do("POST", base+"/check/bulk", form(append(fs, kv...)...), nil)
	}
	r = bulk("bulk_status", "partial", "bulk_responsible", "TLRZ")
	mustContain(t, r, http.StatusUnprocessableEntity, "Nichts gespeichert: 3 der 3 ausgewählten Einträge lassen sich so nicht ändern.",
		`id="e-`+idStr(a2.ID)+`-err"`, `id="e-`+idStr(a5.ID)+`-err"`, `id="e-`+idStr(a6.ID)+`-err"`, `value="TLRZ"`,
		`<option value="partial" selected>teilweise</option>`, `value="`+idStr(a2.ID)+`" id="e-`+idStr(a2.ID)+`" checked`)
	if n := strings.Count(string(r.body), "Für den Status „teilweise“ ist eine Begründung erforderlich."); n != 3 {
		t.Errorf("%d per-item messages, want 3", n)
	}
	if n := strings.Count(string(r.body), `name="entry"`); n != 6 {
		t.Errorf("the refused bulk shows %d rows, want the 6 of the filter it came from", n)
	}
	if got := checkEntries(t, e, scope, server)["SYS.1.1.A2"]; got.Status != domain.StatusOpen {
		t.Fatalf("a refused bulk changed an entry: %+v", got)
	}
	other := otherScopeEntry(t, e)
	r = c.do("POST", base+"/check/bulk", form("back", base+"/check", "entry", idStr(other.ID), "version_"+idStr(other.ID), strconv.Itoa(other.Version),
		"bulk_status", "yes"), nil)
	mustContain(t, r, http.StatusNotFound, "Diesen Eintrag des IT-Grundschutz-Checks gibt es in diesem Informationsverbund nicht.")
	if got := checkEntries(t, e, other.ScopeID, other.ObjectID)["SYS.1.1.A1"]; got.Status != domain.StatusOpen {
		t.Fatalf("the bulk of one scope changed an entry of another: %+v", got)
	}
	mustContain(t, c.do("POST", base+"/check/bulk", form("bulk_status", "yes"), nil), http.StatusUnprocessableEntity,
		"Bitte kreuzen Sie in der Liste mindestens einen Eintrag an.")
	mustContain(t, bulk(), http.StatusUnprocessableEntity, "Bitte geben Sie an, was sich ändern soll")
	loc = seeOther(t, bulk("bulk_status", "partial", "bulk_justification", "Nur an den zentralen Standorten", "bulk_target_date", "2026-12-31"),
		base+"/check")
	if loc != base+"/check?level=basis" {
		t.Errorf("bulk goes back to %s", loc)
	}
	mustContain(t, c.do("GET", loc, nil, nil), http.StatusOK, "3 Einträge geändert; jede Änderung steht im Protokoll.")
	after := checkEntries(t, e, scope, server)
	for _, req := range []string{"SYS.1.1.A2", "SYS.1.1.A5", "SYS.1.1.A6"} {
		x := after[req]
		if x.Status != domain.StatusPartial || x.Justification != "Nur an den zentralen Standorten" || x.TargetDate == nil {
			t.Errorf("%s after the bulk: %+v", req, x)
		}
		recs, _, _ := e.db.ListAudit(context.Background(), domain.AuditFilter{ResourceType: "check_entry", ResourceID: idStr(x.ID)})
		if len(recs) != 1 {
			t.Errorf("%s has %d audit records", req, len(recs))
		}
	}
	// The same versions again: all stale.
	r = bulk("bulk_status", "yes")
	mustContain(t, r, http.StatusPreconditionFailed, "Nichts gespeichert: 3 der 3 ausgewählten Einträge wurden inzwischen von anderen geändert.")

	// One module across its objects.
	r = c.do("GET", base+"/check/modules/SYS.1.1", nil, nil)
	mustContain(t, r, http.StatusOK, "Allgemeiner Server", `href="/check-entries/`+idStr(a1.ID)+`"`, `class="cell-link status-no"`,
		`class="cell-link status-partial"`, ">teilw.</a>", short)
	mustContainText(t, r, "SYS.1.1 in allen Zielobjekten", "nein 1", "teilweise 3")
	mustContain(t, c.do("GET", base+"/check/modules/NOPE.1", nil, nil), http.StatusNotFound, "Diesen Baustein gibt es in dem Katalog nicht.")

	// The plan: a measure per partial or unfulfilled entry, by owner,
	// department and month, and its form.
	r = c.do("GET", base+"/plan", nil, nil)
	mustContain(t, r, http.StatusOK, `href="`+base+`/plan" aria-current="page">A.6 Realisierungsplan</a>`, "Umsetzung von SYS.1.1.A1 Zugriffsschutz und Nutzung",
		"Team Server", "31.03.2027", "Maßnahme bearbeiten")
	mustContainText(t, r, "Team Server 1 0 0,00 €", "Summe 4 0 0,00 €")
	// Measures by due date, one per page: the three due at the end of 2026 first, A1 (March 2027) last.
	var order []string
	for next, pages := base+"/plan?limit=1", 0; next != ""; pages++ {
		if pages > 4 {
			t.Fatal("the plan's paging does not end")
		}
		r = c.do("GET", next, nil, nil)
		order = append(order, regexpFind(t, string(r.body), `<tbody class="plan-item[^"]*" id="plan-(\d+)"`))
		next = ""
		if strings.Contains(string(r.body), `rel="next"`) {
			next = strings.ReplaceAll(regexpFind(t, string(r.body), `href="([^"]*)" rel="next">Weitere Maßnahmen`), "&amp;", "&")
		}
	}
	if len(order) != 4 || order[3] != idStr(planItemOf(t, e, scope, a1.ID).ID) {
		t.Errorf("measures over the pages: %v", order)
	}
	items, _, err := e.db.ListPlanItems(context.Background(), scope, domain.PlanFilter{}, postgres.Everything)
	if err != nil || len(items) != 4 {
		t.Fatalf("plan items %d (%v)", len(items), err)
	}
	var item domain.PlanItem
	for _, p := range items {
		if p.EntryID == a1.ID {
			item = p
		}
	}
	planForm := func(version int, kv ...string) response {
		return c.do("POST", "/plan-items/"+idStr(item.ID), form(append([]string{"version", strconv.Itoa(version), "back", base + "/plan?by=month"}, kv...)...), nil)
	}
	r = planForm(item.Version, "measure", "Härtung nach Checkliste", "owner", "Netzbetrieb", "budget", "viel", "priority", "1", "state", "in_progress")
	mustContain(t, r, http.StatusUnprocessableEntity, "Bitte einen Betrag in Euro angeben, z. B. 1.250,50.", `value="viel"`, "Härtung nach Checkliste",
		`id="pb-`+idStr(item.ID)+`-err"`, "<details open>")
	loc = seeOther(t, planForm(item.Version, "measure", "Härtung nach Checkliste", "owner", "Netzbetrieb", "budget", "1.250,50", "priority", "1",
		"state", "in_progress", "due_date", "2020-01-31"), base+"/plan")
	if loc != base+"/plan?by=month#plan-"+idStr(item.ID) {
		t.Errorf("plan form goes back to %s", loc)
	}
	r = c.do("GET", base+"/plan?by=month", nil, nil)
	mustContain(t, r, http.StatusOK, "Die Maßnahme zu SYS.1.1.A1 ("+short+") ist gespeichert.", "1.250,50 €", "Januar 2020", `href="`+base+`/plan?by=month&amp;month=2020-01#measures-h"`,
		"überfällig", `<span class="prio prio-1">hoch</span>`, "in Umsetzung")
	mustContainText(t, r, "Januar 2020 1 1 1.250,50 €", "Dezember 2026 3 0 0,00 €")
	mustContainText(t, c.do("GET", base+"/plan", nil, nil), "Netzbetrieb 1 1 1.250,50 €")
	mustContainText(t, c.do("GET", base+"/plan?by=department", nil, nil), "Landesrechenzentrum 4 1 1.250,50 €")
	r = c.do("GET", base+"/plan?overdue=true", nil, nil)
	if n := strings.Count(string(r.body), `class="plan-item`); n != 1 {
		t.Errorf("%d overdue measures, want 1", n)
	}
	mustContain(t, c.do("GET", base+"/plan?month=2026-12&department="+idStr(*item.DepartmentID), nil, nil), http.StatusOK, "Umsetzung von SYS.1.1.A2")
	mustContain(t, c.do("GET", base+"/plan?month=Dezember", nil, nil), http.StatusUnprocessableEntity, "Bitte einen Monat angeben.")
	r = planForm(item.Version, "owner", "Überholt")
	mustContain(t, r, http.StatusPreconditionFailed, "Die Maßnahme wurde inzwischen geändert. Bitte laden Sie die Seite neu.", `value="Überholt"`)
	mustContain(t, planForm(item.Version+1, "priority", "7"), http.StatusUnprocessableEntity, "Die Priorität ist hoch, mittel oder niedrig.")
	// Done is what the check says: not offered while A1 is "nein", and refused in German at the measure.
	block = planBlock(t, c.do("GET", base+"/plan", nil, nil), item.ID)
	for _, want := range []string{`id="ps-` + idStr(item.ID) + `-hint"`, `aria-describedby="ps-` + idStr(item.ID) + `-hint"`,
		`<option value="in_progress" selected>in Umsetzung</option>`} {
		if !strings.Contains(block, want) {
			t.Errorf("the open measure lacks %q", want)
		}
	}
	if strings.Contains(block, `<option value="done"`) {
		t.Error("an open measure offers to be set done by hand")
	}
	r = planForm(item.Version+1, "state", "done")
	mustContain(t, r, http.StatusUnprocessableEntity, "Eine Maßnahme ist erledigt, wenn ihre Anforderung erfüllt ist", "<details open>")
	mustLack(t, r, `name="state" aria-invalid="true"><option value="">alle</option>`)
	mustContain(t, c.do("POST", "/plan-items/999999", form("version", "1"), nil), http.StatusNotFound, "Diese Maßnahme gibt es nicht.")

	// A1 becomes "ja": its measure closes by itself, and stays as the check says.
	loc = seeOther(t, edit(a1, 3, "status", "yes", "justification", ""), objURL(server, "/check"))
	mustContain(t, c.do("GET", strings.Split(loc, "#")[0], nil, nil), http.StatusOK, "Die Maßnahme dazu im Realisierungsplan ist damit erledigt.")
	r = c.do("GET", base+"/plan?state=done", nil, nil)
	mustContain(t, r, http.StatusOK, "Härtung nach Checkliste", "erledigt am ")
	block = planBlock(t, r, item.ID)
	if !strings.Contains(block, "Stand: erledigt, folgt dem Eintrag im Check") || strings.Contains(block, `name="state"`) {
		t.Errorf("the done measure's state: %s", block)
	}
	mustLack(t, c.do("GET", base+"/plan", nil, nil), "Härtung nach Checkliste")

	// Without SYS.1.1 the entries are retired, listed apart with their last values.
	if err := e.db.InTx(context.Background(), testActor, func(tx *postgres.Tx) error {
		return tx.UnassignModule(context.Background(), server, "SYS.1.1", postgres.Everything)
	}); err != nil {
		t.Fatal(err)
	}
	r = c.do("GET", objURL(server, "/check"), nil, nil)
	mustContain(t, r, http.StatusOK, "Stillgelegte Einträge", "Nur an den zentralen Standorten", `<span class="status status-partial">teilweise</span>`)
	mustLack(t, r, `action="/check-entries/`)
	mustContainText(t, r, "SYS.1.1.A1 Zugriffsschutz und Nutzung SYS.1.1 ja")
	r = c.do("POST", entryPath(a2.ID), form("version", strconv.Itoa(after["SYS.1.1.A2"].Version+1), "status", "yes"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Der Eintrag ist stillgelegt")
	mustContain(t, c.do("GET", entryPath(a2.ID), nil, nil), http.StatusOK, "stillgelegt seit")
}

// TestCheckGroupMember: a member's entries follow their group until
// changed by hand; a button makes one follow again.
func TestCheckGroupMember(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	scope, dept := e.scopeWithDepartment()
	ctx := context.Background()
	var group, member int64
	err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		g, err := tx.CreateObject(ctx, scope, domain.ObjectInput{Type: domain.ObjectDevice,
			ObjectFields: domain.ObjectFields{Name: "Standortrouter"}, DepartmentID: &dept, Group: true, Members: 670}, postgres.Everything)
		if err != nil {
			return err
		}
		m, err := tx.CreateObject(ctx, scope, domain.ObjectInput{Type: domain.ObjectDevice,
			ObjectFields: domain.ObjectFields{Name: "Router JVA"}, DepartmentID: &dept, GroupID: &g.ID},
			postgres.Everything)
		if err != nil {
			return err
		}
		group, member = g.ID, m.ID
		_, err = tx.AssignModules(ctx, scope, []int64{g.ID}, []string{"NET.3.1"}, postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	ge, me := checkEntries(t, e, scope, group)["NET.3.1.A1"], checkEntries(t, e, scope, member)["NET.3.1.A1"]
	if !me.FollowsGroup {
		t.Fatalf("member entry %+v", me)
	}
	r := c.do("GET", objURL(group, "/check"), nil, nil)
	mustContain(t, r, http.StatusOK, "Dies ist eine Gruppe.", "Router und Switches")
	seeOther(t, c.do("POST", entryPath(ge.ID), form("version", "1", "status", "yes", "responsible", "Netzbetrieb"), nil), objURL(group, "/check"))

	r = c.do("GET", objURL(member, "/check"), nil, nil)
	mustContain(t, r, http.StatusOK, "Mitglied einer Gruppe", `href="/objects/`+idStr(group)+`/check"`)
	mustContainText(t, c.do("GET", entryPath(me.ID), nil, nil), "von der Gruppe übernommen", "Umsetzungsstatus unbearbeitet ja")
	block := entryBlock(t, r, me.ID)
	if !strings.Contains(block, "folgt der Gruppe") || !strings.Contains(block, `status-yes`) || strings.Contains(block, "Wieder der Gruppe folgen") {
		t.Errorf("following member entry: %s", block)
	}
	me = checkEntries(t, e, scope, member)["NET.3.1.A1"]
	seeOther(t, c.do("POST", entryPath(me.ID), form("version", strconv.Itoa(me.Version), "status", "no", "justification", "Altes Modell"), nil),
		objURL(member, "/check"))
	r = c.do("GET", objURL(member, "/check"), nil, nil)
	block = entryBlock(t, r, me.ID)
	if strings.Contains(block, "folgt der Gruppe") || !strings.Contains(block, "Wieder der Gruppe folgen") || !strings.Contains(block, "status-no") {
		t.Errorf("detached member entry: %s", block)
	}
	me = checkEntries(t, e, scope, member)["NET.3.1.A1"]
	seeOther(t, c.do("POST", entryPath(me.ID), form("version", strconv.Itoa(me.Version), "follow_group", "true"), nil), objURL(member, "/check"))
	mustContain(t, c.do("GET", objURL(member, "/check"), nil, nil), http.StatusOK, "NET.3.1.A1 (", "folgt wieder der Gruppe")
	if got := checkEntries(t, e, scope, member)["NET.3.1.A1"]; !got.FollowsGroup || got.Status != domain.StatusYes || got.Responsible != "Netzbetrieb" {
		t.Errorf("member after following again: %+v", got)
	}
}

// TestCheckDepartmentHead: a department head sees the check and the plan
// of their subtree only, without any form; a scoped ISB changes only
// entries of their subtree.
func TestCheckDepartmentHead(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	s.assign(t, []int64{s.server, s.innSystem}, "SYS.1.1")
	mine, other := checkEntries(t, e, s.scope.ID, s.server)["SYS.1.1.A1"], checkEntries(t, e, s.scope.ID, s.innSystem)["SYS.1.1.A1"]
	isa := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	for _, x := range []domain.CheckEntry{mine, other} {
		seeOther(t, isa.do("POST", entryPath(x.ID), form("version", "1", "status", "no", "justification", "offen"), nil), "/objects/")
	}
	c := e.loggedIn("heike", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &s.fin})

	r := c.do("GET", s.url("/check"), nil, nil)
	mustContain(t, r, http.StatusOK, "S-001", "Managementserver")
	mustContainText(t, r, "nein 1", "20 Einträge")
	mustLack(t, r, "S-900", "Fachverfahren-Server", "Innenministerium", `name="entry"`, "Ausgewählte Einträge", `method="post"`+` action="`+s.url("/check/bulk"))
	r = c.do("GET", objURL(s.server, "/check"), nil, nil)
	mustContain(t, r, http.StatusOK, "Zugriffsschutz und Nutzung", "offen")
	mustLack(t, r, `action="/check-entries/`, "Speichern", "Wieder der Gruppe folgen")
	r = c.do("GET", entryPath(mine.ID), nil, nil)
	mustContain(t, r, http.StatusOK, "Verlauf", "isa")
	mustLack(t, r, `action="/check-entries/`, "Bearbeiten")

	hidden, missing := c.do("GET", entryPath(other.ID), nil, nil), c.do("GET", entryPath(999999), nil, nil)
	mustContain(t, hidden, http.StatusNotFound, "Diesen Eintrag des IT-Grundschutz-Checks gibt es nicht.")
	if withoutRequestID(hidden.body) != withoutRequestID(missing.body) {
		t.Error("a hidden entry answers differently from a missing one")
	}
	mustContain(t, c.do("GET", objURL(s.innSystem, "/check"), nil, nil), http.StatusNotFound, "Dieses Zielobjekt gibt es nicht.")
	mustContain(t, c.do("POST", entryPath(mine.ID), form("version", "2", "status", "yes"), nil), http.StatusForbidden)
	mustLack(t, c.do("GET", s.url("/check/modules/SYS.1.1"), nil, nil), "S-900")
	r = c.do("GET", s.url("/plan"), nil, nil)
	mustContain(t, r, http.StatusOK, "S-001", "Landesrechenzentrum")
	mustLack(t, r, "S-900", "Innenministerium", "Maßnahme bearbeiten", `action="/plan-items/`)
	mustContainText(t, r, "Summe 1 0 0,00 €")

	// An ISB of the computing centre: forms for its entries only.
	ida := e.loggedIn("ida", domain.Grant{Role: domain.RoleISB, DepartmentID: &s.tlrz})
	r = ida.do("GET", s.url("/check"), nil, nil)
	mustContain(t, r, http.StatusOK, `name="entry" value="`+idStr(mine.ID)+`"`)
	mustLack(t, r, "S-900")
	mustContain(t, ida.do("POST", entryPath(other.ID), form("version", "2", "status", "yes"), nil), http.StatusNotFound)
	r = ida.do("POST", s.url("/check/bulk"), form("entry", idStr(other.ID), "version_"+idStr(other.ID), "2", "bulk_status", "yes"), nil)
	mustContain(t, r, http.StatusNotFound, "Diesen Eintrag des IT-Grundschutz-Checks gibt es in diesem Informationsverbund nicht.")
	if got := checkEntries(t, e, s.scope.ID, s.innSystem)["SYS.1.1.A1"]; got.Status != domain.StatusNo {
		t.Errorf("a scoped ISB changed an entry outside their departments: %+v", got)
	}
	seeOther(t, ida.do("POST", entryPath(mine.ID), form("version", "2", "status", "yes"), nil), objURL(s.server, "/check"))
	items, _, _ := e.db.ListPlanItems(context.Background(), s.scope.ID, domain.PlanFilter{}, postgres.Everything)
	for _, p := range items {
		if p.ObjectID == s.innSystem {
			mustContain(t, ida.do("POST", "/plan-items/"+idStr(p.ID), form("version", strconv.Itoa(p.Version), "owner", "x"), nil), http.StatusNotFound)
		}
	}
}
