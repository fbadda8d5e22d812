package webui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/german"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// structureRoutes are the pages of the Informationsverbund: the
// organisation tree, the scopes, and their target objects with protection
// needs and modelling (BSI-Standard 200-2, reference documents A.1–A.3).
func (u *UI) structureRoutes() []route.Route {
	deptRead, deptWrite := authz.Require(authz.ResourceDepartments, authz.ActionRead), authz.Require(authz.ResourceDepartments, authz.ActionWrite)
	scopeRead, scopeWrite := authz.Require(authz.ResourceScopes, authz.ActionRead), authz.Require(authz.ResourceScopes, authz.ActionWrite)
	objRead, objWrite := authz.Require(authz.ResourceObjects, authz.ActionRead), authz.Require(authz.ResourceObjects, authz.ActionWrite)
	get, post := http.MethodGet, http.MethodPost
	return []route.Route{
		{Method: get, Path: "/departments", Perm: deptRead, Handler: u.departmentsPage},
		{Method: post, Path: "/departments", Perm: deptWrite, Handler: u.createDepartment},
		{Method: post, Path: "/departments/:id", Perm: deptWrite, Handler: u.updateDepartment},
		{Method: post, Path: "/departments/:id/delete", Perm: deptWrite, Handler: u.deleteDepartment},

		{Method: get, Path: "/scopes", Perm: scopeRead, Handler: u.scopesPage},
		{Method: post, Path: "/scopes", Perm: scopeWrite, Handler: u.createScope},
		{Method: get, Path: "/scopes/:id", Perm: scopeRead, Handler: u.scopePage},
		{Method: post, Path: "/scopes/:id", Perm: scopeWrite, Handler: u.updateScope},
		{Method: get, Path: "/scopes/:id/objects", Perm: objRead, Handler: u.objectsPage},
		{Method: post, Path: "/scopes/:id/objects", Perm: objWrite, Handler: u.createObject},
		{Method: get, Path: "/scopes/:id/objects/new", Perm: objWrite, Handler: u.newObjectPage},
		{Method: get, Path: "/scopes/:id/needs", Perm: objRead, Handler: u.needsPage},
		{Method: get, Path: "/scopes/:id/modelling", Perm: objRead, Handler: u.modellingPage},
		{Method: post, Path: "/scopes/:id/modelling", Perm: objWrite, Handler: u.assignBulk},

		{Method: get, Path: "/objects/:id", Perm: objRead, Handler: u.objectPage},
		{Method: post, Path: "/objects/:id", Perm: objWrite, Handler: u.updateObject},
		{Method: get, Path: "/objects/:id/edit", Perm: objWrite, Handler: u.editObjectPage},
		{Method: post, Path: "/objects/:id/delete", Perm: objWrite, Handler: u.deleteObject},
		{Method: post, Path: "/objects/:id/needs", Perm: objWrite, Handler: u.setNeeds},
		{Method: post, Path: "/objects/:id/dependencies", Perm: objWrite, Handler: u.addDependency},
		{Method: post, Path: "/objects/:id/dependencies/:target/remove", Perm: objWrite, Handler: u.removeDependency},
		{Method: post, Path: "/objects/:id/modules", Perm: objWrite, Handler: u.assignModules},
		{Method: post, Path: "/objects/:id/modules/:module/remove", Perm: objWrite, Handler: u.unassignModule},
	}
}

// allowed tells whether the user's roles allow an action anywhere.
func (u *UI) allowed(c *gin.Context, r authz.Resource, a authz.Action) bool {
	p, _ := route.Principal(c)
	return u.Authz.Decide(p.User.ID, authz.Require(r, a)).Allowed
}

// visibilityFor is what the user may see or change of target objects,
// whatever the route's own permission is about (a scope page shows the
// figures of the objects the reader may see).
func (u *UI) visibilityFor(c *gin.Context, a authz.Action) postgres.Visibility {
	return u.visibilityOf(c, authz.Require(authz.ResourceObjects, a))
}

// visibilityOf is what the user's grants for perm reach: everything, some
// department subtrees, or nothing.
func (u *UI) visibilityOf(c *gin.Context, perm authz.Permission) postgres.Visibility {
	p, _ := route.Principal(c)
	d := u.Authz.Decide(p.User.ID, perm)
	if !d.Allowed {
		return postgres.Visibility{Departments: []int64{}}
	}
	return postgres.Visibility{All: d.Global, Departments: d.Departments}
}

// run runs fn in one transaction on behalf of the request's user.
func (u *UI) run(c *gin.Context, fn func(tx *postgres.Tx) error) error {
	return u.DB.InTx(c.Request.Context(), route.Actor(c), fn)
}

// inTx runs fn in one transaction on behalf of the request's user and
// returns what it made.
func inTx[T any](u *UI, c *gin.Context, fn func(tx *postgres.Tx) (T, error)) (T, error) {
	return postgres.InTxValue(c.Request.Context(), u.DB, route.Actor(c), fn)
}

