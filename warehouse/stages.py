"""Each stage as one function over a warehouse connection: read what is pending, call the pure
transforms in batches, write the results. Dagster assets call these and only report on them.

Incrementality is by content: a report is keyed by the hash of its bytes, and `meta.processed`
records which stage handled which report at which code version. A stage's pending reports are
those its upstream produced (or re-produced) after it last handled them, or that it handled
with an older version of its code.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl

from expectations import rules, suites
from transforms import catalog, frames, ingest, pipeline
from transforms.versions import STAGE_VERSIONS
from warehouse.dictionary import MIN_RATIO_BASE
from warehouse.parallel import map_batches, prefetched
from warehouse.parallel import release as release_workers
from warehouse.store import frame, insert_frame, marts_sql

METRIC_TABLES = (
    "metrics.text_metrics",
    "metrics.figures",
    "metrics.plans",
    "metrics.totals",
    "metrics.percents",
    "metrics.dated_statements",
)
BATCH_SIZE = 2000  # reports per transform batch: bounds memory whatever the corpus size
# Told after each batch how far a stage has got: (items done, items to do).
Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    pass


# With workers, a stage cuts at least this many batches per worker (none under MIN_BATCH reports):
# with one or two large batches per worker, the last ones run while the other workers idle.
BATCHES_PER_WORKER = 4
MIN_BATCH = 250
T = TypeVar("T")


@dataclass
class StageStats:
    processed: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add_rows(self, table: str, n: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + n

    def tally(self, keys: pl.Series) -> None:
        """Count each value of `keys` (one Polars pass over the batch) into `counts`."""
        for key, n in keys.drop_nulls().value_counts().iter_rows():
            self.counts[key] = self.counts.get(key, 0) + n


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# The newest stamp on the stages' rows: a report's latest mark, or its ingestion.
_NEWEST_ROW_STAMP = "(SELECT max(processed_at) FROM meta.processed), (SELECT max(ingested_at) FROM raw.reports)"


def warehouse_now(con: duckdb.DuckDBPyConnection) -> datetime:
    """The time a stage stamps on what it writes: now, but never before the latest time the
    warehouse holds. What a run must redo, the marts' scope and the contract check's all compare
    stamps from different runs, so a clock set back between runs (a host's time corrected, a
    restored VM) would otherwise hide a run's writes from the next."""
    latest = con.execute(f"""
        SELECT greatest({_NEWEST_ROW_STAMP},
            (SELECT max(built_at) FROM meta.marts_built), (SELECT max(checked_at) FROM meta.contract_checks))
    """).fetchall()[0][0]
    now = utcnow()
    return now if latest is None or now > latest else latest + timedelta(microseconds=1)


def _ids_frame(ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"report_id": ids}, schema={"report_id": pl.String})


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, **views: pl.DataFrame) -> Iterator[None]:
    """Frames visible to SQL under the given names for the duration of the block."""
    for name, data in views.items():
        con.register(name, data.to_arrow())
    try:
        yield
    finally:
        for name in views:
            con.unregister(name)


def pending(con: duckdb.DuckDBPyConnection, stage: str, upstream: str) -> list[str]:
    """Reports that `stage` must (re)process, in report_id order."""
    if upstream == "raw":
        source = "SELECT report_id, ingested_at AS produced_at FROM raw.reports"
    else:
        source = "SELECT report_id, processed_at AS produced_at FROM meta.processed WHERE stage = $upstream"
    sql = f"""
        WITH upstream AS ({source})
        SELECT u.report_id FROM upstream AS u
        LEFT JOIN meta.processed AS s ON s.stage = $stage AND s.report_id = u.report_id
        WHERE s.report_id IS NULL OR s.version <> $version OR s.processed_at < u.produced_at
        ORDER BY u.report_id
    """
    params = {"stage": stage, "version": STAGE_VERSIONS[stage]}
    if upstream != "raw":
        params["upstream"] = upstream
    return [row[0] for row in con.execute(sql, params).fetchall()]


def processed_before(con: duckdb.DuckDBPyConnection, stage: str, ids: list[str]) -> set[str]:
    """Those of `ids` that `stage` has handled before: the only ones with rows and a mark to
    replace (a run publishes its rows and its `meta.processed` marks together, or neither). Asked
    once per stage: a DELETE per batch scans tables that grow with the warehouse (at 100k, 10 s of
    the cleaned stage went to replacing marks that did not exist)."""
    with _registered(con, candidate_ids=_ids_frame(ids)):
        return {
            row[0]
            for row in con.execute(
                "SELECT report_id FROM meta.processed WHERE stage = ? "
                "AND report_id IN (SELECT report_id FROM candidate_ids)",
                [stage],
            ).fetchall()
        }


def _mark_processed(
    con: duckdb.DuckDBPyConnection, stage: str, ids: list[str], now: datetime, stale: list[str]
) -> None:
    """Mark `ids` handled by `stage` now; `stale`, those of them it had handled before."""
    with _registered(con, done_ids=_ids_frame(ids), stale_ids=_ids_frame(stale)):
        if stale:
            con.execute(
                "DELETE FROM meta.processed WHERE stage = ? AND report_id IN (SELECT report_id FROM stale_ids)", [stage]
            )
        con.execute(
            "INSERT INTO meta.processed SELECT ?, report_id, ?, ? FROM done_ids", [stage, STAGE_VERSIONS[stage], now]
        )


