"""A page's text rebuilt from where its characters stand: lines in the document's own order, and
tables as one row per line with their cells split by tabs.

Pure functions over glyph boxes and ruling lines (PDF coordinates: y grows upwards), so that the
rules are tested without a PDF. `transforms.documents.pdf` feeds them what pdfium reports.

Tables are rebuilt in one of two ways:
- ruled (the ruling lines close a cell round each character): characters are grouped by the cell
  they stand in, so a label wrapped inside its cell, or printed one character per line
  (`三、本年度办理结果`), stays one label; the cells that hold numbers make the rows; a cell
  that spans several rows heads them.
- unruled: lines that end in numbers make the rows; a line of label text beside them (above,
  below, or both, as a wrapped label centred on its numbers is printed) belongs to the row whose
  numbers stand nearest; a column of single characters heads the rows beside it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from statistics import median
from typing import NamedTuple

import numpy as np

# A cell or token that is a table figure: a number, or one of the marks a blank cell carries.
_FIGURE = re.compile(r"^(?:-?\d+(?:\.\d+)?|/|／|—|–|-|--|——)$")
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
# Ruling lines: a path at most this thick (points) is a line; thicker ones are boxes.
RULE_THICKNESS = 3.0
RULE_MIN_LENGTH = 6.0
# Distances in units of the page's median character height.
LINE_TOLERANCE = 0.5  # centres closer than this share a line
TOKEN_GAP = 0.8  # a gap wider than this splits a line into tokens (cells)
SPACE_GAP = 0.3  # a gap wider than this between non-CJK characters is a space
FIGURE_GAP = 1.2  # a row's figures stand at least this far right of its label
ATTACH_DISTANCE = 1.8  # a label line belongs to a row whose centre is at most this far away
BLOCK_GAP = 4.0  # rows further apart than this are separate tables


class Glyph(NamedTuple):  # a tuple: a page has thousands, made one per character
    x0: float
    y0: float
    x1: float
    y1: float
    char: str

    @property
    def centre_y(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def centre_x(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Rule:
    """A ruling line or a box's edge."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return (self.y1 - self.y0) <= RULE_THICKNESS and (self.x1 - self.x0) >= RULE_MIN_LENGTH

    @property
    def vertical(self) -> bool:
        return (self.x1 - self.x0) <= RULE_THICKNESS and (self.y1 - self.y0) >= RULE_MIN_LENGTH


def rules_of_box(x0: float, y0: float, x1: float, y1: float) -> list[Rule]:
    """A path's bounds as rules: a thin path is one line; a box gives its four edges."""
    rule = Rule(x0, y0, x1, y1)
    if rule.horizontal or rule.vertical:
        return [rule]
    if (x1 - x0) < RULE_MIN_LENGTH or (y1 - y0) < RULE_MIN_LENGTH:
        return []
    return [Rule(x0, y0, x1, y0), Rule(x0, y1, x1, y1), Rule(x0, y0, x0, y1), Rule(x1, y0, x1, y1)]


