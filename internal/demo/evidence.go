package demo

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// The demo's evidence (Nachweise) and audits. Every title, file and
// comment is invented for the demo; the files are a few lines of our own
// text. Dates count from the day of seeding, so the story stays the same
// whenever the demo is set up: two items expire within 30 days, one within
// 60 to 90 days, one has expired, the auditor's queue is not empty and
// the surveillance audit in progress has one open minor nonconformity.

// The demo people who upload, review and answer.
const (
	isbUser     = "demo-isb"
	isbTLRZUser = "demo-isb-tlrz"
	auditorUser = "demo-auditor"
)

// evidenceLink is what a demo item proves: a check entry (object key and
// requirement), the risk analysis of an object, or the first measure of
// an object's implementation plan.
type evidenceLink struct {
	target      domain.LinkTarget
	object      string
	requirement string
}

func entry(object, requirement string) evidenceLink {
	return evidenceLink{domain.LinkCheckEntry, object, requirement}
}

// evidenceItem is a demo evidence item with its one version and review.
// Days are counted from the day of seeding; validFor nil means no expiry.
type evidenceItem struct {
	key         string
	title       string
	description string
	dept        string // department code
	uploader    string
	effective   int  // Stichtag: so many days ago
	validFor    *int // valid until so many days from today (negative: expired)
	file        string
	content     string // the file's text; without a file, reference is given
	reference   string
	links       []evidenceLink
	decision    domain.ReviewState // the auditor's; "" leaves it submitted
	comment     string             // with a rejection or question
	answer      string             // the ISB's answer to a question: back in the queue
}

func days(n int) *int { return &n }

// textFile is the MIME type of the demo files.
const textFile = "text/plain; charset=utf-8"

