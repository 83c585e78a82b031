"""The expectation suites as code. GX decides every flag; this module only declares which
expectation judges which frame, and turns GX's unexpected rows into `quality.flags` rows.

Great Expectations is imported inside `run_suites` (it costs seconds to import; a run with reports
to judge starts the import early, in a thread: `import_gx_early`), and runs in an ephemeral context
with pandas frames: GX 1.x has no Polars or DuckDB data source. Each (suite, frame) pair is one GX
suite validated by a checkpoint, which also builds the Data Docs.
"""

from __future__ import annotations

import importlib
import json
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from polars._typing import PolarsDataType

from expectations import data_docs
from expectations.rules import RULES_BY_CODE, SUITES
from transforms import calendar
from transforms import frames as frames_

COPIED_SHARE_LIMIT = 0.5  # half or more of the sentences repeated

_gx_import: threading.Thread | None = None


def import_gx_early() -> None:
    """Start importing Great Expectations in a thread of this process, so that the quality stage
    finds it loaded: 3.3-4.5 s in a fresh process (scipy, pandas, altair …), which the quality
    stage otherwise waits for while the machine's cores sit idle. `run_suites`' own import waits
    for the thread's (Python locks a module while it is imported). Pandas is imported first, here:
    the stages import it themselves (the asset previews), and two threads importing modules that
    import each other may see one half-initialised. Not a daemon: a process never exits mid-import."""
    global _gx_import
    if _gx_import is not None or "great_expectations" in sys.modules:
        return
    import pandas  # noqa: F401  # see above

    _gx_import = threading.Thread(
        target=importlib.import_module, args=("great_expectations",), name="import-great-expectations"
    )
    _gx_import.start()


@dataclass(frozen=True)
class Check:
    """One expectation and the message of each row it finds unexpected. The three templates are
    format strings over the frame row, in Chinese: where the finding stands (a table row, a
    section, a page: `{where}` in the frames that have one), what was found, with its numbers, and
    what the report should show instead."""

    rule: str
    frame: str
    # Builds the GX expectation; receives the `great_expectations.expectations` module.
    build: Callable[[Any], Any]
    where: str
    found: str
    expected: str
    details: tuple[str, ...]

    @property
    def suite(self) -> str:
        return RULES_BY_CODE[self.rule].suite

    @property
    def severity(self) -> str:
        return RULES_BY_CODE[self.rule].severity


# A message's three parts, in this order and with these labels: a reader (and a test) finds each.
MESSAGE = "位置:{where}。发现:{found}。应当:{expected}。"
# Located frames' rows say where in their `where` column (frames.with_where).
LOCATED = "{where}"


def _pair_equal(a: str, b: str) -> Callable[[Any], Any]:
    return lambda e: e.ExpectColumnPairValuesToBeEqual(column_A=a, column_B=b, ignore_row_if="either_value_is_missing")


def _a_at_least_b(a: str, b: str, or_equal: bool = True) -> Callable[[Any], Any]:
    return lambda e: e.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=a, column_B=b, or_equal=or_equal, ignore_row_if="either_value_is_missing"
    )


def _at_most(column: str, limit: float) -> Callable[[Any], Any]:
    return lambda e: e.ExpectColumnValuesToBeBetween(column=column, max_value=limit)


