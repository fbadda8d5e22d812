package objectio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"ismsd/internal/domain"
	"ismsd/internal/validation"
)

// JSON files are {"objects": [ {field: value, …} ]} with the column names
// as fields, checked against schemas/objects-import.json first. Types and
// needs are codes only (JSON is written by programs, which need no German
// labels); booleans and counts are JSON booleans and integers; tags and
// depends_on are arrays of strings.

const schemaName = "objects-import.json"

// schemas compiles the schemas once; it is the same for every file.
var schemas = sync.OnceValues(validation.New)

func scanJSON(src Source, each func(Line) error) ([]RowError, error) {
	head := make([]byte, min(src.Size(), int64(len(bom))))
	if _, err := src.ReadAt(head, 0); err != nil && err != io.EOF {
		return nil, err
	}
	start := int64(0)
	if bytes.Equal(head, bom) {
		start = int64(len(bom))
	}
	v, err := schemas()
	if err != nil {
		return nil, fmt.Errorf("objectio: compiling the schemas: %w", err)
	}
	s := &jsonScan{src: src, start: start, v: v, c: newChecker(), each: each}
	s.dec = json.NewDecoder(newTextReader(io.NewSectionReader(src, start, src.Size()-start), true))
	s.dec.UseNumber()
	if err := s.document(); err != nil {
		return nil, s.unreadable(err)
	}
	return s.c.fileErrs, nil
}

// jsonScan reads {"objects": [...]} token by token and decodes one object
// at a time, so that only the current object is in memory. Each object is
// checked against the schema's definition of an object; the document
// around them is checked here, with the schema's words.
type jsonScan struct {
	src   Source
	start int64 // after a byte order mark
	dec   *json.Decoder
	v     *validation.Validator
	c     *checker
	each  func(Line) error
}

// errStop carries an error of each out of the scan unchanged.
type errStop struct{ err error }

func (e errStop) Error() string { return e.err.Error() }

func (s *jsonScan) document() error {
	if ok, err := s.opens('{', "", "object"); !ok {
		if err != nil {
			return err
		}
		return s.end()
	}
	found := false
	for s.dec.More() {
		t, err := s.dec.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		if key != "objects" {
			s.docError(key, "is not allowed here")
			if err := s.skipValue(); err != nil {
				return err
			}
			continue
		}
		found = true
		if err := s.objects(); err != nil {
			return err
		}
	}
	if _, err := s.dec.Token(); err != nil { // the closing "}"
		return err
	}
	if !found {
		s.docError("objects", "is required")
	}
	return s.end()
}

// objects reads the array of objects and hands on each.
func (s *jsonScan) objects() error {
	if ok, err := s.opens('[', "objects", "array"); !ok {
		return err
	}
	for i := 0; s.dec.More(); i++ {
		if i == MaxRows {
			return errTooManyRows()
		}
		var o any
		if err := s.dec.Decode(&o); err != nil {
			return err
		}
		rec := s.record(i+1, o)
		l := Line{Row: Row{Line: rec.line}, Errors: rec.errs}
		if _, ok := o.(map[string]any); ok {
			l = s.c.check(rec)
		} // else only what the schema says: there are no fields to check
		if err := s.each(l); err != nil {
			return errStop{err}
		}
	}
	_, err := s.dec.Token() // the closing "]"
	return err
}

// opens reads the next token and reports whether it opens the value
// wanted (delim, a kind of value); any other value is refused at col and
// read past.
func (s *jsonScan) opens(delim json.Delim, col, kind string) (bool, error) {
	t, err := s.dec.Token()
	if err != nil {
		return false, err
	}
	if t == delim {
		return true, nil
	}
	s.docError(col, "expected "+kind+", but got "+jsonKind(t))
	return false, s.skip(t)
}

