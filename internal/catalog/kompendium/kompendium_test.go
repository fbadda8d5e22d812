package kompendium

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"ismsd/internal/catalog"
	"ismsd/internal/catalog/catalogtest"
	"ismsd/internal/domain"
)

// realPath is the published 2023 edition.
const realPath = catalogtest.KompendiumXML

// fakePath is a made-up edition of the same shape, written for these tests.
const fakePath = "testdata/musterkatalog-2031.xml"

var (
	realOnce    sync.Once
	realContent domain.CatalogContent
	realErr     error
)

// parsedReal parses the 2023 edition once for all tests.
func parsedReal(t *testing.T) domain.CatalogContent {
	t.Helper()
	data := catalogtest.Read(t, realPath)
	realOnce.Do(func() { realContent, realErr = Parse(bytes.NewReader(data)) })
	if realErr != nil {
		t.Fatalf("Parse: %v", realErr)
	}
	return realContent
}

func requirementsByID(c domain.CatalogContent) map[string]domain.Requirement {
	m := make(map[string]domain.Requirement, len(c.Requirements))
	for _, r := range c.Requirements {
		m[r.ID] = r
	}
	return m
}

func moduleByID(c domain.CatalogContent, id string) (domain.Module, bool) {
	for _, m := range c.Modules {
		if m.ID == id {
			return m, true
		}
	}
	return domain.Module{}, false
}

// TestRealCounts checks every figure that the shared README states about
// the 2023 edition.
func TestRealCounts(t *testing.T) {
	c := parsedReal(t)
	if c.Kind != domain.CatalogKompendium || c.Title != "IT-Grundschutz-Kompendium" || c.Version != "2023" {
		t.Errorf("kind, title, version = %q, %q, %q", c.Kind, c.Title, c.Version)
	}

	var keys []string
	for i, g := range c.Groups {
		keys = append(keys, g.Key)
		if g.Order != i+1 || g.Title == "" {
			t.Errorf("group %+v", g)
		}
	}
	if want := []string{"ISMS", "ORP", "CON", "OPS", "DER", "APP", "SYS", "IND", "NET", "INF"}; !slices.Equal(keys, want) {
		t.Errorf("layers %v, want %v", keys, want)
	}
	if c.Groups[8].Title != "Netze und Kommunikation" {
		t.Errorf("NET is titled %q", c.Groups[8].Title)
	}

	perLayer := map[string]int{}
	modules := map[string]bool{}
	for _, m := range c.Modules {
		perLayer[m.GroupKey]++
		modules[m.ID] = true
		if m.Order != perLayer[m.GroupKey] {
			t.Errorf("module %s has order %d, want %d", m.ID, m.Order, perLayer[m.GroupKey])
		}
		if len(m.DefaultRoles) != 1 || len(m.Description) == 0 || m.Title == "" {
			t.Errorf("module %s: default roles %q, %d description blocks, title %q", m.ID, m.DefaultRoles, len(m.Description), m.Title)
		}
	}
	wantPerLayer := map[string]int{"ISMS": 1, "ORP": 5, "CON": 9, "OPS": 14, "DER": 7, "APP": 20, "SYS": 25, "IND": 7, "NET": 11, "INF": 12}
	if len(c.Modules) != 111 || !reflect.DeepEqual(perLayer, wantPerLayer) {
		t.Errorf("%d modules, per layer %v", len(c.Modules), perLayer)
	}

	type tally struct{ active, withdrawn int }
	perLevel := map[domain.Level]tally{}
	ids := map[string]bool{}
	withRoles, roles := 0, map[string]bool{}
	lastOrder := map[string]int{}
	for _, r := range c.Requirements {
		if ids[r.ID] {
			t.Errorf("requirement %s twice", r.ID)
		}
		ids[r.ID] = true
		if !modules[r.ModuleID] || !strings.HasPrefix(r.ID, r.ModuleID+".A") {
			t.Errorf("requirement %s in module %q", r.ID, r.ModuleID)
		}
		if r.Order != lastOrder[r.ModuleID]+1 {
			t.Errorf("requirement %s has order %d after %d", r.ID, r.Order, lastOrder[r.ModuleID])
		}
		lastOrder[r.ModuleID] = r.Order
		tl := perLevel[r.Level]
		if r.Withdrawn {
			tl.withdrawn++
		} else {
			tl.active++
		}
		perLevel[r.Level] = tl
		if len(r.Roles) > 0 {
			withRoles++
		}
		for _, role := range r.Roles {
			roles[role] = true
		}
		if len(r.Text) == 0 {
			t.Errorf("requirement %s has no text", r.ID)
		}
	}
	if len(c.Requirements) != 2125 || len(ids) != 2125 {
		t.Errorf("%d requirements, %d distinct IDs; want 2125", len(c.Requirements), len(ids))
	}
	wantLevels := map[domain.Level]tally{
		domain.LevelBasis:    {563, 89},
		domain.LevelStandard: {867, 147},
		domain.LevelElevated: {405, 54},
	}
	if !reflect.DeepEqual(perLevel, wantLevels) {
		t.Errorf("per level (active, withdrawn) %v, want %v", perLevel, wantLevels)
	}
	active := perLevel[domain.LevelBasis].active + perLevel[domain.LevelStandard].active + perLevel[domain.LevelElevated].active
	if active != 1835 || len(c.Requirements)-active != 290 {
		t.Errorf("%d active, %d withdrawn; want 1835, 290", active, len(c.Requirements)-active)
	}
	if withRoles != 570 || len(roles) != 27 {
		t.Errorf("%d requirements with roles, %d distinct roles; want 570, 27: %v", withRoles, len(roles), roles)
	}
	if !roles["OT-Betrieb (Operational Technology, OT)"] {
		t.Error("the role with a comma in parentheses was split")
	}

	if len(c.Threats) != 47 {
		t.Errorf("%d threats, want 47", len(c.Threats))
	}
	for i, th := range c.Threats {
		if want := fmt.Sprintf("G 0.%d", i+1); th.ID != want || th.Order != i+1 || th.Title == "" || len(th.Text) == 0 {
			t.Errorf("threat %d: %q %q order %d, %d blocks", i, th.ID, th.Title, th.Order, len(th.Text))
		}
	}

	perTarget := map[string]int{}
	hinted := map[string]bool{}
	for _, h := range c.ModellingHints {
		perTarget[h.TargetType]++
		hinted[h.ModuleID] = true
		if !modules[h.ModuleID] || (h.Order != "R1" && h.Order != "R2" && h.Order != "R3") {
			t.Errorf("hint %+v", h)
		}
	}
	wantTargets := map[string]int{
		"Informationsverbund/übergeordnete Aspekte": 39,
		"IT-System":    38,
		"Anwendung":    20,
		"Gebäude/Raum": 11,
		"Netz":         3,
	}
	if !reflect.DeepEqual(perTarget, wantTargets) || len(hinted) != 111 {
		t.Errorf("hints per target type %v (want %v), %d modules", perTarget, wantTargets, len(hinted))
	}
}

