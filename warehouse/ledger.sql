-- The ledger's statements (warehouse/ledger.py), each opened by its name.

-- name: newest_row_stamp
-- The newest stamp on the stages' rows: a report's latest mark, or its ingestion.
SELECT greatest((SELECT max(processed_at) FROM meta.processed), (SELECT max(ingested_at) FROM raw.reports));

-- name: latest_stamp
-- The latest time the warehouse holds: rows' stamps, the marts' build, the contract's last check.
SELECT greatest(
    (SELECT max(processed_at) FROM meta.processed), (SELECT max(ingested_at) FROM raw.reports),
    (SELECT max(built_at) FROM meta.marts_built), (SELECT max(checked_at) FROM meta.contract_checks)
);

-- name: pending_after_raw
-- Reports a stage reading raw.reports must (re)process: not handled, handled by an older version
-- of its code, or handled before the report was ingested again.
SELECT u.report_id FROM raw.reports AS u
LEFT JOIN meta.processed AS s ON s.stage = $stage AND s.report_id = u.report_id
WHERE s.report_id IS NULL OR s.version <> $version OR s.processed_at < u.ingested_at
ORDER BY u.report_id;

-- name: pending_after_stage
-- The same for a stage reading another stage's output: handled before its upstream handled the
-- report again.
SELECT u.report_id FROM meta.processed AS u
LEFT JOIN meta.processed AS s ON s.stage = $stage AND s.report_id = u.report_id
WHERE u.stage = $upstream
    AND (s.report_id IS NULL OR s.version <> $version OR s.processed_at < u.processed_at)
ORDER BY u.report_id;
