package objectimport

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"ismsd/internal/catalogimport"
	"ismsd/internal/domain"
	"ismsd/internal/objectio"
	"ismsd/internal/postgres"
	"ismsd/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var (
	ctx   = context.Background()
	actor = domain.Actor{Name: "test", RequestID: "test", ClientAddr: "local"}
)

type env struct {
	db       *postgres.DB
	im       *Importer
	scope    int64
	fin, inn int64
}

func newEnv(t testing.TB) env {
	t.Helper()
	db, _ := pgtest.Open(t)
	demo, err := catalogimport.New(db, 0).ImportDemo(ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	e := env{db: db, im: New(db)}
	err = db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		d, err := tx.CreateDepartment(ctx, domain.DepartmentInput{Name: "Landesrechenzentrum", Code: "TLRZ"})
		if err != nil {
			return err
		}
		e.fin = d.ID
		if d, err = tx.CreateDepartment(ctx, domain.DepartmentInput{Name: "Innenministerium", Code: "TIM"}); err != nil {
			return err
		}
		e.inn = d.ID
		s, err := tx.CreateScope(ctx, domain.ScopeInput{Name: "Landesdatennetz", CatalogID: demo.Catalog.ID, Approach: domain.ApproachStandard})
		e.scope = s.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

const header = "external_id;name;type;department;need_c;need_c_reason;members;group;depends_on\n"

func csv(lines ...string) []byte { return []byte(header + strings.Join(lines, "\n") + "\n") }

// rowsOf reads the results per row of a plan.
func rowsOf(t testing.TB, p Plan) []RowResult {
	t.Helper()
	var rows []RowResult
	if err := p.Rows(func(r RowResult) error { rows = append(rows, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestDryRunApplyAndIdempotence(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	file := csv(
		"P1;WAN-Transport;Geschäftsprozess;TLRZ;hoch;Landesweite Kommunikation;1;nein;A1",
		"A1;Netzmanagement;application;TLRZ;;;1;nein;S1",
		"S1;Managementserver;IT-System;TLRZ;;;1;nein;",
		"R1;Standortrouter;it_system;TLRZ;;;670;ja;",
	)
	p, err := e.im.Plan(ctx, e.scope, objectio.CSV, bytes.NewReader(file), postgres.Everything, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !p.OK() || p.Creates != 4 || len(rowsOf(t, p)) != 4 {
		t.Fatalf("plan %+v", p)
	}
	objs, total, _ := e.db.ListObjects(ctx, e.scope, domain.ObjectFilter{}, postgres.Everything)
	if total != 0 || len(objs) != 0 {
		t.Fatal("the dry run wrote something")
	}
	p, err = e.im.Apply(ctx, actor, e.scope, objectio.CSV, bytes.NewReader(file), postgres.Everything, nil)
	if err != nil || !p.Applied || p.Creates != 4 {
		t.Fatalf("apply %+v %v", p, err)
	}
	objs, _, _ = e.db.ListObjects(ctx, e.scope, domain.ObjectFilter{Sort: "short_id"}, postgres.Everything)
	byName := map[string]domain.Object{}
	for _, o := range objs {
		byName[o.Name] = o
	}
	server := byName["Managementserver"]
	if c := server.Needs[domain.Confidentiality]; c.Effective != domain.NeedHigh || c.Source != domain.SourceInherited {
		t.Errorf("the imported chain did not inherit: %+v", c)
	}
	if r := byName["Standortrouter"]; !r.Group || r.Members != 670 || r.ShortID != "S-002" {
		t.Errorf("group %+v", r)
	}
	// The same file again changes nothing.
	p, err = e.im.Apply(ctx, actor, e.scope, objectio.CSV, bytes.NewReader(file), postgres.Everything, nil)
	if err != nil || p.Unchanged != 4 || p.Creates+p.Updates != 0 {
		t.Fatalf("second import %+v %v", p, err)
	}
	recs, _, _ := e.db.ListAudit(ctx, domain.AuditFilter{ResourceType: "object", Limit: 500})
	before := len(recs)
	// A changed row is an update naming what changed.
	p, err = e.im.Apply(ctx, actor, e.scope, objectio.CSV, bytes.NewReader(csv("S1;Managementserver Erfurt;IT-System;TLRZ;;;1;nein;")), postgres.Everything, nil)
	if err != nil || p.Updates != 1 || strings.Join(rowsOf(t, p)[0].Changed, ",") != "name" {
		t.Fatalf("update %+v %v", p, err)
	}
	recs, _, _ = e.db.ListAudit(ctx, domain.AuditFilter{ResourceType: "object", Limit: 500})
	if len(recs) != before+1 {
		t.Errorf("%d audit records for one update", len(recs)-before)
	}
}

func TestBrokenRowsChangeNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	file := csv(
		"P1;WAN-Transport;process;TLRZ;hoch;;1;nein;",
		"X1;Kaputt;Raumschiff;TLRZ;;;1;nein;",
		"X2;Unbekannte Einheit;room;XYZ;;;1;nein;",
		"X3;Fehlende Abhängigkeit;room;TLRZ;;;1;nein;GIBTSNICHT",
		"P1;Doppelt;process;TLRZ;;;1;nein;",
	)
	p, err := e.im.Apply(ctx, actor, e.scope, objectio.CSV, bytes.NewReader(file), postgres.Everything, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Applied || p.OK() || p.Errored != 4 {
		t.Fatalf("plan %+v", p)
	}
	want := map[int]string{3: "type", 4: "department", 5: "depends_on", 6: "external_id"}
	for _, r := range rowsOf(t, p) {
		if col, bad := want[r.Line]; bad {
			if r.Action != ActionError || len(r.Errors) == 0 || r.Errors[0].Column != col || r.Errors[0].German == "" {
				t.Errorf("line %d: %+v, want an error in column %s", r.Line, r, col)
			}
		}
	}
	if _, total, _ := e.db.ListObjects(ctx, e.scope, domain.ObjectFilter{}, postgres.Everything); total != 0 {
		t.Errorf("%d objects written by a refused import", total)
	}
}

// TestApplyInBatches: an import larger than a batch is written batch by
// batch, each object depending on one of a later batch; a row with an
// error at the end leaves nothing of the batches before it.
func TestApplyInBatches(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	n := 2*applyBatch + 7
	var lines []string
	for i := range n {
		lines = append(lines, fmt.Sprintf("O%d;Objekt %d;it_system;TLRZ;;;1;nein;O%d", i, i, (i+applyBatch+1)%n))
	}
	broken := append(slices.Clone(lines), "X1;Kaputt;Raumschiff;TLRZ;;;1;nein;")
	p, err := e.im.Apply(ctx, actor, e.scope, objectio.CSV, bytes.NewReader(csv(broken...)), postgres.Everything, nil)
	if err != nil || p.Applied || p.Errored != 1 || p.Creates != n {
		t.Fatalf("broken import %+v %v", p, err)
	}
	if _, total, _ := e.db.ListObjects(ctx, e.scope, domain.ObjectFilter{}, postgres.Everything); total != 0 {
		t.Fatalf("%d objects left by a refused import", total)
	}
	p, err = e.im.Apply(ctx, actor, e.scope, objectio.CSV, bytes.NewReader(csv(lines...)), postgres.Everything, nil)
	if err != nil || !p.Applied || p.Creates != n {
		t.Fatalf("import %+v %v", p, err)
	}
	stored, err := e.db.ScopeObjects(ctx, e.scope, postgres.Everything)
	if err != nil || len(stored) != n {
		t.Fatalf("%d objects stored (%v)", len(stored), err)
	}
	external := map[int64]string{}
	for _, o := range stored {
		external[o.ID] = o.Input.ExternalID
	}
	for _, o := range stored {
		var i int
		fmt.Sscanf(o.Input.ExternalID, "O%d", &i)
		if want := fmt.Sprintf("O%d", (i+applyBatch+1)%n); len(o.DependsOn) != 1 || external[o.DependsOn[0]] != want {
			t.Fatalf("%s depends on %v, want %s", o.Input.ExternalID, o.DependsOn, want)
		}
	}
	// The same file again: every row unchanged, nothing written.
	if p, err = e.im.Apply(ctx, actor, e.scope, objectio.CSV, bytes.NewReader(csv(lines...)), postgres.Everything, nil); err != nil || p.Unchanged != n {
		t.Fatalf("again %+v %v", p, err)
	}
}

func TestLimitedWriterStaysInTheirDepartments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := e.im.Apply(ctx, actor, e.scope, objectio.CSV, bytes.NewReader(csv("I1;Fachverfahren;application;TIM;;;1;nein;")), postgres.Everything, nil); err != nil {
		t.Fatal(err)
	}
	tlrz := postgres.Visibility{Departments: []int64{e.fin}}
	p, err := e.im.Plan(ctx, e.scope, objectio.CSV, bytes.NewReader(csv(
		"S1;Server;it_system;TLRZ;;;1;nein;",
		"S2;Anderswo;it_system;TIM;;;1;nein;",
		"I1;Fachverfahren neu;application;TIM;;;1;nein;")), tlrz, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Creates != 1 || p.Errored != 2 {
		t.Errorf("plan for a department's ISB %+v", p)
	}
	rows, err := e.im.Export(ctx, e.scope, tlrz)
	if err != nil || len(rows) != 0 {
		t.Errorf("export for the other department: %+v %v", rows, err)
	}
}

// TestDependenciesOfOtherDepartmentsStayOutOfSight: an administrator made
// an object of the computing centre depend on one of the interior
// ministry. The computing centre's ISB cannot name the interior
// ministry's object in depends_on (refused as if it did not exist), does
// not see its external ID in the export, and re-importing the export
// keeps the dependency.
func TestDependenciesOfOtherDepartmentsStayOutOfSight(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	file := csv(`A1;Netzmanagement;application;TLRZ;;;1;nein;"S1;I1"`, "S1;Managementserver;it_system;TLRZ;;;1;nein;",
		"I1;Fachverfahren;application;TIM;;;1;nein;")
	if p, err := e.im.Apply(ctx, actor, e.scope, objectio.CSV, bytes.NewReader(file), postgres.Everything, nil); err != nil || !p.Applied {
		t.Fatalf("%+v %v", p, err)
	}
	tlrz := postgres.Visibility{Departments: []int64{e.fin}}
	var results []RowResult
	p, err := e.im.Plan(ctx, e.scope, objectio.CSV, bytes.NewReader(csv("N1;Neu;application;TLRZ;;;1;nein;I1", "N2;Neu 2;application;TLRZ;;;1;nein;I9")), tlrz,
		func(r RowResult) error { results = append(results, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || p.Errored != 2 {
		t.Fatalf("plan naming another department's object %+v %+v", p, results)
	}
	if a, b := strings.ReplaceAll(results[0].Errors[0].Detail, "I1", "#"), strings.ReplaceAll(results[1].Errors[0].Detail, "I9", "#"); a != b {
		t.Errorf("another department's object %q, a missing one %q", a, b)
	}
	rows, err := e.im.Export(ctx, e.scope, tlrz)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := objectio.Write(objectio.CSV, &buf, rows); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "I1") || !strings.Contains(buf.String(), "S1") {
		t.Errorf("export for the computing centre:\n%s", buf.String())
	}
	if p, err := e.im.Apply(ctx, actor, e.scope, objectio.CSV, bytes.NewReader(buf.Bytes()), tlrz, nil); err != nil || p.Unchanged != 2 || !p.OK() {
		t.Fatalf("re-importing the export %+v %v", p, err)
	}
	objs, _, _ := e.db.ListObjects(ctx, e.scope, domain.ObjectFilter{Text: "Netzmanagement"}, postgres.Everything)
	if deps, _ := e.db.Dependencies(ctx, objs[0].ID, postgres.Everything); len(deps) != 2 {
		t.Errorf("dependencies after the re-import: %+v", deps)
	}
}

func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	file := csv("P1;WAN-Transport;process;TLRZ;hoch;Landesweit;1;nein;A1", "A1;Netzmanagement;application;TLRZ;;;1;nein;")
	if _, err := e.im.Apply(ctx, actor, e.scope, objectio.CSV, bytes.NewReader(file), postgres.Everything, nil); err != nil {
		t.Fatal(err)
	}
	for _, f := range objectio.Formats {
		rows, err := e.im.Export(ctx, e.scope, postgres.Everything)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := objectio.Write(f, &buf, rows); err != nil {
			t.Fatal(err)
		}
		p, err := e.im.Plan(ctx, e.scope, f, bytes.NewReader(buf.Bytes()), postgres.Everything, nil)
		if err != nil || p.Unchanged != 2 || !p.OK() {
			t.Errorf("%s: re-importing the export %+v %v", f, p, err)
		}
	}
}

// BenchmarkImport plans and applies 10,000 rows with dependencies.
//
//	go test ./internal/objectimport -run '^$' -bench Import -benchtime 3x
func BenchmarkImport(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(header)
	for i := range 10000 {
		dep := ""
		if i%10 != 0 {
			dep = fmt.Sprintf("O%d", i-i%10) // nine objects depend on every tenth
		}
		need := ""
		if i%10 == 0 {
			need = "hoch"
		}
		fmt.Fprintf(&buf, "O%d;Objekt %d;it_system;TLRZ;%s;;1;nein;%s\n", i, i, need, dep)
	}
	file := buf.Bytes()
	b.Run("dry_run", func(b *testing.B) {
		e := newEnv(b)
		for b.Loop() {
			p, err := e.im.Plan(ctx, e.scope, objectio.CSV, bytes.NewReader(file), postgres.Everything, nil)
			if err != nil || p.Creates != 10000 {
				b.Fatal(err, p.Errored)
			}
		}
	})
	b.Run("apply", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			e := newEnv(b)
			b.StartTimer()
			p, err := e.im.Apply(ctx, actor, e.scope, objectio.CSV, bytes.NewReader(file), postgres.Everything, nil)
			if err != nil || !p.Applied {
				b.Fatal(err, p.Errored)
			}
		}
	})
}
