package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

func (a *API) structureRoutes() []route.Route {
	deptRead, deptWrite := authz.Require(authz.ResourceDepartments, authz.ActionRead), authz.Require(authz.ResourceDepartments, authz.ActionWrite)
	scopeRead, scopeWrite := authz.Require(authz.ResourceScopes, authz.ActionRead), authz.Require(authz.ResourceScopes, authz.ActionWrite)
	objRead, objWrite := authz.Require(authz.ResourceObjects, authz.ActionRead), authz.Require(authz.ResourceObjects, authz.ActionWrite)
	get, post, patch, put, del := http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete
	return []route.Route{
		{Method: get, Path: "/api/v1/departments", Perm: deptRead, Handler: a.listDepartments,
			Summary: "The organisation tree, depth first", Response: "department.json", List: true},
		{Method: post, Path: "/api/v1/departments", Perm: deptWrite, Handler: a.createDepartment,
			Summary: "Add a department", Request: "department-create.json", Response: "department.json", Status: http.StatusCreated},
		{Method: get, Path: "/api/v1/departments/:id", Perm: deptRead, Handler: a.getDepartment,
			Summary: "One department; the ETag is its version", Response: "department.json"},
		{Method: patch, Path: "/api/v1/departments/:id", Perm: deptWrite, Handler: a.updateDepartment, IfMatch: true,
			Summary: "Rename or move a department", Request: "department-update.json", Response: "department.json"},
		{Method: del, Path: "/api/v1/departments/:id", Perm: deptWrite, Handler: a.deleteDepartment,
			Summary: "Remove a department nothing refers to", Status: http.StatusNoContent},

		{Method: get, Path: "/api/v1/scopes", Perm: scopeRead, Handler: a.listScopes,
			Summary: "The scopes (Informationsverbünde) with their figures", Response: "scope.json", List: true},
		{Method: post, Path: "/api/v1/scopes", Perm: scopeWrite, Handler: a.createScope,
			Summary: "Add a scope; it becomes a target object of its own for scope-wide modules", Request: "scope-create.json", Response: "scope.json", Status: http.StatusCreated},
		{Method: get, Path: "/api/v1/scopes/:id", Perm: scopeRead, Handler: a.getScope,
			Summary: "One scope with its figures; the ETag is its version", Response: "scope.json"},
		{Method: patch, Path: "/api/v1/scopes/:id", Perm: scopeWrite, Handler: a.updateScope, IfMatch: true,
			Summary: "Change a scope", Request: "scope-update.json", Response: "scope.json"},
		{Method: get, Path: "/api/v1/scopes/:id/objects", Perm: objRead, Handler: a.listObjects,
			Summary: "The scope's target objects with their protection needs (A.1, A.2), filtered, sorted, paged", Response: "object.json", List: true,
			Query: objectListParams},
		{Method: post, Path: "/api/v1/scopes/:id/objects", Perm: objWrite, Handler: a.createObject,
			Summary: "Add a target object", Request: "object-create.json", Response: "object.json", Status: http.StatusCreated},
		{Method: get, Path: "/api/v1/scopes/:id/modelling", Perm: objRead, Handler: a.modelling,
			Summary: "The modelling (A.3): every assigned module with its objects", Response: "modelling-row.json", List: true},
		{Method: post, Path: "/api/v1/scopes/:id/modelling", Perm: objWrite, Handler: a.assignBulk,
			Summary: "Assign modules to a selection of objects in one transaction", Request: "modules-assign.json", Status: http.StatusNoContent},

		{Method: get, Path: "/api/v1/objects/:id", Perm: objRead, Handler: a.getObject,
			Summary: "One target object with its protection needs; the ETag is its version", Response: "object.json"},
		{Method: patch, Path: "/api/v1/objects/:id", Perm: objWrite, Handler: a.updateObject, IfMatch: true,
			Summary: "Change a target object", Request: "object-update.json", Response: "object.json"},
		{Method: del, Path: "/api/v1/objects/:id", Perm: objWrite, Handler: a.deleteObject,
			Summary: "Remove a target object on which nothing depends", Status: http.StatusNoContent},
		{Method: put, Path: "/api/v1/objects/:id/needs", Perm: objWrite, Handler: a.setNeeds, IfMatch: true,
			Summary: "Set the own assessment and overrides per objective; the scope is recomputed by the maximum principle",
			Request: "needs-update.json", Response: "object.json"},
		{Method: get, Path: "/api/v1/objects/:id/dependencies", Perm: objRead, Handler: a.dependencies,
			Summary: "What the object depends on, and what depends on it", Response: "dependencies.json"},
		{Method: post, Path: "/api/v1/objects/:id/dependencies", Perm: objWrite, Handler: a.addDependency,
			Summary: "Record that the object depends on another", Request: "dependency-create.json", Status: http.StatusNoContent},
		{Method: del, Path: "/api/v1/objects/:id/dependencies/:target", Perm: objWrite, Handler: a.removeDependency,
			Summary: "Remove a dependency", Status: http.StatusNoContent},
		{Method: get, Path: "/api/v1/objects/:id/modules", Perm: objRead, Handler: a.objectModules,
			Summary: "The modules assigned to the object, and suggestions from the catalog's modelling hints", Response: "object-modules.json"},
		{Method: post, Path: "/api/v1/objects/:id/modules", Perm: objWrite, Handler: a.assignToObject,
			Summary: "Assign modules to the object", Request: "modules-assign.json", Status: http.StatusNoContent},
		{Method: del, Path: "/api/v1/objects/:id/modules/:module", Perm: objWrite, Handler: a.unassign,
			Summary: "Remove a module from the object", Status: http.StatusNoContent},
	}
}

