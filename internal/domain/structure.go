package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ObjectType is the type of a target object (Zielobjekt).
type ObjectType string

const (
	ObjectScope       ObjectType = "scope" // the Informationsverbund itself, for scope-wide modules
	ObjectProcess     ObjectType = "process"
	ObjectApplication ObjectType = "application"
	ObjectITSystem    ObjectType = "it_system"
	ObjectICSSystem   ObjectType = "ics_system"
	ObjectDevice      ObjectType = "device"
	ObjectNetwork     ObjectType = "network"
	ObjectLink        ObjectType = "link"
	ObjectRoom        ObjectType = "room"
	ObjectBuilding    ObjectType = "building"
)

// ObjectTypes lists the types in the order of the IT-Strukturanalyse.
var ObjectTypes = []ObjectType{ObjectScope, ObjectProcess, ObjectApplication, ObjectITSystem, ObjectICSSystem,
	ObjectDevice, ObjectNetwork, ObjectLink, ObjectRoom, ObjectBuilding}

// Valid reports whether t is a known type.
func (t ObjectType) Valid() bool { return slices.Contains(ObjectTypes, t) }

// Label is the German name.
func (t ObjectType) Label() string { return labelOf(objectTypeLabels, t) }

var objectTypeLabels = map[ObjectType]string{
	ObjectScope:       "Informationsverbund",
	ObjectProcess:     "Geschäftsprozess",
	ObjectApplication: "Anwendung",
	ObjectITSystem:    "IT-System",
	ObjectICSSystem:   "ICS-System",
	ObjectDevice:      "Gerät",
	ObjectNetwork:     "Netz",
	ObjectLink:        "Kommunikationsverbindung",
	ObjectRoom:        "Raum",
	ObjectBuilding:    "Gebäude",
}

// Approach is the Vorgehensweise (Absicherung) of a scope.
type Approach string

const (
	ApproachBasic    Approach = "basic"    // Basis-Absicherung: B requirements
	ApproachStandard Approach = "standard" // Standard-Absicherung: B and S (H where the risk analysis selects them)
	ApproachCore     Approach = "core"     // Kern-Absicherung: B, S and H for the core assets
)

// Approaches lists the approaches.
var Approaches = []Approach{ApproachBasic, ApproachStandard, ApproachCore}

// Valid reports whether a is a known approach.
func (a Approach) Valid() bool {
	return a == ApproachBasic || a == ApproachStandard || a == ApproachCore
}

// Label is the German name.
func (a Approach) Label() string { return labelOf(approachLabels, a) }

var approachLabels = map[Approach]string{
	ApproachBasic:    "Basis-Absicherung",
	ApproachStandard: "Standard-Absicherung",
	ApproachCore:     "Kern-Absicherung",
}

// Need is a protection need (Schutzbedarf); 0 means not determined.
type Need int8

const (
	NeedUnknown  Need = 0
	NeedNormal   Need = 1
	NeedHigh     Need = 2
	NeedVeryHigh Need = 3
)

// Needs lists the determined needs from normal to very high.
var Needs = []Need{NeedNormal, NeedHigh, NeedVeryHigh}

// Code is the name in the API and in import files.
func (n Need) Code() string {
	switch n {
	case NeedNormal:
		return "normal"
	case NeedHigh:
		return "high"
	case NeedVeryHigh:
		return "very_high"
	}
	return ""
}

// Label is the German name.
func (n Need) Label() string {
	switch n {
	case NeedNormal:
		return "normal"
	case NeedHigh:
		return "hoch"
	case NeedVeryHigh:
		return "sehr hoch"
	}
	return "nicht festgelegt"
}

// ParseNeed reads a need as code ("high") or German label ("hoch");
// the empty string is NeedUnknown.
func ParseNeed(s string) (Need, bool) {
	switch s {
	case "":
		return NeedUnknown, true
	case "normal":
		return NeedNormal, true
	case "high", "hoch":
		return NeedHigh, true
	case "very_high", "sehr hoch", "sehr_hoch":
		return NeedVeryHigh, true
	}
	return NeedUnknown, false
}

