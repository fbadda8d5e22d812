package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// DeriveResult counts what a derivation changed.
type DeriveResult struct {
	Added       int
	Reactivated int
	Retired     int
}

// DeriveChecks brings the check entries of a scope's objects (all when
// objectIDs is nil; members of the given groups come along) in line with
// rule 2: the active requirements of the modules assigned to the object
// (or to its group), B always, S under the standard and core approaches,
// H under core, and under standard for an object with a high or very high
// need where its risk analysis chose them to reduce a risk. Entries that come into scope are added or
// reactivated, those that leave are retired (kept with their history).
// One statement does it all, whatever the number of entries.
func (tx *Tx) DeriveChecks(ctx context.Context, scopeID int64, objectIDs []int64) (DeriveResult, error) {
	var ids any
	if objectIDs != nil {
		ids = pq.Array(objectIDs)
	}
	var r DeriveResult
	var retired pq.Int64Array
	err := tx.x.QueryRowxContext(ctx, `
		WITH target AS (
			SELECT o.id, coalesce(o.group_id, o.id) AS model_id, o.group_id IS NOT NULL AS member
			FROM objects o
			WHERE o.scope_id = $1 AND ($2::bigint[] IS NULL OR o.id = ANY ($2) OR o.group_id = ANY ($2))
		),
		scope AS (
			SELECT s.approach, s.catalog_id, c.method = 'grundschutz_pp' AS pp
			FROM scopes s JOIN catalogs c ON c.id = s.catalog_id WHERE s.id = $1
		),
		-- An object is modelled by its own modules and by its group's. In a
		-- Grundschutz++ scope the scope object carries the whole requirement
		-- package: every module of the catalog (Methodik STM.2.1.1).
		modelled AS (
			SELECT t.id, t.model_id, t.member, om.catalog_id, om.module_id
			FROM target t JOIN object_modules om ON om.object_id = t.id
			UNION
			SELECT t.id, t.model_id, t.member, om.catalog_id, om.module_id
			FROM target t JOIN object_modules om ON om.object_id = t.model_id
			UNION
			SELECT t.id, t.model_id, t.member, m.catalog_id, m.id
			FROM target t JOIN objects o ON o.id = t.id AND o.type = 'scope'
			CROSS JOIN scope s JOIN catalog_modules m ON m.catalog_id = s.catalog_id
			WHERE s.pp
		),
		-- Each object meets a module once in modelled and a requirement
		-- belongs to one module, so wanted has no duplicates to remove.
		-- Kompendium: the levels the approach brings in (rule 2).
		-- Grundschutz++: every normal-SdT requirement; an "erhöht" one where
		-- the object's need is high or very high or the ISB raised it.
		wanted AS MATERIALIZED (
			SELECT t.id AS object_id, r.catalog_id, r.id AS requirement_id, r.module_id, r.level, r.obligation, t.member
			FROM modelled t
			JOIN catalog_requirements r ON r.catalog_id = t.catalog_id AND r.module_id = t.module_id AND NOT r.withdrawn
			CROSS JOIN scope s
			WHERE s.pp AND (r.level = 'standard'
			      OR EXISTS (SELECT 1 FROM object_needs n WHERE n.object_id = t.model_id AND n.effective >= 2)
			      OR EXISTS (SELECT 1 FROM scope_level_raises lr WHERE lr.scope_id = $1 AND lr.requirement_id = r.id))
			   OR NOT s.pp AND (r.level = 'basis'
			   OR r.level = 'standard' AND s.approach <> 'basic'
			   OR r.level = 'elevated' AND (s.approach = 'core' OR s.approach = 'standard'
			      AND EXISTS (SELECT 1 FROM object_needs n WHERE n.object_id = t.model_id AND n.effective >= 2)
			      AND EXISTS (
			        SELECT 1 FROM risk_item_requirements rir
			        JOIN risk_items ri ON ri.id = rir.item_id AND ri.treatment = 'reduce'
			        JOIN risk_analyses ra ON ra.id = ri.analysis_id
			        WHERE ra.object_id IN (t.id, t.model_id) AND rir.catalog_id = r.catalog_id AND rir.requirement_id = r.id)))
		),
		added AS (
			INSERT INTO check_entries (scope_id, object_id, catalog_id, requirement_id, module_id, level, obligation, follows_group)
			SELECT $1, w.object_id, w.catalog_id, w.requirement_id, w.module_id, w.level, w.obligation, w.member FROM wanted w
			ON CONFLICT (object_id, requirement_id) DO NOTHING
			RETURNING id
		),
		reactivated AS (
			UPDATE check_entries e SET active = true, retired_at = NULL, updated_at = now(), version = e.version + 1
			FROM wanted w
			WHERE e.object_id = w.object_id AND e.requirement_id = w.requirement_id AND NOT e.active
			RETURNING e.id
		),
		retired AS (
			UPDATE check_entries e SET active = false, retired_at = now(), updated_at = now(), version = e.version + 1
			WHERE e.scope_id = $1 AND e.active AND e.object_id IN (SELECT id FROM target)
			  AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.object_id = e.object_id AND w.requirement_id = e.requirement_id)
			RETURNING e.id
		)
		SELECT (SELECT count(*) FROM added), (SELECT count(*) FROM reactivated), (SELECT array_agg(id) FROM retired)`,
		scopeID, ids).Scan(&r.Added, &r.Reactivated, &retired)
	if err != nil {
		return r, fmt.Errorf("derive check entries: %w", err)
	}
	r.Retired = len(retired)
	if r == (DeriveResult{}) {
		return r, nil
	}
	// An acceptance that covers an entry leaving the scope no longer
	// describes what is checked.
	if err := tx.voidAcceptancesCovering(ctx, retired, domain.VoidEntryRetired); err != nil {
		return r, err
	}
	// New members' entries take their group's values at once.
	members, err := tx.copyGroupValues(ctx, scopeID, nil)
	if err != nil {
		return r, err
	}
	if err := tx.syncPlanItems(ctx, members); err != nil {
		return r, err
	}
	if err := tx.voidAcceptancesCovering(ctx, members, domain.VoidEntryChanged); err != nil {
		return r, err
	}
	return r, tx.Record("check.derive", "scope", scopeID, nil, map[string]any{
		"objects": objectIDs, "added": r.Added, "reactivated": r.Reactivated, "retired": r.Retired})
}

