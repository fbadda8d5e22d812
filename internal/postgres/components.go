package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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
	notFound := domain.Errorf(domain.ErrNotFound, "no component definition %d", id).De("Diese Komponentendefinition gibt es nicht.")
	return getOne[ComponentDefinitionSummary](ctx, db.x, notFound, componentDefinitionSelect+` WHERE d.id = $1`, id)
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

// AssignedComponent is a component assigned to an object.
type AssignedComponent struct {
	ID           int64  `db:"id" json:"id"`
	DefinitionID int64  `db:"definition_id" json:"definition_id"`
	Label        string `db:"label" json:"label"`
	Type         string `db:"type" json:"type"`
	Implemented  int    `db:"implemented" json:"implemented"` // implemented requirements of the component
	Offers       int    `db:"offers" json:"offers"`           // of them, requirements of the object's active check entries
}

// ObjectComponents lists the components assigned to an object, by label.
func (db *DB) ObjectComponents(ctx context.Context, objectID int64) ([]AssignedComponent, error) {
	cs := []AssignedComponent{}
	err := db.x.SelectContext(ctx, &cs, `
		SELECT k.id, k.definition_id, d.name || ' · ' || k.title AS label, k.type,
		       (SELECT count(*) FROM component_requirements cr WHERE cr.component_id = k.id) AS implemented,
		       (SELECT count(*) FROM check_entries e WHERE e.object_id = oc.object_id AND e.active AND EXISTS (
		            SELECT 1 FROM component_requirements cr JOIN catalog_requirements r ON r.catalog_id = e.catalog_id AND r.id = e.requirement_id
		            JOIN catalogs c ON c.id = r.catalog_id
		            WHERE cr.component_id = k.id AND `+resolvedRequirement+`)) AS offers
		FROM object_components oc JOIN components k ON k.id = oc.component_id JOIN component_definitions d ON d.id = k.definition_id
		WHERE oc.object_id = $1 ORDER BY d.name, k.ord`, objectID)
	return cs, err
}

// ComponentChoice is a component offered for assignment.
type ComponentChoice struct {
	ID    int64  `db:"id"`
	Label string `db:"label"`
}

// ComponentChoices lists every imported component by label, for the
// assignment form.
func (db *DB) ComponentChoices(ctx context.Context) ([]ComponentChoice, error) {
	var cs []ComponentChoice
	err := db.x.SelectContext(ctx, &cs, `
		SELECT k.id, d.name || ' · ' || k.title AS label
		FROM components k JOIN component_definitions d ON d.id = k.definition_id ORDER BY d.name, d.id, k.ord`)
	return cs, err
}

