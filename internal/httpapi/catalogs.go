package httpapi

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ismsd/internal/authz"
	"ismsd/internal/catalog"
	"ismsd/internal/catalogimport"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/problem"
	"ismsd/internal/route"
)

func (a *API) catalogRoutes() []route.Route {
	read := authz.Require(authz.ResourceCatalogs, authz.ActionRead)
	return []route.Route{
		{Method: http.MethodGet, Path: "/api/v1/catalogs", Perm: read, Handler: a.listCatalogs,
			Summary: "The imported catalogs with their counts", Response: "catalog.json", List: true},
		{Method: http.MethodPost, Path: "/api/v1/catalogs", Perm: authz.Require(authz.ResourceCatalogs, authz.ActionWrite), Handler: a.importCatalog, Expensive: true,
			Summary: "Import a catalog file (multipart upload); the same file again changes nothing (200 instead of 201)",
			Request: "catalog-upload.json", Form: true, Response: "catalog-import.json", Status: http.StatusCreated, MaxBody: a.CatalogMaxBytes + 1<<20},
		{Method: http.MethodGet, Path: "/api/v1/catalogs/:id", Perm: read, Handler: a.getCatalog,
			Summary: "One catalog with its layers or practices", Response: "catalog.json"},
		{Method: http.MethodGet, Path: "/api/v1/catalogs/:id/modules", Perm: read, Handler: a.listModules,
			Summary: "The modules of a catalog, optionally of one layer", Response: "catalog-module.json", List: true,
			Query: []route.Param{{Name: "layer", Type: "string", Help: "key of a layer or practice, e.g. NET or ASST"}}},
		{Method: http.MethodGet, Path: "/api/v1/catalogs/:id/modules/:module", Perm: read, Handler: a.getModule,
			Summary: "One module with its requirements", Response: "catalog-module.json"},
		{Method: http.MethodGet, Path: "/api/v1/catalogs/:id/requirements/:requirement", Perm: read, Handler: a.getRequirement,
			Summary: "One requirement with its text, roles and elementary threats", Response: "catalog-requirement.json"},
		{Method: http.MethodGet, Path: "/api/v1/search", Perm: read, Handler: a.search,
			Summary:  "Full-text search over requirement titles and texts (German stemming), ranked, with highlighted hits",
			Response: "search-hit.json", List: true, Query: searchParams},
	}
}

var searchParams = []route.Param{
	{Name: "q", Type: "string", Help: "search words; \"quoted phrases\", -excluded and OR work as in web search engines; requirement IDs match too"},
	{Name: "catalog", Type: "integer", Help: "only this catalog"},
	{Name: "layer", Type: "string", Help: "only this layer or practice (e.g. NET)"},
	{Name: "level", Type: "string", Help: "basis, standard or elevated"},
	{Name: "withdrawn", Type: "boolean", Help: "true: include withdrawn requirements"},
	{Name: "limit", Type: "integer", Help: "hits per page, 1 to 100 (default 20)"},
	cursorParam,
}

type catalogResponse struct {
	ID              int64              `json:"id"`
	Kind            domain.CatalogKind `json:"kind"`
	Title           string             `json:"title"`
	Version         string             `json:"version"`
	UUID            string             `json:"uuid,omitempty"`
	SourceName      string             `json:"source_name"`
	SourceSHA256    string             `json:"source_sha256"`
	ImportedAt      time.Time          `json:"imported_at"`
	Groups          int                `json:"groups"`
	Modules         int                `json:"modules"`
	Requirements    int                `json:"requirements"`
	Withdrawn       int                `json:"withdrawn"`
	Threats         int                `json:"threats"`
	ThreatLinks     int                `json:"threat_links"`
	CrossReferenced bool               `json:"cross_referenced"`
	Layers          []groupResponse    `json:"layers,omitempty"`
}

type groupResponse struct {
	Key          string `json:"key"`
	ParentKey    string `json:"parent_key,omitempty"`
	Title        string `json:"title"`
	Modules      int    `json:"modules"`
	Requirements int    `json:"requirements"`
}

func newGroupResponse(g postgres.GroupSummary) groupResponse {
	return groupResponse{Key: g.Key, ParentKey: g.ParentKey, Title: g.Title, Modules: g.Modules, Requirements: g.Requirements}
}

func newCatalogResponse(c postgres.CatalogSummary) catalogResponse {
	return catalogResponse{ID: c.ID, Kind: c.Kind, Title: c.Title, Version: c.Version, UUID: c.UUID, SourceName: c.SourceName,
		SourceSHA256: c.SourceSHA256, ImportedAt: c.ImportedAt, Groups: c.Groups, Modules: c.Modules, Requirements: c.Requirements,
		Withdrawn: c.Withdrawn, Threats: c.Threats, ThreatLinks: c.ThreatLinks, CrossReferenced: c.CrossReferenced}
}

