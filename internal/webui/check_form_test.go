package webui

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// posted is a gin context of a form post.
func posted(form url.Values) *gin.Context {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	c.Request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c
}

func TestEntryForm(t *testing.T) {
	cur := domain.CheckEntry{ID: 12, ObjectID: 3, Status: domain.StatusNo, Justification: "fehlt"}
	for _, c := range []struct {
		back, want  string
		onEntryPage bool
	}{
		{"/objects/3/check?layer=SYS", "/objects/3/check?layer=SYS&saved=12#entry-12", false},
		{"/objects/3/check", "/objects/3/check?saved=12#entry-12", false},
		{"/objects/3/check#module-SYS.1.1", "/objects/3/check#module-SYS.1.1", false},
		{"/check-entries/12", "/check-entries/12#entry-12", true},
		{"/objects/4/check", "/objects/3/check?saved=12#entry-12", false}, // another page: the entry's object
		{"https://example.org/", "/objects/3/check?saved=12#entry-12", false},
	} {
		f, err := entryFormOf(posted(url.Values{"back": {c.back}, "status": {"yes"}}), cur)
		if err != nil || f.onEntryPage != c.onEntryPage || f.savedURL(cur.ID) != c.want {
			t.Errorf("back %q: %q (entry page %v), %v; want %q", c.back, f.savedURL(cur.ID), f.onEntryPage, err, c.want)
		}
		if f.change.Status == nil || *f.change.Status != domain.StatusYes || f.in.Status != "yes" || f.in.Justification != "fehlt" {
			t.Errorf("back %q: change %+v, typed %+v", c.back, f.change, f.in)
		}
	}
	f, err := entryFormOf(posted(url.Values{"follow_group": {"true"}, "status": {"yes"}}), cur)
	if err != nil || !f.follow || f.change != (domain.EntryChange{FollowGroup: true}) {
		t.Errorf("follow the group: %+v, %v", f, err)
	}
	if _, err := entryFormOf(posted(url.Values{"target_date": {"bald"}}), cur); !isInputError(err) {
		t.Errorf("a date it cannot read: %v", err)
	}

	yes := domain.CheckEntry{RequirementID: "SYS.1.1.A1", ObjectShortID: "S-001", Status: domain.StatusYes}
	if got := entrySavedMessage(cur, yes, false); got != "SYS.1.1.A1 (S-001) ist gespeichert: ja. Die Maßnahme dazu im Realisierungsplan ist damit erledigt." {
		t.Errorf("saved: %q", got)
	}
	partial := yes
	partial.Status = domain.StatusPartial
	if got := entrySavedMessage(cur, partial, true); got != "SYS.1.1.A1 (S-001) folgt wieder der Gruppe und hat ihre Werte übernommen. Die Maßnahme dazu steht im Realisierungsplan." {
		t.Errorf("following: %q", got)
	}
}

func TestEntryRefusal(t *testing.T) {
	// Items the store refused: a stale version shows above the form, a
	// justification at its field; the focus is the first refused field.
	r, err := entryRefusalOf(nil, []postgres.ItemError{
		{Field: "justification", Kind: domain.ErrInvalid, German: "Begründung fehlt."},
		{Field: "next_review", Kind: domain.ErrInvalid, German: "Prüfung davor."},
	})
	if err != nil || r.status != http.StatusUnprocessableEntity {
		t.Fatalf("refusal: %+v, %v", r, err)
	}
	messages, all := r.placed(false)
	if !slices.Equal(messages, []string{"Prüfung davor."}) || !slices.Equal(all, []string{"Begründung fehlt.", "Prüfung davor."}) || r.focus() != "justification" {
		t.Errorf("on the object's check: %q, %q, focus %s", messages, all, r.focus())
	}
	if messages, _ := r.placed(true); len(messages) != 0 {
		t.Errorf("on the entry's page: %q", messages)
	}

	stale, _ := entryRefusalOf(nil, []postgres.ItemError{{Field: "version", Kind: domain.ErrPreconditionFailed, German: "Der Eintrag wurde inzwischen geändert."}})
	if messages, all := stale.placed(true); stale.status != http.StatusPreconditionFailed || len(messages) != 1 || len(all) != 1 || stale.focus() != "status" {
		t.Errorf("stale: %+v %q %q", stale, messages, all)
	}
	if _, err := entryRefusalOf(nil, []postgres.ItemError{{Field: "id", Kind: domain.ErrNotFound}}); err != errEntryNotFound {
		t.Errorf("missing entry: %v", err)
	}

	// A refusal of no field is a message of its own; other errors pass.
	general, err := entryRefusalOf(domain.Errorf(domain.ErrConflict, "x").De("Geht nicht."), nil)
	if messages, all := general.placed(false); err != nil || general.status != http.StatusConflict || !slices.Equal(messages, []string{"Geht nicht."}) ||
		!slices.Equal(all, messages) {
		t.Errorf("general: %+v %q %q %v", general, messages, all, err)
	}
	if _, err := entryRefusalOf(errItemsRefused, nil); err != errItemsRefused {
		t.Errorf("an error that is no refusal: %v", err)
	}
}

func TestBulkForm(t *testing.T) {
	f, err := bulkFormOf(posted(url.Values{"bulk_status": {"partial"}, "bulk_justification": {" Mittel fehlen "}, "bulk_target_date": {"31.12.2026"},
		"entry": {"5", "7", "5"}, "version_5": {"2"}, "back": {"/scopes/1/check?status=no"}}), "/scopes/1/check")
	if err != nil || f.back != "/scopes/1/check?status=no" || len(f.items) != 2 || f.items[0].Version != 2 || f.items[1].Version != -1 ||
		!f.selected[7] || *f.change.Justification != "Mittel fehlen" || f.change.TargetDate == nil || f.change.Responsible != nil {
		t.Fatalf("form: %+v, %v", f, err)
	}
	for _, c := range []struct {
		form url.Values
		want []string
	}{
		{url.Values{"bulk_status": {"partial"}}, []string{"/entries"}},
		{url.Values{"entry": {"5"}}, []string{"/bulk"}},
		{url.Values{"entry": {"x", "5"}, "bulk_status": {"vielleicht"}, "bulk_next_review": {"bald"}}, []string{"/bulk_status", "/bulk_next_review", "/entries"}},
	} {
		_, err := bulkFormOf(posted(c.form), "/scopes/1/check")
		var e *domain.Error
		var got []string
		if errors.As(err, &e) && errors.Is(err, domain.ErrInvalid) {
			for _, v := range e.Violations {
				got = append(got, v.Pointer)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%v: %v, want %v", c.form, got, c.want)
		}
	}
	if got := bulkRefusalSummary(3, 1200, http.StatusPreconditionFailed); !strings.HasPrefix(got, "Nichts gespeichert: 3 der 1.200 ausgewählten Einträge wurden inzwischen von anderen geändert.") {
		t.Errorf("stale: %q", got)
	}
	if got := bulkRefusalSummary(1, 2, http.StatusUnprocessableEntity); !strings.HasSuffix(got, "Die Gründe stehen bei den Einträgen.") {
		t.Errorf("refused: %q", got)
	}
}
