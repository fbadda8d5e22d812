package transfer

import (
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/problem"
	"ismsd/internal/report"
	"ismsd/internal/route"
	"ismsd/internal/version"
)

// SendReport streams the report file :report ("a4.xlsx") of scope :id
// with the rows the reader may see; the API and the web UI both serve
// reports through it. The headers go out with the first byte, so a
// failure before it (an unknown report, a PDF too large) is a clean
// error; a failure after it cuts the connection, and the client never
// gets a complete-looking file that lacks rows. With recordRead, the
// download is recorded in the audit trail before the report is made.
func SendReport(c *gin.Context, db *postgres.DB, loc *time.Location, recordRead bool) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return domain.Errorf(domain.ErrNotFound, "no scope %s", c.Param("id")).De("Diesen Informationsverbund gibt es nicht.")
	}
	rep, format, err := report.ParseFile(c.Param("report"))
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	scope, err := db.Scope(ctx, id)
	if err != nil {
		return err
	}
	q := report.Query{Scope: scope, Vis: route.Visibility(c), Generated: time.Now().In(loc), Version: version.String()}
	out := &reportResponse{c: c, contentType: format.ContentType(), name: report.FileName(rep, format, q)}
	if recordRead {
		// departments is null for a reader who sees the whole scope.
		err := db.RecordReportRead(ctx, route.Actor(c), scope.ID,
			map[string]any{"report": rep.Name, "format": format, "file": out.name, "departments": q.Vis.Departments})
		if err != nil {
			return err
		}
	}
	err = report.Write(ctx, out, db, rep, format, q)
	switch {
	case err == nil:
		return nil
	case !out.started:
		return err
	case ctx.Err() == nil:
		problem.Logger(c).Error("report failed while it was sent", "report", c.Param("report"), "scope", id, "error", err)
	}
	panic(http.ErrAbortHandler) // cut the connection: the file is incomplete
}

// reportResponse sends the download's headers with its first byte.
type reportResponse struct {
	c                 *gin.Context
	contentType, name string
	started           bool
}

func (r *reportResponse) Write(p []byte) (int, error) {
	if !r.started {
		r.started = true
		h := r.c.Writer.Header()
		h.Set("Content-Type", r.contentType)
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": r.name}))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
		h.Set("Cache-Control", "private, no-store")
		r.c.Status(http.StatusOK)
	}
	return r.c.Writer.Write(p)
}