// AssignComponent assigns a component to an object the actor may see; an
// assignment that exists already stays (and is not recorded again).
func (tx *Tx) AssignComponent(ctx context.Context, objectID, componentID int64, vis Visibility) error {
	if _, err := tx.lockObject(ctx, objectID, anyVersion, vis); err != nil {
		return err
	}
	var label string
	err := tx.x.GetContext(ctx, &label, `
		SELECT d.name || ' · ' || k.title FROM components k JOIN component_definitions d ON d.id = k.definition_id WHERE k.id = $1`, componentID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Invalid(domain.Violation{Pointer: "/component", Detail: "no such component",
			German: "Diese Komponente gibt es nicht; importieren Sie zuerst ihre Komponentendefinition."})
	}
	if err != nil {
		return err
	}
	res, err := tx.x.ExecContext(ctx, `INSERT INTO object_components (object_id, component_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		objectID, componentID)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return tx.Record("component.assign", "object", objectID, nil, map[string]any{"component": componentID, "label": label})
}

// UnassignComponent removes a component from an object.
func (tx *Tx) UnassignComponent(ctx context.Context, objectID, componentID int64, vis Visibility) error {
	if _, err := tx.lockObject(ctx, objectID, anyVersion, vis); err != nil {
		return err
	}
	var label string
	err := tx.x.GetContext(ctx, &label, `
		WITH gone AS (DELETE FROM object_components WHERE object_id = $1 AND component_id = $2 RETURNING component_id)
		SELECT d.name || ' · ' || k.title FROM gone JOIN components k ON k.id = gone.component_id
		JOIN component_definitions d ON d.id = k.definition_id`, objectID, componentID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ErrNotFound, "component %d is not assigned to object %d", componentID, objectID).
			De("Diese Komponente ist dem Zielobjekt nicht zugeordnet.")
	}
	if err != nil {
		return err
	}
	return tx.Record("component.unassign", "object", objectID, map[string]any{"component": componentID, "label": label}, nil)
}

// ImplementationOffer is the description of an implemented requirement of
// a component assigned to an entry's object, offered as the entry's
// implementation text.
type ImplementationOffer struct {
	ComponentID int64  `db:"component_id" json:"component_id"`
	Label       string `db:"label" json:"component"` // "Keycloak · Realm"
	ControlRef  string `db:"control_ref" json:"control_ref"`
	Text        string `db:"description" json:"text"`
}

// EntryOffers lists the implementation texts that the components assigned
// to a check entry's object offer for the entry's requirement. The caller
// has checked that the entry is visible.
func (db *DB) EntryOffers(ctx context.Context, entryID int64) ([]ImplementationOffer, error) {
	os := []ImplementationOffer{}
	err := db.x.SelectContext(ctx, &os, `
		SELECT k.id AS component_id, d.name || ' · ' || k.title AS label, cr.control_ref, cr.description
		FROM check_entries e
		JOIN object_components oc ON oc.object_id = e.object_id
		JOIN components k ON k.id = oc.component_id
		JOIN component_definitions d ON d.id = k.definition_id
		JOIN component_requirements cr ON cr.component_id = k.id
		JOIN catalog_requirements r ON r.catalog_id = e.catalog_id AND r.id = e.requirement_id
		JOIN catalogs c ON c.id = r.catalog_id
		WHERE e.id = $1 AND cr.description <> '' AND `+resolvedRequirement+`
		ORDER BY d.name, k.ord, cr.ord`, entryID)
	return os, err
}

// ObjectComponentRow is a component assigned to an object, for A.3.
type ObjectComponentRow struct {
	ObjectShortID  string            `db:"short_id"`
	ObjectName     string            `db:"name"`
	ObjectType     domain.ObjectType `db:"type"`
	DepartmentName string            `db:"department_name"`
	Label          string            `db:"label"`
	Type           string            `db:"component_type"`
	Implemented    int               `db:"implemented"`
}

// EachObjectComponent calls fn with every component assigned to the
// scope's visible objects, by object and label.
func (db *DB) EachObjectComponent(ctx context.Context, scopeID int64, vis Visibility, fn func(ObjectComponentRow) error) error {
	deps, err := reportDepartments(ctx, db, vis)
	if err != nil {
		return err
	}
	err = eachRow(ctx, db, func(r *ObjectComponentRow) error { return fn(*r) }, `
		SELECT o.short_id, o.name, o.type, coalesce(dp.name, '') AS department_name, d.name || ' · ' || k.title AS label,
		       k.type AS component_type, (SELECT count(*) FROM component_requirements cr WHERE cr.component_id = k.id) AS implemented
		FROM object_components oc
		JOIN objects o ON o.id = oc.object_id
		JOIN components k ON k.id = oc.component_id
		JOIN component_definitions d ON d.id = k.definition_id
		LEFT JOIN departments dp ON dp.id = o.department_id
		WHERE o.scope_id = $1 AND `+visibleIn("o")+`
		ORDER BY o.type = 'scope' DESC, o.short_id, d.name, k.ord`, scopeID, deps)
	if err != nil {
		return fmt.Errorf("read the components for a report: %w", err)
	}
	return nil
}
