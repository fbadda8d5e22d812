package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"path"
	"strings"
	"time"

	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// MappingCollectionSummary is an imported mapping collection with its counts.
type MappingCollectionSummary struct {
	ID           int64     `db:"id" json:"id"`
	Title        string    `db:"title" json:"title"`
	Version      string    `db:"version" json:"version"`
	UUID         string    `db:"uuid" json:"uuid"`
	SourceName   string    `db:"source_name" json:"source_name"`
	SourceSHA256 string    `db:"source_sha256" json:"source_sha256"`
	ImportedAt   time.Time `db:"imported_at" json:"imported_at"`
	Mappings     int       `db:"mappings" json:"mappings"`
	Maps         int       `db:"maps" json:"maps"`
}

const mappingCollectionSelect = `
	SELECT k.id, k.title, k.version, k.uuid, k.source_name, k.source_sha256, k.imported_at,
	       (SELECT count(*) FROM mappings m WHERE m.collection_id = k.id) AS mappings,
	       (SELECT count(*) FROM mappings m JOIN mapping_maps mm ON mm.mapping_id = m.id WHERE m.collection_id = k.id) AS maps
	FROM mapping_collections k`

// ListMappingCollections returns every mapping collection, newest first.
func (db *DB) ListMappingCollections(ctx context.Context) ([]MappingCollectionSummary, error) {
	ks := []MappingCollectionSummary{}
	err := db.x.SelectContext(ctx, &ks, mappingCollectionSelect+` ORDER BY k.imported_at DESC, k.id DESC`)
	return ks, err
}

// MappingCollectionByID returns one mapping collection with its counts.
func (db *DB) MappingCollectionByID(ctx context.Context, id int64) (MappingCollectionSummary, error) {
	notFound := domain.Errorf(domain.ErrNotFound, "no mapping collection %d", id).De("Diese Zuordnung gibt es nicht.")
	return getOne[MappingCollectionSummary](ctx, db.x, notFound, mappingCollectionSelect+` WHERE k.id = $1`, id)
}

// MappingCollectionBySHA256 finds the mapping collection imported from a
// file with that hash.
func (db *DB) MappingCollectionBySHA256(ctx context.Context, sha string) (MappingCollectionSummary, bool, error) {
	var k MappingCollectionSummary
	err := db.x.GetContext(ctx, &k, mappingCollectionSelect+` WHERE k.source_sha256 = $1`, sha)
	if errors.Is(err, sql.ErrNoRows) {
		return k, false, nil
	}
	return k, err == nil, err
}

