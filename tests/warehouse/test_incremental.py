"""Incremental by content: what each run re-processes, read from the assets' own metadata, and the
inbox sensor that starts runs when files arrive."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dagster import SensorResult, SkipReason, build_sensor_context

from orchestration.resources import InboxResource
from orchestration.sensors import inbox_sensor
from testkit.runs import SAMPLE_IDS, SAMPLES, make_inbox, query_warehouse, run_pipeline
from warehouse.stages import metrics as metrics_stage

pytestmark = pytest.mark.slow  # materializes inboxes run after run

STAGES = ("raw_reports", "cleaned_reports", "segmented_reports", "report_metrics", "quality_flags")


def processed(result: Any) -> dict[str, int]:
    """Reports each stage processed in this run, as the Dagster UI shows it."""
    out = {}
    for stage in STAGES:
        (event,) = result.asset_materializations_for_node(stage)
        out[stage] = int(event.metadata["reports_processed"].value)
    return out


def test_each_run_processes_only_what_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = make_inbox(tmp_path / "inbox", with_bad_files=False)
    warehouse = tmp_path / "wh.duckdb"
    first = run_pipeline(inbox, warehouse)
    assert processed(first) == dict.fromkeys(STAGES, 5)
    # Nothing new: nothing re-processed, and no stage copied or re-published the warehouse.
    published = (warehouse.stat().st_ino, warehouse.stat().st_mtime_ns)
    assert processed(run_pipeline(inbox, warehouse)) == dict.fromkeys(STAGES, 0)
    assert (warehouse.stat().st_ino, warehouse.stat().st_mtime_ns) == published
    # One new file: one report through every stage.
    text = (SAMPLES / SAMPLE_IDS["001"]).read_text(encoding="utf-8").replace("河东区", "兰山区")
    (inbox / "new.txt").write_text(text, encoding="utf-8")
    assert processed(run_pipeline(inbox, warehouse)) == dict.fromkeys(STAGES, 1)
    # A rule-code change (metrics version bump) re-derives metrics and quality only, for all six.
    monkeypatch.setattr(metrics_stage.STAGE, "version", f"{metrics_stage.STAGE.version}-changed")
    bumped = processed(run_pipeline(inbox, warehouse))
    assert bumped == {
        "raw_reports": 0,
        "cleaned_reports": 0,
        "segmented_reports": 0,
        "report_metrics": 6,
        "quality_flags": 6,
    }


def raw_counts(result: Any) -> dict[str, int]:
    (event,) = result.asset_materializations_for_node("raw_reports")
    keys = ("files_seen", "files_unchanged", "new_reports", "duplicate_files", "rejected_files")
    return {key: int(event.metadata[key].value) for key in keys}


def test_raw_reads_only_files_whose_size_or_mtime_changed(tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox")  # with the bad files: rejections are remembered too
    warehouse = tmp_path / "wh.duckdb"
    first = raw_counts(run_pipeline(inbox, warehouse))
    assert first["files_unchanged"] == 0 and first["new_reports"] == 5 and first["rejected_files"] > 0
    again = raw_counts(run_pipeline(inbox, warehouse))
    assert again == {**first, "files_unchanged": first["files_seen"], "new_reports": 0, "rejected_files": 0}
    # Rewritten in place (new bytes, new mtime): read again, a new report.
    edited = inbox / SAMPLE_IDS["001"]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n附:联系电话0539-1234567。", encoding="utf-8")
    # Touched only (same bytes, new mtime): read again, found to be the report it was.
    touched = inbox / SAMPLE_IDS["000"]
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    third = raw_counts(run_pipeline(inbox, warehouse))
    assert third["files_unchanged"] == first["files_seen"] - 2
    assert third["new_reports"] == 1 and third["duplicate_files"] == 1 and third["rejected_files"] == 0
    # Both are recorded with their new mtimes: the next run reads nothing.
    fourth = raw_counts(run_pipeline(inbox, warehouse))
    assert fourth["files_unchanged"] == fourth["files_seen"] == first["files_seen"]


def test_inbox_sensor_requests_a_run_only_when_files_change(tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox", with_bad_files=False)
    resources = {"inbox": InboxResource(path=str(inbox))}
    first = inbox_sensor(build_sensor_context(resources=resources))
    assert isinstance(first, SensorResult) and first.run_requests is not None and len(first.run_requests) == 1
    assert first.run_requests[0].tags["nianbao/inbox_files"] == "5"
    unchanged = inbox_sensor(build_sensor_context(cursor=first.cursor, resources=resources))
    assert isinstance(unchanged, SkipReason)
    (inbox / "arrived.txt").write_text("河东区政府信息公开工作年度报告", encoding="utf-8")
    arrived = inbox_sensor(build_sensor_context(cursor=first.cursor, resources=resources))
    assert isinstance(arrived, SensorResult) and arrived.cursor != first.cursor and arrived.run_requests
    assert arrived.run_requests[0].run_key == arrived.cursor


def test_a_file_arriving_during_a_run_is_left_for_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the sensor on, files arrive while a run is under way. One that arrives after the raw
    stage listed the inbox is not lost and does not fail the run (its work would not be
    published): the inbox check passes over it, and the next run reads it."""
    from warehouse.stages import raw

    inbox = make_inbox(tmp_path / "inbox", with_bad_files=False)
    warehouse = tmp_path / "wh.duckdb"
    late = inbox / "arrived_during_the_run.txt"
    text = (SAMPLES / SAMPLE_IDS["001"]).read_text(encoding="utf-8").replace("河东区", "兰山区")
    ingest_inbox = raw.ingest_inbox

    def ingest_then_a_file_arrives(*args: Any, **kwargs: Any) -> Any:
        stats = ingest_inbox(*args, **kwargs)
        late.write_text(text, encoding="utf-8")
        return stats

    monkeypatch.setattr(raw, "ingest_inbox", ingest_then_a_file_arrives)
    first = run_pipeline(inbox, warehouse)
    assert first.success
    assert processed(first) == dict.fromkeys(STAGES, 5)
    (check,) = [e for e in first.get_asset_check_evaluations() if e.check_name == "inbox_accounted"]
    assert check.passed and check.metadata["unaccounted"].value == 0
    assert check.metadata["arrived_during_run"].value == 1
    monkeypatch.setattr(raw, "ingest_inbox", ingest_inbox)
    second = run_pipeline(inbox, warehouse)
    assert second.success and processed(second) == dict.fromkeys(STAGES, 1)


