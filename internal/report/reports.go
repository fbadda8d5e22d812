package report

import (
	"context"
	"strings"

	"ismsd/internal/domain"
	"ismsd/internal/german"
	"ismsd/internal/postgres"
)

// reports are the reports every scope offers, in the order of the
// reference documents.
var reports = []*Report{
	{
		Name: "a1", Code: "A.1", Title: "Strukturanalyse", File: "A1_Strukturanalyse", Formats: []Format{XLSX, PDF},
		About: "Alle Zielobjekte mit Typ, Kürzel, Organisationseinheit, Verantwortlichen, Standort, Gruppen und Abhängigkeiten.",
		Tables: []Table{{Title: "Strukturanalyse", Unit: "Zielobjekte", Rows: structureRows, Columns: []Column{
			{Title: "Kürzel", Width: 10}, {Title: "Name", Width: 28}, {Title: "Typ", Width: 16}, {Title: "Beschreibung", Width: 36},
			{Title: "Organisationseinheit", Width: 22}, {Title: "Verantwortlich", Width: 18}, {Title: "Standort", Width: 16},
			{Title: "Anzahl", Width: 8}, {Title: "Gruppe", Width: 16}, {Title: "Abhängig von", Width: 22}, {Title: "Besonderheiten", Width: 20},
		}}},
	},
	{
		Name: "a2", Code: "A.2", Title: "Schutzbedarfsfeststellung", File: "A2_Schutzbedarfsfeststellung", Formats: []Format{XLSX, PDF},
		About: "Der Schutzbedarf jedes Zielobjekts in Vertraulichkeit, Integrität und Verfügbarkeit mit Herkunft (eigene Bewertung, Maximumprinzip, Abweichung) und Begründung.",
		Tables: []Table{{Title: "Schutzbedarfsfeststellung", Unit: "Zielobjekte", Rows: needsRows, Columns: []Column{
			{Title: "Kürzel", Width: 10}, {Title: "Name", Width: 26}, {Title: "Typ", Width: 16},
			{Title: "Vertraulichkeit", Width: 11}, {Title: "Integrität", Width: 11}, {Title: "Verfügbarkeit", Width: 11},
			{Title: "Begründung Vertraulichkeit", Width: 34}, {Title: "Begründung Integrität", Width: 34}, {Title: "Begründung Verfügbarkeit", Width: 34},
		}}},
	},
	{
		Name: "a3", Code: "A.3", Title: "Modellierung", File: "A3_Modellierung", Formats: []Format{XLSX, PDF},
		About: "Die Bausteine mit den Zielobjekten, denen sie zugeordnet sind, die Zielobjekte ohne geeigneten Baustein und die Komponenten der Zielobjekte.",
		Tables: []Table{{Title: "Modellierung", Unit: "Zuordnungen", Rows: modellingRows, Columns: []Column{
			{Title: "Schicht", Width: 9}, {Title: "Baustein", Width: 12}, {Title: "Titel des Bausteins", Width: 40},
			{Title: "Kürzel", Width: 10}, {Title: "Zielobjekt", Width: 30}, {Title: "Typ", Width: 18}, {Title: "Organisationseinheit", Width: 24},
		}}, componentsTable},
	},
	{
		Name: "a4", Code: "A.4", Title: "IT-Grundschutz-Check", File: "A4_IT-Grundschutz-Check", Formats: []Format{XLSX, PDF, CSV},
		About: "Jeder Eintrag des IT-Grundschutz-Checks: Zielobjekt, Anforderung mit Stufe, Umsetzungsstatus, Begründung, Umsetzung, Verantwortliche und Termine.",
		Tables: []Table{
			{Title: "IT-Grundschutz-Check", Unit: "Einträge", Rows: checkRows, For: notPlusPlus, Columns: []Column{
				{Title: "Kürzel", Width: 10}, {Title: "Zielobjekt", Width: 24}, {Title: "Organisationseinheit", Width: 20},
				{Title: "Baustein", Width: 10, NotInPDF: true}, {Title: "Anforderung", Width: 14}, {Title: "Titel", Width: 32}, {Title: "Stufe", Width: 6},
				{Title: "Umsetzungsstatus", Width: 12}, {Title: "Begründung", Width: 32}, {Title: "Umsetzung", Width: 36}, {Title: "Verantwortlich", Width: 16},
				{Title: "Umgesetzt am", Width: 12}, {Title: "Zieltermin", Width: 12}, {Title: "Letzte Prüfung", Width: 12, NotInPDF: true},
				{Title: "Nächste Prüfung", Width: 12},
			}},
			// Grundschutz++: the modal verb and security level instead of
			// B/S/H, the effort level, and the exception an unmet entry has.
			{Title: "IT-Grundschutz-Check", Unit: "Einträge", Rows: plusPlusCheckRows, For: plusPlus, Columns: []Column{
				{Title: "Kürzel", Width: 10}, {Title: "Zielobjekt", Width: 24}, {Title: "Organisationseinheit", Width: 20},
				{Title: "Praktik", Width: 10, NotInPDF: true}, {Title: "Anforderung", Width: 14}, {Title: "Titel", Width: 30},
				{Title: "Modalverb", Width: 8}, {Title: "Sicherheitsniveau", Width: 10}, {Title: "Aufwand", Width: 7},
				{Title: "Umsetzungsstatus", Width: 12}, {Title: "Begründung", Width: 30}, {Title: "Ausnahme bis", Width: 11}, {Title: "Umsetzung", Width: 34},
				{Title: "Verantwortlich", Width: 16}, {Title: "Umgesetzt am", Width: 12, NotInPDF: true}, {Title: "Zieltermin", Width: 12},
				{Title: "Nächste Prüfung", Width: 12, NotInPDF: true},
			}},
			paramsTable},
	},
	{
		Name: "a5", Code: "A.5", Title: "Risikoanalyse", File: "A5_Risikoanalyse", Formats: []Format{XLSX, PDF},
		About: "Die Zielobjekte mit Risikoanalyse nach BSI-Standard 200-3: Gefährdungen, Eintrittshäufigkeit, Schadensauswirkung, Risikokategorie, Behandlung, Restrisiko und Akzeptanz.",
		Tables: []Table{{Title: "Risikoanalyse", Unit: "Zeilen", Rows: riskRows, Columns: []Column{
			{Title: "Kürzel", Width: 10}, {Title: "Zielobjekt", Width: 22}, {Title: "Anlass", Width: 18}, {Title: "Gefährdung", Width: 30},
			{Title: "Eintrittshäufigkeit", Width: 12}, {Title: "Schadensauswirkung", Width: 14}, {Title: "Risikokategorie", Width: 11},
			{Title: "Behandlung", Width: 17}, {Title: "Maßnahmen und Anforderungen", Width: 34}, {Title: "Restrisiko", Width: 24},
			{Title: "Akzeptanz", Width: 28},
		}}},
	},
	{
		Name: "a6", Code: "A.6", Title: "Realisierungsplan", File: "A6_Realisierungsplan", Formats: []Format{XLSX, PDF},
		About: "Die Maßnahmen für teilweise und nicht umgesetzte Anforderungen mit Verantwortlichen, Fälligkeit, Budget, Priorität und Stand.",
		Tables: []Table{{Title: "Realisierungsplan", Unit: "Maßnahmen", Rows: planRows, Columns: []Column{
			{Title: "Kürzel", Width: 10}, {Title: "Zielobjekt", Width: 22}, {Title: "Organisationseinheit", Width: 20},
			{Title: "Anforderung", Width: 14}, {Title: "Titel", Width: 28}, {Title: "Stufe", Width: 9}, {Title: "Umsetzungsstatus", Width: 12},
			{Title: "Maßnahme", Width: 36}, {Title: "Verantwortlich", Width: 18}, {Title: "Fällig am", Width: 12}, {Title: "Budget", Width: 12},
			{Title: "Priorität", Width: 9}, {Title: "Stand", Width: 16},
		}}},
	},
	{
		Name: "soa", Title: "Erklärung zur Anwendbarkeit", File: "Erklaerung-zur-Anwendbarkeit", Formats: []Format{XLSX, PDF},
		About: "Die Bausteine und Anforderungen des Informationsverbunds mit ihrer Anwendbarkeit, dem Umsetzungsstand über alle Zielobjekte und den Begründungen.",
		Tables: []Table{{Title: "Erklärung zur Anwendbarkeit", Unit: "Anforderungen", Rows: applicabilityRows, Columns: []Column{
			{Title: "Schicht", Width: 8, NotInPDF: true}, {Title: "Baustein", Width: 10}, {Title: "Titel des Bausteins", Width: 30, NotInPDF: true},
			{Title: "Anforderung", Width: 14}, {Title: "Titel", Width: 34}, {Title: "Stufe", Width: 9}, {Title: "Zielobjekte", Width: 10},
			{Title: "ja", Width: 7}, {Title: "teilweise", Width: 9}, {Title: "nein", Width: 7}, {Title: "entbehrlich", Width: 10},
			{Title: "unbearbeitet", Width: 11}, {Title: "Anwendbar", Width: 10}, {Title: "Umsetzung", Width: 18}, {Title: "Begründungen", Width: 48},
		}}},
	},
	readinessReport,
}

