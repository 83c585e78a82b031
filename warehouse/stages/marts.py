"""The marts stage: `marts.report_overview` and its aggregates for dashboards (`marts.sql` beside
this module), rebuilt for the reports whose rows changed since the last build."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb

from warehouse import reviews
from warehouse.contract import last_contract_pass
from warehouse.dictionary import MIN_RATIO_BASE, comment_statements
from warehouse.ledger import newest_row_stamp, warehouse_now
from warehouse.stage import Stage
from warehouse.stats import StageStats

STAGE = Stage(
    "marts",
    "marts",
    "quality",
    (
        "marts.report_overview",
        "marts.agency_year",
        "marts.province_year",
        "marts.flag_summary",
        "marts.year_over_year",
        "review.decisions",
    ),
)


_log = logging.getLogger(__name__)


def marts_sql() -> str:
    return resources.files("warehouse.stages").joinpath("marts.sql").read_text(encoding="utf-8")


def marts_definition(reviews_file: Path | None = None) -> str:
    """What the marts are built from beyond the stages' rows (their SQL, its settings, the comments
    the build puts on every table, the review decisions' file), as a short digest."""
    comments = "\n".join(comment_statements())
    decisions = reviews.file_digest(reviews_file) if reviews_file else ""
    return hashlib.sha256(f"{marts_sql()}\0{MIN_RATIO_BASE}\0{comments}\0{decisions}".encode()).hexdigest()[:16]


def _marts_built_at(con: duckdb.DuckDBPyConnection, reviews_file: Path | None = None) -> datetime | None:
    """When the marts were last built by the definition in code (None: never, or by other SQL)."""
    built = con.execute("SELECT built_at, definition FROM meta.marts_built").fetchall()
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' AND table_name = 'report_overview'"
    ).fetchall()[0][0]
    definition = marts_definition(reviews_file)
    return built[0][0] if exists and len(built) == 1 and built[0][1] == definition else None


def marts_are_current(con: duckdb.DuckDBPyConnection, reviews_file: Path | None = None) -> bool:
    """The marts were built by the definition in code after every row the stages have written, and
    the contract was checked on them. Not merely "the table exists": a run that stopped before the
    marts (a selection) publishes the stages' rows, and the next run, with nothing new for any
    stage, must still rebuild them."""
    built_at = _marts_built_at(con, reviews_file)
    if built_at is None:
        return False
    newest = newest_row_stamp(con)
    checked = last_contract_pass(con)
    return (newest is None or newest <= built_at) and checked is not None and checked >= built_at


def build_marts(con: duckdb.DuckDBPyConnection, reviews_file: Path | None = None) -> StageStats:
    """The marts. `report_overview` is rewritten only for the reports whose rows changed since the
    last build: every stage marks the reports it wrote in meta.processed (quality marks every report
    it judged, since a new report can change an old one's flags) and raw stamps `ingested_at`, so
    those marks name every report whose overview row can differ (100k reports: 1.9 s for the whole
    mart). A first build, or one after the marts' SQL changed, writes every row. The other marts
    are small aggregates of it, built anew."""
    stats = StageStats()
    loaded = reviews.load(con, reviews_file) if reviews_file else None
    if loaded is not None:
        for status, count in loaded.decisions.group_by("status").len().iter_rows():
            stats.counts[f"decisions.{status}"] = count
        for problem in loaded.problems:
            _log.warning("review decision not applied: %s", problem)
    since = _marts_built_at(con, reviews_file)
    if since is None:
        con.execute("DROP TABLE IF EXISTS marts.report_overview")  # its columns may have changed
        con.execute("CREATE OR REPLACE TEMPORARY TABLE marts_scope AS SELECT report_id FROM cleaned.reports")
    else:
        con.execute(
            "CREATE OR REPLACE TEMPORARY TABLE marts_scope AS "
            "SELECT report_id FROM meta.processed WHERE processed_at > $since "
            "UNION SELECT report_id FROM raw.reports WHERE ingested_at > $since",
            {"since": since},
        )
    stats.counts["overview_rows_rebuilt"] = con.execute("SELECT count(*) FROM marts_scope").fetchall()[0][0]
    con.execute("SET VARIABLE min_ratio_base = ?", [MIN_RATIO_BASE])
    con.execute(marts_sql())
    con.execute("DROP TABLE marts_scope")
    # The data dictionary as the warehouse's own comments, on every table (a mart rebuilt from
    # scratch has none).
    for statement in comment_statements():
        con.execute(statement)
    con.execute("DELETE FROM meta.marts_built")
    con.execute("INSERT INTO meta.marts_built VALUES (?, ?)", [warehouse_now(con), marts_definition(reviews_file)])
    for table in STAGE.tables:
        stats.add_rows(table, con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
    return stats


def idle(con: duckdb.DuckDBPyConnection, reviews_file: Path | None = None) -> StageStats | None:
    """An empty report when the marts are current, else None: there is work."""
    return StageStats() if marts_are_current(con, reviews_file) else None
