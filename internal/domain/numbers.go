package domain

import (
	"fmt"
	"strconv"
	"strings"
)

// FormatCount prints a count the German way, with a dot between
// thousands: 1.000.000.
func FormatCount(n int) string {
	s := strconv.Itoa(n)
	digits := strings.TrimPrefix(s, "-")
	var b strings.Builder
	if len(digits) < len(s) {
		b.WriteByte('-')
	}
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FormatEuro prints euro cents the German way: "1.250,50 €".
func FormatEuro(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%s,%02d €", sign, FormatCount(int(cents/100)), cents%100)
}
