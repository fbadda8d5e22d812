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

// The parameters of a Grundschutz++ scope (Methodik STM.5.1): every
// {{ insert: param }} of a requirement in the scope's package gets a value
// per scope. The package is what the check holds: the requirements with
// an active entry on any object of the scope. The values are entered as
// one set, whose version (scopes.params_version) guards every change.

// ParamRequirement is a requirement that inserts a parameter.
type ParamRequirement struct {
	ID    string      `json:"id"`
	Title string      `json:"title"`
	Text  domain.Text `json:"text"`
}

// ScopeParam is a parameter of the scope's package with the scope's value.
type ScopeParam struct {
	ParamID      string             `db:"param_id"`
	Label        string             `db:"label"`  // the BSI's prompt
	Preset       string             `db:"preset"` // a value the catalog or profile gives, or ""
	Value        sql.NullString     `db:"value"`  // the scope's own value
	UpdatedBy    sql.NullString     `db:"updated_by"`
	UpdatedAt    *time.Time         `db:"updated_at"`
	Requirements []ParamRequirement `db:"-"`
	Reqs         []byte             `db:"requirements"`
}

// Effective is the value the requirement text shows: the scope's own,
// else the preset; "" while the parameter is unset.
func (p ScopeParam) Effective() string {
	if p.Value.Valid {
		return p.Value.String
	}
	return p.Preset
}

// Unset tells whether the parameter has neither a value of the scope nor
// a preset: such a parameter blocks readiness.
func (p ScopeParam) Unset() bool { return p.Effective() == "" }

// ScopeParams is a page of the scope's parameters.
type ScopeParams struct {
	ScopeID int64
	Version int // of the whole set of values: the ETag
	Total   int // parameters matching the filter
	All     int // parameters of the package
	Unset   int // of those, without value and preset
	Items   []ScopeParam
}

// errNoParams refuses the parameters of a scope whose catalog is applied
// with BSI-Standard 200-2: its requirements insert no parameters.
func errNoParams(scopeID int64) error {
	return domain.Errorf(domain.ErrConflict, "scope %d is not a Grundschutz++ scope: the scope's catalog has no parameters", scopeID).
		De("Der Katalog dieses Informationsverbunds kennt keine Parameter; Parameter gibt es nur in Grundschutz++-Informationsverbünden.")
}

// paramsHead reads the scope's method and the version of its values.
func paramsHead(ctx context.Context, q interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}, scopeID int64, lock bool) (int, error) {
	var head struct {
		Version int           `db:"params_version"`
		Method  domain.Method `db:"method"`
	}
	query := `SELECT s.params_version, c.method FROM scopes s JOIN catalogs c ON c.id = s.catalog_id WHERE s.id = $1`
	if lock {
		query += ` FOR NO KEY UPDATE OF s`
	}
	err := q.GetContext(ctx, &head, query, scopeID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, domain.Errorf(domain.ErrNotFound, "no scope %d", scopeID).De("Diesen Informationsverbund gibt es nicht.")
	}
	if err != nil {
		return 0, fmt.Errorf("read scope parameters: %w", err)
	}
	if head.Method != domain.MethodPlusPlus {
		return 0, errNoParams(scopeID)
	}
	return head.Version, nil
}

// scopeParamsBase gathers the parameters of scope $1's package, each
// with its label and preset as its first requirement (in catalog order)
// gives them, the scope's value, and the requirements that insert it;
// $2: unset only, $3: a requirement id prefix. "listed" holds them all,
// "matches" says which the filter keeps.
const scopeParamsBase = `
	WITH pkg AS (
		SELECT DISTINCT e.catalog_id, e.requirement_id FROM check_entries e WHERE e.scope_id = $1 AND e.active
	),
	params AS (
		SELECT rp.param_id,
		       (array_agg(rp.label ORDER BY r.ord, r.id))[1] AS label,
		       (array_agg(rp.preset ORDER BY r.ord, r.id))[1] AS preset,
		       min(r.ord) AS ord,
		       jsonb_agg(jsonb_build_object('id', r.id, 'title', r.title, 'text', r.body) ORDER BY r.ord, r.id) AS requirements,
		       bool_or($3 = '' OR r.id ILIKE replace(replace(replace($3, '\', '\\'), '%', '\%'), '_', '\_') || '%') AS prefix
		FROM pkg
		JOIN catalog_requirement_params rp ON rp.catalog_id = pkg.catalog_id AND rp.requirement_id = pkg.requirement_id
		JOIN catalog_requirements r ON r.catalog_id = rp.catalog_id AND r.id = rp.requirement_id
		GROUP BY rp.param_id
	),
	listed AS (
		SELECT p.*, v.value, v.updated_by, v.updated_at, v.value IS NULL AND p.preset = '' AS unset
		FROM params p LEFT JOIN scope_params v ON v.scope_id = $1 AND v.param_id = p.param_id
	),
	filtered AS (
		SELECT l.*, l.prefix AND (NOT $2 OR l.unset) AS matches FROM listed l
	)`

