package oscal

import (
	"fmt"
	"io"
	"strings"

	"ismsd/internal/catalog"
	"ismsd/internal/domain"
)

// mappingDoc is the root of a mapping collection file. Catalog and Profile
// are decoded only to tell them apart from a mapping collection.
type mappingDoc struct {
	MappingCollection *mappingCollectionJSON `json:"mapping-collection"`
	Catalog           *struct{}              `json:"catalog"`
	Profile           *struct{}              `json:"profile"`
}

type mappingCollectionJSON struct {
	UUID     string        `json:"uuid"`
	Metadata metadata      `json:"metadata"`
	Mappings []mappingJSON `json:"mappings"`
}

type mappingJSON struct {
	UUID   string       `json:"uuid"`
	Source resourceJSON `json:"source-resource"`
	Target resourceJSON `json:"target-resource"`
	Maps   []mapJSON    `json:"maps"`
}

type resourceJSON struct {
	Href  string `json:"href"`
	Props []prop `json:"props"`
}

type mapJSON struct {
	UUID         string    `json:"uuid"`
	Relationship string    `json:"relationship"`
	Sources      []refJSON `json:"sources"`
	Targets      []refJSON `json:"targets"`
}

type refJSON struct {
	IDRef string `json:"id-ref"`
}

// ParseMappingCollection reads an OSCAL 1.x mapping collection (JSON), such
// as the BSI's Kompendium 2023 → Grundschutz++ and ISO/IEC 27001:2022
// Annex A → Grundschutz++ mappings:
//
//   - metadata title and version, and the collection's uuid, become
//     Title, Version and UUID;
//   - every mapping becomes a Mapping with its source and target resource
//     (href, and the catalog_title and catalog_uuid props where given);
//   - every map keeps its relationship and its sources' and targets'
//     id-refs as written, in document order.
//
// Refused, with the JSON path: a file that is not a mapping collection (a
// catalog, a profile, XML, broken JSON); a collection without title or
// mappings; a
// mapping without a source or target resource or without maps; a map with
// an unknown relationship, without sources or targets, or with an empty
// id-ref.
func ParseMappingCollection(r io.Reader) (domain.MappingCollection, error) {
	data, err := readJSON(r, "mapping collection")
	if err != nil {
		return domain.MappingCollection{}, err
	}
	var doc mappingDoc
	if err := decode(data, &doc); err != nil {
		return domain.MappingCollection{}, err
	}
	switch {
	case doc.MappingCollection == nil && doc.Catalog != nil:
		return domain.MappingCollection{}, catalog.Errorf("", "an OSCAL catalog, not a mapping collection: import it as a catalog")
	case doc.MappingCollection == nil && doc.Profile != nil:
		return domain.MappingCollection{}, catalog.Errorf("", "an OSCAL profile, not a mapping collection: import it as a profile")
	case doc.MappingCollection == nil:
		return domain.MappingCollection{}, catalog.Errorf("",
			"not an OSCAL mapping collection: the top-level object must hold \"mapping-collection\", this one holds %s", rootKeys(data))
	}
	return buildMappingCollection(doc.MappingCollection)
}

func buildMappingCollection(mc *mappingCollectionJSON) (domain.MappingCollection, error) {
	out := domain.MappingCollection{
		UUID:    strings.TrimSpace(mc.UUID),
		Title:   strings.TrimSpace(mc.Metadata.Title),
		Version: strings.TrimSpace(mc.Metadata.Version),
	}
	if out.Title == "" {
		return out, catalog.Errorf("mapping-collection.metadata", "the mapping collection has no title")
	}
	if len(mc.Mappings) == 0 {
		return out, catalog.Errorf("mapping-collection", "the mapping collection has no mappings")
	}
	for i, mj := range mc.Mappings {
		path := fmt.Sprintf("mapping-collection.mappings[%d]", i)
		m := domain.Mapping{UUID: strings.TrimSpace(mj.UUID)}
		var err error
		if m.Source, err = buildResource(mj.Source, path+".source-resource"); err != nil {
			return out, err
		}
		if m.Target, err = buildResource(mj.Target, path+".target-resource"); err != nil {
			return out, err
		}
		if len(mj.Maps) == 0 {
			return out, catalog.Errorf(path, "the mapping has no maps")
		}
		m.Maps = make([]domain.Map, 0, len(mj.Maps))
		for j, xj := range mj.Maps {
			mp, err := buildMap(xj, fmt.Sprintf("%s.maps[%d]", path, j))
			if err != nil {
				return out, err
			}
			m.Maps = append(m.Maps, mp)
		}
		out.Mappings = append(out.Mappings, m)
	}
	return out, nil
}

// buildResource reads a catalog resource: its href, and the title and uuid
// the BSI's exporter adds as catalog_title and catalog_uuid props.
func buildResource(rj resourceJSON, path string) (domain.MappingResource, error) {
	res := domain.MappingResource{Href: strings.TrimSpace(rj.Href)}
	for _, p := range rj.Props {
		switch p.Name {
		case "catalog_title":
			res.Title = strings.TrimSpace(p.Value)
		case "catalog_uuid":
			res.UUID = strings.TrimSpace(p.Value)
		}
	}
	if res.Href == "" && res.Title == "" && res.UUID == "" {
		return res, catalog.Errorf(path, "the resource names no catalog (no href)")
	}
	return res, nil
}

func buildMap(xj mapJSON, path string) (domain.Map, error) {
	mp := domain.Map{UUID: strings.TrimSpace(xj.UUID), Relationship: domain.Relationship(strings.TrimSpace(xj.Relationship))}
	if !mp.Relationship.Valid() {
		return mp, catalog.Errorf(path+".relationship", "unknown relationship %q (known: equal-to, equivalent-to, superset-of, subset-of, intersects-with)", xj.Relationship)
	}
	var err error
	if mp.Sources, err = refs(xj.Sources, path+".sources"); err != nil {
		return mp, err
	}
	mp.Targets, err = refs(xj.Targets, path+".targets")
	return mp, err
}

func refs(rs []refJSON, path string) ([]string, error) {
	if len(rs) == 0 {
		return nil, catalog.Errorf(path, "the map has none")
	}
	out := make([]string, 0, len(rs))
	for i, r := range rs {
		ref := strings.TrimSpace(r.IDRef)
		if ref == "" {
			return nil, catalog.Errorf(fmt.Sprintf("%s[%d]", path, i), "the reference has no id-ref")
		}
		out = append(out, ref)
	}
	return out, nil
}
