package server

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ismsd/internal/domain"
)

// TestBrowserEvidenceReview: an auditor rejects evidence, first without
// the reason a rejection needs (refused at the field, the choice kept),
// then with it; the ISB who uploaded it finds it on their start page with
// the auditor's comment and follows it to the thread.
func TestBrowserEvidenceReview(t *testing.T) {
	t.Parallel()
	s := newEvidenceScope(t)
	id := s.uploadForm(t, s.isb, map[string]string{"title": "Patchprotokoll Oktober", "department_id": idStr(s.tlrz),
		"effective_on": "2026-10-01"}, "patch.txt", "KW 40: alle Server gepatcht")
	ctx := newBrowser(t)
	page := evidencePage(id)
	s.e.signIn(t, ctx, "audra", page,
		chromedp.WaitVisible("#r-rejected"),
		chromedp.Click("#r-rejected"),
		chromedp.Click(".review-form button[type=submit]"),
		chromedp.WaitVisible("#r-comment-err"),
	)
	msg, _ := chromedp.Run(ctx, chromedp.Text("#r-comment-err"))
	checked, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('r-rejected').checked`))
	if msg != "Eine Ablehnung oder Rückfrage braucht eine Begründung." || !checked {
		t.Errorf("refusal %q, rejection still chosen: %v", msg, checked)
	}
	comment := "Das Protokoll endet mit KW 40; bitte bis KW 43 ergänzen."
	browse(t, ctx,
		chromedp.SendKeys("#r-comment", comment),
		chromedp.Click(".review-form button[type=submit]"),
		chromedp.WaitVisible(".notice-ok"),
	)
	if got := s.evidenceOf(t, id); got.Current.State != domain.ReviewRejected {
		t.Fatalf("state after the rejection: %s", got.Current.State)
	}
	screenshot(t, ctx, "evidence-rejected")

	// The ISB signs in and sees it waiting for them, with the comment.
	browse(t, ctx,
		chromedp.Click(`form[action="/logout"] button`),
		chromedp.WaitVisible("#username"),
		chromedp.SendKeys("#username", "isa"),
		chromedp.SendKeys("#password", testPassword),
		chromedp.Click("button[type=submit]"),
		chromedp.WaitVisible(".ws-returned"),
	)
	returned, err := chromedp.Run(ctx, chromedp.Text(".ws-returned"))
	if err != nil || !strings.Contains(returned, "Patchprotokoll Oktober") || !strings.Contains(returned, comment) ||
		!strings.Contains(returned, "abgelehnt") {
		t.Errorf("the ISB's workspace shows %q (%v)", returned, err)
	}
	screenshot(t, ctx, "evidence-workspace")
	browse(t, ctx,
		chromedp.Click(`.ws-returned a[href="`+page+`#thread-h"]`),
		chromedp.WaitVisible("#thread-h"),
	)
	thread, _ := chromedp.Run(ctx, chromedp.Text("body"))
	if !strings.Contains(thread, comment) || !strings.Contains(thread, "Laden Sie eine neue Version hoch") {
		t.Errorf("the item's page after following the link lacks the thread or the next step")
	}
}
