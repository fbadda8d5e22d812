package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// objectRow scans the objects table; the plain fields come by their db
// tags.
type objectRow struct {
	ID      int64  `db:"id"`
	ScopeID int64  `db:"scope_id"`
	Type    string `db:"type"`
	ShortID string `db:"short_id"`
	domain.ObjectFields
	Tags           pq.StringArray `db:"tags"`
	DepartmentID   *int64         `db:"department_id"`
	DepartmentName sql.NullString `db:"department_name"`
	Group          bool           `db:"is_group"`
	Members        int            `db:"members"`
	GroupID        *int64         `db:"group_id"`
	Modules        int            `db:"modules"`
	CreatedAt      time.Time      `db:"created_at"`
	UpdatedAt      time.Time      `db:"updated_at"`
	Version        int            `db:"version"`
}

func (r objectRow) asDomain() domain.Object {
	fields := r.ObjectFields
	fields.Tags = r.Tags
	return domain.Object{ID: r.ID, ScopeID: r.ScopeID, ObjectInput: domain.ObjectInput{Type: domain.ObjectType(r.Type), ShortID: r.ShortID,
		ObjectFields: fields, DepartmentID: r.DepartmentID, Group: r.Group, Members: r.Members, GroupID: r.GroupID},
		DepartmentName: r.DepartmentName.String, Modules: r.Modules, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
}

// objectFieldColumn is the column of a plain field of target objects
// (domain.ObjectFields, whose db tags name the columns).
type objectFieldColumn struct {
	name, sqlType string
	value         func(f domain.ObjectFields) any
	// read and write are the expressions that read the column from
	// objects o and write it from the record x, when not the column itself.
	read, write string
}

// objectFieldColumns lists the plain fields' columns. Every statement that
// reads or writes objects takes them from here, and writes their values
// as one JSON record (jsonb_to_record), so that a new plain field is one
// line here.
var objectFieldColumns = []objectFieldColumn{
	{name: "name", sqlType: "text", value: func(f domain.ObjectFields) any { return f.Name }},
	{name: "description", sqlType: "text", value: func(f domain.ObjectFields) any { return f.Description }},
	{name: "responsible", sqlType: "text", value: func(f domain.ObjectFields) any { return f.Responsible }},
	{name: "location", sqlType: "text", value: func(f domain.ObjectFields) any { return f.Location }},
	// Without an external ID the column is NULL, which its unique key ignores.
	{name: "external_id", sqlType: "text", value: func(f domain.ObjectFields) any { return f.ExternalID },
		read: "coalesce(o.external_id, '') AS external_id", write: "nullif(x.external_id, '')"},
	{name: "tags", sqlType: "text[]", value: func(f domain.ObjectFields) any { return orNone(f.Tags) }},
	{name: "no_suitable_module", sqlType: "boolean", value: func(f domain.ObjectFields) any { return f.NoSuitableModule }},
	{name: "untypical_environment", sqlType: "boolean", value: func(f domain.ObjectFields) any { return f.UntypicalEnvironment }},
}

// fieldColumns joins an SQL snippet per plain field column.
func fieldColumns(snippet func(c objectFieldColumn) string) string {
	parts := make([]string, len(objectFieldColumns))
	for i, c := range objectFieldColumns {
		parts[i] = snippet(c)
	}
	return strings.Join(parts, ", ")
}

// The snippets of the plain fields in the statements on objects: their
// columns (INSERT), their reads from objects o (SELECT), their writes from
// the record x (INSERT … SELECT), their assignments (UPDATE … SET) and the
// record's column definitions (jsonb_to_record).
var (
	fieldNames = fieldColumns(func(c objectFieldColumn) string { return c.name })
	fieldReads = fieldColumns(func(c objectFieldColumn) string {
		if c.read != "" {
			return c.read
		}
		return "o." + c.name
	})
	fieldWrites = fieldColumns(func(c objectFieldColumn) string { return c.writeExpr() })
	fieldSets   = fieldColumns(func(c objectFieldColumn) string { return c.name + " = " + c.writeExpr() })
	fieldTypes  = fieldColumns(func(c objectFieldColumn) string { return c.name + " " + c.sqlType })
)

func (c objectFieldColumn) writeExpr() string {
	if c.write != "" {
		return c.write
	}
	return "x." + c.name
}

// fieldRecord is the record of the plain fields that the statements read
// with jsonb_to_record(set), by column; the writes of a batch add their
// other columns to it.
func fieldRecord(f domain.ObjectFields) map[string]any {
	rec := make(map[string]any, len(objectFieldColumns)+8)
	for _, c := range objectFieldColumns {
		rec[c.name] = c.value(f)
	}
	return rec
}

var objectColumns = `o.id, o.scope_id, o.type, o.short_id, ` + fieldReads + `, o.department_id, d.name AS department_name,
	o.is_group, o.members, o.group_id, o.created_at, o.updated_at, o.version`

var objectSelect = `SELECT ` + objectColumns + `, (SELECT count(*) FROM object_modules m WHERE m.object_id = o.id) AS modules`

// visibleObject is the condition that the object o may be seen with the
// visibility given as parameter $N.
func visibleObject(param int) string { return fmt.Sprintf(visibleObjectFmt, "", param) }

// visibleObjectFmt is visibleObject with the parameter number as the
// second argument, for the conditions of refKinds.
const visibleObjectFmt = `($%[2]d::bigint[] IS NULL OR o.department_id IN (SELECT id FROM department_subtree($%[2]d)))`

// ObjectByID returns one object with its needs. An object outside the
// reader's departments is not found, exactly like a missing one.
func (db *DB) ObjectByID(ctx context.Context, id int64, vis Visibility) (domain.Object, error) {
	var r objectRow
	err := db.x.GetContext(ctx, &r, objectSelect+` FROM objects o LEFT JOIN departments d ON d.id = o.department_id
		WHERE o.id = $1 AND `+visibleObject(2), id, vis.arg())
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Object{}, errObjectNotFound(id)
	}
	if err != nil {
		return domain.Object{}, err
	}
	objs := []domain.Object{r.asDomain()}
	if err := db.fillNeeds(ctx, objs, vis); err != nil {
		return domain.Object{}, err
	}
	return objs[0], nil
}

