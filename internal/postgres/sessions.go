package postgres

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"ismsd/internal/domain"
)

const sessionColumns = `s.id, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.client_addr, s.user_agent, s.revoked_at`

// CreateSession stores a new login session under the hash of its secret.
func (tx *Tx) CreateSession(ctx context.Context, userID int64, tokenHash []byte, expiresAt time.Time, clientAddr, userAgent string) (domain.Session, error) {
	var s domain.Session
	err := tx.x.GetContext(ctx, &s, `
		INSERT INTO sessions AS s (token_hash, user_id, expires_at, client_addr, user_agent)
		VALUES ($1, $2, $3, $4, $5) RETURNING `+sessionColumns,
		tokenHash, userID, expiresAt, clientAddr, userAgent)
	if err != nil {
		return s, mapError(err)
	}
	return s, tx.Record("session.create", "session", s.ID, nil, s)
}

// Authenticated is a user found by a session or API token secret.
type Authenticated struct {
	User      domain.User
	SessionID int64 // 0 for an API token
	TokenID   int64 // 0 for a session
	LastSeen  time.Time
	// Reauthenticated is when the session's owner last confirmed their
	// password again (nil: not since the login, or a token).
	Reauthenticated *time.Time
	ReadOnly        bool // a read-only API token
}

// SessionUser finds the user of a live session: not revoked, not past its
// absolute expiry, used within idle, and its user not disabled.
func (db *DB) SessionUser(ctx context.Context, tokenHash []byte, idle time.Duration) (Authenticated, error) {
	var row struct {
		domain.User
		SessionID       int64      `db:"session_id"`
		LastSeen        time.Time  `db:"last_seen_at"`
		Reauthenticated *time.Time `db:"reauthenticated_at"`
	}
	err := db.x.GetContext(ctx, &row, `
		SELECT s.id AS session_id, s.last_seen_at, s.reauthenticated_at, `+prefixed("u", userColumns)+`
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
		  AND s.last_seen_at > now() - make_interval(secs => $2) AND NOT u.disabled`,
		tokenHash, idle.Seconds())
	if errors.Is(err, sql.ErrNoRows) {
		return Authenticated{}, domain.ErrUnauthenticated
	}
	if err != nil {
		return Authenticated{}, err
	}
	return Authenticated{User: row.User, SessionID: row.SessionID, LastSeen: row.LastSeen, Reauthenticated: row.Reauthenticated}, nil
}

// MarkReauthenticated records that the session's owner has just confirmed
// their password again (step-up before an approval).
func (tx *Tx) MarkReauthenticated(ctx context.Context, sessionID int64) error {
	if _, err := tx.x.ExecContext(ctx, `UPDATE sessions SET reauthenticated_at = now() WHERE id = $1`, sessionID); err != nil {
		return mapError(err)
	}
	return tx.Record("session.reauthenticate", "session", sessionID, nil, nil)
}

// TouchSession records activity for the idle timeout.
func (db *DB) TouchSession(ctx context.Context, sessionID int64) error {
	_, err := db.x.ExecContext(ctx, `UPDATE sessions SET last_seen_at = now() WHERE id = $1`, sessionID)
	return err
}

// ListSessions returns the live sessions of a user, newest first.
func (db *DB) ListSessions(ctx context.Context, userID int64, idle time.Duration) ([]domain.Session, error) {
	var ss []domain.Session
	err := db.x.SelectContext(ctx, &ss, `
		SELECT `+sessionColumns+` FROM sessions s
		WHERE s.user_id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
		  AND s.last_seen_at > now() - make_interval(secs => $2)
		ORDER BY s.last_seen_at DESC`, userID, idle.Seconds())
	return ss, err
}

// EndSession revokes one session (logout, or an admin ending it). userID,
// when non-zero, restricts it to that user's sessions.
func (tx *Tx) EndSession(ctx context.Context, sessionID, userID int64, action string) error {
	var s domain.Session
	err := tx.x.GetContext(ctx, &s, `
		UPDATE sessions s SET revoked_at = now()
		WHERE s.id = $1 AND ($2 = 0 OR s.user_id = $2) AND s.revoked_at IS NULL
		RETURNING `+sessionColumns, sessionID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ErrNotFound, "no such active session").De("Diese Sitzung ist nicht (mehr) aktiv.")
	}
	if err != nil {
		return mapError(err)
	}
	return tx.Record(action, "session", s.ID, nil, s)
}

// RevokeUserSessions ends every live session of a user but keep (0: none)
// and returns how many.
func (tx *Tx) RevokeUserSessions(ctx context.Context, userID, keep int64) (int, error) {
	var ids []int64
	err := tx.x.SelectContext(ctx, &ids, `
		UPDATE sessions SET revoked_at = now()
		WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL AND expires_at > now() RETURNING id`, userID, keep)
	if err != nil {
		return 0, mapError(err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return len(ids), tx.Record("session.revoke_all", "user", userID, nil, map[string]any{"sessions": ids})
}

// DeleteExpired removes what can no longer matter: sessions ended more
// than keep ago, login failures older than keep (keep must be at least the
// throttling window), and import files left after their dry run for more
// than a day.
func (db *DB) DeleteExpired(ctx context.Context, keep time.Duration) error {
	_, err := db.x.ExecContext(ctx, `
		DELETE FROM sessions WHERE coalesce(revoked_at, expires_at) < now() - make_interval(secs => $1)`, keep.Seconds())
	if err != nil {
		return err
	}
	if _, err = db.x.ExecContext(ctx, `DELETE FROM login_failures WHERE at < now() - make_interval(secs => $1)`, keep.Seconds()); err != nil {
		return err
	}
	// Uploaded import files wait a day at most for their apply.
	_, err = db.x.ExecContext(ctx, `DELETE FROM import_files WHERE created_at < now() - interval '1 day'`)
	return err
}

// prefixed qualifies a comma-separated column list with a table alias.
func prefixed(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
