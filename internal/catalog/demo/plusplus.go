package demo

import (
	"bytes"
	_ "embed"
)

// The Grundschutz++ demo: a small OSCAL 1.1 catalog built like the BSI's
// Grundschutz++ Kernel (practices, groups, controls with sec_level,
// effort_level, alt-identifier, a statement with modal_verb, parameters)
// and a component definition for Keycloak that names its controls by
// "_<alt-identifier>" as the BSI's implementation layer does. Both are
// written in our own words for ismsd and say so in their metadata; the
// IDs and UUIDs are invented, the practices' names follow the Kernel's
// structure. Unlike the Kompendium excerpt they are plain OSCAL, so they
// go through the normal catalog import and show on the catalogs page like
// any imported file.

// PlusPlusSourceName and ComponentSourceName are the names under which
// the files are recorded. The component definition's is written like the
// BSI's file names, so that its components show as "Keycloak-Demo · Realm"
// (domain.DefinitionName).
const (
	PlusPlusSourceName  = "grundschutz-pp-demo.json"
	ComponentSourceName = "Keycloak-Demo-component_definition.json"
)

//go:embed grundschutz-pp-demo.json
var plusPlusSource []byte

//go:embed Keycloak-Demo-component_definition.json
var componentSource []byte

// PlusPlusSource returns the Grundschutz++ demo catalog's bytes.
func PlusPlusSource() []byte { return bytes.Clone(plusPlusSource) }

// ComponentSource returns the Keycloak demo component definition's bytes.
func ComponentSource() []byte { return bytes.Clone(componentSource) }
