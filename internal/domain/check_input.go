package domain

import (
	"fmt"
	"strings"
)

// Apply returns the entry with the change. An entry changed by hand no
// longer follows its group; one set back to following it (FollowGroup)
// takes its group's values, which the store reads (Follow).
func (ch EntryChange) Apply(e CheckEntry) CheckEntry {
	applyField(&e.Status, ch.Status)
	applyField(&e.Justification, ch.Justification)
	applyField(&e.Implementation, ch.Implementation)
	applyField(&e.Responsible, ch.Responsible)
	applyField(&e.ImplementedOn, ch.ImplementedOn)
	applyField(&e.TargetDate, ch.TargetDate)
	applyField(&e.LastReview, ch.LastReview)
	applyField(&e.NextReview, ch.NextReview)
	e.FollowsGroup = ch.FollowGroup
	return e
}

// Follow returns a member's entry with the values of its group's entry
// for the same requirement.
func (e CheckEntry) Follow(group CheckEntry) CheckEntry {
	e.FollowsGroup = true
	e.Status, e.Justification, e.Implementation, e.Responsible = group.Status, group.Justification, group.Implementation, group.Responsible
	e.ImplementedOn, e.TargetDate, e.LastReview, e.NextReview = group.ImplementedOn, group.TargetDate, group.LastReview, group.NextReview
	return e
}

// Validate checks what a user records on an entry and trims its texts:
// entbehrlich, teilweise and nein must be justified (rule 3).
func (e *CheckEntry) Validate() []Violation {
	e.Justification, e.Implementation, e.Responsible = strings.TrimSpace(e.Justification), strings.TrimSpace(e.Implementation), strings.TrimSpace(e.Responsible)
	var vs []Violation
	if !e.Status.Valid() {
		vs = append(vs, Violation{Pointer: "/status", Detail: "unknown status", German: "Unbekannter Umsetzungsstatus."})
	}
	if e.Status.NeedsJustification() && e.Justification == "" {
		vs = append(vs, Violation{Pointer: "/justification", Detail: fmt.Sprintf("status %s needs a justification", e.Status),
			German: fmt.Sprintf("Für den Status „%s“ ist eine Begründung erforderlich.", e.Status.Label())})
	}
	if TooLong(e.Justification, 4000) || TooLong(e.Implementation, 8000) || TooLong(e.Responsible, 200) {
		vs = append(vs, Violation{Pointer: "/implementation", Detail: "a text is too long", German: "Ein Text ist zu lang."})
	}
	if e.LastReview != nil && e.NextReview != nil && e.NextReview.Before(*e.LastReview) {
		vs = append(vs, Violation{Pointer: "/next_review", Detail: "the next review lies before the last",
			German: "Die nächste Prüfung liegt vor der letzten."})
	}
	return vs
}

// Apply returns the measure with the change.
func (ch PlanChange) Apply(p PlanItem) PlanItem {
	applyField(&p.Measure, ch.Measure)
	applyField(&p.Owner, ch.Owner)
	applyField(&p.DueDate, ch.DueDate)
	applyField(&p.BudgetCents, ch.BudgetCents)
	applyField(&p.Priority, ch.Priority)
	applyField(&p.State, ch.State)
	return p
}

// Validate checks what a user records on a measure and trims its texts.
func (p *PlanItem) Validate() []Violation {
	p.Measure, p.Owner = strings.TrimSpace(p.Measure), strings.TrimSpace(p.Owner)
	var vs []Violation
	if p.Priority < 1 || p.Priority > 3 {
		vs = append(vs, Violation{Pointer: "/priority", Detail: "priority is 1 (high) to 3 (low)", German: "Die Priorität ist hoch, mittel oder niedrig."})
	}
	if !p.State.Valid() {
		vs = append(vs, Violation{Pointer: "/state", Detail: "unknown state", German: "Unbekannter Stand."})
	}
	if p.BudgetCents != nil && (*p.BudgetCents < 0 || *p.BudgetCents >= 1e12) {
		vs = append(vs, Violation{Pointer: "/budget_eur", Detail: "budget must be 0 or more", German: "Das Budget darf nicht negativ sein."})
	}
	if TooLong(p.Measure, 4000) || TooLong(p.Owner, 200) {
		vs = append(vs, Violation{Pointer: "/measure", Detail: "a text is too long", German: "Ein Text ist zu lang."})
	}
	return vs
}
