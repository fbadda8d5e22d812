package kompendium

import (
	"encoding/xml"
	"regexp"
	"strings"

	"ismsd/internal/domain"
)

var (
	// layerTitle is a layer chapter's title: its key, then its name
	// ("NET Netze und Kommunikation").
	layerTitle = regexp.MustCompile(`^([A-Z]{2,})\s+(\S.*)$`)
	// threatTitle is an elementary threat's title ("G 0.1 Feuer"); the
	// space after the G is optional, for titles written "G0.1".
	threatTitle = regexp.MustCompile(`^G\s*(\d+)\.(\d+)\s+(\S.*)$`)
	// yearIn finds a year in the book's info elements.
	yearIn = regexp.MustCompile(`\b((?:19|20)\d\d)\b`)
	// editionIn finds "Edition 2023" in the running text.
	editionIn = regexp.MustCompile(`\bEdition\s+((?:19|20)\d\d)\b`)
	// sectionNumber is a leftover chapter number before a heading, as in
	// "2 Weiterführende Informationen" (OPS.1.1.1 in the 2023 edition).
	sectionNumber = regexp.MustCompile(`^[0-9][0-9.]*\s+`)
)

// book reads the children of the root element.
func (p *parser) book() error {
	return p.children(p.bookChild)
}

func (p *parser) bookChild(t xml.StartElement) error {
	switch t.Name.Local {
	case "info":
		return p.bookInfo()
	case "title":
		title, err := p.plainText()
		if p.out.Title == "" {
			p.out.Title = title
		}
		return err
	case "part":
		return p.part()
	case "chapter", "preface", "appendix", "article":
		return p.chapterElement()
	}
	return p.skip()
}

// part reads a part, which only groups chapters; its own title and
// introduction are not the book's.
func (p *parser) part() error {
	return p.children(func(t xml.StartElement) error {
		switch t.Name.Local {
		case "chapter", "preface", "appendix", "article":
			return p.chapterElement()
		}
		return p.skip()
	})
}

// bookInfo reads the title and, where the book gives it, the edition.
// The 2023 file names only its title here; other editions might say more.
func (p *parser) bookInfo() error {
	found := map[string]string{}
	err := p.children(func(t xml.StartElement) error {
		text, err := p.plainText()
		if err != nil {
			return err
		}
		if _, dup := found[t.Name.Local]; !dup {
			found[t.Name.Local] = text
		}
		if t.Name.Local == "title" && p.out.Title == "" {
			p.out.Title = text
		}
		return nil
	})
	if err != nil {
		return err
	}
	p.infoEdition = editionFromInfo(found)
	return nil
}

// editionFromInfo picks the year from the info elements that may carry
// the edition, most specific first.
func editionFromInfo(found map[string]string) string {
	for _, name := range []string{"edition", "releaseinfo", "subtitle", "title", "pubdate", "date"} {
		if m := yearIn.FindStringSubmatch(found[name]); m != nil {
			return m[1]
		}
	}
	return ""
}

// noteEdition remembers the highest "Edition YYYY" in the text outside
// the modules: the front matter speaks of this edition and of earlier
// ones ("… sowie 101 Bausteine aus der Edition 2022"), never of later ones.
func (p *parser) noteEdition(text string) {
	if !strings.Contains(text, "Edition") {
		return
	}
	for _, m := range editionIn.FindAllStringSubmatch(text, -1) {
		if m[1] > p.textEdition { // same length: string order is numeric order
			p.textEdition = m[1]
		}
	}
}

// chapterElement reads a chapter: a layer if its title is "KEY Name",
// otherwise front matter that may hold the threats and the modelling table.
func (p *parser) chapterElement() error {
	title, err := p.sectionTitle()
	if err != nil {
		return err
	}
	p.inChapter, p.inModule, p.inRequirement = title, "", ""
	defer func() { p.inChapter = "" }()
	if m := layerTitle.FindStringSubmatch(title); m != nil {
		return p.layer(m[1], m[2])
	}
	return p.generic()
}

// layer reads a layer chapter. Its direct sections titled "KEY.n…" are
// modules; a chapter of that title shape without modules is no layer.
func (p *parser) layer(key, title string) error {
	order := 0
	err := p.children(func(t xml.StartElement) error {
		if t.Name.Local != "section" {
			return p.genericChild(t)
		}
		st, err := p.sectionTitle()
		if err != nil {
			return err
		}
		id, name, ok := moduleTitle(key, st)
		if !ok {
			return p.genericSectionBody(st)
		}
		if order == 0 {
			if p.seenGroups[key] {
				return p.errorf("layer %s appears twice", key)
			}
			p.seenGroups[key] = true
		}
		order++
		return p.moduleSection(key, id, name, order)
	})
	if err != nil {
		return err
	}
	if order > 0 {
		p.out.Groups = append(p.out.Groups, domain.CatalogGroup{
			Key: key, Title: title, Order: len(p.out.Groups) + 1,
		})
	}
	return nil
}

