package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// needsLockKey serialises recomputations per scope, so that two changes
// at once cannot store results computed from different snapshots.
const needsLockKey = 7_236_010

// Related is an object at the other end of a dependency.
type Related struct {
	ID      int64             `db:"id"`
	ShortID string            `db:"short_id"`
	Name    string            `db:"name"`
	Type    domain.ObjectType `db:"type"`
	C       int8              `db:"c"` // effective needs

	I int8 `db:"i"`
	A int8 `db:"a"`
}

const relatedSelect = `
	SELECT o.id, o.short_id, o.name, o.type,
	       (SELECT effective FROM object_needs n WHERE n.object_id = o.id AND n.objective = 'c') AS c,
	       (SELECT effective FROM object_needs n WHERE n.object_id = o.id AND n.objective = 'i') AS i,
	       (SELECT effective FROM object_needs n WHERE n.object_id = o.id AND n.objective = 'a') AS a
	FROM object_dependencies e`

// Dependencies lists the visible objects the object depends on.
func (db *DB) Dependencies(ctx context.Context, id int64, vis Visibility) ([]Related, error) {
	var rs []Related
	err := db.x.SelectContext(ctx, &rs, relatedSelect+` JOIN objects o ON o.id = e.to_id
		WHERE e.from_id = $1 AND `+visibleObject(2)+` ORDER BY o.type, lower(o.name)`, id, vis.arg())
	return rs, err
}

// Dependents lists the visible objects that depend on the object.
func (db *DB) Dependents(ctx context.Context, id int64, vis Visibility) ([]Related, error) {
	var rs []Related
	err := db.x.SelectContext(ctx, &rs, relatedSelect+` JOIN objects o ON o.id = e.from_id
		WHERE e.to_id = $1 AND `+visibleObject(2)+` ORDER BY o.type, lower(o.name)`, id, vis.arg())
	return rs, err
}

