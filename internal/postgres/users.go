package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"ismsd/internal/domain"
)

const userColumns = `id, username, display_name, email, disabled, must_change_password,
	created_at, password_changed_at, version`

// NewUser is what CreateUser needs.
type NewUser struct {
	Username           string
	DisplayName        string
	Email              string
	PasswordHash       string
	MustChangePassword bool
}

// CreateUser adds an account.
func (tx *Tx) CreateUser(ctx context.Context, n NewUser) (domain.User, error) {
	var u domain.User
	err := tx.x.GetContext(ctx, &u, `
		INSERT INTO users (username, display_name, email, password_hash, must_change_password)
		VALUES ($1, $2, $3, $4, $5) RETURNING `+userColumns,
		n.Username, n.DisplayName, n.Email, n.PasswordHash, n.MustChangePassword)
	if err != nil {
		if isUniqueViolation(err) {
			return u, domain.Errorf(domain.ErrConflict, "user %q already exists", n.Username).De("Diesen Benutzernamen gibt es bereits.")
		}
		return u, mapError(err)
	}
	return u, tx.Record("user.create", "user", u.ID, nil, u)
}

// UserByID returns one user.
func (db *DB) UserByID(ctx context.Context, id int64) (domain.User, error) {
	return db.userWhere(ctx, "id", id)
}

// UserByUsername returns one user by login name.
func (db *DB) UserByUsername(ctx context.Context, username string) (domain.User, error) {
	return db.userWhere(ctx, "username", username)
}

// userWhere returns the user whose column (a unique one) has the value.
func (db *DB) userWhere(ctx context.Context, column string, value any) (domain.User, error) {
	var u domain.User
	err := db.x.GetContext(ctx, &u, `SELECT `+userColumns+` FROM users WHERE `+column+` = $1`, value)
	if err != nil {
		return u, mapError(err)
	}
	return u, nil
}

// Credentials returns what login needs to check a password.
func (db *DB) Credentials(ctx context.Context, username string) (domain.User, string, error) {
	var row struct {
		domain.User
		PasswordHash string `db:"password_hash"`
	}
	err := db.x.GetContext(ctx, &row, `SELECT `+userColumns+`, password_hash FROM users WHERE username = $1`, username)
	if err != nil {
		return domain.User{}, "", mapError(err)
	}
	return row.User, row.PasswordHash, nil
}

// PasswordHash returns the stored hash of one user.
func (db *DB) PasswordHash(ctx context.Context, userID int64) (string, error) {
	var h string
	err := db.x.GetContext(ctx, &h, `SELECT password_hash FROM users WHERE id = $1`, userID)
	return h, mapError(err)
}

// UserCount is the number of accounts.
func (db *DB) UserCount(ctx context.Context) (int, error) {
	var n int
	err := db.x.GetContext(ctx, &n, `SELECT count(*) FROM users`)
	return n, err
}

// ListUsers returns every account ordered by login name.
func (db *DB) ListUsers(ctx context.Context) ([]domain.User, error) {
	var us []domain.User
	err := db.x.SelectContext(ctx, &us, `SELECT `+userColumns+` FROM users ORDER BY username`)
	return us, err
}

// ListUsersWithGrants returns every account ordered by login name and
// the grants of each, as the user administration of the API and the
// pages lists them.
func (db *DB) ListUsersWithGrants(ctx context.Context) ([]domain.User, map[int64][]domain.Grant, error) {
	us, err := db.ListUsers(ctx)
	if err != nil {
		return nil, nil, err
	}
	grants, err := db.AllGrants(ctx)
	return us, grants, err
}

// lockUser reads a user for change at version (anyVersion for changes
// that cannot be lost, such as disabling).
func (tx *Tx) lockUser(ctx context.Context, id int64, version int) (domain.User, error) {
	return lockVersion(recordName{fmt.Sprintf("user %d", id), "Das Konto"}, version, func() (domain.User, int, error) {
		var u domain.User
		err := tx.x.GetContext(ctx, &u, `SELECT `+userColumns+` FROM users WHERE id = $1 FOR UPDATE`, id)
		return u, u.Version, mapError(err)
	})
}

// UpdateUser changes an account if it is still at version: its profile,
// and then whether it is disabled (SetDisabled; callers keep an enabled
// administrator, see KeepAnAdmin).
func (tx *Tx) UpdateUser(ctx context.Context, id int64, version int, ch domain.UserChange) (domain.User, error) {
	before, err := tx.lockUser(ctx, id, version)
	if err != nil {
		return before, err
	}
	in := ch.Apply(before)
	if vs := in.Validate(); len(vs) > 0 {
		return before, domain.Invalid(vs...)
	}
	var u domain.User
	err = tx.x.GetContext(ctx, &u, `
		UPDATE users SET display_name = $2, email = $3, version = version + 1
		WHERE id = $1 RETURNING `+userColumns, id, in.DisplayName, in.Email)
	if err != nil {
		return u, mapError(err)
	}
	if err := tx.Record("user.update", "user", id, before, u); err != nil {
		return u, err
	}
	if ch.Disabled == nil {
		return u, nil
	}
	return tx.SetDisabled(ctx, id, in.Disabled)
}

