package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/schemas"
)

// The cross-department matrix: every route whose path, query or body
// names a record by id is sent, as every department-limited role, once
// with the id of a record of another department and once with an id
// that does not exist. The two answers must be the same (status, problem
// type and detail, or page text, with the ids left out), nothing may
// change, and nothing of the other department may show. As global roles,
// who read everything, the ids in bodies point into another scope instead:
// a write names records of its own scope only.
//
// crossDeptCases lists, for every route that has a path parameter, a
// request body with an id field (by its JSON Schema) or a page form,
// how to call it with the placeholders {{kind}} (a record's id) and
// {{kind.v}} (its version), {{kind.ext}} (external ID), {{kind.short}}
// (short ID); a route missing here fails the test, so a new route with
// an id is decided here. nil: the route names no record of a department
// (accounts, catalogs, departments, scopes and what belongs to a whole
// scope: audits, findings, the guideline, policies, certificates).
var crossDeptCases = map[string][]crossDeptCase{
	// Accounts, sessions and tokens belong to users, catalogs to everyone;
	// departments are the organisation tree everyone reads.
	"DELETE /api/v1/me/sessions/:id":                     nil,
	"DELETE /api/v1/me/tokens/:id":                       nil,
	"GET /api/v1/users/:id":                              nil,
	"PATCH /api/v1/users/:id":                            nil,
	"PUT /api/v1/users/:id/password":                     nil,
	"POST /api/v1/users/:id/grants":                      nil,
	"DELETE /api/v1/users/:id/grants/:grant":             nil,
	"GET /api/v1/users/:id/sessions":                     nil,
	"GET /api/v1/users/:id/tokens":                       nil,
	"DELETE /api/v1/users/:id/tokens/:token":             nil,
	"GET /api/v1/users/:id/lockouts":                     nil,
	"DELETE /api/v1/users/:id/lockouts":                  nil,
	"DELETE /api/v1/users/:id/sessions":                  nil,
	"DELETE /api/v1/users/:id/sessions/:session":         nil,
	"POST /api/v1/users":                                 nil,
	"GET /api/v1/catalogs/:id":                           nil,
	"GET /api/v1/component-definitions/:id":              nil,
	"GET /api/v1/catalogs/:id/modules":                   nil,
	"GET /api/v1/catalogs/:id/modules/:module":           nil,
	"GET /api/v1/catalogs/:id/requirements/:requirement": nil,
	"GET /api/v1/departments/:id":                        nil,
	"PATCH /api/v1/departments/:id":                      nil,
	"DELETE /api/v1/departments/:id":                     nil,
	"POST /api/v1/departments":                           nil,
	"POST /api/v1/scopes":                                nil,
	"PATCH /api/v1/scopes/:id":                           nil,
	"POST /account/tokens/:id/revoke":                    nil,
	"POST /account/sessions/:id/end":                     nil,
	"POST /account/password":                             nil,
	"POST /account/tokens":                               nil,
	"POST /login":                                        nil,
	"POST /logout":                                       nil,
	"GET /admin/users/:id":                               nil,
	"POST /admin/users/:id/tokens/:token/revoke":         nil,
	"POST /admin/users/:id/lockouts/lift":                nil,
	"POST /admin/users":                                  nil,
	"POST /admin/users/:id":                              nil,
	"POST /admin/users/:id/status":                       nil,
	"POST /admin/users/:id/password":                     nil,
	"POST /admin/users/:id/grants":                       nil,
	"POST /admin/users/:id/grants/:grant/revoke":         nil,
	"POST /admin/users/:id/sessions/end":                 nil,
	"POST /catalogs":                                     nil,
	"GET /catalogs/:id":                                  nil,
	"GET /component-definitions/:id":                     nil,
	"GET /catalogs/:id/modules/:module":                  nil,
	"GET /catalogs/:id/requirements/:requirement":        nil,
	"GET /catalogs/:id/threats":                          nil,
	"POST /departments":                                  nil,
	"POST /departments/:id":                              nil,
	"POST /departments/:id/delete":                       nil,
	"POST /scopes":                                       nil,
	"POST /scopes/:id":                                   nil,

	// A scope and what belongs to all of it: read for the leak check only.
	"GET /api/v1/scopes/:id":                                {{path: "/api/v1/scopes/{{scope}}"}},
	"GET /api/v1/scopes/:id/objects":                        {{path: "/api/v1/scopes/{{scope}}/objects"}},
	"GET /api/v1/scopes/:id/modelling":                      {{path: "/api/v1/scopes/{{scope}}/modelling"}},
	"GET /api/v1/scopes/:id/risk-analyses":                  {{path: "/api/v1/scopes/{{scope}}/risk-analyses"}},
	"GET /api/v1/scopes/:id/risk-matrix":                    {{path: "/api/v1/scopes/{{scope}}/risk-matrix"}},
	"PUT /api/v1/scopes/:id/risk-matrix":                    nil,
	"GET /api/v1/scopes/:id/package":                        {{path: "/api/v1/scopes/{{scope}}/package"}},
	"POST /api/v1/scopes/:id/level-raises":                  nil,
	"DELETE /api/v1/scopes/:id/level-raises/:requirement":   nil,
	"GET /api/v1/scopes/:id/export":                         {{path: "/api/v1/scopes/{{scope}}/export?format=json"}, {path: "/api/v1/scopes/{{scope}}/export?format=csv"}},
	"GET /api/v1/scopes/:id/check":                          {{path: "/api/v1/scopes/{{scope}}/check"}, {path: "/api/v1/scopes/{{scope}}/check?object={{object}}", missing: 200}},
	"GET /api/v1/scopes/:id/plan":                           {{path: "/api/v1/scopes/{{scope}}/plan"}},
	"GET /api/v1/scopes/:id/plan/summary":                   {{path: "/api/v1/scopes/{{scope}}/plan/summary"}},
	"GET /api/v1/scopes/:id/evidence":                       {{path: "/api/v1/scopes/{{scope}}/evidence"}, {path: "/api/v1/scopes/{{scope}}/evidence?target=check_entry&target_id={{entry}}", missing: 200}},
	"GET /api/v1/scopes/:id/audits":                         {{path: "/api/v1/scopes/{{scope}}/audits"}},
	"GET /api/v1/scopes/:id/findings":                       {{path: "/api/v1/scopes/{{scope}}/findings"}},
	"GET /api/v1/scopes/:id/reports":                        {{path: "/api/v1/scopes/{{scope}}/reports"}},
	"GET /api/v1/scopes/:id/reports/:report":                {{path: "/api/v1/scopes/{{scope}}/reports/a4.csv"}},
	"GET /api/v1/scopes/:id/readiness":                      {{path: "/api/v1/scopes/{{scope}}/readiness"}},
	"GET /api/v1/scopes/:id/readiness/gates/:gate/blockers": {{path: "/api/v1/scopes/{{scope}}/readiness/gates/G5/blockers"}},
	"GET /api/v1/scopes/:id/progress":                       {{path: "/api/v1/scopes/{{scope}}/progress?by=department"}},
	"GET /api/v1/scopes/:id/guidelines":                     {{path: "/api/v1/scopes/{{scope}}/guidelines"}},
	"GET /api/v1/scopes/:id/policies":                       {{path: "/api/v1/scopes/{{scope}}/policies"}},
	"GET /api/v1/scopes/:id/certificates":                   {{path: "/api/v1/scopes/{{scope}}/certificates"}},
	"GET /api/v1/scopes/:id/history":                        {{path: "/api/v1/scopes/{{scope}}/history"}},
	"POST /api/v1/scopes/:id/guidelines":                    nil,
	"GET /api/v1/guidelines/:id":                            nil,
	"PATCH /api/v1/guidelines/:id":                          nil,
	"DELETE /api/v1/guidelines/:id":                         nil,
	"POST /api/v1/guidelines/:id/approve":                   nil,
	"GET /api/v1/policies/:id":                              {{path: "/api/v1/policies/{{policy}}"}},
	"POST /api/v1/policies/:id/withdraw":                    nil,
	"POST /api/v1/scopes/:id/certificates":                  nil,
	"GET /api/v1/certificates/:id":                          nil,
	"PATCH /api/v1/certificates/:id":                        nil,
	"DELETE /api/v1/certificates/:id":                       nil,
	"POST /api/v1/scopes/:id/audits":                        nil,
	"GET /api/v1/audits/:id":                                {{path: "/api/v1/audits/{{audit}}"}},
	"PATCH /api/v1/audits/:id":                              nil,
	"GET /api/v1/audits/:id/sample":                         {{path: "/api/v1/audits/{{audit}}/sample"}},
	"POST /api/v1/audits/:id/sample/draw":                   nil,
	"GET /api/v1/audits/:id/findings":                       {{path: "/api/v1/audits/{{audit}}/findings"}},
	"GET /api/v1/findings/:id":                              {{path: "/api/v1/findings/{{finding}}"}},
	"POST /api/v1/findings/:id/corrective-actions":          nil,
	"POST /api/v1/findings/:id/verification":                nil,

	// Target objects and what hangs on them.
	"POST /api/v1/scopes/:id/objects": {{path: "/api/v1/scopes/{{scope}}/objects",
		body: `{"type": "it_system", "name": "Neues System", "department_id": {{dept}}, "group_id": {{group}}}`}},
	"POST /api/v1/scopes/:id/modelling": {{path: "/api/v1/scopes/{{scope}}/modelling", body: `{"modules": ["NET.3.1"], "objects": [{{object}}]}`}},
	"GET /api/v1/objects/:id":           {{path: "/api/v1/objects/{{object}}"}, {path: "/api/v1/objects/{{guest}}"}},
	"PATCH /api/v1/objects/:id": {{path: "/api/v1/objects/{{object}}", body: `{"responsible": "Referat 7"}`, ifMatch: "{{object.v}}"},
		{path: "/api/v1/objects/{{member}}", body: `{"group_id": {{group}}}`, ifMatch: "{{member.v}}"}},
	"DELETE /api/v1/objects/:id": {{path: "/api/v1/objects/{{object}}"}},
	"PUT /api/v1/objects/:id/needs": {{path: "/api/v1/objects/{{object}}/needs", ifMatch: "{{object.v}}",
		body: `{"c": {"own": "normal", "own_reason": "Workshop"}, "i": {"own": "normal"}, "a": {"own": "normal"}}`}},
	"GET /api/v1/objects/:id/dependencies":            {{path: "/api/v1/objects/{{object}}/dependencies"}},
	"POST /api/v1/objects/:id/dependencies":           {{path: "/api/v1/objects/{{member}}/dependencies", body: `{"depends_on": {{server}}}`}},
	"DELETE /api/v1/objects/:id/dependencies/:target": {{path: "/api/v1/objects/{{object}}/dependencies/{{server}}"}},
	"GET /api/v1/objects/:id/modules":                 {{path: "/api/v1/objects/{{object}}/modules"}},
	"POST /api/v1/objects/:id/modules": {{path: "/api/v1/objects/{{object}}/modules", body: `{"modules": ["NET.3.1"]}`},
		{path: "/api/v1/objects/{{object}}/modules", body: `{"modules": ["NET.3.1"], "objects": [{{server}}]}`, missing: 422}},
	"DELETE /api/v1/objects/:id/modules/:module":        {{path: "/api/v1/objects/{{object}}/modules/SYS.1.1"}},
	"GET /api/v1/objects/:id/components":                {{path: "/api/v1/objects/{{object}}/components"}},
	"POST /api/v1/objects/:id/components":               {{path: "/api/v1/objects/{{object}}/components", body: `{"component": 1}`}},
	"DELETE /api/v1/objects/:id/components/:cid":        {{path: "/api/v1/objects/{{object}}/components/1"}},
	"GET /api/v1/objects/:id/risk-analysis":             {{path: "/api/v1/objects/{{object}}/risk-analysis"}},
	"POST /api/v1/objects/:id/risk-analysis":            {{path: "/api/v1/objects/{{object}}/risk-analysis", body: `{"summary": "Neu"}`}},
	"PATCH /api/v1/objects/:id/risk-analysis":           {{path: "/api/v1/objects/{{object}}/risk-analysis", body: `{"summary": "Geändert"}`, ifMatch: "{{object.rv}}"}},
	"POST /api/v1/objects/:id/risk-analysis/items":      {{path: "/api/v1/objects/{{object}}/risk-analysis/items", body: `{"title": "Eigene Gefährdung"}`}},
	"GET /api/v1/objects/:id/risk-analysis/acceptances": {{path: "/api/v1/objects/{{object}}/risk-analysis/acceptances"}},
	"POST /api/v1/objects/:id/risk-analysis/acceptances": {{path: "/api/v1/objects/{{object}}/risk-analysis/acceptances", ifMatch: "{{object.rv}}",
		body: `{"password": "correct horse battery", "entries": [{{stdentry}}]}`}},
	"PATCH /api/v1/risk-items/:id":  {{path: "/api/v1/risk-items/{{riskitem}}", body: `{"description": "Geändert"}`, ifMatch: "{{riskitem.v}}"}},
	"DELETE /api/v1/risk-items/:id": {{path: "/api/v1/risk-items/{{riskitem}}", ifMatch: "{{riskitem.v}}"}},
	"POST /api/v1/scopes/:id/import": {{path: "/api/v1/scopes/{{scope}}/import", missing: 422, multipart: map[string]string{"format": "json", "dry_run": "false",
		"file": `{"objects": [{"external_id": "NEU-1", "name": "Neues System", "type": "it_system", "department": "EIG", "depends_on": ["{{server.ext}}"]}]}`}},
		{path: "/api/v1/scopes/{{scope}}/import", missing: 200, multipart: map[string]string{"format": "json", "dry_run": "true",
			"file": `{"objects": [{"external_id": "NEU-1", "name": "Neues System", "type": "it_system", "department": "EIG", "depends_on": ["{{server.ext}}"]}]}`}}},
	"GET /api/v1/import-template": nil,

	// The check and the implementation plan.
	"POST /api/v1/scopes/:id/check/bulk": {{path: "/api/v1/scopes/{{scope}}/check/bulk",
		body: `{"items": [{"id": {{entry}}, "version": {{entry.v}}, "status": "yes"}]}`}},
	"GET /api/v1/check-entries/:id":         {{path: "/api/v1/check-entries/{{entry}}"}},
	"PATCH /api/v1/check-entries/:id":       {{path: "/api/v1/check-entries/{{entry}}", body: `{"status": "yes"}`, ifMatch: "{{entry.v}}"}},
	"GET /api/v1/check-entries/:id/history": {{path: "/api/v1/check-entries/{{entry}}/history"}},
	"PATCH /api/v1/plan-items/:id":          {{path: "/api/v1/plan-items/{{plan}}", body: `{"owner": "Referat 7"}`, ifMatch: "{{plan.v}}"}},

	// Evidence.
	"POST /api/v1/scopes/:id/evidence": nil, // names its department, which everyone may read
	"GET /api/v1/evidence/:id":         {{path: "/api/v1/evidence/{{evidence}}"}},
	"PATCH /api/v1/evidence/:id":       {{path: "/api/v1/evidence/{{evidence}}", body: `{"title": "Neuer Titel"}`, ifMatch: "{{evidence.v}}"}},
	"POST /api/v1/evidence/:id/versions": {{path: "/api/v1/evidence/{{evidence}}/versions", ifMatch: "{{evidence.v}}",
		multipart: map[string]string{"effective_on": "{{today}}", "reference": "DOK-2"}}},
	"GET /api/v1/evidence/:id/versions/:number/content": {{path: "/api/v1/evidence/{{evidence}}/versions/1/content"}},
	"POST /api/v1/evidence/:id/review":                  {{path: "/api/v1/evidence/{{evidence}}/review", body: `{"decision": "accepted"}`, ifMatch: "{{evidence.v}}"}},
	"GET /api/v1/evidence/:id/thread":                   {{path: "/api/v1/evidence/{{evidence}}/thread"}},
	"POST /api/v1/evidence/:id/comments":                {{path: "/api/v1/evidence/{{evidence}}/comments", body: `{"body": "Bitte prüfen."}`}},
	"POST /api/v1/evidence/:id/links": {
		{path: "/api/v1/evidence/{{evidence}}/links", body: `{"target": "check_entry", "target_id": {{entry}}}`},
		{path: "/api/v1/evidence/{{evidence}}/links", body: `{"target": "plan_item", "target_id": {{plan}}}`},
		{path: "/api/v1/evidence/{{evidence}}/links", body: `{"target": "risk_analysis", "target_id": {{riskanalysis}}}`},
		{path: "/api/v1/evidence/{{evidence}}/links", body: `{"target": "finding", "target_id": {{finding}}}`}},
	"DELETE /api/v1/evidence/:id/links/:link_type/:link_id": {{path: "/api/v1/evidence/{{evidence}}/links/check_entry/{{entry}}"}},

	// Audits: the sample and findings name objects, entries and items.
	"POST /api/v1/audits/:id/sample": {{path: "/api/v1/audits/{{audit}}/sample", body: `{"type": "object", "object_id": {{server}}}`},
		{path: "/api/v1/audits/{{audit}}/sample", body: `{"type": "requirement", "entry_id": {{stdentry}}}`}},
	"PATCH /api/v1/sample-items/:id":  {{path: "/api/v1/sample-items/{{sample}}", body: `{"result": "conforming"}`, ifMatch: "{{sample.v}}"}},
	"DELETE /api/v1/sample-items/:id": {{path: "/api/v1/sample-items/{{sample}}", ifMatch: "{{sample.v}}"}},
	"POST /api/v1/audits/:id/findings": {
		{path: "/api/v1/audits/{{audit}}/findings", body: `{"class": "recommendation", "title": "Neu", "links": [{"target": "object", "target_id": {{object}}}]}`},
		{path: "/api/v1/audits/{{audit}}/findings", body: `{"class": "recommendation", "title": "Neu", "links": [{"target": "check_entry", "target_id": {{entry}}}]}`},
		{path: "/api/v1/audits/{{audit}}/findings", body: `{"class": "recommendation", "title": "Neu", "links": [{"target": "sample", "target_id": {{sample}}}]}`}},
	"PATCH /api/v1/findings/:id": {{path: "/api/v1/findings/{{finding}}", ifMatch: "{{finding.v}}",
		body: `{"links": [{"target": "object", "target_id": {{object}}}]}`}},

	// A.0: a policy is held by an evidence item.
	"POST /api/v1/scopes/:id/policies": {{path: "/api/v1/scopes/{{scope}}/policies",
		body: `{"title": "Richtlinie", "evidence_id": {{evidence}}, "approved_by": "Leitung", "approved_on": "2025-01-10", "review_months": 12}`}},
	"PATCH /api/v1/policies/:id": {{path: "/api/v1/policies/{{policy}}", body: `{"evidence_id": {{evidence}}}`, ifMatch: "{{policy.v}}"}},

	// The pages.
	"GET /scopes/:id":                               {{path: "/scopes/{{scope}}"}},
	"GET /scopes/:id/objects":                       {{path: "/scopes/{{scope}}/objects"}},
	"POST /scopes/:id/objects":                      nil, // the form names the department only, which everyone may read
	"GET /scopes/:id/objects/new":                   {{path: "/scopes/{{scope}}/objects/new"}},
	"GET /scopes/:id/needs":                         {{path: "/scopes/{{scope}}/needs"}},
	"GET /scopes/:id/modelling":                     {{path: "/scopes/{{scope}}/modelling"}},
	"POST /scopes/:id/modelling":                    {{path: "/scopes/{{scope}}/modelling", form: "object={{object}}&module=NET.3.1"}},
	"GET /objects/:id":                              {{path: "/objects/{{object}}"}, {path: "/objects/{{guest}}"}},
	"POST /objects/:id":                             {{path: "/objects/{{object}}", form: "type=it_system&name=Umbenannt&department_id={{dept}}&version={{object.v}}"}},
	"GET /objects/:id/edit":                         {{path: "/objects/{{object}}/edit"}},
	"POST /objects/:id/delete":                      {{path: "/objects/{{object}}/delete"}},
	"POST /objects/:id/needs":                       {{path: "/objects/{{object}}/needs", form: "own_c=normal&own_i=normal&own_a=normal&own_reason_c=Workshop&version={{object.v}}"}},
	"POST /objects/:id/dependencies":                {{path: "/objects/{{member}}/dependencies", form: "depends_on={{server}}"}, {path: "/objects/{{member}}/dependencies", form: "short_id={{server.short}}"}},
	"POST /objects/:id/dependencies/:target/remove": {{path: "/objects/{{object}}/dependencies/{{server}}/remove"}},
	"POST /objects/:id/modules":                     {{path: "/objects/{{object}}/modules", form: "module=NET.3.1"}},
	"POST /objects/:id/modules/:module/remove":      {{path: "/objects/{{object}}/modules/SYS.1.1/remove"}},
	"POST /objects/:id/components":                  {{path: "/objects/{{object}}/components", form: "component=1"}},
	"POST /objects/:id/components/:cid/remove":      {{path: "/objects/{{object}}/components/1/remove"}},
	"GET /scopes/:id/import":                        {{path: "/scopes/{{scope}}/import"}},
	"POST /scopes/:id/import": {{path: "/scopes/{{scope}}/import", missing: 200, multipart: map[string]string{"file": "import.json",
		"file.content": `{"objects": [{"external_id": "NEU-1", "name": "Neues System", "type": "it_system", "department": "EIG", "depends_on": ["{{server.ext}}"]}]}`}}},
	"POST /scopes/:id/import/:file/apply":       {{path: "/scopes/{{scope}}/import/{{importfile}}/apply"}},
	"GET /scopes/:id/export":                    {{path: "/scopes/{{scope}}/export?format=csv"}},
	"GET /scopes/:id/risk":                      {{path: "/scopes/{{scope}}/risk"}},
	"POST /scopes/:id/risk/matrix":              nil,
	"GET /objects/:id/risk":                     {{path: "/objects/{{object}}/risk"}},
	"POST /objects/:id/risk":                    {{path: "/objects/{{object}}/risk", form: "summary=Neu"}},
	"POST /objects/:id/risk/summary":            {{path: "/objects/{{object}}/risk/summary", form: "summary=Geändert&version={{object.rv}}"}},
	"POST /objects/:id/risk/assess":             {{path: "/objects/{{object}}/risk/assess", form: "item={{riskitem}}&frequency_{{riskitem}}=3&impact_{{riskitem}}=3&treatment_{{riskitem}}=accept&residual_frequency_{{riskitem}}=3&residual_impact_{{riskitem}}=3&version_{{riskitem}}={{riskitem.v}}"}},
	"POST /objects/:id/risk/items":              {{path: "/objects/{{object}}/risk/items", form: "title=Eigene+Gefährdung"}},
	"POST /objects/:id/risk/items/:item":        {{path: "/objects/{{object}}/risk/items/{{riskitem}}", form: "description=Geändert&version={{riskitem.v}}"}},
	"POST /objects/:id/risk/items/:item/delete": {{path: "/objects/{{object}}/risk/items/{{riskitem}}/delete", form: "version={{riskitem.v}}"}},
	"POST /objects/:id/risk/accept": {{path: "/objects/{{object}}/risk/accept",
		form: "password=correct+horse+battery&entry={{stdentry}}&version={{object.rv}}"}},
	"GET /scopes/:id/check":                 {{path: "/scopes/{{scope}}/check"}},
	"POST /scopes/:id/check/bulk":           {{path: "/scopes/{{scope}}/check/bulk", form: "entry={{entry}}&version_{{entry}}={{entry.v}}&bulk_status=yes"}},
	"GET /scopes/:id/check/modules/:module": {{path: "/scopes/{{scope}}/check/modules/SYS.1.1"}},
	"GET /objects/:id/check":                {{path: "/objects/{{object}}/check"}, {path: "/objects/{{guest}}/check"}},
	"GET /check-entries/:id":                {{path: "/check-entries/{{entry}}"}},
	"POST /check-entries/:id":               {{path: "/check-entries/{{entry}}", form: "status=yes&version={{entry.v}}"}},
	"GET /scopes/:id/plan":                  {{path: "/scopes/{{scope}}/plan"}},
	"POST /plan-items/:id":                  {{path: "/plan-items/{{plan}}", form: "owner=Referat+7&version={{plan.v}}"}},
	"GET /scopes/:id/audits":                {{path: "/scopes/{{scope}}/audits"}},
	"POST /scopes/:id/audits":               nil,
	"GET /audits/:id":                       {{path: "/audits/{{audit}}"}},
	"POST /audits/:id":                      nil,
	"POST /audits/:id/sample": {{path: "/audits/{{audit}}/sample", form: "type=object&object={{server.short}}"},
		{path: "/audits/{{audit}}/sample", form: "type=requirement&entry_object={{server.short}}&requirement=SYS.1.1.A1"}},
	"POST /audits/:id/sample/draw": nil,
	"POST /audits/:id/findings": {{path: "/audits/{{audit}}/findings", form: "class=recommendation&title=Neu&sample={{sample}}"},
		{path: "/audits/{{audit}}/findings", form: "class=recommendation&title=Neu&objects={{object.short}}"}},
	"POST /sample-items/:id":                {{path: "/sample-items/{{sample}}", form: "result=conforming&version={{sample.v}}"}},
	"POST /sample-items/:id/delete":         {{path: "/sample-items/{{sample}}/delete", form: "version={{sample.v}}"}},
	"GET /findings/:id":                     {{path: "/findings/{{finding}}"}},
	"POST /findings/:id":                    {{path: "/findings/{{finding}}", form: "class=recommendation&title=Neu&objects={{object.short}}&version={{finding.v}}"}},
	"POST /findings/:id/corrective-actions": nil,
	"POST /findings/:id/verification":       nil,
	"GET /scopes/:id/evidence": {{path: "/scopes/{{scope}}/evidence"},
		{path: "/scopes/{{scope}}/evidence?target=check_entry&target_id={{entry}}"}},
	"POST /scopes/:id/evidence": {
		{path: "/scopes/{{scope}}/evidence", multipart: map[string]string{"title": "Neu", "department_id": "{{dept}}", "effective_on": "{{today}}",
			"reference": "DOK-1", "target": "check_entry", "target_id": "{{entry}}"}},
		{path: "/scopes/{{scope}}/evidence", multipart: map[string]string{"title": "Neu", "department_id": "{{dept}}", "effective_on": "{{today}}",
			"reference": "DOK-1", "target": "plan_item", "target_id": "{{plan}}"}}},
	"GET /evidence/:id":  {{path: "/evidence/{{evidence}}"}},
	"POST /evidence/:id": {{path: "/evidence/{{evidence}}", form: "title=Neuer+Titel&version={{evidence.v}}"}},
	"POST /evidence/:id/versions": {{path: "/evidence/{{evidence}}/versions",
		multipart: map[string]string{"effective_on": "{{today}}", "reference": "DOK-2", "version": "{{evidence.v}}"}}},
	"GET /evidence/:id/versions/:number/content": {{path: "/evidence/{{evidence}}/versions/1/content"}},
	"POST /evidence/:id/review":                  {{path: "/evidence/{{evidence}}/review", form: "decision=accepted&version={{evidence.v}}"}},
	"POST /evidence/:id/comments":                {{path: "/evidence/{{evidence}}/comments", form: "body=Bitte+prüfen."}},
	"POST /evidence/:id/links": {
		{path: "/evidence/{{evidence}}/links", form: "target=check_entry&target_id={{entry}}"},
		{path: "/evidence/{{evidence}}/links", form: "target=plan_item&target_id={{plan}}"},
		{path: "/evidence/{{evidence}}/links", form: "target=risk_analysis&target_id={{riskanalysis}}"}},
	"POST /evidence/:id/links/:link_type/:link_id/remove": {{path: "/evidence/{{evidence}}/links/check_entry/{{entry}}/remove"}},
	"GET /scopes/:id/readiness":                           {{path: "/scopes/{{scope}}/readiness"}},
	"GET /scopes/:id/readiness/:gate":                     {{path: "/scopes/{{scope}}/readiness/G5"}},
	"GET /scopes/:id/guideline":                           {{path: "/scopes/{{scope}}/guideline"}},
	"GET /scopes/:id/package":                             {{path: "/scopes/{{scope}}/package"}},
	"POST /scopes/:id/package/raises":                     nil,
	"POST /scopes/:id/package/raises/:requirement/remove": nil,
	"POST /scopes/:id/guideline/draft":                    nil,
	"POST /guidelines/:id":                                nil,
	"POST /guidelines/:id/delete":                         nil,
	"POST /guidelines/:id/approve":                        nil,
	"POST /scopes/:id/policies": {{path: "/scopes/{{scope}}/policies",
		form: "title=Richtlinie&evidence_id={{evidence}}&approved_by=Leitung&approved_on=2025-01-10&review_months=12"}},
	"POST /policies/:id": {{path: "/policies/{{policy}}",
		form: "title=Richtlinie&evidence_id={{evidence}}&approved_by=Leitung&approved_on=2025-01-10&review_months=12&version={{policy.v}}"}},
	"POST /policies/:id/withdraw":          nil,
	"POST /scopes/:id/certificates":        nil,
	"POST /certificates/:id":               nil,
	"POST /certificates/:id/delete":        nil,
	"GET /scopes/:id/reports":              {{path: "/scopes/{{scope}}/reports"}},
	"GET /scopes/:id/reports/:report":      {{path: "/scopes/{{scope}}/reports/a4.csv"}},
	"GET /scopes/:id/dashboard":            {{path: "/scopes/{{scope}}/dashboard"}},
	"GET /scopes/:id/dashboard/department": {{path: "/scopes/{{scope}}/dashboard/department"}},

	// Mapping collections belong to no department.
	"GET /api/v1/mappings/:id": nil,
	"GET /api/v1/catalogs/:id/requirements/:requirement/correspondences": nil,
	"GET /mappings/:id": nil,
}

