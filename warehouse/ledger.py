"""The ledger, `meta.processed`: which stage handled which report, when, at which code version.

Incrementality is by content: a report is keyed by the hash of its bytes. A stage's pending
reports are those its upstream produced (or re-produced) after it last handled them, or that it
handled with an older version of its code (`Stage.version`). Each stage marks what it wrote, and
replaces the rows of a report it handled before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb

from warehouse.sql import ids_frame, registered, statements
from warehouse.stage import Stage
from warehouse.stats import StageStats


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


_SQL = statements("warehouse", "ledger.sql")


def newest_row_stamp(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The newest stamp on the stages' rows (a report's latest mark, or its ingestion)."""
    return con.execute(_SQL["newest_row_stamp"]).fetchall()[0][0]


def warehouse_now(con: duckdb.DuckDBPyConnection) -> datetime:
    """The time a stage stamps on what it writes: now, but never before the latest time the
    warehouse holds. What a run must redo, the marts' scope and the contract check's all compare
    stamps from different runs, so a clock set back between runs (a host's time corrected, a
    restored VM) would otherwise hide a run's writes from the next."""
    latest = con.execute(_SQL["latest_stamp"]).fetchall()[0][0]
    now = utcnow()
    return now if latest is None or now > latest else latest + timedelta(microseconds=1)


def pending(con: duckdb.DuckDBPyConnection, stage: Stage) -> list[str]:
    """Reports that `stage` must (re)process, in report_id order."""
    params = {"stage": stage.name, "version": stage.version}
    if stage.upstream == "raw":
        sql = _SQL["pending_after_raw"]
    else:
        sql, params["upstream"] = _SQL["pending_after_stage"], stage.upstream
    return [row[0] for row in con.execute(sql, params).fetchall()]


def processed_before(con: duckdb.DuckDBPyConnection, stage: Stage, ids: list[str]) -> set[str]:
    """Those of `ids` that `stage` has handled before: the only ones with rows and a mark to
    replace (a run publishes its rows and its `meta.processed` marks together, or neither). Asked
    once per stage: a DELETE per batch scans tables that grow with the warehouse (at 100k, 10 s of
    the cleaned stage went to replacing marks that did not exist)."""
    with registered(con, candidate_ids=ids_frame(ids)):
        return {
            row[0]
            for row in con.execute(
                "SELECT report_id FROM meta.processed WHERE stage = ? "
                "AND report_id IN (SELECT report_id FROM candidate_ids)",
                [stage.name],
            ).fetchall()
        }


def mark_processed(
    con: duckdb.DuckDBPyConnection, stage: Stage, ids: list[str], now: datetime, stale: list[str]
) -> None:
    """Mark `ids` handled by `stage` now; `stale`, those of them it had handled before."""
    with registered(con, done_ids=ids_frame(ids), stale_ids=ids_frame(stale)):
        if stale:
            con.execute(
                "DELETE FROM meta.processed WHERE stage = ? AND report_id IN (SELECT report_id FROM stale_ids)",
                [stage.name],
            )
        con.execute(
            "INSERT INTO meta.processed SELECT ?, report_id, ?, ? FROM done_ids", [stage.name, stage.version, now]
        )


def delete_reports(con: duckdb.DuckDBPyConnection, tables_: tuple[str, ...], stale: list[str]) -> None:
    """Remove the rows of the `stale` reports (handled before, about to be written anew) from `tables_`."""
    if not stale:
        return
    with registered(con, stale_ids=ids_frame(stale)):
        for table in tables_:
            con.execute(f"DELETE FROM {table} WHERE report_id IN (SELECT report_id FROM stale_ids)")


def idle_stage(con: duckdb.DuckDBPyConnection, stage: Stage) -> StageStats | None:
    """An empty report when `stage` has nothing pending, else None: there is work."""
    return None if pending(con, stage) else StageStats()
