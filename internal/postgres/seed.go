package postgres

import (
	"context"
	"fmt"
)

// ExecSeed runs one statement of a seed in the transaction and returns
// how many rows it wrote. It is for the demo's invented readiness history
// (internal/demo), which writes rows no store function would: what it
// writes is neither checked nor audited.
func (tx *Tx) ExecSeed(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := tx.x.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, mapError(fmt.Errorf("seed: %w", err))
	}
	return res.RowsAffected()
}