// TestRealRequirements spot-checks requirements against the file's titles.
func TestRealRequirements(t *testing.T) {
	c := parsedReal(t)
	byID := requirementsByID(c)
	const (
		B = domain.LevelBasis
		S = domain.LevelStandard
		H = domain.LevelElevated
	)
	for _, want := range []struct {
		id        string
		level     domain.Level
		title     string
		roles     []string
		withdrawn bool
	}{
		{"NET.3.1.A1", B, "Sichere Grundkonfiguration eines Routers oder Switches", nil, false},
		{"NET.3.1.A2", B, "ENTFALLEN", nil, true},
		{"ISMS.1.A1", B, "Übernahme der Gesamtverantwortung für Informationssicherheit durch die Leitung", []string{"Institutionsleitung"}, false},
		{"ISMS.1.A14", S, "ENTFALLEN", nil, true},
		{"ORP.1.A5", B, "ENTFALLEN", nil, true},
		{"ORP.4.A1", B, "Regelung für die Einrichtung und Löschung von Benutzenden und Benutzendengruppen", []string{"IT-Betrieb"}, false},
		{"ORP.4.A8", B, "Regelung des Passwortgebrauchs", []string{"Benutzende", "IT-Betrieb"}, false},
		{"ORP.5.A2", B, "Beachtung der Rahmenbedingungen", []string{"Vorgesetzte", "Zentrale Verwaltung", "Institutionsleitung"}, false},
		{"ORP.5.A9", H, "ENTFALLEN", nil, true},
		{"CON.1.A9", S, "Festlegung von Kriterien für die Auswahl von Hard- oder Software mit kryptografischen Funktionen", []string{"Fachverantwortliche"}, false},
		{"CON.3.A1", B, "Erhebung der Einflussfaktoren für Datensicherungen", []string{"Fachverantwortliche", "IT-Betrieb"}, false},
		// The title says "OPS.2.3A22", without the dot.
		{"OPS.2.3.A22", H, "Durchführung von gemeinsamen Notfall- und Krisenübungen", []string{"Notfallbeauftragte"}, false},
		// CON.7 and SYS.4.4 head their first subsection "Basis-Anforderung".
		{"CON.7.A1", B, "Sicherheitsrichtlinie zur Informationssicherheit auf Auslandsreisen", nil, false},
		{"CON.7.A11", S, "Einsatz von Diebstahl-Sicherungen", []string{"Benutzende"}, false},
		{"CON.7.A16", H, "Integritätsschutz durch Check-Summen oder digitale Signaturen", []string{"Benutzende"}, false},
		{"SYS.4.4.A1", B, "Einsatzkriterien für IoT-Geräte", nil, false},
		{"SYS.4.4.A3", B, "ENTFALLEN", nil, true},
		{"SYS.4.4.A21", H, "Einsatzumgebung und Stromversorgung", []string{"Haustechnik"}, false},
		{"IND.1.A19", B, "Erstellung von Datensicherungen", []string{"Mitarbeitende", "OT-Betrieb (Operational Technology, OT)"}, false},
		{"INF.11.A3", B, "Regelungen für die Fahrzeugbenutzung", []string{"IT-Betrieb", "Fachverantwortliche", "Benutzende", "Datenschutzbeauftragte"}, false},
		{"INF.12.A14", H, "A-B-Versorgung", []string{"Haustechnik"}, false},
		{"INF.13.A30", H, "Durchführung von Penetrationstests im TGM", nil, false},
		{"DER.4.A2", S, "Integration von Notfallmanagement und Informationssicherheitsmanagement", []string{"Informationssicherheitsbeauftragte (ISB)"}, false},
		{"APP.4.4.A19", H, "Hochverfügbarkeit von Kubernetes", nil, false},
		{"SYS.3.2.2.A23", H, "Durchsetzung von Compliance-Anforderungen", nil, false},
	} {
		r, ok := byID[want.id]
		if !ok {
			t.Errorf("%s missing", want.id)
			continue
		}
		if r.Level != want.level || r.Title != want.title || !slices.Equal(r.Roles, want.roles) || r.Withdrawn != want.withdrawn {
			t.Errorf("%s = %s %q %q withdrawn=%v; want %s %q %q withdrawn=%v",
				want.id, r.Level, r.Title, r.Roles, r.Withdrawn, want.level, want.title, want.roles, want.withdrawn)
		}
	}
	if _, ok := byID["OPS.2.3A22"]; ok {
		t.Error("OPS.2.3A22 kept its raw ID")
	}

	// The modules with the singular heading still have every level.
	for id, want := range map[string][3]int{"CON.7": {11, 3, 4}, "SYS.4.4": {5, 15, 4}} {
		var got [3]int
		for _, r := range c.Requirements {
			if r.ModuleID == id {
				got[slices.Index(domain.Levels, r.Level)]++
			}
		}
		if got != want {
			t.Errorf("%s: B/S/H = %v, want %v", id, got, want)
		}
	}
	if r := byID["NET.3.1.A1"]; r.Order != 1 || r.ModuleID != "NET.3.1" {
		t.Errorf("NET.3.1.A1: order %d, module %q", r.Order, r.ModuleID)
	}
	if got := byID["NET.3.1.A2"].Text.Plain(); got != "Diese Anforderung ist entfallen." {
		t.Errorf("NET.3.1.A2 text %q", got)
	}
}

