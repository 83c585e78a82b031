"""Every rule of the catalogue through the real suites: a report (or pair of reports) that must
raise it, and a near-identical one that must not."""

from __future__ import annotations

import re

import duckdb
import pytest

from expectations.rules import RULES
from testkit.generator import FAULTS, Generated, twin_cases
from testkit.runs import run_pipeline

pytestmark = pytest.mark.slow  # materializes a case for every rule

CASES = twin_cases(seed=21)


@pytest.fixture(scope="module")
def judged_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    base = tmp_path_factory.mktemp("rules")
    inbox = base / "inbox"
    inbox.mkdir()
    for _, faulty, clean in CASES:
        for generated in (*faulty, *clean):
            (inbox / generated.name).write_bytes(generated.data)
    warehouse = base / "wh.duckdb"
    assert run_pipeline(inbox, warehouse).success
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        flagged: dict[str, set[str]] = {}
        messages: dict[str, list[str]] = {}
        for source_path, rule, message in con.execute(
            "SELECT r.source_path, f.rule, f.message FROM quality.flags AS f JOIN raw.reports AS r USING (report_id)"
        ).fetchall():
            flagged.setdefault(source_path, set()).add(rule)
            messages.setdefault(rule, []).append(message)
        return flagged, messages
    finally:
        con.close()


@pytest.fixture(scope="module")
def judged(judged_run: tuple[dict[str, set[str]], dict[str, list[str]]]) -> dict[str, set[str]]:
    return judged_run[0]


def test_every_rule_has_a_case() -> None:
    assert set(FAULTS) == {rule.code for rule in RULES}
    assert [rule for rule, _, _ in CASES] == list(FAULTS)


@pytest.mark.parametrize(("rule", "faulty", "clean"), CASES, ids=[rule for rule, _, _ in CASES])
def test_rule_raised_by_fault_and_silent_on_twin(
    judged: dict[str, set[str]], rule: str, faulty: list[Generated], clean: list[Generated]
) -> None:
    for generated in faulty:
        assert judged.get(generated.name, set()) == generated.expected_rules, generated.name
    assert any(rule in g.expected_rules for g in faulty)
    for generated in clean:
        assert judged.get(generated.name, set()) == set(), generated.name


def test_messages_state_the_numbers(judged_run: tuple[dict[str, set[str]], dict[str, list[str]]]) -> None:
    messages = judged_run[1]
    # The rule code stands in its own column: a message is the finding in words, not the code again.
    assert not any(m.startswith(rule) for rule, ms in messages.items() for m in ms)
    expected_shapes = {
        "T3_BALANCE": r"^位置:表三「自然人」列,「三、[^」]+」。发现:本年新收 \d+ \+ 上年结转 \d+ = \d+,"
        r"办理结果总计 \d+ \+ 结转下年度 \d+ = \d+,相差 -?\d+。应当:",
        "TEXT_TABLE_MISMATCH": r"发现:正文称\S+ \d+\(「[^」]+」\),表三「[^」]+」 为 \d+。",
        "PERCENT_MISMATCH": r"写 [\d.]+%,按 \d+/\d+ 计算为 [\d.]+%。应当:[\d.]+%",
        "PUBLISHED_LATE": r"^位置:发布日期。发现:发布于 \d{4}-\d{2}-\d{2}\(精确到日\),晚于 \d{4} 年度报告的法定期限 "
        r"\d{4}-01-31。应当:不晚于 \d{4}-01-31 发布。$",
        "CARRY_OVER_CONTINUITY": r"\d{4} 年度上年结转 \d+ 件,上一年度报告\(\w+\)结转下年度继续办理 \d+ 件",
        "INVALID_COUNT": r"^位置:表[二三四]「[^」]+」,「[^」]+」。发现:单元格的值为 -?[\d.]+,",
    }
    for rule, shape in expected_shapes.items():
        assert any(re.search(shape, m) for m in messages[rule]), (rule, messages[rule])


