-- Lookups of audits that grow with the years: an audit's sample (its
-- unique indexes are partial, one per kind of item, and serve no query
-- over the whole sample) and what a finding points at, so that a sample
-- item linked from a finding is found without a pass over all links.
CREATE INDEX audit_samples_audit_idx ON audit_samples (audit_id, id);
CREATE INDEX finding_links_target_idx ON finding_links (target_type, target_id);
