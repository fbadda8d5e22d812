package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// GroupSummary is a layer or practice with its counts.
type GroupSummary struct {
	domain.CatalogGroup
	Modules      int
	Requirements int
}

type groupRow struct {
	Key          string         `db:"key"`
	ParentKey    sql.NullString `db:"parent_key"`
	Title        string         `db:"title"`
	Ord          int            `db:"ord"`
	Description  domain.Text    `db:"description"`
	Props        domain.Props   `db:"props"`
	Modules      int            `db:"modules"`
	Requirements int            `db:"requirements"`
}

// CatalogGroups returns the layers or practices of a catalog in order.
func (db *DB) CatalogGroups(ctx context.Context, catalogID int64) ([]GroupSummary, error) {
	var rows []groupRow
	err := db.x.SelectContext(ctx, &rows, `
		SELECT g.key, g.parent_key, g.title, g.ord, g.description, g.props,
		       (SELECT count(*) FROM catalog_modules m WHERE m.catalog_id = g.catalog_id AND m.group_key = g.key) AS modules,
		       (SELECT count(*) FROM catalog_requirements r JOIN catalog_modules m ON m.catalog_id = r.catalog_id AND m.id = r.module_id
		        WHERE r.catalog_id = g.catalog_id AND m.group_key = g.key AND NOT r.withdrawn) AS requirements
		FROM catalog_groups g WHERE g.catalog_id = $1 ORDER BY g.ord`, catalogID)
	out := make([]GroupSummary, len(rows))
	for i, r := range rows {
		out[i] = GroupSummary{CatalogGroup: domain.CatalogGroup{Key: r.Key, ParentKey: r.ParentKey.String, Title: r.Title,
			Order: r.Ord, Text: r.Description, Props: r.Props}, Modules: r.Modules, Requirements: r.Requirements}
	}
	return out, err
}

// ModuleSummary is a module with its requirement counts by level.
type ModuleSummary struct {
	domain.Module
	Basis, Standard, Elevated, Withdrawn int
}

type moduleRow struct {
	ID           string         `db:"id"`
	GroupKey     sql.NullString `db:"group_key"`
	Title        string         `db:"title"`
	Ord          int            `db:"ord"`
	Description  domain.Text    `db:"description"`
	DefaultRoles pq.StringArray `db:"default_roles"`
	FurtherRoles pq.StringArray `db:"further_roles"`
	Props        domain.Props   `db:"props"`
	Basis        int            `db:"basis"`
	Standard     int            `db:"standard"`
	Elevated     int            `db:"elevated"`
	Withdrawn    int            `db:"withdrawn"`
}

func (r moduleRow) asDomain() ModuleSummary {
	return ModuleSummary{Module: domain.Module{ID: r.ID, GroupKey: r.GroupKey.String, Title: r.Title, Order: r.Ord,
		Description: r.Description, DefaultRoles: r.DefaultRoles, FurtherRoles: r.FurtherRoles, Props: r.Props},
		Basis: r.Basis, Standard: r.Standard, Elevated: r.Elevated, Withdrawn: r.Withdrawn}
}

const moduleSelect = `
	SELECT m.id, m.group_key, m.title, m.ord, m.description, m.default_roles, m.further_roles, m.props,
	       count(*) FILTER (WHERE r.level = 'basis' AND NOT r.withdrawn) AS basis,
	       count(*) FILTER (WHERE r.level = 'standard' AND NOT r.withdrawn) AS standard,
	       count(*) FILTER (WHERE r.level = 'elevated' AND NOT r.withdrawn) AS elevated,
	       count(*) FILTER (WHERE r.withdrawn) AS withdrawn
	FROM catalog_modules m
	LEFT JOIN catalog_requirements r ON r.catalog_id = m.catalog_id AND r.module_id = m.id`

// CatalogModules returns the modules of a catalog, or of one of its
// groups when groupKey is not empty, in order.
func (db *DB) CatalogModules(ctx context.Context, catalogID int64, groupKey string) ([]ModuleSummary, error) {
	var rows []moduleRow
	err := db.x.SelectContext(ctx, &rows, moduleSelect+`
		WHERE m.catalog_id = $1 AND ($2 = '' OR m.group_key = $2)
		GROUP BY m.catalog_id, m.id ORDER BY m.ord`, catalogID, groupKey)
	return asDomainAll(rows), err
}

