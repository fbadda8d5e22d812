package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"ismsd/internal/domain"
)

type planRow struct {
	ID             int64          `db:"id"`
	EntryID        int64          `db:"entry_id"`
	ScopeID        int64          `db:"scope_id"`
	ObjectID       int64          `db:"object_id"`
	ObjectShortID  string         `db:"short_id"`
	ObjectName     string         `db:"object_name"`
	DepartmentID   *int64         `db:"department_id"`
	DepartmentName sql.NullString `db:"department_name"`
	RequirementID  string         `db:"requirement_id"`
	Title          string         `db:"title"`
	Level          string         `db:"level"`
	Obligation     sql.NullString `db:"obligation"`
	EntryStatus    string         `db:"entry_status"`
	Measure        string         `db:"measure"`
	Owner          string         `db:"owner"`
	DueDate        *time.Time     `db:"due_date"`
	Budget         sql.NullString `db:"budget"`
	Priority       int            `db:"priority"`
	State          string         `db:"state"`
	ClosedAt       *time.Time     `db:"closed_at"`
	Version        int            `db:"version"`
}

func (r planRow) asDomain() domain.PlanItem {
	p := domain.PlanItem{ID: r.ID, EntryID: r.EntryID, ScopeID: r.ScopeID, ObjectID: r.ObjectID, ObjectShortID: r.ObjectShortID,
		ObjectName: r.ObjectName, DepartmentID: r.DepartmentID, DepartmentName: r.DepartmentName.String, RequirementID: r.RequirementID,
		Title: r.Title, Level: domain.Level(r.Level), Obligation: domain.Obligation(r.Obligation.String), EntryStatus: domain.Status(r.EntryStatus), Measure: r.Measure, Owner: r.Owner,
		DueDate: r.DueDate, Priority: r.Priority, State: domain.PlanState(r.State), ClosedAt: r.ClosedAt, Version: r.Version}
	if r.Budget.Valid {
		if c, err := parseCents(r.Budget.String); err == nil {
			p.BudgetCents = &c
		}
	}
	return p
}

// parseCents reads a numeric(12,2) as euro cents without floating point.
func parseCents(s string) (int64, error) {
	whole, frac, _ := strings.Cut(s, ".")
	frac = (frac + "00")[:2]
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err
}

func centsText(c *int64) any {
	if c == nil {
		return nil
	}
	return fmt.Sprintf("%d.%02d", *c/100, *c%100)
}

const planSelect = `
	SELECT p.id, p.entry_id, e.scope_id, e.object_id, o.short_id, o.name AS object_name, o.department_id, d.name AS department_name,
	       e.requirement_id, r.title, e.level, e.obligation, e.status AS entry_status, p.measure, p.owner, p.due_date, p.budget_eur::text AS budget,
	       p.priority, p.state, p.closed_at, p.version
	FROM plan_items p
	JOIN check_entries e ON e.id = p.entry_id
	JOIN objects o ON o.id = e.object_id
	LEFT JOIN departments d ON d.id = o.department_id
	JOIN catalog_requirements r ON r.catalog_id = e.catalog_id AND r.id = e.requirement_id`

// ListPlanItems returns a page of the visible measures, by due date (those
// without one last), and the cursor of the next page (0 at the end): the
// id of the page's last item.
func (db *DB) ListPlanItems(ctx context.Context, scopeID int64, f domain.PlanFilter, vis Visibility) ([]domain.PlanItem, int64, error) {
	return listPlanItems(ctx, db.x, scopeID, f, vis)
}

// ListPlanItems is DB.ListPlanItems within the transaction, which sees
// its own changes.
func (tx *Tx) ListPlanItems(ctx context.Context, scopeID int64, f domain.PlanFilter, vis Visibility) ([]domain.PlanItem, int64, error) {
	return listPlanItems(ctx, tx.x, scopeID, f, vis)
}

