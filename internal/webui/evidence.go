package webui

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/problem"
	"ismsd/internal/route"
	"ismsd/internal/transfer"
)

// The permissions of the evidence pages; the store limits each to the
// department subtrees of scoped grants.
var (
	evidenceRead   = authz.Require(authz.ResourceEvidence, authz.ActionRead)
	evidenceWrite  = authz.Require(authz.ResourceEvidence, authz.ActionWrite)
	evidenceReview = authz.Require(authz.ResourceEvidenceReviews, authz.ActionWrite)
)

// evidenceRoutes are the pages of the evidence (Nachweise): a scope's list
// with the upload form, one item with its versions, review thread and
// links, and the download of a version's file.
func (u *UI) evidenceRoutes() []route.Route {
	get, post := http.MethodGet, http.MethodPost
	upload := u.EvidenceMaxBytes + 1<<20 // the file and its form fields
	return []route.Route{
		{Method: get, Path: "/scopes/:id/evidence", Perm: evidenceRead, Handler: u.evidenceListPage},
		{Method: post, Path: "/scopes/:id/evidence", Perm: evidenceWrite, Handler: u.uploadEvidence, MaxBody: upload, Streams: true},
		{Method: get, Path: "/evidence/:id", Perm: evidenceRead, Handler: u.evidencePage},
		{Method: post, Path: "/evidence/:id", Perm: evidenceWrite, Handler: u.updateEvidence},
		{Method: post, Path: "/evidence/:id/versions", Perm: evidenceWrite, Handler: u.addEvidenceVersion, MaxBody: upload, Streams: true},
		{Method: get, Path: "/evidence/:id/versions/:number/content", Perm: evidenceRead, Handler: u.downloadEvidence, Streams: true},
		{Method: post, Path: "/evidence/:id/review", Perm: evidenceReview, Handler: u.reviewEvidence},
		{Method: post, Path: "/evidence/:id/comments", Perm: evidenceWrite, Handler: u.commentEvidence},
		{Method: post, Path: "/evidence/:id/links", Perm: evidenceWrite, Handler: u.linkEvidence},
		{Method: post, Path: "/evidence/:id/links/:link_type/:link_id/remove", Perm: evidenceWrite, Handler: u.unlinkEvidence},
	}
}

var errEvidenceNotFound = domain.Errorf(domain.ErrNotFound, "no such evidence").De("Diesen Nachweis gibt es nicht.")

// evidencePerPage is the page size of a scope's evidence list.
const evidencePerPage = 50

func evidenceURL(id int64) string          { return "/evidence/" + strconv.FormatInt(id, 10) }
func evidenceListURL(scopeID int64) string { return scopeURL(scopeID) + "/evidence" }

// fileSize prints a size the German way, in binary units with one decimal
// where it tells something: "512 Byte", "2,1 MB", "200 MB".
func fileSize(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " Byte"
	}
	v, unit := float64(n)/1024, "KB"
	for _, next := range []string{"MB", "GB", "TB"} {
		if v < 1024 {
			break
		}
		v, unit = v/1024, next
	}
	s := strconv.FormatFloat(v, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	return strings.Replace(s, ".", ",", 1) + " " + unit
}

// stateBadge is a review state as a tag: its German label and colour.
type stateBadge struct{ Label, Class string }

// stateOf is how a version stands today: "abgelaufen" once its validity
// ended, whatever its review said.
func stateOf(v domain.EvidenceVersion, today time.Time) stateBadge {
	if v.Expired(today) {
		return stateBadge{Label: v.StateLabel(today), Class: "tag-bad"}
	}
	class := map[domain.ReviewState]string{domain.ReviewAccepted: "tag-ok", domain.ReviewRejected: "tag-bad", domain.ReviewNeedsInfo: "tag-warn"}
	return stateBadge{Label: v.State.Label(), Class: class[v.State]}
}

// evidenceView is an evidence item as lists show it, by its newest version.
type evidenceView struct {
	domain.Evidence
	Badge            stateBadge
	Effective, Until day
	Size             string
	ExpiresSoon      bool // valid, and ends within 30 days
}

func newEvidenceView(e domain.Evidence, today time.Time) evidenceView {
	v := e.Current
	ev := evidenceView{Evidence: e, Badge: stateOf(v, today), Effective: day{&v.EffectiveOn}, Until: day{v.ValidUntil}}
	if v.HasFile() {
		ev.Size = fileSize(v.Size)
	}
	ev.ExpiresSoon = v.ValidUntil != nil && !v.Expired(today) && v.ValidUntil.Before(today.AddDate(0, 0, 30))
	return ev
}

