"""The legal calendar of the disclosure regime, declared once."""

from __future__ import annotations

# The Regulations took effect on 2008-05-01: the first reports cover 2008.
FIRST_REPORT_YEAR = 2008
# The revised Regulations (State Council Decree 711) move the deadline from 31 March to 31 January
# of the next year, from report year 2019 on.
REVISED_REGULATIONS_FIRST_YEAR = 2019
# The report formats and the first report year each applies to.
TEMPLATE_FIRST_YEAR: dict[str, int] = {"2019": 2019, "2021": 2021}
# A standard format is required from report year 2020: the 2019 format for 2020 (published in
# 2021 before the 2021 format was issued), the 2021 format from 2021 on.
FORMAT_REQUIRED_FROM = 2020


def required_format(report_year: int) -> str:
    """The format a report for `report_year` (≥ FORMAT_REQUIRED_FROM) must follow."""
    return max(
        (template for template, first in TEMPLATE_FIRST_YEAR.items() if first <= report_year),
        key=TEMPLATE_FIRST_YEAR.__getitem__,
    )
