package domain

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestTextFault(t *testing.T) {
	fine := []string{"", "Rechenzentrum Süd", "Zeile 1\nZeile 2\r\n\tEingerückt", "Ersatzzeichen \uFFFD bleibt", "emoji 🔒", "\u0080\u009f"}
	for _, s := range fine {
		if f := TextFault(s); f != "" {
			t.Errorf("%q refused: %s", s, f)
		}
	}
	bad := map[string]string{
		"a\x00b":       "U+0000",
		"\x1b[31m":     "U+001B",
		"del\x7f":      "U+007F",
		"a\xffb":       "UTF-8",
		"\xc3":         "UTF-8",
		"\xed\xa0\x80": "UTF-8", // a surrogate half
		"x\uffff":      "U+FFFF",
		"x\ufffe":      "U+FFFE",
	}
	for s, want := range bad {
		if f := TextFault(s); !strings.Contains(f, want) {
			t.Errorf("%q: fault %q, want one naming %s", s, f, want)
		}
	}
}

func TestTooLongCountsCharacters(t *testing.T) {
	if TooLong(strings.Repeat("ä", 200), 200) || !TooLong(strings.Repeat("ä", 201), 200) {
		t.Error("200 × ä is 200 characters")
	}
}

func TestPasswordLengthCountsCharacters(t *testing.T) {
	// Random letters of two bytes each, so that no strength rule objects.
	letters := []rune("äöüßéèêñçåøæÄÖÜÉ")
	rng := rand.New(rand.NewPCG(1, 2))
	password := func(n int) string {
		r := make([]rune, n)
		for i := range r {
			r[i] = letters[rng.IntN(len(letters))]
		}
		return string(r)
	}
	if err := ValidatePassword("/password", password(MaxPasswordLength)); err != nil {
		t.Errorf("%d characters refused: %v", MaxPasswordLength, err)
	}
	if err := ValidatePassword("/password", password(MaxPasswordLength+1)); err == nil {
		t.Errorf("%d characters accepted", MaxPasswordLength+1)
	}
}

// TestRequiredText: one rule refuses a required free text, for every
// input that has one (exception, parameter value, raised level).
func TestRequiredText(t *testing.T) {
	for _, c := range []struct {
		in, want, detail string
	}{
		{"  Begründung \n", "Begründung", ""},
		{" \t ", "", "must not be empty"},
		{strings.Repeat("ä", 11), strings.Repeat("ä", 11), "is longer than 10 characters"},
		{"a\x00b", "a\x00b", "contains the control character U+0000"},
	} {
		s := c.in
		v := requiredText("/reason", &s, 10, "leer", "zu lang")
		if s != c.want {
			t.Errorf("%q trimmed to %q, want %q", c.in, s, c.want)
		}
		switch {
		case c.detail == "" && len(v) > 0:
			t.Errorf("%q refused: %+v", c.in, v)
		case c.detail != "" && (len(v) != 1 || v[0].Detail != c.detail || v[0].Pointer != "/reason"):
			t.Errorf("%q: %+v, want one refusal at /reason %q", c.in, v, c.detail)
		}
	}
}
