package domain

import (
	"fmt"
	"strings"
	"time"

	"ismsd/internal/german"
)

// The German sentences of the readiness gates: each gate's summary from
// the figures the store counts, and each blocker's reason from the facts
// the store reads about it. The store decides which items block (one SQL
// predicate per gate); what the page says about them is decided here.

// GateFigures are the counts behind the ten gates, as the reader sees the
// scope, with the guideline and the certificate they were measured
// against.
type GateFigures struct {
	Guideline         *Guideline // in force; nil when none
	GuidelineBlockers int        // G1: see GuidelineBlockers

	Objects        int      // target objects (G2, G3, G4)
	Unstructured   int      // G2: without department or responsible person
	NeedsOpen      int      // G3: need incomplete, deviation unjustified or on a cycle
	Unmodelled     int      // G4: without a module and not marked as having no suitable one
	ScopeModules   []string // G4: the modules the scope must carry
	ModulesMissing int      // G4: of those, not on the scope

	Entries   int // active check entries (G5)
	CheckOpen int // G5: open, unjustified or insufficiently fulfilled

	RiskChecked int // G6: objects that need a risk analysis
	RiskOpen    int // G6: of those, without a complete and accepted one

	PlanChecked int // G7: partial or unfulfilled entries
	PlanOpen    int // G7: of those, without a complete measure, or overdue Basis

	Yes            int // G8: fulfilled entries
	Uncovered      int // G8: of those, without valid evidence
	CoverageTarget int // G8: percent
	Rejected       int // G8: evidence whose newest version was rejected
	Unanswered     int // G8: of those, without an answer since

	Findings     int // G9: nonconformities
	FindingsOpen int // G9: of those, blocking

	// G10: nil while the scope holds no certificate (the gate does not
	// apply yet); see CertificateBlockers for checked and blocking.
	Certificate         *Certificate
	CertificateChecked  int
	CertificateBlockers int

	// The catalog the scope is measured against, and its method. A
	// Grundschutz++ scope's G4 counts the requirements of its package
	// that insert parameters, and those with a parameter still unset.
	Method        Method
	Catalog       string
	ParamsChecked int
	ParamsOpen    int
}

// EvidenceBlocking is G8's blocking count: the fulfilled entries without
// evidence while the coverage falls short of the target, and the
// unanswered rejections.
func (f GateFigures) EvidenceBlocking() int {
	if EvidenceShort(f.Yes, f.Yes-f.Uncovered, f.CoverageTarget) {
		return f.Uncovered + f.Unanswered
	}
	return f.Unanswered
}

