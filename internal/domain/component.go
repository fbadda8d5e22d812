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
