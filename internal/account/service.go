package account

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// Config holds the session and login-throttling policy.
type Config struct {
	SessionIdle   time.Duration // a session ends after this long without a request
	SessionMaxAge time.Duration // and at the latest this long after login

	// Failed logins slow down whoever guesses, never the owner elsewhere:
	// after FreeFailures of one login name from one client, and after
	// FreeClientFailures from one client under any names, the next
	// attempt from that client waits FirstDelay after the last failure,
	// doubling with each further failure up to MaxDelay. Failures older
	// than FailureWindow are forgotten.
	FailureWindow      time.Duration
	FreeFailures       int
	FreeClientFailures int
	FirstDelay         time.Duration
	MaxDelay           time.Duration
}

// DefaultConfig is the policy used unless configured otherwise.
var DefaultConfig = Config{
	SessionIdle:        30 * time.Minute,
	SessionMaxAge:      12 * time.Hour,
	FailureWindow:      time.Hour,
	FreeFailures:       5,
	FreeClientFailures: 30,
	FirstDelay:         time.Second,
	MaxDelay:           5 * time.Minute,
}

// touchInterval bounds how often a session's or token's last use is
// written: often enough for the idle timeout, rarely enough to keep
// authenticated reads free of writes.
const touchInterval = time.Minute

// Service is the account logic shared by the API, the web UI and the CLI.
type Service struct {
	db        *postgres.DB
	cfg       Config
	log       *slog.Logger
	dummyHash string        // verified against for unknown users, so timing reveals nothing
	hashSlots chan struct{} // bounds concurrent argon2id runs (19 MiB each)
}

// dummyHash is a hash of a random password, computed once per process:
// every service of the process (tests start one per server) verifies
// unknown users against the same one.
var dummyHash = sync.OnceValues(func() (string, error) { return HashPassword(GeneratePassword()) })

// New returns the service. It computes one password hash up front (once
// per process).
func New(db *postgres.DB, cfg Config, log *slog.Logger) (*Service, error) {
	dummy, err := dummyHash()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, cfg: cfg, log: log, dummyHash: dummy,
		hashSlots: make(chan struct{}, 2*runtime.NumCPU())}, nil
}

// Config returns the policy in force.
func (s *Service) Config() Config { return s.cfg }

// Principal is an authenticated user and how they authenticated.
type Principal struct {
	User      domain.User
	SessionID int64
	TokenID   int64
	// Reauthenticated is when the session last confirmed the password
	// again (nil: not since the login; always nil for a token).
	Reauthenticated *time.Time
	// ReadOnly marks a read-only API token: only safe methods pass.
	ReadOnly bool
}

// ErrBadCredentials is the one answer to every failed login, whatever the
// reason (unknown user, wrong password, disabled account).
var ErrBadCredentials = &domain.Error{Kind: domain.ErrUnauthenticated, Message: "invalid username or password",
	German: "Benutzername oder Passwort ist falsch."}

