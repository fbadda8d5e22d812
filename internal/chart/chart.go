// Package chart draws the dashboards' charts as SVG on the server: a
// progress bar, horizontal stacked bars and a trend line with axes. The
// pages need no JavaScript for them. Every chart is an image to assistive
// technology (role="img" with a title and a description); the page puts a
// table with the same figures beside it. Colours come from CSS classes, so
// the charts follow the stylesheet.
package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"

	"ismsd/internal/german"
)

// svg collects the markup of one chart.
type svg struct{ b strings.Builder }

func (s *svg) printf(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

// text escapes s for XML character data and attribute values.
func text(s string) string { return template.HTMLEscapeString(s) }

// open starts a chart of the given view box with its accessible name and
// description; id makes the element ids unique on the page.
func (s *svg) open(id, class, title, desc string, width, height float64) {
	s.printf(`<svg class="chart %s" id="%s" role="img" aria-labelledby="%s-t %s-d" viewBox="0 0 %s %s" preserveAspectRatio="xMinYMin meet">`,
		text(class), text(id), text(id), text(id), num(width), num(height))
	s.printf(`<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, text(id), text(title), text(id), text(desc))
}

func (s *svg) close() template.HTML {
	s.b.WriteString(`</svg>`)
	return template.HTML(s.b.String()) // every text above went through text()
}

// num prints a coordinate compactly.
func num(x float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", x), "0"), ".")
}

// percent of part in whole, rounded down; 0 for an empty whole.
func percent(part, whole int) int {
	if whole == 0 {
		return 0
	}
	return part * 100 / whole
}

// Progress is a single bar of done against total, with the share printed
// beside it.
func Progress(id, title string, done, total int) template.HTML {
	const width, height, barW = 320.0, 22.0, 260.0
	var s svg
	p := percent(done, total)
	desc := fmt.Sprintf("%s von %s erledigt (%d %%)", german.Count(done), german.Count(total), p)
	s.open(id, "chart-progress", title, desc, width, height)
	s.printf(`<rect class="chart-track" x="0" y="4" width="%s" height="14" rx="3"/>`, num(barW))
	if total > 0 && done > 0 {
		s.printf(`<rect class="bar-yes" x="0" y="4" width="%s" height="14" rx="3"/>`, num(barW*float64(done)/float64(total)))
	}
	s.printf(`<text class="chart-value" x="%s" y="16">%d %%</text>`, num(barW+8), p)
	return s.close()
}

// Segment is one part of a stacked bar.
type Segment struct {
	Label string // for the legend and the tooltip, e.g. "ja"
	Class string // CSS class of its colour, e.g. "bar-yes"
	Value int
}

// Bar is one row of stacked bars.
type Bar struct {
	Label    string
	Segments []Segment
}

// Total is the sum of the bar's segments.
func (b Bar) Total() int {
	n := 0
	for _, s := range b.Segments {
		n += s.Value
	}
	return n
}

// Stacked draws one horizontal bar per row, split into its segments,
// with the row's total at the end and a legend of the segments below. By
// default every bar is split by share (each is 100 %): the rows may differ
// by orders of magnitude (thousands of Basis entries, a few dozen for
// elevated protection needs), and the shares are what compares. Absolute
// draws the bars to one scale instead, the largest total filling its row.
type Stacked struct {
	ID, Title string
	Bars      []Bar
	Absolute  bool
}

// SVG draws the chart.
func (c Stacked) SVG() template.HTML {
	const labelW, barX, barW, rowH, width = 200.0, 206.0, 300.0, 26.0, 580.0
	legendY := float64(len(c.Bars))*rowH + 10
	height := legendY + 24
	var s svg
	var desc []string
	largest := 0
	for _, b := range c.Bars {
		largest = max(largest, b.Total())
		parts := make([]string, 0, len(b.Segments))
		for _, g := range b.Segments {
			parts = append(parts, fmt.Sprintf("%s %s", g.Label, german.Count(g.Value)))
		}
		desc = append(desc, fmt.Sprintf("%s: %s von %s", b.Label, strings.Join(parts, ", "), german.Count(b.Total())))
	}
	if len(desc) == 0 {
		desc = append(desc, "Keine Werte")
	}
	s.open(c.ID, "chart-stacked", c.Title, strings.Join(desc, "; ")+".", width, height)
	for i, b := range c.Bars {
		y := float64(i) * rowH
		s.printf(`<text class="chart-label" x="%s" y="%s" text-anchor="end">%s</text>`, num(labelW), num(y+17), text(shorten(b.Label, 24)))
		s.printf(`<rect class="chart-track" x="%s" y="%s" width="%s" height="16"/>`, num(barX), num(y+4), num(barW))
		total := b.Total()
		scale := total
		if c.Absolute {
			scale = largest
		}
		x := barX
		for _, g := range b.Segments {
			if scale == 0 || g.Value == 0 {
				continue
			}
			w := barW * float64(g.Value) / float64(scale)
			s.printf(`<rect class="%s" x="%s" y="%s" width="%s" height="16"><title>%s: %s %s (%d %%)</title></rect>`,
				text(g.Class), num(x), num(y+4), num(w), text(b.Label), text(g.Label), german.Count(g.Value), percent(g.Value, total))
			x += w
		}
		s.printf(`<text class="chart-value" x="%s" y="%s">%s</text>`, num(barX+barW+8), num(y+17), german.Count(total))
	}
	if len(c.Bars) > 0 {
		// The legend starts under the labels: five statuses need the
		// width. A label's width is estimated from its letters.
		x := 0.0
		for _, g := range c.Bars[0].Segments {
			s.printf(`<rect class="%s" x="%s" y="%s" width="10" height="10"/>`, text(g.Class), num(x), num(legendY+2))
			s.printf(`<text class="chart-legend" x="%s" y="%s">%s</text>`, num(x+14), num(legendY+11), text(g.Label))
			x += 14 + 7.5*float64(len([]rune(g.Label))) + 16
		}
	}
	return s.close()
}

// shorten cuts a label for the chart; the table beside it has it whole.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Point is a value on a day.
type Point struct {
	Day   time.Time
	Value float64
}

// Series is one line of a trend chart.
type Series struct {
	Label  string
	Class  string // CSS class of its colour, e.g. "line-blockers"
	Dashed bool   // a forecast rather than measured values
	Points []Point
}

// Trend draws lines over days with a labelled value axis from zero and
// date labels. Percent prints the axis in percent (0–100).
type Trend struct {
	ID, Title string
	Unit      string // the values' name for the description, e.g. "blockierende Punkte"
	Percent   bool
	Series    []Series
}

// SVG draws the chart.
func (t Trend) SVG() template.HTML {
	const width, height = 600.0, 230.0
	const left, right, top, bottom = 58.0, 14.0, 12.0, 30.0
	plotW, plotH := width-left-right, height-top-bottom
	var s svg
	var first, last time.Time
	maxV := 0.0
	n := 0
	for _, sr := range t.Series {
		for _, p := range sr.Points {
			if n == 0 || p.Day.Before(first) {
				first = p.Day
			}
			if n == 0 || p.Day.After(last) {
				last = p.Day
			}
			maxV = math.Max(maxV, p.Value)
			n++
		}
	}
	s.open(t.ID, "chart-trend", t.Title, t.describe(), width, height)
	if n == 0 {
		s.printf(`<text class="chart-label" x="%s" y="%s" text-anchor="middle">Noch keine Tagesstände</text>`, num(width/2), num(height/2))
		return s.close()
	}
	top100 := maxV
	if t.Percent {
		top100 = 100
	}
	step, yMax := niceScale(top100)
	span := last.Sub(first).Hours() / 24
	if span == 0 {
		span = 1
	}
	xOf := func(d time.Time) float64 { return left + plotW*(d.Sub(first).Hours()/24)/span }
	yOf := func(v float64) float64 { return top + plotH*(1-v/yMax) }
	// Value axis: grid lines with labels.
	for v := 0.0; v <= yMax+step/2; v += step {
		y := yOf(v)
		s.printf(`<line class="chart-grid" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(left), num(y), num(width-right), num(y))
		label := german.Count(int(math.Round(v)))
		if t.Percent {
			label += " %"
		}
		s.printf(`<text class="chart-axis" x="%s" y="%s" text-anchor="end">%s</text>`, num(left-6), num(y+4), label)
	}
	// Day axis: the first and last day and up to four between.
	ticks := dayTicks(first, last, 6)
	for i, d := range ticks {
		anchor := "middle"
		switch i {
		case 0:
			anchor = "start"
		case len(ticks) - 1:
			anchor = "end"
		}
		s.printf(`<text class="chart-axis" x="%s" y="%s" text-anchor="%s">%s</text>`, num(xOf(d)), num(height-10), anchor, d.Format("02.01.06"))
	}
	s.printf(`<line class="chart-axis-line" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(left), num(top+plotH), num(width-right), num(top+plotH))
	for _, sr := range t.Series {
		if len(sr.Points) == 0 {
			continue
		}
		pts := make([]string, len(sr.Points))
		for i, p := range sr.Points {
			pts[i] = num(xOf(p.Day)) + "," + num(yOf(p.Value))
		}
		dash := ""
		if sr.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		s.printf(`<polyline class="chart-line %s" fill="none" points="%s"%s/>`, text(sr.Class), strings.Join(pts, " "), dash)
		end := sr.Points[len(sr.Points)-1]
		s.printf(`<circle class="chart-dot %s" cx="%s" cy="%s" r="3.5"><title>%s am %s: %s</title></circle>`,
			text(sr.Class), num(xOf(end.Day)), num(yOf(end.Value)), text(sr.Label), german.Date(end.Day), t.format(end.Value))
	}
	return s.close()
}

// describe sums the chart up in words: each series from its first to its
// last value.
func (t Trend) describe() string {
	var parts []string
	for _, sr := range t.Series {
		if len(sr.Points) == 0 {
			continue
		}
		a, b := sr.Points[0], sr.Points[len(sr.Points)-1]
		parts = append(parts, fmt.Sprintf("%s: %s am %s, %s am %s", sr.Label, t.format(a.Value), german.Date(a.Day),
			t.format(b.Value), german.Date(b.Day)))
	}
	if len(parts) == 0 {
		return "Noch keine Tagesstände."
	}
	return strings.Join(parts, "; ") + "."
}

func (t Trend) format(v float64) string {
	if t.Percent {
		return german.Percent(v)
	}
	return german.Count(int(math.Round(v))) + " " + t.Unit
}

// niceScale picks a step of 1, 2 or 5 times a power of ten that divides
// 0…max into at most five intervals, and the axis maximum.
func niceScale(max float64) (step, top float64) {
	if max <= 0 {
		return 1, 4
	}
	raw := max / 5
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m == 2.5 && pow < 10 {
			continue // whole numbers on the axis
		}
		if step = m * pow; step >= raw {
			break
		}
	}
	if step < 1 {
		step = 1
	}
	top = math.Ceil(max/step) * step
	return step, top
}

// dayTicks are up to n days from first to last, evenly spaced, both ends
// included.
func dayTicks(first, last time.Time, n int) []time.Time {
	days := int(math.Round(last.Sub(first).Hours() / 24))
	if days == 0 {
		return []time.Time{first}
	}
	if days < n-1 {
		n = days + 1
	}
	out := make([]time.Time, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, first.AddDate(0, 0, int(math.Round(float64(days)*float64(i)/float64(n-1)))))
	}
	return out
}
