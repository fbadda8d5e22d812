package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// AssignedModule is a module assigned to an object.
type AssignedModule struct {
	ModuleID string `db:"module_id"`
	Title    string `db:"title"`
	GroupKey string `db:"group_key"`
}

// ObjectModules lists the modules assigned to an object, in catalog order.
func (db *DB) ObjectModules(ctx context.Context, objectID int64) ([]AssignedModule, error) {
	var ms []AssignedModule
	err := db.x.SelectContext(ctx, &ms, `
		SELECT m.id AS module_id, m.title, coalesce(m.group_key, '') AS group_key
		FROM object_modules om JOIN catalog_modules m ON m.catalog_id = om.catalog_id AND m.id = om.module_id
		LEFT JOIN catalog_groups g ON g.catalog_id = m.catalog_id AND g.key = m.group_key
		WHERE om.object_id = $1 ORDER BY g.ord NULLS LAST, m.ord`, objectID)
	return ms, err
}

// Suggestion is a module the catalog's modelling table proposes for an
// object of its type.
type Suggestion struct {
	ModuleID   string `db:"module_id"`
	Title      string `db:"title"`
	Order      string `db:"ord"` // R1, R2, R3
	TargetType string `db:"target_type"`
}

// Suggestions lists the modules whose modelling hint names the object's
// type and that are not yet assigned to it.
func (db *DB) Suggestions(ctx context.Context, o domain.Object, catalogID int64) ([]Suggestion, error) {
	var targets []string
	for _, t := range []string{"Informationsverbund/übergeordnete Aspekte", "Informationsverbund", "IT-System", "Anwendung", "Gebäude/Raum", "Netz"} {
		if slices.Contains(domain.HintTypes(t), o.Type) {
			targets = append(targets, t)
		}
	}
	var ss []Suggestion
	err := db.x.SelectContext(ctx, &ss, `
		SELECT h.module_id, m.title, h.ord, h.target_type
		FROM catalog_modelling_hints h
		JOIN catalog_modules m ON m.catalog_id = h.catalog_id AND m.id = h.module_id
		LEFT JOIN catalog_groups g ON g.catalog_id = m.catalog_id AND g.key = m.group_key
		WHERE h.catalog_id = $1 AND h.target_type = ANY ($2)
		  AND NOT EXISTS (SELECT 1 FROM object_modules om WHERE om.object_id = $3 AND om.module_id = h.module_id)
		ORDER BY h.ord, g.ord NULLS LAST, m.ord`, catalogID, pq.Array(targets), o.ID)
	return ss, err
}

// AssignModules assigns modules of the scope's catalog to objects of the
// scope in one statement; assignments that exist already stay. It returns
// how many assignments are new.
func (tx *Tx) AssignModules(ctx context.Context, scopeID int64, objectIDs []int64, moduleIDs []string, vis Visibility) (int, error) {
	a := domain.ModuleAssignment{Modules: moduleIDs, Objects: objectIDs}
	if vs := a.Validate(); len(vs) > 0 {
		return 0, domain.Invalid(vs...)
	}
	moduleIDs = a.Modules
	var catalogID int64
	if err := tx.x.GetContext(ctx, &catalogID, `SELECT catalog_id FROM scopes WHERE id = $1`, scopeID); err != nil {
		return 0, mapError(err)
	}
	var unknown []string
	if err := tx.x.SelectContext(ctx, &unknown, `
		SELECT x FROM unnest($2::text[]) AS x WHERE NOT EXISTS (SELECT 1 FROM catalog_modules m WHERE m.catalog_id = $1 AND m.id = x)`,
		catalogID, pq.Array(moduleIDs)); err != nil {
		return 0, err
	}
	if len(unknown) > 0 {
		list := strings.Join(unknown, ", ")
		return 0, domain.Invalid(domain.Violation{Pointer: "/modules", Detail: "the scope's catalog has no module " + list,
			German: "Der Katalog des Informationsverbunds kennt diese Bausteine nicht: " + list})
	}
	refs := make([]Ref, len(objectIDs))
	for i, id := range objectIDs {
		refs[i] = Ref{Kind: RefObject, ID: id, Pointer: fmt.Sprintf("/objects/%d", i)}
	}
	if err := tx.resolve(ctx, scopeID, vis, refs...); err != nil {
		return 0, err
	}
	var added []struct {
		ObjectID int64  `db:"object_id"`
		ModuleID string `db:"module_id"`
	}
	err := tx.x.SelectContext(ctx, &added, `
		INSERT INTO object_modules (object_id, catalog_id, module_id)
		SELECT o, $3, m FROM unnest($1::bigint[]) AS o, unnest($2::text[]) AS m
		ON CONFLICT DO NOTHING RETURNING object_id, module_id`, pq.Array(objectIDs), pq.Array(moduleIDs), catalogID)
	if err != nil {
		return 0, mapError(err)
	}
	for _, a := range added {
		if err := tx.Record("modelling.assign", "object", a.ObjectID, nil, map[string]string{"module": a.ModuleID}); err != nil {
			return 0, err
		}
	}
	if len(added) > 0 {
		if _, err := tx.DeriveChecks(ctx, scopeID, uniqueIDs(objectIDs)); err != nil {
			return 0, err
		}
	}
	return len(added), nil
}

