package demo

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"ismsd/internal/account"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var ctx = context.Background()

var actor = domain.Actor{Name: "demo-test"}

// The figures the demo data is built to give.
const (
	wantDepartments  = 11
	wantObjects      = 45 // 44 single objects and the group of site routers
	wantDependencies = 85
	wantAssignments  = 52
	wantGaps         = 3 // mail gateway, test system, network operations centre
	wantEvidence     = 16
	wantAudits       = 3 // the completed internal and recertification audits, the surveillance audit in progress
	wantFindings     = 3 // a closed minor one, the open minor one and a recommendation
	wantGuidelines   = 3 // version 1 superseded, version 2 in force, version 3 in draft
	wantPolicies     = 5
)

// wantReviews is the review state of the demo evidence's newest versions.
var wantReviews = map[domain.ReviewState]int{domain.ReviewAccepted: 9, domain.ReviewSubmitted: 5, domain.ReviewRejected: 1,
	domain.ReviewNeedsInfo: 1}

func setup(t *testing.T) (*postgres.DB, *account.Service) {
	t.Helper()
	db, _ := pgtest.Open(t)
	acc, err := account.New(db, account.DefaultConfig, nil)
	if err != nil {
		t.Fatal(err)
	}
	return db, acc
}

// seeded is a fresh database with the demo seeded, its accounts' service
// and what the demo reported.
func seeded(t *testing.T) (*postgres.DB, *account.Service, Result) {
	t.Helper()
	db, acc := setup(t)
	res, err := Seed(ctx, db, acc, actor)
	if err != nil {
		t.Fatal(err)
	}
	return db, acc, res
}

