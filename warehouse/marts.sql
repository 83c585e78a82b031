-- marts.report_overview: one row per report for dashboards. Figures come from the tables where
-- the report has them, else from the prose; documents that are not annual reports keep their
-- row but no figures.
CREATE OR REPLACE TABLE marts.report_overview AS
WITH figures AS (
    SELECT
        report_id,
        max(value) FILTER (WHERE source = 'table' AND metric = 't3.new_received.total') AS t_new,
        max(value) FILTER (WHERE source = 'text' AND metric = 'text.requests_received') AS x_new,
        max(value) FILTER (WHERE source = 'table' AND metric = 't3.carried_over.total') AS t_carried_over,
        max(value) FILTER (WHERE source = 'text' AND metric = 'text.requests_carried_over') AS x_carried_over,
        max(value) FILTER (WHERE source = 'table' AND metric = 't3.results_total.total') AS t_concluded,
        max(value) FILTER (WHERE source = 'table' AND metric = 't3.carried_forward.total') AS t_carried_forward,
        max(value) FILTER (WHERE source = 'table' AND metric = 't3.granted.total') AS t_granted,
        max(value) FILTER (WHERE source = 'table' AND metric = 't3.partially_granted.total') AS t_partial,
        max(value) FILTER (WHERE source = 'table' AND metric = 't4.reconsideration.total') AS t_reconsideration,
        max(value) FILTER (WHERE source = 'text' AND metric = 'text.reconsideration_cases') AS x_reconsideration,
        max(value) FILTER (WHERE source = 'table' AND metric = 't4.litigation_direct.total') AS t_litigation_direct,
        max(value) FILTER (WHERE source = 'table'
                           AND metric = 't4.litigation_after_reconsideration.total') AS t_litigation_after,
        max(value) FILTER (WHERE source = 'text' AND metric = 'text.litigation_cases') AS x_litigation
    FROM metrics.report_metrics
    GROUP BY report_id
),
flag_counts AS (
    SELECT
        report_id,
        count(*) FILTER (WHERE severity = 'error') AS errors,
        count(*) FILTER (WHERE severity = 'warning') AS warnings,
        list(DISTINCT rule ORDER BY rule) AS rules
    FROM quality.flags
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
    CASE WHEN c.doc_type = 'annual_report' THEN CAST(f.t_carried_forward AS BIGINT) END
        AS requests_carried_forward,
    CASE WHEN c.doc_type = 'annual_report' THEN CAST(f.t_granted AS BIGINT) END AS granted,
    CASE WHEN c.doc_type = 'annual_report' THEN CAST(f.t_partial AS BIGINT) END AS partially_granted,
    CASE WHEN c.doc_type = 'annual_report'
        THEN CAST(coalesce(f.t_reconsideration, f.x_reconsideration) AS BIGINT) END AS reconsideration_total,
    CASE WHEN c.doc_type = 'annual_report'
        THEN CAST(coalesce(f.t_litigation_direct + f.t_litigation_after, f.x_litigation) AS BIGINT) END
        AS litigation_total,
    CAST(coalesce(q.errors, 0) AS BIGINT) AS errors,
    CAST(coalesce(q.warnings, 0) AS BIGINT) AS warnings,
    coalesce(q.rules, CAST([] AS VARCHAR[])) AS rules
FROM cleaned.reports AS c
JOIN raw.reports AS r USING (report_id)
LEFT JOIN figures AS f USING (report_id)
LEFT JOIN flag_counts AS q USING (report_id)
ORDER BY c.report_id;
