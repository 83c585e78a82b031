"""A run's life with the warehouse, in one place: a stage with nothing to do reads the published
warehouse and writes nothing (so a run with nothing new copies no warehouse); a stage with work
writes the run's staging copy (`WarehouseStore.write`); the last stage checks the contract on it
and publishes it, or abandons it when a check fails or a stage raises. Orchestration only says
which stage runs and whether a later one follows."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from warehouse.stats import StageStats
from warehouse.store import WarehouseStore


@dataclass
class StageRun:
    """What one stage of a run did, for the run's log and the asset's metadata."""

    stats: StageStats
    total_rows: int  # rows of the stage's main table after it ran
    preview: pl.DataFrame | None
    problems: dict[str, int] | None  # contract violations counted (None: the stage checks none)
    published: bool
    started_at: float  # seconds since the epoch
    work_seconds: float  # until the stage's connection closed (its rows written)

    @property
    def held(self) -> bool:
        """The contract held (or was not checked by this stage)."""
        return self.problems is None or not any(self.problems.values())


def run_stage(
    store: WarehouseStore,
    run_id: str,
    work: Callable[[Any], StageStats],
    total_table: str,
    is_last: Callable[[], bool],
    preview_sql: str | None = None,
    idle: Callable[[Any], StageStats | None] | None = None,
    verify: Callable[[Any, bool], dict[str, int]] | None = None,
) -> StageRun:
    """Run a stage on this run's staging copy of the warehouse. With `idle`: when no earlier stage
    of the run has written, `idle` is asked of the published warehouse what the stage would report
    with nothing to do (None: there is work); then the stage writes nothing. With `verify`: the
    warehouse's invariants, counted on the connection the stage used (recorded when it is the
    staging copy); any problem keeps the warehouse unpublished. `is_last`: whether no later stage
    runs in this run; the last one publishes."""
    started_at = time.time()
    idle_stats: StageStats | None = None
    # (Never on a first run: opening a warehouse that does not exist yet would publish an empty one.)
    if idle is not None and store.path.exists() and not store.staging_path(run_id).exists():
        with store.read() as published:
            try:
                idle_stats = idle(published)
            except duckdb.Error:  # a warehouse written by older code: the stage writes, and migrates it
                idle_stats = None
    try:
        with store.read() if idle_stats else store.write(run_id) as con:
            stats = idle_stats or work(con)
            problems = verify(con, idle_stats is None) if verify is not None else None
            total = con.execute(f"SELECT count(*) FROM {total_table}").fetchall()[0][0]
            preview = con.sql(preview_sql).pl() if preview_sql else None
    except BaseException:
        store.abandon(run_id)  # the stages after this one are skipped: nothing publishes
        raise
    # Taken once the connection has closed: a writing stage's rows are compressed and written at
    # the checkpoint the store makes then.
    work_seconds = time.time() - started_at
    outcome = StageRun(stats, int(total), preview, problems, False, started_at, work_seconds)
    if not outcome.held:
        store.abandon(run_id)  # its staging copy is removed by the next run
    elif is_last():
        outcome.published = store.publish(run_id)
    return outcome


def stop_run(store: WarehouseStore, run_id: str) -> None:
    """A failed blocking check ends the run: nothing it wrote is published, and the warehouse is
    free for other runs at once (the stages after the check are skipped)."""
    store.abandon(run_id)
