package domain

import (
	"slices"
	"strings"
	"time"
)

// MaxLinkedRequirements bounds the requirements one threat links.
const MaxLinkedRequirements = 200

// RiskAnalysisInput is what a risk analysis is started with or changed to.
type RiskAnalysisInput struct {
	Summary string
}

// Input is the analysis's current data, to apply a change to.
func (a RiskAnalysis) Input() RiskAnalysisInput { return RiskAnalysisInput{Summary: a.Summary} }

// Validate checks the input and trims its text.
func (in *RiskAnalysisInput) Validate() []Violation {
	in.Summary = strings.TrimSpace(in.Summary)
	if TooLong(in.Summary, 8000) {
		return []Violation{{Pointer: "/summary", Detail: "the summary is too long", German: "Die Zusammenfassung ist zu lang (höchstens 8000 Zeichen)."}}
	}
	return nil
}

// RiskAnalysisChange is a change of an analysis; nil fields stay.
type RiskAnalysisChange struct {
	Summary *string
}

// Apply returns the analysis's data with the change.
func (ch RiskAnalysisChange) Apply(a RiskAnalysis) RiskAnalysisInput {
	in := a.Input()
	applyField(&in.Summary, ch.Summary)
	return in
}

// RiskItemInput is a threat added to an analysis: an elementary threat
// of the scope's catalog (ThreatID, whose title the catalog gives), or an
// own one (Title).
type RiskItemInput struct {
	ThreatID    string
	Title       string
	Description string
}

// Validate checks the input and trims its texts: it names a threat of
// the catalog or an own one, not both.
func (in *RiskItemInput) Validate() []Violation {
	in.ThreatID, in.Title, in.Description = strings.TrimSpace(in.ThreatID), strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	var vs []Violation
	switch {
	case in.ThreatID != "" && in.Title != "":
		vs = append(vs, Violation{Pointer: "/title", Detail: "give either a catalog threat or an own title",
			German: "Bitte wählen Sie entweder eine elementare Gefährdung oder geben Sie eine eigene ein, nicht beides."})
	case in.ThreatID == "" && in.Title == "":
		vs = append(vs, Violation{Pointer: "/title", Detail: "give a threat of the catalog or the title of an own threat",
			German: "Bitte wählen Sie eine elementare Gefährdung oder geben Sie den Titel einer eigenen Gefährdung ein."})
	case TooLong(in.Title, 300):
		vs = append(vs, Violation{Pointer: "/title", Detail: "a threat needs a title of 1 to 300 characters",
			German: "Die Gefährdung braucht einen Titel (höchstens 300 Zeichen)."})
	}
	if TooLong(in.Description, 8000) {
		vs = append(vs, Violation{Pointer: "/description", Detail: "the description is too long",
			German: "Die Beschreibung ist zu lang (höchstens 8000 Zeichen)."})
	}
	return vs
}

// Apply returns the item with the change. The requirements it links
// carry only their IDs (trimmed, each once): the store looks them up in
// the scope's catalog.
func (ch RiskItemChange) Apply(it RiskItem) RiskItem {
	applyField(&it.Title, ch.Title)
	applyField(&it.Description, ch.Description)
	applyField(&it.Frequency, ch.Frequency)
	applyField(&it.Impact, ch.Impact)
	applyField(&it.Treatment, ch.Treatment)
	applyField(&it.Measures, ch.Measures)
	applyField(&it.ResidualFrequency, ch.ResidualFrequency)
	applyField(&it.ResidualImpact, ch.ResidualImpact)
	if ch.Requirements != nil {
		it.Requirements = nil
		for _, typed := range *ch.Requirements {
			id := strings.TrimSpace(typed)
			if id != "" && !slices.ContainsFunc(it.Requirements, func(r LinkedRequirement) bool { return r.ID == id }) {
				it.Requirements = append(it.Requirements, LinkedRequirement{ID: id})
			}
		}
	}
	return it
}

// Validate checks the values of an item (complete or not) and trims its
// texts.
func (it *RiskItem) Validate() []Violation {
	it.Title, it.Description, it.Measures = strings.TrimSpace(it.Title), strings.TrimSpace(it.Description), strings.TrimSpace(it.Measures)
	var vs []Violation
	if it.Title == "" || TooLong(it.Title, 300) {
		vs = append(vs, Violation{Pointer: "/title", Detail: "a threat needs a title of 1 to 300 characters",
			German: "Die Gefährdung braucht einen Titel (höchstens 300 Zeichen)."})
	}
	if TooLong(it.Description, 8000) || TooLong(it.Measures, 8000) {
		vs = append(vs, Violation{Pointer: "/measures", Detail: "a text is too long", German: "Ein Text ist zu lang (höchstens 8000 Zeichen)."})
	}
	if it.Frequency != FrequencyUnassessed && !it.Frequency.Valid() || it.ResidualFrequency != FrequencyUnassessed && !it.ResidualFrequency.Valid() {
		vs = append(vs, Violation{Pointer: "/frequency", Detail: "frequency must be 1 to 4", German: "Unbekannte Eintrittshäufigkeit."})
	}
	if it.Impact != ImpactUnassessed && !it.Impact.Valid() || it.ResidualImpact != ImpactUnassessed && !it.ResidualImpact.Valid() {
		vs = append(vs, Violation{Pointer: "/impact", Detail: "impact must be 1 to 4", German: "Unbekannte Schadensauswirkung."})
	}
	if it.Treatment != TreatmentNone && !it.Treatment.Valid() {
		vs = append(vs, Violation{Pointer: "/treatment", Detail: "unknown treatment", German: "Unbekannte Risikobehandlung."})
	}
	if it.Frequency.Valid() && it.ResidualFrequency.Valid() && it.ResidualFrequency > it.Frequency ||
		it.Impact.Valid() && it.ResidualImpact.Valid() && it.ResidualImpact > it.Impact {
		vs = append(vs, Violation{Pointer: "/residual_frequency", Detail: "the residual risk cannot exceed the risk before treatment",
			German: "Das Restrisiko kann nicht höher sein als das Risiko vor der Behandlung."})
	}
	if len(it.Requirements) > MaxLinkedRequirements {
		vs = append(vs, Violation{Pointer: "/requirements", Detail: "at most 200 requirements", German: "Höchstens 200 Anforderungen."})
	}
	return vs
}

// MaxAcceptedEntries bounds the check entries one acceptance covers.
const MaxAcceptedEntries = 1000

// AcceptInput is what management signs when it accepts the residual
// risks of an analysis.
type AcceptInput struct {
	Signature Signature // the accepting account and the day
	Today     time.Time // the organisation's day, which the signature may not be after
	EntryIDs  []int64   // unfulfilled Standard (or H) requirements of the object covered as well
}

// Validate checks the signature and the number of entries; whether each
// entry may be covered depends on the check (the store's rule).
func (in AcceptInput) Validate() []Violation {
	vs := in.Signature.Validate(in.Today)
	if len(in.EntryIDs) > MaxAcceptedEntries {
		vs = append(vs, Violation{Pointer: "/entries", Detail: "at most 1000 entries", German: "Höchstens 1000 Einträge."})
	}
	return vs
}