var objectListParams = []route.Param{
	{Name: "q", Type: "string", Help: "text in name, short ID or external ID"},
	{Name: "type", Type: "string", Help: "object type, e.g. it_system"},
	{Name: "department", Type: "integer", Help: "department id; its subtree is included"},
	{Name: "tag", Type: "string", Help: "objects with this tag"},
	{Name: "gaps", Type: "boolean", Help: "true: only objects without module and not flagged as having no suitable one"},
	{Name: "flagged", Type: "boolean", Help: "true: only objects flagged as having no suitable module"},
	{Name: "cycle", Type: "boolean", Help: "true: only objects on a dependency cycle"},
	{Name: "undetermined", Type: "boolean", Help: "true: only objects with an objective without protection need"},
	{Name: "need", Type: "string", Help: "only objects with at least this effective need in some objective: normal, high, very_high"},
	{Name: "sort", Type: "string", Help: "name, short_id, type, department, updated or need; prefix - for descending"},
	{Name: "limit", Type: "integer", Help: "objects per page, 1 to 500 (default 50)"},
	cursorParam,
}

// run runs fn in a transaction on behalf of the request's user.
func (a *API) run(c *gin.Context, fn func(tx *postgres.Tx) error) error {
	return a.DB.InTx(c.Request.Context(), route.Actor(c), fn)
}

// inTx runs fn in one transaction as the request's actor and returns
// what it made.
func inTx[T any](a *API, c *gin.Context, fn func(tx *postgres.Tx) (T, error)) (T, error) {
	return postgres.InTxValue(c.Request.Context(), a.DB, route.Actor(c), fn)
}

type departmentResponse struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Code     string `json:"code"`
	ParentID *int64 `json:"parent_id"`
	Depth    int    `json:"depth"`
	Version  int    `json:"version"`
}

func newDepartmentResponse(d domain.Department) departmentResponse {
	return departmentResponse{ID: d.ID, Name: d.Name, Code: d.Code, ParentID: d.ParentID, Depth: d.Depth, Version: d.Version}
}

func (a *API) listDepartments(c *gin.Context) error {
	ds, err := a.DB.ListDepartments(c.Request.Context())
	return answerList(c, ds, err, newDepartmentResponse)
}

func (a *API) writeDepartment(c *gin.Context, status int, id int64) error {
	d, err := a.DB.DepartmentByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	writeVersioned(c, status, d.Version, newDepartmentResponse(d))
	return nil
}

