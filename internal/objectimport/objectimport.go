// Package objectimport imports and exports the target objects of a scope
// through the files of package objectio: it plans the change per row
// (create, update, unchanged, error) for a dry run, and applies a plan
// without errors in one transaction.
package objectimport

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"ismsd/internal/domain"
	"ismsd/internal/objectio"
	"ismsd/internal/postgres"
)

// Action is what an import does to one row's object.
type Action string

const (
	ActionCreate    Action = "create"
	ActionUpdate    Action = "update"
	ActionUnchanged Action = "unchanged"
	ActionError     Action = "error"
)

// RowResult is the plan for one row of the file.
type RowResult struct {
	Line       int
	ExternalID string
	Name       string
	Action     Action
	Changed    []string // columns whose value changes
	Errors     []objectio.RowError
}

// Plan is the outcome of a dry run (or of an applied import).
type Plan struct {
	Format                               objectio.Format
	Rows                                 []RowResult
	FileErrors                           []objectio.RowError // about the file as a whole
	Creates, Updates, Unchanged, Errored int
	Applied                              bool

	changes []postgres.ImportChange
}

// OK reports whether the plan can be applied.
func (p Plan) OK() bool { return p.Errored == 0 && len(p.FileErrors) == 0 }

// Importer plans and applies imports.
type Importer struct{ db *postgres.DB }

// New returns an importer.
func New(db *postgres.DB) *Importer { return &Importer{db: db} }

// Plan reads a file and compares it with the scope, writing nothing.
func (im *Importer) Plan(ctx context.Context, scopeID int64, format objectio.Format, data []byte, vis postgres.Visibility) (Plan, error) {
	stored, err := im.db.ScopeObjects(ctx, scopeID, vis)
	if err != nil {
		return Plan{}, err
	}
	depts, err := im.db.ListDepartments(ctx)
	if err != nil {
		return Plan{}, err
	}
	return plan(format, data, stored, depts, vis)
}

// Apply plans inside one transaction and, if no row has an error,
// applies the whole plan; otherwise it changes nothing and returns the
// plan with its errors.
func (im *Importer) Apply(ctx context.Context, actor domain.Actor, scopeID int64, format objectio.Format, data []byte, vis postgres.Visibility) (Plan, error) {
	depts, err := im.db.ListDepartments(ctx)
	if err != nil {
		return Plan{}, err
	}
	var p Plan
	err = im.db.InTx(ctx, actor, func(tx *postgres.Tx) error {
		stored, err := tx.ScopeObjects(ctx, scopeID, vis)
		if err != nil {
			return err
		}
		if p, err = plan(format, data, stored, depts, vis); err != nil || !p.OK() {
			return err
		}
		if len(p.changes) == 0 {
			return nil
		}
		return tx.ApplyImport(ctx, scopeID, p.changes, vis)
	})
	p.Applied = err == nil && p.OK()
	return p, err
}

// subtree lists the departments a limited writer may place objects in.
func subtree(depts []domain.Department, roots []int64) map[int64]bool {
	in := map[int64]bool{}
	for _, d := range depts { // depth first: parents come before children
		if slices.Contains(roots, d.ID) || d.ParentID != nil && in[*d.ParentID] {
			in[d.ID] = true
		}
	}
	return in
}