var (
	errScopeNotFound  = domain.Errorf(domain.ErrNotFound, "no such scope").De("Diesen Informationsverbund gibt es nicht.")
	errObjectNotFound = domain.Errorf(domain.ErrNotFound, "no such object").De("Dieses Zielobjekt gibt es nicht.")
	errDeptNotFound   = domain.Errorf(domain.ErrNotFound, "no such department").De("Diese Organisationseinheit gibt es nicht.")
)

// pathID reads a positive numeric path parameter; anything else is the
// given not-found error, as for a missing record.
func pathID(c *gin.Context, name string, notFound error) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound
	}
	return id, nil
}

// recordOfPath reads the record the path's id names; an id that is not a
// number is notFound, like a record that does not exist.
func recordOfPath[T any](c *gin.Context, notFound error, read func(context.Context, int64) (T, error)) (T, error) {
	id, err := pathID(c, "id", notFound)
	if err != nil {
		var none T
		return none, err
	}
	return read(c.Request.Context(), id)
}

// visibleOfPath is recordOfPath for a record read as vis lets see it: one
// outside of it is not found, exactly like a missing one.
func visibleOfPath[T any](c *gin.Context, notFound error, read func(context.Context, int64, postgres.Visibility) (T, error),
	vis postgres.Visibility) (T, error) {
	return recordOfPath(c, notFound, func(ctx context.Context, id int64) (T, error) { return read(ctx, id, vis) })
}

// formID reads a record's number from a form field; what does not parse
// is 0, which the input's Validate refuses as an unknown record.
func formID(v string) int64 {
	id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// formOptionalID reads the id a form's select field names, nil when
// none is chosen.
func formOptionalID(c *gin.Context, field string) *int64 {
	v := c.PostForm(field)
	if v == "" {
		return nil
	}
	id := formID(v)
	return &id
}

// formVersion is the version a form was rendered with; a form without
// one cannot prove that it saw the current state.
func formVersion(c *gin.Context) int {
	v, err := strconv.Atoi(c.PostForm("version"))
	if err != nil || v <= 0 {
		return -1
	}
	return v
}

func scopeURL(id int64) string  { return "/scopes/" + strconv.FormatInt(id, 10) }
func objectURL(id int64) string { return "/objects/" + strconv.FormatInt(id, 10) }

// num prints a count the German way, with a dot between thousands.
type num int

func (n num) String() string { return german.Count(int(n)) }

// deptOption is a department in a select, indented by its depth.
type deptOption struct {
	ID    int64
	Label string
	Code  string
}

// subtreeOf returns the departments below (and including) the roots, in
// the depth-first order of ListDepartments; all of them when roots is nil.
func subtreeOf(ds []domain.Department, vis postgres.Visibility) []domain.Department {
	if vis.All {
		return ds
	}
	in := map[int64]bool{}
	for _, r := range vis.Departments {
		in[r] = true
	}
	var out []domain.Department
	for _, d := range ds { // parents come before their children
		if in[d.ID] || d.ParentID != nil && in[*d.ParentID] {
			in[d.ID] = true
			out = append(out, d)
		}
	}
	return out
}

func deptOptions(ds []domain.Department) []deptOption {
	out := make([]deptOption, len(ds))
	minDepth := 0
	if len(ds) > 0 {
		minDepth = ds[0].Depth
		for _, d := range ds {
			minDepth = min(minDepth, d.Depth)
		}
	}
	for i, d := range ds {
		out[i] = deptOption{ID: d.ID, Label: strings.Repeat("\u00a0\u00a0\u00a0", d.Depth-minDepth) + d.Name, Code: d.Code}
	}
	return out
}

// safeBack returns a same-site path under prefix to go back to after a
// form, or fallback.
func safeBack(v, prefix, fallback string) string {
	if v == "" || !strings.HasPrefix(v, prefix) || strings.ContainsAny(v, "\\\r\n") {
		return fallback
	}
	p, err := url.Parse(v)
	if err != nil || p.Scheme != "" || p.Host != "" || !strings.HasPrefix(p.Path, prefix) {
		return fallback
	}
	return v
}

// needOptions are the protection needs in a select.
var needOptions = []domain.Need{domain.NeedUnknown, domain.NeedNormal, domain.NeedHigh, domain.NeedVeryHigh}

// overrideKinds are the kinds of departing from the maximum principle.
var overrideKinds = []domain.OverrideKind{domain.OverrideNone, domain.OverrideCumulation, domain.OverrideDistribution, domain.OverrideManual}

// objectTypes are the types a user may give an object (the scope's own
// object is made with the scope).
func objectTypes() []domain.ObjectType {
	var out []domain.ObjectType
	for _, t := range domain.ObjectTypes {
		if t != domain.ObjectScope {
			out = append(out, t)
		}
	}
	return out
}
