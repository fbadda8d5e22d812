package domain

import (
	"cmp"
	"slices"
)

// Protection-need inheritance (Schutzbedarfsvererbung) after BSI-Standard 200-2.
//
// The maximum principle says an object needs at least the protection of the
// most demanding object that depends on it: a server running an application
// for a process with high availability needs high availability itself. The
// computation below applies the principle to a whole scope in one pass, per
// objective (C, I, A) independently, and copes with what real models contain:
// justified overrides, dependency cycles and stale edges.
//
// Method: strongly connected components are found with an iterative Tarjan
// on the reversed dependency graph. Tarjan completes a component only after
// every component it reaches, and in the reversed graph it reaches exactly the
// objects that depend on it, so each component is final the moment it is
// emitted and can be evaluated right away. That gives O(N + E) time, no
// fixed-point iteration that could fail to terminate, and no recursion that a
// long chain could overflow.

// NeedNode is one target object's input for the computation.
type NeedNode struct {
	ID       int64
	Own      [3]Need // own assessment per objective (C, I, A); NeedUnknown = not assessed
	Override [3]Need // override value per objective; NeedUnknown = no override
}

// NeedEdge says that From depends on To: To inherits From's protection need
// (process → application → IT system → room).
type NeedEdge struct{ From, To int64 }

// NeedResult is the outcome for one object.
type NeedResult struct {
	ID            int64
	Inherited     [3]Need  // maximum over the effective needs of the objects that depend on it (outside its own cycle); NeedUnknown if none
	InheritedFrom [3]int64 // the object that gave Inherited (or, for SourceCycle, the cycle member that set the cycle's maximum); 0 if none
	Effective     [3]Need
	Source        [3]NeedSource
	Cycle         int // 1-based index into the returned cycles if the object is on a dependency cycle, else 0
}

