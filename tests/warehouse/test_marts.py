"""Marts: documented, consistent with the report overview, and readable while a run writes."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from testkit.generator import corpus
from testkit.runs import MATERIALIZE_ALL_COMMAND, ROOT, make_inbox, materialize_env
from warehouse import dictionary
from warehouse.stages.marts import marts_sql

pytestmark = pytest.mark.slow  # materializes the samples and starts `dagster` processes


def test_data_dictionary_is_generated_and_current() -> None:
    assert dictionary.path().read_text(encoding="utf-8") == dictionary.render(), "run python -m warehouse.dictionary"


def test_every_column_is_documented_and_commented(query) -> None:
    """Every table and column of a built warehouse has its entry in the dictionary, in the
    warehouse's order, and carries the entry's text as its comment."""
    rows = query(
        "SELECT schema_name || '.' || table_name, column_name, comment FROM duckdb_columns() "
        "WHERE database_name = current_database() AND NOT internal ORDER BY 1, column_index"
    )
    in_warehouse: dict[str, list[str]] = {}
    for table, column, _ in rows:
        in_warehouse.setdefault(table, []).append(column)
    documented = dictionary.all_tables()
    assert {table: list(columns) for table, (_, columns) in documented.items()} == in_warehouse
    assert {(table, column): comment for table, column, comment in rows} == {
        (table, column): meaning for table, (_, columns) in documented.items() for column, meaning in columns.items()
    }
    table_comments = dict(
        query(
            "SELECT schema_name || '.' || table_name, comment FROM duckdb_tables() "
            "WHERE database_name = current_database() UNION ALL "
            "SELECT schema_name || '.' || view_name, comment FROM duckdb_views() "
            "WHERE database_name = current_database() AND NOT internal"
        )
    )
    assert table_comments == {table: description for table, (description, _) in documented.items()}


def test_marts_agree_with_the_overview(query) -> None:
    agency = query(
        "SELECT applications, concluded, granted, granted_share, reconsideration_total, "
        "reconsideration_corrected FROM marts.agency_year WHERE agency = '河东区人民政府办公室'"
    )
    # 33 concluded ≥ 30: the share is given (4/33); 1 reconsideration < 30: no rate.
    assert agency == [(33, 33, 4, round(4 / 33, 4), 1, 0)]
    province = query("SELECT sum(reports), sum(applications) FROM marts.province_year")
    overview = query(
        "SELECT count(*), sum(requests_new) FROM marts.report_overview "
        "WHERE doc_type = 'annual_report' AND report_year IS NOT NULL"
    )
    assert province == overview
    flags = query("SELECT sum(flags) FROM marts.flag_summary")[0][0]
    assert flags == query("SELECT count(*) FROM quality.flags")[0][0]


def test_overview_filter_keeps_every_metric_it_reads() -> None:
    """The overview aggregates only the metric rows its WHERE lets through: every metric a column
    reads must pass it (judged by DuckDB, as in the mart), or that column would be empty."""
    sql = marts_sql()
    figures = sql[sql.index("WITH reviewed AS") : sql.index("dismissed AS")]
    named = sorted(set(re.findall(r"metric\s*=\s*'([^']+)'", figures)))
    condition = re.search(r"AND \((metric LIKE .*)\)\n", figures)
    assert condition is not None and len(named) == 19
    con = duckdb.connect()
    passed = con.execute(
        f"SELECT metric FROM unnest(?::VARCHAR[]) AS t(metric) WHERE {condition.group(1)} ORDER BY 1", [named]
    ).fetchall()
    assert [m for (m,) in passed] == named
    # The filter does filter: a table cell no column reads is left out.
    assert not con.execute(f"SELECT 't3.granted.person' AS metric WHERE {condition.group(1)}").fetchall()


READER = """
import sys, time, duckdb
path, stop_file = sys.argv[1], sys.argv[2]
opens = errors = half = 0
import os
while not os.path.exists(stop_file):
    try:
        con = duckdb.connect(path, read_only=True)
        counts = [con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                  for t in ("raw.reports", "cleaned.reports", "marts.report_overview")]
        con.close()
        opens += 1
        if len(set(counts)) != 1:
            half += 1
    except duckdb.Error as err:
        errors += 1
        print("error:", err, file=sys.stderr)
print(opens, errors, half)
"""


def test_readers_never_see_a_lock_or_half_a_run(tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox")
    warehouse = tmp_path / "wh.duckdb"
    env = materialize_env(inbox, warehouse, tmp_path / "home")
    command = MATERIALIZE_ALL_COMMAND
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    for report in corpus(seed=4):  # new files: the second run changes every table
        (inbox / report.name).write_bytes(report.data)
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    dashboard = duckdb.connect(str(warehouse), read_only=True)  # a dashboard holding a connection open
    before = dashboard.execute("SELECT count(*) FROM raw.reports").fetchall()[0][0]
    started = time.perf_counter()
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    stop.touch()
    out, err = reader.communicate(timeout=60)
    opens, errors, half = (int(x) for x in out.split())
    assert errors == 0, err[-2000:]
    assert half == 0
    assert opens >= 200, f"only {opens} opens in {time.perf_counter() - started:.1f} s"
    # The held connection still reads the state it opened; a new one sees the new run.
    assert dashboard.execute("SELECT count(*) FROM raw.reports").fetchall()[0][0] == before
    dashboard.close()
    fresh = duckdb.connect(str(warehouse), read_only=True)
    assert fresh.execute("SELECT count(*) FROM raw.reports").fetchall()[0][0] == before + len(corpus(seed=4))
    fresh.close()


def test_rule_lists_come_from_the_rule_catalogue() -> None:
    """Which rules count as reconciliation is decided once, in expectations/rules.py: no SQL or
    dashboard code names a rule code itself."""
    from expectations.rules import RULES

    for path in (ROOT / "warehouse" / "stages" / "marts.sql", ROOT / "dashboard" / "app.py"):
        text = path.read_text(encoding="utf-8")
        named = sorted(rule.code for rule in RULES if f"'{rule.code}'" in text or f'"{rule.code}"' in text)
        assert named == [], f"{path.name} names rule codes itself: {named}"


def test_reports_reconciling_counts_every_reconciliation_rule(query) -> None:
    expected = query(
        "SELECT count(*) FROM marts.report_overview WHERE doc_type = 'annual_report' AND NOT list_has_any(rules, "
        "(SELECT list(rule) FROM catalog.rules WHERE suite = 'reconciliation'))"
    )[0][0]
    assert query("SELECT sum(reports_reconciling) FROM marts.province_year")[0][0] == expected
    suites = dict(query("SELECT rule, suite FROM catalog.rules"))
    assert suites["TABLE_INCOMPLETE"] == "reconciliation"
