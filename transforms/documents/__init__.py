"""Documents with a layout of their own (PDF, DOCX): their text, pages and tables, or why they
cannot be read. Pure functions of a file's bytes."""

from __future__ import annotations

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
    if data[:1024].lstrip().startswith(b"%PDF") or (suffix == ".pdf" and b"%PDF" in data[:1024]):
        return "pdf"
    if suffix == ".pdf":
        return "pdf"  # named a PDF without its header: the reader says how it is damaged
    if suffix == ".docx":
        return "docx"
    return None


def read_document(data: bytes, kind: str, limits: Limits | None = None) -> DocumentText | Unreadable:
    """A document's text, pages parted by PAGE_BREAK, or why it cannot be read."""
    limits = limits or Limits()
    if kind == "pdf":
        from transforms.documents.pdf import read_pdf

        return read_pdf(data, limits)
    from transforms.documents.docx import read_docx

    return read_docx(data, limits)


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
