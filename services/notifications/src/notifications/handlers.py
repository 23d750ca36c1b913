"""Consumed events, each to one use case: determinations, enterprise profiles, measures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from notifications.use_cases import tell
from notifications.use_cases.ports import Work
from supportmatch_core.events import Event


def determinations_changed(work: Work, events: Sequence[Event], *, now: datetime) -> None:
    """eligibility.determination.v1, a polled batch at once."""
    tell.tell_determinations(work, events, now=now)


def profile_changed(work: Work, event: Event, *, now: datetime) -> None:
    """enterprise.profile.v1."""
    tell.follow_profile(work, event, now=now)


def measure_changed(work: Work, event: Event, *, now: datetime) -> None:
    """policy.measure.v1."""
    tell.announce_measure(work, event, now=now)
