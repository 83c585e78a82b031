"""Generated reports as the PDF and Word files governments publish, with their truth.

A report the generator wrote in the `grid` layout (tables as tab-separated rows) is laid out on
pages as a word processor would print it: prose hard-wrapped at the column's width, a running
header and a `- n -` page number on every page, tables with their labels wrapped inside the label
cell and the figures centred beside them, table 3's outcome rows headed by a label printed one
character per line, tables that run over a page break. Options give ruled or unruled tables, a
page set in two columns, Traditional characters. `DrawnReport.pages` says on which page each
table row was drawn, so a test can check the page a figure is said to stand on.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import cache

from testkit.generator import Generated

PAGE_WIDTH, PAGE_HEIGHT = 595.0, 842.0
MARGIN = 72.0
FONT = "STSong-Light"  # one of the CJK fonts every PDF reader knows: nothing to embed or install
FONT_SIZE = 11.0
LINE_HEIGHT = 18.0
LABEL_WIDTH = 190.0
VERTICAL_LABEL_WIDTH = 22.0
CELL_LINE_HEIGHT = 14.0
CELL_PADDING = 6.0
OUTCOME_HEADING = "三、本年度办理结果"
OUTCOME_END = "四、结转下年度继续办理"


@dataclass
class DrawnReport:
    data: bytes
    pages: dict[str, int] = field(default_factory=dict)  # a table row's label → the page it is on
    page_count: int = 0


def blocks_of(generated: Generated) -> list[tuple[str, list[str]]]:
    """('prose', lines) and ('table', rows) blocks of a grid-layout report, in order."""
    if generated.layout != "grid":
        raise ValueError(f"documents are drawn from grid-layout reports, not {generated.layout!r}")
    found: list[tuple[str, list[str]]] = []
    for block in generated.text.split("\n\n"):
        lines = [line for line in block.split("\n") if line.strip()]
        if lines:
            found.append(("table" if any("\t" in line for line in lines) else "prose", lines))
    return found


@cache
def _to_traditional() -> object:
    import opencc

    return opencc.OpenCC("s2t")


def _script(text: str, traditional: bool) -> str:
    return _to_traditional().convert(text) if traditional else text  # type: ignore[attr-defined]


def _wrap(text: str, width: float) -> list[str]:
    """Cut text into lines of at most `width` points (CJK characters are one em, others half)."""
    lines: list[str] = []
    current, used = "", 0.0
    for char in text:
        advance = FONT_SIZE if ord(char) > 0x2E80 else FONT_SIZE / 2
        if used + advance > width and current:
            lines.append(current)
            current, used = "", 0.0
        current += char
        used += advance
    if current:
        lines.append(current)
    return lines or [""]


class _Pages:
    """A canvas with the page furniture and a cursor that moves to the next page (or column)."""

    def __init__(self, title: str, columns: int) -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas

        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        self.buffer = io.BytesIO()
        self.canvas = canvas.Canvas(self.buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
        self.title = title
        self.columns = columns
        self.page = 0
        self.column = 0
        self.y = 0.0
        self._new_page()

    @property
    def column_width(self) -> float:
        gutter = 24.0
        return (PAGE_WIDTH - 2 * MARGIN - gutter * (self.columns - 1)) / self.columns

    @property
    def x(self) -> float:
        return MARGIN + self.column * (self.column_width + 24.0)

    def _new_page(self) -> None:
        if self.page:
            self.canvas.showPage()
        self.page += 1
        self.column = 0
        self.canvas.setFont(FONT, 9)
        self.canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 40, self.title)  # running header
        self.canvas.drawCentredString(PAGE_WIDTH / 2, 36, f"- {self.page} -")  # page number
        self.canvas.setFont(FONT, FONT_SIZE)
        self.y = PAGE_HEIGHT - MARGIN

    def need(self, height: float, whole_page: bool = False) -> None:
        """Room for `height` points below the cursor, moving on when there is none."""
        if self.y - height >= MARGIN:
            return
        if not whole_page and self.column + 1 < self.columns:
            self.column += 1
            self.y = PAGE_HEIGHT - MARGIN
            return
        self._new_page()

    def text_line(self, text: str) -> None:
        self.need(LINE_HEIGHT)
        self.canvas.drawString(self.x, self.y - FONT_SIZE, text)
        self.y -= LINE_HEIGHT

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def draw_pdf(
    generated: Generated, ruled: bool = True, columns: int = 1, traditional: bool = False, break_table_at: int = 0
) -> DrawnReport:
    """The report as a PDF. `break_table_at`: table 3 is pushed down the page so that its rows from
    that one on fall on the next page (0: where the flow puts it)."""
    blocks = blocks_of(generated)
    title = _script(blocks[0][1][0], traditional)
    pages = _Pages(title, columns)
    drawn = DrawnReport(b"")
    for kind, lines in blocks:
        if kind == "prose":
            for line in lines:
                for piece in _wrap(_script(line, traditional), pages.column_width):
                    pages.text_line(piece)
            continue
        if pages.columns > 1:  # tables span the page: they start on a page of their own
            pages.columns = 1
            pages.need(PAGE_HEIGHT, whole_page=True)
        rows = [line.split("\t") for line in lines]
        if break_table_at and any(row[0].startswith("一、本年新收") for row in rows):
            pages.need(PAGE_HEIGHT, whole_page=True)
            figure_width = (PAGE_WIDTH - 2 * MARGIN - LABEL_WIDTH) / max(len(row) - 1 for row in rows)
            heights = sum(_row_height(row, _label_width(rows), figure_width) for row in rows[:break_table_at])
            pages.y = MARGIN + heights + 2
        _draw_table(pages, rows, ruled, traditional, drawn)
        pages.columns = columns
    drawn.data = pages.finish()
    drawn.page_count = pages.page
    return drawn


def _label_width(rows: list[list[str]]) -> float:
    return LABEL_WIDTH - (VERTICAL_LABEL_WIDTH if any(row[0] == OUTCOME_HEADING for row in rows) else 0.0)


def _row_height(row: list[str], label_width: float, figure_width: float = 0.0) -> float:
    """A row is as high as its label, or a header cell, wrapped in its cell."""
    lines = len(_wrap(row[0], label_width - 2 * CELL_PADDING))
    if figure_width:
        lines = max([lines, *(len(_wrap(cell, figure_width - 4)) for cell in row[1:])])
    return lines * CELL_LINE_HEIGHT + 2 * CELL_PADDING


def _draw_table(pages: _Pages, rows: list[list[str]], ruled: bool, traditional: bool, drawn: DrawnReport) -> None:
    canvas = pages.canvas
    vertical = any(row[0] == OUTCOME_HEADING for row in rows)
    left = MARGIN
    label_left = left + (VERTICAL_LABEL_WIDTH if vertical else 0.0)
    label_width = _label_width(rows)
    columns = max(len(row) - 1 for row in rows) or 1
    figure_width = (PAGE_WIDTH - 2 * MARGIN - LABEL_WIDTH) / columns
    right = PAGE_WIDTH - MARGIN
    inside_outcomes = False
    outcome_chars: list[tuple[float, int]] = []  # rows of the vertical label: (row top, page)
    for row in rows:
        label = row[0]
        if label == OUTCOME_HEADING:
            inside_outcomes = True
            continue
        if label == OUTCOME_END:
            inside_outcomes = False
        label_lines = _wrap(_script(label, traditional), label_width - 2 * CELL_PADDING)
        height = _row_height([label, *row[1:]], label_width, figure_width)
        if pages.y - height < MARGIN:
            _draw_vertical_label(pages, outcome_chars, ruled, traditional)
            outcome_chars = []
            pages.need(PAGE_HEIGHT, whole_page=True)
        top = pages.y
        row_left = label_left if (vertical and inside_outcomes) else left
        for index, line in enumerate(label_lines):
            canvas.drawString(row_left + CELL_PADDING, top - CELL_PADDING - FONT_SIZE - index * CELL_LINE_HEIGHT, line)
        middle = top - height / 2 - FONT_SIZE / 2 + 2
        for index, cell in enumerate(row[1:]):
            centre = left + LABEL_WIDTH + index * figure_width + figure_width / 2
            cell_lines = _wrap(_script(cell, traditional), figure_width - 4)
            if len(cell_lines) == 1:  # a figure, centred in its cell
                canvas.drawCentredString(centre, middle, cell_lines[0])
                continue
            for line_index, line in enumerate(cell_lines):  # a header, wrapped in its cell
                canvas.drawCentredString(centre, top - CELL_PADDING - FONT_SIZE - line_index * CELL_LINE_HEIGHT, line)
        if ruled:
            canvas.line(row_left, top, right, top)
            canvas.line(row_left, top - height, right, top - height)
            xs = [row_left, left + LABEL_WIDTH, right]
            xs += [left + LABEL_WIDTH + i * figure_width for i in range(1, columns)]
            for x in xs:
                canvas.line(x, top, x, top - height)
        if vertical and inside_outcomes:
            outcome_chars.append((top - height, pages.page))
            if not outcome_chars[1:]:
                outcome_chars.insert(0, (top, pages.page))
        drawn.pages.setdefault(label, pages.page)
        pages.y = top - height
    _draw_vertical_label(pages, outcome_chars, ruled, traditional)
    pages.y -= LINE_HEIGHT


def _draw_vertical_label(pages: _Pages, spans: list[tuple[float, int]], ruled: bool, traditional: bool) -> None:
    """Table 3's outcome heading, one character per line down the rows it heads (on this page)."""
    if len(spans) < 2:
        return
    top, bottom = spans[0][0], spans[-1][0]
    canvas = pages.canvas
    chars = _script(OUTCOME_HEADING, traditional)
    step = min(CELL_LINE_HEIGHT, (top - bottom) / (len(chars) + 1))
    start = (top + bottom) / 2 + step * len(chars) / 2
    for index, char in enumerate(chars):
        canvas.drawCentredString(MARGIN + VERTICAL_LABEL_WIDTH / 2, start - (index + 1) * step, char)
    if ruled:
        canvas.line(MARGIN, top, MARGIN + VERTICAL_LABEL_WIDTH, top)
        canvas.line(MARGIN, bottom, MARGIN + VERTICAL_LABEL_WIDTH, bottom)
        canvas.line(MARGIN, top, MARGIN, bottom)


