package webui

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// guidelineRoutes are the scope's "Leitlinie" tab: the guideline in force
// and its draft with the approval by management, the versions, the
// policies of A.0 and the certificate.
func (u *UI) guidelineRoutes() []route.Route {
	read, write := authz.Require(authz.ResourceGuidelines, authz.ActionRead), authz.Require(authz.ResourceGuidelines, authz.ActionWrite)
	approve := authz.Require(authz.ResourceGuidelineApprovals, authz.ActionWrite)
	get, post := http.MethodGet, http.MethodPost
	return []route.Route{
		{Method: get, Path: "/scopes/:id/guideline", Perm: read, Handler: u.guidelinePage},
		{Method: post, Path: "/scopes/:id/guideline/draft", Perm: write, Handler: u.createGuidelineDraft},
		{Method: post, Path: "/guidelines/:id", Perm: write, Handler: u.updateGuidelineDraft},
		{Method: post, Path: "/guidelines/:id/delete", Perm: write, Handler: u.deleteGuidelineDraft},
		{Method: post, Path: "/guidelines/:id/approve", Perm: approve, Handler: u.approveGuideline},
		{Method: post, Path: "/scopes/:id/policies", Perm: write, Handler: u.createPolicy},
		{Method: post, Path: "/policies/:id", Perm: write, Handler: u.updatePolicy},
		{Method: post, Path: "/policies/:id/withdraw", Perm: write, Handler: u.withdrawPolicy},
		{Method: post, Path: "/scopes/:id/certificates", Perm: write, Handler: u.createCertificate},
		{Method: post, Path: "/certificates/:id", Perm: write, Handler: u.updateCertificate},
		{Method: post, Path: "/certificates/:id/delete", Perm: write, Handler: u.deleteCertificate},
	}
}

func guidelineURL(scopeID int64) string { return scopeURL(scopeID) + "/guideline" }

var (
	errGuidelineNotFound   = domain.Errorf(domain.ErrNotFound, "no such guideline").De("Diese Fassung der Leitlinie gibt es nicht.")
	errPolicyNotFound      = domain.Errorf(domain.ErrNotFound, "no such policy").De("Diese Richtlinie gibt es nicht.")
	errCertificateNotFound = domain.Errorf(domain.ErrNotFound, "no such certificate").De("Dieses Zertifikat gibt es nicht.")
)

// guidelineView is a version of the guideline ready to print.
type guidelineView struct {
	domain.Guideline
	Basis, Standard, Elevated, Approved, ReviewDue day
	Overdue, Intact                                bool
	CatalogTitle                                   string // of CatalogID
}

func newGuidelineView(g domain.Guideline, today time.Time) guidelineView {
	v := guidelineView{Guideline: g, Basis: day{g.BasisBy}, Standard: day{g.StandardBy}, Elevated: day{g.ElevatedBy}, Approved: day{g.ApprovedOn},
		Intact: g.HashIntact()}
	if due := g.ReviewDue(); !due.IsZero() {
		v.ReviewDue = day{&due}
		v.Overdue = g.State == domain.GuidelineApproved && g.ReviewOverdue(today)
	}
	return v
}

// guidelineInput is the draft form as typed: modules one per line, roles
// as rows of title and holder.
type guidelineInput struct {
	Title, ScopeStatement, Approach, BasisBy, StandardBy, ElevatedBy, ReviewMonths, EvidenceCoverage, Modules string
	Roles                                                                                                     []domain.GuidelineRole
	CatalogID                                                                                                 string // Grundschutz++
}

// roleRow is a row of the roles table: N counts from 0 like the
// pointers of refusals (/roles/0/title), Number from 1 for the labels.
type roleRow struct {
	domain.GuidelineRole
	N, Number int
}

// RoleRows are the role rows of the form: those typed and two empty ones
// to add more.
func (in guidelineInput) RoleRows() []roleRow {
	roles := append(append([]domain.GuidelineRole{}, in.Roles...), domain.GuidelineRole{}, domain.GuidelineRole{})
	rows := make([]roleRow, len(roles))
	for i, r := range roles {
		rows[i] = roleRow{GuidelineRole: r, N: i, Number: i + 1}
	}
	return rows
}