// TagList prints the tags for the form and the lists: "Firewall, Netz".
func (v evidenceView) TagList() string { return strings.Join(v.Tags, ", ") }

// evidenceFilterForm holds the filter fields of the list as typed.
type evidenceFilterForm struct {
	State, Query, Department, Tag, Expiring string
	Expired, Mine, Queue                    bool
}

// evidenceCount is a figure above the list with the link that filters by it.
type evidenceCount struct {
	Label, Class, URL string
	N                 num
	Active            bool
}

// evidenceTarget is what the list's evidence proves, when it is filtered
// by a link target (the check-entry page leads here to upload).
type evidenceTarget struct {
	Kind  domain.LinkTarget
	ID    int64
	Label string
	URL   string
}

// evidenceForm is the upload form and the edit form as typed.
type evidenceForm struct {
	Title, Description, Department, Tags string
	EffectiveOn, ValidUntil, Reference   string
	Note, Target, TargetID               string
}

// Nav leads through the evidence list's pages.
func (d evidenceListPage) Nav() keysetNav {
	return keysetNav{Of: "Nachweise", Shown: "Auf dieser Seite", Count: len(d.Items), FirstURL: d.FirstURL, NextURL: d.NextURL}
}

type evidenceListPage struct {
	Scope        scopeView
	Tab          string
	Path         string
	Form         evidenceFilterForm
	Filtered     bool
	States       []option
	Expiring     []option
	Departments  []deptOption
	Counts       []evidenceCount
	Total        num
	Items        []evidenceView
	NextURL      string
	FirstURL     string
	ResetURL     string // the list without filters, of the same target
	Target       *evidenceTarget
	CanUpload    bool
	CanReview    bool
	Upload       evidenceForm
	Writable     []deptOption // departments a new item may belong to
	NoDepartment bool         // the writer may leave the department empty
	MaxSize      string
	Errors       formErrors // of the filter
	UploadErrors formErrors
}

func (p evidenceListPage) FormError() string {
	if p.UploadErrors.Summary != "" {
		return p.UploadErrors.Summary
	}
	return p.Errors.Summary
}

// writableDepartments are the departments the user may place evidence in,
// and whether they may leave it without one (only global writers, since
// evidence without a department is seen by global grants only).
func (u *UI) writableDepartments(c *gin.Context) ([]deptOption, bool, error) {
	vis := u.visibilityOf(c, evidenceWrite)
	if !vis.All && len(vis.Departments) == 0 {
		return nil, false, nil
	}
	opts, err := u.departmentOptions(c, vis)
	return opts, vis.All, err
}

// evidenceTargetOf names a link target for the list's heading; the upload
// form takes a check entry's department as the new item's.
func (u *UI) evidenceTargetOf(c *gin.Context, scopeID int64, kind domain.LinkTarget, id int64) (evidenceTarget, *int64, error) {
	t := evidenceTarget{Kind: kind, ID: id, Label: kind.Label() + " Nr. " + strconv.FormatInt(id, 10)}
	switch kind {
	case domain.LinkCheckEntry:
		e, err := u.DB.EntryByID(c.Request.Context(), id, u.visibilityFor(c, authz.ActionRead))
		if err != nil {
			return t, nil, err
		}
		if e.ScopeID != scopeID {
			return t, nil, errEntryNotFound
		}
		t.Label, t.URL = e.RequirementID+" "+e.Title+" · "+e.ObjectShortID+" "+e.ObjectName, entryURL(id)
		return t, e.DepartmentID, nil
	case domain.LinkPlanItem:
		t.URL = planURL(scopeID) + "#plan-" + strconv.FormatInt(id, 10)
	case domain.LinkFinding:
		t.URL = findingURL(id)
	}
	return t, nil, nil
}

