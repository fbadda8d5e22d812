package postgres_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// TestApprovalsAreSignedByTheActingAccount: an approval is signed by the
// transaction's own account, which the store names as it is called then;
// a day after the organisation's today is refused, and so is a signature
// on another's behalf.
func TestApprovalsAreSignedByTheActingAccount(t *testing.T) {
	t.Parallel()
	s := newStructure(t)
	lea, err := s.signer("Dr. Lea Leitung")
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.signer("Jemand Anderes")
	if err != nil {
		t.Fatal(err)
	}
	today := day("2026-06-15")
	g := s.createDraft(t, guidelineDraft("Leitlinie"))
	approve := func(as domain.Actor, sig domain.Signature) (domain.Guideline, error) {
		out, err := postgres.InTxValue(ctx, s.db, as, func(tx *postgres.Tx) (domain.Guideline, error) {
			return tx.ApproveGuideline(ctx, g.ID, g.Version, sig, today)
		})
		return out, err
	}
	if _, err := approve(lea, domain.Signature{UserID: *lea.UserID, On: today.AddDate(0, 0, 1)}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("signed tomorrow: %v", err)
	}
	if _, err := approve(lea, domain.Signature{UserID: *other.UserID, On: today}); err == nil {
		t.Error("signed on another's behalf")
	}
	approved, err := approve(lea, domain.Signature{UserID: *lea.UserID, On: today})
	if err != nil {
		t.Fatal(err)
	}
	if approved.ApprovedBy != "Dr. Lea Leitung" || approved.ApprovedByID == nil || *approved.ApprovedByID != *lea.UserID {
		t.Errorf("approved by %q (%v)", approved.ApprovedBy, approved.ApprovedByID)
	}
	// The name is a snapshot: a later rename leaves the approval as it was.
	u, _ := s.db.UserByID(ctx, *lea.UserID)
	renamed := "Dr. Lea Neuname"
	if err := s.db.InTx(ctx, actor("admin"), func(tx *postgres.Tx) error {
		_, err := tx.UpdateUser(ctx, u.ID, u.Version, domain.UserChange{DisplayName: &renamed})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if g, err := s.db.GuidelineInForce(ctx, s.scope.ID); err != nil || g.ApprovedBy != "Dr. Lea Leitung" {
		t.Errorf("after the rename: %q %v", g.ApprovedBy, err)
	}
}

// TestNoApprovalInTheFutureInSQL: the database itself refuses a guideline
// approved, or a risk acceptance dated, later than today anywhere on
// earth, and a draft approved without the approving account.
func TestNoApprovalInTheFutureInSQL(t *testing.T) {
	t.Parallel()
	s := riskScope(t)
	s.createAnalysis(t, s.sv)
	g := s.createDraft(t, guidelineDraft("Leitlinie"))
	lea, err := s.signer("Dr. Lea Leitung")
	if err != nil {
		t.Fatal(err)
	}
	app := openSQL(t, s.appURL)
	hash := strings.Repeat("ab", 32)
	for _, c := range []struct {
		name, stmt string
		args       []any
	}{
		{"approval in two days", `UPDATE guidelines SET state = 'approved', approved_by = 'X', approved_by_id = $2, approved_on = current_date + 2,
			approved_hash = $3 WHERE id = $1`, []any{g.ID, *lea.UserID, hash}},
		{"approval without account", `UPDATE guidelines SET state = 'approved', approved_by = 'X', approved_on = current_date,
			approved_hash = $2 WHERE id = $1`, []any{g.ID, hash}},
		{"acceptance in two days", `INSERT INTO risk_acceptances (analysis_id, accepted_by, accepted_on, user_id, snapshot, snapshot_hash)
			SELECT id, 'X', current_date + 2, $1, '{}', 'x' FROM risk_analyses LIMIT 1`, []any{*lea.UserID}},
	} {
		if _, err := app.Exec(c.stmt, c.args...); err == nil || !strings.Contains(err.Error(), "23514") && !strings.Contains(err.Error(), "future") &&
			!strings.Contains(err.Error(), "account") {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := app.Exec(`UPDATE guidelines SET state = 'approved', approved_by = 'X', approved_by_id = $2, approved_on = current_date,
		approved_hash = $3 WHERE id = $1`, g.ID, *lea.UserID, hash); err != nil {
		t.Errorf("a signed approval of today: %v", err)
	}
}

// TestRiskAcceptanceOnTheOrganisationsDay: the acceptance's day is judged
// by the organisation's today, not the machine's clock: in a time zone
// ahead of the machine, today there may be the machine's tomorrow.
func TestRiskAcceptanceOnTheOrganisationsDay(t *testing.T) {
	t.Parallel()
	s := riskScope(t)
	s.createAnalysis(t, s.sv)
	s.assessAll(t, s.sv)
	lea, err := s.signer("Dr. Lea Leitung")
	if err != nil {
		t.Fatal(err)
	}
	orgToday := domain.Today(time.FixedZone("UTC+14", 14*3600))
	accept := func(on, today time.Time) (domain.RiskAcceptance, error) {
		acc, err := postgres.InTxValue(ctx, s.db, lea, func(tx *postgres.Tx) (domain.RiskAcceptance, error) {
			return tx.Accept(ctx, s.sv, 0, domain.AcceptInput{Signature: domain.Signature{UserID: *lea.UserID, On: on}, Today: today},
				postgres.Everything)
		})
		return acc, err
	}
	if _, err := accept(orgToday.AddDate(0, 0, 1), orgToday); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("accepted on the organisation's tomorrow: %v", err)
	}
	acc, err := accept(orgToday, orgToday)
	if err != nil {
		t.Fatal(err)
	}
	if !acc.AcceptedOn.Equal(orgToday) || acc.AcceptedBy != "Dr. Lea Leitung" || acc.UserID == nil || *acc.UserID != *lea.UserID {
		t.Errorf("acceptance %s by %q (%v)", acc.AcceptedOn, acc.AcceptedBy, acc.UserID)
	}
}

// TestAcceptanceThatCannotBeReadIsAnError: when the acceptance just
// stored cannot be read back, Accept says so (ErrNotFound) rather than
// returning an empty acceptance.
func TestAcceptanceThatCannotBeReadIsAnError(t *testing.T) {
	t.Parallel()
	s := riskScope(t)
	s.createAnalysis(t, s.sv)
	s.assessAll(t, s.sv)
	owner := openSQL(t, s.ownerURL)
	// A rule that makes every stored acceptance vanish at once.
	if _, err := owner.Exec(`
		CREATE FUNCTION vanish() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN DELETE FROM risk_acceptances WHERE id = NEW.id; RETURN NULL; END $$;
		CREATE TRIGGER vanish AFTER INSERT ON risk_acceptances FOR EACH ROW EXECUTE FUNCTION vanish()`); err != nil {
		t.Fatal(err)
	}
	lea, err := s.signer("Dr. Lea Leitung")
	if err != nil {
		t.Fatal(err)
	}
	today := domain.Today(time.UTC)
	acc, err := postgres.InTxValue(ctx, s.db, lea, func(tx *postgres.Tx) (domain.RiskAcceptance, error) {
		return tx.Accept(ctx, s.sv, 0, domain.AcceptInput{Signature: domain.Signature{UserID: *lea.UserID, On: today}, Today: today},
			postgres.Everything)
	})
	if !errors.Is(err, domain.ErrNotFound) || acc.ID != 0 {
		t.Errorf("Accept = %+v, %v; want ErrNotFound", acc, err)
	}
}
