package postgres

import "ismsd/internal/domain"

// Every change of a record is made on the version its writer read (the
// ETag of the API, the hidden field of a page), so that no one overwrites
// a change they have not seen. The store locks the record, compares the
// versions and refuses a stale change in one way for every kind of record.

// anyVersion passed as the version a writer saw skips the comparison, for
// changes that cannot lose anything (disabling an account, adding a
// threat to an analysis). The API and the pages never pass it: a request
// without a version reaches the store as -1.
const anyVersion = 0

// recordName names one record in what the store says about it: in
// English for the API and the logs ("finding 12"), and in German as the
// subject of a sentence, with its article, for the pages ("Die
// Feststellung").
type recordName struct {
	en, de string
}

// errStale is the refusal of a change made on a version of the record
// that is no longer the current one: someone else changed it since.
func (n recordName) errStale(current, seen int) *domain.Error {
	return domain.Errorf(domain.ErrPreconditionFailed, "%s was changed by someone else (version %d, not %d)", n.en, current, seen).
		De(n.changed() + " Bitte laden Sie die Seite neu.")
}

// changed is the German of a stale refusal without the advice to load the
// page again: the refusal of one item of a bulk, whose page shows the
// current values and says what to do.
func (n recordName) changed() string { return n.de + " wurde inzwischen geändert." }

// lockVersion reads a record for a change and refuses the change when
// the record is no longer at the version seen by its writer (anyVersion:
// whatever version it is at).
//
// read locks what the change needs (the record's row FOR UPDATE, or the
// row it belongs to) and returns the record with its version. It answers
// a missing record, or one the writer may not see, as every read of that
// record does (ErrNotFound with its own message), and it refuses a record
// whose state allows no change, before its version counts: such a
// refusal says more than "changed by someone else".
func lockVersion[T any](name recordName, seen int, read func() (T, int, error)) (T, error) {
	rec, current, err := read()
	if err != nil {
		return rec, err
	}
	if seen != anyVersion && current != seen {
		return rec, name.errStale(current, seen)
	}
	return rec, nil
}
