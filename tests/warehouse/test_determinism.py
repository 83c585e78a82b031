"""Two runs on the same inbox give identical query results, whatever the batch size, the number of
worker processes, the size of GX's chunks or the order in which the files were written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from testkit.dump import dump
from testkit.generator import corpus
from testkit.runs import make_inbox, run_pipeline

pytestmark = pytest.mark.slow  # materializes one inbox several ways


def _inbox(folder: Path, reverse: bool) -> Path:
    make_inbox(folder)
    reports = corpus(seed=3)
    for report in reversed(reports) if reverse else reports:
        (folder / report.name).write_text(report.text, encoding="utf-8")
    # The same bytes under two names, created in opposite orders.
    names = ["dup_b.txt", "dup_a.txt"] if reverse else ["dup_a.txt", "dup_b.txt"]
    for name in names:
        shutil.copy(folder / "000_e7aaa9833632924a.txt", folder / name)
    return folder


def test_same_results_whatever_batch_size_workers_and_file_order(tmp_path: Path) -> None:
    first = tmp_path / "one.duckdb"
    second = tmp_path / "two.duckdb"
    assert run_pipeline(_inbox(tmp_path / "inbox1", reverse=False), first, batch_size=2000, workers=1).success
    # GX chunks of 40 rows: frames of many 3-report batches joined, re-keyed and cut mid-frame.
    parallel = run_pipeline(_inbox(tmp_path / "inbox2", reverse=True), second, batch_size=3, workers=2, rows_per_run=40)
    assert parallel.success
    # The batches really went to worker processes.
    for stage in ("cleaned_reports", "segmented_reports", "report_metrics"):
        (event,) = parallel.asset_materializations_for_node(stage)
        assert event.metadata["worker_rss_mb"].value > 0, stage
    a, b = dump(first), dump(second)
    assert a.keys() == b.keys()
    for table in a:
        assert a[table] == b[table], table
    assert len(a["raw.reports"]) == 5 + len(corpus(seed=3))