// copyGroupValues gives entries of group members that follow their group
// the values of the group's entry for the same requirement: all of a
// scope's (groupEntryIDs nil) or those of the given group entries (any
// scope: scopeID 0). Each changed member entry gets an audit record of
// its own, so its history is complete; their ids are returned.
func (tx *Tx) copyGroupValues(ctx context.Context, scopeID int64, groupEntryIDs []int64) ([]int64, error) {
	var ids any
	if groupEntryIDs != nil {
		ids = pq.Array(groupEntryIDs)
	}
	var before []entryRow
	err := tx.x.SelectContext(ctx, &before, entrySelect+`
		JOIN check_entries g ON g.object_id = o.group_id AND g.requirement_id = e.requirement_id
		WHERE ($1 = 0 OR e.scope_id = $1) AND e.follows_group AND ($2::bigint[] IS NULL OR g.id = ANY ($2))
		  AND (e.status, e.justification, e.implementation, e.responsible, e.implemented_on, e.target_date, e.last_review, e.next_review)
		      IS DISTINCT FROM
		      (g.status, g.justification, g.implementation, g.responsible, g.implemented_on, g.target_date, g.last_review, g.next_review)
		ORDER BY e.id FOR UPDATE OF e`,
		scopeID, ids)
	if err != nil || len(before) == 0 {
		return nil, err
	}
	members := make([]int64, len(before))
	for i, r := range before {
		members[i] = r.ID
	}
	if _, err := tx.x.ExecContext(ctx, `
		UPDATE check_entries m
		SET status = g.status, justification = g.justification, implementation = g.implementation, responsible = g.responsible,
		    implemented_on = g.implemented_on, target_date = g.target_date, last_review = g.last_review, next_review = g.next_review,
		    updated_at = now(), updated_by = g.updated_by, version = m.version + 1
		FROM objects mo, check_entries g
		WHERE m.id = ANY ($1) AND mo.id = m.object_id AND g.object_id = mo.group_id AND g.requirement_id = m.requirement_id`,
		pq.Array(members)); err != nil {
		return nil, fmt.Errorf("copy group values: %w", err)
	}
	var after []entryRow
	if err := tx.x.SelectContext(ctx, &after, entrySelect+` WHERE e.id = ANY ($1) ORDER BY e.id`, pq.Array(members)); err != nil {
		return nil, fmt.Errorf("read member entries: %w", err)
	}
	for i := range after {
		if err := tx.Record("check.update_by_group", "check_entry", after[i].ID, entryAudit(before[i].asDomain()), entryAudit(after[i].asDomain())); err != nil {
			return nil, err
		}
	}
	return members, nil
}

