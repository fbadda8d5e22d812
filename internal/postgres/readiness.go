package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// Certification readiness (docs/readiness.md, gates G1–G10).
//
// Every gate that looks at many items is defined once, as a SQL predicate
// over one source of rows (the scope's target objects, its active check
// entries, its evidence, its findings, the scope-wide modules). Readiness
// counts each predicate with count(*) FILTER in one aggregate per source,
// so the million entries of a state's check are read once; GateBlockers
// lists the rows the same predicate selects, page by page. Because count
// and list share the predicate, a gate passes exactly when its list is
// empty and Blocking is the length of that list. The guideline (G1) and
// the certificate (G10) are single rows: their few blockers are built in
// Go by one function each, which both Readiness and GateBlockers call.
//
// Queries use named parameters (@scope, @vis, @today, @modules, @after,
// @limit), turned into $n by bindNamed, so that one fragment serves
// statements with different parameter lists.

// readinessParam finds the named parameters of a fragment.
var readinessParam = regexp.MustCompile(`@([a-z]+)`)

// bindNamed turns @name into $n, numbered by first use, and returns the
// arguments in that order; every name used must be given.
func bindNamed(query string, args map[string]any) (string, []any) {
	index := map[string]int{}
	var out []any
	q := readinessParam.ReplaceAllStringFunc(query, func(m string) string {
		name := m[1:]
		i, ok := index[name]
		if !ok {
			v, given := args[name]
			if !given {
				panic("readiness: no value for @" + name)
			}
			out = append(out, v)
			i = len(out)
			index[name] = i
		}
		return "$" + strconv.Itoa(i)
	})
	return q, out
}

// visibleSubtree is the condition that a department (the expression d)
// is one the reader may see: @vis lists every department of the reader's
// subtrees, resolved before the statement (visibleDepartments); NULL sees
// everything. A plain array keeps the statements free of function calls
// the planner would not run in parallel workers.
func visibleSubtree(d string) string {
	return `(@vis::bigint[] IS NULL OR ` + d + ` = ANY (@vis::bigint[]))`
}

// visibleDepartments is the @vis parameter of the readiness statements:
// NULL for a global reader, else the departments of their subtrees.
func visibleDepartments(ctx context.Context, db *DB, vis Visibility) (any, error) {
	ds, err := resolveDepartments(ctx, db.x, 0, vis)
	if err != nil || ds == nil {
		return nil, err
	}
	return pq.Array(ds), nil
}

// ---------------------------------------------------------------------
// Target objects: G2, G3, G4 (objects) and G6.

// objectFacts is one row per visible target object of the scope (not the
// scope's own object, which stands for the scope-wide modules) with what
// the object gates ask about. Needs and modules are read for the whole
// scope at once (a join and two hashed sets), not object by object.
var objectFacts = `
	SELECT o.id, o.short_id, o.name, o.department_id, o.responsible, o.no_suitable_module, o.untypical_environment,
	       coalesce(n.determined, 0) < 3 AS need_unknown, coalesce(n.unjustified, false) AS unjustified,
	       coalesce(n.on_cycle, false) AS on_cycle, coalesce(n.max_need, 0) AS max_need,
	       (o.id IN ` + scopeModelled + ` OR o.group_id IS NOT NULL AND o.group_id IN ` + scopeModelled + `) AS modelled,
	       ra.id AS analysis_id, coalesce(ri.items, 0) AS items, coalesce(ri.complete, 0) AS complete,
	       EXISTS (SELECT 1 FROM risk_acceptances a WHERE a.analysis_id = ra.id AND a.voided_at IS NULL) AS accepted
	FROM objects o
	LEFT JOIN (
		SELECT x.object_id, count(*) FILTER (WHERE x.effective > 0) AS determined,
		       bool_or(x.override_kind <> '' AND btrim(x.override_reason) = '') AS unjustified,
		       bool_or(x.cycle > 0) AS on_cycle, max(x.effective) AS max_need
		FROM object_needs x JOIN objects y ON y.id = x.object_id
		WHERE y.scope_id = @scope
		GROUP BY x.object_id) n ON n.object_id = o.id
	LEFT JOIN risk_analyses ra ON ra.object_id = o.id
	LEFT JOIN (
		SELECT i.analysis_id, count(*) AS items, count(*) FILTER (WHERE ` + riskItemComplete + `) AS complete
		FROM risk_items i JOIN risk_analyses y ON y.id = i.analysis_id
		WHERE y.scope_id = @scope
		GROUP BY i.analysis_id) ri ON ri.analysis_id = ra.id
	WHERE o.scope_id = @scope AND o.type <> 'scope' AND ` + visibleSubtree("o.department_id")

// scopeModelled are the scope's objects with a module of their own (a
// group's members are modelled by the group's).
const scopeModelled = `(SELECT m.object_id FROM object_modules m JOIN objects y ON y.id = m.object_id WHERE y.scope_id = @scope)`

// The object gates: when an object blocks (why, in German, is
// domain.ObjectFacts' to say).
const (
	g2Blocks = `(f.department_id IS NULL OR btrim(f.responsible) = '')`
	g3Blocks = `(f.need_unknown OR f.unjustified OR f.on_cycle)`
	// A Grundschutz++ scope (@pp) models its requirement package on the
	// scope object; its other objects need no module of their own.
	g4Blocks = `(NOT @pp AND NOT f.modelled AND NOT f.no_suitable_module)`

	// Rule 4: high or very high need, no suitable module, untypical environment.
	g6Applies = `(f.max_need >= 2 OR f.no_suitable_module OR f.untypical_environment)`
	g6Blocks  = `(` + g6Applies + ` AND (f.analysis_id IS NULL OR f.items = 0 OR f.complete < f.items OR NOT f.accepted))`
)

