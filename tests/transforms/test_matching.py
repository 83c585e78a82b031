"""Batch matching (transforms/matching.py): Polars finds a pattern's matches for a whole batch, and
they must be exactly the matches Python's `re.finditer` gives, text by text."""

from __future__ import annotations

import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms import catalog, patterns
from transforms.figures import FIGURE_RE, figure_matches
from transforms.matching import batch_matches, rust_pattern

# What figures are made of, and what sits around them: digits, Chinese numerals, qualifiers,
# units, placeholders, sentence marks, and other characters.
_ALPHABET = "0123456789.一二两三十百千万零〇近约逾超过余多件条次个项万人家批XxX×，。、\n 年第-/申请公开占%％)）"
_pieces = st.sampled_from(
    [*_ALPHABET, *catalog.FIGURE_UNITS, "超过", "约1", "XX件", "×××条", "2019年", "占总数的", "占比", "人次"]
)
texts = st.lists(st.lists(_pieces, max_size=40).map("".join), min_size=1, max_size=8)
# Shares (12件，占总数的40%) made of their parts, in any order, so that many texts hold some.
_share_pieces = st.sampled_from(
    [
        "12件",
        "3.5条",
        "7人次",
        "12件，占",
        "占",
        "占比",
        "占总数的",
        "40%",
        "7.25％",
        "占40%",
        "，",
        "）",
        " ",
        "\n",
        "\x1c",
        "9",
    ]
)
share_texts = st.lists(st.lists(_share_pieces, max_size=40).map("".join), min_size=1, max_size=8)


def _spans(matches: list[re.Match[str]]) -> list[tuple[int, int, dict[str, str | None]]]:
    return [(m.start(), m.end(), m.groupdict()) for m in matches]


@settings(max_examples=300, deadline=None)
@given(texts)
def test_figure_matches_are_finditer_s(batch: list[str]) -> None:
    found = figure_matches(pl.Series(batch, dtype=pl.String))
    assert [_spans(m) for m in found] == [_spans(list(FIGURE_RE.finditer(text))) for text in batch]


@settings(max_examples=300, deadline=None)
@given(share_texts)
def test_share_matches_are_finditer_s(batch: list[str]) -> None:
    compiled = re.compile(patterns.PERCENT_SHARE)
    found = batch_matches(pl.Series(batch, dtype=pl.String), patterns.PERCENT_SHARE, compiled)
    assert [_spans(m) for m in found] == [_spans(list(compiled.finditer(text))) for text in batch]


def test_figures_in_a_report_sentence() -> None:
    text = "本年度共受理申请近300件，答复约二十次，其中第3次为XX件；发布信息1,200条。"
    (found,) = figure_matches(pl.Series([text]))
    assert [(m.group("q1"), m.group("n"), m.group("unit")) for m in found] == [
        ("近", "300", "件"),
        ("约", "二十", "次"),
        (None, "3", "次"),
        (None, "XX", "件"),
        (None, "200", "条"),
    ]


def test_where_the_engines_disagree_python_decides() -> None:
    """A Rust pattern that finds other hits than the Python one (here: longer runs) must not leak
    into the result: the text is matched by Python alone."""
    compiled = re.compile(r"\d\d")
    (found,) = batch_matches(pl.Series(["a12345b67"]), r"\d+", compiled)
    assert [m.group(0) for m in found] == ["12", "34", "67"]


def test_a_space_only_python_calls_one_is_matched_too() -> None:
    """Python's \\s takes U+001C-U+001F (str.isspace), Rust's does not: a share Rust's engine
    missed would be lost unseen, so the Rust form must take them too."""
    compiled = re.compile(patterns.PERCENT_SHARE)
    text = "其中12件\x1c占40%，3件\x1f占10%。"
    (found,) = batch_matches(pl.Series([text]), patterns.PERCENT_SHARE, compiled)
    assert [m.group(0) for m in found] == ["12件\x1c占40%", "3件\x1f占10%"]


@pytest.mark.parametrize("escape", ["\\b", "\\B", "\\w", "\\W", "\\S"])
def test_escapes_the_engines_read_differently_are_refused(escape: str) -> None:
    with pytest.raises(ValueError, match="differs"):
        rust_pattern(f"a{escape}c")


def test_the_rust_form_keeps_classes_whole() -> None:
    assert rust_pattern(r"[\s,]x\s*[^\s]y[]z]") == r"[\s\x1c-\x1f,]x[\s\x1c-\x1f]*[^\s\x1c-\x1f]y[]z]"


def test_null_and_empty_texts_have_no_matches() -> None:
    assert figure_matches(pl.Series([None, "", "无"], dtype=pl.String)) == [[], [], []]
