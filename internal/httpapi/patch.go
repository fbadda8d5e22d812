package httpapi

import (
	"encoding/json"
	"time"
)

// Every PATCH of the API is a JSON merge patch (RFC 7396): a member that
// is present sets its field, null clears a field that can be empty, and an
// absent member leaves its field as it is. The handlers decode the body
// into a struct of Optional members and build the domain's change of the
// record from them with Change (nil: unchanged); the store applies it to
// the record it has locked (see internal/domain/change.go). The request schemas
// list no required members and allow null exactly where a field can be
// cleared.

// MergePatchType is the media type of a JSON merge patch; PATCH routes
// accept it as well as application/json.
const MergePatchType = "application/merge-patch+json"

// Optional is one member of a merge patch.
type Optional[T any] struct {
	Set   bool // the member is present
	Value T    // its value; the zero value for null
}

// UnmarshalJSON is called for every member present, null included. Dates
// (time.Time) are calendar days, 2006-01-02, as everywhere in the API;
// the schema has checked their format.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	var zero T
	o.Value = zero
	if string(b) == "null" {
		return nil
	}
	switch v := any(&o.Value).(type) {
	case *time.Time:
		return unmarshalDay(b, v)
	case **time.Time:
		*v = new(time.Time)
		return unmarshalDay(b, *v)
	}
	return json.Unmarshal(b, &o.Value)
}

func unmarshalDay(b []byte, t *time.Time) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d, err := time.Parse("2006-01-02", s)
	*t = d
	return err
}

// Change is the member as a field of a domain change: nil when absent,
// else its value (the zero value for null). For a nullable field (T a
// pointer) it is the change's **T: nil keeps, a nil inside clears.
func (o Optional[T]) Change() *T {
	if !o.Set {
		return nil
	}
	v := o.Value
	return &v
}