// crossDeptCase is one way to call a route.
type crossDeptCase struct {
	path      string            // with the query
	body      string            // JSON
	form      string            // a page form, URL-encoded
	multipart map[string]string // fields; "file" (API: the content) or "file" with "file.content" (pages: name and content)
	ifMatch   string            // the ETag's version
	missing   int               // the answer for a missing id; 0: 404
}

// crossDeptNonIDs are the integer fields of request bodies that are not
// ids; crossDeptSharedIDs name records that every role reads (the
// organisation tree, catalogs, accounts) or that the route decides by its
// role alone. An integer field in neither list, and not in the route's
// cases, fails the test.
var (
	crossDeptNonIDs = []string{"version", "members", "review_months", "priority", "frequency", "impact", "residual_frequency",
		"residual_impact", "modules", "objects", "requirements", "seed", "evidence_coverage"}
	crossDeptSharedIDs = []string{"department_id", "parent_id", "catalog_id", "isb_user_id"}
)

// The kinds of records each department (and the other scope) holds; the
// others belong to a whole scope.
var crossDeptKinds = []string{"object", "member", "guest", "server", "group", "entry", "stdentry", "plan", "riskanalysis", "riskitem", "evidence",
	"sample", "importfile", "exception"}

const crossDeptMissing = "987654321"

