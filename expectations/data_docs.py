"""GX Data Docs that work offline: the pages' scripts, styles and fonts served from the project.

Great Expectations writes pages that load jQuery, Bootstrap, bootstrap-table, Font Awesome and
Vega from CDNs; without a network the index lists nothing. After each build the vendored copies
(`data_docs_assets/`, with their sources and licences) are placed in the site, and every page's
CDN addresses are pointed at them.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "data_docs_assets"
# Where the copies stand in a built site.
SITE_ASSETS = Path("static") / "offline"

# Each CDN address the GX templates use → the vendored file that replaces it.
CDN_FILES: dict[str, str] = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap-4.3.1/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap-4.3.1/bootstrap.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper-1.12.9.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table-1.19.1/bootstrap-table.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table-1.19.1/bootstrap-table.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table-1.19.1/bootstrap-table-filter-control.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table-1.19.0/bootstrap-table-filter-control.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "bootstrap-table-1.19.0/bootstrap-table-filter-control.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker-1.9.0/bootstrap-datepicker.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker-1.9.0/bootstrap-datepicker.min.js"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome-6.6.0/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega-5.33.1.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite-5.23.0.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed-6.29.0.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        "bootstrap-prefers-dark-1.1.0.css"
    ),
}


# The GX logo every page loads from a web bucket (with a cache-busting query): a local drawing.
_LOGO = re.compile(r"https://great-expectations-web-assets\.[^\"']*logo[^\"']*")
LOGO_FILE = "logo.svg"


def make_offline(site: Path, written_since: float = 0.0) -> int:
    """Place the vendored assets in `site` and point the pages written since `written_since` (a
    time.time(); every page by default) at them; returns how many pages changed. A run's build
    writes its own pages and the index: the pages of earlier runs were made offline then."""
    target = site / SITE_ASSETS
    if not (target / "README.md").exists():
        shutil.copytree(ASSETS, target, dirs_exist_ok=True)
    changed = 0
    for page in site.rglob("*.html"):
        if page.stat().st_mtime < written_since:
            continue
        text = page.read_text(encoding="utf-8")
        offline = text
        for address, local in CDN_FILES.items():
            if address in offline:
                offline = offline.replace(address, os.path.relpath(target / local, page.parent))
        offline = _LOGO.sub(os.path.relpath(target / LOGO_FILE, page.parent), offline)
        if offline != text:
            page.write_text(offline, encoding="utf-8")
            changed += 1
    return changed


def cdn_addresses(page: str) -> list[str]:
    """The network addresses a page still loads scripts, styles, fonts or images from (links a
    person may follow are not loads)."""
    loads = re.findall(r"""<(?:script|img)[^>]*\ssrc=["'](https?://[^"']+)["']""", page)
    return loads + re.findall(r"""<link[^>]*\shref=["'](https?://[^"']+)["']""", page)
