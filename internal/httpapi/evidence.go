package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/problem"
	"ismsd/internal/route"
	"ismsd/internal/transfer"
)

func (a *API) evidenceRoutes() []route.Route {
	read, write := authz.Require(authz.ResourceEvidence, authz.ActionRead), authz.Require(authz.ResourceEvidence, authz.ActionWrite)
	review := authz.Require(authz.ResourceEvidenceReviews, authz.ActionWrite)
	get, post, patch, del := http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete
	upload := a.EvidenceMaxBytes + 1<<20 // the file and its form fields
	return []route.Route{
		{Method: get, Path: "/api/v1/scopes/:id/evidence", Perm: read, Handler: a.listEvidence,
			Summary:  "Evidence (Nachweise) of a scope by their newest version, filtered, in cursor pages; queue=true is the reader's review queue",
			Response: "evidence.json", List: true, Query: evidenceParams},
		{Method: post, Path: "/api/v1/scopes/:id/evidence", Perm: write, Handler: a.createEvidence, MaxBody: upload, Streams: true,
			Summary: "Upload evidence (multipart/form-data: the fields, then the part \"file\"; without a file a reference is required). " +
				"The file is streamed, hashed (SHA-256) and stored in one transaction", Request: "evidence-upload.json", Form: true,
			Response: "evidence.json", Status: http.StatusCreated},
		{Method: get, Path: "/api/v1/evidence/:id", Perm: read, Handler: a.getEvidence,
			Summary: "One evidence item with its versions and links; the ETag is its version", Response: "evidence.json"},
		{Method: patch, Path: "/api/v1/evidence/:id", Perm: write, Handler: a.updateEvidence, IfMatch: true,
			Summary: "Change an evidence item's title, description, department or tags", Request: "evidence-update.json", Response: "evidence.json"},
		{Method: post, Path: "/api/v1/evidence/:id/versions", Perm: write, Handler: a.addEvidenceVersion, IfMatch: true, MaxBody: upload,
			Streams: true, Summary: "Add a new version (multipart/form-data as for the upload); it goes to review again",
			Request: "evidence-version-upload.json", Form: true, Response: "evidence.json", Status: http.StatusCreated},
		{Method: get, Path: "/api/v1/evidence/:id/versions/:number/content", Perm: read, Handler: a.downloadEvidence, Streams: true,
			Summary: "The file of a version, streamed as an attachment; its SHA-256 must be the one the audit record of its upload holds, " +
				"every chunk is checked against its own before it is sent, and the download is recorded in the audit trail (ISMS_AUDIT_READS)"},
		{Method: post, Path: "/api/v1/evidence/:id/review", Perm: review, Handler: a.reviewEvidence, IfMatch: true,
			Summary: "Decide on the newest version: accepted (immutable from then on), rejected or needs_info (both with a comment); " +
				"nobody reviews their own upload", Request: "evidence-review.json", Response: "evidence.json"},
		{Method: get, Path: "/api/v1/evidence/:id/thread", Perm: read, Handler: a.evidenceThread,
			Summary: "Review decisions and comments on an evidence item, oldest first", Response: "evidence-comment.json", List: true},
		{Method: post, Path: "/api/v1/evidence/:id/comments", Perm: write, Handler: a.commentEvidence,
			Summary: "Comment on an evidence item; a comment answers an open question and sends the version back to review",
			Request: "evidence-comment-create.json", Response: "evidence.json", Status: http.StatusCreated},
		{Method: post, Path: "/api/v1/evidence/:id/links", Perm: write, Handler: a.linkEvidence,
			Summary: "Link an evidence item to a check entry, risk analysis, measure or finding of its scope (twice is once)",
			Request: "evidence-link.json", Response: "evidence.json"},
		{Method: del, Path: "/api/v1/evidence/:id/links/:link_type/:link_id", Perm: write, Handler: a.unlinkEvidence,
			Summary: "Remove a link", Status: http.StatusNoContent},
	}
}

var evidenceParams = []route.Param{
	{Name: "state", Type: "string", Help: "review state of the newest version: submitted, accepted, rejected, needs_info"},
	{Name: "q", Type: "string", Help: "part of the title, description or file name"},
	{Name: "department", Type: "integer", Help: "a department, with its subtree"},
	{Name: "tag", Type: "string", Help: "a tag"},
	{Name: "expiring", Type: "integer", Help: "accepted evidence whose validity ends within so many days"},
	{Name: "expired", Type: "boolean", Help: "evidence whose validity has ended"},
	{Name: "queue", Type: "boolean", Help: "the reader's review queue: submitted, not uploaded by the reader, oldest first"},
	{Name: "mine", Type: "boolean", Help: "the reader's own uploads"},
	{Name: "target", Type: "string", Help: "linked to: check_entry, risk_analysis, plan_item or finding (with target_id)"},
	{Name: "target_id", Type: "integer", Help: "the id of the link target"},
	cursorParam,
	{Name: "limit", Type: "integer", Help: "1 to 1000, default 50"},
}

