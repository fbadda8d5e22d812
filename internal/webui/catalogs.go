package webui

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/catalog"
	"ismsd/internal/catalogimport"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/route"
)

func (u *UI) catalogRoutes() []route.Route {
	read := authz.Require(authz.ResourceCatalogs, authz.ActionRead)
	get := http.MethodGet
	return []route.Route{
		{Method: get, Path: "/catalogs", Perm: read, Handler: u.catalogsPage},
		{Method: http.MethodPost, Path: "/catalogs", Perm: authz.Require(authz.ResourceCatalogs, authz.ActionWrite), Handler: u.importCatalog, Expensive: true,
			MaxBody: u.CatalogMaxBytes + 1<<20},
		{Method: get, Path: "/catalogs/:id", Perm: read, Handler: u.catalogPage},
		{Method: get, Path: "/catalogs/:id/modules/:module", Perm: read, Handler: u.modulePage},
		{Method: get, Path: "/catalogs/:id/requirements/:requirement", Perm: read, Handler: u.requirementPage},
		{Method: get, Path: "/catalogs/:id/threats", Perm: read, Handler: u.threatsPage},
		{Method: get, Path: "/search", Perm: read, Handler: u.searchPage},
	}
}

type catalogsPage struct {
	Catalogs    []postgres.CatalogSummary
	Definitions []postgres.ComponentDefinitionSummary
	Mappings    []mappingCollection
	CanImport   bool
	Kinds       []catalog.Kind
	Message     string
}

func (p catalogsPage) FormError() string { return p.Message }

func (u *UI) catalogsData(c *gin.Context) (catalogsPage, error) {
	cs, err := u.DB.ListCatalogs(c.Request.Context())
	if err != nil {
		return catalogsPage{}, err
	}
	ds, err := u.DB.ListComponentDefinitions(c.Request.Context())
	if err != nil {
		return catalogsPage{}, err
	}
	ms, err := u.mappingCollections(c)
	p, _ := route.Principal(c)
	return catalogsPage{Catalogs: cs, Definitions: ds, Mappings: ms, Kinds: catalog.Kinds,
		CanImport: u.Authz.Decide(p.User.ID, authz.Require(authz.ResourceCatalogs, authz.ActionWrite)).Allowed}, err
}

func (u *UI) catalogsPage(c *gin.Context) error {
	d, err := u.catalogsData(c)
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "catalogs", "Kataloge", d)
}

// importCatalog takes the uploaded file from the form, streaming.
func (u *UI) importCatalog(c *gin.Context) error {
	refuse := func(status int, msg string) error {
		d, err := u.catalogsData(c)
		if err != nil {
			return err
		}
		d.Message = msg
		return u.render(c, status, "catalogs", "Kataloge", d)
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return refuse(http.StatusUnprocessableEntity, "Bitte wählen Sie eine Datei aus.")
	}
	var kind catalog.Kind
	for {
		part, err := mr.NextPart()
		var tooLarge *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF):
			return refuse(http.StatusUnprocessableEntity, "Bitte wählen Sie eine Datei aus.")
		case errors.As(err, &tooLarge):
			return refuse(http.StatusRequestEntityTooLarge, fmt.Sprintf("Die Datei ist größer als die erlaubten %d MB.", tooLarge.Limit>>20))
		case err != nil:
			return refuse(http.StatusUnprocessableEntity, "Die Übertragung war unvollständig.")
		}
		switch part.FormName() {
		case "kind":
			b, _ := io.ReadAll(io.LimitReader(part, 100))
			if len(b) > 0 {
				if kind, err = catalog.ParseKind(string(b)); err != nil {
					return refuse(http.StatusUnprocessableEntity, "Unbekannte Art der Datei.")
				}
			}
		case "file":
			if part.FileName() == "" {
				return refuse(http.StatusUnprocessableEntity, "Bitte wählen Sie eine Datei aus.")
			}
			res, err := u.Catalogs.Import(c.Request.Context(), route.Actor(c), catalogimport.Request{Name: part.FileName(), Body: part, Kind: kind})
			var ce *catalog.Error
			switch {
			case errors.As(err, &tooLarge):
				return refuse(http.StatusRequestEntityTooLarge, fmt.Sprintf("Die Datei ist größer als die erlaubten %d MB.", tooLarge.Limit>>20))
			case errors.Is(err, catalog.ErrTooLarge):
				return refuse(http.StatusRequestEntityTooLarge, fmt.Sprintf("Die Datei ist größer als die erlaubten %d MB.", u.CatalogMaxBytes>>20))
			case errors.As(err, &ce):
				return refuse(http.StatusUnprocessableEntity, "Die Datei wurde nicht importiert: "+ce.Error())
			case err != nil && isInputError(err):
				return refuse(statusOf(err), "Die Datei wurde nicht importiert: "+germanMessage(err)+" ("+err.Error()+")")
			case err != nil:
				return err
			}
			if res.Kind == catalog.KindOSCALComponents {
				return u.redirect(c, componentDefinitionURL(res.Definition.ID), componentImportMessage(res))
			}
			if res.Kind == catalog.KindOSCALMappings {
				return u.redirect(c, mappingCollectionURL(res.Collection.ID), mappingImportMessage(res))
			}
			return u.redirect(c, catalogURL(res.Catalog.ID), importMessage(res))
		}
	}
}