var evidenceItems = []evidenceItem{
	{key: "leitlinie", title: "Leitlinie zur Informationssicherheit der Landesverwaltung", dept: "TFM-CIO", uploader: isbUser, effective: 210,
		description: "Von der Landesregierung beschlossene Leitlinie mit Sicherheitszielen, Verantwortung der Leitung und Rolle der Ressort-ISB (Demo).",
		reference:   "Az. CIO-2210-ISMS/2025 (Demo)",
		links:       []evidenceLink{entry("scope", "ISMS.1.A1"), entry("scope", "ISMS.1.A3")}, decision: domain.ReviewAccepted},
	{key: "restore", title: "Protokoll Wiederherstellungstest DNS und RADIUS", dept: "TLRZ-RZ", uploader: isbUser, effective: 40, validFor: days(75),
		description: "Halbjährlicher Test: Wiederherstellung der zentralen Netzdienste aus der Datensicherung am Standort Ilmenau (Demo).",
		file:        "Wiederherstellungstest_DNS_RADIUS.txt", content: restoreText,
		links: []evidenceLink{entry("scope", "CON.3.A5"), entry("dns", "APP.3.6.A2")}, decision: domain.ReviewAccepted},
	{key: "brandmelde", title: "Prüfbericht Brandmeldeanlage Rechenzentrum Erfurt", dept: "TLRZ-RZ", uploader: isbUser, effective: 377, validFor: days(-12),
		description: "Jährliche Prüfung der Brandmeldeanlage durch einen Sachverständigen; die Wiederholungsprüfung steht aus (Demo).",
		file:        "Pruefbericht_BMA_RZ_Erfurt.txt", content: fireText,
		links: []evidenceLink{entry("rz-ef", "INF.2.A8")}, decision: domain.ReviewAccepted},
	{key: "klima", title: "Wartungsnachweis Klimatisierung Serverräume A und B", dept: "TLRZ-RZ", uploader: isbUser, effective: 170, validFor: days(19),
		description: "Wartungsprotokoll des Dienstleisters zur Klimatisierung beider Serverräume in Erfurt; der Wartungsvertrag läuft bald aus (Demo).",
		reference:   "Wartungsvertrag WV-2024-117, Wartungsprotokoll Nr. 6 (Demo)",
		links:       []evidenceLink{entry("sr-a", "INF.2.A10"), entry("sr-b", "INF.2.A10")}, decision: domain.ReviewAccepted},
	{key: "firewall", title: "Rezertifizierung Firewall-Regelwerk Internet-Firewall-Cluster", dept: "TLRZ-NET", uploader: isbTLRZUser, effective: 95, validFor: days(26),
		description: "Vierteljährliche Durchsicht aller Regeln mit Bestätigung durch die fachlich Verantwortlichen (Demo).",
		file:        "Rezertifizierung_Firewall-Regelwerk.txt", content: firewallText,
		links: []evidenceLink{entry("fw", "NET.3.2.A2"), entry("fw", "NET.3.2.A4")}, decision: domain.ReviewAccepted},
	{key: "netzplan", title: "Netzplan Landesdatennetz (Kernnetz und Übergänge)", dept: "TLRZ-NET", uploader: isbUser, effective: 80,
		description: "Erläuterung zum Netzplan: Kernstandorte, Zonen, Übergänge ins Internet und ins Verbindungsnetz (Demo).",
		file:        "Netzplan_LDN_Erlaeuterung.txt", content: networkText,
		links: []evidenceLink{entry("backbone", "NET.1.1.A2"), entry("mgmtnet", "NET.1.1.A4")}, decision: domain.ReviewAccepted},
	{key: "risiko", title: "Freigabe der Risikoanalyse Admin-Jump-Hosts durch die Hausleitung", dept: "TFM", uploader: isbUser, effective: 21,
		description: "Vermerk über die Übernahme der Restrisiken durch den Staatssekretär des Finanzministeriums (Demo).",
		reference:   "Vermerk Az. 14-0521/ISMS (Demo)",
		links:       []evidenceLink{{target: domain.LinkRiskAnalysis, object: "jump"}}, decision: domain.ReviewAccepted},
	{key: "sicherung", title: "Datensicherungskonzept zentrale Netzdienste", dept: "TLRZ-RZ", uploader: isbUser, effective: 30, validFor: days(335),
		description: "Überarbeitetes Konzept mit Sicherungsplänen für Konfigurationen, DNS-Zonen und Zertifikate (Demo).",
		reference:   "DOK-TLRZ-RZ-0042, Version 3.1 (Demo)",
		links:       []evidenceLink{entry("scope", "CON.3.A2"), entry("scope", "CON.3.A4")}},
	{key: "firmware", title: "Änderungsprotokoll Firmware-Update Core-MPLS-Router", dept: "TLRZ-NET", uploader: isbTLRZUser, effective: 14,
		description: "Freigegebene Änderung mit Test im Labor, Wartungsfenster und Rückfallplan für die vier Kernrouter (Demo).",
		file:        "Aenderungsprotokoll_Firmware_Core.txt", content: firmwareText,
		links: []evidenceLink{entry("scope", "OPS.1.1.3.A15"), entry("core-ef1", "NET.3.1.A1")}},
	{key: "vorfall", title: "Richtlinie zur Behandlung von Sicherheitsvorfällen", dept: "CERT", uploader: isbUser, effective: 100, validFor: days(265),
		description: "Gemeinsame Richtlinie von Thüringen-CERT und TLRZ: Meldewege, Bewertung und Abschlussbericht (Demo).",
		reference:   "https://intranet.example/cert/richtlinie-sicherheitsvorfaelle",
		links:       []evidenceLink{entry("cert", "DER.2.1.A1"), entry("cert", "DER.2.1.A2")}},
	{key: "jahresbericht", title: "Jahresbericht Informationssicherheit an den CIO", dept: "TFM-CIO", uploader: isbUser, effective: 50,
		description: "Bericht über Stand, Vorfälle und Ziele der Informationssicherheit im Landesdatennetz (Demo).",
		reference:   "https://intranet.example/isms/jahresbericht",
		links:       []evidenceLink{entry("scope", "ISMS.1.A11")}},
	{key: "berechtigung", title: "Berechtigungskonzept Managementnetz", dept: "TLRZ-SEC", uploader: isbUser, effective: 120,
		description: "Rollen und Rechte der Administratoren im Managementnetz, Zugang nur über die Admin-Jump-Hosts (Demo).",
		file:        "Berechtigungskonzept_Managementnetz.txt", content: accessText,
		links: []evidenceLink{entry("scope", "ORP.4.A2"), entry("radius", "ORP.4.A4")}, decision: domain.ReviewRejected,
		comment: "Das Dokument beschreibt das Konzept, belegt aber nicht seine Umsetzung: Es fehlt das Protokoll der letzten Rezertifizierung " +
			"der Administrationskonten. Bitte mit Stand und Freigabe als neue Version einreichen."},
	{key: "notfall", title: "Notfallvorsorgekonzept Landesdatennetz", dept: "TLRZ", uploader: isbUser, effective: 790,
		description: "Notfallorganisation, Wiederanlaufpläne der Kernstandorte und Umschaltung auf Ilmenau; die turnusmäßige " +
			"Überprüfung steht aus, eine Notfallbeauftragte oder ein Notfallbeauftragter ist noch nicht benannt (Demo).",
		reference: "DOK-TLRZ-0007, Version 1.2 (Demo)",
		links:     []evidenceLink{entry("wan", "NET.1.1.A27"), entry("scope", "DER.2.1.A13")}, decision: domain.ReviewAccepted},
	{key: "patch", title: "Richtlinie Patch- und Änderungsmanagement", dept: "TLRZ-NET", uploader: isbUser, effective: 240,
		description: "Zuständigkeiten, Änderungsklassen, Freigabe im Änderungsbeirat, Wartungsfenster und Rückfallpläne für alle " +
			"Netz- und Serverkomponenten des Landesdatennetzes (Demo).",
		reference: "DOK-TLRZ-NET-0019, Version 2.3 (Demo)",
		links:     []evidenceLink{entry("scope", "OPS.1.1.3.A1"), entry("scope", "OPS.1.1.3.A2")}, decision: domain.ReviewAccepted},
	{key: "zutritt", title: "Zutrittsprotokoll Technikraum Kultusministerium", dept: "TMBJS", uploader: isbUser, effective: 35,
		description: "Auszug aus dem Zutrittsbuch des Technikraums (Demo).",
		reference:   "Zutrittsbuch Technikraum, Auszug der letzten drei Monate (Demo)",
		links:       []evidenceLink{entry("techraum", "INF.2.A6")}, decision: domain.ReviewNeedsInfo,
		comment: "Enthält der Auszug auch die begleiteten Zutritte von Fremdfirmen? Bitte den Zeitraum und die freigebende Stelle angeben."},
	{key: "haushalt", title: "Haushaltsanmeldung Ertüchtigung Technikraum Kultusministerium", dept: "TMBJS", uploader: isbUser, effective: 25,
		description: "Anmeldung der Mittel für die offenen Maßnahmen im Technikraum des Kultusministeriums (Demo).",
		reference:   "Haushaltsanmeldung Kapitel 04, Titelgruppe 71 (Demo)",
		links:       []evidenceLink{{target: domain.LinkPlanItem, object: "techraum"}}, decision: domain.ReviewNeedsInfo,
		comment: "Welche der offenen Maßnahmen deckt die Anmeldung ab? Bitte die Positionen nennen.",
		answer: "Die Anmeldung umfasst alle offenen Maßnahmen des Technikraums (Positionen 3 bis 7 der Anlage); " +
			"die Mittel sind für das kommende Haushaltsjahr beantragt."},
}

