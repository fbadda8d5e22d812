package demo

import "ismsd/internal/domain"

// The demo network. Public facts about the Thüringen state network (CNFT)
// are used where noted in the scope description; everything else – the
// objects, responsible roles, assessments – is invented for the demo.

// scopeDescription is the scope's description: public facts, then a note
// on what is invented.
const scopeDescription = "Demo-Informationsverbund nach dem Vorbild des Corporate Network Freistaat Thüringen (CNFT): " +
	"ein verschlüsseltes Weitverkehrsnetz mit integrierter VoIP-Telefonie, das das Thüringer Landesrechenzentrum (TLRZ) " +
	"für das Land betreibt. Angebunden sind rund 670 Dienststellen des Landes und 80 kommunale Standorte; " +
	"rund 21.000 Beschäftigte telefonieren über VoIP. Das Landesdatennetz wurde im Dezember 2019 als erstes Landesnetz " +
	"nach ISO 27001 auf der Basis von IT-Grundschutz (BSI-Standard 200-2) zertifiziert. Zwei Rechenzentrumsstandorte: " +
	"Erfurt und Ilmenau. Den Übergang zum Verbindungsnetz des Bundes (NdB-VN) bilden ein SINA-Gateway und ein MPLS-Router.\n\n" +
	"Hinweis: Die Eckdaten oben sind öffentlich bekannt. Zielobjekte, Zuständigkeiten, Abhängigkeiten, Schutzbedarfe " +
	"und alle weiteren Angaben sind für die Vorführung erfunden (Demo)."

// dept is a department of the demo tree; parent names another code.
type dept struct {
	code, parent, name string
}

var departments = []dept{
	{"TH", "", "Freistaat Thüringen"},
	{"TFM", "TH", "Finanzministerium"},
	{"TFM-CIO", "TFM", "Landesbeauftragter für E-Government und IT (CIO)"},
	{"TLRZ", "TFM", "Landesrechenzentrum TLRZ"},
	{"TLRZ-NET", "TLRZ", "Netzbetrieb"},
	{"TLRZ-RZ", "TLRZ", "Rechenzentrumsbetrieb"},
	{"TLRZ-SEC", "TLRZ", "Informationssicherheit TLRZ"},
	{"TIM", "TH", "Innenministerium"},
	{"CERT", "TIM", "Thüringen-CERT"},
	{"TMBJS", "TH", "Kultusministerium"},
	{"TMMJV", "TH", "Justizministerium"},
}

// obj is a target object; key names it in the dependency and modelling
// tables, dept is a department code.
type obj struct {
	key         string
	typ         domain.ObjectType
	name        string
	dept        string
	responsible string
	location    string
	description string
	tags        []string
	members     int // > 0: a group with that many members
	noModule    bool
	untypical   bool
}

// Responsible roles: invented and generic on purpose.
const (
	leitungNetz   = "Leitung Netzbetrieb"
	leitungRZ     = "Leitung Rechenzentrumsbetrieb"
	sicherheitRZ  = "Sicherheitsteam TLRZ"
	leitungCERT   = "Leitung Thüringen-CERT"
	serviceTLRZ   = "Servicemanagement TLRZ"
	itReferatTMB  = "IT-Referat Kultusministerium"
	itReferatJust = "IT-Referat Justizministerium"
)

