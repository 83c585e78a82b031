"""The metric catalogue: every table row, column and prose metric, declared once.

`catalog.metrics` in the warehouse, the table parser's row matching and the prose extractor all
read from here. A row's `pattern` is a regular expression matched against the words of a table
row label (numbering and wrapping removed), so that labels are recognised by their words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    code: str
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class Row:
    code: str
    label_zh: str
    label_en: str
    pattern: str
    templates: tuple[str, ...] = ("2019", "2021")
    has_values: bool = True


# ---------------------------------------------------------------- table 3 (收到和处理申请)
T3_COLUMNS: tuple[Column, ...] = (
    Column("natural_person", "自然人", "natural persons"),
    Column("commercial", "商业企业", "commercial enterprises"),
    Column("research", "科研机构", "research institutions"),
    Column("social_org", "社会公益组织", "social welfare organisations"),
    Column("legal_service", "法律服务机构", "legal service institutions"),
    Column("other_org", "其他", "other organisations"),
    Column("total", "总计", "total"),
)

T3_ROWS: tuple[Row, ...] = (
    Row("new_received", "一、本年新收政府信息公开申请数量", "new applications this year", r"本年新收"),
    Row("carried_over", "二、上年结转政府信息公开申请数量", "carried over from last year", r"上年结转"),
    Row("granted", "(一)予以公开", "granted", r"予以公开"),
    Row("partially_granted", "(二)部分公开", "partially granted", r"部分公开"),
    Row("denied_state_secret", "1.属于国家秘密", "denied: state secret", r"国家秘密"),
    Row("denied_law_prohibited", "2.其他法律行政法规禁止公开", "denied: prohibited by law", r"禁止公开|其他法律行政"),
    Row("denied_three_safeties", "3.危及“三安全一稳定”", "denied: endangers the three safeties", r"三安全一稳定|危及"),
    Row("denied_third_party", "4.保护第三方合法权益", "denied: third-party rights", r"第三方合法权益"),
    Row("denied_internal_affairs", "5.属于三类内部事务信息", "denied: internal affairs", r"内部事务"),
    Row("denied_process_info", "6.属于四类过程性信息", "denied: process information", r"过程性信息"),
    Row("denied_enforcement_file", "7.属于行政执法案卷", "denied: enforcement file", r"行政执法案卷"),
    Row("denied_admin_query", "8.属于行政查询事项", "denied: administrative query", r"行政查询事项"),
    Row("unable_not_held", "1.本机关不掌握相关政府信息", "unable: not held", r"不掌握"),
    Row("unable_needs_creation", "2.没有现成信息需要另行制作", "unable: needs creation", r"另行制作"),
    Row("unable_unclear", "3.补正后申请内容仍不明确", "unable: unclear after correction", r"仍不明确"),
    Row("rejected_petition", "1.信访举报投诉类申请", "not handled: petition or complaint", r"信访|举报投诉"),
    Row("rejected_duplicate", "2.重复申请", "not handled: duplicate", r"重复申请"),
    Row("rejected_publication", "3.要求提供公开出版物", "not handled: publication", r"公开出版物"),
    Row("rejected_excessive", "4.无正当理由大量反复申请", "not handled: excessive", r"大量反复"),
    Row(
        "rejected_confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
        "not handled: confirmation",
        r"重新出具|确认或重新",
    ),
    Row(
        "other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "other: no correction in time",
        r"逾期不补",
        ("2021",),
    ),
    Row(
        "other_unpaid_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "other: fee unpaid",
        r"收费通知|缴纳费用",
        ("2021",),
    ),
    Row("other_misc", "3.其他", "other: miscellaneous", r"\d\s*[.、．]?\s*其他$", ("2021",)),
    Row("other_handling", "(六)其他处理", "other handling", r"其他处理$", ("2019",)),
    Row("results_total", "(七)总计", "results total", r"总计$"),
    Row("carried_forward", "四、结转下年度继续办理", "carried forward to next year", r"结转下年"),
)

# The outcome rows whose sum is (七)总计, per template.
T3_OUTCOME_ROWS: dict[str, tuple[str, ...]] = {
    template: tuple(
        r.code
        for r in T3_ROWS
        if template in r.templates
        and r.code not in ("new_received", "carried_over", "results_total", "carried_forward")
    )
    for template in ("2019", "2021")
}

# ---------------------------------------------------------------- table 4 (复议诉讼)
T4_GROUPS: tuple[Column, ...] = (
    Column("reconsideration", "行政复议", "administrative reconsideration"),
    Column("litigation_direct", "未经复议直接起诉", "litigation without reconsideration"),
    Column("litigation_after_reconsideration", "复议后起诉", "litigation after reconsideration"),
)
T4_COLUMNS: tuple[Column, ...] = (
    Column("upheld", "结果维持", "upheld"),
    Column("corrected", "结果纠正", "corrected"),
    Column("other", "其他结果", "other result"),
    Column("pending", "尚未审结", "pending"),
    Column("total", "总计", "total"),
)

# ---------------------------------------------------------------- table 2 (主动公开)


@dataclass(frozen=True)
class T2Row:
    code: str
    label_zh: str
    label_en: str
    pattern: str
    columns: tuple[Column, ...]
    template: str


_T2_2021_DOCS = (
    Column("issued", "本年制发件数", "issued this year"),
    Column("repealed", "本年废止件数", "repealed this year"),
    Column("in_force", "现行有效件数", "in force"),
)
_T2_2021_DECISIONS = (Column("decisions", "本年处理决定数量", "decisions this year"),)
_T2_2019_DOCS = (
    Column("made", "本年新制作数量", "made this year"),
    Column("published", "本年新公开数量", "published this year"),
    Column("total_published", "对外公开总数量", "total published"),
)
_T2_2019_ITEMS = (
    Column("items_prev_year", "上一年项目数量", "items last year"),
    Column("items_change", "本年增/减", "change this year"),
    Column("decisions", "处理决定数量", "decisions"),
)

T2_ROWS: tuple[T2Row, ...] = (
    T2Row("regulations", "规章", "regulations", r"规章$", _T2_2021_DOCS, "2021"),
    T2Row("normative_documents", "行政规范性文件", "normative documents", r"规范性文件$", _T2_2021_DOCS, "2021"),
    T2Row("administrative_licensing", "行政许可", "administrative licensing", r"行政许可$", _T2_2021_DECISIONS, "2021"),
    T2Row("administrative_penalty", "行政处罚", "administrative penalty", r"行政处罚$", _T2_2021_DECISIONS, "2021"),
    T2Row("administrative_coercion", "行政强制", "administrative coercion", r"行政强制$", _T2_2021_DECISIONS, "2021"),
    T2Row(
        "administrative_fees",
        "行政事业性收费",
        "administrative fees",
        r"行政事业性收费$",
        (Column("amount", "本年收费金额(单位:万元)", "fees collected (10k yuan)"),),
        "2021",
    ),
    T2Row("regulations", "规章", "regulations", r"规章$", _T2_2019_DOCS, "2019"),
    T2Row("normative_documents", "规范性文件", "normative documents", r"规范性文件$", _T2_2019_DOCS, "2019"),
    T2Row("administrative_licensing", "行政许可", "administrative licensing", r"行政许可$", _T2_2019_ITEMS, "2019"),
    T2Row(
        "other_management_services",
        "其他对外管理服务事项",
        "other management services",
        r"其他对外管理服务事项$",
        _T2_2019_ITEMS,
        "2019",
    ),
    T2Row("administrative_penalty", "行政处罚", "administrative penalty", r"行政处罚$", _T2_2019_ITEMS, "2019"),
    T2Row("administrative_coercion", "行政强制", "administrative coercion", r"行政强制$", _T2_2019_ITEMS, "2019"),
    T2Row(
        "administrative_fees", "行政事业性收费", "administrative fees", r"行政事业性收费$", _T2_2019_ITEMS[:2], "2019"
    ),
    T2Row(
        "government_procurement",
        "政府集中采购",
        "government procurement",
        r"政府集中采购$",
        (
            Column("items", "采购项目数量", "procurement items"),
            Column("amount", "采购总金额", "procurement amount (10k yuan)"),
        ),
        "2019",
    ),
)

# ---------------------------------------------------------------- prose metrics


@dataclass(frozen=True)
class TextMetric:
    code: str
    label_zh: str
    label_en: str
    unit: str
    # Each pattern has a named group `n` (a figure, possibly a placeholder such as XX).
    patterns: tuple[str, ...]
    # Phrases meaning "none" (未收取费用) that make the value 0.
    zero_patterns: tuple[str, ...] = ()
    # Where several phrasings match, which one states the quantity. A match whose words before the
    # figure hold `part_cues` is a share of it (其他应主动公开…856条, 各乡镇主动公开…); one whose words
    # hold `total_cues` (全区/共/全年…) is the whole. The first match of the best kind is taken.
    total_cues: str = ""
    part_cues: str = ""
    # A sentence with these words is about something else (a service centre's 受理申请121510件).
    foreign_sentence: str = ""


# Chinese numerals as figures (三个街道, 收到申请十二件); a lone 一 before 个 is an article, and 第三次 an
# ordinal: both are told apart where figures are read.
CN_NUMERAL = r"[零〇一二两三四五六七八九十百千万]+"
_N = r"(?P<q1>近|约|逾|超过)?(?P<n>\d+(?:\.\d+)?|[Xx×]{1,3}|" + CN_NUMERAL + r")(?P<q2>余|多)?"

# Words before a figure that make it the whole year's, the whole body's.
_TOTAL_CUES = r"全区|全县|全市|全省|全年|共|累计|总计|合计"
# A service centre's applications (行政审批, 窗口, 办件) are no information-disclosure requests.
_SERVICE_CENTRE = r"审批|窗口|办件|政务服务|行政服务|便民服务|热线|12345"

TEXT_METRICS: tuple[TextMetric, ...] = (
    TextMetric(
        "text.proactive_items",
        "主动公开政府信息条数",
        "items published proactively",
        "条",
        (
            rf"主动公开[^。;；]{{0,12}}?信息{_N}条",
            rf"(?:共|全年|累计)(?:公布|发布|公开)(?:各类)?政府信息{_N}条",
            # 门户网站公开全市各类政府信息共计3437条 (not 依申请公开, 不予公开, 部分公开)
            rf"(?:^|[^请予分])(?:公开|发布|公布)(?:全市|全区|全县|全镇|各类|各项|本机关|本单位|的){{0,3}}政府信息"
            rf"(?:共计|共|合计|累计){_N}条",
        ),
        total_cues=_TOTAL_CUES,
        part_cues=r"其他|其中|[^各]类|采购|招投标|各乡镇|各部门|区直|县直|乡镇|部门|单位",
    ),
    TextMetric(
        "text.requests_received",
        "收到政府信息公开申请件数",
        "applications received",
        "件",
        (
            rf"(?:受理|收到|新收|接收)[^。;；]{{0,25}}?申请(?:信件)?(?:共计|共|合计)?{_N}(?:件|封|条)",
            rf"(?:受理|收到|新收|接收)(?:各类)?{_N}件(?:政府信息公开|信息公开|公开)?申请",
            rf"办理政府信息公开申请(?:共计|共|合计)?{_N}件",
        ),
        (r"(?:未|没有)(?:收到|受理|接到)[^。;；\n]{0,20}?公开[^。;；\n]{0,6}?申请",),
        foreign_sentence=_SERVICE_CENTRE,
    ),
    TextMetric(
        "text.requests_carried_over",
        "上年结转申请件数",
        "applications carried over",
        "件",
        (rf"上年结转(?:办理)?(?:申请)?{_N}件",),
    ),
    TextMetric(
        "text.reconsideration_cases",
        "因政府信息公开提起行政复议件数",
        "reconsideration cases",
        "件",
        (rf"行政复议(?:案件)?{_N}(?:件|起)",),
        (r"(?:未|没有)(?:收到|发生|接到|产生|出现)[^。;；\n]{0,30}?行政复议",),
    ),
    TextMetric(
        "text.litigation_cases",
        "因政府信息公开提起行政诉讼件数",
        "litigation cases",
        "件",
        (rf"行政诉讼(?:案件)?{_N}(?:件|起)",),
        (r"(?:未|没有)(?:收到|发生|接到|产生|出现)[^。;；\n]{0,30}?行政诉讼",),
    ),
    TextMetric(
        "text.policy_interpretations",
        "政策解读篇数",
        "policy interpretations",
        "篇",
        (rf"解读(?:材料|稿件)?{_N}(?:篇|条)",),
    ),
    TextMetric(
        "text.requests_granted",
        "予以公开件数",
        "applications granted",
        "件",
        (rf"(?:予以公开|同意公开)(?:答复)?{_N}件",),
    ),
    TextMetric(
        "text.requests_partially_granted",
        "部分公开件数",
        "applications partially granted",
        "件",
        # Not 予以公开及部分公开42件: that figure is both outcomes together (the metric below).
        (rf"(?:^|[^及和与、或])部分公开(?:答复)?{_N}件",),
    ),
    TextMetric(
        "text.requests_granted_in_whole_or_part",
        "予以公开及部分公开件数",
        "applications granted in whole or in part",
        "件",
        (rf"(?:予以公开|同意公开|全部公开)(?:及|和|与|、|或)部分公开(?:答复|的)?(?:共)?{_N}件",),
    ),
    TextMetric(
        "text.requests_carried_forward",
        "结转下年度办理件数",
        "applications carried forward",
        "件",
        (
            rf"{_N}件(?:申请)?结转(?:至|到)?下一?年",
            rf"结转(?:至|到)?(?:下一?年度?|(?:19|20)\d{{2}}年度?)(?:继续办理)?{_N}件",
        ),
    ),
    TextMetric("text.press_conferences", "新闻发布会场次", "press conferences", "场", (rf"新闻发布会{_N}(?:场|次)",)),
    TextMetric(
        "text.online_interviews", "在线访谈期数", "online interviews", "期", (rf"在线访谈(?:活动)?{_N}(?:期|次|场)",)
    ),
    TextMetric(
        "text.fees_yuan",
        "收取信息处理费(元)",
        "fees charged (yuan)",
        "元",
        (rf"收取[^。;；]{{0,12}}?费(?:用)?{_N}元",),
        (
            r"(?:未|没有|无|不)(?:发生)?[^。;；\n]{0,30}?收取[^。;；\n]{0,12}?费",
            r"(?:没有|未)发生[^。;；\n]{0,40}?收费",
            r"收费[^。;；\n]{0,6}?(?:为|是)?0元",
        ),
    ),
)

# Figures in prose: a number (or placeholder) followed by a unit.
FIGURE_UNITS: tuple[str, ...] = (
    "万元",
    "亿元",
    "元",
    "人次",
    "件",
    "条",
    "篇",
    "次",
    "场",
    "期",
    "封",
    "起",
    "项",
    "个",
    "家",
    "名",
    "人",
    "份",
    "批",
    "天",
    "个工作日",
)
# The characters a figure can start with (a leading qualifier's, a numeral's). Python's regex
# engine tries the whole pattern at every position of a text; this lookahead turns most positions
# away after one character test (the figure scan: 0.44x the time, the same matches).
_FIGURE_FIRST = "(?=[近约逾超\\dXx×" + CN_NUMERAL.removeprefix("[").removesuffix("]+") + "])"
# A figure without the leading look-ahead (which only lets Python's engine skip positions fast):
# the form Polars' engine, which has no look-arounds, searches a batch with.
FIGURE_BODY = (
    r"(?P<q1>近|约|逾|超过)?(?P<n>\d+(?:\.\d+)?|[Xx]{2,3}|×{2,3}|" + CN_NUMERAL + r")(?P<q2>余|多)?"
    r"(?P<unit>" + "|".join(sorted(FIGURE_UNITS, key=len, reverse=True)) + ")"
)
FIGURE_PATTERN = _FIGURE_FIRST + FIGURE_BODY
APPROX_QUALIFIERS = ("近", "约", "逾", "超过", "余", "多")
PLACEHOLDER_VALUE = r"^(?:[Xx]{1,3}|×{1,3})$"


def metric_catalogue() -> list[dict[str, object]]:
    """One dict per metric code, the rows of `catalog.metrics`."""
    rows: list[dict[str, object]] = []
    for row in T3_ROWS:
        for col in T3_COLUMNS:
            rows.append(
                {
                    "metric": f"t3.{row.code}.{col.code}",
                    "table_code": "t3",
                    "row_code": row.code,
                    "col_code": col.code,
                    "label_zh": f"{row.label_zh} / {col.label_zh}",
                    "label_en": f"{row.label_en} / {col.label_en}",
                    "unit": "件",
                    "templates": list(row.templates),
                }
            )
    for group in T4_GROUPS:
        for col in T4_COLUMNS:
            rows.append(
                {
                    "metric": f"t4.{group.code}.{col.code}",
                    "table_code": "t4",
                    "row_code": group.code,
                    "col_code": col.code,
                    "label_zh": f"{group.label_zh} / {col.label_zh}",
                    "label_en": f"{group.label_en} / {col.label_en}",
                    "unit": "件",
                    "templates": ["2019", "2021"],
                }
            )
    seen: dict[str, dict[str, object]] = {}
    for t2 in T2_ROWS:
        for col in t2.columns:
            code = f"t2.{t2.code}.{col.code}"
            if code in seen:
                seen[code]["templates"] = [*seen[code]["templates"], t2.template]  # type: ignore[misc]
                continue
            unit = t2_unit(col)
            seen[code] = {
                "metric": code,
                "table_code": "t2",
                "row_code": t2.code,
                "col_code": col.code,
                "label_zh": f"{t2.label_zh} / {col.label_zh}",
                "label_en": f"{t2.label_en} / {col.label_en}",
                "unit": unit,
                "templates": [t2.template],
            }
    rows.extend(seen.values())
    for tm in TEXT_METRICS:
        rows.append(
            {
                "metric": tm.code,
                "table_code": None,
                "row_code": None,
                "col_code": None,
                "label_zh": tm.label_zh,
                "label_en": tm.label_en,
                "unit": tm.unit,
                "templates": ["2019", "2021", "pre2019"],
            }
        )
    # The order a reader expects them in: each table's rows and columns as the template prints
    # them (table 3's applicant columns 自然人 … 总计, not alphabetically), then the prose metrics.
    for position, entry in enumerate(rows, start=1):
        entry["display_order"] = position
    return rows


def t2_unit(column: Column) -> str:
    if column.code == "amount":
        return "万元"
    return "项" if column.code.startswith("items") else "件"
