"""Which firms a draft would reach, beside the version in force: the preview's list of firms."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, literal, select

from eligibility.adapters.compiler import status_of
from eligibility.adapters.tables import enterprise_facts
from eligibility.domain.decision import Status
from eligibility.domain.measures import Measure

ELIGIBLE = Status.ELIGIBLE.value


def reach(
    connection: Connection, *, draft: Measure, current: Measure | None, on: date, limit: int = 100
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
            "count": connection.execute(
                select(func.count()).select_from(enterprise_facts).where(where)
            ).scalar_one(),
            "firms": list(
                connection.execute(select(uscc).where(where).order_by(uscc).limit(limit)).scalars()
            ),
        }
        for name, where in groups.items()
    }
