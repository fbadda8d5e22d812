package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	catalogdemo "ismsd/internal/catalog/demo"
	"ismsd/internal/catalogimport"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// The Grundschutz++ demo scope: the data centre (TLRZ) alone, measured
// against the Grundschutz++ demo catalog (internal/catalog/demo, our own
// words, imported like any OSCAL file). Its story: the identity servers
// run Keycloak, whose demo component definition offers implementation
// texts; half of the parameters have the institution's values; two unmet
// MUSS requirements have management's exception, one of them ending
// within days; the readiness still fails where something is missing –
// unset parameters (G4), unmet MUSS requirements without exception and
// open entries (G5), fulfilled entries without evidence (G8), and the
// risk analyses the objects of high need ask for (G6). Everything is
// invented for the demo.

// PlusPlusScopeName is the Grundschutz++ demo scope's name.
const PlusPlusScopeName = "Rechenzentrum TLRZ (Grundschutz++)"

// PlusPlusGuidelineTitle is the title of that scope's guideline.
const PlusPlusGuidelineTitle = "Leitlinie zur Informationssicherheit im Landesrechenzentrum (Grundschutz++, Demo)"

const plusPlusDescription = "Demo-Informationsverbund nach Grundschutz++: der Rechenzentrumsbetrieb des Landesrechenzentrums (TLRZ) " +
	"mit der zentralen Identitäts- und Zugriffsverwaltung auf Keycloak, gemessen am Katalog „Grundschutz++ – Demo-Auszug“. " +
	"Der Katalog, die Keycloak-Komponentendefinition und alle Angaben dieses Verbunds sind für die Vorführung erfunden (Demo); " +
	"für die tatsächliche Arbeit ist der Grundschutz++-Katalog des BSI zu importieren."

// Responsible roles of the Grundschutz++ scope.
const (
	iamTeam   = "IAM-Team TLRZ"
	leitungIS = "Informationssicherheit TLRZ"
)

var plusPlusObjects = []obj{
	{key: "sso", typ: domain.ObjectProcess, name: "Anmeldung an den Fachverfahren (Single Sign-on)", dept: "TLRZ-SEC", responsible: iamTeam, location: "Erfurt / Ilmenau",
		description: "Zentrale Anmeldung der Beschäftigten an den Fachverfahren, die das TLRZ betreibt; fällt sie aus, arbeitet kein angebundenes Verfahren."},
	{key: "logproc", typ: domain.ObjectProcess, name: "Auswertung der Betriebsprotokolle", dept: "TLRZ-SEC", responsible: leitungIS, location: "Erfurt",
		description: "Wöchentliche Durchsicht der Protokolle des Rechenzentrumsbetriebs auf Auffälligkeiten."},
	{key: "iam", typ: domain.ObjectApplication, name: "Identitäts- und Zugriffsverwaltung", dept: "TLRZ-SEC", responsible: iamTeam, location: "Erfurt / Ilmenau",
		description: "Keycloak-Realms der Landesverwaltung mit Anbindung an das zentrale Verzeichnis; vergibt Rollen für die Fachverfahren.",
		tags:        []string{"IAM"}},
	{key: "iam-01", typ: domain.ObjectITSystem, name: "IAM-01 (Keycloak, Erfurt)", dept: "TLRZ-RZ", responsible: leitungRZ, location: "Erfurt",
		description: "Erster Knoten des Keycloak-Clusters im Serverraum Erfurt.", tags: []string{"IAM"}},
	{key: "iam-02", typ: domain.ObjectITSystem, name: "IAM-02 (Keycloak, Ilmenau)", dept: "TLRZ-RZ", responsible: leitungRZ, location: "Ilmenau",
		description: "Zweiter Knoten des Keycloak-Clusters in der RZ-Zelle Ilmenau; übernimmt bei Ausfall des Standorts Erfurt.", tags: []string{"IAM"}},
	{key: "virt", typ: domain.ObjectITSystem, name: "Virtualisierungscluster Rechenzentrum", dept: "TLRZ-RZ", responsible: leitungRZ, location: "Erfurt / Ilmenau",
		description: "Virtualisierungscluster über beide Standorte, auf dem die IAM-Knoten und der Protokollserver laufen."},
	{key: "log", typ: domain.ObjectITSystem, name: "Protokollserver Rechenzentrum", dept: "TLRZ-SEC", responsible: leitungIS, location: "Erfurt",
		description: "Sammelt die Protokolle der Server und des Keycloak-Clusters."},
	{key: "sr", typ: domain.ObjectRoom, name: "Serverraum Erfurt", dept: "TLRZ-RZ", responsible: leitungRZ, location: "Erfurt",
		description: "Serverraum im Rechenzentrum Erfurt. Der Demo-Auszug enthält keine Praktik für Gebäude und Räume.", noModule: true},
	{key: "rz-il", typ: domain.ObjectRoom, name: "RZ-Zelle Ilmenau", dept: "TLRZ-RZ", responsible: leitungRZ, location: "Ilmenau",
		description: "Ausweichstandort des Rechenzentrums. Der Demo-Auszug enthält keine Praktik für Gebäude und Räume.", noModule: true},
}

