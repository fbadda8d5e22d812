package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/account"
	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/route"
)

func (a *API) userRoutes() []route.Route {
	read, write := authz.Require(authz.ResourceUsers, authz.ActionRead), authz.Require(authz.ResourceUsers, authz.ActionWrite)
	return []route.Route{
		{Method: http.MethodGet, Path: "/api/v1/users", Perm: read, Handler: a.listUsers,
			Summary: "All accounts with their role grants", Response: "user.json", List: true},
		{Method: http.MethodPost, Path: "/api/v1/users", Perm: write, Handler: a.createUser,
			Summary: "Create an account; a generated password is in this answer only", Request: "user-create.json", Response: "user.json", Status: http.StatusCreated},
		{Method: http.MethodGet, Path: "/api/v1/users/:id", Perm: read, Handler: a.getUser,
			Summary: "One account; the ETag is its version", Response: "user.json"},
		{Method: http.MethodPatch, Path: "/api/v1/users/:id", Perm: write, Handler: a.updateUser, IfMatch: true,
			Summary: "Change name, e-mail, or disable/enable an account (disabling ends its sessions and tokens)", Request: "user-update.json", Response: "user.json"},
		{Method: http.MethodPut, Path: "/api/v1/users/:id/password", Perm: write, Handler: a.resetPassword,
			Summary: "Reset a password; the user must change it at the next login, their sessions end and their API tokens are revoked", Request: "password-set.json", Response: "user.json"},
		{Method: http.MethodPost, Path: "/api/v1/users/:id/grants", Perm: write, Handler: a.grant,
			Summary: "Grant a role, globally or for a department subtree", Request: "grant-create.json", Response: "grant.json", Status: http.StatusCreated},
		{Method: http.MethodDelete, Path: "/api/v1/users/:id/grants/:grant", Perm: write, Handler: a.revokeGrant,
			Summary: "Revoke a role grant", Status: http.StatusNoContent},
		{Method: http.MethodGet, Path: "/api/v1/users/:id/sessions", Perm: read, Handler: a.userSessions,
			Summary: "The active sessions of an account", Response: "session.json", List: true},
		{Method: http.MethodDelete, Path: "/api/v1/users/:id/sessions", Perm: write, Handler: a.revokeUserSessions,
			Summary: "End every session of an account and revoke its API tokens", Status: http.StatusNoContent},
		{Method: http.MethodDelete, Path: "/api/v1/users/:id/sessions/:session", Perm: write, Handler: a.revokeUserSession,
			Summary: "End one session of an account", Status: http.StatusNoContent},
		{Method: http.MethodGet, Path: "/api/v1/users/:id/tokens", Perm: read, Handler: a.userTokens,
			Summary: "The API tokens of an account that are not revoked", Response: "token.json", List: true},
		{Method: http.MethodDelete, Path: "/api/v1/users/:id/tokens/:token", Perm: write, Handler: a.revokeUserToken,
			Summary: "Revoke one API token of an account", Status: http.StatusNoContent},
		{Method: http.MethodGet, Path: "/api/v1/users/:id/lockouts", Perm: read, Handler: a.userLockouts,
			Summary: "The client addresses with recent failed logins on the account's name, and until when each is held back", Response: "lockout.json", List: true},
		{Method: http.MethodDelete, Path: "/api/v1/users/:id/lockouts", Perm: write, Handler: a.liftLockout,
			Summary: "Lift the account's lockout: forget the failed logins on its name from every client", Status: http.StatusNoContent},
	}
}

func (a *API) listUsers(c *gin.Context) error {
	us, grants, err := a.DB.ListUsersWithGrants(c.Request.Context())
	return answerList(c, us, err, func(u domain.User) userResponse { return newUserResponse(u, grants[u.ID]) })
}

// writeUser answers with one user, its ETag and its grants.
func (a *API) writeUser(c *gin.Context, status int, u domain.User, password string) error {
	grants, err := a.DB.GrantsOf(c.Request.Context(), u.ID)
	if err != nil {
		return err
	}
	r := newUserResponse(u, grants)
	r.Password = password
	if password != "" {
		c.Header("Cache-Control", "no-store")
	}
	writeVersioned(c, status, u.Version, r)
	return nil
}

func (a *API) createUser(c *gin.Context) error {
	var req struct {
		Username    string `json:"username"`
		DisplayName string `json:"display_name"`
		Email       string `json:"email"`
		Password    string `json:"password"`
	}
	if err := a.decode(c, &req); err != nil {
		return err
	}
	u, generated, err := a.Accounts.CreateUser(c.Request.Context(), route.Actor(c), account.NewUserInput{
		Username: req.Username, DisplayName: req.DisplayName, Email: req.Email, Password: req.Password})
	if err != nil {
		return err
	}
	setLocation(c, "/api/v1/users/", u.ID)
	return a.writeUser(c, http.StatusCreated, u, generated)
}

