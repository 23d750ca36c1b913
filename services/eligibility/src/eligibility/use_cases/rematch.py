"""Re-deciding the whole population: for one measure (a publish), a group, or what is due today."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from eligibility.domain.catalogue import Catalogue
from eligibility.domain.measures import Measure
from eligibility.domain.rematches import Rematch, due
from eligibility.use_cases.catalogue import ensure_current
from eligibility.use_cases.explain import announce_rematch
from eligibility.use_cases.ports import Work


def rematch(work: Work, *, measure: Measure, on: date, announce: bool = True) -> Rematch:
    """Re-decide `measure` for every firm in the caller's transaction: all firms or none.

    With `announce` the same transaction explains and publishes the changes (about 0.3 ms a
    change); without it, the explainer does so within seconds of the commit.
    """
    (done,) = work.population.rematch([measure], on)
    if announce:
        announce_rematch(work, measure=measure)
    return done


def place_misplaced(work: Work, *, catalogue: Catalogue, changed_since: datetime) -> int:
    """Rows the release before wrote while this one was rolled out have no place, or an old one,
    in the work queue (ADR 0037): they take their firm's (those of firms changed since
    `changed_since`); at start-up and with each tick."""
    return work.determinations.place_misplaced(catalogue.ids(), changed_since)


def rematch_group(work: Work, *, measures: Sequence[Measure], on: date) -> list[Rematch]:
    """Re-decide several measures in one pass over the projection; the explainer announces."""
    return work.population.rematch(measures, on)


def rematch_due(work: Work, *, catalogue: Catalogue, on: date) -> list[Rematch]:
    """Re-decide every measure in force on `on` whose decision may have moved (`domain.due`), in
    one pass; at start-up and from the daily tick, with the catalogue in force."""
    ensure_current(work, catalogue)
    work.population.take_daily_turn()
    return work.population.rematch(due(catalogue, on, work.population.rematched()), on)