// record checks one object against the schema (wrapped in a document of
// its own, so that the pointers name it) and turns it into a record.
func (s *jsonScan) record(line int, o any) *record {
	rec := &record{line: line, reported: map[string]bool{}}
	err := s.v.ValidateValue(schemaName, map[string]any{"objects": []any{o}})
	var de *domain.Error
	if errors.As(err, &de) {
		for _, vi := range de.Violations {
			_, col := locate(vi.Pointer)
			detail := strings.ReplaceAll(vi.Detail, "<nil>", "null") // Go's name for it, in enum messages
			rec.errs = append(rec.errs, RowError{Line: line, Column: col, Detail: detail, German: germanSchema(detail)})
			rec.reported[col] = true
		}
	}
	obj, _ := o.(map[string]any)
	for k, val := range obj {
		col, ok := columnByName[k]
		if !ok || rec.reported[k] {
			continue // an unknown field, or a value of the wrong kind: the schema said so
		}
		rec.has[col] = true
		rec.cell[col] = jsonText(val)
	}
	return rec
}

// docError records a problem of the document around the objects.
func (s *jsonScan) docError(col, detail string) {
	s.c.fileErrs = append(s.c.fileErrs, RowError{Column: col, Detail: detail, German: germanSchema(detail)})
}

// skipValue reads past the next value.
func (s *jsonScan) skipValue() error {
	t, err := s.dec.Token()
	if err != nil {
		return err
	}
	return s.skip(t)
}

// skip reads past the rest of a value whose first token was t.
func (s *jsonScan) skip(t json.Token) error {
	for depth := 0; ; {
		if d, ok := t.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
		var err error
		if t, err = s.dec.Token(); err != nil {
			return err
		}
	}
}

// end refuses anything after the document.
func (s *jsonScan) end() error {
	if _, err := s.dec.Token(); err != io.EOF {
		if err != nil {
			return err
		}
		return unreadable("not a readable JSON file: more than one JSON value",
			"keine lesbare JSON-Datei: mehr als ein JSON-Wert")
	}
	return nil
}

// unreadable turns a failure of the decoder into the file's error.
func (s *jsonScan) unreadable(err error) error {
	var stop errStop
	var nt *errNotText
	var se *json.SyntaxError
	var de *domain.Error
	switch {
	case errors.As(err, &stop):
		return stop.err
	case errors.As(err, &nt):
		return notText(nt, JSON)
	case errors.As(err, &de):
		return err
	case errors.As(err, &se):
		line := lineAt(s.src, s.start+se.Offset)
		return unreadable(fmt.Sprintf("not a readable JSON file: line %d: %v", line, se),
			fmt.Sprintf("keine lesbare JSON-Datei: Syntaxfehler in Zeile %d", line))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return unreadable("not a readable JSON file: it is empty or ends early",
			"keine lesbare JSON-Datei: sie ist leer oder endet vorzeitig")
	}
	return unreadable("not a readable JSON file: "+err.Error(), "keine lesbare JSON-Datei: "+err.Error())
}

// jsonKind names the kind of value a token starts, as the schema does.
func jsonKind(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '[' {
			return "array"
		}
		return "object"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// jsonText renders a value as the text a CSV cell would hold. Values of
// the wrong kind never get here (the schema refused them).
func jsonText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case json.Number:
		return t.String()
	case []any:
		items := make([]string, 0, len(t))
		for _, x := range t {
			if s, ok := x.(string); ok {
				items = append(items, s)
			}
		}
		return strings.Join(items, ";") // items hold no ";" (the schema's pattern)
	}
	return "" // null: not determined
}

// locate turns a JSON pointer into line and column:
// /objects/3/type → line 4, column "type"; /objects/3/tags/1 → line 4,
// column "tags". Anything outside an object is line 0.
func locate(pointer string) (int, string) {
	seg := strings.Split(pointer, "/")
	for i := range seg {
		seg[i] = strings.ReplaceAll(strings.ReplaceAll(seg[i], "~1", "/"), "~0", "~")
	}
	if len(seg) < 3 || seg[1] != "objects" {
		if len(seg) >= 2 {
			return 0, seg[1]
		}
		return 0, ""
	}
	i, err := strconv.Atoi(seg[2])
	if err != nil {
		return 0, "objects"
	}
	if len(seg) == 3 {
		return i + 1, ""
	}
	return i + 1, seg[3]
}

