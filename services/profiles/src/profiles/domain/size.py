"""Enterprise size by the 2011 SME standard (中小企业划型标准规定, 工信部联企业〔2011〕300号)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache

STANDARD = "工信部联企业〔2011〕300号"
_WAN = 10_000  # the standard states amounts in 万元; bounds here are in yuan
_CODE = re.compile(r"^[A-T](\d{2}(\d(\d)?)?)?$")


class SizeClass(StrEnum):
    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"
    UNKNOWN = "unknown"


class Indicator(StrEnum):
    EMPLOYEES = "employees"  # X, 从业人员
    REVENUE = "revenue"  # Y, 营业收入, yuan
    TOTAL_ASSETS = "total_assets"  # Z, 资产总额, yuan


_LETTER = {"X": Indicator.EMPLOYEES, "Y": Indicator.REVENUE, "Z": Indicator.TOTAL_ASSETS}
_GRADED = (SizeClass.LARGE, SizeClass.MEDIUM, SizeClass.SMALL)


@dataclass(frozen=True, slots=True)
class SizeRow:
    """One industry group of the standard: its indicators and each class's lower bounds."""

    key: str
    name_zh: str
    name_en: str
    scope: str  # GB/T 4754-2017 codes the row covers
    indicators: tuple[Indicator, ...]
    large: tuple[int, ...]  # lower bounds aligned with `indicators`; persons or yuan
    medium: tuple[int, ...]
    small: tuple[int, ...]

    def bounds(self, size: SizeClass) -> dict[Indicator, int]:
        """The lower bound of each indicator for large, medium or small."""
        by_class = {
            SizeClass.LARGE: self.large,
            SizeClass.MEDIUM: self.medium,
            SizeClass.SMALL: self.small,
        }
        values = by_class[size]
        return dict(zip(self.indicators, values, strict=True))


def _row(key: str, zh: str, en: str, scope: str, letters: str, *bounds: tuple[int, ...]) -> SizeRow:
    indicators = tuple(_LETTER[letter] for letter in letters)
    scale = tuple(1 if i is Indicator.EMPLOYEES else _WAN for i in indicators)
    large, medium, small = (tuple(b * s for b, s in zip(c, scale, strict=True)) for c in bounds)
    return SizeRow(key, zh, en, scope, indicators, large, medium, small)


# FACTS.md section 1 as printed: indicators, then lower bounds of large, medium, small (persons, 万元).
# fmt: off
ROWS: dict[str, SizeRow] = {r.key: r for r in (
    _row("industry", "工业", "industry", "B, C, D",
         "XY", (1000, 40000), (300, 2000), (20, 300)),
    _row("construction", "建筑业", "construction", "E",
         "YZ", (80000, 80000), (6000, 5000), (300, 300)),
    _row("wholesale", "批发业", "wholesale", "F51",
         "XY", (200, 40000), (20, 5000), (5, 1000)),
    _row("retail", "零售业", "retail", "F52",
         "XY", (300, 20000), (50, 500), (10, 100)),
    _row("transport", "交通运输业（不含铁路运输业）", "transport (rail excluded)", "G54-G58",
         "XY", (1000, 30000), (300, 3000), (20, 200)),
    _row("warehousing", "仓储业", "warehousing", "G59",
         "XY", (200, 30000), (100, 1000), (20, 100)),
    _row("postal", "邮政业", "postal services", "G60",
         "XY", (1000, 30000), (300, 2000), (20, 100)),
    _row("accommodation_catering", "住宿业、餐饮业", "accommodation and catering", "H61, H62",
         "XY", (300, 10000), (100, 2000), (10, 100)),
    _row("telecoms_internet", "信息传输业", "telecoms and internet", "I63, I64",
         "XY", (2000, 100000), (100, 1000), (10, 100)),
    _row("software_it", "软件和信息技术服务业", "software and IT services", "I65",
         "XY", (300, 10000), (100, 1000), (10, 50)),
    _row("real_estate_development", "房地产开发经营", "real-estate development", "K701",
         "YZ", (200000, 10000), (1000, 5000), (100, 2000)),
    _row("property_management", "物业管理", "property management", "K702",
         "XY", (1000, 5000), (300, 1000), (100, 500)),
    _row("leasing_business_services", "租赁和商务服务业", "leasing and business services", "L",
         "XZ", (300, 120000), (100, 8000), (10, 100)),
    _row("agriculture", "农、林、牧、渔业", "agriculture, forestry, animal husbandry, fishery", "A",
         "Y", (20000,), (500,), (50,)),
    _row("other", "其他未列明行业", "others not listed", "other codes",
         "X", (300,), (100,), (10,)),
)}

