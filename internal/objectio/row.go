// Package objectio reads and writes the import and export files of target
// objects (Zielobjekte) and their dependencies, as CSV, XLSX and JSON.
//
// The package is pure: it parses and validates a file into rows and reports
// every problem with its line and column; the caller diffs the rows against
// the store and writes them. The upsert key is the external ID (the CMDB
// key). Dependencies name other objects by external ID; whether those exist
// (in the file or in the store) is for the caller to decide.
//
// All three formats share one set of columns (see Columns), in one order;
// CSV and XLSX carry them as a header row, JSON as field names. A column the
// file does not have leaves the stored value alone (Row.Present); an empty
// cell clears it.
package objectio

import (
	"fmt"

	"ismsd/internal/domain"
)

// MaxRows bounds the data rows of one file. It is checked while reading,
// so that a larger file is refused before it is parsed to the end.
const MaxRows = 100000

// Limits of the fields that are not checked by domain's rules of a
// target object, in characters (runes, as JSON Schema's maxLength counts).
const (
	maxText    = 200       // the department code, each tag and each dependency
	maxMembers = 1_000_000 // a bound for the database's integer, far above any real group
)

// Row is one target object of an import or export file.
type Row struct {
	// Line is the 1-based position of the row: for CSV the file's line the
	// record starts on, for XLSX the sheet's row number (both counting the
	// header), for JSON the index in "objects" plus one.
	Line int

	// The plain fields: the external ID (the CMDB key; required; the upsert
	// key) and the name are required; the tags are separated by ";" in the
	// file.
	domain.ObjectFields

	ShortID    string            // e.g. "S-017"; optional, the store generates one
	Type       domain.ObjectType // required; never ObjectScope
	Department string            // department code, e.g. "TLRZ"; may be empty

	Group   bool // a group of alike objects
	Members int  // member count; 1 unless Group

	Need       [3]domain.Need // own assessment C, I, A; NeedUnknown if empty
	NeedReason [3]string      // justification per objective

	DependsOn []string // external IDs this object depends on; in the file separated by ";"

	// Present says which columns (by canonical name, see Columns) the file
	// gives for this row. An absent column leaves the stored value alone; a
	// present but empty one clears it. Two columns are marked present without
	// being in the file, so that the stored object stays consistent: "group"
	// when a member count above 1 implies it, and "members" (as 1) when the
	// row says the object is not a group.
	Present map[string]bool
}

// RowError locates one problem of a file.
type RowError struct {
	Line   int    // as in Row.Line; 0 for the file as a whole (e.g. a missing required column)
	Column string // canonical column name, e.g. "type"; an unknown column as written in the file
	Detail string // English
	German string // German, for the UI
}

func (e RowError) Error() string {
	switch {
	case e.Line == 0 && e.Column == "":
		return e.Detail
	case e.Line == 0:
		return fmt.Sprintf("column %s: %s", e.Column, e.Detail)
	case e.Column == "":
		return fmt.Sprintf("line %d: %s", e.Line, e.Detail)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Detail)
}

// The canonical column names, also the JSON field names and the keys of
// Row.Present.
const (
	ColExternalID           = "external_id"
	ColShortID              = "short_id"
	ColName                 = "name"
	ColType                 = "type"
	ColDescription          = "description"
	ColDepartment           = "department"
	ColResponsible          = "responsible"
	ColLocation             = "location"
	ColTags                 = "tags"
	ColNoSuitableModule     = "no_suitable_module"
	ColUntypicalEnvironment = "untypical_environment"
	ColGroup                = "group"
	ColMembers              = "members"
	ColNeedC                = "need_c"
	ColNeedI                = "need_i"
	ColNeedA                = "need_a"
	ColNeedCReason          = "need_c_reason"
	ColNeedIReason          = "need_i_reason"
	ColNeedAReason          = "need_a_reason"
	ColDependsOn            = "depends_on"
)

// column indexes the canonical columns in their canonical order.
type column int

