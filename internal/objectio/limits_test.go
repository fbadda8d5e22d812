package objectio

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"ismsd/internal/domain"
)

// TestFilesCheckTheDomainRules: a file is refused row by row for what the
// store would refuse when the import is applied, with the same limits.
func TestFilesCheckTheDomainRules(t *testing.T) {
	// Every plain text field of a target object is a column of the files.
	for _, tx := range domain.ObjectTexts {
		c, ok := columnByName[tx.Name]
		if !ok || columns[c].text == nil || columns[c].text.Name != tx.Name {
			t.Errorf("domain's text field %s is no column of the files", tx.Name)
		}
	}

	// A short ID longer than the store takes is refused in the dry run,
	// not only when the import is applied.
	short := strings.Repeat("S", domain.MaxShortID)
	in := "external_id,name,type,short_id\nA,A,room," + short + "\nB,B,room," + short + "X\n"
	_, errs, err := Read(CSV, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := where(errs); !slices.Equal(got, []string{"3:short_id"}) {
		t.Errorf("problems at %v, want 3:short_id\n%v", got, errs)
	}
	_, errs, err = Read(JSON, []byte(`{"objects":[{"external_id":"A","name":"A","type":"room","short_id":"`+short+`X"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := where(errs); !slices.Equal(got, []string{"1:short_id"}) {
		t.Errorf("JSON: problems at %v, want 1:short_id\n%v", got, errs)
	}

	// Each text at its limit is taken, one character more is refused.
	for _, tx := range domain.ObjectTexts {
		for _, n := range []int{tx.Max, tx.Max + 1} {
			name, ext := "N", "E"
			value := strings.Repeat("ü", n)
			switch tx.Name {
			case "name":
				name = value
			case "external_id":
				ext = value
			}
			file := fmt.Sprintf("external_id,name,type,%s\n%s,%s,room,%s\n", tx.Name, ext, name, value)
			if tx.Name == "name" || tx.Name == "external_id" {
				file = fmt.Sprintf("external_id,name,type\n%s,%s,room\n", ext, name)
			}
			_, errs, err := Read(CSV, []byte(file))
			if err != nil {
				t.Fatal(err)
			}
			if refused := len(errs) > 0; refused != (n > tx.Max) {
				t.Errorf("%s of %d characters: %v", tx.Name, n, errs)
			}
		}
	}
}
