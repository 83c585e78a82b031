"""The stage graph, declared once: the stages in the order a run takes them, each reading what the
one before it wrote. The Dagster assets (their dependencies, which stage of a run publishes), the
ledger's pending reports (each stage's upstream and code version) are built from it."""

from __future__ import annotations

from warehouse.stage import Stage
from warehouse.stages import catalog, cleaned, marts, metrics, quality, raw, segmented

STAGES: tuple[Stage, ...] = (
    catalog.STAGE,
    raw.STAGE,
    cleaned.STAGE,
    segmented.STAGE,
    metrics.STAGE,
    quality.STAGE,
    marts.STAGE,
)
# The assets in the order a run takes them: the run's last selected stage publishes its warehouse.
ASSET_ORDER: tuple[str, ...] = tuple(stage.asset for stage in STAGES)


def upstream_asset(asset: str) -> str | None:
    """The asset whose output `asset`'s stage reads (the catalog's comes first of all)."""
    position = ASSET_ORDER.index(asset)
    return ASSET_ORDER[position - 1] if position else None


def later_assets(asset: str) -> tuple[str, ...]:
    """The assets a run takes after `asset`."""
    return ASSET_ORDER[ASSET_ORDER.index(asset) + 1 :]
