package domain

import (
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestReadinessGatesFromFigures(t *testing.T) {
	approved := day("2025-06-01")
	g := &Guideline{Number: 2, Title: "Leitlinie 2025", Approach: ApproachStandard, ReviewMonths: 12, ApprovedOn: &approved,
		Roles: []GuidelineRole{{Title: "ISB", Holder: "A"}, {Title: "DSB"}}, State: GuidelineApproved}
	crt := &Certificate{Number: "BSI-IGZ-0001-2025", IssuedOn: day("2025-01-10"), ValidUntil: day("2028-01-09")}
	f := GateFigures{Guideline: g, GuidelineBlockers: 1,
		Objects: 1234, Unstructured: 2, NeedsOpen: 0, Unmodelled: 3, ScopeModules: []string{"ISMS.1", "ORP.1"}, ModulesMissing: 1,
		Entries: 1234567, CheckOpen: 1000, RiskChecked: 0, PlanChecked: 10, PlanOpen: 0,
		Yes: 200, Uncovered: 50, CoverageTarget: 80, Rejected: 3, Unanswered: 2, Findings: 4, FindingsOpen: 1,
		Certificate: crt, CertificateChecked: 3, CertificateBlockers: 0}
	want := []struct {
		id                GateID
		status            GateStatus
		checked, blocking int
		summary           string
	}{
		{GateGuideline, GateFail, 4, 1, "Fassung 2 „Leitlinie 2025“, freigegeben am 01.06.2025, Überprüfung bis 01.06.2026. 1 blockierende Punkte."},
		{GateStructure, GateFail, 1234, 2, "2 von 1.234 Zielobjekten fehlt die Organisationseinheit oder die verantwortliche Person."},
		{GateNeeds, GatePass, 1234, 0, "Für alle 1.234 Zielobjekte ist der Schutzbedarf festgestellt; Abweichungen sind begründet, Zyklen gibt es keine."},
		{GateModelling, GateFail, 1236, 4, "3 Zielobjekte ohne Baustein; 1 von 2 übergreifenden Bausteinen fehlen."},
		{GateCheck, GateFail, 1234567, 1000, "1.000 von 1.234.567 Einträgen sind unbearbeitet oder nicht ausreichend umgesetzt."},
		{GateRisk, GatePass, 0, 0, "Kein Zielobjekt braucht eine Risikoanalyse."},
		{GatePlan, GatePass, 10, 0, "Alle 10 teilweise oder nicht umgesetzten Einträge haben eine Maßnahme mit Verantwortlichen und Frist; keine Maßnahme zu einer Basis-Anforderung ist überfällig."},
		// 150 of 200 covered is 75 %, short of 80 %: the 50 uncovered block too.
		{GateEvidence, GateFail, 203, 52, "Nachweisquote 75 % (Ziel 80 %): 150 von 200 umgesetzten Einträgen mit gültigem Nachweis; 2 abgelehnte Nachweise unbeantwortet."},
		{GateAudit, GateFail, 4, 1, "1 von 4 Abweichungen aus Audits blockieren."},
		{GateCertificate, GatePass, 3, 0, "Zertifikat BSI-IGZ-0001-2025 gültig bis 09.01.2028; die jährlichen Überwachungsaudits sind erfolgt."},
	}
	gs := ReadinessGates(f)
	if len(gs) != len(want) {
		t.Fatalf("%d gates", len(gs))
	}
	for i, w := range want {
		got := gs[i]
		if got.ID != w.id || got.Status != w.status || got.Checked != w.checked || got.Blocking != w.blocking || got.Summary != w.summary {
			t.Errorf("gate %d: got %s %s %d/%d %q\nwant %s %s %d/%d %q", i, got.ID, got.Status, got.Checked, got.Blocking, got.Summary,
				w.id, w.status, w.checked, w.blocking, w.summary)
		}
	}
}

func TestReadinessGatesPlusPlus(t *testing.T) {
	gs := ReadinessGates(GateFigures{Method: MethodPlusPlus, Catalog: "Anwenderkatalog Grundschutz++", Objects: 40, Unmodelled: 0,
		ParamsChecked: 195, ParamsOpen: 12, Entries: 1200, CheckOpen: 3})
	if g := gs[3]; g.Checked != 195 || g.Blocking != 12 ||
		g.Summary != "Anforderungspaket aus „Anwenderkatalog Grundschutz++“: 12 von 195 Anforderungen mit Parametern fehlen noch Werte." {
		t.Errorf("G4 %+v", g)
	}
	if g := gs[4]; g.Blocking != 3 || g.Summary != "Gemessen an „Anwenderkatalog Grundschutz++“. 3 von 1.200 Einträgen sind unbearbeitet oder nicht ausreichend umgesetzt." {
		t.Errorf("G5 %+v", g)
	}
}

func TestReadinessGatesOfAnEmptyScope(t *testing.T) {
	gs := ReadinessGates(GateFigures{ScopeModules: []string{"ISMS.1"}, CoverageTarget: 100, GuidelineBlockers: 1})
	for _, c := range []struct {
		i    int
		want string
	}{
		{0, "Es ist keine von der Leitung freigegebene Leitlinie in Kraft."},
		{1, "Es sind noch keine Zielobjekte erfasst."},
		{3, "Alle 0 Zielobjekte sind modelliert; die übergreifenden Bausteine (ISMS.1) sind zugeordnet."},
		{6, "Kein Eintrag ist teilweise oder nicht umgesetzt; es ist keine Maßnahme nötig."},
		{7, "Nachweisquote 100 % (Ziel 100 %): 0 von 0 umgesetzten Einträgen mit gültigem Nachweis; kein abgelehnter Nachweis unbeantwortet."},
		{8, "Keine offene schwerwiegende Abweichung; alle geringfügigen haben eine Korrekturmaßnahme und eine Frist."},
		{9, "Noch kein Zertifikat erfasst; der Prüfpunkt gilt erst nach der Zertifizierung."},
	} {
		if gs[c.i].Summary != c.want {
			t.Errorf("%s: %q, want %q", gs[c.i].ID, gs[c.i].Summary, c.want)
		}
	}
	if gs[0].Status != GateFail || gs[0].Checked != 1 || gs[9].Status != GateNotApplicable {
		t.Errorf("G1 %+v, G10 %+v", gs[0], gs[9])
	}
}

func TestGuidelineBlockers(t *testing.T) {
	today := day("2026-05-04")
	if bs := GuidelineBlockers(nil, Scope{ID: 7, Approach: ApproachStandard}, "", today); len(bs) != 1 || bs[0].Kind != "guideline" ||
		bs[0].Reason != "Es ist keine von der Leitung freigegebene Leitlinie in Kraft." {
		t.Errorf("no guideline: %+v", bs)
	}
	approved := day("2025-01-15")
	g := &Guideline{ID: 3, Number: 4, Title: "LL", Approach: ApproachBasic, ReviewMonths: 12, ApprovedOn: &approved,
		State: GuidelineApproved, Roles: []GuidelineRole{{Title: "ISB", Holder: " "}, {Title: "DSB", Holder: "B"}}}
	bs := GuidelineBlockers(g, Scope{ID: 7, Approach: ApproachStandard}, "", today)
	want := []Blocker{
		{Gate: GateGuideline, Kind: "guideline", ID: 3, Label: "Leitlinie, Fassung 4: LL",
			Reason: "Die Überprüfung war bis 15.01.2026 fällig. Die Vorgehensweise „Basis-Absicherung“ führt nicht zum Zertifikat; nötig ist Standard- oder Kern-Absicherung."},
		{Gate: GateGuideline, Kind: "guideline", ID: 3, Label: "Rolle: ISB", Reason: "Die Rolle, die die Leitlinie nennt, ist nicht besetzt."},
	}
	if len(bs) != len(want) {
		t.Fatalf("%+v", bs)
	}
	for i := range want {
		if bs[i] != want[i] {
			t.Errorf("%d: %+v, want %+v", i, bs[i], want[i])
		}
	}
	// A draft without approval: never approved, no review date.
	draft := &Guideline{ID: 5, Number: 1, Title: "E", Approach: ApproachCore, State: GuidelineDraft}
	bs = GuidelineBlockers(draft, Scope{ID: 7, Approach: ApproachStandard}, "", today)
	if len(bs) != 2 || bs[0].Reason != "Die Leitlinie ist nicht von der Leitung freigegeben. Die Überprüfung war bis – fällig." ||
		bs[1].Kind != "scope" || bs[1].ID != 7 || !strings.HasPrefix(bs[1].Reason, "Der Informationsverbund wird nach „Standard-Absicherung“ geprüft") {
		t.Errorf("draft: %+v", bs)
	}
}

// A Grundschutz++ scope is measured against its catalog: the guideline
// must name it, and its approach means nothing (a Basis approach and a
// scope approach that differs block nothing).
func TestGuidelineBlockersPlusPlus(t *testing.T) {
	today := day("2026-05-04")
	approved := day("2026-03-01")
	scope := Scope{ID: 7, CatalogID: 12, Approach: ApproachStandard, Method: MethodPlusPlus}
	g := &Guideline{ID: 3, Number: 1, Title: "LL", Approach: ApproachBasic, ReviewMonths: 12, ApprovedOn: &approved, State: GuidelineApproved}
	bs := GuidelineBlockers(g, scope, "Anwenderkatalog Grundschutz++", today)
	if len(bs) != 1 || bs[0].Kind != "guideline" ||
		bs[0].Reason != "Die Leitlinie nennt nicht den Katalog „Anwenderkatalog Grundschutz++“, an dem der Informationsverbund gemessen wird." {
		t.Errorf("no catalog named: %+v", bs)
	}
	other := int64(11)
	g.CatalogID = &other
	if bs := GuidelineBlockers(g, scope, "K", today); len(bs) != 1 {
		t.Errorf("another catalog named: %+v", bs)
	}
	g.CatalogID = &scope.CatalogID
	if bs := GuidelineBlockers(g, scope, "K", today); len(bs) != 0 {
		t.Errorf("the scope's catalog named: %+v", bs)
	}
}

func TestCertificateBlockers(t *testing.T) {
	crt := Certificate{ID: 9, Number: "Z-1", IssuedOn: day("2023-02-01"), ValidUntil: day("2026-01-31")}
	years := []SurveillanceYear{{K: 1, Starts: day("2023-02-01"), Ends: day("2024-02-01"), Held: true},
		{K: 2, Starts: day("2024-02-01"), Ends: day("2025-02-01")}}
	checked, bs := CertificateBlockers(crt, day("2026-05-04"), years)
	if checked != 3 || len(bs) != 2 {
		t.Fatalf("%d %+v", checked, bs)
	}
	if bs[0] != (Blocker{Gate: GateCertificate, Kind: "certificate", ID: 9, Label: "Zertifikat Z-1",
		Reason: "Das Zertifikat ist seit 01.02.2026 abgelaufen; eine Rezertifizierung ist nötig."}) {
		t.Errorf("expired: %+v", bs[0])
	}
	if bs[1] != (Blocker{Gate: GateCertificate, Kind: "audit", ID: 2, Label: "Überwachungsaudit im 2. Zertifikatsjahr (01.02.2024–31.01.2025)",
		Reason: "In diesem Zertifikatsjahr ist kein Überwachungsaudit abgeschlossen worden."}) {
		t.Errorf("year: %+v", bs[1])
	}
	if _, bs := CertificateBlockers(crt, day("2023-01-01"), nil); len(bs) != 1 || bs[0].Reason != "Das Zertifikat gilt erst ab 01.02.2023." {
		t.Errorf("not yet valid: %+v", bs)
	}
}

func TestBlockerReasons(t *testing.T) {
	due := day("2026-03-31")
	for _, c := range []struct{ got, want string }{
		{ObjectFacts{NoDepartment: true, NoResponsible: true}.StructureReason(), "Organisationseinheit und verantwortliche Person fehlen."},
		{ObjectFacts{NoDepartment: true}.StructureReason(), "Organisationseinheit fehlt."},
		{ObjectFacts{NoResponsible: true}.StructureReason(), "Verantwortliche Person fehlt."},
		{ObjectFacts{NeedUnknown: true, OnCycle: true}.NeedsReason(), "Schutzbedarf nicht für alle Grundwerte festgestellt. Liegt auf einem Abhängigkeitszyklus."},
		{ObjectFacts{Unjustified: true}.NeedsReason(), "Abweichung vom Maximumprinzip ohne Begründung."},
		{ObjectFacts{HighNeed: true, UntypicalEnvironment: true}.RiskReason(), "Risikoanalyse fehlt (erforderlich wegen hohem Schutzbedarf, untypischem Einsatzumfeld)."},
		{ObjectFacts{NoSuitableModule: true}.RiskReason(), "Risikoanalyse fehlt (erforderlich wegen fehlendem passendem Baustein)."},
		{ObjectFacts{HasAnalysis: true}.RiskReason(), "Die Risikoanalyse enthält noch keine Gefährdung."},
		{ObjectFacts{HasAnalysis: true, Threats: 12, Treated: 5}.RiskReason(), "7 von 12 Gefährdungen sind noch nicht bewertet und behandelt."},
		{ObjectFacts{HasAnalysis: true, Threats: 12, Treated: 12}.RiskReason(), "Die Restrisiken sind nicht (mehr) von der Institutionsleitung akzeptiert."},
		{ScopeModuleReason(false), "Übergreifender Baustein fehlt; der Katalog des Informationsverbunds enthält ihn nicht."},
		{ScopeModuleReason(true), "Übergreifender Baustein ist dem Informationsverbund nicht zugeordnet."},
		{EntryFacts{Status: StatusOpen, Level: LevelBasis}.CheckReason(), "Noch unbearbeitet."},
		{EntryFacts{Status: StatusNotApplicable}.CheckReason(), "Als entbehrlich markiert, aber ohne Begründung."},
		{EntryFacts{Status: StatusPartial, Level: LevelBasis}.CheckReason(), "Basis-Anforderung nur teilweise umgesetzt; das Risiko einer Basis-Anforderung kann nicht übernommen werden."},
		{EntryFacts{Status: StatusNo, Level: LevelStandard}.CheckReason(), "Standard-Anforderung nicht umgesetzt und nicht durch eine gültige Risikoakzeptanz der Leitung abgedeckt."},
		{EntryFacts{Status: StatusPartial, Level: LevelElevated}.CheckReason(), "Anforderung für erhöhten Schutzbedarf nur teilweise umgesetzt und nicht durch eine gültige Risikoakzeptanz der Leitung abgedeckt."},
		{EntryFacts{Status: StatusNo, Level: LevelStandard, Obligation: ObligationMust}.CheckReason(), "MUSS-Anforderung nicht umgesetzt und ohne gültige Ausnahme der Leitung; ihr Risiko kann nicht übernommen werden."},
		{EntryFacts{Status: StatusPartial, Level: LevelElevated, Obligation: ObligationMust, ExceptionUntil: ptrTo(day("2026-04-30"))}.CheckReason(), "MUSS-Anforderung nur teilweise umgesetzt; die Ausnahme der Leitung ist am 30.04.2026 abgelaufen."},
		{ParamsReason("zuständigen Personen oder Rollen; regelmäßig"), "Parameter ohne Wert der Institution: zuständigen Personen oder Rollen; regelmäßig."},
		{EntryFacts{Status: StatusNo}.PlanReason(), "Keine offene Maßnahme im Realisierungsplan."},
		{EntryFacts{OpenMeasure: true, NoOwner: true}.PlanReason(), "Die Maßnahme hat keine Verantwortlichen. Die Maßnahme hat keine Frist."},
		{EntryFacts{OpenMeasure: true, Level: LevelBasis, DueDate: &due, Overdue: true}.PlanReason(), "Maßnahme zur Basis-Anforderung seit 31.03.2026 überfällig."},
		{EntryFacts{OpenMeasure: true, Level: LevelStandard, DueDate: &due, Overdue: true, NoOwner: true}.PlanReason(), "Die Maßnahme hat keine Verantwortlichen."},
		{RejectedReason("pruefer"), "Abgelehnt von pruefer; seither weder eine neue Version noch eine Antwort im Verlauf."},
		{FindingReason(true, true, true), "Schwerwiegende Abweichung ist nicht geschlossen."},
		{FindingReason(false, true, true), "Geringfügige Abweichung ohne (angenommene oder ausstehende) Korrekturmaßnahme und ohne Frist."},
		{FindingReason(false, false, true), "Geringfügige Abweichung ohne Frist."},
	} {
		if c.got != c.want {
			t.Errorf("got  %q\nwant %q", c.got, c.want)
		}
	}
}
