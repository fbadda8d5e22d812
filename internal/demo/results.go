package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// progress is how far a department's IT-Grundschutz-Check has come, in
// per cent of its entries: fulfilled, partial, unfulfilled, dispensable;
// the rest is still open. Uneven on purpose, so the dashboards tell a
// story: the data centre nearly ready, the ministries' own sites behind.
type progress struct{ yes, partial, no, na int }

var progressOf = map[string]progress{
	"TLRZ-RZ":  {93, 3, 1, 3},
	"TLRZ-SEC": {90, 4, 2, 3},
	"TLRZ-NET": {82, 7, 4, 3},
	"CERT":     {70, 10, 5, 3},
	"TMMJV":    {58, 12, 10, 4},
	"TMBJS":    {30, 14, 16, 4},
}

// Invented texts of the check results.
const (
	textYes     = "Umgesetzt und im Betriebshandbuch dokumentiert; bei der letzten Revision geprüft (Demo)."
	textPartial = "An einem Teil der Standorte umgesetzt; der Rest ist im Realisierungsplan eingeplant (Demo)."
	textNo      = "Noch nicht umgesetzt: Die Haushaltsmittel sind für das kommende Jahr beantragt (Demo)."
	textNA      = "Für dieses Zielobjekt nicht relevant: Die betroffene Funktion wird nicht genutzt (Demo)."
)

// spread gives a stable number from 0 to 99 for a text, so the demo
// looks the same on every machine without a random generator.
func spread(parts ...string) int {
	h := fnv.New32a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return int(h.Sum32() % 100)
}

// seedCheck records the check results of every active entry of the scope
// (members that follow their group take the group's) in one bulk change,
// then gives the measures of the implementation plan budgets and states.
// Dates count from today: some reviews and measures are overdue.
func seedCheck(ctx context.Context, tx *postgres.Tx, scopeID int64, keyOf map[int64]string, today time.Time) error {
	var updates []postgres.EntryUpdate
	for after := int64(0); ; {
		page, next, err := tx.ListEntries(ctx, scopeID, domain.EntryFilter{After: after, Limit: 1000}, postgres.Everything)
		if err != nil {
			return err
		}
		for _, e := range page {
			if e.FollowsGroup {
				continue
			}
			key := keyOf[e.ObjectID]
			ch := checkResult(key, deptOf(key), e, today)
			updates = append(updates, postgres.EntryUpdate{ID: e.ID, Version: e.Version, Change: ch})
		}
		if next == 0 {
			break
		}
		after = next
	}
	_, errs, err := tx.UpdateEntries(ctx, scopeID, updates, postgres.Everything, "demo")
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return fmt.Errorf("demo check result %d: %s", errs[0].Index, errs[0].Detail)
	}
	items, _, err := tx.ListPlanItems(ctx, scopeID, domain.PlanFilter{Limit: 1000}, postgres.Everything)
	if err != nil {
		return err
	}
	for _, p := range items {
		s := spread(p.ObjectShortID, p.RequirementID, "plan")
		budget := int64(500+s*250) * 100
		priority := 2
		if p.Level == domain.LevelBasis {
			priority = 1
		}
		state := domain.PlanPlanned
		if s%3 == 0 {
			state = domain.PlanInProgress
		}
		if _, err := tx.UpdatePlanItem(ctx, p.ID, p.Version, domain.PlanChange{BudgetCents: ptr(&budget), Priority: &priority, State: &state},
			postgres.Everything); err != nil {
			return fmt.Errorf("demo measure %s %s: %w", p.ObjectShortID, p.RequirementID, err)
		}
	}
	return nil
}

// checkResult is the invented result of one entry.
func checkResult(key, dept string, e domain.CheckEntry, today time.Time) domain.EntryChange {
	p, ok := progressOf[dept]
	if !ok {
		p = progress{80, 8, 4, 3}
	}
	yes := p.yes
	if e.Level == domain.LevelBasis {
		yes += (100 - yes) / 3 // Basis first, as the method asks
	}
	s := spread(key, e.RequirementID)
	status, text := domain.StatusOpen, ""
	switch {
	case s < yes:
		status, text = domain.StatusYes, textYes
	case s < yes+p.partial:
		status, text = domain.StatusPartial, textPartial
	case s < yes+p.partial+p.no:
		status, text = domain.StatusNo, textNo
	case s < yes+p.partial+p.no+p.na:
		status, text = domain.StatusNotApplicable, textNA
	}
	// A Basis requirement, or one of the scope's own modules (ISMS.1 and
	// the like), is hardly ever dispensable: an auditor would ask.
	if status == domain.StatusNotApplicable && (e.Level == domain.LevelBasis || key == "scope") {
		status, text = domain.StatusYes, textYes
	}
	ch := domain.EntryChange{Status: &status}
	if status == domain.StatusOpen {
		return ch
	}
	responsible := responsibleOf(key)
	ch.Responsible = &responsible
	// Reviewed within the last year; the ministries' sites less often, so
	// some of their reviews are overdue.
	reviewAge := 20 + spread(key, e.RequirementID, "review")*3
	if dept == "TMMJV" || dept == "TMBJS" {
		reviewAge += 150
	}
	last := today.AddDate(0, 0, -reviewAge)
	nextReview := last.AddDate(1, 0, 0)
	ch.LastReview, ch.NextReview = ptr(&last), ptr(&nextReview)
	switch status {
	case domain.StatusYes:
		done := last.AddDate(0, 0, -30-s*4)
		ch.Implementation, ch.ImplementedOn = &text, ptr(&done)
	case domain.StatusNotApplicable:
		ch.Justification = &text
	default:
		// A measure's target date: mostly ahead, a few already passed.
		target := today.AddDate(0, 0, 30+s*3)
		if s%9 == 0 {
			target = today.AddDate(0, 0, -14-s)
		}
		ch.Justification, ch.TargetDate = &text, ptr(&target)
	}
	return ch
}

