"""Finding a GB/T 4754-2017 industry class by a few characters of its Chinese name, or its code."""

from __future__ import annotations

from functools import cache

from supportmatch_reference.industries import Industry, catalogue


@cache
def _classes() -> tuple[Industry, ...]:
    return tuple(i for i in catalogue().values() if i.level == "class")


def division_of(industry: Industry) -> Industry | None:
    return catalogue().get(industry.division or "")


def search_industries(text: str, *, limit: int = 20) -> list[Industry]:
    """Classes whose code starts with `text` or whose name (or division's name) contains it;
    names that start with it first, then shorter names."""
    query = text.strip()
    if not query:
        return []
    upper, lower = query.upper(), query.lower()
    found: list[tuple[int, int, str, Industry]] = []
    for industry in _classes():
        division = division_of(industry)
        if industry.code.startswith(upper):
            rank = 0
        elif industry.name_zh.startswith(query):
            rank = 1
        elif query in industry.name_zh:
            rank = 2
        elif division and (query in division.name_zh or lower in (division.name_en or "").lower()):
            rank = 3
        else:
            continue
        found.append((rank, len(industry.name_zh), industry.code, industry))
    return [entry[3] for entry in sorted(found)[:limit]]
