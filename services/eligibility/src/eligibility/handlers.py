"""Consumed events, each to one use case: enterprise.profile.v1 decides the firms again;
casework.case.v1 keeps the case the work queue filters on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from eligibility.domain.catalogue import Catalogue
from eligibility.domain.facts import facts_of
from eligibility.use_cases.catalogue import refresh
from eligibility.use_cases.decide import Snapshot, decide_firms
from eligibility.use_cases.ports import Work
from supportmatch_core.contracts.case import CaseChanged
from supportmatch_core.contracts.profile import ProfileChanged


def profiles_changed(
    work: Work,
    profiles: Sequence[ProfileChanged],
    *,
    catalogue: Catalogue,
    today: Callable[[], date],
) -> None:
    """Re-decide the firms on every measure in force, with the catalogue in force: a publish
    elsewhere waits for this, or this for it."""
    refresh(work, catalogue, hold=True)
    snapshots = [
        Snapshot(
            uscc=profile.uscc,
            version=profile.version,
            # The registry reads the snapshot document by name, as the self-check's facts are.
            facts=facts_of(profile.to_data()),
            name=profile.name,
            city=profile.city,
        )
        for profile in profiles
    ]
    decide_firms(work, snapshots, catalogue=catalogue, on=today())


def case_changed(work: Work, case: CaseChanged) -> None:
    """Keep the firm's case of the measure as the queue's "has a case" and "assigned to" see it."""
    work.cases.follow(
        uscc=case.uscc,
        measure_id=case.measure_id,
        state=case.state,
        assignee=case.assignee,
        version=case.version,
    )
