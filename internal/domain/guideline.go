package domain

import "time"

// GuidelineState is where a version of the guideline (Leitlinie zur
// Informationssicherheit) stands. A scope has at most one draft; approving
// it puts it in force and supersedes the version in force before.
type GuidelineState string

const (
	GuidelineDraft      GuidelineState = "draft"      // Entwurf
	GuidelineApproved   GuidelineState = "approved"   // in Kraft (von der Leitung freigegeben)
	GuidelineSuperseded GuidelineState = "superseded" // abgelöst
)

// GuidelineStates lists the states of a guideline version.
var GuidelineStates = []GuidelineState{GuidelineDraft, GuidelineApproved, GuidelineSuperseded}

// Label is the German name.
func (s GuidelineState) Label() string { return labelOf(guidelineStateLabels, s) }

var guidelineStateLabels = map[GuidelineState]string{
	GuidelineDraft:      "Entwurf",
	GuidelineApproved:   "in Kraft",
	GuidelineSuperseded: "abgelöst",
}

// GuidelineRole is a role the guideline names and who holds it; a role
// without a holder is not appointed, which keeps gate G1 closed.
type GuidelineRole struct {
	Title  string `json:"title"`  // e.g. "Informationssicherheitsbeauftragte/r"
	Holder string `json:"holder"` // the person appointed; empty while vacant
}

// Guideline is one version (Fassung) of a scope's guideline. Approved and
// superseded versions never change: a change is a new draft.
type Guideline struct {
	ID             int64
	ScopeID        int64
	Number         int // Fassung 1, 2, …
	Title          string
	ScopeStatement string // Geltungsbereich
	Approach       Approach
	CatalogID      *int64 // Grundschutz++: the catalog or profile measured against
	// Target dates: by when the Basis, Standard and elevated (H)
	// requirements in scope are to be met; nil when the guideline sets none.
	BasisBy    *time.Time
	StandardBy *time.Time
	ElevatedBy *time.Time
	// ReviewMonths is the review cycle: the guideline is overdue for review
	// this many months after its approval.
	ReviewMonths int
	// EvidenceCoverage is the share (percent) of "yes" check entries that
	// must be backed by an accepted, unexpired evidence (gate G8).
	EvidenceCoverage int
	// RequiredModules are the scope-wide modules (IDs such as "ISMS.1")
	// the scope object must carry (gate G4); ISMS.1 is required always.
	RequiredModules []string
	Roles           []GuidelineRole
	State           GuidelineState
	// Approval by management: who (the account, and its name at that
	// moment), on which day, and the SHA-256 (hex) of the approved content,
	// so what was approved can be shown unchanged. Versions approved before
	// approvals were bound to accounts have no ApprovedByID.
	ApprovedBy   string
	ApprovedByID *int64
	ApprovedOn   *time.Time
	ApprovedHash string
	CreatedBy    string
	CreatedAt    time.Time
	Version      int
}

// ReviewDue is the day the guideline in force must have been reviewed by;
// zero when it is not approved.
func (g Guideline) ReviewDue() time.Time {
	if g.ApprovedOn == nil || g.ReviewMonths <= 0 {
		return time.Time{}
	}
	return g.ApprovedOn.AddDate(0, g.ReviewMonths, 0)
}

// Certificate is the ISO 27001 certificate on the basis of IT-Grundschutz
// a scope holds (gate G10). It runs three years with yearly surveillance
// audits.
type Certificate struct {
	ID         int64
	ScopeID    int64
	Number     string // e.g. "BSI-IGZ-0123-2026"
	IssuedOn   time.Time
	ValidUntil time.Time
	CreatedBy  string
	CreatedAt  time.Time
	Version    int
}