func ptr[T any](v *T) **T { return &v }

// deptOf and responsibleOf look up a demo object's department code and
// responsible role by key.
func deptOf(key string) string {
	for _, o := range objects {
		if o.key == key {
			return o.dept
		}
	}
	return ""
}

func responsibleOf(key string) string {
	for _, o := range objects {
		if o.key == key {
			return o.responsible
		}
	}
	return "ISB Landesdatennetz"
}

// seedRisks gives two of the objects that need a risk analysis one: the
// admin jump hosts assessed and treated (management accepts them once the
// demo accounts exist, see acceptRisks), the prison's site router begun
// and not yet finished.
func seedRisks(ctx context.Context, tx *postgres.Tx, objIDs map[string]int64) error {
	if err := assessRisks(ctx, tx, objIDs["jump"], "Die Admin-Jump-Hosts sind der einzige Weg in die Verwaltungsnetze; "+
		"ihr hoher Schutzbedarf an Vertraulichkeit und Integrität verlangt eine Risikoanalyse (Demo).", 100); err != nil {
		return err
	}
	return assessRisks(ctx, tx, objIDs["jva"], "Untypisches Einsatzumfeld im Sicherheitsbereich einer Justizvollzugsanstalt; "+
		"die Bewertung der Gefährdungen läuft (Demo).", 40)
}

// acceptRisks has the demo management account accept the jump hosts'
// analysis as it stands (version 0), signed three weeks ago: a path open
// to the seed only, as requests always sign on today.
func acceptRisks(ctx context.Context, db *postgres.DB, objIDs map[string]int64, today time.Time) error {
	management, err := demoActor(ctx, db, managementUser)
	if err != nil {
		return err
	}
	err = db.InTx(ctx, management, func(tx *postgres.Tx) error {
		_, err := tx.Accept(ctx, objIDs["jump"], 0, domain.AcceptInput{
			Signature: domain.Signature{UserID: *management.UserID, On: today.AddDate(0, 0, -21)}, Today: today}, postgres.Everything)
		return err
	})
	if err != nil {
		return fmt.Errorf("demo risk acceptance: %w", err)
	}
	return nil
}

// assessRisks starts the analysis of an object and assesses the given per
// cent of its threats: frequent or grave ones are reduced by own
// measures, the others accepted as they are.
func assessRisks(ctx context.Context, tx *postgres.Tx, objectID int64, summary string, percent int) error {
	a, err := tx.CreateRiskAnalysis(ctx, objectID, domain.RiskAnalysisInput{Summary: summary}, postgres.Everything)
	if err != nil {
		return fmt.Errorf("demo risk analysis: %w", err)
	}
	var updates []postgres.RiskItemUpdate
	for n, it := range a.Items {
		if n*100 >= len(a.Items)*percent {
			break
		}
		s := spread(it.ThreatID, it.Title)
		f, i := domain.Frequency(1+s%4), domain.Impact(1+(s/4)%4)
		ch := domain.RiskItemChange{Frequency: &f, Impact: &i}
		treat, rf, ri := domain.TreatmentAccept, f, i
		if domain.Category(domain.DefaultRiskMatrix, f, i) >= domain.RiskHigh {
			treat, rf = domain.TreatmentReduce, domain.FrequencyRare
			measures := "Zusätzliche Härtung, Vier-Augen-Prinzip bei Änderungen und monatliche Auswertung der Protokolle (Demo)."
			ch.Measures = &measures
		}
		ch.Treatment, ch.ResidualFrequency, ch.ResidualImpact = &treat, &rf, &ri
		updates = append(updates, postgres.RiskItemUpdate{ID: it.ID, Version: it.Version, Change: ch})
	}
	if _, err := tx.UpdateRiskItems(ctx, objectID, updates, postgres.Everything); err != nil {
		return fmt.Errorf("demo risk assessment: %w", err)
	}
	return nil
}
