"""How long the dashboard's pages take to first render on a warehouse, as a user opening them
meets it (a fresh script run, Streamlit's cache empty), through Streamlit's own AppTest.

usage: NIANBAO_WAREHOUSE=path/to/warehouse.duckdb python -m benchmarks.dashboard [RUNS]

Prints, per page, the fastest and the slowest of RUNS cold renders in seconds, with the
warehouse's report count.
"""

from __future__ import annotations

import sys
import time

import duckdb
import streamlit as st
from streamlit.testing.v1 import AppTest

from testkit.runs import ROOT
from warehouse.store import warehouse_path

APP = str(ROOT / "dashboard" / "app.py")
PAGES = ("overview", "flags", "agency", "report")


def render_seconds(page: str) -> float:
    st.cache_data.clear()
    app = AppTest.from_file(APP, default_timeout=300)
    app.query_params["page"] = page
    started = time.perf_counter()
    app.run()
    seconds = time.perf_counter() - started
    if app.exception:
        raise SystemExit(f"{page}: {app.exception}")
    return seconds


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    con = duckdb.connect(str(warehouse_path()), read_only=True)
    reports = con.execute("SELECT count(*) FROM marts.report_overview").fetchall()[0][0]
    con.close()
    print(f"warehouse {warehouse_path()}: {reports:,} reports")
    for page in PAGES:
        times = [render_seconds(page) for _ in range(runs)]
        print(f"{page:<10} first render {min(times):6.2f} s (slowest of {runs}: {max(times):.2f} s)")


if __name__ == "__main__":
    main()
