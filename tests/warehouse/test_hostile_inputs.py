"""Hostile inputs beside good reports: every file ends in raw.reports or raw.rejected_files with a
reason, the run succeeds, and the counts add up."""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from testkit.generator import generate
from testkit.runs import make_inbox, query_warehouse, run_pipeline
from transforms import catalog, ingest
from transforms.ingest import MAX_BYTES

pytestmark = pytest.mark.slow  # materializes hostile inboxes

GOOD = "001_67c1420167c13949.txt"
AWKWARD_NAME = "河东区 2023 年报 'quoted' \"double\" $(rm -rf ~) ; DROP TABLE raw.reports; --.txt"


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _absurd_table_report() -> str:
    rows = []
    for row in catalog.T3_ROWS:
        if "2021" not in row.templates:
            continue
        cells = ["0"] * 6 + ["0"]
        if row.code == "granted":
            cells = ["-3", "0", "0", "0", "0", "0", "-3"]
        if row.code == "partially_granted":
            cells = ["12.5", "0", "0", "0", "0", "0", "12.5"]
        if row.code == "unable_not_held":
            cells = ["1000000000000000", "0", "0", "0", "0", "0", "1000000000000000"]
        rows.append("\t".join([row.label_zh, *cells]))
    return (
        "某某县统计局2022年政府信息公开工作年度报告\n本报告统计期限自2022年1月1日起至2022年12月31日止。\n"
        "三、收到和处理政府信息公开申请情况\n" + "\n".join(rows) + "\n某某县统计局\n2023年1月10日"
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("hostile")
    inbox = make_inbox(base / "inbox", with_bad_files=False)
    good_text = (inbox / GOOD).read_text(encoding="utf-8")
    files: dict[str, bytes] = {
        "empty.txt": b"",
        "whitespace.txt": b" \n\t\r\n   \n",
        "image.txt": b"\x89PNG\r\n\x1a\n" + os.urandom(2048),
        "archive.zip": _zip_bytes(),
        "report.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n",
        "report.docx": _zip_bytes(),
        "noise.txt": bytes([0x81, 0x30, 0xFF, 0xFE, 0x80, 0xFF]) * 300,
        "mixed.txt": "一、总体情况\n".encode()
        + "本年度共受理政府信息公开申请3件。\n".encode("gbk")
        + "二、主动公开政府信息情况\n".encode(),
        "truncated.html": (
            "<html><body><p>河东区人民政府办公室2023年政府信息公开工作年度报告</p><table><tr><td>规章"
        ).encode(),
        AWKWARD_NAME: "<script>alert('x')</script>'; DROP TABLE raw.reports; -- 政府信息公开工作年度报告".encode(),
        "headings.txt": (
            "一、总体情况\n" + "\n".join(f"{i % 9 + 1}.第{i}项工作\n内容。" for i in range(10000))
        ).encode(),
        "absurd.txt": _absurd_table_report().encode(),
        "table_only.txt": "\n".join(generate(1, "grid", None).text.split("\n\n")[7:8]).encode(),
        "same_report_gb18030.txt": good_text.encode("gb18030"),
    }
    for name, data in files.items():
        (inbox / name).write_bytes(data)
    with open(inbox / "huge.txt", "wb") as handle:  # sparse: 200 MB on paper, nothing on disk
        handle.truncate(200 * 1024 * 1024)
    os.symlink("loop.txt", inbox / "loop.txt")
    warehouse = base / "wh.duckdb"
    result = run_pipeline(inbox, warehouse)
    assert result.success
    return inbox, warehouse


def test_every_file_accounted_exactly_once(hostile) -> None:
    inbox, warehouse = hostile
    names = sorted(str(p.relative_to(inbox)) for p in inbox.rglob("*") if p.is_file() or p.is_symlink())
    in_reports = {p for (p,) in query_warehouse(warehouse, "SELECT source_path FROM raw.report_files")}
    in_rejected = {p for (p,) in query_warehouse(warehouse, "SELECT source_path FROM raw.rejected_files")}
    assert not in_reports & in_rejected
    assert sorted(in_reports | in_rejected) == names


def test_rejections_have_reasons(hostile) -> None:
    _, warehouse = hostile
    reasons = dict(query_warehouse(warehouse, "SELECT source_path, reason FROM raw.rejected_files"))
    assert reasons == {
        "empty.txt": "empty",
        "whitespace.txt": "empty",
        "image.txt": "unsupported_type",
        "archive.zip": "unsupported_type",
        "report.pdf": "corrupt",  # a PDF header with no document behind it
        "report.docx": "corrupt",  # a ZIP without a Word document in it
        "noise.txt": "undecodable",
        "huge.txt": "too_large",
        "loop.txt": "broken_link",
    }
    detail = query_warehouse(warehouse, "SELECT detail FROM raw.rejected_files WHERE reason = 'too_large'")[0][0]
    assert str(MAX_BYTES) in detail


def test_decoded_inputs(hostile) -> None:
    _, warehouse = hostile
    encodings = dict(query_warehouse(warehouse, "SELECT source_path, encoding FROM raw.reports"))
    assert encodings["mixed.txt"] == "utf-8+gb18030"
    assert encodings["same_report_gb18030.txt"] == "gb18030"
    text = query_warehouse(warehouse, "SELECT text FROM raw.reports WHERE source_path = 'mixed.txt'")[0][0]
    assert "本年度共受理政府信息公开申请3件" in text
    assert query_warehouse(warehouse, "SELECT media_type FROM raw.reports WHERE source_path = 'truncated.html'") == [
        ("text/html",)
    ]


def test_same_report_in_two_encodings_is_a_duplicate(hostile) -> None:
    _, warehouse = hostile
    rows = query_warehouse(
        warehouse,
        """
        SELECT r.source_path, f.details->>'duplicate_path'
        FROM quality.flags AS f JOIN raw.reports AS r USING (report_id)
        WHERE f.rule = 'DUPLICATE_REPORT'""",
    )
    assert len(rows) == 1
    assert {rows[0][0], rows[0][1]} == {GOOD, "same_report_gb18030.txt"}


def test_names_and_content_are_data_not_code(hostile) -> None:
    _, warehouse = hostile
    assert query_warehouse(warehouse, "SELECT count(*) FROM raw.reports WHERE source_path = ?", [AWKWARD_NAME]) == [
        (1,)
    ]
    text = query_warehouse(
        warehouse,
        "SELECT c.text FROM cleaned.reports AS c JOIN raw.reports AS r USING (report_id) WHERE r.source_path = ?",
        [AWKWARD_NAME],
    )[0][0]
    assert "<script>" in text  # plain text keeps what it says; nothing ran it
    assert query_warehouse(warehouse, "SELECT count(*) FROM raw.reports")[0][0] >= 10


def test_ten_thousand_headings(hostile) -> None:
    _, warehouse = hostile
    count = query_warehouse(
        warehouse,
        "SELECT count(*) FROM segmented.sections AS s JOIN raw.reports AS r USING (report_id) "
        "WHERE r.source_path = 'headings.txt'",
    )[0][0]
    assert count == 10001


def test_absurd_numbers_flagged_not_crashing(hostile) -> None:
    _, warehouse = hostile
    rid = query_warehouse(warehouse, "SELECT report_id FROM raw.reports WHERE source_path = 'absurd.txt'")[0][0]
    values = dict(
        query_warehouse(warehouse, "SELECT metric, value FROM metrics.report_metrics WHERE report_id = ?", [rid])
    )
    assert values["t3.granted.natural_person"] == -3
    assert values["t3.partially_granted.natural_person"] == 12.5
    assert values["t3.unable_not_held.total"] == 1e15
    invalid = {
        tuple(r)
        for r in query_warehouse(
            warehouse,
            "SELECT details->>'metric', message FROM quality.flags WHERE report_id = ? AND rule = 'INVALID_COUNT'",
            [rid],
        )
    }
    metrics = {m for m, _ in invalid}
    assert metrics == {
        "t3.granted.natural_person",
        "t3.granted.total",
        "t3.partially_granted.natural_person",
        "t3.partially_granted.total",
    }


def test_table_only_report_kept(hostile) -> None:
    _, warehouse = hostile
    rows = query_warehouse(
        warehouse,
        "SELECT c.doc_type, t.table_code, t.cells_read FROM cleaned.reports AS c "
        "JOIN raw.reports AS r USING (report_id) LEFT JOIN segmented.tables AS t USING (report_id) "
        "WHERE r.source_path = 'table_only.txt'",
    )
    # No title and no prose: not recognisable as an annual report, but its table is read whole.
    assert rows == [("other", "t3", 175)]


def test_no_code_built_from_input() -> None:
    """No eval/exec anywhere, and SQL that formats strings only ever formats our own identifiers."""
    sources = [
        p
        for folder in ("orchestration", "transforms", "expectations", "warehouse")
        for p in (Path(__file__).resolve().parents[2] / folder).rglob("*.py")
    ]
    assert sources
    for path in sources:
        code = path.read_text(encoding="utf-8")
        # Python's eval/exec, not a method of that name (Polars' `list.eval` runs an expression).
        assert not re.search(r"(?<![\w.])(?:eval|exec)\(", code), path


def test_accounting_check_sees_a_lost_file(tmp_path: Path) -> None:
    """The blocking check's query must notice a file that neither table holds."""
    from datetime import datetime

    from warehouse.stages import raw
    from warehouse.store import WarehouseStore

    inbox = make_inbox(tmp_path / "inbox")
    store = WarehouseStore(tmp_path / "wh.duckdb")
    with store.write("run") as con:
        raw.ingest_inbox(con, inbox, datetime(2026, 1, 1))
        assert raw.unaccounted_files(con, inbox) == []
        (inbox / "arrived_later.txt").write_text("河东区政府信息公开工作年度报告", encoding="utf-8")
        assert raw.unaccounted_files(con, inbox) == ["arrived_later.txt"]


def test_only_files_changed_after_the_listing_are_excused(tmp_path: Path) -> None:
    """The inbox check passes over files that arrived after the raw stage listed the inbox (by
    their change time), and over files gone since; a file that was there before still counts."""
    import time

    from warehouse.stages import raw

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "before.txt").write_text("河东区", encoding="utf-8")
    time.sleep(0.05)  # the file system's clock is coarse (a few ms)
    listed_at = time.time()
    time.sleep(0.05)
    (inbox / "after.txt").write_text("兰山区", encoding="utf-8")
    paths = ["before.txt", "after.txt", "gone.txt"]
    assert raw.arrived_since(inbox, paths, listed_at) == ["after.txt", "gone.txt"]
    assert raw.arrived_since(inbox, paths, listed_at - 3600) == paths