// entryRow scans a check entry with its object and requirement.
type entryRow struct {
	ID             int64          `db:"id"`
	ScopeID        int64          `db:"scope_id"`
	ObjectID       int64          `db:"object_id"`
	ObjectShortID  string         `db:"short_id"`
	ObjectName     string         `db:"object_name"`
	ObjectType     string         `db:"object_type"`
	DepartmentID   *int64         `db:"department_id"`
	DepartmentName sql.NullString `db:"department_name"`
	CatalogID      int64          `db:"catalog_id"`
	RequirementID  string         `db:"requirement_id"`
	Title          string         `db:"title"`
	ModuleID       string         `db:"module_id"`
	Level          string         `db:"level"`
	Active         bool           `db:"active"`
	RetiredAt      *time.Time     `db:"retired_at"`
	FollowsGroup   bool           `db:"follows_group"`
	Status         string         `db:"status"`
	Justification  string         `db:"justification"`
	Implementation string         `db:"implementation"`
	Responsible    string         `db:"responsible"`
	ImplementedOn  *time.Time     `db:"implemented_on"`
	TargetDate     *time.Time     `db:"target_date"`
	LastReview     *time.Time     `db:"last_review"`
	NextReview     *time.Time     `db:"next_review"`
	UpdatedAt      time.Time      `db:"updated_at"`
	UpdatedBy      string         `db:"updated_by"`
	Version        int            `db:"version"`
	Obligation     sql.NullString `db:"obligation"`
	Effort         *int           `db:"effort"`
	ExceptionID    *int64         `db:"exception_id"`
	ExceptionUntil *time.Time     `db:"exception_until"`
}

func (r entryRow) asDomain() domain.CheckEntry {
	return domain.CheckEntry{ID: r.ID, ScopeID: r.ScopeID, ObjectID: r.ObjectID, ObjectShortID: r.ObjectShortID, ObjectName: r.ObjectName,
		ObjectType: domain.ObjectType(r.ObjectType), DepartmentID: r.DepartmentID, DepartmentName: r.DepartmentName.String,
		CatalogID: r.CatalogID, RequirementID: r.RequirementID, Title: r.Title, ModuleID: r.ModuleID, Level: domain.Level(r.Level),
		Active: r.Active, RetiredAt: r.RetiredAt, FollowsGroup: r.FollowsGroup, Status: domain.Status(r.Status),
		Justification: r.Justification, Implementation: r.Implementation, Responsible: r.Responsible, ImplementedOn: r.ImplementedOn,
		TargetDate: r.TargetDate, LastReview: r.LastReview, NextReview: r.NextReview, UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy,
		Version: r.Version, Obligation: domain.Obligation(r.Obligation.String), ExceptionID: r.ExceptionID, ExceptionUntil: r.ExceptionUntil,
		Effort: r.Effort}
}

const entrySelect = `
	SELECT e.id, e.scope_id, e.object_id, o.short_id, o.name AS object_name, o.type AS object_type, o.department_id,
	       d.name AS department_name, e.catalog_id, e.requirement_id, r.title, e.module_id, e.level, e.active, e.retired_at,
	       e.follows_group, e.status, e.justification, e.implementation, e.responsible, e.implemented_on, e.target_date,
	       e.last_review, e.next_review, e.updated_at, e.updated_by, e.version,
	       e.obligation, r.effort, xc.id AS exception_id, xc.valid_until AS exception_until
	FROM check_entries e
	JOIN objects o ON o.id = e.object_id
	LEFT JOIN departments d ON d.id = o.department_id
	JOIN catalog_requirements r ON r.catalog_id = e.catalog_id AND r.id = e.requirement_id
	LEFT JOIN check_exceptions xc ON xc.entry_id = e.id AND xc.revoked_at IS NULL`

