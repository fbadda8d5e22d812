package report

import (
	"context"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// readinessReport is the certification readiness (gates G1–G10) as a
// file: the gates, every item that blocks one, and the check's progress.
var readinessReport = &Report{
	Name: "readiness", Title: "Zertifizierungsreife", File: "Zertifizierungsreife", Formats: []Format{XLSX, PDF},
	About: "Die Prüfpunkte G1 bis G10 mit Ergebnis und Gesamturteil, jeder blockierende Punkt mit Grund und Organisationseinheit, und der Umsetzungsstand nach Stufe, Schicht und Organisationseinheit.",
	Tables: []Table{
		{Title: "Prüfpunkte", Unit: "Zeilen", Rows: gateRows, Columns: []Column{
			{Title: "Prüfpunkt", Width: 34}, {Title: "Ergebnis", Width: 14}, {Title: "Geprüft", Width: 10}, {Title: "Blockierend", Width: 11},
			{Title: "Zusammenfassung", Width: 80},
		}},
		{Title: "Blockierende Punkte", Unit: "blockierende Punkte", Rows: blockerRows, Columns: []Column{
			{Title: "Prüfpunkt", Width: 30}, {Title: "Gegenstand", Width: 44}, {Title: "Grund", Width: 60}, {Title: "Organisationseinheit", Width: 24},
		}},
		{Title: "Umsetzungsstand", Unit: "Zeilen", Rows: progressRows, Columns: []Column{
			{Title: "Gliederung", Width: 18}, {Title: "Bezeichnung", Width: 32}, {Title: "Einträge", Width: 10}, {Title: "ja", Width: 9},
			{Title: "entbehrlich", Width: 10}, {Title: "teilweise", Width: 9}, {Title: "nein", Width: 9}, {Title: "unbearbeitet", Width: 11},
			{Title: "erledigt (%)", Width: 10}, {Title: "Zieltermin", Width: 11}, {Title: "Hinweis", Width: 24},
		}},
	},
}

func gateRows(ctx context.Context, db *postgres.DB, q Query, emit func(Row) error) error {
	r, err := db.Readiness(ctx, q.Scope.ID, q.Vis, q.Today())
	if err != nil {
		return err
	}
	checked := 0
	for _, g := range r.Gates {
		checked += g.Checked
		if err := emit(Row{g.Label(), g.Status.Label(), g.Checked, g.Blocking, g.Summary}); err != nil {
			return err
		}
	}
	verdict := "nicht bereit"
	if r.Ready {
		verdict = "bereit"
	}
	return emit(Row{"Gesamturteil", verdict, checked, r.Blockers(), r.Verdict()})
}

// blockerRows lists the blockers gate by gate, a page at a time: the list
// of a gate is exactly what its count says.
func blockerRows(ctx context.Context, db *postgres.DB, q Query, emit func(Row) error) error {
	for _, id := range domain.Gates {
		gate := domain.Gate{ID: id}.Label()
		var after postgres.BlockerCursor
		for {
			page, next, err := db.GateBlockers(ctx, q.Scope.ID, id, q.Vis, q.Today(), after, 1000)
			if err != nil {
				return err
			}
			for _, b := range page {
				if err := emit(Row{gate, b.Label, b.Reason, b.DepartmentName}); err != nil {
					return err
				}
			}
			if next == nil {
				break
			}
			after = *next
		}
	}
	return nil
}

func progressRows(ctx context.Context, db *postgres.DB, q Query, emit func(Row) error) error {
	levels, err := db.LevelProgress(ctx, q.Scope.ID, q.Vis, q.Today())
	if err != nil {
		return err
	}
	row := func(by string, p domain.Progress, due any, note string) Row {
		return Row{by, p.Label, p.Total, p.Yes, p.NotApplicable, p.Partial, p.No, p.Open, p.Percent(), due, note}
	}
	for _, l := range levels {
		note := ""
		if l.Late {
			note = "Zieltermin überschritten"
		}
		if err := emit(row("Stufe", l.Progress, date(l.Due), note)); err != nil {
			return err
		}
	}
	for _, by := range []struct {
		key   postgres.ProgressBy
		label string
	}{{postgres.ProgressByLayer, "Schicht"}, {postgres.ProgressByDepartment, "Organisationseinheit"}} {
		ps, err := db.CheckProgress(ctx, q.Scope.ID, q.Vis, by.key)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.Label == "" {
				p.Label = "ohne Organisationseinheit"
			}
			if err := emit(row(by.label, p, nil, "")); err != nil {
				return err
			}
		}
	}
	return nil
}