// CatalogModule returns one module.
func (db *DB) CatalogModule(ctx context.Context, catalogID int64, moduleID string) (ModuleSummary, error) {
	notFound := domain.Errorf(domain.ErrNotFound, "catalog %d has no module %s", catalogID, moduleID).De("Diesen Baustein gibt es in dem Katalog nicht.")
	return getDomain[moduleRow](ctx, db.x, notFound, moduleSelect+`
		WHERE m.catalog_id = $1 AND m.id = $2 GROUP BY m.catalog_id, m.id`, catalogID, moduleID)
}

type requirementRow struct {
	ID        string         `db:"id"`
	ModuleID  string         `db:"module_id"`
	ParentID  sql.NullString `db:"parent_id"`
	Title     string         `db:"title"`
	Level     domain.Level   `db:"level"`
	Roles     pq.StringArray `db:"roles"`
	Body      domain.Text    `db:"body"`
	Guidance  domain.Text    `db:"guidance"`
	Withdrawn bool           `db:"withdrawn"`
	Ord       int            `db:"ord"`
	Effort    sql.NullInt64  `db:"effort"`
	Tags      pq.StringArray `db:"tags"`
	AltID     string         `db:"alt_id"`
	Props     domain.Props   `db:"props"`
}

func (r requirementRow) asDomain() domain.Requirement {
	req := domain.Requirement{ID: r.ID, ModuleID: r.ModuleID, ParentID: r.ParentID.String, Title: r.Title, Level: r.Level,
		Roles: r.Roles, Text: r.Body, Guidance: r.Guidance, Withdrawn: r.Withdrawn, Order: r.Ord, Tags: r.Tags,
		AltID: r.AltID, Props: r.Props}
	if r.Effort.Valid {
		e := int(r.Effort.Int64)
		req.Effort = &e
	}
	return req
}

const requirementColumns = `r.id, r.module_id, r.parent_id, r.title, r.level, r.roles, r.body, r.guidance,
	r.withdrawn, r.ord, r.effort, r.tags, r.alt_id, r.props`

// ModuleRequirements returns a module's requirements in order.
func (db *DB) ModuleRequirements(ctx context.Context, catalogID int64, moduleID string) ([]domain.Requirement, error) {
	var rows []requirementRow
	err := db.x.SelectContext(ctx, &rows, `SELECT `+requirementColumns+` FROM catalog_requirements r
		WHERE r.catalog_id = $1 AND r.module_id = $2 ORDER BY r.ord`, catalogID, moduleID)
	return asDomainAll(rows), err
}

// RequirementDetail is a requirement with what its page shows.
type RequirementDetail struct {
	domain.Requirement
	Module  domain.Module
	Threats []domain.Threat
	Marks   *domain.CIA // from the cross-reference tables, if attached
}

// CatalogRequirement returns one requirement with its module, threats and marks.
func (db *DB) CatalogRequirement(ctx context.Context, catalogID int64, id string) (RequirementDetail, error) {
	var row requirementRow
	err := db.x.GetContext(ctx, &row, `SELECT `+requirementColumns+` FROM catalog_requirements r
		WHERE r.catalog_id = $1 AND r.id = $2`, catalogID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return RequirementDetail{}, domain.Errorf(domain.ErrNotFound, "catalog %d has no requirement %s", catalogID, id).De("Diese Anforderung gibt es in dem Katalog nicht.")
	}
	if err != nil {
		return RequirementDetail{}, err
	}
	d := RequirementDetail{Requirement: row.asDomain()}
	m, err := db.CatalogModule(ctx, catalogID, row.ModuleID)
	if err != nil {
		return d, err
	}
	d.Module = m.Module
	if d.Threats, err = db.threats(ctx, `
		SELECT t.id, t.title, t.body, t.ord FROM catalog_threats t
		JOIN catalog_requirement_threats l ON l.catalog_id = t.catalog_id AND l.threat_id = t.id
		WHERE t.catalog_id = $1 AND l.requirement_id = $2 ORDER BY t.ord`, catalogID, id); err != nil {
		return d, err
	}
	var marks struct {
		C bool `db:"c"`
		I bool `db:"i"`
		A bool `db:"a"`
	}
	err = db.x.GetContext(ctx, &marks, `SELECT c, i, a FROM catalog_requirement_marks WHERE catalog_id = $1 AND requirement_id = $2`, catalogID, id)
	switch {
	case err == nil:
		d.Marks = &domain.CIA{C: marks.C, I: marks.I, A: marks.A}
	case !errors.Is(err, sql.ErrNoRows):
		return d, err
	}
	return d, nil
}

