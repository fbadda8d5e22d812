package domain

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// pointers lists where the violations point, in their order.
func pointers(vs []Violation) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Pointer)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func TestDepartmentInputValidate(t *testing.T) {
	in := DepartmentInput{Name: "  Landesrechenzentrum ", Code: " TLRZ "}
	if vs := in.Validate(); len(vs) > 0 || in.Name != "Landesrechenzentrum" || in.Code != "TLRZ" {
		t.Errorf("a good department: %v, %+v", vs, in)
	}
	bad := DepartmentInput{Name: " ", Code: "a b", ParentID: ptr(int64(0))}
	if got := pointers(bad.Validate()); !slices.Equal(got, []string{"/name", "/code", "/parent_id"}) {
		t.Errorf("violations %v, want name, code, parent_id in input order", got)
	}
	long := DepartmentInput{Name: strings.Repeat("ä", 201), Code: strings.Repeat("x", 33)}
	if got := pointers(long.Validate()); !slices.Equal(got, []string{"/name", "/code"}) {
		t.Errorf("too long: %v", got)
	}
}

func TestDepartmentChangeApply(t *testing.T) {
	parent := int64(7)
	d := Department{ID: 3, Name: "Innenministerium", Code: "TIM", ParentID: &parent, Version: 4}
	if got := (DepartmentChange{}).Apply(d); !reflect.DeepEqual(got, d.Input()) {
		t.Errorf("an empty change changed %+v", got)
	}
	var top *int64
	got := DepartmentChange{Name: ptr("Inneres"), ParentID: &top}.Apply(d)
	if got.Name != "Inneres" || got.Code != "TIM" || got.ParentID != nil {
		t.Errorf("rename and move to the top: %+v", got)
	}
}

func TestScopeInputValidate(t *testing.T) {
	in := ScopeInput{Name: " Landesdatennetz ", Description: " Alles \n", CatalogID: 1, Approach: ApproachStandard}
	if vs := in.Validate(); len(vs) > 0 || in.Name != "Landesdatennetz" || in.Description != "Alles" {
		t.Errorf("a good scope: %v, %+v", vs, in)
	}
	bad := ScopeInput{Name: "", Description: strings.Repeat("x", 4001), Approach: "quick", ISBUserID: ptr(int64(-1))}
	if got := pointers(bad.Validate()); !slices.Equal(got, []string{"/name", "/description", "/catalog_id", "/approach", "/isb_user_id"}) {
		t.Errorf("violations %v, want the input order", got)
	}
}

