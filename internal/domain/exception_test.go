package domain

import (
	"testing"
	"time"
)

func TestExceptionState(t *testing.T) {
	today := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return today.AddDate(0, 0, n) }
	revoked := day(-1)
	for _, c := range []struct {
		e     Exception
		state ExceptionState
		label string
	}{
		{Exception{ValidUntil: day(90)}, ExceptionValid, "gültig"},
		{Exception{ValidUntil: day(12)}, ExceptionValid, "gültig, läuft in 12 Tagen ab"},
		{Exception{ValidUntil: day(1)}, ExceptionValid, "gültig, läuft morgen ab"},
		{Exception{ValidUntil: today}, ExceptionValid, "gültig, läuft heute ab"},
		{Exception{ValidUntil: day(-1)}, ExceptionExpired, "abgelaufen"},
		{Exception{ValidUntil: day(30), RevokedAt: &revoked}, ExceptionRevoked, "widerrufen"},
	} {
		if got := c.e.State(today); got != c.state || c.e.Valid(today) != (c.state == ExceptionValid) {
			t.Errorf("until %s: state %s, want %s", c.e.ValidUntil.Format(time.DateOnly), got, c.state)
		}
		if got := c.e.StateLabel(today); got != c.label {
			t.Errorf("until %s: label %q, want %q", c.e.ValidUntil.Format(time.DateOnly), got, c.label)
		}
	}
}

func TestUnmetMustAndRiskAcceptance(t *testing.T) {
	today := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	later, earlier := today.AddDate(0, 0, 5), today.AddDate(0, 0, -1)
	// Whether an unmet MUSS blocks is gate G5's to say (in SQL); the
	// entry only tells whether its exception counts today.
	must := CheckEntry{Active: true, Obligation: ObligationMust, Status: StatusNo}
	if must.HasValidException(today) {
		t.Error("no exception counts")
	}
	must.ExceptionUntil = &today
	if !must.HasValidException(today) {
		t.Error("an exception counts on its last day")
	}
	must.ExceptionUntil = &later
	if !must.HasValidException(today) {
		t.Error("a valid exception counts")
	}
	must.ExceptionUntil = &earlier
	if must.HasValidException(today) {
		t.Error("an expired exception counts no more")
	}
	if MayBeRiskAccepted(LevelStandard, ObligationMust) || MayBeRiskAccepted(LevelBasis, "") ||
		!MayBeRiskAccepted(LevelStandard, ObligationShould) || !MayBeRiskAccepted(LevelStandard, "") {
		t.Error("MUSS and Basis are never risk-accepted; SOLLTE and Standard may be")
	}
	if !ObligationMust.MayHaveException() || !ObligationShould.MayHaveException() || ObligationMay.MayHaveException() || Obligation("").MayHaveException() {
		t.Error("exceptions cover MUSS and SOLLTE only")
	}
}
