// Package demo seeds a believable Informationsverbund – a state voice-and-data
// network (Landesdatennetz) modelled on the Thüringen state network – so that
// a new user sees every screen filled. Public facts are used in the scope's
// description; everything else is invented and labelled as demo data.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ismsd/internal/account"
	"ismsd/internal/catalogimport"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// ScopeName is the demo scope's name; its presence marks the demo as seeded.
const ScopeName = "Landesdatennetz Thüringen (Demo)"

// Tag marks every demo object.
const Tag = "Demo"

// Account is a demo user with the password generated for it (shown once).
type Account struct{ Username, Role, Department, Password string }

// Result tells what Seed did.
type Result struct {
	Seeded       bool
	ScopeID      int64
	Departments  int // departments created (existing ones with the same code or name are reused)
	Objects      int // target objects created, without the scope's own object
	Dependencies int
	Assignments  int // module assignments
	Evidence     int // evidence items (Nachweise)
	Audits       int
	Findings     int
	Guidelines   int    // versions of the guideline, the draft included
	Policies     int    // policies of A.0 in force
	Certificate  string // the number of the certificate recorded
	History      int64  // invented readiness snapshots before today (see historyInsert)
	Accounts     []Account
	PlusPlus     PlusPlusResult // the Grundschutz++ scope of the data centre (see seedPlusPlus)
}

