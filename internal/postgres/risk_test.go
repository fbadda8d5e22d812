package postgres_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// riskScope is the structure with the management server modelled as
// SYS.1.1 and rated high in confidentiality, so it needs a risk analysis.
func riskScope(t *testing.T) structure {
	t.Helper()
	s := newStructure(t)
	s.assign(t, s.sv, "SYS.1.1")
	err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.SetNeeds(ctx, s.sv, 0, needs(domain.NeedHigh, domain.NeedNormal, domain.NeedNormal), postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s structure) analysis(t *testing.T, objectID int64) domain.RiskAnalysis {
	t.Helper()
	a, err := s.db.RiskAnalysisOf(ctx, objectID, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (s structure) createAnalysis(t *testing.T, objectID int64) domain.RiskAnalysis {
	t.Helper()
	var a domain.RiskAnalysis
	if err := s.change(t, func(tx *postgres.Tx) error {
		var err error
		a, err = tx.CreateRiskAnalysis(ctx, objectID, domain.RiskAnalysisInput{}, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return a
}

// entry returns the object's check entry of a requirement.
func (s structure) entry(t *testing.T, objectID int64, requirement string) domain.CheckEntry {
	t.Helper()
	return entryOf(t, s.db, s.scope.ID, objectID, requirement)
}

// entryOf returns an object's check entry of a requirement, retired or
// not; the zero entry if the object has none.
func entryOf(t testing.TB, db *postgres.DB, scopeID, objectID int64, requirement string) domain.CheckEntry {
	t.Helper()
	es, _, err := db.ListEntries(ctx, scopeID, domain.EntryFilter{ObjectID: objectID, IncludeRetired: true, Limit: 1000}, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.RequirementID == requirement {
			return e
		}
	}
	return domain.CheckEntry{}
}

// setEntry records a status with a justification on a check entry.
func (s structure) setEntry(t *testing.T, objectID int64, requirement string, status domain.Status) domain.CheckEntry {
	t.Helper()
	e := s.entry(t, objectID, requirement)
	just := "Umsetzung läuft, Mittel für 2027 beantragt."
	var out []domain.CheckEntry
	err := s.change(t, func(tx *postgres.Tx) error {
		var errs []postgres.ItemError
		var err error
		out, errs, err = tx.UpdateEntries(ctx, 0, []postgres.EntryUpdate{{ID: e.ID, Version: e.Version,
			Change: domain.EntryChange{Status: &status, Justification: &just}}}, postgres.Everything, "test")
		if len(errs) > 0 {
			t.Fatalf("update entry %s: %+v", requirement, errs)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

// assessAll gives every threat of the analysis a complete assessment and
// treatment (accepted as it is).
func (s structure) assessAll(t *testing.T, objectID int64) {
	t.Helper()
	a := s.analysis(t, objectID)
	f, i, tr := domain.FrequencyMedium, domain.ImpactLimited, domain.TreatmentAccept
	var ups []postgres.RiskItemUpdate
	for _, it := range a.Items {
		ups = append(ups, postgres.RiskItemUpdate{ID: it.ID, Version: it.Version, Change: domain.RiskItemChange{
			Frequency: &f, Impact: &i, Treatment: &tr, ResidualFrequency: &f, ResidualImpact: &i}})
	}
	if err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.UpdateRiskItems(ctx, objectID, ups, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func (s structure) accept(objectID int64, entries ...int64) (domain.RiskAcceptance, error) {
	a, err := s.db.RiskAnalysisOf(ctx, objectID, postgres.Everything)
	if err != nil {
		return domain.RiskAcceptance{}, err
	}
	today := domain.Today(time.UTC)
	return signed(s, "Dr. Erika Muster", today, func(tx *postgres.Tx, sig domain.Signature) (domain.RiskAcceptance, error) {
		return tx.Accept(ctx, objectID, a.Version, domain.AcceptInput{Signature: sig, Today: today, EntryIDs: entries}, postgres.Everything)
	})
}

func (s structure) overviewRow(t *testing.T, objectID int64) postgres.RiskOverviewRow {
	t.Helper()
	rows, err := s.db.RiskOverview(ctx, s.scope.ID, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.ObjectID == objectID {
			return r
		}
	}
	t.Fatalf("object %d is not in the risk overview", objectID)
	return postgres.RiskOverviewRow{}
}

func TestRiskAnalysisIsPrefilledFromTheModulesThreats(t *testing.T) {
	t.Parallel()
	s := riskScope(t)
	// Only objects that need one (rule 4) are listed, and only they get one.
	rows, err := s.db.RiskOverview(ctx, s.scope.ID, postgres.Everything)
	if err != nil || len(rows) != 1 || rows[0].ObjectID != s.sv || rows[0].State != domain.RiskStateNone ||
		!slices.Equal(rows[0].Reasons(), []domain.RiskReason{domain.ReasonHighNeed}) {
		t.Fatalf("overview before: %+v %v", rows, err)
	}
	err = s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.CreateRiskAnalysis(ctx, s.room, domain.RiskAnalysisInput{}, postgres.Everything)
		return err
	})
	if !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("analysis of an object with normal need: %v", err)
	}

	a := s.createAnalysis(t, s.sv)
	var got []string
	for _, it := range a.Items {
		got = append(got, it.ThreatID)
	}
	// The distinct threats of SYS.1.1's B and S requirements (the standard
	// approach), in the catalog's order; the threats only its H
	// requirements name (G 0.16, 0.21, 0.22, 0.24, 0.43) are not among them.
	want := []string{"G 0.8", "G 0.18", "G 0.19", "G 0.20", "G 0.23", "G 0.25", "G 0.27", "G 0.28", "G 0.30", "G 0.31", "G 0.33",
		"G 0.36", "G 0.37", "G 0.39", "G 0.40", "G 0.45"}
	if !slices.Equal(got, want) {
		t.Errorf("pre-filled threats %v, want %v", got, want)
	}
	if a.Items[0].Title == "" || a.State() != domain.RiskStateInProgress {
		t.Errorf("first item %+v, state %s", a.Items[0], a.State())
	}
	if err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.CreateRiskAnalysis(ctx, s.sv, domain.RiskAnalysisInput{}, postgres.Everything)
		return err
	}); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("second analysis: %v", err)
	}

	// More can be added: a catalog threat once, own threats as titles.
	add := func(in domain.RiskItemInput) error {
		return s.change(t, func(tx *postgres.Tx) error { _, err := tx.AddRiskItem(ctx, s.sv, in, postgres.Everything); return err })
	}
	if err := add(domain.RiskItemInput{ThreatID: "G 0.16"}); err != nil {
		t.Fatal(err)
	}
	if err := add(domain.RiskItemInput{ThreatID: "G 0.16"}); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("the same threat twice: %v", err)
	}
	if err := add(domain.RiskItemInput{ThreatID: "G 9.99"}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("unknown threat: %v", err)
	}
	if err := add(domain.RiskItemInput{Title: "Ausfall der Fernwartungsstrecke des Herstellers"}); err != nil {
		t.Fatal(err)
	}
	a = s.analysis(t, s.sv)
	if n := len(a.Items); n != 18 || !a.Items[n-1].Own() || a.Items[n-1].Title != "Ausfall der Fernwartungsstrecke des Herstellers" {
		t.Errorf("after adding: %d items, last %+v", n, a.Items[n-1])
	}
	// A department head of another ministry sees neither the object nor its analysis.
	inn := postgres.Visibility{Departments: []int64{s.inn}}
	if rows, _ := s.db.RiskOverview(ctx, s.scope.ID, inn); len(rows) != 0 {
		t.Errorf("the other ministry sees %d objects", len(rows))
	}
	if _, err := s.db.RiskAnalysisOf(ctx, s.sv, inn); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("analysis outside the subtree: %v", err)
	}
	// Nor may an ISB of that ministry change or remove a threat of it: the
	// item is not found, exactly like a missing one (its object unnamed).
	desc := "Fremde Änderung"
	for _, id := range []int64{a.Items[0].ID, 999999} {
		update := s.change(t, func(tx *postgres.Tx) error {
			_, err := tx.UpdateRiskItem(ctx, id, a.Items[0].Version, domain.RiskItemChange{Description: &desc}, inn)
			return err
		})
		remove := s.change(t, func(tx *postgres.Tx) error { return tx.DeleteRiskItem(ctx, id, 0, inn) })
		want := fmt.Sprintf("no risk item %d", id)
		for _, err := range []error{update, remove} {
			if !errors.Is(err, domain.ErrNotFound) || err.Error() != want || domain.GermanMessage(err) != "Diese Gefährdung gibt es in der Risikoanalyse nicht." {
				t.Errorf("change of item %d outside the subtree: %v (%s)", id, err, domain.GermanMessage(err))
			}
		}
	}
}

func TestRiskCategoryFromTheMatrix(t *testing.T) {
	t.Parallel()
	if got := domain.Category(domain.DefaultRiskMatrix, domain.FrequencyOften, domain.ImpactSubstantial); got != domain.RiskHigh {
		t.Errorf("häufig × beträchtlich = %s, want hoch", got.Label())
	}
	if got := domain.Category(domain.DefaultRiskMatrix, domain.FrequencyRare, domain.ImpactExistential); got != domain.RiskMedium {
		t.Errorf("selten × existenzbedrohend = %s, want mittel", got.Label())
	}
	if got := domain.Category(domain.DefaultRiskMatrix, 0, domain.ImpactLimited); got != domain.RiskUnknown {
		t.Errorf("without frequency: %s", got.Label())
	}
	if vs := domain.DefaultRiskMatrix.Validate(); len(vs) != 0 {
		t.Errorf("the default matrix is refused: %+v", vs)
	}

	s := riskScope(t)
	a := s.createAnalysis(t, s.sv)
	it := a.Items[0]
	f, i := domain.FrequencyOften, domain.ImpactSubstantial
	if err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.UpdateRiskItem(ctx, it.ID, it.Version, domain.RiskItemChange{Frequency: &f, Impact: &i}, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// A stale version is refused.
	if err := s.change(t, func(tx *postgres.Tx) error {
		g := domain.FrequencyRare
		_, err := tx.UpdateRiskItem(ctx, it.ID, it.Version, domain.RiskItemChange{Frequency: &g}, postgres.Everything)
		return err
	}); !errors.Is(err, domain.ErrPreconditionFailed) {
		t.Errorf("stale item version: %v", err)
	}
	a = s.analysis(t, s.sv)
	if got := domain.Category(a.Matrix, a.Items[0].Frequency, a.Items[0].Impact); got != domain.RiskHigh {
		t.Errorf("category %s, want hoch", got.Label())
	}
	if r := s.overviewRow(t, s.sv); r.MaxCategory != domain.RiskHigh || r.State != domain.RiskStateInProgress || r.Items != 16 {
		t.Errorf("overview row %+v", r)
	}

	// The scope's own matrix: everything from beträchtlich up is sehr hoch.
	m, err := s.db.RiskMatrix(ctx, s.scope.ID)
	if err != nil || !m.Default || m.Version != 1 {
		t.Fatalf("matrix %+v %v", m, err)
	}
	own := domain.DefaultRiskMatrix
	own[2] = [4]domain.RiskCategory{domain.RiskVeryHigh, domain.RiskVeryHigh, domain.RiskVeryHigh, domain.RiskVeryHigh}
	own[3] = own[2]
	// Falling categories are refused, and so is a writer limited to departments.
	bad := own
	bad[3][3] = domain.RiskLow
	for _, c := range []struct {
		m    domain.RiskMatrix
		vis  postgres.Visibility
		want error
	}{
		{bad, postgres.Everything, domain.ErrInvalid},
		{own, postgres.Visibility{Departments: []int64{s.fin}}, domain.ErrForbidden},
		{own, postgres.Everything, nil},
		{own, postgres.Everything, domain.ErrPreconditionFailed}, // version 1 is gone
	} {
		err := s.change(t, func(tx *postgres.Tx) error { _, err := tx.SetRiskMatrix(ctx, s.scope.ID, 1, c.m, c.vis); return err })
		if !errors.Is(err, c.want) && !(c.want == nil && err == nil) {
			t.Errorf("set matrix: %v, want %v", err, c.want)
		}
	}
	if m, _ = s.db.RiskMatrix(ctx, s.scope.ID); m.Default || m.Version != 2 || m.Matrix != own {
		t.Errorf("matrix after the change: %+v", m)
	}
	a = s.analysis(t, s.sv)
	if got := domain.Category(a.Matrix, a.Items[0].Frequency, a.Items[0].Impact); got != domain.RiskVeryHigh {
		t.Errorf("category under the own matrix %s, want sehr hoch", got.Label())
	}
	if r := s.overviewRow(t, s.sv); r.MaxCategory != domain.RiskVeryHigh {
		t.Errorf("overview under the own matrix: %+v", r)
	}
}

func TestBasisRiskAcceptanceRefused(t *testing.T) {
	t.Parallel()
	s := riskScope(t)
	s.createAnalysis(t, s.sv)
	basis := s.setEntry(t, s.sv, "SYS.1.1.A1", domain.StatusPartial)
	standard := s.setEntry(t, s.sv, "SYS.1.1.A11", domain.StatusNo)
	fulfilled := s.setEntry(t, s.sv, "SYS.1.1.A12", domain.StatusYes)

	// Not yet assessed and treated: refused.
	if _, err := s.accept(s.sv); !errors.Is(err, domain.ErrInvalid) || !strings.Contains(domain.GermanMessage(err), "noch nicht vollständig") {
		t.Errorf("accepting an incomplete analysis: %v (%s)", err, domain.GermanMessage(err))
	}
	s.assessAll(t, s.sv)
	if r := s.overviewRow(t, s.sv); r.State != domain.RiskStateComplete || r.Complete != 16 {
		t.Errorf("overview of the complete analysis: %+v", r)
	}

	// A Basis requirement can never be covered (rule 3).
	_, err := s.accept(s.sv, standard.ID, basis.ID)
	if !errors.Is(err, domain.ErrInvalid) || !strings.Contains(domain.GermanMessage(err),
		"Ein Risiko aus einer nicht erfüllten Basis-Anforderung kann nicht akzeptiert werden.") {
		t.Fatalf("accepting a Basis requirement: %v (%s)", err, domain.GermanMessage(err))
	}
	if _, err := s.accept(s.sv, fulfilled.ID); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("covering a fulfilled requirement: %v", err)
	}
	if _, err := s.accept(s.sv, 999999); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("covering a missing entry: %v", err)
	}
	if a := s.analysis(t, s.sv); a.Acceptance != nil {
		t.Fatalf("a refused acceptance was stored: %+v", a.Acceptance)
	}

	// An unfulfilled Standard requirement may be covered.
	acc, err := s.accept(s.sv, standard.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !acc.Valid() || !acc.Intact || len(acc.Entries) != 1 || acc.Entries[0].RequirementID != "SYS.1.1.A11" || acc.AcceptedBy != "Dr. Erika Muster" {
		t.Errorf("acceptance %+v", acc)
	}
	var snap struct {
		Matrix [][]int `json:"matrix"`
		Items  []struct {
			ThreatID  string `json:"threat_id"`
			Category  int    `json:"category"`
			Treatment string `json:"treatment"`
		} `json:"items"`
		Entries []struct {
			RequirementID string `json:"requirement_id"`
			Level         string `json:"level"`
			Status        string `json:"status"`
			Justification string `json:"justification"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(acc.Snapshot, &snap); err != nil {
		t.Fatal(err)
	}
	if len(snap.Items) != 16 || snap.Items[0].Category != int(domain.RiskLow) || snap.Items[0].Treatment != "accept" || len(snap.Matrix) != 4 ||
		len(snap.Entries) != 1 || snap.Entries[0].Level != "standard" || snap.Entries[0].Status != "no" || snap.Entries[0].Justification == "" {
		t.Errorf("snapshot %s", acc.Snapshot)
	}
	if a := s.analysis(t, s.sv); a.State() != domain.RiskStateAccepted {
		t.Errorf("state %s", a.State())
	}
	if r := s.overviewRow(t, s.sv); r.State != domain.RiskStateAccepted || r.AcceptedOn == nil {
		t.Errorf("overview after the acceptance: %+v", r)
	}
	open, err := s.db.AcceptableEntries(ctx, s.sv, postgres.Everything)
	if err != nil || len(open) != 1 || open[0].RequirementID != "SYS.1.1.A11" {
		t.Errorf("acceptable entries: %+v %v", open, err)
	}
	if open, _ := s.db.AcceptableEntries(ctx, s.sv, postgres.Visibility{Departments: []int64{s.inn}}); len(open) != 0 {
		t.Errorf("another ministry sees the acceptable entries %+v", open)
	}
}

// acceptanceVoided checks that the analysis's acceptance is void, with a
// reason that names the change.
func acceptanceVoided(t *testing.T, s structure, reason string) {
	t.Helper()
	a := s.analysis(t, s.sv)
	if a.Acceptance == nil || a.Acceptance.Valid() || a.State() != domain.RiskStateVoid || !strings.Contains(a.Acceptance.VoidedReason, reason) {
		t.Fatalf("acceptance after the change: %+v, state %s", a.Acceptance, a.State())
	}
	if r := s.overviewRow(t, s.sv); r.State != domain.RiskStateVoid || r.VoidedAt == nil {
		t.Errorf("overview after voiding: %+v", r)
	}
	accs, err := s.db.RiskAcceptances(ctx, a.ID)
	if err != nil || len(accs) == 0 || accs[0].Valid() {
		t.Errorf("history: %+v %v", accs, err)
	}
}

func TestAcceptanceVoidedByALaterChange(t *testing.T) {
	t.Parallel()
	s := riskScope(t)
	s.createAnalysis(t, s.sv)
	s.assessAll(t, s.sv)
	standard := s.setEntry(t, s.sv, "SYS.1.1.A11", domain.StatusPartial)

	// A change to an item.
	if _, err := s.accept(s.sv, standard.ID); err != nil {
		t.Fatal(err)
	}
	it := s.analysis(t, s.sv).Items[3]
	often := domain.FrequencyOften
	if err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.UpdateRiskItem(ctx, it.ID, it.Version, domain.RiskItemChange{Frequency: &often}, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	acceptanceVoided(t, s, "Gefährdung der Risikoanalyse wurde geändert: "+it.Name())

	// A change to the scope's matrix.
	if _, err := s.accept(s.sv, standard.ID); err != nil {
		t.Fatal(err)
	}
	if a := s.analysis(t, s.sv); a.State() != domain.RiskStateAccepted {
		t.Fatalf("re-accepted: %s", a.State())
	}
	own := domain.DefaultRiskMatrix
	own[0][3] = domain.RiskMedium
	if err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.SetRiskMatrix(ctx, s.scope.ID, 1, own, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	acceptanceVoided(t, s, "Risikomatrix")

	// A change to a covered check entry.
	if _, err := s.accept(s.sv, standard.ID); err != nil {
		t.Fatal(err)
	}
	s.setEntry(t, s.sv, "SYS.1.1.A11", domain.StatusNo)
	acceptanceVoided(t, s, "abgedeckter Eintrag")

	// A covered entry that leaves the check: its module is unassigned.
	s.assign(t, s.sv, "SYS.1.5")
	virtual := s.setEntry(t, s.sv, "SYS.1.5.A8", domain.StatusNo)
	if _, err := s.accept(s.sv, virtual.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.change(t, func(tx *postgres.Tx) error {
		return tx.UnassignModule(ctx, s.sv, "SYS.1.5", postgres.Everything)
	}); err != nil {
		t.Fatal(err)
	}
	acceptanceVoided(t, s, "aus dem Prüfumfang entfallen")

	// Every acceptance stays in the history, the newest first.
	accs, err := s.db.RiskAcceptances(ctx, s.analysis(t, s.sv).ID)
	if err != nil || len(accs) != 4 {
		t.Fatalf("history: %d %v", len(accs), err)
	}
	for _, a := range accs {
		if a.Valid() || a.VoidedReason == "" || !a.Intact {
			t.Errorf("history entry %+v", a)
		}
	}
	// A new acceptance replaces a valid one.
	if _, err := s.accept(s.sv); err != nil {
		t.Fatal(err)
	}
	if _, err := s.accept(s.sv); err != nil {
		t.Fatal(err)
	}
	accs, _ = s.db.RiskAcceptances(ctx, s.analysis(t, s.sv).ID)
	if len(accs) != 6 || !accs[0].Valid() || accs[1].Valid() || !strings.Contains(accs[1].VoidedReason, "neue Risikoakzeptanz") {
		t.Errorf("after replacing: %+v", accs[:2])
	}
	// An unchanged save (the page form sends every row) voids nothing.
	a := s.analysis(t, s.sv)
	f := a.Items[0].Frequency
	if err := s.change(t, func(tx *postgres.Tx) error {
		_, err := tx.UpdateRiskItems(ctx, s.sv, []postgres.RiskItemUpdate{{ID: a.Items[0].ID, Version: a.Items[0].Version,
			Change: domain.RiskItemChange{Frequency: &f}}}, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if a := s.analysis(t, s.sv); a.State() != domain.RiskStateAccepted {
		t.Errorf("an unchanged save voided the acceptance: %+v", a.Acceptance)
	}
}

func TestReducingARiskWithAnHRequirementBringsItIntoTheCheck(t *testing.T) {
	t.Parallel()
	s := riskScope(t)
	a := s.createAnalysis(t, s.sv)
	if e := s.entry(t, s.sv, "SYS.1.1.A27"); e.ID != 0 {
		t.Fatalf("H requirement in the check before the analysis chose it: %+v", e)
	}
	opts, err := s.db.RiskRequirementOptions(ctx, s.sv)
	if err != nil || len(opts) == 0 || !slices.ContainsFunc(opts, func(r domain.LinkedRequirement) bool { return r.ID == "SYS.1.1.A27" }) {
		t.Fatalf("H requirements offered: %+v %v", opts, err)
	}
	for _, o := range opts {
		if o.Level != domain.LevelElevated {
			t.Errorf("offered %s of level %s", o.ID, o.Level)
		}
	}
	it := a.Items[4] // G 0.23
	reduce := domain.TreatmentReduce
	update := func(version int, ch domain.RiskItemChange) (domain.RiskItem, error) {
		var out domain.RiskItem
		err := s.change(t, func(tx *postgres.Tx) error {
			var err error
			out, err = tx.UpdateRiskItem(ctx, it.ID, version, ch, postgres.Everything)
			return err
		})
		return out, err
	}
	// Only active requirements of the scope's catalog can be linked.
	if _, err := update(it.Version, domain.RiskItemChange{Requirements: &[]string{"SYS.1.1.A27", "XYZ.9.A1"}}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("unknown requirement: %v", err)
	}
	it, err = update(it.Version, domain.RiskItemChange{Treatment: &reduce, Requirements: &[]string{"SYS.1.1.A27"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(it.Requirements) != 1 || it.Requirements[0].Level != domain.LevelElevated {
		t.Fatalf("linked: %+v", it.Requirements)
	}
	e := s.entry(t, s.sv, "SYS.1.1.A27")
	if e.ID == 0 || !e.Active || e.Level != domain.LevelElevated {
		t.Fatalf("H requirement chosen to reduce a risk is not in the check: %+v", e)
	}
	// Another treatment takes it out again (retired, with its history).
	accept := domain.TreatmentAccept
	if it, err = update(it.Version, domain.RiskItemChange{Treatment: &accept}); err != nil {
		t.Fatal(err)
	}
	if e := s.entry(t, s.sv, "SYS.1.1.A27"); e.Active || e.RetiredAt == nil {
		t.Errorf("after changing the treatment: %+v", e)
	}
	if it, err = update(it.Version, domain.RiskItemChange{Treatment: &reduce}); err != nil {
		t.Fatal(err)
	}
	if e := s.entry(t, s.sv, "SYS.1.1.A27"); !e.Active {
		t.Errorf("reactivated: %+v", e)
	}
	// Unlinking it retires the entry.
	if it, err = update(it.Version, domain.RiskItemChange{Requirements: &[]string{}}); err != nil {
		t.Fatal(err)
	}
	if e := s.entry(t, s.sv, "SYS.1.1.A27"); e.Active || e.RetiredAt == nil {
		t.Errorf("after unlinking: %+v", e)
	}
	// Deleting an item with a linked requirement retires it as well.
	if it, err = update(it.Version, domain.RiskItemChange{Requirements: &[]string{"SYS.1.1.A27"}}); err != nil {
		t.Fatal(err)
	}
	if e := s.entry(t, s.sv, "SYS.1.1.A27"); !e.Active {
		t.Fatalf("linked again: %+v", e)
	}
	if err := s.change(t, func(tx *postgres.Tx) error { return tx.DeleteRiskItem(ctx, it.ID, it.Version, postgres.Everything) }); err != nil {
		t.Fatal(err)
	}
	if e := s.entry(t, s.sv, "SYS.1.1.A27"); e.Active {
		t.Errorf("after deleting the item: %+v", e)
	}
	// With a normal need the analysis's choice does not count (rule 2).
	it2 := s.analysis(t, s.sv).Items[0]
	if _, err := func() (domain.RiskItem, error) {
		var out domain.RiskItem
		err := s.change(t, func(tx *postgres.Tx) error {
			var err error
			out, err = tx.UpdateRiskItem(ctx, it2.ID, it2.Version, domain.RiskItemChange{Treatment: &reduce, Requirements: &[]string{"SYS.1.1.A28"}}, postgres.Everything)
			if err != nil {
				return err
			}
			_, err = tx.SetNeeds(ctx, s.sv, 0, needs(domain.NeedNormal, domain.NeedNormal, domain.NeedNormal), postgres.Everything)
			return err
		})
		return out, err
	}(); err != nil {
		t.Fatal(err)
	}
	if e := s.entry(t, s.sv, "SYS.1.1.A28"); e.Active {
		t.Errorf("H requirement in the check of an object with normal need: %+v", e)
	}
}
