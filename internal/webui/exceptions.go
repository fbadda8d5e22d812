package webui

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// Exceptions (Ausnahmen, Methodik UMS.5) of a Grundschutz++ scope: the
// box on the check entry's page, where management authorises and revokes
// them, and the list of a scope's exceptions.
func (u *UI) exceptionRoutes() []route.Route {
	read := authz.Require(authz.ResourceObjects, authz.ActionRead)
	authorise := authz.Require(authz.ResourceExceptions, authz.ActionWrite)
	get, post := http.MethodGet, http.MethodPost
	return []route.Route{
		{Method: get, Path: "/scopes/:id/exceptions", Perm: read, Handler: u.exceptionsPage},
		{Method: post, Path: "/check-entries/:id/exception", Perm: authorise, Handler: u.createException},
		{Method: post, Path: "/exceptions/:id/revoke", Perm: authorise, Handler: u.revokeException},
	}
}

var errExceptionNotFound = domain.Errorf(domain.ErrNotFound, "no such exception").De("Diese Ausnahme gibt es nicht.")

// SecurityLevel is a Grundschutz++ entry's Sicherheitsniveau ("" for a
// Kompendium entry, whose level the B/S/H badge shows).
func (v entryView) SecurityLevel() string {
	switch {
	case v.Obligation == "":
		return ""
	case v.Level == domain.LevelElevated:
		return "erhöht"
	}
	return "normal-SdT"
}

// exceptionState is an exception's state in German with its badge.
type exceptionState struct {
	Label, Class string
}

func stateOfException(x domain.Exception, today time.Time) exceptionState {
	s := exceptionState{Label: x.StateLabel(today), Class: "tag-ok"}
	switch {
	case x.State(today) != domain.ExceptionValid:
		s.Class = "tag-bad"
	case x.DaysLeft(today) <= domain.ExceptionExpiringDays:
		s.Class = "tag-warn"
	}
	return s
}

// exceptionBox is the box "Ausnahme" of a check entry's page.
type exceptionBox struct {
	Show         bool              // an unmet MUSS or SOLLTE, or an entry with an exception
	Current      *domain.Exception // the one not revoked, else the last revoked one
	State        exceptionState
	CanAuthorise bool // management, and no exception that is not revoked
	CanRevoke    bool
	Signing      signing
	In           domain.ExceptionInput
	Tomorrow     string // the earliest end date
	Errors       formErrors
}

func (b exceptionBox) Field(name string) string { return b.Errors.Fields[name] }

func (u *UI) exceptionBoxOf(c *gin.Context, e domain.CheckEntry) (exceptionBox, error) {
	today := u.today()
	b := exceptionBox{Tomorrow: today.AddDate(0, 0, 1).Format(time.DateOnly), Errors: formErrors{Fields: map[string]string{}}}
	if !e.Obligation.MayHaveException() {
		return b, nil
	}
	x, err := u.DB.EntryException(c.Request.Context(), e.ID, u.visibilityFor(c, authz.ActionRead))
	switch {
	case err == nil:
		b.Current, b.State = &x, stateOfException(x, today)
	case !errors.Is(err, domain.ErrNotFound):
		return b, err
	}
	b.Show = e.Status.Unfulfilled() || b.Current != nil
	may := u.allowed(c, authz.ResourceExceptions, authz.ActionWrite)
	open := b.Current != nil && b.Current.RevokedAt == nil
	b.CanRevoke = may && open
	b.CanAuthorise = may && !open && e.Active && e.Status.Unfulfilled()
	if b.CanAuthorise {
		b.Signing = u.signing(c, "exception-password")
	}
	return b, nil
}

// createException authorises an exception from the entry page's box.
func (u *UI) createException(c *gin.Context) error {
	id, err := pathID(c, "id", errEntryNotFound)
	if err != nil {
		return err
	}
	in := domain.ExceptionInput{Justification: c.PostForm("justification"), ValidUntil: c.PostForm("valid_until")}
	sig, today, err := u.sign(c)
	if err == nil {
		_, err = inTx(u, c, func(tx *postgres.Tx) (domain.Exception, error) {
			return tx.CreateException(c.Request.Context(), id, in, sig, today, route.Visibility(c))
		})
	}
	if err != nil {
		return u.exceptionFailed(c, id, in, err)
	}
	return u.redirect(c, entryURL(id)+"#exception-h", "Die Ausnahme ist genehmigt.")
}