// TestRealModules checks the responsibility tables of a few modules.
func TestRealModules(t *testing.T) {
	c := parsedReal(t)
	for _, want := range []struct {
		id, layer, title string
		dflt, further    []string
	}{
		{"ISMS.1", "ISMS", "Sicherheitsmanagement", []string{"Informationssicherheitsbeauftragte (ISB)"}, []string{"Vorgesetzte", "Institutionsleitung"}},
		{"NET.3.1", "NET", "Router und Switches", []string{"IT-Betrieb"}, nil}, // "Keine"
		{"DER.4", "DER", "Notfallmanagement", []string{"Notfallbeauftragte"}, []string{"Informationssicherheitsbeauftragte (ISB)", "Vorgesetzte", "Institutionsleitung", "Personalabteilung"}},
		{"IND.1", "IND", "Prozessleit- und Automatisierungstechnik", []string{"ICS-Informationssicherheitsbeauftragte"}, []string{"Mitarbeitende", "Planende", "IT-Betrieb", "OT-Betrieb (Operational Technology, OT)"}},
		{"OPS.2.3", "OPS", "Nutzung von Outsourcing", []string{"IT-Betrieb"}, []string{"Fachverantwortliche", "Beschaffungsstelle", "Zentrale Verwaltung", "Notfallbeauftragte", "Personalabteilung"}},
		{"SYS.4.4", "SYS", "Allgemeines IoT-Gerät", []string{"IT-Betrieb"}, []string{"Beschaffungsstelle", "Haustechnik"}},
		{"CON.11.1", "CON", "Geheimschutz VS-NUR FÜR DEN DIENSTGEBRAUCH (VS-NfD)", nil, nil},
	} {
		m, ok := moduleByID(c, want.id)
		if !ok {
			t.Errorf("module %s missing", want.id)
			continue
		}
		if m.GroupKey != want.layer || m.Title != want.title {
			t.Errorf("%s: layer %q title %q", want.id, m.GroupKey, m.Title)
		}
		if want.dflt != nil && (!slices.Equal(m.DefaultRoles, want.dflt) || !slices.Equal(m.FurtherRoles, want.further)) {
			t.Errorf("%s: default %q further %q; want %q %q", want.id, m.DefaultRoles, m.FurtherRoles, want.dflt, want.further)
		}
	}
	m, _ := moduleByID(c, "ISMS.1")
	plain := m.Description.Plain()
	for _, heading := range []string{"Einleitung\n", "Zielsetzung\n", "Abgrenzung und Modellierung\n"} {
		if !strings.Contains(plain, heading) {
			t.Errorf("ISMS.1's description lacks the heading %q", heading)
		}
	}
	if m.Description[0].Runs[0] != (domain.Run{Text: "Einleitung", Strong: true}) {
		t.Errorf("description starts with %+v", m.Description[0])
	}
	if !strings.Contains(plain, "Mit (Informations-)Sicherheitsmanagement wird die Planungs-, Lenkungs- und Kontrollaufgabe bezeichnet") {
		t.Errorf("ISMS.1's description: %.200q", plain)
	}
	for _, h := range c.ModellingHints {
		if h.ModuleID == "NET.3.1" && (h.Order != "R2" || h.TargetType != "IT-System") {
			t.Errorf("hint for NET.3.1: %+v", h)
		}
	}
}

