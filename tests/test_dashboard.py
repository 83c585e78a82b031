"""The dashboard in a real browser: headless Chromium opens the report page of sample 001 and finds
its table figures and its PLACEHOLDER_FIGURE flag."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.runs import ROOT
from tests.browser import INSTALL_HINT, Browser, find_chromium, free_port, wait_for_http

pytestmark = [
    pytest.mark.slow,  # serves the dashboard
    pytest.mark.skipif(find_chromium() is None, reason=INSTALL_HINT),
]


@pytest.fixture(scope="module")
def dashboard(sample_warehouse: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "NIANBAO_WAREHOUSE": str(sample_warehouse)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard/app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for_http(url + "/_stcore/health")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    opened = Browser(tmp_path / "profile")
    try:
        yield opened
    finally:
        opened.close()


def test_report_page_of_001(dashboard: str, browser: Browser, report_id, tmp_path: Path) -> None:
    rid = report_id("001")
    browser.open(f"{dashboard}/?page=report&report={rid}")
    text = browser.wait_for_text(
        "河东区人民政府办公室",
        "PLACEHOLDER_FIGURE",
        "本年新收政府信息公开申请数量",
        "本机关不掌握相关政府信息",
        "结果维持",
    )
    assert "XX件" in text  # the flag's evidence
    shot = browser.screenshot(tmp_path / "report_001.png")
    assert shot.stat().st_size > 20_000


def test_overview_and_flag_explorer(dashboard: str, browser: Browser, tmp_path: Path) -> None:
    browser.open(f"{dashboard}/?page=overview")
    browser.wait_for_text("各年度年度报告数", "勾稽一致", "申请与办理结果", "0 / 1")
    browser.screenshot(tmp_path / "overview.png")
    browser.open(f"{dashboard}/?page=flags")
    text = browser.wait_for_text("SPAM_INJECTED", "NOT_ANNUAL_REPORT", "PLAN_YEAR_MISMATCH")
    assert "5 条标记" in text
    browser.screenshot(tmp_path / "flags.png")


def test_agency_page(dashboard: str, browser: Browser, tmp_path: Path) -> None:
    browser.open(f"{dashboard}/?page=agency")
    browser.wait_for_text("逐年数字", "与上年相比", "连续性标记", "打印版")
    shot = browser.screenshot(tmp_path / "agency.png")
    assert shot.stat().st_size > 20_000