func importMessage(res catalogimport.Result) string {
	switch {
	case res.Unchanged:
		return "Diese Datei wurde bereits importiert; es hat sich nichts geändert."
	case res.Kind == catalog.KindKRT:
		return fmt.Sprintf("Kreuzreferenztabellen übernommen: %d Verknüpfungen von Anforderungen mit elementaren Gefährdungen.", res.ThreatLinks)
	}
	return fmt.Sprintf("Katalog importiert: %d Bausteine, %d Anforderungen (%d entfallen), %d elementare Gefährdungen.",
		res.Modules, res.Requirements, res.Withdrawn, res.Threats)
}

func catalogURL(id int64) string { return "/catalogs/" + strconv.FormatInt(id, 10) }

// catalogOf loads the catalog the page's path names.
func (u *UI) catalogOf(c *gin.Context) (postgres.CatalogSummary, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return postgres.CatalogSummary{}, domain.Errorf(domain.ErrNotFound, "no such catalog").De("Diesen Katalog gibt es nicht.")
	}
	return u.DB.CatalogByID(c.Request.Context(), id)
}

type layerView struct {
	postgres.GroupSummary
	Modules []postgres.ModuleSummary
}

type catalogPage struct {
	Catalog postgres.CatalogSummary
	Layers  []layerView
	Hints   map[string][]domain.ModellingHint
}

func (u *UI) catalogPage(c *gin.Context) error {
	cat, err := u.catalogOf(c)
	if err != nil {
		return err
	}
	ctx, id := c.Request.Context(), cat.ID
	groups, err := u.DB.CatalogGroups(ctx, id)
	if err != nil {
		return err
	}
	modules, err := u.DB.CatalogModules(ctx, id, "")
	if err != nil {
		return err
	}
	hints, err := u.DB.ModellingHints(ctx, id)
	if err != nil {
		return err
	}
	d := catalogPage{Catalog: cat, Hints: map[string][]domain.ModellingHint{}}
	byGroup := map[string][]postgres.ModuleSummary{}
	for _, m := range modules {
		byGroup[m.GroupKey] = append(byGroup[m.GroupKey], m)
	}
	for _, g := range groups {
		d.Layers = append(d.Layers, layerView{GroupSummary: g, Modules: byGroup[g.Key]})
	}
	if ms := byGroup[""]; len(ms) > 0 {
		d.Layers = append(d.Layers, layerView{GroupSummary: postgres.GroupSummary{CatalogGroup: domain.CatalogGroup{Title: "Ohne Gruppe"}}, Modules: ms})
	}
	for _, h := range hints {
		d.Hints[h.ModuleID] = append(d.Hints[h.ModuleID], h)
	}
	return u.render(c, http.StatusOK, "catalog", cat.Title+" "+cat.Version, d)
}

