"""Version of each stage's code. Bump one when its output would change for the same input: the
next run re-derives that stage, and every stage after it, for every report (and nothing else)."""

from __future__ import annotations

STAGE_VERSIONS: dict[str, str] = {
    "cleaned": "4",  # flattened pages' line breaks, report_year from the period then the body, former divisions
    "segmented": "4",  # tables of flattened pages: rows cut after digits, stray spaces, prose-attested table 2
    "metrics": "4",  # zero stated in words, the year's proactive total, 予以公开/部分公开/结转下年度 in prose
    "quality": "3",  # FORMAT_NOT_FOLLOWED, the deadline by issuer
}
STAGE_ORDER: tuple[str, ...] = ("cleaned", "segmented", "metrics", "quality")
