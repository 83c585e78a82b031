"""A generator of realistic 2021-format annual reports with known truth, for tests and benchmarks.

Each report renders tables 2, 3 and 4 in one layout (flat, grid, markdown, html) with consistent
figures (勾稽关系 hold) and varied prose, unless a fault is injected; the truth holds every cell and
the rules each file must raise. Faults cover every rule of the catalogue: single-report faults,
a duplicate saved in another encoding, and consecutive-year pairs of one agency for the
continuity rules. Every fault has a clean twin built from the same seed that must raise nothing.
"""

from __future__ import annotations

import hashlib
import html
import random
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from transforms import catalog
from transforms.metadata import gazetteer

LAYOUTS: tuple[str, ...] = ("flat", "grid", "markdown", "html")
# Pages whose table cells lost every separator, cut back by the tables' arithmetic: each row on a
# line of its own (glued), or the whole page body on one line as a crawl saves it (flattened: item
# numbers run into the row before, stray single spaces inside digit runs, headers glued to rows).
# A crawl of a Word-made web table (crawled): one cell a line, each followed by ` |`, a blank cell
# as `|`, a spanned cell's columns as pipes after its row, and the zero counts of the five
# organisation columns left blank in some rows, as many offices leave them.
ALL_LAYOUTS: tuple[str, ...] = (*LAYOUTS, "glued", "flattened", "crawled")
# The layout the reader records for a generated one, where the two names differ.
READ_AS_LAYOUT = {"crawled": "markdown"}
BLANK_ZEROS_SHARE = 0.5  # table-3 rows of a crawled page whose organisation columns' zeros are blank
# Table 3's labels as real pages word them, where the catalogue's short form differs.
REAL_T3_WORDING = {"partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"}
STRAY_SPACE_SHARE = 0.25  # table-3 rows of a flattened page with a stray space inside their digits
TEMPLATES: tuple[str, ...] = ("2021", "2019")
SINGLE_FAULTS: tuple[str, ...] = (
    "T3_BALANCE",
    "T3_RESULTS_SUM",
    "T3_COLUMN_SUM",
    "T4_SUM",
    "TEXT_TABLE_MISMATCH",
    "PARTS_EXCEED_TOTAL",
    "PERCENT_MISMATCH",
    "PLACEHOLDER_FIGURE",
    "INVALID_COUNT",
    "TABLE_INCOMPLETE",
    "REPORT_YEAR_MISSING",
    "REPORT_YEAR_OUT_OF_RANGE",
    "PUBLISHED_BEFORE_PERIOD_END",
    "PUBLISHED_LATE",
    "PERIOD_YEAR_MISMATCH",
    "TITLE_BODY_YEAR_MISMATCH",
    "PLAN_YEAR_MISMATCH",
    "TEMPLATE_YEAR_MISMATCH",
    "FUTURE_YEAR_REFERENCE",
    "NOT_ANNUAL_REPORT",
    "SPAM_INJECTED",
    "GARBLED_TEXT",
    "TEMPLATE_TABLE_MISSING",
    "FORMAT_NOT_FOLLOWED",
)
PAIR_FAULTS: tuple[str, ...] = ("CARRY_OVER_CONTINUITY", "IN_FORCE_CONTINUITY", "COPIED_FROM_PRIOR_YEAR")
DUPLICATE_FAULTS: tuple[str, ...] = ("DUPLICATE_REPORT",)
FAULTS: tuple[str, ...] = SINGLE_FAULTS + PAIR_FAULTS + DUPLICATE_FAULTS
# Kept for the tests written against the first generator: the table faults.
TABLE_FAULTS: tuple[str, ...] = ("T3_BALANCE", "T3_RESULTS_SUM", "T3_COLUMN_SUM", "T4_SUM", "PLACEHOLDER_FIGURE")

