"""Accuracy of PDF and DOCX reading on generated reports, per variant and table, through the real
Dagster graph.

usage: python -m benchmarks.document_accuracy [REPORTS_PER_VARIANT] [SEED]

Generated reports (the grid layout, without faults) are drawn as PDFs (ruled and unruled tables,
a page set in two columns, Traditional characters, table 3 across a page break) and as Word
documents with merged cells (testkit/documents.py); one inbox holds them all. Prints, per variant
and table (and the prose metrics the report states): figures read right / figures in the report,
figures read wrong, and the share of table-3
figures whose `page` is the page the row was drawn on.
"""

from __future__ import annotations

import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from testkit.documents import DrawnReport, draw_docx, draw_pdf
from testkit.generator import Generated, generate
from testkit.runs import query_warehouse, run_pipeline

VARIANTS: dict[str, tuple[str, Callable[[Generated], DrawnReport]]] = {
    "pdf_ruled": ("pdf", lambda g: draw_pdf(g)),
    "pdf_unruled": ("pdf", lambda g: draw_pdf(g, ruled=False)),
    "pdf_two_columns": ("pdf", lambda g: draw_pdf(g, columns=2)),
    "pdf_traditional": ("pdf", lambda g: draw_pdf(g, traditional=True)),
    "pdf_table_over_page_break": ("pdf", lambda g: draw_pdf(g, break_table_at=12)),
    "docx_merged_cells": ("docx", lambda g: draw_docx(g)),
}


def build_inbox(folder: Path, per_variant: int, seed: int) -> dict[str, tuple[str, Generated, DrawnReport]]:
    """Write the drawn reports; returns file name → (variant, generated report, drawing)."""
    written: dict[str, tuple[str, Generated, DrawnReport]] = {}
    for variant, (suffix, draw) in VARIANTS.items():
        for index in range(per_variant):
            generated = generate(index, "grid", None, seed=seed)
            drawn = draw(generated)
            name = f"{variant}_{index:03d}.{suffix}"
            (folder / name).write_bytes(drawn.data)
            written[name] = (variant, generated, drawn)
    return written


def measure(per_variant: int = 5, seed: int = 11) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        written = build_inbox(inbox, per_variant, seed)
        warehouse = Path(tmp) / "documents.duckdb"
        if not run_pipeline(inbox, warehouse).success:
            raise SystemExit("the run failed")
        rows = query_warehouse(
            warehouse,
            """SELECT f.source_path, m.metric, m.value, m.page, m.evidence FROM metrics.report_metrics AS m
            JOIN raw.report_files AS f USING (report_id)""",
        )
        rejected = query_warehouse(warehouse, "SELECT source_path, reason, detail FROM raw.rejected_files")
    if rejected:
        raise SystemExit(f"rejected: {rejected}")
    read: dict[str, dict[str, tuple[float | None, int | None, str]]] = defaultdict(dict)
    for path, metric, value, page, evidence in rows:
        read[path][metric] = (value, page, evidence)
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])  # right, wrong, expected
    pages: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, (variant, generated, drawn) in written.items():
        found = read.get(name, {})
        for metric, value in {**generated.truth, **generated.prose_truth}.items():
            table = metric.split(".")[0]
            counts = totals[(variant, table)]
            counts[2] += 1
            if metric in found:
                counts[0 if found[metric][0] == value else 1] += 1
            if table == "t3" and metric in found:
                evidence = found[metric][2]
                drawn_on = next((p for label, p in drawn.pages.items() if label and label in evidence), None)
                if drawn_on is not None:
                    pages[variant][0] += found[metric][1] == drawn_on
                    pages[variant][1] += 1
    result: dict[str, dict[str, float]] = {}
    for (variant, table), (right, wrong, expected) in sorted(totals.items()):
        result.setdefault(variant, {})[f"{table}_accuracy"] = right / expected
        result[variant][f"{table}_wrong"] = wrong
    for variant, (right, checked) in pages.items():
        result[variant]["t3_page_right"] = right / checked if checked else float("nan")
    return result


def main() -> None:
    per_variant = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 11
    result = measure(per_variant, seed)
    print(f"{'variant':28} {'t2':>7} {'t3':>7} {'t4':>7} {'prose':>7} {'wrong':>6} {'t3 page':>8}")
    for variant, figures in result.items():
        wrong = sum(int(v) for k, v in figures.items() if k.endswith("_wrong"))
        shares = [figures.get(f"{table}_accuracy", 0.0) for table in ("t2", "t3", "t4", "text")]
        page = figures.get("t3_page_right", float("nan"))
        print(f"{variant:28} " + " ".join(f"{share:7.3f}" for share in shares) + f" {wrong:6d} {page:8.3f}")


if __name__ == "__main__":
    main()
