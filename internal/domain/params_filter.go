package domain

import "net/url"

// ParamFilter narrows the list of a scope's parameters (Methodik STM.5.1).
type ParamFilter struct {
	UnsetOnly   bool   // only parameters with neither a value of the scope nor a preset
	Requirement string // only parameters of requirements whose id starts with this (any case)
	Limit       int    // 1 … 500; 0: 500 (a package holds some 250 at most)
	Offset      int    // parameters skipped: the cursor of the next page
}

// ParseParamFilter reads the parameters of the list: unset=true,
// requirement, limit and cursor (as next_cursor gave it).
func ParseParamFilter(v url.Values) (ParamFilter, error) {
	q := query{v: v}
	f := ParamFilter{UnsetOnly: q.flag("unset"), Requirement: q.text("requirement")}
	if TooLong(f.Requirement, 100) {
		q.bad("requirement", "is longer than 100 characters", "Die Kennung ist zu lang.")
	}
	q.limit(&f.Limit, 500)
	q.number("cursor", &f.Offset, 1, -1, "must be a positive number", "Ungültige Angabe.")
	return f, q.err()
}
