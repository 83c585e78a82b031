"""The DuckDB store, written so that readers never see a lock error or half a run.

DuckDB lets no other process open a file that a writer holds, not even read-only. So a run never
writes the published file: its first write copies the published file to a staging file of its
own, every stage of the run writes there, and the run's last stage swaps the staging file over
the published path with `os.replace` (atomic on one filesystem). A reader opening the published
path read-only sees the previous complete state until the swap and the new one after it; a
reader that already had the old file open keeps reading it. A run that dies before its last stage
publishes nothing; its staging file is removed by the next run.

One run writes a warehouse at a time. A run's first write takes the warehouse's run lock (an
`flock`, so the system releases it when the run's process ends, however it ends) and its publish
gives it back, as does its failure (`abandon`); a second run started meanwhile (the inbox sensor,
a user in the UI) waits at its first write, then copies what the first run published. Without
it, the second run took the first's staging file for a dead run's and deleted it, and the first
run's earlier stages were lost.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import IO

import duckdb
import polars as pl

STAGING_SUFFIX = ".staging"
RUN_LOCK_SUFFIX = ".run.lock"
# Lock files live in the system's temporary folder, named by the warehouse's path, not beside the
# warehouse: a lock file cannot be removed safely while another process may wait on it, so it
# stays, and a user's data folder should not fill with them.
LOCK_FOLDER = Path(tempfile.gettempdir()) / "nianbao-locks"

# The run lock each warehouse path is held under by this process: (run id, the locked file).
_run_locks: dict[Path, tuple[str, IO[str]]] = {}
_log = logging.getLogger(__name__)


def schema_sql() -> str:
    return resources.files("warehouse").joinpath("schema.sql").read_text(encoding="utf-8")


def upgrade(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a warehouse written by older code to the current schema, before `schema_sql()` runs:
    what its `IF NOT EXISTS` statements cannot do. metrics.report_metrics was a table holding a
    copy of every table cell; it is a view now, and its prose rows are metrics.text_metrics."""
    kind = con.execute(
        "SELECT table_type FROM information_schema.tables "
        "WHERE table_schema = 'metrics' AND table_name = 'report_metrics'"
    ).fetchall()
    if kind == [("BASE TABLE",)]:
        con.execute("ALTER TABLE metrics.report_metrics RENAME TO text_metrics")
        con.execute("DELETE FROM metrics.text_metrics WHERE source = 'table'")


# The storage format the warehouse is written in: DuckDB 1.4's, which every DuckDB since reads
# (DuckDB 2.0's own format fails in the 1.x clients BI tools bundle: Evidence's node driver,
# Rill, duckdb-wasm, the 1.5 CLI). Set when a file is created; DuckDB keeps a file's format.
STORAGE_VERSION = "v1.4.0"
_COMPATIBLE: dict[str, str | bool | int | float | list[str]] = {"storage_compatibility_version": STORAGE_VERSION}


def storage_version(con: duckdb.DuckDBPyConnection) -> str:
    """The storage format of the connection's database file (e.g. `v1.4.0+`, `v2.0.0+`)."""
    row = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    tags = row[0] if row else None
    return str((tags or {}).get("storage_version", ""))


def rewrite_compatible(path: Path) -> None:
    """Rewrite a warehouse file written in a newer storage format in STORAGE_VERSION's, in place
    (a warehouse from a build that wrote DuckDB 2.0's format)."""
    rewritten = path.with_name(path.name + ".compatible")
    rewritten.unlink(missing_ok=True)
    con = duckdb.connect(str(rewritten), config=_COMPATIBLE)
    try:
        con.execute("ATTACH ? AS older (READ_ONLY)", [str(path)])
        (name,) = con.execute("SELECT current_database()").fetchall()[0]
        con.execute(f'COPY FROM DATABASE older TO "{name}"')
        con.execute("DETACH older")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(rewritten, path)


# The published warehouse when NIANBAO_WAREHOUSE names none: under the project's ignored data/ folder.
DEFAULT_WAREHOUSE = Path(__file__).resolve().parent.parent / "data" / "warehouse.duckdb"


def warehouse_path() -> Path:
    """The warehouse a run, the summary and the dashboard use: NIANBAO_WAREHOUSE, else the default."""
    return Path(os.environ.get("NIANBAO_WAREHOUSE") or DEFAULT_WAREHOUSE)


