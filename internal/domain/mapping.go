package domain

import (
	"slices"
	"strings"
)

// A mapping collection (OSCAL mapping-collection) says how the controls of
// one catalog correspond to those of another, such as the BSI's Kompendium
// 2023 → Grundschutz++ and ISO/IEC 27001:2022 Annex A → Grundschutz++
// mappings. It names its catalogs only by a resource (a file name, and
// sometimes a title and uuid), and its controls by id, so which imported
// catalog and requirement a reference means is decided on read.

// Relationship is how a map's sources relate to its targets, in OSCAL's
// set-theory vocabulary (NIST IR 8477): the source is equal to, equivalent
// to, a superset of, a subset of, or intersects with the target.
type Relationship string

const (
	RelEqual      Relationship = "equal-to"
	RelEquivalent Relationship = "equivalent-to"
	RelSuperset   Relationship = "superset-of"
	RelSubset     Relationship = "subset-of"
	RelIntersects Relationship = "intersects-with"
)

// Relationships lists the relationships from the closest to the loosest.
var Relationships = []Relationship{RelEqual, RelEquivalent, RelSuperset, RelSubset, RelIntersects}

// Valid reports whether r is a known relationship.
func (r Relationship) Valid() bool { return slices.Contains(Relationships, r) }

// Label is the German name.
func (r Relationship) Label() string { return labelOf(relationshipLabels, r) }

var relationshipLabels = map[Relationship]string{
	RelEqual:      "gleich",
	RelEquivalent: "gleichwertig",
	RelSuperset:   "umfasst",
	RelSubset:     "Teil von",
	RelIntersects: "überschneidet sich",
}

// MappingCollection is the content of one mapping collection file.
type MappingCollection struct {
	UUID     string
	Title    string
	Version  string
	Mappings []Mapping
}

// Mapping maps the controls of one source catalog to one target catalog.
type Mapping struct {
	UUID   string
	Source MappingResource
	Target MappingResource
	Maps   []Map
}

// MappingResource names a catalog as the file does: its address (href) and,
// where given as props, its title and uuid.
type MappingResource struct {
	Href  string
	Title string
	UUID  string
}

// Map is one correspondence: its sources relate to its targets as
// Relationship says. Sources and targets are control ids as written.
type Map struct {
	UUID         string
	Relationship Relationship
	Sources      []string
	Targets      []string
}

// Maps counts the maps of all mappings.
func (c MappingCollection) Maps() int {
	n := 0
	for _, m := range c.Mappings {
		n += len(m.Maps)
	}
	return n
}

// RequirementOfRef is the requirement a mapping's control reference names.
// The BSI's Kompendium 2023 → Grundschutz++ mapping maps sentence-level
// parts of requirements ("NET.1.1.A1-UA.2" is the second "Unteranforderung"
// of NET.1.1.A1); such a part resolves to its requirement. Any other
// reference is a requirement id itself.
func RequirementOfRef(ref string) string {
	if i := strings.LastIndex(ref, "-UA."); i > 0 {
		rest := ref[i+len("-UA."):]
		if rest != "" && strings.Trim(rest, "0123456789") == "" {
			return ref[:i]
		}
	}
	return ref
}
