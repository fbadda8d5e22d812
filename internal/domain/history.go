package domain

import (
	"fmt"
	"math"
	"time"

	"ismsd/internal/german"
)

// Snapshot is the readiness figures of one day, as a reader limited to
// the whole scope or to department subtrees sees them. The server keeps
// one per day, from which the dashboards draw the trend and the forecast.
type Snapshot struct {
	Day     time.Time
	Objects int
	// Entries per level, in the order Basis, Standard, elevated.
	Levels [3]LevelFigures
	// Blocking items per gate, in the order of Gates (G1 … G10).
	Blocking        [10]int
	Ready           bool
	EvidenceYes     int // fulfilled entries
	EvidenceCovered int // of those, with accepted, valid evidence
	EvidenceTarget  int // the guideline's coverage target that day, percent
	OverdueMeasures int
	OpenFindings    int
}

// LevelFigures is how many entries of a level there are and how many need
// nothing more.
type LevelFigures struct {
	Level       Level
	Total, Done int
}

// SnapshotLevels are the levels of Snapshot.Levels, in order.
var SnapshotLevels = [3]Level{LevelBasis, LevelStandard, LevelElevated}

// Blockers is the number of blocking items over all gates.
func (s Snapshot) Blockers() int {
	n := 0
	for _, b := range s.Blocking {
		n += b
	}
	return n
}

// Entries is the number of active entries and of those done.
func (s Snapshot) Entries() (total, done int) {
	for _, l := range s.Levels {
		total, done = total+l.Total, done+l.Done
	}
	return total, done
}

// DonePercent is the share of entries done, in percent with one decimal
// (the trend shows small steps); 0 without entries.
func (s Snapshot) DonePercent() float64 {
	total, done := s.Entries()
	if total == 0 {
		return 0
	}
	return math.Floor(float64(done)*1000/float64(total)) / 10
}

// CoveragePercent is the evidence coverage, rounded down.
func (s Snapshot) CoveragePercent() int { return CoveragePercent(s.EvidenceYes, s.EvidenceCovered) }

// ForecastWindow is how many days back from the latest snapshot the
// closing rate is measured over: long enough that a quiet week does not
// swing it, short enough to follow a change of pace.
const ForecastWindow = 28

// forecastMinSpan is the shortest span of snapshots a forecast is made
// from: one week, so that a weekend does not decide the rate.
const forecastMinSpan = 7

// forecastHorizon: a date further out than this (ten years) is no
// forecast but a standstill.
const forecastHorizon = 3650

// ForecastOutcome is what the forecast could say.
type ForecastOutcome string

const (
	ForecastReady     ForecastOutcome = "ready"       // nothing blocks any more
	ForecastDate      ForecastOutcome = "date"        // zero blockers on Day at the current rate
	ForecastNotAtPace ForecastOutcome = "not_at_pace" // the blockers do not decrease
	ForecastTooFew    ForecastOutcome = "too_few"     // less than a week of snapshots
)

// ForecastOutcomes lists what a forecast can say.
var ForecastOutcomes = []ForecastOutcome{ForecastReady, ForecastDate, ForecastNotAtPace, ForecastTooFew}

// Forecast says when the blocking items reach zero at the current closing
// rate.
type Forecast struct {
	Outcome  ForecastOutcome
	Day      time.Time // the day the blockers reach zero (ForecastDate)
	Rate     float64   // blockers closed per day (negative: they grow)
	From, To time.Time // the snapshots the rate was measured over
	Points   int
	Blockers int // at the latest snapshot
}

// ForecastBlockers fits a straight line (least squares) through the
// blockers of the snapshots of the last ForecastWindow days up to the
// latest one; its slope is the closing rate. From the latest count at
// that rate it gives the day the blockers reach zero, rounded up to a
// whole day. A fit over the window, rather than first against last day,
// keeps one unusual day from deciding the forecast. The series must be
// in ascending order of day.
func ForecastBlockers(series []Snapshot) Forecast {
	if len(series) == 0 {
		return Forecast{Outcome: ForecastTooFew}
	}
	last := series[len(series)-1]
	f := Forecast{To: last.Day, Blockers: last.Blockers()}
	start := last.Day.AddDate(0, 0, -ForecastWindow)
	var xs, ys []float64
	for _, s := range series {
		if s.Day.Before(start) {
			continue
		}
		if len(xs) == 0 {
			f.From = s.Day
		}
		xs = append(xs, s.Day.Sub(start).Hours()/24)
		ys = append(ys, float64(s.Blockers()))
	}
	f.Points = len(xs)
	if f.Blockers == 0 {
		f.Outcome = ForecastReady
		return f
	}
	if f.To.Sub(f.From).Hours()/24 < forecastMinSpan {
		f.Outcome = ForecastTooFew
		return f
	}
	f.Rate = -slope(xs, ys)
	days := math.Ceil(float64(f.Blockers)/f.Rate - 1e-9)
	if f.Rate <= 0 || days > forecastHorizon {
		f.Outcome = ForecastNotAtPace
		return f
	}
	f.Outcome = ForecastDate
	f.Day = last.Day.AddDate(0, 0, int(days))
	return f
}

// slope is the least-squares slope of y over x.
func slope(xs, ys []float64) float64 {
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	n := float64(len(xs))
	mx, my = mx/n, my/n
	var num, den float64
	for i := range xs {
		num += (xs[i] - mx) * (ys[i] - my)
		den += (xs[i] - mx) * (xs[i] - mx)
	}
	if den == 0 {
		return 0
	}
	return num / den
}

// Sentence is the forecast in one German sentence.
func (f Forecast) Sentence() string {
	switch f.Outcome {
	case ForecastReady:
		return "Es gibt keine blockierenden Punkte mehr."
	case ForecastDate:
		return fmt.Sprintf("Bei der derzeitigen Geschwindigkeit (%s blockierende Punkte weniger pro Tag, gemessen vom %s bis %s) sind alle %s Punkte voraussichtlich am %s erledigt.",
			german.Decimal(f.Rate), german.Date(f.From), german.Date(f.To), german.Count(f.Blockers), german.Date(f.Day))
	case ForecastNotAtPace:
		what := "nicht weniger geworden"
		if f.Rate > 0 {
			what = "nur so langsam weniger geworden, dass kein Datum absehbar ist"
		}
		return fmt.Sprintf("Nicht bei der derzeitigen Geschwindigkeit: Die %s blockierenden Punkte sind vom %s bis %s %s.",
			german.Count(f.Blockers), german.Date(f.From), german.Date(f.To), what)
	}
	return "Für eine Prognose fehlen noch Tagesstände: Sie braucht die Zahlen von mindestens einer Woche."
}
