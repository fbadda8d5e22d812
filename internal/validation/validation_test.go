package validation

import (
	"errors"
	"slices"
	"testing"

	"ismsd/internal/domain"
)

func TestEveryViolationListedWithPointer(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		schema, body string
		want         []domain.Violation
	}{
		{"session-create.json", `{}`, []domain.Violation{
			{Pointer: "/password", Detail: "is required"},
			{Pointer: "/username", Detail: "is required"},
		}},
		{"user-create.json", `{"username":"A B","email":"nope","password":"short","role":"x"}`, nil},
		{"token-create.json", `{"name":"ci","expires_at":"tomorrow"}`, nil},
		{"session-create.json", `{"username":"a"`, nil},
		{"session-create.json", `[1]`, nil},
	}
	for _, c := range cases {
		err := v.Validate(c.schema, []byte(c.body))
		var de *domain.Error
		if !errors.As(err, &de) || !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("%s %s: %v, want ErrInvalid", c.schema, c.body, err)
		}
		if c.want != nil && !slices.Equal(de.Violations, c.want) {
			t.Errorf("%s %s: %+v, want %+v", c.schema, c.body, de.Violations, c.want)
		}
		if len(de.Violations) == 0 {
			t.Errorf("%s %s: no violations", c.schema, c.body)
		}
	}
	// Four distinct problems, four violations, each with its pointer.
	err = v.Validate("user-create.json", []byte(`{"username":"A B","email":"nope","password":"short","role":"x"}`))
	var de *domain.Error
	errors.As(err, &de)
	var pointers []string
	for _, vi := range de.Violations {
		pointers = append(pointers, vi.Pointer)
	}
	if want := []string{"/email", "/password", "/role", "/username"}; !slices.Equal(pointers, want) {
		t.Errorf("pointers %v, want %v (%+v)", pointers, want, de.Violations)
	}
	// Format is asserted under 2020-12.
	err = v.Validate("token-create.json", []byte(`{"name":"ci","expires_at":"tomorrow"}`))
	if !errors.As(err, &de) || len(de.Violations) != 1 || de.Violations[0].Pointer != "/expires_at" {
		t.Errorf("date-time format not enforced: %v", err)
	}
	if err := v.Validate("session-create.json", []byte(`{"username":"a","password":"b"}`)); err != nil {
		t.Errorf("valid body refused: %v", err)
	}
}
