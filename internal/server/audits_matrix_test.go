package server

// Audits: everyone with a role reads them; auditors and administrators
// run them and verify corrective actions; ISBs and administrators submit
// corrective actions.
func init() {
	auditors, answerers := []string{"admin", "auditor"}, []string{"admin", "isb"}
	for k, v := range map[string][]string{
		"GET /api/v1/scopes/:id/audits":                allRoles,
		"POST /api/v1/scopes/:id/audits":               auditors,
		"GET /api/v1/audits/:id":                       allRoles,
		"PATCH /api/v1/audits/:id":                     auditors,
		"GET /api/v1/audits/:id/sample":                allRoles,
		"POST /api/v1/audits/:id/sample":               auditors,
		"POST /api/v1/audits/:id/sample/draw":          auditors,
		"PATCH /api/v1/sample-items/:id":               auditors,
		"DELETE /api/v1/sample-items/:id":              auditors,
		"GET /api/v1/audits/:id/findings":              allRoles,
		"POST /api/v1/audits/:id/findings":             auditors,
		"GET /api/v1/scopes/:id/findings":              allRoles,
		"GET /api/v1/findings/:id":                     allRoles,
		"PATCH /api/v1/findings/:id":                   auditors,
		"POST /api/v1/findings/:id/corrective-actions": answerers,
		"POST /api/v1/findings/:id/verification":       auditors,
		"GET /scopes/:id/audits":                       allRoles,
		"POST /scopes/:id/audits":                      auditors,
		"GET /audits/:id":                              allRoles,
		"POST /audits/:id":                             auditors,
		"POST /audits/:id/sample":                      auditors,
		"POST /audits/:id/sample/draw":                 auditors,
		"POST /audits/:id/findings":                    auditors,
		"POST /sample-items/:id":                       auditors,
		"POST /sample-items/:id/delete":                auditors,
		"GET /findings/:id":                            allRoles,
		"POST /findings/:id":                           auditors,
		"POST /findings/:id/corrective-actions":        answerers,
		"POST /findings/:id/verification":              auditors,
	} {
		expectedAccess[k] = v
	}
}
