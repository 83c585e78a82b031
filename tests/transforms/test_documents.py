"""PDF and DOCX reading (transforms/documents): page layout rules on hand-placed characters, and
the readers on documents the tests draw (testkit/documents.py) with known truth."""

from __future__ import annotations

import io
import os
import signal
import time
import zipfile

import pytest

from testkit.documents import OUTCOME_HEADING, draw_docx, draw_pdf
from testkit.generator import generate
from transforms.documents import (
    PAGE_BREAK,
    DocumentText,
    Limits,
    Unreadable,
    document_kind,
    read_document,
    read_in_process,
)
from transforms.documents.guard import GRACE_SECONDS, read_isolated
from transforms.documents.layout import Glyph, Rule, page_text, rules_of_box

HEIGHT = 10.0


def _word(text: str, x: float, y: float, advance: float = HEIGHT) -> list[Glyph]:
    """Characters of `text` set left to right from (x, y), the baseline box 10 points high."""
    return [Glyph(x + i * advance, y, x + i * advance + advance * 0.9, y + HEIGHT, char) for i, char in enumerate(text)]


def _figures(values: list[str], x: float, y: float, step: float = 40.0) -> list[Glyph]:
    glyphs: list[Glyph] = []
    for index, value in enumerate(values):
        glyphs += _word(value, x + index * step, y, advance=5.0)
    return glyphs


# ------------------------------------------------------------------------- layout rules


def test_unruled_label_wrapped_round_its_figures_is_one_row() -> None:
    """A label wrapped over two lines with its figures centred between them (as a word processor
    prints a cell) is one row; the next row stays its own."""
    glyphs = (
        _word("（二）部分公开（区分处理的，", 50, 500)
        + _figures(["4", "0", "4"], 300, 493)
        + _word("只计这一情形）", 50, 486)
        + _word("（三）不予公开", 50, 460)
        + _figures(["1", "0", "1"], 300, 460)
    )
    assert page_text(glyphs, []).split("\n") == [
        "（二）部分公开（区分处理的，只计这一情形）\t4\t0\t4",
        "（三）不予公开\t1\t0\t1",
    ]


def test_unruled_figures_on_the_line_before_their_wrapped_label() -> None:
    glyphs = (
        _word("1.属于国家秘密", 50, 520)
        + _figures(["1", "0", "1"], 300, 520)
        + _figures(["3", "0", "3"], 300, 500)
        + _word("5.要求行政机关确认或重新出具", 50, 496)
        + _word("已获取信息", 50, 484)
    )
    assert page_text(glyphs, []).split("\n") == [
        "1.属于国家秘密\t1\t0\t1",
        "5.要求行政机关确认或重新出具已获取信息\t3\t0\t3",
    ]


def test_a_label_printed_one_character_per_line_is_not_taken_for_rows() -> None:
    rows = [("（一）予以公开", ["1", "1"]), ("（二）部分公开", ["2", "2"]), ("（三）不予公开", ["0", "0"])]
    glyphs: list[Glyph] = []
    for index, (label, values) in enumerate(rows):
        glyphs += _word(label, 80, 600 - index * 30) + _figures(values, 300, 600 - index * 30)
    for index, char in enumerate("三、本年度"):
        glyphs += _word(char, 50, 610 - index * 12)
    lines = page_text(glyphs, []).split("\n")
    assert lines[0] == "三、本年度"
    assert lines[1:] == ["（一）予以公开\t1\t1", "（二）部分公开\t2\t2", "（三）不予公开\t0\t0"]


def _grid(xs: list[float], ys: list[float]) -> list[Rule]:
    """The rules of a table: a horizontal line at each y, a vertical one at each x."""
    rules = [Rule(xs[0], y, xs[-1], y + 0.5) for y in ys]
    rules += [Rule(x, ys[-1], x + 0.5, ys[0]) for x in xs]
    return rules


