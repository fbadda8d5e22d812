// Package demo holds the demo catalog: a small excerpt of the
// IT-Grundschutz-Kompendium (Edition 2023) so that the product can be shown
// before the official Kompendium is imported. IDs, titles, levels, roles and
// modelling hints are the Kompendium's; descriptions, requirement texts,
// threat descriptions and the requirement → threat links are our own words
// and our own judgement, not the BSI's. The file's format is described by
// schemas/catalog-demo.json. Beside it the package holds a small
// Grundschutz++ demo catalog and a Keycloak component definition for it,
// in OSCAL and in our own words as well (see plusplus.go).
package demo

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"ismsd/internal/domain"
)

// SourceName is the name under which the demo catalog is recorded.
const SourceName = "kompendium-demo.json"

//go:embed kompendium-demo.json
var source []byte

// file is the format of kompendium-demo.json.
type file struct {
	Catalog struct {
		Title   string `json:"title"`
		Version string `json:"version"`
		Kind    string `json:"kind"`
		Notice  string `json:"notice"`
	} `json:"catalog"`
	Groups []struct {
		Key   string `json:"key"`
		Title string `json:"title"`
	} `json:"groups"`
	Modules []struct {
		ID           string      `json:"id"`
		Group        string      `json:"group"`
		Title        string      `json:"title"`
		Description  domain.Text `json:"description"`
		DefaultRoles []string    `json:"default_roles"`
		FurtherRoles []string    `json:"further_roles"`
	} `json:"modules"`
	Requirements []struct {
		ID      string       `json:"id"`
		Module  string       `json:"module"`
		Title   string       `json:"title"`
		Level   domain.Level `json:"level"`
		Roles   []string     `json:"roles"`
		Text    domain.Text  `json:"text"`
		Threats []string     `json:"threats"`
	} `json:"requirements"`
	Threats []struct {
		ID    string      `json:"id"`
		Title string      `json:"title"`
		Text  domain.Text `json:"text"`
	} `json:"threats"`
	ModellingHints []struct {
		Module     string `json:"module"`
		Order      string `json:"order"`
		TargetType string `json:"target_type"`
	} `json:"modelling_hints"`
}

// parsed decodes the embedded file once; callers get fresh copies built
// from it, so nobody can change what another caller sees.
var parsed = sync.OnceValues(func() (*file, error) {
	dec := json.NewDecoder(bytes.NewReader(source))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("demo catalog %s: %w", SourceName, err)
	}
	if f.Catalog.Kind != string(domain.CatalogDemo) {
		return nil, fmt.Errorf("demo catalog %s: kind %q, want %q", SourceName, f.Catalog.Kind, domain.CatalogDemo)
	}
	return &f, nil
})

// must returns the parsed file. The file is embedded and checked by the
// package's tests, so an error here is a broken build, not bad input.
func must() *file {
	f, err := parsed()
	if err != nil {
		panic(err)
	}
	return f
}

// Source returns the embedded file's raw bytes, for its checksum.
func Source() []byte { return bytes.Clone(source) }

// Notice says, in German, that this is our demo excerpt and not the BSI's
// text; the UI shows it with the catalog.
func Notice() string { return must().Catalog.Notice }

// Content returns the demo catalog, ready to be stored like any parsed
// catalog. Order fields count from 1: groups and threats over the whole
// catalog, modules within their group, requirements within their module.
func Content() (domain.CatalogContent, error) {
	f, err := parsed()
	if err != nil {
		return domain.CatalogContent{}, err
	}
	c := domain.CatalogContent{
		Kind:    domain.CatalogDemo,
		Title:   f.Catalog.Title,
		Version: f.Catalog.Version,
	}
	for i, g := range f.Groups {
		c.Groups = append(c.Groups, domain.CatalogGroup{Key: g.Key, Title: g.Title, Order: i + 1})
	}
	inGroup := map[string]int{}
	for _, m := range f.Modules {
		inGroup[m.Group]++
		c.Modules = append(c.Modules, domain.Module{
			ID:           m.ID,
			GroupKey:     m.Group,
			Title:        m.Title,
			Order:        inGroup[m.Group],
			Description:  clone(m.Description),
			DefaultRoles: append([]string(nil), m.DefaultRoles...),
			FurtherRoles: append([]string(nil), m.FurtherRoles...),
		})
	}
	inModule := map[string]int{}
	for _, r := range f.Requirements {
		inModule[r.Module]++
		c.Requirements = append(c.Requirements, domain.Requirement{
			ID:       r.ID,
			ModuleID: r.Module,
			Title:    r.Title,
			Level:    r.Level,
			Roles:    append([]string(nil), r.Roles...),
			Text:     clone(r.Text),
			Order:    inModule[r.Module],
		})
	}
	for i, t := range f.Threats {
		c.Threats = append(c.Threats, domain.Threat{ID: t.ID, Title: t.Title, Text: clone(t.Text), Order: i + 1})
	}
	for _, h := range f.ModellingHints {
		c.ModellingHints = append(c.ModellingHints, domain.ModellingHint{ModuleID: h.Module, Order: h.Order, TargetType: h.TargetType})
	}
	return c, nil
}

// Links returns our requirement → elementary threat links, in file order.
func Links() []domain.ThreatLink {
	var out []domain.ThreatLink
	for _, r := range must().Requirements {
		for _, t := range r.Threats {
			out = append(out, domain.ThreatLink{RequirementID: r.ID, ThreatID: t})
		}
	}
	return out
}

// CrossReference returns the links in the shape the KRT parser produces:
// every requirement in order, the links, and no C/I/A marks.
func CrossReference() domain.CrossReference {
	f := must()
	x := domain.CrossReference{Links: Links(), Marks: map[string]domain.CIA{}}
	for _, r := range f.Requirements {
		x.Requirements = append(x.Requirements, r.ID)
	}
	return x
}

// clone deep-copies a Text.
func clone(t domain.Text) domain.Text {
	if t == nil {
		return nil
	}
	out := make(domain.Text, len(t))
	for i, b := range t {
		out[i] = domain.Block{Kind: b.Kind, Runs: append([]domain.Run(nil), b.Runs...)}
		for _, it := range b.Items {
			out[i].Items = append(out[i].Items, clone(it))
		}
	}
	return out
}
