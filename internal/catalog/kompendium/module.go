package kompendium

import (
	"encoding/xml"
	"regexp"
	"strings"

	"ismsd/internal/domain"
)

var (
	// requirementTitle is "<ID> <title> (B|S|H)", optionally followed by
	// "[role, role]"; the title may be empty only in broken files.
	requirementTitle = regexp.MustCompile(`^(\S+)\s+(.*?)\s*\(([BSH])\)\s*(?:\[(.*)\])?$`)
	// requirementID is a requirement's ID. The dot before the A is
	// optional because one ID lacks it in 2023 ("OPS.2.3A22").
	requirementID = regexp.MustCompile(`^([A-Z]+(?:\.[0-9]+)+)\.?A([0-9]+)$`)
	// withdrawnTitle marks a withdrawn requirement: "NET.3.1.A2 ENTFALLEN (B)".
	withdrawnTitle = regexp.MustCompile(`^ENTFALLEN\b`)
)

// levelLetters maps the letter in a requirement title to its level.
var levelLetters = map[string]domain.Level{
	"B": domain.LevelBasis,
	"S": domain.LevelStandard,
	"H": domain.LevelElevated,
}

// moduleSection reads a module whose title has been read.
func (p *parser) moduleSection(layer, id, title string, order int) error {
	if p.seenModules[id] {
		return p.errorf("module %s appears twice", id)
	}
	p.seenModules[id] = true
	p.inModule = id
	defer func() { p.inModule = "" }()

	mod := domain.Module{ID: id, GroupKey: layer, Title: title, Order: order}
	err := p.children(func(t xml.StartElement) error {
		if t.Name.Local != "section" {
			return p.skip()
		}
		return p.moduleChild(&mod)
	})
	if err != nil {
		return err
	}
	p.out.Modules = append(p.out.Modules, mod)
	return nil
}

// moduleChild reads one of a module's top sections: the description and
// the requirements; the threat situation and further reading are skipped.
func (p *parser) moduleChild(mod *domain.Module) error {
	title, err := p.sectionTitle()
	if err != nil {
		return err
	}
	switch heading(title) {
	case "Beschreibung":
		text, err := p.text()
		mod.Description = append(mod.Description, text...)
		return err
	case "Anforderungen":
		return p.requirementsSection(mod)
	}
	return p.skip()
}

// requirementsSection reads "Anforderungen": the responsibility table and
// the subsections per level (Basis-, Standard-Anforderungen, Anforderungen
// bei erhöhtem Schutzbedarf) that hold the requirements.
func (p *parser) requirementsSection(mod *domain.Module) error {
	order := 0
	return p.children(func(t xml.StartElement) error {
		switch t.Name.Local {
		case "informaltable", "table":
			return p.roleTable(mod)
		case "section":
			title, err := p.sectionTitle()
			if err != nil {
				return err
			}
			// Requirements directly under "Anforderungen" would have no
			// level subsection; read them with no level to cross-check.
			if looksLikeRequirement(title) {
				return p.requirement(mod, title, "", &order)
			}
			return p.levelSection(mod, title, &order)
		}
		return p.skip()
	})
}

// levelSection reads a subsection of one level, e.g. "Basis-Anforderungen".
func (p *parser) levelSection(mod *domain.Module, title string, order *int) error {
	level := levelOfHeading(heading(title))
	return p.children(func(t xml.StartElement) error {
		if t.Name.Local != "section" {
			// The subsection's own words ("Die folgenden Anforderungen MÜSSEN …").
			return p.skip()
		}
		rt, err := p.sectionTitle()
		if err != nil {
			return err
		}
		return p.requirement(mod, rt, level, order)
	})
}

// levelOfHeading tells the level a subsection heading announces. It
// accepts "Basis-Anforderung" as well as "Basis-Anforderungen": CON.7 and
// SYS.4.4 use the singular in 2023.
func levelOfHeading(h string) domain.Level {
	switch {
	case strings.HasPrefix(h, "Basis-Anforderung"):
		return domain.LevelBasis
	case strings.HasPrefix(h, "Standard-Anforderung"):
		return domain.LevelStandard
	case strings.Contains(h, "erhöhtem Schutzbedarf"):
		return domain.LevelElevated
	}
	return ""
}

