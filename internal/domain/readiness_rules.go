package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"ismsd/internal/german"
)

// DefaultEvidenceCoverage is the evidence target (percent) while no
// guideline is in force: without an agreed lower target every "yes"
// entry must be backed by evidence.
const DefaultEvidenceCoverage = 100

// EvidenceShort reports whether covered of yes entries fall short of the
// target percentage. The comparison stays in integers, so 79.99 % never
// rounds up to a target of 80 %. Gate G8 lists the entries without
// evidence exactly while this holds.
func EvidenceShort(yes, covered, target int) bool {
	return covered*100 < target*yes
}

// CoveragePercent is the share of covered entries, rounded down; 100 when
// there is nothing to cover.
func CoveragePercent(yes, covered int) int {
	if yes == 0 {
		return 100
	}
	return covered * 100 / yes
}

// Covers reports whether a scope checked with approach a is measured the
// way a guideline demanding approach g requires (gate G1). Basis
// requirements are part of every approach, so any scope covers a Basis
// guideline (which fails G1 by itself: it leads to no certificate).
// Standard-Absicherung protects the whole scope broadly (B and S),
// Kern-Absicherung its core assets in depth (B, S and H): they cut the
// scope differently, so neither stands in for the other, and a Basis
// scope stands in for neither.
func (a Approach) Covers(g Approach) bool {
	return g == ApproachBasic || a == g
}

// ApproachShortfall explains in German why a scope checked with approach
// a falls short of a guideline demanding g, or returns "" when it does not.
func ApproachShortfall(a, g Approach) string {
	if a.Covers(g) {
		return ""
	}
	reason := "Der Informationsverbund wird nach „" + a.Label() + "“ geprüft, die Leitlinie verlangt „" + g.Label() + "“."
	var missing []string
	for _, l := range LevelsInScope(g) {
		if !slices.Contains(LevelsInScope(a), l) {
			missing = append(missing, levelRequirements[l])
		}
	}
	if len(missing) == 0 {
		return reason + " Kern- und Standard-Absicherung schneiden den Informationsverbund verschieden zu; die eine ersetzt die andere nicht."
	}
	return reason + " Im IT-Grundschutz-Check fehlen " + strings.Join(missing, " und ") + "."
}

var levelRequirements = map[Level]string{
	LevelBasis:    "die Basis-Anforderungen",
	LevelStandard: "die Standard-Anforderungen",
	LevelElevated: "die Anforderungen bei erhöhtem Schutzbedarf",
}

// ScopeModules are the modules the scope object must carry (gate G4):
// ISMS.1 always, then those the guideline requires, each once.
func ScopeModules(required []string) []string {
	out := []string{"ISMS.1"}
	for _, m := range required {
		m = strings.TrimSpace(m)
		if m != "" && !containsString(out, m) {
			out = append(out, m)
		}
	}
	return out
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// Failing lists the gates that fail, in order.
func (r Readiness) Failing() []Gate {
	var out []Gate
	for _, g := range r.Gates {
		if g.Status == GateFail {
			out = append(out, g)
		}
	}
	return out
}

// Blockers is the number of blocking items over all gates.
func (r Readiness) Blockers() int {
	n := 0
	for _, g := range r.Gates {
		n += g.Blocking
	}
	return n
}

// Verdict is the readiness in one German sentence.
func (r Readiness) Verdict() string {
	where := "Der Informationsverbund"
	if r.Limited {
		where = "Ihr Bereich des Informationsverbunds"
	}
	failing := r.Failing()
	if len(failing) == 0 {
		return where + " ist bereit für das Zertifizierungsaudit: Alle Prüfpunkte sind erfüllt."
	}
	names := make([]string, len(failing))
	for i, g := range failing {
		names[i] = g.Label()
	}
	list := names[0]
	verb := "ist"
	if len(names) > 1 {
		list, verb = strings.Join(names[:len(names)-1], ", ")+" und "+names[len(names)-1], "sind"
	}
	items := "Punkte blockieren"
	if r.Blockers() == 1 {
		items = "Punkt blockiert"
	}
	return fmt.Sprintf("%s ist noch nicht bereit für das Zertifizierungsaudit: %s %s nicht erfüllt, %s %s.",
		where, list, verb, german.Count(r.Blockers()), items)
}

// Label is the gate's ID with its German name, e.g. "G5 IT-Grundschutz-Check (A.4)".
func (g Gate) Label() string { return string(g.ID) + " " + g.ID.Label() }

// LevelProgress is the check progress of one requirement level against
// the guideline's target date for it.
type LevelProgress struct {
	Progress
	Level Level
	Due   *time.Time // the guideline's target date; nil when it sets none
	Late  bool       // the date has passed and the level is not done
}

// LevelTargets puts the progress per level (Key = level) beside the
// target dates of the guideline (nil when none is in force), in the order
// Basis, Standard, elevated. Levels without entries and without a date
// are left out.
func LevelTargets(progress []Progress, g *Guideline, today time.Time) []LevelProgress {
	byLevel := map[Level]Progress{}
	for _, p := range progress {
		byLevel[Level(p.Key)] = p
	}
	var out []LevelProgress
	for _, l := range []Level{LevelBasis, LevelStandard, LevelElevated} {
		lp := LevelProgress{Progress: byLevel[l], Level: l}
		lp.Key, lp.Label = string(l), LevelName(l)
		if g != nil {
			switch l {
			case LevelBasis:
				lp.Due = g.BasisBy
			case LevelStandard:
				lp.Due = g.StandardBy
			case LevelElevated:
				lp.Due = g.ElevatedBy
			}
		}
		if lp.Total == 0 && lp.Due == nil {
			continue
		}
		lp.Late = lp.Due != nil && lp.Due.Before(today) && lp.Done() < lp.Total
		out = append(out, lp)
	}
	return out
}

// LevelName names a level as the Kompendium does.
func LevelName(l Level) string {
	switch l {
	case LevelBasis:
		return "Basis"
	case LevelStandard:
		return "Standard"
	case LevelElevated:
		return "erhöhter Schutzbedarf"
	}
	return string(l)
}
