package catalogimport

import (
	"bytes"
	"testing"

	"ismsd/internal/catalog/catalogtest"
	"ismsd/internal/domain"
	"ismsd/internal/postgres/pgtest"
	"ismsd/internal/scaletest"
)

// BenchmarkImport measures a whole import, parse and store, of the real
// Kompendium and Grundschutz++ files, each into a fresh database.
//
//	go test ./internal/catalogimport -run '^$' -bench Import -benchtime 5x
func BenchmarkImport(b *testing.B) {
	for _, f := range []struct{ name, file string }{
		{"kompendium_xml", kompendiumXML},
		{"grundschutz_plus_plus", kernelJSON},
	} {
		b.Run(f.name, func(b *testing.B) {
			data := catalogtest.Read(b, f.file)
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				b.StopTimer()
				db, _ := pgtest.Open(b)
				im := New(db, 0)
				b.StartTimer()
				if _, err := im.Import(ctx, actor, Request{Name: f.name, Body: bytes.NewReader(data)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSearch runs typical searches over all requirements of both
// catalogs and reports the median and 95th percentile per search.
//
//	go test ./internal/catalogimport -run '^$' -bench Search -benchtime 2000x
func BenchmarkSearch(b *testing.B) {
	db, _ := pgtest.Open(b)
	im := New(db, 0)
	for _, f := range []string{kompendiumXML, kernelJSON} {
		if _, err := im.Import(ctx, actor, Request{Name: f, Body: bytes.NewReader(catalogtest.Read(b, f))}); err != nil {
			b.Fatal(err)
		}
	}
	queries := []domain.SearchQuery{
		{Text: "Protokollierung"},
		{Text: "Router Konfiguration"},
		{Text: "Datensicherung", Level: "basis"},
		{Text: "\"sichere Passwörter\""},
		{Text: "NET.3.1.A1"},
		{Text: "Verschlüsselung -Cloud"},
		{Text: "Schwachstellen", GroupKey: "OPS"},
		{Text: "Informationssicherheit", IncludeWithdrawn: true},
	}
	scaletest.ReportPercentiles(b, func(i int) {
		if _, _, err := db.Search(ctx, queries[i%len(queries)]); err != nil {
			b.Fatal(err)
		}
	})
}
