package domain

import (
	"strings"
	"time"
)

// The risk analysis of BSI-Standard 200-3 (reference document A.5): per
// target object the relevant elementary threats, each assessed by how
// often it occurs and how much damage it does, classified by the scope's
// risk matrix, treated, and the residual risk accepted by management.

// Frequency is the Eintrittshäufigkeit of a threat; 0 means not assessed.
type Frequency int8

const (
	FrequencyRare       Frequency = 1 // selten: höchstens alle fünf Jahre
	FrequencyMedium     Frequency = 2 // mittel: einmal alle fünf Jahre bis einmal im Jahr
	FrequencyOften      Frequency = 3 // häufig: einmal im Jahr bis einmal pro Monat
	FrequencyVeryOften  Frequency = 4 // sehr häufig: mehrmals im Monat
	FrequencyUnassessed Frequency = 0
)

// Frequencies lists the frequencies from rare to very often.
var Frequencies = []Frequency{FrequencyRare, FrequencyMedium, FrequencyOften, FrequencyVeryOften}

// Valid reports whether f is one of the four steps.
func (f Frequency) Valid() bool { return f >= FrequencyRare && f <= FrequencyVeryOften }

// Label is the German name.
func (f Frequency) Label() string {
	switch f {
	case FrequencyRare:
		return "selten"
	case FrequencyMedium:
		return "mittel"
	case FrequencyOften:
		return "häufig"
	case FrequencyVeryOften:
		return "sehr häufig"
	}
	return "nicht bewertet"
}

// Impact is the Schadensauswirkung of a threat; 0 means not assessed.
type Impact int8

const (
	ImpactNegligible  Impact = 1 // vernachlässigbar
	ImpactLimited     Impact = 2 // begrenzt
	ImpactSubstantial Impact = 3 // beträchtlich
	ImpactExistential Impact = 4 // existenzbedrohend
	ImpactUnassessed  Impact = 0
)

// Impacts lists the impacts from negligible to existential.
var Impacts = []Impact{ImpactNegligible, ImpactLimited, ImpactSubstantial, ImpactExistential}

// Valid reports whether i is one of the four steps.
func (i Impact) Valid() bool { return i >= ImpactNegligible && i <= ImpactExistential }

// Label is the German name.
func (i Impact) Label() string {
	switch i {
	case ImpactNegligible:
		return "vernachlässigbar"
	case ImpactLimited:
		return "begrenzt"
	case ImpactSubstantial:
		return "beträchtlich"
	case ImpactExistential:
		return "existenzbedrohend"
	}
	return "nicht bewertet"
}

// RiskCategory is the Risikokategorie; 0 means it cannot be determined
// yet (frequency or impact not assessed).
type RiskCategory int8

const (
	RiskLow      RiskCategory = 1 // gering: the safeguards in place or planned protect enough
	RiskMedium   RiskCategory = 2 // mittel: they may not suffice
	RiskHigh     RiskCategory = 3 // hoch: they do not protect enough
	RiskVeryHigh RiskCategory = 4 // sehr hoch: they do not protect enough; hardly acceptable
	RiskUnknown  RiskCategory = 0
)

// RiskCategories lists the categories from low to very high.
var RiskCategories = []RiskCategory{RiskLow, RiskMedium, RiskHigh, RiskVeryHigh}

// Valid reports whether c is one of the four categories.
func (c RiskCategory) Valid() bool { return c >= RiskLow && c <= RiskVeryHigh }

// Label is the German name.
func (c RiskCategory) Label() string {
	switch c {
	case RiskLow:
		return "gering"
	case RiskMedium:
		return "mittel"
	case RiskHigh:
		return "hoch"
	case RiskVeryHigh:
		return "sehr hoch"
	}
	return "nicht bestimmt"
}

// RiskMatrix maps impact × frequency to a category: RiskMatrix[i-1][f-1]
// is the category of impact i and frequency f (rows are impacts from
// vernachlässigbar up, columns frequencies from selten up).
type RiskMatrix [4][4]RiskCategory

// DefaultRiskMatrix is the example matrix of BSI-Standard 200-3
// (section 5.1, "Matrix zur Einstufung von Risiken"), used by every scope
// that has not set its own:
//
//	                   selten   mittel   häufig     sehr häufig
//	existenzbedrohend  mittel   hoch     sehr hoch  sehr hoch
//	beträchtlich       mittel   mittel   hoch       sehr hoch
//	begrenzt           gering   gering   mittel     hoch
//	vernachlässigbar   gering   gering   gering     gering
var DefaultRiskMatrix = RiskMatrix{
	//                selten       mittel       häufig        sehr häufig
	/* vernachl. */ {RiskLow, RiskLow, RiskLow, RiskLow},
	/* begrenzt  */ {RiskLow, RiskLow, RiskMedium, RiskHigh},
	/* beträchtl.*/ {RiskMedium, RiskMedium, RiskHigh, RiskVeryHigh},
	/* existenzb.*/ {RiskMedium, RiskHigh, RiskVeryHigh, RiskVeryHigh},
}