var objects = []obj{
	// Geschäftsprozesse
	{key: "wan", typ: domain.ObjectProcess, name: "WAN-Transportdienst (CNFT)", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt / Ilmenau",
		description: "Verschlüsselter Transport der Daten aller angeschlossenen Dienststellen über das MPLS-Kernnetz zwischen den Rechenzentren Erfurt und Ilmenau.",
		tags:        []string{"Kernnetz"}},
	{key: "voip", typ: domain.ObjectProcess, name: "VoIP-Telefonie", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt / Ilmenau",
		description: "Sprachdienst der Landesverwaltung über das Landesdatennetz für rund 21.000 Nutzerinnen und Nutzer an rund 270 Standorten.",
		tags:        []string{"VoIP"}},
	{key: "kommunal", typ: domain.ObjectProcess, name: "Kommunal- und Verbindungsnetzanbindung", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt",
		description: "Anbindung der 80 kommunalen Standorte über VPN und Übergang in das Verbindungsnetz des Bundes (NdB-VN) über SINA-Gateway und MPLS-Router; kein Internet-Transit über diesen Übergang.",
		tags:        []string{"Verbindungsnetz"}},
	{key: "cert", typ: domain.ObjectProcess, name: "Sicherheitsvorfallbehandlung mit dem CERT", dept: "CERT", responsible: leitungCERT, location: "Erfurt",
		description: "Erkennen, Melden und Bearbeiten von Sicherheitsvorfällen im Landesdatennetz gemeinsam mit dem Thüringen-CERT, von der Meldung bis zum Abschlussbericht.",
		tags:        []string{"Sicherheit"}},
	{key: "standort", typ: domain.ObjectProcess, name: "Standortanbindung der Dienststellen", dept: "TLRZ-NET", responsible: leitungNetz, location: "landesweit",
		description: "Anschluss der einzelnen Dienststellen an das Landesdatennetz: Standortrouter, Carrier-Zuleitung und Mobilfunk-Backup je Dienststelle.",
		tags:        []string{"Zugangsnetz"}},

	// Anwendungen
	{key: "nms", typ: domain.ObjectApplication, name: "Netzmanagement und Monitoring", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt",
		description: "Überwachung, Konfigurationssicherung und Störungsalarmierung für Kern- und Standortkomponenten; bedient aus der Netzleitstelle.",
		tags:        []string{"Management"}},
	{key: "dns", typ: domain.ObjectApplication, name: "DNS (interne und externe Namensauflösung)", dept: "TLRZ-RZ", responsible: leitungRZ, location: "Erfurt / Ilmenau",
		description: "Autoritative und rekursive Namensserver für die Zonen der Landesverwaltung, an beiden Rechenzentrumsstandorten redundant betrieben."},
	{key: "mail", typ: domain.ObjectApplication, name: "Mail-Gateway mit Schadsoftwarefilter", dept: "TLRZ-RZ", responsible: leitungRZ, location: "Erfurt",
		description: "Prüft ein- und ausgehende E-Mails der Landesverwaltung (rund 21.500 Postfächer) auf Schadsoftware und Spam, bevor sie zugestellt werden."},
	{key: "callctl", typ: domain.ObjectApplication, name: "VoIP-Anrufsteuerung und Session Border Controller", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt / Ilmenau",
		description: "Zentrale Anrufsteuerung (Registrierung, Wählplan, Rufumleitung) mit Übergang in das öffentliche Telefonnetz über die Session Border Controller.",
		tags:        []string{"VoIP"}},
	{key: "fwmgmt", typ: domain.ObjectApplication, name: "Firewall-Management", dept: "TLRZ-SEC", responsible: sicherheitRZ, location: "Erfurt",
		description: "Zentrale Verwaltung der Regelwerke aller Firewalls mit Vier-Augen-Freigabe und Protokollierung der Änderungen.",
		tags:        []string{"Sicherheit", "Management"}},
	{key: "pki", typ: domain.ObjectApplication, name: "PKI des Landesdatennetzes", dept: "TLRZ-SEC", responsible: sicherheitRZ, location: "Erfurt",
		description: "Zertifizierungsstelle für Geräte- und Dienstzertifikate (VPN, Netzzugang, Management-Schnittstellen) mit Sperrlisten-Dienst.",
		tags:        []string{"Sicherheit"}},
	{key: "radius", typ: domain.ObjectApplication, name: "RADIUS und Netzzugangskontrolle", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt / Ilmenau",
		description: "Authentisierung der Administratoren an Netzkomponenten und portbasierte Zugangskontrolle (802.1X) an den Standorten."},
	{key: "siem", typ: domain.ObjectApplication, name: "SIEM und Protokollauswertung", dept: "CERT", responsible: leitungCERT, location: "Erfurt",
		description: "Sammelt Protokolle von Firewalls, Routern und Servern und wertet sie für das Thüringen-CERT auf Angriffsmuster aus.",
		tags:        []string{"Sicherheit"}},
	{key: "ticket", typ: domain.ObjectApplication, name: "Ticketsystem Störungs- und Änderungsmanagement", dept: "TLRZ-NET", responsible: serviceTLRZ, location: "Erfurt",
		description: "Erfasst Störungen, Änderungsanträge und Sicherheitsmeldungen; Grundlage für Freigaben im Änderungsmanagement."},

	// IT-Systeme
	{key: "core-ef1", typ: domain.ObjectITSystem, name: "Core-MPLS-Router Erfurt 1", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt",
		description: "Kernrouter des MPLS-Backbones im Serverraum A des Rechenzentrums Erfurt.", tags: []string{"Kernnetz"}},
	{key: "core-ef2", typ: domain.ObjectITSystem, name: "Core-MPLS-Router Erfurt 2", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt",
		description: "Redundanter Kernrouter im gespiegelten Serverraum B des Rechenzentrums Erfurt.", tags: []string{"Kernnetz"}},
	{key: "core-il1", typ: domain.ObjectITSystem, name: "Core-MPLS-Router Ilmenau 1", dept: "TLRZ-NET", responsible: leitungNetz, location: "Ilmenau",
		description: "Kernrouter des MPLS-Backbones in der Rechenzentrumszelle Ilmenau.", tags: []string{"Kernnetz"}},
	{key: "core-il2", typ: domain.ObjectITSystem, name: "Core-MPLS-Router Ilmenau 2", dept: "TLRZ-NET", responsible: leitungNetz, location: "Ilmenau",
		description: "Redundanter Kernrouter in der Rechenzentrumszelle Ilmenau.", tags: []string{"Kernnetz"}},
	{key: "fw", typ: domain.ObjectITSystem, name: "Internet-Firewall-Cluster", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt",
		description: "Mehrstufiger Firewall-Cluster (Paketfilter und Application-Level-Gateway) am Übergang zu den Internet-Uplinks.",
		tags:        []string{"Sicherheit"}},
	{key: "sina", typ: domain.ObjectITSystem, name: "SINA-Gateway Verbindungsnetz", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt",
		description: "Vom BSI zugelassenes Kryptogerät (VS-NfD) für den Übergang in das Verbindungsnetz des Bundes. Für zugelassene Kryptogeräte gibt es " +
			"keinen passenden Baustein: Betrieben wird nach den Einsatz- und Betriebsbedingungen der Zulassung, die Absicherung wird über eine Risikoanalyse nachgewiesen.",
		tags: []string{"Verbindungsnetz"}, noModule: true},
	{key: "vnrouter", typ: domain.ObjectITSystem, name: "MPLS-Übergaberouter Verbindungsnetz", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt",
		description: "Router hinter dem SINA-Gateway, der die Routen des Verbindungsnetzes in das Landesdatennetz übergibt.",
		tags:        []string{"Verbindungsnetz"}},
	{key: "vpn", typ: domain.ObjectITSystem, name: "VPN-Konzentratoren Kommunalanbindung", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt",
		description: "Hochverfügbares Paar von VPN-Konzentratoren, das die IPsec-Tunnel der kommunalen Standorte terminiert."},
	{key: "jump", typ: domain.ObjectITSystem, name: "Admin-Jump-Hosts", dept: "TLRZ-SEC", responsible: sicherheitRZ, location: "Erfurt",
		description: "Gehärtete Sprungserver; einziger Zugang der Administratoren zum Managementnetz, mit Sitzungsaufzeichnung.",
		tags:        []string{"Management", "Sicherheit"}},
	{key: "virt-ef", typ: domain.ObjectITSystem, name: "Virtualisierungscluster Erfurt", dept: "TLRZ-RZ", responsible: leitungRZ, location: "Erfurt",
		description: "Virtualisierungscluster über beide Serverräume in Erfurt; betreibt die zentralen Netzdienste (DNS, RADIUS, Netzmanagement, Mail-Gateway)."},
	{key: "virt-il", typ: domain.ObjectITSystem, name: "Virtualisierungscluster Ilmenau", dept: "TLRZ-RZ", responsible: leitungRZ, location: "Ilmenau",
		description: "Zweiter Virtualisierungscluster am Standort Ilmenau; übernimmt die zentralen Netzdienste bei Ausfall des Standorts Erfurt."},
	{key: "sbc", typ: domain.ObjectITSystem, name: "Session Border Controller (Appliance-Paar)", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt / Ilmenau",
		description: "Je eine Appliance in Erfurt und Ilmenau für den Übergang der VoIP-Telefonie in das öffentliche Telefonnetz.",
		tags:        []string{"VoIP"}},
	{key: "siemsrv", typ: domain.ObjectITSystem, name: "Protokollserver CERT", dept: "CERT", responsible: leitungCERT, location: "Erfurt",
		description: "Server, auf dem das SIEM die Protokolle revisionssicher ablegt und auswertet.", tags: []string{"Sicherheit"}},
	{key: "ntp", typ: domain.ObjectITSystem, name: "Zeitserver (NTP mit GNSS-Empfänger)", dept: "TLRZ-RZ", responsible: leitungRZ, location: "Erfurt",
		description: "Stratum-1-Zeitquelle für Router, Firewalls und Server; Voraussetzung für auswertbare Protokolle und gültige Zertifikate."},
	{key: "jva", typ: domain.ObjectITSystem, name: "Standortrouter Justizvollzugsanstalt (Demo)", dept: "TMMJV", responsible: itReferatJust, location: "Thüringen",
		description: "Router einer Justizvollzugsanstalt im Sicherheitsbereich: Zutritt für Techniker nur nach Anmeldung und in Begleitung, " +
			"Mobilfunk-Störsender verhindern das übliche LTE-Backup, Wartung nur in mit dem Vollzug abgestimmten Zeitfenstern. " +
			"Deshalb untypisches Einsatzumfeld; eine Risikoanalyse ist erforderlich.",
		tags: []string{"Zugangsnetz"}, untypical: true},
	{key: "test", typ: domain.ObjectITSystem, name: "Testsystem (Demo)", dept: "TLRZ-RZ", responsible: leitungRZ, location: "Erfurt",
		description: "Laborrechner für Firmware-Tests, frisch erfasst: noch ohne Abhängigkeiten, ohne Schutzbedarf und ohne Baustein. " +
			"Zeigt eine offene Lücke in der Schutzbedarfsfeststellung (A.2) und der Modellierung (A.3)."},
	{key: "siterouters", typ: domain.ObjectITSystem, name: "Standortrouter (Dienststellen)", dept: "TLRZ-NET", responsible: leitungNetz, location: "landesweit",
		description: "Gleich konfigurierte Router an den rund 670 angeschlossenen Dienststellen, als eine Gruppe modelliert.",
		tags:        []string{"Zugangsnetz"}, members: 670},

	// Räume und Gebäude
	{key: "rz-ef", typ: domain.ObjectBuilding, name: "Rechenzentrum Erfurt", dept: "TLRZ-RZ", responsible: leitungRZ, location: "Erfurt",
		description: "Rechenzentrumsgebäude des TLRZ mit gespiegeltem Aufbau und doppelt vorhandenen Serverräumen."},
	{key: "sr-a", typ: domain.ObjectRoom, name: "Serverraum A Erfurt", dept: "TLRZ-RZ", responsible: leitungRZ, location: "Erfurt",
		description: "Erster Serverraum im Rechenzentrum Erfurt mit eigener Klimatisierung, USV und Löschanlage."},
	{key: "sr-b", typ: domain.ObjectRoom, name: "Serverraum B Erfurt", dept: "TLRZ-RZ", responsible: leitungRZ, location: "Erfurt",
		description: "Gespiegelter zweiter Serverraum in einem getrennten Brandabschnitt des Rechenzentrums Erfurt."},
	{key: "rz-il", typ: domain.ObjectRoom, name: "RZ-Zelle Ilmenau", dept: "TLRZ-RZ", responsible: leitungRZ, location: "Ilmenau",
		description: "Rechenzentrumszelle am zweiten Standort im Thüringer Wald bei Ilmenau; Ausweichstandort für Kernnetz und zentrale Dienste."},
	{key: "nlst", typ: domain.ObjectRoom, name: "Netzleitstelle", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt",
		description: "Leitstand des Netzbetriebs mit Überwachungsarbeitsplätzen und Lagebildwand, im Schichtbetrieb besetzt."},
	{key: "techraum", typ: domain.ObjectRoom, name: "Technikraum Kultusministerium", dept: "TMBJS", responsible: itReferatTMB, location: "Erfurt",
		description: "Technikraum im Dienstgebäude des Kultusministeriums mit dem Standortrouter und den Etagenverteilern dieser Dienststelle."},

	// Netze und Kommunikationsverbindungen
	{key: "backbone", typ: domain.ObjectNetwork, name: "Landesdatennetz Backbone (MPLS)", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt / Ilmenau",
		description: "MPLS-Kernnetz mit getrennten VRFs je Ressort und Dienst; verschlüsselt zwischen allen Standorten.", tags: []string{"Kernnetz"}},
	{key: "mgmtnet", typ: domain.ObjectNetwork, name: "Managementnetz", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt / Ilmenau",
		description: "Vom Nutzverkehr getrenntes Netz für die Administration aller Netzkomponenten; erreichbar nur über die Admin-Jump-Hosts.",
		tags:        []string{"Management"}},
	{key: "voipnet", typ: domain.ObjectNetwork, name: "Sprachnetz (VoIP-VRF)", dept: "TLRZ-NET", responsible: leitungNetz, location: "landesweit",
		description: "Logisch getrenntes Netz für Sprachdaten mit Dienstgüte-Vorrang an allen VoIP-Standorten.", tags: []string{"VoIP"}},
	{key: "fibre", typ: domain.ObjectLink, name: "Glasfaserstrecke Erfurt–Ilmenau", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt / Ilmenau",
		description: "Angemietete Glasfaserverbindung zwischen den beiden Rechenzentrumsstandorten auf zwei getrennten Trassen.", tags: []string{"Kernnetz"}},
	{key: "vnuplink", typ: domain.ObjectLink, name: "Verbindungsnetz-Uplink (NdB-VN)", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt",
		description: "Anschlussleitung an das Verbindungsnetz des Bundes; kein Internet-Transit.", tags: []string{"Verbindungsnetz"}},
	{key: "inet-a", typ: domain.ObjectLink, name: "Internet-Uplink Carrier A (Demo)", dept: "TLRZ-NET", responsible: leitungNetz, location: "Erfurt",
		description: "Erster Internet-Zugang über einen Carrier (Name für die Demo weggelassen)."},
	{key: "inet-b", typ: domain.ObjectLink, name: "Internet-Uplink Carrier B (Demo)", dept: "TLRZ-NET", responsible: leitungNetz, location: "Ilmenau",
		description: "Zweiter, unabhängiger Internet-Zugang über einen anderen Carrier am Standort Ilmenau."},
	{key: "carrierwan", typ: domain.ObjectLink, name: "Carrier-WAN-Strecken zu den Dienststellen", dept: "TLRZ-NET", responsible: leitungNetz, location: "landesweit",
		description: "Angemietete Zuleitungen der Carrier von den Dienststellen zu den Kernstandorten.", tags: []string{"Zugangsnetz"}},
}

