"""Shared fixtures: a warehouse materialized by the real Dagster assets from an inbox of files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from testkit.runs import SAMPLE_IDS, make_inbox, query_warehouse, run_pipeline


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("samples_run")
    inbox = make_inbox(base / "inbox")
    warehouse = base / "warehouse.duckdb"
    result = run_pipeline(inbox, warehouse)
    assert result.success, "the pipeline failed on the bundled samples"
    return warehouse


@pytest.fixture(scope="session")
def query(sample_warehouse: Path) -> Callable[..., list[tuple]]:
    def run(sql: str, params: list[object] | None = None) -> list[tuple]:
        return query_warehouse(sample_warehouse, sql, params)

    return run


@pytest.fixture(scope="session")
def report_id(query: Callable[..., list[tuple]]) -> Callable[[str], str]:
    def find(sample: str) -> str:
        rows = query("SELECT report_id FROM raw.reports WHERE source_path = ?", [SAMPLE_IDS[sample]])
        assert len(rows) == 1, f"sample {sample} not ingested"
        return rows[0][0]

    return find