class Line:
    """Characters on one line, with their bounds kept as characters are added (the bounds are read
    far more often than characters are added)."""

    __slots__ = ("bottom", "glyphs", "top", "x0", "x1")

    def __init__(self, glyphs: list[Glyph]) -> None:
        self.glyphs: list[Glyph] = []
        self.top = self.x1 = -float("inf")
        self.bottom = self.x0 = float("inf")
        for glyph in glyphs:
            self.add(glyph)

    def add(self, glyph: Glyph) -> None:
        self.glyphs.append(glyph)
        self.top = max(self.top, glyph.y1)
        self.bottom = min(self.bottom, glyph.y0)
        self.x0 = min(self.x0, glyph.x0)
        self.x1 = max(self.x1, glyph.x1)

    @property
    def centre_y(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Row:
    """A table row: its label pieces (top to bottom) and its figures (left to right)."""

    centre_y: float
    label: list[str]
    figures: list[str]

    def text(self) -> str:
        label = join_pieces(self.label)
        return "\t".join([label, *self.figures]) if label else "\t".join(self.figures)


@dataclass
class Block:
    """A piece of page output placed at a height: a prose line, or a rebuilt table's lines."""

    top: float
    order: int
    lines: list[str] = field(default_factory=list)


def join_pieces(pieces: list[str]) -> str:
    """Label pieces (or a line's tokens) joined: nothing between CJK text, a space elsewhere."""
    out = ""
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if out and not (_CJK.match(out[-1]) or _CJK.match(piece[0])):
            out += " "
        out += piece
    return out


def line_text(glyphs: list[Glyph], height: float) -> str:
    """A line's characters left to right, with a space where a gap parts two non-CJK characters
    (words, numbers) or where cells stand far apart."""
    out: list[str] = []
    previous: Glyph | None = None
    for glyph in sorted(glyphs, key=lambda g: g.x0):
        if previous is not None:
            gap = glyph.x0 - previous.x1
            cjk_pair = bool(_CJK.match(previous.char)) and bool(_CJK.match(glyph.char))
            if gap > TOKEN_GAP * height or (gap > SPACE_GAP * height and not cjk_pair):
                out.append(" ")
        out.append(glyph.char)
        previous = glyph
    return "".join(out)


def tokens(glyphs: list[Glyph], height: float, gap: float = TOKEN_GAP) -> list[tuple[str, float, float]]:
    """(text, x0, x1) of each run of characters parted from the next by a gap wider than `gap`
    line heights (by default, a cell-wide gap)."""
    found: list[tuple[str, float, float]] = []
    run: list[Glyph] = []
    for glyph in sorted(glyphs, key=lambda g: g.x0):
        if run and glyph.x0 - run[-1].x1 > gap * height:
            found.append((line_text(run, height), run[0].x0, run[-1].x1))
            run = []
        run.append(glyph)
    if run:
        found.append((line_text(run, height), run[0].x0, run[-1].x1))
    return found


def stream_lines(glyphs: list[Glyph], height: float) -> list[Line]:
    """Lines in the order the document draws its characters: a new line where the next character
    stands lower or higher, or back to the left."""
    lines: list[Line] = []
    current: list[Glyph] = []
    for glyph in glyphs:
        if current:
            last = current[-1]
            same_height = abs(glyph.centre_y - last.centre_y) <= LINE_TOLERANCE * height
            if not same_height or glyph.x0 < last.x0 - height:
                lines.append(Line(current))
                current = []
        current.append(glyph)
    if current:
        lines.append(Line(current))
    return lines


# What a page's plain text shows of a table: figures parted by spaces (`21 0 0`), or lines that
# end in a figure set apart from their words (`行政许可 550`), twice.
_FIGURES_APART = re.compile(r"\d[ \t]+-?\d")
_ENDS_IN_FIGURE = re.compile(r"(?m)\S[ \t]+-?\d+(?:\.\d+)?[ \t]*\r?$")
# A space pdfium puts between two CJK characters of a justified line (not a word break).
_SPACE_IN_CJK = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])")


def may_hold_table(text: str) -> bool:
    """Whether a page's plain text may hold table rows: only such pages are rebuilt from positions
    (most of a report's pages are prose, read as pdfium lays them out, at a third of the cost)."""
    return _FIGURES_APART.search(text) is not None or len(_ENDS_IN_FIGURE.findall(text)) >= 2


def plain_text(text: str) -> str:
    """A prose page's text as pdfium gives it, its lines tidied as rebuilt pages' are."""
    return _SPACE_IN_CJK.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def page_height_unit(glyphs: list[Glyph]) -> float:
    heights = [g.y1 - g.y0 for g in glyphs if g.y1 > g.y0]
    return median(heights) if heights else 10.0


