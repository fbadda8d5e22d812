package oscal

import (
	"fmt"
	"io"
	"strings"

	"ismsd/internal/catalog"
	"ismsd/internal/domain"
)

// componentDoc is the root of a component definition file. Catalog and
// Profile are decoded only to tell them apart from a component definition.
type componentDoc struct {
	ComponentDefinition *componentDefinitionJSON `json:"component-definition"`
	Catalog             *struct{}                `json:"catalog"`
	Profile             *struct{}                `json:"profile"`
}

type componentDefinitionJSON struct {
	UUID       string          `json:"uuid"`
	Metadata   metadata        `json:"metadata"`
	Components []componentJSON `json:"components"`
}

type componentJSON struct {
	UUID                   string                      `json:"uuid"`
	Type                   string                      `json:"type"`
	Title                  string                      `json:"title"`
	Description            string                      `json:"description"`
	ControlImplementations []controlImplementationJSON `json:"control-implementations"`
}

type controlImplementationJSON struct {
	Source                  string                       `json:"source"`
	ImplementedRequirements []implementedRequirementJSON `json:"implemented-requirements"`
}

type implementedRequirementJSON struct {
	ControlID   string `json:"control-id"`
	Description string `json:"description"`
}

// ParseComponentDefinition reads an OSCAL 1.x component definition (JSON),
// such as the BSI's Keycloak or Passwortrichtlinie definitions of the
// Grundschutz++ implementation layer:
//
//   - metadata title and version, and the definition's uuid, become
//     Title, Version and UUID;
//   - every component becomes a Component with its uuid, title, type and
//     description, in document order;
//   - every implemented requirement of every control implementation
//     becomes an ImplementedRequirement with the control-id as written
//     (ControlRef), split into AltID ("_<UUID>") or ControlID (a plain
//     id), its description and the control implementation's source.
//
// Refused, with the JSON path: a file that is not a component definition
// (a catalog, a profile, XML, broken JSON); a definition without title or
// components; a component without title; an implemented requirement
// without control-id.
func ParseComponentDefinition(r io.Reader) (domain.ComponentDefinition, error) {
	data, err := readJSON(r, "component definition")
	if err != nil {
		return domain.ComponentDefinition{}, err
	}
	var doc componentDoc
	if err := decode(data, &doc); err != nil {
		return domain.ComponentDefinition{}, err
	}
	switch {
	case doc.ComponentDefinition == nil && doc.Catalog != nil:
		return domain.ComponentDefinition{}, catalog.Errorf("", "an OSCAL catalog, not a component definition: import it as a catalog")
	case doc.ComponentDefinition == nil && doc.Profile != nil:
		return domain.ComponentDefinition{}, catalog.Errorf("", "an OSCAL profile, not a component definition: import it as a profile")
	case doc.ComponentDefinition == nil:
		return domain.ComponentDefinition{}, catalog.Errorf("",
			"not an OSCAL component definition: the top-level object must hold \"component-definition\", this one holds %s", rootKeys(data))
	}
	return buildComponentDefinition(doc.ComponentDefinition)
}

func buildComponentDefinition(cd *componentDefinitionJSON) (domain.ComponentDefinition, error) {
	out := domain.ComponentDefinition{
		UUID:    strings.TrimSpace(cd.UUID),
		Title:   strings.TrimSpace(cd.Metadata.Title),
		Version: strings.TrimSpace(cd.Metadata.Version),
	}
	if out.Title == "" {
		return out, catalog.Errorf("component-definition.metadata", "the component definition has no title")
	}
	if len(cd.Components) == 0 {
		return out, catalog.Errorf("component-definition", "the component definition has no components")
	}
	for i, cj := range cd.Components {
		path := fmt.Sprintf("component-definition.components[%d]", i)
		c := domain.Component{UUID: strings.TrimSpace(cj.UUID), Title: strings.TrimSpace(cj.Title),
			Type: strings.TrimSpace(cj.Type), Description: strings.TrimSpace(cj.Description)}
		if c.Title == "" {
			return out, catalog.Errorf(path, "the component has no title")
		}
		for j, ci := range cj.ControlImplementations {
			for k, ir := range ci.ImplementedRequirements {
				ref := strings.TrimSpace(ir.ControlID)
				if ref == "" {
					return out, catalog.Errorf(fmt.Sprintf("%s.control-implementations[%d].implemented-requirements[%d]", path, j, k),
						"the implemented requirement has no control-id")
				}
				alt, id := domain.ParseControlRef(ref)
				c.Implemented = append(c.Implemented, domain.ImplementedRequirement{ControlRef: ref, AltID: alt, ControlID: id,
					Description: strings.TrimSpace(ir.Description), Source: strings.TrimSpace(ci.Source)})
			}
		}
		out.Components = append(out.Components, c)
	}
	return out, nil
}