def test_every_message_says_where_what_and_what_was_expected(
    judged_run: tuple[dict[str, set[str]], dict[str, list[str]]],
) -> None:
    """Each message is `位置:…。发现:…。应当:…。`, every part filled from the row (no template field
    left unformatted, no fallback to the raw detail values), and a finding in a section of the
    text names that section."""
    messages = judged_run[1]
    assert set(messages) == {rule.code for rule in RULES}
    shape = re.compile(r"^位置:(?P<where>[^。]+)。发现:(?P<found>.+)。应当:(?P<expected>.+)。$")
    for rule, found in messages.items():
        for message in found:
            parts = shape.match(message)
            assert parts, (rule, message)
            assert "{" not in message and "=None" not in message, (rule, message)
    sentence_rules = ("PERCENT_MISMATCH", "PLAN_YEAR_MISMATCH", "PLACEHOLDER_FIGURE", "T3_BALANCE", "T4_SUM")
    for rule in sentence_rules:
        assert all(re.match(r"^位置:[^。]*「[一二三四五六七八九十]+、", m) for m in messages[rule]), (
            rule,
            messages[rule],
        )


def test_years_in_titles_and_document_numbers_are_not_plans() -> None:
    from transforms.figures import extract_plans

    text = (
        "根据《2019年政务公开工作要点》将各项任务分解落实。依照国办公开办函〔2019〕60号将表格调整。"
        "2019年,将乐县政务公开工作稳步推进。2020年,我们将继续加强公开。"
    )
    assert [(p["plan_year"], p["plan_word"]) for p in extract_plans("r", text)] == [(2020, "将")]


def test_continuity_matches_abbreviated_agency_names() -> None:
    import polars as pl

    from transforms.frames import continuity_frame

    reports = pl.DataFrame(
        {
            "report_id": ["a", "b"],
            "doc_type": ["annual_report"] * 2,
            "report_year": [2022, 2023],
            "agency": ["河东区政府办公室", "河东区人民政府办公室"],
        }
    )
    metrics = pl.DataFrame(
        {
            "report_id": ["a", "b"],
            "metric": ["t3.carried_forward.total", "t3.carried_over.total"],
            "value": [3.0, 2.0],
            "source": ["table", "table"],
        }
    )
    frame = continuity_frame(reports, metrics)
    assert frame.select("report_id", "previous_report_id", "carried_over", "previous_carried_forward").rows() == [
        ("b", "a", 2.0, 3.0)
    ]


def test_validation_chunks_join_batches_up_to_the_row_budget() -> None:
    """GX validates a frame in chunks gathered across batches: every row once, keys unique within
    a chunk and pointing back at the right row, a chunk cut as soon as it reaches the budget."""
    import polars as pl

    from expectations.suites import validation_chunks
    from transforms.frames import with_row_key

    def batch(first: int, n: int) -> dict[str, pl.DataFrame]:
        ids = [f"r{i:03d}" for i in range(first, first + n)]
        return {
            "cells": with_row_key(pl.DataFrame({"report_id": ids, "value": list(range(first, first + n))})),
            "reports": with_row_key(pl.DataFrame({"report_id": ids[:1]})),
            "unjudged": with_row_key(pl.DataFrame({"report_id": ids})),
        }

    chunks = list(validation_chunks([batch(0, 4), batch(4, 3), batch(7, 6), batch(13, 2)], 6, {"cells", "reports"}))
    assert [(name, frame.height) for name, frame in chunks] == [
        ("cells", 7),
        ("cells", 6),
        ("reports", 4),
        ("cells", 2),
    ]
    cells = [frame for name, frame in chunks if name == "cells"]
    assert pl.concat(cells)["value"].to_list() == list(range(15))
    for frame in cells:
        assert frame["row_key"].to_list() == list(range(frame.height))
        assert all(frame["report_id"].str.slice(1).cast(pl.Int64) == frame["value"])
