"""The whole graph through Dagster: contract, bad input, re-runs, checks in the UI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from testkit.runs import ROOT, make_inbox, run_pipeline
from warehouse import batches, contract, sql
from warehouse.stages import quality, raw, segmented

pytestmark = pytest.mark.slow  # materializes inboxes

CONTRACT_CHECK = ROOT.parent / "shared" / "tools" / "contract_check.py"


def table_counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables ORDER BY 1"
            ).fetchall()
        ]
        return {name: con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0] for name in names}
    finally:
        con.close()


def test_contract_check_passes(sample_warehouse: Path) -> None:
    if not CONTRACT_CHECK.exists():  # a plain clone; CI runs with ../shared beside it
        pytest.skip(f"{CONTRACT_CHECK} is not beside the clone: the contract check runs where ../shared is")
    done = subprocess.run(
        [sys.executable, str(CONTRACT_CHECK), str(sample_warehouse)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "contract: 0 problem(s), 5 report(s)" in done.stdout


def test_bad_files_rejected_with_reasons(query) -> None:
    rows = query("SELECT source_path, reason FROM raw.rejected_files ORDER BY source_path")
    assert rows == [
        ("bad/empty.txt", "empty"),
        ("bad/picture.txt", "unsupported_type"),
        ("bad/undecodable.txt", "undecodable"),
    ]
    assert query("SELECT count(*) FROM raw.reports")[0][0] == 5


def test_catalogues_filled(query) -> None:
    assert query("SELECT count(*) FROM catalog.rules")[0][0] == 28
    assert query("SELECT count(*) FROM catalog.metrics WHERE metric = 't3.new_received.natural_person'")[0][0] == 1
    assert query("SELECT unit FROM catalog.metrics WHERE metric = 't2.administrative_fees.amount'")[0][0] == "万元"


def test_validation_runs_recorded(query) -> None:
    suites = {s for (s,) in query("SELECT suite FROM quality.validation_runs")}
    assert suites == {"reconciliation", "years", "document", "continuity"}
    flags_per_run = query("SELECT count(DISTINCT run_id) FROM quality.flags")[0][0]
    assert flags_per_run == 1
    # GX Data Docs, built once after the suites: an index and a page per validated frame; each
    # suite's row points at its page of the run (the index where the suite validated nothing).
    pages = {Path(p) for (p,) in query("SELECT DISTINCT data_docs_path FROM quality.validation_runs")}
    assert all(page.is_file() for page in pages)
    site = next(page for page in pages if "validations" in page.parts).parents[5]
    assert "reconciliation.t3_columns" in (site / "index.html").read_text(encoding="utf-8")
    assert list((site / "validations").rglob("*.html"))


def test_second_run_adds_nothing_and_new_file_is_processed(tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox")
    warehouse = tmp_path / "wh.duckdb"
    assert run_pipeline(inbox, warehouse).success
    first = table_counts(warehouse)
    assert run_pipeline(inbox, warehouse).success
    assert table_counts(warehouse) == first
    # A copy of a report under another name is a duplicate file, not a new report.
    (inbox / "copy_of_001.txt").write_bytes((inbox / "001_67c1420167c13949.txt").read_bytes())
    assert run_pipeline(inbox, warehouse).success
    third = table_counts(warehouse)
    assert third["raw.reports"] == first["raw.reports"]
    assert third["raw.report_files"] == first["raw.report_files"] + 1
    # No staging file is left behind by finished runs.
    assert not list(tmp_path.glob(".wh.duckdb.*.staging"))


def test_reader_sees_published_state_while_staging(tmp_path: Path) -> None:
    """A run writes a staging copy; the published file stays readable read-only until the swap."""
    from warehouse.store import WarehouseStore

    store = WarehouseStore(tmp_path / "w.duckdb")
    with store.write("first") as con:
        con.execute("INSERT INTO catalog.rules VALUES ('R', 'document', 'warning', 'z', 'e')")
    assert store.publish("first")
    with store.write("second") as con:
        con.execute("DELETE FROM catalog.rules")
        # Mid-run: a reader of the published path sees the previous complete state, no lock error.
        reader = duckdb.connect(str(store.path), read_only=True)
        assert reader.execute("SELECT count(*) FROM catalog.rules").fetchall()[0][0] == 1
        reader.close()
    assert store.publish("second")
    reader = duckdb.connect(str(store.path), read_only=True)
    assert reader.execute("SELECT count(*) FROM catalog.rules").fetchall()[0][0] == 0
    reader.close()


OTHER_RUN = """
import sys
from pathlib import Path
from warehouse.store import WarehouseStore
store = WarehouseStore(sys.argv[1])
Path(sys.argv[2]).write_text("started")
with store.write("second") as con:
    con.execute("INSERT INTO catalog.rules VALUES ('B', 'document', 'warning', 'b', 'e')")
