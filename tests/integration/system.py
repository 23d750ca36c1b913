"""The three services in this process, on a real broker and real databases, driven over HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, table, text

from eligibility.app import build_app as eligibility_app
from eligibility.domain.catalogue import Catalogue
from eligibility.domain.decision import Status, decide
from eligibility.domain.measures import load_catalogue
from eligibility.settings import EligibilitySettings
from notifications.app import build_app as notifications_app
from notifications.settings import NotificationsSettings
from profiles.app import build_app as profiles_app
from profiles.settings import ProfilesSettings
from supportmatch_core.settings import ServiceSettings
from tests.clock import TODAY, today
from tests.conftest import TEST_SECRET, Databases

_APPS: dict[str, tuple[type[ServiceSettings], Callable[[Any], Any]]] = {
    "profiles": (ProfilesSettings, profiles_app),
    "eligibility": (EligibilitySettings, lambda settings: eligibility_app(settings, today=today)),
    "notifications": (NotificationsSettings, notifications_app),
}


class InProcessSystem:
    """Each service as a TestClient whose lifespan runs its relay and consumers in threads."""

    def __init__(
        self, *, bootstrap: str, databases: Databases, workers: bool = True, embedded: bool = True
    ) -> None:
        self.urls = {name: databases.migrated(name) for name in _APPS}
        self.bootstrap = bootstrap
        self.embedded = embedded  # False on Apache Kafka: the cluster's session timeout
        self.workers = workers
        self.clients: dict[str, TestClient] = {}
        self._stack = ExitStack()

    def settings(self, name: str) -> ServiceSettings:
        settings_type, _ = _APPS[name]
        return settings_type(
            database_url=self.urls[name],
            kafka_bootstrap_servers=self.bootstrap,
            kafka_embedded=self.embedded,
            jwt_secret=TEST_SECRET,
            run_workers=self.workers,
            outbox_poll_seconds=0.05,
        )

    def __enter__(self) -> InProcessSystem:
        for name, (_, build) in _APPS.items():
            client = TestClient(build(self.settings(name)), raise_server_exceptions=False)
            self.clients[name] = self._stack.enter_context(client)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    @property
    def profiles(self) -> TestClient:
        return self.clients["profiles"]

    @property
    def eligibility(self) -> TestClient:
        return self.clients["eligibility"]

    @property
    def notifications(self) -> TestClient:
        return self.clients["notifications"]

    def count(self, service: str, table_name: str) -> int:
        engine = create_engine(self.urls[service].replace("postgresql://", "postgresql+psycopg://"))
        try:
            with engine.connect() as connection:
                return int(
                    connection.execute(
                        select(func.count()).select_from(table(table_name))
                    ).scalar_one()
                )
        finally:
            engine.dispose()


def offline_system(databases: Databases) -> InProcessSystem:
    """The three services on `databases` with no broker to reach and no workers: their APIs and
    what they store (the API only writes the outbox)."""
    return InProcessSystem(bootstrap="127.0.0.1:1", databases=databases, workers=False)


def notable_changes(system: InProcessSystem) -> int:
    """Determination changes the firms are told of (all but first decisions of "ineligible")."""
    engine = create_engine(
        system.urls["eligibility"].replace("postgresql://", "postgresql+psycopg://")
    )
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT count(*) FROM determination_history "
                        "WHERE NOT (status = 'ineligible' AND previous_status IS NULL)"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


def qualifying(system: InProcessSystem) -> int:
    """(firm, measure) pairs eligibility stores for the projected firms: every decision in force
    today but a first "ineligible", which reads from the absence of a row (ADR 0013)."""
    measures, today = Catalogue(load_catalogue()).in_force(TODAY), TODAY
    engine = create_engine(
        system.urls["eligibility"].replace("postgresql://", "postgresql+psycopg://")
    )
    try:
        with engine.connect() as connection:
            firms = connection.execute(text("SELECT facts FROM enterprise_facts")).scalars()
            return sum(
                decide(
                    measure, facts if isinstance(facts, dict) else json.loads(facts), today
                ).status
                is not Status.INELIGIBLE
                for facts in firms
                for measure in measures
            )
    finally:
        engine.dispose()


def wait_until(condition: Callable[[], bool], *, timeout: float, interval: float = 0.1) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; returns whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
