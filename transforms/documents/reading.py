"""What reading a document gives: its text with the pages parted, or the reason it cannot be read."""

from __future__ import annotations

from dataclasses import dataclass

# Between two pages of a document's text (raw.reports.text): a form feed on a line of its own.
# Cleaning takes it out once it has noted where each page starts.
PAGE_BREAK = "\n\f\n"


@dataclass(frozen=True)
class DocumentText:
    text: str
    media_type: str
    page_count: int


@dataclass(frozen=True)
class Unreadable:
    reason: str  # a raw.rejected_files reason code
    detail: str


@dataclass(frozen=True)
class Limits:
    """What one document may cost before it is given up: a hostile file is recorded with its
    reason, never allowed to stall or exhaust the run."""

    max_pages: int = 500
    seconds: float = 30.0
    # Uncompressed size of a DOCX's parts (a ZIP bomb stops here).
    max_unpacked_bytes: int = 200 * 1024 * 1024
    # Memory the reader may take beyond what its process holds when it starts.
    max_memory_bytes: int = 1024 * 1024 * 1024
