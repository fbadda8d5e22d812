package webui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"ismsd/internal/account"
	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/route"
)

type loginPage struct {
	Username string
	Next     string
	Message  string
}

func (l loginPage) FormError() string { return l.Message }

// safeNext keeps redirects after login on this site: it accepts a path
// of this site and nothing a browser could read as another host or
// scheme. Browsers drop tabs and line breaks from URLs and treat a
// backslash as a slash, so "/\t/evil.example" would lead to
// //evil.example; the same holds for the percent-encoded forms. Anything
// doubtful goes to the start page.
func safeNext(next string) string {
	decoded, err := url.PathUnescape(next)
	if err != nil || !utf8.ValidString(decoded) {
		return "/"
	}
	for _, s := range []string{next, decoded} {
		if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsRune(s, '\\') || strings.ContainsFunc(s, invisible) {
			return "/"
		}
	}
	return next
}

// invisible reports control, format and line or paragraph separator
// characters, which have no place in a path and which browsers may drop.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
}

func (u *UI) loginPage(c *gin.Context) error {
	if _, ok := route.Principal(c); ok {
		c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
		return nil
	}
	return u.render(c, http.StatusOK, "login", "Anmeldung", loginPage{Next: safeNext(c.Query("next"))})
}

func (u *UI) login(c *gin.Context) error {
	username, password := c.PostForm("username"), c.PostForm("password")
	next := safeNext(c.PostForm("next"))
	res, err := u.Accounts.Login(c.Request.Context(), route.Actor(c),
		account.LoginInput{Username: username, Password: password, UserAgent: c.Request.UserAgent(), Device: u.Device.Read(c)})
	if err != nil {
		if !isInputError(err) {
			return err
		}
		status := http.StatusUnauthorized
		if errors.Is(err, domain.ErrThrottled) {
			status = http.StatusTooManyRequests
		}
		return u.render(c, status, "login", "Anmeldung", loginPage{Username: username, Next: next, Message: germanMessage(err)})
	}
	u.Cookie.Set(c, res.Secret)
	if res.Device != "" {
		u.Device.Set(c, res.Device)
	}
	if res.Principal.User.MustChangePassword {
		return u.redirect(c, "/account", "Bitte vergeben Sie jetzt ein eigenes Passwort.")
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

func (u *UI) logout(c *gin.Context) error {
	p, _ := route.Principal(c)
	if p.SessionID != 0 {
		if err := u.Accounts.Logout(c.Request.Context(), route.Actor(c), p); err != nil && !errors.Is(err, domain.ErrNotFound) {
			return err
		}
	}
	u.Cookie.Clear(c)
	return u.redirect(c, "/login", "Sie sind abgemeldet.")
}

// roleInfo explains a grant on the start page.
type roleInfo struct {
	Grant       domain.Grant
	Description string
}

var roleDescriptions = map[domain.Role]string{
	domain.RoleAdmin:          "verwaltet Benutzerkonten, Rollen, Kataloge und Systemeinstellungen.",
	domain.RoleISB:            "modelliert den Informationsverbund, erfasst den IT-Grundschutz-Check, plant Maßnahmen und lädt Nachweise hoch.",
	domain.RoleAuditor:        "liest den auditierten Informationsverbund, prüft Nachweise und erfasst Feststellungen.",
	domain.RoleDepartmentHead: "sieht Übersichten und Berichte der eigenen Organisationseinheit und der darunterliegenden.",
	domain.RoleManagement:     "liest alles, zeichnet Risikoakzeptanzen und gibt die Leitlinie frei.",
}

type homePage struct {
	Roles        []roleInfo
	Sessions     int
	Tokens       int
	UserCount    int
	ShowUsers    bool
	RecentAudit  []domain.AuditRecord
	ShowAudit    bool
	OwnLastAudit []domain.AuditRecord
	Work         workspace // what waits for the user (workspace.go)
}

func (u *UI) home(c *gin.Context) error {
	ctx := c.Request.Context()
	p, _ := route.Principal(c)
	grants, err := u.DB.GrantsOf(ctx, p.User.ID)
	if err != nil {
		return err
	}
	var data homePage
	if data.Work, err = u.workspaceData(c); err != nil {
		return err
	}
	for _, g := range grants {
		data.Roles = append(data.Roles, roleInfo{Grant: g, Description: roleDescriptions[g.Role]})
	}
	sessions, err := u.DB.ListSessions(ctx, p.User.ID, u.Accounts.Config().SessionIdle)
	if err != nil {
		return err
	}
	tokens, err := u.DB.ListTokens(ctx, p.User.ID)
	if err != nil {
		return err
	}
	data.Sessions, data.Tokens = len(sessions), len(tokens)
	if u.Authz.Decide(p.User.ID, authz.Require(authz.ResourceUsers, authz.ActionRead)).Allowed {
		data.ShowUsers = true
		if data.UserCount, err = u.DB.UserCount(ctx); err != nil {
			return err
		}
	}
	if u.Authz.Decide(p.User.ID, authz.Require(authz.ResourceAuditLog, authz.ActionRead)).Allowed {
		data.ShowAudit = true
		if data.RecentAudit, _, err = u.DB.ListAudit(ctx, domain.AuditFilter{Limit: 8}); err != nil {
			return err
		}
	}
	if data.OwnLastAudit, _, err = u.DB.ListAudit(ctx, domain.AuditFilter{Actor: p.User.Username, Limit: 5}); err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "home", "Start", data)
}
