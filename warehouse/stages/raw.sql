-- The raw stage's statements (warehouse/stages/raw.py), each opened by its name.

-- name: unrecorded_files
-- The inbox listing's files whose path, size and mtime no row records (a rejection a retry may
-- clear, in `transient`, never counts as recorded; nor does an `unsupported_type` of a format
-- that is read now, whose suffix matches the pattern given), in listing order.
SELECT l.position FROM listing AS l
ANTI JOIN raw.report_files AS f
    ON f.source_path = l.source_path AND f.byte_size = l.byte_size AND f.mtime_ns = l.mtime_ns
ANTI JOIN (
    SELECT source_path, byte_size, mtime_ns FROM raw.rejected_files
    WHERE reason NOT IN (SELECT reason FROM transient)
        AND NOT (reason = 'unsupported_type' AND regexp_matches(lower(source_path), ?))
) AS r ON r.source_path = l.source_path AND r.byte_size = l.byte_size AND r.mtime_ns = l.mtime_ns
ORDER BY l.position;

-- name: drop_superseded_rejections
-- A file read as a report now (a retry passed, or its format became readable) is rejected no more.
DELETE FROM raw.rejected_files WHERE source_path IN (SELECT source_path FROM incoming_files);

-- name: add_new_report_files
INSERT INTO raw.report_files (source_path, report_id, byte_size, seen_at, mtime_ns)
SELECT i.source_path, i.report_id, i.byte_size, i.seen_at, i.mtime_ns FROM incoming_files AS i
ANTI JOIN raw.report_files AS f ON f.source_path = i.source_path AND f.report_id = i.report_id;

-- name: add_new_rejections
INSERT INTO raw.rejected_files (source_path, byte_size, reason, detail, seen_at, content_sha256, mtime_ns)
SELECT i.source_path, i.byte_size, i.reason, i.detail, i.seen_at, i.content_sha256, i.mtime_ns
FROM incoming_rejected AS i
ANTI JOIN raw.rejected_files AS r ON r.source_path = i.source_path AND r.reason = i.reason
    AND coalesce(r.content_sha256, '') = coalesce(i.content_sha256, '');

-- name: refresh_report_file_mtimes
-- A file read again with the same outcome (touched, or recorded before mtimes were kept) gets its
-- current mtime, so the next run does not read it once more.
UPDATE raw.report_files AS f SET mtime_ns = i.mtime_ns FROM incoming_files AS i
WHERE f.source_path = i.source_path AND f.report_id = i.report_id
    AND f.mtime_ns IS DISTINCT FROM i.mtime_ns;

-- name: refresh_rejection_mtimes
UPDATE raw.rejected_files AS r SET mtime_ns = i.mtime_ns FROM incoming_rejected AS i
WHERE r.source_path = i.source_path AND r.reason = i.reason
    AND coalesce(r.content_sha256, '') = coalesce(i.content_sha256, '')
    AND r.mtime_ns IS DISTINCT FROM i.mtime_ns;

-- name: unaccounted_files
-- Inbox paths in neither raw.report_files nor raw.rejected_files.
SELECT source_path FROM inbox_paths
EXCEPT SELECT source_path FROM raw.report_files
EXCEPT SELECT source_path FROM raw.rejected_files
ORDER BY 1;
