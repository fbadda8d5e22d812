package postgres

import (
	"context"
	"fmt"
	"strings"

	"ismsd/internal/domain"
)

// checkOverrideDirections refuses a cumulation that does not raise, or a
// distribution that does not lower, the need the maximum principle gives
// the object with the new own assessment and without overrides. That need
// is computed over the whole scope, as a recomputation does, since on a
// dependency cycle it depends on the other members.
func (tx *Tx) checkOverrideDirections(ctx context.Context, scopeID, id int64, in [3]domain.NeedInput) error {
	directed := false
	var own [3]domain.Need
	for _, o := range domain.Objectives {
		own[o] = in[o].Own
		directed = directed || in[o].OverrideKind == domain.OverrideCumulation || in[o].OverrideKind == domain.OverrideDistribution
	}
	if !directed {
		return nil
	}
	principle, err := tx.principleNeeds(ctx, scopeID, id, own)
	if err != nil {
		return err
	}
	var vs []domain.Violation
	for _, o := range domain.Objectives {
		vs = append(vs, in[o].CheckDirection("/"+o.Code(), principle[o])...)
	}
	if len(vs) > 0 {
		return domain.Invalid(vs...)
	}
	return nil
}

// principleNeeds is what the maximum principle gives object id, per
// objective, when its own assessment is own and it has no override.
func (tx *Tx) principleNeeds(ctx context.Context, scopeID, id int64, own [3]domain.Need) ([3]domain.Need, error) {
	var principle [3]domain.Need
	// The same lock as RecomputeNeeds: the scope's needs do not change
	// under the computation.
	if _, err := tx.x.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2::int)`, needsLockKey, scopeID); err != nil {
		return principle, err
	}
	var rows []struct {
		ObjectID  int64  `db:"object_id"`
		Objective string `db:"objective"`
		Own       int8   `db:"own"`
		Override  int8   `db:"override"`
	}
	if err := tx.x.SelectContext(ctx, &rows, `
		SELECT n.object_id, n.objective, n.own, n.override
		FROM object_needs n JOIN objects o ON o.id = n.object_id WHERE o.scope_id = $1 ORDER BY n.object_id`, scopeID); err != nil {
		return principle, fmt.Errorf("read needs: %w", err)
	}
	var edges []domain.NeedEdge
	if err := tx.x.SelectContext(ctx, &edges, `
		SELECT e.from_id AS "from", e.to_id AS "to" FROM object_dependencies e JOIN objects o ON o.id = e.from_id
		WHERE o.scope_id = $1`, scopeID); err != nil {
		return principle, fmt.Errorf("read dependencies: %w", err)
	}
	var nodes []domain.NeedNode
	for _, r := range rows {
		if len(nodes) == 0 || nodes[len(nodes)-1].ID != r.ObjectID {
			nodes = append(nodes, domain.NeedNode{ID: r.ObjectID})
		}
		if r.ObjectID != id {
			i := strings.Index("cia", r.Objective)
			nodes[len(nodes)-1].Own[i], nodes[len(nodes)-1].Override[i] = domain.Need(r.Own), domain.Need(r.Override)
		}
	}
	for k := range nodes {
		if nodes[k].ID == id {
			nodes[k].Own = own
		}
	}
	results, _ := domain.ComputeNeeds(nodes, edges)
	for _, r := range results {
		if r.ID == id {
			return r.Effective, nil
		}
	}
	return principle, domain.Errorf(domain.ErrNotFound, "object %d is not in scope %d", id, scopeID)
}