func plan(format objectio.Format, data []byte, stored []postgres.StoredObject, depts []domain.Department, vis postgres.Visibility) (Plan, error) {
	rows, rowErrs, err := objectio.Read(format, data)
	if err != nil {
		return Plan{}, err
	}
	p := Plan{Format: format}
	byLine := map[int][]objectio.RowError{}
	for _, e := range rowErrs {
		if e.Line == 0 {
			p.FileErrors = append(p.FileErrors, e)
		} else {
			byLine[e.Line] = append(byLine[e.Line], e)
		}
	}
	byExternal := map[string]*postgres.StoredObject{}
	externalOf := map[int64]string{}
	shortIDs := map[string]bool{}
	next := map[string]int{}
	for i := range stored {
		s := &stored[i]
		if s.Input.ExternalID != "" {
			byExternal[s.Input.ExternalID] = s
			externalOf[s.ID] = s.Input.ExternalID
		}
		shortIDs[s.Input.ShortID] = true
		if prefix, num, ok := strings.Cut(s.Input.ShortID, "-"); ok {
			if n, err := strconv.Atoi(num); err == nil && n >= next[prefix] {
				next[prefix] = n + 1
			}
		}
	}
	codes := map[string]int64{}
	for _, d := range depts {
		if d.Code != "" {
			codes[d.Code] = d.ID
		}
	}
	allowed := subtree(depts, vis.Departments)
	inFile := map[string]bool{}
	for _, r := range rows {
		inFile[r.ExternalID] = true
	}
	results := map[int]*RowResult{}
	for _, r := range rows {
		res := RowResult{Line: r.Line, ExternalID: r.ExternalID, Name: r.Name}
		fail := func(col, detail, german string) {
			res.Errors = append(res.Errors, objectio.RowError{Line: r.Line, Column: col, Detail: detail, German: german})
		}
		cur, exists := byExternal[r.ExternalID]
		var ch postgres.ImportChange
		if exists {
			if !cur.Visible {
				fail(objectio.ColExternalID, "the object with this external ID is outside your departments",
					"Das Zielobjekt mit dieser externen ID liegt außerhalb Ihrer Organisationseinheiten.")
			}
			ch = postgres.ImportChange{ID: cur.ID, Input: cur.Input, Needs: cur.Needs}
		} else {
			ch.Input.ExternalID = r.ExternalID
		}
		in := &ch.Input
		set := func(col string, dst *string, v string) {
			if r.Present[col] && *dst != v {
				*dst = v
				res.Changed = append(res.Changed, col)
			}
		}
		if in.Type != r.Type {
			in.Type = r.Type
			res.Changed = append(res.Changed, objectio.ColType)
		}
		set(objectio.ColName, &in.Name, r.Name)
		set(objectio.ColDescription, &in.Description, r.Description)
		set(objectio.ColResponsible, &in.Responsible, r.Responsible)
		set(objectio.ColLocation, &in.Location, r.Location)
		if r.Present[objectio.ColShortID] && r.ShortID != "" && r.ShortID != in.ShortID {
			if shortIDs[r.ShortID] {
				fail(objectio.ColShortID, "short ID "+r.ShortID+" is taken", "Das Kürzel "+r.ShortID+" ist schon vergeben.")
			}
			in.ShortID = r.ShortID
			shortIDs[r.ShortID] = true
			res.Changed = append(res.Changed, objectio.ColShortID)
		}
		if r.Present[objectio.ColDepartment] {
			var dept *int64
			if r.Department != "" {
				id, ok := codes[r.Department]
				if !ok {
					fail(objectio.ColDepartment, "no department with code "+r.Department, "Keine Organisationseinheit mit dem Kürzel "+r.Department+".")
				}
				dept = &id
			}
			if !sameDept(in.DepartmentID, dept) {
				in.DepartmentID = dept
				res.Changed = append(res.Changed, objectio.ColDepartment)
			}
		}
		if !vis.All && (in.DepartmentID == nil || !allowed[*in.DepartmentID]) {
			fail(objectio.ColDepartment, "you may place objects only in your own departments",
				"Sie können Zielobjekte nur Ihren eigenen Organisationseinheiten zuordnen.")
		}
		if r.Present[objectio.ColTags] && !slices.Equal(orEmpty(in.Tags), orEmpty(r.Tags)) {
			in.Tags = r.Tags
			res.Changed = append(res.Changed, objectio.ColTags)
		}
		// A list, not a map: the changed columns come out in one order.
		for _, flag := range []struct {
			col      string
			dst, src *bool
		}{
			{objectio.ColNoSuitableModule, &in.NoSuitableModule, &r.NoSuitableModule},
			{objectio.ColUntypicalEnvironment, &in.UntypicalEnvironment, &r.UntypicalEnvironment},
			{objectio.ColGroup, &in.Group, &r.Group},
		} {
			if r.Present[flag.col] && *flag.dst != *flag.src {
				*flag.dst = *flag.src
				res.Changed = append(res.Changed, flag.col)
			}
		}
		if r.Present[objectio.ColMembers] && in.Members != r.Members {
			in.Members = r.Members
			res.Changed = append(res.Changed, objectio.ColMembers)
		}
		for _, o := range domain.Objectives {
			needCol := [...]string{objectio.ColNeedC, objectio.ColNeedI, objectio.ColNeedA}[o]
			reasonCol := [...]string{objectio.ColNeedCReason, objectio.ColNeedIReason, objectio.ColNeedAReason}[o]
			if r.Present[needCol] && ch.Needs[o].Own != r.Need[o] {
				ch.Needs[o].Own, ch.SetNeeds = r.Need[o], true
				res.Changed = append(res.Changed, needCol)
			}
			if r.Present[reasonCol] && ch.Needs[o].OwnReason != r.NeedReason[o] {
				ch.Needs[o].OwnReason, ch.SetNeeds = r.NeedReason[o], true
				res.Changed = append(res.Changed, reasonCol)
			}
		}
		if r.Present[objectio.ColDependsOn] {
			want := slices.Clone(r.DependsOn)
			slices.Sort(want)
			want = slices.Compact(want)
			for _, t := range want {
				// An object out of the writer's sight is not found, like a missing one.
				if !inFile[t] && (byExternal[t] == nil || !byExternal[t].Visible) {
					fail(objectio.ColDependsOn, "no object with external ID "+t+" in the file or the scope",
						"Kein Zielobjekt mit der externen ID "+t+" in der Datei oder im Informationsverbund.")
				}
			}
			// Only dependencies on objects with an external ID that the writer
			// may see can be named in a file; the others stay as they are.
			var have []string
			if exists {
				for _, id := range cur.DependsOn {
					if ext := externalOf[id]; ext != "" && byExternal[ext].Visible {
						have = append(have, ext)
					}
				}
				slices.Sort(have)
			}
			if !slices.Equal(have, want) {
				ch.DependsOn, ch.SetDeps = want, true
				res.Changed = append(res.Changed, objectio.ColDependsOn)
			}
		}
		res.Errors = append(byLine[r.Line], res.Errors...)
		switch {
		case len(res.Errors) > 0:
			res.Action = ActionError
		case !exists:
			res.Action = ActionCreate
		case len(res.Changed) > 0:
			res.Action = ActionUpdate
		default:
			res.Action = ActionUnchanged
		}
		if res.Action == ActionCreate {
			if in.ShortID == "" {
				prefix := in.Type.ShortIDPrefix()
				for next[prefix] == 0 || shortIDs[fmt.Sprintf("%s-%03d", prefix, next[prefix])] {
					next[prefix]++
				}
				in.ShortID = fmt.Sprintf("%s-%03d", prefix, next[prefix])
				shortIDs[in.ShortID] = true
			}
			res.Changed = nil
		}
		if res.Action == ActionCreate || res.Action == ActionUpdate {
			p.changes = append(p.changes, ch)
		}
		p.Rows = append(p.Rows, res)
		results[r.Line] = &p.Rows[len(p.Rows)-1]
	}
	// Rows that objectio refused entirely appear with their errors only.
	for line, errs := range byLine {
		if _, ok := results[line]; !ok {
			p.Rows = append(p.Rows, RowResult{Line: line, Action: ActionError, Errors: errs})
		}
	}
	slices.SortFunc(p.Rows, func(a, b RowResult) int { return a.Line - b.Line })
	for _, r := range p.Rows {
		switch r.Action {
		case ActionCreate:
			p.Creates++
		case ActionUpdate:
			p.Updates++
		case ActionUnchanged:
			p.Unchanged++
		case ActionError:
			p.Errored++
		}
	}
	return p, nil
}

