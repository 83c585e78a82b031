"""nianbao's dashboard: `bin/dashboard` (Streamlit), reading the warehouse read-only.

Pages: 概览 (corpus overview and trends), 问题标记 (the flag explorer), 报告 (one report: metadata,
the three standard tables, sections, flags with evidence, cleaned text). A page and a report can
be linked to: `?page=report&report=<report_id>`.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import streamlit as st

from transforms import catalog
from warehouse.store import warehouse_path

WAREHOUSE = warehouse_path()
PAGES = {"overview": "概览 Overview", "flags": "问题标记 Flags", "report": "报告 Report"}
T3_ROW_ZH = {r.code: r.label_zh for r in catalog.T3_ROWS}
T3_COL_ZH = {c.code: c.label_zh for c in catalog.T3_COLUMNS}
T4_GROUP_ZH = {g.code: g.label_zh for g in catalog.T4_GROUPS}
T4_COL_ZH = {c.code: c.label_zh for c in catalog.T4_COLUMNS}
T2_ZH = {f"t2.{r.code}.{c.code}": (r.label_zh, c.label_zh) for r in catalog.T2_ROWS for c in r.columns}


@st.cache_data(ttl=30, show_spinner=False)
def load(sql: str, params: tuple[object, ...] = ()) -> pd.DataFrame:
    """One short read-only connection per query: never a lock on the pipeline's file."""
    con = duckdb.connect(str(WAREHOUSE), read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def overview() -> None:
    st.header("概览 · Corpus overview")
    totals = load("""
        SELECT count(*) AS reports,
               count(*) FILTER (WHERE doc_type = 'annual_report') AS annual_reports,
               count(*) FILTER (WHERE doc_type = 'annual_report' AND NOT list_has_any(rules,
                   (SELECT list(rule) FROM catalog.rules WHERE suite = 'reconciliation'))) AS reconciling,
               sum(errors) AS errors, sum(warnings) AS warnings
        FROM marts.report_overview""").iloc[0]
    cols = st.columns(5)
    cols[0].metric("报告 reports", int(totals.reports))
    cols[1].metric("年度报告 annual reports", int(totals.annual_reports))
    cols[2].metric("勾稽一致 reconciling", int(totals.reconciling))
    cols[3].metric("错误 errors", int(totals.errors or 0))
    cols[4].metric("警告 warnings", int(totals.warnings or 0))
    left, right = st.columns(2)
    by_year = load(
        "SELECT CAST(report_year AS VARCHAR) AS 年度, count(*) AS 报告数 FROM marts.report_overview "
        "WHERE report_year IS NOT NULL GROUP BY 1 ORDER BY 1"
    )
    left.subheader("各年度报告数 Reports by year")
    left.bar_chart(by_year, x="年度", y="报告数")
    by_province = load(
        "SELECT coalesce(province, '(未知)') AS 省份, count(*) AS 报告数 FROM marts.report_overview "
        "GROUP BY 1 ORDER BY 2 DESC"
    )
    right.subheader("各省份报告数 Reports by province")
    right.bar_chart(by_province, x="省份", y="报告数")
    st.subheader("申请与办理结果 Applications and outcomes over the years")
    trend = load("""
        SELECT CAST(report_year AS VARCHAR) AS 年度, sum(applications) AS 本年新收, sum(concluded) AS 办理结果总计,
               sum(granted) AS 予以公开
        FROM marts.province_year GROUP BY 1 ORDER BY 1""")
    st.line_chart(trend, x="年度", y=["本年新收", "办理结果总计", "予以公开"])
    st.dataframe(load("SELECT * FROM marts.province_year"), hide_index=True)


def flags_page() -> None:
    st.header("问题标记 · Flag explorer")
    flags = load("""
        SELECT f.rule AS 规则, f.severity AS 严重程度, o.report_year AS 年度, coalesce(o.province, '(未知)') AS 省份,
               o.agency AS 机构, f.message AS 说明, f.report_id
        FROM quality.flags AS f JOIN marts.report_overview AS o USING (report_id)
        ORDER BY f.severity, f.rule, o.report_year""")
    cols = st.columns(4)
    chosen = {
        "规则": cols[0].multiselect("规则 rule", sorted(flags["规则"].unique())),
        "严重程度": cols[1].multiselect("严重程度 severity", sorted(flags["严重程度"].unique())),
        "年度": cols[2].multiselect("年度 year", sorted(flags["年度"].dropna().unique())),
        "省份": cols[3].multiselect("省份 province", sorted(flags["省份"].unique())),
    }
    for column, values in chosen.items():
        if values:
            flags = flags[flags[column].isin(values)]
    st.caption(f"{len(flags)} 条标记 flags")
    summary = flags.groupby(["规则", "严重程度"]).size().rename("条数").reset_index()
    st.table(summary.set_index("规则"))
    flags = flags.assign(报告=flags["report_id"].map(lambda rid: f"?page=report&report={rid}"))
    st.dataframe(
        flags.drop(columns=["report_id"]),
        hide_index=True,
        column_config={"报告": st.column_config.LinkColumn("报告", display_text="打开")},
    )


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


def report_page() -> None:
    st.header("报告 · Report")
    reports = load(
        "SELECT report_id, coalesce(agency, '(未知机构)') || ' · ' || coalesce(CAST(report_year AS VARCHAR), '?')"
        " || ' · ' || source_path AS label FROM marts.report_overview ORDER BY label"
    )
    if reports.empty:
        st.info("仓库中还没有报告 No reports yet")
        return
    ids = list(reports.report_id)
    wanted = st.query_params.get("report")
    index = ids.index(wanted) if wanted in ids else 0
    report_id = st.selectbox(
        "报告 report", ids, index=index, format_func=lambda rid: reports.set_index("report_id").label[rid]
    )
    st.query_params["report"] = report_id
    meta = load("SELECT * FROM cleaned.reports WHERE report_id = ?", (report_id,)).iloc[0]
    st.subheader(meta.title or "(无标题 untitled)")
    cols = st.columns(4)
    cols[0].markdown(
        f"**机构** {meta.agency or '—'}  \n**地区** {meta.province or ''}{meta.city or ''}{meta.county or ''}"
    )
    published = str(meta.publish_date)[:10] if meta.publish_date is not None else "—"
    cols[1].markdown(
        f"**年度** {meta.report_year or '—'}  \n**发布** {published} ({meta.publish_date_precision or '—'})"
    )
    cols[2].markdown(f"**类型** {meta.doc_type}  \n**格式** {meta.template or '—'}")
    cols[3].markdown(f"**原文字体** {meta.original_script}  \n**清洗** {', '.join(meta.fixes) or '—'}")
    flags = load(
        "SELECT rule AS 规则, severity AS 严重程度, message AS 说明, details AS 依据 FROM quality.flags "
        "WHERE report_id = ? ORDER BY severity, rule",
        (report_id,),
    )
    st.subheader(f"问题标记 Flags ({len(flags)})")
    if flags.empty:
        st.success("没有问题标记 No flags")
    else:
        st.table(flags)
    metrics = load(
        "SELECT metric, value, unit, qualifier, source, evidence FROM metrics.report_metrics "
        "WHERE report_id = ? ORDER BY metric",
        (report_id,),
    )
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
    st.subheader("正文数字 Prose figures")
    st.dataframe(metrics[metrics.source == "text"], hide_index=True)
    st.subheader("章节 Sections")
    sections = load(
        "SELECT section_no AS 序号, parent_no AS 上级, level AS 层级, label AS 编号, heading AS 标题, "
        "topic AS 主题 FROM segmented.sections WHERE report_id = ? ORDER BY section_no",
        (report_id,),
    )
    st.table(sections.set_index("序号"))
    with st.expander("清洗后全文 Cleaned text"):
        st.text(meta.text)


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
    st.sidebar.caption(f"仓库 warehouse: {WAREHOUSE}")
    {"overview": overview, "flags": flags_page, "report": report_page}[page]()


main()
