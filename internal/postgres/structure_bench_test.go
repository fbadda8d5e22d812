package postgres_test

import (
	"testing"

	"ismsd/internal/postgres"
)

// bigScope fills the structure's scope with n generated objects in the
// layers of a state network (processes with own needs, applications, IT
// systems, rooms), each object below the processes depending on four of
// the layer above: 30,000 dependencies for 10,000 objects. It writes
// through the owner connection, in bulk, so the setup takes a moment only.
func bigScope(b *testing.B, s structure, n int) {
	b.Helper()
	db := openSQL(b, s.ownerURL)
	steps := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO objects (scope_id, type, short_id, name)
		  SELECT $1, (ARRAY['process','application','it_system','room'])[1 + (g * 4) / $2], 'B-' || g, 'Objekt ' || g
		  FROM generate_series(0, $2 - 1) AS g`, []any{s.scope.ID, n}},
		{`INSERT INTO object_needs (object_id, objective)
		  SELECT o.id, x FROM objects o, unnest(ARRAY['c','i','a']) AS x WHERE o.scope_id = $1 AND o.short_id LIKE 'B-%'`, []any{s.scope.ID}},
		{`UPDATE object_needs n SET own = 1 + (o.id % 3) FROM objects o
		  WHERE o.id = n.object_id AND o.scope_id = $1 AND o.type = 'process' AND o.short_id LIKE 'B-%'`, []any{s.scope.ID}},
		{`INSERT INTO object_dependencies (from_id, to_id)
		  SELECT DISTINCT a.id, b.id FROM objects b
		  JOIN LATERAL (SELECT id FROM objects a
		                WHERE a.scope_id = $1 AND a.short_id LIKE 'B-%'
		                  AND a.type = CASE b.type WHEN 'application' THEN 'process' WHEN 'it_system' THEN 'application' ELSE 'it_system' END
		                ORDER BY (a.id * 7919 + b.id * 104729) % 1009 LIMIT 4) a ON true
		  WHERE b.scope_id = $1 AND b.short_id LIKE 'B-%' AND b.type <> 'process'`, []any{s.scope.ID}},
	}
	for _, st := range steps {
		if _, err := db.Exec(st.sql, st.args...); err != nil {
			b.Fatal(err)
		}
	}
	// As autovacuum would soon after a bulk import.
	if _, err := db.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRecomputeNeeds recomputes from scratch the protection needs of
// a scope of 10,000 objects and about 30,000 dependencies.
//
//	go test ./internal/postgres -run '^$' -bench RecomputeNeeds -benchtime 5x
func BenchmarkRecomputeNeeds(b *testing.B) {
	s := newStructure(b)
	bigScope(b, s, 10000)
	owner := openSQL(b, s.ownerURL)
	var edges int
	if err := owner.QueryRow(`SELECT count(*) FROM object_dependencies`).Scan(&edges); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		// Forget the results, so every run computes and writes them all.
		if _, err := owner.Exec(`UPDATE object_needs SET inherited = 0, inherited_from = NULL, effective = 0, source = '', cycle = 0`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := s.change(b, func(tx *postgres.Tx) error { return tx.RecomputeNeeds(ctx, s.scope.ID) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(edges), "edges")
}
