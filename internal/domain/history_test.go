package domain

import (
	"strings"
	"testing"
	"time"

	"ismsd/internal/german"
)

// series builds daily snapshots from start with the given blockers (all
// in G5).
func series(start string, blockers ...int) []Snapshot {
	d, _ := time.Parse(time.DateOnly, start)
	out := make([]Snapshot, len(blockers))
	for i, b := range blockers {
		out[i] = Snapshot{Day: d.AddDate(0, 0, i)}
		out[i].Blocking[4] = b
	}
	return out
}

func TestForecastFallingSeries(t *testing.T) {
	// 100 on 1 March, ten fewer each day: 30 on 8 March; at ten a day
	// the last 30 are gone three days later, on 11 March.
	f := ForecastBlockers(series("2027-03-01", 100, 90, 80, 70, 60, 50, 40, 30))
	if f.Outcome != ForecastDate || f.Day.Format(time.DateOnly) != "2027-03-11" || f.Rate != 10 || f.Points != 8 || f.Blockers != 30 {
		t.Fatalf("forecast %+v", f)
	}
	want := "Bei der derzeitigen Geschwindigkeit (10 blockierende Punkte weniger pro Tag, gemessen vom 01.03.2027 bis 08.03.2027) " +
		"sind alle 30 Punkte voraussichtlich am 11.03.2027 erledigt."
	if f.Sentence() != want {
		t.Errorf("sentence %q", f.Sentence())
	}
	// A part day rounds up: 25 left at ten a day take three days.
	f = ForecastBlockers(series("2027-03-01", 95, 85, 75, 65, 55, 45, 35, 25))
	if f.Day.Format(time.DateOnly) != "2027-03-11" {
		t.Errorf("25 left at 10 a day: %+v", f)
	}
	// Gaps (a weekend without snapshots) do not change the rate: the fit
	// is over days, not over points. 400 blockers on day 0, 3 a day fewer.
	var gappy []Snapshot
	for _, d := range []int{0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 14} {
		s := series("2027-01-04", 400-3*d)[0]
		s.Day = s.Day.AddDate(0, 0, d)
		gappy = append(gappy, s)
	}
	f = ForecastBlockers(gappy)
	// 358 left on 18 January at 3 a day: 119.33 days, so 120 days later.
	if f.Outcome != ForecastDate || f.Day.Format(time.DateOnly) != "2027-05-18" {
		t.Errorf("with gaps %+v", f)
	}
}

func TestForecastOnlyTheLastFourWeeks(t *testing.T) {
	// Forty days: first flat at 500, then from day 20 on 5 fewer a day.
	// Only the last 28 days count, so the flat part hardly weighs.
	var bs []int
	for d := 0; d < 40; d++ {
		b := 500
		if d > 20 {
			b = 500 - 5*(d-20)
		}
		bs = append(bs, b)
	}
	f := ForecastBlockers(series("2027-01-01", bs...))
	if f.From.Format(time.DateOnly) != "2027-01-12" || f.Points != 29 || f.Rate <= 0 || f.Outcome != ForecastDate {
		t.Errorf("window %+v", f)
	}
}

func TestForecastNotAtThisPace(t *testing.T) {
	for name, s := range map[string][]Snapshot{
		"flat":   series("2027-03-01", 50, 50, 50, 50, 50, 50, 50, 50),
		"rising": series("2027-03-01", 50, 52, 55, 53, 60, 61, 64, 70),
		// Falling at first, rising since: the fit over the window rises.
		"turned": series("2027-03-01", 70, 60, 50, 50, 60, 70, 80, 90),
		// Falling so slowly that zero lies beyond ten years.
		"crawling": series("2027-03-01", 100000, 100000, 100000, 100000, 100000, 100000, 100000, 99999),
	} {
		f := ForecastBlockers(s)
		if f.Outcome != ForecastNotAtPace || !f.Day.IsZero() {
			t.Errorf("%s: %+v", name, f)
		}
		if !strings.HasPrefix(f.Sentence(), "Nicht bei der derzeitigen Geschwindigkeit") {
			t.Errorf("%s: %q", name, f.Sentence())
		}
	}
}

func TestForecastTooFewOrReady(t *testing.T) {
	if f := ForecastBlockers(nil); f.Outcome != ForecastTooFew {
		t.Errorf("no snapshots: %+v", f)
	}
	// Six days are not yet a week.
	if f := ForecastBlockers(series("2027-03-01", 70, 60, 50, 40, 30, 20, 10)); f.Outcome != ForecastTooFew {
		t.Errorf("six days: %+v", f)
	}
	if f := ForecastBlockers(series("2027-03-01", 70, 0)); f.Outcome != ForecastReady || f.Sentence() != "Es gibt keine blockierenden Punkte mehr." {
		t.Errorf("none left: %+v", f)
	}
}

func TestSnapshotFigures(t *testing.T) {
	s := Snapshot{Levels: [3]LevelFigures{{LevelBasis, 3, 2}, {LevelStandard, 4, 1}, {LevelElevated, 0, 0}}, EvidenceYes: 3, EvidenceCovered: 2}
	s.Blocking[0], s.Blocking[4] = 1, 4
	if total, done := s.Entries(); total != 7 || done != 3 || s.DonePercent() != 42.8 || s.Blockers() != 5 || s.CoveragePercent() != 66 {
		t.Errorf("figures %d %d %v %d %d", total, done, s.DonePercent(), s.Blockers(), s.CoveragePercent())
	}
	if german.Decimal(12.46) != "12,5" || german.Decimal(3) != "3" || german.Decimal(1234.5) != "1.234,5" || german.Decimal(-0.5) != "-0,5" {
		t.Errorf("decimals %s %s %s %s", german.Decimal(12.46), german.Decimal(3), german.Decimal(1234.5), german.Decimal(-0.5))
	}
}