def page_text(glyphs: list[Glyph], rules: list[Rule]) -> str:
    """The page's text: prose lines in the document's order, each table rebuilt row by row."""
    glyphs = [g for g in glyphs if g.char.strip()]
    if not glyphs:
        return ""
    height = page_height_unit(glyphs)
    cells, loose = _ruled_cells(glyphs, rules)
    blocks: list[Block] = []
    if cells:
        blocks.extend(_ruled_tables(cells, height))
    lines = stream_lines(loose, height)
    table_blocks, prose = _unruled_tables(lines, height)
    blocks.extend(table_blocks)
    prose_blocks = [Block(line.top, order, [line_text(line.glyphs, height)]) for order, line in enumerate(prose)]
    if _side_by_side(prose, height):
        return "\n".join(_in_stream_order(prose_blocks, blocks))
    # One column: top to bottom (a page number drawn first still ends the page).
    ordered = sorted([*prose_blocks, *blocks], key=lambda b: -b.top)
    return "\n".join(line for block in ordered for line in block.lines)


# Lines side by side at one height, this many times on a page, make it a page of columns.
MIN_SIDE_BY_SIDE = 3
# A column's prose line is this long at least (table headers beside each other are shorter).
MIN_COLUMN_LINE_CHARS = 8


def _side_by_side(lines: list[Line], height: float) -> bool:
    """Whether prose lines stand beside each other (a page set in columns): then the document's
    own order, column after column, is the reading order."""
    found = 0
    ordered = sorted(lines, key=lambda line: -line.centre_y)
    for i, line in enumerate(ordered):
        for other in ordered[i + 1 :]:
            if line.centre_y - other.centre_y > LINE_TOLERANCE * height:
                break
            apart = other.x0 > line.x1 + height or line.x0 > other.x1 + height
            if apart and min(len(line.glyphs), len(other.glyphs)) >= MIN_COLUMN_LINE_CHARS:
                found += 1
                break
    return found >= MIN_SIDE_BY_SIDE


def _in_stream_order(prose: list[Block], tables: list[Block]) -> list[str]:
    """Prose in the document's order; each table before the first prose line drawn below its top
    (so a table keeps its place between the paragraphs round it)."""
    pending = sorted(tables, key=lambda b: -b.top)
    out: list[str] = []
    for block in prose:
        while pending and pending[0].top > block.top:
            out.extend(pending.pop(0).lines)
        out.extend(block.lines)
    for table in pending:
        out.extend(table.lines)
    return out


# ----------------------------------------------------------------------------- ruled tables


@dataclass(frozen=True)
class Cell:
    left: float
    right: float
    top: float
    bottom: float


def _nearest_rules(
    along: np.ndarray, across: np.ndarray, rules: list[Rule], horizontal: bool
) -> tuple[np.ndarray, np.ndarray]:
    """For each character (its centre's coordinate `along` the rules and `across` them), the
    nearest rule on either side among the rules that pass it: (before, after), NaN where none.
    One array operation over characters × rules: a loop per character was most of reading a page."""
    slack = 1.0
    if horizontal:  # rules run along x; a rule passes a character whose x it spans
        start = np.array([r.x0 for r in rules]) - slack
        end = np.array([r.x1 for r in rules]) + slack
        place = np.array([(r.y0 + r.y1) / 2 for r in rules])
    else:
        start = np.array([r.y0 for r in rules]) - slack
        end = np.array([r.y1 for r in rules]) + slack
        place = np.array([(r.x0 + r.x1) / 2 for r in rules])
    passes = (start[None, :] <= along[:, None]) & (along[:, None] <= end[None, :])
    before = np.where(passes & (place[None, :] < across[:, None]), place[None, :], -np.inf).max(axis=1)
    after = np.where(passes & (place[None, :] > across[:, None]), place[None, :], np.inf).min(axis=1)
    return np.where(np.isfinite(before), before, np.nan), np.where(np.isfinite(after), after, np.nan)


