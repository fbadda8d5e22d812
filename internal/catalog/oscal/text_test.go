package oscal

import (
	"fmt"
	"strings"
	"testing"

	"ismsd/internal/domain"
)

func p(runs ...domain.Run) domain.Block {
	return domain.Block{Kind: domain.BlockParagraph, Runs: runs}
}

func plain(s string) domain.Run  { return domain.Run{Text: s} }
func emph(s string) domain.Run   { return domain.Run{Text: s, Emph: true} }
func strong(s string) domain.Run { return domain.Run{Text: s, Strong: true} }

func list(kind domain.BlockKind, items ...domain.Text) domain.Block {
	return domain.Block{Kind: kind, Items: items}
}

func TestProse(t *testing.T) {
	conv := text{params: map[string]string{"p1": "jährlich"}}
	tests := []struct {
		name, in string
		want     domain.Text
	}{
		{"empty", " \n ", nil},
		{"paragraphs, soft breaks", "eins\nzwei\n\n\ndrei", domain.Text{p(plain("eins zwei")), p(plain("drei"))}},
		{"emphasis", "ein *wichtiges* und **sehr wichtiges** _Wort_ und __mehr__",
			domain.Text{p(plain("ein "), emph("wichtiges"), plain(" und "), strong("sehr wichtiges"), plain(" "), emph("Wort"), plain(" und "), strong("mehr"))}},
		{"emphasis nested", "**fett *und kursiv***", domain.Text{p(strong("fett "), domain.Run{Text: "und kursiv", Emph: true, Strong: true})}},
		{"gender star", "Administrator*innen und Nutzer*innen", domain.Text{p(plain("Administrator*innen und Nutzer*innen"))}},
		{"snake case", "sec_level und effort_level", domain.Text{p(plain("sec_level und effort_level"))}},
		{"lone star", "5 * 3 = 15 *", domain.Text{p(plain("5 * 3 = 15 *"))}},
		{"escapes and code", `\*kein\* Akzent, ` + "`*code*`", domain.Text{p(plain("*kein* Akzent, *code*"))}},
		{"insert", "Die Leitung MUSS {{ insert: param, p1 }} berichten.",
			domain.Text{p(plain("Die Leitung MUSS "), domain.Run{Text: "jährlich", Emph: true, Param: "p1"}, plain(" berichten."))}},
		{"unknown insert", "{{insert: param,p9}}", domain.Text{p(emph("p9"))}},
		{"unclosed insert", "{{ insert: param, p1 ", domain.Text{p(plain("{{ insert: param, p1"))}},
		{"link", "siehe [BSI](https://www.bsi.bund.de) und [ASST.1](#ASST.1)",
			domain.Text{p(plain("siehe BSI (https://www.bsi.bund.de) und ASST.1"))}},
		{"not a link", "[a] (b) [c](d e)", domain.Text{p(plain("[a] (b) [c](d e)"))}},
		{"heading", "## Ziel ##\nText", domain.Text{p(strong("Ziel")), p(plain("Text"))}},
		{"bullets", "Vorweg:\n- eins\n* zwei\n  weiter\n+ drei",
			domain.Text{p(plain("Vorweg:")), list(domain.BlockBullets,
				domain.Text{p(plain("eins"))}, domain.Text{p(plain("zwei weiter"))}, domain.Text{p(plain("drei"))})}},
		{"nested and numbered", "1. a\n   - a1\n   - a2\n2. b\n\n   b, zweiter Absatz\n\nSchluss",
			domain.Text{
				list(domain.BlockNumbered,
					domain.Text{p(plain("a")), list(domain.BlockBullets, domain.Text{p(plain("a1"))}, domain.Text{p(plain("a2"))})},
					domain.Text{p(plain("b")), p(plain("b, zweiter Absatz"))}),
				p(plain("Schluss")),
			}},
		{"number inside a paragraph", "Ab dem\n2. Quartal gilt", domain.Text{p(plain("Ab dem 2. Quartal gilt"))}},
		{"kind changes", "- a\n1. b", domain.Text{
			list(domain.BlockBullets, domain.Text{p(plain("a"))}),
			list(domain.BlockNumbered, domain.Text{p(plain("b"))}),
		}},
		{"CRLF", "a\r\n\r\nb", domain.Text{p(plain("a")), p(plain("b"))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := conv.prose(tt.in)
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tt.want) {
				t.Errorf("prose(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestListDepthBounded(t *testing.T) {
	var b strings.Builder
	for i := range 100 {
		fmt.Fprintf(&b, "%s- item %d\n", strings.Repeat(" ", 2*i), i)
	}
	got := text{}.prose(b.String())
	depth := 0
	for blk := got[0]; ; depth++ {
		last := blk.Items[len(blk.Items)-1]
		if len(last) < 2 {
			break
		}
		blk = last[1]
	}
	if depth+1 != maxListDepth {
		t.Errorf("lists nest %d deep, want at most %d", depth+1, maxListDepth)
	}
	if n := strings.Count(got.Plain(), "item"); n != 100 {
		t.Errorf("%d items kept, want 100", n)
	}
}

// hostileProse would each take minutes with a naive scan for closing
// delimiters, n bytes long.
var hostileProse = map[string]func(n int) string{
	"brackets":  func(n int) string { return strings.Repeat("[", n) + "]" },
	"links":     func(n int) string { return strings.Repeat("[a](", n/4) },
	"openers":   func(n int) string { return strings.Repeat("*a ", n/3) },
	"strong":    func(n int) string { return strings.Repeat("**a ", n/4) },
	"under":     func(n int) string { return strings.Repeat("_a _", n/4) },
	"ticks":     func(n int) string { return "`" + strings.Repeat("a`", n/2) },
	"braces":    func(n int) string { return strings.Repeat("{{ insert: param, ", n/18) },
	"escapes":   func(n int) string { return strings.Repeat(`\`, n) },
	"indent":    func(n int) string { return strings.Repeat(" ", n) + "- x" },
	"list":      func(n int) string { return strings.Repeat("- a\n", n/4) },
	"staircase": func(n int) string { return strings.Repeat("- a\n  ", n/6) },
}

// Hostile prose must cost work linear in its length: the inline scan
// looks at each byte a bounded number of times, so four times the input
// may take about four times the steps, not sixteen. Steps are counted,
// not timed, so that a busy machine cannot fail the test; BenchmarkProse
// measures the time. (The block parser reads each line once with regular
// expressions, which Go runs in linear time; the list and indentation
// inputs check what it hands on.)
func TestProseLinear(t *testing.T) {
	const n = 50_000
	for name, gen := range hostileProse {
		small, large := gen(n), gen(4*n)
		ss, sl := proseSteps(small), proseSteps(large)
		perByteSmall, perByteLarge := float64(ss)/float64(len(small)), float64(sl)/float64(len(large))
		if perByteLarge > 1.5*perByteSmall {
			t.Errorf("%s: %d steps for %d bytes, %d steps for %d bytes: not linear", name, ss, len(small), sl, len(large))
		}
	}
}

// proseSteps converts s and returns the bytes the inline scan looked at.
func proseSteps(s string) int {
	steps := 0
	text{steps: &steps}.prose(s)
	return steps
}

// BenchmarkProse converts each hostile input at two sizes; the time per
// byte should not grow with the size.
func BenchmarkProse(b *testing.B) {
	for name, gen := range hostileProse {
		for _, n := range []int{50_000, 200_000} {
			s := gen(n)
			b.Run(fmt.Sprintf("%s/%d", name, n), func(b *testing.B) {
				b.SetBytes(int64(len(s)))
				for b.Loop() {
					text{}.prose(s)
				}
			})
		}
	}
}
