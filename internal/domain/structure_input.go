package domain

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// This file holds what the structure analysis is typed in with:
// departments, scopes, target objects, dependencies and module
// assignments, each with the rules that need no data. The API, the pages
// and the import call the same Validate; the store adds the rules that
// need data (uniqueness, references, what the writer may see).
//
// Each Validate trims what it must and lists its violations in the order
// of the input's fields; the changes follow change.go.

// DepartmentInput is what a department (Organisationseinheit) is made of.
type DepartmentInput struct {
	Name     string
	Code     string // short code used in import files, e.g. "TLRZ"
	ParentID *int64 // nil for a top-level department
}

// departmentCode is also the check constraint of departments.code.
var departmentCode = regexp.MustCompile(`^[A-Za-z0-9._-]{0,32}$`)

// Validate checks the input and trims its texts. Whether the parent exists
// and is not below the department itself is the store's check.
func (in *DepartmentInput) Validate() []Violation {
	in.Name, in.Code = strings.TrimSpace(in.Name), strings.TrimSpace(in.Code)
	var vs []Violation
	if in.Name == "" || TooLong(in.Name, 200) {
		vs = append(vs, Violation{Pointer: "/name", Detail: "name must have 1 to 200 characters", German: "Der Name muss 1 bis 200 Zeichen haben."})
	}
	if !departmentCode.MatchString(in.Code) {
		vs = append(vs, Violation{Pointer: "/code", Detail: "code: up to 32 letters, digits, '.', '_' or '-'",
			German: "Das Kürzel darf bis zu 32 Buchstaben, Ziffern, Punkte, Unter- oder Bindestriche haben."})
	}
	if in.ParentID != nil && *in.ParentID <= 0 {
		vs = append(vs, Violation{Pointer: "/parent_id", Detail: "unknown department", German: "Unbekannte übergeordnete Organisationseinheit."})
	}
	return vs
}

// Input is the department's current data, to apply a change to.
func (d Department) Input() DepartmentInput {
	return DepartmentInput{Name: d.Name, Code: d.Code, ParentID: d.ParentID}
}

// DepartmentChange is a change of a department.
type DepartmentChange struct {
	Name     *string
	Code     *string
	ParentID **int64 // a nil inside makes it a top-level department
}

// Apply returns the department's data with the change.
func (ch DepartmentChange) Apply(d Department) DepartmentInput {
	in := d.Input()
	applyField(&in.Name, ch.Name)
	applyField(&in.Code, ch.Code)
	applyField(&in.ParentID, ch.ParentID)
	return in
}

// ScopeInput is what a scope (Informationsverbund) is made of.
type ScopeInput struct {
	Name        string
	Description string
	CatalogID   int64
	Approach    Approach
	ISBUserID   *int64
}

// Validate checks the input and trims its texts. Whether the catalog and
// the account exist, and whether the catalog may still change, is the
// store's check.
func (in *ScopeInput) Validate() []Violation {
	in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	var vs []Violation
	if in.Name == "" || TooLong(in.Name, 200) {
		vs = append(vs, Violation{Pointer: "/name", Detail: "name must have 1 to 200 characters", German: "Der Name muss 1 bis 200 Zeichen haben."})
	}
	if TooLong(in.Description, 4000) {
		vs = append(vs, Violation{Pointer: "/description", Detail: "at most 4000 characters", German: "Die Beschreibung darf höchstens 4000 Zeichen haben."})
	}
	if in.CatalogID <= 0 {
		vs = append(vs, Violation{Pointer: "/catalog_id", Detail: "choose a catalog", German: "Bitte einen Katalog wählen."})
	}
	if !in.Approach.Valid() {
		vs = append(vs, Violation{Pointer: "/approach", Detail: "approach must be basic, standard or core", German: "Bitte eine Vorgehensweise wählen."})
	}
	if in.ISBUserID != nil && *in.ISBUserID <= 0 {
		vs = append(vs, Violation{Pointer: "/isb_user_id", Detail: "unknown user", German: "Unbekanntes Benutzerkonto."})
	}
	return vs
}

// Input is the scope's current data, to apply a change to.
func (s Scope) Input() ScopeInput {
	return ScopeInput{Name: s.Name, Description: s.Description, CatalogID: s.CatalogID, Approach: s.Approach, ISBUserID: s.ISBUserID}
}

// ScopeChange is a change of a scope.
type ScopeChange struct {
	Name        *string
	Description *string
	CatalogID   *int64
	Approach    *Approach
	ISBUserID   **int64 // a nil inside leaves the scope without ISB
}

// Apply returns the scope's data with the change.
func (ch ScopeChange) Apply(s Scope) ScopeInput {
	in := s.Input()
	applyField(&in.Name, ch.Name)
	applyField(&in.Description, ch.Description)
	applyField(&in.CatalogID, ch.CatalogID)
	applyField(&in.Approach, ch.Approach)
	applyField(&in.ISBUserID, ch.ISBUserID)
	return in
}

