// Package catalogimport imports catalog files: it recognises the kind,
// bounds the size, computes the SHA-256, runs the parser and stores the
// result in one transaction, so a file is imported whole or not at all.
package catalogimport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"ismsd/internal/catalog"
	"ismsd/internal/catalog/demo"
	"ismsd/internal/catalog/kompendium"
	"ismsd/internal/catalog/krt"
	"ismsd/internal/catalog/oscal"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// Importer imports catalog files into the store.
type Importer struct {
	db       *postgres.DB
	maxBytes int64
}

// New returns an importer that refuses files larger than maxBytes (0: the default).
func New(db *postgres.DB, maxBytes int64) *Importer {
	if maxBytes <= 0 {
		maxBytes = catalog.DefaultMaxSize
	}
	return &Importer{db: db, maxBytes: maxBytes}
}

// Phase names a step of an import, for progress reports.
type Phase string

const (
	PhaseRead  Phase = "read"
	PhaseParse Phase = "parse"
	PhaseStore Phase = "store"
)

// Progress is told how far an import is: bytes read while reading, and
// the start of every later phase.
type Progress func(phase Phase, done int64)

// Request is one file to import.
type Request struct {
	Name     string       // file name, kept as the catalog's source name
	Body     io.Reader    // the file
	Kind     catalog.Kind // "" to detect
	Progress Progress     // may be nil
}

// Result tells what an import did.
type Result struct {
	Kind      catalog.Kind
	Catalog   domain.Catalog
	Unchanged bool // the same file was imported before; nothing was written
	SHA256    string

	Modules, Requirements, Withdrawn, Threats, ModellingHints int
	ThreatLinks, Marks                                        int // cross-reference tables

	// A component definition is stored beside the catalogs: Catalog
	// stays empty, Definition holds it with its counts, and Unresolved
	// lists the control references no imported Grundschutz++ catalog
	// resolves (as written in the file, in file order).
	Definition postgres.ComponentDefinitionSummary
	Unresolved []string

	// A mapping collection is stored beside the catalogs too: Collection
	// holds it, Mappings each mapping with its counts and the references
	// no imported catalog resolves today.
	Collection postgres.MappingCollectionSummary
	Mappings   []postgres.MappingSummary
}

// Import reads, checks and stores one file.
func (im *Importer) Import(ctx context.Context, actor domain.Actor, req Request) (Result, error) {
	progress := req.Progress
	if progress == nil {
		progress = func(Phase, int64) {}
	}
	data, sum, err := im.read(req.Body, progress)
	if err != nil {
		return Result{}, err
	}
	kind := req.Kind
	if kind == "" {
		if kind, err = catalog.Detect(data[:min(len(data), 8<<10)]); err != nil {
			return Result{}, err
		}
	}
	res := Result{Kind: kind, SHA256: sum}
	name := path.Base(strings.ReplaceAll(req.Name, "\\", "/"))
	if kind == catalog.KindOSCALComponents {
		return im.importComponents(ctx, actor, name, data, res, progress)
	}
	if kind == catalog.KindOSCALMappings {
		return im.importMappings(ctx, actor, name, data, res, progress)
	}
	if c, found, err := im.db.CatalogBySHA256(ctx, sum); err != nil {
		return res, err
	} else if found {
		res.Catalog, res.Unchanged = c, true
		return res, nil
	}
	progress(PhaseParse, 0)
	if kind == catalog.KindKRT {
		return im.importKRT(ctx, actor, name, data, res, progress)
	}
	var content domain.CatalogContent
	switch kind {
	case catalog.KindKompendiumXML:
		content, err = kompendium.Parse(bytes.NewReader(data))
	case catalog.KindOSCALCatalog:
		content, err = oscal.ParseCatalog(bytes.NewReader(data))
	case catalog.KindOSCALProfile:
		content, err = im.applyProfile(ctx, data)
	default:
		err = fmt.Errorf("unknown kind %q", kind)
	}
	if err != nil {
		return res, err
	}
	progress(PhaseStore, 0)
	meta := domain.Catalog{Kind: content.Kind, Title: content.Title, Version: content.Version, UUID: content.UUID,
		SourceName: name, SourceSHA256: sum}
	return im.store(ctx, actor, meta, content, res)
}

