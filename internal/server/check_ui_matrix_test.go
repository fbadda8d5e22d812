package server

// The pages of the IT-Grundschutz-Check (A.4) and the implementation plan (A.6).
func init() {
	for k, v := range map[string][]string{
		"GET /scopes/:id/check":                 allRoles,
		"POST /scopes/:id/check/bulk":           writers,
		"GET /scopes/:id/check/modules/:module": allRoles,
		"GET /objects/:id/check":                allRoles,
		"GET /check-entries/:id":                allRoles,
		"POST /check-entries/:id":               writers,
		"GET /scopes/:id/plan":                  allRoles,
		"POST /plan-items/:id":                  writers,
	} {
		expectedAccess[k] = v
	}
}
