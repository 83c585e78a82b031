"""`bin/materialize`'s program (`python -m orchestration.cli`) as a user meets it: the summary and
nothing else on success, one clear error on failure, the rest in the log it names, and nothing
left beside the warehouse but the warehouse and its logs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from testkit.runs import ROOT, make_inbox, materialize_env

pytestmark = pytest.mark.slow  # a `dagster` run in a process of its own

COMMAND = [sys.executable, "-m", "orchestration.cli"]


def _run(inbox: Path, warehouse: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = materialize_env(inbox, warehouse, tmp_path / "dagster_home")
    return subprocess.run(COMMAND, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_a_run_prints_the_summary_and_names_its_log(tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox", with_bad_files=False)
    warehouse = tmp_path / "out" / "warehouse.duckdb"
    done = _run(inbox, warehouse, tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"warehouse: {warehouse}"
    assert lines[-1].startswith(f"log: {warehouse.parent / 'logs'}")
    assert len(lines) < 20 and done.stderr == ""
    log = Path(lines[-1].removeprefix("log: "))
    assert "RUN_SUCCESS" in log.read_text(encoding="utf-8")
    assert sorted(p.name for p in warehouse.parent.iterdir()) == ["logs", "warehouse.docs", "warehouse.duckdb"]


def test_a_failed_run_says_why_in_one_line(tmp_path: Path) -> None:
    warehouse = tmp_path / "out" / "warehouse.duckdb"
    done = _run(tmp_path / "no_such_inbox", warehouse, tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    error, log = done.stderr.splitlines()
    missing = tmp_path / "no_such_inbox"
    assert error == f"materialize failed: raw_reports: FileNotFoundError: NIANBAO_INBOX {missing} is not a folder"
    assert "raise FileNotFoundError" in Path(log.removeprefix("log: ")).read_text(encoding="utf-8")  # the stack
