"""The dashboard's logic through Streamlit's own AppTest, in this process: no browser, no server.
(`tests/test_dashboard.py` drives the served pages in Chromium where it is installed.)"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from testkit.runs import ROOT

pytestmark = pytest.mark.slow  # reads the samples' warehouse

APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture
def reviews_file(tmp_path: Path) -> Path:
    return tmp_path / "reviews.csv"


@pytest.fixture
def app(sample_warehouse: Path, reviews_file: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    monkeypatch.setenv("NIANBAO_WAREHOUSE", str(sample_warehouse))
    monkeypatch.setenv("NIANBAO_REVIEWS", str(reviews_file))

    # Streamlit runs the script as this process's __main__ and leaves it there: worker processes a
    # later test starts (spawned, they re-import __main__) would run the dashboard.
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])

    def run(**query: str) -> AppTest:
        page = AppTest.from_file(APP, default_timeout=60)
        for key, value in query.items():
            page.query_params[key] = value
        page.run()
        assert not page.exception, page.exception
        return page

    return run


def _metrics(page: AppTest) -> list[tuple[str, str]]:
    return [(m.label, m.value) for m in page.metric]


def test_overview_counts_the_samples(app: Callable[..., AppTest]) -> None:
    assert _metrics(app()) == [
        ("年度报告 annual reports", "4"),
        ("其他文件 other documents", "1"),  # the work plan is no report
        # Only 001's tables were read, and its PLACEHOLDER_FIGURE is a reconciliation-suite error.
        ("勾稽一致 reconciling", "0 / 1"),
        ("未处理错误 open errors", "2"),
        ("未处理警告 open warnings", "3"),
    ]


def test_filters_are_applied_in_sql(app: Callable[..., AppTest]) -> None:
    page = app()
    page.sidebar.text_input[0].set_value("没有这个机构").run()
    assert not page.exception
    assert _metrics(page)[0] == ("年度报告 annual reports", "0")
    page.sidebar.text_input[0].set_value("").run()
    severity = next(m for m in page.sidebar.multiselect if m.label.startswith("严重程度"))
    severity.set_value(["error"]).run()
    assert _metrics(page)[:2] == [("年度报告 annual reports", "2"), ("其他文件 other documents", "0")]


def test_flags_page_lists_every_flag_with_its_english_description(app: Callable[..., AppTest]) -> None:
    page = app(page="flags")
    assert "5 条标记 flags" in [c.value for c in page.caption]
    summary = page.table[0].value
    assert set(summary.index) == {
        "GARBLED_TEXT",
        "NOT_ANNUAL_REPORT",
        "PLACEHOLDER_FIGURE",
        "PLAN_YEAR_MISMATCH",
        "SPAM_INJECTED",
    }
    assert summary["description"].str.len().min() > 10
    # Each flag's message in its three parts, where first.
    listed = page.dataframe[0].value
    assert ["位置", "发现", "应当"] == [c for c in listed.columns if c in ("位置", "发现", "应当")]
    spam = listed[listed["规则"] == "SPAM_INJECTED"].iloc[0]
    assert spam["位置"] == "「一、总体公开情况」起" and spam["发现"].startswith("屏蔽了 11 处")


def test_report_page_shows_the_tables_and_flags_of_001(
    app: Callable[..., AppTest], report_id: Callable[[str], str]
) -> None:
    page = app(page="report", report=report_id("001"))
    subheaders = [s.value for s in page.subheader]
    assert "问题标记 Flags (1)" in subheaders
    assert {"表二 主动公开政府信息情况", "表三 收到和处理政府信息公开申请情况", "表四 行政复议、行政诉讼情况"} <= set(
        subheaders
    )


def test_a_review_is_written_to_the_reviews_file(
    app: Callable[..., AppTest], report_id: Callable[[str], str], reviews_file: Path
) -> None:
    page = app(page="report", report=report_id("001"))
    target = next(s for s in page.selectbox if s.label == "对象 flag or figure")
    target.set_value("PLACEHOLDER_FIGURE")
    next(r for r in page.radio if r.label == "决定 decision").set_value("dismissed")
    inputs = {t.label: t for t in page.text_input}
    inputs["备注 note"].set_value("XX is a footnote mark")
    inputs["审核人 decided by"].set_value("wang")
    next(b for b in page.button if b.label == "保存 save").click().run()
    assert not page.exception
    with open(reviews_file, encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["report_id"], row["target"], row["decision"], row["note"], row["decided_by"]) == (
        report_id("001"),
        "PLACEHOLDER_FIGURE",
        "dismissed",
        "XX is a footnote mark",
        "wang",
    )


def test_agency_page_shows_an_agency_year_by_year(app: Callable[..., AppTest]) -> None:
    page = app(page="agency")
    assert [s.value for s in page.subheader][:2] == ["逐年数字 Figures by year", "与上年相比 Change on the year before"]


def test_the_flagged_sentence_is_highlighted_in_the_text(
    app: Callable[..., AppTest], report_id: Callable[[str], str]
) -> None:
    page = app(page="report", report=report_id("001"))
    (text,) = [m.value for m in page.markdown if "<mark>" in m.value]
    assert "<mark>2023年,共收到XX件群众申请的政府信息公开申请件" in text


def test_the_masks_of_injected_spam_are_highlighted_and_the_message_says_where(
    app: Callable[..., AppTest], report_id: Callable[[str], str]
) -> None:
    page = app(page="report", report=report_id("003"))
    (text,) = [m.value for m in page.markdown if "<mark>" in m.value]
    assert text.count("<mark>〔已屏蔽〕</mark>") == 11
    flags = next(table.value for table in page.table if "说明" in table.value.columns)
    (message,) = flags["说明"].tolist()
    assert message.startswith("位置:「一、")
    assert "如「开云手机官网入口·(中国)官方网站」,其中 10 处在机关或地方名称的位置" in message
    # Beside the message, its evidence without the message's own words again.
    (evidence,) = flags["依据"].tolist()
    assert '"spam_in_names": 10' in evidence and '"expected"' not in evidence


@pytest.fixture(scope="module")
def copied_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A warehouse holding an agency's two years, the second copied from the first."""
    from testkit.generator import generate_case
    from testkit.runs import run_pipeline

    inbox = tmp_path_factory.mktemp("copied") / "inbox"
    inbox.mkdir()
    case = generate_case(3, "grid", "COPIED_FROM_PRIOR_YEAR", seed=4)
    for generated in case:
        (inbox / generated.name).write_bytes(generated.data)
    warehouse = inbox.parent / "copied.duckdb"
    assert run_pipeline(inbox, warehouse).success
    return warehouse, case[-1].agency


def test_agency_page_shows_the_sentences_repeated_from_the_year_before(
    copied_warehouse: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse, agency = copied_warehouse
    monkeypatch.setenv("NIANBAO_WAREHOUSE", str(warehouse))
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    page = AppTest.from_file(APP, default_timeout=60)
    page.query_params["page"] = "agency"
    page.query_params["agency"] = agency
    page.run()
    assert not page.exception, page.exception
    heading = next(s.value for s in page.subheader if s.value.startswith("与上年相同的句子"))
    repeated = next(frame.value for frame in page.dataframe if "句子" in frame.value.columns)
    assert heading.endswith(f"({len(repeated)})") and len(repeated) >= 8
    assert set(repeated["年度"]) == {2023}
    # Sentences as the report writes them, its figures included (the year's own numbers differ).
    assert any(sentence.startswith("2023年,") for sentence in repeated["句子"])
    assert not any("#" in sentence or "\n" in sentence for sentence in repeated["句子"])