func errObjectNotFound(id int64) error {
	return domain.Errorf(domain.ErrNotFound, "no object %d", id).De("Dieses Zielobjekt gibt es nicht.")
}

// fillNeeds loads the protection needs of the objects in one query. The
// name of the object a need is inherited from is given only where the
// reader may see that object.
func (db *DB) fillNeeds(ctx context.Context, objs []domain.Object, vis Visibility) error {
	if len(objs) == 0 {
		return nil
	}
	ids, index := objectIndex(objs)
	var rows []struct {
		ObjectID       int64          `db:"object_id"`
		Objective      string         `db:"objective"`
		Own            int8           `db:"own"`
		OwnReason      string         `db:"own_reason"`
		OverrideKind   string         `db:"override_kind"`
		Override       int8           `db:"override"`
		OverrideReason string         `db:"override_reason"`
		Inherited      int8           `db:"inherited"`
		InheritedFrom  sql.NullInt64  `db:"inherited_from"`
		FromName       sql.NullString `db:"from_name"`
		FromType       sql.NullString `db:"from_type"`
		Effective      int8           `db:"effective"`
		Source         string         `db:"source"`
		Cycle          int            `db:"cycle"`
	}
	err := db.x.SelectContext(ctx, &rows, `
		SELECT n.object_id, n.objective, n.own, n.own_reason, n.override_kind, n.override, n.override_reason,
		       n.inherited, n.inherited_from, n.effective, n.source, n.cycle,
		       CASE WHEN `+visibleObject(2)+` THEN o.short_id || ' ' || o.name END AS from_name,
		       CASE WHEN `+visibleObject(2)+` THEN o.type END AS from_type
		FROM object_needs n LEFT JOIN objects o ON o.id = n.inherited_from
		WHERE n.object_id = ANY ($1)`, pq.Array(ids), vis.arg())
	if err != nil {
		return err
	}
	for _, r := range rows {
		i := strings.Index("cia", r.Objective)
		n := domain.ObjectNeed{Own: domain.Need(r.Own), OwnReason: r.OwnReason, OverrideKind: domain.OverrideKind(r.OverrideKind),
			Override: domain.Need(r.Override), OverrideReason: r.OverrideReason, Inherited: domain.Need(r.Inherited),
			Effective: domain.Need(r.Effective), Source: domain.NeedSource(r.Source), Cycle: r.Cycle}
		if r.InheritedFrom.Valid && r.FromName.Valid {
			n.InheritedFrom, n.InheritedFromName, n.InheritedFromType = r.InheritedFrom.Int64, r.FromName.String, domain.ObjectType(r.FromType.String)
		}
		objs[index[r.ObjectID]].Needs[i] = n
	}
	return nil
}

