package oscal

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"ismsd/internal/catalog"
	"ismsd/internal/domain"
)

// RootModuleID is the module synthesised for controls placed directly
// under the catalog, outside any group; its title is the catalog's. The
// "~" cannot occur in an OSCAL id (a token), so it never clashes with a
// group's id.
const RootModuleID = "~catalog"

// Props with a meaning of their own; every other prop is kept as it is.
const (
	propLevel  = "sec_level"      // Grundschutz++: security level
	propEffort = "effort_level"   // Grundschutz++: effort, 0 … 5
	propAltID  = "alt-identifier" // Grundschutz++: the control's UUID
	propStatus = "status"         // OSCAL: "withdrawn"
	propModal  = "modal_verb"     // Grundschutz++, on the statement: MUSS, SOLLTE, KANN
)

// levels maps Grundschutz++'s security levels (namespaces/security_level.csv).
var levels = map[string]domain.Level{
	"normal-SdT": domain.LevelStandard, // Standard-Sicherheitsstufe (Stand der Technik)
	"erhöht":     domain.LevelElevated, // erhöhte Sicherheitsstufe
}

// ParseCatalog reads an OSCAL 1.x catalog (JSON) into catalog content
// (Kind domain.CatalogOSCAL). It reads any OSCAL catalog, not only
// Grundschutz++:
//
//   - metadata title and version, and the catalog's uuid, become the
//     content's Title, Version and UUID;
//   - a group that directly holds controls becomes a Module (ID the group's
//     id), a group without controls of its own a CatalogGroup; the nesting
//     is kept in GroupKey and ParentKey. A group holding both controls and
//     groups becomes both, under the same key: the CatalogGroup keeps the
//     nesting, the Module (GroupKey = that group) holds its own controls;
//   - a group without id gets a stable key from its position, "~" and the
//     1-based positions along its path ("~4.1" for the first group of the
//     fourth); controls directly under the catalog go to RootModuleID;
//   - every control, at any depth, becomes a Requirement with ParentID the
//     enclosing control and ModuleID the module of its top control;
//   - prop sec_level gives the Level (normal-SdT → standard, erhöht →
//     elevated); a control without it is LevelStandard, as plain OSCAL
//     catalogs (NIST's) know no levels; an unknown value is refused;
//   - effort_level gives Effort, alt-identifier AltID, props named "tag"
//     or "tags" or of class "tag" give Tags (Grundschutz++ writes one
//     prop "tags" with comma-separated values), status=withdrawn gives
//     Withdrawn; every other prop of the control is kept in Props, and so
//     are the props of its statement part (Grundschutz++ puts the target
//     object categories, modal verb and result there);
//   - the statement part gives Text, the guidance part Guidance, both with
//     their nested parts as a list; other parts are not kept;
//   - a group's props' remarks and its parts give its description (the
//     Grundschutz++ practices describe themselves in the remarks of their
//     label prop), its props are kept in Props;
//   - Order is the 1-based position in document order, counted separately
//     for groups, modules and requirements.
//
// Refused: a file that is not an OSCAL catalog (a profile, XML, broken
// JSON), with the position; a control or group without title and a
// control without id, with the JSON path; duplicate control or group ids;
// groups and controls nested more than maxNesting deep.
func ParseCatalog(r io.Reader) (domain.CatalogContent, error) {
	data, err := readJSON(r, "catalog")
	if err != nil {
		return domain.CatalogContent{}, err
	}
	var doc catalogDoc
	if err := decode(data, &doc); err != nil {
		return domain.CatalogContent{}, err
	}
	switch {
	case doc.Catalog == nil && doc.Profile != nil:
		return domain.CatalogContent{}, catalog.Errorf("",
			"an OSCAL profile, not a catalog: import the catalogs it selects from as catalogs, then the profile as a profile")
	case doc.Catalog == nil && doc.ComponentDefinition != nil:
		return domain.CatalogContent{}, catalog.Errorf("", "an OSCAL component definition, not a catalog: import it as a component definition")
	case doc.Catalog == nil:
		return domain.CatalogContent{}, catalog.Errorf("",
			"not an OSCAL catalog: the top-level object must hold \"catalog\", this one holds %s", rootKeys(data))
	}
	return build(doc.Catalog)
}

// builder maps a decoded catalog onto domain values.
type builder struct {
	text
	defs map[string]param // param id → its definition
	out  domain.CatalogContent
	keys map[string]string // group and module keys → JSON path, for duplicates
	ids  map[string]string // control ids → JSON path, for duplicates
}

