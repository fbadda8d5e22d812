package catalogimport

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"

	"ismsd/internal/catalog"
	"ismsd/internal/catalog/catalogtest"
	"ismsd/internal/catalog/oscal"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/postgres/pgtest"
)

// mappingCounts is what the import reports of one mapping.
type mappingCounts struct {
	Maps, SourceRefs, SourceRequirements, SourcesResolved, Targets, TargetsResolved int
	UnresolvedTargets                                                               []string // nil: not checked
}

func countsOf(m postgres.MappingSummary, withTargets bool) mappingCounts {
	c := mappingCounts{m.Maps, m.SourceRefs, m.SourceRequirements, m.SourcesResolved, m.Targets, m.TargetsResolved, nil}
	if withTargets { // the README lists them sorted, the import in file order
		c.UnresolvedTargets = slices.Sorted(slices.Values(m.UnresolvedTargets))
	}
	return c
}

func checkMappings(t *testing.T, when string, res Result, want []mappingCounts) {
	t.Helper()
	if len(res.Mappings) != len(want) {
		t.Fatalf("%s: %d mappings, want %d", when, len(res.Mappings), len(want))
	}
	for i, w := range want {
		m := res.Mappings[i]
		if got := countsOf(m, w.UnresolvedTargets != nil); !reflect.DeepEqual(got, w) {
			t.Errorf("%s: mapping %s\n got %+v\nwant %+v", when, m.Name(), got, w)
		}
		if len(m.UnresolvedTargets) != m.Targets-m.TargetsResolved || len(m.UnresolvedSources) != m.SourceRequirements-m.SourcesResolved {
			t.Errorf("%s: mapping %s lists %d unresolved targets and %d sources", when, m.Name(), len(m.UnresolvedTargets), len(m.UnresolvedSources))
		}
	}
}

// TestImportMappingCollections imports the BSI's Kompendium 2023 →
// Grundschutz++ and Annex A → Grundschutz++ mappings before any catalog
// (everything is kept and reported unresolved), again (unchanged), and
// after the Kompendium XML, the Kernel, the Methodik and the Annex A
// catalog, when they resolve on read as ../shared/catalogs/README.md
// counts, without importing the mappings anew.
func TestImportMappingCollections(t *testing.T) {
	t.Parallel()
	itgs, annexA := catalogtest.Read(t, catalogtest.ITGSMapping), catalogtest.Read(t, catalogtest.AnnexAMapping)
	db, im := newImporter(t)

	res, err := importBytes(t, im, "ITGS-to-GS++-mapping_collection.json", itgs)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != catalog.KindOSCALMappings || res.Unchanged || res.Collection.ID == 0 || res.Collection.Mappings != 2 ||
		res.Collection.Maps != 1013+172 || res.Catalog.ID != 0 {
		t.Fatalf("first import: %+v", res)
	}
	checkMappings(t, "without catalogs", res, []mappingCounts{
		{Maps: 1013, SourceRefs: 718, SourceRequirements: 456, Targets: 306},
		{Maps: 172, SourceRefs: 125, SourceRequirements: 81, Targets: 33},
	})
	if res.Mappings[0].SourceCatalogID != nil || res.Mappings[0].TargetCatalogID != nil {
		t.Errorf("resolved without catalogs: %+v", res.Mappings[0])
	}
	if n := catalogCount(t, db); n != 0 {
		t.Fatalf("a mapping collection became %d catalogs", n)
	}
	again, err := importBytes(t, im, "renamed.json", itgs)
	if err != nil || !again.Unchanged || again.Collection.ID != res.Collection.ID {
		t.Fatalf("second import: %+v, %v", again, err)
	}
	if ks, err := db.ListMappingCollections(ctx); err != nil || len(ks) != 1 {
		t.Fatalf("collections after the second import: %+v, %v", ks, err)
	}

	for _, f := range []string{kompendiumXML, kernelJSON, catalogtest.Methodik, catalogtest.AnnexA} {
		if _, err := im.Import(ctx, actor, Request{Name: f, Body: bytes.NewReader(catalogtest.Read(t, f))}); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	again, err = importBytes(t, im, "ITGS-to-GS++-mapping_collection.json", itgs)
	if err != nil || !again.Unchanged {
		t.Fatalf("after the catalogs: %+v, %v", again, err)
	}
	checkMappings(t, "with the catalogs", again, []mappingCounts{
		{1013, 718, 456, 456, 306, 302, []string{"DET.3.1.13", "KONF.11.9", "KONF.2.5.1.1", "TEST.4.1.1.1"}},
		{172, 125, 81, 81, 33, 20, nil},
	})
	if m := again.Mappings[0]; m.SourceCatalog != "IT-Grundschutz-Kompendium 2023" || !strings.HasPrefix(m.TargetCatalog, "BSI Stand der Technik Kernel ") {
		t.Errorf("Kernel mapping resolves to %q → %q", m.SourceCatalog, m.TargetCatalog)
	}

	res, err = importBytes(t, im, "ISO27001-AnnexA-to-GS++-mapping_collection.json", annexA)
	if err != nil || res.Unchanged {
		t.Fatalf("Annex A mapping: %+v, %v", res, err)
	}
	checkMappings(t, "Annex A", res, []mappingCounts{
		{13, 13, 13, 13, 23, 8, nil},
		{83, 83, 83, 83, 276, 272, []string{"BER.5.1.2", "BER.6.8", "DET.3.1.13", "GEB.5.4"}},
	})
}

// TestCorrespondences checks the correspondences of one Kompendium
// requirement and of its Kernel targets against the file itself.
func TestCorrespondences(t *testing.T) {
	t.Parallel()
	itgs := catalogtest.Read(t, catalogtest.ITGSMapping)
	_, im := newImporter(t)
	db := im.db
	ids := map[string]int64{}
	for _, f := range []string{kompendiumXML, kernelJSON} {
		res, err := im.Import(ctx, actor, Request{Name: f, Body: bytes.NewReader(catalogtest.Read(t, f))})
		if err != nil {
			t.Fatal(err)
		}
		ids[f] = res.Catalog.ID
	}
	if _, err := importBytes(t, im, "ITGS-to-GS++-mapping_collection.json", itgs); err != nil {
		t.Fatal(err)
	}
	parsed, err := oscal.ParseMappingCollection(bytes.NewReader(itgs))
	if err != nil {
		t.Fatal(err)
	}
	const req = "NET.1.1.A1"
	type pair struct{ rel, other string }
	var want []pair
	for _, mp := range parsed.Mappings[0].Maps {
		for _, s := range mp.Sources {
			if domain.RequirementOfRef(s) == req {
				for _, tg := range mp.Targets {
					want = append(want, pair{string(mp.Relationship), tg})
				}
			}
		}
	}
	cs, err := db.Correspondences(ctx, ids[kompendiumXML], req)
	if err != nil {
		t.Fatal(err)
	}
	var got []pair
	for _, c := range cs {
		if c.Direction != "to" || c.OtherTitle == nil || c.OtherCatalogID == nil || *c.OtherCatalogID != ids[kernelJSON] {
			t.Errorf("%s: %+v", req, c)
		}
		got = append(got, pair{string(c.Relationship), c.OtherRequirement})
	}
	slices.SortFunc(want, func(a, b pair) int { return strings.Compare(a.rel+a.other, b.rel+b.other) })
	slices.SortFunc(got, func(a, b pair) int { return strings.Compare(a.rel+a.other, b.rel+b.other) })
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("%s maps to %v, the file says %v", req, got, want)
	}
	// The other side: the Kernel target names the Kompendium requirement.
	back, err := db.Correspondences(ctx, ids[kernelJSON], want[0].other)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range back {
		if c.Direction != "from" {
			t.Errorf("%s: %+v", want[0].other, c)
		}
		if c.OtherRequirement == req && string(c.Relationship) == want[0].rel && c.OtherTitle != nil {
			found = true
		}
	}
	if !found {
		t.Errorf("%s does not name %s: %+v", want[0].other, req, back)
	}
	// A requirement no mapping names has none.
	if none, err := db.Correspondences(ctx, ids[kernelJSON], "NO.SUCH.1"); err != nil || len(none) != 0 {
		t.Errorf("unknown requirement: %+v, %v", none, err)
	}
}