// evidenceListData loads one page of a scope's evidence with the values q
// of the query, its figures and the upload form.
func (u *UI) evidenceListData(c *gin.Context, scope postgres.ScopeSummary, q url.Values) (evidenceListPage, error) {
	ctx, vis := c.Request.Context(), u.visibilityOf(c, evidenceRead)
	path := evidenceListURL(scope.ID)
	d := evidenceListPage{Scope: newScopeView(scope), Tab: "evidence", Path: path, MaxSize: fileSize(u.EvidenceMaxBytes),
		Errors: formErrors{Fields: map[string]string{}}, UploadErrors: formErrors{Fields: map[string]string{}}}
	d.Form = evidenceFilterForm{State: q.Get("state"), Query: q.Get("q"), Department: q.Get("department"), Tag: q.Get("tag"),
		Expiring: q.Get("expiring"), Expired: q.Get("expired") == "true", Mine: q.Get("mine") == "true", Queue: q.Get("queue") == "true"}
	d.Filtered = d.Form != evidenceFilterForm{}
	for _, s := range domain.ReviewStates {
		d.States = append(d.States, option{Value: string(s), Label: s.Label(), Selected: string(s) == d.Form.State})
	}
	for _, n := range []string{"30", "60", "90"} {
		d.Expiring = append(d.Expiring, option{Value: n, Label: "in " + n + " Tagen", Selected: n == d.Form.Expiring})
	}
	d.CanReview = u.allowed(c, authz.ResourceEvidenceReviews, authz.ActionWrite)
	var err error
	if d.Departments, err = u.departmentOptions(c, vis); err != nil {
		return d, err
	}
	if d.Writable, d.NoDepartment, err = u.writableDepartments(c); err != nil {
		return d, err
	}
	d.CanUpload = len(d.Writable) > 0 || d.NoDepartment

	f, err := domain.ParseEvidenceFilter(q, route.UserID(c))
	if err != nil {
		d.Errors = newFormErrors(err)
		return d, err
	}
	if f.Limit == 0 {
		f.Limit = evidencePerPage
	}
	f.Today = u.today()
	d.ResetURL = path
	if f.Target != "" {
		t, dept, err := u.evidenceTargetOf(c, scope.ID, f.Target, f.TargetID)
		if err != nil {
			d.Errors = newFormErrors(err)
			return d, err
		}
		d.Target = &t
		d.ResetURL = listURL(path, url.Values{"target": {string(t.Kind)}, "target_id": {strconv.FormatInt(t.ID, 10)}})
		d.Upload.Target, d.Upload.TargetID = string(t.Kind), strconv.FormatInt(t.ID, 10)
		if dept != nil {
			d.Upload.Department = strconv.FormatInt(*dept, 10)
		}
	}

	// The figures: by review state under the other filters, each a link.
	counts, expired, err := u.DB.CountEvidence(ctx, scope.ID, f, vis)
	if err != nil {
		return d, err
	}
	base := withoutCursor(q)
	link := func(set, value string) string {
		v := cloneValues(base)
		v.Del("state")
		v.Del("expired")
		v.Set(set, value)
		return listURL(path, v)
	}
	for _, s := range domain.ReviewStates {
		d.Total += num(counts[s])
		badge := stateOf(domain.EvidenceVersion{State: s}, f.Today)
		d.Counts = append(d.Counts, evidenceCount{Label: badge.Label, Class: badge.Class, N: num(counts[s]), URL: link("state", string(s)),
			Active: f.State == s && !f.Expired})
	}
	d.Counts = append(d.Counts, evidenceCount{Label: "abgelaufen", Class: "tag-bad", N: num(expired), URL: link("expired", "true"),
		Active: f.Expired && f.State == ""})

	items, next, err := u.DB.ListEvidence(ctx, scope.ID, f, vis)
	if err != nil {
		return d, err
	}
	for _, e := range items {
		d.Items = append(d.Items, newEvidenceView(e, f.Today))
	}
	d.NextURL, d.FirstURL = pageURLs(path, base, next, f.After)
	return d, nil
}

func (u *UI) evidenceListPage(c *gin.Context) error {
	return scopeListPage(u, c, "evidence_list", "Nachweise", u.evidenceListData)
}

// maxUploadField bounds a text field of an upload form.
const maxUploadField = 64 << 10

// readUpload reads the text fields of a multipart form up to its file
// input, which the forms put last: the file then streams into the store
// instead of being buffered. file is nil when none was chosen.
func readUpload(c *gin.Context) (url.Values, *multipart.Part, error) {
	fields := url.Values{}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return fields, nil, &domain.Error{Kind: problem.ErrUnsupportedMediaType, Message: "send the form as multipart/form-data",
			German: "Bitte senden Sie das Formular der Seite ab."}
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return fields, nil, nil
		}
		if err != nil {
			return fields, nil, uploadBroken(err)
		}
		if part.FormName() == "file" {
			if part.FileName() == "" {
				return fields, nil, nil // no file chosen: the browser sends an empty part
			}
			return fields, part, nil
		}
		value, err := io.ReadAll(io.LimitReader(part, maxUploadField+1))
		if err != nil {
			return fields, nil, uploadBroken(err)
		}
		if len(value) > maxUploadField {
			return fields, nil, domain.Invalid(domain.Violation{Pointer: "/" + part.FormName(), Detail: "a form field is larger than 64 KiB",
				German: "Der Text ist zu lang."})
		}
		fields.Add(part.FormName(), string(value))
	}
}

