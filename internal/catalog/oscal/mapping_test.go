package oscal

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"ismsd/internal/catalog/catalogtest"
	"ismsd/internal/domain"
)

// TestMappingCollectionsOfTheBSI reads both real files and reproduces the
// counts of ../shared/catalogs/README.md that need no catalog: maps,
// distinct source references and requirements, distinct targets and the
// relationships.
func TestMappingCollectionsOfTheBSI(t *testing.T) {
	type want struct {
		target                       string // a word of the target href
		maps, sources, reqs, targets int
		rels                         map[domain.Relationship]int // nil: not checked
	}
	cases := []struct {
		file string
		want []want
	}{
		{catalogtest.ITGSMapping, []want{
			{"Kernel", 1013, 718, 456, 306, map[domain.Relationship]int{"subset-of": 391, "intersects-with": 333, "superset-of": 168, "equivalent-to": 105, "equal-to": 16}},
			{"Methodik", 172, 125, 81, 33, nil},
		}},
		{catalogtest.AnnexAMapping, []want{
			{"Methodik", 13, 13, 13, 23, nil},
			{"Kernel", 83, 83, 83, 276, map[domain.Relationship]int{"subset-of": 65, "equivalent-to": 14, "intersects-with": 4}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			c, err := ParseMappingCollection(bytes.NewReader(catalogtest.Read(t, tc.file)))
			if err != nil {
				t.Fatal(err)
			}
			if c.Title == "" || c.UUID == "" || len(c.Mappings) != len(tc.want) {
				t.Fatalf("title %q, uuid %q, %d mappings", c.Title, c.UUID, len(c.Mappings))
			}
			for i, w := range tc.want {
				m := c.Mappings[i]
				if !strings.Contains(m.Target.Href, w.target) || m.Source.Href == "" {
					t.Errorf("mapping %d: source %+v, target %+v, want a %s target", i, m.Source, m.Target, w.target)
				}
				sources, reqs, targets := map[string]bool{}, map[string]bool{}, map[string]bool{}
				rels := map[domain.Relationship]int{}
				for _, mp := range m.Maps {
					rels[mp.Relationship]++
					for _, s := range mp.Sources {
						sources[s], reqs[domain.RequirementOfRef(s)] = true, true
					}
					for _, s := range mp.Targets {
						targets[s] = true
					}
				}
				if len(m.Maps) != w.maps || len(sources) != w.sources || len(reqs) != w.reqs || len(targets) != w.targets {
					t.Errorf("%s: %d maps over %d sources of %d requirements to %d targets, want %d, %d, %d, %d",
						w.target, len(m.Maps), len(sources), len(reqs), len(targets), w.maps, w.sources, w.reqs, w.targets)
				}
				if w.rels != nil && !reflect.DeepEqual(rels, w.rels) {
					t.Errorf("%s: relationships %v, want %v", w.target, rels, w.rels)
				}
			}
		})
	}
	// The Kompendium mapping names its target catalogs by title and uuid too.
	c, err := ParseMappingCollection(bytes.NewReader(catalogtest.Read(t, catalogtest.ITGSMapping)))
	if err != nil {
		t.Fatal(err)
	}
	if tg := c.Mappings[0].Target; tg.Title != "BSI Stand der Technik Kernel" || tg.UUID != "2ccce1d6-de9f-481f-b56f-6134b3cb4fb0" {
		t.Errorf("Kernel target %+v", tg)
	}
}

func TestParseMappingCollection(t *testing.T) {
	in := `{"$schema":"x","mapping-collection":{"uuid":"u","metadata":{"title":" T ","version":"1"},"mappings":[
		{"uuid":"m","source-resource":{"type":"catalog","href":"a.json"},
		 "target-resource":{"type":"catalog","href":"b.json","props":[{"name":"catalog_title","value":"B"},{"name":"catalog_uuid","value":"bu"}]},
		 "maps":[{"uuid":"x","relationship":"subset-of","sources":[{"type":"control","id-ref":"A.A1-UA.1"}],"targets":[{"id-ref":"B.1"},{"id-ref":" B.2 "}]}]}]}}`
	c, err := ParseMappingCollection(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := domain.MappingCollection{UUID: "u", Title: "T", Version: "1", Mappings: []domain.Mapping{{UUID: "m",
		Source: domain.MappingResource{Href: "a.json"}, Target: domain.MappingResource{Href: "b.json", Title: "B", UUID: "bu"},
		Maps: []domain.Map{{UUID: "x", Relationship: domain.RelSubset, Sources: []string{"A.A1-UA.1"}, Targets: []string{"B.1", "B.2"}}}}}}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got\n%+v\nwant\n%+v", c, want)
	}
}

func TestParseMappingCollectionRefuses(t *testing.T) {
	const head = `{"mapping-collection":{"metadata":{"title":"T"},"mappings":[{"source-resource":{"href":"a"},"target-resource":{"href":"b"},"maps":[`
	cases := []struct{ in, where, reason string }{
		{`{"catalog":{}}`, "", "an OSCAL catalog, not a mapping collection"},
		{`{"profile":{}}`, "", "an OSCAL profile, not a mapping collection"},
		{`{"x":1}`, "", `the top-level object must hold "mapping-collection", this one holds "x"`},
		{`<mapping-collection/>`, "line 1, column 1", "XML"},
		{`{"mapping-collection":{"metadata":{},"mappings":[]}}`, "mapping-collection.metadata", "no title"},
		{`{"mapping-collection":{"metadata":{"title":"T"},"mappings":[]}}`, "mapping-collection", "no mappings"},
		{`{"mapping-collection":{"metadata":{"title":"T"},"mappings":[{"target-resource":{"href":"b"},"maps":[]}]}}`,
			"mapping-collection.mappings[0].source-resource", "names no catalog"},
		{`{"mapping-collection":{"metadata":{"title":"T"},"mappings":[{"source-resource":{"href":"a"},"target-resource":{"href":"b"}}]}}`,
			"mapping-collection.mappings[0]", "no maps"},
		{head + `{"relationship":"related-to","sources":[{"id-ref":"A"}],"targets":[{"id-ref":"B"}]}]}]}}`,
			"mapping-collection.mappings[0].maps[0].relationship", `unknown relationship "related-to"`},
		{head + `{"relationship":"equal-to","sources":[{"id-ref":"A"}],"targets":[{"id-ref":"B"}]},{"relationship":"equal-to","sources":[],"targets":[{"id-ref":"B"}]}]}]}}`,
			"mapping-collection.mappings[0].maps[1].sources", "none"},
		{head + `{"relationship":"equal-to","sources":[{"id-ref":"A"}],"targets":[{"id-ref":"B"},{"id-ref":" "}]}]}]}}`,
			"mapping-collection.mappings[0].maps[0].targets[1]", "no id-ref"},
		{`{"mapping-collection":{"mappings":"x"}}`, "line 1, column 37", "mapping-collection.mappings: a JSON string where OSCAL wants an array"},
	}
	for _, tc := range cases {
		_, err := ParseMappingCollection(strings.NewReader(tc.in))
		if err == nil {
			t.Errorf("%s: accepted", tc.in)
			continue
		}
		ce := catalogtest.AsError(t, err)
		if ce.Where != tc.where || !strings.Contains(ce.Reason, tc.reason) {
			t.Errorf("%s: %q at %q, want %q at %q", tc.in, ce.Reason, ce.Where, tc.reason, tc.where)
		}
	}
}

func FuzzParseMappingCollection(f *testing.F) {
	for _, s := range []string{
		`{"mapping-collection":{"metadata":{"title":"T"},"mappings":[{"source-resource":{"href":"a"},"target-resource":{"href":"b","props":[{"name":"catalog_uuid","value":"u"}]},"maps":[{"relationship":"equal-to","sources":[{"id-ref":"A-UA.1"}],"targets":[{"id-ref":"B"}]}]}]}}`,
		`{"mapping-collection":{"metadata":{"title":"T"},"mappings":[{"source-resource":{},"maps":[]}]}}`,
		`{"catalog":{}}`,
		`{"mapping-collection":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseMappingCollection(bytes.NewReader(data))
		if err != nil {
			catalogtest.AsError(t, err)
			return
		}
		// What the store relies on: a title, and every map with a known
		// relationship and non-empty references on both sides.
		if c.Title == "" || len(c.Mappings) == 0 {
			t.Fatalf("no title or mappings: %+v", c)
		}
		for _, m := range c.Mappings {
			for _, mp := range m.Maps {
				if !mp.Relationship.Valid() || len(mp.Sources) == 0 || len(mp.Targets) == 0 {
					t.Fatalf("map %+v", mp)
				}
				for _, r := range append(append([]string(nil), mp.Sources...), mp.Targets...) {
					if strings.TrimSpace(r) == "" || r != strings.TrimSpace(r) {
						t.Fatalf("reference %q", r)
					}
				}
			}
		}
	})
}