CHECKS: tuple[Check, ...] = (
    # ------------------------------------------------------------------ reconciliation
    Check(
        "T3_BALANCE",
        "t3_columns",
        _pair_equal("balance_in", "balance_out"),
        LOCATED,
        "本年新收 {new_received:g} + 上年结转 {carried_over:g} = {balance_in:g},"
        "办理结果总计 {results_total:g} + 结转下年度 {carried_forward:g} = {balance_out:g},相差 {balance_gap:g}",
        "本年新收与上年结转之和等于办理结果总计与结转下年度之和",
        ("col_code", "new_received", "carried_over", "results_total", "carried_forward"),
    ),
    Check(
        "T3_RESULTS_SUM",
        "t3_columns",
        _pair_equal("results_total", "outcomes_sum"),
        LOCATED,
        "办理结果总计 {results_total:g},各办理结果之和 {outcomes_sum:g},相差 {outcomes_gap:g}",
        "「(七)总计」等于予以公开至其他处理各行之和 {outcomes_sum:g}",
        ("col_code", "results_total", "outcomes_sum"),
    ),
    Check(
        "T3_COLUMN_SUM",
        "t3_rows",
        _pair_equal("total", "applicants_sum"),
        LOCATED,
        "总计 {total:g},六类申请人之和 {applicants_sum:g}(自然人 {natural_person:g}、商业企业 {commercial:g}、"
        "科研机构 {research:g}、社会公益组织 {social_org:g}、法律服务机构 {legal_service:g}、其他 {other_org:g})",
        "总计列等于自然人与五类法人或其他组织之和 {applicants_sum:g}",
        ("row_code", *frames_.APPLICANT_COLUMNS, "total", "applicants_sum"),
    ),
    Check(
        "T4_SUM",
        "t4_groups",
        _pair_equal("total", "parts_sum"),
        LOCATED,
        "总计 {total:g},维持 {upheld:g} + 纠正 {corrected:g} + 其他结果 {other:g} + 尚未审结 {pending:g}"
        " = {parts_sum:g}",
        "总计等于结果维持、结果纠正、其他结果与尚未审结之和 {parts_sum:g}",
        ("group_code", "upheld", "corrected", "other", "pending", "total", "parts_sum"),
    ),
    Check(
        "TEXT_TABLE_MISMATCH",
        "text_table",
        _pair_equal("text_value", "table_value"),
        LOCATED,
        "正文称{metric_zh} {text_value:g}(「{evidence}」),{table_cells_zh} 为 {table_value:g}",
        "正文与表格的同一数字一致;核对哪一处有误,或正文所指是否另一口径",
        ("metric", "text_value", "table_value", "table_cells", "evidence"),
    ),
    Check(
        "PARTS_EXCEED_TOTAL",
        "totals",
        _a_at_least_b("total", "parts_sum"),
        LOCATED,
        "「{sentence}」称共 {total:g}{unit},其中列出的各项合计 {parts_sum:g}{unit}",
        "其中各项之和不超过总数 {total:g}{unit}",
        ("total", "parts_sum", "unit", "sentence", "start_char"),
    ),
    Check(
        "PERCENT_MISMATCH",
        "percents",
        _at_most("percent_error", 0),
        LOCATED,
        "「{sentence}」写 {percent:g}%,按 {part:g}/{base:g} 计算为 {computed_percent:g}%",
        "{computed_percent:g}%(在所写小数位的四舍五入误差之内)",
        ("part", "base", "percent", "computed_percent", "sentence", "start_char"),
    ),
    Check(
        "PLACEHOLDER_FIGURE",
        "figures",
        lambda e: e.ExpectColumnValuesToNotBeInSet(column="qualifier", value_set=["placeholder"]),
        LOCATED,
        "「{sentence}」中应填数字({unit})处留有 XX 之类的占位符",
        "填入实际数字",
        ("unit", "sentence", "start_char"),
    ),
    Check(
        "INVALID_COUNT",
        "cells",
        lambda e: e.ExpectColumnValuesToBeBetween(column="unsigned_value", min_value=0),
        LOCATED,
        "单元格的值为 {value:g},是负数",
        "件数不小于 0",
        ("metric", "value"),
    ),
    Check(
        "INVALID_COUNT",
        "cells",
        _at_most("count_fraction", 0),
        LOCATED,
        "单元格的值为 {value:g},不是整数",
        "件数为整数",
        ("metric", "value"),
    ),
    Check(
        "TABLE_INCOMPLETE",
        "completeness",
        _at_most("cells_unread", 0),
        LOCATED,
        "从{layout_zh}读出 {cells_read}/{cells_expected} 个单元格,缺 {cells_unread} 个,如 {missing_zh}",
        "标准表格的每个单元格都读得出;核对原文表格是否残缺、合并或排版损坏",
        ("table_code", "layout", "cells_expected", "cells_read", "missing_sample"),
    ),
    # ------------------------------------------------------------------ years
    Check(
        "REPORT_YEAR_MISSING",
        "reports",
        lambda e: e.ExpectColumnValuesToBeInSet(column="year_known", value_set=[True]),
        "标题与正文",
        "标题「{title}」与正文都未写明所报告的年度",
        "标题或正文写明报告年度(如「2023年政府信息公开工作年度报告」)",
        ("doc_type", "template"),
    ),
    Check(
        "REPORT_YEAR_OUT_OF_RANGE",
        "reports",
        lambda e: e.ExpectColumnValuesToBeBetween(
            column="annual_year", min_value=calendar.FIRST_REPORT_YEAR, max_value=date.today().year
        ),
        "标题与正文所述年度",
        "报告年度为 {annual_year}",
        f"报告年度在 {calendar.FIRST_REPORT_YEAR} 年(条例施行)至今之间",
        ("annual_year",),
    ),
    Check(
        "PUBLISHED_BEFORE_PERIOD_END",
        "reports",
        _a_at_least_b("publish_latest", "year_end", or_equal=False),
        "发布日期",
        "发布于 {publish_date}(精确到{precision_zh}),不晚于报告年度 {report_year} 的年末 {year_end}",
        "发布日期在 {year_end} 之后(年度结束后才能报告全年);核对发布日期或报告年度是否写错",
        ("report_year", "publish_date", "publish_date_precision", "year_end"),
    ),
    Check(
        "PUBLISHED_LATE",
        "reports",
        _a_at_least_b("deadline", "publish_earliest"),
        "发布日期",
        "发布于 {publish_date}(精确到{precision_zh}),晚于 {report_year} 年度报告的法定期限 {deadline}",
        "不晚于 {deadline} 发布",
        ("report_year", "publish_date", "publish_date_precision", "deadline"),
    ),
    Check(
        "PERIOD_YEAR_MISMATCH",
        "reports",
        _pair_equal("period_start_year", "annual_year"),
        "正文所述统计期限",
        "统计期限为 {period_start} 至 {period_end}",
        "统计期限为报告年度 {annual_year} 年 1 月 1 日至 12 月 31 日",
        ("annual_year", "period_start", "period_end"),
    ),
    Check(
        "PERIOD_YEAR_MISMATCH",
        "reports",
        _pair_equal("period_end_year", "annual_year"),
        "正文所述统计期限",
        "统计期限为 {period_start} 至 {period_end}",
        "统计期限为报告年度 {annual_year} 年 1 月 1 日至 12 月 31 日",
        ("annual_year", "period_start", "period_end"),
    ),
    Check(
        "TITLE_BODY_YEAR_MISMATCH",
        "reports",
        _pair_equal("title_year", "body_year"),
        "标题与正文",
        "标题「{title}」的年份为 {title_year},正文所述为 {body_year} 年",
        "标题与正文是同一年度",
        ("title_year", "body_year"),
    ),
    Check(
        "PLAN_YEAR_MISMATCH",
        "plans",
        _a_at_least_b("plan_year", "report_year", or_equal=False),
        LOCATED,
        "「{sentence}」是{plan_year}年的计划(“{plan_word}”)",
        "下一步工作计划的年份晚于报告年度 {report_year}",
        ("plan_year", "report_year", "plan_word", "sentence", "start_char"),
    ),
    Check(
        "TEMPLATE_YEAR_MISMATCH",
        "reports",
        _a_at_least_b("annual_year", "template_since"),
        "表格格式",
        "{annual_year} 年度报告采用了 {template} 格式的表格",
        "{template} 格式自 {template_since} 年度起施行;{annual_year} 年度报告不会采用它,核对报告年度",
        ("annual_year", "template", "template_since"),
    ),
    Check(
        "FUTURE_YEAR_REFERENCE",
        "dated",
        _a_at_least_b("publish_latest", "stated_date"),
        LOCATED,
        "「{sentence}」所述已办事项的日期为 {stated_date},晚于发布日期 {publish_date}",
        "已完成事项的日期不晚于发布日期 {publish_date};核对日期或发布日期是否写错",
        ("stated_date", "precision", "publish_date", "sentence", "start_char"),
    ),
    # ------------------------------------------------------------------ document
    Check(
        "NOT_ANNUAL_REPORT",
        "reports",
        lambda e: e.ExpectColumnValuesToBeInSet(column="doc_type", value_set=["annual_report"]),
        "标题与全文",
        "「{title}」是{doc_type_zh}",
        "政府信息公开工作年度报告;此文件不计入年报统计",
        ("doc_type",),
    ),
    Check(
        "SPAM_INJECTED",
        "reports",
        _at_most("spam_spans", 0),
        "{spam_where}起",
        "屏蔽了 {spam_spans} 处网站注入的垃圾或博彩文字,如「{spam_sample}」{spam_in_names_zh}",
        "正文不含注入文字;被替换的名称须对照原发布机关的文件核实",
        ("spam_spans", "spam_sample", "spam_in_names"),
    ),
    Check(
        "GARBLED_TEXT",
        "reports",
        _at_most("garbled_spans", 0),
        "{garbled_where}起",
        "{garbled_spans} 处乱码未能修复,如「{garbled_sample}」",
        "文字可读;核对原文件的编码或取得未损坏的副本",
        ("garbled_spans", "garbled_sample"),
    ),
    Check(
        "TEMPLATE_TABLE_MISSING",
        "tables_present",
        lambda e: e.ExpectColumnValuesToBeInSet(column="present", value_set=[True]),
        "全文",
        "未找到{table_zh}「{table_title}」",
        "{template} 格式报告的第{table_part}部分有{table_zh}「{table_title}」",
        ("template", "table_code"),
    ),
    Check(
        "FORMAT_NOT_FOLLOWED",
        "format_followed",
        lambda e: e.ExpectColumnValuesToBeInSet(column="followed", value_set=[True]),
        "全文",
        "未见任何标准表格(表二「主动公开政府信息情况」、表三、表四)",
        "{report_year} 年度报告采用 {required_format} 格式,含其标准表格",
        ("report_year", "required_format", "tables_found"),
    ),
    Check(
        "DUPLICATE_REPORT",
        "reports",
        lambda e: e.ExpectColumnValuesToBeNull(column="duplicate_of"),
        "全文",
        "规范化后的文本与 {duplicate_path}(报告 {duplicate_of})完全相同",
        "每份报告只收录一次;此文件是重复收录或转载",
        ("duplicate_of", "duplicate_path"),
    ),
    # ------------------------------------------------------------------ continuity
    Check(
        "CARRY_OVER_CONTINUITY",
        "continuity",
        _pair_equal("carried_over", "previous_carried_forward"),
        "表三「二、上年结转政府信息公开申请数量」行,总计列",
        "{agency} {report_year} 年度上年结转 {carried_over:g} 件,上一年度报告({previous_report_id})"
        "结转下年度继续办理 {previous_carried_forward:g} 件",
        "本年的上年结转等于上一年度的结转下年度 {previous_carried_forward:g} 件",
        ("report_year", "carried_over", "previous_report_id", "previous_carried_forward"),
    ),
    Check(
        "IN_FORCE_CONTINUITY",
        "continuity",
        _pair_equal("regulations_in_force", "regulations_expected"),
        "表二「规章」行,现行有效件数",
        "{agency} {report_year} 年度规章现行有效 {regulations_in_force:g} 件",
        "上年现行有效 {previous_regulations_in_force:g}(报告 {previous_report_id})+ 本年制发 "
        "{regulations_issued:g} − 本年废止 {regulations_repealed:g} = {regulations_expected:g} 件",
        ("report_year", "previous_report_id", "regulations_in_force", "regulations_expected"),
    ),
    Check(
        "IN_FORCE_CONTINUITY",
        "continuity",
        _pair_equal("normative_in_force", "normative_expected"),
        "表二「行政规范性文件」行,现行有效件数",
        "{agency} {report_year} 年度行政规范性文件现行有效 {normative_in_force:g} 件",
        "上年现行有效 {previous_normative_in_force:g}(报告 {previous_report_id})+ 本年制发 "
        "{normative_issued:g} − 本年废止 {normative_repealed:g} = {normative_expected:g} 件",
        ("report_year", "previous_report_id", "normative_in_force", "normative_expected"),
    ),
    Check(
        "COPIED_FROM_PRIOR_YEAR",
        "continuity",
        _at_most("copied_share", COPIED_SHARE_LIMIT - 1e-9),
        "全文",
        "{agency} {report_year} 年度报告 {copied_share:.0%} 的句子与上一年度报告({previous_report_id})相同",
        f"照搬上一年度的句子少于 {COPIED_SHARE_LIMIT:.0%}",
        ("report_year", "previous_report_id", "copied_share"),
    ),
)