// Seed stores the demo network unless its scope exists already (then
// Seeded=false and nothing changes: idempotent). It makes sure the demo
// catalog is stored and builds on it. Departments, scope, objects, needs,
// dependencies and modelling are written in one transaction; the demo
// accounts afterwards, each in its own (a taken username is skipped);
// then the evidence and audits, on behalf of the demo accounts (see
// seedEvidence), the guideline, the policies of A.0 and the certificate
// (see seedGuideline), and last today's readiness snapshot with an
// invented history before it (see seedHistory); then the second scope,
// the data centre on the Grundschutz++ demo catalog (see seedPlusPlus).
func Seed(ctx context.Context, db *postgres.DB, accounts *account.Service, actor domain.Actor) (Result, error) {
	if id, found, err := findScope(ctx, db); err != nil || found {
		return Result{ScopeID: id}, err
	}
	imp, err := catalogimport.New(db, 0).ImportDemo(ctx, actor)
	if err != nil {
		return Result{}, fmt.Errorf("demo catalog: %w", err)
	}
	catalogID := imp.Catalog.ID
	if catalogID == 0 {
		if catalogID, err = demoCatalog(ctx, db); err != nil {
			return Result{}, err
		}
	}
	existing, err := db.ListDepartments(ctx)
	if err != nil {
		return Result{}, err
	}

	var res Result
	var scope domain.Scope
	scopeIn := domain.ScopeInput{Name: ScopeName, Description: scopeDescription, CatalogID: catalogID, Approach: domain.ApproachStandard}
	deptIDs, deptNames := map[string]int64{}, map[string]string{}
	var objIDs map[string]int64
	err = db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		r := Result{}
		ids, names, created, err := ensureDepartments(ctx, tx, existing)
		if err != nil {
			return err
		}
		r.Departments = created
		if scope, err = tx.CreateScope(ctx, scopeIn); err != nil {
			return err
		}
		r.ScopeID = scope.ID
		objIDs = map[string]int64{"scope": scope.ObjectID}
		if r.Objects, err = createObjects(ctx, tx, scope.ID, objects, "CMDB-%04d", ids, objIDs); err != nil {
			return err
		}
		lookup := func(key string) (int64, error) {
			id, ok := objIDs[key]
			if !ok {
				return 0, fmt.Errorf("demo data names an unknown object %q", key)
			}
			return id, nil
		}
		// Dependencies before needs: while no need is set, each
		// recomputation has nothing to change.
		for _, d := range dependencies {
			from, err := lookup(d[0])
			if err != nil {
				return err
			}
			to, err := lookup(d[1])
			if err != nil {
				return err
			}
			if err := tx.AddDependency(ctx, from, to, postgres.Everything); err != nil {
				return fmt.Errorf("demo dependency %s → %s: %w", d[0], d[1], err)
			}
			r.Dependencies++
		}
		for _, n := range needs {
			id, err := lookup(n.key)
			if err != nil {
				return err
			}
			if _, err := tx.SetNeeds(ctx, id, 0, n.needs, postgres.Everything); err != nil {
				return fmt.Errorf("demo needs of %s: %w", n.key, err)
			}
		}
		for _, m := range modelling {
			var ids []int64
			for _, key := range m.objects {
				id, err := lookup(key)
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			added, err := tx.AssignModules(ctx, scope.ID, ids, m.modules, postgres.Everything)
			if err != nil {
				return fmt.Errorf("demo modelling %v: %w", m.modules, err)
			}
			r.Assignments += added
		}
		keyOf := make(map[int64]string, len(objIDs))
		for key, id := range objIDs {
			keyOf[id] = key
		}
		today := time.Now().UTC().Truncate(24 * time.Hour)
		if err := seedCheck(ctx, tx, scope.ID, keyOf, today); err != nil {
			return err
		}
		if err := seedRisks(ctx, tx, objIDs); err != nil {
			return err
		}
		res, deptIDs, deptNames = r, ids, names
		return nil
	})
	if errors.Is(err, domain.ErrConflict) {
		// Someone else seeded at the same time: theirs stands.
		if id, found, ferr := findScope(ctx, db); ferr == nil && found {
			return Result{ScopeID: id}, nil
		}
	}
	if err != nil {
		return Result{}, fmt.Errorf("seed demo: %w", err)
	}
	res.Seeded = true

	var isbID *int64
	for _, u := range users {
		var grant domain.Grant
		grant.Role = u.role
		deptName := ""
		if u.dept != "" {
			id := deptIDs[u.dept]
			grant.DepartmentID = &id
			deptName = deptNames[u.dept]
		}
		if _, err := db.UserByUsername(ctx, u.username); err == nil {
			continue // taken: leave that account alone
		} else if !errors.Is(err, domain.ErrNotFound) {
			return res, err
		}
		created, password, err := accounts.CreateUser(ctx, actor, account.NewUserInput{Username: u.username, DisplayName: u.displayName,
			Email: u.username + "@demo.invalid", Grants: []domain.Grant{grant}})
		if errors.Is(err, domain.ErrConflict) {
			continue
		}
		if err != nil {
			return res, fmt.Errorf("demo account %s: %w", u.username, err)
		}
		res.Accounts = append(res.Accounts, Account{Username: created.Username, Role: string(u.role), Department: deptName, Password: password})
		if u.username == "demo-isb" {
			isbID = &created.ID
		}
	}
	if isbID != nil {
		// The demo ISB is the scope's ISB, so that the overview names one.
		err := db.InTx(ctx, actor, func(tx *postgres.Tx) error {
			_, err := tx.UpdateScope(ctx, scope.ID, scope.Version, domain.ScopeChange{ISBUserID: &isbID})
			return err
		})
		if err != nil && !errors.Is(err, domain.ErrPreconditionFailed) {
			return res, fmt.Errorf("demo scope ISB: %w", err)
		}
	}
	// Management's risk acceptance, evidence and audits next: they are
	// made by the demo accounts, which exist only now.
	today := time.Now().UTC().Truncate(24 * time.Hour)
	if err := acceptRisks(ctx, db, objIDs, today); err != nil {
		return res, err
	}
	ev, err := seedEvidence(ctx, db, scope.ID, objIDs, deptIDs, today)
	if err != nil {
		return res, fmt.Errorf("demo evidence and audits: %w", err)
	}
	res.Evidence, res.Audits, res.Findings = ev.evidence, ev.audits, ev.findings
	// The guideline and the policies last: the policies are documents
	// among the evidence.
	gl, err := seedGuideline(ctx, db, scope.ID, ev.ids, today)
	if err != nil {
		return res, fmt.Errorf("demo guideline, policies and certificate: %w", err)
	}
	res.Audits += gl.audits
	res.Guidelines, res.Policies, res.Certificate = gl.guidelines, gl.policies, gl.certificate
	// Today's readiness snapshot and an invented history before it, so
	// that the dashboards' trend and forecast are not empty.
	if res.History, err = seedHistory(ctx, db, actor, scope.ID, deptIDs, today); err != nil {
		return res, fmt.Errorf("demo readiness history: %w", err)
	}
	// Last, the data centre's scope on the Grundschutz++ demo catalog.
	if res.PlusPlus, err = seedPlusPlus(ctx, db, actor, deptIDs, today); err != nil {
		return res, fmt.Errorf("demo Grundschutz++ scope: %w", err)
	}
	return res, nil
}