func listPlanItems(ctx context.Context, q sqlx.QueryerContext, scopeID int64, f domain.PlanFilter, vis Visibility) ([]domain.PlanItem, int64, error) {
	if f.State == domain.PlanDone {
		f.IncludeDone = true // asking for done measures is asking to see them
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	var month any
	if f.DueMonth != "" {
		t, err := time.Parse("2006-01", f.DueMonth)
		if err != nil {
			return nil, 0, domain.Invalid(domain.Violation{Pointer: "/month", Detail: "want a month as 2006-01", German: "Bitte einen Monat angeben."})
		}
		month = t
	}
	var today any
	if f.OverdueOnly {
		today = f.Today
	}
	var rows []planRow
	err := sqlx.SelectContext(ctx, q, &rows, planSelect+`
		WHERE e.scope_id = $1 AND e.active AND `+visibleObject(2)+`
		  AND ($3 = '' OR p.owner ILIKE $3)
		  AND ($4 = 0 OR o.department_id IN (SELECT id FROM department_subtree(ARRAY[$4]::bigint[])))
		  AND ($5::date IS NULL OR date_trunc('month', p.due_date) = $5::date)
		  AND ($6 = '' OR p.state = $6)
		  AND ($7 OR p.state <> 'done')
		  AND ($8::date IS NULL OR p.due_date < $8 AND p.state <> 'done')
		  AND ($9 = 0 OR (coalesce(p.due_date, 'infinity'), p.id) > (SELECT coalesce(due_date, 'infinity'), id FROM plan_items WHERE id = $9))
		ORDER BY coalesce(p.due_date, 'infinity'), p.id LIMIT $10`,
		scopeID, vis.arg(), likePattern(f.Owner), f.DepartmentID, month, string(f.State), f.IncludeDone, today, f.After, f.Limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("list plan items: %w", err)
	}
	rows, next := keysetPage(rows, f.Limit, func(r planRow) int64 { return r.ID })
	return asDomainAll(rows), next, nil
}

// PlanGroup sums the open measures of one owner, department or due month.
type PlanGroup struct {
	Key         string `db:"key"` // owner name, department id, or month "2026-12" ("" for none)
	Label       string `db:"label"`
	Open        int    `db:"open"`
	Overdue     int    `db:"overdue"`
	BudgetCents int64  `db:"-"`
	Budget      string `db:"budget"`
}

// PlanSummary groups the open visible measures by "owner", "department"
// or "month", in SQL.
func (db *DB) PlanSummary(ctx context.Context, scopeID int64, by string, today time.Time, vis Visibility) ([]PlanGroup, error) {
	groupings := map[string][2]string{ // key, label
		"owner":      {"p.owner", "p.owner"},
		"department": {"coalesce(o.department_id::text, '')", "coalesce(min(d.name), '')"},
		"month":      {"coalesce(to_char(p.due_date, 'YYYY-MM'), '')", "coalesce(to_char(min(p.due_date), 'YYYY-MM'), '')"},
	}
	g, ok := groupings[by]
	if !ok {
		return nil, domain.Invalid(domain.Violation{Pointer: "/by", Detail: "group by owner, department or month", German: "Unbekannte Gruppierung."})
	}
	key, label := g[0], g[1]
	var gs []PlanGroup
	err := db.x.SelectContext(ctx, &gs, `
		SELECT `+key+` AS key, `+label+` AS label, count(*) AS open,
		       count(*) FILTER (WHERE p.due_date < $3) AS overdue, coalesce(sum(p.budget_eur), 0)::text AS budget
		FROM plan_items p
		JOIN check_entries e ON e.id = p.entry_id
		JOIN objects o ON o.id = e.object_id
		LEFT JOIN departments d ON d.id = o.department_id
		WHERE e.scope_id = $1 AND e.active AND p.state <> 'done' AND `+visibleObject(2)+`
		GROUP BY 1 ORDER BY 1`, scopeID, vis.arg(), today)
	for i := range gs {
		gs[i].BudgetCents, _ = parseCents(gs[i].Budget)
	}
	return gs, err
}

// PlanItemByID returns one visible measure.
func (db *DB) PlanItemByID(ctx context.Context, id int64, vis Visibility) (domain.PlanItem, error) {
	notFound := domain.Errorf(domain.ErrNotFound, "no plan item %d", id).De("Diese Maßnahme gibt es nicht.")
	return getDomain[planRow](ctx, db.x, notFound, planSelect+` WHERE p.id = $1 AND `+visibleObject(2), id, vis.arg())
}

// lockPlanItem reads a measure the writer may see for a change at version.
func (tx *Tx) lockPlanItem(ctx context.Context, id int64, version int, vis Visibility) (domain.PlanItem, error) {
	return lockVersion(recordName{fmt.Sprintf("plan item %d", id), "Die Maßnahme"}, version, func() (domain.PlanItem, int, error) {
		var r planRow
		err := tx.x.GetContext(ctx, &r, planSelect+` WHERE p.id = $1 AND `+visibleObject(2)+` FOR UPDATE OF p`, id, vis.arg())
		if errors.Is(err, sql.ErrNoRows) {
			return domain.PlanItem{}, 0, domain.Errorf(domain.ErrNotFound, "no plan item %d", id).De("Diese Maßnahme gibt es nicht.")
		}
		p := r.asDomain()
		return p, p.Version, err
	})
}

// UpdatePlanItem changes a measure if it is still at version.
func (tx *Tx) UpdatePlanItem(ctx context.Context, id int64, version int, ch domain.PlanChange, vis Visibility) (domain.PlanItem, error) {
	before, err := tx.lockPlanItem(ctx, id, version, vis)
	if err != nil {
		return before, err
	}
	p := ch.Apply(before)
	vs := p.Validate()
	// The plan follows the check: a measure is done when its requirement
	// is met, and that is recorded on the entry, with its evidence.
	if p.State == domain.PlanDone && before.State != domain.PlanDone && p.EntryStatus.Unfulfilled() {
		vs = append(vs, domain.Violation{Pointer: "/state", Detail: "a measure is done when its check entry is fulfilled; set the entry to yes",
			German: "Eine Maßnahme ist erledigt, wenn ihre Anforderung erfüllt ist: Bitte den Eintrag im IT-Grundschutz-Check auf „ja“ setzen."})
	}
	if len(vs) > 0 {
		return before, domain.Invalid(vs...)
	}
	err = tx.x.GetContext(ctx, &p.Version, `
		UPDATE plan_items SET measure = $2, owner = $3, due_date = $4, budget_eur = $5::numeric, priority = $6, state = $7,
		       closed_at = CASE WHEN $7 = 'done' THEN coalesce(closed_at, now()) END, updated_at = now(), version = version + 1
		WHERE id = $1 RETURNING version`,
		id, p.Measure, p.Owner, p.DueDate, centsText(p.BudgetCents), p.Priority, string(p.State))
	if err != nil {
		return before, mapError(err)
	}
	return p, tx.Record("plan.update", "plan_item", id, before, p)
}
