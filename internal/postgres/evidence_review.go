package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"ismsd/internal/domain"
)

// ReviewEvidence records a reviewer's decision on the newest version of an
// evidence item still at version (its ETag): accepted (from then on
// immutable), rejected or a question (both with a comment). Nobody
// reviews their own upload, and a decided version stays decided: a
// change comes as a new version.
func (tx *Tx) ReviewEvidence(ctx context.Context, id int64, version int, in domain.ReviewInput, vis Visibility) (domain.Evidence, error) {
	if vs := in.Validate(); len(vs) > 0 {
		return domain.Evidence{}, domain.Invalid(vs...)
	}
	before, err := tx.lockEvidence(ctx, id, version, vis)
	if err != nil {
		return before, err
	}
	cur := before.Current
	switch {
	case cur.UploadedByID != nil && tx.actor.UserID != nil && *cur.UploadedByID == *tx.actor.UserID:
		return before, domain.Errorf(domain.ErrForbidden, "nobody reviews their own upload").
			De("Eigene Nachweise können Sie nicht prüfen; das übernimmt eine andere Person.")
	case cur.State == domain.ReviewAccepted || cur.State == domain.ReviewRejected:
		return before, domain.Errorf(domain.ErrConflict, "version %d is already %s", cur.Number, cur.State).
			De(fmt.Sprintf("Version %d ist bereits %s; eine Änderung kommt als neue Version.", cur.Number, cur.State.Label()))
	}
	if _, err := tx.x.ExecContext(ctx, `
		UPDATE evidence_versions SET state = $2, reviewed_by = $3, reviewed_at = now(), updated_at = now() WHERE id = $1`,
		cur.ID, string(in.Decision), tx.actor.Name); err != nil {
		return before, mapError(err)
	}
	if err := tx.addComment(ctx, id, &cur.ID, in.Decision, in.Comment); err != nil {
		return before, err
	}
	e, err := tx.touchEvidence(ctx, id)
	if err != nil {
		return e, err
	}
	return e, tx.Record("evidence.review", "evidence", id, versionAudit(cur),
		map[string]any{"number": cur.Number, "state": in.Decision, "comment": in.Comment})
}

// CommentEvidence adds a comment to an item's thread. A comment on a
// version with a question answers it: the version goes back to the
// reviewers' queue.
func (tx *Tx) CommentEvidence(ctx context.Context, id int64, in domain.CommentInput, vis Visibility) (domain.Evidence, error) {
	if vs := in.Validate(); len(vs) > 0 {
		return domain.Evidence{}, domain.Invalid(vs...)
	}
	before, err := tx.lockEvidence(ctx, id, anyVersion, vis)
	if err != nil {
		return before, err
	}
	cur := before.Current
	if cur.State == domain.ReviewNeedsInfo {
		if _, err := tx.x.ExecContext(ctx, `UPDATE evidence_versions SET state = 'submitted', updated_at = now() WHERE id = $1`, cur.ID); err != nil {
			return before, mapError(err)
		}
	}
	if err := tx.addComment(ctx, id, &cur.ID, "", in.Body); err != nil {
		return before, err
	}
	e, err := tx.touchEvidence(ctx, id)
	if err != nil {
		return e, err
	}
	return e, tx.Record("evidence.comment", "evidence", id, nil, map[string]any{"number": cur.Number, "comment": in.Body, "state": e.Current.State})
}

func (tx *Tx) addComment(ctx context.Context, evidenceID int64, versionID *int64, decision domain.ReviewState, body string) error {
	var d any
	if decision != "" {
		d = string(decision)
	}
	_, err := tx.x.ExecContext(ctx, `
		INSERT INTO evidence_comments (evidence_id, version_id, author_id, author, decision, body) VALUES ($1, $2, $3, $4, $5, $6)`,
		evidenceID, versionID, tx.actor.UserID, tx.actor.Name, d, body)
	return mapError(err)
}