// dependencies: from depends on to (to inherits from's protection need).
var dependencies = [][2]string{
	// Geschäftsprozesse → Anwendungen, IT-Systeme, Netze
	{"wan", "nms"}, {"wan", "dns"}, {"wan", "radius"}, {"wan", "ticket"},
	{"wan", "core-ef1"}, {"wan", "core-ef2"}, {"wan", "core-il1"}, {"wan", "core-il2"},
	{"wan", "fw"}, {"wan", "backbone"},
	{"voip", "callctl"}, {"voip", "dns"}, {"voip", "voipnet"},
	{"kommunal", "sina"}, {"kommunal", "vnrouter"}, {"kommunal", "vpn"}, {"kommunal", "pki"},
	{"cert", "siem"}, {"cert", "ticket"}, {"cert", "mail"}, {"cert", "fwmgmt"},
	{"standort", "siterouters"}, {"standort", "jva"}, {"standort", "radius"},

	// Anwendungen → IT-Systeme, Räume, Netze
	{"nms", "virt-ef"}, {"nms", "virt-il"}, {"nms", "mgmtnet"}, {"nms", "jump"}, {"nms", "nlst"},
	{"dns", "virt-ef"}, {"dns", "virt-il"}, {"dns", "backbone"},
	{"mail", "virt-ef"}, {"mail", "fw"},
	{"callctl", "sbc"}, {"callctl", "virt-ef"}, {"callctl", "virt-il"}, {"callctl", "voipnet"},
	{"fwmgmt", "virt-ef"}, {"fwmgmt", "jump"}, {"fwmgmt", "mgmtnet"},
	{"pki", "virt-ef"}, {"pki", "virt-il"},
	{"radius", "virt-ef"}, {"radius", "virt-il"}, {"radius", "mgmtnet"},
	{"siem", "siemsrv"}, {"siem", "mgmtnet"},
	{"ticket", "virt-ef"},

	// IT-Systeme → Räume, Verbindungen, andere IT-Systeme
	{"core-ef1", "sr-a"}, {"core-ef2", "sr-b"}, {"core-il1", "rz-il"}, {"core-il2", "rz-il"},
	{"core-ef1", "fibre"}, {"core-ef2", "fibre"}, {"core-il1", "fibre"}, {"core-il2", "fibre"},
	{"core-ef1", "carrierwan"}, {"core-il1", "carrierwan"},
	{"core-ef1", "ntp"}, {"core-il1", "ntp"},
	{"fw", "sr-a"}, {"fw", "inet-a"}, {"fw", "inet-b"},
	{"sina", "sr-a"}, {"sina", "vnuplink"},
	{"vnrouter", "sr-a"}, {"vnrouter", "vnuplink"},
	{"vpn", "sr-b"}, {"vpn", "inet-a"}, {"vpn", "inet-b"},
	{"jump", "sr-a"},
	{"virt-ef", "sr-a"}, {"virt-ef", "sr-b"}, {"virt-il", "rz-il"},
	{"sbc", "sr-a"}, {"sbc", "rz-il"},
	{"siemsrv", "sr-b"},
	{"ntp", "sr-a"},
	{"jva", "carrierwan"},
	{"siterouters", "carrierwan"}, {"siterouters", "techraum"},

	// Räume → Gebäude
	{"sr-a", "rz-ef"}, {"sr-b", "rz-ef"}, {"nlst", "rz-ef"},
}