// objectIndex returns the IDs of the objects, for a query of them all,
// and the place of each in objs by ID, to put what it finds in place.
func objectIndex(objs []domain.Object) ([]int64, map[int64]int) {
	ids := make([]int64, len(objs))
	index := make(map[int64]int, len(objs))
	for i, o := range objs {
		ids[i], index[o.ID] = o.ID, i
	}
	return ids, index
}

// fillModuleCounts counts the assigned modules of the objects in one query.
func (db *DB) fillModuleCounts(ctx context.Context, objs []domain.Object) error {
	ids, index := objectIndex(objs)
	var counts []struct {
		ObjectID int64 `db:"object_id"`
		N        int   `db:"n"`
	}
	if err := db.x.SelectContext(ctx, &counts, `
		SELECT object_id, count(*) AS n FROM object_modules WHERE object_id = ANY ($1) GROUP BY object_id`, pq.Array(ids)); err != nil {
		return err
	}
	for _, c := range counts {
		objs[index[c.ObjectID]].Modules = c.N
	}
	return nil
}

// objectSorts lists the ORDER BY terms of each sort key; descending
// reverses every term, and objects without a department stay last.
var objectSorts = map[string][]string{
	"name":       {"lower(o.name)"},
	"short_id":   {"o.short_id"},
	"type":       {"o.type", "lower(o.name)"},
	"department": {"lower(d.name)", "lower(o.name)"},
	"updated":    {"o.updated_at"},
	"need":       {"nm.top", "lower(o.name)"}, // nm: joined when sorting by need
}

func orderBy(sort string, desc bool) string {
	terms, ok := objectSorts[sort]
	if !ok {
		terms = objectSorts["name"]
	}
	dir := " ASC NULLS LAST"
	if desc {
		dir = " DESC NULLS LAST"
	}
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = t + dir
	}
	return strings.Join(out, ", ")
}

// ListObjects returns a page of a scope's visible objects (not the scope
// object itself) with their needs, and the number of all that match.
func (db *DB) ListObjects(ctx context.Context, scopeID int64, f domain.ObjectFilter, vis Visibility) ([]domain.Object, int, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	where := `o.scope_id = $1 AND o.type <> 'scope' AND ` + visibleObject(2) + `
		  AND ($3 = '' OR o.name ILIKE $3 OR o.short_id ILIKE $3 OR o.external_id ILIKE $3)
		  AND ($4 = '' OR o.type = $4)
		  AND ($5 = 0 OR o.department_id IN (SELECT id FROM department_subtree(ARRAY[$5]::bigint[])))
		  AND ($6 = '' OR $6 = ANY (o.tags))
		  AND (NOT $7 OR (NOT o.no_suitable_module AND NOT EXISTS (SELECT 1 FROM object_modules m WHERE m.object_id = o.id)))
		  AND ($8 = 0 OR EXISTS (SELECT 1 FROM object_needs n WHERE n.object_id = o.id AND n.effective >= $8))
		  AND (NOT $9 OR o.no_suitable_module)
		  AND (NOT $10 OR EXISTS (SELECT 1 FROM object_needs n WHERE n.object_id = o.id AND n.cycle > 0))
		  AND (NOT $11 OR EXISTS (SELECT 1 FROM object_needs n WHERE n.object_id = o.id AND n.effective = 0))`
	args := []any{scopeID, vis.arg(), likePattern(f.Text), string(f.Type), f.DepartmentID, f.Tag, f.GapsOnly, int(f.NeedAtLeast),
		f.NoModuleOnly, f.OnCycle, f.Undetermined}
	// The page is cut first; its modules and needs are then read for its
	// rows only, and the total is counted on its own.
	needJoin := ""
	if f.Sort == "need" {
		needJoin = ` LEFT JOIN (SELECT n.object_id, max(n.effective) AS top FROM object_needs n
			JOIN objects x ON x.id = n.object_id WHERE x.scope_id = $1 GROUP BY n.object_id) nm ON nm.object_id = o.id`
	}
	order := orderBy(f.Sort, f.Desc) + ", o.id"
	var rows []objectRow
	err := db.x.SelectContext(ctx, &rows, `SELECT `+objectColumns+`
		FROM objects o LEFT JOIN departments d ON d.id = o.department_id`+needJoin+`
		WHERE `+where+` ORDER BY `+order+` LIMIT $12 OFFSET $13`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list objects: %w", err)
	}
	var total int
	if err := db.x.GetContext(ctx, &total, `SELECT count(*) FROM objects o WHERE `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("count objects: %w", err)
	}
	objs := asDomainAll(rows)
	if err := db.fillModuleCounts(ctx, objs); err != nil {
		return nil, 0, err
	}
	return objs, total, db.fillNeeds(ctx, objs, vis)
}