def test_marts_catch_up_after_a_run_that_stopped_before_them(tmp_path: Path) -> None:
    """A run of the stages before the marts publishes their rows without rebuilding the marts;
    the next full run must rebuild them although no stage has new work, and its contract check
    must pass (before, the marts counted as built because their table existed: they stayed stale,
    and every later run failed the check until new files arrived)."""
    from dagster import AssetSelection, materialize

    from orchestration.assets import ALL_ASSETS
    from orchestration.checks import ALL_CHECKS
    from orchestration.resources import WarehouseResource

    inbox = make_inbox(tmp_path / "inbox", with_bad_files=False)
    warehouse = tmp_path / "wh.duckdb"
    assert run_pipeline(inbox, warehouse).success
    text = (SAMPLES / SAMPLE_IDS["001"]).read_text(encoding="utf-8").replace("河东区", "兰山区")
    (inbox / "new.txt").write_text(text, encoding="utf-8")
    partial = materialize(
        [*ALL_ASSETS, *ALL_CHECKS],
        selection=AssetSelection.assets(*STAGES).upstream(),
        resources={"inbox": InboxResource(path=str(inbox)), "warehouse": WarehouseResource(path=str(warehouse))},
    )
    assert partial.success
    full = run_pipeline(inbox, warehouse)
    assert full.success
    assert processed(full) == dict.fromkeys(STAGES, 0)
    missing = query_warehouse(
        warehouse,
        "SELECT count(*) FROM (SELECT report_id FROM cleaned.reports "
        "EXCEPT SELECT report_id FROM marts.report_overview)",
    )[0][0]
    assert missing == 0


