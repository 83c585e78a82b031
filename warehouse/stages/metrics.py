"""The metrics stage: the prose's figures and the catalogue's prose metrics (`metrics.text_metrics`,
shown with the table cells in the view `metrics.report_metrics`), every figure with a unit
(`metrics.figures`), plans, totals with parts, shares and dated statements, from
`transforms.pipeline.extract_batch`."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import polars as pl

from transforms import pipeline
from warehouse.batches import BatchStage, insert_all, per_report
from warehouse.sql import WANTED, exported, select_ids, wanted_texts
from warehouse.stage import Stage
from warehouse.stats import StageStats

METRIC_TABLES = (
    "metrics.text_metrics",
    "metrics.figures",
    "metrics.plans",
    "metrics.totals",
    "metrics.percents",
    "metrics.dated_statements",
)
STAGE = Stage("metrics", "report_metrics", "segmented", METRIC_TABLES, version="6")


def _prose_inputs(
    con: duckdb.DuckDBPyConnection, ids: list[str], size: int
) -> Iterator[tuple[list[str], tuple[pl.DataFrame, pl.DataFrame]]]:
    """Texts streamed; each batch's section spans (no text) read by id."""
    for batch_ids, texts in per_report(
        exported(
            con,
            f"SELECT report_id, text, page_starts FROM cleaned.reports {wanted_texts('cleaned.reports')}",
            ids,
            size,
        )
    ):
        spans = select_ids(
            con, f"SELECT report_id, section_no, start_char, end_char FROM segmented.sections {WANTED}", batch_ids
        )
        yield batch_ids, (texts, spans)


def _write_metrics(
    con: duckdb.DuckDBPyConnection, batch: list[str], out: pipeline.Extracted, stats: StageStats
) -> None:
    insert_all(
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


METRICS = BatchStage(STAGE, _prose_inputs, pipeline.extract_batch, _write_metrics)


extract_pending = METRICS.run  # the stage's entry point, as the asset calls it
