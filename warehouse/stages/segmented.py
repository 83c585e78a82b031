"""The segmented stage: each report's heading tree (`segmented.sections`) and standard tables
(`segmented.tables`, `segmented.table_cells`), from `transforms.pipeline.segment_batch`."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import polars as pl

from transforms import pipeline
from transforms.documents.docx import MEDIA_TYPE as DOCX_MEDIA_TYPE
from warehouse.batches import BatchStage, insert_all, per_report
from warehouse.sql import WANTED, exported, wanted_texts
from warehouse.stage import Stage
from warehouse.stats import StageStats

STAGE = Stage(
    "segmented",
    "segmented_reports",
    "cleaned",
    ("segmented.sections", "segmented.tables", "segmented.table_cells"),
    version="6",
)


# Cell columns whose values are codes repeated in every report: sent back from a worker as
# categoricals (per 2,000 reports 26 MB of pickled strings, 6 MB so).
CELL_CODE_COLUMNS = ("metric", "unit")


def segment_batch(cleaned: pl.DataFrame) -> pipeline.Segmented:
    """`pipeline.segment_batch` for the trip back from a worker: its cells come a table row at a
    time (a row's evidence line pickled once, not once per cell), their codes as categoricals."""
    found = pipeline.segment_batch(cleaned)
    return replace(found, cell_values=found.cell_values.with_columns(pl.col(CELL_CODE_COLUMNS).cast(pl.Categorical)))


def _write_segmented(
    con: duckdb.DuckDBPyConnection, batch: list[str], found: pipeline.Segmented, stats: StageStats
) -> None:
    insert_all(
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
    STAGE,
    lambda con, ids, size: per_report(
        exported(
            con,
            f"""
            SELECT c.report_id, c.text, r.media_type = 'text/html' AS is_html, c.page_starts,
                CASE r.media_type WHEN 'application/pdf' THEN 'pdf' WHEN '{DOCX_MEDIA_TYPE}' THEN 'docx' END
                    AS document_layout
            FROM (SELECT report_id, text, page_starts FROM cleaned.reports {wanted_texts("cleaned.reports")}) AS c
            JOIN (SELECT report_id, media_type FROM raw.reports {WANTED}) AS r USING (report_id)""",
            ids,
            size,
        )
    ),
    segment_batch,
    _write_segmented,
)


segment_pending = SEGMENTED.run  # the stage's entry point, as the asset calls it