// listScopeParams reads a page of the scope's parameters and the counts.
func listScopeParams(ctx context.Context, q interface {
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}, scopeID int64, version int, f domain.ParamFilter) (ScopeParams, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	out := ScopeParams{ScopeID: scopeID, Version: version}
	args := []any{scopeID, f.UnsetOnly, strings.TrimSpace(f.Requirement)}
	var counts struct {
		Total int `db:"total"`
		All   int `db:"all_params"`
		Unset int `db:"unset_params"`
	}
	if err := q.GetContext(ctx, &counts, scopeParamsBase+`
		SELECT count(*) FILTER (WHERE matches) AS total, count(*) AS all_params, count(*) FILTER (WHERE unset) AS unset_params
		FROM filtered`, args...); err != nil {
		return out, fmt.Errorf("count scope parameters: %w", err)
	}
	out.Total, out.All, out.Unset = counts.Total, counts.All, counts.Unset
	if err := q.SelectContext(ctx, &out.Items, scopeParamsBase+`
		SELECT param_id, label, preset, value, updated_by, updated_at, requirements FROM filtered
		WHERE matches ORDER BY ord, param_id LIMIT $4 OFFSET $5`, append(args, f.Limit, f.Offset)...); err != nil {
		return out, fmt.Errorf("list scope parameters: %w", err)
	}
	for i := range out.Items {
		p := &out.Items[i]
		if err := json.Unmarshal(p.Reqs, &p.Requirements); err != nil {
			return out, fmt.Errorf("read requirements of parameter %s: %w", p.ParamID, err)
		}
		p.Reqs = nil
	}
	return out, nil
}

// ScopeParams lists the parameters of the scope's package. A scope that is
// not Grundschutz++ has none: ErrConflict.
func (db *DB) ScopeParams(ctx context.Context, scopeID int64, f domain.ParamFilter) (ScopeParams, error) {
	version, err := paramsHead(ctx, db.x, scopeID, false)
	if err != nil {
		return ScopeParams{}, err
	}
	return listScopeParams(ctx, db.x, scopeID, version, f)
}

// ParamChange is a bulk change of a scope's parameter values: values to
// set and parameters whose value is cleared.
type ParamChange struct {
	Values []domain.ParamValueInput
	Clear  []string
}

// MayChangeParams refuses writers limited to departments: the values hold
// for the whole scope (as its risk matrix does).
func MayChangeParams(vis Visibility) error {
	if vis.All {
		return nil
	}
	return domain.Errorf(domain.ErrForbidden, "the parameters hold for the whole scope; setting them takes a grant not limited to departments").
		De("Die Parameter gelten für den ganzen Informationsverbund; setzen können sie nur Administratoren und ISB ohne Beschränkung auf Organisationseinheiten.")
}

// SetParams applies a bulk change of the scope's parameter values if the
// set is still at version: all of it, or nothing. Every value is checked
// (ParamValueInput.Validate) and every parameter must belong to the
// scope's package; each refusal names its item (/values/3/param_id).
func (tx *Tx) SetParams(ctx context.Context, scopeID int64, version int, ch ParamChange, vis Visibility) (ScopeParams, error) {
	if err := MayChangeParams(vis); err != nil {
		return ScopeParams{}, err
	}
	var vs []domain.Violation
	for i := range ch.Values {
		vs = append(vs, ch.Values[i].Validate(fmt.Sprintf("/values/%d", i))...)
	}
	current, err := lockVersion(recordName{fmt.Sprintf("the parameters of scope %d", scopeID), "Die Parameterwerte"}, version,
		func() (int, int, error) {
			v, err := paramsHead(ctx, tx.x, scopeID, true)
			return v, v, err
		})
	if err != nil {
		return ScopeParams{}, err
	}
	before, err := listScopeParams(ctx, tx.x, scopeID, current, domain.ParamFilter{})
	if err != nil {
		return ScopeParams{}, err
	}
	known := make(map[string]ScopeParam, len(before.Items))
	for _, p := range before.Items {
		known[p.ParamID] = p
	}
	seen := map[string]string{} // param id → pointer of its first mention
	mention := func(id, pointer string) {
		if _, ok := known[id]; !ok {
			vs = append(vs, domain.Violation{Pointer: pointer, Detail: fmt.Sprintf("%q is not a parameter of the scope's requirement package", id),
				German: fmt.Sprintf("Den Parameter „%s“ gibt es im Anforderungspaket dieses Informationsverbunds nicht.", id)})
			return
		}
		if first, twice := seen[id]; twice {
			vs = append(vs, domain.Violation{Pointer: pointer, Detail: fmt.Sprintf("parameter %q is named twice (first at %s)", id, first),
				German: fmt.Sprintf("Der Parameter „%s“ steht zweimal in der Änderung.", id)})
			return
		}
		seen[id] = pointer
	}
	for i, in := range ch.Values {
		mention(in.ParamID, fmt.Sprintf("/values/%d/param_id", i))
	}
	for i, id := range ch.Clear {
		mention(id, fmt.Sprintf("/clear/%d", i))
	}
	if len(vs) > 0 {
		return before, domain.Invalid(vs...)
	}

	changed := false
	for _, in := range ch.Values {
		old := known[in.ParamID]
		if old.Value.Valid && old.Value.String == in.Value {
			continue
		}
		if _, err := tx.x.ExecContext(ctx, `
			INSERT INTO scope_params (scope_id, param_id, value, updated_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (scope_id, param_id) DO UPDATE
			SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = now(), version = scope_params.version + 1`,
			scopeID, in.ParamID, in.Value, tx.actor.Name); err != nil {
			return before, mapError(err)
		}
		if err := tx.Record("scope.param_set", "scope", scopeID, paramAudit(in.ParamID, old.Value),
			map[string]string{"param_id": in.ParamID, "value": in.Value}); err != nil {
			return before, err
		}
		changed = true
	}
	var cleared []string
	for _, id := range ch.Clear {
		if known[id].Value.Valid {
			cleared = append(cleared, id)
		}
	}
	if len(cleared) > 0 {
		if _, err := tx.x.ExecContext(ctx, `DELETE FROM scope_params WHERE scope_id = $1 AND param_id = ANY ($2)`,
			scopeID, pq.Array(cleared)); err != nil {
			return before, err
		}
		for _, id := range cleared {
			if err := tx.Record("scope.param_clear", "scope", scopeID, paramAudit(id, known[id].Value), nil); err != nil {
				return before, err
			}
		}
		changed = true
	}
	if changed {
		current++
		if _, err := tx.x.ExecContext(ctx, `UPDATE scopes SET params_version = $2 WHERE id = $1`, scopeID, current); err != nil {
			return before, err
		}
	}
	return listScopeParams(ctx, tx.x, scopeID, current, domain.ParamFilter{})
}

