package webui

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/objectimport"
	"ismsd/internal/objectio"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

func (u *UI) importRoutes() []route.Route {
	read, write := authz.Require(authz.ResourceObjects, authz.ActionRead), authz.Require(authz.ResourceObjects, authz.ActionWrite)
	return []route.Route{
		{Method: http.MethodGet, Path: "/scopes/:id/import", Perm: read, Handler: u.importPage},
		{Method: http.MethodPost, Path: "/scopes/:id/import", Perm: write, Handler: u.dryRun, Expensive: true, MaxBody: u.ImportMaxBytes + 1<<20},
		{Method: http.MethodPost, Path: "/scopes/:id/import/:file/apply", Perm: write, Handler: u.applyImport, Expensive: true},
		{Method: http.MethodGet, Path: "/scopes/:id/export", Perm: read, Handler: u.exportObjects, Expensive: true},
		{Method: http.MethodGet, Path: "/import-template", Perm: read, Handler: u.importTemplate},
	}
}

// maxPlanRows bounds the rows a plan page lists; the counts cover all.
const maxPlanRows = 500

type importPage struct {
	Scope    postgres.ScopeSummary
	Tab      string
	CanWrite bool
	Formats  []objectio.Format
	Columns  []string
	Plan     *objectimport.Plan
	Shown    []objectimport.RowResult
	Hidden   int
	FileID   int64
	FileName string
	Message  string
}

func (p importPage) FormError() string { return p.Message }

func (u *UI) importData(c *gin.Context) (importPage, error) {
	s, err := u.scopeOfPath(c)
	p, _ := route.Principal(c)
	return importPage{Scope: s, Tab: "import", Formats: objectio.Formats, Columns: objectio.Columns(),
		CanWrite: u.Authz.Decide(p.User.ID, authz.Require(authz.ResourceObjects, authz.ActionWrite)).Allowed}, err
}

func (u *UI) importPage(c *gin.Context) error {
	d, err := u.importData(c)
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "import", "Import und Export", d)
}

// showPlan lists the rows that matter: errors, creates and updates first
// in file order, up to maxPlanRows.
func (d *importPage) showPlan(p objectimport.Plan) {
	d.Plan = &p
	for _, r := range p.Rows {
		if r.Action == objectimport.ActionUnchanged {
			continue
		}
		if len(d.Shown) == maxPlanRows {
			d.Hidden++
			continue
		}
		d.Shown = append(d.Shown, r)
	}
}

func (u *UI) dryRun(c *gin.Context) error {
	d, err := u.importData(c)
	if err != nil {
		return err
	}
	name, data, fields, err := route.ReadUpload(c, u.ImportMaxBytes)
	if err != nil {
		return u.refuseImport(c, d, err)
	}
	f, err := route.FileFormat(fields["format"], name, data)
	if err != nil {
		return u.refuseImport(c, d, err)
	}
	p, err := u.Objects.Plan(c.Request.Context(), d.Scope.ID, f, data, route.Visibility(c))
	if err != nil {
		return u.refuseImport(c, d, err)
	}
	d.showPlan(p)
	d.FileName = name
	if p.OK() && p.Creates+p.Updates > 0 {
		// Kept for the apply, so that exactly this file is applied.
		sum := sha256.Sum256(data)
		pr, _ := route.Principal(c)
		d.FileID, err = u.DB.SaveImportFile(c.Request.Context(), postgres.ImportFile{ScopeID: d.Scope.ID, UserID: pr.User.ID,
			Name: name, Format: string(f), SHA256: hex.EncodeToString(sum[:]), Content: data})
		if err != nil {
			return err
		}
	}
	return u.render(c, http.StatusOK, "import", "Probelauf", d)
}

// refuseImport shows the import page with the reason a file was refused.
func (u *UI) refuseImport(c *gin.Context, d importPage, err error) error {
	if statusOf(err) == http.StatusInternalServerError {
		return err
	}
	d.Message = "Die Datei wurde nicht geprüft: " + germanMessage(err)
	return u.render(c, statusOf(err), "import", "Import und Export", d)
}

func (u *UI) applyImport(c *gin.Context) error {
	d, err := u.importData(c)
	if err != nil {
		return err
	}
	fileID, _ := strconv.ParseInt(c.Param("file"), 10, 64)
	pr, _ := route.Principal(c)
	ctx := c.Request.Context()
	file, err := u.DB.LoadImportFile(ctx, fileID, d.Scope.ID, pr.User.ID)
	if err != nil {
		return err
	}
	p, err := u.Objects.Apply(ctx, route.Actor(c), d.Scope.ID, objectio.Format(file.Format), file.Content, route.Visibility(c))
	if err != nil {
		return err
	}
	if !p.Applied {
		// The scope changed since the dry run: show why nothing was written.
		d.showPlan(p)
		d.FileName = file.Name
		d.Message = "Es wurde nichts übernommen: Seit dem Probelauf hat sich der Informationsverbund geändert. Bitte prüfen Sie die Fehler."
		return u.render(c, http.StatusConflict, "import", "Import", d)
	}
	if err := u.DB.DeleteImportFile(ctx, fileID); err != nil {
		return err
	}
	return u.redirect(c, fmt.Sprintf("/scopes/%d/objects", d.Scope.ID),
		fmt.Sprintf("Import übernommen: %d Zielobjekte angelegt, %d geändert, %d unverändert.", p.Creates, p.Updates, p.Unchanged))
}

func (u *UI) exportObjects(c *gin.Context) error {
	d, err := u.importData(c)
	if err != nil {
		return err
	}
	f, err := objectio.ParseFormat(c.DefaultQuery("format", "csv"))
	if err != nil {
		return errUnknownFormat
	}
	rows, err := u.Objects.Export(c.Request.Context(), d.Scope.ID, route.Visibility(c))
	if err != nil {
		return err
	}
	return route.SendFile(c, f, "zielobjekte", func(w io.Writer) error { return objectio.Write(f, w, rows) })
}

func (u *UI) importTemplate(c *gin.Context) error {
	f, err := objectio.ParseFormat(c.DefaultQuery("format", "csv"))
	if err != nil {
		return errUnknownFormat
	}
	b, err := objectio.Template(f)
	if err != nil {
		return err
	}
	return route.SendFile(c, f, "zielobjekte-vorlage", func(w io.Writer) error { _, err := w.Write(b); return err })
}

var errUnknownFormat = domain.Invalid(domain.Violation{Pointer: "/format", Detail: "format must be csv, xlsx or json", German: "Unbekanntes Dateiformat."})