func structureRows(ctx context.Context, db *postgres.DB, q Query, emit func(Row) error) error {
	return db.EachObject(ctx, q.Scope.ID, q.Vis, func(o postgres.StructureRow) error {
		group := ""
		switch {
		case o.Group:
			group = "Gruppe"
		case o.GroupShortID != "":
			group = "Mitglied von " + o.GroupShortID
		}
		var notes []string
		if o.NoSuitableModule {
			notes = append(notes, "kein geeigneter Baustein")
		}
		if o.UntypicalEnvironment {
			notes = append(notes, "untypisches Einsatzumfeld")
		}
		return emit(Row{o.ShortID, o.Name, o.Type.Label(), o.Description, o.DepartmentName, o.Responsible, o.Location, o.Members,
			group, strings.Join(o.DependsOn, ", "), strings.Join(notes, ", ")})
	})
}

func needsRows(ctx context.Context, db *postgres.DB, q Query, emit func(Row) error) error {
	return db.EachObject(ctx, q.Scope.ID, q.Vis, func(o postgres.StructureRow) error {
		c, i, a := o.Needs[domain.Confidentiality], o.Needs[domain.Integrity], o.Needs[domain.Availability]
		return emit(Row{o.ShortID, o.Name, o.Type.Label(), c.Effective.Label(), i.Effective.Label(), a.Effective.Label(),
			needReason(c), needReason(i), needReason(a)})
	})
}

