package oscal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"ismsd/internal/catalog"
	"ismsd/internal/catalog/catalogtest"
	"ismsd/internal/domain"
)

// The BSI's Grundschutz++ files.
const (
	kernelPath    = catalogtest.Kernel
	gsProfilePath = catalogtest.Profile
)

var kernelOnce struct {
	sync.Once
	c   domain.CatalogContent
	err error
}

// kernel parses the Kernel catalog once per test binary.
func kernel(t *testing.T) domain.CatalogContent {
	t.Helper()
	data := catalogtest.Read(t, kernelPath)
	kernelOnce.Do(func() { kernelOnce.c, kernelOnce.err = ParseCatalog(bytes.NewReader(data)) })
	if kernelOnce.err != nil {
		t.Fatalf("ParseCatalog(Kernel): %v", kernelOnce.err)
	}
	return kernelOnce.c
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestKernelStructure(t *testing.T) {
	c := kernel(t)
	if c.Kind != domain.CatalogOSCAL || c.Title != "BSI Stand der Technik Kernel" ||
		c.Version != "2026-07-29T06:41:06.596639+00:00" || c.UUID != "e486b639-584e-4c4a-a1b3-7d64897955c3" {
		t.Errorf("header: %q %q %q %q", c.Kind, c.Title, c.Version, c.UUID)
	}
	var top []string
	for _, g := range c.Groups {
		if g.ParentKey != "" {
			t.Errorf("group %s nested under %s; the Kernel's practices are top groups", g.Key, g.ParentKey)
		}
		if g.Text.Plain() == "" {
			t.Errorf("practice %s: no description (from its label's remarks)", g.Key)
		}
		top = append(top, g.Key)
	}
	want := "ASST PERS BES DLS TEST GEB SENS ARCH BER NOT DET REA KONF DEV"
	if got := strings.Join(top, " "); got != want {
		t.Errorf("top groups %s, want %s", got, want)
	}
	// 117 groups in all: the 14 practices and 103 groups holding controls.
	if n := len(c.Groups) + len(c.Modules); n != 117 || len(c.Modules) != 103 {
		t.Errorf("%d groups and %d modules, want 14 + 103 = 117", len(c.Groups), len(c.Modules))
	}
	practices := map[string]bool{}
	for _, k := range top {
		practices[k] = true
	}
	for i, m := range c.Modules {
		if !practices[m.GroupKey] || !strings.HasPrefix(m.ID, m.GroupKey+".") {
			t.Errorf("module %s in group %q", m.ID, m.GroupKey)
		}
		if m.Order != i+1 {
			t.Errorf("module %s: order %d, want %d", m.ID, m.Order, i+1)
		}
	}
}

func TestKernelControls(t *testing.T) {
	c := kernel(t)
	if len(c.Requirements) != 901 {
		t.Fatalf("%d controls, want 901", len(c.Requirements))
	}
	byID := map[string]domain.Requirement{}
	for _, r := range c.Requirements {
		byID[r.ID] = r
	}
	if len(byID) != 901 {
		t.Errorf("%d distinct control ids, want 901", len(byID))
	}
	depth := map[int]int{}
	levels := map[domain.Level]int{}
	efforts := map[int]int{}
	guidance, tagged := 0, 0
	tags := map[string]bool{}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	for i, r := range c.Requirements {
		d := 1
		for p := r.ParentID; p != ""; p = byID[p].ParentID {
			d++
			if byID[p].ModuleID != r.ModuleID {
				t.Errorf("%s: module %s, but its ancestor %s is in %s", r.ID, r.ModuleID, p, byID[p].ModuleID)
			}
		}
		depth[d]++
		levels[r.Level]++
		if r.Effort == nil {
			t.Errorf("%s: no effort", r.ID)
		} else {
			efforts[*r.Effort]++
		}
		if !uuid.MatchString(r.AltID) {
			t.Errorf("%s: alt-identifier %q is no UUID", r.ID, r.AltID)
		}
		if r.Text.Plain() == "" {
			t.Errorf("%s: no statement", r.ID)
		}
		if strings.Contains(r.Text.Plain(), "{{") {
			t.Errorf("%s: an insert left in the statement: %s", r.ID, r.Text.Plain())
		}
		if r.Guidance.Plain() != "" {
			guidance++
		}
		if len(r.Tags) > 0 {
			tagged++
		}
		for _, tag := range r.Tags {
			tags[tag] = true
		}
		if r.Withdrawn || r.Order != i+1 {
			t.Errorf("%s: withdrawn %v, order %d", r.ID, r.Withdrawn, r.Order)
		}
		if !hasProp(r, "modal_verb") {
			t.Errorf("%s: the statement's props are not kept", r.ID)
		}
	}
	if depth[1] != 596 || depth[2] != 292 || depth[3] != 13 || len(depth) != 3 {
		t.Errorf("controls per depth %v, want 1:596 2:292 3:13", depth)
	}
	if levels[domain.LevelStandard] != 674 || levels[domain.LevelElevated] != 227 {
		t.Errorf("levels %v, want standard 674, elevated 227", levels)
	}
	wantEffort := map[int]int{0: 69, 1: 44, 2: 166, 3: 275, 4: 158, 5: 189}
	if fmt.Sprint(efforts) != fmt.Sprint(wantEffort) {
		t.Errorf("efforts %v, want %v", efforts, wantEffort)
	}
	if guidance != 899 {
		t.Errorf("%d controls with guidance, want 899", guidance)
	}
	obligations := map[domain.Obligation]int{}
	params, withParams := map[string]bool{}, 0
	for _, r := range c.Requirements {
		obligations[r.Obligation]++
		if len(r.Params) > 0 {
			withParams++
		}
		for _, p := range r.Params {
			if p.Label == "" || params[p.ID] {
				t.Errorf("%s: parameter %s without label or used twice", r.ID, p.ID)
			}
			params[p.ID] = true
		}
	}
	if obligations[domain.ObligationMust] != 69 || obligations[domain.ObligationShould] != 608 || obligations[domain.ObligationMay] != 224 {
		t.Errorf("modal verbs %v, want MUSS 69, SOLLTE 608, KANN 224", obligations)
	}
	if len(params) != 207 || withParams != 194 {
		t.Errorf("%d parameters in %d controls, want 207 in 194", len(params), withParams)
	}
	if c.Method() != domain.MethodPlusPlus {
		t.Errorf("method %s, want Grundschutz++", c.Method())
	}
	// Grundschutz++ carries tags in one prop "tags", comma-separated.
	if tagged != 461 || len(tags) != 52 {
		t.Errorf("%d controls with tags, %d distinct tags; want 461, 52", tagged, len(tags))
	}
}

func hasProp(r domain.Requirement, name string) bool {
	for _, p := range r.Props {
		if p.Name == name {
			return p.NS != ""
		}
	}
	return false
}

func TestKernelSpotChecks(t *testing.T) {
	c := kernel(t)
	byID := map[string]domain.Requirement{}
	for _, r := range c.Requirements {
		byID[r.ID] = r
	}
	tests := []struct {
		id, title   string
		level       domain.Level
		effort      int
		parent, mod string
		guidance    bool
		tags        string
	}{
		{"ASST.1.1", "Verfahren und Regelungen", domain.LevelStandard, 0, "", "ASST.1", true, ""},
		{"ASST.1.1.1", "Dokumentation", domain.LevelStandard, 0, "ASST.1.1", "ASST.1", true, ""},
		{"ASST.2.3.2.1", "Software Discovery", domain.LevelElevated, 5, "ASST.2.3.2", "ASST.2", true, ""},
		{"BES.1.2", "Regelmäßige Überprüfung", domain.LevelStandard, 0, "", "BES.1", true, ""},
		{"BES.2.1.4.1", "Kompatibilität der Schnittstellen", domain.LevelStandard, 4, "BES.2.1.4", "BES.2", true, "Lieferketten"},
		{"BES.5.10.3.1", "Schwachstellenmeldeprozess", domain.LevelElevated, 5, "BES.5.10.3", "BES.5", true, "Lieferketten"},
		{"TEST.4.1.2", "Staging", domain.LevelStandard, 4, "TEST.4.1", "TEST.4", true, ""},
		{"GEB.10.1.2", "Klimamessung", domain.LevelStandard, 3, "GEB.10.1", "GEB.10", true, ""},
		{"SENS.10.2", "Umgang mit privilegierten Berechtigungen", domain.LevelStandard, 2, "", "SENS.10", true, ""},
		{"ARCH.5.1.10.3", "Speicherdienste", domain.LevelStandard, 3, "ARCH.5.1.10", "ARCH.5", true, ""},
		{"BER.3.2", "Autorisierung neuer Zugangskonten", domain.LevelStandard, 3, "", "BER.3", true, "Change Management"},
		{"DET.5.8.1.1", "Unautorisierte Publikation", domain.LevelElevated, 5, "DET.5.8.1", "DET.5", true, "Data Leak"},
		{"REA.2.6.1", "Dokumentation des Vorgehens", domain.LevelStandard, 3, "REA.2.6", "REA.2", false, ""},
		{"REA.2.6.2.1", "Information zuständiger Behörden", domain.LevelStandard, 3, "REA.2.6.2", "REA.2", false, "Kontakt mit Behörden"},
		{"KONF.3.7", "Einschränkung angeschlossener Peripherie", domain.LevelStandard, 4, "", "KONF.3", true, "Produktbeschreibung"},
		{"KONF.11.7.2.1", "Einschränkung der TK-Gegenstellen", domain.LevelStandard, 3, "KONF.11.7.2", "KONF.11", true, "Produktbeschreibung,PSTN"},
		{"DEV.7.2", "Zertifikatsmonitoring", domain.LevelStandard, 2, "", "DEV.7", true, ""},
	}
	for _, tt := range tests {
		r, ok := byID[tt.id]
		if !ok {
			t.Errorf("%s missing", tt.id)
			continue
		}
		got := fmt.Sprintf("%s|%s|%d|%s|%s|%v|%s", r.Title, r.Level, *r.Effort, r.ParentID, r.ModuleID,
			r.Guidance.Plain() != "", strings.Join(r.Tags, ","))
		want := fmt.Sprintf("%s|%s|%d|%s|%s|%v|%s", tt.title, tt.level, tt.effort, tt.parent, tt.mod, tt.guidance, tt.tags)
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", tt.id, got, want)
		}
	}
	if r := byID["ASST.1.1"]; r.AltID != "b3a2e5a0-380a-4770-86e6-ea1d8d586ad7" {
		t.Errorf("ASST.1.1 alt-identifier %q", r.AltID)
	}
	if first, last := c.Requirements[0].ID, c.Requirements[900].ID; first != "ASST.1.1" || last != "DEV.7.2" {
		t.Errorf("order: first %s, last %s", first, last)
	}
	// ASST.1.1.2 inserts a param: its label, emphasised.
	if !hasEmphasis(byID["ASST.1.1.2"].Text) {
		t.Errorf("ASST.1.1.2: the inserted param is not emphasised: %+v", byID["ASST.1.1.2"].Text)
	}
}

