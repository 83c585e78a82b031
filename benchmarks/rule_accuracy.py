"""Precision and recall of every rule on generated reports with faults injected at known places.

usage: python -m benchmarks.rule_accuracy [N] [SEED]
Materializes the real Dagster graph on about N generated files (half with one fault of a random
kind, every rule of the catalogue among them), then compares quality.flags with the truth.
Exits 1 if any rule is below 0.98 precision or recall.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import duckdb

from expectations.rules import RULES
from testkit.generator import random_corpus
from testkit.runs import run_pipeline

TARGET = 0.98


def measure(n: int, seed: int) -> tuple[dict[str, tuple[int, int, int]], int, float]:
    files = random_corpus(n, seed=seed)
    with tempfile.TemporaryDirectory() as folder:
        inbox = Path(folder) / "inbox"
        inbox.mkdir()
        for generated in files:
            (inbox / generated.name).write_bytes(generated.data)
        started = time.perf_counter()
        assert run_pipeline(inbox, Path(folder) / "wh.duckdb").success
        seconds = time.perf_counter() - started
        con = duckdb.connect(str(Path(folder) / "wh.duckdb"), read_only=True)
        flagged = Counter(
            (path, rule)
            for path, rule in con.execute(
                "SELECT DISTINCT r.source_path, f.rule FROM quality.flags AS f JOIN raw.reports AS r USING (report_id)"
            ).fetchall()
        )
        con.close()
    truth = {(g.name, rule) for g in files for rule in g.expected_rules}
    found = set(flagged)
    counts: dict[str, tuple[int, int, int]] = {}
    for rule in (r.code for r in RULES):
        tp = sum(1 for key in found & truth if key[1] == rule)
        fp = sum(1 for key in found - truth if key[1] == rule)
        fn = sum(1 for key in truth - found if key[1] == rule)
        counts[rule] = (tp, fp, fn)
    for path, rule in sorted((found - truth) | (truth - found)):
        kind = "false positive" if (path, rule) in found else "missed"
        print(f"{kind}: {rule} {path}")
    return counts, len(files), seconds


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    counts, files, seconds = measure(n, seed)
    print(f"{files} generated files, seed {seed}, pipeline {seconds:.1f} s")
    print(f"{'rule':<28} {'TP':>5} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7}")
    failing = []
    for rule, (tp, fp, fn) in counts.items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"{rule:<28} {tp:>5} {fp:>4} {fn:>4} {precision:>9.3f} {recall:>7.3f}")
        if precision < TARGET or recall < TARGET or tp == 0:
            failing.append(rule)
    if failing:
        print("below target or never exercised: " + ", ".join(failing))
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
