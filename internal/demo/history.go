package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"ismsd/internal/domain"
	"ismsd/internal/postgres"
)

// historyDays is how many days of readiness history before today the
// demo invents: twelve weeks, so that the trend has a shape and the
// forecast its four weeks.
const historyDays = 84

// scopePace is the number of days in which the demo scope closes its
// blockers at its invented pace: about five months. departmentPace are the
// departments' (by code; the others go at the scope's); 0 is a department
// that makes no headway: its blockers even grew a little.
const scopePace = 150

var departmentPace = map[string]int{
	"TLRZ": 60, "TLRZ-NET": 45, "TLRZ-RZ": 60, "TLRZ-SEC": 75,
	"TFM": 100, "TFM-CIO": 120,
	"TIM": 200, "CERT": 160,
	"TMBJS": 0, "TMMJV": 0,
}

// historyInsert writes the INVENTED demo history: for each of the rows of
// today's real snapshot (the scope's and each department's) one row on
// each of the historyDays days before, derived from today's figures by
// scaling them backwards. Nothing in it was ever measured.
//
// The scale of a row on a past day is f = w·7 / (5·pace): w is the number
// of working days (Monday to Friday) from that day to today, so the
// figures stand still from Saturday to Monday, and a row whose pace is p
// days closes its blockers in about p days at the rate it shows. A
// deterministic jitter of up to ±7.5 % of f, changing with w, is the noise.
// A row of pace 0 gets f = -3 % · w / 60: slightly fewer items in the
// past, so its forecast is "not at the current rate".
//
// From f: the blocking items of G2 to G7 and the overdue measures are
// g + round(g·f); the open entries of each level grow by round(open·f)
// at the expense of the entries done (f > 0), or the entries shrink by it
// (f < 0, new ones came in since); fewer entries were fulfilled and fewer
// of them had evidence; G8 follows from those evidence figures as the
// snapshot computes it. The guideline, the certificate, the scope-wide
// modules, the findings and the objects stay as they are today. Every
// figure is clamped so that none is negative and no level has more entries
// done than it has; the verdict is that no gate blocks. The rows of nested
// departments are scaled each on its own, so on past days they need not
// add up as today's do.
//
// $1 scope, $2 today, $3 department ids and $4 their paces, $5 the pace of
// the others, $6 the number of days.
const historyInsert = `
	WITH days AS (
		SELECT $2::date - k AS day,
		       sum(CASE WHEN extract(isodow FROM $2::date - k) < 6 THEN 1 ELSE 0 END) OVER (ORDER BY k) AS work
		FROM generate_series(1, $6::int) AS k
	),
	today AS (
		SELECT s.*, CASE WHEN s.department_id IS NULL THEN $5::int ELSE coalesce(p.pace, $5::int) END AS pace
		FROM readiness_snapshots s
		LEFT JOIN unnest($3::bigint[], $4::int[]) AS p (id, pace) ON p.id = s.department_id
		WHERE s.scope_id = $1 AND s.day = $2::date
	),
	scaled AS (
		SELECT t.*, d.day AS past, d.work,
		       CASE WHEN t.pace > 0
		            THEN d.work * 7.0 / (5 * t.pace) * (1 + ((d.work * 37 + coalesce(t.department_id, 0) * 11) % 7 - 3) / 40.0)
		            ELSE -0.03 * d.work / 60 END AS f
		FROM today t CROSS JOIN days d
	),
	past AS (
		SELECT s.scope_id, s.department_id, s.past, s.objects,
		       greatest(0, s.basis_done - greatest(0, lb.b)) AS basis_done, s.basis_total + least(0, lb.b) AS basis_total,
		       greatest(0, s.standard_done - greatest(0, ls.b)) AS standard_done, s.standard_total + least(0, ls.b) AS standard_total,
		       greatest(0, s.elevated_done - greatest(0, le.b)) AS elevated_done, s.elevated_total + least(0, le.b) AS elevated_total,
		       s.g1, greatest(0, s.g2 + round(s.g2 * s.f)) AS g2, greatest(0, s.g3 + round(s.g3 * s.f)) AS g3,
		       greatest(0, s.g4 + round(s.g4 * s.f)) AS g4, s.g4_scope,
		       greatest(0, s.g5 + round(s.g5 * s.f)) AS g5, greatest(0, s.g6 + round(s.g6 * s.f)) AS g6,
		       greatest(0, s.g7 + round(s.g7 * s.f)) AS g7, s.g9, s.g9_scope, s.g10,
		       ev.yes AS evidence_yes, least(ev.yes, greatest(0, s.evidence_covered - round(s.evidence_covered * least(0.9, greatest(0, s.f))))::int) AS evidence_covered,
		       s.evidence_rejected, s.evidence_target,
		       greatest(0, s.overdue_measures + round(s.overdue_measures * s.f)) AS overdue_measures,
		       s.open_findings, s.open_findings_scope
		FROM scaled s
		CROSS JOIN LATERAL (SELECT round((s.basis_total - s.basis_done) * s.f)::int AS b) lb
		CROSS JOIN LATERAL (SELECT round((s.standard_total - s.standard_done) * s.f)::int AS b) ls
		CROSS JOIN LATERAL (SELECT round((s.elevated_total - s.elevated_done) * s.f)::int AS b) le
		-- The entries done since were fulfilled ones.
		CROSS JOIN LATERAL (SELECT greatest(0, s.evidence_yes - least(s.basis_done, greatest(0, lb.b)) - least(s.standard_done, greatest(0, ls.b))
		                                    - least(s.elevated_done, greatest(0, le.b)))::int AS yes) ev
	),
	figures AS (
		SELECT p.*, (CASE WHEN p.evidence_covered * 100 < p.evidence_target * p.evidence_yes
		                  THEN p.evidence_yes - p.evidence_covered ELSE 0 END + p.evidence_rejected) AS g8
		FROM past p
	)
	INSERT INTO readiness_snapshots (scope_id, department_id, day, taken_at, objects,
		basis_total, basis_done, standard_total, standard_done, elevated_total, elevated_done,
		g1, g2, g3, g4, g4_scope, g5, g6, g7, g8, g9, g9_scope, g10, ready,
		evidence_yes, evidence_covered, evidence_rejected, evidence_target, overdue_measures, open_findings, open_findings_scope)
	SELECT f.scope_id, f.department_id, f.past, f.past + time '00:15', f.objects,
	       f.basis_total, f.basis_done, f.standard_total, f.standard_done, f.elevated_total, f.elevated_done,
	       f.g1, f.g2, f.g3, f.g4, f.g4_scope, f.g5, f.g6, f.g7, f.g8, f.g9, f.g9_scope, f.g10,
	       f.g1 + f.g2 + f.g3 + f.g4 + f.g4_scope + f.g5 + f.g6 + f.g7 + f.g8 + f.g9 + f.g9_scope + f.g10 = 0,
	       f.evidence_yes, f.evidence_covered, f.evidence_rejected, f.evidence_target, f.overdue_measures, f.open_findings, f.open_findings_scope
	FROM figures f
	ON CONFLICT DO NOTHING`

// seedHistory takes today's real snapshot of the scope through the store
// and then writes the invented history before it (historyInsert) in one
// transaction. It returns how many past rows it wrote; days already
// stored are left alone.
func seedHistory(ctx context.Context, db *postgres.DB, actor domain.Actor, scopeID int64, deptIDs map[string]int64, today time.Time) (int64, error) {
	if _, err := db.TakeSnapshot(ctx, scopeID, today); err != nil {
		return 0, fmt.Errorf("today's snapshot: %w", err)
	}
	var ids []int64
	var paces []int64
	for code, pace := range departmentPace {
		if id, ok := deptIDs[code]; ok {
			ids, paces = append(ids, id), append(paces, int64(pace))
		}
	}
	n, err := postgres.InTxValue(ctx, db, actor, func(tx *postgres.Tx) (int64, error) {
		return tx.ExecSeed(ctx, historyInsert, scopeID, today.Format(time.DateOnly), pq.Array(ids), pq.Array(paces), scopePace, historyDays)
	})
	if err != nil {
		return 0, fmt.Errorf("invented history: %w", err)
	}
	return n, nil
}