DEPARTMENTS = ("人民政府办公室", "教育局", "财政局", "发展和改革局", "自然资源局", "卫生健康局", "民政局", "司法局")
SUBJECTS = ("我办", "本机关", "我局")
ACTIONS = ("深入推进", "持续加强", "扎实开展", "不断完善", "认真落实", "积极推动", "全面规范", "稳步推进")
OBJECTS = (
    "政务公开标准化规范化建设",
    "政策解读工作",
    "政府网站集约化建设",
    "依申请公开办理",
    "政务新媒体管理",
    "重点领域信息公开",
    "公开目录动态调整",
    "保密审查机制",
    "政务服务事项公开",
    "公共企事业单位信息公开",
    "政府信息管理",
    "线下公开专区建设",
)
OUTCOMES = ("取得明显成效", "公众满意度进一步提升", "为群众办事提供了便利", "工作质量稳步提高", "各项任务按期完成")
SPAM = "开云手机官网入口·(中国)官方网站"
MOJIBAKE = "?。ǘ┩晟屏烁项规章制度。"


@dataclass
class Carry:
    """What last year's report fixes for this year's: carried-over cells and documents in force."""

    carried_over: list[int]
    in_force: dict[str, float]
    prose: list[str] | None = None


@dataclass
class Generated:
    name: str
    text: str
    layout: str
    report_year: int | None
    agency: str
    region: tuple[str, str, str]
    truth: dict[str, float] = field(default_factory=dict)
    expected_rules: set[str] = field(default_factory=set)
    encoding: str = "utf-8"
    fault: str | None = None
    carry: Carry | None = None  # what this report fixes for the same agency's next year
    template: str = "2021"
    prose_truth: dict[str, float] = field(default_factory=dict)  # text.* metrics the prose states
    published: date | None = None  # the date the report carries (header 发布日期, else its signature)
    doc_type: str = "annual_report"
    noises: tuple[str, ...] = ()  # the website and file damage rendered on top (testkit/noise.py)

    @property
    def data(self) -> bytes:
        return self.text.encode(self.encoding)

    @property
    def report_id(self) -> str:
        return hashlib.sha256(self.data).hexdigest()[:16]


@cache
def _counties() -> tuple[tuple[str, str, str], ...]:
    """Counties whose names are unique in China, with their city and province (from the gazetteer)."""
    divisions = gazetteer.current_divisions()
    names: dict[str, int] = {}
    for d in divisions:
        names[d.name] = names.get(d.name, 0) + 1
    return tuple(
        (d.province, d.city, d.name)
        for d in divisions
        if d.level == "county"
        and d.city
        and names[d.name] == 1
        and d.province not in ("台湾省", "香港特别行政区", "澳门特别行政区")
        and d.name.endswith(("区", "县"))
        and len(d.name) >= 3
    )


