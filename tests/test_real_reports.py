"""Real reports with hand-checked truth (`../shared/real`): the measure of the readers.

The fifteen pages of one district's 年报 column (2011–2025; most flattened by a crawl onto one
line), and one county's PDF report, are materialized through the real Dagster graph, and every
value of their truth is checked as `../shared/tools/score_real.py` scores it: a figure left
missing counts against the share read; a figure read wrong, a wrong document type, template,
year or date, and an error flag the truth does not list fail the test outright. Skipped where
`../shared` is not beside the clone.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from testkit.runs import ROOT, query_warehouse, run_pipeline

REAL = ROOT.parent / "shared" / "real"
MIN_FIGURES_READ = 0.99
# Error flags the product raises that the truth's `failing` list leaves out although the truth's
# own `other_checks` records the fault: (file, rule, what the truth itself says).
TRUTH_OMISSIONS = {
    ("pingtan-2020.txt", "T3_RESULTS_SUM"): "other_checks: outcome rows sum to 27 / 26, （七）总计 says 21 / 20",
}

pytestmark = [
    pytest.mark.slow,  # materializes the real pages
    pytest.mark.skipif(not (REAL / "truth.jsonl").is_file(), reason="../shared/real is not beside the clone"),
]


# Each corpus: its files' folder and its truth. The PDF (淮安市洪泽区, 2023) is read from a copy of its
# folder without the truth file beside it.
CORPORA = {"pages": (REAL / "reports", REAL / "truth.jsonl"), "pdf": (REAL / "pdf", REAL / "pdf" / "truth.jsonl")}


@pytest.fixture(scope="module", params=sorted(CORPORA))
def corpus(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def truth(corpus: str) -> list[dict]:
    lines = CORPORA[corpus][1].read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line]


@pytest.fixture(scope="module")
def real_warehouse(corpus: str, truth: list[dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    inbox = tmp_path_factory.mktemp(f"real_{corpus}_inbox")
    for t in truth:
        shutil.copy(CORPORA[corpus][0] / t["file"], inbox / t["file"])
    warehouse = tmp_path_factory.mktemp(f"real_{corpus}") / "real.duckdb"
    assert run_pipeline(inbox, warehouse).success
    return warehouse


def _by_file(warehouse: Path, sql: str) -> dict[str, list[tuple]]:
    rows: dict[str, list[tuple]] = {}
    for source_path, *rest in query_warehouse(warehouse, sql):
        rows.setdefault(source_path.rsplit("/", 1)[-1], []).append(tuple(rest))
    return rows


def test_every_real_file_is_a_report(real_warehouse: Path, truth: list[dict]) -> None:
    files = _by_file(real_warehouse, "SELECT source_path, report_id FROM raw.reports")
    assert sorted(files) == sorted(t["file"] for t in truth)
    assert query_warehouse(real_warehouse, "SELECT count(*) FROM raw.rejected_files") == [(0,)]


def test_metadata_matches_the_truth(real_warehouse: Path, truth: list[dict]) -> None:
    metadata = _by_file(
        real_warehouse,
        "SELECT r.source_path, c.doc_type, c.template, c.report_year, CAST(c.publish_date AS VARCHAR), c.agency "
        "FROM cleaned.reports AS c JOIN raw.reports AS r USING (report_id)",
    )
    wrong = []
    for t in truth:
        doc_type, template, year, published, agency = metadata[t["file"]][0]
        expected = {"doc_type": t["doc_type"], "template": t["template"], "report_year": t["report_year"]}
        got = {"doc_type": doc_type, "template": template, "report_year": year}
        if t["agency"] is not None:  # the truth names an agency only where the report names one
            expected["agency"], got["agency"] = t["agency"], agency
        wrong += [(t["file"], key, want, got[key]) for key, want in expected.items() if got[key] != want]
        if t["publish_date"] and not (published or "").startswith(t["publish_date"]):
            wrong.append((t["file"], "publish_date", t["publish_date"], published))
    assert wrong == []


def test_figures_are_read_and_none_is_wrong(real_warehouse: Path, truth: list[dict]) -> None:
    values = _by_file(
        real_warehouse,
        "SELECT r.source_path, m.metric, m.value, m.source FROM metrics.report_metrics AS m "
        "JOIN raw.reports AS r USING (report_id)",
    )
    expected = read = 0
    wrong, missing = [], []
    for t in truth:
        # As the scorer reads them: a text.* metric from the prose, any other from a table.
        got = {m: v for m, v, source in values.get(t["file"], []) if (source == "text") == m.startswith("text.")}
        for metric, value in t["metrics"].items():
            expected += 1
            if metric not in got:
                missing.append((t["file"], metric))
            elif abs(got[metric] - value) > 1e-6:
                wrong.append((t["file"], metric, value, got[metric]))
            else:
                read += 1
    assert wrong == []
    assert read / expected >= MIN_FIGURES_READ, missing


def test_no_false_error_flag(real_warehouse: Path, truth: list[dict]) -> None:
    errors = _by_file(
        real_warehouse,
        "SELECT r.source_path, f.rule FROM quality.flags AS f JOIN raw.reports AS r USING (report_id) "
        "WHERE f.severity = 'error'",
    )
    false_errors = sorted(
        {
            (t["file"], rule)
            for t in truth
            for (rule,) in errors.get(t["file"], [])
            if rule not in t["failing"] and (t["file"], rule) not in TRUTH_OMISSIONS
        }
    )
    assert false_errors == []
    raised = {(file, rule) for file, rows in errors.items() for (rule,) in rows}
    for t in truth:  # the errors the truth lists are raised
        assert {(t["file"], rule) for rule in t["failing"]} <= raised


def test_the_reports_that_reconcile_carry_no_table_error(real_warehouse: Path, truth: list[dict]) -> None:
    flags = _by_file(
        real_warehouse,
        "SELECT r.source_path, f.rule FROM quality.flags AS f JOIN raw.reports AS r USING (report_id) "
        "WHERE f.rule LIKE 'T3_%' OR f.rule LIKE 'T4_%'",
    )
    verdicts = {
        t["file"]: not {rule for (rule,) in flags.get(t["file"], []) if (t["file"], rule) not in TRUTH_OMISSIONS}
        for t in truth
        if t["reconciles"] is not None
    }
    assert verdicts == {t["file"]: t["reconciles"] for t in truth if t["reconciles"] is not None}


def test_figures_name_the_page_they_stand_on(corpus: str, real_warehouse: Path) -> None:
    if corpus != "pdf":  # a web page has no pages
        assert query_warehouse(real_warehouse, "SELECT count(page) FROM metrics.report_metrics") == [(0,)]
        return
    pages = dict(query_warehouse(real_warehouse, "SELECT metric, page FROM metrics.report_metrics"))
    # As the PDF prints them: the proactive total on page 1, table 2 over pages 2-3, table 3 over
    # pages 3-4, table 4 on page 4, the fee on page 5.
    assert pages["text.proactive_items"] == 1
    assert (pages["t2.administrative_licensing.decisions"], pages["t2.administrative_penalty.decisions"]) == (2, 3)
    assert (pages["t3.new_received.total"], pages["t3.results_total.total"]) == (3, 4)
    assert pages["t4.litigation_after_reconsideration.upheld"] == 4
    assert pages["text.fees_yuan"] == 5
