package oscal

import (
	"fmt"
	"io"
	"maps"
	"path"
	"reflect"
	"slices"
	"strings"

	"ismsd/internal/catalog"
	"ismsd/internal/domain"
)

// Profile is what an OSCAL profile selects.
type Profile struct {
	UUID, Title, Version string
	Imports              []Import
	// Merge is the profile's merge directive: "as-is", "flat", "custom"
	// or "". Apply keeps the structure of the imported catalogs whatever
	// it says, which is what "as-is" asks for.
	Merge string
	// Presets are the values the profile sets for parameters
	// (modify: set-parameters); Apply gives them to the requirements that
	// insert those parameters.
	Presets map[string]string
}

// Import is one catalog a profile selects from, and what it selects.
//
// OSCAL lets an import hold several include-controls entries, each with
// its own with-child-controls. ParseProfile gives one Import per value of
// with-child-controls, adjacent and with the same Href, Resource, Index
// and exclusions; Apply resolves them once and unites their selections,
// which selects what the OSCAL import does.
type Import struct {
	Href     string // "#<uuid>" of a back-matter resource, or the catalog's address
	Resource string // the back-matter rlink href the #uuid points at, if any
	Index    int    // 0-based position of the OSCAL import in the profile

	IncludeAll        bool
	IncludeIDs        []string
	IncludeMatching   []string // glob patterns over control ids (OSCAL "matching")
	WithChildControls bool     // includes all descendants of the included controls

	ExcludeIDs      []string
	ExcludeMatching []string
	// ExcludeWithChildControls excludes the descendants of excluded
	// controls too. ParseProfile refuses exclusions that disagree on it.
	ExcludeWithChildControls bool
}

// String names the import for messages: its position, href and resource.
func (imp Import) String() string {
	s := fmt.Sprintf("import %d (%s", imp.Index+1, imp.Href)
	if imp.Resource != "" {
		s += " → " + imp.Resource
	}
	return s + ")"
}

// ParseProfile reads an OSCAL 1.x profile (JSON). Refused: a file that is
// not an OSCAL profile, a profile without title or imports, an import
// without href or without anything to include, an href "#uuid" that names
// no back-matter resource, with-child-controls other than yes or no.
// Of the modifications only set-parameters is read, as presets of the
// parameters' values; alters are not.
func ParseProfile(r io.Reader) (Profile, error) {
	data, err := readJSON(r, "profile")
	if err != nil {
		return Profile{}, err
	}
	var doc profileDoc
	if err := decode(data, &doc); err != nil {
		return Profile{}, err
	}
	switch {
	case doc.Profile == nil && doc.Catalog != nil:
		return Profile{}, catalog.Errorf("", "an OSCAL catalog, not a profile: import it as a catalog")
	case doc.Profile == nil && doc.ComponentDefinition != nil:
		return Profile{}, catalog.Errorf("", "an OSCAL component definition, not a profile: import it as a component definition")
	case doc.Profile == nil:
		return Profile{}, catalog.Errorf("",
			"not an OSCAL profile: the top-level object must hold \"profile\", this one holds %s", rootKeys(data))
	}
	return buildProfile(doc.Profile)
}

func buildProfile(pj *profileJSON) (Profile, error) {
	p := Profile{
		UUID:    strings.TrimSpace(pj.UUID),
		Title:   strings.TrimSpace(pj.Metadata.Title),
		Version: strings.TrimSpace(pj.Metadata.Version),
		Merge:   mergeName(pj.Merge),
		Presets: presets(pj.Modify),
	}
	if p.Title == "" {
		return Profile{}, catalog.Errorf("profile.metadata", "the profile has no title")
	}
	if len(pj.Imports) == 0 {
		return Profile{}, catalog.Errorf("profile", "the profile imports nothing")
	}
	resources := map[string]string{}
	if pj.BackMatter != nil {
		for _, r := range pj.BackMatter.Resources {
			href := ""
			if len(r.Rlinks) > 0 {
				href = strings.TrimSpace(r.Rlinks[0].Href)
			}
			resources[strings.TrimSpace(r.UUID)] = href
		}
	}
	for i, ij := range pj.Imports {
		imps, err := buildImport(ij, i, resources)
		if err != nil {
			return Profile{}, err
		}
		p.Imports = append(p.Imports, imps...)
	}
	return p, nil
}

func mergeName(m *mergeJSON) string {
	switch {
	case m == nil:
		return ""
	case m.AsIs != nil && *m.AsIs:
		return "as-is"
	case m.Flat != nil:
		return "flat"
	case m.Custom != nil:
		return "custom"
	}
	return ""
}

