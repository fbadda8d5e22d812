package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/catalogimport"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// componentRoutes are the imported component definitions. They are read
// like catalogs and imported through POST /api/v1/catalogs.
func (a *API) componentRoutes() []route.Route {
	read := authz.Require(authz.ResourceCatalogs, authz.ActionRead)
	return []route.Route{
		{Method: http.MethodGet, Path: "/api/v1/component-definitions", Perm: read, Handler: a.listComponentDefinitions,
			Summary:  "The imported component definitions with their counts and how many implemented requirements resolve",
			Response: "component-definition.json", List: true},
		{Method: http.MethodGet, Path: "/api/v1/component-definitions/:id", Perm: read, Handler: a.getComponentDefinition,
			Summary:  "One component definition with its components, their implemented requirements and the catalog requirements each names",
			Response: "component-definition.json"},
	}
}

type componentDefinitionResponse struct {
	ID            int64               `json:"id"`
	Name          string              `json:"name"`
	Title         string              `json:"title"`
	Version       string              `json:"version"`
	UUID          string              `json:"uuid,omitempty"`
	SourceName    string              `json:"source_name"`
	SourceSHA256  string              `json:"source_sha256"`
	ImportedAt    time.Time           `json:"imported_at"`
	Components    int                 `json:"components"`
	Implemented   int                 `json:"implemented"`
	Resolved      int                 `json:"resolved"`
	ComponentList []componentResponse `json:"component_list,omitempty"`
}

type componentResponse struct {
	ID           int64                            `json:"id"`
	DefinitionID int64                            `json:"definition_id"`
	Label        string                           `json:"label"`
	Title        string                           `json:"title"`
	Type         string                           `json:"type"`
	Description  string                           `json:"description"`
	Implemented  []implementedRequirementResponse `json:"implemented_requirements"`
}

type implementedRequirementResponse struct {
	ControlRef   string                         `json:"control_ref"`
	AltID        string                         `json:"alt_id,omitempty"`
	ControlID    string                         `json:"control_id,omitempty"`
	Description  string                         `json:"description"`
	Source       string                         `json:"source"`
	Resolved     bool                           `json:"resolved"`
	Requirements []postgres.ResolvedRequirement `json:"requirements"`
}

func newComponentDefinitionResponse(d postgres.ComponentDefinitionSummary) componentDefinitionResponse {
	return componentDefinitionResponse{ID: d.ID, Name: d.Name, Title: d.Title, Version: d.Version, UUID: d.UUID, SourceName: d.SourceName,
		SourceSHA256: d.SourceSHA256, ImportedAt: d.ImportedAt, Components: d.Components, Implemented: d.Implemented, Resolved: d.Resolved}
}

func newComponentResponse(k postgres.ComponentDetail) componentResponse {
	r := componentResponse{ID: k.ID, DefinitionID: k.DefinitionID, Label: k.Label(), Title: k.Title, Type: k.Type, Description: k.Description,
		Implemented: []implementedRequirementResponse{}}
	for _, q := range k.Requirements {
		reqs := q.Resolved
		if reqs == nil {
			reqs = []postgres.ResolvedRequirement{}
		}
		r.Implemented = append(r.Implemented, implementedRequirementResponse{ControlRef: q.ControlRef, AltID: q.AltID, ControlID: q.ControlID,
			Description: q.Description, Source: q.Source, Resolved: len(q.Resolved) > 0, Requirements: reqs})
	}
	return r
}

func (a *API) listComponentDefinitions(c *gin.Context) error {
	ds, err := a.DB.ListComponentDefinitions(c.Request.Context())
	return answerList(c, ds, err, newComponentDefinitionResponse)
}

func (a *API) getComponentDefinition(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	d, err := a.DB.ComponentDefinitionByID(ctx, id)
	if err != nil {
		return err
	}
	ks, err := a.DB.DefinitionComponents(ctx, id)
	if err != nil {
		return err
	}
	r := newComponentDefinitionResponse(d)
	r.ComponentList = convertAll(ks, newComponentResponse)
	c.JSON(http.StatusOK, r)
	return nil
}

// componentImportAnswer answers the import of a component definition with
// its counts and the references no imported Grundschutz++ catalog resolves.
func (a *API) componentImportAnswer(c *gin.Context, res catalogimport.Result) error {
	status := http.StatusCreated
	if res.Unchanged {
		status = http.StatusOK
	}
	d := newComponentDefinitionResponse(res.Definition)
	setLocation(c, "/api/v1/component-definitions/", res.Definition.ID)
	c.JSON(status, importResponse{Kind: res.Kind, Unchanged: res.Unchanged, SHA256: res.SHA256, ComponentDefinition: &d,
		Unresolved: res.Unresolved})
	return nil
}

// objectComponentRoutes assign components to target objects; they follow
// the visibility of the object like the modelling does.
func (a *API) objectComponentRoutes() []route.Route {
	objRead, objWrite := authz.Require(authz.ResourceObjects, authz.ActionRead), authz.Require(authz.ResourceObjects, authz.ActionWrite)
	return []route.Route{
		{Method: http.MethodGet, Path: "/api/v1/objects/:id/components", Perm: objRead, Handler: a.objectComponents,
			Summary: "The components assigned to the object", Response: "object-components.json"},
		{Method: http.MethodPost, Path: "/api/v1/objects/:id/components", Perm: objWrite, Handler: a.assignComponent,
			Summary: "Assign a component to the object; its implemented requirements' descriptions are offered on the object's check entries",
			Request: "component-assign.json", Status: http.StatusNoContent},
		{Method: http.MethodDelete, Path: "/api/v1/objects/:id/components/:cid", Perm: objWrite, Handler: a.unassignComponent,
			Summary: "Remove a component from the object", Status: http.StatusNoContent},
	}
}

func (a *API) objectComponents(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if _, err := a.DB.ObjectByID(ctx, id, route.Visibility(c)); err != nil {
		return err
	}
	cs, err := a.DB.ObjectComponents(ctx, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"components": cs})
	return nil
}

func (a *API) assignComponent(c *gin.Context) error {
	var req struct {
		Component int64 `json:"component"`
	}
	return a.linkFromBody(c, &req, &req.Component, (*postgres.Tx).AssignComponent)
}

func (a *API) unassignComponent(c *gin.Context) error {
	return a.unlinkOfPath(c, "cid", (*postgres.Tx).UnassignComponent)
}
