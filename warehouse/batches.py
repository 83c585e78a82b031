"""The batch engine: a stage's pending reports cut into batches, each read from the warehouse,
computed by a pure function of `transforms.pipeline` (in a worker process when there are several
batches: `warehouse/parallel.py`), written back, and marked in the ledger."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import duckdb
import polars as pl

from warehouse.ledger import delete_reports, mark_processed, pending, processed_before
from warehouse.parallel import map_batches
from warehouse.stage import Stage
from warehouse.stats import Progress, StageStats, no_progress
from warehouse.store import insert_frame

BATCH_SIZE = 2000  # reports per transform batch: bounds memory whatever the corpus size
# With workers, a stage cuts at least this many batches per worker (none under MIN_BATCH reports):
# with one or two large batches per worker, the last ones run while the other workers idle.
BATCHES_PER_WORKER = 4
MIN_BATCH = 250
T = TypeVar("T")


def batches(items: list[T], size: int) -> list[list[T]]:
    return [items[i : i + size] for i in range(0, len(items), max(1, size))]


def work_batch_size(items: int, batch_size: int, workers: int) -> int:
    """At most `batch_size`, small enough to keep every worker busy to the end."""
    if workers > 1:
        batch_size = min(batch_size, max(MIN_BATCH, -(-items // (workers * BATCHES_PER_WORKER))))
    return max(1, batch_size)


def work_batches(items: list[T], batch_size: int, workers: int) -> list[list[T]]:
    """`items` in batches of at most `batch_size`, small enough to keep every worker busy to the end."""
    return batches(items, work_batch_size(len(items), batch_size, workers))


@dataclass
class BatchStage:
    """A stage that re-derives its pending reports batch by batch: `read` one batch's inputs from
    the warehouse, `compute` them (a pure function of `transforms.pipeline`, run in a worker when
    there are several batches), then the stage's old rows for the batch are replaced by the
    `write` of the result and the batch is marked processed; `finish`, if any, runs once the last
    batch is written."""

    stage: Stage  # its name, upstream and version; its tables are replaced per report
    # (pending report ids, batch size) -> (the batch's report ids, its inputs), batch after batch
    read: Callable[[duckdb.DuckDBPyConnection, list[str], int], Iterator[tuple[list[str], Any]]]
    compute: Callable[[Any], Any]
    write: Callable[[duckdb.DuckDBPyConnection, list[str], Any, StageStats], None]
    finish: Callable[[duckdb.DuckDBPyConnection], None] | None = None

    def run(
        self,
        con: duckdb.DuckDBPyConnection,
        now: datetime,
        batch_size: int = BATCH_SIZE,
        workers: int = 1,
        progress: Progress = no_progress,
    ) -> StageStats:
        stats = StageStats()
        todo = pending(con, self.stage)
        before = processed_before(con, self.stage, todo)
        size = work_batch_size(len(todo), batch_size, workers)
        batch_ids: deque[list[str]] = deque()  # the ids of the batches read, in order

        def reads() -> Iterator[Any]:
            for ids, inputs in self.read(con, todo, size):
                batch_ids.append(ids)
                yield inputs

        done = 0
        for result in map_batches(self.compute, reads(), -(-len(todo) // size), workers):
            batch = batch_ids.popleft()
            stale = [report_id for report_id in batch if report_id in before]
            delete_reports(con, self.stage.tables, stale)
            self.write(con, batch, result, stats)
            mark_processed(con, self.stage, batch, now, stale)
            done += len(batch)
            progress(done, len(todo))
        if self.finish is not None:
            self.finish(con)
        stats.processed = len(todo)
        stats.counts = dict(sorted(stats.counts.items()))
        return stats


def insert_all(con: duckdb.DuckDBPyConnection, stats: StageStats, rows: list[tuple[str, pl.DataFrame]]) -> None:
    for table, frame_ in rows:
        stats.add_rows(table, insert_frame(con, table, frame_))


def per_report(frames: Iterator[pl.DataFrame]) -> Iterator[tuple[list[str], pl.DataFrame]]:
    """Batches of one row per report: their ids are the frame's."""
    for batch in frames:
        yield batch["report_id"].to_list(), batch