FLAG_SCHEMA: dict[str, PolarsDataType] = {
    "report_id": pl.String,
    "suite": pl.String,
    "rule": pl.String,
    "severity": pl.String,
    "message": pl.String,
    "details": pl.String,
    "run_id": pl.String,
    "checked_at": pl.Datetime("us"),
}
RUN_SCHEMA: dict[str, PolarsDataType] = {
    "run_id": pl.String,
    "suite": pl.String,
    "expectations": pl.Int32,
    "evaluated_rows": pl.Int64,
    "unexpected_rows": pl.Int64,
    "success": pl.Boolean,
    "started_at": pl.Datetime("us"),
    "finished_at": pl.Datetime("us"),
    "data_docs_path": pl.String,
}
DOCS_SITE = "nianbao"
# A checkpoint run costs ≈ 0.15 s whatever its size (GX builds a metric graph, serializes and
# stores the result), so a frame is validated in chunks of about this many rows rather than once
# per batch of reports: most frames of a 10k warehouse fit one chunk; the cells frame (≈ 180 rows
# per report) takes one run per ≈ 2,200 reports. Quality alone at 100k: 1M rows 56.2 s / 3.05 GB
# peak (pandas copies of a million rows), 400k 46.6 s / 2.32 GB, 200k 48.1 s / 2.21 GB.
ROWS_PER_RUN = 400_000