type evidenceVersionJSON struct {
	Number      int                `json:"number"`
	EffectiveOn string             `json:"effective_on"`
	ValidUntil  *string            `json:"valid_until"`
	Reference   string             `json:"reference"`
	FileName    string             `json:"file_name"`
	ContentType string             `json:"content_type"`
	Size        int64              `json:"size"`
	SHA256      string             `json:"sha256"`
	Note        string             `json:"note"`
	UploadedBy  string             `json:"uploaded_by"`
	UploadedAt  time.Time          `json:"uploaded_at"`
	State       domain.ReviewState `json:"state"`
	Expired     bool               `json:"expired"`
	ReviewedBy  string             `json:"reviewed_by"`
	ReviewedAt  *time.Time         `json:"reviewed_at"`
	Content     *string            `json:"content"` // the download path, null without a file
}

type evidenceLinkJSON struct {
	Target    domain.LinkTarget `json:"target"`
	TargetID  int64             `json:"target_id"`
	Label     string            `json:"label"`
	CreatedBy string            `json:"created_by"`
	CreatedAt time.Time         `json:"created_at"`
}

type evidenceJSON struct {
	ID           int64                 `json:"id"`
	ScopeID      int64                 `json:"scope_id"`
	DepartmentID *int64                `json:"department_id"`
	Department   string                `json:"department"`
	Title        string                `json:"title"`
	Description  string                `json:"description"`
	Tags         []string              `json:"tags"`
	CreatedBy    string                `json:"created_by"`
	CreatedAt    time.Time             `json:"created_at"`
	UpdatedAt    time.Time             `json:"updated_at"`
	Version      int                   `json:"version"`
	Current      evidenceVersionJSON   `json:"current"`
	Versions     []evidenceVersionJSON `json:"versions,omitempty"`
	Links        []evidenceLinkJSON    `json:"links,omitempty"`
}

func newEvidenceVersionJSON(v domain.EvidenceVersion, today time.Time) evidenceVersionJSON {
	out := evidenceVersionJSON{Number: v.Number, EffectiveOn: v.EffectiveOn.Format(time.DateOnly), ValidUntil: dateJSON(v.ValidUntil),
		Reference: v.Reference, FileName: v.FileName, ContentType: v.ContentType, Size: v.Size, SHA256: v.SHA256, Note: v.Note,
		UploadedBy: v.UploadedBy, UploadedAt: v.UploadedAt, State: v.State, Expired: v.Expired(today), ReviewedBy: v.ReviewedBy,
		ReviewedAt: v.ReviewedAt}
	if v.HasFile() {
		path := fmt.Sprintf("/api/v1/evidence/%d/versions/%d/content", v.EvidenceID, v.Number)
		out.Content = &path
	}
	return out
}

func newEvidenceJSON(e domain.Evidence, today time.Time) evidenceJSON {
	out := evidenceJSON{ID: e.ID, ScopeID: e.ScopeID, DepartmentID: e.DepartmentID, Department: e.DepartmentName, Title: e.Title,
		Description: e.Description, Tags: e.Tags, CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
		Version: e.Version, Current: newEvidenceVersionJSON(e.Current, today)}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	for _, v := range e.Versions {
		out.Versions = append(out.Versions, newEvidenceVersionJSON(v, today))
	}
	return out
}