class WarehouseStore:
    def __init__(
        self, path: str | os.PathLike[str], memory_limit: str = "1GB", checkpoint_threshold: str = "1GB"
    ) -> None:
        self.path = Path(path).resolve()
        # DuckDB's buffer pool keeps the pages it has read up to its limit (80 % of RAM by
        # default), so without a limit a run's memory grows with the warehouse; past it DuckDB
        # evicts pages or spills to disk.
        self.memory_limit = memory_limit
        # DuckDB checkpoints whenever its write-ahead log reaches this size (16 MB by default: after
        # nearly every batch a stage writes, each time re-compressing the tables' newest row
        # groups). A stage ends with a CHECKPOINT of its own, so a larger threshold only defers
        # the work to it (at 100k the segmented stage is 10 % faster for 0.2 GB more memory).
        self.checkpoint_threshold = checkpoint_threshold

    # ------------------------------------------------------------------ paths and locking
    def staging_path(self, run_id: str) -> Path:
        safe = "".join(ch for ch in run_id if ch.isalnum() or ch in "-_")[:64] or "run"
        return self.path.with_name(f".{self.path.name}.{safe}{STAGING_SUFFIX}")

    def lock_path(self, suffix: str) -> Path:
        """The lock file of this warehouse (`.lock`: its swaps; `.run.lock`: its runs)."""
        LOCK_FOLDER.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(str(self.path).encode()).hexdigest()[:16]
        return LOCK_FOLDER / f"{self.path.name}.{digest}{suffix}"

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path(".lock"), "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _hold_run_lock(self, run_id: str) -> None:
        """Take the warehouse's run lock for `run_id` (waiting while another run holds it)."""
        held = _run_locks.get(self.path)
        if held is not None and held[0] == run_id:
            return
        if held is not None:  # a run of this process that never published: it failed, and is over
            _run_locks.pop(self.path)[1].close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.lock_path(RUN_LOCK_SUFFIX), "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _log.warning("another run is writing %s: run %s waits for it to finish", self.path, run_id)
            fcntl.flock(handle, fcntl.LOCK_EX)
        _run_locks[self.path] = (run_id, handle)

    def _release_run_lock(self, run_id: str) -> None:
        held = _run_locks.get(self.path)
        if held is not None and held[0] == run_id:
            _run_locks.pop(self.path)[1].close()  # closing the file releases its flock

    def abandon(self, run_id: str) -> None:
        """End a run that will not publish (a stage failed): other runs need not wait for it.
        Its staging file stays until the next run removes it; a retry of the same run takes the
        lock again. Without this, a run that failed inside a long-lived process (a notebook, a
        test session) kept every other process's run waiting until that process ended."""
        self._release_run_lock(run_id)

    def stale_staging_files(self, run_id: str | None = None) -> list[Path]:
        keep = self.staging_path(run_id) if run_id else None
        pattern = f".{self.path.name}.*{STAGING_SUFFIX}"
        return sorted(p for p in self.path.parent.glob(pattern) if p != keep)

    # ------------------------------------------------------------------ writing
    @contextmanager
    def write(self, run_id: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to this run's staging copy (created on first use)."""
        self._hold_run_lock(run_id)
        with self._lock():
            staging = self.staging_path(run_id)
            if not staging.exists():
                # Any other staging file is a dead run's: a live one holds the run lock.
                for stale in self.stale_staging_files(run_id):
                    stale.unlink(missing_ok=True)
                    Path(str(stale) + ".wal").unlink(missing_ok=True)
                if self.path.exists():
                    shutil.copyfile(self.path, staging)
                    _make_compatible(staging)
            con = duckdb.connect(
                str(staging),
                config={
                    "memory_limit": self.memory_limit,
                    "checkpoint_threshold": self.checkpoint_threshold,
                    **_COMPATIBLE,
                },
            )
            try:
                upgrade(con)
                con.execute(schema_sql())
                yield con
                con.execute("CHECKPOINT")
            finally:
                con.close()

    def publish(self, run_id: str) -> bool:
        """Swap this run's staging file over the published warehouse (False if there was none), and
        end the run's hold on the warehouse: publishing is a run's last act."""
        try:
            with self._lock():
                staging = self.staging_path(run_id)
                if not staging.exists():
                    return False
                os.replace(staging, self.path)
                self._sync_folder()
                return True
        finally:
            self._release_run_lock(run_id)

    def _sync_folder(self) -> None:
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _create_empty(self) -> None:
        """An empty warehouse at the published path, for a reader that comes before any run has
        published. Not a run: it takes no run lock and leaves every staging file alone (a first
        run may be writing one), and it never replaces a warehouse published meanwhile."""
        with self._lock():
            if self.path.exists():
                return
            empty = self.path.with_name(f".{self.path.name}.empty")
            empty.unlink(missing_ok=True)
            con = duckdb.connect(str(empty), config=_COMPATIBLE)
            try:
                con.execute(schema_sql())
                con.execute("CHECKPOINT")
            finally:
                con.close()
            os.replace(empty, self.path)
            self._sync_folder()

    # ------------------------------------------------------------------ reading
    @contextmanager
    def read(self, run_id: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """Read-only: this run's staging copy while the run is under way, else the published file."""
        target = self.path
        if run_id and self.staging_path(run_id).exists():
            with self._lock():
                con = duckdb.connect(
                    str(self.staging_path(run_id)), read_only=True, config={"memory_limit": self.memory_limit}
                )
        else:
            if not self.path.exists():
                self._create_empty()
            con = duckdb.connect(str(target), read_only=True, config={"memory_limit": self.memory_limit})
        try:
            yield con
        finally:
            con.close()


def _make_compatible(path: Path) -> None:
    """A staging copy of a warehouse in a newer storage format is rewritten in STORAGE_VERSION's
    (once: the run publishes it in that format)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        current = storage_version(con)
    finally:
        con.close()
    if not current.startswith(STORAGE_VERSION):
        rewrite_compatible(path)


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> pl.DataFrame:
    """A query's result as a Polars frame (parameters, never string formatting, carry values)."""
    return con.sql(sql, params=params or None).pl()  # duckdb 2.0: execute(...).pl() is gone


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, data: pl.DataFrame) -> int:
    """Append a frame to a table by column name; returns the rows written."""
    if data.is_empty():
        return 0
    con.register("incoming_frame", data.to_arrow())
    try:
        columns = ", ".join(f'"{c}"' for c in data.columns)
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming_frame")
    finally:
        con.unregister("incoming_frame")
    return data.height