// read takes the whole file into memory, bounded by the size limit: the
// parsers need random access (xlsx is a zip) and catalog files are a few MB.
func (im *Importer) read(r io.Reader, progress Progress) ([]byte, string, error) {
	h := sha256.New()
	var buf bytes.Buffer
	lr := catalog.LimitReader(r, im.maxBytes)
	chunk := make([]byte, 256<<10)
	var done int64
	for {
		n, err := lr.Read(chunk)
		if n > 0 {
			buf.Write(chunk[:n])
			h.Write(chunk[:n])
			done += int64(n)
			progress(PhaseRead, done)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "", err
		}
	}
	if buf.Len() == 0 {
		return nil, "", catalog.Errorf("", "the file is empty")
	}
	return buf.Bytes(), hex.EncodeToString(h.Sum(nil)), nil
}

func (im *Importer) store(ctx context.Context, actor domain.Actor, meta domain.Catalog, content domain.CatalogContent, res Result) (Result, error) {
	err := im.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		c, err := tx.InsertCatalog(ctx, meta, content)
		res.Catalog = c
		return err
	})
	if err != nil {
		return res, err
	}
	res.Modules, res.Requirements, res.Threats, res.ModellingHints =
		len(content.Modules), len(content.Requirements), len(content.Threats), len(content.ModellingHints)
	for _, r := range content.Requirements {
		if r.Withdrawn {
			res.Withdrawn++
		}
	}
	return res, nil
}

// importComponents stores a component definition, once, and reports how
// its control references resolve against the imported catalogs.
func (im *Importer) importComponents(ctx context.Context, actor domain.Actor, name string, data []byte, res Result, progress Progress) (Result, error) {
	d, found, err := im.db.ComponentDefinitionBySHA256(ctx, res.SHA256)
	if err != nil {
		return res, err
	}
	if !found {
		progress(PhaseParse, 0)
		content, err := oscal.ParseComponentDefinition(bytes.NewReader(data))
		if err != nil {
			return res, err
		}
		progress(PhaseStore, 0)
		var id int64
		err = im.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
			id, err = tx.InsertComponentDefinition(ctx, name, res.SHA256, content)
			return err
		})
		if err != nil {
			return res, err
		}
		if d, err = im.db.ComponentDefinitionByID(ctx, id); err != nil {
			return res, err
		}
	}
	res.Definition, res.Unchanged = d, found
	components, err := im.db.DefinitionComponents(ctx, d.ID)
	if err != nil {
		return res, err
	}
	res.Unresolved = []string{}
	for _, c := range components {
		for _, r := range c.Requirements {
			if len(r.Resolved) == 0 {
				res.Unresolved = append(res.Unresolved, r.ControlRef)
			}
		}
	}
	return res, nil
}

// importMappings stores a mapping collection, once, and reports how its
// references resolve against the imported catalogs.
func (im *Importer) importMappings(ctx context.Context, actor domain.Actor, name string, data []byte, res Result, progress Progress) (Result, error) {
	k, found, err := im.db.MappingCollectionBySHA256(ctx, res.SHA256)
	if err != nil {
		return res, err
	}
	if !found {
		progress(PhaseParse, 0)
		content, err := oscal.ParseMappingCollection(bytes.NewReader(data))
		if err != nil {
			return res, err
		}
		progress(PhaseStore, 0)
		var id int64
		err = im.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
			id, err = tx.InsertMappingCollection(ctx, name, res.SHA256, content)
			return err
		})
		if err != nil {
			return res, err
		}
		if k, err = im.db.MappingCollectionByID(ctx, id); err != nil {
			return res, err
		}
	}
	res.Collection, res.Unchanged = k, found
	res.Mappings, err = im.db.CollectionMappings(ctx, k.ID)
	return res, err
}

