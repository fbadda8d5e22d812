package server

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"ismsd/internal/domain"
)

// TestObjectFormShowsEachRuleAtItsField: the object form is refused by
// the same rules as the API, each message at the field it is about.
func TestObjectFormShowsEachRuleAtItsField(t *testing.T) {
	e := newTestEnv(t)
	s := newUIScope(t, e)
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})

	r := c.do("POST", s.url("/objects"), form("type", "it_system", "name", "Server", "location", strings.Repeat("ö", 201),
		"responsible", strings.Repeat("r", 201)), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Bitte prüfen Sie die markierten Eingaben.",
		`aria-describedby="responsible-err"`, "Die Angabe „Verantwortlich“ darf höchstens 200 Zeichen haben.",
		`aria-describedby="location-err"`, "Der Standort darf höchstens 200 Zeichen haben.")
	mustLack(t, r, "Ein Feld ist zu lang.")

	// A number that does not parse, and a rule of Validate, at once.
	r = c.do("POST", s.url("/objects"), form("type", "it_system", "name", " ", "members", "viele"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Bitte eine ganze Zahl angeben.", "Der Name muss 1 bis 200 Zeichen haben.")

	// The protection-need form: a justification too long is shown at its field.
	r = c.do("POST", objURL(s.server, "/needs"), form("version", "1", "own_c", "high", "own_reason_c", strings.Repeat("x", 4001)), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, `aria-describedby="own_reason_c-err"`, "Eine Begründung darf höchstens 4000 Zeichen haben.")
}

// TestAPITrimsLikeThePages: the API stores what the pages would, texts
// without the blanks around them.
func TestAPITrimsLikeThePages(t *testing.T) {
	e := newTestEnv(t)
	s := newUIScope(t, e)
	c := e.loggedIn("adam", domain.Grant{Role: domain.RoleAdmin})

	var scope struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	r := c.do("POST", "/api/v1/scopes", map[string]any{"name": " Behördennetz Nord ", "description": " Außenstellen\n",
		"catalog_id": s.catalog, "approach": "basic"}, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("create scope: %d %s", r.status, r.body)
	}
	if r.json(t, &scope); scope.Name != "Behördennetz Nord" || scope.Description != "Außenstellen" {
		t.Errorf("scope stored as %q, %q", scope.Name, scope.Description)
	}

	var obj struct {
		ID          int64    `json:"id"`
		Name        string   `json:"name"`
		Description string   `json:"description"`
		Responsible string   `json:"responsible"`
		Location    string   `json:"location"`
		Tags        []string `json:"tags"`
		Version     int      `json:"version"`
	}
	r = c.do("POST", "/api/v1/scopes/"+strconv.FormatInt(s.scope.ID, 10)+"/objects", map[string]any{"type": "it_system",
		"name": "  Mailserver ", "description": "\n Postfächer \n", "responsible": " Referat 12 ", "location": " Erfurt ",
		"tags": []string{" mail ", " "}}, nil)
	if r.status != http.StatusCreated {
		t.Fatalf("create object: %d %s", r.status, r.body)
	}
	r.json(t, &obj)
	if obj.Name != "Mailserver" || obj.Description != "Postfächer" || obj.Responsible != "Referat 12" || obj.Location != "Erfurt" ||
		len(obj.Tags) != 1 || obj.Tags[0] != "mail" {
		t.Errorf("object stored as %+v", obj)
	}

	// A merge patch is trimmed too, and the needs' justifications.
	r = c.do("PATCH", "/api/v1/objects/"+strconv.FormatInt(obj.ID, 10), map[string]any{"location": " Gera "}, ifMatchOf(obj.Version))
	if r.status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	if r.json(t, &obj); obj.Location != "Gera" || obj.Name != "Mailserver" {
		t.Errorf("patched to %+v", obj)
	}
	r = c.do("PUT", "/api/v1/objects/"+strconv.FormatInt(obj.ID, 10)+"/needs", map[string]any{
		"c": map[string]any{"own": "high", "own_reason": "  personenbezogene Daten "}, "i": map[string]any{}, "a": map[string]any{}},
		ifMatchOf(obj.Version))
	if r.status != http.StatusOK {
		t.Fatalf("needs: %d %s", r.status, r.body)
	}
	var needs struct {
		Needs map[string]struct {
			OwnReason string `json:"own_reason"`
		} `json:"needs"`
	}
	if r.json(t, &needs); needs.Needs["c"].OwnReason != "personenbezogene Daten" {
		t.Errorf("justification stored as %q", needs.Needs["c"].OwnReason)
	}
}