// Category classifies a threat of frequency f and impact i by the matrix;
// RiskUnknown while either is not assessed.
func Category(m RiskMatrix, f Frequency, i Impact) RiskCategory {
	if !f.Valid() || !i.Valid() {
		return RiskUnknown
	}
	return m[i-1][f-1]
}

// Validate checks that every cell holds a category and that the category
// never falls when the frequency or the impact rises.
func (m RiskMatrix) Validate() []Violation {
	var vs []Violation
	for i := range 4 {
		for f := range 4 {
			if !m[i][f].Valid() {
				return []Violation{{Pointer: "/cells", Detail: "every cell needs a category from 1 to 4",
					German: "Jedes Feld der Risikomatrix braucht eine Risikokategorie."}}
			}
		}
	}
	for i := range 4 {
		for f := range 4 {
			if f > 0 && m[i][f] < m[i][f-1] || i > 0 && m[i][f] < m[i-1][f] {
				vs = append(vs, Violation{Pointer: "/cells", Detail: "a category must not fall when the frequency or the impact rises",
					German: "Die Risikokategorie darf nicht sinken, wenn Häufigkeit oder Auswirkung steigen (" +
						Impact(i+1).Label() + ", " + Frequency(f+1).Label() + ")."})
				return vs
			}
		}
	}
	return vs
}

// Cells is the matrix as integers, rows by impact, for JSON.
func (m RiskMatrix) Cells() [][]int {
	out := make([][]int, 4)
	for i := range 4 {
		out[i] = make([]int, 4)
		for f := range 4 {
			out[i][f] = int(m[i][f])
		}
	}
	return out
}

// Treatment is how a risk is handled (Risikobehandlung).
type Treatment string

const (
	TreatmentNone     Treatment = ""
	TreatmentReduce   Treatment = "reduce"   // Risikoreduktion: further safeguards, e.g. H requirements
	TreatmentAvoid    Treatment = "avoid"    // Risikovermeidung: change the environment so the threat no longer applies
	TreatmentTransfer Treatment = "transfer" // Risikotransfer: insurance, contract with a service provider
	TreatmentAccept   Treatment = "accept"   // Risikoakzeptanz: carry the risk knowingly
)

// Treatments lists the treatments.
var Treatments = []Treatment{TreatmentReduce, TreatmentAvoid, TreatmentTransfer, TreatmentAccept}

// Valid reports whether t is a known treatment (not none).
func (t Treatment) Valid() bool {
	return t == TreatmentReduce || t == TreatmentAvoid || t == TreatmentTransfer || t == TreatmentAccept
}

// Label is the German name.
func (t Treatment) Label() string {
	switch t {
	case TreatmentReduce:
		return "Risikoreduktion"
	case TreatmentAvoid:
		return "Risikovermeidung"
	case TreatmentTransfer:
		return "Risikotransfer"
	case TreatmentAccept:
		return "Risikoakzeptanz"
	}
	return "nicht festgelegt"
}

// LinkedRequirement is a requirement chosen to reduce a risk.
type LinkedRequirement struct {
	ID       string
	Title    string
	ModuleID string
	Level    Level
}

// RiskItem is one threat of a risk analysis: an elementary threat of the
// catalog or an own one, assessed and treated.
type RiskItem struct {
	ID                int64
	AnalysisID        int64
	ThreatID          string // "" for an own threat
	Title             string
	Description       string
	Frequency         Frequency
	Impact            Impact
	Treatment         Treatment
	Measures          string // own measures beyond the catalog, or how the risk is avoided or transferred
	Requirements      []LinkedRequirement
	ResidualFrequency Frequency
	ResidualImpact    Impact
	UpdatedAt         time.Time
	Version           int
}

// Own reports whether the threat is the user's own, not the catalog's.
func (it RiskItem) Own() bool { return it.ThreatID == "" }

// Name is the threat's ID and title.
func (it RiskItem) Name() string {
	if it.ThreatID == "" {
		return it.Title
	}
	return it.ThreatID + " " + it.Title
}

// Missing lists in German what the item still lacks to count as assessed
// and treated; empty when it is complete.
func (it RiskItem) Missing() []string {
	var out []string
	if !it.Frequency.Valid() {
		out = append(out, "Eintrittshäufigkeit")
	}
	if !it.Impact.Valid() {
		out = append(out, "Schadensauswirkung")
	}
	switch {
	case !it.Treatment.Valid():
		out = append(out, "Risikobehandlung")
	case it.Treatment == TreatmentReduce && len(it.Requirements) == 0 && strings.TrimSpace(it.Measures) == "":
		out = append(out, "Anforderungen oder Maßnahmen zur Risikoreduktion")
	case (it.Treatment == TreatmentAvoid || it.Treatment == TreatmentTransfer) && strings.TrimSpace(it.Measures) == "":
		out = append(out, "Beschreibung der "+it.Treatment.Label())
	}
	if !it.ResidualFrequency.Valid() || !it.ResidualImpact.Valid() {
		out = append(out, "Restrisiko")
	}
	return out
}

// Complete reports whether the item is assessed and treated.
func (it RiskItem) Complete() bool { return len(it.Missing()) == 0 }

