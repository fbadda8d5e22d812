package domain

// Every change a user makes to a record is an XChange of pointer fields:
// nil keeps a field, a value sets it, and for a field that may be empty
// a pointer to a nil pointer clears it. The API builds it from a JSON
// merge patch, a page from its form. The store locks the record and
// calls Apply for the full input: the XInput that also creates such a
// record, or, for a record the store derives (a check entry, a measure,
// a threat), the record itself with the change. Validate checks that
// input, and the store adds only the rules that need other records.

// applyField writes a changed value over dst; nil keeps it.
func applyField[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