// uploadBroken turns an upload that broke off (too large, or cut) into
// what the form says about it; other errors stay as they are.
func uploadBroken(err error) error {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return domain.Errorf(domain.ErrTooLarge, "the upload exceeds the limit of %d bytes", tooLarge.Limit).
			De("Die Datei ist größer als erlaubt (höchstens " + fileSize(tooLarge.Limit-1<<20) + ").")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, multipart.ErrMessageTooLarge):
		return domain.Invalid(domain.Violation{Pointer: "/file", Detail: "the upload could not be read completely: " + err.Error(),
			German: "Die Datei kam nicht vollständig an; bitte erneut hochladen."})
	}
	return err
}

// refusedUpload tells a refusal the form shows from a failure; before it
// is shown, the rest of the upload is read and dropped, so that the
// browser, still sending, gets the answer instead of a reset connection.
func refusedUpload(c *gin.Context, err error) bool {
	if !isInputError(err) && !errors.Is(err, domain.ErrTooLarge) {
		return false
	}
	io.Copy(io.Discard, c.Request.Body)
	return true
}

// content is the chosen file as the store reads it, refused beyond
// ISMS_EVIDENCE_MAX_BYTES, or nil.
func (u *UI) content(file *multipart.Part) io.Reader {
	if file == nil {
		return nil
	}
	return transfer.LimitFile(file, u.EvidenceMaxBytes, "ISMS_EVIDENCE_MAX_BYTES",
		"Die Datei ist größer als erlaubt (höchstens "+fileSize(u.EvidenceMaxBytes)+").")
}

// firstPerField keeps the first refusal of each field: a date that could
// not be read is not "missing" too.
func firstPerField(vs []domain.Violation) []domain.Violation {
	seen := map[string]bool{}
	var out []domain.Violation
	for _, v := range vs {
		if !seen[v.Pointer] {
			seen[v.Pointer] = true
			out = append(out, v)
		}
	}
	return out
}

func badDate(field string) domain.Violation {
	return domain.Violation{Pointer: "/" + field, Detail: "want a date as 2006-01-02", German: "Bitte ein Datum angeben, z. B. 31.12.2026."}
}

// evidenceInputOf reads a new item's title, description, department and
// tags (comma-separated) as typed, and checks them before its upload is
// read.
func evidenceInputOf(f evidenceForm) (domain.EvidenceInput, []domain.Violation) {
	dept, vs := departmentOf(f)
	in := domain.EvidenceInput{Title: f.Title, Description: f.Description, DepartmentID: dept, Tags: strings.Split(f.Tags, ",")}
	return in, append(vs, in.Validate()...)
}

// evidenceChangeOf reads an item's form as a change of every field.
func evidenceChangeOf(f evidenceForm) (domain.EvidenceChange, []domain.Violation) {
	dept, vs := departmentOf(f)
	tags := strings.Split(f.Tags, ",")
	return domain.EvidenceChange{Title: &f.Title, Description: &f.Description, DepartmentID: &dept, Tags: &tags}, vs
}

// departmentOf reads the department chosen on an item's form; none is nil.
func departmentOf(f evidenceForm) (*int64, []domain.Violation) {
	v := strings.TrimSpace(f.Department)
	if v == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return &id, []domain.Violation{{Pointer: "/department_id", Detail: "not a department", German: "Unbekannte Organisationseinheit."}}
	}
	return &id, nil
}

// versionInputOf reads a version's dates, reference and note as typed.
func versionInputOf(f evidenceForm, file *multipart.Part) (domain.VersionInput, []domain.Violation) {
	in := domain.VersionInput{Reference: f.Reference, Note: f.Note}
	var vs []domain.Violation
	if t, ok := parseDay(f.EffectiveOn); !ok {
		vs = append(vs, badDate("effective_on"))
	} else if t != nil {
		in.EffectiveOn = *t
	}
	if t, ok := parseDay(f.ValidUntil); ok {
		in.ValidUntil = t
	} else {
		vs = append(vs, badDate("valid_until"))
	}
	if file != nil {
		in.FileName, in.ContentType = file.FileName(), file.Header.Get("Content-Type")
	}
	return in, append(vs, in.Validate(file != nil)...)
}

// linkOf reads a link target as typed; ok is false without one.
func linkOf(kind, id string) (target domain.LinkTarget, targetID int64, ok bool, vs []domain.Violation) {
	if kind == "" && id == "" {
		return "", 0, false, nil
	}
	target = domain.LinkTarget(kind)
	if !target.Valid() {
		vs = append(vs, domain.Violation{Pointer: "/target", Detail: "unknown kind of link", German: "Bitte wählen Sie, was der Nachweis belegt."})
	}
	targetID, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil || targetID <= 0 {
		vs = append(vs, domain.Violation{Pointer: "/target_id", Detail: "a target needs its number", German: "Bitte die Nummer des Ziels angeben."})
	}
	return target, targetID, true, vs
}

