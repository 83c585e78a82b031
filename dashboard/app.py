"""nianbao's dashboard: `bin/dashboard` (Streamlit), reading the warehouse read-only.

Pages: 概览 (the corpus: counts, trends and the reports, filtered), 问题标记 (the flag explorer),
机构 (one agency year by year, from marts.year_over_year), 报告 (one report: metadata, the three
standard tables, sections, flags with what to check, and the review form). A page, a report and an
agency can be linked to: `?page=report&report=<report_id>`, `?page=agency&agency=<name>`.

Filters (sidebar) are SQL conditions on the marts, and lists come a page at a time, so a first page
at 100,000 reports reads a page, not the corpus. Review decisions are written to the reviews file
(NIANBAO_REVIEWS), never to the warehouse: the next run loads them.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd
import streamlit as st

from dashboard import export
from transforms import catalog, patterns
from transforms.figures import statements
from warehouse import reviews
from warehouse.store import warehouse_path

WAREHOUSE = warehouse_path()
REVIEWS = Path(os.environ.get("NIANBAO_REVIEWS") or reviews.default_path(WAREHOUSE))
PAGES = {"overview": "概览 Overview", "flags": "问题标记 Flags", "agency": "机构 Agency", "report": "报告 Report"}
PAGE_SIZE = 50
EXPORT_ROWS = 100_000  # the most rows a CSV export takes
T3_ROW_ZH = {r.code: r.label_zh for r in catalog.T3_ROWS}
T3_COL_ZH = {c.code: c.label_zh for c in catalog.T3_COLUMNS}
T4_GROUP_ZH = {g.code: g.label_zh for g in catalog.T4_GROUPS}
T4_COL_ZH = {c.code: c.label_zh for c in catalog.T4_COLUMNS}
T2_ZH = {f"t2.{r.code}.{c.code}": (r.label_zh, c.label_zh) for r in catalog.T2_ROWS for c in r.columns}
# The overview's figures as marts.year_over_year names them, in the order a reader expects.
FIGURES_ZH = {
    "requests_new": "本年新收申请",
    "requests_carried_over": "上年结转",
    "requests_concluded": "办理结果总计",
    "requests_carried_forward": "结转下年",
    "granted": "予以公开",
    "partially_granted": "部分公开",
    "reconsideration_total": "行政复议",
    "reconsideration_corrected": "复议纠错",
    "litigation_total": "行政诉讼",
    "litigation_corrected": "诉讼纠错",
}


@st.cache_data(ttl=30, show_spinner=False)
def load(sql: str, params: tuple[object, ...] = ()) -> pd.DataFrame:
    """One short read-only connection per query: never a lock on the pipeline's file."""
    con = duckdb.connect(str(WAREHOUSE), read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def number(value: object) -> str:
    """A count with thousands separators; a dash where there is none."""
    return "—" if value is None or pd.isna(value) else f"{int(value):,}"  # type: ignore[call-overload]


def download(frame: pd.DataFrame, name: str, key: str) -> None:
    st.download_button("下载 CSV", frame.to_csv(index=False).encode("utf-8-sig"), f"{name}.csv", "text/csv", key=key)


# ----------------------------------------------------------------------------- filters


@dataclass
class Filters:
    provinces: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    agency: str = ""
    rules: list[str] = field(default_factory=list)
    severities: list[str] = field(default_factory=list)

    def where(self, alias: str = "o") -> tuple[str, tuple[object, ...]]:
        """SQL conditions on marts.report_overview (as `alias`), and their parameters."""
        conditions: list[str] = ["TRUE"]
        params: list[object] = []
        for column, values in (("province", self.provinces), ("city", self.cities), ("report_year", self.years)):
            if values:
                conditions.append(f"{alias}.{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        if self.agency:
            conditions.append(f"{alias}.agency ILIKE ?")
            params.append(f"%{self.agency}%")
        flag, flag_params = self.flag_conditions()
        if flag:
            flag.insert(0, f"f.report_id = {alias}.report_id")
            conditions.append(f"EXISTS (SELECT 1 FROM quality.flags AS f WHERE {' AND '.join(flag)})")
            params.extend(flag_params)
        return " AND ".join(conditions), tuple(params)

    def flag_conditions(self) -> tuple[list[str], list[object]]:
        """SQL conditions on quality.flags (as `f`) for the chosen rules and severities."""
        conditions: list[str] = []
        params: list[object] = []
        for column, values in (("rule", self.rules), ("severity", self.severities)):
            if values:
                conditions.append(f"f.{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        return conditions, params


def sidebar_filters() -> Filters:
    st.sidebar.subheader("筛选 Filters")
    provinces = load("SELECT DISTINCT province FROM marts.report_overview WHERE province IS NOT NULL ORDER BY 1")
    chosen = Filters(provinces=st.sidebar.multiselect("省份 province", list(provinces.province)))
    city_sql = "SELECT DISTINCT city FROM marts.report_overview WHERE city IS NOT NULL"
    if chosen.provinces:
        city_sql += f" AND province IN ({', '.join('?' * len(chosen.provinces))})"
    chosen.cities = st.sidebar.multiselect(
        "城市 city", list(load(city_sql + " ORDER BY 1", tuple(chosen.provinces)).city)
    )
    years = load("SELECT DISTINCT report_year FROM marts.report_overview WHERE report_year IS NOT NULL ORDER BY 1")
    chosen.years = st.sidebar.multiselect("年度 year", [int(y) for y in years.report_year])
    chosen.agency = st.sidebar.text_input("机构 agency (包含 contains)").strip()
    rules = load("SELECT rule FROM catalog.rules ORDER BY rule")
    chosen.rules = st.sidebar.multiselect("规则 rule", list(rules.rule))
    chosen.severities = st.sidebar.multiselect("严重程度 severity", ["error", "warning"])
    return chosen


def paged(sql: str, params: tuple[object, ...], key: str) -> tuple[pd.DataFrame, int]:
    """A page of the query's rows (LIMIT/OFFSET in SQL) and how many rows it has."""
    total = int(load(f"SELECT count(*) AS n FROM ({sql})", params).n.iloc[0])
    pages = max(1, -(-total // PAGE_SIZE))
    page = st.number_input(f"页 page (共 {pages:,})", 1, pages, 1, key=key) if pages > 1 else 1
    rows = load(f"{sql} LIMIT {PAGE_SIZE} OFFSET {(int(page) - 1) * PAGE_SIZE}", params)
    return rows, total


# ----------------------------------------------------------------------------- pages


def overview(filters: Filters) -> None:
    st.header("概览 · Corpus overview")
    where, params = filters.where()
    totals = load(
        f"""
        SELECT count(*) FILTER (WHERE doc_type = 'annual_report') AS annual_reports,
               count(*) FILTER (WHERE doc_type <> 'annual_report') AS other_documents,
               count(*) FILTER (WHERE reconciles) AS reconciling,
               count(reconciles) AS checked,
               sum(errors_open) AS errors_open, sum(warnings_open) AS warnings_open
        FROM marts.report_overview AS o WHERE {where}""",
        params,
    ).iloc[0]
    cols = st.columns(5)
    cols[0].metric("年度报告 annual reports", number(totals.annual_reports))
    cols[1].metric("其他文件 other documents", number(totals.other_documents))
    # Only reports whose tables were read can reconcile (reconciles is NULL for the rest).
    cols[2].metric("勾稽一致 reconciling", f"{number(totals.reconciling)} / {number(totals.checked)}")
    cols[3].metric("未处理错误 open errors", number(totals.errors_open))
    cols[4].metric("未处理警告 open warnings", number(totals.warnings_open))
    annual = f"{where} AND o.doc_type = 'annual_report'"
    left, right = st.columns(2)
    by_year = load(
        f"SELECT report_year AS 年度, count(*) AS 年度报告 FROM marts.report_overview AS o "
        f"WHERE {annual} AND report_year IS NOT NULL GROUP BY 1 ORDER BY 1",
        params,
    )
    left.subheader("各年度年度报告数 Annual reports by year")
    left.altair_chart(
        alt.Chart(by_year).mark_bar().encode(x="年度:O", y="年度报告:Q", tooltip=["年度", "年度报告"]),
        width="stretch",
    )
    by_province = load(
        f"SELECT coalesce(province, '(未知)') AS 省份, count(*) AS 年度报告 FROM marts.report_overview AS o "
        f"WHERE {annual} GROUP BY 1 ORDER BY 2 DESC LIMIT 40",
        params,
    )
    right.subheader("各省份年度报告数 Annual reports by province")
    right.altair_chart(
        alt.Chart(by_province).mark_bar().encode(x=alt.X("省份:N", sort="-y"), y="年度报告:Q"),
        width="stretch",
    )
    st.subheader("申请与办理结果 Applications and outcomes over the years")
    trend = load(
        f"""SELECT report_year AS 年度, sum(requests_new) AS 本年新收, sum(requests_concluded) AS 办理结果总计,
               sum(granted) AS 予以公开
        FROM marts.report_overview AS o WHERE {annual} AND report_year IS NOT NULL GROUP BY 1 ORDER BY 1""",
        params,
    ).melt("年度", var_name="指标", value_name="件数")
    # Points as well as lines: a series of one year is a point, not nothing.
    st.altair_chart(
        alt.Chart(trend).mark_line(point=True).encode(x="年度:O", y="件数:Q", color="指标:N", tooltip=list(trend)),
        width="stretch",
    )
    st.subheader("报告 Reports")
    sql = f"""
        SELECT report_id, agency AS 机构, province AS 省份, city AS 城市, report_year AS 年度,
               strftime(publish_date, '%Y-%m-%d') AS 发布日期, doc_type AS 类型, requests_new AS 本年新收,
               granted AS 予以公开, reconciles AS 勾稽一致, errors_open AS 未处理错误, warnings_open AS 未处理警告
        FROM marts.report_overview AS o WHERE {where}
        ORDER BY report_year DESC NULLS LAST, agency NULLS LAST, report_id"""
    rows, total = paged(sql, params, "reports_page")
    st.caption(f"{total:,} 份 documents")
    st.dataframe(
        rows.assign(报告=rows.report_id.map(lambda rid: f"?page=report&report={rid}")).drop(columns="report_id"),
        hide_index=True,
        column_config={
            "报告": st.column_config.LinkColumn("报告", display_text="打开 open"),
            "本年新收": st.column_config.NumberColumn(format="%d"),
            "予以公开": st.column_config.NumberColumn(format="%d"),
        },
    )
    download(load(f"{sql} LIMIT {EXPORT_ROWS}", params), "reports", "reports_csv")
    st.subheader("各省份 · 年度 By province and year")
    provinces = load(
        "SELECT province AS 省份, report_year AS 年度, reports AS 年度报告, agencies AS 机构, "
        "reports_reconciling AS 无勾稽问题, applications AS 本年新收, granted AS 予以公开, "
        "round(100 * granted_share, 1) AS 公开率百分比, errors AS 错误, warnings AS 警告 "
        "FROM marts.province_year ORDER BY 省份, 年度"
    )
    st.dataframe(
        provinces, hide_index=True, column_config={"公开率百分比": st.column_config.NumberColumn(format="%.1f%%")}
    )
    download(provinces, "province_year", "province_csv")


def flags_page(filters: Filters) -> None:
    st.header("问题标记 · Flag explorer")
    where, params = filters.where()
    flag_where, flag_params = filters.flag_conditions()
    extra = "".join(f" AND {condition}" for condition in flag_where)
    summary = load(
        f"""SELECT f.rule AS 规则, r.severity AS 严重程度, r.description_zh AS 说明, r.description_en AS description,
               count(*) AS 标记, count(DISTINCT f.report_id) AS 报告
        FROM quality.flags AS f JOIN catalog.rules AS r USING (rule)
        JOIN marts.report_overview AS o USING (report_id)
        WHERE {where}{extra} GROUP BY ALL ORDER BY 标记 DESC""",
        params + tuple(flag_params),
    )
    st.table(summary.set_index("规则"))  # a row per rule at most: shown whole
    download(summary, "flag_summary", "flag_summary_csv")
    sql = f"""
        SELECT f.report_id, f.rule AS 规则, f.severity AS 严重程度, o.report_year AS 年度, o.agency AS 机构,
               json_extract_string(f.details, '$.where') AS 位置,
               coalesce(json_extract_string(f.details, '$.found'), f.message) AS 发现,
               json_extract_string(f.details, '$.expected') AS 应当,
               r.description_en AS rule_description, coalesce(d.decision, '') AS 审核, f.message AS 说明
        FROM quality.flags AS f JOIN marts.report_overview AS o USING (report_id)
        JOIN catalog.rules AS r USING (rule)
        LEFT JOIN review.decisions AS d
            ON d.report_id = f.report_id AND d.target = f.rule AND d.status = 'applied'
        WHERE {where}{extra}
        ORDER BY f.severity, f.rule, o.report_year, f.report_id"""
    rows, total = paged(sql, params + tuple(flag_params), "flags_page")
    st.caption(f"{total:,} 条标记 flags")
    # The report link first: a long message never pushes it off the screen. The message in its
    # three parts, each a column of its own (the whole message is in the CSV).
    shown = rows.assign(报告=rows.report_id.map(lambda rid: f"?page=report&report={rid}")).drop(
        columns=["report_id", "说明"]
    )
    st.dataframe(
        shown[["报告", *[c for c in shown.columns if c != "报告"]]],
        hide_index=True,
        column_config={
            "报告": st.column_config.LinkColumn("报告", display_text="打开", width="small"),
            "位置": st.column_config.TextColumn(width="medium"),
            "发现": st.column_config.TextColumn(width="large"),
            "应当": st.column_config.TextColumn(width="medium"),
            "rule_description": st.column_config.TextColumn(width="medium"),
        },
    )
    download(load(f"{sql} LIMIT {EXPORT_ROWS}", params + tuple(flag_params)), "flags", "flags_csv")


def agency_page(filters: Filters) -> None:
    st.header("机构 · Agency year by year")
    search = st.text_input("机构 agency", st.query_params.get("agency", filters.agency))
    agencies = load(
        "SELECT DISTINCT agency FROM marts.year_over_year WHERE agency ILIKE ? ORDER BY agency LIMIT 200",
        (f"%{search}%",),
    )
    if agencies.empty:
        st.info("没有找到机构 No agency matches")
        return
    agency = st.selectbox("选择 choose", list(agencies.agency))
    st.query_params["agency"] = agency
    # The body's years, whatever form its name took in each (the mart matched them).
    years = load(
        """WITH mine AS (SELECT report_id FROM marts.year_over_year WHERE agency = ?)
        SELECT y.report_year AS 年度, y.metric, y.value, y.previous_value, y.change, y.change_ratio, y.agency,
               y.report_id, y.previous_report_id
        FROM marts.year_over_year AS y
        WHERE y.report_id IN (SELECT report_id FROM mine)
           OR y.report_id IN (SELECT previous_report_id FROM marts.year_over_year WHERE agency = ?)
        ORDER BY y.report_year, y.metric""",
        (agency, agency),
    )
    if years.empty:
        st.info("该机构没有年度报告数字 No figures for this agency")
        return
    side_by_side = years.pivot_table(index="metric", columns="年度", values="value", aggfunc="first")
    side_by_side = side_by_side.reindex([m for m in FIGURES_ZH if m in side_by_side.index])
    side_by_side.index = [f"{FIGURES_ZH[m]} {m}" for m in side_by_side.index]
    st.subheader("逐年数字 Figures by year")
    st.dataframe(side_by_side.style.format("{:,.0f}", na_rep="—"))
    changes = years[years.previous_value.notna()][
        ["年度", "metric", "previous_value", "value", "change", "change_ratio"]
    ]
    st.subheader("与上年相比 Change on the year before")
    st.dataframe(
        changes, hide_index=True, column_config={"change_ratio": st.column_config.NumberColumn(format="%.1%%")}
    )
    ids = tuple(years.report_id.unique())
    marks = ", ".join("?" * len(ids))
    continuity = load(
        f"""SELECT o.report_year AS 年度, f.rule AS 规则, f.message AS 说明, r.description_en AS description
        FROM quality.flags AS f JOIN catalog.rules AS r USING (rule) JOIN marts.report_overview AS o USING (report_id)
        WHERE f.report_id IN ({marks}) AND f.suite = 'continuity' ORDER BY 1, 2""",
        ids,
    )
    st.subheader(f"连续性标记 Continuity flags ({len(continuity)})")
    st.dataframe(continuity, hide_index=True, column_config={"说明": st.column_config.TextColumn(width="large")})
    repeated = repeated_sentences(years)
    st.subheader(f"与上年相同的句子 Sentences repeated from the year before ({len(repeated)})")
    if repeated.empty:
        st.caption("没有 none")
    else:
        st.dataframe(repeated, hide_index=True, column_config={"句子": st.column_config.TextColumn(width="large")})
    download(years, f"year_over_year_{agency}", "agency_csv")
    printable = f"<html><meta charset='utf-8'><h1>{agency}</h1>{side_by_side.to_html()}{continuity.to_html()}</html>"
    st.download_button("打印版 printable page", printable.encode(), f"{agency}.html", "text/html", key="agency_html")
    st.download_button(
        "Word 文档 .docx",
        export.agency_docx(agency, side_by_side, changes, continuity, repeated),
        f"{agency}.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="agency_docx",
    )


def repeated_sentences(years: pd.DataFrame) -> pd.DataFrame:
    """(年度, 句子): each of the agency's reports' prose sentences that its previous year's report
    has too (figures aside), as `COPIED_FROM_PRIOR_YEAR` counts them. Reads the pairs' two texts."""
    pairs = years[years.previous_report_id.notna()][["年度", "report_id", "previous_report_id"]].drop_duplicates()
    if pairs.empty:
        return pd.DataFrame(columns=["年度", "句子"])
    ids = tuple(set(pairs.report_id) | set(pairs.previous_report_id))
    texts = load(f"SELECT report_id, text FROM cleaned.reports WHERE report_id IN ({', '.join('?' * len(ids))})", ids)
    text_of = dict(zip(texts.report_id, texts.text, strict=True))
    rows = [
        (year, sentence)
        for year, this, previous in pairs.itertuples(index=False)
        for sentence in statements.copied_sentences(text_of.get(this, ""), text_of.get(previous, ""))
    ]
    return pd.DataFrame(rows, columns=["年度", "句子"])


def _pivot(
    cells: pd.DataFrame, table: str, rows_zh: dict[str, str], cols_zh: dict[str, str], corner: str
) -> pd.DataFrame:
    """A standard table's cells (metric codes `table.row.col`) laid out with its Chinese labels."""
    cells = cells[cells.metric.str.startswith(table + ".")].copy()
    cells[["table", "row", "col"]] = cells.metric.str.split(".", expand=True)
    laid_out = cells.pivot(index="row", columns="col", values="value")
    laid_out = laid_out.reindex(
        index=[r for r in rows_zh if r in laid_out.index], columns=[c for c in cols_zh if c in laid_out.columns]
    )
    return laid_out.rename(index=rows_zh, columns=cols_zh).rename_axis(index=corner, columns=None).astype("Int64")


# The keys of a flag's details that quote the report's own words.
QUOTED_DETAILS = ("sentence", "evidence", "garbled_sample")


# The keys of a flag's details that its message already shows (where, found, expected).
MESSAGE_DETAILS = ("where", "found", "expected")


def evidence_beyond_message(detail: str | None) -> str:
    """A flag's details without the parts its message shows: the numbers and quotes behind it."""
    try:
        fields = json.loads(detail) if detail else {}
    except ValueError:
        return detail or ""
    return json.dumps({k: v for k, v in fields.items() if k not in MESSAGE_DETAILS}, ensure_ascii=False)


def flagged_passages(details: list[str]) -> list[str]:
    """The report's words the flags quote (their details' sentences and samples)."""
    passages = []
    for detail in details:
        try:
            fields = json.loads(detail) if detail else {}
        except ValueError:
            continue
        passages += [str(fields[key]) for key in QUOTED_DETAILS if fields.get(key)]
        if fields.get("spam_spans"):  # the spam itself is gone from the text: its masks stand there
            passages.append(patterns.SPAM_MASK)
    return passages


def highlight(text: str, passages: list[str]) -> str:
    """The text as HTML, the passages marked wherever they stand."""
    marked = html.escape(text)
    for passage in sorted(set(passages), key=len, reverse=True):
        escaped = html.escape(passage)
        marked = marked.replace(escaped, f"<mark>{escaped}</mark>")
    return marked


def _choose_report(filters: Filters) -> str | None:
    wanted = st.query_params.get("report")
    search = st.text_input("搜索 search (机构/文件 agency or file)", "")
    where, params = filters.where()
    found = load(
        f"""SELECT report_id, coalesce(agency, '(未知机构)') || ' · ' || coalesce(CAST(report_year AS VARCHAR), '?')
               || ' · ' || source_path AS label
        FROM marts.report_overview AS o
        WHERE ({where}) AND (? = '' OR agency ILIKE ? OR source_path ILIKE ?) OR report_id = ?
        ORDER BY label LIMIT 200""",
        (*params, search, f"%{search}%", f"%{search}%", wanted or ""),
    )
    if found.empty:
        st.info("没有报告 No report matches")
        return None
    ids = list(found.report_id)
    labels = dict(zip(found.report_id, found.label, strict=True))
    report_id = str(
        st.selectbox(
            "报告 report", ids, index=ids.index(wanted) if wanted in ids else 0, format_func=lambda r: labels[r]
        )
    )
    st.query_params["report"] = report_id
    return report_id


def review_form(report_id: str, flags: pd.DataFrame, metrics: pd.DataFrame) -> None:
    """Confirm or dismiss a flag, or correct a figure: a line in the reviews file, which the next run
    loads (the dashboard never writes the warehouse)."""
    with st.expander(f"审核 Review (写入 writes {REVIEWS})"):
        with st.form("review"):
            targets = [*flags["规则"], *metrics.metric.unique()]
            target = st.selectbox("对象 flag or figure", targets)
            decision = st.radio("决定 decision", reviews.DECISIONS, horizontal=True)
            value = st.text_input("更正值 corrected value (only for corrected)")
            note = st.text_input("备注 note")
            who = st.text_input("审核人 decided by")
            if st.form_submit_button("保存 save"):
                if not who:
                    st.error("请填写审核人 decided by is required")
                    return
                reviews.append(
                    REVIEWS,
                    {
                        "report_id": report_id,
                        "target": target,
                        "decision": decision,
                        "corrected_value": value if decision == "corrected" else "",
                        "note": note,
                        "decided_by": who,
                        "decided_at": datetime.now().isoformat(timespec="seconds"),
                    },
                )
                st.success("已保存，下次运行生效 Saved: the next run applies it")


def report_page(filters: Filters) -> None:
    st.header("报告 · Report")
    report_id = _choose_report(filters)
    if report_id is None:
        return
    meta = load("SELECT * FROM cleaned.reports WHERE report_id = ?", (report_id,)).iloc[0]
    st.subheader(meta.title or "(无标题 untitled)")
    cols = st.columns(4)
    cols[0].markdown(
        f"**机构** {meta.agency or '—'}  \n**地区** {meta.province or ''}{meta.city or ''}{meta.county or ''}"
    )
    published = str(meta.publish_date)[:10] if not pd.isna(meta.publish_date) else "—"
    cols[1].markdown(
        f"**年度** {meta.report_year or '—'}  \n**发布** {published} ({meta.publish_date_precision or '—'})"
    )
    cols[2].markdown(f"**类型** {meta.doc_type}  \n**格式** {meta.template or '—'}")
    cols[3].markdown(f"**原文字体** {meta.original_script}  \n**清洗** {', '.join(meta.fixes) or '—'}")
    flags = load(
        """SELECT f.rule AS 规则, f.severity AS 严重程度, f.message AS 说明, r.description_en AS description,
               f.details AS 依据, coalesce(d.decision, '') AS 审核
        FROM quality.flags AS f JOIN catalog.rules AS r USING (rule)
        LEFT JOIN review.decisions AS d ON d.report_id = f.report_id AND d.target = f.rule AND d.status = 'applied'
        WHERE f.report_id = ? ORDER BY f.severity, f.rule""",
        (report_id,),
    )
    st.subheader(f"问题标记 Flags ({len(flags)})")
    if flags.empty:
        st.success("没有问题标记 No flags")
    else:
        st.table(flags.assign(依据=flags["依据"].map(evidence_beyond_message)))
    metrics = load(
        "SELECT metric, value, unit, qualifier, source, page, evidence FROM metrics.report_metrics "
        "WHERE report_id = ? ORDER BY metric",
        (report_id,),
    )
    review_form(report_id, flags, metrics)
    table_cells = metrics[metrics.source == "table"]
    st.subheader("表三 收到和处理政府信息公开申请情况")
    if table_cells.metric.str.startswith("t3.").any():
        st.table(_pivot(table_cells, "t3", T3_ROW_ZH, T3_COL_ZH, "申请人情况"))
    else:
        st.caption("未读到表三 no table 3")
    left, right = st.columns(2)
    left.subheader("表二 主动公开政府信息情况")
    t2 = table_cells[table_cells.metric.isin(list(T2_ZH))]
    t2 = t2.sort_values("metric", key=lambda m: m.map(list(T2_ZH).index))
    if t2.empty:
        left.caption("未读到表二 no table 2")
    else:
        left.table(
            pd.DataFrame(
                {
                    "信息内容": [T2_ZH.get(m, (m, ""))[0] for m in t2.metric],
                    "指标": [T2_ZH.get(m, ("", m))[1] for m in t2.metric],
                    "数值": [f"{v:g}" for v in t2.value],
                    "单位": list(t2.unit),
                }
            )
        )
    right.subheader("表四 行政复议、行政诉讼情况")
    if table_cells.metric.str.startswith("t4.").any():
        right.table(_pivot(table_cells, "t4", T4_GROUP_ZH, T4_COL_ZH, ""))
    else:
        right.caption("未读到表四 no table 4")
    corrections = metrics[metrics.source == "review"]
    if not corrections.empty:
        st.subheader("审核更正 Corrections by review")
        st.dataframe(corrections, hide_index=True)
    st.subheader("正文数字 Prose figures")
    st.dataframe(metrics[metrics.source == "text"], hide_index=True)
    download(metrics, f"figures_{report_id}", "figures_csv")
    st.subheader("章节 Sections")
    sections = load(
        "SELECT section_no AS 序号, parent_no AS 上级, level AS 层级, label AS 编号, heading AS 标题, "
        "topic AS 主题 FROM segmented.sections WHERE report_id = ? ORDER BY section_no",
        (report_id,),
    )
    st.table(sections.set_index("序号"))
    passages = flagged_passages(list(flags["依据"]))
    with st.expander(f"清洗后全文 Cleaned text ({len(passages)} 处标记高亮 flagged passages highlighted)"):
        st.markdown(
            f"<div style='white-space: pre-wrap'>{highlight(meta.text, passages)}</div>", unsafe_allow_html=True
        )


def main() -> None:
    st.set_page_config(page_title="nianbao 年报", layout="wide")
    st.title("nianbao 年报 · 政府信息公开工作年度报告")
    if not WAREHOUSE.exists():
        st.error(f"没有找到仓库 No warehouse at {WAREHOUSE}: run bin/materialize first")
        return
    keys = list(PAGES)
    current = st.query_params.get("page", "overview")
    page = st.sidebar.radio(
        "页面 Page", keys, index=keys.index(current) if current in keys else 0, format_func=PAGES.get
    )
    st.query_params["page"] = page
    filters = sidebar_filters()
    st.sidebar.caption(f"仓库 warehouse: {WAREHOUSE}")
    {"overview": overview, "flags": flags_page, "agency": agency_page, "report": report_page}[page](filters)


main()
