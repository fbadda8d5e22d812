// Package kompendium reads an edition of the BSI IT-Grundschutz-Kompendium
// in its published DocBook 5 XML form.
//
// The parser streams the file through an encoding/xml Decoder and keeps
// only what it returns, so memory stays proportional to the content. It
// relies on the structure of the published file, not on a list of known
// layers, modules or requirements, so later editions of the same shape
// read as well:
//
//	book/info/title                               the title
//	book/info/{edition,releaseinfo,subtitle,…}    the edition, if given there;
//	                                              otherwise the highest "Edition YYYY"
//	                                              in the chapters outside the layers
//	book/chapter[title="KEY Title"]               a layer, e.g. "NET Netze und Kommunikation"
//	  section[title="KEY.n… Title"]               a module, e.g. "NET.3.1 Router und Switches"
//	    section[title="Beschreibung"]             its description
//	    section[title="Anforderungen"]
//	      informaltable                           "Grundsätzlich zuständig" / "Weitere Zuständigkeiten"
//	      section[title="Basis-Anforderungen"]    (or Standard-…, … bei erhöhtem Schutzbedarf)
//	        section[title="ID Title (B) [roles]"] a requirement
//	any other chapter:
//	  section[title="G 0.n Title"]                an elementary threat
//	  informaltable with the header
//	  "Baustein | Reihenfolge | … Zielobjekttyp"  the modelling hints
package kompendium

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"ismsd/internal/catalog"
	"ismsd/internal/domain"
)

// docbookNS is the DocBook 5 namespace; the root <book> must be in it.
const docbookNS = "http://docbook.org/ns/docbook"

// maxDepth bounds element nesting. The Kompendium nests about a dozen
// levels deep; the bound keeps a hostile file from growing the parser's
// (recursive) stack without limit.
const maxDepth = 256

// Parse reads a Kompendium edition and returns its content (Kind
// domain.CatalogKompendium). Errors are *catalog.Error and say where
// (line and column, and the requirement, module or chapter being read)
// and why.
func Parse(r io.Reader) (domain.CatalogContent, error) {
	p := newParser(r)
	if err := p.document(); err != nil {
		return domain.CatalogContent{}, err
	}
	if err := p.finish(); err != nil {
		return domain.CatalogContent{}, err
	}
	return p.out, nil
}

// parser holds the decoder, the content read so far and the context
// that error messages name.
type parser struct {
	dec     *xml.Decoder
	pending xml.Token // one token pushed back by unread
	stack   []string  // open elements' local names, for depth and messages

	out domain.CatalogContent

	// where we are, for error messages
	inChapter, inModule, inRequirement string

	infoEdition string // the edition as the book's info gives it
	textEdition string // the highest "Edition YYYY" outside the layers

	seenGroups       map[string]bool
	seenModules      map[string]bool
	seenRequirements map[string]bool
	seenThreats      map[string]bool
}

func newParser(r io.Reader) *parser {
	dec := xml.NewDecoder(r)
	// Strict is the default; set it anyway because it is what makes the
	// decoder refuse undefined entities and mismatched tags. Entity stays
	// nil: only the five predefined entities exist, nothing is expanded.
	dec.Strict = true
	dec.CharsetReader = charsetReader
	return &parser{
		dec:              dec,
		out:              domain.CatalogContent{Kind: domain.CatalogKompendium},
		seenGroups:       map[string]bool{},
		seenModules:      map[string]bool{},
		seenRequirements: map[string]bool{},
		seenThreats:      map[string]bool{},
	}
}

// encodingError refuses an encoding other than UTF-8 (or its subset ASCII).
type encodingError struct{ label string }

func (e encodingError) Error() string { return "unsupported encoding " + e.label }

// charsetReader lets ASCII through, which is UTF-8 already, and refuses
// every other declared encoding: the BSI publishes UTF-8.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "us-ascii", "ascii":
		return r, nil
	}
	return nil, encodingError{label}
}

// next returns the next token, copied (the decoder reuses its buffers),
// and turns the end of input inside an element into an error.
func (p *parser) next() (xml.Token, error) {
	if p.pending != nil {
		tok := p.pending
		p.pending = nil
		_ = p.track(tok) // cannot fail: the depth was accepted before the token was pushed back
		return tok, nil
	}
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.decodeError(err)
	}
	tok = xml.CopyToken(tok)
	if err := p.track(tok); err != nil {
		return nil, err
	}
	return tok, nil
}

// track keeps the stack of open elements in step with the tokens handed out.
func (p *parser) track(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		if len(p.stack) >= maxDepth {
			return p.errorf("elements nested deeper than %d levels", maxDepth)
		}
		p.stack = append(p.stack, t.Name.Local)
	case xml.EndElement:
		if len(p.stack) > 0 {
			p.stack = p.stack[:len(p.stack)-1]
		}
	}
	return nil
}

