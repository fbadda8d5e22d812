package transfer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"

	"github.com/gin-gonic/gin"

	"ismsd/internal/domain"
	"ismsd/internal/objectio"
	"ismsd/internal/problem"
)

// Spool is a temporary file an import file is written to (an upload, or
// one kept for a later apply), so that it is read from disk, more than
// once, and never held in memory. It hashes what is written; Close
// removes it.
type Spool struct {
	f    *os.File
	size int64
	hash hash.Hash
}

// NewSpool creates an empty spool in the system's temporary folder. Its
// name is removed at once where the system allows it, so that nothing is
// left behind even if the process dies.
func NewSpool() (*Spool, error) {
	f, err := os.CreateTemp("", "ismsd-import-*")
	if err != nil {
		return nil, fmt.Errorf("spool an import file: %w", err)
	}
	_ = os.Remove(f.Name())
	return &Spool{f: f, hash: sha256.New()}, nil
}

// Write appends to the file.
func (s *Spool) Write(p []byte) (int, error) {
	n, err := s.f.Write(p)
	s.size += int64(n)
	s.hash.Write(p[:n])
	return n, err
}

// ReadAt reads what was written.
func (s *Spool) ReadAt(p []byte, off int64) (int, error) { return s.f.ReadAt(p, off) }

// Size is the number of bytes written.
func (s *Spool) Size() int64 { return s.size }

// SHA256 is the hex SHA-256 of what was written.
func (s *Spool) SHA256() string { return hex.EncodeToString(s.hash.Sum(nil)) }

// Close removes the file.
func (s *Spool) Close() error {
	err := s.f.Close()
	_ = os.Remove(s.f.Name())
	return err
}

// Upload is an uploaded object import file with the form's other fields.
type Upload struct {
	*Spool
	Name   string
	Fields map[string]string
}

// ReadUpload reads the multipart fields of an object import: the file
// (bounded by max), streamed into a spool, and the options. The caller
// closes the upload.
func ReadUpload(c *gin.Context, max int64) (*Upload, error) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "multipart/form-data" {
		return nil, &domain.Error{Kind: problem.ErrUnsupportedMediaType, Message: "send the file as multipart/form-data in the field \"file\"",
			German: "Bitte wählen Sie eine Datei aus."}
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, domain.Invalid(domain.Violation{Pointer: "", Detail: "not a readable multipart body", German: "Die Übertragung war unvollständig."})
	}
	up := &Upload{Fields: map[string]string{}}
	fail := func(err error) (*Upload, error) {
		if up.Spool != nil {
			up.Close()
		}
		return nil, err
	}
	for {
		part, err := mr.NextPart()
		var tooLarge *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF):
			if up.Spool == nil {
				return fail(domain.Invalid(domain.Violation{Pointer: "/file", Detail: "is required", German: "Bitte wählen Sie eine Datei aus."}))
			}
			return up, nil
		case errors.As(err, &tooLarge):
			return fail(domain.Errorf(domain.ErrTooLarge, "the upload exceeds the limit of %d bytes", tooLarge.Limit).
				De(fmt.Sprintf("Die Datei ist größer als die erlaubten %d MB.", max>>20)))
		case err != nil:
			return fail(domain.Invalid(domain.Violation{Pointer: "", Detail: "broken multipart body", German: "Die Übertragung war unvollständig."}))
		}
		if part.FormName() != "file" {
			b, _ := io.ReadAll(io.LimitReader(part, 200))
			up.Fields[part.FormName()] = strings.TrimSpace(string(b))
			continue
		}
		if up.Spool != nil {
			up.Close() // a second file: the last one counts, as before
		}
		if up.Spool, err = NewSpool(); err != nil {
			return nil, err
		}
		up.Name = part.FileName()
		n, err := io.Copy(up.Spool, io.LimitReader(part, max+1))
		if errors.As(err, &tooLarge) || n > max {
			return fail(domain.Errorf(domain.ErrTooLarge, "the file exceeds the limit of %d bytes (ISMS_IMPORT_MAX_BYTES)", max).
				De(fmt.Sprintf("Die Datei ist größer als die erlaubten %d MB.", max>>20)))
		}
		if err != nil {
			return fail(domain.Invalid(domain.Violation{Pointer: "/file", Detail: "the file could not be read", German: "Die Datei konnte nicht gelesen werden."}))
		}
	}
}

// FileFormat is the format the user chose, or the one the file shows.
func FileFormat(chosen, name string, src objectio.Source) (objectio.Format, error) {
	if chosen != "" {
		f, err := objectio.ParseFormat(chosen)
		if err != nil {
			return "", domain.Invalid(domain.Violation{Pointer: "/format", Detail: err.Error(), German: "Unbekanntes Dateiformat."})
		}
		return f, nil
	}
	head := make([]byte, min(src.Size(), 4096))
	if _, err := src.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	f, err := objectio.DetectFormat(name, head)
	if err != nil {
		return "", domain.Invalid(domain.Violation{Pointer: "/file", Detail: err.Error(), German: "Das Dateiformat ist unbekannt (CSV, XLSX oder JSON)."})
	}
	return f, nil
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