def validation_chunks(
    batches: Iterable[dict[str, pl.DataFrame]], rows_per_run: int, wanted: set[str]
) -> Iterator[tuple[str, pl.DataFrame]]:
    """(frame name, frame) pairs to validate: each wanted frame of the batches, concatenated across
    batches until it holds `rows_per_run` rows (a larger frame of one batch is a chunk alone), then
    the remainders. Rows are re-keyed (`row_key`) within a chunk. Memory: one chunk under way per
    frame name."""
    buffered: dict[str, list[pl.DataFrame]] = {}
    rows: dict[str, int] = {}
    for batch in batches:
        for name, frame in batch.items():
            if name not in wanted or frame is None or frame.is_empty():
                continue
            buffered.setdefault(name, []).append(frame)
            rows[name] = rows.get(name, 0) + frame.height
            if rows[name] >= rows_per_run:
                yield name, _rekeyed(buffered.pop(name))
                rows[name] = 0
    for name, parts in buffered.items():
        yield name, _rekeyed(parts)


def _rekeyed(parts: list[pl.DataFrame]) -> pl.DataFrame:
    if len(parts) == 1:
        return parts[0]
    return frames_.with_row_key(pl.concat([part.drop("row_key") for part in parts], how="vertical_relaxed"))


# What GX needs of a frame besides the judged columns: the keys it reports unexpected rows by.
INDEX_COLUMNS = ("report_id", "row_key")


