"""The agency page as a Word document: what a user downloads opens in Word with every table."""

from __future__ import annotations

import io

import pandas as pd
from docx import Document

from dashboard.export import agency_docx


def test_agency_page_as_a_word_document() -> None:
    figures = pd.DataFrame({2022: [10.0, 3.0], 2023: [12.0, float("nan")]}, index=["本年新收申请 requests_new", "x"])
    changes = pd.DataFrame({"年度": [2023], "metric": ["requests_new"], "previous_value": [10.0], "value": [12.0]})
    continuity = pd.DataFrame(columns=["年度", "规则", "说明"])
    repeated = pd.DataFrame({"年度": [2023], "句子": ["我办持续加强政策解读工作"]})
    document = Document(io.BytesIO(agency_docx("某县人民政府办公室", figures, changes, continuity, repeated)))
    assert document.paragraphs[0].text == "某县人民政府办公室"
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    assert tables[0] == [["metric", "2022", "2023"], ["本年新收申请 requests_new", "10", "12"], ["x", "3", "—"]]
    assert tables[1][1] == ["2023", "requests_new", "10", "12"]
    assert tables[2] == [["年度", "句子"], ["2023", "我办持续加强政策解读工作"]]  # no continuity flags: no table
    assert "—" in [p.text for p in document.paragraphs]