// TestImportMappingCollectionRefused: a malformed mapping collection is
// refused with the JSON path, and nothing is stored.
func TestImportMappingCollectionRefused(t *testing.T) {
	t.Parallel()
	db, im := newImporter(t)
	bad := `{"mapping-collection":{"metadata":{"title":"T"},"mappings":[{"source-resource":{"href":"a"},"target-resource":{"href":"b"},
		"maps":[{"relationship":"related-to","sources":[{"id-ref":"A"}],"targets":[{"id-ref":"B"}]}]}]}}`
	_, err := importBytes(t, im, "bad.json", []byte(bad))
	if ce := catalogtest.AsError(t, err); ce.Where != "mapping-collection.mappings[0].maps[0].relationship" {
		t.Errorf("where %q: %v", ce.Where, ce)
	}
	if ks, err := db.ListMappingCollections(ctx); err != nil || len(ks) != 0 {
		t.Errorf("stored: %+v, %v", ks, err)
	}
}

// BenchmarkImportMapping measures a whole import, parse and store, of the
// Kompendium 2023 → Grundschutz++ mapping (2.8 MB) into a fresh database
// that holds the Kernel, so that the answer's resolution is measured too.
//
//	go test ./internal/catalogimport -run '^$' -bench Mapping -benchtime 1x
func BenchmarkImportMapping(b *testing.B) {
	data, kernel := catalogtest.Read(b, catalogtest.ITGSMapping), catalogtest.Read(b, kernelJSON)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		b.StopTimer()
		db, _ := pgtest.Open(b)
		im := New(db, 0)
		if _, err := im.Import(ctx, actor, Request{Name: "kernel.json", Body: bytes.NewReader(kernel)}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := im.Import(ctx, actor, Request{Name: "ITGS-to-GS++-mapping_collection.json", Body: bytes.NewReader(data)}); err != nil {
			b.Fatal(err)
		}
	}
}
