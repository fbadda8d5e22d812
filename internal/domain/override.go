package domain

// The kinds of override promise a direction (docs/method.md): a cumulation
// (Kumulationseffekt) raises, a distribution (Verteilungseffekt) lowers the
// need the maximum principle gives the object, that is the need it would
// have without the override. A manual override may go either way.

// CheckDirection refuses a cumulation that does not raise, and a
// distribution that does not lower, principle: what the maximum principle
// gives the object without its override (NeedUnknown when nothing, which a
// distribution cannot lower). pointer names the objective.
func (n NeedInput) CheckDirection(pointer string, principle Need) []Violation {
	v := Violation{Pointer: pointer + "/override"}
	switch {
	case n.OverrideKind == OverrideCumulation && n.Override <= principle:
		v.Detail = "a cumulation override may only raise the need: by the maximum principle it is " + needName(principle)
		v.German = "Ein Kumulationseffekt darf den Schutzbedarf nur erhöhen; nach dem Maximumprinzip ist er „" + principle.Label() +
			"“. Wählen Sie einen höheren Wert oder eine andere Art der Abweichung."
	case n.OverrideKind == OverrideDistribution && n.Override >= principle:
		v.Detail = "a distribution override may only lower the need: by the maximum principle it is " + needName(principle)
		v.German = "Ein Verteilungseffekt darf den Schutzbedarf nur senken; nach dem Maximumprinzip ist er „" + principle.Label() +
			"“. Wählen Sie einen niedrigeren Wert oder eine andere Art der Abweichung."
	default:
		return nil
	}
	return []Violation{v}
}

// OverrideNote says why a stored override does not do what its kind says,
// in English (API) and German (pages), or returns two empty strings when it
// does. On a dependency cycle every member takes the highest need among
// them, so an override cannot take a member below that (which is why a
// distribution on a cycle member usually has no effect). Elsewhere, changes
// made after the override was set (an own assessment, new dependents) may
// leave a cumulation that no longer raises or a distribution that no
// longer lowers the need by the maximum principle.
func (n ObjectNeed) OverrideNote() (english, german string) {
	if n.OverrideKind == OverrideNone {
		return "", ""
	}
	if n.Cycle > 0 {
		if n.Effective == n.Override {
			return "", ""
		}
		return "the object is on a dependency cycle, whose members all take the highest need among them (" + needName(n.Effective) +
				"): the override does not take it down to " + needName(n.Override),
			"Das Zielobjekt liegt auf einem Abhängigkeitszyklus, dessen Zielobjekte alle den höchsten Schutzbedarf unter ihnen erhalten („" +
				n.Effective.Label() + "“). Die Abweichung (" + n.OverrideKind.Label() + ") senkt es daher nicht auf „" + n.Override.Label() + "“."
	}
	principle := max(n.Own, n.Inherited)
	switch {
	case n.OverrideKind == OverrideCumulation && n.Override <= principle:
		return "the cumulation override no longer raises the need: by the maximum principle it is now " + needName(principle),
			"Der Kumulationseffekt erhöht den Schutzbedarf nicht mehr: Nach dem Maximumprinzip ist er inzwischen „" + principle.Label() + "“."
	case n.OverrideKind == OverrideDistribution && n.Override >= principle:
		return "the distribution override no longer lowers the need: by the maximum principle it is now " + needName(principle),
			"Der Verteilungseffekt senkt den Schutzbedarf nicht mehr: Nach dem Maximumprinzip ist er inzwischen „" + principle.Label() + "“."
	}
	return "", ""
}

// needName is a need's code in English text.
func needName(n Need) string {
	if n == NeedUnknown {
		return "not determined"
	}
	return n.Code()
}