// AddDependency records that from depends on to (both visible to the
// writer, in one scope) and recomputes the scope's protection needs.
func (tx *Tx) AddDependency(ctx context.Context, from, to int64, vis Visibility) error {
	if vs := (domain.DependencyInput{From: from, To: to}).Validate(); len(vs) > 0 {
		return domain.Invalid(vs...)
	}
	a, err := tx.lockObject(ctx, from, anyVersion, vis)
	if err != nil {
		return err
	}
	if err := tx.resolve(ctx, a.ScopeID, vis, Ref{Kind: RefObject, ID: to, Pointer: "/depends_on"}); err != nil {
		return err
	}
	b, err := tx.lockObject(ctx, to, anyVersion, vis)
	if err != nil {
		return err
	}
	res, err := tx.x.ExecContext(ctx, `INSERT INTO object_dependencies (from_id, to_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, from, to)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // already there: nothing changed
	}
	if err := tx.Record("dependency.create", "object", from, nil, map[string]any{"depends_on": to, "depends_on_short_id": b.ShortID}); err != nil {
		return err
	}
	return tx.RecomputeNeeds(ctx, a.ScopeID)
}

// RemoveDependency removes "from depends on to" and recomputes.
func (tx *Tx) RemoveDependency(ctx context.Context, from, to int64, vis Visibility) error {
	a, err := tx.lockObject(ctx, from, anyVersion, vis)
	if err != nil {
		return err
	}
	if _, err := tx.lockObject(ctx, to, anyVersion, vis); err != nil {
		return err
	}
	res, err := tx.x.ExecContext(ctx, `DELETE FROM object_dependencies WHERE from_id = $1 AND to_id = $2`, from, to)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.Errorf(domain.ErrNotFound, "object %d does not depend on %d", from, to).De("Diese Abhängigkeit gibt es nicht.")
	}
	if err := tx.Record("dependency.delete", "object", from, map[string]any{"depends_on": to}, nil); err != nil {
		return err
	}
	return tx.RecomputeNeeds(ctx, a.ScopeID)
}

// SetNeeds stores an object's own assessment and overrides for C, I and
// A if the object is still at version, and recomputes the scope.
func (tx *Tx) SetNeeds(ctx context.Context, id int64, version int, in [3]domain.NeedInput, vis Visibility) (domain.Object, error) {
	var vs []domain.Violation
	for _, o := range domain.Objectives {
		vs = append(vs, in[o].Validate("/"+o.Code())...)
	}
	if len(vs) > 0 {
		return domain.Object{}, domain.Invalid(vs...)
	}
	before, err := tx.lockObject(ctx, id, version, vis)
	if err != nil {
		return before, err
	}
	if err := tx.checkOverrideDirections(ctx, before.ScopeID, id, in); err != nil {
		return before, err
	}
	objectives, own, ownReason, kind, override, overrideReason := []string{}, []int64{}, []string{}, []string{}, []int64{}, []string{}
	for _, o := range domain.Objectives {
		n := in[o]
		objectives = append(objectives, o.Code())
		own, ownReason = append(own, int64(n.Own)), append(ownReason, n.OwnReason)
		kind, override, overrideReason = append(kind, string(n.OverrideKind)), append(override, int64(n.Override)), append(overrideReason, n.OverrideReason)
	}
	if _, err := tx.x.ExecContext(ctx, `
		UPDATE object_needs n SET own = u.own, own_reason = u.own_reason, override_kind = u.kind, override = u.override,
		       override_reason = u.override_reason
		FROM unnest($2::text[], $3::smallint[], $4::text[], $5::text[], $6::smallint[], $7::text[])
		     AS u(objective, own, own_reason, kind, override, override_reason)
		WHERE n.object_id = $1 AND n.objective = u.objective`,
		id, pq.Array(objectives), pq.Array(own), pq.Array(ownReason), pq.Array(kind), pq.Array(override), pq.Array(overrideReason)); err != nil {
		return before, mapError(err)
	}
	if _, err := tx.x.ExecContext(ctx, `UPDATE objects SET updated_at = now(), version = version + 1 WHERE id = $1`, id); err != nil {
		return before, err
	}
	if err := tx.Record("object.needs", "object", id, needsAudit(before), in); err != nil {
		return before, err
	}
	if err := tx.RecomputeNeeds(ctx, before.ScopeID); err != nil {
		return before, err
	}
	return tx.object(ctx, id)
}

// needsAudit is what the audit record keeps of the needs before a change.
func needsAudit(o domain.Object) any { return o.Needs }

// RecomputeNeeds applies the maximum principle to a whole scope in one
// pass: two queries read every need and edge, the computation runs in
// memory, and one statement writes back the rows whose result changed.
func (tx *Tx) RecomputeNeeds(ctx context.Context, scopeID int64) error {
	if _, err := tx.x.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2::int)`, needsLockKey, scopeID); err != nil {
		return err
	}
	var rows []struct {
		ObjectID      int64  `db:"object_id"`
		Objective     string `db:"objective"`
		Own           int8   `db:"own"`
		Override      int8   `db:"override"`
		Inherited     int8   `db:"inherited"`
		InheritedFrom *int64 `db:"inherited_from"`
		Effective     int8   `db:"effective"`
		Source        string `db:"source"`
		Cycle         int    `db:"cycle"`
	}
	if err := tx.x.SelectContext(ctx, &rows, `
		SELECT n.object_id, n.objective, n.own, n.override, n.inherited, n.inherited_from, n.effective, n.source, n.cycle
		FROM object_needs n JOIN objects o ON o.id = n.object_id WHERE o.scope_id = $1 ORDER BY n.object_id`, scopeID); err != nil {
		return fmt.Errorf("read needs: %w", err)
	}
	var edges []domain.NeedEdge
	if err := tx.x.SelectContext(ctx, &edges, `
		SELECT e.from_id AS "from", e.to_id AS "to" FROM object_dependencies e JOIN objects o ON o.id = e.from_id
		WHERE o.scope_id = $1`, scopeID); err != nil {
		return fmt.Errorf("read dependencies: %w", err)
	}
	type stored struct {
		inherited, effective int8
		from                 int64
		source               string
		cycle                int
	}
	var nodes []domain.NeedNode
	old := map[[2]int64]stored{}
	for _, r := range rows {
		if len(nodes) == 0 || nodes[len(nodes)-1].ID != r.ObjectID {
			nodes = append(nodes, domain.NeedNode{ID: r.ObjectID})
		}
		i := strings.Index("cia", r.Objective)
		nodes[len(nodes)-1].Own[i], nodes[len(nodes)-1].Override[i] = domain.Need(r.Own), domain.Need(r.Override)
		s := stored{inherited: r.Inherited, effective: r.Effective, source: r.Source, cycle: r.Cycle}
		if r.InheritedFrom != nil {
			s.from = *r.InheritedFrom
		}
		old[[2]int64{r.ObjectID, int64(i)}] = s
	}
	results, _ := domain.ComputeNeeds(nodes, edges)
	var ids, inherited, from, effective, cycles []int64
	var objectives, sources []string
	for _, r := range results {
		for _, o := range domain.Objectives {
			now := stored{inherited: int8(r.Inherited[o]), effective: int8(r.Effective[o]), from: r.InheritedFrom[o],
				source: string(r.Source[o]), cycle: r.Cycle}
			if old[[2]int64{r.ID, int64(o)}] == now {
				continue
			}
			ids, objectives = append(ids, r.ID), append(objectives, o.Code())
			inherited, from, effective = append(inherited, int64(now.inherited)), append(from, now.from), append(effective, int64(now.effective))
			sources, cycles = append(sources, now.source), append(cycles, int64(now.cycle))
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.x.ExecContext(ctx, `
		UPDATE object_needs n SET inherited = u.inherited, inherited_from = nullif(u.from_id, 0), effective = u.effective,
		       source = u.source, cycle = u.cycle
		FROM unnest($1::bigint[], $2::text[], $3::smallint[], $4::bigint[], $5::smallint[], $6::text[], $7::int[])
		     AS u(object_id, objective, inherited, from_id, effective, source, cycle)
		WHERE n.object_id = u.object_id AND n.objective = u.objective`,
		pq.Array(ids), pq.Array(objectives), pq.Array(inherited), pq.Array(from), pq.Array(effective), pq.Array(sources), pq.Array(cycles))
	if err != nil {
		return fmt.Errorf("store needs: %w", err)
	}
	// A changed need can bring chosen H requirements in or out of scope.
	_, err = tx.DeriveChecks(ctx, scopeID, uniqueIDs(ids))
	return err
}
