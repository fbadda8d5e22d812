package postgres_test

import (
	"errors"
	"strings"
	"testing"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// TestOverrideDirection: a cumulation may only raise, a distribution only
// lower the need the maximum principle gives the object; the wrong
// direction is refused with the objective's pointer and nothing changes.
// Hand-computed: the process has availability "high"; the application
// depends on nothing but inherits "high" from the process, and its own
// assessment is "normal".
func TestOverrideDirection(t *testing.T) {
	t.Parallel()
	s := newStructure(t)
	err := s.change(t, func(tx *postgres.Tx) error {
		if _, err := tx.SetNeeds(ctx, s.process, 0, needs(domain.NeedNormal, domain.NeedNormal, domain.NeedHigh), postgres.Everything); err != nil {
			return err
		}
		return tx.AddDependency(ctx, s.process, s.app, postgres.Everything)
	})
	if err != nil {
		t.Fatal(err)
	}
	set := func(kind domain.OverrideKind, value domain.Need) error {
		in := needs(domain.NeedNormal, domain.NeedNormal, domain.NeedNormal)
		in[domain.Availability] = domain.NeedInput{Own: domain.NeedNormal, OverrideKind: kind, Override: value,
			OverrideReason: "Begründung der Abweichung"}
		return s.change(t, func(tx *postgres.Tx) error {
			_, err := tx.SetNeeds(ctx, s.app, 0, in, postgres.Everything)
			return err
		})
	}
	refused := func(err error, german string) {
		t.Helper()
		var de *domain.Error
		if !errors.As(err, &de) || !errors.Is(err, domain.ErrInvalid) || len(de.Violations) != 1 ||
			de.Violations[0].Pointer != "/a/override" || !strings.Contains(de.Violations[0].German, german) {
			t.Errorf("got %v, want one violation at /a/override saying %q", err, german)
		}
		app, _ := s.db.ObjectByID(ctx, s.app, postgres.Everything)
		if n := app.Needs[domain.Availability]; n.OverrideKind != domain.OverrideNone || n.Effective != domain.NeedHigh {
			t.Errorf("a refused override was stored: %+v", n)
		}
	}
	refused(set(domain.OverrideCumulation, domain.NeedNormal), "Ein Kumulationseffekt darf den Schutzbedarf nur erhöhen; nach dem Maximumprinzip ist er „hoch“.")
	refused(set(domain.OverrideCumulation, domain.NeedHigh), "nur erhöhen")
	refused(set(domain.OverrideDistribution, domain.NeedVeryHigh), "Ein Verteilungseffekt darf den Schutzbedarf nur senken; nach dem Maximumprinzip ist er „hoch“.")
	refused(set(domain.OverrideDistribution, domain.NeedHigh), "nur senken")

	for _, ok := range []struct {
		kind  domain.OverrideKind
		value domain.Need
	}{
		{domain.OverrideCumulation, domain.NeedVeryHigh},
		{domain.OverrideDistribution, domain.NeedNormal},
		{domain.OverrideManual, domain.NeedNormal},
		{domain.OverrideManual, domain.NeedVeryHigh},
	} {
		if err := set(ok.kind, ok.value); err != nil {
			t.Errorf("%s to %s: %v", ok.kind, ok.value.Code(), err)
			continue
		}
		app, _ := s.db.ObjectByID(ctx, s.app, postgres.Everything)
		n := app.Needs[domain.Availability]
		if en, de := n.OverrideNote(); n.Effective != ok.value || en != "" || de != "" {
			t.Errorf("%s to %s: effective %s, note %q", ok.kind, ok.value.Code(), n.Effective.Code(), en)
		}
	}

	// A later change can leave a stored override pointing the wrong way:
	// the distribution to "normal" no longer lowers once the process needs
	// only "normal" itself. It stays, with a note.
	if err := set(domain.OverrideDistribution, domain.NeedNormal); err != nil {
		t.Fatal(err)
	}
	if err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.SetNeeds(ctx, s.process, 0, needs(domain.NeedNormal, domain.NeedNormal, domain.NeedNormal), postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	app, _ := s.db.ObjectByID(ctx, s.app, postgres.Everything)
	if _, de := app.Needs[domain.Availability].OverrideNote(); !strings.Contains(de, "Der Verteilungseffekt senkt den Schutzbedarf nicht mehr") {
		t.Errorf("stale distribution: note %q", de)
	}
}

// TestDistributionOnCycle: the members of a dependency cycle share the
// highest need among them, so a distribution on a member whose partner
// needs more has no effect. It is accepted (the cycle is G3's to resolve)
// and the object says so. Hand-computed: process (availability high) and
// application (normal) depend on each other; the cycle needs "high".
func TestDistributionOnCycle(t *testing.T) {
	t.Parallel()
	s := newStructure(t)
	err := s.change(t, func(tx *postgres.Tx) error {
		if _, err := tx.SetNeeds(ctx, s.process, 0, needs(domain.NeedNormal, domain.NeedNormal, domain.NeedHigh), postgres.Everything); err != nil {
			return err
		}
		if _, err := tx.SetNeeds(ctx, s.app, 0, needs(domain.NeedNormal, domain.NeedNormal, domain.NeedHigh), postgres.Everything); err != nil {
			return err
		}
		if err := tx.AddDependency(ctx, s.process, s.app, postgres.Everything); err != nil {
			return err
		}
		return tx.AddDependency(ctx, s.app, s.process, postgres.Everything)
	})
	if err != nil {
		t.Fatal(err)
	}
	in := needs(domain.NeedNormal, domain.NeedNormal, domain.NeedHigh)
	in[domain.Availability] = domain.NeedInput{Own: domain.NeedHigh, OverrideKind: domain.OverrideDistribution, Override: domain.NeedNormal,
		OverrideReason: "Nur ein kleiner Teil läuft hier."}
	if err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.SetNeeds(ctx, s.app, 0, in, postgres.Everything)
		return err
	}); err != nil {
		t.Fatalf("distribution on a cycle member: %v", err)
	}
	app, _ := s.db.ObjectByID(ctx, s.app, postgres.Everything)
	n := app.Needs[domain.Availability]
	en, de := n.OverrideNote()
	if n.Cycle == 0 || n.Effective != domain.NeedHigh || !strings.Contains(en, "dependency cycle") ||
		!strings.Contains(de, "Das Zielobjekt liegt auf einem Abhängigkeitszyklus") || !strings.Contains(de, "senkt es daher nicht auf „normal“") {
		t.Errorf("cycle member after a distribution: %+v, note %q / %q", n, en, de)
	}
	// The same on the member that alone sets the cycle's value does take
	// effect: both then need "normal", and nothing is noted.
	in[domain.Availability].Own = domain.NeedNormal
	if err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.SetNeeds(ctx, s.app, 0, in, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	proc, _ := s.db.ObjectByID(ctx, s.process, postgres.Everything)
	in2 := needs(domain.NeedNormal, domain.NeedNormal, domain.NeedHigh)
	in2[domain.Availability].OverrideKind, in2[domain.Availability].Override = domain.OverrideDistribution, domain.NeedNormal
	in2[domain.Availability].OverrideReason = "Nur ein kleiner Teil läuft hier."
	if err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.SetNeeds(ctx, s.process, proc.Version, in2, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	proc, _ = s.db.ObjectByID(ctx, s.process, postgres.Everything)
	if n := proc.Needs[domain.Availability]; n.Effective != domain.NeedNormal {
		t.Errorf("distribution on the member that set the cycle's value: %+v", n)
	}
	for _, id := range []int64{s.process, s.app} {
		o, _ := s.db.ObjectByID(ctx, id, postgres.Everything)
		if en, _ := o.Needs[domain.Availability].OverrideNote(); en != "" {
			t.Errorf("object %d: note %q though the overrides take effect", id, en)
		}
	}
}
