package postgres

import (
	"errors"
	"testing"

	"ismsd/internal/domain"
)

// TestLockVersion: the read's own refusals pass unchanged (a missing
// record, a state that allows no change) and come before the version;
// anyVersion skips the comparison; a stale version is refused naming
// the record.
func TestLockVersion(t *testing.T) {
	name := recordName{"finding 7", "Die Feststellung"}
	notFound := domain.Errorf(domain.ErrNotFound, "no finding 7").De("Diese Feststellung gibt es nicht.")
	closed := domain.Errorf(domain.ErrConflict, "finding 7 is closed")
	for _, c := range []struct {
		name      string
		seen      int
		readErr   error
		want      error // the error itself, or its kind
		wantStale bool
	}{
		{"current", 3, nil, nil, false},
		{"any version", anyVersion, nil, nil, false},
		{"stale", 2, nil, domain.ErrPreconditionFailed, true},
		{"missing", 3, notFound, notFound, false},
		{"missing, stale", 2, notFound, notFound, false},
		{"state first", 2, closed, closed, false},
	} {
		calls := 0
		rec, err := lockVersion(name, c.seen, func() (string, int, error) {
			calls++
			return "record", 3, c.readErr
		})
		if calls != 1 || rec != "record" {
			t.Errorf("%s: %d reads, record %q", c.name, calls, rec)
		}
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if !c.wantStale {
			continue
		}
		if err.Error() != "finding 7 was changed by someone else (version 3, not 2)" ||
			domain.GermanMessage(err) != "Die Feststellung wurde inzwischen geändert. Bitte laden Sie die Seite neu." {
			t.Errorf("%s: %q / %q", c.name, err, domain.GermanMessage(err))
		}
	}
}
