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


class Reach:
    """Whom a draft would reach, read within one transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def reach(
        self, *, draft: Measure, current: Measure | None, on: date, limit: int = 100
    ) -> dict[str, Any]:
        """Counts and the first `limit` USCCs of the firms the draft makes eligible, of those it
        newly makes eligible and of those no longer eligible under it."""
        new: ColumnElement[str] = status_of(draft.criteria, on)
        old: ColumnElement[str] = (
            status_of(current.criteria, on) if current is not None else literal("none")
        )
        groups = {
            "eligible": new == ELIGIBLE,
            "newly_eligible": and_(new == ELIGIBLE, old != ELIGIBLE),
            "no_longer_eligible": and_(old == ELIGIBLE, new != ELIGIBLE),
        }
        uscc = enterprise_facts.c.uscc
        return {
            name: {
                "count": self._connection.execute(
                    select(func.count()).select_from(enterprise_facts).where(where)
                ).scalar_one(),
                "firms": list(
                    self._connection.execute(
                        select(uscc).where(where).order_by(uscc).limit(limit)
                    ).scalars()
                ),
            }
            for name, where in groups.items()
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