def test_ruled_cells_keep_a_wrapped_label_and_a_row_spanning_heading() -> None:
    """In a ruled table a label is what its cell holds, however it wraps; a cell over several rows
    heads them, before the first."""
    xs, ys = [40.0, 70.0, 250.0, 300.0, 350.0], [600.0, 560.0, 530.0]
    rules = [Rule(70, y, 350, y + 0.5) for y in ys] + [Rule(40, 600, 70, 600.5), Rule(40, 530, 70, 530.5)]
    rules += [Rule(x, 530, x + 0.5, 600) for x in xs]
    glyphs = (
        _word("三", 50, 575)
        + _word("、", 50, 563)
        + _word("办", 50, 551)
        + _word("（二）部分公开（区分", 75, 585)
        + _word("处理的）", 75, 570)
        + _figures(["4"], 270, 575)
        + _figures(["4"], 320, 575)
        + _word("（三）不予公开", 75, 540)
        + _figures(["0"], 270, 540)
        + _figures(["0"], 320, 540)
    )
    assert page_text(glyphs, rules).split("\n") == [
        "三、办",
        "（二）部分公开（区分处理的）\t4\t4",
        "（三）不予公开\t0\t0",
    ]


def test_a_page_set_in_two_columns_reads_column_after_column() -> None:
    left = ["左栏第一行文字内容较长", "左栏第二行文字内容较长", "左栏第三行文字内容较长"]
    right = ["右栏第一行文字内容较长", "右栏第二行文字内容较长", "右栏第三行文字内容较长"]
    glyphs: list[Glyph] = []
    for index, text in enumerate(left):  # drawn column by column, as a word processor does
        glyphs += _word(text, 50, 700 - index * 20)
    for index, text in enumerate(right):
        glyphs += _word(text, 320, 700 - index * 20)
    assert page_text(glyphs, []).split("\n") == left + right


def test_a_page_number_drawn_first_still_ends_a_one_column_page() -> None:
    glyphs = _word("-3-", 280, 40) + _word("第一段文字", 50, 700) + _word("第二段文字", 50, 680)
    assert page_text(glyphs, []).split("\n") == ["第一段文字", "第二段文字", "-3-"]


def test_a_box_is_four_rules_and_a_thin_path_one() -> None:
    assert len(rules_of_box(0, 0, 100, 50)) == 4
    assert rules_of_box(0, 10, 100, 11) == [Rule(0, 10, 100, 11)]
    assert rules_of_box(0, 0, 2, 2) == []


# ------------------------------------------------------------------------- readers


def _cells(text: str) -> dict[str, list[str]]:
    """Rows of the rebuilt text that carry figures: label → figures."""
    rows = {}
    for line in text.split("\n"):
        if "\t" in line:
            label, *figures = line.split("\t")
            rows[label] = figures
    return rows


def _expected_rows(generated_text: str) -> dict[str, list[str]]:
    return {
        line.split("\t")[0]: line.split("\t")[1:]
        for line in generated_text.split("\n")
        if "\t" in line and line.split("\t")[1][:1].isdigit()
    }


@pytest.mark.parametrize(
    "options",
    [{}, {"ruled": False}, {"columns": 2}, {"break_table_at": 12}],
    ids=["ruled", "unruled", "two_columns", "table_over_page_break"],
)
def test_pdf_tables_come_back_row_by_row(options: dict) -> None:
    generated = generate(2, "grid", None, seed=5)
    drawn = draw_pdf(generated, **options)
    read = read_document(drawn.data, "pdf")
    assert isinstance(read, DocumentText)
    assert read.page_count == drawn.page_count == read.text.count(PAGE_BREAK) + 1
    rows = _cells(read.text)
    for label, figures in _expected_rows(generated.text).items():
        assert rows.get(label) == figures, label


def test_a_table_over_a_page_break_continues_on_the_next_page() -> None:
    generated = generate(2, "grid", None, seed=5)
    drawn = draw_pdf(generated, break_table_at=12)
    pages = read_document(drawn.data, "pdf").text.split(PAGE_BREAK)  # type: ignore[union-attr]
    first = drawn.pages["一、本年新收政府信息公开申请数量"]
    assert drawn.pages["(七)总计"] == first + 1
    assert "一、本年新收政府信息公开申请数量" in pages[first - 1]
    assert "(七)总计" in pages[first]


def test_traditional_pdf_text_is_read_as_printed() -> None:
    drawn = draw_pdf(generate(2, "grid", None, seed=5), traditional=True)
    text = read_document(drawn.data, "pdf").text  # type: ignore[union-attr]
    assert "政府信息公開工作年度報告" in text  # cleaning, not reading, makes it Simplified