def _delete_reports(con: duckdb.DuckDBPyConnection, tables_: tuple[str, ...], stale: list[str]) -> None:
    """Remove the rows of the `stale` reports (handled before, about to be written anew) from `tables_`."""
    if not stale:
        return
    with _registered(con, stale_ids=_ids_frame(stale)):
        for table in tables_:
            con.execute(f"DELETE FROM {table} WHERE report_id IN (SELECT report_id FROM stale_ids)")


def _batches(items: list[T], size: int) -> list[list[T]]:
    return [items[i : i + size] for i in range(0, len(items), max(1, size))]


def _work_batch_size(items: int, batch_size: int, workers: int) -> int:
    """At most `batch_size`, small enough to keep every worker busy to the end."""
    if workers > 1:
        batch_size = min(batch_size, max(MIN_BATCH, -(-items // (workers * BATCHES_PER_WORKER))))
    return max(1, batch_size)


def _work_batches(items: list[T], batch_size: int, workers: int) -> list[list[T]]:
    """`items` in batches of at most `batch_size`, small enough to keep every worker busy to the end."""
    return _batches(items, _work_batch_size(len(items), batch_size, workers))


def _exported(con: duckdb.DuckDBPyConnection, sql: str, ids: list[str], size: int) -> Iterator[pl.DataFrame]:
    """The rows of `sql` for the reports `ids` (registered as `wanted_ids`), in frames of `size`
    rows. One scan copies them to a Parquet file of the run's own, read back a slice at a time: a
    query per batch scanned and decompressed the whole upstream table each time (at 100k, 0.6 s a
    batch), and a cursor streaming the scan held a transaction open for the whole stage, which
    kept DuckDB from checkpointing (at 100k, 0.9 GB more memory)."""
    with tempfile.TemporaryDirectory(prefix="nianbao-stage-") as folder:
        path = str(Path(folder) / "inputs.parquet").replace("'", "''")
        with _registered(con, wanted_ids=_ids_frame(ids)):
            con.execute(f"COPY ({sql}) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE {size})")
        rows = pl.scan_parquet(path)
        for offset in range(0, len(ids), size):
            batch = rows.slice(offset, size).collect()
            if batch.height:
                yield batch


_WANTED = "WHERE report_id IN (SELECT report_id FROM wanted_ids)"  # registered by _select_ids and _exported


def _wanted_texts(table: str) -> str:
    """`_WANTED` for a table holding whole texts (a wide zstd column, which a scan decompresses
    whatever the filter keeps): the same rows, within the rowid range they span, found first from
    report_id alone, so the scan skips the row groups outside it. A run's new reports are appended
    together, so a +1 % run reads its 1,000 texts in 0.03 s instead of 0.5 s at 100k; a read of
    every report pays the range's two report_id scans (≈ 0.1 s at 100k)."""
    wanted_rows = f"FROM {table} {_WANTED}"
    return f"{_WANTED} AND rowid BETWEEN (SELECT min(rowid) {wanted_rows}) AND (SELECT max(rowid) {wanted_rows})"


def _select_ids(con: duckdb.DuckDBPyConnection, sql: str, ids: list[str]) -> pl.DataFrame:
    with _registered(con, wanted_ids=_ids_frame(ids)):
        return frame(con, sql)


# ---------------------------------------------------------------------------- catalog
def catalog_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    """catalog.metrics and catalog.rules rows as the code declares them."""
    metric_rows = pl.DataFrame(
        catalog.metric_catalogue(),
        schema={
            "metric": pl.String,
            "table_code": pl.String,
            "row_code": pl.String,
            "col_code": pl.String,
            "label_zh": pl.String,
            "label_en": pl.String,
            "unit": pl.String,
            "templates": pl.List(pl.String),
        },
    )
    return metric_rows, pl.DataFrame(rules.catalogue_rows())


def refresh_catalog(con: duckdb.DuckDBPyConnection) -> StageStats:
    stats = StageStats()
    con.execute("DELETE FROM catalog.metrics")
    con.execute("DELETE FROM catalog.rules")
    metric_rows, rule_rows = catalog_frames()
    stats.add_rows("catalog.metrics", insert_frame(con, "catalog.metrics", metric_rows))
    stats.add_rows("catalog.rules", insert_frame(con, "catalog.rules", rule_rows))
    return stats


def catalog_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """The warehouse's catalogues equal the code's (else the catalog stage rewrites them)."""
    for table, rows, key in zip(
        ("catalog.metrics", "catalog.rules"), catalog_frames(), ("metric", "rule"), strict=True
    ):
        stored = frame(con, f"SELECT * FROM {table}")
        if set(rows.columns) - set(stored.columns):
            return False
        if stored.select(rows.columns).sort(key).to_dicts() != rows.sort(key).to_dicts():
            return False
    return True


def idle_stage(con: duckdb.DuckDBPyConnection, stage: str, upstream: str) -> StageStats | None:
    """An empty report when `stage` has nothing pending, else None: there is work."""
    return None if pending(con, stage, upstream) else StageStats()


def marts_definition() -> str:
    """What the marts are built from in code (their SQL and its settings), as a short digest."""
    return hashlib.sha256(f"{marts_sql()}\0{MIN_RATIO_BASE}".encode()).hexdigest()[:16]


def _marts_built_at(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the marts were last built by the definition in code (None: never, or by other SQL)."""
    built = con.execute("SELECT built_at, definition FROM meta.marts_built").fetchall()
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' AND table_name = 'report_overview'"
    ).fetchall()[0][0]
    return built[0][0] if exists and len(built) == 1 and built[0][1] == marts_definition() else None


def marts_are_current(con: duckdb.DuckDBPyConnection) -> bool:
    """The marts were built by the definition in code after every row the stages have written, and
    the contract was checked on them. Not merely "the table exists": a run that stopped before the
    marts (a selection) publishes the stages' rows, and the next run, with nothing new for any
    stage, must still rebuild them."""
    built_at = _marts_built_at(con)
    if built_at is None:
        return False
    newest = con.execute(f"SELECT greatest({_NEWEST_ROW_STAMP})").fetchall()[0][0]
    checked = last_contract_pass(con)
    return (newest is None or newest <= built_at) and checked is not None and checked >= built_at


# ---------------------------------------------------------------------------- raw
def ingest_inbox(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    now: datetime,
    batch_size: int = BATCH_SIZE,
    workers: int = 1,
    listed: list[ingest.InboxFile] | None = None,
    progress: Progress = _no_progress,
) -> StageStats:
    """Record each inbox file as a report, a duplicate file of one, or a rejection. Files whose
    path, size and mtime are recorded already are not read again; the rest are read batch by batch
    (in worker processes when there are several batches), so one batch of texts per worker is held
    at once. Results are recorded in file order, so the first of several identical files is the
    one a report's source_path names, however the batches ran. `listed`: the inbox's listing,
    when the caller has taken it already (`ingest.scan_inbox`)."""
    stats = StageStats()
    files, todo = _files_to_read(con, inbox, listed)
    if todo:  # reports to judge, most likely: GX loads while the stages before quality compute
        suites.import_gx_early()
    known = {r[0] for r in con.execute("SELECT report_id FROM raw.reports").fetchall()}
    recorded_paths = {
        r[0]
        for r in con.execute(
            "SELECT source_path FROM raw.report_files UNION SELECT source_path FROM raw.rejected_files"
        ).fetchall()
    }
    counts: Counter[str] = Counter()
    batches = _work_batches(todo, batch_size, workers)
    read = 0  # files read so far
    # Workers are told the ids known when their batch is sent, to skip decoding known bytes;
    # a report two batches found at once is kept here for its first file only.
    reads = ((batch, frozenset(known), now) for batch in batches)
    results = map_batches(pipeline.ingest_batch, reads, len(batches), workers)
    for batch, (new_reports, rejected, file_map) in zip(batches, results, strict=True):
        # Membership in the set, per row of the batch: `is_in(list(known))` converted every known id per batch.
        new_reports = new_reports.filter(
            pl.Series([rid not in known for rid in new_reports["report_id"]], dtype=pl.Boolean)
        )
        known.update(new_reports["report_id"].to_list())
        first_seen = not any(f.source_path in recorded_paths for f in batch)
        _record_files(con, stats, new_reports, rejected, file_map, first_seen)
        counts["new_reports"] += new_reports.height
        counts["duplicate_files"] += file_map.height - new_reports.height
        counts["rejected_files"] += rejected.height
        counts.update(f"rejected.{reason}" for reason in rejected["reason"].to_list())
        read += len(batch)
        progress(read, len(todo))
    stats.processed = counts["new_reports"]
    stats.counts = {
        "files_seen": len(files),
        "files_unchanged": len(files) - len(todo),
        "new_reports": counts["new_reports"],
        "duplicate_files": counts["duplicate_files"],
        "rejected_files": counts["rejected_files"],
        **{k: n for k, n in sorted(counts.items()) if k.startswith("rejected.")},
    }
    return stats


def idle_inbox(
    con: duckdb.DuckDBPyConnection, inbox: Path, listed: list[ingest.InboxFile] | None = None
) -> StageStats | None:
    """The raw stage's report when every inbox file is recorded with its current size and mtime
    (reading no file), else None: there is work."""
    files, todo = _files_to_read(con, inbox, listed)
    if todo:
        return None
    counts = {"new_reports": 0, "duplicate_files": 0, "rejected_files": 0}
    return StageStats(counts={"files_seen": len(files), "files_unchanged": len(files), **counts})


def _files_to_read(
    con: duckdb.DuckDBPyConnection, inbox: Path, listed: list[ingest.InboxFile] | None = None
) -> tuple[list[ingest.InboxFile], list[ingest.InboxFile]]:
    """(every inbox file, those whose path, size and mtime are not recorded yet). Rejections a
    retry may clear are never taken as recorded. Decided by DuckDB over the listing as a frame:
    a Python set of every recorded file, built twice in a run that reads files, took 0.19 s each
    time at 100,000 files."""
    files = ingest.scan_inbox(inbox) if listed is None else listed
    listing = pl.DataFrame(
        {
            "position": range(len(files)),
            "source_path": [f.source_path for f in files],
            "byte_size": [f.byte_size for f in files],
            "mtime_ns": [f.mtime_ns for f in files],
        },
        schema={"position": pl.Int64, "source_path": pl.String, "byte_size": pl.Int64, "mtime_ns": pl.Int64},
    )
    transient = pl.DataFrame({"reason": list(ingest.TRANSIENT_REJECTIONS)}, schema={"reason": pl.String})
    with _registered(con, listing=listing, transient=transient):
        unrecorded = con.execute("""
            SELECT l.position FROM listing AS l
            ANTI JOIN raw.report_files AS f
                ON f.source_path = l.source_path AND f.byte_size = l.byte_size AND f.mtime_ns = l.mtime_ns
            ANTI JOIN (
                SELECT source_path, byte_size, mtime_ns FROM raw.rejected_files
                WHERE reason NOT IN (SELECT reason FROM transient)
            ) AS r ON r.source_path = l.source_path AND r.byte_size = l.byte_size AND r.mtime_ns = l.mtime_ns
            ORDER BY l.position
        """).fetchall()
    return files, [files[position] for (position,) in unrecorded]


def _record_files(
    con: duckdb.DuckDBPyConnection,
    stats: StageStats,
    new_reports: pl.DataFrame,
    rejected: pl.DataFrame,
    file_map: pl.DataFrame,
    first_seen: bool,
) -> None:
    """Record a batch's outcome. Paths the warehouse has never seen (`first_seen`: all of them in a
    fresh inbox) are appended; a path read before may already have its row, which is kept, and its
    mtime brought up to date. (The joins that decide this scan tables that grow with the inbox,
    once per batch: at 100,000 files they cost 40 s, for nothing when the paths are new.)"""
    stats.add_rows("raw.reports", insert_frame(con, "raw.reports", new_reports))
    if first_seen:
        stats.add_rows("raw.report_files", insert_frame(con, "raw.report_files", file_map))
        stats.add_rows("raw.rejected_files", insert_frame(con, "raw.rejected_files", rejected))
        return
    with _registered(con, incoming_files=file_map, incoming_rejected=rejected):
        before = con.execute("SELECT count(*) FROM raw.report_files").fetchall()[0][0]
        con.execute("""
            INSERT INTO raw.report_files (source_path, report_id, byte_size, seen_at, mtime_ns)
            SELECT i.source_path, i.report_id, i.byte_size, i.seen_at, i.mtime_ns FROM incoming_files AS i
            ANTI JOIN raw.report_files AS f ON f.source_path = i.source_path AND f.report_id = i.report_id
        """)
        stats.add_rows(
            "raw.report_files", con.execute("SELECT count(*) FROM raw.report_files").fetchall()[0][0] - before
        )
        before = con.execute("SELECT count(*) FROM raw.rejected_files").fetchall()[0][0]
        con.execute("""
            INSERT INTO raw.rejected_files (source_path, byte_size, reason, detail, seen_at, content_sha256, mtime_ns)
            SELECT i.source_path, i.byte_size, i.reason, i.detail, i.seen_at, i.content_sha256, i.mtime_ns
            FROM incoming_rejected AS i
            ANTI JOIN raw.rejected_files AS r ON r.source_path = i.source_path AND r.reason = i.reason
                AND coalesce(r.content_sha256, '') = coalesce(i.content_sha256, '')
        """)
        stats.add_rows(
            "raw.rejected_files", con.execute("SELECT count(*) FROM raw.rejected_files").fetchall()[0][0] - before
        )
        # A file read again with the same outcome (touched, or recorded before mtimes were kept)
        # gets its current mtime, so the next run does not read it once more.
        con.execute("""
            UPDATE raw.report_files AS f SET mtime_ns = i.mtime_ns FROM incoming_files AS i
            WHERE f.source_path = i.source_path AND f.report_id = i.report_id
                AND f.mtime_ns IS DISTINCT FROM i.mtime_ns
        """)
        con.execute("""
            UPDATE raw.rejected_files AS r SET mtime_ns = i.mtime_ns FROM incoming_rejected AS i
            WHERE r.source_path = i.source_path AND r.reason = i.reason
                AND coalesce(r.content_sha256, '') = coalesce(i.content_sha256, '')
                AND r.mtime_ns IS DISTINCT FROM i.mtime_ns
        """)


def unaccounted_files(con: duckdb.DuckDBPyConnection, inbox: Path) -> list[str]:
    """Inbox files that are in neither raw.report_files nor raw.rejected_files."""
    paths = pl.DataFrame({"source_path": ingest.inbox_paths(inbox)}, schema={"source_path": pl.String})
    with _registered(con, inbox_paths=paths):
        return [
            r[0]
            for r in con.execute("""
            SELECT source_path FROM inbox_paths
            EXCEPT SELECT source_path FROM raw.report_files
            EXCEPT SELECT source_path FROM raw.rejected_files
            ORDER BY 1
        """).fetchall()
        ]


def arrived_since(inbox: Path, paths: list[str], since: float) -> list[str]:
    """Of `paths` (relative to `inbox`), those created, moved in or rewritten at or after `since`
    (seconds since the epoch; the inode's change time), or gone since they were listed: files a
    raw stage that listed the inbox at `since` could not have seen."""
    since_ns = int(since * 1e9)
    arrived = []
    for path in paths:
        try:
            changed_ns = os.stat(inbox / path, follow_symlinks=False).st_ctime_ns
        except FileNotFoundError:
            changed_ns = since_ns
        if changed_ns >= since_ns:
            arrived.append(path)
    return arrived


# ---------------------------------------------------------------------------- batch stages
@dataclass
class BatchStage:
    """A stage that re-derives its pending reports batch by batch: `read` one batch's inputs from
    the warehouse, `compute` them (a pure function of `transforms.pipeline`, run in a worker when
    there are several batches), then the stage's old rows for the batch are replaced by the
    `write` of the result and the batch is marked processed."""

    stage: str
    upstream: str
    tables: tuple[str, ...]  # what the stage writes, replaced per report
    # (pending report ids, batch size) -> (the batch's report ids, its inputs), batch after batch
    read: Callable[[duckdb.DuckDBPyConnection, list[str], int], Iterator[tuple[list[str], Any]]]
    compute: Callable[[Any], Any]
    write: Callable[[duckdb.DuckDBPyConnection, list[str], Any, StageStats], None]

    def run(
        self,
        con: duckdb.DuckDBPyConnection,
        now: datetime,
        batch_size: int,
        workers: int,
        progress: Progress = _no_progress,
    ) -> StageStats:
        stats = StageStats()
        todo = pending(con, self.stage, self.upstream)
        before = processed_before(con, self.stage, todo)
        size = _work_batch_size(len(todo), batch_size, workers)
        batch_ids: deque[list[str]] = deque()  # the ids of the batches read, in order

        def reads() -> Iterator[Any]:
            for ids, inputs in self.read(con, todo, size):
                batch_ids.append(ids)
                yield inputs

        done = 0
        for result in map_batches(self.compute, reads(), -(-len(todo) // size), workers):
            batch = batch_ids.popleft()
            stale = [report_id for report_id in batch if report_id in before]
            _delete_reports(con, self.tables, stale)
            self.write(con, batch, result, stats)
            _mark_processed(con, self.stage, batch, now, stale)
            done += len(batch)
            progress(done, len(todo))
        stats.processed = len(todo)
        stats.counts = dict(sorted(stats.counts.items()))
        return stats


def _insert_all(con: duckdb.DuckDBPyConnection, stats: StageStats, rows: list[tuple[str, pl.DataFrame]]) -> None:
    for table, frame_ in rows:
        stats.add_rows(table, insert_frame(con, table, frame_))


# ---------------------------------------------------------------------------- cleaned
def _write_cleaned(con: duckdb.DuckDBPyConnection, batch: list[str], rows: pl.DataFrame, stats: StageStats) -> None:
    _insert_all(con, stats, [("cleaned.reports", rows)])
    stats.tally("fix." + rows["fixes"].explode())


def _per_report(frames: Iterator[pl.DataFrame]) -> Iterator[tuple[list[str], pl.DataFrame]]:
    """Batches of one row per report: their ids are the frame's."""
    for batch in frames:
        yield batch["report_id"].to_list(), batch


CLEANED = BatchStage(
    "cleaned",
    "raw",
    ("cleaned.reports",),
    lambda con, ids, size: _per_report(
        _exported(con, f"SELECT report_id, media_type, text FROM raw.reports {_wanted_texts('raw.reports')}", ids, size)
    ),
    pipeline.clean_batch,
    _write_cleaned,
)


def clean_pending(
    con: duckdb.DuckDBPyConnection,
    now: datetime,
    batch_size: int = BATCH_SIZE,
    workers: int = 1,
    progress: Progress = _no_progress,
) -> StageStats:
    stats = CLEANED.run(con, now, batch_size, workers, progress)
    # The batches carry their texts' digests; this fills rows an older build wrote without one.
    con.execute("UPDATE cleaned.reports SET text_sha256 = sha256(text) WHERE text_sha256 IS NULL")
    return stats


# ---------------------------------------------------------------------------- segmented
# Cell columns whose values are codes repeated in every report: sent back from a worker as
# categoricals (per 2,000 reports 26 MB of pickled strings, 6 MB so).
CELL_CODE_COLUMNS = ("metric", "unit")


def _segment(cleaned: pl.DataFrame) -> pipeline.Segmented:
    """`pipeline.segment_batch` for the trip back from a worker: its cells come a table row at a
    time (a row's evidence line pickled once, not once per cell), their codes as categoricals."""
    found = pipeline.segment_batch(cleaned)
    return replace(found, cell_values=found.cell_values.with_columns(pl.col(CELL_CODE_COLUMNS).cast(pl.Categorical)))


def _write_segmented(
    con: duckdb.DuckDBPyConnection, batch: list[str], found: pipeline.Segmented, stats: StageStats
) -> None:
    _insert_all(
        con,
        stats,
        [
            ("segmented.sections", found.sections),
            ("segmented.tables", found.tables),
            # The codes go in as the worker's categoricals, which DuckDB stores as their strings:
            # casting them back first cost more (cast and insert 0.22, insert alone 0.18 CPU s
            # per 2,000 reports; the same rows).
            ("segmented.table_cells", found.cells),
        ],
    )
    stats.tally(found.tables.select(pl.format("layout.{}.{}", "table_code", "layout")).to_series())


SEGMENTED = BatchStage(
    "segmented",
    "cleaned",
    ("segmented.sections", "segmented.tables", "segmented.table_cells"),
    lambda con, ids, size: _per_report(
        _exported(
            con,
            f"""
            SELECT c.report_id, c.text, r.media_type = 'text/html' AS is_html
            FROM (SELECT report_id, text FROM cleaned.reports {_wanted_texts("cleaned.reports")}) AS c
            JOIN (SELECT report_id, media_type FROM raw.reports {_WANTED}) AS r USING (report_id)""",
            ids,
            size,
        )
    ),
    _segment,
    _write_segmented,
)


def segment_pending(
    con: duckdb.DuckDBPyConnection,
    now: datetime,
    batch_size: int = BATCH_SIZE,
    workers: int = 1,
    progress: Progress = _no_progress,
) -> StageStats:
    return SEGMENTED.run(con, now, batch_size, workers, progress)


# ---------------------------------------------------------------------------- metrics
def _prose_inputs(
    con: duckdb.DuckDBPyConnection, ids: list[str], size: int
) -> Iterator[tuple[list[str], tuple[pl.DataFrame, pl.DataFrame]]]:
    """Texts streamed; each batch's section spans (no text) read by id."""
    for batch_ids, texts in _per_report(
        _exported(con, f"SELECT report_id, text FROM cleaned.reports {_wanted_texts('cleaned.reports')}", ids, size)
    ):
        spans = _select_ids(
            con, f"SELECT report_id, section_no, start_char, end_char FROM segmented.sections {_WANTED}", batch_ids
        )
        yield batch_ids, (texts, spans)


def _write_metrics(
    con: duckdb.DuckDBPyConnection, batch: list[str], out: pipeline.Extracted, stats: StageStats
) -> None:
    _insert_all(
        con,
        stats,
        [
            ("metrics.text_metrics", out.text_metrics),
            ("metrics.figures", out.figures),
            ("metrics.plans", out.plans),
            ("metrics.totals", out.totals),
            ("metrics.percents", out.percents),
            ("metrics.dated_statements", out.dated_statements),
        ],
    )


METRICS = BatchStage("metrics", "segmented", METRIC_TABLES, _prose_inputs, pipeline.extract_batch, _write_metrics)


def extract_pending(
    con: duckdb.DuckDBPyConnection,
    now: datetime,
    batch_size: int = BATCH_SIZE,
    workers: int = 1,
    progress: Progress = _no_progress,
) -> StageStats:
    return METRICS.run(con, now, batch_size, workers, progress)


# ---------------------------------------------------------------------------- quality
@dataclass
class QualityContext:
    """What the cross-report rules need of the warehouse, for the reports a change can reach (see
    `frames.cross_report_scope`): one row per report (duplicates by text) and one per
    consecutive-year pair (continuity, from a handful of figures per report). Everything else is
    read per batch."""

    reports: pl.DataFrame  # cleaned.reports metadata + source_path, as read
    report_rows: pl.DataFrame  # frames.report_frame: the suites' per-report frame (duplicate_of …)
    continuity: pl.DataFrame  # frames.continuity_frame; copied_share filled by continuity_with_shares


def quality_context(con: duckdb.DuckDBPyConnection, pending_ids: list[str]) -> QualityContext:
    """The context for judging what a change to `pending_ids` can alter. Only the reports in its
    scope are read and framed: at 100,000 reports a +1 % run read and framed all of them (0.3-0.5 s,
    growing with the warehouse) for the ≈ 2 % its reports reach."""
    every_report = frame(con, "SELECT report_id, agency, text_sha256 FROM cleaned.reports")
    scope = frames.cross_report_scope(every_report, pending_ids)
    continuity_metrics = pl.DataFrame({"metric": list(frames.CONTINUITY_FIGURES)})
    with _registered(con, wanted_ids=_ids_frame(scope), continuity_metrics=continuity_metrics):
        reports = frame(
            con,
            f"""
            SELECT c.report_id, c.doc_type, c.template, c.report_year, c.publish_date, c.publish_date_precision,
                   c.period_start, c.period_end, c.title_year, c.body_year, c.title, c.agency, c.spam_spans,
                   c.garbled_spans,
                   c.garbled_sample, c.text_sha256, r.source_path
            FROM cleaned.reports AS c JOIN raw.reports AS r USING (report_id) {_WANTED}""",
        )
        # Only the columns `continuity_frame` reads: the evidence strings were half the query
        # (100k: 0.31 → 0.15 s).
        continuity_rows = frame(
            con,
            f"SELECT report_id, metric, value, source FROM metrics.report_metrics {_WANTED} "
            "AND source = 'table' AND metric IN (SELECT metric FROM continuity_metrics)",
        )
    return QualityContext(reports, frames.report_frame(reports), frames.continuity_frame(reports, continuity_rows))


def validation_frames(
    con: duckdb.DuckDBPyConnection, context: QualityContext, ids: list[str]
) -> dict[str, pl.DataFrame]:
    """Every frame a suite judges for the reports `ids`, derived from the metrics stage's tables."""
    reports = context.reports.filter(pl.col("report_id").is_in(ids))
    # Table cells and prose figures apart: no frame reads a cell's evidence line (only the prose
    # rows' are read), and those lines were most of what one query of both decompressed and handed
    # over (at 100k, 0.25 -> 0.13 s per batch of 5,000 reports, on the path GX waits on).
    table_rows = _select_ids(
        con, f"SELECT report_id, metric, value FROM metrics.report_metrics {_WANTED} AND source = 'table'", ids
    )
    prose_rows = _select_ids(
        con,
        f"SELECT report_id, metric, value, qualifier, source, evidence FROM metrics.report_metrics "
        f"{_WANTED} AND source <> 'table'",
        ids,
    )
    found_tables = _select_ids(con, f"SELECT * FROM segmented.tables {_WANTED}", ids)
    cells = frames.table_cells(table_rows)
    return {
        "reports": context.report_rows.filter(pl.col("report_id").is_in(ids)),
        "t3_columns": frames.t3_column_frame(cells, reports),
        "t3_rows": frames.t3_row_frame(cells),
        "t4_groups": frames.t4_frame(cells),
        "cells": frames.cell_frame(cells),
        "figures": frames.figure_frame(_select_ids(con, f"SELECT * FROM metrics.figures {_WANTED}", ids)),
        "plans": frames.plan_frame(_select_ids(con, f"SELECT * FROM metrics.plans {_WANTED}", ids), reports),
        "text_table": frames.text_table_frame(prose_rows, cells),
        "totals": frames.totals_frame(_select_ids(con, f"SELECT * FROM metrics.totals {_WANTED}", ids)),
        "percents": frames.percent_frame(_select_ids(con, f"SELECT * FROM metrics.percents {_WANTED}", ids)),
        "dated": frames.dated_frame(
            _select_ids(con, f"SELECT * FROM metrics.dated_statements {_WANTED}", ids), reports
        ),
        "tables_present": frames.tables_present_frame(reports, found_tables),
        "format_followed": frames.format_frame(reports, found_tables),
        "completeness": frames.completeness_frame(found_tables),
        "continuity": context.continuity.filter(pl.col("report_id").is_in(ids)),
    }


# Continuity pairs whose texts are read by one query: a query scans the whole zstd text column
# however few texts it returns (0.3 s at 100k), so the pairs' texts are read this many pairs at a
# time, once per stage (a read per batch of reports took 6 s of the 100k quality stage).
PAIRS_PER_TEXT_READ = 10_000


def continuity_with_shares(
    con: duckdb.DuckDBPyConnection, continuity: pl.DataFrame, pairs_per_read: int = PAIRS_PER_TEXT_READ
) -> pl.DataFrame:
    """`continuity` with `copied_share` filled from the two texts of each pair."""
    parts = []
    for offset in range(0, continuity.height, pairs_per_read):
        pairs = continuity.slice(offset, pairs_per_read)
        ids = sorted(set(pairs["report_id"].to_list()) | set(pairs["previous_report_id"].to_list()))
        texts = _select_ids(con, f"SELECT report_id, text FROM cleaned.reports {_wanted_texts('cleaned.reports')}", ids)
        parts.append(frames.with_copied_share(pairs, texts))
    return pl.concat(parts) if parts else continuity


def touched_reports(context: QualityContext, pending_ids: list[str]) -> list[str]:
    """The reports whose flags a change to `pending_ids` can alter: themselves, reports with the
    same text (DUPLICATE_REPORT), and the other year of each continuity pair they belong to."""
    wanted = set(pending_ids)
    # Reports with one text share the id of its first copy (duplicate_of, or their own).
    reports = context.report_rows.with_columns(pl.coalesce("duplicate_of", "report_id").alias("text_key"))
    shared = reports.filter(pl.col("report_id").is_in(pending_ids)).get_column("text_key")
    wanted.update(reports.filter(pl.col("text_key").is_in(shared.implode())).get_column("report_id").to_list())
    pairs = context.continuity
    if not pairs.is_empty():
        ids = list(wanted)
        linked = pairs.filter(pl.col("report_id").is_in(ids) | pl.col("previous_report_id").is_in(ids))
        wanted.update(linked.get_column("report_id").to_list())
    return sorted(wanted)


def validate_pending(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    now: datetime,
    docs_dir: Path | None = None,
    batch_size: int = BATCH_SIZE,
    rows_per_run: int = suites.ROWS_PER_RUN,
    progress: Progress = _no_progress,
) -> StageStats:
    """Run the suites over the reports a change touched, batch by batch, and replace their flags.

    Cross-report rules (duplicates, continuity) can change an old report's flags when a new one
    arrives, so the reports judged are the pending ones plus those sharing their text or a
    continuity pair with them. What those rules need of the whole warehouse (one row per report,
    one per continuity pair) is read once; every other frame is read per batch, so memory follows
    the batch and not the warehouse."""
    stats = StageStats()
    todo = pending(con, "quality", "metrics")
    if not todo:
        return stats
    release_workers()  # GX runs here, in this process: idle workers would only hold memory
    context = quality_context(con, todo)
    judged = touched_reports(context, todo)
    judged_pairs = context.continuity.filter(pl.col("report_id").is_in(judged))
    context = replace(context, continuity=continuity_with_shares(con, judged_pairs))
    # The next batch's frames are read (DuckDB, Polars) while GX validates the last (Python).
    batches = prefetched(validation_frames(con, context, batch) for batch in _batches(judged, batch_size))
    flags, runs = suites.run_suites(
        _told(batches, progress, len(judged)), run_id, docs_dir=docs_dir, rows_per_run=rows_per_run
    )
    before = processed_before(con, "quality", judged)
    _delete_reports(con, ("quality.flags",), [report_id for report_id in judged if report_id in before])
    stats.add_rows("quality.flags", insert_frame(con, "quality.flags", flags))
    stats.add_rows("quality.validation_runs", insert_frame(con, "quality.validation_runs", runs))
    # Every judged report is marked (its flags were replaced), not only the pending ones: the marts
    # rebuild the overview rows of the reports marked since their last build.
    _mark_processed(con, "quality", judged, now, [report_id for report_id in judged if report_id in before])
    stats.processed = len(todo)
    stats.counts = {"reports_judged": len(judged)}
    stats.counts.update({f"rule.{k}": v for k, v in sorted(Counter(flags["rule"].to_list()).items())})
    return stats


def _told(
    batches: Iterator[dict[str, pl.DataFrame]], progress: Progress, total: int
) -> Iterator[dict[str, pl.DataFrame]]:
    """`batches`, telling `progress` how many reports' frames GX has been handed once it asks for
    the next batch. Told here, in the thread GX runs in, not in the one reading the frames: a
    Dagster log handler may write to a SQLite store that only its own thread may use."""
    done = 0
    for batch in batches:
        if done:
            progress(done, total)
        done += batch["reports"].height
        yield batch
    progress(done, total)


# ---------------------------------------------------------------------------- invariants
def contract_problems(con: duckdb.DuckDBPyConnection, since: datetime | None = None) -> dict[str, int]:
    """Counts of contract violations (all 0 in a sound warehouse). The unique key of
    metrics.report_metrics is checked here, not by an index (see warehouse/schema.sql). With
    `since`, that key is tested only for the reports whose metric rows were written after it: a
    report's rows are written whole by the segmented stage (table cells) and the metrics stage
    (prose rows), which mark it in meta.processed, and the key holds report_id, so no other
    report's rows can break it (100k reports: 1.9 s → 0.05 s for a run that wrote 1,000)."""
    queries = {
        "raw reports never cleaned": "SELECT count(*) FROM "
        "(SELECT report_id FROM raw.reports EXCEPT SELECT report_id FROM cleaned.reports)",
        "duplicate metric rows": "SELECT count(*) FROM (SELECT report_id, metric, source "
        "FROM metrics.report_metrics GROUP BY ALL HAVING count(*) > 1)",
        "flags with unknown rules": "SELECT count(*) FROM quality.flags "
        "WHERE rule NOT IN (SELECT rule FROM catalog.rules)",
        "reports missing from the mart": "SELECT count(*) FROM (SELECT report_id FROM cleaned.reports "
        "EXCEPT SELECT report_id FROM marts.report_overview)",
    }
    duplicates: int | None = None  # known without the exact grouping over the whole table
    if since is not None:
        duplicates = con.execute(
            "SELECT count(*) FROM (SELECT report_id, metric, source FROM metrics.report_metrics "
            "WHERE report_id IN (SELECT report_id FROM meta.processed "
            "WHERE stage IN ('segmented', 'metrics') AND processed_at > ?) "
            "GROUP BY ALL HAVING count(*) > 1)",
            [since],
        ).fetchall()[0][0]
    else:
        # Rows of one key share a hash, so equal counts of rows and of distinct key hashes prove
        # the key unique; only otherwise (a duplicate, or a hash collision) is the exact grouping
        # run. At 100k (19 M rows): 1.2 s instead of 5.7 s.
        same_hash = "SELECT count(*) - count(DISTINCT hash(report_id, metric, source)) FROM metrics.report_metrics"
        duplicates = None if con.execute(same_hash).fetchall()[0][0] else 0
    return {
        name: int(duplicates)
        if name == "duplicate metric rows" and duplicates is not None
        else int(con.execute(sql).fetchall()[0][0])
        for name, sql in queries.items()
    }


def last_contract_pass(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When this warehouse last passed the contract check (None: never recorded)."""
    return con.execute("SELECT max(checked_at) FROM meta.contract_checks WHERE problems = 0").fetchall()[0][0]


def check_contract(con: duckdb.DuckDBPyConnection, record: bool) -> dict[str, int]:
    """The contract check of a run's warehouse, made before it is published (a warehouse that
    fails is not published, so every published check passed). Only what was written since the
    last check this warehouse passed is tested for the metric key; the whole warehouse when there
    is none. With `record` (a run's staging copy), the check is appended to meta.contract_checks."""
    since = last_contract_pass(con)
    problems = contract_problems(con, since)
    if record:
        con.execute(
            "INSERT INTO meta.contract_checks VALUES (?, ?, ?)", [warehouse_now(con), since, sum(problems.values())]
        )
    return problems


# ---------------------------------------------------------------------------- marts
def build_marts(con: duckdb.DuckDBPyConnection) -> StageStats:
    """The marts. `report_overview` is rewritten only for the reports whose rows changed since the
    last build: every stage marks the reports it wrote in meta.processed (quality marks every report
    it judged, since a new report can change an old one's flags) and raw stamps `ingested_at`, so
    those marks name every report whose overview row can differ (100k reports: 1.9 s for the whole
    mart). A first build, or one after the marts' SQL changed, writes every row. The other marts
    are small aggregates of it, built anew."""
    stats = StageStats()
    since = _marts_built_at(con)
    if since is None:
        con.execute("DROP TABLE IF EXISTS marts.report_overview")  # its columns may have changed
        con.execute("CREATE OR REPLACE TEMPORARY TABLE marts_scope AS SELECT report_id FROM cleaned.reports")
    else:
        con.execute(
            "CREATE OR REPLACE TEMPORARY TABLE marts_scope AS "
            "SELECT report_id FROM meta.processed WHERE processed_at > $since "
            "UNION SELECT report_id FROM raw.reports WHERE ingested_at > $since",
            {"since": since},
        )
    stats.counts["overview_rows_rebuilt"] = con.execute("SELECT count(*) FROM marts_scope").fetchall()[0][0]
    con.execute("SET VARIABLE min_ratio_base = ?", [MIN_RATIO_BASE])
    con.execute(marts_sql())
    con.execute("DROP TABLE marts_scope")
    con.execute("DELETE FROM meta.marts_built")
    con.execute("INSERT INTO meta.marts_built VALUES (?, ?)", [warehouse_now(con), marts_definition()])
    for table in ("marts.report_overview", "marts.agency_year", "marts.province_year", "marts.flag_summary"):
        stats.add_rows(table, con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
    return stats