func build(c *catalogJSON) (domain.CatalogContent, error) {
	title := strings.TrimSpace(c.Metadata.Title)
	if title == "" {
		return domain.CatalogContent{}, catalog.Errorf("catalog.metadata", "the catalog has no title")
	}
	defs := collectParams(c)
	b := &builder{
		text: text{params: paramTexts(defs)},
		defs: defs,
		out: domain.CatalogContent{
			Kind:    domain.CatalogOSCAL,
			Title:   title,
			Version: strings.TrimSpace(c.Metadata.Version),
			UUID:    c.UUID,
		},
		keys: map[string]string{},
		ids:  map[string]string{},
	}
	if len(c.Controls) > 0 {
		b.keys[RootModuleID] = "catalog"
		b.out.Modules = append(b.out.Modules, domain.Module{ID: RootModuleID, Title: title, Order: 1})
		if err := b.controls(c.Controls, RootModuleID, "", "catalog", 1); err != nil {
			return domain.CatalogContent{}, err
		}
	}
	if err := b.groups(c.Groups, "", "catalog", nil, 1); err != nil {
		return domain.CatalogContent{}, err
	}
	return b.out, nil
}

// groups maps a list of groups; pos holds the 1-based positions of the
// enclosing groups, for keys of groups without id.
func (b *builder) groups(gs []group, parentKey, path string, pos []int, depth int) error {
	for i, g := range gs {
		p := fmt.Sprintf("%s.groups[%d]", path, i)
		if depth > maxNesting {
			return catalog.Errorf(p, "groups and controls nested more than %d deep; refused", maxNesting)
		}
		gpos := append(slices.Clone(pos), i+1)
		key, err := b.groupKey(g, p, gpos)
		if err != nil {
			return err
		}
		props, err := convertProps(g.Props, p)
		if err != nil {
			return err
		}
		title, desc := strings.TrimSpace(g.Title), b.groupText(g)
		if len(g.Controls) == 0 || len(g.Groups) > 0 {
			b.out.Groups = append(b.out.Groups, domain.CatalogGroup{
				Key: key, ParentKey: parentKey, Title: title, Order: len(b.out.Groups) + 1, Text: desc, Props: props,
			})
		}
		if len(g.Controls) > 0 {
			moduleGroup := parentKey
			if len(g.Groups) > 0 {
				moduleGroup = key // the CatalogGroup of the same key, just added
			}
			b.out.Modules = append(b.out.Modules, domain.Module{
				ID: key, GroupKey: moduleGroup, Title: title, Order: len(b.out.Modules) + 1, Description: desc, Props: props,
			})
			if err := b.controls(g.Controls, key, "", p, depth+1); err != nil {
				return err
			}
		}
		if err := b.groups(g.Groups, key, p, gpos, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// groupKey checks a group's title and returns its unique key.
func (b *builder) groupKey(g group, path string, pos []int) (string, error) {
	key := strings.TrimSpace(g.ID)
	if key == "" {
		parts := make([]string, len(pos))
		for i, n := range pos {
			parts[i] = strconv.Itoa(n)
		}
		key = "~" + strings.Join(parts, ".")
	}
	if strings.TrimSpace(g.Title) == "" {
		return "", catalog.Errorf(path, "group %s has no title", key)
	}
	if first, dup := b.keys[key]; dup {
		return "", catalog.Errorf(path, "group id %q is used twice (first at %s)", key, first)
	}
	b.keys[key] = path
	return key, nil
}

// groupText is a group's description: the remarks of its props and its
// parts.
func (b *builder) groupText(g group) domain.Text {
	var t domain.Text
	for _, p := range g.Props {
		if strings.TrimSpace(p.Remarks) != "" {
			t = append(t, b.prose(p.Remarks)...)
		}
	}
	for _, p := range g.Parts {
		t = append(t, b.part(p)...)
	}
	return t
}

// controls maps a list of controls and, recursively, their children.
func (b *builder) controls(cs []control, moduleID, parentID, path string, depth int) error {
	for i, c := range cs {
		p := fmt.Sprintf("%s.controls[%d]", path, i)
		if depth > maxNesting {
			return catalog.Errorf(p, "groups and controls nested more than %d deep; refused", maxNesting)
		}
		id := strings.TrimSpace(c.ID)
		switch first, dup := b.ids[id]; {
		case id == "":
			return catalog.Errorf(p, "a control without id")
		case strings.TrimSpace(c.Title) == "":
			return catalog.Errorf(p, "control %s has no title", id)
		case dup:
			return catalog.Errorf(p, "control id %s is used twice (first at %s)", id, first)
		}
		b.ids[id] = p
		req, err := b.requirement(c, p)
		if err != nil {
			return err
		}
		req.ID, req.ModuleID, req.ParentID, req.Order = id, moduleID, parentID, len(b.out.Requirements)+1
		b.out.Requirements = append(b.out.Requirements, req)
		if err := b.controls(c.Controls, moduleID, id, p, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// requirement maps one control's title, props and parts.
func (b *builder) requirement(c control, path string) (domain.Requirement, error) {
	req := domain.Requirement{Title: strings.TrimSpace(c.Title), Level: domain.LevelStandard}
	if err := applyProps(&req, c, path); err != nil {
		return req, err
	}
	for j, p := range c.Parts {
		switch p.Name {
		case "statement":
			req.Text = append(req.Text, b.part(p)...)
			for i, pr := range p.Props {
				if pr.Name == propModal {
					o, ok := domain.ParseModalVerb(pr.Value)
					if !ok {
						return req, catalog.Errorf(fmt.Sprintf("%s.parts[%d].props[%d]", path, j, i),
							"control %s: unknown %s %q; want MUSS, SOLLTE or KANN", c.ID, propModal, pr.Value)
					}
					req.Obligation = o
				}
				req.Props = append(req.Props, domain.Prop{Name: pr.Name, Value: pr.Value, NS: pr.NS, Class: pr.Class})
			}
			req.Params = b.paramsIn(req.Text, req.Params)
		case "guidance":
			req.Guidance = append(req.Guidance, b.part(p)...)
		}
	}
	return req, nil
}

// applyProps reads the control's props into req.
func applyProps(req *domain.Requirement, c control, path string) error {
	var levelSeen bool
	for i, p := range c.Props {
		where := fmt.Sprintf("%s.props[%d]", path, i)
		value := strings.TrimSpace(p.Value)
		switch {
		case p.Name == "":
			return catalog.Errorf(where, "control %s: a prop without name", c.ID)
		case p.Name == propLevel:
			lvl, ok := levels[value]
			if !ok {
				return catalog.Errorf(where, "control %s: unknown %s %q; want normal-SdT or erhöht", c.ID, propLevel, p.Value)
			}
			if levelSeen {
				return catalog.Errorf(where, "control %s: %s given twice", c.ID, propLevel)
			}
			req.Level, levelSeen = lvl, true
		case p.Name == propEffort:
			n, err := strconv.Atoi(value)
			if err != nil {
				return catalog.Errorf(where, "control %s: %s %q is not a whole number", c.ID, propEffort, p.Value)
			}
			if req.Effort != nil {
				return catalog.Errorf(where, "control %s: %s given twice", c.ID, propEffort)
			}
			req.Effort = &n
		case p.Name == propAltID && req.AltID == "":
			req.AltID = value
		case p.Name == "tag" || p.Name == "tags" || p.Class == "tag":
			req.Tags = append(req.Tags, splitTags(p.Value)...)
		case p.Name == propStatus && strings.EqualFold(value, "withdrawn"):
			req.Withdrawn = true
		default:
			req.Props = append(req.Props, domain.Prop{Name: p.Name, Value: p.Value, NS: p.NS, Class: p.Class})
		}
	}
	return nil
}

// splitTags splits "Lieferketten, Shadow IT" into its tags.
func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// convertProps keeps a group's props with their namespace and class.
func convertProps(props []prop, path string) ([]domain.Prop, error) {
	var out []domain.Prop
	for i, p := range props {
		if p.Name == "" {
			return nil, catalog.Errorf(fmt.Sprintf("%s.props[%d]", path, i), "a prop without name")
		}
		out = append(out, domain.Prop{Name: p.Name, Value: p.Value, NS: p.NS, Class: p.Class})
	}
	return out, nil
}

// paramsIn appends to have the params that t inserts and have does not
// hold yet, in the order of the text.
func (b *builder) paramsIn(t domain.Text, have []domain.RequirementParam) []domain.RequirementParam {
	for _, blk := range t {
		for _, r := range blk.Runs {
			if r.Param == "" || slices.ContainsFunc(have, func(p domain.RequirementParam) bool { return p.ID == r.Param }) {
				continue
			}
			def := b.defs[r.Param]
			have = append(have, domain.RequirementParam{ID: r.Param, Label: paramText(param{ID: def.ID, Label: def.Label, Select: def.Select}),
				Preset: strings.Join(def.Values, ", ")})
		}
		for _, it := range blk.Items {
			have = b.paramsIn(it, have)
		}
	}
	return have
}

// paramTexts maps each param to the text that stands for it where prose
// inserts it.
func paramTexts(defs map[string]param) map[string]string {
	out := make(map[string]string, len(defs))
	for id, p := range defs {
		out[id] = paramText(p)
	}
	return out
}

// collectParams maps every param of the catalog, wherever it is defined,
// to its definition (the first one, should an id be defined twice).
func collectParams(c *catalogJSON) map[string]param {
	params := map[string]param{}
	add := func(ps []param) {
		for _, p := range ps {
			if _, seen := params[p.ID]; !seen && p.ID != "" {
				params[p.ID] = p
			}
		}
	}
	var walkControls func([]control)
	walkControls = func(cs []control) {
		for _, c := range cs {
			add(c.Params)
			walkControls(c.Controls)
		}
	}
	var walkGroups func([]group)
	walkGroups = func(gs []group) {
		for _, g := range gs {
			add(g.Params)
			walkControls(g.Controls)
			walkGroups(g.Groups)
		}
	}
	add(c.Params)
	walkControls(c.Controls)
	walkGroups(c.Groups)
	return params
}

// paramText is what an inserted param reads as: its values once set,
// else its choices, else its label (Grundschutz++ labels its params with
// the words that fit the sentence, such as "regelmäßig").
func paramText(p param) string {
	switch {
	case len(p.Values) > 0:
		return strings.Join(p.Values, ", ")
	case p.Select != nil && len(p.Select.Choice) > 0:
		return strings.Join(p.Select.Choice, " / ")
	case strings.TrimSpace(p.Label) != "":
		return strings.TrimSpace(p.Label)
	}
	return p.ID
}
