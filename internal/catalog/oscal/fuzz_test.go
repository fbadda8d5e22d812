package oscal

import (
	"bytes"
	"testing"

	"ismsd/internal/catalog/catalogtest"
	"ismsd/internal/domain"
)

// catalogSeeds are fragments that reach the parser's branches.
var catalogSeeds = []string{
	`{"catalog":{"metadata":{"title":"T"},"controls":[{"id":"A","title":"a","controls":[{"id":"A.1","title":"b"}]}]}}`,
	`{"catalog":{"metadata":{"title":"T"},"groups":[{"title":"G","controls":[{"id":"A","title":"a"}],"groups":[{"id":"H","title":"H"}]}]}}`,
	`{"catalog":{"metadata":{"title":"T"},"params":[{"id":"p","label":"L"}],"controls":[{"id":"A","title":"a","props":[{"name":"sec_level","value":"erhöht"},{"name":"effort_level","value":"3"},{"name":"tags","value":"x, y"},{"name":"status","value":"withdrawn"}],"parts":[{"name":"statement","prose":"- *a* {{ insert: param, p }}\n  1. [b](c)","parts":[{"name":"item","props":[{"name":"label","value":"a."}],"prose":"x"}]},{"name":"guidance","prose":"**g**"}]}]}}`,
	`{"catalog":{"metadata":{"title":"T"},"controls":[{"id":"A","title":"a","props":[{"name":"sec_level","value":"x"}]}]}}`,
	`{"profile":{}}`,
	`<catalog/>`,
	`{"catalog":`,
	`[]`,
}

func FuzzParseCatalog(f *testing.F) {
	for _, name := range []string{"tiny-catalog.json", "kernel-selection-profile.json"} {
		f.Add(readTestdata(f, name))
	}
	for _, s := range catalogSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCatalog(bytes.NewReader(data))
		if err != nil {
			catalogtest.AsError(t, err)
			return
		}
		checkConsistent(t, c)
	})
}

// checkConsistent checks what the store relies on: unique keys, and every
// reference pointing at something present.
func checkConsistent(t *testing.T, c domain.CatalogContent) {
	t.Helper()
	groups := map[string]bool{}
	for _, g := range c.Groups {
		if groups[g.Key] {
			t.Fatalf("group %q twice", g.Key)
		}
		groups[g.Key] = true
	}
	for _, g := range c.Groups {
		if g.ParentKey != "" && !groups[g.ParentKey] {
			t.Fatalf("group %q: parent %q missing", g.Key, g.ParentKey)
		}
	}
	modules := map[string]bool{}
	for _, m := range c.Modules {
		if modules[m.ID] || (m.GroupKey != "" && !groups[m.GroupKey]) {
			t.Fatalf("module %q twice, or its group %q missing", m.ID, m.GroupKey)
		}
		modules[m.ID] = true
	}
	reqs := map[string]bool{}
	for _, r := range c.Requirements {
		if reqs[r.ID] || !modules[r.ModuleID] || r.Title == "" {
			t.Fatalf("requirement %q twice, without title, or its module %q missing", r.ID, r.ModuleID)
		}
		reqs[r.ID] = true
	}
	for _, r := range c.Requirements {
		if r.ParentID != "" && !reqs[r.ParentID] {
			t.Fatalf("requirement %q: parent %q missing", r.ID, r.ParentID)
		}
	}
}

func FuzzParseProfile(f *testing.F) {
	for _, name := range []string{"kernel-selection-profile.json", "tiny-catalog.json"} {
		f.Add(readTestdata(f, name))
	}
	for _, s := range []string{
		profile(`{"href":"#r","include-all":{},"exclude-controls":[{"with-ids":["ORG.1.1.1"],"with-child-controls":"yes"}]}`),
		profile(`{"href":"#r","include-controls":[{"with-ids":["ORG.1.1.1"],"with-child-controls":"yes"},{"matching":[{"pattern":"T*"}]}]}`),
		profile(`{"href":"x.json","include-controls":[{"with-ids":["ROOT.1"]}]}`),
		`{"profile":{"uuid":"u","metadata":{"title":"P"},"imports":[{"href":"#"}],"back-matter":{"resources":[{"uuid":""}]}}}`,
		`{"profile":`,
	} {
		f.Add([]byte(s))
	}
	tiny, err := ParseCatalog(bytes.NewReader(readTestdata(f, "tiny-catalog.json")))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile(bytes.NewReader(data))
		if err != nil {
			catalogtest.AsError(t, err)
			return
		}
		c, err := p.Apply(func(Import) (domain.CatalogContent, error) { return tiny, nil })
		if err == nil {
			checkConsistent(t, c)
		}
	})
}

func FuzzProse(f *testing.F) {
	for _, s := range []string{
		"eins *zwei* **drei** _vier_ `fünf` [sechs](#7) {{ insert: param, p }}",
		"- a\n  - b\n    1. c\n\n  weiter\n# Titel\n2. Quartal",
		`\*x\* Administrator*innen __a *b*__`,
	} {
		f.Add(s)
	}
	conv := text{params: map[string]string{"p": "P"}}
	f.Fuzz(func(t *testing.T, s string) {
		for _, b := range conv.prose(s) {
			checkBlock(t, b, 0)
		}
	})
}

// checkBlock checks that no empty runs, items or lists come out and that
// lists stay within maxListDepth.
func checkBlock(t *testing.T, b domain.Block, depth int) {
	t.Helper()
	if depth >= maxListDepth+1 {
		t.Fatalf("lists nested %d deep", depth)
	}
	switch b.Kind {
	case domain.BlockParagraph:
		if len(b.Runs) == 0 {
			t.Fatal("empty paragraph")
		}
		for _, r := range b.Runs {
			if r.Text == "" {
				t.Fatal("empty run")
			}
		}
	case domain.BlockBullets, domain.BlockNumbered:
		if len(b.Items) == 0 {
			t.Fatal("empty list")
		}
		for _, it := range b.Items {
			if len(it) == 0 {
				t.Fatal("empty item")
			}
			for _, ib := range it {
				checkBlock(t, ib, depth+1)
			}
		}
	default:
		t.Fatalf("block kind %q", b.Kind)
	}
}

func FuzzParseComponentDefinition(f *testing.F) {
	f.Add(readTestdata(f, "tiny-component-definition.json"))
	for _, s := range []string{
		`{"component-definition":{"metadata":{"title":"T"},"components":[{"title":"C","control-implementations":[{"source":"#x","implemented-requirements":[{"control-id":"_u","description":"d"},{"control-id":"A.1"}]}]}]}}`,
		`{"component-definition":{"metadata":{"title":"T"},"components":[{"title":"C","control-implementations":[{"implemented-requirements":[{}]}]}]}}`,
		`{"catalog":{}}`,
		`{"component-definition":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseComponentDefinition(bytes.NewReader(data))
		if err != nil {
			catalogtest.AsError(t, err)
			return
		}
		// What the store relies on: a title everywhere, and every
		// reference either an alt-identifier or a plain id.
		if d.Title == "" || len(d.Components) == 0 {
			t.Fatalf("no title or no components: %+v", d)
		}
		for _, c := range d.Components {
			if c.Title == "" {
				t.Fatalf("component without title: %+v", c)
			}
			for _, ir := range c.Implemented {
				if (ir.AltID == "") == (ir.ControlID == "") || ir.ControlRef == "" {
					t.Fatalf("reference neither or both: %+v", ir)
				}
			}
		}
	})
}