func (a *API) getDepartment(c *gin.Context) error {
	return getByPath(c, a.writeDepartment)
}

func (a *API) createDepartment(c *gin.Context) error {
	var req struct {
		Name     string `json:"name"`
		Code     string `json:"code"`
		ParentID *int64 `json:"parent_id"`
	}
	if err := a.decode(c, &req); err != nil {
		return err
	}
	d, err := inTx(a, c, func(tx *postgres.Tx) (domain.Department, error) {
		return tx.CreateDepartment(c.Request.Context(), domain.DepartmentInput{Name: req.Name, Code: req.Code, ParentID: req.ParentID})
	})
	if err != nil {
		return err
	}
	setLocation(c, "/api/v1/departments/", d.ID)
	return a.writeDepartment(c, http.StatusCreated, d.ID)
}

func (a *API) updateDepartment(c *gin.Context) error {
	var req struct {
		Name     Optional[string] `json:"name"`
		Code     Optional[string] `json:"code"`
		ParentID Optional[*int64] `json:"parent_id"`
	}
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	ch := domain.DepartmentChange{Name: req.Name.Change(), Code: req.Code.Change(), ParentID: req.ParentID.Change()}
	err = a.run(c, func(tx *postgres.Tx) error {
		_, err := tx.UpdateDepartment(c.Request.Context(), id, version, ch)
		return err
	})
	if err != nil {
		return err
	}
	return a.writeDepartment(c, http.StatusOK, id)
}

func (a *API) deleteDepartment(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return noContent(c, a.run(c, func(tx *postgres.Tx) error { return tx.DeleteDepartment(c.Request.Context(), id) }))
}

type scopeResponse struct {
	ID           int64           `json:"id"`
	Name         string          `json:"name"`
	Description  string          `json:"description"`
	CatalogID    int64           `json:"catalog_id"`
	CatalogTitle string          `json:"catalog_title"`
	Approach     domain.Approach `json:"approach"`
	ISBUserID    *int64          `json:"isb_user_id"`
	ISBName      string          `json:"isb_name,omitempty"`
	ObjectID     int64           `json:"object_id"`
	Objects      int             `json:"objects"`
	Gaps         int             `json:"gaps"`
	Undetermined int             `json:"undetermined"`
	Cycles       int             `json:"cycles"`
	Version      int             `json:"version"`
}

func newScopeResponse(s postgres.ScopeSummary) scopeResponse {
	return scopeResponse{ID: s.ID, Name: s.Name, Description: s.Description, CatalogID: s.CatalogID,
		CatalogTitle: s.CatalogTitle + " " + s.CatalogVersion, Approach: s.Approach, ISBUserID: s.ISBUserID, ISBName: s.ISBName,
		ObjectID: s.ObjectID, Objects: s.Objects, Gaps: s.Gaps, Undetermined: s.Undetermined, Cycles: s.Cycles, Version: s.Version}
}

// objectVisibility is what the user may see of objects, whatever the
// route's own permission is about.
func (a *API) objectVisibility(c *gin.Context) postgres.Visibility {
	p, _ := route.Principal(c)
	d := a.Authz.Decide(p.User.ID, authz.Require(authz.ResourceObjects, authz.ActionRead))
	return postgres.Visibility{All: d.Global, Departments: d.Departments}
}

func (a *API) listScopes(c *gin.Context) error {
	ss, err := a.DB.ListScopes(c.Request.Context(), a.objectVisibility(c))
	return answerList(c, ss, err, newScopeResponse)
}

func (a *API) writeScope(c *gin.Context, status int, id int64) error {
	s, err := a.DB.ScopeByID(c.Request.Context(), id, a.objectVisibility(c))
	if err != nil {
		return err
	}
	writeVersioned(c, status, s.Version, newScopeResponse(s))
	return nil
}

func (a *API) getScope(c *gin.Context) error {
	return getByPath(c, a.writeScope)
}

type scopeRequest struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	CatalogID   int64           `json:"catalog_id"`
	Approach    domain.Approach `json:"approach"`
	ISBUserID   *int64          `json:"isb_user_id"`
}