// objectCounts counts every object gate over one pass of the objects.
var objectCounts = `
	SELECT count(*) AS objects,
	       count(*) FILTER (WHERE ` + g2Blocks + `) AS g2,
	       count(*) FILTER (WHERE ` + g3Blocks + `) AS g3,
	       count(*) FILTER (WHERE ` + g4Blocks + `) AS g4,
	       count(*) FILTER (WHERE ` + g6Applies + `) AS g6_checked,
	       count(*) FILTER (WHERE ` + g6Blocks + `) AS g6
	FROM (` + objectFacts + `) f`

// objectList lists the objects a gate's predicate selects, by id, with
// the facts their reasons are made of.
func objectList(blocks string) string {
	return `
		SELECT f.id AS sort, f.id, f.short_id || ' ' || f.name AS label,
		       f.department_id, d.name AS department_name, NULL::bigint AS aux_id, '' AS aux,
		       f.department_id IS NULL AS no_department, btrim(f.responsible) = '' AS no_responsible,
		       f.need_unknown, f.unjustified, f.on_cycle, f.max_need >= 2 AS high_need, f.no_suitable_module,
		       f.untypical_environment, f.analysis_id IS NOT NULL AS has_analysis, f.items, f.complete
		FROM (` + objectFacts + `) f LEFT JOIN departments d ON d.id = f.department_id
		WHERE ` + blocks + ` AND f.id > @after ORDER BY f.id LIMIT @limit`
}

// ---------------------------------------------------------------------
// Check entries: G5, G7 and the entries of G8.

// entryScope selects the scope's active entries the reader may see. The
// department test is a subquery on the objects rather than a join, so
// the planner hashes the visible objects once instead of joining a
// million rows.
var entryScope = `e.scope_id = @scope AND e.active AND (@vis::bigint[] IS NULL OR e.object_id IN (
	SELECT o.id FROM objects o WHERE o.scope_id = @scope AND ` + visibleSubtree("o.department_id") + `))`

// The sets the entry gates look entries up in. Each is read once per
// statement and hashed (entry ids are unique across scopes).
const (
	// Entries covered by a valid (not voided) risk acceptance.
	acceptedEntries = `(SELECT x.entry_id FROM risk_acceptance_entries x JOIN risk_acceptances a ON a.id = x.acceptance_id
		WHERE a.voided_at IS NULL)`
	// Entries with an open measure that has an owner and a due date.
	plannedEntries = `(SELECT p.entry_id FROM plan_items p WHERE p.state <> 'done' AND btrim(p.owner) <> '' AND p.due_date IS NOT NULL)`
	// Entries covered by an exception of management that counts today:
	// not revoked, end date not passed.
	validExceptions = `(SELECT x.entry_id FROM check_exceptions x WHERE x.revoked_at IS NULL AND x.valid_until >= @today::date)`
	// Entries whose open measure is overdue.
	overdueEntries = `(SELECT p.entry_id FROM plan_items p WHERE p.state <> 'done' AND p.due_date < @today::date)`
	// Entries linked to evidence whose newest version is accepted and
	// not expired: a newer version under review or rejected replaces an
	// older accepted one.
	coveredEntries = `(SELECT l.target_id FROM evidence_links l
		JOIN evidence ev ON ev.id = l.evidence_id JOIN evidence_versions v ON v.id = ev.current_version_id
		WHERE l.target_type = 'check_entry' AND ev.scope_id = @scope AND v.state = 'accepted'
		  AND (v.valid_until IS NULL OR v.valid_until >= @today::date))`
)

// The entry gates.
const (
	// G5: no open entry; Basis yes or justified not applicable; Standard
	// and elevated also covered by a signed risk acceptance (rule 3). In a
	// Grundschutz++ scope (entries with an obligation) an unmet MUSS needs
	// a valid exception; an unmet SOLLTE is justified (every partial or
	// unfulfilled entry carries a justification), and so is a KANN.
	g5Blocks = `(e.status = 'open'
		OR e.status = 'not_applicable' AND btrim(e.justification) = ''
		OR e.status IN ('partial', 'no') AND (
		   e.obligation IS NULL AND (e.level = 'basis' OR e.id NOT IN ` + acceptedEntries + `)
		   OR e.obligation = 'muss' AND e.id NOT IN ` + validExceptions + `))`

	// G7: every partial or unfulfilled entry has a measure with owner and
	// due date, and no measure of a Basis (or MUSS) requirement is overdue.
	g7Applies = `e.status IN ('partial', 'no')`
	g7Blocks  = `(` + g7Applies + ` AND (e.id NOT IN ` + plannedEntries + ` OR ` + mandatory + ` AND e.id IN ` + overdueEntries + `))`

	// mandatory: an entry whose risk can never be accepted.
	mandatory = `(e.level = 'basis' OR e.obligation = 'muss')`

	// G8 (entries): a fulfilled entry without valid evidence. These block
	// only while the coverage is below the guideline's target.
	g8Yes       = `e.status = 'yes'`
	g8Uncovered = `(e.status = 'yes' AND e.id NOT IN ` + coveredEntries + `)`
)

