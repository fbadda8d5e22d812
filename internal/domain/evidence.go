package domain

import (
	"slices"
	"strings"
	"time"
)

// ReviewState is where a version of an evidence item stands in review.
type ReviewState string

const (
	ReviewSubmitted ReviewState = "submitted"  // eingereicht: waits for an auditor
	ReviewAccepted  ReviewState = "accepted"   // akzeptiert: immutable from now on
	ReviewRejected  ReviewState = "rejected"   // abgelehnt: with the reason in the thread
	ReviewNeedsInfo ReviewState = "needs_info" // Rückfrage: the ISB answers with a comment or a new version
)

// ReviewStates lists the states in the order of the review.
var ReviewStates = []ReviewState{ReviewSubmitted, ReviewAccepted, ReviewRejected, ReviewNeedsInfo}

// Valid reports whether s is a known state.
func (s ReviewState) Valid() bool { return slices.Contains(ReviewStates, s) }

// Decision reports whether a reviewer may decide s.
func (s ReviewState) Decision() bool {
	return s == ReviewAccepted || s == ReviewRejected || s == ReviewNeedsInfo
}

// Label is the German name.
func (s ReviewState) Label() string { return labelOf(reviewStateLabels, s) }

var reviewStateLabels = map[ReviewState]string{
	ReviewSubmitted: "eingereicht",
	ReviewAccepted:  "akzeptiert",
	ReviewRejected:  "abgelehnt",
	ReviewNeedsInfo: "Rückfrage",
}

// Evidence is a Nachweis: a file or a reference that proves an
// implementation, in versions.
type Evidence struct {
	ID             int64
	ScopeID        int64
	DepartmentID   *int64
	DepartmentName string
	Title          string
	Description    string
	Tags           []string
	CreatedBy      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
	Current        EvidenceVersion   // the newest version
	Versions       []EvidenceVersion // newest first, where loaded
}

// EvidenceVersion is one upload or reference of an evidence item.
type EvidenceVersion struct {
	ID           int64
	EvidenceID   int64
	Number       int
	EffectiveOn  time.Time  // Stichtag: the day the evidence speaks of
	ValidUntil   *time.Time // after it the evidence is expired
	Reference    string     // document number or URL, for a version without a file
	FileName     string
	ContentType  string
	Size         int64
	SHA256       string // hex; "" without a file
	Note         string
	UploadedByID *int64
	UploadedBy   string
	UploadedAt   time.Time
	State        ReviewState
	ReviewedBy   string
	ReviewedAt   *time.Time
}

// HasFile reports whether the version has content to download.
func (v EvidenceVersion) HasFile() bool { return v.SHA256 != "" }

// Expired reports whether the version's validity ended before today.
func (v EvidenceVersion) Expired(today time.Time) bool {
	return v.ValidUntil != nil && v.ValidUntil.Before(today)
}

// Valid reports whether the version counts as evidence today: accepted
// and not expired.
func (v EvidenceVersion) Valid(today time.Time) bool {
	return v.State == ReviewAccepted && !v.Expired(today)
}

// StateLabel is the German state shown for the version today: an expired
// version says so whatever its review state.
func (v EvidenceVersion) StateLabel(today time.Time) string {
	if v.Expired(today) {
		return "abgelaufen"
	}
	return v.State.Label()
}

// EvidenceInput is what a writer gives for a new evidence item or changes
// on one.
type EvidenceInput struct {
	Title        string
	Description  string
	DepartmentID *int64
	Tags         []string
}

