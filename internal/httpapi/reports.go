package httpapi

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/report"
	"ismsd/internal/route"
	"ismsd/internal/transfer"
)

// reportRoutes offer the reference documents and the other reports of a
// scope as files. Whoever reads the scope's objects reads its reports,
// limited to the same departments.
func (a *API) reportRoutes() []route.Route {
	read := authz.Require(authz.ResourceObjects, authz.ActionRead)
	return []route.Route{
		{Method: http.MethodGet, Path: "/api/v1/scopes/:id/reports", Perm: read, Handler: a.listReports,
			Summary: "The reports of a scope with their formats and download paths", Response: "report.json", List: true},
		{Method: http.MethodGet, Path: "/api/v1/scopes/:id/reports/:report", Perm: read, Handler: a.downloadReport, Streams: true, Expensive: true,
			Summary: "A report as a file named like a4.xlsx: the reference documents a1 to a6 and the statement of applicability (soa) " +
				"as xlsx or pdf, the check a4 also as csv, the readiness as xlsx or pdf. Generated on demand and streamed, with the rows of the reader's " +
				"departments; the download is recorded in the audit trail (ISMS_AUDIT_READS)"},
	}
}

type reportFormatJSON struct {
	Format    report.Format `json:"format"`
	MediaType string        `json:"media_type"`
	Href      string        `json:"href"`
}

type reportJSON struct {
	Name        string             `json:"name"`
	Code        string             `json:"code"`
	Title       string             `json:"title"`
	Description string             `json:"description"`
	Formats     []reportFormatJSON `json:"formats"`
}

func (a *API) listReports(c *gin.Context) error {
	id, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	var out []reportJSON
	for _, r := range report.All() {
		j := reportJSON{Name: r.Name, Code: r.Code, Title: r.Title, Description: r.About}
		for _, f := range r.Formats {
			j.Formats = append(j.Formats, reportFormatJSON{Format: f, MediaType: f.ContentType(),
				Href: fmt.Sprintf("/api/v1/scopes/%d/reports/%s", id, r.FileKey(f))})
		}
		out = append(out, j)
	}
	c.JSON(http.StatusOK, newList(out, ""))
	return nil
}

func (a *API) downloadReport(c *gin.Context) error {
	return transfer.SendReport(c, a.DB, a.Location, a.AuditReads)
}
