package webui

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/catalogimport"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

// mappingRoutes are the pages of the imported mapping collections, which
// are listed on the catalogs page and imported there.
func (u *UI) mappingRoutes() []route.Route {
	return []route.Route{
		{Method: http.MethodGet, Path: "/mappings/:id", Perm: authz.Require(authz.ResourceCatalogs, authz.ActionRead),
			Handler: u.mappingCollectionPage},
	}
}

func mappingCollectionURL(id int64) string { return "/mappings/" + strconv.FormatInt(id, 10) }

// mappingImportMessage tells what the import of a mapping collection did,
// mapping by mapping, with how many references resolve today.
func mappingImportMessage(res catalogimport.Result) string {
	prefix := "Zuordnung (Mapping) importiert"
	if res.Unchanged {
		prefix = "Diese Zuordnung wurde bereits importiert; es hat sich nichts geändert"
	}
	msg := prefix + ":"
	for i, m := range res.Mappings {
		if i > 0 {
			msg += ";"
		}
		msg += fmt.Sprintf(" %s: %d Zuordnungen, %d von %d Quellanforderungen und %d von %d Zielen gefunden",
			m.Name(), m.Maps, m.SourcesResolved, m.SourceRequirements, m.TargetsResolved, m.Targets)
	}
	return msg + "."
}

// mappingCollection is a collection with its mappings, as the catalogs
// page and the collection's page show it.
type mappingCollection struct {
	postgres.MappingCollectionSummary
	List []postgres.MappingSummary
}

func (u *UI) mappingCollections(c *gin.Context) ([]mappingCollection, error) {
	ks, err := u.DB.ListMappingCollections(c.Request.Context())
	if err != nil {
		return nil, err
	}
	out := make([]mappingCollection, len(ks))
	for i, k := range ks {
		out[i].MappingCollectionSummary = k
		if out[i].List, err = u.DB.CollectionMappings(c.Request.Context(), k.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (u *UI) mappingCollectionPage(c *gin.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return domain.Errorf(domain.ErrNotFound, "no such mapping collection").De("Diese Zuordnung gibt es nicht.")
	}
	k, err := u.DB.MappingCollectionByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	ms, err := u.DB.CollectionMappings(c.Request.Context(), id)
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "catalog_mappings", k.Title+" – Zuordnung", mappingCollection{k, ms})
}
