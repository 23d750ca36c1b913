"""The preview of a draft measure version: whom it would reach, beside the version in force."""

from __future__ import annotations

from datetime import date
from typing import Any

from eligibility.adapters.reach import breakdown, reach
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.measures import Measure
from supportmatch_core.db import UnitOfWork


def preview_measure(
    *, uow: UnitOfWork, catalogue: Catalogue, draft: Measure, on: date
) -> dict[str, Any]:
    """Counts by status, region, size and ownership, and which firms it gains and loses."""
    current = catalogue.current(draft.id, on)
    with uow.read() as connection:
        counts = breakdown(connection, draft=draft, current=current, on=on)
        counts["current_version"] = current.version if current else None
        counts["firms"] = reach(connection, draft=draft, current=current, on=on)
    return counts