func (a *API) createScope(c *gin.Context) error {
	var req scopeRequest
	if err := a.decode(c, &req); err != nil {
		return err
	}
	s, err := inTx(a, c, func(tx *postgres.Tx) (domain.Scope, error) {
		return tx.CreateScope(c.Request.Context(), domain.ScopeInput(req))
	})
	if err != nil {
		return err
	}
	setLocation(c, "/api/v1/scopes/", s.ID)
	return a.writeScope(c, http.StatusCreated, s.ID)
}

func (a *API) updateScope(c *gin.Context) error {
	var req struct {
		Name        Optional[string]          `json:"name"`
		Description Optional[string]          `json:"description"`
		CatalogID   Optional[int64]           `json:"catalog_id"`
		Approach    Optional[domain.Approach] `json:"approach"`
		ISBUserID   Optional[*int64]          `json:"isb_user_id"`
	}
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	ch := domain.ScopeChange{Name: req.Name.Change(), Description: req.Description.Change(), CatalogID: req.CatalogID.Change(),
		Approach: req.Approach.Change(), ISBUserID: req.ISBUserID.Change()}
	if err := a.run(c, func(tx *postgres.Tx) error {
		_, err := tx.UpdateScope(c.Request.Context(), id, version, ch)
		return err
	}); err != nil {
		return err
	}
	return a.writeScope(c, http.StatusOK, id)
}

type needResponse struct {
	Own            *string        `json:"own"`
	OwnReason      string         `json:"own_reason,omitempty"`
	OverrideKind   string         `json:"override_kind,omitempty"`
	Override       *string        `json:"override"`
	OverrideReason string         `json:"override_reason,omitempty"`
	Inherited      *string        `json:"inherited"`
	InheritedFrom  *objectRefJSON `json:"inherited_from"`
	Effective      *string        `json:"effective"`
	Source         string         `json:"source"`
	Cycle          int            `json:"cycle,omitempty"`
	Warning        string         `json:"warning,omitempty"` // why the override does not do what its kind says
}

type objectRefJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

func needCode(n domain.Need) *string {
	if n == domain.NeedUnknown {
		return nil
	}
	s := n.Code()
	return &s
}

func newNeedResponse(n domain.ObjectNeed) needResponse {
	r := needResponse{Own: needCode(n.Own), OwnReason: n.OwnReason, OverrideKind: string(n.OverrideKind), Override: needCode(n.Override),
		OverrideReason: n.OverrideReason, Inherited: needCode(n.Inherited), Effective: needCode(n.Effective), Source: string(n.Source), Cycle: n.Cycle}
	if n.InheritedFrom != 0 {
		r.InheritedFrom = &objectRefJSON{ID: n.InheritedFrom, Name: n.InheritedFromName, Type: string(n.InheritedFromType)}
	}
	r.Warning, _ = n.OverrideNote()
	return r
}

type objectResponse struct {
	ID                   int64                   `json:"id"`
	ScopeID              int64                   `json:"scope_id"`
	Type                 domain.ObjectType       `json:"type"`
	ShortID              string                  `json:"short_id"`
	Name                 string                  `json:"name"`
	Description          string                  `json:"description"`
	DepartmentID         *int64                  `json:"department_id"`
	Department           string                  `json:"department,omitempty"`
	Responsible          string                  `json:"responsible"`
	Location             string                  `json:"location"`
	ExternalID           string                  `json:"external_id,omitempty"`
	Tags                 []string                `json:"tags"`
	NoSuitableModule     bool                    `json:"no_suitable_module"`
	UntypicalEnvironment bool                    `json:"untypical_environment"`
	Group                bool                    `json:"group"`
	Members              int                     `json:"members"`
	GroupID              *int64                  `json:"group_id"`
	Modules              int                     `json:"modules"`
	Gap                  bool                    `json:"gap"`
	NeedsRiskAnalysis    bool                    `json:"needs_risk_analysis"`
	Needs                map[string]needResponse `json:"needs"`
	UpdatedAt            time.Time               `json:"updated_at"`
	Version              int                     `json:"version"`
}

