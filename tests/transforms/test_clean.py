"""Cleaning and metadata on pages with website and file damage, through the real Dagster graph.

One document per kind of damage (and one with all of them) is generated with its truth; each must
come out of `cleaned.reports` with exactly the truth's metadata, the damage gone from the text,
and the fix that undid it recorded. Damage that the bytes cannot undo is flagged, not hidden.
"""

from __future__ import annotations

import re
from dataclasses import replace

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testkit.generator import generate
from testkit.noise import ENCODINGS, LEFTOVERS, TEXT_NOISES, NoisyFile, noisy_report
from testkit.runs import run_pipeline
from transforms.clean import clean_reports
from transforms.ingest import decode

# The fix each kind of damage must leave in `fixes` (encodings and context noises leave none).
FIX_OF_NOISE: dict[str, set[str]] = {
    "site_header": {"web_chrome"},
    "navigation": {"web_chrome"},
    "print_bar": {"web_chrome"},
    "page_furniture": {"page_markers"},
    "hard_wraps": {"hard_wraps"},
    "cjk_spacing": {"cjk_spacing"},
    "fullwidth_digits": {"fullwidth_digits"},
    "traditional": {"opencc_t2s"},  # glosses too, unless the page is Big5 (no pinyin there)
    "mojibake_repairable": {"mojibake_repaired"},
}
LOST_BYTES_PHRASE = "本机关认真落实政务公开标准化规范化建设"


def _cases() -> list[NoisyFile]:
    cases: list[NoisyFile] = []
    # Index 0 of seed 5 is a 2021-format plain-text report: every line noise applies to it.
    for number, noise in enumerate(TEXT_NOISES):
        cases.append(_report_with(noise, number))
    cases.append(noisy_report(0, seed=5, noises=TEXT_NOISES))
    return cases


def _report_with(noise: str, number: int) -> NoisyFile:
    """The first generated annual report in plain text that takes this noise."""
    for index in range(number * 50, number * 50 + 50):
        f = noisy_report(index, seed=5, noises=(noise,))
        if f.truth.doc_type == "annual_report" and f.name.endswith(".txt") and noise in f.noises:
            f.name = f"{noise}_{f.name}"
            return f
    raise AssertionError(f"no generated report takes {noise}")


@pytest.fixture(scope="module")
def noisy_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[NoisyFile], dict[str, dict[str, object]]]:
    base = tmp_path_factory.mktemp("noisy")
    inbox = base / "inbox"
    inbox.mkdir()
    files = _cases()
    # Every encoding once more, on its own document.
    for number, encoding in enumerate(ENCODINGS):
        f = _report_with("print_bar", 40 + number)
        files.append(
            NoisyFile(
                f"enc_{encoding}_{f.name}",
                f.text.encode(encoding),
                replace(f.truth, encoding=encoding),
                f.noises,
                f.text,
            )
        )
    lossy = generate(7, "grid", None, seed=5)
    damaged = LOST_BYTES_PHRASE.encode("utf-8").decode("gb18030", errors="replace")
    lossy.text = lossy.text.replace("一、总体情况", f"一、总体情况\n\n{damaged}。", 1)
    (inbox / "lossy_mojibake.txt").write_text(lossy.text, encoding="utf-8")
    for f in files:
        (inbox / f.name).write_bytes(f.data)
    warehouse = base / "wh.duckdb"
    assert run_pipeline(inbox, warehouse).success
    con = duckdb.connect(str(warehouse), read_only=True)
    columns = [
        "encoding",
        "doc_type",
        "template",
        "report_year",
        "publish_date",
        "agency",
        "province",
        "city",
        "county",
        "original_script",
        "fixes",
        "text",
        "garbled_spans",
        "rules",
    ]
    rows = con.execute(
        """SELECT r.source_path, r.encoding, c.doc_type, c.template, c.report_year, c.publish_date, c.agency,
                  c.province, c.city, c.county, c.original_script, c.fixes, c.text, c.garbled_spans,
                  list(f.rule) FILTER (WHERE f.rule IS NOT NULL)
           FROM raw.reports AS r JOIN cleaned.reports AS c USING (report_id)
           LEFT JOIN quality.flags AS f USING (report_id)
           GROUP BY ALL"""
    ).fetchall()
    con.close()
    return files, {path: dict(zip(columns, values, strict=True)) for path, *values in rows}


