package postgres_test

import (
	"errors"
	"strings"
	"testing"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// TestStaleChangesAreRefusedAlike: a change made on a version that is no
// longer current is refused in one way for every kind of record: 412
// (ErrPreconditionFailed), in English naming the record and both
// versions, in German naming the record as the subject of one sentence.
func TestStaleChangesAreRefusedAlike(t *testing.T) {
	s := riskScope(t)
	analysis := s.createAnalysis(t, s.sv)
	if len(analysis.Items) == 0 {
		t.Fatal("the analysis has no threats")
	}
	threat := analysis.Items[0]
	audit := s.createAudit(t, "Überwachungsaudit")
	finding, err := s.finding(t, audit.ID, domain.FindingInput{Class: domain.FindingRecommendation, Title: "Protokollierung"})
	if err != nil {
		t.Fatal(err)
	}
	draft := s.createDraft(t, guidelineDraft("Leitlinie"))
	entries, _, err := s.db.ListEntries(ctx, s.scope.ID, domain.EntryFilter{ObjectID: s.sv, Limit: 1}, postgres.Everything)
	if err != nil || len(entries) == 0 {
		t.Fatalf("entries: %v, %v", entries, err)
	}
	entry := s.setEntry(t, s.sv, entries[0].RequirementID, domain.StatusPartial)
	plan, _, err := s.db.ListPlanItems(ctx, s.scope.ID, domain.PlanFilter{Limit: 1}, postgres.Everything)
	if err != nil || len(plan) == 0 {
		t.Fatalf("plan: %v, %v", plan, err)
	}
	kim := createUser(t, s.db, "kim")
	isb := actor("isa")
	isb.UserID = &kim.ID
	var sample domain.SampleItem
	var evidence domain.Evidence
	var policy domain.Policy
	var cert domain.Certificate
	if err := s.db.InTx(ctx, isb, func(tx *postgres.Tx) error {
		var err error
		if sample, err = tx.AddSampleItem(ctx, audit.ID, domain.SampleInput{Type: domain.SampleObject, ObjectID: s.sv}, postgres.Everything); err != nil {
			return err
		}
		if evidence, err = tx.CreateEvidence(ctx, s.scope.ID, domain.EvidenceInput{Title: "Passwortrichtlinie"},
			domain.VersionInput{EffectiveOn: day("2026-01-01"), Reference: "DOK-1"}, nil, postgres.Everything); err != nil {
			return err
		}
		if policy, err = tx.CreatePolicy(ctx, s.scope.ID, domain.PolicyInput{Title: "Passwortrichtlinie", EvidenceID: evidence.ID, VersionLabel: "1.0",
			ApprovedBy: "Dr. Lea Leitung", ApprovedOn: day("2026-01-01"), ReviewMonths: 12}, postgres.Everything); err != nil {
			return err
		}
		cert, err = tx.CreateCertificate(ctx, s.scope.ID, domain.CertificateInput{Number: "BSI-IGZ-0100-2026", IssuedOn: day("2026-01-01")})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	matrix, err := s.db.RiskMatrix(ctx, s.scope.ID)
	if err != nil {
		t.Fatal(err)
	}

	const seen = 99 // a version none of them is at
	measures := "Härtung nach Herstellervorgabe"
	for _, c := range []struct {
		german string // the record, as the subject of the sentence
		change func(tx *postgres.Tx) error
	}{
		{"Das Audit", func(tx *postgres.Tx) error {
			_, err := tx.UpdateAudit(ctx, audit.ID, seen, domain.AuditChange{})
			return err
		}},
		{"Das Element der Stichprobe", func(tx *postgres.Tx) error {
			_, err := tx.RecordSampleResult(ctx, sample.ID, seen, domain.SampleResultChange{Result: new(domain.ResultConforming)})
			return err
		}},
		{"Die Feststellung", func(tx *postgres.Tx) error {
			_, err := tx.UpdateFinding(ctx, finding.ID, seen, domain.FindingChange{}, postgres.Everything)
			return err
		}},
		{"Das Konto", func(tx *postgres.Tx) error {
			_, err := tx.UpdateUser(ctx, kim.ID, seen, domain.UserChange{})
			return err
		}},
		{"Der Nachweis", func(tx *postgres.Tx) error {
			_, err := tx.UpdateEvidence(ctx, evidence.ID, seen, domain.EvidenceChange{}, postgres.Everything)
			return err
		}},
		{"Die Risikomatrix", func(tx *postgres.Tx) error {
			_, err := tx.SetRiskMatrix(ctx, s.scope.ID, seen, matrix.Matrix, postgres.Everything)
			return err
		}},
		{"Die Risikoanalyse", func(tx *postgres.Tx) error {
			_, err := tx.UpdateRiskAnalysis(ctx, s.sv, seen, domain.RiskAnalysisChange{Summary: new("Zusammenfassung")}, postgres.Everything)
			return err
		}},
		{"Die Gefährdung „" + threat.Name() + "“", func(tx *postgres.Tx) error {
			_, err := tx.UpdateRiskItem(ctx, threat.ID, seen, domain.RiskItemChange{Measures: &measures}, postgres.Everything)
			return err
		}},
		{"Die Gefährdung „" + threat.Name() + "“", func(tx *postgres.Tx) error {
			return tx.DeleteRiskItem(ctx, threat.ID, seen, postgres.Everything)
		}},
		{"Die Organisationseinheit", func(tx *postgres.Tx) error {
			_, err := tx.UpdateDepartment(ctx, s.fin, seen, domain.DepartmentChange{Code: ptr("TFM")})
			return err
		}},
		{"Der Informationsverbund", func(tx *postgres.Tx) error {
			_, err := tx.UpdateScope(ctx, s.scope.ID, seen, domain.ScopeChange{})
			return err
		}},
		{"Das Zielobjekt", func(tx *postgres.Tx) error {
			_, err := tx.UpdateObject(ctx, s.sv, seen, domain.ObjectChange{Name: ptr("Managementserver")},
				postgres.Everything)
			return err
		}},
		{"Der Entwurf", func(tx *postgres.Tx) error {
			_, err := tx.UpdateGuidelineDraft(ctx, draft.ID, seen, domain.GuidelineChange{})
			return err
		}},
		{"Die Richtlinie", func(tx *postgres.Tx) error {
			_, err := tx.UpdatePolicy(ctx, policy.ID, seen, domain.PolicyChange{}, postgres.Everything)
			return err
		}},
		{"Das Zertifikat", func(tx *postgres.Tx) error {
			_, err := tx.UpdateCertificate(ctx, cert.ID, seen, domain.CertificateChange{})
			return err
		}},
		{"Die Maßnahme", func(tx *postgres.Tx) error {
			_, err := tx.UpdatePlanItem(ctx, plan[0].ID, seen, domain.PlanChange{}, postgres.Everything)
			return err
		}},
		{"Der Eintrag", func(tx *postgres.Tx) error {
			st := domain.StatusYes
			_, errs, err := tx.UpdateEntries(ctx, 0, []postgres.EntryUpdate{{ID: entry.ID, Version: seen, Change: domain.EntryChange{Status: &st}}},
				postgres.Everything, "test")
			if err != nil || len(errs) != 1 {
				return errors.Join(err, errors.New("not one item refused"))
			}
			// A bulk refuses item by item, with the same words.
			return &domain.Error{Kind: errs[0].Kind, Message: errs[0].Detail, German: errs[0].German}
		}},
	} {
		err := s.change(t, c.change)
		if !errors.Is(err, domain.ErrPreconditionFailed) {
			t.Errorf("%s: %v, want a stale refusal", c.german, err)
			continue
		}
		want := c.german + " wurde inzwischen geändert. Bitte laden Sie die Seite neu."
		if c.german == "Der Eintrag" {
			want = "Der Eintrag wurde inzwischen geändert." // the page of a bulk shows what to do
		}
		if got := domain.GermanMessage(err); got != want {
			t.Errorf("German: %q, want %q", got, want)
		}
		if msg := err.Error(); !strings.Contains(msg, " was changed by someone else (version ") || !strings.HasSuffix(msg, ", not 99)") {
			t.Errorf("%s: English %q", c.german, msg)
		}
	}
}
