"""Unit and property tests of the pure transforms."""

from __future__ import annotations

import re

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testkit.runs import SAMPLE_IDS, SAMPLES
from transforms import catalog
from transforms.clean import clean_reports, html_to_text
from transforms.figures import EVIDENCE_CHARS, sentence_around
from transforms.figures.statements import body_year, body_years
from transforms.ingest import decode
from transforms.segment import find_headings
from transforms.tables import read_tables

REPORT_TEXT = "河东区人民政府办公室2023年政府信息公开工作年度报告。本年度共受理政府信息公开申请33件。"


def clean_one(text: str, media_type: str = "text/plain") -> pl.DataFrame:
    return clean_reports(pl.DataFrame({"report_id": ["r"], "media_type": [media_type], "text": [text]}))


def test_decode_by_content() -> None:
    assert decode(REPORT_TEXT.encode("gb18030")) == (REPORT_TEXT, "gb18030")
    traditional = "張店區發改局2017年政府信息公開工作年度報告,全年沒有收到申請。"
    assert decode(traditional.encode("big5")) == (traditional, "big5")
    assert decode(b"\xef\xbb\xbf" + REPORT_TEXT.encode()) == (REPORT_TEXT, "utf-8-sig")
    assert decode(REPORT_TEXT.encode("utf-16")) == (REPORT_TEXT, "utf-16")
    assert decode(bytes([0x81, 0x30, 0xFF, 0xFE, 0x80]) * 50) is None


def test_pinyin_glosses_removed_but_real_parentheses_kept() -> None:
    text = "張店區(qū)發(fā)改局。\n(一)根據《條例》(以下簡稱《條例》)辦理,(2)件。"
    out = clean_one(text).row(0, named=True)
    assert out["text"] == "张店区发改局。\n(一)根据《条例》(以下简称《条例》)办理,(2)件。"
    assert out["original_script"] == "traditional"
    assert set(out["fixes"]) >= {"pinyin_annotations", "opencc_t2s"}


def test_simplified_text_is_not_converted() -> None:
    out = clean_one(REPORT_TEXT).row(0, named=True)
    assert out["text"] == REPORT_TEXT
    assert out["fixes"] == [] and out["original_script"] == "simplified"


def test_spacing_fullwidth_and_furniture() -> None:
    text = "2019 年,共主动公开信息 ４８９５ 条。\n— 3 —\n第 2 页 共 9 页\n规章 0 0 0"
    out = clean_one(text).row(0, named=True)
    assert out["text"] == "2019年,共主动公开信息4895条。\n规章 0 0 0"
    assert set(out["fixes"]) == {"cjk_spacing", "fullwidth_digits", "page_markers"}


def test_html_scripts_dropped_and_rows_tabbed() -> None:
    page = (
        "<html><head><script>document.write('注入')</script><style>p{}</style></head><body>"
        "<nav>首页 > 信息公开</nav><p>一、总体情况</p><table><tr><td>规章</td><td>1</td><td>2</td></tr>"
        "</table></body></html>"
    )
    assert html_to_text(page) == "一、总体情况\n\n规章\t1\t2"


def test_heading_tree_and_numbered_lists() -> None:
    text = (
        "一、总体情况\n(一)主动公开\n1.网站\n二、存在的问题\n一是不够。\n"
        "一、加强建设,提升水平。这是一个很长的段落而非标题而是清单项目的开头文字继续写下去。"
    )
    headings = find_headings(text)
    assert [(h.level, h.label, h.heading) for h in headings] == [
        (1, "一", "总体情况"),
        (2, "(一)", "主动公开"),
        (3, "1", "网站"),
        (1, "二", "存在的问题"),
    ]


def test_grid_table_with_missing_cells() -> None:
    rows = [
        f"{r.label_zh}\t" + "\t".join(["1", "0", "0", "0", "0", "0", "1"])
        for r in catalog.T3_ROWS
        if "2021" in r.templates
    ]
    rows[0] = "一、本年新收政府信息公开申请数量\t1\t/\t0\t0\t0\t0\t1"
    tables, cells = read_tables("r", "三、收到和处理政府信息公开申请情况\n" + "\n".join(rows))
    t3 = next(t for t in tables if t["table_code"] == "t3")
    assert t3["layout"] == "grid"
    assert t3["cells_expected"] == 175 and t3["cells_read"] == 174
    assert t3["cells_missing"] == ["t3.new_received.commercial"]
    assert {c["metric"]: c["value"] for c in cells}["t3.new_received.total"] == 1


