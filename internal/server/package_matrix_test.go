package server

// The requirement package of a Grundschutz++ scope binds the whole scope,
// like the scope itself: everyone with a role reads it, raising a
// requirement's security level takes a scope writer.
func init() {
	for k, v := range map[string][]string{
		"GET /api/v1/scopes/:id/package":                      allRoles,
		"POST /api/v1/scopes/:id/level-raises":                writers,
		"DELETE /api/v1/scopes/:id/level-raises/:requirement": writers,
		"GET /scopes/:id/package":                             allRoles,
		"POST /scopes/:id/package/raises":                     writers,
		"POST /scopes/:id/package/raises/:requirement/remove": writers,
	} {
		expectedAccess[k] = v
	}
}