// needReason says where an effective protection need comes from and why.
func needReason(n domain.ObjectNeed) string {
	with := func(source, reason string) string {
		if reason = strings.TrimSpace(reason); reason != "" {
			return source + ": " + reason
		}
		return source
	}
	switch n.Source {
	case domain.SourceOwn:
		return with("eigene Bewertung", n.OwnReason)
	case domain.SourceInherited:
		if n.InheritedFromName == "" {
			return "geerbt nach dem Maximumprinzip (von einem Zielobjekt außerhalb dieser Sicht)"
		}
		return "geerbt nach dem Maximumprinzip von " + n.InheritedFromName
	case domain.SourceOverride:
		return with(n.OverrideKind.Label(), n.OverrideReason)
	case domain.SourceCycle:
		return "liegt auf einem Abhängigkeitszyklus: höchster Schutzbedarf der Zielobjekte des Zyklus"
	}
	return "nicht festgelegt"
}

func modellingRows(ctx context.Context, db *postgres.DB, q Query, emit func(Row) error) error {
	return db.EachAssignment(ctx, q.Scope.ID, q.Vis, func(a postgres.AssignmentRow) error {
		module, title := a.ModuleID, a.ModuleTitle
		if module == "" {
			module, title = "–", "kein geeigneter Baustein: Risikoanalyse erforderlich"
		}
		return emit(Row{a.Layer, module, title, a.ObjectShortID, a.ObjectName, a.ObjectType.Label(), a.DepartmentName})
	})
}

