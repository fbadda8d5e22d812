// Package migrations holds the forward-only SQL migrations, applied in the
// order of their numeric file-name prefix.
package migrations

import "embed"

//go:embed *.sql
var FS embed.FS
