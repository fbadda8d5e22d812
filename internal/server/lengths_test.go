package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestLengthsCountCharacters: every length limit counts characters, as
// the JSON Schemas' maxLength does, not bytes. A text of exactly the limit
// in "ä" (two bytes each) is taken, one character more is refused with
// the field's pointer; a minimum counts characters too.
func TestLengthsCountCharacters(t *testing.T) {
	t.Parallel()
	s := newEvidenceScope(t)
	c := s.admin
	ae := func(n int) string { return strings.Repeat("ä", n) }
	pointerOf := func(t *testing.T, r response) string {
		t.Helper()
		p := problemOf(t, r, http.StatusUnprocessableEntity)
		if len(p.Errors) == 0 {
			t.Fatalf("no violation in %+v", p)
		}
		return p.Errors[0].Pointer
	}
	scope := fmt.Sprintf("/api/v1/scopes/%d", s.scope.ID)
	expires := time.Now().AddDate(0, 1, 0).Format(time.RFC3339)
	cases := []struct {
		name, pointer string
		limit         int
		send          func(text string) response
		created       int
	}{
		{"department name", "/name", 200, func(text string) response {
			return c.do("POST", "/api/v1/departments", map[string]string{"name": text}, nil)
		}, http.StatusCreated},
		{"object name", "/name", 200, func(text string) response {
			return c.do("POST", scope+"/objects", map[string]any{"type": "it_system", "name": text}, nil)
		}, http.StatusCreated},
		{"evidence title", "/title", 300, func(text string) response {
			f := s.fields(text)
			f["reference"] = "Dokument 4711"
			return c.upload(s.base, f, "", nil, nil)
		}, http.StatusCreated},
		{"token name", "/name", 100, func(text string) response {
			return c.do("POST", "/api/v1/me/tokens", map[string]string{"name": text, "expires_at": expires}, nil)
		}, http.StatusCreated},
		{"search", "/q", 200, func(text string) response {
			return c.do("GET", "/api/v1/search?q="+url.QueryEscape(text), nil, nil)
		}, http.StatusOK},
	}
	for _, tc := range cases {
		if r := tc.send(ae(tc.limit)); r.status != tc.created {
			t.Errorf("%s of %d × ä: %d %s, want %d", tc.name, tc.limit, r.status, firstLine(r.body), tc.created)
		}
		if got := pointerOf(t, tc.send(ae(tc.limit+1))); got != tc.pointer {
			t.Errorf("%s of %d × ä: refused at %q, want %q", tc.name, tc.limit+1, got, tc.pointer)
		}
	}

	// The department form of the web UI: 200 characters are a name.
	oe := func(n int) string { return strings.Repeat("ö", n) }
	if r := c.do("POST", "/departments", "name="+url.QueryEscape(oe(200)), nil); r.status != http.StatusSeeOther {
		t.Errorf("department form with 200 × ö: %d %s", r.status, firstLine(r.body))
	}
	if r := c.do("POST", "/departments", "name="+url.QueryEscape(oe(201)), nil); r.status != http.StatusUnprocessableEntity {
		t.Errorf("department form with 201 × ö: %d", r.status)
	}

	// An override of a protection need needs a justification of at least
	// ten characters: nine "ä" (18 bytes) are not enough.
	obj := fmt.Sprintf("/api/v1/objects/%d", s.server)
	needs := func(reason string) response {
		etag := c.do("GET", obj, nil, nil).header.Get("ETag")
		return c.do("PUT", obj+"/needs", map[string]any{
			"c": map[string]any{"own": "normal", "override_kind": "manual", "override": "high", "override_reason": reason},
			"i": map[string]any{}, "a": map[string]any{}}, map[string]string{"If-Match": etag})
	}
	if got := pointerOf(t, needs(ae(9))); got != "/c/override_reason" {
		t.Errorf("override justified by 9 × ä refused at %q", got)
	}
	if r := needs(ae(10)); r.status != http.StatusOK {
		t.Errorf("override justified by 10 × ä: %d %s", r.status, firstLine(r.body))
	}
}

// TestLoginKeepsWhatTheClientSentAsText: what a login stores of the
// client's own words (the user agent, a name that failed) is cut by
// characters and made valid UTF-8, never split inside a character.
func TestLoginKeepsWhatTheClientSentAsText(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.user("lotte")
	login := func(username string, header map[string]string) int {
		return e.client().do("POST", "/api/v1/session", map[string]string{"username": username, "password": testPassword}, header).status
	}
	if got := login("lotte", map[string]string{"User-Agent": "Browser\xff/1.0 " + strings.Repeat("ä", 400)}); got != http.StatusCreated {
		t.Errorf("login with a user agent of invalid UTF-8: %d", got)
	}
	// The login page takes any name; a failed one is recorded, cut to
	// 100 characters.
	form := url.Values{"username": {"x" + strings.Repeat("ä", 150)}, "password": {"wrong password"}}.Encode()
	if r := e.client().do("POST", "/login", form, nil); r.status != http.StatusUnauthorized {
		t.Errorf("failed login with a long name on the page: %d, want 401", r.status)
	}
}
