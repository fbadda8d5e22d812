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
	"unicode/utf8"

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

func readJSON(data []byte) ([]Row, []RowError, error) {
	data = bytes.TrimPrefix(data, bom)
	if !utf8.Valid(data) {
		i := firstInvalid(data)
		return nil, nil, unreadable(fmt.Sprintf("line %d is not UTF-8 text", lineOf(data, i)),
			fmt.Sprintf("Zeile %d ist nicht UTF-8-kodiert", lineOf(data, i)))
	}
	doc, err := decodeJSON(data)
	if err != nil {
		return nil, nil, err
	}
	// Counted before the schema runs, which would take its time over a
	// file that is refused anyway.
	root, _ := doc.(map[string]any)
	objects, _ := root["objects"].([]any)
	if len(objects) > MaxRows {
		return nil, nil, errTooManyRows()
	}

	v, err := schemas()
	if err != nil {
		return nil, nil, fmt.Errorf("objectio: compiling the schemas: %w", err)
	}
	c := newChecker()
	if err := v.Validate(schemaName, data); err != nil {
		var de *domain.Error
		if !errors.As(err, &de) || !errors.Is(err, domain.ErrInvalid) {
			return nil, nil, err
		}
		for _, vi := range de.Violations {
			line, col := locate(vi.Pointer)
			detail := strings.ReplaceAll(vi.Detail, "<nil>", "null") // Go's name for it, in enum messages
			c.errs = append(c.errs, RowError{Line: line, Column: col, Detail: detail, German: germanSchema(detail)})
			c.reported[lineCol{line, col}] = true
		}
	}
	for i, o := range objects {
		obj, ok := o.(map[string]any)
		if !ok {
			continue // the schema said so
		}
		rec := &record{line: i + 1}
		rec.bad = c.reported[lineCol{rec.line, ""}]
		for k, val := range obj {
			col, ok := columnByName[k]
			if !ok {
				rec.bad = true // an unknown field: the schema said so
				continue
			}
			rec.has[col] = true
			if c.reported[lineCol{rec.line, k}] {
				rec.bad = true
				continue // a value of the wrong kind: not to be read as text
			}
			rec.cell[col] = jsonText(val)
		}
		c.check(rec)
	}
	rows, errs := c.result()
	return rows, errs, nil
}

// decodeJSON parses the document, numbers kept as written.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	err := dec.Decode(&doc)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return nil, unreadable("not a readable JSON file: more than one JSON value",
				"keine lesbare JSON-Datei: mehr als ein JSON-Wert")
		}
		return doc, nil
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		line := lineOf(data, min(int(se.Offset), len(data)))
		return nil, unreadable(fmt.Sprintf("not a readable JSON file: line %d: %v", line, se),
			fmt.Sprintf("keine lesbare JSON-Datei: Syntaxfehler in Zeile %d", line))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return nil, unreadable("not a readable JSON file: it is empty or ends early",
			"keine lesbare JSON-Datei: sie ist leer oder endet vorzeitig")
	}
	return nil, unreadable("not a readable JSON file: "+err.Error(), "keine lesbare JSON-Datei: "+err.Error())
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

// jsonObject is an object as written: every field, in column order.
type jsonObject struct {
	ExternalID           string   `json:"external_id"`
	ShortID              string   `json:"short_id"`
	Name                 string   `json:"name"`
	Type                 string   `json:"type"`
	Description          string   `json:"description"`
	Department           string   `json:"department"`
	Responsible          string   `json:"responsible"`
	Location             string   `json:"location"`
	Tags                 []string `json:"tags"`
	NoSuitableModule     bool     `json:"no_suitable_module"`
	UntypicalEnvironment bool     `json:"untypical_environment"`
	Group                bool     `json:"group"`
	Members              int      `json:"members"`
	NeedC                *string  `json:"need_c"`
	NeedI                *string  `json:"need_i"`
	NeedA                *string  `json:"need_a"`
	NeedCReason          string   `json:"need_c_reason"`
	NeedIReason          string   `json:"need_i_reason"`
	NeedAReason          string   `json:"need_a_reason"`
	DependsOn            []string `json:"depends_on"`
}

func writeJSON(w io.Writer, rows []Row) error {
	out := struct {
		Objects []jsonObject `json:"objects"`
	}{Objects: make([]jsonObject, len(rows))}
	for i := range rows {
		r := &rows[i]
		out.Objects[i] = jsonObject{
			ExternalID: r.ExternalID, ShortID: r.ShortID, Name: r.Name, Type: string(r.Type),
			Description: r.Description, Department: r.Department, Responsible: r.Responsible,
			Location: r.Location, Tags: orEmpty(r.Tags),
			NoSuitableModule: r.NoSuitableModule, UntypicalEnvironment: r.UntypicalEnvironment,
			Group: r.Group, Members: r.members(),
			NeedC: needCode(r.Need[0]), NeedI: needCode(r.Need[1]), NeedA: needCode(r.Need[2]),
			NeedCReason: r.NeedReason[0], NeedIReason: r.NeedReason[1], NeedAReason: r.NeedReason[2],
			DependsOn: orEmpty(r.DependsOn),
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "<" in a description stays readable
	return enc.Encode(out)
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