def test_names_only_listing_is_the_full_listing(tmp_path: Path) -> None:
    """The inbox check lists names without a stat per file; it must see exactly the entries the
    raw stage's listing records, problem entries included, and nothing the raw stage skips."""
    inbox = tmp_path / "inbox"
    (inbox / "b_folder" / "deeper").mkdir(parents=True)
    (inbox / "a.txt").write_bytes(b"a")
    (inbox / "b_folder" / "z.txt").write_bytes(b"z")
    (inbox / "b_folder" / "deeper" / "y.txt").write_bytes(b"y")
    (inbox / ".wh.run.staging").write_bytes(b"mid-write")  # skipped by both
    os.symlink("loop.txt", inbox / "loop.txt")
    os.symlink("nowhere.txt", inbox / "dangling.txt")
    os.symlink("b_folder", inbox / "linked_folder")  # not entered by either
    os.symlink("a.txt", inbox / "link_to_a.txt")
    os.mkfifo(inbox / "pipe")
    full = ingest.scan_inbox(inbox)
    assert ingest.inbox_paths(inbox) == [f.source_path for f in full]
    assert [f.source_path for f in full] == [
        "a.txt",
        "dangling.txt",
        "link_to_a.txt",
        "loop.txt",
        "pipe",
        "b_folder/z.txt",
        "b_folder/deeper/y.txt",
    ]
    assert {f.source_path: f.problem for f in full if f.problem} == {
        "dangling.txt": "broken_link",
        "loop.txt": "broken_link",
        "pipe": "unsupported_type",
    }


def _utf8_line_with_han(line: bytes) -> bool:
    try:
        return any("\u4e00" <= ch <= "\u9fff" for ch in line.decode("utf-8"))
    except UnicodeDecodeError:
        return False


_LINE_TEXT = st.text(alphabet=st.sampled_from("一、总体情况政府信息公开年报abc 123，。\r"), max_size=10)


@settings(max_examples=400, deadline=None)
@given(
    lines=st.lists(
        st.tuples(_LINE_TEXT, st.sampled_from(["utf-8", "gb18030", "big5", "utf-16-le"]), st.binary(max_size=3)),
        max_size=8,
    )
)
def test_utf8_han_line_screen_agrees_with_decoding_each_line(lines: list[tuple[str, str, bytes]]) -> None:
    """The screen in front of mixed-encoding decoding (one escaped decoding of the whole file) finds a
    valid UTF-8 line with Chinese text exactly when decoding the lines one by one does."""
    data = b"\n".join(text.encode(encoding, errors="ignore") + noise for text, encoding, noise in lines)
    expected = any(_utf8_line_with_han(line) for line in data.split(b"\n"))
    assert ingest._has_utf8_han_line(data) == expected
