"""Finding measures in the catalogue by theme, clause, department and keyword."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.domain.themes import BY_KEY, clause_number

Measure = Mapping[str, Any]
_SEARCHED = ("title_zh", "title_en", "quote", "benefit_zh", "benefit_en", "audience", "id")


@dataclass(frozen=True, slots=True)
class Filters:
    theme: str | None = None
    clause: str | None = None
    department: str | None = None
    keyword: str | None = None

    def admits(self, measure: Measure) -> bool:
        if self.theme and measure["clause"] not in BY_KEY[self.theme].clauses:
            return False
        if self.clause and measure["clause"] != self.clause:
            return False
        if self.department and self.department not in measure["departments"]:
            return False
        if self.keyword:
            word = self.keyword.strip().lower()
            return any(word in str(measure.get(key) or "").lower() for key in _SEARCHED)
        return True


def find(catalogue: Iterable[Measure], filters: Filters) -> list[Measure]:
    """The measures that pass every filter given, in the notice's clause order, in force first."""
    found = [m for m in catalogue if filters.admits(m)]
    return sorted(found, key=lambda m: (bool(m["ended"]), clause_number(m["clause"]), m["id"]))


def departments(catalogue: Iterable[Measure]) -> list[str]:
    return sorted({d for m in catalogue for d in m["departments"]})


def clauses(catalogue: Iterable[Measure]) -> list[str]:
    return sorted({m["clause"] for m in catalogue}, key=clause_number)


def phase(measure: Measure, today: date) -> str:
    """in_force, ended or upcoming."""
    if measure["ended"]:
        return "ended"
    return "upcoming" if date.fromisoformat(str(measure["valid_from"])) > today else "in_force"
