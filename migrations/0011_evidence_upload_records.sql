-- The audit record of a version's upload holds the version's SHA-256 and
-- size (in "after": under "version" for the item's first upload, at the
-- top for a later version). A download compares the stored hash with it,
-- since the audit trail, anchored by signed checkpoints outside the
-- database, cannot be rewritten unnoticed. This index finds that one
-- record among all of the item's, which grow with every read and review.
CREATE INDEX audit_log_evidence_upload_idx ON audit_log (resource_id,
    (CASE action WHEN 'evidence.create' THEN after -> 'version' ->> 'number' ELSE after ->> 'number' END), seq)
    WHERE resource_type = 'evidence' AND action IN ('evidence.create', 'evidence.version');
