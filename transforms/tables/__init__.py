"""Segmented stage, part 2: the standard tables (2, 3, 4) read from the report text.

One reader serves the layouts real pages produce once they are text: HTML rows (cells by tab),
markdown pipes, grids (cells split by tabs or runs of spaces) and the flattened form with one
cell per line. The text of a table region becomes a stream of tokens (label words, numbers,
missing markers); consecutive label tokens merge into one label (which also rejoins labels
wrapped over two lines), and each label owns the values that follow it. Labels are matched to
the catalogue by their words.
"""

from __future__ import annotations

import operator
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, count
from typing import Any, NamedTuple

import polars as pl
from polars._typing import PolarsDataType

from transforms import catalog
from transforms.tables import glued

TABLE_SCHEMA: dict[str, PolarsDataType] = {
    "report_id": pl.String,
    "table_code": pl.String,
    "layout": pl.String,
    "start_char": pl.Int32,
    "cells_expected": pl.Int32,
    "cells_read": pl.Int32,
    "cells_recovered": pl.Int32,
    "cells_missing": pl.List(pl.String),
    "split_constraints": pl.List(pl.String),
    "split_ambiguous": pl.List(pl.String),
}
CELL_SCHEMA: dict[str, PolarsDataType] = {
    "report_id": pl.String,
    "table_code": pl.String,
    "metric": pl.String,
    "value": pl.Float64,
    "unit": pl.String,
    "start_char": pl.Int32,
    "evidence": pl.String,
}
# The cells a batch read, in two frames: one row per table row (or lone cell) with what its cells
# share (report, table, offset, evidence line) and how many cells it has, and the cells' own
# columns in the same order. A row's place and evidence are then made, sent between processes and
# placed in a section once per row, not once per cell; `explode_cells` joins the two.
CELL_ROW_SCHEMA: dict[str, PolarsDataType] = {
    "report_id": pl.String,
    "table_code": pl.String,
    "start_char": pl.Int32,
    "evidence": pl.String,
    "cells": pl.Int32,
}
CELL_VALUE_SCHEMA: dict[str, PolarsDataType] = {"metric": pl.String, "value": pl.Float64, "unit": pl.String}

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
MISSING_MARKS = frozenset({"/", "／", "-", "—", "–", "--", "——", "无", "空"})
_RULE = re.compile(r"^:?-{3,}:?$")
_TRAILING_NUMBERS = re.compile(r"^(.*?[^\d\s.\-])\s+((?:(?:-?\d+(?:\.\d+)?|/|—|-)\s*)+)$")
_CELL_SPLIT = re.compile(r"\t|\||\s{2,}")
# A row whose cells lost every separator: label words, then one run of digits (…申请数量713000074).
_GLUED = re.compile(r"^(.*[\u4e00-\u9fff)）”\"])(\d+(?:\.\d+)?)$")
# Label words, then digit runs parted by single stray spaces (`…情形）500000 5`).
_GLUED_SPACED = re.compile(r"^(.*[\u4e00-\u9fff)）”\"])((?:\d+ )+\d+)$")
# A row of a flattened table runs into the next row's label (`规章000行政规范性文件8855698第二十条…`):
# a label after digits begins a new row. (No table label has a digit before its words: item
# numbers are followed by `.`/`、`, and a row's values end it.) A unit after digits is a figure of
# the prose (2023年, 75件), not a row's end.
_ROW_AFTER_DIGITS = re.compile(r"\d[ ]*(?=[\u4e00-\u9fff（(])(?![年月日号件条个项次篇场期名人家元万余多起封户批份天])")
# Decimals an amount (万元) is printed with; a longer tail is two cells run together.
MAX_AMOUNT_DECIMALS = 4
_REGION_LINES = 2000  # how far (in lines, blank ones included) a table may extend past its anchor


class Token(NamedTuple):  # a tuple: hundreds of thousands are made per batch
    kind: str  # label, number, missing (a mark such as /), empty (a blank cell), glued
    text: str
    line: int
    offset: int


@dataclass
class Group:
    """A label and the values after it. Its label words all come before its values (a label
    after values begins the next group), so where they stand is three line numbers, not sets."""

    label: str
    values: list[float | None] = field(default_factory=list)
    offset: int = 0
    raw: list[str] = field(default_factory=list)
    glued: str = ""  # digits of cells that lost their separators, split later by the table's arithmetic
    last_label_line: int = -1  # -1: none
    first_value_line: int = -1  # of the values and glued digits; -1: none
    last_value_line: int = -1
    first_value_offset: int = -1  # where the line of its first value starts; -1: no value yet

    @property
    def figures_offset(self) -> int:
        """Where its figures stand (its label's start when it has none): the place a cell is read
        from, so that a label printed at the foot of one page and its figures at the head of the
        next stand on the figures' page."""
        return self.first_value_offset if self.first_value_offset >= 0 else self.offset

    def values_beside_label(self) -> bool:
        """Every value on the label's (last) line: a grid row, not a flattened one."""
        return self.first_value_line == self.last_value_line == self.last_label_line or self.first_value_line < 0