// ListEntries returns a page of a scope's visible check entries and the
// cursor of the next page (0 at the end). The cursor is the id of the
// page's last entry in either order.
func (db *DB) ListEntries(ctx context.Context, scopeID int64, f domain.EntryFilter, vis Visibility) ([]domain.CheckEntry, int64, error) {
	return listEntries(ctx, db.x, scopeID, f, vis)
}

// ListEntries is DB.ListEntries within the transaction, which sees its
// own changes: for writers that work through many entries at once.
func (tx *Tx) ListEntries(ctx context.Context, scopeID int64, f domain.EntryFilter, vis Visibility) ([]domain.CheckEntry, int64, error) {
	return listEntries(ctx, tx.x, scopeID, f, vis)
}

func listEntries(ctx context.Context, q sqlx.QueryerContext, scopeID int64, f domain.EntryFilter, vis Visibility) ([]domain.CheckEntry, int64, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	departments, err := resolveDepartments(ctx, q, f.DepartmentID, vis)
	if err != nil || departments != nil && len(departments) == 0 {
		return nil, 0, err
	}
	order, after := "e.id", "e.id > $12"
	if f.Order == "object" {
		order = "o.short_id, e.object_id, r.ord, e.id"
		after = `($12 = 0 OR (o.short_id, e.object_id, r.ord, e.id) > (
			SELECT ao.short_id, ae.object_id, ar.ord, ae.id FROM check_entries ae
			JOIN objects ao ON ao.id = ae.object_id
			JOIN catalog_requirements ar ON ar.catalog_id = ae.catalog_id AND ar.id = ae.requirement_id
			WHERE ae.id = $12))`
	}
	var rows []entryRow
	err = sqlx.SelectContext(ctx, q, &rows, entrySelect+`
		WHERE e.scope_id = $1 AND `+entryConditions+` AND `+after+`
		ORDER BY `+order+` LIMIT $13`,
		append(entryArgs(scopeID, f, departments), f.After, f.Limit+1)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list check entries: %w", err)
	}
	rows, next := keysetPage(rows, f.Limit, func(r entryRow) int64 { return r.ID })
	return asDomainAll(rows), next, nil
}

// entryConditions are the filters of ListEntries and CountEntries, with
// the parameters of entryArgs ($1 is the scope).
const entryConditions = `($2::bigint[] IS NULL OR o.department_id = ANY ($2))
	AND ($3 OR e.active)
	AND ($4 = '' OR e.status = $4)
	AND ($5 = 0 OR e.object_id = $5)
	AND ($6 = '' OR e.module_id = $6)
	AND ($7 = '' OR e.level = $7)
	AND ($8 = '' OR e.responsible <> '' AND e.responsible ILIKE $8)
	AND ($9::date IS NULL OR e.next_review < $9)
	AND ($10 = '' OR e.obligation = $10)
	AND ($11::int IS NULL OR EXISTS (SELECT 1 FROM catalog_requirements fr
	     WHERE fr.catalog_id = e.catalog_id AND fr.id = e.requirement_id AND fr.effort = $11))`

// entryArgs are $1 to $11 of entryConditions.
func entryArgs(scopeID int64, f domain.EntryFilter, departments []int64) []any {
	var today, deps any
	if f.ReviewOverdue {
		today = f.Today
	}
	if departments != nil {
		deps = pq.Array(departments)
	}
	return []any{scopeID, deps, f.IncludeRetired, string(f.Status), f.ObjectID, f.ModuleID, string(f.Level),
		likePattern(f.Responsible), today, string(f.Obligation), f.Effort}
}

// resolveDepartments resolves the department filter and the reader's
// visibility to one list of departments before the query: the planner
// then sees how many objects they hold, and an empty intersection costs
// no scan of the entries. Nil means no limit (objects without a
// department included).
func resolveDepartments(ctx context.Context, q sqlx.QueryerContext, departmentID int64, vis Visibility) ([]int64, error) {
	if departmentID == 0 && vis.All {
		return nil, nil
	}
	ids := pq.Int64Array{}
	err := sqlx.GetContext(ctx, q, &ids, `
		SELECT coalesce(array_agg(d.id), '{}') FROM departments d
		WHERE ($1 = 0 OR d.id IN (SELECT id FROM department_subtree(ARRAY[$1]::bigint[])))
		  AND ($2::bigint[] IS NULL OR d.id IN (SELECT id FROM department_subtree($2)))`,
		departmentID, vis.arg())
	if err != nil {
		return nil, fmt.Errorf("departments of the check filter: %w", err)
	}
	return []int64(ids), nil
}

