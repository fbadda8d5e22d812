package domain

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// inhTri is the same need for C, I and A.
func inhTri(n Need) [3]Need { return [3]Need{n, n, n} }

// inhFrom is the same InheritedFrom for C, I and A.
func inhFrom(id int64) [3]int64 { return [3]int64{id, id, id} }

// inhSrc is the same source for C, I and A.
func inhSrc(s NeedSource) [3]NeedSource { return [3]NeedSource{s, s, s} }

func inhCheck(t *testing.T, got, want []NeedResult, gotCycles, wantCycles [][]int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("result %d:\n got  %+v\n want %+v", i, got[i], want[i])
		}
	}
	if len(gotCycles) != len(wantCycles) || (len(wantCycles) > 0 && !reflect.DeepEqual(gotCycles, wantCycles)) {
		t.Errorf("cycles: got %v, want %v", gotCycles, wantCycles)
	}
}

func TestComputeNeeds(t *testing.T) {
	const (
		U = NeedUnknown
		N = NeedNormal
		H = NeedHigh
		V = NeedVeryHigh
	)
	const (
		none = SourceNone
		own  = SourceOwn
		inh  = SourceInherited
		ovr  = SourceOverride
		cyc  = SourceCycle
	)
	tests := []struct {
		name   string
		nodes  []NeedNode
		edges  []NeedEdge
		want   []NeedResult // in the order of nodes
		cycles [][]int64
	}{
		{
			name:  "chain process high → application → IT system → room",
			nodes: []NeedNode{{ID: 1, Own: inhTri(H)}, {ID: 2}, {ID: 3}, {ID: 4}},
			edges: []NeedEdge{{1, 2}, {2, 3}, {3, 4}},
			want: []NeedResult{
				{ID: 1, Effective: inhTri(H), Source: inhSrc(own)},
				{ID: 2, Inherited: inhTri(H), InheritedFrom: inhFrom(1), Effective: inhTri(H), Source: inhSrc(inh)},
				{ID: 3, Inherited: inhTri(H), InheritedFrom: inhFrom(2), Effective: inhTri(H), Source: inhSrc(inh)},
				{ID: 4, Inherited: inhTri(H), InheritedFrom: inhFrom(3), Effective: inhTri(H), Source: inhSrc(inh)},
			},
		},
		{
			name:  "diamond: the higher process is named",
			nodes: []NeedNode{{ID: 1, Own: inhTri(N)}, {ID: 2, Own: inhTri(H)}, {ID: 3}},
			edges: []NeedEdge{{1, 3}, {2, 3}},
			want: []NeedResult{
				{ID: 1, Effective: inhTri(N), Source: inhSrc(own)},
				{ID: 2, Effective: inhTri(H), Source: inhSrc(own)},
				{ID: 3, Inherited: inhTri(H), InheritedFrom: inhFrom(2), Effective: inhTri(H), Source: inhSrc(inh)},
			},
		},
		{
			name:  "diamond tie: the smaller ID is named",
			nodes: []NeedNode{{ID: 5, Own: inhTri(H)}, {ID: 2, Own: inhTri(H)}, {ID: 9}},
			edges: []NeedEdge{{5, 9}, {2, 9}},
			want: []NeedResult{
				{ID: 5, Effective: inhTri(H), Source: inhSrc(own)},
				{ID: 2, Effective: inhTri(H), Source: inhSrc(own)},
				{ID: 9, Inherited: inhTri(H), InheritedFrom: inhFrom(2), Effective: inhTri(H), Source: inhSrc(inh)},
			},
		},
		{
			name:  "own higher than inherited wins",
			nodes: []NeedNode{{ID: 1, Own: inhTri(N)}, {ID: 2, Own: inhTri(V)}},
			edges: []NeedEdge{{1, 2}},
			want: []NeedResult{
				{ID: 1, Effective: inhTri(N), Source: inhSrc(own)},
				{ID: 2, Inherited: inhTri(N), InheritedFrom: inhFrom(1), Effective: inhTri(V), Source: inhSrc(own)},
			},
		},
		{
			name:  "inherited higher than own wins",
			nodes: []NeedNode{{ID: 1, Own: inhTri(V)}, {ID: 2, Own: inhTri(N)}},
			edges: []NeedEdge{{1, 2}},
			want: []NeedResult{
				{ID: 1, Effective: inhTri(V), Source: inhSrc(own)},
				{ID: 2, Inherited: inhTri(V), InheritedFrom: inhFrom(1), Effective: inhTri(V), Source: inhSrc(inh)},
			},
		},
		{
			name:  "own equal to inherited: own wins, the inheriting source is still reported",
			nodes: []NeedNode{{ID: 1, Own: inhTri(H)}, {ID: 2, Own: inhTri(H)}},
			edges: []NeedEdge{{1, 2}},
			want: []NeedResult{
				{ID: 1, Effective: inhTri(H), Source: inhSrc(own)},
				{ID: 2, Inherited: inhTri(H), InheritedFrom: inhFrom(1), Effective: inhTri(H), Source: inhSrc(own)},
			},
		},
		{
			name:  "unknowns: isolated object has no source, only-inherited has inherited",
			nodes: []NeedNode{{ID: 7}, {ID: 1, Own: [3]Need{U, N, U}}, {ID: 2}},
			edges: []NeedEdge{{1, 2}},
			want: []NeedResult{
				{ID: 7},
				{ID: 1, Effective: [3]Need{U, N, U}, Source: [3]NeedSource{none, own, none}},
				{ID: 2, Inherited: [3]Need{U, N, U}, InheritedFrom: [3]int64{0, 1, 0}, Effective: [3]Need{U, N, U}, Source: [3]NeedSource{none, inh, none}},
			},
		},
		{
			name:  "objectives are independent: C from one parent, A from another, I own",
			nodes: []NeedNode{{ID: 1, Own: [3]Need{V, U, N}}, {ID: 2, Own: [3]Need{N, U, H}}, {ID: 3, Own: [3]Need{U, H, U}}},
			edges: []NeedEdge{{1, 3}, {2, 3}},
			want: []NeedResult{
				{ID: 1, Effective: [3]Need{V, U, N}, Source: [3]NeedSource{own, none, own}},
				{ID: 2, Effective: [3]Need{N, U, H}, Source: [3]NeedSource{own, none, own}},
				{ID: 3, Inherited: [3]Need{V, U, H}, InheritedFrom: [3]int64{1, 0, 2}, Effective: [3]Need{V, H, H}, Source: [3]NeedSource{inh, own, inh}},
			},
		},
		{
			name:  "distribution lowers availability, and the lowered value flows downstream",
			nodes: []NeedNode{{ID: 1, Own: inhTri(V)}, {ID: 2, Override: [3]Need{U, U, N}}, {ID: 3}},
			edges: []NeedEdge{{1, 2}, {2, 3}},
			want: []NeedResult{
				{ID: 1, Effective: inhTri(V), Source: inhSrc(own)},
				{ID: 2, Inherited: inhTri(V), InheritedFrom: inhFrom(1), Effective: [3]Need{V, V, N}, Source: [3]NeedSource{inh, inh, ovr}},
				{ID: 3, Inherited: [3]Need{V, V, N}, InheritedFrom: inhFrom(2), Effective: [3]Need{V, V, N}, Source: inhSrc(inh)},
			},
		},
		{
			name:  "cumulation raises availability of an IT system serving two applications",
			nodes: []NeedNode{{ID: 1, Own: inhTri(H)}, {ID: 2, Own: inhTri(H)}, {ID: 3, Override: [3]Need{U, U, V}}, {ID: 4}},
			edges: []NeedEdge{{1, 3}, {2, 3}, {3, 4}},
			want: []NeedResult{
				{ID: 1, Effective: inhTri(H), Source: inhSrc(own)},
				{ID: 2, Effective: inhTri(H), Source: inhSrc(own)},
				{ID: 3, Inherited: inhTri(H), InheritedFrom: inhFrom(1), Effective: [3]Need{H, H, V}, Source: [3]NeedSource{inh, inh, ovr}},
				{ID: 4, Inherited: [3]Need{H, H, V}, InheritedFrom: inhFrom(3), Effective: [3]Need{H, H, V}, Source: inhSrc(inh)},
			},
		},
		{
			name:  "manual override replaces own, even when equal",
			nodes: []NeedNode{{ID: 1, Own: inhTri(N), Override: [3]Need{H, N, U}}},
			want: []NeedResult{
				{ID: 1, Effective: [3]Need{H, N, N}, Source: [3]NeedSource{ovr, ovr, own}},
			},
		},
		{
			name:  "2-cycle: both get the maximum",
			nodes: []NeedNode{{ID: 1, Own: inhTri(N)}, {ID: 2, Own: inhTri(H)}},
			edges: []NeedEdge{{1, 2}, {2, 1}},
			want: []NeedResult{
				{ID: 1, InheritedFrom: inhFrom(2), Effective: inhTri(H), Source: inhSrc(cyc), Cycle: 1},
				{ID: 2, InheritedFrom: inhFrom(2), Effective: inhTri(H), Source: inhSrc(cyc), Cycle: 1},
			},
			cycles: [][]int64{{1, 2}},
		},
		{
			name: "3-cycle and 2-cycle: per-objective maximum, cycles sorted by smallest ID",
			nodes: []NeedNode{
				{ID: 10, Own: [3]Need{N, H, U}}, {ID: 11, Own: [3]Need{V, N, U}}, {ID: 12, Own: [3]Need{H, H, N}},
				{ID: 4, Own: inhTri(N)}, {ID: 3},
			},
			edges: []NeedEdge{{10, 11}, {11, 12}, {12, 10}, {4, 3}, {3, 4}},
			want: []NeedResult{
				{ID: 10, InheritedFrom: [3]int64{11, 10, 12}, Effective: [3]Need{V, H, N}, Source: inhSrc(cyc), Cycle: 2},
				{ID: 11, InheritedFrom: [3]int64{11, 10, 12}, Effective: [3]Need{V, H, N}, Source: inhSrc(cyc), Cycle: 2},
				{ID: 12, InheritedFrom: [3]int64{11, 10, 12}, Effective: [3]Need{V, H, N}, Source: inhSrc(cyc), Cycle: 2},
				{ID: 4, InheritedFrom: inhFrom(4), Effective: inhTri(N), Source: inhSrc(cyc), Cycle: 1},
				{ID: 3, InheritedFrom: inhFrom(4), Effective: inhTri(N), Source: inhSrc(cyc), Cycle: 1},
			},
			cycles: [][]int64{{3, 4}, {10, 11, 12}},
		},
		{
			name:  "cycle of unassessed objects is reported but has no source",
			nodes: []NeedNode{{ID: 20}, {ID: 21}},
			edges: []NeedEdge{{20, 21}, {21, 20}},
			want: []NeedResult{
				{ID: 20, Cycle: 1},
				{ID: 21, Cycle: 1},
			},
			cycles: [][]int64{{20, 21}},
		},
		{
			name:  "external parent feeds one member; downstream inherits the cycle value",
			nodes: []NeedNode{{ID: 1, Own: inhTri(V)}, {ID: 2, Own: inhTri(N)}, {ID: 3, Own: inhTri(N)}, {ID: 4}},
			edges: []NeedEdge{{1, 2}, {2, 3}, {3, 2}, {3, 4}, {2, 4}},
			want: []NeedResult{
				{ID: 1, Effective: inhTri(V), Source: inhSrc(own)},
				{ID: 2, Inherited: inhTri(V), InheritedFrom: inhFrom(2), Effective: inhTri(V), Source: inhSrc(cyc), Cycle: 1},
				{ID: 3, InheritedFrom: inhFrom(2), Effective: inhTri(V), Source: inhSrc(cyc), Cycle: 1},
				{ID: 4, Inherited: inhTri(V), InheritedFrom: inhFrom(2), Effective: inhTri(V), Source: inhSrc(inh)},
			},
			cycles: [][]int64{{2, 3}},
		},
		{
			name:  "override inside a cycle is that member's local value",
			nodes: []NeedNode{{ID: 5, Own: inhTri(V), Override: [3]Need{U, U, N}}, {ID: 6, Own: inhTri(H)}, {ID: 7}},
			edges: []NeedEdge{{5, 6}, {6, 5}, {5, 7}},
			want: []NeedResult{
				{ID: 5, InheritedFrom: [3]int64{5, 5, 6}, Effective: [3]Need{V, V, H}, Source: inhSrc(cyc), Cycle: 1},
				{ID: 6, InheritedFrom: [3]int64{5, 5, 6}, Effective: [3]Need{V, V, H}, Source: inhSrc(cyc), Cycle: 1},
				{ID: 7, Inherited: [3]Need{V, V, H}, InheritedFrom: inhFrom(5), Effective: [3]Need{V, V, H}, Source: inhSrc(inh)},
			},
			cycles: [][]int64{{5, 6}},
		},
		{
			name:  "override inside a cycle replaces what that member inherits from outside",
			nodes: []NeedNode{{ID: 8, Own: inhTri(V)}, {ID: 9, Override: inhTri(N)}, {ID: 10, Own: inhTri(N)}},
			edges: []NeedEdge{{8, 9}, {9, 10}, {10, 9}},
			want: []NeedResult{
				{ID: 8, Effective: inhTri(V), Source: inhSrc(own)},
				{ID: 9, Inherited: inhTri(V), InheritedFrom: inhFrom(9), Effective: inhTri(N), Source: inhSrc(cyc), Cycle: 1},
				{ID: 10, InheritedFrom: inhFrom(9), Effective: inhTri(N), Source: inhSrc(cyc), Cycle: 1},
			},
			cycles: [][]int64{{9, 10}},
		},
		{
			name:  "self-loop is ignored",
			nodes: []NeedNode{{ID: 1, Own: inhTri(H)}},
			edges: []NeedEdge{{1, 1}},
			want: []NeedResult{
				{ID: 1, Effective: inhTri(H), Source: inhSrc(own)},
			},
		},
		{
			name:  "edges to unknown IDs are ignored, duplicate edges are harmless",
			nodes: []NeedNode{{ID: 1, Own: inhTri(H)}, {ID: 2}},
			edges: []NeedEdge{{1, 99}, {98, 2}, {97, 96}, {1, 2}, {1, 2}, {2, 98}},
			want: []NeedResult{
				{ID: 1, Effective: inhTri(H), Source: inhSrc(own)},
				{ID: 2, Inherited: inhTri(H), InheritedFrom: inhFrom(1), Effective: inhTri(H), Source: inhSrc(inh)},
			},
		},
		{
			name:  "a node ID given twice is merged by maximum, each occurrence gets the result",
			nodes: []NeedNode{{ID: 1, Own: [3]Need{H, U, U}}, {ID: 2}, {ID: 1, Own: [3]Need{U, N, U}, Override: [3]Need{U, U, N}}},
			edges: []NeedEdge{{1, 2}},
			want: []NeedResult{
				{ID: 1, Effective: [3]Need{H, N, N}, Source: [3]NeedSource{own, own, ovr}},
				{ID: 2, Inherited: [3]Need{H, N, N}, InheritedFrom: inhFrom(1), Effective: [3]Need{H, N, N}, Source: inhSrc(inh)},
				{ID: 1, Effective: [3]Need{H, N, N}, Source: [3]NeedSource{own, own, ovr}},
			},
		},
		{
			name: "empty input",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, cycles := ComputeNeeds(tc.nodes, tc.edges)
			inhCheck(t, got, tc.want, cycles, tc.cycles)
		})
	}
}

