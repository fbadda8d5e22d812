package server

// The risk analysis (A.5): everyone with a role reads it (department heads
// within their subtree), ISBs and administrators write it, and only
// management signs risk acceptances.
func init() {
	for k, v := range map[string][]string{
		"GET /api/v1/scopes/:id/risk-analyses":               allRoles,
		"GET /api/v1/scopes/:id/risk-matrix":                 allRoles,
		"PUT /api/v1/scopes/:id/risk-matrix":                 writers,
		"GET /api/v1/objects/:id/risk-analysis":              allRoles,
		"POST /api/v1/objects/:id/risk-analysis":             writers,
		"PATCH /api/v1/objects/:id/risk-analysis":            writers,
		"POST /api/v1/objects/:id/risk-analysis/items":       writers,
		"PATCH /api/v1/risk-items/:id":                       writers,
		"DELETE /api/v1/risk-items/:id":                      writers,
		"GET /api/v1/objects/:id/risk-analysis/acceptances":  allRoles,
		"POST /api/v1/objects/:id/risk-analysis/acceptances": {"management"},
		"GET /scopes/:id/risk":                               allRoles,
		"POST /scopes/:id/risk/matrix":                       writers,
		"GET /objects/:id/risk":                              allRoles,
		"POST /objects/:id/risk":                             writers,
		"POST /objects/:id/risk/summary":                     writers,
		"POST /objects/:id/risk/assess":                      writers,
		"POST /objects/:id/risk/items":                       writers,
		"POST /objects/:id/risk/items/:item":                 writers,
		"POST /objects/:id/risk/items/:item/delete":          writers,
		"POST /objects/:id/risk/accept":                      {"management"},
	} {
		expectedAccess[k] = v
	}
}
