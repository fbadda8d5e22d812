package domain

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEntryChange(t *testing.T) {
	last, next := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	cur := CheckEntry{ID: 7, Status: StatusYes, Justification: "alt", Responsible: "Referat 1", TargetDate: &last, FollowsGroup: true, Version: 3}

	// nil keeps a field, a value sets it, a pointer to nil clears a date;
	// a change by hand ends following the group.
	partial, why, none := StatusPartial, "  Mittel fehlen  ", (*time.Time)(nil)
	e := EntryChange{Status: &partial, Justification: &why, TargetDate: &none}.Apply(cur)
	if e.Status != StatusPartial || e.Justification != why || e.Responsible != "Referat 1" || e.TargetDate != nil || e.FollowsGroup ||
		e.ID != 7 || e.Version != 3 {
		t.Fatalf("applied: %+v", e)
	}
	if vs := e.Validate(); len(vs) != 0 || e.Justification != "Mittel fehlen" {
		t.Errorf("valid change: %v, justification %q", vs, e.Justification)
	}
	if cur.Justification != "alt" || cur.TargetDate == nil {
		t.Errorf("the current entry changed: %+v", cur)
	}

	// Rule 3 and the order of reviews; the violations come in the order
	// of the form.
	blank := " "
	bad := EntryChange{Status: &partial, Justification: &blank, LastReview: new(&last), NextReview: new(&next)}.Apply(cur)
	if got := pointers(bad.Validate()); !slices.Equal(got, []string{"/justification", "/next_review"}) {
		t.Errorf("violations: %v", got)
	}
	unknown := Status("vielleicht")
	odd := EntryChange{Status: &unknown}.Apply(cur)
	if got := pointers(odd.Validate()); !slices.Equal(got, []string{"/status"}) {
		t.Errorf("unknown status: %v", got)
	}

	// Following the group takes every value of the group's entry.
	group := CheckEntry{Status: StatusNo, Justification: "Gruppe", Implementation: "geplant", Responsible: "Referat 2", NextReview: &next}
	member := EntryChange{FollowGroup: true}.Apply(cur).Follow(group)
	if !member.FollowsGroup || member.Status != StatusNo || member.Justification != "Gruppe" || member.Responsible != "Referat 2" ||
		member.TargetDate != nil || member.NextReview != &next || member.ID != 7 {
		t.Errorf("following: %+v", member)
	}
}

func TestPlanChange(t *testing.T) {
	budget := int64(125050)
	cur := PlanItem{ID: 4, Measure: "Umsetzung von SYS.1.1.A1", Owner: "", BudgetCents: &budget, Priority: 2, State: PlanPlanned, Version: 2}
	owner, nobudget, done := " Referat 7 ", (*int64)(nil), PlanDone
	p := PlanChange{Owner: &owner, BudgetCents: &nobudget, State: &done}.Apply(cur)
	if vs := p.Validate(); len(vs) != 0 {
		t.Fatalf("valid: %v", vs)
	}
	if p.Owner != "Referat 7" || p.BudgetCents != nil || p.State != PlanDone || p.Measure != cur.Measure || p.Priority != 2 || cur.BudgetCents == nil {
		t.Errorf("applied: %+v (current %+v)", p, cur)
	}
	zero, negative, odd := 0, int64(-1), PlanState("bald")
	bad := PlanChange{Priority: &zero, State: &odd, BudgetCents: new(&negative), Measure: new(strings.Repeat("x", 4001))}.Apply(cur)
	if got := pointers(bad.Validate()); !slices.Equal(got, []string{"/priority", "/state", "/budget_eur", "/measure"}) {
		t.Errorf("violations: %v", got)
	}
}