// NormalizeUsername is how login names are compared.
func NormalizeUsername(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

func (s *Service) hash(password string) (string, error) {
	s.hashSlots <- struct{}{}
	defer func() { <-s.hashSlots }()
	return HashPassword(password)
}

func (s *Service) verify(password, encoded string) bool {
	s.hashSlots <- struct{}{}
	defer func() { <-s.hashSlots }()
	ok, err := VerifyPassword(password, encoded)
	if err != nil {
		s.log.Error("stored password hash unreadable", "err", err)
	}
	return ok
}

// LoginInput is one attempt to log in.
type LoginInput struct {
	Username, Password string
	UserAgent          string
	// Device is the secret of the browser's device cookie, if it sent one.
	Device string
}

// LoginResult is an opened session.
type LoginResult struct {
	Secret    string // of the session, for its cookie
	Principal Principal
	// Device is the secret of a new device cookie for the browser, set
	// when it sent none of this account (empty: keep the one it has).
	Device string
}

// DeviceMaxAge is how long a device cookie keeps its standing without a
// login from that browser.
const DeviceMaxAge = 180 * 24 * time.Hour

// Login checks a password and opens a session. actor carries the request
// id and client address. A browser that sends the device cookie of an
// earlier login of this account is throttled for itself, not with its
// client address (see the throttle); one that sends none gets one.
func (s *Service) Login(ctx context.Context, actor domain.Actor, in LoginInput) (LoginResult, error) {
	username := NormalizeUsername(in.Username)
	from := actor.ClientAddr
	var deviceID int64
	if in.Device != "" {
		id, ok, err := s.db.LoginDevice(ctx, hashSecret(in.Device), username, DeviceMaxAge)
		if err != nil {
			return LoginResult{}, err
		}
		if ok {
			deviceID, from = id, fmt.Sprintf("device:%d", id)
		}
	}
	var user domain.User
	ok, err := s.guarded(ctx, actor, truncate(username, 100), from, func() (bool, *int64, error) {
		u, hash, err := s.db.Credentials(ctx, username)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			s.verify(in.Password, s.dummyHash) // as long as for an account
			return false, nil, nil
		case err != nil:
			return false, nil, err
		}
		user = u
		return s.verify(in.Password, hash) && !u.Disabled, &u.ID, nil
	})
	if err != nil {
		return LoginResult{}, err
	}
	if !ok {
		return LoginResult{}, ErrBadCredentials
	}
	res := LoginResult{Secret: newSecret()}
	if deviceID == 0 {
		res.Device = newSecret()
	}
	actor.UserID, actor.Name = &user.ID, user.Username
	var sess domain.Session
	err = s.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		var err error
		sess, err = tx.CreateSession(ctx, user.ID, hashSecret(res.Secret), time.Now().Add(s.cfg.SessionMaxAge), actor.ClientAddr,
			truncate(in.UserAgent, 300))
		if err != nil {
			return err
		}
		if deviceID != 0 {
			return tx.TouchDevice(ctx, deviceID)
		}
		return tx.RememberDevice(ctx, user.ID, hashSecret(res.Device))
	})
	if err != nil {
		return LoginResult{}, err
	}
	res.Principal = Principal{User: user, SessionID: sess.ID}
	return res, nil
}

// Authenticate finds the user of a session secret (from the cookie).
func (s *Service) Authenticate(ctx context.Context, secret string) (Principal, error) {
	a, err := s.db.SessionUser(ctx, hashSecret(secret), s.cfg.SessionIdle)
	if err != nil {
		return Principal{}, err
	}
	if time.Since(a.LastSeen) > touchInterval {
		if err := s.db.TouchSession(ctx, a.SessionID); err != nil {
			return Principal{}, err
		}
	}
	return Principal{User: a.User, SessionID: a.SessionID, Reauthenticated: a.Reauthenticated}, nil
}

// TokenPrefix starts every API token, so that secret scanners and people
// recognise one.
const TokenPrefix = "ismsd_"

// AuthenticateToken finds the user of an API token (Authorization: Bearer).
func (s *Service) AuthenticateToken(ctx context.Context, token string) (Principal, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return Principal{}, domain.ErrUnauthenticated
	}
	a, err := s.db.TokenUser(ctx, hashSecret(token))
	if err != nil {
		return Principal{}, err
	}
	if time.Since(a.LastSeen) > touchInterval {
		if err := s.db.TouchToken(ctx, a.TokenID); err != nil {
			return Principal{}, err
		}
	}
	return Principal{User: a.User, TokenID: a.TokenID, ReadOnly: a.ReadOnly}, nil
}

// Logout ends the principal's session.
func (s *Service) Logout(ctx context.Context, actor domain.Actor, p Principal) error {
	if p.SessionID == 0 {
		return domain.Errorf(domain.ErrInvalid, "this request is not authenticated by a session")
	}
	return s.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		return tx.EndSession(ctx, p.SessionID, p.User.ID, "session.delete")
	})
}

// NewUserInput is what an administrator gives for a new account.
type NewUserInput struct {
	Username    string
	DisplayName string
	Email       string
	Password    string         // empty: generate one
	Grants      []domain.Grant // roles to grant with the account, in the same transaction
}

