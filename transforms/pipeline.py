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


def with_page(rows: pl.DataFrame, page_starts: pl.DataFrame, position: str = "start_char") -> pl.DataFrame:
    """`page`: the page of a PDF or DOCX source each row's `position` stands on (the last page
    starting at or before it); NULL for text and HTML sources, which have no page_starts."""
    paged = page_starts.filter(pl.col("page_starts").is_not_null())
    if paged.is_empty():  # a batch of web pages and text files: nothing to place
        return rows.with_columns(pl.lit(None, dtype=pl.Int32).alias("page"))
    pages = (
        paged.with_columns(pl.int_ranges(1, pl.col("page_starts").list.len() + 1, dtype=pl.Int32).alias("page"))
        .explode("page_starts", "page")
        .select("report_id", pl.col("page_starts").cast(pl.Int64).alias("_page_start"), "page")
        .sort("report_id", "_page_start")
    )
    keyed = rows.with_row_index("_row").with_columns(pl.col(position).cast(pl.Int64).alias("_position"))
    placed = (
        keyed.filter(pl.col("_position").is_not_null())
        .sort("report_id", "_position")
        .join_asof(
            pages,
            left_on="_position",
            right_on="_page_start",
            by="report_id",
            strategy="backward",
            check_sortedness=False,
        )
        .select("_row", "page")
    )
    return keyed.join(placed, on="_row", how="left", maintain_order="left").drop("_row", "_position")


def with_section_no(rows: pl.DataFrame, sections: pl.DataFrame, position: str = "start_char") -> pl.DataFrame:
    """`section_no`: the innermost section holding each row's `position`. Headings nest, so that is
    the section that starts last at or before the position (an as-of join), provided it has not
    ended; where it has, the slow exact search decides."""
    sections = sections.select("report_id", "section_no", "start_char", "end_char").sort("report_id", "start_char")
    keyed = rows.with_row_index("_row").with_columns(pl.col(position).fill_null(0).alias("_position"))
    joined = (
        keyed.sort("report_id", "_position")
        .join_asof(
            sections.rename({"start_char": "_section_start", "end_char": "_section_end", "section_no": "_section"}),
            left_on="_position",
            right_on="_section_start",
            by="report_id",
            strategy="backward",
            check_sortedness=False,  # both sides sorted by report_id, then position, just above
        )
        .sort("_row")
    )
    outside = joined.filter(pl.col("_section").is_not_null() & (pl.col("_section_end") <= pl.col("_position")))
    section_no = joined.get_column("_section").cast(pl.Int32)
    if not outside.is_empty():
        spans: dict[str, list[tuple[int, int, int]]] = {}
        for report_id, no, start, end in sections.iter_rows():
            spans.setdefault(report_id, []).append((no, start, end))
        fixes = {
            row: segment.section_at(spans.get(report_id, []), pos)
            for row, report_id, pos in outside.select("_row", "report_id", "_position").iter_rows()
        }
        section_no = pl.Series(
            "section_no",
            [fixes.get(row, value) for row, value in enumerate(section_no.to_list())],
            dtype=pl.Int32,
        )
    return rows.with_columns(section_no.alias("section_no"))


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
