"""A draft's reach as the console shows it: the firms it gains and loses, side by side by
province, size and ownership."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CHANGE_GROUPS = ("newly_eligible", "no_longer_eligible")
TRAITS = {"province": "province_code", "size": "size_class", "ownership": "ownership"}


@dataclass(frozen=True, slots=True)
class Row:
    """One province, size or kind of ownership: the firms gained and lost there."""

    code: str
    gained: int
    lost: int


@dataclass(frozen=True, slots=True)
class Table:
    trait: str  # province, size or ownership
    fact: str  # the fact its codes are values of, for their names
    rows: list[Row]
    widest: int  # the largest count, the full width of a bar


def breakdowns(groups: dict[str, Any]) -> list[Table]:
    """One table per trait, the rows with most firms changing first."""
    gained, lost = (groups[g] for g in CHANGE_GROUPS)
    tables = []
    for trait, fact in TRAITS.items():
        more, fewer = gained[f"by_{trait}"], lost[f"by_{trait}"]
        rows = [Row(code, more.get(code, 0), fewer.get(code, 0)) for code in {*more, *fewer}]
        rows.sort(key=lambda r: (-(r.gained + r.lost), r.code))
        widest = max((max(r.gained, r.lost) for r in rows), default=0)
        tables.append(Table(trait, fact, rows, widest))
    return tables
