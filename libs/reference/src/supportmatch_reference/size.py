"""Enterprise size by the 2011 SME standard (中小企业划型标准规定, 工信部联企业〔2011〕300号).

One implementation for every service that sizes a firm: the profiles service's snapshots and its
public size test, and the eligibility self-check. Scope follows 统计上大中小微型企业划分办法（2017）.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache

from supportmatch_reference.size_words import (
    SIZES_ZH,
    Words,
    bound_words,
    indicators_en,
    indicators_zh,
    shortfalls_en,
    shortfalls_zh,
    span_en,
    span_zh,
)

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

    def keeping(self, kept: tuple[Indicator, ...], key: str) -> SizeRow:
        """The same row judged on the `kept` indicators only."""
        index = [i for i, indicator in enumerate(self.indicators) if indicator in kept]

        def pick(values: tuple[int, ...]) -> tuple[int, ...]:
            return tuple(values[i] for i in index)

        indicators = tuple(self.indicators[i] for i in index)
        return SizeRow(
            key, self.name_zh, self.name_en, self.scope, indicators,
            pick(self.large), pick(self.medium), pick(self.small),
        )  # fmt: skip


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
    _row("transport", "交通运输业（不含铁路运输业）", "transport (rail excluded)", "G54-G58, G591",
         "XY", (1000, 30000), (300, 3000), (20, 200)),
    _row("warehousing", "仓储业", "warehousing", "G592-G599",
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

# The row of a section, division or group code; the most specific prefix wins. G53 (rail) falls to
# "other"; 装卸搬运 G591 is sized as transport, the rest of G59 as warehousing (2017 method).
_BY_PREFIX = {
    "A": "agriculture", "B": "industry", "C": "industry", "D": "industry", "E": "construction",
    "F51": "wholesale", "F52": "retail", "G54": "transport", "G55": "transport", "G56": "transport",
    "G57": "transport", "G58": "transport", "G591": "transport", "G59": "warehousing",
    "G60": "postal", "H": "accommodation_catering", "I63": "telecoms_internet",
    "I64": "telecoms_internet", "I65": "software_it", "K701": "real_estate_development",
    "K702": "property_management", "L": "leasing_business_services",
}
# fmt: on
_COARSE: dict[str, Words] = {
    "F": Words(
        "请给出行业大类（F51 批发业或 F52 零售业）",
        "give the division (F51 wholesale or F52 retail)",
    ),
    "G": Words("请给出行业大类（G53 至 G60）", "give the division (G53 to G60)"),
    "G59": Words(
        "请给出行业中类（G591 装卸搬运按交通运输业划型，G592 至 G599 按仓储业划型）",
        "give the group (G591 loading and unloading is sized as transport, G592 to G599 as "
        "warehousing)",
    ),
    "I": Words("请给出行业大类（I63、I64 或 I65）", "give the division (I63, I64 or I65)"),
    "K": Words("请给出行业中类（K701、K702 等）", "give the group (K701, K702, …)"),
    "K70": Words(
        "请给出行业中类（K701 或 K702；K703、K709 按其他未列明行业划型）",
        "give the group (K701 or K702; K703 and K709 are sized as others)",
    ),
}
# Sized by other rules (2017 method): finance by 银发〔2015〕309号, own-property leasing by none.
_NOT_SIZED: dict[str, Words] = {
    "J": Words(
        "金融业企业按《金融业企业划型标准规定》（银发〔2015〕309号）划型，不适用本标准，本平台未收录该标准",
        "financial firms are sized by the 2015 rules for financial enterprises "
        "(PBOC and others, No. 309 of 2015), not by this standard; the platform does not hold "
        "those rules",
    ),
    "K704": Words(
        "自有房地产经营活动（房地产租赁经营 K7040）不按“其他未列明行业”划型",
        "own-property leasing (K7040) is not sized on the 'others not listed' row",
    ),
}


class IndustryTooCoarse(ValueError):
    """A code that covers rows with different thresholds, so no row can be chosen."""

    def __init__(self, code: str, hint: Words) -> None:
        super().__init__(f"industry code {code} too coarse: {hint.en}")
        self.words = Words(f"行业代码 {code} 过粗：{hint.zh}", str(self))


class NotSized(ValueError):
    """A code of an industry the 2011 standard does not size (finance, own-property leasing)."""

    def __init__(self, words: Words) -> None:
        super().__init__(words.en)
        self.words = words


@lru_cache(maxsize=4096)  # a few thousand codes exist; imports classify the same ones often
def row_for(industry_code: str) -> SizeRow:
    """The row of a GB/T 4754-2017 code; checks its form, not that the catalogue lists it."""
    code = industry_code.strip().upper()
    if not _CODE.match(code):
        raise ValueError(f"{industry_code!r} is not a GB/T 4754-2017 code such as C3921")
    for prefix, reason in _NOT_SIZED.items():
        if code.startswith(prefix):
            raise NotSized(reason)
    if code in _COARSE:
        raise IndustryTooCoarse(code, _COARSE[code])
    for length in (4, 3, 1):
        if key := _BY_PREFIX.get(code[:length]):
            return ROWS[key]
    return ROWS["other"]


@dataclass(frozen=True, slots=True)
class SizeResult:
    size_class: SizeClass
    row: SizeRow | None  # None when the code is too coarse or not sized by this standard
    rule: str  # how the class was reached, in English
    rule_zh: str
    missing: list[str] = field(default_factory=list)


def classify(
    industry_code: str, *, employees: int | None, revenue: int | None, total_assets: int | None
) -> SizeResult:
    """The size class, or unknown when the unknown indicators could change it (never guessed)."""
    given = _given(employees, revenue, total_assets)
    try:
        row = row_for(industry_code)
    except (IndustryTooCoarse, NotSized) as error:
        return SizeResult(SizeClass.UNKNOWN, None, error.words.en, error.words.zh)
    return classify_on_row(row, given)


# 公告2022年第14号: where the standard's revenue or assets bounds do not apply, the class follows the
# year's VAT sales: micro under 100万元, small under 2000万元, medium under 1亿元.
VAT_SALES_ROW = _row(
    "vat_sales", "按增值税销售额", "by VAT sales", "other codes", "Y", (10000,), (2000,), (100,)
)


def classify_by_vat_sales(
    industry_code: str, *, vat_sales: int | None, total_assets: int | None
) -> SizeResult:
    """Size as the VAT credit refund of 公告2022年第14号 reads it: the row's revenue and assets
    bounds only, with the prior year's VAT sales as revenue; the VAT-sales bounds where the row
    has neither (staff alone, own-property leasing)."""
    given = _given(None, vat_sales, total_assets)
    try:
        row = row_for(industry_code)
    except IndustryTooCoarse as error:
        return SizeResult(SizeClass.UNKNOWN, None, error.words.en, error.words.zh)
    except NotSized as error:
        if industry_code.strip().upper().startswith("J"):
            return SizeResult(SizeClass.UNKNOWN, None, error.words.en, error.words.zh)
        row = VAT_SALES_ROW
    kept = tuple(i for i in row.indicators if i is not Indicator.EMPLOYEES)
    row = row.keeping(kept, row.key) if kept else VAT_SALES_ROW
    return classify_on_row(row, given)


def _given(*values: int | None) -> dict[Indicator, int | None]:
    given = dict(zip(Indicator, values, strict=True))
    for indicator, value in given.items():
        if value is not None and value < 0:
            raise ValueError(f"{indicator} cannot be negative: {value}")
    return given


@cache
def _bounds(row: SizeRow, size: SizeClass) -> tuple[tuple[Indicator, int], ...]:
    return tuple(row.bounds(size).items())


def classify_on_row(row: SizeRow, given: dict[Indicator, int | None]) -> SizeResult:
    """From the top: a known indicator below a bound drops the class; an unknown one leaves it open."""
    unknown = [i for i in row.indicators if given[i] is None]
    dropped = Words("", "")
    for size in _GRADED:
        short = [(i, v, b) for i, b in _bounds(row, size) if (v := given[i]) is not None and v < b]
        if short:
            dropped += Words(
                f"不是{SIZES_ZH[size]}（{shortfalls_zh(short)}）；",
                f"not {size} ({shortfalls_en(short)}); ",
            )
            continue
        needs = bound_words(row, size)
        if unknown:
            rule = Words(
                f"{needs.zh}；可能为{span_zh(size)}：{indicators_zh(unknown)}未知",
                f"{needs.en}; could be {span_en(size)}: {indicators_en(unknown)} unknown",
            )
            words = _label(row) + dropped + rule
            return SizeResult(SizeClass.UNKNOWN, row, words.en, words.zh, [str(i) for i in unknown])
        words = _label(row) + dropped + Words(f"{needs.zh}；已满足", f"{needs.en}; met")
        return SizeResult(size, row, words.en, words.zh)
    # Below the small bound on a known indicator: micro, whatever the unknown ones are.
    needs = bound_words(row, SizeClass.SMALL)
    whatever = Words(
        f"，无论{indicators_zh(unknown)}如何" if unknown else "",
        f", whatever the {indicators_en(unknown)}" if unknown else "",
    )
    words = _label(row) + Words(
        f"微型：{shortfalls_zh(short)}{whatever.zh}（{needs.zh}）",
        f"micro: {shortfalls_en(short)}{whatever.en} ({needs.en})",
    )
    return SizeResult(SizeClass.MICRO, row, words.en, words.zh)


def _label(row: SizeRow) -> Words:
    scope_zh = "其他行业" if row.scope == "other codes" else row.scope.replace(", ", "、")
    return Words(f"{row.name_zh}（{scope_zh}）：", f"{row.name_en} ({row.scope}): ")
