"""The preview of a draft measure version: whom it would reach, beside the version in force."""

from __future__ import annotations

from datetime import date

from eligibility.domain.catalogue import Catalogue
from eligibility.domain.differences import differences
from eligibility.domain.measures import Measure
from eligibility.use_cases.ports import Work


def preview_measure(
    work: Work, *, catalogue: Catalogue, draft: Measure, on: date
) -> dict[str, object]:
    """Counts by status, region, size and ownership, which firms it gains and loses, and what
    it changes from the version in force, in words."""
    current = catalogue.current(draft.id, on)
    counts = work.reach.breakdown(draft=draft, current=current, on=on)
    counts["current_version"] = current.version if current else None
    counts["firms"] = work.reach.reach(draft=draft, current=current, on=on)
    counts["changes"] = [{"zh": d.zh, "en": d.en} for d in differences(current, draft)]
    return counts


def reached_firms(
    work: Work,
    *,
    catalogue: Catalogue,
    draft: Measure,
    on: date,
    group: str,
    after: str,
    limit: int,
) -> list[dict[str, object]]:
    """A page of one of the preview's groups of firms, for the full list."""
    current = catalogue.current(draft.id, on)
    return work.reach.firms(
        draft=draft, current=current, on=on, group=group, after=after, limit=limit
    )