// EntryByID returns one visible entry.
func (db *DB) EntryByID(ctx context.Context, id int64, vis Visibility) (domain.CheckEntry, error) {
	return getDomain[entryRow](ctx, db.x, errEntryNotFound(id), entrySelect+` WHERE e.id = $1 AND `+visibleObject(2), id, vis.arg())
}

func errEntryNotFound(id int64) error {
	return domain.Errorf(domain.ErrNotFound, "no check entry %d", id).De("Diesen Eintrag des IT-Grundschutz-Checks gibt es nicht.")
}

// EntryUpdate is one entry of a (bulk) change with the version its writer saw.
type EntryUpdate struct {
	ID      int64
	Version int
	Change  domain.EntryChange
}

// ItemError is the refusal of one item of a bulk change.
type ItemError struct {
	Index  int
	Field  string
	Kind   error // domain.ErrInvalid, ErrNotFound or ErrPreconditionFailed
	Detail string
	German string
}

// UpdateEntries applies changes to check entries, all or nothing: every
// item is checked first, and any refusal changes nothing and is returned
// with its index. Each changed entry gets an audit record; group entries
// carry their values to the members that follow them; partial and
// unfulfilled entries get an item in the implementation plan, entries
// that become fulfilled close theirs; risk acceptances that cover a
// changed entry become void. With a scopeID other than 0 (a bulk of a
// scope), the entries are named by the request: one the writer may not
// see or of another scope is not found, like a missing one, and the whole
// bulk is refused with ErrNotFound listing them at /items/<index>/id.
func (tx *Tx) UpdateEntries(ctx context.Context, scopeID int64, items []EntryUpdate, vis Visibility, by string) ([]domain.CheckEntry, []ItemError, error) {
	ids := make([]int64, len(items))
	refs := make([]Ref, len(items))
	for i, it := range items {
		ids[i], refs[i] = it.ID, Ref{Kind: RefCheckEntry, ID: it.ID, Pointer: fmt.Sprintf("/items/%d/id", i)}
	}
	if scopeID != 0 {
		if err := tx.resolve(ctx, scopeID, vis, refs...); err != nil {
			return nil, nil, err
		}
	}
	var rows []entryRow
	if err := tx.x.SelectContext(ctx, &rows, entrySelect+` WHERE e.id = ANY ($1) AND ($3 = 0 OR e.scope_id = $3) AND `+visibleObject(2)+`
		ORDER BY e.id FOR UPDATE OF e`, pq.Array(ids), vis.arg(), scopeID); err != nil {
		return nil, nil, fmt.Errorf("read check entries: %w", err)
	}
	current := map[int64]domain.CheckEntry{}
	for _, r := range rows {
		current[r.ID] = r.asDomain()
	}
	groups, err := tx.groupEntries(ctx, items)
	if err != nil {
		return nil, nil, err
	}
	var errs []ItemError
	seen := map[int64]bool{}
	next := make([]domain.CheckEntry, 0, len(items))
	for i, it := range items {
		cur, ok := current[it.ID]
		switch {
		case !ok:
			errs = append(errs, ItemError{Index: i, Field: "id", Kind: domain.ErrNotFound, Detail: fmt.Sprintf("no check entry %d", it.ID),
				German: "Diesen Eintrag gibt es nicht."})
			continue
		case seen[it.ID]:
			errs = append(errs, ItemError{Index: i, Field: "id", Kind: domain.ErrInvalid, Detail: "the entry is listed twice", German: "Der Eintrag steht doppelt in der Liste."})
			continue
		case it.Version != cur.Version: // strictly, as every item of a bulk names its version
			name := recordName{fmt.Sprintf("entry %d", it.ID), "Der Eintrag"}
			stale := name.errStale(cur.Version, it.Version)
			errs = append(errs, ItemError{Index: i, Field: "version", Kind: stale.Kind, Detail: stale.Message, German: name.changed()})
			continue
		case !cur.Active:
			errs = append(errs, ItemError{Index: i, Field: "id", Kind: domain.ErrInvalid, Detail: "the entry is retired: its requirement left the object's scope",
				German: "Der Eintrag ist stillgelegt: Die Anforderung gehört nicht mehr zum Prüfumfang."})
			continue
		}
		seen[it.ID] = true
		n := it.Change.Apply(cur)
		if it.Change.FollowGroup {
			group := groups[it.ID]
			if group == nil {
				errs = append(errs, ItemError{Index: i, Field: "follow_group", Kind: domain.ErrInvalid,
					Detail: "the object is no member of a group with this requirement",
					German: "Das Zielobjekt gehört zu keiner Gruppe, deren Check diese Anforderung enthält."})
				continue
			}
			n = n.Follow(*group)
		}
		for _, v := range n.Validate() {
			errs = append(errs, ItemError{Index: i, Field: strings.TrimPrefix(v.Pointer, "/"), Kind: domain.ErrInvalid, Detail: v.Detail, German: v.German})
		}
		next = append(next, n)
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	if err := tx.writeEntries(ctx, next, current, by); err != nil {
		return nil, nil, err
	}
	return next, nil, nil
}

// groupEntries returns, for the items that set a member's entry back to
// following its group, the group's entry for the same requirement.
func (tx *Tx) groupEntries(ctx context.Context, items []EntryUpdate) (map[int64]*domain.CheckEntry, error) {
	var members []int64
	for _, it := range items {
		if it.Change.FollowGroup {
			members = append(members, it.ID)
		}
	}
	out := map[int64]*domain.CheckEntry{}
	if len(members) == 0 {
		return out, nil
	}
	var rows []struct {
		entryRow
		MemberID int64 `db:"member_id"`
	}
	err := tx.x.SelectContext(ctx, &rows, `
		SELECT g.*, m.id AS member_id FROM check_entries m
		JOIN objects mo ON mo.id = m.object_id
		JOIN LATERAL (`+entrySelect+` WHERE e.object_id = mo.group_id AND e.requirement_id = m.requirement_id) g ON true
		WHERE m.id = ANY ($1)`, pq.Array(members))
	if err != nil {
		return nil, fmt.Errorf("read group entries: %w", err)
	}
	for _, r := range rows {
		g := r.asDomain()
		out[r.MemberID] = &g
	}
	return out, nil
}

// writeEntries stores checked entries in bulk with their consequences.
func (tx *Tx) writeEntries(ctx context.Context, next []domain.CheckEntry, before map[int64]domain.CheckEntry, by string) error {
	if len(next) == 0 {
		return nil
	}
	n := len(next)
	ids, statuses := make([]int64, n), make([]string, n)
	justs, impls, resps := make([]string, n), make([]string, n), make([]string, n)
	follows := make([]bool, n)
	dates := [4][]*time.Time{make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n)}
	for i, e := range next {
		ids[i], statuses[i], justs[i], impls[i], resps[i], follows[i] = e.ID, string(e.Status), e.Justification, e.Implementation, e.Responsible, e.FollowsGroup
		dates[0][i], dates[1][i], dates[2][i], dates[3][i] = e.ImplementedOn, e.TargetDate, e.LastReview, e.NextReview
	}
	var versions []struct {
		ID      int64 `db:"id"`
		Version int   `db:"version"`
	}
	err := tx.x.SelectContext(ctx, &versions, `
		UPDATE check_entries e SET status = u.status, justification = u.justification, implementation = u.implementation,
		       responsible = u.responsible, implemented_on = u.implemented_on, target_date = u.target_date,
		       last_review = u.last_review, next_review = u.next_review, follows_group = u.follows,
		       updated_at = now(), updated_by = $11, version = e.version + 1
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::date[], $8::date[], $9::date[], $10::boolean[])
		     AS u(id, status, justification, implementation, responsible, implemented_on, target_date, last_review, next_review, follows)
		WHERE e.id = u.id RETURNING e.id, e.version`,
		pq.Array(ids), pq.Array(statuses), pq.Array(justs), pq.Array(impls), pq.Array(resps),
		dateArray(dates[0]), dateArray(dates[1]), dateArray(dates[2]), dateArray(dates[3]), pq.Array(follows), by)
	if err != nil {
		return fmt.Errorf("store check entries: %w", mapError(err))
	}
	version := map[int64]int{}
	for _, v := range versions {
		version[v.ID] = v.Version
	}
	for i := range next {
		next[i].Version, next[i].UpdatedBy = version[next[i].ID], by
		if err := tx.Record("check.update", "check_entry", next[i].ID, entryAudit(before[next[i].ID]), entryAudit(next[i])); err != nil {
			return err
		}
	}
	// Group entries carry their values to the members that follow them.
	members, err := tx.copyGroupValues(ctx, 0, ids)
	if err != nil {
		return err
	}
	affected := append(ids, members...)
	if err := tx.syncPlanItems(ctx, affected); err != nil {
		return err
	}
	return tx.voidAcceptancesCovering(ctx, affected, domain.VoidEntryChanged)
}