// scopeModules lists the modules on the scope object of the scope.
func scopeModules(t *testing.T, db *postgres.DB, scopeID int64) []postgres.AssignedModule {
	t.Helper()
	scope, err := db.ScopeByID(ctx, scopeID, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := db.ObjectModules(ctx, scope.ObjectID)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func allObjects(t *testing.T, db *postgres.DB, scopeID int64, vis postgres.Visibility) []domain.Object {
	t.Helper()
	objs, total, err := db.ListObjects(ctx, scopeID, domain.ObjectFilter{Limit: 500}, vis)
	if err != nil {
		t.Fatal(err)
	}
	if total != len(objs) {
		t.Fatalf("listed %d of %d objects", len(objs), total)
	}
	return objs
}

func byName(objs []domain.Object, name string) domain.Object {
	for _, o := range objs {
		if o.Name == name {
			return o
		}
	}
	return domain.Object{}
}

func lastAuditSeq(t *testing.T, db *postgres.DB) int64 {
	t.Helper()
	recs, _, err := db.ListAudit(ctx, domain.AuditFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 {
		return 0
	}
	return recs[0].Seq
}

func TestSeed(t *testing.T) {
	t.Parallel()
	db, acc, res := seeded(t)
	if !res.Seeded || res.ScopeID == 0 {
		t.Fatalf("not seeded: %+v", res)
	}
	if res.Departments != wantDepartments || res.Objects != wantObjects || res.Dependencies != wantDependencies || res.Assignments != wantAssignments {
		t.Errorf("counts: %d departments, %d objects, %d dependencies, %d assignments; want %d, %d, %d, %d",
			res.Departments, res.Objects, res.Dependencies, res.Assignments, wantDepartments, wantObjects, wantDependencies, wantAssignments)
	}

	// Structure.
	objs := allObjects(t, db, res.ScopeID, postgres.Everything)
	if len(objs) != wantObjects {
		t.Fatalf("%d objects, want %d", len(objs), wantObjects)
	}
	groups, untypical, noModule := 0, 0, 0
	externalIDs := map[string]bool{}
	for _, o := range objs {
		if o.Group {
			groups++
			if o.Name != "Standortrouter (Dienststellen)" || o.Members != 670 {
				t.Errorf("group %q has %d members", o.Name, o.Members)
			}
		}
		if o.UntypicalEnvironment {
			untypical++
		}
		if o.NoSuitableModule {
			noModule++
		}
		if o.DepartmentID == nil || o.Responsible == "" || o.Location == "" || o.ExternalID == "" || !slices.Contains(o.Tags, Tag) {
			t.Errorf("%s %s lacks department, responsible, location, external ID or tag", o.ShortID, o.Name)
		}
		externalIDs[o.ExternalID] = true
	}
	if groups != 1 || untypical != 1 || noModule != 1 {
		t.Errorf("%d groups, %d untypical, %d without suitable module; want 1 each", groups, untypical, noModule)
	}
	if len(externalIDs) != wantObjects {
		t.Errorf("%d distinct external IDs", len(externalIDs))
	}

	// Protection needs: complete except for the deliberate test system.
	for _, o := range objs {
		for _, obj := range domain.Objectives {
			n := o.Needs[obj]
			if o.Name == "Testsystem (Demo)" {
				if n.Effective != domain.NeedUnknown {
					t.Errorf("the test system has %s %s, want undetermined", obj.Label(), n.Effective.Label())
				}
				continue
			}
			if n.Effective == domain.NeedUnknown {
				t.Errorf("%s %s: %s undetermined", o.ShortID, o.Name, obj.Label())
			}
			if o.Type == domain.ObjectProcess {
				if n.Source != domain.SourceOwn || n.OwnReason == "" {
					t.Errorf("process %s: %s is %q without own justification", o.Name, obj.Label(), n.Source)
				}
			} else if n.Own != domain.NeedUnknown {
				t.Errorf("%s has an own assessment; only processes should", o.Name)
			}
		}
	}
	wan := byName(objs, "WAN-Transportdienst (CNFT)")
	if wan.Needs[domain.Availability].Effective != domain.NeedVeryHigh {
		t.Errorf("WAN transport availability %s, want sehr hoch", wan.Needs[domain.Availability].Effective.Label())
	}
	if core := byName(objs, "Core-MPLS-Router Erfurt 1"); core.Needs[domain.Availability].Effective != domain.NeedVeryHigh ||
		core.Needs[domain.Availability].Source != domain.SourceInherited || core.Needs[domain.Availability].InheritedFrom != wan.ID {
		t.Errorf("core router availability %+v, want sehr hoch inherited from the WAN transport", core.Needs[domain.Availability])
	}
	sites := byName(objs, "Standortrouter (Dienststellen)").Needs[domain.Availability]
	if sites.Source != domain.SourceOverride || sites.OverrideKind != domain.OverrideCumulation ||
		sites.Inherited != domain.NeedNormal || sites.Effective != domain.NeedHigh || sites.OverrideReason == "" {
		t.Errorf("site routers availability %+v, want normal raised to hoch by cumulation", sites)
	}
	room := byName(objs, "Technikraum Kultusministerium").Needs[domain.Availability]
	if room.Source != domain.SourceOverride || room.OverrideKind != domain.OverrideDistribution ||
		room.Inherited != domain.NeedHigh || room.Effective != domain.NeedNormal || room.OverrideReason == "" {
		t.Errorf("technical room availability %+v, want hoch lowered to normal by distribution", room)
	}

	// Modelling.
	rows, err := db.Modelling(ctx, res.ScopeID, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 15 {
		t.Errorf("%d modules assigned, want all 15 of the demo catalog", len(rows))
	}
	var ids []string
	for _, m := range scopeModules(t, db, res.ScopeID) {
		ids = append(ids, m.ModuleID)
	}
	if !slices.Equal(ids, []string{"ISMS.1", "ORP.4", "CON.3", "OPS.1.1.3", "DER.2.1"}) {
		t.Errorf("scope modules %v", ids)
	}
	gaps, _, err := db.ListObjects(ctx, res.ScopeID, domain.ObjectFilter{GapsOnly: true, Limit: 500}, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	if len(gaps) != wantGaps {
		t.Errorf("%d modelling gaps, want %d", len(gaps), wantGaps)
	}
	scope, err := db.ScopeByID(ctx, res.ScopeID, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	if scope.Objects != wantObjects || scope.Gaps != wantGaps || scope.Undetermined != 1 || scope.Cycles != 0 ||
		scope.Approach != domain.ApproachStandard || scope.ISBName != "ISB Landesdatennetz (Demo)" {
		t.Errorf("scope summary %+v", scope)
	}

	// Accounts.
	if len(res.Accounts) != len(users) {
		t.Fatalf("%d accounts, want %d", len(res.Accounts), len(users))
	}
	for _, a := range res.Accounts {
		if a.Password == "" || a.Role == "" {
			t.Errorf("account %+v lacks password or role", a)
		}
		u, err := db.UserByUsername(ctx, a.Username)
		if err != nil {
			t.Fatal(err)
		}
		if !u.MustChangePassword {
			t.Errorf("%s need not change the password", a.Username)
		}
	}
	if _, err := acc.Login(ctx, actor, account.LoginInput{Username: "demo-isb", Password: res.Accounts[1].Password, UserAgent: "test"}); err != nil {
		t.Errorf("log in with the generated password: %v", err)
	}

	// The department head sees only the TLRZ subtree.
	head, err := db.UserByUsername(ctx, "demo-abteilung")
	if err != nil {
		t.Fatal(err)
	}
	grants, err := db.GrantsOf(ctx, head.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(grants) != 1 || grants[0].Role != domain.RoleDepartmentHead || grants[0].DepartmentName != "Landesrechenzentrum TLRZ" {
		t.Fatalf("department head grants %+v", grants)
	}
	depts, err := db.ListDepartments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tlrz := map[int64]bool{*grants[0].DepartmentID: true}
	for changed := true; changed; {
		changed = false
		for _, d := range depts {
			if d.ParentID != nil && tlrz[*d.ParentID] && !tlrz[d.ID] {
				tlrz[d.ID], changed = true, true
			}
		}
	}
	wantVisible := 0
	for _, o := range objs {
		if tlrz[*o.DepartmentID] {
			wantVisible++
		}
	}
	visible := allObjects(t, db, res.ScopeID, postgres.Visibility{Departments: []int64{*grants[0].DepartmentID}})
	if len(visible) != wantVisible || wantVisible == 0 || wantVisible == len(objs) {
		t.Errorf("the department head sees %d objects, want %d of %d", len(visible), wantVisible, len(objs))
	}
	for _, o := range visible {
		if !tlrz[*o.DepartmentID] {
			t.Errorf("the department head sees %s of %s", o.Name, o.DepartmentName)
		}
	}

	if n, err := db.VerifyAudit(ctx); err != nil || n == 0 {
		t.Errorf("audit chain: %d records, %v", n, err)
	}
	seededResults(t, db, res.ScopeID, objs)
	seededEvidence(t, db, res)
	seededAudits(t, db, res)
	seededGuideline(t, db, res)
}

// seededResults checks that the demo's check tells a story: results
// everywhere, the data centre far ahead of the ministries' own sites,
// measures with budgets and some overdue, reviews overdue, one accepted
// and one unfinished risk analysis.
func seededResults(t *testing.T, db *postgres.DB, scopeID int64, objs []domain.Object) {
	t.Helper()
	counts, err := db.CountEntries(ctx, scopeID, domain.EntryFilter{}, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if total < 300 || counts[domain.StatusYes] < total/2 || counts[domain.StatusOpen] == 0 || counts[domain.StatusNo] == 0 ||
		counts[domain.StatusPartial] == 0 || counts[domain.StatusNotApplicable] == 0 {
		t.Errorf("check results %v", counts)
	}
	share := func(code string) float64 {
		var dept int64
		for _, o := range objs {
			if o.DepartmentID != nil && o.DepartmentName == departmentName(code) {
				dept = *o.DepartmentID
			}
		}
		c, err := db.CountEntries(ctx, scopeID, domain.EntryFilter{DepartmentID: dept}, postgres.Everything)
		if err != nil || dept == 0 {
			t.Fatalf("department %s: %v", code, err)
		}
		all := 0
		for _, n := range c {
			all += n
		}
		return float64(c[domain.StatusYes]) / float64(all)
	}
	if rz, kultus := share("TLRZ-RZ"), share("TMBJS"); rz < 0.85 || kultus > 0.6 {
		t.Errorf("fulfilled: data centre %.2f, Kultusministerium %.2f", rz, kultus)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	late, _, err := db.ListEntries(ctx, scopeID, domain.EntryFilter{ReviewOverdue: true, Today: today, Limit: 1000}, postgres.Everything)
	if err != nil || len(late) == 0 {
		t.Errorf("overdue reviews: %d, %v", len(late), err)
	}
	items, _, err := db.ListPlanItems(ctx, scopeID, domain.PlanFilter{Limit: 1000}, postgres.Everything)
	if err != nil || len(items) != counts[domain.StatusPartial]+counts[domain.StatusNo] {
		t.Fatalf("%d measures for %d partial and unfulfilled entries, %v", len(items), counts[domain.StatusPartial]+counts[domain.StatusNo], err)
	}
	overdue := 0
	for _, p := range items {
		if p.BudgetCents == nil || p.Owner == "" || p.DueDate == nil {
			t.Errorf("measure %s %s lacks budget, owner or due date", p.ObjectShortID, p.RequirementID)
		}
		if p.Overdue(today) {
			overdue++
		}
	}
	if overdue == 0 || overdue > len(items)/3 {
		t.Errorf("%d of %d measures overdue", overdue, len(items))
	}
	risks, err := db.RiskOverview(ctx, scopeID, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	states := map[domain.RiskState]int{}
	for _, r := range risks {
		states[r.State]++
	}
	if states[domain.RiskStateAccepted] != 1 || states[domain.RiskStateInProgress] != 1 || states[domain.RiskStateNone] == 0 {
		t.Errorf("risk analyses by state %v", states)
	}
	// The acceptance is signed by the demo management account.
	leitung, err := db.UserByUsername(ctx, managementUser)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range risks {
		if r.State != domain.RiskStateAccepted {
			continue
		}
		accs, err := db.RiskAcceptances(ctx, *r.AnalysisID)
		if err != nil || len(accs) != 1 || accs[0].UserID == nil || *accs[0].UserID != leitung.ID || accs[0].AcceptedBy != Approver {
			t.Errorf("acceptance %+v, %v", accs, err)
		}
	}
}

// seededEvidence checks the demo's evidence: the review states, expiry
// dates that put items on the ISB's desk, links, no self-review and a
// queue for the auditor.
func seededEvidence(t *testing.T, db *postgres.DB, res Result) {
	t.Helper()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	list := func(f domain.EvidenceFilter) []domain.Evidence {
		t.Helper()
		f.Today, f.Limit = today, 1000
		items, _, err := db.ListEvidence(ctx, res.ScopeID, f, postgres.Everything)
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	all := list(domain.EvidenceFilter{})
	if res.Evidence != wantEvidence || len(all) != wantEvidence {
		t.Fatalf("%d evidence items stored, %d reported; want %d", len(all), res.Evidence, wantEvidence)
	}
	states, expired, err := db.CountEvidence(ctx, res.ScopeID, domain.EvidenceFilter{Today: today}, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(states, wantReviews) || expired != 1 {
		t.Errorf("evidence by review state %v, %d expired; want %v, 1 expired", states, expired, wantReviews)
	}
	if n := len(list(domain.EvidenceFilter{ExpiringWithin: 30})); n != 2 {
		t.Errorf("%d items expire within 30 days, want 2", n)
	}
	if n := len(list(domain.EvidenceFilter{ExpiringWithin: 90})) - len(list(domain.EvidenceFilter{ExpiringWithin: 60})); n != 1 {
		t.Errorf("%d items expire in 60 to 90 days, want 1", n)
	}
	if n := len(list(domain.EvidenceFilter{Expired: true})); n != 1 {
		t.Errorf("%d items expired, want 1", n)
	}

	depts, uploaders, files := map[string]bool{}, map[string]int{}, 0
	targets := map[domain.LinkTarget]int{}
	for _, e := range all {
		depts[e.DepartmentName] = true
		if !slices.Contains(e.Tags, Tag) || e.DepartmentID == nil {
			t.Errorf("%q lacks the demo tag or a department", e.Title)
		}
		v := e.Current
		uploaders[v.UploadedBy]++
		if v.HasFile() {
			files++
		} else if v.Reference == "" {
			t.Errorf("%q has neither file nor reference", e.Title)
		}
		if v.EffectiveOn.After(today) {
			t.Errorf("%q takes effect on %s, in the future", e.Title, v.EffectiveOn.Format(time.DateOnly))
		}
		if v.State != domain.ReviewSubmitted && v.ReviewedBy != "demo-auditor" {
			t.Errorf("%q was reviewed by %q", e.Title, v.ReviewedBy)
		}
		thread, err := db.EvidenceThread(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range thread {
			if c.Decision != "" && (c.Author == v.UploadedBy || c.AuthorID == nil || v.UploadedByID == nil || *c.AuthorID == *v.UploadedByID) {
				t.Errorf("%q: %s decided %s on their own upload", e.Title, c.Author, c.Decision)
			}
			if c.Decision != "" && c.Decision != domain.ReviewAccepted && c.Body == "" {
				t.Errorf("%q: %s without a comment", e.Title, c.Decision)
			}
		}
		links, err := db.EvidenceLinks(ctx, e.ID, postgres.Everything)
		if err != nil {
			t.Fatal(err)
		}
		if len(links) == 0 {
			t.Errorf("%q proves nothing", e.Title)
		}
		for _, l := range links {
			targets[l.Target]++
		}
	}
	if len(depts) < 5 || uploaders["demo-isb"] < 10 || uploaders["demo-isb-tlrz"] != 2 || files < 5 || files > wantEvidence-4 {
		t.Errorf("%d departments, uploads %v, %d files", len(depts), uploaders, files)
	}
	if targets[domain.LinkCheckEntry] < 15 || targets[domain.LinkRiskAnalysis] != 1 || targets[domain.LinkPlanItem] != 1 ||
		targets[domain.LinkFinding] != 1 {
		t.Errorf("links by target %v", targets)
	}

	// The auditor has a queue; the ISB's holds only what the other ISB
	// uploaded, never their own.
	auditor, err := db.UserByUsername(ctx, "demo-auditor")
	if err != nil {
		t.Fatal(err)
	}
	if queue := list(domain.EvidenceFilter{ReviewQueue: true, ReviewerID: auditor.ID}); len(queue) != wantReviews[domain.ReviewSubmitted] {
		t.Errorf("the auditor's queue holds %d items, want %d", len(queue), wantReviews[domain.ReviewSubmitted])
	}
	isb, err := db.UserByUsername(ctx, "demo-isb")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list(domain.EvidenceFilter{ReviewQueue: true, ReviewerID: isb.ID}) {
		if e.Current.UploadedBy != "demo-isb-tlrz" {
			t.Errorf("the ISB's queue holds %q uploaded by %s", e.Title, e.Current.UploadedBy)
		}
	}
	// The question with an answer went back to the queue, the other waits.
	if n := len(list(domain.EvidenceFilter{State: domain.ReviewNeedsInfo, UploadedBy: isb.ID})); n != 1 {
		t.Errorf("the ISB has %d questions to answer, want 1", n)
	}
}

// seededAudits checks the demo's audits: a completed internal one with
// its finding closed, a surveillance audit in progress with a drawn and a
// picked sample, some results and exactly one open minor finding.
func seededAudits(t *testing.T, db *postgres.DB, res Result) {
	t.Helper()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	audits, err := db.ListAudits(ctx, res.ScopeID)
	if err != nil {
		t.Fatal(err)
	}
	if len(audits) != wantAudits || res.Audits != wantAudits {
		t.Fatalf("%d audits stored, %d reported; want %d", len(audits), res.Audits, wantAudits)
	}
	kinds := map[domain.AuditKind]domain.Audit{}
	for _, a := range audits {
		kinds[a.Kind] = a
	}
	internal, surveillance := kinds[domain.AuditInternal], kinds[domain.AuditSurveillance1]
	recert := kinds[domain.AuditRecertification]
	if recert.State != domain.AuditCompleted || !recert.EndsOn.Before(certificateIssued(today)) || recert.OpenFindings != 0 ||
		recert.Samples != 3 || recert.Assessed != 3 || recert.Title != fmt.Sprintf("Re-Zertifizierungsaudit %d (Demo)", certificateIssued(today).Year()) {
		t.Errorf("recertification audit %+v", recert)
	}
	if internal.State != domain.AuditCompleted || !internal.EndsOn.Before(today) || internal.OpenFindings != 0 || internal.Samples != internal.Assessed {
		t.Errorf("internal audit %+v", internal)
	}
	if surveillance.State != domain.AuditInProgress || surveillance.StartsOn.After(today) || surveillance.EndsOn.Before(today) ||
		surveillance.Assessed < 2 || surveillance.Assessed >= surveillance.Samples || surveillance.OpenFindings != 2 ||
		!slices.Contains(surveillance.Auditors, "demo-auditor") {
		t.Errorf("surveillance audit %+v", surveillance)
	}
	items, err := db.SampleItems(ctx, surveillance.ID, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	drawn, picked := 0, 0
	for _, s := range items {
		if s.Seed != nil && *s.Seed == sampleSeed {
			drawn++
		} else if s.Seed == nil {
			picked++
		}
	}
	if drawn != 13 || picked != 1 {
		t.Errorf("%d items drawn with the seed, %d picked by hand", drawn, picked)
	}

	all, _, err := db.ListFindings(ctx, postgres.FindingFilter{ScopeID: res.ScopeID}, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != wantFindings || res.Findings != wantFindings {
		t.Errorf("%d findings stored, %d reported; want %d", len(all), res.Findings, wantFindings)
	}
	minor, _, err := db.ListFindings(ctx, postgres.FindingFilter{ScopeID: res.ScopeID, Class: domain.FindingMinor, OpenOnly: true}, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	if len(minor) != 1 {
		t.Fatalf("%d open minor findings, want 1", len(minor))
	}
	f := minor[0]
	if f.AuditID != surveillance.ID || f.DueDate == nil || !f.DueDate.After(today) || len(f.Links) == 0 || f.Pending() == nil ||
		f.Pending().SubmittedBy != "demo-isb" {
		t.Errorf("open minor finding %+v", f)
	}
	closed, _, err := db.ListFindings(ctx, postgres.FindingFilter{ScopeID: res.ScopeID, State: domain.FindingClosed}, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	if len(closed) != 1 || closed[0].AuditID != internal.ID || closed[0].ClosedBy != "demo-auditor" {
		t.Errorf("closed findings %+v", closed)
	}
}

// seededGuideline checks the guideline, the policies and the
// certificate: version 2 in force, approved by management with the
// approver's name and an intact hash, version 1 superseded, one draft,
// one vacant role, a required module the scope lacks; the policies with
// one overdue for review; the certificate of the last recertification
// valid today.
func seededGuideline(t *testing.T, db *postgres.DB, res Result) {
	t.Helper()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	day := func(tm *time.Time) string {
		if tm == nil {
			return "none"
		}
		return tm.Format(time.DateOnly)
	}
	versions, err := db.ListGuidelines(ctx, res.ScopeID)
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != wantGuidelines || res.Guidelines != wantGuidelines {
		t.Fatalf("%d guideline versions stored, %d reported; want %d", len(versions), res.Guidelines, wantGuidelines)
	}
	states := []domain.GuidelineState{domain.GuidelineDraft, domain.GuidelineApproved, domain.GuidelineSuperseded}
	for i, g := range versions {
		if g.Number != wantGuidelines-i || g.State != states[i] || g.Title != GuidelineTitle || g.CreatedBy != isbUser {
			t.Errorf("version %d: number %d, %s, %q by %s", i, g.Number, g.State, g.Title, g.CreatedBy)
		}
	}
	draft, inForce, old := versions[0], versions[1], versions[2]

	g, err := db.GuidelineInForce(ctx, res.ScopeID)
	if err != nil {
		t.Fatal(err)
	}
	leitung, err := db.UserByUsername(ctx, managementUser)
	if err != nil {
		t.Fatal(err)
	}
	if g.ID != inForce.ID || g.Number != 2 || g.ApprovedBy != Approver || g.ApprovedByID == nil || *g.ApprovedByID != leitung.ID ||
		len(g.ApprovedHash) != 64 || !g.HashIntact() || day(g.ApprovedOn) != today.AddDate(0, -3, 0).Format(time.DateOnly) {
		t.Errorf("in force: version %d approved by %q on %s, hash %q (intact %v)", g.Number, g.ApprovedBy, day(g.ApprovedOn),
			g.ApprovedHash, g.HashIntact())
	}
	if g.Approach != domain.ApproachStandard || g.ReviewMonths != 12 || g.ReviewOverdue(today) || g.EvidenceCoverage != 60 ||
		g.BasisBy == nil || g.StandardBy == nil || g.ElevatedBy == nil || !g.BasisBy.After(today) ||
		!g.StandardBy.After(*g.BasisBy) || !g.ElevatedBy.After(*g.StandardBy) {
		t.Errorf("in force: %s, review every %d months (overdue %v), coverage %d %%, targets %s / %s / %s", g.Approach,
			g.ReviewMonths, g.ReviewOverdue(today), g.EvidenceCoverage, day(g.BasisBy), day(g.StandardBy), day(g.ElevatedBy))
	}
	var vacant []string
	for _, r := range g.Roles {
		if r.Holder == "" {
			vacant = append(vacant, r.Title)
		}
	}
	if len(g.Roles) != 4 || !slices.Equal(vacant, []string{VacantRole}) {
		t.Errorf("roles %+v; want four with exactly %s vacant", g.Roles, VacantRole)
	}
	// Every required module but NET.1.1 is on the scope object: gate G4
	// has that one blocker.
	assigned := scopeModules(t, db, res.ScopeID)
	var missing []string
	for _, m := range domain.ScopeModules(g.RequiredModules) {
		if !slices.ContainsFunc(assigned, func(a postgres.AssignedModule) bool { return a.ModuleID == m }) {
			missing = append(missing, m)
		}
	}
	if len(g.RequiredModules) < 5 || !slices.Equal(missing, []string{missingScopeModule}) {
		t.Errorf("required modules %v, missing on the scope %v; want only %s missing", g.RequiredModules, missing, missingScopeModule)
	}

	if old.ApprovedBy != Approver || !old.HashIntact() || day(old.ApprovedOn) != today.AddDate(0, -14, 0).Format(time.DateOnly) ||
		old.ApprovedHash == g.ApprovedHash {
		t.Errorf("superseded: version %d approved by %q on %s", old.Number, old.ApprovedBy, day(old.ApprovedOn))
	}
	if draft.ApprovedHash != "" || draft.ApprovedOn != nil || day(draft.StandardBy) == day(g.StandardBy) ||
		day(draft.BasisBy) != day(g.BasisBy) || draft.Input().ContentHash() == g.ApprovedHash {
		t.Errorf("draft: standard target %s (in force %s), basis %s, approved %s", day(draft.StandardBy), day(g.StandardBy),
			day(draft.BasisBy), day(draft.ApprovedOn))
	}
	// Management approved, in the demo account's name.
	recs, _, err := db.ListAudit(ctx, domain.AuditFilter{ResourceType: "guideline", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ofScope := map[string]bool{}
	for _, v := range versions {
		ofScope[fmt.Sprint(v.ID)] = true
	}
	approvals := 0
	for _, r := range recs {
		if r.Action == "guideline.approve" && ofScope[r.ResourceID] {
			approvals++
			if r.ActorName != managementUser {
				t.Errorf("guideline approved by %s", r.ActorName)
			}
		}
	}
	if approvals != 2 {
		t.Errorf("%d approvals in the audit trail, want 2", approvals)
	}

	ps, err := db.ListPolicies(ctx, res.ScopeID, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != wantPolicies || res.Policies != wantPolicies {
		t.Fatalf("%d policies stored, %d reported; want %d", len(ps), res.Policies, wantPolicies)
	}
	var overdue []string
	for _, p := range ps {
		if p.State != domain.PolicyInForce || p.VersionLabel == "" || p.ApprovedBy == "" || p.CreatedBy != isbUser ||
			p.EvidenceTitle == "" || p.ApprovedOn.After(today) {
			t.Errorf("policy %+v", p)
		}
		if p.ReviewOverdue(today) {
			overdue = append(overdue, p.Title)
		}
	}
	if !slices.Equal(overdue, []string{"Notfallvorsorgekonzept Landesdatennetz"}) {
		t.Errorf("policies overdue for review: %v", overdue)
	}

	c, err := db.CertificateOf(ctx, res.ScopeID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Number != res.Certificate || c.Expired(today) || c.IssuedOn.After(today) || c.IssuedOn.Month() != time.December ||
		(c.IssuedOn.Year()-2019)%3 != 0 || !c.ValidUntil.Equal(c.IssuedOn.AddDate(3, 0, 0)) || c.CreatedBy != isbUser {
		t.Errorf("certificate %+v, reported %q", c, res.Certificate)
	}
	// Until the next recertification it is the one of December 2025.
	if today.Before(time.Date(2028, time.December, 12, 0, 0, 0, 0, time.UTC)) &&
		(c.IssuedOn.Format(time.DateOnly) != "2025-12-12" || c.Number != "BSI-IGZ-0815-2025 (Demo)") {
		t.Errorf("certificate %s issued on %s, want BSI-IGZ-0815-2025 (Demo) of 12 December 2025", c.Number, c.IssuedOn.Format(time.DateOnly))
	}
}

func departmentName(code string) string {
	for _, d := range departments {
		if d.code == code {
			return d.name
		}
	}
	return ""
}

func TestSeedTwice(t *testing.T) {
	t.Parallel()
	db, acc := setup(t)
	first, err := Seed(ctx, db, acc, actor)
	if err != nil || !first.Seeded {
		t.Fatal(first, err)
	}
	seq := lastAuditSeq(t, db)
	second, err := Seed(ctx, db, acc, actor)
	if err != nil {
		t.Fatal(err)
	}
	if second.Seeded || second.ScopeID != first.ScopeID || second.Objects != 0 || len(second.Accounts) != 0 {
		t.Errorf("second seed %+v", second)
	}
	if got := lastAuditSeq(t, db); got != seq {
		t.Errorf("the second seed wrote %d audit records", got-seq)
	}
	if objs := allObjects(t, db, first.ScopeID, postgres.Everything); len(objs) != wantObjects {
		t.Errorf("%d objects after the second seed", len(objs))
	}
	if second.Evidence != 0 || second.Audits != 0 || second.Findings != 0 {
		t.Errorf("the second seed reports %d evidence items, %d audits, %d findings", second.Evidence, second.Audits, second.Findings)
	}
	if items, _, err := db.ListEvidence(ctx, first.ScopeID, domain.EvidenceFilter{Limit: 1000}, postgres.Everything); err != nil || len(items) != wantEvidence {
		t.Errorf("%d evidence items after the second seed, %v", len(items), err)
	}
	if audits, err := db.ListAudits(ctx, first.ScopeID); err != nil || len(audits) != wantAudits {
		t.Errorf("%d audits after the second seed, %v", len(audits), err)
	}
	if second.Guidelines != 0 || second.Policies != 0 || second.Certificate != "" {
		t.Errorf("the second seed reports %d guideline versions, %d policies, certificate %q", second.Guidelines, second.Policies, second.Certificate)
	}
	if gs, err := db.ListGuidelines(ctx, first.ScopeID); err != nil || len(gs) != wantGuidelines {
		t.Errorf("%d guideline versions after the second seed, %v", len(gs), err)
	}
	if ps, err := db.ListPolicies(ctx, first.ScopeID, true); err != nil || len(ps) != wantPolicies {
		t.Errorf("%d policies after the second seed, %v", len(ps), err)
	}
	if cs, err := db.ListCertificates(ctx, first.ScopeID); err != nil || len(cs) != 1 {
		t.Errorf("%d certificates after the second seed, %v", len(cs), err)
	}
	if second.PlusPlus != (PlusPlusResult{}) {
		t.Errorf("the second seed reports a Grundschutz++ scope %+v", second.PlusPlus)
	}
	// The Kompendium scope and the Grundschutz++ scope of the data centre.
	scopes, err := db.ListScopes(ctx, postgres.Everything)
	if err != nil || len(scopes) != 2 {
		t.Errorf("%d scopes, %v", len(scopes), err)
	}
}

func TestSeedReusesDepartmentsAndSkipsTakenUsers(t *testing.T) {
	t.Parallel()
	db, acc := setup(t)
	root, err := postgres.InTxValue(ctx, db, actor, func(tx *postgres.Tx) (domain.Department, error) {
		return tx.CreateDepartment(ctx, domain.DepartmentInput{Name: "Land", Code: "TH"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := acc.CreateUser(ctx, actor, account.NewUserInput{Username: "demo-admin",
		Grants: []domain.Grant{{Role: domain.RoleAuditor}}}); err != nil {
		t.Fatal(err)
	}
	// A taken demo-auditor is skipped too, but still reviews the demo
	// evidence: the seed finds the people by username.
	taken, _, err := acc.CreateUser(ctx, actor, account.NewUserInput{Username: "demo-auditor",
		Grants: []domain.Grant{{Role: domain.RoleAuditor}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Seed(ctx, db, acc, actor)
	if err != nil {
		t.Fatal(err)
	}
	if res.Departments != wantDepartments-1 {
		t.Errorf("%d departments created, want %d", res.Departments, wantDepartments-1)
	}
	d, err := db.DepartmentByID(ctx, root.ID)
	if err != nil || d.Name != "Land" {
		t.Errorf("the existing root changed: %+v, %v", d, err)
	}
	if len(res.Accounts) != len(users)-2 {
		t.Errorf("%d accounts, want %d", len(res.Accounts), len(users)-2)
	}
	for _, a := range res.Accounts {
		if a.Username == "demo-admin" || a.Username == "demo-auditor" {
			t.Errorf("the taken username %s was given a new password", a.Username)
		}
	}
	u, err := db.UserByUsername(ctx, "demo-admin")
	if err != nil {
		t.Fatal(err)
	}
	if gs, _ := db.GrantsOf(ctx, u.ID); len(gs) != 1 || gs[0].Role != domain.RoleAuditor {
		t.Errorf("the existing demo-admin's grants changed: %+v", gs)
	}
	if res.Evidence != wantEvidence || res.Audits != wantAudits || res.Guidelines != wantGuidelines || res.Policies != wantPolicies {
		t.Errorf("with taken accounts: %d evidence items, %d audits, %d guideline versions, %d policies",
			res.Evidence, res.Audits, res.Guidelines, res.Policies)
	}
	queue, _, err := db.ListEvidence(ctx, res.ScopeID, domain.EvidenceFilter{ReviewQueue: true, ReviewerID: taken.ID, Limit: 100}, postgres.Everything)
	if err != nil || len(queue) != wantReviews[domain.ReviewSubmitted] {
		t.Errorf("the taken auditor's queue holds %d items, %v", len(queue), err)
	}
	states, _, err := db.CountEvidence(ctx, res.ScopeID, domain.EvidenceFilter{}, postgres.Everything)
	if err != nil || !maps.Equal(states, wantReviews) {
		t.Errorf("with taken accounts, evidence by review state %v, %v", states, err)
	}
}

// TestSeedHistory checks the invented readiness history: twelve weeks
// before today's real snapshot, which equals Readiness; the scope's
// blockers fall, but so slowly that the forecast lies years ahead: most of
// them are "yes" entries without evidence (G8), and marking an entry done
// moves it from G5 to G8 rather than closing it — the story the demo's
// dashboards tell. One department makes no headway; every stored row is
// consistent.
func TestSeedHistory(t *testing.T) {
	t.Parallel()
	db, pg := pgtest.Open(t)
	acc, err := account.New(db, account.DefaultConfig, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Seed(ctx, db, acc, actor)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	hist, err := db.ReadinessHistory(ctx, res.ScopeID, postgres.Everything, today.AddDate(0, 0, -365), today)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) < 80 {
		t.Fatalf("%d days of history, want at least 80", len(hist))
	}
	for i := 1; i < len(hist); i++ {
		if !hist[i].Day.Equal(hist[i-1].Day.AddDate(0, 0, 1)) {
			t.Errorf("day %s follows %s", hist[i].Day.Format(time.DateOnly), hist[i-1].Day.Format(time.DateOnly))
		}
	}
	last := hist[len(hist)-1]
	if last.Day.Format(time.DateOnly) != today.Format(time.DateOnly) {
		t.Fatalf("the latest snapshot is of %s, want today", last.Day.Format(time.DateOnly))
	}
	r, err := db.Readiness(ctx, res.ScopeID, postgres.Everything, today)
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range r.Gates {
		if last.Blocking[i] != g.Blocking {
			t.Errorf("today's snapshot: %s blocking %d, Readiness %d", g.ID, last.Blocking[i], g.Blocking)
		}
	}
	if last.Ready != r.Ready || last.Blockers() == 0 {
		t.Errorf("today's snapshot ready %v with %d blockers, Readiness ready %v", last.Ready, last.Blockers(), r.Ready)
	}
	// Further back: more blockers, fewer entries done.
	first := hist[0]
	if first.Blockers() <= last.Blockers() || first.DonePercent() >= last.DonePercent() {
		t.Errorf("%s: %d blockers, %.1f %% done; today %d, %.1f %%", first.Day.Format(time.DateOnly), first.Blockers(),
			first.DonePercent(), last.Blockers(), last.DonePercent())
	}
	fc := domain.ForecastBlockers(hist)
	t.Logf("scope: %s", fc.Sentence())
	if fc.Outcome != domain.ForecastDate || !fc.Day.After(today.AddDate(1, 0, 0)) {
		t.Errorf("scope forecast %s on %s, want a date more than a year ahead", fc.Outcome, fc.Day.Format(time.DateOnly))
	}

	figs, err := db.TodaysFigures(ctx, res.ScopeID, today)
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[domain.ForecastOutcome][]string{}
	for _, d := range figs.Departments {
		h, err := db.ReadinessHistory(ctx, res.ScopeID, postgres.Visibility{Departments: []int64{d.ID}}, today.AddDate(0, 0, -365), today)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != len(hist) {
			t.Errorf("%s: %d days of history, the scope %d", d.Name, len(h), len(hist))
		}
		f := domain.ForecastBlockers(h)
		outcomes[f.Outcome] = append(outcomes[f.Outcome], d.Name)
		t.Logf("%s: %s", d.Name, f.Sentence())
	}
	if len(outcomes[domain.ForecastNotAtPace]) == 0 || len(outcomes[domain.ForecastDate]) == 0 {
		t.Errorf("department forecasts %v; want some with a date and some not at the current rate", outcomes)
	}

	// Every stored row: no negative figure, no level with more done than
	// there are, G8 as the snapshot computes it, the verdict as the gates.
	raw, err := sql.Open("postgres", pg.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var rows, bad int
	err = raw.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE NOT (
		least(objects, basis_done, standard_done, elevated_done, g1, g2, g3, g4, g4_scope, g5, g6, g7, g8, g9, g9_scope, g10,
		      evidence_yes, evidence_covered, evidence_rejected, overdue_measures, open_findings, open_findings_scope) >= 0
		AND basis_done <= basis_total AND standard_done <= standard_total AND elevated_done <= elevated_total
		AND evidence_covered <= evidence_yes
		AND g8 = CASE WHEN evidence_covered * 100 < evidence_target * evidence_yes THEN evidence_yes - evidence_covered ELSE 0 END + evidence_rejected
		AND ready = (g1 + g2 + g3 + g4 + g4_scope + g5 + g6 + g7 + g8 + g9 + g9_scope + g10 = 0)))
		FROM readiness_snapshots WHERE scope_id = $1`, res.ScopeID).Scan(&rows, &bad)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(hist) * (len(figs.Departments) + 1); rows != want || bad != 0 {
		t.Errorf("%d stored rows, %d inconsistent; want %d, none", rows, bad, want)
	}
	if res.History != int64(rows-len(figs.Departments)-1) {
		t.Errorf("reported %d invented rows of %d", res.History, rows)
	}
}
