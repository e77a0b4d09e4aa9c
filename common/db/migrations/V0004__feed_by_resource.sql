-- Retention (common/feed/retention.h) finds the newer entries of a resource:
-- feed compaction keeps only the newest entry per (resource_type,
-- resource_name) past the feed retention, and a correction removes the older
-- entries of the corrected resource in its own transaction.
ALTER TABLE change_feed ADD INDEX IF NOT EXISTS change_feed_by_resource (resource_type, resource_name, sequence);
