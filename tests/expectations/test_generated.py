"""Generated reports with known truth through the real pipeline: every layout, each fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.generator import LAYOUTS, TABLE_FAULTS, Generated, corpus
from testkit.runs import query_warehouse, run_pipeline

pytestmark = pytest.mark.slow  # materializes generated corpora


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Generated], Path]:
    base = tmp_path_factory.mktemp("generated")
    inbox = base / "inbox"
    inbox.mkdir()
    reports = corpus(seed=7)
    for report in reports:
        (inbox / report.name).write_bytes(report.data)
    warehouse = base / "wh.duckdb"
    assert run_pipeline(inbox, warehouse).success
    return reports, warehouse


def _id(warehouse: Path, name: str) -> str:
    return query_warehouse(warehouse, "SELECT report_id FROM raw.reports WHERE source_path = ?", [name])[0][0]


def test_corpus_covers_every_layout_and_fault() -> None:
    reports = corpus(seed=7)
    assert {r.layout for r in reports} == set(LAYOUTS)
    assert {rule for r in reports for rule in r.expected_rules} == set(TABLE_FAULTS)


def test_every_cell_read_exactly(generated) -> None:
    reports, warehouse = generated
    for report in reports:
        rid = _id(warehouse, report.name)
        got = dict(
            query_warehouse(
                warehouse,
                "SELECT metric, value FROM metrics.report_metrics WHERE report_id = ? AND source = 'table'",
                [rid],
            )
        )
        assert got == report.truth, f"{report.name}: cells differ"


def test_layout_recorded(generated) -> None:
    reports, warehouse = generated
    for report in reports:
        layouts = {
            row[0]
            for row in query_warehouse(
                warehouse,
                "SELECT DISTINCT layout FROM segmented.tables WHERE report_id = ? AND table_code = 't3'",
                [_id(warehouse, report.name)],
            )
        }
        assert layouts == {report.layout}, report.name


def test_faults_raise_their_rule_and_clean_reports_raise_none(generated) -> None:
    reports, warehouse = generated
    for report in reports:
        rules = {
            r
            for (r,) in query_warehouse(
                warehouse, "SELECT rule FROM quality.flags WHERE report_id = ?", [_id(warehouse, report.name)]
            )
        }
        assert rules == report.expected_rules, f"{report.name}: {sorted(rules)}"


def test_metadata_of_generated(generated) -> None:
    reports, warehouse = generated
    for report in reports:
        row = query_warehouse(
            warehouse,
            "SELECT agency, report_year, province, city, county, template, doc_type "
            "FROM cleaned.reports WHERE report_id = ?",
            [_id(warehouse, report.name)],
        )[0]
        year = None if "REPORT_YEAR_MISSING" in report.expected_rules else report.report_year
        assert row == (report.agency, year, *report.region, "2021", "annual_report"), report.name
