package german

import (
	"math"
	"testing"
	"time"
)

func TestCount(t *testing.T) {
	for n, want := range map[int]string{
		0: "0", 7: "7", 999: "999", 1000: "1.000", 12345: "12.345", 100000: "100.000",
		1234567: "1.234.567", -1: "-1", -999: "-999", -1000: "-1.000", -1234567: "-1.234.567",
		math.MinInt64: "-9.223.372.036.854.775.808",
	} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDecimal(t *testing.T) {
	for x, want := range map[float64]string{
		0: "0", 2.5: "2,5", 3: "3", 2.96: "3", 2.94: "2,9", 1234.5: "1.234,5", -0.4: "-0,4", -12000: "-12.000",
	} {
		if got := Decimal(x); got != want {
			t.Errorf("Decimal(%v) = %q, want %q", x, got, want)
		}
	}
}

func TestPercent(t *testing.T) {
	for x, want := range map[float64]string{0: "0,0 %", 42.8: "42,8 %", 42.86: "42,9 %", 100: "100,0 %", 7.25: "7,2 %"} {
		if got := Percent(x); got != want {
			t.Errorf("Percent(%v) = %q, want %q", x, got, want)
		}
	}
}

func TestEuro(t *testing.T) {
	for cents, want := range map[int64]string{
		0: "0,00 €", 5: "0,05 €", 99: "0,99 €", 100: "1,00 €", 125050: "1.250,50 €",
		123456789: "1.234.567,89 €", -125050: "-1.250,50 €", -5: "-0,05 €",
	} {
		if got := Euro(cents); got != want {
			t.Errorf("Euro(%d) = %q, want %q", cents, got, want)
		}
	}
}

func TestDates(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	// 23:30 UTC on 31 December is already the new year in Berlin: the
	// caller's location decides the day.
	at := time.Date(2025, 12, 31, 23, 30, 0, 0, time.UTC)
	for _, c := range []struct{ got, want string }{
		{Date(at), "31.12.2025"},
		{Date(at.In(berlin)), "01.01.2026"},
		{DateTime(at.In(berlin)), "01.01.2026 00:30"},
		{DateTimeUhr(at.In(berlin)), "01.01.2026, 00:30 Uhr"},
		{Date(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)), "05.03.2026"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if d, err := time.Parse(DateLayout, "05.03.2026"); err != nil || Date(d) != "05.03.2026" {
		t.Errorf("DateLayout does not read back what Date writes: %v %v", d, err)
	}
}