// likePattern turns search text into an ILIKE pattern matching it
// anywhere, with the pattern characters in it taken literally.
func likePattern(text string) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return ""
	}
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(text) + "%"
}

// checkPlacement refuses to put an object where the writer may not: a
// writer limited to departments must place it inside them.
func (tx *Tx) checkPlacement(ctx context.Context, departmentID *int64, vis Visibility, what string) error {
	if vis.All {
		return nil
	}
	ok := false
	if departmentID != nil {
		if err := tx.x.GetContext(ctx, &ok, `SELECT $1 IN (SELECT id FROM department_subtree($2))`, *departmentID, vis.arg()); err != nil {
			return err
		}
	}
	if !ok {
		return domain.Invalid(domain.Violation{Pointer: "/department_id", Detail: "you may place records only in your own departments",
			German: "Sie können " + what + " nur Ihren eigenen Organisationseinheiten zuordnen."})
	}
	return nil
}

// checkGroup refuses a membership in anything but a group of the scope
// that the writer may see (a group out of sight is not found, like a
// missing one), and groups of groups. current is the group the object is
// a member of already: keeping it names nothing new.
func (tx *Tx) checkGroup(ctx context.Context, scopeID, self int64, current *int64, in domain.ObjectInput, vis Visibility) error {
	if in.GroupID == nil {
		return nil
	}
	if !sameID(current, in.GroupID) {
		if err := tx.resolve(ctx, scopeID, vis, Ref{Kind: RefGroup, ID: *in.GroupID, Pointer: "/group_id"}); err != nil {
			return err
		}
	}
	var g struct {
		Group  bool   `db:"is_group"`
		Member *int64 `db:"group_id"`
	}
	if err := tx.x.GetContext(ctx, &g, `SELECT is_group, group_id FROM objects WHERE id = $1`, *in.GroupID); err != nil {
		return mapError(err)
	}
	bad := func(detail, german string) error {
		return domain.Invalid(domain.Violation{Pointer: "/group_id", Detail: detail, German: german})
	}
	switch {
	case !g.Group || g.Member != nil:
		return bad("the object named as group is not a group", "Das gewählte Zielobjekt ist keine Gruppe.")
	case in.Group || *in.GroupID == self:
		return bad("a group cannot be a member of a group", "Eine Gruppe kann nicht Mitglied einer Gruppe sein.")
	}
	return nil
}

// CreateObject adds a target object with empty protection needs.
func (tx *Tx) CreateObject(ctx context.Context, scopeID int64, in domain.ObjectInput, vis Visibility) (domain.Object, error) {
	if vs := in.Validate(); len(vs) > 0 {
		return domain.Object{}, domain.Invalid(vs...)
	}
	return tx.createObject(ctx, scopeID, in, vis)
}

