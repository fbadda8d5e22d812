package domain

import "strings"

// A component definition (OSCAL component-definition) belongs to the
// Grundschutz++ implementation layer: it says how a product or a rule of
// the institution (a component) implements controls of a catalog. It names
// the controls as "_<UUID>", where the UUID is the control's alt-identifier
// in the Kernel catalog (Requirement.AltID), not its id.

// ComponentDefinition is the content of one component definition file.
type ComponentDefinition struct {
	UUID       string
	Title      string
	Version    string
	Components []Component
}

// Component is one product, service or policy of a definition.
type Component struct {
	UUID        string
	Title       string
	Type        string // OSCAL's component type: software, service, policy, …
	Description string
	Implemented []ImplementedRequirement
}

// ImplementedRequirement says how a component implements one control.
type ImplementedRequirement struct {
	ControlRef  string // the control-id as written in the file
	AltID       string // the UUID of "_<UUID>", or "" when ControlRef is a plain control id
	ControlID   string // ControlRef when it is a plain control id, else ""
	Description string // how the component implements it, OSCAL prose (Markdown)
	Source      string // the control-implementation's source (a catalog's or profile's address)
}

// ParseControlRef splits a component definition's control-id into the
// alt-identifier UUID ("_<UUID>") or a plain control id.
func ParseControlRef(ref string) (altID, controlID string) {
	if rest, ok := strings.CutPrefix(ref, "_"); ok && rest != "" {
		return rest, ""
	}
	return "", ref
}

// Implemented counts the implemented requirements of all components.
func (d ComponentDefinition) Implemented() int {
	n := 0
	for _, c := range d.Components {
		n += len(c.Implemented)
	}
	return n
}

// DefinitionName is the short name a component definition is known by on
// the pages ("Keycloak" in "Keycloak · Realm"). The BSI's titles are long
// ("Entwurf Keycloak Component Definition") while its file names carry the
// product ("Keycloak-component_definition.json"), so the name is the file
// name without extension and without the "component definition" suffix;
// the title when that leaves nothing.
func DefinitionName(sourceName, title string) string {
	name := sourceName
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	lower := strings.ToLower(name)
	for _, suffix := range []string{"component_definition", "component-definition", "componentdefinition", "component definition"} {
		if strings.HasSuffix(lower, suffix) {
			name = name[:len(name)-len(suffix)]
			break
		}
	}
	name = strings.TrimSpace(strings.Trim(name, "-_ ."))
	if name == "" {
		return title
	}
	return name
}
