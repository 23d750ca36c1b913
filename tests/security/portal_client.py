"""A portal on its own database, with one firm and one caseworker account and every service
unreachable, for tests of what the portal itself refuses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from portal.app import build_app
from portal.settings import PortalSettings
from portal.use_cases.accounts import create_account
from supportmatch_core.auth import Role
from supportmatch_core.db import UnitOfWork, create_database_engine
from supportmatch_core.migrate import upgrade_to_head
from tests.conftest import TEST_SECRET, Databases
from tests.factories import new_uscc
from tests.passwords import cheap_passwords

PASSWORD = "correct-horse-battery-staple-约"
FIRM = new_uscc("44")
OTHER = new_uscc("44")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def unreachable_services_portal(databases: Databases, clock: Clock) -> Iterator[TestClient]:
    """The portal signed into by nobody yet; its accounts: `firm` and `caseworker` (province 44)."""
    url = databases.url("portal")
    upgrade_to_head("portal", url)
    engine = create_database_engine(url)
    create_account(
        uow=UnitOfWork(engine), passwords=cheap_passwords(), username="firm", password=PASSWORD,
        role=Role.ENTERPRISE, display_name="测试企业", uscc=FIRM, now=clock(),
    )  # fmt: skip
    create_account(
        uow=UnitOfWork(engine), passwords=cheap_passwords(), username="caseworker", password=PASSWORD,
        role=Role.CASEWORKER, display_name="广东省服务中心", provinces=["44"], now=clock(),
    )  # fmt: skip
    engine.dispose()
    # The services are unreachable: every refusal below must come from the portal itself.
    settings = PortalSettings(
        database_url=url,
        jwt_secret=TEST_SECRET,
        cookie_secure=False,
        profiles_url="http://127.0.0.1:9",
        eligibility_url="http://127.0.0.1:9",
        notifications_url="http://127.0.0.1:9",
        sign_in_failures_per_account=3,
        run_workers=False,
    )
    with TestClient(build_app(settings, clock=clock), raise_server_exceptions=False) as client:
        yield client


def token(client: TestClient, path: str = "/sign-in") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def sign_in(client: TestClient, password: str = PASSWORD, username: str = "firm") -> int:
    answer = client.post(
        "/sign-in",
        data={"csrf_token": token(client), "username": username, "password": password},
        follow_redirects=False,
    )
    return int(answer.status_code)