// CatalogThreats returns a catalog's elementary threats in order.
func (db *DB) CatalogThreats(ctx context.Context, catalogID int64) ([]domain.Threat, error) {
	return db.threats(ctx, `SELECT t.id, t.title, t.body, t.ord FROM catalog_threats t WHERE t.catalog_id = $1 ORDER BY t.ord`, catalogID)
}

func (db *DB) threats(ctx context.Context, query string, args ...any) ([]domain.Threat, error) {
	var rows []struct {
		ID    string      `db:"id"`
		Title string      `db:"title"`
		Body  domain.Text `db:"body"`
		Ord   int         `db:"ord"`
	}
	if err := db.x.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, err
	}
	out := make([]domain.Threat, len(rows))
	for i, r := range rows {
		out[i] = domain.Threat{ID: r.ID, Title: r.Title, Text: r.Body, Order: r.Ord}
	}
	return out, nil
}

// ModellingHints returns the modelling table of a catalog.
func (db *DB) ModellingHints(ctx context.Context, catalogID int64) ([]domain.ModellingHint, error) {
	var rows []struct {
		ModuleID   string `db:"module_id"`
		Ord        string `db:"ord"`
		TargetType string `db:"target_type"`
	}
	err := db.x.SelectContext(ctx, &rows, `
		SELECT h.module_id, h.ord, h.target_type FROM catalog_modelling_hints h
		JOIN catalog_modules m ON m.catalog_id = h.catalog_id AND m.id = h.module_id
		WHERE h.catalog_id = $1 ORDER BY m.ord, h.target_type`, catalogID)
	out := make([]domain.ModellingHint, len(rows))
	for i, r := range rows {
		out[i] = domain.ModellingHint{ModuleID: r.ModuleID, Order: r.Ord, TargetType: r.TargetType}
	}
	return out, err
}

// Segment is a piece of highlighted text; Match marks a search hit.
type Segment struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

// SearchHit is one ranked requirement.
type SearchHit struct {
	CatalogID    int64
	CatalogTitle string
	ModuleID     string
	ModuleTitle  string
	ID           string
	Level        domain.Level
	Withdrawn    bool
	Rank         float64
	Title        []Segment
	Snippet      []Segment
}

// Markers around hits in ts_headline's output: private-use characters,
// which no catalog text contains, turned into segments in Go so that no
// markup from the database reaches a page.
const (
	hitStart = "\ue000"
	hitStop  = "\ue001"
)