func inputOfGuideline(g domain.Guideline) guidelineInput {
	return guidelineInput{Title: g.Title, ScopeStatement: g.ScopeStatement, Approach: string(g.Approach), BasisBy: day{g.BasisBy}.ISO(),
		StandardBy: day{g.StandardBy}.ISO(), ElevatedBy: day{g.ElevatedBy}.ISO(), ReviewMonths: strconv.Itoa(g.ReviewMonths),
		EvidenceCoverage: strconv.Itoa(g.EvidenceCoverage), Modules: strings.Join(g.RequiredModules, "\n"), Roles: g.Roles,
		CatalogID: idText(g.CatalogID)}
}

// idText is an optional id as a form field holds it.
func idText(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}

// formNumber reads a whole number of a form; a refusal goes to vs.
func formNumber(typed, pointer, german string, vs *[]domain.Violation) int {
	n, err := strconv.Atoi(strings.TrimSpace(typed))
	if err != nil {
		*vs = append(*vs, domain.Violation{Pointer: pointer, Detail: "want a whole number", German: german})
	}
	return n
}

// formDate reads an optional date of a form; a refusal goes to vs.
func formDate(typed, pointer string, vs *[]domain.Violation) *time.Time {
	t, ok := parseDay(typed)
	if !ok {
		*vs = append(*vs, domain.Violation{Pointer: pointer, Detail: "want a date", German: "Bitte ein Datum angeben, z. B. 31.12.2026."})
	}
	return t
}

// guidelineFormOf reads the draft form as a change of every field; role
// rows left empty are dropped here already, so that a refused row keeps
// its number in the form.
func guidelineFormOf(c *gin.Context) (domain.GuidelineChange, guidelineInput, error) {
	in := guidelineInput{Title: c.PostForm("title"), ScopeStatement: c.PostForm("scope_statement"), Approach: c.PostForm("approach"),
		BasisBy: c.PostForm("basis_by"), StandardBy: c.PostForm("standard_by"), ElevatedBy: c.PostForm("elevated_by"),
		ReviewMonths: c.PostForm("review_months"), EvidenceCoverage: c.PostForm("evidence_coverage"), Modules: c.PostForm("required_modules"),
		Roles: []domain.GuidelineRole{}, CatalogID: c.PostForm("catalog_id")}
	titles, holders := c.PostFormArray("role_title"), c.PostFormArray("role_holder")
	for i := range titles {
		r := domain.GuidelineRole{Title: strings.TrimSpace(titles[i])}
		if i < len(holders) {
			r.Holder = strings.TrimSpace(holders[i])
		}
		if r.Title != "" || r.Holder != "" {
			in.Roles = append(in.Roles, r)
		}
	}
	var vs []domain.Violation
	approach := domain.Approach(in.Approach)
	months := formNumber(in.ReviewMonths, "/review_months", "Bitte den Überprüfungszyklus in Monaten angeben (1 bis 60).", &vs)
	coverage := formNumber(in.EvidenceCoverage, "/evidence_coverage", "Bitte die Nachweisquote in Prozent angeben (0 bis 100).", &vs)
	basis, standard, elevated := formDate(in.BasisBy, "/basis_by", &vs), formDate(in.StandardBy, "/standard_by", &vs),
		formDate(in.ElevatedBy, "/elevated_by", &vs)
	modules := strings.Fields(strings.ReplaceAll(in.Modules, ",", " "))
	roles := in.Roles
	var catalogID *int64
	if strings.TrimSpace(in.CatalogID) != "" {
		id := int64(formNumber(in.CatalogID, "/catalog_id", "Bitte den Katalog wählen.", &vs))
		catalogID = &id
	}
	ch := domain.GuidelineChange{Title: &in.Title, ScopeStatement: &in.ScopeStatement, Approach: &approach, BasisBy: &basis,
		StandardBy: &standard, ElevatedBy: &elevated, ReviewMonths: &months, EvidenceCoverage: &coverage, RequiredModules: &modules, Roles: &roles,
		CatalogID: &catalogID}
	if len(vs) > 0 {
		return ch, in, domain.Invalid(vs...)
	}
	return ch, in, nil
}

