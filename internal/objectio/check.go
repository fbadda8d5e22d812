package objectio

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"ismsd/internal/domain"
)

// record is one row as the file gives it, before validation: the text of
// every column, whatever the format. JSON values are turned into the same
// text a CSV cell would hold, so that one checker serves all formats.
type record struct {
	line int
	has  [numColumns]bool   // the column is in the file (JSON: the field is in the object)
	cell [numColumns]string // the raw text; lists joined by ";"
	// stray holds the positions of non-empty cells in columns without a
	// header (e.g. "U"); their values cannot be assigned to any field.
	stray []string
	// errs are the problems the JSON Schema found in the row already, and
	// reported their columns: the checker does not report them again.
	errs     []RowError
	reported map[string]bool
}

// checker validates records one by one. It keeps what a row is checked
// against across the file (the external IDs seen), never the rows.
type checker struct {
	fileErrs []RowError
	// firstLine maps every external ID seen so far to the line it was first
	// seen on, rows with errors included: a duplicate is reported on the
	// later line whether or not the first one is valid.
	firstLine map[string]int
	// quiet are required columns missing from the header: reported once for
	// the file, not once per row.
	quiet [numColumns]bool
	// unusable is set when the file lacks a required column: its rows are
	// still checked, to report everything at once, but none is usable.
	unusable bool
}

func newChecker() *checker {
	return &checker{firstLine: map[string]int{}}
}

// fileError records a problem of the file as a whole (line 0).
func (c *checker) fileError(col, detail, german string) {
	c.fileErrs = append(c.fileErrs, RowError{Column: col, Detail: detail, German: german})
}

func colOrder(name string) int {
	if c, ok := columnByName[name]; ok {
		return int(c)
	}
	return int(numColumns)
}

// rowCheck is the validation of one record.
type rowCheck struct {
	c    *checker
	rec  *record
	errs []RowError
}

func (rc *rowCheck) fail(col column, detail, german string) {
	if rc.rec.reported[col.String()] {
		return // the schema said it already, in its words
	}
	rc.errs = append(rc.errs, RowError{Line: rc.rec.line, Column: col.String(), Detail: detail, German: german})
}

// check validates one record: the row, and its problems in column order.
func (c *checker) check(rec *record) Line {
	rc := &rowCheck{c: c, rec: rec, errs: rec.errs}
	r := Row{Line: rec.line, Present: make(map[string]bool, numColumns)}
	for col, has := range rec.has {
		if has {
			r.Present[columnNames[col]] = true
		}
	}
	for _, pos := range rec.stray {
		rc.errs = append(rc.errs, RowError{Line: rec.line,
			Detail: fmt.Sprintf("a value in column %s, which has no header", pos),
			German: fmt.Sprintf("Wert in Spalte %s, die keine Überschrift hat", pos)})
	}

	// The plain texts, with the limits of domain's rules.
	for col, spec := range columns {
		if spec.text != nil {
			*spec.text.Field(&r.ObjectFields) = rc.text(column(col), spec.text.Max, spec.multiline)
		}
	}
	if strings.Contains(r.ExternalID, ";") {
		rc.fail(cExternalID, `must not contain ";", which separates the IDs in depends_on`,
			"darf kein „;“ enthalten, da es die IDs in „Hängt ab von“ trennt")
	}
	if r.ExternalID != "" {
		if first, dup := c.firstLine[r.ExternalID]; dup {
			rc.fail(cExternalID, fmt.Sprintf("external ID %q appears already on line %d", r.ExternalID, first),
				fmt.Sprintf("Externe ID „%s“ kommt bereits in Zeile %d vor", r.ExternalID, first))
		} else {
			c.firstLine[strings.Clone(r.ExternalID)] = rec.line // not a slice of the whole line, which it would keep
		}
	}
	r.ShortID = rc.text(cShortID, domain.MaxShortID, false)
	r.Type = rc.objectType()
	r.Department = rc.text(cDepartment, maxText, false)
	r.Tags = rc.list(cTags)
	if len(r.Tags) > domain.MaxObjectTags {
		rc.fail(cTags, fmt.Sprintf("%d tags, at most %d allowed", len(r.Tags), domain.MaxObjectTags),
			fmt.Sprintf("%d Schlagworte, höchstens %d erlaubt", len(r.Tags), domain.MaxObjectTags))
	}
	r.NoSuitableModule, _ = rc.boolean(cNoSuitableModule)
	r.UntypicalEnvironment, _ = rc.boolean(cUntypicalEnvironment)
	var groupSaid bool
	r.Group, groupSaid = rc.boolean(cGroup)
	rc.members(&r, groupSaid)
	for i := range 3 {
		r.Need[i] = rc.need(needCols[i])
		r.NeedReason[i] = rc.text(reasonCols[i], domain.MaxNeedReason, columns[reasonCols[i]].multiline)
	}
	r.DependsOn = rc.list(cDependsOn)
	for _, d := range r.DependsOn {
		if d == r.ExternalID && d != "" {
			rc.fail(cDependsOn, fmt.Sprintf("the object cannot depend on itself (%q)", d),
				fmt.Sprintf("ein Objekt kann nicht von sich selbst abhängen („%s“)", d))
		}
	}
	sort.SliceStable(rc.errs, func(i, j int) bool { return colOrder(rc.errs[i].Column) < colOrder(rc.errs[j].Column) })
	return Line{Row: r, Errors: rc.errs, OK: len(rc.errs) == 0 && !c.unusable}
}