// createObject adds a valid object; the scope's own object, of type
// scope, comes here directly.
func (tx *Tx) createObject(ctx context.Context, scopeID int64, in domain.ObjectInput, vis Visibility) (domain.Object, error) {
	if err := tx.checkPlacement(ctx, in.DepartmentID, vis, "Zielobjekte"); err != nil {
		return domain.Object{}, err
	}
	if err := tx.checkGroup(ctx, scopeID, 0, nil, in, vis); err != nil {
		return domain.Object{}, err
	}
	if in.ShortID == "" {
		prefix := in.Type.ShortIDPrefix()
		var next int
		err := tx.x.GetContext(ctx, &next, `
			SELECT coalesce(max(substring(short_id FROM '-([0-9]+)$')::int), 0) + 1 FROM objects
			WHERE scope_id = $1 AND short_id ~ ('^' || $2 || '-[0-9]+$')`, scopeID, prefix)
		if err != nil {
			return domain.Object{}, err
		}
		in.ShortID = fmt.Sprintf("%s-%03d", prefix, next)
	}
	fields, err := json.Marshal(fieldRecord(in.ObjectFields))
	if err != nil {
		return domain.Object{}, err
	}
	var id int64
	err = tx.x.GetContext(ctx, &id, `
		INSERT INTO objects (scope_id, type, short_id, department_id, is_group, members, group_id, `+fieldNames+`)
		SELECT $1, $2, $3, $4, $5, $6, $7, `+fieldWrites+` FROM jsonb_to_record($8) AS x(`+fieldTypes+`)
		RETURNING id`,
		scopeID, in.Type, in.ShortID, in.DepartmentID, in.Group, in.Members, in.GroupID, fields)
	if err != nil {
		return domain.Object{}, objectError(err, in)
	}
	if _, err := tx.x.ExecContext(ctx, `INSERT INTO object_needs (object_id, objective) SELECT $1, unnest(ARRAY['c', 'i', 'a'])`, id); err != nil {
		return domain.Object{}, err
	}
	o, err := tx.object(ctx, id)
	if err != nil {
		return o, err
	}
	if err := tx.Record("object.create", "object", id, nil, o); err != nil {
		return o, err
	}
	if in.GroupID != nil {
		_, err = tx.DeriveChecks(ctx, scopeID, []int64{id}) // a member takes its group's modules
	}
	return o, err
}

// object reads an object inside the transaction (without needs).
func (tx *Tx) object(ctx context.Context, id int64) (domain.Object, error) {
	return getDomain[objectRow](ctx, tx.x, errObjectNotFound(id), objectSelect+` FROM objects o LEFT JOIN departments d ON d.id = o.department_id WHERE o.id = $1`, id)
}

// lockObject reads an object for change if the writer may see it and it
// is still at version (anyVersion: whatever version it is at).
func (tx *Tx) lockObject(ctx context.Context, id int64, version int, vis Visibility) (domain.Object, error) {
	return lockVersion(recordName{fmt.Sprintf("object %d", id), "Das Zielobjekt"}, version, func() (domain.Object, int, error) {
		var found bool
		err := tx.x.GetContext(ctx, &found, `SELECT true FROM objects o WHERE o.id = $1 AND `+visibleObject(2)+` FOR UPDATE`, id, vis.arg())
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Object{}, 0, errObjectNotFound(id)
		}
		if err != nil {
			return domain.Object{}, 0, err
		}
		o, err := tx.object(ctx, id)
		return o, o.Version, err
	})
}

