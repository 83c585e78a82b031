"""Cleaned stage: normalise report text in batches, recording each fix that changed a report.

`clean_reports` takes the raw frame (report_id, media_type, text) and returns one row per report
with the normalised text, the text before chrome removal (metadata reads header fields there),
the list of fixes, and counts of damage that cleaning found (spam, garbled spans).
Regex passes are Polars expressions over the whole batch; OpenCC and HTML parsing are per
document calls, made only for the documents that need them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import polars as pl
from polars._typing import PolarsDataType

from transforms import catalog
from transforms import patterns as p
from transforms.clean import mojibake, pages
from transforms.documents import PAGE_BREAK

FIXES: tuple[str, ...] = (
    "html_to_text",
    "opencc_t2s",
    "pinyin_annotations",
    "web_chrome",
    "page_markers",
    "cjk_spacing",
    "fullwidth_digits",
    "mojibake_repaired",
    "spam_masked",
    "hard_wraps",
    "line_breaks_restored",
    "thousands_separators",
)

_FULLWIDTH = "０１２３４５６７８９"
_ASCII = "0123456789"
_HAN = r"\p{Han}"


@cache
def _opencc() -> object:
    import opencc  # a C++ library with a Python binding; loaded once per process

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _opencc().convert(text)  # type: ignore[attr-defined]


_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "section",
    "article",
    "tr",
    "table",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "dd",
    "dt",
    "center",
}
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "iframe",
    "form",
    "select",
    "button",
    "template",
    "object",
    "svg",
)


_JS_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.DOTALL)
_JS_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "", "b": "", "f": "", "v": ""}
_MARKUP_IN_SCRIPT = re.compile(r"<(?:table|p|div|tr)\b", re.IGNORECASE)
_MIN_BLOCKS_IN_SCRIPT = 3


def _js_unescape(literal: str) -> str:
    """A JavaScript string's escapes resolved (\\u6536, \\", \\/ …); nothing is evaluated."""

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if len(code) > 1:
            return chr(int(code[1:], 16))
        return _JS_SIMPLE_ESCAPES.get(code, code)

    return _JS_ESCAPE.sub(one, literal)


def _html_in_scripts(scripts: list[str]) -> str:
    """The markup a page keeps in its scripts' strings (document.write('<table>…'), a JSON field
    with the body): from the first tag to the last, escapes resolved. Empty when no script holds
    several blocks of markup."""
    found = []
    for script in scripts:
        if len(_MARKUP_IN_SCRIPT.findall(script)) < _MIN_BLOCKS_IN_SCRIPT:
            continue
        start, end = script.find("<"), script.rfind(">")
        found.append(_js_unescape(script[start : end + 1]))
    return "\n".join(found)


