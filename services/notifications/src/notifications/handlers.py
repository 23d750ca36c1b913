"""Consumed events, each to one use case: determinations, enterprise profiles, measures, cases; each
typed event comes with the id of its CloudEvent (the trigger of what it tells)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from notifications.use_cases import tell
from notifications.use_cases.ports import Work
from supportmatch_core.contracts.case import CaseChanged
from supportmatch_core.contracts.determination import EligibilityChanged
from supportmatch_core.contracts.measure import MeasureChanged
from supportmatch_core.contracts.profile import ProfileChanged
from supportmatch_core.events import Event


def determinations_changed(work: Work, events: Sequence[Event], *, now: datetime) -> None:
    """eligibility.determination.v1, a polled batch at once."""
    changes = [(event.id, EligibilityChanged.from_event(event)) for event in events]
    tell.tell_determinations(work, changes, now=now)


def profile_changed(work: Work, event: Event, *, now: datetime) -> None:
    """enterprise.profile.v1."""
    tell.follow_profile(work, ProfileChanged.from_event(event), now=now)


def measure_changed(work: Work, event: Event, *, now: datetime) -> None:
    """policy.measure.v1."""
    tell.announce_measure(work, event.id, MeasureChanged.from_event(event), now=now)


def case_changed(work: Work, event: Event, *, now: datetime) -> None:
    """casework.case.v1."""
    tell.tell_case(work, event.id, CaseChanged.from_event(event), now=now)