def _ruled_cells(glyphs: list[Glyph], rules: list[Rule]) -> tuple[dict[Cell, list[Glyph]], list[Glyph]]:
    """Characters closed in by rules on all four sides, grouped by that cell; the rest loose."""
    horizontal = [r for r in rules if r.horizontal]
    vertical = [r for r in rules if r.vertical]
    if len(horizontal) < 2 or len(vertical) < 2:
        return {}, glyphs
    xs = np.array([g.centre_x for g in glyphs])
    ys = np.array([g.centre_y for g in glyphs])
    bottom, top = _nearest_rules(xs, ys, horizontal, horizontal=True)
    left, right = _nearest_rules(ys, xs, vertical, horizontal=False)
    closed = ~(np.isnan(bottom) | np.isnan(top) | np.isnan(left) | np.isnan(right))
    cells: dict[Cell, list[Glyph]] = {}
    loose: list[Glyph] = []
    for index, glyph in enumerate(glyphs):
        if not closed[index]:
            loose.append(glyph)
            continue
        cell = Cell(
            round(float(left[index]), 1),
            round(float(right[index]), 1),
            round(float(top[index]), 1),
            round(float(bottom[index]), 1),
        )
        cells.setdefault(cell, []).append(glyph)
    # A lone cell (a boxed paragraph or title) is not a table: its characters read as prose.
    if len(cells) < 2:
        return {}, glyphs
    return cells, loose


def _cell_text(glyphs: list[Glyph], height: float) -> str:
    """A cell's lines top to bottom, joined: a label wrapped inside its cell is one label."""
    lines = sorted(_lines_by_height(glyphs, height), key=lambda line: -line.centre_y)
    return join_pieces([line_text(line.glyphs, height) for line in lines])


def _lines_by_height(glyphs: list[Glyph], height: float) -> list[Line]:
    lines: list[Line] = []
    for glyph in sorted(glyphs, key=lambda g: -g.centre_y):
        if lines and abs(lines[-1].centre_y - glyph.centre_y) <= LINE_TOLERANCE * height:
            lines[-1].add(glyph)
        else:
            lines.append(Line([glyph]))
    return lines


def _ruled_tables(cells: dict[Cell, list[Glyph]], height: float) -> list[Block]:
    """Each ruled table (cells one under the other without a gap) as its lines."""
    tables: list[list[Cell]] = []
    bottom = 0.0
    for cell in sorted(cells, key=lambda c: -c.top):
        if tables and cell.top >= bottom - height:
            tables[-1].append(cell)
            bottom = min(bottom, cell.bottom)
        else:
            tables.append([cell])
            bottom = cell.bottom
    return [_ruled_table({c: cells[c] for c in table}, height) for table in tables]


def _ruled_table(cells: dict[Cell, list[Glyph]], height: float) -> Block:
    """A ruled table's lines: header cells one per line, then a line per row of figures, a cell
    that spans several rows as a line before them."""
    texts = {cell: _cell_text(glyphs, height) for cell, glyphs in cells.items()}
    tolerance = 0.5 * height
    # Rows: the vertical spans of the cells holding figures (cells of one row share them).
    bands: list[tuple[float, float]] = []
    for cell in sorted((c for c, t in texts.items() if _FIGURE.match(t)), key=lambda c: -c.top):
        if not any(abs(cell.top - t) <= tolerance and abs(cell.bottom - b) <= tolerance for t, b in bands):
            bands.append((cell.top, cell.bottom))
    rows: list[tuple[tuple[float, float], list[Cell]]] = [(band, []) for band in bands]
    headings: list[Cell] = []
    for cell in sorted(texts, key=lambda c: (-c.top, c.left)):
        for band, members in rows:
            if abs(cell.top - band[0]) <= tolerance and abs(cell.bottom - band[1]) <= tolerance:
                members.append(cell)
                break
        else:
            headings.append(cell)
    placed: list[tuple[float, float, str]] = [(cell.top, cell.left, texts[cell]) for cell in headings]
    for band, members in rows:
        members.sort(key=lambda c: c.left)
        label = [texts[c] for c in members if not _FIGURE.match(texts[c])]
        figures = [texts[c] for c in members if _FIGURE.match(texts[c])]
        first = next((c.left for c in members if _FIGURE.match(texts[c])), 0.0)
        placed.append((band[0], first, Row(band[0], label, figures).text()))
    placed.sort(key=lambda item: (-round(item[0], 0), item[1]))
    # Placed among the prose by its text's top (a header cell's rule may stand well above it).
    top = max(glyph.y1 for glyphs in cells.values() for glyph in glyphs)
    return Block(top, -1, [text for _, _, text in placed if text])


