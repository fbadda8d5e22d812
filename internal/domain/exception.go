package domain

import (
	"fmt"
	"strings"
	"time"
)

// ExceptionInput is an exception (Ausnahme, Methodik UMS.5) as management
// authorises it: why the requirement is not met, and until when.
type ExceptionInput struct {
	Justification string `json:"justification"`
	ValidUntil    string `json:"valid_until"` // YYYY-MM-DD
}

// ExceptionJustificationMax is the longest justification, in characters.
const ExceptionJustificationMax = 4000

// Validate trims the input and checks it against today: the end date must
// lie after today, the justification be written out.
func (in *ExceptionInput) Validate(today time.Time) (time.Time, []Violation) {
	v := requiredText("/justification", &in.Justification, ExceptionJustificationMax,
		"Eine Ausnahme braucht eine Begründung.", "Die Begründung darf höchstens 4.000 Zeichen lang sein.")
	until, err := time.Parse(time.DateOnly, strings.TrimSpace(in.ValidUntil))
	switch {
	case strings.TrimSpace(in.ValidUntil) == "":
		v = append(v, Violation{Pointer: "/valid_until", Detail: "must not be empty",
			German: "Eine Ausnahme braucht ein Enddatum."})
	case err != nil:
		v = append(v, Violation{Pointer: "/valid_until", Detail: "is not a date (YYYY-MM-DD)",
			German: "Das Enddatum ist kein gültiges Datum."})
	case !until.After(today):
		v = append(v, Violation{Pointer: "/valid_until", Detail: "must lie after today",
			German: "Das Enddatum muss nach dem heutigen Tag liegen."})
	}
	return until, v
}

// Exception is an authorised exception for one check entry. It counts
// while it is not revoked and its end date has not passed.
type Exception struct {
	ID            int64      `db:"id" json:"id"`
	ScopeID       int64      `db:"scope_id" json:"scope_id"`
	EntryID       int64      `db:"entry_id" json:"entry_id"`
	Justification string     `db:"justification" json:"justification"`
	ValidUntil    time.Time  `db:"valid_until" json:"valid_until"`
	AuthorisedBy  string     `db:"authorised_by" json:"authorised_by"`
	AuthorisedAt  time.Time  `db:"authorised_at" json:"authorised_at"`
	RevokedAt     *time.Time `db:"revoked_at" json:"revoked_at,omitempty"`
	RevokedBy     string     `db:"revoked_by" json:"revoked_by,omitempty"`
	Version       int        `db:"version" json:"version"`
	RequirementID string     `db:"requirement_id" json:"requirement_id"`
	ObjectID      int64      `db:"object_id" json:"object_id"`
	ObjectShortID string     `db:"short_id" json:"object_short_id"`
	ObjectName    string     `db:"object_name" json:"object_name"`
	DepartmentID  *int64     `db:"department_id" json:"department_id,omitempty"`
	// The entry it covers, as it stands now.
	Title       string     `db:"title" json:"title"`
	Obligation  Obligation `db:"obligation" json:"obligation"`
	EntryStatus Status     `db:"entry_status" json:"entry_status"`
}

// Valid tells whether the exception counts on today (a calendar date as
// Today gives it): not revoked, and its end date, the last day it counts,
// not passed.
func (e Exception) Valid(today time.Time) bool {
	return e.RevokedAt == nil && !e.ValidUntil.Before(today)
}

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
