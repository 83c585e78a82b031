"""Review decisions: what people decided about a flag or a figure (`review.decisions`), kept in a
plain CSV file a team versions (NIANBAO_REVIEWS; default `reviews.csv` beside the warehouse).

The file is the decisions' one source: every marts build loads it whole into `review.decisions`,
so decisions survive re-runs and stage version bumps (they are keyed by report and rule or metric
code, never by a run). A decision whose report, rule or metric does not exist is kept with its
status and reported, never dropped silently. The dashboard writes the file, never the warehouse.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
from polars._typing import PolarsDataType

# The file's header, in order (the contract's).
COLUMNS = ("report_id", "target", "decision", "corrected_value", "note", "decided_by", "decided_at")
DECISIONS = ("confirmed", "dismissed", "corrected")
# What the loader found of each decision.
APPLIED = "applied"
UNKNOWN_REPORT = "unknown_report"
UNKNOWN_TARGET = "unknown_target"
INVALID = "invalid"

SCHEMA: dict[str, PolarsDataType] = {
    "report_id": pl.String,
    "target": pl.String,
    "decision": pl.String,
    "corrected_value": pl.Float64,
    "note": pl.String,
    "decided_by": pl.String,
    "decided_at": pl.Datetime("us"),
    "status": pl.String,
    "problem": pl.String,
}


def default_path(warehouse: Path) -> Path:
    return warehouse.resolve().parent / "reviews.csv"


def file_digest(path: Path) -> str:
    """The file's content digest ("" when there is none): a changed file rebuilds the marts."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else ""


@dataclass(frozen=True)
class Loaded:
    decisions: pl.DataFrame
    problems: list[str]  # one line per decision that is not applied, for the run's log


def read_file(path: Path) -> pl.DataFrame:
    """The file's rows as strings, checked against the header (an empty frame when no file)."""
    if not path.is_file():
        return pl.DataFrame(schema=dict.fromkeys(COLUMNS, pl.String))
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}: the header must be {','.join(COLUMNS)}, not {','.join(reader.fieldnames or [])}")
        rows = [{column: (row.get(column) or "").strip() or None for column in COLUMNS} for row in reader]
    return pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String))


def judge(rows: pl.DataFrame, reports: set[str], rules: set[str], metrics: set[str]) -> Loaded:
    """Each decision with its status: applied, or why not. The latest decision on a (report,
    target) is the one that counts; earlier ones are history in the file."""
    out: list[dict[str, object]] = []
    problems: list[str] = []
    for row in rows.iter_rows(named=True):
        problem = None
        value = None
        decided_at = None
        try:
            decided_at = datetime.fromisoformat(row["decided_at"]).replace(tzinfo=None) if row["decided_at"] else None
        except ValueError:
            problem = f"decided_at {row['decided_at']!r} is not an ISO 8601 time"
        if row["decision"] not in DECISIONS:
            problem = f"decision {row['decision']!r} is not one of {', '.join(DECISIONS)}"
        elif row["decision"] == "corrected":
            try:
                value = float(row["corrected_value"] or "")
            except ValueError:
                problem = f"a correction needs a number in corrected_value, not {row['corrected_value']!r}"
            if row["target"] not in metrics:
                problem = problem or f"{row['target']!r} is not a metric code (only figures are corrected)"
        if not row["report_id"] or not row["target"] or not row["decided_by"] or decided_at is None:
            problem = problem or "report_id, target, decided_by and decided_at are required"
        status = INVALID if problem else APPLIED
        if status == APPLIED and row["report_id"] not in reports:
            status, problem = UNKNOWN_REPORT, f"no report {row['report_id']} in the warehouse"
        elif status == APPLIED and row["target"] not in rules | metrics:
            status, problem = UNKNOWN_TARGET, f"{row['target']!r} is neither a rule nor a metric code"
        if problem:
            problems.append(f"{row['report_id']} {row['target']} {row['decision']}: {problem}")
        out.append(
            {
                **{column: row[column] for column in ("report_id", "target", "decision", "note", "decided_by")},
                "corrected_value": value,
                "decided_at": decided_at or datetime(1970, 1, 1),
                "status": status,
                "problem": problem,
            }
        )
    decisions = pl.DataFrame(out, schema=SCHEMA)
    # The latest applied decision per (report, target) counts; the others are kept as history.
    latest = pl.col("decided_at") == pl.col("decided_at").filter(pl.col("status") == APPLIED).max().over(
        "report_id", "target"
    )
    decisions = decisions.with_columns(
        pl.when((pl.col("status") == APPLIED) & ~latest)
        .then(pl.lit("superseded"))
        .otherwise(pl.col("status"))
        .alias("status")
    )
    return Loaded(decisions, problems)


def load(con: duckdb.DuckDBPyConnection, path: Path) -> Loaded:
    """Replace review.decisions with the file's decisions, judged against the warehouse."""
    rows = read_file(path)
    reports = {r for (r,) in con.execute("SELECT report_id FROM raw.reports").fetchall()}
    rules = {r for (r,) in con.execute("SELECT rule FROM catalog.rules").fetchall()}
    metrics = {m for (m,) in con.execute("SELECT metric FROM catalog.metrics").fetchall()}
    loaded = judge(rows, reports, rules, metrics)
    con.execute("DELETE FROM review.decisions")
    if not loaded.decisions.is_empty():
        con.register("incoming_decisions", loaded.decisions.to_arrow())
        try:
            con.execute("INSERT INTO review.decisions BY NAME SELECT * FROM incoming_decisions")
        finally:
            con.unregister("incoming_decisions")
    return loaded


def append(path: Path, decision: dict[str, str]) -> None:
    """Add one decision to the file (the dashboard's way of recording one), header first when the
    file is new."""
    new = not path.is_file()
    with open(path, "a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        if new:
            writer.writeheader()
        writer.writerow({column: decision.get(column, "") for column in COLUMNS})
