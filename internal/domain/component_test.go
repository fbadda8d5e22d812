package domain

import "testing"

func TestDefinitionName(t *testing.T) {
	cases := map[[2]string]string{
		{"Keycloak-component_definition.json", "Entwurf Keycloak Component Definition"}: "Keycloak",
		{"Passwortrichtlinie-component_definition.json", "Entwurf Vorlage"}:             "Passwortrichtlinie",
		{"Keycloak Component-Definition.JSON", "T"}:                                     "Keycloak",
		{"component-definition.json", "Titel"}:                                          "Titel",
		{"verzeichnis.json", "Titel"}:                                                   "verzeichnis",
	}
	for in, want := range cases {
		if got := DefinitionName(in[0], in[1]); got != want {
			t.Errorf("DefinitionName(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

func TestParseControlRef(t *testing.T) {
	if alt, id := ParseControlRef("_c18f2b2d-fb62"); alt != "c18f2b2d-fb62" || id != "" {
		t.Errorf("alt-identifier: %q %q", alt, id)
	}
	if alt, id := ParseControlRef("GC.1.1"); alt != "" || id != "GC.1.1" {
		t.Errorf("plain id: %q %q", alt, id)
	}
}
