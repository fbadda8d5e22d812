package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"ismsd/internal/domain"
)

// Exceptions (Ausnahmen, Methodik UMS.5) are authorised by management for
// an unmet MUSS or SOLLTE entry of a Grundschutz++ scope: a justification,
// the signed-in authoriser and an end date. An entry has at most one that
// is not revoked (a unique index); an expired one must be revoked before a
// new one is authorised, so that the trail shows the decision to renew.

// exceptionSelect reads exceptions with the entry and object they cover;
// o is the object, for visibleObject.
const exceptionSelect = `
	SELECT x.id, x.scope_id, x.entry_id, x.justification, x.valid_until, x.authorised_by, x.authorised_at,
	       x.revoked_at, x.revoked_by, x.version, e.requirement_id, e.object_id, o.short_id, o.name AS object_name,
	       o.department_id, r.title, coalesce(e.obligation, '') AS obligation, e.status AS entry_status
	FROM check_exceptions x
	JOIN check_entries e ON e.id = x.entry_id
	JOIN objects o ON o.id = e.object_id
	JOIN catalog_requirements r ON r.catalog_id = e.catalog_id AND r.id = e.requirement_id`

func errNoException(id int64) error {
	return domain.Errorf(domain.ErrNotFound, "no exception %d", id).De("Diese Ausnahme gibt es nicht.")
}

func exceptionName(id int64) recordName {
	return recordName{fmt.Sprintf("exception %d", id), "Die Ausnahme"}
}

// ExceptionByID returns one exception the reader may see.
func (db *DB) ExceptionByID(ctx context.Context, id int64, vis Visibility) (domain.Exception, error) {
	return exceptionByID(ctx, db.x, id, vis, "")
}

func exceptionByID(ctx context.Context, q sqlx.QueryerContext, id int64, vis Visibility, lock string) (domain.Exception, error) {
	return getOne[domain.Exception](ctx, q, errNoException(id), exceptionSelect+` WHERE x.id = $1 AND `+visibleObject(2)+lock, id, vis.arg())
}

// EntryException returns the exception of a check entry the reader may
// see: the one not revoked, otherwise the last revoked one. An entry
// without any answers ErrNotFound, as does an entry the reader may not see.
func (db *DB) EntryException(ctx context.Context, entryID int64, vis Visibility) (domain.Exception, error) {
	if _, err := db.EntryByID(ctx, entryID, vis); err != nil {
		return domain.Exception{}, err
	}
	notFound := domain.Errorf(domain.ErrNotFound, "check entry %d has no exception", entryID).
		De("Für diesen Eintrag gibt es keine Ausnahme.")
	return getOne[domain.Exception](ctx, db.x, notFound, exceptionSelect+` WHERE x.entry_id = $1
		ORDER BY x.revoked_at IS NULL DESC, x.authorised_at DESC, x.id DESC LIMIT 1`, entryID)
}

// ListExceptions returns a page of a scope's exceptions the reader may
// see, by end date, and the cursor of the next page (0 at the end): the
// id of the page's last exception.
func (db *DB) ListExceptions(ctx context.Context, scopeID int64, f domain.ExceptionFilter, vis Visibility) ([]domain.Exception, int64, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	departments, err := resolveDepartments(ctx, db.x, f.DepartmentID, vis)
	if err != nil || departments != nil && len(departments) == 0 {
		return nil, 0, err
	}
	var deps any
	if departments != nil {
		deps = int64Array(departments)
	}
	var rows []domain.Exception
	err = db.x.SelectContext(ctx, &rows, exceptionSelect+`
		WHERE x.scope_id = $1 AND ($2::bigint[] IS NULL OR o.department_id = ANY ($2))
		  AND CASE $3
		      WHEN 'valid' THEN x.revoked_at IS NULL AND x.valid_until >= $4
		      WHEN 'expiring' THEN x.revoked_at IS NULL AND x.valid_until >= $4 AND x.valid_until <= $4::date + $5::int
		      WHEN 'expired' THEN x.revoked_at IS NULL AND x.valid_until < $4
		      WHEN 'revoked' THEN x.revoked_at IS NOT NULL
		      ELSE true END
		  AND ($6 = 0 OR (x.valid_until, x.id) > (SELECT valid_until, id FROM check_exceptions WHERE id = $6))
		ORDER BY x.valid_until, x.id LIMIT $7`,
		scopeID, deps, string(f.State), f.Today, f.ExpiringWithin, f.After, f.Limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("list exceptions: %w", err)
	}
	rows, next := keysetPage(rows, f.Limit, func(r domain.Exception) int64 { return r.ID })
	return rows, next, nil
}

