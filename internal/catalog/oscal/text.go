package oscal

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"ismsd/internal/domain"
)

// text turns OSCAL prose (markup-multiline, a Markdown subset) into
// domain.Text. It knows paragraphs, bullet and numbered lists (nested by
// indentation), headings (as a strong paragraph), **strong**, *emphasis*,
// `code` (as plain text), [links](url) and backslash escapes, and it
// replaces param inserts by the param's text, emphasised so that a reader
// sees what an organisation is meant to fill in. Everything else stays
// literal text; the renderer escapes all of it.
type text struct {
	params map[string]string // param id → its text
	steps  *int              // if set, counts the bytes the inline scan looks at (see TestProseLinear)
}

// part is a part's title, prose and nested parts, the latter as a list
// whose items begin with the part's label, if any ("a.", "1.").
func (t text) part(p part) domain.Text {
	var out domain.Text
	if title := strings.TrimSpace(p.Title); title != "" {
		out = append(out, domain.Block{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: title, Strong: true}}})
	}
	out = append(out, t.prose(p.Prose)...)
	if len(p.Parts) == 0 {
		return out
	}
	list := domain.Block{Kind: domain.BlockBullets}
	for _, sub := range p.Parts {
		item := t.part(sub)
		if label := propValue(sub.Props, "label"); label != "" {
			item = withLabel(item, label)
		}
		if len(item) > 0 {
			list.Items = append(list.Items, item)
		}
	}
	if len(list.Items) > 0 {
		out = append(out, list)
	}
	return out
}

// withLabel puts a label in front of a text's first paragraph.
func withLabel(t domain.Text, label string) domain.Text {
	run := domain.Run{Text: label + " "}
	if len(t) > 0 && t[0].Kind == domain.BlockParagraph {
		t[0].Runs = append([]domain.Run{run}, t[0].Runs...)
		return t
	}
	return append(domain.Text{{Kind: domain.BlockParagraph, Runs: []domain.Run{{Text: label}}}}, t...)
}

func propValue(props []prop, name string) string {
	for _, p := range props {
		if p.Name == name {
			return strings.TrimSpace(p.Value)
		}
	}
	return ""
}

// mdBlock is a paragraph (lines) or a list, as read line by line.
type mdBlock struct {
	lines   []string
	heading bool
	list    *mdList
}

type mdList struct {
	indent int
	kind   domain.BlockKind
	items  []*mdItem
}

type mdItem struct {
	blocks []*mdBlock
}

// maxListDepth bounds nested lists, so that a staircase of indented
// items cannot nest the text without end.
const maxListDepth = 8

var (
	bulletItem   = regexp.MustCompile(`^( *)[-*+][ \t]+(.*)$`)
	numberedItem = regexp.MustCompile(`^( *)([0-9]{1,9})[.)][ \t]+(.*)$`)
	heading      = regexp.MustCompile(`^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$`)
)

// prose converts markup-multiline prose.
func (t text) prose(s string) domain.Text {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return t.blocks(parseBlocks(s))
}

// blockParser reads lines into blocks. stack holds the open lists,
// innermost last; cur is the paragraph that a following line continues.
type blockParser struct {
	doc   []*mdBlock
	stack []*mdList
	cur   *mdBlock
	blank bool // the previous line was blank
}

func parseBlocks(s string) []*mdBlock {
	var p blockParser
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	for _, line := range strings.Split(strings.ReplaceAll(s, "\t", "    "), "\n") {
		p.line(line)
	}
	return p.doc
}

func (p *blockParser) line(line string) {
	if strings.TrimSpace(line) == "" {
		p.cur, p.blank = nil, true
		return
	}
	defer func() { p.blank = false }()
	if indent, kind, content, ok := p.listItem(line); ok {
		p.item(indent, kind, content)
		return
	}
	if m := heading.FindStringSubmatch(line); m != nil {
		p.stack = nil
		p.cur = nil
		p.doc = append(p.doc, &mdBlock{lines: []string{m[1]}, heading: true})
		return
	}
	text := strings.TrimSpace(line)
	if len(p.stack) > 0 {
		top := p.stack[len(p.stack)-1]
		switch indent := len(line) - len(strings.TrimLeft(line, " ")); {
		case !p.blank && p.cur != nil:
			p.cur.lines = append(p.cur.lines, text) // lazy continuation of the item
			return
		case p.blank && indent > top.indent:
			p.cur = &mdBlock{lines: []string{text}} // a further paragraph of the item
			item := top.items[len(top.items)-1]
			item.blocks = append(item.blocks, p.cur)
			return
		}
		p.stack = nil // the list ends
	}
	if p.cur != nil && !p.blank {
		p.cur.lines = append(p.cur.lines, text)
		return
	}
	p.cur = &mdBlock{lines: []string{text}}
	p.doc = append(p.doc, p.cur)
}

