package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ismsd/internal/domain"
)

// TestBrowserParams: an ISB opens the check entry of UMS.5.1 in a
// Grundschutz++ scope on the Methodik, sees its parameter unset, follows
// the link to the parameters page, enters the value, saves all with one
// "Speichern", and sees the value in place in the requirement's text,
// marked as the institution's.
func TestBrowserParams(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.user("isolde", domain.Grant{Role: domain.RoleISB})
	isb := e.login("isolde")
	scope := e.methodikScope(isb)
	entry := fmt.Sprintf("/check-entries/%d", scopeEntry(t, isb, scope, "UMS.5.1"))
	ctx := newBrowser(t)

	unset := `#requirement-text a.param-unset[data-param="ums.5.1-prm1"]`
	e.signIn(t, ctx, "isolde", entry,
		chromedp.WaitVisible(unset),
	)
	if label, err := chromedp.Run(ctx, chromedp.Text(unset)); err != nil || !strings.Contains(label, "[eine zuständige Person oder Rolle]") {
		t.Errorf("unset parameter in the text: %q, %v", label, err)
	}
	screenshot(t, ctx, "params-entry-unset")

	field := `[id="param-ums.5.1-prm1-value"]`
	browse(t, ctx,
		chromedp.Click(unset),
		chromedp.WaitVisible(field),
		chromedp.SendKeys(field, "die Amtsleitung"),
		chromedp.SendKeys(`[id="param-vrb.2.2-prm1-value"]`, "jährlich"),
		chromedp.Click(`#params-form button[type=submit]`),
		chromedp.WaitVisible(".notice-ok"),
	)
	if n, err := chromedp.Run(ctx, chromedp.Text("#params-unset")); err != nil || n != "12" {
		t.Errorf("unset after saving: %q, %v", n, err)
	}
	screenshot(t, ctx, "params-page")

	value := `#requirement-text mark.param-value[data-param="ums.5.1-prm1"]`
	browse(t, ctx, chromedp.Navigate(e.url+entry), chromedp.WaitVisible(value))
	text, err := chromedp.Run(ctx, chromedp.Text("#requirement-text"))
	if err != nil || !strings.Contains(text, "durch die Amtsleitung autorisieren") {
		t.Errorf("requirement text: %q, %v", text, err)
	}
	if title, err := chromedp.Run(ctx, chromedp.AttributeValue(value, "title")); err != nil || title.Value != "Wert der Institution" {
		t.Errorf("the value's mark: %q, %v", title.Value, err)
	}
	screenshot(t, ctx, "params-entry-set")
}