// oneModuleField gathers the refusals of single modules
// (/required_modules/2) at the list's one field, each message kept.
func oneModuleField(err error) error {
	var de *domain.Error
	if !errors.As(err, &de) {
		return err
	}
	var kept []domain.Violation
	var modules []string
	for _, v := range de.Violations {
		if strings.HasPrefix(v.Pointer, "/required_modules/") {
			modules = append(modules, v.German)
			continue
		}
		kept = append(kept, v)
	}
	if len(modules) > 0 {
		kept = append(kept, domain.Violation{Pointer: "/required_modules", Detail: "unknown modules", German: strings.Join(modules, " ")})
		de.Violations = kept
	}
	return err
}

// policyView is a policy of A.0 with its form's values.
type policyView struct {
	domain.Policy
	Approved, NextReview day
	Overdue              bool
	In                   policyInput
}

// policyInput is the policy form as typed.
type policyInput struct {
	Title, Evidence, VersionLabel, ApprovedBy, ApprovedOn, ReviewMonths string
}

func newPolicyView(p domain.Policy, today time.Time) policyView {
	next := p.NextReview()
	return policyView{Policy: p, Approved: day{&p.ApprovedOn}, NextReview: day{&next}, Overdue: p.ReviewOverdue(today),
		In: policyInput{Title: p.Title, Evidence: strconv.FormatInt(p.EvidenceID, 10), VersionLabel: p.VersionLabel, ApprovedBy: p.ApprovedBy,
			ApprovedOn: day{&p.ApprovedOn}.ISO(), ReviewMonths: strconv.Itoa(p.ReviewMonths)}}
}

func policyFormOf(c *gin.Context) (domain.PolicyInput, policyInput, error) {
	in := policyInput{Title: c.PostForm("title"), Evidence: c.PostForm("evidence_id"), VersionLabel: c.PostForm("version_label"),
		ApprovedBy: c.PostForm("approved_by"), ApprovedOn: c.PostForm("approved_on"), ReviewMonths: c.PostForm("review_months")}
	out := domain.PolicyInput{Title: in.Title, VersionLabel: in.VersionLabel, ApprovedBy: in.ApprovedBy}
	var vs []domain.Violation
	out.EvidenceID, _ = strconv.ParseInt(in.Evidence, 10, 64) // none chosen: the store's refusal
	out.ReviewMonths = formNumber(in.ReviewMonths, "/review_months", "Bitte den Überprüfungszyklus in Monaten angeben (1 bis 60).", &vs)
	if on := formDate(in.ApprovedOn, "/approved_on", &vs); on != nil {
		out.ApprovedOn = *on
	}
	if len(vs) > 0 {
		return out, in, domain.Invalid(vs...)
	}
	return out, in, nil
}

// certificateView is a certificate with its form's values.
type certificateView struct {
	domain.Certificate
	Issued, Until day
	Expired       bool
	In            certificateInput
}

// certificateInput is the certificate form as typed.
type certificateInput struct{ Number, IssuedOn, ValidUntil string }

func newCertificateView(cert domain.Certificate, today time.Time) certificateView {
	return certificateView{Certificate: cert, Issued: day{&cert.IssuedOn}, Until: day{&cert.ValidUntil}, Expired: cert.Expired(today),
		In: certificateInput{Number: cert.Number, IssuedOn: day{&cert.IssuedOn}.ISO(), ValidUntil: day{&cert.ValidUntil}.ISO()}}
}

// certificateFormOf reads the certificate form; an empty end of validity
// means three years.
func certificateFormOf(c *gin.Context) (domain.CertificateInput, certificateInput, error) {
	in := certificateInput{Number: c.PostForm("number"), IssuedOn: c.PostForm("issued_on"), ValidUntil: c.PostForm("valid_until")}
	out := domain.CertificateInput{Number: in.Number}
	var vs []domain.Violation
	if issued := formDate(in.IssuedOn, "/issued_on", &vs); issued != nil {
		out.IssuedOn = *issued
	}
	out.ValidUntil = formDate(in.ValidUntil, "/valid_until", &vs)
	if len(vs) > 0 {
		return out, in, domain.Invalid(vs...)
	}
	return out, in, nil
}

