// Package catalogtest gives tests the BSI's published catalog files. They
// are third-party data, kept beside the repository in ../shared/catalogs
// and never copied into it.
package catalogtest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"ismsd/internal/catalog"
)

// The published files the tests read, by their path under shared/catalogs.
const (
	KompendiumXML = "kompendium-2023/XML_Kompendium_2023.xml"
	KRTWorkbook   = "kompendium-2023/krt2023_Excel.xlsx"
	Kernel        = "grundschutz-plus-plus/BSI-Stand-der-Technik-Kernel-catalog.json"
	Profile       = "grundschutz-plus-plus/Grundschutz++-profile.json"
	Methodik      = "grundschutz-plus-plus/BSI-Methodik-Grundschutz++-catalog.json"
	Components    = "grundschutz-plus-plus/components/" // the component definitions' folder
	Keycloak      = Components + "Keycloak-component_definition.json"
	PasswordRules = Components + "Passwortrichtlinie-component_definition.json"
	AnnexA        = "grundschutz-plus-plus/iso27001/ISO27001-AnnexA-catalog.json"
	Mappings      = "grundschutz-plus-plus/mappings/" // the mapping collections' folder
	ITGSMapping   = Mappings + "ITGS-to-GS++-mapping_collection.json"
	AnnexAMapping = Mappings + "ISO27001-AnnexA-to-GS++-mapping_collection.json"
)

// Path is where a shared catalog file is: ../shared/catalogs from the
// repository's root, which is found from the test's folder (its package),
// so that the same name works in every package. "" when no root is found.
func Path(name string) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "catalogs", filepath.FromSlash(name))
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Read returns a shared catalog file. Without it the test is skipped, so
// that the tests run where the shared catalogs are not at hand, unless
// ISMS_REQUIRE_SHARED=1 demands them (as CI does): then it fails.
func Read(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(Path(name)) // "" is not found either
	if errors.Is(err, fs.ErrNotExist) {
		if os.Getenv("ISMS_REQUIRE_SHARED") == "1" {
			tb.Fatalf("ISMS_REQUIRE_SHARED=1, but the shared catalog file %s is missing: %v", name, err)
		}
		tb.Skipf("shared catalog file %s not found (%v); set ISMS_REQUIRE_SHARED=1 to make this fatal", name, err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// AsError returns err as the *catalog.Error that a parser gives for a file it
// refuses, and fails the test when err is none.
func AsError(tb testing.TB, err error) *catalog.Error {
	tb.Helper()
	var ce *catalog.Error
	if !errors.As(err, &ce) {
		tb.Fatalf("error %v (%T), want a *catalog.Error", err, err)
	}
	return ce
}
