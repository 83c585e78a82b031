"""Batches computed in worker processes while the warehouse process reads and writes.

The transforms are pure functions of a batch's frames, so a stage with several batches hands them
to a pool of processes (one per core by default) and writes each result, in batch order, as it
comes back; at most `workers + 1` batches are in memory at once. One batch, or `workers <= 1`, runs
in this process: small runs (the samples, the tests) never start a pool.

Workers are never forked from this process: Polars' thread pool does not survive `fork`, nor would
DuckDB's connections. Where the platform has it they fork from a `forkserver`, a fresh process that
has imported the batch functions' modules and this process's `__main__` once (a `spawn`ed worker
imports them itself, and `__main__` is a Dagster CLI's or the benchmark's: Dagster, ≈ 1 CPU s per
worker); elsewhere they are spawned. The pool lives for the process (a Dagster run process or the
benchmark), so the stages of a run share it, and is released at exit or before a stage that
computes in its own process (quality: GX).
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import queue
import sys
import threading
import types
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

# A worker re-runs a `python -m pkg.mod` parent's module as its __mp_main__ after the fork server
# has imported it (below, to spare each worker the import); runpy then warns, once per worker, that
# the module is in sys.modules already. Expected here, and harmless: the filter is installed in the
# fork server when it imports this module, and its workers inherit it.
warnings.filterwarnings(
    "ignore", message=r".* found in sys\.modules after import of package .*", category=RuntimeWarning
)

_pools: dict[int, ProcessPoolExecutor] = {}


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# The modules of the functions `map_batches` is given, imported once by the fork server (cn2an:
# transforms.figures imports it on its first Chinese numeral, ≈ 0.35 CPU s in every worker).
WORKER_MODULES = ("transforms.pipeline", "warehouse.stages.segmented", "cn2an")


def _start_context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([*_main_modules(), *WORKER_MODULES])
    return context


def _main_modules() -> list[str]:
    """What a worker needs to re-run this process's `__main__` (it does, before its first batch).
    Run as `python -m pkg.mod`: that module (a package's __main__ is never re-run). Run as a script
    (Dagster's CLI): the modules its names come from; the server's own "__main__" preload looks
    for a key that Python 3.11 never sets, so the script itself cannot be preloaded."""
    main = sys.modules["__main__"]
    main_name = getattr(getattr(main, "__spec__", None), "name", None)
    if main_name is not None:
        return [] if main_name.rpartition(".")[2] == "__main__" else [main_name]
    if getattr(main, "__file__", None) is None:  # python -c, a REPL: nothing is re-run
        return []
    origins = {
        value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
        for name, value in vars(main).items()
        if not name.startswith("__")  # __builtins__, __loader__: not what the script imported
    }
    return sorted(name for name in origins if isinstance(name, str) and name in sys.modules and name != "__main__")


def _pool(workers: int) -> ProcessPoolExecutor:
    if workers not in _pools:
        _pools[workers] = ProcessPoolExecutor(workers, mp_context=_start_context())
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