// entryCounts counts every entry gate over one pass of the entries.
var entryCounts = `
	SELECT count(*) AS entries,
	       count(*) FILTER (WHERE ` + g5Blocks + `) AS g5,
	       count(*) FILTER (WHERE ` + g7Applies + `) AS g7_checked,
	       count(*) FILTER (WHERE ` + g7Blocks + `) AS g7,
	       count(*) FILTER (WHERE ` + g8Yes + `) AS yes,
	       count(*) FILTER (WHERE ` + g8Uncovered + `) AS uncovered
	FROM check_entries e WHERE ` + entryScope

// entryList lists the entries a gate's predicate selects, by id, with
// their measure (for the link to it) and the facts their reasons are
// made of.
func entryList(blocks string) string {
	return `
		SELECT e.id AS sort, e.id, e.requirement_id || ' · ' || o.short_id || ' ' || o.name AS label,
		       o.department_id, d.name AS department_name, CASE WHEN p.state <> 'done' THEN p.id END AS aux_id,
		       CASE WHEN p.due_date < @today::date AND p.state <> 'done' THEN 'overdue'
		            WHEN p.due_date IS NOT NULL THEN 'month:' || to_char(p.due_date, 'YYYY-MM')
		            WHEN p.owner <> '' THEN 'owner:' || p.owner ELSE '' END AS aux,
		       e.status, e.level, coalesce(e.obligation, '') AS obligation,
		       (SELECT x.valid_until FROM check_exceptions x WHERE x.entry_id = e.id AND x.revoked_at IS NULL) AS exception_until,
		       coalesce(p.state <> 'done', false) AS open_measure,
		       coalesce(btrim(p.owner) = '', false) AS no_owner, p.due_date, coalesce(p.due_date < @today::date, false) AS overdue
		FROM check_entries e
		JOIN objects o ON o.id = e.object_id
		LEFT JOIN departments d ON d.id = o.department_id
		LEFT JOIN plan_items p ON p.entry_id = e.id
		WHERE ` + entryScope + ` AND ` + blocks + ` AND e.id > @after ORDER BY e.id LIMIT @limit`
}

// ---------------------------------------------------------------------
// Evidence (G8), findings (G9), scope-wide modules (G4).

// rejectedEvidence is the visible evidence of the scope whose newest
// version was rejected (an item without a department is seen by global
// grants only, as everywhere).
var rejectedEvidence = `
	FROM evidence ev JOIN evidence_versions v ON v.id = ev.current_version_id
	WHERE ev.scope_id = @scope AND v.state = 'rejected' AND ` + visibleSubtree("ev.department_id")

// g8Unanswered: nobody but the reviewer has answered the rejection in
// the thread (a new version would no longer be rejected).
const g8Unanswered = `NOT EXISTS (SELECT 1 FROM evidence_comments c
	WHERE c.evidence_id = ev.id AND c.decision IS NULL AND c.created_at > v.reviewed_at AND c.author <> v.reviewed_by)`

// findingObjects are the target objects a finding f concerns through its
// links (an object, a check entry, or a sample item naming either).
const findingObjects = `(SELECT CASE l.target_type WHEN 'object' THEN l.target_id ELSE coalesce(s.object_id, e.object_id) END AS object_id
	FROM finding_links l
	LEFT JOIN audit_samples s ON l.target_type = 'sample' AND s.id = l.target_id
	LEFT JOIN check_entries e ON e.id = CASE l.target_type WHEN 'check_entry' THEN l.target_id WHEN 'sample' THEN s.entry_id END
	WHERE l.finding_id = f.id)`

// scopeFindings are the scope's nonconformities the reader may see. A
// department-limited reader sees those concerning an object of their
// subtree, and those concerning no object at all (about the ISMS as a
// whole, like the guideline), but not those about other departments.
var scopeFindings = `
	FROM findings f JOIN audits au ON au.id = f.audit_id
	WHERE au.scope_id = @scope AND f.class IN ('major', 'minor')
	  AND (@vis::bigint[] IS NULL
	       OR NOT EXISTS (SELECT 1 FROM ` + findingObjects + ` fo WHERE fo.object_id IS NOT NULL)
	       OR EXISTS (SELECT 1 FROM ` + findingObjects + ` fo JOIN objects o ON o.id = fo.object_id
	                  WHERE ` + visibleSubtree("o.department_id") + `))`

const (
	// G9: no open major nonconformity; every open minor one has a due
	// date and a corrective action that was not rejected.
	g9NoAction = `NOT EXISTS (SELECT 1 FROM corrective_actions ca WHERE ca.finding_id = f.id AND ca.verdict <> 'rejected')`
	g9Blocks   = `(f.state <> 'closed' AND (f.class = 'major' OR f.due_date IS NULL OR ` + g9NoAction + `))`
)

// scopeModules are the scope-wide modules (@modules, in order) with
// whether the scope's own object carries them.
const scopeModules = `
	FROM unnest(@modules::text[]) WITH ORDINALITY AS m(id, ord)
	LEFT JOIN LATERAL (SELECT c.title FROM catalog_modules c JOIN scopes s ON s.catalog_id = c.catalog_id
	                   WHERE s.id = @scope AND c.id = m.id) cm ON true
	WHERE NOT EXISTS (SELECT 1 FROM object_modules om JOIN objects so ON so.id = om.object_id
	                  WHERE so.scope_id = @scope AND so.type = 'scope' AND om.module_id = m.id)`

