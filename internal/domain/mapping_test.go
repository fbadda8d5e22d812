package domain

import "testing"

func TestRequirementOfRef(t *testing.T) {
	cases := map[string]string{
		"NET.1.1.A1-UA.1":    "NET.1.1.A1",
		"SYS.1.2.3.A9-UA.12": "SYS.1.2.3.A9",
		"NET.1.1.A1":         "NET.1.1.A1",
		"5.1":                "5.1",
		"X-UA.":              "X-UA.",
		"X-UA.2a":            "X-UA.2a",
		"-UA.1":              "-UA.1",
	}
	for in, want := range cases {
		if got := RequirementOfRef(in); got != want {
			t.Errorf("RequirementOfRef(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRelationshipLabels(t *testing.T) {
	want := map[Relationship]string{"equal-to": "gleich", "equivalent-to": "gleichwertig", "superset-of": "umfasst",
		"subset-of": "Teil von", "intersects-with": "überschneidet sich"}
	for _, r := range Relationships {
		if !r.Valid() || r.Label() != want[r] {
			t.Errorf("%s: valid %v, label %q", r, r.Valid(), r.Label())
		}
	}
	if Relationship("related-to").Valid() {
		t.Error("related-to is valid")
	}
}
