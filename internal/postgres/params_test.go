package postgres_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/postgres/pgtest"
)

type paramsEnv struct {
	db    *postgres.DB
	scope int64
	other int64 // a Kompendium scope
}

// newParamsEnv makes a Grundschutz++ scope on a small catalog of our own:
// P.1.1 and P.1.2 insert a parameter each, P.1.4 one with a preset, and
// P.1.3 (erhöht) one that stays outside the package, as no need is high.
func newParamsEnv(t *testing.T) paramsEnv {
	t.Helper()
	db, _ := pgtest.Open(t)
	e := paramsEnv{db: db}
	text := func(before, param, label, after string) domain.Text {
		return domain.Text{{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: before}, {Text: label, Emph: true, Param: param}, {Text: after}}}}
	}
	pp := domain.CatalogContent{Kind: domain.CatalogOSCAL, Title: "Prüfkatalog++", Version: "1",
		Groups:  []domain.CatalogGroup{{Key: "P", Title: "Praktik", Order: 1}},
		Modules: []domain.Module{{ID: "P.1", GroupKey: "P", Title: "Praktik 1", Order: 1}},
		Requirements: []domain.Requirement{
			{ID: "P.1.1", ModuleID: "P.1", Title: "Prüfen", Level: domain.LevelStandard, Order: 1, Obligation: domain.ObligationMust,
				Text: text("Die Institution MUSS ", "p.1.1-prm1", "regelmäßig", " prüfen."), Params: []domain.RequirementParam{{ID: "p.1.1-prm1", Label: "regelmäßig"}}},
			{ID: "P.1.2", ModuleID: "P.1", Title: "Benennen", Level: domain.LevelStandard, Order: 2, Obligation: domain.ObligationShould,
				Text: text("Die Institution SOLLTE ", "p.1.2-prm1", "eine Person", " benennen."), Params: []domain.RequirementParam{{ID: "p.1.2-prm1", Label: "eine Person"}}},
			{ID: "P.1.3", ModuleID: "P.1", Title: "Erhöht", Level: domain.LevelElevated, Order: 3, Obligation: domain.ObligationShould,
				Text: text("Die Institution SOLLTE ", "p.1.3-prm1", "häufig", " testen."), Params: []domain.RequirementParam{{ID: "p.1.3-prm1", Label: "häufig"}}},
			{ID: "P.1.4", ModuleID: "P.1", Title: "Standard", Level: domain.LevelStandard, Order: 4, Obligation: domain.ObligationMay,
				Text:   text("Die Institution KANN ", "p.1.4-prm1", "einem Standard", " folgen."),
				Params: []domain.RequirementParam{{ID: "p.1.4-prm1", Label: "einem Standard", Preset: "BSI Grundschutz++"}}},
		}}
	kompendium := domain.CatalogContent{Kind: domain.CatalogKompendium, Title: "Prüfkatalog", Version: "1",
		Groups:       []domain.CatalogGroup{{Key: "TST", Title: "TST", Order: 1}},
		Modules:      []domain.Module{{ID: "TST.1", GroupKey: "TST", Title: "Server", Order: 1}},
		Requirements: []domain.Requirement{{ID: "TST.1.A1", ModuleID: "TST.1", Title: "Basis", Level: domain.LevelBasis, Order: 1}}}
	err := db.InTx(ctx, actor("test"), func(tx *postgres.Tx) error {
		for i, content := range []domain.CatalogContent{pp, kompendium} {
			c, err := tx.InsertCatalog(ctx, domain.Catalog{Kind: content.Kind, Title: content.Title, Version: content.Version,
				SourceName: "test", SourceSHA256: strings.Repeat(string(rune('a'+i)), 64)}, content)
			if err != nil {
				return err
			}
			s, err := tx.CreateScope(ctx, domain.ScopeInput{Name: content.Title, CatalogID: c.ID, Approach: domain.ApproachStandard})
			if err != nil {
				return err
			}
			if i == 0 {
				e.scope = s.ID
			} else {
				e.other = s.ID
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e paramsEnv) list(t *testing.T, f domain.ParamFilter) postgres.ScopeParams {
	t.Helper()
	ps, err := e.db.ScopeParams(ctx, e.scope, f)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func (e paramsEnv) set(version int, ch postgres.ParamChange, vis postgres.Visibility) (postgres.ScopeParams, error) {
	out, err := postgres.InTxValue(ctx, e.db, actor("isb"), func(tx *postgres.Tx) (postgres.ScopeParams, error) {
		return tx.SetParams(ctx, e.scope, version, ch, vis)
	})
	return out, err
}

func paramIDs(ps postgres.ScopeParams) []string {
	return mapped(ps.Items, func(p postgres.ScopeParam) string { return p.ParamID })
}

// The package's parameters are those of requirements with an active
// entry; the erhöht requirement P.1.3 is not in it. Unset means neither a
// value of the scope nor a preset; both filters count in SQL.
func TestScopeParamsListThePackage(t *testing.T) {
	t.Parallel()
	e := newParamsEnv(t)
	all := e.list(t, domain.ParamFilter{})
	if got := paramIDs(all); !slices.Equal(got, []string{"p.1.1-prm1", "p.1.2-prm1", "p.1.4-prm1"}) {
		t.Fatalf("parameters %v", got)
	}
	if all.All != 3 || all.Total != 3 || all.Unset != 2 || all.Version != 1 {
		t.Errorf("counts all %d total %d unset %d version %d", all.All, all.Total, all.Unset, all.Version)
	}
	if r := all.Items[0].Requirements; len(r) != 1 || r[0].ID != "P.1.1" || r[0].Title != "Prüfen" || !strings.Contains(r[0].Text.Plain(), "regelmäßig") {
		t.Errorf("requirements of p.1.1-prm1: %+v", r)
	}
	if p := all.Items[2]; p.Preset != "BSI Grundschutz++" || p.Unset() || p.Effective() != "BSI Grundschutz++" {
		t.Errorf("preset parameter %+v", p)
	}
	unset := e.list(t, domain.ParamFilter{UnsetOnly: true})
	if got := paramIDs(unset); !slices.Equal(got, []string{"p.1.1-prm1", "p.1.2-prm1"}) || unset.Total != 2 || unset.All != 3 {
		t.Errorf("unset only: %v, total %d", got, unset.Total)
	}
	byReq := e.list(t, domain.ParamFilter{Requirement: "p.1.2"})
	if got := paramIDs(byReq); !slices.Equal(got, []string{"p.1.2-prm1"}) || byReq.Total != 1 {
		t.Errorf("by requirement: %v, total %d", got, byReq.Total)
	}
	page := e.list(t, domain.ParamFilter{Limit: 1, Offset: 1})
	if got := paramIDs(page); !slices.Equal(got, []string{"p.1.2-prm1"}) || page.Total != 3 {
		t.Errorf("second page: %v, total %d", got, page.Total)
	}
	none := e.list(t, domain.ParamFilter{Requirement: "X"})
	if len(none.Items) != 0 || none.Total != 0 || none.All != 3 {
		t.Errorf("no match: %+v", none)
	}
	if _, err := e.db.ScopeParams(ctx, e.other, domain.ParamFilter{}); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("Kompendium scope: %v, want a conflict", err)
	}
	if _, err := e.db.ScopeParams(ctx, 999999, domain.ParamFilter{}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("missing scope: %v", err)
	}
}

// A bulk change applies all of it or nothing: one bad item refuses the
// whole, with a violation per item, and the version guards against lost
// updates.
func TestSetParamsAllOrNothing(t *testing.T) {
	t.Parallel()
	e := newParamsEnv(t)
	_, err := e.set(1, postgres.ParamChange{Values: []domain.ParamValueInput{
		{ParamID: "p.1.1-prm1", Value: "a\x07b"},
		{ParamID: "p.1.2-prm1", Value: "   "},
		{ParamID: "p.1.3-prm1", Value: "monatlich"}, // erhöht: not in the package
		{ParamID: "p.1.4-prm1", Value: strings.Repeat("x", domain.ParamValueMax+1)},
		{ParamID: "p.1.1-prm1", Value: "zweimal"},
	}, Clear: []string{"nope"}}, postgres.Everything)
	var de *domain.Error
	if !errors.As(err, &de) || !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("bad bulk: %v", err)
	}
	var pointers []string
	for _, v := range de.Violations {
		pointers = append(pointers, v.Pointer)
		if v.German == "" {
			t.Errorf("%s: no German message", v.Pointer)
		}
	}
	want := []string{"/values/0/value", "/values/1/value", "/values/3/value", "/values/2/param_id", "/values/4/param_id", "/clear/0"}
	if !slices.Equal(pointers, want) {
		t.Errorf("violations at %v, want %v", pointers, want)
	}
	if ps := e.list(t, domain.ParamFilter{}); ps.Version != 1 || ps.Items[0].Value.Valid {
		t.Errorf("a refused bulk changed something: version %d, %+v", ps.Version, ps.Items[0])
	}

	ps, err := e.set(1, postgres.ParamChange{Values: []domain.ParamValueInput{
		{ParamID: "p.1.1-prm1", Value: " jährlich "}, {ParamID: "p.1.4-prm1", Value: "ISO 27001"}}}, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	if ps.Version != 2 || ps.Unset != 1 || ps.Items[0].Value.String != "jährlich" || ps.Items[0].UpdatedBy.String != "isb" {
		t.Errorf("after setting: version %d unset %d %+v", ps.Version, ps.Unset, ps.Items[0])
	}
	if _, err := e.set(1, postgres.ParamChange{Values: []domain.ParamValueInput{{ParamID: "p.1.2-prm1", Value: "die ISB"}}},
		postgres.Everything); !errors.Is(err, domain.ErrPreconditionFailed) {
		t.Errorf("stale version: %v", err)
	}
	// Setting the same value again changes nothing, not even the version.
	if ps, err = e.set(2, postgres.ParamChange{Values: []domain.ParamValueInput{{ParamID: "p.1.1-prm1", Value: "jährlich"}}},
		postgres.Everything); err != nil || ps.Version != 2 {
		t.Errorf("same value: version %d, %v", ps.Version, err)
	}
	// Clearing brings the preset back for p.1.4 and leaves p.1.1 unset.
	if ps, err = e.set(2, postgres.ParamChange{Clear: []string{"p.1.1-prm1", "p.1.4-prm1"}}, postgres.Everything); err != nil {
		t.Fatal(err)
	}
	if ps.Version != 3 || ps.Unset != 2 || ps.Items[0].Value.Valid || ps.Items[2].Effective() != "BSI Grundschutz++" {
		t.Errorf("after clearing: version %d unset %d %+v", ps.Version, ps.Unset, ps.Items)
	}
	recs, _, err := e.db.ListAudit(ctx, domain.AuditFilter{ResourceType: "scope", ResourceID: strconv.FormatInt(e.scope, 10), Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, r := range recs {
		actions[r.Action]++
	}
	if actions["scope.param_set"] != 2 || actions["scope.param_clear"] != 2 {
		t.Errorf("audit actions %v", actions)
	}
}

// The values hold for the whole scope: a writer limited to departments
// may read them but not set them, and a Kompendium scope has none.
func TestSetParamsRefusals(t *testing.T) {
	t.Parallel()
	e := newParamsEnv(t)
	one := postgres.ParamChange{Values: []domain.ParamValueInput{{ParamID: "p.1.1-prm1", Value: "jährlich"}}}
	if _, err := e.set(1, one, postgres.Visibility{Departments: []int64{1}}); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("limited writer: %v", err)
	}
	err := e.db.InTx(ctx, actor("isb"), func(tx *postgres.Tx) error {
		_, err := tx.SetParams(ctx, e.other, 1, one, postgres.Everything)
		return err
	})
	if !errors.Is(err, domain.ErrConflict) {
		t.Errorf("Kompendium scope: %v", err)
	}
}

// The texts show the scope's own value, else the preset.
func TestParamValuesInPlace(t *testing.T) {
	t.Parallel()
	e := newParamsEnv(t)
	if _, err := e.set(1, postgres.ParamChange{Values: []domain.ParamValueInput{{ParamID: "p.1.2-prm1", Value: "die ISB"}}}, postgres.Everything); err != nil {
		t.Fatal(err)
	}
	v, err := e.db.ParamValues(ctx, e.scope)
	if err != nil {
		t.Fatal(err)
	}
	got := v.Effective()
	if len(got) != 2 || got["p.1.2-prm1"] != "die ISB" || got["p.1.4-prm1"] != "BSI Grundschutz++" || v.Own["p.1.4-prm1"] != "" {
		t.Errorf("values %+v", v)
	}
	if other, err := e.db.ParamValues(ctx, e.other); err != nil || len(other.Effective()) != 0 {
		t.Errorf("Kompendium scope: %v, %v", other, err)
	}
}