// UpdateObject changes an object if it is still at version.
func (tx *Tx) UpdateObject(ctx context.Context, id int64, version int, ch domain.ObjectChange, vis Visibility) (domain.Object, error) {
	before, err := tx.lockObject(ctx, id, version, vis)
	if err != nil {
		return before, err
	}
	if before.Type == domain.ObjectScope {
		return before, domain.Errorf(domain.ErrConflict, "the scope's own object changes with the scope").De("Dieses Zielobjekt ist der Informationsverbund selbst; ändern Sie den Informationsverbund.")
	}
	in := ch.Apply(before)
	if vs := in.Validate(); len(vs) > 0 {
		return before, domain.Invalid(vs...)
	}
	if err := tx.checkPlacement(ctx, in.DepartmentID, vis, "Zielobjekte"); err != nil {
		return before, err
	}
	if err := tx.checkGroup(ctx, before.ScopeID, id, before.GroupID, in, vis); err != nil {
		return before, err
	}
	if in.ShortID == "" {
		in.ShortID = before.ShortID
	}
	fields, err := json.Marshal(fieldRecord(in.ObjectFields))
	if err != nil {
		return before, err
	}
	_, err = tx.x.ExecContext(ctx, `
		UPDATE objects o SET type = $2, short_id = $3, department_id = $4, is_group = $5, members = $6, group_id = $7, `+fieldSets+`,
		       updated_at = now(), version = o.version + 1
		FROM jsonb_to_record($8) AS x(`+fieldTypes+`)
		WHERE o.id = $1`,
		id, in.Type, in.ShortID, in.DepartmentID, in.Group, in.Members, in.GroupID, fields)
	if err != nil {
		return before, objectError(err, in)
	}
	o, err := tx.object(ctx, id)
	if err != nil {
		return o, err
	}
	if err := tx.Record("object.update", "object", id, before, o); err != nil {
		return o, err
	}
	if !sameID(before.GroupID, o.GroupID) || before.Group != o.Group {
		_, err = tx.DeriveChecks(ctx, o.ScopeID, []int64{id})
	}
	return o, err
}

func sameID(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// DeleteObject removes an object on which nothing depends, with its
// protection needs, its own dependencies and its modelling.
func (tx *Tx) DeleteObject(ctx context.Context, id int64, vis Visibility) error {
	before, err := tx.lockObject(ctx, id, anyVersion, vis)
	if err != nil {
		return err
	}
	if before.Type == domain.ObjectScope {
		return domain.Errorf(domain.ErrConflict, "the scope's own object cannot be deleted").De("Der Informationsverbund selbst kann nicht gelöscht werden.")
	}
	// The refusal names only dependents the writer may see.
	var dependents []struct {
		Name    string `db:"name"`
		Visible bool   `db:"visible"`
	}
	if err := tx.x.SelectContext(ctx, &dependents, `
		SELECT o.short_id || ' ' || o.name AS name, (`+visibleObject(2)+`) IS TRUE AS visible
		FROM object_dependencies e JOIN objects o ON o.id = e.from_id
		WHERE e.to_id = $1 ORDER BY o.short_id`, id, vis.arg()); err != nil {
		return err
	}
	if len(dependents) > 0 {
		var names []string
		for _, d := range dependents {
			if d.Visible {
				names = append(names, d.Name)
			}
		}
		if hidden := len(dependents) - len(names); hidden > 0 {
			names = append(names, fmt.Sprintf("%d außerhalb Ihrer Organisationseinheiten", hidden))
		}
		list := strings.Join(names, ", ")
		return domain.Errorf(domain.ErrConflict, "%d objects depend on this one: %s", len(dependents), list).
			De(fmt.Sprintf("Das Zielobjekt kann nicht gelöscht werden: %d andere hängen davon ab (%s).", len(dependents), list))
	}
	if _, err := tx.x.ExecContext(ctx, `UPDATE object_needs SET inherited_from = NULL WHERE inherited_from = $1`, id); err != nil {
		return err
	}
	if _, err := tx.x.ExecContext(ctx, `DELETE FROM objects WHERE id = $1`, id); err != nil {
		return mapError(err)
	}
	if err := tx.Record("object.delete", "object", id, before, nil); err != nil {
		return err
	}
	return tx.RecomputeNeeds(ctx, before.ScopeID)
}

func objectError(err error, in domain.ObjectInput) error {
	if isUniqueViolation(err) {
		return domain.Errorf(domain.ErrConflict, "the short ID %q or the external ID %q is taken in this scope", in.ShortID, in.ExternalID).
			De("Kürzel oder externe ID ist in diesem Informationsverbund schon vergeben.")
	}
	switch foreignKey(err) {
	case "objects_department_id_fkey":
		return domain.Invalid(domain.Violation{Pointer: "/department_id", Detail: "no such department", German: "Diese Organisationseinheit gibt es nicht."})
	case "objects_scope_id_fkey":
		return domain.Errorf(domain.ErrNotFound, "no such scope").De("Diesen Informationsverbund gibt es nicht.")
	}
	return mapError(err)
}