def _value_kind(piece: str) -> str:
    return "number" if _NUMBER.match(piece) else "missing"


# Cell boundaries a page states (tabs from HTML rows, pipes from markdown and crawled tables), as
# opposed to runs of spaces, which may be alignment.
_STATED_SPLIT = re.compile(r"\t|\|")


@lru_cache(maxsize=65536)
def _line_tokens(line: str) -> tuple[tuple[str, str], ...]:
    """(kind, text) of each cell of one line. Cached: label lines and small counts recur in report
    after report (the flat layout puts each on a line of its own).

    Where a line states its cell boundaries (tabs, pipes), an empty cell between two filled ones
    is a blank cell of the table (`empty`): the figures after it keep their columns
    (`一、本年新收… | 0 | | | | | | 0 |` is natural persons 0 … total 0, not 0 and 0 in the first two
    columns). Empty cells before a line's first filled cell (a spanned row label's column) or after
    its last (a spanned cell's columns, printed at the row's end) are not counted. A line of pipes
    alone is that many empty cells: a crawl that prints one cell per line (`0 |`) prints a blank
    cell as `|`."""
    if "|" not in line and "\t" not in line:
        return _piece_tokens(line)
    stripped = line.strip()
    if stripped and stripped.count("|") == len(stripped):
        return (("empty", ""),) * len(stripped)
    pieces = _STATED_SPLIT.split(line)
    filled = [i for i, piece in enumerate(pieces) if piece.strip() and not _RULE.match(piece.strip())]
    is_filled = set(filled)
    found: list[tuple[str, str]] = []
    for index, piece in enumerate(pieces):
        if index in is_filled:
            found.extend(_piece_tokens(piece))
        elif filled and filled[0] < index < filled[-1] and not _RULE.match(piece.strip()):
            found.append(("empty", ""))
    return tuple(found)


def _piece_tokens(line: str) -> tuple[tuple[str, str], ...]:
    """(kind, text) of each cell of a line, or of one stated cell of it, split by runs of spaces."""
    found: list[tuple[str, str]] = []
    for piece in _CELL_SPLIT.split(line):
        piece = piece.strip()
        if piece.isascii() and piece.isdigit():  # most cells: one plain count
            found.append(("number", piece))
            continue
        if not piece or _RULE.match(piece):
            continue
        parts = piece.split()
        if all(_NUMBER.match(x) or x in MISSING_MARKS for x in parts):
            found.extend((_value_kind(x), x) for x in parts)
            continue
        trailing = _TRAILING_NUMBERS.match(piece)
        if trailing and not re.search(r"\d$", trailing.group(1)):
            found.append(("label", trailing.group(1).strip()))
            found.extend((_value_kind(x), x) for x in trailing.group(2).split())
            continue
        spaced = _GLUED_SPACED.match(piece)
        if spaced:
            found.append(("label", spaced.group(1)))
            found.extend(("number", x) for x in spaced.group(2).split())
            continue
        glued = _GLUED.match(piece)
        if glued:
            found.append(("label", glued.group(1)))
            found.append(("glued", glued.group(2)))
            continue
        found.append(("label", piece))
    return tuple(found)


def tokenize(lines: list[str], first_line: int, offsets: list[int]) -> Iterator[Token]:
    """The cells of a region, line by line, lazily: a reader stops at its table's last row."""
    for index, line in enumerate(lines):
        number, offset = first_line + index, offsets[index]
        for kind, text in _line_tokens(line):
            yield Token(kind, text, number, offset)


class Run(NamedTuple):
    """Consecutive cells of one line that belong to one group: label words (if the run starts with
    any), then the values after them."""

    label: str | None
    values: tuple[float | None, ...]
    raw: tuple[str, ...]
    glued: str  # the run's last glued digits, "" if none


@lru_cache(maxsize=65536)
def _line_runs(line: str) -> tuple[Run, ...]:
    """A line's tokens as runs (a new run at each label after a value), values already numbers.
    Cached like the tokens: a grid row is then one step of `region_groups`, not one per cell."""
    runs: list[Run] = []
    label: str | None = None
    values: list[float | None] = []
    raw: list[str] = []
    glued_digits = ""
    for kind, text in _line_tokens(line):
        if kind == "label":
            if raw:  # a label after values: the run so far is complete
                runs.append(Run(label, tuple(values), tuple(raw), glued_digits))
                label, values, raw, glued_digits = None, [], [], ""
            label = text if label is None else label + text
            continue
        raw.append(text)
        if kind == "glued":
            glued_digits = text
        else:
            values.append(float(text) if kind == "number" else None)
    if label is not None or raw:
        runs.append(Run(label, tuple(values), tuple(raw), glued_digits))
    return tuple(runs)


