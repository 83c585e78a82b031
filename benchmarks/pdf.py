"""Throughput on PDF reports: the whole Dagster graph (raw → metrics → flags → marts) on N
generated PDFs, per stage, against a floor.

usage: python -m benchmarks.pdf N [SEED] [--workdir DIR]

1. Draws N generated reports as PDFs (testkit/documents.py: a third each ruled, unruled and set in
   two columns; 3–5 pages each) into DIR/pdf_inbox_N_SEED (kept for re-runs).
2. Floor: pypdfium2's bare text extraction of the same files (open, every page's text), in one
   process of its own: the least any reader built on it must do.
3. Materializes every asset and check into a fresh warehouse and prints per stage wall seconds,
   docs/s, MB/s, peak RSS, then the total's pages/s and reports/s and its ratio to the floor.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.scale import report, run
from testkit.documents import draw_pdf
from testkit.generator import generate

VARIANTS: tuple[dict[str, Any], ...] = ({}, {"ruled": False}, {"columns": 2})


def build_inbox(folder: Path, n: int, seed: int) -> tuple[int, int]:
    """Write n PDFs; returns (bytes, pages) written."""
    folder.mkdir(parents=True, exist_ok=True)
    size = pages = 0
    for index in range(n):
        drawn = draw_pdf(generate(index, "grid", None, seed=seed), **VARIANTS[index % len(VARIANTS)])  # type: ignore[arg-type]
        (folder / f"report_{seed}_{index:06d}.pdf").write_bytes(drawn.data)
        size += len(drawn.data)
        pages += drawn.page_count
    return size, pages


def floor(inbox: Path) -> float:
    """Seconds for pypdfium2 to open every file and take every page's text."""
    import pypdfium2 as pdfium

    started = time.perf_counter()
    for path in sorted(inbox.iterdir()):
        document = pdfium.PdfDocument(path.read_bytes())
        for page in document:
            page.get_textpage().get_text_range()
        document.close()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int)
    parser.add_argument("seed", type=int, nargs="?", default=1)
    parser.add_argument("--workdir", type=Path, default=Path("data/benchmarks"))
    args = parser.parse_args()
    inbox = args.workdir / f"pdf_inbox_{args.n}_{args.seed}"
    if inbox.exists():
        shutil.rmtree(inbox)
    started = time.perf_counter()
    size, pages = build_inbox(inbox, args.n, args.seed)
    print(f"drew {args.n} PDFs ({pages} pages, {size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        floor_seconds = pool.submit(floor, inbox).result()
    warehouse = args.workdir / f"pdf_{args.n}_{args.seed}.duckdb"
    warehouse.unlink(missing_ok=True)
    wall, stages, sampler = run(inbox, warehouse, batch_size=2000)
    report("PDF reports", args.n, size, wall, stages, sampler, floor_seconds)
    print(f"pages/s {pages / wall:.1f}  reports/s {args.n / wall:.1f}  (floor: {args.n / floor_seconds:.1f} reports/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