# ----------------------------------------------------------------------------- unruled tables


def _figures_of(line: Line, height: float) -> tuple[str, list[str], float, list[float]] | None:
    """(label, figures, x of the first figure, the figures' centres) when the line ends in figures set apart from its
    label (a table row); None for prose."""
    found = tokens(line.glyphs, height)
    figures: list[tuple[str, float, float]] = []
    while found and _FIGURE.match(found[-1][0]):
        figures.insert(0, found.pop())
    # A token of figures parted by narrower gaps ("21 0 0") is split into its figures.
    if found and len(parts := found[-1][0].split()) > 1 and all(_FIGURE.match(part) for part in parts):
        token = found.pop()
        figures = [(part, token[1], token[2]) for part in parts] + figures
    if not figures:
        return None
    centres = [(f[1] + f[2]) / 2 for f in figures]
    if found:
        label_end = found[-1][2]
        if figures[0][1] - label_end < FIGURE_GAP * height:
            return None  # a number at the end of a prose line
        return join_pieces([t[0] for t in found]), [f[0] for f in figures], figures[0][1], centres
    if len(figures) < 2:
        return None
    return "", [f[0] for f in figures], figures[0][1], centres


def _unruled_tables(lines: list[Line], height: float) -> tuple[list[Block], list[Line]]:
    """Tables made of lines that end in figures, with the label lines round them; the other lines
    are prose, returned in their order."""
    parsed = {id(line): _figures_of(line, height) for line in lines}
    row_lines = [line for line in lines if parsed[id(line)] is not None]
    if not row_lines:
        return [], lines
    row_lines.sort(key=lambda line: -line.centre_y)
    # Tables: rows no further apart than BLOCK_GAP lines.
    groups: list[list[Line]] = [[row_lines[0]]]
    for line in row_lines[1:]:
        if groups[-1][-1].centre_y - line.centre_y <= BLOCK_GAP * height * 2:
            groups[-1].append(line)
        else:
            groups.append([line])
    blocks: list[Block] = []
    used: set[int] = set()
    for group in groups:
        if len(group) < 2 and not parsed[id(group[0])][0]:  # type: ignore[index]
            continue
        figures_x0 = min(parsed[id(line)][2] for line in group)  # type: ignore[index]
        top_y = group[0].top + ATTACH_DISTANCE * height
        bottom_y = group[-1].bottom - ATTACH_DISTANCE * height
        label_lines = [
            line
            for line in lines
            if parsed[id(line)] is None
            and bottom_y <= line.centre_y <= top_y
            and line.x1 <= figures_x0 - 0.5 * height
            and not _is_prose_line(line, figures_x0, height)
        ]
        rows = [
            Row(line.centre_y, [parsed[id(line)][0]], parsed[id(line)][1])  # type: ignore[index]
            for line in group
        ]
        headings = _stacked_characters(label_lines, height)
        heading_ids = {id(line) for stack in headings for line in stack}
        attached: dict[int, list[tuple[float, str]]] = {}
        for line in label_lines:
            if id(line) in heading_ids:
                continue
            nearest = min(range(len(rows)), key=lambda i: abs(rows[i].centre_y - line.centre_y))
            if abs(rows[nearest].centre_y - line.centre_y) > ATTACH_DISTANCE * height:
                continue
            attached.setdefault(nearest, []).append((line.centre_y, line_text(line.glyphs, height)))
            used.add(id(line))
        placed: list[tuple[float, str]] = []
        for index, row in enumerate(rows):
            pieces = [(row.centre_y, row.label[0]), *attached.get(index, [])]
            pieces.sort(key=lambda piece: -piece[0])
            row.label = [text for _, text in pieces]
            placed.append((max(y for y, _ in pieces) + height / 2, row.text()))
        for stack in headings:
            used.update(id(line) for line in stack)
            placed.append((stack[0].top, "".join(line_text(line.glyphs, height) for line in stack)))
        used.update(id(line) for line in group)
        # Column headers: lines over the figures' columns (not reaching into the labels', as a
        # heading or paragraph above the table does) just above the first row.
        widest = max(group, key=lambda line: len(parsed[id(line)][3]))  # type: ignore[index]
        header_lines = [
            line
            for line in lines
            if parsed[id(line)] is None
            and id(line) not in used
            and group[0].centre_y < line.centre_y <= group[0].top + HEADER_DEPTH * height
            and line.x0 >= figures_x0 - height
        ]
        if header_lines:
            placed.extend(_column_headers(header_lines, parsed[id(widest)][3], height))  # type: ignore[index]
            used.update(id(line) for line in header_lines)
        # Each row at its own height: a group heading left between rows (`(三)不予公开`) keeps
        # its place among them.
        blocks.extend(Block(y, -1, [text]) for y, text in placed)
    return blocks, [line for line in lines if id(line) not in used]