// CreateUser adds an account that must change its password at first
// login. It returns the password when it was generated.
func (s *Service) CreateUser(ctx context.Context, actor domain.Actor, in NewUserInput) (domain.User, string, error) {
	in.Username = NormalizeUsername(in.Username)
	if err := domain.ValidateUsername(in.Username); err != nil {
		return domain.User{}, "", err
	}
	generated := ""
	if in.Password == "" {
		in.Password = GeneratePassword()
		generated = in.Password
	} else if err := s.checkNewPassword("/password", in.Password, in.Username, in.DisplayName); err != nil {
		return domain.User{}, "", err
	}
	hash, err := s.hash(in.Password)
	if err != nil {
		return domain.User{}, "", err
	}
	var u domain.User
	err = s.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		u, err = tx.CreateUser(ctx, postgres.NewUser{Username: in.Username, DisplayName: strings.TrimSpace(in.DisplayName),
			Email: strings.TrimSpace(in.Email), PasswordHash: hash, MustChangePassword: true})
		if err != nil {
			return err
		}
		for _, g := range in.Grants {
			if _, err := tx.Grant(ctx, u.ID, g.Role, g.DepartmentID); err != nil {
				return err
			}
		}
		return nil
	})
	return u, generated, err
}

// EnsureInitialAdmin creates the account "admin" with the admin role when
// no enabled administrator exists (on the first start, or when accounts
// were added from the shell before it). password empty: generate one and
// return it. It returns created=false when an administrator exists.
func (s *Service) EnsureInitialAdmin(ctx context.Context, actor domain.Actor, password string) (created bool, generated string, err error) {
	n, err := s.db.ActiveAdmins(ctx)
	if err != nil || n > 0 {
		return false, "", err
	}
	if _, err := s.db.UserByUsername(ctx, "admin"); err == nil {
		// Another instance may just have created it.
		if n, err := s.db.ActiveAdmins(ctx); err != nil || n > 0 {
			return false, "", err
		}
		return false, "", domain.Errorf(domain.ErrConflict, "no enabled administrator exists and the name \"admin\" is taken by an account without that role; grant it with: ismsd user grant <name> admin")
	}
	if password == "" {
		password = GeneratePassword()
		generated = password
	} else if err := s.checkNewPassword("/password", password, "admin", "Administrator"); err != nil {
		return false, "", err
	}
	hash, err := s.hash(password)
	if err != nil {
		return false, "", err
	}
	err = s.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		u, err := tx.CreateUser(ctx, postgres.NewUser{Username: "admin", DisplayName: "Administrator", PasswordHash: hash})
		if err != nil {
			return err
		}
		_, err = tx.Grant(ctx, u.ID, domain.RoleAdmin, nil)
		return err
	})
	if errors.Is(err, domain.ErrConflict) {
		return false, "", nil // another instance created it at the same moment
	}
	return err == nil, generated, err
}

// SetPassword sets a user's password as an administrator (empty: generate
// one and return it). The user must change it at the next login, and all
// their sessions and API tokens end: a reset answers a suspicion, and
// whoever held the account's secrets must lose them all.
func (s *Service) SetPassword(ctx context.Context, actor domain.Actor, userID int64, password string) (string, error) {
	u, err := s.db.UserByID(ctx, userID)
	if err != nil {
		return "", err
	}
	generated := ""
	if password == "" {
		password = GeneratePassword()
		generated = password
	} else {
		if err := s.checkNewPassword("/password", password, u.Username, u.DisplayName); err != nil {
			return "", err
		}
		old, err := s.db.PasswordHash(ctx, userID)
		if err != nil {
			return "", err
		}
		if s.verify(password, old) {
			return "", errSamePassword("/password")
		}
	}
	hash, err := s.hash(password)
	if err != nil {
		return "", err
	}
	return generated, s.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		if err := tx.SetPassword(ctx, userID, hash, true); err != nil {
			return err
		}
		if _, err := tx.RevokeUserSessions(ctx, userID, 0); err != nil {
			return err
		}
		if err := tx.ForgetDevices(ctx, userID); err != nil {
			return err
		}
		_, err := tx.RevokeUserTokens(ctx, userID)
		return err
	})
}

