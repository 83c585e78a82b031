"""A warehouse's content as comparable data: every table, ordered, without run times and run ids."""

from __future__ import annotations

from pathlib import Path

import duckdb

# Columns that record when, in which run or where something happened: they differ between equal runs.
RUN_COLUMNS = {
    "ingested_at",
    "seen_at",
    "mtime_ns",  # when the file was written
    "processed_at",
    "checked_at",
    "run_id",
    "started_at",
    "finished_at",
    "built_at",
    "data_docs_path",
}


def dump(path: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables ORDER BY 1, 2").fetchall()
        out: dict[str, list[tuple]] = {}
        for schema, name in tables:
            columns = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
                    "ORDER BY ordinal_position",
                    [schema, name],
                ).fetchall()
                if c not in RUN_COLUMNS
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            out[f"{schema}.{name}"] = con.execute(f"SELECT {select} FROM {schema}.{name} ORDER BY ALL").fetchall()
        return out
    finally:
        con.close()
