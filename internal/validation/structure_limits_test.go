package validation

import (
	"encoding/json"
	"testing"

	"ismsd/internal/domain"
	"ismsd/schemas"
)

// TestSchemasHoldTheDomainLimits: the request schemas of target objects
// and the import file refuse up front exactly what domain's rules refuse,
// so that a limit is one fact with one value.
func TestSchemasHoldTheDomainLimits(t *testing.T) {
	props := func(file string, path ...string) map[string]map[string]any {
		t.Helper()
		b, err := schemas.FS.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		for _, p := range path {
			doc, _ = doc[p].(map[string]any)
		}
		out := map[string]map[string]any{}
		ps, _ := doc["properties"].(map[string]any)
		for k, v := range ps {
			out[k], _ = v.(map[string]any)
		}
		return out
	}
	limit := func(p map[string]any, key string) int {
		n, _ := p[key].(float64)
		return int(n)
	}
	for _, s := range []struct {
		file string
		path []string
	}{{"object-create.json", nil}, {"object-update.json", nil}, {"objects-import.json", []string{"$defs", "object"}}} {
		ps := props(s.file, s.path...)
		for _, tx := range domain.ObjectTexts {
			if p, ok := ps[tx.Name]; !ok || limit(p, "maxLength") != tx.Max {
				t.Errorf("%s: %s has maxLength %d, want %d", s.file, tx.Name, limit(p, "maxLength"), tx.Max)
			}
		}
		if got := limit(ps["short_id"], "maxLength"); got != domain.MaxShortID {
			t.Errorf("%s: short_id has maxLength %d, want %d", s.file, got, domain.MaxShortID)
		}
		if got := limit(ps["tags"], "maxItems"); got != domain.MaxObjectTags {
			t.Errorf("%s: tags has maxItems %d, want %d", s.file, got, domain.MaxObjectTags)
		}
	}
	need := props("needs-update.json", "$defs", "need")
	for _, r := range []string{"own_reason", "override_reason"} {
		if got := limit(need[r], "maxLength"); got != domain.MaxNeedReason {
			t.Errorf("needs-update.json: %s has maxLength %d, want %d", r, got, domain.MaxNeedReason)
		}
	}
}
