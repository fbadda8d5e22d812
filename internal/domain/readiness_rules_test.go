package domain

import (
	"strings"
	"testing"
	"time"
)

func TestEvidenceShortStaysInIntegers(t *testing.T) {
	for _, c := range []struct {
		yes, covered, target int
		short                bool
	}{
		{0, 0, 100, false}, // nothing to cover
		{3, 2, 67, true},   // 66.67 % < 67 %
		{3, 2, 66, false},  // 66.67 % ≥ 66 %
		{10000, 7999, 80, true},
		{10000, 8000, 80, false},
		{5, 0, 0, false},
	} {
		if got := EvidenceShort(c.yes, c.covered, c.target); got != c.short {
			t.Errorf("%d of %d against %d %%: short %v", c.covered, c.yes, c.target, got)
		}
	}
}

func TestVerdictAgreesWithTheGates(t *testing.T) {
	r := Readiness{Gates: []Gate{{ID: GateGuideline, Status: GatePass}, {ID: GateCertificate, Status: GateNotApplicable}}, Ready: true}
	if got := r.Verdict(); got != "Der Informationsverbund ist bereit für das Zertifizierungsaudit: Alle Prüfpunkte sind erfüllt." {
		t.Errorf("ready: %q", got)
	}
	r = Readiness{Limited: true, Gates: []Gate{{ID: GateGuideline, Status: GateFail, Blocking: 1}, {ID: GateCheck, Status: GatePass},
		{ID: GatePlan, Status: GateFail, Blocking: 1200}, {ID: GateEvidence, Status: GateFail, Blocking: 3}}}
	want := "Ihr Bereich des Informationsverbunds ist noch nicht bereit für das Zertifizierungsaudit: G1 Leitlinie, " +
		"G7 Realisierungsplan (A.6) und G8 Nachweise sind nicht erfüllt, 1.204 Punkte blockieren."
	if got := r.Verdict(); got != want {
		t.Errorf("verdict\n%q, want\n%q", got, want)
	}
}

func TestLevelTargets(t *testing.T) {
	day := func(s string) *time.Time { d, _ := time.Parse(time.DateOnly, s); return &d }
	g := &Guideline{BasisBy: day("2026-03-31"), StandardBy: day("2026-12-31"), ElevatedBy: day("2027-06-30")}
	ps := []Progress{{Key: "basis", Total: 10, Yes: 9, NotApplicable: 1}, {Key: "standard", Total: 5, Yes: 1}}
	ls := LevelTargets(ps, g, *day("2027-01-01"))
	if len(ls) != 3 || ls[0].Late || !ls[1].Late || ls[2].Late || ls[2].Total != 0 || ls[1].Label != "Standard" {
		t.Errorf("levels %+v", ls)
	}
	if ls := LevelTargets(ps, nil, *day("2027-01-01")); len(ls) != 2 || ls[0].Due != nil || ls[1].Late {
		t.Errorf("without guideline %+v", ls)
	}
}

func TestApproachCoversGuideline(t *testing.T) {
	const (
		b, s, k = ApproachBasic, ApproachStandard, ApproachCore
	)
	for _, c := range []struct {
		scope, guideline Approach
		covers           bool
		says             string
	}{
		{b, b, true, ""},
		{s, b, true, ""},
		{k, b, true, ""},
		{b, s, false, "„Basis-Absicherung“ geprüft, die Leitlinie verlangt „Standard-Absicherung“. Im IT-Grundschutz-Check fehlen die Standard-Anforderungen."},
		{s, s, true, ""},
		{k, s, false, "„Kern-Absicherung“ geprüft, die Leitlinie verlangt „Standard-Absicherung“. Kern- und Standard-Absicherung schneiden"},
		{b, k, false, "fehlen die Standard-Anforderungen und die Anforderungen bei erhöhtem Schutzbedarf."},
		{s, k, false, "„Standard-Absicherung“ geprüft, die Leitlinie verlangt „Kern-Absicherung“. Im IT-Grundschutz-Check fehlen die Anforderungen bei erhöhtem Schutzbedarf."},
		{k, k, true, ""},
	} {
		if got := c.scope.Covers(c.guideline); got != c.covers {
			t.Errorf("scope %s under guideline %s: covers %v, want %v", c.scope, c.guideline, got, c.covers)
		}
		got := ApproachShortfall(c.scope, c.guideline)
		if (got == "") != c.covers || !strings.Contains(got, c.says) {
			t.Errorf("scope %s under guideline %s: %q, want %q", c.scope, c.guideline, got, c.says)
		}
	}
}