def test_a_changed_mart_definition_rebuilds_the_marts_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing new for any stage, the marts are rebuilt (and the warehouse published) when
    their SQL changed, and only the marts: no stage re-processes a report."""
    from warehouse.stages import marts as marts_stage

    inbox = make_inbox(tmp_path / "inbox", with_bad_files=False)
    warehouse = tmp_path / "wh.duckdb"
    assert run_pipeline(inbox, warehouse).success
    published = warehouse.stat().st_ino
    again = run_pipeline(inbox, warehouse)
    assert again.success and warehouse.stat().st_ino == published  # current: nothing rebuilt
    monkeypatch.setattr(marts_stage, "marts_definition", lambda *_: "changed-sql")
    changed = run_pipeline(inbox, warehouse)
    assert changed.success
    assert processed(changed) == dict.fromkeys(STAGES, 0)
    assert warehouse.stat().st_ino != published
    (marts_event,) = changed.asset_materializations_for_node("marts")
    assert marts_event.metadata["published"].value is True


def test_a_run_that_breaks_the_contract_is_not_published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The contract check runs before the warehouse is published, on what the run wrote since the
    last passing check: a run that writes one of its new report's metric rows twice fails its
    blocking check and leaves the published warehouse as it was; the next sound run redoes the work
    and publishes."""

    from warehouse.stages import marts as marts_stage

    inbox = make_inbox(tmp_path / "inbox", with_bad_files=False)
    warehouse = tmp_path / "wh.duckdb"
    assert run_pipeline(inbox, warehouse).success
    published = warehouse.stat().st_ino
    text = (SAMPLES / SAMPLE_IDS["001"]).read_text(encoding="utf-8").replace("河东区", "兰山区")
    (inbox / "new.txt").write_text(text, encoding="utf-8")

    build_marts = marts_stage.build_marts

    def build_with_a_duplicate(con: Any, reviews_file: Any = None) -> Any:  # a bug: one row written twice
        stats = build_marts(con, reviews_file)
        con.execute(
            "INSERT INTO segmented.table_cells SELECT * FROM segmented.table_cells "
            "WHERE report_id = (SELECT report_id FROM meta.processed WHERE stage = 'metrics' "
            "ORDER BY processed_at DESC, report_id LIMIT 1) LIMIT 1"
        )
        return stats

    monkeypatch.setattr(marts_stage, "build_marts", build_with_a_duplicate)
    broken = run_pipeline(inbox, warehouse)
    assert not broken.success
    (check,) = [e for e in broken.get_asset_check_evaluations() if e.check_name == "warehouse_contract"]
    assert not check.passed
    assert check.metadata["duplicate metric rows"].value == 1  # only the new report was tested: it showed
    assert check.metadata["published"].value is False
    assert warehouse.stat().st_ino == published
    monkeypatch.setattr(marts_stage, "build_marts", build_marts)
    fixed = run_pipeline(inbox, warehouse)
    assert fixed.success
    assert processed(fixed) == dict.fromkeys(STAGES, 1)
    (check,) = [e for e in fixed.get_asset_check_evaluations() if e.check_name == "warehouse_contract"]
    assert check.passed and check.metadata["published"].value is True
    checks = query_warehouse(
        warehouse, "SELECT scoped_since IS NULL, problems FROM meta.contract_checks ORDER BY checked_at"
    )
    assert query_warehouse(warehouse, "SELECT count(*) FROM raw.reports")[0][0] == 6
    assert checks == [(True, 0), (False, 0)]  # the first run's whole check, then the scoped one


def test_marts_rewritten_for_what_changed_equal_a_full_build(tmp_path: Path) -> None:
    """The marts stage rewrites only the overview rows of reports marked since its last build. A
    report that arrives can change an older report's flags (a continuity pair's other year, a
    duplicate's copy): such a report must be rewritten too, and the mart must equal a full build."""
    import shutil

    import duckdb

    from testkit.dump import dump
    from testkit.generator import generate_case
    from warehouse.stages import marts as marts_stage

    inbox = make_inbox(tmp_path / "inbox", with_bad_files=False)
    later = []
    cases = [("CARRY_OVER_CONTINUITY", "grid"), ("IN_FORCE_CONTINUITY", "flat"), (None, "markdown")]
    cases += [("DUPLICATE_REPORT", layout) for layout in ("grid", "flat", "html")]
    for index, (fault, layout) in enumerate(cases):
        files = generate_case(index, layout, fault, seed=11)
        if fault in ("CARRY_OVER_CONTINUITY", "IN_FORCE_CONTINUITY"):
            files.reverse()  # the later year first: the earlier one, arriving next, changes its flags
        (inbox / files[0].name).write_bytes(files[0].data)
        later.extend(files[1:])
    warehouse = tmp_path / "wh.duckdb"
    assert run_pipeline(inbox, warehouse).success
    flags_before = dict(
        query_warehouse(warehouse, "SELECT report_id, list(rule ORDER BY rule) FROM quality.flags GROUP BY 1")
    )
    for generated in later:
        (inbox / generated.name).write_bytes(generated.data)
    second = run_pipeline(inbox, warehouse)
    assert second.success
    (event,) = second.asset_materializations_for_node("marts")
    rebuilt = int(event.metadata["overview_rows_rebuilt"].value)
    total = query_warehouse(warehouse, "SELECT count(*) FROM cleaned.reports")[0][0]
    flags_after = dict(
        query_warehouse(warehouse, "SELECT report_id, list(rule ORDER BY rule) FROM quality.flags GROUP BY 1")
    )
    old_changed = {r for r in flags_before.keys() | flags_after.keys() if flags_before.get(r) != flags_after.get(r)}
    old_changed &= {r for (r,) in query_warehouse(warehouse, "SELECT report_id FROM raw.reports")} - {
        g.report_id for g in later
    }
    assert old_changed  # the case the marks must cover did happen
    assert len(later) <= rebuilt < total
    full = tmp_path / "full.duckdb"
    shutil.copy(warehouse, full)
    con = duckdb.connect(str(full))
    try:
        con.execute("DELETE FROM meta.marts_built")
        assert marts_stage.build_marts(con).counts["overview_rows_rebuilt"] == total
    finally:
        con.close()
    incremental, whole = dump(warehouse), dump(full)
    for table in ("marts.report_overview", "marts.agency_year", "marts.province_year", "marts.flag_summary"):
        assert incremental[table] == whole[table], table


