"""Report metadata: document type, template, title, agency, region, year, dates, statistics period.

Regex fields are extracted for the whole batch with Polars expressions; the choices between
candidates (which agency name, which date) are small functions over one row's candidates.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import islice

import polars as pl
from polars._typing import PolarsDataType

from transforms import patterns as p
from transforms.figures import statements
from transforms.metadata import gazetteer
from transforms.numerals import cn_number, cn_year

META_SCHEMA: dict[str, PolarsDataType] = {
    "report_id": pl.String,
    "doc_type": pl.String,
    "template": pl.String,
    "title": pl.String,
    "agency": pl.String,
    "province": pl.String,
    "city": pl.String,
    "county": pl.String,
    "report_year": pl.Int32,
    "publish_date": pl.Date,
    "publish_date_precision": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "title_year": pl.Int32,
    "body_year": pl.Int32,
}


def _safe_date(year: int | None, month: int | None, day: int | None) -> date | None:
    if year is None or month is None:
        return None
    try:
        return date(year, month, day or 1)
    except ValueError:
        return None


_TITLE_LINE = re.compile(p.TITLE_LINE)
_TITLE_MAX_CHARS = 70


def find_title(pre_chrome: str, text: str) -> str | None:
    """The page's 标题 field, else the first title-like line of the text once site chrome is gone
    (a breadcrumb or menu entry such as 政府信息公开年报 is not the title)."""
    field = re.search(p.TITLE_FIELD, pre_chrome)
    if field:
        return re.sub(r"\s+", "", field.group(1))
    lines = [line.strip() for line in text.split("\n")[:25]]
    for index, line in enumerate(lines):
        following = next((x for x in lines[index + 1 :] if x), "")
        if re.search(p.TITLE_WRAPPED_HEAD, line) and re.search(p.TITLE_WRAPPED_TAIL, following):
            line += following  # a title wrapped over two lines
        if "|" in line.strip("| "):
            continue  # a row of the page's header table (索引号 | … | 分类 | 政府信息公开年报 |), not a title
        if 6 <= len(line) <= _TITLE_MAX_CHARS and not line.endswith("。") and _TITLE_LINE.search(line):
            return re.sub(r"\s+", "", line.strip("| "))
    return None


_NOT_A_REPORT_TITLES = (p.LEGAL_TEXT_TITLE, p.CORRESPONDENCE_TITLE, p.REPORT_GUIDANCE_TITLE)


def classify(title: str | None, text: str) -> str:
    """annual_report, work_plan or other, from the title first and the body's structure second."""
    if title:
        # A notice about reports (关于做好…年度报告编制工作的通知), the format or guidance on filling
        # it in names one without being one.
        if any(re.search(pattern, title) for pattern in _NOT_A_REPORT_TITLES):
            return "other"
        if re.search(p.ANNUAL_REPORT_TITLE, title):
            return "annual_report"
        if re.search(p.WORK_PLAN_TITLE, title):
            return "work_plan"
    if len(re.findall(p.LEGAL_ARTICLE, text)) >= p.LEGAL_ARTICLES_MIN:
        return "other"
    body_cues = len(re.findall(p.ANNUAL_REPORT_BODY, text[:3000]))
    topics = sum(1 for cue in ("主动公开", "依申请", "行政复议", "收费") if cue in text)
    if body_cues >= 1 and topics >= 3:
        return "annual_report"
    if title and re.search(p.NOTICE_TITLE, title):
        return "other"
    return "other"


def template_of(doc_type: str, text: str) -> str | None:
    """The format the report follows, from its tables and the format it cites, never from its year."""
    if doc_type != "annual_report":
        return None
    if re.search(p.TABLE_2021_CUES, text) or re.search(p.FORMAT_2021_CITATION, text):
        return "2021"
    if re.search(p.TABLE_2019_CUES, text) or re.search(p.FORMAT_2019_CITATION, text):
        return "2019"
    return "pre2019"


def find_period(text: str) -> tuple[date | None, date | None]:
    m = re.search(p.STATS_PERIOD, text)
    if not m:
        return None, None
    y1, m1, d1, y2, m2, d2 = m.groups()
    start = _safe_date(int(y1), int(m1), int(d1))
    end = _safe_date(int(y2 or y1), int(m2), int(d2))
    return start, end


_SIGNATURE_LINES = 6  # how many non-blank lines at each end may carry the signature date


def find_publish_date(pre_chrome: str, text: str) -> tuple[date | None, str | None]:
    field = re.search(p.PUBLISH_DATE_FIELD, pre_chrome, re.MULTILINE)
    if field:
        found = _safe_date(int(field.group(1)), int(field.group(2)), int(field.group(3)))
        if found:
            return found, "day"
    # A signature: a short line near the start (cover) or end that carries a date and little else.
    # Only the outer non-blank lines are stripped (stripping every line was most of this function).
    lines = text.split("\n")
    last = list(islice(filter(None, map(str.strip, reversed(lines))), _SIGNATURE_LINES))
    first = list(islice(filter(None, map(str.strip, lines)), _SIGNATURE_LINES))
    for line in last + first:
        if len(line) > p.SIGNATURE_MAX_CHARS or line.endswith(("。", "报告")) or re.search(p.NOT_A_SIGNATURE, line):
            continue
        cn = re.search(p.CN_DATE, line)
        if cn:
            found = _safe_date(cn_year(cn.group(1)), cn_number(cn.group(2)), cn_number(cn.group(3) or ""))
            if found:
                return found, "day" if cn.group(3) else "month"
        arabic = re.search(p.ARABIC_DATE + r"\s*$", line)
        if arabic and len(line) - len(arabic.group(0)) <= 30:
            y, mo, d = arabic.groups()
            found = _safe_date(int(y), int(mo), int(d) if d else None)
            if found:
                return found, "day" if d else "month"
    return None, None


