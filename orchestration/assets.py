"""One asset per stage of the contract. Each opens the run's staging warehouse, calls its stage
function, and reports counts; the last stage of the run publishes the warehouse."""

import resource
import sys
import time
from collections.abc import Callable
from functools import cache
from typing import Any

import duckdb
import psutil
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.resources import InboxResource, WarehouseResource
from transforms.ingest import scan_inbox
from warehouse import stages
from warehouse.stages import StageStats

# Document order of the graph: the run's last selected stage publishes the staging warehouse.
STAGE_ORDER: tuple[str, ...] = (
    "catalog",
    "raw_reports",
    "cleaned_reports",
    "segmented_reports",
    "report_metrics",
    "quality_flags",
    "marts",
)
PREVIEW_ROWS = 5
CONTRACT_CHECK = "warehouse_contract"  # blocking, on the marts: the last stage, before it publishes
PREVIEWS: dict[str, str] = {
    "raw_reports": "SELECT report_id, source_path, byte_size, encoding, media_type FROM raw.reports "
    "ORDER BY source_path",
    "cleaned_reports": "SELECT report_id, doc_type, template, agency, report_year, publish_date FROM cleaned.reports "
    "ORDER BY report_id",
    "segmented_reports": "SELECT report_id, table_code, layout, cells_expected, cells_read FROM segmented.tables "
    "ORDER BY report_id, table_code",
    "report_metrics": "SELECT report_id, metric, value, source FROM metrics.report_metrics ORDER BY report_id, metric",
    "quality_flags": "SELECT report_id, rule, severity, message FROM quality.flags ORDER BY report_id, rule",
    "marts": "SELECT report_id, agency, report_year, doc_type, requests_new, errors, warnings "
    "FROM marts.report_overview ORDER BY report_id",
}
# A long stage logs how far it has got at most this often (a 100,000-report stage runs for minutes,
# its batches end every second or two).
PROGRESS_EVERY_SECONDS = 10.0


