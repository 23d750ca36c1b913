"""Which firms a draft would reach, beside the version in force: the preview's counts and list."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, literal, select

from eligibility.adapters.compiler import status_of
from eligibility.adapters.tables import enterprise_facts
from eligibility.domain.decision import Status
from eligibility.domain.measures import Measure

ELIGIBLE = Status.ELIGIBLE.value
FIRST = 100  # firms named in the preview itself; the rest are paged
_TRAITS = {
    "region": enterprise_facts.c.region.label("region"),
    "province": enterprise_facts.c.province_code.label("province"),
    "size": enterprise_facts.c.size_class.label("size"),
    "ownership": enterprise_facts.c.ownership.label("ownership"),
}


class Reach:
    """Whom a draft would reach, read within one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def reach(self, *, draft: Measure, current: Measure | None, on: date) -> dict[str, Any]:
        """For the firms the draft makes eligible, those it newly makes eligible and those no
        longer eligible under it: how many, how many by region, size and ownership, and the
        first of them by USCC."""
        found: dict[str, Any] = {}
        for group, where in self._groups(draft, current, on).items():
            rows = self._connection.execute(
                select(*_TRAITS.values(), func.count().label("firms"))
                .where(where)
                .group_by(*_TRAITS.values())
            ).all()
            by: dict[str, Counter[str]] = {name: Counter() for name in _TRAITS}
            for row in rows:
                for name in _TRAITS:
                    by[name][getattr(row, name) or "unknown"] += row.firms
            found[group] = {
                "count": sum(row.firms for row in rows),
                **{f"by_{name}": dict(counted) for name, counted in by.items()},
                "firms": self._firms(where, after="", limit=FIRST),
            }
        return found

    def firms(
        self,
        *,
        draft: Measure,
        current: Measure | None,
        on: date,
        group: str,
        after: str,
        limit: int,
    ) -> list[dict[str, Any]]:
        """One group's firms in USCC order after `after`: a page of the preview's full list."""
        return self._firms(self._groups(draft, current, on)[group], after=after, limit=limit)

    def _firms(self, where: ColumnElement[bool], *, after: str, limit: int) -> list[dict[str, Any]]:
        f = enterprise_facts.c
        query = (
            select(f.uscc, f.name, f.city, *_TRAITS.values())
            .where(where, f.uscc > after)
            .order_by(f.uscc)
            .limit(limit)
        )
        return [row._asdict() for row in self._connection.execute(query)]

    @staticmethod
    def _groups(
        draft: Measure, current: Measure | None, on: date
    ) -> dict[str, ColumnElement[bool]]:
        new: ColumnElement[str] = status_of(draft.criteria, on)
        old: ColumnElement[str] = (
            status_of(current.criteria, on) if current is not None else literal("none")
        )
        return {
            "eligible": new == ELIGIBLE,
            "newly_eligible": and_(new == ELIGIBLE, old != ELIGIBLE),
            "no_longer_eligible": and_(old == ELIGIBLE, new != ELIGIBLE),
        }

    def breakdown(self, *, draft: Measure, current: Measure | None, on: date) -> dict[str, Any]:
        """How many firms the draft would reach by status, and the eligible ones by region, size and
        ownership, beside the current version."""
        f = enterprise_facts.c
        result: dict[str, Any] = {"on": on.isoformat()}
        for label, measure in (("draft", draft), ("current", current)):
            if measure is None:
                result[label] = None
                continue
            status = status_of(measure.criteria, on).label("status")
            rows = self._connection.execute(
                select(
                    status, f.region, f.size_class, f.ownership, func.count().label("firms")
                ).group_by(status, f.region, f.size_class, f.ownership)
            ).all()
            by: dict[str, Counter[str]] = {
                k: Counter() for k in ("status", "region", "size", "ownership")
            }
            for row in rows:
                by["status"][row.status] += row.firms
                if row.status == Status.ELIGIBLE.value:
                    by["region"][row.region or "unknown"] += row.firms
                    by["size"][row.size_class or "unknown"] += row.firms
                    by["ownership"][row.ownership or "unknown"] += row.firms
            result[label] = {
                "by_status": dict(by["status"]),
                "eligible_by_region": dict(by["region"]),
                "eligible_by_size": dict(by["size"]),
                "eligible_by_ownership": dict(by["ownership"]),
            }
        return result
