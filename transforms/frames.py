"""Validation frames: the shapes the GX suites judge, derived from the metrics stage's tables.

One row per report, per report × table-3 column, per report × table-3 row, per report × table-4
group, per prose figure, per plan statement, per agency × consecutive years. Python prepares
columns here; the expectation suites decide.
"""

from __future__ import annotations

import polars as pl

from transforms import calendar, catalog, locations
from transforms import patterns as p
from transforms.figures import statements

T3_COLUMN_ZH = {c.code: c.label_zh for c in catalog.T3_COLUMNS}
T3_ROW_ZH = {r.code: r.label_zh for r in catalog.T3_ROWS}
T4_GROUP_ZH = {g.code: g.label_zh for g in catalog.T4_GROUPS}
METRIC_ZH = {str(m["metric"]): str(m["label_zh"]) for m in catalog.metric_catalogue()}
APPLICANT_COLUMNS = [c.code for c in catalog.T3_COLUMNS if c.code != "total"]
# The standard tables as a reader names them: 表三, and the part of the report it belongs to.
TABLE_NUMBER_ZH = {"t2": "表二", "t3": "表三", "t4": "表四"}
# Each metric as a message names it: a table cell with its table (`表三「(二)部分公开 / 总计」`), a
# prose metric by its label.
METRIC_LABEL = {
    metric: f"{TABLE_NUMBER_ZH[metric[:2]]}「{label}」" if metric[:2] in TABLE_NUMBER_ZH else label
    for metric, label in METRIC_ZH.items()
}
DOC_TYPE_ZH = {"annual_report": "年度报告", "work_plan": "工作计划或要点", "other": "其他文件(通知、公告、说明等)"}
DATE_PRECISION_ZH = {"day": "日", "month": "月", "year": "年"}
SPAM_IN_NAMES_ZH = ",其中 {} 处在机关或地方名称的位置(如《〔已屏蔽〕办公室关于…》),原名称已被替换,文中无从恢复"
STANDARD_TABLES = {"t2": "主动公开政府信息情况", "t3": "收到和处理政府信息公开申请情况", "t4": "行政复议、行政诉讼情况"}
STANDARD_TABLE_PART = {"t2": "二", "t3": "三", "t4": "四"}
# Where a finding stands when nothing finer is known.
WHOLE_TEXT = "正文"
# Where a finding stands, the columns `with_where` reads: positions in the cleaned text and, for a
# PDF or DOCX table cell, the page it was drawn on.
POSITION_COLUMNS = ("first_char", "last_char", "page_first", "page_last")
T4_PARTS = [c.code for c in catalog.T4_COLUMNS if c.code != "total"]


def with_row_key(frame: pl.DataFrame) -> pl.DataFrame:
    """`row_key`: the row's position, which GX reports back for each unexpected row."""
    return frame.with_row_index("row_key").with_columns(pl.col("row_key").cast(pl.Int64))


def metric_label(metric: pl.Expr) -> pl.Expr:
    """A metric code as the report prints it (`METRIC_LABEL`); an unknown code as it is."""
    return metric.replace_strict(METRIC_LABEL, default=metric)


def with_where(frame: pl.DataFrame, sections: pl.DataFrame, page_starts: pl.DataFrame) -> pl.DataFrame:
    """`where`: the finding's `item` (a table row, a column) and its place (`locations.located`:
    the top-level section at `first_char`, the pages from `first_char` to `last_char`), for the
    message; `正文` where neither is known. Position columns not in `frame` are taken as unknown."""
    if "first_char" not in frame.columns and "start_char" in frame.columns:  # a sentence's position
        frame = frame.with_columns(pl.col("start_char").alias("first_char"))
    missing = [pl.lit(None, dtype=pl.Int32).alias(c) for c in POSITION_COLUMNS if c not in frame.columns]
    placed = locations.located(frame.with_columns(missing), sections, page_starts)
    parts = [pl.col("item"), pl.col("place")] if "item" in frame.columns else [pl.col("place")]
    joined = pl.concat_str(parts, separator=",", ignore_nulls=True)  # "" when every part is NULL
    return placed.with_columns(pl.when(joined != "").then(joined).otherwise(pl.lit(WHOLE_TEXT)).alias("where"))


