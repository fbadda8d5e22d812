package webui

import (
	"slices"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

func TestRankedDepartmentsSkipsALoneRoot(t *testing.T) {
	id := func(n int64) *int64 { return &n }
	fig := func(dept int64, parent *int64) postgres.DepartmentFigures {
		return postgres.DepartmentFigures{ID: dept, ParentID: parent}
	}
	ids := func(fs []postgres.DepartmentFigures) []int64 {
		var out []int64
		for _, f := range fs {
			out = append(out, f.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		all  []postgres.DepartmentFigures
		want []int64
	}{
		{"two roots", []postgres.DepartmentFigures{fig(1, nil), fig(2, nil), fig(3, id(1))}, []int64{1, 2}},
		{"the state above its ministries", []postgres.DepartmentFigures{fig(1, nil), fig(2, id(1)), fig(3, id(1)), fig(4, id(2))}, []int64{2, 3}},
		{"a chain down to two", []postgres.DepartmentFigures{fig(1, nil), fig(2, id(1)), fig(3, id(2)), fig(4, id(2))}, []int64{3, 4}},
		{"one department alone", []postgres.DepartmentFigures{fig(1, nil)}, []int64{1}},
		{"none", nil, nil},
	} {
		if got := ids(rankedDepartments(tc.all)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestForecastLineStopsAtTheHistorysReach(t *testing.T) {
	day := func(n int) time.Time { return time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n) }
	first := day(0)
	// Near: the line reaches zero on the forecast day.
	near := domain.Forecast{Outcome: domain.ForecastDate, To: day(60), Day: day(80), Blockers: 100}
	if p := forecastEnd(near, first); !p.Day.Equal(day(80)) || p.Value != 0 {
		t.Errorf("near forecast ends at %s with %v", p.Day.Format(time.DateOnly), p.Value)
	}
	// Years ahead: the line stops 60 days on (as far as the history
	// reaches back), where the straight line stands at 100·(1 − 60/2000).
	far := domain.Forecast{Outcome: domain.ForecastDate, To: day(60), Day: day(2060), Blockers: 100}
	if p := forecastEnd(far, first); !p.Day.Equal(day(120)) || p.Value < 96.99 || p.Value > 97.01 {
		t.Errorf("far forecast ends at %s with %v", p.Day.Format(time.DateOnly), p.Value)
	}
	// A short history still shows a month of the forecast.
	short := domain.Forecast{Outcome: domain.ForecastDate, To: day(7), Day: day(400), Blockers: 10}
	if p := forecastEnd(short, first); !p.Day.Equal(day(37)) {
		t.Errorf("short history: forecast ends at %s", p.Day.Format(time.DateOnly))
	}
}