// listItem recognises a list item. As in CommonMark, a numbered item
// interrupts a paragraph only when it counts from 1, so that a line
// beginning "2. Quartal" continues its paragraph.
func (p *blockParser) listItem(line string) (indent int, kind domain.BlockKind, content string, ok bool) {
	if m := bulletItem.FindStringSubmatch(line); m != nil {
		return len(m[1]), domain.BlockBullets, m[2], true
	}
	if m := numberedItem.FindStringSubmatch(line); m != nil {
		inParagraph := len(p.stack) == 0 && p.cur != nil && !p.blank
		if inParagraph && m[2] != "1" {
			return 0, "", "", false
		}
		return len(m[1]), domain.BlockNumbered, m[3], true
	}
	return 0, "", "", false
}

// item opens a list item, closing deeper lists and opening a new list
// when the indentation or the kind changes.
func (p *blockParser) item(indent int, kind domain.BlockKind, content string) {
	for len(p.stack) > 0 && p.stack[len(p.stack)-1].indent > indent {
		p.stack = p.stack[:len(p.stack)-1]
	}
	if n := len(p.stack); n > 0 && p.stack[n-1].indent == indent && p.stack[n-1].kind != kind {
		p.stack = p.stack[:n-1]
	}
	if n := len(p.stack); n > 0 && n >= maxListDepth && p.stack[n-1].indent < indent {
		indent = p.stack[n-1].indent // deep enough: a sibling, not a deeper list
	}
	if n := len(p.stack); n == 0 || p.stack[n-1].indent < indent {
		l := &mdList{indent: indent, kind: kind}
		blk := &mdBlock{list: l}
		if n == 0 {
			p.doc = append(p.doc, blk)
		} else {
			items := p.stack[n-1].items
			last := items[len(items)-1]
			last.blocks = append(last.blocks, blk)
		}
		p.stack = append(p.stack, l)
	}
	top := p.stack[len(p.stack)-1]
	p.cur = &mdBlock{lines: []string{strings.TrimSpace(content)}}
	top.items = append(top.items, &mdItem{blocks: []*mdBlock{p.cur}})
}

// blocks converts parsed blocks into domain blocks.
func (t text) blocks(bs []*mdBlock) domain.Text {
	var out domain.Text
	for _, b := range bs {
		if b.list == nil {
			runs := t.inline(strings.Join(b.lines, " "), false, b.heading)
			if len(runs) > 0 {
				out = append(out, domain.Block{Kind: domain.BlockParagraph, Runs: runs})
			}
			continue
		}
		list := domain.Block{Kind: b.list.kind}
		for _, it := range b.list.items {
			if item := t.blocks(it.blocks); len(item) > 0 {
				list.Items = append(list.Items, item)
			}
		}
		if len(list.Items) > 0 {
			out = append(out, list)
		}
	}
	return out
}

// insert is a param insert; it is matched on a short window only, so
// that a "{" without "}}" costs nothing.
var insert = regexp.MustCompile(`^\{\{\s*insert:\s*([A-Za-z_-]+)\s*,\s*([^\s}]+)\s*\}\}`)

const (
	insertWindow   = 256 // longest insert matched
	maxInlineDepth = 4   // emphasis or links within each other
)

// inlineScan holds what one inline call has learnt about the text ahead,
// so that each search starts where the last one stopped and the scan stays
// linear in the length of the text, whatever the input.
type inlineScan struct {
	nextBracket, nextParen, nextSpace, nextTick int // next such byte, or len(s); -1 unknown
	noCloser                                    map[string]int
	steps                                       int // bytes looked at, for text.steps
}

// nextIndex returns the index of the first byte of set at or after from,
// or len(s). The cache is valid while from does not pass it; callers ask
// with growing from.
func (sc *inlineScan) nextIndex(s string, from int, set string, cache *int) int {
	if *cache >= from {
		return *cache
	}
	if k := strings.IndexAny(s[from:], set); k >= 0 {
		*cache = from + k
		sc.steps += k + 1
	} else {
		*cache = len(s)
		sc.steps += len(s) - from
	}
	return *cache
}

// inline splits a paragraph into runs. It scans for the next special
// character and handles what starts there; unmatched delimiters stay text.
func (t text) inline(s string, emph, strong bool) []domain.Run {
	return t.inlineAt(s, emph, strong, 0)
}

