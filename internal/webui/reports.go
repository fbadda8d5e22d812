package webui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/report"
	"ismsd/internal/route"
	"ismsd/internal/transfer"
)

// reportRoutes are the scope's reports page and its downloads. Whoever
// reads the scope's objects reads its reports, limited to the same
// departments.
func (u *UI) reportRoutes() []route.Route {
	read := authz.Require(authz.ResourceObjects, authz.ActionRead)
	return []route.Route{
		{Method: http.MethodGet, Path: "/scopes/:id/reports", Perm: read, Handler: u.reportsPage},
		{Method: http.MethodGet, Path: "/scopes/:id/reports/:report", Perm: read, Handler: u.downloadReport, Streams: true, Expensive: true},
	}
}

// reportLink is a download of a report in one format.
type reportLink struct {
	Format report.Format
	Href   string
}

type reportView struct {
	*report.Report
	Links []reportLink
}

type reportsPage struct {
	Scope   scopeView
	Tab     string
	Reports []reportView
	Limited bool // the reader sees some departments only
}

func (u *UI) reportsPage(c *gin.Context) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	d := reportsPage{Scope: newScopeView(scope), Tab: "reports", Limited: !route.Visibility(c).All}
	for _, r := range report.All() {
		v := reportView{Report: r}
		for _, f := range r.Formats {
			v.Links = append(v.Links, reportLink{Format: f, Href: scopeURL(scope.ID) + "/reports/" + r.FileKey(f)})
		}
		d.Reports = append(d.Reports, v)
	}
	return u.render(c, http.StatusOK, "reports", "Berichte · "+scope.Name, d)
}

// downloadReport streams a report file, exactly as the API does.
func (u *UI) downloadReport(c *gin.Context) error {
	return transfer.SendReport(c, u.DB, u.Location, u.AuditReads)
}
