"""Where a finding stands in its report, in the words a flag's message uses: the top-level section
holding it (「三、收到和处理政府信息公开申请情况」) and, for a PDF or DOCX, its page or pages.

The top-level section is named rather than the innermost one: headings below the first level are
where segmentation errs most (a table row read as `(七)总计 21 0 0 …`), and a reader finds the
finding from the part of the report it stands in, then by its quoted words or table row.
"""

from __future__ import annotations

import polars as pl

from transforms.pipeline import with_page, with_section_no

# A section heading is cut to this many characters in a message (some run into their first line).
HEADING_CHARS = 24


def section_titles(sections: pl.DataFrame) -> pl.DataFrame:
    """(report_id, section_no, start_char, end_char, section_title) of the top-level sections:
    `三、收到和处理政府信息公开申请情况` (a label in brackets or ending in a stop keeps its own mark)."""
    heading = pl.col("heading").str.replace_all(r"\s+", " ").str.strip_chars()
    short = (
        pl.when(heading.str.len_chars() > HEADING_CHARS)
        .then(heading.str.slice(0, HEADING_CHARS) + pl.lit("…"))
        .otherwise(heading)
    )
    separator = pl.when(pl.col("label").str.contains(r"[)）.、．]$")).then(pl.lit("")).otherwise(pl.lit("、"))
    return sections.filter(pl.col("parent_no").is_null()).select(
        "report_id",
        "section_no",
        "start_char",
        "end_char",
        pl.concat_str([pl.col("label"), separator, short]).alias("section_title"),
    )


def _pages(page: str) -> pl.Expr:
    first, last = pl.col(f"{page}_first"), pl.col(f"{page}_last")
    return (
        pl.when(first.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(last.is_null() | (first == last))
        .then(pl.format("第{}页", first))
        .otherwise(pl.format("第{}–{}页", first, last))
    )


def located(
    rows: pl.DataFrame,
    sections: pl.DataFrame,
    page_starts: pl.DataFrame,
    first: str = "first_char",
    last: str = "last_char",
) -> pl.DataFrame:
    """`rows` with `section` (the top-level section's title at `first`), `page_first`/`page_last`
    (the pages of `first` and `last`; a row's own `page_first`/`page_last` where it has them, as
    a PDF table cell has) and `place`: `「三、…」,第3–4页`, or NULL where neither is known.

    `sections`: segmented.sections rows (report_id, section_no, parent_no, label, heading,
    start_char, end_char); `page_starts`: (report_id, page_starts) of cleaned.reports."""
    titles = section_titles(sections)
    keyed = rows.with_row_index("_located_row")
    positions = keyed.select(
        "_located_row",
        "report_id",
        pl.col(first).cast(pl.Int64).alias("_first"),
        (pl.coalesce(pl.col(last), pl.col(first)) if last in rows.columns else pl.col(first))
        .cast(pl.Int64)
        .alias("_last"),
    )
    in_section = with_section_no(positions, titles, position="_first").with_columns(
        pl.when(pl.col("_first").is_not_null()).then(pl.col("section_no")).alias("section_no")
    )
    paged = with_page(in_section, page_starts, position="_first").rename({"page": "_page_first"})
    paged = with_page(paged, page_starts, position="_last").rename({"page": "_page_last"})
    found = paged.join(
        titles.select("report_id", "section_no", pl.col("section_title").alias("section")),
        on=["report_id", "section_no"],
        how="left",
    ).select("_located_row", "section", "_page_first", "_page_last")

    def own(column: str) -> pl.Expr:
        return pl.col(column) if column in rows.columns else pl.lit(None, dtype=pl.Int32)

    return (
        keyed.drop("section", strict=False)
        .join(found, on="_located_row", how="left", maintain_order="left")
        .with_columns(
            pl.coalesce(own("page_first"), "_page_first").cast(pl.Int32).alias("page_first"),
            pl.coalesce(own("page_last"), "_page_last").cast(pl.Int32).alias("page_last"),
        )
        .with_columns(
            pl.concat_str(
                [pl.format("「{}」", pl.col("section")), _pages("page")], separator=",", ignore_nulls=True
            ).alias("place")
        )
        .with_columns(pl.when(pl.col("place") != "").then(pl.col("place")).alias("place"))
        .drop("_located_row", "_page_first", "_page_last")
    )