def test_a_clock_set_back_between_runs_hides_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs compare the stamps of earlier runs (what is pending, the marts' and the contract
    check's scope). With the host's clock set back a day before the second run, its new report
    still goes through every stage and into the mart, and the warehouse is published."""
    from datetime import timedelta

    from warehouse import ledger

    inbox = make_inbox(tmp_path / "inbox", with_bad_files=False)
    warehouse = tmp_path / "wh.duckdb"
    assert run_pipeline(inbox, warehouse).success
    text = (SAMPLES / SAMPLE_IDS["001"]).read_text(encoding="utf-8").replace("河东区", "兰山区")
    (inbox / "new.txt").write_text(text, encoding="utf-8")
    real_utcnow = ledger.utcnow
    monkeypatch.setattr(ledger, "utcnow", lambda: real_utcnow() - timedelta(days=1))
    second = run_pipeline(inbox, warehouse)
    assert second.success
    assert processed(second) == dict.fromkeys(STAGES, 1)
    rows = query_warehouse(warehouse, "SELECT count(*) FROM marts.report_overview WHERE source_path = 'new.txt'")
    assert rows == [(1,)]
    assert processed(run_pipeline(inbox, warehouse)) == dict.fromkeys(STAGES, 0)


def test_a_warehouse_whose_report_metrics_was_a_table_is_upgraded(tmp_path: Path) -> None:
    """Warehouses written before metrics.report_metrics became a view held a copy of every table
    cell in a table of that name. A run that writes upgrades one: the same rows for the reports it
    had, the prose rows alone in metrics.text_metrics, and the new report's rows in the view."""
    inbox = make_inbox(tmp_path / "inbox", with_bad_files=False)
    warehouse = tmp_path / "wh.duckdb"
    assert run_pipeline(inbox, warehouse).success
    every_row = "SELECT * FROM metrics.report_metrics ORDER BY ALL"
    before = query_warehouse(warehouse, every_row)
    con = duckdb.connect(str(warehouse))
    try:  # what the older code left: a table of every row, table cells included
        con.execute("CREATE TABLE metrics.rows_as_written AS SELECT * FROM metrics.report_metrics")
        con.execute("DROP VIEW metrics.report_metrics")
        con.execute("DROP TABLE metrics.text_metrics")
        con.execute("ALTER TABLE metrics.rows_as_written RENAME TO report_metrics")
    finally:
        con.close()
    sources = "SELECT DISTINCT source FROM metrics.report_metrics ORDER BY source"
    assert query_warehouse(warehouse, sources) == [("table",), ("text",)]
    assert processed(run_pipeline(inbox, warehouse)) == dict.fromkeys(STAGES, 0)  # idle: left as it was
    report_ids = "SELECT report_id FROM raw.reports"
    reports_before = set(query_warehouse(warehouse, report_ids))
    text = (SAMPLES / SAMPLE_IDS["001"]).read_text(encoding="utf-8").replace("河东区", "兰山区")
    (inbox / "new.txt").write_text(text, encoding="utf-8")
    assert processed(run_pipeline(inbox, warehouse)) == dict.fromkeys(STAGES, 1)
    kind = "SELECT table_type FROM information_schema.tables WHERE table_schema = 'metrics' AND table_name = ?"
    assert query_warehouse(warehouse, kind, ["report_metrics"]) == [("VIEW",)]
    assert query_warehouse(warehouse, "SELECT DISTINCT source FROM metrics.text_metrics") == [("text",)]
    (new_id,) = set(query_warehouse(warehouse, report_ids)) - reports_before
    old_rows = "SELECT * FROM metrics.report_metrics WHERE report_id <> ? ORDER BY ALL"
    assert query_warehouse(warehouse, old_rows, [new_id[0]]) == before
    new_rows = "SELECT source, count(*) FROM metrics.report_metrics WHERE report_id = ? GROUP BY ALL ORDER BY ALL"
    assert [source for source, _ in query_warehouse(warehouse, new_rows, [new_id[0]])] == ["table", "text"]


_INGEST_IN_A_FRESH_PROCESS = """
import sys
from datetime import datetime
from pathlib import Path

from expectations import suites
from warehouse.stages import raw
from warehouse.store import WarehouseStore

store = WarehouseStore(Path(sys.argv[1]))
with store.write(sys.argv[3]) as con:
    stats = raw.ingest_inbox(con, Path(sys.argv[2]), datetime(2026, 1, 1))
store.publish(sys.argv[3])
thread = suites._gx_import
if thread is not None:
    thread.join()
print(stats.counts["new_reports"], thread.name if thread else None, "great_expectations" in sys.modules)
"""


def test_new_files_start_loading_gx_while_the_stages_before_quality_compute(tmp_path: Path) -> None:
    """In a fresh process GX is not loaded. A raw stage with files to read starts its import in a
    thread (the quality stage would otherwise wait 3-4 s for it), which leaves GX loaded; a raw
    stage with nothing new starts nothing (a run with nothing to judge never needs GX)."""
    import subprocess
    import sys

    inbox = make_inbox(tmp_path / "inbox", with_bad_files=False)

    def ingest(run_id: str) -> str:
        command = [sys.executable, "-c", _INGEST_IN_A_FRESH_PROCESS, str(tmp_path / "wh.duckdb"), str(inbox), run_id]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()

    assert ingest("first") == f"{len(SAMPLE_IDS)} import-great-expectations True"
    assert ingest("second") == "0 None False"


def test_the_quality_context_read_for_a_change_judges_as_the_whole_warehouse_would(tmp_path: Path) -> None:
    """The quality stage reads only the reports a change can reach (`frames.cross_report_scope`).
    For any set of changed reports, the reports judged and every row the cross-report rules give
    them must be what a context of the whole warehouse gives."""
    import polars as pl
    from polars.testing import assert_frame_equal

    from testkit.generator import generate_case
    from warehouse.stages import quality

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    cases = [("CARRY_OVER_CONTINUITY", "grid"), (None, "flat"), ("IN_FORCE_CONTINUITY", "markdown")]
    cases += [("DUPLICATE_REPORT", "grid"), ("DUPLICATE_REPORT", "html"), (None, "glued")]
    for index, (fault, layout) in enumerate(cases):
        for generated in generate_case(index, layout, fault, seed=23):
            (inbox / generated.name).write_bytes(generated.data)
    warehouse = tmp_path / "wh.duckdb"
    assert run_pipeline(inbox, warehouse, workers=1).success
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        every = [r for (r,) in con.execute("SELECT report_id FROM cleaned.reports ORDER BY report_id").fetchall()]
        whole = quality.quality_context(con, every)
        assert whole.reports.height == len(every) and whole.continuity.height >= 2
        changes = [[report_id] for report_id in every] + [every[::3], every[1::4]]
        scopes = set()
        for changed in changes:
            scoped = quality.quality_context(con, changed)
            scopes.add(scoped.reports.height)
            judged = quality.touched_reports(scoped, changed)
            assert judged == quality.touched_reports(whole, changed), changed
            for name in ("report_rows", "continuity"):
                rows = [
                    getattr(context, name).filter(pl.col("report_id").is_in(judged)).drop("row_key").sort("report_id")
                    for context in (whole, scoped)
                ]
                assert_frame_equal(rows[0], rows[1])
    finally:
        con.close()
    assert min(scopes) < len(every)  # a change to one report reads less than the warehouse
