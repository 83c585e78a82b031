"""The cleaned stage: `cleaned.reports`, each report's normalised Simplified text and its metadata
(`transforms.pipeline.clean_batch`)."""

from __future__ import annotations

import duckdb
import polars as pl

from transforms import pipeline
from warehouse.batches import BatchStage, insert_all, per_report
from warehouse.sql import exported, wanted_texts
from warehouse.stage import Stage
from warehouse.stats import StageStats

STAGE = Stage("cleaned", "cleaned_reports", "raw", ("cleaned.reports",), version="7")


def _write_cleaned(con: duckdb.DuckDBPyConnection, batch: list[str], rows: pl.DataFrame, stats: StageStats) -> None:
    insert_all(con, stats, [("cleaned.reports", rows)])
    stats.tally("fix." + rows["fixes"].explode())


def _fill_missing_digests(con: duckdb.DuckDBPyConnection) -> None:
    """The batches carry their texts' digests; this fills rows an older build wrote without one."""
    con.execute("UPDATE cleaned.reports SET text_sha256 = sha256(text) WHERE text_sha256 IS NULL")


CLEANED = BatchStage(
    STAGE,
    lambda con, ids, size: per_report(
        exported(con, f"SELECT report_id, media_type, text FROM raw.reports {wanted_texts('raw.reports')}", ids, size)
    ),
    pipeline.clean_batch,
    _write_cleaned,
    _fill_missing_digests,
)


clean_pending = CLEANED.run  # the stage's entry point, as the asset calls it
