package domain

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a user may do; granted globally or for one department subtree.
type Role string

const (
	RoleAdmin          Role = "admin"
	RoleISB            Role = "isb"
	RoleAuditor        Role = "auditor"
	RoleDepartmentHead Role = "department_head"
	RoleManagement     Role = "management"
)

// Roles lists every role in the order the UI shows them.
var Roles = []Role{RoleAdmin, RoleISB, RoleAuditor, RoleDepartmentHead, RoleManagement}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Label is the German name shown in the UI.
func (r Role) Label() string { return labelOf(roleLabels, r) }

var roleLabels = map[Role]string{
	RoleAdmin:          "Administration",
	RoleISB:            "Informationssicherheitsbeauftragte/r (ISB)",
	RoleAuditor:        "Auditor/in",
	RoleDepartmentHead: "Abteilungsleitung",
	RoleManagement:     "Institutionsleitung",
}

// Scope says whether a role may, must or must not be limited to a department.
func (r Role) Scope() RoleScope {
	switch r {
	case RoleDepartmentHead:
		return ScopeDepartmentOnly
	case RoleISB, RoleAuditor:
		return ScopeEither
	}
	return ScopeGlobalOnly
}

// RoleScope tells where a role can be granted.
type RoleScope int

const (
	ScopeGlobalOnly RoleScope = iota
	ScopeEither
	ScopeDepartmentOnly
)

// User is an account that can log in.
type User struct {
	ID                 int64     `db:"id"`
	Username           string    `db:"username"`
	DisplayName        string    `db:"display_name"`
	Email              string    `db:"email"`
	Disabled           bool      `db:"disabled"`
	MustChangePassword bool      `db:"must_change_password"`
	CreatedAt          time.Time `db:"created_at"`
	PasswordChangedAt  time.Time `db:"password_changed_at"`
	Version            int       `db:"version"`
}

// Name is what the UI calls the user.
func (u User) Name() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// Grant gives a user a role, globally (DepartmentID nil) or for the subtree
// below one department.
type Grant struct {
	ID             int64     `db:"id"`
	UserID         int64     `db:"user_id"`
	Role           Role      `db:"role"`
	DepartmentID   *int64    `db:"department_id"`
	DepartmentName string    `db:"department_name"`
	CreatedAt      time.Time `db:"created_at"`
}

// Global reports whether the grant is not limited to a department.
func (g Grant) Global() bool { return g.DepartmentID == nil }

// Department is a node of the organisation tree.
type Department struct {
	ID       int64  `db:"id"`
	ParentID *int64 `db:"parent_id"`
	Name     string `db:"name"`
	Code     string `db:"code"`  // short code, e.g. "TLRZ", used in import files
	Depth    int    `db:"depth"` // 0 for a root
	Version  int    `db:"version"`
}

// Session is a server-side login session; its secret is held only hashed.
type Session struct {
	ID         int64      `db:"id"`
	UserID     int64      `db:"user_id"`
	CreatedAt  time.Time  `db:"created_at"`
	LastSeenAt time.Time  `db:"last_seen_at"`
	ExpiresAt  time.Time  `db:"expires_at"`
	ClientAddr string     `db:"client_addr"`
	UserAgent  string     `db:"user_agent"`
	RevokedAt  *time.Time `db:"revoked_at"`
}

// APIToken is a named personal token for the API; its secret is held only hashed.
type APIToken struct {
	ID         int64      `db:"id"`
	UserID     int64      `db:"user_id"`
	Name       string     `db:"name"`
	Prefix     string     `db:"prefix"`
	ReadOnly   bool       `db:"read_only"` // only safe methods (GET, HEAD) pass
	CreatedAt  time.Time  `db:"created_at"`
	ExpiresAt  *time.Time `db:"expires_at"`
	LastUsedAt *time.Time `db:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
}

// Active reports whether the token can still be used at time now.
func (t APIToken) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// ValidateUsername checks the form of a login name.
func ValidateUsername(name string) error {
	if !usernamePattern.MatchString(name) {
		return Invalid(Violation{Pointer: "/username", Detail: "username must be 2 to 64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit",
			German: "Der Benutzername braucht 2 bis 64 Zeichen: Kleinbuchstaben, Ziffern, '.', '_' oder '-', am Anfang ein Buchstabe oder eine Ziffer."})
	}
	return nil
}

// Password length limits: long enough to resist guessing, bounded so that
// hashing cannot be abused with huge inputs.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// ValidatePassword checks a new password against the password policy.
func ValidatePassword(pointer, password string) error {
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLength || n > MaxPasswordLength {
		return Invalid(Violation{Pointer: pointer, Detail: "password must have at least 12 and at most 256 characters",
			German: "Das Passwort muss mindestens 12 und höchstens 256 Zeichen lang sein."})
	}
	return nil
}

// Actor is who makes a change, as recorded in the audit trail.
type Actor struct {
	UserID     *int64
	Name       string
	RequestID  string
	ClientAddr string
}

// Signature binds an approval (of the guideline, of a risk acceptance) to
// a person: the account that is signed in and confirmed it with its
// password, and the organisation's day of signing. Neither comes from a
// form; the store takes the signer's name from the account at that moment.
type Signature struct {
	UserID int64
	On     time.Time // a day, as Today returns it
}

// Validate checks the signature on the organisation's day today: it names
// an account and a day that is not in the future.
func (s Signature) Validate(today time.Time) []Violation {
	var vs []Violation
	if s.UserID <= 0 {
		vs = append(vs, Violation{Pointer: "", Detail: "an approval needs the signed-in account",
			German: "Eine Freigabe braucht ein angemeldetes Benutzerkonto."})
	}
	if s.On.IsZero() || s.On.After(today) {
		vs = append(vs, Violation{Pointer: "", Detail: "the day of an approval is today or earlier, never in the future",
			German: "Das Datum einer Freigabe liegt nie in der Zukunft."})
	}
	return vs
}

// UserInput is an account's profile as an administrator changes it.
type UserInput struct {
	DisplayName string
	Email       string
	Disabled    bool // a disabled account cannot log in; its sessions and tokens end
}

// Input is the account's current profile, to apply a change to.
func (u User) Input() UserInput {
	return UserInput{DisplayName: u.DisplayName, Email: u.Email, Disabled: u.Disabled}
}

// Validate checks the input and trims its texts.
func (in *UserInput) Validate() []Violation {
	in.DisplayName, in.Email = strings.TrimSpace(in.DisplayName), strings.TrimSpace(in.Email)
	var vs []Violation
	if TooLong(in.DisplayName, 200) {
		vs = append(vs, Violation{Pointer: "/display_name", Detail: "at most 200 characters", German: "Der Name ist zu lang (höchstens 200 Zeichen)."})
	}
	if TooLong(in.Email, 254) {
		vs = append(vs, Violation{Pointer: "/email", Detail: "at most 254 characters", German: "Die E-Mail-Adresse ist zu lang (höchstens 254 Zeichen)."})
	}
	return vs
}

// UserChange is a change of an account; nil fields stay.
type UserChange struct {
	DisplayName *string
	Email       *string
	Disabled    *bool
}

// Apply returns the account's profile with the change.
func (ch UserChange) Apply(u User) UserInput {
	in := u.Input()
	applyField(&in.DisplayName, ch.DisplayName)
	applyField(&in.Email, ch.Email)
	applyField(&in.Disabled, ch.Disabled)
	return in
}
