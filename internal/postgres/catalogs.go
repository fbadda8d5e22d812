package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// CatalogSummary is a catalog with its counts, for lists.
type CatalogSummary struct {
	domain.Catalog
	Groups          int  `db:"groups"`
	Modules         int  `db:"modules"`
	Requirements    int  `db:"requirements"`
	Withdrawn       int  `db:"withdrawn"`
	Threats         int  `db:"threats"`
	ThreatLinks     int  `db:"threat_links"`
	CrossReferenced bool `db:"cross_referenced"`
}

const catalogColumns = `c.id, c.kind, c.title, c.version, c.uuid, c.source_name, c.source_sha256, c.imported_at, c.method`

const catalogSummarySelect = `
	SELECT ` + catalogColumns + `,
	       (SELECT count(*) FROM catalog_groups g WHERE g.catalog_id = c.id) AS groups,
	       (SELECT count(*) FROM catalog_modules m WHERE m.catalog_id = c.id) AS modules,
	       (SELECT count(*) FROM catalog_requirements r WHERE r.catalog_id = c.id) AS requirements,
	       (SELECT count(*) FROM catalog_requirements r WHERE r.catalog_id = c.id AND r.withdrawn) AS withdrawn,
	       (SELECT count(*) FROM catalog_threats t WHERE t.catalog_id = c.id) AS threats,
	       (SELECT count(*) FROM catalog_requirement_threats l WHERE l.catalog_id = c.id) AS threat_links,
	       EXISTS (SELECT 1 FROM catalog_cross_references x WHERE x.catalog_id = c.id) AS cross_referenced
	FROM catalogs c`

// ListCatalogs returns every catalog with its counts, newest first.
func (db *DB) ListCatalogs(ctx context.Context) ([]CatalogSummary, error) {
	var cs []CatalogSummary
	err := db.x.SelectContext(ctx, &cs, catalogSummarySelect+` ORDER BY c.imported_at DESC, c.id DESC`)
	return cs, err
}

// CatalogByID returns one catalog with its counts.
func (db *DB) CatalogByID(ctx context.Context, id int64) (CatalogSummary, error) {
	notFound := domain.Errorf(domain.ErrNotFound, "no catalog %d", id).De("Diesen Katalog gibt es nicht.")
	return getOne[CatalogSummary](ctx, db.x, notFound, catalogSummarySelect+` WHERE c.id = $1`, id)
}

// CatalogBySHA256 finds the catalog imported from a file with that hash,
// or the catalog whose cross-reference tables came from it.
func (db *DB) CatalogBySHA256(ctx context.Context, sha string) (domain.Catalog, bool, error) {
	var c domain.Catalog
	err := db.x.GetContext(ctx, &c, `
		SELECT `+catalogColumns+` FROM catalogs c
		WHERE c.source_sha256 = $1
		   OR c.id = (SELECT catalog_id FROM catalog_cross_references WHERE source_sha256 = $1)`, sha)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}