func hasEmphasis(t domain.Text) bool {
	for _, b := range t {
		for _, r := range b.Runs {
			if r.Emph && r.Text != "" {
				return true
			}
		}
	}
	return false
}

// The tiny catalog in testdata proves the mapping on what the Kernel
// lacks: groups three deep, a group without id holding both controls and
// a group, a control directly under the catalog, a withdrawn control, a
// control without sec_level, items in a statement, Markdown lists.
func TestTinyCatalog(t *testing.T) {
	c, err := ParseCatalog(bytes.NewReader(readTestdata(t, "tiny-catalog.json")))
	if err != nil {
		t.Fatal(err)
	}
	if c.Title != "Beispielkatalog" || c.Version != "0.1" || c.UUID != "7c1f3e52-0d7b-4a8e-9c61-2f4b5a9e0d11" {
		t.Errorf("header %q %q %q", c.Title, c.Version, c.UUID)
	}
	var groups []string
	for _, g := range c.Groups {
		groups = append(groups, fmt.Sprintf("%s<%s #%d", g.Key, g.ParentKey, g.Order))
	}
	if got, want := strings.Join(groups, " "), "ORG< #1 ORG.1<ORG #2 ~2< #3"; got != want {
		t.Errorf("groups %s, want %s", got, want)
	}
	var modules []string
	for _, m := range c.Modules {
		modules = append(modules, fmt.Sprintf("%s<%s #%d %s", m.ID, m.GroupKey, m.Order, m.Title))
	}
	if got, want := strings.Join(modules, " | "),
		"~catalog< #1 Beispielkatalog | ORG.1.1<ORG.1 #2 Zuständigkeiten | ~2<~2 #3 Technik | TEC.SUB<~2 #4 Härtung"; got != want {
		t.Errorf("modules\n got %s\nwant %s", got, want)
	}
	var reqs []string
	for _, r := range c.Requirements {
		effort := "-"
		if r.Effort != nil {
			effort = fmt.Sprint(*r.Effort)
		}
		reqs = append(reqs, fmt.Sprintf("%s<%s@%s %s e%s w%v #%d", r.ID, r.ParentID, r.ModuleID, r.Level, effort, r.Withdrawn, r.Order))
	}
	want := []string{
		"ROOT.1<@~catalog standard e- wfalse #1",
		"ORG.1.1.1<@ORG.1.1 elevated e2 wfalse #2",
		"ORG.1.1.1.1<ORG.1.1.1@ORG.1.1 standard e- wfalse #3",
		"ORG.1.1.1.1.1<ORG.1.1.1.1@ORG.1.1 standard e- wfalse #4",
		"ORG.1.1.2<@ORG.1.1 standard e- wtrue #5",
		"TEC.1<@~2 standard e- wfalse #6",
		"TEC.SUB.1<@TEC.SUB standard e- wfalse #7",
	}
	if got := strings.Join(reqs, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("requirements\n got %s\nwant %s", got, strings.Join(want, "\n"))
	}

	byID := map[string]domain.Requirement{}
	for _, r := range c.Requirements {
		byID[r.ID] = r
	}
	if got := byID["ROOT.1"].Text.Plain(); got != "Die Leitung MUSS regelmäßig und jährlich berichten." {
		t.Errorf("ROOT.1 text %q", got)
	}
	org := byID["ORG.1.1.1"]
	if org.AltID != "0b9d2f8e-3c55-4d71-a7e2-6f0c1e2d3a4b" || strings.Join(org.Tags, "|") != "Governance|Rollen" {
		t.Errorf("ORG.1.1.1 alt-id %q tags %q", org.AltID, org.Tags)
	}
	wantProps := []domain.Prop{{Name: "modal_verb", Value: "MUSS", NS: "https://example.org/ns/modal_verbs.csv"}}
	if fmt.Sprint(org.Props) != fmt.Sprint(wantProps) {
		t.Errorf("ORG.1.1.1 props %+v, want %+v", org.Props, wantProps)
	}
	if got := org.Text.Plain(); got != "Die Institution MUSS festlegen:\n- a. wer entscheidet,\n- b. wer umsetzt." {
		t.Errorf("ORG.1.1.1 text %q", got)
	}
	if got := org.Guidance; len(got) != 2 || got.Plain() != "Erster Absatz.\nZweiter Absatz." {
		t.Errorf("ORG.1.1.1 guidance %+v", got)
	}
	tec := byID["TEC.1"]
	wantProps = []domain.Prop{{Name: "priority", Value: "P1", NS: "https://example.org/ns", Class: "wichtig"}}
	if fmt.Sprint(tec.Props) != fmt.Sprint(wantProps) || strings.Join(tec.Tags, "|") != "Patch" {
		t.Errorf("TEC.1 props %+v tags %q", tec.Props, tec.Tags)
	}
	wantText := domain.Text{
		{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: "Updates SOLLTEN eingespielt werden:"}}},
		{Kind: domain.BlockBullets, Items: []domain.Text{
			{{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: "zeitnah"}}}},
			{
				{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: "nach Test"}}},
				{Kind: domain.BlockBullets, Items: []domain.Text{{{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: "in Staging"}}}}}},
			},
		}},
		{Kind: domain.BlockNumbered, Items: []domain.Text{
			{{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: "planen"}}}},
			{{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: "einspielen"}}}},
		}},
	}
	if fmt.Sprintf("%+v", tec.Text) != fmt.Sprintf("%+v", wantText) {
		t.Errorf("TEC.1 text\n got %+v\nwant %+v", tec.Text, wantText)
	}
	// The practice's description: its label's remarks, then its parts.
	g := c.Groups[0]
	if got := g.Text.Plain(); got != "Alles zur Organisation.\nÜberblick." || !g.Text[0].Runs[1].Strong {
		t.Errorf("ORG description %+v", g.Text)
	}
	if len(g.Props) != 1 || g.Props[0] != (domain.Prop{Name: "label", Value: "ORG"}) {
		t.Errorf("ORG props %+v", g.Props)
	}
}

