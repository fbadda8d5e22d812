// Package version tells which build of ismsd is running, for the
// reports it prints and the operators who ask.
package version

import (
	"runtime/debug"
	"strings"
)

// stamp is the release, set when building one:
//
//	go build -ldflags "-X ismsd/internal/version.stamp=1.2.0" ./cmd/ismsd
var stamp string

// String is the release stamped into the binary; else the module version
// the go command recorded (a tagged "go install"), or the commit it was
// built from; "Entwicklungsstand" when nothing is known.
func String() string {
	if stamp != "" {
		return stamp
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "Entwicklungsstand"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return strings.TrimPrefix(v, "v")
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+"
			}
		}
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if revision == "" {
		return "Entwicklungsstand"
	}
	return "Stand " + revision + modified
}
