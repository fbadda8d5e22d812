package domain

import (
	"slices"
	"time"
)

// GateID names a readiness gate (docs/readiness.md).
type GateID string

const (
	GateGuideline   GateID = "G1"  // Leitlinie
	GateStructure   GateID = "G2"  // Strukturanalyse (A.1)
	GateNeeds       GateID = "G3"  // Schutzbedarf (A.2)
	GateModelling   GateID = "G4"  // Modellierung (A.3)
	GateCheck       GateID = "G5"  // IT-Grundschutz-Check (A.4)
	GateRisk        GateID = "G6"  // Risikoanalyse (A.5)
	GatePlan        GateID = "G7"  // Realisierungsplan (A.6)
	GateEvidence    GateID = "G8"  // Nachweise
	GateAudit       GateID = "G9"  // Audit
	GateCertificate GateID = "G10" // Zertifikat
)

// Gates lists the gates in order.
var Gates = []GateID{GateGuideline, GateStructure, GateNeeds, GateModelling, GateCheck, GateRisk, GatePlan, GateEvidence,
	GateAudit, GateCertificate}

// Valid reports whether g is a known gate.
func (g GateID) Valid() bool { return slices.Contains(Gates, g) }

// Label is the German name of the gate.
func (g GateID) Label() string { return labelOf(gateIDLabels, g) }

var gateIDLabels = map[GateID]string{
	GateGuideline:   "Leitlinie",
	GateStructure:   "Strukturanalyse (A.1)",
	GateNeeds:       "Schutzbedarfsfeststellung (A.2)",
	GateModelling:   "Modellierung (A.3)",
	GateCheck:       "IT-Grundschutz-Check (A.4)",
	GateRisk:        "Risikoanalyse (A.5)",
	GatePlan:        "Realisierungsplan (A.6)",
	GateEvidence:    "Nachweise",
	GateAudit:       "Audit",
	GateCertificate: "Zertifikat",
}

// GateStatus is a gate's outcome.
type GateStatus string

const (
	GatePass GateStatus = "pass" // erfüllt
	GateFail GateStatus = "fail" // nicht erfüllt
	// GateNotApplicable: the gate does not apply yet (G10 before the
	// first certificate); it does not block the verdict.
	GateNotApplicable GateStatus = "not_applicable"
)

// GateStatuses lists the outcomes of a gate.
var GateStatuses = []GateStatus{GatePass, GateFail, GateNotApplicable}

// Label is the German name.
func (s GateStatus) Label() string { return labelOf(gateStatusLabels, s) }

var gateStatusLabels = map[GateStatus]string{
	GatePass:          "erfüllt",
	GateFail:          "nicht erfüllt",
	GateNotApplicable: "entfällt",
}

// Gate is one gate's result: how many items it looked at and how many
// block it. The gate passes exactly when Blocking is zero (or it does not
// apply), so the verdict always agrees with the list of blockers.
type Gate struct {
	ID       GateID
	Status   GateStatus
	Checked  int    // items the gate looked at
	Blocking int    // items that block it; the blocker list has exactly these
	Summary  string // one German sentence for the dashboard
}

// Readiness is a scope's verdict on a day: ready for the certification
// audit when no gate fails.
type Readiness struct {
	ScopeID int64
	Day     time.Time
	Ready   bool
	Gates   []Gate
	// Limited: computed for the reader's department subtrees only; the
	// scope-wide gates (guideline, certificate) are the whole scope's.
	Limited bool
}

// Blocker is one item that keeps a gate closed, with where it is fixed.
type Blocker struct {
	Gate           GateID
	Kind           string // object, check_entry, risk_analysis, plan_item, evidence, finding, guideline, certificate, audit, scope
	ID             int64
	Label          string // what it is, e.g. "SYS.1.1.A3 · S-001 Managementserver"
	Reason         string // German: why it blocks
	DepartmentID   *int64
	DepartmentName string
	URL            string // the page where it is fixed
}

// BlockerKinds lists what a blocker can be (Blocker.Kind).
var BlockerKinds = []string{"guideline", "object", "scope", "check_entry", "risk_analysis", "plan_item", "evidence", "finding", "certificate", "audit"}

// Progress is the check progress of a slice of entries (a department
// subtree, a layer or a level).
type Progress struct {
	Key           string // department id, layer or level
	Label         string
	Total         int
	Yes           int
	NotApplicable int
	Partial       int
	No            int
	Open          int
}

// Done is the number of entries that need nothing more.
func (p Progress) Done() int { return p.Yes + p.NotApplicable }

// Percent is the share done, rounded down.
func (p Progress) Percent() int {
	if p.Total == 0 {
		return 100
	}
	return p.Done() * 100 / p.Total
}