// ObjectFields are the plain fields of a target object: typed in, stored,
// shown, exported and imported as they are. The store reads them by
// their db tags (the column names). A new plain text field is declared
// here and in ObjectTexts; the README's "Where an input rule lives" lists
// the other places it appears (migration, schemas, API, form).
type ObjectFields struct {
	Name                 string   `db:"name"`
	Description          string   `db:"description"`
	Responsible          string   `db:"responsible"`
	Location             string   `db:"location"`
	ExternalID           string   `db:"external_id"` // the key in a CMDB; imports upsert by it
	Tags                 []string `db:"-"`           // read by the store itself: a text[] needs its driver's scanner
	NoSuitableModule     bool     `db:"no_suitable_module"`
	UntypicalEnvironment bool     `db:"untypical_environment"`
}

// ObjectText is a text field of ObjectFields with its rule.
type ObjectText struct {
	Name     string // in the API, the database and the import files
	Required bool
	Max      int    // characters
	German   string // the field in a German message: "Der Standort"
	Field    func(*ObjectFields) *string
}

// ObjectTexts are the text fields of ObjectFields in the order of input.
var ObjectTexts = []ObjectText{
	{Name: "name", Required: true, Max: 200, German: "Der Name", Field: func(f *ObjectFields) *string { return &f.Name }},
	{Name: "description", Max: 4000, German: "Die Beschreibung", Field: func(f *ObjectFields) *string { return &f.Description }},
	{Name: "responsible", Max: 200, German: "Die Angabe „Verantwortlich“", Field: func(f *ObjectFields) *string { return &f.Responsible }},
	{Name: "location", Max: 200, German: "Der Standort", Field: func(f *ObjectFields) *string { return &f.Location }},
	{Name: "external_id", Max: 200, German: "Die externe ID", Field: func(f *ObjectFields) *string { return &f.ExternalID }},
}

// ObjectTextNamed returns the text field of that name.
func ObjectTextNamed(name string) (ObjectText, bool) {
	for _, t := range ObjectTexts {
		if t.Name == name {
			return t, true
		}
	}
	return ObjectText{}, false
}

// Limits of a target object's other fields.
const (
	MaxShortID    = 40 // characters
	MaxObjectTags = 50
)

// ObjectInput is what a target object is made of.
type ObjectInput struct {
	Type    ObjectType
	ShortID string // empty: generated from the type on create (e.g. S-017), kept on update
	ObjectFields
	DepartmentID *int64
	Group        bool
	Members      int    // 0 is taken as 1
	GroupID      *int64 // the group this object is a member of
}