// ReadinessGates turns the figures into the ten gates, each with its
// German summary. A gate fails exactly when something blocks it.
func ReadinessGates(f GateFigures) []Gate {
	c := german.Count
	of := func(blocking, checked int, what string) string {
		return c(blocking) + " von " + c(checked) + " " + what
	}
	var gs []Gate

	// G1
	checked1 := 1
	s := "Es ist keine von der Leitung freigegebene Leitlinie in Kraft."
	if g := f.Guideline; g != nil {
		checked1 += len(g.Roles) + 1 // and the scope's approach against the guideline's
		s = fmt.Sprintf("Fassung %d „%s“, freigegeben am %s, Überprüfung bis %s.", g.Number, g.Title,
			dateOrDash(g.ApprovedOn), dateOrDash(ptrTo(g.ReviewDue())))
		if f.GuidelineBlockers > 0 {
			s += " " + c(f.GuidelineBlockers) + " blockierende Punkte."
		}
	}
	gs = append(gs, gate(GateGuideline, checked1, f.GuidelineBlockers, s))

	// G2
	s = "Alle " + c(f.Objects) + " Zielobjekte haben Typ, Organisationseinheit und verantwortliche Person."
	if f.Objects == 0 {
		s = "Es sind noch keine Zielobjekte erfasst."
	}
	if f.Unstructured > 0 {
		s = of(f.Unstructured, f.Objects, "Zielobjekten fehlt die Organisationseinheit oder die verantwortliche Person.")
	}
	gs = append(gs, gate(GateStructure, f.Objects, f.Unstructured, s))

	// G3
	s = "Für alle " + c(f.Objects) + " Zielobjekte ist der Schutzbedarf festgestellt; Abweichungen sind begründet, Zyklen gibt es keine."
	if f.NeedsOpen > 0 {
		s = "Bei " + of(f.NeedsOpen, f.Objects, "Zielobjekten ist der Schutzbedarf unvollständig, eine Abweichung unbegründet oder ein Zyklus offen.")
	}
	gs = append(gs, gate(GateNeeds, f.Objects, f.NeedsOpen, s))

	// G4
	if f.Method == MethodPlusPlus {
		s = "Anforderungspaket aus „" + f.Catalog + "“: alle " + c(f.ParamsChecked) + " Anforderungen mit Parametern haben Werte der Institution."
		if f.ParamsOpen > 0 {
			s = "Anforderungspaket aus „" + f.Catalog + "“: " + of(f.ParamsOpen, f.ParamsChecked, "Anforderungen mit Parametern fehlen noch Werte.")
		}
		gs = append(gs, gate(GateModelling, f.ParamsChecked, f.ParamsOpen, s))
	} else {
		s = "Alle " + c(f.Objects) + " Zielobjekte sind modelliert; die übergreifenden Bausteine (" + strings.Join(f.ScopeModules, ", ") + ") sind zugeordnet."
		if f.Unmodelled+f.ModulesMissing > 0 {
			s = c(f.Unmodelled) + " Zielobjekte ohne Baustein; " + c(f.ModulesMissing) + " von " + c(len(f.ScopeModules)) + " übergreifenden Bausteinen fehlen."
		}
		gs = append(gs, gate(GateModelling, f.Objects+len(f.ScopeModules), f.Unmodelled+f.ModulesMissing, s))
	}

	// G5
	s = "Alle " + c(f.Entries) + " Einträge sind umgesetzt, begründet entbehrlich oder durch eine Risikoakzeptanz abgedeckt."
	if f.Method == MethodPlusPlus {
		s = "Alle " + c(f.Entries) + " Einträge sind umgesetzt, begründet entbehrlich oder abgewichen; jede nicht erfüllte MUSS-Anforderung hat eine gültige Ausnahme."
	}
	if f.CheckOpen > 0 {
		s = of(f.CheckOpen, f.Entries, "Einträgen sind unbearbeitet oder nicht ausreichend umgesetzt.")
	}
	if f.Method == MethodPlusPlus {
		s = "Gemessen an „" + f.Catalog + "“. " + s
	}
	gs = append(gs, gate(GateCheck, f.Entries, f.CheckOpen, s))

	// G6
	s = "Alle " + c(f.RiskChecked) + " Zielobjekte, die eine Risikoanalyse brauchen, haben eine vollständige und akzeptierte."
	if f.RiskChecked == 0 {
		s = "Kein Zielobjekt braucht eine Risikoanalyse."
	}
	if f.RiskOpen > 0 {
		s = of(f.RiskOpen, f.RiskChecked, "erforderlichen Risikoanalysen fehlen, sind unvollständig oder nicht akzeptiert.")
	}
	gs = append(gs, gate(GateRisk, f.RiskChecked, f.RiskOpen, s))

	// G7
	mandatory := "Basis-Anforderung"
	if f.Method == MethodPlusPlus {
		mandatory = "MUSS-Anforderung"
	}
	s = "Alle " + c(f.PlanChecked) + " teilweise oder nicht umgesetzten Einträge haben eine Maßnahme mit Verantwortlichen und Frist; keine Maßnahme zu einer " + mandatory + " ist überfällig."
	if f.PlanChecked == 0 {
		s = "Kein Eintrag ist teilweise oder nicht umgesetzt; es ist keine Maßnahme nötig."
	}
	if f.PlanOpen > 0 {
		s = of(f.PlanOpen, f.PlanChecked, "teilweise oder nicht umgesetzten Einträgen fehlt eine vollständige Maßnahme, oder sie ist zu einer "+mandatory+" überfällig.")
	}
	gs = append(gs, gate(GatePlan, f.PlanChecked, f.PlanOpen, s))

	// G8
	covered := f.Yes - f.Uncovered
	s = fmt.Sprintf("Nachweisquote %d %% (Ziel %d %%): %s von %s umgesetzten Einträgen mit gültigem Nachweis", CoveragePercent(f.Yes, covered),
		f.CoverageTarget, c(covered), c(f.Yes))
	if f.Unanswered > 0 {
		s += "; " + c(f.Unanswered) + " abgelehnte Nachweise unbeantwortet."
	} else {
		s += "; kein abgelehnter Nachweis unbeantwortet."
	}
	gs = append(gs, gate(GateEvidence, f.Yes+f.Rejected, f.EvidenceBlocking(), s))

	// G9
	s = "Keine offene schwerwiegende Abweichung; alle geringfügigen haben eine Korrekturmaßnahme und eine Frist."
	if f.FindingsOpen > 0 {
		s = of(f.FindingsOpen, f.Findings, "Abweichungen aus Audits blockieren.")
	}
	gs = append(gs, gate(GateAudit, f.Findings, f.FindingsOpen, s))

	// G10
	crt := f.Certificate
	if crt == nil {
		return append(gs, Gate{ID: GateCertificate, Status: GateNotApplicable,
			Summary: "Noch kein Zertifikat erfasst; der Prüfpunkt gilt erst nach der Zertifizierung."})
	}
	s = fmt.Sprintf("Zertifikat %s gültig bis %s; die jährlichen Überwachungsaudits sind erfolgt.", crt.Number, german.Date(crt.ValidUntil))
	if f.CertificateBlockers > 0 {
		s = fmt.Sprintf("Zertifikat %s (gültig bis %s): %s blockierende Punkte.", crt.Number, german.Date(crt.ValidUntil), c(f.CertificateBlockers))
	}
	return append(gs, gate(GateCertificate, f.CertificateChecked, f.CertificateBlockers, s))
}