def html_to_text(html: str, _nested: bool = False) -> str:
    """Text of an HTML page with block structure kept: a paragraph per line, a table row per line
    with its cells separated by tabs. Scripts are never executed: selectolax only parses. A page
    whose body is in its scripts' strings (written by JavaScript) is read from that markup, when it
    holds more text than the page's own body."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(html)
    scripted = "" if _nested else _html_in_scripts([node.text() for node in tree.css("script")])
    own = _html_tree_text(tree)
    if scripted:
        from_scripts = html_to_text(scripted, _nested=True)
        if len(from_scripts) > 2 * len(own):
            return from_scripts
    return own


def _html_tree_text(tree: Any) -> str:
    for tag in _DROP_TAGS:
        for node in tree.css(tag):
            node.decompose()
    for row in tree.css("tr"):
        cells = []
        spanned = 0
        for cell in row.css("td, th"):
            cells.append(" ".join(cell.text(separator=" ").split()))
            span = cell.attributes.get("colspan")
            spanned += (int(span) if span and span.isdigit() and 0 < int(span) <= 20 else 1) - 1
        # A spanned cell's extra columns go to the row's end, as crawlers print them: an empty cell
        # between a row's label and its figures is a blank cell of the table, which keeps the
        # figures after it in their columns (`tables._line_tokens`).
        row.replace_with("\n" + "\t".join(cells + [""] * spanned) + "\n")
    body = tree.body or tree.root
    if body is None:
        return ""
    parts: list[str] = []
    for node in body.traverse(include_text=True):
        if node.tag == "-text":
            parts.append(node.text_content or "")
        elif node.tag in _BLOCK_TAGS:
            parts.append("\n")
    text = "".join(parts)
    lines = [" ".join(line.split()) if "\t" not in line else line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _line_pattern(alternatives: tuple[str, ...]) -> str:
    """One multiline regex that removes whole lines matching any alternative."""
    body = "|".join(f"(?:{a.lstrip('^').rstrip('$')})" for a in alternatives)
    return rf"(?m)^[ \t]*(?:{body})[ \t]*(?:\n|$)"


CHROME_RE = _line_pattern(p.CHROME_LINE_PATTERNS)
FURNITURE_RE = _line_pattern(p.PAGE_FURNITURE_PATTERNS)
_SPAM_PHRASE = (
    rf"(?:{'|'.join(re.escape(s) for s in p.SPAM_PHRASES)})"
    r"(?:体育|手机|APP|app)?(?:官网入口|官方入口|官方网站|官网)?[·・]*(?:[(（]中国[)）])?(?:官方网站|官网)?(?:站点)?"
)
# A declared phrase anywhere; a generic site string from an edge (`SPAM_EDGE`, which the mask
# keeps: `${edge}`), else only its core (`SPAM_CORE`).
SPAM_RE = rf"(?:{_SPAM_PHRASE}|(?P<edge>(?m:^)|{p.SPAM_EDGE})(?:{p.SPAM_PATTERN})|{p.SPAM_CORE})"
# The same, with the spam string itself as group 1 (a phrase), 2 (a generic string) or 3 (a core).
SPAM_SAMPLE_RE = rf"({_SPAM_PHRASE})|(?:(?m:^)|{p.SPAM_EDGE})({p.SPAM_PATTERN})|({p.SPAM_CORE})"
# Search-engine spam, masked wherever it stands: a title line (group 1) or a list of places (2).
# Its patterns open with a span that may start anywhere, which costs every document a slow scan
# (≈ 1.4 ms each, ten times the rest of the spam step), so only documents holding one of its
# words or a piped name are scanned.
SPAM_SEO_RE = rf"({p.SPAM_SEO_RUN})|({p.SPAM_PLACE_LIST})"
PINYIN_RE = p.PINYIN_GLOSS.replace(r"[\u4e00-\u9fff]", _HAN)
TRADITIONAL_RE = "[" + p.TRADITIONAL_ONLY_CHARS + "]"


# Texts `strip_navigation` could change: a navigation icon, or the site-listing header anywhere.
NAVIGATION_SUSPECT = "[" + p.NAV_ICON_CHARS + "]|" + p.SITE_LISTING_HEADER.strip("^$")


def strip_navigation(text: str) -> str:
    """Drop navigation trees and pasted site listings: blocks of lines dominated by menu icons, and a
    `名称 发文机构 发布日期` listing with its date rows."""
    lines = text.split("\n")
    keep = [True] * len(lines)
    icon = re.compile("[" + re.escape(p.NAV_ICON_CHARS) + "]")
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].strip():
            j += 1
        block = range(i, j)
        with_icons = sum(1 for k in block if icon.search(lines[k]))
        if with_icons and with_icons >= p.NAV_BLOCK_SHARE * len(block):
            for k in block:
                keep[k] = False
        i = j
    header = re.compile(p.SITE_LISTING_HEADER)
    row = re.compile(p.SITE_LISTING_ROW)
    for k, line in enumerate(lines):
        if header.match(line.strip()):
            keep[k] = False
            m = k + 1
            while m < len(lines) and (row.match(lines[m].strip()) or not lines[m].strip()):
                if lines[m].strip():
                    keep[m] = False
                m += 1
    return "\n".join(line for line, kept in zip(lines, keep, strict=True) if kept)


_HEADING_START = re.compile("|".join(f"(?:{pat})" for _, pat in p.HEADING_NUMBERING))
# A PDF page of Chinese text breaks lines at 25–40 characters; a shorter line ended on purpose.
_WRAP_MIN_CHARS = 22
_ENDS_WITH_DATE = re.compile(rf"(?:{p.CN_DATE}|{p.ARABIC_DATE})$")
# A title line is never continued by the paragraph under it.
_TITLE_LINE = re.compile(p.TITLE_LINE)
_SENTENCE_END = "。！？；：:;!?”」』)）》"


# Texts `join_hard_wraps` could change: a line of 22+ characters (no tab) ending in a Han character,
# followed (past whitespace, a blank line) by a Han character. (Python's str.strip also strips
# \x1c-\x1f, which the regex's \s does not.)
_STRIPPED = r"[\s\x1c-\x1f]"
HARD_WRAP_SUSPECT = rf"(?m)^[^\t\n]{{{_WRAP_MIN_CHARS - 1},}}[\u4e00-\u9fff]{_STRIPPED}*\n{_STRIPPED}*[\u4e00-\u9fff]"


def _wrappable_end(char: str, paged: bool) -> bool:
    """Whether a line ending in `char` may be cut mid-sentence: a Han character; on a printed page
    also a digit or a comma, where a column's width cuts as readily."""
    return "\u4e00" <= char <= "\u9fff" or (paged and (char.isdigit() or char in "，,、"))


