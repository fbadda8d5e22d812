package oscal

import (
	"bytes"
	"errors"
	"ismsd/internal/catalog/catalogtest"
	"reflect"
	"strings"
	"testing"

	"ismsd/internal/catalog"
	"ismsd/internal/domain"
)

// TestComponentDefinitionsOfTheBSI reads both real files and reproduces the
// counts of ../shared/catalogs/README.md.
func TestComponentDefinitionsOfTheBSI(t *testing.T) {
	cases := []struct {
		file       string
		components map[string]int // title → implemented requirements; nil: only the total
		count, all int
	}{
		{"Keycloak-component_definition.json", map[string]int{"Realm": 22, "Admin Console": 13, "OIDC/OAuth2 Provider Endpoints": 8}, 3, 43},
		{"Passwortrichtlinie-component_definition.json", nil, 7, 17},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			d, err := ParseComponentDefinition(bytes.NewReader(catalogtest.Read(t, catalogtest.Components+tc.file)))
			if err != nil {
				t.Fatal(err)
			}
			if d.Title == "" || d.UUID == "" {
				t.Errorf("title %q, uuid %q", d.Title, d.UUID)
			}
			if len(d.Components) != tc.count || d.Implemented() != tc.all {
				t.Fatalf("%d components with %d implemented requirements, want %d with %d", len(d.Components), d.Implemented(), tc.count, tc.all)
			}
			for _, c := range d.Components {
				if want, ok := tc.components[c.Title]; tc.components != nil && (!ok || want != len(c.Implemented)) {
					t.Errorf("component %q: %d implemented requirements, want %d (known: %v)", c.Title, len(c.Implemented), want, ok)
				}
				for _, ir := range c.Implemented {
					// The BSI names every control by its alt-identifier.
					if ir.AltID == "" || ir.ControlID != "" || ir.ControlRef != "_"+ir.AltID || ir.Description == "" || !strings.HasPrefix(ir.Source, "#") {
						t.Errorf("component %q: %+v", c.Title, ir)
					}
				}
			}
		})
	}
}

func TestParseComponentDefinition(t *testing.T) {
	d, err := ParseComponentDefinition(bytes.NewReader(readTestdata(t, "tiny-component-definition.json")))
	if err != nil {
		t.Fatal(err)
	}
	want := domain.ComponentDefinition{UUID: "4a1f0c2e-6b7d-4e8f-9a0b-1c2d3e4f5a6b", Title: "Beispielkomponenten", Version: "1.0",
		Components: []domain.Component{{UUID: "b1e2c3d4-0000-4000-8000-000000000001", Title: "Verzeichnisdienst", Type: "software",
			Description: "Ein zentraler Verzeichnisdienst.", Implemented: []domain.ImplementedRequirement{
				{ControlRef: "_9d0c6f9e-1111-4222-8333-444455556666", AltID: "9d0c6f9e-1111-4222-8333-444455556666",
					Description: "Konten werden zentral **gesperrt**.", Source: "#7c1f3e52-0d7b-4a8e-9c61-2f4b5a9e0d11"},
				{ControlRef: "ROOT.1", ControlID: "ROOT.1", Description: "Berichte kommen aus dem Verzeichnis.", Source: "#7c1f3e52-0d7b-4a8e-9c61-2f4b5a9e0d11"},
			}}}}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("got\n%+v\nwant\n%+v", d, want)
	}
}

func TestParseComponentDefinitionRefuses(t *testing.T) {
	cases := []struct{ in, where, reason string }{
		{`{"catalog":{}}`, "", "an OSCAL catalog, not a component definition"},
		{`{"profile":{}}`, "", "an OSCAL profile, not a component definition"},
		{`{"x":1}`, "", `the top-level object must hold "component-definition", this one holds "x"`},
		{`<component-definition/>`, "line 1, column 1", "XML"},
		{`{"component-definition":{"metadata":{"title":"T"},"components":[{"title":"C","control-implementations":[{"implemented-requirements":[{"description":"d"}]}]}]}}`,
			"component-definition.components[0].control-implementations[0].implemented-requirements[0]", "no control-id"},
		{`{"component-definition":{"metadata":{"title":"T"},"components":[{"title":" "}]}}`, "component-definition.components[0]", "no title"},
		{`{"component-definition":{"metadata":{"title":"T"},"components":[]}}`, "component-definition", "no components"},
		{`{"component-definition":{"metadata":{},"components":[{"title":"C"}]}}`, "component-definition.metadata", "no title"},
		{`{"component-definition":{"metadata":{"title":"T"},"components":[{"title":"C","control-implementations":[{"implemented-requirements":[{"control-id":7}]}]}]}}`,
			"line 1, column", "a JSON number where OSCAL wants a string"},
		{`{"component-definition":`, "line 1", "ends early"},
	}
	for _, tc := range cases {
		_, err := ParseComponentDefinition(strings.NewReader(tc.in))
		var ce *catalog.Error
		if !errors.As(err, &ce) || !strings.HasPrefix(ce.Where, tc.where) || !strings.Contains(ce.Reason, tc.reason) {
			t.Errorf("%s: got %v, want %q at %q", tc.in, err, tc.reason, tc.where)
		}
	}
	// And the other parsers name a component definition given in their place.
	doc := `{"component-definition":{"metadata":{"title":"T"}}}`
	if _, err := ParseCatalog(strings.NewReader(doc)); err == nil || !strings.Contains(err.Error(), "component definition, not a catalog") {
		t.Errorf("catalog parser: %v", err)
	}
	if _, err := ParseProfile(strings.NewReader(doc)); err == nil || !strings.Contains(err.Error(), "component definition, not a profile") {
		t.Errorf("profile parser: %v", err)
	}
}
