package server

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"

	"github.com/gin-gonic/gin"

	"ismsd/internal/domain"
)

// refuseBadText refuses a request whose path parameters, query or form
// fields (URL-encoded, or multipart up to the first file, whose name and
// type count as fields) hold text that domain.TextFault refuses, before
// any handler reads them: 422 with a pointer per field, or the German
// error page. Files are not looked into; JSON bodies are checked where
// they are decoded (validation). It runs after authorize, so that
// nothing of a refused request's body is read.
func (s *Server) refuseBadText(c *gin.Context) {
	var vs []domain.Violation
	check := func(pointer, text string) {
		if v, bad := domain.TextViolation(pointer, text); bad {
			vs = append(vs, v)
		}
	}
	for _, p := range c.Params {
		check("/"+p.Key, p.Value)
	}
	checkValues(c.Request.URL.Query(), check)
	mt, params, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch {
	case c.Request.Body == nil:
	case mt == "application/x-www-form-urlencoded":
		// A body beyond the limit leaves the form empty; the handler then
		// refuses the missing fields as it would have anyway.
		c.Request.ParseForm()
		checkValues(c.Request.PostForm, check)
	case mt == "multipart/form-data" && params["boundary"] != "":
		if err := checkMultipartFields(c.Request, params["boundary"], check); err != nil {
			s.fail(c, err)
			return
		}
	}
	if len(vs) > 0 {
		s.fail(c, domain.Invalid(vs...))
		return
	}
	c.Next()
}

// checkValues checks names and values, in the order of the names.
func checkValues(values map[string][]string, check func(pointer, text string)) {
	for _, name := range slices.Sorted(maps.Keys(values)) {
		check("/"+name, name)
		for _, v := range values[name] {
			check("/"+name, v)
		}
	}
}

// maxFieldsAheadOfFile bounds the text fields a multipart body may carry
// ahead of its file: the upload routes allow 1 MiB for them beside the
// file.
const maxFieldsAheadOfFile = 1 << 20

// checkMultipartFields checks the text fields of a multipart body up to
// its first file (the forms and the API put the file last, so that it
// streams) and the name and type of that file. What it reads is put back
// in front of the rest of the body: the handler reads the body from its
// start, and the file still streams. A part header that cannot be read
// (a NUL in a file name, say) is refused here; a body that breaks off is
// left for the handler to report, as before.
func checkMultipartFields(r *http.Request, boundary string, check func(pointer, text string)) error {
	var seen bytes.Buffer
	body := r.Body
	defer func() { r.Body = readCloser{io.MultiReader(&seen, body), body} }()
	mr := multipart.NewReader(io.TeeReader(io.LimitReader(body, maxFieldsAheadOfFile), &seen), boundary)
	tooMuch := func() error {
		if seen.Len() >= maxFieldsAheadOfFile {
			return domain.Errorf(domain.ErrTooLarge, "the form fields ahead of the file exceed %d bytes", maxFieldsAheadOfFile).
				De("Die Eingaben des Formulars sind zu lang.")
		}
		return nil
	}
	for {
		part, err := mr.NextPart()
		var badHeader textproto.ProtocolError
		switch {
		case errors.As(err, &badHeader):
			if err := tooMuch(); err != nil {
				return err
			}
			return domain.Invalid(domain.Violation{Pointer: "", Detail: "a part of the multipart body has a malformed header: " + err.Error(),
				German: "Das Formular kam fehlerhaft an (ein Feldname oder Dateiname mit unzulässigen Zeichen)."})
		case err != nil:
			return tooMuch()
		}
		name := part.FormName()
		check("/"+name, name)
		if part.FileName() != "" || name == "file" {
			check("/"+name, part.FileName())
			check("/"+name, part.Header.Get("Content-Type"))
			return nil
		}
		value, err := io.ReadAll(part)
		if err != nil {
			return tooMuch()
		}
		check("/"+name, string(value))
	}
}

// readCloser reads from one reader and closes another.
type readCloser struct {
	io.Reader
	io.Closer
}