def test_every_damaged_page_is_read(noisy_run) -> None:
    files, observed = noisy_run
    assert len(observed) == len(files) + 1
    for f in files:
        got = observed[f.name]
        truth = f.truth
        wanted = (
            truth.doc_type,
            truth.template,
            truth.report_year,
            truth.publish_date,
            truth.agency,
            truth.province,
            truth.city,
            truth.county,
            truth.encoding,
            truth.original_script,
        )
        seen = (
            got["doc_type"],
            got["template"],
            got["report_year"],
            got["publish_date"],
            got["agency"],
            got["province"],
            got["city"],
            got["county"],
            got["encoding"],
            got["original_script"],
        )
        assert seen == wanted, f"{f.name} {f.noises}"


def test_damage_is_gone_and_each_fix_recorded(noisy_run) -> None:
    files, observed = noisy_run
    for f in files:
        got = observed[f.name]
        text = str(got["text"])
        for leftover in LEFTOVERS:
            assert leftover not in text, f"{leftover!r} left in {f.name}"
        for noise in f.noises:
            assert FIX_OF_NOISE.get(noise, set()) <= set(got["fixes"]), f"{f.name}: {noise} not in {got['fixes']}"
        # Repairable damage raises nothing: no reconciliation, spam or garbling flag on these pages.
        assert not {"GARBLED_TEXT", "SPAM_INJECTED", "T3_BALANCE", "T3_COLUMN_SUM"} & set(got["rules"] or [])


def test_repaired_mojibake_reads_as_written(noisy_run) -> None:
    files, observed = noisy_run
    mojibake = next(f for f in files if f.noises[0] == "mojibake_repairable")
    got = observed[mojibake.name]
    assert "mojibake_repaired" in got["fixes"] and got["garbled_spans"] == 0
    first_line = str(got["text"]).split("一、总体情况")[1].strip().split("\n")[0]
    assert re.fullmatch(r"(我办|本机关|我局)[\u4e00-\u9fff]+。", first_line), first_line


def test_lost_bytes_are_flagged_with_the_span(noisy_run) -> None:
    _, observed = noisy_run
    got = observed["lossy_mojibake.txt"]
    assert got["garbled_spans"] >= 1
    assert "GARBLED_TEXT" in got["rules"]
    assert "mojibake_repaired" not in got["fixes"]


def test_a_county_name_shared_by_cities_is_placed_by_its_phone_number(noisy_run) -> None:
    files, observed = noisy_run
    placed = next(f for f in files if f.noises[0] == "area_code_only")
    got = observed[placed.name]
    assert placed.truth.city not in placed.text  # only the area code says which city
    assert (got["province"], got["city"], got["county"]) == (
        placed.truth.province,
        placed.truth.city,
        placed.truth.county,
    )


def test_utf16_without_bom_and_big5_by_content() -> None:
    text = "河东区人民政府办公室2023年政府信息公开工作年度报告\n本年新收申请33件。"
    assert decode(text.encode("utf-16-le")) == (text, "utf-16-le")
    assert decode(text.encode("utf-16-be")) == (text, "utf-16-be")
    # A page that says it is UTF-8 in its meta tag but is GB18030: the bytes decide.
    page = f"<meta charset='utf-8'><p>{text}</p>"
    assert decode(page.encode("gb18030")) == (page, "gb18030")


FIGURE = re.compile(r"(?<![\d.])\d+(?:件|条|篇|场|期)")
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _clean(text: str) -> str:
    frame = pl.DataFrame({"report_id": ["r"], "media_type": ["text/plain"], "text": [text]})
    return str(clean_reports(frame)["text"][0])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, 5000), layout=st.sampled_from(["flat", "grid", "markdown"]))