// buildImport checks one import and splits it by with-child-controls.
func buildImport(ij importJSON, i int, resources map[string]string) ([]Import, error) {
	where := fmt.Sprintf("profile.imports[%d]", i)
	base := Import{Href: strings.TrimSpace(ij.Href), Index: i}
	if base.Href == "" {
		return nil, catalog.Errorf(where, "an import without href")
	}
	if uuid, ok := strings.CutPrefix(base.Href, "#"); ok {
		res, found := resources[uuid]
		if !found {
			return nil, catalog.Errorf(where, "href %s names no resource in the profile's back-matter", base.Href)
		}
		base.Resource = res
	}
	if err := applyExcludes(&base, ij.ExcludeControls, where); err != nil {
		return nil, err
	}
	switch {
	case ij.IncludeAll != nil && len(ij.IncludeControls) > 0:
		return nil, catalog.Errorf(where, "both include-all and include-controls; want one of them")
	case ij.IncludeAll != nil:
		base.IncludeAll = true
		return []Import{base}, nil
	case len(ij.IncludeControls) == 0:
		return nil, catalog.Errorf(where, "neither include-all nor include-controls: the import selects nothing")
	}
	// One Import for the entries without child controls, one for those with.
	var split [2]*Import
	for j, sel := range ij.IncludeControls {
		w := fmt.Sprintf("%s.include-controls[%d]", where, j)
		withChildren, err := yesNo(sel.WithChildControls, w)
		if err != nil {
			return nil, err
		}
		ids, patterns, err := readSelection(sel, w)
		if err != nil {
			return nil, err
		}
		k := boolIndex(withChildren)
		if split[k] == nil {
			imp := base
			imp.WithChildControls = withChildren
			split[k] = &imp
		}
		split[k].IncludeIDs = append(split[k].IncludeIDs, ids...)
		split[k].IncludeMatching = append(split[k].IncludeMatching, patterns...)
	}
	var out []Import
	for _, imp := range split {
		if imp != nil {
			out = append(out, *imp)
		}
	}
	return out, nil
}

// applyExcludes reads exclude-controls into imp.
func applyExcludes(imp *Import, sels []selectJSON, where string) error {
	for j, sel := range sels {
		w := fmt.Sprintf("%s.exclude-controls[%d]", where, j)
		withChildren, err := yesNo(sel.WithChildControls, w)
		if err != nil {
			return err
		}
		if j > 0 && withChildren != imp.ExcludeWithChildControls {
			return catalog.Errorf(w, "exclusions that differ in with-child-controls are not supported; write them alike")
		}
		imp.ExcludeWithChildControls = withChildren
		ids, patterns, err := readSelection(sel, w)
		if err != nil {
			return err
		}
		imp.ExcludeIDs = append(imp.ExcludeIDs, ids...)
		imp.ExcludeMatching = append(imp.ExcludeMatching, patterns...)
	}
	return nil
}

// readSelection reads with-ids and matching patterns; an entry naming neither
// is refused, since it would silently select nothing.
func readSelection(sel selectJSON, where string) (ids, patterns []string, err error) {
	for _, id := range sel.WithIDs {
		if id = strings.TrimSpace(id); id == "" {
			return nil, nil, catalog.Errorf(where, "an empty control id in with-ids")
		}
		ids = append(ids, id)
	}
	for _, m := range sel.Matching {
		if _, err := path.Match(m.Pattern, ""); err != nil || m.Pattern == "" {
			return nil, nil, catalog.Errorf(where, "matching pattern %q is not a valid glob", m.Pattern)
		}
		patterns = append(patterns, m.Pattern)
	}
	if len(ids) == 0 && len(patterns) == 0 {
		return nil, nil, catalog.Errorf(where, "names no control: want with-ids or matching")
	}
	return ids, patterns, nil
}

