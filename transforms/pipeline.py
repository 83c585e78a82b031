"""What each stage computes for one batch of reports: the pure compositions of the transforms.

The warehouse stages read a batch, hand it to one of these functions (in this process, or in a
worker process when a run has several batches), and write what comes back. Frames in, frames out:
nothing here touches the warehouse, so a batch can be computed anywhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from transforms import clean, figures, ingest, metadata, segment, tables
from transforms.figures import statements
from transforms.locations import with_page, with_section_no

TABLE_COLUMNS = (
    "report_id",
    "table_code",
    "layout",
    "section_no",
    "cells_expected",
    "cells_read",
    "cells_recovered",
    "start_char",
    "cells_missing",
    "split_constraints",
    "split_ambiguous",
)


def ingest_batch(
    inputs: tuple[list[ingest.InboxFile], frozenset[str], datetime],
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(new reports, rejected files, file → report map) for a batch of inbox files: read, hashed,
    decoded. `inputs`: the files, the report ids known already, the time to stamp."""
    files, known_ids, now = inputs
    return ingest.ingest(files, known_ids, now)


def clean_batch(raw: pl.DataFrame) -> pl.DataFrame:
    """cleaned.reports rows for a batch of raw reports (report_id, media_type, text)."""
    cleaned = clean.clean_reports(raw)
    # The digests beside their own texts, before the join (which keeps no row order).
    cleaned = cleaned.with_columns(text_sha256(cleaned.get_column("text")))
    # Every column but cleaning's working copy of the text (the header fields metadata reads) is a
    # column of cleaned.reports, whose DDL is the one list of them (rows are inserted by name).
    return cleaned.join(metadata.extract_metadata(cleaned), on="report_id").drop("pre_chrome")


def text_sha256(texts: pl.Series) -> pl.Series:
    """Each text's SHA-256 (of its UTF-8, in hex, as DuckDB's `sha256`): the key duplicates by text
    are found by. Computed with the batch in the worker: an UPDATE of the whole table after the
    stage ran alone in the run's process (0.3 s per 10,000 reports)."""
    digests = [None if text is None else hashlib.sha256(text.encode()).hexdigest() for text in texts.to_list()]
    return pl.Series("text_sha256", digests, dtype=pl.String)


@dataclass
class Segmented:
    sections: pl.DataFrame
    tables: pl.DataFrame
    # The table cells in two frames (tables.read_reports_table_rows): per row of cells, with its
    # section_no, and the cells' values.
    cell_rows: pl.DataFrame
    cell_values: pl.DataFrame

    @property
    def cells(self) -> pl.DataFrame:
        """One row per table cell: segmented.table_cells' rows."""
        return tables.explode_cells(self.cell_rows, self.cell_values)


def segment_batch(cleaned: pl.DataFrame) -> Segmented:
    """Sections, tables and table cells for a batch of cleaned reports (report_id, text, is_html).
    Tables and cells carry the section they stand in, so the metrics stage copies cells as they are.
    A table row's cells share its place and evidence line: those are placed in sections, made into
    a frame and sent back from a worker once per row (per cell they cost five times as much), and
    the writer joins the rows to their cells."""
    sections = segment.segment_reports(cleaned)
    found_tables, cell_rows, cell_values = tables.read_reports_table_rows(cleaned)
    found_tables = with_section_no(found_tables, sections)
    if "document_layout" in cleaned.columns:
        found_tables = with_document_layout(found_tables, cleaned.select("report_id", "document_layout"))
    cell_rows = with_section_no(cell_rows, sections)
    if "page_starts" in cleaned.columns:
        cell_rows = with_page(cell_rows, cleaned.select("report_id", "page_starts"))
    return Segmented(sections, found_tables.select(TABLE_COLUMNS), cell_rows, cell_values)


# Layouts a document's own structure replaces: rows a PDF's positions or a DOCX's cells laid out
# one per line are that document's layout; cells cut from glued digits stay `glued`.
DOCUMENT_LAYOUTS_REPLACE = ("grid", "flat")


def with_document_layout(found_tables: pl.DataFrame, layouts: pl.DataFrame) -> pl.DataFrame:
    """`layout` = the document's (`pdf`, `docx`) for tables read from its rebuilt rows."""
    return (
        found_tables.join(layouts, on="report_id", how="left")
        .with_columns(
            pl.when(pl.col("document_layout").is_not_null() & pl.col("layout").is_in(DOCUMENT_LAYOUTS_REPLACE))
            .then(pl.col("document_layout"))
            .otherwise(pl.col("layout"))
            .alias("layout")
        )
        .drop("document_layout")
    )


@dataclass
class Extracted:
    text_metrics: pl.DataFrame
    figures: pl.DataFrame
    plans: pl.DataFrame
    totals: pl.DataFrame
    percents: pl.DataFrame
    dated_statements: pl.DataFrame


def extract_batch(inputs: tuple[pl.DataFrame, pl.DataFrame]) -> Extracted:
    """The metrics stage's prose rows for a batch: (cleaned texts, sections) in."""
    cleaned, sections = inputs
    # The texts as Python strings once, for both extractions.
    report_ids, texts = cleaned.get_column("report_id").to_list(), cleaned.get_column("text").to_list()
    text_metrics, figure_rows, plan_rows = figures.extract_prose(report_ids, texts, sections)
    if "page_starts" in cleaned.columns:
        text_metrics = with_page(text_metrics, cleaned.select("report_id", "page_starts"))
    totals, percents, dated = statements.extract_statements(report_ids, texts)
    return Extracted(text_metrics, figure_rows, plan_rows, totals, percents, dated)
