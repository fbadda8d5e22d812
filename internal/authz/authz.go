// Package authz decides what a user may do: casbin evaluates the role →
// permission rules of the policies folder against the user's role grants,
// which come from the database.
package authz

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/util"

	"ismsd/internal/domain"
	"ismsd/policies"
)

// Resource is what a permission is about.
type Resource string

// Action is what is done to a resource.
type Action string

const (
	ResourceUsers    Resource = "users"
	ResourceAuditLog Resource = "audit_log"
	ResourceCatalogs Resource = "catalogs"
	// The structure of the Informationsverbund.
	ResourceDepartments Resource = "departments"
	ResourceScopes      Resource = "scopes"
	ResourceObjects     Resource = "objects" // target objects, dependencies, protection needs, modelling, check, risk analysis, plan
	// Management signs risk acceptances.
	ResourceRiskAcceptances Resource = "risk_acceptances"
	// Management authorises exceptions (Ausnahmen) of Grundschutz++ scopes.
	ResourceExceptions Resource = "exceptions"
	// Evidence (Nachweise): ISBs upload, auditors review.
	ResourceEvidence        Resource = "evidence"
	ResourceEvidenceReviews Resource = "evidence_reviews"
	// Audits with their sample and findings, run by auditors; ISBs answer
	// findings with corrective actions.
	ResourceAudits            Resource = "audits"
	ResourceCorrectiveActions Resource = "corrective_actions"
	// The guideline (Leitlinie), the policies of A.0 and the certificate:
	// ISBs edit, management approves the guideline.
	ResourceGuidelines         Resource = "guidelines"
	ResourceGuidelineApprovals Resource = "guideline_approvals"
	// Dashboards: the management's view of the whole scope, and the
	// figures of a department subtree with its history.
	ResourceManagementDashboard Resource = "management_dashboard"
	ResourceDashboards          Resource = "dashboards"
)

const (
	ActionRead  Action = "read"
	ActionWrite Action = "write"
)

// resources lists every resource with the actions a department-scoped
// grant can give on it (the others need a global grant). An ISB for one
// ministry reads the organisation and writes their own objects, but does
// not manage accounts or reshape the organisation or the scopes.
var resources = map[Resource][]Action{
	ResourceUsers:    nil,
	ResourceAuditLog: nil,
	// Everyone with a role reads catalogs, the organisation tree and the
	// scopes, whatever their grant's department.
	ResourceCatalogs:    {ActionRead},
	ResourceDepartments: {ActionRead},
	ResourceScopes:      {ActionRead},
	// Objects are limited to the department subtrees of scoped grants, in
	// SQL (postgres.Visibility).
	ResourceObjects:         {ActionRead, ActionWrite},
	ResourceRiskAcceptances: nil,
	ResourceExceptions:      nil,
	// Evidence belongs to a department: scoped grants read, write and
	// review within their subtree (in SQL).
	ResourceEvidence:        {ActionRead, ActionWrite},
	ResourceEvidenceReviews: {ActionWrite},
	// An audit covers the whole scope: everyone reads it, but running one
	// or answering its findings takes a grant without a department limit.
	ResourceAudits:            {ActionRead},
	ResourceCorrectiveActions: nil,
	// The guideline binds the whole scope, like an audit: everyone reads
	// it, changing or approving it takes a grant without a limit.
	ResourceGuidelines:         {ActionRead},
	ResourceGuidelineApprovals: nil,
	// The management dashboard shows the whole scope; the department
	// dashboards and the history are limited to the grant's subtrees.
	ResourceManagementDashboard: nil,
	ResourceDashboards:          {ActionRead},
}

var actions = []Action{ActionRead, ActionWrite}

// Permission is a route's authorization decision rule.
type Permission struct {
	Resource Resource
	Action   Action
	kind     permissionKind
}

type permissionKind int

const (
	kindRole          permissionKind = iota // the user's roles must allow Resource/Action
	kindPublic                              // anyone, also without login
	kindAuthenticated                       // anyone logged in, whatever their roles
)

// Public is the rule for routes everyone may use (login page, health).
var Public = Permission{kind: kindPublic}

// Authenticated is the rule for routes about the caller's own account.
var Authenticated = Permission{kind: kindAuthenticated}

// Require is the rule for routes that need a role permission.
func Require(r Resource, a Action) Permission {
	if _, ok := resources[r]; !ok {
		panic("authz: unknown resource " + string(r))
	}
	return Permission{Resource: r, Action: a, kind: kindRole}
}

// IsPublic reports whether the rule lets anyone in.
func (p Permission) IsPublic() bool { return p.kind == kindPublic }

// NeedsRole reports whether the rule asks the policy (not just a login).
func (p Permission) NeedsRole() bool { return p.kind == kindRole }

func (p Permission) String() string {
	switch p.kind {
	case kindPublic:
		return "public"
	case kindAuthenticated:
		return "authenticated"
	}
	return string(p.Resource) + ":" + string(p.Action)
}

// Decision is the outcome for one user and permission.
type Decision struct {
	Allowed     bool
	Global      bool    // allowed for everything
	Departments []int64 // otherwise allowed within these department subtrees
}

// Enforcer answers authorization questions. Grants are replaced as a
// whole by SetGrants; a decision always sees one consistent set.
type Enforcer struct {
	model  model.Model
	policy [][]string
	state  atomic.Pointer[enforcerState]
}