func yesNo(s, where string) (bool, error) {
	switch s {
	case "yes":
		return true, nil
	case "no", "":
		return false, nil
	}
	return false, catalog.Errorf(where, "with-child-controls %q; want yes or no", s)
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Apply builds the profile's catalog from the catalogs its imports
// resolve to (resolve returns the content of an already imported catalog
// for an import, or an error). The result has Kind domain.CatalogOSCAL,
// the profile's title, version and uuid, and only the selected controls
// with their modules and the groups above them; all or nothing.
//
// The imports' selections are united. A control whose parent is not
// selected hangs from its nearest selected ancestor, or from none. An
// included id missing from its catalog is an error, an excluded one is not
// (the profile may be older than the catalog). A control selected by two
// imports must be the same in both. Order is renumbered in the order of
// the imports. Threats and modelling hints are not carried over; the
// profile's parameter values become the parameters' presets.
func (p Profile) Apply(resolve func(Import) (domain.CatalogContent, error)) (domain.CatalogContent, error) {
	groups := p.importGroups()
	contents, err := p.resolveAll(groups, resolve)
	if err != nil {
		return domain.CatalogContent{}, err
	}
	m := newMerger(p)
	for i, group := range groups {
		// The selections of the Imports split from one OSCAL import are
		// united first, so that the controls keep their catalog's order.
		sel := map[string]bool{}
		for _, imp := range group {
			s, err := imp.selectFrom(contents[i])
			if err != nil {
				return domain.CatalogContent{}, err
			}
			maps.Copy(sel, s)
		}
		if err := m.add(group[0], contents[i], sel); err != nil {
			return domain.CatalogContent{}, err
		}
	}
	m.reparent()
	for i, r := range m.out.Requirements {
		for j, prm := range r.Params {
			if v, ok := p.Presets[prm.ID]; ok {
				// The params slice may be shared with the imported catalog.
				r.Params = slices.Clone(r.Params)
				r.Params[j].Preset = v
				m.out.Requirements[i].Params = r.Params
			}
		}
	}
	return m.out, nil
}

// presets reads the values a profile sets for parameters.
func presets(m *modifyJSON) map[string]string {
	if m == nil {
		return nil
	}
	out := map[string]string{}
	for _, sp := range m.SetParameters {
		if v := strings.TrimSpace(strings.Join(sp.Values, ", ")); sp.ParamID != "" && v != "" {
			out[sp.ParamID] = v
		}
	}
	return out
}

// importGroups gathers the Imports split from one OSCAL import (the same
// Index, adjacent), which share their catalog.
func (p Profile) importGroups() [][]Import {
	var groups [][]Import
	for i, imp := range p.Imports {
		if i > 0 && imp.Index == p.Imports[i-1].Index {
			groups[len(groups)-1] = append(groups[len(groups)-1], imp)
			continue
		}
		groups = append(groups, []Import{imp})
	}
	return groups
}

// resolveAll resolves every import, once per OSCAL import, and names all
// that fail, so that the user learns at once which catalogs to import.
func (p Profile) resolveAll(groups [][]Import, resolve func(Import) (domain.CatalogContent, error)) ([]domain.CatalogContent, error) {
	if len(groups) == 0 {
		return nil, catalog.Errorf("profile", "the profile imports nothing")
	}
	contents := make([]domain.CatalogContent, len(groups))
	var failed []string
	for i, group := range groups {
		c, err := resolve(group[0])
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", group[0], err))
			continue
		}
		contents[i] = c
	}
	if len(failed) > 0 {
		return nil, catalog.Errorf("profile "+p.Title, "cannot resolve %d of %d imports: %s",
			len(failed), len(groups), strings.Join(failed, "; "))
	}
	return contents, nil
}

// catalogIndex gives a catalog's controls by id and their children.
type catalogIndex struct {
	byID     map[string]*domain.Requirement
	children map[string][]string
}

func indexOf(c domain.CatalogContent) catalogIndex {
	ix := catalogIndex{byID: map[string]*domain.Requirement{}, children: map[string][]string{}}
	for i := range c.Requirements {
		r := &c.Requirements[i]
		ix.byID[r.ID] = r
		if r.ParentID != "" {
			ix.children[r.ParentID] = append(ix.children[r.ParentID], r.ID)
		}
	}
	return ix
}

// descendants adds id's descendants to set.
func (ix catalogIndex) descendants(id string, set map[string]bool) {
	for _, c := range ix.children[id] {
		if !set[c] { // a child listed twice, or a cycle in hand-made content
			set[c] = true
			ix.descendants(c, set)
		}
	}
}

// selectFrom returns the ids of the controls the import selects.
func (imp Import) selectFrom(c domain.CatalogContent) (map[string]bool, error) {
	ix := indexOf(c)
	sel := map[string]bool{}
	include := func(id string) {
		sel[id] = true
		if imp.WithChildControls {
			ix.descendants(id, sel)
		}
	}
	if imp.IncludeAll {
		for id := range ix.byID {
			sel[id] = true
		}
	}
	for _, id := range imp.IncludeIDs {
		if ix.byID[id] == nil {
			return nil, catalog.Errorf(imp.String(), "includes control %s, which catalog %q does not have", id, c.Title)
		}
		include(id)
	}
	for _, r := range c.Requirements {
		if matchAny(imp.IncludeMatching, r.ID) {
			include(r.ID)
		}
	}
	excluded := map[string]bool{}
	for _, r := range c.Requirements {
		if matchAny(imp.ExcludeMatching, r.ID) {
			excluded[r.ID] = true
		}
	}
	for _, id := range imp.ExcludeIDs {
		excluded[id] = true
	}
	if imp.ExcludeWithChildControls {
		for id := range excluded {
			ix.descendants(id, excluded)
		}
	}
	for id := range excluded {
		delete(sel, id)
	}
	return sel, nil
}