// The demo files: short texts of our own, plausible for the title.
const (
	restoreText = `Protokoll Wiederherstellungstest (Demo)
Gegenstand: DNS-Zonen und RADIUS-Konfiguration der zentralen Netzdienste
Ablauf: Rücksicherung aus der Nachtsicherung auf den Virtualisierungscluster Ilmenau
Ergebnis: Beide Dienste nach 47 Minuten betriebsbereit, Namensauflösung und Anmeldung geprüft.
Abweichungen: keine. Nächster Test im kommenden Halbjahr.
Durchgeführt: Rechenzentrumsbetrieb TLRZ; Bestätigt: Sicherheitsteam TLRZ
`
	fireText = `Prüfbericht Brandmeldeanlage (Demo)
Objekt: Rechenzentrum Erfurt, Serverräume A und B, Technikflächen
Umfang: Melder, Zentrale, Alarmierung der Feuerwehr, Ansteuerung der Löschanlage
Ergebnis: Anlage betriebsbereit; zwei Melder im Serverraum B getauscht.
Nächste Prüfung: in zwölf Monaten.
`
	firewallText = `Rezertifizierung Firewall-Regelwerk (Demo)
Cluster: Internet-Firewall-Cluster, Paketfilter und Application-Level-Gateway
Geprüft: 412 Regeln; 9 ohne Bedarf entfernt, 3 auf einzelne Ziele eingeschränkt.
Jede verbleibende Regel ist von der fachlich verantwortlichen Stelle bestätigt.
Freigabe: Vier-Augen-Prinzip im Firewall-Management; nächste Rezertifizierung im nächsten Quartal.
`
	networkText = `Erläuterung zum Netzplan Landesdatennetz (Demo)
Kernnetz: je zwei MPLS-Router in Erfurt und Ilmenau, verbunden über zwei getrennte Glasfasertrassen.
Zonen: getrennte VRFs je Ressort und Dienst; Managementnetz nur über die Admin-Jump-Hosts erreichbar.
Übergänge: Internet über zwei Carrier mit Firewall-Cluster; Verbindungsnetz über SINA-Gateway, kein Internet-Transit.
Der vollständige Plan liegt im Netzdokumentationssystem des TLRZ.
`
	firmwareText = `Änderungsprotokoll (Demo)
Änderung: Firmware-Update der vier Core-MPLS-Router
Test: im Labor auf Testsystem, ohne Befund; Rückfallplan: vorherige Firmware auf zweiter Partition
Wartungsfenster: nachts, je Standort nacheinander, Redundanz jederzeit gegeben
Ergebnis: alle vier Router aktualisiert, Routing und Verschlüsselung geprüft.
`
	accessText = `Berechtigungskonzept Managementnetz (Demo)
Rollen: Netzadministration, Firewall-Administration, Lesezugriff Monitoring
Zugang: ausschließlich über die Admin-Jump-Hosts mit persönlicher Kennung und zweitem Faktor
Vergabe und Entzug: per Änderungsantrag im Ticketsystem, Freigabe durch die Leitung Netzbetrieb
Rezertifizierung: halbjährlich durch das Sicherheitsteam TLRZ
`
)

