"""The rule catalogue, declared once: it feeds the GX suites, `catalog.rules` and the messages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    suite: str
    severity: str  # error or warning
    description_zh: str
    description_en: str


RULES: tuple[Rule, ...] = (
    # reconciliation
    Rule(
        "T3_BALANCE",
        "reconciliation",
        "error",
        "表三某列:本年新收+上年结转≠办理结果总计+结转下年度",
        "In some column of table 3, new + carried over differs from results total + carried forward.",
    ),
    Rule(
        "T3_RESULTS_SUM",
        "reconciliation",
        "error",
        "表三某列:办理结果总计≠各办理结果之和",
        "In some column of table 3, the results total differs from the sum of the outcome rows.",
    ),
    Rule(
        "T3_COLUMN_SUM",
        "reconciliation",
        "error",
        "表三某行:总计≠六类申请人之和",
        "In some row of table 3, the total differs from the sum of the six applicant columns.",
    ),
    Rule(
        "T4_SUM",
        "reconciliation",
        "error",
        "表四某组:总计≠维持+纠正+其他+尚未审结",
        "In some group of table 4, the total differs from upheld + corrected + other + pending.",
    ),
    Rule(
        "TEXT_TABLE_MISMATCH",
        "reconciliation",
        "warning",
        "正文数字与表格同一数据不一致",
        "The prose states a figure for the same quantity as a table cell, and it differs.",
    ),
    Rule(
        "PARTS_EXCEED_TOTAL",
        "reconciliation",
        "error",
        "共N…其中各项之和超过总数",
        "Prose of the form 共N…其中a…、b… whose parts add up to more than N.",
    ),
    Rule(
        "PERCENT_MISMATCH",
        "reconciliation",
        "warning",
        "百分比与其所述基数不符",
        "N…占X% where X disagrees with N over its stated base by more than rounding.",
    ),
    Rule(
        "PLACEHOLDER_FIGURE",
        "reconciliation",
        "error",
        "应填数字处留有XX等占位符",
        "A placeholder such as XX or ×× stands where a figure belongs.",
    ),
    Rule(
        "INVALID_COUNT",
        "reconciliation",
        "error",
        "计数单元格为负数或小数",
        "A count cell is negative (outside change columns) or fractional.",
    ),
    Rule(
        "TABLE_INCOMPLETE",
        "reconciliation",
        "warning",
        "标准表格存在但部分必填单元格无法读取",
        "A standard table is present but some required cells could not be read.",
    ),
    # years
    Rule(
        "REPORT_YEAR_MISSING",
        "years",
        "error",
        "无法确定年度报告所属年份",
        "An annual report whose year cannot be determined.",
    ),
    Rule(
        "REPORT_YEAR_OUT_OF_RANGE",
        "years",
        "error",
        "报告年份早于2008年或晚于当前年份",
        "report_year before 2008 or after the current year.",
    ),
    Rule(
        "PUBLISHED_BEFORE_PERIOD_END",
        "years",
        "error",
        "发布日期早于报告年度结束",
        "Published on or before 31 December of the report year.",
    ),
    Rule(
        "PUBLISHED_LATE",
        "years",
        "warning",
        "超过法定期限发布",
        "Published after the legal deadline (31 January from report year 2019, 31 March before).",
    ),
    Rule(
        "PERIOD_YEAR_MISMATCH",
        "years",
        "error",
        "所述统计期限不是报告年度",
        "The stated statistics period is not the report year.",
    ),
    Rule(
        "TITLE_BODY_YEAR_MISMATCH",
        "years",
        "error",
        "标题年份与正文所述年份不一致",
        "The title's year differs from the year the body reports on.",
    ),
    Rule(
        "PLAN_YEAR_MISMATCH",
        "years",
        "warning",
        "下一步工作计划的年份不晚于报告年度",
        "A forward-looking plan dated to the report year or earlier.",
    ),
    Rule(
        "TEMPLATE_YEAR_MISMATCH",
        "years",
        "error",
        "引用或采用了该年度尚未施行的报告格式",
        "The report cites or follows a format not yet in force for its year.",
    ),
    Rule(
        "FUTURE_YEAR_REFERENCE",
        "years",
        "warning",
        "已完成事项的日期晚于发布日期",
        "Something stated as done is dated after the publication date.",
    ),
    # document
    Rule(
        "NOT_ANNUAL_REPORT",
        "document",
        "warning",
        "文件不是政府信息公开工作年度报告",
        "The document is not an annual report (a work plan, a notice).",
    ),
    Rule(
        "SPAM_INJECTED",
        "document",
        "error",
        "页面被注入垃圾或博彩网站文字",
        "Spam or gambling-site text injected into the page.",
    ),
    Rule(
        "GARBLED_TEXT", "document", "warning", "存在无法修复的乱码", "Encoding damage that cleaning could not repair."
    ),
    Rule(
        "TEMPLATE_TABLE_MISSING",
        "document",
        "warning",
        "2019或2021格式报告缺少标准表格",
        "A report in the 2019 or 2021 format lacks a standard table.",
    ),
    Rule(
        "FORMAT_NOT_FOLLOWED",
        "document",
        "warning",
        "2020年及以后的年度报告未采用规定格式(无任何标准表格)",
        "An annual report for 2020 or later (when a standard format was required: the 2019 format for"
        " 2020, the 2021 format from 2021) that does not follow it: none of its standard tables is present.",
    ),
    Rule(
        "DUPLICATE_REPORT",
        "document",
        "warning",
        "与另一文件的规范化文本相同",
        "The same normalised text as another report from a different file.",
    ),
    # continuity
    Rule(
        "CARRY_OVER_CONTINUITY",
        "continuity",
        "warning",
        "本年上年结转数≠上一年度结转下年度数",
        "This year's carried_over total differs from last year's carried_forward total.",
    ),
    Rule(
        "IN_FORCE_CONTINUITY",
        "continuity",
        "warning",
        "现行有效件数与上年数及本年增减不衔接",
        "This year's in-force count differs from last year's in-force + issued − repealed.",
    ),
    Rule(
        "COPIED_FROM_PRIOR_YEAR",
        "continuity",
        "warning",
        "半数以上文本与上一年度报告重复",
        "Half or more of the report's text repeats the same agency's previous-year report.",
    ),
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
SUITES: tuple[str, ...] = ("reconciliation", "years", "document", "continuity")


def catalogue_rows() -> list[dict[str, str]]:
    return [
        {
            "rule": r.code,
            "suite": r.suite,
            "severity": r.severity,
            "description_zh": r.description_zh,
            "description_en": r.description_en,
        }
        for r in RULES
    ]