# Frames whose rows stand somewhere in the text (positions, pages): `described` names that place.
PLACED_FRAMES = frozenset(
    {
        "reports",
        "t3_columns",
        "t3_rows",
        "t4_groups",
        "cells",
        "figures",
        "plans",
        "text_table",
        "totals",
        "percents",
        "dated",
        "completeness",
    }
)


def described(
    frame_name: str,
    rows: pl.DataFrame,
    sections: pl.DataFrame,
    page_starts: pl.DataFrame,
    cell_positions: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Rows of the frame `frame_name` (the ones a suite flagged) with the place their messages
    name: `where` (`with_where`), or for the reports frame `spam_where` and `garbled_where`. A
    table frame's rows get their cells' span here (`with_cell_span`), and a cell its item (its
    table and printed row): only flagged rows pay for them (a report has ≈ 180 cells)."""
    if frame_name == "reports":
        return with_damage_places(rows, sections, page_starts)
    if frame_name in TABLE_FRAME_CELLS and cell_positions is not None:
        rows = with_cell_span(frame_name, rows, cell_positions)
    if frame_name == "cells":
        rows = rows.with_columns(metric_label(pl.col("metric")).alias("item"))
    return with_where(rows, sections, page_starts) if frame_name in PLACED_FRAMES else rows


def with_damage_places(reports: pl.DataFrame, sections: pl.DataFrame, page_starts: pl.DataFrame) -> pl.DataFrame:
    """`reports` (of `report_frame`) with `spam_where` and `garbled_where`: where the first masked
    spam string and the first unrepaired span stand (`with_where`)."""
    for damage in ("spam", "garbled"):
        places = with_where(
            reports.select("report_id", "row_key", pl.col(f"{damage}_first_char").alias("first_char")),
            sections,
            page_starts,
        )
        reports = reports.join(places.select("row_key", pl.col("where").alias(f"{damage}_where")), on="row_key")
    return reports


def with_metric_parts(rows: pl.DataFrame) -> pl.DataFrame:
    """`rows` with each metric code split: t3.granted.natural → table t3, row granted, column natural."""
    return rows.with_columns(
        pl.col("metric").str.split_exact(".", 2).struct.rename_fields(["table", "row_code", "col_code"]).alias("parts")
    ).unnest("parts")


def table_cells(table_rows: pl.DataFrame) -> pl.DataFrame:
    """Metric rows read from the tables (report_id, metric, value), their codes split
    (`with_metric_parts`): once per batch, for every frame built on them."""
    return with_metric_parts(table_rows).select("report_id", "metric", "table", "row_code", "col_code", "value")


def _cells(cells: pl.DataFrame, table: str) -> pl.DataFrame:
    """One table's cells (of `table_cells`) as (report_id, row_code, col_code, value)."""
    return cells.filter(pl.col("table") == table).select("report_id", "row_code", "col_code", "value")


def _wide(cells: pl.DataFrame, table: str, on: str, columns: list[str]) -> pl.DataFrame:
    """A table's cells pivoted to one column per `on` code, with every catalogue column present."""
    index = ["report_id", "col_code" if on == "row_code" else "row_code"]
    wide = _cells(cells, table).pivot(on=on, index=index, values="value")
    missing = [c for c in columns if c not in wide.columns]
    return wide.with_columns([pl.lit(None, dtype=pl.Float64).alias(c) for c in missing])


# The table frames' rows by the cells they judge: (table, the frame's key column, the cell's part
# it names). A flagged row's place is the span of those cells.
TABLE_FRAME_CELLS: dict[str, tuple[str, str, str]] = {
    "t3_columns": ("t3", "col_code", "col_code"),
    "t3_rows": ("t3", "row_code", "row_code"),
    "t4_groups": ("t4", "group_code", "row_code"),
    "cells": ("", "metric", "metric"),
}


def with_cell_span(frame_name: str, rows: pl.DataFrame, cell_positions: pl.DataFrame) -> pl.DataFrame:
    """Rows of a table frame with the span of the cells they judge (`POSITION_COLUMNS`): the first
    and last cell's positions and pages. `cell_positions`: segmented.table_cells (report_id,
    metric, start_char, page) of the rows' reports."""
    table, key, part = TABLE_FRAME_CELLS[frame_name]
    cells = with_metric_parts(cell_positions)
    if table:
        cells = cells.filter(pl.col("table") == table)
    span = cells.group_by("report_id", pl.col(part).alias(key)).agg(
        pl.col("start_char").min().cast(pl.Int32).alias("first_char"),
        pl.col("start_char").max().cast(pl.Int32).alias("last_char"),
        pl.col("page").min().cast(pl.Int32).alias("page_first"),
        pl.col("page").max().cast(pl.Int32).alias("page_last"),
    )
    return rows.drop(POSITION_COLUMNS, strict=False).join(
        span, on=["report_id", key], how="left", maintain_order="left"
    )


def government_own_report() -> pl.Expr:
    """Whether a report is a local people's government's own (its deadline is 31 March): the issuer
    the title names before its year, else the agency, is a 人民政府 or only a place. A report whose
    issuer is unknown is given the later deadline, so that no lateness is claimed on a guess."""
    issuer = pl.coalesce(pl.col("title").str.extract(p.TITLE_ISSUER, 1).str.replace_all(r"\s", ""), pl.col("agency"))
    return (
        issuer.is_null() | issuer.str.contains(p.GOVERNMENT_ISSUER) | issuer.str.contains(p.PLACE_ONLY_ISSUER)
    ).fill_null(True)


def report_frame(reports: pl.DataFrame) -> pl.DataFrame:
    """Columns in: report_id, doc_type, template, report_year, publish_date, publish_date_precision,
    spam_spans, garbled_spans, garbled_sample, text_sha256, source_path, and (optional) title,
    agency, spam_sample, spam_in_names, spam_first_char, garbled_first_char."""
    optional: dict[str, pl.DataType] = {
        "title": pl.String(),
        "agency": pl.String(),
        "spam_sample": pl.String(),
        "spam_in_names": pl.Int32(),
        "spam_first_char": pl.Int32(),
        "garbled_first_char": pl.Int32(),
    }
    reports = reports.with_columns(
        [pl.lit(None, dtype=dtype).alias(name) for name, dtype in optional.items() if name not in reports.columns]
    )
    latest = (
        pl.when(pl.col("publish_date_precision") == "year")
        .then(pl.date(pl.col("publish_date").dt.year(), 12, 31))
        .when(pl.col("publish_date_precision") == "month")
        .then(pl.col("publish_date").dt.month_end())
        .otherwise(pl.col("publish_date"))
    )
    earliest = pl.col("publish_date")  # a month or year precision date is stored as its first day
    annual = pl.col("doc_type") == "annual_report"
    year = pl.when(annual).then(pl.col("report_year"))
    # The legal deadline: 31 March of the next year up to report year 2018; from 2019, 31 March for
    # a local people's government's own report and 31 January for every other body's.
    deadline = (
        pl.when((year >= calendar.REVISED_REGULATIONS_FIRST_YEAR) & ~government_own_report())
        .then(pl.date(year + 1, 1, 31))
        .otherwise(pl.date(year + 1, 3, 31))
    )
    template_since = pl.col("template").replace_strict(calendar.TEMPLATE_FIRST_YEAR, default=None).cast(pl.Int32)
    first_of_text = (
        reports.sort("report_id")
        .group_by("text_sha256", maintain_order=True)
        .agg(pl.col("report_id").first().alias("first_id"), pl.col("source_path").first().alias("first_path"))
    )
    return with_row_key(
        reports.join(first_of_text, on="text_sha256", how="left")
        .with_columns(
            annual.alias("is_annual"),
            (~annual | pl.col("report_year").is_not_null()).alias("year_known"),
            pl.when(annual).then(latest).alias("publish_latest"),
            pl.when(annual & pl.col("report_year").is_not_null())
            .then(pl.date(pl.col("report_year"), 12, 31))
            .alias("year_end"),
            pl.when(pl.col("first_id") != pl.col("report_id")).then(pl.col("first_id")).alias("duplicate_of"),
            pl.when(pl.col("first_id") != pl.col("report_id")).then(pl.col("first_path")).alias("duplicate_path"),
            year.alias("annual_year"),
            pl.when(annual).then(deadline).alias("deadline"),
            pl.when(annual).then(earliest).alias("publish_earliest"),
            pl.when(annual).then(pl.col("period_start").dt.year()).cast(pl.Int32).alias("period_start_year"),
            pl.when(annual).then(pl.col("period_end").dt.year()).cast(pl.Int32).alias("period_end_year"),
            pl.when(annual).then(pl.col("title_year")).alias("title_year"),
            pl.when(annual).then(pl.col("body_year")).alias("body_year"),
            pl.when(annual).then(template_since).alias("template_since"),
            pl.col("doc_type").replace_strict(DOC_TYPE_ZH, default=pl.col("doc_type")).alias("doc_type_zh"),
            pl.col("publish_date_precision")
            .replace_strict(DATE_PRECISION_ZH, default=pl.col("publish_date_precision"))
            .alias("precision_zh"),
            pl.when(pl.col("spam_in_names") > 0)
            .then(pl.format(SPAM_IN_NAMES_ZH, pl.col("spam_in_names")))
            .otherwise(pl.lit(""))
            .alias("spam_in_names_zh"),
        )
        .select(
            "report_id",
            "doc_type",
            "template",
            "report_year",
            "publish_date",
            "publish_date_precision",
            "is_annual",
            "year_known",
            "publish_latest",
            "year_end",
            "spam_spans",
            "garbled_spans",
            "garbled_sample",
            "duplicate_of",
            "duplicate_path",
            "annual_year",
            "deadline",
            "publish_earliest",
            "period_start",
            "period_end",
            "period_start_year",
            "period_end_year",
            "title_year",
            "body_year",
            "template_since",
            "title",
            "doc_type_zh",
            "precision_zh",
            "spam_sample",
            "spam_in_names",
            "spam_in_names_zh",
            "spam_first_char",
            "garbled_first_char",
        )
    )


def t3_column_frame(cells: pl.DataFrame, reports: pl.DataFrame) -> pl.DataFrame:
    """Per report × table-3 column (cells of `table_cells`): the balance and the outcome sum."""
    templates = reports.select("report_id", "template")
    wide = _wide(cells, "t3", "row_code", [r.code for r in catalog.T3_ROWS])
    wide = wide.join(templates, on="report_id", how="left")
    outcomes_2021 = pl.sum_horizontal(catalog.T3_OUTCOME_ROWS["2021"])
    outcomes_2019 = pl.sum_horizontal(catalog.T3_OUTCOME_ROWS["2019"])
    # A sum is only known when every part was read.
    known_2021 = pl.all_horizontal([pl.col(c).is_not_null() for c in catalog.T3_OUTCOME_ROWS["2021"]])
    known_2019 = pl.all_horizontal([pl.col(c).is_not_null() for c in catalog.T3_OUTCOME_ROWS["2019"]])
    return with_row_key(
        wide.with_columns(
            pl.when(pl.col("template") == "2019")
            .then(pl.when(known_2019).then(outcomes_2019))
            .otherwise(pl.when(known_2021).then(outcomes_2021))
            .alias("outcomes_sum"),
            (pl.col("new_received") + pl.col("carried_over")).alias("balance_in"),
            (pl.col("results_total") + pl.col("carried_forward")).alias("balance_out"),
            pl.col("col_code").replace_strict(T3_COLUMN_ZH, default=pl.col("col_code")).alias("column_zh"),
        )
        .with_columns(
            (pl.col("balance_in") - pl.col("balance_out")).alias("balance_gap"),
            (pl.col("results_total") - pl.col("outcomes_sum")).alias("outcomes_gap"),
            pl.format("表三「{}」列", pl.col("column_zh")).alias("item"),
        )
        .select(
            "report_id",
            "col_code",
            "column_zh",
            "new_received",
            "carried_over",
            "results_total",
            "carried_forward",
            "outcomes_sum",
            "balance_in",
            "balance_out",
            "balance_gap",
            "outcomes_gap",
            "item",
        )
        .sort("report_id", "col_code")
    )


def t3_row_frame(cells: pl.DataFrame) -> pl.DataFrame:
    """Per report × table-3 row (cells of `table_cells`): the applicant columns' sum."""
    wide = _wide(cells, "t3", "col_code", [c.code for c in catalog.T3_COLUMNS])
    known = pl.all_horizontal([pl.col(c).is_not_null() for c in APPLICANT_COLUMNS])
    return with_row_key(
        wide.with_columns(
            pl.when(known).then(pl.sum_horizontal(APPLICANT_COLUMNS)).alias("applicants_sum"),
            pl.col("row_code").replace_strict(T3_ROW_ZH, default=pl.col("row_code")).alias("row_zh"),
        )
        .with_columns(pl.format("表三「{}」行", pl.col("row_zh")).alias("item"))
        .select("report_id", "row_code", "row_zh", *APPLICANT_COLUMNS, "total", "applicants_sum", "item")
        .sort("report_id", "row_code")
    )


def t4_frame(cells: pl.DataFrame) -> pl.DataFrame:
    """Per report × table-4 group (cells of `table_cells`): the parts' sum."""
    wide = _wide(cells, "t4", "col_code", [c.code for c in catalog.T4_COLUMNS])
    known = pl.all_horizontal([pl.col(c).is_not_null() for c in T4_PARTS])
    return with_row_key(
        wide.rename({"row_code": "group_code"})
        .with_columns(
            pl.when(known).then(pl.sum_horizontal(T4_PARTS)).alias("parts_sum"),
            pl.col("group_code").replace_strict(T4_GROUP_ZH, default=pl.col("group_code")).alias("group_zh"),
        )
        .with_columns(pl.format("表四「{}」", pl.col("group_zh")).alias("item"))
        .select("report_id", "group_code", "group_zh", *T4_PARTS, "total", "parts_sum", "item")
        .sort("report_id", "group_code")
    )


# Table columns that are not counts: money, and the 2019 format's year-on-year change.
NON_COUNT_COLUMNS = ("amount", "items_change")
SIGNED_COLUMNS = ("items_change",)


def cell_frame(cells: pl.DataFrame) -> pl.DataFrame:
    """One row per table cell (of `table_cells`): counts must be whole and (outside change
    columns) not negative."""
    return with_row_key(
        cells.with_columns(
            pl.when(~pl.col("col_code").is_in(SIGNED_COLUMNS)).then(pl.col("value")).alias("unsigned_value"),
            pl.when(~pl.col("col_code").is_in(NON_COUNT_COLUMNS))
            .then(pl.col("value") - pl.col("value").floor())
            .alias("count_fraction"),
        )
        .select("report_id", "metric", "value", "unsigned_value", "count_fraction")
        .sort("report_id", "metric")
    )


def figure_frame(figures: pl.DataFrame) -> pl.DataFrame:
    return with_row_key(
        figures.select("report_id", "section_no", "value", "unit", "qualifier", "sentence", "start_char").sort(
            "report_id", "start_char"
        )
    )


def plan_frame(plans: pl.DataFrame, reports: pl.DataFrame) -> pl.DataFrame:
    return with_row_key(
        plans.join(
            reports.filter(pl.col("doc_type") == "annual_report").select("report_id", "report_year"),
            on="report_id",
        )
        .filter(pl.col("report_year").is_not_null())
        .select("report_id", "plan_year", "report_year", "plan_word", "sentence", "start_char")
        .sort("report_id", "start_char")
    )


def agency_key(agency: pl.Expr) -> pl.Expr:
    """河东区政府办公室 and 河东区人民政府办公室 are one agency."""
    return agency.str.replace_all("人民政府", "政府").str.replace_all(r"[()（）\s]", "")


def cross_report_scope(reports: pl.DataFrame, pending_ids: list[str]) -> list[str]:
    """The ids of the `reports` (report_id, agency, text_sha256: every report) that the cross-report
    rules need read when `pending_ids` change. A report's duplicate columns depend on the reports
    sharing its text, its continuity pairs on the reports of its agency (`agency_key`); a change
    to a pending report reaches the reports sharing its text and the other years of their agencies
    (`touched_reports` in warehouse/stages/quality.py). So: every report of an agency that has a report
    sharing a text with a pending one, and every report sharing a text with any of those. A null
    text is grouped as `report_frame` groups it, with the other null texts."""
    keyed = reports.select(
        "report_id",
        agency_key(pl.col("agency")).alias("agency_key"),
        pl.col("text_sha256").fill_null("").alias("text_key"),
    )
    pending_texts = keyed.filter(pl.col("report_id").is_in(pending_ids)).get_column("text_key").unique()
    same_text = keyed.filter(pl.col("text_key").is_in(pending_texts.implode()))
    agencies = same_text.get_column("agency_key").drop_nulls().unique()
    in_agencies = pl.col("agency_key").is_in(agencies.implode())
    texts = pl.concat([pending_texts, keyed.filter(in_agencies).get_column("text_key")]).unique()
    wanted = (in_agencies | pl.col("text_key").is_in(texts.implode())).fill_null(False)
    return keyed.filter(wanted).get_column("report_id").to_list()


CONTINUITY_FIGURES = {
    "t3.carried_over.total": "carried_over",
    "t3.carried_forward.total": "carried_forward",
    "t2.regulations.issued": "regulations_issued",
    "t2.regulations.repealed": "regulations_repealed",
    "t2.regulations.in_force": "regulations_in_force",
    "t2.normative_documents.issued": "normative_issued",
    "t2.normative_documents.repealed": "normative_repealed",
    "t2.normative_documents.in_force": "normative_in_force",
}


def continuity_frame(reports: pl.DataFrame, metrics: pl.DataFrame) -> pl.DataFrame:
    """One row per agency × pair of consecutive report years the warehouse holds, with this year's
    figures and what last year's report implies for them. `copied_share` is added by
    `with_copied_share` once the two texts are at hand."""
    figures = (
        metrics.filter((pl.col("source") == "table") & pl.col("metric").is_in(list(CONTINUITY_FIGURES)))
        .pivot(on="metric", index="report_id", values="value")
        .rename(lambda c: CONTINUITY_FIGURES.get(c, c))
    )
    missing = [c for c in CONTINUITY_FIGURES.values() if c not in figures.columns]
    figures = figures.with_columns([pl.lit(None, dtype=pl.Float64).alias(c) for c in missing])
    years = (
        reports.filter(
            (pl.col("doc_type") == "annual_report")
            & pl.col("agency").is_not_null()
            & pl.col("report_year").is_not_null()
        )
        .sort("report_id")
        .with_columns(agency_key(pl.col("agency")).alias("agency_key"))
        .join(figures, on="report_id", how="left")
        .select("report_id", "agency", "agency_key", "report_year", *CONTINUITY_FIGURES.values())
        .unique(subset=["agency_key", "report_year"], keep="first", maintain_order=True)
    )
    previous = years.select(
        "agency_key",
        (pl.col("report_year") + 1).alias("report_year"),
        pl.col("report_id").alias("previous_report_id"),
        pl.col("carried_forward").alias("previous_carried_forward"),
        pl.col("regulations_in_force").alias("previous_regulations_in_force"),
        pl.col("normative_in_force").alias("previous_normative_in_force"),
    )
    return with_row_key(
        years.join(previous, on=["agency_key", "report_year"])
        .with_columns(
            (
                pl.col("previous_regulations_in_force") + pl.col("regulations_issued") - pl.col("regulations_repealed")
            ).alias("regulations_expected"),
            (pl.col("previous_normative_in_force") + pl.col("normative_issued") - pl.col("normative_repealed")).alias(
                "normative_expected"
            ),
            pl.lit(None, dtype=pl.Float64).alias("copied_share"),
        )
        .select(
            "report_id",
            "agency",
            "report_year",
            "previous_report_id",
            "carried_over",
            "previous_carried_forward",
            "regulations_in_force",
            "previous_regulations_in_force",
            "regulations_issued",
            "regulations_repealed",
            "regulations_expected",
            "normative_in_force",
            "previous_normative_in_force",
            "normative_issued",
            "normative_repealed",
            "normative_expected",
            "copied_share",
        )
        .sort("report_id")
    )


def with_copied_share(continuity: pl.DataFrame, texts: pl.DataFrame) -> pl.DataFrame:
    """Fill `copied_share`: how much of each report's text repeats its previous-year report."""
    by_id = dict(texts.select("report_id", "text").iter_rows())
    shares = [
        statements.copied_share(by_id.get(this, ""), by_id.get(previous, ""))
        for this, previous in continuity.select("report_id", "previous_report_id").iter_rows()
    ]
    return continuity.with_columns(pl.Series("copied_share", shares, dtype=pl.Float64))


# ---------------------------------------------------------------- statements
TEXT_TABLE_PAIRS: dict[str, tuple[str, ...]] = {
    "text.requests_received": ("t3.new_received.total",),
    "text.requests_carried_over": ("t3.carried_over.total",),
    "text.requests_granted": ("t3.granted.total",),
    "text.requests_partially_granted": ("t3.partially_granted.total",),
    "text.requests_granted_in_whole_or_part": ("t3.granted.total", "t3.partially_granted.total"),
    "text.requests_carried_forward": ("t3.carried_forward.total",),
    "text.reconsideration_cases": ("t4.reconsideration.total",),
    "text.litigation_cases": ("t4.litigation_direct.total", "t4.litigation_after_reconsideration.total"),
}


def text_table_frame(prose_rows: pl.DataFrame, cells: pl.DataFrame) -> pl.DataFrame:
    """Prose figures (metric rows not read from a table) beside the table cells (of `table_cells`)
    for the same quantity. Only exact prose figures about the reporting body itself: a 全区/全县
    figure in an office's report is another body's."""
    table = cells.select("report_id", "metric", "value")
    prose = prose_rows.filter(
        (pl.col("source") == "text")
        & (pl.col("qualifier") == "exact")
        & pl.col("metric").is_in(list(TEXT_TABLE_PAIRS))
        & ~pl.col("evidence").str.contains(p.WIDER_SCOPE)
    )
    sums = []
    for text_metric, cell_metrics in TEXT_TABLE_PAIRS.items():
        sums.append(
            table.filter(pl.col("metric").is_in(list(cell_metrics)))
            .group_by("report_id")
            .agg(pl.col("value").sum().alias("table_value"), pl.len().alias("cells"))
            .filter(pl.col("cells") == len(cell_metrics))
            .with_columns(
                pl.lit(text_metric).alias("metric"),
                pl.lit(" + ".join(cell_metrics)).alias("table_cells"),
                pl.lit(" + ".join(METRIC_LABEL[m] for m in cell_metrics)).alias("table_cells_zh"),
            )
            .drop("cells")
        )
    table_values = pl.concat(sums)
    positions = [
        pl.col(c).cast(pl.Int32).alias(alias)
        for c, alias in (("start_char", "first_char"), ("page", "page_first"))
        if c in prose.columns
    ]
    return with_row_key(
        prose.join(table_values, on=["report_id", "metric"])
        .select(
            "report_id",
            "metric",
            metric_label(pl.col("metric")).alias("metric_zh"),
            pl.col("value").alias("text_value"),
            "table_value",
            "table_cells",
            "table_cells_zh",
            "evidence",
            *positions,
        )
        .sort("report_id", "metric")
    )


def totals_frame(totals: pl.DataFrame) -> pl.DataFrame:
    return with_row_key(
        totals.select("report_id", "total", "parts_sum", "unit", "sentence", "start_char").sort(
            "report_id", "start_char"
        )
    )


def percent_frame(percents: pl.DataFrame) -> pl.DataFrame:
    """`percent_error` is how far the stated share is from part/base beyond its own rounding."""
    computed = pl.col("part") / pl.col("base") * 100
    tolerance = 0.5 * pl.lit(10.0).pow(-pl.col("decimals")) + 0.01
    return with_row_key(
        percents.with_columns(
            computed.round(2).alias("computed_percent"),
            ((computed - pl.col("percent")).abs() - tolerance).alias("percent_error"),
        )
        .select("report_id", "part", "base", "percent", "computed_percent", "percent_error", "sentence", "start_char")
        .sort("report_id", "start_char")
    )


def dated_frame(dated: pl.DataFrame, reports: pl.DataFrame) -> pl.DataFrame:
    """Dated statements of annual reports beside the latest date the publication can have."""
    publication = report_frame(reports).select("report_id", "publish_date", "publish_latest")
    return with_row_key(
        dated.join(publication.filter(pl.col("publish_latest").is_not_null()), on="report_id")
        .select("report_id", "stated_date", "precision", "publish_date", "publish_latest", "sentence", "start_char")
        .sort("report_id", "start_char")
    )


def tables_present_frame(reports: pl.DataFrame, tables: pl.DataFrame) -> pl.DataFrame:
    """One row per report in the 2019 or 2021 format × standard table: is it there?"""
    templated = reports.filter(
        (pl.col("doc_type") == "annual_report") & pl.col("template").is_in(list(calendar.TEMPLATE_FIRST_YEAR))
    ).select("report_id", "template")
    codes = pl.DataFrame(
        {
            "table_code": list(STANDARD_TABLES),
            "table_zh": [TABLE_NUMBER_ZH[code] for code in STANDARD_TABLES],
            "table_title": list(STANDARD_TABLES.values()),
            "table_part": [STANDARD_TABLE_PART[code] for code in STANDARD_TABLES],
        }
    )
    present = tables.select("report_id", "table_code", pl.lit(True).alias("present"))
    return with_row_key(
        templated.join(codes, how="cross")
        .join(present, on=["report_id", "table_code"], how="left")
        .with_columns(pl.col("present").fill_null(False))
        .sort("report_id", "table_code")
    )


def format_frame(reports: pl.DataFrame, tables: pl.DataFrame) -> pl.DataFrame:
    """One row per annual report of a year when a standard format was required (the 2019 format for
    2020, the 2021 format from 2021): does it follow it, i.e. is any standard table present?"""
    required = reports.filter(
        (pl.col("doc_type") == "annual_report") & (pl.col("report_year") >= calendar.FORMAT_REQUIRED_FROM)
    ).select(
        "report_id",
        "report_year",
        pl.col("report_year").map_elements(calendar.required_format, return_dtype=pl.String).alias("required_format"),
    )
    found = tables.group_by("report_id").agg(pl.len().cast(pl.Int64).alias("tables_found"))
    return with_row_key(
        required.join(found, on="report_id", how="left")
        .with_columns(pl.col("tables_found").fill_null(0))
        .with_columns((pl.col("tables_found") > 0).alias("followed"))
        .sort("report_id")
    )


# How a table was laid out (segmented.tables.layout), as a message says it.
LAYOUT_ZH = {
    "html": "网页表格",
    "markdown": "Markdown 表格",
    "grid": "以空格或制表符分隔的表格",
    "flat": "每格一行的表格",
    "glued": "数字连在一起的表格(按表内勾稽关系切分)",
    "pdf": "PDF 页面上的表格",
    "docx": "Word 文档表格",
}
# Unread cells a message names (the rest are counted).
MISSING_NAMED = 5


def completeness_frame(tables: pl.DataFrame) -> pl.DataFrame:
    table_zh = pl.col("table_code").replace_strict(TABLE_NUMBER_ZH, default=pl.col("table_code"))
    return with_row_key(
        tables.with_columns(
            (pl.col("cells_expected") - pl.col("cells_read")).alias("cells_unread"),
            pl.col("cells_missing").list.head(MISSING_NAMED).list.join(", ").alias("missing_sample"),
            pl.col("cells_missing")
            .list.head(MISSING_NAMED)
            .list.eval(pl.element().replace_strict(METRIC_ZH, default=pl.element()))
            .list.join(";")
            .alias("missing_zh"),
            pl.format(
                "{}「{}」", table_zh, pl.col("table_code").replace_strict(STANDARD_TABLES, default=pl.col("table_code"))
            ).alias("item"),
            pl.col("start_char").cast(pl.Int32).alias("first_char"),
            pl.col("layout").replace_strict(LAYOUT_ZH, default=pl.col("layout")).alias("layout_zh"),
        )
        .select(
            "report_id",
            "table_code",
            "layout",
            "layout_zh",
            "cells_expected",
            "cells_read",
            "cells_unread",
            "missing_sample",
            "missing_zh",
            "item",
            "first_char",
        )
        .sort("report_id", "table_code")
    )