// TestRealText checks that lists and emphasis survive.
func TestRealText(t *testing.T) {
	c := parsedReal(t)
	byID := requirementsByID(c)

	// APP.3.1.A21: a paragraph, a list of five headers, and a paragraph
	// with three attribute names in italics.
	r := byID["APP.3.1.A21"]
	if len(r.Text) != 4 || r.Text[1].Kind != domain.BlockBullets || len(r.Text[1].Items) != 5 {
		t.Fatalf("APP.3.1.A21 text: %+v", r.Text)
	}
	if first := r.Text[1].Items[0].Plain(); first != "Content-Security-Policy," {
		t.Errorf("first item %q", first)
	}
	want := []domain.Run{
		{Text: "Cookies SOLLTEN grundsätzlich mit den Attributen "},
		{Text: "secure", Emph: true},
		{Text: ", "},
		{Text: "SameSite", Emph: true},
		{Text: " und "},
		{Text: "httponly", Emph: true},
		{Text: " gesetzt werden."},
	}
	if got := r.Text[3].Runs; !reflect.DeepEqual(got, want) {
		t.Errorf("APP.3.1.A21 last paragraph:\n got %+v\nwant %+v", got, want)
	}

	// SYS.3.2.2.A23 holds the numbered list.
	found := false
	for _, b := range byID["SYS.3.2.2.A23"].Text {
		if b.Kind == domain.BlockNumbered && len(b.Items) > 1 && b.Items[0].Plain() == "selbstständiges Versenden von Warnhinweisen," {
			found = true
		}
	}
	if !found {
		t.Errorf("SYS.3.2.2.A23: no numbered list: %+v", byID["SYS.3.2.2.A23"].Text)
	}

	// The colour roles the export wraps around NET.3.1.A1's paragraphs are
	// no emphasis; its one italic word is.
	var emphasised []domain.Run
	for _, b := range byID["NET.3.1.A1"].Text {
		for _, run := range b.Runs {
			if run.Emph || run.Strong {
				emphasised = append(emphasised, run)
			}
		}
	}
	if want := []domain.Run{{Text: "Unassigned-VLAN", Emph: true}}; !reflect.DeepEqual(emphasised, want) {
		t.Errorf("NET.3.1.A1 emphasis %+v, want %+v", emphasised, want)
	}

	// A nested list sits in NET.2.2's further reading, which is not kept;
	// the made-up edition covers nesting. G 0.1 has a list of its own.
	th := c.Threats[0]
	if th.ID != "G 0.1" || th.Title != "Feuer" || !strings.HasPrefix(th.Text.Plain(), "Feuer können schwere Schäden an Menschen, Gebäuden und deren Einrichtung verursachen.") {
		t.Errorf("G 0.1: %q %.80q", th.Title, th.Text.Plain())
	}
	if !slices.ContainsFunc(th.Text, func(b domain.Block) bool { return b.Kind == domain.BlockBullets }) {
		t.Error("G 0.1 lost its list")
	}
	if last := c.Threats[46]; last.ID != "G 0.47" || last.Title != "Schädliche Seiteneffekte IT-gestützter Angriffe" {
		t.Errorf("last threat %q %q", last.ID, last.Title)
	}
}

