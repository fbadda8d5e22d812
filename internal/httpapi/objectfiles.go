package httpapi

import (
	"bufio"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/objectimport"
	"ismsd/internal/objectio"
	"ismsd/internal/problem"
	"ismsd/internal/route"
	"ismsd/internal/transfer"
)

func (a *API) objectFileRoutes() []route.Route {
	return []route.Route{
		{Method: http.MethodPost, Path: "/api/v1/scopes/:id/import", Perm: authz.Require(authz.ResourceObjects, authz.ActionWrite), Handler: a.importObjects, Expensive: true,
			Summary: "Import target objects and their dependencies (CSV, XLSX or JSON, upserting by external ID): with dry_run=true only the plan per row; otherwise all or nothing",
			Request: "objects-upload.json", Form: true, Response: "import-plan.json", MaxBody: a.ImportMaxBytes + 1<<20},
		{Method: http.MethodGet, Path: "/api/v1/scopes/:id/export", Perm: authz.Require(authz.ResourceObjects, authz.ActionRead), Handler: a.exportObjects, Expensive: true,
			Summary: "The scope's target objects with their dependencies as a file", Query: []route.Param{{Name: "format", Type: "string", Help: "csv (default), xlsx or json"}}},
		{Method: http.MethodGet, Path: "/api/v1/import-template", Perm: authz.Require(authz.ResourceObjects, authz.ActionRead), Handler: a.importTemplate,
			Summary: "An example import file", Query: []route.Param{{Name: "format", Type: "string", Help: "csv (default), xlsx or json"}}},
	}
}

type planRowJSON struct {
	Line       int                 `json:"line"`
	ExternalID string              `json:"external_id"`
	Name       string              `json:"name"`
	Action     objectimport.Action `json:"action"`
	Changed    []string            `json:"changed,omitempty"`
	Errors     []planErrorJSON     `json:"errors,omitempty"`
}

type planErrorJSON struct {
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Detail string `json:"detail"`
}

func (a *API) importObjects(c *gin.Context) error {
	scopeID, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	ctx, vis := c.Request.Context(), route.Visibility(c)
	up, err := transfer.ReadUpload(c, a.ImportMaxBytes)
	if err != nil {
		return err
	}
	defer up.Close()
	format, err := transfer.FileFormat(up.Fields["format"], up.Name, up)
	if err != nil {
		return err
	}
	dryRun := up.Fields["dry_run"] == "true"
	out := &planStream{c: c, status: http.StatusOK}
	if dryRun {
		// The rows go out as they are planned; a file that cannot be read is
		// refused before the first.
		p, err := a.Objects.Plan(ctx, scopeID, format, up, vis, out.row)
		if err != nil {
			return out.fail(err)
		}
		return out.finish(p, true)
	}
	p, err := a.Objects.Apply(ctx, route.Actor(c), scopeID, format, up, vis, nil)
	if err != nil {
		return err // an unreadable file is a domain error already
	}
	if !p.OK() {
		out.status = http.StatusUnprocessableEntity
	}
	if err := p.Rows(out.row); err != nil {
		return out.fail(err)
	}
	return out.finish(p, false)
}

// planStream writes an import plan as {"rows": [...], counts}, each row as
// it comes, so that a plan of any size is sent in bounded memory. The
// headers go out with the first row.
type planStream struct {
	c       *gin.Context
	w       *bufio.Writer
	status  int
	started bool
	sep     string
}

func (s *planStream) start() {
	if !s.started {
		s.started = true
		s.c.Header("Content-Type", "application/json; charset=utf-8")
		s.c.Status(s.status)
		s.w = bufio.NewWriterSize(s.c.Writer, 64<<10)
		s.w.WriteString(`{"rows":[`)
	}
}

func (s *planStream) row(r objectimport.RowResult) error {
	b, err := json.Marshal(planRowJSON{Line: r.Line, ExternalID: r.ExternalID, Name: r.Name, Action: r.Action, Changed: r.Changed,
		Errors: planErrors(r.Errors)})
	if err != nil {
		return err
	}
	s.start()
	s.w.WriteString(s.sep)
	s.sep = ","
	_, err = s.w.Write(b)
	return err
}

// finish writes the counts after the rows.
func (s *planStream) finish(p objectimport.Plan, dryRun bool) error {
	tail, err := json.Marshal(struct {
		Format     objectio.Format `json:"format"`
		DryRun     bool            `json:"dry_run"`
		Applied    bool            `json:"applied"`
		Creates    int             `json:"creates"`
		Updates    int             `json:"updates"`
		Unchanged  int             `json:"unchanged"`
		Errors     int             `json:"errors"`
		FileErrors []planErrorJSON `json:"file_errors"`
	}{p.Format, dryRun, p.Applied, p.Creates, p.Updates, p.Unchanged, p.Errored, planErrors(p.FileErrors)})
	if err != nil {
		return s.fail(err)
	}
	s.start()
	s.w.WriteString("],")
	s.w.Write(tail[1:]) // its members, after the rows
	return s.fail(s.w.Flush())
}

// fail answers with err if nothing went out yet; afterwards it cuts the
// connection, so that the client never gets a complete-looking plan.
func (s *planStream) fail(err error) error {
	if err == nil || !s.started {
		return err
	}
	if s.c.Request.Context().Err() == nil {
		problem.Logger(s.c).Error("import plan failed while it was sent", "error", err)
	}
	panic(http.ErrAbortHandler)
}

func planErrors(es []objectio.RowError) []planErrorJSON {
	out := make([]planErrorJSON, len(es))
	for i, e := range es {
		out[i] = planErrorJSON{Line: e.Line, Column: e.Column, Detail: e.Detail}
	}
	return out
}

func (a *API) exportObjects(c *gin.Context) error {
	scopeID, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	return transfer.SendObjects(c, a.DB, a.Objects, scopeID, a.AuditReads)
}

func (a *API) importTemplate(c *gin.Context) error {
	return transfer.SendTemplate(c)
}
