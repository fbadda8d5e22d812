// Package catalog recognises catalog files and holds what the parsers in
// its sub-packages share. The parsers are pure: they read a file and
// return domain values; storing them is the store's business.
package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Kind is the kind of a catalog file.
type Kind string

const (
	KindKompendiumXML Kind = "kompendium-xml" // IT-Grundschutz-Kompendium, DocBook 5 XML
	KindKRT           Kind = "krt-xlsx"       // cross-reference tables (Kreuzreferenztabellen), Excel workbook
	KindOSCALCatalog  Kind = "oscal-catalog"  // OSCAL 1.x catalog, JSON
	KindOSCALProfile  Kind = "oscal-profile"  // OSCAL 1.x profile, JSON
	// KindOSCALComponents is an OSCAL 1.x component definition (JSON) of
	// the Grundschutz++ implementation layer; it is stored beside the
	// catalogs, not as one.
	KindOSCALComponents Kind = "oscal-component-definition"
	// KindOSCALMappings is an OSCAL 1.x mapping collection (JSON): how the
	// controls of one catalog correspond to those of another; it is stored
	// beside the catalogs, not as one.
	KindOSCALMappings Kind = "oscal-mapping-collection"
)

// Kinds lists the kinds in the order help texts name them.
var Kinds = []Kind{KindKompendiumXML, KindKRT, KindOSCALCatalog, KindOSCALProfile, KindOSCALComponents, KindOSCALMappings}

// ParseKind checks a kind given by the user.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown kind %q; want one of kompendium-xml, krt-xlsx, oscal-catalog, oscal-profile, oscal-component-definition, oscal-mapping-collection", s)
}

// DefaultMaxSize bounds catalog files unless configured otherwise; the
// Kompendium XML has about 3 MB, the Grundschutz++ catalog about 4 MB.
const DefaultMaxSize = 64 << 20

// Error refuses an input file, saying where and why.
type Error struct {
	Where  string // "line 12, column 3", "sheet KRT_SYS.2.1, cell D7", "catalog.groups[3].controls[2]"
	Reason string
	Err    error // ErrTooLarge, or nil
}

// ErrTooLarge is the kind of error for a file over the size limit.
var ErrTooLarge = errors.New("file too large")

// Unwrap exposes the kind of the error.
func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	if e.Where == "" {
		return e.Reason
	}
	return e.Where + ": " + e.Reason
}

// jsonPathStep is one step of a JSON path as the parsers write it:
// "groups[3]" or "catalog".
var jsonPathStep = regexp.MustCompile(`^([^\[\]]+)((?:\[\d+\])*)$`)

// Pointer is where the error is as a JSON pointer (RFC 6901) into the
// file, "/catalog/groups/3/controls/2", when Where is a JSON path; ""
// for positions in XML or a workbook, or none at all.
func (e *Error) Pointer() string {
	if e.Where == "" || strings.ContainsAny(e.Where, " ,") {
		return ""
	}
	var b strings.Builder
	for _, step := range strings.Split(e.Where, ".") {
		m := jsonPathStep.FindStringSubmatch(step)
		if m == nil {
			return ""
		}
		b.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(m[1]))
		for _, idx := range strings.Split(strings.Trim(m[2], "[]"), "][") {
			if idx != "" {
				b.WriteString("/" + idx)
			}
		}
	}
	return b.String()
}

// Errorf returns an *Error.
func Errorf(where, format string, args ...any) *Error {
	return &Error{Where: where, Reason: fmt.Sprintf(format, args...)}
}

// afterSchema returns what follows the "$schema" member at the start of
// rest (`"$schema": "…",`): the next key, or rest itself when the member is
// not a plain string followed by a comma.
func afterSchema(rest []byte) []byte {
	value, ok := bytes.CutPrefix(bytes.TrimLeft(rest[len(`"$schema"`):], " \t\r\n"), []byte(":"))
	if !ok {
		return rest
	}
	value = bytes.TrimLeft(value, " \t\r\n")
	dec := json.NewDecoder(bytes.NewReader(value))
	var s string
	if dec.Decode(&s) != nil {
		return rest
	}
	tail, ok := bytes.CutPrefix(bytes.TrimLeft(value[dec.InputOffset():], " \t\r\n"), []byte(","))
	if !ok {
		return rest
	}
	return bytes.TrimLeft(tail, " \t\r\n")
}

// Detect tells the kind of a file from its first bytes (at least 4 KiB
// when the file is that long).
func Detect(head []byte) (Kind, error) {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return KindKRT, nil
	case bytes.HasPrefix(trimmed, []byte("<")):
		if bytes.Contains(head, []byte("docbook.org")) || bytes.Contains(head, []byte("<book")) {
			return KindKompendiumXML, nil
		}
		return "", Errorf("", "an XML file, but not DocBook: not an IT-Grundschutz-Kompendium")
	case bytes.HasPrefix(trimmed, []byte("{")):
		// The root object's first key names the OSCAL model; a "$schema"
		// key before it (the BSI's mapping files have one) is passed over.
		rest := bytes.TrimLeft(trimmed[1:], " \t\r\n")
		if bytes.HasPrefix(rest, []byte(`"$schema"`)) {
			rest = afterSchema(rest)
		}
		switch {
		case bytes.HasPrefix(rest, []byte(`"catalog"`)):
			return KindOSCALCatalog, nil
		case bytes.HasPrefix(rest, []byte(`"profile"`)):
			return KindOSCALProfile, nil
		case bytes.HasPrefix(rest, []byte(`"component-definition"`)):
			return KindOSCALComponents, nil
		case bytes.HasPrefix(rest, []byte(`"mapping-collection"`)):
			return KindOSCALMappings, nil
		}
		return "", Errorf("", "a JSON file, but neither an OSCAL catalog, profile, component definition nor mapping collection (the root must hold \"catalog\", \"profile\", \"component-definition\" or \"mapping-collection\")")
	}
	return "", Errorf("", "unknown file format: neither Kompendium XML, a KRT workbook (.xlsx) nor OSCAL JSON")
}

// LimitReader reads at most max bytes from r and fails with a clear error
// when the input is longer.
func LimitReader(r io.Reader, max int64) io.Reader {
	return &limitReader{r: r, left: max, max: max}
}

type limitReader struct {
	r         io.Reader
	left, max int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One more byte tells an input of exactly max bytes from a longer one.
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			return 0, &Error{Reason: fmt.Sprintf("the file is larger than the limit of %d bytes (ISMS_CATALOG_MAX_BYTES)", l.max), Err: ErrTooLarge}
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
