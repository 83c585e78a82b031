"""Version of each stage's code. Bump one when its output would change for the same input: the
next run re-derives that stage, and every stage after it, for every report (and nothing else)."""

from __future__ import annotations

STAGE_VERSIONS: dict[str, str] = {
    "cleaned": "3",  # mojibake repair, UTF-16 without BOM, area codes as region context
    "segmented": "3",  # table cells carry their section_no
    "metrics": "3",  # totals with parts, shares, dated statements; 将乐县 is no plan
    "quality": "2",  # the full rule catalogue
}
STAGE_ORDER: tuple[str, ...] = ("cleaned", "segmented", "metrics", "quality")
