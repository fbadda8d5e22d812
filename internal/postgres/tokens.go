package postgres

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"ismsd/internal/domain"
)

const tokenColumns = `t.id, t.user_id, t.name, t.prefix, t.read_only, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`

// NewToken is what CreateToken stores.
type NewToken struct {
	UserID    int64
	Name      string
	Prefix    string // the secret's start, to recognise it in lists
	Hash      []byte // the SHA-256 of the secret
	ExpiresAt time.Time
	ReadOnly  bool
}

// CreateToken stores a personal API token under the hash of its secret.
func (tx *Tx) CreateToken(ctx context.Context, n NewToken) (domain.APIToken, error) {
	var t domain.APIToken
	err := tx.x.GetContext(ctx, &t, `
		INSERT INTO api_tokens AS t (user_id, name, prefix, token_hash, expires_at, read_only)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+tokenColumns,
		n.UserID, n.Name, n.Prefix, n.Hash, n.ExpiresAt, n.ReadOnly)
	if isUniqueViolation(err) {
		return t, domain.Errorf(domain.ErrConflict, "an active token named %q already exists", n.Name).De("Es gibt bereits ein aktives Token mit diesem Namen.")
	}
	if err != nil {
		return t, mapError(err)
	}
	return t, tx.Record("token.create", "api_token", t.ID, nil, t)
}

// TokenUser finds the user of a live API token.
func (db *DB) TokenUser(ctx context.Context, tokenHash []byte) (Authenticated, error) {
	var row struct {
		domain.User
		TokenID  int64      `db:"token_id"`
		LastUsed *time.Time `db:"last_used_at"`
		ReadOnly bool       `db:"read_only"`
	}
	err := db.x.GetContext(ctx, &row, `
		SELECT t.id AS token_id, t.last_used_at, t.read_only, `+prefixed("u", userColumns)+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL
		  AND (t.expires_at IS NULL OR t.expires_at > now()) AND NOT u.disabled`, tokenHash)
	if errors.Is(err, sql.ErrNoRows) {
		return Authenticated{}, domain.ErrUnauthenticated
	}
	if err != nil {
		return Authenticated{}, err
	}
	a := Authenticated{User: row.User, TokenID: row.TokenID, ReadOnly: row.ReadOnly}
	if row.LastUsed != nil {
		a.LastSeen = *row.LastUsed
	}
	return a, nil
}

// TouchToken records that a token was used.
func (db *DB) TouchToken(ctx context.Context, tokenID int64) error {
	_, err := db.x.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, tokenID)
	return err
}

// ListTokens returns a user's tokens that are not revoked, newest first.
func (db *DB) ListTokens(ctx context.Context, userID int64) ([]domain.APIToken, error) {
	var ts []domain.APIToken
	err := db.x.SelectContext(ctx, &ts, `
		SELECT `+tokenColumns+` FROM api_tokens t
		WHERE t.user_id = $1 AND t.revoked_at IS NULL ORDER BY t.created_at DESC, t.id DESC`, userID)
	return ts, err
}

// RevokeToken revokes one of a user's tokens.
func (tx *Tx) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	var t domain.APIToken
	err := tx.x.GetContext(ctx, &t, `
		UPDATE api_tokens t SET revoked_at = now()
		WHERE t.id = $1 AND t.user_id = $2 AND t.revoked_at IS NULL RETURNING `+tokenColumns, tokenID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ErrNotFound, "no such active token").De("Dieses Token ist nicht (mehr) aktiv.")
	}
	if err != nil {
		return mapError(err)
	}
	return tx.Record("token.revoke", "api_token", t.ID, nil, t)
}

// RevokeUserTokens revokes every live API token of a user and returns how
// many: a password reset, ending all sessions and disabling the account
// all mean that whoever held the account's secrets loses them.
func (tx *Tx) RevokeUserTokens(ctx context.Context, userID int64) (int, error) {
	var ids []int64
	err := tx.x.SelectContext(ctx, &ids, `
		UPDATE api_tokens SET revoked_at = now()
		WHERE user_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) RETURNING id`, userID)
	if err != nil {
		return 0, mapError(err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return len(ids), tx.Record("token.revoke_all", "user", userID, nil, map[string]any{"tokens": ids})
}
