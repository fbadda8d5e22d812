package route

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"ismsd/internal/domain"
	"ismsd/internal/objectio"
	"ismsd/internal/problem"
)

// ReadUpload reads the multipart fields of an object import: the file
// (bounded by max) and the options.
func ReadUpload(c *gin.Context, max int64) (name string, data []byte, fields map[string]string, err error) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "multipart/form-data" {
		return "", nil, nil, &domain.Error{Kind: problem.ErrUnsupportedMediaType, Message: "send the file as multipart/form-data in the field \"file\"",
			German: "Bitte wählen Sie eine Datei aus."}
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return "", nil, nil, domain.Invalid(domain.Violation{Pointer: "", Detail: "not a readable multipart body", German: "Die Übertragung war unvollständig."})
	}
	fields = map[string]string{}
	for {
		part, err := mr.NextPart()
		var tooLarge *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF):
			if data == nil {
				return "", nil, nil, domain.Invalid(domain.Violation{Pointer: "/file", Detail: "is required", German: "Bitte wählen Sie eine Datei aus."})
			}
			return name, data, fields, nil
		case errors.As(err, &tooLarge):
			return "", nil, nil, domain.Errorf(domain.ErrTooLarge, "the upload exceeds the limit of %d bytes", tooLarge.Limit).
				De(fmt.Sprintf("Die Datei ist größer als die erlaubten %d MB.", max>>20))
		case err != nil:
			return "", nil, nil, domain.Invalid(domain.Violation{Pointer: "", Detail: "broken multipart body", German: "Die Übertragung war unvollständig."})
		}
		if part.FormName() != "file" {
			b, _ := io.ReadAll(io.LimitReader(part, 200))
			fields[part.FormName()] = strings.TrimSpace(string(b))
			continue
		}
		name = part.FileName()
		var buf bytes.Buffer
		n, err := io.Copy(&buf, io.LimitReader(part, max+1))
		if errors.As(err, &tooLarge) || n > max {
			return "", nil, nil, domain.Errorf(domain.ErrTooLarge, "the file exceeds the limit of %d bytes (ISMS_IMPORT_MAX_BYTES)", max).
				De(fmt.Sprintf("Die Datei ist größer als die erlaubten %d MB.", max>>20))
		}
		if err != nil {
			return "", nil, nil, domain.Invalid(domain.Violation{Pointer: "/file", Detail: "the file could not be read", German: "Die Datei konnte nicht gelesen werden."})
		}
		data = buf.Bytes()
	}
}

// FileFormat is the format the user chose, or the one the file shows.
func FileFormat(chosen, name string, data []byte) (objectio.Format, error) {
	if chosen != "" {
		f, err := objectio.ParseFormat(chosen)
		if err != nil {
			return "", domain.Invalid(domain.Violation{Pointer: "/format", Detail: err.Error(), German: "Unbekanntes Dateiformat."})
		}
		return f, nil
	}
	f, err := objectio.DetectFormat(name, data[:min(len(data), 4096)])
	if err != nil {
		return "", domain.Invalid(domain.Violation{Pointer: "/file", Detail: err.Error(), German: "Das Dateiformat ist unbekannt (CSV, XLSX oder JSON)."})
	}
	return f, nil
}

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

// LimitFile passes on the bytes of an uploaded file and fails with
// ErrTooLarge once it has more than max. The request body's own limit
// leaves room for the form fields, so it cannot tell where the file ends;
// this counts the file itself. german is what the page says; the bytes
// past the limit are never handed on, so nothing of them is stored.
func LimitFile(r io.Reader, max int64, setting, german string) io.Reader {
	return &fileLimit{r: r, left: max, err: domain.Errorf(domain.ErrTooLarge, "the file exceeds the limit of %d bytes (%s)", max, setting).De(german)}
}

type fileLimit struct {
	r    io.Reader
	left int64 // bytes still allowed; negative once the file was too large
	err  error
}

func (l *fileLimit) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, l.err
	}
	// One byte past the limit is enough to know.
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	if l.left -= int64(n); l.left < 0 {
		return 0, l.err
	}
	return n, err
}
