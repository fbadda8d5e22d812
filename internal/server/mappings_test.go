package server

import (
	"bytes"
	"context"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ismsd/internal/catalog/catalogtest"
	"ismsd/internal/domain"
)

type mappingAnswer struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	Mappings    int    `json:"mappings"`
	Maps        int    `json:"maps"`
	MappingList []struct {
		TargetCatalogID    *int64   `json:"target_catalog_id"`
		Maps               int      `json:"maps"`
		SourceRequirements int      `json:"source_requirements"`
		SourcesResolved    int      `json:"sources_resolved"`
		Targets            int      `json:"targets"`
		TargetsResolved    int      `json:"targets_resolved"`
		UnresolvedTargets  []string `json:"unresolved_targets"`
	} `json:"mapping_list"`
}

type correspondenceAnswer struct {
	Items []struct {
		Direction         string  `json:"direction"`
		Relationship      string  `json:"relationship"`
		RelationshipLabel string  `json:"relationship_label"`
		OtherRequirement  string  `json:"other_requirement_id"`
		OtherTitle        *string `json:"other_title"`
		OtherCatalogID    *int64  `json:"other_catalog_id"`
	} `json:"items"`
}

// TestMappingCollectionAPI imports the Annex A → Grundschutz++ mapping
// through the API before any catalog (everything kept, every target
// unresolved), again (unchanged), and reads it after the Kernel, when 272
// of its 276 Kernel targets resolve; the correspondences of Annex A
// control 5.4 show on both sides; a malformed file is refused with a
// pointer and stores nothing.
func TestMappingCollectionAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	annexA := catalogtest.Read(t, catalogtest.AnnexAMapping)
	c := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})

	type answer struct {
		Kind       string        `json:"kind"`
		Unchanged  bool          `json:"unchanged"`
		Collection mappingAnswer `json:"mapping_collection"`
	}
	var a answer
	r := c.upload("/api/v1/catalogs", nil, "ISO27001-AnnexA-to-GS++-mapping_collection.json", bytes.NewReader(annexA), nil)
	r.json(t, &a)
	k := a.Collection
	if r.status != http.StatusCreated || a.Kind != "oscal-mapping-collection" || a.Unchanged || k.Mappings != 2 || k.Maps != 96 ||
		len(k.MappingList) != 2 || k.MappingList[1].Maps != 83 || k.MappingList[1].Targets != 276 || k.MappingList[1].TargetsResolved != 0 ||
		len(k.MappingList[1].UnresolvedTargets) != 276 || k.MappingList[1].TargetCatalogID != nil || r.header.Get("Location") == "" {
		t.Fatalf("first upload: %d %s", r.status, firstLine(r.body))
	}
	location := r.header.Get("Location")
	a = answer{}
	r = c.upload("/api/v1/catalogs", nil, "again.json", bytes.NewReader(annexA), nil)
	r.json(t, &a)
	if r.status != http.StatusOK || !a.Unchanged || a.Collection.ID != k.ID {
		t.Fatalf("second upload: %d %s", r.status, firstLine(r.body))
	}

	kernel := e.importShared(sharedKernel).Catalog.ID
	var one mappingAnswer
	r = c.do("GET", location, nil, nil)
	r.json(t, &one)
	if m := one.MappingList; r.status != http.StatusOK || len(m) != 2 || m[1].TargetCatalogID == nil || *m[1].TargetCatalogID != kernel ||
		m[1].TargetsResolved != 272 || !reflect.DeepEqual(slices.Sorted(slices.Values(m[1].UnresolvedTargets)), []string{"BER.5.1.2", "BER.6.8", "DET.3.1.13", "GEB.5.4"}) ||
		m[0].Targets != 23 || m[0].TargetsResolved != 0 || m[1].SourcesResolved != 0 {
		t.Fatalf("after the Kernel: %d %s", r.status, firstLine(r.body))
	}
	var list struct {
		Items []mappingAnswer `json:"items"`
	}
	c.do("GET", "/api/v1/mappings", nil, nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != k.ID || len(list.Items[0].MappingList) != 2 {
		t.Fatalf("list %+v", list)
	}
	problemOf(t, c.do("GET", "/api/v1/mappings/999", nil, nil), http.StatusNotFound)

	// The Kernel side: SENS.11.1 is a target of Annex A 5.4 (subset-of);
	// the Annex A catalog is not imported, so the other side has no title.
	url := func(catalog int64, req string) string {
		return "/api/v1/catalogs/" + strconv.FormatInt(catalog, 10) + "/requirements/" + req + "/correspondences"
	}
	var cs correspondenceAnswer
	r = c.do("GET", url(kernel, "SENS.11.1"), nil, nil)
	r.json(t, &cs)
	if r.status != http.StatusOK || len(cs.Items) != 1 || cs.Items[0].Direction != "from" || cs.Items[0].OtherRequirement != "5.4" ||
		cs.Items[0].Relationship != "subset-of" || cs.Items[0].RelationshipLabel != "Teil von" || cs.Items[0].OtherTitle != nil {
		t.Fatalf("SENS.11.1: %d %s", r.status, r.body)
	}
	problemOf(t, c.do("GET", url(kernel, "NO.SUCH.1"), nil, nil), http.StatusNotFound)

	annexCatalog := e.importShared(catalogtest.AnnexA).Catalog.ID
	cs = correspondenceAnswer{}
	c.do("GET", url(kernel, "SENS.11.1"), nil, nil).json(t, &cs)
	if len(cs.Items) != 1 || cs.Items[0].OtherTitle == nil || cs.Items[0].OtherCatalogID == nil || *cs.Items[0].OtherCatalogID != annexCatalog {
		t.Fatalf("SENS.11.1 after Annex A: %+v", cs)
	}
	cs = correspondenceAnswer{}
	c.do("GET", url(annexCatalog, "5.4"), nil, nil).json(t, &cs)
	// 5.4 maps to the Kernel and to the Methodik, which is not imported.
	var targets []string
	for _, x := range cs.Items {
		inKernel := x.OtherCatalogID != nil && *x.OtherCatalogID == kernel
		if x.Direction != "to" || x.Relationship != "subset-of" || (x.OtherTitle != nil) != inKernel {
			t.Errorf("5.4: %+v", x)
		}
		targets = append(targets, x.OtherRequirement)
	}
	if !reflect.DeepEqual(targets, []string{"GC.6.1.2", "GC.6.1.3", "GC.8.1.1.1", "SENS.11.1", "SENS.11.2"}) {
		t.Errorf("5.4 maps to %v", targets)
	}

	// Malformed: 422 with a pointer into the uploaded file, nothing stored.
	broken := []byte(`{"mapping-collection":{"metadata":{"title":"T"},"mappings":[{"source-resource":{"href":"a"},"target-resource":{"href":"b"},
		"maps":[{"relationship":"related-to","sources":[{"id-ref":"A"}],"targets":[{"id-ref":"B"}]}]}]}}`)
	p := problemOf(t, c.upload("/api/v1/catalogs", nil, "broken.json", bytes.NewReader(broken), nil), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/file/mapping-collection/mappings/0/maps/0/relationship" {
		t.Errorf("malformed: %+v", p)
	}
	mustContain(t, c.upload("/catalogs", nil, "broken.json", bytes.NewReader(broken), nil), http.StatusUnprocessableEntity,
		"Die Datei wurde nicht importiert", "maps[0].relationship")
	if ks, _ := e.db.ListMappingCollections(context.Background()); len(ks) != 1 {
		t.Errorf("%d mapping collections after refused uploads", len(ks))
	}
}

