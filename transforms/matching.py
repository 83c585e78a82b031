"""A pattern's matches in every text of a batch, found in one pass by Polars' regex engine and
then taken up by Python's `re` where they stand (for the groups and offsets the callers read).

Python's engine tries a pattern at every position of a text; Rust's scans with automata. The
figure pattern over 10,000 reports: 1.65 s with `re.finditer`, 0.10 s in Polars plus 0.08 s
re-matching its 99,000 hits. The Rust pattern must be the Python one without look-arounds that
only speed Python up (Rust's engine has none); where the two engines ever disagree on a text,
Python's `finditer` decides for that text.
"""

from __future__ import annotations

import re

import polars as pl


def batch_matches(texts: pl.Series, rust_pattern: str, compiled: re.Pattern[str]) -> list[list[re.Match[str]]]:
    """For each text, the matches `compiled.finditer(text)` would give."""
    found = texts.str.extract_all(rust_pattern).to_list()
    return [_taken_up(text, hits or [], compiled) for text, hits in zip(texts.to_list(), found, strict=True)]


def _taken_up(text: str | None, hits: list[str], compiled: re.Pattern[str]) -> list[re.Match[str]]:
    """Python's matches at the places of Polars' hits. Matches do not overlap and come in order, so
    each hit is the first occurrence of its text after the previous match (an earlier occurrence
    would have been matched first)."""
    if text is None:
        return []
    matches: list[re.Match[str]] = []
    position = 0
    for hit in hits:
        start = text.find(hit, position)
        match = compiled.match(text, start) if start >= 0 else None
        if match is None or match.group(0) != hit:
            return list(compiled.finditer(text))
        matches.append(match)
        position = match.end()
    return matches
