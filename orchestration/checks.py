"""Asset checks: what the data team sees in the UI next to each asset.

Only invariants block: a file unaccounted for fails the run before anything is published (the
stages after raw are skipped); a broken contract fails the run and keeps its warehouse unpublished
(that check, `warehouse_contract`, is made by the marts asset itself, on the staging copy before
it publishes: orchestration/assets.py). Rule findings are data, reported per suite as WARN with
counts per rule.
"""

from collections.abc import Iterable
from typing import Any

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, asset_check

from expectations.rules import SUITES
from orchestration.assets import quality_flags, raw_reports
from orchestration.resources import InboxResource, WarehouseResource
from warehouse import lifecycle
from warehouse.stages import raw


@asset_check(
    asset=raw_reports,
    blocking=True,
    description="Every file in the inbox is in raw.report_files or raw.rejected_files: nothing lost. "
    "A file that arrived after the raw stage listed the inbox is left for the next run.",
)
def inbox_accounted(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource, inbox: InboxResource
) -> AssetCheckResult:
    folder = inbox.folder()
    with warehouse.store().read(context.run.run_id) as con:
        missing = raw.unaccounted_files(con, folder)
        reports = con.execute("SELECT count(*) FROM raw.report_files").fetchall()[0][0]
        rejected = con.execute("SELECT count(*) FROM raw.rejected_files").fetchall()[0][0]
    # With the sensor on, files arrive while a run is under way; failing the run for them would
    # throw away its work. Files the raw stage of this run could not have listed wait for the next.
    listed_at = _raw_stage_started(context)
    arrived = set(raw.arrived_since(folder, missing, listed_at)) if listed_at is not None else set()
    unaccounted = [path for path in missing if path not in arrived]
    if unaccounted:  # the run stops here: other runs need not wait for it
        lifecycle.stop_run(warehouse.store(), context.run.run_id)
    return AssetCheckResult(
        passed=not unaccounted,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "unaccounted": len(unaccounted),
            "examples": ", ".join(unaccounted[:10]),
            "arrived_during_run": len(arrived),
            "report_files": int(reports),
            "rejected_files": int(rejected),
        },
    )


def _raw_stage_started(context: AssetCheckExecutionContext) -> float | None:
    """When this run's raw stage began (before it listed the inbox); None if it did not run."""
    event = context.instance.get_latest_materialization_event(raw_reports.key)
    if event is None or event.run_id != context.run.run_id or event.asset_materialization is None:
        return None
    started = event.asset_materialization.metadata.get("started_at")
    return float(started.value) if started is not None else None


def _suite_check(suite: str):
    @asset_check(
        asset=quality_flags,
        name=f"{suite}_suite",
        description=f"The GX '{suite}' suite: flags per rule (findings are data, hence WARN).",
    )
    def check(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> AssetCheckResult:
        with warehouse.store().read(context.run.run_id) as con:
            per_rule = dict(
                con.execute(
                    "SELECT rule, count(*) FROM quality.flags WHERE suite = ? GROUP BY rule ORDER BY rule", [suite]
                ).fetchall()
            )
            runs = con.execute(
                "SELECT expectations, evaluated_rows, unexpected_rows, success FROM quality.validation_runs "
                "WHERE suite = ? ORDER BY finished_at DESC LIMIT 1",
                [suite],
            ).fetchall()
            last = runs[0] if runs else None
            reports = con.execute(
                "SELECT count(DISTINCT report_id) FROM quality.flags WHERE suite = ?", [suite]
            ).fetchall()[0][0]
        metadata: dict[str, Any] = {f"rule.{rule}": int(n) for rule, n in per_rule.items()}
        metadata["flagged_reports"] = int(reports)
        if last:
            metadata.update(
                {"expectations": int(last[0]), "evaluated_rows": int(last[1]), "unexpected_rows": int(last[2])}
            )
        return AssetCheckResult(passed=not per_rule, severity=AssetCheckSeverity.WARN, metadata=metadata)

    return check


SUITE_CHECKS = [_suite_check(suite) for suite in SUITES]
ALL_CHECKS: Iterable = [inbox_accounted, *SUITE_CHECKS]
