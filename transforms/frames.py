"""Validation frames: the shapes the GX suites judge, derived from the metrics stage's tables.

One row per report, per report × table-3 column, per report × table-3 row, per report × table-4
group, per prose figure, per plan statement, per agency × consecutive years. Python prepares
columns here; the expectation suites decide.
"""

from __future__ import annotations

import polars as pl

from transforms import catalog

T3_COLUMN_ZH = {c.code: c.label_zh for c in catalog.T3_COLUMNS}
T3_ROW_ZH = {r.code: r.label_zh for r in catalog.T3_ROWS}
T4_GROUP_ZH = {g.code: g.label_zh for g in catalog.T4_GROUPS}
APPLICANT_COLUMNS = [c.code for c in catalog.T3_COLUMNS if c.code != "total"]
T4_PARTS = [c.code for c in catalog.T4_COLUMNS if c.code != "total"]


def _with_key(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_row_index("row_key").with_columns(pl.col("row_key").cast(pl.Int64))


def _cells(metrics: pl.DataFrame, table: str) -> pl.DataFrame:
    """Table cells split into (report_id, row_code, col_code, value)."""
    return (
        metrics.filter((pl.col("source") == "table") & pl.col("metric").str.starts_with(table + "."))
        .with_columns(pl.col("metric").str.split(".").alias("parts"))
        .select(
            "report_id",
            pl.col("parts").list.get(1).alias("row_code"),
            pl.col("parts").list.get(2).alias("col_code"),
            "value",
        )
    )


def _wide(metrics: pl.DataFrame, table: str, on: str, columns: list[str]) -> pl.DataFrame:
    """A table's cells pivoted to one column per `on` code, with every catalogue column present."""
    index = ["report_id", "col_code" if on == "row_code" else "row_code"]
    wide = _cells(metrics, table).pivot(on=on, index=index, values="value")
    missing = [c for c in columns if c not in wide.columns]
    return wide.with_columns([pl.lit(None, dtype=pl.Float64).alias(c) for c in missing])


def report_frame(reports: pl.DataFrame) -> pl.DataFrame:
    """Columns in: report_id, doc_type, template, report_year, publish_date, publish_date_precision,
    spam_spans, garbled_spans, garbled_sample, text_sha256, source_path."""
    latest = (
        pl.when(pl.col("publish_date_precision") == "year")
        .then(pl.date(pl.col("publish_date").dt.year(), 12, 31))
        .when(pl.col("publish_date_precision") == "month")
        .then(pl.col("publish_date").dt.month_end())
        .otherwise(pl.col("publish_date"))
    )
    annual = pl.col("doc_type") == "annual_report"
    first_of_text = (
        reports.sort("report_id")
        .group_by("text_sha256", maintain_order=True)
        .agg(pl.col("report_id").first().alias("first_id"), pl.col("source_path").first().alias("first_path"))
    )
    return _with_key(
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
        )
    )


def t3_column_frame(metrics: pl.DataFrame, reports: pl.DataFrame) -> pl.DataFrame:
    templates = reports.select("report_id", "template")
    wide = _wide(metrics, "t3", "row_code", [r.code for r in catalog.T3_ROWS])
    wide = wide.join(templates, on="report_id", how="left")
    outcomes_2021 = pl.sum_horizontal(catalog.T3_OUTCOME_ROWS["2021"])
    outcomes_2019 = pl.sum_horizontal(catalog.T3_OUTCOME_ROWS["2019"])
    # A sum is only known when every part was read.
    known_2021 = pl.all_horizontal([pl.col(c).is_not_null() for c in catalog.T3_OUTCOME_ROWS["2021"]])
    known_2019 = pl.all_horizontal([pl.col(c).is_not_null() for c in catalog.T3_OUTCOME_ROWS["2019"]])
    return _with_key(
        wide.with_columns(
            pl.when(pl.col("template") == "2019")
            .then(pl.when(known_2019).then(outcomes_2019))
            .otherwise(pl.when(known_2021).then(outcomes_2021))
            .alias("outcomes_sum"),
            (pl.col("new_received") + pl.col("carried_over")).alias("balance_in"),
            (pl.col("results_total") + pl.col("carried_forward")).alias("balance_out"),
            pl.col("col_code").replace_strict(T3_COLUMN_ZH, default=pl.col("col_code")).alias("column_zh"),
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
        )
        .sort("report_id", "col_code")
    )