// unread pushes one token back so that the next call to next returns it.
func (p *parser) unread(tok xml.Token) {
	switch t := tok.(type) {
	case xml.StartElement:
		p.stack = p.stack[:len(p.stack)-1]
	case xml.EndElement:
		p.stack = append(p.stack, t.Name.Local)
	}
	p.pending = tok
}

// decodeError explains an error from the decoder.
func (p *parser) decodeError(err error) error {
	var ce *catalog.Error
	if errors.As(err, &ce) {
		// From the reader, e.g. catalog.LimitReader: it says why, we add where.
		if ce.Where == "" {
			return p.errorf("%s", ce.Reason)
		}
		return ce
	}
	var enc encodingError
	if errors.As(err, &enc) {
		return p.errorf("the file declares the encoding %q; only UTF-8 is supported", enc.label)
	}
	var se *xml.SyntaxError
	switch {
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) ||
		(errors.As(err, &se) && se.Msg == "unexpected EOF"):
		return p.errorf("unexpected EOF%s: the file is incomplete (truncated?)", p.inside())
	case errors.As(err, &se):
		return p.errorf("not well-formed XML: %s", printable(se.Msg))
	}
	return p.errorf("%v", err)
}

// inside names the innermost open element, for messages about the end of input.
func (p *parser) inside() string {
	if n := len(p.stack); n > 0 {
		return fmt.Sprintf(" inside <%s>", p.stack[n-1])
	}
	return ""
}

// errorf returns a *catalog.Error at the decoder's position, naming the
// innermost requirement, module or chapter being read.
func (p *parser) errorf(format string, args ...any) *catalog.Error {
	line, col := p.dec.InputPos()
	where := fmt.Sprintf("line %d, column %d", line, col)
	switch {
	case p.inRequirement != "":
		where += " (requirement " + p.inRequirement + ")"
	case p.inModule != "":
		where += " (module " + p.inModule + ")"
	case p.inChapter != "":
		where += fmt.Sprintf(" (chapter %q)", p.inChapter)
	}
	return catalog.Errorf(where, format, args...)
}

// notKompendium refuses a file that is not a DocBook Kompendium at all.
func (p *parser) notKompendium(format string, args ...any) *catalog.Error {
	return p.errorf("not a DocBook Kompendium: "+format, args...)
}

// document reads the prolog, the root <book> and whatever follows it.
func (p *parser) document() error {
	for {
		tok, err := p.dec.Token()
		if err == io.EOF {
			return p.notKompendium("the input holds no XML element (empty?)")
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return p.notKompendium("not XML: %s", printable(se.Msg))
			}
			return p.decodeError(err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			if err := p.directive(t); err != nil {
				return err
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(t)); s != "" {
				return p.notKompendium("text before the root element (starts with %q)", clip(s, 20))
			}
		case xml.StartElement:
			p.track(t)
			if t.Name.Local != "book" || t.Name.Space != docbookNS {
				return p.notKompendium("the root element is <%s> in namespace %q, want DocBook 5 <book> (%s)",
					t.Name.Local, t.Name.Space, docbookNS)
			}
			if err := p.book(); err != nil {
				return err
			}
			return p.epilog()
		}
	}
}

// directive refuses entity declarations. Go's decoder would not expand
// them anyway (it ignores DTDs and refuses undefined entities), but a file
// that declares entities is no Kompendium and most likely an entity bomb,
// so it is named as such instead of failing later on "invalid entity".
func (p *parser) directive(d xml.Directive) error {
	if strings.Contains(string(d), "ENTITY") {
		return p.errorf("the DOCTYPE declares entities; refusing it (entity expansion, e.g. an XML entity bomb, is not supported)")
	}
	return nil
}

// epilog reads to the end of input: only comments, processing
// instructions and white space may follow the root element.
func (p *parser) epilog() error {
	for {
		tok, err := p.dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return p.decodeError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return p.errorf("a second root element <%s> after </book>", t.Name.Local)
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				return p.errorf("text after </book>")
			}
		}
	}
}

// tokens reads the rest of the element whose start tag was just read and
// hands fn every token in it but the closing one; fn must read each child
// element it is handed to that child's end.
func (p *parser) tokens(fn func(xml.Token) error) error {
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		if _, end := tok.(xml.EndElement); end {
			return nil
		}
		if err := fn(tok); err != nil {
			return err
		}
	}
}

// children is tokens for the child elements alone: the text between them
// is passed over.
func (p *parser) children(fn func(xml.StartElement) error) error {
	return p.tokens(func(tok xml.Token) error {
		if t, ok := tok.(xml.StartElement); ok {
			return fn(t)
		}
		return nil
	})
}

// skip consumes the rest of the element whose start tag was just read.
func (p *parser) skip() error {
	for depth := 1; depth > 0; {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// printable makes a message from the decoder, which may quote bytes of a
// broken file, safe to show: valid UTF-8 without control characters.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// clip shortens s to at most n runes for a message.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