// Removing a dependency must let the values fall back: nothing is cached
// between computations.
func TestComputeNeedsEdgeRemoval(t *testing.T) {
	nodes := []NeedNode{
		{ID: 1, Own: inhTri(NeedVeryHigh)},
		{ID: 2, Own: inhTri(NeedNormal)},
		{ID: 3},
		{ID: 4},
		{ID: 5, Own: inhTri(NeedHigh)},
		{ID: 6},
	}
	edges := []NeedEdge{{1, 3}, {2, 3}, {3, 4}, {5, 6}, {6, 5}}
	got, cycles := ComputeNeeds(nodes, edges)
	if got[2].Effective != inhTri(NeedVeryHigh) || got[2].InheritedFrom != inhFrom(1) ||
		got[3].Effective != inhTri(NeedVeryHigh) {
		t.Fatalf("before removal: %+v %+v", got[2], got[3])
	}
	if got[5].Effective != inhTri(NeedHigh) || got[5].Cycle != 1 || len(cycles) != 1 {
		t.Fatalf("before removal: %+v %v", got[5], cycles)
	}

	edges = []NeedEdge{{2, 3}, {3, 4}, {6, 5}} // drop 1 → 3 and 5 → 6
	got, cycles = ComputeNeeds(nodes, edges)
	want := []NeedResult{
		{ID: 1, Effective: inhTri(NeedVeryHigh), Source: inhSrc(SourceOwn)},
		{ID: 2, Effective: inhTri(NeedNormal), Source: inhSrc(SourceOwn)},
		{ID: 3, Inherited: inhTri(NeedNormal), InheritedFrom: inhFrom(2), Effective: inhTri(NeedNormal), Source: inhSrc(SourceInherited)},
		{ID: 4, Inherited: inhTri(NeedNormal), InheritedFrom: inhFrom(3), Effective: inhTri(NeedNormal), Source: inhSrc(SourceInherited)},
		{ID: 5, Effective: inhTri(NeedHigh), Source: inhSrc(SourceOwn)},
		{ID: 6},
	}
	inhCheck(t, got, want, cycles, nil)
}