// gate makes a gate from its counts: it fails exactly when something blocks.
func gate(id GateID, checked, blocking int, summary string) Gate {
	g := Gate{ID: id, Status: GatePass, Checked: checked, Blocking: blocking, Summary: summary}
	if blocking > 0 {
		g.Status = GateFail
	}
	return g
}

func ptrTo[T any](v T) *T { return &v }

// dateOrDash is a day the German way, or a dash when there is none.
func dateOrDash(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "–"
	}
	return german.Date(*t)
}

// GuidelineBlockers are G1's blockers, without the page to fix them: the
// guideline itself (missing, not approved, past its review date, or with
// an approach that does not lead to the certificate), each role it names
// that nobody holds, and the scope when it is checked with an approach
// that does not cover the guideline's (Kind "scope", ID of the scope).
// For a Grundschutz++ scope approaches mean nothing: the guideline must
// name the scope's catalog (catalogTitle) instead.
func GuidelineBlockers(g *Guideline, scope Scope, catalogTitle string, today time.Time) []Blocker {
	if g == nil {
		return []Blocker{{Gate: GateGuideline, Kind: "guideline", Label: "Leitlinie zur Informationssicherheit",
			Reason: "Es ist keine von der Leitung freigegebene Leitlinie in Kraft."}}
	}
	var reasons []string
	if g.State != GuidelineApproved || g.ApprovedOn == nil {
		reasons = append(reasons, "Die Leitlinie ist nicht von der Leitung freigegeben.")
	}
	if due := g.ReviewDue(); due.IsZero() || due.Before(today) {
		reasons = append(reasons, "Die Überprüfung war bis "+dateOrDash(&due)+" fällig.")
	}
	plusPlus := scope.Method == MethodPlusPlus
	switch {
	case plusPlus && (g.CatalogID == nil || *g.CatalogID != scope.CatalogID):
		reasons = append(reasons, "Die Leitlinie nennt nicht den Katalog „"+catalogTitle+"“, an dem der Informationsverbund gemessen wird.")
	case !plusPlus && g.Approach != ApproachStandard && g.Approach != ApproachCore:
		reasons = append(reasons, "Die Vorgehensweise „"+g.Approach.Label()+"“ führt nicht zum Zertifikat; nötig ist Standard- oder Kern-Absicherung.")
	}
	label := fmt.Sprintf("Leitlinie, Fassung %d: %s", g.Number, g.Title)
	var out []Blocker
	if len(reasons) > 0 {
		out = append(out, Blocker{Gate: GateGuideline, Kind: "guideline", ID: g.ID, Label: label, Reason: strings.Join(reasons, " ")})
	}
	for _, r := range g.Roles {
		if strings.TrimSpace(r.Holder) == "" {
			out = append(out, Blocker{Gate: GateGuideline, Kind: "guideline", ID: g.ID, Label: "Rolle: " + r.Title,
				Reason: "Die Rolle, die die Leitlinie nennt, ist nicht besetzt."})
		}
	}
	// The guideline is what the scope is measured against: a check made
	// with another approach does not show what the guideline demands.
	if reason := ApproachShortfall(scope.Approach, g.Approach); reason != "" && !plusPlus {
		out = append(out, Blocker{Gate: GateGuideline, Kind: "scope", ID: scope.ID,
			Label: "Vorgehensweise des Informationsverbunds", Reason: reason})
	}
	return out
}