type guidelinePage struct {
	Scope        scopeView
	Tab          string
	InForce      *guidelineView
	Draft        *guidelineView
	Versions     []guidelineView
	Policies     []policyView
	Evidence     []domain.Evidence // the choices of the policy forms
	Certificate  *certificateView  // the latest
	Certificates []certificateView
	Approaches   []domain.Approach
	Catalogs     []postgres.CatalogSummary // Grundschutz++: what the guideline may name
	CanWrite     bool
	CanApprove   bool
	In           guidelineInput // the draft form
	Signing      signing        // the approval form's signature
	NewPolicy    policyInput
	NewCert      certificateInput
	formsState   // forms: create, draft, delete, approve, policy-new, policy-<id>, cert-new, cert-<id>
}

// catalogTitle names the catalog a guideline names, among those offered.
func (d guidelinePage) catalogTitle(id *int64) string {
	if id == nil {
		return ""
	}
	for _, c := range d.Catalogs {
		if c.ID == *id {
			return c.Title
		}
	}
	return "Katalog " + strconv.FormatInt(*id, 10)
}

// ApprovalSigning is the approval form's signature with the refusal of
// its password, if any.
func (d guidelinePage) ApprovalSigning() signing {
	sig := d.Signing
	sig.Error = d.FieldError("approve", "password")
	return sig
}

// subForm is one of the page's policy or certificate forms: its fields'
// ids start with Prefix, In holds its values, Error its refusals.
type subForm[T any] struct {
	Prefix   string
	In       T
	Evidence []domain.Evidence // the choices of a policy form
	form     string
	state    formsState
}

// Error is the refusal of a field of this form, if it was the one refused.
func (f subForm[T]) Error(field string) string { return f.state.FieldError(f.form, field) }

// PolicyForm is the policy form named form, for the template.
func (d guidelinePage) PolicyForm(form, prefix string, in policyInput) subForm[policyInput] {
	return subForm[policyInput]{Prefix: prefix, In: in, Evidence: d.Evidence, form: form, state: d.formsState}
}

// CertificateForm is the certificate form named form, for the template.
func (d guidelinePage) CertificateForm(form, prefix string, in certificateInput) subForm[certificateInput] {
	return subForm[certificateInput]{Prefix: prefix, In: in, form: form, state: d.formsState}
}

