"""`python -m warehouse.summary`: what the published warehouse holds, for the README's first command."""

from __future__ import annotations

import sys

import duckdb

from warehouse.store import warehouse_path

TABLE_CELLS = "SELECT count(*) FROM metrics.report_metrics WHERE source = 'table'"


def main() -> int:
    path = warehouse_path()
    if not path.exists():
        print(f"no warehouse at {path}", file=sys.stderr)
        return 1
    con = duckdb.connect(str(path), read_only=True)
    try:

        def count(sql: str) -> int:
            return int(con.execute(sql).fetchall()[0][0])

        print(f"warehouse: {path}")
        duplicates = count("SELECT count(*) FROM raw.report_files") - count("SELECT count(*) FROM raw.reports")
        print(
            f"reports: {count('SELECT count(*) FROM raw.reports')} "
            f"(files rejected: {count('SELECT count(*) FROM raw.rejected_files')}, "
            f"duplicate files: {duplicates})"
        )
        for doc_type, n in con.execute(
            "SELECT doc_type, count(*) FROM cleaned.reports GROUP BY 1 ORDER BY 1"
        ).fetchall():
            print(f"  {doc_type}: {n}")
        print(
            f"metrics: {count('SELECT count(*) FROM metrics.report_metrics')} "
            f"(table cells {count(TABLE_CELLS)}), "
            f"prose figures: {count('SELECT count(*) FROM metrics.figures')}"
        )
        print("flags by rule:")
        rows = con.execute("SELECT rule, severity, count(*) FROM quality.flags GROUP BY 1, 2 ORDER BY 1").fetchall()
        for rule, severity, n in rows:
            print(f"  {rule:<28} {severity:<8} {n}")
        if not rows:
            print("  (none)")
        for reason, n in con.execute(
            "SELECT reason, count(*) FROM raw.rejected_files GROUP BY 1 ORDER BY 1"
        ).fetchall():
            print(f"rejected: {reason}: {n}")
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