func newObjectResponse(o domain.Object) objectResponse {
	r := objectResponse{ID: o.ID, ScopeID: o.ScopeID, Type: o.Type, ShortID: o.ShortID, Name: o.Name, Description: o.Description,
		DepartmentID: o.DepartmentID, Department: o.DepartmentName, Responsible: o.Responsible, Location: o.Location,
		ExternalID: o.ExternalID, Tags: orNoStrings(o.Tags), NoSuitableModule: o.NoSuitableModule,
		UntypicalEnvironment: o.UntypicalEnvironment, Group: o.Group, Members: o.Members, GroupID: o.GroupID, Modules: o.Modules, Gap: o.Gap(),
		NeedsRiskAnalysis: o.NeedsRiskAnalysis(), Needs: map[string]needResponse{}, UpdatedAt: o.UpdatedAt, Version: o.Version}
	for _, obj := range domain.Objectives {
		r.Needs[obj.Code()] = newNeedResponse(o.Needs[obj])
	}
	return r
}

func (a *API) listObjects(c *gin.Context) error {
	scopeID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f, err := domain.ParseObjectFilter(c.Request.URL.Query())
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	vis := route.Visibility(c)
	if _, err := a.DB.ScopeByID(ctx, scopeID, vis); err != nil {
		return err
	}
	objs, total, err := a.DB.ListObjects(ctx, scopeID, f, vis)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newCountedList(convertAll(objs, newObjectResponse), f.Offset, total))
	return nil
}

// objectRequest is the body of create and update; as an update a merge
// patch: absent members stay, null clears.
type objectRequest struct {
	Type                 Optional[domain.ObjectType] `json:"type"`
	Name                 Optional[string]            `json:"name"`
	ShortID              Optional[string]            `json:"short_id"`
	Description          Optional[string]            `json:"description"`
	DepartmentID         Optional[*int64]            `json:"department_id"`
	Responsible          Optional[string]            `json:"responsible"`
	Location             Optional[string]            `json:"location"`
	ExternalID           Optional[string]            `json:"external_id"`
	Tags                 Optional[[]string]          `json:"tags"`
	NoSuitableModule     Optional[bool]              `json:"no_suitable_module"`
	UntypicalEnvironment Optional[bool]              `json:"untypical_environment"`
	Group                Optional[bool]              `json:"group"`
	Members              Optional[int]               `json:"members"`
	GroupID              Optional[*int64]            `json:"group_id"`
}

// change is the request as a change of the object; applied to the zero
// object, the input of a new one.
func (r objectRequest) change() domain.ObjectChange {
	return domain.ObjectChange{Type: r.Type.Change(), ShortID: r.ShortID.Change(), Name: r.Name.Change(), Description: r.Description.Change(),
		Responsible: r.Responsible.Change(), Location: r.Location.Change(), ExternalID: r.ExternalID.Change(), Tags: r.Tags.Change(),
		NoSuitableModule: r.NoSuitableModule.Change(), UntypicalEnvironment: r.UntypicalEnvironment.Change(),
		DepartmentID: r.DepartmentID.Change(), Group: r.Group.Change(), Members: r.Members.Change(), GroupID: r.GroupID.Change()}
}

func (a *API) writeObject(c *gin.Context, status int, id int64) error {
	o, err := a.DB.ObjectByID(c.Request.Context(), id, a.objectVisibility(c))
	if err != nil {
		return err
	}
	writeVersioned(c, status, o.Version, newObjectResponse(o))
	return nil
}

func (a *API) createObject(c *gin.Context) error {
	var req objectRequest
	scopeID, err := a.decodeAt(c, &req)
	if err != nil {
		return err
	}
	in := req.change().Apply(domain.Object{})
	var o domain.Object
	ctx := c.Request.Context()
	if _, err := a.DB.ScopeByID(ctx, scopeID, route.Visibility(c)); err != nil {
		return err
	}
	err = a.run(c, func(tx *postgres.Tx) error {
		var err error
		o, err = tx.CreateObject(ctx, scopeID, in, route.Visibility(c))
		return err
	})
	if err != nil {
		return err
	}
	setLocation(c, "/api/v1/objects/", o.ID)
	return a.writeObject(c, http.StatusCreated, o.ID)
}

