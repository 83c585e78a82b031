"""Segmented stage, part 2: the standard tables (2, 3, 4) read from the report text.

One reader serves the layouts real pages produce once they are text: HTML rows (cells by tab),
markdown pipes, grids (cells split by tabs or runs of spaces) and the flattened form with one
cell per line. The text of a table region becomes a stream of tokens (label words, numbers,
missing markers); consecutive label tokens merge into one label (which also rejoins labels
wrapped over two lines), and each label owns the values that follow it. Labels are matched to
the catalogue by their words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from transforms import catalog

TABLE_SCHEMA = {
    "report_id": pl.String,
    "table_code": pl.String,
    "layout": pl.String,
    "start_char": pl.Int32,
    "cells_expected": pl.Int32,
    "cells_read": pl.Int32,
    "cells_recovered": pl.Int32,
    "cells_missing": pl.List(pl.String),
}
CELL_SCHEMA = {
    "report_id": pl.String,
    "table_code": pl.String,
    "metric": pl.String,
    "value": pl.Float64,
    "unit": pl.String,
    "start_char": pl.Int32,
    "evidence": pl.String,
}

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
MISSING_MARKS = frozenset({"/", "／", "-", "—", "–", "--", "——", "无", "空"})
_RULE = re.compile(r"^:?-{3,}:?$")
_TRAILING_NUMBERS = re.compile(r"^(.*?[^\d\s.\-])\s+((?:(?:-?\d+(?:\.\d+)?|/|—|-)\s*)+)$")
_CELL_SPLIT = re.compile(r"\t|\||\s{2,}")
_REGION_LINES = 2000  # how far (in lines, blank ones included) a table may extend past its anchor


@dataclass
class Token:
    kind: str  # label, number, missing
    text: str
    line: int
    offset: int


@dataclass
class Group:
    label: str
    values: list[float | None] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)
    label_lines: set[int] = field(default_factory=set)
    offset: int = 0
    raw: list[str] = field(default_factory=list)


def _value_token(piece: str, line: int, offset: int) -> Token:
    if _NUMBER.match(piece):
        return Token("number", piece, line, offset)
    return Token("missing", piece, line, offset)


def tokenize(lines: list[str], first_line: int, offsets: list[int]) -> list[Token]:
    tokens: list[Token] = []
    for index, line in enumerate(lines):
        number = first_line + index
        offset = offsets[index]
        for piece in _CELL_SPLIT.split(line):
            piece = piece.strip()
            if not piece or _RULE.match(piece):
                continue
            parts = piece.split()
            if all(_NUMBER.match(x) or x in MISSING_MARKS for x in parts):
                tokens.extend(_value_token(x, number, offset) for x in parts)
                continue
            trailing = _TRAILING_NUMBERS.match(piece)
            if trailing and not re.search(r"\d$", trailing.group(1)):
                tokens.append(Token("label", trailing.group(1).strip(), number, offset))
                tokens.extend(_value_token(x, number, offset) for x in trailing.group(2).split())
                continue
            tokens.append(Token("label", piece, number, offset))
    return tokens


def group_tokens(tokens: list[Token]) -> list[Group]:
    groups: list[Group] = []
    current: Group | None = None
    for token in tokens:
        if token.kind == "label":
            if current is None or current.values:
                current = Group(label="", offset=token.offset)
                groups.append(current)
            current.label += token.text
            current.label_lines.add(token.line)
        else:
            if current is None:
                current = Group(label="", offset=token.offset)
                groups.append(current)
            current.values.append(float(token.text) if token.kind == "number" else None)
            current.raw.append(token.text)
            current.lines.add(token.line)
    return groups


def best_match(label: str, rows: list[tuple[str, re.Pattern[str]]]) -> str | None:
    """The row whose words end closest to the label's end (the words next to the numbers)."""
    best: tuple[int, int, str] | None = None
    for code, pattern in rows:
        for m in pattern.finditer(label):
            key = (m.end(), m.end() - m.start(), code)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best else None


def layout_of(groups: list[Group], lines: list[str], is_html: bool) -> str:
    if is_html and any("\t" in line for line in lines):
        return "html"
    if sum(1 for line in lines if line.strip().startswith("|")) >= 3:
        return "markdown"
    with_values = [g for g in groups if g.values]
    same_line = sum(1 for g in with_values if g.lines <= g.label_lines)
    return "grid" if with_values and same_line * 2 >= len(with_values) else "flat"


