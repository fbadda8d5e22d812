package webui

import (
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
	"ismsd/internal/transfer"
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

// showRow lists the rows that matter as the plan is made: errors,
// creates and updates in file order, up to maxPlanRows.
func (d *importPage) showRow(r objectimport.RowResult) error {
	switch {
	case r.Action == objectimport.ActionUnchanged:
	case len(d.Shown) == maxPlanRows:
		d.Hidden++
	default:
		d.Shown = append(d.Shown, r)
	}
	return nil
}

func (u *UI) dryRun(c *gin.Context) error {
	d, err := u.importData(c)
	if err != nil {
		return err
	}
	up, err := transfer.ReadUpload(c, u.ImportMaxBytes)
	if err != nil {
		return u.refuseImport(c, d, err)
	}
	defer up.Close()
	f, err := transfer.FileFormat(up.Fields["format"], up.Name, up)
	if err != nil {
		return u.refuseImport(c, d, err)
	}
	ctx := c.Request.Context()
	p, err := u.Objects.Plan(ctx, d.Scope.ID, f, up, route.Visibility(c), d.showRow)
	if err != nil {
		return u.refuseImport(c, d, err)
	}
	d.Plan = &p
	d.FileName = up.Name
	if p.OK() && p.Creates+p.Updates > 0 {
		// Kept for the apply, so that exactly this file is applied.
		pr, _ := route.Principal(c)
		d.FileID, err = u.DB.SaveImportFile(ctx, postgres.ImportFile{ScopeID: d.Scope.ID, UserID: pr.User.ID,
			Name: up.Name, Format: string(f), SHA256: up.SHA256()}, io.NewSectionReader(up, 0, up.Size()))
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
	spool, err := transfer.NewSpool()
	if err != nil {
		return err
	}
	defer spool.Close()
	file, err := u.DB.LoadImportFile(ctx, fileID, d.Scope.ID, pr.User.ID, spool)
	if err != nil {
		return err
	}
	if spool.SHA256() != file.SHA256 {
		return domain.Errorf(domain.ErrIntegrity, "kept import file %d does not match its SHA-256", fileID).
			De("Die hochgeladene Datei wurde seit dem Probelauf verändert und wird nicht übernommen. Bitte laden Sie sie erneut hoch.")
	}
	p, err := u.Objects.Apply(ctx, route.Actor(c), d.Scope.ID, objectio.Format(file.Format), spool, route.Visibility(c), d.showRow)
	if err != nil {
		return err
	}
	if !p.Applied {
		// The scope changed since the dry run: show why nothing was written.
		d.Plan = &p
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
	return transfer.SendObjects(c, u.DB, u.Objects, d.Scope.ID, u.AuditReads)
}

func (u *UI) importTemplate(c *gin.Context) error {
	return transfer.SendTemplate(c)
}