func errSamePassword(pointer string) error {
	return domain.Invalid(domain.Violation{Pointer: pointer, Detail: "the new password must differ from the previous one",
		German: "Das neue Passwort muss sich vom bisherigen unterscheiden."})
}

// ChangeOwnPassword changes the principal's password after checking the
// current one, which is throttled like the login: guessing it from a
// stolen session is no easier. Other sessions of the user end; the
// current one stays.
func (s *Service) ChangeOwnPassword(ctx context.Context, actor domain.Actor, p Principal, current, next string) error {
	ok, err := s.guarded(ctx, actor, p.User.Username, actor.ClientAddr, func() (bool, *int64, error) {
		hash, err := s.db.PasswordHash(ctx, p.User.ID)
		if err != nil {
			return false, nil, err
		}
		return s.verify(current, hash), &p.User.ID, nil
	})
	if err != nil {
		return err
	}
	if !ok {
		return domain.Invalid(domain.Violation{Pointer: "/current_password", Detail: "the current password is wrong", German: "Das aktuelle Passwort stimmt nicht."})
	}
	if current == next {
		return errSamePassword("/new_password")
	}
	if err := s.checkNewPassword("/new_password", next, p.User.Username, p.User.DisplayName); err != nil {
		return err
	}
	newHash, err := s.hash(next)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		if err := tx.SetPassword(ctx, p.User.ID, newHash, false); err != nil {
			return err
		}
		_, err := tx.RevokeUserSessions(ctx, p.User.ID, p.SessionID)
		return err
	})
}

// StepUpWindow is how long a confirmation of the password lasts for a
// session: approvals within it need not ask again.
const StepUpWindow = 5 * time.Minute

// Sign confirms that the principal approves something in person and
// returns the signature for the organisation's day today. The password
// may be left empty when the principal's session confirmed it within
// StepUpWindow; otherwise, and always with an API token, it must be the
// account's own. It is checked under the login throttle and then counts
// as the session's new confirmation.
func (s *Service) Sign(ctx context.Context, actor domain.Actor, p Principal, password string, today time.Time) (domain.Signature, error) {
	sig := domain.Signature{UserID: p.User.ID, On: today}
	if password == "" {
		if p.SessionID != 0 && p.Reauthenticated != nil && time.Since(*p.Reauthenticated) <= StepUpWindow {
			return sig, nil
		}
		return domain.Signature{}, domain.Invalid(domain.Violation{Pointer: "/password",
			Detail: "confirm the approval with your password", German: "Bitte bestätigen Sie die Freigabe mit Ihrem Passwort."})
	}
	ok, err := s.guarded(ctx, actor, p.User.Username, actor.ClientAddr, func() (bool, *int64, error) {
		hash, err := s.db.PasswordHash(ctx, p.User.ID)
		if err != nil {
			return false, nil, err
		}
		return s.verify(password, hash), &p.User.ID, nil
	})
	if err != nil {
		return domain.Signature{}, err
	}
	if !ok {
		return domain.Signature{}, domain.Invalid(domain.Violation{Pointer: "/password", Detail: "the password is wrong",
			German: "Das Passwort stimmt nicht."})
	}
	if p.SessionID != 0 {
		err := s.db.InTx(ctx, actor, func(tx *postgres.Tx) error { return tx.MarkReauthenticated(ctx, p.SessionID) })
		if err != nil {
			return domain.Signature{}, err
		}
	}
	return sig, nil
}

// UpdateUser applies a change if the account is still at version; the
// last enabled administrator cannot be disabled.
func (s *Service) UpdateUser(ctx context.Context, actor domain.Actor, userID int64, version int, ch domain.UserChange) (domain.User, error) {
	var u domain.User
	err := s.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		return tx.KeepAnAdmin(ctx, func() error {
			var err error
			u, err = tx.UpdateUser(ctx, userID, version, ch)
			return err
		})
	})
	return u, err
}

// SetDisabled disables or re-enables an account; the last enabled
// administrator cannot be disabled.
func (s *Service) SetDisabled(ctx context.Context, actor domain.Actor, userID int64, disabled bool) (domain.User, error) {
	var u domain.User
	err := s.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		return tx.KeepAnAdmin(ctx, func() error {
			var err error
			u, err = tx.SetDisabled(ctx, userID, disabled)
			return err
		})
	})
	return u, err
}