// importKRT attaches cross-reference tables to the Kompendium edition
// whose requirements they list: the newest catalog that has every one.
func (im *Importer) importKRT(ctx context.Context, actor domain.Actor, name string, data []byte, res Result, progress Progress) (Result, error) {
	x, err := krt.Parse(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return res, err
	}
	target, err := im.krtTarget(ctx, x)
	if err != nil {
		return res, err
	}
	progress(PhaseStore, 0)
	err = im.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		return tx.AttachCrossReference(ctx, target.ID, name, res.SHA256, x)
	})
	if err != nil {
		return res, err
	}
	res.Catalog, res.ThreatLinks, res.Marks = target.Catalog, len(x.Links), len(x.Marks)
	return res, nil
}

func (im *Importer) krtTarget(ctx context.Context, x domain.CrossReference) (postgres.CatalogSummary, error) {
	catalogs, err := im.db.ListCatalogs(ctx)
	if err != nil {
		return postgres.CatalogSummary{}, err
	}
	for _, c := range catalogs { // newest first
		if c.Kind != domain.CatalogKompendium {
			continue
		}
		ids, err := im.db.RequirementIDs(ctx, c.ID)
		if err != nil {
			return c, err
		}
		slices.Sort(ids)
		missing := 0
		for _, id := range x.Requirements {
			if _, ok := slices.BinarySearch(ids, id); !ok {
				missing++
			}
		}
		if missing == 0 {
			if c.CrossReferenced {
				return c, domain.Errorf(domain.ErrConflict, "catalog %d (%s %s) has cross-reference tables already", c.ID, c.Title, c.Version)
			}
			return c, nil
		}
	}
	return postgres.CatalogSummary{}, catalog.Errorf("", "no imported Kompendium edition has all %d requirements these cross-reference tables list; import the matching Kompendium XML first", len(x.Requirements))
}

// applyProfile builds a profile's catalog from the imported catalogs its
// imports name.
func (im *Importer) applyProfile(ctx context.Context, data []byte) (domain.CatalogContent, error) {
	p, err := oscal.ParseProfile(bytes.NewReader(data))
	if err != nil {
		return domain.CatalogContent{}, err
	}
	catalogs, err := im.db.ListCatalogs(ctx)
	if err != nil {
		return domain.CatalogContent{}, err
	}
	return p.Apply(func(imp oscal.Import) (domain.CatalogContent, error) {
		for _, c := range catalogs {
			if c.Kind != domain.CatalogOSCAL {
				continue
			}
			// A profile names a catalog by its uuid, or through a back-matter
			// resource whose link ends in the catalog's file name.
			ref := strings.TrimPrefix(imp.Href, "#")
			if c.UUID != "" && c.UUID == ref || imp.Resource != "" && path.Base(imp.Resource) == c.SourceName {
				return im.db.CatalogContent(ctx, c.ID)
			}
		}
		return domain.CatalogContent{}, catalog.Errorf("", "no imported OSCAL catalog matches it by uuid or file name; import that catalog first")
	})
}

// ImportDemo stores the demo excerpt with its threat links, once: a
// second call finds it by its checksum and changes nothing.
func (im *Importer) ImportDemo(ctx context.Context, actor domain.Actor) (Result, error) {
	src := demo.Source()
	h := sha256.Sum256(src)
	res := Result{SHA256: hex.EncodeToString(h[:])}
	if c, found, err := im.db.CatalogBySHA256(ctx, res.SHA256); err != nil || found {
		res.Catalog, res.Unchanged = c, found
		return res, err
	}
	content, err := demo.Content()
	if err != nil {
		return res, err
	}
	x := demo.CrossReference()
	// The links are recorded as the demo file's cross-reference under a
	// checksum of their own, as the KRT workbook would be.
	linksSum := sha256.Sum256(append([]byte("threat links of "), src...))
	meta := domain.Catalog{Kind: content.Kind, Title: content.Title, Version: content.Version, SourceName: demo.SourceName, SourceSHA256: res.SHA256}
	err = im.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		c, err := tx.InsertCatalog(ctx, meta, content)
		if err != nil {
			return err
		}
		res.Catalog = c
		return tx.AttachCrossReference(ctx, c.ID, demo.SourceName, hex.EncodeToString(linksSum[:]), x)
	})
	res.Modules, res.Requirements, res.Threats, res.ModellingHints, res.ThreatLinks =
		len(content.Modules), len(content.Requirements), len(content.Threats), len(content.ModellingHints), len(x.Links)
	return res, err
}
