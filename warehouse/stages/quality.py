"""The quality stage: the Great Expectations suites (`expectations/suites.py`) judge the frames
`transforms/frames.py` derives from the metrics stage's tables, and their findings replace the
judged reports' rows of `quality.flags`; each suite's run is recorded in `quality.validation_runs`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from expectations import suites
from transforms import frames
from warehouse.batches import BATCH_SIZE, batches
from warehouse.ledger import delete_reports, mark_processed, pending, processed_before
from warehouse.parallel import prefetched
from warehouse.parallel import release as release_workers
from warehouse.sql import WANTED, ids_frame, registered, select_ids, statements, wanted_texts
from warehouse.stage import Stage
from warehouse.stats import Progress, StageStats, no_progress
from warehouse.store import frame, insert_frame

STAGE = Stage("quality", "quality_flags", "metrics", ("quality.flags", "quality.validation_runs"), version="5")
_SQL = statements("warehouse.stages", "quality.sql")


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
    with registered(con, wanted_ids=ids_frame(scope), continuity_metrics=continuity_metrics):
        reports = frame(con, _SQL["context_reports"])
        continuity_rows = frame(con, _SQL["continuity_rows"])
    return QualityContext(reports, frames.report_frame(reports), frames.continuity_frame(reports, continuity_rows))


def validation_frames(
    con: duckdb.DuckDBPyConnection, context: QualityContext, ids: list[str]
) -> dict[str, pl.DataFrame]:
    """Every frame a suite judges for the reports `ids`, derived from the metrics stage's tables.
    Where a flagged row stands is found afterwards, for the flagged rows only (`describer`)."""
    reports = context.reports.filter(pl.col("report_id").is_in(ids))
    # Table cells and prose figures apart: no frame reads a cell's evidence line (only the prose
    # rows' are read), and those lines would be most of what one query of both decompressed and
    # handed over, on the path GX waits on. The prose rows come from their own table, which holds
    # their positions (the metrics view does not).
    table_rows = select_ids(con, f"SELECT report_id, metric, value FROM segmented.table_cells {WANTED}", ids)
    prose_rows = select_ids(
        con,
        f"SELECT report_id, metric, value, qualifier, source, evidence, start_char, page FROM metrics.text_metrics "
        f"{WANTED}",
        ids,
    )
    found_tables = select_ids(con, f"SELECT * FROM segmented.tables {WANTED}", ids)
    cells = frames.table_cells(table_rows)
    return {
        "reports": context.report_rows.filter(pl.col("report_id").is_in(ids)),
        "t3_columns": frames.t3_column_frame(cells, reports),
        "t3_rows": frames.t3_row_frame(cells),
        "t4_groups": frames.t4_frame(cells),
        "cells": frames.cell_frame(cells),
        "figures": frames.figure_frame(select_ids(con, f"SELECT * FROM metrics.figures {WANTED}", ids)),
        "plans": frames.plan_frame(select_ids(con, f"SELECT * FROM metrics.plans {WANTED}", ids), reports),
        "text_table": frames.text_table_frame(prose_rows, cells),
        "totals": frames.totals_frame(select_ids(con, f"SELECT * FROM metrics.totals {WANTED}", ids)),
        "percents": frames.percent_frame(select_ids(con, f"SELECT * FROM metrics.percents {WANTED}", ids)),
        "dated": frames.dated_frame(select_ids(con, f"SELECT * FROM metrics.dated_statements {WANTED}", ids), reports),
        "tables_present": frames.tables_present_frame(reports, found_tables),
        "format_followed": frames.format_frame(reports, found_tables),
        "completeness": frames.completeness_frame(found_tables),
        "continuity": context.continuity.filter(pl.col("report_id").is_in(ids)),
    }


def describer(cursor: duckdb.DuckDBPyConnection) -> Callable[[str, pl.DataFrame], pl.DataFrame]:
    """`run_suites`' `describe`: the flagged rows of a frame with their `where` (and a report's
    `spam_where`, `garbled_where`), from their reports' top-level sections, page starts and cell
    positions. `cursor`: a cursor of its own, as GX runs in this thread while the next batch's
    frames are read in another."""

    def describe(frame_name: str, rows: pl.DataFrame) -> pl.DataFrame:
        if frame_name not in frames.PLACED_FRAMES:
            return rows
        ids = rows.get_column("report_id").unique().to_list()
        sections = select_ids(cursor, _SQL["top_sections"], ids)
        page_starts = select_ids(cursor, _SQL["page_starts"], ids)
        cell_positions = (
            select_ids(cursor, _SQL["cell_positions"], ids) if frame_name in frames.TABLE_FRAME_CELLS else None
        )
        return frames.described(frame_name, rows, sections, page_starts, cell_positions)

    return describe


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
        texts = select_ids(con, f"SELECT report_id, text FROM cleaned.reports {wanted_texts('cleaned.reports')}", ids)
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
    progress: Progress = no_progress,
) -> StageStats:
    """Run the suites over the reports a change touched, batch by batch, and replace their flags.

    Cross-report rules (duplicates, continuity) can change an old report's flags when a new one
    arrives, so the reports judged are the pending ones plus those sharing their text or a
    continuity pair with them. What those rules need of the whole warehouse (one row per report,
    one per continuity pair) is read once; every other frame is read per batch, so memory follows
    the batch and not the warehouse."""
    stats = StageStats()
    todo = pending(con, STAGE)
    if not todo:
        return stats
    release_workers()  # GX runs here, in this process: idle workers would only hold memory
    context = quality_context(con, todo)
    judged = touched_reports(context, todo)
    judged_pairs = context.continuity.filter(pl.col("report_id").is_in(judged))
    context = replace(context, continuity=continuity_with_shares(con, judged_pairs))
    # The next batch's frames are read (DuckDB, Polars) while GX validates the last (Python).
    frames_read = prefetched(validation_frames(con, context, batch) for batch in batches(judged, batch_size))
    with closing(con.cursor()) as cursor:
        flags, runs = suites.run_suites(
            _told(frames_read, progress, len(judged)),
            run_id,
            docs_dir=docs_dir,
            rows_per_run=rows_per_run,
            describe=describer(cursor),
        )
    before = processed_before(con, STAGE, judged)
    delete_reports(con, ("quality.flags",), [report_id for report_id in judged if report_id in before])
    stats.add_rows("quality.flags", insert_frame(con, "quality.flags", flags))
    stats.add_rows("quality.validation_runs", insert_frame(con, "quality.validation_runs", runs))
    # Every judged report is marked (its flags were replaced), not only the pending ones: the marts
    # rebuild the overview rows of the reports marked since their last build.
    mark_processed(con, STAGE, judged, now, [report_id for report_id in judged if report_id in before])
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