func (u *UI) guidelineData(c *gin.Context, scope postgres.ScopeSummary) (guidelinePage, error) {
	ctx, today := c.Request.Context(), u.today()
	d := guidelinePage{Scope: newScopeView(scope), Tab: "guideline", Approaches: domain.Approaches,
		CanWrite: u.allowed(c, authz.ResourceGuidelines, authz.ActionWrite), CanApprove: u.allowed(c, authz.ResourceGuidelineApprovals, authz.ActionWrite),
		Signing: u.signing(c, "ap-pw"), NewPolicy: policyInput{ReviewMonths: "12"}}
	if scope.Method == domain.MethodPlusPlus {
		cs, err := u.DB.ListCatalogs(ctx)
		if err != nil {
			return d, err
		}
		for _, c := range cs {
			if c.Method == domain.MethodPlusPlus {
				d.Catalogs = append(d.Catalogs, c)
			}
		}
	}
	gs, err := u.DB.ListGuidelines(ctx, scope.ID)
	if err != nil {
		return d, err
	}
	for _, g := range gs {
		v := newGuidelineView(g, today)
		v.CatalogTitle = d.catalogTitle(g.CatalogID)
		d.Versions = append(d.Versions, v)
		switch g.State {
		case domain.GuidelineApproved:
			d.InForce = &v
		case domain.GuidelineDraft:
			d.Draft = &v
			d.In = inputOfGuideline(g)
		}
	}
	ps, err := u.DB.ListPolicies(ctx, scope.ID, false)
	if err != nil {
		return d, err
	}
	for _, p := range ps {
		d.Policies = append(d.Policies, newPolicyView(p, today))
	}
	cs, err := u.DB.ListCertificates(ctx, scope.ID)
	if err != nil {
		return d, err
	}
	for _, cert := range cs {
		d.Certificates = append(d.Certificates, newCertificateView(cert, today))
	}
	if len(d.Certificates) > 0 {
		d.Certificate = &d.Certificates[0]
	}
	if d.CanWrite {
		vis := u.visibilityOf(c, authz.Require(authz.ResourceEvidence, authz.ActionRead))
		if d.Evidence, _, err = u.DB.ListEvidence(ctx, scope.ID, domain.EvidenceFilter{Limit: 1000}, vis); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (u *UI) guidelinePage(c *gin.Context) error {
	return showPage(u, c, "guideline", u.scopeOfPath, u.guidelineData, scopeTitle("Leitlinie"))
}

// guidelineFormFailed shows the tab again, as it is now, with the refusal
// of one of its forms; edit puts back what was typed. After a stale form
// (412) the typed values stay too, with the current version: saving again
// replaces what someone else saved, knowingly.
func (u *UI) guidelineFormFailed(c *gin.Context, scopeID int64, form string, err error, edit func(*guidelinePage)) error {
	if !isInputError(err) {
		return err
	}
	scope, serr := u.DB.Scope(c.Request.Context(), scopeID)
	if serr != nil {
		return serr
	}
	d, derr := u.guidelineData(c, scope)
	if derr != nil {
		return derr
	}
	d.refuse(form, err)
	if errors.Is(err, domain.ErrPreconditionFailed) {
		d.Errors.Summary = "Nicht gespeichert: Inzwischen hat jemand anderes hier gespeichert; die Seite zeigt jetzt den aktuellen Stand. " +
			"Ihre Eingaben stehen noch im Formular – prüfen Sie sie und speichern Sie erneut, um den Stand zu ersetzen."
	}
	if edit != nil {
		edit(&d)
	}
	return u.render(c, statusOf(err), "guideline", "Leitlinie · "+scope.Name, d)
}

// guidelineOfPath is the guideline version named by the path.
func (u *UI) guidelineOfPath(c *gin.Context) (domain.Guideline, error) {
	return recordOfPath(c, errGuidelineNotFound, u.DB.GuidelineByID)
}

// createGuidelineDraft starts the next version from the one in force, or
// from what a first guideline usually says: the scope's approach, a
// yearly review, ISMS.1 and an ISB to appoint.
func (u *UI) createGuidelineDraft(c *gin.Context) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	in := domain.GuidelineInput{Title: "Leitlinie zur Informationssicherheit", Approach: scope.Approach, ReviewMonths: 12, EvidenceCoverage: 80,
		RequiredModules: []string{domain.ScopeWideModule}, Roles: []domain.GuidelineRole{{Title: "Informationssicherheitsbeauftragte/r", Holder: scope.ISBName}}}
	if scope.Method == domain.MethodPlusPlus {
		in.CatalogID = &scope.CatalogID // the package the scope is measured against
	}
	from := "Er enthält übliche Vorgaben; passen Sie sie an."
	inForce, err := u.DB.GuidelineInForce(c.Request.Context(), scope.ID)
	switch {
	case err == nil:
		in = inForce.Input()
		from = fmt.Sprintf("Er übernimmt den Inhalt der geltenden Fassung %d.", inForce.Number)
	case !errors.Is(err, domain.ErrNotFound):
		return err
	}
	g, err := inTx(u, c, func(tx *postgres.Tx) (domain.Guideline, error) {
		return tx.CreateGuidelineDraft(c.Request.Context(), scope.ID, in)
	})
	if err != nil {
		return u.guidelineFormFailed(c, scope.ID, "create", err, nil)
	}
	return u.redirect(c, guidelineURL(scope.ID)+"#draft-h", fmt.Sprintf("Der Entwurf der Fassung %d ist angelegt. %s", g.Number, from))
}

func (u *UI) updateGuidelineDraft(c *gin.Context) error {
	g, err := u.guidelineOfPath(c)
	if err != nil {
		return err
	}
	ch, typed, err := guidelineFormOf(c)
	if err == nil {
		g, err = inTx(u, c, func(tx *postgres.Tx) (domain.Guideline, error) {
			return tx.UpdateGuidelineDraft(c.Request.Context(), g.ID, formVersion(c), ch)
		})
	}
	if err != nil {
		return u.guidelineFormFailed(c, g.ScopeID, "draft", oneModuleField(err), func(d *guidelinePage) { d.In = typed })
	}
	return u.redirect(c, guidelineURL(g.ScopeID)+"#draft-h", "Der Entwurf ist gespeichert.")
}

func (u *UI) deleteGuidelineDraft(c *gin.Context) error {
	g, err := u.guidelineOfPath(c)
	if err != nil {
		return err
	}
	if err := u.run(c, func(tx *postgres.Tx) error { return tx.DeleteGuidelineDraft(c.Request.Context(), g.ID, formVersion(c)) }); err != nil {
		return u.guidelineFormFailed(c, g.ScopeID, "delete", err, nil)
	}
	return u.redirect(c, guidelineURL(g.ScopeID), fmt.Sprintf("Der Entwurf der Fassung %d ist gelöscht.", g.Number))
}

func (u *UI) approveGuideline(c *gin.Context) error {
	g, err := u.guidelineOfPath(c)
	if err != nil {
		return err
	}
	sig, today, err := u.sign(c)
	if err == nil {
		g, err = inTx(u, c, func(tx *postgres.Tx) (domain.Guideline, error) {
			return tx.ApproveGuideline(c.Request.Context(), g.ID, formVersion(c), sig, today)
		})
	}
	if err != nil {
		return u.guidelineFormFailed(c, g.ScopeID, "approve", err, nil)
	}
	return u.redirect(c, guidelineURL(g.ScopeID), fmt.Sprintf("Die Fassung %d der Leitlinie ist freigegeben und in Kraft.", g.Number))
}

func (u *UI) createPolicy(c *gin.Context) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	in, typed, err := policyFormOf(c)
	var p domain.Policy
	if err == nil {
		p, err = inTx(u, c, func(tx *postgres.Tx) (domain.Policy, error) {
			return tx.CreatePolicy(c.Request.Context(), scope.ID, in, route.Visibility(c))
		})
	}
	if err != nil {
		return u.guidelineFormFailed(c, scope.ID, "policy-new", err, func(d *guidelinePage) { d.NewPolicy = typed })
	}
	return u.redirect(c, guidelineURL(scope.ID)+"#policies-h", "Die Richtlinie „"+p.Title+"“ steht jetzt in A.0.")
}

