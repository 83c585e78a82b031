"""One asset per stage of the graph (`warehouse/graph.py`). Each hands its stage's work to the run
lifecycle (`warehouse/lifecycle.py`: idle, staging copy, contract, publish) and reports counts."""

import resource
import sys
import time
from collections.abc import Callable
from functools import cache
from typing import Any

import psutil
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    asset,
)

from orchestration.resources import InboxResource, WarehouseResource
from transforms.ingest import scan_inbox
from warehouse import contract, dictionary, graph, lifecycle
from warehouse.ledger import idle_stage, warehouse_now
from warehouse.stages import catalog as catalog_stage
from warehouse.stages import cleaned, metrics, quality, raw, segmented
from warehouse.stages import marts as marts_stage
from warehouse.stats import Progress, StageStats

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
# Every asset in one group: the graph reads as one pipeline, stage after stage.
GROUP = "warehouse"
KINDS = {"duckdb", "polars"}


@cache
def _table_metadata(table: str) -> dict[str, Any]:
    """An asset's definition metadata for the table it chiefly writes: its name and its columns
    with their types and meanings (the data dictionary), as the UI's catalogue shows them."""
    description, columns = dictionary.all_tables()[table]
    types = dictionary.column_types()[table]
    schema = TableSchema(
        columns=[TableColumn(name, types[name], description=meaning) for name, meaning in columns.items()]
    )
    return {"dagster/table_name": table, "dagster/column_schema": schema, "table": description}


def _after(name: str) -> list[str]:
    """The asset whose output `name`'s stage reads, as its deps."""
    upstream = graph.upstream_asset(name)
    return [upstream] if upstream else []


# A long stage logs how far it has got at most this often (a 100,000-report stage runs for minutes,
# its batches end every second or two).
PROGRESS_EVERY_SECONDS = 10.0


def _progress(context: AssetExecutionContext, unit: str = "reports") -> Progress:
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
    """Whether no later stage executes in this run: the run's steps (every step of its job when it
    names none)."""
    steps = set(context.run.step_keys_to_execute or (node.name for node in context.job_def.nodes))
    return not any(stage in steps for stage in graph.later_assets(name))


def _run_stage(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    name: str,
    work: Callable[[Any], StageStats],
    total_table: str,
    idle: Callable[[Any], StageStats | None] | None = None,
    verify: Callable[[Any, bool], dict[str, int]] | None = None,
) -> MaterializeResult:
    """The stage `name` through the run lifecycle, its outcome as the asset's metadata (and, with
    `verify`, the result of its blocking check `CONTRACT_CHECK`)."""
    store = warehouse.store()
    preview_sql = PREVIEWS[name] + f" LIMIT {PREVIEW_ROWS}" if name in PREVIEWS else None
    outcome = lifecycle.run_stage(
        store,
        context.run.run_id,
        work,
        total_table,
        lambda: _is_last_stage(context, name),
        preview_sql,
        idle,
        verify,
    )
    stats = outcome.stats
    context.log.info(f"{name}: processed {stats.processed} report(s); rows written {stats.rows}; {stats.counts}")
    if not outcome.held:
        context.log.error(f"{name}: the warehouse breaks its contract {outcome.problems}: not published")
    if outcome.published:
        context.log.info(f"published {store.path}")
    seconds = outcome.work_seconds
    metadata: dict[str, Any] = {
        "dagster/row_count": outcome.total_rows,
        "reports_processed": stats.processed,
        # Where the time goes, per stage, in the UI (benchmarks/scale.py reads the same numbers).
        "seconds": round(seconds, 3),
        "docs_per_second": round(stats.processed / seconds, 1) if seconds > 0 else 0.0,
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "worker_rss_mb": round(_worker_rss_mb(), 1),
        "started_at": MetadataValue.timestamp(outcome.started_at),
        "finished_at": MetadataValue.timestamp(time.time()),
        **{f"rows_written.{table}": n for table, n in stats.rows.items()},
        **{key: n for key, n in stats.counts.items()},
        "warehouse": MetadataValue.path(str(store.path)),
        "published": outcome.published,
    }
    if outcome.preview is not None:
        metadata["preview"] = MetadataValue.md(outcome.preview.to_pandas().to_markdown(index=False))
    checks = []
    if outcome.problems is not None:
        checks.append(
            AssetCheckResult(
                check_name=CONTRACT_CHECK,
                passed=outcome.held,
                severity=AssetCheckSeverity.ERROR,
                metadata={**{k: int(v) for k, v in outcome.problems.items()}, "published": outcome.published},
            )
        )
    return MaterializeResult(metadata=metadata, check_results=checks)


