package catalog

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	cases := map[string]Kind{
		"PK\x03\x04rest of a zip": KindKRT,
		`<?xml version="1.0"?><book xmlns="http://docbook.org/ns/docbook">`: KindKompendiumXML,
		"\xef\xbb\xbf  <book>":          KindKompendiumXML,
		` { "catalog": {"uuid": "x"} }`: KindOSCALCatalog,
		"{\n  \"profile\": {}}":         KindOSCALProfile,
		`{"component-definition": {}}`:  KindOSCALComponents,
		`{"mapping-collection": {}}`:    KindOSCALMappings,
		"{\n \"$schema\" : \"https://x/oscal_mapping_schema.json\",\n \"mapping-collection\": {}}": KindOSCALMappings,
	}
	for head, want := range cases {
		if got, err := Detect([]byte(head)); err != nil || got != want {
			t.Errorf("Detect(%q) = %q, %v; want %q", head, got, err, want)
		}
	}
	for _, head := range []string{"", "hello", "<html><body>", `{"assessment-plan": {}}`, "%PDF-1.7", `{"$schema": 1, "catalog": {}}`, `{"$schema": "x" "catalog": {}}`, `{"$schema": "x", "plan": {}}`} {
		if k, err := Detect([]byte(head)); err == nil {
			t.Errorf("Detect(%q) = %q, want an error", head, k)
		}
	}
}

func TestLimitReader(t *testing.T) {
	if b, err := io.ReadAll(LimitReader(strings.NewReader("12345"), 5)); err != nil || string(b) != "12345" {
		t.Errorf("exactly at the limit: %q, %v", b, err)
	}
	_, err := io.ReadAll(LimitReader(strings.NewReader("123456"), 5))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "ISMS_CATALOG_MAX_BYTES") {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := ParseKind("pdf"); err == nil {
		t.Error("ParseKind accepted pdf")
	}
	if k, err := ParseKind("krt-xlsx"); err != nil || k != KindKRT {
		t.Errorf("ParseKind(krt-xlsx) = %q, %v", k, err)
	}
}

func TestErrorPointer(t *testing.T) {
	for where, want := range map[string]string{
		"catalog.groups[3].controls[2]":                   "/catalog/groups/3/controls/2",
		"component-definition.components[0]":              "/component-definition/components/0",
		"catalog.groups[1].controls[0].parts[2].props[0]": "/catalog/groups/1/controls/0/parts/2/props/0",
		"catalog":                    "/catalog",
		"line 12, column 3":          "",
		"sheet KRT_SYS.2.1, cell D7": "",
		"":                           "",
	} {
		if got := (&Error{Where: where}).Pointer(); got != want {
			t.Errorf("%q: pointer %q, want %q", where, got, want)
		}
	}
}
