"""A headless Chromium driven over the DevTools protocol: the machine's own (Debian's chromium
package, with a font that has Chinese glyphs). Tests never install it: where it is missing the
browser tests are skipped with `INSTALL_HINT`."""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

APT_PACKAGES = ("chromium", "fonts-wqy-zenhei")  # the browser, and a font with Chinese glyphs
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,2200",
)


FONT_FOLDER = Path("/usr/share/fonts/truetype/wqy")
INSTALL_HINT = f"Chromium and a Chinese font are not installed: apt-get install {' '.join(APT_PACKAGES)}"


def find_chromium() -> str | None:
    """The machine's Chromium, when it and a Chinese font are installed (None otherwise)."""
    found = shutil.which("chromium")
    return found if found and FONT_FOLDER.exists() else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


class Browser:
    def __init__(self, profile: Path) -> None:
        chromium = find_chromium()
        if chromium is None:
            raise RuntimeError(INSTALL_HINT)
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--remote-debugging-port={self.port}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_http(f"http://127.0.0.1:{self.port}/json/version")
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json") as answer:
            page = next(t for t in json.load(answer) if t["type"] == "page")
        self.connection = connect(page["webSocketDebuggerUrl"], max_size=None)
        self.socket = self.connection.__enter__()
        self.ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self.ids)
        self.socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=60))
            if message.get("id") == message_id:
                return message.get("result", {})

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)

    def text(self) -> str:
        result = self.call("Runtime.evaluate", expression="document.body ? document.body.innerText : ''")
        return result.get("result", {}).get("value", "")

    def wait_for_text(self, *needles: str, seconds: float = 90) -> str:
        deadline = time.monotonic() + seconds
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if all(n in text for n in needles):
                return text
            time.sleep(0.5)
        missing = [n for n in needles if n not in text]
        raise AssertionError(f"page never showed {missing}; it shows: {text[:1500]}")

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self.connection.__exit__(None, None, None)
        finally:
            self.process.kill()
            self.process.wait(timeout=10)