// SetPassword stores a new password hash. mustChange forces a change at
// the next login (set when an admin resets it).
func (tx *Tx) SetPassword(ctx context.Context, id int64, hash string, mustChange bool) error {
	before, err := tx.lockUser(ctx, id, anyVersion)
	if err != nil {
		return err
	}
	var u domain.User
	err = tx.x.GetContext(ctx, &u, `
		UPDATE users SET password_hash = $2, must_change_password = $3,
		       password_changed_at = now(), version = version + 1
		WHERE id = $1 RETURNING `+userColumns, id, hash, mustChange)
	if err != nil {
		return mapError(err)
	}
	// The record says that the password changed, never what it is.
	return tx.Record("user.set_password", "user", id, before, u)
}

// SetDisabled disables or re-enables an account. Disabling also ends its
// sessions and API tokens.
func (tx *Tx) SetDisabled(ctx context.Context, id int64, disabled bool) (domain.User, error) {
	before, err := tx.lockUser(ctx, id, anyVersion)
	if err != nil {
		return before, err
	}
	if before.Disabled == disabled {
		return before, nil
	}
	var u domain.User
	err = tx.x.GetContext(ctx, &u, `
		UPDATE users SET disabled = $2, version = version + 1 WHERE id = $1 RETURNING `+userColumns, id, disabled)
	if err != nil {
		return u, mapError(err)
	}
	action := "user.enable"
	if disabled {
		action = "user.disable"
		if _, err := tx.RevokeUserSessions(ctx, id, 0); err != nil {
			return u, err
		}
		if _, err := tx.RevokeUserTokens(ctx, id); err != nil {
			return u, err
		}
		// Grants stay recorded but a disabled user is left out of the enforcer.
		if err := tx.notifyGrants(ctx); err != nil {
			return u, err
		}
	} else if err := tx.notifyGrants(ctx); err != nil {
		return u, err
	}
	return u, tx.Record(action, "user", id, before, u)
}

// countActiveAdmins counts enabled users with a global admin grant.
func (tx *Tx) countActiveAdmins(ctx context.Context) (int, error) {
	var n int
	err := tx.x.GetContext(ctx, &n, `
		SELECT count(DISTINCT u.id) FROM users u JOIN role_grants g ON g.user_id = u.id
		WHERE g.role = 'admin' AND NOT u.disabled`)
	if err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return n, nil
}

// adminLockKey serialises changes that may remove an administrator, so
// that two admins disabling each other at once cannot both succeed.
const adminLockKey = 7_236_003

// KeepAnAdmin runs change and fails if it took the last enabled
// administrator away, so that nobody locks the installation out. (An
// installation without any administrator is left to be repaired.)
func (tx *Tx) KeepAnAdmin(ctx context.Context, change func() error) error {
	if _, err := tx.x.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, adminLockKey); err != nil {
		return fmt.Errorf("lock admins: %w", err)
	}
	before, err := tx.countActiveAdmins(ctx)
	if err != nil {
		return err
	}
	if err := change(); err != nil {
		return err
	}
	after, err := tx.countActiveAdmins(ctx)
	if err != nil {
		return err
	}
	if before > 0 && after == 0 {
		return domain.Errorf(domain.ErrConflict, "this would leave no enabled administrator").De("Das geht nicht: Danach gäbe es kein aktives Administrationskonto mehr.")
	}
	return nil
}

// ActiveAdmins counts enabled users with the admin role.
func (db *DB) ActiveAdmins(ctx context.Context) (int, error) {
	var n int
	err := db.x.GetContext(ctx, &n, `
		SELECT count(DISTINCT u.id) FROM users u JOIN role_grants g ON g.user_id = u.id
		WHERE g.role = 'admin' AND NOT u.disabled`)
	return n, err
}

// signer returns the name to keep with a signature (checked by its
// Validate) of the account userID: its display name, or its user name
// when it has none. The signer must be the transaction's actor, so that
// nobody signs on another's behalf.
func (tx *Tx) signer(ctx context.Context, userID int64) (string, error) {
	if tx.actor.UserID == nil || *tx.actor.UserID != userID {
		return "", fmt.Errorf("signature of account %d in a transaction of %q", userID, tx.actor.Name)
	}
	var name string
	err := tx.x.GetContext(ctx, &name, `
		SELECT CASE WHEN btrim(display_name) <> '' THEN display_name ELSE username END
		FROM users WHERE id = $1 AND NOT disabled`, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", domain.Errorf(domain.ErrForbidden, "account %d cannot sign: it does not exist or is disabled", userID)
	}
	return name, err
}
