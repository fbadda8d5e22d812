package postgres_test

import (
	"strings"
	"testing"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
	"ismsd/internal/scaletest"
)

// BenchmarkReviewQueue pages through the review queue of a scope with
// 50,000 evidence items (a third of them waiting for review, the rest
// decided, in versions) as an auditor and as a department head's
// auditor, and reports the median and 95th percentile per page.
//
//	go test ./internal/postgres -run '^$' -bench ReviewQueue -benchtime 400x
func BenchmarkReviewQueue(b *testing.B) {
	s := newStructure(b)
	owner := openSQL(b, s.ownerURL)
	for _, q := range []string{
		`INSERT INTO evidence (scope_id, department_id, title, description, created_by)
		 SELECT $1, (ARRAY[$2, $3, $4]::bigint[])[1 + g % 3], 'Nachweis ' || g, 'Beschreibung ' || g, 'isa'
		 FROM generate_series(1, 50000) g`,
		// Every item a first version; every fourth a second one.
		`INSERT INTO evidence_versions (evidence_id, number, effective_on, reference, uploaded_by, uploaded_at, state, reviewed_by, reviewed_at)
		 SELECT id, 1, DATE '2026-01-01' + (id % 300)::int, 'DOK-' || id, 'isa', now() - (id % 5000) * interval '1 minute',
		        CASE WHEN id % 4 = 0 THEN 'rejected' WHEN id % 3 = 0 THEN 'submitted' ELSE 'accepted' END, 'audra', now()
		 FROM evidence`,
		`INSERT INTO evidence_versions (evidence_id, number, effective_on, reference, uploaded_by, uploaded_at, state)
		 SELECT id, 2, DATE '2026-06-01', 'DOK-' || id || '-2', 'isa', now() - (id % 700) * interval '1 minute', 'submitted'
		 FROM evidence WHERE id % 4 = 0`,
		`UPDATE evidence ev SET current_version_id = (SELECT id FROM evidence_versions v WHERE v.evidence_id = ev.id ORDER BY number DESC LIMIT 1)`,
		`ANALYZE`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = []any{s.scope.ID, s.fin, s.tlrz, s.inn}
		}
		if _, err := owner.Exec(q, args...); err != nil {
			b.Fatal(err)
		}
	}
	views := []postgres.Visibility{postgres.Everything, {Departments: []int64{s.fin}}}
	var after int64
	scaletest.ReportPercentiles(b, func(i int) {
		page, next, err := s.db.ListEvidence(ctx, s.scope.ID, domain.EvidenceFilter{ReviewQueue: true, ReviewerID: 999999, After: after,
			Limit: 50}, views[i%2])
		if err != nil || len(page) == 0 || page[0].Current.State != domain.ReviewSubmitted {
			b.Fatalf("queue page: %d items, %v", len(page), err)
		}
		if after = next; i%20 == 19 {
			after = 0 // back to the start now and then, as readers do
		}
	})
}