// paramRequirements are the requirements of a Grundschutz++ scope's
// package (an active entry on any object) whose statement inserts a
// parameter; paramsUnset those of them with a parameter (unsetParamsOf)
// that has neither the scope's value nor a preset: not yet modelled
// (Methodik STM.5.1).
const (
	paramRequirements = `
	FROM catalog_requirements r
	WHERE r.catalog_id = (SELECT catalog_id FROM scopes WHERE id = @scope)
	  AND r.id IN (SELECT p.requirement_id FROM catalog_requirement_params p WHERE p.catalog_id = r.catalog_id)
	  AND EXISTS (SELECT 1 FROM check_entries e WHERE e.scope_id = @scope AND e.requirement_id = r.id AND e.active)`
	unsetParamsOf = `FROM catalog_requirement_params p
	WHERE p.catalog_id = r.catalog_id AND p.requirement_id = r.id AND p.preset = ''
	  AND NOT EXISTS (SELECT 1 FROM scope_params v WHERE v.scope_id = @scope AND v.param_id = p.param_id)`
	paramsUnset = `EXISTS (SELECT 1 ` + unsetParamsOf + `)`
)

// otherCounts counts the small sources in one statement.
var otherCounts = `
	SELECT (SELECT count(*) ` + scopeModules + `) AS modules_missing,
	       (SELECT count(*) ` + paramRequirements + `) AS params_checked,
	       (SELECT count(*) ` + paramRequirements + ` AND ` + paramsUnset + `) AS params_open,
	       (SELECT count(*) ` + rejectedEvidence + `) AS rejected,
	       (SELECT count(*) ` + rejectedEvidence + ` AND ` + g8Unanswered + `) AS unanswered,
	       (SELECT count(*) ` + scopeFindings + `) AS findings,
	       (SELECT count(*) ` + scopeFindings + ` AND ` + g9Blocks + `) AS g9`

// The lists of those sources.
var (
	scopeModuleList = `
		SELECT m.ord AS sort, 0::bigint AS id, m.id || coalesce(' ' || cm.title, '') AS label, cm.title IS NOT NULL AS in_catalog,
		       NULL::bigint AS department_id, NULL::text AS department_name, NULL::bigint AS aux_id, '' AS aux
		` + scopeModules + `
		  AND m.ord > @after
		ORDER BY m.ord LIMIT @limit`
	paramList = `
		SELECT r.ord AS sort, 0::bigint AS id, r.id || ' ' || r.title AS label,
		       (SELECT string_agg(p.label, '; ' ORDER BY p.ord) ` + unsetParamsOf + `) AS aux,
		       NULL::bigint AS department_id, NULL::text AS department_name, NULL::bigint AS aux_id, r.id AS requirement_id
		` + paramRequirements + ` AND ` + paramsUnset + ` AND r.ord > @after
		ORDER BY r.ord LIMIT @limit`
	rejectedList = `
		SELECT ev.id AS sort, ev.id, ev.title || ' (Version ' || v.number || ')' AS label, v.reviewed_by,
		       ev.department_id, (SELECT d.name FROM departments d WHERE d.id = ev.department_id) AS department_name, NULL::bigint AS aux_id, '' AS aux
		` + rejectedEvidence + ` AND ` + g8Unanswered + ` AND ev.id > @after
		ORDER BY ev.id LIMIT @limit`
	findingList = `
		SELECT f.id AS sort, f.id, f.title || ' (' || au.title || ')' AS label,
		       f.class = 'major' AS major, ` + g9NoAction + ` AS no_action, f.due_date IS NULL AS no_due_date,
		       NULL::bigint AS department_id, NULL::text AS department_name, NULL::bigint AS aux_id, '' AS aux
		` + scopeFindings + ` AND ` + g9Blocks + ` AND f.id > @after
		ORDER BY f.id LIMIT @limit`
)

// ---------------------------------------------------------------------
// Readiness.

// readinessInput is what the gates are measured against: the scope, the
// guideline in force (nil when none) and the certificate (nil when none).
type readinessInput struct {
	scope       ScopeSummary
	guideline   *domain.Guideline
	certificate *domain.Certificate
	vis         Visibility
	departments any // @vis: see visibleDepartments
	today       time.Time
}

func (in readinessInput) modules() []string {
	if in.scope.Method == domain.MethodPlusPlus {
		return nil // the package of a Grundschutz++ scope brings its own
	}
	if in.guideline == nil {
		return domain.ScopeModules(nil)
	}
	return domain.ScopeModules(in.guideline.RequiredModules)
}

func (in readinessInput) coverageTarget() int {
	if in.guideline == nil {
		return domain.DefaultEvidenceCoverage
	}
	return in.guideline.EvidenceCoverage
}

// args are the named parameters of the readiness statements.
func (in readinessInput) args() map[string]any {
	return map[string]any{"scope": in.scope.ID, "vis": in.departments, "today": in.today.Format(time.DateOnly),
		"modules": pq.Array(in.modules()), "pp": in.scope.Method == domain.MethodPlusPlus}
}

func (db *DB) readinessInput(ctx context.Context, scopeID int64, vis Visibility, today time.Time) (readinessInput, error) {
	in := readinessInput{vis: vis, today: today}
	var err error
	if in.scope, err = db.Scope(ctx, scopeID); err != nil {
		return in, err
	}
	if in.departments, err = visibleDepartments(ctx, db, vis); err != nil {
		return in, err
	}
	if in.guideline, err = optional(db.GuidelineInForce(ctx, scopeID)); err != nil {
		return in, err
	}
	in.certificate, err = optional(db.CertificateOf(ctx, scopeID))
	return in, err
}

