-- marts.report_overview: one row per report for dashboards. Figures come from the tables where
-- the report has them, else from the prose; documents that are not annual reports keep their
-- row but no figures. The rows of the reports in the temporary table marts_scope (filled by the
-- marts stage: every report for a full build, else those whose rows changed since the last one),
-- written to the mart below.
CREATE OR REPLACE TEMPORARY VIEW overview_rows AS
WITH figures AS (
    SELECT
        report_id,
        max(value) FILTER (WHERE source = 'table' AND metric = 't3.new_received.total') AS t_new,
        max(value) FILTER (WHERE source = 'text' AND metric = 'text.requests_received') AS x_new,
        max(value) FILTER (WHERE source = 'table' AND metric = 't3.carried_over.total') AS t_carried_over,
        max(value) FILTER (WHERE source = 'text' AND metric = 'text.requests_carried_over') AS x_carried_over,
        max(value) FILTER (WHERE source = 'table' AND metric = 't3.results_total.total') AS t_concluded,
        max(value) FILTER (WHERE source = 'table' AND metric = 't3.carried_forward.total') AS t_carried_forward,
        max(value) FILTER (WHERE source = 'text' AND metric = 'text.requests_carried_forward') AS x_carried_forward,
        max(value) FILTER (WHERE source = 'table' AND metric = 't3.granted.total') AS t_granted,
        max(value) FILTER (WHERE source = 'text' AND metric = 'text.requests_granted') AS x_granted,
        max(value) FILTER (WHERE source = 'table' AND metric = 't3.partially_granted.total') AS t_partial,
        max(value) FILTER (WHERE source = 'text' AND metric = 'text.requests_partially_granted') AS x_partial,
        max(value) FILTER (WHERE source = 'table' AND metric = 't4.reconsideration.total') AS t_reconsideration,
        max(value) FILTER (WHERE source = 'text' AND metric = 'text.reconsideration_cases') AS x_reconsideration,
        max(value) FILTER (WHERE source = 'table' AND metric = 't4.litigation_direct.total') AS t_litigation_direct,
        max(value) FILTER (WHERE source = 'table'
                           AND metric = 't4.litigation_after_reconsideration.total') AS t_litigation_after,
        max(value) FILTER (WHERE source = 'text' AND metric = 'text.litigation_cases') AS x_litigation,
        max(value) FILTER (WHERE source = 'table' AND metric = 't4.reconsideration.corrected') AS t_reconsideration_corrected,
        max(value) FILTER (WHERE source = 'table' AND metric = 't4.litigation_direct.corrected') AS t_direct_corrected,
        max(value) FILTER (WHERE source = 'table'
                           AND metric = 't4.litigation_after_reconsideration.corrected') AS t_after_corrected
    FROM metrics.report_metrics
    -- Only rows some column above can take (prose figures, row totals, corrected counts): a sixth of
    -- the table, so the aggregation skips the rest (100k reports: 1.5-1.6 s -> 1.0 s, same mart).
    -- tests/test_marts.py holds every metric named above to this filter.
    WHERE report_id IN (SELECT report_id FROM marts_scope)
        AND (metric LIKE 'text.%' OR metric LIKE '%.total' OR metric LIKE '%.corrected')
    GROUP BY report_id
),
flag_counts AS (
    SELECT
        report_id,
        count(*) FILTER (WHERE severity = 'error') AS errors,
        count(*) FILTER (WHERE severity = 'warning') AS warnings,
        list(DISTINCT rule ORDER BY rule) AS rules
    FROM quality.flags
    WHERE report_id IN (SELECT report_id FROM marts_scope)
    GROUP BY report_id
)
SELECT
    c.report_id,
    r.source_path,
    c.agency,
    c.province,
    c.city,
    c.county,
    c.report_year,
    c.publish_date,
    c.doc_type,
    c.template,
    CASE WHEN c.doc_type = 'annual_report' THEN CAST(coalesce(f.t_new, f.x_new) AS BIGINT) END
        AS requests_new,
    CASE WHEN c.doc_type = 'annual_report' THEN CAST(coalesce(f.t_carried_over, f.x_carried_over) AS BIGINT) END
        AS requests_carried_over,
    CASE WHEN c.doc_type = 'annual_report' THEN CAST(f.t_concluded AS BIGINT) END AS requests_concluded,
    CASE WHEN c.doc_type = 'annual_report' THEN CAST(coalesce(f.t_carried_forward, f.x_carried_forward) AS BIGINT) END
        AS requests_carried_forward,
    CASE WHEN c.doc_type = 'annual_report' THEN CAST(coalesce(f.t_granted, f.x_granted) AS BIGINT) END AS granted,
    CASE WHEN c.doc_type = 'annual_report' THEN CAST(coalesce(f.t_partial, f.x_partial) AS BIGINT) END
        AS partially_granted,
    CASE WHEN c.doc_type = 'annual_report'
        THEN CAST(coalesce(f.t_reconsideration, f.x_reconsideration) AS BIGINT) END AS reconsideration_total,
    CASE WHEN c.doc_type = 'annual_report'
        THEN CAST(coalesce(f.t_litigation_direct + f.t_litigation_after, f.x_litigation) AS BIGINT) END
        AS litigation_total,
    CASE WHEN c.doc_type = 'annual_report' THEN CAST(f.t_reconsideration_corrected AS BIGINT) END
        AS reconsideration_corrected,
    CASE WHEN c.doc_type = 'annual_report' THEN CAST(f.t_direct_corrected + f.t_after_corrected AS BIGINT) END
        AS litigation_corrected,
    CAST(coalesce(q.errors, 0) AS BIGINT) AS errors,
    CAST(coalesce(q.warnings, 0) AS BIGINT) AS warnings,
    coalesce(q.rules, CAST([] AS VARCHAR[])) AS rules
