"""PDF and Word reports through the real Dagster graph: their figures exact, the page each stands
on, their tables' layout, and the files that cannot be read rejected with their reason."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from testkit.documents import DrawnReport, draw_docx, draw_pdf
from testkit.generator import Generated, generate
from testkit.runs import query_warehouse, run_pipeline
from tests.transforms.test_documents import _pdf_with, _scan

pytestmark = pytest.mark.slow  # materializes the graph


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[Generated, DrawnReport]]]:
    inbox = tmp_path_factory.mktemp("documents_inbox")
    drawn = {
        "ruled.pdf": (generate(0, "grid", None, seed=21), "pdf"),
        "unruled.pdf": (generate(1, "grid", None, seed=21), "pdf_unruled"),
        "merged.docx": (generate(2, "grid", None, seed=21), "docx"),
    }
    written: dict[str, tuple[Generated, DrawnReport]] = {}
    for name, (generated, kind) in drawn.items():
        if kind == "docx":
            document = draw_docx(generated)
        else:
            document = draw_pdf(generated, ruled=kind == "pdf", break_table_at=12)
        (inbox / name).write_bytes(document.data)
        written[name] = (generated, document)
    (inbox / "scan.pdf").write_bytes(_pdf_with(_scan))
    (inbox / "locked.pdf").write_bytes(_pdf_with(lambda pdf: pdf.drawString(100, 100, "x"), encrypt="pw"))
    (inbox / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 600)
    (inbox / "report.wps").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x01" * 600)
    warehouse = tmp_path_factory.mktemp("documents") / "documents.duckdb"
    assert run_pipeline(inbox, warehouse).success
    return warehouse, written


def _by_file(warehouse: Path, sql: str) -> dict[str, dict[str, tuple]]:
    rows: dict[str, dict[str, tuple]] = {}
    for path, key, *rest in query_warehouse(warehouse, sql):
        rows.setdefault(path, {})[key] = tuple(rest)
    return rows


def test_documents_are_reports_with_their_pages(documents: tuple[Path, dict]) -> None:
    warehouse, written = documents
    rows = {
        path: (media_type, pages)
        for path, media_type, pages in query_warehouse(
            warehouse, "SELECT source_path, media_type, page_count FROM raw.reports"
        )
    }
    assert rows == {
        "ruled.pdf": ("application/pdf", written["ruled.pdf"][1].page_count),
        "unruled.pdf": ("application/pdf", written["unruled.pdf"][1].page_count),
        "merged.docx": (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            written["merged.docx"][1].page_count,
        ),
    }


def test_unreadable_files_say_why(documents: tuple[Path, dict]) -> None:
    warehouse, _ = documents
    rejected = {
        path: (reason, detail)
        for path, reason, detail in query_warehouse(
            warehouse, "SELECT source_path, reason, detail FROM raw.rejected_files"
        )
    }
    assert {path: reason for path, (reason, _) in rejected.items()} == {
        "scan.pdf": "no_text_layer",
        "locked.pdf": "encrypted",
        "old.doc": "unsupported_type",
        "report.wps": "unsupported_type",
    }
    assert "save it as .docx or PDF" in rejected["old.doc"][1]
    assert "WPS" in rejected["report.wps"][1]


def test_every_figure_is_exact_and_stands_on_its_page(documents: tuple[Path, dict]) -> None:
    warehouse, written = documents
    read = _by_file(
        warehouse,
        """SELECT f.source_path, m.metric, m.value, m.page FROM metrics.report_metrics AS m
        JOIN raw.report_files AS f USING (report_id)""",
    )
    for name, (generated, drawn) in written.items():
        figures = read[name]
        truth = {**generated.truth, **generated.prose_truth}
        assert {metric: figures.get(metric, (None,))[0] for metric in truth} == truth, name
        # Table 3 starts on one page and ends on the next (the DOCX: after its page break).
        assert figures["t3.new_received.total"][1] == drawn.pages["一、本年新收政府信息公开申请数量"], name
        assert figures["t3.results_total.total"][1] == drawn.pages["(七)总计"], name
        assert all(page is not None for _, page in figures.values()), name


def test_tables_say_they_were_laid_out_by_the_document(documents: tuple[Path, dict]) -> None:
    warehouse, _ = documents
    layouts = _by_file(
        warehouse,
        """SELECT f.source_path, t.table_code, t.layout, t.cells_read = t.cells_expected FROM segmented.tables AS t
        JOIN raw.report_files AS f USING (report_id)""",
    )
    assert layouts == {
        "ruled.pdf": {code: ("pdf", True) for code in ("t2", "t3", "t4")},
        "unruled.pdf": {code: ("pdf", True) for code in ("t2", "t3", "t4")},
        "merged.docx": {code: ("docx", True) for code in ("t2", "t3", "t4")},
    }


def test_page_furniture_is_gone_from_the_cleaned_text(documents: tuple[Path, dict]) -> None:
    warehouse, written = documents
    for name, text in query_warehouse(
        warehouse,
        "SELECT f.source_path, c.text FROM cleaned.reports AS c JOIN raw.report_files AS f USING (report_id)",
    ):
        title = written[name][0].text.split("\n", 1)[0]
        assert "- 2 -" not in text and "\f" not in text, name
        assert text.count(title) == 1, name  # the running header, printed on every page, once


def test_a_pdf_an_older_build_rejected_is_read_now(tmp_path: Path) -> None:
    """A warehouse from a build that did not read PDFs holds the file as `unsupported_type`: it is
    read again, becomes a report, and its rejection goes (each file in exactly one table)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    warehouse = tmp_path / "wh.duckdb"
    assert run_pipeline(inbox, warehouse).success  # an empty warehouse, schema and all
    pdf = inbox / "report.pdf"
    pdf.write_bytes(draw_pdf(generate(4, "grid", None, seed=21)).data)
    stat = pdf.stat()
    con = duckdb.connect(str(warehouse))
    con.execute(
        "INSERT INTO raw.rejected_files (source_path, byte_size, reason, detail, seen_at, mtime_ns) "
        "VALUES ('report.pdf', ?, 'unsupported_type', 'a PDF document: not supported yet', now(), ?)",
        [stat.st_size, stat.st_mtime_ns],
    )
    con.close()
    assert run_pipeline(inbox, warehouse).success
    assert query_warehouse(warehouse, "SELECT source_path, media_type FROM raw.reports") == [
        ("report.pdf", "application/pdf")
    ]
    assert query_warehouse(warehouse, "SELECT count(*) FROM raw.rejected_files") == [(0,)]