// readinessCounts are the figures of the aggregate statements.
type readinessCounts struct {
	Objects        int `db:"objects"`
	G2             int `db:"g2"`
	G3             int `db:"g3"`
	G4             int `db:"g4"`
	G6Checked      int `db:"g6_checked"`
	G6             int `db:"g6"`
	Entries        int `db:"entries"`
	G5             int `db:"g5"`
	G7Checked      int `db:"g7_checked"`
	G7             int `db:"g7"`
	Yes            int `db:"yes"`
	Uncovered      int `db:"uncovered"`
	ModulesMissing int `db:"modules_missing"`
	ParamsChecked  int `db:"params_checked"`
	ParamsOpen     int `db:"params_open"`
	Rejected       int `db:"rejected"`
	Unanswered     int `db:"unanswered"`
	Findings       int `db:"findings"`
	G9             int `db:"g9"`
}

// get runs one named statement into dst.
func (db *DB) getNamed(ctx context.Context, dst any, query string, args map[string]any) error {
	q, a := bindNamed(query, args)
	return db.x.GetContext(ctx, dst, q, a...)
}

// Readiness measures a scope against gates G1–G10 on the day today, as
// the reader sees it: with a department-limited visibility every count is
// the subtree's (the guideline and the certificate are the scope's).
func (db *DB) Readiness(ctx context.Context, scopeID int64, vis Visibility, today time.Time) (domain.Readiness, error) {
	m, err := db.measure(ctx, scopeID, vis, today)
	return m.readiness, err
}

// measurement is a readiness with what it was computed from.
type measurement struct {
	in        readinessInput
	counts    readinessCounts
	g1        []domain.Blocker
	g10       *certificateState
	readiness domain.Readiness
}

func (db *DB) measure(ctx context.Context, scopeID int64, vis Visibility, today time.Time) (measurement, error) {
	var m measurement
	var err error
	if m.in, err = db.readinessInput(ctx, scopeID, vis, today); err != nil {
		return m, err
	}
	args := m.in.args()
	if err := db.getNamed(ctx, &m.counts, objectCounts, args); err != nil {
		return m, fmt.Errorf("readiness of the objects: %w", err)
	}
	if err := db.getNamed(ctx, &m.counts, entryCounts, args); err != nil {
		return m, fmt.Errorf("readiness of the check: %w", err)
	}
	if err := db.getNamed(ctx, &m.counts, otherCounts, args); err != nil {
		return m, fmt.Errorf("readiness of evidence and audits: %w", err)
	}
	m.g1 = guidelineBlockers(m.in)
	if m.g10, err = db.certificateBlockers(ctx, m.in); err != nil {
		return m, err
	}
	r := domain.Readiness{ScopeID: scopeID, Day: today, Limited: !vis.All}
	r.Gates = readinessGates(m.in, m.counts, m.g1, m.g10)
	r.Ready = len(r.Failing()) == 0
	m.readiness = r
	return m, nil
}

// BlockerPage is a page of a gate's blockers and where the next starts
// (nil at the end).
type BlockerPage struct {
	Blockers []domain.Blocker
	Next     *BlockerCursor
}

// ReadinessOverview is Readiness with the first page (up to first items)
// of every failing gate's blockers, measured once for all.
func (db *DB) ReadinessOverview(ctx context.Context, scopeID int64, vis Visibility, today time.Time, first int) (
	domain.Readiness, map[domain.GateID]BlockerPage, error) {
	m, err := db.measure(ctx, scopeID, vis, today)
	if err != nil {
		return m.readiness, nil, err
	}
	pages := map[domain.GateID]BlockerPage{}
	for _, g := range m.readiness.Failing() {
		var p BlockerPage
		if p.Blockers, p.Next, err = db.gateBlockers(ctx, m.in, g.ID, BlockerCursor{}, first, &m); err != nil {
			return m.readiness, nil, err
		}
		pages[g.ID] = p
	}
	return m.readiness, pages, nil
}

// readinessGates turns the figures into the ten gates with a German
// summary each (domain.ReadinessGates).
func readinessGates(in readinessInput, n readinessCounts, g1 []domain.Blocker, g10 *certificateState) []domain.Gate {
	f := domain.GateFigures{Guideline: in.guideline, GuidelineBlockers: len(g1),
		Objects: n.Objects, Unstructured: n.G2, NeedsOpen: n.G3, Unmodelled: n.G4, ScopeModules: in.modules(), ModulesMissing: n.ModulesMissing,
		Entries: n.Entries, CheckOpen: n.G5, RiskChecked: n.G6Checked, RiskOpen: n.G6, PlanChecked: n.G7Checked, PlanOpen: n.G7,
		Yes: n.Yes, Uncovered: n.Uncovered, CoverageTarget: in.coverageTarget(), Rejected: n.Rejected, Unanswered: n.Unanswered,
		Findings: n.Findings, FindingsOpen: n.G9,
		Method: in.scope.Method, Catalog: in.scope.CatalogTitle, ParamsChecked: n.ParamsChecked, ParamsOpen: n.ParamsOpen}
	if g10 != nil {
		f.Certificate, f.CertificateChecked, f.CertificateBlockers = in.certificate, g10.checked, len(g10.blockers)
	}
	return domain.ReadinessGates(f)
}