func formOf(fields url.Values) evidenceForm {
	return evidenceForm{Title: fields.Get("title"), Description: fields.Get("description"), Department: fields.Get("department_id"),
		Tags: fields.Get("tags"), EffectiveOn: fields.Get("effective_on"), ValidUntil: fields.Get("valid_until"),
		Reference: fields.Get("reference"), Note: fields.Get("note"), Target: fields.Get("target"), TargetID: fields.Get("target_id")}
}

// uploadEvidence stores a new evidence item with its first version, the
// file streamed into the store, and links it to the target the form came
// from, all in one transaction; then it shows the new item.
func (u *UI) uploadEvidence(c *gin.Context) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	ctx, vis := c.Request.Context(), route.Visibility(c)
	fields, file, err := readUpload(c)
	in := formOf(fields)
	var e domain.Evidence
	if err == nil {
		ein, vs := evidenceInputOf(in)
		vin, vvs := versionInputOf(in, file)
		target, targetID, linked, lvs := linkOf(in.Target, in.TargetID)
		if vs = firstPerField(append(append(vs, vvs...), lvs...)); len(vs) > 0 {
			err = domain.Invalid(vs...)
		} else {
			err = uploadBroken(u.run(c, func(tx *postgres.Tx) error {
				var err error
				if e, err = tx.CreateEvidence(ctx, scope.ID, ein, vin, u.content(file), vis); err != nil || !linked {
					return err
				}
				return tx.LinkEvidence(ctx, e.ID, target, targetID, vis)
			}))
		}
	}
	if err == nil {
		msg := fmt.Sprintf("Der Nachweis „%s“ ist gespeichert und wartet auf die Prüfung.", e.Title)
		if e.Current.HasFile() {
			msg = fmt.Sprintf("Der Nachweis „%s“ ist hochgeladen (%s) und wartet auf die Prüfung.", e.Title, fileSize(e.Current.Size))
		}
		return u.redirect(c, evidenceURL(e.ID), msg)
	}
	if !refusedUpload(c, err) {
		return err
	}
	// Refused: the list again, with the target the form came from, what
	// was typed and the refusals at their fields.
	q := url.Values{}
	if in.Target != "" {
		q.Set("target", in.Target)
		q.Set("target_id", in.TargetID)
	}
	d, derr := u.evidenceListData(c, scope, q)
	if derr != nil && !isInputError(derr) {
		return derr
	}
	d.Upload, d.UploadErrors = in, newFormErrors(err)
	if file != nil && d.UploadErrors.Fields["file"] == "" {
		d.UploadErrors.Fields["file"] = "Bitte wählen Sie die Datei noch einmal aus."
	}
	return u.render(c, statusOf(err), "evidence_list", "Nachweise · "+scope.Name, d)
}

// versionView is a version as the evidence page shows it.
type versionView struct {
	domain.EvidenceVersion
	Badge            stateBadge
	ExpiredToday     bool // its validity has ended: the badge says so instead of the review state
	Effective, Until day
	Size             string
	ShortSHA         string
	ReferenceURL     string // the reference as a link, when it is a web address
	Download         string
}

func newVersionView(v domain.EvidenceVersion, today time.Time) versionView {
	vv := versionView{EvidenceVersion: v, Badge: stateOf(v, today), ExpiredToday: v.Expired(today), Effective: day{&v.EffectiveOn}, Until: day{v.ValidUntil}}
	if v.HasFile() {
		vv.Size, vv.ShortSHA = fileSize(v.Size), v.SHA256[:12]
		vv.Download = fmt.Sprintf("%s/versions/%d/content", evidenceURL(v.EvidenceID), v.Number)
	}
	// Only web addresses become links: a reference is typed by a writer
	// and read by everyone.
	if r, err := url.Parse(v.Reference); err == nil && (r.Scheme == "https" || r.Scheme == "http") && r.Host != "" {
		vv.ReferenceURL = r.String()
	}
	return vv
}

// commentView is a message of the thread.
type commentView struct {
	domain.EvidenceComment
	Decision *stateBadge
}

// linkView is what an item proves, with the page that shows it.
type linkView struct {
	domain.EvidenceLink
	Kind string
	URL  string
}

// linkURL is the page of a link target: the check entry, the object's
// risk analysis, the scope's plan at the measure, or the finding.
func linkURL(l domain.EvidenceLink, scopeID int64) string {
	id := strconv.FormatInt(l.TargetID, 10)
	switch l.Target {
	case domain.LinkCheckEntry:
		return entryURL(l.TargetID)
	case domain.LinkRiskAnalysis:
		if l.ObjectID != 0 {
			return riskURL(l.ObjectID)
		}
	case domain.LinkPlanItem:
		return planURL(scopeID) + "#plan-" + id
	case domain.LinkFinding:
		return findingURL(l.TargetID)
	}
	return ""
}

