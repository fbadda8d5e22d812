package webui

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ismsd/internal/account"
	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/route"
)

type usersPage struct {
	Users    []domain.User
	Grants   map[int64][]domain.Grant
	CanWrite bool
}

func (u *UI) canWriteUsers(c *gin.Context) bool {
	p, _ := route.Principal(c)
	return u.Authz.Decide(p.User.ID, authz.Require(authz.ResourceUsers, authz.ActionWrite)).Allowed
}

func (u *UI) usersPage(c *gin.Context) error {
	us, grants, err := u.DB.ListUsersWithGrants(c.Request.Context())
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "users", "Benutzerverwaltung", usersPage{Users: us, Grants: grants, CanWrite: u.canWriteUsers(c)})
}

type newUserPage struct {
	Input  account.NewUserInput
	Errors formErrors
}

func (n newUserPage) FormError() string { return n.Errors.Summary }

func (u *UI) newUserPage(c *gin.Context) error {
	return u.render(c, http.StatusOK, "user_new", "Neues Benutzerkonto", newUserPage{Errors: formErrors{Fields: map[string]string{}}})
}

// passwordShown is the one page that shows a generated password.
type passwordShown struct {
	User     domain.User
	Password string
	Created  bool
}

func (u *UI) createUser(c *gin.Context) error {
	in := account.NewUserInput{Username: c.PostForm("username"), DisplayName: c.PostForm("display_name"), Email: c.PostForm("email")}
	user, generated, err := u.Accounts.CreateUser(c.Request.Context(), route.Actor(c), in)
	if err != nil {
		if !isInputError(err) {
			return err
		}
		return u.render(c, statusOf(err), "user_new", "Neues Benutzerkonto", newUserPage{Input: in, Errors: newFormErrors(err)})
	}
	return u.render(c, http.StatusCreated, "user_password", "Konto angelegt", passwordShown{User: user, Password: generated, Created: true})
}

type userPage struct {
	Account     domain.User
	Grants      []domain.Grant
	Sessions    []domain.Session
	Tokens      []domain.APIToken
	Lockouts    []account.Lockout
	Departments []domain.Department
	Roles       []domain.Role
	CanWrite    bool
	Self        bool
	Errors      formErrors
}

func (p userPage) FormError() string { return p.Errors.Summary }

func (u *UI) userData(c *gin.Context) (userPage, error) {
	ctx := c.Request.Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return userPage{}, domain.ErrNotFound
	}
	var d userPage
	if d.Account, err = u.DB.UserByID(ctx, id); err != nil {
		return d, err
	}
	if d.Grants, err = u.DB.GrantsOf(ctx, id); err != nil {
		return d, err
	}
	if d.Sessions, err = u.DB.ListSessions(ctx, id, u.Accounts.Config().SessionIdle); err != nil {
		return d, err
	}
	if d.Tokens, err = u.DB.ListTokens(ctx, id); err != nil {
		return d, err
	}
	if d.Lockouts, err = u.Accounts.Lockouts(ctx, id); err != nil {
		return d, err
	}
	if d.Departments, err = u.DB.ListDepartments(ctx); err != nil {
		return d, err
	}
	p, _ := route.Principal(c)
	d.Roles, d.CanWrite, d.Self = domain.Roles, u.canWriteUsers(c), p.User.ID == id
	d.Errors.Fields = map[string]string{}
	return d, nil
}

func (u *UI) userPage(c *gin.Context) error {
	d, err := u.userData(c)
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "user", "Konto "+d.Account.Username, d)
}

// userFormFailed shows the user page again with the refusal, or fails.
func (u *UI) userFormFailed(c *gin.Context, err error) error {
	if !isInputError(err) {
		return err
	}
	d, derr := u.userData(c)
	if derr != nil {
		return derr
	}
	d.Errors = newFormErrors(err)
	return u.render(c, statusOf(err), "user", "Konto "+d.Account.Username, d)
}

func userURL(id int64) string { return "/admin/users/" + strconv.FormatInt(id, 10) }

func (u *UI) updateUser(c *gin.Context) error {
	d, err := u.userData(c)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.PostForm("version"))
	name, email := c.PostForm("display_name"), c.PostForm("email")
	if version <= 0 {
		version = -1 // a form without version cannot prove it saw the current state
	}
	_, err = u.Accounts.UpdateUser(c.Request.Context(), route.Actor(c), d.Account.ID, version,
		domain.UserChange{DisplayName: &name, Email: &email})
	if err != nil {
		return u.userFormFailed(c, err)
	}
	return u.redirect(c, userURL(d.Account.ID), "Die Angaben sind gespeichert.")
}