FROM cleaned.reports AS c
JOIN raw.reports AS r USING (report_id)
LEFT JOIN figures AS f USING (report_id)
LEFT JOIN flag_counts AS q USING (report_id)
WHERE c.report_id IN (SELECT report_id FROM marts_scope);

CREATE TABLE IF NOT EXISTS marts.report_overview AS SELECT * FROM overview_rows WITH NO DATA;
DELETE FROM marts.report_overview WHERE report_id IN (SELECT report_id FROM marts_scope);
INSERT INTO marts.report_overview SELECT * FROM overview_rows ORDER BY report_id;

-- marts.agency_year: one row per agency × report year (annual reports only). Ratios are given only
-- where their base is at least getvariable('min_ratio_base') cases, with the counts behind them.
CREATE OR REPLACE TABLE marts.agency_year AS
SELECT
    agency,
    any_value(province ORDER BY report_id) AS province,
    any_value(city ORDER BY report_id) AS city,
    any_value(county ORDER BY report_id) AS county,
    report_year,
    count(*) AS reports,
    CAST(sum(requests_new) AS BIGINT) AS applications,
    CAST(sum(requests_concluded) AS BIGINT) AS concluded,
    CAST(sum(granted) AS BIGINT) AS granted,
    CAST(sum(partially_granted) AS BIGINT) AS partially_granted,
    CASE WHEN sum(requests_concluded) >= getvariable('min_ratio_base')
        THEN round(sum(granted) / sum(requests_concluded), 4) END AS granted_share,
    CASE WHEN sum(requests_concluded) >= getvariable('min_ratio_base')
        THEN round(sum(partially_granted) / sum(requests_concluded), 4) END AS partially_granted_share,
    CAST(sum(reconsideration_total) AS BIGINT) AS reconsideration_total,
    CAST(sum(reconsideration_corrected) AS BIGINT) AS reconsideration_corrected,
    CASE WHEN sum(reconsideration_total) >= getvariable('min_ratio_base')
        THEN round(sum(reconsideration_corrected) / sum(reconsideration_total), 4) END
        AS reconsideration_correction_rate,
    CAST(sum(litigation_total) AS BIGINT) AS litigation_total,
    CAST(sum(litigation_corrected) AS BIGINT) AS litigation_corrected,
    CASE WHEN sum(litigation_total) >= getvariable('min_ratio_base')
        THEN round(sum(litigation_corrected) / sum(litigation_total), 4) END AS litigation_correction_rate,
    CAST(sum(errors) AS BIGINT) AS errors,
    CAST(sum(warnings) AS BIGINT) AS warnings
FROM marts.report_overview
WHERE doc_type = 'annual_report' AND agency IS NOT NULL AND report_year IS NOT NULL
GROUP BY agency, report_year
ORDER BY agency, report_year;

-- marts.province_year: one row per province × report year (annual reports only).
CREATE OR REPLACE TABLE marts.province_year AS
SELECT
    coalesce(province, '(未知)') AS province,
    report_year,
    count(*) AS reports,
    count(DISTINCT agency) AS agencies,
    -- The reconciliation suite's rules as catalog.rules holds them (expectations/rules.py), never a list here.
    count(*) FILTER (WHERE NOT list_has_any(rules,
        (SELECT list(rule) FROM catalog.rules WHERE suite = 'reconciliation'))) AS reports_reconciling,
    CAST(sum(requests_new) AS BIGINT) AS applications,
    CAST(sum(requests_concluded) AS BIGINT) AS concluded,
    CAST(sum(granted) AS BIGINT) AS granted,
    CASE WHEN sum(requests_concluded) >= getvariable('min_ratio_base')
        THEN round(sum(granted) / sum(requests_concluded), 4) END AS granted_share,
    CAST(sum(reconsideration_total) AS BIGINT) AS reconsideration_total,
    CAST(sum(litigation_total) AS BIGINT) AS litigation_total,
    CAST(sum(errors) AS BIGINT) AS errors,
    CAST(sum(warnings) AS BIGINT) AS warnings
FROM marts.report_overview
WHERE doc_type = 'annual_report' AND report_year IS NOT NULL
GROUP BY ALL
ORDER BY province, report_year;

-- marts.flag_summary: flags per rule × report year × province.
CREATE OR REPLACE TABLE marts.flag_summary AS
SELECT
    f.rule,
    any_value(f.suite) AS suite,
    any_value(f.severity) AS severity,
    o.report_year,
    coalesce(o.province, '(未知)') AS province,
    count(*) AS flags,
    count(DISTINCT f.report_id) AS reports
FROM quality.flags AS f
JOIN marts.report_overview AS o USING (report_id)
GROUP BY f.rule, o.report_year, coalesce(o.province, '(未知)')
ORDER BY f.rule, o.report_year, province;
