"""The day the tests and the services they run in-process agree on.

A run that crosses midnight in China keeps the day it started on: the eligibility services
are given `today`, and the portal `now`, which is the real time moved back by the whole days
that have passed since, so sessions and rate limits still see time pass.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from eligibility.domain.clock import china_today

TODAY = china_today()


def today() -> date:
    return TODAY


def now() -> datetime:
    return datetime.now(UTC) - timedelta(days=(china_today() - TODAY).days)