var plusPlusDependencies = [][2]string{
	{"sso", "iam"}, {"iam", "iam-01"}, {"iam", "iam-02"},
	{"iam-01", "virt"}, {"iam-02", "virt"}, {"iam-01", "sr"}, {"iam-02", "rz-il"},
	{"virt", "sr"}, {"virt", "rz-il"},
	{"logproc", "log"}, {"log", "virt"},
}

var plusPlusNeeds = []struct {
	key   string
	needs [3]domain.NeedInput
}{
	{"sso", own(hoch, hoch, hoch,
		"Über die Anmeldung laufen Zugangsdaten und Rollen aller Beschäftigten; wer sie abgreift, erreicht die Fachverfahren.",
		"Eine verfälschte Rollenvergabe gäbe Unbefugten Rechte in den Fachverfahren, ohne dass es sofort auffiele.",
		"Ohne zentrale Anmeldung arbeitet keines der angebundenen Fachverfahren; mehr als einige Stunden sind nicht tragbar.")},
	{"logproc", own(normal, normal, normal,
		"Die Protokolle enthalten Kennungen, aber keine Inhalte der Fachverfahren.",
		"Fehler in der Auswertung fallen bei der nächsten wöchentlichen Durchsicht auf.",
		"Die Auswertung kann einige Tage ruhen, die Protokolle bleiben erhalten.")},
}

// plusPlusModelling assigns the demo catalog's groups to the objects; the
// scope object carries the whole requirement package by itself.
var plusPlusModelling = []struct {
	modules []string
	objects []string
}{
	{[]string{"BER.2", "BER.3", "KONF.5", "KONF.8"}, []string{"iam-01", "iam-02"}},
	{[]string{"BER.1", "BER.4"}, []string{"iam"}},
	{[]string{"KONF.1", "KONF.8"}, []string{"virt"}},
	{[]string{"DET.3"}, []string{"log"}},
}

// plusPlusComponents are the components of the demo definition the
// identity servers run.
var plusPlusComponents = []struct {
	title   string
	objects []string
}{{"Realm", []string{"iam-01", "iam-02"}}, {"Admin-Konsole", []string{"iam-01", "iam-02"}}}

// plusPlusRaise is the erhöht requirement the ISB raises into the package
// for the whole scope (Methodik STM.3.1).
var plusPlusRaise = domain.LevelRaiseInput{RequirementID: "DET.5.2",
	Reason: "Nach dem Vorfall im Nachbarland prüfen wir unsere Systeme selbst auf bekannte Schwachstellen, auch ohne hohen Schutzbedarf (Demo)."}

// plusPlusParams are the values the ISB has entered so far: five of the
// package's ten parameters; the others block G4.
var plusPlusParams = []domain.ParamValueInput{
	{ParamID: "asst.1.1.1-prm1", Value: "der Informationssicherheitsbeauftragten des TLRZ"},
	{ParamID: "ber.1.2-prm1", Value: "halbjährlich"},
	{ParamID: "ber.2.3-prm1", Value: "am letzten Arbeitstag"},
	{ParamID: "konf.5.2-prm1", Value: "fünf"},
	{ParamID: "konf.8.1-prm1", Value: "14 Tagen"},
}

