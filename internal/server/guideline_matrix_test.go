package server

// The guideline, the policies of A.0 and the certificate: everyone with a
// role reads them; ISBs and administrators edit; management and
// administrators approve the guideline.
func init() {
	approvers := []string{"admin", "management"}
	for k, v := range map[string][]string{
		"GET /api/v1/scopes/:id/guidelines":    allRoles,
		"POST /api/v1/scopes/:id/guidelines":   writers,
		"GET /api/v1/guidelines/:id":           allRoles,
		"PATCH /api/v1/guidelines/:id":         writers,
		"DELETE /api/v1/guidelines/:id":        writers,
		"POST /api/v1/guidelines/:id/approve":  approvers,
		"GET /api/v1/scopes/:id/policies":      allRoles,
		"POST /api/v1/scopes/:id/policies":     writers,
		"GET /api/v1/policies/:id":             allRoles,
		"PATCH /api/v1/policies/:id":           writers,
		"POST /api/v1/policies/:id/withdraw":   writers,
		"GET /api/v1/scopes/:id/certificates":  allRoles,
		"POST /api/v1/scopes/:id/certificates": writers,
		"GET /api/v1/certificates/:id":         allRoles,
		"PATCH /api/v1/certificates/:id":       writers,
		"DELETE /api/v1/certificates/:id":      writers,
		"GET /scopes/:id/guideline":            allRoles,
		"POST /scopes/:id/guideline/draft":     writers,
		"POST /guidelines/:id":                 writers,
		"POST /guidelines/:id/delete":          writers,
		"POST /guidelines/:id/approve":         approvers,
		"POST /scopes/:id/policies":            writers,
		"POST /policies/:id":                   writers,
		"POST /policies/:id/withdraw":          writers,
		"POST /scopes/:id/certificates":        writers,
		"POST /certificates/:id":               writers,
		"POST /certificates/:id/delete":        writers,
	} {
		expectedAccess[k] = v
	}
}
