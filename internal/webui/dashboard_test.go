package webui

import (
	"slices"
	"testing"

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