func (a *API) getObject(c *gin.Context) error {
	return getByPath(c, a.writeObject)
}

func (a *API) updateObject(c *gin.Context) error {
	var req objectRequest
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	ctx, vis := c.Request.Context(), route.Visibility(c)
	if err := a.run(c, func(tx *postgres.Tx) error {
		_, err := tx.UpdateObject(ctx, id, version, req.change(), vis)
		return err
	}); err != nil {
		return err
	}
	return a.writeObject(c, http.StatusOK, id)
}

func (a *API) deleteObject(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return noContent(c, a.run(c, func(tx *postgres.Tx) error { return tx.DeleteObject(c.Request.Context(), id, route.Visibility(c)) }))
}

func (a *API) setNeeds(c *gin.Context) error {
	type needJSON struct {
		Own            *string              `json:"own"`
		OwnReason      string               `json:"own_reason"`
		OverrideKind   *domain.OverrideKind `json:"override_kind"`
		Override       *string              `json:"override"`
		OverrideReason string               `json:"override_reason"`
	}
	var req map[string]needJSON
	id, version, err := a.decodeUpdate(c, &req)
	if err != nil {
		return err
	}
	var in [3]domain.NeedInput
	for _, o := range domain.Objectives {
		n := req[o.Code()]
		in[o] = domain.NeedInput{Own: parseNeed(n.Own), OwnReason: n.OwnReason, Override: parseNeed(n.Override), OverrideReason: n.OverrideReason}
		if n.OverrideKind != nil {
			in[o].OverrideKind = *n.OverrideKind
		}
	}
	if err := a.run(c, func(tx *postgres.Tx) error {
		_, err := tx.SetNeeds(c.Request.Context(), id, version, in, route.Visibility(c))
		return err
	}); err != nil {
		return err
	}
	return a.writeObject(c, http.StatusOK, id)
}

func parseNeed(s *string) domain.Need {
	if s == nil {
		return domain.NeedUnknown
	}
	n, _ := domain.ParseNeed(*s) // the schema admits only known codes
	return n
}

type relatedResponse struct {
	ID      int64             `json:"id"`
	ShortID string            `json:"short_id"`
	Name    string            `json:"name"`
	Type    domain.ObjectType `json:"type"`
	C       *string           `json:"c"`
	I       *string           `json:"i"`
	A       *string           `json:"a"`
}

func newRelated(rs []postgres.Related) []relatedResponse {
	out := make([]relatedResponse, len(rs))
	for i, r := range rs {
		out[i] = relatedResponse{ID: r.ID, ShortID: r.ShortID, Name: r.Name, Type: r.Type,
			C: needCode(domain.Need(r.C)), I: needCode(domain.Need(r.I)), A: needCode(domain.Need(r.A))}
	}
	return out
}

func (a *API) dependencies(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, vis := c.Request.Context(), route.Visibility(c)
	if _, err := a.DB.ObjectByID(ctx, id, vis); err != nil {
		return err
	}
	deps, err := a.DB.Dependencies(ctx, id, vis)
	if err != nil {
		return err
	}
	dependents, err := a.DB.Dependents(ctx, id, vis)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"dependencies": newRelated(deps), "dependents": newRelated(dependents)})
	return nil
}

func (a *API) addDependency(c *gin.Context) error {
	var req struct {
		DependsOn int64 `json:"depends_on"`
	}
	return a.linkFromBody(c, &req, &req.DependsOn, (*postgres.Tx).AddDependency)
}

func (a *API) removeDependency(c *gin.Context) error {
	return a.unlinkOfPath(c, "target", (*postgres.Tx).RemoveDependency)
}

// objectLink links an object to another record or unlinks it (a
// dependency, an assigned component), as the reader may see the object.
type objectLink func(tx *postgres.Tx, ctx context.Context, objectID, otherID int64, vis postgres.Visibility) error

// linkFromBody answers 204 to linking the path's object to the record
// *other names once the body is decoded into req.
func (a *API) linkFromBody(c *gin.Context, req any, other *int64, link objectLink) error {
	id, err := a.decodeAt(c, req)
	if err != nil {
		return err
	}
	return a.changeLink(c, id, *other, link)
}