// TestRealTruncated cuts the real file in half: an error, not half a catalog.
func TestRealTruncated(t *testing.T) {
	data := catalogtest.Read(t, realPath)
	c, err := Parse(bytes.NewReader(data[:len(data)/2]))
	t.Log(err)
	assertWhere(t, err, "unexpected EOF")
	if len(c.Modules) != 0 || len(c.Requirements) != 0 {
		t.Errorf("partial result: %d modules", len(c.Modules))
	}
}

// TestMusterkatalog reads the made-up edition: nothing about 2023 is built in.
func TestMusterkatalog(t *testing.T) {
	data, err := os.ReadFile(fakePath)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if c.Title != "Musterkatalog Sicherheit" || c.Version != "2031" || c.Kind != domain.CatalogKompendium {
		t.Errorf("title %q version %q kind %q", c.Title, c.Version, c.Kind)
	}
	wantGroups := []domain.CatalogGroup{{Key: "ALP", Title: "Alpha-Schicht", Order: 1}, {Key: "ZET", Title: "Zeta-Schicht", Order: 2}}
	if !reflect.DeepEqual(c.Groups, wantGroups) {
		t.Errorf("groups %+v", c.Groups)
	}
	nordSued := "Betrieb (Bereich Nord, Bereich Süd)"
	wantModules := []struct {
		id, layer, title string
		order            int
		dflt, further    []string
	}{
		{"ALP.1", "ALP", "Erster Musterbaustein", 1, []string{"Musterbeauftragte (MB)"}, []string{"Hausmeisterei", nordSued}},
		{"ALP.2.1", "ALP", "Zweiter Musterbaustein", 2, []string{nordSued}, nil},
		{"ZET.3", "ZET", "Dritter Musterbaustein", 1, []string{"Hausmeisterei"}, []string{"Musterbeauftragte (MB)"}},
	}
	if len(c.Modules) != len(wantModules) {
		t.Fatalf("%d modules", len(c.Modules))
	}
	for i, w := range wantModules {
		m := c.Modules[i]
		if m.ID != w.id || m.GroupKey != w.layer || m.Title != w.title || m.Order != w.order ||
			!slices.Equal(m.DefaultRoles, w.dflt) || !slices.Equal(m.FurtherRoles, w.further) {
			t.Errorf("module %d = %+v", i, m)
		}
	}
	wantDesc := domain.Text{
		{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: "Einleitung", Strong: true}}},
		{Kind: domain.BlockParagraph, Runs: []domain.Run{
			{Text: "Der Baustein ALP.1 "}, {Text: "Erster Musterbaustein", Emph: true}, {Text: " beschreibt nichts Wirkliches."}}},
		{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: "Zielsetzung", Strong: true}}},
		{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: "Er prüft, ob der Parser liest, was er lesen soll."}}},
	}
	if !reflect.DeepEqual(c.Modules[0].Description, wantDesc) {
		t.Errorf("ALP.1 description %+v", c.Modules[0].Description)
	}

	type req struct {
		id, module, title string
		level             domain.Level
		roles             []string
		withdrawn         bool
		order             int
	}
	var got []req
	for _, r := range c.Requirements {
		got = append(got, req{r.ID, r.ModuleID, r.Title, r.Level, r.Roles, r.Withdrawn, r.Order})
	}
	want := []req{
		{"ALP.1.A1", "ALP.1", "Türen abschließen", domain.LevelBasis, []string{"Hausmeisterei"}, false, 1},
		{"ALP.1.A2", "ALP.1", "ENTFALLEN", domain.LevelBasis, nil, true, 2},
		{"ALP.1.A3", "ALP.1", "Fenster prüfen", domain.LevelStandard, []string{nordSued, "Hausmeisterei"}, false, 3},
		{"ALP.1.A4", "ALP.1", "Wachdienst beauftragen", domain.LevelElevated, nil, false, 4},
		{"ALP.2.1.A1", "ALP.2.1", "Licht ausschalten", domain.LevelBasis, nil, false, 1},
		{"ZET.3.A1", "ZET.3", "Zäune streichen", domain.LevelStandard, []string{"Musterbeauftragte (MB)"}, false, 1},
		{"ZET.3.A2", "ZET.3", "ENTFALLEN", domain.LevelElevated, nil, true, 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("requirements\n got %+v\nwant %+v", got, want)
	}

	byID := requirementsByID(c)
	wantA1 := domain.Text{
		{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: "Alle Türen MÜSSEN abends abgeschlossen werden."}}},
		{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: "Der Schlüssel MUSS "}, {Text: "sicher", Strong: true}, {Text: " verwahrt werden."}}},
	}
	if !reflect.DeepEqual(byID["ALP.1.A1"].Text, wantA1) {
		t.Errorf("ALP.1.A1 text %+v", byID["ALP.1.A1"].Text)
	}
	para := func(s string) domain.Block {
		return domain.Block{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: s}}}
	}
	wantA3 := domain.Text{
		para("Vor dem Gehen SOLLTEN geprüft werden:"),
		{Kind: domain.BlockBullets, Items: []domain.Text{
			{
				para("die Fenster im Erdgeschoss,"),
				{Kind: domain.BlockBullets, Items: []domain.Text{{para("zur Straße hin und")}, {para("zum Hof hin,")}}},
			},
			{para("die Dachluken.")},
		}},
		{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: "Das Ergebnis SOLLTE "}, {Text: "schriftlich", Emph: true}, {Text: " festgehalten werden."}}},
	}
	if !reflect.DeepEqual(byID["ALP.1.A3"].Text, wantA3) {
		t.Errorf("ALP.1.A3 text\n got %+v\nwant %+v", byID["ALP.1.A3"].Text, wantA3)
	}

	var threats []string
	for _, th := range c.Threats {
		threats = append(threats, fmt.Sprintf("%s %s %d", th.ID, th.Title, th.Order))
	}
	if want := []string{"G 0.1 Sturm 1", "G 0.2 Dürre 2", "G 0.3 Lärm 3"}; !slices.Equal(threats, want) {
		t.Errorf("threats %q", threats)
	}
	if got := c.Threats[0].Text.Plain(); got != "Ein Sturm kann Dächer abdecken.\n- Ziegel fallen herab.\n- Antennen knicken um." {
		t.Errorf("G 0.1 text %q", got)
	}
	wantHints := []domain.ModellingHint{
		{ModuleID: "ALP.1", Order: "R1", TargetType: "Informationsverbund/übergeordnete Aspekte"},
		{ModuleID: "ALP.2.1", Order: "R2", TargetType: "Anwendung"},
		{ModuleID: "ZET.3", Order: "R3", TargetType: "Gebäude/Raum"},
	}
	if !reflect.DeepEqual(c.ModellingHints, wantHints) {
		t.Errorf("hints %+v", c.ModellingHints)
	}
}