assert store.publish("second")
"""


def test_a_second_run_waits_for_the_first_and_builds_on_it(tmp_path: Path) -> None:
    """Two runs at once (the sensor starts one while another is under way, or a user does): the
    second must not delete the first's staging copy as a dead run's, nor start from the state the
    first is about to replace. It waits until the first has published, and continues from there."""
    import time

    from warehouse.store import WarehouseStore

    store = WarehouseStore(tmp_path / "w.duckdb")
    started = tmp_path / "other_run_started"
    with store.write("first") as con:  # the first run's first stage
        con.execute("INSERT INTO catalog.rules VALUES ('A1', 'document', 'warning', 'a', 'e')")
    other = subprocess.Popen([sys.executable, "-c", OTHER_RUN, str(store.path), str(started)], cwd=ROOT)
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # meanwhile the other run reaches its first write
    with store.write("first") as con:  # the first run's next stage
        con.execute("INSERT INTO catalog.rules VALUES ('A2', 'document', 'warning', 'a', 'e')")
    assert store.publish("first")
    assert other.wait(timeout=60) == 0
    reader = duckdb.connect(str(store.path), read_only=True)
    assert [r for (r,) in reader.execute("SELECT rule FROM catalog.rules ORDER BY rule").fetchall()] == [
        "A1",
        "A2",
        "B",
    ]
    reader.close()
    assert store.stale_staging_files() == []


def _another_run_completes(warehouse: Path, tmp_path: Path) -> list[str]:
    """Run OTHER_RUN on `warehouse` in a process of its own; the rules it then holds. A run that
    waits for a run lock nobody will give back fails here, after 60 s, instead of hanging."""
    other = subprocess.Popen([sys.executable, "-c", OTHER_RUN, str(warehouse), str(tmp_path / "started")], cwd=ROOT)
    try:
        assert other.wait(timeout=60) == 0
    finally:
        other.kill()
    reader = duckdb.connect(str(warehouse), read_only=True)
    try:
        return [r for (r,) in reader.execute("SELECT rule FROM catalog.rules WHERE rule = 'B'").fetchall()]
    finally:
        reader.close()


def test_a_run_whose_stage_fails_lets_other_runs_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that failed inside a process that lives on (a notebook, a test session) publishes
    nothing, so it must not keep other processes' runs waiting for its run lock."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a stage that fails")

    monkeypatch.setattr(segmented, "segment_pending", broken)
    warehouse = tmp_path / "w.duckdb"
    result = run_pipeline(make_inbox(tmp_path / "inbox", with_bad_files=False), warehouse, workers=1)
    assert not result.success
    assert [e.step_key for e in result.get_step_failure_events()] == ["segmented_reports"]
    assert _another_run_completes(warehouse, tmp_path) == ["B"]


def test_a_run_stopped_by_the_inbox_check_lets_other_runs_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The blocking inbox check ends a run before anything is published: the same holds."""
    inbox = make_inbox(tmp_path / "inbox", with_bad_files=False)
    lost = sorted(path.name for path in inbox.iterdir())[:1]
    monkeypatch.setattr(raw, "unaccounted_files", lambda con, folder: lost)
    warehouse = tmp_path / "w.duckdb"
    result = run_pipeline(inbox, warehouse, workers=1)
    assert not result.success
    (check,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "inbox_accounted"]
    assert not check.passed and check.metadata["unaccounted"].value == 1
    assert _another_run_completes(warehouse, tmp_path) == ["B"]


