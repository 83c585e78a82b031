"""The warehouse contract's invariants, checked on a run's staging copy before it is published: a
warehouse that breaks one is not published, and each check is recorded in meta.contract_checks."""

from __future__ import annotations

from datetime import datetime

import duckdb

from warehouse.ledger import warehouse_now
from warehouse.sql import statements

_SQL = statements("warehouse", "contract.sql")


def contract_problems(con: duckdb.DuckDBPyConnection, since: datetime | None = None) -> dict[str, int]:
    """Counts of contract violations (all 0 in a sound warehouse). The unique key of
    metrics.report_metrics is checked here, not by an index (see warehouse/schema.sql). With
    `since`, that key is tested only for the reports whose metric rows were written after it: a
    report's rows are written whole by the segmented stage (table cells) and the metrics stage
    (prose rows), which mark it in meta.processed, and the key holds report_id, so no other
    report's rows can break it (at 100k reports, 0.05 s for a run that wrote 1,000; 1.9 s for all)."""
    problems = {
        "raw reports never cleaned": "raw_reports_never_cleaned",
        "duplicate metric rows": "duplicate_metric_rows",
        "flags with unknown rules": "flags_with_unknown_rules",
        "reports missing from the mart": "reports_missing_from_the_mart",
    }
    duplicates: int | None = None  # known without the exact grouping over the whole table
    if since is not None:
        duplicates = con.execute(_SQL["duplicate_metric_rows_since"], {"since": since}).fetchall()[0][0]
    elif not con.execute(_SQL["metric_key_hash_collisions"]).fetchall()[0][0]:
        duplicates = 0  # at 100k (19 M rows) the hash count takes a fifth of the exact grouping
    return {
        problem: int(duplicates)
        if statement == "duplicate_metric_rows" and duplicates is not None
        else int(con.execute(_SQL[statement]).fetchall()[0][0])
        for problem, statement in problems.items()
    }


def last_contract_pass(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When this warehouse last passed the contract check (None: never recorded)."""
    return con.execute("SELECT max(checked_at) FROM meta.contract_checks WHERE problems = 0").fetchall()[0][0]


def check_contract(con: duckdb.DuckDBPyConnection, record: bool) -> dict[str, int]:
    """The contract check of a run's warehouse, made before it is published (a warehouse that
    fails is not published, so every published check passed). Only what was written since the
    last check this warehouse passed is tested for the metric key; the whole warehouse when there
    is none. With `record` (a run's staging copy), the check is appended to meta.contract_checks."""
    since = last_contract_pass(con)
    problems = contract_problems(con, since)
    if record:
        con.execute(
            "INSERT INTO meta.contract_checks VALUES (?, ?, ?)", [warehouse_now(con), since, sum(problems.values())]
        )
    return problems