def join_hard_wraps(text: str, min_chars: int = _WRAP_MIN_CHARS, paged: bool = False) -> str:
    """Join a long prose line cut mid-sentence with the line that continues it (one blank line may
    sit between them, as PDF extraction leaves). Headings and table rows are never merged.
    `min_chars`: how long a line must be to be taken as cut by the page's width. `paged`: the text
    of a printed page (PDF, DOCX), whose every full line was cut by the page, so that a short
    last piece of a paragraph (`件。`) joins too."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.rstrip()
        if (
            len(stripped) >= min_chars
            and "\t" not in stripped
            and _wrappable_end(stripped[-1], paged)
            and not (_HEADING_START.match(stripped.lstrip()) and "。" not in stripped)  # a heading line
            and not _TITLE_LINE.search(stripped)
            and not _ENDS_WITH_DATE.search(stripped)  # a signature
        ):
            k = i + 1
            if k < len(lines) and not lines[k].strip() and k + 1 < len(lines):
                k += 1
            nxt = lines[k].strip() if k < len(lines) else ""
            if (
                nxt
                and ("\u4e00" <= nxt[0] <= "\u9fff" or (paged and (nxt[0].isdigit() or nxt[0] in "，。,、；%")))
                and not _HEADING_START.match(nxt)
                and not _TITLE_LINE.search(nxt)
                and "\t" not in nxt
                and (paged or (len(nxt) >= 2 and nxt[1] in "。，,；;") or len(nxt) > 10)
            ):
                # The joined line may itself continue on the next line: examine it again.
                lines[k] = stripped + nxt
                i = k
                continue
        out.append(line)
        i += 1
    return "\n".join(out)


_FLATTENED_CHAPTER = re.compile(p.FLATTENED_CHAPTER)
_FLATTENED_BREAK = re.compile(p.FLATTENED_BREAK)
_FLATTENED_SUBHEADING = re.compile(p.FLATTENED_SUBHEADING_BREAK)
# Table 3's chapter-numbered rows: the catalogue's words for them (本年新收, 上年结转, 结转下年).
_FLATTENED_T3_ROW = re.compile(
    r"(?<=[\u4e00-\u9fff）)])(?=[一二三四五六七八九十]、(?:"
    + "|".join(
        [row.pattern for row in catalog.T3_ROWS if re.match(r"[一二三四五六七八九十]、", row.label_zh)]
        + list(p.FLATTENED_T3_HEADING_ROWS)
    )
    + "))"
)
_FLATTENED_SIGNATURE = re.compile(p.FLATTENED_SIGNATURE_BREAK)
_FLATTENED_RUN_IN = re.compile(p.FLATTENED_RUN_IN_HEADING, re.MULTILINE)
# Texts `restore_line_breaks` could change: a line of FLATTENED_LINE_MIN_CHARS or more.
FLATTENED_SUSPECT = rf"(?m)^[^\n]{{{p.FLATTENED_LINE_MIN_CHARS},}}"


# A page's lines are "full" within this many characters of its usual full line.
_FULL_LINE_SLACK = 3
_MIN_PAGE_WRAP_CHARS = 10


def join_page_wraps(text: str) -> str:
    """`join_hard_wraps` for a PDF's or DOCX's text, whose lines are as long as its columns are
    wide: a narrow column (a page set in two) wraps lines shorter than a web page's."""
    lengths = sorted(len(line) for line in text.split("\n") if len(line) >= _MIN_PAGE_WRAP_CHARS and "\t" not in line)
    if not lengths:
        return text
    usual = lengths[(len(lengths) * 3) // 4]  # the upper quartile: most prose lines are full ones
    min_chars = min(_WRAP_MIN_CHARS, max(_MIN_PAGE_WRAP_CHARS, usual - _FULL_LINE_SLACK))
    return join_hard_wraps(text, min_chars, paged=True)


def restore_line_breaks(text: str) -> str:
    """Put back the line breaks a crawl flattened out of a page: before each heading or table-row
    numbering of a long line that holds two or more chapter numberings, and after a short heading
    run into its paragraph. Lines of an ordinary page are left as they are."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if len(line) >= p.FLATTENED_LINE_MIN_CHARS and len(_FLATTENED_CHAPTER.findall(line)) >= 2:
            for pattern in (_FLATTENED_BREAK, _FLATTENED_SUBHEADING, _FLATTENED_T3_ROW, _FLATTENED_SIGNATURE):
                line = pattern.sub("\n", line)
            lines[index] = _FLATTENED_RUN_IN.sub("\\1\n", line)
    return "\n".join(lines)


def _changed(before: pl.Expr, after: pl.Expr) -> pl.Expr:
    return before != after


def _map_where(
    df: pl.DataFrame, needed: pl.Expr, func: Callable[[Any], Any], dtype: PolarsDataType, column: str = "text"
) -> pl.Series:
    """`func` over `column` of the rows where `needed` holds, None elsewhere. Polars evaluates both
    branches of when/then, so a per-document call (OpenCC, the HTML parser, a line walker) is made
    here only for the documents that need it."""
    value = pl.col(column).map_elements(func, return_dtype=dtype).cast(dtype).alias("value")
    return _computed_where(df, needed, [value]).get_column("value")


_THOUSANDS = re.compile(p.THOUSANDS_NUMBER)


def without_thousands_separators(text: str) -> str:
    """Figures written with thousands separators (12,690 and 1,234.56) as plain numbers; a list of
    numbers parted by commas (120,135,98) stays as it is."""
    return _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), text)


def _computed_where(df: pl.DataFrame, needed: pl.Expr, columns: list[pl.Expr]) -> pl.DataFrame:
    """`columns` computed over the rows where `needed` holds, NULL elsewhere, in `df`'s row order:
    a costly expression is evaluated only where it can find something (see `_map_where`)."""
    rows = df.with_row_index("_row")
    picked = rows.filter(needed.fill_null(False)).select("_row", *columns)
    return rows.select("_row").join(picked, on="_row", how="left", maintain_order="left").drop("_row")


def _char_position(text: pl.Expr, needle: pl.Expr) -> pl.Expr:
    """Where `needle` first stands in `text`, in characters (`str.find` counts bytes); NULL when
    it is not there."""
    return (
        pl.when(needle.is_not_null() & text.str.contains(needle, literal=True))
        .then(text.str.split(needle).list.first().str.len_chars())
        .cast(pl.Int32)
    )


def clean_reports(raw: pl.DataFrame) -> pl.DataFrame:
    """Normalise a batch of raw reports. Columns in: report_id, media_type, text.

    Columns out: report_id, text, pre_chrome (text before chrome removal), original_script, fixes,
    spam_spans (how many spam strings were masked), spam_sample (the first, as it read), spam_in_names
    (masks standing where a name belongs), spam_first_char, garbled_spans, garbled_sample,
    garbled_first_char (positions in the cleaned text), page_starts.
    """
    if raw.is_empty():
        return pl.DataFrame(
            schema={
                "report_id": pl.String,
                "text": pl.String,
                "pre_chrome": pl.String,
                "original_script": pl.String,
                "fixes": pl.List(pl.String),
                "spam_spans": pl.Int64,
                "spam_sample": pl.String,
                "spam_in_names": pl.Int32,
                "spam_first_char": pl.Int32,
                "garbled_spans": pl.Int64,
                "garbled_sample": pl.String,
                "garbled_first_char": pl.Int32,
                "page_starts": pl.List(pl.Int32),
            }
        )
    t = pl.col("text")
    df = raw.select("report_id", "media_type", "text").with_columns(
        (pl.col("media_type") == "text/html").alias("is_html")
    )
    # 0. A PDF's or DOCX's pages: the lines that run along every page's top or bottom taken out.
    df = df.with_columns(t.str.contains(PAGE_BREAK, literal=True).alias("paged"))
    paged = pl.col("paged")
    df = df.with_columns(pl.coalesce(_map_where(df, paged, pages.strip_running_lines, pl.String), t).alias("step"))
    df = df.with_columns(_changed(t, pl.col("step")).alias("fix_running_lines"), pl.col("step").alias("text"))
    # 1. HTML → text (per document, only the HTML ones).
    df = df.with_columns(
        pl.coalesce(_map_where(df, pl.col("is_html"), html_to_text, pl.String), t).alias("text")
    ).with_columns(
        t.str.replace_all("\r\n?", "\n")
        .str.replace_all("[\u00a0\u3000\u2002\u2003\u200b\ufeff]", " ")
        .str.replace_all(p.HTML_RESIDUE, "")
        .alias("text")
    )
    # 2. Mojibake: UTF-8 that a site read as GBK, turned back where every byte survived.
    suspect = t.str.contains(mojibake.prefilter())
    df = df.with_columns(pl.coalesce(_map_where(df, suspect, mojibake.repair, pl.String), t).alias("step"))
    df = df.with_columns(_changed(t, pl.col("step")).alias("fix_mojibake_repaired"), pl.col("step").alias("text"))
    # 3. Pinyin glosses (before OpenCC: the gloss follows the Traditional character).
    df = df.with_columns(t.str.replace_all(PINYIN_RE, "${1}").alias("step"))
    df = df.with_columns(_changed(t, pl.col("step")).alias("fix_pinyin_annotations"), pl.col("step").alias("text"))
    # 4. OpenCC, only where the text is Traditional.
    df = df.with_columns(
        (t.str.count_matches(TRADITIONAL_RE) / t.str.len_chars().clip(1)).alias("traditional_share")
    ).with_columns(
        pl.when(pl.col("traditional_share") >= p.TRADITIONAL_SHARE)
        .then(pl.lit("traditional"))
        .otherwise(pl.lit("simplified"))
        .alias("original_script")
    )
    traditional = pl.col("original_script") == "traditional"
    df = df.with_columns(pl.coalesce(_map_where(df, traditional, to_simplified, pl.String), t).alias("step"))
    df = df.with_columns(_changed(t, pl.col("step")).alias("fix_opencc_t2s"), pl.col("step").alias("text"))
    # 5. Full-width digits → ASCII.
    df = df.with_columns(t.str.replace_many(list(_FULLWIDTH), list(_ASCII)).alias("step"))
    df = df.with_columns(_changed(t, pl.col("step")).alias("fix_fullwidth_digits"), pl.col("step").alias("text"))
    # 5b. Thousands separators (12,690 → 12690): a figure is one number to every reader after this.
    df = df.with_columns(
        pl.coalesce(
            _map_where(df, t.str.contains(p.THOUSANDS_SUSPECT), without_thousands_separators, pl.String), t
        ).alias("step")
    )
    df = df.with_columns(_changed(t, pl.col("step")).alias("fix_thousands_separators"), pl.col("step").alias("text"))
    # 6. Spam: count, then mask.
    seo_suspect = t.str.contains_any(list(p.SPAM_SEO_WORDS)) | t.str.contains(p.SPAM_SEO_SUSPECT)
    seo_sample = t.str.extract_groups(SPAM_SEO_RE)
    seo = _computed_where(
        df,
        seo_suspect,
        [
            t.str.count_matches(SPAM_SEO_RE).alias("seo_spans"),
            pl.coalesce(seo_sample.struct.field("1"), seo_sample.struct.field("2")).alias("seo_sample"),
            t.str.replace_all(SPAM_SEO_RE, p.SPAM_MASK).alias("seo_masked"),
        ],
    )
    df = df.with_columns(seo).with_columns(
        (t.str.count_matches(SPAM_RE) + pl.col("seo_spans").fill_null(0)).cast(pl.Int64).alias("spam_spans")
    )
    sample = t.str.extract_groups(SPAM_SAMPLE_RE)
    df = df.with_columns(
        _computed_where(
            df,
            pl.col("spam_spans") > 0,
            [pl.coalesce(*(sample.struct.field(str(group)) for group in range(1, 4))).alias("site_sample")],
        )
    ).with_columns(pl.coalesce("site_sample", "seo_sample").alias("spam_sample"))
    df = df.with_columns(
        pl.coalesce("seo_masked", t).str.replace_all(SPAM_RE, "${edge}" + p.SPAM_MASK, literal=False).alias("text")
    )
    # Each page's first words, to find where it starts once cleaning is done; the page breaks
    # become blank lines (a sentence running over a page is joined with the hard wraps).
    df = df.with_columns(
        _map_where(df, paged, pages.page_anchors, pl.List(pl.String)).alias("page_anchors")
    ).with_columns(t.str.replace_all(PAGE_BREAK, "\n\n", literal=True).alias("text"))
    # 7. Line breaks a crawl flattened out (before the spaces that mark some of them are removed).
    df = df.with_columns(
        pl.coalesce(_map_where(df, t.str.contains(FLATTENED_SUSPECT), restore_line_breaks, pl.String), t).alias("step")
    )
    df = df.with_columns(_changed(t, pl.col("step")).alias("fix_line_breaks_restored"), pl.col("step").alias("text"))
    # 8. Spaces between CJK and figures: "2019 年" → "2019年", "信息 4895 条" → "信息4895条".
    df = df.with_columns(
        t.str.replace_all(rf"({_HAN})[ ]+(\d[\d.]*)[ ]*({_HAN}|%)", "${1}${2}${3}")
        .str.replace_all(rf"(\d)[ ]+({_HAN})", "${1}${2}")
        .str.replace_all(rf"({_HAN})[ ]+(\d[\d.]*)[ ]*({_HAN}|%)", "${1}${2}${3}")
        .alias("step")
    )
    df = df.with_columns(_changed(t, pl.col("step")).alias("fix_cjk_spacing"), pl.col("step").alias("text"))
    # Text with header fields still present: metadata reads 发布日期/发布机构 from here.
    df = df.with_columns(t.alias("pre_chrome"))
    # 9. Site chrome: line patterns, then navigation blocks.
    df = df.with_columns(t.str.replace_all(CHROME_RE, "").alias("step"))
    step = pl.col("step")
    df = df.with_columns(
        pl.coalesce(
            _map_where(df, step.str.contains(NAVIGATION_SUSPECT), strip_navigation, pl.String, "step"), step
        ).alias("step")
    )
    df = df.with_columns(_changed(t, pl.col("step")).alias("fix_web_chrome"), pl.col("step").alias("text"))
    # 10. Page furniture.
    df = df.with_columns(t.str.replace_all(FURNITURE_RE, "").alias("step"))
    df = df.with_columns(
        (_changed(t, pl.col("step")) | pl.col("fix_running_lines")).alias("fix_page_markers"),
        pl.col("step").alias("text"),
    )
    # 11. Hard wraps (after removed lines are collapsed, so a page break between halves of a
    # sentence counts as the one blank line it will become).
    df = df.with_columns(t.str.replace_all(r"(?m)[ \t]+$", "").str.replace_all(r"\n{3,}", "\n\n").alias("text"))
    df = df.with_columns(
        pl.coalesce(
            _map_where(df, pl.col("paged"), join_page_wraps, pl.String),
            _map_where(df, t.str.contains(HARD_WRAP_SUSPECT) & ~pl.col("paged"), join_hard_wraps, pl.String),
            t,
        ).alias("step")
    )
    df = df.with_columns(_changed(t, pl.col("step")).alias("fix_hard_wraps"), pl.col("step").alias("text"))
    # 12. Whitespace tidy: trailing spaces, runs of blank lines.
    df = df.with_columns(
        t.str.replace_all(r"(?m)[ \t]+$", "").str.replace_all(r"\n{3,}", "\n\n").str.strip_chars().alias("text")
    )
    # Damage cleaning could not repair: lost-byte marks, and mojibake spans that did not decode.
    unrepaired = _map_where(df, t.str.contains(mojibake.prefilter()), mojibake.garbled_spans, pl.List(pl.String))
    df = df.with_columns(unrepaired.fill_null([]).alias("unrepaired"))
    df = df.with_columns(
        (t.str.count_matches(p.GARBLED_SPAN) + pl.col("unrepaired").list.len()).cast(pl.Int64).alias("garbled_spans"),
        pl.coalesce(
            t.str.extract(r"(.{0,12}(?:" + p.GARBLED_SPAN + r").{0,12})", 1), pl.col("unrepaired").list.first()
        ).alias("garbled_sample"),
        pl.col("is_html").alias("fix_html_to_text"),
        (pl.col("spam_spans") > 0).alias("fix_spam_masked"),
    )
    # Where a reader finds the damage: the first mask, the first unrepaired span.
    df = df.with_columns(
        _computed_where(
            df,
            pl.col("spam_spans") > 0,
            [
                _char_position(t, pl.lit(p.SPAM_MASK)).alias("spam_first_char"),
                t.str.count_matches(p.SPAM_NAME_SLOT).cast(pl.Int32).alias("spam_in_names"),
            ],
        )
    ).with_columns(pl.col("spam_in_names").fill_null(0))
    df = df.with_columns(_char_position(t, pl.col("garbled_sample")).alias("garbled_first_char"))
    anchored = pl.col("page_anchors").is_not_null()
    df = df.with_columns(
        _map_where(
            df.with_columns(pl.struct("text", "page_anchors").alias("anchored_text")),
            anchored,
            lambda row: pages.page_starts(row["text"], row["page_anchors"]),
            pl.List(pl.Int32),
            "anchored_text",
        ).alias("page_starts")
    )
    fixes = (
        pl.concat_list(
            [
                pl.when(pl.col(f"fix_{name}")).then(pl.lit(name)).otherwise(pl.lit(None, dtype=pl.String))
                for name in FIXES
            ]
        )
        .list.drop_nulls()
        .alias("fixes")
    )
    return df.select(
        "report_id",
        "text",
        "pre_chrome",
        "original_script",
        fixes,
        "spam_spans",
        "spam_sample",
        "spam_in_names",
        "spam_first_char",
        "garbled_spans",
        "garbled_sample",
        "garbled_first_char",
        "page_starts",
    )
