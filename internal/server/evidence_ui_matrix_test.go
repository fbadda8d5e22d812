package server

// The evidence pages: everyone with a role reads them (department heads
// within their subtree), ISBs and administrators upload, change, comment
// and link, auditors and administrators review.
func init() {
	for k, v := range map[string][]string{
		"GET /scopes/:id/evidence":                            allRoles,
		"POST /scopes/:id/evidence":                           writers,
		"GET /evidence/:id":                                   allRoles,
		"POST /evidence/:id":                                  writers,
		"POST /evidence/:id/versions":                         writers,
		"GET /evidence/:id/versions/:number/content":          allRoles,
		"POST /evidence/:id/review":                           {"admin", "auditor"},
		"POST /evidence/:id/comments":                         writers,
		"POST /evidence/:id/links":                            writers,
		"POST /evidence/:id/links/:link_type/:link_id/remove": writers,
	} {
		expectedAccess[k] = v
	}
}
