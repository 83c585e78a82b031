"""Mojibake of the GBK kind: UTF-8 bytes that a site read as GBK (and the reverse).

UTF-8 read as GBK leaves characters a Chinese report almost never uses: GB2312 level-2 and GBK
extension ideographs, pinyin and box-drawing symbols (`鍙戝竷`, `ǘ┩`). Where every byte survived,
encoding the span back to GBK and reading it as UTF-8 gives the text; where bytes were lost (`?`,
U+FFFD) it cannot be repaired and is reported as a garbled span instead. ftfy handles only the
Latin-1 kind of damage, so this is ours.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from transforms import patterns as p


@cache
def level1_hanzi() -> str:
    """The 3,755 common ideographs of GB2312 level 1 (GBK lead bytes B0–D7): ordinary report text."""
    chars: list[str] = []
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.append(bytes([lead, trail]).decode("gb2312"))
            except UnicodeDecodeError:
                continue  # D7FA–D7FE are unassigned
    return "".join(chars)


@cache
def common_hanzi() -> frozenset[str]:
    """Ideographs of ordinary report text in either script: GB2312 level 1 and Big5's frequent
    characters (lead bytes A4–C6), so that a repaired Traditional span reads as plausible too."""
    chars = set(level1_hanzi())
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            try:
                chars.add(bytes([lead, trail]).decode("big5"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


@cache
def suspect_class() -> str:
    """A regex class (Rust and Python syntax alike, listed explicitly) of characters that mojibake
    produces and report prose does not: ideographs outside level 1, symbols of GBK rows A6–A9,
    private use, the replacement character."""
    common = set(level1_hanzi())
    rare = "".join(chr(c) for c in range(0x4E00, 0xA000) if chr(c) not in common and _gbk_encodable(chr(c)))
    return "[" + re.escape(rare) + p.MOJIBAKE_SYMBOL_RANGES + "]"


def _gbk_encodable(ch: str) -> bool:
    try:
        ch.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


@cache
def prefilter() -> str:
    """Documents worth a closer look: suspect characters close together (Polars regex)."""
    s = suspect_class()
    return f"{s}.?{s}.?{s}"


def _plausible(text: str) -> bool:
    """Repaired text reads as report prose: Chinese and punctuation, mostly level-1 ideographs."""
    han = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if len(han) < p.MOJIBAKE_MIN_REPAIRED_HAN or not all(
        ch.isascii() or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text
    ):
        return False
    common = common_hanzi()
    return sum(ch in common for ch in han) / len(han) >= p.MOJIBAKE_MIN_COMMON_SHARE


# Cached: the same spans recur report after report (a Traditional text's words look like
# mojibake clusters too, and are tried at every slack), 93 % of tries in a batch repeat one.
@lru_cache(maxsize=1 << 16)
def _try(span: str) -> str | None:
    try:
        fixed = span.encode("gb18030").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    return fixed if fixed != span and _plausible(fixed) else None


@cache
def _dense_cluster_re() -> re.Pattern[str]:
    """A run of at least MIN_SUSPECTS suspect characters, each at most MAX_GAP characters after the
    one before. The repetition is greedy and every way through a run ends at its last suspect (the
    next one is always within reach before it), so a match is the whole run. One match per run,
    not one per suspect: a batch's 960,000 suspects were walked one by one in Python (0.66 s)."""
    s = suspect_class()
    return re.compile(f"(?s){s}(?:.{{0,{p.MOJIBAKE_MAX_GAP}}}{s}){{{p.MOJIBAKE_MIN_SUSPECTS - 1},}}")


def dense_clusters(text: str) -> list[tuple[int, int]]:
    """(start, end) of every run of suspect characters dense and long enough to be mojibake."""
    return [m.span() for m in _dense_cluster_re().finditer(text)]


def repair(text: str) -> str:
    """Text with every repairable GBK-read UTF-8 span turned back into what was written. A span is
    tried with a few characters of slack on each side, since its edges may be ordinary ideographs;
    the widest span that decodes wins."""
    pieces: list[str] = []
    done = 0
    for start, end in dense_clusters(text):
        if start < done:
            continue
        fixed = None
        slack = p.MOJIBAKE_EDGE_SLACK
        # Widest first: a prefix of a damaged span often decodes too, leaving its tail damaged.
        for left in range(max(done, start - slack), start + 1):
            for right in range(min(len(text), end + slack), end - 1, -1):
                fixed = _try(text[left:right])
                if fixed is not None:
                    pieces.extend([text[done:left], fixed])
                    done = right
                    break
            if fixed is not None:
                break
    pieces.append(text[done:])
    return "".join(pieces)


def garbled_spans(text: str) -> list[str]:
    """Spans that still look like mojibake after repair (with a little context), for GARBLED_TEXT."""
    return [text[max(0, start - 6) : end + 6] for start, end in dense_clusters(text)]
