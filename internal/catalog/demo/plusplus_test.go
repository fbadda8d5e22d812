package demo

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"ismsd/internal/catalog/catalogtest"
	"ismsd/internal/catalog/oscal"
	"ismsd/internal/domain"
)

// The figures the Grundschutz++ demo catalog is written to give.
const (
	wantPracticesPP   = 4  // ASST, BER, KONF, DET
	wantModulesPP     = 11 // their groups that hold controls
	wantControlsPP    = 33 // two of them nested under another control
	wantElevatedPP    = 7
	wantParamsPP      = 10 // one per control that inserts one
	wantComponentsPP  = 2  // Realm and Admin-Konsole
	wantImplementedPP = 8
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func parsePlusPlus(t *testing.T) domain.CatalogContent {
	t.Helper()
	c, err := oscal.ParseCatalog(bytes.NewReader(PlusPlusSource()))
	if err != nil {
		t.Fatalf("the real parser refuses %s: %v", PlusPlusSourceName, err)
	}
	return c
}

// TestPlusPlusCatalog reads the demo catalog with the real OSCAL parser:
// it is a Grundschutz++ catalog, every control has a level, an effort, a
// fresh UUID and a modal verb, and the parameters carry their prompts.
func TestPlusPlusCatalog(t *testing.T) {
	c := parsePlusPlus(t)
	if c.Title != "Grundschutz++ – Demo-Auszug" || c.Kind != domain.CatalogOSCAL || c.Method() != domain.MethodPlusPlus {
		t.Errorf("title %q, kind %s, method %s", c.Title, c.Kind, c.Method())
	}
	var practices int
	for _, g := range c.Groups {
		if g.ParentKey == "" {
			practices++
			if len(g.Text) == 0 {
				t.Errorf("practice %s has no description", g.Key)
			}
		}
	}
	if practices != wantPracticesPP || len(c.Modules) != wantModulesPP || len(c.Requirements) != wantControlsPP {
		t.Errorf("%d practices, %d modules, %d controls; want %d, %d, %d", practices, len(c.Modules), len(c.Requirements),
			wantPracticesPP, wantModulesPP, wantControlsPP)
	}
	alt := map[string]string{}
	obligations := map[domain.Obligation]int{}
	var elevated, nested, params int
	for _, r := range c.Requirements {
		if r.Obligation == "" {
			t.Errorf("%s has no modal verb", r.ID)
		}
		obligations[r.Obligation]++
		if r.Effort == nil || *r.Effort < 0 || *r.Effort > 5 {
			t.Errorf("%s: effort level %v", r.ID, r.Effort)
		}
		if !uuidPattern.MatchString(r.AltID) {
			t.Errorf("%s: alt-identifier %q is not a random UUID", r.ID, r.AltID)
		}
		if first, dup := alt[r.AltID]; dup {
			t.Errorf("%s and %s share the alt-identifier %s", first, r.ID, r.AltID)
		}
		alt[r.AltID] = r.ID
		if len(r.Text) == 0 {
			t.Errorf("%s has no statement", r.ID)
		}
		if r.Level == domain.LevelElevated {
			elevated++
		}
		if r.ParentID != "" {
			nested++
		}
		for _, p := range r.Params {
			params++
			if strings.TrimSpace(p.Label) == "" || p.Preset != "" {
				t.Errorf("%s: parameter %s with label %q and preset %q; want a prompt and no preset", r.ID, p.ID, p.Label, p.Preset)
			}
			if !hasParamRun(r.Text, p.ID) {
				t.Errorf("%s: the statement does not insert %s", r.ID, p.ID)
			}
		}
	}
	if elevated != wantElevatedPP || nested != 2 || params != wantParamsPP {
		t.Errorf("%d erhöht, %d nested, %d parameters; want %d, 2, %d", elevated, nested, params, wantElevatedPP, wantParamsPP)
	}
	if obligations[domain.ObligationMust] < 10 || obligations[domain.ObligationShould] == 0 || obligations[domain.ObligationMay] == 0 {
		t.Errorf("modal verbs %v; want many MUSS, some SOLLTE and KANN", obligations)
	}
	// The identity practice the Keycloak component needs.
	for _, id := range []string{"BER.2", "BER.3", "KONF.5"} {
		if !hasModule(c, id) {
			t.Errorf("module %s is missing", id)
		}
	}
}

// TestPlusPlusNotice: both files say in their metadata that they are a
// demo written for ismsd and not the BSI's text.
func TestPlusPlusNotice(t *testing.T) {
	for name, src := range map[string][]byte{PlusPlusSourceName: PlusPlusSource(), ComponentSourceName: ComponentSource()} {
		var doc map[string]struct {
			Metadata struct{ Title, Remarks string }
		}
		if err := json.Unmarshal(src, &doc); err != nil {
			t.Fatal(err)
		}
		for _, root := range doc {
			if !strings.Contains(root.Metadata.Title, "Demo") || !strings.Contains(root.Metadata.Remarks, "ismsd") ||
				!strings.Contains(root.Metadata.Remarks, "nicht d") || !strings.Contains(root.Metadata.Remarks, "des BSI") {
				t.Errorf("%s: title %q, remarks %q; want a demo notice", name, root.Metadata.Title, root.Metadata.Remarks)
			}
		}
	}
}

// TestKeycloakDemoComponent reads the demo component definition with the
// real parser; every implemented requirement names a control of the demo
// catalog by "_<alt-identifier>", as the BSI's definitions do.
func TestKeycloakDemoComponent(t *testing.T) {
	c := parsePlusPlus(t)
	byAlt := map[string]string{}
	for _, r := range c.Requirements {
		byAlt[r.AltID] = r.ID
	}
	d, err := oscal.ParseComponentDefinition(bytes.NewReader(ComponentSource()))
	if err != nil {
		t.Fatalf("the real parser refuses %s: %v", ComponentSourceName, err)
	}
	if d.Title != "Keycloak (Demo)" || len(d.Components) != wantComponentsPP || d.Components[0].Title != "Realm" || d.Components[0].Type != "software" {
		t.Fatalf("definition %q with %+v", d.Title, d.Components)
	}
	n := 0
	for _, comp := range d.Components {
		for _, ir := range comp.Implemented {
			n++
			if ir.ControlID != "" || byAlt[ir.AltID] == "" || ir.ControlRef != "_"+ir.AltID {
				t.Errorf("%s: %q does not name a demo control by alt-identifier", comp.Title, ir.ControlRef)
			}
			if ir.Description == "" {
				t.Errorf("%s: %s has no description", comp.Title, byAlt[ir.AltID])
			}
		}
	}
	if n != wantImplementedPP {
		t.Errorf("%d implemented requirements, want %d", n, wantImplementedPP)
	}
}

// TestPlusPlusOwnWords: no sentence of ours and no UUID appears in the
// BSI's Kernel or in its Keycloak definition.
func TestPlusPlusOwnWords(t *testing.T) {
	kernel := string(catalogtest.Read(t, catalogtest.Kernel))
	keycloak := string(catalogtest.Read(t, catalogtest.Keycloak))
	c := parsePlusPlus(t)
	for _, r := range c.Requirements {
		if strings.Contains(kernel, r.AltID) {
			t.Errorf("%s: alt-identifier %s is the Kernel's", r.ID, r.AltID)
		}
		for _, s := range sentences(r.Text) {
			s = strings.TrimRight(s, ".,;:!?")
			if len(strings.Fields(s)) >= 5 && strings.Contains(kernel, s) {
				t.Errorf("%s: %q is the BSI's sentence", r.ID, s)
			}
		}
	}
	d, err := oscal.ParseComponentDefinition(bytes.NewReader(ComponentSource()))
	if err != nil {
		t.Fatal(err)
	}
	for _, comp := range d.Components {
		texts := []string{comp.Description}
		for _, ir := range comp.Implemented {
			texts = append(texts, ir.Description)
		}
		for _, s := range texts {
			for _, part := range strings.Split(s, ";") {
				part = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(part), "(Demo)."))
				if len(strings.Fields(part)) >= 5 && strings.Contains(keycloak, part) {
					t.Errorf("%s: %q is the BSI's", comp.Title, part)
				}
			}
		}
	}
}

func hasParamRun(t domain.Text, id string) bool {
	for _, b := range t {
		for _, r := range b.Runs {
			if r.Param == id {
				return true
			}
		}
		for _, it := range b.Items {
			if hasParamRun(it, id) {
				return true
			}
		}
	}
	return false
}

func hasModule(c domain.CatalogContent, id string) bool {
	for _, m := range c.Modules {
		if m.ID == id {
			return true
		}
	}
	return false
}
