package domain

import (
	"fmt"
	"time"
)

// ExceptionState is where an exception stands on a given day.
type ExceptionState string

const (
	ExceptionValid    ExceptionState = "valid"    // gültig
	ExceptionExpiring ExceptionState = "expiring" // gültig, läuft bald ab (a filter of the list)
	ExceptionExpired  ExceptionState = "expired"  // abgelaufen: blocks again
	ExceptionRevoked  ExceptionState = "revoked"  // widerrufen
)

// ExceptionStates lists the states the list of exceptions filters by.
var ExceptionStates = []ExceptionState{ExceptionValid, ExceptionExpiring, ExceptionExpired, ExceptionRevoked}

// ExceptionExpiringDays is how far ahead an exception counts as expiring
// when the list is filtered without a number of days.
const ExceptionExpiringDays = 30

// State is the exception's state on today: revoked, expired once the day
// after its end date has come, otherwise valid (an expiring exception is
// still valid; DaysLeft says how long).
func (e Exception) State(today time.Time) ExceptionState {
	switch {
	case e.RevokedAt != nil:
		return ExceptionRevoked
	case e.ValidUntil.Before(today):
		return ExceptionExpired
	}
	return ExceptionValid
}

// DaysLeft is the number of days from today to the end date (0 on the
// last day it counts, negative once expired).
func (e Exception) DaysLeft(today time.Time) int {
	return int(e.ValidUntil.Sub(today).Hours() / 24)
}

// StateLabel is the state in German as the pages show it, with the days
// left for a valid exception that ends within ExceptionExpiringDays.
func (e Exception) StateLabel(today time.Time) string {
	switch e.State(today) {
	case ExceptionRevoked:
		return "widerrufen"
	case ExceptionExpired:
		return "abgelaufen"
	}
	switch n := e.DaysLeft(today); {
	case n == 0:
		return "gültig, läuft heute ab"
	case n == 1:
		return "gültig, läuft morgen ab"
	case n <= ExceptionExpiringDays:
		return fmt.Sprintf("gültig, läuft in %d Tagen ab", n)
	}
	return "gültig"
}

// ExceptionFilter selects the exceptions of a scope; zero fields do not
// filter.
type ExceptionFilter struct {
	State          ExceptionState
	ExpiringWithin int // days, for ExceptionExpiring (default ExceptionExpiringDays)
	DepartmentID   int64
	Today          time.Time
	After          int64 // cursor: exceptions with a larger id
	Limit          int
}

// MayHaveException reports whether an entry of this obligation can be
// covered by an exception: MUSS and SOLLTE (Methodik UMS.5); a KANN never
// blocks, and an entry without an obligation belongs to a Kompendium scope.
func (o Obligation) MayHaveException() bool { return o == ObligationMust || o == ObligationShould }

// MayBeRiskAccepted reports whether an unfulfilled entry of this level and
// obligation may be covered by a risk acceptance: never a Basis
// requirement (rule 3) and never a MUSS, which only an exception covers.
func MayBeRiskAccepted(l Level, o Obligation) bool { return l != LevelBasis && o != ObligationMust }

// HasValidException reports whether the entry's exception (the one not
// revoked) counts on today.
func (e CheckEntry) HasValidException(today time.Time) bool {
	return e.ExceptionUntil != nil && !e.ExceptionUntil.Before(today)
}