// syncPlanItems keeps the implementation plan in step with the entries:
// a partial or unfulfilled entry has an open item (created or reopened;
// an owner or due date it lacks comes from the entry), any other entry
// has its item closed: fulfilled, dispensable or back to open, it needs
// no measure.
func (tx *Tx) syncPlanItems(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := tx.x.ExecContext(ctx, `
		INSERT INTO plan_items (entry_id, measure, owner, due_date)
		SELECT e.id, 'Umsetzung von ' || e.requirement_id || ' ' || r.title, e.responsible, e.target_date
		FROM check_entries e JOIN catalog_requirements r ON r.catalog_id = e.catalog_id AND r.id = e.requirement_id
		WHERE e.id = ANY ($1) AND e.status IN ('partial', 'no')
		ON CONFLICT (entry_id) DO UPDATE
		SET state = CASE WHEN plan_items.state = 'done' THEN 'planned' ELSE plan_items.state END,
		    closed_at = NULL,
		    owner = CASE WHEN plan_items.owner = '' THEN excluded.owner ELSE plan_items.owner END,
		    due_date = coalesce(plan_items.due_date, excluded.due_date),
		    updated_at = now(), version = plan_items.version + 1
		WHERE plan_items.state = 'done' OR plan_items.owner = '' AND excluded.owner <> ''
		   OR plan_items.due_date IS NULL AND excluded.due_date IS NOT NULL`, pq.Array(ids)); err != nil {
		return fmt.Errorf("plan items: %w", err)
	}
	if _, err := tx.x.ExecContext(ctx, `
		UPDATE plan_items p SET state = 'done', closed_at = now(), updated_at = now(), version = p.version + 1
		FROM check_entries e WHERE e.id = p.entry_id AND e.id = ANY ($1) AND e.status NOT IN ('partial', 'no') AND p.state <> 'done'`,
		pq.Array(ids)); err != nil {
		return fmt.Errorf("close plan items: %w", err)
	}
	return nil
}

