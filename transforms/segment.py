"""Segmented stage, part 1: the heading tree of each report.

Heading candidates are lines that start with a numbering (一、 / (一) / 1. / (1) / 第一部分).
A candidate is a heading when its words are short (or a short run-in phrase ends in 。), it is
not a standard table's row label, and a level-1 number follows the previous level-1 number
(so a numbered list restarting at 一、 inside a section stays paragraph text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import polars as pl
from polars._typing import PolarsDataType

from transforms import catalog
from transforms import patterns as p
from transforms.numerals import cn_number

SECTION_SCHEMA: dict[str, PolarsDataType] = {
    "report_id": pl.String,
    "section_no": pl.Int32,
    "parent_no": pl.Int32,
    "level": pl.Int32,
    "label": pl.String,
    "heading": pl.String,
    "topic": pl.String,
    "start_char": pl.Int32,
    "end_char": pl.Int32,
    "text": pl.String,
}

_NUMBERING = [(level, re.compile(pattern)) for level, pattern in p.HEADING_NUMBERING]
_TOPICS = [(topic, re.compile(pattern)) for topic, pattern in p.TOPIC_KEYWORDS]
_TABLE_LABEL = re.compile(
    "|".join([row.pattern for row in catalog.T3_ROWS] + [r"本年度办理结果|申请人情况|信息内容|结果维持|尚未审结"])
)


@dataclass
class Heading:
    level: int
    label: str
    number: int
    heading: str
    start: int  # offset of the line in the text


@lru_cache(maxsize=16384)
def topic_of(heading: str) -> str:
    """The topic a heading names (the first topic whose keywords it holds). Cached as `heading_candidate`."""
    for topic, pattern in _TOPICS:
        if pattern.search(heading):
            return topic
    return "other"


@lru_cache(maxsize=16384)
def heading_candidate(line: str) -> tuple[int, str, int, str] | None:
    """(level, label, number, heading) if the line reads as a heading. Cached: standard headings
    and numbered table labels recur in report after report (3 of 4 numbered lines in a batch)."""
    stripped = line.strip()
    for level, pattern in _NUMBERING:
        m = pattern.match(stripped)
        if not m:
            continue
        raw = next(g for g in m.groups() if g)
        number = int(raw) if raw.isdigit() else (cn_number(raw) or 0)
        rest = stripped[m.end() :].strip()
        if not rest:
            return None
        if len(rest) <= p.HEADING_MAX_CHARS and "。" not in rest.rstrip("。"):
            heading = rest.rstrip("。")
        else:
            first, dot, _ = rest.partition("。")
            if not dot or len(first) > p.RUN_IN_HEADING_MAX_CHARS:
                return None
            heading = first
        if _TABLE_LABEL.search(heading) and len(heading) <= 40:
            return None
        label = stripped[: m.end()].strip()
        label = re.sub(r"[、.．\s]+$", "", label)
        return level, label, number, heading
    return None


# Lines that open with a numbering (after any leading blanks, not newlines), found in one scan of
# the text: only these lines are looked at one by one (a report has ≈ 130 lines, a handful of them
# numbered). The scan looks for a newline (a literal, which Python's engine finds fast) followed by
# a line whose first character can begin a numbering, and only then tries the patterns: about half
# the time of testing every line start. Look-aheads, matching nothing: a pattern's
# `\s*` would consume the newline after a bare "一、" line and hide a numbered line right below it.
_NUMBERING_AHEAD = (
    rf"(?=[^\S\n]*[{p.HEADING_FIRST_CHARS}])"
    r"(?=[^\S\n]*(?:" + "|".join(pattern.removeprefix("^") for _, pattern in p.HEADING_NUMBERING) + "))"
)
_NUMBERED_AFTER_NEWLINE = re.compile(r"\n" + _NUMBERING_AHEAD)
_NUMBERED_AT_START = re.compile(_NUMBERING_AHEAD)


def numbered_lines(text: str) -> list[int]:
    """The offsets of the lines that open with a heading numbering."""
    found = [0] if _NUMBERED_AT_START.match(text) else []
    found.extend(m.start() + 1 for m in _NUMBERED_AFTER_NEWLINE.finditer(text))
    return found


def find_headings(text: str) -> list[Heading]:
    headings: list[Heading] = []
    expected_top = 1
    last_number: dict[int, int] = {}
    for offset in numbered_lines(text):
        end = text.find("\n", offset)
        line = text[offset : end if end >= 0 else len(text)]
        found = heading_candidate(line)
        if found:
            level, label, number, heading = found
            accept = True
            if level == 1:
                # Level-1 numbers go up (one lost heading tolerated); a 一、 after 六、 is a list
                # inside a section, not a new part.
                accept = expected_top <= number <= expected_top + 1
            else:
                previous = last_number.get(level)
                accept = previous is None or number == previous + 1 or number == 1
            if accept:
                headings.append(Heading(level, label, number, heading, offset + len(line) - len(line.lstrip())))
                if level == 1:
                    expected_top = number + 1
                    last_number = {1: number}
                else:
                    last_number[level] = number
                    for deeper in range(level + 1, 5):
                        last_number.pop(deeper, None)
    return headings


def section_ends(headings: list[Heading], text_length: int) -> list[int]:
    """Where each section ends: at the next heading of the same or a higher level (one pass, so a
    report with thousands of headings costs no more than its length)."""
    ends = [text_length] * len(headings)
    open_sections: list[int] = []  # indexes of sections not yet closed, levels increasing
    for index, heading in enumerate(headings):
        while open_sections and headings[open_sections[-1]].level >= heading.level:
            ends[open_sections.pop()] = heading.start
        open_sections.append(index)
    return ends


def segment_reports(cleaned: pl.DataFrame) -> pl.DataFrame:
    """Rows of `segmented.sections` for a batch. Columns in: report_id, text."""
    rows: list[dict[str, object]] = []
    for report_id, text in cleaned.select("report_id", "text").iter_rows():
        headings = find_headings(text)
        ends = section_ends(headings, len(text))
        stack: list[tuple[int, int]] = []  # (level, section_no)
        for index, h in enumerate(headings):
            section_no = index + 1
            while stack and stack[-1][0] >= h.level:
                stack.pop()
            parent = stack[-1][1] if stack else None
            end = ends[index]
            own_end = headings[index + 1].start if index + 1 < len(headings) else len(text)
            rows.append(
                {
                    "report_id": report_id,
                    "section_no": section_no,
                    "parent_no": parent,
                    "level": h.level,
                    "label": h.label,
                    "heading": h.heading,
                    "topic": topic_of(h.heading),
                    "start_char": h.start,
                    "end_char": end,
                    "text": text[h.start : own_end].strip(),
                }
            )
            stack.append((h.level, section_no))
    return pl.DataFrame(rows, schema=SECTION_SCHEMA)


def section_at(sections: list[tuple[int, int, int]], position: int) -> int | None:
    """The innermost section (section_no) whose span holds `position`; sections as (no, start, end)."""
    best: int | None = None
    best_start = -1
    for section_no, start, end in sections:
        if start <= position < end and start >= best_start:
            best, best_start = section_no, start
    return best