_BY_PREFIX = {  # the row of a section, division or group code; G53 (rail) falls to "other"
    "A": "agriculture", "B": "industry", "C": "industry", "D": "industry", "E": "construction",
    "F51": "wholesale", "F52": "retail", "G54": "transport", "G55": "transport", "G56": "transport",
    "G57": "transport", "G58": "transport", "G59": "warehousing", "G60": "postal",
    "H": "accommodation_catering", "I63": "telecoms_internet", "I64": "telecoms_internet",
    "I65": "software_it", "K701": "real_estate_development", "K702": "property_management",
    "L": "leasing_business_services",
}
# fmt: on
_COARSE = {
    "F": "give the division (F51 wholesale or F52 retail)",
    "G": "give the division (G53 to G60)",
    "I": "give the division (I63, I64 or I65)",
    "K": "give the group (K701 or K702; other K70 groups are sized as others)",
}


class IndustryTooCoarse(ValueError):
    """A code that covers rows with different thresholds, so no row can be chosen."""


@lru_cache(maxsize=4096)  # a few thousand codes exist; imports classify the same ones often
def row_for(industry_code: str) -> SizeRow:
    """The row of a GB/T 4754-2017 code; checks its form, not that the catalogue lists it."""
    code = industry_code.strip().upper()
    if not _CODE.match(code):
        raise ValueError(f"{industry_code!r} is not a GB/T 4754-2017 code such as C3921")
    section = code[0]
    if section in _COARSE and len(code) < (4 if section == "K" else 3):
        raise IndustryTooCoarse(f"industry code {code} too coarse: {_COARSE[section]}")
    for length in (4, 3, 1):  # group, division, section: the most specific listed prefix wins
        if key := _BY_PREFIX.get(code[:length]):
            return ROWS[key]
    return ROWS["other"]


@dataclass(frozen=True, slots=True)
class SizeResult:
    size_class: SizeClass
    row: SizeRow | None  # None when the industry code is too coarse to pick one
    rule: str
    missing: list[str] = field(default_factory=list)


def _words(indicators: list[Indicator]) -> str:
    return " and ".join(i.replace("_", " ") for i in indicators)


def _quantity(indicator: Indicator, value: int) -> str:
    return f"{value:,}" if indicator is Indicator.EMPLOYEES else f"{value:,} yuan"


@cache
def _bounds(row: SizeRow, size: SizeClass) -> tuple[tuple[Indicator, int], ...]:
    return tuple(row.bounds(size).items())


@cache
def _needs(row: SizeRow, size: SizeClass) -> str:
    parts = [f"{_words([i])} ≥ {_quantity(i, b)}" for i, b in row.bounds(size).items()]
    return f"{size} needs {' and '.join(parts)}"


def classify(
    industry_code: str, *, employees: int | None, revenue: int | None, total_assets: int | None
) -> SizeResult:
    """The size class, or unknown when the unknown indicators could change it (never guessed)."""
    given = {
        Indicator.EMPLOYEES: employees,
        Indicator.REVENUE: revenue,
        Indicator.TOTAL_ASSETS: total_assets,
    }
    for indicator, value in given.items():
        if value is not None and value < 0:
            raise ValueError(f"{indicator} cannot be negative: {value}")
    try:
        row = row_for(industry_code)
    except IndustryTooCoarse as error:
        return SizeResult(SizeClass.UNKNOWN, None, str(error))
    label = f"{row.name_en} ({row.scope}): "
    unknown = [i for i in row.indicators if given[i] is None]
    dropped = ""
    # From the top: a known indicator below a bound drops the class; an unknown one leaves it open.
    for size in _GRADED:
        short = [
            f"{_words([i])} {_quantity(i, v)} < {_quantity(i, b)}"
            for i, b in _bounds(row, size)
            if (v := given[i]) is not None and v < b
        ]
        if short:
            dropped += f"not {size} ({', '.join(short)}); "
            continue
        if unknown:
            span = "small or micro" if size is SizeClass.SMALL else f"{size} down to micro"
            rule = f"{_needs(row, size)}; could be {span}: {_words(unknown)} unknown"
            return SizeResult(
                SizeClass.UNKNOWN, row, label + dropped + rule, [str(i) for i in unknown]
            )
        return SizeResult(size, row, f"{label}{dropped}{_needs(row, size)}; met")
    # Below the small bound on a known indicator: micro, whatever the unknown ones are.
    whatever = f", whatever the {_words(unknown)}" if unknown else ""
    reason = f"{', '.join(short)}{whatever} ({_needs(row, SizeClass.SMALL)})"
    return SizeResult(SizeClass.MICRO, row, f"{label}micro: {reason}")