// germanSchema translates the schema validator's messages, which follow
// a few fixed patterns.
func germanSchema(d string) string {
	var a, b int
	switch {
	case d == "is required":
		return "Pflichtangabe fehlt"
	case d == "is not allowed here":
		return "unbekanntes Feld, hier nicht erlaubt"
	case strings.HasPrefix(d, "expected "):
		want, got, _ := strings.Cut(strings.TrimPrefix(d, "expected "), ", but got ")
		return fmt.Sprintf("falscher Datentyp: erwartet %s, gefunden %s", germanType(want), germanType(got))
	case strings.HasPrefix(d, "value must be one of "):
		return "unzulässiger Wert; erlaubt: " + strings.TrimPrefix(d, "value must be one of ")
	case d == "length must be >= 1, but got 0":
		return "darf nicht leer sein"
	case scan(d, "length must be <= %d, but got %d", &a, &b):
		return fmt.Sprintf("ist %d Zeichen lang, höchstens %d erlaubt", b, a)
	case scan(d, "maximum %d items required, but found %d items", &a, &b):
		return fmt.Sprintf("%d Einträge, höchstens %d erlaubt", b, a)
	case strings.HasPrefix(d, "must be >= "):
		return "zu klein: mindestens " + strings.Fields(d)[3]
	case strings.HasPrefix(d, "must be <= "):
		return "zu groß: höchstens " + strings.Fields(d)[3]
	case strings.HasPrefix(d, "does not match pattern"):
		return "enthält ein unzulässiges Zeichen („;“)"
	}
	return "entspricht nicht dem Format: " + d
}

func scan(s, format string, args ...any) bool {
	n, err := fmt.Sscanf(s, format, args...)
	return err == nil && n == len(args)
}

func germanType(s string) string {
	var out []string
	for t := range strings.SplitSeq(s, " or ") {
		switch t {
		case "string":
			t = "Text"
		case "number":
			t = "Zahl"
		case "integer":
			t = "ganze Zahl"
		case "boolean":
			t = "true/false"
		case "array":
			t = "Liste"
		case "object":
			t = "Objekt"
		}
		out = append(out, t)
	}
	return strings.Join(out, " oder ")
}

// writeJSON writes {"objects": [...]} with every column of a row as a
// field, in column order, indented as json.Encoder would.
func writeJSON(w io.Writer, rows []Row) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "<" in a description stays readable
	value := func(v any) error {
		if err := enc.Encode(v); err != nil {
			return err
		}
		buf.Truncate(buf.Len() - 1) // the newline Encode ends every value with
		return nil
	}
	buf.WriteString(`{"objects":[`)
	for i := range rows {
		if i > 0 {
			buf.WriteByte(',')
		}
		r := &rows[i]
		cells := r.texts()
		buf.WriteByte('{')
		for col := range numColumns {
			if col > 0 {
				buf.WriteByte(',')
			}
			if err := value(columnNames[col]); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := value(r.jsonValue(col, cells[col])); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	}
	buf.WriteString(`]}`)
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err := out.WriteTo(w)
	return err
}

// jsonValue is the row's value in col as a JSON file holds it: lists as
// arrays, yes/no as booleans, the member count as a number, a protection
// need as its code or null, and every text as the string of its cell.
func (r *Row) jsonValue(col column, cell string) any {
	switch col {
	case cTags:
		return orEmpty(r.Tags)
	case cDependsOn:
		return orEmpty(r.DependsOn)
	case cNoSuitableModule:
		return r.NoSuitableModule
	case cUntypicalEnvironment:
		return r.UntypicalEnvironment
	case cGroup:
		return r.Group
	case cMembers:
		return r.members()
	case cNeedC, cNeedI, cNeedA:
		return needCode(r.Need[col-cNeedC])
	}
	return cell
}

// needCode is the code, or nil (JSON null) when not determined.
func needCode(n domain.Need) *string {
	if n == domain.NeedUnknown {
		return nil
	}
	s := n.Code()
	return &s
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
