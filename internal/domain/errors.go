// Package domain holds the types, errors and pure rules of ismsd. It imports
// only the standard library so that every other package can depend on it.
package domain

import (
	"errors"
	"fmt"
	"time"
)

// Error kinds. Adapters map them to their own vocabulary (HTTP status, exit
// code); code compares with errors.Is.
var (
	ErrNotFound             = errors.New("not found")
	ErrConflict             = errors.New("conflict")
	ErrInvalid              = errors.New("invalid")
	ErrUnauthenticated      = errors.New("unauthenticated")
	ErrForbidden            = errors.New("forbidden")
	ErrPreconditionFailed   = errors.New("precondition failed")
	ErrPreconditionRequired = errors.New("precondition required")
	ErrTooLarge             = errors.New("too large")
	ErrThrottled            = errors.New("throttled")
	ErrIntegrity            = errors.New("stored content failed its integrity check")
	// ErrUnavailable: a dependency (the database) cannot be reached just
	// now; the same request may well succeed in a moment.
	ErrUnavailable = errors.New("temporarily unavailable")
)

// Violation is one reason why input was refused, located by a JSON pointer
// (RFC 6901) into the input.
type Violation struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
	German  string `json:"-"` // what the web UI says, when known
}

// Error is an error of a known kind whose message may be shown to the client.
type Error struct {
	Kind       error
	Message    string
	German     string // what the web UI says, when known
	Violations []Violation
	RetryAfter time.Duration // for ErrThrottled and ErrUnavailable
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Kind }

// Errorf returns an *Error of the given kind with a formatted public message.
func Errorf(kind error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// De sets the German message the web UI shows.
func (e *Error) De(german string) *Error {
	e.German = german
	return e
}

// Invalid returns an ErrInvalid error listing the violations.
func Invalid(violations ...Violation) *Error {
	e := &Error{Kind: ErrInvalid, Message: "the input is invalid", Violations: violations}
	if len(violations) == 1 {
		e.Message, e.German = violations[0].Detail, violations[0].German
	}
	return e
}

// GermanMessage returns the German message of err, or "" when it has none.
func GermanMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.German
	}
	return ""
}
