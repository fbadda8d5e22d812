package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

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
func (k AuditKind) Valid() bool { return slices.Contains(AuditKinds, k) }

// Label is the German name.
func (k AuditKind) Label() string { return labelOf(auditKindLabels, k) }

var auditKindLabels = map[AuditKind]string{
	AuditInitial:         "Erstzertifizierungsaudit",
	AuditSurveillance1:   "1. Überwachungsaudit",
	AuditSurveillance2:   "2. Überwachungsaudit",
	AuditRecertification: "Re-Zertifizierungsaudit",
	AuditInternal:        "internes Audit",
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
func (s AuditState) Label() string { return labelOf(auditStateLabels, s) }

var auditStateLabels = map[AuditState]string{
	AuditPlanned:    "geplant",
	AuditInProgress: "laufend",
	AuditCompleted:  "abgeschlossen",
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
func (t SampleType) Label() string { return labelOf(sampleTypeLabels, t) }

var sampleTypeLabels = map[SampleType]string{
	SampleModule:      "Baustein",
	SampleObject:      "Zielobjekt",
	SampleRequirement: "Anforderung",
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
func (r SampleResult) Valid() bool { return slices.Contains(SampleResults, r) }

// Label is the German name.
func (r SampleResult) Label() string { return labelOf(sampleResultLabels, r) }

var sampleResultLabels = map[SampleResult]string{
	ResultOpen:          "noch nicht geprüft",
	ResultConforming:    "konform",
	ResultNonconforming: "nicht konform",
	ResultNotAssessable: "nicht prüfbar",
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
func (c FindingClass) Label() string { return labelOf(findingClassLabels, c) }

var findingClassLabels = map[FindingClass]string{
	FindingRecommendation: "Empfehlung",
	FindingMinor:          "geringfügige Abweichung",
	FindingMajor:          "schwerwiegende Abweichung",
}

// FindingState is where a finding stands.
type FindingState string

const (
	FindingOpen            FindingState = "open"             // offen
	FindingActionSubmitted FindingState = "action_submitted" // Korrekturmaßnahme eingereicht
	FindingClosed          FindingState = "closed"           // geschlossen
)

// Label is the German name.
func (s FindingState) Label() string { return labelOf(findingStateLabels, s) }

var findingStateLabels = map[FindingState]string{
	FindingOpen:            "offen",
	FindingActionSubmitted: "Korrekturmaßnahme eingereicht",
	FindingClosed:          "geschlossen",
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

// Verdicts lists the states of a corrective action's verdict.
var Verdicts = []Verdict{VerdictPending, VerdictAccepted, VerdictRejected}

// Label is the German name.
func (v Verdict) Label() string { return labelOf(verdictLabels, v) }

var verdictLabels = map[Verdict]string{
	VerdictPending:  "wartet auf Prüfung",
	VerdictAccepted: "wirksam",
	VerdictRejected: "nicht ausreichend",
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

// AuditInput is what an audit is planned with, or changed to.
type AuditInput struct {
	Kind      AuditKind
	Title     string
	Auditors  []string
	StartsOn  time.Time
	EndsOn    time.Time
	ScopeNote string
	State     AuditState
}

// Input is the audit's current data, to apply a change to.
func (a Audit) Input() AuditInput {
	return AuditInput{Kind: a.Kind, Title: a.Title, Auditors: a.Auditors, StartsOn: a.StartsOn, EndsOn: a.EndsOn, ScopeNote: a.ScopeNote,
		State: a.State}
}

// Validate checks the input and trims its texts; auditors without a name
// are dropped.
func (in *AuditInput) Validate() []Violation {
	in.Title, in.ScopeNote = strings.TrimSpace(in.Title), strings.TrimSpace(in.ScopeNote)
	auditors := []string{}
	for _, a := range in.Auditors {
		if a = strings.TrimSpace(a); a != "" {
			auditors = append(auditors, a)
		}
	}
	in.Auditors = auditors
	var vs []Violation
	if !in.Kind.Valid() {
		vs = append(vs, Violation{Pointer: "/kind", Detail: "unknown kind of audit", German: "Bitte die Art des Audits wählen."})
	}
	if in.Title == "" || TooLong(in.Title, 300) {
		vs = append(vs, Violation{Pointer: "/title", Detail: "a title of 1 to 300 characters", German: "Bitte einen Titel angeben (höchstens 300 Zeichen)."})
	}
	if len(in.Auditors) > 20 || slices.ContainsFunc(in.Auditors, func(a string) bool { return TooLong(a, 200) }) {
		vs = append(vs, Violation{Pointer: "/auditors", Detail: "at most 20 auditors of up to 200 characters each",
			German: "Höchstens 20 Auditorinnen und Auditoren mit je höchstens 200 Zeichen."})
	}
	if in.StartsOn.IsZero() {
		vs = append(vs, Violation{Pointer: "/starts_on", Detail: "give the first day of the audit", German: "Bitte den ersten Audittag angeben."})
	}
	if in.EndsOn.IsZero() {
		vs = append(vs, Violation{Pointer: "/ends_on", Detail: "give the last day of the audit", German: "Bitte den letzten Audittag angeben."})
	} else if !in.StartsOn.IsZero() && in.EndsOn.Before(in.StartsOn) {
		vs = append(vs, Violation{Pointer: "/ends_on", Detail: "the audit ends before it starts", German: "Das Audit endet vor seinem Beginn."})
	}
	if TooLong(in.ScopeNote, 8000) {
		vs = append(vs, Violation{Pointer: "/scope_note", Detail: "at most 8000 characters", German: "Der Prüfumfang ist zu lang."})
	}
	if !in.State.Valid() {
		vs = append(vs, Violation{Pointer: "/state", Detail: "unknown state", German: "Unbekannter Stand des Audits."})
	}
	return vs
}

// AuditChange is a change of an audit; nil fields stay.
type AuditChange struct {
	Kind      *AuditKind
	Title     *string
	Auditors  *[]string
	StartsOn  *time.Time
	EndsOn    *time.Time
	ScopeNote *string
	State     *AuditState
}

// Apply returns the audit's data with the change.
func (ch AuditChange) Apply(a Audit) AuditInput {
	in := a.Input()
	applyField(&in.Kind, ch.Kind)
	applyField(&in.Title, ch.Title)
	applyField(&in.Auditors, ch.Auditors)
	applyField(&in.StartsOn, ch.StartsOn)
	applyField(&in.EndsOn, ch.EndsOn)
	applyField(&in.ScopeNote, ch.ScopeNote)
	applyField(&in.State, ch.State)
	return in
}

// SampleResultChange is an auditor's change of a sample item: the result
// and a note; nil fields stay.
type SampleResultChange struct {
	Result *SampleResult
	Note   *string
}

// Apply returns the item with the change.
func (ch SampleResultChange) Apply(s SampleItem) SampleItem {
	applyField(&s.Result, ch.Result)
	applyField(&s.Note, ch.Note)
	return s
}

// Validate checks what an auditor records on an item and trims the note.
func (s *SampleItem) Validate() []Violation {
	s.Note = strings.TrimSpace(s.Note)
	var vs []Violation
	if !s.Result.Valid() {
		vs = append(vs, Violation{Pointer: "/result", Detail: "result must be open, conforming, nonconforming or not_assessable",
			German: "Bitte ein Ergebnis wählen."})
	}
	if TooLong(s.Note, 8000) {
		vs = append(vs, Violation{Pointer: "/note", Detail: "at most 8000 characters", German: "Die Notiz ist zu lang."})
	}
	return vs
}

// Label names the sampled item: "NET.3.1 Router und Switches",
// "S-001 Managementserver" or "SYS.1.1.A1 Titel (S-001)".
func (s SampleItem) Label() string {
	switch s.Type {
	case SampleModule:
		return strings.TrimSpace(s.ModuleID + " " + s.ModuleTitle)
	case SampleObject:
		return s.ObjectShortID + " " + s.ObjectName
	}
	return strings.TrimSpace(s.RequirementID+" "+s.RequirementTitle) + " (" + s.ObjectShortID + ")"
}

// SampleInput is an item picked by hand: a module of the scope's catalog
// that is assigned in the scope, a target object, or a requirement as
// the check entry of an object.
type SampleInput struct {
	Type     SampleType
	ModuleID string
	ObjectID int64
	EntryID  int64
}

// Validate checks that the item names exactly what its type needs.
func (in *SampleInput) Validate() []Violation {
	in.ModuleID = strings.TrimSpace(in.ModuleID)
	switch in.Type {
	case SampleModule:
		if in.ModuleID == "" || in.ObjectID != 0 || in.EntryID != 0 {
			return []Violation{{Pointer: "/module_id", Detail: "a module item names the module only", German: "Bitte einen Baustein wählen."}}
		}
	case SampleObject:
		if in.ObjectID <= 0 || in.ModuleID != "" || in.EntryID != 0 {
			return []Violation{{Pointer: "/object_id", Detail: "an object item names the object only", German: "Bitte ein Zielobjekt angeben."}}
		}
	case SampleRequirement:
		if in.EntryID <= 0 || in.ModuleID != "" || in.ObjectID != 0 {
			return []Violation{{Pointer: "/entry_id", Detail: "a requirement item names the check entry only",
				German: "Bitte eine Anforderung eines Zielobjekts angeben."}}
		}
	default:
		return []Violation{{Pointer: "/type", Detail: "type must be module, object or requirement", German: "Bitte die Art des Elements wählen."}}
	}
	return nil
}

// MaxDraw bounds the items of one kind a random draw may pick.
const MaxDraw = 1000

// SampleDraw asks for a random sample: so many modules, objects and
// requirements, drawn with the seed (one is chosen when nil).
type SampleDraw struct {
	Modules      int
	Objects      int
	Requirements int
	Seed         *int64
}

// Validate checks the counts.
func (d SampleDraw) Validate() []Violation {
	var vs []Violation
	for _, n := range []struct {
		pointer, german string
		count           int
	}{{"/modules", "Bausteine", d.Modules}, {"/objects", "Zielobjekte", d.Objects}, {"/requirements", "Anforderungen", d.Requirements}} {
		if n.count < 0 || n.count > MaxDraw {
			vs = append(vs, Violation{Pointer: n.pointer, Detail: fmt.Sprintf("from 0 to %d", MaxDraw),
				German: fmt.Sprintf("Bitte zwischen 0 und %d %s angeben.", MaxDraw, n.german)})
		}
	}
	if len(vs) == 0 && d.Modules+d.Objects+d.Requirements == 0 {
		vs = append(vs, Violation{Pointer: "/requirements", Detail: "draw at least one item",
			German: "Bitte mindestens ein Element ziehen lassen: Bausteine, Zielobjekte oder Anforderungen."})
	}
	if d.Seed != nil && *d.Seed < 0 {
		vs = append(vs, Violation{Pointer: "/seed", Detail: "a seed is a number of 0 or more", German: "Der Startwert ist eine Zahl ab 0."})
	}
	return vs
}

// Valid reports whether s is a known state.
func (s FindingState) Valid() bool {
	return s == FindingOpen || s == FindingActionSubmitted || s == FindingClosed
}

// FindingStates lists the states in the order of a finding's life.
var FindingStates = []FindingState{FindingOpen, FindingActionSubmitted, FindingClosed}

// NeedsDueDate reports whether a finding of the class needs a due date:
// a nonconformity must be corrected by a given day.
func (c FindingClass) NeedsDueDate() bool { return c == FindingMinor || c == FindingMajor }

// What a finding can concern (FindingLink.Target).
const (
	FindingOnSample = "sample"      // an item of the audit's sample
	FindingOnEntry  = "check_entry" // a requirement of an object (check entry)
	FindingOnObject = "object"      // a target object
)

// FindingTargets lists what a finding can concern.
var FindingTargets = []string{FindingOnSample, FindingOnEntry, FindingOnObject}

// FindingTargetLabel is the German name of what a link points at.
func FindingTargetLabel(target string) string {
	switch target {
	case FindingOnSample:
		return "Stichprobe"
	case FindingOnEntry:
		return "Anforderung"
	case FindingOnObject:
		return "Zielobjekt"
	}
	return target
}

// FindingInput is what a finding is recorded with, or changed to.
type FindingInput struct {
	Class       FindingClass
	Title       string
	Description string
	DueDate     *time.Time
	Links       []FindingLink // Target and TargetID
}

// Input is the finding's current data, to apply a change to.
func (f Finding) Input() FindingInput {
	return FindingInput{Class: f.Class, Title: f.Title, Description: f.Description, DueDate: f.DueDate, Links: f.Links}
}

// Validate checks the input and trims its texts: a minor or major
// nonconformity needs a due date.
func (in *FindingInput) Validate() []Violation {
	in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	var vs []Violation
	if !in.Class.Valid() {
		vs = append(vs, Violation{Pointer: "/class", Detail: "class must be recommendation, minor or major",
			German: "Bitte die Art der Feststellung wählen."})
	}
	if in.Title == "" || TooLong(in.Title, 300) {
		vs = append(vs, Violation{Pointer: "/title", Detail: "a title of 1 to 300 characters", German: "Bitte einen Titel angeben (höchstens 300 Zeichen)."})
	}
	if TooLong(in.Description, 8000) {
		vs = append(vs, Violation{Pointer: "/description", Detail: "at most 8000 characters", German: "Die Beschreibung ist zu lang."})
	}
	if in.Class.NeedsDueDate() && in.DueDate == nil {
		vs = append(vs, Violation{Pointer: "/due_date", Detail: "a minor or major nonconformity needs a due date",
			German: "Eine Abweichung braucht eine Frist: Bis wann ist sie zu beheben?"})
	}
	if len(in.Links) > 100 {
		vs = append(vs, Violation{Pointer: "/links", Detail: "at most 100 links", German: "Höchstens 100 Bezüge."})
	}
	for i, l := range in.Links {
		if l.Target != FindingOnSample && l.Target != FindingOnEntry && l.Target != FindingOnObject {
			vs = append(vs, Violation{Pointer: fmt.Sprintf("/links/%d/target", i), Detail: "target must be sample, check_entry or object",
				German: "Unbekannte Art des Bezugs."})
		}
	}
	return vs
}

// FindingChange is a change of a finding; nil fields stay. Its state
// changes only through corrective actions.
type FindingChange struct {
	Class       *FindingClass
	Title       *string
	Description *string
	DueDate     **time.Time // a nil inside clears it
	Links       *[]FindingLink
}

// Apply returns the finding's data with the change.
func (ch FindingChange) Apply(f Finding) FindingInput {
	in := f.Input()
	applyField(&in.Class, ch.Class)
	applyField(&in.Title, ch.Title)
	applyField(&in.Description, ch.Description)
	applyField(&in.DueDate, ch.DueDate)
	applyField(&in.Links, ch.Links)
	return in
}

// CorrectiveActionInput is the ISB's answer to an open finding.
type CorrectiveActionInput struct {
	Description string
}

// Validate checks the input and trims its text.
func (in *CorrectiveActionInput) Validate() []Violation {
	in.Description = strings.TrimSpace(in.Description)
	if in.Description == "" || TooLong(in.Description, 8000) {
		return []Violation{{Pointer: "/description", Detail: "describe the corrective action in 1 to 8000 characters",
			German: "Bitte beschreiben Sie die Korrekturmaßnahme (höchstens 8000 Zeichen)."}}
	}
	return nil
}

// VerificationInput is an auditor's verdict on the corrective action
// waiting on a finding.
type VerificationInput struct {
	Verdict Verdict
	Comment string
}

// Validate checks the input and trims its text: a rejection says why.
func (in *VerificationInput) Validate() []Violation {
	in.Comment = strings.TrimSpace(in.Comment)
	var vs []Violation
	if !in.Verdict.Decided() {
		vs = append(vs, Violation{Pointer: "/verdict", Detail: "verdict must be accepted or rejected", German: "Bitte wählen Sie „wirksam“ oder „nicht ausreichend“."})
	}
	if in.Verdict == VerdictRejected && in.Comment == "" {
		vs = append(vs, Violation{Pointer: "/comment", Detail: "a rejection needs a comment",
			German: "Bitte begründen Sie, warum die Korrekturmaßnahme nicht ausreicht."})
	}
	if TooLong(in.Comment, 8000) {
		vs = append(vs, Violation{Pointer: "/comment", Detail: "at most 8000 characters", German: "Der Kommentar ist zu lang."})
	}
	return vs
}

// Decided reports whether v is a verdict an auditor can give.
func (v Verdict) Decided() bool { return v == VerdictAccepted || v == VerdictRejected }

// Pending returns the corrective action that waits for the auditor, if any.
func (f Finding) Pending() *CorrectiveAction {
	for i := range f.Actions {
		if f.Actions[i].Verdict == VerdictPending {
			return &f.Actions[i]
		}
	}
	return nil
}
