"""The expectation suites as code. GX decides every flag; this module only declares which
expectation judges which frame, and turns GX's unexpected rows into `quality.flags` rows.

Great Expectations is imported inside `run_suites` (it costs seconds to import), and runs in an
ephemeral context with pandas frames: GX 1.x has no Polars or DuckDB data source.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl

from expectations.rules import RULES_BY_CODE, SUITES


@dataclass(frozen=True)
class Check:
    rule: str
    frame: str
    # Builds the GX expectation; receives the `great_expectations.expectations` module.
    build: Callable[[Any], Any]
    # A format string over the frame row: what is wrong, with the numbers, in Chinese.
    message: str
    details: tuple[str, ...]

    @property
    def suite(self) -> str:
        return RULES_BY_CODE[self.rule].suite

    @property
    def severity(self) -> str:
        return RULES_BY_CODE[self.rule].severity


def _pair_equal(a: str, b: str) -> Callable[[Any], Any]:
    return lambda e: e.ExpectColumnPairValuesToBeEqual(column_A=a, column_B=b, ignore_row_if="either_value_is_missing")


CHECKS: tuple[Check, ...] = (
    Check(
        "T3_BALANCE",
        "t3_columns",
        _pair_equal("balance_in", "balance_out"),
        "T3_BALANCE {column_zh}列: 本年新收 {new_received:g} + 上年结转 {carried_over:g} ≠ "
        "办理结果总计 {results_total:g} + 结转下年度 {carried_forward:g}",
        ("col_code", "new_received", "carried_over", "results_total", "carried_forward"),
    ),
    Check(
        "T3_RESULTS_SUM",
        "t3_columns",
        _pair_equal("results_total", "outcomes_sum"),
        "T3_RESULTS_SUM {column_zh}列: 办理结果总计 {results_total:g} ≠ 各办理结果之和 {outcomes_sum:g}",
        ("col_code", "results_total", "outcomes_sum"),
    ),
    Check(
        "T3_COLUMN_SUM",
        "t3_rows",
        _pair_equal("total", "applicants_sum"),
        "T3_COLUMN_SUM {row_zh}: 总计 {total:g} ≠ 六类申请人之和 {applicants_sum:g}",
        (
            "row_code",
            "natural_person",
            "commercial",
            "research",
            "social_org",
            "legal_service",
            "other_org",
            "total",
            "applicants_sum",
        ),
    ),
    Check(
        "T4_SUM",
        "t4_groups",
        _pair_equal("total", "parts_sum"),
        "T4_SUM {group_zh}: 总计 {total:g} ≠ 维持 {upheld:g} + 纠正 {corrected:g} + 其他 {other:g} + "
        "尚未审结 {pending:g}",
        ("group_code", "upheld", "corrected", "other", "pending", "total", "parts_sum"),
    ),
    Check(
        "PLACEHOLDER_FIGURE",
        "figures",
        lambda e: e.ExpectColumnValuesToNotBeInSet(column="qualifier", value_set=["placeholder"]),
        "PLACEHOLDER_FIGURE 占位符代替了数字({unit}): 「{sentence}」",
        ("unit", "sentence", "start_char"),
    ),
    Check(
        "INVALID_COUNT",
        "cells",
        lambda e: e.ExpectColumnValuesToBeBetween(column="unsigned_value", min_value=0),
        "INVALID_COUNT {metric}: {value:g} 是负数,不是有效的件数",
        ("metric", "value"),
    ),
    Check(
        "INVALID_COUNT",
        "cells",
        lambda e: e.ExpectColumnValuesToBeBetween(column="count_fraction", max_value=0),
        "INVALID_COUNT {metric}: {value:g} 不是整数,不是有效的件数",
        ("metric", "value"),
    ),
    Check(
        "REPORT_YEAR_MISSING",
        "reports",
        lambda e: e.ExpectColumnValuesToBeInSet(column="year_known", value_set=[True]),
        "REPORT_YEAR_MISSING 年度报告无法确定所属年份",
        ("doc_type", "template"),
    ),
    Check(
        "PUBLISHED_BEFORE_PERIOD_END",
        "reports",
        lambda e: e.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="publish_latest", column_B="year_end", or_equal=False, ignore_row_if="either_value_is_missing"
        ),
        "PUBLISHED_BEFORE_PERIOD_END 发布日期 {publish_date} (精度 {publish_date_precision}) 不晚于 "
        "报告年度 {report_year} 年末 {year_end}",
        ("report_year", "publish_date", "publish_date_precision", "year_end"),
    ),
    Check(
        "PLAN_YEAR_MISMATCH",
        "plans",
        lambda e: e.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="plan_year", column_B="report_year", or_equal=False, ignore_row_if="either_value_is_missing"
        ),
        "PLAN_YEAR_MISMATCH 计划年份 {plan_year} 不晚于报告年度 {report_year}: 「{sentence}」",
        ("plan_year", "report_year", "plan_word", "sentence", "start_char"),
    ),
    Check(
        "NOT_ANNUAL_REPORT",
        "reports",
        lambda e: e.ExpectColumnValuesToBeInSet(column="doc_type", value_set=["annual_report"]),
        "NOT_ANNUAL_REPORT 文件类型为 {doc_type},不是政府信息公开工作年度报告",
        ("doc_type",),
    ),
    Check(
        "SPAM_INJECTED",
        "reports",
        lambda e: e.ExpectColumnValuesToBeBetween(column="spam_spans", max_value=0),
        "SPAM_INJECTED 屏蔽了 {spam_spans} 处注入的垃圾/博彩网站文字",
        ("spam_spans",),
    ),
    Check(
        "GARBLED_TEXT",
        "reports",
        lambda e: e.ExpectColumnValuesToBeBetween(column="garbled_spans", max_value=0),
        "GARBLED_TEXT {garbled_spans} 处乱码未能修复,如「{garbled_sample}」",
        ("garbled_spans", "garbled_sample"),
    ),
    Check(
        "DUPLICATE_REPORT",
        "reports",
        lambda e: e.ExpectColumnValuesToBeNull(column="duplicate_of"),
        "DUPLICATE_REPORT 规范化文本与 {duplicate_path} ({duplicate_of}) 相同",
        ("duplicate_of", "duplicate_path"),
    ),
    Check(
        "CARRY_OVER_CONTINUITY",
        "continuity",
        _pair_equal("carried_over", "previous_carried_forward"),
        "CARRY_OVER_CONTINUITY {agency} {report_year}年上年结转 {carried_over:g} ≠ 上一年度结转下年度 "
        "{previous_carried_forward:g}",
        ("report_year", "carried_over", "previous_report_id", "previous_carried_forward"),
    ),
)

FLAG_SCHEMA = {
    "report_id": pl.String,
    "suite": pl.String,
    "rule": pl.String,
    "severity": pl.String,
    "message": pl.String,
    "details": pl.String,
    "run_id": pl.String,
    "checked_at": pl.Datetime("us"),
}
RUN_SCHEMA = {
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


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _message(check: Check, row: dict[str, Any]) -> str:
    try:
        return check.message.format(**row)
    except (ValueError, TypeError, KeyError):  # a missing number where the message formats one
        return f"{check.rule}: " + ", ".join(f"{k}={row.get(k)}" for k in check.details)


def run_suites(
    frames: dict[str, pl.DataFrame], run_id: str, suites: tuple[str, ...] = SUITES
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validate every frame with the checks that judge it. Returns (flags, validation runs)."""
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    try:
        context.variables.progress_bars = gx.data_context.types.base.ProgressBarsConfig(globally=False)
    except AttributeError:  # the config moved in a later GX; progress bars only cost log noise
        pass
    source = context.data_sources.add_pandas("nianbao_frames")
    flags: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    for suite_name in suites:
        checks = [c for c in CHECKS if c.suite == suite_name]
        if not checks:
            continue
        started = _now()
        evaluated = 0
        unexpected_rows = 0
        success = True
        for frame_name in dict.fromkeys(c.frame for c in checks):
            frame = frames.get(frame_name)
            if frame is None or frame.is_empty():
                continue
            frame_checks = [c for c in checks if c.frame == frame_name]
            suite = context.suites.add(gx.ExpectationSuite(name=f"{suite_name}.{frame_name}"))
            for position, check in enumerate(frame_checks):
                expectation = check.build(gx.expectations)
                expectation.meta = {"rule": check.rule, "severity": check.severity, "check": position}
                suite.add_expectation(expectation)
            batch = source.add_dataframe_asset(f"{suite_name}.{frame_name}").add_batch_definition_whole_dataframe(
                "whole"
            )
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=f"{suite_name}.{frame_name}", data=batch, suite=suite)
            )
            result = definition.run(
                batch_parameters={"dataframe": frame.to_pandas()},
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["report_id", "row_key"]},
            )
            evaluated += frame.height
            success = success and bool(result.success)
            by_key = {row["row_key"]: row for row in frame.iter_rows(named=True)}
            for outcome in result.results:
                rule = outcome.expectation_config.meta["rule"]
                check = frame_checks[int(outcome.expectation_config.meta["check"])]
                for index in outcome.result.get("unexpected_index_list") or []:
                    row = by_key[int(index["row_key"])]
                    unexpected_rows += 1
                    flags.append(
                        {
                            "report_id": row["report_id"],
                            "suite": suite_name,
                            "rule": rule,
                            "severity": outcome.expectation_config.meta["severity"],
                            "message": _message(check, row),
                            "details": json.dumps(
                                {k: _jsonable(row.get(k)) for k in check.details}, ensure_ascii=False
                            ),
                            "run_id": run_id,
                            "checked_at": _now(),
                        }
                    )
        runs.append(
            {
                "run_id": run_id,
                "suite": suite_name,
                "expectations": len(checks),
                "evaluated_rows": evaluated,
                "unexpected_rows": unexpected_rows,
                "success": success,
                "started_at": started,
                "finished_at": _now(),
                "data_docs_path": None,
            }
        )
    return pl.DataFrame(flags, schema=FLAG_SCHEMA), pl.DataFrame(runs, schema=RUN_SCHEMA)
