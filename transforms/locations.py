"""Where things stand in a report: the section and the page of a position (`with_section_no`,
`with_page`: where a figure is read), and, in the words a flag's message uses, the top-level section
holding a finding (「三、收到和处理政府信息公开申请情况」) and, for a PDF or DOCX, its page or pages.

The top-level section is named rather than the innermost one: headings below the first level are
where segmentation errs most (a table row read as `(七)总计 21 0 0 …`), and a reader finds the
finding from the part of the report it stands in, then by its quoted words or table row.
"""

from __future__ import annotations

import polars as pl

from transforms import segment


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
