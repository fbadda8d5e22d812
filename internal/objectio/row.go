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

// Field limits, in characters (runes, as JSON Schema's maxLength counts).
const (
	maxText     = 200  // every one-line field, each tag and each dependency
	maxLongText = 4000 // description and the three need justifications
	maxTags     = 50
	maxMembers  = 1_000_000 // a bound for the database's integer, far above any real group
)

// Row is one target object of an import or export file.
type Row struct {
	// Line is the 1-based position of the row: for CSV the file's line the
	// record starts on, for XLSX the sheet's row number (both counting the
	// header), for JSON the index in "objects" plus one.
	Line int

	ExternalID  string            // the CMDB key; required; the upsert key
	ShortID     string            // e.g. "S-017"; optional, the store generates one
	Name        string            // required
	Type        domain.ObjectType // required; never ObjectScope
	Description string
	Department  string // department code, e.g. "TLRZ"; may be empty
	Responsible string
	Location    string
	Tags        []string // in the file separated by ";"

	NoSuitableModule     bool
	UntypicalEnvironment bool
	Group                bool // a group of alike objects
	Members              int  // member count; 1 unless Group

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

var columnNames = [numColumns]string{
	ColExternalID, ColShortID, ColName, ColType, ColDescription, ColDepartment, ColResponsible,
	ColLocation, ColTags, ColNoSuitableModule, ColUntypicalEnvironment, ColGroup, ColMembers,
	ColNeedC, ColNeedI, ColNeedA, ColNeedCReason, ColNeedIReason, ColNeedAReason, ColDependsOn,
}

// germanNames are the German headers, accepted on import and used in the
// German messages.
var germanNames = [numColumns]string{
	"Externe ID", "Kürzel", "Name", "Typ", "Beschreibung", "Organisationseinheit", "Verantwortlich",
	"Standort", "Schlagworte", "Kein passender Baustein", "Untypisches Einsatzumfeld", "Gruppe", "Anzahl",
	"Schutzbedarf Vertraulichkeit", "Schutzbedarf Integrität", "Schutzbedarf Verfügbarkeit",
	"Begründung Vertraulichkeit", "Begründung Integrität", "Begründung Verfügbarkeit", "Hängt ab von",
}

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
