"""The dashboard's pages as documents to keep or send: an agency's years as a Word document."""

from __future__ import annotations

import io

import pandas as pd


def agency_docx(
    agency: str, figures: pd.DataFrame, changes: pd.DataFrame, continuity: pd.DataFrame, repeated: pd.DataFrame
) -> bytes:
    """The agency page as a Word document: its figures by year, the changes, the continuity flags
    and the sentences repeated from the year before, each a table under its heading."""
    from docx import Document

    document = Document()
    document.add_heading(agency, level=1)
    for title, frame in (
        ("逐年数字 Figures by year", figures.reset_index(names="metric")),
        ("与上年相比 Change on the year before", changes),
        ("连续性标记 Continuity flags", continuity),
        ("与上年相同的句子 Sentences repeated from the year before", repeated),
    ):
        document.add_heading(title, level=2)
        if frame.empty:
            document.add_paragraph("—")
            continue
        table = document.add_table(rows=1, cols=len(frame.columns))
        table.style = "Table Grid"
        for cell, column in zip(table.rows[0].cells, frame.columns, strict=True):
            cell.text = str(column)
        for values in frame.itertuples(index=False):
            for cell, value in zip(table.add_row().cells, values, strict=True):
                cell.text = _shown(value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _shown(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{value:,.0f}" if isinstance(value, float) and value.is_integer() else str(value)
