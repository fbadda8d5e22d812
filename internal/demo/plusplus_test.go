package demo

import (
	"testing"
	"time"

	"ismsd/internal/postgres"
)

func TestSeedPlusPlusProbe(t *testing.T) {
	db, acc := setup(t)
	res, err := Seed(ctx, db, acc, actor)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res.PlusPlus)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	r, err := db.Readiness(ctx, res.PlusPlus.ScopeID, postgres.Everything, today)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range r.Gates {
		t.Logf("%s %s %d/%d %s", g.ID, g.Status, g.Blocking, g.Checked, g.Summary)
	}
}