// Validate checks the input and trims its texts.
func (in *EvidenceInput) Validate() []Violation {
	in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	var vs []Violation
	if in.Title == "" || TooLong(in.Title, 300) {
		vs = append(vs, Violation{Pointer: "/title", Detail: "a title of 1 to 300 characters", German: "Bitte einen Titel angeben (höchstens 300 Zeichen)."})
	}
	if TooLong(in.Description, 8000) {
		vs = append(vs, Violation{Pointer: "/description", Detail: "at most 8000 characters", German: "Die Beschreibung ist zu lang."})
	}
	tags := in.Tags[:0]
	for _, t := range in.Tags {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	in.Tags = tags
	if len(in.Tags) > 50 {
		vs = append(vs, Violation{Pointer: "/tags", Detail: "at most 50 tags", German: "Höchstens 50 Schlagwörter."})
	}
	return vs
}

// Input is the item's current data, to apply a change to.
func (e Evidence) Input() EvidenceInput {
	return EvidenceInput{Title: e.Title, Description: e.Description, DepartmentID: e.DepartmentID, Tags: slices.Clone(e.Tags)}
}

// EvidenceChange is a change of an item's data; nil fields stay, and a
// department set to a nil pointer is cleared. Its versions change only
// by a new one.
type EvidenceChange struct {
	Title        *string
	Description  *string
	DepartmentID **int64
	Tags         *[]string
}

// Apply returns the item's data with the change.
func (ch EvidenceChange) Apply(e Evidence) EvidenceInput {
	in := e.Input()
	applyField(&in.Title, ch.Title)
	applyField(&in.Description, ch.Description)
	applyField(&in.DepartmentID, ch.DepartmentID)
	applyField(&in.Tags, ch.Tags)
	return in
}

// ReviewInput is a reviewer's decision on the newest version of an item.
type ReviewInput struct {
	Decision ReviewState
	Comment  string
}

// Validate checks the input and trims its text: a rejection or a
// question says why.
func (in *ReviewInput) Validate() []Violation {
	in.Comment = strings.TrimSpace(in.Comment)
	var vs []Violation
	if !in.Decision.Decision() {
		vs = append(vs, Violation{Pointer: "/decision", Detail: "decide accepted, rejected or needs_info",
			German: "Bitte akzeptieren, ablehnen oder eine Rückfrage stellen."})
	}
	if in.Decision != ReviewAccepted && in.Comment == "" {
		vs = append(vs, Violation{Pointer: "/comment", Detail: "a rejection or a question needs a comment",
			German: "Eine Ablehnung oder Rückfrage braucht eine Begründung."})
	}
	if TooLong(in.Comment, 8000) {
		vs = append(vs, Violation{Pointer: "/comment", Detail: "at most 8000 characters", German: "Der Kommentar ist zu lang."})
	}
	return vs
}

// CommentInput is a comment on an item's thread.
type CommentInput struct {
	Body string
}

// Validate checks the input and trims its text.
func (in *CommentInput) Validate() []Violation {
	in.Body = strings.TrimSpace(in.Body)
	if in.Body == "" || TooLong(in.Body, 8000) {
		return []Violation{{Pointer: "/body", Detail: "a comment of 1 to 8000 characters",
			German: "Bitte einen Kommentar schreiben (höchstens 8.000 Zeichen)."}}
	}
	return nil
}

// VersionInput describes a new version apart from its content.
type VersionInput struct {
	EffectiveOn time.Time
	ValidUntil  *time.Time
	Reference   string // for a version without a file
	FileName    string
	ContentType string
	Note        string
}

// Validate checks the input and trims its texts; withFile tells whether
// content follows.
func (in *VersionInput) Validate(withFile bool) []Violation {
	in.Reference, in.Note = strings.TrimSpace(in.Reference), strings.TrimSpace(in.Note)
	in.FileName = strings.TrimSpace(in.FileName)
	var vs []Violation
	if in.EffectiveOn.IsZero() {
		vs = append(vs, Violation{Pointer: "/effective_on", Detail: "give the effective date", German: "Bitte den Stichtag angeben."})
	}
	if in.ValidUntil != nil && !in.EffectiveOn.IsZero() && in.ValidUntil.Before(in.EffectiveOn) {
		vs = append(vs, Violation{Pointer: "/valid_until", Detail: "valid until lies before the effective date",
			German: "„Gültig bis“ liegt vor dem Stichtag."})
	}
	if !withFile && in.Reference == "" {
		vs = append(vs, Violation{Pointer: "/reference", Detail: "a version without a file needs a reference (document number or URL)",
			German: "Ohne Datei braucht der Nachweis eine Fundstelle (Dokumentnummer oder Adresse)."})
	}
	if TooLong(in.Reference, 2000) || TooLong(in.Note, 8000) || TooLong(in.FileName, 255) {
		vs = append(vs, Violation{Pointer: "/reference", Detail: "a text is too long", German: "Ein Text ist zu lang."})
	}
	return vs
}

// LinkTarget is what evidence can prove.
type LinkTarget string

const (
	LinkCheckEntry   LinkTarget = "check_entry"
	LinkRiskAnalysis LinkTarget = "risk_analysis"
	LinkPlanItem     LinkTarget = "plan_item"
	LinkFinding      LinkTarget = "finding"
)

// LinkTargets lists the kinds of link.
var LinkTargets = []LinkTarget{LinkCheckEntry, LinkRiskAnalysis, LinkPlanItem, LinkFinding}

// Valid reports whether t is a known kind of link.
func (t LinkTarget) Valid() bool { return slices.Contains(LinkTargets, t) }

// Label is the German name.
func (t LinkTarget) Label() string { return labelOf(linkTargetLabels, t) }

var linkTargetLabels = map[LinkTarget]string{
	LinkCheckEntry:   "Anforderung im IT-Grundschutz-Check",
	LinkRiskAnalysis: "Risikoanalyse",
	LinkPlanItem:     "Maßnahme des Realisierungsplans",
	LinkFinding:      "Feststellung",
}

// EvidenceLink ties an evidence item to what it proves.
type EvidenceLink struct {
	EvidenceID int64
	Target     LinkTarget
	TargetID   int64
	Label      string // what the target is, e.g. "SYS.1.1.A1 · S-001 Managementserver"
	ObjectID   int64  // the object of a risk analysis, whose page shows it; 0 for other targets
	CreatedBy  string
	CreatedAt  time.Time
}

// EvidenceComment is a message in an evidence item's thread: a review
// decision (Decision set) or a comment.
type EvidenceComment struct {
	ID         int64
	EvidenceID int64
	VersionID  *int64
	Version    int // the version's number, 0 if none
	AuthorID   *int64
	Author     string
	Decision   ReviewState // "" for a comment
	Body       string
	CreatedAt  time.Time
}