type evidencePage struct {
	Evidence     domain.Evidence
	Scope        scopeView
	Current      versionView
	Versions     []versionView
	Thread       []commentView
	Links        []linkView
	CanWrite     bool
	CanReview    bool // the reader reviews evidence of this department
	OwnUpload    bool // the reader uploaded the newest version: someone else reviews it
	Decided      bool // the newest version is accepted or rejected
	Decisions    []option
	LinkKinds    []option
	Writable     []deptOption
	NoDepartment bool
	MaxSize      string
	Edit         evidenceForm
	Version      evidenceForm
	Decision     string
	Comment      string // of the review
	Reply        string // a comment of a writer
	LinkTarget   string
	LinkID       string
	formsState   // forms: edit, review, comment, version, link
}

func (p evidencePage) title() string { return evidenceTitle(p.Evidence) }

func evidenceTitle(e domain.Evidence) string { return e.Title + " · Nachweis" }

// loadEvidence reads the item of the path as the route's grant sees it:
// one outside the reader's departments is not found, like a missing one.
func (u *UI) loadEvidence(c *gin.Context) (domain.Evidence, error) {
	return visibleOfPath(c, errEvidenceNotFound, u.DB.EvidenceByID, u.visibilityOf(c, evidenceRead))
}

func (u *UI) evidenceData(c *gin.Context, e domain.Evidence) (evidencePage, error) {
	ctx, today := c.Request.Context(), u.today()
	d := evidencePage{Evidence: e, Current: newVersionView(e.Current, today), MaxSize: fileSize(u.EvidenceMaxBytes)}
	scope, err := u.DB.Scope(ctx, e.ScopeID)
	if err != nil {
		return d, err
	}
	d.Scope = newScopeView(scope)
	for _, v := range e.Versions {
		d.Versions = append(d.Versions, newVersionView(v, today))
	}
	thread, err := u.DB.EvidenceThread(ctx, e.ID)
	if err != nil {
		return d, err
	}
	for _, m := range thread {
		cv := commentView{EvidenceComment: m}
		if m.Decision != "" {
			b := stateOf(domain.EvidenceVersion{State: m.Decision}, today)
			cv.Decision = &b
		}
		d.Thread = append(d.Thread, cv)
	}
	links, err := u.DB.EvidenceLinks(ctx, e.ID, u.visibilityOf(c, evidenceRead))
	if err != nil {
		return d, err
	}
	for _, l := range links {
		d.Links = append(d.Links, linkView{EvidenceLink: l, Kind: l.Target.Label(), URL: linkURL(l, e.ScopeID)})
	}

	writers, err := u.grantScopeOf(c, evidenceWrite)
	if err != nil {
		return d, err
	}
	reviewers, err := u.grantScopeOf(c, evidenceReview)
	if err != nil {
		return d, err
	}
	p, _ := route.Principal(c)
	d.CanWrite, d.CanReview = writers.can(e.DepartmentID), reviewers.can(e.DepartmentID)
	d.OwnUpload = e.Current.UploadedByID != nil && *e.Current.UploadedByID == p.User.ID
	d.Decided = e.Current.State == domain.ReviewAccepted || e.Current.State == domain.ReviewRejected
	for _, s := range []domain.ReviewState{domain.ReviewAccepted, domain.ReviewRejected, domain.ReviewNeedsInfo} {
		d.Decisions = append(d.Decisions, option{Value: string(s), Label: decisionLabel(s)})
	}
	for _, t := range domain.LinkTargets {
		d.LinkKinds = append(d.LinkKinds, option{Value: string(t), Label: t.Label()})
	}
	if d.CanWrite {
		if d.Writable, d.NoDepartment, err = u.writableDepartments(c); err != nil {
			return d, err
		}
	}
	d.Edit = evidenceForm{Title: e.Title, Description: e.Description, Tags: strings.Join(e.Tags, ", ")}
	if e.DepartmentID != nil {
		d.Edit.Department = strconv.FormatInt(*e.DepartmentID, 10)
	}
	return d, nil
}

// decisionLabel names a reviewer's choice as the form offers it.
func decisionLabel(s domain.ReviewState) string {
	switch s {
	case domain.ReviewAccepted:
		return "akzeptieren"
	case domain.ReviewRejected:
		return "ablehnen"
	case domain.ReviewNeedsInfo:
		return "Rückfrage stellen"
	}
	return s.Label()
}

