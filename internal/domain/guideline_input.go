package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ScopeWideModule is the module every guideline requires on the scope
// itself (gate G4), whatever else it lists.
const ScopeWideModule = "ISMS.1"

// GuidelineInput is the content of a guideline version: what a draft is
// created with or changed to, and what an approval seals with its hash.
type GuidelineInput struct {
	Title            string
	ScopeStatement   string
	Approach         Approach
	BasisBy          *time.Time
	StandardBy       *time.Time
	ElevatedBy       *time.Time
	ReviewMonths     int
	EvidenceCoverage int
	RequiredModules  []string
	Roles            []GuidelineRole
	// CatalogID names the catalog or profile a Grundschutz++ scope is
	// measured against: for such a scope it takes the approach's place.
	CatalogID *int64
}

// Input is the version's content, to apply a change to or to start the
// next draft from.
func (g Guideline) Input() GuidelineInput {
	return GuidelineInput{Title: g.Title, ScopeStatement: g.ScopeStatement, Approach: g.Approach, BasisBy: g.BasisBy,
		StandardBy: g.StandardBy, ElevatedBy: g.ElevatedBy, ReviewMonths: g.ReviewMonths, EvidenceCoverage: g.EvidenceCoverage,
		RequiredModules: slices.Clone(g.RequiredModules), Roles: slices.Clone(g.Roles), CatalogID: g.CatalogID}
}

// Validate checks the content and tidies it: texts trimmed, roles without
// title and holder dropped (the form sends empty rows), modules without
// duplicates and with ISMS.1 first. Whether the modules exist in the
// scope's catalog is the store's check.
func (in *GuidelineInput) Validate() []Violation {
	in.Title, in.ScopeStatement = strings.TrimSpace(in.Title), strings.TrimSpace(in.ScopeStatement)
	modules := []string{ScopeWideModule}
	for _, m := range in.RequiredModules {
		if m = strings.TrimSpace(m); m != "" && !slices.Contains(modules, m) {
			modules = append(modules, m)
		}
	}
	in.RequiredModules = modules
	roles := []GuidelineRole{}
	for _, r := range in.Roles {
		r.Title, r.Holder = strings.TrimSpace(r.Title), strings.TrimSpace(r.Holder)
		if r.Title != "" || r.Holder != "" {
			roles = append(roles, r)
		}
	}
	in.Roles = roles

	var vs []Violation
	if in.Title == "" || TooLong(in.Title, 300) {
		vs = append(vs, Violation{Pointer: "/title", Detail: "a title of 1 to 300 characters",
			German: "Bitte einen Titel angeben (höchstens 300 Zeichen)."})
	}
	if TooLong(in.ScopeStatement, 20000) {
		vs = append(vs, Violation{Pointer: "/scope_statement", Detail: "at most 20000 characters", German: "Der Geltungsbereich ist zu lang."})
	}
	if !in.Approach.Valid() {
		vs = append(vs, Violation{Pointer: "/approach", Detail: "basic, standard or core",
			German: "Bitte die Vorgehensweise wählen (Basis-, Standard- oder Kern-Absicherung)."})
	}
	// Basis comes before Standard, Standard before the elevated level.
	if in.BasisBy != nil && in.StandardBy != nil && in.StandardBy.Before(*in.BasisBy) {
		vs = append(vs, Violation{Pointer: "/standard_by", Detail: "the Standard target date lies before the Basis one",
			German: "Der Zieltermin für Standard liegt vor dem für Basis."})
	}
	if in.StandardBy != nil && in.ElevatedBy != nil && in.ElevatedBy.Before(*in.StandardBy) {
		vs = append(vs, Violation{Pointer: "/elevated_by", Detail: "the target date for elevated requirements lies before the Standard one",
			German: "Der Zieltermin für erhöhten Schutzbedarf liegt vor dem für Standard."})
	}
	if in.ReviewMonths < 1 || in.ReviewMonths > 60 {
		vs = append(vs, Violation{Pointer: "/review_months", Detail: "a review cycle of 1 to 60 months",
			German: "Der Überprüfungszyklus muss zwischen 1 und 60 Monaten liegen."})
	}
	if in.EvidenceCoverage < 0 || in.EvidenceCoverage > 100 {
		vs = append(vs, Violation{Pointer: "/evidence_coverage", Detail: "a percentage from 0 to 100",
			German: "Die Nachweisquote muss zwischen 0 und 100 Prozent liegen."})
	}
	if len(in.RequiredModules) > 100 {
		vs = append(vs, Violation{Pointer: "/required_modules", Detail: "at most 100 modules", German: "Höchstens 100 Bausteine."})
	}
	if len(in.Roles) > 50 {
		vs = append(vs, Violation{Pointer: "/roles", Detail: "at most 50 roles", German: "Höchstens 50 Rollen."})
	}
	for i, r := range in.Roles {
		if r.Title == "" || TooLong(r.Title, 200) {
			vs = append(vs, Violation{Pointer: fmt.Sprintf("/roles/%d/title", i), Detail: "a role needs a title of up to 200 characters",
				German: fmt.Sprintf("Rolle %d: Bitte die Bezeichnung der Rolle angeben (höchstens 200 Zeichen).", i+1)})
		}
		if TooLong(r.Holder, 200) {
			vs = append(vs, Violation{Pointer: fmt.Sprintf("/roles/%d/holder", i), Detail: "at most 200 characters",
				German: fmt.Sprintf("Rolle %d: Der Name ist zu lang.", i+1)})
		}
	}
	return vs
}

