package server

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// TestBrowserCheck: an ISB sets an entry of the object's check to "nein"
// without a justification, sees the German refusal at that entry, adds
// the justification and saves; the status shows "nein", and the plan
// lists the new measure. Ctrl+Enter saves another entry's form.
func TestBrowserCheck(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	scope, server := checkScope(t, e)
	ctx2 := context.Background()
	// A second object and a group, so the pages show more than one row.
	if err := e.db.InTx(ctx2, testActor, func(tx *postgres.Tx) error {
		s, err := tx.CreateObject(ctx2, scope, domain.ObjectInput{Type: domain.ObjectITSystem,
			ObjectFields: domain.ObjectFields{Name: "Verzeichnisdienst"}}, postgres.Everything)
		if err != nil {
			return err
		}
		_, err = tx.AssignModules(ctx2, scope, []int64{s.ID}, []string{"SYS.1.1"}, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	entries := checkEntries(t, e, scope, server)
	a1, a2 := entries["SYS.1.1.A1"], entries["SYS.1.1.A2"]
	e.user("isolde", domain.Grant{Role: domain.RoleISB})
	ctx := newBrowser(t)

	page := objURL(server, "/check")
	e.signIn(t, ctx, "isolde", page,
		chromedp.WaitVisible("#st-"+idStr(a1.ID)),
	)
	screenshot(t, ctx, "check-object")

	// "nein" without a justification.
	entry := "#entry-" + idStr(a1.ID)
	browse(t, ctx,
		chromedp.SetValue("#st-"+idStr(a1.ID), "no"),
		chromedp.SendKeys("#re-"+idStr(a1.ID), "Team Server"),
		chromedp.Click(entry+" .f-save button"),
		chromedp.WaitVisible(entry+" .field-error"),
	)
	msg, err := chromedp.Run(ctx, chromedp.Text(entry+" .field-error"))
	if err != nil || msg != "Für den Status „nein“ ist eine Begründung erforderlich." {
		t.Errorf("refusal at the entry %q (%v)", msg, err)
	}
	kept, _ := chromedp.Run(ctx, chromedp.Value("#re-"+idStr(a1.ID)))
	status, _ := chromedp.Run(ctx, chromedp.Value("#st-"+idStr(a1.ID)))
	if kept != "Team Server" || status != "no" {
		t.Errorf("typed values after the refusal: %q %q", kept, status)
	}
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	if err != nil || focused != "ju-"+idStr(a1.ID) {
		t.Errorf("focus after the refusal on %q (%v), want the justification", focused, err)
	}
	screenshot(t, ctx, "check-error")

	// With the justification it is saved.
	browse(t, ctx,
		chromedp.SendKeys("#ju-"+idStr(a1.ID), "Härtung folgt im Wartungsfenster"),
		chromedp.Click(entry+" .f-save button"),
		chromedp.WaitVisible(".notice-ok"),
		chromedp.WaitVisible(entry+" .entry-saved"),
	)
	shown, err := chromedp.Run(ctx, chromedp.Text(entry+" .entry-meta .status"))
	if err != nil || shown != "nein" {
		t.Errorf("status after saving %q (%v)", shown, err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.HasSuffix(loc, "#entry-"+idStr(a1.ID)) {
		t.Errorf("after saving at %s", loc)
	}
	screenshot(t, ctx, "check")

	// Ctrl+Enter in another entry's justification saves that entry.
	browse(t, ctx,
		chromedp.SetValue("#st-"+idStr(a2.ID), "not_applicable"),
		chromedp.Focus("#ju-"+idStr(a2.ID)),
		chromedp.SendKeys("#ju-"+idStr(a2.ID), "Keine Anmeldung am Server"),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible("#entry-"+idStr(a2.ID)+" .entry-saved"),
	)
	if got := checkEntries(t, e, scope, server)["SYS.1.1.A2"]; got.Status != domain.StatusNotApplicable {
		t.Errorf("Ctrl+Enter did not save: %+v", got)
	}

	// The plan lists the new measure.
	browse(t, ctx,
		chromedp.Navigate(e.url+"/scopes/"+idStr(scope)+"/plan"),
		chromedp.WaitVisible("table.plan"),
	)
	plan, err := chromedp.Run(ctx, chromedp.Text("table.plan"))
	if err != nil || !strings.Contains(plan, "Umsetzung von SYS.1.1.A1 Zugriffsschutz und Nutzung") || !strings.Contains(plan, "Team Server") {
		t.Errorf("plan %q (%v)", plan, err)
	}
	// Open the measure's form with the keyboard-reachable summary and plan it.
	items, _, _ := e.db.ListPlanItems(ctx2, scope, domain.PlanFilter{}, postgres.Everything)
	if len(items) != 1 {
		t.Fatalf("%d measures", len(items))
	}
	pid := idStr(items[0].ID)
	browse(t, ctx,
		chromedp.Click("#plan-"+pid+" summary"),
		chromedp.WaitVisible("#pb-"+pid),
		chromedp.SendKeys("#pb-"+pid, "1.250,50"),
		chromedp.SetValue("#pp-"+pid, "1"),
		chromedp.SetValue("#pd-"+pid, "2026-11-30"),
	)
	screenshot(t, ctx, "plan-form")
	browse(t, ctx,
		chromedp.Click("#plan-"+pid+" .f-save button"),
		chromedp.WaitVisible(".notice-ok"),
	)
	summary, _ := chromedp.Run(ctx, chromedp.Text("table.plan-summary"))
	if !strings.Contains(summary, "1.250,50 €") {
		t.Errorf("plan summary %q", summary)
	}
	screenshot(t, ctx, "plan")

	// The other pages, for the record.
	for name, path := range map[string]string{
		"check-scope":  "/scopes/" + idStr(scope) + "/check",
		"check-module": "/scopes/" + idStr(scope) + "/check/modules/SYS.1.1",
		"check-entry":  entryPath(a1.ID),
		"plan-month":   "/scopes/" + idStr(scope) + "/plan?by=month",
	} {
		browse(t, ctx, chromedp.Navigate(e.url+path), chromedp.WaitVisible("h1"))
		screenshot(t, ctx, name)
	}
}