// crossDeptSet is the records of one department of one scope: values of
// the placeholders.
type crossDeptSet struct {
	marker string // in every name of the set
	val    map[string]string
}

type crossDeptWorld struct {
	e                       *testEnv
	owner                   *sql.DB
	own, foreign, elsewhere crossDeptSet // department A, department B, department A in another scope
}

// newCrossDeptWorld builds a scope with two departments and a full set
// of records in each, a second scope with another full set, and records
// that cross departments as an administrator may make them: evidence of
// department A linked to an entry of B, an object of A depending on one
// of B, and an object without a department.
func newCrossDeptWorld(t *testing.T, e *testEnv) *crossDeptWorld {
	t.Helper()
	ctx := context.Background()
	w := &crossDeptWorld{e: e}
	var err error
	w.owner = e.ownerDB()
	catalog := e.demoCatalog()
	deptA, deptB := e.department("Eigenressort"), e.department("Nachbarressort")
	if _, err := w.owner.Exec(`UPDATE departments SET code = CASE id WHEN $1 THEN 'EIG' ELSE 'NAB' END WHERE id IN ($1, $2)`, deptA, deptB); err != nil {
		t.Fatal(err)
	}
	isbA := e.user("x-isb", domain.Grant{Role: domain.RoleISB, DepartmentID: &deptA})
	isbB := e.user("x-isb-b", domain.Grant{Role: domain.RoleISB, DepartmentID: &deptB})
	e.user("x-head", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &deptA})
	e.user("x-auditor", domain.Grant{Role: domain.RoleAuditor, DepartmentID: &deptA})
	e.user("g-isb", domain.Grant{Role: domain.RoleISB})
	e.user("g-auditor", domain.Grant{Role: domain.RoleAuditor})
	e.user("g-management", domain.Grant{Role: domain.RoleManagement})
	e.user("g-admin", domain.Grant{Role: domain.RoleAdmin})

	scope := func(name string) (domain.Scope, domain.Audit) {
		var s domain.Scope
		var a domain.Audit
		err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
			var err error
			if s, err = tx.CreateScope(ctx, domain.ScopeInput{Name: name, CatalogID: catalog, Approach: domain.ApproachStandard}); err != nil {
				return err
			}
			a, err = tx.CreateAudit(ctx, s.ID, domain.AuditInput{Kind: domain.AuditInternal, Title: "Internes Audit", StartsOn: time.Now().AddDate(0, 0, -1),
				EndsOn: time.Now().AddDate(0, 0, 30), State: domain.AuditInProgress})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return s, a
	}
	s, audit := scope("Landesnetz")
	other, otherAudit := scope("Behördennetz")

	w.own = w.set(t, s.ID, audit.ID, deptA, "EIGEN", "E", isbA.ID)
	w.bumpIDs(t, 700000)
	w.foreign = w.set(t, s.ID, audit.ID, deptB, "FREMD", "F", isbB.ID)
	w.bumpIDs(t, 800000)
	w.elsewhere = w.set(t, other.ID, otherAudit.ID, deptA, "ANDERS", "X", isbA.ID)

	// What belongs to a whole scope: a finding and a policy.
	for _, set := range []*crossDeptSet{&w.own, &w.elsewhere} {
		scopeID, _ := strconv.ParseInt(set.val["scope"], 10, 64)
		auditID, _ := strconv.ParseInt(set.val["audit"], 10, 64)
		evidenceID, _ := strconv.ParseInt(set.val["evidence"], 10, 64)
		var f domain.Finding
		var p domain.Policy
		err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
			var err error
			if f, err = tx.CreateFinding(ctx, auditID, domain.FindingInput{Class: domain.FindingRecommendation, Title: "Feststellung"}, postgres.Everything); err != nil {
				return err
			}
			p, err = tx.CreatePolicy(ctx, scopeID, domain.PolicyInput{Title: "Richtlinie", EvidenceID: evidenceID, ApprovedBy: "Leitung",
				ApprovedOn: time.Now().AddDate(0, -1, 0), ReviewMonths: 12}, postgres.Everything)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		set.val["finding"], set.val["finding.v"] = idStr(f.ID), strconv.Itoa(f.Version)
		set.val["policy"], set.val["policy.v"] = idStr(p.ID), strconv.Itoa(p.Version)
	}
	for _, k := range []string{"finding", "finding.v", "policy", "policy.v"} {
		w.foreign.val[k] = w.own.val[k]
	}

	// Crossings made by an administrator: links both ways, a dependency,
	// a member of each department in a group of the other, and an object
	// without a department.
	id := func(set crossDeptSet, k string) int64 { v, _ := strconv.ParseInt(set.val[k], 10, 64); return v }
	err = e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		if err := tx.LinkEvidence(ctx, id(w.own, "evidence"), domain.LinkCheckEntry, id(w.foreign, "entry"), postgres.Everything); err != nil {
			return err
		}
		for target, k := range map[domain.LinkTarget]string{domain.LinkCheckEntry: "entry", domain.LinkPlanItem: "plan", domain.LinkRiskAnalysis: "riskanalysis"} {
			if err := tx.LinkEvidence(ctx, id(w.foreign, "evidence"), target, id(w.own, k), postgres.Everything); err != nil {
				return err
			}
		}
		for _, pair := range [][2]crossDeptSet{{w.own, w.foreign}, {w.foreign, w.own}} {
			g, dept := id(pair[1], "group"), id(pair[0], "dept")
			o, err := tx.UpdateObject(ctx, id(pair[0], "guest"), 0, domain.ObjectInput{Type: domain.ObjectDevice, ShortID: pair[0].val["guest.short"],
				ObjectFields: domain.ObjectFields{Name: pair[0].marker + " Drucker", ExternalID: pair[0].val["guest.ext"], Responsible: "Referat 1"},
				DepartmentID: &dept, Members: 1, GroupID: &g}.Change(), postgres.Everything)
			if err != nil || o.GroupID == nil {
				return fmt.Errorf("guest: %+v %w", o, err)
			}
		}
		if err := tx.AddDependency(ctx, id(w.own, "object"), id(w.foreign, "server"), postgres.Everything); err != nil {
			return err
		}
		_, err := tx.CreateObject(ctx, s.ID, domain.ObjectInput{Type: domain.ObjectRoom,
			ObjectFields: domain.ObjectFields{Name: "Raum ohne Organisationseinheit"}}, postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	w.refreshVersions(t)
	return w
}