// CreateException records management's exception for a check entry. The
// authoriser is the signing account (sig, which must be the transaction's
// actor); the input is checked against today. Refused: an entry the
// writer may not see or that does not exist (404), an entry of a
// Kompendium scope, a KANN, a retired or a met entry, and an entry that
// already has an exception not revoked (409).
func (tx *Tx) CreateException(ctx context.Context, entryID int64, in domain.ExceptionInput, sig domain.Signature, today time.Time, vis Visibility) (domain.Exception, error) {
	var e entryRow
	err := tx.x.GetContext(ctx, &e, entrySelect+` WHERE e.id = $1 AND `+visibleObject(2)+` FOR UPDATE OF e`, entryID, vis.arg())
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Exception{}, errEntryNotFound(entryID)
	}
	if err != nil {
		return domain.Exception{}, err
	}
	entry := e.asDomain()
	conflict := func(detail, german string) error {
		return domain.Errorf(domain.ErrConflict, "%s", detail).De(german)
	}
	switch {
	case entry.Obligation == "":
		return domain.Exception{}, conflict("exceptions are for entries of a Grundschutz++ scope; a Kompendium requirement is met, justified or covered by a risk acceptance",
			"Ausnahmen gibt es nur in einem Informationsverbund nach Grundschutz++; eine Anforderung des IT-Grundschutz-Kompendiums wird umgesetzt, begründet oder über eine Risikoakzeptanz getragen.")
	case !entry.Obligation.MayHaveException():
		return domain.Exception{}, conflict(fmt.Sprintf("%s is a KANN requirement, which never needs an exception", entry.RequirementID),
			"Eine KANN-Anforderung braucht keine Ausnahme.")
	case !entry.Active:
		return domain.Exception{}, conflict("the entry is retired: its requirement left the object's scope",
			"Der Eintrag ist stillgelegt: Die Anforderung gehört nicht mehr zum Prüfumfang.")
	case !entry.Status.Unfulfilled():
		return domain.Exception{}, conflict(fmt.Sprintf("the entry has status %s; an exception covers a requirement that is partly or not met", entry.Status),
			fmt.Sprintf("Der Eintrag hat den Status „%s“; eine Ausnahme gibt es nur für eine Anforderung, die teilweise oder nicht umgesetzt ist.", entry.Status.Label()))
	case entry.ExceptionID != nil && entry.ExceptionUntil.Before(today):
		return domain.Exception{}, conflict(fmt.Sprintf("the entry's exception %d has expired; revoke it before authorising a new one", *entry.ExceptionID),
			"Die bisherige Ausnahme für diesen Eintrag ist abgelaufen. Bitte widerrufen Sie sie, bevor Sie eine neue genehmigen.")
	case entry.ExceptionID != nil:
		return domain.Exception{}, conflict(fmt.Sprintf("the entry has exception %d already; revoke it before authorising another", *entry.ExceptionID),
			"Für diesen Eintrag gibt es schon eine Ausnahme. Bitte widerrufen Sie sie, bevor Sie eine neue genehmigen.")
	}
	until, vs := in.Validate(today)
	if len(vs) > 0 {
		return domain.Exception{}, domain.Invalid(vs...)
	}
	if vs := sig.Validate(today); len(vs) > 0 {
		return domain.Exception{}, domain.Invalid(vs...)
	}
	by, err := tx.signer(ctx, sig.UserID)
	if err != nil {
		return domain.Exception{}, err
	}
	var id int64
	if err := tx.x.GetContext(ctx, &id, `
		INSERT INTO check_exceptions (scope_id, entry_id, justification, valid_until, authorised_by_id, authorised_by)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		entry.ScopeID, entry.ID, in.Justification, until.Format(time.DateOnly), sig.UserID, by); err != nil {
		return domain.Exception{}, mapError(err)
	}
	x, err := exceptionByID(ctx, tx.x, id, Everything, "")
	if err != nil {
		return x, err
	}
	return x, tx.Record("exception.create", "check_exception", id, nil, exceptionAudit(x))
}

// RevokeException revokes an exception that is still at version, by the
// signed-in account; the entry it covered needs a decision again.
func (tx *Tx) RevokeException(ctx context.Context, id int64, version int, sig domain.Signature, today time.Time, vis Visibility) (domain.Exception, error) {
	before, err := lockVersion(exceptionName(id), version, func() (domain.Exception, int, error) {
		x, err := exceptionByID(ctx, tx.x, id, vis, ` FOR UPDATE OF x`)
		if err == nil && x.RevokedAt != nil {
			err = domain.Errorf(domain.ErrConflict, "exception %d is revoked already", id).De("Die Ausnahme ist bereits widerrufen.")
		}
		return x, x.Version, err
	})
	if err != nil {
		return before, err
	}
	if vs := sig.Validate(today); len(vs) > 0 {
		return before, domain.Invalid(vs...)
	}
	by, err := tx.signer(ctx, sig.UserID)
	if err != nil {
		return before, err
	}
	if _, err := tx.x.ExecContext(ctx, `
		UPDATE check_exceptions SET revoked_at = now(), revoked_by = $2, version = version + 1 WHERE id = $1`, id, by); err != nil {
		return before, mapError(err)
	}
	return recordChange(tx, "exception.revoke", "check_exception", id, exceptionAudit, before,
		func() (domain.Exception, error) { return exceptionByID(ctx, tx.x, id, Everything, "") })
}

// exceptionAudit is what the audit trail keeps of an exception.
func exceptionAudit(x domain.Exception) map[string]any {
	return map[string]any{"entry_id": x.EntryID, "object": x.ObjectShortID, "requirement": x.RequirementID,
		"justification": x.Justification, "valid_until": x.ValidUntil.Format(time.DateOnly), "authorised_by": x.AuthorisedBy,
		"revoked_at": x.RevokedAt, "revoked_by": x.RevokedBy}
}