// paramAudit is a parameter's value as the audit trail records it.
func paramAudit(id string, v sql.NullString) map[string]any {
	if !v.Valid {
		return map[string]any{"param_id": id, "value": nil}
	}
	return map[string]any{"param_id": id, "value": v.String}
}

// ParamValues are the values a scope gives its parameters: its own, and
// the presets of its catalog where it has none.
type ParamValues struct {
	Own     map[string]string
	Presets map[string]string
}

// Effective maps every parameter with a value to the one the requirement
// texts show: the scope's own, else the preset.
func (v ParamValues) Effective() map[string]string {
	out := make(map[string]string, len(v.Own)+len(v.Presets))
	for id, val := range v.Presets {
		out[id] = val
	}
	for id, val := range v.Own {
		out[id] = val
	}
	return out
}

// ParamValues reads the scope's parameter values, for the requirement
// texts that pages and reports show with the values in place. A scope
// that is not Grundschutz++ has none (empty maps, no error).
func (db *DB) ParamValues(ctx context.Context, scopeID int64) (ParamValues, error) {
	out := ParamValues{Own: map[string]string{}, Presets: map[string]string{}}
	var rows []struct {
		ParamID string `db:"param_id"`
		Value   string `db:"value"`
		Own     bool   `db:"own"`
	}
	err := db.x.SelectContext(ctx, &rows, `
		SELECT v.param_id, v.value, true AS own
		FROM scope_params v JOIN scopes s ON s.id = v.scope_id JOIN catalogs c ON c.id = s.catalog_id AND c.method = 'grundschutz_pp'
		WHERE v.scope_id = $1
		UNION ALL
		SELECT DISTINCT ON (rp.param_id) rp.param_id, rp.preset, false
		FROM scopes s JOIN catalogs c ON c.id = s.catalog_id AND c.method = 'grundschutz_pp'
		JOIN catalog_requirement_params rp ON rp.catalog_id = s.catalog_id AND rp.preset <> ''
		WHERE s.id = $1
		ORDER BY 1`, scopeID)
	if err != nil {
		return out, fmt.Errorf("read parameter values: %w", err)
	}
	for _, r := range rows {
		if r.Own {
			out.Own[r.ParamID] = r.Value
		} else {
			out.Presets[r.ParamID] = r.Value
		}
	}
	return out, nil
}

// RequirementTexts maps the requirements of a catalog named by ids to
// their statement texts, for pages that show many entries at once.
func (db *DB) RequirementTexts(ctx context.Context, catalogID int64, ids []string) (map[string]domain.Text, error) {
	var rows []struct {
		ID   string `db:"id"`
		Body []byte `db:"body"`
	}
	if err := db.x.SelectContext(ctx, &rows, `SELECT id, body FROM catalog_requirements WHERE catalog_id = $1 AND id = ANY ($2)`,
		catalogID, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("read requirement texts: %w", err)
	}
	out := make(map[string]domain.Text, len(rows))
	for _, r := range rows {
		var t domain.Text
		if err := json.Unmarshal(r.Body, &t); err != nil {
			return nil, fmt.Errorf("requirement %s: %w", r.ID, err)
		}
		out[r.ID] = t
	}
	return out, nil
}