@dataclass
class Region:
    lines: list[str]
    first_line: int
    offsets: list[int]


def _region(all_lines: list[str], offsets: list[int], start: int, stop: int) -> Region:
    stop = min(stop, start + _REGION_LINES, len(all_lines))
    return Region(all_lines[start:stop], start, offsets[start:stop])


def _find(all_lines: list[str], pattern: str, start: int = 0, stop: int | None = None) -> int | None:
    compiled = re.compile(pattern)
    for index in range(start, len(all_lines) if stop is None else min(stop, len(all_lines))):
        if compiled.search(all_lines[index]):
            return index
    return None


_T3_ROWS = [(row.code, re.compile(row.pattern)) for row in catalog.T3_ROWS]


def _evidence(group: Group) -> str:
    return (group.label[-80:] + " | " + " ".join(group.raw))[:200]


def read_t3(region: Region) -> tuple[dict[str, tuple[list[float | None], Group]], list[Group]]:
    groups = group_tokens(tokenize(region.lines, region.first_line, region.offsets))
    rows: dict[str, tuple[list[float | None], Group]] = {}
    for group in groups:
        if not group.values or not group.label:
            continue
        code = best_match(group.label, _T3_ROWS)
        if code and code not in rows:
            rows[code] = (group.values[: len(catalog.T3_COLUMNS)], group)
        if code == "carried_forward":
            break
    return rows, groups


