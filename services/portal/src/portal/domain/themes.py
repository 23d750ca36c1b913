"""The themes of the 2022 notice: its parts, each grouping some of its numbered clauses."""

from __future__ import annotations

from dataclasses import dataclass

NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True, slots=True)
class Theme:
    key: str
    title_zh: str
    title_en: str
    clauses: tuple[str, ...]


def clause(number: int) -> str:
    """（一） … （十七） as the notice writes them."""
    tens, units = divmod(number, 10)
    words = ("十" if tens == 1 else "") + (NUMERALS[units - 1] if units else "")
    return f"（{words or '十'}）"


def clause_number(text: str) -> int:
    """The number of a clause such as （十六）, for ordering; 99 for text that is no clause."""
    for number in range(1, 18):
        if clause(number) == text:
            return number
    return 99


THEMES = (
    Theme("recovery", "多措并举，夯实工业经济回稳基础", "Many measures to firm up the recovery",
          tuple(clause(n) for n in range(1, 6))),
    Theme("industries", "分业施策，强化重点产业稳定发展", "Policies by industry",
          tuple(clause(n) for n in range(6, 9))),
    Theme("regions", "分区施策，促进各地区工业经济协同发展", "Policies by region",
          tuple(clause(n) for n in range(9, 12))),
    Theme("enterprises", "分企施策，持续提升企业活力", "Policies by kind of enterprise",
          tuple(clause(n) for n in range(12, 15))),
    Theme("safeguards", "保障措施", "Safeguards", tuple(clause(n) for n in range(15, 18))),
)  # fmt: skip
BY_KEY = {t.key: t for t in THEMES}


def theme_of(clause_text: str) -> Theme | None:
    return next((t for t in THEMES if clause_text in t.clauses), None)