// moduleTitle splits a module's title, "NET.3.1 Router und Switches",
// into ID and name if the ID is in the layer with the given key.
func moduleTitle(key, title string) (id, name string, ok bool) {
	id, name, _ = strings.Cut(title, " ")
	if !strings.HasPrefix(id, key+".") || !moduleID.MatchString(id) {
		return "", "", false
	}
	name = strings.TrimSpace(name)
	return id, name, name != ""
}

// generic reads an element outside the modules: it looks for threat
// sections and the modelling table, and for the edition in the text.
func (p *parser) generic() error {
	return p.tokens(func(tok xml.Token) error {
		switch t := tok.(type) {
		case xml.CharData:
			p.noteEdition(string(t))
		case xml.StartElement:
			return p.genericChild(t)
		}
		return nil
	})
}

func (p *parser) genericChild(t xml.StartElement) error {
	switch t.Name.Local {
	case "section", "simplesect", "sect1", "sect2", "sect3", "sect4", "sect5":
		title, err := p.sectionTitle()
		if err != nil {
			return err
		}
		return p.genericSectionBody(title)
	case "informaltable", "table":
		return p.maybeModellingTable()
	}
	return p.generic()
}

// genericSectionBody reads a section outside the modules whose title has
// been read: an elementary threat, or more front matter.
func (p *parser) genericSectionBody(title string) error {
	if m := threatTitle.FindStringSubmatch(title); m != nil {
		return p.threat(m[1], m[2], m[3])
	}
	p.noteEdition(title)
	return p.generic()
}

// threat reads an elementary threat's text.
func (p *parser) threat(major, minor, title string) error {
	id := "G " + trimZeros(major) + "." + trimZeros(minor)
	if p.seenThreats[id] {
		return p.errorf("elementary threat %s appears twice", id)
	}
	p.seenThreats[id] = true
	text, err := p.text()
	if err != nil {
		return err
	}
	p.out.Threats = append(p.out.Threats, domain.Threat{
		ID: id, Title: title, Text: text, Order: len(p.out.Threats) + 1,
	})
	return nil
}

// sectionTitle reads the title that opens a section (or chapter), directly
// or inside its info element. Without one it returns "" and leaves the
// first child unread.
func (p *parser) sectionTitle() (string, error) {
	for {
		tok, err := p.next()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "title":
				return p.plainText()
			case "info":
				return p.infoTitle()
			}
			p.unread(tok)
			return "", nil
		case xml.EndElement:
			p.unread(tok)
			return "", nil
		}
	}
}

// infoTitle reads an info element and returns the title inside it.
func (p *parser) infoTitle() (string, error) {
	title := ""
	err := p.children(func(t xml.StartElement) error {
		if t.Name.Local != "title" || title != "" {
			return p.skip()
		}
		var err error
		title, err = p.plainText()
		return err
	})
	if err != nil {
		return "", err
	}
	return title, nil
}

// heading is a section title without a leftover number, for comparing
// with the fixed headings of a module.
func heading(title string) string {
	return sectionNumber.ReplaceAllString(title, "")
}

// trimZeros writes a number without leading zeros, so that "A01" and
// "A1" name the same requirement; it never overflows as Atoi could.
func trimZeros(digits string) string {
	if t := strings.TrimLeft(digits, "0"); t != "" {
		return t
	}
	return "0"
}

// finish checks the whole and fills in what is known only at the end.
func (p *parser) finish() error {
	if len(p.out.Modules) == 0 {
		return p.endError("not a DocBook Kompendium: no layer chapter with modules (a chapter titled like \"NET Netze und Kommunikation\" with sections titled like \"NET.3.1 Router und Switches\")")
	}
	if p.out.Title == "" {
		return p.endError("the book has no title (book/info/title)")
	}
	p.out.Version = p.infoEdition
	if p.out.Version == "" {
		p.out.Version = p.textEdition
	}
	if p.out.Version == "" {
		return p.endError("cannot tell the edition: neither book/info nor the text outside the modules names one (\"Edition 2023\")")
	}
	for _, h := range p.out.ModellingHints {
		if !p.seenModules[h.ModuleID] {
			return p.endError("the modelling table names module %s, which the file does not contain", h.ModuleID)
		}
	}
	return nil
}

// endError reports a problem with the file as a whole.
func (p *parser) endError(format string, args ...any) error {
	p.inChapter, p.inModule, p.inRequirement = "", "", ""
	e := p.errorf(format, args...)
	e.Where = "end of file (" + e.Where + ")"
	return e
}
