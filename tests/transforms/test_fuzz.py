"""Fuzzing: reports built from the catalogue's parts with random noise, through clean → segment →
extract. No exception; every table figure comes from the source; cleaning is idempotent; noise
that cleaning removes does not change a single cell."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testkit.generator import LAYOUTS, generate
from transforms.clean import clean_reports
from transforms.figures import extract_prose
from transforms.segment import segment_reports
from transforms.tables import read_reports_tables

# Lines real pages insert between a report's lines, all of which cleaning removes.
REMOVABLE_NOISE = [
    "— 3 —",
    "- 12 -",
    "第 2 页 共 9 页",
    "【打印本页】【关闭窗口】",
    "欢迎访问河东区政府网站!",
    "扫一扫在手机打开当前页",
    "发布时间:2024-01-29 点击次数:",
]


def _pipeline(text: str, media_type: str) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    raw = pl.DataFrame({"report_id": ["r"], "media_type": [media_type], "text": [text]})
    cleaned = clean_reports(raw).with_columns(pl.lit(media_type == "text/html").alias("is_html"))
    sections = segment_reports(cleaned)
    tables, cells = read_reports_tables(cleaned)
    extract_prose(cleaned["report_id"].to_list(), cleaned["text"].to_list(), sections)
    return cleaned, tables, cells


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(0, 10_000),
    layout=st.sampled_from([x for x in LAYOUTS if x != "html"]),
    noise=st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(REMOVABLE_NOISE)), max_size=12),
)
def test_removable_noise_changes_no_cell(index: int, layout: str, noise: list[tuple[int, str]]) -> None:
    report = generate(index, layout, None, seed=11)
    lines = report.text.split("\n")
    for position, line in noise:
        lines.insert(position % (len(lines) + 1), line)
    text = "\n".join(lines)
    cleaned, _, cells = _pipeline(text, "text/plain")
    got = {m: v for m, v in zip(cells["metric"], cells["value"], strict=True)}
    assert got == report.truth
    assert (
        clean_reports(cleaned.select("report_id", pl.lit("text/plain").alias("media_type"), "text"))["text"][0]
        == cleaned["text"][0]
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(0, 10_000),
    layout=st.sampled_from(LAYOUTS),
    cuts=st.lists(st.tuples(st.integers(0, 20_000), st.integers(0, 300)), max_size=4),
    junk=st.lists(st.text(min_size=1, max_size=30), max_size=5),
)
def test_damaged_reports_never_crash_and_figures_come_from_the_text(
    index: int, layout: str, cuts: list[tuple[int, int]], junk: list[str]
) -> None:
    text = generate(index, layout, None, seed=5).text
    for start, length in cuts:  # truncate and tear the report
        start %= len(text) + 1
        text = text[:start] + text[start + length :]
    text += "\n".join(junk)
    cleaned, _, cells = _pipeline(text, "text/html" if layout == "html" else "text/plain")
    source = cleaned["text"][0]
    for value in cells["value"]:
        shown = f"{value:g}" if value != int(value) else str(int(value))
        assert shown in source