// SurveillanceYear is a completed certificate year (the first or the
// second: the third ends with the recertification), from Starts up to
// the day before Ends, and whether a surveillance audit was completed in
// it.
type SurveillanceYear struct {
	K      int       `db:"k"`
	Starts time.Time `db:"starts"`
	Ends   time.Time `db:"ends"`
	Held   bool      `db:"held"`
}

// CertificateBlockers are G10's blockers once a certificate exists,
// without the page to fix them, and how many points were checked: the
// certificate when it is not valid today, and each completed certificate
// year without a completed surveillance audit.
func CertificateBlockers(crt Certificate, today time.Time, years []SurveillanceYear) (checked int, out []Blocker) {
	checked = 1
	if today.Before(crt.IssuedOn) || today.After(crt.ValidUntil) {
		reason := "Das Zertifikat ist seit " + german.Date(crt.ValidUntil.AddDate(0, 0, 1)) + " abgelaufen; eine Rezertifizierung ist nötig."
		if today.Before(crt.IssuedOn) {
			reason = "Das Zertifikat gilt erst ab " + dateOrDash(&crt.IssuedOn) + "."
		}
		out = append(out, Blocker{Gate: GateCertificate, Kind: "certificate", ID: crt.ID, Label: "Zertifikat " + crt.Number, Reason: reason})
	}
	for _, y := range years {
		checked++
		if y.Held {
			continue
		}
		out = append(out, Blocker{Gate: GateCertificate, Kind: "audit", ID: int64(y.K),
			Label:  fmt.Sprintf("Überwachungsaudit im %d. Zertifikatsjahr (%s–%s)", y.K, dateOrDash(&y.Starts), german.Date(y.Ends.AddDate(0, 0, -1))),
			Reason: "In diesem Zertifikatsjahr ist kein Überwachungsaudit abgeschlossen worden."})
	}
	return checked, out
}

// ObjectFacts are what the object gates (G2, G3, G4, G6) read about a
// target object that blocks one of them.
type ObjectFacts struct {
	NoDepartment, NoResponsible       bool // G2
	NeedUnknown, Unjustified, OnCycle bool // G3
	// G6: why the object needs a risk analysis, and how far it is.
	HighNeed, NoSuitableModule, UntypicalEnvironment bool
	HasAnalysis                                      bool
	Threats, Treated                                 int
}

// StructureReason says why an object blocks G2.
func (f ObjectFacts) StructureReason() string {
	switch {
	case f.NoDepartment && f.NoResponsible:
		return "Organisationseinheit und verantwortliche Person fehlen."
	case f.NoDepartment:
		return "Organisationseinheit fehlt."
	}
	return "Verantwortliche Person fehlt."
}

// NeedsReason says why an object blocks G3.
func (f ObjectFacts) NeedsReason() string {
	var out []string
	if f.NeedUnknown {
		out = append(out, "Schutzbedarf nicht für alle Grundwerte festgestellt.")
	}
	if f.Unjustified {
		out = append(out, "Abweichung vom Maximumprinzip ohne Begründung.")
	}
	if f.OnCycle {
		out = append(out, "Liegt auf einem Abhängigkeitszyklus.")
	}
	return strings.Join(out, " ")
}

// ParamsReason says why a requirement of a Grundschutz++ package blocks
// G4: the labels of its parameters without a value.
func ParamsReason(labels string) string {
	return "Parameter ohne Wert der Institution: " + labels + "."
}

// UnmodelledReason says why an object blocks G4.
const UnmodelledReason = "Kein Baustein modelliert und nicht als „kein passender Baustein“ gekennzeichnet."

// RiskReason says why an object blocks G6.
func (f ObjectFacts) RiskReason() string {
	switch {
	case !f.HasAnalysis:
		var why []string
		if f.HighNeed {
			why = append(why, "hohem Schutzbedarf")
		}
		if f.NoSuitableModule {
			why = append(why, "fehlendem passendem Baustein")
		}
		if f.UntypicalEnvironment {
			why = append(why, "untypischem Einsatzumfeld")
		}
		return "Risikoanalyse fehlt (erforderlich wegen " + strings.Join(why, ", ") + ")."
	case f.Threats == 0:
		return "Die Risikoanalyse enthält noch keine Gefährdung."
	case f.Treated < f.Threats:
		return fmt.Sprintf("%d von %d Gefährdungen sind noch nicht bewertet und behandelt.", f.Threats-f.Treated, f.Threats)
	}
	return "Die Restrisiken sind nicht (mehr) von der Institutionsleitung akzeptiert."
}