def test_a_reader_before_the_first_publish_leaves_the_first_run_alone(tmp_path: Path) -> None:
    """A dashboard that opens the warehouse while the very first run is under way gets an empty
    warehouse, and the run's staging copy (its earlier stages) survives it."""
    from warehouse.store import WarehouseStore

    store = WarehouseStore(tmp_path / "w.duckdb")
    with store.write("first") as con:
        con.execute("INSERT INTO catalog.rules VALUES ('A1', 'document', 'warning', 'a', 'e')")
    with store.read() as con:
        assert con.execute("SELECT count(*) FROM catalog.rules").fetchall()[0][0] == 0
    with store.write("first") as con:
        con.execute("INSERT INTO catalog.rules VALUES ('A2', 'document', 'warning', 'a', 'e')")
    assert store.publish("first")
    with store.read() as con:
        assert con.execute("SELECT rule FROM catalog.rules ORDER BY rule").fetchall() == [("A1",), ("A2",)]


def test_duplicate_metric_row_is_a_contract_problem(sample_warehouse: Path, tmp_path: Path) -> None:
    """report_metrics has no index (writes are faster without it): the contract's unique key is
    held by the warehouse_contract check, so a duplicated row must show there, whichever of the
    view's tables (table cells, prose rows) holds it."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(sample_warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        assert contract.contract_problems(con) == dict.fromkeys(contract.contract_problems(con), 0)
        con.execute(
            "INSERT INTO segmented.table_cells SELECT * FROM segmented.table_cells ORDER BY report_id, metric LIMIT 1"
        )
        table_duplicate = contract.contract_problems(con)
        con.execute(
            "INSERT INTO metrics.text_metrics SELECT * FROM metrics.text_metrics ORDER BY report_id, metric LIMIT 1"
        )
        both = contract.contract_problems(con)
    finally:
        con.close()
    assert table_duplicate["duplicate metric rows"] == 1
    assert sum(table_duplicate.values()) == 1
    assert both["duplicate metric rows"] == 2
    assert sum(both.values()) == 2


@pytest.mark.parametrize(
    ("items", "batch_size", "workers", "sizes"),
    [
        (10_000, 2000, 2, [1250] * 8),  # 5 batches of 2,000 would leave one worker idle at the end
        (10_000, 2000, 1, [2000] * 5),  # no workers: the largest batches
        (100_000, 2000, 2, [2000] * 50),  # enough batches anyway
        (300, 2000, 2, [250, 50]),  # never under 250 reports: each batch costs its reads and writes
        (7, 3, 2, [3, 3, 1]),  # a batch_size below the floor is kept (the tests' small batches)
    ],
)
def test_work_batches_keep_every_worker_busy(items: int, batch_size: int, workers: int, sizes: list[int]) -> None:
    cut = batches.work_batches(list(range(items)), batch_size, workers)
    assert [len(b) for b in cut] == sizes
    assert [x for b in cut for x in b] == list(range(items))


def test_prefetched_yields_in_order_raises_the_producers_error_and_stops_its_thread() -> None:
    import threading

    from warehouse.parallel import prefetched

    assert list(prefetched(iter(range(5)))) == [0, 1, 2, 3, 4]

    def failing():
        yield 1
        raise ValueError("read failed")

    consumed = []
    with pytest.raises(ValueError, match="read failed"):
        for item in prefetched(failing()):
            consumed.append(item)
    assert consumed == [1]
    # A consumer that stops early leaves no producer thread behind (it would still hold the connection).
    early = prefetched(iter(range(100)))
    assert next(early) == 0
    early.close()  # type: ignore[attr-defined]  # a generator
    assert not [t for t in threading.enumerate() if t.name == "prefetch"]


def test_continuity_shares_read_in_chunks_match_one_read() -> None:
    """The quality stage reads the texts of continuity pairs a chunk of pairs at a time: every
    chunking gives each pair the share its own two texts give."""
    import polars as pl

    from warehouse.store import schema_sql

    said = "本机关全年主动公开政府信息一百条，全部通过门户网站发布。"
    other = "本年度共举办新闻发布会三场，回应社会关切十余次。"
    texts = {"a2": said + other, "a1": said, "b2": other, "b1": said, "c2": said + other, "c1": said + other}
    con = duckdb.connect()
    con.execute(schema_sql())
    for report_id, text in texts.items():
        con.execute(
            "INSERT INTO cleaned.reports (report_id, text, doc_type, original_script, fixes) "
            "VALUES (?, ?, 'annual_report', 'simplified', [])",
            [report_id, text],
        )
    pairs = pl.DataFrame(
        {"report_id": ["a2", "b2", "c2"], "previous_report_id": ["a1", "b1", "c1"], "copied_share": [None] * 3},
        schema_overrides={"copied_share": pl.Float64},
    )
    expected = [0.5, 0.0, 1.0]  # half of a2's sentences are a1's; none of b2's; all of c2's
    for pairs_per_read in (1, 2, 3, 10):
        shares = quality.continuity_with_shares(con, pairs, pairs_per_read)
        assert shares["report_id"].to_list() == ["a2", "b2", "c2"]
        assert shares["copied_share"].to_list() == expected
    assert quality.continuity_with_shares(con, pairs.clear()).is_empty()


def test_cells_sent_a_row_at_a_time_are_the_cells_read() -> None:
    """The segmented stage's worker returns a table row's cells as one row (placed in its section
    once) and their codes as categoricals; written, they are exactly the cells the reader finds,
    each in the section its own offset falls in, across a process boundary (pickled)."""
    import pickle

    import polars as pl

    from testkit.generator import corpus
    from transforms import pipeline, tables
    from warehouse import store

    reports = corpus(seed=3)[:40]
    cleaned = pl.DataFrame(
        {"report_id": [f"r{i}" for i in range(len(reports))], "text": [r.text for r in reports]}
    ).with_columns(pl.lit(False).alias("is_html"))
    found = pickle.loads(pickle.dumps(segmented.segment_batch(cleaned)))
    assert found.cell_values.schema["metric"] == pl.Categorical
    # Written as the stage writes them (the codes still categoricals), read back from DuckDB.
    con = duckdb.connect()
    con.execute(store.schema_sql())
    store.insert_frame(con, "segmented.table_cells", found.cells)
    written = store.frame(con, f"SELECT {', '.join(tables.CELL_SCHEMA)}, section_no FROM segmented.table_cells")
    # The cells one by one, as the reader recorded them: each row's place and evidence for its cells.
    by_cell = []
    for report_id, text in cleaned.select("report_id", "text").iter_rows():
        for reading in tables.read_report(report_id, text)[1]:
            first = 0
            for offset, evidence, width in zip(reading.offsets, reading.evidence, reading.widths, strict=True):
                for index in range(first, first + width):
                    metric, value, unit = reading.metrics[index], reading.values[index], reading.units[index]
                    by_cell.append((report_id, reading.table_code, metric, value, unit, offset, evidence))
                first += width
    cells = pl.DataFrame(by_cell, schema=tables.CELL_SCHEMA, orient="row")
    expected = pipeline.with_section_no(cells, found.sections)
    assert written.height > 1000  # the corpus's tables were read
    assert written.equals(expected)


def test_a_batchs_text_digests_are_duckdbs_sha256_of_its_texts() -> None:
    """Duplicates by text are found by `text_sha256`, computed in the worker: it must be the digest
    DuckDB computed before (of the UTF-8 bytes), for Chinese, Traditional-converted and empty text."""
    import polars as pl

    from transforms import pipeline

    raw = pl.DataFrame(
        {
            "report_id": ["a", "b", "c", "d"],
            "media_type": ["text/plain", "text/plain", "text/html", "text/plain"],
            "text": ["一、总体情况\n本年新收申请12件。", "政府資訊公開工作年度報告", "<p>二、主动公开</p>", ""],
        }
    )
    cleaned = pipeline.clean_batch(raw)
    con = duckdb.connect()
    con.register("cleaned", cleaned.to_arrow())
    mismatched = con.sql("SELECT report_id FROM cleaned WHERE text_sha256 IS DISTINCT FROM sha256(text)").fetchall()
    assert cleaned.height == 4 and cleaned["text_sha256"].null_count() == 0
    assert mismatched == []
    assert cleaned["text_sha256"].n_unique() == 4


@pytest.fixture(scope="module")
def text_table() -> duckdb.DuckDBPyConnection:
    """cleaned.reports-like rows over several row groups, some re-derived (deleted and appended
    again, as a stage replaces a report's rows), so a report's rows move to the table's end."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA cleaned")
    con.execute("CREATE TABLE cleaned.reports (report_id VARCHAR, text VARCHAR USING COMPRESSION zstd)")
    con.execute(
        "INSERT INTO cleaned.reports SELECT printf('%016x', hash(i)), repeat('公开', 50) || i FROM range(300000) t(i)"
    )
    con.execute("DELETE FROM cleaned.reports WHERE hash(report_id) % 7 = 0")
    con.execute(
        "INSERT INTO cleaned.reports SELECT printf('%016x', hash(i)), 'again ' || i FROM range(300000) t(i) "
        "WHERE hash(printf('%016x', hash(i))) % 7 = 0"
    )
    return con


@given(
    picks=st.lists(st.integers(min_value=0, max_value=299_999), max_size=40),
    tail=st.integers(min_value=0, max_value=2000),
)
def test_reading_texts_within_their_rowid_range_misses_none(
    text_table: duckdb.DuckDBPyConnection, picks: list[int], tail: int
) -> None:
    """The rowid range a text read is narrowed to holds every wanted row: the same rows as the
    plain filter, for scattered reports, re-derived ones and a run's appended tail."""
    con = text_table
    ids = [
        row[0]
        for row in con.execute("SELECT report_id FROM cleaned.reports ORDER BY rowid DESC LIMIT ?", [tail]).fetchall()
    ]
    ids += [f"{h:016x}" for (h,) in con.execute("SELECT hash(unnest(?::BIGINT[]))", [picks]).fetchall()]
    ids += ["not-a-report"]
    plain = sql.select_ids(con, f"SELECT report_id, text FROM cleaned.reports {sql.WANTED}", ids)
    narrowed = sql.select_ids(
        con, f"SELECT report_id, text FROM cleaned.reports {sql.wanted_texts('cleaned.reports')}", ids
    )
    assert narrowed.sort("report_id").equals(plain.sort("report_id"))
    assert plain.height == len(set(ids)) - 1


def test_a_python_m_program_with_workers_prints_only_its_output() -> None:
    """Run as `python -m` (the benchmark is), the workers' re-run of the program's module printed
    one runpy RuntimeWarning each into its output; they are expected there and filtered."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.parallel_main"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.stdout.strip() == "[2, 4, 6, 8]"
    assert "Warning" not in done.stderr, done.stderr


def test_long_stages_log_their_progress_batch_by_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each batch stage tells the run's log how far it has got (done, to do, rate), throttled to
    PROGRESS_EVERY_SECONDS (here 0: every batch); the stage's own end is not repeated."""
    import re

    from dagster import DagsterInstance

    from orchestration import assets
    from testkit.runs import BAD_FILES, SAMPLE_IDS, make_inbox, run_pipeline

    monkeypatch.setattr(assets, "PROGRESS_EVERY_SECONDS", 0.0)
    inbox = make_inbox(tmp_path / "inbox")
    with DagsterInstance.ephemeral() as instance:
        result = run_pipeline(inbox, tmp_path / "wh.duckdb", batch_size=1, workers=1, instance=instance)
        assert result.success
        messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    told: dict[str, list[tuple[int, int]]] = {}
    for message in messages:
        found = re.match(r"(\w+): (\d+) of (\d+) (reports|files) \(\d+%\), [\d,]+ (reports|files)/s$", message)
        if found:
            told.setdefault(found.group(1), []).append((int(found.group(2)), int(found.group(3))))
    files, reports = len(SAMPLE_IDS) + len(BAD_FILES), len(SAMPLE_IDS)
    assert told["raw_reports"] == [(n, files) for n in range(1, files)]
    for stage in ("cleaned_reports", "segmented_reports", "report_metrics", "quality_flags"):
        assert told[stage] == [(n, reports) for n in range(1, reports)], stage


def test_metrics_have_the_templates_order(query) -> None:
    """catalog.metrics.display_order lists table 3's applicant columns as the template prints them."""
    columns = query(
        "SELECT col_code FROM catalog.metrics WHERE row_code = 'new_received' AND table_code = 't3' "
        "ORDER BY display_order"
    )
    assert [c for (c,) in columns] == [
        "natural_person",
        "commercial",
        "research",
        "social_org",
        "legal_service",
        "other_org",
        "total",
    ]
