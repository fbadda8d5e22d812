package server

// Exceptions of a Grundschutz++ scope: everyone with a role reads them
// (department heads within their subtree); only management authorises
// and revokes them.
func init() {
	for k, v := range map[string][]string{
		"GET /api/v1/scopes/:id/exceptions":        allRoles,
		"GET /api/v1/check-entries/:id/exception":  allRoles,
		"POST /api/v1/check-entries/:id/exception": {"management"},
		"POST /api/v1/exceptions/:id/revoke":       {"management"},
		"GET /scopes/:id/exceptions":               allRoles,
		"POST /check-entries/:id/exception":        {"management"},
		"POST /exceptions/:id/revoke":              {"management"},
	} {
		expectedAccess[k] = v
	}
	for k, v := range map[string][]crossDeptCase{
		"GET /api/v1/scopes/:id/exceptions":       {{path: "/api/v1/scopes/{{scope}}/exceptions"}},
		"GET /api/v1/check-entries/:id/exception": {{path: "/api/v1/check-entries/{{entry}}/exception"}},
		"POST /api/v1/check-entries/:id/exception": {{path: "/api/v1/check-entries/{{stdentry}}/exception",
			body: `{"justification": "Neu", "valid_until": "2099-12-31", "password": "correct horse battery"}`}},
		"POST /api/v1/exceptions/:id/revoke": {{path: "/api/v1/exceptions/{{exception}}/revoke", ifMatch: "{{exception.v}}"}},
		"GET /scopes/:id/exceptions":         {{path: "/scopes/{{scope}}/exceptions"}},
		"POST /check-entries/:id/exception": {{path: "/check-entries/{{stdentry}}/exception",
			form: "justification=Neu&valid_until=2099-12-31&password=correct+horse+battery"}},
		"POST /exceptions/:id/revoke": {{path: "/exceptions/{{exception}}/revoke", form: "version={{exception.v}}"}},
	} {
		crossDeptCases[k] = v
	}
}