func (a *API) listCatalogs(c *gin.Context) error {
	cs, err := a.DB.ListCatalogs(c.Request.Context())
	return answerList(c, cs, err, newCatalogResponse)
}

func (a *API) getCatalog(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	cat, err := a.DB.CatalogByID(ctx, id)
	if err != nil {
		return err
	}
	groups, err := a.DB.CatalogGroups(ctx, id)
	if err != nil {
		return err
	}
	r := newCatalogResponse(cat)
	r.Layers = convertAll(groups, newGroupResponse)
	c.JSON(http.StatusOK, r)
	return nil
}

type moduleResponse struct {
	ID           string                `json:"id"`
	Title        string                `json:"title"`
	Layer        string                `json:"layer"`
	Description  domain.Text           `json:"description"`
	DefaultRoles []string              `json:"default_roles"`
	FurtherRoles []string              `json:"further_roles"`
	Basis        int                   `json:"basis"`
	Standard     int                   `json:"standard"`
	Elevated     int                   `json:"elevated"`
	Withdrawn    int                   `json:"withdrawn"`
	Requirements []requirementResponse `json:"requirements,omitempty"`
}

func newModuleResponse(m postgres.ModuleSummary) moduleResponse {
	return moduleResponse{ID: m.ID, Title: m.Title, Layer: m.GroupKey, Description: orEmptyText(m.Description),
		DefaultRoles: orNoStrings(m.DefaultRoles), FurtherRoles: orNoStrings(m.FurtherRoles),
		Basis: m.Basis, Standard: m.Standard, Elevated: m.Elevated, Withdrawn: m.Withdrawn}
}

func (a *API) listModules(c *gin.Context) error {
	id, err := existingOfPath(c, a.DB.CatalogByID)
	if err != nil {
		return err
	}
	ms, err := a.DB.CatalogModules(c.Request.Context(), id, c.Query("layer"))
	return answerList(c, ms, err, newModuleResponse)
}

func (a *API) getModule(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	m, err := a.DB.CatalogModule(ctx, id, c.Param("module"))
	if err != nil {
		return err
	}
	reqs, err := a.DB.ModuleRequirements(ctx, id, m.ID)
	if err != nil {
		return err
	}
	r := newModuleResponse(m)
	r.Requirements = []requirementResponse{}
	for _, q := range reqs {
		r.Requirements = append(r.Requirements, newRequirementResponse(q))
	}
	c.JSON(http.StatusOK, r)
	return nil
}

type requirementResponse struct {
	ID        string           `json:"id"`
	Module    string           `json:"module"`
	Parent    string           `json:"parent,omitempty"`
	Title     string           `json:"title"`
	Level     domain.Level     `json:"level"`
	Roles     []string         `json:"roles"`
	Withdrawn bool             `json:"withdrawn"`
	Text      domain.Text      `json:"text"`
	Guidance  domain.Text      `json:"guidance,omitempty"`
	Effort    *int             `json:"effort,omitempty"`
	Tags      []string         `json:"tags,omitempty"`
	AltID     string           `json:"alt_id,omitempty"`
	Props     []domain.Prop    `json:"props,omitempty"`
	Threats   []threatResponse `json:"threats,omitempty"`
	CIA       *string          `json:"cia,omitempty"`
}

type threatResponse struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

func newRequirementResponse(r domain.Requirement) requirementResponse {
	return requirementResponse{ID: r.ID, Module: r.ModuleID, Parent: r.ParentID, Title: r.Title, Level: r.Level,
		Roles: orNoStrings(r.Roles), Withdrawn: r.Withdrawn, Text: orEmptyText(r.Text), Guidance: r.Guidance,
		Effort: r.Effort, Tags: r.Tags, AltID: r.AltID, Props: r.Props}
}

func (a *API) getRequirement(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := a.DB.CatalogRequirement(c.Request.Context(), id, c.Param("requirement"))
	if err != nil {
		return err
	}
	r := newRequirementResponse(d.Requirement)
	r.Threats = []threatResponse{}
	for _, t := range d.Threats {
		r.Threats = append(r.Threats, threatResponse{ID: t.ID, Title: t.Title})
	}
	if d.Marks != nil {
		s := d.Marks.String()
		r.CIA = &s
	}
	c.JSON(http.StatusOK, r)
	return nil
}

type searchHitResponse struct {
	CatalogID    int64              `json:"catalog_id"`
	CatalogTitle string             `json:"catalog_title"`
	Module       string             `json:"module"`
	ModuleTitle  string             `json:"module_title"`
	ID           string             `json:"id"`
	Level        domain.Level       `json:"level"`
	Withdrawn    bool               `json:"withdrawn"`
	Rank         float64            `json:"rank"`
	Title        []postgres.Segment `json:"title"`
	Snippet      []postgres.Segment `json:"snippet"`
}

