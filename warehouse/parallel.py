"""Batches computed in worker processes while the warehouse process reads and writes.

The transforms are pure functions of a batch's frames, so a stage with several batches hands them
to a pool of processes (one per core by default) and writes each result, in batch order, as it
comes back; at most `workers + 1` batches are in memory at once. One batch, or `workers <= 1`, runs
in this process: small runs (the samples, the tests) never start a pool.

Workers are started with `spawn`: Polars' thread pool does not survive `fork`. The pool lives for
the process (a Dagster run process or the benchmark), so the stages of a run share it, and is
released at exit or before a stage that computes in its own process (quality: GX).
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import polars as pl

In = TypeVar("In")
Out = TypeVar("Out")

_pools: dict[int, ProcessPoolExecutor] = {}


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _pool(workers: int) -> ProcessPoolExecutor:
    if workers not in _pools:
        _pools[workers] = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    return _pools[workers]


@atexit.register
def release() -> None:
    """Stop the workers (and free what they hold): at exit, and before a stage that needs none."""
    for pool in _pools.values():
        pool.shutdown(wait=False, cancel_futures=True)
    _pools.clear()


def map_batches(function: Callable[[In], Out], batches: Iterable[In], count: int, workers: int) -> Iterator[Out]:
    """`function` over `batches` (there are `count` of them), results in order. `function` must be
    a module-level function (it is pickled by name for the workers)."""
    if workers <= 1 or count <= 1:
        yield from map(function, batches)
        return
    pool = _pool(workers)
    in_flight: deque[Future[Out]] = deque()
    for batch in batches:
        in_flight.append(pool.submit(function, batch))
        if len(in_flight) > workers:
            yield in_flight.popleft().result()
    while in_flight:
        yield in_flight.popleft().result()


@dataclass
class Packed:
    """A frame whose repetitive string columns are replaced by codes into their distinct values,
    for sending between processes: a batch's table cells repeat each report id, metric code and
    evidence line many times, and pickled as strings they were 74 MB per 2,000 reports (pickling,
    piping and unpickling them was a third of the run's process time in the segmented stage);
    packed, 15 MB."""

    codes: pl.DataFrame
    values: dict[str, pl.Series]


def pack(frame: pl.DataFrame, columns: tuple[str, ...]) -> Packed:
    """`frame` with each of `columns` as UInt32 positions into its distinct values."""
    values = {column: frame.get_column(column).unique(maintain_order=True) for column in columns}
    if frame.is_empty():  # replace_strict with nothing to replace returns the strings as they were
        return Packed(frame.with_columns(pl.col(column).cast(pl.UInt32) for column in columns), values)
    codes = frame.with_columns(
        pl.col(column).replace_strict(values[column], pl.int_range(len(values[column]), dtype=pl.UInt32, eager=True))
        for column in columns
    )
    return Packed(codes, values)


def unpack(packed: Packed) -> pl.DataFrame:
    """The frame `pack` was given."""
    return packed.codes.with_columns(
        values.gather(packed.codes.get_column(column)).alias(column) for column, values in packed.values.items()
    )


_DONE = object()


def prefetched(items: Iterable[Out], depth: int = 1) -> Iterator[Out]:
    """`items`, produced by a thread of this process up to `depth` ahead of the consumer. For a
    producer that spends its time in DuckDB and Polars (which release the GIL) feeding a consumer
    that spends it in Python: the two overlap on two cores. Whatever the producer reads from is
    its own until this generator ends (exhausted, closed or failed: the thread is stopped and
    joined first); the producer's exception is raised here."""
    handoff: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    break
                handoff.put(item)
        except BaseException as error:  # handed to the consumer, raised there
            failure.append(error)
        finally:
            handoff.put(_DONE)

    producer = threading.Thread(target=produce, name="prefetch", daemon=True)
    producer.start()
    try:
        while (item := handoff.get()) is not _DONE:
            yield item
    finally:
        stop.set()
        while producer.is_alive():  # unblock a producer waiting to hand over an item
            try:
                handoff.get(timeout=0.1)
            except queue.Empty:
                pass
        producer.join()
    if failure:
        raise failure[0]
