package catalogimport

import (
	"errors"
	"ismsd/internal/catalog/catalogtest"
	"strings"
	"testing"

	"ismsd/internal/catalog"
)

const (
	keycloakJSON = catalogtest.Keycloak
	passwordJSON = catalogtest.PasswordRules
)

// TestImportComponentDefinition imports the Keycloak definition before the
// Kernel (nothing resolves, every reference is listed), again (already
// imported), and after the Kernel, when all 43 references resolve by
// their alt-identifier without importing the definition anew.
func TestImportComponentDefinition(t *testing.T) {
	t.Parallel()
	keycloak, kernel := catalogtest.Read(t, keycloakJSON), catalogtest.Read(t, kernelJSON)
	db, im := newImporter(t)

	res, err := importBytes(t, im, "Keycloak-component_definition.json", keycloak)
	if err != nil {
		t.Fatal(err)
	}
	d := res.Definition
	if res.Kind != catalog.KindOSCALComponents || res.Unchanged || d.ID == 0 || d.Components != 3 || d.Implemented != 43 || d.Resolved != 0 ||
		len(res.Unresolved) != 43 || !strings.HasPrefix(res.Unresolved[0], "_") || res.Catalog.ID != 0 {
		t.Fatalf("without the Kernel: %+v", res)
	}
	if n := catalogCount(t, db); n != 0 {
		t.Fatalf("a component definition became %d catalogs", n)
	}

	again, err := importBytes(t, im, "renamed.json", keycloak)
	if err != nil || !again.Unchanged || again.Definition.ID != d.ID {
		t.Fatalf("second import: %+v, %v", again, err)
	}

	if _, err := importBytes(t, im, "kernel.json", kernel); err != nil {
		t.Fatal(err)
	}
	again, err = importBytes(t, im, "Keycloak-component_definition.json", keycloak)
	if err != nil || !again.Unchanged || again.Definition.Resolved != 43 || len(again.Unresolved) != 0 {
		t.Fatalf("after the Kernel: %+v, %v", again, err)
	}
	components, err := db.DefinitionComponents(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, c := range components {
		counts[c.Label()] = len(c.Requirements)
		for _, r := range c.Requirements {
			if len(r.Resolved) != 1 || r.Resolved[0].RequirementID == "" {
				t.Errorf("%s %s resolves to %+v", c.Label(), r.ControlRef, r.Resolved)
			}
		}
	}
	if counts["Keycloak · Realm"] != 22 || counts["Keycloak · Admin Console"] != 13 || counts["Keycloak · OIDC/OAuth2 Provider Endpoints"] != 8 {
		t.Errorf("components %v", counts)
	}

	// The Passwortrichtlinie resolves in the Kernel imported before it.
	pw, err := importBytes(t, im, "Passwortrichtlinie-component_definition.json", catalogtest.Read(t, passwordJSON))
	if err != nil || pw.Definition.Components != 7 || pw.Definition.Implemented != 17 || pw.Definition.Resolved != 17 {
		t.Fatalf("Passwortrichtlinie: %+v, %v", pw, err)
	}
	list, err := db.ListComponentDefinitions(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("list %+v, %v", list, err)
	}
}

// TestImportComponentDefinitionRefused: a malformed file stores nothing.
func TestImportComponentDefinitionRefused(t *testing.T) {
	t.Parallel()
	db, im := newImporter(t)
	_, err := importBytes(t, im, "broken.json",
		[]byte(`{"component-definition":{"metadata":{"title":"T"},"components":[{"title":"C","control-implementations":[{"implemented-requirements":[{"description":"d"}]}]}]}}`))
	var ce *catalog.Error
	if !errors.As(err, &ce) || ce.Where != "component-definition.components[0].control-implementations[0].implemented-requirements[0]" {
		t.Fatalf("got %v", err)
	}
	if list, err := db.ListComponentDefinitions(ctx); err != nil || len(list) != 0 {
		t.Fatalf("stored %+v, %v", list, err)
	}
}