def t3_row_frame(metrics: pl.DataFrame) -> pl.DataFrame:
    wide = _wide(metrics, "t3", "col_code", [c.code for c in catalog.T3_COLUMNS])
    known = pl.all_horizontal([pl.col(c).is_not_null() for c in APPLICANT_COLUMNS])
    return _with_key(
        wide.with_columns(
            pl.when(known).then(pl.sum_horizontal(APPLICANT_COLUMNS)).alias("applicants_sum"),
            pl.col("row_code").replace_strict(T3_ROW_ZH, default=pl.col("row_code")).alias("row_zh"),
        )
        .select("report_id", "row_code", "row_zh", *APPLICANT_COLUMNS, "total", "applicants_sum")
        .sort("report_id", "row_code")
    )


def t4_frame(metrics: pl.DataFrame) -> pl.DataFrame:
    wide = _wide(metrics, "t4", "col_code", [c.code for c in catalog.T4_COLUMNS])
    known = pl.all_horizontal([pl.col(c).is_not_null() for c in T4_PARTS])
    return _with_key(
        wide.rename({"row_code": "group_code"})
        .with_columns(
            pl.when(known).then(pl.sum_horizontal(T4_PARTS)).alias("parts_sum"),
            pl.col("group_code").replace_strict(T4_GROUP_ZH, default=pl.col("group_code")).alias("group_zh"),
        )
        .select("report_id", "group_code", "group_zh", *T4_PARTS, "total", "parts_sum")
        .sort("report_id", "group_code")
    )


# Table columns that are not counts: money, and the 2019 format's year-on-year change.
NON_COUNT_COLUMNS = ("amount", "items_change")
SIGNED_COLUMNS = ("items_change",)


def cell_frame(metrics: pl.DataFrame) -> pl.DataFrame:
    """One row per table cell: counts must be whole and (outside change columns) not negative."""
    column = pl.col("metric").str.split(".").list.get(2)
    return _with_key(
        metrics.filter(pl.col("source") == "table")
        .with_columns(column.alias("col_code"))
        .with_columns(
            pl.when(~pl.col("col_code").is_in(SIGNED_COLUMNS)).then(pl.col("value")).alias("unsigned_value"),
            pl.when(~pl.col("col_code").is_in(NON_COUNT_COLUMNS))
            .then(pl.col("value") - pl.col("value").floor())
            .alias("count_fraction"),
        )
        .select("report_id", "metric", "value", "unsigned_value", "count_fraction")
        .sort("report_id", "metric")
    )


def figure_frame(figures: pl.DataFrame) -> pl.DataFrame:
    return _with_key(
        figures.select("report_id", "section_no", "value", "unit", "qualifier", "sentence", "start_char").sort(
            "report_id", "start_char"
        )
    )


def plan_frame(plans: pl.DataFrame, reports: pl.DataFrame) -> pl.DataFrame:
    return _with_key(
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


def continuity_frame(reports: pl.DataFrame, metrics: pl.DataFrame) -> pl.DataFrame:
    """One row per agency × pair of consecutive report years the warehouse holds."""
    figures = (
        metrics.filter(pl.col("source") == "table")
        .filter(pl.col("metric").is_in(["t3.carried_over.total", "t3.carried_forward.total"]))
        .pivot(on="metric", index="report_id", values="value")
    )
    for name in ("t3.carried_over.total", "t3.carried_forward.total"):
        if name not in figures.columns:
            figures = figures.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))
    years = (
        reports.filter(
            (pl.col("doc_type") == "annual_report")
            & pl.col("agency").is_not_null()
            & pl.col("report_year").is_not_null()
        )
        .with_columns(agency_key(pl.col("agency")).alias("agency_key"))
        .join(figures, on="report_id", how="left")
        .select(
            "report_id",
            "agency",
            "agency_key",
            "report_year",
            pl.col("t3.carried_over.total").alias("carried_over"),
            pl.col("t3.carried_forward.total").alias("carried_forward"),
        )
        .unique(subset=["agency_key", "report_year"], keep="first", maintain_order=True)
    )
    previous = years.select(
        "agency_key",
        (pl.col("report_year") + 1).alias("report_year"),
        pl.col("report_id").alias("previous_report_id"),
        pl.col("carried_forward").alias("previous_carried_forward"),
    )
    return _with_key(
        years.join(previous, on=["agency_key", "report_year"])
        .select("report_id", "agency", "report_year", "carried_over", "previous_report_id", "previous_carried_forward")
        .sort("report_id")
    )
