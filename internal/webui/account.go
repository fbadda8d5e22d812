package webui

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/account"
	"ismsd/internal/domain"
	"ismsd/internal/german"
	"ismsd/internal/route"
)

type accountPage struct {
	Grants         []domain.Grant
	Sessions       []domain.Session
	CurrentSession int64
	Tokens         []domain.APIToken
	NewToken       string // the secret of a token just created, shown once
	NewTokenName   string
	DefaultExpiry  time.Time
	MaxExpiry      time.Time
	Errors         formErrors
	PasswordErrors formErrors
}

func (a accountPage) FormError() string {
	if a.PasswordErrors.Summary != "" {
		return a.PasswordErrors.Summary
	}
	return a.Errors.Summary
}

func (u *UI) accountData(c *gin.Context) (accountPage, error) {
	ctx := c.Request.Context()
	p, _ := route.Principal(c)
	var d accountPage
	var err error
	if d.Grants, err = u.DB.GrantsOf(ctx, p.User.ID); err != nil {
		return d, err
	}
	if d.Sessions, err = u.DB.ListSessions(ctx, p.User.ID, u.Accounts.Config().SessionIdle); err != nil {
		return d, err
	}
	if d.Tokens, err = u.DB.ListTokens(ctx, p.User.ID); err != nil {
		return d, err
	}
	d.CurrentSession = p.SessionID
	now := time.Now()
	d.DefaultExpiry, d.MaxExpiry = now.AddDate(0, 0, 90), now.AddDate(0, 0, 365)
	d.Errors.Fields, d.PasswordErrors.Fields = map[string]string{}, map[string]string{}
	return d, nil
}

func (u *UI) accountPage(c *gin.Context) error {
	d, err := u.accountData(c)
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "account", "Mein Konto", d)
}

func (u *UI) changePassword(c *gin.Context) error {
	p, _ := route.Principal(c)
	current, next, repeat := c.PostForm("current_password"), c.PostForm("new_password"), c.PostForm("repeat_password")
	var err error
	if next != repeat {
		err = domain.Invalid(domain.Violation{Pointer: "/repeat_password", Detail: "passwords differ",
			German: "Die Wiederholung stimmt nicht mit dem neuen Passwort überein."})
	} else {
		err = u.Accounts.ChangeOwnPassword(c.Request.Context(), route.Actor(c), p, current, next)
	}
	if err != nil {
		return refuseForm(u, c, err, "account", "Mein Konto", func() (accountPage, error) { return u.accountData(c) },
			func(d *accountPage, fe formErrors) { d.PasswordErrors = fe })
	}
	if p.User.MustChangePassword {
		return u.redirect(c, "/", "Ihr Passwort ist geändert. Willkommen!")
	}
	return u.redirect(c, "/account", "Ihr Passwort ist geändert. Ihre anderen Sitzungen wurden beendet.")
}

func (u *UI) createToken(c *gin.Context) error {
	p, _ := route.Principal(c)
	name := c.PostForm("name")
	expires, perr := time.ParseInLocation("2006-01-02", c.PostForm("expires_at"), u.Location)
	var err error
	var secret string
	if perr != nil {
		err = domain.Invalid(domain.Violation{Pointer: "/expires_at", Detail: "bad date", German: "Bitte geben Sie ein Ablaufdatum an."})
	} else {
		// The token lives to the end of the chosen day.
		_, secret, err = u.Accounts.CreateToken(c.Request.Context(), route.Actor(c), p.User.ID,
			account.TokenInput{Name: name, ExpiresAt: expires.AddDate(0, 0, 1), ReadOnly: c.PostForm("read_only") == "true"})
	}
	d, derr := u.accountData(c)
	if derr != nil {
		return derr
	}
	if err != nil {
		if !isInputError(err) {
			return err
		}
		d.Errors = newFormErrors(err)
		return u.render(c, statusOf(err), "account", "Mein Konto", d)
	}
	d.NewToken, d.NewTokenName = secret, name
	return u.render(c, http.StatusOK, "account", "Mein Konto", d)
}

func (u *UI) revokeToken(c *gin.Context) error {
	p, _ := route.Principal(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return domain.ErrNotFound
	}
	if err := u.Accounts.RevokeToken(c.Request.Context(), route.Actor(c), p.User.ID, id); err != nil {
		return err
	}
	return u.redirect(c, "/account", "Das Token ist widerrufen.")
}

func (u *UI) endOwnSession(c *gin.Context) error {
	p, _ := route.Principal(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return domain.ErrNotFound
	}
	if err := u.Accounts.RevokeSession(c.Request.Context(), route.Actor(c), p.User.ID, id); err != nil {
		return err
	}
	if id == p.SessionID {
		u.Cookie.Clear(c)
		return u.redirect(c, "/login", "Die Sitzung ist beendet.")
	}
	return u.redirect(c, "/account", "Die Sitzung ist beendet.")
}

// signing is what an approval form shows of its signature: the signed-in
// account signs on the organisation's day, confirmed by its password
// unless the session confirmed it within account.StepUpWindow.
type signing struct {
	ID            string // of the password field
	Name          string
	Day           string
	NeedsPassword bool
	Error         string // the refusal of the password, if any
}

func (u *UI) signing(c *gin.Context, id string) signing {
	p, _ := route.Principal(c)
	fresh := p.SessionID != 0 && p.Reauthenticated != nil && time.Since(*p.Reauthenticated) <= account.StepUpWindow
	return signing{ID: id, Name: p.User.Name(), Day: german.Date(u.today()), NeedsPassword: !fresh}
}

// sign confirms the approval of the form's sender with the password field
// and returns the signature and the organisation's day.
func (u *UI) sign(c *gin.Context) (domain.Signature, time.Time, error) {
	p, _ := route.Principal(c)
	today := u.today()
	password := c.PostForm("password")
	sig, err := u.Accounts.Sign(c.Request.Context(), route.Actor(c), p, password, today)
	if err == nil && password != "" && p.SessionID != 0 {
		// A form shown again after another refusal knows of the confirmation.
		now := time.Now()
		p.Reauthenticated = &now
		route.SetPrincipal(c, p)
	}
	return sig, today, err
}