func (u *UI) policyOfPath(c *gin.Context) (domain.Policy, error) {
	return recordOfPath(c, errPolicyNotFound, u.DB.PolicyByID)
}

func (u *UI) updatePolicy(c *gin.Context) error {
	p, err := u.policyOfPath(c)
	if err != nil {
		return err
	}
	in, typed, err := policyFormOf(c)
	if err == nil {
		ch := domain.PolicyChange{Title: &in.Title, EvidenceID: &in.EvidenceID, VersionLabel: &in.VersionLabel, ApprovedBy: &in.ApprovedBy,
			ApprovedOn: &in.ApprovedOn, ReviewMonths: &in.ReviewMonths}
		p, err = inTx(u, c, func(tx *postgres.Tx) (domain.Policy, error) {
			return tx.UpdatePolicy(c.Request.Context(), p.ID, formVersion(c), ch, route.Visibility(c))
		})
	}
	if err != nil {
		return u.guidelineFormFailed(c, p.ScopeID, fmt.Sprintf("policy-%d", p.ID), err, func(d *guidelinePage) {
			for i := range d.Policies {
				if d.Policies[i].ID == p.ID {
					d.Policies[i].In = typed
				}
			}
		})
	}
	return u.redirect(c, guidelineURL(p.ScopeID)+fmt.Sprintf("#policy-%d", p.ID), "Die Richtlinie „"+p.Title+"“ ist gespeichert.")
}

