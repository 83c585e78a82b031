"""The catalog stage: `catalog.metrics` and `catalog.rules` as the code declares them
(`transforms/catalog.py`, `expectations/rules.py`), rewritten when they differ."""

from __future__ import annotations

import duckdb
import polars as pl

from expectations import rules
from transforms import catalog
from warehouse.stage import Stage
from warehouse.stats import StageStats
from warehouse.store import frame, insert_frame

STAGE = Stage("catalog", "catalog", None, ("catalog.metrics", "catalog.rules"))


def catalog_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    """catalog.metrics and catalog.rules rows as the code declares them."""
    metric_rows = pl.DataFrame(
        catalog.metric_catalogue(),
        schema={
            "metric": pl.String,
            "table_code": pl.String,
            "row_code": pl.String,
            "col_code": pl.String,
            "label_zh": pl.String,
            "label_en": pl.String,
            "unit": pl.String,
            "templates": pl.List(pl.String),
            "display_order": pl.Int32,
        },
    )
    return metric_rows, pl.DataFrame(rules.catalogue_rows())


def refresh_catalog(con: duckdb.DuckDBPyConnection) -> StageStats:
    stats = StageStats()
    con.execute("DELETE FROM catalog.metrics")
    con.execute("DELETE FROM catalog.rules")
    metric_rows, rule_rows = catalog_frames()
    stats.add_rows("catalog.metrics", insert_frame(con, "catalog.metrics", metric_rows))
    stats.add_rows("catalog.rules", insert_frame(con, "catalog.rules", rule_rows))
    return stats


def catalog_is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """The warehouse's catalogues equal the code's (else the catalog stage rewrites them)."""
    for table, rows, key in zip(
        ("catalog.metrics", "catalog.rules"), catalog_frames(), ("metric", "rule"), strict=True
    ):
        stored = frame(con, f"SELECT * FROM {table}")
        if set(rows.columns) - set(stored.columns):
            return False
        if stored.select(rows.columns).sort(key).to_dicts() != rows.sort(key).to_dicts():
            return False
    return True


def idle(con: duckdb.DuckDBPyConnection) -> StageStats | None:
    """An empty report when the catalogues are current, else None: there is work."""
    return StageStats() if catalog_is_current(con) else None