def region_groups(region: Region) -> Iterator[Group]:
    """Label + values groups of a region, each yielded once complete (when the next label
    begins). Read a line's runs at a time from the cache, with no Token made per cell (a batch
    has ≈ 470,000 cells)."""
    current: Group | None = None
    line_number = region.first_line
    for line, offset in zip(region.lines, region.offsets, strict=True):
        for label, values, raw, glued_digits in _line_runs(line):
            if label is not None:
                if current is None or any(current.raw) or current.glued:
                    if current is not None:
                        yield _without_trailing_blanks(current)
                    current = Group(label, values=[], offset=offset, raw=[])
                else:
                    # Only blank cells since the label (a spanned header's columns): the label
                    # goes on, as a label wrapped over two lines does.
                    current.label += label
                    current.values, current.raw = [], []
                current.last_label_line = line_number
            if raw:
                if current is None:
                    current = Group("", values=[], offset=offset, raw=[])
                current.raw.extend(raw)
                current.values.extend(values)
                if any(raw):
                    if current.first_value_line < 0:
                        current.first_value_line = line_number
                        current.first_value_offset = offset
                    current.last_value_line = line_number
                if glued_digits:
                    current.glued = glued_digits
        line_number += 1
    if current is not None:
        yield _without_trailing_blanks(current)


def _without_trailing_blanks(group: Group) -> Group:
    """The group without the blank cells after its last value: they fill no column of its row."""
    while group.raw and group.raw[-1] == "":
        group.raw.pop()
        group.values.pop()
    return group


@lru_cache(maxsize=8192)
def best_match(label: str, table: str) -> str | None:
    """The row of `table` (a key of `ROW_PATTERNS`) whose words end closest to the label's end (the
    words next to the numbers). Cached: the same labels recur in report after report; the table
    is named by its key, as hashing its patterns on every call was most of a cache hit's cost."""
    best: tuple[int, int, str] | None = None
    for code, pattern in ROW_PATTERNS[table]:
        for m in pattern.finditer(label):
            key = (m.end(), m.end() - m.start(), code)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best else None


# A row label a PDF's text layer wrapped, with the row's figures on its first line (`6.属于四类 0 1 0
# 0 0 0 1` / `过程性信息`), is known by its head when no row's words are in it: the one row whose
# printed label begins with it. A head this short or shorter (an item number and a word) names no
# row.
MIN_LABEL_HEAD_CHARS = 5
_LABEL_NORMALISED = str.maketrans("（）．", "().")


def _normalised_label(label: str) -> str:
    return re.sub(r"\s+", "", label).translate(_LABEL_NORMALISED)


_T3_PRINTED_LABELS = tuple((row.code, _normalised_label(row.label_zh)) for row in catalog.T3_ROWS)


# Where a row's numbered label begins (`6.`, `(二)`, `四、`): the words before it in a merged label
# are the tail of the row before, wrapped onto its own line.
_ITEM_START = re.compile(
    r"(?:\d{1,2}\s*[.．、](?!\d)|[(（][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)"
)


def own_label(label: str) -> str:
    """The label from its last item number on (`内部事务信息6.属于四` → `6.属于四`): a wrapped row
    label's tail runs into the next row's label, whose own words are after its number."""
    starts = [m.start() for m in _ITEM_START.finditer(label)]
    return label[starts[-1] :] if starts else label


def t3_label_head_match(label: str, taken: set[str]) -> str | None:
    """The table-3 row not yet read whose printed label begins with `label` (see above), when
    exactly one does."""
    head = _normalised_label(label)
    if len(head) < MIN_LABEL_HEAD_CHARS:
        return None
    found = [code for code, printed in _T3_PRINTED_LABELS if code not in taken and printed.startswith(head)]
    return found[0] if len(found) == 1 else None


# A line that opens or closes with a pipe (past blanks): a markdown table's row, or a cell of a
# crawl that prints one cell a line (`0 |`).
_PIPE_ROW = re.compile(r"^(?:[^\S\n]*\|.*|.*\|[^\S\n]*)$", re.MULTILINE)


def pipe_rows(text: str) -> int:
    """How many lines of `text` are piped table rows or cells: one search, not one strip a line."""
    return len(_PIPE_ROW.findall(text))


def layout_of(groups: list[Group], lines: list[str], is_html: bool) -> str:
    text = "\n".join(lines)
    if is_html and "\t" in text:
        return "html"
    if pipe_rows(text) >= 3:
        return "markdown"
    with_values = [g for g in groups if g.values]
    same_line = sum(1 for g in with_values if g.values_beside_label())
    return "grid" if with_values and same_line * 2 >= len(with_values) else "flat"


@dataclass
class Region:
    lines: list[str]
    first_line: int
    offsets: list[int]
    # The page line each region line stands on, where a long line was cut into rows (None: the
    # region's lines are the page's, from first_line on).
    page_lines: list[int] | None = None

    def page_line(self, line: int) -> int:
        """The page line of region line number `line` (first_line-based, as groups count)."""
        return line if self.page_lines is None else self.page_lines[line - self.first_line]


