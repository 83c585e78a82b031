"""Documents with a layout of their own (PDF, DOCX): their text, pages and tables, or why they
cannot be read. Pure functions of a file's bytes."""

from __future__ import annotations

from collections.abc import Callable

from transforms.documents.reading import PAGE_BREAK, DocumentText, Limits, Unreadable

# Formats that are read here, by suffix.
DOCUMENT_SUFFIXES: dict[str, str] = {".pdf": "pdf", ".docx": "docx"}
# Office formats that are not read, with what would make them readable.
UNREADABLE_FORMATS: dict[str, str] = {
    ".doc": "Word 97-2003 .doc: save it as .docx or PDF",
    ".wps": "WPS Writer .wps: save it as .docx or PDF",
    ".xls": "Excel 97-2003 .xls: not a report format; save the report as .docx or PDF",
    ".xlsx": "Excel .xlsx: not a report format; save the report as .docx or PDF",
    ".rtf": "Rich Text .rtf: save it as .docx or PDF",
    ".ofd": "OFD (the national fixed-layout format): export it as PDF",
}


def document_kind(data: bytes, suffix: str) -> str | None:
    """'pdf' or 'docx' when the bytes are such a document (a PDF is known by its header, whatever
    the file's name), else None."""
    if suffix == ".pdf" or data[:1024].lstrip().startswith(b"%PDF"):
        return "pdf"  # one named a PDF without its header too: the reader says how it is damaged
    if suffix == ".docx":
        return "docx"
    return None


def read_document(data: bytes, kind: str, limits: Limits | None = None) -> DocumentText | Unreadable:
    """A document's text, pages parted by PAGE_BREAK, or why it cannot be read: read in a child
    process held to the limits' time and memory (transforms/documents/guard.py)."""
    from transforms.documents.guard import read_isolated

    _reader(kind)  # imported here, once: a child imports nothing (it would for every document)
    return read_isolated(data, kind, limits or Limits(), read_in_process)


def read_in_process(data: bytes, kind: str, limits: Limits) -> DocumentText | Unreadable:
    """`read_document` without the child process: for a caller that isolates it already."""
    return _reader(kind)(data, limits)


def _reader(kind: str) -> Callable[[bytes, Limits], DocumentText | Unreadable]:
    """The reader of a kind of document, its library imported on first use (a run of web pages
    never loads pdfium or python-docx)."""
    if kind == "pdf":
        from transforms.documents.pdf import read_pdf

        return read_pdf
    from transforms.documents.docx import read_docx

    return read_docx


__all__ = [
    "DOCUMENT_SUFFIXES",
    "PAGE_BREAK",
    "UNREADABLE_FORMATS",
    "DocumentText",
    "Limits",
    "Unreadable",
    "document_kind",
    "read_document",
]