def agency_of(index: int) -> tuple[str, tuple[str, str, str]]:
    counties = _counties()
    province, city, county = counties[(index * 7919) % len(counties)]
    department = DEPARTMENTS[(index // len(counties)) % len(DEPARTMENTS)]
    return f"{county}{department}", (province, city, county)


def _t3_values(
    rng: random.Random, rows: list[str], carried_over: list[int] | None = None, template: str = "2021"
) -> dict[str, list[int]]:
    outcome_rows = [r for r in rows if r in catalog.T3_OUTCOME_ROWS[template]]
    values: dict[str, list[int]] = {r: [0] * 6 for r in rows}
    for column in range(6):
        weight = 30 if column == 0 else 3
        for row in outcome_rows:
            if rng.random() < 0.35:
                values[row][column] = rng.randint(0, weight)
        values["carried_forward"][column] = rng.randint(0, 2)
        wanted = carried_over[column] if carried_over else rng.randint(0, 2)
        results = sum(values[r][column] for r in outcome_rows)
        if results + values["carried_forward"][column] < wanted:
            values["granted"][column] += wanted  # enough handled to cover what was carried over
            results += wanted
        values["results_total"][column] = results
        values["carried_over"][column] = wanted
        values["new_received"][column] = results + values["carried_forward"][column] - wanted
    return {row: [*cells, sum(cells)] for row, cells in values.items()}


def _wrap(label: str, rng: random.Random) -> list[str]:
    if len(label) > 14 and rng.random() < 0.5:
        cut = rng.randint(8, len(label) - 4)
        return [label[:cut], label[cut:]]
    return [label]


def _render(rows: list[tuple[str, list[str]]], layout: str, rng: random.Random, stray_spaces: bool = False) -> str:
    if layout == "flat":
        out: list[str] = []
        for label, cells in rows:
            out.extend(_wrap(label, rng) if cells else [label])
            out.extend(cells)
        return "\n\n".join(out)
    if layout == "grid":
        return "\n".join("\t".join([label, *cells]) for label, cells in rows)
    if layout == "glued":  # every separator lost: label and digits run together
        return "\n".join(label + "".join(cells) for label, cells in rows)
    if layout == "flattened":  # one line: each row runs into the next (…00000002.其他法律…)
        return "".join(_flattened_row(label, cells, rng, stray_spaces) for label, cells in rows)
    if layout == "crawled":
        return _crawled(rows)
    if layout == "markdown":
        width = max(len(cells) for _, cells in rows) + 1
        lines = ["| " + " | ".join([label, *cells] + [""] * (width - 1 - len(cells))) + " |" for label, cells in rows]
        return "\n".join([lines[0], "|" + "---|" * width, *lines[1:]])
    return _html_table(rows)


def _crawled(rows: list[tuple[str, list[str]]]) -> str:
    width = max(len(cells) for _, cells in rows) + 1
    out: list[str] = []
    for label, cells in rows:
        if label:
            out.append(f"{label} |")
        out.extend(f"{cell} |" if cell else "|" for cell in cells)
        if width - 1 - len(cells) > 0:
            out.append("|" * (width - 1 - len(cells)))
    return "\n".join(out)


def _flattened_row(label: str, cells: list[str], rng: random.Random, stray_spaces: bool) -> str:
    """A row as a crawl flattens it: fullwidth brackets, the digits glued, sometimes a space before
    them, and (`stray_spaces`: table 3) in a quarter of the rows a stray single space inside the run
    (`230 000023`)."""
    label = label.replace("(", "（").replace(")", "）")
    if not cells or not all(cell.isdigit() for cell in cells):
        return label + "".join(cells)
    digits = "".join(cells)
    if stray_spaces and len(cells) > 1 and len(digits) > 2 and rng.random() < STRAY_SPACE_SHARE:
        cut = rng.randint(1, len(digits) - 1)
        digits = digits[:cut] + " " + digits[cut:]
    return label + (" " if rng.random() < 0.3 else "") + digits


def _html_table(rows: list[tuple[str, list[str]]]) -> str:
    """A table as sites publish it: a label cell spanning the empty columns of header rows, and
    the group header of a block (三、本年度办理结果, (三)不予公开…) as a rowspan cell on its first row."""
    width = max(len(cells) for _, cells in rows) + 1
    out: list[str] = []
    pending_group: str | None = None
    group_size = 0
    for position, (label, cells) in enumerate(rows):
        if not cells and position > 0:  # a block header: it spans the rows that follow it
            pending_group = label
            group_size = 0
            for _, later in rows[position + 1 :]:
                if not later:
                    break
                group_size += 1
            continue
        tds = ""
        if pending_group is not None:
            tds += f"<td rowspan='{max(group_size, 1)}'>{html.escape(pending_group)}</td>"
            pending_group = None
        span = width - len(cells)
        tds += f"<td colspan='{span}'>{html.escape(label)}</td>" if span > 1 else f"<td>{html.escape(label)}</td>"
        tds += "".join(f"<td>{html.escape(x)}</td>" for x in cells)
        out.append(f"<tr>{tds}</tr>")
    return f"<table border='1'>{''.join(out)}</table>"


def _prose(rng: random.Random, count: int) -> list[str]:
    picks: list[str] = []
    while len(picks) < count:
        sentence = f"{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}{rng.choice(OBJECTS)},{rng.choice(OUTCOMES)}。"
        if sentence not in picks:
            picks.append(sentence)
    return picks


def generate(
    index: int,
    layout: str,
    fault: str | None,
    seed: int = 0,
    year: int | None = None,
    carry: Carry | None = None,
    agency_index: int | None = None,
    template: str = "2021",
) -> Generated:
    rng = random.Random(seed * 100003 + index)
    agency, region = agency_of(index if agency_index is None else agency_index)
    _, city, county = region
    year = year or (2021 + index % 4 if template == "2021" else 2019 + index % 2)
    if fault == "REPORT_YEAR_OUT_OF_RANGE":
        year = date.today().year + 1
    elif fault == "TEMPLATE_YEAR_MISMATCH":
        year = 2020
    t3_codes = [r.code for r in catalog.T3_ROWS if template in r.templates]
    t3 = _t3_values(rng, t3_codes, carry.carried_over[:6] if carry else None, template)
    t4 = {g.code: [rng.randint(0, 2) for _ in range(4)] for g in catalog.T4_GROUPS}
    t4 = {g: [*v, sum(v)] for g, v in t4.items()}
    t2 = {
        f"t2.{r.code}.{c.code}": _t2_value(rng, c.code, plain=layout in ("glued", "flattened"))
        for r in catalog.T2_ROWS
        if r.template == template
        for c in r.columns
    }
    if carry:
        for kind in ("regulations", "normative_documents"):
            available = carry.in_force[kind] + t2[f"t2.{kind}.issued"]
            t2[f"t2.{kind}.repealed"] = min(t2[f"t2.{kind}.repealed"], available)  # cannot repeal more than exist
            t2[f"t2.{kind}.in_force"] = available - t2[f"t2.{kind}.repealed"]
    expected: set[str] = {fault} if fault in SINGLE_FAULTS else set()
    t2_shown = {k: f"{v:g}" for k, v in t2.items()}
    if layout not in ("glued", "flattened"):
        _large_decisions(random.Random(seed * 100003 + index + LARGE_FIGURES_SALT), t2, t2_shown)
    if fault == "T3_BALANCE":
        t3["new_received"][0] += 1
        t3["new_received"][6] += 1
    elif fault == "T3_RESULTS_SUM":  # an outcome cell off by one, its row total following
        t3["granted"][0] += 1
        t3["granted"][6] += 1
    elif fault == "T3_COLUMN_SUM":
        for row in ("granted", "results_total", "new_received"):
            t3[row][6] += 1
    elif fault == "T4_SUM":
        t4["reconsideration"][4] += 1
    elif fault == "INVALID_COUNT":
        t2["t2.administrative_licensing.decisions"] = -2.0
        t2_shown["t2.administrative_licensing.decisions"] = "-2"
    elif fault == "TABLE_INCOMPLETE":
        del t2["t2.administrative_penalty.decisions"]
        t2_shown["t2.administrative_penalty.decisions"] = "/"
    truth: dict[str, float] = {}
    for row, cells in t3.items():
        for column, value in zip(catalog.T3_COLUMNS, cells, strict=True):
            truth[f"t3.{row}.{column.code}"] = float(value)
    if fault not in ("TEMPLATE_TABLE_MISSING", "FORMAT_NOT_FOLLOWED"):
        for group, cells in t4.items():
            for column, value in zip(catalog.T4_COLUMNS, cells, strict=True):
                truth[f"t4.{group}.{column.code}"] = float(value)
    truth.update(t2)

    labels = {r.code: r.label_zh for r in catalog.T3_ROWS}
    headers = {
        "granted": "三、本年度办理结果",
        "denied_state_secret": "(三)不予公开",
        "unable_not_held": "(四)无法提供",
        "rejected_petition": "(五)不予处理",
        "other_no_correction": "(六)其他处理",
    }
    if layout == "flattened":
        labels.update(REAL_T3_WORDING)
    t3_rows: list[tuple[str, list[str]]] = [("申请人情况", [c.label_zh for c in catalog.T3_COLUMNS])]
    for code in t3_codes:
        if code == "unable_not_held" and layout == "flattened" and template == "2019":
            t3_rows.append((headers["granted"], []))  # 2019-format pages repeat the block's heading
        if code in headers and (code != "other_no_correction" or template == "2021"):
            t3_rows.append((headers[code], []))
        shown = [str(v) for v in t3[code]]
        if layout == "crawled" and rng.random() < BLANK_ZEROS_SHARE:
            for position, column in enumerate(catalog.T3_COLUMNS[1:-1], start=1):
                if shown[position] == "0":  # a blank cell states no figure
                    shown[position] = ""
                    del truth[f"t3.{code}.{column.code}"]
        t3_rows.append((labels[code], shown))
    t2_rows: list[tuple[str, list[str]]] = []
    for r in catalog.T2_ROWS:
        if r.template == template:
            header = ("信息内容", [c.label_zh for c in r.columns])
            if not t2_rows or [c for c in t2_rows if not c[1][0][:1].isdigit() and c[0] == "信息内容"][-1] != header:
                t2_rows.append(header)
            t2_rows.append((r.label_zh, [t2_shown[f"t2.{r.code}.{c.code}"] for c in r.columns]))
    t4_rows: list[tuple[str, list[str]]] = [
        ("行政复议", ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]),
        (
            "数据" if layout not in ("flat", "glued", "flattened") else "",
            [str(v) for g in catalog.T4_GROUPS for v in t4[g.code]],
        ),
    ]

    # ---------------------------------------------------------------- prose and dates
    # A title copied from last year's report names the wrong year; the body (its period and prose)
    # tells the year the report covers.
    title_year = year - 1 if fault == "TITLE_BODY_YEAR_MISMATCH" else year
    # A period that is not one calendar year (its end typed a year late).
    period_end_year = year + 1 if fault == "PERIOD_YEAR_MISMATCH" else year
    title = f"{agency}{title_year}年政府信息公开工作年度报告"
    if fault == "REPORT_YEAR_MISSING":
        title = f"{agency}政府信息公开工作年度报告"
    elif fault == "NOT_ANNUAL_REPORT":
        title = f"{agency}关于印发{year}年政务公开工作要点的通知"
    period = f"所列数据统计期限自{year}年1月1日起至{period_end_year}年12月31日止。"
    if fault == "REPORT_YEAR_MISSING":
        period = ""
    signed = f"{year + 1}年1月{rng.randint(5, 28)}日"
    if fault == "PUBLISHED_BEFORE_PERIOD_END":
        signed = f"{year}年12月{rng.randint(5, 28)}日"
    elif fault == "PUBLISHED_LATE":
        signed = f"{year + 1}年3月{rng.randint(5, 28)}日"
    plan_year = year if fault == "PLAN_YEAR_MISMATCH" else year + 1
    # The body as a contact line names it: its city, then its own name, which begins with its county.
    named = agency if agency.startswith(county) else f"{county}{agency}"
    contact = SPAM if fault == "SPAM_INJECTED" else f"{city}{named}"
    requests = int(truth["t3.new_received.total"])
    requests_text = (
        "XX" if fault == "PLACEHOLDER_FIGURE" else str(requests + 3 if fault == "TEXT_TABLE_MISMATCH" else requests)
    )
    interpretations = rng.randint(20, 60)
    parts = [rng.randint(1, interpretations // 2), rng.randint(1, interpretations // 2)]
    if fault == "PARTS_EXCEED_TOTAL":
        parts[1] = interpretations - parts[0] + rng.randint(1, 9)
    base = rng.randint(50, 300)
    adopted = rng.randint(5, base - 1)
    share = round(adopted / base * 100, 1) + (7 if fault == "PERCENT_MISMATCH" else 0)
    training_year = year + 1 if fault == "FUTURE_YEAR_REFERENCE" else year
    press, interviews, proactive = rng.randint(1, 12), rng.randint(1, 30), rng.randint(100, 5000)
    press_text = cn_numeral(press) if rng.random() < 0.5 else str(press)
    reconsideration = t4["reconsideration"][4]
    stated = [
        rng.choice([f"全年举办新闻发布会{press_text}场。", f"共召开新闻发布会{press_text}场,及时发布权威信息。"]),
        rng.choice([f"开展在线访谈{interviews}期。", f"组织负责人在线访谈{interviews}期,回应关切。"]),
        rng.choice([f"全年主动公开政府信息{proactive}条。", f"通过门户网站主动公开政府信息{proactive}条。"]),
        f"本年度因政府信息公开申请提起行政复议{reconsideration}件。",
    ]
    prose_truth = {
        "text.press_conferences": float(press),
        "text.online_interviews": float(interviews),
        "text.proactive_items": float(proactive),
        "text.reconsideration_cases": float(reconsideration),
        "text.policy_interpretations": float(interpretations),
        "text.fees_yuan": 0.0,
    }
    if fault != "PLACEHOLDER_FIGURE":
        prose_truth["text.requests_received"] = float(int(requests_text))
    prose = carry.prose if (carry and carry.prose and fault == "COPIED_FROM_PRIOR_YEAR") else _prose(rng, 16)
    # A report with no year anywhere says 本年度 where others name the year.
    this_year = "本年度" if fault == "REPORT_YEAR_MISSING" else f"{year}年"
    next_year = "下一年度" if fault == "REPORT_YEAR_MISSING" else f"{plan_year}年"
    overview = [
        f"{this_year},{prose[0]}",
        f"{this_year},{agency}共受理政府信息公开申请{requests_text}件,全部按时答复。",
        f"{this_year},共发布政策解读{interpretations}篇,其中文字解读{parts[0]}篇、图解{parts[1]}篇。",
        f"全年共收到意见建议{base}件,已采纳{adopted}件,占{share:g}%。",
        f"{training_year}年3月,本机关组织开展了政务公开专题培训。",
        *stated,
        *prose[1:8],
    ]
    if fault == "GARBLED_TEXT":
        overview.append(MOJIBAKE)
    citation = "国办公开办函〔2021〕30号" if template == "2021" else "国办公开办函〔2019〕60号"
    free_text = fault == "FORMAT_NOT_FOLLOWED"
    paragraphs = [
        title,
        f"本报告依据《中华人民共和国政府信息公开条例》{'' if free_text else '和' + citation}编制,"
        f"{period}如有疑问请联系{contact}。",
        "一、总体情况",
        "\n".join(overview),
        "二、主动公开政府信息情况",
        "" if free_text else _render(t2_rows, layout, rng),
        "三、收到和处理政府信息公开申请情况",
        "" if free_text else _render(t3_rows, layout, rng, stray_spaces=True),
        "四、政府信息公开行政复议、行政诉讼情况",
        "" if fault in ("TEMPLATE_TABLE_MISSING", "FORMAT_NOT_FOLLOWED") else _render(t4_rows, layout, rng),
        "五、存在的主要问题及改进情况",
        "\n".join([*prose[8:], f"{next_year},我们将继续加强政务公开工作。"]),
        "六、其他需要报告的事项",
        f"本年度未收取信息处理费。\n\n{agency}\n{signed}",
    ]
    text = "\n\n".join(x for x in paragraphs if x)
    if layout == "flattened":
        text = _crawled_page(title, signed, [x for x in paragraphs[1:] if x])
    if layout == "html":
        body = "".join(p if p.startswith("<table") else f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
        text = f"<html><head><script>var x = '<td>1</td>';</script></head><body>{body}</body></html>"
    name = f"gen_{seed}_{index:05d}_{layout}_{template}_{fault or 'clean'}.{'html' if layout == 'html' else 'txt'}"
    generated = Generated(
        name,
        text,
        layout,
        None if fault == "REPORT_YEAR_MISSING" else year,
        agency,
        region,
        {} if free_text else truth,  # a free-text report of a year when a format was required
        expected,
        fault=fault,
    )
    in_force = {k: t2.get(f"t2.{k}.in_force", 0.0) for k in ("regulations", "normative_documents")}
    generated.carry = Carry(t3["carried_forward"], in_force, prose)
    generated.template = template
    generated.prose_truth = prose_truth
    signed_year, signed_month, signed_day = (int(x) for x in re.findall(r"\d+", signed))
    generated.published = date(signed_year, signed_month, signed_day)
    generated.doc_type = "work_plan" if fault == "NOT_ANNUAL_REPORT" else "annual_report"
    return generated


def _crawled_page(title: str, signed: str, paragraphs: list[str]) -> str:
    """A page as a public crawl saved it: a metadata header, then the body flattened to one line."""
    year, month, day = (int(x) for x in re.findall(r"\d+", signed))
    header = (
        f"标题: {title}\n发布时间: {date(year, month, day).isoformat()} 10:00\n文号: \n发布机构: \n"
        "栏目: 政府信息公开年报\n==================== 正文 ====================\n"
    )
    return header + " ".join(" ".join(line for line in p.split("\n") if line) for p in paragraphs)


# A body that decides thousands of licences or penalties a year prints them with thousands
# separators as often as not (行政许可 12,690; 收费金额 1,234.56 万元). Drawn with a generator of
# their own, so the rest of a report is the same with or without them.
LARGE_FIGURES_SALT = 7919
LARGE_FIGURES_SHARE = 0.3


def _large_decisions(rng: random.Random, t2: dict[str, float], shown: dict[str, str]) -> None:
    for metric in [m for m in t2 if m.endswith(".decisions") or m.endswith(".amount")]:
        if rng.random() >= LARGE_FIGURES_SHARE or shown[metric] in ("-2", "/"):
            continue
        large = float(rng.randint(1000, 20000)) if metric.endswith(".decisions") else round(rng.uniform(1000, 9999), 2)
        t2[metric] = large
        separated = rng.random() < 0.5
        if large.is_integer():
            shown[metric] = f"{int(large):,}" if separated else str(int(large))
        else:
            shown[metric] = f"{large:,.2f}" if separated else f"{large:.2f}"


def _t2_value(rng: random.Random, column: str, plain: bool = False) -> float:
    """A table-2 cell; `plain` (glued pages) keeps to whole non-negative numbers, as a lone digit
    run cannot carry a sign or a decimal point."""
    if column == "items_change":
        return float(rng.randint(0 if plain else -5, 5))  # 本年增/减 may be negative
    if column == "amount":
        return float(rng.randint(0, 500)) if plain else round(rng.uniform(0, 500), 1)  # 万元
    return float(rng.randint(0, 40))


_CN_DIGITS = "零一二三四五六七八九"


def cn_numeral(number: int) -> str:
    """12 → 十二, 7 → 七: how reports write small counts in words."""
    if number < 10:
        return _CN_DIGITS[number]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def generate_case(index: int, layout: str, fault: str | None, seed: int = 0) -> list[Generated]:
    """The files one case puts in the inbox: one report, a report and its duplicate, or an
    agency's two consecutive years. `fault=None` with a pair or duplicate fault's shape is its twin."""
    if fault in PAIR_FAULTS:
        previous = generate(index, layout, None, seed, year=2022)
        carry = previous.carry
        assert carry is not None
        carried = list(carry.carried_over)
        if fault == "CARRY_OVER_CONTINUITY":
            carried[0] += 1
        in_force = dict(carry.in_force)
        if fault == "IN_FORCE_CONTINUITY":
            in_force["regulations"] += 2
        current = generate(
            index + 500_000,
            layout,
            fault,
            seed,
            year=2023,
            agency_index=index,
            carry=Carry(carried, in_force, carry.prose),
        )
        current.expected_rules = {fault}
        return [previous, current]
    if fault in DUPLICATE_FAULTS:
        original = generate(index, layout, None, seed)
        copy = generate(index, layout, None, seed)
        copy.name = original.name.replace("_clean.", "_dup_gb18030.")
        copy.encoding = "gb18030"
        later = max((original, copy), key=lambda g: g.report_id)
        later.expected_rules = {"DUPLICATE_REPORT"}
        for g in (original, copy):
            g.fault = fault
        return [original, copy]
    return [generate(index, layout, fault, seed)]


def twin_cases(seed: int = 0) -> list[tuple[str, list[Generated], list[Generated]]]:
    """For every rule: (rule, files with the fault, near-identical files without it)."""
    out = []
    for number, fault in enumerate(FAULTS):
        layout = LAYOUTS[number % len(LAYOUTS)]
        index = 1000 + number
        faulty = generate_case(index, layout, fault, seed)
        if fault in PAIR_FAULTS:
            previous = generate(index + 50, layout, None, seed, year=2022)
            current = generate(
                index + 50 + 500_000, layout, None, seed, year=2023, agency_index=index + 50, carry=previous.carry
            )
            clean = [previous, current]
        elif fault in DUPLICATE_FAULTS:
            clean = [generate(index + 50, layout, None, seed), generate(index + 51, layout, None, seed)]
        else:
            clean = generate_case(index, layout, None, seed)
            for g in clean:
                g.name = g.name.replace("_clean.", f"_twin_of_{fault}.")
        out.append((fault, faulty, clean))
    return out


def corpus(seed: int = 0) -> list[Generated]:
    """Every layout × (no fault, each table fault): the table reader's test set."""
    out: list[Generated] = []
    index = 0
    for layout in LAYOUTS:
        for fault in (None, *TABLE_FAULTS):
            out.append(generate(index, layout, fault, seed))
            index += 1
    return out


def random_corpus(n: int, seed: int = 0, fault_rate: float = 0.5) -> list[Generated]:
    """About n files with faults of every kind in random places, for measuring the rules."""
    rng = random.Random(seed)
    files: list[Generated] = []
    index = 0
    while len(files) < n:
        fault = rng.choice(FAULTS) if rng.random() < fault_rate else None
        files.extend(generate_case(index, rng.choice(LAYOUTS), fault, seed))
        index += 1
    return files
