"""Throughput at scale: the whole Dagster graph on N generated reports, per stage, against a floor.

usage: python -m benchmarks.scale N [SEED] [--workdir DIR] [--incremental] [--max-rss-gb G]

1. Generates N documents (testkit/noise.py on testkit/generator.py: every format and layout, website
   damage, Traditional/Big5/GB18030/UTF-16 files, a share with injected rule faults) into
   DIR/inbox_N_SEED (kept, so a re-run measures the pipeline and not the generator).
2. Measures a floor over the same files: read + decode + OpenCC on every text + one Polars pass.
3. Materializes every asset and check through Dagster (`materialize`, the in-process executor)
   into a fresh warehouse, sampling the process's RSS, and prints per stage and in total: wall
   seconds, docs/s, MB/s, peak RSS — the stage figures are the ones each asset reports to the
   Dagster UI as materialization metadata.
4. With --incremental: a second run with nothing new, then a run after adding 1% new files; each
   as a share of the first run, and the 1% run's cost beyond the run with nothing new; then a run
   after adding 4% more, which splits that cost into what a new file costs (the two runs' difference
   over their files') and what any run with new files costs whatever their number. These runs
   share the benchmark's process, warm by then (Dagster, GX imported; the fork server up). So
   after them the same two runs are made as a user's or the inbox sensor's are, each a new
   `dagster asset materialize` process (nothing new; another 1% of new files), timed whole.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import random
import shutil
import subprocess
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import psutil
from dagster import DagsterInstance, materialize

from orchestration.assets import ALL_ASSETS
from orchestration.checks import ALL_CHECKS
from orchestration.resources import InboxResource, WarehouseResource
from testkit.generator import FAULTS, generate_case
from testkit.noise import noisy_report
from testkit.runs import MATERIALIZE_ALL_COMMAND, materialize_env
from transforms.clean import to_simplified
from transforms.ingest import decode
from warehouse.graph import ASSET_ORDER

# Share of generated cases that carry a rule fault (a corpus of real reports has many).
FAULT_SHARE = 0.15


def _sample_tree(processes: list[psutil.Process], cpu_seen: dict[int, float]) -> int:
    """The RSS of these processes (this one and its batch workers, warehouse/parallel.py), in
    bytes; records each one's CPU seconds so far in `cpu_seen` (by pid: a worker that exits keeps
    its last figure)."""
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
            times = process.cpu_times()
            cpu_seen[process.pid] = times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


@dataclass
class Sampler:
    """Samples the RSS of this process and its workers every `interval` seconds in a background thread."""

    interval: float = 0.05
    # Listing the children reads every process's /proc entry (1.3 ms here): done every 10th sample,
    # it no longer takes CPU and the GIL from the run it measures (py-spy: 6 % of a 10k run's CPU).
    # A worker pool lives for the whole run, and its processes' CPU seconds are cumulative.
    children_every: int = 10
    max_rss_mb: float = float("inf")  # a watchdog: the benchmark stops rather than swap the machine

    def __post_init__(self) -> None:
        self.samples: list[tuple[float, float]] = []
        self.cpu: list[tuple[float, float]] = []  # (time, CPU seconds of the process tree so far)
        self._cpu_seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        process = psutil.Process()
        processes = [process]
        for sample in itertools.count():
            if self._stop.is_set():
                break
            if sample % self.children_every == 0:
                processes = [process, *process.children(recursive=True)]
            rss = _sample_tree(processes, self._cpu_seen) / 2**20
            now = time.time()
            self.samples.append((now, rss))
            self.cpu.append((now, sum(self._cpu_seen.values())))
            if rss > self.max_rss_mb:
                print(f"stopped: RSS {rss:.0f} MB is over --max-rss-gb; peak so far {self.peak():.0f} MB", flush=True)
                os._exit(3)
            time.sleep(self.interval)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, start: float = 0.0, end: float = float("inf")) -> float:
        """Peak RSS in [start, end], widened by one interval so a stage shorter than the sampling
        interval still sees the sample taken while it ran."""
        lo, hi = start - self.interval, end + self.interval
        return max((rss for t, rss in self.samples if lo <= t <= hi), default=0.0)

    def cpu_seconds(self, start: float = 0.0, end: float = float("inf")) -> float:
        """CPU seconds the process tree used between the samples nearest `start` and `end`: with
        the wall time, how busy the cores were (2.0 per second is both cores of this machine)."""
        inside = [seconds for t, seconds in self.cpu if start <= t <= end]
        before = [seconds for t, seconds in self.cpu if t < start]
        if not inside:
            return 0.0
        return inside[-1] - (before[-1] if before else inside[0])


def build_inbox(folder: Path, n: int, seed: int, offset: int = 0) -> int:
    """Write n documents (index offset…) into folder; returns bytes written."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + offset)
    written = 0
    index = offset
    count = 0
    while count < n:
        if rng.random() < FAULT_SHARE:
            files = [
                (g.name.replace("gen_", f"fault_{seed}_"), g.data)
                for g in generate_case(
                    index, rng.choice(("flat", "grid", "markdown", "html", "glued")), rng.choice(FAULTS), seed
                )
            ]
        else:
            page = noisy_report(index, seed)
            files = [(page.name, page.data)]
        for name, data in files[: n - count]:
            (folder / name).write_bytes(data)
            written += len(data)
            count += 1
        index += 1
    return written


