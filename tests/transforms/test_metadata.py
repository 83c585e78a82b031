"""Metadata as real pages state it: titles, document types, years, publication dates, issuers."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from transforms import frames, metadata
from transforms.figures import statements


@pytest.mark.parametrize(
    ("pre_chrome", "text", "title", "agency"),
    [
        # a title wrapped over two lines, the year before the agency
        (
            "",
            "2025 年上海市人民政府办公厅政府信息公开\n工作年度报告\n一、总体情况",
            "2025年上海市人民政府办公厅政府信息公开工作年度报告",
            "上海市人民政府办公厅",
        ),
        # spaces inside
        (
            "",
            "沭阳县人民政府 2025 年 政府信息公开工作年度报告\n正文",
            "沭阳县人民政府2025年政府信息公开工作年度报告",
            "沭阳县人民政府",
        ),
        # a metadata header above the body
        (
            "标题: 鼓楼区教育局2023年政府信息公开工作年度报告\n发布时间: 2024-01-20 10:00\n",
            "正文",
            "鼓楼区教育局2023年政府信息公开工作年度报告",
            "鼓楼区教育局",
        ),
        # a catalogue page's piped header table, whose 分类 names the column (政府信息公开年报)
        (
            "索引号 | 0000/2024-00013 | 组配分类 | 政府信息公开年报 |\n"
            "发布机构 | 某市商务局 | 发文日期 | 2024-01-20 |\n"
            "信息名称 | 某市商务局2023年政府信息公开工作年度报告 | 内容概述 |\n",
            "正文",
            "某市商务局2023年政府信息公开工作年度报告",
            "某市商务局",
        ),
        # the same table above a title line of the body: the table's rows are no title
        (
            "",
            "索 引 号 | 0000/2018-04736 | 分 类 | 政府信息公开年报 综合政务 |\n文 号 | 有 效 性 |\n"
            "泰州市人民政府2017年政府信息公开工作年度报告\n正文",
            "泰州市人民政府2017年政府信息公开工作年度报告",
            "泰州市人民政府",
        ),
    ],
)
def test_titles_as_real_pages_print_them(pre_chrome: str, text: str, title: str, agency: str) -> None:
    found = metadata.find_title(pre_chrome, text)
    assert found == title
    assert metadata.find_agency(found, pre_chrome, text) == agency


def test_a_signature_at_the_end_names_the_agency() -> None:
    text = (
        "关于2014年政府信息公开工作要点落实情况的函\n省政府办公厅：\n正文。\n平潭综合实验区管委会办公室 2014年12月10日"
    )
    assert metadata.find_agency("关于2014年政府信息公开工作要点落实情况的函", "", text) == "平潭综合实验区管委会办公室"


@pytest.mark.parametrize(
    ("title", "text", "doc_type"),
    [
        ("关于2014年政府信息公开工作要点落实情况的函", "政府信息公开年度报告 主动公开 依申请 行政复议 收费", "other"),
        ("关于做好2023年政府信息公开工作年度报告编制工作的通知", "主动公开 依申请 行政复议 收费", "other"),
        ("关于印发2021年政务公开工作要点的通知", "主动公开", "work_plan"),
        ("中华人民共和国政府信息公开条例", "本报告 主动公开 依申请 行政复议 收费", "other"),
        ("某县2023年政府信息公开工作年度报告", "", "annual_report"),
        # The format itself, answers on filling it in, and model texts name a report without being one.
        (
            "国务院办公厅政府信息与政务公开办公室关于印发《中华人民共和国政府信息公开工作年度报告格式》的通知",
            "一、总体情况 第二十条第(一)项 主动公开 依申请 行政复议 收费",
            "other",
        ),
        ("关于政府信息公开年度报告有关项目填报问题的解释", "主动公开 依申请 行政复议 收费", "other"),
        ("政府信息公开年度工作报告范文", "本年度报告 主动公开 依申请 行政复议 收费", "other"),
    ],
)
def test_what_is_not_a_report(title: str, text: str, doc_type: str) -> None:
    assert metadata.classify(title, text) == doc_type


def test_the_regulations_text_without_a_title_is_no_report() -> None:
    articles = "\n".join(f"第{n}条 行政机关应当…年度报告…主动公开…依申请…行政复议…收费。" for n in "一二三四五六")
    assert metadata.classify(None, "本报告\n" + articles) == "other"


def test_a_stated_period_is_not_a_publication_date() -> None:
    text = "某局2024年政府信息公开工作年度报告\n统计期限：2024年1月1日\n正文。"
    assert metadata.find_publish_date("", text) == (None, None)
    signed = "正文。\n某局\n2025年1月20日"
    assert metadata.find_publish_date("", signed) == (date(2025, 1, 20), "day")


def test_a_plan_sentence_does_not_set_the_body_year() -> None:
    text = "2023年，我局收到申请5件。\n2024年，我们将继续加强。\n2024年，我局将完善制度。"
    assert statements.body_year(text) == 2023


@pytest.mark.parametrize(
    ("title", "agency", "deadline"),
    [
        ("某某区人民政府2023年政府信息公开工作年度报告", None, date(2024, 3, 31)),  # the government itself
        ("平潭综合实验区2023年度政府信息公开工作年度报告", None, date(2024, 3, 31)),  # only a place
        ("某某区人民政府办公室2023年政府信息公开工作年度报告", None, date(2024, 1, 31)),  # an office for itself
        ("某某区教育局2023年政府信息公开工作年度报告", None, date(2024, 1, 31)),  # a department
        (None, "某某县财政局", date(2024, 1, 31)),  # no title: the agency decides
        (None, None, date(2024, 3, 31)),  # unknown issuer: no lateness on a guess
    ],
)
def test_the_deadline_follows_the_issuer(title: str | None, agency: str | None, deadline: date) -> None:
    reports = pl.DataFrame(
        {
            "report_id": ["r"],
            "doc_type": ["annual_report"],
            "template": ["2021"],
            "report_year": [2023],
            "publish_date": [date(2024, 2, 1)],
            "publish_date_precision": ["day"],
            "period_start": [None],
            "period_end": [None],
            "title_year": [2023],
            "body_year": [2023],
            "title": [title],
            "agency": [agency],
            "spam_spans": [0],
            "garbled_spans": [0],
            "garbled_sample": [None],
            "text_sha256": ["x"],
            "source_path": ["r.txt"],
        },
        schema_overrides={"period_start": pl.Date, "period_end": pl.Date, "title": pl.String, "agency": pl.String},
    )
    assert frames.report_frame(reports)["deadline"].to_list() == [deadline]


@pytest.mark.parametrize(
    ("pre_chrome", "published"),
    [
        (
            "福州市晋安区2016年政府信息公开工作年度报告\n来源:区人民政府办公室 时间:2017-01-12 10:01\n",
            date(2017, 1, 12),
        ),
        ("发布机构 | 某市商务局 | 发文日期 | 2024-01-20 15:47 |\n", date(2024, 1, 20)),
        ("来源：某县政府办 日期：2023-02-01\n", date(2023, 2, 1)),
        # a statistics period's 时间 is no publication date
        ("本报告统计时间:2016年1月1日至12月31日。\n", None),
    ],
)
def test_publication_date_fields(pre_chrome: str, published: date | None) -> None:
    assert metadata.find_publish_date(pre_chrome, "正文")[0] == published