def read_reports_tables(cleaned: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(segmented.tables rows, table cells as metrics) for a batch. Columns in: report_id, text,
    is_html (optional)."""
    tables: list[dict[str, object]] = []
    cells: list[dict[str, object]] = []
    has_html = "is_html" in cleaned.columns
    for row in cleaned.iter_rows(named=True):
        t, c = read_tables(row["report_id"], row["text"], bool(row["is_html"]) if has_html else False)
        tables.extend(t)
        cells.extend(c)
    return pl.DataFrame(tables, schema=TABLE_SCHEMA), pl.DataFrame(cells, schema=CELL_SCHEMA)


def read_tables(report_id: str, text: str, is_html: bool = False) -> tuple[list[dict], list[dict]]:
    all_lines = text.split("\n")
    offsets: list[int] = []
    position = 0
    for line in all_lines:
        offsets.append(position)
        position += len(line) + 1
    tables: list[dict[str, object]] = []
    cells: list[dict[str, object]] = []

    # ---- table 3
    t3_anchor = _find(all_lines, r"本年新收")
    t3_end: int | None = None
    template = None
    if t3_anchor is not None:
        heading = _find(all_lines, r"收到和处理政府信息公开申请", max(0, t3_anchor - 40), t3_anchor)
        start = heading + 1 if heading is not None else t3_anchor
        region = _region(all_lines, offsets, start, len(all_lines))
        rows, groups = read_t3(region)
        template = (
            "2021"
            if any(code in rows for code in ("other_no_correction", "other_misc", "other_unpaid_fee"))
            else "2019"
        )
        expected_rows = [r for r in catalog.T3_ROWS if template in r.templates]
        read = 0
        missing: list[str] = []
        for row in expected_rows:
            values, group = rows.get(row.code, ([], None))
            for index, column in enumerate(catalog.T3_COLUMNS):
                value = values[index] if index < len(values) else None
                metric = f"t3.{row.code}.{column.code}"
                if value is None:
                    missing.append(metric)
                    continue
                read += 1
                cells.append(
                    {
                        "report_id": report_id,
                        "table_code": "t3",
                        "metric": metric,
                        "value": value,
                        "unit": "件",
                        "start_char": group.offset if group else None,
                        "evidence": _evidence(group) if group else "",
                    }
                )
        if rows:
            last = rows.get("carried_forward", (None, None))[1]
            t3_end = max(last.lines) + 1 if last and last.lines else region.first_line + len(region.lines)
            used = [g for _, g in rows.values()]
            tables.append(
                {
                    "report_id": report_id,
                    "table_code": "t3",
                    "layout": layout_of(used, region.lines[: (t3_end - region.first_line)], is_html),
                    "start_char": offsets[t3_anchor],
                    "cells_expected": len(expected_rows) * len(catalog.T3_COLUMNS),
                    "cells_read": read,
                    "cells_recovered": 0,
                    "cells_missing": missing,
                }
            )

    # ---- table 2
    t2_anchor = _find(all_lines, r"信息内容|第二十条第", 0, t3_anchor)
    if t2_anchor is not None:
        stop = t3_anchor if t3_anchor is not None else len(all_lines)
        heading3 = _find(all_lines, r"^\s*三\s*[、.．]|收到和处理政府信息公开申请", t2_anchor, stop)
        region = _region(all_lines, offsets, t2_anchor, heading3 if heading3 is not None else stop)
        region_text = "\n".join(region.lines)
        t2_template = "2019" if re.search(r"本年新制作|上一年项目数量|对外公开总数", region_text) else "2021"
        template = template or t2_template
        t2_rows = [r for r in catalog.T2_ROWS if r.template == t2_template]
        patterns = [(r.code, re.compile(r.pattern)) for r in t2_rows]
        groups = group_tokens(tokenize(region.lines, region.first_line, region.offsets))
        found: dict[str, Group] = {}
        for group in groups:
            if group.values and group.label:
                code = best_match(group.label, patterns)
                if code and code not in found:
                    found[code] = group
        read, expected = 0, 0
        missing = []
        for t2 in t2_rows:
            group = found.get(t2.code)
            for index, column in enumerate(t2.columns):
                expected += 1
                metric = f"t2.{t2.code}.{column.code}"
                value = group.values[index] if group and index < len(group.values) else None
                if value is None:
                    missing.append(metric)
                    continue
                read += 1
                cells.append(
                    {
                        "report_id": report_id,
                        "table_code": "t2",
                        "metric": metric,
                        "value": value,
                        "unit": catalog.t2_unit(column),
                        "start_char": group.offset,
                        "evidence": _evidence(group),
                    }
                )
        if found:
            tables.append(
                {
                    "report_id": report_id,
                    "table_code": "t2",
                    "layout": layout_of(list(found.values()), region.lines, is_html),
                    "start_char": offsets[t2_anchor],
                    "cells_expected": expected,
                    "cells_read": read,
                    "cells_recovered": 0,
                    "cells_missing": missing,
                }
            )

    # ---- table 4: the 15 figures after its header (行政复议 … 总计)
    t4_anchor = _find(all_lines, r"行政复议", t3_end or 0)
    if t4_anchor is not None and (t3_end is not None or _find(all_lines, r"结果维持", t4_anchor, t4_anchor + 40)):
        header_end = _find(all_lines, r"尚未审结|总计", t4_anchor, t4_anchor + 60)
        if header_end is not None:
            region = _region(all_lines, offsets, t4_anchor, t4_anchor + 80)
            tokens = tokenize(region.lines, region.first_line, region.offsets)
            values: list[Token] = []
            seen_values = False
            for token in tokens:
                if token.kind == "label":
                    if seen_values:
                        break
                    continue
                seen_values = True
                values.append(token)
                if len(values) == 15:
                    break
            if len(values) >= 5:
                read = 0
                missing = []
                index = 0
                for group in catalog.T4_GROUPS:
                    for column in catalog.T4_COLUMNS:
                        metric = f"t4.{group.code}.{column.code}"
                        token = values[index] if index < len(values) else None
                        index += 1
                        if token is None or token.kind != "number":
                            missing.append(metric)
                            continue
                        read += 1
                        cells.append(
                            {
                                "report_id": report_id,
                                "table_code": "t4",
                                "metric": metric,
                                "value": float(token.text),
                                "unit": "件",
                                "start_char": token.offset,
                                "evidence": ("行政复议/行政诉讼 | " + " ".join(v.text for v in values))[:200],
                            }
                        )
                lines_used = {v.line for v in values}
                grid = len(lines_used) <= 3
                tables.append(
                    {
                        "report_id": report_id,
                        "table_code": "t4",
                        "layout": "html" if is_html and grid else ("grid" if grid else "flat"),
                        "start_char": offsets[t4_anchor],
                        "cells_expected": 15,
                        "cells_read": read,
                        "cells_recovered": 0,
                        "cells_missing": missing,
                    }
                )
    return tables, cells
