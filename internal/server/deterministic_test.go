package server

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"ismsd/internal/domain"
	"ismsd/internal/problem"
)

// TestOutputOrderIsStable repeats requests whose answers list several
// violations or changed columns, and expects the same list every time:
// nothing comes out in Go's map order, which changes from run to run.
func TestOutputOrderIsStable(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	scope, _ := e.scopeWithDepartment()
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	base := "/api/v1/scopes/" + strconv.FormatInt(scope, 10)
	const repeats = 20

	// Several bad list parameters: one violation each, by pointer.
	for path, want := range map[string][]string{
		base + "/check?object=x&department=-1&cursor=0&limit=0": {"/cursor", "/department", "/object", "/limit"},
		base + "/plan?department=x&cursor=y":                    {"/cursor", "/department"},
		base + "/evidence?department=x&target_id=y&cursor=z":    {"/cursor", "/department", "/target_id"},
	} {
		for range repeats {
			var p problem.Problem
			c.do("GET", path, nil, nil).json(t, &p)
			var got []string
			for _, v := range p.Errors {
				got = append(got, v.Pointer)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s: violations at %q, want %q", path, got, want)
			}
		}
	}

	// The changed columns of an import's dry run, in the file's column order.
	if r := c.uploadFields(base+"/import", "a.csv", []byte("external_id;name;type;department\nS1;Server;it_system;TLRZ\n"), nil); r.status != 200 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	change := []byte("external_id;name;type;department;no_suitable_module;untypical_environment\nS1;Server;it_system;TLRZ;ja;ja\n")
	for range repeats {
		var plan struct {
			Rows []struct {
				Changed []string `json:"changed"`
			} `json:"rows"`
		}
		c.uploadFields(base+"/import", "b.csv", change, map[string]string{"dry_run": "true"}).json(t, &plan)
		if len(plan.Rows) != 1 || !slices.Equal(plan.Rows[0].Changed, []string{"no_suitable_module", "untypical_environment"}) {
			t.Fatalf("changed columns %+v", plan.Rows)
		}
	}
}

// TestPlanFormMessagesInOneOrder: a measure's form refused for several
// fields lists their messages in the same order every time.
func TestPlanFormMessagesInOneOrder(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	scope, server := checkScope(t, e)
	c := e.loggedIn("isa", domain.Grant{Role: domain.RoleISB})
	entry := checkEntries(t, e, scope, server)["SYS.1.1.A1"]
	path := "/api/v1/check-entries/" + strconv.FormatInt(entry.ID, 10)
	tag := c.do("GET", path, nil, nil).header.Get("ETag")
	if r := c.do("PATCH", path, map[string]string{"status": "no", "justification": "Härtung noch offen"}, map[string]string{"If-Match": tag}); r.status != 200 {
		t.Fatalf("entry: %d %s", r.status, r.body)
	}
	item := planItemOf(t, e, scope, entry.ID)
	var first string
	for i := range 20 {
		r := c.do("POST", "/plan-items/"+idStr(item.ID), form("version", strconv.Itoa(item.Version), "due_date", "bald", "budget", "viel"), nil)
		block := planBlock(t, r, item.ID)
		msgs := block[strings.Index(block, `class="entry-error"`):]
		msgs = msgs[:strings.Index(msgs, "</div>")]
		if i == 0 {
			first = msgs
			if !strings.Contains(msgs, "Betrag") || !strings.Contains(msgs, "Datum") {
				t.Fatalf("messages %s", msgs)
			}
		} else if msgs != first {
			t.Fatalf("messages in another order:\n%s\nfirst:\n%s", msgs, first)
		}
	}
}