// InsertMappingCollection stores a parsed mapping collection in this
// transaction, one statement per table.
func (tx *Tx) InsertMappingCollection(ctx context.Context, sourceName, sha string, c domain.MappingCollection) (int64, error) {
	var id int64
	err := tx.x.GetContext(ctx, &id, `
		INSERT INTO mapping_collections (title, version, uuid, source_name, source_sha256)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, c.Title, c.Version, c.UUID, sourceName, sha)
	if isUniqueViolation(err) {
		return 0, domain.Errorf(domain.ErrConflict, "this file was imported already").De("Diese Datei wurde bereits importiert.")
	}
	if err != nil {
		return 0, mapError(err)
	}
	type ref struct {
		Side        string `json:"side"`
		Ord         int    `json:"ord"`
		Ref         string `json:"ref"`
		Requirement string `json:"requirement_id"`
	}
	type mapRow struct {
		Ord          int    `json:"ord"`
		UUID         string `json:"uuid"`
		Relationship string `json:"relationship"`
		Refs         []ref  `json:"refs"`
	}
	type mappingRow struct {
		Ord                                             int      `json:"ord"`
		UUID                                            string   `json:"uuid"`
		SourceHref, SourceFile, SourceTitle, SourceUUID string   `json:"-"`
		Source                                          []string `json:"source"` // href, file, title, uuid
		Target                                          []string `json:"target"`
		Maps                                            []mapRow `json:"maps"`
	}
	resource := func(r domain.MappingResource) []string {
		file := ""
		if r.Href != "" {
			file = path.Base(strings.ReplaceAll(r.Href, "\\", "/"))
		}
		return []string{r.Href, file, r.Title, r.UUID}
	}
	rows := make([]mappingRow, len(c.Mappings))
	for i, m := range c.Mappings {
		rows[i] = mappingRow{Ord: i + 1, UUID: m.UUID, Source: resource(m.Source), Target: resource(m.Target), Maps: make([]mapRow, len(m.Maps))}
		for j, mp := range m.Maps {
			refs := make([]ref, 0, len(mp.Sources)+len(mp.Targets))
			for k, s := range mp.Sources {
				refs = append(refs, ref{"source", k + 1, s, domain.RequirementOfRef(s)})
			}
			for k, s := range mp.Targets {
				refs = append(refs, ref{"target", k + 1, s, domain.RequirementOfRef(s)})
			}
			rows[i].Maps[j] = mapRow{j + 1, mp.UUID, string(mp.Relationship), refs}
		}
	}
	doc, err := json.Marshal(rows)
	if err != nil {
		return 0, err
	}
	if _, err := tx.x.ExecContext(ctx, `
		WITH input AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(ord integer, uuid text, source jsonb, target jsonb, maps jsonb)),
		     inserted AS (
		         INSERT INTO mappings (collection_id, ord, uuid, source_href, source_file, source_title, source_uuid,
		                               target_href, target_file, target_title, target_uuid)
		         SELECT $1, ord, uuid, source->>0, source->>1, source->>2, source->>3, target->>0, target->>1, target->>2, target->>3
		         FROM input RETURNING id, ord),
		     map_input AS (
		         SELECT k.id AS mapping_id, x.* FROM inserted k JOIN input i ON i.ord = k.ord,
		                jsonb_to_recordset(i.maps) AS x(ord integer, uuid text, relationship text, refs jsonb)),
		     maps AS (
		         INSERT INTO mapping_maps (mapping_id, ord, uuid, relationship)
		         SELECT mapping_id, ord, uuid, relationship FROM map_input RETURNING id, mapping_id, ord)
		INSERT INTO mapping_refs (map_id, side, ord, ref, requirement_id)
		SELECT mm.id, r.side, r.ord, r.ref, r.requirement_id
		FROM maps mm JOIN map_input i ON i.mapping_id = mm.mapping_id AND i.ord = mm.ord,
		     jsonb_to_recordset(i.refs) AS r(side text, ord integer, ref text, requirement_id text)`,
		id, doc); err != nil {
		return 0, mapError(err)
	}
	return id, tx.Record("mapping_collection.import", "mapping_collection", id, nil, map[string]any{
		"title": c.Title, "version": c.Version, "source_name": sourceName, "sha256": sha,
		"mappings": len(c.Mappings), "maps": c.Maps()})
}

// MappingSummary is one mapping of a collection: its resources as the file
// names them, the catalogs they resolve to today (nil: none), and its
// counts. References count distinct; a source "NET.1.1.A1-UA.2" is one
// reference of the requirement NET.1.1.A1. Resolved counts the distinct
// requirements found in the resolved catalog, the Unresolved lists name
// the others (in file order).
type MappingSummary struct {
	ID                 int64          `db:"id" json:"id"`
	CollectionID       int64          `db:"collection_id" json:"collection_id"`
	UUID               string         `db:"uuid" json:"uuid"`
	SourceHref         string         `db:"source_href" json:"source_href"`
	SourceTitle        string         `db:"source_title" json:"source_title"`
	SourceCatalogID    *int64         `db:"source_catalog_id" json:"source_catalog_id"`
	SourceCatalog      string         `db:"source_catalog" json:"source_catalog"` // title and version, "" when unresolved
	TargetHref         string         `db:"target_href" json:"target_href"`
	TargetTitle        string         `db:"target_title" json:"target_title"`
	TargetCatalogID    *int64         `db:"target_catalog_id" json:"target_catalog_id"`
	TargetCatalog      string         `db:"target_catalog" json:"target_catalog"`
	Maps               int            `db:"maps" json:"maps"`
	SourceRefs         int            `db:"source_refs" json:"source_refs"`
	SourceRequirements int            `db:"source_requirements" json:"source_requirements"`
	SourcesResolved    int            `db:"sources_resolved" json:"sources_resolved"`
	UnresolvedSources  pq.StringArray `db:"unresolved_sources" json:"unresolved_sources"`
	Targets            int            `db:"targets" json:"targets"`
	TargetsResolved    int            `db:"targets_resolved" json:"targets_resolved"`
	UnresolvedTargets  pq.StringArray `db:"unresolved_targets" json:"unresolved_targets"`
}

// Name is what the pages call a mapping: its resolved catalogs' titles, or
// the resources' titles or file names.
func (m MappingSummary) Name() string {
	side := func(catalog, title, href string) string {
		switch {
		case catalog != "":
			return catalog
		case title != "":
			return title
		}
		return path.Base(href)
	}
	return side(m.SourceCatalog, m.SourceTitle, m.SourceHref) + " → " + side(m.TargetCatalog, m.TargetTitle, m.TargetHref)
}

// refCounts counts one side's references of mapping m against the catalog
// that side resolves to (cat), requirement by requirement; the unresolved
// ones are listed in file order (by the first map, then the position in
// it, that names them), as a reader of the file finds them.
const refCounts = `
	SELECT coalesce(sum(q.refs), 0) AS refs, count(*) AS requirements, count(*) FILTER (WHERE q.found) AS resolved,
	       coalesce(array_agg(q.requirement_id ORDER BY q.first) FILTER (WHERE NOT q.found), '{}') AS unresolved
	FROM (SELECT x.requirement_id, count(DISTINCT x.ref) AS refs, bool_or(r.id IS NOT NULL) AS found,
	             min(mm.ord::bigint * 1000000 + x.ord) AS first
	      FROM mapping_maps mm JOIN mapping_refs x ON x.map_id = mm.id AND x.side = $side
	      LEFT JOIN catalog_requirements r ON r.catalog_id = cat.catalog_id AND r.id = x.requirement_id
	      WHERE mm.mapping_id = m.id GROUP BY x.requirement_id) q`

// CollectionMappings returns the mappings of a collection in file order
// with their counts, resolved as the catalogs stand now.
func (db *DB) CollectionMappings(ctx context.Context, collectionID int64) ([]MappingSummary, error) {
	ms := []MappingSummary{}
	err := db.x.SelectContext(ctx, &ms, `
		SELECT m.id, m.collection_id, m.uuid, m.source_href, m.source_title, m.target_href, m.target_title,
		       sc.catalog_id AS source_catalog_id, coalesce(sc.catalog_title || ' ' || sc.catalog_version, '') AS source_catalog,
		       tc.catalog_id AS target_catalog_id, coalesce(tc.catalog_title || ' ' || tc.catalog_version, '') AS target_catalog,
		       (SELECT count(*) FROM mapping_maps mm WHERE mm.mapping_id = m.id) AS maps,
		       s.refs AS source_refs, s.requirements AS source_requirements, s.resolved AS sources_resolved, s.unresolved AS unresolved_sources,
		       t.refs AS targets, t.resolved AS targets_resolved, t.unresolved AS unresolved_targets
		FROM mappings m
		LEFT JOIN mapping_catalogs sc ON sc.mapping_id = m.id AND sc.side = 'source'
		LEFT JOIN mapping_catalogs tc ON tc.mapping_id = m.id AND tc.side = 'target'
		CROSS JOIN LATERAL (`+strings.ReplaceAll(strings.ReplaceAll(refCounts, "$side", "'source'"), "cat.", "sc.")+`) s
		CROSS JOIN LATERAL (`+strings.ReplaceAll(strings.ReplaceAll(refCounts, "$side", "'target'"), "cat.", "tc.")+`) t
		WHERE m.collection_id = $1 ORDER BY m.ord`, collectionID)
	for i := range ms { // answers list them as [], never null
		ms[i].UnresolvedSources = orNoRefs(ms[i].UnresolvedSources)
		ms[i].UnresolvedTargets = orNoRefs(ms[i].UnresolvedTargets)
	}
	return ms, err
}

// Correspondence is what one requirement of a catalog maps to (Direction
// "to": the requirement is a map's source) or from ("from": it is a
// target), with the relationship as the map states it (source relates to
// target), and the other side's requirement, resolved when its catalog is
// imported and has it.
type Correspondence struct {
	Direction        string              `db:"direction" json:"direction"`
	Relationship     domain.Relationship `db:"relationship" json:"relationship"`
	Ref              string              `db:"ref" json:"ref"` // this side's reference as written ("NET.1.1.A1-UA.2")
	OtherRef         string              `db:"other_ref" json:"other_ref"`
	OtherRequirement string              `db:"other_requirement" json:"other_requirement_id"`
	OtherTitle       *string             `db:"other_title" json:"other_title"`
	OtherCatalogID   *int64              `db:"other_catalog_id" json:"other_catalog_id"`
	OtherCatalog     string              `db:"other_catalog" json:"other_catalog"`
	CollectionID     int64               `db:"collection_id" json:"collection_id"`
	CollectionTitle  string              `db:"collection_title" json:"collection_title"`
}

// RelationshipLabel is the German name of the relationship.
func (c Correspondence) RelationshipLabel() string { return c.Relationship.Label() }

// Correspondences lists what requirement requirementID of catalog
// catalogID maps to and from, through every mapping whose side resolves to
// that catalog: first "to", then "from", by collection, relationship and
// the other side's requirement.
func (db *DB) Correspondences(ctx context.Context, catalogID int64, requirementID string) ([]Correspondence, error) {
	cs := []Correspondence{}
	err := db.x.SelectContext(ctx, &cs, `
		SELECT DISTINCT CASE me.side WHEN 'source' THEN 'to' ELSE 'from' END AS direction, mm.relationship,
		       me.ref, other.ref AS other_ref, other.requirement_id AS other_requirement, r.title AS other_title,
		       r.catalog_id AS other_catalog_id, coalesce(oc.catalog_title || ' ' || oc.catalog_version, '') AS other_catalog,
		       k.id AS collection_id, k.title AS collection_title
		FROM mapping_refs me
		JOIN mapping_maps mm ON mm.id = me.map_id
		JOIN mappings m ON m.id = mm.mapping_id
		JOIN mapping_collections k ON k.id = m.collection_id
		JOIN mapping_catalogs mine ON mine.mapping_id = m.id AND mine.side = me.side AND mine.catalog_id = $1
		JOIN mapping_refs other ON other.map_id = me.map_id AND other.side <> me.side
		LEFT JOIN mapping_catalogs oc ON oc.mapping_id = m.id AND oc.side = other.side
		LEFT JOIN catalog_requirements r ON r.catalog_id = oc.catalog_id AND r.id = other.requirement_id
		WHERE me.requirement_id = $2
		ORDER BY direction DESC, k.id, mm.relationship, other.requirement_id, me.ref, other.ref`, catalogID, requirementID)
	return cs, err
}

func orNoRefs(refs pq.StringArray) pq.StringArray {
	if refs == nil {
		return pq.StringArray{}
	}
	return refs
}
