package postgres_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// plusPlusCatalog is a small Grundschutz++ catalog of our own: one
// practice with a MUSS, a SOLLTE and a KANN (normal-SdT) and a MUSS of
// level erhöht.
func plusPlusCatalog() (domain.Catalog, domain.CatalogContent) {
	text := func(s string) domain.Text { return domain.Text{{Kind: "p", Runs: []domain.Run{{Text: s}}}} }
	req := func(id, title string, level domain.Level, o domain.Obligation, ord int) domain.Requirement {
		return domain.Requirement{ID: id, ModuleID: "GC.1", Title: title, Level: level, Obligation: o, Order: ord,
			Text: text("Die Institution " + strings.ToUpper(string(o)) + " " + title + ".")}
	}
	return domain.Catalog{Kind: domain.CatalogOSCAL, Title: "Test-Grundschutz++", Version: "1", UUID: "c0ffee00-0000-4000-8000-000000000001",
			SourceName: "test-plusplus.json", SourceSHA256: strings.Repeat("ab", 32)},
		domain.CatalogContent{
			Groups:  []domain.CatalogGroup{{Key: "GC", Title: "Governance und Compliance"}},
			Modules: []domain.Module{{ID: "GC.1", GroupKey: "GC", Title: "Steuerung"}},
			Requirements: []domain.Requirement{
				req("GC.1.1", "ein ISMS betreiben", domain.LevelStandard, domain.ObligationMust, 1),
				req("GC.1.2", "Ziele dokumentieren", domain.LevelStandard, domain.ObligationShould, 2),
				req("GC.1.3", "Kennzahlen veröffentlichen", domain.LevelStandard, domain.ObligationMay, 3),
				req("GC.1.4", "ein zweites Rechenzentrum betreiben", domain.LevelElevated, domain.ObligationMust, 4),
			},
		}
}

// plusPlus is a Grundschutz++ scope beside the structure's Kompendium
// scope: a server of the TLRZ and one of the other ministry, both modelled
// with GC.1.
type plusPlus struct {
	structure
	scopeID, sv, innSv int64
}

