package domain

import (
	"strings"
	"time"
)

// Method is the way a catalog is applied to a scope. The Kompendium (and
// the demo excerpt, and plain OSCAL catalogs) follow BSI-Standard 200-2:
// modules modelled on target objects, levels B/S/H chosen by the scope's
// approach. A Grundschutz++ catalog follows its own method catalog (the
// "Methodik"): a requirement package for the whole scope, MUSS/SOLLTE/KANN
// statements, parameters and exceptions. The method is read from the file:
// a catalog whose statements carry a modal verb is Grundschutz++.
type Method string

const (
	MethodGrundschutz Method = "grundschutz"
	MethodPlusPlus    Method = "grundschutz_pp"
)

// Methods lists the methods.
var Methods = []Method{MethodGrundschutz, MethodPlusPlus}

// Label is the German name of the method.
func (m Method) Label() string {
	if m == MethodPlusPlus {
		return "Grundschutz++"
	}
	return "IT-Grundschutz (BSI-Standard 200-2)"
}

// Obligation is the modal verb of a Grundschutz++ statement. MUSS plays
// the part of a Basis requirement (an unmet one needs an exception, never
// a risk acceptance), SOLLTE that of a Standard requirement (an unmet one
// needs a justification, an exception or a risk acceptance), KANN is an
// option that never blocks once answered.
type Obligation string

const (
	ObligationMust   Obligation = "muss"
	ObligationShould Obligation = "sollte"
	ObligationMay    Obligation = "kann"
)

// Obligations lists the obligations from the strongest.
var Obligations = []Obligation{ObligationMust, ObligationShould, ObligationMay}

// Label is the modal verb as the BSI writes it.
func (o Obligation) Label() string { return strings.ToUpper(string(o)) }

// EffortLevels are the effort levels of Grundschutz++ requirements
// (effort_level), from none to the largest.
var EffortLevels = []int{0, 1, 2, 3, 4, 5}

// ParseModalVerb reads a statement's modal_verb prop ("MUSS", "SOLLTE",
// "KANN", in any case).
func ParseModalVerb(s string) (Obligation, bool) {
	o := Obligation(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Obligations {
		if o == known {
			return o, true
		}
	}
	return "", false
}

// RequirementParam is a parameter that a requirement's statement inserts
// ({{ insert: param, … }}): its value is set per scope (Methodik STM.5.1);
// the label is the BSI's prompt, Preset a value the catalog itself gives.
type RequirementParam struct {
	ID     string `json:"id"`
	Label  string `json:"label"`
	Preset string `json:"preset,omitempty"`
}

// ParamValueMax is the longest parameter value, in characters.
const ParamValueMax = 2000

// ParamValueInput is a parameter value as an ISB enters it.
type ParamValueInput struct {
	ParamID string `json:"param_id"`
	Value   string `json:"value"`
}

// Validate trims the value and refuses an empty or overlong one.
func (in *ParamValueInput) Validate(pointer string) []Violation {
	return requiredText(pointer+"/value", &in.Value, ParamValueMax,
		"Bitte einen Wert für den Parameter eintragen.", "Ein Parameterwert darf höchstens 2.000 Zeichen lang sein.")
}

// WithParams is the text with every parameter that has a value in values
// shown as that value, marked as the institution's; parameters without a
// value keep the BSI's label and are marked as unset.
func (t Text) WithParams(values map[string]string) Text {
	if len(t) == 0 {
		return t
	}
	out := make(Text, len(t))
	for i, b := range t {
		nb := Block{Kind: b.Kind}
		if b.Runs != nil {
			nb.Runs = make([]Run, len(b.Runs))
			for j, r := range b.Runs {
				if r.Param != "" {
					if v, ok := values[r.Param]; ok {
						r.Text, r.Value = v, true
					}
				}
				nb.Runs[j] = r
			}
		}
		for _, it := range b.Items {
			nb.Items = append(nb.Items, it.WithParams(values))
		}
		out[i] = nb
	}
	return out
}

// LevelRaiseInput raises an "erhöht" requirement into a Grundschutz++
// scope's package although no protection need asks for it (Methodik
// STM.3.1), for a stated reason.
type LevelRaiseInput struct {
	RequirementID string `json:"requirement_id"`
	Reason        string `json:"reason"`
}

// LevelRaiseReasonMax is the longest reason, in characters.
const LevelRaiseReasonMax = 2000

// Validate trims the input and refuses a missing requirement or reason.
func (in *LevelRaiseInput) Validate() []Violation {
	in.RequirementID = strings.TrimSpace(in.RequirementID)
	var v []Violation
	if in.RequirementID == "" {
		v = append(v, Violation{Pointer: "/requirement_id", Detail: "must not be empty", German: "Bitte die Anforderung angeben."})
	}
	return append(v, requiredText("/reason", &in.Reason, LevelRaiseReasonMax,
		"Bitte begründen, warum das Sicherheitsniveau angehoben wird.", "Die Begründung darf höchstens 2.000 Zeichen lang sein.")...)
}

// LevelRaise is a raised requirement of a scope.
type LevelRaise struct {
	RequirementID string    `db:"requirement_id"`
	Title         string    `db:"title"`
	Reason        string    `db:"reason"`
	RaisedBy      string    `db:"raised_by"`
	RaisedAt      time.Time `db:"raised_at"`
}

// PackageFigure counts a Grundschutz++ package's active entries of one
// obligation and level, and how many of them are done (fulfilled or
// justified as not applicable).
type PackageFigure struct {
	Obligation Obligation `db:"obligation"`
	Level      Level      `db:"level"`
	Entries    int        `db:"entries"`
	Done       int        `db:"done"`
}

// PlusPlusLevelLabel is a level as Grundschutz++ names its security
// levels: normal-SdT (Stand der Technik) and erhöht.
func PlusPlusLevelLabel(l Level) string {
	if l == LevelElevated {
		return "erhöht"
	}
	return "normal-SdT"
}
