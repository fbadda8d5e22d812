package chart

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"
)

// wellFormed parses the chart as XML and returns its elements by name.
func wellFormed(t *testing.T, svg string) map[string][]xml.StartElement {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	out := map[string][]xml.StartElement{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok {
			out[se.Name.Local] = append(out[se.Name.Local], se)
		}
	}
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// accessible: the chart is one image with a title and a description
// that it is labelled by.
func accessible(t *testing.T, svg, id string) map[string][]xml.StartElement {
	t.Helper()
	els := wellFormed(t, svg)
	root := els["svg"][0]
	if attr(root, "role") != "img" || attr(root, "aria-labelledby") != id+"-t "+id+"-d" || attr(root, "id") != id {
		t.Errorf("root %+v", root.Attr)
	}
	if len(els["title"]) == 0 || attr(els["title"][0], "id") != id+"-t" || len(els["desc"]) != 1 {
		t.Errorf("title and description missing: %s", svg)
	}
	return els
}

func TestProgress(t *testing.T) {
	svg := string(Progress("p1", "Basis-Anforderungen", 1234, 2000))
	els := accessible(t, svg, "p1")
	if len(els["rect"]) != 2 || attr(els["rect"][1], "width") != "160.42" {
		t.Errorf("bar %+v", els["rect"])
	}
	if !strings.Contains(svg, "1.234 von 2.000 erledigt (61 %)") || !strings.Contains(svg, ">61 %<") {
		t.Errorf("figures: %s", svg)
	}
	if strings.Count(string(Progress("p2", "leer", 0, 0)), "<rect") != 1 {
		t.Error("an empty bar draws a share")
	}
}

func TestStackedBars(t *testing.T) {
	bars := []Bar{
		{Label: "Basis", Segments: []Segment{{"ja", "bar-yes", 300}, {"nein", "bar-no", 100}, {"unbearbeitet", "bar-open", 0}}},
		{Label: "Standard <S>", Segments: []Segment{{"ja", "bar-yes", 1}, {"nein", "bar-no", 1}, {"unbearbeitet", "bar-open", 2}}},
	}
	svg := string(Stacked{ID: "levels", Title: "Stand nach Stufe", Bars: bars}.SVG())
	els := accessible(t, svg, "levels")
	// Each bar fills its track by share: 300 of 400 is three quarters.
	var yes []string
	for _, r := range els["rect"] {
		if attr(r, "class") == "bar-yes" && attr(r, "height") == "16" {
			yes = append(yes, attr(r, "width"))
		}
	}
	if len(yes) != 2 || yes[0] != "225" || yes[1] != "75" {
		t.Errorf("shares %v", yes)
	}
	if !strings.Contains(svg, "Standard &lt;S&gt;") || strings.Contains(svg, "<S>") {
		t.Error("labels are not escaped")
	}
	if !strings.Contains(svg, "Basis: ja 300, nein 100, unbearbeitet 0 von 400") || !strings.Contains(svg, "Basis: ja 300 (75 %)") {
		t.Errorf("description or tooltip: %s", svg)
	}
	// The legend names every segment once.
	if strings.Count(svg, `class="chart-legend"`) != 3 {
		t.Errorf("legend: %s", svg)
	}
	// To one scale: the largest total fills its row, 4 of 400 a hundredth.
	abs := string(Stacked{ID: "abs", Title: "Absolut", Bars: bars, Absolute: true}.SVG())
	els = accessible(t, abs, "abs")
	yes = nil
	for _, r := range els["rect"] {
		if attr(r, "class") == "bar-yes" && attr(r, "height") == "16" {
			yes = append(yes, attr(r, "width"))
		}
	}
	if len(yes) != 2 || yes[0] != "225" || yes[1] != "0.75" {
		t.Errorf("absolute %v", yes)
	}
	accessible(t, string(Stacked{ID: "none", Title: "Leer"}.SVG()), "none")
}

func TestTrend(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	tr := Trend{ID: "trend", Title: "Blockierende Punkte", Unit: "blockierende Punkte", Series: []Series{
		{Label: "Blockierende Punkte", Class: "line-blockers", Points: []Point{{d("2026-05-01"), 1200}, {d("2026-05-08"), 900}}},
		{Label: "Prognose", Class: "line-forecast", Dashed: true, Points: []Point{{d("2026-05-08"), 900}, {d("2026-05-29"), 0}}},
	}}
	svg := string(tr.SVG())
	els := accessible(t, svg, "trend")
	if len(els["polyline"]) != 2 || attr(els["polyline"][1], "stroke-dasharray") == "" || attr(els["polyline"][0], "stroke-dasharray") != "" {
		t.Errorf("lines %+v", els["polyline"])
	}
	// The axis runs from 0 to 1.250 in steps of 250; the days from the
	// first measured one to the forecast's.
	for _, label := range []string{">0<", ">250<", ">1.250<", ">01.05.26<", ">29.05.26<"} {
		if !strings.Contains(svg, label) {
			t.Errorf("no axis label %s", label)
		}
	}
	if !strings.Contains(svg, "Blockierende Punkte: 1.200 blockierende Punkte am 01.05.2026, 900 blockierende Punkte am 08.05.2026") {
		t.Errorf("description: %s", svg)
	}
	// The first point sits on the left edge at the top of its value.
	pts := strings.Fields(attr(els["polyline"][0], "points"))
	if pts[0] != "58,"+num(12+188*(1-1200.0/1250)) {
		t.Errorf("first point %s", pts[0])
	}
	pct := Trend{ID: "done", Title: "Erledigt", Percent: true, Series: []Series{{Label: "Anteil erledigt", Class: "line-done",
		Points: []Point{{d("2026-05-01"), 40.5}}}}}
	if s := string(pct.SVG()); !strings.Contains(s, ">100 %<") || !strings.Contains(s, "40,5 %") {
		t.Errorf("percent chart: %s", s)
	}
	empty := string(Trend{ID: "e", Title: "Leer"}.SVG())
	accessible(t, empty, "e")
	if !strings.Contains(empty, "Noch keine Tagesstände") {
		t.Error(empty)
	}
}

func TestNiceScale(t *testing.T) {
	for _, c := range []struct{ max, step, top float64 }{
		{1200, 250, 1250}, {100, 20, 100}, {3, 1, 3}, {0, 1, 4}, {17, 5, 20}, {1037500, 250000, 1250000},
	} {
		if step, top := niceScale(c.max); step != c.step || top != c.top {
			t.Errorf("niceScale(%v) = %v, %v; want %v, %v", c.max, step, top, c.step, c.top)
		}
	}
}
