package postgres

import (
	"maps"
	"reflect"
	"slices"
	"testing"

	"ismsd/internal/domain"
)

// TestObjectFieldColumnsCoverObjectFields: every plain field of a target
// object has its column in objectFieldColumns, so that a new field cannot
// be read without being written.
func TestObjectFieldColumnsCoverObjectFields(t *testing.T) {
	var fields []string
	typ := reflect.TypeOf(domain.ObjectFields{})
	for i := range typ.NumField() {
		name := typ.Field(i).Tag.Get("db")
		if name == "-" { // the tags, which objectRow reads itself
			name = "tags"
		}
		fields = append(fields, name)
	}
	var columns []string
	for _, c := range objectFieldColumns {
		columns = append(columns, c.name)
	}
	if !slices.Equal(columns, fields) {
		t.Errorf("objectFieldColumns %v, want the fields of domain.ObjectFields in their order: %v", columns, fields)
	}
	if rowTags, _ := reflect.TypeOf(objectRow{}).FieldByName("Tags"); rowTags.Tag.Get("db") != "tags" {
		t.Errorf("objectRow does not read the tags")
	}
}

// TestObjectSortsCoverTheSortKeys: every order the object filter accepts
// has its terms here, and no other.
func TestObjectSortsCoverTheSortKeys(t *testing.T) {
	keys := slices.Sorted(maps.Keys(objectSorts))
	if want := slices.Sorted(slices.Values(domain.ObjectSortKeys)); !slices.Equal(keys, want) {
		t.Errorf("objectSorts has %v, the filter accepts %v", keys, want)
	}
}