type modulePage struct {
	Catalog      postgres.CatalogSummary
	Module       postgres.ModuleSummary
	Requirements []domain.Requirement
}

func (u *UI) modulePage(c *gin.Context) error {
	cat, err := u.catalogOf(c)
	if err != nil {
		return err
	}
	ctx, id := c.Request.Context(), cat.ID
	m, err := u.DB.CatalogModule(ctx, id, c.Param("module"))
	if err != nil {
		return err
	}
	reqs, err := u.DB.ModuleRequirements(ctx, id, m.ID)
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "module", m.ID+" "+m.Title, modulePage{Catalog: cat, Module: m, Requirements: reqs})
}

type requirementPage struct {
	Catalog         postgres.CatalogSummary
	Requirement     postgres.RequirementDetail
	Correspondences []postgres.Correspondence // through the imported mapping collections, both ways
}

func (u *UI) requirementPage(c *gin.Context) error {
	cat, err := u.catalogOf(c)
	if err != nil {
		return err
	}
	ctx, id := c.Request.Context(), cat.ID
	r, err := u.DB.CatalogRequirement(ctx, id, c.Param("requirement"))
	if err != nil {
		return err
	}
	cs, err := u.DB.Correspondences(ctx, id, r.ID)
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "requirement", r.ID+" "+r.Title, requirementPage{Catalog: cat, Requirement: r, Correspondences: cs})
}

type threatsPage struct {
	Catalog postgres.CatalogSummary
	Threats []domain.Threat
}

func (u *UI) threatsPage(c *gin.Context) error {
	cat, err := u.catalogOf(c)
	if err != nil {
		return err
	}
	ctx, id := c.Request.Context(), cat.ID
	ts, err := u.DB.CatalogThreats(ctx, id)
	if err != nil {
		return err
	}
	return u.render(c, http.StatusOK, "threats", "Elementare Gefährdungen", threatsPage{Catalog: cat, Threats: ts})
}

type searchPage struct {
	Query    domain.SearchQuery
	Catalogs []postgres.CatalogSummary
	Layers   []postgres.GroupSummary
	Hits     []postgres.SearchHit
	Total    int
	Searched bool
	NextURL  string
	PrevURL  string
	Errors   formErrors
}

func (p searchPage) FormError() string { return p.Errors.Summary }

func (u *UI) searchPage(c *gin.Context) error {
	ctx := c.Request.Context()
	var d searchPage
	var err error
	if d.Catalogs, err = u.DB.ListCatalogs(ctx); err != nil {
		return err
	}
	q, qerr := searchQuery(c)
	d.Query = q
	if q.CatalogID != 0 {
		if d.Layers, err = u.DB.CatalogGroups(ctx, q.CatalogID); err != nil {
			return err
		}
	}
	if c.Query("q") == "" && qerr != nil {
		return u.render(c, http.StatusOK, "search", "Suche", d) // the empty form
	}
	if qerr != nil {
		d.Errors = newFormErrors(qerr)
		return u.render(c, statusOf(qerr), "search", "Suche", d)
	}
	if d.Hits, d.Total, err = u.DB.Search(ctx, q); err != nil {
		return err
	}
	d.Searched = true
	page := func(offset int) string {
		v := c.Request.URL.Query()
		v.Set("cursor", strconv.Itoa(offset))
		return "/search?" + v.Encode()
	}
	if q.Offset+len(d.Hits) < d.Total {
		d.NextURL = page(q.Offset + len(d.Hits))
	}
	if q.Offset > 0 {
		d.PrevURL = page(max(0, q.Offset-q.Limit))
	}
	return u.render(c, http.StatusOK, "search", "Suche: "+q.Text, d)
}

// searchQuery reads the same parameters as the API's search.
func searchQuery(c *gin.Context) (domain.SearchQuery, error) {
	q, err := domain.ParseSearchQuery(c.Request.URL.Query())
	if q.Limit == 0 {
		q.Limit = 20
	}
	return q, err
}
