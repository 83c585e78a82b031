"""Word (.docx) reports: paragraphs and the document's own table cells, merged cells included
(python-docx opens the package; the body is walked in document order)."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import docx
from docx.oxml.ns import qn

from transforms.documents.reading import PAGE_BREAK, DocumentText, Limits, Unreadable

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_PAGES = re.compile(rb"<Pages>(\d+)</Pages>")
_PARAGRAPH, _TABLE = qn("w:p"), qn("w:tbl")
_TEXT, _TAB, _BREAK, _RENDERED_BREAK = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:lastRenderedPageBreak")
_TYPE, _VAL = qn("w:type"), qn("w:val")


def read_docx(data: bytes, limits: Limits) -> DocumentText | Unreadable:
    """The document's text (pages parted by PAGE_BREAK where Word marked them) or why not."""
    if data.startswith(_OLE_MAGIC):
        # An encrypted .docx is an OLE container holding the encrypted package.
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            return Unreadable("encrypted", "password-protected Word document: save an unprotected copy")
        return Unreadable("unsupported_type", "Word 97-2003 .doc named .docx: save it as .docx or PDF")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
            if unpacked > limits.max_unpacked_bytes:
                return Unreadable(
                    "too_large", f"unpacks to {unpacked} bytes, over the {limits.max_unpacked_bytes}-byte limit"
                )
            if "word/document.xml" not in package.namelist():
                return Unreadable("corrupt", "a ZIP without word/document.xml: not a Word document")
            app = package.read("docProps/app.xml") if "docProps/app.xml" in package.namelist() else b""
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        return Unreadable("corrupt", f"damaged Word document ({err.__class__.__name__}): fetch the file again")
    except Exception as err:  # lxml's parse errors and python-docx's own: the file is damaged
        return Unreadable("corrupt", f"damaged Word document ({err.__class__.__name__}): fetch the file again")
    pages: list[list[str]] = [[]]
    for element in document.element.body.iterchildren():
        if element.tag == _PARAGRAPH:
            text, breaks = _paragraph(element)
            for _ in range(breaks):
                pages.append([])
            pages[-1].append(text)
        elif element.tag == _TABLE:
            pages[-1].extend(_table_lines(element))
    stated = _PAGES.search(app)
    page_count = max(len(pages), int(stated.group(1))) if stated else len(pages)
    text = PAGE_BREAK.join("\n".join(lines) for lines in pages)
    return DocumentText(text, MEDIA_TYPE, page_count)


def _paragraph(element: Any) -> tuple[str, int]:
    """(the paragraph's text, page breaks Word placed before it)."""
    pieces: list[str] = []
    breaks = 0
    for node in element.iter(_TEXT, _TAB, _BREAK, _RENDERED_BREAK):
        if node.tag == _TEXT:
            pieces.append(node.text or "")
        elif node.tag == _TAB:
            pieces.append("\t")
        elif node.tag == _RENDERED_BREAK or node.get(_TYPE) == "page":
            if not "".join(pieces).strip():
                breaks = 1  # the paragraph starts the new page
        else:
            pieces.append("\n")
    return "".join(pieces), breaks


def _table_lines(table: Any) -> list[str]:
    """A line per table row, cells parted by tabs. A cell merged across columns counts once; a
    cell merged down over rows is read in its first row and heads the rows it spans, so its text is
    not repeated into every row."""
    lines: list[str] = []
    for row in table.iterchildren(qn("w:tr")):
        cells: list[str] = []
        for cell in row.iterchildren(qn("w:tc")):
            properties = cell.find(qn("w:tcPr"))
            merge = properties.find(qn("w:vMerge")) if properties is not None else None
            if merge is not None and merge.get(_VAL) in (None, "continue"):
                continue  # a continuation of the cell above
            text = "".join(_paragraph(p)[0] for p in cell.iterchildren(_PARAGRAPH))
            text = re.sub(r"\s+", "", text) if not re.search(r"[A-Za-z]\s+[A-Za-z]", text) else text.strip()
            if merge is not None and properties is not None and _spans_rows(cell):
                lines.append(text)  # a label over several rows: a heading line of its own
                continue
            cells.append(text)
        cells = [c for c in cells if c]
        if cells:
            lines.append("\t".join(cells))
    return lines


def _spans_rows(cell: Any) -> bool:
    """Whether a vMerge="restart" cell is continued in the next row (it spans rows)."""
    properties = cell.find(qn("w:tcPr"))
    merge = properties.find(qn("w:vMerge")) if properties is not None else None
    return merge is not None and merge.get(_VAL) == "restart"