// touchEvidence gives an item a new version after a change to its
// versions or thread, so a writer holding the old ETag learns of it.
func (tx *Tx) touchEvidence(ctx context.Context, id int64) (domain.Evidence, error) {
	if _, err := tx.x.ExecContext(ctx, `UPDATE evidence SET updated_at = now(), version = version + 1 WHERE id = $1`, id); err != nil {
		return domain.Evidence{}, err
	}
	return tx.evidence(ctx, id)
}

// EvidenceThread returns an item's review decisions and comments, oldest
// first. The caller has checked that the reader sees the item.
func (db *DB) EvidenceThread(ctx context.Context, evidenceID int64) ([]domain.EvidenceComment, error) {
	return db.evidenceComments(ctx, `
		SELECT c.id, c.evidence_id, c.version_id, v.number, c.author_id, c.author, c.decision, c.body, c.created_at
		FROM evidence_comments c LEFT JOIN evidence_versions v ON v.id = c.version_id
		WHERE c.evidence_id = $1 ORDER BY c.id`, evidenceID)
}

// LastComments returns the newest decision or comment of each of the
// items, in one query (a list shows the last word beside each item). The
// caller has checked that the reader sees the items.
func (db *DB) LastComments(ctx context.Context, evidenceIDs []int64) (map[int64]domain.EvidenceComment, error) {
	cs, err := db.evidenceComments(ctx, `
		SELECT DISTINCT ON (c.evidence_id) c.id, c.evidence_id, c.version_id, v.number, c.author_id, c.author, c.decision, c.body, c.created_at
		FROM evidence_comments c LEFT JOIN evidence_versions v ON v.id = c.version_id
		WHERE c.evidence_id = ANY($1) ORDER BY c.evidence_id, c.id DESC`, pq.Array(evidenceIDs))
	if err != nil {
		return nil, err
	}
	out := make(map[int64]domain.EvidenceComment, len(cs))
	for _, c := range cs {
		out[c.EvidenceID] = c
	}
	return out, nil
}

func (db *DB) evidenceComments(ctx context.Context, query string, args ...any) ([]domain.EvidenceComment, error) {
	var rows []struct {
		ID         int64     `db:"id"`
		EvidenceID int64     `db:"evidence_id"`
		VersionID  *int64    `db:"version_id"`
		Number     *int      `db:"number"`
		AuthorID   *int64    `db:"author_id"`
		Author     string    `db:"author"`
		Decision   *string   `db:"decision"`
		Body       string    `db:"body"`
		CreatedAt  time.Time `db:"created_at"`
	}
	if err := db.x.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("evidence comments: %w", err)
	}
	out := make([]domain.EvidenceComment, len(rows))
	for i, r := range rows {
		c := domain.EvidenceComment{ID: r.ID, EvidenceID: r.EvidenceID, VersionID: r.VersionID, AuthorID: r.AuthorID, Author: r.Author,
			Body: r.Body, CreatedAt: r.CreatedAt}
		if r.Number != nil {
			c.Version = *r.Number
		}
		if r.Decision != nil {
			c.Decision = domain.ReviewState(*r.Decision)
		}
		out[i] = c
	}
	return out, nil
}

// linkTargets are the kinds of records an evidence item proves.
var linkTargets = []RefKind{RefCheckEntry, RefRiskAnalysis, RefPlanItem, RefFinding}

