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

func (a *API) sessionRoutes() []route.Route {
	return []route.Route{
		{Method: http.MethodPost, Path: "/api/v1/session", Perm: authz.Public, Handler: a.login, AllowPendingPasswordChange: true,
			Summary: "Log in: checks user name and password, sets the session cookie and returns the user", Request: "session-create.json", Response: "me.json", Status: http.StatusCreated},
		{Method: http.MethodDelete, Path: "/api/v1/session", Perm: authz.Authenticated, Handler: a.logout, AllowPendingPasswordChange: true,
			Summary: "Log out: ends the current session", Status: http.StatusNoContent},
		{Method: http.MethodGet, Path: "/api/v1/me", Perm: authz.Authenticated, Handler: a.me, AllowPendingPasswordChange: true,
			Summary: "The authenticated user and their role grants", Response: "me.json"},
		{Method: http.MethodPut, Path: "/api/v1/me/password", Perm: authz.Authenticated, Handler: a.changePassword, AllowPendingPasswordChange: true,
			Summary: "Change the own password; other sessions end", Request: "password-change.json", Status: http.StatusNoContent},
		{Method: http.MethodGet, Path: "/api/v1/me/sessions", Perm: authz.Authenticated, Handler: a.mySessions,
			Summary: "The own active sessions", Response: "session.json", List: true},
		{Method: http.MethodDelete, Path: "/api/v1/me/sessions/:id", Perm: authz.Authenticated, Handler: a.endMySession,
			Summary: "End one of the own sessions", Status: http.StatusNoContent},
		{Method: http.MethodGet, Path: "/api/v1/me/tokens", Perm: authz.Authenticated, Handler: a.myTokens,
			Summary: "The own personal API tokens that are not revoked", Response: "token.json", List: true},
		{Method: http.MethodPost, Path: "/api/v1/me/tokens", Perm: authz.Authenticated, Handler: a.createToken, SessionOnly: true,
			Summary: "Create a personal API token, optionally read-only; the secret is in this answer only. Needs a login session: a request made with a token is refused (403)",
			Request: "token-create.json", Response: "token.json", Status: http.StatusCreated},
		{Method: http.MethodDelete, Path: "/api/v1/me/tokens/:id", Perm: authz.Authenticated, Handler: a.revokeToken,
			Summary: "Revoke one of the own API tokens", Status: http.StatusNoContent},
	}
}

type userResponse struct {
	ID                 int64           `json:"id"`
	Username           string          `json:"username"`
	DisplayName        string          `json:"display_name"`
	Email              string          `json:"email"`
	Disabled           bool            `json:"disabled"`
	MustChangePassword bool            `json:"must_change_password"`
	CreatedAt          time.Time       `json:"created_at"`
	Version            int             `json:"version"`
	Grants             []grantResponse `json:"grants"`
	Password           string          `json:"password,omitempty"`
}

type grantResponse struct {
	ID             int64       `json:"id"`
	Role           domain.Role `json:"role"`
	DepartmentID   *int64      `json:"department_id"`
	DepartmentName string      `json:"department_name,omitempty"`
}

func newGrantResponse(g domain.Grant) grantResponse {
	return grantResponse{ID: g.ID, Role: g.Role, DepartmentID: g.DepartmentID, DepartmentName: g.DepartmentName}
}

func newUserResponse(u domain.User, grants []domain.Grant) userResponse {
	r := userResponse{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Email: u.Email,
		Disabled: u.Disabled, MustChangePassword: u.MustChangePassword, CreatedAt: u.CreatedAt,
		Version: u.Version, Grants: []grantResponse{}}
	for _, g := range grants {
		r.Grants = append(r.Grants, newGrantResponse(g))
	}
	return r
}

type meResponse struct {
	userResponse
	AuthenticatedBy string `json:"authenticated_by"`
}

// meResponse shows the grants the enforcer decides with, which every
// instance reloads within a second of a change.
func (a *API) meResponse(u domain.User, byToken bool) meResponse {
	m := meResponse{userResponse: newUserResponse(u, a.Authz.Grants(u.ID)), AuthenticatedBy: "session"}
	if byToken {
		m.AuthenticatedBy = "token"
	}
	return m
}

