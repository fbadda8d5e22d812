package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"ismsd/internal/catalog/catalogtest"
	"ismsd/internal/domain"
	"ismsd/schemas"
)

// wantModules are the modules of the excerpt, in catalog order.
var wantModules = []string{
	"ISMS.1", "ORP.4", "CON.3", "OPS.1.1.3", "DER.2.1", "APP.3.6", "SYS.1.1", "SYS.1.5",
	"NET.1.1", "NET.1.2", "NET.3.1", "NET.3.2", "NET.3.3", "NET.4.2", "INF.2",
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	b, err := schemas.FS.ReadFile("catalog-demo.json")
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	const url = "https://ismsd.invalid/schemas/catalog-demo.json"
	if err := c.AddResource(url, bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("schemas/catalog-demo.json does not compile: %v", err)
	}
	return s
}

func decode(t *testing.T, raw []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestMatchesSchema(t *testing.T) {
	s := compileSchema(t)
	if err := s.Validate(decode(t, Source())); err != nil {
		t.Fatalf("kompendium-demo.json does not match schemas/catalog-demo.json:\n%#v", err)
	}
	// The schema is strict: each of these edits must be refused.
	for _, c := range []struct{ old, new string }{
		{`"level": "basis"`, `"level": "B"`},
		{`"order": "R1"`, `"order": "R4"`},
		{`"id": "G 0.1"`, `"id": "G0.1"`},
		{`"id": "NET.3.1.A1"`, `"id": "NET.3.1-A1"`},
		{`"kind": "demo"`, `"kind": "demo", "extra": 1`},
		{`"k": "p"`, `"k": "h1"`},
	} {
		broken := bytes.Replace(Source(), []byte(c.old), []byte(c.new), 1)
		if bytes.Equal(broken, Source()) {
			t.Fatalf("test data: %q not in the file", c.old)
		}
		if err := s.Validate(decode(t, broken)); err == nil {
			t.Errorf("schema accepts %s instead of %s", c.new, c.old)
		}
	}
}

func TestContent(t *testing.T) {
	c, err := Content()
	if err != nil {
		t.Fatal(err)
	}
	if c.Kind != domain.CatalogDemo || c.Title != "IT-Grundschutz-Kompendium – Demo-Auszug" || c.Version != "2023-demo" {
		t.Errorf("catalog %q %q %q", c.Kind, c.Title, c.Version)
	}
	if n := Notice(); !strings.Contains(n, "BSI") || !strings.Contains(n, "ismsd") {
		t.Errorf("notice %q", n)
	}

	groups := map[string]bool{}
	for i, g := range c.Groups {
		if groups[g.Key] {
			t.Errorf("group %s twice", g.Key)
		}
		groups[g.Key] = true
		if g.Order != i+1 || !strings.HasPrefix(g.Title, g.Key+": ") {
			t.Errorf("group %+v", g)
		}
	}

	var ids []string
	modules := map[string]domain.Module{}
	for _, m := range c.Modules {
		ids = append(ids, m.ID)
		modules[m.ID] = m
		if !groups[m.GroupKey] || !strings.HasPrefix(m.ID, m.GroupKey+".") {
			t.Errorf("module %s in group %q", m.ID, m.GroupKey)
		}
		if m.Order < 1 || len(m.Description) == 0 || len(m.DefaultRoles) != 1 {
			t.Errorf("module %s: order %d, %d description blocks, default roles %q", m.ID, m.Order, len(m.Description), m.DefaultRoles)
		}
	}
	if !slices.Equal(ids, wantModules) {
		t.Fatalf("modules %v, want %v", ids, wantModules)
	}

	requirements := map[string]domain.Requirement{}
	perModule := map[string]int{}
	var bullets, emphasis int
	for _, r := range c.Requirements {
		if _, dup := requirements[r.ID]; dup {
			t.Errorf("requirement %s twice", r.ID)
		}
		requirements[r.ID] = r
		if _, ok := modules[r.ModuleID]; !ok {
			t.Errorf("requirement %s: unknown module %q", r.ID, r.ModuleID)
		}
		if !strings.HasPrefix(r.ID, r.ModuleID+".A") {
			t.Errorf("requirement %s does not belong to module %s", r.ID, r.ModuleID)
		}
		perModule[r.ModuleID]++
		if r.Order != perModule[r.ModuleID] {
			t.Errorf("requirement %s: order %d, want %d", r.ID, r.Order, perModule[r.ModuleID])
		}
		if !slices.Contains(domain.Levels, r.Level) || r.Title == "" || r.Withdrawn || r.Text.Plain() == "" {
			t.Errorf("requirement %+v", r)
		}
		for _, b := range r.Text {
			if b.Kind == domain.BlockBullets {
				bullets++
			}
			for _, run := range b.Runs {
				if run.Emph {
					emphasis++
				}
			}
		}
	}
	for _, id := range wantModules {
		if perModule[id] == 0 {
			t.Errorf("module %s has no requirements", id)
		}
	}
	if bullets == 0 || emphasis == 0 {
		t.Errorf("the demo should show structured text: %d bullet lists, %d emphasised runs", bullets, emphasis)
	}

	threats := map[string]bool{}
	if len(c.Threats) != 47 {
		t.Errorf("%d threats, want 47", len(c.Threats))
	}
	for i, th := range c.Threats {
		if want := fmt.Sprintf("G 0.%d", i+1); th.ID != want || th.Order != i+1 || th.Title == "" || th.Text.Plain() == "" {
			t.Errorf("threat %d: %+v, want ID %s", i, th, want)
		}
		threats[th.ID] = true
	}

	links := Links()
	perRequirement := map[string]int{}
	seen := map[domain.ThreatLink]bool{}
	for _, l := range links {
		if _, ok := requirements[l.RequirementID]; !ok {
			t.Errorf("link %+v: unknown requirement", l)
		}
		if !threats[l.ThreatID] {
			t.Errorf("link %+v: unknown threat", l)
		}
		if seen[l] {
			t.Errorf("link %+v twice", l)
		}
		seen[l] = true
		perRequirement[l.RequirementID]++
	}
	for id := range requirements {
		if n := perRequirement[id]; n < 1 || n > 3 {
			t.Errorf("requirement %s has %d threat links, want 1 to 3", id, n)
		}
	}
	x := CrossReference()
	if len(x.Links) != len(links) || len(x.Requirements) != len(c.Requirements) || len(x.Marks) != 0 {
		t.Errorf("cross reference: %d links, %d requirements, %d marks", len(x.Links), len(x.Requirements), len(x.Marks))
	}

	hints := map[string]int{}
	for _, h := range c.ModellingHints {
		if _, ok := modules[h.ModuleID]; !ok {
			t.Errorf("hint for unknown module %s", h.ModuleID)
		}
		hints[h.ModuleID]++
	}
	for _, id := range wantModules {
		if hints[id] == 0 {
			t.Errorf("module %s has no modelling hint", id)
		}
	}

	// Callers get their own copies.
	c.Requirements[0].Text[0].Runs[0].Text = "changed"
	again, _ := Content()
	if again.Requirements[0].Text[0].Runs[0].Text == "changed" {
		t.Error("Content shares its slices between calls")
	}

	var levels [3]int
	for _, r := range c.Requirements {
		levels[slices.Index(domain.Levels, r.Level)]++
	}
	t.Logf("%d modules, %d requirements (B %d, S %d, H %d), %d threats, %d links, %d hints",
		len(c.Modules), len(c.Requirements), levels[0], levels[1], levels[2], len(c.Threats), len(links), len(c.ModellingHints))
}

// readOfficial reads the BSI's Kompendium 2023 (see catalogtest.Read).
func readOfficial(t *testing.T) string {
	t.Helper()
	return string(catalogtest.Read(t, catalogtest.KompendiumXML))
}

var (
	reqTitle    = regexp.MustCompile(`<title>([A-Z]{2,4}(?:\.[0-9]+)+\.?A[0-9]+) (.*?) \(([BSH])\)\s*(?:\[([^\]]*)\])?\s*</title>`)
	threatTitle = regexp.MustCompile(`<title>(G 0\.[0-9]+) ([^<]*)</title>`)
	layerTitle  = regexp.MustCompile(`<title>([A-Z]{2,4}) ([^<]*)</title>`)
	tag         = regexp.MustCompile(`<[^>]+>`)
)

type official struct {
	title, level string
	roles        []string
	withdrawn    bool
}

func splitRoles(s string) []string {
	var out []string
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" && r != "Keine" {
			out = append(out, r)
		}
	}
	return out
}

