package postgres

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// LoginDevice finds the device of a device cookie's secret (by its hash)
// that belongs to the account with the login name username and was used
// within maxAge; ok is false for any other secret.
func (db *DB) LoginDevice(ctx context.Context, secretHash []byte, username string, maxAge time.Duration) (id int64, ok bool, err error) {
	err = db.x.GetContext(ctx, &id, `
		SELECT d.id FROM login_devices d JOIN users u ON u.id = d.user_id
		WHERE d.secret_hash = $1 AND u.username = $2 AND d.last_used_at > now() - make_interval(secs => $3)`,
		secretHash, username, maxAge.Seconds())
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// RememberDevice keeps a new device of the user under the hash of its
// cookie's secret.
func (tx *Tx) RememberDevice(ctx context.Context, userID int64, secretHash []byte) error {
	_, err := tx.x.ExecContext(ctx, `INSERT INTO login_devices (user_id, secret_hash) VALUES ($1, $2)`, userID, secretHash)
	return mapError(err)
}

// TouchDevice records a login from a known device, which keeps it from
// expiring.
func (tx *Tx) TouchDevice(ctx context.Context, id int64) error {
	_, err := tx.x.ExecContext(ctx, `UPDATE login_devices SET last_used_at = now() WHERE id = $1`, id)
	return err
}

// ForgetDevices drops every device of a user: after an administrator's
// password reset, no browser keeps its standing.
func (tx *Tx) ForgetDevices(ctx context.Context, userID int64) error {
	_, err := tx.x.ExecContext(ctx, `DELETE FROM login_devices WHERE user_id = $1`, userID)
	return err
}