func newSearchHitResponse(h postgres.SearchHit) searchHitResponse {
	return searchHitResponse{CatalogID: h.CatalogID, CatalogTitle: h.CatalogTitle, Module: h.ModuleID, ModuleTitle: h.ModuleTitle,
		ID: h.ID, Level: h.Level, Withdrawn: h.Withdrawn, Rank: h.Rank, Title: orNoSegments(h.Title), Snippet: orNoSegments(h.Snippet)}
}

func (a *API) search(c *gin.Context) error {
	q, err := domain.ParseSearchQuery(c.Request.URL.Query())
	if err != nil {
		return err
	}
	hits, total, err := a.DB.Search(c.Request.Context(), q)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newCountedList(convertAll(hits, newSearchHitResponse), q.Offset, total))
	return nil
}

type importResponse struct {
	Kind           catalog.Kind     `json:"kind"`
	Unchanged      bool             `json:"unchanged"`
	SHA256         string           `json:"sha256"`
	Catalog        *catalogResponse `json:"catalog,omitempty"`
	Modules        int              `json:"modules"`
	Requirements   int              `json:"requirements"`
	Withdrawn      int              `json:"withdrawn"`
	Threats        int              `json:"threats"`
	ModellingHints int              `json:"modelling_hints"`
	ThreatLinks    int              `json:"threat_links"`
	Marks          int              `json:"marks"`

	ComponentDefinition *componentDefinitionResponse `json:"component_definition,omitempty"`
	Unresolved          []string                     `json:"unresolved,omitempty"`

	MappingCollection *mappingCollectionResponse `json:"mapping_collection,omitempty"`
}

// importCatalog streams the multipart part "file" into the importer.
func (a *API) importCatalog(c *gin.Context) error {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "multipart/form-data" {
		return &domain.Error{Kind: problem.ErrUnsupportedMediaType, Message: "send the file as multipart/form-data in the field \"file\""}
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return domain.Invalid(domain.Violation{Pointer: "", Detail: "not a readable multipart body: " + err.Error()})
	}
	var kind catalog.Kind
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return domain.Invalid(domain.Violation{Pointer: "/file", Detail: "is required"})
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return domain.Errorf(domain.ErrTooLarge, "the upload exceeds the limit of %d bytes", tooLarge.Limit)
		}
		if err != nil {
			return domain.Invalid(domain.Violation{Pointer: "", Detail: "broken multipart body: " + err.Error()})
		}
		switch part.FormName() {
		case "kind":
			b, _ := io.ReadAll(io.LimitReader(part, 100))
			if len(b) > 0 {
				if kind, err = catalog.ParseKind(strings.TrimSpace(string(b))); err != nil {
					return domain.Invalid(domain.Violation{Pointer: "/kind", Detail: err.Error()})
				}
			}
		case "file":
			return a.runImport(c, catalogimport.Request{Name: part.FileName(), Body: part, Kind: kind})
		}
	}
}

func (a *API) runImport(c *gin.Context, req catalogimport.Request) error {
	res, err := a.Catalogs.Import(c.Request.Context(), route.Actor(c), req)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return domain.Errorf(domain.ErrTooLarge, "the upload exceeds the limit of %d bytes", tooLarge.Limit)
	}
	if errors.Is(err, catalog.ErrTooLarge) {
		return domain.Errorf(domain.ErrTooLarge, "%s", err.Error())
	}
	var ce *catalog.Error
	if errors.As(err, &ce) {
		// The pointer goes on into the uploaded file where the error is
		// in a JSON file: /file/catalog/groups/3/controls/2.
		return domain.Invalid(domain.Violation{Pointer: "/file" + ce.Pointer(), Detail: ce.Error()})
	}
	if err != nil {
		return err
	}
	if res.Kind == catalog.KindOSCALComponents {
		return a.componentImportAnswer(c, res)
	}
	if res.Kind == catalog.KindOSCALMappings {
		return a.mappingImportAnswer(c, res)
	}
	summary, err := a.DB.CatalogByID(c.Request.Context(), res.Catalog.ID)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if res.Unchanged {
		status = http.StatusOK
	}
	setLocation(c, "/api/v1/catalogs/", res.Catalog.ID)
	cat := newCatalogResponse(summary)
	c.JSON(status, importResponse{Kind: res.Kind, Unchanged: res.Unchanged, SHA256: res.SHA256, Catalog: &cat,
		Modules: res.Modules, Requirements: res.Requirements, Withdrawn: res.Withdrawn, Threats: res.Threats,
		ModellingHints: res.ModellingHints, ThreatLinks: res.ThreatLinks, Marks: res.Marks})
	return nil
}

func orEmptyText(t domain.Text) domain.Text {
	if t == nil {
		return domain.Text{}
	}
	return t
}

func orNoStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orNoSegments(s []postgres.Segment) []postgres.Segment {
	if s == nil {
		return []postgres.Segment{}
	}
	return s
}
