package kompendium

import (
	"encoding/xml"
	"strings"
	"unicode"

	"ismsd/internal/domain"
)

// style is the emphasis in effect for a piece of text.
type style struct{ emph, strong bool }

// with returns the style inside an <emphasis> with the given role.
// role="strong"/"bold" is strong, italics and every other role emphasis,
// except the colour roles ("color:#000000") the BSI's export wraps around
// most paragraphs: they carry no emphasis and would otherwise mark nearly
// all of the text.
func (s style) with(e xml.StartElement) style {
	role := ""
	for _, a := range e.Attr {
		if a.Name.Local == "role" {
			role = strings.ToLower(strings.TrimSpace(a.Value))
		}
	}
	switch {
	case role == "strong" || role == "bold":
		s.strong = true
	case strings.HasPrefix(role, "color:"):
	default:
		s.emph = true
	}
	return s
}

// textBuilder collects blocks; runs gather into the open paragraph until
// a block element closes it.
type textBuilder struct {
	blocks domain.Text
	runs   []domain.Run
}

// add appends text in a style. Runs are merged only when the paragraph
// is closed: merging here would copy the paragraph again for every piece.
func (b *textBuilder) add(text string, s style) {
	if text != "" {
		b.runs = append(b.runs, domain.Run{Text: text, Emph: s.emph, Strong: s.strong})
	}
}

// flush closes the open paragraph, if it holds any text.
func (b *textBuilder) flush() {
	if runs := normaliseRuns(b.runs); len(runs) > 0 {
		b.blocks = append(b.blocks, domain.Block{Kind: domain.BlockParagraph, Runs: runs})
	}
	b.runs = nil
}

// normaliseRuns collapses white space as XML text is read: every run of
// spaces and line breaks becomes one space, across run boundaries, with
// none at the start and end of the paragraph. Neighbours of equal style
// are merged, and runs left empty dropped.
func normaliseRuns(in []domain.Run) []domain.Run {
	var out []domain.Run
	var cur strings.Builder
	var curStyle domain.Run // only Emph and Strong are used
	emit := func() {
		if cur.Len() > 0 {
			out = append(out, domain.Run{Text: cur.String(), Emph: curStyle.Emph, Strong: curStyle.Strong})
			cur.Reset()
		}
	}
	space := true // at the start, leading space is dropped
	for _, r := range in {
		for _, c := range r.Text {
			isSpace := unicode.IsSpace(c)
			if isSpace && space {
				continue
			}
			if r.Emph != curStyle.Emph || r.Strong != curStyle.Strong {
				emit()
				curStyle = domain.Run{Emph: r.Emph, Strong: r.Strong}
			}
			if isSpace {
				cur.WriteByte(' ')
			} else {
				cur.WriteRune(c)
			}
			space = isSpace
		}
	}
	emit()
	// Spaces were collapsed, so at most the last run ends in one, and it
	// may be all there is of that run.
	if n := len(out); n > 0 {
		if out[n-1].Text = strings.TrimSuffix(out[n-1].Text, " "); out[n-1].Text == "" {
			out = out[:n-1]
		}
	}
	return out
}

// text reads the rest of the current element as structured text.
func (p *parser) text() (domain.Text, error) {
	var b textBuilder
	err := p.content(&b, style{})
	b.flush()
	return b.blocks, err
}

// content reads the rest of the current element into b: paragraphs,
// lists (nested as deep as they come) and emphasis. Other elements are
// read for their text, so that nothing written is lost.
func (p *parser) content(b *textBuilder, s style) error {
	return p.tokens(func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.CharData:
			b.add(string(t), s)
		case xml.ProcInst:
			// <?linebreak?> separates words like a space does.
			if t.Target == "linebreak" {
				b.add(" ", s)
			}
		case xml.StartElement:
			return p.contentElement(b, t, s)
		}
		return nil
	})
}

func (p *parser) contentElement(b *textBuilder, t xml.StartElement, s style) error {
	switch t.Name.Local {
	case "para", "simpara", "formalpara", "section", "simplesect", "note", "tip",
		"important", "warning", "caution", "blockquote", "sidebar", "informalexample", "example":
		// Block containers: their content makes paragraphs of its own.
		b.flush()
		err := p.content(b, s)
		b.flush()
		return err
	case "title":
		// A heading inside the text (Einleitung, Zielsetzung …) becomes a
		// paragraph of strong text.
		b.flush()
		err := p.content(b, style{strong: true})
		b.flush()
		return err
	case "itemizedlist", "orderedlist":
		b.flush()
		return p.list(b, t.Name.Local == "orderedlist")
	case "informaltable", "table":
		b.flush()
		return p.tableAsText(b)
	case "emphasis":
		return p.content(b, s.with(t))
	case "footnote", "indexterm", "remark":
		return p.skip()
	}
	return p.content(b, s)
}

// list reads a list's items, each a text of its own.
func (p *parser) list(b *textBuilder, numbered bool) error {
	blk := domain.Block{Kind: domain.BlockBullets}
	if numbered {
		blk.Kind = domain.BlockNumbered
	}
	err := p.children(func(t xml.StartElement) error {
		if t.Name.Local != "listitem" {
			// A list's title or other furniture goes before the list.
			return p.contentElement(b, t, style{})
		}
		item, err := p.text()
		if err != nil {
			return err
		}
		if len(item) > 0 {
			blk.Items = append(blk.Items, item)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(blk.Items) > 0 {
		b.blocks = append(b.blocks, blk)
	}
	return nil
}

// tableAsText writes a table inside running text as one paragraph per
// row, cells separated by " | ". The Kompendium has none in its requirement
// texts and descriptions; this keeps the words should another edition.
func (p *parser) tableAsText(b *textBuilder) error {
	rows, err := p.tableRows()
	if err != nil {
		return err
	}
	for _, row := range rows {
		cells := make([]string, 0, len(row.cells))
		for _, c := range row.cells {
			if c = oneLine(c); c != "" {
				cells = append(cells, c)
			}
		}
		b.add(strings.Join(cells, " | "), style{})
		b.flush()
	}
	return nil
}

// plainText reads the rest of the current element as one line of plain
// text, white space collapsed.
func (p *parser) plainText() (string, error) {
	var sb strings.Builder
	err := p.plainInto(&sb)
	return oneLine(sb.String()), err
}

// plainInto writes the text of the rest of the current element. Block
// elements end with a line break, so that paragraphs in a table cell stay
// apart ("a" "b" is not "ab"); inline elements add nothing.
func (p *parser) plainInto(sb *strings.Builder) error {
	return p.tokens(func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.CharData:
			sb.Write(t)
		case xml.ProcInst:
			if t.Target == "linebreak" {
				sb.WriteByte('\n')
			}
		case xml.StartElement:
			if err := p.plainInto(sb); err != nil {
				return err
			}
			switch t.Name.Local {
			case "para", "simpara", "listitem", "td", "th", "entry", "tr", "row":
				sb.WriteByte('\n')
			}
		}
		return nil
	})
}

// oneLine collapses all white space to single spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// lines collapses white space within each line and drops empty lines,
// keeping the line breaks that separate paragraphs.
func lines(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = oneLine(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