func (t text) inlineAt(s string, emph, strong bool, depth int) []domain.Run {
	var runs []domain.Run
	var plain strings.Builder
	flush := func() {
		if plain.Len() > 0 {
			runs = appendRun(runs, domain.Run{Text: plain.String(), Emph: emph, Strong: strong})
			plain.Reset()
		}
	}
	nested := func(inner string, e, st bool) {
		flush()
		for _, r := range t.inlineAt(inner, e, st, depth+1) {
			runs = appendRun(runs, r)
		}
	}
	sc := inlineScan{nextBracket: -1, nextParen: -1, nextSpace: -1, nextTick: -1, noCloser: map[string]int{}}
	if t.steps != nil {
		defer func() { *t.steps += sc.steps }()
	}
	for i := 0; i < len(s); {
		sc.steps++
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			plain.WriteByte(s[i+1])
			i += 2
			continue
		case c == '{':
			window := s[i:min(len(s), i+insertWindow)]
			sc.steps += len(window)
			if m := insert.FindStringSubmatch(window); m != nil {
				flush()
				runs = appendRun(runs, t.insertRun(m[1], m[2], strong))
				i += len(m[0])
				continue
			}
		case c == '`':
			if end := sc.nextIndex(s, i+1, "`", &sc.nextTick); end < len(s) {
				plain.WriteString(s[i+1 : end])
				i = end + 1
				continue
			}
		case c == '[' && depth < maxInlineDepth:
			if label, url, n, ok := sc.link(s, i); ok {
				nested(label, emph, strong)
				if url != "" && !strings.HasPrefix(url, "#") {
					plain.WriteString(" (" + url + ")")
				}
				i += n
				continue
			}
		case (c == '*' || c == '_') && depth < maxInlineDepth:
			if inner, n, isStrong, ok := sc.emphasis(s, i); ok {
				nested(inner, emph || !isStrong, strong || isStrong)
				i += n
				continue
			}
		}
		plain.WriteByte(s[i])
		i++
	}
	flush()
	return runs
}

// link recognises [label](url) at s[i], the url without blanks.
func (sc *inlineScan) link(s string, i int) (label, url string, n int, ok bool) {
	j := sc.nextIndex(s, i+1, "]", &sc.nextBracket)
	if j+1 >= len(s) || s[j+1] != '(' {
		return "", "", 0, false
	}
	k := sc.nextIndex(s, j+2, ")", &sc.nextParen)
	if k == len(s) || sc.nextIndex(s, j+2, " \t\n", &sc.nextSpace) < k {
		return "", "", 0, false
	}
	return s[i+1 : j], s[j+2 : k], k + 1 - i, true
}

// insertRun is the run an insert stands for: a known param's text, marked
// with the param so that a scope's value can take its place, else the id.
func (t text) insertRun(kind, id string, strong bool) domain.Run {
	if v, ok := t.params[id]; ok && kind == "param" {
		return domain.Run{Text: v, Emph: true, Strong: strong, Param: id}
	}
	return domain.Run{Text: id, Emph: true, Strong: strong}
}

// emphasis recognises *x*, _x_, **x** and __x__ starting at s[i]. Unlike
// CommonMark, a delimiter must stand at a word boundary on its outer side
// also for "*": German writes "Administrator*innen", which is no emphasis.
// Whether a closer is valid does not depend on the opener, so once the
// search fails from some point, it fails from every later one.
func (sc *inlineScan) emphasis(s string, i int) (inner string, n int, strong, ok bool) {
	delim := s[i : i+1]
	if strings.HasPrefix(s[i:], delim+delim) {
		delim += delim
	}
	start := i + len(delim)
	if !boundaryBefore(s, i) || start >= len(s) || s[start] == ' ' {
		return "", 0, false, false
	}
	if from, failed := sc.noCloser[delim]; failed && start >= from {
		return "", 0, false, false
	}
	for j := start + 1; j+len(delim) <= len(s); j++ {
		sc.steps++
		if s[j:j+len(delim)] != delim || s[j-1] == ' ' || s[j-1] == '\\' {
			continue
		}
		end := j + len(delim)
		if end < len(s) && s[end] == delim[0] {
			continue // part of a longer run of delimiters
		}
		if boundaryAfter(s, end) {
			return s[start:j], end - i, len(delim) == 2, true
		}
	}
	sc.noCloser[delim] = start
	return "", 0, false, false
}

// boundaryBefore: s[i] starts the text or follows a space or punctuation.
func boundaryBefore(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// boundaryAfter: s[i] ends the text or is a space or punctuation.
func boundaryAfter(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

func isASCIIPunct(c byte) bool {
	return c < utf8.RuneSelf && unicode.IsPunct(rune(c)) || strings.IndexByte("$+<=>^`|~", c) >= 0
}

// appendRun appends r, merging it into the last run of the same style.
func appendRun(runs []domain.Run, r domain.Run) []domain.Run {
	if r.Text == "" {
		return runs
	}
	if n := len(runs); n > 0 && r.Param == "" && runs[n-1].Param == "" && runs[n-1].Emph == r.Emph && runs[n-1].Strong == r.Strong {
		runs[n-1].Text += r.Text
		return runs
	}
	return append(runs, r)
}