// UnassignModule removes a module from an object.
func (tx *Tx) UnassignModule(ctx context.Context, objectID int64, moduleID string, vis Visibility) error {
	o, err := tx.lockObject(ctx, objectID, anyVersion, vis)
	if err != nil {
		return err
	}
	res, err := tx.x.ExecContext(ctx, `DELETE FROM object_modules WHERE object_id = $1 AND module_id = $2`, objectID, moduleID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.Errorf(domain.ErrNotFound, "module %s is not assigned to object %d", moduleID, objectID).De("Dieser Baustein ist dem Zielobjekt nicht zugeordnet.")
	}
	if err := tx.Record("modelling.unassign", "object", objectID, map[string]string{"module": moduleID}, nil); err != nil {
		return err
	}
	_, err = tx.DeriveChecks(ctx, o.ScopeID, []int64{objectID})
	return err
}

func uniqueIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// ModellingRow is one module of the A.3 view with the visible objects it
// is assigned to.
type ModellingRow struct {
	ModuleID string
	Title    string
	GroupKey string
	Objects  []ObjectRef
}

// ObjectRef names an object.
type ObjectRef struct {
	ID      int64             `json:"id"`
	ShortID string            `json:"short_id"`
	Name    string            `json:"name"`
	Type    domain.ObjectType `json:"type"`
}

// Modelling returns the A.3 view: every assigned module of the scope with
// its (visible) objects, in catalog order.
func (db *DB) Modelling(ctx context.Context, scopeID int64, vis Visibility) ([]ModellingRow, error) {
	var rows []struct {
		ModuleID string `db:"module_id"`
		Title    string `db:"title"`
		GroupKey string `db:"group_key"`
		ID       int64  `db:"id"`
		ShortID  string `db:"short_id"`
		Name     string `db:"name"`
		Type     string `db:"type"`
	}
	err := db.x.SelectContext(ctx, &rows, `
		SELECT m.id AS module_id, m.title, coalesce(m.group_key, '') AS group_key, o.id, o.short_id, o.name, o.type
		FROM object_modules om
		JOIN objects o ON o.id = om.object_id
		JOIN catalog_modules m ON m.catalog_id = om.catalog_id AND m.id = om.module_id
		LEFT JOIN catalog_groups g ON g.catalog_id = m.catalog_id AND g.key = m.group_key
		WHERE o.scope_id = $1 AND `+visibleObject(2)+`
		ORDER BY g.ord NULLS LAST, m.ord, o.type = 'scope' DESC, o.short_id`, scopeID, vis.arg())
	if err != nil {
		return nil, err
	}
	var out []ModellingRow
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].ModuleID != r.ModuleID {
			out = append(out, ModellingRow{ModuleID: r.ModuleID, Title: r.Title, GroupKey: r.GroupKey})
		}
		last := &out[len(out)-1]
		last.Objects = append(last.Objects, ObjectRef{ID: r.ID, ShortID: r.ShortID, Name: r.Name, Type: domain.ObjectType(r.Type)})
	}
	return out, nil
}
