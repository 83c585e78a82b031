"""A materialization killed with SIGKILL at several points publishes nothing half-done; the re-run
leaves the warehouse equal to an uninterrupted run's and removes the dead run's staging file.

The kills are placed by what the run has logged, not by seconds since it started: a whole run of
this corpus takes 5-8 s depending on the machine, so a fixed delay may land after it has ended."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from testkit.dump import dump
from testkit.generator import corpus
from testkit.runs import MATERIALIZE_ALL_COMMAND, ROOT, make_inbox, materialize_env

pytestmark = pytest.mark.slow  # kills `dagster` processes mid-run

# Kill as soon as the run's log shows this event of this step: early in raw (after the catalog
# made the staging copy), between stages, and inside the quality stage, the last before marts.
KILL_AT: tuple[tuple[str, str], ...] = (
    ("catalog", "STEP_SUCCESS"),
    ("cleaned_reports", "STEP_START"),
    ("quality_flags", "STEP_START"),
)
MILESTONE_TIMEOUT_SECONDS = 300.0
# (milestone, killed mid-run, a staging file was left, a warehouse was published) per kill
KILLS: list[tuple[str, bool, bool, bool]] = []


def _materialize(inbox: Path, warehouse: Path, home: Path, log: Path | None = None) -> subprocess.Popen[bytes]:
    env = materialize_env(inbox, warehouse, home)
    with open(log or os.devnull, "wb") as stderr:  # the child keeps its own descriptor
        return subprocess.Popen(
            MATERIALIZE_ALL_COMMAND,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )


def _wait_for_log(run: subprocess.Popen[bytes], log: Path, step: str, event: str) -> bool:
    """Poll the run's log until Dagster has logged `event` for `step`; False if the run ended first."""
    wanted = f" - {step} - {event} - "
    deadline = time.monotonic() + MILESTONE_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if wanted in log.read_text(encoding="utf-8", errors="replace"):
            return run.poll() is None
        if run.poll() is not None:
            return False
        time.sleep(0.01)
    raise AssertionError(f"the run did not log {event} of {step} within {MILESTONE_TIMEOUT_SECONDS:.0f} s")


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


@pytest.mark.parametrize(("step", "event"), KILL_AT)
def test_killed_run_then_rerun_equals_uninterrupted(
    inbox: Path, reference, tmp_path: Path, step: str, event: str
) -> None:
    warehouse = tmp_path / "wh.duckdb"
    log = tmp_path / "run.log"
    run = _materialize(inbox, warehouse, tmp_path / "home", log)
    killed = _wait_for_log(run, log, step, event)
    if killed:
        os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=60)
    KILLS.append((f"{step} {event}", killed, bool(_staging_files(warehouse)), warehouse.exists()))
    if warehouse.exists():
        # Whatever was published is a complete run, never half of one.
        assert dump(warehouse) == reference
        duckdb.connect(str(warehouse), read_only=True).close()
    assert _materialize(inbox, warehouse, tmp_path / "home").wait(timeout=300) == 0
    assert dump(warehouse) == reference
    assert _staging_files(warehouse) == []


def test_kills_landed_mid_run() -> None:
    """The kills above must have interrupted real work, a staging copy among it; else they prove nothing."""
    assert len(KILLS) == len(KILL_AT)
    assert all(killed for _, killed, _, _ in KILLS), KILLS
    assert any(left for _, _, left, _ in KILLS), KILLS
