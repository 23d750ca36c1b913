"""A caseworker account is a recipient of its provinces' digest from the day it is made, not from
its first sign-in; a changed account is told again, a disabled one stops being told anything."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from notifications.adapters.tables import caseworker_regions, recipients
from portal.adapters.services import Services, ServiceUnavailable
from portal.settings import PortalSettings
from portal.use_cases.accounts import create_account, disable_account, register_caseworkers
from supportmatch_core.auth import Role, TokenService
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.migrate import upgrade_to_head
from tests.conftest import TEST_SECRET, Databases
from tests.passwords import cheap_passwords
from tests.security.apps import service_app

PASSWORD = "caseworker-password-2026"


@pytest.fixture
def notifications(databases: Databases) -> Iterator[tuple[TestClient, str]]:
    """The notifications service in-process, and its database."""
    url = databases.url("notifications")
    with TestClient(service_app("notifications", url)) as client:
        yield client, url


def _regions(url: str) -> dict[str, set[str]]:
    """Each caseworker recipient's provinces, as the notifications service holds them."""
    engine = create_database_engine(url)
    query = select(recipients.c.key, caseworker_regions.c.province_code).outerjoin(
        caseworker_regions, caseworker_regions.c.recipient_id == recipients.c.id
    )
    try:
        with engine.connect() as connection:
            rows = connection.execute(query.where(recipients.c.kind == "caseworker")).all()
    finally:
        engine.dispose()
    found: dict[str, set[str]] = {}
    for key, province in rows:
        found.setdefault(key, set()).update({province} if province else set())
    return found


def test_caseworkers_are_told_of_their_provinces_and_a_disabled_one_of_none(
    databases: Databases, notifications: tuple[TestClient, str]
) -> None:
    client, notifications_url = notifications
    portal_url = databases.url("portal")
    upgrade_to_head("portal", portal_url)
    engine = create_database_engine(portal_url)
    uow, now = UnitOfWork(engine), datetime.now(UTC)
    for username, provinces in (("li.hua", ["44"]), ("wang.fang", ["33", "32"])):
        create_account(
            uow=uow, passwords=cheap_passwords(), username=username, password=PASSWORD,
            role=Role.CASEWORKER, display_name=username, provinces=provinces, now=now,
        )  # fmt: skip
    settings = PortalSettings(
        database_url=portal_url, jwt_secret=TEST_SECRET, notifications_url="http://notifications"
    )
    services = Services(settings, TokenService(TEST_SECRET), http=client)
    known: dict[str, frozenset[str]] = {}
    try:
        assert register_caseworkers(uow=uow, services=services, known=known) == 2
        assert _regions(notifications_url) == {
            "portal:li.hua": {"44"},
            "portal:wang.fang": {"32", "33"},
        }
        # Told once: nothing changed, nothing is asked again.
        assert register_caseworkers(uow=uow, services=services, known=known) == 0
        assert disable_account(uow=uow, username="wang.fang", now=now)
        assert register_caseworkers(uow=uow, services=services, known=known) == 1
        assert _regions(notifications_url) == {"portal:li.hua": {"44"}, "portal:wang.fang": set()}
    finally:
        services.close()
        engine.dispose()


def test_a_notifications_service_away_leaves_every_caseworker_to_the_next_round(
    databases: Databases,
) -> None:
    portal_url = databases.url("portal")
    upgrade_to_head("portal", portal_url)
    engine = create_database_engine(portal_url)
    uow = UnitOfWork(engine)
    create_account(
        uow=uow, passwords=cheap_passwords(), username="li.hua", password=PASSWORD,
        role=Role.CASEWORKER, display_name="li.hua", provinces=["44"], now=datetime.now(UTC),
    )  # fmt: skip
    settings = PortalSettings(
        database_url=portal_url, jwt_secret=TEST_SECRET, notifications_url="http://127.0.0.1:9"
    )
    services = Services(settings, TokenService(TEST_SECRET))
    known: dict[str, frozenset[str]] = {}
    try:
        with pytest.raises(ServiceUnavailable):
            register_caseworkers(uow=uow, services=services, known=known)
    finally:
        services.close()
        engine.dispose()
    assert known == {}  # asked again on the worker's next round