// bumpIDs moves the identity sequences on, so that the ids of the next
// set never look like another number on a page.
func (w *crossDeptWorld) bumpIDs(t *testing.T, to int64) {
	t.Helper()
	for _, table := range []string{"objects", "check_entries", "plan_items", "risk_analyses", "risk_items", "evidence", "evidence_versions",
		"audit_samples", "findings", "import_files", "policies", "check_exceptions"} {
		if _, err := w.owner.Exec(`SELECT setval(pg_get_serial_sequence($1, 'id'), $2)`, table, to); err != nil {
			t.Fatal(err)
		}
	}
}

// set builds the records of one department of a scope.
func (w *crossDeptWorld) set(t *testing.T, scopeID, auditID, dept int64, marker, prefix string, fileOwner int64) crossDeptSet {
	t.Helper()
	ctx, e := context.Background(), w.e
	set := crossDeptSet{marker: marker, val: map[string]string{"scope": idStr(scopeID), "audit": idStr(auditID), "dept": idStr(dept)}}
	object := func(tx *postgres.Tx, key, name string, in domain.ObjectInput) domain.Object {
		in.Name, in.DepartmentID, in.Responsible = marker+" "+name, &dept, "Referat 1"
		in.ShortID, in.ExternalID = prefix+"-"+key, marker+"-"+key
		if in.Type == "" {
			in.Type = domain.ObjectITSystem
		}
		o, err := tx.CreateObject(ctx, scopeID, in, postgres.Everything)
		if err != nil {
			t.Fatalf("%s %s: %v", marker, key, err)
		}
		set.val[key], set.val[key+".ext"], set.val[key+".short"] = idStr(o.ID), in.ExternalID, in.ShortID
		return o
	}
	err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		o := object(tx, "object", "Server", domain.ObjectInput{})
		object(tx, "member", "Client", domain.ObjectInput{})
		object(tx, "guest", "Drucker", domain.ObjectInput{Type: domain.ObjectDevice})
		srv := object(tx, "server", "Datenbank", domain.ObjectInput{})
		object(tx, "group", "Arbeitsplätze", domain.ObjectInput{Type: domain.ObjectDevice, Group: true, Members: 40})
		if _, err := tx.AssignModules(ctx, scopeID, []int64{o.ID, srv.ID}, []string{"SYS.1.1"}, postgres.Everything); err != nil {
			return err
		}
		if err := tx.AddDependency(ctx, o.ID, srv.ID, postgres.Everything); err != nil {
			return err
		}
		_, err := tx.SetNeeds(ctx, o.ID, 0, [3]domain.NeedInput{{Own: domain.NeedHigh, OwnReason: "Workshop"}, {Own: domain.NeedNormal},
			{Own: domain.NeedNormal}}, postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	objectID, _ := strconv.ParseInt(set.val["object"], 10, 64)
	entries := checkEntries(t, e, scopeID, objectID)
	entry, std := entries["SYS.1.1.A1"], entries["SYS.1.1.A11"]
	no, partial, why := domain.StatusNo, domain.StatusPartial, "Noch nicht umgesetzt"
	err = e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		_, errs, err := tx.UpdateEntries(ctx, scopeID, []postgres.EntryUpdate{
			{ID: entry.ID, Version: entry.Version, Change: domain.EntryChange{Status: &no, Justification: &why}},
			{ID: std.ID, Version: std.Version, Change: domain.EntryChange{Status: &partial, Justification: &why}}}, postgres.Everything, "test")
		if err == nil && len(errs) > 0 {
			err = fmt.Errorf("%+v", errs)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	set.val["entry"], set.val["stdentry"] = idStr(entry.ID), idStr(std.ID)
	set.val["plan"] = idStr(planItemOf(t, e, scopeID, entry.ID).ID)

	var analysis domain.RiskAnalysis
	var ev domain.Evidence
	var sample domain.SampleItem
	err = e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		var err error
		if analysis, err = tx.CreateRiskAnalysis(ctx, objectID, domain.RiskAnalysisInput{Summary: "Zusammenfassung"}, postgres.Everything); err != nil {
			return err
		}
		if len(analysis.Items) == 0 {
			if _, err := tx.AddRiskItem(ctx, objectID, domain.RiskItemInput{Title: marker + " Gefährdung"}, postgres.Everything); err != nil {
				return err
			}
		}
		ev, err = tx.CreateEvidence(ctx, scopeID, domain.EvidenceInput{Title: marker + " Nachweis", DepartmentID: &dept},
			domain.VersionInput{EffectiveOn: time.Now().AddDate(0, 0, -1), FileName: "nachweis.txt", ContentType: "text/plain"},
			strings.NewReader(marker+" Inhalt"), postgres.Everything)
		if err != nil {
			return err
		}
		if err := tx.LinkEvidence(ctx, ev.ID, domain.LinkCheckEntry, entry.ID, postgres.Everything); err != nil {
			return err
		}
		sample, err = tx.AddSampleItem(ctx, auditID, domain.SampleInput{Type: domain.SampleObject, ObjectID: objectID}, postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Every threat assessed and treated, so that an acceptance reaches its entries.
	a, err := e.db.RiskAnalysisOf(ctx, objectID, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	var ups []postgres.RiskItemUpdate
	two, accept := domain.Frequency(2), domain.TreatmentAccept
	impact := domain.Impact(2)
	for _, it := range a.Items {
		ups = append(ups, postgres.RiskItemUpdate{ID: it.ID, Version: it.Version, Change: domain.RiskItemChange{Frequency: &two, Impact: &impact,
			Treatment: &accept, ResidualFrequency: &two, ResidualImpact: &impact}})
	}
	if err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		_, err := tx.UpdateRiskItems(ctx, objectID, ups, postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	set.val["riskanalysis"], set.val["riskitem"] = idStr(a.ID), idStr(a.Items[0].ID)
	set.val["evidence"], set.val["sample"] = idStr(ev.ID), idStr(sample.ID)
	content := []byte(`{"objects": []}`)
	sum := sha256.Sum256(content)
	fileID, err := e.db.SaveImportFile(ctx, postgres.ImportFile{ScopeID: scopeID, UserID: fileOwner, Name: "import.json", Format: "json",
		SHA256: hex.EncodeToString(sum[:])}, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	set.val["importfile"] = idStr(fileID)
	// An exception on the entry, set as a database administrator could:
	// exceptions belong to Grundschutz++ scopes, whose MUSS entries this
	// world's Kompendium scope does not have; what counts here is whose it is.
	var exceptionID int64
	if err := w.owner.QueryRow(`
		WITH must AS (UPDATE check_entries SET obligation = 'muss' WHERE id = $2)
		INSERT INTO check_exceptions (scope_id, entry_id, justification, valid_until, authorised_by_id, authorised_by)
		VALUES ($1, $2, $3, current_date + 90, $4, 'Leitung') RETURNING id`,
		scopeID, entry.ID, marker+" Ausnahme", fileOwner).Scan(&exceptionID); err != nil {
		t.Fatal(err)
	}
	set.val["exception"], set.val["exception.v"] = idStr(exceptionID), "1"
	return set
}

// refreshVersions reads the current version of every record of the sets.
func (w *crossDeptWorld) refreshVersions(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for _, set := range []*crossDeptSet{&w.own, &w.foreign, &w.elsewhere} {
		id := func(k string) int64 { v, _ := strconv.ParseInt(set.val[k], 10, 64); return v }
		for _, k := range []string{"object", "member", "guest", "server", "group"} {
			o, err := w.e.db.ObjectByID(ctx, id(k), postgres.Everything)
			if err != nil {
				t.Fatal(err)
			}
			set.val[k+".v"] = strconv.Itoa(o.Version)
		}
		for _, k := range []string{"entry", "stdentry"} {
			en, err := w.e.db.EntryByID(ctx, id(k), postgres.Everything)
			if err != nil {
				t.Fatal(err)
			}
			set.val[k+".v"] = strconv.Itoa(en.Version)
		}
		p, err := w.e.db.PlanItemByID(ctx, id("plan"), postgres.Everything)
		if err != nil {
			t.Fatal(err)
		}
		set.val["plan.v"] = strconv.Itoa(p.Version)
		a, err := w.e.db.RiskAnalysisOf(ctx, id("object"), postgres.Everything)
		if err != nil {
			t.Fatal(err)
		}
		set.val["object.rv"] = strconv.Itoa(a.Version)
		for _, it := range a.Items {
			if it.ID == id("riskitem") {
				set.val["riskitem.v"] = strconv.Itoa(it.Version)
			}
		}
		ev, err := w.e.db.EvidenceByID(ctx, id("evidence"), postgres.Everything)
		if err != nil {
			t.Fatal(err)
		}
		set.val["evidence.v"] = strconv.Itoa(ev.Version)
		s, err := w.e.db.SampleItemByID(ctx, id("sample"), postgres.Everything)
		if err != nil {
			t.Fatal(err)
		}
		set.val["sample.v"] = strconv.Itoa(s.Version)
	}
}

var crossDeptPlaceholder = regexp.MustCompile(`\{\{([a-z]+)(\.[a-z]+)?\}\}`)

// fill replaces the placeholders: those of kind vary from set (or are
// missing), all others come from the own set.
func (w *crossDeptWorld) fill(s, kind string, from *crossDeptSet) string {
	return crossDeptPlaceholder.ReplaceAllStringFunc(s, func(m string) string {
		p := crossDeptPlaceholder.FindStringSubmatch(m)
		k, field := p[1], p[2]
		if k == "today" {
			return time.Now().Format("2006-01-02")
		}
		if k == kind {
			if from == nil {
				switch field {
				case "":
					return crossDeptMissing
				case ".ext", ".short":
					return "NIX-" + crossDeptMissing
				}
				return "1"
			}
			return from.val[k+field]
		}
		return w.own.val[k+field]
	})
}

// slots are the kinds of department-bound records a case names: in the
// path (before the query) when inPath, else in the query or body.
func (c crossDeptCase) slots() (path, other []string) {
	p, q, _ := strings.Cut(c.path, "?")
	add := func(dst *[]string, s string) {
		for _, m := range crossDeptPlaceholder.FindAllStringSubmatch(s, -1) {
			if slices.Contains(crossDeptKinds, m[1]) && !slices.Contains(*dst, m[1]) {
				*dst = append(*dst, m[1])
			}
		}
	}
	add(&path, p)
	rest := q + c.body + c.form + c.ifMatch
	for k, v := range c.multipart {
		rest += k + v
	}
	var all []string
	add(&all, rest)
	for _, k := range all {
		if !slices.Contains(path, k) {
			other = append(other, k)
		}
	}
	// A scope-wide record (finding, audit) named in a body varies for
	// global roles, who see another scope's.
	for _, m := range crossDeptPlaceholder.FindAllStringSubmatch(c.body+c.form, -1) {
		if m[1] == "finding" && m[2] == "" && !slices.Contains(other, "finding") {
			other = append(other, "finding")
		}
	}
	return path, other
}

// send makes the request of case c with the placeholders of kind taken
// from set (nil: missing).
func (w *crossDeptWorld) send(cl *client, method string, c crossDeptCase, kind string, set *crossDeptSet) response {
	path := w.fill(c.path, kind, set)
	var header map[string]string
	if c.ifMatch != "" {
		header = map[string]string{"If-Match": `"` + w.fill(c.ifMatch, kind, set) + `"`}
	}
	switch {
	case c.multipart != nil:
		fields := map[string]string{}
		name, content := "", ""
		for k, v := range c.multipart {
			switch k {
			case "file":
				if _, page := c.multipart["file.content"]; page {
					name = v
				} else {
					name, content = "import.json", w.fill(v, kind, set)
				}
			case "file.content":
				content = w.fill(v, kind, set)
			default:
				fields[k] = w.fill(v, kind, set)
			}
		}
		if name == "" {
			return cl.upload(path, fields, "", nil, header)
		}
		return cl.upload(path, fields, name, strings.NewReader(content), header)
	case c.body != "":
		return cl.do(method, path, []byte(w.fill(c.body, kind, set)), header)
	case method != http.MethodGet && !strings.HasPrefix(c.path, "/api/"):
		return cl.do(method, path, w.fill(c.form, kind, set), header)
	}
	return cl.do(method, path, nil, header)
}

func (w *crossDeptWorld) auditHead(t *testing.T) int64 {
	t.Helper()
	var seq int64
	// A signature's password step-up is recorded on its own, whatever
	// becomes of the approval; it changes no record of a department.
	if err := w.owner.QueryRow(`SELECT coalesce(max(seq), 0) FROM audit_log WHERE action <> 'session.reauthenticate'`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq
}

var (
	crossDeptRequestID = regexp.MustCompile(`[0-9a-f]{16,}`)
	crossDeptMessages  = regexp.MustCompile(`(?s)role="alert"[^>]*>(.*?)</|class="field-error"[^>]*>(.*?)</|<section class="error-page">(.*?)</section>`)
)

// answer is what the client can tell of a response, with the ids of the
// varied record (foreign or missing) replaced.
func crossDeptAnswer(r response, ids ...string) string {
	body := string(r.body)
	ids = slices.Clone(ids)
	slices.SortFunc(ids, func(a, b string) int { return len(b) - len(a) }) // NIX-1 before 1
	for _, id := range ids {
		if id == "" {
			continue
		}
		body = regexp.MustCompile(`\b`+regexp.QuoteMeta(id)+`\b`).ReplaceAllString(body, "{id}")
	}
	ct := r.header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/problem+json"):
		var p struct {
			Type, Title, Detail string
			Errors              []domain.Violation
		}
		_ = json.Unmarshal([]byte(body), &p)
		return fmt.Sprintf("%d %s %s %q %v", r.status, p.Type, p.Title, p.Detail, p.Errors)
	case strings.HasPrefix(ct, "text/html"):
		var msgs []string
		for _, m := range crossDeptMessages.FindAllStringSubmatch(body, -1) {
			msgs = append(msgs, strings.Join(strings.Fields(m[1]+m[2]+m[3]), " "))
		}
		return fmt.Sprintf("%d %s %s", r.status, r.header.Get("Location"), strings.Join(msgs, " | "))
	}
	return fmt.Sprintf("%d %s %s", r.status, r.header.Get("Location"), crossDeptRequestID.ReplaceAllString(body, ""))
}

// TestCrossDepartmentMatrix is the matrix described above. It counts the
// requests, the escapes (a change, something of the other department
// shown, or success where a missing id fails) and the existence oracles
// (an answer that differs from the one for a missing id).
func TestCrossDepartmentMatrix(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	w := newCrossDeptWorld(t, e)
	type subject struct {
		name, role string
		global     bool
		cl         *client
	}
	subjects := []subject{{name: "x-isb", role: "isb"}, {name: "x-head", role: "department_head"}, {name: "x-auditor", role: "auditor"},
		{name: "g-isb", role: "isb", global: true}, {name: "g-auditor", role: "auditor", global: true},
		{name: "g-management", role: "management", global: true}, {name: "g-admin", role: "admin", global: true}}
	for i := range subjects {
		subjects[i].cl = e.login(subjects[i].name)
	}
	checkCasesCoverRoutes(t, e)

	var requests, escapes, oracles, notFound int
	keys := []string{}
	routes := map[string]string{}
	for _, r := range e.srv.Routes() {
		key := r.Method + " " + r.Path
		keys, routes[key] = append(keys, key), r.Method
	}
	sort.Strings(keys)
	// First, before any variant could change something: reading with the
	// own ids shows nothing of the other department, and never fails.
	for _, key := range keys {
		if routes[key] != http.MethodGet {
			continue
		}
		for ci, c := range crossDeptCases[key] {
			for _, s := range subjects {
				r := w.send(s.cl, http.MethodGet, c, "", nil)
				requests++
				if r.status >= 500 {
					escapes++
					t.Errorf("%s #%d as %s: %d %s", key, ci, s.name, r.status, firstLine(r.body))
				}
				if !s.global && strings.Contains(string(r.body), w.foreign.marker) {
					escapes++
					t.Errorf("%s #%d as %s shows %s: %s", key, ci, s.name, w.foreign.marker, excerptAround(string(r.body), w.foreign.marker))
				}
			}
		}
	}
	for _, key := range keys {
		method := routes[key]
		for ci, c := range crossDeptCases[key] {
			pathSlots, bodySlots := c.slots()
			for _, s := range subjects {
				foreign := &w.foreign
				slots := append(slices.Clone(pathSlots), bodySlots...)
				if s.global {
					foreign, slots = &w.elsewhere, bodySlots
				}
				for _, kind := range slots {
					if foreign.val[kind] == w.own.val[kind] {
						continue // the same record for both: nothing to vary
					}
					before := w.auditHead(t)
					rf := w.send(s.cl, method, c, kind, foreign)
					afterForeign := w.auditHead(t)
					rm := w.send(s.cl, method, c, kind, nil)
					afterMissing := w.auditHead(t)
					requests += 2
					label := fmt.Sprintf("%s #%d as %s, %s of %s", key, ci, s.name, kind, foreign.marker)
					sent := []string{foreign.val[kind], foreign.val[kind+".short"], foreign.val[kind+".ext"]}
					fa, ma := crossDeptAnswer(rf, append(sent, crossDeptMissing, "NIX-"+crossDeptMissing)...), crossDeptAnswer(rm, crossDeptMissing, "NIX-"+crossDeptMissing)
					// What the request itself named may come back; nothing else of the other department.
					shown := string(rf.body)
					for _, v := range sent {
						if v != "" {
							shown = strings.ReplaceAll(shown, v, "")
						}
					}
					escaped := false
					switch {
					case afterForeign != before:
						escaped = true
						t.Errorf("%s: changed something (%d %s)", label, rf.status, firstLine(rf.body))
					case strings.Contains(shown, foreign.marker):
						escaped = true
						t.Errorf("%s: shows %s: %s", label, foreign.marker, excerptAround(shown, foreign.marker))
					case rf.status < 400 && rm.status >= 400:
						escaped = true
						t.Errorf("%s: %d, but %d for a missing id", label, rf.status, rm.status)
					}
					if escaped {
						escapes++
						w.refreshVersions(t)
						continue
					}
					if fa != ma {
						oracles++
						t.Errorf("%s: answers differ\n  foreign: %s\n  missing: %s", label, fa, ma)
					}
					want := c.missing
					if want == 0 {
						want = http.StatusNotFound
					}
					if afterMissing != afterForeign || rm.status != want && rm.status != http.StatusForbidden {
						notFound++
						t.Errorf("%s: a missing id answers %d (want %d) and changes %d records: %s",
							label, rm.status, want, afterMissing-afterForeign, firstLine(rm.body))
					}
				}
			}
		}
	}
	t.Logf("cross-department matrix: %d requests, %d escapes, %d existence oracles, %d other answers than %d for a missing id",
		requests, escapes, oracles, notFound, http.StatusNotFound)
}

func excerptAround(s, what string) string {
	i := strings.Index(s, what)
	from, to := max(0, i-120), min(len(s), i+120)
	return strings.Join(strings.Fields(s[from:to]), " ")
}

// checkCasesCoverRoutes fails for a route with a path parameter, a page
// form or an id-like field in its request schema that crossDeptCases does
// not decide, and for an id-like field that no case of the route names.
func checkCasesCoverRoutes(t *testing.T, e *testEnv) {
	t.Helper()
	for _, r := range e.srv.Routes() {
		key := r.Method + " " + r.Path
		cases, listed := crossDeptCases[key]
		pageForm := r.Method != http.MethodGet && !strings.HasPrefix(r.Path, "/api/")
		idFields := requestIDFields(t, r.Request)
		if !listed && (strings.Contains(r.Path, ":") || pageForm || len(idFields) > 0) {
			t.Errorf("route %s names records by id: decide it in crossDeptCases", key)
			continue
		}
		for _, f := range idFields {
			if slices.Contains(crossDeptSharedIDs, f) {
				continue
			}
			named := false
			for _, c := range cases {
				named = named || strings.Contains(c.body, `"`+f+`"`)
			}
			if !named && cases != nil {
				t.Errorf("route %s: the id field %q of %s is in no case of crossDeptCases", key, f, r.Request)
			}
			if cases == nil && !slices.Contains(crossDeptSharedIDs, f) {
				t.Errorf("route %s: the id field %q of %s is not decided in crossDeptCases", key, f, r.Request)
			}
		}
	}
	for key := range crossDeptCases {
		found := false
		for _, r := range e.srv.Routes() {
			found = found || r.Method+" "+r.Path == key
		}
		if !found {
			t.Errorf("crossDeptCases lists %s, which is not registered", key)
		}
	}
}

// requestIDFields lists the fields of a request schema, anywhere in it
// and in the schemas it refers to, that are arrays of integers or
// integers not known to be other numbers.
func requestIDFields(t *testing.T, schema string) []string {
	t.Helper()
	if schema == "" {
		return nil
	}
	load := func(file string) any {
		b, err := schemas.FS.ReadFile(file)
		if err != nil {
			t.Fatalf("schema %s: %v", file, err)
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	var out []string
	seen := map[string]bool{}
	var walk func(file string, v any)
	walk = func(file string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok && !seen[file+ref] {
				seen[file+ref] = true
				target, fragment, _ := strings.Cut(ref, "#")
				if target == "" {
					target = file
				}
				node := load(target)
				for _, part := range strings.Split(strings.Trim(fragment, "/"), "/") {
					if m, ok := node.(map[string]any); ok && part != "" {
						node = m[part]
					}
				}
				walk(target, node)
			}
			if props, ok := x["properties"].(map[string]any); ok {
				for name, p := range props {
					integer, array := integerSchema(p)
					if (array || integer && !slices.Contains(crossDeptNonIDs, name)) && !slices.Contains(out, name) {
						out = append(out, name)
					}
				}
			}
			for _, c := range x {
				walk(file, c)
			}
		case []any:
			for _, c := range x {
				walk(file, c)
			}
		}
	}
	walk(schema, load(schema))
	sort.Strings(out)
	return out
}

// integerSchema tells whether a schema is an integer, or an array of them.
func integerSchema(v any) (integer, array bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return false, false
	}
	switch ty := m["type"].(type) {
	case string:
		if ty == "array" {
			items, _ := integerSchema(m["items"])
			return false, items
		}
		return ty == "integer", false
	case []any:
		return slices.Contains(ty, any("integer")), false
	}
	return false, false
}