func looksLikeRequirement(title string) bool {
	id, _, _ := strings.Cut(title, " ")
	return requirementID.MatchString(id)
}

// requirement reads one requirement whose title has been read. The level
// in the title is authoritative; the subsection's level, if known, must
// agree with it.
func (p *parser) requirement(mod *domain.Module, title string, subsectionLevel domain.Level, order *int) error {
	// Errors name the requirement, if the title starts with an ID at all.
	if rawID, _, _ := strings.Cut(title, " "); requirementID.MatchString(rawID) {
		p.inRequirement = rawID
	}
	defer func() { p.inRequirement = "" }()

	req, err := p.requirementHead(mod, title, subsectionLevel)
	if err != nil {
		return err
	}
	p.inRequirement = req.ID
	if p.seenRequirements[req.ID] {
		return p.errorf("requirement %s appears twice", req.ID)
	}
	p.seenRequirements[req.ID] = true

	if req.Text, err = p.text(); err != nil {
		return err
	}
	*order++
	req.Order = *order
	p.out.Requirements = append(p.out.Requirements, req)
	return nil
}

// requirementHead parses a requirement's title line.
func (p *parser) requirementHead(mod *domain.Module, title string, subsectionLevel domain.Level) (domain.Requirement, error) {
	var req domain.Requirement
	var rawID, name, letter, roles string
	if m := requirementTitle.FindStringSubmatch(title); m != nil {
		rawID, name, letter, roles = m[1], m[2], m[3], m[4]
	} else {
		// No "(B)", "(S)" or "(H)": the subsection must tell the level.
		rawID, name, _ = strings.Cut(title, " ")
		if before, list, ok := strings.Cut(name, "["); ok && strings.HasSuffix(list, "]") {
			name, roles = strings.TrimSpace(before), strings.TrimSuffix(list, "]")
		}
	}
	id, err := p.requirementID(mod.ID, rawID, title)
	if err != nil {
		return req, err
	}
	level := levelLetters[letter]
	switch {
	case level == "" && subsectionLevel == "":
		return req, p.errorf("the title %q names no level (B), (S) or (H), nor does its subsection", title)
	case level == "":
		level = subsectionLevel
	case subsectionLevel != "" && level != subsectionLevel:
		return req, p.errorf("the title %q says level %s, but it stands under the %s requirements", title, letter, subsectionLevel)
	}
	if name == "" {
		return req, p.errorf("the requirement has no title: %q", title)
	}
	req = domain.Requirement{
		ID:        id,
		ModuleID:  mod.ID,
		Title:     name,
		Level:     level,
		Roles:     splitRoles(roles),
		Withdrawn: withdrawnTitle.MatchString(name),
	}
	return req, nil
}

// requirementID normalises a requirement's ID ("OPS.2.3A22" becomes
// "OPS.2.3.A22", "A01" becomes "A1") and checks that it is the module's.
func (p *parser) requirementID(moduleID, rawID, title string) (string, error) {
	m := requirementID.FindStringSubmatch(rawID)
	if m == nil {
		return "", p.errorf("the section %q stands among the requirements but does not start with a requirement ID such as %s.A1", title, moduleID)
	}
	if m[1] != moduleID {
		return "", p.errorf("requirement %s stands in module %s", rawID, moduleID)
	}
	return m[1] + ".A" + trimZeros(m[2]), nil
}

// splitRoles splits "Mitarbeitende, OT-Betrieb (Operational Technology, OT)"
// into its roles: commas inside parentheses belong to a role's name. Line
// breaks separate roles too (a table cell may hold one role per paragraph).
func splitRoles(s string) []string {
	var roles []string
	depth, start := 0, 0
	add := func(part string) {
		if part = strings.Join(strings.Fields(part), " "); part != "" {
			roles = append(roles, part)
		}
	}
	for i, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case (r == ',' && depth == 0) || r == '\n':
			add(s[start:i])
			start = i + 1
		}
	}
	add(s[start:])
	return roles
}