// Objective is a security objective (Grundwert).
type Objective int

const (
	Confidentiality Objective = iota
	Integrity
	Availability
)

// Objectives lists C, I, A in order.
var Objectives = []Objective{Confidentiality, Integrity, Availability}

// Code is "c", "i" or "a".
func (o Objective) Code() string { return [...]string{"c", "i", "a"}[o] }

// Label is the German name.
func (o Objective) Label() string {
	return [...]string{"Vertraulichkeit", "Integrität", "Verfügbarkeit"}[o]
}

// OverrideKind says why a protection need departs from the maximum principle.
type OverrideKind string

const (
	OverrideNone         OverrideKind = ""
	OverrideCumulation   OverrideKind = "cumulation"   // Kumulationseffekt: raised
	OverrideDistribution OverrideKind = "distribution" // Verteilungseffekt: lowered
	OverrideManual       OverrideKind = "manual"       // set by hand, with a justification
)

// OverrideKinds lists the kinds of an override (besides none).
var OverrideKinds = []OverrideKind{OverrideCumulation, OverrideDistribution, OverrideManual}

// Valid reports whether k is a known kind (or none).
func (k OverrideKind) Valid() bool {
	return k == OverrideNone || k == OverrideCumulation || k == OverrideDistribution || k == OverrideManual
}

// Label is the German name.
func (k OverrideKind) Label() string {
	switch k {
	case OverrideCumulation:
		return "Kumulationseffekt"
	case OverrideDistribution:
		return "Verteilungseffekt"
	case OverrideManual:
		return "manuell festgelegt"
	}
	return ""
}

// NeedSource says where an effective protection need comes from.
type NeedSource string

const (
	SourceNone      NeedSource = ""          // not determined
	SourceOwn       NeedSource = "own"       // the object's own assessment
	SourceInherited NeedSource = "inherited" // maximum principle, from a dependent object
	SourceOverride  NeedSource = "override"  // cumulation, distribution or manual
	SourceCycle     NeedSource = "cycle"     // the maximum of a dependency cycle the object is on
)

// NeedSources lists where a determined need can come from.
var NeedSources = []NeedSource{SourceOwn, SourceInherited, SourceOverride, SourceCycle}

// Scope is an Informationsverbund.
type Scope struct {
	ID          int64     `db:"id"`
	Name        string    `db:"name"`
	Description string    `db:"description"`
	CatalogID   int64     `db:"catalog_id"`
	Approach    Approach  `db:"approach"`
	Method      Method    `db:"method"` // its catalog's
	ISBUserID   *int64    `db:"isb_user_id"`
	ObjectID    int64     `db:"object_id"` // the scope as a target object
	CreatedAt   time.Time `db:"created_at"`
	Version     int       `db:"version"`
}

// Object is a target object (Zielobjekt) of a scope: what it is made of
// (ObjectInput) and what the store knows about it.
type Object struct {
	ID      int64
	ScopeID int64
	ObjectInput
	DepartmentName       string
	Needs                [3]ObjectNeed
	Modules              int // number of assigned modules
	CreatedAt, UpdatedAt time.Time
	Version              int
}

// Gap reports whether the object lacks a module without being flagged
// as having no suitable one (a gap in the modelling, G4).
func (o Object) Gap() bool { return o.Modules == 0 && !o.NoSuitableModule }

// NeedsRiskAnalysis reports rule 4 of the method: high or very high need
// in any objective, no suitable module, or an untypical environment.
func (o Object) NeedsRiskAnalysis() bool {
	for _, n := range o.Needs {
		if n.Effective >= NeedHigh {
			return true
		}
	}
	return o.NoSuitableModule || o.UntypicalEnvironment
}

// ObjectNeed is the protection need of an object in one objective.
type ObjectNeed struct {
	Own            Need
	OwnReason      string
	OverrideKind   OverrideKind
	Override       Need
	OverrideReason string
	// The result of the maximum principle:
	Inherited         Need
	InheritedFrom     int64 // 0 if none, or if the reader may not see that object
	InheritedFromName string
	InheritedFromType ObjectType
	Effective         Need
	Source            NeedSource
	Cycle             int
}

