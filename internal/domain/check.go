package domain

import (
	"slices"
	"time"
)

// Status is the Umsetzungsstatus of a check entry.
type Status string

const (
	StatusOpen          Status = "open"           // unbearbeitet
	StatusYes           Status = "yes"            // ja
	StatusPartial       Status = "partial"        // teilweise
	StatusNo            Status = "no"             // nein
	StatusNotApplicable Status = "not_applicable" // entbehrlich
)

// Statuses lists the statuses in the order of the check.
var Statuses = []Status{StatusOpen, StatusYes, StatusPartial, StatusNo, StatusNotApplicable}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Label is the German name.
func (s Status) Label() string { return labelOf(statusLabels, s) }

var statusLabels = map[Status]string{
	StatusOpen:          "unbearbeitet",
	StatusYes:           "ja",
	StatusPartial:       "teilweise",
	StatusNo:            "nein",
	StatusNotApplicable: "entbehrlich",
}

// NeedsJustification reports rule 3: entbehrlich, teilweise and nein must
// be justified.
func (s Status) NeedsJustification() bool {
	return s == StatusNotApplicable || s == StatusPartial || s == StatusNo
}

// Unfulfilled reports whether the requirement is not (fully) implemented,
// so that the implementation plan needs a measure.
func (s Status) Unfulfilled() bool { return s == StatusPartial || s == StatusNo }

// LevelsInScope says which requirement levels an approach brings into the
// check of an object (rule 2). Elevated requirements under the standard
// approach come in one by one, where the risk analysis selects them.
func LevelsInScope(a Approach) []Level {
	switch a {
	case ApproachBasic:
		return []Level{LevelBasis}
	case ApproachCore:
		return []Level{LevelBasis, LevelStandard, LevelElevated}
	}
	return []Level{LevelBasis, LevelStandard}
}

// CheckEntry is one line of the IT-Grundschutz-Check: a requirement for
// a target object.
type CheckEntry struct {
	ID             int64
	ScopeID        int64
	ObjectID       int64
	ObjectShortID  string
	ObjectName     string
	ObjectType     ObjectType
	DepartmentID   *int64
	DepartmentName string
	CatalogID      int64
	RequirementID  string
	Title          string // the requirement's
	ModuleID       string
	Level          Level
	Effort         *int // Grundschutz++: the requirement's effort level, 0 to 5
	Active         bool // false: retired, the requirement left the object's scope
	RetiredAt      *time.Time
	FollowsGroup   bool // a group member's entry that takes its group's values
	Status         Status
	Justification  string
	Implementation string
	Responsible    string
	ImplementedOn  *time.Time
	TargetDate     *time.Time
	LastReview     *time.Time
	NextReview     *time.Time
	UpdatedAt      time.Time
	UpdatedBy      string
	Version        int
	// Grundschutz++: the statement's modal verb ("" in a Kompendium
	// scope), and the entry's exception that is not revoked, if any.
	Obligation     Obligation
	ExceptionID    *int64
	ExceptionUntil *time.Time
}

// Today is the calendar date in loc, stored like the check's dates
// (midnight UTC): what is overdue turns over at local midnight.
func Today(loc *time.Location) time.Time {
	y, m, d := time.Now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ReviewOverdue reports whether the next review date has passed.
func (e CheckEntry) ReviewOverdue(today time.Time) bool {
	return e.NextReview != nil && e.NextReview.Before(today)
}

// EntryChange is what a user sets on an entry; nil fields stay.
type EntryChange struct {
	Status         *Status
	Justification  *string
	Implementation *string
	Responsible    *string
	ImplementedOn  **time.Time
	TargetDate     **time.Time
	LastReview     **time.Time
	NextReview     **time.Time
	FollowGroup    bool // a member's entry goes back to following its group
}

// PlanState is the state of a measure of the implementation plan.
type PlanState string

const (
	PlanPlanned    PlanState = "planned"     // geplant
	PlanInProgress PlanState = "in_progress" // in Umsetzung
	PlanDone       PlanState = "done"        // erledigt
)

// PlanStates lists the states in order.
var PlanStates = []PlanState{PlanPlanned, PlanInProgress, PlanDone}

// Valid reports whether s is a known state.
func (s PlanState) Valid() bool { return s == PlanPlanned || s == PlanInProgress || s == PlanDone }

// Label is the German name.
func (s PlanState) Label() string { return labelOf(planStateLabels, s) }

var planStateLabels = map[PlanState]string{
	PlanPlanned:    "geplant",
	PlanInProgress: "in Umsetzung",
	PlanDone:       "erledigt",
}

// PriorityLabel names a plan priority (1 high … 3 low).
func PriorityLabel(p int) string {
	switch p {
	case 1:
		return "hoch"
	case 2:
		return "mittel"
	case 3:
		return "niedrig"
	}
	return ""
}

// PlanItem is a measure of the implementation plan (A.6) for a partial or
// unfulfilled check entry.
type PlanItem struct {
	ID             int64
	EntryID        int64
	ScopeID        int64
	ObjectID       int64
	ObjectShortID  string
	ObjectName     string
	DepartmentID   *int64
	DepartmentName string
	RequirementID  string
	Title          string
	Level          Level
	Obligation     Obligation // Grundschutz++
	EntryStatus    Status
	Measure        string
	Owner          string
	DueDate        *time.Time
	BudgetCents    *int64 // in euro cents
	Priority       int    // 1 high, 2 medium, 3 low
	State          PlanState
	ClosedAt       *time.Time
	Version        int
}

// Overdue reports whether the measure is open past its due date.
func (p PlanItem) Overdue(today time.Time) bool {
	return p.State != PlanDone && p.DueDate != nil && p.DueDate.Before(today)
}

// PlanChange is what a user sets on a plan item; nil fields stay.
type PlanChange struct {
	Measure     *string
	Owner       *string
	DueDate     **time.Time
	BudgetCents **int64
	Priority    *int
	State       *PlanState
}
