package demo

import (
	"context"
	"fmt"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// The demo's guideline (Leitlinie zur Informationssicherheit), the
// policies in force (reference document A.0), the certificate and the
// recertification audit that led to it. Names, numbers and dates are
// invented for the demo, except that the network was first certified in
// December 2019 on three-year certificates (public, see the scope
// description). Dates count from the day of seeding, so the story stays
// the same: version 1 approved about 14 months ago, superseded by version
// 2 about 3 months ago, version 3 in draft; one role the guideline names
// is vacant (gate G1); the guideline requires NET.1.1 on the scope, which
// the modelling does not assign there yet (gate G4); one policy is overdue
// for review; the certificate from the last recertification is valid.

// managementUser approves the guideline: the management role.
const managementUser = "demo-leitung"

// GuidelineTitle is the title of every version of the demo guideline.
const GuidelineTitle = "Leitlinie zur Informationssicherheit im Landesdatennetz (Demo)"

// Approver is the name the approvals of the guideline carry: the display
// name of the demo management account, which signs them.
const Approver = "CIO / Institutionsleitung (Demo)"

// Who approved the policies, as their cover sheets would say.
const (
	approverCIO  = "Landesbeauftragte/r für E-Government und IT (Demo)"
	approverTLRZ = "Leitung Landesrechenzentrum TLRZ (Demo)"
	approverCERT = "Leitung Thüringen-CERT und Leitung TLRZ gemeinsam (Demo)"
)

// VacantRole is the role version 2 of the guideline introduced and nobody
// holds yet.
const VacantRole = "Notfallbeauftragte/r"

// missingScopeModule is the scope-wide module version 2 of the guideline
// requires that the demo modelling assigns to the network parts only, not
// to the scope: the G4 blocker.
const missingScopeModule = "NET.1.1"

const guidelineScopeStatement = "Die Leitlinie gilt für das Landesdatennetz (Corporate Network Freistaat Thüringen) mit den zentralen " +
	"Server-, Speicher- und Netzkomponenten an den Rechenzentrumsstandorten Erfurt und Ilmenau, den zugehörigen Gebäuden und Räumen, " +
	"der Administrationsumgebung des Landesrechenzentrums sowie den Übergängen ins Internet, zu den Kommunen und in das " +
	"Verbindungsnetz des Bundes. Die Ressorts verantworten ihre Standortanbindungen gemeinsam mit dem TLRZ; jedes Ressort benennt " +
	"eine oder einen ISB. Sicherheitsziele: Vertraulichkeit der übertragenen Daten bis VS-NUR FÜR DEN DIENSTGEBRAUCH, " +
	"Verfügbarkeit des Transportdienstes rund um die Uhr, nachvollziehbare Administration (Demo)."

// The roles of the guideline's versions.
var (
	roleISB      = domain.GuidelineRole{Title: "Informationssicherheitsbeauftragte/r (ISB)", Holder: "ISB Landesdatennetz (Demo)"}
	roleISMTeam  = domain.GuidelineRole{Title: "IS-Management-Team", Holder: "ISB Landesdatennetz, Ressort-ISB und Sicherheitsteam TLRZ (Demo)"}
	roleDSB      = domain.GuidelineRole{Title: "Datenschutzbeauftragte/r", Holder: "Behördliche Datenschutzbeauftragte des Finanzministeriums (Demo)"}
	roleNotfallB = domain.GuidelineRole{Title: VacantRole}
)

// guidelineVersions are the contents of versions 1 and 2, approved in
// turn, and of version 3, left in draft; approvedAgo is in months (0: the
// draft). Target dates are months from today.
func guidelineVersions(today time.Time) []struct {
	in          domain.GuidelineInput
	approvedAgo int
} {
	month := func(n int) *time.Time {
		d := today.AddDate(0, n, 0)
		return &d
	}
	v1 := domain.GuidelineInput{Title: GuidelineTitle, ScopeStatement: guidelineScopeStatement, Approach: domain.ApproachStandard,
		BasisBy: month(-2), StandardBy: month(6), ElevatedBy: month(12), ReviewMonths: 12, EvidenceCoverage: 50,
		RequiredModules: []string{"ISMS.1", "ORP.4", "CON.3", "OPS.1.1.3", "DER.2.1"},
		Roles:           []domain.GuidelineRole{roleISB, roleISMTeam, roleDSB}}
	// Version 2: the Basis target was missed and moved, the evidence
	// target raised, the network architecture required scope-wide and a
	// role for emergency management introduced, still vacant.
	v2 := v1
	v2.BasisBy, v2.StandardBy, v2.ElevatedBy = month(2), month(9), month(15)
	v2.EvidenceCoverage = 60
	v2.RequiredModules = append(append([]string{}, v1.RequiredModules...), missingScopeModule)
	v2.Roles = []domain.GuidelineRole{roleISB, roleISMTeam, roleDSB, roleNotfallB}
	// Version 3, in draft: the ministries' sites are behind, so the ISB
	// proposes to move the Standard target by three months.
	v3 := v2
	v3.StandardBy = month(12)
	return []struct {
		in          domain.GuidelineInput
		approvedAgo int
	}{{v1, 14}, {v2, 3}, {v3, 0}}
}

// policy is a demo policy of A.0 on one of the demo evidence items.
type policy struct {
	title        string
	evidence     string // evidenceItem key
	versionLabel string
	approvedBy   string
	approvedAgo  [2]int // months and days before today
	reviewMonths int
}

// policies are the demo's A.0 policies in force. The emergency plan was
// approved 26 months ago with a two-year review cycle: overdue.
var policies = []policy{
	{"Richtlinie zur Behandlung von Sicherheitsvorfällen", "vorfall", "2.0", approverCERT, [2]int{0, 100}, 12},
	{"Datensicherungskonzept zentrale Netzdienste", "sicherung", "3.1", approverTLRZ, [2]int{0, 30}, 12},
	{"Berechtigungskonzept Managementnetz", "berechtigung", "1.4", approverTLRZ, [2]int{0, 120}, 24},
	{"Notfallvorsorgekonzept Landesdatennetz", "notfall", "1.2", approverCIO, [2]int{26, 0}, 24},
	{"Richtlinie Patch- und Änderungsmanagement", "patch", "2.3", approverTLRZ, [2]int{8, 0}, 12},
}

// firstCertified is the day of the first certificate (December 2019 is
// public; the day is invented). Certificates run three years, so the
// network is recertified every third December.
var firstCertified = time.Date(2019, time.December, 12, 0, 0, 0, 0, time.UTC)

// certificateIssued is the day of the certificate in force on today: the
// last recertification day not after today.
func certificateIssued(today time.Time) time.Time {
	issued := firstCertified
	for next := issued.AddDate(domain.CertificateYears, 0, 0); !next.After(today); next = next.AddDate(domain.CertificateYears, 0, 0) {
		issued = next
	}
	return issued
}

// certificateNumber is the invented number of the certificate issued in year.
func certificateNumber(year int) string {
	return fmt.Sprintf("BSI-IGZ-0815-%d (Demo)", year)
}

// guidelineCounts is what seedGuideline stored.
type guidelineCounts struct {
	guidelines, policies, audits int
	certificate                  string
}

// seedGuideline stores the guideline's versions, the policies, the
// recertification audit and the certificate as the demo people would: the
// ISB drafts and management approves, in turn; the auditor records the
// recertification audit; the ISB records the policies and the
// certificate. evidence holds the IDs of the demo evidence by key.
func seedGuideline(ctx context.Context, db *postgres.DB, scopeID int64, evidence map[string]int64, today time.Time) (guidelineCounts, error) {
	var n guidelineCounts
	people, err := demoActors(ctx, db, isbUser, managementUser, auditorUser)
	if err != nil {
		return n, err
	}
	isb, management, auditor := people[0], people[1], people[2]

	for _, v := range guidelineVersions(today) {
		draft, err := postgres.InTxValue(ctx, db, isb, func(tx *postgres.Tx) (domain.Guideline, error) {
			return tx.CreateGuidelineDraft(ctx, scopeID, v.in)
		})
		if err != nil {
			return n, fmt.Errorf("demo guideline draft: %w", err)
		}
		n.guidelines++
		if v.approvedAgo == 0 {
			continue
		}
		// Signed by the management account on a day in the past: a path
		// open to the seed only, as requests always sign on today.
		err = db.InTx(ctx, management, func(tx *postgres.Tx) error {
			_, err := tx.ApproveGuideline(ctx, draft.ID, draft.Version,
				domain.Signature{UserID: *management.UserID, On: today.AddDate(0, -v.approvedAgo, 0)}, today)
			return err
		})
		if err != nil {
			return n, fmt.Errorf("demo guideline approval: %w", err)
		}
	}

	issued := certificateIssued(today)
	err = db.InTx(ctx, auditor, func(tx *postgres.Tx) error {
		return seedRecertificationAudit(ctx, tx, scopeID, issued)
	})
	if err != nil {
		return n, fmt.Errorf("demo recertification audit: %w", err)
	}
	n.audits = 1

	err = db.InTx(ctx, isb, func(tx *postgres.Tx) error {
		for _, p := range policies {
			id, ok := evidence[p.evidence]
			if !ok {
				return fmt.Errorf("demo policy %q: no evidence %s", p.title, p.evidence)
			}
			_, err := tx.CreatePolicy(ctx, scopeID, domain.PolicyInput{Title: p.title, EvidenceID: id, VersionLabel: p.versionLabel,
				ApprovedBy: p.approvedBy, ApprovedOn: today.AddDate(0, -p.approvedAgo[0], -p.approvedAgo[1]), ReviewMonths: p.reviewMonths}, postgres.Everything)
			if err != nil {
				return fmt.Errorf("demo policy %q: %w", p.title, err)
			}
		}
		c, err := tx.CreateCertificate(ctx, scopeID, domain.CertificateInput{Number: certificateNumber(issued.Year()), IssuedOn: issued})
		if err != nil {
			return fmt.Errorf("demo certificate: %w", err)
		}
		n.certificate = c.Number
		return nil
	})
	if err != nil {
		return n, err
	}
	n.policies = len(policies)
	return n, nil
}

// seedRecertificationAudit records the completed recertification audit
// some six weeks before the certificate was issued: three modules picked
// by hand, all conforming, no finding.
func seedRecertificationAudit(ctx context.Context, tx *postgres.Tx, scopeID int64, issued time.Time) error {
	starts := issued.AddDate(0, 0, -46)
	a, err := tx.CreateAudit(ctx, scopeID, domain.AuditInput{Kind: domain.AuditRecertification,
		Title:    fmt.Sprintf("Re-Zertifizierungsaudit %d (Demo)", issued.Year()),
		Auditors: []string{auditorUser, "Zweitauditor der Zertifizierungsstelle (Demo)"},
		StartsOn: starts, EndsOn: starts.AddDate(0, 0, 3),
		ScopeNote: "Re-Zertifizierung nach ISO 27001 auf der Basis von IT-Grundschutz für weitere drei Jahre: Dokumentenprüfung " +
			"der Referenzdokumente A.0 bis A.6 und Vor-Ort-Prüfung in Erfurt und Ilmenau (Demo).",
		State: domain.AuditInProgress})
	if err != nil {
		return err
	}
	for _, p := range []struct{ module, note string }{
		{"ISMS.1", "Leitlinie in Kraft, Rollen besetzt, Managementbericht an den CIO liegt vor (Demo)."},
		{"INF.2", "Begehung beider Serverräume in Erfurt und der RZ-Zelle Ilmenau ohne Abweichung (Demo)."},
		{"NET.3.2", "Regelwerk und Freigabeprozess des Internet-Firewall-Clusters nachvollzogen (Demo)."},
	} {
		s, err := tx.AddSampleItem(ctx, a.ID, domain.SampleInput{Type: domain.SampleModule, ModuleID: p.module}, postgres.Everything)
		if err != nil {
			return err
		}
		if _, err := tx.RecordSampleResult(ctx, s.ID, s.Version, domain.SampleResultChange{Result: new(domain.ResultConforming), Note: &p.note}); err != nil {
			return err
		}
	}
	done := domain.AuditCompleted
	_, err = tx.UpdateAudit(ctx, a.ID, a.Version, domain.AuditChange{State: &done})
	return err
}