func own(c, i, a domain.Need, rc, ri, ra string) [3]domain.NeedInput {
	return [3]domain.NeedInput{{Own: c, OwnReason: rc}, {Own: i, OwnReason: ri}, {Own: a, OwnReason: ra}}
}

const (
	normal   = domain.NeedNormal
	hoch     = domain.NeedHigh
	sehrHoch = domain.NeedVeryHigh
)

// needs are set in this order: the processes' own assessments first, the
// two overrides last.
var needs = []struct {
	key   string
	needs [3]domain.NeedInput
}{
	{"wan", own(hoch, hoch, sehrHoch,
		"Über das Netz laufen personenbezogene Daten und Verschlusssachen bis VS-NUR FÜR DEN DIENSTGEBRAUCH aller Ressorts; ein Abfluss schadete Betroffenen und dem Ansehen des Landes erheblich.",
		"Verfälschte Routing- oder Nutzdaten könnten Verwaltungsentscheidungen beeinträchtigen und fielen erst spät auf.",
		"Fällt der Transportdienst aus, stehen landesweit Fachverfahren, E-Mail und Telefonie aller Dienststellen still; mehr als vier Stunden Ausfall sind nicht tragbar.")},
	{"voip", own(hoch, hoch, hoch,
		"Gesprächsinhalte und Verbindungsdaten unterliegen dem Fernmeldegeheimnis und enthalten vertrauliche Verwaltungsinformationen.",
		"Manipulierte Rufumleitungen oder Rufnummernanzeigen ließen sich für Täuschung und Social Engineering missbrauchen.",
		"Ohne Telefonie sind rund 21.000 Beschäftigte nicht erreichbar, auch Notrufe aus den Dienststellen wären erschwert.")},
	{"kommunal", own(hoch, hoch, hoch,
		"Über die Übergänge tauschen Land, Bund und Kommunen personenbezogene Daten aus Melde- und Fachverfahren aus.",
		"Verfälschte Daten im Austausch mit Bund und Kommunen würden Verwaltungsvorgänge auf mehreren Ebenen beeinträchtigen.",
		"Ohne die Übergänge ruhen länderübergreifende Fachverfahren und die Anbindung der 80 kommunalen Standorte; Ersatzverfahren tragen nur wenige Tage.")},
	{"cert", own(hoch, hoch, hoch,
		"Vorfallsmeldungen enthalten Schwachstellen, Angriffsspuren und personenbezogene Protokolldaten, die Angreifern nützen würden.",
		"Verfälschte Meldungen oder Protokolle führten zu falschen Abwehrentscheidungen und unbrauchbaren Beweismitteln.",
		"Bei einem laufenden Angriff muss das CERT binnen Stunden ein Lagebild erstellen und Maßnahmen auslösen können.")},
	{"standort", own(hoch, hoch, normal,
		"Über die Standortanbindung laufen dieselben vertraulichen Daten der Dienststellen wie im Kernnetz.",
		"Eine manipulierte Standortkonfiguration könnte den Datenverkehr einer Dienststelle umleiten oder mitschneiden lassen.",
		"Fällt die Anbindung einer einzelnen Dienststelle aus, überbrückt sie den Ausfall mit Mobilfunk-Backup und Ausweicharbeitsplätzen; der Schaden bleibt begrenzt.")},
	{"siterouters", [3]domain.NeedInput{{}, {}, {OverrideKind: domain.OverrideCumulation, Override: hoch,
		OverrideReason: "Kumulationseffekt: Der Ausfall eines einzelnen Standortrouters ist tragbar; fallen viele der 670 gleich konfigurierten Router zugleich aus " +
			"(etwa durch ein fehlerhaftes Firmware-Update oder eine gemeinsame Schwachstelle), ist ein großer Teil der Landesverwaltung nicht erreichbar."}}},
	{"techraum", [3]domain.NeedInput{{}, {}, {OverrideKind: domain.OverrideDistribution, Override: normal,
		OverrideReason: "Verteilungseffekt: Im Technikraum steht nur der Standortrouter des Kultusministeriums; sein Ausfall trifft eine einzige Dienststelle, " +
			"alle übrigen Standorte bleiben erreichbar."}}},
}

