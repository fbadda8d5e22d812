package server

// The reports: whoever reads the scope reads them, department heads with
// their subtree's rows only.
func init() {
	for k, v := range map[string][]string{
		"GET /api/v1/scopes/:id/reports":         allRoles,
		"GET /api/v1/scopes/:id/reports/:report": allRoles,
		"GET /scopes/:id/reports":                allRoles,
		"GET /scopes/:id/reports/:report":        allRoles,
	} {
		expectedAccess[k] = v
	}
}