// genNeedGraph builds a seeded, realistic scope: processes → applications →
// IT systems → rooms and links, with applications also depending on other
// applications, some own assessments and overrides, and a few back edges
// that close cycles.
func genNeedGraph(seed uint64, n, m int) ([]NeedNode, []NeedEdge) {
	r := rand.New(rand.NewPCG(seed, 0x15d))
	nProc, nApp, nSys := n/10, n/4, n*4/10
	nInfra := n - nProc - nApp - nSys
	layer := func(first, count int) func() int64 { return func() int64 { return int64(first + r.IntN(count) + 1) } }
	proc := layer(0, nProc)
	app := layer(nProc, nApp)
	sys := layer(nProc+nApp, nSys)
	infra := layer(nProc+nApp+nSys, nInfra)
	need := func() Need { return Need(1 + r.IntN(3)) }

	nodes := make([]NeedNode, n)
	for i := range nodes {
		nd := NeedNode{ID: int64(i + 1)}
		switch {
		case i < nProc: // processes are assessed
			nd.Own = [3]Need{need(), need(), need()}
		case r.IntN(10) < 3: // some other objects carry their own assessment
			nd.Own[r.IntN(3)] = need()
		}
		if r.IntN(50) == 0 {
			nd.Override[r.IntN(3)] = need()
		}
		nodes[i] = nd
	}

	back := max(1, n/1000) // back edges that may close cycles
	edges := make([]NeedEdge, 0, m)
	for len(edges) < m-back {
		switch k := r.IntN(100); {
		case k < 25:
			edges = append(edges, NeedEdge{proc(), app()})
		case k < 35:
			a, b := app(), app()
			if a < b { // keep application → application edges acyclic here
				edges = append(edges, NeedEdge{a, b})
			}
		case k < 70:
			edges = append(edges, NeedEdge{app(), sys()})
		default:
			edges = append(edges, NeedEdge{sys(), infra()})
		}
	}
	for k := range back { // reverse a forward edge: a 2-cycle, or with its successor a 3-cycle
		e := edges[r.IntN(m-back)]
		to := e.From
		if k%2 == 1 {
			for _, f := range edges {
				if f.From == e.To {
					e = f
					break
				}
			}
		}
		edges = append(edges, NeedEdge{e.To, to})
	}
	return nodes, edges
}