func (a *API) login(c *gin.Context) error {
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := a.decode(c, &req); err != nil {
		return err
	}
	res, err := a.Accounts.Login(c.Request.Context(), route.Actor(c),
		account.LoginInput{Username: req.Username, Password: req.Password, UserAgent: c.Request.UserAgent(), Device: a.Device.Read(c)})
	if err != nil {
		return err
	}
	a.Cookie.Set(c, res.Secret)
	if res.Device != "" {
		a.Device.Set(c, res.Device)
	}
	c.JSON(http.StatusCreated, a.meResponse(res.Principal.User, false))
	return nil
}

func (a *API) logout(c *gin.Context) error {
	p, _ := route.Principal(c)
	if err := a.Accounts.Logout(c.Request.Context(), route.Actor(c), p); err != nil {
		return err
	}
	a.Cookie.Clear(c)
	c.Status(http.StatusNoContent)
	return nil
}

func (a *API) me(c *gin.Context) error {
	p, _ := route.Principal(c)
	c.JSON(http.StatusOK, a.meResponse(p.User, p.TokenID != 0))
	return nil
}

func (a *API) changePassword(c *gin.Context) error {
	var req struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := a.decode(c, &req); err != nil {
		return err
	}
	p, _ := route.Principal(c)
	return noContent(c, a.Accounts.ChangeOwnPassword(c.Request.Context(), route.Actor(c), p, req.Current, req.New))
}

type sessionResponse struct {
	ID         int64     `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	ClientAddr string    `json:"client_addr"`
	UserAgent  string    `json:"user_agent"`
	Current    bool      `json:"current"`
}

func newSessionResponses(ss []domain.Session, current int64) []sessionResponse {
	out := make([]sessionResponse, len(ss))
	for i, s := range ss {
		out[i] = sessionResponse{ID: s.ID, CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt,
			ClientAddr: s.ClientAddr, UserAgent: s.UserAgent, Current: s.ID == current}
	}
	return out
}

func (a *API) mySessions(c *gin.Context) error {
	p, _ := route.Principal(c)
	ss, err := a.DB.ListSessions(c.Request.Context(), p.User.ID, a.Accounts.Config().SessionIdle)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(newSessionResponses(ss, p.SessionID), ""))
	return nil
}

func (a *API) endMySession(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, _ := route.Principal(c)
	return noContent(c, a.Accounts.RevokeSession(c.Request.Context(), route.Actor(c), p.User.ID, id))
}

type tokenResponse struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	ReadOnly   bool       `json:"read_only"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	Token      string     `json:"token,omitempty"`
}

func newTokenResponse(t domain.APIToken) tokenResponse {
	return tokenResponse{ID: t.ID, Name: t.Name, Prefix: t.Prefix, ReadOnly: t.ReadOnly, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt}
}

func (a *API) myTokens(c *gin.Context) error {
	p, _ := route.Principal(c)
	return a.writeTokens(c, p.User.ID)
}

// writeTokens answers with a user's tokens that are not revoked.
func (a *API) writeTokens(c *gin.Context, userID int64) error {
	ts, err := a.DB.ListTokens(c.Request.Context(), userID)
	return answerList(c, ts, err, newTokenResponse)
}

func (a *API) createToken(c *gin.Context) error {
	var req struct {
		Name      string    `json:"name"`
		ExpiresAt time.Time `json:"expires_at"`
		ReadOnly  bool      `json:"read_only"`
	}
	if err := a.decode(c, &req); err != nil {
		return err
	}
	p, _ := route.Principal(c)
	t, secret, err := a.Accounts.CreateToken(c.Request.Context(), route.Actor(c), p.User.ID,
		account.TokenInput{Name: req.Name, ExpiresAt: req.ExpiresAt, ReadOnly: req.ReadOnly})
	if err != nil {
		return err
	}
	r := newTokenResponse(t)
	r.Token = secret
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, r)
	return nil
}

func (a *API) revokeToken(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, _ := route.Principal(c)
	return noContent(c, a.Accounts.RevokeToken(c.Request.Context(), route.Actor(c), p.User.ID, id))
}
