"""Review decisions and the year-over-year mart through the real graph: a decision file applied,
kept across re-runs and version bumps, a decision that cannot apply reported and kept; an
agency matched across the years its name changes form."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from testkit.generator import agency_of, generate
from testkit.runs import make_inbox, query_warehouse, run_pipeline
from warehouse import reviews
from warehouse.stages import metrics as metrics_stage

pytestmark = pytest.mark.slow  # runs the graph


def _report(warehouse: Path, sample: str) -> str:
    rows = query_warehouse(warehouse, "SELECT report_id FROM raw.reports WHERE source_path LIKE ?", [f"{sample}_%"])
    return str(rows[0][0])


def _overview(warehouse: Path, report_id: str) -> tuple:
    return query_warehouse(
        warehouse,
        "SELECT requests_new, errors, errors_open, reconciles FROM marts.report_overview WHERE report_id = ?",
        [report_id],
    )[0]


def test_decisions_apply_last_and_are_never_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = make_inbox(tmp_path / "inbox", with_bad_files=False)
    warehouse = tmp_path / "out" / "warehouse.duckdb"
    assert run_pipeline(inbox, warehouse).success
    placeholder = _report(warehouse, "001")  # table 3 read, a PLACEHOLDER_FIGURE error
    spam = query_warehouse(warehouse, "SELECT report_id FROM quality.flags WHERE rule = 'SPAM_INJECTED'")[0][0]
    assert _overview(warehouse, placeholder)[1:] == (1, 1, False)
    machine_value = _overview(warehouse, placeholder)[0]

    file = reviews.default_path(warehouse)
    decided = {"decided_by": "analyst", "decided_at": "2026-12-07T10:00:00"}
    for decision in (
        {"report_id": placeholder, "target": "PLACEHOLDER_FIGURE", "decision": "confirmed", **decided},
        # A later decision on the same flag is the one that counts.
        {
            "report_id": placeholder,
            "target": "PLACEHOLDER_FIGURE",
            "decision": "dismissed",
            "note": "XX is a footnote mark",
            "decided_by": "analyst",
            "decided_at": "2026-12-07T11:00:00",
        },
        {
            "report_id": placeholder,
            "target": "t3.new_received.total",
            "decision": "corrected",
            "corrected_value": "999",
            **decided,
        },
        {"report_id": spam, "target": "SPAM_INJECTED", "decision": "confirmed", **decided},
        {"report_id": "ffffffffffffffff", "target": "T4_SUM", "decision": "dismissed", **decided},
        {"report_id": spam, "target": "NO_SUCH_RULE", "decision": "dismissed", **decided},
        {"report_id": spam, "target": "SPAM_INJECTED", "decision": "maybe", **decided},
    ):
        reviews.append(file, decision)

    result = run_pipeline(inbox, warehouse)  # nothing new but the decisions
    assert result.success
    (marts_event,) = result.asset_materializations_for_node("marts")
    counts = {key: value.value for key, value in marts_event.metadata.items() if key.startswith("decisions.")}
    assert counts == {
        "decisions.applied": 3,
        "decisions.superseded": 1,
        "decisions.unknown_report": 1,
        "decisions.unknown_target": 1,
        "decisions.invalid": 1,
    }
    # The dismissed error no longer counts as open, nor against the reconciliation; the correction
    # stands beside the machine's value and the overview takes it.
    assert _overview(warehouse, placeholder) == (999, 1, 0, True)
    assert query_warehouse(
        warehouse,
        "SELECT source, value FROM metrics.report_metrics WHERE report_id = ? AND metric = 't3.new_received.total' "
        "ORDER BY source",
        [placeholder],
    ) == [("review", 999.0), ("table", machine_value)]
    assert query_warehouse(
        warehouse, "SELECT errors, errors_open FROM marts.report_overview WHERE report_id = ?", [spam]
    ) == [(1, 1)]  # confirmed: still open
    problems = dict(
        query_warehouse(
            warehouse,
            "SELECT status, problem FROM review.decisions WHERE status <> 'applied' AND status <> 'superseded'",
        )
    )
    assert set(problems) == {"unknown_report", "unknown_target", "invalid"}
    assert "ffffffffffffffff" in problems["unknown_report"]

    # A stage's code version bump re-derives its rows: the decisions still apply.
    monkeypatch.setattr(metrics_stage.STAGE, "version", f"{metrics_stage.STAGE.version}-changed")
    assert run_pipeline(inbox, warehouse).success
    assert _overview(warehouse, placeholder) == (999, 1, 0, True)

    # The file is the decisions' source: lines taken out of it are decisions taken back. The flag
    # counts as open again and the machine's value is the overview's.
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    file.write_text("".join(line for line in lines if placeholder not in line), encoding="utf-8")
    assert run_pipeline(inbox, warehouse).success
    assert _overview(warehouse, placeholder) == (machine_value, 1, 1, False)
    assert query_warehouse(warehouse, "SELECT count(*) FROM review.decisions WHERE report_id = ?", [placeholder]) == [
        (0,)
    ]
    assert query_warehouse(warehouse, "SELECT count(*) FROM review.decisions") == [(4,)]


def test_an_agency_is_followed_across_years_when_its_name_changes_form(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    agency, (_, city, _) = agency_of(7)
    older = generate(0, "grid", None, year=2023, agency_index=7)
    newer = generate(1, "grid", None, year=2024, agency_index=7)
    (inbox / "2023.txt").write_text(older.text, encoding="utf-8")
    # The next year's report names the body with its city in front.
    (inbox / "2024.txt").write_text(newer.text.replace(agency, city + agency), encoding="utf-8")
    warehouse = tmp_path / "yoy.duckdb"
    assert run_pipeline(inbox, warehouse).success
    rows = query_warehouse(
        warehouse,
        "SELECT agency, value, previous_value, change, change_ratio, previous_report_id IS NOT NULL "
        "FROM marts.year_over_year WHERE metric = 'requests_new' ORDER BY report_year",
    )
    new_2023 = older.truth["t3.new_received.total"]
    new_2024 = newer.truth["t3.new_received.total"]
    ratio = round((new_2024 - new_2023) / new_2023, 4) if new_2023 else None
    assert rows == [
        (agency, new_2023, None, None, None, False),
        (city + agency, new_2024, new_2023, new_2024 - new_2023, ratio, True),
    ]


def test_no_reviews_file_means_no_decisions(tmp_path: Path) -> None:
    inbox = make_inbox(tmp_path / "inbox", with_bad_files=False)
    shutil.rmtree(inbox / "bad", ignore_errors=True)
    warehouse = tmp_path / "w.duckdb"
    assert run_pipeline(inbox, warehouse).success
    assert query_warehouse(warehouse, "SELECT count(*) FROM review.decisions") == [(0,)]
    assert query_warehouse(
        warehouse, "SELECT count(*) FROM marts.report_overview WHERE errors_open <> errors OR warnings_open <> warnings"
    ) == [(0,)]