func TestScopeChangeApply(t *testing.T) {
	isb := int64(9)
	s := Scope{ID: 1, Name: "LDN", Description: "Netz", CatalogID: 2, Approach: ApproachCore, ISBUserID: &isb}
	var none *int64
	got := ScopeChange{Description: ptr(""), ISBUserID: &none}.Apply(s)
	want := ScopeInput{Name: "LDN", CatalogID: 2, Approach: ApproachCore}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func goodObject() ObjectInput {
	return ObjectInput{Type: ObjectITSystem, ShortID: "S-001", ObjectFields: ObjectFields{Name: "Server", Tags: []string{"a"}}}
}

func TestObjectInputValidate(t *testing.T) {
	in := ObjectInput{Type: ObjectITSystem, ShortID: " S-1 ", ObjectFields: ObjectFields{Name: " Server ", Description: "\n Zeile \n",
		Responsible: " Referat 12 ", Location: " Erfurt ", ExternalID: " CMDB-1 ", Tags: []string{" linux ", "", " "}}}
	if vs := in.Validate(); len(vs) > 0 {
		t.Fatalf("a good object: %v", vs)
	}
	want := ObjectInput{Type: ObjectITSystem, ShortID: "S-1", ObjectFields: ObjectFields{Name: "Server", Description: "Zeile",
		Responsible: "Referat 12", Location: "Erfurt", ExternalID: "CMDB-1", Tags: []string{"linux"}}, Members: 1}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("tidied\n got %+v\nwant %+v", in, want)
	}
	if in := (ObjectInput{Type: ObjectRoom, ObjectFields: ObjectFields{Name: "Raum"}}); in.Validate() != nil || in.Tags == nil {
		t.Errorf("no tags are an empty list, not nil: %#v", in.Tags)
	}

	zero := int64(0)
	bad := ObjectInput{Type: "router", ShortID: strings.Repeat("s", MaxShortID+1), ObjectFields: ObjectFields{
		Name: " ", Description: strings.Repeat("d", 4001), Responsible: strings.Repeat("r", 201), Location: strings.Repeat("l", 201),
		ExternalID: strings.Repeat("e", 201), Tags: slices.Repeat([]string{"t"}, MaxObjectTags+1)},
		DepartmentID: &zero, Members: 3, GroupID: &zero}
	got := pointers(bad.Validate())
	wantOrder := []string{"/type", "/short_id", "/name", "/description", "/responsible", "/location", "/external_id", "/tags",
		"/department_id", "/members", "/group_id"}
	if !slices.Equal(got, wantOrder) {
		t.Errorf("violations\n got %v\nwant %v (input order)", got, wantOrder)
	}
	for i := 0; i < 3; i++ { // the same every time
		again := bad
		if g := pointers(again.Validate()); !slices.Equal(g, got) {
			t.Fatalf("run %d: %v", i, g)
		}
	}

	scope := goodObject()
	scope.Type = ObjectScope
	if vs := scope.Validate(); len(vs) != 1 || vs[0].German != "Nur der Informationsverbund selbst hat diesen Typ." {
		t.Errorf("type scope: %v", vs)
	}
	group := goodObject()
	group.Group, group.Members = true, 670
	if vs := group.Validate(); len(vs) > 0 {
		t.Errorf("a group of 670: %v", vs)
	}
	// Lengths count characters, not bytes.
	umlauts := goodObject()
	umlauts.Location = strings.Repeat("ü", 200)
	if vs := umlauts.Validate(); len(vs) > 0 {
		t.Errorf("200 umlauts: %v", vs)
	}
}

func TestObjectTextsMatchObjectFields(t *testing.T) {
	var f ObjectFields
	seen := map[*string]string{}
	for _, tx := range ObjectTexts {
		p := tx.Field(&f)
		if other, dup := seen[p]; dup {
			t.Errorf("%s and %s name the same field", other, tx.Name)
		}
		seen[p] = tx.Name
		if got, ok := ObjectTextNamed(tx.Name); !ok || got.Name != tx.Name {
			t.Errorf("ObjectTextNamed(%q) = %v, %v", tx.Name, got.Name, ok)
		}
		if tx.Max <= 0 || tx.German == "" {
			t.Errorf("%s lacks its limit or its German name", tx.Name)
		}
	}
	// Every string field of ObjectFields is a text with a rule, found by
	// its db tag (the column name).
	typ := reflect.TypeOf(f)
	for i := range typ.NumField() {
		fl := typ.Field(i)
		if fl.Type.Kind() != reflect.String {
			continue
		}
		if _, ok := ObjectTextNamed(fl.Tag.Get("db")); !ok {
			t.Errorf("ObjectFields.%s (db %q) is not in ObjectTexts", fl.Name, fl.Tag.Get("db"))
		}
	}
	if _, ok := ObjectTextNamed("no_such_field"); ok {
		t.Errorf("an unknown name is found")
	}
}