// ContentHash is the SHA-256 (hex) of the content as canonical JSON: fixed
// field order, dates as YYYY-MM-DD or null, modules sorted (their order
// means nothing). Roles keep their order, which the guideline gives them.
// Approval stores it, so anyone can tell that what is shown is what was
// approved.
func (in GuidelineInput) ContentHash() string {
	day := func(t *time.Time) *string {
		if t == nil {
			return nil
		}
		s := t.Format(time.DateOnly)
		return &s
	}
	modules := slices.Clone(in.RequiredModules)
	slices.Sort(modules)
	roles := in.Roles
	if roles == nil {
		roles = []GuidelineRole{}
	}
	b, err := json.Marshal(struct {
		Title            string          `json:"title"`
		ScopeStatement   string          `json:"scope_statement"`
		Approach         Approach        `json:"approach"`
		BasisBy          *string         `json:"basis_by"`
		StandardBy       *string         `json:"standard_by"`
		ElevatedBy       *string         `json:"elevated_by"`
		ReviewMonths     int             `json:"review_months"`
		EvidenceCoverage int             `json:"evidence_coverage"`
		RequiredModules  []string        `json:"required_modules"`
		Roles            []GuidelineRole `json:"roles"`
		// Left out when unset, so the hashes of versions approved before
		// guidelines named a catalog stay as they were.
		CatalogID *int64 `json:"catalog_id,omitempty"`
	}{in.Title, in.ScopeStatement, in.Approach, day(in.BasisBy), day(in.StandardBy), day(in.ElevatedBy), in.ReviewMonths,
		in.EvidenceCoverage, modules, roles, in.CatalogID})
	if err != nil { // strings, ints and pointers to them always marshal
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// GuidelineChange is a change of a draft; nil fields stay, a date set to
// a nil pointer is cleared.
type GuidelineChange struct {
	Title            *string
	ScopeStatement   *string
	Approach         *Approach
	BasisBy          **time.Time
	StandardBy       **time.Time
	ElevatedBy       **time.Time
	ReviewMonths     *int
	EvidenceCoverage *int
	RequiredModules  *[]string
	Roles            *[]GuidelineRole
	CatalogID        **int64
}

// Apply returns the draft's content with the change.
func (ch GuidelineChange) Apply(g Guideline) GuidelineInput {
	in := g.Input()
	applyField(&in.Title, ch.Title)
	applyField(&in.ScopeStatement, ch.ScopeStatement)
	applyField(&in.Approach, ch.Approach)
	applyField(&in.BasisBy, ch.BasisBy)
	applyField(&in.StandardBy, ch.StandardBy)
	applyField(&in.ElevatedBy, ch.ElevatedBy)
	applyField(&in.ReviewMonths, ch.ReviewMonths)
	applyField(&in.EvidenceCoverage, ch.EvidenceCoverage)
	applyField(&in.RequiredModules, ch.RequiredModules)
	applyField(&in.Roles, ch.Roles)
	applyField(&in.CatalogID, ch.CatalogID)
	return in
}

// ReviewOverdue reports whether the version in force is past its review
// date.
func (g Guideline) ReviewOverdue(today time.Time) bool {
	due := g.ReviewDue()
	return !due.IsZero() && due.Before(today)
}

// PolicyState is whether a policy of A.0 is in force.
type PolicyState string

const (
	PolicyInForce   PolicyState = "in_force"  // in Kraft
	PolicyWithdrawn PolicyState = "withdrawn" // zurückgezogen
)

// PolicyStates lists the states of a policy.
var PolicyStates = []PolicyState{PolicyInForce, PolicyWithdrawn}

// Label is the German name.
func (s PolicyState) Label() string { return labelOf(policyStateLabels, s) }

var policyStateLabels = map[PolicyState]string{
	PolicyInForce:   "in Kraft",
	PolicyWithdrawn: "zurückgezogen",
}

// Policy is a policy (Richtlinie) of reference document A.0: a document
// in force, uploaded as an evidence item of the scope, with its version,
// approval and review cycle.
type Policy struct {
	ID            int64
	ScopeID       int64
	Title         string
	EvidenceID    int64
	EvidenceTitle string
	VersionLabel  string // e.g. "2.1"
	ApprovedBy    string
	ApprovedOn    time.Time
	ReviewMonths  int
	State         PolicyState
	WithdrawnBy   string
	WithdrawnAt   *time.Time
	CreatedBy     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int
}

// NextReview is the day the policy must have been reviewed by.
func (p Policy) NextReview() time.Time { return p.ApprovedOn.AddDate(0, p.ReviewMonths, 0) }

// ReviewOverdue reports whether a policy in force is past its review date.
func (p Policy) ReviewOverdue(today time.Time) bool {
	return p.State == PolicyInForce && p.NextReview().Before(today)
}

// PolicyInput is what a policy is recorded with or changed to.
type PolicyInput struct {
	Title        string
	EvidenceID   int64
	VersionLabel string
	ApprovedBy   string
	ApprovedOn   time.Time
	ReviewMonths int
}

// Input is the policy's current data, to apply a change to.
func (p Policy) Input() PolicyInput {
	return PolicyInput{Title: p.Title, EvidenceID: p.EvidenceID, VersionLabel: p.VersionLabel, ApprovedBy: p.ApprovedBy,
		ApprovedOn: p.ApprovedOn, ReviewMonths: p.ReviewMonths}
}

// Validate checks the input and trims its texts. Whether the evidence
// belongs to the scope is the store's check.
func (in *PolicyInput) Validate() []Violation {
	in.Title, in.VersionLabel, in.ApprovedBy = strings.TrimSpace(in.Title), strings.TrimSpace(in.VersionLabel), strings.TrimSpace(in.ApprovedBy)
	var vs []Violation
	if in.Title == "" || TooLong(in.Title, 300) {
		vs = append(vs, Violation{Pointer: "/title", Detail: "a title of 1 to 300 characters",
			German: "Bitte einen Titel angeben (höchstens 300 Zeichen)."})
	}
	if in.EvidenceID <= 0 {
		vs = append(vs, Violation{Pointer: "/evidence_id", Detail: "choose the evidence item holding the policy",
			German: "Bitte den Nachweis wählen, der die Richtlinie enthält."})
	}
	if TooLong(in.VersionLabel, 50) {
		vs = append(vs, Violation{Pointer: "/version_label", Detail: "at most 50 characters", German: "Die Versionsangabe ist zu lang."})
	}
	if in.ApprovedBy == "" || TooLong(in.ApprovedBy, 200) {
		vs = append(vs, Violation{Pointer: "/approved_by", Detail: "who approved the policy, up to 200 characters",
			German: "Bitte angeben, wer die Richtlinie freigegeben hat (höchstens 200 Zeichen)."})
	}
	if in.ApprovedOn.IsZero() {
		vs = append(vs, Violation{Pointer: "/approved_on", Detail: "give the day of the approval", German: "Bitte das Datum der Freigabe angeben."})
	}
	if in.ReviewMonths < 1 || in.ReviewMonths > 60 {
		vs = append(vs, Violation{Pointer: "/review_months", Detail: "a review cycle of 1 to 60 months",
			German: "Der Überprüfungszyklus muss zwischen 1 und 60 Monaten liegen."})
	}
	return vs
}

// PolicyChange is a change of a policy; nil fields stay.
type PolicyChange struct {
	Title        *string
	EvidenceID   *int64
	VersionLabel *string
	ApprovedBy   *string
	ApprovedOn   *time.Time
	ReviewMonths *int
}

// Apply returns the policy's data with the change.
func (ch PolicyChange) Apply(p Policy) PolicyInput {
	in := p.Input()
	applyField(&in.Title, ch.Title)
	applyField(&in.EvidenceID, ch.EvidenceID)
	applyField(&in.VersionLabel, ch.VersionLabel)
	applyField(&in.ApprovedBy, ch.ApprovedBy)
	applyField(&in.ApprovedOn, ch.ApprovedOn)
	applyField(&in.ReviewMonths, ch.ReviewMonths)
	return in
}

// CertificateYears is how long a certificate runs unless entered otherwise.
const CertificateYears = 3

// Expired reports whether the certificate is no longer valid on today.
func (c Certificate) Expired(today time.Time) bool { return c.ValidUntil.Before(today) }

// CertificateInput is what a certificate is recorded with or changed to;
// without ValidUntil it runs three years from its issue.
type CertificateInput struct {
	Number     string
	IssuedOn   time.Time
	ValidUntil *time.Time
}

// Input is the certificate's current data, to apply a change to.
func (c Certificate) Input() CertificateInput {
	until := c.ValidUntil
	return CertificateInput{Number: c.Number, IssuedOn: c.IssuedOn, ValidUntil: &until}
}

// Validate checks the input, trims the number and fills in the end of
// validity.
func (in *CertificateInput) Validate() []Violation {
	in.Number = strings.TrimSpace(in.Number)
	var vs []Violation
	if in.Number == "" || TooLong(in.Number, 100) {
		vs = append(vs, Violation{Pointer: "/number", Detail: "a certificate number of 1 to 100 characters",
			German: "Bitte die Zertifikatsnummer angeben (höchstens 100 Zeichen)."})
	}
	if in.IssuedOn.IsZero() {
		vs = append(vs, Violation{Pointer: "/issued_on", Detail: "give the day of issue", German: "Bitte das Ausstellungsdatum angeben."})
		return vs
	}
	if in.ValidUntil == nil {
		until := in.IssuedOn.AddDate(CertificateYears, 0, 0)
		in.ValidUntil = &until
	}
	if !in.ValidUntil.After(in.IssuedOn) {
		vs = append(vs, Violation{Pointer: "/valid_until", Detail: "the certificate must be valid after its day of issue",
			German: "Das Zertifikat muss nach dem Ausstellungsdatum gültig sein."})
	}
	return vs
}

// CertificateChange is a change of a certificate; nil fields stay.
type CertificateChange struct {
	Number     *string
	IssuedOn   *time.Time
	ValidUntil *time.Time
}

// Apply returns the certificate's data with the change.
func (ch CertificateChange) Apply(c Certificate) CertificateInput {
	in := c.Input()
	applyField(&in.Number, ch.Number)
	applyField(&in.IssuedOn, ch.IssuedOn)
	if ch.ValidUntil != nil { // an end of validity is never cleared, only replaced
		in.ValidUntil = ch.ValidUntil
	}
	return in
}

// HashIntact reports whether an approved or superseded version still
// hashes to what management approved; false for a draft.
func (g Guideline) HashIntact() bool {
	return g.ApprovedHash != "" && g.Input().ContentHash() == g.ApprovedHash
}
