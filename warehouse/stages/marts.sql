-- marts.report_overview: one row per report for dashboards. Figures come from the tables where
-- the report has them, else from the prose; documents that are not annual reports keep their
-- row but no figures. The rows of the reports in the temporary table marts_scope (filled by the
-- marts stage: every report for a full build, else those whose rows changed since the last one),
-- written to the mart below.
CREATE OR REPLACE TEMPORARY VIEW overview_rows AS
-- A person's correction (source 'review') stands in for the machine's figure of the same metric.
WITH reviewed AS (
    SELECT
        report_id,
        metric,
        value,
        CASE WHEN source <> 'review' THEN source WHEN metric LIKE 'text.%' THEN 'text' ELSE 'table' END AS source,
        source = 'review' AS by_review
    FROM metrics.report_metrics
    -- Only rows some column below can take (prose figures, row totals, corrected counts): a sixth of
    -- the table, so the aggregation skips the rest (100k reports: 1.5-1.6 s -> 1.0 s, same mart).
    -- tests/test_marts.py holds every metric named below to this filter.
    WHERE report_id IN (SELECT report_id FROM marts_scope)
        AND (metric LIKE 'text.%' OR metric LIKE '%.total' OR metric LIKE '%.corrected')
),
report_metrics AS (
    SELECT * FROM reviewed
    QUALIFY row_number() OVER (PARTITION BY report_id, metric, source ORDER BY by_review DESC) = 1
),
figures AS (
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
    FROM report_metrics
    GROUP BY report_id
),
dismissed AS (
    SELECT DISTINCT report_id, target AS rule FROM review.decisions
    WHERE decision = 'dismissed' AND status = 'applied'
),
flag_counts AS (
    SELECT
        f.report_id,
        count(*) FILTER (WHERE f.severity = 'error') AS errors,
        count(*) FILTER (WHERE f.severity = 'warning') AS warnings,
        count(*) FILTER (WHERE f.severity = 'error' AND d.rule IS NULL) AS errors_open,
        count(*) FILTER (WHERE f.severity = 'warning' AND d.rule IS NULL) AS warnings_open,
        -- The reconciliation suite's errors as catalog.rules holds them, never a list here; one a
        -- person dismissed stands no more.
        count(*) FILTER (WHERE d.rule IS NULL AND f.severity = 'error' AND f.rule IN (
            SELECT rule FROM catalog.rules WHERE suite = 'reconciliation')) AS reconciliation_errors,
        list(DISTINCT f.rule ORDER BY f.rule) AS rules
    FROM quality.flags AS f
    LEFT JOIN dismissed AS d ON d.report_id = f.report_id AND d.rule = f.rule
    WHERE f.report_id IN (SELECT report_id FROM marts_scope)
    GROUP BY f.report_id
),
tables_read AS (
    SELECT DISTINCT report_id FROM segmented.tables
    WHERE report_id IN (SELECT report_id FROM marts_scope) AND cells_read > 0
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
    coalesce(q.rules, CAST([] AS VARCHAR[])) AS rules,
    CASE WHEN t.report_id IS NOT NULL THEN coalesce(q.reconciliation_errors, 0) = 0 END AS reconciles,
    CAST(coalesce(q.errors_open, 0) AS BIGINT) AS errors_open,
    CAST(coalesce(q.warnings_open, 0) AS BIGINT) AS warnings_open
FROM cleaned.reports AS c
JOIN raw.reports AS r USING (report_id)
LEFT JOIN figures AS f USING (report_id)
LEFT JOIN flag_counts AS q USING (report_id)
LEFT JOIN tables_read AS t USING (report_id)
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

-- marts.year_over_year: each agency's overview figures beside its previous year's. An agency is
-- matched across years by its region and its name without the province or city the name carries
-- in some years only (洪泽区人民政府 in 2023, 淮安市洪泽区人民政府 in 2024: the same body); of
-- several reports of one agency and year, the latest published counts.
CREATE OR REPLACE TABLE marts.year_over_year AS
WITH keyed AS (
    SELECT
        *,
        regexp_replace(
            regexp_replace(agency, '^' || coalesce(province, ''), ''), '^' || coalesce(city, ''), ''
        ) AS body
    FROM marts.report_overview
    WHERE doc_type = 'annual_report' AND agency IS NOT NULL AND report_year IS NOT NULL
),
one_a_year AS (
    SELECT * FROM keyed
    QUALIFY row_number() OVER (
        PARTITION BY province, city, county, body, report_year ORDER BY publish_date DESC NULLS LAST, report_id
    ) = 1
),
long AS (
    UNPIVOT (
        SELECT report_id, agency, province, city, county, body, report_year,
            requests_new, requests_carried_over, requests_concluded, requests_carried_forward, granted,
            partially_granted, reconsideration_total, litigation_total, reconsideration_corrected,
            litigation_corrected
        FROM one_a_year
    )
    ON requests_new, requests_carried_over, requests_concluded, requests_carried_forward, granted,
        partially_granted, reconsideration_total, litigation_total, reconsideration_corrected,
        litigation_corrected
    INTO NAME metric VALUE value
)
SELECT
    cur.agency,
    cur.province,
    cur.city,
    cur.county,
    cur.report_year,
    cur.metric,
    CAST(cur.value AS DOUBLE) AS value,
    CAST(prev.value AS DOUBLE) AS previous_value,
    CAST(cur.value - prev.value AS DOUBLE) AS change,
    CASE WHEN prev.value <> 0 THEN round((cur.value - prev.value) / prev.value, 4) END AS change_ratio,
    cur.report_id,
    prev.report_id AS previous_report_id
FROM long AS cur
LEFT JOIN long AS prev
    ON prev.body = cur.body AND prev.metric = cur.metric AND prev.report_year = cur.report_year - 1
    AND prev.province IS NOT DISTINCT FROM cur.province AND prev.city IS NOT DISTINCT FROM cur.city
    AND prev.county IS NOT DISTINCT FROM cur.county
ORDER BY cur.province, cur.city, cur.county, cur.agency, cur.metric, cur.report_year;
