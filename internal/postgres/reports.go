package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// The reference documents A.1 to A.6 and the statement of applicability
// are read row by row: each Each* method runs one query and hands its
// rows to fn as they arrive from the server, so a report over a million
// check entries holds one row at a time, and a reader limited to
// department subtrees gets only their objects' rows.

// eachRow runs a query and calls fn with each row as it arrives. An error
// from fn cancels the query on the server instead of reading the rest
// (closing the rows of a running query would otherwise drain it).
func eachRow[R any](ctx context.Context, db *DB, fn func(*R) error, query string, args ...any) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := db.x.QueryxContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer func() {
		cancel()
		rows.Close()
	}()
	for rows.Next() {
		var r R
		if err := rows.StructScan(&r); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// reportDepartments resolves what the reader may see to a list of
// departments for "o.department_id = ANY ($2)": NULL for everything.
func reportDepartments(ctx context.Context, db *DB, vis Visibility) (any, error) {
	ids, err := resolveDepartments(ctx, db.x, 0, vis)
	if err != nil || ids == nil {
		return nil, err
	}
	return pq.Array(ids), nil
}

// visibleIn is the condition that the object alias may be seen, with the
// departments of reportDepartments as $2.
func visibleIn(alias string) string {
	return fmt.Sprintf(`($2::bigint[] IS NULL OR %s.department_id = ANY ($2))`, alias)
}

// StructureRow is a target object as A.1 and A.2 list it.
type StructureRow struct {
	domain.Object        // with its protection needs
	GroupShortID  string // the group it is a member of, if the reader may see it
	DependsOn     []string
}

type structureRow struct {
	objectRow
	GroupShortID sql.NullString `db:"group_short_id"`
	DependsOn    pq.StringArray `db:"depends_on"`
	Needs        []byte         `db:"needs"`
}

// needJSON is one objective of an object's needs as the query returns it.
type needJSON struct {
	Objective      string `json:"objective"`
	Own            int8   `json:"own"`
	OwnReason      string `json:"own_reason"`
	OverrideKind   string `json:"override_kind"`
	Override       int8   `json:"override"`
	OverrideReason string `json:"override_reason"`
	Inherited      int8   `json:"inherited"`
	From           string `json:"from"` // short ID and name of the object it is inherited from, if visible
	Effective      int8   `json:"effective"`
	Source         string `json:"source"`
	Cycle          int    `json:"cycle"`
}

// EachObject calls fn with every visible target object of the scope (not
// the scope's own object) with its needs, group and dependencies, in the
// order of the structure analysis: by type, then short ID.
func (db *DB) EachObject(ctx context.Context, scopeID int64, vis Visibility, fn func(StructureRow) error) error {
	deps, err := reportDepartments(ctx, db, vis)
	if err != nil {
		return err
	}
	types := make([]string, len(domain.ObjectTypes))
	for i, t := range domain.ObjectTypes {
		types[i] = string(t)
	}
	err = eachRow(ctx, db, func(r *structureRow) error {
		row := StructureRow{Object: r.asDomain(), GroupShortID: r.GroupShortID.String, DependsOn: r.DependsOn}
		var needs []needJSON
		if err := json.Unmarshal(r.Needs, &needs); err != nil {
			return fmt.Errorf("needs of object %d: %w", r.ID, err)
		}
		for _, n := range needs {
			i := strings.Index("cia", n.Objective)
			if i < 0 {
				continue
			}
			row.Needs[i] = domain.ObjectNeed{Own: domain.Need(n.Own), OwnReason: n.OwnReason, OverrideKind: domain.OverrideKind(n.OverrideKind),
				Override: domain.Need(n.Override), OverrideReason: n.OverrideReason, Inherited: domain.Need(n.Inherited),
				InheritedFromName: n.From, Effective: domain.Need(n.Effective), Source: domain.NeedSource(n.Source), Cycle: n.Cycle}
		}
		return fn(row)
	}, `
		SELECT `+objectColumns+`,
		       CASE WHEN `+visibleIn("g")+` THEN g.short_id END AS group_short_id,
		       coalesce((SELECT array_agg(t.short_id ORDER BY t.short_id) FROM object_dependencies x JOIN objects t ON t.id = x.to_id
		                 WHERE x.from_id = o.id AND `+visibleIn("t")+`), '{}') AS depends_on,
		       coalesce((SELECT json_agg(json_build_object('objective', n.objective, 'own', n.own, 'own_reason', n.own_reason,
		                   'override_kind', n.override_kind, 'override', n.override, 'override_reason', n.override_reason,
		                   'inherited', n.inherited, 'effective', n.effective, 'source', n.source, 'cycle', n.cycle,
		                   'from', CASE WHEN `+visibleIn("f")+` THEN f.short_id || ' ' || f.name END))
		                 FROM object_needs n LEFT JOIN objects f ON f.id = n.inherited_from WHERE n.object_id = o.id), '[]') AS needs
		FROM objects o
		LEFT JOIN departments d ON d.id = o.department_id
		LEFT JOIN objects g ON g.id = o.group_id
		WHERE o.scope_id = $1 AND o.type <> 'scope' AND `+visibleIn("o")+`
		ORDER BY array_position($3::text[], o.type), o.short_id, o.id`,
		scopeID, deps, pq.Array(types))
	if err != nil {
		return fmt.Errorf("read objects for a report: %w", err)
	}
	return nil
}

// AssignmentRow is a module assigned to an object (A.3); an object
// flagged as having no suitable module comes with an empty ModuleID.
type AssignmentRow struct {
	Layer          string            `db:"layer"`
	ModuleID       string            `db:"module_id"`
	ModuleTitle    string            `db:"module_title"`
	ObjectShortID  string            `db:"short_id"`
	ObjectName     string            `db:"name"`
	ObjectType     domain.ObjectType `db:"type"`
	DepartmentName string            `db:"department_name"`
}

// EachAssignment calls fn with every module assignment of the scope's
// visible objects in catalog order, then with the visible objects flagged
// "no suitable module".
func (db *DB) EachAssignment(ctx context.Context, scopeID int64, vis Visibility, fn func(AssignmentRow) error) error {
	deps, err := reportDepartments(ctx, db, vis)
	if err != nil {
		return err
	}
	err = eachRow(ctx, db, func(r *AssignmentRow) error { return fn(*r) }, `
		SELECT layer, module_id, module_title, short_id, name, type, department_name FROM (
			SELECT coalesce(m.group_key, '') AS layer, m.id AS module_id, m.title AS module_title, o.short_id, o.name, o.type,
			       coalesce(d.name, '') AS department_name, false AS flagged, g.ord AS group_ord, m.ord AS module_ord
			FROM object_modules om
			JOIN objects o ON o.id = om.object_id
			JOIN catalog_modules m ON m.catalog_id = om.catalog_id AND m.id = om.module_id
			LEFT JOIN catalog_groups g ON g.catalog_id = m.catalog_id AND g.key = m.group_key
			LEFT JOIN departments d ON d.id = o.department_id
			WHERE o.scope_id = $1 AND `+visibleIn("o")+`
			UNION ALL
			SELECT '', '', '', o.short_id, o.name, o.type, coalesce(d.name, ''), true, NULL, NULL
			FROM objects o LEFT JOIN departments d ON d.id = o.department_id
			WHERE o.scope_id = $1 AND o.no_suitable_module AND `+visibleIn("o")+`
		) a
		ORDER BY flagged, group_ord NULLS LAST, module_ord, type = 'scope' DESC, short_id`, scopeID, deps)
	if err != nil {
		return fmt.Errorf("read the modelling for a report: %w", err)
	}
	return nil
}

// EachCheckEntry calls fn with every active check entry of the scope's
// visible objects, by object and requirement (A.4). The entries are read
// object by object (a lateral join in the objects' order), so the first
// row comes at once and the server never sorts a million rows on disk.
func (db *DB) EachCheckEntry(ctx context.Context, scopeID int64, vis Visibility, fn func(domain.CheckEntry) error) error {
	deps, err := reportDepartments(ctx, db, vis)
	if err != nil {
		return err
	}
	err = eachRow(ctx, db, func(r *entryRow) error { return fn(r.asDomain()) }, `
		SELECT x.* FROM objects ob
		CROSS JOIN LATERAL (`+entrySelect+` WHERE e.object_id = ob.id AND e.active ORDER BY r.ord, e.id) x
		WHERE ob.scope_id = $1 AND `+visibleIn("ob")+`
		ORDER BY ob.short_id`, scopeID, deps)
	if err != nil {
		return fmt.Errorf("read check entries for a report: %w", err)
	}
	return nil
}

// RiskRow is one threat of an object's risk analysis (A.5). An object
// that needs an analysis but has none, or has one without threats, comes
// once with ItemID 0.
type RiskRow struct {
	ObjectID             int64             `db:"object_id"`
	ObjectShortID        string            `db:"short_id"`
	ObjectName           string            `db:"name"`
	ObjectType           domain.ObjectType `db:"type"`
	NoSuitableModule     bool              `db:"no_suitable_module"`
	UntypicalEnvironment bool              `db:"untypical_environment"`
	TopNeed              domain.Need       `db:"top_need"` // the highest effective need over C, I, A
	AnalysisID           *int64            `db:"analysis_id"`
	ItemID               int64             `db:"item_id"`
	ThreatID             string            `db:"threat_id"`
	Title                string            `db:"title"`
	Frequency            domain.Frequency  `db:"frequency"`
	Impact               domain.Impact     `db:"impact"`
	Treatment            domain.Treatment  `db:"treatment"`
	Measures             string            `db:"measures"`
	Requirements         string            `db:"requirements"` // the linked requirements' IDs, comma-separated
	ResidualFrequency    domain.Frequency  `db:"residual_frequency"`
	ResidualImpact       domain.Impact     `db:"residual_impact"`
	AcceptedOn           *time.Time        `db:"accepted_on"`
	AcceptedBy           string            `db:"accepted_by"`
	VoidedAt             *time.Time        `db:"voided_at"`
	VoidedReason         string            `db:"voided_reason"`
}

// Reasons says why the object needs a risk analysis (none: it has one by choice).
func (r RiskRow) Reasons() []domain.RiskReason {
	var o domain.Object
	o.NoSuitableModule, o.UntypicalEnvironment = r.NoSuitableModule, r.UntypicalEnvironment
	o.Needs[domain.Confidentiality].Effective = r.TopNeed
	return domain.RiskReasons(o)
}

// EachRiskRow calls fn with the threats of the risk analyses of the
// scope's visible objects, and with every visible object that needs an
// analysis (rule 4), by object and then in the catalog's threat order;
// each row carries the analysis's latest acceptance.
func (db *DB) EachRiskRow(ctx context.Context, scopeID int64, vis Visibility, fn func(RiskRow) error) error {
	deps, err := reportDepartments(ctx, db, vis)
	if err != nil {
		return err
	}
	err = eachRow(ctx, db, func(r *RiskRow) error { return fn(*r) }, `
		WITH obj AS (
			SELECT o.id, o.short_id, o.name, o.type, o.no_suitable_module, o.untypical_environment,
			       coalesce(max(n.effective), 0) AS top_need
			FROM objects o LEFT JOIN object_needs n ON n.object_id = o.id
			WHERE o.scope_id = $1 AND `+visibleIn("o")+`
			GROUP BY o.id
			HAVING o.no_suitable_module OR o.untypical_environment OR coalesce(max(n.effective), 0) >= 2
			    OR EXISTS (SELECT 1 FROM risk_analyses ra WHERE ra.object_id = o.id)
		)
		SELECT obj.id AS object_id, obj.short_id, obj.name, obj.type, obj.no_suitable_module, obj.untypical_environment, obj.top_need,
		       ra.id AS analysis_id, coalesce(i.id, 0) AS item_id, coalesce(i.threat_id, '') AS threat_id, coalesce(i.title, '') AS title,
		       coalesce(i.frequency, 0) AS frequency, coalesce(i.impact, 0) AS impact, coalesce(i.treatment, '') AS treatment,
		       coalesce(i.measures, '') AS measures,
		       coalesce((SELECT string_agg(x.requirement_id, ', ' ORDER BY x.requirement_id) FROM risk_item_requirements x
		                 WHERE x.item_id = i.id), '') AS requirements,
		       coalesce(i.residual_frequency, 0) AS residual_frequency, coalesce(i.residual_impact, 0) AS residual_impact,
		       acc.accepted_on, coalesce(acc.accepted_by, '') AS accepted_by, acc.voided_at, coalesce(acc.voided_reason, '') AS voided_reason
		FROM obj
		LEFT JOIN risk_analyses ra ON ra.object_id = obj.id
		LEFT JOIN risk_items i ON i.analysis_id = ra.id
		LEFT JOIN catalog_threats t ON t.catalog_id = i.catalog_id AND t.id = i.threat_id
		LEFT JOIN LATERAL (
			SELECT a.accepted_on, a.accepted_by, a.voided_at, a.voided_reason FROM risk_acceptances a
			WHERE a.analysis_id = ra.id ORDER BY a.voided_at IS NULL DESC, a.created_at DESC, a.id DESC LIMIT 1
		) acc ON true
		ORDER BY obj.short_id, obj.id, t.ord NULLS LAST, i.id`, scopeID, deps)
	if err != nil {
		return fmt.Errorf("read risk analyses for a report: %w", err)
	}
	return nil
}

// EachPlanItem calls fn with every measure of the scope's visible
// implementation plan (A.6), done ones included, by due date (those
// without one last).
func (db *DB) EachPlanItem(ctx context.Context, scopeID int64, vis Visibility, fn func(domain.PlanItem) error) error {
	deps, err := reportDepartments(ctx, db, vis)
	if err != nil {
		return err
	}
	err = eachRow(ctx, db, func(r *planRow) error { return fn(r.asDomain()) },
		planSelect+` WHERE e.scope_id = $1 AND e.active AND `+visibleIn("o")+` ORDER BY coalesce(p.due_date, 'infinity'), p.id`,
		scopeID, deps)
	if err != nil {
		return fmt.Errorf("read the implementation plan for a report: %w", err)
	}
	return nil
}

// ApplicabilityRow is one requirement of the scope's check summarised
// over the objects it applies to (statement of applicability).
type ApplicabilityRow struct {
	Layer          string         `db:"layer"`
	ModuleID       string         `db:"module_id"`
	ModuleTitle    string         `db:"module_title"`
	RequirementID  string         `db:"requirement_id"`
	Title          string         `db:"title"`
	Level          domain.Level   `db:"level"`
	Obligation     sql.NullString `db:"obligation"` // Grundschutz++
	Effort         *int           `db:"effort"`     // Grundschutz++
	Objects        int            `db:"objects"`
	Yes            int            `db:"yes"`
	Partial        int            `db:"partial"`
	No             int            `db:"no"`
	NotApplicable  int            `db:"not_applicable"`
	Open           int            `db:"open"`
	Justifications pq.StringArray `db:"justifications"` // up to three distinct ones of entries not fulfilled
	MoreReasons    int            `db:"more_reasons"`   // further distinct justifications not listed
}

// EachApplicability calls fn with every requirement of the active check
// entries of the scope's visible objects, counted by status, in catalog order.
func (db *DB) EachApplicability(ctx context.Context, scopeID int64, vis Visibility, fn func(ApplicabilityRow) error) error {
	deps, err := reportDepartments(ctx, db, vis)
	if err != nil {
		return err
	}
	err = eachRow(ctx, db, func(r *ApplicabilityRow) error { return fn(*r) }, `
		SELECT coalesce(m.group_key, '') AS layer, e.module_id, m.title AS module_title, e.requirement_id, r.title, e.level,
		       e.obligation, r.effort, count(*) AS objects,
		       count(*) FILTER (WHERE e.status = 'yes') AS yes,
		       count(*) FILTER (WHERE e.status = 'partial') AS partial,
		       count(*) FILTER (WHERE e.status = 'no') AS no,
		       count(*) FILTER (WHERE e.status = 'not_applicable') AS not_applicable,
		       count(*) FILTER (WHERE e.status = 'open') AS open,
		       coalesce((array_agg(DISTINCT e.justification) FILTER (WHERE e.status <> 'yes' AND e.justification <> ''))[1:3], '{}') AS justifications,
		       greatest(count(DISTINCT e.justification) FILTER (WHERE e.status <> 'yes' AND e.justification <> '') - 3, 0) AS more_reasons
		FROM check_entries e
		JOIN objects o ON o.id = e.object_id
		JOIN catalog_requirements r ON r.catalog_id = e.catalog_id AND r.id = e.requirement_id
		JOIN catalog_modules m ON m.catalog_id = e.catalog_id AND m.id = e.module_id
		LEFT JOIN catalog_groups g ON g.catalog_id = m.catalog_id AND g.key = m.group_key
		WHERE e.scope_id = $1 AND e.active AND `+visibleIn("o")+`
		GROUP BY e.catalog_id, e.requirement_id, e.module_id, e.level, e.obligation, r.title, r.effort, r.ord, m.title, m.group_key, m.ord, g.ord
		ORDER BY g.ord NULLS LAST, m.ord, r.ord`, scopeID, deps)
	if err != nil {
		return fmt.Errorf("read the statement of applicability: %w", err)
	}
	return nil
}