def _judged_columns(expectation: Any) -> list[str]:
    """The frame columns an expectation reads: the ones its kwargs name (column, column_A, …)."""
    kwargs = expectation.configuration.kwargs
    named = [value for key, value in kwargs.items() if key.startswith("column")]
    return [column for value in named for column in ([value] if isinstance(value, str) else value)]


def _columns_read(gx: Any, checks: list[Check]) -> list[str]:
    """The index keys, then every column the checks' expectations read, each once."""
    judged = (column for check in checks for column in _judged_columns(check.build(gx.expectations)))
    return list(dict.fromkeys([*INDEX_COLUMNS, *judged]))


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _part(template: str, row: dict[str, Any]) -> str | None:
    try:
        return template.format(**row)
    except (ValueError, TypeError, KeyError):  # a missing number where the template formats one
        return None


def _message(check: Check, row: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The flag's message (`MESSAGE`) and its parts, which the details keep under `where`,
    `found` and `expected`. A part whose numbers are missing falls back to the check's detail
    values, so a message is never lost."""
    raw = ", ".join(f"{k}={row.get(k)}" for k in check.details)
    parts = {
        "where": _part(check.where, row) or "正文",
        "found": _part(check.found, row) or raw,
        "expected": _part(check.expected, row) or RULES_BY_CODE[check.rule].description_zh,
    }
    return MESSAGE.format(**parts), parts


# Where a flag stands, in its details when the frame row knows it (frames.with_where).
LOCATION_DETAILS = ("section", "page_first", "page_last", "first_char")

# Beside the pages, the validation results every run adds: the site's index lists them all, so a
# run's pages stay reachable after later runs (each run renders only its own).
RESULTS_FOLDER = ".validation_results"


def _context(docs_dir: Path | None) -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults

    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults())
    if docs_dir is not None:
        config.stores[config.validation_results_store_name] = {
            "class_name": "ValidationResultsStore",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir / RESULTS_FOLDER),
            },
        }
    context = gx.get_context(project_config=config, mode="ephemeral")
    try:
        context.variables.progress_bars = gx.data_context.types.base.ProgressBarsConfig(globally=False)  # type: ignore[attr-defined]
    except AttributeError:  # the config moved in a later GX; progress bars only cost log noise
        pass
    if docs_dir is not None:
        docs_dir.mkdir(parents=True, exist_ok=True)
        context.add_data_docs_site(
            site_name=DOCS_SITE,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    return context


def run_suites(
    frames: dict[str, pl.DataFrame] | Iterable[dict[str, pl.DataFrame]],
    run_id: str,
    suites: tuple[str, ...] = SUITES,
    docs_dir: Path | None = None,
    rows_per_run: int = ROWS_PER_RUN,
    describe: Callable[[str, pl.DataFrame], pl.DataFrame] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validate every frame with the checks that judge it. Returns (flags, validation runs).

    `describe(frame name, rows)` adds to the rows GX found unexpected the columns their messages
    name that the frame does not carry (`where`: finding a place costs joins that only the few
    flagged rows of a frame need).

    `frames` is one set of frames, or an iterable of sets (batches of reports): GX's context,
    suites and checkpoints are built once, and each frame is validated in chunks of about
    `rows_per_run` rows gathered across batches (see `validation_chunks`), so GX's set-up is paid
    once and a checkpoint run's fixed cost once per chunk. One validation run per suite sums its
    chunks. With `docs_dir`, GX Data Docs are built there (offline HTML) and its index is
    recorded in `quality.validation_runs.data_docs_path`."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    context = _context(docs_dir)
    # One data asset for every frame (each checkpoint run is handed its frame): GX saves its project
    # config as YAML each time an asset or batch definition is added, even in an ephemeral context,
    # and one per frame cost ≈ 0.15 s of every run.
    frames_asset = context.data_sources.add_pandas("nianbao").add_dataframe_asset("frames")
    batch = frames_asset.add_batch_definition_whole_dataframe("whole")
    # Data Docs are built once after the last batch: rebuilding the site after every checkpoint
    # run cost more than the validations themselves.
    actions: list[Any] = []
    # Every unexpected row's keys and values, and not the query string selecting the rows.
    result_format = {
        "result_format": "COMPLETE",
        "unexpected_index_column_names": list(INDEX_COLUMNS),
        # The failing rows' values are rendered in the Data Docs beside their report_id.
        "exclude_unexpected_values": False,
        "return_unexpected_index_query": False,
    }
    docs_index = str(docs_dir / "index.html") if docs_dir else None
    flags: list[dict[str, Any]] = []
    checkpoints: dict[str, Any] = {}

    def checkpoint_for(suite_name: str, frame_name: str, frame_checks: list[Check]) -> Any:
        name = f"{suite_name}.{frame_name}"
        if name not in checkpoints:
            suite = context.suites.add(gx.ExpectationSuite(name=name))
            for position, check in enumerate(frame_checks):
                expectation = check.build(gx.expectations)
                expectation.meta = {"rule": check.rule, "severity": check.severity, "check": position}
                suite.add_expectation(expectation)
            definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
            checkpoints[name] = context.checkpoints.add(
                gx.Checkpoint(
                    name=name, validation_definitions=[definition], actions=actions, result_format=result_format
                )
            )
        return checkpoints[name]

    checks_of = {name: [c for c in CHECKS if c.suite == name] for name in suites}
    judges_of = {  # frame name -> the suites with checks on it, in suite order
        frame_name: [name for name in suites if any(c.frame == frame_name for c in checks_of[name])]
        for frame_name in dict.fromkeys(c.frame for c in CHECKS)
    }
    # GX is handed only the columns its checks read: it hashes every column of a batch and copies
    # them all when it selects unexpected rows (the cell frame's evidence lines, for nothing).
    columns_of = {
        frame_name: _columns_read(
            gx, [check for name in judges for check in checks_of[name] if check.frame == frame_name]
        )
        for frame_name, judges in judges_of.items()
    }
    run_identifier = RunIdentifier(run_name=run_id, run_time=datetime.now(UTC))
    results_of: dict[str, list[Any]] = {name: [] for name in suites}
    tally: dict[str, dict[str, Any]] = {
        name: {"evaluated": 0, "unexpected": 0, "success": True, "started": None} for name in suites
    }
    batches = [frames] if isinstance(frames, dict) else frames
    for frame_name, frame in validation_chunks(batches, rows_per_run, set(judges_of)):
        data = frame.select(columns_of[frame_name]).to_pandas()
        for suite_name in judges_of[frame_name]:
            counts = tally[suite_name]
            counts["started"] = counts["started"] or _now()
            frame_checks = [c for c in checks_of[suite_name] if c.frame == frame_name]
            checkpoint = checkpoint_for(suite_name, frame_name, frame_checks)
            outcome = checkpoint.run(batch_parameters={"dataframe": data}, run_id=run_identifier)
            result_id, result = next(iter(outcome.run_results.items()))
            # The suite's page a person opens first: a failing validation's, if there is one.
            results_of[suite_name].insert(0 if not result.success else len(results_of[suite_name]), result_id)
            counts["evaluated"] += frame.height
            counts["success"] = counts["success"] and bool(result.success)
            # Only the rows GX found unexpected are turned into Python dicts (a chunk of the cell
            # frame has 400,000 rows, and most checks find none).
            # GX lists each unexpected row's keys and value: [{"report_id": …, "row_key": …, column: …}].
            unexpected = [
                [int(row["row_key"]) for row in r.result.get("unexpected_index_list") or []] for r in result.results
            ]
            wanted = sorted({key for keys in unexpected for key in keys})
            flagged = frame.filter(pl.col("row_key").is_in(wanted))
            if describe is not None and not flagged.is_empty():
                flagged = describe(frame_name, flagged)
            by_key = {row["row_key"]: row for row in flagged.iter_rows(named=True)}
            for expectation_result, keys in zip(result.results, unexpected, strict=True):
                meta = expectation_result.expectation_config.meta
                check = frame_checks[int(meta["check"])]
                for key in keys:
                    row = by_key[key]
                    counts["unexpected"] += 1
                    message, parts = _message(check, row)
                    located = {k: _jsonable(row[k]) for k in LOCATION_DETAILS if row.get(k) is not None}
                    flags.append(
                        {
                            "report_id": row["report_id"],
                            "suite": suite_name,
                            "rule": meta["rule"],
                            "severity": meta["severity"],
                            "message": message,
                            "details": json.dumps(
                                {**{k: _jsonable(row.get(k)) for k in check.details}, **located, **parts},
                                ensure_ascii=False,
                            ),
                            "run_id": run_id,
                            "checked_at": _now(),
                        }
                    )
    pages: dict[str, str] = {}
    if docs_dir is not None:
        built = [result_id for ids in results_of.values() for result_id in ids]
        build_started = time.time()
        if built:  # this run's pages, and the index of every run's
            context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=built)
        data_docs.make_offline(docs_dir, written_since=build_started - 1)
        for suite_name, ids in results_of.items():
            if ids:
                urls = context.get_docs_sites_urls(resource_identifier=ids[0], site_names=[DOCS_SITE])
                pages[suite_name] = str(urls[0]["site_url"]).removeprefix("file://")
    runs = [
        {
            "run_id": run_id,
            "suite": suite_name,
            "expectations": len(checks_of[suite_name]),
            "evaluated_rows": counts["evaluated"],
            "unexpected_rows": counts["unexpected"],
            "success": counts["success"],
            "started_at": counts["started"] or _now(),
            "finished_at": _now(),
            "data_docs_path": pages.get(suite_name, docs_index),
        }
        for suite_name, counts in tally.items()
    ]
    return pl.DataFrame(flags, schema=FLAG_SCHEMA), pl.DataFrame(runs, schema=RUN_SCHEMA)
