"""Consumed events, each to one use case: enterprise.profile.v1 decides the firm again;
casework.case.v1 keeps the case the work queue filters on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from eligibility.domain.catalogue import Catalogue
from eligibility.domain.facts import facts_of
from eligibility.use_cases.catalogue import refresh
from eligibility.use_cases.decide import decide_firm
from eligibility.use_cases.ports import Work
from supportmatch_core.contracts.case import CaseChanged
from supportmatch_core.contracts.profile import ProfileChanged


def profile_changed(
    work: Work, profile: ProfileChanged, *, catalogue: Catalogue, today: Callable[[], date]
) -> None:
    """Re-decide the firm on every measure in force, with the catalogue in force: a publish
    elsewhere waits for this, or this for it."""
    refresh(work, catalogue, hold=True)
    decide_firm(
        work,
        uscc=profile.uscc,
        version=profile.version,
        name=profile.name,
        city=profile.city,
        # The registry reads the snapshot document by name, as the self-check's facts are read.
        facts=facts_of(profile.to_data()),
        catalogue=catalogue,
        on=today(),
    )


def case_changed(work: Work, case: CaseChanged) -> None:
    """Keep the firm's case of the measure as the queue's "has a case" and "assigned to" see it."""
    work.cases.follow(
        uscc=case.uscc,
        measure_id=case.measure_id,
        state=case.state,
        assignee=case.assignee,
        version=case.version,
    )
