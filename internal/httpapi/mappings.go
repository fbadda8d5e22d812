package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/catalogimport"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// mappingRoutes are the imported mapping collections and the
// correspondences of one requirement. They are read like catalogs and
// imported through POST /api/v1/catalogs.
func (a *API) mappingRoutes() []route.Route {
	read := authz.Require(authz.ResourceCatalogs, authz.ActionRead)
	return []route.Route{
		{Method: http.MethodGet, Path: "/api/v1/mappings", Perm: read, Handler: a.listMappingCollections,
			Summary:  "The imported mapping collections with their mappings, the catalogs each side resolves to and their counts",
			Response: "mapping-collection.json", List: true},
		{Method: http.MethodGet, Path: "/api/v1/mappings/:id", Perm: read, Handler: a.getMappingCollection,
			Summary:  "One mapping collection with its mappings, their counts and the references no imported catalog resolves",
			Response: "mapping-collection.json"},
		{Method: http.MethodGet, Path: "/api/v1/catalogs/:id/requirements/:requirement/correspondences", Perm: read, Handler: a.correspondences,
			Summary:  "What the requirement maps to and from through the imported mapping collections, with the relationship",
			Response: "correspondence.json", List: true},
	}
}

type mappingCollectionResponse struct {
	postgres.MappingCollectionSummary
	MappingList []postgres.MappingSummary `json:"mapping_list"`
}

type correspondenceResponse struct {
	postgres.Correspondence
	RelationshipLabel string `json:"relationship_label"`
}

func (a *API) withMappings(c *gin.Context, k postgres.MappingCollectionSummary) (mappingCollectionResponse, error) {
	ms, err := a.DB.CollectionMappings(c.Request.Context(), k.ID)
	return mappingCollectionResponse{k, ms}, err
}

func (a *API) listMappingCollections(c *gin.Context) error {
	ks, err := a.DB.ListMappingCollections(c.Request.Context())
	if err != nil {
		return err
	}
	out := make([]mappingCollectionResponse, 0, len(ks))
	for _, k := range ks {
		r, err := a.withMappings(c, k)
		if err != nil {
			return err
		}
		out = append(out, r)
	}
	return answerList(c, out, nil, func(r mappingCollectionResponse) mappingCollectionResponse { return r })
}

func (a *API) getMappingCollection(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	k, err := a.DB.MappingCollectionByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	r, err := a.withMappings(c, k)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, r)
	return nil
}

func (a *API) correspondences(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	// An unknown catalog or requirement answers 404, not an empty list.
	if _, err := a.DB.CatalogRequirement(ctx, id, c.Param("requirement")); err != nil {
		return err
	}
	cs, err := a.DB.Correspondences(ctx, id, c.Param("requirement"))
	return answerList(c, cs, err, func(k postgres.Correspondence) correspondenceResponse {
		return correspondenceResponse{k, k.RelationshipLabel()}
	})
}

// mappingImportAnswer answers the import of a mapping collection with its
// mappings' counts and unresolved references.
func (a *API) mappingImportAnswer(c *gin.Context, res catalogimport.Result) error {
	status := http.StatusCreated
	if res.Unchanged {
		status = http.StatusOK
	}
	k := mappingCollectionResponse{res.Collection, res.Mappings}
	setLocation(c, "/api/v1/mappings/", res.Collection.ID)
	c.JSON(status, importResponse{Kind: res.Kind, Unchanged: res.Unchanged, SHA256: res.SHA256, MappingCollection: &k})
	return nil
}