func (u *UI) withdrawPolicy(c *gin.Context) error {
	p, err := u.policyOfPath(c)
	if err != nil {
		return err
	}
	if err := u.run(c, func(tx *postgres.Tx) error {
		_, err := tx.WithdrawPolicy(c.Request.Context(), p.ID, formVersion(c))
		return err
	}); err != nil {
		return u.guidelineFormFailed(c, p.ScopeID, fmt.Sprintf("policy-%d", p.ID), err, nil)
	}
	return u.redirect(c, guidelineURL(p.ScopeID)+"#policies-h", "Die Richtlinie „"+p.Title+"“ ist zurückgezogen.")
}

func (u *UI) createCertificate(c *gin.Context) error {
	scope, err := u.scopeOfPath(c)
	if err != nil {
		return err
	}
	in, typed, err := certificateFormOf(c)
	var cert domain.Certificate
	if err == nil {
		cert, err = inTx(u, c, func(tx *postgres.Tx) (domain.Certificate, error) {
			return tx.CreateCertificate(c.Request.Context(), scope.ID, in)
		})
	}
	if err != nil {
		return u.guidelineFormFailed(c, scope.ID, "cert-new", err, func(d *guidelinePage) { d.NewCert = typed })
	}
	return u.redirect(c, guidelineURL(scope.ID)+"#certificate-h", fmt.Sprintf("Das Zertifikat %s ist erfasst, gültig bis %s.",
		cert.Number, day{&cert.ValidUntil}))
}

func (u *UI) certificateOfPath(c *gin.Context) (domain.Certificate, error) {
	return recordOfPath(c, errCertificateNotFound, u.DB.CertificateByID)
}

func (u *UI) updateCertificate(c *gin.Context) error {
	cert, err := u.certificateOfPath(c)
	if err != nil {
		return err
	}
	in, typed, err := certificateFormOf(c)
	if err == nil {
		ch := domain.CertificateChange{Number: &in.Number, IssuedOn: &in.IssuedOn, ValidUntil: in.ValidUntil}
		if in.ValidUntil == nil { // emptied: three years again
			until := in.IssuedOn.AddDate(domain.CertificateYears, 0, 0)
			ch.ValidUntil = &until
		}
		cert, err = inTx(u, c, func(tx *postgres.Tx) (domain.Certificate, error) {
			return tx.UpdateCertificate(c.Request.Context(), cert.ID, formVersion(c), ch)
		})
	}
	if err != nil {
		return u.guidelineFormFailed(c, cert.ScopeID, fmt.Sprintf("cert-%d", cert.ID), err, func(d *guidelinePage) {
			for i := range d.Certificates {
				if d.Certificates[i].ID == cert.ID {
					d.Certificates[i].In = typed
				}
			}
		})
	}
	return u.redirect(c, guidelineURL(cert.ScopeID)+"#certificate-h", "Das Zertifikat "+cert.Number+" ist gespeichert.")
}

func (u *UI) deleteCertificate(c *gin.Context) error {
	cert, err := u.certificateOfPath(c)
	if err != nil {
		return err
	}
	if err := u.run(c, func(tx *postgres.Tx) error { return tx.DeleteCertificate(c.Request.Context(), cert.ID, formVersion(c)) }); err != nil {
		return u.guidelineFormFailed(c, cert.ScopeID, fmt.Sprintf("cert-%d", cert.ID), err, nil)
	}
	return u.redirect(c, guidelineURL(cert.ScopeID)+"#certificate-h", "Das Zertifikat "+cert.Number+" ist gelöscht.")
}

// ShortHash is the start of the approval hash, for lists.
func (v guidelineView) ShortHash() string {
	if len(v.ApprovedHash) < 12 {
		return v.ApprovedHash
	}
	return v.ApprovedHash[:12]
}