// unlinkOfPath answers 204 to unlinking the path's object from the record
// the path names below it.
func (a *API) unlinkOfPath(c *gin.Context, below string, unlink objectLink) error {
	id, other, err := pathPair(c, below)
	if err != nil {
		return err
	}
	return a.changeLink(c, id, other, unlink)
}

func (a *API) changeLink(c *gin.Context, id, other int64, change objectLink) error {
	return noContent(c, a.run(c, func(tx *postgres.Tx) error {
		return change(tx, c.Request.Context(), id, other, route.Visibility(c))
	}))
}

func (a *API) objectModules(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	o, err := a.DB.ObjectByID(ctx, id, route.Visibility(c))
	if err != nil {
		return err
	}
	scope, err := a.DB.ScopeByID(ctx, o.ScopeID, postgres.Everything)
	if err != nil {
		return err
	}
	assigned, err := a.DB.ObjectModules(ctx, id)
	if err != nil {
		return err
	}
	suggested, err := a.DB.Suggestions(ctx, o, scope.CatalogID)
	if err != nil {
		return err
	}
	type module struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		Layer string `json:"layer,omitempty"`
		Order string `json:"order,omitempty"`
	}
	as, ss := []module{}, []module{}
	for _, m := range assigned {
		as = append(as, module{ID: m.ModuleID, Title: m.Title, Layer: m.GroupKey})
	}
	for _, m := range suggested {
		ss = append(ss, module{ID: m.ModuleID, Title: m.Title, Order: m.Order})
	}
	c.JSON(http.StatusOK, gin.H{"catalog_id": scope.CatalogID, "assigned": as, "suggested": ss})
	return nil
}

func (a *API) assignToObject(c *gin.Context) error {
	var req struct {
		Modules []string `json:"modules"`
		Objects []int64  `json:"objects"`
	}
	id, err := a.decodeAt(c, &req)
	if err != nil {
		return err
	}
	if req.Objects != nil { // the object is the path's; others are not silently left out
		return domain.Invalid(domain.Violation{Pointer: "/objects", Detail: "on an object, give the modules only"})
	}
	ctx, vis := c.Request.Context(), route.Visibility(c)
	o, err := a.DB.ObjectByID(ctx, id, vis)
	if err != nil {
		return err
	}
	return noContent(c, a.run(c, func(tx *postgres.Tx) error {
		_, err := tx.AssignModules(ctx, o.ScopeID, []int64{id}, req.Modules, vis)
		return err
	}))
}

func (a *API) unassign(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return noContent(c, a.run(c, func(tx *postgres.Tx) error {
		return tx.UnassignModule(c.Request.Context(), id, c.Param("module"), route.Visibility(c))
	}))
}

func (a *API) assignBulk(c *gin.Context) error {
	var req struct {
		Modules []string `json:"modules"`
		Objects []int64  `json:"objects"`
	}
	scopeID, err := a.decodeAt(c, &req)
	if err != nil {
		return err
	}
	return noContent(c, a.run(c, func(tx *postgres.Tx) error {
		_, err := tx.AssignModules(c.Request.Context(), scopeID, req.Objects, req.Modules, route.Visibility(c))
		return err
	}))
}

func (a *API) modelling(c *gin.Context) error {
	scopeID, err := a.scopeOfPath(c)
	if err != nil {
		return err
	}
	ctx, vis := c.Request.Context(), route.Visibility(c)
	rows, err := a.DB.Modelling(ctx, scopeID, vis)
	if err != nil {
		return err
	}
	type row struct {
		Module  string               `json:"module"`
		Title   string               `json:"title"`
		Layer   string               `json:"layer"`
		Objects []postgres.ObjectRef `json:"objects"`
	}
	out := make([]row, len(rows))
	for i, r := range rows {
		out[i] = row{Module: r.ModuleID, Title: r.Title, Layer: r.GroupKey, Objects: r.Objects}
	}
	c.JSON(http.StatusOK, newList(out, ""))
	return nil
}
