"""Accuracy of cleaning and report metadata on generated pages with website damage, and on the samples.

usage: python -m benchmarks.metadata_accuracy [N] [SEED]
Materializes the real Dagster graph on N noisy generated documents (testkit/noise.py) plus the five
bundled samples, then compares `raw.reports` and `cleaned.reports` with the known truth, field by
field, and checks that the damage is gone from the cleaned text. Prints one table per corpus and
every miss; exits 1 when a field is below its target.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import fields
from pathlib import Path
from typing import Any

import duckdb

from testkit.noise import LEFTOVERS, SAMPLE_TRUTH, MetaTruth, NoisyFile, noisy_corpus
from testkit.runs import SAMPLE_IDS, SAMPLES, run_pipeline

# Targets of the cleaning issue: region is the hardest (ambiguous county names).
TARGETS: dict[str, float] = {
    "doc_type": 0.99,
    "template": 0.99,
    "report_year": 0.99,
    "publish_date": 0.99,
    "agency": 0.99,
    "region": 0.97,
    "encoding": 0.99,
    "original_script": 0.99,
    "chrome_removed": 0.99,
}


def _observed(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    rows = con.execute(
        """SELECT r.source_path, r.encoding, c.doc_type, c.template, c.report_year, c.publish_date, c.agency,
                  c.province, c.city, c.county, c.original_script, c.text
           FROM raw.reports AS r JOIN cleaned.reports AS c USING (report_id)"""
    ).fetchall()
    names = ("encoding", "doc_type", "template", "report_year", "publish_date", "agency", "province", "city")
    out: dict[str, dict[str, Any]] = {}
    for path, *values in rows:
        record = dict(zip((*names, "county", "original_script", "text"), values, strict=True))
        out[path] = record
    return out


def compare(truth: MetaTruth, got: dict[str, Any] | None) -> dict[str, bool]:
    """Field → right or wrong, for one document (a document missing from the warehouse is wrong)."""
    if got is None:
        return dict.fromkeys(TARGETS, False)
    result = {
        f.name: getattr(truth, f.name) == got[f.name]
        for f in fields(truth)
        if f.name not in ("province", "city", "county")
    }
    result["region"] = (truth.province, truth.city, truth.county) == (got["province"], got["city"], got["county"])
    result["chrome_removed"] = not any(s in got["text"] for s in LEFTOVERS)
    return result


def measure(files: list[NoisyFile], with_samples: bool) -> tuple[dict[str, dict[str, float]], list[str], float]:
    with tempfile.TemporaryDirectory() as folder:
        inbox = Path(folder) / "inbox"
        inbox.mkdir()
        for f in files:
            (inbox / f.name).write_bytes(f.data)
        if with_samples:
            for name in SAMPLE_IDS.values():
                shutil.copy(SAMPLES / name, inbox / name)
        started = time.perf_counter()
        assert run_pipeline(inbox, Path(folder) / "wh.duckdb").success
        seconds = time.perf_counter() - started
        con = duckdb.connect(str(Path(folder) / "wh.duckdb"), read_only=True)
        observed = _observed(con)
        con.close()
    corpora: dict[str, list[tuple[str, MetaTruth, tuple[str, ...]]]] = {
        "generated": [(f.name, f.truth, f.noises) for f in files]
    }
    if with_samples:
        corpora["samples"] = [(SAMPLE_IDS[k], t, ()) for k, t in SAMPLE_TRUTH.items()]
    tables: dict[str, dict[str, float]] = {}
    misses: list[str] = []
    for corpus, items in corpora.items():
        right: Counter[str] = Counter()
        for name, truth, noises in items:
            got = observed.get(name)
            for field_name, ok in compare(truth, got).items():
                right[field_name] += ok
                if not ok:
                    seen = None if got is None else got.get(field_name, "(text)")
                    if field_name == "region" and got is not None:
                        seen = (got["province"], got["city"], got["county"])
                    wanted = (
                        (truth.province, truth.city, truth.county)
                        if field_name == "region"
                        else getattr(truth, field_name, "no leftovers")
                    )
                    misses.append(f"{corpus} {name} {field_name}: got {seen!r}, want {wanted!r}; noise {noises}")
        tables[corpus] = {name: right[name] / len(items) for name in TARGETS}
    return tables, misses, seconds


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    files = noisy_corpus(n, seed)
    tables, misses, seconds = measure(files, with_samples=True)
    for line in misses:
        print(line)
    noise_counts = Counter(noise.split(":")[0] for f in files for noise in f.noises)
    print(f"{n} generated documents (seed {seed}) + 5 samples, pipeline {seconds:.1f} s")
    print("noise kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(noise_counts.items())))
    print(f"{'field':<16} {'target':>6} " + " ".join(f"{c:>9}" for c in tables))
    failing = []
    for field_name, target in TARGETS.items():
        values = [tables[c][field_name] for c in tables]
        print(f"{field_name:<16} {target:>6.2f} " + " ".join(f"{v:>9.4f}" for v in values))
        if any(v < target for v in values):
            failing.append(field_name)
    if failing:
        print("below target: " + ", ".join(failing))
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
