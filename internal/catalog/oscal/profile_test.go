package oscal

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"ismsd/internal/catalog"
	"ismsd/internal/catalog/catalogtest"
	"ismsd/internal/domain"
)

func TestGrundschutzProfile(t *testing.T) {
	p, err := ParseProfile(bytes.NewReader(catalogtest.Read(t, gsProfilePath)))
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "Anwenderkatalog Grundschutz++" || p.UUID != "28cc9ebd-4157-4fc3-9bfd-9342225eaf53" ||
		p.Version != "2026-07-29T06:42:34.226285+00:00" || p.Merge != "as-is" {
		t.Errorf("header %q %q %q %q", p.Title, p.UUID, p.Version, p.Merge)
	}
	want := []Import{
		{
			Href:       "#5fa04faf-937c-48e0-8764-9b2cd55e2170",
			Resource:   "../catalogs/Methodik-Grundschutz++/BSI-Methodik-Grundschutz++-catalog.json",
			Index:      0,
			IncludeAll: true,
		},
		{
			Href:       "#d139a8e0-1d74-4e33-ad25-6385c53b4fbe",
			Resource:   "../../../Risikomanagement/BSI-Anforderungen-zum-Risikomanagement-catalog.json",
			Index:      1,
			IncludeIDs: []string{"RISK.1.1", "RISK.1.3", "RISK.1.5", "RISK.1.10"},
		},
		{
			Href:       "#41fb0187-c393-4342-827f-173e6323a6c0",
			Resource:   "../catalogs/Kernel/BSI-Stand-der-Technik-Kernel-G0-catalog.json",
			Index:      2,
			IncludeAll: true,
		},
	}
	if !reflect.DeepEqual(p.Imports, want) {
		t.Errorf("imports\n got %+v\nwant %+v", p.Imports, want)
	}
	// The profile names the method it sets up.
	if !reflect.DeepEqual(p.Presets, map[string]string{"gc.1.1-prm1": "BSI Grundschutz++", "not.1.1.4-prm1": "BSI-Standard 200-4"}) {
		t.Errorf("presets %v", p.Presets)
	}

	// None of the catalogs it imports is known: all three are named.
	_, err = p.Apply(func(Import) (domain.CatalogContent, error) {
		return domain.CatalogContent{}, errors.New("no such catalog imported")
	})
	var ce *catalog.Error
	if !errors.As(err, &ce) || !strings.Contains(ce.Reason, "cannot resolve 3 of 3 imports") {
		t.Fatalf("error %v, want a *catalog.Error naming the 3 imports", err)
	}
	for _, imp := range want {
		if !strings.Contains(ce.Reason, imp.Resource) {
			t.Errorf("error %q does not name %s", err, imp.Resource)
		}
	}

	// Only the risk catalog is missing: only it is named.
	k := kernel(t)
	_, err = p.Apply(func(imp Import) (domain.CatalogContent, error) {
		if strings.Contains(imp.Resource, "Risikomanagement") {
			return domain.CatalogContent{}, errors.New("no such catalog imported")
		}
		return k, nil
	})
	if err == nil || !strings.Contains(err.Error(), "cannot resolve 1 of 3 imports: import 2 (#d139a8e0") ||
		strings.Contains(err.Error(), "Methodik") {
		t.Errorf("error %v, want only import 2 named", err)
	}
}