// Validate checks the input and tidies it: texts trimmed, empty tags
// dropped, a member count of 0 taken as 1. Only the scope itself has
// type scope, which the store gives it without this check. Whether the
// department and the group exist, may be used by the writer and make no
// group of groups is the store's check.
func (in *ObjectInput) Validate() []Violation {
	in.ShortID = strings.TrimSpace(in.ShortID)
	var vs []Violation
	switch {
	case in.Type == ObjectScope:
		vs = append(vs, Violation{Pointer: "/type", Detail: "only the scope itself has type scope", German: "Nur der Informationsverbund selbst hat diesen Typ."})
	case !in.Type.Valid():
		vs = append(vs, Violation{Pointer: "/type", Detail: "unknown object type", German: "Unbekannter Typ des Zielobjekts."})
	}
	if TooLong(in.ShortID, MaxShortID) {
		vs = append(vs, Violation{Pointer: "/short_id", Detail: fmt.Sprintf("at most %d characters", MaxShortID),
			German: fmt.Sprintf("Das Kürzel darf höchstens %d Zeichen haben.", MaxShortID)})
	}
	for _, t := range ObjectTexts {
		p := t.Field(&in.ObjectFields)
		*p = strings.TrimSpace(*p)
		switch {
		case t.Required && (*p == "" || TooLong(*p, t.Max)):
			vs = append(vs, Violation{Pointer: "/" + t.Name, Detail: fmt.Sprintf("%s must have 1 to %d characters", t.Name, t.Max),
				German: fmt.Sprintf("%s muss 1 bis %d Zeichen haben.", t.German, t.Max)})
		case TooLong(*p, t.Max):
			vs = append(vs, Violation{Pointer: "/" + t.Name, Detail: fmt.Sprintf("at most %d characters", t.Max),
				German: fmt.Sprintf("%s darf höchstens %d Zeichen haben.", t.German, t.Max)})
		}
	}
	tags := []string{}
	for _, t := range in.Tags {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	in.Tags = tags
	if len(in.Tags) > MaxObjectTags {
		vs = append(vs, Violation{Pointer: "/tags", Detail: fmt.Sprintf("at most %d tags", MaxObjectTags),
			German: fmt.Sprintf("Höchstens %d Schlagworte.", MaxObjectTags)})
	}
	if in.DepartmentID != nil && *in.DepartmentID <= 0 {
		vs = append(vs, Violation{Pointer: "/department_id", Detail: "unknown department", German: "Unbekannte Organisationseinheit."})
	}
	if in.Members == 0 {
		in.Members = 1
	}
	if in.Members < 1 || !in.Group && in.Members != 1 {
		vs = append(vs, Violation{Pointer: "/members", Detail: "members must be 1, or more for a group",
			German: "Die Anzahl muss 1 sein, bei einer Gruppe mindestens 1."})
	}
	if in.GroupID != nil && *in.GroupID <= 0 {
		vs = append(vs, Violation{Pointer: "/group_id", Detail: "unknown group", German: "Unbekannte Gruppe."})
	}
	return vs
}

// Input is the object's current data, to apply a change to.
func (o Object) Input() ObjectInput {
	in := o.ObjectInput
	in.Tags = slices.Clone(in.Tags)
	return in
}

// Change is a change to exactly this input: every field set. A form that
// shows every field but the group membership clears GroupID in it.
func (in ObjectInput) Change() ObjectChange {
	return ObjectChange{Type: &in.Type, ShortID: &in.ShortID, Name: &in.Name, Description: &in.Description,
		Responsible: &in.Responsible, Location: &in.Location, ExternalID: &in.ExternalID, Tags: &in.Tags,
		NoSuitableModule: &in.NoSuitableModule, UntypicalEnvironment: &in.UntypicalEnvironment,
		DepartmentID: &in.DepartmentID, Group: &in.Group, Members: &in.Members, GroupID: &in.GroupID}
}

// ObjectChange is a change of a target object; a field that may be empty
// is cleared by its zero value (texts, tags) or a nil inside (department,
// group).
type ObjectChange struct {
	Type                 *ObjectType
	ShortID              *string
	Name                 *string
	Description          *string
	Responsible          *string
	Location             *string
	ExternalID           *string
	Tags                 *[]string
	NoSuitableModule     *bool
	UntypicalEnvironment *bool
	DepartmentID         **int64
	Group                *bool
	Members              *int
	GroupID              **int64
}

// Apply returns the object's data with the change; applied to the zero
// Object it is the input of a new one.
func (ch ObjectChange) Apply(o Object) ObjectInput {
	in := o.Input()
	applyField(&in.Type, ch.Type)
	applyField(&in.ShortID, ch.ShortID)
	applyField(&in.Name, ch.Name)
	applyField(&in.Description, ch.Description)
	applyField(&in.Responsible, ch.Responsible)
	applyField(&in.Location, ch.Location)
	applyField(&in.ExternalID, ch.ExternalID)
	applyField(&in.Tags, ch.Tags)
	applyField(&in.NoSuitableModule, ch.NoSuitableModule)
	applyField(&in.UntypicalEnvironment, ch.UntypicalEnvironment)
	applyField(&in.DepartmentID, ch.DepartmentID)
	applyField(&in.Group, ch.Group)
	applyField(&in.Members, ch.Members)
	applyField(&in.GroupID, ch.GroupID)
	return in
}

// DependencyInput says that object From depends on object To, which then
// inherits From's protection need (maximum principle).
type DependencyInput struct {
	From, To int64
}

// Validate checks the input. Whether both objects exist in one scope and
// may be seen by the writer is the store's check.
func (in DependencyInput) Validate() []Violation {
	switch {
	case in.To <= 0:
		return []Violation{{Pointer: "/depends_on", Detail: "choose an object", German: "Bitte wählen Sie ein Zielobjekt."}}
	case in.From == in.To:
		return []Violation{{Pointer: "/depends_on", Detail: "an object cannot depend on itself", German: "Ein Zielobjekt kann nicht von sich selbst abhängen."}}
	}
	return nil
}

// ModuleAssignment assigns modules of the scope's catalog to objects.
type ModuleAssignment struct {
	Modules []string // module IDs, e.g. "SYS.1.1"
	Objects []int64
}

// Validate checks the assignment and tidies its modules: trimmed, empty
// ones and repeats dropped. Objects keep their positions, which the
// store's refusals point to. Whether the modules are in the scope's
// catalog and the objects in the scope, visible to the writer, is the
// store's check.
func (a *ModuleAssignment) Validate() []Violation {
	var modules []string
	for _, m := range a.Modules {
		if m = strings.TrimSpace(m); m != "" && !slices.Contains(modules, m) {
			modules = append(modules, m)
		}
	}
	a.Modules = modules
	var vs []Violation
	if len(a.Modules) == 0 {
		vs = append(vs, Violation{Pointer: "/modules", Detail: "choose at least one module", German: "Bitte wählen Sie mindestens einen Baustein."})
	}
	switch {
	case len(a.Objects) == 0:
		vs = append(vs, Violation{Pointer: "/objects", Detail: "is required", German: "Bitte kreuzen Sie in der Liste mindestens ein Zielobjekt an."})
	case slices.ContainsFunc(a.Objects, func(id int64) bool { return id <= 0 }):
		vs = append(vs, Violation{Pointer: "/objects", Detail: "not an object id", German: "Unbekanntes Zielobjekt in der Auswahl."})
	}
	return vs
}