// TestEditionFromInfo: an edition named in book/info wins over the text.
func TestEditionFromInfo(t *testing.T) {
	data, err := os.ReadFile(fakePath)
	if err != nil {
		t.Fatal(err)
	}
	withInfo := bytes.Replace(data, []byte("<title>Musterkatalog Sicherheit</title>"),
		[]byte("<title>Musterkatalog Sicherheit</title><releaseinfo>Edition 2032</releaseinfo>"), 1)
	c, err := Parse(bytes.NewReader(withInfo))
	if err != nil || c.Version != "2032" {
		t.Errorf("version %q, err %v", c.Version, err)
	}
}

// assertWhere checks that err is a *catalog.Error that says where and
// whose text contains want.
func assertWhere(t *testing.T, err error, want string) {
	t.Helper()
	ce := catalogtest.AsError(t, err)
	if !strings.Contains(ce.Where, "line ") {
		t.Errorf("error %q does not say where", err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want it to mention %q", err, want)
	}
}

// fake returns the made-up edition with one replacement, for broken variants.
func fake(t *testing.T, old, new string) string {
	t.Helper()
	data, err := os.ReadFile(fakePath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%q not in %s", old, fakePath)
	}
	return strings.Replace(string(data), old, new, 1)
}

func TestBadInput(t *testing.T) {
	const bomb = `<?xml version="1.0"?>
<!DOCTYPE book [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<book xmlns="http://docbook.org/ns/docbook"><info><title>&lol9;</title></info></book>`
	// The same use of an entity without its declaration: the decoder's own refusal.
	const undeclared = `<book xmlns="http://docbook.org/ns/docbook"><info><title>&lol9;</title></info></book>`

	random := make([]byte, 4096)
	rand.New(rand.NewSource(1)).Read(random)

	deep := `<book xmlns="http://docbook.org/ns/docbook"><chapter><title>X</title>` +
		strings.Repeat("<para>", 100000)

	for _, tc := range []struct {
		name, input, want string
	}{
		{"entity bomb", bomb, "entity bomb"},
		{"undeclared entity", undeclared, "invalid character entity &lol9;"},
		{"empty", "", "not a DocBook Kompendium: the input holds no XML element"},
		{"blank", " \n\t", "not a DocBook Kompendium"},
		{"JSON", `{"catalog": {"uuid": "x", "groups": []}}`, "not a DocBook Kompendium: text before the root element"},
		{"random bytes", string(random), "not a DocBook Kompendium"},
		{"XHTML", `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>Kompendium</title></head><body><p>Hallo</p></body></html>`,
			"not a DocBook Kompendium: the root element is <html>"},
		{"book without namespace", `<book><info><title>T</title></info></book>`, "not a DocBook Kompendium"},
		{"DocBook without modules", `<book xmlns="http://docbook.org/ns/docbook"><info><title>T</title></info><chapter><title>Vorwort</title><para>Edition 2030</para></chapter></book>`,
			"not a DocBook Kompendium: no layer chapter with modules"},
		{"truncated", fake(t, "</chapter>\n<chapter xml:id=\"m-32\">", "")[:3000], "unexpected EOF"},
		{"mismatched tag", fake(t, "<title>ZET.3.A1 Zäune streichen (S) [Musterbeauftragte (MB)]</title>", "<title>ZET.3.A1 Zäune</para>"), "not well-formed XML"},
		{"too deep", deep, "nested deeper than"},
		{"text after the root", fake(t, "</book>", "</book>\nnoch etwas"), "text after </book>"},
		{"second root", fake(t, "</book>", "</book><book/>"), "second root element"},
		{"level contradicts subsection", fake(t, "ALP.1.A1 Türen abschließen (B)", "ALP.1.A1 Türen abschließen (H)"), "ALP.1.A1"},
		{"no level", strings.Replace(fake(t, "ZET.3.A1 Zäune streichen (S)", "ZET.3.A1 Zäune streichen"),
			"<title>Standard-Anforderungen</title>\n<section xml:id=\"m-39\">", "<title>Weitere</title>\n<section xml:id=\"m-39\">", 1),
			"(requirement ZET.3.A1): the title \"ZET.3.A1 Zäune streichen [Musterbeauftragte (MB)]\" names no level"},
		{"duplicate requirement", fake(t, "ALP.1.A4 Wachdienst", "ALP.1.A1 Wachdienst"), "requirement ALP.1.A1 appears twice"},
		{"requirement of another module", fake(t, "ZET.3.A1 Zäune", "ALP.1.A9 Zäune"), "requirement ALP.1.A9 stands in module ZET.3"},
		{"not a requirement", fake(t, "ZET.3.A1 Zäune", "Zäune"), "does not start with a requirement ID"},
		{"duplicate layer", strings.ReplaceAll(fake(t, "<title>ZET Zeta-Schicht</title>", "<title>ALP Noch einmal Alpha</title>"), "ZET.", "ALP."), "layer ALP appears twice"},
		{"duplicate module", fake(t, "<title>ALP.2.1 Zweiter Musterbaustein</title>", "<title>ALP.1 Zweiter Musterbaustein</title>"), "module ALP.1 appears twice"},
		{"duplicate threat", fake(t, "G0.2 Dürre", "G 0.1 Dürre"), "G 0.1 appears twice"},
		{"bad modelling order", fake(t, "<para>R2</para>", "<para>zweitens</para>"), "modelling table, row 3 (ALP.2.1)"},
		{"hint for a missing module", fake(t, "<para>ZET.3 Dritter Musterbaustein</para>", "<para>ZET.4 Vierter</para>"), "names module ZET.4"},
		{"no edition", strings.ReplaceAll(fake(t, "Die Edition 2031", "Diese Fassung"), "Edition 2030", "Vorgängerin"), "cannot tell the edition"},
		{"foreign encoding", `<?xml version="1.0" encoding="ISO-8859-1"?><book xmlns="http://docbook.org/ns/docbook"/>`, `declares the encoding "ISO-8859-1"; only UTF-8`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(strings.NewReader(tc.input))
			if err == nil {
				t.Fatalf("no error; got %d modules", len(c.Modules))
			}
			t.Log(err)
			assertWhere(t, err, tc.want)
			if !reflect.DeepEqual(c, domain.CatalogContent{}) {
				t.Error("a partial result came with the error")
			}
		})
	}
}

