"""Pages of a PDF or DOCX text: running headers and footers taken out, and where each page starts
in the cleaned text (so a figure can name the page it stands on).

A document's raw text parts its pages with `documents.PAGE_BREAK`. Cleaning changes the text in
many ways (spaces, line joins, characters), so page starts are found again afterwards by each
page's first words (its anchor), searched in order and across whitespace.
"""

from __future__ import annotations

import re
from collections import Counter

from transforms import patterns as p
from transforms.documents.reading import PAGE_BREAK

_FURNITURE = re.compile("|".join(f"(?:{pattern})" for pattern in p.PAGE_FURNITURE_PATTERNS))
# Lines looked at for a running header (top of a page) or footer (bottom).
EDGE_LINES = 2
# A line at a page's edge on at least this share of pages (and two of them) runs on every page.
RUNNING_SHARE = 0.5
# A page's first characters find it again; long enough not to match a heading repeated on an
# earlier page, with a shorter try where cleaning changed some of them.
ANCHOR_CHARS = 24
MIN_ANCHOR_CHARS = 8
_DIGITS = re.compile(r"\d+")


def _key(line: str) -> str:
    """A line with its numbers blanked: `第3页` and `第4页` are the same running line."""
    return _DIGITS.sub("#", re.sub(r"\s+", "", line))


def strip_running_lines(text: str) -> str:
    """The text without lines that repeat at the top or bottom of most pages (a running title,
    the issuer's name in the footer) and without page-number lines."""
    pages = text.split(PAGE_BREAK)
    if len(pages) < 2:
        return text
    edges: list[set[str]] = []
    for page in pages:
        lines = [line for line in page.split("\n") if line.strip()]
        edges.append({_key(line) for line in lines[:EDGE_LINES] + lines[-EDGE_LINES:]})
    counts = Counter(key for keys in edges for key in keys)
    needed = max(2, RUNNING_SHARE * len(pages))
    running = {key for key, seen in counts.items() if seen >= needed and len(key) <= 40}
    kept_pages = []
    for number, page in enumerate(pages):
        lines = page.split("\n")
        content = [i for i, line in enumerate(lines) if line.strip()]
        edge = set(content[:EDGE_LINES] + content[-EDGE_LINES:])
        dropped = {i for i in edge if _key(lines[i]) in running or _FURNITURE.match(lines[i].strip())}
        if number == 0:
            # The first page keeps the last of a running line's copies: a header that repeats the
            # title stands above the title itself, which metadata reads.
            last_copy: dict[str, int] = {}
            for i in sorted(dropped):
                last_copy[_key(lines[i])] = i
            dropped -= {i for key, i in last_copy.items() if key in running}
        kept_pages.append("\n".join(line for i, line in enumerate(lines) if i not in dropped))
    return PAGE_BREAK.join(kept_pages)


def page_anchors(text: str) -> list[str]:
    """Each page's first characters (spaces taken out), from the second page on."""
    anchors = []
    for page in text.split(PAGE_BREAK)[1:]:
        anchors.append(re.sub(r"\s+", "", page)[:ANCHOR_CHARS])
    return anchors


def page_starts(text: str, anchors: list[str]) -> list[int]:
    """Where each page starts in `text` (0 for the first): each anchor found after the one before
    it, across whitespace; a page whose anchor cleaning changed past finding starts where the page
    before it did."""
    starts = [0]
    position = 0
    for anchor in anchors:
        found = None
        for size in (len(anchor), MIN_ANCHOR_CHARS):
            if len(anchor) < size or size == 0:
                continue
            pattern = r"\s*".join(re.escape(char) for char in anchor[:size])
            match = re.compile(pattern).search(text, position)
            if match is not None:
                found = match.start()
                break
        if found is not None:
            position = found
        starts.append(position)
    return starts
