package transfer

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"ismsd/internal/domain"
	"ismsd/internal/objectimport"
	"ismsd/internal/objectio"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// SendFile answers with a file download.
func SendFile(c *gin.Context, f objectio.Format, name string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	types := map[objectio.Format]string{objectio.CSV: "text/csv; charset=utf-8", objectio.JSON: "application/json",
		objectio.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, f))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, types[f], buf.Bytes())
	return nil
}

// ExportFormat reads the file format a download asks for with ?format=,
// csv when absent.
func ExportFormat(c *gin.Context) (objectio.Format, error) {
	f, err := objectio.ParseFormat(c.DefaultQuery("format", "csv"))
	if err != nil {
		return "", domain.Invalid(domain.Violation{Pointer: "/format", Detail: "format must be csv, xlsx or json", German: "Unbekanntes Dateiformat."})
	}
	return f, nil
}

// SendTemplate answers with an example import file in the format the
// request asks for, for the API and the web UI alike.
func SendTemplate(c *gin.Context) error {
	f, err := ExportFormat(c)
	if err != nil {
		return err
	}
	b, err := objectio.Template(f)
	if err != nil {
		return err
	}
	return SendFile(c, f, "zielobjekte-vorlage", func(w io.Writer) error { _, err := w.Write(b); return err })
}

// SendObjects answers with the export of a scope's target objects that
// the reader may see, in the format the request asks for, for the API
// and the web UI alike. With recordRead,
// the download is recorded in the audit trail as a report's is.
func SendObjects(c *gin.Context, db *postgres.DB, objects *objectimport.Importer, scopeID int64, recordRead bool) error {
	f, err := ExportFormat(c)
	if err != nil {
		return err
	}
	ctx, vis := c.Request.Context(), route.Visibility(c)
	rows, err := objects.Export(ctx, scopeID, vis)
	if err != nil {
		return err
	}
	if recordRead {
		// departments is null for a reader who sees the whole scope.
		err := db.RecordReportRead(ctx, route.Actor(c), scopeID,
			map[string]any{"report": "objects", "format": f, "file": "zielobjekte." + string(f), "departments": vis.Departments})
		if err != nil {
			return err
		}
	}
	return SendFile(c, f, "zielobjekte", func(w io.Writer) error { return objectio.Write(f, w, rows) })
}