def _region(page: Page, start: int, stop: int) -> Region:
    """Lines [start, stop) of a page, a line of a flattened table cut into its rows (line
    numbers then count the cut pieces; offsets stay those of the text). The cuts are found by one
    search over the region's text; only the lines that hold one are cut."""
    stop = min(stop, start + _REGION_LINES, len(page.lines))
    lines, line_offsets = page.lines[start:stop], page.offsets[start:stop]
    if start >= stop:
        return Region(lines, start, line_offsets)
    end = page.offsets[stop] - 1 if stop < len(page.lines) else len(page.text)
    cuts: dict[int, list[tuple[int, int]]] = {}  # region line → (cut start, next piece's start) in it
    for found in _ROW_AFTER_DIGITS.finditer(page.text, page.offsets[start], end):
        line = bisect_right(page.offsets, found.start()) - 1
        cuts.setdefault(line, []).append((found.start() + 1, found.end()))  # after the row's last digit
    if not cuts:
        return Region(lines, start, line_offsets)
    cut_lines: list[str] = []
    cut_offsets: list[int] = []
    page_lines: list[int] = []
    for page_line, (text, offset) in enumerate(zip(lines, line_offsets, strict=True), start):
        piece_start = 0
        for cut_start, next_start in cuts.get(page_line, ()):
            cut_lines.append(text[piece_start : cut_start - offset])
            cut_offsets.append(offset + piece_start)
            page_lines.append(page_line)
            piece_start = next_start - offset
        cut_lines.append(text[piece_start:])
        cut_offsets.append(offset + piece_start)
        page_lines.append(page_line)
    return Region(cut_lines, start, cut_offsets, page_lines)


@dataclass(frozen=True)
class Page:
    """A report's text, its lines, and the offset where each line starts."""

    text: str
    lines: list[str]
    offsets: list[int]

    @classmethod
    def of(cls, text: str) -> Page:
        lines = text.split("\n")
        # Offsets by C-level iterators: line i starts after the lengths of the lines before it
        # and their i newlines.
        offsets = list(map(operator.add, accumulate(map(len, lines), initial=0), count()))
        return cls(text, lines, offsets[:-1])

    def find(self, pattern: str, start: int = 0, stop: int | None = None) -> int | None:
        """The first line in [start, stop) where `pattern` matches, searched in the text in one
        call: a pattern must not match across lines (no `\\s`, `.` in DOTALL or `\\n` in it)."""
        stop = len(self.lines) if stop is None else min(stop, len(self.lines))
        if start >= stop:
            return None
        end = self.offsets[stop] - 1 if stop < len(self.lines) else len(self.text)
        found = _compiled(pattern).search(self.text, self.offsets[start], end)
        return bisect_right(self.offsets, found.start()) - 1 if found else None

    def find_last(self, pattern: str, start: int = 0, stop: int | None = None) -> int | None:
        """The last line in [start, stop) where `pattern` matches (the heading nearest a table,
        not an introduction that lists the headings)."""
        found = self.find(pattern, start, stop)
        while found is not None:
            later = self.find(pattern, found + 1, stop)
            if later is None:
                return found
            found = later
        return None


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.MULTILINE)


# Each standard table's row patterns, by table key: "t3", and "t2.2019" / "t2.2021" (table 2's rows
# differ between the formats).
ROW_PATTERNS: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    "t3": tuple((row.code, re.compile(row.pattern)) for row in catalog.T3_ROWS),
    **{
        f"t2.{template}": tuple((r.code, re.compile(r.pattern)) for r in catalog.T2_ROWS if r.template == template)
        for template in sorted({r.template for r in catalog.T2_ROWS})
    },
}


# Each row's metric codes (and table 2's units), in column order: built once, not per cell.
_T3_METRICS = {row.code: tuple(f"t3.{row.code}.{c.code}" for c in catalog.T3_COLUMNS) for row in catalog.T3_ROWS}
_T3_UNITS = ("件",) * len(catalog.T3_COLUMNS)
_T2_CELLS = {  # (metric codes, units)
    (row.template, row.code): (
        tuple(f"t2.{row.code}.{c.code}" for c in row.columns),
        tuple(catalog.t2_unit(c) for c in row.columns),
    )
    for row in catalog.T2_ROWS
}
_T4_METRICS = {g.code: tuple(f"t4.{g.code}.{c.code}" for c in catalog.T4_COLUMNS) for g in catalog.T4_GROUPS}


def _evidence(group: Group) -> str:
    return (group.label[-80:] + " | " + " ".join(group.raw))[:200]


def _lone_run_is_glued(group: Group, width: int) -> None:
    """Digit runs standing where `width` cells belong, fewer than `width` and all on the label's
    line, are one glued run: a flattened row (`713000074`), or one whose stray spaces fall inside
    cells (`230 000023` = 23,0,0,0,0,0,23), so its spaces decide nothing."""
    if width <= 1 or not group.raw or len(group.raw) >= width or group.glued:
        return
    if group.first_value_line != group.last_value_line or not all(piece.isdigit() for piece in group.raw):
        return
    digits = "".join(group.raw)
    if len(digits) >= width:
        group.glued, group.values = digits, []


