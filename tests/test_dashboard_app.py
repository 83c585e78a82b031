"""The dashboard's logic through Streamlit's own AppTest, in this process: no browser, no server.
(`tests/test_dashboard.py` drives the served pages in Chromium where it is installed.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from testkit.runs import ROOT

pytestmark = pytest.mark.slow  # reads the samples' warehouse

APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture
def app(sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    monkeypatch.setenv("NIANBAO_WAREHOUSE", str(sample_warehouse))

    def run(**query: str) -> AppTest:
        page = AppTest.from_file(APP, default_timeout=60)
        for key, value in query.items():
            page.query_params[key] = value
        page.run()
        assert not page.exception, page.exception
        return page

    return run


def test_overview_counts_the_samples(app: Callable[..., AppTest]) -> None:
    page = app()
    assert [(m.label, m.value) for m in page.metric] == [
        ("报告 reports", "5"),
        ("年度报告 annual reports", "4"),
        # 001 carries PLACEHOLDER_FIGURE, a reconciliation-suite rule: 3 of the 4 reconcile.
        ("勾稽一致 reconciling", "3"),
        ("错误 errors", "2"),
        ("警告 warnings", "3"),
    ]


def test_report_page_shows_the_tables_and_flags_of_001(
    app: Callable[..., AppTest], report_id: Callable[[str], str]
) -> None:
    page = app(page="report", report=report_id("001"))
    subheaders = [s.value for s in page.subheader]
    assert "问题标记 Flags (1)" in subheaders
    assert {"表二 主动公开政府信息情况", "表三 收到和处理政府信息公开申请情况", "表四 行政复议、行政诉讼情况"} <= set(
        subheaders
    )
