package server

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"ismsd/internal/domain"
)

// TestGuidelinePages walks the "Leitlinie" tab: the ISB starts and edits a
// draft (German refusals at their fields, a stale form keeps what was
// typed), management approves it, signed by its account with its
// password on today, the next draft
// starts from the version in force; A.0 policies with an overdue review
// and an expired certificate; a department head reads only.
func TestGuidelinePages(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	isb, management, head, _ := guidelineUsers(e, s)
	page := s.url("/guideline")

	r := isb.do("GET", page, nil, nil)
	mustContain(t, r, http.StatusOK, `aria-current="page">Leitlinie</a>`, "Es ist noch keine Leitlinie in Kraft.", "Entwurf anlegen",
		"A.0 Richtlinien", "Noch kein Zertifikat erfasst.", "Richtlinie erfassen", "Zertifikat erfassen")
	mustLack(t, head.do("GET", page, nil, nil), "Entwurf anlegen", "Richtlinie erfassen", "Zertifikat erfassen")
	mustContain(t, head.do("POST", s.url("/guideline/draft"), "", nil), http.StatusForbidden, "Keine Berechtigung")

	loc := seeOther(t, isb.do("POST", s.url("/guideline/draft"), "", nil), page+"#draft-h")
	r = isb.do("GET", loc, nil, nil)
	mustContain(t, r, http.StatusOK, "Der Entwurf der Fassung 1 ist angelegt.", "Entwurf speichern", `value="Informationssicherheitsbeauftragte/r"`,
		"Entwurf löschen")
	mustLack(t, r, "/approve") // the ISB does not approve
	g, err := e.db.ListGuidelines(context.Background(), s.scope.ID)
	if err != nil || len(g) != 1 {
		t.Fatalf("guidelines: %v %v", g, err)
	}
	draft := "/guidelines/" + strconv.FormatInt(g[0].ID, 10)
	edit := func(version int, title, months, modules, orphan string) string {
		return form("version", strconv.Itoa(version), "title", title, "scope_statement", "Landesdatennetz", "approach", "standard",
			"basis_by", "2026-12-31", "standard_by", "31.12.2027", "elevated_by", "", "review_months", months, "evidence_coverage", "80",
			"required_modules", modules, "role_title", "Informationssicherheitsbeauftragte/r", "role_holder", "Isa Beispiel",
			"role_title", "", "role_holder", orphan, "role_title", "", "role_holder", "")
	}

	// Refusals in German at their fields, what was typed kept.
	r = isb.do("POST", draft, edit(g[0].Version, "Leitlinie 2026", "0", "ISMS.1\nNIX.1", "Ohne Rolle"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Bitte prüfen Sie die markierten Eingaben.",
		"Der Überprüfungszyklus muss zwischen 1 und 60 Monaten liegen.", `id="g-review-err"`,
		"Den Baustein NIX.1 gibt es im Katalog des Informationsverbunds nicht.", `id="g-modules-err"`,
		"Rolle 2: Bitte die Bezeichnung der Rolle angeben", `id="g-role-title-1-err"`, `value="Ohne Rolle"`, `value="Leitlinie 2026"`)
	seeOther(t, isb.do("POST", draft, edit(g[0].Version, "Leitlinie 2026", "12", "ISMS.1\nORP.4", ""), nil), page+"#draft-h")
	// A stale form: refused, the current state shown, the typed values kept.
	r = isb.do("POST", draft, edit(g[0].Version, "Leitlinie von gestern", "24", "ISMS.1", ""), nil)
	mustContain(t, r, http.StatusPreconditionFailed, "Inzwischen hat jemand anderes hier gespeichert", `value="Leitlinie von gestern"`,
		`name="version" value="`+strconv.Itoa(g[0].Version+1)+`"`)

	// Management approves; the ISB may not. The approver is the signed-in
	// account, confirmed by its password, on today: a name and a date in
	// the form are ignored.
	lea, err := e.db.UserByUsername(context.Background(), "lea")
	if err != nil {
		t.Fatal(err)
	}
	name := "Dr. Lea Leitung"
	if _, err := e.accounts.UpdateUser(context.Background(), testActor, lea.ID, lea.Version, domain.UserChange{DisplayName: &name}); err != nil {
		t.Fatal(err)
	}
	today := domain.Today(e.srv.cfg.Location)
	approve := form("version", strconv.Itoa(g[0].Version+1), "approved_by", "Jemand anderes", "approved_on", "2031-01-01", "password", testPassword)
	mustContain(t, isb.do("POST", draft+"/approve", approve, nil), http.StatusForbidden, "Keine Berechtigung")
	r = management.do("GET", page, nil, nil)
	mustContain(t, r, http.StatusOK, `action="`+draft+`/approve"`, "Freigeben", `name="password" type="password"`)
	mustContainText(t, r, "Es zeichnet Dr. Lea Leitung (Ihr Benutzerkonto) am "+today.Format("02.01.2006"))
	mustLack(t, r, "Entwurf speichern", `name="approved_by"`, `name="approved_on"`)
	r = management.do("POST", draft+"/approve", form("version", strconv.Itoa(g[0].Version+1)), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Bitte bestätigen Sie die Freigabe mit Ihrem Passwort.", `id="ap-pw-err"`)
	r = management.do("POST", draft+"/approve", form("version", strconv.Itoa(g[0].Version+1), "password", "nicht mein Passwort"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Das Passwort stimmt nicht.", `id="ap-pw-err"`)
	loc = seeOther(t, management.do("POST", draft+"/approve", approve, nil), page)
	r = management.do("GET", loc, nil, nil)
	mustContain(t, r, http.StatusOK, "Die Fassung 1 der Leitlinie ist freigegeben und in Kraft.", "stimmt mit dem Inhalt überein", "Dr. Lea Leitung")
	mustContainText(t, r, "Freigegeben am "+today.Format("02.01.2006"), "Nächste Überprüfung "+today.AddDate(0, 12, 0).Format("02.01.2006"),
		"Übergreifende Bausteine ISMS.1, ORP.4", "Informationssicherheitsbeauftragte/r: Isa Beispiel")
	mustLack(t, r, "Jemand anderes")
	inForce, err := e.db.GuidelineInForce(context.Background(), s.scope.ID)
	if err != nil || inForce.Title != "Leitlinie 2026" {
		t.Fatalf("in force: %+v %v", inForce, err)
	}
	mustContain(t, r, http.StatusOK, inForce.ApprovedHash)

	// The next draft starts from the version in force.
	loc = seeOther(t, isb.do("POST", s.url("/guideline/draft"), "", nil), page)
	r = isb.do("GET", loc, nil, nil)
	mustContain(t, r, http.StatusOK, "Er übernimmt den Inhalt der geltenden Fassung 1.", `value="Leitlinie 2026"`, "ORP.4")
	mustContain(t, isb.do("POST", s.url("/guideline/draft"), "", nil), http.StatusConflict, "Es gibt schon einen Entwurf der Leitlinie.")

	// A.0: a policy needs its evidence; its review is overdue two years on.
	ev := createEvidenceItem(t, e, s.scope.ID, "Passwortrichtlinie.pdf")
	policy := func(evidence string) string {
		return form("title", "Passwortrichtlinie", "evidence_id", evidence, "version_label", "2.1", "approved_by", "Dr. Lea Leitung",
			"approved_on", "2024-03-31", "review_months", "12")
	}
	r = isb.do("POST", s.url("/policies"), policy(""), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Bitte den Nachweis wählen, der die Richtlinie enthält.", `id="pn-evidence-err"`,
		`value="Passwortrichtlinie"`)
	seeOther(t, isb.do("POST", s.url("/policies"), policy(strconv.FormatInt(ev.ID, 10)), nil), page+"#policies-h")
	r = head.do("GET", page, nil, nil)
	mustContain(t, r, http.StatusOK, "/evidence/"+strconv.FormatInt(ev.ID, 10), "überfällig")
	mustContainText(t, r, "Passwortrichtlinie 2.1 31.03.2024 Dr. Lea Leitung 31.03.2025 überfällig")
	ps, err := e.db.ListPolicies(context.Background(), s.scope.ID, false)
	if err != nil || len(ps) != 1 {
		t.Fatalf("policies: %v %v", ps, err)
	}
	pol := "/policies/" + strconv.FormatInt(ps[0].ID, 10)
	mustContain(t, head.do("POST", pol+"/withdraw", form("version", strconv.Itoa(ps[0].Version)), nil), http.StatusForbidden)
	seeOther(t, isb.do("POST", pol+"/withdraw", form("version", strconv.Itoa(ps[0].Version)), nil), page)
	mustContain(t, isb.do("POST", pol+"/withdraw", form("version", strconv.Itoa(ps[0].Version)), nil), http.StatusConflict,
		"Die Richtlinie ist zurückgezogen")

	// The certificate: three years when no end is given; expired ones marked.
	r = isb.do("POST", s.url("/certificates"), form("number", "", "issued_on", "2020-01-10", "valid_until", ""), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Bitte die Zertifikatsnummer angeben", `id="cn-number-err"`, `value="2020-01-10"`)
	seeOther(t, isb.do("POST", s.url("/certificates"), form("number", "BSI-IGZ-0100-2020", "issued_on", "2020-01-10", "valid_until", ""), nil),
		page+"#certificate-h")
	r = head.do("GET", page, nil, nil)
	mustContainText(t, r, "Zertifikatsnummer BSI-IGZ-0100-2020", "Gültig bis 10.01.2023 abgelaufen")
	mustLack(t, r, "Entwurf speichern", "Bearbeiten")
}