// ppResult is an entry's invented result that is not "yes".
type ppResult struct {
	status        domain.Status
	justification string
	exceptionDays int    // > 0: management's exception for so many days from today
	exception     string // its justification
}

// plusPlusResults are the results that are not "yes" by object key and
// requirement; every other entry is fulfilled.
var plusPlusResults = map[[2]string]ppResult{
	{"iam-02", "KONF.5.1"}: {status: domain.StatusPartial,
		justification: "In Ilmenau ist der zweite Faktor für die Administrationsoberfläche noch nicht eingerichtet; der Sicherheitsschlüssel ist bestellt (Demo).",
		exceptionDays: 10,
		exception:     "Bis zur Lieferung der Sicherheitsschlüssel ist die Administrationsoberfläche in Ilmenau nur über die Admin-Jump-Hosts mit zwei Faktoren erreichbar (Demo)."},
	{"iam", "BER.4.3"}: {status: domain.StatusNo,
		justification: "Beantragen und Genehmigen sind organisatorisch getrennt, technisch erst mit dem neuen Antragsportal (Demo).",
		exceptionDays: 150,
		exception:     "Das Antragsportal geht im Herbst in Betrieb; bis dahin prüft das Sicherheitsteam jede Genehmigung wöchentlich im Vier-Augen-Prinzip nach (Demo)."},
	{"scope", "ASST.2.2"}: {status: domain.StatusPartial,
		justification: "Neue Server werden nachgetragen, Aussonderungen oft erst Wochen später (Demo)."},
	{"log", "DET.3.2"}: {status: domain.StatusNo,
		justification: "Die Protokolle werden bisher unbegrenzt aufbewahrt; eine Löschfrist ist mit dem Datenschutz abzustimmen (Demo)."},
	{"scope", "KONF.1.2"}: {status: domain.StatusNo,
		justification: "Der Abgleich erfolgt bisher von Hand bei der jährlichen Revision; ein Werkzeug ist beantragt (Demo)."},
	{"scope", "DET.5.2"}: {status: domain.StatusPartial,
		justification: "Die Server im Erfurter Netz werden monatlich geprüft, die in Ilmenau noch nicht (Demo)."},
	{"iam-01", "KONF.5.3"}: {status: domain.StatusPartial,
		justification: "Zwei Faktoren gelten für die Verwaltungsportale, noch nicht für alle Fachverfahren (Demo)."},
	{"iam-02", "KONF.5.3"}: {status: domain.StatusPartial,
		justification: "Zwei Faktoren gelten für die Verwaltungsportale, noch nicht für alle Fachverfahren (Demo)."},
	{"virt", "KONF.8.2"}: {status: domain.StatusNo,
		justification: "Eine Testumgebung für den Cluster fehlt; Updates kommen zuerst auf einen Knoten ohne Produktivlast (Demo)."},
	{"iam-01", "BER.2.4"}: {status: domain.StatusNotApplicable,
		justification: "Externe Partner erhalten keine Zugänge zu den Fachverfahren des TLRZ (Demo)."},
	{"iam-02", "BER.2.4"}: {status: domain.StatusNotApplicable,
		justification: "Externe Partner erhalten keine Zugänge zu den Fachverfahren des TLRZ (Demo)."},
	// Not yet assessed.
	{"scope", "BER.1.2"}:   {status: domain.StatusOpen},
	{"iam-01", "BER.3.2"}:  {status: domain.StatusOpen},
	{"virt", "KONF.1.2"}:   {status: domain.StatusOpen},
	{"scope", "DET.3.1.1"}: {status: domain.StatusOpen},
}

