"""The gazetteer: today's divisions, the former ones reports still name, and how an agency's name
decides its place."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from transforms.metadata import gazetteer

DATA = Path(gazetteer.__file__).resolve().parent / "data"


@pytest.mark.parametrize("name", ["adcodes_cpca_0.5.5.csv", "china_location_change.txt", "landline_area_codes.txt"])
def test_vendored_tables_are_the_files_their_readme_names(name: str) -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith(f"| `{name}`"))
    digest = hashlib.sha256((DATA / name).read_bytes()).hexdigest()
    stated = re.search(r"SHA-256 `([0-9a-f]{64})`", row)
    assert stated is None or stated.group(1) == digest  # the area codes table predates checksums
    if name != "landline_area_codes.txt":
        assert stated is not None


@pytest.mark.parametrize(
    ("agency", "place"),
    [
        # merged into 拱墅区 in 2021: the district as the report names it, under its city
        ("杭州市下城区人民政府办公室", ("浙江省", "杭州市", "下城区")),
        ("下城区教育局", ("浙江省", "杭州市", "下城区")),
        # merged into 济南市 in 2019
        ("莱芜市人民政府", ("山东省", "莱芜市", None)),
        # renamed 襄阳市 in 2010
        ("襄樊市教育局", ("湖北省", "襄樊市", None)),
        # today's names as before
        ("临沂市河东区人民政府办公室", ("山东省", "临沂市", "河东区")),
        ("淮安市洪泽区人民政府", ("江苏省", "淮安市", "洪泽区")),
    ],
)
def test_former_and_current_divisions(agency: str, place: tuple[str, str | None, str | None]) -> None:
    assert gazetteer.locate(agency, "") == place


def test_a_city_in_the_name_is_not_overruled_by_a_county_name_elsewhere() -> None:
    # 城区 is a county of 阳泉市 (and others); 某某 is no division: the city named stands alone.
    assert gazetteer.locate("杭州市某城区管理办公室", "") == ("浙江省", "杭州市", None)


def test_a_former_name_that_still_exists_elsewhere_is_not_added_again() -> None:
    # 大同市's 城区 became 平城区 in 2018; 城区 still names 阳泉市's and 长治市's districts.
    cities = {d.city for d in gazetteer.divisions() if d.name == "城区"}
    assert "大同市" not in cities and "阳泉市" in cities


def test_the_older_tables_grouping_rows_are_no_places() -> None:
    # cpca 0.5.5 groups 重庆市's counties under a row named 县: 我县 is not a city.
    assert {d.name for d in gazetteer.divisions()}.isdisjoint({"县", "市辖区", "省直辖县级行政区划"})
    assert gazetteer.locate(None, "我县未发生因政府信息公开而产生的行政复议。") == (None, None, None)