func plain(xml string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tag.ReplaceAllString(xml, " "))), " ")
}

// TestFactsMatchOfficial compares every fact taken from the Kompendium
// (IDs, titles, levels, roles, layer and threat titles, modelling hints)
// with the official file.
func TestFactsMatchOfficial(t *testing.T) {
	xml := readOfficial(t)
	c, err := Content()
	if err != nil {
		t.Fatal(err)
	}
	levelOf := map[string]domain.Level{"B": domain.LevelBasis, "S": domain.LevelStandard, "H": domain.LevelElevated}

	off := map[string]official{}
	for _, m := range reqTitle.FindAllStringSubmatch(xml, -1) {
		id := m[1]
		if i := strings.LastIndex(id, "A"); id[i-1] != '.' {
			id = id[:i] + "." + id[i:] // "OPS.2.3A22"
		}
		off[id] = official{title: m[2], level: m[3], roles: splitRoles(m[4]), withdrawn: m[2] == "ENTFALLEN"}
	}

	// Every active requirement of the demo modules, no more and no fewer,
	// with the real title, level and roles.
	demo := map[string]bool{}
	type count struct {
		module string
		level  domain.Level
	}
	demoCounts, offCounts := map[count]int{}, map[count]int{}
	for _, r := range c.Requirements {
		demo[r.ID] = true
		demoCounts[count{r.ModuleID, r.Level}]++
		o, ok := off[r.ID]
		switch {
		case !ok:
			t.Errorf("%s is not in the Kompendium", r.ID)
		case o.withdrawn:
			t.Errorf("%s is withdrawn in the Kompendium", r.ID)
		default:
			if r.Title != o.title {
				t.Errorf("%s title %q, Kompendium %q", r.ID, r.Title, o.title)
			}
			if r.Level != levelOf[o.level] {
				t.Errorf("%s level %s, Kompendium %s", r.ID, r.Level, o.level)
			}
			if !slices.Equal(r.Roles, o.roles) {
				t.Errorf("%s roles %q, Kompendium %q", r.ID, r.Roles, o.roles)
			}
		}
	}
	for id, o := range off {
		mod := id[:strings.LastIndex(id, ".A")]
		if slices.Contains(wantModules, mod) && !o.withdrawn {
			offCounts[count{mod, levelOf[o.level]}]++
			if !demo[id] {
				t.Errorf("%s (%s) is missing from the demo", id, o.title)
			}
		}
	}
	for _, mod := range wantModules {
		for _, l := range domain.Levels {
			k := count{mod, l}
			if demoCounts[k] != offCounts[k] {
				t.Errorf("%s %s: %d requirements, Kompendium %d", mod, l, demoCounts[k], offCounts[k])
			}
		}
	}

	// Module titles and the default role ("Grundsätzlich zuständig").
	for _, m := range c.Modules {
		start := strings.Index(xml, "<title>"+m.ID+" "+m.Title+"</title>")
		if start < 0 {
			t.Errorf("module %s %q not in the Kompendium", m.ID, m.Title)
			continue
		}
		rest := xml[start:]
		i := strings.Index(rest, "Grundsätzlich zuständig")
		if i < 0 {
			t.Errorf("module %s: no responsibility table", m.ID)
			continue
		}
		rest = rest[i:]
		cellStart := strings.Index(rest, "<td")
		cellEnd := strings.Index(rest[cellStart:], "</td>")
		role := plain(rest[cellStart : cellStart+cellEnd])
		if !slices.Equal(m.DefaultRoles, splitRoles(role)) {
			t.Errorf("module %s default roles %q, Kompendium %q", m.ID, m.DefaultRoles, role)
		}
	}

	// Layer titles ("NET Netze und Kommunikation" → "NET: Netze und Kommunikation").
	layers := map[string]string{}
	for _, m := range layerTitle.FindAllStringSubmatch(xml, -1) {
		if _, ok := layers[m[1]]; !ok {
			layers[m[1]] = m[1] + ": " + m[2]
		}
	}
	for _, g := range c.Groups {
		if layers[g.Key] != g.Title {
			t.Errorf("group %s title %q, Kompendium %q", g.Key, g.Title, layers[g.Key])
		}
	}

	// Threat titles.
	threats := map[string]string{}
	for _, m := range threatTitle.FindAllStringSubmatch(xml, -1) {
		threats[m[1]] = m[2]
	}
	for _, th := range c.Threats {
		if threats[th.ID] != th.Title {
			t.Errorf("threat %s title %q, Kompendium %q", th.ID, th.Title, threats[th.ID])
		}
	}

	// Modelling hints: the table row "<module> <title> | R? | <target type>".
	for _, h := range c.ModellingHints {
		row := regexp.MustCompile(`<para>` + regexp.QuoteMeta(h.ModuleID) + ` [^<]*</para>\s*</td>\s*<td[^>]*>\s*<para>(R[0-9])</para>\s*</td>\s*<td[^>]*>\s*<para>([^<]*)</para>`)
		m := row.FindStringSubmatch(xml)
		if m == nil {
			t.Errorf("modelling hint for %s not found in the Kompendium", h.ModuleID)
			continue
		}
		if h.Order != m[1] || h.TargetType != m[2] {
			t.Errorf("modelling hint %+v, Kompendium %s %q", h, m[1], m[2])
		}
	}
}

