package server

// The routes of the certification readiness: everyone who reads the
// scope's objects (department heads their subtree's figures).
func init() {
	for k, v := range map[string][]string{
		"GET /api/v1/scopes/:id/readiness":                      allRoles,
		"GET /api/v1/scopes/:id/readiness/gates/:gate/blockers": allRoles,
		"GET /api/v1/scopes/:id/progress":                       allRoles,
		"GET /scopes/:id/readiness":                             allRoles,
		"GET /scopes/:id/readiness/:gate":                       allRoles,
	} {
		expectedAccess[k] = v
	}
}
