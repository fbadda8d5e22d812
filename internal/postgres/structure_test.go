package postgres_test

import (
	"database/sql"
	"errors"
	"strings"
	"testing"

	"ismsd/internal/catalogimport"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/postgres/pgtest"
)

// structure is a small scope: two ministries with a division each, and
// objects in both.
type structure struct {
	db               *postgres.DB
	ownerURL         string
	appURL           string // the runtime role, with its restricted privileges
	scope            domain.Scope
	fin, tlrz, inn   int64
	process, app, sv int64 // a chain: process → application → server
	room             int64
	innSystem        int64 // in the other ministry
}

func newStructure(t testing.TB) structure {
	t.Helper()
	db, info := pgtest.Open(t)
	demo, err := catalogimport.New(db, 0).ImportDemo(ctx, actor("test"))
	if err != nil {
		t.Fatal(err)
	}
	s := structure{db: db, ownerURL: info.OwnerURL, appURL: info.AppURL}
	err = db.InTx(ctx, actor("test"), func(tx *postgres.Tx) error {
		d, err := tx.CreateDepartment(ctx, domain.DepartmentInput{Name: "Finanzministerium", Code: "TFM"})
		if err != nil {
			return err
		}
		s.fin = d.ID
		if d, err = tx.CreateDepartment(ctx, domain.DepartmentInput{Name: "Landesrechenzentrum", Code: "TLRZ", ParentID: &s.fin}); err != nil {
			return err
		}
		s.tlrz = d.ID
		if d, err = tx.CreateDepartment(ctx, domain.DepartmentInput{Name: "Innenministerium", Code: "TIM"}); err != nil {
			return err
		}
		s.inn = d.ID
		if s.scope, err = tx.CreateScope(ctx, domain.ScopeInput{Name: "Landesdatennetz", CatalogID: demo.Catalog.ID, Approach: domain.ApproachStandard}); err != nil {
			return err
		}
		add := func(typ domain.ObjectType, name string, dept int64) int64 {
			if err != nil {
				return 0
			}
			var o domain.Object
			o, err = tx.CreateObject(ctx, s.scope.ID, domain.ObjectInput{Type: typ,
				ObjectFields: domain.ObjectFields{Name: name}, DepartmentID: &dept}, postgres.Everything)
			return o.ID
		}
		s.process = add(domain.ObjectProcess, "WAN-Transport", s.fin)
		s.app = add(domain.ObjectApplication, "Netzmanagement", s.tlrz)
		s.sv = add(domain.ObjectITSystem, "Managementserver", s.tlrz)
		s.room = add(domain.ObjectRoom, "Serverraum Erfurt", s.tlrz)
		s.innSystem = add(domain.ObjectITSystem, "Fachverfahren-Server", s.inn)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s structure) change(t testing.TB, fn func(tx *postgres.Tx) error) error {
	t.Helper()
	return s.db.InTx(ctx, actor("test"), fn)
}

// assign models the object with the modules.
func (s structure) assign(t testing.TB, objectID int64, modules ...string) {
	t.Helper()
	if err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.AssignModules(ctx, s.scope.ID, []int64{objectID}, modules, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func needs(c, i, a domain.Need) [3]domain.NeedInput {
	return [3]domain.NeedInput{{Own: c}, {Own: i}, {Own: a}}
}

func TestInheritanceIsStoredWithItsReason(t *testing.T) {
	t.Parallel()
	s := newStructure(t)
	err := s.change(t, func(tx *postgres.Tx) error {
		o, err := tx.SetNeeds(ctx, s.process, 0, needs(domain.NeedHigh, domain.NeedHigh, domain.NeedVeryHigh), postgres.Everything)
		if err != nil {
			return err
		}
		if err := tx.AddDependency(ctx, s.process, s.app, postgres.Everything); err != nil {
			return err
		}
		if err := tx.AddDependency(ctx, s.app, s.sv, postgres.Everything); err != nil {
			return err
		}
		_ = o
		return tx.AddDependency(ctx, s.sv, s.room, postgres.Everything)
	})
	if err != nil {
		t.Fatal(err)
	}
	room, err := s.db.ObjectByID(ctx, s.room, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	a := room.Needs[domain.Availability]
	if a.Effective != domain.NeedVeryHigh || a.Source != domain.SourceInherited || a.InheritedFromName != room.Needs[domain.Availability].InheritedFromName ||
		!strings.Contains(a.InheritedFromName, "Managementserver") || a.InheritedFromType != domain.ObjectITSystem {
		t.Fatalf("room availability %+v", a)
	}
	// A distribution override on the server lowers what flows on to the room.
	over := needs(0, 0, 0)
	over[domain.Availability] = domain.NeedInput{OverrideKind: domain.OverrideDistribution, Override: domain.NeedNormal, OverrideReason: "Nur ein kleiner Teil der Anwendung läuft hier."}
	if err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.SetNeeds(ctx, s.sv, 0, over, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	room, _ = s.db.ObjectByID(ctx, s.room, postgres.Everything)
	if got := room.Needs[domain.Availability].Effective; got != domain.NeedNormal {
		t.Errorf("room availability after distribution: %v", got)
	}
	// An override without justification is refused.
	over[domain.Availability].OverrideReason = "weil"
	err = s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.SetNeeds(ctx, s.sv, 0, over, postgres.Everything)
		return err
	})
	if !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("override without justification: %v", err)
	}
	// Removing an edge lets the values fall back.
	if err := s.change(t, func(tx *postgres.Tx) error { return tx.RemoveDependency(ctx, s.process, s.app, postgres.Everything) }); err != nil {
		t.Fatal(err)
	}
	app, _ := s.db.ObjectByID(ctx, s.app, postgres.Everything)
	if app.Needs[domain.Confidentiality].Effective != domain.NeedUnknown || app.Needs[domain.Confidentiality].Source != domain.SourceNone {
		t.Errorf("application after removing its process: %+v", app.Needs[domain.Confidentiality])
	}
}

func TestCycleIsReportedAndGetsTheMaximum(t *testing.T) {
	t.Parallel()
	s := newStructure(t)
	err := s.change(t, func(tx *postgres.Tx) error {
		if _, err := tx.SetNeeds(ctx, s.app, 0, needs(domain.NeedHigh, 0, 0), postgres.Everything); err != nil {
			return err
		}
		if err := tx.AddDependency(ctx, s.app, s.sv, postgres.Everything); err != nil {
			return err
		}
		return tx.AddDependency(ctx, s.sv, s.app, postgres.Everything)
	})
	if err != nil {
		t.Fatal(err)
	}
	sv, _ := s.db.ObjectByID(ctx, s.sv, postgres.Everything)
	c := sv.Needs[domain.Confidentiality]
	if c.Effective != domain.NeedHigh || c.Source != domain.SourceCycle || c.Cycle == 0 {
		t.Errorf("server on a cycle: %+v", c)
	}
	scope, _ := s.db.ScopeByID(ctx, s.scope.ID, postgres.Everything)
	if scope.Cycles != 2 {
		t.Errorf("scope reports %d objects on cycles, want 2", scope.Cycles)
	}
	if err := s.change(t, func(tx *postgres.Tx) error { return tx.AddDependency(ctx, s.sv, s.sv, postgres.Everything) }); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("self-link: %v", err)
	}
}

func TestDepartmentHeadSeesOnlyTheirSubtree(t *testing.T) {
	t.Parallel()
	s := newStructure(t)
	fin := postgres.Visibility{Departments: []int64{s.fin}}
	objs, total, err := s.db.ListObjects(ctx, s.scope.ID, domain.ObjectFilter{}, fin)
	if err != nil {
		t.Fatal(err)
	}
	if total != 4 || len(objs) != 4 {
		t.Fatalf("finance sees %d objects, want its 4 (subtree included)", total)
	}
	for _, o := range objs {
		if o.ID == s.innSystem {
			t.Error("finance sees the other ministry's object")
		}
	}
	if _, err := s.db.ObjectByID(ctx, s.innSystem, fin); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("other ministry's object: %v, want not found", err)
	}
	if _, err := s.db.ObjectByID(ctx, 999999, fin); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("missing object: %v", err)
	}
	// The other ministry's object feeds ours; its name does not leak through the reason.
	err = s.change(t, func(tx *postgres.Tx) error {
		if _, err := tx.SetNeeds(ctx, s.innSystem, 0, needs(domain.NeedVeryHigh, 0, 0), postgres.Everything); err != nil {
			return err
		}
		return tx.AddDependency(ctx, s.innSystem, s.room, postgres.Everything)
	})
	if err != nil {
		t.Fatal(err)
	}
	room, err := s.db.ObjectByID(ctx, s.room, fin)
	if err != nil {
		t.Fatal(err)
	}
	c := room.Needs[domain.Confidentiality]
	if c.Effective != domain.NeedVeryHigh || c.InheritedFrom != 0 || c.InheritedFromName != "" {
		t.Errorf("reason names an invisible object: %+v", c)
	}
	deps, err := s.db.Dependents(ctx, s.room, fin)
	if err != nil || len(deps) != 0 {
		t.Errorf("dependents of the room as finance: %+v, %v", deps, err)
	}
	// A writer limited to finance can neither change nor place objects elsewhere.
	err = s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.UpdateObject(ctx, s.innSystem, 0, domain.ObjectInput{Type: domain.ObjectITSystem,
			ObjectFields: domain.ObjectFields{Name: "x"}}.Change(), fin)
		return err
	})
	if !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("update outside the subtree: %v", err)
	}
	err = s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.CreateObject(ctx, s.scope.ID, domain.ObjectInput{Type: domain.ObjectRoom,
			ObjectFields: domain.ObjectFields{Name: "Keller"}, DepartmentID: &s.inn}, fin)
		return err
	})
	if !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("placing an object in another ministry: %v", err)
	}
	scope, _ := s.db.ScopeByID(ctx, s.scope.ID, fin)
	if scope.Objects != 4 {
		t.Errorf("scope counts %d objects for finance", scope.Objects)
	}
}

