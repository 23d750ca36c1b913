"""The preview of a draft measure version: whom it would reach, beside the version in force."""

from __future__ import annotations

from datetime import date

from eligibility.domain.catalogue import Catalogue
from eligibility.domain.measures import Measure
from eligibility.use_cases.ports import Work


def preview_measure(
    work: Work, *, catalogue: Catalogue, draft: Measure, on: date
) -> dict[str, object]:
    """Counts by status, region, size and ownership, and which firms it gains and loses."""
    current = catalogue.current(draft.id, on)
    counts = work.reach.breakdown(draft=draft, current=current, on=on)
    counts["current_version"] = current.version if current else None
    counts["firms"] = work.reach.reach(draft=draft, current=current, on=on)
    return counts