func (u *UI) evidencePage(c *gin.Context) error {
	return showPage(u, c, "evidence", u.loadEvidence, u.evidenceData, evidenceTitle)
}

// evidenceFormFailed shows the evidence page again with the refusal of
// one of its forms; edit puts back what was typed.
func (u *UI) evidenceFormFailed(c *gin.Context, id int64, form string, err error, edit func(*evidencePage)) error {
	if !refusedUpload(c, err) {
		return err
	}
	e, lerr := u.DB.EvidenceByID(c.Request.Context(), id, u.visibilityOf(c, evidenceRead))
	if lerr != nil {
		return lerr
	}
	d, derr := u.evidenceData(c, e)
	if derr != nil {
		return derr
	}
	d.refuse(form, err)
	if edit != nil {
		edit(&d)
	}
	return u.render(c, statusOf(err), "evidence", d.title(), d)
}

// updateEvidence saves an item's title, description, department and tags.
func (u *UI) updateEvidence(c *gin.Context) error {
	id, err := pathID(c, "id", errEvidenceNotFound)
	if err != nil {
		return err
	}
	in := evidenceForm{Title: c.PostForm("title"), Description: c.PostForm("description"), Department: c.PostForm("department_id"),
		Tags: c.PostForm("tags")}
	ch, vs := evidenceChangeOf(in)
	if len(vs) > 0 {
		err = domain.Invalid(vs...)
	} else {
		err = u.run(c, func(tx *postgres.Tx) error {
			_, err := tx.UpdateEvidence(c.Request.Context(), id, formVersion(c), ch, route.Visibility(c))
			return err
		})
	}
	if err != nil {
		return u.evidenceFormFailed(c, id, "edit", err, func(d *evidencePage) { d.Edit = in })
	}
	return u.redirect(c, evidenceURL(id), "Die Angaben zum Nachweis sind gespeichert.")
}

// addEvidenceVersion stores a new upload or reference of an item, which
// goes to review again.
func (u *UI) addEvidenceVersion(c *gin.Context) error {
	id, err := pathID(c, "id", errEvidenceNotFound)
	if err != nil {
		return err
	}
	fields, file, err := readUpload(c)
	in := formOf(fields)
	var e domain.Evidence
	if err == nil {
		vin, vs := versionInputOf(in, file)
		version, verr := strconv.Atoi(fields.Get("version"))
		if verr != nil || version <= 0 {
			version = -1 // a form without its version cannot prove it saw the current state
		}
		if vs = firstPerField(vs); len(vs) > 0 {
			err = domain.Invalid(vs...)
		} else {
			e, err = inTx(u, c, func(tx *postgres.Tx) (domain.Evidence, error) {
				return tx.AddEvidenceVersion(c.Request.Context(), id, version, vin, u.content(file), route.Visibility(c))
			})
			err = uploadBroken(err)
		}
	}
	if err != nil {
		return u.evidenceFormFailed(c, id, "version", err, func(d *evidencePage) {
			d.Version = in
			if file != nil && d.Errors.Fields["file"] == "" {
				d.Errors.Fields["file"] = "Bitte wählen Sie die Datei noch einmal aus."
			}
		})
	}
	return u.redirect(c, evidenceURL(id)+"#versions-h", fmt.Sprintf("Version %d ist gespeichert und wartet auf die Prüfung.", e.Current.Number))
}

// reviewEvidence records an auditor's decision on the newest version.
func (u *UI) reviewEvidence(c *gin.Context) error {
	id, err := pathID(c, "id", errEvidenceNotFound)
	if err != nil {
		return err
	}
	decision, comment := domain.ReviewState(c.PostForm("decision")), c.PostForm("comment")
	e, err := inTx(u, c, func(tx *postgres.Tx) (domain.Evidence, error) {
		return tx.ReviewEvidence(c.Request.Context(), id, formVersion(c), domain.ReviewInput{Decision: decision, Comment: comment}, route.Visibility(c))
	})
	if err != nil {
		return u.evidenceFormFailed(c, id, "review", err, func(d *evidencePage) { d.Decision, d.Comment = string(decision), comment })
	}
	msg := map[domain.ReviewState]string{
		domain.ReviewAccepted:  "Version %d ist akzeptiert; sie lässt sich nicht mehr ändern.",
		domain.ReviewRejected:  "Version %d ist abgelehnt; die Begründung steht im Verlauf.",
		domain.ReviewNeedsInfo: "Zu Version %d ist eine Rückfrage gestellt; sie steht im Verlauf.",
	}[decision]
	return u.redirect(c, evidenceURL(id)+"#thread-h", fmt.Sprintf(msg, e.Current.Number))
}