// LinkEvidence ties an evidence item to what it proves, in the same scope
// and visible to the writer; linking twice changes nothing.
func (tx *Tx) LinkEvidence(ctx context.Context, id int64, target domain.LinkTarget, targetID int64, vis Visibility) error {
	if !target.Valid() {
		return domain.Invalid(domain.Violation{Pointer: "/target", Detail: "unknown kind of link", German: "Unbekannte Art der Verknüpfung."})
	}
	e, err := tx.lockEvidence(ctx, id, anyVersion, vis)
	if err != nil {
		return err
	}
	if err := tx.resolve(ctx, e.ScopeID, vis, Ref{Kind: RefKind(target), ID: targetID, Pointer: "/target_id"}); err != nil {
		return err
	}
	res, err := tx.x.ExecContext(ctx, `
		INSERT INTO evidence_links (evidence_id, target_type, target_id, created_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, id, string(target), targetID, tx.actor.Name)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return tx.Record("evidence.link", "evidence", id, nil, map[string]any{"target": target, "target_id": targetID})
}

// UnlinkEvidence removes a link; removing a missing one changes nothing.
// The target must be one the writer may see, as for linking.
func (tx *Tx) UnlinkEvidence(ctx context.Context, id int64, target domain.LinkTarget, targetID int64, vis Visibility) error {
	e, err := tx.lockEvidence(ctx, id, anyVersion, vis)
	if err != nil {
		return err
	}
	if !target.Valid() {
		return domain.Errorf(domain.ErrNotFound, "no such link").De("Diese Verknüpfung gibt es nicht.")
	}
	if err := tx.resolve(ctx, e.ScopeID, vis, Ref{Kind: RefKind(target), ID: targetID, Pointer: "/link_id"}); err != nil {
		return err
	}
	res, err := tx.x.ExecContext(ctx, `DELETE FROM evidence_links WHERE evidence_id = $1 AND target_type = $2 AND target_id = $3`,
		id, string(target), targetID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return tx.Record("evidence.unlink", "evidence", id, map[string]any{"target": target, "target_id": targetID}, nil)
}

// EvidenceLinks lists what an item proves, each with a label. The caller
// has checked that the reader sees the item; links to what the reader may
// not see (another department's entry) are left out.
func (db *DB) EvidenceLinks(ctx context.Context, evidenceID int64, vis Visibility) ([]domain.EvidenceLink, error) {
	var rows []struct {
		Target    string    `db:"target_type"`
		TargetID  int64     `db:"target_id"`
		Label     *string   `db:"label"`
		ObjectID  *int64    `db:"object_id"`
		CreatedBy string    `db:"created_by"`
		CreatedAt time.Time `db:"created_at"`
	}
	err := db.x.SelectContext(ctx, &rows, `
		SELECT l.target_type, l.target_id, l.created_by, l.created_at,
		  CASE l.target_type
		    WHEN 'check_entry' THEN (SELECT e.requirement_id || ' · ' || o.short_id || ' ' || o.name
		                             FROM check_entries e JOIN objects o ON o.id = e.object_id WHERE e.id = l.target_id)
		    WHEN 'risk_analysis' THEN (SELECT 'Risikoanalyse ' || o.short_id || ' ' || o.name
		                               FROM risk_analyses r JOIN objects o ON o.id = r.object_id WHERE r.id = l.target_id)
		    WHEN 'plan_item' THEN (SELECT 'Maßnahme zu ' || e.requirement_id || ' · ' || o.short_id
		                           FROM plan_items p JOIN check_entries e ON e.id = p.entry_id JOIN objects o ON o.id = e.object_id
		                           WHERE p.id = l.target_id)
		    WHEN 'finding' THEN (SELECT 'Feststellung: ' || f.title FROM findings f WHERE f.id = l.target_id)
		  END AS label,
		  CASE WHEN l.target_type = 'risk_analysis' THEN (SELECT object_id FROM risk_analyses WHERE id = l.target_id) END AS object_id
		FROM evidence_links l WHERE l.evidence_id = $1 AND (`+refScope(linkTargets, "l.target_type", "l.target_id", 2)+`) IS NOT NULL
		ORDER BY l.created_at, l.target_type, l.target_id`, evidenceID, vis.arg())
	if err != nil {
		return nil, fmt.Errorf("evidence links: %w", err)
	}
	out := make([]domain.EvidenceLink, len(rows))
	for i, r := range rows {
		out[i] = domain.EvidenceLink{EvidenceID: evidenceID, Target: domain.LinkTarget(r.Target), TargetID: r.TargetID,
			CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
		if r.Label != nil {
			out[i].Label = *r.Label
		}
		if r.ObjectID != nil {
			out[i].ObjectID = *r.ObjectID
		}
	}
	return out, nil
}