// kernel-selection-profile.json (ours) selects from the real Kernel:
// BES.2.1 with its children, but not BES.2.1.4 and its children; TEST.4.1
// without its children; KONF.11.7.2.1, whose parents are not selected.
func TestApplySelectionToKernel(t *testing.T) {
	k := kernel(t)
	p, err := ParseProfile(bytes.NewReader(readTestdata(t, "kernel-selection-profile.json")))
	if err != nil {
		t.Fatal(err)
	}
	// Split by with-child-controls, both with the exclusion.
	if len(p.Imports) != 2 || !slices.Equal(p.Imports[0].IncludeIDs, []string{"TEST.4.1", "KONF.11.7.2.1"}) ||
		p.Imports[0].WithChildControls || !p.Imports[1].WithChildControls ||
		!slices.Equal(p.Imports[1].ExcludeIDs, []string{"BES.2.1.4"}) || !p.Imports[1].ExcludeWithChildControls ||
		p.Imports[0].Resource != "BSI-Stand-der-Technik-Kernel-catalog.json" {
		t.Fatalf("imports %+v", p.Imports)
	}
	var asked []string
	got, err := p.Apply(func(imp Import) (domain.CatalogContent, error) {
		asked = append(asked, imp.Resource)
		return k, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != domain.CatalogOSCAL || got.Title != "Testauswahl aus dem Kernel" || got.Version != "1" ||
		got.UUID != "3e0c2b7a-5d41-4f0e-8a6b-1c9d7e2f4a10" {
		t.Errorf("header %q %q %q %q", got.Kind, got.Title, got.Version, got.UUID)
	}
	byID := map[string]domain.Requirement{}
	for _, r := range k.Requirements {
		byID[r.ID] = r
	}
	wantParents := []struct{ id, parent string }{
		{"BES.2.1", ""},
		{"BES.2.1.1", "BES.2.1"},
		{"BES.2.1.2", "BES.2.1"},
		{"BES.2.1.3", "BES.2.1"},
		{"BES.2.1.5", "BES.2.1"},
		{"BES.2.1.6", "BES.2.1"},
		{"TEST.4.1", ""},
		{"KONF.11.7.2.1", ""}, // KONF.11.7.2 and KONF.11.7 are not selected
	}
	if len(got.Requirements) != len(wantParents) {
		t.Errorf("%d requirements, want %d", len(got.Requirements), len(wantParents))
	}
	for i, w := range wantParents {
		if i >= len(got.Requirements) {
			break
		}
		r := got.Requirements[i]
		want := byID[w.id]
		want.ParentID, want.Order = w.parent, i+1
		if !reflect.DeepEqual(r, want) {
			t.Errorf("requirement %d: got %s (parent %q, order %d), want %s (parent %q)", i, r.ID, r.ParentID, r.Order, w.id, w.parent)
		}
	}
	var mods, groups []string
	for _, m := range got.Modules {
		mods = append(mods, fmt.Sprintf("%s<%s#%d", m.ID, m.GroupKey, m.Order))
	}
	for _, g := range got.Groups {
		groups = append(groups, fmt.Sprintf("%s#%d", g.Key, g.Order))
	}
	if s := strings.Join(mods, " "); s != "BES.2<BES#1 TEST.4<TEST#2 KONF.11<KONF#3" {
		t.Errorf("modules %s", s)
	}
	if s := strings.Join(groups, " "); s != "BES#1 TEST#2 KONF#3" {
		t.Errorf("groups %s", s)
	}
	if len(asked) != 1 {
		t.Errorf("resolver asked %d times, want once for the one OSCAL import: %q", len(asked), asked)
	}
}

func tinyCatalog(t *testing.T) domain.CatalogContent {
	t.Helper()
	c, err := ParseCatalog(bytes.NewReader(readTestdata(t, "tiny-catalog.json")))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// profile wraps imports in a profile with one back-matter resource "r".
func profile(imports string) string {
	return `{"profile":{"uuid":"u","metadata":{"title":"P","version":"2"},"imports":[` + imports + `],
		"back-matter":{"resources":[{"uuid":"r","rlinks":[{"href":"tiny.json"}]}]}}}`
}

func applyTo(t *testing.T, imports string) (domain.CatalogContent, error) {
	t.Helper()
	p, err := ParseProfile(strings.NewReader(profile(imports)))
	if err != nil {
		t.Fatal(err)
	}
	return p.Apply(func(Import) (domain.CatalogContent, error) { return tinyCatalog(t), nil })
}

func ids(c domain.CatalogContent) string {
	var out []string
	for _, r := range c.Requirements {
		out = append(out, r.ID+"<"+r.ParentID)
	}
	return strings.Join(out, " ")
}

func TestApplyTiny(t *testing.T) {
	tests := []struct {
		name, imports, want, modules string
	}{
		{"include all, exclude one", `{"href":"#r","include-all":{},"exclude-controls":[{"with-ids":["ORG.1.1.1"]}]}`,
			"ROOT.1< ORG.1.1.1.1< ORG.1.1.1.1.1<ORG.1.1.1.1 ORG.1.1.2< TEC.1< TEC.SUB.1<", "~catalog ORG.1.1 ~2 TEC.SUB"},
		{"include all, exclude a subtree", `{"href":"#r","include-all":{},"exclude-controls":[{"with-ids":["ORG.1.1.1"],"with-child-controls":"yes"}]}`,
			"ROOT.1< ORG.1.1.2< TEC.1< TEC.SUB.1<", "~catalog ORG.1.1 ~2 TEC.SUB"},
		{"matching", `{"href":"#r","include-controls":[{"matching":[{"pattern":"TEC.*"}]}]}`,
			"TEC.1< TEC.SUB.1<", "~2 TEC.SUB"},
		{"child controls", `{"href":"#r","include-controls":[{"with-ids":["ORG.1.1.1.1"],"with-child-controls":"yes"}]}`,
			"ORG.1.1.1.1< ORG.1.1.1.1.1<ORG.1.1.1.1", "ORG.1.1"},
		{"one id selected twice", `{"href":"#r","include-controls":[{"with-ids":["ORG.1.1.1"],"with-child-controls":"yes"},{"with-ids":["ORG.1.1.1.1.1"]}]},
			{"href":"#r","include-controls":[{"with-ids":["ORG.1.1.1.1.1","ROOT.1"]}]}`,
			"ORG.1.1.1< ORG.1.1.1.1<ORG.1.1.1 ORG.1.1.1.1.1<ORG.1.1.1.1 ROOT.1<", "ORG.1.1 ~catalog"},
		{"excluded id unknown", `{"href":"#r","include-controls":[{"with-ids":["ROOT.1"]}],"exclude-controls":[{"with-ids":["GONE.1"]}]}`,
			"ROOT.1<", "~catalog"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := applyTo(t, tt.imports)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(c); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			var mods []string
			for i, m := range c.Modules {
				mods = append(mods, m.ID)
				if m.Order != i+1 {
					t.Errorf("module %s order %d", m.ID, m.Order)
				}
			}
			if got := strings.Join(mods, " "); got != tt.modules {
				t.Errorf("modules %s, want %s", got, tt.modules)
			}
			// The groups are exactly those above the modules.
			keys := map[string]bool{}
			for _, g := range c.Groups {
				keys[g.Key] = true
			}
			for _, m := range c.Modules {
				if m.GroupKey != "" && !keys[m.GroupKey] {
					t.Errorf("module %s: its group %s is missing", m.ID, m.GroupKey)
				}
			}
		})
	}
}

func TestApplyErrors(t *testing.T) {
	_, err := applyTo(t, `{"href":"#r","include-controls":[{"with-ids":["ROOT.1","NOPE.1"]}]}`)
	wantError(t, err, "import 1 (#r → tiny.json)", `includes control NOPE.1, which catalog "Beispielkatalog" does not have`)

	// Two catalogs with the same control id, differing.
	p, err := ParseProfile(strings.NewReader(profile(`{"href":"#r","include-all":{}},{"href":"other.json","include-all":{}}`)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Apply(func(imp Import) (domain.CatalogContent, error) {
		c := tinyCatalog(t)
		if imp.Index == 1 {
			c.Requirements[0].Title = "anders"
		}
		return c, nil
	})
	wantError(t, err, "profile P", "control ROOT.1 is selected by import 1 (#r → tiny.json) and by import 2 (other.json), and differs")

	if _, err := (Profile{Title: "leer"}).Apply(nil); err == nil {
		t.Error("a profile without imports applied")
	}
}

func TestProfileErrors(t *testing.T) {
	tests := []struct {
		name, json, where, reasonHas string
	}{
		{"catalog", `{"catalog":{"metadata":{"title":"T"}}}`, "", "an OSCAL catalog, not a profile"},
		{"other JSON", `{"foo":1,"bar":2}`, "", `holds "bar", "foo"`},
		{"XML", `<profile/>`, "line 1, column 1", "an XML file"},
		{"truncated", `{"profile":{"uuid":"u",`, "line 1, column 24", "ends early"},
		{"no title", `{"profile":{"uuid":"u","metadata":{},"imports":[]}}`, "profile.metadata", "no title"},
		{"no imports", `{"profile":{"uuid":"u","metadata":{"title":"P"}}}`, "profile", "imports nothing"},
		{"no href", profile(`{"include-all":{}}`), "profile.imports[0]", "without href"},
		{"unknown resource", profile(`{"href":"#x","include-all":{}}`), "profile.imports[0]", "href #x names no resource"},
		{"nothing included", profile(`{"href":"#r"}`), "profile.imports[0]", "neither include-all nor include-controls"},
		{"both included", profile(`{"href":"#r","include-all":{},"include-controls":[{"with-ids":["A"]}]}`), "profile.imports[0]", "both include-all and include-controls"},
		{"bad child flag", profile(`{"href":"#r","include-controls":[{"with-ids":["A"],"with-child-controls":"maybe"}]}`),
			"profile.imports[0].include-controls[0]", `with-child-controls "maybe"`},
		{"empty selection", profile(`{"href":"#r","include-controls":[{}]}`), "profile.imports[0].include-controls[0]", "names no control"},
		{"bad pattern", profile(`{"href":"#r","include-controls":[{"matching":[{"pattern":"[a"}]}]}`),
			"profile.imports[0].include-controls[0]", "not a valid glob"},
		{"mixed exclusions", profile(`{"href":"#r","include-all":{},"exclude-controls":[{"with-ids":["A"]},{"with-ids":["B"],"with-child-controls":"yes"}]}`),
			"profile.imports[0].exclude-controls[1]", "not supported"},
		{"wrong type", `{"profile":{"imports":{}}}`, "line 1, column 23", "profile.imports: a JSON object where OSCAL wants an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseProfile(strings.NewReader(tt.json))
			wantError(t, err, tt.where, tt.reasonHas)
		})
	}
}

// ParseProfile refuses the Kernel catalog, ParseCatalog the profile.
func TestWrongModelOnRealFiles(t *testing.T) {
	_, err := ParseProfile(bytes.NewReader(catalogtest.Read(t, kernelPath)))
	wantError(t, err, "", "an OSCAL catalog, not a profile")
	_, err = ParseCatalog(bytes.NewReader(catalogtest.Read(t, gsProfilePath)))
	wantError(t, err, "", "an OSCAL profile, not a catalog")
}
