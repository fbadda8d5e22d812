package webui

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/german"
)

func TestEuro(t *testing.T) {
	for cents, want := range map[int64]string{0: "0,00 €", 5: "0,05 €", 125050: "1.250,50 €", 100000000: "1.000.000,00 €", -1999: "-19,99 €"} {
		if got := german.Euro(cents); got != want {
			t.Errorf("FormatEuro(%d) = %q, want %q", cents, got, want)
		}
	}
	for in, want := range map[string]int64{"1.250,50": 125050, "1250,5": 125050, "1250.50": 125050, "1.250": 125000, "1250 €": 125000,
		"0,99": 99, "12.5": 1250, "1.000.000": 100000000, " 7 ": 700} {
		got, ok := parseEuro(in)
		if !ok || got == nil || *got != want {
			t.Errorf("parseEuro(%q) = %v %v, want %d", in, got, ok, want)
		}
	}
	if got, ok := parseEuro(""); !ok || got != nil {
		t.Errorf("empty budget: %v %v", got, ok)
	}
	for _, in := range []string{"viel", "1,234", "-5", "1,2,3", ",5", "12345678901"} {
		if _, ok := parseEuro(in); ok {
			t.Errorf("parseEuro(%q) accepted", in)
		}
	}
}

func TestParseDay(t *testing.T) {
	for in, want := range map[string]string{"2027-03-31": "31.03.2027", "31.03.2027": "31.03.2027", "1.2.2026": "01.02.2026"} {
		d, ok := parseDay(in)
		if !ok || (day{d}).String() != want {
			t.Errorf("parseDay(%q) = %v %v", in, d, ok)
		}
	}
	if d, ok := parseDay(" "); !ok || d != nil {
		t.Error("an empty date clears")
	}
	for _, in := range []string{"bald", "2027-02-30", "31.13.2027", "0001-01-01"} {
		if _, ok := parseDay(in); ok {
			t.Errorf("parseDay(%q) accepted", in)
		}
	}
}

func TestEntryHistory(t *testing.T) {
	before, _ := json.Marshal(map[string]any{"status": "open", "justification": "", "target_date": nil, "follows_group": true})
	after, _ := json.Marshal(map[string]any{"status": "no", "justification": "Härtung folgt", "target_date": "2027-03-31T00:00:00Z", "follows_group": false})
	h := entryHistory([]domain.AuditRecord{{Seq: 3, Action: "check.update", ActorName: "isa", Before: before, After: after}}, time.UTC)
	want := []fieldChange{{Label: "Umsetzungsstatus", Before: "unbearbeitet", After: "nein"},
		{Label: "Begründung", Before: "–", After: "Härtung folgt", Long: true},
		{Label: "Umsetzung bis", Before: "–", After: "31.03.2027"},
		{Label: "Folgt der Gruppe", Before: "ja", After: "nein"}}
	if len(h) != 1 || h[0].Action != "geändert" || len(h[0].Changes) != len(want) {
		t.Fatalf("history %+v", h)
	}
	for i, c := range h[0].Changes {
		if c != want[i] {
			t.Errorf("change %d: %+v, want %+v", i, c, want[i])
		}
	}
}

func TestProgress(t *testing.T) {
	p := newProgress(map[domain.Status]int{domain.StatusYes: 3, domain.StatusNotApplicable: 1, domain.StatusOpen: 4}, nil, "")
	if p.Total != 8 || p.Done != 4 || p.Percent() != 50 || len(p.Bar) != 3 || p.Bar[2].X != "50.000%" {
		t.Errorf("progress %+v", p)
	}
	if got := p.Label(); got != "50 % umgesetzt oder entbehrlich: 4 unbearbeitet, 3 ja, 1 entbehrlich" {
		t.Errorf("label %q", got)
	}
}

func TestPlanStateFollowsTheCheck(t *testing.T) {
	states := func(v planItemView) string {
		var out []string
		for _, o := range v.StateOptions() {
			out = append(out, o.Value)
		}
		return strings.Join(out, " ")
	}
	open := planItemView{PlanItem: domain.PlanItem{State: domain.PlanInProgress, EntryStatus: domain.StatusNo}}
	if got := states(open); got != "planned in_progress" || !open.AwaitsEntry() || open.StateFollowsCheck() {
		t.Errorf("measure of an unfulfilled entry: states %q", got)
	}
	done := planItemView{PlanItem: domain.PlanItem{State: domain.PlanDone, EntryStatus: domain.StatusYes}}
	if done.AwaitsEntry() || !done.StateFollowsCheck() {
		t.Error("the measure of a fulfilled entry is not done by the check")
	}
	// Done by hand before the rule: the form keeps it as it is.
	early := planItemView{PlanItem: domain.PlanItem{State: domain.PlanDone, EntryStatus: domain.StatusPartial}}
	if got := states(early); got != "planned in_progress done" || early.StateFollowsCheck() {
		t.Errorf("done measure of a partial entry: states %q", got)
	}
}

func TestEntryActionLabel(t *testing.T) {
	for action, want := range map[string]string{"check.update": "geändert", "check.update_by_group": "von der Gruppe übernommen"} {
		if got := entryActionLabel(action); got != want {
			t.Errorf("entryActionLabel(%q) = %q, want %q", action, got, want)
		}
	}
}