type enforcerState struct {
	casbin  *casbin.SyncedEnforcer
	domains map[int64][]string // user → domains of their grants
	grants  map[int64][]domain.Grant
	// decided remembers each user's decisions for this set of grants: a
	// page asks the same dozen questions for its menu and links on every
	// request, and casbin's matcher is the costlier part of it. The cache
	// goes with the state, so new grants start afresh.
	decided sync.Map // decisionKey → Decision
}

type decisionKey struct {
	user     int64
	resource Resource
	action   Action
}

// New loads the model and policy from the policies folder and checks that
// the policy names only known roles, resources and actions.
func New() (*Enforcer, error) {
	return newEnforcer(policies.Model, policies.Policy)
}

func newEnforcer(modelText, policyText string) (*Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("casbin model: %w", err)
	}
	rules, err := parsePolicy(policyText)
	if err != nil {
		return nil, err
	}
	e := &Enforcer{model: m, policy: rules}
	if err := e.SetGrants(nil); err != nil {
		return nil, err
	}
	return e, nil
}

func parsePolicy(text string) ([][]string, error) {
	var rules [][]string
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		if len(f) != 4 || f[0] != "p" {
			return nil, fmt.Errorf("policy.csv line %d: want \"p, role, resource, action\"", n+1)
		}
		if !domain.Role(f[1]).Valid() {
			return nil, fmt.Errorf("policy.csv line %d: unknown role %q", n+1, f[1])
		}
		if _, ok := resources[Resource(f[2])]; !ok {
			return nil, fmt.Errorf("policy.csv line %d: unknown resource %q", n+1, f[2])
		}
		if !slices.Contains(actions, Action(f[3])) {
			return nil, fmt.Errorf("policy.csv line %d: unknown action %q", n+1, f[3])
		}
		rules = append(rules, f[1:])
	}
	return rules, nil
}

const globalDomain = "*"

func subject(userID int64) string { return "u:" + strconv.FormatInt(userID, 10) }

func departmentDomain(id int64) string { return "d:" + strconv.FormatInt(id, 10) }

// SetGrants replaces the role grants the decisions are based on. Grants of
// disabled users must already be left out.
func (e *Enforcer) SetGrants(grants []domain.Grant) error {
	ce, err := casbin.NewSyncedEnforcer(e.model.Copy())
	if err != nil {
		return fmt.Errorf("casbin: %w", err)
	}
	ce.AddNamedDomainMatchingFunc("g", "keyMatch", util.KeyMatch)
	if _, err := ce.AddPolicies(e.policy); err != nil {
		return fmt.Errorf("casbin policy: %w", err)
	}
	st := &enforcerState{casbin: ce, domains: map[int64][]string{}, grants: map[int64][]domain.Grant{}}
	var rules [][]string
	for _, g := range grants {
		dom := globalDomain
		if g.DepartmentID != nil {
			dom = departmentDomain(*g.DepartmentID)
		}
		rules = append(rules, []string{subject(g.UserID), string(g.Role), dom})
		if !slices.Contains(st.domains[g.UserID], dom) {
			st.domains[g.UserID] = append(st.domains[g.UserID], dom)
		}
		st.grants[g.UserID] = append(st.grants[g.UserID], g)
	}
	if len(rules) > 0 {
		if _, err := ce.AddGroupingPolicies(rules); err != nil {
			return fmt.Errorf("casbin grants: %w", err)
		}
	}
	e.state.Store(st)
	return nil
}

// Grants returns the grants of a user as currently loaded.
func (e *Enforcer) Grants(userID int64) []domain.Grant {
	return e.state.Load().grants[userID]
}

// Decide answers whether the user may do what the permission names.
// Public and Authenticated rules are decided by the caller's login state,
// not here; for them Decide allows globally.
func (e *Enforcer) Decide(userID int64, p Permission) Decision {
	if !p.NeedsRole() {
		return Decision{Allowed: true, Global: true}
	}
	st := e.state.Load()
	key := decisionKey{userID, p.Resource, p.Action}
	if d, ok := st.decided.Load(key); ok {
		return d.(Decision).clone()
	}
	d := st.decide(userID, p)
	st.decided.Store(key, d)
	return d.clone()
}

// clone gives the caller its own department list to keep or extend.
func (d Decision) clone() Decision {
	d.Departments = slices.Clone(d.Departments)
	return d
}

func (st *enforcerState) decide(userID int64, p Permission) Decision {
	sub, obj, act := subject(userID), string(p.Resource), string(p.Action)
	if ok, _ := st.casbin.Enforce(sub, globalDomain, obj, act); ok {
		return Decision{Allowed: true, Global: true}
	}
	if !slices.Contains(resources[p.Resource], p.Action) {
		return Decision{}
	}
	var d Decision
	for _, dom := range st.domains[userID] {
		if dom == globalDomain {
			continue
		}
		if ok, _ := st.casbin.Enforce(sub, dom, obj, act); ok {
			id, _ := strconv.ParseInt(strings.TrimPrefix(dom, "d:"), 10, 64)
			d.Departments = append(d.Departments, id)
		}
	}
	d.Allowed = len(d.Departments) > 0
	return d
}