def draw_docx(generated: Generated, page_break_before: str = "三、收到和处理政府信息公开申请情况") -> DrawnReport:
    """The report as a Word document: paragraphs, and tables in Word's own cells, table 3's outcome
    heading a cell merged down the rows it heads, its other rows' labels merged across that column.
    A page break stands before the heading `page_break_before`."""
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    drawn = DrawnReport(b"")
    page = 1
    for kind, lines in blocks_of(generated):
        if kind == "prose":
            for line in lines:
                paragraph = document.add_paragraph()
                if line == page_break_before:
                    paragraph.add_run().add_break(WD_BREAK.PAGE)
                    page += 1
                paragraph.add_run(line)
            continue
        rows = [line.split("\t") for line in lines]
        vertical = any(row[0] == OUTCOME_HEADING for row in rows)
        body = [row for row in rows if row[0] != OUTCOME_HEADING]
        width = max(len(row) for row in body) + (1 if vertical else 0)
        table = document.add_table(rows=len(body), cols=width)
        outcome_rows: list[int] = []
        inside = False
        for index, row in enumerate(body):
            if rows[rows.index(row) - 1][0] == OUTCOME_HEADING:
                inside = True
            if row[0] == OUTCOME_END:
                inside = False
            cells = table.rows[index].cells
            offset = 1 if vertical else 0
            if vertical and inside:
                outcome_rows.append(index)
                cells[offset].text = row[0]
            elif vertical:
                cells[0].merge(cells[1]).text = row[0]  # the label across the heading's column
            else:
                cells[0].text = row[0]
            for column, value in enumerate(row[1:]):
                cells[offset + 1 + column].text = value
            drawn.pages.setdefault(row[0], page)
        if outcome_rows:
            merged = table.cell(outcome_rows[0], 0).merge(table.cell(outcome_rows[-1], 0))
            merged.text = OUTCOME_HEADING
    buffer = io.BytesIO()
    document.save(buffer)
    drawn.data = buffer.getvalue()
    drawn.page_count = page
    return drawn
