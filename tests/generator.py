"""A generator of realistic 2021-format annual reports with known truth, for tests and benchmarks.

Each report renders tables 2, 3 and 4 in one layout (flat, grid, markdown, html), with consistent
figures (勾稽关系 hold) unless a fault is injected; the truth says every cell and which rules the
faults must raise. Labels come from the catalogue, wrapped over two lines in the flat layout the
way real pages break them.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field

from transforms import catalog

LAYOUTS: tuple[str, ...] = ("flat", "grid", "markdown", "html")
FAULTS: tuple[str, ...] = (
    "T3_BALANCE",
    "T3_RESULTS_SUM",
    "T3_COLUMN_SUM",
    "T4_SUM",
    "PLACEHOLDER_FIGURE",
    "PUBLISHED_BEFORE_PERIOD_END",
    "REPORT_YEAR_MISSING",
    "PLAN_YEAR_MISMATCH",
)
AGENCIES: tuple[tuple[str, str, str, str], ...] = (
    ("河东区人民政府办公室", "山东省", "临沂市", "河东区"),
    ("张店区发展和改革局", "山东省", "淄博市", "张店区"),
    ("黑山县人民政府", "辽宁省", "锦州市", "黑山县"),
    ("鼓楼区教育局", "江苏省", "南京市", "鼓楼区"),
)


@dataclass
class Generated:
    name: str
    text: str
    layout: str
    report_year: int
    agency: str
    region: tuple[str, str, str]
    truth: dict[str, float] = field(default_factory=dict)
    expected_rules: set[str] = field(default_factory=set)


def _t3_values(rng: random.Random, template_rows: list[str]) -> dict[str, list[int]]:
    outcome_rows = [r for r in template_rows if r in catalog.T3_OUTCOME_ROWS["2021"]]
    values: dict[str, list[int]] = {r: [0] * 6 for r in template_rows}
    for column in range(6):
        weight = 30 if column == 0 else 3
        for row in outcome_rows:
            if rng.random() < 0.35:
                values[row][column] = rng.randint(0, weight)
        results = sum(values[r][column] for r in outcome_rows)
        values["results_total"][column] = results
        values["carried_forward"][column] = rng.randint(0, 2)
        values["carried_over"][column] = rng.randint(0, min(2, results + values["carried_forward"][column]))
        values["new_received"][column] = results + values["carried_forward"][column] - values["carried_over"][column]
    return {row: [*cells, sum(cells)] for row, cells in values.items()}


def _wrap(label: str, rng: random.Random) -> list[str]:
    if len(label) > 14 and rng.random() < 0.5:
        cut = rng.randint(8, len(label) - 4)
        return [label[:cut], label[cut:]]
    return [label]


def _render(rows: list[tuple[str, list[str]]], layout: str, rng: random.Random) -> str:
    if layout == "flat":
        out: list[str] = []
        for label, cells in rows:
            out.extend(_wrap(label, rng) if cells else [label])
            out.extend(cells)
        return "\n\n".join(out)
    if layout == "grid":
        return "\n".join("\t".join([label, *cells]) for label, cells in rows)
    if layout == "markdown":
        width = max(len(cells) for _, cells in rows) + 1
        lines = ["| " + " | ".join([label, *cells] + [""] * (width - 1 - len(cells))) + " |" for label, cells in rows]
        return "\n".join([lines[0], "|" + "---|" * width, *lines[1:]])
    # html
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(x)}</td>" for x in [label, *cells]) + "</tr>" for label, cells in rows
    )
    return f"<table border='1'>{body}</table>"


def generate(index: int, layout: str, fault: str | None, seed: int = 0) -> Generated:
    rng = random.Random(seed * 100003 + index)
    agency, province, city, county = AGENCIES[index % len(AGENCIES)]
    year = 2021 + index % 4
    truth: dict[str, float] = {}
    rows_2021 = [r.code for r in catalog.T3_ROWS if "2021" in r.templates]
    t3 = _t3_values(rng, rows_2021)
    t4 = {g.code: [rng.randint(0, 2) for _ in range(4)] for g in catalog.T4_GROUPS}
    t4 = {g: [*v, sum(v)] for g, v in t4.items()}
    t2 = {
        f"t2.{r.code}.{c.code}": float(rng.randint(0, 40))
        for r in catalog.T2_ROWS
        if r.template == "2021"
        for c in r.columns
    }
    expected: set[str] = set()
    if fault == "T3_BALANCE":
        t3["new_received"][0] += 1
        t3["new_received"][6] += 1
        expected.add("T3_BALANCE")
    elif fault == "T3_RESULTS_SUM":
        # An outcome cell off by one, its row total following: rows still add up, columns do not.
        t3["granted"][0] += 1
        t3["granted"][6] += 1
        expected.add("T3_RESULTS_SUM")
    elif fault == "T3_COLUMN_SUM":
        for row in ("granted", "results_total", "new_received"):
            t3[row][6] += 1
        expected.add("T3_COLUMN_SUM")
    elif fault == "T4_SUM":
        t4["reconsideration"][4] += 1
        expected.add("T4_SUM")
    elif fault in ("PLACEHOLDER_FIGURE", "PUBLISHED_BEFORE_PERIOD_END", "REPORT_YEAR_MISSING", "PLAN_YEAR_MISMATCH"):
        expected.add(fault)
    for row, cells in t3.items():
        for column, value in zip(catalog.T3_COLUMNS, cells, strict=True):
            truth[f"t3.{row}.{column.code}"] = float(value)
    for group, cells in t4.items():
        for column, value in zip(catalog.T4_COLUMNS, cells, strict=True):
            truth[f"t4.{group}.{column.code}"] = float(value)
    truth.update(t2)

    labels = {r.code: r.label_zh for r in catalog.T3_ROWS}
    t3_rows: list[tuple[str, list[str]]] = [
        ("申请人情况", ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"])
    ]
    for code in rows_2021:
        if code == "granted":
            t3_rows.append(("三、本年度办理结果", []))
        if code == "denied_state_secret":
            t3_rows.append(("(三)不予公开", []))
        if code == "unable_not_held":
            t3_rows.append(("(四)无法提供", []))
        if code == "rejected_petition":
            t3_rows.append(("(五)不予处理", []))
        if code == "other_no_correction":
            t3_rows.append(("(六)其他处理", []))
        t3_rows.append((labels[code], [str(v) for v in t3[code]]))
    t2_rows: list[tuple[str, list[str]]] = [("信息内容", ["本年制发件数", "本年废止件数", "现行有效件数"])]
    for r in catalog.T2_ROWS:
        if r.template == "2021":
            t2_rows.append((r.label_zh, [f"{t2[f't2.{r.code}.{c.code}']:g}" for c in r.columns]))
    t4_rows: list[tuple[str, list[str]]] = [
        ("行政复议", ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]),
        ("", [str(v) for g in catalog.T4_GROUPS for v in t4[g.code]]),
    ]
    if layout in ("grid", "markdown", "html"):
        t4_rows[1] = ("数据", t4_rows[1][1])
    requests = "XX" if fault == "PLACEHOLDER_FIGURE" else str(int(truth["t3.new_received.total"]))
    title = f"{agency}{year}年政府信息公开工作年度报告"
    period = f"所列数据统计期限自{year}年1月1日起至{year}年12月31日止。"
    signed = f"{year + 1}年1月{rng.randint(5, 28)}日"
    plan_year = year + 1
    if fault == "REPORT_YEAR_MISSING":
        title, period = f"{agency}政府信息公开工作年度报告", ""
    elif fault == "PUBLISHED_BEFORE_PERIOD_END":
        signed = f"{year}年12月{rng.randint(5, 28)}日"
    elif fault == "PLAN_YEAR_MISMATCH":
        plan_year = year
    paragraphs = [
        title,
        f"本报告依据《中华人民共和国政府信息公开条例》和国办公开办函〔2021〕30号编制,{period}"
        f"如有疑问请联系{city}{county}{agency}。",
        "一、总体情况",
        f"{year}年,{agency}共受理政府信息公开申请{requests}件,全部按时答复。",
        "二、主动公开政府信息情况",
        _render(t2_rows, layout, rng),
        "三、收到和处理政府信息公开申请情况",
        _render(t3_rows, layout, rng),
        "四、政府信息公开行政复议、行政诉讼情况",
        _render(t4_rows, layout, rng),
        "五、存在的主要问题及改进情况",
        f"{plan_year}年,我们将继续加强政务公开工作。",
        "六、其他需要报告的事项",
        f"本年度未收取信息处理费。\n\n{agency}\n{signed}",
    ]
    text = "\n\n".join(paragraphs)
    if layout == "html":
        body = "".join(p if p.startswith("<table") else f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
        text = f"<html><head><script>var x = '<td>1</td>';</script></head><body>{body}</body></html>"
    name = f"gen_{index:04d}_{layout}_{fault or 'clean'}.{'html' if layout == 'html' else 'txt'}"
    return Generated(name, text, layout, year, agency, (province, city, county), truth, expected)


def corpus(seed: int = 0) -> list[Generated]:
    """Every layout × (no fault, each fault)."""
    out: list[Generated] = []
    index = 0
    for layout in LAYOUTS:
        for fault in (None, *FAULTS):
            out.append(generate(index, layout, fault, seed))
            index += 1
    return out
