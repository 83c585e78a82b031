"""Running the product on an inbox, as tests and benchmarks both do: the bundled samples and bad
files an inbox is made of, the whole Dagster graph materialized in this process or as the user's
`dagster` command, and a warehouse's rows read back."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import duckdb
from dagster import DagsterInstance, materialize

from orchestration.assets import ALL_ASSETS
from orchestration.checks import ALL_CHECKS
from orchestration.resources import InboxResource, WarehouseResource

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
# The user's command: every asset and check, as a `dagster` process of its own.
MATERIALIZE_ALL_COMMAND = [
    sys.executable,
    "-m",
    "dagster",
    "asset",
    "materialize",
    "-m",
    "orchestration.definitions",
    "--select",
    "*",
]


def materialize_env(inbox: Path, warehouse: Path, dagster_home: Path) -> dict[str, str]:
    """The environment that points MATERIALIZE_ALL_COMMAND at these paths. `dagster_home` is made a
    Dagster instance of its own (an empty dagster.yaml: the defaults), so runs leave no trace
    elsewhere."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    (dagster_home / "dagster.yaml").touch()
    return {
        **os.environ,
        "NIANBAO_INBOX": str(inbox),
        "NIANBAO_WAREHOUSE": str(warehouse),
        "DAGSTER_HOME": str(dagster_home.resolve()),  # Dagster wants it absolute
    }


SAMPLE_IDS = {
    "000": "000_e7aaa9833632924a.txt",
    "001": "001_67c1420167c13949.txt",
    "002": "002_54cbd9d051963413.txt",
    "003": "003_19a69fc2833c1675.txt",
    "004": "004_f7352e12f55a90c3.txt",
}
# Bad input that must be rejected with a reason, beside the samples.
BAD_FILES: dict[str, bytes] = {
    "bad/empty.txt": b"",
    "bad/picture.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "bad/undecodable.txt": bytes([0x81, 0x30, 0xFF, 0xFE, 0x80, 0xFF]) * 200,
}


def run_pipeline(
    inbox: Path,
    warehouse: Path,
    batch_size: int = 2000,
    workers: int = 0,
    rows_per_run: int = 400_000,
    instance: DagsterInstance | None = None,
) -> Any:
    """Materialize every asset and check with the real Dagster machinery (workers 0: one per core);
    with `instance`, the run's events and logs stay readable there."""
    return materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        resources={
            "inbox": InboxResource(path=str(inbox)),
            "warehouse": WarehouseResource(
                path=str(warehouse),
                batch_size=batch_size,
                quality_batch_size=batch_size,
                quality_rows_per_run=rows_per_run,
                workers=workers,
            ),
        },
        raise_on_error=False,
        instance=instance,
    )


def query_warehouse(warehouse: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    """A query's rows from a warehouse file, opened read-only for it."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def make_inbox(folder: Path, with_bad_files: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in SAMPLE_IDS.values():
        shutil.copy(SAMPLES / name, folder / name)
    if with_bad_files:
        for relative, data in BAD_FILES.items():
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    return folder
