package server

// The dashboards: management and administrators see the scope's; department
// heads their subtree's and its history, management and administrators
// any department's. ISBs and auditors find their work on the start page.
func init() {
	readers := []string{"admin", "management", "department_head"}
	for k, v := range map[string][]string{
		"GET /scopes/:id/dashboard":            {"admin", "management"},
		"GET /scopes/:id/dashboard/department": readers,
		"GET /api/v1/scopes/:id/history":       readers,
	} {
		expectedAccess[k] = v
	}
}