func TestRiskChanges(t *testing.T) {
	cur := RiskItem{ID: 3, ThreatID: "G 0.8", Title: "Ausfall der Stromversorgung", Frequency: FrequencyMedium, Impact: ImpactLimited,
		Requirements: []LinkedRequirement{{ID: "INF.2.A12", Title: "Blitzschutz"}}, Version: 5}
	reqs := []string{" SYS.1.1.A35 ", "", "SYS.1.1.A35", "INF.2.A12"}
	measures := "  USV  "
	it := RiskItemChange{Measures: &measures, Requirements: &reqs}.Apply(cur)
	if vs := it.Validate(); len(vs) != 0 {
		t.Fatalf("valid: %v", vs)
	}
	// The requirements carry their IDs only, each once, for the store to
	// look up; the current item keeps its own.
	if it.Measures != "USV" || !slices.Equal(ids(it.Requirements), []string{"SYS.1.1.A35", "INF.2.A12"}) || it.Requirements[1].Title != "" ||
		cur.Requirements[0].Title != "Blitzschutz" || it.Frequency != FrequencyMedium {
		t.Errorf("applied: %+v", it)
	}
	if kept := (RiskItemChange{}).Apply(cur); !slices.Equal(ids(kept.Requirements), []string{"INF.2.A12"}) {
		t.Errorf("requirements without a change: %v", kept.Requirements)
	}
	rare, often := FrequencyRare, FrequencyVeryOften
	above := RiskItemChange{ResidualFrequency: &often, Frequency: &rare}.Apply(cur)
	if got := pointers(above.Validate()); !slices.Equal(got, []string{"/residual_frequency"}) {
		t.Errorf("residual above the risk: %v", got)
	}

	for _, c := range []struct {
		in   RiskItemInput
		want []string
	}{
		{RiskItemInput{ThreatID: " G 0.16 "}, nil},
		{RiskItemInput{Title: " Ausfall der Fernwartung "}, nil},
		{RiskItemInput{ThreatID: "G 0.16", Title: "Eigene"}, []string{"/title"}},
		{RiskItemInput{Title: "  ", Description: strings.Repeat("x", 8001)}, []string{"/title", "/description"}},
		{RiskItemInput{Title: strings.Repeat("x", 301)}, []string{"/title"}},
	} {
		in := c.in
		if got := pointers(in.Validate()); !slices.Equal(got, append([]string{}, c.want...)) {
			t.Errorf("%+v: %v, want %v", c.in, got, c.want)
		}
		if in.ThreatID != strings.TrimSpace(c.in.ThreatID) || in.Title != strings.TrimSpace(c.in.Title) {
			t.Errorf("not trimmed: %+v", in)
		}
	}

	summary := " Geprüft mit der Fachabteilung "
	a := RiskAnalysisChange{Summary: &summary}.Apply(RiskAnalysis{Summary: "alt"})
	if vs := a.Validate(); len(vs) != 0 || a.Summary != "Geprüft mit der Fachabteilung" {
		t.Errorf("summary: %q %v", a.Summary, vs)
	}
	if kept := (RiskAnalysisChange{}).Apply(RiskAnalysis{Summary: "alt"}); kept.Summary != "alt" {
		t.Errorf("summary without a change: %q", kept.Summary)
	}

	today := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	sig := Signature{UserID: 9, On: today}
	if vs := (AcceptInput{Signature: sig, Today: today, EntryIDs: []int64{1, 2}}).Validate(); len(vs) != 0 {
		t.Errorf("acceptance: %v", vs)
	}
	late := AcceptInput{Signature: Signature{UserID: 9, On: today.AddDate(0, 0, 1)}, Today: today, EntryIDs: make([]int64, MaxAcceptedEntries+1)}
	if got := pointers(late.Validate()); len(got) != 2 || got[1] != "/entries" {
		t.Errorf("signed tomorrow, too many entries: %v", got)
	}
}

