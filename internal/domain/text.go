package domain

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// TextFault says what makes s unfit to be taken as text, or "" when
// nothing does. Text is valid UTF-8 without control characters other than
// tab, line feed and carriage return, without DEL and without the
// noncharacters U+FFFE and U+FFFF: PostgreSQL refuses NUL and invalid
// UTF-8, XML 1.0 (and so the XLSX reports) cannot carry the others, and
// none of them belongs in a name or a free text. The object import
// refuses the same in its files.
func TextFault(s string) string {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !isReplacementChar(s[i:]):
			return "is not valid UTF-8 text"
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7f:
			return fmt.Sprintf("contains the control character U+%04X", r)
		case r == 0xfffe || r == 0xffff:
			return fmt.Sprintf("contains the noncharacter U+%04X", r)
		}
	}
	return ""
}

// isReplacementChar tells a U+FFFD written in the text from the
// RuneError that ranging over a string yields for an invalid byte.
func isReplacementChar(s string) bool {
	_, n := utf8.DecodeRuneInString(s)
	return n == 3
}

// TextViolation is the refusal of the text s found at pointer, if it has
// a fault (see TextFault).
func TextViolation(pointer, s string) (Violation, bool) {
	fault := TextFault(s)
	if fault == "" {
		return Violation{}, false
	}
	return Violation{Pointer: pointer, Detail: fault,
		German: "Die Eingabe enthält ein unzulässiges Zeichen (ein Steuerzeichen oder keine gültige UTF-8-Kodierung)."}, true
}

// TooLong reports whether s has more than max characters. Lengths count
// characters (Unicode code points), as JSON Schema's maxLength does, never
// bytes: "ä" is one character in two bytes.
func TooLong(s string, max int) bool { return utf8.RuneCountInString(s) > max }

// requiredText trims the free text *s and returns its refusals at
// pointer: empty (the German message empty), longer than max characters
// (tooLong), or with a fault (TextViolation).
func requiredText(pointer string, s *string, max int, empty, tooLong string) []Violation {
	*s = strings.TrimSpace(*s)
	var v []Violation
	switch {
	case *s == "":
		v = append(v, Violation{Pointer: pointer, Detail: "must not be empty", German: empty})
	case TooLong(*s, max):
		v = append(v, Violation{Pointer: pointer, Detail: fmt.Sprintf("is longer than %d characters", max), German: tooLong})
	}
	if tv, bad := TextViolation(pointer, *s); bad {
		v = append(v, tv)
	}
	return v
}
