package server

import (
	"context"
	"database/sql"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// uiScope is a small Informationsverbund for the page tests: two
// ministries (the first with a computing centre below it) and a chain
// process → application → server, plus a system of the other ministry.
type uiScope struct {
	e                          *testEnv
	catalog                    int64
	scope                      domain.Scope
	fin, tlrz, inn             int64
	process, app, server, room int64
	innSystem                  int64
}

func newUIScope(t testing.TB, e *testEnv) uiScope {
	t.Helper()
	ctx := context.Background()
	s := uiScope{e: e, catalog: e.demoCatalog()}
	err := e.db.InTx(ctx, testActor, func(tx *postgres.Tx) error {
		dept := func(name, code string, parent *int64) int64 {
			d, err := tx.CreateDepartment(ctx, domain.DepartmentInput{Name: name, Code: code, ParentID: parent})
			if err != nil {
				t.Fatal(err)
			}
			return d.ID
		}
		s.fin = dept("Finanzministerium", "TFM", nil)
		s.tlrz = dept("Landesrechenzentrum", "TLRZ", &s.fin)
		s.inn = dept("Innenministerium", "TIM", nil)
		var err error
		if s.scope, err = tx.CreateScope(ctx, domain.ScopeInput{Name: "Landesdatennetz", CatalogID: s.catalog, Approach: domain.ApproachStandard}); err != nil {
			return err
		}
		add := func(typ domain.ObjectType, short, name string, dept int64) int64 {
			o, err := tx.CreateObject(ctx, s.scope.ID, domain.ObjectInput{Type: typ, ShortID: short,
				ObjectFields: domain.ObjectFields{Name: name, Responsible: "Referat 12"}, DepartmentID: &dept}, postgres.Everything)
			if err != nil {
				t.Fatal(err)
			}
			return o.ID
		}
		s.process = add(domain.ObjectProcess, "GP-001", "WAN-Transport", s.fin)
		s.app = add(domain.ObjectApplication, "A-001", "Netzmanagement", s.tlrz)
		s.server = add(domain.ObjectITSystem, "S-001", "Managementserver", s.tlrz)
		s.room = add(domain.ObjectRoom, "R-001", "Serverraum Erfurt", s.tlrz)
		s.innSystem = add(domain.ObjectITSystem, "S-900", "Fachverfahren-Server", s.inn)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// assign models objects with modules, which brings their check entries.
func (s uiScope) assign(t testing.TB, objects []int64, modules ...string) {
	t.Helper()
	err := s.e.db.InTx(context.Background(), testActor, func(tx *postgres.Tx) error {
		_, err := tx.AssignModules(context.Background(), s.scope.ID, objects, modules, postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (s uiScope) url(suffix string) string {
	return "/scopes/" + strconv.FormatInt(s.scope.ID, 10) + suffix
}

func objURL(id int64, suffix string) string { return "/objects/" + strconv.FormatInt(id, 10) + suffix }

func (s uiScope) object(t *testing.T, id int64) domain.Object {
	t.Helper()
	o, err := s.e.db.ObjectByID(context.Background(), id, postgres.Everything)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (s uiScope) depend(t *testing.T, from, to int64) {
	t.Helper()
	err := s.e.db.InTx(context.Background(), testActor, func(tx *postgres.Tx) error {
		return tx.AddDependency(context.Background(), from, to, postgres.Everything)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (s uiScope) setOwn(t *testing.T, id int64, c, i, a domain.Need) {
	t.Helper()
	o := s.object(t, id)
	err := s.e.db.InTx(context.Background(), testActor, func(tx *postgres.Tx) error {
		_, err := tx.SetNeeds(context.Background(), id, o.Version, [3]domain.NeedInput{
			{Own: c, OwnReason: "Bewertung im Workshop"}, {Own: i}, {Own: a}}, postgres.Everything)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// seeOther checks a successful form: 303 to a page starting with prefix.
func seeOther(t *testing.T, r response, prefix string) string {
	t.Helper()
	loc := r.header.Get("Location")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("status %d, Location %q, want 303 to %s: %s", r.status, loc, prefix, firstLine(r.body))
	}
	return loc
}

// textOf is the page without tags and with collapsed spaces, to check
// sentences that span elements.
func textOf(b []byte) string {
	s := regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(string(b), " ")
	s = strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&nbsp;", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

func mustContainText(t *testing.T, r response, texts ...string) {
	t.Helper()
	plain := textOf(r.body)
	for _, s := range texts {
		if !strings.Contains(plain, s) {
			t.Errorf("page text lacks %q", s)
		}
	}
}

var requestIDCode = regexp.MustCompile(`<code>[0-9a-f]{24}</code>`)

func withoutRequestID(b []byte) string { return requestIDCode.ReplaceAllString(string(b), "") }

func mustLack(t *testing.T, r response, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(string(r.body), s) {
			t.Errorf("page contains %q", s)
		}
	}
}

// TestDepartmentPages: the tree, adding with German refusals, renaming
// with a stale form, and deleting one in use.
func TestDepartmentPages(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})

	r := c.do("GET", "/departments", nil, nil)
	mustContain(t, r, http.StatusOK, "Finanzministerium", "Landesrechenzentrum", "<code>TLRZ</code>", `class="depth depth-1"`, "Organisationseinheit anlegen")

	r = c.do("POST", "/departments", form("name", "", "code", "a b"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Bitte prüfen Sie die markierten Eingaben.", "Der Name muss 1 bis 200 Zeichen haben.",
		"Das Kürzel darf bis zu 32 Buchstaben", `value="a b"`)
	r = c.do("POST", "/departments", form("name", "Steuerverwaltung", "code", "TLRZ", "parent_id", strconv.FormatInt(s.fin, 10)), nil)
	mustContain(t, r, http.StatusConflict, "Eine Organisationseinheit mit diesem Namen (an dieser Stelle) oder diesem Kürzel gibt es schon.")
	seeOther(t, c.do("POST", "/departments", form("name", "Steuerverwaltung", "code", "TSV", "parent_id", strconv.FormatInt(s.fin, 10)), nil), "/departments")
	mustContain(t, c.do("GET", "/departments", nil, nil), http.StatusOK, "Die Organisationseinheit „Steuerverwaltung“ ist angelegt.")

	// Rename through the edit form; a second post with the old version is refused.
	dept, _ := e.db.DepartmentByID(context.Background(), s.inn)
	edit := "/departments/" + strconv.FormatInt(s.inn, 10)
	mustContain(t, c.do("GET", "/departments?edit="+strconv.FormatInt(s.inn, 10), nil, nil), http.StatusOK,
		"„Innenministerium“ umbenennen oder verschieben", `name="version" value="`+strconv.Itoa(dept.Version)+`"`)
	seeOther(t, c.do("POST", edit, form("version", strconv.Itoa(dept.Version), "name", "Ministerium für Inneres", "code", "TIM"), nil), "/departments")
	r = c.do("POST", edit, form("version", strconv.Itoa(dept.Version), "name", "Überholt", "code", "TIM"), nil)
	mustContain(t, r, http.StatusPreconditionFailed, "Die Organisationseinheit wurde inzwischen geändert. Bitte laden Sie die Seite neu.", `value="Überholt"`)
	// Moving below itself is refused.
	fin, _ := e.db.DepartmentByID(context.Background(), s.fin)
	r = c.do("POST", "/departments/"+strconv.FormatInt(s.fin, 10), form("version", strconv.Itoa(fin.Version), "name", fin.Name, "code", fin.Code,
		"parent_id", strconv.FormatInt(s.tlrz, 10)), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Eine Organisationseinheit kann nicht unter sich selbst verschoben werden.")

	// A department with objects cannot go; an unused one can.
	r = c.do("POST", "/departments/"+strconv.FormatInt(s.tlrz, 10)+"/delete", "", nil)
	mustContain(t, r, http.StatusConflict, "Die Organisationseinheit wird noch verwendet")
	var sv int64
	ds, _ := e.db.ListDepartments(context.Background())
	for _, d := range ds {
		if d.Name == "Steuerverwaltung" {
			sv = d.ID
		}
	}
	seeOther(t, c.do("POST", "/departments/"+strconv.FormatInt(sv, 10)+"/delete", "", nil), "/departments")
	mustContain(t, c.do("GET", "/departments?edit=999999", nil, nil), http.StatusNotFound, "Diese Organisationseinheit gibt es nicht.")

	// Readers see the tree without forms.
	r = e.loggedIn("audrey", domain.Grant{Role: domain.RoleAuditor}).do("GET", "/departments", nil, nil)
	mustContain(t, r, http.StatusOK, "Ministerium für Inneres")
	mustLack(t, r, "Organisationseinheit anlegen", "Bearbeiten")
}

// TestScopePages: the list with its figures, creating one with German
// refusals, the overview, and a stale edit.
func TestScopePages(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	isa := e.user("isa", domain.Grant{Role: domain.RoleISB})
	e.user("bob", domain.Grant{Role: domain.RoleAuditor})
	c := e.login("isa")

	r := c.do("GET", "/scopes", nil, nil)
	mustContain(t, r, http.StatusOK, `href="/scopes" aria-current="page">Informationsverbund</a>`, "Landesdatennetz", "Standard-Absicherung",
		"Informationsverbund anlegen", ">isa (isa)</option>", "Kompendium")
	mustContainText(t, r, "Landesdatennetz IT-Grundschutz-Kompendium")
	if !strings.Contains(string(r.body), `<a class="tag tag-warn" href="`+s.url("/objects?gaps=true")+`">5</a>`) {
		t.Errorf("the five unmodelled objects are not shown as gaps")
	}

	r = c.do("POST", "/scopes", form("name", "", "catalog_id", strconv.FormatInt(s.catalog, 10), "approach", "quick"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Bitte eine Vorgehensweise wählen.", "Der Name muss 1 bis 200 Zeichen haben.")
	r = c.do("POST", "/scopes", form("name", "Landesdatennetz", "catalog_id", strconv.FormatInt(s.catalog, 10), "approach", "core"), nil)
	mustContain(t, r, http.StatusConflict, "Einen Informationsverbund mit diesem Namen gibt es schon.")
	loc := seeOther(t, c.do("POST", "/scopes", form("name", "Behördennetz Nord", "description", "Außenstellen", "catalog_id", strconv.FormatInt(s.catalog, 10),
		"approach", "basic", "isb_user_id", strconv.FormatInt(isa.ID, 10)), nil), "/scopes/")
	r = c.do("GET", loc, nil, nil)
	mustContain(t, r, http.StatusOK, "Der Informationsverbund „Behördennetz Nord“ ist angelegt.", "Basis-Absicherung", "A.1 Strukturanalyse",
		"A.2 Schutzbedarfsfeststellung", "A.3 Modellierung", "noch kein übergreifender Baustein zugeordnet", "ISMS.1")
	mustContainText(t, r, "ISB isa", "IV Behördennetz Nord")

	// The overview of the first scope, and a stale edit.
	r = c.do("GET", s.url(""), nil, nil)
	mustContain(t, r, http.StatusOK, `<span class="stat-value">5</span><span class="stat-label">Zielobjekte</span>`, "Angaben bearbeiten",
		`name="version" value="1"`, "Neues Zielobjekt")
	edit := form("version", "1", "name", "Landesdatennetz (LDN)", "catalog_id", strconv.FormatInt(s.catalog, 10), "approach", "core")
	seeOther(t, c.do("POST", s.url(""), edit, nil), s.url(""))
	mustContain(t, c.do("GET", s.url(""), nil, nil), http.StatusOK, "Kern-Absicherung", "Die Angaben zum Informationsverbund sind gespeichert.")
	r = c.do("POST", s.url(""), edit, nil)
	mustContain(t, r, http.StatusPreconditionFailed, "Der Informationsverbund wurde inzwischen geändert.", `value="Landesdatennetz (LDN)"`)
	mustContain(t, c.do("GET", "/scopes/999999", nil, nil), http.StatusNotFound, "Diesen Informationsverbund gibt es nicht.")
	mustContain(t, c.do("GET", "/scopes/abc/objects", nil, nil), http.StatusNotFound, "Diesen Informationsverbund gibt es nicht.")

	// An auditor reads, without any form.
	r = e.login("bob").do("GET", s.url(""), nil, nil)
	mustContain(t, r, http.StatusOK, "Landesdatennetz (LDN)", "Übergreifende Bausteine")
	mustLack(t, r, "Angaben bearbeiten", "Neues Zielobjekt", "<form method=\"post\" action=\"/scopes")
	mustLack(t, e.login("bob").do("GET", "/scopes", nil, nil), "Informationsverbund anlegen")
	r = e.login("bob").do("GET", objURL(s.process, ""), nil, nil)
	mustContain(t, r, http.StatusOK, "WAN-Transport", "Schutzbedarf", "Hängt ab von")
	mustLack(t, r, "Schutzbedarf bewerten", "Abhängigkeit hinzufügen", "Weiteren Baustein zuordnen", "Zielobjekt löschen", "/edit\"", "<form method=\"post\" action=\"/objects")
	r = e.login("bob").do("GET", s.url("/objects"), nil, nil)
	mustContain(t, r, http.StatusOK, "GP-001", "S-900")
	mustLack(t, r, `name="object"`, "Bausteine für die ausgewählten", "Neues Zielobjekt")
}

// TestObjectFormAndDetailPages walks the ISB's work on one object: the
// form with German errors, a stale edit, protection needs with a refused
// override, a dependency by short ID, modules, and deletion.
func TestObjectFormAndDetailPages(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})

	r := c.do("GET", s.url("/objects/new"), nil, nil)
	mustContain(t, r, http.StatusOK, "Neues Zielobjekt", `<option value="application">Anwendung</option>`, "Kommunikationsverbindung",
		"Landesrechenzentrum", "kein passender Baustein", "untypisches Einsatzumfeld")
	mustLack(t, r, `<option value="scope"`)

	r = c.do("POST", s.url("/objects"), form("type", "application", "name", " ", "responsible", "Frau Kühn", "members", "viele", "group", "true"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Bitte eine ganze Zahl angeben.", `value="Frau Kühn"`, `value="viele"`)
	r = c.do("POST", s.url("/objects"), form("type", "application", "name", ""), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Der Name muss 1 bis 200 Zeichen haben.", `aria-invalid="true" aria-describedby="name-err"`)
	r = c.do("POST", s.url("/objects"), form("type", "it_system", "name", "Router", "members", "3"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Die Anzahl muss 1 sein, bei einer Gruppe mindestens 1.")
	r = c.do("POST", s.url("/objects"), form("type", "it_system", "name", "Doppelt", "short_id", "S-001"), nil)
	mustContain(t, r, http.StatusConflict, "Kürzel oder externe ID ist in diesem Informationsverbund schon vergeben.")
	loc := seeOther(t, c.do("POST", s.url("/objects"), form("type", "it_system", "name", "Standortrouter", "department_id", strconv.FormatInt(s.tlrz, 10),
		"tags", "Außenstelle, WAN", "group", "true", "members", "670", "location", "alle Dienststellen"), nil), "/objects/")
	r = c.do("GET", loc, nil, nil)
	mustContain(t, r, http.StatusOK, "ist angelegt", "Gruppe · 670 gleichartige", "Modellierungslücke", "Außenstelle", "alle Dienststellen",
		"Vorschläge aus der Modellierungsvorschrift", "NET.3.1", "alle übernehmen", "Schutzbedarf bewerten")
	mustContainText(t, r, "S-901 Standortrouter")
	routerID, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/objects/"), 10, 64)

	// Edit: the form shows the values; an old version is refused.
	r = c.do("GET", objURL(routerID, "/edit"), nil, nil)
	mustContain(t, r, http.StatusOK, `value="Außenstelle, WAN"`, `value="670"`, `name="version" value="1"`)
	edit := form("version", "1", "type", "it_system", "name", "Standortrouter (Cisco)", "department_id", strconv.FormatInt(s.tlrz, 10), "group", "true", "members", "672")
	seeOther(t, c.do("POST", objURL(routerID, ""), edit, nil), objURL(routerID, ""))
	r = c.do("POST", objURL(routerID, ""), edit, nil)
	mustContain(t, r, http.StatusPreconditionFailed, "Das Zielobjekt wurde inzwischen geändert.", `value="Standortrouter (Cisco)"`)

	// Protection needs: an override without justification is refused in German.
	proc := s.object(t, s.process)
	needs := func(version int, extra ...string) string {
		return form(append([]string{"version", strconv.Itoa(version), "own_c", "high", "own_reason_c", "Vertrauliche Verkehrsdaten",
			"own_i", "normal", "own_a", "high", "own_reason_a", "Ausfall legt die Dienststellen lahm"}, extra...)...)
	}
	r = c.do("POST", objURL(s.process, "/needs"), needs(proc.Version, "override_kind_i", "cumulation", "override_i", "high"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Eine Abweichung vom Maximumprinzip braucht eine Begründung (mindestens 10 Zeichen).",
		`id="override_reason_i-err"`, "Vertrauliche Verkehrsdaten")
	r = c.do("POST", objURL(s.process, "/needs"), needs(proc.Version, "override_kind_a", "manual"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Eine Abweichung braucht eine Art und einen Wert.")
	seeOther(t, c.do("POST", objURL(s.process, "/needs"), needs(proc.Version), nil), objURL(s.process, ""))
	mustContain(t, c.do("GET", objURL(s.process, ""), nil, nil), http.StatusOK, "Der Schutzbedarf ist gespeichert")
	r = c.do("POST", objURL(s.process, "/needs"), needs(proc.Version), nil)
	mustContain(t, r, http.StatusPreconditionFailed, "Das Zielobjekt wurde inzwischen geändert.")

	// The process depends on the application: by the select, then the
	// application on the server by short ID; an unknown short ID is refused.
	r = c.do("GET", objURL(s.process, ""), nil, nil)
	mustContain(t, r, http.StatusOK, `<optgroup label="Anwendung"><option value="`+strconv.FormatInt(s.app, 10)+`">A-001 Netzmanagement</option>`)
	mustContainText(t, r, "Vertraulichkeit hoch „Vertrauliche Verkehrsdaten“ – – hoch eigene Bewertung")
	seeOther(t, c.do("POST", objURL(s.process, "/dependencies"), form("depends_on", strconv.FormatInt(s.app, 10)), nil), objURL(s.process, ""))
	r = c.do("POST", objURL(s.app, "/dependencies"), form("short_id", "S-999"), nil)
	mustContain(t, r, http.StatusNotFound, "Ein Zielobjekt mit dem Kürzel „S-999“ gibt es in diesem Informationsverbund nicht.", `value="S-999"`)
	r = c.do("POST", objURL(s.app, "/dependencies"), form(), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Bitte wählen Sie ein Zielobjekt oder geben Sie sein Kürzel ein.")
	seeOther(t, c.do("POST", objURL(s.app, "/dependencies"), form("short_id", "s-001"), nil), objURL(s.app, ""))
	r = c.do("POST", objURL(s.app, "/dependencies"), form("depends_on", strconv.FormatInt(s.app, 10)), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Ein Zielobjekt kann nicht von sich selbst abhängen.")

	r = c.do("GET", objURL(s.server, ""), nil, nil)
	mustContain(t, r, http.StatusOK, `href="/objects/`+strconv.FormatInt(s.app, 10)+`"`)
	mustContainText(t, r, "Vertraulichkeit – nicht festgelegt hoch wegen Anwendung A-001 Netzmanagement – hoch geerbt Integrität",
		"Davon hängen ab S-001 erbt den höchsten Schutzbedarf dieser Zielobjekte. Zielobjekt V I A A-001 Netzmanagement")
	r = c.do("GET", objURL(s.app, ""), nil, nil)
	mustContainText(t, r, "hoch wegen Geschäftsprozess GP-001 WAN-Transport", "Hängt ab von", "S-001 Managementserver")

	// The server cannot go while the application depends on it; the
	// dependency can be removed, and then the object deleted.
	r = c.do("POST", objURL(s.server, "/delete"), "", nil)
	mustContain(t, r, http.StatusConflict, "Das Zielobjekt kann nicht gelöscht werden: 1 andere hängen davon ab (A-001 Netzmanagement).")

	// Modules: one from the suggestions, all of them, an unknown one, removal.
	seeOther(t, c.do("POST", objURL(routerID, "/modules"), form("module", "NET.3.1"), nil), objURL(routerID, ""))
	r = c.do("GET", objURL(routerID, ""), nil, nil)
	mustContain(t, r, http.StatusOK, "1 Baustein(e) zugeordnet: NET.3.1.", `href="/catalogs/`+strconv.FormatInt(s.catalog, 10)+`/modules/NET.3.1"`)
	mustLack(t, r, "Modellierungslücke")
	r = c.do("POST", objURL(routerID, "/modules"), form("module", "XYZ.9"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Der Katalog des Informationsverbunds kennt diese Bausteine nicht: XYZ.9")
	r = c.do("POST", objURL(routerID, "/modules"), form("module", "SYS.1.1", "module", "NET.3.2", "module", "NET.3.1"), nil)
	seeOther(t, r, objURL(routerID, ""))
	mods, _ := e.db.ObjectModules(context.Background(), routerID)
	if len(mods) != 3 {
		t.Errorf("router modules %+v", mods)
	}
	seeOther(t, c.do("POST", objURL(routerID, "/modules/NET.3.2/remove"), "", nil), objURL(routerID, ""))
	mustContain(t, c.do("POST", objURL(routerID, "/modules/NET.3.2/remove"), "", nil), http.StatusNotFound, "Dieser Baustein ist dem Zielobjekt nicht zugeordnet.")

	seeOther(t, c.do("POST", objURL(s.app, "/dependencies/"+strconv.FormatInt(s.server, 10)+"/remove"), "", nil), objURL(s.app, ""))
	seeOther(t, c.do("POST", objURL(s.server, "/delete"), "", nil), s.url("/objects"))
	mustContain(t, c.do("GET", s.url("/objects"), nil, nil), http.StatusOK, "Das Zielobjekt „S-001 Managementserver“ ist gelöscht.")
	mustContain(t, c.do("GET", objURL(s.server, ""), nil, nil), http.StatusNotFound, "Dieses Zielobjekt gibt es nicht.")

	// The scope's own object carries the scope-wide modules and has no edit form.
	r = c.do("GET", objURL(s.scope.ObjectID, ""), nil, nil)
	mustContain(t, r, http.StatusOK, "steht für den Informationsverbund", "ISMS.1")
	mustLack(t, r, "/edit\"", "Zielobjekt löschen")
}

// TestObjectListAndViews: filters, sorting, the A.2 and A.3 views, a
// cycle, and the bulk assignment.
func TestObjectListAndViews(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	s.setOwn(t, s.process, domain.NeedHigh, domain.NeedNormal, domain.NeedVeryHigh)
	s.depend(t, s.process, s.app)
	s.depend(t, s.app, s.server)

	r := c.do("GET", s.url("/objects"), nil, nil)
	mustContain(t, r, http.StatusOK, "Strukturanalyse", "GP-001", "Fachverfahren-Server", `<span class="need need-very_high">sehr hoch</span>`,
		`<span class="tag tag-warn">Lücke</span>`, "Seite 1 von 1", `name="object" value="`, "Bausteine für die ausgewählten Zielobjekte",
		`aria-sort="ascending"`, `href="`+s.url("/objects?sort=-name")+`"`)
	mustContainText(t, r, "1–5 von 5")

	r = c.do("GET", s.url("/objects?type=it_system&sort=-short_id"), nil, nil)
	mustContain(t, r, http.StatusOK, "S-900", "S-001", `aria-sort="descending"`)
	mustLack(t, r, "GP-001")
	if b := string(r.body); strings.Index(b, "S-900") > strings.Index(b, "S-001") {
		t.Error("descending short ID order ignored")
	}
	r = c.do("GET", s.url("/objects?need=high"), nil, nil)
	mustContain(t, r, http.StatusOK, "GP-001", "A-001", "S-001")
	mustLack(t, r, "R-001", "S-900")
	r = c.do("GET", s.url("/objects?department="+strconv.FormatInt(s.fin, 10)+"&q=netz"), nil, nil)
	mustContain(t, r, http.StatusOK, "A-001 auswählen")
	mustLack(t, r, "GP-001 auswählen", "S-900 auswählen")
	for _, sort := range []string{"type", "-type", "department", "short_id", "need", "-need", "updated", "-updated", "-name"} {
		if r := c.do("GET", s.url("/objects?sort="+sort), nil, nil); r.status != http.StatusOK {
			t.Errorf("sort %s: %d %s", sort, r.status, firstLine(r.body))
		}
	}
	mustContain(t, c.do("GET", s.url("/objects?type=router&need=riesig"), nil, nil), http.StatusUnprocessableEntity, "Unbekannter Typ.", "Unbekannter Schutzbedarf.")
	mustContain(t, c.do("GET", s.url("/objects?page=0"), nil, nil), http.StatusUnprocessableEntity, "Ungültige Seitenangabe.")
	mustContain(t, c.do("GET", s.url("/objects?page=7"), nil, nil), http.StatusOK, "Diese Seite gibt es nicht (mehr).", "Seite 7 von 1")
	mustContain(t, c.do("GET", s.url("/objects?page=2&type=room"), nil, nil), http.StatusOK, "Diese Seite gibt es nicht (mehr).", "Seite 2 von 1",
		`href="`+s.url("/objects?type=room")+`">« Erste</a>`)

	// A.2: values with their source and justification.
	r = c.do("GET", s.url("/needs"), nil, nil)
	mustContain(t, r, http.StatusOK, "Schutzbedarfsfeststellung", "„Bewertung im Workshop“")
	mustContainText(t, r, "sehr hoch wegen Geschäftsprozess GP-001 WAN-Transport", "hoch eigene Bewertung")

	// A cycle: the server depends on the process.
	s.depend(t, s.server, s.process)
	r = c.do("GET", s.url("/needs"), nil, nil)
	mustContain(t, r, http.StatusOK, `class="on-cycle"`, "liegen auf einem Abhängigkeitszyklus", `<span class="tag tag-bad">Zyklus</span>`)
	mustContainText(t, c.do("GET", objURL(s.app, ""), nil, nil), "liegt auf einem Abhängigkeitszyklus")
	mustContain(t, c.do("GET", s.url(""), nil, nil), http.StatusOK, `<span class="stat-value">3</span><span class="stat-label">auf Abhängigkeitszyklen</span>`)

	// Bulk assignment: refusals keep the ticks, then one transaction.
	back := s.url("/objects?type=it_system")
	r = c.do("POST", s.url("/modelling"), form("back", back, "modules_text", "SYS.1.1"), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Bitte kreuzen Sie in der Liste mindestens ein Zielobjekt an.", `value="SYS.1.1"`)
	ids := []string{"object", strconv.FormatInt(s.server, 10), "object", strconv.FormatInt(s.innSystem, 10)}
	r = c.do("POST", s.url("/modelling"), form(append(ids, "back", back, "modules_text", "SYS.1.1, NOPE.1")...), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Der Katalog des Informationsverbunds kennt diese Bausteine nicht: NOPE.1",
		`value="`+strconv.FormatInt(s.server, 10)+`" id="o-`+strconv.FormatInt(s.server, 10)+`" checked`)
	mustLack(t, r, "GP-001 auswählen") // the list keeps the filter of the page it came from
	r = c.do("POST", s.url("/modelling"), form(append(ids, "back", back, "module", "SYS.1.1", "modules_text", "NET.3.2; SYS.1.1")...), nil)
	if loc := seeOther(t, r, s.url("/objects")); loc != back {
		t.Errorf("back to %s, want %s", loc, back)
	}
	mustContain(t, c.do("GET", back, nil, nil), http.StatusOK, "4 neue Zuordnung(en) von 2 Baustein(en) zu 2 Zielobjekt(en).")
	for _, id := range []int64{s.server, s.innSystem} {
		if ms, _ := e.db.ObjectModules(context.Background(), id); len(ms) != 2 {
			t.Errorf("object %d has modules %+v", id, ms)
		}
	}
	// An object from another scope cannot be slipped in.
	r = c.do("POST", s.url("/modelling"), form("object", "999999", "module", "SYS.1.1"), nil)
	mustContain(t, r, http.StatusNotFound, "Dieses Zielobjekt gibt es in diesem Informationsverbund nicht.")
	seeOther(t, c.do("POST", s.url("/modelling"), form("object", strconv.FormatInt(s.server, 10), "module", "SYS.1.1", "back", "https://evil.example/"), nil), s.url("/objects"))

	// A.3: modules by layer with their objects; gaps; the flag.
	flag := s.object(t, s.room)
	in := domain.ObjectInput{Type: flag.Type, ShortID: flag.ShortID,
		ObjectFields: domain.ObjectFields{Name: flag.Name, NoSuitableModule: true}, DepartmentID: flag.DepartmentID}
	if err := e.db.InTx(context.Background(), testActor, func(tx *postgres.Tx) error {
		_, err := tx.UpdateObject(context.Background(), s.room, flag.Version, in.Change(), postgres.Everything)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	r = c.do("GET", s.url("/modelling"), nil, nil)
	mustContain(t, r, http.StatusOK, "Modellierung", "SYS: IT-Systeme", "SYS.1.1", "NET.3.2", "S-001 Managementserver", "S-900 Fachverfahren-Server",
		"Modellierungslücken", "GP-001", "A-001")
	mustContainText(t, r, "2 von 15 Bausteinen", "Ohne passenden Baustein 1", "R-001 Serverraum Erfurt")
}

// TestStructureDepartmentHead: a department head sees only their
// subtree; anything else answers like a missing object, and no form is
// offered.
func TestStructureDepartmentHead(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	s.setOwn(t, s.process, domain.NeedHigh, domain.NeedNormal, domain.NeedNormal)
	s.depend(t, s.process, s.app)
	e.user("tom", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &s.tlrz})
	c := e.loggedIn("heike", domain.Grant{Role: domain.RoleDepartmentHead, DepartmentID: &s.fin})

	r := c.do("GET", "/", nil, nil)
	mustContain(t, r, http.StatusOK, `<a href="/scopes">Informationsverbund</a>`)
	r = c.do("GET", "/scopes", nil, nil)
	mustContain(t, r, http.StatusOK, "Landesdatennetz", `<a href="`+s.url("/objects")+`">4</a>`)
	mustLack(t, r, "Informationsverbund anlegen")

	r = c.do("GET", s.url("/objects"), nil, nil)
	mustContain(t, r, http.StatusOK, "GP-001", "A-001", "S-001", "R-001")
	mustLack(t, r, "S-900", "Fachverfahren-Server", "Innenministerium", `name="object"`, "Neues Zielobjekt", "Bausteine für die ausgewählten")
	mustLack(t, c.do("GET", s.url("/needs"), nil, nil), "Fachverfahren-Server")
	mustLack(t, c.do("GET", s.url("/modelling"), nil, nil), "Fachverfahren-Server")

	hidden := c.do("GET", objURL(s.innSystem, ""), nil, nil)
	missing := c.do("GET", "/objects/999999", nil, nil)
	mustContain(t, hidden, http.StatusNotFound, "Dieses Zielobjekt gibt es nicht.")
	mustContain(t, missing, http.StatusNotFound, "Dieses Zielobjekt gibt es nicht.")
	if withoutRequestID(hidden.body) != withoutRequestID(missing.body) {
		t.Errorf("a hidden object answers differently from a missing one")
	}
	// The scope object belongs to no department: not visible either.
	mustContain(t, c.do("GET", objURL(s.scope.ObjectID, ""), nil, nil), http.StatusNotFound)

	r = c.do("GET", objURL(s.app, ""), nil, nil)
	mustContain(t, r, http.StatusOK, "Netzmanagement")
	mustContainText(t, r, "hoch wegen Geschäftsprozess GP-001 WAN-Transport")
	mustLack(t, r, "Schutzbedarf bewerten", "Abhängigkeit hinzufügen", "Weiteren Baustein zuordnen", "übernehmen", "Zielobjekt löschen", "Bearbeiten")

	// Below, in the computing centre, the process is out of sight: the
	// inherited value shows without its source.
	r = e.login("tom").do("GET", objURL(s.app, ""), nil, nil)
	mustContainText(t, r, "Vertraulichkeit – nicht festgelegt hoch (geerbt) – hoch geerbt")
	mustLack(t, r, "WAN-Transport", "GP-001")
	r = e.login("tom").do("GET", s.url("/needs"), nil, nil)
	mustLack(t, r, "WAN-Transport")
	mustContainText(t, r, "hoch geerbt")
}

// TestStructureScopedISB: an ISB for one department writes only there.
func TestStructureScopedISB(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	s := newUIScope(t, e)
	c := e.loggedIn("ida", domain.Grant{Role: domain.RoleISB, DepartmentID: &s.tlrz})
	r := c.do("GET", s.url("/objects/new"), nil, nil)
	mustContain(t, r, http.StatusOK, "Landesrechenzentrum")
	mustLack(t, r, "Finanzministerium", "Innenministerium")
	r = c.do("POST", s.url("/objects"), form("type", "room", "name", "Technikraum", "department_id", strconv.FormatInt(s.inn, 10)), nil)
	mustContain(t, r, http.StatusUnprocessableEntity, "Sie können Zielobjekte nur Ihren eigenen Organisationseinheiten zuordnen.")
	mustContain(t, c.do("POST", objURL(s.innSystem, "/needs"), form("own_c", "high"), nil), http.StatusNotFound, "Dieses Zielobjekt gibt es nicht.")
	mustContain(t, c.do("GET", objURL(s.innSystem, "/edit"), nil, nil), http.StatusNotFound)
	r = c.do("POST", objURL(s.app, "/dependencies"), form("short_id", "GP-001"), nil)
	mustContain(t, r, http.StatusNotFound, "Ein Zielobjekt mit dem Kürzel „GP-001“ gibt es in diesem Informationsverbund nicht.")
	seeOther(t, c.do("POST", objURL(s.app, "/dependencies"), form("short_id", "S-001"), nil), objURL(s.app, ""))
}

// fillScope adds n routers with needs to the scope, in one statement.
func fillScope(t testing.TB, e *testEnv, s uiScope, n int) {
	t.Helper()
	raw, err := sql.Open("postgres", e.dbInfo.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	_, err = raw.Exec(`
		WITH o AS (
			INSERT INTO objects (scope_id, type, short_id, name, department_id)
			SELECT $1, 'device', 'D-' || lpad(n::text, 5, '0'), 'Standortrouter ' || n, $2
			FROM generate_series(1, $3) AS n RETURNING id)
		INSERT INTO object_needs (object_id, objective, own, effective, source)
		SELECT o.id, x, 1, 1, 'own' FROM o, unnest(ARRAY['c', 'i', 'a']) AS x`, s.scope.ID, s.tlrz, n)
	if err != nil {
		t.Fatal(err)
	}
	// As autovacuum would soon after a bulk import (the owner may).
	owner := e.ownerDB()
	if _, err := owner.Exec(`ANALYZE`); err != nil {
		t.Fatal(err)
	}
}

// TestObjectListPaging: 10,000 objects, paged in SQL; the pager leads to
// the first and last page. (How fast: BenchmarkObjectListPage.)
func TestObjectListPaging(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("10,000 objects")
	}
	e := newTestEnv(t)
	s := newUIScope(t, e)
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	fillScope(t, e, s, 9995)
	get := func(path string) response { return c.do("GET", path, nil, nil) }
	r := get(s.url("/objects"))
	mustContain(t, r, http.StatusOK, "Seite 1 von 200", `href="`+s.url("/objects?page=200")+`">Letzte »</a>`, `rel="next"`)
	mustContainText(t, r, "1–50 von 10.000")
	if n := strings.Count(string(r.body), `name="object"`); n != 50 {
		t.Errorf("%d rows on the first page", n)
	}
	r = get(s.url("/objects?page=200"))
	mustContain(t, r, http.StatusOK, "Seite 200 von 200", `href="`+s.url("/objects")+`">« Erste</a>`, `rel="prev"`)
	mustContainText(t, r, "9.951–10.000 von 10.000")
	r = get(s.url("/objects?sort=-short_id&page=2"))
	mustContain(t, r, http.StatusOK, "D-09945", `href="`+s.url("/objects?page=3&amp;sort=-short_id")+`"`)
	mustContain(t, get(s.url("/needs?page=117&sort=need")), http.StatusOK, "Seite 117 von 200")
	mustContain(t, get(s.url("/objects?q=Standortrouter+99&gaps=true")), http.StatusOK, "Seite 1 von 3")
	mustContain(t, get(s.url("/objects?page=999")), http.StatusOK, "Seite 999 von 200")
	get(s.url("/modelling"))
	mustContainText(t, get(s.url("")), "10.000 Zielobjekte")
}

// BenchmarkObjectListPage renders pages of the object list (A.1) of a
// scope with 10,000 objects, over HTTP, and reports the median and 95th
// percentile per page.
//
//	go test ./internal/server -run '^$' -bench ObjectListPage -benchtime 300x
func BenchmarkObjectListPage(b *testing.B) {
	e := newTestEnv(b)
	s := newUIScope(b, e)
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	fillScope(b, e, s, 9995)
	paths := []string{"/objects", "/objects?page=100", "/objects?page=200&sort=-short_id", "/objects?q=Standortrouter+77",
		"/objects?sort=need&page=50", "/needs?page=20"}
	var took []time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		if r := c.do("GET", s.url(paths[i%len(paths)]), nil, nil); r.status != http.StatusOK {
			b.Fatalf("%s: %d", paths[i%len(paths)], r.status)
		}
		took = append(took, time.Since(start))
		i++
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95_ms")
}