// ScopeModuleReason says why a scope-wide module blocks G4.
func ScopeModuleReason(inCatalog bool) string {
	if !inCatalog {
		return "Übergreifender Baustein fehlt; der Katalog des Informationsverbunds enthält ihn nicht."
	}
	return "Übergreifender Baustein ist dem Informationsverbund nicht zugeordnet."
}

// EntryFacts are what the entry gates (G5, G7) read about a check entry
// that blocks one of them, with its measure in the plan.
type EntryFacts struct {
	Status     Status
	Level      Level
	Obligation Obligation // Grundschutz++: MUSS, SOLLTE or KANN
	// ExceptionUntil is the end date of the entry's exception that is not
	// revoked (a blocking MUSS entry's exception has expired).
	ExceptionUntil *time.Time
	// The measure, when one is open.
	OpenMeasure bool
	NoOwner     bool
	DueDate     *time.Time
	Overdue     bool // due before today
}

// CheckReason says why an entry blocks G5.
func (f EntryFacts) CheckReason() string {
	how := "nicht"
	if f.Status == StatusPartial {
		how = "nur teilweise"
	}
	switch {
	case f.Status == StatusOpen:
		return "Noch unbearbeitet."
	case f.Status == StatusNotApplicable:
		return "Als entbehrlich markiert, aber ohne Begründung."
	case f.Obligation == ObligationMust && f.ExceptionUntil != nil:
		return "MUSS-Anforderung " + how + " umgesetzt; die Ausnahme der Leitung ist am " + german.Date(*f.ExceptionUntil) + " abgelaufen."
	case f.Obligation == ObligationMust:
		return "MUSS-Anforderung " + how + " umgesetzt und ohne gültige Ausnahme der Leitung; ihr Risiko kann nicht übernommen werden."
	case f.Level == LevelBasis:
		return "Basis-Anforderung " + how + " umgesetzt; das Risiko einer Basis-Anforderung kann nicht übernommen werden."
	case f.Level == LevelStandard:
		return "Standard-Anforderung " + how + " umgesetzt und nicht durch eine gültige Risikoakzeptanz der Leitung abgedeckt."
	}
	return "Anforderung für erhöhten Schutzbedarf " + how + " umgesetzt und nicht durch eine gültige Risikoakzeptanz der Leitung abgedeckt."
}

// PlanReason says why an entry blocks G7.
func (f EntryFacts) PlanReason() string {
	if !f.OpenMeasure {
		return "Keine offene Maßnahme im Realisierungsplan."
	}
	var out []string
	if f.NoOwner {
		out = append(out, "Die Maßnahme hat keine Verantwortlichen.")
	}
	if f.DueDate == nil {
		out = append(out, "Die Maßnahme hat keine Frist.")
	}
	if f.Level == LevelBasis && f.Overdue && f.DueDate != nil {
		out = append(out, "Maßnahme zur Basis-Anforderung seit "+german.Date(*f.DueDate)+" überfällig.")
	}
	if f.Obligation == ObligationMust && f.Overdue && f.DueDate != nil {
		out = append(out, "Maßnahme zur MUSS-Anforderung seit "+german.Date(*f.DueDate)+" überfällig.")
	}
	return strings.Join(out, " ")
}

// UncoveredReason says why a fulfilled entry blocks G8.
const UncoveredReason = "Umgesetzt, aber ohne akzeptierten, gültigen Nachweis."

// RejectedReason says why rejected evidence blocks G8.
func RejectedReason(reviewer string) string {
	return "Abgelehnt von " + reviewer + "; seither weder eine neue Version noch eine Antwort im Verlauf."
}

// FindingReason says why a nonconformity blocks G9: a major one until it
// is closed, a minor one while it lacks a corrective action that was not
// rejected, or a due date.
func FindingReason(major, noAction, noDueDate bool) string {
	if major {
		return "Schwerwiegende Abweichung ist nicht geschlossen."
	}
	var lacks []string
	if noAction {
		lacks = append(lacks, "ohne (angenommene oder ausstehende) Korrekturmaßnahme")
	}
	if noDueDate {
		lacks = append(lacks, "ohne Frist")
	}
	return "Geringfügige Abweichung " + strings.Join(lacks, " und ") + "."
}
