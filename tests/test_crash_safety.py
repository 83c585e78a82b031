"""A materialization killed with SIGKILL at several points publishes nothing half-done; the re-run
leaves the warehouse equal to an uninterrupted run's and removes the dead run's staging file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, make_inbox
from tests.generator import corpus
from tests.warehouse_dump import dump

KILL_AFTER_SECONDS = (2.0, 4.5, 7.0)
# (delay, killed mid-run, a staging file was left, a warehouse was published) per kill
KILLS: list[tuple[float, bool, bool, bool]] = []


def _materialize(inbox: Path, warehouse: Path, home: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NIANBAO_INBOX": str(inbox), "NIANBAO_WAREHOUSE": str(warehouse), "DAGSTER_HOME": str(home)}
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").touch()
    return subprocess.Popen(
        [sys.executable, "-m", "dagster", "asset", "materialize", "-m", "orchestration.definitions", "--select", "*"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _staging_files(warehouse: Path) -> list[Path]:
    return list(warehouse.parent.glob(f".{warehouse.name}.*.staging"))


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = make_inbox(tmp_path_factory.mktemp("crash") / "inbox")
    for report in corpus(seed=9):
        (folder / report.name).write_text(report.text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def reference(inbox: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    base = tmp_path_factory.mktemp("reference")
    warehouse = base / "wh.duckdb"
    assert _materialize(inbox, warehouse, base / "home").wait(timeout=300) == 0
    return dump(warehouse)


@pytest.mark.parametrize("delay", KILL_AFTER_SECONDS)
def test_killed_run_then_rerun_equals_uninterrupted(inbox: Path, reference, tmp_path: Path, delay: float) -> None:
    warehouse = tmp_path / "wh.duckdb"
    run = _materialize(inbox, warehouse, tmp_path / "home")
    time.sleep(delay)
    killed = run.poll() is None
    if killed:
        os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=60)
    KILLS.append((delay, killed, bool(_staging_files(warehouse)), warehouse.exists()))
    if warehouse.exists():
        # Whatever was published is a complete run, never half of one.
        assert dump(warehouse) == reference
        duckdb.connect(str(warehouse), read_only=True).close()
    assert _materialize(inbox, warehouse, tmp_path / "home").wait(timeout=300) == 0
    assert dump(warehouse) == reference
    assert _staging_files(warehouse) == []


def test_kills_landed_mid_run() -> None:
    """The kills above must have interrupted real work, a staging copy among it; else they prove nothing."""
    assert len(KILLS) == len(KILL_AFTER_SECONDS)
    assert all(killed for _, killed, _, _ in KILLS), KILLS
    assert any(left for _, _, left, _ in KILLS), KILLS
