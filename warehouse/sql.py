"""SQL over the reports of a batch: polars frames registered for a query, the rows of a set of
report ids (`WANTED`), a stage's inputs exported once and read back a batch at a time, and the
named statements of a `.sql` file kept beside the module that runs them."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb
import polars as pl

from warehouse.store import frame

_STATEMENT_NAME = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)


@cache
def statements(package: str, filename: str) -> dict[str, str]:
    """The statements of `filename` in `package`, by name: each opens with a line `-- name: x`
    and runs to the next (comment lines before the first name describe the file)."""
    text = resources.files(package).joinpath(filename).read_text(encoding="utf-8")
    parts = _STATEMENT_NAME.split(text)[1:]
    return {name: body.strip() for name, body in zip(parts[::2], parts[1::2], strict=True)}


def ids_frame(ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"report_id": ids}, schema={"report_id": pl.String})


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, **views: pl.DataFrame) -> Iterator[None]:
    """Frames visible to SQL under the given names for the duration of the block."""
    for name, data in views.items():
        con.register(name, data.to_arrow())
    try:
        yield
    finally:
        for name in views:
            con.unregister(name)


def exported(con: duckdb.DuckDBPyConnection, sql: str, ids: list[str], size: int) -> Iterator[pl.DataFrame]:
    """The rows of `sql` for the reports `ids` (registered as `wanted_ids`), in frames of `size`
    rows. One scan copies them to a Parquet file of the run's own, read back a slice at a time: a
    query per batch scanned and decompressed the whole upstream table each time (at 100k, 0.6 s a
    batch), and a cursor streaming the scan held a transaction open for the whole stage, which
    kept DuckDB from checkpointing (at 100k, 0.9 GB more memory)."""
    with tempfile.TemporaryDirectory(prefix="nianbao-stage-") as folder:
        path = str(Path(folder) / "inputs.parquet").replace("'", "''")
        with registered(con, wanted_ids=ids_frame(ids)):
            con.execute(f"COPY ({sql}) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE {size})")
        rows = pl.scan_parquet(path)
        for offset in range(0, len(ids), size):
            batch = rows.slice(offset, size).collect()
            if batch.height:
                yield batch


WANTED = "WHERE report_id IN (SELECT report_id FROM wanted_ids)"  # registered by select_ids and exported


def wanted_texts(table: str) -> str:
    """`WANTED` for a table holding whole texts (a wide zstd column, which a scan decompresses
    whatever the filter keeps): the same rows, within the rowid range they span, found first from
    report_id alone, so the scan skips the row groups outside it. A run's new reports are appended
    together, so a +1 % run reads its 1,000 texts in 0.03 s instead of 0.5 s at 100k; a read of
    every report pays the range's two report_id scans (≈ 0.1 s at 100k)."""
    wanted_rows = f"FROM {table} {WANTED}"
    return f"{WANTED} AND rowid BETWEEN (SELECT min(rowid) {wanted_rows}) AND (SELECT max(rowid) {wanted_rows})"


def select_ids(con: duckdb.DuckDBPyConnection, sql: str, ids: list[str]) -> pl.DataFrame:
    with registered(con, wanted_ids=ids_frame(ids)):
        return frame(con, sql)