func newPlusPlus(t *testing.T) plusPlus {
	t.Helper()
	p := plusPlus{structure: newStructure(t)}
	err := p.change(t, func(tx *postgres.Tx) error {
		meta, content := plusPlusCatalog()
		c, err := tx.InsertCatalog(ctx, meta, content)
		if err != nil {
			return err
		}
		sc, err := tx.CreateScope(ctx, domain.ScopeInput{Name: "Rechenzentrum nach Grundschutz++", CatalogID: c.ID, Approach: domain.ApproachStandard})
		if err != nil {
			return err
		}
		p.scopeID = sc.ID
		for _, o := range []struct {
			dst  *int64
			name string
			dept int64
		}{{&p.sv, "Identitätsserver", p.tlrz}, {&p.innSv, "Fachverfahren-Server", p.inn}} {
			obj, err := tx.CreateObject(ctx, sc.ID, domain.ObjectInput{Type: domain.ObjectITSystem, ObjectFields: domain.ObjectFields{Name: o.name},
				DepartmentID: &o.dept}, postgres.Everything)
			if err != nil {
				return err
			}
			*o.dst = obj.ID
		}
		_, err = tx.AssignModules(ctx, sc.ID, []int64{p.sv, p.innSv}, []string{"GC.1"}, postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ppEntry returns the object's entry of a requirement in the Grundschutz++ scope.
func (p plusPlus) ppEntry(t *testing.T, objectID int64, requirement string) domain.CheckEntry {
	t.Helper()
	es, _, err := p.db.ListEntries(ctx, p.scopeID, domain.EntryFilter{ObjectID: objectID, Limit: 1000}, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.RequirementID == requirement {
			return e
		}
	}
	t.Fatalf("no entry of %s on object %d", requirement, objectID)
	return domain.CheckEntry{}
}

// setStatus records a status with a justification on an entry.
func (p plusPlus) setStatus(t *testing.T, e domain.CheckEntry, status domain.Status) domain.CheckEntry {
	t.Helper()
	just := "Mittel erst im Haushalt 2028."
	var out []domain.CheckEntry
	err := p.change(t, func(tx *postgres.Tx) error {
		var errs []postgres.ItemError
		var err error
		out, errs, err = tx.UpdateEntries(ctx, 0, []postgres.EntryUpdate{{ID: e.ID, Version: e.Version,
			Change: domain.EntryChange{Status: &status, Justification: &just}}}, postgres.Everything, "test")
		if len(errs) > 0 {
			t.Fatalf("update entry %s: %+v", e.RequirementID, errs)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

// authorise records an exception as management's account, on today.
func (s structure) authorise(entryID int64, in domain.ExceptionInput, today time.Time, vis postgres.Visibility) (domain.Exception, error) {
	return signed(s, "Dr. Erika Muster", today, func(tx *postgres.Tx, sig domain.Signature) (domain.Exception, error) {
		return tx.CreateException(ctx, entryID, in, sig, today, vis)
	})
}

func (s structure) revoke(id int64, version int, today time.Time) (domain.Exception, error) {
	return signed(s, "Dr. Erika Muster", today, func(tx *postgres.Tx, sig domain.Signature) (domain.Exception, error) {
		return tx.RevokeException(ctx, id, version, sig, today, postgres.Everything)
	})
}

func until(today time.Time, days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }

func TestExceptionForAnUnmetMust(t *testing.T) {
	t.Parallel()
	p := newPlusPlus(t)
	today := domain.Today(time.UTC)
	must := p.setStatus(t, p.ppEntry(t, p.sv, "GC.1.1"), domain.StatusNo)
	if must.Obligation != domain.ObligationMust || must.HasValidException(today) {
		t.Fatalf("entry %+v", must)
	}
	in := domain.ExceptionInput{Justification: "  Ablösung des Altsystems 2027 geplant.  ", ValidUntil: until(today, 90)}

	// Bad input changes nothing.
	for _, c := range []struct {
		in      domain.ExceptionInput
		pointer string
	}{
		{domain.ExceptionInput{Justification: " ", ValidUntil: until(today, 90)}, "/justification"},
		{domain.ExceptionInput{Justification: "Grund", ValidUntil: ""}, "/valid_until"},
		{domain.ExceptionInput{Justification: "Grund", ValidUntil: until(today, 0)}, "/valid_until"},
		{domain.ExceptionInput{Justification: "Grund", ValidUntil: until(today, -3)}, "/valid_until"},
	} {
		_, err := p.authorise(must.ID, c.in, today, postgres.Everything)
		var de *domain.Error
		if !errors.As(err, &de) || !errors.Is(err, domain.ErrInvalid) || len(de.Violations) != 1 || de.Violations[0].Pointer != c.pointer {
			t.Errorf("%+v: %v", c.in, err)
		}
	}

	// A department-limited writer of the other ministry cannot tell the
	// entry from a missing one.
	_, foreign := p.authorise(must.ID, in, today, postgres.Visibility{Departments: []int64{p.inn}})
	_, missing := p.authorise(999999, in, today, postgres.Everything)
	if !errors.Is(foreign, domain.ErrNotFound) || domain.GermanMessage(foreign) != domain.GermanMessage(missing) {
		t.Errorf("foreign entry: %v, missing entry: %v", foreign, missing)
	}

	x, err := p.authorise(must.ID, in, today, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	if x.Justification != "Ablösung des Altsystems 2027 geplant." || x.AuthorisedBy != "Dr. Erika Muster" || x.EntryID != must.ID ||
		x.ValidUntil.Format(time.DateOnly) != until(today, 90) || x.State(today) != domain.ExceptionValid || x.RequirementID != "GC.1.1" ||
		x.Obligation != domain.ObligationMust || x.ObjectShortID == "" || x.Version != 1 {
		t.Errorf("exception %+v", x)
	}
	if e := p.ppEntry(t, p.sv, "GC.1.1"); e.ExceptionID == nil || *e.ExceptionID != x.ID || !e.HasValidException(today) ||
		e.HasValidException(today.AddDate(0, 0, 91)) {
		t.Errorf("entry with its exception %+v", e)
	}
	if got, err := p.db.EntryException(ctx, must.ID, postgres.Everything); err != nil || got.ID != x.ID {
		t.Errorf("the entry's exception: %+v %v", got, err)
	}
	if _, err := p.db.EntryException(ctx, must.ID, postgres.Visibility{Departments: []int64{p.inn}}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("another ministry reads the exception: %v", err)
	}
	recs, _, err := p.db.ListAudit(ctx, domain.AuditFilter{ResourceType: "check_exception", Limit: 10})
	if err != nil || len(recs) != 1 || recs[0].Action != "exception.create" || recs[0].ActorName != "dr-erika-muster" {
		t.Errorf("audit %+v %v", recs, err)
	}

	// At most one exception that is not revoked.
	_, err = p.authorise(must.ID, in, today, postgres.Everything)
	if !errors.Is(err, domain.ErrConflict) || !strings.Contains(domain.GermanMessage(err), "gibt es schon eine Ausnahme") {
		t.Errorf("second exception: %v (%s)", err, domain.GermanMessage(err))
	}

	// Entries that no exception covers.
	kann := p.setStatus(t, p.ppEntry(t, p.sv, "GC.1.3"), domain.StatusNo)
	met := p.setStatus(t, p.ppEntry(t, p.sv, "GC.1.2"), domain.StatusYes)
	for name, id := range map[string]int64{"KANN": kann.ID, "met": met.ID} {
		if _, err := p.authorise(id, in, today, postgres.Everything); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("%s entry: %v", name, err)
		}
	}

	// Revoking needs the version read; then a new exception may follow.
	if _, err := p.revoke(x.ID, x.Version+1, today); !errors.Is(err, domain.ErrPreconditionFailed) {
		t.Errorf("stale revoke: %v", err)
	}
	r, err := p.revoke(x.ID, x.Version, today)
	if err != nil || r.State(today) != domain.ExceptionRevoked || r.RevokedBy != "Dr. Erika Muster" || r.Version != 2 {
		t.Fatalf("revoked %+v %v", r, err)
	}
	if _, err := p.revoke(x.ID, r.Version, today); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("revoking twice: %v", err)
	}
	if e := p.ppEntry(t, p.sv, "GC.1.1"); e.ExceptionID != nil || e.HasValidException(today) {
		t.Errorf("entry after the revocation %+v", e)
	}
	if got, err := p.db.EntryException(ctx, must.ID, postgres.Everything); err != nil || got.ID != x.ID || got.RevokedAt == nil {
		t.Errorf("the revoked exception is the entry's last: %+v %v", got, err)
	}
	if _, err := p.authorise(must.ID, in, today, postgres.Everything); err != nil {
		t.Errorf("a new exception after the revocation: %v", err)
	}
}

func TestExceptionRefusedInAKompendiumScope(t *testing.T) {
	t.Parallel()
	s := riskScope(t)
	today := domain.Today(time.UTC)
	e := s.setEntry(t, s.sv, "SYS.1.1.A11", domain.StatusNo)
	_, err := s.authorise(e.ID, domain.ExceptionInput{Justification: "Grund", ValidUntil: until(today, 30)}, today, postgres.Everything)
	if !errors.Is(err, domain.ErrConflict) || !strings.Contains(domain.GermanMessage(err), "nur in einem Informationsverbund nach Grundschutz++") {
		t.Errorf("exception in a Kompendium scope: %v (%s)", err, domain.GermanMessage(err))
	}
}

func TestExceptionListFilters(t *testing.T) {
	t.Parallel()
	p := newPlusPlus(t)
	today := domain.Today(time.UTC)
	var ids []int64
	for i, c := range []struct {
		object int64
		req    string
		days   int
	}{{p.sv, "GC.1.1", 10}, {p.sv, "GC.1.2", 200}, {p.innSv, "GC.1.1", 20}} {
		e := p.setStatus(t, p.ppEntry(t, c.object, c.req), domain.StatusPartial)
		x, err := p.authorise(e.ID, domain.ExceptionInput{Justification: "Grund " + string(rune('A'+i)), ValidUntil: until(today, c.days)}, today, postgres.Everything)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, x.ID)
	}
	if _, err := p.revoke(ids[1], 1, today); err != nil {
		t.Fatal(err)
	}
	list := func(f domain.ExceptionFilter, vis postgres.Visibility) []int64 {
		t.Helper()
		if f.Today.IsZero() {
			f.Today = today
		}
		xs, _, err := p.db.ListExceptions(ctx, p.scopeID, f, vis)
		if err != nil {
			t.Fatal(err)
		}
		return mapped(xs, func(x domain.Exception) int64 { return x.ID })
	}
	same := func(name string, got []int64, want ...int64) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", name, got, want)
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: %v, want %v", name, got, want)
				return
			}
		}
	}
	same("all, by end date", list(domain.ExceptionFilter{}, postgres.Everything), ids[0], ids[2], ids[1])
	same("valid", list(domain.ExceptionFilter{State: domain.ExceptionValid}, postgres.Everything), ids[0], ids[2])
	same("expiring in 15 days", list(domain.ExceptionFilter{State: domain.ExceptionExpiring, ExpiringWithin: 15}, postgres.Everything), ids[0])
	same("revoked", list(domain.ExceptionFilter{State: domain.ExceptionRevoked}, postgres.Everything), ids[1])
	same("expired in 15 days", list(domain.ExceptionFilter{State: domain.ExceptionExpired, Today: today.AddDate(0, 0, 15)}, postgres.Everything), ids[0])
	same("department", list(domain.ExceptionFilter{DepartmentID: p.inn}, postgres.Everything), ids[2])
	same("the other ministry's reader", list(domain.ExceptionFilter{}, postgres.Visibility{Departments: []int64{p.inn}}), ids[2])
	same("another ministry filtered by the TLRZ", list(domain.ExceptionFilter{DepartmentID: p.tlrz}, postgres.Visibility{Departments: []int64{p.inn}}))
	// Keyset pages.
	xs, next, err := p.db.ListExceptions(ctx, p.scopeID, domain.ExceptionFilter{Today: today, Limit: 2}, postgres.Everything)
	if err != nil || len(xs) != 2 || next != ids[2] {
		t.Fatalf("first page %d, next %d, %v", len(xs), next, err)
	}
	same("second page", list(domain.ExceptionFilter{After: next, Limit: 2}, postgres.Everything), ids[1])
}

func TestRiskAcceptanceNeverCoversAnUnmetMust(t *testing.T) {
	t.Parallel()
	p := newPlusPlus(t)
	must := p.setStatus(t, p.ppEntry(t, p.sv, "GC.1.1"), domain.StatusNo)
	should := p.setStatus(t, p.ppEntry(t, p.sv, "GC.1.2"), domain.StatusPartial)
	err := p.change(t, func(tx *postgres.Tx) error {
		if _, err := tx.SetNeeds(ctx, p.sv, 0, needs(domain.NeedHigh, domain.NeedNormal, domain.NeedNormal), postgres.Everything); err != nil {
			return err
		}
		if _, err := tx.CreateRiskAnalysis(ctx, p.sv, domain.RiskAnalysisInput{}, postgres.Everything); err != nil {
			return err
		}
		_, err := tx.AddRiskItem(ctx, p.sv, domain.RiskItemInput{Title: "Ausfall des Identitätsdienstes"}, postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	p.assessAll(t, p.sv)
	open, err := p.db.AcceptableEntries(ctx, p.sv, postgres.Everything)
	if err != nil || len(open) != 1 || open[0].EntryID != should.ID {
		t.Errorf("acceptable entries %+v %v", open, err)
	}
	_, err = p.accept(p.sv, should.ID, must.ID)
	if !errors.Is(err, domain.ErrInvalid) || !strings.Contains(domain.GermanMessage(err), "MUSS-Anforderung kann nicht über eine Risikoakzeptanz") {
		t.Fatalf("accepting a MUSS: %v (%s)", err, domain.GermanMessage(err))
	}
	acc, err := p.accept(p.sv, should.ID)
	if err != nil || len(acc.Entries) != 1 || acc.Entries[0].RequirementID != "GC.1.2" {
		t.Errorf("accepting a SOLLTE: %+v %v", acc, err)
	}
}

func TestCheckFilteredByObligation(t *testing.T) {
	t.Parallel()
	p := newPlusPlus(t)
	es, _, err := p.db.ListEntries(ctx, p.scopeID, domain.EntryFilter{Obligation: domain.ObligationMust, ObjectID: p.sv, Limit: 100}, postgres.Everything)
	if err != nil || len(es) != 1 || es[0].RequirementID != "GC.1.1" {
		t.Errorf("MUSS entries %+v %v", es, err)
	}
	counts, err := p.db.CountEntries(ctx, p.scopeID, domain.EntryFilter{Obligation: domain.ObligationShould}, postgres.Everything)
	// GC.1.2 on the scope object and on both servers.
	if err != nil || counts[domain.StatusOpen] != 3 {
		t.Errorf("SOLLTE counts %v %v", counts, err)
	}
	if es, _, _ := p.db.ListEntries(ctx, p.scope.ID, domain.EntryFilter{Obligation: domain.ObligationMust, Limit: 100}, postgres.Everything); len(es) != 0 {
		t.Errorf("a Kompendium scope has MUSS entries: %+v", es)
	}
}
