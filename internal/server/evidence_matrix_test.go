package server

// Evidence: everyone with a role reads it (department heads within their
// subtree), ISBs and administrators upload and link it, auditors and
// administrators review it.
func init() {
	for k, v := range map[string][]string{
		"GET /api/v1/scopes/:id/evidence":                       allRoles,
		"POST /api/v1/scopes/:id/evidence":                      writers,
		"GET /api/v1/evidence/:id":                              allRoles,
		"PATCH /api/v1/evidence/:id":                            writers,
		"POST /api/v1/evidence/:id/versions":                    writers,
		"GET /api/v1/evidence/:id/versions/:number/content":     allRoles,
		"POST /api/v1/evidence/:id/review":                      {"admin", "auditor"},
		"GET /api/v1/evidence/:id/thread":                       allRoles,
		"POST /api/v1/evidence/:id/comments":                    writers,
		"POST /api/v1/evidence/:id/links":                       writers,
		"DELETE /api/v1/evidence/:id/links/:link_type/:link_id": writers,
	} {
		expectedAccess[k] = v
	}
}