func ids(rs []LinkedRequirement) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestEvidenceAndSampleChanges(t *testing.T) {
	dept := int64(4)
	cur := Evidence{Title: "Passwortrichtlinie", Description: "v1", DepartmentID: &dept, Tags: []string{"A.0", "ORP.4"}}
	tags := []string{" A.0 ", "", "IDM"}
	var none *int64
	in := EvidenceChange{DepartmentID: &none, Tags: &tags}.Apply(cur)
	if vs := in.Validate(); len(vs) != 0 {
		t.Fatalf("valid: %v", vs)
	}
	if in.Title != cur.Title || in.DepartmentID != nil || !slices.Equal(in.Tags, []string{"A.0", "IDM"}) {
		t.Errorf("applied: %+v", in)
	}
	// Validate trims the input's own tags, never the record's.
	rec := Evidence{Title: "x", Tags: []string{" a ", "", "b"}}
	kept := (EvidenceChange{}).Apply(rec)
	kept.Validate()
	if !slices.Equal(rec.Tags, []string{" a ", "", "b"}) || !slices.Equal(kept.Tags, []string{"a", "b"}) {
		t.Errorf("tags: record %q, input %q", rec.Tags, kept.Tags)
	}

	s := SampleItem{Result: ResultOpen, Note: "alt", Version: 2}
	conforming, note := ResultConforming, " ohne Befund "
	got := SampleResultChange{Result: &conforming, Note: &note}.Apply(s)
	if vs := got.Validate(); len(vs) != 0 || got.Result != ResultConforming || got.Note != "ohne Befund" || s.Note != "alt" {
		t.Errorf("result: %+v %v", got, vs)
	}
	great := SampleResult("great")
	odd := SampleResultChange{Result: &great}.Apply(s)
	if vs := odd.Validate(); !slices.Equal(pointers(vs), []string{"/result"}) {
		t.Errorf("unknown result: %v", vs)
	}

	review := ReviewInput{Decision: ReviewNeedsInfo, Comment: "  "}
	if vs := review.Validate(); !slices.Equal(pointers(vs), []string{"/comment"}) {
		t.Errorf("a question without a text: %v", vs)
	}
	if vs := (&ReviewInput{Decision: ReviewSubmitted}).Validate(); !slices.Equal(pointers(vs), []string{"/decision", "/comment"}) {
		t.Errorf("no decision: %v", vs)
	}
	if vs := (&ReviewInput{Decision: ReviewAccepted}).Validate(); len(vs) != 0 {
		t.Errorf("accepted without a comment: %v", vs)
	}
	comment := CommentInput{Body: " Liegt bei. "}
	if vs := comment.Validate(); len(vs) != 0 || comment.Body != "Liegt bei." {
		t.Errorf("comment: %q %v", comment.Body, vs)
	}
	if vs := (&CorrectiveActionInput{Description: "  "}).Validate(); !slices.Equal(pointers(vs), []string{"/description"}) {
		t.Errorf("empty corrective action: %v", vs)
	}
	v := VerificationInput{Verdict: VerdictRejected, Comment: " "}
	if vs := v.Validate(); !slices.Equal(pointers(vs), []string{"/comment"}) {
		t.Errorf("rejection without a reason: %v", vs)
	}
	if vs := (&VerificationInput{Verdict: VerdictPending}).Validate(); !slices.Equal(pointers(vs), []string{"/verdict"}) {
		t.Errorf("no verdict: %v", vs)
	}
}

func TestUserChange(t *testing.T) {
	cur := User{ID: 2, Username: "jana", DisplayName: "Jana B.", Email: "jana@example.org"}
	name, off := " J. B. ", true
	in := UserChange{DisplayName: &name, Disabled: &off}.Apply(cur)
	if vs := in.Validate(); len(vs) != 0 || in.DisplayName != "J. B." || in.Email != cur.Email || !in.Disabled {
		t.Errorf("applied: %+v %v", in, vs)
	}
	long := UserInput{DisplayName: strings.Repeat("x", 201), Email: strings.Repeat("x", 255)}
	if got := pointers(long.Validate()); !slices.Equal(got, []string{"/display_name", "/email"}) {
		t.Errorf("too long: %v", got)
	}
}
