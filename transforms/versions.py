"""Version of each stage's code. Bump one when its output would change for the same input: the
next run re-derives that stage, and every stage after it, for every report (and nothing else)."""

from __future__ import annotations

STAGE_VERSIONS: dict[str, str] = {
    "cleaned": "1",
    "segmented": "1",
    "metrics": "1",
    "quality": "1",
}
STAGE_ORDER: tuple[str, ...] = ("cleaned", "segmented", "metrics", "quality")
