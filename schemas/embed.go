// Package schemas holds the JSON Schemas (draft 2020-12) of every request
// body and of the main responses; the API description embeds them.
package schemas

import "embed"

//go:embed *.json
var FS embed.FS
