package validation

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"ismsd/internal/domain"
)

// TestBadTextInJSONIsRefusedWithItsPointer: NUL (escaped), other control
// characters and invalid UTF-8 (raw bytes, which encoding/json would
// quietly replace), in values and member names at any depth, each refused
// with the pointer where it stands, in document order.
func TestBadTextInJSONIsRefusedWithItsPointer(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		body     string
		pointers []string
	}{
		{`{"username":"a\u0000b","password":"x"}`, []string{"/username"}},
		{"{\"username\":\"a\xffb\",\"password\":\"x\"}", []string{"/username"}},
		{"{\"password\":\"x\",\"user\xc3name\":\"a\"}", []string{"/user\uFFFDname"}},
		{`{"a":{"b":[1,"ok",{"c":"\u001b"}],"d":"\u0007"},"e":"\uffff"}`, []string{"/a/b/2/c", "/a/d", "/e"}},
		{"[\"ok\",[\"x\xed\xa0\x80\"],{\"k\":null,\"l\":\"\\u0000\"}]", []string{"/1/0", "/2/l"}},
		{`{"a/b~c":"\u0000"}`, []string{"/a~1b~0c"}},
	}
	for _, c := range cases {
		err := v.Validate("session-create.json", []byte(c.body))
		var de *domain.Error
		if !errors.As(err, &de) || !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("%q: %v, want ErrInvalid", c.body, err)
		}
		var pointers []string
		for _, vi := range de.Violations {
			pointers = append(pointers, vi.Pointer)
			if vi.German == "" || !strings.Contains(vi.Detail, "UTF-8") && !strings.Contains(vi.Detail, "U+") {
				t.Errorf("%q: violation %+v", c.body, vi)
			}
		}
		if !slices.Equal(pointers, c.pointers) {
			t.Errorf("%q: pointers %q, want %q", c.body, pointers, c.pointers)
		}
	}
	// Tabs, line breaks and escaped ordinary characters are text.
	for _, body := range []string{`{"username":"a\tb\nc\r\n\u00e4\"\\","password":"x"}`, `{"username":"Müller 🔒","password":"\ufffd"}`} {
		if err := v.Validate("session-create.json", []byte(body)); err != nil {
			t.Errorf("%s refused: %v", body, err)
		}
	}
}
