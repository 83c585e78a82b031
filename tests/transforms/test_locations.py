"""Where a finding stands: the top-level section and the pages a flag's message names."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from transforms import frames
from transforms.clean import clean_reports
from transforms.locations import located

# Report a: a PDF of three pages (starting at 0, 100, 250) with two top-level sections, the second
# holding a sub-section that a table row was misread as; report b: a web page, no pages.
SECTIONS = pl.DataFrame(
    {
        "report_id": ["a", "a", "a", "b"],
        "section_no": [1, 2, 3, 1],
        "parent_no": [None, None, 2, None],
        "label": ["一", "三", "(七)", "（二）"],
        "heading": ["总体情况", "收到和处理政府信息公开申请情况", "总计 21 0 0", "主动公开方面"],
        "start_char": [40, 120, 200, 10],
        "end_char": [120, 400, 230, 90],
    },
    schema_overrides={"parent_no": pl.Int32, "section_no": pl.Int32, "start_char": pl.Int32, "end_char": pl.Int32},
)
PAGE_STARTS = pl.DataFrame(
    {"report_id": ["a", "b"], "page_starts": [[0, 100, 250], None]},
    schema={"report_id": pl.String, "page_starts": pl.List(pl.Int32)},
)


def test_a_position_is_placed_in_its_top_level_section_and_page() -> None:
    rows = pl.DataFrame(
        {
            "report_id": ["a", "a", "a", "a", "b", "b"],
            "first_char": [50, 210, 130, 5, 20, None],
            "last_char": [None, None, 260, None, None, None],
        },
        schema_overrides={"first_char": pl.Int32, "last_char": pl.Int32},
    )
    expected = rows.with_columns(
        pl.Series(
            "section",
            [
                "一、总体情况",
                "三、收到和处理政府信息公开申请情况",
                "三、收到和处理政府信息公开申请情况",
                None,
                "（二）主动公开方面",
                None,
            ],
        ),
        pl.Series("page_first", [1, 2, 2, 1, None, None], dtype=pl.Int32),
        pl.Series("page_last", [1, 2, 3, 1, None, None], dtype=pl.Int32),
        pl.Series(
            "place",
            [
                "「一、总体情况」,第1页",
                # inside the misread sub-section (七): its top-level section is named
                "「三、收到和处理政府信息公开申请情况」,第2页",
                "「三、收到和处理政府信息公开申请情况」,第2–3页",
                "第1页",  # before the first heading
                "「（二）主动公开方面」",  # a bracketed label keeps its own mark; a web page has no pages
                None,
            ],
        ),
    )
    assert_frame_equal(located(rows, SECTIONS, PAGE_STARTS), expected)


def test_a_cells_own_page_wins_over_its_position() -> None:
    """A PDF table cell carries the page it was drawn on; the text position only fills a gap."""
    rows = pl.DataFrame(
        {"report_id": ["a", "a"], "first_char": [130, 130], "page_first": [3, None]},
        schema_overrides={"first_char": pl.Int32, "page_first": pl.Int32},
    )
    assert located(rows, SECTIONS, PAGE_STARTS)["page_first"].to_list() == [3, 2]


def test_where_joins_the_item_and_its_place_and_falls_back_to_the_text() -> None:
    rows = pl.DataFrame(
        {
            "report_id": ["a", "b", "b"],
            "item": ["表三「自然人」列", "表四「行政复议」", None],
            "first_char": [130, None, None],
        },
        schema_overrides={"first_char": pl.Int32},
    )
    where = frames.with_where(rows, SECTIONS, PAGE_STARTS)["where"].to_list()
    assert where == ["表三「自然人」列,「三、收到和处理政府信息公开申请情况」,第2页", "表四「行政复议」", "正文"]


def test_metric_labels_name_the_table_and_its_printed_row() -> None:
    labels = pl.DataFrame({"metric": ["t3.partially_granted.total", "text.requests_received", "x.unknown"]})
    assert labels.select(frames.metric_label(pl.col("metric")))["metric"].to_list() == [
        "表三「(二)部分公开 / 总计」",
        "收到政府信息公开申请件数",
        "x.unknown",
    ]


def test_spam_masking_keeps_the_words_around_a_site_string_and_counts_lost_names() -> None:
    """A generic site string is masked from an edge, not from as far left as the pattern reaches: the
    real words before it (督查室关于印发) stay; with no edge before it only its core is masked. Masks in
    a name's place are counted, and positions are in characters of the cleaned text."""
    spam = "星空手机官网入口·(中国)官方网站"
    text = f"根据文件精神,印发了《{spam}督查室关于印发{spam}2018年度考核方案的通知》。公共文化体育"
    cleaned = clean_reports(pl.DataFrame({"report_id": ["r"], "media_type": ["text/plain"], "text": [text]}))
    row = cleaned.row(0, named=True)
    assert (
        row["text"]
        == "根据文件精神,印发了《〔已屏蔽〕督查室关于印发星空〔已屏蔽〕2018年度考核方案的通知》。公共文化体育"
    )
    assert row["spam_spans"] == 2
    assert row["spam_sample"] == spam
    assert row["spam_in_names"] == 1
    assert row["spam_first_char"] == row["text"].index("〔已屏蔽〕") == 11
    assert row["garbled_first_char"] is None


def test_search_engine_spam_in_a_footer_is_masked_and_counted() -> None:
    """Adult-video titles and a run of piped place names hacked into a page's footer are spam; a
    table's piped cells (a space before each pipe) are not."""
    body = "一、总体情况\n2023年,本机关主动公开政府信息120条。\n| 规章 | 0 | 0 | 0 |\n| 行政规范性文件 | 1 | 0 | 3 |"
    footer = "车上震动A级作爱视频,又大又爽a视频,国产丝袜视频一区二区三区 甲乙区| 丙丁县| 戊己县| 庚辛市| 壬癸旗|"
    cleaned = clean_reports(
        pl.DataFrame(
            {"report_id": ["r", "clean"], "media_type": ["text/plain"] * 2, "text": [f"{body}\n{footer}", body]}
        )
    )
    spammed, kept = cleaned.row(0, named=True), cleaned.row(1, named=True)
    assert spammed["text"].startswith(body) and "视频" not in spammed["text"] and "丙丁县" not in spammed["text"]
    assert spammed["spam_spans"] == 2 and spammed["spam_sample"].startswith("车上震动")
    assert kept["text"] == body and kept["spam_spans"] == 0


def test_search_engine_spam_at_the_top_of_a_page_is_masked() -> None:
    header = "www.黄片视频在线播放,成年男女免费视频网站,99久久精品国产9999高清,亚洲男人在线视频观看"
    body = "某县2023年政府信息公开工作年度报告\n一、总体情况\n本年度主动公开政府信息120条。"
    row = clean_reports(
        pl.DataFrame({"report_id": ["r"], "media_type": ["text/plain"], "text": [f"{header}\n{body}"]})
    ).row(0, named=True)
    assert row["text"].endswith(body) and "视频" not in row["text"]
    assert row["spam_spans"] >= 1