@asset(
    group_name=GROUP,
    kinds={"duckdb"},
    code_version=catalog_stage.STAGE.version,
    metadata=_table_metadata("catalog.metrics"),
    description="catalog.metrics and catalog.rules from the catalogues declared in code.",
)
def catalog(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    return _run_stage(
        context,
        warehouse,
        "catalog",
        catalog_stage.refresh_catalog,
        "catalog.metrics",
        catalog_stage.idle,
    )


@asset(
    deps=_after("raw_reports"),
    group_name=GROUP,
    kinds=KINDS,
    code_version=raw.STAGE.version,
    metadata=_table_metadata("raw.reports"),
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
        lambda con: raw.ingest_inbox(
            con,
            folder,
            warehouse_now(con),
            warehouse.batch_size,
            warehouse.worker_count(),
            listing(),
            _progress(context, "files"),
        ),
        "raw.reports",
        lambda con: raw.idle_inbox(con, folder, listing()),
    )


@asset(
    deps=_after("cleaned_reports"),
    group_name=GROUP,
    kinds=KINDS | {"opencc"},
    code_version=cleaned.STAGE.version,
    metadata=_table_metadata("cleaned.reports"),
    description="cleaned.reports: normalised Simplified text and report metadata.",
)
def cleaned_reports(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    return _run_stage(
        context,
        warehouse,
        "cleaned_reports",
        lambda con: cleaned.clean_pending(
            con,
            warehouse_now(con),
            warehouse.batch_size,
            warehouse.worker_count(),
            _progress(context),
        ),
        "cleaned.reports",
        lambda con: idle_stage(con, cleaned.STAGE),
    )


@asset(
    deps=_after("segmented_reports"),
    group_name=GROUP,
    kinds=KINDS,
    code_version=segmented.STAGE.version,
    metadata=_table_metadata("segmented.tables"),
    description="segmented.sections, segmented.tables, segmented.table_cells: heading tree and standard tables.",
)
def segmented_reports(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    return _run_stage(
        context,
        warehouse,
        "segmented_reports",
        lambda con: segmented.segment_pending(
            con,
            warehouse_now(con),
            warehouse.batch_size,
            warehouse.worker_count(),
            _progress(context),
        ),
        "segmented.sections",
        lambda con: idle_stage(con, segmented.STAGE),
    )


@asset(
    deps=_after("report_metrics"),
    group_name=GROUP,
    kinds=KINDS,
    code_version=metrics.STAGE.version,
    metadata=_table_metadata("metrics.report_metrics"),
    description="metrics.report_metrics (a view: the prose rows of metrics.text_metrics, written here, and the "
    "table cells of segmented.table_cells), metrics.figures, metrics.plans: table and prose figures.",
)
def report_metrics(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    return _run_stage(
        context,
        warehouse,
        "report_metrics",
        lambda con: metrics.extract_pending(
            con,
            warehouse_now(con),
            warehouse.batch_size,
            warehouse.worker_count(),
            _progress(context),
        ),
        "metrics.report_metrics",
        lambda con: idle_stage(con, metrics.STAGE),
    )


@asset(
    deps=_after("quality_flags"),
    group_name=GROUP,
    kinds={"duckdb", "great_expectations"},
    code_version=quality.STAGE.version,
    metadata=_table_metadata("quality.flags"),
    description="quality.flags and quality.validation_runs, decided by the Great Expectations suites.",
)
def quality_flags(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    return _run_stage(
        context,
        warehouse,
        "quality_flags",
        lambda con: quality.validate_pending(
            con,
            context.run.run_id,
            warehouse_now(con),
            warehouse.docs_dir(),
            warehouse.quality_batch_size,
            warehouse.quality_rows_per_run,
            _progress(context),
        ),
        "quality.flags",
        lambda con: idle_stage(con, quality.STAGE),
    )


@asset(
    deps=_after("marts"),
    group_name=GROUP,
    kinds={"duckdb", "sql"},
    code_version=marts_stage.STAGE.version,
    metadata=_table_metadata("marts.report_overview"),
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
        lambda con: marts_stage.build_marts(con, warehouse.reviews_file()),
        "marts.report_overview",
        lambda con: marts_stage.idle(con, warehouse.reviews_file()),
        contract.check_contract,
    )


ALL_ASSETS = [catalog, raw_reports, cleaned_reports, segmented_reports, report_metrics, quality_flags, marts]
ASSET_KEYS = [AssetKey(name) for name in graph.ASSET_ORDER]
