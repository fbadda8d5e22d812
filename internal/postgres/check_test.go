package postgres_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/postgres/pgtest"
)

// checkEnv is a scope on a small hand-made catalog: module TST.1 with a
// B, an S, an H and a withdrawn B requirement, and module TST.2 with one B.
type checkEnv struct {
	db       *postgres.DB
	ownerURL string
	scope    domain.Scope
	catalog  int64
	server   int64 // an IT system
	group    int64 // a group of routers
	member   int64 // one router of the group, an object of its own
	process  int64
}

func newCheckEnv(t testing.TB, approach domain.Approach) checkEnv {
	t.Helper()
	db, info := pgtest.Open(t)
	e := checkEnv{db: db, ownerURL: info.OwnerURL}
	text := domain.Text{{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: "Prüftext."}}}}
	content := domain.CatalogContent{Kind: domain.CatalogKompendium, Title: "Prüfkatalog", Version: "1",
		Groups:  []domain.CatalogGroup{{Key: "TST", Title: "TST: Test", Order: 1}},
		Modules: []domain.Module{{ID: "TST.1", GroupKey: "TST", Title: "Server", Order: 1}, {ID: "TST.2", GroupKey: "TST", Title: "Router", Order: 2}},
		Requirements: []domain.Requirement{
			{ID: "TST.1.A1", ModuleID: "TST.1", Title: "Basis", Level: domain.LevelBasis, Order: 1, Text: text},
			{ID: "TST.1.A2", ModuleID: "TST.1", Title: "Standard", Level: domain.LevelStandard, Order: 2, Text: text},
			{ID: "TST.1.A3", ModuleID: "TST.1", Title: "Erhöht", Level: domain.LevelElevated, Order: 3, Text: text},
			{ID: "TST.1.A4", ModuleID: "TST.1", Title: "ENTFALLEN", Level: domain.LevelBasis, Order: 4, Withdrawn: true},
			{ID: "TST.2.A1", ModuleID: "TST.2", Title: "Router-Basis", Level: domain.LevelBasis, Order: 1, Text: text},
		}}
	err := db.InTx(ctx, actor("test"), func(tx *postgres.Tx) error {
		c, err := tx.InsertCatalog(ctx, domain.Catalog{Kind: content.Kind, Title: content.Title, Version: content.Version,
			SourceName: "test", SourceSHA256: strings.Repeat("ab", 32)}, content)
		if err != nil {
			return err
		}
		e.catalog = c.ID
		if e.scope, err = tx.CreateScope(ctx, domain.ScopeInput{Name: "Prüfverbund", CatalogID: c.ID, Approach: approach}); err != nil {
			return err
		}
		add := func(in domain.ObjectInput) int64 {
			if err != nil {
				return 0
			}
			var o domain.Object
			o, err = tx.CreateObject(ctx, e.scope.ID, in, postgres.Everything)
			return o.ID
		}
		e.server = add(domain.ObjectInput{Type: domain.ObjectITSystem, ObjectFields: domain.ObjectFields{Name: "Server"}})
		e.group = add(domain.ObjectInput{Type: domain.ObjectITSystem, ObjectFields: domain.ObjectFields{Name: "Router"}, Group: true, Members: 670})
		e.process = add(domain.ObjectInput{Type: domain.ObjectProcess, ObjectFields: domain.ObjectFields{Name: "Prozess"}})
		if err != nil {
			return err
		}
		e.member = add(domain.ObjectInput{Type: domain.ObjectITSystem, ObjectFields: domain.ObjectFields{Name: "Router JVA"}, GroupID: &e.group})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e checkEnv) do(t testing.TB, fn func(tx *postgres.Tx) error) {
	t.Helper()
	if err := e.db.InTx(ctx, actor("test"), fn); err != nil {
		t.Fatal(err)
	}
}

func (e checkEnv) assign(t testing.TB, object int64, modules ...string) {
	t.Helper()
	e.do(t, func(tx *postgres.Tx) error {
		_, err := tx.AssignModules(ctx, e.scope.ID, []int64{object}, modules, postgres.Everything)
		return err
	})
}

// active lists the active requirement IDs of an object's entries.
func (e checkEnv) active(t testing.TB, object int64) []string {
	t.Helper()
	es, _, err := e.db.ListEntries(ctx, e.scope.ID, domain.EntryFilter{ObjectID: object, Limit: 1000}, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	ids := mapped(es, func(x domain.CheckEntry) string { return x.RequirementID })
	slices.Sort(ids)
	return ids
}

func (e checkEnv) entry(t testing.TB, object int64, requirement string) domain.CheckEntry {
	t.Helper()
	en := entryOf(t, e.db, e.scope.ID, object, requirement)
	if en.ID == 0 {
		t.Fatalf("no entry %s for object %d", requirement, object)
	}
	return en
}

func TestDerivationByApproach(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		approach domain.Approach
		want     []string
	}{
		{domain.ApproachBasic, []string{"TST.1.A1"}},
		{domain.ApproachStandard, []string{"TST.1.A1", "TST.1.A2"}},
		{domain.ApproachCore, []string{"TST.1.A1", "TST.1.A2", "TST.1.A3"}},
	} {
		e := newCheckEnv(t, c.approach)
		e.assign(t, e.server, "TST.1")
		if got := e.active(t, e.server); !slices.Equal(got, c.want) {
			t.Errorf("%s: entries %v, want %v (withdrawn excluded)", c.approach, got, c.want)
		}
	}
}

func TestRederivationRetiresAndReactivates(t *testing.T) {
	t.Parallel()
	e := newCheckEnv(t, domain.ApproachStandard)
	e.assign(t, e.server, "TST.1", "TST.2")
	entry := e.entry(t, e.server, "TST.2.A1")
	st := domain.StatusYes
	e.do(t, func(tx *postgres.Tx) error {
		_, errs, err := tx.UpdateEntries(ctx, 0, []postgres.EntryUpdate{{ID: entry.ID, Version: entry.Version, Change: domain.EntryChange{Status: &st}}}, postgres.Everything, "test")
		if len(errs) > 0 {
			return fmt.Errorf("%+v", errs)
		}
		return err
	})
	// Unassigning the module retires its entries; they keep their values.
	e.do(t, func(tx *postgres.Tx) error { return tx.UnassignModule(ctx, e.server, "TST.2", postgres.Everything) })
	if got := e.active(t, e.server); !slices.Equal(got, []string{"TST.1.A1", "TST.1.A2"}) {
		t.Fatalf("after unassigning: %v", got)
	}
	retired := e.entry(t, e.server, "TST.2.A1")
	if retired.Active || retired.RetiredAt == nil || retired.Status != domain.StatusYes {
		t.Fatalf("retired entry %+v", retired)
	}
	// Assigning it again brings the same entry back, with its values.
	e.assign(t, e.server, "TST.2")
	back := e.entry(t, e.server, "TST.2.A1")
	if !back.Active || back.ID != entry.ID || back.Status != domain.StatusYes {
		t.Errorf("reactivated entry %+v", back)
	}
	// The approach changing to basic retires the S requirement.
	e.do(t, func(tx *postgres.Tx) error {
		basic := domain.ApproachBasic
		_, err := tx.UpdateScope(ctx, e.scope.ID, e.scope.Version, domain.ScopeChange{Approach: &basic})
		return err
	})
	if got := e.active(t, e.server); !slices.Equal(got, []string{"TST.1.A1", "TST.2.A1"}) {
		t.Errorf("after basic: %v", got)
	}
}

func TestElevatedRequirementThroughRiskAnalysisAndNeed(t *testing.T) {
	t.Parallel()
	e := newCheckEnv(t, domain.ApproachStandard)
	e.assign(t, e.server, "TST.1")
	raw := func(q string, args ...any) {
		t.Helper()
		owner := openSQL(t, e.ownerURL)
		if _, err := owner.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	// The risk analysis chooses the H requirement to reduce a risk.
	raw(`WITH a AS (INSERT INTO risk_analyses (object_id, scope_id) VALUES ($1, $2) RETURNING id),
	     i AS (INSERT INTO risk_items (analysis_id, title, treatment) SELECT id, 'Ausfall', 'reduce' FROM a RETURNING id)
	     INSERT INTO risk_item_requirements (item_id, catalog_id, requirement_id) SELECT id, $3, 'TST.1.A3' FROM i`,
		e.server, e.scope.ID, e.catalog)
	e.do(t, func(tx *postgres.Tx) error { _, err := tx.DeriveChecks(ctx, e.scope.ID, []int64{e.server}); return err })
	if got := e.active(t, e.server); slices.Contains(got, "TST.1.A3") {
		t.Fatalf("H requirement in scope of an object with normal need: %v", got)
	}
	// A high need (inherited from the process) brings it in.
	e.do(t, func(tx *postgres.Tx) error {
		if _, err := tx.SetNeeds(ctx, e.process, 0, needs(0, 0, domain.NeedHigh), postgres.Everything); err != nil {
			return err
		}
		return tx.AddDependency(ctx, e.process, e.server, postgres.Everything)
	})
	if got := e.active(t, e.server); !slices.Contains(got, "TST.1.A3") {
		t.Fatalf("H requirement chosen by the risk analysis for a high need not in scope: %v", got)
	}
	// Dropping the need takes it out again (retired, not deleted).
	e.do(t, func(tx *postgres.Tx) error { return tx.RemoveDependency(ctx, e.process, e.server, postgres.Everything) })
	if got := e.active(t, e.server); slices.Contains(got, "TST.1.A3") {
		t.Errorf("H requirement stays after the need dropped: %v", got)
	}
}

func TestJustificationAndPlanItems(t *testing.T) {
	t.Parallel()
	e := newCheckEnv(t, domain.ApproachStandard)
	e.assign(t, e.server, "TST.1")
	en := e.entry(t, e.server, "TST.1.A1")
	set := func(version int, ch domain.EntryChange) ([]domain.CheckEntry, []postgres.ItemError) {
		var out []domain.CheckEntry
		var errs []postgres.ItemError
		e.do(t, func(tx *postgres.Tx) error {
			var err error
			out, errs, err = tx.UpdateEntries(ctx, 0, []postgres.EntryUpdate{{ID: en.ID, Version: version, Change: ch}}, postgres.Everything, "isa")
			return err
		})
		return out, errs
	}
	for _, s := range []domain.Status{domain.StatusNo, domain.StatusPartial, domain.StatusNotApplicable} {
		st := s
		if _, errs := set(en.Version, domain.EntryChange{Status: &st}); len(errs) != 1 || errs[0].Field != "justification" {
			t.Errorf("%s without justification: %+v", s, errs)
		}
	}
	st, why := domain.StatusPartial, "Noch nicht an allen Standorten"
	out, errs := set(en.Version, domain.EntryChange{Status: &st, Justification: &why})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	items, _, err := e.db.ListPlanItems(ctx, e.scope.ID, domain.PlanFilter{}, postgres.Everything)
	if err != nil || len(items) != 1 || items[0].EntryID != en.ID || items[0].State != domain.PlanPlanned {
		t.Fatalf("plan after partial: %+v %v", items, err)
	}
	// A stale version is refused, the entry stays as it is.
	if _, errs := set(en.Version, domain.EntryChange{Status: &st, Justification: &why}); len(errs) != 1 || !errors.Is(errs[0].Kind, domain.ErrPreconditionFailed) {
		t.Errorf("stale version: %+v", errs)
	}
	// The measure is done when the entry is fulfilled, not by hand before.
	done := domain.PlanDone
	e.do(t, func(tx *postgres.Tx) error {
		_, err := tx.UpdatePlanItem(ctx, items[0].ID, items[0].Version, domain.PlanChange{State: &done}, postgres.Everything)
		if !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("measure done while its entry is partial: %v", err)
		}
		return nil
	})
	yes := domain.StatusYes
	if out, errs = set(out[0].Version, domain.EntryChange{Status: &yes}); len(errs) > 0 {
		t.Fatal(errs)
	}
	items, _, _ = e.db.ListPlanItems(ctx, e.scope.ID, domain.PlanFilter{IncludeDone: true}, postgres.Everything)
	if len(items) != 1 || items[0].State != domain.PlanDone || items[0].ClosedAt == nil {
		t.Errorf("plan after yes: %+v", items)
	}
	if done, _, _ := e.db.ListPlanItems(ctx, e.scope.ID, domain.PlanFilter{State: domain.PlanDone}, postgres.Everything); len(done) != 1 {
		t.Errorf("asking for done measures finds %d", len(done))
	}
	// Unfulfilled again: the measure reopens, and takes the responsible
	// person it lacked; dispensable: it closes, no measure is needed.
	no, who := domain.StatusNo, "Netzbetrieb"
	if out, errs = set(out[0].Version, domain.EntryChange{Status: &no, Responsible: &who}); len(errs) > 0 {
		t.Fatal(errs)
	}
	items, _, _ = e.db.ListPlanItems(ctx, e.scope.ID, domain.PlanFilter{}, postgres.Everything)
	if len(items) != 1 || items[0].State != domain.PlanPlanned || items[0].Owner != who {
		t.Errorf("plan after no: %+v", items)
	}
	na := domain.StatusNotApplicable
	if _, errs = set(out[0].Version, domain.EntryChange{Status: &na}); len(errs) > 0 {
		t.Fatal(errs)
	}
	items, _, _ = e.db.ListPlanItems(ctx, e.scope.ID, domain.PlanFilter{}, postgres.Everything)
	if len(items) != 0 {
		t.Errorf("open measure for a dispensable requirement: %+v", items)
	}
	recs, _, _ := e.db.ListAudit(ctx, domain.AuditFilter{ResourceType: "check_entry", ResourceID: fmt.Sprint(en.ID)})
	if len(recs) != 4 {
		t.Errorf("%d audit records for four changes", len(recs))
	}
}

func TestGroupEntriesCarryToMembers(t *testing.T) {
	t.Parallel()
	e := newCheckEnv(t, domain.ApproachStandard)
	e.assign(t, e.group, "TST.2")
	e.assign(t, e.server, "TST.2")
	if got := e.active(t, e.member); !slices.Equal(got, []string{"TST.2.A1"}) {
		t.Fatalf("member takes the group's modules: %v", got)
	}
	g := e.entry(t, e.group, "TST.2.A1")
	st, why := domain.StatusNo, "Firmware-Update steht aus"
	e.do(t, func(tx *postgres.Tx) error {
		_, errs, err := tx.UpdateEntries(ctx, 0, []postgres.EntryUpdate{{ID: g.ID, Version: g.Version, Change: domain.EntryChange{Status: &st, Justification: &why}}}, postgres.Everything, "isa")
		if len(errs) > 0 {
			return fmt.Errorf("%+v", errs)
		}
		return err
	})
	m := e.entry(t, e.member, "TST.2.A1")
	if !m.FollowsGroup || m.Status != domain.StatusNo || m.Justification != why {
		t.Fatalf("member entry %+v", m)
	}
	// Set on its own, the member no longer follows.
	yes := domain.StatusYes
	e.do(t, func(tx *postgres.Tx) error {
		_, errs, err := tx.UpdateEntries(ctx, 0, []postgres.EntryUpdate{{ID: m.ID, Version: m.Version, Change: domain.EntryChange{Status: &yes}}}, postgres.Everything, "isa")
		if len(errs) > 0 {
			return fmt.Errorf("%+v", errs)
		}
		return err
	})
	g = e.entry(t, e.group, "TST.2.A1")
	partial := domain.StatusPartial
	e.do(t, func(tx *postgres.Tx) error {
		_, _, err := tx.UpdateEntries(ctx, 0, []postgres.EntryUpdate{{ID: g.ID, Version: g.Version, Change: domain.EntryChange{Status: &partial}}}, postgres.Everything, "isa")
		return err
	})
	m = e.entry(t, e.member, "TST.2.A1")
	if m.FollowsGroup || m.Status != domain.StatusYes {
		t.Errorf("overridden member changed with its group: %+v", m)
	}
	// Back to following: the member takes the group's values at once, and
	// its history says so, like the change that came through its group.
	var back []domain.CheckEntry
	e.do(t, func(tx *postgres.Tx) error {
		var errs []postgres.ItemError
		var err error
		back, errs, err = tx.UpdateEntries(ctx, 0, []postgres.EntryUpdate{{ID: m.ID, Version: m.Version, Change: domain.EntryChange{FollowGroup: true}}}, postgres.Everything, "isa")
		if len(errs) > 0 {
			return fmt.Errorf("%+v", errs)
		}
		return err
	})
	if m := e.entry(t, e.member, "TST.2.A1"); !m.FollowsGroup || m.Status != domain.StatusPartial || m.Justification != why || back[0].Status != domain.StatusPartial {
		t.Errorf("member back with its group: %+v", m)
	}
	recs, _, err := e.db.ListAudit(ctx, domain.AuditFilter{ResourceType: "check_entry", ResourceID: fmt.Sprint(m.ID)})
	if err != nil {
		t.Fatal(err)
	}
	actions := actionsOf(recs)
	slices.Sort(actions)
	if !slices.Equal(actions, []string{"check.update", "check.update", "check.update_by_group"}) {
		t.Errorf("member history %v", actions)
	}
	for _, r := range recs {
		if r.Action == "check.update" && strings.Contains(string(r.After), `"follows_group":true`) && !strings.Contains(string(r.After), `"status":"partial"`) {
			t.Errorf("follow-back recorded with values other than the group's: %s", r.After)
		}
	}
	// Only a group member can follow a group.
	s := e.entry(t, e.server, "TST.2.A1")
	e.do(t, func(tx *postgres.Tx) error {
		_, errs, err := tx.UpdateEntries(ctx, 0, []postgres.EntryUpdate{{ID: s.ID, Version: s.Version, Change: domain.EntryChange{FollowGroup: true}}}, postgres.Everything, "isa")
		if len(errs) != 1 || errs[0].Field != "follow_group" {
			t.Errorf("a server follows no group: %+v", errs)
		}
		return err
	})
}

func TestBulkIsAllOrNothing(t *testing.T) {
	t.Parallel()
	e := newCheckEnv(t, domain.ApproachStandard)
	e.assign(t, e.server, "TST.1", "TST.2")
	a, b := e.entry(t, e.server, "TST.1.A1"), e.entry(t, e.server, "TST.1.A2")
	yes, no := domain.StatusYes, domain.StatusNo
	var errs []postgres.ItemError
	e.do(t, func(tx *postgres.Tx) error {
		var err error
		_, errs, err = tx.UpdateEntries(ctx, 0, []postgres.EntryUpdate{
			{ID: a.ID, Version: a.Version, Change: domain.EntryChange{Status: &yes}},
			{ID: b.ID, Version: b.Version, Change: domain.EntryChange{Status: &no}},
			{ID: 999999, Version: 1, Change: domain.EntryChange{Status: &yes}},
		}, postgres.Everything, "isa")
		return err
	})
	if len(errs) != 2 || errs[0].Index != 1 || errs[1].Index != 2 {
		t.Fatalf("item errors %+v", errs)
	}
	if got := e.entry(t, e.server, "TST.1.A1"); got.Status != domain.StatusOpen || got.Version != a.Version {
		t.Errorf("a refused bulk changed an entry: %+v", got)
	}
}

func TestConcurrentWritersLoseNoUpdate(t *testing.T) {
	t.Parallel()
	e := newCheckEnv(t, domain.ApproachStandard)
	e.assign(t, e.server, "TST.1")
	id := e.entry(t, e.server, "TST.1.A1").ID
	const writers = 20
	var wg sync.WaitGroup
	var stale sync.Map
	// All writers read the entry before any of them writes: one wins,
	// the others hold a stale version and must read it again.
	var read sync.WaitGroup
	read.Add(writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for attempt := 0; ; attempt++ {
				cur, err := e.db.EntryByID(ctx, id, postgres.Everything)
				if attempt == 0 {
					read.Done()
					read.Wait()
				}
				if err != nil {
					t.Error(err)
					return
				}
				text := cur.Implementation + fmt.Sprintf("[w%d]", w)
				var errs []postgres.ItemError
				err = e.db.InTx(ctx, actor("w"), func(tx *postgres.Tx) error {
					var err error
					_, errs, err = tx.UpdateEntries(ctx, 0, []postgres.EntryUpdate{{ID: id, Version: cur.Version, Change: domain.EntryChange{Implementation: &text}}}, postgres.Everything, "w")
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				if len(errs) == 0 {
					return
				}
				if !errors.Is(errs[0].Kind, domain.ErrPreconditionFailed) {
					t.Errorf("writer %d: %+v", w, errs)
					return
				}
				stale.Store(w, true)
				// A short pause, longer the more often refused, spreads the
				// retries (a backoff, not a wait for anything).
				time.Sleep(time.Duration(attempt%5) * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	got, _ := e.db.EntryByID(ctx, id, postgres.Everything)
	for w := range writers {
		if !strings.Contains(got.Implementation, fmt.Sprintf("[w%d]", w)) {
			t.Errorf("the update of writer %d was lost: %q", w, got.Implementation)
		}
	}
	n := 0
	stale.Range(func(any, any) bool { n++; return true })
	if n != writers-1 {
		t.Errorf("%d writers were refused a stale version, want %d", n, writers-1)
	}
}

// Pages in object order follow their cursor to the end without a gap or
// a repeat; a department filter outside the reader's departments finds
// nothing, and counts agree with the lists.
func TestEntryPagesAndDepartments(t *testing.T) {
	t.Parallel()
	s := newStructure(t)
	if err := s.change(t, func(tx *postgres.Tx) error {
		if _, err := tx.AssignModules(ctx, s.scope.ID, []int64{s.sv, s.innSystem}, []string{"SYS.1.1", "SYS.1.5"}, postgres.Everything); err != nil {
			return err
		}
		_, err := tx.AssignModules(ctx, s.scope.ID, []int64{s.process}, []string{"ISMS.1"}, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	all, _, err := s.db.ListEntries(ctx, s.scope.ID, domain.EntryFilter{Limit: 1000, Order: "object"}, postgres.Everything)
	if err != nil || len(all) < 20 {
		t.Fatalf("%d entries, %v", len(all), err)
	}
	var paged []int64
	for after, pages := int64(0), 0; ; pages++ {
		es, next, err := s.db.ListEntries(ctx, s.scope.ID, domain.EntryFilter{Limit: 7, After: after, Order: "object"}, postgres.Everything)
		if err != nil || pages > len(all) {
			t.Fatal(err, pages)
		}
		for _, e := range es {
			paged = append(paged, e.ID)
		}
		if next == 0 {
			break
		}
		after = next
	}
	want := make([]int64, len(all))
	for i, e := range all {
		want[i] = e.ID
	}
	if !slices.Equal(paged, want) {
		t.Fatalf("pages in object order\n got %v\nwant %v", paged, want)
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].ObjectShortID > all[i].ObjectShortID {
			t.Fatalf("not by object: %s before %s", all[i-1].ObjectShortID, all[i].ObjectShortID)
		}
	}

	finance := postgres.Visibility{Departments: []int64{s.fin}}
	seen, _, err := s.db.ListEntries(ctx, s.scope.ID, domain.EntryFilter{Limit: 1000}, finance)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := s.db.CountEntries(ctx, s.scope.ID, domain.EntryFilter{}, finance)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range seen {
		if e.ObjectID == s.innSystem {
			t.Fatal("the finance ministry sees an entry of the interior ministry")
		}
	}
	if len(seen) == 0 || counts[domain.StatusOpen] != len(seen) {
		t.Fatalf("finance sees %d entries, counts %v", len(seen), counts)
	}
	// The subtree: the data centre's server belongs to the finance ministry's view.
	sub, _, err := s.db.ListEntries(ctx, s.scope.ID, domain.EntryFilter{DepartmentID: s.tlrz, Limit: 1000}, finance)
	if err != nil || len(sub) == 0 || sub[0].ObjectID != s.sv {
		t.Fatalf("data centre in the finance view: %d entries, %v", len(sub), err)
	}
	other, _, err := s.db.ListEntries(ctx, s.scope.ID, domain.EntryFilter{DepartmentID: s.inn, Limit: 1000}, finance)
	if err != nil || len(other) != 0 {
		t.Fatalf("interior ministry in the finance view: %d entries, %v", len(other), err)
	}
	none, err := s.db.CountEntries(ctx, s.scope.ID, domain.EntryFilter{DepartmentID: s.inn}, finance)
	if err != nil || len(none) != 0 {
		t.Fatalf("counts of the interior ministry in the finance view: %v, %v", none, err)
	}
}

// The plan lists measures by due date, those without one last, and pages
// through them in that order.
func TestPlanByDueDate(t *testing.T) {
	t.Parallel()
	e := newCheckEnv(t, domain.ApproachStandard)
	e.assign(t, e.server, "TST.1", "TST.2")
	no, why := domain.StatusNo, "Beschaffung läuft"
	due := func(s string) **time.Time {
		d, _ := time.Parse("2006-01-02", s)
		p := &d
		return &p
	}
	var none *time.Time
	changes := map[string]**time.Time{"TST.1.A1": due("2027-03-31"), "TST.1.A2": &none, "TST.2.A1": due("2027-01-15")}
	var items []postgres.EntryUpdate
	for req, d := range changes {
		en := e.entry(t, e.server, req)
		items = append(items, postgres.EntryUpdate{ID: en.ID, Version: en.Version, Change: domain.EntryChange{Status: &no, Justification: &why, TargetDate: d}})
	}
	e.do(t, func(tx *postgres.Tx) error {
		_, errs, err := tx.UpdateEntries(ctx, 0, items, postgres.Everything, "isa")
		if len(errs) > 0 {
			return fmt.Errorf("%+v", errs)
		}
		return err
	})
	var got []string
	for after := int64(0); ; {
		page, next, err := e.db.ListPlanItems(ctx, e.scope.ID, domain.PlanFilter{Limit: 1, After: after}, postgres.Everything)
		if err != nil || len(got) > 3 {
			t.Fatal(err, got)
		}
		for _, p := range page {
			got = append(got, p.RequirementID)
		}
		if next == 0 {
			break
		}
		after = next
	}
	if want := []string{"TST.2.A1", "TST.1.A1", "TST.1.A2"}; !slices.Equal(got, want) {
		t.Errorf("plan order %v, want %v", got, want)
	}
}