// modelling assigns modules to objects; "scope" is the scope's own object.
// Left without module on purpose (gaps): mail, test, nlst. The SINA gateway
// is flagged as having no suitable module.
var modelling = []struct {
	modules []string
	objects []string
}{
	{[]string{"ISMS.1", "ORP.4", "CON.3", "OPS.1.1.3", "DER.2.1"}, []string{"scope"}},
	{[]string{"NET.1.1"}, []string{"wan", "kommunal", "standort", "fibre", "vnuplink", "inet-a", "inet-b", "carrierwan"}},
	{[]string{"NET.1.1", "NET.1.2"}, []string{"backbone", "mgmtnet"}},
	{[]string{"NET.1.1", "NET.4.2"}, []string{"voipnet"}},
	{[]string{"NET.4.2"}, []string{"voip", "callctl", "sbc"}},
	{[]string{"DER.2.1"}, []string{"cert", "siem"}},
	{[]string{"NET.1.2"}, []string{"nms"}},
	{[]string{"APP.3.6"}, []string{"dns"}},
	{[]string{"NET.3.2", "NET.1.2"}, []string{"fwmgmt"}},
	{[]string{"NET.3.2"}, []string{"fw"}},
	{[]string{"ORP.4"}, []string{"pki", "radius"}},
	{[]string{"OPS.1.1.3"}, []string{"ticket"}},
	{[]string{"NET.3.1"}, []string{"core-ef1", "core-ef2", "core-il1", "core-il2", "vnrouter", "jva", "siterouters"}},
	{[]string{"NET.3.3"}, []string{"vpn"}},
	{[]string{"SYS.1.1"}, []string{"jump", "siemsrv", "ntp"}},
	{[]string{"SYS.1.1", "SYS.1.5"}, []string{"virt-ef", "virt-il"}},
	{[]string{"INF.2"}, []string{"rz-ef", "sr-a", "sr-b", "rz-il", "techraum"}},
}

// users are the demo accounts, one per role; dept "" grants globally.
var users = []struct {
	username, displayName string
	role                  domain.Role
	dept                  string
}{
	{"demo-admin", "Administration (Demo)", domain.RoleAdmin, ""},
	{"demo-isb", "ISB Landesdatennetz (Demo)", domain.RoleISB, ""},
	{"demo-isb-tlrz", "ISB Landesrechenzentrum (Demo)", domain.RoleISB, "TLRZ"},
	{"demo-auditor", "Auditorin (Demo)", domain.RoleAuditor, ""},
	{"demo-abteilung", "Abteilungsleitung TLRZ (Demo)", domain.RoleDepartmentHead, "TLRZ"},
	{managementUser, Approver, domain.RoleManagement, ""},
}
