package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// scopeWithDepartment creates a scope on the demo catalog and a department TLRZ.
func (e *testEnv) scopeWithDepartment() (scopeID, deptID int64) {
	e.t.Helper()
	catalog := e.demoCatalog()
	ctx := context.Background()
	err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		d, err := tx.CreateDepartment(ctx, domain.DepartmentInput{Name: "Landesrechenzentrum", Code: "TLRZ"})
		if err != nil {
			return err
		}
		deptID = d.ID
		s, err := tx.CreateScope(ctx, domain.ScopeInput{Name: "Landesdatennetz", CatalogID: catalog, Approach: domain.ApproachStandard})
		scopeID = s.ID
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return scopeID, deptID
}

func (c *client) uploadFields(path, name string, content []byte, fields map[string]string) response {
	c.e.t.Helper()
	var body strings.Builder
	const boundary = "ismsdtestboundary"
	for k, v := range fields {
		body.WriteString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n")
	}
	body.WriteString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
	body.Write(content)
	body.WriteString("\r\n--" + boundary + "--\r\n")
	return c.do("POST", path, []byte(body.String()), map[string]string{"Content-Type": "multipart/form-data; boundary=" + boundary})
}

func TestObjectImportAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	scope, _ := e.scopeWithDepartment()
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	base := "/api/v1/scopes/" + strconv.FormatInt(scope, 10)
	file := []byte("external_id;name;type;department;need_a;depends_on\nP1;VoIP-Telefonie;process;TLRZ;hoch;A1\nA1;Anrufsteuerung;application;TLRZ;;\n")

	var plan struct {
		Applied bool `json:"applied"`
		Creates int  `json:"creates"`
		Errors  int  `json:"errors"`
		Rows    []struct {
			Line   int    `json:"line"`
			Action string `json:"action"`
			Errors []struct {
				Column string `json:"column"`
			} `json:"errors"`
		} `json:"rows"`
	}
	r := c.uploadFields(base+"/import", "objekte.csv", file, map[string]string{"dry_run": "true"})
	r.json(t, &plan)
	if r.status != http.StatusOK || plan.Applied || plan.Creates != 2 {
		t.Fatalf("dry run: %d %s", r.status, r.body)
	}
	r = c.uploadFields(base+"/import", "objekte.csv", file, nil)
	r.json(t, &plan)
	if r.status != http.StatusOK || !plan.Applied {
		t.Fatalf("apply: %d %s", r.status, r.body)
	}
	var list struct {
		Items []struct {
			Name  string `json:"name"`
			Needs map[string]struct {
				Effective *string `json:"effective"`
				Source    string  `json:"source"`
			} `json:"needs"`
		} `json:"items"`
		Total int `json:"total"`
	}
	c.do("GET", base+"/objects?type=application", nil, nil).json(t, &list)
	if list.Total != 1 || list.Items[0].Needs["a"].Effective == nil || *list.Items[0].Needs["a"].Effective != "high" || list.Items[0].Needs["a"].Source != "inherited" {
		t.Fatalf("imported application: %+v", list)
	}
	// A broken file: 422 with the rows, nothing written.
	bad := []byte("external_id;name;type\nX1;;room\nX2;Keller;raumschiff\n")
	r = c.uploadFields(base+"/import", "bad.csv", bad, nil)
	r.json(t, &plan)
	if r.status != http.StatusUnprocessableEntity || plan.Applied || plan.Errors != 2 || plan.Rows[1].Errors[0].Column != "type" {
		t.Fatalf("broken file: %d %s", r.status, r.body)
	}
	// Export in every format, and the template.
	for _, f := range []string{"csv", "xlsx", "json"} {
		r = c.do("GET", base+"/export?format="+f, nil, nil)
		if r.status != http.StatusOK || !strings.Contains(r.header.Get("Content-Disposition"), "zielobjekte."+f) || len(r.body) == 0 {
			t.Errorf("export %s: %d %v", f, r.status, r.header)
		}
		if r := c.do("GET", "/api/v1/import-template?format="+f, nil, nil); r.status != http.StatusOK {
			t.Errorf("template %s: %d", f, r.status)
		}
	}
	r = c.do("GET", base+"/export?format=json", nil, nil)
	var exported map[string][]map[string]any
	if err := json.Unmarshal(r.body, &exported); err != nil || len(exported["objects"]) != 2 {
		t.Errorf("JSON export: %v %s", err, r.body)
	}
	problemOf(t, c.do("GET", base+"/export?format=pdf", nil, nil), http.StatusUnprocessableEntity)
}

func TestObjectImportPages(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	scope, _ := e.scopeWithDepartment()
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	page := "/scopes/" + strconv.FormatInt(scope, 10) + "/import"
	mustContain(t, c.do("GET", page, nil, nil), http.StatusOK, "Probelauf", "Vorlage")
	file := []byte("external_id;name;type;department\nS1;Managementserver;IT-System;TLRZ\n")
	r := c.uploadFields(page, "server.csv", file, map[string]string{"dry_run": "true"})
	mustContain(t, r, http.StatusOK, "neu anzulegen", "Übernehmen", "Managementserver")
	action := regexpFind(t, string(r.body), `action="(/scopes/\d+/import/\d+/apply)"`)
	r = c.do("POST", action, "", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("apply: %d %s", r.status, firstLine(r.body))
	}
	mustContain(t, c.do("GET", r.header.Get("Location"), nil, nil), http.StatusOK, "Import übernommen: 1 Zielobjekte angelegt")
	// The kept file is gone after the apply.
	mustContain(t, c.do("POST", action, "", nil), http.StatusNotFound, "nicht mehr vorhanden")
	r = c.uploadFields(page, "bad.csv", []byte("external_id;name;type\nX1;Keller;raumschiff\n"), map[string]string{"dry_run": "true"})
	mustContain(t, r, http.StatusOK, "Die Datei enthält Fehler", "Spalte <code>type</code>")
	if strings.Contains(string(r.body), "/apply") {
		t.Error("a file with errors can be applied")
	}
}
