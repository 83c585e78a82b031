-- The quality stage's reads of the warehouse (warehouse/stages/quality.py), each opened by its name.
-- `wanted_ids` is registered by the caller: the reports a change can reach.

-- name: context_reports
-- What the per-report rules and the cross-report rules read of each report in scope.
SELECT c.report_id, c.doc_type, c.template, c.report_year, c.publish_date, c.publish_date_precision,
       c.period_start, c.period_end, c.title_year, c.body_year, c.title, c.agency, c.spam_spans,
       c.garbled_spans, c.garbled_sample, c.text_sha256, r.source_path, c.spam_sample, c.spam_in_names,
       c.spam_first_char, c.garbled_first_char
FROM cleaned.reports AS c JOIN raw.reports AS r USING (report_id)
WHERE report_id IN (SELECT report_id FROM wanted_ids);

-- name: continuity_rows
-- Only the columns `frames.continuity_frame` reads: the evidence strings would be half the query.
SELECT report_id, metric, value, source FROM metrics.report_metrics
WHERE report_id IN (SELECT report_id FROM wanted_ids)
    AND source = 'table' AND metric IN (SELECT metric FROM continuity_metrics);

-- name: top_sections
-- The top-level sections a flag's `where` names (frames.with_where).
SELECT report_id, section_no, parent_no, label, heading, start_char, end_char FROM segmented.sections
WHERE parent_no IS NULL AND report_id IN (SELECT report_id FROM wanted_ids);

-- name: page_starts
-- Where each page of a PDF or DOCX starts, for a flag's `where` (frames.with_where).
SELECT report_id, page_starts FROM cleaned.reports
WHERE page_starts IS NOT NULL AND report_id IN (SELECT report_id FROM wanted_ids);

-- name: cell_positions
-- Where each table cell stands, for the place of a flagged table row or cell (frames.with_cell_span).
SELECT report_id, metric, start_char, page FROM segmented.table_cells
WHERE report_id IN (SELECT report_id FROM wanted_ids);