// text returns a trimmed text field and checks it: required, length,
// control characters, line breaks. Line breaks of long texts are
// normalised to "\n", as CSV and XLSX would otherwise change them on the
// way through a file.
func (rc *rowCheck) text(col column, maxLen int, multiline bool) string {
	s := strings.TrimSpace(rc.rec.cell[col])
	if multiline && strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	if s == "" {
		rc.require(col)
		return ""
	}
	if n := utf8.RuneCountInString(s); n > maxLen {
		rc.fail(col, fmt.Sprintf("is %d characters long, at most %d allowed", n, maxLen),
			fmt.Sprintf("ist %d Zeichen lang, höchstens %d erlaubt", n, maxLen))
	}
	rc.chars(col, s, multiline)
	return s
}

// require reports an empty required field, unless the whole column is
// missing (reported once for the file).
func (rc *rowCheck) require(col column) {
	for _, r := range required {
		if r == col && !rc.c.quiet[col] {
			rc.fail(col, "is required", "Pflichtangabe fehlt")
		}
	}
}

// chars refuses what a file cannot carry back: control characters (not
// representable in XLSX's XML) and line breaks in one-line fields.
func (rc *rowCheck) chars(col column, s string, multiline bool) {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			if !multiline {
				rc.fail(col, "must be a single line (contains a line break or tab)",
					"muss einzeilig sein (enthält einen Zeilenumbruch oder Tabulator)")
				return
			}
		case r < 0x20 || r == 0x7f || r == 0xfffe || r == 0xffff:
			rc.fail(col, fmt.Sprintf("contains the control character U+%04X", r),
				fmt.Sprintf("enthält das Steuerzeichen U+%04X", r))
			return
		}
	}
}

// list splits a ";"-separated cell, trims the items, drops empty ones and
// repeats (tags and dependencies are sets), and checks every item.
func (rc *rowCheck) list(col column) []string {
	cell := rc.rec.cell[col]
	if strings.TrimSpace(cell) == "" {
		return nil
	}
	var out []string
	for item := range strings.SplitSeq(cell, ";") {
		item = strings.TrimSpace(item)
		if item == "" || slices.Contains(out, item) {
			continue
		}
		if n := utf8.RuneCountInString(item); n > maxText {
			rc.fail(col, fmt.Sprintf("the item %q… is %d characters long, at most %d allowed", prefix(item), n, maxText),
				fmt.Sprintf("der Eintrag „%s…“ ist %d Zeichen lang, höchstens %d erlaubt", prefix(item), n, maxText))
		}
		rc.chars(col, item, false)
		out = append(out, item)
	}
	return out
}

// prefix shortens an over-long item for a message.
func prefix(s string) string {
	n := 0
	for i := range s {
		if n == 20 {
			return s[:i]
		}
		n++
	}
	return s
}

func (rc *rowCheck) objectType() domain.ObjectType {
	s := strings.TrimSpace(rc.rec.cell[cType])
	if s == "" {
		rc.require(cType)
		return ""
	}
	t, ok := parseType(s)
	switch {
	case !ok:
		rc.fail(cType, fmt.Sprintf("unknown type %q; want one of %s (or the German names)", s, typeCodes()),
			fmt.Sprintf("unbekannter Typ „%s“; erlaubt: %s", s, typeLabels()))
	case t == domain.ObjectScope:
		rc.fail(cType, "the scope (Informationsverbund) is not imported: it exists with the scope",
			"der Informationsverbund selbst wird nicht importiert: er entsteht mit dem Informationsverbund")
	}
	return t
}