def test_docx_cells_merged_down_head_their_rows_and_are_not_repeated() -> None:
    generated = generate(2, "grid", None, seed=5)
    drawn = draw_docx(generated)
    read = read_document(drawn.data, "docx")
    assert isinstance(read, DocumentText)
    assert read.page_count == 2
    assert read.text.count(OUTCOME_HEADING) == 1
    rows = _cells(read.text)
    for label, figures in _expected_rows(generated.text).items():
        assert rows.get(label) == figures, label
    assert read.text.index(OUTCOME_HEADING) < read.text.index("(一)予以公开")


def _pdf_with(draw: object, **canvas_options: object) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, **canvas_options)
    draw(pdf)  # type: ignore[operator]
    pdf.save()
    return buffer.getvalue()


def _scan(pdf: object) -> None:
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    pdf.drawImage(ImageReader(Image.new("L", (200, 300), 200)), 50, 50, 400, 600)  # type: ignore[attr-defined]
    pdf.showPage()  # type: ignore[attr-defined]


def _blank_pages(count: int) -> object:
    def draw(pdf: object) -> None:
        for _ in range(count):
            pdf.showPage()  # type: ignore[attr-defined]

    return draw


@pytest.mark.parametrize(
    ("data", "kind", "reason"),
    [
        (_pdf_with(_scan), "pdf", "no_text_layer"),
        (_pdf_with(lambda pdf: pdf.drawString(100, 100, "secret"), encrypt="pw"), "pdf", "encrypted"),
        (_pdf_with(_scan)[:400], "pdf", "corrupt"),
        (_pdf_with(_blank_pages(501)), "pdf", "too_large"),
        (b"PK\x03\x04 not a zip", "docx", "corrupt"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "docx", "unsupported_type"),
    ],
    ids=["scan", "encrypted", "truncated", "too_many_pages", "broken_zip", "doc_named_docx"],
)
def test_what_cannot_be_read_says_why(data: bytes, kind: str, reason: str) -> None:
    read = read_document(data, kind)
    assert isinstance(read, Unreadable)
    assert read.reason == reason
    assert read.detail


def test_a_docx_that_unpacks_past_the_limit_is_too_large() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", b"<w:document/>" + b" " * 1_000_000)
    read = read_document(buffer.getvalue(), "docx", Limits(max_unpacked_bytes=100_000))
    assert isinstance(read, Unreadable) and read.reason == "too_large"


def test_a_pdf_is_known_by_its_header_whatever_its_name() -> None:
    assert document_kind(b"%PDF-1.7\n...", ".txt") == "pdf"
    assert document_kind(b"PK\x03\x04", ".docx") == "docx"
    assert document_kind(b"plain text", ".txt") is None


# ------------------------------------------------------------------------- limits


def _never_ends(data: bytes, kind: str, limits: Limits) -> DocumentText:
    while True:
        time.sleep(0.05)


def _inflates(data: bytes, kind: str, limits: Limits) -> DocumentText:
    hoard = []
    while True:
        hoard.append(bytearray(64 * 2**20))


def _crashes(data: bytes, kind: str, limits: Limits) -> DocumentText:
    os.kill(os.getpid(), signal.SIGSEGV)
    raise AssertionError("unreachable")


@pytest.mark.parametrize(
    ("reader", "reason"),
    [(_never_ends, "timeout"), (_inflates, "too_large"), (_crashes, "corrupt")],
    ids=["endless", "memory_bomb", "reader_crash"],
)
def test_a_hostile_document_costs_its_child_process_not_the_run(reader: object, reason: str) -> None:
    limits = Limits(seconds=0.2, max_memory_bytes=256 * 2**20)
    started = time.monotonic()
    read = read_isolated(b"%PDF-1.7", "pdf", limits, reader)  # type: ignore[arg-type]
    assert isinstance(read, Unreadable) and read.reason == reason, read
    assert time.monotonic() - started < limits.seconds + GRACE_SECONDS + 2


def test_a_document_read_in_a_child_comes_back_whole() -> None:
    drawn = draw_pdf(generate(2, "grid", None, seed=5))
    assert read_document(drawn.data, "pdf") == read_in_process(drawn.data, "pdf", Limits())
