// Package german writes numbers, amounts and dates the German way, for
// the pages, reports and messages: one place for "1.234", "1.250,50 €"
// and "02.01.2006". It imports only the standard library, so that the
// domain's German sentences can use it too.
package german

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// DateLayout is the layout of a date as Germans write it: 02.01.2006.
const DateLayout = "02.01.2006"

// Count writes a whole number with thousands separators: 1.234.567.
func Count(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	b := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, '.')
		}
		b = append(b, s[i])
	}
	return sign + string(b)
}

// Decimal writes x rounded to one decimal with a decimal comma, and
// without one when the tenth is zero: 2,5 · 3 · 1.234,5.
func Decimal(x float64) string {
	sign := ""
	if x < 0 {
		sign, x = "-", -x
	}
	tenths := int(math.Round(x * 10))
	if tenths%10 == 0 {
		return sign + Count(tenths/10)
	}
	return sign + Count(tenths/10) + "," + strconv.Itoa(tenths%10)
}

// Percent writes a share with one decimal and a decimal comma: 42,8 %.
func Percent(x float64) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', 1, 64), ".", ",", 1) + " %"
}

// Euro writes an amount in cents: 1.250,50 €.
func Euro(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%s,%02d €", sign, Count(int(cents/100)), cents%100)
}

// Date writes the calendar day of t in t's location: 02.01.2006.
func Date(t time.Time) string { return t.Format(DateLayout) }

// DateTime writes day and minute of t in t's location, for tables and
// histories: 02.01.2006 15:04.
func DateTime(t time.Time) string { return t.Format("02.01.2006 15:04") }

// DateTimeUhr writes day and minute of t in t's location as a sentence
// says it: 02.01.2006, 15:04 Uhr.
func DateTimeUhr(t time.Time) string { return t.Format("02.01.2006, 15:04 Uhr") }
