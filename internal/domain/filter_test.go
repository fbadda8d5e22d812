package domain

import (
	"net/url"
	"slices"
	"testing"
	"time"
)

// violated lists where the violations of err point, in their order.
func violated(err error) []string {
	var vs []Violation
	if e, ok := err.(*Error); ok {
		vs = e.Violations
	}
	return pointers(vs)
}

func TestParseObjectFilter(t *testing.T) {
	f, err := ParseObjectFilter(url.Values{"q": {"  Server "}, "type": {"it_system"}, "department": {"7"}, "need": {"high"},
		"sort": {"-updated"}, "limit": {"20"}, "cursor": {"40"}, "gaps": {"true"}})
	if err != nil {
		t.Fatal(err)
	}
	want := ObjectFilter{Text: "Server", Type: ObjectITSystem, DepartmentID: 7, NeedAtLeast: NeedHigh, Sort: "updated", Desc: true,
		Limit: 20, Offset: 40, GapsOnly: true}
	if f != want {
		t.Errorf("%+v, want %+v", f, want)
	}
	// Every bad parameter is named, in the order they are read, on every run.
	bad := url.Values{"cursor": {"-1"}, "limit": {"0"}, "sort": {"size"}, "need": {"unknown"}, "department": {"x"}, "type": {"ufo"}}
	for range 20 {
		_, err := ParseObjectFilter(bad)
		if got := violated(err); !slices.Equal(got, []string{"/type", "/department", "/need", "/sort", "/limit", "/cursor"}) {
			t.Fatalf("violations %v", got)
		}
	}
}

func TestParseEntryAndPlanFilters(t *testing.T) {
	f, err := ParseEntryFilter(url.Values{"module": {"SYS.1.1"}, "status": {"no"}, "level": {"basis"}, "object": {"3"}, "cursor": {"9"},
		"responsible": {" Netz "}, "retired": {"true"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.ModuleID != "SYS.1.1" || f.Status != StatusNo || f.Level != LevelBasis || f.ObjectID != 3 || f.After != 9 || f.Responsible != "Netz" ||
		!f.IncludeRetired {
		t.Errorf("%+v", f)
	}
	_, err = ParseEntryFilter(url.Values{"object": {"0"}, "department": {"a"}, "cursor": {"-5"}, "limit": {"1001"}, "status": {"maybe"}})
	if got := violated(err); !slices.Equal(got, []string{"/status", "/cursor", "/department", "/object", "/limit"}) {
		t.Errorf("entry filter violations %v", got)
	}
	p, err := ParsePlanFilter(url.Values{"month": {"2026-12"}, "state": {"planned"}, "overdue": {"true"}})
	if err != nil || p.DueMonth != "2026-12" || p.State != PlanPlanned || !p.OverdueOnly {
		t.Errorf("%+v %v", p, err)
	}
	_, err = ParsePlanFilter(url.Values{"month": {"Dezember"}, "state": {"later"}})
	if got := violated(err); !slices.Equal(got, []string{"/state", "/month"}) {
		t.Errorf("plan filter violations %v", got)
	}
}

func TestParseEvidenceFilter(t *testing.T) {
	f, err := ParseEvidenceFilter(url.Values{"queue": {"true"}, "mine": {"true"}, "target": {"check_entry"}, "target_id": {"12"}, "expiring": {"30"}}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !f.ReviewQueue || f.ReviewerID != 5 || f.UploadedBy != 5 || f.Target != LinkCheckEntry || f.TargetID != 12 || f.ExpiringWithin != 30 {
		t.Errorf("%+v", f)
	}
	_, err = ParseEvidenceFilter(url.Values{"target": {"check_entry"}, "expiring": {"400"}, "state": {"lost"}}, 5)
	if got := violated(err); !slices.Equal(got, []string{"/state", "/expiring", "/target_id"}) {
		t.Errorf("evidence filter violations %v", got)
	}
}

func TestParseAuditFilterAndSearch(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseAuditFilter(url.Values{"from": {"2026-12-01"}, "to": {"2026-12-01"}, "actor": {"admin"}}, berlin)
	if err != nil {
		t.Fatal(err)
	}
	if !f.From.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, berlin)) || !f.To.Equal(time.Date(2026, 12, 2, 0, 0, 0, 0, berlin)) || f.Actor != "admin" {
		t.Errorf("a day from and to: %+v", f)
	}
	_, err = ParseAuditFilter(url.Values{"from": {"gestern"}, "cursor": {"0"}, "limit": {"501"}}, berlin)
	if got := violated(err); !slices.Equal(got, []string{"/from", "/cursor", "/limit"}) {
		t.Errorf("audit filter violations %v", got)
	}
	s, err := ParseSearchQuery(url.Values{"q": {" Firewall "}, "level": {"standard"}, "catalog": {"2"}})
	if err != nil || s.Text != "Firewall" || s.Level != LevelStandard || s.CatalogID != 2 {
		t.Errorf("%+v %v", s, err)
	}
	_, err = ParseSearchQuery(url.Values{"level": {"hoch"}, "cursor": {"100001"}})
	if got := violated(err); !slices.Equal(got, []string{"/q", "/level", "/cursor"}) {
		t.Errorf("search violations %v", got)
	}
}

func TestParseEntryFilterObligation(t *testing.T) {
	f, err := ParseEntryFilter(url.Values{"obligation": {"muss"}})
	if err != nil || f.Obligation != ObligationMust {
		t.Errorf("%+v %v", f, err)
	}
	// The API takes the values as the JSON answers carry them, in lower case.
	for _, bad := range []string{"MUSS", "darf", " sollte"} {
		_, err = ParseEntryFilter(url.Values{"obligation": {bad}, "level": {"hoch"}})
		if got := violated(err); !slices.Equal(got, []string{"/level", "/obligation"}) {
			t.Errorf("obligation %q: violations %v", bad, got)
		}
	}
}

// Effort level 0 is a level of its own, not "any".
func TestParseEntryFilterEffort(t *testing.T) {
	f, err := ParseEntryFilter(url.Values{})
	if err != nil || f.Effort != nil {
		t.Errorf("no effort: %+v %v", f, err)
	}
	f, err = ParseEntryFilter(url.Values{"effort": {"0"}})
	if err != nil || f.Effort == nil || *f.Effort != 0 {
		t.Errorf("effort 0: %+v %v", f, err)
	}
	for _, bad := range []string{"6", "-1", "drei"} {
		if _, err := ParseEntryFilter(url.Values{"effort": {bad}}); !slices.Equal(violated(err), []string{"/effort"}) {
			t.Errorf("effort %q: %v", bad, err)
		}
	}
}

func TestParseExceptionFilter(t *testing.T) {
	f, err := ParseExceptionFilter(url.Values{"state": {"expiring"}, "department": {"4"}, "cursor": {"7"}})
	if err != nil || f.State != ExceptionExpiring || f.ExpiringWithin != ExceptionExpiringDays || f.DepartmentID != 4 || f.After != 7 {
		t.Errorf("%+v %v", f, err)
	}
	f, err = ParseExceptionFilter(url.Values{"state": {"expiring"}, "days": {"10"}})
	if err != nil || f.ExpiringWithin != 10 {
		t.Errorf("%+v %v", f, err)
	}
	_, err = ParseExceptionFilter(url.Values{"state": {"lapsed"}, "days": {"400"}, "limit": {"0"}})
	if got := violated(err); !slices.Equal(got, []string{"/state", "/days", "/days", "/limit"}) {
		t.Errorf("exception filter violations %v", got)
	}
}
