"""Raw stage: find the inbox's files, decide which become reports and why others cannot.

Pure functions: they read files and return Polars frames; they never touch the warehouse.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path

import polars as pl
from polars._typing import PolarsDataType

from transforms import documents

SUPPORTED_SUFFIXES: dict[str, str] = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
    ".shtml": "text/html",
}
# Files above this are rejected as `too_large` before being read: a report is at most a few MB of
# text, and a bounded read keeps memory flat whatever lands in the inbox.
MAX_BYTES = 20 * 1024 * 1024
# Magic numbers of binary formats that sometimes carry a .txt/.html name.
BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP container (DOCX/XLSX/ZIP)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an OLE document (DOC/XLS)"),
    (b"Rar!", "a RAR archive"),
    (b"\x1f\x8b", "a gzip archive"),
)
# Shares of a decoded text that make it not a report: control characters, replacement marks.
MAX_CONTROL_SHARE = 0.01
# C0 controls other than tab, newline, form feed and carriage return (counted by the regex engine,
# not a Python loop over every character: that loop was 60 % of reading a batch).
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
MAX_REPLACEMENT_SHARE = 0.02
# A decoding is "Chinese" when CJK ideographs make up at least this share of its letters.
MIN_CJK_SHARE = 0.3

REPORT_SCHEMA: dict[str, PolarsDataType] = {
    "report_id": pl.String,
    "source_path": pl.String,
    "byte_size": pl.Int64,
    "encoding": pl.String,
    "media_type": pl.String,
    "page_count": pl.Int32,
    "text": pl.String,
    "ingested_at": pl.Datetime("us"),
}
REJECTED_SCHEMA: dict[str, PolarsDataType] = {
    "source_path": pl.String,
    "byte_size": pl.Int64,
    "content_sha256": pl.String,
    "reason": pl.String,
    "detail": pl.String,
    "seen_at": pl.Datetime("us"),
    "mtime_ns": pl.Int64,
}
FILE_SCHEMA: dict[str, PolarsDataType] = {
    "source_path": pl.String,
    "report_id": pl.String,
    "byte_size": pl.Int64,
    "seen_at": pl.Datetime("us"),
    "mtime_ns": pl.Int64,
}
# Rejections that may pass on a retry although the file's size and mtime are unchanged.
TRANSIENT_REJECTIONS = ("unreadable", "broken_link")


@dataclass(frozen=True)
class InboxFile:
    source_path: str  # relative to the inbox, "/"-separated
    absolute_path: str
    byte_size: int
    problem: str | None = None  # set when the file cannot even be stat'ed or followed
    detail: str | None = None
    mtime_ns: int = 0  # from the same stat as byte_size: the sensor's fingerprint needs no second one


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """A folder, or a link to one (as os.walk decides); a link that loops is a file with a problem."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _inbox_entries(inbox: Path) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(path relative to the inbox, its directory entry) of every entry below `inbox` that is not
    a folder, in a stable order (a folder's entries by name, then its subfolders by name; linked
    folders are not entered). Paths are built by joining names, not `os.path.relpath` per file:
    that was most of listing a 100,000-file inbox (1.2 s), which a run does twice."""
    folders = [(str(inbox.resolve()), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:  # a folder that cannot be listed holds no file we could read
            continue
        subfolders: list[tuple[str, str]] = []
        for entry in entries:
            if _is_folder(entry):
                if not entry.is_symlink():  # a linked folder is not entered
                    subfolders.append((entry.path, f"{prefix}{entry.name}/"))
                continue
            name = entry.name
            if name.startswith(".") and name.endswith(".staging"):
                continue
            yield prefix + name, entry
        folders.extend(reversed(subfolders))  # depth first, in name order


def scan_inbox(inbox: Path) -> list[InboxFile]:
    """Every file below `inbox` with its size and mtime (`_inbox_entries`' order); links that loop
    or dangle and entries that are not regular files are kept, as problems."""
    found: list[InboxFile] = []
    for rel, entry in _inbox_entries(inbox):
        try:
            st = entry.stat()  # follows a file symlink; a loop or dangling link raises
        except OSError as err:
            reason = "broken_link" if entry.is_symlink() else "unreadable"
            found.append(InboxFile(rel, entry.path, 0, reason, f"cannot follow: {err.strerror}"))
            continue
        if not stat.S_ISREG(st.st_mode):
            found.append(InboxFile(rel, entry.path, 0, "unsupported_type", "not a regular file"))
            continue
        found.append(InboxFile(rel, entry.path, st.st_size, mtime_ns=st.st_mtime_ns))
    return found


def inbox_paths(inbox: Path) -> list[str]:
    """The paths `scan_inbox` lists, without a stat per file (the stats are most of a listing's time): what the
    inbox check needs to tell whether every file was recorded."""
    return [rel for rel, _ in _inbox_entries(inbox)]


def report_id_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


# Characters are counted by C-level calls (`map`; the length a regex `sub` of their runs removes),
# not a Python loop over each: those loops were most of deciding a GB18030/Big5 file's encoding.
_HAN = re.compile("[\u4e00-\u9fff]")
_HAN_RUN = re.compile("[\u4e00-\u9fff]+")
_COMMON = set("的一是在了和有政府信息公开年度报告工作情况申请本主动办理件条我区县市局")
_COMMON_RUN = re.compile(f"[{''.join(sorted(_COMMON))}]+")


def _count(run: re.Pattern[str], text: str) -> int:
    return len(text) - len(run.sub("", text))


def _cjk_share(text: str) -> float:
    letters = sum(map(str.isalpha, text))
    if not letters:
        return 0.0
    return _count(_HAN_RUN, text) / letters


def decode(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) for the bytes, or None when no supported encoding reads them as Chinese text.

    Decided by content: BOMs first, then strict UTF-8, then GB18030 and Big5 judged by how much of
    the result is common simplified/traditional text. A charset meta tag is never trusted.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig")  # the BOM is dropped from the text, kept in the name
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16")
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data)
    if mixed is not None:
        return mixed
    candidates: list[tuple[float, str, str]] = []
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_plausibility(text), encoding, text))
    if not candidates:
        return None
    score, encoding, text = max(candidates)
    if score < MIN_CJK_SHARE:
        return None
    return text, encoding


# UTF-16 without a BOM: Chinese text has NUL bytes where ASCII (digits, newlines) sits; with enough
# of them, both byte orders are tried and the one that reads as Chinese report text wins.
UTF16_MIN_NUL_SHARE = 0.05


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    sample = data[:65536]
    if len(sample) < 4 or sample.count(0) / len(sample) < UTF16_MIN_NUL_SHARE / 2:
        return None
    readings = []
    for encoding in ("utf-16-le", "utf-16-be"):
        decoded = _strict(data[: len(data) - len(data) % 2], encoding)
        if decoded is not None:
            readings.append((_plausibility(decoded[0]), decoded))
    if not readings:
        return None
    score, best = max(readings)
    return best if score >= MIN_CJK_SHARE else None


MIXED_ENCODING = "utf-8+gb18030"
# What "surrogateescape" decoding makes of a byte that is not UTF-8: a line is valid UTF-8 exactly
# when its escaped decoding has none (0x0A never belongs to a multi-byte sequence, so the lines
# are the same).
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _has_utf8_han_line(data: bytes) -> bool:
    """Whether some line of the file is valid UTF-8 with Chinese text: found with one C-level
    decoding, it spares most GB18030 and Big5 files the line-by-line trial decoding below."""
    lines = data.decode("utf-8", "surrogateescape").split("\n")
    return any(_HAN.search(line) is not None and _ESCAPED_BYTE.search(line) is None for line in lines)


def _decode_mixed(data: bytes) -> tuple[str, str] | None:
    """A file pasted together from UTF-8 and GBK pieces (a site template in one, the report in the
    other): decoded line by line, when both kinds of line carry Chinese text."""
    if not _has_utf8_han_line(data):  # then no UTF-8 line carries Chinese text: not mixed
        return None
    lines = data.split(b"\n")
    decoded: list[str] = []
    utf8_cjk = gbk_cjk = 0
    for line in lines:
        try:
            text = line.decode("utf-8")
            utf8_cjk += _HAN.search(text) is not None
        except UnicodeDecodeError:
            try:
                text = line.decode("gb18030")
            except UnicodeDecodeError:
                return None
            gbk_cjk += 1
        decoded.append(text)
    if utf8_cjk and gbk_cjk and _cjk_share("".join(decoded)) >= MIN_CJK_SHARE:
        return "\n".join(decoded), MIXED_ENCODING
    return None


def _plausibility(text: str) -> float:
    """Share of CJK among letters, boosted by common report characters (tells GB18030 from Big5)."""
    share = _cjk_share(text)
    sample = text[:20000]
    common = _count(_COMMON_RUN, sample) / max(1, len(sample))
    return share + 5 * common


def _strict(data: bytes, encoding: str) -> tuple[str, str] | None:
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        return None


def _binary_kind(head: bytes) -> str | None:
    for magic, what in BINARY_MAGIC:
        if head.startswith(magic):
            return what
    return None


# Block and table tags: a text with this many of them is a page's markup, wherever it starts.
_MARKUP = re.compile(r"<(?:table|tr|td|p|div)\b[^<>]{0,300}>", re.IGNORECASE)
MIN_MARKUP_TAGS = 10


def media_type_of(source_path: str, text: str) -> str:
    suffix = Path(source_path).suffix.lower()
    declared = SUPPORTED_SUFFIXES.get(suffix, "text/plain")
    head = text[:2000].lower()
    if declared == "text/plain" and (
        "<html" in head or "<!doctype html" in head or "<body" in head or _is_markup(text)
    ):
        return "text/html"  # a page saved as .txt (behind a crawl's header, or a bare fragment)
    return declared


def _is_markup(text: str) -> bool:
    """MIN_MARKUP_TAGS block or table tags anywhere; most texts hold no `<` and are passed at once."""
    return "<" in text and next(islice(_MARKUP.finditer(text), MIN_MARKUP_TAGS - 1, None), None) is not None


def classify_file(entry: InboxFile, known_ids: AbstractSet[str] = frozenset()) -> dict[str, object]:
    """Read one file and say what it is: a report, a duplicate of a known report, or a rejection."""
    if entry.problem:
        return {"kind": "rejected", "reason": entry.problem, "detail": entry.detail, "sha": None}
    suffix = Path(entry.source_path).suffix.lower()
    if entry.byte_size > MAX_BYTES:
        return {
            "kind": "rejected",
            "reason": "too_large",
            "sha": None,
            "detail": f"{entry.byte_size} bytes is over the {MAX_BYTES}-byte limit",
        }
    try:
        with open(entry.absolute_path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as err:
        return {"kind": "rejected", "reason": "unreadable", "detail": str(err.strerror), "sha": None}
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        return {
            "kind": "rejected",
            "reason": "empty",
            "sha": sha,
            "detail": "no bytes" if not data else "only whitespace",
        }
    kind = documents.document_kind(data, suffix)
    if kind is not None:
        return _read_document(data, sha, kind, known_ids)
    binary = _binary_kind(data[:8])
    if suffix in documents.UNREADABLE_FORMATS:
        return {
            "kind": "rejected",
            "reason": "unsupported_type",
            "sha": sha,
            "detail": documents.UNREADABLE_FORMATS[suffix],
        }
    if binary or suffix in (".zip", ".png", ".jpg", ".jpeg"):
        return {
            "kind": "rejected",
            "reason": "unsupported_type" if binary else "binary",
            "sha": sha,
            "detail": f"{binary or suffix + ' file'}: not a report format (text, HTML, PDF or DOCX)",
        }
    if suffix not in SUPPORTED_SUFFIXES and suffix:
        return {
            "kind": "rejected",
            "reason": "unsupported_type",
            "sha": sha,
            "detail": f"suffix {suffix!r} is not one of {sorted(SUPPORTED_SUFFIXES)}",
        }
    report_id = sha[:16]
    if report_id in known_ids:  # bytes already read as a report: nothing to decode again
        return {"kind": "duplicate", "report_id": report_id, "sha": sha}
    decoded = decode(data)
    # NUL bytes belong to UTF-16 text only (the decoder tells it by them); elsewhere they mean binary.
    if b"\x00" in data[:8192] and (decoded is None or not decoded[1].startswith("utf-16")):
        return {"kind": "rejected", "reason": "binary", "sha": sha, "detail": "NUL bytes in the first 8 KiB"}
    if decoded is None:
        return {
            "kind": "rejected",
            "reason": "undecodable",
            "sha": sha,
            "detail": "not UTF-8, UTF-16, GB18030 or Big5 Chinese text",
        }
    text, encoding = decoded
    controls = len(_CONTROL_CHARACTER.findall(text))
    if controls > MAX_CONTROL_SHARE * len(text):
        return {
            "kind": "rejected",
            "reason": "binary",
            "sha": sha,
            "detail": f"{controls} control characters in {len(text)}",
        }
    if text.count("\ufffd") > MAX_REPLACEMENT_SHARE * len(text):
        return {
            "kind": "rejected",
            "reason": "undecodable",
            "sha": sha,
            "detail": f"{text.count(chr(0xFFFD))} replacement characters",
        }
    return {
        "kind": "report",
        "report_id": report_id,
        "sha": sha,
        "encoding": encoding,
        "text": text,
        "media_type": media_type_of(entry.source_path, text),
        "page_count": None,
    }


# What raw.reports.encoding says of a document's text: the characters come from the format itself
# (a PDF's character maps, a DOCX's UTF-8 XML), not from decoding the file's bytes.
DOCUMENT_ENCODINGS = {"pdf": "pdf", "docx": "utf-8"}


def _read_document(data: bytes, sha: str, kind: str, known_ids: AbstractSet[str]) -> dict[str, object]:
    report_id = sha[:16]
    if report_id in known_ids:
        return {"kind": "duplicate", "report_id": report_id, "sha": sha}
    read = documents.read_document(data, kind)
    if isinstance(read, documents.Unreadable):
        return {"kind": "rejected", "reason": read.reason, "sha": sha, "detail": read.detail}
    return {
        "kind": "report",
        "report_id": report_id,
        "sha": sha,
        "encoding": DOCUMENT_ENCODINGS[kind],
        "text": read.text,
        "media_type": read.media_type,
        "page_count": read.page_count,
    }


def ingest(
    files: list[InboxFile], known_ids: frozenset[str], now: datetime
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(new reports, rejected files, file→report map) for the given inbox files.

    A file whose bytes equal a known or earlier report joins the file map only, so that every file
    is accounted for exactly once.
    """
    reports: list[dict[str, object]] = []
    rejected: list[dict[str, object]] = []
    file_map: list[dict[str, object]] = []
    seen = set(known_ids)
    for entry in files:
        result = classify_file(entry, seen)  # the set itself: a copy per file made a batch O(known ids)
        if result["kind"] == "rejected":
            rejected.append(
                {
                    "source_path": entry.source_path,
                    "byte_size": entry.byte_size,
                    "content_sha256": result["sha"],
                    "reason": result["reason"],
                    "detail": result["detail"],
                    "seen_at": now,
                    "mtime_ns": entry.mtime_ns,
                }
            )
            continue
        report_id = str(result["report_id"])
        file_map.append(
            {
                "source_path": entry.source_path,
                "report_id": report_id,
                "byte_size": entry.byte_size,
                "seen_at": now,
                "mtime_ns": entry.mtime_ns,
            }
        )
        if result["kind"] == "report":
            seen.add(report_id)
            reports.append(
                {
                    "report_id": report_id,
                    "source_path": entry.source_path,
                    "byte_size": entry.byte_size,
                    "encoding": result["encoding"],
                    "media_type": result["media_type"],
                    "page_count": result["page_count"],
                    "text": result["text"],
                    "ingested_at": now,
                }
            )
    return (
        pl.DataFrame(reports, schema=REPORT_SCHEMA),
        pl.DataFrame(rejected, schema=REJECTED_SCHEMA),
        pl.DataFrame(file_map, schema=FILE_SCHEMA),
    )


def inbox_fingerprint(inbox: Path) -> tuple[int, str]:
    """(file count, digest of every file's path, size and mtime): changes when a file arrives,
    changes or leaves, without reading any file. The inbox sensor compares it with its cursor."""
    digest = hashlib.sha256()
    entries = scan_inbox(inbox)
    for entry in entries:
        digest.update(f"{entry.source_path}\0{entry.byte_size}\0{entry.mtime_ns}\n".encode())
    return len(entries), digest.hexdigest()[:16]
