"""Which cases a list shows: those the caller may see, narrowed by what the person chose."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from casework.domain.cases import CaseState
from supportmatch_core.access import Visible

PAGE = 50


@dataclass(frozen=True, slots=True)
class Tally:
    """How many cases of a measure one province has in one state, and what they disbursed."""

    province_code: str
    state: CaseState
    cases: int
    disbursed_fen: int


@dataclass(frozen=True, slots=True)
class CaseFilter:
    provinces: frozenset[str] | None = None  # None: every province
    uscc: str | None = None
    measure_id: str | None = None
    states: frozenset[CaseState] = field(default_factory=frozenset)
    assignee: str | None = None
    due_by: date | None = None
    after: tuple[datetime, int] | None = None  # the last case of the previous page

    def within(self, visible: Visible) -> CaseFilter:
        """This filter narrowed to the cases the caller may see (one firm's, some provinces')."""
        provinces = self.provinces
        if visible.provinces is not None:
            provinces = visible.provinces if provinces is None else provinces & visible.provinces
        if visible.uscc is not None and self.uscc not in (None, visible.uscc):
            provinces = frozenset()  # another firm's cases: none
        return replace(self, provinces=provinces, uscc=visible.uscc or self.uscc)