def title_year(title: str | None) -> int | None:
    m = re.search(p.TITLE_YEAR, title) if title else None
    return int(m.group(1)) if m else None


def find_year(title: str | None, body_year: int | None, text: str) -> int | None:
    """The year the report covers: the body's (the stated period's, else the year its prose reports
    on), the title's only when the body names none."""
    if body_year is not None:
        return body_year
    if title:
        m = re.search(p.TITLE_YEAR, title)
        if m:
            return int(m.group(1))
    m = re.search(r"((?:19|20)\d{2})年(?:度)?(?:政府信息公开|政务公开)", text[:2000])
    return int(m.group(1)) if m else None


# The title's words before its year, its 关于, or (for a title with no year) before 政府信息公开 where
# an agency suffix ends them: 河东区人民政府办公室2023年…, 鼓楼区教育局政府信息公开工作年度报告.
_AGENCY_BEFORE_YEAR = re.compile(
    r"^(.{3,40}?)(?:(?:19|20)\d{2}\s*年|关于)|^(.{2,40}?" + p.AGENCY_SUFFIXES + r")(?:政府信息公开|政务公开|信息公开)"
)


def find_agency(title: str | None, pre_chrome: str, text: str) -> str | None:
    """The issuing body as the report names it. Header field and title are compared and the fuller
    name kept (河东区政府办公室 vs 河东区人民政府办公室); a signature line is the fallback. A name
    that spam replaced is unknown, never the spam string."""
    candidates: list[str] = []
    field = re.search(p.PUBLISHER_FIELD, pre_chrome)
    if field:
        candidates.append(field.group(1))
    if title:
        # The year may come first (2025年上海市人民政府办公厅政府信息公开工作年度报告).
        m = _AGENCY_BEFORE_YEAR.match(re.sub(r"^(?:19|20)\d{2}年度?", "", title))
        if m:
            candidates.append(m.group(1) or m.group(2))
    clean = [c.strip() for c in candidates if _plausible_agency(c)]
    if clean:
        return max(clean, key=len)
    lines = [x.strip() for x in text.split("\n") if x.strip()]
    # A signature: the body's name and a date, on a line of its own near the start or the end.
    for line in lines[:6] + lines[-_SIGNATURE_LINES:]:
        m = re.match(
            r"^([\u4e00-\u9fff()（）]{4,30}?" + p.AGENCY_SUFFIXES + r")\s*(?:" + p.CN_DATE + "|" + p.ARABIC_DATE + ")",
            line,
        )
        if m and _plausible_agency(m.group(1)):
            return m.group(1)
    # A headline that opens with a body's name (鸡冠区人民政府办公室召开…): taken when the name
    # carries a place the gazetteer knows, so that an ordinary sentence is not mistaken for one.
    for line in lines[:2]:
        m = re.match(r"^([\u4e00-\u9fff()（）]{2,30}?" + p.AGENCY_SUFFIXES + ")", line)
        if m and _plausible_agency(m.group(1)) and gazetteer.mentions(m.group(1)):
            return m.group(1)
    return None


def _plausible_agency(name: str) -> bool:
    name = name.strip()
    if len(name) < 3 or p.SPAM_MASK in name:
        return False
    return bool(re.fullmatch(r"[\u4e00-\u9fff()（）]+", name))


def extract_metadata(cleaned: pl.DataFrame) -> pl.DataFrame:
    """One row of metadata per report. Columns in: report_id, text, pre_chrome."""
    rows: list[dict[str, object]] = []
    batch = cleaned.select(
        "report_id",
        "text",
        "pre_chrome",
        gazetteer.place_mentions(pl.col("text")).alias("places"),
        statements.body_years(pl.col("text")).alias("body_year"),
    )
    for report_id, text, pre_chrome, places, body_year in batch.iter_rows():
        title = find_title(pre_chrome, text)
        doc_type = classify(title, text)
        period_start, period_end = find_period(text)
        # The year the body reports on: its stated statistics period decides, then its prose.
        body_year = period_start.year if period_start else body_year
        publish_date, precision = find_publish_date(pre_chrome, text)
        agency = find_agency(title, pre_chrome, text)
        province, city, county = gazetteer.locate(agency, text, places)
        rows.append(
            {
                "report_id": report_id,
                "doc_type": doc_type,
                "template": template_of(doc_type, text),
                "title": title,
                "agency": agency,
                "province": province,
                "city": city,
                "county": county,
                "report_year": find_year(title, body_year, text) if doc_type != "other" or title else None,
                "publish_date": publish_date,
                "publish_date_precision": precision,
                "period_start": period_start,
                "period_end": period_end,
                "title_year": title_year(title),
                "body_year": body_year,
            }
        )
    return pl.DataFrame(rows, schema=META_SCHEMA)