# How far above a table's first row its column headers may reach, in line heights.
HEADER_DEPTH = 8.0


def _column_headers(lines: list[Line], columns: list[float], height: float) -> list[tuple[float, str]]:
    """Column headers above an unruled table's rows, each read down its column (a header wrapped
    in a narrow column, `结果` over `维持`, is one header); a header over several columns, or over
    the labels, is a line of its own. (height, text) of each, for placing among the rows."""
    if len(columns) < 2:
        return [(line.top, line_text(line.glyphs, height)) for line in lines]
    spacing = median(b - a for a, b in itertools.pairwise(columns))
    by_column: dict[int, list[tuple[float, str]]] = {}
    spanning: list[tuple[float, str]] = []
    glyphs = [glyph for line in lines for glyph in line.glyphs]
    for line in _lines_by_height(glyphs, height):
        # Narrow columns stand closer than a cell-wide gap: a header's words are parted at any
        # gap wider than a space.
        for text, x0, x1 in tokens(line.glyphs, height, SPACE_GAP):
            centre = (x0 + x1) / 2
            nearest = min(range(len(columns)), key=lambda i: abs(columns[i] - centre))
            if x1 - x0 <= 1.2 * spacing and abs(columns[nearest] - centre) <= 0.6 * spacing:
                by_column.setdefault(nearest, []).append((line.top, text))
            else:
                spanning.append((line.top, text))
    headers = [(pieces[0][0], join_pieces([text for _, text in pieces])) for _, pieces in sorted(by_column.items())]
    return spanning + headers


def _is_prose_line(line: Line, figures_x0: float, height: float) -> bool:
    """A full-width line of text (a paragraph's) rather than a label fragment."""
    return line.x1 - line.x0 > 0.9 * figures_x0 and len(line.glyphs) > 30


def _stacked_characters(lines: list[Line], height: float) -> list[list[Line]]:
    """Runs of three or more lines of one character each, one under the other at the same place:
    a label printed vertically, which heads the rows beside it."""
    singles = sorted((line for line in lines if len(line.glyphs) == 1), key=lambda line: -line.centre_y)
    stacks: list[list[Line]] = []
    for line in singles:
        if (
            stacks
            and abs(stacks[-1][-1].x0 - line.x0) <= height
            and stacks[-1][-1].centre_y - line.centre_y <= 2.5 * height
        ):
            stacks[-1].append(line)
        else:
            stacks.append([line])
    return [stack for stack in stacks if len(stack) >= 3]
