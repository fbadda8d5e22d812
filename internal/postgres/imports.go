package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// StoredObject is an object as import and export see it: its fields, its
// department's code, its own needs and what it depends on.
type StoredObject struct {
	ID             int64
	Visible        bool               // within the reader's or writer's departments
	Input          domain.ObjectInput // without GroupID, which a file cannot change
	DepartmentCode string
	Needs          [3]domain.NeedInput
	DependsOn      []int64 // ids of the objects it depends on
}

// ScopeObjects loads every object of a scope (but the scope object) for
// an import plan or an export, in three queries.
func (db *DB) ScopeObjects(ctx context.Context, scopeID int64, vis Visibility) ([]StoredObject, error) {
	return loadScopeObjects(ctx, db.x, scopeID, vis)
}

// ScopeObjects is ScopeObjects inside the transaction that will apply the
// import, so the plan and the change see the same state.
func (tx *Tx) ScopeObjects(ctx context.Context, scopeID int64, vis Visibility) ([]StoredObject, error) {
	if _, err := tx.x.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2::int)`, needsLockKey, scopeID); err != nil {
		return nil, err
	}
	return loadScopeObjects(ctx, tx.x, scopeID, vis)
}

func loadScopeObjects(ctx context.Context, q sqlx.QueryerContext, scopeID int64, vis Visibility) ([]StoredObject, error) {
	var rows []struct {
		objectRow
		Code    string `db:"code"`
		Visible bool   `db:"visible"`
	}
	// IS TRUE: for an object without a department the condition is NULL,
	// which is "not visible" too.
	err := sqlx.SelectContext(ctx, q, &rows, objectSelect+`, coalesce(d.code, '') AS code, (`+visibleObject(2)+`) IS TRUE AS visible
		FROM objects o LEFT JOIN departments d ON d.id = o.department_id
		WHERE o.scope_id = $1 AND o.type <> 'scope' ORDER BY o.short_id, o.id`, scopeID, vis.arg())
	if err != nil {
		return nil, fmt.Errorf("load objects: %w", err)
	}
	out := make([]StoredObject, len(rows))
	index := map[int64]int{}
	for i, r := range rows {
		o := r.asDomain()
		in := o.Input()
		in.GroupID = nil
		out[i] = StoredObject{ID: o.ID, Visible: r.Visible, DepartmentCode: r.Code, Input: in}
		index[o.ID] = i
	}
	var needs []struct {
		ObjectID       int64  `db:"object_id"`
		Objective      string `db:"objective"`
		Own            int8   `db:"own"`
		OwnReason      string `db:"own_reason"`
		OverrideKind   string `db:"override_kind"`
		Override       int8   `db:"override"`
		OverrideReason string `db:"override_reason"`
	}
	if err := sqlx.SelectContext(ctx, q, &needs, `
		SELECT n.object_id, n.objective, n.own, n.own_reason, n.override_kind, n.override, n.override_reason
		FROM object_needs n JOIN objects o ON o.id = n.object_id WHERE o.scope_id = $1 AND o.type <> 'scope'`, scopeID); err != nil {
		return nil, fmt.Errorf("load needs: %w", err)
	}
	for _, n := range needs {
		i, ok := index[n.ObjectID]
		if !ok {
			continue
		}
		out[i].Needs[objectiveIndex(n.Objective)] = domain.NeedInput{Own: domain.Need(n.Own), OwnReason: n.OwnReason,
			OverrideKind: domain.OverrideKind(n.OverrideKind), Override: domain.Need(n.Override), OverrideReason: n.OverrideReason}
	}
	var edges []struct {
		From int64 `db:"from_id"`
		To   int64 `db:"to_id"`
	}
	if err := sqlx.SelectContext(ctx, q, &edges, `
		SELECT e.from_id, e.to_id FROM object_dependencies e JOIN objects o ON o.id = e.from_id
		WHERE o.scope_id = $1 ORDER BY e.from_id, e.to_id`, scopeID); err != nil {
		return nil, fmt.Errorf("load dependencies: %w", err)
	}
	for _, e := range edges {
		if i, ok := index[e.From]; ok {
			out[i].DependsOn = append(out[i].DependsOn, e.To)
		}
	}
	return out, nil
}

func objectiveIndex(code string) int {
	switch code {
	case "i":
		return 1
	case "a":
		return 2
	}
	return 0
}

// ImportChange is one object an import creates (ID 0) or changes.
type ImportChange struct {
	ID        int64
	Input     domain.ObjectInput // complete: the stored values with the file's applied
	Needs     [3]domain.NeedInput
	SetNeeds  bool
	DependsOn []string // external IDs, when SetDeps
	SetDeps   bool
}

// An import is written in batches: ImportObjects for the objects of every
// batch, then ImportDependencies for their dependencies (once every object
// exists), then RecomputeNeeds once for the scope.

// ImportObjects writes a batch of an import plan with one statement per
// kind of change and records every changed object in the audit trail.
// Short IDs of new objects must be set; their IDs are set in changes.
func (tx *Tx) ImportObjects(ctx context.Context, scopeID int64, changes []ImportChange) error {
	// Each record holds the plain fields (fieldRecord) and these columns.
	var creates, updates []map[string]any
	for _, ch := range changes {
		in := ch.Input
		if vs := in.Validate(); len(vs) > 0 {
			return fmt.Errorf("object %s: %w", in.ExternalID, domain.Invalid(vs...))
		}
		rec := fieldRecord(in.ObjectFields)
		rec["id"], rec["type"], rec["short_id"], rec["department_id"], rec["is_group"], rec["members"] =
			ch.ID, string(in.Type), in.ShortID, in.DepartmentID, in.Group, in.Members
		if ch.ID == 0 {
			creates = append(creates, rec)
		} else {
			updates = append(updates, rec)
		}
	}
	const columns = `type text, short_id text, department_id bigint, is_group boolean, members int`
	if len(creates) > 0 {
		b, err := json.Marshal(creates)
		if err != nil {
			return err
		}
		var created []struct {
			ID         int64  `db:"id"`
			ExternalID string `db:"external_id"`
		}
		err = tx.x.SelectContext(ctx, &created, `
			INSERT INTO objects (scope_id, type, short_id, department_id, is_group, members, `+fieldNames+`)
			SELECT $1, x.type, x.short_id, x.department_id, x.is_group, x.members, `+fieldWrites+`
			FROM jsonb_to_recordset($2) AS x(`+columns+`, `+fieldTypes+`)
			RETURNING id, external_id`, scopeID, b)
		if err != nil {
			return fmt.Errorf("create objects: %w", mapError(err))
		}
		newIDs := make([]int64, len(created))
		for i, c := range created {
			newIDs[i] = c.ID
		}
		if _, err := tx.x.ExecContext(ctx, `
			INSERT INTO object_needs (object_id, objective) SELECT id, obj FROM unnest($1::bigint[]) AS id, unnest(ARRAY['c', 'i', 'a']) AS obj`,
			pq.Array(newIDs)); err != nil {
			return err
		}
		for i := range changes {
			if changes[i].ID == 0 {
				for _, c := range created {
					if c.ExternalID == changes[i].Input.ExternalID {
						changes[i].ID = c.ID
					}
				}
			}
		}
		for _, c := range created {
			if err := tx.Record("object.import", "object", c.ID, nil, map[string]string{"external_id": c.ExternalID}); err != nil {
				return err
			}
		}
	}
	if len(updates) > 0 {
		b, err := json.Marshal(updates)
		if err != nil {
			return err
		}
		if _, err := tx.x.ExecContext(ctx, `
			UPDATE objects o SET type = x.type, short_id = x.short_id, department_id = x.department_id, is_group = x.is_group,
			       members = x.members, `+fieldSets+`, updated_at = now(), version = o.version + 1
			FROM jsonb_to_recordset($2) AS x(id bigint, `+columns+`, `+fieldTypes+`)
			WHERE o.id = x.id AND o.scope_id = $1`, scopeID, b); err != nil {
			return fmt.Errorf("update objects: %w", mapError(err))
		}
		for _, u := range updates {
			if err := tx.Record("object.import", "object", u["id"], nil, u); err != nil {
				return err
			}
		}
	}
	return tx.applyImportNeeds(ctx, changes)
}

func (tx *Tx) applyImportNeeds(ctx context.Context, changes []ImportChange) error {
	var ids, own []int64
	var objectives, reasons []string
	for _, ch := range changes {
		if !ch.SetNeeds {
			continue
		}
		for _, o := range domain.Objectives {
			ids, objectives = append(ids, ch.ID), append(objectives, o.Code())
			own, reasons = append(own, int64(ch.Needs[o].Own)), append(reasons, ch.Needs[o].OwnReason)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.x.ExecContext(ctx, `
		UPDATE object_needs n SET own = u.own, own_reason = u.reason
		FROM unnest($1::bigint[], $2::text[], $3::smallint[], $4::text[]) AS u(object_id, objective, own, reason)
		WHERE n.object_id = u.object_id AND n.objective = u.objective`,
		pq.Array(ids), pq.Array(objectives), pq.Array(own), pq.Array(reasons))
	if err != nil {
		return fmt.Errorf("store needs: %w", mapError(err))
	}
	return nil
}

// ImportDependencies replaces the dependencies of a batch's objects whose
// row lists them, resolving both ends by external ID within the scope and
// the targets among the objects the writer may see.
func (tx *Tx) ImportDependencies(ctx context.Context, scopeID int64, changes []ImportChange, vis Visibility) error {
	var from, pairFrom, pairTo []string
	for _, ch := range changes {
		if !ch.SetDeps {
			continue
		}
		from = append(from, ch.Input.ExternalID)
		for _, t := range ch.DependsOn {
			pairFrom, pairTo = append(pairFrom, ch.Input.ExternalID), append(pairTo, t)
		}
	}
	if len(from) == 0 {
		return nil
	}
	// Dependencies on objects without an external ID, or out of the
	// writer's sight, cannot be named in a file, so they stay.
	if _, err := tx.x.ExecContext(ctx, `
		DELETE FROM object_dependencies WHERE from_id IN (SELECT id FROM objects WHERE scope_id = $1 AND external_id = ANY ($2))
		AND to_id IN (SELECT o.id FROM objects o WHERE o.external_id IS NOT NULL AND `+visibleObject(3)+`)`,
		scopeID, pq.Array(from), vis.arg()); err != nil {
		return err
	}
	res, err := tx.x.ExecContext(ctx, `
		INSERT INTO object_dependencies (from_id, to_id)
		SELECT f.id, o.id FROM unnest($2::text[], $3::text[]) AS u(from_ext, to_ext)
		JOIN objects f ON f.scope_id = $1 AND f.external_id = u.from_ext
		JOIN objects o ON o.scope_id = $1 AND o.external_id = u.to_ext AND `+visibleObject(4)+`
		ON CONFLICT DO NOTHING`, scopeID, pq.Array(pairFrom), pq.Array(pairTo), vis.arg())
	if err != nil {
		return fmt.Errorf("store dependencies: %w", mapError(err))
	}
	if n, _ := res.RowsAffected(); int(n) != len(dedupePairs(pairFrom, pairTo)) {
		return fmt.Errorf("store dependencies: %d of %d resolved", n, len(pairTo))
	}
	return nil
}

func dedupePairs(from, to []string) map[string]bool {
	seen := map[string]bool{}
	for i := range from {
		seen[fmt.Sprint(from[i], "\x00", to[i])] = true
	}
	return seen
}

// ImportFile is an uploaded file kept between its dry run and its apply.
type ImportFile struct {
	ID      int64  `db:"id"`
	ScopeID int64  `db:"scope_id"`
	UserID  int64  `db:"user_id"`
	Name    string `db:"name"`
	Format  string `db:"format"`
	SHA256  string `db:"sha256"`
}

// importChunk is the size of the chunks a kept file is stored in.
const importChunk = 1 << 20

// SaveImportFile keeps an uploaded file, read from content chunk by chunk,
// for a later apply by the same user.
func (db *DB) SaveImportFile(ctx context.Context, f ImportFile, content io.Reader) (int64, error) {
	x, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	defer x.Rollback()
	var id int64
	if err := x.GetContext(ctx, &id, `
		INSERT INTO import_files (scope_id, user_id, name, format, sha256) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		f.ScopeID, f.UserID, f.Name, f.Format, f.SHA256); err != nil {
		return 0, mapError(err)
	}
	buf := make([]byte, importChunk)
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(content, buf)
		if n > 0 {
			if _, err := x.ExecContext(ctx, `INSERT INTO import_file_chunks (file_id, seq, data) VALUES ($1, $2, $3)`, id, seq, buf[:n]); err != nil {
				return 0, mapError(err)
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	return id, mapError(x.Commit())
}

// LoadImportFile writes a kept file of the user for the scope to w, chunk
// by chunk, and returns what is known of it.
func (db *DB) LoadImportFile(ctx context.Context, id, scopeID, userID int64, w io.Writer) (ImportFile, error) {
	var f ImportFile
	err := db.x.GetContext(ctx, &f, `
		SELECT id, scope_id, user_id, name, format, sha256 FROM import_files
		WHERE id = $1 AND scope_id = $2 AND user_id = $3 AND created_at > now() - interval '1 day'`, id, scopeID, userID)
	if err != nil {
		return f, domain.Errorf(domain.ErrNotFound, "no uploaded file %d for this scope", id).
			De("Die hochgeladene Datei ist nicht mehr vorhanden. Bitte laden Sie sie erneut hoch.")
	}
	rows, err := db.x.QueryContext(ctx, `SELECT data FROM import_file_chunks WHERE file_id = $1 ORDER BY seq`, id)
	if err != nil {
		return f, err
	}
	defer rows.Close()
	var chunk []byte
	for rows.Next() {
		if err := rows.Scan(&chunk); err != nil {
			return f, err
		}
		if _, err := w.Write(chunk); err != nil {
			return f, err
		}
	}
	return f, rows.Err()
}

// DeleteImportFile removes a kept file once applied.
func (db *DB) DeleteImportFile(ctx context.Context, id int64) error {
	_, err := db.x.ExecContext(ctx, `DELETE FROM import_files WHERE id = $1`, id)
	return err
}
