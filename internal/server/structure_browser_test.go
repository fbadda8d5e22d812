package server

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// TestBrowserInheritance: an ISB creates an application through the form,
// lets the process (need "hoch") depend on it on the process page, and
// finds the inherited need with its reason on the application's page.
func TestBrowserInheritance(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	s.setOwn(t, s.process, domain.NeedHigh, domain.NeedNormal, domain.NeedHigh)
	s.depend(t, s.app, s.server)
	e.user("isolde", domain.Grant{Role: domain.RoleISB})
	ctx := newBrowser(t)

	e.signIn(t, ctx, "isolde", s.url(""),
		chromedp.WaitVisible(".stats"),
	)
	screenshot(t, ctx, "scope")

	// The application, through the form.
	browse(t, ctx,
		chromedp.Click(`a[href="`+s.url("/objects/new")+`"]`),
		chromedp.WaitVisible("#name"),
		chromedp.SetValue("#type", "application"),
		chromedp.SendKeys("#name", "Zahlungsverkehr"),
		chromedp.SetValue("#department_id", strconv.FormatInt(s.tlrz, 10)),
		chromedp.SendKeys("#responsible", "Referat 23"),
		chromedp.SendKeys("#tags", "Fachverfahren, KRITIS"),
	)
	screenshot(t, ctx, "object-form")
	browse(t, ctx, chromedp.Click(`form button[type=submit].btn-primary`), chromedp.WaitVisible("#needs-h"))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "/objects/") {
		t.Fatalf("after create at %q (%v)", loc, err)
	}
	appID := loc[strings.LastIndex(loc, "/")+1:]
	if h1, _ := chromedp.Run(ctx, chromedp.Text("h1")); h1 != "A-002 Zahlungsverkehr" {
		t.Errorf("heading %q", h1)
	}

	// The process depends on the application.
	browse(t, ctx,
		chromedp.Navigate(e.url+objURL(s.process, "")),
		chromedp.WaitVisible("#depends_on"),
		chromedp.SetValue("#depends_on", appID),
		chromedp.Click(`form[action$="/dependencies"] button`),
		chromedp.WaitVisible(".notice-ok"),
	)
	deps, err := chromedp.Run(ctx, chromedp.Text(`section[aria-labelledby="deps-h"] table`))
	if err != nil || !strings.Contains(deps, "Zahlungsverkehr") {
		t.Fatalf("dependencies of the process: %q (%v)", deps, err)
	}
	screenshot(t, ctx, "process")

	// The application inherits "hoch" because of the process.
	browse(t, ctx,
		chromedp.Click(`section[aria-labelledby="deps-h"] a[href="/objects/`+appID+`"]`),
		chromedp.WaitVisible("#need-c"),
	)
	inherited, err := chromedp.Run(ctx, chromedp.Text("#need-c .inherited"))
	if err != nil || inherited != "hoch wegen Geschäftsprozess GP-001 WAN-Transport" {
		t.Errorf("inherited confidentiality %q (%v)", inherited, err)
	}
	effective, _ := chromedp.Run(ctx, chromedp.Text("#need-a .effective"))
	if effective != "hoch\ngeerbt" {
		t.Errorf("effective availability %q", effective)
	}
	screenshot(t, ctx, "object")

	// The lists, for the record, with a few more objects: a group with
	// modules, a justified cumulation, a cycle.
	ctx2 := context.Background()
	err = e.db.InTx(ctx2, testActor, func(tx *postgres.Tx) error {
		o, err := tx.CreateObject(ctx2, s.scope.ID, domain.ObjectInput{Type: domain.ObjectDevice,
			ObjectFields: domain.ObjectFields{Name: "Standortrouter", Tags: []string{"WAN"}},
			DepartmentID: &s.tlrz, Group: true, Members: 670}, postgres.Everything)
		if err != nil {
			return err
		}
		if _, err := tx.AssignModules(ctx2, s.scope.ID, []int64{o.ID, s.server}, []string{"NET.3.1", "SYS.1.1"}, postgres.Everything); err != nil {
			return err
		}
		if _, err := tx.AssignModules(ctx2, s.scope.ID, []int64{s.scope.ObjectID}, []string{"ISMS.1", "ORP.4"}, postgres.Everything); err != nil {
			return err
		}
		if err := tx.AddDependency(ctx2, s.app, o.ID, postgres.Everything); err != nil {
			return err
		}
		r, _ := tx.CreateObject(ctx2, s.scope.ID, domain.ObjectInput{Type: domain.ObjectRoom, ShortID: "R-002",
			ObjectFields: domain.ObjectFields{Name: "Technikraum Gera"}, DepartmentID: &s.tlrz}, postgres.Everything)
		if err := tx.AddDependency(ctx2, s.server, r.ID, postgres.Everything); err != nil {
			return err
		}
		if err := tx.AddDependency(ctx2, r.ID, s.server, postgres.Everything); err != nil {
			return err
		}
		_, err = tx.SetNeeds(ctx2, o.ID, 0, [3]domain.NeedInput{{}, {}, {OverrideKind: domain.OverrideCumulation, Override: domain.NeedVeryHigh,
			OverrideReason: "670 Standorte fallen bei einem Fehler gemeinsam aus."}}, postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	browse(t, ctx, chromedp.Navigate(e.url+objURL(s.server, "")), chromedp.WaitVisible("h1"))
	screenshot(t, ctx, "object-cycle")
	for name, path := range map[string]string{"objects": s.url("/objects"), "needs": s.url("/needs"), "modelling": s.url("/modelling"),
		"scopes": "/scopes", "departments": "/departments?edit=" + strconv.FormatInt(s.tlrz, 10), "scope-filled": s.url("")} {
		browse(t, ctx, chromedp.Navigate(e.url+path), chromedp.WaitVisible("h1"))
		screenshot(t, ctx, name)
	}
}