// Search ranks requirements by relevance to the query (German stemming
// for words, exact matching for IDs) and returns a page of hits with
// highlighted title and text fragments, and the total.
func (db *DB) Search(ctx context.Context, q domain.SearchQuery) ([]SearchHit, int, error) {
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 20
	}
	var rows []struct {
		CatalogID    int64        `db:"catalog_id"`
		CatalogTitle string       `db:"catalog_title"`
		ModuleID     string       `db:"module_id"`
		ModuleTitle  string       `db:"module_title"`
		ID           string       `db:"id"`
		Level        domain.Level `db:"level"`
		Withdrawn    bool         `db:"withdrawn"`
		Rank         float64      `db:"rank"`
		Total        int          `db:"total"`
		Title        string       `db:"title_hl"`
		Snippet      string       `db:"snippet"`
	}
	opts := fmt.Sprintf("StartSel=%s, StopSel=%s", hitStart, hitStop)
	err := db.x.SelectContext(ctx, &rows, `
		WITH q AS (SELECT websearch_to_tsquery('german', $1) || websearch_to_tsquery('simple', $1) AS query),
		hits AS (
			SELECT r.catalog_id, r.id, r.module_id, r.level, r.withdrawn, r.title, r.body_text, r.ord,
			       ts_rank_cd(r.search, q.query) AS rank, count(*) OVER () AS total
			FROM catalog_requirements r
			JOIN catalog_modules m ON m.catalog_id = r.catalog_id AND m.id = r.module_id, q
			WHERE r.search @@ q.query
			  AND ($2 = 0 OR r.catalog_id = $2)
			  AND ($3 = '' OR m.group_key = $3)
			  AND ($4 = '' OR r.level = $4)
			  AND ($5 OR NOT r.withdrawn)
			ORDER BY rank DESC, r.catalog_id, r.ord
			LIMIT $6 OFFSET $7)
		SELECT h.catalog_id, c.title AS catalog_title, h.module_id, m.title AS module_title, h.id, h.level, h.withdrawn,
		       h.rank, h.total,
		       ts_headline('german', h.title, q.query, $8 || ', HighlightAll=true') AS title_hl,
		       ts_headline('german', h.body_text, q.query, $8 || ', MaxFragments=2, MaxWords=24, MinWords=10, FragmentDelimiter=" … "') AS snippet
		FROM hits h, q, catalogs c, catalog_modules m
		WHERE c.id = h.catalog_id AND m.catalog_id = h.catalog_id AND m.id = h.module_id
		ORDER BY h.rank DESC, h.catalog_id, h.ord`,
		q.Text, q.CatalogID, q.GroupKey, string(q.Level), q.IncludeWithdrawn, q.Limit, q.Offset, opts)
	if err != nil {
		return nil, 0, fmt.Errorf("search: %w", err)
	}
	hits := make([]SearchHit, len(rows))
	total := 0
	for i, r := range rows {
		total = r.Total
		hits[i] = SearchHit{CatalogID: r.CatalogID, CatalogTitle: r.CatalogTitle, ModuleID: r.ModuleID, ModuleTitle: r.ModuleTitle,
			ID: r.ID, Level: r.Level, Withdrawn: r.Withdrawn, Rank: r.Rank, Title: segments(r.Title), Snippet: segments(r.Snippet)}
	}
	return hits, total, nil
}

// segments splits ts_headline output at the hit markers.
func segments(s string) []Segment {
	var out []Segment
	for s != "" {
		before, rest, found := strings.Cut(s, hitStart)
		if before != "" {
			out = append(out, Segment{Text: before})
		}
		if !found {
			break
		}
		hit, after, _ := strings.Cut(rest, hitStop)
		if hit != "" {
			out = append(out, Segment{Text: hit, Match: true})
		}
		s = after
	}
	return out
}

// CatalogContent loads a whole stored catalog, for building a profile's
// selection from it.
func (db *DB) CatalogContent(ctx context.Context, catalogID int64) (domain.CatalogContent, error) {
	c, err := db.CatalogByID(ctx, catalogID)
	if err != nil {
		return domain.CatalogContent{}, err
	}
	out := domain.CatalogContent{Kind: c.Kind, Title: c.Title, Version: c.Version, UUID: c.UUID}
	groups, err := db.CatalogGroups(ctx, catalogID)
	if err != nil {
		return out, err
	}
	for _, g := range groups {
		out.Groups = append(out.Groups, g.CatalogGroup)
	}
	modules, err := db.CatalogModules(ctx, catalogID, "")
	if err != nil {
		return out, err
	}
	for _, m := range modules {
		out.Modules = append(out.Modules, m.Module)
	}
	var rows []requirementRow
	if err := db.x.SelectContext(ctx, &rows, `SELECT `+requirementColumns+` FROM catalog_requirements r
		WHERE r.catalog_id = $1 ORDER BY r.module_id, r.ord`, catalogID); err != nil {
		return out, err
	}
	for _, r := range rows {
		out.Requirements = append(out.Requirements, r.asDomain())
	}
	if out.Threats, err = db.CatalogThreats(ctx, catalogID); err != nil {
		return out, err
	}
	out.ModellingHints, err = db.ModellingHints(ctx, catalogID)
	return out, err
}