func (a *API) getUser(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	u, err := a.DB.UserByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	return a.writeUser(c, http.StatusOK, u, "")
}

func (a *API) updateUser(c *gin.Context) error {
	var req struct {
		DisplayName Optional[string] `json:"display_name"`
		Email       Optional[string] `json:"email"`
		Disabled    Optional[bool]   `json:"disabled"`
	}
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	u, err := a.Accounts.UpdateUser(c.Request.Context(), route.Actor(c), id, version,
		domain.UserChange{DisplayName: req.DisplayName.Change(), Email: req.Email.Change(), Disabled: req.Disabled.Change()})
	if err != nil {
		return err
	}
	return a.writeUser(c, http.StatusOK, u, "")
}

func (a *API) resetPassword(c *gin.Context) error {
	var req struct {
		Password string `json:"password"`
	}
	id, err := a.decodeAt(c, &req)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	generated, err := a.Accounts.SetPassword(ctx, route.Actor(c), id, req.Password)
	if err != nil {
		return err
	}
	u, err := a.DB.UserByID(ctx, id)
	if err != nil {
		return err
	}
	return a.writeUser(c, http.StatusOK, u, generated)
}

func (a *API) grant(c *gin.Context) error {
	var req struct {
		Role         domain.Role `json:"role"`
		DepartmentID *int64      `json:"department_id"`
	}
	id, err := a.decodeAt(c, &req)
	if err != nil {
		return err
	}
	g, err := a.Accounts.Grant(c.Request.Context(), route.Actor(c), id, req.Role, req.DepartmentID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, newGrantResponse(g))
	return nil
}

func (a *API) revokeGrant(c *gin.Context) error {
	id, grantID, err := pathPair(c, "grant")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	grants, err := a.DB.GrantsOf(ctx, id)
	if err != nil {
		return err
	}
	for _, g := range grants {
		if g.ID == grantID {
			return noContent(c, a.Accounts.Revoke(ctx, route.Actor(c), id, g.Role, g.DepartmentID))
		}
	}
	return domain.Errorf(domain.ErrNotFound, "the user has no grant %d", grantID)
}

func (a *API) userSessions(c *gin.Context) error {
	id, err := existingOfPath(c, a.DB.UserByID)
	if err != nil {
		return err
	}
	ss, err := a.DB.ListSessions(c.Request.Context(), id, a.Accounts.Config().SessionIdle)
	if err != nil {
		return err
	}
	p, _ := route.Principal(c)
	c.JSON(http.StatusOK, newList(newSessionResponses(ss, p.SessionID), ""))
	return nil
}

func (a *API) revokeUserSessions(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, _, err := a.Accounts.RevokeSessions(c.Request.Context(), route.Actor(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (a *API) revokeUserSession(c *gin.Context) error {
	id, sid, err := pathPair(c, "session")
	if err != nil {
		return err
	}
	return noContent(c, a.Accounts.RevokeSession(c.Request.Context(), route.Actor(c), id, sid))
}

func (a *API) userTokens(c *gin.Context) error {
	id, err := existingOfPath(c, a.DB.UserByID)
	if err != nil {
		return err
	}
	return a.writeTokens(c, id)
}

func (a *API) revokeUserToken(c *gin.Context) error {
	id, tid, err := pathPair(c, "token")
	if err != nil {
		return err
	}
	return noContent(c, a.Accounts.RevokeToken(c.Request.Context(), route.Actor(c), id, tid))
}

type lockoutResponse struct {
	ClientAddr     string     `json:"client_addr"`
	Failures       int        `json:"failures"`
	ClientFailures int        `json:"client_failures"`
	LastFailureAt  time.Time  `json:"last_failure_at"`
	LockedUntil    *time.Time `json:"locked_until"`
}

func (a *API) userLockouts(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ls, err := a.Accounts.Lockouts(c.Request.Context(), id)
	if err != nil {
		return err
	}
	out := make([]lockoutResponse, len(ls))
	for i, l := range ls {
		out[i] = lockoutResponse{ClientAddr: l.ClientAddr, Failures: l.Failures, ClientFailures: l.ClientFailures, LastFailureAt: l.LastFailure}
		if !l.Until.IsZero() {
			out[i].LockedUntil = &l.Until
		}
	}
	c.JSON(http.StatusOK, newList(out, ""))
	return nil
}

func (a *API) liftLockout(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := a.Accounts.LiftLockout(c.Request.Context(), route.Actor(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
