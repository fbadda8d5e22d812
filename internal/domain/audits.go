package domain

import "time"

// This file is about audits of a scope (certification, surveillance and
// internal audits) – not the audit trail of changes (audit.go).

// AuditKind is the kind of an audit.
type AuditKind string

const (
	AuditInitial         AuditKind = "initial"         // Erstzertifizierungsaudit
	AuditSurveillance1   AuditKind = "surveillance_1"  // 1. Überwachungsaudit
	AuditSurveillance2   AuditKind = "surveillance_2"  // 2. Überwachungsaudit
	AuditRecertification AuditKind = "recertification" // Re-Zertifizierungsaudit
	AuditInternal        AuditKind = "internal"        // internes Audit
)

// AuditKinds lists the kinds in the order of a certificate's life.
var AuditKinds = []AuditKind{AuditInitial, AuditSurveillance1, AuditSurveillance2, AuditRecertification, AuditInternal}

// Valid reports whether k is a known kind.
func (k AuditKind) Valid() bool {
	for _, x := range AuditKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Label is the German name.
func (k AuditKind) Label() string {
	switch k {
	case AuditInitial:
		return "Erstzertifizierungsaudit"
	case AuditSurveillance1:
		return "1. Überwachungsaudit"
	case AuditSurveillance2:
		return "2. Überwachungsaudit"
	case AuditRecertification:
		return "Re-Zertifizierungsaudit"
	case AuditInternal:
		return "internes Audit"
	}
	return string(k)
}

// AuditState is how far an audit has come.
type AuditState string

const (
	AuditPlanned    AuditState = "planned"     // geplant
	AuditInProgress AuditState = "in_progress" // laufend
	AuditCompleted  AuditState = "completed"   // abgeschlossen
)

// AuditStates lists the states in order.
var AuditStates = []AuditState{AuditPlanned, AuditInProgress, AuditCompleted}

// Valid reports whether s is a known state.
func (s AuditState) Valid() bool {
	return s == AuditPlanned || s == AuditInProgress || s == AuditCompleted
}

// Label is the German name.
func (s AuditState) Label() string {
	switch s {
	case AuditPlanned:
		return "geplant"
	case AuditInProgress:
		return "laufend"
	case AuditCompleted:
		return "abgeschlossen"
	}
	return string(s)
}

// Audit is an audit of a scope.
type Audit struct {
	ID           int64
	ScopeID      int64
	Kind         AuditKind
	Title        string
	Auditors     []string
	StartsOn     time.Time
	EndsOn       time.Time
	ScopeNote    string // what the audit covers
	State        AuditState
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int
	Samples      int // items in the sample
	Assessed     int // sample items with a result
	OpenFindings int
}

// SampleType is what a sample item is.
type SampleType string

const (
	SampleModule      SampleType = "module"      // Baustein
	SampleObject      SampleType = "object"      // Zielobjekt
	SampleRequirement SampleType = "requirement" // Anforderung (a check entry)
)

// SampleTypes lists the kinds of sample item.
var SampleTypes = []SampleType{SampleModule, SampleObject, SampleRequirement}

// Valid reports whether t is a known kind.
func (t SampleType) Valid() bool {
	return t == SampleModule || t == SampleObject || t == SampleRequirement
}

// Label is the German name.
func (t SampleType) Label() string {
	switch t {
	case SampleModule:
		return "Baustein"
	case SampleObject:
		return "Zielobjekt"
	case SampleRequirement:
		return "Anforderung"
	}
	return string(t)
}

// SampleResult is the auditor's result for a sample item.
type SampleResult string

const (
	ResultOpen          SampleResult = "open"           // noch nicht geprüft
	ResultConforming    SampleResult = "conforming"     // konform
	ResultNonconforming SampleResult = "nonconforming"  // nicht konform
	ResultNotAssessable SampleResult = "not_assessable" // nicht prüfbar
)

// SampleResults lists the results.
var SampleResults = []SampleResult{ResultOpen, ResultConforming, ResultNonconforming, ResultNotAssessable}

// Valid reports whether r is a known result.
func (r SampleResult) Valid() bool {
	for _, x := range SampleResults {
		if r == x {
			return true
		}
	}
	return false
}

// Label is the German name.
func (r SampleResult) Label() string {
	switch r {
	case ResultOpen:
		return "noch nicht geprüft"
	case ResultConforming:
		return "konform"
	case ResultNonconforming:
		return "nicht konform"
	case ResultNotAssessable:
		return "nicht prüfbar"
	}
	return string(r)
}

// SampleItem is one item of an audit's sample.
type SampleItem struct {
	ID               int64
	AuditID          int64
	Type             SampleType
	CatalogID        int64
	ModuleID         string
	ModuleTitle      string
	ObjectID         *int64
	ObjectShortID    string
	ObjectName       string
	EntryID          *int64
	RequirementID    string
	RequirementTitle string
	EntryStatus      Status
	Seed             *int64 // the seed of the random draw; nil when picked by hand
	Result           SampleResult
	Note             string
	UpdatedBy        string
	UpdatedAt        time.Time
	Version          int
}

// FindingClass is how grave a finding is.
type FindingClass string

const (
	FindingRecommendation FindingClass = "recommendation" // Empfehlung
	FindingMinor          FindingClass = "minor"          // geringfügige Abweichung
	FindingMajor          FindingClass = "major"          // schwerwiegende Abweichung
)

// FindingClasses lists the classes, mildest first.
var FindingClasses = []FindingClass{FindingRecommendation, FindingMinor, FindingMajor}

// Valid reports whether c is a known class.
func (c FindingClass) Valid() bool {
	return c == FindingRecommendation || c == FindingMinor || c == FindingMajor
}

// Label is the German name.
func (c FindingClass) Label() string {
	switch c {
	case FindingRecommendation:
		return "Empfehlung"
	case FindingMinor:
		return "geringfügige Abweichung"
	case FindingMajor:
		return "schwerwiegende Abweichung"
	}
	return string(c)
}

// FindingState is where a finding stands.
type FindingState string

const (
	FindingOpen            FindingState = "open"             // offen
	FindingActionSubmitted FindingState = "action_submitted" // Korrekturmaßnahme eingereicht
	FindingClosed          FindingState = "closed"           // geschlossen
)

// Label is the German name.
func (s FindingState) Label() string {
	switch s {
	case FindingOpen:
		return "offen"
	case FindingActionSubmitted:
		return "Korrekturmaßnahme eingereicht"
	case FindingClosed:
		return "geschlossen"
	}
	return string(s)
}

// Finding is a Feststellung of an audit.
type Finding struct {
	ID          int64
	AuditID     int64
	AuditTitle  string
	ScopeID     int64
	Class       FindingClass
	Title       string
	Description string
	DueDate     *time.Time
	State       FindingState
	CreatedBy   string
	CreatedAt   time.Time
	ClosedBy    string
	ClosedAt    *time.Time
	UpdatedAt   time.Time
	Version     int
	Links       []FindingLink
	Actions     []CorrectiveAction // oldest first, where loaded
}

// Overdue reports whether an open finding is past its due date.
func (f Finding) Overdue(today time.Time) bool {
	return f.State != FindingClosed && f.DueDate != nil && f.DueDate.Before(today)
}

// FindingLink ties a finding to what it concerns.
type FindingLink struct {
	Target   string // sample, check_entry, object
	TargetID int64
	Label    string
}

// Verdict is the auditor's verdict on a corrective action.
type Verdict string

const (
	VerdictPending  Verdict = "pending"  // wartet auf Prüfung
	VerdictAccepted Verdict = "accepted" // wirksam: the finding is closed
	VerdictRejected Verdict = "rejected" // nicht ausreichend: with a reason
)

// Label is the German name.
func (v Verdict) Label() string {
	switch v {
	case VerdictPending:
		return "wartet auf Prüfung"
	case VerdictAccepted:
		return "wirksam"
	case VerdictRejected:
		return "nicht ausreichend"
	}
	return string(v)
}

// CorrectiveAction is the ISB's answer to a finding.
type CorrectiveAction struct {
	ID          int64
	FindingID   int64
	Description string
	SubmittedBy string
	SubmittedAt time.Time
	Verdict     Verdict
	VerifiedBy  string
	VerifiedAt  *time.Time
	Comment     string
}