// componentsTable lists each object's components (Grundschutz++
// implementation layer) in A.3.
var componentsTable = Table{Title: "Komponenten", Unit: "Zuordnungen", Rows: componentRows, Columns: []Column{
	{Title: "Kürzel", Width: 10}, {Title: "Zielobjekt", Width: 30}, {Title: "Typ", Width: 18}, {Title: "Organisationseinheit", Width: 24},
	{Title: "Komponente", Width: 40}, {Title: "Art", Width: 10}, {Title: "Umsetzungshinweise", Width: 12},
}}

func componentRows(ctx context.Context, db *postgres.DB, q Query, emit func(Row) error) error {
	return db.EachObjectComponent(ctx, q.Scope.ID, q.Vis, func(a postgres.ObjectComponentRow) error {
		return emit(Row{a.ObjectShortID, a.ObjectName, a.ObjectType.Label(), a.DepartmentName, a.Label, a.Type, a.Implemented})
	})
}

func plusPlus(q Query) bool    { return q.Scope.Method == domain.MethodPlusPlus }
func notPlusPlus(q Query) bool { return !plusPlus(q) }

// levelText is a requirement's level as the report's scope names it: the
// Kompendium's letter, or Grundschutz++'s modal verb and security level.
func levelText(l domain.Level, o domain.Obligation) string {
	if o == "" {
		return l.Letter()
	}
	return o.Label() + " · " + domain.PlusPlusLevelLabel(l)
}

// effortText is an effort level, or "" where the catalog gives none.
func effortText(e *int) any {
	if e == nil {
		return ""
	}
	return *e
}

func plusPlusCheckRows(ctx context.Context, db *postgres.DB, q Query, emit func(Row) error) error {
	return db.EachCheckEntry(ctx, q.Scope.ID, q.Vis, func(e domain.CheckEntry) error {
		return emit(Row{e.ObjectShortID, e.ObjectName, e.DepartmentName, e.ModuleID, e.RequirementID, e.Title, e.Obligation.Label(),
			domain.PlusPlusLevelLabel(e.Level), effortText(e.Effort), e.Status.Label(), e.Justification, date(e.ExceptionUntil),
			e.Implementation, e.Responsible, date(e.ImplementedOn), date(e.TargetDate), date(e.NextReview)})
	})
}

func checkRows(ctx context.Context, db *postgres.DB, q Query, emit func(Row) error) error {
	return db.EachCheckEntry(ctx, q.Scope.ID, q.Vis, func(e domain.CheckEntry) error {
		return emit(Row{e.ObjectShortID, e.ObjectName, e.DepartmentName, e.ModuleID, e.RequirementID, e.Title, e.Level.Letter(),
			e.Status.Label(), e.Justification, e.Implementation, e.Responsible, date(e.ImplementedOn), date(e.TargetDate),
			date(e.LastReview), date(e.NextReview)})
	})
}