// ---------------------------------------------------------------------
// G1 and G10: a single row each.

// guidelineBlockers are G1's blockers (domain.GuidelineBlockers), each
// leading to the guideline or, for the scope's approach, to the scope.
func guidelineBlockers(in readinessInput) []domain.Blocker {
	bs := domain.GuidelineBlockers(in.guideline, in.scope.Scope, in.scope.CatalogTitle, in.today)
	for i := range bs {
		bs[i].URL = idPath("/scopes/", in.scope.ID, "/guideline")
		if bs[i].Kind == "scope" {
			bs[i].URL = idPath("/scopes/", in.scope.ID, "")
		}
	}
	return bs
}

// certificateState is G10 once a certificate exists.
type certificateState struct {
	checked  int
	blockers []domain.Blocker
}

// surveillanceGaps are the completed certificate years (the first and
// second; the third ends with the recertification) without a completed
// surveillance audit.
const surveillanceGaps = `
	SELECT k, (@issued::date + make_interval(years => k - 1))::date AS starts, (@issued::date + make_interval(years => k))::date AS ends
	FROM generate_series(1, 2) AS k
	WHERE @issued::date + make_interval(years => k) <= least(@today::date, @until::date)
	ORDER BY k`

// certificateBlockers are G10's blockers: the certificate when it is not
// valid today, and each completed certificate year without a completed
// surveillance audit. Nil when the scope holds no certificate: the gate
// does not apply.
func (db *DB) certificateBlockers(ctx context.Context, in readinessInput) (*certificateState, error) {
	crt := in.certificate
	if crt == nil {
		return nil, nil
	}
	q, args := bindNamed(`
		SELECT y.k, y.starts, y.ends, EXISTS (
			SELECT 1 FROM audits a WHERE a.scope_id = @scope AND a.kind IN ('surveillance_1', 'surveillance_2') AND a.state = 'completed'
			  AND a.ends_on >= y.starts AND a.ends_on < y.ends) AS held
		FROM (`+surveillanceGaps+`) y`,
		map[string]any{"scope": in.scope.ID, "issued": crt.IssuedOn.Format(time.DateOnly), "until": crt.ValidUntil.Format(time.DateOnly),
			"today": in.today.Format(time.DateOnly)})
	var years []domain.SurveillanceYear
	if err := db.x.SelectContext(ctx, &years, q, args...); err != nil {
		return nil, fmt.Errorf("surveillance audits: %w", err)
	}
	st := &certificateState{}
	st.checked, st.blockers = domain.CertificateBlockers(*crt, in.today, years)
	for i, b := range st.blockers {
		st.blockers[i].URL = idPath("/scopes/", in.scope.ID, "/guideline")
		if b.Kind == "audit" {
			st.blockers[i].URL = idPath("/scopes/", in.scope.ID, "/audits")
		}
	}
	return st, nil
}

// ---------------------------------------------------------------------
// GateBlockers.

// blockerPart is one source of a gate's blockers: a list statement
// returning rows ordered by sort, why a row blocks (in German), and how
// the rows link to the page where they are fixed.
type blockerPart struct {
	kind   string
	list   string
	reason func(r blockerRow) string
	url    func(scope ScopeSummary, r blockerRow) string
}

type blockerRow struct {
	Sort           int64          `db:"sort"`
	ID             int64          `db:"id"`
	Label          string         `db:"label"`
	DepartmentID   *int64         `db:"department_id"`
	DepartmentName sql.NullString `db:"department_name"`
	AuxID          *int64         `db:"aux_id"`
	Aux            string         `db:"aux"`

	// The facts a reason is made of; each list reads those of its gate.
	objectBlockerRow
	entryBlockerRow
	InCatalog     bool   `db:"in_catalog"`     // a scope-wide module
	RequirementID string `db:"requirement_id"` // a requirement with unset parameters
	ReviewedBy    string `db:"reviewed_by"`    // rejected evidence
	Major         bool   `db:"major"`          // a finding
	NoAction      bool   `db:"no_action"`
	NoDueDate     bool   `db:"no_due_date"`
}

type objectBlockerRow struct {
	NoDepartment         bool `db:"no_department"`
	NoResponsible        bool `db:"no_responsible"`
	NeedUnknown          bool `db:"need_unknown"`
	Unjustified          bool `db:"unjustified"`
	OnCycle              bool `db:"on_cycle"`
	HighNeed             bool `db:"high_need"`
	NoSuitableModule     bool `db:"no_suitable_module"`
	UntypicalEnvironment bool `db:"untypical_environment"`
	HasAnalysis          bool `db:"has_analysis"`
	Items                int  `db:"items"`
	Complete             int  `db:"complete"`
}

func (r blockerRow) object() domain.ObjectFacts {
	f := r.objectBlockerRow
	return domain.ObjectFacts{NoDepartment: f.NoDepartment, NoResponsible: f.NoResponsible, NeedUnknown: f.NeedUnknown,
		Unjustified: f.Unjustified, OnCycle: f.OnCycle, HighNeed: f.HighNeed, NoSuitableModule: f.NoSuitableModule,
		UntypicalEnvironment: f.UntypicalEnvironment, HasAnalysis: f.HasAnalysis, Threats: f.Items, Treated: f.Complete}
}

