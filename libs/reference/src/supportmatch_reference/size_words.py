"""How a size classification is said, in Chinese and in English: quantities, classes, shortfalls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from supportmatch_reference.size import Indicator, SizeClass, SizeRow


@dataclass(frozen=True, slots=True)
class Words:
    """One statement in both languages."""

    zh: str
    en: str

    def __add__(self, other: Words) -> Words:
        return Words(self.zh + other.zh, self.en + other.en)


def yuan_zh(value: int) -> str:
    """An amount as a Chinese reader writes it: 万元 when whole, else 元; thousands separated."""
    if value and value % 10_000 == 0:
        return f"{value // 10_000:,}万元"
    return f"{value:,}元"


_INDICATORS_ZH = {"employees": "从业人员", "revenue": "营业收入", "total_assets": "资产总额"}
_SIZES_ZH = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
_SPAN_ZH = {"large": "大型至微型", "medium": "中型至微型", "small": "小型或微型"}


def _quantity_zh(indicator: Indicator, value: int) -> str:
    return f"{value:,}人" if indicator == "employees" else yuan_zh(value)


def _quantity_en(indicator: Indicator, value: int) -> str:
    return f"{value:,}" if indicator == "employees" else f"{value:,} yuan"


def indicators_zh(indicators: Sequence[Indicator]) -> str:
    return "、".join(_INDICATORS_ZH[i] for i in indicators)


def indicators_en(indicators: Sequence[Indicator]) -> str:
    return " and ".join(i.replace("_", " ") for i in indicators)


def shortfalls_zh(short: Sequence[tuple[Indicator, int, int]]) -> str:
    return "，".join(
        f"{_INDICATORS_ZH[i]} {_quantity_zh(i, v)} < {_quantity_zh(i, b)}" for i, v, b in short
    )


def shortfalls_en(short: Sequence[tuple[Indicator, int, int]]) -> str:
    return ", ".join(
        f"{indicators_en([i])} {_quantity_en(i, v)} < {_quantity_en(i, b)}" for i, v, b in short
    )


SIZES_ZH = _SIZES_ZH


def span_zh(size: SizeClass) -> str:
    return _SPAN_ZH[size]


def span_en(size: SizeClass) -> str:
    return "small or micro" if size == "small" else f"{size} down to micro"


@cache
def bound_words(row: SizeRow, size: SizeClass) -> Words:
    """What `size` needs on `row`, e.g. 小型需从业人员 ≥ 20人且营业收入 ≥ 300万元."""
    bounds = row.bounds(size).items()
    return Words(
        f"{_SIZES_ZH[size]}需"
        + "且".join(f"{_INDICATORS_ZH[i]} ≥ {_quantity_zh(i, b)}" for i, b in bounds),
        f"{size} needs "
        + " and ".join(f"{indicators_en([i])} ≥ {_quantity_en(i, b)}" for i, b in bounds),
    )