def _sample_texts() -> list[str]:
    return [(SAMPLES / name).read_text(encoding="utf-8") for name in SAMPLE_IDS.values()]


noise = st.sampled_from(
    [
        "欢迎访问本网站!\n",
        "— 4 —\n",
        "【打印本页】【关闭窗口】\n",
        "區(qū)",
        "２０２３",
        " 12 件",
        "开云手机官网入口·(中国)官方网站",
        "\n\n",
        "(一)",
        "第 3 页 共 9 页\n",
        "\t0\t0",
        "。",
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from(_sample_texts()), cut=st.integers(0, 4000), extra=st.lists(noise, max_size=6))
def test_cleaning_is_idempotent(base: str, cut: int, extra: list[str]) -> None:
    text = base[cut : cut + 3000] + "".join(extra)
    once = clean_one(text)["text"][0]
    assert clean_one(once)["text"][0] == once


@settings(max_examples=40, deadline=None)
@given(
    numbers=st.lists(st.integers(0, 99999), min_size=1, max_size=8),
    units=st.lists(st.sampled_from(["件", "条", "篇", "次", "万元"]), min_size=8, max_size=8),
)
def test_no_figure_lost_or_altered(numbers: list[int], units: list[str]) -> None:
    text = "。".join(f"本年度主动公开政府信息{n}{u}" for n, u in zip(numbers, units, strict=False)) + "。"
    out = clean_one(text)["text"][0]
    assert re.findall(r"\d+(?:件|条|篇|次|万元)", out) == [f"{n}{u}" for n, u in zip(numbers, units, strict=False)]


def test_body_year_counts_sentence_opening_years_at_the_text_start_and_after_breaks() -> None:
    """The year the body speaks of: the most frequent year opening a sentence or a line (the text's
    own start included), ties to the earlier year; a year inside a sentence or a quotation does
    not count."""
    assert body_year("2019年，本机关主动公开信息。2020年，计划继续。") == 2019
    assert body_year("前言\n2021年度，共受理申请。\n2021年，全部办结。2020年，结转。") == 2021
    assert body_year("本机关于2019年，主动公开信息") is None
    assert body_year("“2018年，”这是引用。") is None
    # In a quoted title the year is the title's: 《…。2019年，…》 does not count.
    assert body_year("《通知。2019年，安排》。2020年，完成。") == 2020
    # A batch at once: each text its own year, ties to the earlier, none where none is stated.
    texts = pl.DataFrame({"text": ["2022年，甲。2021年，乙。", "", None, "。2018年度，丙。\n2018年，丁。"]})
    assert texts.select(body_years(pl.col("text"))).to_series().to_list() == [2021, None, None, 2018]


@settings(max_examples=300, deadline=None)
@given(st.text("年。；;！？!?\n 元件a一", max_size=400), st.data())
def test_sentence_around_is_the_span_between_the_nearest_marks(text: str, data: st.DataObject) -> None:
    """The plain definition, walked a character at a time: back to just after the last sentence
    mark before the figure, forward to the first mark at or after its end (kept unless a newline)."""
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    left = start
    while left > 0 and text[left - 1] not in "。；;！？!?\n":
        left -= 1
    right = end
    while right < len(text) and text[right] not in "。；;！？!?\n":
        right += 1
    if right < len(text) and text[right] != "\n":
        right += 1
    sentence = text[left:right].strip()
    if len(sentence) > EVIDENCE_CHARS:
        lo = max(0, (start + end) // 2 - left - EVIDENCE_CHARS // 2)
        sentence = sentence[lo : lo + EVIDENCE_CHARS]
    assert sentence_around(text, start, end) == sentence


def test_cross_report_scope_reaches_texts_and_agencies_a_change_can_alter() -> None:
    """a1 changes. Its text is shared by c1 (another agency) and e1 (no agency); a2 is another year
    of a1's agency (人民政府 and 政府 name one agency), b1 shares a2's text, c2 is another year of
    c1's agency. b2 (b1's agency) and the rest share nothing with what a1 reaches."""
    from transforms.frames import cross_report_scope

    reports = pl.DataFrame(
        {
            "report_id": ["a1", "a2", "b1", "b2", "c1", "c2", "d1", "e1", "f1", "g1"],
            "agency": [
                "河东区人民政府办公室",
                "河东区政府办公室",
                "河西区",
                "河西区",
                "河南区",
                "河南区",
                None,
                None,
                "河北区",
                "河北区",
            ],
            "text_sha256": ["h1", "h2", "h2", "h3", "h1", "h4", "h5", "h1", "h6", None],
        }
    )
    assert sorted(cross_report_scope(reports, ["a1"])) == ["a1", "a2", "b1", "c1", "c2", "e1"]
    assert sorted(cross_report_scope(reports, ["b2"])) == ["a2", "b1", "b2"]
    assert cross_report_scope(reports, []) == []


def test_a_share_is_taken_of_the_figure_counting_the_same_kind_of_thing() -> None:
    """The 425 items published proactively are the base of the shares of them, not the 1873 items
    of every kind named before; a share's own part is never the base of the next share."""
    from transforms.figures.statements import shares

    text = (
        "2011年制作、获取政府信息总数1873条,其中主动公开政府信息425条,依申请公开信息数46条。"
        "县直各单位主动公开政府信息303条,占71.3%。各乡镇主动公开政府信息122条,占28.7%。"
        "共受理申请74件,其中予以公开64件,占86.5%。"
    )
    found = [(row["part"], row["base"], row["percent"]) for row in shares("r", text)]
    assert found == [(303.0, 425.0, 71.3), (122.0, 425.0, 28.7), (64.0, 74.0, 86.5)]


def test_granted_and_partially_granted_together_is_its_own_figure() -> None:
    """予以公开及部分公开42件 counts both outcomes: it is not the partially granted count."""
    from transforms.figures import extract_text_metrics

    text = "办结依申请公开81件,其中:予以公开及部分公开42件,占51.85%;另有部分公开3件。"
    rows, _ = extract_text_metrics("r", text, [])
    values = {row["metric"]: row["value"] for row in rows}
    assert values["text.requests_granted_in_whole_or_part"] == 42
    assert values["text.requests_partially_granted"] == 3


def test_items_published_as_a_portal_states_them() -> None:
    """门户网站公开全市各类政府信息共计3437条 is the items published proactively; a count of
    information disclosed on application is not."""
    from transforms.figures import extract_text_metrics

    portal = "2023年度,市政府门户网站公开全市各类政府信息共计3437条,包括人事信息12条。"
    stated, _ = extract_text_metrics("r", portal, [])
    assert [(row["metric"], row["value"]) for row in stated] == [("text.proactive_items", 3437.0)]
    on_application, _ = extract_text_metrics("r", "本年度依申请公开政府信息共计12条,均按时答复。", [])
    assert all(row["metric"] != "text.proactive_items" for row in on_application)


def test_copied_sentences_are_the_ones_the_year_before_has_too_figures_aside() -> None:
    from transforms.figures.statements import copied_sentences, copied_share

    before = "2022年,本机关受理申请12件,全部按时答复。我办持续加强政策解读工作。今年新设了专栏。"
    after = (
        "2023年,本机关受理申请15件,全部按时答复。我办持续加强政策解读工作。明年我们将继续改进政务公开工作的各个环节。"
    )
    assert copied_sentences(after, before) == ["2023年,本机关受理申请15件,全部按时答复", "我办持续加强政策解读工作"]
    assert copied_share(after, before) == 2 / 3


def test_figures_with_thousands_separators_are_one_number() -> None:
    from transforms.clean import without_thousands_separators
    from transforms.figures import extract_text_metrics

    assert without_thousands_separators("行政许可\t12,690\n收费1,234.56万元\n共12,345,678条") == (
        "行政许可\t12690\n收费1234.56万元\n共12345678条"
    )
    # A list of numbers parted by commas, and years, are no one number.
    assert without_thousands_separators("分别为120,135,98件;2022,2023年") == "分别为120,135,98件;2022,2023年"
    text = "2023年,全年主动公开政府信息12,345条。共受理政府信息公开申请1,024件。"
    cleaned = clean_reports(pl.DataFrame({"report_id": ["r"], "media_type": ["text/plain"], "text": [text]}))
    assert cleaned["fixes"][0].to_list() == ["thousands_separators"]
    stated, _ = extract_text_metrics("r", cleaned["text"][0], [])
    assert {row["metric"]: row["value"] for row in stated} == {
        "text.proactive_items": 12345.0,
        "text.requests_received": 1024.0,
    }