// commentEvidence adds a writer's comment to the thread; it answers an
// open question.
func (u *UI) commentEvidence(c *gin.Context) error {
	id, err := pathID(c, "id", errEvidenceNotFound)
	if err != nil {
		return err
	}
	body := c.PostForm("body")
	after, err := inTx(u, c, func(tx *postgres.Tx) (domain.Evidence, error) {
		return tx.CommentEvidence(c.Request.Context(), id, domain.CommentInput{Body: body}, route.Visibility(c))
	})
	if err != nil {
		return u.evidenceFormFailed(c, id, "comment", err, func(d *evidencePage) { d.Reply = body })
	}
	msg := "Ihr Kommentar steht im Verlauf."
	if after.Current.State == domain.ReviewSubmitted {
		msg += " Die Version wartet auf die Prüfung."
	}
	return u.redirect(c, evidenceURL(id)+"#thread-h", msg)
}

// linkEvidence ties the item to a check entry, risk analysis, measure or
// finding of its scope.
func (u *UI) linkEvidence(c *gin.Context) error {
	id, err := pathID(c, "id", errEvidenceNotFound)
	if err != nil {
		return err
	}
	kind, targetID := c.PostForm("target"), c.PostForm("target_id")
	target, tid, ok, vs := linkOf(kind, targetID)
	switch {
	case len(vs) > 0:
		err = domain.Invalid(vs...)
	case !ok:
		err = domain.Invalid(domain.Violation{Pointer: "/target", Detail: "choose a target", German: "Bitte wählen Sie, was der Nachweis belegt."})
	default:
		err = u.run(c, func(tx *postgres.Tx) error {
			return tx.LinkEvidence(c.Request.Context(), id, target, tid, route.Visibility(c))
		})
	}
	if err != nil {
		return u.evidenceFormFailed(c, id, "link", err, func(d *evidencePage) { d.LinkTarget, d.LinkID = kind, targetID })
	}
	return u.redirect(c, evidenceURL(id)+"#links-h", "Die Verknüpfung ist gespeichert.")
}

// unlinkEvidence removes a link.
func (u *UI) unlinkEvidence(c *gin.Context) error {
	id, err := pathID(c, "id", errEvidenceNotFound)
	if err != nil {
		return err
	}
	target := domain.LinkTarget(c.Param("link_type"))
	targetID, err := pathID(c, "link_id", errEvidenceNotFound)
	if err != nil || !target.Valid() {
		return domain.Errorf(domain.ErrNotFound, "no such link").De("Diese Verknüpfung gibt es nicht.")
	}
	if err := u.run(c, func(tx *postgres.Tx) error {
		return tx.UnlinkEvidence(c.Request.Context(), id, target, targetID, route.Visibility(c))
	}); err != nil {
		return err
	}
	return u.redirect(c, evidenceURL(id)+"#links-h", "Die Verknüpfung ist entfernt.")
}

// downloadEvidence streams a version's file, exactly as the API does.
func (u *UI) downloadEvidence(c *gin.Context) error {
	return transfer.SendEvidence(c, u.DB, u.AuditReads)
}

// entryEvidence is the evidence that proves a check entry, on its page.
type entryEvidence struct {
	Items     []evidenceView
	More      bool   // more than the page lists
	ListURL   string // all of them in the scope's list
	UploadURL string // the upload form that links the new item to the entry; "" for readers
}

// maxEntryEvidence bounds the evidence an entry's page lists.
const maxEntryEvidence = 20

// entryEvidenceOf lists the evidence linked to a check entry as the reader
// may see it, with the way to upload more.
func (u *UI) entryEvidenceOf(c *gin.Context, e domain.CheckEntry) (entryEvidence, error) {
	var d entryEvidence
	vis := u.visibilityOf(c, evidenceRead)
	if !vis.All && len(vis.Departments) == 0 {
		return d, nil
	}
	q := url.Values{"target": {string(domain.LinkCheckEntry)}, "target_id": {strconv.FormatInt(e.ID, 10)}}
	d.ListURL = listURL(evidenceListURL(e.ScopeID), q)
	if u.allowed(c, authz.ResourceEvidence, authz.ActionWrite) {
		d.UploadURL = d.ListURL + "#upload-h"
	}
	today := u.today()
	items, next, err := u.DB.ListEvidence(c.Request.Context(), e.ScopeID, domain.EvidenceFilter{Target: domain.LinkCheckEntry, TargetID: e.ID,
		Today: today, Limit: maxEntryEvidence}, vis)
	if err != nil {
		return d, err
	}
	for _, x := range items {
		d.Items = append(d.Items, newEvidenceView(x, today))
	}
	d.More = next != 0
	return d, nil
}