func riskRows(ctx context.Context, db *postgres.DB, q Query, emit func(Row) error) error {
	m, err := db.RiskMatrix(ctx, q.Scope.ID)
	if err != nil {
		return err
	}
	return db.EachRiskRow(ctx, q.Scope.ID, q.Vis, func(r postgres.RiskRow) error {
		var reasons []string
		for _, x := range r.Reasons() {
			reasons = append(reasons, x.Label())
		}
		if len(reasons) == 0 {
			reasons = []string{"ohne Pflicht durchgeführt"}
		}
		acceptance := ""
		switch {
		case r.AnalysisID == nil:
		case r.AcceptedOn == nil:
			acceptance = "nicht akzeptiert"
		case r.VoidedAt != nil:
			acceptance = "Akzeptanz ungültig seit " + german.Date(r.VoidedAt.In(q.Generated.Location())) + ": " + r.VoidedReason
		default:
			acceptance = "akzeptiert am " + german.Date(*r.AcceptedOn) + " von " + r.AcceptedBy
		}
		row := Row{r.ObjectShortID, r.ObjectName, strings.Join(reasons, ", ")}
		switch {
		case r.AnalysisID == nil:
			return emit(append(row, "keine Risikoanalyse", nil, nil, nil, nil, nil, nil, acceptance))
		case r.ItemID == 0:
			return emit(append(row, "noch keine Gefährdung erfasst", nil, nil, nil, nil, nil, nil, acceptance))
		}
		threat := r.Title
		if r.ThreatID != "" {
			threat = r.ThreatID + " " + r.Title
		}
		measures := r.Measures
		if r.Requirements != "" {
			measures = strings.TrimSpace(measures + "\nAnforderungen: " + r.Requirements)
		}
		residual := domain.Category(m.Matrix, r.ResidualFrequency, r.ResidualImpact).Label()
		if r.ResidualFrequency.Valid() && r.ResidualImpact.Valid() {
			residual += " (" + r.ResidualFrequency.Label() + ", " + r.ResidualImpact.Label() + ")"
		}
		return emit(append(row, threat, r.Frequency.Label(), r.Impact.Label(), domain.Category(m.Matrix, r.Frequency, r.Impact).Label(),
			r.Treatment.Label(), measures, residual, acceptance))
	})
}

func planRows(ctx context.Context, db *postgres.DB, q Query, emit func(Row) error) error {
	today := q.Today()
	return db.EachPlanItem(ctx, q.Scope.ID, q.Vis, func(p domain.PlanItem) error {
		state := p.State.Label()
		if p.Overdue(today) {
			state += ", überfällig"
		}
		return emit(Row{p.ObjectShortID, p.ObjectName, p.DepartmentName, p.RequirementID, p.Title, levelText(p.Level, p.Obligation), p.EntryStatus.Label(),
			p.Measure, p.Owner, date(p.DueDate), euro(p.BudgetCents), domain.PriorityLabel(p.Priority), state})
	})
}

func applicabilityRows(ctx context.Context, db *postgres.DB, q Query, emit func(Row) error) error {
	return db.EachApplicability(ctx, q.Scope.ID, q.Vis, func(a postgres.ApplicabilityRow) error {
		applicable := "ja"
		if a.NotApplicable == a.Objects {
			applicable = "nein"
		}
		reasons := strings.Join(a.Justifications, " | ")
		if a.MoreReasons > 0 {
			reasons += " | und " + german.Count(a.MoreReasons) + " weitere"
		}
		return emit(Row{a.Layer, a.ModuleID, a.ModuleTitle, a.RequirementID, a.Title, levelText(a.Level, domain.Obligation(a.Obligation.String)), a.Objects,
			a.Yes, a.Partial, a.No, a.NotApplicable, a.Open, applicable, implementation(a), reasons})
	})
}

// implementation sums up how far a requirement is implemented over the
// objects it applies to.
func implementation(a postgres.ApplicabilityRow) string {
	switch {
	case a.NotApplicable == a.Objects:
		return "entbehrlich"
	case a.Partial+a.No+a.Open == 0:
		return "umgesetzt"
	case a.Yes+a.Partial+a.No == 0:
		return "unbearbeitet"
	case a.Yes+a.Partial == 0:
		return "nicht umgesetzt"
	}
	return "teilweise umgesetzt"
}
