-- The contract's invariants (warehouse/contract.py), each a count that is 0 in a sound warehouse.

-- name: raw_reports_never_cleaned
SELECT count(*) FROM (SELECT report_id FROM raw.reports EXCEPT SELECT report_id FROM cleaned.reports);

-- name: duplicate_metric_rows
SELECT count(*) FROM (
    SELECT report_id, metric, source FROM metrics.report_metrics GROUP BY ALL HAVING count(*) > 1
);

-- name: duplicate_metric_rows_since
-- The same for the reports whose metric rows were written after $since.
SELECT count(*) FROM (
    SELECT report_id, metric, source FROM metrics.report_metrics
    WHERE report_id IN (
        SELECT report_id FROM meta.processed WHERE stage IN ('segmented', 'metrics') AND processed_at > $since
    )
    GROUP BY ALL HAVING count(*) > 1
);

-- name: metric_key_hash_collisions
-- Rows of one key share a hash, so 0 here proves the key unique; otherwise (a duplicate, or a hash
-- collision) the exact grouping decides.
SELECT count(*) - count(DISTINCT hash(report_id, metric, source)) FROM metrics.report_metrics;

-- name: flags_with_unknown_rules
SELECT count(*) FROM quality.flags WHERE rule NOT IN (SELECT rule FROM catalog.rules);

-- name: reports_missing_from_the_mart
SELECT count(*) FROM (SELECT report_id FROM cleaned.reports EXCEPT SELECT report_id FROM marts.report_overview);
