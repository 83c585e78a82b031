"""Metrics stage: figures in the prose, the catalogue's `text.*` metrics, forward-looking plans.

Every number followed by a unit becomes a row of `metrics.figures` with its sentence; the
catalogue's prose metrics are recognised from their phrasings and keep their evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache

import polars as pl
from polars._typing import PolarsDataType

from transforms import catalog
from transforms import patterns as p
from transforms.matching import batch_matches, rust_pattern
from transforms.segment import section_at

FIGURE_SCHEMA: dict[str, PolarsDataType] = {
    "report_id": pl.String,
    "section_no": pl.Int32,
    "value": pl.Float64,
    "unit": pl.String,
    "qualifier": pl.String,
    "sentence": pl.String,
    "start_char": pl.Int32,
    "metric": pl.String,
}
METRIC_SCHEMA: dict[str, PolarsDataType] = {
    "report_id": pl.String,
    "metric": pl.String,
    "value": pl.Float64,
    "unit": pl.String,
    "qualifier": pl.String,
    "source": pl.String,
    "section_no": pl.Int32,
    "evidence": pl.String,
    "start_char": pl.Int32,
}
PLAN_SCHEMA: dict[str, PolarsDataType] = {
    "report_id": pl.String,
    "plan_year": pl.Int32,
    "plan_word": pl.String,
    "sentence": pl.String,
    "start_char": pl.Int32,
}

FIGURE_RE = re.compile(catalog.FIGURE_PATTERN)
_PLACEHOLDER = re.compile(catalog.PLACEHOLDER_VALUE)
_SENTENCE_BREAKS = "。；;！？!?\n"
_SENTENCE_BREAK = re.compile("[" + re.escape(_SENTENCE_BREAKS) + "]")
_QUOTED = re.compile(p.QUOTED_SPANS)
_PLAN = re.compile(p.PLAN_STATEMENT)
_TEXT_METRICS = [
    (
        tm,
        [re.compile(x) for x in tm.patterns],
        [re.compile(x) for x in tm.zero_patterns],
        frozenset((*tm.patterns, *tm.zero_patterns)),
    )
    for tm in catalog.TEXT_METRICS
]
# Every text-metric phrasing (figure and zero), in one list: `possible_phrasings` tells, for a whole
# batch in one Polars pass per phrasing, which of them a text can hold at all, so that Python's
# engine (which tries a pattern at every position of a text) searches only where one does.
_PHRASINGS: list[str] = [x for tm in catalog.TEXT_METRICS for x in (*tm.patterns, *tm.zero_patterns)]
_CUES = {
    tm.code: (
        re.compile(tm.total_cues) if tm.total_cues else None,
        re.compile(tm.part_cues) if tm.part_cues else None,
        re.compile(tm.foreign_sentence) if tm.foreign_sentence else None,
    )
    for tm in catalog.TEXT_METRICS
}
_CUE_CHARS_BEFORE = 8  # how far before a phrasing its scope words (全区, 各乡镇, 其他) may stand


def _stated_figure(tm: catalog.TextMetric, patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    """The match that states `tm`'s quantity: the first match of the first pattern that has one,
    unless the metric declares scope cues; then every match is ranked (a whole before an unmarked
    figure before a share) and the first of the best rank is taken. Matches in a sentence about
    something else (`foreign_sentence`) are skipped."""
    total_cues, part_cues, foreign = _CUES[tm.code]
    if total_cues is None and part_cues is None:
        for pattern in patterns:
            for found in pattern.finditer(text):
                if foreign is None or not foreign.search(sentence_around(text, found.start(), found.end())):
                    return found
        return None
    ranked: list[tuple[int, int, re.Match[str]]] = []
    for pattern in patterns:
        for found in pattern.finditer(text):
            line_start = text.rfind("\n", 0, found.start()) + 1
            before = text[max(line_start, found.start() - _CUE_CHARS_BEFORE) : found.start("n")]
            if part_cues is not None and part_cues.search(before):
                rank = 0
            elif total_cues is not None and total_cues.search(before):
                rank = 2
            else:
                rank = 1
            ranked.append((-rank, found.start(), found))
    ranked.sort(key=lambda item: item[:2])
    for _, _, found in ranked:  # the best that is not about something else
        if foreign is None or not foreign.search(sentence_around(text, found.start(), found.end())):
            return found
    return None


EVIDENCE_CHARS = 200


@lru_cache(maxsize=4)
def _reversed(text: str) -> str:
    """The text backwards, for searching back from a position. Cached for the few texts in use: a
    report's figures are read one after another (a hit costs a lookup by the string's own hash)."""
    return text[::-1]


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end] (at most EVIDENCE_CHARS around its middle). Its ends
    are found by C-level searches, the start by one search forward in the reversed text (half the time
    of one `rfind` per sentence mark)."""
    back = _SENTENCE_BREAK.search(_reversed(text), len(text) - start)
    left = len(text) - back.start() if back else 0  # just after the last mark before `start`
    found = _SENTENCE_BREAK.search(text, end)
    right = found.start() if found else len(text)
    if right < len(text) and text[right] != "\n":  # the sentence keeps its closing mark
        right += 1
    sentence = text[left:right].strip()
    if len(sentence) > EVIDENCE_CHARS:
        middle = (start + end) // 2 - left
        lo = max(0, middle - EVIDENCE_CHARS // 2)
        sentence = sentence[lo : lo + EVIDENCE_CHARS]
    return sentence


def number_value(raw: str) -> float | None:
    """An Arabic or Chinese numeral's value (cn2an for 三, 十二, 两百); None if it is no number."""
    try:
        return float(raw)
    except ValueError:
        return _chinese_numeral_value(raw)


@lru_cache(maxsize=4096)
def _chinese_numeral_value(raw: str) -> float | None:
    """Cached: a batch of 2,000 reports asks ≈ 4,000 times, for 14 distinct numerals (十二, 万),
    and cn2an validates its input with regexes on every call."""
    import cn2an  # maintained converter; imported only for the rare Chinese-numeral figure

    try:
        return float(cn2an.cn2an(raw, "smart"))
    except (ValueError, KeyError):
        return None


def _value(match: re.Match[str]) -> tuple[float | None, str]:
    raw = match.group("n")
    if _PLACEHOLDER.match(raw):
        return None, "placeholder"
    qualifier = "approx" if (match.group("q1") or match.group("q2")) else "exact"
    return number_value(raw), qualifier


def _not_a_figure(text: str, match: re.Match[str]) -> bool:
    """Ordinals (第三次), the article 一个, and digits glued to a longer number are no figures."""
    start = match.start("n")
    raw = match.group("n")
    if start > 0 and (text[start - 1].isdigit() or text[start - 1] in ".-/第"):
        return True
    if raw[0] in "零〇一二两三四五六七八九十百千万":
        if raw == "一" and match.group("unit") in ("个", "项", "次", "批", "家"):
            return True
        if start > 0 and text[start - 1] in "零〇一二两三四五六七八九十百千万":
            return True
    return number_value(raw) is None and not _PLACEHOLDER.match(raw)


def mask_quoted(text: str) -> str:
    """Blank out document titles and numbers (《…》, 〔2019〕60号) keeping offsets: a year there is a
    name, not a date the report states."""
    return _QUOTED.sub(lambda m: "□" * len(m.group(0)), text)


def possible_phrasings(texts: list[str]) -> list[frozenset[str]]:
    """For each text, the text-metric phrasings (pattern sources) that match somewhere in it."""
    series = pl.Series(texts, dtype=pl.String)
    hits = [series.str.contains(rust_pattern(source)).to_list() for source in _PHRASINGS]
    return [
        frozenset(source for source, hit in zip(_PHRASINGS, row, strict=True) if hit) for row in zip(*hits, strict=True)
    ]


def extract_text_metrics(
    report_id: str, text: str, sections: list[tuple[int, int, int]], possible: frozenset[str] | None = None
) -> tuple[list[dict[str, object]], dict[int, str]]:
    """The catalogue's prose metrics for one report, and which figure offsets they came from.
    `possible`: the phrasings that can match in the text (`possible_phrasings`), when known."""
    rows: list[dict[str, object]] = []
    figure_metric: dict[int, str] = {}
    for tm, all_patterns, all_zero_patterns, sources in _TEXT_METRICS:
        if possible is not None and possible.isdisjoint(sources):
            continue  # no phrasing of this metric is in the text
        patterns = all_patterns if possible is None else [x for x in all_patterns if x.pattern in possible]
        zero_patterns = (
            all_zero_patterns if possible is None else [x for x in all_zero_patterns if x.pattern in possible]
        )
        found = _stated_figure(tm, patterns, text)
        if found:
            value, qualifier = _value(found)
            figure_metric[found.start("n") if not found.group("q1") else found.start("q1")] = tm.code
            rows.append(
                {
                    "report_id": report_id,
                    "metric": tm.code,
                    "value": value,
                    "unit": tm.unit,
                    "qualifier": qualifier,
                    "source": "text",
                    "section_no": section_at(sections, found.start()),
                    "evidence": sentence_around(text, found.start(), found.end()),
                    "start_char": found.start(),
                }
            )
            continue
        for pattern in zero_patterns:
            zero = pattern.search(text)
            if zero:
                rows.append(
                    {
                        "report_id": report_id,
                        "metric": tm.code,
                        "value": 0.0,
                        "unit": tm.unit,
                        "qualifier": "exact",
                        "source": "text",
                        "section_no": section_at(sections, zero.start()),
                        "evidence": sentence_around(text, zero.start(), zero.end()),
                        "start_char": zero.start(),
                    }
                )
                break
    return rows, figure_metric


def extract_figures(
    report_id: str,
    text: str,
    sections: list[tuple[int, int, int]],
    figure_metric: dict[int, str],
    found: list[re.Match[str]] | None = None,
) -> list[dict[str, object]]:
    """Every figure (a number and its unit) in the text. `found`: the figure pattern's matches, when
    the caller has them for a whole batch (`figure_matches`)."""
    rows: list[dict[str, object]] = []
    for m in FIGURE_RE.finditer(text) if found is None else found:
        if _not_a_figure(text, m):
            continue
        value, qualifier = _value(m)
        rows.append(
            {
                "report_id": report_id,
                "section_no": section_at(sections, m.start()),
                "value": value,
                "unit": m.group("unit"),
                "qualifier": qualifier,
                "sentence": sentence_around(text, m.start(), m.end()),
                "start_char": m.start(),
                "metric": figure_metric.get(m.start()),
            }
        )
    return rows


@cache
def _place_names_starting_with_plan_words() -> tuple[str, ...]:
    """Place names that begin like a plan word (将乐县): there 将 means no "will"."""
    from transforms.metadata import gazetteer

    return tuple(d.name for d in gazetteer.divisions() if d.name.startswith(("将", "拟", "计划", "明年")))


def extract_plans(report_id: str, text: str) -> list[dict[str, object]]:
    masked = mask_quoted(text)
    places = _place_names_starting_with_plan_words()
    rows: list[dict[str, object]] = []
    position = 0
    while (m := _PLAN.search(masked, position)) is not None:
        position = m.start() + 1
        if masked.startswith(places, m.start(2)):
            # The plan word was a place name's first character: look again past it.
            masked = masked[: m.start(2)] + "□" + masked[m.start(2) + 1 :]
            position = m.start()
            continue
        rows.append(
            {
                "report_id": report_id,
                "plan_year": int(m.group(1)),
                "plan_word": m.group(2),
                "sentence": sentence_around(text, m.start(), m.end()),
                "start_char": m.start(),
            }
        )
        position = m.end()
    return rows


def figure_matches(texts: pl.Series | Sequence[str | None]) -> list[list[re.Match[str]]]:
    """The figure pattern's matches in each text, found for the whole batch at once."""
    return batch_matches(texts, catalog.FIGURE_BODY, FIGURE_RE)


def extract_prose(
    report_ids: list[str], texts: list[str], sections: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(text metrics, figures, plans) for a batch of reports and their texts, as the Python strings
    the caller takes from its frame once (turning 2,000 texts into strings costs 15-25 ms)."""
    spans: dict[str, list[tuple[int, int, int]]] = {}
    for report_id, section_no, start, end in sections.select(
        "report_id", "section_no", "start_char", "end_char"
    ).iter_rows():
        spans.setdefault(report_id, []).append((section_no, start, end))
    metric_rows: list[dict[str, object]] = []
    figure_rows: list[dict[str, object]] = []
    plan_rows: list[dict[str, object]] = []
    phrasings = possible_phrasings(texts)
    for report_id, text, found, possible in zip(report_ids, texts, figure_matches(texts), phrasings, strict=True):
        report_sections = spans.get(report_id, [])
        metrics, figure_metric = extract_text_metrics(report_id, text, report_sections, possible)
        metric_rows.extend(metrics)
        figure_rows.extend(extract_figures(report_id, text, report_sections, figure_metric, found))
        plan_rows.extend(extract_plans(report_id, text))
    return (
        pl.DataFrame(metric_rows, schema=METRIC_SCHEMA),
        pl.DataFrame(figure_rows, schema=FIGURE_SCHEMA),
        pl.DataFrame(plan_rows, schema=PLAN_SCHEMA),
    )