// TestMappingPages: the form upload leads to the collection's page with its
// counts and unresolved targets; the catalogs page lists the collection;
// the requirement pages of both sides show their correspondences, linked
// to each other.
func TestMappingPages(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	kernel := e.importShared(sharedKernel).Catalog.ID
	annexCatalog := e.importShared(catalogtest.AnnexA).Catalog.ID
	c := e.loggedIn("root", domain.Grant{Role: domain.RoleAdmin})

	r := c.upload("/catalogs", nil, "ISO27001-AnnexA-to-GS++-mapping_collection.json",
		bytes.NewReader(catalogtest.Read(t, catalogtest.AnnexAMapping)), nil)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/mappings/") {
		t.Fatalf("form upload: %d %s", r.status, firstLine(r.body))
	}
	mustContain(t, c.do("GET", r.header.Get("Location"), nil, nil), http.StatusOK, "Zuordnung (Mapping) importiert",
		"ISO/IEC 27001:2022 Annex A to GS", "83 von 83 gefunden", "272 von 276 gefunden", "Nicht aufgelöste Ziele (4)",
		"<code>BER.5.1.2</code>", "<code>BER.6.8</code>", "<code>DET.3.1.13</code>", "<code>GEB.5.4</code>", "0 von 23 gefunden")
	mustContain(t, c.do("GET", "/catalogs", nil, nil), http.StatusOK, "Zuordnungen (Mappings)",
		"ISO/IEC 27001:2022 Annex A Catalog 2022.annex-a.1.0.0-qa-cleaned → BSI Stand der Technik Kernel")

	page := func(catalog int64, req string) string {
		return "/catalogs/" + strconv.FormatInt(catalog, 10) + "/requirements/" + req
	}
	mustContain(t, c.do("GET", page(kernel, "SENS.11.1"), nil, nil), http.StatusOK, "Entsprechungen", "Teil von",
		`href="`+page(annexCatalog, "5.4")+`"`)
	mustContain(t, c.do("GET", page(annexCatalog, "5.4"), nil, nil), http.StatusOK, "Entsprechungen", "Teil von",
		`href="`+page(kernel, "SENS.11.1")+`"`, `href="`+page(kernel, "SENS.11.2")+`"`, "<code>GC.6.1.2</code> <span class=\"tag tag-warn\">nicht importiert</span>")
	mustContain(t, c.do("GET", "/mappings/999", nil, nil), http.StatusNotFound, "Diese Zuordnung gibt es nicht.")
}
