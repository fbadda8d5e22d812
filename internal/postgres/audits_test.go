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
)

// auditScope is the structure with modules assigned to three objects, so
// that a sample has modules, objects and check entries to draw from.
func auditScope(t *testing.T) structure {
	t.Helper()
	s := newStructure(t)
	s.assign(t, s.sv, "SYS.1.1", "SYS.1.5")
	s.assign(t, s.innSystem, "SYS.1.1")
	s.assign(t, s.room, "INF.2")
	return s
}

func auditDay(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

func (s structure) createAudit(t *testing.T, title string) domain.Audit {
	t.Helper()
	var a domain.Audit
	if err := s.db.InTx(ctx, actor("pruefer"), func(tx *postgres.Tx) error {
		var err error
		a, err = tx.CreateAudit(ctx, s.scope.ID, domain.AuditInput{Kind: domain.AuditSurveillance1, Title: title,
			Auditors: []string{" Dr. Petra Prüfer ", ""}, StartsOn: auditDay("2026-05-04"), EndsOn: auditDay("2026-05-06")})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return a
}

func (s structure) draw(t *testing.T, auditID int64, d domain.SampleDraw) ([]domain.SampleItem, int64) {
	t.Helper()
	var items []domain.SampleItem
	var seed int64
	if err := s.db.InTx(ctx, actor("pruefer"), func(tx *postgres.Tx) error {
		var err error
		items, seed, err = tx.DrawSample(ctx, auditID, d)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return items, seed
}

// labels names sample items by kind and label, in the checklist's order.
func labels(items []domain.SampleItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = string(it.Type) + " " + it.Label()
	}
	return out
}

func kindOf(err error) string {
	for _, k := range []error{domain.ErrInvalid, domain.ErrConflict, domain.ErrForbidden, domain.ErrNotFound, domain.ErrPreconditionFailed} {
		if errors.Is(err, k) {
			return k.Error()
		}
	}
	return fmt.Sprint(err)
}

func pointers(err error) []string {
	var de *domain.Error
	if !errors.As(err, &de) {
		return nil
	}
	return mapped(de.Violations, func(v domain.Violation) string { return v.Pointer })
}

// TestSampleDrawIsDeterministic: the same seed on the same data draws the
// same items, a draw never repeats an item already in the sample, and
// every drawn item records its seed.
func TestSampleDrawIsDeterministic(t *testing.T) {
	t.Parallel()
	s := auditScope(t)
	first, second := s.createAudit(t, "Überwachungsaudit 2026"), s.createAudit(t, "Wiederholung")
	if first.State != domain.AuditPlanned || !slices.Equal(first.Auditors, []string{"Dr. Petra Prüfer"}) || first.CreatedBy != "pruefer" {
		t.Fatalf("created audit: %+v", first)
	}
	seed := int64(4711)
	ask := domain.SampleDraw{Modules: 2, Objects: 2, Requirements: 5, Seed: &seed}
	a, gotSeed := s.draw(t, first.ID, ask)
	b, _ := s.draw(t, second.ID, ask)
	if gotSeed != seed || len(a) != 9 || !slices.Equal(labels(a), labels(b)) {
		t.Fatalf("same seed, different samples:\n%v\n%v", labels(a), labels(b))
	}
	for _, it := range a {
		if it.Seed == nil || *it.Seed != seed || it.Result != domain.ResultOpen || it.UpdatedBy != "pruefer" {
			t.Errorf("drawn item %+v", it)
		}
		if it.Type == domain.SampleObject && it.ObjectID != nil && *it.ObjectID == s.scope.ObjectID {
			t.Errorf("the scope's own object was drawn")
		}
	}

	// Drawing again skips what is in the sample; asking for more than
	// there is draws the rest, without repeats.
	more, _ := s.draw(t, first.ID, domain.SampleDraw{Modules: 100, Objects: 100, Requirements: 1000, Seed: &seed})
	all, err := s.db.SampleItems(ctx, first.ID, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, l := range labels(all) {
		if seen[l] {
			t.Errorf("%s is in the sample twice", l)
		}
		seen[l] = true
	}
	for _, l := range labels(a) {
		if slices.Contains(labels(more), l) {
			t.Errorf("the second draw repeated %s", l)
		}
	}
	modules, err := s.db.ModulesInScope(ctx, s.scope.ID)
	if err != nil || len(modules) != 3 {
		t.Fatalf("modules in scope: %+v %v", modules, err)
	}
	var counts [3]int
	for _, it := range all {
		counts[slices.Index(domain.SampleTypes, it.Type)]++
	}
	entries, _, _ := s.db.ListEntries(ctx, s.scope.ID, domain.EntryFilter{Limit: 1000}, postgres.Everything)
	if counts != [3]int{3, 5, len(entries)} {
		t.Errorf("sample by kind %v, want 3 modules, 5 objects (not the scope's own), %d requirements", counts, len(entries))
	}
	aud, err := s.db.AuditByID(ctx, first.ID)
	if err != nil || aud.Samples != len(all) || aud.Assessed != 0 {
		t.Errorf("audit figures: %+v %v", aud, err)
	}

	// Without a seed one is chosen and recorded.
	third := s.createAudit(t, "Internes Audit")
	drawn, chosen := s.draw(t, third.ID, domain.SampleDraw{Requirements: 3})
	if len(drawn) != 3 || drawn[0].Seed == nil || *drawn[0].Seed != chosen {
		t.Errorf("draw without a seed: %d items, seed %d", len(drawn), chosen)
	}
	recs, _, err := s.db.ListAudit(ctx, domain.AuditFilter{ResourceType: "audit", ResourceID: fmt.Sprint(third.ID)})
	if err != nil || len(recs) != 2 || recs[0].Action != "audit.sample_draw" || !strings.Contains(string(recs[0].After), fmt.Sprintf(`"seed":%d`, chosen)) {
		t.Errorf("audit trail of the draw: %+v %v", recs, err)
	}
	for _, bad := range []domain.SampleDraw{{}, {Modules: -1}, {Requirements: domain.MaxDraw + 1}} {
		err := s.db.InTx(ctx, actor("pruefer"), func(tx *postgres.Tx) error {
			_, _, err := tx.DrawSample(ctx, third.ID, bad)
			return err
		})
		if !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("draw %+v: %v", bad, err)
		}
	}
}

// TestSampleByHand: only modules assigned in the scope, its objects and
// its active check entries; nothing twice; results with If-Match.
func TestSampleByHand(t *testing.T) {
	t.Parallel()
	s := auditScope(t)
	a := s.createAudit(t, "Erstzertifizierung")
	add := func(in domain.SampleInput) (domain.SampleItem, error) {
		it, err := postgres.InTxValue(ctx, s.db, actor("pruefer"), func(tx *postgres.Tx) (domain.SampleItem, error) {
			return tx.AddSampleItem(ctx, a.ID, in, postgres.Everything)
		})
		return it, err
	}
	entry := s.entry(t, s.sv, "SYS.1.1.A1")
	for _, c := range []struct {
		in      domain.SampleInput
		kind    string
		pointer string
	}{
		{domain.SampleInput{Type: domain.SampleModule, ModuleID: "NET.3.1"}, "invalid", "/module_id"}, // not assigned
		{domain.SampleInput{Type: domain.SampleObject, ObjectID: s.scope.ObjectID}, "invalid", "/object_id"},
		{domain.SampleInput{Type: domain.SampleObject, ObjectID: 999999}, "not found", "/object_id"},
		{domain.SampleInput{Type: domain.SampleRequirement, EntryID: 999999}, "not found", "/entry_id"},
		{domain.SampleInput{Type: domain.SampleRequirement, ObjectID: s.sv}, "invalid", "/entry_id"},
		{domain.SampleInput{Type: "room"}, "invalid", "/type"},
	} {
		_, err := add(c.in)
		if kindOf(err) != c.kind || !slices.Contains(pointers(err), c.pointer) {
			t.Errorf("add %+v: %v %v", c.in, err, pointers(err))
		}
	}
	mod, err := add(domain.SampleInput{Type: domain.SampleModule, ModuleID: "SYS.1.1"})
	if err != nil || mod.Label() != "SYS.1.1 Allgemeiner Server" || mod.Seed != nil {
		t.Fatalf("module: %+v %v", mod, err)
	}
	req, err := add(domain.SampleInput{Type: domain.SampleRequirement, EntryID: entry.ID})
	if err != nil || req.RequirementID != "SYS.1.1.A1" || req.ObjectID == nil || *req.ObjectID != s.sv || req.EntryStatus != domain.StatusOpen {
		t.Fatalf("requirement: %+v %v", req, err)
	}
	if _, err := add(domain.SampleInput{Type: domain.SampleRequirement, EntryID: entry.ID}); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("the same requirement twice: %v", err)
	}

	// A result: If-Match on the item's version.
	result := func(id int64, version int, r domain.SampleResult, note string) (domain.SampleItem, error) {
		it, err := postgres.InTxValue(ctx, s.db, actor("pruefer"), func(tx *postgres.Tx) (domain.SampleItem, error) {
			return tx.RecordSampleResult(ctx, id, version, domain.SampleResultChange{Result: &r, Note: &note})
		})
		return it, err
	}
	done, err := result(req.ID, req.Version, domain.ResultNonconforming, " Kein Patchkonzept vorgelegt. ")
	if err != nil || done.Result != domain.ResultNonconforming || done.Note != "Kein Patchkonzept vorgelegt." || done.Version != req.Version+1 {
		t.Fatalf("result: %+v %v", done, err)
	}
	if _, err := result(req.ID, req.Version, domain.ResultConforming, ""); !errors.Is(err, domain.ErrPreconditionFailed) {
		t.Errorf("stale result: %v", err)
	}
	if _, err := result(req.ID, done.Version, "great", ""); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("unknown result: %v", err)
	}
	if aud, _ := s.db.AuditByID(ctx, a.ID); aud.Samples != 2 || aud.Assessed != 1 {
		t.Errorf("figures after one result: %d items, %d assessed", aud.Samples, aud.Assessed)
	}

	// Removing: If-Match, and never an item a finding refers to.
	remove := func(id int64, version int) error {
		return s.db.InTx(ctx, actor("pruefer"), func(tx *postgres.Tx) error { return tx.RemoveSampleItem(ctx, id, version) })
	}
	due := auditDay("2026-09-30")
	if err := s.db.InTx(ctx, actor("pruefer"), func(tx *postgres.Tx) error {
		_, err := tx.CreateFinding(ctx, a.ID, domain.FindingInput{Class: domain.FindingMinor, Title: "Patchkonzept fehlt", DueDate: &due,
			Links: []domain.FindingLink{{Target: domain.FindingOnSample, TargetID: req.ID}}}, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := remove(req.ID, done.Version); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("removing an item a finding refers to: %v", err)
	}
	if err := remove(mod.ID, mod.Version+1); !errors.Is(err, domain.ErrPreconditionFailed) {
		t.Errorf("stale remove: %v", err)
	}
	if err := remove(mod.ID, mod.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.SampleItemByID(ctx, mod.ID, postgres.Everything); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("removed item: %v", err)
	}

	// A completed audit keeps its sample and findings as they are.
	var completed domain.Audit
	state := domain.AuditCompleted
	if err := s.change(t, func(tx *postgres.Tx) error {
		var err error
		completed, err = tx.UpdateAudit(ctx, a.ID, a.Version, domain.AuditChange{State: &state})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := result(req.ID, done.Version, domain.ResultConforming, ""); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("result in a completed audit: %v", err)
	}
	if _, err := add(domain.SampleInput{Type: domain.SampleObject, ObjectID: s.sv}); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("adding to a completed audit: %v", err)
	}
	if completed.Version != a.Version+1 || completed.State != domain.AuditCompleted {
		t.Errorf("completed: %+v", completed)
	}
}

// TestAuditUpdateIfMatch: a change with a stale version is refused, and
// concurrent writers of one sample item lose no result.
func TestAuditUpdateIfMatch(t *testing.T) {
	t.Parallel()
	s := auditScope(t)
	a := s.createAudit(t, "Überwachungsaudit")
	title, end := "1. Überwachungsaudit 2026", auditDay("2026-05-03")
	err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.UpdateAudit(ctx, a.ID, a.Version, domain.AuditChange{EndsOn: &end})
		return err
	})
	if kindOf(err) != "invalid" || !slices.Equal(pointers(err), []string{"/ends_on"}) {
		t.Errorf("ending before the start: %v %v", err, pointers(err))
	}
	var b domain.Audit
	if err := s.change(t, func(tx *postgres.Tx) error {
		var err error
		b, err = tx.UpdateAudit(ctx, a.ID, a.Version, domain.AuditChange{Title: &title})
		return err
	}); err != nil || b.Title != title || b.Kind != a.Kind {
		t.Fatalf("update: %+v %v", b, err)
	}
	if err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.UpdateAudit(ctx, a.ID, a.Version, domain.AuditChange{Title: &title})
		return err
	}); !errors.Is(err, domain.ErrPreconditionFailed) {
		t.Errorf("stale update: %v", err)
	}

	items, _ := s.draw(t, a.ID, domain.SampleDraw{Requirements: 1})
	id := items[0].ID
	var wg sync.WaitGroup
	for w := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for attempt := 0; ; attempt++ {
				cur, err := s.db.SampleItemByID(ctx, id, postgres.Everything)
				if err != nil {
					t.Error(err)
					return
				}
				err = s.db.InTx(ctx, actor(fmt.Sprintf("w%d", w)), func(tx *postgres.Tx) error {
					_, err := tx.RecordSampleResult(ctx, id, cur.Version, domain.SampleResultChange{Result: new(domain.ResultConforming),
						Note: new(cur.Note + fmt.Sprintf("[w%d]", w))})
					return err
				})
				if err == nil {
					return
				}
				if !errors.Is(err, domain.ErrPreconditionFailed) {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				time.Sleep(time.Duration(attempt%5) * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	got, _ := s.db.SampleItemByID(ctx, id, postgres.Everything)
	for w := range 10 {
		if !strings.Contains(got.Note, fmt.Sprintf("[w%d]", w)) {
			t.Errorf("the result of writer %d was lost: %q", w, got.Note)
		}
	}
}

func (s structure) shortID(t *testing.T, id int64) string {
	t.Helper()
	o, err := s.db.ObjectByID(ctx, id, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	return o.ShortID
}

func (s structure) finding(t *testing.T, auditID int64, in domain.FindingInput) (domain.Finding, error) {
	t.Helper()
	f, err := postgres.InTxValue(ctx, s.db, actor("pruefer"), func(tx *postgres.Tx) (domain.Finding, error) {
		return tx.CreateFinding(ctx, auditID, in, postgres.Everything)
	})
	return f, err
}

// TestFindingNeedsDueDateAndLinksOfItsScope: a nonconformity needs a due
// date; links point at the audit's sample and its scope only, and are
// labelled in SQL.
func TestFindingNeedsDueDateAndLinksOfItsScope(t *testing.T) {
	t.Parallel()
	s := auditScope(t)
	a, b := s.createAudit(t, "Audit A"), s.createAudit(t, "Audit B")
	itemsB, _ := s.draw(t, b.ID, domain.SampleDraw{Objects: 1, Seed: new(int64)})
	for _, class := range []domain.FindingClass{domain.FindingMinor, domain.FindingMajor} {
		_, err := s.finding(t, a.ID, domain.FindingInput{Class: class, Title: "Ohne Frist"})
		if kindOf(err) != "invalid" || !slices.Equal(pointers(err), []string{"/due_date"}) {
			t.Errorf("%s without a due date: %v %v", class, err, pointers(err))
		}
	}
	rec, err := s.finding(t, a.ID, domain.FindingInput{Class: domain.FindingRecommendation, Title: "Schulungen ausweiten"})
	if err != nil || rec.DueDate != nil || rec.State != domain.FindingOpen {
		t.Fatalf("recommendation without a due date: %+v %v", rec, err)
	}
	entry := s.entry(t, s.sv, "SYS.1.1.A1")
	due := auditDay("2026-08-31")
	_, err = s.finding(t, a.ID, domain.FindingInput{Class: domain.FindingMajor, Title: "Fremde Stichprobe", DueDate: &due,
		Links: []domain.FindingLink{{Target: domain.FindingOnObject, TargetID: s.sv}, {Target: domain.FindingOnSample, TargetID: itemsB[0].ID}}})
	if kindOf(err) != "invalid" || !slices.Equal(pointers(err), []string{"/links/1/target_id"}) {
		t.Errorf("a link to another audit's sample: %v %v", err, pointers(err))
	}
	f, err := s.finding(t, a.ID, domain.FindingInput{Class: domain.FindingMajor, Title: "Keine Datensicherung", DueDate: &due,
		Links: []domain.FindingLink{{Target: domain.FindingOnObject, TargetID: s.innSystem}, {Target: domain.FindingOnEntry, TargetID: entry.ID},
			{Target: domain.FindingOnObject, TargetID: s.innSystem}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.FindingLink{{Target: "check_entry", TargetID: entry.ID, Label: "SYS.1.1.A1 " + entry.Title + " (" + entry.ObjectShortID + ")"},
		{Target: "object", TargetID: s.innSystem, Label: s.shortID(t, s.innSystem) + " Fachverfahren-Server"}}
	if !slices.Equal(f.Links, want) || f.AuditTitle != "Audit A" || f.ScopeID != s.scope.ID {
		t.Errorf("finding: %+v\nwant links %+v", f, want)
	}
	// A reader of the Finanzministerium sees the link to its own server's
	// entry, not the object of the Innenministerium.
	fin, err := s.db.FindingByID(ctx, f.ID, postgres.Visibility{Departments: []int64{s.fin}})
	if err != nil || len(fin.Links) != 1 || fin.Links[0].Target != "check_entry" {
		t.Errorf("links as the Finanzministerium sees them: %+v %v", fin.Links, err)
	}
	// Changing the class to a recommendation lets the due date go.
	rc := domain.FindingRecommendation
	var nodue *time.Time
	var g domain.Finding
	if err := s.change(t, func(tx *postgres.Tx) error {
		var err error
		g, err = tx.UpdateFinding(ctx, f.ID, f.Version, domain.FindingChange{Class: &rc, DueDate: &nodue, Links: &[]domain.FindingLink{}}, postgres.Everything)
		return err
	}); err != nil || g.Class != rc || g.DueDate != nil || len(g.Links) != 0 {
		t.Errorf("update: %+v %v", g, err)
	}
	major := domain.FindingMajor
	if err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.UpdateFinding(ctx, f.ID, g.Version, domain.FindingChange{Class: &major}, postgres.Everything)
		return err
	}); kindOf(err) != "invalid" {
		t.Errorf("a major finding without a due date by update: %v", err)
	}
	if err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.UpdateFinding(ctx, f.ID, f.Version, domain.FindingChange{Class: &major}, postgres.Everything)
		return err
	}); !errors.Is(err, domain.ErrPreconditionFailed) {
		t.Errorf("stale update: %v", err)
	}
}

// TestFindingLifecycle: the ISB submits a corrective action, the auditor
// rejects it with a reason or accepts it, which closes the finding;
// nobody verifies their own submission.
func TestFindingLifecycle(t *testing.T) {
	t.Parallel()
	s := auditScope(t)
	a := s.createAudit(t, "Erstzertifizierung")
	due := auditDay("2026-09-30")
	f, err := s.finding(t, a.ID, domain.FindingInput{Class: domain.FindingMinor, Title: "Patchkonzept fehlt", DueDate: &due})
	if err != nil {
		t.Fatal(err)
	}
	submit := func(who string, version int, text string) (domain.Finding, error) {
		out, err := postgres.InTxValue(ctx, s.db, actor(who), func(tx *postgres.Tx) (domain.Finding, error) {
			return tx.SubmitCorrectiveAction(ctx, f.ID, version, domain.CorrectiveActionInput{Description: text})
		})
		return out, err
	}
	verify := func(who string, version int, v domain.Verdict, comment string) (domain.Finding, error) {
		out, err := postgres.InTxValue(ctx, s.db, actor(who), func(tx *postgres.Tx) (domain.Finding, error) {
			return tx.VerifyCorrectiveAction(ctx, f.ID, version, domain.VerificationInput{Verdict: v, Comment: comment})
		})
		return out, err
	}
	if _, err := verify("pruefer", f.Version, domain.VerdictAccepted, ""); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("verifying without a corrective action: %v", err)
	}
	if _, err := submit("isb", f.Version, "  "); kindOf(err) != "invalid" {
		t.Errorf("an empty corrective action: %v", err)
	}
	f1, err := submit("isb", f.Version, "Patchkonzept erstellt und von der Leitung freigegeben.")
	if err != nil || f1.State != domain.FindingActionSubmitted || len(f1.Actions) != 1 || f1.Actions[0].Verdict != domain.VerdictPending ||
		f1.Actions[0].SubmittedBy != "isb" {
		t.Fatalf("submitted: %+v %v", f1, err)
	}
	if _, err := submit("isb", f.Version, "noch eine"); !errors.Is(err, domain.ErrPreconditionFailed) {
		t.Errorf("stale submission: %v", err)
	}
	if _, err := submit("isb", f1.Version, "noch eine"); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("a second submission while one waits: %v", err)
	}
	if _, err := verify("isb", f1.Version, domain.VerdictAccepted, ""); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("verifying one's own submission: %v", err)
	}
	if _, err := verify("pruefer", f1.Version, domain.VerdictRejected, " "); kindOf(err) != "invalid" || !slices.Equal(pointers(err), []string{"/comment"}) {
		t.Errorf("rejecting without a reason: %v", err)
	}
	if _, err := verify("pruefer", f1.Version, domain.VerdictPending, ""); kindOf(err) != "invalid" {
		t.Errorf("pending as a verdict: %v", err)
	}
	f2, err := verify("pruefer", f1.Version, domain.VerdictRejected, "Die Freigabe fehlt.")
	if err != nil || f2.State != domain.FindingOpen || f2.Actions[0].Verdict != domain.VerdictRejected || f2.Actions[0].VerifiedBy != "pruefer" ||
		f2.Actions[0].Comment != "Die Freigabe fehlt." || f2.ClosedAt != nil {
		t.Fatalf("rejected: %+v %v", f2, err)
	}
	f3, err := submit("isb", f2.Version, "Freigabe vom 12.06. beigefügt.")
	if err != nil {
		t.Fatal(err)
	}
	f4, err := verify("pruefer", f3.Version, domain.VerdictAccepted, "")
	if err != nil || f4.State != domain.FindingClosed || f4.ClosedBy != "pruefer" || f4.ClosedAt == nil || len(f4.Actions) != 2 ||
		f4.Actions[1].Verdict != domain.VerdictAccepted {
		t.Fatalf("accepted: %+v %v", f4, err)
	}
	if _, err := submit("isb", f4.Version, "danach"); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("submitting to a closed finding: %v", err)
	}
	title := "neu"
	if err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.UpdateFinding(ctx, f.ID, f4.Version, domain.FindingChange{Title: &title}, postgres.Everything)
		return err
	}); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("changing a closed finding: %v", err)
	}
	recs, _, err := s.db.ListAudit(ctx, domain.AuditFilter{ResourceType: "finding", ResourceID: fmt.Sprint(f.ID)})
	actions := actionsOf(recs)
	if want := []string{"finding.action_verify", "finding.action_submit", "finding.action_verify", "finding.action_submit", "finding.create"}; err != nil ||
		!slices.Equal(actions, want) {
		t.Errorf("audit trail: %v, want %v (%v)", actions, want, err)
	}
}