// sentences splits a text into its sentences and list items.
func sentences(t domain.Text) []string {
	var out []string
	for _, line := range strings.Split(t.Plain(), "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "- ")
		start := 0
		for i := 0; i < len(line); i++ {
			if strings.ContainsRune(".!?:", rune(line[i])) && (i+1 == len(line) || line[i+1] == ' ') {
				out = append(out, strings.TrimSpace(line[start:i+1]))
				start = i + 1
			}
		}
		if s := strings.TrimSpace(line[start:]); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// TestOwnWords: no sentence of ours appears verbatim in the official text.
// Fragments of fewer than five words (list items such as "Klima und
// Temperatur,") are common phrases and not checked.
func TestOwnWords(t *testing.T) {
	official := plain(readOfficial(t))
	c, err := Content()
	if err != nil {
		t.Fatal(err)
	}
	check := func(where string, text domain.Text) {
		for _, s := range sentences(text) {
			s = strings.TrimRight(s, ".,;:!?")
			if len(strings.Fields(s)) >= 5 && strings.Contains(official, s) {
				t.Errorf("%s: %q is the BSI's sentence", where, s)
			}
		}
	}
	for _, r := range c.Requirements {
		check(r.ID, r.Text)
	}
	for _, m := range c.Modules {
		check(m.ID, m.Description)
	}
	for _, th := range c.Threats {
		check(th.ID, th.Text)
	}
}