// parseType reads a type as code ("it_system") or German label
// ("IT-System"), case-insensitively.
func parseType(s string) (domain.ObjectType, bool) {
	for _, t := range domain.ObjectTypes {
		if strings.EqualFold(s, string(t)) || strings.EqualFold(s, t.Label()) {
			return t, true
		}
	}
	return "", false
}

// importable are the types a file may hold: all but the scope.
func importable() []domain.ObjectType { return domain.ObjectTypes[1:] }

func typeCodes() string {
	var s []string
	for _, t := range importable() {
		s = append(s, string(t))
	}
	return strings.Join(s, ", ")
}

func typeLabels() string {
	var s []string
	for _, t := range importable() {
		s = append(s, t.Label())
	}
	return strings.Join(s, ", ")
}

// boolean reads a yes/no cell; said reports whether the cell held a value
// at all (an explicit "no" differs from an empty cell for "group").
func (rc *rowCheck) boolean(col column) (v, said bool) {
	s := strings.TrimSpace(rc.rec.cell[col])
	v, ok := parseBool(s)
	if !ok {
		rc.fail(col, fmt.Sprintf("%q is not a yes/no value; want true/false, ja/nein, yes/no, 1/0, or x/empty", s),
			fmt.Sprintf("„%s“ ist kein Ja/Nein-Wert; erlaubt: ja/nein, wahr/falsch, true/false, yes/no, 1/0, x/leer", s))
	}
	return v, s != ""
}

// parseBool accepts the spellings people and spreadsheets use; German
// Excel writes its booleans as WAHR/FALSCH into CSV.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "ja", "yes", "1", "x", "wahr":
		return true, true
	case "false", "nein", "no", "0", "", "falsch":
		return false, true
	}
	return false, false
}

// members reads the member count and reconciles it with the group flag:
// a count above 1 makes a group, a group needs its count.
func (rc *rowCheck) members(r *Row, groupSaid bool) {
	s := strings.TrimSpace(rc.rec.cell[cMembers])
	r.Members = 1
	if s != "" {
		n, ok := parseCount(s)
		if !ok || n < 1 {
			rc.fail(cMembers, fmt.Sprintf("%q is not a positive whole number", s),
				fmt.Sprintf("„%s“ ist keine positive ganze Zahl", s))
			return
		}
		if n > maxMembers {
			rc.fail(cMembers, fmt.Sprintf("%d is more than the limit of %d", n, maxMembers),
				fmt.Sprintf("%d ist mehr als die Höchstzahl %d", n, maxMembers))
			return
		}
		r.Members = n
	}
	switch {
	case r.Group && s == "":
		rc.fail(cMembers, "a group needs its member count", "für eine Gruppe muss die Anzahl angegeben werden")
	case r.Members > 1 && !r.Group && groupSaid:
		rc.fail(cGroup, fmt.Sprintf("the member count is %d, but the object is marked as no group", r.Members),
			fmt.Sprintf("die Anzahl ist %d, aber das Objekt ist nicht als Gruppe markiert", r.Members))
	case r.Members > 1:
		r.Group = true
		r.Present[ColGroup] = true
	case !r.Group && r.Present[ColGroup]:
		r.Present[ColMembers] = true // not a group: one member, whatever was stored
	}
}

// parseCount reads a whole number, also as a spreadsheet or JSON number
// such as "5.0".
func parseCount(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int64(f)) || f > maxMembers*10 || f < -1 {
		return 0, false
	}
	return int(f), true
}

func (rc *rowCheck) need(col column) domain.Need {
	s := strings.TrimSpace(rc.rec.cell[col])
	n, ok := domain.ParseNeed(strings.Join(strings.Fields(strings.ToLower(s)), " "))
	if !ok {
		rc.fail(col, fmt.Sprintf("%q is not a protection need; want normal, high, very_high (or normal, hoch, sehr hoch)", s),
			fmt.Sprintf("„%s“ ist kein Schutzbedarf; erlaubt: normal, hoch, sehr hoch", s))
	}
	return n
}
