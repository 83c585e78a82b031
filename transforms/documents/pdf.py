"""PDF reports: the text layer, page by page, with tables rebuilt from positions (pypdfium2; the
choice is measured in docs/libraries.md)."""

from __future__ import annotations

import re
import time

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from transforms.documents import layout
from transforms.documents.reading import PAGE_BREAK, DocumentText, Limits, Unreadable

MEDIA_TYPE = "application/pdf"
# A page of a report with a text layer holds hundreds of characters; a scan's page holds none (or
# a few from a stamp or a page number an application added).
MIN_CHARS_PER_PAGE = 20
_BLANKS = re.compile(r"\s")


def read_pdf(data: bytes, limits: Limits) -> DocumentText | Unreadable:
    """The PDF's text (pages parted by PAGE_BREAK) or why it cannot be read."""
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        return _open_error(err)
    try:
        page_count = len(document)
        if page_count == 0:
            return Unreadable("corrupt", "a PDF with no pages")
        if page_count > limits.max_pages:
            return Unreadable("too_large", f"{page_count} pages is over the {limits.max_pages}-page limit")
        started = time.monotonic()
        pages: list[str] = []
        chars = 0
        for index in range(page_count):
            if time.monotonic() - started > limits.seconds:
                return Unreadable("timeout", f"stopped after {index} of {page_count} pages: over {limits.seconds:g} s")
            text, count = _page_text(document, index)
            pages.append(text)
            chars += count
        if chars < MIN_CHARS_PER_PAGE * page_count:
            return Unreadable(
                "no_text_layer",
                f"{page_count}-page PDF with {chars} characters of text: a scan; OCR it into a PDF with a text layer",
            )
        return DocumentText(PAGE_BREAK.join(pages), MEDIA_TYPE, page_count)
    except pdfium.PdfiumError as err:
        return Unreadable("corrupt", f"PDF damaged: {err}")
    finally:
        document.close()


def _open_error(err: pdfium.PdfiumError) -> Unreadable:
    code = getattr(err, "err_code", None)
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        return Unreadable("encrypted", "password-protected PDF: save an unprotected copy")
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return Unreadable("encrypted", "PDF with an unsupported security handler: save an unprotected copy")
    return Unreadable("corrupt", f"not a readable PDF ({err}): fetch the file again")


def _page_text(document: pdfium.PdfDocument, index: int) -> tuple[str, int]:
    """(the page's text rebuilt from positions, how many characters its text layer holds)."""
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            count = textpage.count_chars()
            text = textpage.get_text_range(0, count) if count else ""
            if not layout.may_hold_table(text):  # prose only: pdfium's own order and lines do
                return layout.plain_text(text), count - len(_BLANKS.findall(text))
            glyphs = []
            box = pdfium_c.FS_RECTF()
            for position, char in enumerate(text[:count]):
                if not char.strip():
                    continue
                glyphs.append(layout.Glyph(*_glyph_box(textpage, position, box), char))
        finally:
            textpage.close()
        rules: list[layout.Rule] = []
        if glyphs:
            for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=2):
                rules.extend(layout.rules_of_box(*obj.get_bounds()))
        return layout.page_text(glyphs, rules), len(glyphs)
    finally:
        page.close()


def _glyph_box(
    textpage: pdfium.PdfTextPage, position: int, box: pdfium_c.FS_RECTF
) -> tuple[float, float, float, float]:
    """A character's box: the font's full line height (so that the characters of a line share
    their centre), unless pdfium's loose box is implausibly wide (it is, for some fonts' vertical
    text), when the ink's box is used. `box`: a struct reused for every character (pdfium's raw
    call into it is a third of the helper's cost, made once per character of every page)."""
    pdfium_c.FPDFText_GetLooseCharBox(textpage, position, box)
    left, bottom, right, top = box.left, box.bottom, box.right, box.top
    if (right - left) > 1.5 * (top - bottom) + 3:  # wider than a character is tall
        return textpage.get_charbox(position)
    return left, bottom, right, top
