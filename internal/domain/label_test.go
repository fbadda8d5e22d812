package domain

import "testing"

// TestLabelOf: every kind of value has its German name, and a value
// without one shows as it is stored.
func TestLabelOf(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{AuditInitial.Label(), "Erstzertifizierungsaudit"},
		{AuditState("archived").Label(), "archived"},
		{labelOf(map[Role]string{}, Role("x")), "x"},
	} {
		if c.got != c.want {
			t.Errorf("label %q, want %q", c.got, c.want)
		}
	}
	for _, k := range AuditKinds {
		if k.Label() == string(k) {
			t.Errorf("%s has no German name", k)
		}
	}
}