// TestLevelFromSubsection: a title without "(B)", "(S)" or "(H)" takes
// the level of its subsection.
func TestLevelFromSubsection(t *testing.T) {
	c, err := Parse(strings.NewReader(fake(t, "ZET.3.A1 Zäune streichen (S) [Musterbeauftragte (MB)]", "ZET.3.A1 Zäune streichen [Musterbeauftragte (MB)]")))
	if err != nil {
		t.Fatal(err)
	}
	r := requirementsByID(c)["ZET.3.A1"]
	if r.Level != domain.LevelStandard || r.Title != "Zäune streichen" || !slices.Equal(r.Roles, []string{"Musterbeauftragte (MB)"}) {
		t.Errorf("ZET.3.A1 = %+v", r)
	}
}

// TestErrorNamesContext: an error inside a requirement names it.
func TestErrorNamesContext(t *testing.T) {
	_, err := Parse(strings.NewReader(fake(t, "<para>Nachts SOLLTE", "<para>Nachts &unbekannt; SOLLTE")))
	assertWhere(t, err, "(requirement ALP.1.A4)")
}

// TestReaderError: an error of the reader, such as the size limit, comes through as it is.
func TestReaderError(t *testing.T) {
	data, err := os.ReadFile(fakePath)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse(catalog.LimitReader(bytes.NewReader(data), 1000))
	assertWhere(t, err, "larger than the limit")
}