// Grant gives a role, globally or for a department subtree.
func (s *Service) Grant(ctx context.Context, actor domain.Actor, userID int64, role domain.Role, departmentID *int64) (domain.Grant, error) {
	var g domain.Grant
	err := s.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		var err error
		g, err = tx.Grant(ctx, userID, role, departmentID)
		return err
	})
	return g, err
}

// Revoke takes a role away; the last administrator keeps theirs.
func (s *Service) Revoke(ctx context.Context, actor domain.Actor, userID int64, role domain.Role, departmentID *int64) error {
	return s.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		return tx.KeepAnAdmin(ctx, func() error { return tx.Revoke(ctx, userID, role, departmentID) })
	})
}

// RevokeSessions ends every session of a user and revokes their API
// tokens (admin action): ending "all sessions" must leave no way in.
// It returns how many sessions and tokens ended.
func (s *Service) RevokeSessions(ctx context.Context, actor domain.Actor, userID int64) (sessions, tokens int, err error) {
	if _, err := s.db.UserByID(ctx, userID); err != nil {
		return 0, 0, err
	}
	err = s.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		var err error
		if sessions, err = tx.RevokeUserSessions(ctx, userID, 0); err != nil {
			return err
		}
		tokens, err = tx.RevokeUserTokens(ctx, userID)
		return err
	})
	return sessions, tokens, err
}

// RevokeSession ends one session of a user (admin action).
func (s *Service) RevokeSession(ctx context.Context, actor domain.Actor, userID, sessionID int64) error {
	return s.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		return tx.EndSession(ctx, sessionID, userID, "session.revoke")
	})
}

// MaxTokenLifetime bounds API tokens, so that a forgotten one dies.
const MaxTokenLifetime = 366 * 24 * time.Hour

// TokenInput is what a user gives for a new API token.
type TokenInput struct {
	Name      string
	ExpiresAt time.Time
	ReadOnly  bool // only safe methods (GET, HEAD) pass
}

// CreateToken issues a personal API token and returns its secret, which is
// shown once and never stored. Only a session may create one (the routes
// refuse requests made with a token), so a stolen token cannot breed.
func (s *Service) CreateToken(ctx context.Context, actor domain.Actor, userID int64, in TokenInput) (domain.APIToken, string, error) {
	name := strings.TrimSpace(in.Name)
	var vs []domain.Violation
	if name == "" || domain.TooLong(name, 100) {
		vs = append(vs, domain.Violation{Pointer: "/name", Detail: "name must have 1 to 100 characters", German: "Der Name muss 1 bis 100 Zeichen haben."})
	}
	now := time.Now()
	if !in.ExpiresAt.After(now) || in.ExpiresAt.After(now.Add(MaxTokenLifetime)) {
		vs = append(vs, domain.Violation{Pointer: "/expires_at", Detail: "expiry must lie in the future and at most 366 days ahead", German: "Das Ablaufdatum muss in der Zukunft und höchstens 366 Tage entfernt liegen."})
	}
	if len(vs) > 0 {
		return domain.APIToken{}, "", domain.Invalid(vs...)
	}
	secret := TokenPrefix + newSecret()
	var t domain.APIToken
	err := s.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		var err error
		t, err = tx.CreateToken(ctx, postgres.NewToken{UserID: userID, Name: name, Prefix: secret[:len(TokenPrefix)+6],
			Hash: hashSecret(secret), ExpiresAt: in.ExpiresAt, ReadOnly: in.ReadOnly})
		return err
	})
	return t, secret, err
}

// RevokeToken revokes one of a user's tokens.
func (s *Service) RevokeToken(ctx context.Context, actor domain.Actor, userID, tokenID int64) error {
	return s.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		return tx.RevokeToken(ctx, userID, tokenID)
	})
}

// truncate keeps the first n characters of what a client sent (a user
// agent, a name that failed to log in) as valid UTF-8: cutting bytes
// could split a character, and PostgreSQL refuses invalid UTF-8.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if !domain.TooLong(s, n) {
		return s
	}
	return string([]rune(s)[:n])
}