def _fitted(group: Group, width: int) -> list[float | None]:
    """The group's first `width` values, once blank cells before its first figure that make it
    longer than its row are dropped: columns a spanned label filled, printed after it."""
    values, raw = group.values, group.raw
    skip = 0
    while len(values) - skip > width and skip < len(raw) and raw[skip] == "":
        skip += 1
    return values[skip : skip + width]


def read_t3(region: Region) -> dict[str, tuple[list[float | None], Group]]:
    rows: dict[str, tuple[list[float | None], Group]] = {}
    for group in region_groups(region):
        if not (group.values or group.glued) or not group.label:
            continue
        _lone_run_is_glued(group, len(catalog.T3_COLUMNS))
        own = own_label(group.label)
        code = best_match(own, "t3") or t3_label_head_match(own, set(rows))
        if code and code not in rows:
            rows[code] = (_fitted(group, len(catalog.T3_COLUMNS)), group)
        if code == "carried_forward":
            break
    return rows


def read_reports_table_rows(cleaned: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(segmented.tables rows, the cells' rows as CELL_ROW_SCHEMA, their values as
    CELL_VALUE_SCHEMA) for a batch. Columns in: report_id, text, is_html (optional)."""
    tables: list[dict[str, object]] = []
    rows: dict[str, list[object]] = {name: [] for name in CELL_ROW_SCHEMA}
    values: dict[str, list[object]] = {name: [] for name in CELL_VALUE_SCHEMA}
    has_html = "is_html" in cleaned.columns
    for row in cleaned.iter_rows(named=True):
        found, readings = read_report(row["report_id"], row["text"], bool(row["is_html"]) if has_html else False)
        tables.extend(found)
        for reading in readings:
            for name, items in reading.row_columns().items():
                rows[name].extend(items)
            for name, items in reading.value_columns().items():
                values[name].extend(items)
    return (
        pl.DataFrame(tables, schema=TABLE_SCHEMA),
        pl.DataFrame(rows, schema=CELL_ROW_SCHEMA),
        pl.DataFrame(values, schema=CELL_VALUE_SCHEMA),
    )


def explode_cells(rows: pl.DataFrame, values: pl.DataFrame) -> pl.DataFrame:
    """CELL_SCHEMA rows from `read_reports_table_rows`' two frames: each row repeated once per cell,
    beside the cells' values; columns `rows` has beyond CELL_ROW_SCHEMA (a section number) follow."""
    each_cell = pl.int_range(pl.len(), dtype=pl.UInt32).repeat_by("cells").explode()
    repeated = rows.select(pl.exclude("cells").gather(each_cell))
    extra = [name for name in repeated.columns if name not in CELL_SCHEMA]
    return pl.concat([repeated, values], how="horizontal").select(*CELL_SCHEMA, *extra)


def read_reports_tables(cleaned: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(segmented.tables rows, table cells as metrics) for a batch. Columns in: report_id, text,
    is_html (optional)."""
    found_tables, rows, values = read_reports_table_rows(cleaned)
    return found_tables, explode_cells(rows, values)


@dataclass
class Reading:
    """The cells one table yields, and which expected cells could not be read. Cells are kept
    column by column, what a row's cells share once per row: a batch has ≈ 360,000 cells in
    ≈ 80,000 rows, and Polars builds a frame from lists faster than from a dict per cell."""

    report_id: str
    table_code: str
    # The cells read: CELL_VALUE_SCHEMA's columns, one item per cell ...
    metrics: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    # ... and per row of cells (a table row, or a lone cell): where it stands, its evidence, its cells.
    offsets: list[int | None] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    expected: int = 0
    recovered: int = 0  # cells whose values came from cutting glued digits
    constraints: list[str] = field(default_factory=list)  # what decided the cuts
    ambiguous: list[str] = field(default_factory=list)  # glued rows left missing, and why

    def cell(self, metric: str, value: float | None, unit: str, offset: int | None, evidence: str) -> None:
        self.expected += 1
        if value is None:
            self.missing.append(metric)
            return
        self.metrics.append(metric)
        self.values.append(value)
        self.units.append(unit)
        self._row(offset, evidence, 1)

    def row(
        self,
        metrics: tuple[str, ...],
        values: list[float | None],
        units: tuple[str, ...],
        offset: int | None,
        evidence: str,
    ) -> None:
        """`cell` for each of a table row's metrics, the i-th taking `values[i]` (missing where
        `values` is short or None). A row at a time: a batch has ≈ 360,000 cells, and a Python
        call per cell was a tenth of the table reader's time."""
        width = len(metrics)
        row_values = values[:width] if len(values) >= width else [*values, *([None] * (width - len(values)))]
        if None in row_values:  # a cell missing: one by one
            for metric, value, unit in zip(metrics, row_values, units, strict=True):
                self.cell(metric, value, unit, offset, evidence)
            return
        self.expected += width  # most rows: every cell read
        self.metrics.extend(metrics)
        self.values.extend(row_values)  # type: ignore[arg-type]  # no None, as just checked
        self.units.extend(units)
        self._row(offset, evidence, width)

    def _row(self, offset: int | None, evidence: str, width: int) -> None:
        self.offsets.append(offset)
        self.evidence.append(evidence)
        self.widths.append(width)

    def row_columns(self) -> dict[str, list[Any]]:
        """The rows of cells read, as CELL_ROW_SCHEMA's columns."""
        count = len(self.widths)
        return {
            "report_id": [self.report_id] * count,
            "table_code": [self.table_code] * count,
            "start_char": self.offsets,
            "evidence": self.evidence,
            "cells": self.widths,
        }

    def value_columns(self) -> dict[str, list[object]]:
        """The cells read, as CELL_VALUE_SCHEMA's columns."""
        return {"metric": self.metrics, "value": self.values, "unit": self.units}  # type: ignore[dict-item]

    @property
    def cells(self) -> list[dict[str, object]]:
        """The cells read, as CELL_SCHEMA rows."""
        rows = pl.DataFrame(self.row_columns(), schema=CELL_ROW_SCHEMA)
        return explode_cells(rows, pl.DataFrame(self.value_columns(), schema=CELL_VALUE_SCHEMA)).to_dicts()

    def table(self, layout: str, start_char: int) -> dict[str, object]:
        return {
            "report_id": self.report_id,
            "table_code": self.table_code,
            "layout": layout,
            "start_char": start_char,
            "cells_expected": self.expected,
            "cells_read": len(self.metrics),
            "cells_recovered": self.recovered,
            "cells_missing": self.missing,
            "split_constraints": self.constraints,
            "split_ambiguous": self.ambiguous,
        }


def _recover_t3(
    rows: dict[str, tuple[list[float | None], Group]],
    template: str,
    reading: Reading,
    prose_total: Callable[[], float | None],
) -> int:
    """Cut glued rows into cells by the table's arithmetic; returns how many cells were recovered."""
    width = len(catalog.T3_COLUMNS)
    options = {
        code: glued.candidates(group.glued, width, row_total=True)
        for code, (values, group) in rows.items()
        if group.glued.isdigit() and not values
    }
    if not options:
        return 0
    known = {code: tuple(values) for code, (values, group) in rows.items() if len(values) == width}
    outcomes = list(catalog.T3_OUTCOME_ROWS[template])
    equations = [
        ("results_sum", ["results_total"], outcomes),
        ("balance", ["new_received", "carried_over"], ["results_total", "carried_forward"]),
    ]
    resolution = glued.resolve(options, known, equations)
    stated_total = prose_total() if "new_received" in resolution.ambiguous else None
    if stated_total is not None:
        # The prose's 收到申请N件 is the row's total: keep the cuts that agree with it.
        options["new_received"] = [c for c in options["new_received"] if c[-1] == stated_total]
        resolution = glued.resolve(options, known, equations)
        resolution.constraints.append("prose:text.requests_received")
    for code, cut in resolution.values.items():
        rows[code] = ([float(x) for x in cut], rows[code][1])
    reading.constraints.extend(c for c in resolution.constraints if c not in reading.constraints)
    reading.ambiguous.extend(f"t3.{code}: {n} cuts fit" for code, n in resolution.ambiguous.items())
    return len(resolution.values) * width


def _prose_requests(lines: list[str]) -> float | None:
    """收到/受理申请N件 in the prose: a hint for cutting a glued 本年新收 row."""
    from transforms.figures import extract_text_metrics

    metrics, _ = extract_text_metrics("", "\n".join(lines), [])
    found = [m["value"] for m in metrics if m["metric"] == "text.requests_received" and m["qualifier"] == "exact"]
    return float(found[0]) if found else None  # type: ignore[arg-type]  # a metric row's value is a float


def _read_t3(report_id: str, page: Page, is_html: bool) -> tuple[Reading, dict | None, int | None]:
    reading = Reading(report_id, "t3")
    lines, offsets = page.lines, page.offsets
    anchor = page.find(r"本年新收")
    if anchor is None:
        return reading, None, None
    heading = page.find_last(r"收到和处理政府信息公开申请", max(0, anchor - 40), anchor)
    region = _region(page, heading + 1 if heading is not None else anchor, len(lines))
    rows = read_t3(region)
    if not rows:
        return reading, None, None
    template = (
        "2021" if any(code in rows for code in ("other_no_correction", "other_misc", "other_unpaid_fee")) else "2019"
    )
    recovered = _recover_t3(rows, template, reading, lambda: _prose_requests(lines))
    for row in (r for r in catalog.T3_ROWS if template in r.templates):
        values, group = rows.get(row.code, ([], None))
        evidence = _evidence(group) if group else ""
        offset = group.figures_offset if group else None
        reading.row(_T3_METRICS[row.code], values, _T3_UNITS, offset, evidence)
    last = rows.get("carried_forward", (None, None))[1]
    end = (
        region.page_line(last.last_value_line) + 1
        if last and last.last_value_line >= 0
        else region.page_line(region.first_line + len(region.lines) - 1) + 1
    )
    used = [g for _, g in rows.values()]
    layout = "glued" if recovered else layout_of(used, region.lines[: end - region.first_line], is_html)
    reading.recovered = recovered
    return reading, reading.table(layout, offsets[anchor]), end


def _read_t2(report_id: str, page: Page, is_html: bool, t3_anchor: int | None) -> tuple[Reading, dict | None]:
    reading = Reading(report_id, "t2")
    lines, offsets = page.lines, page.offsets
    # The table's clause header, or its column header (信息内容 then a column's words): a sentence
    # about 信息内容 before the table is no anchor.
    anchor = page.find(r"第二十条第[^\S\n]*[（(]|信息内容[^\S\n]*(?:本年|上一年|采购|\t|\|)", 0, t3_anchor)
    if anchor is None:
        anchor = page.find(r"信息内容", 0, t3_anchor)
    if anchor is None:
        return reading, None
    stop = t3_anchor if t3_anchor is not None else len(lines)
    # Table 3's heading ends the region; on the anchor's own line it is a flattened page's run-on.
    heading3 = page.find(r"^[^\S\n]*三[^\S\n]*[、.．]|收到和处理政府信息公开申请", anchor + 1, stop)
    region = _region(page, anchor, heading3 if heading3 is not None else stop)
    template = "2019" if re.search(r"本年新制作|上一年项目数量|对外公开总数", "\n".join(region.lines)) else "2021"
    t2_rows = [r for r in catalog.T2_ROWS if r.template == template]
    table = f"t2.{template}"
    found: dict[str, Group] = {}
    for group in region_groups(region):
        code = best_match(group.label, table) if (group.values or group.glued) and group.label else None
        if code and code not in found:
            _lone_run_is_glued(group, len(next(r for r in t2_rows if r.code == code).columns))
            found[code] = group
    if not found:
        return reading, None
    # Glued rows: table 2 has no row totals, so a run is cut only when a single cut exists
    # (one cell, or one digit per cell); otherwise its cells stay missing.
    for t2 in t2_rows:
        glued_group = found.get(t2.code)
        if glued_group is None or not glued_group.glued or glued_group.values:
            continue
        options = _t2_cuts(glued_group.glued, len(t2.columns))
        decided_by = "single_cut"
        if len(options) > 1:
            options = _stated_in_prose(options, t2, page.text)
            decided_by = f"prose:t2.{t2.code}"
        if len(options) == 1:
            glued_group.values = list(options[0])
            reading.recovered += len(t2.columns)
            if decided_by not in reading.constraints:
                reading.constraints.append(decided_by)
        else:
            reading.ambiguous.append(f"t2.{t2.code}: {len(options)} cuts fit")
    for t2 in t2_rows:
        row_group = found.get(t2.code)
        evidence = _evidence(row_group) if row_group else ""
        offset = row_group.figures_offset if row_group else None
        metrics, units = _T2_CELLS[t2.template, t2.code]
        reading.row(metrics, _fitted(row_group, len(metrics)) if row_group else [], units, offset, evidence)
    layout = "glued" if any(g.glued for g in found.values()) else layout_of(list(found.values()), region.lines, is_html)
    return reading, reading.table(layout, offsets[anchor])


_PROSE_COUNT = re.compile(r"(?<![\d.])(\d+)(?:件|条|个|项|篇)")
_PROSE_SENTENCE = re.compile(r"[^。；;！？\n]+")
# A cut is taken from the prose only when this many of its cells, each of at least two digits, are
# figures the prose states beside the row's words; a lone 0 or 1 attests nothing.
MIN_ATTESTED_CELLS = 2


def _stated_in_prose(options: list[tuple[float, ...]], row: catalog.T2Row, text: str) -> list[tuple[float, ...]]:
    """The cuts of a glued table-2 row that the report's prose bears out (`现行有效行政规范性文件698件`,
    `制发的规范性文件88件` for `8855698`): the one cut with the most cells the prose states in a
    sentence naming the row, if it has MIN_ATTESTED_CELLS of them and no other cut has as many."""
    words = row.pattern.rstrip("$")
    stated = {
        float(m.group(1))
        for sentence in _PROSE_SENTENCE.finditer(text)
        if re.search(words, sentence.group(0))
        for m in _PROSE_COUNT.finditer(sentence.group(0))
        if len(m.group(1)) >= 2
    }
    if not stated:
        return options
    scores = [sum(1 for value in cut if value in stated) for cut in options]
    best = max(scores)
    if best < MIN_ATTESTED_CELLS or scores.count(best) > 1:
        return options
    return [options[scores.index(best)]]


def _t2_cuts(run: str, width: int) -> list[tuple[float, ...]]:
    """The cuts of a glued table-2 run into `width` cells. A decimal (an amount in 万元) is read
    only as a row's one cell, and only with at most MAX_AMOUNT_DECIMALS decimals: a longer tail
    is two cells run together (`24252.311082`), which no arithmetic of table 2 can part."""
    _, dot, decimals = run.partition(".")
    if dot:
        return [(float(run),)] if width == 1 and len(decimals) <= MAX_AMOUNT_DECIMALS else []
    return [tuple(float(x) for x in cut) for cut in glued.candidates(run, width, row_total=False)]


T4_CELLS = len(catalog.T4_GROUPS) * len(catalog.T4_COLUMNS)


# Table 4's column words as a PDF's text layer may scatter them (`尚未 总` over `审结 计`, or one
# character a line: `结 结 其 尚` / `果 果 他 未`): the characters of its header all stand within
# these lines of the anchor even where no word is whole.
T4_HEADER_CHARS = frozenset("维持纠正尚未审结")
T4_HEADER_LINES = 14


def _t4_header_scattered(page: Page, anchor: int) -> bool:
    window = "".join(page.lines[anchor : anchor + T4_HEADER_LINES])
    return T4_HEADER_CHARS <= set(window)


def _read_t4(report_id: str, page: Page, is_html: bool, after: int | None) -> tuple[Reading, dict | None]:
    """Table 4: the 15 figures that follow its header (行政复议 … 总计), in catalogue order."""
    reading = Reading(report_id, "t4")
    offsets = page.offsets
    anchor = page.find(r"行政复议", after or 0)
    if anchor is None:
        return reading, None
    scattered = _t4_header_scattered(page, anchor)
    if after is None and not scattered and page.find(r"结果维持", anchor, anchor + 40) is None:
        return reading, None
    if not scattered and page.find(r"尚未审结|总计", anchor, anchor + 60) is None:
        return reading, None
    region = _region(page, anchor, anchor + 80)
    values: list[Token] = []
    glued_digits = ""
    for token in tokenize(region.lines, region.first_line, region.offsets):
        if token.kind == "label":
            if values:
                break
            continue
        if token.kind == "empty" and not values:  # the header's blank cells, before the figures
            continue
        if token.kind == "glued":
            if values:
                break
            glued_digits, glued_token = token.text, token
            break
        values.append(token)
        if len(values) == T4_CELLS:
            break
    if len(values) == 1 and values[0].text.isdigit() and len(values[0].text) >= T4_CELLS:
        glued_digits, glued_token = values[0].text, values[0]
    if not glued_digits.isdigit():  # a decimal run: not table 4's counts
        glued_digits = ""
    if glued_digits:
        # Cut the run into 15 cells, each group's total being the sum of its four results.
        options = glued.t4_candidates(glued_digits, len(catalog.T4_GROUPS), len(catalog.T4_COLUMNS))
        if len(options) == 1:
            values = [Token("number", str(x), glued_token.line, glued_token.offset) for x in options[0]]
            reading.recovered = T4_CELLS
            reading.constraints.append("group_total")
        else:
            values = [Token("missing", "", glued_token.line, glued_token.offset)] * T4_CELLS
            reading.ambiguous.append(f"t4: {len(options)} cuts fit")
    if len(values) < len(catalog.T4_COLUMNS):
        return reading, None
    evidence = ("行政复议/行政诉讼 | " + " ".join(v.text for v in values))[:200]
    cells = iter(values)
    for group in catalog.T4_GROUPS:
        for metric in _T4_METRICS[group.code]:
            cell = next(cells, None)
            value = float(cell.text) if cell is not None and cell.kind == "number" else None
            reading.cell(metric, value, "件", cell.offset if cell else None, evidence)
    grid = len({v.line for v in values}) <= 3
    markdown = pipe_rows("\n".join(region.lines)) >= 2
    layout = (
        "glued"
        if glued_digits
        else "html"
        if is_html and grid
        else "markdown"
        if markdown
        else ("grid" if grid else "flat")
    )
    return reading, reading.table(layout, offsets[anchor])


def read_tables(report_id: str, text: str, is_html: bool = False) -> tuple[list[dict], list[dict]]:
    """(segmented.tables rows, cells) for one report's text."""
    found, readings = read_report(report_id, text, is_html)
    return found, [cell for reading in readings for cell in reading.cells]


def read_report(report_id: str, text: str, is_html: bool = False) -> tuple[list[dict], list[Reading]]:
    """(segmented.tables rows, the readings of the tables found) for one report's text."""
    page = Page.of(text)
    t3, t3_table, t3_end = _read_t3(report_id, page, is_html)
    t2, t2_table = _read_t2(report_id, page, is_html, page.find(r"本年新收"))
    t4, t4_table = _read_t4(report_id, page, is_html, t3_end)
    found = [(r, t) for r, t in ((t3, t3_table), (t2, t2_table), (t4, t4_table)) if t is not None]
    return [t for _, t in found], [r for r, _ in found]
