"""Accuracy of the table reader and the prose metrics on generated reports, per layout and format.

usage: python -m benchmarks.table_accuracy [REPORTS_PER_COMBINATION] [SEED]
Runs the pure transforms (clean → tables, prose) on generated reports of every layout × format
(wrapped labels, rowspan/colspan HTML, glued rows) and prints, per combination: cell accuracy
(cells read right / cells in the report), precision (cells read right / cells read), cells
recovered from glued digits, prose-metric accuracy, and the ceiling: the share of cells the page
determines at all. A glued table-2 row has no arithmetic (no total, no column sums), so when its
digits can be cut into its cells in more than one way the issue's rule is to record them missing,
never to guess; the ceiling counts such rows' cells as undeterminable, by plain enumeration of
every cut (independent of the reader's own search). Also checks the bundled sample 001.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from itertools import combinations, pairwise
from pathlib import Path

import polars as pl

from testkit.generator import ALL_LAYOUTS, TEMPLATES, generate
from transforms.clean import clean_reports
from transforms.figures import extract_text_metrics
from transforms.tables import read_tables

SAMPLE_001 = Path(__file__).resolve().parent.parent / "samples" / "001_67c1420167c13949.txt"


def _clean(text: str, media_type: str) -> str:
    return clean_reports(pl.DataFrame({"report_id": ["r"], "media_type": [media_type], "text": [text]}))["text"][0]


def plain_cut_count(digits: str, parts: int, max_digits: int = 7) -> int:
    """How many ways `digits` cut into `parts` numbers (no leading zeros, at most `max_digits`
    digits each): every placement of the cuts, tried one by one."""
    count = 0
    for cut in combinations(range(1, len(digits)), parts - 1):
        bounds = (0, *cut, len(digits))
        pieces = [digits[a:b] for a, b in pairwise(bounds)]
        if all(len(p) <= max_digits and (p == "0" or not p.startswith("0")) for p in pieces):
            count += 1
    return count


def undeterminable_cells(truth: dict[str, float]) -> set[str]:
    """Cells of glued table-2 rows whose digit run has more than one cut (truth keys are
    t2.<row>.<column> in column order)."""
    rows: dict[str, list[str]] = defaultdict(list)
    for metric in truth:
        if metric.startswith("t2."):
            rows[metric.rsplit(".", 1)[0]].append(metric)
    return {
        metric
        for metrics in rows.values()
        if len(metrics) > 1 and plain_cut_count("".join(str(int(truth[m])) for m in metrics), len(metrics)) > 1
        for metric in metrics
    }


def measure(per_combination: int, seed: int) -> dict[tuple[str, str], dict[str, int]]:
    results: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for layout in ALL_LAYOUTS:
        for template in TEMPLATES:
            counts = results[(layout, template)]
            for index in range(per_combination):
                report = generate(index, layout, None, seed, template=template)
                media_type = "text/html" if layout == "html" else "text/plain"
                text = _clean(report.text, media_type)
                tables, cells = read_tables("r", text, layout == "html")
                got = {c["metric"]: c["value"] for c in cells}
                counts["cells"] += len(report.truth)
                undeterminable = undeterminable_cells(report.truth) if layout in ("glued", "flattened") else set()
                counts["undeterminable"] += len(undeterminable)
                counts["right_determinable"] += sum(
                    1 for k, v in report.truth.items() if k not in undeterminable and got.get(k) == v
                )
                counts["guessed"] += sum(1 for k in undeterminable if k in got)
                counts["read"] += len(got)
                counts["right"] += sum(1 for k, v in report.truth.items() if got.get(k) == v)
                counts["wrong"] += sum(1 for k, v in got.items() if report.truth.get(k) != v)
                counts["recovered"] += sum(int(t["cells_recovered"]) for t in tables)
                prose, _ = extract_text_metrics("r", text, [])
                stated = {m["metric"]: m["value"] for m in prose}
                counts["prose"] += len(report.prose_truth)
                counts["prose_right"] += sum(1 for k, v in report.prose_truth.items() if stated.get(k) == v)
    return results


def _ceiling(counts: dict[str, int]) -> float:
    return (counts["cells"] - counts["undeterminable"]) / counts["cells"]


def _of_determinable(counts: dict[str, int]) -> float:
    """Cells read right / cells the page determines."""
    return counts["right_determinable"] / (counts["cells"] - counts["undeterminable"])


def main() -> int:
    per_combination = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    results = measure(per_combination, seed)
    print(f"{per_combination} reports per layout × format, seed {seed}")
    print(
        f"{'layout':<9} {'format':<6} {'cells':>7} {'accuracy':>8} {'precision':>9} {'recovered':>9} {'prose':>7}"
        f" {'ceiling':>8} {'of determinable':>15}"
    )
    totals: dict[str, int] = defaultdict(int)
    for (layout, template), c in sorted(results.items()):
        for key, value in c.items():
            totals[key] += value
        print(
            f"{layout:<9} {template:<6} {c['cells']:>7} {c['right'] / c['cells']:>8.4f} "
            f"{(c['read'] - c['wrong']) / max(c['read'], 1):>9.4f} {c['recovered']:>9} "
            f"{c['prose_right'] / c['prose']:>7.4f} {_ceiling(c):>8.4f} {_of_determinable(c):>15.4f}"
        )
    print(
        f"{'all':<16} {totals['cells']:>7} {totals['right'] / totals['cells']:>8.4f} "
        f"{(totals['read'] - totals['wrong']) / max(totals['read'], 1):>9.4f} {totals['recovered']:>9} "
        f"{totals['prose_right'] / totals['prose']:>7.4f} {_ceiling(totals):>8.4f} {_of_determinable(totals):>15.4f}"
    )
    print(f"cells read where the page does not determine them (guesses): {totals['guessed']}")
    tables, _cells = read_tables("001", _clean(SAMPLE_001.read_text(encoding="utf-8"), "text/plain"))
    read = sum(int(t["cells_read"]) for t in tables)
    expected = sum(int(t["cells_expected"]) for t in tables)
    print(f"sample 001: {read}/{expected} cells read")
    return 0


if __name__ == "__main__":
    sys.exit(main())