// TestListFindings: filters by scope, audit, class, state, open and
// overdue, in pages by due date.
func TestListFindings(t *testing.T) {
	t.Parallel()
	s := auditScope(t)
	a, b := s.createAudit(t, "Audit A"), s.createAudit(t, "Audit B")
	mk := func(auditID int64, class domain.FindingClass, title, due string) domain.Finding {
		in := domain.FindingInput{Class: class, Title: title}
		if due != "" {
			d := auditDay(due)
			in.DueDate = &d
		}
		f, err := s.finding(t, auditID, in)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	late := mk(a.ID, domain.FindingMajor, "überfällig", "2026-01-31")
	soon := mk(a.ID, domain.FindingMinor, "bald fällig", "2026-12-31")
	mk(b.ID, domain.FindingRecommendation, "Empfehlung", "")
	mk(b.ID, domain.FindingMinor, "B geringfügig", "2026-06-30")
	today := auditDay("2026-03-01")
	titles := func(f postgres.FindingFilter) []string {
		t.Helper()
		var out []string
		for {
			fs, next, err := s.db.ListFindings(ctx, f, postgres.Everything)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range fs {
				out = append(out, x.Title)
			}
			if next == 0 {
				return out
			}
			f.After = next
		}
	}
	for _, c := range []struct {
		f    postgres.FindingFilter
		want []string
	}{
		{postgres.FindingFilter{ScopeID: s.scope.ID, Limit: 1}, []string{"überfällig", "B geringfügig", "bald fällig", "Empfehlung"}},
		{postgres.FindingFilter{AuditID: a.ID}, []string{"überfällig", "bald fällig"}},
		{postgres.FindingFilter{ScopeID: s.scope.ID, Class: domain.FindingMinor}, []string{"B geringfügig", "bald fällig"}},
		{postgres.FindingFilter{ScopeID: s.scope.ID, OverdueOnly: true, Today: today}, []string{"überfällig"}},
		{postgres.FindingFilter{ScopeID: s.scope.ID + 1000}, nil},
	} {
		if got := titles(c.f); !slices.Equal(got, c.want) {
			t.Errorf("%+v: %v, want %v", c.f, got, c.want)
		}
	}
	if err := s.db.InTx(ctx, actor("isb"), func(tx *postgres.Tx) error {
		_, err := tx.SubmitCorrectiveAction(ctx, late.ID, late.Version, domain.CorrectiveActionInput{Description: "erledigt"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f, _, err := s.db.ListFindings(ctx, postgres.FindingFilter{State: domain.FindingActionSubmitted}, postgres.Everything)
	if err != nil || len(f) != 1 || f[0].ID != late.ID || len(f[0].Actions) != 1 {
		t.Errorf("action submitted, across scopes: %+v %v", f, err)
	}
	if err := s.db.InTx(ctx, actor("pruefer"), func(tx *postgres.Tx) error {
		_, err := tx.VerifyCorrectiveAction(ctx, late.ID, late.Version+1, domain.VerificationInput{Verdict: domain.VerdictAccepted})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := titles(postgres.FindingFilter{ScopeID: s.scope.ID, OpenOnly: true}); !slices.Equal(got, []string{"B geringfügig", "bald fällig", "Empfehlung"}) {
		t.Errorf("open only: %v", got)
	}
	if got := titles(postgres.FindingFilter{ScopeID: s.scope.ID, OverdueOnly: true, Today: auditDay("2027-01-01")}); !slices.Equal(got, []string{"B geringfügig", "bald fällig"}) {
		t.Errorf("overdue at the new year: %v", got)
	}
	if aud, _ := s.db.AuditByID(ctx, a.ID); aud.OpenFindings != 1 {
		t.Errorf("open findings of A: %d", aud.OpenFindings)
	}
	if got := soon.Overdue(auditDay("2027-01-01")); !got {
		t.Error("a finding past its due date is not overdue")
	}
}

// TestSampleAsADepartmentSeesIt: a reader limited to departments sees the
// modules and the items of the objects in their subtree.
func TestSampleAsADepartmentSeesIt(t *testing.T) {
	t.Parallel()
	s := auditScope(t)
	a := s.createAudit(t, "Audit")
	s.draw(t, a.ID, domain.SampleDraw{Modules: 10, Objects: 10, Requirements: 1000})
	all, err := s.db.SampleItems(ctx, a.ID, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	inn, err := s.db.SampleItems(ctx, a.ID, postgres.Visibility{Departments: []int64{s.inn}})
	if err != nil {
		t.Fatal(err)
	}
	if len(inn) == 0 || len(inn) >= len(all) {
		t.Fatalf("the Innenministerium sees %d of %d items", len(inn), len(all))
	}
	for _, it := range inn {
		if it.Type != domain.SampleModule && (it.ObjectID == nil || *it.ObjectID != s.innSystem) {
			t.Errorf("the Innenministerium sees %s", it.Label())
		}
	}
	hidden := slices.IndexFunc(all, func(it domain.SampleItem) bool { return it.ObjectID != nil && *it.ObjectID == s.sv })
	if _, err := s.db.SampleItemByID(ctx, all[hidden].ID, postgres.Visibility{Departments: []int64{s.inn}}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("a hidden item: %v", err)
	}
}
