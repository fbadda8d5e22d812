// Package objectimport imports and exports the target objects of a scope
// through the files of package objectio: it plans the change per row
// (create, update, unchanged, error) for a dry run, and applies a plan
// without errors in one transaction.
package objectimport

import (
	"context"
	"errors"
	"fmt"
	"maps"
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

// Plan is the outcome of a dry run (or of an applied import): the counts
// and the problems of the file as a whole. The results per row are not
// kept, so that memory does not grow with the file: Rows reads the file
// again and hands them on.
type Plan struct {
	Format                               objectio.Format
	FileErrors                           []objectio.RowError // about the file as a whole
	Creates, Updates, Unchanged, Errored int
	Applied                              bool

	planner *planner
}

// OK reports whether the plan can be applied.
func (p Plan) OK() bool { return p.Errored == 0 && len(p.FileErrors) == 0 }

// Rows reads the file again and hands the result of every row to each, in
// file order: the same results as the plan, of an applied import those
// planned before it was written.
func (p Plan) Rows(each func(RowResult) error) error {
	_, err := p.planner.run(each, nil)
	return err
}

// Importer plans and applies imports.
type Importer struct{ db *postgres.DB }

// New returns an importer.
func New(db *postgres.DB) *Importer { return &Importer{db: db} }

// Plan reads a file and compares it with the scope, writing nothing; each
// (if not nil) gets the result of every row as it is planned. A file that
// cannot be read is refused before the first row is handed on.
func (im *Importer) Plan(ctx context.Context, scopeID int64, format objectio.Format, src objectio.Source, vis postgres.Visibility,
	each func(RowResult) error) (Plan, error) {
	stored, err := im.db.ScopeObjects(ctx, scopeID, vis)
	if err != nil {
		return Plan{}, err
	}
	depts, err := im.db.ListDepartments(ctx)
	if err != nil {
		return Plan{}, err
	}
	pl, err := newPlanner(format, src, stored, depts, vis)
	if err != nil {
		return Plan{}, err
	}
	return pl.run(each, nil)
}

// applyBatch is how many objects an import writes with one statement: the
// changes of a batch are all it holds.
const applyBatch = 500

// errRefused rolls back an import that has a row with an error.
var errRefused = errors.New("the import has errors")

// Apply plans inside one transaction and, if no row has an error, applies
// the whole plan; otherwise it changes nothing and returns the plan with
// its errors. each (if not nil) gets the result of every row as planned.
// The objects are written in batches while the file is read, their
// dependencies in a second pass, once every object exists.
func (im *Importer) Apply(ctx context.Context, actor domain.Actor, scopeID int64, format objectio.Format, src objectio.Source,
	vis postgres.Visibility, each func(RowResult) error) (Plan, error) {
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
		pl, err := newPlanner(format, src, stored, depts, vis)
		if err != nil {
			return err
		}
		objects := &batches{ctx: ctx, scopeID: scopeID, write: tx.ImportObjects}
		if p, err = pl.run(each, objects.add); err != nil {
			return err
		}
		if !p.OK() {
			return errRefused
		}
		if p.Creates+p.Updates == 0 {
			return nil
		}
		if err := objects.flush(); err != nil {
			return err
		}
		dependencies := &batches{ctx: ctx, scopeID: scopeID, write: func(ctx context.Context, scopeID int64, chs []postgres.ImportChange) error {
			return tx.ImportDependencies(ctx, scopeID, chs, vis)
		}}
		if _, err := pl.run(nil, dependencies.add); err != nil {
			return err
		}
		if err := dependencies.flush(); err != nil {
			return err
		}
		return tx.RecomputeNeeds(ctx, scopeID)
	})
	if errors.Is(err, errRefused) {
		err = nil
	}
	p.Applied = err == nil && p.OK()
	return p, err
}

// batches collects the changes of an import and writes applyBatch of
// them at a time.
type batches struct {
	ctx     context.Context
	scopeID int64
	write   func(context.Context, int64, []postgres.ImportChange) error
	pending []postgres.ImportChange
}

func (b *batches) add(ch postgres.ImportChange) error {
	if b.pending = append(b.pending, ch); len(b.pending) == applyBatch {
		return b.flush()
	}
	return nil
}

