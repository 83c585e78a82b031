"""Golden tests: exact values from the five real documents bundled in samples/."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

pytestmark = pytest.mark.slow  # materializes the samples

# Every cell of sample 001's tables (河东区人民政府办公室 2023, 2021 format, flattened one cell per line),
# read by hand from the source file.
T3_001 = {
    "new_received": [32, 1, 0, 0, 0, 0, 33],
    "carried_over": [0, 0, 0, 0, 0, 0, 0],
    "granted": [4, 0, 0, 0, 0, 0, 4],
    "partially_granted": [7, 0, 0, 0, 0, 0, 7],
    "unable_not_held": [14, 0, 0, 0, 0, 0, 14],
    "unable_needs_creation": [1, 0, 0, 0, 0, 0, 1],
    "other_misc": [6, 1, 0, 0, 0, 0, 7],
    "results_total": [32, 1, 0, 0, 0, 0, 33],
    "carried_forward": [0, 0, 0, 0, 0, 0, 0],
}
T3_ZERO_ROWS_001 = [
    "denied_state_secret",
    "denied_law_prohibited",
    "denied_three_safeties",
    "denied_third_party",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_enforcement_file",
    "denied_admin_query",
    "unable_unclear",
    "rejected_petition",
    "rejected_duplicate",
    "rejected_publication",
    "rejected_excessive",
    "rejected_confirmation",
    "other_no_correction",
    "other_unpaid_fee",
]
T3_COLUMNS = ["natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total"]
T2_001 = {
    "t2.regulations.issued": 0,
    "t2.regulations.repealed": 0,
    "t2.regulations.in_force": 0,
    "t2.normative_documents.issued": 0,
    "t2.normative_documents.repealed": 0,
    "t2.normative_documents.in_force": 0,
    "t2.administrative_licensing.decisions": 0,
    "t2.administrative_penalty.decisions": 0,
    "t2.administrative_coercion.decisions": 0,
    "t2.administrative_fees.amount": 0,
}
T4_001 = {
    "reconsideration": [1, 0, 0, 0, 1],
    "litigation_direct": [0, 0, 0, 0, 0],
    "litigation_after_reconsideration": [0, 0, 0, 0, 0],
}


def metrics(query, rid: str, source: str) -> dict[str, float]:
    return dict(
        query("SELECT metric, value FROM metrics.report_metrics WHERE report_id = ? AND source = ?", [rid, source])
    )


def rules_of(query, rid: str) -> set[str]:
    return {r for (r,) in query("SELECT rule FROM quality.flags WHERE report_id = ?", [rid])}


def cleaned(query, rid: str) -> dict[str, Any]:
    columns = [
        "doc_type",
        "template",
        "title",
        "agency",
        "province",
        "city",
        "county",
        "report_year",
        "publish_date",
        "publish_date_precision",
        "period_start",
        "period_end",
        "original_script",
        "fixes",
        "text",
    ]
    row = query(f"SELECT {', '.join(columns)} FROM cleaned.reports WHERE report_id = ?", [rid])[0]
    return dict(zip(columns, row, strict=True))


# ------------------------------------------------------------------------------------------- 001
def test_001_every_table_cell(query, report_id) -> None:
    got = metrics(query, report_id("001"), "table")
    expected: dict[str, float] = dict(T2_001)
    for row, values in T3_001.items():
        expected.update({f"t3.{row}.{col}": v for col, v in zip(T3_COLUMNS, values, strict=True)})
    for row in T3_ZERO_ROWS_001:
        expected.update({f"t3.{row}.{col}": 0 for col in T3_COLUMNS})
    for group, values in T4_001.items():
        expected.update(
            {
                f"t4.{group}.{col}": v
                for col, v in zip(["upheld", "corrected", "other", "pending", "total"], values, strict=True)
            }
        )
    assert len(expected) == 10 + 25 * 7 + 15
    assert got == expected


def test_001_tables_fully_read_in_flat_layout(query, report_id) -> None:
    rows = query(
        "SELECT table_code, layout, cells_expected, cells_read, cells_recovered FROM segmented.tables "
        "WHERE report_id = ? ORDER BY table_code",
        [report_id("001")],
    )
    assert rows == [("t2", "flat", 10, 10, 0), ("t3", "flat", 175, 175, 0), ("t4", "flat", 15, 15, 0)]


def test_001_metadata(query, report_id) -> None:
    meta = cleaned(query, report_id("001"))
    assert meta["agency"] == "河东区人民政府办公室"
    assert (meta["province"], meta["city"], meta["county"]) == ("山东省", "临沂市", "河东区")
    assert meta["report_year"] == 2023
    assert meta["publish_date"] == date(2024, 1, 29)
    assert meta["publish_date_precision"] == "day"
    assert meta["template"] == "2021"
    assert meta["doc_type"] == "annual_report"
    assert (meta["period_start"], meta["period_end"]) == (date(2023, 1, 1), date(2023, 12, 31))
    assert "欢迎访问" not in meta["text"] and "扫一扫" not in meta["text"] and "索 引 号" not in meta["text"]


def test_001_flags(query, report_id) -> None:
    rid = report_id("001")
    rules = rules_of(query, rid)
    assert "PLACEHOLDER_FIGURE" in rules
    assert not {r for r in rules if r.startswith(("T3_", "T4_"))}
    # 全区…行政复议4件 is the district's figure, not this office's table figure of 1.
    assert "TEXT_TABLE_MISMATCH" not in rules
    message = query("SELECT message FROM quality.flags WHERE report_id = ? AND rule = 'PLACEHOLDER_FIGURE'", [rid])
    assert "XX件" in message[0][0]


def test_001_prose_metrics(query, report_id) -> None:
    got = metrics(query, report_id("001"), "text")
    assert got["text.requests_received"] == 33
    assert got["text.requests_carried_over"] == 0
    assert got["text.online_interviews"] == 25
    assert got["text.fees_yuan"] == 0


# ------------------------------------------------------------------------------------------- 002
def test_002_traditional_pinyin_mojibake(query, report_id) -> None:
    rid = report_id("002")
    meta = cleaned(query, rid)
    assert meta["original_script"] == "traditional"
    assert "张店区发改局" in meta["text"]
    assert "(qū)" not in meta["text"] and "(fā)" not in meta["text"] and "區" not in meta["text"]
    assert meta["report_year"] == 2017
    assert meta["publish_date"] == date(2018, 3, 28)
    assert meta["agency"] == "张店区发展和改革局"
    assert (meta["province"], meta["city"], meta["county"]) == ("山东省", "淄博市", "张店区")
    assert {"opencc_t2s", "pinyin_annotations"} <= set(meta["fixes"])
    assert meta["template"] == "pre2019"
    # The GBK-damaged span cannot be repaired from these bytes: it is flagged, not hidden.
    assert "GARBLED_TEXT" in rules_of(query, rid)
    assert "PUBLISHED_BEFORE_PERIOD_END" not in rules_of(query, rid)


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        # 我局未收到市民公开申请; 全年没有发生…行政复议、行政诉讼
        ("002", {"requests_new": 0, "reconsideration_total": 0, "litigation_total": 0}),
        # 我县未发生因政府信息公开而产生的投诉举报、行政复议、行政诉讼案件
        ("003", {"reconsideration_total": 0, "litigation_total": 0}),
    ],
)
def test_zero_stated_in_words_reaches_the_overview(query, report_id, sample: str, expected: dict[str, int]) -> None:
    columns = ", ".join(expected)
    row = query(f"SELECT {columns} FROM marts.report_overview WHERE report_id = ?", [report_id(sample)])
    assert dict(zip(expected, row[0], strict=True)) == expected


# ------------------------------------------------------------------------------------------- 000
def test_000_navigation_dates_and_prose(query, report_id) -> None:
    rid = report_id("000")
    meta = cleaned(query, rid)
    assert meta["report_year"] == 2019
    assert meta["publish_date"] == date(2020, 1, 1)
    assert meta["publish_date_precision"] == "month"
    assert "web_chrome" in meta["fixes"]
    assert "领导之窗" not in meta["text"] and "□" not in meta["text"] and "水质检测信息" not in meta["text"]
    got = metrics(query, rid, "text")
    assert got["text.proactive_items"] == 4895
    assert got["text.requests_received"] == 9
    assert got["text.reconsideration_cases"] == 7
    assert got["text.litigation_cases"] == 8
    approx = query(
        "SELECT qualifier FROM metrics.report_metrics WHERE report_id = ? AND metric = 'text.policy_interpretations'",
        [rid],
    )
    assert approx == [("approx",)]  # 共发布解读127余条


def test_000_plan_year_mismatch(query, report_id) -> None:
    rid = report_id("000")
    assert "PLAN_YEAR_MISMATCH" in rules_of(query, rid)
    details = query("SELECT message FROM quality.flags WHERE report_id = ? AND rule = 'PLAN_YEAR_MISMATCH'", [rid])
    assert "2019年,开发区将" in details[0][0]
    assert "PUBLISHED_BEFORE_PERIOD_END" not in rules_of(query, rid)


# ------------------------------------------------------------------------------------------- 003
def test_003_spam(query, report_id) -> None:
    rid = report_id("003")
    meta = cleaned(query, rid)
    assert "SPAM_INJECTED" in rules_of(query, rid)
    assert meta["agency"] is None
    assert "开云" not in meta["text"] and "官网入口" not in meta["text"]
    assert "spam_masked" in meta["fixes"]
    assert meta["report_year"] == 2018
    assert metrics(query, rid, "text")["text.proactive_items"] == 1758
    # 64件,占86.5% of 74, 10件 13.5%, 110件 94% of 117, 7件 6%: all within rounding.
    shares = query("SELECT part, base, percent FROM metrics.percents WHERE report_id = ? ORDER BY start_char", [rid])
    assert shares == [(64, 74, 86.5), (10, 74, 13.5), (110, 117, 94), (7, 117, 6)]
    assert "PERCENT_MISMATCH" not in rules_of(query, rid)
    # 公共文化体育 and 福彩体彩 are government words, not spam.
    assert "公共文化体育" in meta["text"]


# ------------------------------------------------------------------------------------------- 004
def test_004_work_plan(query, report_id) -> None:
    rid = report_id("004")
    meta = cleaned(query, rid)
    assert meta["doc_type"] == "work_plan"
    assert meta["template"] is None
    rules = rules_of(query, rid)
    assert "NOT_ANNUAL_REPORT" in rules
    suites = {s for (s,) in query("SELECT suite FROM quality.flags WHERE report_id = ? AND severity = 'error'", [rid])}
    assert not suites & {"reconciliation", "years"}
    mart = query("SELECT doc_type, requests_new FROM marts.report_overview WHERE report_id = ?", [rid])
    assert mart == [("work_plan", None)]


@pytest.mark.parametrize("sample", ["000", "001", "002", "003"])
def test_samples_are_annual_reports(query, report_id, sample: str) -> None:
    assert cleaned(query, report_id(sample))["doc_type"] == "annual_report"
    assert "NOT_ANNUAL_REPORT" not in rules_of(query, report_id(sample))
