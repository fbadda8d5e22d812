package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"ismsd/internal/domain"
)

// ComponentDefinitionSummary is an imported component definition with its
// counts; Resolved counts the implemented requirements that name a
// requirement of an imported Grundschutz++ catalog today.
type ComponentDefinitionSummary struct {
	ID           int64     `db:"id"`
	Name         string    `db:"name"` // "Keycloak", see domain.DefinitionName
	Title        string    `db:"title"`
	Version      string    `db:"version"`
	UUID         string    `db:"uuid"`
	SourceName   string    `db:"source_name"`
	SourceSHA256 string    `db:"source_sha256"`
	ImportedAt   time.Time `db:"imported_at"`
	Components   int       `db:"components"`
	Implemented  int       `db:"implemented"`
	Resolved     int       `db:"resolved"`
}

// resolvedRequirement is the condition that an implemented requirement cr
// names the catalog requirement r of a Grundschutz++ catalog c: by its
// alt-identifier, or by its id when the file gives a plain id. It is
// evaluated on read, so that a catalog imported after the definition
// resolves what was open.
const resolvedRequirement = `c.method = 'grundschutz_pp' AND
	(cr.alt_id <> '' AND r.alt_id = cr.alt_id OR cr.control_id <> '' AND r.id = cr.control_id)`

const componentDefinitionSelect = `
	SELECT d.id, d.name, d.title, d.version, d.uuid, d.source_name, d.source_sha256, d.imported_at,
	       (SELECT count(*) FROM components k WHERE k.definition_id = d.id) AS components,
	       (SELECT count(*) FROM components k JOIN component_requirements cr ON cr.component_id = k.id
	        WHERE k.definition_id = d.id) AS implemented,
	       (SELECT count(*) FROM components k JOIN component_requirements cr ON cr.component_id = k.id
	        WHERE k.definition_id = d.id AND EXISTS (
	            SELECT 1 FROM catalog_requirements r JOIN catalogs c ON c.id = r.catalog_id WHERE ` + resolvedRequirement + `)) AS resolved
	FROM component_definitions d`

// ListComponentDefinitions returns every component definition, newest first.
func (db *DB) ListComponentDefinitions(ctx context.Context) ([]ComponentDefinitionSummary, error) {
	var ds []ComponentDefinitionSummary
	err := db.x.SelectContext(ctx, &ds, componentDefinitionSelect+` ORDER BY d.imported_at DESC, d.id DESC`)
	return ds, err
}

// ComponentDefinitionByID returns one component definition with its counts.
func (db *DB) ComponentDefinitionByID(ctx context.Context, id int64) (ComponentDefinitionSummary, error) {
	var d ComponentDefinitionSummary
	err := db.x.GetContext(ctx, &d, componentDefinitionSelect+` WHERE d.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return d, domain.Errorf(domain.ErrNotFound, "no component definition %d", id).De("Diese Komponentendefinition gibt es nicht.")
	}
	return d, err
}

// ComponentDefinitionBySHA256 finds the component definition imported from
// a file with that hash.
func (db *DB) ComponentDefinitionBySHA256(ctx context.Context, sha string) (ComponentDefinitionSummary, bool, error) {
	var d ComponentDefinitionSummary
	err := db.x.GetContext(ctx, &d, componentDefinitionSelect+` WHERE d.source_sha256 = $1`, sha)
	if errors.Is(err, sql.ErrNoRows) {
		return d, false, nil
	}
	return d, err == nil, err
}

// InsertComponentDefinition stores a parsed component definition in this
// transaction, one statement per table.
func (tx *Tx) InsertComponentDefinition(ctx context.Context, sourceName, sha string, d domain.ComponentDefinition) (int64, error) {
	var id int64
	err := tx.x.GetContext(ctx, &id, `
		INSERT INTO component_definitions (name, title, version, uuid, source_name, source_sha256)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, domain.DefinitionName(sourceName, d.Title), d.Title, d.Version, d.UUID, sourceName, sha)
	if isUniqueViolation(err) {
		return 0, domain.Errorf(domain.ErrConflict, "this file was imported already").De("Diese Datei wurde bereits importiert.")
	}
	if err != nil {
		return 0, mapError(err)
	}
	type requirement struct {
		Ord         int    `json:"ord"`
		ControlRef  string `json:"control_ref"`
		AltID       string `json:"alt_id"`
		ControlID   string `json:"control_id"`
		Description string `json:"description"`
		Source      string `json:"source"`
	}
	type component struct {
		Ord          int           `json:"ord"`
		UUID         string        `json:"uuid"`
		Title        string        `json:"title"`
		Type         string        `json:"type"`
		Description  string        `json:"description"`
		Requirements []requirement `json:"requirements"`
	}
	cs := make([]component, len(d.Components))
	for i, c := range d.Components {
		cs[i] = component{Ord: i + 1, UUID: c.UUID, Title: c.Title, Type: c.Type, Description: c.Description, Requirements: []requirement{}}
		for j, ir := range c.Implemented {
			cs[i].Requirements = append(cs[i].Requirements, requirement{j + 1, ir.ControlRef, ir.AltID, ir.ControlID, ir.Description, ir.Source})
		}
	}
	doc, err := json.Marshal(cs)
	if err != nil {
		return 0, err
	}
	if _, err := tx.x.ExecContext(ctx, `
		WITH input AS (SELECT * FROM jsonb_to_recordset($2::jsonb)
		         AS x(ord integer, uuid text, title text, type text, description text, requirements jsonb)),
		     inserted AS (
		         INSERT INTO components (definition_id, ord, uuid, title, type, description)
		         SELECT $1, ord, uuid, title, type, description FROM input RETURNING id, ord)
		INSERT INTO component_requirements (component_id, ord, control_ref, alt_id, control_id, description, source)
		SELECT k.id, r.ord, r.control_ref, r.alt_id, r.control_id, r.description, r.source
		FROM inserted k JOIN input i ON i.ord = k.ord,
		     jsonb_to_recordset(i.requirements) AS r(ord integer, control_ref text, alt_id text, control_id text, description text, source text)`,
		id, doc); err != nil {
		return 0, mapError(err)
	}
	return id, tx.Record("component_definition.import", "component_definition", id, nil, map[string]any{
		"title": d.Title, "version": d.Version, "source_name": sourceName, "sha256": sha,
		"components": len(d.Components), "implemented": d.Implemented()})
}