type entryBlockerRow struct {
	Status         domain.Status     `db:"status"`
	Level          domain.Level      `db:"level"`
	Obligation     domain.Obligation `db:"obligation"`
	ExceptionUntil *time.Time        `db:"exception_until"`
	OpenMeasure    bool              `db:"open_measure"`
	NoOwner        bool              `db:"no_owner"`
	DueDate        *time.Time        `db:"due_date"`
	Overdue        bool              `db:"overdue"`
}

func (r blockerRow) entry() domain.EntryFacts {
	f := r.entryBlockerRow
	return domain.EntryFacts{Status: f.Status, Level: f.Level, Obligation: f.Obligation, ExceptionUntil: f.ExceptionUntil,
		OpenMeasure: f.OpenMeasure, NoOwner: f.NoOwner, DueDate: f.DueDate, Overdue: f.Overdue}
}

func idPath(prefix string, id int64, suffix string) string {
	return prefix + strconv.FormatInt(id, 10) + suffix
}

// planItemURL leads to a measure in the plan, filtered so that it is on
// the first page: overdue, by due month or by owner. An entry without an
// open measure is fixed at the entry: setting it again opens one.
func planItemURL(scope ScopeSummary, r blockerRow) string {
	if r.AuxID == nil {
		return idPath("/check-entries/", r.ID, "")
	}
	q := url.Values{}
	switch kind, value, _ := strings.Cut(r.Aux, ":"); kind {
	case "overdue":
		q.Set("overdue", "true")
	case "month":
		q.Set("month", value)
	case "owner":
		q.Set("owner", value)
	}
	path := idPath("/scopes/", scope.ID, "/plan")
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return path + "#plan-" + strconv.FormatInt(*r.AuxID, 10)
}

// gateParts are the SQL-listed sources of each gate, in list order.
var gateParts = map[domain.GateID][]blockerPart{
	domain.GateStructure: {{kind: "object", list: objectList(g2Blocks),
		reason: func(r blockerRow) string { return r.object().StructureReason() },
		url:    func(_ ScopeSummary, r blockerRow) string { return idPath("/objects/", r.ID, "/edit") }}},
	domain.GateNeeds: {{kind: "object", list: objectList(g3Blocks),
		reason: func(r blockerRow) string { return r.object().NeedsReason() },
		url:    func(_ ScopeSummary, r blockerRow) string { return idPath("/objects/", r.ID, "#needs-h") }}},
	domain.GateModelling: {
		{kind: "scope", list: scopeModuleList,
			reason: func(r blockerRow) string { return domain.ScopeModuleReason(r.InCatalog) },
			url:    func(s ScopeSummary, _ blockerRow) string { return idPath("/scopes/", s.ID, "#iv-h") }},
		{kind: "object", list: objectList(g4Blocks),
			reason: func(blockerRow) string { return domain.UnmodelledReason },
			url:    func(_ ScopeSummary, r blockerRow) string { return idPath("/objects/", r.ID, "#mod-h") }},
		{kind: "requirement", list: paramList,
			reason: func(r blockerRow) string { return domain.ParamsReason(r.Aux) },
			url: func(s ScopeSummary, r blockerRow) string {
				return idPath("/scopes/", s.ID, "/parameters?requirement="+url.QueryEscape(r.RequirementID))
			}}},
	domain.GateCheck: {{kind: "check_entry", list: entryList(g5Blocks),
		reason: func(r blockerRow) string { return r.entry().CheckReason() },
		url:    func(_ ScopeSummary, r blockerRow) string { return idPath("/check-entries/", r.ID, "") }}},
	domain.GateRisk: {{kind: "risk_analysis", list: objectList(g6Blocks),
		reason: func(r blockerRow) string { return r.object().RiskReason() },
		url:    func(_ ScopeSummary, r blockerRow) string { return idPath("/objects/", r.ID, "/risk") }}},
	domain.GatePlan: {{kind: "plan_item", list: entryList(g7Blocks),
		reason: func(r blockerRow) string { return r.entry().PlanReason() }, url: planItemURL}},
	domain.GateEvidence: {
		{kind: "check_entry", list: entryList(g8Uncovered),
			reason: func(blockerRow) string { return domain.UncoveredReason },
			url:    func(_ ScopeSummary, r blockerRow) string { return idPath("/check-entries/", r.ID, "") }},
		{kind: "evidence", list: rejectedList,
			reason: func(r blockerRow) string { return domain.RejectedReason(r.ReviewedBy) },
			url:    func(_ ScopeSummary, r blockerRow) string { return idPath("/evidence/", r.ID, "") }}},
	domain.GateAudit: {{kind: "finding", list: findingList,
		reason: func(r blockerRow) string { return domain.FindingReason(r.Major, r.NoAction, r.NoDueDate) },
		url:    func(_ ScopeSummary, r blockerRow) string { return idPath("/findings/", r.ID, "") }}},
}

// BlockerCursor is a position in a gate's blocker list: the part of the
// gate and the sort key of the last blocker returned.
type BlockerCursor struct {
	Part int
	Sort int64
}

// String is the cursor as the API and the pages pass it.
func (c BlockerCursor) String() string {
	return strconv.Itoa(c.Part) + "." + strconv.FormatInt(c.Sort, 10)
}