def floor(inbox: Path) -> tuple[float, int]:
    """Seconds to read, decode, convert with OpenCC and scan once with Polars: the least any
    pipeline over these files must do."""
    started = time.perf_counter()
    texts: list[str] = []
    size = 0
    for path in sorted(inbox.iterdir()):
        data = path.read_bytes()
        size += len(data)
        decoded = decode(data)
        if decoded is not None:
            texts.append(to_simplified(decoded[0]))
    frame = pl.DataFrame({"text": texts})
    frame.select(
        pl.col("text").str.count_matches(r"\d+件").sum().alias("figures"),
        pl.col("text").str.len_chars().sum().alias("characters"),
    )
    return time.perf_counter() - started, size


def floor_apart(inbox: Path) -> tuple[float, int]:
    """The floor, measured in a process of its own: the texts it holds would otherwise stay in this
    process's RSS and be counted in the pipeline's peak."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(floor, inbox).result()


def run(
    inbox: Path, warehouse: Path, batch_size: int, max_rss_mb: float = float("inf")
) -> tuple[float, dict[str, dict[str, float]], Sampler]:
    # Disposed here, by this thread: left to the garbage collector, the instance's SQLite
    # connections were closed from whatever thread collected them, and sqlite3 printed a
    # traceback for each (a run's output read as if it had failed).
    with DagsterInstance.ephemeral() as instance, Sampler(max_rss_mb=max_rss_mb) as sampler:
        started = time.perf_counter()
        result = materialize(
            [*ALL_ASSETS, *ALL_CHECKS],
            resources={
                "inbox": InboxResource(path=str(inbox)),
                "warehouse": WarehouseResource(path=str(warehouse), batch_size=batch_size),
            },
            instance=instance,
        )
        wall = time.perf_counter() - started
    assert result.success
    stages: dict[str, dict[str, float]] = {}
    for name in ASSET_ORDER:
        (event,) = result.asset_materializations_for_node(name)
        meta: dict[str, Any] = {key: value.value for key, value in event.metadata.items()}
        stages[name] = {
            "seconds": float(meta["seconds"]),
            "processed": float(meta["reports_processed"]),
            "started_at": float(meta["started_at"]),
            "finished_at": float(meta["finished_at"]),
        }
    return wall, stages, sampler


def cli_run(inbox: Path, warehouse: Path, dagster_home: Path) -> float:
    """Wall seconds of one `dagster asset materialize --select '*'` on `inbox` into `warehouse`,
    in a new process (as bin/materialize and the inbox sensor's runs are): its imports, Dagster's
    start-up, GX's import and the fork server's start included."""
    env = materialize_env(inbox, warehouse, dagster_home)
    started = time.perf_counter()
    done = subprocess.run(MATERIALIZE_ALL_COMMAND, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:  # the run's own words, not only an exit code
        raise RuntimeError(f"{' '.join(MATERIALIZE_ALL_COMMAND)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return seconds


def cost_per_file_and_fixed(idle: float, smaller: tuple[int, float], larger: tuple[int, float]) -> tuple[float, float]:
    """(seconds per new file, fixed seconds) of runs with new files, from two of them, each given as
    (new files, wall seconds): the line through the two; the fixed part is what a run with new
    files costs beyond a run with nothing new (`idle`), whatever their number."""
    (few, few_seconds), (many, many_seconds) = smaller, larger
    per_file = (many_seconds - few_seconds) / (many - few)
    return per_file, few_seconds - idle - per_file * few


def report(
    title: str,
    n: int,
    size: int,
    wall: float,
    stages: dict[str, dict[str, float]],
    sampler: Sampler,
    floor_seconds: float | None,
) -> None:
    megabytes = size / 1e6
    print(f"\n{title}: {n} files, {megabytes:.1f} MB")
    print(f"{'stage':<20} {'wall s':>8} {'docs/s':>9} {'MB/s':>7} {'peak RSS MB':>12} {'CPU s':>7} {'cores':>6}")
    for name, s in stages.items():
        seconds = max(s["seconds"], 1e-9)
        peak = sampler.peak(s["started_at"], s["finished_at"])
        cpu = sampler.cpu_seconds(s["started_at"], s["finished_at"])
        print(
            f"{name:<20} {s['seconds']:>8.2f} {n / seconds:>9.0f} {megabytes / seconds:>7.2f} {peak:>12.0f}"
            f" {cpu:>7.1f} {cpu / seconds:>6.2f}"
        )
    cpu = sampler.cpu_seconds()
    print(
        f"{'total (Dagster run)':<20} {wall:>8.2f} {n / wall:>9.0f} {megabytes / wall:>7.2f} {sampler.peak():>12.0f}"
        f" {cpu:>7.1f} {cpu / wall:>6.2f}"
    )
    if floor_seconds:
        print(f"{'floor':<20} {floor_seconds:>8.2f} {n / floor_seconds:>9.0f} {megabytes / floor_seconds:>7.2f}")
        print(f"total / floor = {wall / floor_seconds:.1f}×")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("seed", type=int, nargs="?", default=1)
    parser.add_argument("--workdir", default="data/bench")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--incremental", action="store_true")
    parser.add_argument("--max-rss-gb", type=float, default=16.0)
    args = parser.parse_args()
    limit = args.max_rss_gb * 1024
    workdir = Path(args.workdir)
    inbox = workdir / f"inbox_{args.n}_{args.seed}"
    if not (inbox / ".complete").exists():
        shutil.rmtree(inbox, ignore_errors=True)
        started = time.perf_counter()
        build_inbox(inbox, args.n, args.seed)
        (inbox / ".complete").write_text("")
        print(f"generated {args.n} files in {time.perf_counter() - started:.1f} s")
    (inbox / ".complete").unlink()  # not an input file
    # Files the incremental runs add; removed however the benchmark ends, so the kept corpus
    # stays N files (a failed run left them in, and the next benchmark read them as its corpus).
    added, added_later, added_larger = inbox / "added", inbox / "added_later", inbox / "added_larger"
    try:
        floor_seconds, size = floor_apart(inbox)
        warehouse = workdir / f"warehouse_{args.n}_{args.seed}.duckdb"
        warehouse.unlink(missing_ok=True)
        wall, stages, sampler = run(inbox, warehouse, args.batch_size, limit)
        print(
            f"machine: {psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB; "
            f"batch size {args.batch_size}; {time.strftime('%Y-%m-%d')}"
        )
        report("first run", args.n, size, wall, stages, sampler, floor_seconds)
        if args.incremental:
            again, stages, sampler = run(inbox, warehouse, args.batch_size, limit)
            report("second run, nothing new", args.n, size, again, stages, sampler, None)
            print(f"second run / first run = {again / wall:.3f}")
            extra = max(1, args.n // 100)
            added_bytes = build_inbox(added, extra, args.seed + 1, offset=10_000_000)
            more, stages, sampler = run(inbox, warehouse, args.batch_size, limit)
            report(f"run after adding {extra} files (1%)", extra, added_bytes, more, stages, sampler, None)
            print(f"1% run / first run = {more / wall:.3f}")
            # What the new files cost beyond a run with nothing new (Dagster's start-up, the idle checks).
            print(f"(1% run - second run) / first run = {(more - again) / wall:.3f}")
            # A larger run splits the 1% run's cost into what each new file costs and what any run
            # with new files costs whatever their number.
            larger = 4 * extra
            larger_bytes = build_inbox(added_larger, larger, args.seed + 3, offset=30_000_000)
            most, stages, sampler = run(inbox, warehouse, args.batch_size, limit)
            report(f"run after adding {larger} more files (4%)", larger, larger_bytes, most, stages, sampler, None)
            per_file, fixed = cost_per_file_and_fixed(again, (extra, more), (larger, most))
            if per_file <= 0:  # small corpora: the files' cost is below the runs' noise
                print(f"the 4% run took no longer than the 1% run ({most:.2f} s against {more:.2f} s)")
            else:
                print(
                    f"a new file costs {per_file * 1000:.2f} ms in a run with new files "
                    f"(the first run: {wall / args.n * 1000:.2f} ms per file); a run with new files costs "
                    f"{fixed:.2f} s more than one with nothing new whatever their number "
                    f"({fixed / wall:.3f} of the first run)"
                )
            # The same two runs as new processes of Dagster's CLI.
            dagster_home = workdir / "dagster_home"
            fresh_again = cli_run(inbox, warehouse, dagster_home)
            build_inbox(added_later, extra, args.seed + 2, offset=20_000_000)
            fresh_more = cli_run(inbox, warehouse, dagster_home)
            print("\nas new `dagster asset materialize` processes:")
            print(f"nothing new: {fresh_again:.2f} s ({fresh_again / wall:.3f} of the first run)")
            print(
                f"after adding another {extra} files (1%): {fresh_more:.2f} s ({fresh_more / wall:.3f}; "
                f"beyond nothing new {(fresh_more - fresh_again) / wall:.3f})"
            )
    finally:
        for folder in (added, added_later, added_larger):
            shutil.rmtree(folder, ignore_errors=True)
        (inbox / ".complete").write_text("")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
