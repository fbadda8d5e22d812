package postgres_test

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"ismsd/internal/catalog/catalogtest"
	"ismsd/migrations"
	"slices"
	"strings"
	"testing"
	"time"

	"ismsd/internal/catalog/oscal"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/postgres/pgtest"
)

// newPlusPlusEnv is a scope on the BSI's Methodik catalog, without
// target objects of its own: its package lies on the scope object.
func newPlusPlusEnv(t testing.TB, file string) (readyEnv, domain.CatalogContent) {
	t.Helper()
	data := catalogtest.Read(t, file)
	content, err := oscal.ParseCatalog(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	db, info := pgtest.Open(t)
	sum := sha256.Sum256(data)
	e := readyEnv{structure: structure{db: db, ownerURL: info.OwnerURL, appURL: info.AppURL}, today: readyToday}
	err = db.InTx(ctx, actor("test"), func(tx *postgres.Tx) error {
		c, err := tx.InsertCatalog(ctx, domain.Catalog{Kind: domain.CatalogOSCAL, Title: content.Title, Version: content.Version,
			UUID: content.UUID, SourceName: "methodik.json", SourceSHA256: hex.EncodeToString(sum[:])}, content)
		if err != nil {
			return err
		}
		e.scope, err = tx.CreateScope(ctx, domain.ScopeInput{Name: "Rechenzentrum GS++", CatalogID: c.ID, Approach: domain.ApproachStandard})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if e.owner, err = sql.Open("postgres", info.OwnerURL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.owner.Close() })
	return e, content
}

func TestPlusPlusPackageAndReadiness(t *testing.T) {
	t.Parallel()
	e, content := newPlusPlusEnv(t, catalogtest.Methodik)
	var must, withParams int
	for _, r := range content.Requirements {
		if r.Obligation == domain.ObligationMust {
			must++
		}
		if len(r.Params) > 0 {
			withParams++
		}
	}
	// The package: every requirement of the catalog on the scope object,
	// with its modal verb (the Methodik's are all normal-SdT).
	var entries, musts int
	if err := e.owner.QueryRow(`SELECT count(*), count(*) FILTER (WHERE obligation = 'muss') FROM check_entries e
		JOIN objects o ON o.id = e.object_id AND o.type = 'scope' WHERE e.scope_id = $1 AND e.active`, e.scope.ID).Scan(&entries, &musts); err != nil {
		t.Fatal(err)
	}
	if entries != len(content.Requirements) || musts != must {
		t.Fatalf("package of %d entries (%d MUSS), want %d (%d)", entries, musts, len(content.Requirements), must)
	}

	// G1: the guideline must name the scope's catalog.
	e.setGuideline(t, guidelineRow{})
	gates, blockers := e.readiness(t, postgres.Everything)
	if gates[domain.GateGuideline].Blocking != 1 || !strings.Contains(blockers[domain.GateGuideline][0].Reason, "nennt nicht den Katalog") {
		t.Errorf("G1 without the catalog: %+v %+v", gates[domain.GateGuideline], blockers[domain.GateGuideline])
	}
	e.setGuideline(t, guidelineRow{catalog: &e.scope.CatalogID})

	// G4: each requirement with a parameter without value blocks.
	gates, blockers = e.readiness(t, postgres.Everything)
	if gates[domain.GateGuideline].Blocking != 0 {
		t.Errorf("G1 with the catalog: %+v", blockers[domain.GateGuideline])
	}
	g4 := gates[domain.GateModelling]
	if g4.Checked != withParams || g4.Blocking != withParams || len(blockers[domain.GateModelling]) != withParams {
		t.Fatalf("G4 %+v, want %d requirements with parameters, all blocking", g4, withParams)
	}
	var ums bool
	for _, b := range blockers[domain.GateModelling] {
		if strings.HasPrefix(b.Label, "UMS.5.1 ") {
			ums = b.Reason == "Parameter ohne Wert der Institution: eine zuständige Person oder Rolle." &&
				b.URL == fmt.Sprintf("/scopes/%d/parameters?requirement=UMS.5.1", e.scope.ID)
		}
	}
	if !ums {
		t.Errorf("UMS.5.1 not listed as it should be: %+v", blockers[domain.GateModelling])
	}
	e.exec(t, `INSERT INTO scope_params (scope_id, param_id, value, updated_by)
		SELECT $1, param_id, 'die Amtsleitung', 'test' FROM catalog_requirement_params WHERE catalog_id = $2`, e.scope.ID, e.scope.CatalogID)

	// G5: an unmet MUSS needs a valid exception; an unmet SOLLTE is
	// justified already.
	e.exec(t, `UPDATE check_entries SET status = 'yes' WHERE scope_id = $1`, e.scope.ID)
	mustEntry := e.id(t, `SELECT id FROM check_entries WHERE scope_id = $1 AND obligation = 'muss' ORDER BY id LIMIT 1`, e.scope.ID)
	shouldEntry := e.id(t, `SELECT id FROM check_entries WHERE scope_id = $1 AND obligation = 'sollte' ORDER BY id LIMIT 1`, e.scope.ID)
	e.exec(t, `UPDATE check_entries SET status = 'no', justification = 'Personal fehlt' WHERE id IN ($1, $2)`, mustEntry, shouldEntry)
	e.exec(t, `INSERT INTO plan_items (entry_id, measure, owner, due_date) SELECT id, 'Umsetzen', 'ISB', DATE '2026-12-31'
		FROM check_entries WHERE id IN ($1, $2)`, mustEntry, shouldEntry)
	gates, blockers = e.readiness(t, postgres.Everything)
	if g := gates[domain.GateCheck]; g.Blocking != 1 || blockers[domain.GateCheck][0].ID != mustEntry ||
		blockers[domain.GateCheck][0].Reason != "MUSS-Anforderung nicht umgesetzt und ohne gültige Ausnahme der Leitung; ihr Risiko kann nicht übernommen werden." {
		t.Errorf("G5 with an unmet MUSS: %+v %+v", g, blockers[domain.GateCheck])
	}
	user := e.id(t, `INSERT INTO users (username, password_hash) VALUES ('leitung', 'x') RETURNING id`)
	exception := e.id(t, `INSERT INTO check_exceptions (scope_id, entry_id, justification, valid_until, authorised_by_id, authorised_by)
		VALUES ($1, $2, 'Ersatzmaßnahme bis zur Neubesetzung', $3, $4, 'Leitung') RETURNING id`, e.scope.ID, mustEntry, e.today.AddDate(0, 1, 0), user)
	gates, _ = e.readiness(t, postgres.Everything)
	if gates[domain.GateCheck].Blocking != 0 {
		t.Errorf("G5 with a valid exception: %+v", gates[domain.GateCheck])
	}
	// The end date is the last day the exception counts.
	e.exec(t, `UPDATE check_exceptions SET valid_until = $2 WHERE id = $1`, exception, e.today)
	if gates, _ = e.readiness(t, postgres.Everything); gates[domain.GateCheck].Blocking != 0 {
		t.Errorf("G5 on the exception's last day: %+v", gates[domain.GateCheck])
	}
	e.exec(t, `UPDATE check_exceptions SET valid_until = $2 WHERE id = $1`, exception, e.today.AddDate(0, 0, -1))
	gates, blockers = e.readiness(t, postgres.Everything)
	if g := gates[domain.GateCheck]; g.Blocking != 1 || !strings.Contains(blockers[domain.GateCheck][0].Reason, "die Ausnahme der Leitung ist am 14.06.2026 abgelaufen") {
		t.Errorf("G5 with an expired exception: %+v %+v", g, blockers[domain.GateCheck])
	}
	// A revoked exception counts no more than none.
	e.exec(t, `UPDATE check_exceptions SET valid_until = $2, revoked_at = now(), revoked_by = 'Leitung' WHERE id = $1`, exception, e.today.AddDate(0, 1, 0))
	if gates, _ = e.readiness(t, postgres.Everything); gates[domain.GateCheck].Blocking != 1 {
		t.Errorf("G5 with a revoked exception: %+v", gates[domain.GateCheck])
	}
	e.exec(t, `UPDATE check_entries SET status = 'yes', justification = '' WHERE id = $1`, mustEntry)

	// Everything else of a scope without objects passes: the scope is ready.
	r, err := e.db.Readiness(ctx, e.scope.ID, postgres.Everything, e.today)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Ready {
		t.Errorf("not ready: %+v", r.Failing())
	}
}

// The Kernel's "erhöht" requirements come into the package where the
// need is high or the ISB raised one for a stated reason (STM.3.1).
func TestPlusPlusElevatedRequirements(t *testing.T) {
	t.Parallel()
	e, _ := newPlusPlusEnv(t, catalogtest.Kernel)
	count := func() int {
		t.Helper()
		var n int
		if err := e.owner.QueryRow(`SELECT count(*) FROM check_entries WHERE scope_id = $1 AND active`, e.scope.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	derive := func() {
		t.Helper()
		if err := e.db.InTx(ctx, actor("test"), func(tx *postgres.Tx) error { _, err := tx.DeriveChecks(ctx, e.scope.ID, nil); return err }); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(); n != 674 {
		t.Fatalf("%d entries at normal need, want the 674 normal-SdT requirements", n)
	}
	e.exec(t, `INSERT INTO scope_level_raises (scope_id, catalog_id, requirement_id, reason, raised_by)
		SELECT $1, catalog_id, id, 'Kritische Infrastruktur', 'ISB' FROM catalog_requirements
		WHERE catalog_id = $2 AND level = 'elevated' ORDER BY ord LIMIT 3`, e.scope.ID, e.scope.CatalogID)
	derive()
	if n := count(); n != 677 {
		t.Errorf("%d entries with three raised, want 677", n)
	}
	e.exec(t, `UPDATE object_needs SET own = 2, effective = 2, source = 'own' WHERE object_id = $1 AND objective = 'a'`, e.scope.ObjectID)
	derive()
	if n := count(); n != 901 {
		t.Errorf("%d entries at high need, want all 901", n)
	}
}

// BenchmarkPlusPlusPackage derives the check of a Grundschutz++ scope on
// the Kernel with 10,000 objects from scratch: the whole package on the
// scope object and three practices on every object, "erhöht" where the
// object's need is high; then its readiness (median of five runs after
// one to warm the cache).
//
//	go test ./internal/postgres -run '^$' -bench PlusPlusPackage -benchtime 1x
func BenchmarkPlusPlusPackage(b *testing.B) {
	e, _ := newPlusPlusEnv(b, catalogtest.Kernel)
	bigScope(b, e.structure, 10000)
	for _, q := range []string{
		`UPDATE object_needs SET effective = greatest(own, 1)`,
		`INSERT INTO object_modules (object_id, catalog_id, module_id)
		 SELECT o.id, $2, m.id FROM objects o
		 CROSS JOIN LATERAL (SELECT id FROM catalog_modules WHERE catalog_id = $2 ORDER BY (ord * 7919 + o.id) % 117 LIMIT 3) m
		 WHERE o.scope_id = $1 AND o.type <> 'scope'`,
		`ANALYZE`,
	} {
		args := []any{e.scope.ID, e.scope.CatalogID}
		if !strings.Contains(q, "$1") {
			args = nil
		}
		if _, err := e.owner.Exec(q, args...); err != nil {
			b.Fatal(err)
		}
	}
	today := readyToday
	for b.Loop() {
		if _, err := e.owner.Exec(`DELETE FROM check_entries WHERE scope_id = $1`, e.scope.ID); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		var r postgres.DeriveResult
		if err := e.db.InTx(ctx, actor("bench"), func(tx *postgres.Tx) error {
			var err error
			r, err = tx.DeriveChecks(ctx, e.scope.ID, nil)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		derive := time.Since(start)
		if _, err := e.owner.Exec(`ANALYZE check_entries`); err != nil {
			b.Fatal(err)
		}
		var took []time.Duration
		for i := range 6 {
			start := time.Now()
			if _, err := e.db.Readiness(ctx, e.scope.ID, postgres.Everything, today); err != nil {
				b.Fatal(err)
			}
			if i > 0 {
				took = append(took, time.Since(start))
			}
		}
		slices.Sort(took)
		b.ReportMetric(float64(r.Added), "entries")
		b.ReportMetric(derive.Seconds(), "derive_s")
		b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "readiness_ms")
	}
}

// A Grundschutz++ catalog imported before migration 0013 has its modal
// verbs only among the statements' props: the migration reads them from
// there into the requirements, the catalog's method and the entries.
func TestMigrationReadsModalVerbsOfOlderImports(t *testing.T) {
	t.Parallel()
	e, _ := newPlusPlusEnv(t, catalogtest.Methodik)
	e.exec(t, `UPDATE check_entries SET obligation = NULL WHERE scope_id = $1`, e.scope.ID)
	pgtest.Tamper(t, e.owner, `UPDATE catalog_requirements SET obligation = NULL WHERE catalog_id = $1`, e.scope.CatalogID)
	pgtest.Tamper(t, e.owner, `UPDATE catalogs SET method = 'grundschutz' WHERE id = $1`, e.scope.CatalogID)
	src, err := fs.ReadFile(migrations.FS, "0013_grundschutz_pp.sql")
	if err != nil {
		t.Fatal(err)
	}
	// The migration's last step, from lifting the catalogs' guard on.
	_, backfill, found := strings.Cut(string(src), "\nALTER TABLE catalog_requirements DISABLE TRIGGER")
	if !found {
		t.Fatal("the migration's backfill is not where the test looks for it")
	}
	e.exec(t, "ALTER TABLE catalog_requirements DISABLE TRIGGER"+backfill)
	var method string
	var must, entries int
	if err := e.owner.QueryRow(`SELECT c.method,
		(SELECT count(*) FROM catalog_requirements WHERE catalog_id = c.id AND obligation = 'muss'),
		(SELECT count(*) FROM check_entries WHERE scope_id = $2 AND obligation IS NOT NULL)
		FROM catalogs c WHERE c.id = $1`, e.scope.CatalogID, e.scope.ID).Scan(&method, &must, &entries); err != nil {
		t.Fatal(err)
	}
	if method != "grundschutz_pp" || must == 0 || entries != 95 {
		t.Errorf("after the backfill: method %s, %d MUSS requirements, %d entries with a modal verb", method, must, entries)
	}
}