// ParseBlockerCursor reads a cursor; "" is the start.
func ParseBlockerCursor(s string) (BlockerCursor, error) {
	if s == "" {
		return BlockerCursor{}, nil
	}
	part, sort, ok := strings.Cut(s, ".")
	p, err1 := strconv.Atoi(part)
	n, err2 := strconv.ParseInt(sort, 10, 64)
	if !ok || err1 != nil || err2 != nil || p < 0 || p > 10 || n < 0 {
		return BlockerCursor{}, domain.Invalid(domain.Violation{Pointer: "/cursor", Detail: "not a cursor of this list",
			German: "Ungültige Seitenangabe."})
	}
	return BlockerCursor{Part: p, Sort: n}, nil
}

// GateBlockers returns a page of the items that block a gate, each with
// its German reason and the page where it is fixed, after the cursor
// (zero: from the start), and the cursor of the next page (nil at the
// end). The list is exactly what Readiness counts as Blocking, under the
// same visibility and day.
func (db *DB) GateBlockers(ctx context.Context, scopeID int64, id domain.GateID, vis Visibility, today time.Time,
	after BlockerCursor, limit int) ([]domain.Blocker, *BlockerCursor, error) {
	if !id.Valid() {
		return nil, nil, domain.Errorf(domain.ErrNotFound, "no gate %q", id).De("Diesen Prüfpunkt gibt es nicht.")
	}
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	in, err := db.readinessInput(ctx, scopeID, vis, today)
	if err != nil {
		return nil, nil, err
	}
	return db.gateBlockers(ctx, in, id, after, limit, nil)
}

// gateBlockers pages a gate's blockers; m, when given, is the measurement
// they belong to, whose figures need not be read again.
func (db *DB) gateBlockers(ctx context.Context, in readinessInput, id domain.GateID, after BlockerCursor, limit int,
	m *measurement) ([]domain.Blocker, *BlockerCursor, error) {
	var found []placedBlocker
	var err error
	switch id {
	case domain.GateGuideline:
		found = placed(guidelineBlockers(in))
	case domain.GateCertificate:
		st := (*certificateState)(nil)
		if m != nil {
			st = m.g10
		} else if st, err = db.certificateBlockers(ctx, in); err != nil {
			return nil, nil, err
		}
		if st != nil {
			found = placed(st.blockers)
		}
	default:
		var counts *readinessCounts
		if m != nil {
			counts = &m.counts
		}
		if found, err = db.listedBlockers(ctx, in, id, after, limit, counts); err != nil {
			return nil, nil, err
		}
	}
	return pageOf(found, after, limit)
}

// placedBlocker is a blocker with its position in the gate's list.
type placedBlocker struct {
	domain.Blocker
	at BlockerCursor
}

func (c BlockerCursor) after(o BlockerCursor) bool {
	return c.Part > o.Part || c.Part == o.Part && c.Sort > o.Sort
}

// placed numbers a gate's blockers built in Go from 1.
func placed(bs []domain.Blocker) []placedBlocker {
	out := make([]placedBlocker, len(bs))
	for i, b := range bs {
		out[i] = placedBlocker{Blocker: b, at: BlockerCursor{Sort: int64(i + 1)}}
	}
	return out
}

// pageOf cuts the blockers (in list order) after the cursor to a page
// and says where the next page starts: nil when nothing follows.
func pageOf(found []placedBlocker, after BlockerCursor, limit int) ([]domain.Blocker, *BlockerCursor, error) {
	out := []domain.Blocker{}
	var last BlockerCursor
	for _, f := range found {
		if !f.at.after(after) {
			continue
		}
		if len(out) == limit {
			return out, &last, nil
		}
		out, last = append(out, f.Blocker), f.at
	}
	return out, nil, nil
}

// listedBlockers reads up to limit+1 blockers of a SQL-listed gate after
// the cursor, part by part.
func (db *DB) listedBlockers(ctx context.Context, in readinessInput, id domain.GateID, after BlockerCursor, limit int,
	counts *readinessCounts) ([]placedBlocker, error) {
	parts := gateParts[id]
	skip := map[int]bool{}
	if id == domain.GateEvidence {
		// The entries without evidence block only while the coverage is
		// short of the target: decided on the same counts as Readiness.
		if counts == nil {
			counts = &readinessCounts{}
			if err := db.getNamed(ctx, counts, entryCounts, in.args()); err != nil {
				return nil, fmt.Errorf("evidence coverage: %w", err)
			}
		}
		skip[0] = !domain.EvidenceShort(counts.Yes, counts.Yes-counts.Uncovered, in.coverageTarget())
	}
	var found []placedBlocker
	for p := after.Part; p < len(parts) && len(found) <= limit; p++ {
		if skip[p] {
			continue
		}
		part := parts[p]
		from := int64(0)
		if p == after.Part {
			from = after.Sort
		}
		args := in.args()
		args["after"], args["limit"] = from, limit+1-len(found)
		q, a := bindNamed(part.list, args)
		var rows []blockerRow
		if err := db.x.SelectContext(ctx, &rows, q, a...); err != nil {
			return nil, fmt.Errorf("blockers of %s: %w", id, err)
		}
		for _, r := range rows {
			found = append(found, placedBlocker{at: BlockerCursor{Part: p, Sort: r.Sort}, Blocker: domain.Blocker{Gate: id, Kind: part.kind,
				ID: r.ID, Label: r.Label, Reason: part.reason(r), DepartmentID: r.DepartmentID, DepartmentName: r.DepartmentName.String,
				URL: part.url(in.scope, r)}})
		}
	}
	return found, nil
}
