"""Reading documents in a helper process held to limits on time and memory: a hostile file (a
content stream that never ends, a page that inflates to gigabytes, a reader that crashes on it)
costs that helper, never the run. The helper is forked once per process that reads documents
(it shares the parent's imports) and reads one document after another; one that is killed or
dies is replaced for the next document. (A fork per document cost more than reading it: its
copy-on-write faults.)"""

from __future__ import annotations

import faulthandler
import os
import pickle
import resource
import select
import signal
import struct
import time
from collections.abc import Callable
from typing import cast

from transforms.documents.reading import DocumentText, Limits, Unreadable

Reader = Callable[[bytes, str, Limits], DocumentText | Unreadable]
# Time the helper is given beyond the reader's own per-document limit (which it checks between
# pages) before it is killed: the limit for a single page that never finishes.
GRACE_SECONDS = 5.0
_LENGTH = struct.Struct("<Q")


def _address_space() -> int:
    """This process's virtual memory size in bytes (the helper's limit is counted from it)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _write_message(fd: int, value: object) -> None:
    payload = pickle.dumps(value)
    view = memoryview(_LENGTH.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes | None:
    """`size` bytes from the pipe; None when it closes first or the deadline passes."""
    chunks: list[bytes] = []
    while size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                return None
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read_message(fd: int, deadline: float | None) -> object | None:
    header = _read_exactly(fd, _LENGTH.size, deadline)
    if header is None:
        return None
    payload = _read_exactly(fd, _LENGTH.unpack(header)[0], deadline)
    return None if payload is None else pickle.loads(payload)


def _serve(requests: int, replies: int, reader: Reader, max_memory_bytes: int) -> None:
    """The helper's loop: a document in, its reading out, until the pipe closes."""
    faulthandler.disable()  # a reader that crashes is reported by its exit, not a traceback
    budget = _address_space() + max_memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    while True:
        request = _read_message(requests, None)
        if request is None:
            return
        data, kind, limits = cast(tuple[bytes, str, Limits], request)
        signal.alarm(int(limits.seconds + GRACE_SECONDS) + 1)  # a hard stop, even inside C code
        try:
            result: DocumentText | Unreadable = reader(data, kind, limits)
        except MemoryError:
            result = Unreadable("too_large", f"needs more than {max_memory_bytes // 2**20} MB to read")
        except Exception as err:
            result = Unreadable("corrupt", f"the {kind.upper()} reader failed on it ({err.__class__.__name__})")
        signal.alarm(0)
        _write_message(replies, result)


class Helper:
    """One helper process and its two pipes."""

    def __init__(self, reader: Reader, max_memory_bytes: int) -> None:
        self.owner = os.getpid()
        requests_read, self.requests = os.pipe()
        self.replies, replies_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self.requests)
            os.close(self.replies)
            try:
                _serve(requests_read, replies_write, reader, max_memory_bytes)
            finally:
                os._exit(0)
        os.close(requests_read)
        os.close(replies_write)

    def read(self, data: bytes, kind: str, limits: Limits) -> DocumentText | Unreadable | None:
        """The helper's reading; None when it died or ran out of time (it is gone then)."""
        try:
            _write_message(self.requests, (data, kind, limits))
        except BrokenPipeError:
            return None
        reply = _read_message(self.replies, time.monotonic() + limits.seconds + GRACE_SECONDS)
        return reply if isinstance(reply, DocumentText | Unreadable) else None

    def stop(self) -> int:
        """Kill the helper; its wait status."""
        for fd in (self.requests, self.replies):
            os.close(fd)
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return os.waitpid(self.pid, 0)[1]


_helpers: dict[tuple[Reader, int], Helper] = {}


def read_isolated(data: bytes, kind: str, limits: Limits, reader: Reader) -> DocumentText | Unreadable:
    """`reader(data, kind, limits)` in this process's helper, which is killed past
    `limits.seconds` + GRACE_SECONDS and may take `limits.max_memory_bytes` beyond what it
    started with."""
    if not hasattr(os, "fork"):
        return reader(data, kind, limits)
    key = (reader, limits.max_memory_bytes)
    helper = _helpers.get(key)
    if helper is None or helper.owner != os.getpid():  # none yet, or a forked worker's copy
        helper = _helpers[key] = Helper(reader, limits.max_memory_bytes)
    result = helper.read(data, kind, limits)
    if result is not None:
        return result
    status = helper.stop()
    del _helpers[key]
    seconds = f"{limits.seconds + GRACE_SECONDS:g}"
    if not os.WIFSIGNALED(status) or os.WTERMSIG(status) in (signal.SIGALRM, signal.SIGKILL):
        return Unreadable("timeout", f"still unread after {seconds} s: stopped")
    return Unreadable("corrupt", f"the {kind.upper()} reader crashed on it (signal {os.WTERMSIG(status)})")