// RiskItemChange is what a user sets on a risk item; nil fields stay. A
// zero frequency, impact or treatment clears the value.
type RiskItemChange struct {
	Title             *string
	Description       *string
	Frequency         *Frequency
	Impact            *Impact
	Treatment         *Treatment
	Measures          *string
	Requirements      *[]string // the IDs of the linked requirements, replacing the current ones
	ResidualFrequency *Frequency
	ResidualImpact    *Impact
}

// RiskState is how far the risk analysis of an object has come.
type RiskState string

const (
	RiskStateNone       RiskState = "none"        // no analysis yet
	RiskStateInProgress RiskState = "in_progress" // some threat is not yet assessed and treated
	RiskStateComplete   RiskState = "complete"    // every threat assessed and treated, not accepted
	RiskStateAccepted   RiskState = "accepted"    // residual risks accepted by management
	RiskStateVoid       RiskState = "void"        // the last acceptance was voided by a later change
)

// RiskStates lists the states of an object's risk analysis, none first.
var RiskStates = []RiskState{RiskStateNone, RiskStateInProgress, RiskStateComplete, RiskStateAccepted, RiskStateVoid}

// Label is the German name.
func (s RiskState) Label() string { return labelOf(riskStateLabels, s) }

var riskStateLabels = map[RiskState]string{
	RiskStateNone:       "keine Risikoanalyse",
	RiskStateInProgress: "in Bearbeitung",
	RiskStateComplete:   "vollständig, nicht akzeptiert",
	RiskStateAccepted:   "akzeptiert",
	RiskStateVoid:       "Akzeptanz ungültig",
}

// RiskReason says why an object needs a risk analysis (rule 4).
type RiskReason string

const (
	ReasonHighNeed             RiskReason = "high_need"
	ReasonNoSuitableModule     RiskReason = "no_suitable_module"
	ReasonUntypicalEnvironment RiskReason = "untypical_environment"
)

// AllRiskReasons lists why an object may need a risk analysis.
var AllRiskReasons = []RiskReason{ReasonHighNeed, ReasonNoSuitableModule, ReasonUntypicalEnvironment}

// Label is the German name.
func (r RiskReason) Label() string { return labelOf(riskReasonLabels, r) }

var riskReasonLabels = map[RiskReason]string{
	ReasonHighNeed:             "hoher Schutzbedarf",
	ReasonNoSuitableModule:     "kein passender Baustein",
	ReasonUntypicalEnvironment: "untypisches Einsatzumfeld",
}

// RiskReasons lists why o needs a risk analysis; empty when it needs none.
func RiskReasons(o Object) []RiskReason {
	var out []RiskReason
	for _, n := range o.Needs {
		if n.Effective >= NeedHigh {
			out = append(out, ReasonHighNeed)
			break
		}
	}
	if o.NoSuitableModule {
		out = append(out, ReasonNoSuitableModule)
	}
	if o.UntypicalEnvironment {
		out = append(out, ReasonUntypicalEnvironment)
	}
	return out
}

// RiskAnalysis is the risk analysis of one target object.
type RiskAnalysis struct {
	ID            int64
	ScopeID       int64
	ObjectID      int64
	ObjectShortID string
	ObjectName    string
	ObjectType    ObjectType
	Summary       string
	Items         []RiskItem
	Matrix        RiskMatrix
	Acceptance    *RiskAcceptance // the valid one, or the last voided one; nil if never accepted
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int
}

// Complete reports whether the analysis has threats and every one is
// assessed and treated.
func (a RiskAnalysis) Complete() bool {
	if len(a.Items) == 0 {
		return false
	}
	for _, it := range a.Items {
		if !it.Complete() {
			return false
		}
	}
	return true
}

// State says how far the analysis has come.
func (a RiskAnalysis) State() RiskState {
	switch {
	case a.Acceptance != nil && a.Acceptance.Valid():
		return RiskStateAccepted
	case a.Acceptance != nil:
		return RiskStateVoid
	case a.Complete():
		return RiskStateComplete
	}
	return RiskStateInProgress
}

// RiskAcceptance is management's signed acceptance of an analysis's
// residual risks and of the unfulfilled requirements it names.
type RiskAcceptance struct {
	ID           int64
	AnalysisID   int64
	AcceptedBy   string
	AcceptedOn   time.Time
	UserID       *int64
	Snapshot     []byte // the JSON of exactly what was accepted
	SnapshotHash string // its SHA-256, hex
	Intact       bool   // the stored snapshot still has its hash
	Entries      []AcceptedEntry
	CreatedAt    time.Time
	VoidedAt     *time.Time
	VoidedReason string
}

// Valid reports whether the acceptance still holds.
func (a RiskAcceptance) Valid() bool { return a.VoidedAt == nil }

// AcceptedEntry is a check entry an acceptance covers.
type AcceptedEntry struct {
	EntryID       int64
	ObjectShortID string
	RequirementID string
	Title         string
	Level         Level
	Status        Status // the current status (the snapshot keeps the one accepted)
}
