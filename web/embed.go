// Package web holds the page templates and the static files (our own CSS,
// icons and the little JavaScript there is) of the web UI.
package web

import "embed"

//go:embed templates static
var FS embed.FS