def test_clean_simplified_reports_come_out_unchanged(index: int, layout: str) -> None:
    text = generate(index, layout, None, seed=9).text
    # The documented normalisations that apply to clean text: markdown alignment rows (|---|) are
    # dropped with the page's other layout residue, figures lose their thousands separators, and
    # runs of blank lines become one.
    expected = re.sub(r"(?m)^\|(\s*:?-{3,}:?\s*\|)+\s*\n", "", text)
    expected = re.sub(r"(?<![\d,.])(\d{1,3}),(\d{3})(?![\d,])", r"\1\2", expected)
    assert _clean(text) == re.sub(r"\n{3,}", "\n\n", expected).strip()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(0, 5000), noises=st.sets(st.sampled_from(TEXT_NOISES), max_size=6))
def test_noisy_pages_clean_idempotently_and_keep_every_figure(index: int, noises: set[str]) -> None:
    page = noisy_report(index, seed=11, noises=tuple(sorted(noises)))
    decoded = decode(page.data)
    assert decoded is not None
    if page.name.endswith(".html"):
        return  # HTML goes through the parser first; this property is about the text passes
    once = _clean(decoded[0])
    assert _clean(once) == once
    if "traditional" not in noises and "area_code_only" not in noises:
        # The page's own figures, written as cleaning normalises them (ASCII digits, no spaces).
        page_figures = FIGURE.findall(page.text.translate(FULLWIDTH_DIGITS).replace(" ", ""))
        assert sorted(FIGURE.findall(once)) == sorted(page_figures)


# Lines that sit on either side of the prefilters' edges: lengths around the 22-character wrap
# threshold, tabs, leading and trailing blanks (ASCII, ideographic, control), icons, listings.
_BLANKS = st.sampled_from(["", " ", "\t", "\u3000", "\x1c", " \t"])
_LINE = st.builds(
    lambda lead, body, last, trail: lead + body + last + trail,
    _BLANKS,
    st.integers(17, 26).flatmap(lambda n: st.text(alphabet="中文，a1 ", min_size=n, max_size=n)),
    st.sampled_from(["中", "。", "1", "□", "📁"]),
    _BLANKS,
)
_LINES = st.lists(
    st.one_of(
        _LINE, _BLANKS, st.sampled_from(["名称  发文机构  发布日期", " 名称 发布机构 成文日期 ", "通知 2020-01-02"])
    ),
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(lines=_LINES)
def test_line_walkers_change_nothing_their_prefilter_lets_through(lines: list[str]) -> None:
    """The cleaner calls the per-line walkers only on texts their regex prefilter picks out, so a
    text the prefilter misses must be one the walker would leave as it is."""
    from transforms.clean import HARD_WRAP_SUSPECT, NAVIGATION_SUSPECT, join_hard_wraps, strip_navigation

    text = "\n".join(lines)
    texts = pl.Series([text])
    if not texts.str.contains(HARD_WRAP_SUSPECT)[0]:
        assert join_hard_wraps(text) == text
    if not texts.str.contains(NAVIGATION_SUSPECT)[0]:
        assert strip_navigation(text) == text


def _clusters_one_suspect_at_a_time(text: str) -> list[tuple[int, int]]:
    """The definition, walked suspect by suspect: runs of suspects at most MAX_GAP apart, kept when
    they hold at least MIN_SUSPECTS of them."""
    from transforms import patterns as p
    from transforms.clean import mojibake

    runs: list[tuple[int, int, int]] = []
    for m in re.finditer(mojibake.suspect_class(), text):
        if runs and m.start() - runs[-1][1] <= p.MOJIBAKE_MAX_GAP:
            runs[-1] = (runs[-1][0], m.end(), runs[-1][2] + 1)
        else:
            runs.append((m.start(), m.end(), 1))
    return [(start, end) for start, end, count in runs if count >= p.MOJIBAKE_MIN_SUSPECTS]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["鍙", "戝", "竷", "ǘ", "┩", "\ufffd", "的", "年", "a", " ", "\n"]), max_size=60))
def test_dense_suspect_runs_are_found_whole(pieces: list[str]) -> None:
    from transforms.clean.mojibake import dense_clusters

    text = "".join(pieces)
    assert dense_clusters(text) == _clusters_one_suspect_at_a_time(text)