// evidenceCounts is what seedEvidence stored; ids are the evidence
// items' IDs by key.
type evidenceCounts struct {
	evidence, audits, findings int
	ids                        map[string]int64
}

// seedEvidence stores the demo's evidence and audits as the demo people
// would: the ISBs upload, the auditor reviews and audits, the ISB answers
// and proposes corrective actions, the auditor verifies. A transaction
// has one actor, so this takes five, each all-or-nothing, in the order
// the work would be done; an error stops the rest and is returned. The
// people are looked up by username, so accounts that were taken before
// the demo (and skipped) act just the same.
func seedEvidence(ctx context.Context, db *postgres.DB, scopeID int64, objIDs map[string]int64, deptIDs map[string]int64,
	today time.Time) (evidenceCounts, error) {
	var n evidenceCounts
	people, err := demoActors(ctx, db, isbUser, isbTLRZUser, auditorUser)
	if err != nil {
		return n, err
	}
	isb, isbTLRZ, auditor := people[0], people[1], people[2]
	targets, err := linkTargets(ctx, db, scopeID, objIDs)
	if err != nil {
		return n, err
	}

	// 1. The uploads, each ISB in a transaction of their own.
	stored := map[string]domain.Evidence{}
	for _, who := range []domain.Actor{isb, isbTLRZ} {
		err := db.InTx(ctx, who, func(tx *postgres.Tx) error {
			for _, it := range evidenceItems {
				if it.uploader != who.Name {
					continue
				}
				e, err := uploadEvidence(ctx, tx, scopeID, it, deptIDs, targets, today)
				if err != nil {
					return fmt.Errorf("demo evidence %s: %w", it.key, err)
				}
				stored[it.key] = e
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	n.evidence = len(stored)
	n.ids = make(map[string]int64, len(stored))
	for key, e := range stored {
		n.ids[key] = e.ID
	}

	// 2. The auditor reviews and audits.
	var internalFinding, minorFinding domain.Finding
	err = db.InTx(ctx, auditor, func(tx *postgres.Tx) error {
		for _, it := range evidenceItems {
			if it.decision == "" {
				continue
			}
			e := stored[it.key]
			if _, err := tx.ReviewEvidence(ctx, e.ID, e.Version, domain.ReviewInput{Decision: it.decision, Comment: it.comment}, postgres.Everything); err != nil {
				return fmt.Errorf("demo review of %s: %w", it.key, err)
			}
		}
		var err error
		if internalFinding, err = seedInternalAudit(ctx, tx, scopeID, objIDs, targets, today); err != nil {
			return fmt.Errorf("demo internal audit: %w", err)
		}
		if minorFinding, err = seedSurveillanceAudit(ctx, tx, scopeID, objIDs, targets, today); err != nil {
			return fmt.Errorf("demo surveillance audit: %w", err)
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	n.audits, n.findings = 2, 3 // the internal audit's finding, the surveillance audit's two

	// 3. The ISB answers the question that has an answer and proposes
	// corrective actions for both nonconformities; the recertified
	// firewall rules are the evidence of the internal audit's one.
	err = db.InTx(ctx, isb, func(tx *postgres.Tx) error {
		for _, it := range evidenceItems {
			if it.answer == "" {
				continue
			}
			if _, err := tx.CommentEvidence(ctx, stored[it.key].ID, domain.CommentInput{Body: it.answer}, postgres.Everything); err != nil {
				return fmt.Errorf("demo answer on %s: %w", it.key, err)
			}
		}
		if err := tx.LinkEvidence(ctx, stored["firewall"].ID, domain.LinkFinding, internalFinding.ID, postgres.Everything); err != nil {
			return fmt.Errorf("demo evidence of a finding: %w", err)
		}
		var err error
		internalFinding, err = tx.SubmitCorrectiveAction(ctx, internalFinding.ID, internalFinding.Version, domain.CorrectiveActionInput{
			Description: "Regelwerk vollständig rezertifiziert; die Rezertifizierung ist als wiederkehrende Aufgabe im Ticketsystem " +
				"mit Erinnerung an die Regelverantwortlichen eingeplant. Nachweis: Rezertifizierung Firewall-Regelwerk (Demo)."})
		if err != nil {
			return fmt.Errorf("demo corrective action: %w", err)
		}
		if _, err := tx.SubmitCorrectiveAction(ctx, minorFinding.ID, minorFinding.Version, domain.CorrectiveActionInput{
			Description: "Wiederholungsprüfung durch den Sachverständigen ist beauftragt, Termin in drei Wochen; bis dahin wöchentliche " +
				"Sichtprüfung der Zentrale durch den Rechenzentrumsbetrieb. Der neue Prüfbericht folgt als neue Version des Nachweises (Demo)."}); err != nil {
			return fmt.Errorf("demo corrective action: %w", err)
		}
		return nil
	})
	if err != nil {
		return n, err
	}

	// 4. The auditor finds the internal audit's corrective action
	// effective, which closes that finding; the surveillance audit's
	// stays open, its action waiting for the auditor.
	err = db.InTx(ctx, auditor, func(tx *postgres.Tx) error {
		_, err := tx.VerifyCorrectiveAction(ctx, internalFinding.ID, internalFinding.Version, domain.VerificationInput{Verdict: domain.VerdictAccepted,
			Comment: "Rezertifizierung und Wiedervorlage im Ticketsystem eingesehen; wirksam (Demo)."})
		return err
	})
	if err != nil {
		return n, fmt.Errorf("demo verification: %w", err)
	}
	return n, nil
}

// demoActor is a demo user acting in a transaction of their own.
func demoActor(ctx context.Context, db *postgres.DB, username string) (domain.Actor, error) {
	u, err := db.UserByUsername(ctx, username)
	if err != nil {
		return domain.Actor{}, fmt.Errorf("demo user %s: %w", username, err)
	}
	id := u.ID
	return domain.Actor{UserID: &id, Name: u.Username}, nil
}

// demoActors is demoActor for several people, in the order named.
func demoActors(ctx context.Context, db *postgres.DB, usernames ...string) ([]domain.Actor, error) {
	people := make([]domain.Actor, len(usernames))
	for i, username := range usernames {
		var err error
		if people[i], err = demoActor(ctx, db, username); err != nil {
			return nil, err
		}
	}
	return people, nil
}

// linkTarget names an evidenceLink's target for lookup.
func linkTarget(l evidenceLink) string {
	return string(l.target) + " " + l.object + " " + l.requirement
}

// linkTargets finds the IDs of everything the demo evidence and audits
// refer to: check entries by object and requirement, risk analyses by
// object, an object's first measure. A missing one is an error: the
// demo data and the demo catalog have come apart.
func linkTargets(ctx context.Context, db *postgres.DB, scopeID int64, objIDs map[string]int64) (map[string]int64, error) {
	wanted := map[string]evidenceLink{}
	for _, it := range evidenceItems {
		for _, l := range it.links {
			wanted[linkTarget(l)] = l
		}
	}
	for _, l := range auditEntries {
		wanted[linkTarget(l)] = l
	}
	ids := map[string]int64{}
	entries := map[int64][]domain.CheckEntry{} // by object
	var plan []domain.PlanItem
	for name, l := range wanted {
		objectID, ok := objIDs[l.object]
		if !ok {
			return nil, fmt.Errorf("demo link to unknown object %q", l.object)
		}
		switch l.target {
		case domain.LinkCheckEntry:
			if _, ok := entries[objectID]; !ok {
				es, _, err := db.ListEntries(ctx, scopeID, domain.EntryFilter{ObjectID: objectID, Limit: 1000}, postgres.Everything)
				if err != nil {
					return nil, err
				}
				entries[objectID] = es
			}
			for _, e := range entries[objectID] {
				if e.RequirementID == l.requirement {
					ids[name] = e.ID
				}
			}
		case domain.LinkRiskAnalysis:
			a, err := db.RiskAnalysisOf(ctx, objectID, postgres.Everything)
			if err != nil {
				return nil, fmt.Errorf("demo risk analysis of %s: %w", l.object, err)
			}
			ids[name] = a.ID
		case domain.LinkPlanItem:
			if plan == nil {
				var err error
				if plan, _, err = db.ListPlanItems(ctx, scopeID, domain.PlanFilter{Limit: 1000}, postgres.Everything); err != nil {
					return nil, err
				}
			}
			for _, p := range plan {
				if p.ObjectID == objectID {
					ids[name] = p.ID
					break
				}
			}
		}
		if ids[name] == 0 {
			return nil, fmt.Errorf("demo link: no %s", strings.TrimSpace(name))
		}
	}
	return ids, nil
}

// uploadEvidence stores one demo item with its version and links.
func uploadEvidence(ctx context.Context, tx *postgres.Tx, scopeID int64, it evidenceItem, deptIDs, targets map[string]int64,
	today time.Time) (domain.Evidence, error) {
	dept, ok := deptIDs[it.dept]
	if !ok {
		return domain.Evidence{}, fmt.Errorf("unknown department %s", it.dept)
	}
	v := domain.VersionInput{EffectiveOn: today.AddDate(0, 0, -it.effective), Reference: it.reference}
	if it.validFor != nil {
		until := today.AddDate(0, 0, *it.validFor)
		v.ValidUntil = &until
	}
	var content io.Reader // nil: a reference without a file
	if it.file != "" {
		v.FileName, v.ContentType = it.file, textFile
		content = strings.NewReader(it.content)
	}
	in := domain.EvidenceInput{Title: it.title, Description: it.description, DepartmentID: &dept, Tags: []string{Tag}}
	e, err := tx.CreateEvidence(ctx, scopeID, in, v, content, postgres.Everything)
	if err != nil {
		return e, err
	}
	for _, l := range it.links {
		if err := tx.LinkEvidence(ctx, e.ID, l.target, targets[linkTarget(l)], postgres.Everything); err != nil {
			return e, err
		}
	}
	return e, nil
}

// The check entries the audits pick by hand.
var (
	firewallRules = entry("fw", "NET.3.2.A2")
	fireAlarm     = entry("rz-ef", "INF.2.A8")
	adminAccounts = entry("scope", "ORP.4.A2")
	auditEntries  = []evidenceLink{firewallRules, fireAlarm, adminAccounts}
)

// sampleSeed is the recorded seed of the surveillance audit's draw, so
// the same data gives the same sample.
const sampleSeed int64 = 271828

// seedInternalAudit records last winter's internal audit of the firewall
// operations: a small hand-picked sample, one minor nonconformity, then
// completed. Its finding is answered and closed afterwards (see
// seedEvidence); the finding is returned for that.
func seedInternalAudit(ctx context.Context, tx *postgres.Tx, scopeID int64, objIDs, targets map[string]int64,
	today time.Time) (domain.Finding, error) {
	a, err := tx.CreateAudit(ctx, scopeID, domain.AuditInput{Kind: domain.AuditInternal,
		Title:    "Internes Audit Firewall-Betrieb (Demo)",
		Auditors: []string{auditorUser, "Interne Revision Finanzministerium (Demo)"},
		StartsOn: today.AddDate(0, 0, -125), EndsOn: today.AddDate(0, 0, -123),
		ScopeNote: "Betrieb des Internet-Firewall-Clusters und des Firewall-Managements: Regelwerkspflege, Freigaben, " +
			"Protokollierung (Demo).",
		State: domain.AuditInProgress})
	if err != nil {
		return domain.Finding{}, err
	}
	picks := []struct {
		in     domain.SampleInput
		result domain.SampleResult
		note   string
	}{
		{domain.SampleInput{Type: domain.SampleModule, ModuleID: "NET.3.2"}, domain.ResultConforming,
			"Sicherheitsrichtlinie und Regelwerk liegen vor und sind freigegeben (Demo)."},
		{domain.SampleInput{Type: domain.SampleObject, ObjectID: objIDs["fw"]}, domain.ResultConforming,
			"Konfiguration stichprobenartig mit dem Regelwerk verglichen, ohne Abweichung (Demo)."},
		{domain.SampleInput{Type: domain.SampleRequirement, EntryID: targets[linkTarget(firewallRules)]}, domain.ResultNonconforming,
			"Die vierteljährliche Rezertifizierung der Regeln war seit zwei Quartalen nicht erfolgt (Demo)."},
	}
	var nonconforming domain.SampleItem // what the finding is about
	for _, p := range picks {
		s, err := tx.AddSampleItem(ctx, a.ID, p.in, postgres.Everything)
		if err != nil {
			return domain.Finding{}, err
		}
		if s, err = tx.RecordSampleResult(ctx, s.ID, s.Version, domain.SampleResultChange{Result: &p.result, Note: &p.note}); err != nil {
			return domain.Finding{}, err
		}
		if p.result == domain.ResultNonconforming {
			nonconforming = s
		}
	}
	due := today.AddDate(0, 0, -95)
	f, err := tx.CreateFinding(ctx, a.ID, domain.FindingInput{Class: domain.FindingMinor,
		Title:       "Firewall-Regelwerk nicht fristgerecht rezertifiziert",
		Description: "Die im Betriebshandbuch festgelegte vierteljährliche Rezertifizierung der Firewall-Regeln ist zweimal ausgefallen (Demo).",
		DueDate:     &due, Links: []domain.FindingLink{{Target: domain.FindingOnSample, TargetID: nonconforming.ID}}}, postgres.Everything)
	if err != nil {
		return f, err
	}
	done := domain.AuditCompleted
	_, err = tx.UpdateAudit(ctx, a.ID, a.Version, domain.AuditChange{State: &done})
	return f, err
}

// seedSurveillanceAudit records this year's first surveillance audit, in
// progress: a sample drawn with the recorded seed plus the fire alarm
// requirement picked by hand, some results, the open minor
// nonconformity (the expired inspection report) and a recommendation. The
// minor finding is returned for the ISB's corrective action.
func seedSurveillanceAudit(ctx context.Context, tx *postgres.Tx, scopeID int64, objIDs, targets map[string]int64,
	today time.Time) (domain.Finding, error) {
	a, err := tx.CreateAudit(ctx, scopeID, domain.AuditInput{Kind: domain.AuditSurveillance1,
		Title:    fmt.Sprintf("1. Überwachungsaudit %d (Demo)", today.Year()),
		Auditors: []string{auditorUser},
		StartsOn: today.AddDate(0, 0, -1), EndsOn: today.AddDate(0, 0, 2),
		ScopeNote: "Überwachungsaudit zum Zertifikat nach ISO 27001 auf der Basis von IT-Grundschutz: Stichprobe aus Bausteinen, " +
			"Zielobjekten und Anforderungen; Schwerpunkte Rechenzentrum Erfurt und Übergänge ins Verbindungsnetz (Demo).",
		State: domain.AuditInProgress})
	if err != nil {
		return domain.Finding{}, err
	}
	// Picked by hand first: a draw skips what is in the sample already.
	fire, err := tx.AddSampleItem(ctx, a.ID, domain.SampleInput{Type: domain.SampleRequirement, EntryID: targets[linkTarget(fireAlarm)]}, postgres.Everything)
	if err != nil {
		return domain.Finding{}, err
	}
	if fire, err = tx.RecordSampleResult(ctx, fire.ID, fire.Version, domain.SampleResultChange{Result: new(domain.ResultNonconforming),
		Note: new("Der letzte Prüfbericht der Brandmeldeanlage ist abgelaufen; die Wiederholungsprüfung ist nicht belegt (Demo).")}); err != nil {
		return domain.Finding{}, err
	}
	seed := sampleSeed
	drawn, _, err := tx.DrawSample(ctx, a.ID, domain.SampleDraw{Modules: 2, Objects: 3, Requirements: 8, Seed: &seed})
	if err != nil {
		return domain.Finding{}, err
	}
	// The first half of the draw is assessed; only what the check
	// reports as done (or dispensable) is found conforming – the rest
	// waits, so the checklist shows open items.
	for _, s := range drawn[:len(drawn)/2] {
		if s.Type == domain.SampleRequirement && s.EntryStatus != domain.StatusYes && s.EntryStatus != domain.StatusNotApplicable {
			continue
		}
		if _, err := tx.RecordSampleResult(ctx, s.ID, s.Version, domain.SampleResultChange{Result: new(domain.ResultConforming),
			Note: new("Ohne Befund (Demo).")}); err != nil {
			return domain.Finding{}, err
		}
	}
	due := today.AddDate(0, 0, 60)
	minor, err := tx.CreateFinding(ctx, a.ID, domain.FindingInput{Class: domain.FindingMinor,
		Title: "Prüfnachweis der Brandmeldeanlage im Rechenzentrum Erfurt abgelaufen",
		Description: "Die jährliche Prüfung der Brandmeldeanlage ist nicht fristgerecht wiederholt worden; " +
			"der vorliegende Prüfbericht ist seit knapp zwei Wochen abgelaufen (Demo).",
		DueDate: &due, Links: []domain.FindingLink{{Target: domain.FindingOnSample, TargetID: fire.ID},
			{Target: domain.FindingOnObject, TargetID: objIDs["rz-ef"]}}}, postgres.Everything)
	if err != nil {
		return minor, err
	}
	_, err = tx.CreateFinding(ctx, a.ID, domain.FindingInput{Class: domain.FindingRecommendation,
		Title: "Rezertifizierung der Administrationskonten nachvollziehbar dokumentieren",
		Description: "Die Rezertifizierung der Administrationskonten im Managementnetz findet statt, ist aber nicht " +
			"protokolliert. Empfohlen wird ein Protokoll je Durchgang mit Stand und Freigabe (Demo).",
		Links: []domain.FindingLink{{Target: domain.FindingOnEntry, TargetID: targets[linkTarget(adminAccounts)]}}}, postgres.Everything)
	return minor, err
}
