package webui

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	// recordLiteral finds tx.Record("object.create", …).
	recordLiteral = regexp.MustCompile(`\.Record\("([^"]+)"`)
	// recordVariable finds tx.Record(action, …), whose action is only known
	// where the variable gets its value.
	recordVariable = regexp.MustCompile(`\.Record\(([^",]+),`)
	// actionValue finds those values: action := "user.enable" (users.go) and
	// the actions passed to EndSession, which records them (sessions.go).
	actionValue = regexp.MustCompile(`\baction :?= "([^"]+)"|\.EndSession\([^)]*"([^"]+)"\)`)
)

// TestEveryRecordedActionHasALabel scans the repository's Go sources for
// the actions written to the audit trail, so that a new action cannot reach
// the page Protokoll as a bare code.
func TestEveryRecordedActionHasALabel(t *testing.T) {
	actions := map[string]string{} // action → file that records it
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// Hidden folders and the private PostgreSQL cluster hold no sources.
			if path != "../.." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := string(b)
		for _, m := range recordLiteral.FindAllStringSubmatch(src, -1) {
			actions[m[1]] = path
		}
		for _, m := range recordVariable.FindAllStringSubmatch(src, -1) {
			if m[1] != "action" {
				t.Errorf("%s: Record(%s, …) takes its action from %q; teach this test where its values come from", path, m[1], m[1])
			}
		}
		for _, m := range actionValue.FindAllStringSubmatch(src, -1) {
			actions[m[1]+m[2]] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Guards against a scan that silently finds nothing, e.g. after a move.
	for _, known := range []string{"object.create", "user.disable", "session.delete"} {
		if _, ok := actions[known]; !ok {
			t.Fatalf("the scan did not find the action %q; does it still read the sources?", known)
		}
	}
	for a, path := range actions {
		if _, ok := actionLabels[a]; !ok {
			t.Errorf("%s records the audit action %q, which has no German label in actionLabels", path, a)
		}
	}
}
