package webui

import "testing"

// TestSafeNext: after the login only a path of this site is followed; every
// way a browser could read as another host (a second slash, a backslash,
// a control character it drops, an encoded form of any of these) or as
// another scheme goes to the start page.
func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"/":                           "/",
		"/scopes/1/objects?q=Server":  "/scopes/1/objects?q=Server",
		"/search?q=a%20b&level=basis": "/search?q=a%20b&level=basis",
		"/objects/7#needs":            "/objects/7#needs",
		"":                            "/",
		"//evil.example":              "/",
		"///evil.example":             "/",
		"/\\evil.example":             "/",
		"\\\\evil.example":            "/",
		"/\t/evil.example/phish":      "/",
		"/\n/evil.example":            "/",
		"/\r/evil.example":            "/",
		"\t//evil.example":            "/",
		" //evil.example":             "/",
		"/%09/evil.example/phish":     "/",
		"/%0a/evil.example":           "/",
		"/%2F%2Fevil.example":         "/",
		"/%2f/evil.example":           "/",
		"/%5Cevil.example":            "/",
		"/%5cevil.example":            "/",
		"/%00":                        "/",
		"/%7F/evil.example":           "/",
		"/\x7f/evil.example":          "/",
		"/\u0085/evil.example":        "/",
		"/%E2%80%A8/evil.example":     "/",
		"/%zz":                        "/",
		"https://evil.example":        "/",
		"http:evil.example":           "/",
		"javascript:alert(1)":         "/",
		"evil.example":                "/",
		"./scopes":                    "/",
		"/scopes/1/../../\\evil":      "/",
		"/ok/path/with//double-slash": "/ok/path/with//double-slash",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