// findScope looks for the demo scope by name.
func findScope(ctx context.Context, db *postgres.DB) (int64, bool, error) {
	scopes, err := db.ListScopes(ctx, postgres.Everything)
	if err != nil {
		return 0, false, err
	}
	for _, s := range scopes {
		if s.Name == ScopeName {
			return s.ID, true, nil
		}
	}
	return 0, false, nil
}

// demoCatalog finds the stored demo catalog.
func demoCatalog(ctx context.Context, db *postgres.DB) (int64, error) {
	cs, err := db.ListCatalogs(ctx)
	if err != nil {
		return 0, err
	}
	for _, c := range cs {
		if c.Kind == domain.CatalogDemo {
			return c.ID, nil
		}
	}
	return 0, errors.New("the demo catalog is not stored")
}

// ensureDepartments creates the demo tree, reusing a department that has
// the same code, or the same name below the same parent. It returns the
// IDs and names by code and how many it created.
func ensureDepartments(ctx context.Context, tx *postgres.Tx, existing []domain.Department) (map[string]int64, map[string]string, int, error) {
	byCode, nameOf := map[string]int64{}, map[int64]string{}
	type place struct {
		parent int64
		name   string
	}
	byPlace := map[place]int64{}
	for _, d := range existing {
		if d.Code != "" {
			byCode[d.Code] = d.ID
		}
		var parent int64
		if d.ParentID != nil {
			parent = *d.ParentID
		}
		byPlace[place{parent, d.Name}] = d.ID
		nameOf[d.ID] = d.Name
	}
	ids, names := map[string]int64{}, map[string]string{}
	created := 0
	for _, d := range departments {
		var parentID *int64
		var parent int64
		if d.parent != "" {
			p, ok := ids[d.parent]
			if !ok {
				return nil, nil, 0, fmt.Errorf("demo department %s: parent %s comes later", d.code, d.parent)
			}
			parentID, parent = &p, p
		}
		if id, ok := byCode[d.code]; ok {
			ids[d.code], names[d.code] = id, nameOf[id]
			continue
		}
		if id, ok := byPlace[place{parent, d.name}]; ok {
			ids[d.code], names[d.code] = id, nameOf[id]
			continue
		}
		dep, err := tx.CreateDepartment(ctx, domain.DepartmentInput{Name: d.name, Code: d.code, ParentID: parentID})
		if err != nil {
			return nil, nil, 0, fmt.Errorf("demo department %s: %w", d.code, err)
		}
		ids[d.code], names[d.code] = dep.ID, dep.Name
		created++
	}
	return ids, names, created, nil
}

// createObjects creates the objects in the scope, each in its department
// (by code in deptIDs) and numbered in the CMDB by cmdb (a format of its
// place in objs, from 1), adds their IDs to objIDs by key and counts them.
func createObjects(ctx context.Context, tx *postgres.Tx, scopeID int64, objs []obj, cmdb string, deptIDs, objIDs map[string]int64) (int, error) {
	for n, o := range objs {
		dep, ok := deptIDs[o.dept]
		if !ok {
			return n, fmt.Errorf("demo object %s: unknown department %s", o.key, o.dept)
		}
		in := domain.ObjectInput{Type: o.typ, ObjectFields: domain.ObjectFields{Name: o.name, Description: o.description,
			Responsible: o.responsible, Location: o.location, ExternalID: fmt.Sprintf(cmdb, n+1),
			Tags: append([]string{Tag}, o.tags...), NoSuitableModule: o.noModule, UntypicalEnvironment: o.untypical},
			DepartmentID: &dep, Group: o.members > 0, Members: o.members}
		created, err := tx.CreateObject(ctx, scopeID, in, postgres.Everything)
		if err != nil {
			return n, fmt.Errorf("demo object %s: %w", o.key, err)
		}
		objIDs[o.key] = created.ID
	}
	return len(objs), nil
}