def _progress(context: AssetExecutionContext, unit: str = "reports") -> stages.Progress:
    """What a stage is told after each batch, as a line in the run's log (named by the asset):
    done, to do, rate."""
    name = context.asset_key.to_user_string()
    started = last = time.monotonic()

    def report(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done >= total or now - last < PROGRESS_EVERY_SECONDS:  # the stage's end is logged anyway
            return
        last = now
        rate = done / (now - started) if now > started else 0.0
        context.log.info(f"{name}: {done:,} of {total:,} {unit} ({done / total:.0%}), {rate:,.0f} {unit}/s")

    return report


def _peak_rss_mb() -> float:
    """The process's peak resident memory so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def _worker_rss_mb() -> float:
    """Resident memory of this process's batch workers now (warehouse/parallel.py; 0 without a pool)."""
    return sum(child.memory_info().rss for child in psutil.Process().children(recursive=True)) / 2**20


def _is_last_stage(context: AssetExecutionContext, name: str) -> bool:
    """Whether no later stage executes in this run. Read from the run's execution plan: the run's
    `asset_selection` is empty for `materialize(..., selection=...)`, which then counted as every
    stage, so a run stopping before the marts never published (its work was silently dropped)."""
    plan = context.get_step_execution_context().execution_plan
    steps = set(plan.step_keys_to_execute)
    later = STAGE_ORDER[STAGE_ORDER.index(name) + 1 :]
    return not any(stage in steps for stage in later)


def _run_stage(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    name: str,
    work: Callable[[Any], StageStats],
    total_table: str,
    idle: Callable[[Any], StageStats | None] | None = None,
    verify: Callable[[Any, bool], dict[str, int]] | None = None,
) -> MaterializeResult:
    """Run a stage on this run's staging copy of the warehouse. With `idle`: when no earlier stage
    of the run has written, `idle` is asked of the published warehouse what the stage would report
    with nothing to do (None: there is work); then the stage writes nothing, so a run with nothing
    new copies no warehouse (at 100,000 reports the copy alone took 14 s). With `verify`: the
    warehouse's invariants, counted on the connection the stage used (recorded when it is the
    staging copy); any problem keeps the warehouse unpublished and fails the stage's blocking
    check `CONTRACT_CHECK`."""
    store = warehouse.store()
    started_at = time.time()
    idle_stats: StageStats | None = None
    # (Never on a first run: opening a warehouse that does not exist yet would publish an empty one.)
    if idle is not None and store.path.exists() and not store.staging_path(context.run.run_id).exists():
        with store.read() as published:
            try:
                idle_stats = idle(published)
            except duckdb.Error:  # a warehouse written by older code: the stage writes, and migrates it
                idle_stats = None
    try:
        with store.read() if idle_stats else store.write(context.run.run_id) as con:
            stats = idle_stats or work(con)
            problems = verify(con, idle_stats is None) if verify is not None else None
            total = con.execute(f"SELECT count(*) FROM {total_table}").fetchall()[0][0]
            preview = con.sql(PREVIEWS[name] + f" LIMIT {PREVIEW_ROWS}").pl() if name in PREVIEWS else None
    except BaseException:
        store.abandon(context.run.run_id)  # the stages after this one are skipped: nothing publishes
        raise
    # Taken once the connection has closed: a writing stage's rows are compressed and written at
    # the checkpoint the store makes then (the 1 GB threshold defers them to it).
    work_seconds = time.time() - started_at
    context.log.info(f"{name}: processed {stats.processed} report(s); rows written {stats.rows}; {stats.counts}")
    held = problems is None or not any(problems.values())
    if not held:
        store.abandon(context.run.run_id)  # its staging copy is removed by the next run
        context.log.error(f"{name}: the warehouse breaks its contract {problems}: not published")
    published = held and _is_last_stage(context, name) and store.publish(context.run.run_id)
    if published:
        context.log.info(f"published {store.path}")
    finished_at = time.time()
    metadata: dict[str, Any] = {
        "dagster/row_count": int(total),
        "reports_processed": stats.processed,
        # Where the time goes, per stage, in the UI (benchmarks/scale.py reads the same numbers).
        "seconds": round(work_seconds, 3),
        "docs_per_second": round(stats.processed / work_seconds, 1) if work_seconds > 0 else 0.0,
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "worker_rss_mb": round(_worker_rss_mb(), 1),
        "started_at": started_at,
        "finished_at": finished_at,
        **{f"rows_written.{table}": n for table, n in stats.rows.items()},
        **{key: n for key, n in stats.counts.items()},
        "warehouse": MetadataValue.path(str(store.path)),
        "published": published,
    }
    if preview is not None:
        metadata["preview"] = MetadataValue.md(preview.to_pandas().to_markdown(index=False))
    checks = []
    if problems is not None:
        checks.append(
            AssetCheckResult(
                check_name=CONTRACT_CHECK,
                passed=held,
                severity=AssetCheckSeverity.ERROR,
                metadata={**{k: int(v) for k, v in problems.items()}, "published": published},
            )
        )
    return MaterializeResult(metadata=metadata, check_results=checks)


@asset(group_name="catalog", description="catalog.metrics and catalog.rules from the catalogues declared in code.")
def catalog(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    return _run_stage(
        context,
        warehouse,
        "catalog",
        stages.refresh_catalog,
        "catalog.metrics",
        lambda con: StageStats() if stages.catalog_is_current(con) else None,
    )


@asset(
    deps=[catalog],
    group_name="raw",
    description="raw.reports / raw.report_files / raw.rejected_files: every inbox file, decoded or rejected.",
)
def raw_reports(
    context: AssetExecutionContext, warehouse: WarehouseResource, inbox: InboxResource
) -> MaterializeResult:
    folder = inbox.folder()
    # Listed once: the idle check and the stage read the same listing (100,000 files: 0.7 s each).
    listing = cache(lambda: scan_inbox(folder))
    return _run_stage(
        context,
        warehouse,
        "raw_reports",
        lambda con: stages.ingest_inbox(
            con,
            folder,
            stages.warehouse_now(con),
            warehouse.batch_size,
            warehouse.worker_count(),
            listing(),
            _progress(context, "files"),
        ),
        "raw.reports",
        lambda con: stages.idle_inbox(con, folder, listing()),
    )


@asset(
    deps=[raw_reports],
    group_name="cleaned",
    description="cleaned.reports: normalised Simplified text and report metadata.",
)
def cleaned_reports(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    return _run_stage(
        context,
        warehouse,
        "cleaned_reports",
        lambda con: stages.clean_pending(
            con,
            stages.warehouse_now(con),
            warehouse.batch_size,
            warehouse.worker_count(),
            _progress(context),
        ),
        "cleaned.reports",
        lambda con: stages.idle_stage(con, "cleaned", "raw"),
    )


@asset(
    deps=[cleaned_reports],
    group_name="segmented",
    description="segmented.sections, segmented.tables, segmented.table_cells: heading tree and standard tables.",
)
def segmented_reports(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    return _run_stage(
        context,
        warehouse,
        "segmented_reports",
        lambda con: stages.segment_pending(
            con,
            stages.warehouse_now(con),
            warehouse.batch_size,
            warehouse.worker_count(),
            _progress(context),
        ),
        "segmented.sections",
        lambda con: stages.idle_stage(con, "segmented", "cleaned"),
    )


@asset(
    deps=[segmented_reports],
    group_name="metrics",
    description="metrics.report_metrics (a view: the prose rows of metrics.text_metrics, written here, and the "
    "table cells of segmented.table_cells), metrics.figures, metrics.plans: table and prose figures.",
)
def report_metrics(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    return _run_stage(
        context,
        warehouse,
        "report_metrics",
        lambda con: stages.extract_pending(
            con,
            stages.warehouse_now(con),
            warehouse.batch_size,
            warehouse.worker_count(),
            _progress(context),
        ),
        "metrics.report_metrics",
        lambda con: stages.idle_stage(con, "metrics", "segmented"),
    )


@asset(
    deps=[report_metrics],
    group_name="quality",
    description="quality.flags and quality.validation_runs, decided by the Great Expectations suites.",
)
def quality_flags(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    return _run_stage(
        context,
        warehouse,
        "quality_flags",
        lambda con: stages.validate_pending(
            con,
            context.run.run_id,
            stages.warehouse_now(con),
            warehouse.docs_dir(),
            warehouse.quality_batch_size,
            warehouse.quality_rows_per_run,
            _progress(context),
        ),
        "quality.flags",
        lambda con: stages.idle_stage(con, "quality", "metrics"),
    )


@asset(
    deps=[quality_flags],
    group_name="marts",
    description="marts.report_overview for dashboards.",
    check_specs=[
        AssetCheckSpec(
            CONTRACT_CHECK,
            asset="marts",
            blocking=True,
            description="Contract invariants, checked before the warehouse is published (a warehouse that "
            "fails is not): every raw report cleaned and in the mart, metric rows unique (tested for the "
            "reports written since the last check passed), rules from the catalogue.",
        )
    ],
)
def marts(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    # Built anew whenever an earlier stage of this run wrote (the staging copy exists then), or an
    # earlier run published stage rows without them, or their SQL changed.
    return _run_stage(
        context,
        warehouse,
        "marts",
        stages.build_marts,
        "marts.report_overview",
        lambda con: StageStats() if stages.marts_are_current(con) else None,
        stages.check_contract,
    )


ALL_ASSETS = [catalog, raw_reports, cleaned_reports, segmented_reports, report_metrics, quality_flags, marts]
ASSET_KEYS = [AssetKey(name) for name in STAGE_ORDER]
