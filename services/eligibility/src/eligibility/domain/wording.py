"""How facts, values and requirements read in Chinese and English: units, thousands separators,
industry and province names instead of codes."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from eligibility.domain.registry import BOOLEAN, DATE, REGISTRY, Fact
from supportmatch_reference.industries import UnknownIndustry, catalogue, parse_industry
from supportmatch_reference.regions import BY_CODE

_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "region": {
        "east": ("东部地区", "the east"),
        "central": ("中部地区", "the centre"),
        "west": ("西部地区", "the west"),
        "northeast": ("东北地区", "the northeast"),
    },
    "ownership": {
        "central_soe": ("中央企业", "central state-owned"),
        "local_soe": ("地方国有企业", "local state-owned"),
        "private": ("民营企业", "private"),
        "foreign": ("外商投资企业", "foreign-invested"),
        "collective": ("集体企业", "collective"),
        "mixed": ("混合所有制企业", "mixed ownership"),
    },
    "foreign_kind": {
        "wholly_foreign_owned": ("外商独资", "wholly foreign-owned"),
        "joint_venture": ("中外合资合作", "joint venture"),
        "hk_macao_taiwan_invested": ("港澳台投资", "invested from Hong Kong, Macao or Taiwan"),
    },
    "size_class": {
        "large": ("大型", "large"),
        "medium": ("中型", "medium"),
        "small": ("小型", "small"),
        "micro": ("微型", "micro"),
    },
    "vat_taxpayer_type": {
        "general": ("一般纳税人", "general taxpayer"),
        "small_scale": ("小规模纳税人", "small-scale taxpayer"),
    },
    "legal_form": {
        "limited_liability_company": ("有限责任公司", "limited liability company"),
        "joint_stock_company": ("股份有限公司", "joint-stock company"),
        "state_owned_enterprise": ("国有企业", "state-owned enterprise"),
        "collective_enterprise": ("集体企业", "collective enterprise"),
        "partnership": ("合伙企业", "partnership"),
        "sole_proprietorship": ("个人独资企业", "sole proprietorship"),
        "foreign_enterprise_branch": ("外国企业分支机构", "branch of a foreign enterprise"),
        "other": ("其他", "other"),
    },
}
LEVELS = {
    "national": ("国家级", "national"),
    "provincial": ("省级", "provincial"),
    "municipal": ("市级", "municipal"),
    "district": ("区县级", "district"),
}
_INDUSTRY = ("industry_code", "industry_section", "industry_division", "industry_group")


def percent_text(value: float) -> str:
    """2.1%, 60%, 2.5%: at most two decimals, no trailing zeros."""
    return f"{_plain(value)}%"


def _plain(value: float) -> str:
    return _plain_to(value, 2)


def _plain_to(value: float, digits: int) -> str:
    text = f"{value:,.{digits}f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def amount_zh(value: float, unit: str = "元") -> str:
    """Yuan as a Chinese reader writes them: 1亿元, 300万元, 12,345元."""
    whole = round(value)
    if whole >= 100_000_000 and whole % 10_000 == 0:
        return f"{_plain_to(whole / 100_000_000, 4)}亿{unit}"
    if whole and whole % 10_000 == 0:
        return f"{whole // 10_000:,}万{unit}"
    return f"{whole:,}{unit}"


def amount_en(value: float) -> str:
    return f"{round(value):,} yuan"


@lru_cache(maxsize=4096)
def industry_name(code: str) -> tuple[str, str]:
    """The GB/T 4754-2017 names of a code; English from its division where it has none."""
    try:
        industry = parse_industry(code)
    except UnknownIndustry:
        return code, code
    english = industry.name_en
    if english is None:
        division = catalogue().get(code[:3])
        english = f"{code} ({division.name_en})" if division and division.name_en else code
    return industry.name_zh, english


def value_words(fact: Fact, value: object) -> tuple[str, str]:
    """One value of `fact` in both languages, with its unit."""
    try:
        return _value_words(fact, value)
    except TypeError:  # a value that cannot be a cache key
        return _value_words.__wrapped__(fact, value)


@lru_cache(maxsize=65_536)  # firms share most values: industries, grades, round amounts
def _value_words(fact: Fact, value: object) -> tuple[str, str]:
    if value is None:
        return "未知", "unknown"
    if fact.type == BOOLEAN:
        return ("是", "yes") if value else ("否", "no")
    if fact.type == DATE:
        day = date.fromisoformat(str(value))
        return f"{day.year}年{day.month}月{day.day}日", day.isoformat()
    named = _named(fact.name, str(value))
    return named if named is not None else _quantity(fact, value)


def _named(name: str, value: str) -> tuple[str, str] | None:
    """The name of a coded value: an industry, a province, a grade, an ownership …"""
    if name in _INDUSTRY:
        return industry_name(value)
    if name == "province_code":
        province = BY_CODE.get(value)
        return (province.full_name_zh, province.name_en) if province else (value, value)
    if name == "tax_credit_grade":
        return f"{value}级", f"grade {value}"
    if name in _WORDS:
        return _WORDS[name].get(value, (value, value))
    return None


def _quantity(fact: Fact, value: object) -> tuple[str, str]:
    if not isinstance(value, int | float):
        return str(value), str(value)
    unit, number = fact.unit, _plain(value)
    if unit == "yuan":
        return amount_zh(value), amount_en(value)
    if unit == "usd":
        return amount_zh(value, "美元"), f"US${round(value):,}"
    if unit == "%":
        return percent_text(value), percent_text(value)
    if unit == "rank":
        return ("无", "none") if value == 0 else (f"第{number}名", f"place {number}")
    zh_units = {"persons": "人", "years": "年", "points": "分", "items": "项", "times": "次"}
    en_units = {"persons": " people", "years": " years", "points": " points", "times": " times"}
    return f"{number}{zh_units.get(unit or '', '')}", f"{number}{en_units.get(unit or '', '')}"


def values_words(fact: Fact, values: object, *, zh_joint: str, en_joint: str) -> tuple[str, str]:
    """A list of values: A级或B级 / grade A or grade B."""
    items = list(values) if isinstance(values, list | tuple) else [values]
    words = [value_words(fact, v) for v in items]
    zh = "、".join(w[0] for w in words[:-1]) + (zh_joint if len(words) > 1 else "") + words[-1][0]
    en = ", ".join(w[1] for w in words[:-1]) + (en_joint if len(words) > 1 else "") + words[-1][1]
    return zh, en


def label(name: str) -> tuple[str, str]:
    fact = REGISTRY[name]
    return fact.label_zh, fact.label_en
