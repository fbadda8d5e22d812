package server

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ismsd/internal/domain"
)

// browsers bounds the Chromiums running at once: the browser tests run in
// parallel with the others, and each browser takes a core and some
// hundred MiB while it starts.
var browsers = make(chan struct{}, 2)

// newBrowser starts headless Chromium for one test. Without a browser the
// test is skipped, unless ISMS_REQUIRE_BROWSER=1 (as in CI): then it fails.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("ISMS_REQUIRE_BROWSER") == "1" {
			t.Fatal("no Chromium found, and ISMS_REQUIRE_BROWSER=1 requires browser tests (Debian: apt-get install chromium)")
		}
		t.Skip("browser test skipped: no Chromium found (Debian: apt-get install chromium)")
	}
	browsers <- struct{}{}
	t.Cleanup(func() { <-browsers }) // after the browser has ended (cleanups run last first)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1366, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// Start the browser before any timeout: a deadline on the first call
	// would end the browser with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	tctx, tcancel := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(tcancel)
	return tctx
}

// browse runs the steps in the browser and ends the test when one fails.
func browse(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// signIn opens the login form that leads on to next, signs in as username
// with the test password, then runs the steps; the test ends when one
// fails.
func (e *testEnv) signIn(t *testing.T, ctx context.Context, username, next string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	err := chromedp.Do(ctx, append([]chromedp.Action[chromedp.Void]{
		chromedp.Navigate(e.url + "/login?next=" + next),
		chromedp.SendKeys("#username", username),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Click("button[type=submit]"),
	}, steps...)...)
	if err != nil {
		t.Fatalf("%s: %v", username, err)
	}
}

// screenshot keeps a picture of the page when ISMS_TEST_ARTIFACTS names a folder.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("ISMS_TEST_ARTIFACTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Error(err)
	}
}

func TestBrowserLogin(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	dept := e.department("Finanzministerium")
	u := e.user("erika", domain.Grant{Role: domain.RoleISB, DepartmentID: &dept})
	ctx := newBrowser(t)

	// A protected page leads to the login form.
	browse(t, ctx, chromedp.Navigate(e.url+"/account"))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "/login?next=%2Faccount") {
		t.Fatalf("location %q (%v), want the login with next", loc, err)
	}

	// A wrong password gives the German error and keeps the name.
	browse(t, ctx,
		chromedp.SendKeys("#username", "erika"),
		chromedp.SendKeys("#password", "falsches Passwort"),
		chromedp.Click("button[type=submit]"),
		chromedp.WaitVisible(".notice-error"),
	)
	msg, err := chromedp.Run(ctx, chromedp.Text(".notice-error"))
	if err != nil || msg != "Benutzername oder Passwort ist falsch." {
		t.Fatalf("error message %q (%v)", msg, err)
	}
	kept, err := chromedp.Run(ctx, chromedp.Value("#username"))
	if err != nil || kept != "erika" {
		t.Errorf("username field %q after failure", kept)
	}
	screenshot(t, ctx, "login-error")

	// The right password leads to the page asked for, then the start page
	// shows the name and the role with its department.
	browse(t, ctx,
		chromedp.SetValue("#password", testPassword),
		chromedp.Click("button[type=submit]"),
		chromedp.WaitVisible("#pw-h"),
	)
	browse(t, ctx, chromedp.Click(`nav a[href="/"]`), chromedp.WaitVisible("#roles-h"))
	h1, err := chromedp.Run(ctx, chromedp.Text("h1"))
	if err != nil || h1 != "Willkommen, "+u.Username {
		t.Errorf("heading %q (%v)", h1, err)
	}
	roles, err := chromedp.Run(ctx, chromedp.Text(".roles"))
	if err != nil || !strings.Contains(roles, "Informationssicherheitsbeauftragte") || !strings.Contains(roles, "Finanzministerium") {
		t.Errorf("roles %q (%v)", roles, err)
	}
	screenshot(t, ctx, "start")

	// Logging out through the form ends the session.
	browse(t, ctx, chromedp.Click(".userbox button"), chromedp.WaitVisible("#username"))
	flash, _ := chromedp.Run(ctx, chromedp.Text(".notice-ok"))
	if flash != "Sie sind abgemeldet." {
		t.Errorf("after logout: %q", flash)
	}
}