func TestDeleteRefusedWhileOthersDepend(t *testing.T) {
	t.Parallel()
	s := newStructure(t)
	if err := s.change(t, func(tx *postgres.Tx) error { return tx.AddDependency(ctx, s.app, s.sv, postgres.Everything) }); err != nil {
		t.Fatal(err)
	}
	err := s.change(t, func(tx *postgres.Tx) error { return tx.DeleteObject(ctx, s.sv, postgres.Everything) })
	if !errors.Is(err, domain.ErrConflict) || !strings.Contains(err.Error(), "Netzmanagement") {
		t.Fatalf("delete with a dependent: %v", err)
	}
	if err := s.change(t, func(tx *postgres.Tx) error { return tx.DeleteObject(ctx, s.app, postgres.Everything) }); err != nil {
		t.Fatal(err)
	}
	if err := s.change(t, func(tx *postgres.Tx) error { return tx.DeleteObject(ctx, s.sv, postgres.Everything) }); err != nil {
		t.Errorf("delete after the dependent went: %v", err)
	}
}

func TestModellingSuggestionsAndGaps(t *testing.T) {
	t.Parallel()
	s := newStructure(t)
	sv, _ := s.db.ObjectByID(ctx, s.sv, postgres.Everything)
	if !sv.Gap() {
		t.Error("an object without modules is not a gap")
	}
	sug, err := s.db.Suggestions(ctx, sv, s.scope.CatalogID)
	if err != nil || len(sug) == 0 {
		t.Fatalf("suggestions for an IT system: %+v %v", sug, err)
	}
	for _, x := range sug {
		if x.TargetType != "IT-System" {
			t.Errorf("suggested %s for %s", x.ModuleID, x.TargetType)
		}
	}
	var n int
	err = s.change(t, func(tx *postgres.Tx) error {
		var err error
		n, err = tx.AssignModules(ctx, s.scope.ID, []int64{s.sv, s.innSystem}, []string{"SYS.1.1", "SYS.1.5"}, postgres.Everything)
		return err
	})
	if err != nil || n != 4 {
		t.Fatalf("assign: %d %v", n, err)
	}
	err = s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.AssignModules(ctx, s.scope.ID, []int64{s.sv}, []string{"NOPE.1"}, postgres.Everything)
		return err
	})
	if !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("unknown module: %v", err)
	}
	rows, err := s.db.Modelling(ctx, s.scope.ID, postgres.Visibility{Departments: []int64{s.fin}})
	if err != nil || len(rows) != 2 || len(rows[0].Objects) != 1 {
		t.Errorf("A.3 for finance: %+v %v", rows, err)
	}
	gaps, _, _ := s.db.ListObjects(ctx, s.scope.ID, domain.ObjectFilter{GapsOnly: true}, postgres.Everything)
	if len(gaps) != 3 {
		t.Errorf("%d gaps, want the process, application and room", len(gaps))
	}
}

// openSQL opens a plain connection pool to the test database at url (the
// owner's, to arrange what the store would refuse, or the runtime role's),
// closed when the test ends.
func openSQL(t testing.TB, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// mapped is the list of f of each of xs, nil for none.
func mapped[T, F any](xs []T, f func(T) F) []F {
	var out []F
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// actionsOf lists the actions of audit records.
func actionsOf(recs []domain.AuditRecord) []string {
	return mapped(recs, func(r domain.AuditRecord) string { return r.Action })
}
