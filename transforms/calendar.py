"""The legal calendar of the disclosure regime, declared once."""

from __future__ import annotations

# The Regulations took effect on 2008-05-01: the first reports cover 2008.
FIRST_REPORT_YEAR = 2008
# The revised Regulations (State Council Decree 711) move the deadline from 31 March to 31 January
# of the next year, from report year 2019 on.
REVISED_REGULATIONS_FIRST_YEAR = 2019
# The report formats and the first report year each applies to.
TEMPLATE_FIRST_YEAR: dict[str, int] = {"2019": 2019, "2021": 2021}
