package authz

import (
	"slices"
	"strings"
	"testing"

	"ismsd/internal/domain"
	"ismsd/policies"
)

func ptr(v int64) *int64 { return &v }

func TestRealPolicyDecisions(t *testing.T) {
	e, err := New()
	if err != nil {
		t.Fatal(err)
	}
	err = e.SetGrants([]domain.Grant{
		{UserID: 1, Role: domain.RoleAdmin},
		{UserID: 2, Role: domain.RoleAuditor},
		{UserID: 3, Role: domain.RoleDepartmentHead, DepartmentID: ptr(7)},
		{UserID: 4, Role: domain.RoleManagement},
		{UserID: 5, Role: domain.RoleISB, DepartmentID: ptr(7)},
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		user  int64
		perm  Permission
		allow bool
	}{
		{1, Require(ResourceUsers, ActionWrite), true},
		{1, Require(ResourceAuditLog, ActionRead), true},
		{2, Require(ResourceUsers, ActionRead), false},
		{2, Require(ResourceAuditLog, ActionRead), true},
		{3, Require(ResourceAuditLog, ActionRead), false},
		{4, Require(ResourceAuditLog, ActionRead), true},
		{4, Require(ResourceUsers, ActionWrite), false},
		{5, Require(ResourceUsers, ActionRead), false},
		{99, Require(ResourceAuditLog, ActionRead), false},
		// The guideline: read by everyone, also a department head;
		// approved by management, never by a department's ISB.
		{3, Require(ResourceGuidelines, ActionRead), true},
		{3, Require(ResourceGuidelines, ActionWrite), false},
		{4, Require(ResourceGuidelineApprovals, ActionWrite), true},
		{4, Require(ResourceGuidelines, ActionWrite), false},
		{5, Require(ResourceGuidelines, ActionWrite), false},
		{5, Require(ResourceGuidelineApprovals, ActionWrite), false},
		{2, Require(ResourceGuidelineApprovals, ActionWrite), false},
		{1, Require(ResourceGuidelineApprovals, ActionWrite), true},
		{99, Authenticated, true},
		{99, Public, true},
	}
	for _, c := range cases {
		if got := e.Decide(c.user, c.perm).Allowed; got != c.allow {
			t.Errorf("user %d %s: allowed=%v, want %v", c.user, c.perm, got, c.allow)
		}
	}
}

// TestDepartmentScope checks the domain mechanics with a scoped resource:
// a department grant allows within that subtree only, a global grant
// everywhere, and global-only resources ignore department grants.
func TestDepartmentScope(t *testing.T) {
	const scoped Resource = "test_objects"
	resources[scoped] = []Action{ActionWrite}
	t.Cleanup(func() { delete(resources, scoped) })
	e, err := newEnforcer(policies.Model, "p, isb, test_objects, write\np, admin, users, write\np, isb, users, read\n")
	if err != nil {
		t.Fatal(err)
	}
	e.SetGrants([]domain.Grant{
		{UserID: 1, Role: domain.RoleISB, DepartmentID: ptr(7)},
		{UserID: 1, Role: domain.RoleISB, DepartmentID: ptr(9)},
		{UserID: 2, Role: domain.RoleISB},
	})
	d := e.Decide(1, Require(scoped, ActionWrite))
	slices.Sort(d.Departments)
	if !d.Allowed || d.Global || !slices.Equal(d.Departments, []int64{7, 9}) {
		t.Errorf("scoped ISB: got %+v, want departments 7 and 9", d)
	}
	if d := e.Decide(2, Require(scoped, ActionWrite)); !d.Allowed || !d.Global {
		t.Errorf("global ISB: got %+v, want global", d)
	}
	if d := e.Decide(1, Require(ResourceUsers, ActionRead)); d.Allowed {
		t.Errorf("department grant opened a global-only resource: %+v", d)
	}
	if d := e.Decide(2, Require(ResourceUsers, ActionRead)); !d.Allowed {
		t.Errorf("global ISB denied users:read: %+v", d)
	}

	// Decisions are remembered, but each caller gets its own list, and a
	// new set of grants decides afresh: a revoked grant is gone at once.
	again := e.Decide(1, Require(scoped, ActionWrite))
	again.Departments[0] = 99
	if d := e.Decide(1, Require(scoped, ActionWrite)); slices.Contains(d.Departments, 99) {
		t.Errorf("a caller changed the remembered decision: %+v", d)
	}
	e.SetGrants([]domain.Grant{{UserID: 1, Role: domain.RoleISB, DepartmentID: ptr(9)}})
	if d := e.Decide(1, Require(scoped, ActionWrite)); !slices.Equal(d.Departments, []int64{9}) {
		t.Errorf("after revoking department 7: %+v", d)
	}
	if d := e.Decide(2, Require(scoped, ActionWrite)); d.Allowed {
		t.Errorf("after revoking the global grant: %+v", d)
	}
}

func TestPolicyRefusesUnknownNames(t *testing.T) {
	for _, bad := range []string{
		"p, wizard, users, read",
		"p, admin, spells, read",
		"p, admin, users, cast",
		"p, admin, users",
	} {
		if _, err := newEnforcer(policies.Model, bad); err == nil {
			t.Errorf("policy %q accepted", bad)
		} else if !strings.Contains(err.Error(), "line 1") {
			t.Errorf("error %q does not name the line", err)
		}
	}
}

// A department's ISB reads the organisation but reshapes it only with a
// global grant.
func TestScopedGrantDoesNotReshapeOrganisation(t *testing.T) {
	e, err := New()
	if err != nil {
		t.Fatal(err)
	}
	e.SetGrants([]domain.Grant{{UserID: 1, Role: domain.RoleISB, DepartmentID: ptr(7)}})
	for _, c := range []struct {
		perm  Permission
		allow bool
	}{
		{Require(ResourceDepartments, ActionRead), true},
		{Require(ResourceDepartments, ActionWrite), false},
		{Require(ResourceScopes, ActionRead), true},
		{Require(ResourceScopes, ActionWrite), false},
		{Require(ResourceObjects, ActionWrite), true},
	} {
		if got := e.Decide(1, c.perm).Allowed; got != c.allow {
			t.Errorf("%s: allowed=%v, want %v", c.perm, got, c.allow)
		}
	}
}
