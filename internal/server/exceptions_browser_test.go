package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ismsd/internal/domain"
)

// TestBrowserExceptionTurnsTheGate: in a Grundschutz++ scope whose only
// unmet requirement is the MUSS of UMS.5.1, gate G5 fails on it; a member
// of management opens the entry, authorises an exception with its
// justification, end date and password, and G5 passes.
func TestBrowserExceptionTurnsTheGate(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	isb := e.loggedIn("isolde", domain.Grant{Role: domain.RoleISB})
	e.user("margit", domain.Grant{Role: domain.RoleManagement})
	scope := e.methodikScope(isb)
	entry := scopeEntry(t, isb, scope, "UMS.5.1")
	owner := e.ownerDB()
	if _, err := owner.Exec(`UPDATE check_entries SET status = 'yes' WHERE scope_id = $1 AND id <> $2`, scope, entry); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Exec(`UPDATE check_entries SET status = 'no', justification = 'Die Stelle ist unbesetzt.' WHERE id = $1`, entry); err != nil {
		t.Fatal(err)
	}
	gate := fmt.Sprintf("/scopes/%d/readiness/g5", scope)
	ctx := newBrowser(t)
	e.signIn(t, ctx, "margit", gate,
		chromedp.WaitVisible("#gate-summary"),
	)
	summary, err := chromedp.Run(ctx, chromedp.Text("#gate-summary"))
	if err != nil || !strings.Contains(summary, "1 von 95 Einträgen") {
		t.Fatalf("G5 before the exception: %q, %v", summary, err)
	}
	page, err := chromedp.Run(ctx, chromedp.Text("main"))
	if err != nil || !strings.Contains(page, "MUSS-Anforderung nicht umgesetzt und ohne gültige Ausnahme der Leitung") {
		t.Errorf("G5's blocker does not say why: %v", err)
	}
	screenshot(t, ctx, "exception-gate-before")

	browse(t, ctx,
		chromedp.Navigate(fmt.Sprintf("%s/check-entries/%d", e.url, entry)),
		chromedp.WaitVisible("#exception-justification"),
		chromedp.SendKeys("#exception-justification", "Ersatzmaßnahme: die Amtsleitung zeichnet bis zur Neubesetzung selbst."),
		chromedp.SetValue("#exception-until", domain.Today(e.srv.cfg.Location).AddDate(0, 6, 0).Format("2006-01-02")),
		chromedp.SendKeys("#exception-password", testPassword),
		chromedp.Click(`form[action$="/exception"] button[type=submit]`),
		chromedp.WaitVisible("#exception-state"),
	)
	if state, err := chromedp.Run(ctx, chromedp.Text("#exception-state")); err != nil || state != "gültig" {
		t.Errorf("exception state %q, %v", state, err)
	}
	screenshot(t, ctx, "exception-entry")

	browse(t, ctx, chromedp.Navigate(e.url+gate), chromedp.WaitVisible("#gate-status"))
	summary, err = chromedp.Run(ctx, chromedp.Text("#gate-summary"))
	if err != nil || !strings.Contains(summary, "jede nicht erfüllte MUSS-Anforderung hat eine gültige Ausnahme") {
		t.Errorf("G5 after the exception: %q, %v", summary, err)
	}
	screenshot(t, ctx, "exception-gate-after")
}
