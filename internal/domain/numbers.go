package domain

import "fmt"

// FormatEuro prints euro cents the German way: "1.250,50 €".
func FormatEuro(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%s,%02d €", sign, Count(int(cents/100)), cents%100)
}
