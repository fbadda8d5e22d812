package server

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
)

func TestExceptionPages(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	w := e.plusPlusScope()
	e.user("leitung", domain.Grant{Role: domain.RoleManagement})
	e.user("isb", domain.Grant{Role: domain.RoleISB})
	mgmt, isb := e.login("leitung"), e.login("isb")
	entries := checkEntries(t, e, w.scopeID, w.serverA)
	must := entries["GC.1.1"]
	e.setStatus(t, w.scopeID, must, domain.StatusNo)
	page := "/check-entries/" + strconv.FormatInt(must.ID, 10)
	until := domain.Today(e.srv.cfg.Location).AddDate(0, 0, 20).Format(time.DateOnly)

	r := mgmt.do("GET", page, nil, nil)
	body := string(r.body)
	for _, want := range []string{"MUSS", "Sicherheitsniveau normal-SdT", `id="exception-h"`, "Für diesen Eintrag gibt es keine Ausnahme.",
		"Ausnahme genehmigen", `name="valid_until" type="date"`} {
		if !strings.Contains(body, want) {
			t.Errorf("entry page lacks %q", want)
		}
	}
	if b := string(isb.do("GET", page, nil, nil).body); !strings.Contains(b, `id="exception-h"`) || strings.Contains(b, "Ausnahme genehmigen") {
		t.Error("the ISB sees the box, but no form to authorise")
	}

	// A refusal shows the page again with the German message and what was typed.
	r = mgmt.do("POST", page+"/exception", "justification=+&valid_until="+until+"&password="+testPassword, nil)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "Eine Ausnahme braucht eine Begründung.") ||
		!strings.Contains(string(r.body), `value="`+until+`"`) {
		t.Fatalf("no justification: %d %s", r.status, excerptAround(string(r.body), "exception-h"))
	}
	r = mgmt.do("POST", page+"/exception", "justification=Ablösung+2027&valid_until="+until+"&password="+testPassword, nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("authorise: %d %s", r.status, firstLine(r.body))
	}
	body = string(mgmt.do("GET", page, nil, nil).body)
	for _, want := range []string{"gültig, läuft in 20 Tagen ab", "Ablösung 2027", "genehmigt von", "Ausnahme widerrufen"} {
		if !strings.Contains(body, want) {
			t.Errorf("entry page with the exception lacks %q", want)
		}
	}
	if strings.Contains(body, `action="`+page+`/exception"`) {
		t.Error("a second exception is offered while one is not revoked")
	}

	// The list of the scope's exceptions, with its filters.
	list := "/scopes/" + strconv.FormatInt(w.scopeID, 10) + "/exceptions"
	if b := string(isb.do("GET", list, nil, nil).body); !strings.Contains(b, "Ablösung 2027") || !strings.Contains(b, "läuft in 20 Tagen ab") {
		t.Errorf("list: %s", excerptAround(b, "exception-list"))
	}
	if b := string(isb.do("GET", list+"?state=revoked", nil, nil).body); strings.Contains(b, "Ablösung 2027") || !strings.Contains(b, "Keine Ausnahme passt") {
		t.Error("the revoked filter shows a valid exception")
	}
	if r := isb.do("GET", list+"?state=bald", nil, nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "Unbekannter Stand der Ausnahme.") {
		t.Errorf("bad filter: %d", r.status)
	}
	if b := string(isb.do("GET", "/scopes/"+strconv.FormatInt(w.scopeID, 10), nil, nil).body); !strings.Contains(b, `href="`+list+`"`) {
		t.Error("the scope page does not link the exceptions")
	}

	// Revoking needs the version the page showed.
	x := regexpFind(t, body, `action="/exceptions/(\d+)/revoke"`)
	if r := mgmt.do("POST", "/exceptions/"+x+"/revoke", "version=5", nil); r.status != http.StatusPreconditionFailed ||
		!strings.Contains(string(r.body), "Die Ausnahme wurde inzwischen geändert.") {
		t.Errorf("stale revoke: %d", r.status)
	}
	if r := mgmt.do("POST", "/exceptions/"+x+"/revoke", "version=1", nil); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d %s", r.status, firstLine(r.body))
	}
	body = string(mgmt.do("GET", page, nil, nil).body)
	if !strings.Contains(body, `id="exception-state">widerrufen`) || !strings.Contains(body, "Ausnahme genehmigen") {
		t.Errorf("after the revocation: %s", excerptAround(body, "exception-h"))
	}

	// The check shows the modal verb and filters by it.
	check := string(isb.do("GET", "/scopes/"+strconv.FormatInt(w.scopeID, 10)+"/check?obligation=muss", nil, nil).body)
	if !strings.Contains(check, `id="f-obligation"`) || !strings.Contains(check, "obligation-muss") || strings.Contains(check, "GC.1.2") {
		t.Errorf("check filtered by MUSS: %s", excerptAround(check, "check-list"))
	}
}