const (
	cExternalID column = iota
	cShortID
	cName
	cType
	cDescription
	cDepartment
	cResponsible
	cLocation
	cTags
	cNoSuitableModule
	cUntypicalEnvironment
	cGroup
	cMembers
	cNeedC
	cNeedI
	cNeedA
	cReasonC
	cReasonI
	cReasonA
	cDependsOn
	numColumns
)

// columnSpec describes a column of the files.
type columnSpec struct {
	name      string // canonical: the header, the JSON field and the key of Row.Present
	german    string // the German header, accepted on import and used in the German messages
	multiline bool   // a long text that may hold line breaks
	// text is the plain text field of the object that the column holds, with
	// its rule: the domain.ObjectText of the column's name, nil for the
	// columns that check.go reads one by one.
	text *domain.ObjectText
}

// columns are the columns in their canonical order. A new plain text
// field of target objects (domain.ObjectTexts) is its index in the list
// above and one line here, with its name as the domain's; its rule comes
// from the domain, and reading, writing and comparing take it from here.
var columns = func() [numColumns]columnSpec {
	cs := [numColumns]columnSpec{
		cExternalID:           {name: ColExternalID, german: "Externe ID"},
		cShortID:              {name: ColShortID, german: "Kürzel"},
		cName:                 {name: ColName, german: "Name"},
		cType:                 {name: ColType, german: "Typ"},
		cDescription:          {name: ColDescription, german: "Beschreibung", multiline: true},
		cDepartment:           {name: ColDepartment, german: "Organisationseinheit"},
		cResponsible:          {name: ColResponsible, german: "Verantwortlich"},
		cLocation:             {name: ColLocation, german: "Standort"},
		cTags:                 {name: ColTags, german: "Schlagworte"},
		cNoSuitableModule:     {name: ColNoSuitableModule, german: "Kein passender Baustein"},
		cUntypicalEnvironment: {name: ColUntypicalEnvironment, german: "Untypisches Einsatzumfeld"},
		cGroup:                {name: ColGroup, german: "Gruppe"},
		cMembers:              {name: ColMembers, german: "Anzahl"},
		cNeedC:                {name: ColNeedC, german: "Schutzbedarf Vertraulichkeit"},
		cNeedI:                {name: ColNeedI, german: "Schutzbedarf Integrität"},
		cNeedA:                {name: ColNeedA, german: "Schutzbedarf Verfügbarkeit"},
		cReasonC:              {name: ColNeedCReason, german: "Begründung Vertraulichkeit", multiline: true},
		cReasonI:              {name: ColNeedIReason, german: "Begründung Integrität", multiline: true},
		cReasonA:              {name: ColNeedAReason, german: "Begründung Verfügbarkeit", multiline: true},
		cDependsOn:            {name: ColDependsOn, german: "Hängt ab von"},
	}
	for c := range cs {
		if t, ok := domain.ObjectTextNamed(cs[c].name); ok {
			cs[c].text = &t
		}
	}
	return cs
}()

// columnNames and germanNames are the canonical and the German headers
// in column order.
var columnNames, germanNames = func() (names, german [numColumns]string) {
	for c, spec := range columns {
		names[c], german[c] = spec.name, spec.german
	}
	return names, german
}()

// required are the columns a file must have and a row must fill.
var required = [...]column{cExternalID, cName, cType}

func (c column) String() string { return columnNames[c] }

// columnByName maps a canonical name to its column.
var columnByName = func() map[string]column {
	m := make(map[string]column, numColumns)
	for c, n := range columnNames {
		m[n] = column(c)
	}
	return m
}()

// Columns returns the canonical column names in their order.
func Columns() []string { return append([]string(nil), columnNames[:]...) }

// needCols and reasonCols index the three objectives C, I, A.
var (
	needCols   = [3]column{cNeedC, cNeedI, cNeedA}
	reasonCols = [3]column{cReasonC, cReasonI, cReasonA}
)