// wantError checks for a *catalog.Error with where and a reason part.
func wantError(t *testing.T, err error, where, reasonHas string) {
	t.Helper()
	ce := catalogtest.AsError(t, err)
	if ce.Where != where || !strings.Contains(ce.Reason, reasonHas) {
		t.Errorf("error %q\nwant where %q, reason containing %q", err, where, reasonHas)
	}
}

// nest returns a catalog whose groups nest n deep.
func nest(n int) string {
	return `{"catalog":{"metadata":{"title":"T"},"groups":[` +
		strings.Repeat(`{"title":"G","groups":[`, n) + strings.Repeat(`]}`, n) + `]}}`
}

func TestCatalogErrors(t *testing.T) {
	tests := []struct {
		name, json, where, reasonHas string
	}{
		{"profile", `{"profile":{"uuid":"x","metadata":{"title":"P"},"imports":[]}}`, "", "an OSCAL profile, not a catalog"},
		{"other OSCAL model", `{"assessment-plan":{}}`, "", `holds "assessment-plan"`},
		{"component definition", `{"component-definition":{}}`, "", "an OSCAL component definition, not a catalog"},
		{"XML", "\n  <catalog xmlns=\"http://csrc.nist.gov/ns/oscal/1.0\"/>", "line 2, column 3", "an XML file"},
		{"empty", " \n", "", "the file is empty"},
		{"array", `[1]`, "line 1, column 1", "not an object at the top"},
		{"truncated", "{\"catalog\": {\n  \"metadata\": {\"title\": \"T\"", "line 2, column 28", "ends early"},
		{"syntax", "{\"catalog\": {\n  \"metadata\": {\"title\": \"T\",}}}", "line 2, column 29", "invalid JSON"},
		{"wrong type", "{\"catalog\": {\n\"metadata\": {\"title\": 5}}}", "line 2, column 23", "catalog.metadata.title: a JSON number where OSCAL wants a string"},
		{"no title", `{"catalog":{"metadata":{}}}`, "catalog.metadata", "no title"},
		{"control without id", `{"catalog":{"metadata":{"title":"T"},"groups":[{"id":"A","title":"A"},{"id":"B","title":"B","groups":[{"id":"C","title":"C","controls":[{"id":"C.1","title":"x"},{"title":"y"}]}]}]}}`,
			"catalog.groups[1].groups[0].controls[1]", "a control without id"},
		{"control without title", `{"catalog":{"metadata":{"title":"T"},"controls":[{"id":"X","title":"x","controls":[{"id":"Y"}]}]}}`,
			"catalog.controls[0].controls[0]", "control Y has no title"},
		{"group without title", `{"catalog":{"metadata":{"title":"T"},"groups":[{"id":"A"}]}}`, "catalog.groups[0]", "group A has no title"},
		{"duplicate control", `{"catalog":{"metadata":{"title":"T"},"controls":[{"id":"X","title":"x"}],"groups":[{"id":"A","title":"A","controls":[{"id":"X","title":"x"}]}]}}`,
			"catalog.groups[0].controls[0]", "control id X is used twice (first at catalog.controls[0])"},
		{"duplicate group", `{"catalog":{"metadata":{"title":"T"},"groups":[{"id":"A","title":"A"},{"id":"A","title":"A"}]}}`,
			"catalog.groups[1]", `group id "A" is used twice`},
		{"unknown level", `{"catalog":{"metadata":{"title":"T"},"controls":[{"id":"X","title":"x","props":[{"name":"sec_level","value":"hoch"}]}]}}`,
			"catalog.controls[0].props[0]", `control X: unknown sec_level "hoch"`},
		{"bad effort", `{"catalog":{"metadata":{"title":"T"},"controls":[{"id":"X","title":"x","props":[{"name":"effort_level","value":"viel"}]}]}}`,
			"catalog.controls[0].props[0]", `control X: effort_level "viel" is not a whole number`},
		{"prop without name", `{"catalog":{"metadata":{"title":"T"},"controls":[{"id":"X","title":"x","props":[{"value":"v"}]}]}}`,
			"catalog.controls[0].props[0]", "a prop without name"},
		{"nested too deep", nest(40), "catalog" + strings.Repeat(".groups[0]", 33), "nested more than 32 deep"},
		{"JSON too deep", `{"a":` + strings.Repeat("[", 200), "line 1, column 133", "JSON nested more than 128 levels deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCatalog(strings.NewReader(tt.json))
			wantError(t, err, tt.where, tt.reasonHas)
		})
	}
}