// The result must not depend on the order of nodes and edges.
func TestComputeNeedsOrderIndependence(t *testing.T) {
	nodes, edges := genNeedGraph(7, 3000, 9000)
	base, baseCycles := ComputeNeeds(nodes, edges)
	if len(baseCycles) == 0 {
		t.Fatal("generator should have produced cycles")
	}
	byID := make(map[int64]NeedResult, len(base))
	for _, r := range base {
		byID[r.ID] = r
	}
	rng := rand.New(rand.NewPCG(42, 4242))
	for round := range 5 {
		ns, es := slices.Clone(nodes), slices.Clone(edges)
		rng.Shuffle(len(ns), func(i, j int) { ns[i], ns[j] = ns[j], ns[i] })
		rng.Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
		es = append(es, es[:len(es)/10]...) // duplicates too
		got, cycles := ComputeNeeds(ns, es)
		for i, r := range got {
			if r.ID != ns[i].ID {
				t.Fatalf("round %d: result %d has ID %d, node has %d", round, i, r.ID, ns[i].ID)
			}
			if r != byID[r.ID] {
				t.Fatalf("round %d: ID %d:\n got  %+v\n want %+v", round, r.ID, r, byID[r.ID])
			}
		}
		if !reflect.DeepEqual(cycles, baseCycles) {
			t.Fatalf("round %d: cycles differ", round)
		}
	}
}

