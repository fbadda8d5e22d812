package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"ismsd/internal/domain"
)

// TestOverrideDirectionAndCycleNote: PUT /api/v1/objects/{id}/needs and
// the page's form refuse a cumulation that does not raise and a
// distribution that does not lower the inherited need (422, pointer,
// German message at the field); a distribution on a cycle member whose
// partner needs more is accepted with a warning in the answer and a note
// on the pages.
func TestOverrideDirectionAndCycleNote(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	s.setOwn(t, s.process, domain.NeedNormal, domain.NeedNormal, domain.NeedHigh)
	s.depend(t, s.process, s.app) // the application inherits availability "high"

	put := func(kind, value string) response {
		t.Helper()
		r := c.do("GET", "/api/v1/objects/"+strconv.FormatInt(s.app, 10), nil, nil)
		body := map[string]any{"c": map[string]any{"own": "normal"}, "i": map[string]any{"own": "normal"},
			"a": map[string]any{"own": "normal", "override_kind": kind, "override": value, "override_reason": "Begründung der Abweichung"}}
		return c.do("PUT", "/api/v1/objects/"+strconv.FormatInt(s.app, 10)+"/needs", body, map[string]string{"If-Match": r.header.Get("ETag")})
	}
	for _, wrong := range []struct{ kind, value, detail string }{
		{"cumulation", "normal", "a cumulation override may only raise the need: by the maximum principle it is high"},
		{"cumulation", "high", "may only raise"},
		{"distribution", "very_high", "a distribution override may only lower the need: by the maximum principle it is high"},
		{"distribution", "high", "may only lower"},
	} {
		p := problemOf(t, put(wrong.kind, wrong.value), http.StatusUnprocessableEntity)
		if len(p.Errors) != 1 || p.Errors[0].Pointer != "/a/override" || !strings.Contains(p.Errors[0].Detail, wrong.detail) {
			t.Errorf("%s to %s: %+v", wrong.kind, wrong.value, p)
		}
	}
	if n := s.object(t, s.app).Needs[domain.Availability]; n.OverrideKind != domain.OverrideNone || n.Effective != domain.NeedHigh {
		t.Fatalf("a refused override changed the object: %+v", n)
	}
	if r := put("distribution", "normal"); r.status != http.StatusOK {
		t.Fatalf("a distribution that lowers: %d %s", r.status, r.body)
	}

	// On a cycle with the process (which needs "high") the distribution
	// cannot lower the application: accepted, with a warning.
	s.depend(t, s.app, s.process)
	r := put("distribution", "normal")
	if r.status != http.StatusOK {
		t.Fatalf("distribution on a cycle member: %d %s", r.status, r.body)
	}
	var obj struct {
		Needs map[string]struct {
			Effective string `json:"effective"`
			Warning   string `json:"warning"`
		} `json:"needs"`
	}
	if err := json.Unmarshal(r.body, &obj); err != nil {
		t.Fatal(err)
	}
	if a := obj.Needs["a"]; a.Effective != "high" || !strings.Contains(a.Warning, "dependency cycle") || obj.Needs["c"].Warning != "" {
		t.Errorf("answer on a cycle: %+v", obj.Needs)
	}

	// The page's form: the wrong direction in German at the field.
	app := s.object(t, s.app)
	r = c.do("POST", objURL(s.app, "/needs"), form("version", strconv.Itoa(app.Version), "own_c", "normal", "own_i", "normal", "own_a", "normal",
		"override_kind_a", "cumulation", "override_a", "normal", "override_reason_a", "Viele Anwendungen laufen hier."), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, `id="override_a-err"`,
		"Ein Kumulationseffekt darf den Schutzbedarf nur erhöhen; nach dem Maximumprinzip ist er „hoch“.")
	note := "Das Zielobjekt liegt auf einem Abhängigkeitszyklus, dessen Zielobjekte alle den höchsten Schutzbedarf unter ihnen erhalten („hoch“). " +
		"Die Abweichung (Verteilungseffekt) senkt es daher nicht auf „normal“."
	mustContainText(t, c.do("GET", objURL(s.app, ""), nil, nil), note)
	mustContainText(t, c.do("GET", s.url("/needs"), nil, nil), note)
}
