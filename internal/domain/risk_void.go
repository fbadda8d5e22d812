package domain

import "strings"

// Why a risk acceptance lost its validity, in German, as it is stored with
// the acceptance (RiskAcceptance.VoidedReason) and shown: any change to
// what management accepted voids the acceptance visibly.
const (
	VoidEntryRetired   = "Ein abgedeckter Eintrag ist aus dem Prüfumfang entfallen."
	VoidEntryChanged   = "Ein abgedeckter Eintrag des IT-Grundschutz-Checks wurde geändert."
	VoidMatrixChanged  = "Die Risikomatrix des Informationsverbunds wurde geändert."
	VoidSummaryChanged = "Die Zusammenfassung der Risikoanalyse wurde geändert."
	VoidReplaced       = "Durch eine neue Risikoakzeptanz ersetzt."
)

// VoidThreatAdded: a threat was added to the analysis.
func VoidThreatAdded(name string) string { return "Eine Gefährdung wurde hinzugefügt: " + name + "." }

// VoidThreatRemoved: a threat was removed from the analysis.
func VoidThreatRemoved(name string) string {
	return "Eine Gefährdung wurde aus der Risikoanalyse entfernt: " + name + "."
}

// VoidThreatsChanged: the named threats were changed.
func VoidThreatsChanged(names []string) string {
	if len(names) > 1 {
		return "Gefährdungen der Risikoanalyse wurden geändert: " + strings.Join(names, ", ") + "."
	}
	return "Eine Gefährdung der Risikoanalyse wurde geändert: " + strings.Join(names, ", ") + "."
}