// A long chain and a long ring must neither overflow the stack nor loop.
func TestComputeNeedsLongChain(t *testing.T) {
	const n = 100_000
	nodes := make([]NeedNode, n)
	edges := make([]NeedEdge, n-1, n)
	for i := range nodes {
		nodes[i].ID = int64(i + 1)
	}
	nodes[0].Own = inhTri(NeedHigh)
	for i := range n - 1 {
		edges[i] = NeedEdge{int64(i + 1), int64(i + 2)}
	}
	got, cycles := ComputeNeeds(nodes, edges)
	last := got[n-1]
	want := NeedResult{ID: n, Inherited: inhTri(NeedHigh), InheritedFrom: inhFrom(n - 1), Effective: inhTri(NeedHigh), Source: inhSrc(SourceInherited)}
	if last != want || len(cycles) != 0 {
		t.Fatalf("chain end: got %+v, cycles %d", last, len(cycles))
	}

	edges = append(edges, NeedEdge{n, 1}) // close the ring
	got, cycles = ComputeNeeds(nodes, edges)
	if len(cycles) != 1 || len(cycles[0]) != n {
		t.Fatalf("ring: got %d cycles", len(cycles))
	}
	want = NeedResult{ID: n, InheritedFrom: inhFrom(1), Effective: inhTri(NeedHigh), Source: inhSrc(SourceCycle), Cycle: 1}
	if got[n-1] != want {
		t.Fatalf("ring end: got %+v", got[n-1])
	}
}

