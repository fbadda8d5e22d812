package webui

import (
	"fmt"

	"ismsd/internal/catalogimport"
)

// mappingImportMessage tells what the import of a mapping collection did,
// mapping by mapping, with how many references resolve today.
func mappingImportMessage(res catalogimport.Result) string {
	prefix := "Zuordnung (Mapping) importiert"
	if res.Unchanged {
		prefix = "Diese Zuordnung wurde bereits importiert; es hat sich nichts geändert"
	}
	msg := prefix + ":"
	for i, m := range res.Mappings {
		if i > 0 {
			msg += ";"
		}
		msg += fmt.Sprintf(" %s: %d Zuordnungen, %d von %d Quellanforderungen und %d von %d Zielen gefunden",
			m.Name(), m.Maps, m.SourcesResolved, m.SourceRequirements, m.TargetsResolved, m.Targets)
	}
	return msg + "."
}