// exceptionFailed shows the entry's page again with the refusal in the
// box and what was typed.
func (u *UI) exceptionFailed(c *gin.Context, entryID int64, in domain.ExceptionInput, err error) error {
	if !isInputError(err) {
		return err
	}
	e, lerr := u.DB.EntryByID(c.Request.Context(), entryID, u.visibilityFor(c, authz.ActionRead))
	if lerr != nil {
		return lerr
	}
	d, derr := u.entryData(c, e)
	if derr != nil {
		return derr
	}
	d.Exception.In, d.Exception.Errors = in, newFormErrors(err)
	d.Exception.Signing.Error = d.Exception.Field("password")
	return u.render(c, statusOf(err), "check_entry", d.title(), d)
}

func (u *UI) revokeException(c *gin.Context) error {
	id, err := pathID(c, "id", errExceptionNotFound)
	if err != nil {
		return err
	}
	p, _ := route.Principal(c)
	today := u.today()
	x, err := inTx(u, c, func(tx *postgres.Tx) (domain.Exception, error) {
		return tx.RevokeException(c.Request.Context(), id, formVersion(c), domain.Signature{UserID: p.User.ID, On: today}, today, route.Visibility(c))
	})
	if err != nil {
		entry, lerr := u.DB.ExceptionByID(c.Request.Context(), id, u.visibilityFor(c, authz.ActionRead))
		if lerr != nil {
			return err
		}
		return u.exceptionFailed(c, entry.EntryID, domain.ExceptionInput{}, err)
	}
	return u.redirect(c, entryURL(x.EntryID)+"#exception-h", "Die Ausnahme ist widerrufen; der Eintrag braucht wieder eine Entscheidung.")
}

// exceptionRow is an exception as the list shows it.
type exceptionRow struct {
	domain.Exception
	State exceptionState
}

type exceptionFilterForm struct {
	State, Days, Department string
}

type exceptionsPage struct {
	Scope       scopeView
	Tab         string
	Path        string
	Form        exceptionFilterForm
	Filtered    bool
	States      []stateOption
	Departments []deptOption
	Items       []exceptionRow
	NextURL     string
	FirstURL    string
	Errors      formErrors
}

func (p exceptionsPage) FormError() string { return p.Errors.Summary }

func (p exceptionsPage) Nav() keysetNav {
	return keysetNav{Of: "Ausnahmen", Shown: "Auf dieser Seite", Count: len(p.Items), FirstURL: p.FirstURL, NextURL: p.NextURL}
}

type stateOption struct {
	Value, Label string
	Selected     bool
}

// exceptionStateLabels name the list's filter by state.
var exceptionStateLabels = map[domain.ExceptionState]string{
	domain.ExceptionValid: "gültig", domain.ExceptionExpiring: "läuft bald ab", domain.ExceptionExpired: "abgelaufen",
	domain.ExceptionRevoked: "widerrufen",
}

func (u *UI) exceptionsData(c *gin.Context, scope postgres.ScopeSummary, q url.Values) (exceptionsPage, error) {
	vis := u.visibilityFor(c, authz.ActionRead)
	path := scopeURL(scope.ID) + "/exceptions"
	d := exceptionsPage{Scope: newScopeView(scope), Tab: "exceptions", Path: path, Errors: formErrors{Fields: map[string]string{}},
		Form: exceptionFilterForm{State: q.Get("state"), Days: q.Get("days"), Department: q.Get("department")}}
	d.Filtered = d.Form != exceptionFilterForm{}
	d.States = []stateOption{{Value: "", Label: "alle", Selected: d.Form.State == ""}}
	for _, s := range domain.ExceptionStates {
		d.States = append(d.States, stateOption{Value: string(s), Label: exceptionStateLabels[s], Selected: d.Form.State == string(s)})
	}
	var err error
	if d.Departments, err = u.departmentOptions(c, vis); err != nil {
		return d, err
	}
	f, err := domain.ParseExceptionFilter(q)
	if err != nil {
		d.Errors = newFormErrors(err)
		return d, err
	}
	f.Today = u.today()
	xs, next, err := u.DB.ListExceptions(c.Request.Context(), scope.ID, f, vis)
	if err != nil {
		return d, err
	}
	for _, x := range xs {
		d.Items = append(d.Items, exceptionRow{Exception: x, State: stateOfException(x, f.Today)})
	}
	base := withoutCursor(q)
	d.NextURL, d.FirstURL = pageURLs(path, base, next, f.After)
	return d, nil
}

func (u *UI) exceptionsPage(c *gin.Context) error {
	return scopeListPage(u, c, "exceptions", "Ausnahmen", u.exceptionsData)
}

// EntryURL is the entry page of an exception's entry, for the list.
func (r exceptionRow) EntryURL() string { return entryURL(r.EntryID) }

// ValidUntilText is the end date in German.
func (r exceptionRow) ValidUntilText() string { return day{&r.ValidUntil}.String() }
