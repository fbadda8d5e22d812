package postgres_test

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

func guidelineDraft(title string) domain.GuidelineInput {
	basis, standard := day("2026-12-31"), day("2027-12-31")
	return domain.GuidelineInput{Title: title, ScopeStatement: "Landesdatennetz mit allen Standorten", Approach: domain.ApproachStandard,
		BasisBy: &basis, StandardBy: &standard, ReviewMonths: 12, EvidenceCoverage: 80, RequiredModules: []string{"ORP.4"},
		Roles: []domain.GuidelineRole{{Title: "Informationssicherheitsbeauftragte/r", Holder: "Isa Beispiel"}, {}}}
}

func (s structure) createDraft(t *testing.T, in domain.GuidelineInput) domain.Guideline {
	t.Helper()
	var g domain.Guideline
	if err := s.change(t, func(tx *postgres.Tx) error {
		var err error
		g, err = tx.CreateGuidelineDraft(ctx, s.scope.ID, in)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return g
}

// signer finds or creates the account of a person named by (its display
// name) and returns it acting.
func (s structure) signer(by string) (domain.Actor, error) {
	username := strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(by), "-"), "-")
	u, err := s.db.UserByUsername(ctx, username)
	if errors.Is(err, domain.ErrNotFound) {
		err = s.db.InTx(ctx, actor("test"), func(tx *postgres.Tx) error {
			var err error
			u, err = tx.CreateUser(ctx, postgres.NewUser{Username: username, DisplayName: by, PasswordHash: "x"})
			return err
		})
	}
	if err != nil {
		return domain.Actor{}, err
	}
	a := actor(u.Username)
	a.UserID = &u.ID
	return a, nil
}

// approve approves as the account of by, signed on on, with today a day
// after it.
func (s structure) approve(id int64, version int, by string, on time.Time) (domain.Guideline, error) {
	return signed(s, by, on, func(tx *postgres.Tx, sig domain.Signature) (domain.Guideline, error) {
		return tx.ApproveGuideline(ctx, id, version, sig, on.AddDate(0, 0, 1))
	})
}

// signed runs fn in a transaction of the account of by (see signer), with
// that account's signature on on.
func signed[T any](s structure, by string, on time.Time, fn func(*postgres.Tx, domain.Signature) (T, error)) (T, error) {
	signer, err := s.signer(by)
	if err != nil {
		var none T
		return none, err
	}
	return postgres.InTxValue(ctx, s.db, signer, func(tx *postgres.Tx) (T, error) {
		return fn(tx, domain.Signature{UserID: *signer.UserID, On: on})
	})
}

