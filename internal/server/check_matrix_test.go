package server

// The routes of the IT-Grundschutz-Check and the implementation plan.
func init() {
	for k, v := range map[string][]string{
		"GET /api/v1/scopes/:id/check":          allRoles,
		"POST /api/v1/scopes/:id/check/bulk":    writers,
		"GET /api/v1/check-entries/:id":         allRoles,
		"PATCH /api/v1/check-entries/:id":       writers,
		"GET /api/v1/check-entries/:id/history": allRoles,
		"GET /api/v1/scopes/:id/plan":           allRoles,
		"GET /api/v1/scopes/:id/plan/summary":   allRoles,
		"PATCH /api/v1/plan-items/:id":          writers,
	} {
		expectedAccess[k] = v
	}
}
