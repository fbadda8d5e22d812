package demo

import (
	"slices"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// The figures the Grundschutz++ demo scope is built to give.
const (
	wantPPObjects    = 9  // the scope's own object not counted
	wantPPParams     = 10 // parameters of the package
	wantPPParamsSet  = 5
	wantPPEntries    = 66 // 27 on the scope object (26 normal-SdT and one raised), 39 on the objects
	wantPPComponents = 4  // Realm and Admin-Konsole on both identity servers
)

// TestSeedPlusPlus checks the second demo scope: the data centre alone
// on the Grundschutz++ demo catalog, with the method Grundschutz++, half
// its parameters set, two exceptions of management (one ending within 14
// days), Keycloak on the identity servers, a guideline in force naming the
// catalog, and a readiness that fails on the parameters (G4) and on an
// unmet MUSS without exception (G5), each measured against the catalog,
// while the structure, the needs, the guideline and the plan pass.
func TestSeedPlusPlus(t *testing.T) {
	t.Parallel()
	db, _, res := seeded(t)
	pp := res.PlusPlus
	if pp.ScopeID == 0 || pp.ScopeID == res.ScopeID || pp.Objects != wantPPObjects || pp.Entries != wantPPEntries ||
		pp.ParamsSet != wantPPParamsSet || pp.Exceptions != 2 || pp.Components != wantPPComponents {
		t.Fatalf("Grundschutz++ scope %+v", pp)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)

	// The scope, its method and its catalog.
	scopes, err := db.ListScopes(ctx, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	var scope postgres.ScopeSummary
	for _, s := range scopes {
		if s.ID == pp.ScopeID {
			scope = s
		}
	}
	if scope.Name != PlusPlusScopeName || scope.Method != domain.MethodPlusPlus || scope.CatalogTitle != "Grundschutz++ – Demo-Auszug" ||
		scope.Objects != wantPPObjects || scope.ISBName == "" {
		t.Errorf("scope %q, method %s, catalog %q, %d objects, ISB %q", scope.Name, scope.Method, scope.CatalogTitle, scope.Objects, scope.ISBName)
	}
	// The files show among the imported ones, like any import.
	cats, err := db.ListCatalogs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(cats, func(c postgres.CatalogSummary) bool { return c.ID == pp.CatalogID }); i < 0 ||
		cats[i].Method != domain.MethodPlusPlus || cats[i].SourceName != "grundschutz-pp-demo.json" {
		t.Errorf("the demo catalog is not listed as a Grundschutz++ catalog: %+v", cats)
	}
	defs, err := db.ListComponentDefinitions(ctx)
	if err != nil || len(defs) != 1 {
		t.Fatalf("%d component definitions, %v", len(defs), err)
	}

	// Only the data centre's departments.
	objs := allObjects(t, db, pp.ScopeID, postgres.Everything)
	depts, err := db.ListDepartments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	code := map[int64]string{}
	for _, d := range depts {
		code[d.ID] = d.Code
	}
	for _, o := range objs {
		if o.DepartmentID == nil || !strings.HasPrefix(code[*o.DepartmentID], "TLRZ") || o.Responsible == "" {
			t.Errorf("%s %s: department %q, responsible %q", o.ShortID, o.Name, code[deref(o.DepartmentID)], o.Responsible)
		}
	}

	// Parameters partly set.
	ps, err := db.ScopeParams(ctx, pp.ScopeID, domain.ParamFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if ps.All != wantPPParams || ps.Unset != wantPPParams-wantPPParamsSet {
		t.Errorf("%d parameters, %d unset; want %d, %d", ps.All, ps.Unset, wantPPParams, wantPPParams-wantPPParamsSet)
	}

	// Two exceptions by management, one ending within 14 days.
	xs, _, err := db.ListExceptions(ctx, pp.ScopeID, domain.ExceptionFilter{Today: today, Limit: 100}, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	soon, later := 0, 0
	for _, x := range xs {
		if x.AuthorisedBy != Approver || x.Justification == "" || x.RevokedAt != nil {
			t.Errorf("exception %d for %s authorised by %q", x.ID, x.RequirementID, x.AuthorisedBy)
		}
		switch days := int(x.ValidUntil.Sub(today).Hours() / 24); {
		case days > 0 && days <= 14:
			soon++
		case days > 60:
			later++
		}
	}
	if len(xs) != 2 || soon != 1 || later != 1 {
		t.Errorf("%d exceptions, %d ending within 14 days, %d valid for months; want 2, 1, 1", len(xs), soon, later)
	}

	// Keycloak on the identity servers, offering its texts there.
	for _, name := range []string{"IAM-01 (Keycloak, Erfurt)", "IAM-02 (Keycloak, Ilmenau)"} {
		o := byName(objs, name)
		cs, err := db.ObjectComponents(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(cs, func(c postgres.AssignedComponent) bool { return c.Label == "Keycloak-Demo · Realm" })
		if len(cs) != 2 || i < 0 || cs[i].Offers == 0 {
			t.Errorf("%s: components %+v", name, cs)
		}
	}

	// The guideline in force names the catalog.
	gs, err := db.ListGuidelines(ctx, pp.ScopeID)
	if err != nil || len(gs) != 1 || gs[0].State != domain.GuidelineApproved || gs[0].CatalogID == nil || *gs[0].CatalogID != pp.CatalogID {
		t.Errorf("guidelines %+v, %v", gs, err)
	}

	// The readiness tells what is missing.
	r, err := db.Readiness(ctx, pp.ScopeID, postgres.Everything, today)
	if err != nil {
		t.Fatal(err)
	}
	status := map[domain.GateID]domain.Gate{}
	for _, g := range r.Gates {
		status[g.ID] = g
	}
	if r.Ready {
		t.Error("the Grundschutz++ demo scope is ready")
	}
	for _, id := range []domain.GateID{domain.GateModelling, domain.GateCheck, domain.GateEvidence} {
		if g := status[id]; g.Status != domain.GateFail {
			t.Errorf("%s %s: %s", id, g.Status, g.Summary)
		}
	}
	for _, id := range []domain.GateID{domain.GateGuideline, domain.GateStructure, domain.GateNeeds, domain.GatePlan} {
		if g := status[id]; g.Status != domain.GatePass {
			t.Errorf("%s %s: %s", id, g.Status, g.Summary)
		}
	}
	if g := status[domain.GateModelling]; g.Blocking != wantPPParams-wantPPParamsSet || !strings.Contains(g.Summary, "Grundschutz++ – Demo-Auszug") {
		t.Errorf("G4 blocks %d: %s", g.Blocking, g.Summary)
	}
	if g := status[domain.GateCheck]; !strings.Contains(g.Summary, "Grundschutz++ – Demo-Auszug") {
		t.Errorf("G5 does not name the catalog: %s", g.Summary)
	}
	blockers, _, err := db.GateBlockers(ctx, pp.ScopeID, domain.GateCheck, postgres.Everything, today, postgres.BlockerCursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, b := range blockers {
		labels = append(labels, b.Label)
	}
	// The unmet MUSS without exception blocks; those with one do not.
	joined := strings.Join(labels, "\n")
	if !strings.Contains(joined, "DET.3.2 ·") || !strings.Contains(joined, "ASST.2.2 ·") || strings.Contains(joined, "BER.4.3 ·") ||
		strings.Contains(joined, "KONF.5.1 ·") {
		t.Errorf("G5 blockers:\n%s", joined)
	}

	// The ISB raised one erhöht requirement into the package.
	raises, err := db.LevelRaises(ctx, pp.ScopeID)
	if err != nil || len(raises) != 1 || raises[0].RequirementID != "DET.5.2" {
		t.Errorf("level raises %+v, %v", raises, err)
	}
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
