package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// RefKind is a kind of record that a write may name by its id: a link
// target, a group, a dependency, a sample item, an acceptance's entry …
type RefKind string

const (
	RefObject       RefKind = "object"
	RefGroup        RefKind = "group" // an object, named as the group of a member
	RefCheckEntry   RefKind = "check_entry"
	RefPlanItem     RefKind = "plan_item"
	RefRiskAnalysis RefKind = "risk_analysis"
	RefFinding      RefKind = "finding"
	RefSample       RefKind = "sample"
	RefEvidence     RefKind = "evidence"
)

// refKinds says, per kind, how to select the records that the reader may
// see, with the same conditions as the reads of that kind (visibleObject,
// visibleEvidence; findings belong to the whole scope like their audit),
// and how a record that does not resolve is named.
var refKinds = map[RefKind]struct {
	// visible selects id and scope_id of the visible records whose id
	// meets the condition %[1]s ("= ANY ($1)", "= l.target_id"); %[2]d is
	// the parameter number of the visibility. The condition must not use
	// the aliases of these queries (o, e, p, r, f, a, s, ev).
	visible string
	english string
	german  string
}{
	RefObject: {`SELECT o.id, o.scope_id FROM objects o WHERE o.id %[1]s AND ` + visibleObjectFmt,
		"object", "Dieses Zielobjekt gibt es in diesem Informationsverbund nicht."},
	RefGroup: {`SELECT o.id, o.scope_id FROM objects o WHERE o.id %[1]s AND ` + visibleObjectFmt,
		"group", "Diese Gruppe gibt es in diesem Informationsverbund nicht."},
	RefCheckEntry: {`SELECT e.id, e.scope_id FROM check_entries e JOIN objects o ON o.id = e.object_id WHERE e.id %[1]s AND ` + visibleObjectFmt,
		"check entry", "Diesen Eintrag des IT-Grundschutz-Checks gibt es in diesem Informationsverbund nicht."},
	RefPlanItem: {`SELECT p.id, e.scope_id FROM plan_items p JOIN check_entries e ON e.id = p.entry_id JOIN objects o ON o.id = e.object_id
		WHERE p.id %[1]s AND ` + visibleObjectFmt,
		"measure", "Diese Maßnahme des Realisierungsplans gibt es in diesem Informationsverbund nicht."},
	RefRiskAnalysis: {`SELECT r.id, r.scope_id FROM risk_analyses r JOIN objects o ON o.id = r.object_id WHERE r.id %[1]s AND ` + visibleObjectFmt,
		"risk analysis", "Diese Risikoanalyse gibt es in diesem Informationsverbund nicht."},
	RefFinding: {`SELECT f.id, a.scope_id FROM findings f JOIN audits a ON a.id = f.audit_id WHERE f.id %[1]s`,
		"finding", "Diese Feststellung gibt es in diesem Informationsverbund nicht."},
	RefSample: {`SELECT s.id, a.scope_id FROM audit_samples s JOIN audits a ON a.id = s.audit_id
		LEFT JOIN check_entries e ON e.id = s.entry_id LEFT JOIN objects o ON o.id = coalesce(s.object_id, e.object_id)
		WHERE s.id %[1]s AND (o.id IS NULL OR ` + visibleObjectFmt + `)`,
		"sample item", "Dieses Element der Stichprobe gibt es in diesem Informationsverbund nicht."},
	RefEvidence: {`SELECT ev.id, ev.scope_id FROM evidence ev WHERE ev.id %[1]s AND ` + visibleEvidenceFmt,
		"evidence", "Diesen Nachweis gibt es in diesem Informationsverbund nicht."},
}

// refScope is an SQL expression for the scope of the record of the kind
// named by kindExpr (one of kinds) with the id idExpr, or NULL when it is
// missing or the reader (visibility at parameter param) may not see it.
func refScope(kinds []RefKind, kindExpr, idExpr string, param int) string {
	var b strings.Builder
	b.WriteString("CASE " + kindExpr)
	for _, k := range kinds {
		fmt.Fprintf(&b, " WHEN '%s' THEN (SELECT x.scope_id FROM (%s) x)", k, fmt.Sprintf(refKinds[k].visible, "= "+idExpr, param))
	}
	b.WriteString(" END")
	return b.String()
}

// Ref is a record that a write names by its id, with where the request
// named it (a JSON pointer).
type Ref struct {
	Kind    RefKind
	ID      int64
	Pointer string
}

// resolve is the one way a write accepts a record it names by id: every
// ref must be a record of the scope that the writer may read (vis).
// Otherwise the answer is ErrNotFound, the same for a record that does not
// exist, one outside the writer's departments and one of another scope,
// so that a write cannot tell them apart; each unresolved ref is listed
// at its pointer, in the order given.
func (tx *Tx) resolve(ctx context.Context, scopeID int64, vis Visibility, refs ...Ref) error {
	ids := map[RefKind][]int64{}
	var kinds []RefKind
	for _, r := range refs {
		if _, ok := refKinds[r.Kind]; !ok {
			return fmt.Errorf("resolve: unknown kind of record %q", r.Kind)
		}
		if !slices.Contains(kinds, r.Kind) {
			kinds = append(kinds, r.Kind)
		}
		ids[r.Kind] = append(ids[r.Kind], r.ID)
	}
	// One query per kind, over all its ids at once: the visibility's
	// subtree is computed once, not per id.
	found := map[RefKind]map[int64]bool{}
	for _, k := range kinds {
		var visible []int64
		err := tx.x.SelectContext(ctx, &visible, `
			SELECT x.id FROM (`+fmt.Sprintf(refKinds[k].visible, "= ANY ($1)", 3)+`) x
			CROSS JOIN (SELECT $3::bigint[]) AS vis(roots) -- gives $3 its type where the kind needs none (findings)
			WHERE x.scope_id = $2`, pq.Array(ids[k]), scopeID, vis.arg())
		if err != nil {
			return fmt.Errorf("resolve %s: %w", k, err)
		}
		found[k] = map[int64]bool{}
		for _, id := range visible {
			found[k][id] = true
		}
	}
	var vs []domain.Violation
	for _, r := range refs {
		if !found[r.Kind][r.ID] {
			vs = append(vs, domain.Violation{Pointer: r.Pointer, Detail: fmt.Sprintf("no %s %d in this scope", refKinds[r.Kind].english, r.ID),
				German: refKinds[r.Kind].german})
		}
	}
	if len(vs) == 0 {
		return nil
	}
	e := &domain.Error{Kind: domain.ErrNotFound, Message: vs[0].Detail, German: vs[0].German, Violations: vs}
	if len(vs) > 1 {
		e.Message = fmt.Sprintf("%d of the records named do not exist in this scope", len(vs))
		e.German = "Einige der genannten Datensätze gibt es in diesem Informationsverbund nicht."
	}
	return e
}
