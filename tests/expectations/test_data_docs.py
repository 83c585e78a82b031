"""GX Data Docs as a data team opens them: offline (nothing loaded from the network), a page per
validation named by the Dagster run, earlier runs kept, failing rows with their report_id, in a
folder named after the warehouse."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from expectations.data_docs import cdn_addresses
from testkit.runs import SAMPLE_IDS, SAMPLES, query_warehouse, run_pipeline

pytestmark = pytest.mark.slow  # two runs of the graph


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    base = tmp_path_factory.mktemp("data_docs")
    inbox = base / "inbox"
    inbox.mkdir()
    for key in ("000", "001", "002"):
        shutil.copy(SAMPLES / SAMPLE_IDS[key], inbox)
    warehouse = base / "out" / "team.duckdb"
    run_ids = []
    for added in ((), ("003", "004")):  # the second run judges two more reports, the work plan among them
        for key in added:
            shutil.copy(SAMPLES / SAMPLE_IDS[key], inbox)
        result = run_pipeline(inbox, warehouse)
        assert result.success
        run_ids.append(result.run_id)
    return warehouse, run_ids


def test_the_docs_stand_in_a_folder_named_after_the_warehouse(two_runs: tuple[Path, list[str]]) -> None:
    warehouse, _ = two_runs
    assert (warehouse.parent / "team.docs" / "index.html").is_file()
    assert not (warehouse.parent / "docs").exists()


def test_no_page_loads_anything_from_the_network(two_runs: tuple[Path, list[str]]) -> None:
    warehouse, _ = two_runs
    pages = list((warehouse.parent / "team.docs").rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert cdn_addresses(text) == [], page
        for local in re.findall(r"""(?:src|href)=["']([^"':]+\.(?:js|css|svg))["']""", text):
            assert (page.parent / local).is_file(), (page, local)


def test_every_run_keeps_its_pages_named_by_its_run_id(two_runs: tuple[Path, list[str]]) -> None:
    warehouse, run_ids = two_runs
    site = warehouse.parent / "team.docs"
    index = (site / "index.html").read_text(encoding="utf-8")
    for run_id in run_ids:
        assert list(site.glob(f"validations/*/*/{run_id}/*/*.html")), run_id
        assert run_id in index
    recorded = query_warehouse(warehouse, "SELECT run_id, suite, data_docs_path FROM quality.validation_runs")
    for run_id, suite, path in recorded:
        if path.endswith("index.html"):  # a suite with nothing to validate in that run
            continue
        assert Path(path).is_file() and f"/{run_id}/" in path and f"/validations/{suite}/" in path


def test_a_failing_row_shows_its_report_id(two_runs: tuple[Path, list[str]]) -> None:
    warehouse, run_ids = two_runs
    (report_id,) = query_warehouse(warehouse, "SELECT report_id FROM quality.flags WHERE rule = 'NOT_ANNUAL_REPORT'")[0]
    (page,) = query_warehouse(
        warehouse,
        "SELECT data_docs_path FROM quality.validation_runs WHERE suite = 'document' AND run_id = ?",
        [run_ids[1]],
    )[0]
    text = Path(page).read_text(encoding="utf-8")
    assert "Failed" in text and report_id in text