// voidAcceptancesCovering voids the valid risk acceptances that cover one
// of the entries: what was accepted is no longer what is.
func (tx *Tx) voidAcceptancesCovering(ctx context.Context, entryIDs []int64, reason string) error {
	if len(entryIDs) == 0 {
		return nil
	}
	var voided []int64
	err := tx.x.SelectContext(ctx, &voided, `
		UPDATE risk_acceptances a SET voided_at = now(), voided_reason = $2
		WHERE a.voided_at IS NULL AND EXISTS (SELECT 1 FROM risk_acceptance_entries x WHERE x.acceptance_id = a.id AND x.entry_id = ANY ($1))
		RETURNING a.id`, pq.Array(entryIDs), reason)
	if err != nil {
		return fmt.Errorf("void acceptances: %w", err)
	}
	for _, id := range voided {
		if err := tx.Record("risk.acceptance_void", "risk_acceptance", id, nil, map[string]string{"reason": reason}); err != nil {
			return err
		}
	}
	return nil
}

// entryAudit is what the audit trail keeps of an entry.
func entryAudit(e domain.CheckEntry) map[string]any {
	return map[string]any{"object": e.ObjectShortID, "requirement": e.RequirementID, "status": e.Status,
		"justification": e.Justification, "implementation": e.Implementation, "responsible": e.Responsible,
		"implemented_on": e.ImplementedOn, "target_date": e.TargetDate, "last_review": e.LastReview, "next_review": e.NextReview,
		"follows_group": e.FollowsGroup}
}

func dateArray(ds []*time.Time) any {
	out := make([]sql.NullString, len(ds))
	for i, d := range ds {
		if d != nil {
			out[i] = sql.NullString{String: d.Format("2006-01-02"), Valid: true}
		}
	}
	return pq.Array(out)
}
