// Package oscal reads OSCAL 1.x catalogs and profiles in their JSON form,
// such as the BSI's Grundschutz++ "Stand der Technik Kernel" and the
// profile "Anwenderkatalog Grundschutz++" that selects from it.
//
// The parsers read the whole input into memory and decode it into typed
// structs; the caller bounds the input with catalog.LimitReader (the
// Kernel catalog is about 4 MB, catalog.DefaultMaxSize is 64 MB). Before
// decoding, the JSON nesting is bounded (maxJSONDepth), and while mapping,
// the nesting of groups and controls (maxNesting), so that a hostile file
// cannot make the recursion deep.
package oscal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"ismsd/internal/catalog"
)

const (
	// maxJSONDepth bounds nested JSON objects and arrays. Each level of
	// groups or controls costs two (an array and an object), parts and
	// props a few more; the Kernel catalog reaches 13.
	maxJSONDepth = 128
	// maxNesting bounds groups within groups plus controls within
	// controls along one path; the Kernel catalog nests 2 groups and 3
	// controls deep. Parts within parts are bounded by maxJSONDepth.
	maxNesting = 32
)

// readJSON reads the whole input, tells XML and empty input apart early,
// and bounds the nesting before encoding/json sees it.
func readJSON(r io.Reader, model string) ([]byte, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		var ce *catalog.Error
		if errors.As(err, &ce) {
			return nil, ce // LimitReader's "larger than the limit"
		}
		return nil, catalog.Errorf("", "cannot read the file: %v", err)
	}
	// encoding/json refuses a byte order mark, which editors like to add.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil, catalog.Errorf("", "the file is empty; want an OSCAL %s in JSON", model)
	case trimmed[0] == '<':
		return nil, catalog.Errorf(position(data, len(data)-len(trimmed)),
			"an XML file; OSCAL %ss are read in their JSON form only", model)
	case trimmed[0] != '{':
		return nil, catalog.Errorf(position(data, len(data)-len(trimmed)),
			"not JSON, or not an object at the top; want an OSCAL %s in JSON", model)
	}
	if err := checkDepth(data); err != nil {
		return nil, err
	}
	return data, nil
}

// checkDepth refuses JSON nested deeper than maxJSONDepth. It only counts
// brackets outside strings; syntax errors are left to encoding/json.
func checkDepth(data []byte) error {
	depth, inString, escaped := 0, false, false
	for i, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			if depth++; depth > maxJSONDepth {
				return catalog.Errorf(position(data, i), "JSON nested more than %d levels deep; refused", maxJSONDepth)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// decode unmarshals data into v, turning encoding/json's errors into
// *catalog.Error with line and column.
func decode(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syn):
		if syn.Offset >= int64(len(data)) {
			return catalog.Errorf(position(data, len(data)), "invalid JSON: the file ends early (truncated?)")
		}
		// Offset counts the offending byte; the position names it.
		return catalog.Errorf(position(data, int(syn.Offset)-1), "invalid JSON: %s", syn.Error())
	case errors.As(err, &typ):
		// Offset is just past the offending value, or just inside it.
		return catalog.Errorf(position(data, int(typ.Offset)-1), "%s: a JSON %s where OSCAL wants %s",
			typ.Field, typ.Value, jsonKind(typ.Type.Kind().String()))
	}
	return catalog.Errorf("", "invalid JSON: %v", err)
}

// jsonKind names a Go kind the way a JSON author thinks of it.
func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "struct", "ptr", "map":
		return "an object"
	case "bool":
		return "true or false"
	}
	return k
}

// position turns a byte offset into "line L, column C" (columns count
// characters, not bytes).
func position(data []byte, offset int) string {
	offset = max(0, min(offset, len(data)))
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return fmt.Sprintf("line %d, column %d", line, col)
}

// rootKeys lists the keys of the top-level object, for telling the user
// what the file is when it is not what was asked for.
func rootKeys(data []byte) string {
	var root map[string]json.RawMessage
	if json.Unmarshal(data, &root) != nil || len(root) == 0 {
		return "none"
	}
	var keys []string
	for _, k := range slices.Sorted(maps.Keys(root)) {
		keys = append(keys, fmt.Sprintf("%q", k))
	}
	if len(keys) > 5 {
		keys = append(keys[:5], "…")
	}
	return strings.Join(keys, ", ")
}
