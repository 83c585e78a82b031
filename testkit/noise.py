"""Website and file damage rendered on top of generated reports, with the metadata truth kept.

`noisy_corpus(n, seed)` draws reports of every format and layout (plus pre-2019 reports, work
plans and other documents) and puts on each a random set of the damage real pages carry: site
headers with 索引号/发布机构/发布日期 blocks, navigation trees, print bars, page furniture, hard
wraps, spaces and full-width digits in figures, Traditional characters with pinyin glosses,
repairable mojibake, Chinese-numeral signature dates, OCR slips in the agency name, a county name
shared by several cities with only a phone number to place it, and every supported encoding.
The truth (doc_type, template, report_year, publish_date, agency, region, encoding) is what the
text says once the damage is undone; nothing here calls the product's code.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import opencc

from testkit.generator import ACTIONS, DEPARTMENTS, OBJECTS, OUTCOMES, SUBJECTS, Generated, cn_numeral, generate

TEXT_NOISES: tuple[str, ...] = (
    "site_header",
    "navigation",
    "print_bar",
    "page_furniture",
    "hard_wraps",
    "cjk_spacing",
    "fullwidth_digits",
    "traditional",
    "mojibake_repairable",
    "cn_signature_date",
    "ocr_agency",
    "area_code_only",
    "phone_number",
)
# Noises that work on the lines of a plain-text page; an HTML page gets the others.
LINE_NOISES = frozenset({"page_furniture", "hard_wraps", "cjk_spacing", "fullwidth_digits", "mojibake_repairable"})
ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le")
KINDS: tuple[str, ...] = ("report", "pre2019", "work_plan", "other")

# Look-alike characters a scanner confuses (what OCR gives for the character on the left).
OCR_CONFUSIONS: dict[str, str] = {"局": "扃", "政": "玫", "办": "力", "育": "盲", "财": "材", "健": "建", "卫": "卩"}
# Fixed-line area codes of a few cities, from each city's public telephone directory.
CITY_AREA_CODES: dict[str, str] = {
    "临沂市": "0539",
    "天津市": "022",
    "长沙市": "0731",
    "吉林市": "0432",
    "朝阳市": "0421",
    "南充市": "0817",
    "宝鸡市": "0917",
    "南宁市": "0771",
    "泉州市": "0595",
    "宁波市": "0574",
    "铜仁市": "0856",
}
# County names shared by several cities, the city each is generated in, and that city's province.
SHARED_COUNTY_NAMES: tuple[tuple[str, str, str], ...] = (
    ("山东省", "临沂市", "河东区"),
    ("天津市", "天津市", "河东区"),
    ("湖南省", "长沙市", "开福区"),
    ("辽宁省", "朝阳市", "朝阳县"),
    ("四川省", "南充市", "高坪区"),
    ("陕西省", "宝鸡市", "金台区"),
    ("广西壮族自治区", "南宁市", "江南区"),
    ("福建省", "泉州市", "鲤城区"),
    ("浙江省", "宁波市", "江北区"),
    ("贵州省", "铜仁市", "碧江区"),
)
NAVIGATION = ("□ 政务公开", "■ 政府信息公开指南", "■ 政府信息公开制度", "■ 法定主动公开内容", "■ 政府信息公开年报")
PINYIN = {"區": "qū", "發": "fā", "開": "kāi", "報": "bào"}
# Strings this damage puts on a page that must not survive cleaning: site chrome, page furniture,
# pinyin glosses, full-width digits, mojibake.
LEFTOVERS: tuple[str, ...] = (
    *("欢迎访问", "无障碍", "索引号", "打印本页", "扫一扫", "■"),
    *("— ", "第 "),
    *("(qū)", "(fā)", "０", "鏀"),
)
CN_DIGITS = "〇一二三四五六七八九"


@dataclass(frozen=True)
class MetaTruth:
    doc_type: str
    template: str | None
    report_year: int | None
    publish_date: date | None
    agency: str | None
    province: str | None
    city: str | None
    county: str | None
    encoding: str
    original_script: str


@dataclass
class NoisyFile:
    name: str
    data: bytes
    truth: MetaTruth
    noises: tuple[str, ...]
    text: str  # the page before encoding


@cache
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2tw")  # Taiwan forms: what Big5 can encode


def cn_date(day: date, with_day: bool) -> str:
    year = "".join(CN_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{cn_numeral(day.month)}月" + (f"{cn_numeral(day.day)}日" if with_day else "")


def _prose_line(line: str) -> bool:
    return line.endswith("。") and "\t" not in line and not line.startswith("|")


def _on_prose(text: str, change: Callable[[str], str]) -> str:
    return "\n".join(change(line) if _prose_line(line) else line for line in text.split("\n"))


def _hard_wrap(line: str, rng: random.Random) -> str:
    if len(line) < 45 or rng.random() < 0.4:
        return line
    cut = rng.randint(28, 38)
    while cut < len(line) - 6 and not ("\u4e00" <= line[cut - 1] <= "\u9fff" and "\u4e00" <= line[cut] <= "\u9fff"):
        cut += 1
    if cut >= len(line) - 6:
        return line
    return line[:cut] + ("\n\n" if rng.random() < 0.3 else "\n") + line[cut:]


def _mojibake_phrase(rng: random.Random, script: Callable[[str], str]) -> tuple[str, str] | None:
    """A phrase whose UTF-8 bytes a browser reading GBK (GB18030) decodes without loss, and what
    the browser shows."""
    for _ in range(40):
        phrase = script(f"{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}{rng.choice(OBJECTS)}")
        try:
            return phrase, phrase.encode("utf-8").decode("gb18030")
        except UnicodeDecodeError:
            continue
    return None


def _pre2019(index: int, seed: int) -> Generated:
    """A report from before the 2019 format: prose and old-style statistics, no standard tables."""
    rng = random.Random(seed * 7 + index)
    base = generate(index, "grid", None, seed)
    year = rng.randint(2009, 2018)
    published = date(year + 1, rng.randint(1, 3), rng.randint(1, 28))
    agency = base.agency
    paragraphs = [
        f"{agency}{year}年政府信息公开工作年度报告",
        f"本报告根据《中华人民共和国政府信息公开条例》要求编制,统计期限自{year}年1月1日起至{year}年12月31日止。"
        f"如有疑问请联系{base.region[1]}{base.region[2]}{agency}。",
        "一、概述",
        f"{year}年,{agency}认真贯彻落实《条例》,{rng.choice(OBJECTS)}{rng.choice(OUTCOMES)}。",
        "二、主动公开政府信息情况",
        f"全年主动公开政府信息{rng.randint(100, 3000)}条。",
        "三、依申请公开政府信息情况",
        f"共受理政府信息公开申请{rng.randint(0, 40)}件,均按时答复。",
        "四、政府信息公开的收费及减免情况",
        "本年度未收取任何费用。",
        "五、因政府信息公开申请提起行政复议、行政诉讼的情况",
        "本年度未发生行政复议、行政诉讼案件。",
        "六、存在的主要问题和改进措施",
        f"{rng.choice(SUBJECTS)}将{rng.choice(ACTIONS)}{rng.choice(OBJECTS)}。",
        f"{agency}\n{published.year}年{published.month}月{published.day}日",
    ]
    out = Generated(
        base.name.replace("_grid_2021_", "_pre2019_"), "\n\n".join(paragraphs), "prose", year, agency, base.region
    )
    out.template = "pre2019"
    out.published = published
    return out


def _other(index: int, seed: int) -> Generated:
    """A news item about disclosure work: not a report, whatever words it shares with one."""
    rng = random.Random(seed * 11 + index)
    base = generate(index, "grid", None, seed)
    day = date(rng.randint(2019, 2024), rng.randint(1, 12), rng.randint(1, 28))
    paragraphs = [
        f"{base.agency}召开政务公开工作推进会",
        f"{day.year}年{day.month}月{day.day}日,{base.agency}召开政务公开工作推进会,"
        f"会议总结了{rng.choice(OBJECTS)}情况,部署下一阶段任务。",
        f"会议要求,{rng.choice(ACTIONS)}{rng.choice(OBJECTS)},{rng.choice(OUTCOMES)}。",
    ]
    out = Generated(
        base.name.replace("_grid_2021_", "_news_"), "\n\n".join(paragraphs), "prose", None, base.agency, base.region
    )
    out.doc_type = "other"
    out.published = None
    return out


def _base(index: int, seed: int, rng: random.Random) -> Generated:
    kind = rng.choices(KINDS, weights=(86, 6, 4, 4))[0]
    if kind == "pre2019":
        return _pre2019(index, seed)
    if kind == "other":
        return _other(index, seed)
    layout = rng.choice(("flat", "grid", "markdown", "html", "flat", "grid"))
    return generate(
        index,
        layout,
        "NOT_ANNUAL_REPORT" if kind == "work_plan" else None,
        seed,
        template=rng.choice(("2021", "2021", "2019")),
    )


def noisy_report(index: int, seed: int = 0, noises: tuple[str, ...] | None = None) -> NoisyFile:
    """One generated document with random damage (or exactly `noises`), and its metadata truth."""
    rng = random.Random(seed * 1_000_003 + index)
    g = _base(index, seed, rng)
    if noises is None:
        noises = tuple(n for n in TEXT_NOISES if rng.random() < 0.3)
    is_html = g.layout == "html"
    if is_html:
        noises = tuple(n for n in noises if n not in LINE_NOISES)
    if g.doc_type == "other":
        noises = tuple(n for n in noises if n not in ("area_code_only", "cn_signature_date", "ocr_agency"))
    text = g.text
    agency = g.agency
    province, city, county = g.region
    published = g.published
    unchanged: set[str] = set()  # noises drawn that found nothing to damage on this page

    def keep_if_changed(name: str, before: str) -> None:
        if name in noises and text == before:
            unchanged.add(name)

    before = text
    if "area_code_only" in noises:
        # A county name that several cities share; only a phone number tells which one.
        new_province, new_city, new_county = rng.choice(SHARED_COUNTY_NAMES)
        department = next((d for d in DEPARTMENTS if agency.endswith(d)), "人民政府办公室")
        new_agency = new_county + department
        text = text.replace(
            f"{city}{county}{agency}", f"{new_agency},电话{CITY_AREA_CODES[new_city]}-{rng.randint(2000000, 8999999)}"
        )
        text = text.replace(agency, new_agency).replace(city, "").replace(province, "")
        agency, province, city, county = new_agency, new_province, new_city, new_county
    elif "phone_number" in noises and city in CITY_AREA_CODES:
        text = text.replace(
            "如有疑问请联系", f"如有疑问请拨打{CITY_AREA_CODES[city]}-{rng.randint(2000000, 8999999)}联系"
        )
    keep_if_changed("phone_number", before)
    before = text
    if "ocr_agency" in noises:
        department = agency[len(county) :]
        slips = [ch for ch in department if ch in OCR_CONFUSIONS]
        if slips:
            scanned = county + department.replace(slips[0], OCR_CONFUSIONS[slips[0]], 1)
            text = text.replace(agency, scanned)
            agency = scanned
    keep_if_changed("ocr_agency", before)
    before = text
    if "cn_signature_date" in noises and published is not None:
        written = f"{published.year}年{published.month}月{published.day}日"
        if text.rfind(written) >= 0:
            at = text.rfind(written)
            text = text[:at] + cn_date(published, with_day=True) + text[at + len(written) :]
    keep_if_changed("cn_signature_date", before)
    before = text
    if "hard_wraps" in noises:
        text = _on_prose(text, lambda line: _hard_wrap(line, rng))
    keep_if_changed("hard_wraps", before)
    if "cjk_spacing" in noises:
        text = _on_prose(text, lambda line: re.sub(r"(?<=[\u4e00-\u9fff])(\d+)(?=[\u4e00-\u9fff])", r" \1 ", line))
    if "fullwidth_digits" in noises:
        text = _on_prose(text, lambda line: line.translate(str.maketrans("0123456789", "０１２３４５６７８９")))
    if "page_furniture" in noises:
        paragraphs = text.split("\n\n")
        total = rng.randint(4, 12)
        for page in sorted(rng.sample(range(2, len(paragraphs)), k=min(3, len(paragraphs) - 2)), reverse=True):
            marker = rng.choice([f"— {page} —", f"- {page} -", f"第 {page} 页 共 {total} 页", f"{page}/{total}"])
            paragraphs.insert(page, marker)
        text = "\n\n".join(paragraphs)
    header_lines: list[str] = []
    footer_lines: list[str] = []
    if "site_header" in noises:
        shown = (published or date(2024, 1, 15)) + timedelta(days=rng.randint(0, 9))
        index_number = f"{rng.randint(10**10, 10**11 - 1)}/{shown.year}-{rng.randint(1, 999):05d}"
        if rng.random() < 0.5:
            header_lines = [
                f"欢迎访问{city or ''}人民政府门户网站",
                "无障碍浏览 | 长者模式",
                "当前位置：首页 > 政务公开 > 政府信息公开年报",
                f"索引号：{index_number}",
                f"发布机构：{agency}",
                rng.choice(
                    [f"发布日期：{shown.isoformat()}", f"发布日期：{shown.year}年{shown.month:02d}月{shown.day:02d}日"]
                ),
            ]
        else:  # a catalogue page's header table, as a crawl prints it: the column name is in it
            header_lines = [
                f"索引号 | {index_number} | 组配分类 | 政府信息公开年报 |",
                f"发布机构 | {agency} | 发文日期 | {shown.isoformat()} {rng.randint(10, 17)}:{rng.randint(10, 59)} |",
                "发布文号 | | 关键词 | 年报 |",
            ]
        published = shown
    if "navigation" in noises:
        header_lines = [*NAVIGATION, "", *header_lines]
    if "print_bar" in noises:
        footer_lines = ["【打印本页】【关闭窗口】", "扫一扫在手机打开当前页"]
    if header_lines or footer_lines:
        if is_html:
            head = "".join(f"<div>{line}</div>" for line in header_lines)
            foot = "".join(f"<div>{line}</div>" for line in footer_lines)
            text = text.replace("<body>", f"<body>{head}", 1).replace("</body>", f"{foot}</body>", 1)
        else:
            text = "\n".join([*header_lines, "", text, "", *footer_lines])
    script = "simplified"
    if "traditional" in noises:
        text = _s2t().convert(text)
        for simplified_char, sound in PINYIN.items():
            text = text.replace(simplified_char, f"{simplified_char}({sound})", 1)
        script = "traditional"
    if "mojibake_repairable" in noises:
        # Damage happens to the page's bytes last: a phrase saved as UTF-8 and shown as GBK.
        found = _mojibake_phrase(rng, _s2t().convert if script == "traditional" else str)
        if found:
            before = text
            text = re.sub(r"(一、(?:总体情况|總體情況)\n\n)", lambda m: f"{m.group(1)}{found[1]}。\n", text, count=1)
            keep_if_changed("mojibake_repairable", before)
        else:
            unchanged.add("mojibake_repairable")
    encoding = rng.choice(ENCODINGS)
    if script == "traditional" and rng.random() < 0.5:
        encoding = "big5"
        for simplified_char, sound in PINYIN.items():  # Big5 has no tone-marked pinyin: no glosses
            text = text.replace(f"{simplified_char}({sound})", simplified_char)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        encoding = "utf-8"
        data = text.encode(encoding)
    truth = MetaTruth(
        doc_type=g.doc_type,
        template=g.template if g.doc_type == "annual_report" else None,
        report_year=g.report_year if g.doc_type != "other" else None,
        publish_date=published,
        agency=agency,
        province=province,
        city=city,
        county=county,
        encoding=encoding,
        original_script=script,
    )
    suffix = ".html" if is_html else ".txt"
    name = f"noisy_{seed}_{index:05d}{suffix}"
    applied = tuple(n for n in noises if n not in unchanged)
    return NoisyFile(name, data, truth, (*applied, f"encoding:{encoding}"), text)


def noisy_corpus(n: int, seed: int = 0) -> list[NoisyFile]:
    return [noisy_report(index, seed) for index in range(n)]


# What a careful reader takes from the five bundled samples (their golden tests assert the same).
# 003's agency was replaced by spam and its text never names its county: 辽宁省锦州市 is all it says.
SAMPLE_TRUTH: dict[str, MetaTruth] = {
    "000": MetaTruth(
        "annual_report",
        "pre2019",
        2019,
        date(2020, 1, 1),
        "临沂经济技术开发区",
        "山东省",
        "临沂市",
        None,
        "utf-8",
        "simplified",
    ),
    "001": MetaTruth(
        "annual_report",
        "2021",
        2023,
        date(2024, 1, 29),
        "河东区人民政府办公室",
        "山东省",
        "临沂市",
        "河东区",
        "utf-8",
        "simplified",
    ),
    "002": MetaTruth(
        "annual_report",
        "pre2019",
        2017,
        date(2018, 3, 28),
        "张店区发展和改革局",
        "山东省",
        "淄博市",
        "张店区",
        "utf-8",
        "traditional",
    ),
    "003": MetaTruth("annual_report", "pre2019", 2018, None, None, "辽宁省", "锦州市", None, "utf-8", "simplified"),
    "004": MetaTruth(
        "work_plan",
        None,
        2021,
        date(2021, 5, 20),
        "临沂临港经济开发区党政办公室",
        "山东省",
        "临沂市",
        None,
        "utf-8",
        "simplified",
    ),
}
