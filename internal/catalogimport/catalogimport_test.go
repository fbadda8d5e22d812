package catalogimport

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ismsd/internal/catalog"
	"ismsd/internal/catalog/catalogtest"
	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var (
	ctx   = context.Background()
	actor = domain.Actor{Name: "test", RequestID: "test", ClientAddr: "local"}
)

const (
	kompendiumXML = catalogtest.KompendiumXML
	krtXLSX       = catalogtest.KRTWorkbook
	kernelJSON    = catalogtest.Kernel
	profileJSON   = catalogtest.Profile
)

func importBytes(t testing.TB, im *Importer, name string, b []byte) (Result, error) {
	t.Helper()
	return im.Import(ctx, actor, Request{Name: name, Body: bytes.NewReader(b)})
}

// newImporter is an importer without a size limit on a fresh database.
func newImporter(t testing.TB) (*postgres.DB, *Importer) {
	t.Helper()
	db, _ := pgtest.Open(t)
	return db, New(db, 0)
}

func catalogCount(t testing.TB, db *postgres.DB) int {
	t.Helper()
	cs, err := db.ListCatalogs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return len(cs)
}

func TestImportKompendiumAndCrossReference(t *testing.T) {
	t.Parallel()
	xml, xlsx := catalogtest.Read(t, kompendiumXML), catalogtest.Read(t, krtXLSX)
	db, im := newImporter(t)

	// The cross-reference tables need their edition first.
	if _, err := importBytes(t, im, "krt2023_Excel.xlsx", xlsx); err == nil || !strings.Contains(err.Error(), "import the matching Kompendium XML first") {
		t.Fatalf("KRT without Kompendium: %v", err)
	}
	res, err := importBytes(t, im, "XML_Kompendium_2023.xml", xml)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != catalog.KindKompendiumXML || res.Unchanged || res.Modules != 111 || res.Requirements != 2125 ||
		res.Withdrawn != 290 || res.Threats != 47 || res.ModellingHints != 111 {
		t.Fatalf("result %+v", res)
	}
	sum, err := db.CatalogByID(ctx, res.Catalog.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Groups != 10 || sum.Modules != 111 || sum.Requirements != 2125 || sum.Withdrawn != 290 || sum.Threats != 47 ||
		sum.SourceSHA256 != "dd41a7467464982a79307a322be9abb7a07356a1104dd64583bab29138e410ae" || sum.Version != "2023" {
		t.Fatalf("stored %+v", sum)
	}
	x, err := importBytes(t, im, "krt2023_Excel.xlsx", xlsx)
	if err != nil {
		t.Fatal(err)
	}
	if x.Catalog.ID != res.Catalog.ID || x.ThreatLinks != 5888 {
		t.Fatalf("KRT result %+v", x)
	}
	// Stored requirement with its text, roles, threats and marks.
	r, err := db.CatalogRequirement(ctx, res.Catalog.ID, "NET.3.1.A1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Level != domain.LevelBasis || r.Withdrawn || len(r.Text) == 0 || len(r.Threats) == 0 || r.Module.ID != "NET.3.1" {
		t.Errorf("NET.3.1.A1 %+v", r)
	}
	// Importing any of the files again changes nothing.
	for name, b := range map[string][]byte{"a.xml": xml, "b.xlsx": xlsx} {
		again, err := importBytes(t, im, name, b)
		if err != nil || !again.Unchanged || again.Catalog.ID != res.Catalog.ID {
			t.Errorf("re-import of %s: %+v, %v", name, again, err)
		}
	}
	if n := catalogCount(t, db); n != 1 {
		t.Errorf("%d catalogs after re-imports", n)
	}
	if _, err := db.VerifyAudit(ctx); err != nil {
		t.Error(err)
	}
}

func TestImportOSCALCatalogAndProfile(t *testing.T) {
	t.Parallel()
	kernel := catalogtest.Read(t, kernelJSON)
	db, im := newImporter(t)
	res, err := importBytes(t, im, "BSI-Stand-der-Technik-Kernel-catalog.json", kernel)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != catalog.KindOSCALCatalog || res.Requirements != 901 {
		t.Fatalf("result %+v", res)
	}
	sum, _ := db.CatalogByID(ctx, res.Catalog.ID)
	if sum.Groups != 14 || sum.Modules != 103 {
		t.Errorf("groups %d modules %d, want 14 practices and 103 groups with controls", sum.Groups, sum.Modules)
	}
	// The BSI's own profile names catalogs that are not here: refused, nothing written.
	if _, err := importBytes(t, im, "Grundschutz++-profile.json", catalogtest.Read(t, profileJSON)); err == nil || !strings.Contains(err.Error(), "import") {
		t.Fatalf("profile with missing catalogs: %v", err)
	}
	// Our own profile selects from the imported Kernel by its UUID.
	own, err := os.ReadFile(filepath.Join("..", "catalog", "oscal", "testdata", "kernel-selection-profile.json"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := importBytes(t, im, "kernel-selection-profile.json", own)
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != catalog.KindOSCALProfile || p.Requirements == 0 || p.Requirements >= 901 {
		t.Errorf("profile result %+v", p)
	}
	if n := catalogCount(t, db); n != 2 {
		t.Errorf("%d catalogs, want the Kernel and the profile's selection", n)
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	db, im := newImporter(t)
	xml := catalogtest.Read(t, kompendiumXML)
	bomb := []byte(`<?xml version="1.0"?>
<!DOCTYPE book [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<book xmlns="http://docbook.org/ns/docbook"><title>&c;</title></book>`)
	cases := map[string][]byte{
		"truncated.xml":  xml[:len(xml)/2],
		"bomb.xml":       bomb,
		"empty.xml":      {},
		"notes.txt":      []byte("just some text"),
		"truncated.xlsx": catalogtest.Read(t, krtXLSX)[:1000],
		"broken.json":    []byte(`{"catalog": {"uuid": "x", "metadata": {"title": "t"`),
	}
	for name, b := range cases {
		_, err := importBytes(t, im, name, b)
		if err == nil {
			t.Errorf("%s accepted", name)
			continue
		}
		t.Logf("%s: %v", name, err)
	}
	small := New(db, 100<<10)
	if _, err := importBytes(t, small, "big.xml", xml); err == nil || !strings.Contains(err.Error(), "larger than the limit") {
		t.Errorf("oversized file: %v", err)
	}
	var ce *catalog.Error
	if _, err := importBytes(t, im, "truncated.xml", xml[:len(xml)/2]); !errors.As(err, &ce) || ce.Where == "" {
		t.Errorf("truncated file: error %v does not say where", err)
	}
	if n := catalogCount(t, db); n != 0 {
		t.Errorf("%d catalogs written by refused imports", n)
	}
}

func TestImportDemoOnce(t *testing.T) {
	t.Parallel()
	db, im := newImporter(t)
	res, err := im.ImportDemo(ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	if res.Unchanged || res.Catalog.Kind != domain.CatalogDemo || res.Modules != 15 || res.Requirements < 300 || res.Threats != 47 || res.ThreatLinks == 0 {
		t.Fatalf("demo %+v", res)
	}
	again, err := im.ImportDemo(ctx, actor)
	if err != nil || !again.Unchanged || again.Catalog.ID != res.Catalog.ID {
		t.Fatalf("second demo import %+v, %v", again, err)
	}
	r, err := db.CatalogRequirement(ctx, res.Catalog.ID, "NET.3.1.A1")
	if err != nil || r.Level != domain.LevelBasis || len(r.Threats) == 0 || len(r.Text) == 0 {
		t.Fatalf("demo NET.3.1.A1 %+v %v", r, err)
	}
	hits, total, err := db.Search(ctx, domain.SearchQuery{Text: "Router", CatalogID: res.Catalog.ID})
	if err != nil || total == 0 || len(hits) == 0 {
		t.Fatalf("search in demo: %d hits, %v", total, err)
	}
}