// ComputeNeeds applies the maximum principle to a whole dependency graph in one pass.
// It returns one result per node, in the order of nodes, and the cycles found
// (each the sorted IDs of a strongly connected component with more than one
// member), sorted by their smallest ID.
//
// Per objective, for an object x that is not on a cycle:
//   - Inherited(x) is the maximum Effective over the objects a with an edge
//     a → x; InheritedFrom names that a (ties: smallest ID), and is reported
//     whenever Inherited is known, even if x's own value wins.
//   - An override replaces the maximum principle for x (Verteilungseffekt may
//     lower, Kumulationseffekt may raise); the overridden value is what flows on.
//   - Otherwise Effective = max(Own, Inherited); the own value wins ties.
//
// The members of a cycle depend on each other, so by the maximum principle
// they all share one value: the maximum of the members' local values, where a
// member's local value is its override if set, else max(Own, what it inherits
// from outside the cycle). Consequently an override inside a cycle can raise
// the whole cycle but cannot lower a member below another member's value.
//
// Edges naming an unknown ID and self-loops are ignored; duplicate edges are
// harmless. A node ID listed more than once is merged into one object (the
// maximum of the Own and of the Override values per objective, so the result
// does not depend on the order) and every occurrence gets the same result.
// IDs should be non-zero, since 0 in InheritedFrom means "none".
func ComputeNeeds(nodes []NeedNode, edges []NeedEdge) ([]NeedResult, [][]int64) {
	// Dense indices in order of first appearance.
	index := make(map[int64]int32, len(nodes))
	ids := make([]int64, 0, len(nodes))
	own := make([][3]Need, 0, len(nodes))
	ovr := make([][3]Need, 0, len(nodes))
	for _, nd := range nodes {
		i, ok := index[nd.ID]
		if !ok {
			index[nd.ID] = int32(len(ids))
			ids = append(ids, nd.ID)
			own = append(own, nd.Own)
			ovr = append(ovr, nd.Override)
			continue
		}
		for o := range 3 {
			own[i][o] = max(own[i][o], nd.Own[o])
			ovr[i][o] = max(ovr[i][o], nd.Override[o])
		}
	}
	n := len(ids)

	// Reversed graph in compressed-row form: in[start[x]:start[x+1]] are the
	// objects that depend on x.
	type arc struct{ from, to int32 }
	arcs := make([]arc, 0, len(edges))
	start := make([]int32, n+1)
	for _, e := range edges {
		a, ok1 := index[e.From]
		b, ok2 := index[e.To]
		if !ok1 || !ok2 || a == b {
			continue
		}
		arcs = append(arcs, arc{a, b})
		start[b+1]++
	}
	for i := range n {
		start[i+1] += start[i]
	}
	in := make([]int32, len(arcs))
	fill := slices.Clone(start[:n])
	for _, e := range arcs {
		in[fill[e.to]] = e.from
		fill[e.to]++
	}

	res := make([]NeedResult, n)
	comp := make([]int32, n) // component number + 1 once emitted; 0 while open
	var cycles [][]int64     // in order of discovery; renumbered at the end
	var cycleOf []int32      // component number of each discovered cycle, parallel to cycles
	compCount := int32(0)

	// inherit sets Inherited and InheritedFrom of x from its dependents
	// outside x's own component (all of which are already final).
	inherit := func(x int32) {
		r := &res[x]
		for _, a := range in[start[x]:start[x+1]] {
			if comp[a] == comp[x] {
				continue
			}
			for o := range 3 {
				e := res[a].Effective[o]
				if e > r.Inherited[o] || (e == r.Inherited[o] && e > NeedUnknown && ids[a] < r.InheritedFrom[o]) {
					r.Inherited[o] = e
					r.InheritedFrom[o] = ids[a]
				}
			}
		}
	}

	// finish evaluates a completed component.
	finish := func(members []int32) {
		compCount++
		for _, m := range members {
			comp[m] = compCount
		}
		if len(members) == 1 {
			x := members[0]
			inherit(x)
			r := &res[x]
			for o := range 3 {
				switch {
				case ovr[x][o] > NeedUnknown:
					r.Effective[o], r.Source[o] = ovr[x][o], SourceOverride
				case own[x][o] > NeedUnknown && own[x][o] >= r.Inherited[o]:
					r.Effective[o], r.Source[o] = own[x][o], SourceOwn
				case r.Inherited[o] > NeedUnknown:
					r.Effective[o], r.Source[o] = r.Inherited[o], SourceInherited
				}
			}
			return
		}
		var value [3]Need
		var setter [3]int64
		for _, m := range members {
			inherit(m)
			for o := range 3 {
				local := ovr[m][o]
				if local == NeedUnknown {
					local = max(own[m][o], res[m].Inherited[o])
				}
				if local > value[o] || (local == value[o] && local > NeedUnknown && ids[m] < setter[o]) {
					value[o], setter[o] = local, ids[m]
				}
			}
		}
		memberIDs := make([]int64, len(members))
		for k, m := range members {
			memberIDs[k] = ids[m]
			r := &res[m]
			r.InheritedFrom = setter // per spec: the member that set the cycle's maximum
			for o := range 3 {
				r.Effective[o] = value[o]
				if value[o] > NeedUnknown {
					r.Source[o] = SourceCycle
				}
			}
		}
		slices.Sort(memberIDs)
		cycles = append(cycles, memberIDs)
		cycleOf = append(cycleOf, compCount)
	}

	// Iterative Tarjan over the reversed graph.
	order := make([]int32, n) // discovery number + 1; 0 = unvisited
	low := make([]int32, n)
	onStack := make([]bool, n)
	stack := make([]int32, 0, 64)
	type frame struct{ v, next int32 }
	calls := make([]frame, 0, 64)
	counter := int32(0)
	visit := func(v int32) {
		counter++
		order[v], low[v] = counter, counter
		stack = append(stack, v)
		onStack[v] = true
		calls = append(calls, frame{v, start[v]})
	}
	for root := range int32(n) {
		if order[root] != 0 {
			continue
		}
		visit(root)
		for len(calls) > 0 {
			f := &calls[len(calls)-1]
			v := f.v
			if f.next < start[v+1] {
				w := in[f.next]
				f.next++
				if order[w] == 0 {
					visit(w)
				} else if onStack[w] {
					low[v] = min(low[v], order[w])
				}
				continue
			}
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				u := calls[len(calls)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] == order[v] {
				k := len(stack) - 1
				for stack[k] != v {
					k--
				}
				members := stack[k:]
				for _, m := range members {
					onStack[m] = false
				}
				finish(members)
				stack = stack[:k]
			}
		}
	}

	// Number the cycles by their smallest ID.
	perm := make([]int, len(cycles))
	for i := range perm {
		perm[i] = i
	}
	slices.SortFunc(perm, func(a, b int) int { return cmp.Compare(cycles[a][0], cycles[b][0]) })
	sorted := make([][]int64, len(cycles))
	cycleNo := make(map[int32]int, len(cycles)) // component number → 1-based cycle index
	for k, p := range perm {
		sorted[k] = cycles[p]
		cycleNo[cycleOf[p]] = k + 1
	}
	if len(cycleNo) > 0 {
		for x := range res {
			res[x].Cycle = cycleNo[comp[x]]
		}
	}

	out := make([]NeedResult, len(nodes))
	for k, nd := range nodes {
		out[k] = res[index[nd.ID]]
		out[k].ID = nd.ID
	}
	return out, sorted
}