func (u *UI) setUserStatus(c *gin.Context) error {
	d, err := u.userData(c)
	if err != nil {
		return err
	}
	disable := c.PostForm("disabled") == "true"
	if _, err := u.Accounts.SetDisabled(c.Request.Context(), route.Actor(c), d.Account.ID, disable); err != nil {
		return u.userFormFailed(c, err)
	}
	msg := "Das Konto ist wieder aktiv."
	if disable {
		msg = "Das Konto ist gesperrt; seine Sitzungen sind beendet und seine API-Tokens widerrufen."
	}
	return u.redirect(c, userURL(d.Account.ID), msg)
}

func (u *UI) resetPassword(c *gin.Context) error {
	d, err := u.userData(c)
	if err != nil {
		return err
	}
	generated, err := u.Accounts.SetPassword(c.Request.Context(), route.Actor(c), d.Account.ID, "")
	if err != nil {
		return u.userFormFailed(c, err)
	}
	return u.render(c, http.StatusOK, "user_password", "Passwort zurückgesetzt", passwordShown{User: d.Account, Password: generated})
}

func (u *UI) grant(c *gin.Context) error {
	d, err := u.userData(c)
	if err != nil {
		return err
	}
	role := domain.Role(c.PostForm("role"))
	var dept *int64
	if v := c.PostForm("department_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return u.userFormFailed(c, domain.Invalid(domain.Violation{Pointer: "/department_id", Detail: "bad department", German: "Unbekannte Organisationseinheit."}))
		}
		dept = &id
	}
	if _, err := u.Accounts.Grant(c.Request.Context(), route.Actor(c), d.Account.ID, role, dept); err != nil {
		return u.userFormFailed(c, err)
	}
	return u.redirect(c, userURL(d.Account.ID), "Die Rolle ist vergeben.")
}

func (u *UI) revokeGrant(c *gin.Context) error {
	d, err := u.userData(c)
	if err != nil {
		return err
	}
	grantID, _ := strconv.ParseInt(c.Param("grant"), 10, 64)
	for _, g := range d.Grants {
		if g.ID == grantID {
			if err := u.Accounts.Revoke(c.Request.Context(), route.Actor(c), d.Account.ID, g.Role, g.DepartmentID); err != nil {
				return u.userFormFailed(c, err)
			}
			return u.redirect(c, userURL(d.Account.ID), "Die Rolle ist entzogen.")
		}
	}
	return domain.ErrNotFound
}

func (u *UI) endUserSessions(c *gin.Context) error {
	d, err := u.userData(c)
	if err != nil {
		return err
	}
	sessions, tokens, err := u.Accounts.RevokeSessions(c.Request.Context(), route.Actor(c), d.Account.ID)
	if err != nil {
		return err
	}
	return u.redirect(c, userURL(d.Account.ID), fmt.Sprintf("%d Sitzung(en) beendet, %d API-Token(s) widerrufen.", sessions, tokens))
}

func (u *UI) revokeUserToken(c *gin.Context) error {
	d, err := u.userData(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("token"), 10, 64)
	if err != nil {
		return domain.ErrNotFound
	}
	if err := u.Accounts.RevokeToken(c.Request.Context(), route.Actor(c), d.Account.ID, id); err != nil {
		return u.userFormFailed(c, err)
	}
	return u.redirect(c, userURL(d.Account.ID), "Das API-Token ist widerrufen.")
}

func (u *UI) liftLockout(c *gin.Context) error {
	d, err := u.userData(c)
	if err != nil {
		return err
	}
	if _, err := u.Accounts.LiftLockout(c.Request.Context(), route.Actor(c), d.Account.ID); err != nil {
		return err
	}
	return u.redirect(c, userURL(d.Account.ID), "Die Anmeldesperre ist aufgehoben: Die Fehlversuche sind vergessen.")
}

// clientLabel names where failed logins came from: an address, or a
// browser that is throttled by its device cookie (account.LoginInput).
func clientLabel(client string) string {
	if id, ok := strings.CutPrefix(client, "device:"); ok {
		return "Browser mit Gerätecookie Nr. " + id
	}
	return client
}
