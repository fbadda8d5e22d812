package report

import (
	"context"
	"strings"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// paramsTable is the second table of A.4 for a Grundschutz++ scope: every
// parameter of its requirement package with the BSI's label, the
// institution's value, and the requirements' texts with the values in
// place (Methodik STM.5.1), each value in «», an unset parameter as its
// label in [].
var paramsTable = Table{Title: "Parameter", Unit: "Parameter", Rows: paramRows,
	For: func(q Query) bool { return q.Scope.Method == domain.MethodPlusPlus },
	Columns: []Column{
		{Title: "Parameter", Width: 16, NotInPDF: true}, {Title: "Frage des BSI", Width: 28}, {Title: "Wert der Institution", Width: 28},
		{Title: "Herkunft", Width: 14}, {Title: "Anforderungen", Width: 14}, {Title: "Anforderungstext mit Wert", Width: 70},
	}}

func paramRows(ctx context.Context, db *postgres.DB, q Query, emit func(Row) error) error {
	ps, err := db.ScopeParams(ctx, q.Scope.ID, domain.ParamFilter{})
	if err != nil {
		return err
	}
	values, err := db.ParamValues(ctx, q.Scope.ID)
	if err != nil {
		return err
	}
	inPlace := values.Effective()
	for _, p := range ps.Items {
		source := "nicht gesetzt"
		switch {
		case p.Value.Valid:
			source = "eigener Wert"
		case p.Preset != "":
			source = "Vorgabe des Katalogs"
		}
		var ids, texts []string
		for _, r := range p.Requirements {
			ids = append(ids, r.ID)
			texts = append(texts, r.ID+": "+markedPlain(r.Text.WithParams(inPlace)))
		}
		if err := emit(Row{p.ParamID, p.Label, p.Effective(), source, strings.Join(ids, ", "), strings.Join(texts, "\n")}); err != nil {
			return err
		}
	}
	return nil
}

// markedPlain is the text without markup, a parameter's value in «» and
// an unset parameter's label in [], so that a reader of a plain cell
// tells the institution's values from the BSI's words.
func markedPlain(t domain.Text) string {
	return markParams(t).Plain()
}

func markParams(t domain.Text) domain.Text {
	out := make(domain.Text, len(t))
	for i, b := range t {
		nb := domain.Block{Kind: b.Kind}
		for _, r := range b.Runs {
			switch {
			case r.Param != "" && r.Value:
				r.Text = "«" + r.Text + "»"
			case r.Param != "":
				r.Text = "[" + r.Text + "]"
			}
			nb.Runs = append(nb.Runs, r)
		}
		for _, it := range b.Items {
			nb.Items = append(nb.Items, markParams(it))
		}
		out[i] = nb
	}
	return out
}
