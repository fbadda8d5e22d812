package validation

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"ismsd/internal/domain"
)

// textViolations finds every string of a JSON document, member name or
// value, that domain.TextFault refuses, with its pointer, in the order of
// the document. encoding/json would silently turn invalid UTF-8 into
// U+FFFD, so the raw bytes of each string are checked besides its decoded
// value (where an escape such as \u0000 shows). A document that is not
// JSON yields what was found before the error; the decoder reports the
// rest.
func textViolations(raw []byte) []domain.Violation {
	if !mayHoldBadText(raw) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var vs []domain.Violation
	var path pointerPath
	prev := int64(0)
	for {
		tok, err := dec.Token()
		if err != nil {
			return vs
		}
		end := dec.InputOffset()
		span := raw[prev:end] // the token with the separators before it
		prev = end
		d, isDelim := tok.(json.Delim)
		s, isString := tok.(string)
		switch {
		case isDelim && (d == '}' || d == ']'):
			path.close()
		case isString && path.atName():
			path.name(s)
			vs = appendTextViolation(vs, path.String(), s, span)
		case isDelim:
			path.value()
			path.open(d == '{')
		default:
			path.value()
			if isString {
				vs = appendTextViolation(vs, path.String(), s, span)
			}
			path.valueDone()
		}
	}
}

func appendTextViolation(vs []domain.Violation, pointer, decoded string, span []byte) []domain.Violation {
	if !utf8.Valid(span) {
		// The decoder replaced the invalid bytes; the span (the string
		// with the ASCII separators before it) still has them.
		decoded = string(span)
	}
	if v, bad := domain.TextViolation(pointer, decoded); bad {
		vs = append(vs, v)
	}
	return vs
}

// mayHoldBadText is the quick test for the common case: in a document of
// valid UTF-8 without any escape and without the bytes of U+FFFE or
// U+FFFF, no string can hold a refused character (a raw control
// character is no JSON at all).
func mayHoldBadText(raw []byte) bool {
	return !utf8.Valid(raw) || bytes.IndexByte(raw, '\\') >= 0 ||
		bytes.Contains(raw, []byte("\uFFFE")) || bytes.Contains(raw, []byte("\uFFFF"))
}

// pointerPath follows the position of a token stream in the document as
// a JSON pointer.
type pointerPath struct{ levels []level }

// level is one open object (at its member name, or past it at its value)
// or array (at its element index).
type level struct {
	object  bool
	name    string
	atValue bool
	index   int
}

// atName tells whether the next string is a member name.
func (p *pointerPath) atName() bool {
	n := len(p.levels)
	return n > 0 && p.levels[n-1].object && !p.levels[n-1].atValue
}

func (p *pointerPath) name(s string) {
	l := &p.levels[len(p.levels)-1]
	l.name, l.atValue = s, true
}

// value moves to the next value: the next element of an array, or the
// value of the member whose name came last.
func (p *pointerPath) value() {
	if n := len(p.levels); n > 0 && !p.levels[n-1].object {
		p.levels[n-1].index++
	}
}

func (p *pointerPath) open(object bool) {
	p.levels = append(p.levels, level{object: object, index: -1})
}

// close ends the innermost object or array, which was the value of its
// parent: a parent object awaits its next member name.
func (p *pointerPath) close() {
	p.levels = p.levels[:len(p.levels)-1]
	p.valueDone()
}

func (p *pointerPath) valueDone() {
	if n := len(p.levels); n > 0 && p.levels[n-1].object {
		p.levels[n-1].atValue = false
	}
}

func (p *pointerPath) String() string {
	var b []byte
	for _, l := range p.levels {
		if l.object {
			if l.atValue {
				b = append(append(b, '/'), escapePointer(l.name)...)
			}
			continue
		}
		if l.index >= 0 {
			b = strconv.AppendInt(append(b, '/'), int64(l.index), 10)
		}
	}
	return string(b)
}