func TestSplitRoles(t *testing.T) {
	for in, want := range map[string][]string{
		"":                    nil,
		"A":                   {"A"},
		" A ,B,, C ":          {"A", "B", "C"},
		"A (x, y), B":         {"A (x, y)", "B"},
		"A (x, (y, z)), B\nC": {"A (x, (y, z))", "B", "C"},
		"A ) , B":             {"A )", "B"}, // an unbalanced parenthesis does not swallow the rest
	} {
		if got := splitRoles(in); !slices.Equal(got, want) {
			t.Errorf("splitRoles(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile(fakePath); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		"",
		"<book/>",
		`<book xmlns="http://docbook.org/ns/docbook"/>`,
		`<book xmlns="http://docbook.org/ns/docbook"><info><title>T</title></info><chapter><title>ABC Schicht</title><section><title>ABC.1 Baustein</title><section><title>Anforderungen</title><section><title>Basis-Anforderungen</title><section><title>ABC.1.A1 Regel (B) [R (a, b)]</title><para>x <emphasis role="strong">y</emphasis></para></section></section></section></section></chapter></book>`,
		`<book xmlns="http://docbook.org/ns/docbook"><chapter><title>G</title><section><title>G 0.1 X</title><itemizedlist><listitem><para>a</para></listitem></itemizedlist></section></chapter></book>`,
		`<book xmlns="http://docbook.org/ns/docbook"><chapter><informaltable><thead><tr><td>Baustein</td><td>Reihenfolge</td><td>Zielobjekt</td></tr></thead><tbody><tr><td>A.1</td></tr></tbody></informaltable></chapter></book>`,
		`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`,
		`{"catalog":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(bytes.NewReader(data))
		if err != nil {
			catalogtest.AsError(t, err)
			return
		}
		modules := map[string]bool{}
		for _, m := range c.Modules {
			modules[m.ID] = true
		}
		ids := map[string]bool{}
		for _, r := range c.Requirements {
			if !modules[r.ModuleID] || !strings.HasPrefix(r.ID, r.ModuleID+".A") || ids[r.ID] {
				t.Fatalf("requirement %s of module %q", r.ID, r.ModuleID)
			}
			ids[r.ID] = true
		}
		if c.Version == "" || c.Title == "" || len(c.Modules) == 0 {
			t.Fatalf("success without title, version or modules: %+v", c)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	data := catalogtest.Read(b, realPath)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