// TestGuidelineDraftApprovalSupersedes: a draft is tidied (ISMS.1 first,
// empty role rows dropped); one draft per scope; approving puts it in
// force with name, day and content hash and supersedes the version in
// force before, which the readiness engine then no longer sees.
func TestGuidelineDraftApprovalSupersedes(t *testing.T) {
	t.Parallel()
	s := newStructure(t)
	if _, err := s.db.GuidelineInForce(ctx, s.scope.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("guideline in force before any approval: %v", err)
	}
	first := s.createDraft(t, guidelineDraft("Leitlinie 2026"))
	if first.Number != 1 || first.State != domain.GuidelineDraft || !slices.Equal(first.RequiredModules, []string{"ISMS.1", "ORP.4"}) ||
		len(first.Roles) != 1 || first.CreatedBy != "test" || first.StandardBy == nil || first.ElevatedBy != nil {
		t.Fatalf("draft: %+v", first)
	}
	err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.CreateGuidelineDraft(ctx, s.scope.ID, guidelineDraft("Zweiter Entwurf"))
		return err
	})
	if !errors.Is(err, domain.ErrConflict) || !strings.Contains(domain.GermanMessage(err), "schon einen Entwurf") {
		t.Fatalf("second draft: %v", err)
	}

	v1, err := s.approve(first.ID, first.Version, "Dr. Lea Leitung", day("2026-01-15"))
	if err != nil {
		t.Fatal(err)
	}
	if v1.State != domain.GuidelineApproved || v1.ApprovedBy != "Dr. Lea Leitung" || v1.ApprovedByID == nil || !v1.ApprovedOn.Equal(day("2026-01-15")) ||
		v1.ApprovedHash != v1.Input().ContentHash() || len(v1.ApprovedHash) != 64 {
		t.Fatalf("approved: %+v", v1)
	}
	if !v1.ReviewDue().Equal(day("2027-01-15")) || v1.ReviewOverdue(day("2027-01-15")) || !v1.ReviewOverdue(day("2027-01-16")) {
		t.Errorf("review due %v", v1.ReviewDue())
	}

	// The next draft starts from the version in force and replaces it on approval.
	in := v1.Input()
	in.Approach, in.EvidenceCoverage = domain.ApproachCore, 90
	second := s.createDraft(t, in)
	if second.Number != 2 {
		t.Fatalf("second version numbered %d", second.Number)
	}
	inForce, err := s.db.GuidelineInForce(ctx, s.scope.ID)
	if err != nil || inForce.ID != v1.ID {
		t.Fatalf("in force while the second is a draft: %+v, %v", inForce, err)
	}
	if _, err := s.approve(second.ID, second.Version, "Dr. Lea Leitung", day("2026-06-01")); err != nil {
		t.Fatal(err)
	}
	inForce, err = s.db.GuidelineInForce(ctx, s.scope.ID)
	if err != nil || inForce.ID != second.ID || inForce.Approach != domain.ApproachCore || inForce.ApprovedHash == v1.ApprovedHash {
		t.Fatalf("in force after the second approval: %+v, %v", inForce, err)
	}
	all, err := s.db.ListGuidelines(ctx, s.scope.ID)
	if err != nil || len(all) != 2 || all[0].State != domain.GuidelineApproved || all[1].State != domain.GuidelineSuperseded ||
		all[1].ApprovedHash != v1.ApprovedHash || all[1].Version != v1.Version {
		t.Fatalf("versions: %+v, %v", all, err)
	}

	// Approved versions neither change nor go, not even a second approval.
	err = s.change(t, func(tx *postgres.Tx) error {
		title := "Geändert"
		_, err := tx.UpdateGuidelineDraft(ctx, second.ID, inForce.Version, domain.GuidelineChange{Title: &title})
		return err
	})
	if !errors.Is(err, domain.ErrConflict) {
		t.Errorf("changing the version in force: %v", err)
	}
	if _, err := s.approve(second.ID, inForce.Version, "Jemand", day("2026-07-01")); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("approving twice: %v", err)
	}
	if err := s.change(t, func(tx *postgres.Tx) error { return tx.DeleteGuidelineDraft(ctx, v1.ID, v1.Version) }); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("deleting a superseded version: %v", err)
	}

	records, _, err := s.db.ListAudit(ctx, domain.AuditFilter{ResourceType: "guideline", Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	actions := actionsOf(records)
	want := []string{"guideline.approve", "guideline.supersede", "guideline.create", "guideline.approve", "guideline.create"}
	if !slices.Equal(actions, want) {
		t.Errorf("audit trail %v, want %v", actions, want)
	}
}

// TestApprovedGuidelineImmutableInSQL: the database itself refuses to
// change or delete an approved or superseded version, also for the role
// the server connects as; only approved → superseded passes.
func TestApprovedGuidelineImmutableInSQL(t *testing.T) {
	t.Parallel()
	s := newStructure(t)
	g := s.createDraft(t, guidelineDraft("Leitlinie"))
	g, err := s.approve(g.ID, g.Version, "Dr. Lea Leitung", day("2026-01-15"))
	if err != nil {
		t.Fatal(err)
	}
	app := openSQL(t, s.appURL)
	for _, stmt := range []string{
		`UPDATE guidelines SET title = 'Gefälscht' WHERE id = $1`,
		`UPDATE guidelines SET evidence_coverage = 10 WHERE id = $1`,
		`UPDATE guidelines SET state = 'superseded', approved_by = 'Jemand' WHERE id = $1`,
		`UPDATE guidelines SET state = 'draft' WHERE id = $1`,
		`DELETE FROM guidelines WHERE id = $1`,
	} {
		if _, err := app.Exec(stmt, g.ID); err == nil || !strings.Contains(err.Error(), "cannot change") {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	if _, err := app.Exec(`UPDATE guidelines SET state = 'superseded' WHERE id = $1`, g.ID); err != nil {
		t.Fatalf("superseding: %v", err)
	}
	if _, err := app.Exec(`UPDATE guidelines SET state = 'approved' WHERE id = $1`, g.ID); err == nil {
		t.Error("a superseded version came back into force")
	}
	after, err := s.db.GuidelineByID(ctx, g.ID)
	if err != nil || after.Title != g.Title || after.ApprovedHash != g.ApprovedHash || after.Input().ContentHash() != g.ApprovedHash {
		t.Fatalf("after the attempts: %+v, %v", after, err)
	}
}

// TestGuidelineHash: the hash depends on the content only – not on the
// order of the modules – and changes with every content field.
func TestGuidelineHash(t *testing.T) {
	t.Parallel()
	base := guidelineDraft("Leitlinie")
	if errs := base.Validate(); len(errs) > 0 {
		t.Fatal(errs)
	}
	h := base.ContentHash()
	if base.ContentHash() != h {
		t.Fatal("hash not stable")
	}
	reordered := base
	reordered.RequiredModules = []string{"ORP.4", "ISMS.1"}
	if reordered.ContentHash() != h {
		t.Error("module order changed the hash")
	}
	later := day("2028-01-01")
	for name, change := range map[string]func(*domain.GuidelineInput){
		"title":    func(in *domain.GuidelineInput) { in.Title += "." },
		"scope":    func(in *domain.GuidelineInput) { in.ScopeStatement = "" },
		"approach": func(in *domain.GuidelineInput) { in.Approach = domain.ApproachCore },
		"basis":    func(in *domain.GuidelineInput) { in.BasisBy = nil },
		"elevated": func(in *domain.GuidelineInput) { in.ElevatedBy = &later },
		"review":   func(in *domain.GuidelineInput) { in.ReviewMonths = 24 },
		"coverage": func(in *domain.GuidelineInput) { in.EvidenceCoverage = 81 },
		"modules":  func(in *domain.GuidelineInput) { in.RequiredModules = []string{"ISMS.1"} },
		"holder":   func(in *domain.GuidelineInput) { in.Roles = []domain.GuidelineRole{{Title: in.Roles[0].Title}} },
	} {
		in := base
		in.RequiredModules, in.Roles = slices.Clone(base.RequiredModules), slices.Clone(base.Roles)
		change(&in)
		if in.ContentHash() == h {
			t.Errorf("%s: hash unchanged", name)
		}
	}
}

// TestGuidelineValidation: every violation at its pointer with a German
// message, modules checked against the scope's catalog; a stale version
// is a precondition failure.
func TestGuidelineValidation(t *testing.T) {
	t.Parallel()
	s := newStructure(t)
	bad := domain.GuidelineInput{Title: " ", Approach: "mittel", ReviewMonths: 61, EvidenceCoverage: 101,
		RequiredModules: []string{"ORP.4", "XYZ.9"}, Roles: []domain.GuidelineRole{{Holder: "Ohne Rolle"}}}
	err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.CreateGuidelineDraft(ctx, s.scope.ID, bad)
		return err
	})
	want := []string{"/title", "/approach", "/review_months", "/evidence_coverage", "/roles/0/title", "/required_modules/2"}
	if !errors.Is(err, domain.ErrInvalid) || !slices.Equal(pointers(err), want) {
		t.Fatalf("pointers %v (%v), want %v", pointers(err), err, want)
	}
	var de *domain.Error
	errors.As(err, &de)
	for _, v := range de.Violations {
		if v.German == "" {
			t.Errorf("%s without a German message", v.Pointer)
		}
	}
	if g := de.Violations[len(de.Violations)-1].German; !strings.Contains(g, "XYZ.9") {
		t.Errorf("unknown module message %q", g)
	}

	g := s.createDraft(t, guidelineDraft("Leitlinie"))
	months := 0
	err = s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.UpdateGuidelineDraft(ctx, g.ID, g.Version, domain.GuidelineChange{ReviewMonths: &months})
		return err
	})
	if !slices.Equal(pointers(err), []string{"/review_months"}) {
		t.Errorf("review 0 months: %v", err)
	}
	title := "Leitlinie zur Informationssicherheit"
	var cleared *time.Time
	var updated domain.Guideline
	if err := s.change(t, func(tx *postgres.Tx) error {
		var err error
		updated, err = tx.UpdateGuidelineDraft(ctx, g.ID, g.Version, domain.GuidelineChange{Title: &title, StandardBy: &cleared})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if updated.Title != title || updated.StandardBy != nil || updated.BasisBy == nil || updated.Version != g.Version+1 {
		t.Fatalf("updated: %+v", updated)
	}
	err = s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.UpdateGuidelineDraft(ctx, g.ID, g.Version, domain.GuidelineChange{Title: &title})
		return err
	})
	if !errors.Is(err, domain.ErrPreconditionFailed) {
		t.Errorf("stale update: %v", err)
	}
	if _, err := s.approve(g.ID, g.Version, "Dr. Lea Leitung", day("2026-01-15")); !errors.Is(err, domain.ErrPreconditionFailed) {
		t.Errorf("stale approval: %v", err)
	}
	if _, err := s.approve(updated.ID, updated.Version, "Dr. Lea Leitung", time.Time{}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("approval without a day: %v", err)
	}
	if err := s.change(t, func(tx *postgres.Tx) error { return tx.DeleteGuidelineDraft(ctx, updated.ID, updated.Version) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.GuidelineByID(ctx, g.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("deleted draft: %v", err)
	}
}

// TestGuidelineConcurrentDrafts: of drafts started at once, one wins.
func TestGuidelineConcurrentDrafts(t *testing.T) {
	t.Parallel()
	s := newStructure(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.change(t, func(tx *postgres.Tx) error {
				_, err := tx.CreateGuidelineDraft(ctx, s.scope.ID, guidelineDraft("Leitlinie"))
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	created := 0
	for err := range errs {
		switch {
		case err == nil:
			created++
		case !errors.Is(err, domain.ErrConflict):
			t.Errorf("concurrent draft: %v", err)
		}
	}
	if created != 1 {
		t.Errorf("%d drafts created", created)
	}
}

// TestPolicies: a policy links an evidence item of its own scope, is due
// for review its cycle after approval, and stays listed once withdrawn.
func TestPolicies(t *testing.T) {
	t.Parallel()
	e := newEvidenceEnv(t)
	ev := e.upload(t, e.isb, "Richtlinie Passwörter", nil, postgres.Everything)
	in := domain.PolicyInput{Title: " Passwortrichtlinie ", EvidenceID: ev.ID, VersionLabel: "2.1", ApprovedBy: "Dr. Lea Leitung",
		ApprovedOn: day("2025-03-31"), ReviewMonths: 12}
	var p domain.Policy
	if err := e.db.InTx(ctx, e.isb, func(tx *postgres.Tx) error {
		var err error
		p, err = tx.CreatePolicy(ctx, e.scope.ID, in, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if p.Title != "Passwortrichtlinie" || p.EvidenceTitle != "Richtlinie Passwörter" || p.State != domain.PolicyInForce ||
		!p.NextReview().Equal(day("2026-03-31")) || p.ReviewOverdue(day("2026-03-31")) || !p.ReviewOverdue(day("2026-04-01")) {
		t.Fatalf("policy: %+v, next review %v", p, p.NextReview())
	}

	// An evidence item of another scope is refused.
	var other domain.Scope
	if err := e.change(t, func(tx *postgres.Tx) error {
		var err error
		other, err = tx.CreateScope(ctx, domain.ScopeInput{Name: "Anderer Verbund", CatalogID: e.scope.CatalogID, Approach: domain.ApproachBasic})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	err := e.db.InTx(ctx, e.isb, func(tx *postgres.Tx) error {
		_, err := tx.CreatePolicy(ctx, other.ID, in, postgres.Everything)
		return err
	})
	if !errors.Is(err, domain.ErrNotFound) || !slices.Equal(pointers(err), []string{"/evidence_id"}) ||
		!strings.Contains(domain.GermanMessage(err), "gibt es in diesem Informationsverbund nicht") {
		t.Fatalf("evidence of another scope: %v", err)
	}

	label := "2.2"
	err = e.db.InTx(ctx, e.isb, func(tx *postgres.Tx) error {
		_, err := tx.UpdatePolicy(ctx, p.ID, p.Version+1, domain.PolicyChange{VersionLabel: &label}, postgres.Everything)
		return err
	})
	if !errors.Is(err, domain.ErrPreconditionFailed) {
		t.Errorf("stale policy update: %v", err)
	}
	if err := e.db.InTx(ctx, e.isb, func(tx *postgres.Tx) error {
		var err error
		if p, err = tx.UpdatePolicy(ctx, p.ID, p.Version, domain.PolicyChange{VersionLabel: &label}, postgres.Everything); err != nil {
			return err
		}
		p, err = tx.WithdrawPolicy(ctx, p.ID, p.Version)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if p.VersionLabel != "2.2" || p.State != domain.PolicyWithdrawn || p.WithdrawnBy != "isa" || p.ReviewOverdue(day("2030-01-01")) {
		t.Fatalf("withdrawn: %+v", p)
	}
	inForce, err := e.db.ListPolicies(ctx, e.scope.ID, false)
	if err != nil || len(inForce) != 0 {
		t.Fatalf("in force: %+v, %v", inForce, err)
	}
	all, err := e.db.ListPolicies(ctx, e.scope.ID, true)
	if err != nil || len(all) != 1 {
		t.Fatalf("all: %+v, %v", all, err)
	}
	err = e.db.InTx(ctx, e.isb, func(tx *postgres.Tx) error {
		_, err := tx.WithdrawPolicy(ctx, p.ID, p.Version)
		return err
	})
	if !errors.Is(err, domain.ErrConflict) {
		t.Errorf("withdrawing twice: %v", err)
	}
}

// TestCertificates: three years unless entered otherwise, the latest by
// issue date is the scope's certificate, numbers unique per scope.
func TestCertificates(t *testing.T) {
	t.Parallel()
	s := newStructure(t)
	if _, err := s.db.CertificateOf(ctx, s.scope.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("certificate before any: %v", err)
	}
	create := func(number, issued string) (domain.Certificate, error) {
		var c domain.Certificate
		err := s.change(t, func(tx *postgres.Tx) error {
			var err error
			c, err = tx.CreateCertificate(ctx, s.scope.ID, domain.CertificateInput{Number: number, IssuedOn: day(issued)})
			return err
		})
		return c, err
	}
	old, err := create("BSI-IGZ-0100-2023", "2023-05-01")
	if err != nil {
		t.Fatal(err)
	}
	if !old.ValidUntil.Equal(day("2026-05-01")) || !old.Expired(day("2026-05-02")) || old.Expired(day("2026-05-01")) {
		t.Fatalf("certificate: %+v", old)
	}
	current, err := create("BSI-IGZ-0200-2026", "2026-04-20")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := create(" BSI-IGZ-0200-2026 ", "2026-04-21"); !slices.Equal(pointers(err), []string{"/number"}) {
		t.Errorf("same number twice: %v", err)
	}
	got, err := s.db.CertificateOf(ctx, s.scope.ID)
	if err != nil || got.ID != current.ID {
		t.Fatalf("certificate of the scope: %+v, %v", got, err)
	}

	until := day("2026-04-01")
	err = s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.UpdateCertificate(ctx, current.ID, current.Version, domain.CertificateChange{ValidUntil: &until})
		return err
	})
	if !slices.Equal(pointers(err), []string{"/valid_until"}) {
		t.Errorf("valid until before issue: %v", err)
	}
	until = day("2029-03-31")
	if err := s.change(t, func(tx *postgres.Tx) error {
		var err error
		current, err = tx.UpdateCertificate(ctx, current.ID, current.Version, domain.CertificateChange{ValidUntil: &until})
		return err
	}); err != nil || !current.ValidUntil.Equal(until) {
		t.Fatalf("update: %+v, %v", current, err)
	}
	if err := s.change(t, func(tx *postgres.Tx) error { return tx.DeleteCertificate(ctx, current.ID, current.Version-1) }); !errors.Is(err, domain.ErrPreconditionFailed) {
		t.Errorf("stale delete: %v", err)
	}
	if err := s.change(t, func(tx *postgres.Tx) error { return tx.DeleteCertificate(ctx, current.ID, current.Version) }); err != nil {
		t.Fatal(err)
	}
	if got, err := s.db.CertificateOf(ctx, s.scope.ID); err != nil || got.ID != old.ID {
		t.Fatalf("after delete: %+v, %v", got, err)
	}
}