// PlusPlusResult tells what seedPlusPlus did.
type PlusPlusResult struct {
	ScopeID    int64
	CatalogID  int64
	Objects    int // without the scope's own object
	Entries    int // active check entries
	ParamsSet  int
	Exceptions int
	Components int // component assignments
}

// seedPlusPlus imports the Grundschutz++ demo catalog and component
// definition (by checksum: an import done before is reused) and stores
// the Grundschutz++ demo scope, unless a scope of that name exists. The
// structure and the check are written in one transaction; then, as the
// demo people would, the ISB raises a level and enters parameters,
// management authorises the exceptions and approves the guideline; last,
// today's readiness snapshot.
func seedPlusPlus(ctx context.Context, db *postgres.DB, actor domain.Actor, deptIDs map[string]int64, today time.Time) (PlusPlusResult, error) {
	var res PlusPlusResult
	scopes, err := db.ListScopes(ctx, postgres.Everything)
	if err != nil {
		return res, err
	}
	for _, s := range scopes {
		if s.Name == PlusPlusScopeName {
			return res, nil
		}
	}
	im := catalogimport.New(db, 0)
	cat, err := im.Import(ctx, actor, catalogimport.Request{Name: catalogdemo.PlusPlusSourceName, Body: bytes.NewReader(catalogdemo.PlusPlusSource())})
	if err != nil {
		return res, fmt.Errorf("Grundschutz++ demo catalog: %w", err)
	}
	def, err := im.Import(ctx, actor, catalogimport.Request{Name: catalogdemo.ComponentSourceName, Body: bytes.NewReader(catalogdemo.ComponentSource())})
	if err != nil {
		return res, fmt.Errorf("Keycloak demo component definition: %w", err)
	}
	components, err := db.DefinitionComponents(ctx, def.Definition.ID)
	if err != nil {
		return res, err
	}
	componentIDs := map[string]int64{}
	for _, c := range components {
		componentIDs[c.Title] = c.ID
	}
	res.CatalogID = cat.Catalog.ID

	var scope domain.Scope
	objIDs := map[string]int64{}
	err = db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		if scope, err = tx.CreateScope(ctx, domain.ScopeInput{Name: PlusPlusScopeName, Description: plusPlusDescription,
			CatalogID: cat.Catalog.ID, Approach: domain.ApproachStandard}); err != nil {
			return err
		}
		objIDs["scope"] = scope.ObjectID
		if res.Objects, err = createObjects(ctx, tx, scope.ID, plusPlusObjects, "CMDB-PP-%04d", deptIDs, objIDs); err != nil {
			return err
		}
		for _, d := range plusPlusDependencies {
			if err := tx.AddDependency(ctx, objIDs[d[0]], objIDs[d[1]], postgres.Everything); err != nil {
				return fmt.Errorf("demo dependency %s → %s: %w", d[0], d[1], err)
			}
		}
		for _, n := range plusPlusNeeds {
			if _, err := tx.SetNeeds(ctx, objIDs[n.key], 0, n.needs, postgres.Everything); err != nil {
				return fmt.Errorf("demo needs of %s: %w", n.key, err)
			}
		}
		for _, m := range plusPlusModelling {
			var ids []int64
			for _, key := range m.objects {
				ids = append(ids, objIDs[key])
			}
			if _, err := tx.AssignModules(ctx, scope.ID, ids, m.modules, postgres.Everything); err != nil {
				return fmt.Errorf("demo modelling %v: %w", m.modules, err)
			}
		}
		for _, c := range plusPlusComponents {
			id, ok := componentIDs[c.title]
			if !ok {
				return fmt.Errorf("the Keycloak demo definition has no component %q", c.title)
			}
			for _, key := range c.objects {
				if err := tx.AssignComponent(ctx, objIDs[key], id, postgres.Everything); err != nil {
					return fmt.Errorf("demo component %s on %s: %w", c.title, key, err)
				}
				res.Components++
			}
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("Grundschutz++ demo scope: %w", err)
	}
	res.ScopeID = scope.ID

	people, err := demoActors(ctx, db, isbTLRZUser, managementUser)
	if err != nil {
		return res, err
	}
	isb, management := people[0], people[1]
	// The department's ISB is the scope's ISB; they raise a level into
	// the package and enter the values known so far.
	err = db.InTx(ctx, isb, func(tx *postgres.Tx) error {
		if _, err := tx.UpdateScope(ctx, scope.ID, scope.Version, domain.ScopeChange{ISBUserID: ptr(isb.UserID)}); err != nil {
			return err
		}
		if _, err := tx.RaiseLevel(ctx, scope.ID, plusPlusRaise); err != nil {
			return fmt.Errorf("raise %s: %w", plusPlusRaise.RequirementID, err)
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("Grundschutz++ demo package: %w", err)
	}
	keyOf := make(map[int64]string, len(objIDs))
	for key, id := range objIDs {
		keyOf[id] = key
	}
	ps, err := db.ScopeParams(ctx, scope.ID, domain.ParamFilter{})
	if err != nil {
		return res, err
	}
	var exceptions []ppException
	err = db.InTx(ctx, isb, func(tx *postgres.Tx) error {
		if _, err := tx.SetParams(ctx, scope.ID, ps.Version, postgres.ParamChange{Values: plusPlusParams}, postgres.Everything); err != nil {
			return fmt.Errorf("parameters: %w", err)
		}
		res.ParamsSet = len(plusPlusParams)
		res.Entries, exceptions, err = seedPlusPlusCheck(ctx, tx, scope.ID, keyOf, today)
		return err
	})
	if err != nil {
		return res, fmt.Errorf("Grundschutz++ demo check: %w", err)
	}
	// Management authorises the exceptions today: a request signs on
	// today as well, so this is the path a real one takes.
	err = db.InTx(ctx, management, func(tx *postgres.Tx) error {
		for _, x := range exceptions {
			in := domain.ExceptionInput{Justification: x.result.exception,
				ValidUntil: today.AddDate(0, 0, x.result.exceptionDays).Format(time.DateOnly)}
			if _, err := tx.CreateException(ctx, x.entryID, in, domain.Signature{UserID: *management.UserID, On: today}, today,
				postgres.Everything); err != nil {
				return fmt.Errorf("exception for %s: %w", x.label, err)
			}
			res.Exceptions++
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("Grundschutz++ demo exceptions: %w", err)
	}
	if err := seedPlusPlusGuideline(ctx, db, isb, management, scope.ID, cat.Catalog.ID, today); err != nil {
		return res, err
	}
	if _, err := db.TakeSnapshot(ctx, scope.ID, today); err != nil {
		return res, fmt.Errorf("Grundschutz++ demo snapshot: %w", err)
	}
	return res, nil
}

// ppException is an entry that gets management's exception.
type ppException struct {
	entryID int64
	label   string
	result  ppResult
}

// seedPlusPlusCheck records the check of the Grundschutz++ scope in one
// bulk change: the results of plusPlusResults, every other entry
// fulfilled. A partial or unfulfilled entry names its responsible role and
// a target date ahead, so its measure has an owner and a due date. It
// returns the number of entries and those that get an exception.
func seedPlusPlusCheck(ctx context.Context, tx *postgres.Tx, scopeID int64, keyOf map[int64]string, today time.Time) (int, []ppException, error) {
	var updates []postgres.EntryUpdate
	var exceptions []ppException
	n := 0
	for after := int64(0); ; {
		page, next, err := tx.ListEntries(ctx, scopeID, domain.EntryFilter{After: after, Limit: 1000}, postgres.Everything)
		if err != nil {
			return 0, nil, err
		}
		for _, e := range page {
			n++
			key := keyOf[e.ObjectID]
			r, ok := plusPlusResults[[2]string{key, e.RequirementID}]
			if !ok {
				r = ppResult{status: domain.StatusYes}
			}
			if r.status == domain.StatusOpen {
				continue
			}
			responsible := iamTeam
			if o, found := plusPlusObject(key); found {
				responsible = o.responsible
			} else if key == "scope" {
				responsible = leitungIS
			}
			s := spread(key, e.RequirementID)
			last := today.AddDate(0, 0, -30-s*2)
			nextReview := last.AddDate(1, 0, 0)
			ch := domain.EntryChange{Status: &r.status, Responsible: &responsible, LastReview: ptr(&last), NextReview: ptr(&nextReview)}
			switch r.status {
			case domain.StatusYes:
				done := last.AddDate(0, 0, -20-s*3)
				text := textYes
				ch.Implementation, ch.ImplementedOn = &text, ptr(&done)
			case domain.StatusNotApplicable:
				ch.Justification = &r.justification
			default:
				target := today.AddDate(0, 0, 45+s*2)
				ch.Justification, ch.TargetDate = &r.justification, ptr(&target)
			}
			updates = append(updates, postgres.EntryUpdate{ID: e.ID, Version: e.Version, Change: ch})
			if r.exceptionDays > 0 {
				exceptions = append(exceptions, ppException{entryID: e.ID, label: e.RequirementID + " · " + key, result: r})
			}
		}
		if next == 0 {
			break
		}
		after = next
	}
	_, errs, err := tx.UpdateEntries(ctx, scopeID, updates, postgres.Everything, "demo")
	if err != nil {
		return 0, nil, err
	}
	if len(errs) > 0 {
		return 0, nil, fmt.Errorf("demo check result %d: %s", errs[0].Index, errs[0].Detail)
	}
	if len(exceptions) != 2 {
		return 0, nil, fmt.Errorf("the Grundschutz++ demo check has %d entries for exceptions, want 2", len(exceptions))
	}
	return n, exceptions, nil
}

// plusPlusObject looks up an object of the Grundschutz++ scope by key.
func plusPlusObject(key string) (obj, bool) {
	for _, o := range plusPlusObjects {
		if o.key == key {
			return o, true
		}
	}
	return obj{}, false
}

// seedPlusPlusGuideline has the ISB draft the scope's guideline, naming
// the demo catalog as what the scope is measured against, and management
// approve it a month ago.
func seedPlusPlusGuideline(ctx context.Context, db *postgres.DB, isb, management domain.Actor, scopeID, catalogID int64, today time.Time) error {
	standardBy, elevatedBy := today.AddDate(0, 9, 0), today.AddDate(0, 15, 0)
	in := domain.GuidelineInput{Title: PlusPlusGuidelineTitle, CatalogID: &catalogID, Approach: domain.ApproachStandard,
		ScopeStatement: "Die Leitlinie gilt für den Rechenzentrumsbetrieb des TLRZ an den Standorten Erfurt und Ilmenau mit der zentralen " +
			"Identitäts- und Zugriffsverwaltung. Maßstab ist der Katalog „Grundschutz++ – Demo-Auszug“: alle MUSS-Anforderungen " +
			"werden umgesetzt oder durch eine Ausnahme der Leitung gedeckt (Demo).",
		StandardBy: &standardBy, ElevatedBy: &elevatedBy, ReviewMonths: 12, EvidenceCoverage: 40,
		Roles: []domain.GuidelineRole{
			{Title: "Informationssicherheitsbeauftragte/r (ISB)", Holder: "ISB Landesrechenzentrum (Demo)"},
			{Title: "Verantwortliche/r für die Identitäts- und Zugriffsverwaltung", Holder: "Leitung IAM-Team TLRZ (Demo)"},
		}}
	draft, err := postgres.InTxValue(ctx, db, isb, func(tx *postgres.Tx) (domain.Guideline, error) {
		return tx.CreateGuidelineDraft(ctx, scopeID, in)
	})
	if err != nil {
		return fmt.Errorf("Grundschutz++ demo guideline: %w", err)
	}
	err = db.InTx(ctx, management, func(tx *postgres.Tx) error {
		_, err := tx.ApproveGuideline(ctx, draft.ID, draft.Version,
			domain.Signature{UserID: *management.UserID, On: today.AddDate(0, -1, 0)}, today)
		return err
	})
	if err != nil {
		return fmt.Errorf("Grundschutz++ demo guideline approval: %w", err)
	}
	return nil
}
