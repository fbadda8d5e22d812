package postgres

import (
	"slices"
	"testing"
)

// TestKeysetPage: a page read with one row more than its limit is cut to
// the limit and names the key of its last row; a shorter one is whole.
func TestKeysetPage(t *testing.T) {
	key := func(r [2]int64) int64 { return r[1] }
	rows := [][2]int64{{1, 10}, {2, 20}, {3, 30}}
	for _, c := range []struct {
		limit, want int
		next        int64
	}{{2, 2, 20}, {3, 3, 0}, {5, 3, 0}} {
		got, next := keysetPage(slices.Clone(rows), c.limit, key)
		if len(got) != c.want || next != c.next {
			t.Errorf("limit %d: %d rows, next %d; want %d rows, next %d", c.limit, len(got), next, c.want, c.next)
		}
	}
}
