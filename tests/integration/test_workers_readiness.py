"""Every background worker of every service that keeps failing makes the service unready, and
/readyz says which and why: with the database and the broker away, each worker reports failing."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from eligibility import worker as eligibility_worker
from eligibility.adapters.unit_of_work import SqlUnitOfWork as EligibilityUnits
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.clock import china_today
from eligibility.settings import EligibilitySettings
from notifications import worker as notifications_worker
from notifications.adapters.unit_of_work import SqlUnitOfWork as NotificationUnits
from notifications.app import utc_now
from notifications.settings import NotificationsSettings
from profiles import worker as profiles_worker
from profiles.settings import ProfilesSettings
from supportmatch_core import workers
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.workers import WorkerGroup

DATABASE, BROKER = "postgresql://postgres@127.0.0.1:1/postgres", "127.0.0.1:1"  # nobody listens


def _eligibility() -> WorkerGroup:
    settings = EligibilitySettings(database_url=DATABASE, kafka_bootstrap_servers=BROKER)
    units = EligibilityUnits(create_database_engine(settings.database_url))
    return eligibility_worker.workers(settings, units, Catalogue([], revision=-1), china_today)


def _notifications() -> WorkerGroup:
    settings = NotificationsSettings(database_url=DATABASE, kafka_bootstrap_servers=BROKER)
    units = NotificationUnits(create_database_engine(settings.database_url))
    sender = notifications_worker.webhook_sender(settings)
    return notifications_worker.workers(settings, units, clock=utc_now, sender=sender)


def _profiles() -> WorkerGroup:
    settings = ProfilesSettings(database_url=DATABASE, kafka_bootstrap_servers=BROKER)
    return profiles_worker.workers(
        settings, UnitOfWork(create_database_engine(settings.database_url))
    )


@pytest.mark.parametrize("build", [_profiles, _eligibility, _notifications])
def test_each_worker_that_keeps_failing_makes_the_service_unready(
    build: Callable[[], WorkerGroup], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "UNREADY_AFTER_SECONDS", 0.5)
    group = build()
    group.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            states = group.health()
            if all(state.startswith("failing") for state in states.values()):
                break
            time.sleep(0.2)
        assert {name: s.split(":")[0][:7] for name, s in states.items()} == dict.fromkeys(
            states, "failing"
        )
        time.sleep(0.6)
        assert not group.ready()
    finally:
        group.stop(timeout=5)