func (b *batches) flush() error {
	if len(b.pending) == 0 {
		return nil
	}
	err := b.write(b.ctx, b.scopeID, b.pending)
	b.pending = b.pending[:0]
	return err
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

// planner compares the rows of a file with the objects of a scope as they
// were when it was made. It holds what rows are compared against, never
// the rows: each run reads the file again and gives the same results.
type planner struct {
	format     objectio.Format
	src        objectio.Source
	vis        postgres.Visibility
	byExternal map[string]*postgres.StoredObject
	externalOf map[int64]string
	shortIDs   map[string]bool // the stored ones
	next       map[string]int  // per short ID prefix, above every stored number
	codes      map[string]int64
	allowed    map[int64]bool
	// inFile holds the external IDs of the file's good rows, which other
	// rows may depend on; fileErrors the problems of the file as a whole.
	inFile     map[string]bool
	fileErrors []objectio.RowError
}

// newPlanner reads the file once for the external IDs it holds; a file
// that cannot be read is refused here.
func newPlanner(format objectio.Format, src objectio.Source, stored []postgres.StoredObject, depts []domain.Department, vis postgres.Visibility) (*planner, error) {
	pl := &planner{format: format, src: src, vis: vis, byExternal: map[string]*postgres.StoredObject{}, externalOf: map[int64]string{},
		shortIDs: map[string]bool{}, next: map[string]int{}, codes: map[string]int64{}, allowed: subtree(depts, vis.Departments),
		inFile: map[string]bool{}}
	for i := range stored {
		s := &stored[i]
		if s.Input.ExternalID != "" {
			pl.byExternal[s.Input.ExternalID] = s
			pl.externalOf[s.ID] = s.Input.ExternalID
		}
		pl.shortIDs[s.Input.ShortID] = true
		if prefix, num, ok := strings.Cut(s.Input.ShortID, "-"); ok {
			if n, err := strconv.Atoi(num); err == nil && n >= pl.next[prefix] {
				pl.next[prefix] = n + 1
			}
		}
	}
	for _, d := range depts {
		if d.Code != "" {
			pl.codes[d.Code] = d.ID
		}
	}
	var err error
	pl.fileErrors, err = objectio.Scan(format, src, func(l objectio.Line) error {
		if l.OK {
			// A clone: the reader's strings share the memory of their line.
			pl.inFile[strings.Clone(l.Row.ExternalID)] = true
		}
		return nil
	})
	return pl, err
}

// run reads the file and plans every row: each (if not nil) gets every
// row's result, change (if not nil) the change of every row that creates
// or updates an object, as long as no row has an error.
func (pl *planner) run(each func(RowResult) error, change func(postgres.ImportChange) error) (Plan, error) {
	p := Plan{Format: pl.format, FileErrors: pl.fileErrors, planner: pl}
	shortIDs, next := maps.Clone(pl.shortIDs), maps.Clone(pl.next)
	_, err := objectio.Scan(pl.format, pl.src, func(l objectio.Line) error {
		var res RowResult
		var ch postgres.ImportChange
		switch {
		case l.OK:
			res, ch = pl.row(l.Row, shortIDs, next)
		case len(l.Errors) > 0:
			// Rows that objectio refused appear with their errors only.
			res = RowResult{Line: l.Row.Line, Action: ActionError, Errors: l.Errors}
		default:
			return nil // a good row of a file that lacks a required column
		}
		switch res.Action {
		case ActionCreate:
			p.Creates++
		case ActionUpdate:
			p.Updates++
		case ActionUnchanged:
			p.Unchanged++
		case ActionError:
			p.Errored++
		}
		if change != nil && p.OK() && (res.Action == ActionCreate || res.Action == ActionUpdate) {
			if err := change(ch); err != nil {
				return err
			}
		}
		if each != nil {
			return each(res)
		}
		return nil
	})
	return p, err
}

// row plans one good row against the stored objects; shortIDs and next
// are the short IDs taken so far in this run.
func (pl *planner) row(r objectio.Row, shortIDs map[string]bool, next map[string]int) (RowResult, postgres.ImportChange) {
	rp := pl.startRow(r)
	rp.compareFields(pl, shortIDs)
	rp.compareNeeds()
	rp.compareDependencies(pl)
	rp.decide(shortIDs, next)
	return rp.res, rp.ch
}

// rowPlan is one row being planned: its result and the change it makes
// to the stored object (cur; nil for a new one).
type rowPlan struct {
	r   objectio.Row
	cur *postgres.StoredObject
	res RowResult
	ch  postgres.ImportChange
}

// startRow finds the stored object of the row's external ID and starts
// the change from it, or from nothing.
func (pl *planner) startRow(r objectio.Row) *rowPlan {
	rp := &rowPlan{r: r, res: RowResult{Line: r.Line, ExternalID: r.ExternalID, Name: r.Name}}
	if cur, exists := pl.byExternal[r.ExternalID]; exists {
		rp.cur = cur
		if !cur.Visible {
			rp.fail(objectio.ColExternalID, "the object with this external ID is outside your departments",
				"Das Zielobjekt mit dieser externen ID liegt außerhalb Ihrer Organisationseinheiten.")
		}
		rp.ch = postgres.ImportChange{ID: cur.ID, Input: cur.Input, Needs: cur.Needs}
	} else {
		rp.ch.Input.ExternalID = r.ExternalID
	}
	return rp
}

func (rp *rowPlan) fail(col, detail, german string) {
	rp.res.Errors = append(rp.res.Errors, objectio.RowError{Line: rp.r.Line, Column: col, Detail: detail, German: german})
}

// compareFields takes the row's object fields that differ, and checks the
// short ID and the department.
func (rp *rowPlan) compareFields(pl *planner, shortIDs map[string]bool) {
	r, in, res := rp.r, &rp.ch.Input, &rp.res
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
	for _, t := range domain.ObjectTexts { // the external ID is the key: it is the stored one
		set(t.Name, t.Field(&in.ObjectFields), *t.Field(&r.ObjectFields))
	}
	if r.Present[objectio.ColShortID] && r.ShortID != "" && r.ShortID != in.ShortID {
		if shortIDs[r.ShortID] {
			rp.fail(objectio.ColShortID, "short ID "+r.ShortID+" is taken", "Das Kürzel "+r.ShortID+" ist schon vergeben.")
		}
		in.ShortID = r.ShortID
		shortIDs[strings.Clone(r.ShortID)] = true
		res.Changed = append(res.Changed, objectio.ColShortID)
	}
	rp.compareDepartment(pl)
	if r.Present[objectio.ColTags] && !slices.Equal(orEmpty(in.Tags), orEmpty(r.Tags)) {
		in.Tags = r.Tags
		res.Changed = append(res.Changed, objectio.ColTags)
	}
	// In column order, so that "changed" reads the same on every run.
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
}

// compareDepartment takes the department the row names by its code, if
// it differs, and checks that the writer may place the object there.
func (rp *rowPlan) compareDepartment(pl *planner) {
	r, in := rp.r, &rp.ch.Input
	if r.Present[objectio.ColDepartment] {
		var dept *int64
		if r.Department != "" {
			id, ok := pl.codes[r.Department]
			if !ok {
				rp.fail(objectio.ColDepartment, "no department with code "+r.Department, "Keine Organisationseinheit mit dem Kürzel "+r.Department+".")
			}
			dept = &id
		}
		if !sameDept(in.DepartmentID, dept) {
			in.DepartmentID = dept
			rp.res.Changed = append(rp.res.Changed, objectio.ColDepartment)
		}
	}
	if !pl.vis.All && (in.DepartmentID == nil || !pl.allowed[*in.DepartmentID]) {
		rp.fail(objectio.ColDepartment, "you may place objects only in your own departments",
			"Sie können Zielobjekte nur Ihren eigenen Organisationseinheiten zuordnen.")
	}
}

// compareNeeds takes the row's own protection needs and their reasons
// where they differ.
func (rp *rowPlan) compareNeeds() {
	r, ch := rp.r, &rp.ch
	for _, o := range domain.Objectives {
		needCol := [...]string{objectio.ColNeedC, objectio.ColNeedI, objectio.ColNeedA}[o]
		reasonCol := [...]string{objectio.ColNeedCReason, objectio.ColNeedIReason, objectio.ColNeedAReason}[o]
		if r.Present[needCol] && ch.Needs[o].Own != r.Need[o] {
			ch.Needs[o].Own, ch.SetNeeds = r.Need[o], true
			rp.res.Changed = append(rp.res.Changed, needCol)
		}
		if r.Present[reasonCol] && ch.Needs[o].OwnReason != r.NeedReason[o] {
			ch.Needs[o].OwnReason, ch.SetNeeds = r.NeedReason[o], true
			rp.res.Changed = append(rp.res.Changed, reasonCol)
		}
	}
}

// compareDependencies takes the row's dependencies if they differ from
// those the writer may see, each on an object of the file or the scope.
func (rp *rowPlan) compareDependencies(pl *planner) {
	r := rp.r
	if !r.Present[objectio.ColDependsOn] {
		return
	}
	want := slices.Clone(r.DependsOn)
	slices.Sort(want)
	want = slices.Compact(want)
	for _, t := range want {
		// An object out of the writer's sight is not found, like a missing one.
		if !pl.inFile[t] && (pl.byExternal[t] == nil || !pl.byExternal[t].Visible) {
			rp.fail(objectio.ColDependsOn, "no object with external ID "+t+" in the file or the scope",
				"Kein Zielobjekt mit der externen ID "+t+" in der Datei oder im Informationsverbund.")
		}
	}
	// Only dependencies on objects with an external ID that the writer
	// may see can be named in a file; the others stay as they are.
	var have []string
	if rp.cur != nil {
		for _, id := range rp.cur.DependsOn {
			if ext := pl.externalOf[id]; ext != "" && pl.byExternal[ext].Visible {
				have = append(have, ext)
			}
		}
		slices.Sort(have)
	}
	if !slices.Equal(have, want) {
		rp.ch.DependsOn, rp.ch.SetDeps = want, true
		rp.res.Changed = append(rp.res.Changed, objectio.ColDependsOn)
	}
}

// decide gives the row its action; a new object without a short ID gets
// the next free one of its type.
func (rp *rowPlan) decide(shortIDs map[string]bool, next map[string]int) {
	res, in := &rp.res, &rp.ch.Input
	switch {
	case len(res.Errors) > 0:
		res.Action = ActionError
	case rp.cur == nil:
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
		r := objectio.Row{ObjectFields: in.ObjectFields, ShortID: in.ShortID, Type: in.Type, Department: s.DepartmentCode,
			Group: in.Group, Members: in.Members}
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
