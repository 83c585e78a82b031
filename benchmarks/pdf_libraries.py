"""PDF readers compared: how many of a report's figures the product reads from each one's text,
and how fast each reads.

usage: python -m benchmarks.pdf_libraries [GENERATED_PER_VARIANT]

Candidates (permissive licences only; PyMuPDF is AGPL):
- pypdfium2, bare: the text layer in pdfium's own order (`get_text_range`).
- pypdfium2 + positions: the product's reader (transforms/documents/pdf.py), tables rebuilt from
  character boxes and ruling lines.
- pdfplumber, text: `extract_text()` (pdfminer.six's layout analysis).
- pdfplumber, tables: `extract_tables()` from ruling lines, each row a tab-separated line, with
  the text outside the tables.

Each candidate's text goes through the same cleaning, table and prose readers; a figure counts as
read when it equals the truth. Corpus: the real PDF in ../shared/real/pdf (when present) and
generated reports drawn ruled, unruled and in two columns (testkit/documents.py).
"""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from testkit.documents import draw_pdf
from testkit.generator import generate
from transforms.documents import PAGE_BREAK, DocumentText, read_document
from transforms.figures import extract_text_metrics
from transforms.pipeline import clean_batch
from transforms.tables import read_tables

REAL_PDF = Path(__file__).resolve().parent.parent.parent / "shared" / "real" / "pdf"


def pdfium_bare(data: bytes) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    pages = []
    for page in document:
        textpage = page.get_textpage()
        pages.append(textpage.get_text_range().replace("\r\n", "\n"))
    return PAGE_BREAK.join(pages)


def pdfium_positions(data: bytes) -> str:
    read = read_document(data, "pdf")
    assert isinstance(read, DocumentText)
    return read.text


def pdfplumber_text(data: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return PAGE_BREAK.join(page.extract_text() or "" for page in pdf.pages)


def pdfplumber_tables(data: bytes) -> str:
    import pdfplumber

    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            tables = page.find_tables()
            outside = page
            for table in tables:
                outside = outside.outside_bbox(table.bbox)
            rows = [
                "\t".join((cell or "").replace("\n", "") for cell in row if cell)
                for table in tables
                for row in table.extract()
            ]
            pages.append("\n".join([outside.extract_text() or "", *rows]))
    return PAGE_BREAK.join(pages)


CANDIDATES: dict[str, Callable[[bytes], str]] = {
    "pypdfium2 bare": pdfium_bare,
    "pypdfium2 + positions": pdfium_positions,
    "pdfplumber text": pdfplumber_text,
    "pdfplumber tables": pdfplumber_tables,
}


def figures_read(text: str) -> dict[str, float | None]:
    """The figures the product reads from a PDF's text: table cells and prose metrics."""
    cleaned = clean_batch(pl.DataFrame({"report_id": ["r"], "media_type": ["application/pdf"], "text": [text]}))
    body = cleaned["text"][0]
    _, cells = read_tables("r", body)
    found: dict[str, float | None] = {str(c["metric"]): c["value"] for c in cells}  # type: ignore[misc]
    metrics, _ = extract_text_metrics("r", body, [])
    found.update({str(m["metric"]): m["value"] for m in metrics})  # type: ignore[misc]
    return found


def corpus(per_variant: int) -> list[tuple[str, bytes, dict[str, float]]]:
    documents: list[tuple[str, bytes, dict[str, float]]] = []
    if (REAL_PDF / "truth.jsonl").is_file():
        for line in (REAL_PDF / "truth.jsonl").read_text(encoding="utf-8").splitlines():
            truth = json.loads(line)
            documents.append(("real", (REAL_PDF / truth["file"]).read_bytes(), truth["metrics"]))
    for variant, options in (("ruled", {}), ("unruled", {"ruled": False}), ("two_columns", {"columns": 2})):
        for index in range(per_variant):
            generated = generate(index, "grid", None, seed=3)
            drawn = draw_pdf(generated, **options)  # type: ignore[arg-type]
            documents.append((variant, drawn.data, {**generated.truth, **generated.prose_truth}))
    return documents


def main() -> None:
    per_variant = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    documents = corpus(per_variant)
    kinds = sorted({kind for kind, _, _ in documents})
    print(f"{'candidate':24} " + " ".join(f"{kind:>12}" for kind in kinds) + f" {'ms/doc':>8}")
    for name, reader in CANDIDATES.items():
        right: dict[str, list[int]] = {kind: [0, 0] for kind in kinds}
        seconds = 0.0
        for kind, data, truth in documents:
            started = time.perf_counter()
            text = reader(data)
            seconds += time.perf_counter() - started
            found = figures_read(text)
            right[kind][0] += sum(found.get(metric) == value for metric, value in truth.items())
            right[kind][1] += len(truth)
        shares = " ".join(f"{right[kind][0] / right[kind][1]:12.3f}" for kind in kinds)
        print(f"{name:24} {shares} {1000 * seconds / len(documents):8.1f}")


if __name__ == "__main__":
    main()
