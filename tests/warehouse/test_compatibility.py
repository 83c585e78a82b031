"""A warehouse the DuckDB 1.x clients BI tools bundle can open: written in DuckDB 1.4's storage
format, checked with a DuckDB 1.x in an environment of its own (made once under data/, from the
package registry; the test is skipped, saying so, where the registry cannot be reached)."""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

import duckdb
import pytest

from testkit.runs import ROOT
from warehouse.store import STORAGE_VERSION, rewrite_compatible, storage_version

pytestmark = pytest.mark.slow  # makes an environment and reads the built warehouse

# The newest 1.x release: what Evidence's node driver, Rill and duckdb-wasm bundle.
DUCKDB_1X = "1.5.6"
CLIENT_ENV = ROOT / "data" / f"duckdb-{DUCKDB_1X}-env"


def _client_python() -> Path:
    python = CLIENT_ENV / "bin" / "python"
    if not python.exists():
        venv.create(CLIENT_ENV, with_pip=True)
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", f"duckdb=={DUCKDB_1X}"], capture_output=True, text=True
        )
        if done.returncode != 0:
            pytest.skip(f"duckdb {DUCKDB_1X} could not be installed: {done.stderr.strip()[-300:]}")
    return python


def _read_with_1x(warehouse: Path, sql: str) -> str:
    script = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(duckdb.__version__, con.execute(sys.argv[2]).fetchall())"
    )
    done = subprocess.run([str(_client_python()), "-c", script, str(warehouse), sql], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_a_built_warehouse_opens_in_duckdb_1x(sample_warehouse: Path) -> None:
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        assert storage_version(con).startswith(STORAGE_VERSION)
        expected = con.execute("SELECT count(*) FROM metrics.report_metrics").fetchall()
    finally:
        con.close()
    out = _read_with_1x(sample_warehouse, "SELECT count(*) FROM metrics.report_metrics")
    assert out == f"{DUCKDB_1X} {expected}"


def test_a_warehouse_in_the_newer_format_is_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "newer.duckdb"
    con = duckdb.connect(str(path))  # DuckDB 2.0's own format
    con.execute("CREATE SCHEMA raw; CREATE TABLE raw.t AS SELECT 'x' AS text; CREATE VIEW raw.v AS SELECT * FROM raw.t")
    con.close()
    rewrite_compatible(path)
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert storage_version(con).startswith(STORAGE_VERSION)
    finally:
        con.close()
    assert _read_with_1x(path, "SELECT * FROM raw.v") == f"{DUCKDB_1X} [('x',)]"
