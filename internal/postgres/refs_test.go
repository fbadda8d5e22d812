package postgres_test

import (
	"errors"
	"regexp"
	"slices"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// TestWritesNameOnlyWhatTheWriterReads: a writer limited to the interior
// ministry names records of the data centre (another department), of
// another scope and ids that do not exist in every write that takes an id.
// Each is refused with ErrNotFound at the field that named it, with the
// same message but for the id, and nothing changes; the writer's own
// records are accepted.
func TestWritesNameOnlyWhatTheWriterReads(t *testing.T) {
	t.Parallel()
	s := newStructure(t)
	interior := postgres.Visibility{Departments: []int64{s.inn}}
	var group, ownGroup, ownApp int64
	var otherEntry domain.CheckEntry
	if err := s.change(t, func(tx *postgres.Tx) error {
		if _, err := tx.AssignModules(ctx, s.scope.ID, []int64{s.sv, s.innSystem}, []string{"SYS.1.1"}, postgres.Everything); err != nil {
			return err
		}
		g, err := tx.CreateObject(ctx, s.scope.ID, domain.ObjectInput{Type: domain.ObjectDevice,
			ObjectFields: domain.ObjectFields{Name: "Router"}, Group: true, Members: 9, DepartmentID: &s.tlrz}, postgres.Everything)
		if err != nil {
			return err
		}
		og, err := tx.CreateObject(ctx, s.scope.ID, domain.ObjectInput{Type: domain.ObjectDevice,
			ObjectFields: domain.ObjectFields{Name: "Drucker"}, Group: true, Members: 4, DepartmentID: &s.inn}, postgres.Everything)
		group, ownGroup = g.ID, og.ID
		if err != nil {
			return err
		}
		app, err := tx.CreateObject(ctx, s.scope.ID, domain.ObjectInput{Type: domain.ObjectApplication,
			ObjectFields: domain.ObjectFields{Name: "Fachverfahren"}, DepartmentID: &s.inn},
			postgres.Everything)
		ownApp = app.ID
		if err != nil {
			return err
		}
		other, err := tx.CreateScope(ctx, domain.ScopeInput{Name: "Anderer Verbund", CatalogID: s.scope.CatalogID, Approach: domain.ApproachStandard})
		if err != nil {
			return err
		}
		o, err := tx.CreateObject(ctx, other.ID, domain.ObjectInput{Type: domain.ObjectITSystem,
			ObjectFields: domain.ObjectFields{Name: "Mailserver"}, DepartmentID: &s.inn},
			postgres.Everything)
		if err != nil {
			return err
		}
		if _, err := tx.AssignModules(ctx, other.ID, []int64{o.ID}, []string{"SYS.1.1"}, postgres.Everything); err != nil {
			return err
		}
		es, _, err := tx.ListEntries(ctx, other.ID, domain.EntryFilter{ObjectID: o.ID, Limit: 1}, postgres.Everything)
		otherEntry = es[0]
		return err
	}); err != nil {
		t.Fatal(err)
	}
	entryOf := func(object int64) domain.CheckEntry {
		es, _, err := s.db.ListEntries(ctx, s.scope.ID, domain.EntryFilter{ObjectID: object, Limit: 1}, postgres.Everything)
		if err != nil || len(es) == 0 {
			t.Fatal(err)
		}
		return es[0]
	}
	foreignEntry, ownEntry := entryOf(s.sv), entryOf(s.innSystem)
	var ev domain.Evidence
	if err := s.change(t, func(tx *postgres.Tx) error {
		var err error
		ev, err = tx.CreateEvidence(ctx, s.scope.ID, domain.EvidenceInput{Title: "Konzept", DepartmentID: &s.inn},
			domain.VersionInput{EffectiveOn: time.Now(), Reference: "DOK-1"}, nil, interior)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// Each write as the interior ministry's writer, with an id in place of %d.
	writes := []struct {
		name    string
		pointer string
		write   func(tx *postgres.Tx, id int64) error
		foreign []int64 // of the data centre or of another scope
		own     int64
	}{
		{"evidence link", "/target_id", func(tx *postgres.Tx, id int64) error {
			return tx.LinkEvidence(ctx, ev.ID, domain.LinkCheckEntry, id, interior)
		}, []int64{foreignEntry.ID, otherEntry.ID}, ownEntry.ID},
		{"group of a new object", "/group_id", func(tx *postgres.Tx, id int64) error {
			_, err := tx.CreateObject(ctx, s.scope.ID, domain.ObjectInput{Type: domain.ObjectDevice,
				ObjectFields: domain.ObjectFields{Name: "Neu"}, DepartmentID: &s.inn, GroupID: &id}, interior)
			return err
		}, []int64{group}, ownGroup},
		{"dependency", "/depends_on", func(tx *postgres.Tx, id int64) error {
			return tx.AddDependency(ctx, s.innSystem, id, interior)
		}, []int64{s.sv, otherEntry.ObjectID}, ownApp},
		{"modelling", "/objects/0", func(tx *postgres.Tx, id int64) error {
			_, err := tx.AssignModules(ctx, s.scope.ID, []int64{id}, []string{"NET.3.1"}, interior)
			return err
		}, []int64{s.sv, otherEntry.ObjectID}, s.innSystem},
		{"check bulk", "/items/0/id", func(tx *postgres.Tx, id int64) error {
			yes := domain.StatusYes
			_, errs, err := tx.UpdateEntries(ctx, s.scope.ID, []postgres.EntryUpdate{{ID: id, Version: 1, Change: domain.EntryChange{Status: &yes}}}, interior, "isa")
			if err == nil && len(errs) > 0 {
				err = errors.New(errs[0].Detail)
			}
			return err
		}, []int64{foreignEntry.ID, otherEntry.ID}, ownEntry.ID},
	}
	digits := regexp.MustCompile(`[0-9]+`)
	for _, w := range writes {
		try := func(id int64) error {
			return s.db.InTx(ctx, actor("isa"), func(tx *postgres.Tx) error { return w.write(tx, id) })
		}
		missing := try(987654321)
		if !errors.Is(missing, domain.ErrNotFound) || !slices.Equal(pointers(missing), []string{w.pointer}) {
			t.Errorf("%s, missing id: %v %v", w.name, missing, pointers(missing))
			continue
		}
		for _, id := range w.foreign {
			err := try(id)
			if !errors.Is(err, domain.ErrNotFound) || !slices.Equal(pointers(err), []string{w.pointer}) ||
				digits.ReplaceAllString(err.Error(), "#") != digits.ReplaceAllString(missing.Error(), "#") ||
				domain.GermanMessage(err) != domain.GermanMessage(missing) {
				t.Errorf("%s, record %d out of sight: %v, want as for a missing id: %v", w.name, id, err, missing)
			}
		}
		if err := try(w.own); err != nil {
			t.Errorf("%s, own record %d: %v", w.name, w.own, err)
		}
	}

	// Nothing of the data centre is linked, grouped or depended on.
	var crossed int
	for _, l := range mustLinks(t, s, ev.ID, postgres.Everything) {
		if l.TargetID != ownEntry.ID {
			crossed++
		}
	}
	if deps, _ := s.db.Dependencies(ctx, s.innSystem, postgres.Everything); len(deps) != 1 {
		crossed++
	}
	if crossed > 0 {
		t.Errorf("%d references crossed the departments", crossed)
	}
}

// TestLinksOutOfSightAreLeftOut: a link that an administrator made from
// the interior ministry's evidence to an entry of the data centre is not
// shown to the interior ministry, nor found by its list filter, and it
// cannot remove it; an object without a department does not break the
// import's view of the scope for a department-limited reader.
func TestLinksOutOfSightAreLeftOut(t *testing.T) {
	t.Parallel()
	s := newStructure(t)
	interior := postgres.Visibility{Departments: []int64{s.inn}}
	var ev domain.Evidence
	var entry domain.CheckEntry
	if err := s.change(t, func(tx *postgres.Tx) error {
		if _, err := tx.AssignModules(ctx, s.scope.ID, []int64{s.sv}, []string{"SYS.1.1"}, postgres.Everything); err != nil {
			return err
		}
		es, _, err := tx.ListEntries(ctx, s.scope.ID, domain.EntryFilter{ObjectID: s.sv, Limit: 1}, postgres.Everything)
		if err != nil {
			return err
		}
		entry = es[0]
		if ev, err = tx.CreateEvidence(ctx, s.scope.ID, domain.EvidenceInput{Title: "Konzept", DepartmentID: &s.inn},
			domain.VersionInput{EffectiveOn: time.Now(), Reference: "DOK-1"}, nil, postgres.Everything); err != nil {
			return err
		}
		if err := tx.LinkEvidence(ctx, ev.ID, domain.LinkCheckEntry, entry.ID, postgres.Everything); err != nil {
			return err
		}
		_, err = tx.CreateObject(ctx, s.scope.ID, domain.ObjectInput{Type: domain.ObjectRoom,
			ObjectFields: domain.ObjectFields{Name: "Ohne Zuordnung"}}, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if ls := mustLinks(t, s, ev.ID, postgres.Everything); len(ls) != 1 {
		t.Fatalf("links as administrator: %+v", ls)
	}
	if ls := mustLinks(t, s, ev.ID, interior); len(ls) != 0 {
		t.Errorf("the interior ministry sees the data centre's entry: %+v", ls)
	}
	f := domain.EvidenceFilter{Target: domain.LinkCheckEntry, TargetID: entry.ID}
	if es, _, err := s.db.ListEvidence(ctx, s.scope.ID, f, interior); err != nil || len(es) != 0 {
		t.Errorf("the interior ministry finds its evidence by the data centre's entry: %d %v", len(es), err)
	}
	err := s.change(t, func(tx *postgres.Tx) error {
		return tx.UnlinkEvidence(ctx, ev.ID, domain.LinkCheckEntry, entry.ID, interior)
	})
	if !errors.Is(err, domain.ErrNotFound) || len(mustLinks(t, s, ev.ID, postgres.Everything)) != 1 {
		t.Errorf("the interior ministry removes the link: %v", err)
	}
	objs, err := s.db.ScopeObjects(ctx, s.scope.ID, interior)
	if err != nil {
		t.Fatalf("the scope's objects with one without a department: %v", err)
	}
	for _, o := range objs {
		if o.Visible != (o.ID == s.innSystem) {
			t.Errorf("object %d (%s) visible: %v", o.ID, o.Input.Name, o.Visible)
		}
	}
}

func mustLinks(t *testing.T, s structure, evidenceID int64, vis postgres.Visibility) []domain.EvidenceLink {
	t.Helper()
	ls, err := s.db.EvidenceLinks(ctx, evidenceID, vis)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}
