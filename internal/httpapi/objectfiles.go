package httpapi

import (
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/objectimport"
	"ismsd/internal/objectio"
	"ismsd/internal/route"
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
	name, data, fields, err := route.ReadUpload(c, a.ImportMaxBytes)
	if err != nil {
		return err
	}
	format, err := route.FileFormat(fields["format"], name, data)
	if err != nil {
		return err
	}
	var p objectimport.Plan
	if fields["dry_run"] == "true" {
		p, err = a.Objects.Plan(ctx, scopeID, format, data, vis)
	} else {
		p, err = a.Objects.Apply(ctx, route.Actor(c), scopeID, format, data, vis)
	}
	if err != nil {
		return err // an unreadable file is a domain error already
	}
	out := gin.H{"format": p.Format, "dry_run": fields["dry_run"] == "true", "applied": p.Applied, "creates": p.Creates,
		"updates": p.Updates, "unchanged": p.Unchanged, "errors": p.Errored, "file_errors": planErrors(p.FileErrors)}
	rows := make([]planRowJSON, len(p.Rows))
	for i, r := range p.Rows {
		rows[i] = planRowJSON{Line: r.Line, ExternalID: r.ExternalID, Name: r.Name, Action: r.Action, Changed: r.Changed, Errors: planErrors(r.Errors)}
	}
	out["rows"] = rows
	status := http.StatusOK
	if !p.OK() && fields["dry_run"] != "true" {
		status = http.StatusUnprocessableEntity
	}
	c.JSON(status, out)
	return nil
}

func planErrors(es []objectio.RowError) []planErrorJSON {
	out := make([]planErrorJSON, len(es))
	for i, e := range es {
		out[i] = planErrorJSON{Line: e.Line, Column: e.Column, Detail: e.Detail}
	}
	return out
}

// exportFormat reads ?format= (csv when absent).
func exportFormat(c *gin.Context) (objectio.Format, error) {
	v := c.DefaultQuery("format", "csv")
	f, err := objectio.ParseFormat(v)
	if err != nil {
		return "", domain.Invalid(domain.Violation{Pointer: "/format", Detail: "format must be csv, xlsx or json", German: "Unbekanntes Dateiformat."})
	}
	return f, nil
}

func (a *API) exportObjects(c *gin.Context) error {
	scopeID, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	f, err := exportFormat(c)
	if err != nil {
		return err
	}
	ctx, vis := c.Request.Context(), route.Visibility(c)
	rows, err := a.Objects.Export(ctx, scopeID, vis)
	if err != nil {
		return err
	}
	return route.SendFile(c, f, "zielobjekte", func(w io.Writer) error { return objectio.Write(f, w, rows) })
}

func (a *API) importTemplate(c *gin.Context) error {
	f, err := exportFormat(c)
	if err != nil {
		return err
	}
	b, err := objectio.Template(f)
	if err != nil {
		return err
	}
	return route.SendFile(c, f, "zielobjekte-vorlage", func(w io.Writer) error { _, err := w.Write(b); return err })
}