func matchAny(patterns []string, id string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, id); ok {
			return true
		}
	}
	return false
}

// merger unites the selections of the imports.
type merger struct {
	out     domain.CatalogContent
	from    []source       // for each of out.Requirements, where it came from
	taken   map[string]int // requirement id → index in out.Requirements
	modules map[string]bool
	groups  map[string]bool
}

// source is the import a requirement came from and its catalog's index.
type source struct {
	imp Import
	ix  catalogIndex
}

func newMerger(p Profile) *merger {
	return &merger{
		out:     domain.CatalogContent{Kind: domain.CatalogOSCAL, Title: p.Title, Version: p.Version, UUID: p.UUID},
		taken:   map[string]int{},
		modules: map[string]bool{},
		groups:  map[string]bool{},
	}
}

// add takes the selected controls of one catalog, with their modules and
// the groups above those, in the catalog's order. ParentID stays as in
// the catalog until reparent, once every import is in.
func (m *merger) add(imp Import, c domain.CatalogContent, sel map[string]bool) error {
	src := source{imp: imp, ix: indexOf(c)}
	usedModules := map[string]bool{}
	for _, r := range c.Requirements {
		if !sel[r.ID] {
			continue
		}
		if err := m.addRequirement(src, r); err != nil {
			return err
		}
		usedModules[r.ModuleID] = true
	}
	usedGroups := groupsAbove(c, usedModules)
	for _, g := range c.Groups {
		if usedGroups[g.Key] && !m.groups[g.Key] {
			m.groups[g.Key] = true
			g.Order = len(m.out.Groups) + 1
			m.out.Groups = append(m.out.Groups, g)
		}
	}
	for _, mod := range c.Modules {
		if usedModules[mod.ID] && !m.modules[mod.ID] {
			m.modules[mod.ID] = true
			mod.Order = len(m.out.Modules) + 1
			m.out.Modules = append(m.out.Modules, mod)
		}
	}
	return nil
}

func (m *merger) addRequirement(src source, r domain.Requirement) error {
	i, dup := m.taken[r.ID]
	if !dup {
		m.taken[r.ID] = len(m.out.Requirements)
		m.from = append(m.from, src)
		r.Order = len(m.out.Requirements) + 1
		m.out.Requirements = append(m.out.Requirements, r)
		return nil
	}
	// Selected twice: fine if it is the same control (the same catalog
	// imported twice, or an import split by with-child-controls).
	prev := m.out.Requirements[i]
	prev.Order = r.Order
	if !reflect.DeepEqual(prev, r) {
		return catalog.Errorf("profile "+m.out.Title, "control %s is selected by %s and by %s, and differs between them",
			r.ID, m.from[i].imp, src.imp)
	}
	return nil
}

// reparent points every requirement at its nearest selected ancestor.
func (m *merger) reparent() {
	for i := range m.out.Requirements {
		r := &m.out.Requirements[i]
		r.ParentID = nearestSelected(m.from[i].ix, m.taken, r.ParentID)
	}
}

// nearestSelected walks up from id to the first selected control.
func nearestSelected(ix catalogIndex, selected map[string]int, id string) string {
	for seen := 0; id != "" && seen <= len(ix.byID); seen++ {
		if _, ok := selected[id]; ok {
			return id
		}
		r := ix.byID[id]
		if r == nil {
			return ""
		}
		id = r.ParentID
	}
	return ""
}

// groupsAbove returns the keys of the groups the modules sit in, and of
// all groups above those.
func groupsAbove(c domain.CatalogContent, modules map[string]bool) map[string]bool {
	parent := map[string]string{}
	for _, g := range c.Groups {
		parent[g.Key] = g.ParentKey
	}
	used := map[string]bool{}
	for _, mod := range c.Modules {
		if !modules[mod.ID] {
			continue
		}
		for k := mod.GroupKey; k != "" && !used[k]; k = parent[k] {
			used[k] = true
		}
	}
	return used
}