func TestObjectChangeApply(t *testing.T) {
	dept, group := int64(4), int64(8)
	o := Object{ID: 1, ScopeID: 2, Version: 5, ObjectInput: ObjectInput{Type: ObjectITSystem, ShortID: "S-001",
		ObjectFields: ObjectFields{Name: "Server", Description: "alt", Responsible: "Referat 12", Tags: []string{"a", "b"},
			NoSuitableModule: true}, DepartmentID: &dept, Members: 1, GroupID: &group}}
	if got := (ObjectChange{}).Apply(o); !reflect.DeepEqual(got, o.ObjectInput) {
		t.Errorf("an empty change changed\n got %+v\nwant %+v", got, o.ObjectInput)
	}
	var none *int64
	got := ObjectChange{Name: ptr("Neuer Server"), Description: ptr(""), Tags: ptr([]string(nil)), DepartmentID: &none,
		NoSuitableModule: ptr(false)}.Apply(o)
	want := o.ObjectInput
	want.Name, want.Description, want.Tags, want.DepartmentID, want.NoSuitableModule = "Neuer Server", "", nil, nil, false
	if !reflect.DeepEqual(got, want) {
		t.Errorf("change\n got %+v\nwant %+v", got, want)
	}
	if o.Tags[0] != "a" || o.Name != "Server" || o.DepartmentID == nil {
		t.Errorf("Apply changed the object it was applied to: %+v", o)
	}
	// Changing the input's tags leaves the object's alone.
	in := o.Input()
	in.Tags[0] = "x"
	if o.Tags[0] != "a" {
		t.Errorf("Input shares the object's tags")
	}
	// A change to exactly an input, applied to anything, is that input;
	// applied to the zero object it is the input of a new one.
	if got := in.Change().Apply(Object{}); !reflect.DeepEqual(got, in) {
		t.Errorf("Change().Apply\n got %+v\nwant %+v", got, in)
	}
}

func TestDependencyInputValidate(t *testing.T) {
	if vs := (DependencyInput{From: 1, To: 2}).Validate(); vs != nil {
		t.Errorf("a good dependency: %v", vs)
	}
	if vs := (DependencyInput{From: 1, To: 1}).Validate(); len(vs) != 1 || vs[0].German != "Ein Zielobjekt kann nicht von sich selbst abhängen." {
		t.Errorf("on itself: %v", vs)
	}
	if vs := (DependencyInput{From: 1}).Validate(); len(vs) != 1 || vs[0].Pointer != "/depends_on" {
		t.Errorf("on nothing: %v", vs)
	}
}

func TestModuleAssignmentValidate(t *testing.T) {
	a := ModuleAssignment{Modules: []string{" SYS.1.1", "", "SYS.1.1 ", "NET.3.1"}, Objects: []int64{3, 3}}
	if vs := a.Validate(); len(vs) > 0 || !slices.Equal(a.Modules, []string{"SYS.1.1", "NET.3.1"}) || len(a.Objects) != 2 {
		t.Errorf("tidied %+v: %v", a, vs)
	}
	bad := ModuleAssignment{Modules: []string{" "}}
	if got := pointers(bad.Validate()); !slices.Equal(got, []string{"/modules", "/objects"}) {
		t.Errorf("violations %v", got)
	}
	neg := ModuleAssignment{Modules: []string{"SYS.1.1"}, Objects: []int64{1, -2}}
	if vs := neg.Validate(); len(vs) != 1 || vs[0].Detail != "not an object id" {
		t.Errorf("a negative id: %v", vs)
	}
}

func TestNeedInputValidate(t *testing.T) {
	n := NeedInput{Own: NeedHigh, OwnReason: "  viele Betroffene  ", OverrideKind: OverrideManual, Override: NeedNormal,
		OverrideReason: "  kurz     "}
	vs := n.Validate("/c")
	if n.OwnReason != "viele Betroffene" || n.OverrideReason != "kurz" {
		t.Errorf("not trimmed: %+v", n)
	}
	if got := pointers(vs); !slices.Equal(got, []string{"/c/override_reason"}) {
		t.Errorf("a justification of 4 characters padded to 11: %v", got)
	}
	long := NeedInput{Own: NeedNormal, OwnReason: strings.Repeat("x", MaxNeedReason+1), OverrideKind: OverrideManual, Override: NeedHigh,
		OverrideReason: strings.Repeat("y", MaxNeedReason+1)}
	if got := pointers(long.Validate("/a")); !slices.Equal(got, []string{"/a/own_reason", "/a/override_reason"}) {
		t.Errorf("too long: %v", got)
	}
}