func sameDept(a, b *int64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Export writes the scope's visible objects as a file of the format.
func (im *Importer) Export(ctx context.Context, scopeID int64, vis postgres.Visibility) ([]objectio.Row, error) {
	stored, err := im.db.ScopeObjects(ctx, scopeID, vis)
	if err != nil {
		return nil, err
	}
	external := map[int64]string{} // of the objects the reader may see
	for _, s := range stored {
		if s.Visible {
			external[s.ID] = s.Input.ExternalID
		}
	}
	var rows []objectio.Row
	for _, s := range stored {
		if !s.Visible {
			continue
		}
		in := s.Input
		r := objectio.Row{ExternalID: in.ExternalID, ShortID: in.ShortID, Name: in.Name, Type: in.Type, Description: in.Description,
			Department: s.DepartmentCode, Responsible: in.Responsible, Location: in.Location, Tags: in.Tags,
			NoSuitableModule: in.NoSuitableModule, UntypicalEnvironment: in.UntypicalEnvironment, Group: in.Group, Members: in.Members}
		for _, o := range domain.Objectives {
			r.Need[o], r.NeedReason[o] = s.Needs[o].Own, s.Needs[o].OwnReason
		}
		for _, id := range s.DependsOn {
			if ext := external[id]; ext != "" {
				r.DependsOn = append(r.DependsOn, ext)
			}
		}
		rows = append(rows, r)
	}
	return rows, nil
}
