"""GB/T 4754-2017 industry classification: sections, divisions, groups and classes with names."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from supportmatch_reference.said import SaidValueError

_CODE = re.compile(r"^[A-T](\d{2}(\d(\d)?)?)?$")


@dataclass(frozen=True, slots=True)
class Industry:
    code: str
    level: str  # section, division, group or class
    parent: str | None
    name_zh: str
    name_en: str | None

    @property
    def section(self) -> str:
        return self.code[0]

    @property
    def division(self) -> str | None:
        return self.code[:3] if len(self.code) >= 3 else None


class UnknownIndustry(SaidValueError):
    """A code that is not in GB/T 4754-2017."""


@cache
def catalogue() -> dict[str, Industry]:
    """Every code of the shipped GB/T 4754-2017 table, from sections to classes."""
    data = resources.files(__package__) / "data"
    english: dict[str, str] = {}
    with (data / "sections_divisions_en.csv").open(encoding="utf-8") as handle:
        english = {row["code"]: row["name_en"] for row in csv.DictReader(handle)}
    with (data / "gbt4754_2017.csv").open(encoding="utf-8") as handle:
        return {
            row["code"]: Industry(
                row["code"],
                row["level"],
                row["parent"] or None,
                row["name_zh"],
                english.get(row["code"]),
            )
            for row in csv.DictReader(handle)
        }


def parse_industry(code: str) -> Industry:
    """The industry with `code` (a section letter, optionally 2-4 digits: C, C39, C392, C3921)."""
    normalized = code.strip().upper()
    if not _CODE.match(normalized):
        raise UnknownIndustry(
            f"{code!r} is not a GB/T 4754-2017 code: a section letter A-T and 2 to 4 digits, as C3921",
            f"“{code}”不是国民经济行业分类代码：应为门类字母A至T加2至4位数字，如C3921",
        )
    found = catalogue().get(normalized)
    if found is None:
        raise UnknownIndustry(
            f"{normalized} is not in GB/T 4754-2017",
            f"{normalized}不在国民经济行业分类（GB/T 4754-2017）中",
        )
    return found