// ComponentRequirement is an implemented requirement of a component with
// the catalog requirements it names today (none: unresolved).
type ComponentRequirement struct {
	Ord         int
	ControlRef  string
	AltID       string
	ControlID   string
	Description string
	Source      string
	Resolved    []ResolvedRequirement
}

// ResolvedRequirement is a catalog requirement an implemented requirement names.
type ResolvedRequirement struct {
	CatalogID     int64  `json:"catalog_id"`
	CatalogTitle  string `json:"catalog_title"`
	RequirementID string `json:"requirement_id"`
	Title         string `json:"title"`
}

// ComponentDetail is a component with its implemented requirements.
type ComponentDetail struct {
	ID           int64
	DefinitionID int64
	Definition   string // the definition's name
	Title        string
	Type         string
	Description  string
	Requirements []ComponentRequirement
}

// Label names the component with its definition, as the pages show it:
// "Keycloak · Realm".
func (c ComponentDetail) Label() string { return componentLabel(c.Definition, c.Title) }

func componentLabel(definition, title string) string {
	if definition == "" {
		return title
	}
	return definition + " · " + title
}

// DefinitionComponents returns the components of a definition in file
// order, with their implemented requirements and what each resolves to.
func (db *DB) DefinitionComponents(ctx context.Context, definitionID int64) ([]ComponentDetail, error) {
	var rows []struct {
		ID          int64  `db:"id"`
		Definition  string `db:"definition"`
		Title       string `db:"title"`
		Type        string `db:"type"`
		Description string `db:"description"`
		Reqs        []byte `db:"reqs"`
	}
	err := db.x.SelectContext(ctx, &rows, `
		SELECT k.id, d.name AS definition, k.title, k.type, k.description,
		       coalesce((SELECT jsonb_agg(jsonb_build_object('ord', cr.ord, 'control_ref', cr.control_ref, 'alt_id', cr.alt_id,
		                     'control_id', cr.control_id, 'description', cr.description, 'source', cr.source,
		                     'resolved', coalesce((
		                         SELECT jsonb_agg(jsonb_build_object('catalog_id', c.id, 'catalog_title', c.title,
		                                    'requirement_id', r.id, 'title', r.title) ORDER BY c.imported_at DESC, c.id DESC)
		                         FROM catalog_requirements r JOIN catalogs c ON c.id = r.catalog_id WHERE `+resolvedRequirement+`), '[]'))
		                 ORDER BY cr.ord)
		                 FROM component_requirements cr WHERE cr.component_id = k.id), '[]') AS reqs
		FROM components k JOIN component_definitions d ON d.id = k.definition_id
		WHERE k.definition_id = $1 ORDER BY k.ord`, definitionID)
	if err != nil {
		return nil, err
	}
	out := make([]ComponentDetail, len(rows))
	for i, r := range rows {
		var reqs []struct {
			Ord         int                   `json:"ord"`
			ControlRef  string                `json:"control_ref"`
			AltID       string                `json:"alt_id"`
			ControlID   string                `json:"control_id"`
			Description string                `json:"description"`
			Source      string                `json:"source"`
			Resolved    []ResolvedRequirement `json:"resolved"`
		}
		if err := json.Unmarshal(r.Reqs, &reqs); err != nil {
			return nil, err
		}
		out[i] = ComponentDetail{ID: r.ID, DefinitionID: definitionID, Definition: r.Definition, Title: r.Title, Type: r.Type, Description: r.Description}
		for _, q := range reqs {
			out[i].Requirements = append(out[i].Requirements, ComponentRequirement{q.Ord, q.ControlRef, q.AltID, q.ControlID, q.Description, q.Source, q.Resolved})
		}
	}
	return out, nil
}