// naiveNeeds restates the rules without any cleverness: reachability by
// Floyd–Warshall for the cycles, then rounds of recomputation until nothing
// changes. It is the oracle for random small graphs.
func naiveNeeds(nodes []NeedNode, edges []NeedEdge) ([]NeedResult, [][]int64) {
	n := len(nodes)
	idx := map[int64]int{}
	for i, nd := range nodes {
		idx[nd.ID] = i
	}
	reach := make([][]bool, n)
	for i := range reach {
		reach[i] = make([]bool, n)
		reach[i][i] = true
	}
	parents := make([][]int, n)
	for _, e := range edges {
		a, ok1 := idx[e.From]
		b, ok2 := idx[e.To]
		if ok1 && ok2 && a != b {
			reach[a][b] = true
			parents[b] = append(parents[b], a)
		}
	}
	for k := range n {
		for i := range n {
			for j := range n {
				reach[i][j] = reach[i][j] || reach[i][k] && reach[k][j]
			}
		}
	}
	same := func(i, j int) bool { return reach[i][j] && reach[j][i] }
	var cycles [][]int64
	seen := map[int64]bool{}
	for i := range n {
		var members []int64
		for j := range n {
			if same(i, j) {
				members = append(members, nodes[j].ID)
			}
		}
		slices.Sort(members)
		if len(members) > 1 && !seen[members[0]] {
			seen[members[0]] = true
			cycles = append(cycles, members)
		}
	}
	slices.SortFunc(cycles, func(a, b []int64) int { return int(a[0] - b[0]) })
	cycleOf := func(id int64) int {
		for k, c := range cycles {
			if slices.Contains(c, id) {
				return k + 1
			}
		}
		return 0
	}

	res := make([]NeedResult, n)
	for range n + 2 {
		next := make([]NeedResult, n)
		for x := range n {
			r := &next[x]
			r.ID = nodes[x].ID
			r.Cycle = cycleOf(r.ID)
			for _, a := range parents[x] {
				if same(a, x) {
					continue
				}
				for o := range 3 {
					e := res[a].Effective[o]
					if e > r.Inherited[o] || e == r.Inherited[o] && e > 0 && nodes[a].ID < r.InheritedFrom[o] {
						r.Inherited[o], r.InheritedFrom[o] = e, nodes[a].ID
					}
				}
			}
		}
		for x := range n {
			r := &next[x]
			for o := range 3 {
				ownN, ovrN := nodes[x].Own[o], nodes[x].Override[o]
				if r.Cycle == 0 {
					switch {
					case ovrN > 0:
						r.Effective[o], r.Source[o] = ovrN, SourceOverride
					case ownN > 0 && ownN >= r.Inherited[o]:
						r.Effective[o], r.Source[o] = ownN, SourceOwn
					case r.Inherited[o] > 0:
						r.Effective[o], r.Source[o] = r.Inherited[o], SourceInherited
					}
					continue
				}
				var best Need
				var from int64
				for m := range n {
					if !same(m, x) {
						continue
					}
					local := nodes[m].Override[o]
					if local == 0 {
						local = max(nodes[m].Own[o], next[m].Inherited[o])
					}
					if local > best || local == best && local > 0 && nodes[m].ID < from {
						best, from = local, nodes[m].ID
					}
				}
				r.Effective[o], r.InheritedFrom[o] = best, from
				if best > 0 {
					r.Source[o] = SourceCycle
				}
			}
		}
		res = next
	}
	return res, cycles
}

func TestComputeNeedsMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(2002, 200))
	need := func() Need { return Need(r.IntN(4)) }
	for round := range 2000 {
		n := 1 + r.IntN(10)
		perm := r.Perm(30)
		nodes := make([]NeedNode, n)
		for i := range nodes {
			nodes[i].ID = int64(perm[i] + 1)
			nodes[i].Own = [3]Need{need(), need(), need()}
			if r.IntN(4) == 0 {
				nodes[i].Override[r.IntN(3)] = need()
			}
		}
		edges := make([]NeedEdge, r.IntN(2*n+1))
		for i := range edges {
			edges[i] = NeedEdge{int64(1 + r.IntN(32)), int64(1 + r.IntN(32))} // some unknown IDs, some self-loops
			if r.IntN(3) > 0 {
				edges[i] = NeedEdge{nodes[r.IntN(n)].ID, nodes[r.IntN(n)].ID}
			}
		}
		got, gotCycles := ComputeNeeds(nodes, edges)
		want, wantCycles := naiveNeeds(nodes, edges)
		if !reflect.DeepEqual(got, want) || fmt.Sprint(gotCycles) != fmt.Sprint(wantCycles) {
			t.Fatalf("round %d: nodes %+v edges %v\n got  %+v %v\n want %+v %v", round, nodes, edges, got, gotCycles, want, wantCycles)
		}
	}
}

func BenchmarkComputeNeeds(b *testing.B) {
	nodes, edges := genNeedGraph(1, 10_000, 30_000)
	_, cycles := ComputeNeeds(nodes, edges)
	b.ReportAllocs()
	for b.Loop() {
		ComputeNeeds(nodes, edges)
	}
	b.ReportMetric(float64(len(cycles)), "cycles")
}
