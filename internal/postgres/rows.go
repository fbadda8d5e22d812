package postgres

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"

	"ismsd/internal/domain"
)

// domainRow is a row as the store scans it, which turns into the value
// the rest of the service works with.
type domainRow[D any] interface{ asDomain() D }

// asDomainAll turns scanned rows into their domain values, in order.
func asDomainAll[R domainRow[D], D any](rows []R) []D {
	out := make([]D, len(rows))
	for i, r := range rows {
		out[i] = r.asDomain()
	}
	return out
}

// getOne reads the one row of query; a query that finds no row returns
// notFound, the record's own refusal.
func getOne[T any](ctx context.Context, q sqlx.QueryerContext, notFound error, query string, args ...any) (T, error) {
	var v T
	err := sqlx.GetContext(ctx, q, &v, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return v, notFound
	}
	return v, err
}

// getDomain is getOne for a row that turns into its domain value.
func getDomain[R domainRow[D], D any](ctx context.Context, q sqlx.QueryerContext, notFound error, query string, args ...any) (D, error) {
	r, err := getOne[R](ctx, q, notFound, query, args...)
	return r.asDomain(), err
}

// optional is a read of a record that may be missing: nil then, not an
// error.
func optional[T any](v T, err error) (*T, error) {
	switch {
	case err == nil:
		return &v, nil
	case errors.Is(err, domain.ErrNotFound):
		return nil, nil
	}
	return nil, err
}

// keysetPage cuts the rows of a keyset page, read with one row more than
// limit, to limit rows, and returns the key of the last row kept when
// that row was there: the key the next page starts after (0: no next
// page).
func keysetPage[R any](rows []R, limit int, key func(R) int64) ([]R, int64) {
	if len(rows) <= limit {
		return rows, 0
	}
	rows = rows[:limit]
	return rows, key(rows[len(rows)-1])
}