func (a *API) listEvidence(c *gin.Context) error {
	scopeID, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	f, err := domain.ParseEvidenceFilter(c.Request.URL.Query(), route.UserID(c))
	if err != nil {
		return err
	}
	f.Today = a.today()
	es, next, err := a.DB.ListEvidence(c.Request.Context(), scopeID, f, route.Visibility(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newList(convertOn(es, f.Today, newEvidenceJSON), nextCursor(next)))
	return nil
}

// writeEvidence answers with an evidence item as it now is, with its
// versions and links and its version as the ETag.
func (a *API) writeEvidence(c *gin.Context, status int, id int64) error {
	ctx := c.Request.Context()
	vis := route.Visibility(c)
	e, err := a.DB.EvidenceByID(ctx, id, vis)
	if err != nil {
		return err
	}
	links, err := a.DB.EvidenceLinks(ctx, id, vis)
	if err != nil {
		return err
	}
	out := newEvidenceJSON(e, a.today())
	for _, l := range links {
		out.Links = append(out.Links, evidenceLinkJSON{Target: l.Target, TargetID: l.TargetID, Label: l.Label, CreatedBy: l.CreatedBy,
			CreatedAt: l.CreatedAt})
	}
	writeVersioned(c, status, e.Version, out)
	return nil
}

func (a *API) getEvidence(c *gin.Context) error {
	return getByPath(c, a.writeEvidence)
}

// uploadForm reads the form fields of a multipart upload up to the part
// "file", which must come last so it can be streamed; file is nil when
// there is none. The fields are validated against the route's request
// schema as JSON.
func (a *API) uploadForm(c *gin.Context) (fields url.Values, file *multipart.Part, err error) {
	schema, err := requestSchema(c)
	if err != nil {
		return nil, nil, err
	}
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "multipart/form-data" {
		return nil, nil, &domain.Error{Kind: problem.ErrUnsupportedMediaType,
			Message: "send multipart/form-data: the fields, then the file in the part \"file\""}
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return nil, nil, domain.Invalid(domain.Violation{Pointer: "", Detail: "not a readable multipart body: " + err.Error()})
	}
	fields = url.Values{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, uploadError(err)
		}
		if part.FormName() == "file" {
			if part.FileName() != "" {
				file = part
			}
			break
		}
		value, err := io.ReadAll(io.LimitReader(part, 64<<10+1))
		if err != nil {
			return nil, nil, uploadError(err)
		}
		if len(value) > 64<<10 {
			return nil, nil, domain.Invalid(domain.Violation{Pointer: "/" + part.FormName(), Detail: "a form field is larger than 64 KiB"})
		}
		fields.Add(part.FormName(), string(value))
	}
	if err := a.validateFields(schema, fields); err != nil {
		return nil, nil, err
	}
	return fields, file, nil
}

// validateFields checks form fields against a JSON Schema, as a JSON body
// would be: numbers and lists are read as such where the schema wants them.
func (a *API) validateFields(schema string, fields url.Values) error {
	doc := map[string]any{}
	for name, values := range fields {
		switch name {
		case "tags":
			doc[name] = values
		case "department_id":
			if n, err := strconv.ParseInt(values[0], 10, 64); err == nil {
				doc[name] = n
			} else if values[0] != "" {
				doc[name] = values[0]
			}
		default:
			if values[0] != "" || name == "title" {
				doc[name] = values[0]
			}
		}
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return a.Validator.Validate(schema, raw)
}

// uploadError turns a failure to read an upload into the client's error.
func uploadError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return domain.Errorf(domain.ErrTooLarge, "the upload exceeds the limit of %d bytes", tooLarge.Limit).
			De("Die Datei ist zu groß.")
	}
	return domain.Invalid(domain.Violation{Pointer: "/file", Detail: "the upload could not be read completely: " + err.Error(),
		German: "Die Datei kam nicht vollständig an; bitte erneut hochladen."})
}

// versionInput reads a version's fields; the schema has checked them.
func versionInput(fields url.Values, file *multipart.Part) domain.VersionInput {
	in := domain.VersionInput{Reference: fields.Get("reference"), Note: fields.Get("note")}
	in.EffectiveOn, _ = time.Parse(time.DateOnly, fields.Get("effective_on"))
	if v := fields.Get("valid_until"); v != "" {
		d, _ := time.Parse(time.DateOnly, v)
		in.ValidUntil = &d
	}
	if file != nil {
		in.FileName, in.ContentType = file.FileName(), file.Header.Get("Content-Type")
	}
	return in
}

// content is the upload's file as the store reads it, refused beyond
// ISMS_EVIDENCE_MAX_BYTES, or nil.
func (a *API) content(file *multipart.Part) io.Reader {
	if file == nil {
		return nil
	}
	return transfer.LimitFile(file, a.EvidenceMaxBytes, "ISMS_EVIDENCE_MAX_BYTES", "Die Datei ist zu groß.")
}

func (a *API) createEvidence(c *gin.Context) error {
	scopeID, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	fields, file, err := a.uploadForm(c)
	if err != nil {
		return err
	}
	in := domain.EvidenceInput{Title: fields.Get("title"), Description: fields.Get("description"), Tags: fields["tags"]}
	if v := fields.Get("department_id"); v != "" {
		id, _ := strconv.ParseInt(v, 10, 64)
		in.DepartmentID = &id
	}
	e, err := inTx(a, c, func(tx *postgres.Tx) (domain.Evidence, error) {
		return tx.CreateEvidence(c.Request.Context(), scopeID, in, versionInput(fields, file), a.content(file), route.Visibility(c))
	})
	if err != nil {
		return storeUploadError(err)
	}
	setLocation(c, "/api/v1/evidence/", e.ID)
	return a.writeEvidence(c, http.StatusCreated, e.ID)
}

// storeUploadError reports an upload that broke off while it was stored
// like one that broke off before.
func storeUploadError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, multipart.ErrMessageTooLarge) {
		return uploadError(err)
	}
	return err
}

