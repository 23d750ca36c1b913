"""Re-deciding the population: what a re-match reports, and which measure versions are due."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from eligibility.domain.catalogue import Catalogue
from eligibility.domain.decision import Decision, decide
from eligibility.domain.facts import Facts
from eligibility.domain.measures import Measure, uses_certifications

log = logging.getLogger(__name__)

PENDING = ""  # the facts digest of a determination stored without its explanation (ADR 0011)
UNEXPLAINABLE = "unexplainable"  # its measure version is gone or now decides otherwise


@dataclass(frozen=True, slots=True)
class Rematch:
    measure_id: str
    version: int
    changed: int  # statuses that changed, first decisions included
    refreshed: int  # same status under a new measure version
    to_announce: int = 0  # changes left for the explainer to explain and publish


@dataclass(frozen=True, slots=True)
class Rematched:
    """A measure version (and document digest) decided for everyone on a day."""

    measure_id: str
    version: int
    digest: str
    on: date


@dataclass(frozen=True, slots=True)
class Claimed:
    """A range of firms' keys an explainer holds while it explains their first decisions."""

    id: int
    first_uscc: str
    last_uscc: str


def due(catalogue: Catalogue, on: date, done: Iterable[Rematched]) -> list[Measure]:
    """The measures in force on `on` whose decision may have moved: a version (or edited
    document) never decided for everyone, and, once a day, one whose criteria depend on the day
    (certifications valid on it)."""
    ever, today = set(), set()
    for rematched in done:
        key = (rematched.measure_id, rematched.version, rematched.digest)
        ever.add(key)
        if rematched.on == on:
            today.add(key)
    return [
        measure
        for measure in catalogue.in_force(on)
        if (measure.id, measure.version, measure.digest)
        not in (today if uses_certifications(measure.criteria) else ever)
    ]


class Stored(Protocol):
    """A stored determination, as far as reproducing it."""

    @property
    def measure_id(self) -> str: ...
    @property
    def measure_version(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def evaluated_on(self) -> date: ...


@dataclass(frozen=True, slots=True)
class Unexplained:
    """A determination a re-match stored by status alone, with the facts it was decided on.

    `history_id` is its history row, or None for a first decision stored without one.
    """

    history_id: int | None
    uscc: str
    measure_id: str
    measure_version: int
    status: str
    previous_status: str | None
    evaluated_on: date
    recorded_at: datetime | None
    facts: Facts
    profile_version: int


def explained(catalogue: Catalogue, facts: Facts, stored: Stored) -> Decision | None:
    """The decision behind a stored status, or None (logged) when it cannot be reproduced: its
    measure version is gone, or the facts now decide otherwise."""
    measure = next(
        (m for m in catalogue.versions(stored.measure_id) if m.version == stored.measure_version),
        None,
    )
    decision = None if measure is None else decide(measure, facts, stored.evaluated_on)
    if decision is None or decision.status.value != stored.status:
        log.error(
            "a stored determination cannot be explained",
            extra={"measure": stored.measure_id, "version": stored.measure_version},
        )
        return None
    return decision
