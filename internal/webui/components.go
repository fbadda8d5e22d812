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

// componentRoutes are the pages of the imported component definitions,
// which are listed on the catalogs page and imported there.
func (u *UI) componentRoutes() []route.Route {
	return []route.Route{
		{Method: http.MethodGet, Path: "/component-definitions/:id", Perm: authz.Require(authz.ResourceCatalogs, authz.ActionRead),
			Handler: u.componentDefinitionPage},
	}
}

func componentDefinitionURL(id int64) string {
	return "/component-definitions/" + strconv.FormatInt(id, 10)
}

// componentImportMessage says how many control references resolved; the
// page the import leads to lists those that did not.
func componentImportMessage(res catalogimport.Result) string {
	d := res.Definition
	prefix := "Komponentendefinition importiert"
	if res.Unchanged {
		prefix = "Diese Komponentendefinition wurde bereits importiert; es hat sich nichts geändert"
	}
	msg := fmt.Sprintf("%s: %d Komponenten, %d umgesetzte Anforderungen, davon %d in den importierten Grundschutz++-Katalogen gefunden.",
		prefix, d.Components, d.Implemented, d.Resolved)
	if n := len(res.Unresolved); n > 0 {
		msg += fmt.Sprintf(" %d Verweise sind nicht aufgelöst; sie sind unten aufgeführt.", n)
	}
	return msg
}

type componentDefinitionPage struct {
	Definition postgres.ComponentDefinitionSummary
	Components []postgres.ComponentDetail
	Unresolved []string
}

func (u *UI) componentDefinitionPage(c *gin.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return domain.Errorf(domain.ErrNotFound, "no such component definition").De("Diese Komponentendefinition gibt es nicht.")
	}
	ctx := c.Request.Context()
	d, err := u.DB.ComponentDefinitionByID(ctx, id)
	if err != nil {
		return err
	}
	ks, err := u.DB.DefinitionComponents(ctx, id)
	if err != nil {
		return err
	}
	p := componentDefinitionPage{Definition: d, Components: ks}
	for _, k := range ks {
		for _, r := range k.Requirements {
			if len(r.Resolved) == 0 {
				p.Unresolved = append(p.Unresolved, r.ControlRef)
			}
		}
	}
	return u.render(c, http.StatusOK, "component_definition", d.Name+" – Komponentendefinition", p)
}