// NeedInput is what a user sets for one objective.
type NeedInput struct {
	Own            Need
	OwnReason      string
	OverrideKind   OverrideKind
	Override       Need
	OverrideReason string
}

// Validate checks one objective's input and trims its justifications;
// pointer names the objective.
func (n *NeedInput) Validate(pointer string) []Violation {
	n.OwnReason, n.OverrideReason = strings.TrimSpace(n.OwnReason), strings.TrimSpace(n.OverrideReason)
	var vs []Violation
	if n.Own < NeedUnknown || n.Own > NeedVeryHigh || n.Override < NeedUnknown || n.Override > NeedVeryHigh {
		vs = append(vs, Violation{Pointer: pointer, Detail: "unknown protection need", German: "Unbekannter Schutzbedarf."})
	}
	if TooLong(n.OwnReason, MaxNeedReason) {
		vs = append(vs, Violation{Pointer: pointer + "/own_reason", Detail: fmt.Sprintf("at most %d characters", MaxNeedReason),
			German: fmt.Sprintf("Eine Begründung darf höchstens %d Zeichen haben.", MaxNeedReason)})
	}
	if !n.OverrideKind.Valid() {
		vs = append(vs, Violation{Pointer: pointer + "/override_kind", Detail: "unknown override kind", German: "Unbekannte Art der Abweichung."})
	}
	if (n.OverrideKind == OverrideNone) != (n.Override == NeedUnknown) {
		vs = append(vs, Violation{Pointer: pointer + "/override", Detail: "an override needs both a kind and a value",
			German: "Eine Abweichung braucht eine Art und einen Wert."})
	}
	switch {
	case n.OverrideKind != OverrideNone && utf8.RuneCountInString(n.OverrideReason) < 10:
		vs = append(vs, Violation{Pointer: pointer + "/override_reason", Detail: "an override needs a justification of at least 10 characters",
			German: "Eine Abweichung vom Maximumprinzip braucht eine Begründung (mindestens 10 Zeichen)."})
	case TooLong(n.OverrideReason, MaxNeedReason):
		vs = append(vs, Violation{Pointer: pointer + "/override_reason", Detail: fmt.Sprintf("at most %d characters", MaxNeedReason),
			German: fmt.Sprintf("Eine Begründung darf höchstens %d Zeichen haben.", MaxNeedReason)})
	}
	return vs
}

// MaxNeedReason is the longest justification of a protection need, in
// characters.
const MaxNeedReason = 4000

// ShortIDPrefix is how generated short IDs of a type begin (S-001 …).
func (t ObjectType) ShortIDPrefix() string {
	switch t {
	case ObjectScope:
		return "IV"
	case ObjectProcess:
		return "GP"
	case ObjectApplication:
		return "A"
	case ObjectITSystem:
		return "S"
	case ObjectICSSystem:
		return "ICS"
	case ObjectDevice:
		return "D"
	case ObjectNetwork:
		return "N"
	case ObjectLink:
		return "K"
	case ObjectRoom:
		return "R"
	case ObjectBuilding:
		return "G"
	}
	return "Z"
}

// HintTypes maps a target-object type as the Kompendium's modelling
// table names it to the object types it applies to.
func HintTypes(target string) []ObjectType {
	switch target {
	case "Informationsverbund/übergeordnete Aspekte", "Informationsverbund":
		return []ObjectType{ObjectScope}
	case "IT-System":
		return []ObjectType{ObjectITSystem, ObjectICSSystem, ObjectDevice}
	case "Anwendung":
		return []ObjectType{ObjectApplication}
	case "Gebäude/Raum":
		return []ObjectType{ObjectRoom, ObjectBuilding}
	case "Netz":
		return []ObjectType{ObjectNetwork, ObjectLink}
	}
	return nil
}