func TestCatalogTruncatedKernel(t *testing.T) {
	data := catalogtest.Read(t, kernelPath)
	_, err := ParseCatalog(bytes.NewReader(data[:len(data)/2]))
	var ce *catalog.Error
	if !errors.As(err, &ce) || !strings.HasPrefix(ce.Where, "line ") || !strings.Contains(ce.Reason, "ends early") {
		t.Errorf("error %v, want the position and \"ends early\"", err)
	}
}

func TestCatalogLimitReader(t *testing.T) {
	_, err := ParseCatalog(catalog.LimitReader(bytes.NewReader(readTestdata(t, "tiny-catalog.json")), 100))
	wantError(t, err, "", "larger than the limit of 100 bytes")
}

func TestCatalogByteOrderMark(t *testing.T) {
	data := append([]byte("\xef\xbb\xbf"), readTestdata(t, "tiny-catalog.json")...)
	if _, err := ParseCatalog(bytes.NewReader(data)); err != nil {
		t.Error(err)
	}
}

func BenchmarkParseCatalog(b *testing.B) {
	data := catalogtest.Read(b, kernelPath)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCatalog(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// The Methodik is the method itself as a catalog: every control a MUSS,
// SOLLTE or KANN, and its 14 parameters (UMS.5.1 asks who authorises
// exceptions) in place.
func TestMethodikCatalog(t *testing.T) {
	c, err := ParseCatalog(bytes.NewReader(catalogtest.Read(t, catalogtest.Methodik)))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Requirements) != 95 {
		t.Fatalf("%d controls, want 95", len(c.Requirements))
	}
	params := map[string]string{}
	for _, r := range c.Requirements {
		if r.Obligation == "" {
			t.Errorf("%s: no modal verb", r.ID)
		}
		for _, p := range r.Params {
			params[p.ID] = p.Label
		}
		if r.ID == "UMS.5.1" {
			var runs []domain.Run
			for _, b := range r.Text {
				runs = append(runs, b.Runs...)
			}
			if !slices.ContainsFunc(runs, func(x domain.Run) bool {
				return x.Param == "ums.5.1-prm1" && x.Text == "eine zuständige Person oder Rolle"
			}) {
				t.Errorf("UMS.5.1: the parameter is not a run of its own: %+v", runs)
			}
			got := r.Text.WithParams(map[string]string{"ums.5.1-prm1": "die Amtsleitung"}).Plain()
			if !strings.Contains(got, "durch die Amtsleitung autorisieren") {
				t.Errorf("UMS.5.1 with its value: %q", got)
			}
		}
	}
	if len(params) != 14 {
		t.Errorf("%d parameters, want 14: %v", len(params), params)
	}
}
