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
	return u.render(c, http.StatusOK, "catalog_components", d.Name+" – Komponentendefinition", p)
}

// componentChoices are the imported components not yet assigned.
func (u *UI) componentChoices(c *gin.Context, assigned []postgres.AssignedComponent) ([]postgres.ComponentChoice, error) {
	all, err := u.DB.ComponentChoices(c.Request.Context())
	if err != nil {
		return nil, err
	}
	have := map[int64]bool{}
	for _, a := range assigned {
		have[a.ID] = true
	}
	var out []postgres.ComponentChoice
	for _, k := range all {
		if !have[k.ID] {
			out = append(out, k)
		}
	}
	return out, nil
}

// objectComponentRoutes assign components to target objects on the
// object page.
func (u *UI) objectComponentRoutes() []route.Route {
	objWrite := authz.Require(authz.ResourceObjects, authz.ActionWrite)
	return []route.Route{
		{Method: http.MethodPost, Path: "/objects/:id/components", Perm: objWrite, Handler: u.assignComponent},
		{Method: http.MethodPost, Path: "/objects/:id/components/:cid/remove", Perm: objWrite, Handler: u.unassignComponent},
	}
}

func (u *UI) assignComponent(c *gin.Context) error {
	o, err := u.loadWritable(c)
	if err != nil {
		return err
	}
	id, perr := strconv.ParseInt(c.PostForm("component"), 10, 64)
	if perr != nil || id <= 0 {
		err = domain.Invalid(domain.Violation{Pointer: "/component", Detail: "choose a component", German: "Bitte wählen Sie eine Komponente."})
	} else {
		err = u.run(c, func(tx *postgres.Tx) error {
			return tx.AssignComponent(c.Request.Context(), o.ID, id, route.Visibility(c))
		})
	}
	if err != nil {
		return u.objectFormFailed(c, o, "components", err, nil)
	}
	return u.redirect(c, objectURL(o.ID)+"#comp-h", "Komponente zugeordnet; ihre Umsetzungshinweise erscheinen im IT-Grundschutz-Check dieses Zielobjekts.")
}

func (u *UI) unassignComponent(c *gin.Context) error {
	o, err := u.loadWritable(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("cid"), 10, 64)
	if err != nil {
		return domain.Errorf(domain.ErrNotFound, "no such component").De("Diese Komponente ist dem Zielobjekt nicht zugeordnet.")
	}
	if err := u.run(c, func(tx *postgres.Tx) error {
		return tx.UnassignComponent(c.Request.Context(), o.ID, id, route.Visibility(c))
	}); err != nil {
		return u.objectFormFailed(c, o, "components", err, nil)
	}
	return u.redirect(c, objectURL(o.ID)+"#comp-h", "Komponenten-Zuordnung entfernt.")
}

// useOffer puts the implementation text a component offers into the
// entry's form when the page is asked for it (?offer=N, 0-based), so that
// the user sees it in the field and saves it like any change; nothing is
// written before.
func useOffer(c *gin.Context, d *entryPageData) {
	i, err := strconv.Atoi(c.Query("offer"))
	if err != nil || i < 0 || i >= len(d.Offers) || !d.Entry.CanWrite {
		return
	}
	d.Entry.In.Implementation = d.Offers[i].Text
	d.Entry.Focus = "implementation"
}