func (a *API) addEvidenceVersion(c *gin.Context) error {
	id, version, err := pathAndVersion(c)
	if err != nil {
		return err
	}
	fields, file, err := a.uploadForm(c)
	if err != nil {
		return err
	}
	err = a.run(c, func(tx *postgres.Tx) error {
		_, err := tx.AddEvidenceVersion(c.Request.Context(), id, version, versionInput(fields, file), a.content(file), route.Visibility(c))
		return err
	})
	if err != nil {
		return storeUploadError(err)
	}
	return a.writeEvidence(c, http.StatusCreated, id)
}

func (a *API) updateEvidence(c *gin.Context) error {
	var req struct {
		Title        Optional[string]   `json:"title"`
		Description  Optional[string]   `json:"description"`
		DepartmentID Optional[*int64]   `json:"department_id"`
		Tags         Optional[[]string] `json:"tags"`
	}
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	ctx, vis := c.Request.Context(), route.Visibility(c)
	ch := domain.EvidenceChange{Title: req.Title.Change(), Description: req.Description.Change(), DepartmentID: req.DepartmentID.Change(),
		Tags: req.Tags.Change()}
	err = a.run(c, func(tx *postgres.Tx) error {
		_, err := tx.UpdateEvidence(ctx, id, version, ch, vis)
		return err
	})
	if err != nil {
		return err
	}
	return a.writeEvidence(c, http.StatusOK, id)
}

// downloadEvidence streams a version's file; the web UI serves the same
// download through transfer.SendEvidence.
func (a *API) downloadEvidence(c *gin.Context) error {
	return transfer.SendEvidence(c, a.DB, a.AuditReads)
}

func (a *API) reviewEvidence(c *gin.Context) error {
	var req struct {
		Decision domain.ReviewState `json:"decision"`
		Comment  string             `json:"comment"`
	}
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	err = a.run(c, func(tx *postgres.Tx) error {
		_, err := tx.ReviewEvidence(c.Request.Context(), id, version, domain.ReviewInput{Decision: req.Decision, Comment: req.Comment}, route.Visibility(c))
		return err
	})
	if err != nil {
		return err
	}
	return a.writeEvidence(c, http.StatusOK, id)
}

type evidenceCommentJSON struct {
	ID        int64               `json:"id"`
	Version   int                 `json:"version"`
	Author    string              `json:"author"`
	Decision  *domain.ReviewState `json:"decision"`
	Body      string              `json:"body"`
	CreatedAt time.Time           `json:"created_at"`
}

func (a *API) evidenceThread(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if _, err := a.DB.EvidenceByID(ctx, id, route.Visibility(c)); err != nil {
		return err
	}
	thread, err := a.DB.EvidenceThread(ctx, id)
	if err != nil {
		return err
	}
	out := make([]evidenceCommentJSON, len(thread))
	for i, m := range thread {
		out[i] = evidenceCommentJSON{ID: m.ID, Version: m.Version, Author: m.Author, Body: m.Body, CreatedAt: m.CreatedAt}
		if m.Decision != "" {
			d := m.Decision
			out[i].Decision = &d
		}
	}
	c.JSON(http.StatusOK, newList(out, ""))
	return nil
}

func (a *API) commentEvidence(c *gin.Context) error {
	var req struct {
		Body string `json:"body"`
	}
	id, err := a.decodeAt(c, &req)
	if err != nil {
		return err
	}
	err = a.run(c, func(tx *postgres.Tx) error {
		_, err := tx.CommentEvidence(c.Request.Context(), id, domain.CommentInput{Body: req.Body}, route.Visibility(c))
		return err
	})
	if err != nil {
		return err
	}
	return a.writeEvidence(c, http.StatusCreated, id)
}

func (a *API) linkEvidence(c *gin.Context) error {
	var req struct {
		Target   domain.LinkTarget `json:"target"`
		TargetID int64             `json:"target_id"`
	}
	id, err := a.decodeAt(c, &req)
	if err != nil {
		return err
	}
	if err := a.run(c, func(tx *postgres.Tx) error {
		return tx.LinkEvidence(c.Request.Context(), id, req.Target, req.TargetID, route.Visibility(c))
	}); err != nil {
		return err
	}
	return a.writeEvidence(c, http.StatusOK, id)
}

func (a *API) unlinkEvidence(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	target := domain.LinkTarget(c.Param("link_type"))
	targetID, err := pathID(c, "link_id")
	if err != nil || !target.Valid() {
		return domain.Errorf(domain.ErrNotFound, "no such link")
	}
	return noContent(c, a.run(c, func(tx *postgres.Tx) error {
		return tx.UnlinkEvidence(c.Request.Context(), id, target, targetID, route.Visibility(c))
	}))
}