// InsertCatalog stores a parsed catalog in this transaction: one
// statement per table, the rows passed as one JSON document each.
func (tx *Tx) InsertCatalog(ctx context.Context, meta domain.Catalog, content domain.CatalogContent) (domain.Catalog, error) {
	var c domain.Catalog
	err := tx.x.GetContext(ctx, &c, `
		INSERT INTO catalogs AS c (kind, title, version, uuid, source_name, source_sha256, method)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+catalogColumns,
		meta.Kind, meta.Title, meta.Version, meta.UUID, meta.SourceName, meta.SourceSHA256, content.Method())
	if isUniqueViolation(err) {
		return c, domain.Errorf(domain.ErrConflict, "this file was imported already").De("Diese Datei wurde bereits importiert.")
	}
	if err != nil {
		return c, mapError(err)
	}
	type group struct {
		Key         string        `json:"key"`
		ParentKey   *string       `json:"parent_key"`
		Title       string        `json:"title"`
		Ord         int           `json:"ord"`
		Description domain.Text   `json:"description"`
		Props       []domain.Prop `json:"props"`
	}
	groups := make([]group, len(content.Groups))
	for i, g := range content.Groups {
		groups[i] = group{g.Key, nullable(g.ParentKey), g.Title, g.Order, orEmpty(g.Text), orNoProps(g.Props)}
	}
	type module struct {
		ID           string        `json:"id"`
		GroupKey     *string       `json:"group_key"`
		Title        string        `json:"title"`
		Ord          int           `json:"ord"`
		Description  domain.Text   `json:"description"`
		DefaultRoles []string      `json:"default_roles"`
		FurtherRoles []string      `json:"further_roles"`
		Props        []domain.Prop `json:"props"`
	}
	modules := make([]module, len(content.Modules))
	for i, m := range content.Modules {
		modules[i] = module{m.ID, nullable(m.GroupKey), m.Title, m.Order, orEmpty(m.Description),
			orNone(m.DefaultRoles), orNone(m.FurtherRoles), orNoProps(m.Props)}
	}
	type requirement struct {
		ID           string        `json:"id"`
		ModuleID     string        `json:"module_id"`
		ParentID     *string       `json:"parent_id"`
		Title        string        `json:"title"`
		Level        domain.Level  `json:"level"`
		Roles        []string      `json:"roles"`
		Body         domain.Text   `json:"body"`
		BodyText     string        `json:"body_text"`
		Guidance     domain.Text   `json:"guidance"`
		GuidanceText string        `json:"guidance_text"`
		Withdrawn    bool          `json:"withdrawn"`
		Ord          int           `json:"ord"`
		Effort       *int          `json:"effort"`
		Tags         []string      `json:"tags"`
		AltID        string        `json:"alt_id"`
		Props        []domain.Prop `json:"props"`
		Obligation   *string       `json:"obligation"`
	}
	type param struct {
		RequirementID string `json:"requirement_id"`
		ParamID       string `json:"param_id"`
		Label         string `json:"label"`
		Preset        string `json:"preset"`
		Ord           int    `json:"ord"`
	}
	reqs := make([]requirement, len(content.Requirements))
	params := []param{}
	for i, r := range content.Requirements {
		reqs[i] = requirement{r.ID, r.ModuleID, nullable(r.ParentID), r.Title, r.Level, orNone(r.Roles),
			orEmpty(r.Text), r.Text.Plain(), orEmpty(r.Guidance), r.Guidance.Plain(), r.Withdrawn, r.Order,
			r.Effort, orNone(r.Tags), r.AltID, orNoProps(r.Props), nullable(string(r.Obligation))}
		for j, p := range r.Params {
			params = append(params, param{r.ID, p.ID, p.Label, p.Preset, j + 1})
		}
	}
	type threat struct {
		ID    string      `json:"id"`
		Title string      `json:"title"`
		Body  domain.Text `json:"body"`
		Ord   int         `json:"ord"`
	}
	threats := make([]threat, len(content.Threats))
	for i, t := range content.Threats {
		threats[i] = threat{t.ID, t.Title, orEmpty(t.Text), t.Order}
	}
	type hint struct {
		ModuleID   string `json:"module_id"`
		Ord        string `json:"ord"`
		TargetType string `json:"target_type"`
	}
	hints := make([]hint, len(content.ModellingHints))
	for i, h := range content.ModellingHints {
		hints[i] = hint{h.ModuleID, h.Order, h.TargetType}
	}
	steps := []struct {
		what, sql string
		rows      any
	}{
		{"groups", `INSERT INTO catalog_groups (catalog_id, key, parent_key, title, ord, description, props)
			SELECT $1, key, parent_key, title, ord, description, props
			FROM jsonb_to_recordset($2) AS x(key text, parent_key text, title text, ord int, description jsonb, props jsonb)`, groups},
		{"modules", `INSERT INTO catalog_modules (catalog_id, id, group_key, title, ord, description, default_roles, further_roles, props)
			SELECT $1, id, group_key, title, ord, description, default_roles, further_roles, props
			FROM jsonb_to_recordset($2) AS x(id text, group_key text, title text, ord int, description jsonb,
			                                 default_roles text[], further_roles text[], props jsonb)`, modules},
		{"requirements", `INSERT INTO catalog_requirements (catalog_id, id, module_id, parent_id, title, level, roles, body, body_text,
			                                   guidance, guidance_text, withdrawn, ord, effort, tags, alt_id, props, obligation)
			SELECT $1, id, module_id, parent_id, title, level, roles, body, body_text, guidance, guidance_text,
			       withdrawn, ord, effort, tags, alt_id, props, obligation
			FROM jsonb_to_recordset($2) AS x(id text, module_id text, parent_id text, title text, level text, roles text[],
			                                 body jsonb, body_text text, guidance jsonb, guidance_text text, withdrawn boolean,
			                                 ord int, effort int, tags text[], alt_id text, props jsonb, obligation text)`, reqs},
		{"parameters", `INSERT INTO catalog_requirement_params (catalog_id, requirement_id, param_id, label, preset, ord)
			SELECT $1, requirement_id, param_id, label, preset, ord
			FROM jsonb_to_recordset($2) AS x(requirement_id text, param_id text, label text, preset text, ord int)`, params},
		{"threats", `INSERT INTO catalog_threats (catalog_id, id, title, body, ord)
			SELECT $1, id, title, body, ord FROM jsonb_to_recordset($2) AS x(id text, title text, body jsonb, ord int)`, threats},
		{"modelling hints", `INSERT INTO catalog_modelling_hints (catalog_id, module_id, ord, target_type)
			SELECT $1, module_id, ord, target_type FROM jsonb_to_recordset($2) AS x(module_id text, ord text, target_type text)`, hints},
	}
	for _, s := range steps {
		b, err := json.Marshal(s.rows)
		if err != nil {
			return c, err
		}
		if _, err := tx.x.ExecContext(ctx, s.sql, c.ID, b); err != nil {
			return c, fmt.Errorf("store catalog %s: %w", s.what, mapError(err))
		}
	}
	return c, tx.Record("catalog.import", "catalog", c.ID, nil, map[string]any{
		"kind": c.Kind, "title": c.Title, "version": c.Version, "source_name": c.SourceName, "source_sha256": c.SourceSHA256,
		"modules": len(content.Modules), "requirements": len(content.Requirements), "threats": len(content.Threats)})
}

// AttachCrossReference stores a Kompendium edition's cross-reference
// tables: the requirement → threat links and the C/I/A marks.
func (tx *Tx) AttachCrossReference(ctx context.Context, catalogID int64, sourceName, sha string, x domain.CrossReference) error {
	_, err := tx.x.ExecContext(ctx, `INSERT INTO catalog_cross_references (catalog_id, source_name, source_sha256) VALUES ($1, $2, $3)`,
		catalogID, sourceName, sha)
	if isUniqueViolation(err) {
		return domain.Errorf(domain.ErrConflict, "catalog %d has cross-reference tables already; import a new edition to change them", catalogID).
			De("Dieser Katalog hat bereits Kreuzreferenztabellen.")
	}
	if err != nil {
		return mapError(err)
	}
	reqIDs, threatIDs := make([]string, len(x.Links)), make([]string, len(x.Links))
	for i, l := range x.Links {
		reqIDs[i], threatIDs[i] = l.RequirementID, l.ThreatID
	}
	if _, err := tx.x.ExecContext(ctx, `
		INSERT INTO catalog_requirement_threats (catalog_id, requirement_id, threat_id)
		SELECT $1, r, t FROM unnest($2::text[], $3::text[]) AS u(r, t)`,
		catalogID, pq.Array(reqIDs), pq.Array(threatIDs)); err != nil {
		return fmt.Errorf("store threat links: %w", mapError(err))
	}
	var ids []string
	var cs, is, as []bool
	for id, m := range x.Marks {
		ids, cs, is, as = append(ids, id), append(cs, m.C), append(is, m.I), append(as, m.A)
	}
	if _, err := tx.x.ExecContext(ctx, `
		INSERT INTO catalog_requirement_marks (catalog_id, requirement_id, c, i, a)
		SELECT $1, r, c, i, a FROM unnest($2::text[], $3::boolean[], $4::boolean[], $5::boolean[]) AS u(r, c, i, a)`,
		catalogID, pq.Array(ids), pq.Array(cs), pq.Array(is), pq.Array(as)); err != nil {
		return fmt.Errorf("store C/I/A marks: %w", mapError(err))
	}
	return tx.Record("catalog.cross_reference", "catalog", catalogID, nil, map[string]any{
		"source_name": sourceName, "source_sha256": sha, "links": len(x.Links), "marks": len(x.Marks)})
}

// RequirementIDs returns the IDs of a catalog's requirements.
func (db *DB) RequirementIDs(ctx context.Context, catalogID int64) ([]string, error) {
	var ids []string
	err := db.x.SelectContext(ctx, &ids, `SELECT id FROM catalog_requirements WHERE catalog_id = $1`, catalogID)
	return ids, err
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orEmpty(t domain.Text) domain.Text {
	if t == nil {
		return domain.Text{}
	}
	return t
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orNoProps(p []domain.Prop) []domain.Prop {
	if p == nil {
		return []domain.Prop{}
	}
	return p
}
